/* initiator.h - one IKEv2 initiator handshake (IKE_SA_INIT + IKE_AUTH with
 * a CHILD_SA) for the load generator, built from vpnd's own modules. */
#ifndef BENCH_IKE_INITIATOR_H
#define BENCH_IKE_INITIATOR_H
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include "../../src/vpnd/buf.h"
#include "../../src/vpnd/ike_crypto.h"

/* What every handshake shares: the client credentials and the responder. */
struct client_cred {
	EVP_PKEY *key;
	uint8_t *der;        /* the client certificate, DER */
	size_t derlen;
	char id[48];         /* RFC 822 identity, also the certificate's SAN */
};

enum hs_state { HS_IDLE, HS_INIT_SENT, HS_AUTH_SENT, HS_DONE, HS_FAILED };

struct hs {
	enum hs_state state;
	uint32_t index;
	uint8_t spi_i[8], spi_r[8];
	uint8_t ni[32], nr[256];
	size_t nrlen;
	struct dh *dh;
	struct buf init_req, init_resp, last_req;
	struct ike_keys keys;
	const struct client_cred *cred;
	double t_sent;
	int tries;
	char why[80];        /* why it failed */
};

/* Builds and keeps the IKE_SA_INIT request in h->last_req.  dst/port: the
 * responder (network byte order), for the NAT_DETECTION hashes. */
int hs_start(struct hs *h, uint32_t index, const struct client_cred *cred, uint32_t dst, uint16_t port);
/* Feeds a response (without the non-ESP marker); the IKE_AUTH request in
 * h->last_req starts with the 4-byte non-ESP marker, for port 4500.
 * On success the next request (if any) is in h->last_req
 * and h->state says where we are.  Returns 0 or -1 (h->why says why). */
int hs_input(struct hs *h, const uint8_t *pkt, size_t len, EVP_PKEY *server_pub);
void hs_free(struct hs *h);
#endif
