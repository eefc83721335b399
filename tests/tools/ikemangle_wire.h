/* ikemangle_wire.h - crafted IKEv2 messages for ikemangle: a payload list
 * serialised with deliberate faults (a payload or header length off by
 * some bytes, a foreign critical bit), sealed into SK with vpnd's own
 * crypto when needed, and a client session (IKE_SA_INIT keys, a valid
 * IKE_AUTH) to build the encrypted cases on. */
#ifndef IKEMANGLE_WIRE_H
#define IKEMANGLE_WIRE_H
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include "../../src/vpnd/buf.h"
#include "../../src/vpnd/dh.h"
#include "../../src/vpnd/ike.h"
#include "../../src/vpnd/ike_crypto.h"
#include "../../src/vpnd/ike_msg.h"

#define PL_MAX 24

/* One payload as it goes on the wire: its body, and the fault to apply
 * to its generic header (length delta, extra flag bits). */
struct wpl {
	uint8_t type, flags;
	int dlen;
	struct buf body;
};
struct plist {
	struct wpl p[PL_MAX];
	int n;
};

void pl_init(struct plist *l);
void pl_free(struct plist *l);
/* Appends a payload with body hdr|data; returns its index or -1. */
int pl_add(struct plist *l, uint8_t type, const void *hdr, size_t hlen, const void *data, size_t dlen);
/* Index of the n-th (0-based) payload of a type, -1 if none. */
int pl_find(const struct plist *l, uint8_t type);
/* Serialise the chain; returns the first payload type (PL_NONE if empty). */
uint8_t pl_chain(const struct plist *l, struct buf *out);

/* What a message header says; hdr_dlen is added to the length field,
 * version is the whole version byte (0x20 for IKEv2). */
struct whdr {
	uint8_t spi_i[8], spi_r[8];
	uint8_t exch, flags, version;
	uint32_t msgid;
	int hdr_dlen;
};
/* A cleartext message: header + chain. */
int msg_plain(const struct whdr *h, const struct plist *l, struct buf *out);
/* An encrypted message: header + SK { chain }, sealed with the initiator's
 * keys.  *first / inner receive the chain in the clear (for the corpus). */
int msg_sk(const struct whdr *h, const struct ike_keys *k, const struct plist *l, struct buf *out,
	   uint8_t *first, struct buf *inner);

/* One Encrypted Fragment (RFC 7383): header + SKF { num, total, piece };
 * first is the inner chain's first type (fragment 1 only, else 0). */
int msg_skf(const struct whdr *h, const struct ike_keys *k, uint16_t num, uint16_t total, uint8_t first,
	    const uint8_t *piece, size_t len, struct buf *out);

/* The client: credentials and one IKE SA's state. */
struct cred {
	EVP_PKEY *key;
	uint8_t *der;
	size_t derlen;
	char id[64];
	EVP_PKEY *server_pub;
};
struct sess {
	uint8_t spi_i[8], spi_r[8];
	uint8_t ni[32], nr[256];
	size_t nrlen;
	uint32_t esp_spi;          /* the SPI we proposed for our inbound ESP */
	struct buf init_req, init_resp;
	struct ike_keys keys;
	int have_keys;
};
void sess_new(struct sess *s);   /* fresh SPIi and Ni */
void sess_free(struct sess *s);
/* The standard IKE_SA_INIT payloads (SA aes256gcm16-prfsha256-<group>,
 * KE, Nonce, N(SIGNATURE_HASH_ALGORITHMS)); ke/kelen NULL: *dh gets a
 * fresh key of ke_group and its public value goes in. */
int init_payloads(struct sess *s, struct plist *l, uint16_t prop_group, uint16_t ke_group,
		  const uint8_t *ke, size_t kelen, struct dh **dh);
/* N(IKEV2_FRAGMENTATION_SUPPORTED) appended to the IKE_SA_INIT payloads. */
int init_frag_ok(struct plist *l);
/* Derive the keys from an IKE_SA_INIT response (raw message). */
int sess_keys(struct sess *s, struct dh *dh, const uint8_t *resp, size_t len);
/* The standard IKE_AUTH payloads: IDi, CERT, AUTH, CP, SA, TSi, TSr, N. */
int auth_payloads(struct sess *s, const struct cred *c, struct plist *l);
/* Check the responder's AUTH in a decrypted IKE_AUTH response chain. */
int auth_check(const struct sess *s, const struct cred *c, const struct ike_msg *inner);
#endif
