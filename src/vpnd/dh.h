/* dh.h - IKE key exchange groups 2, 14, 15, 16 (MODP), 19, 20 (ECP), 31 (X25519) */
#ifndef VPND_DH_H
#define VPND_DH_H
#include <stddef.h>
#include <stdint.h>

struct dh;
int dh_supported(uint16_t group);
size_t dh_public_len(uint16_t group); /* length of the KE data for the group */
struct dh *dh_new(uint16_t group);     /* generates the private value */
int dh_public(struct dh *d, uint8_t *out, size_t outlen); /* exactly dh_public_len bytes */
/* Validates the peer's value (RFC 6989) and derives g^ir; *slen set. */
int dh_derive(struct dh *d, const uint8_t *peer, size_t plen, uint8_t *secret, size_t *slen);
/* Validation alone (exposed for tests). */
int dh_check_peer(uint16_t group, const uint8_t *peer, size_t plen);
void dh_free(struct dh *d);
#endif
