/* ike_crypto.h - IKEv2 key derivation (RFC 7296 2.13-2.17) and the
 * Encrypted / Encrypted Fragment payload (RFC 7296 3.14, RFC 5282, RFC 7383) */
#ifndef VPND_IKE_CRYPTO_H
#define VPND_IKE_CRYPTO_H
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "proposal.h"

#define IKE_MAX_KEY 64

size_t prf_len(uint16_t prf);                 /* 0 if unknown */
size_t integ_key_len(uint16_t integ);
size_t integ_icv_len(uint16_t integ);
size_t encr_key_len(uint16_t encr, uint16_t keybits); /* incl. 4-byte GCM salt */

int ike_prf(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	    uint8_t *out);
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t klen, const uint8_t *seed, size_t slen,
		 uint8_t *out, size_t outlen);
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		 const uint8_t *gir, size_t girlen, uint8_t *out);

struct ike_keys {
	uint16_t prf, encr, encr_bits, integ;
	size_t prf_len, integ_len, encr_len;
	uint8_t sk_d[IKE_MAX_KEY], sk_ai[IKE_MAX_KEY], sk_ar[IKE_MAX_KEY],
		sk_ei[IKE_MAX_KEY], sk_er[IKE_MAX_KEY], sk_pi[IKE_MAX_KEY], sk_pr[IKE_MAX_KEY];
};
int ike_derive_keys(const struct sa_choice *c, const uint8_t *skeyseed, const uint8_t *ni,
		    size_t nilen, const uint8_t *nr, size_t nrlen, const uint8_t *spi_i,
		    const uint8_t *spi_r, struct ike_keys *k);
void ike_keys_wipe(struct ike_keys *k);

/* Child SA keys: KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr); i->r encr, i->r integ,
 * r->i encr, r->i integ.  gir is NULL without PFS. */
struct child_keys {
	size_t encr_len, integ_len;
	uint8_t ei[IKE_MAX_KEY], ai[IKE_MAX_KEY], er[IKE_MAX_KEY], ar[IKE_MAX_KEY];
};
int child_derive_keys(const struct ike_keys *k, const struct sa_choice *esp, const uint8_t *gir,
		      size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		      struct child_keys *ck);

/* Encrypt plain into out, which already holds the IKE header and the
 * (SK or SKF) payload header, hdrlen bytes; fixes up the message and
 * payload lengths.  'responder' picks SK_er/SK_ar (we send as responder). */
int ike_sk_seal(const struct ike_keys *k, int responder, struct buf *out, size_t hdrlen,
		const uint8_t *plain, size_t plen);
/* Check the ICV and decrypt.  msg/msglen is the whole message, off the
 * offset where the IV starts (after the SK(F) header). */
int ike_sk_open(const struct ike_keys *k, int from_initiator, const uint8_t *msg, size_t msglen,
		size_t off, struct buf *plain);
#endif
