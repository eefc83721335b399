/* initiator.c - the IKEv2 initiator side of one handshake, for the load
 * generator: IKE_SA_INIT (SA, KE, Ni, SIGNATURE_HASH_ALGORITHMS), then
 * IKE_AUTH (IDi, CERT, AUTH, CP request, ESP SA, TSi, TSr) and a check of
 * the responder's AUTH signature.  Proposal: aes256gcm16-prfsha256-ecp256,
 * ESP aes256gcm16.  NAT_DETECTION_SOURCE_IP is deliberately wrong: the
 * responder sees a NAT and both sides use UDP encapsulation (port 4500),
 * which strongSwan's userspace ESP (kernel-libipsec) needs; vpnd gets the
 * same treatment.  No fragmentation, no INITIAL_CONTACT, no Delete: the SA
 * stays up. */
#include "initiator.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/vpnd/auth.h"
#include "../../src/vpnd/dh.h"
#include "../../src/vpnd/ike.h"
#include "../../src/vpnd/ike_msg.h"
#include "../../src/vpnd/proposal.h"

#define GROUP 19

static const struct sa_choice ike_choice = {
	.proto = PROTO_IKE, .encr = ENCR_AES_GCM16, .encr_keylen = 256, .prf = 5, .integ = 0, .dh = GROUP,
};

static int fail(struct hs *h, const char *why)
{
	snprintf(h->why, sizeof(h->why), "%s", why);
	h->state = HS_FAILED;
	return -1;
}

int hs_start(struct hs *h, uint32_t index, const struct client_cred *cred, uint32_t dst, uint16_t port)
{
	static const uint8_t zero[8];
	struct ike_builder b;
	struct ike_proposal p = { .num = 1, .proto = PROTO_IKE, .ntrans = 3,
				  .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_PRF, 5, 0 }, { TT_DH, GROUP, 0 } } };
	uint8_t kh[4] = { 0, GROUP, 0, 0 }, ke[133], hs[2] = { 0, HASH_SHA256 };

	memset(h, 0, sizeof(*h));
	h->index = index;
	h->cred = cred;
	buf_init(&h->init_req);
	buf_init(&h->init_resp);
	buf_init(&h->last_req);
	/* the SPI's first half is the index: the generator demultiplexes on it */
	put32(h->spi_i, index);
	if (RAND_bytes(h->spi_i + 4, 4) != 1 || RAND_bytes(h->ni, sizeof(h->ni)) != 1)
		return fail(h, "RAND_bytes");
	h->dh = dh_new(GROUP);
	if (!h->dh || dh_public(h->dh, ke, dh_public_len(GROUP)) < 0)
		return fail(h, "dh_new");
	ikeb_init(&b);
	ikeb_header(&b, h->spi_i, zero, EXCH_IKE_SA_INIT, HDR_F_INITIATOR, 0);
	ikeb_proposal(&b, &p);
	ikeb_simple(&b, PL_KE, kh, 4, ke, dh_public_len(GROUP));
	ikeb_simple(&b, PL_NONCE, NULL, 0, h->ni, sizeof(h->ni));
	ikeb_notify(&b, 0, N_SIGNATURE_HASH_ALGORITHMS, NULL, 0, hs, sizeof(hs));
	/* NAT detection (RFC 7296 2.23): SHA-1(SPIi | SPIr | IP | port); our
	 * source hash is random, so we look NATed */
	uint8_t nat[SHA_DIGEST_LENGTH], in[8 + 8 + 4 + 2];
	if (RAND_bytes(nat, sizeof(nat)) != 1)
		return fail(h, "RAND_bytes");
	ikeb_notify(&b, 0, N_NAT_DETECTION_SOURCE_IP, NULL, 0, nat, sizeof(nat));
	memcpy(in, h->spi_i, 8);
	memset(in + 8, 0, 8);
	memcpy(in + 16, &dst, 4);
	memcpy(in + 20, &port, 2);
	SHA1(in, sizeof(in), nat);
	ikeb_notify(&b, 0, N_NAT_DETECTION_DESTINATION_IP, NULL, 0, nat, sizeof(nat));
	ikeb_finish(&b);
	if (b.b.err) {
		ikeb_free(&b);
		return fail(h, "building IKE_SA_INIT");
	}
	h->last_req = b.b;
	buf_add(&h->init_req, h->last_req.p, h->last_req.len);
	h->state = HS_INIT_SENT;
	return h->init_req.err ? fail(h, "out of memory") : 0;
}

