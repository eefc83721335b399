/* auth.h - certificate authentication: our identity, AUTH signing and the
 * client's chain / identity / signature verification (RFC 7296 2.15, RFC 7427) */
#ifndef VPND_AUTH_H
#define VPND_AUTH_H
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "config.h"

struct auth_ctx {
	X509_STORE *store;
	X509 *ca;                /* our CA (the trust anchor) */
	X509_CRL *crl;           /* its CRL, signature checked at load */
	X509 *cert;
	STACK_OF(X509) *chain;   /* intermediates to send after our certificate */
	EVP_PKEY *key;
	char server_id[256];
	uint8_t ca_keyid[20];    /* SHA-1 of the CA's SubjectPublicKeyInfo (CERTREQ) */
};

int auth_load(struct auth_ctx *a, const struct vpnd_config *c);
void auth_free(struct auth_ctx *a);
/* The body of our IDr payload (type, 3 reserved bytes, data). */
int auth_our_id(const struct auth_ctx *a, struct buf *out);
/* Sign octets; 'hashes' is the bitmask (1 << HASH_x) the peer announced
 * with SIGNATURE_HASH_ALGORITHMS, 0 if none.  Writes method and data. */
int auth_sign(EVP_PKEY *key, unsigned hashes, const uint8_t *octets, size_t olen,
	      uint8_t *method, struct buf *out);
/* Chain check against our CA; every certificate in the chain that our CA
 * issued is checked against its CRL.  On failure *reason is one of the
 * log-format reasons (revoked, unknown_ca, expired, bad_certificate). */
int auth_verify_chain(const struct auth_ctx *a, X509 *leaf, STACK_OF(X509) *untrusted,
		      const char **reason, char *detail, size_t dlen);
int auth_check_id(X509 *leaf, uint8_t idtype, const uint8_t *id, size_t idlen);
int auth_verify(EVP_PKEY *pub, uint8_t method, const uint8_t *sig, size_t slen,
		const uint8_t *octets, size_t olen);
void auth_id_string(uint8_t type, const uint8_t *d, size_t len, char *out, size_t outlen);
void auth_serial_string(X509 *x, char *out, size_t outlen);
#endif