/* An error notify (type < 16384) in a response: name it in h->why. */
static int error_notify(struct hs *h, const struct ike_msg *m)
{
	struct ike_notify n;
	for (int i = 0; i < m->npl; i++)
		if (m->pl[i].type == PL_NOTIFY && ike_parse_notify(m->pl[i].body, m->pl[i].len, &n) == 0 &&
		    n.type < 16384) {
			char w[40];
			snprintf(w, sizeof(w), "error notify %u", n.type);
			fail(h, w);
			return 1;
		}
	return 0;
}

static int build_auth(struct hs *h)
{
	struct ike_builder in, out;
	struct buf octets, sig;
	uint8_t mac[IKE_MAX_KEY], method, idh[4] = { ID_RFC822, 0, 0, 0 }, enc = CERT_X509_SIG;
	uint8_t cph[4] = { CFG_REQUEST, 0, 0, 0 }, cpa[4] = { 0, CA_INTERNAL_IP4_ADDRESS, 0, 0 };
	size_t idlen = strlen(h->cred->id);
	int rc = -1;

	ikeb_init(&in);
	ikeb_init(&out);
	buf_init(&octets);
	buf_init(&sig);
	/* InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, IDi') */
	uint8_t idbody[4 + sizeof(h->cred->id)];
	memcpy(idbody, idh, 4);
	memcpy(idbody + 4, h->cred->id, idlen);
	if (ike_prf(h->keys.prf, h->keys.sk_pi, h->keys.prf_len, idbody, 4 + idlen, mac) < 0)
		goto out;
	buf_add(&octets, h->init_req.p, h->init_req.len);
	buf_add(&octets, h->nr, h->nrlen);
	buf_add(&octets, mac, h->keys.prf_len);
	if (octets.err || auth_sign(h->cred->key, 1u << HASH_SHA256, octets.p, octets.len, &method, &sig) < 0)
		goto out;
	ikeb_simple(&in, PL_IDI, idh, 4, h->cred->id, idlen);
	ikeb_simple(&in, PL_CERT, &enc, 1, h->cred->der, h->cred->derlen);
	uint8_t ah[4] = { method, 0, 0, 0 };
	ikeb_simple(&in, PL_AUTH, ah, 4, sig.p, sig.len);
	ikeb_simple(&in, PL_CP, cph, 4, cpa, sizeof(cpa));
	struct ike_proposal esp = { .num = 1, .proto = PROTO_ESP, .spisize = 4, .ntrans = 2,
				    .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_ESN, 0, 0 } } };
	if (RAND_bytes(esp.spi, 4) != 1)
		goto out;
	ikeb_proposal(&in, &esp);
	struct ike_ts any = { .type = TS_IPV4_ADDR_RANGE, .proto = 0, .sport = 0, .eport = 65535,
			      .saddr = 0, .eaddr = 0xffffffffu };
	ikeb_ts(&in, PL_TSI, &any, 1);
	ikeb_ts(&in, PL_TSR, &any, 1);
	if (in.b.err)
		goto out;
	ikeb_header(&out, h->spi_i, h->spi_r, EXCH_IKE_AUTH, HDR_F_INITIATOR, 1);
	ikeb_begin(&out, PL_SK);
	if (out.b.err)
		goto out;
	out.b.p[IKE_HDR_LEN] = in.first_np;
	if (ike_sk_seal(&h->keys, 0, &out.b, out.b.len, in.b.p, in.b.len) < 0)
		goto out;
	buf_free(&h->last_req);
	buf_add(&h->last_req, "\0\0\0\0", 4); /* non-ESP marker (RFC 3948) */
	buf_add(&h->last_req, out.b.p, out.b.len);
	rc = h->last_req.err ? -1 : 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_free(&octets);
	buf_free(&sig);
	ikeb_free(&in);
	ikeb_free(&out);
	return rc;
}

static int input_init(struct hs *h, const struct ike_msg *m)
{
	const struct ike_payload *pke = ike_find(m, PL_KE), *pn = ike_find(m, PL_NONCE);
	const uint8_t *ke;
	size_t kelen, glen = 0;
	uint16_t group;
	uint8_t gir[512], skeyseed[IKE_MAX_KEY];
	int rc = -1;

	if (m->hdr.exch != EXCH_IKE_SA_INIT || m->hdr.msgid != 0)
		return 0; /* not for this step: ignore */
	if (error_notify(h, m))
		return -1;
	if (!pke || !pn || pn->len < 16 || pn->len > sizeof(h->nr) ||
	    ike_parse_ke(pke->body, pke->len, &group, &ke, &kelen) < 0 || group != GROUP)
		return fail(h, "IKE_SA_INIT response without KE/Nr");
	memcpy(h->spi_r, m->hdr.spi_r, 8);
	memcpy(h->nr, pn->body, pn->len);
	h->nrlen = pn->len;
	glen = sizeof(gir);
	if (dh_derive(h->dh, ke, kelen, gir, &glen) < 0 ||
	    ike_skeyseed(ike_choice.prf, h->ni, sizeof(h->ni), h->nr, h->nrlen, gir, glen, skeyseed) < 0 ||
	    ike_derive_keys(&ike_choice, skeyseed, h->ni, sizeof(h->ni), h->nr, h->nrlen, h->spi_i, h->spi_r,
			    &h->keys) < 0) {
		fail(h, "key derivation");
		goto out;
	}
	buf_add(&h->init_resp, m->raw, m->rawlen);
	if (h->init_resp.err || build_auth(h) < 0) {
		fail(h, "building IKE_AUTH");
		goto out;
	}
	dh_free(h->dh);
	h->dh = NULL;
	h->state = HS_AUTH_SENT;
	h->tries = 0;
	rc = 0;
out:
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

static int input_auth(struct hs *h, const struct ike_msg *m, EVP_PKEY *server_pub)
{
	const struct ike_payload *sk = ike_find(m, PL_SK);
	struct ike_msg *inner = malloc(sizeof(*inner));
	struct buf plain, octets;
	const uint8_t *authd;
	size_t authl;
	uint8_t method, mac[IKE_MAX_KEY];
	int rc = -1;

	buf_init(&plain);
	buf_init(&octets);
	if (!inner)
		return fail(h, "out of memory");
	if (m->hdr.exch != EXCH_IKE_AUTH || m->hdr.msgid != 1 || !sk) {
		rc = 0; /* e.g. a late IKE_SA_INIT retransmission: ignore */
		goto out;
	}
	memset(inner, 0, sizeof(*inner));
	if (ike_sk_open(&h->keys, 0, m->raw, m->rawlen, (size_t)(sk->body - m->raw), &plain) < 0 ||
	    ike_parse_chain(sk->np, plain.p, plain.len, inner) < 0) {
		fail(h, "IKE_AUTH response does not decrypt");
		goto out;
	}
	if (error_notify(h, inner))
		goto out;
	const struct ike_payload *pid = ike_find(inner, PL_IDR), *pauth = ike_find(inner, PL_AUTH);
	if (!pid || !pauth || !ike_find(inner, PL_SA) || !ike_find(inner, PL_TSI) ||
	    ike_parse_auth(pauth->body, pauth->len, &method, &authd, &authl) < 0) {
		fail(h, "IKE_AUTH response lacks IDr/AUTH/SA/TSi");
		goto out;
	}
	/* ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, IDr') */
	if (ike_prf(h->keys.prf, h->keys.sk_pr, h->keys.prf_len, pid->body, pid->len, mac) < 0)
		goto out;
	buf_add(&octets, h->init_resp.p, h->init_resp.len);
	buf_add(&octets, h->ni, sizeof(h->ni));
	buf_add(&octets, mac, h->keys.prf_len);
	if (octets.err || auth_verify(server_pub, method, authd, authl, octets.p, octets.len) < 0) {
		fail(h, "responder AUTH does not verify");
		goto out;
	}
	h->state = HS_DONE;
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_free(&plain);
	buf_free(&octets);
	free(inner);
	return rc;
}

int hs_input(struct hs *h, const uint8_t *pkt, size_t len, EVP_PKEY *server_pub)
{
	struct ike_msg *m = malloc(sizeof(*m));
	int rc = 0;

	if (!m)
		return fail(h, "out of memory");
	if (ike_parse(pkt, len, m) < 0 || !(m->hdr.flags & HDR_F_RESPONSE))
		goto out; /* garbage is ignored, like a lost packet */
	if (h->state == HS_INIT_SENT)
		rc = input_init(h, m);
	else if (h->state == HS_AUTH_SENT)
		rc = input_auth(h, m, server_pub);
out:
	free(m);
	return rc;
}

void hs_free(struct hs *h)
{
	dh_free(h->dh);
	h->dh = NULL;
	buf_free(&h->init_req);
	buf_free(&h->init_resp);
	buf_free(&h->last_req);
	ike_keys_wipe(&h->keys);
}
