/* ikemangle_wire.c - see ikemangle_wire.h.  Everything is built by hand
 * here (not with vpnd's builder) because the point is to write what a
 * correct builder never would. */
#include "ikemangle_wire.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/vpnd/auth.h"
#include "../../src/vpnd/proposal.h"

void pl_init(struct plist *l) { memset(l, 0, sizeof(*l)); }

void pl_free(struct plist *l)
{
	for (int i = 0; i < l->n; i++)
		buf_free(&l->p[i].body);
	l->n = 0;
}

int pl_add(struct plist *l, uint8_t type, const void *hdr, size_t hlen, const void *data, size_t dlen)
{
	if (l->n >= PL_MAX)
		return -1;
	struct wpl *p = &l->p[l->n];
	memset(p, 0, sizeof(*p));
	p->type = type;
	buf_init(&p->body);
	if (hlen)
		buf_add(&p->body, hdr, hlen);
	if (dlen)
		buf_add(&p->body, data, dlen);
	return p->body.err ? -1 : l->n++;
}

int pl_find(const struct plist *l, uint8_t type)
{
	for (int i = 0; i < l->n; i++)
		if (l->p[i].type == type)
			return i;
	return -1;
}

uint8_t pl_chain(const struct plist *l, struct buf *out)
{
	for (int i = 0; i < l->n; i++) {
		const struct wpl *p = &l->p[i];
		long len = 4 + (long)p->body.len + p->dlen;
		buf_u8(out, i + 1 < l->n ? l->p[i + 1].type : PL_NONE);
		buf_u8(out, p->flags);
		buf_u16(out, (uint16_t)len);
		buf_add(out, p->body.p, p->body.len);
	}
	return l->n ? l->p[0].type : PL_NONE;
}

static void header(const struct whdr *h, uint8_t np, struct buf *out)
{
	buf_add(out, h->spi_i, 8);
	buf_add(out, h->spi_r, 8);
	buf_u8(out, np);
	buf_u8(out, h->version);
	buf_u8(out, h->exch);
	buf_u8(out, h->flags);
	buf_u32(out, h->msgid);
	buf_u32(out, 0);
}

int msg_plain(const struct whdr *h, const struct plist *l, struct buf *out)
{
	struct buf chain;
	buf_init(&chain);
	uint8_t np = pl_chain(l, &chain);
	header(h, np, out);
	buf_add(out, chain.p, chain.len);
	buf_free(&chain);
	if (!out->err)
		buf_put32(out, 24, (uint32_t)((long)out->len + h->hdr_dlen));
	return out->err ? -1 : 0;
}

int msg_sk(const struct whdr *h, const struct ike_keys *k, const struct plist *l, struct buf *out,
	   uint8_t *first, struct buf *inner)
{
	*first = pl_chain(l, inner);
	header(h, PL_SK, out);
	/* SK generic header: its next payload is the first inner one */
	buf_u8(out, *first);
	buf_u8(out, 0);
	buf_u16(out, 0);
	if (out->err || inner->err || ike_sk_seal(k, 0, out, out->len, inner->p, inner->len) < 0)
		return -1;
	if (h->hdr_dlen)
		buf_put32(out, 24, (uint32_t)((long)out->len + h->hdr_dlen));
	return out->err ? -1 : 0;
}

int msg_skf(const struct whdr *h, const struct ike_keys *k, uint16_t num, uint16_t total, uint8_t first,
	    const uint8_t *piece, size_t len, struct buf *out)
{
	header(h, PL_SKF, out);
	buf_u8(out, first);
	buf_u8(out, 0);
	buf_u16(out, 0);
	buf_u16(out, num);
	buf_u16(out, total);
	if (out->err || ike_sk_seal(k, 0, out, out->len, piece, len) < 0)
		return -1;
	return 0;
}

int init_frag_ok(struct plist *l)
{
	uint8_t nh[4] = { 0, 0, N_IKEV2_FRAGMENTATION_SUPPORTED >> 8, N_IKEV2_FRAGMENTATION_SUPPORTED & 0xff };
	return pl_add(l, PL_NOTIFY, nh, 4, NULL, 0) < 0 ? -1 : 0;
}

void sess_new(struct sess *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->init_req);
	buf_init(&s->init_resp);
	RAND_bytes(s->spi_i, 8);
	RAND_bytes(s->ni, sizeof(s->ni));
	s->spi_i[0] |= 0x80; /* never all zero */
}

void sess_free(struct sess *s)
{
	buf_free(&s->init_req);
	buf_free(&s->init_resp);
	ike_keys_wipe(&s->keys);
}

/* A one-proposal SA payload body, via vpnd's builder (the SA itself is
 * not what these cases mangle). */
static int add_sa(struct plist *l, const struct ike_proposal *p)
{
	struct ike_builder b;
	int rc;
	ikeb_init(&b);
	ikeb_proposal(&b, p);
	rc = b.b.err ? -1 : pl_add(l, PL_SA, NULL, 0, b.b.p + 4, b.b.len - 4);
	ikeb_free(&b);
	return rc;
}

int init_payloads(struct sess *s, struct plist *l, uint16_t prop_group, uint16_t ke_group,
		  const uint8_t *ke, size_t kelen, struct dh **dh)
{
	struct ike_proposal p = { .num = 1, .proto = PROTO_IKE, .ntrans = 3,
				  .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_PRF, 5, 0 }, { TT_DH, prop_group, 0 } } };
	uint8_t kh[4] = { (uint8_t)(ke_group >> 8), (uint8_t)ke_group, 0, 0 }, pub[512];
	uint8_t nh[4] = { 0, 0, N_SIGNATURE_HASH_ALGORITHMS >> 8, N_SIGNATURE_HASH_ALGORITHMS & 0xff };
	uint8_t hs[2] = { 0, HASH_SHA256 };

	if (!ke) {
		*dh = dh_new(ke_group);
		kelen = dh_public_len(ke_group);
		if (!*dh || dh_public(*dh, pub, sizeof(pub)) < 0)
			return -1;
		ke = pub;
	}
	if (add_sa(l, &p) < 0 || pl_add(l, PL_KE, kh, 4, ke, kelen) < 0 ||
	    pl_add(l, PL_NONCE, NULL, 0, s->ni, sizeof(s->ni)) < 0 ||
	    pl_add(l, PL_NOTIFY, nh, 4, hs, sizeof(hs)) < 0)
		return -1;
	return 0;
}

int sess_keys(struct sess *s, struct dh *dh, const uint8_t *resp, size_t len)
{
	static const struct sa_choice ch = { .proto = PROTO_IKE, .encr = ENCR_AES_GCM16, .encr_keylen = 256,
					     .prf = 5, .integ = 0, .dh = 19 };
	struct ike_msg *m = calloc(1, sizeof(*m));
	uint8_t gir[512], skeyseed[IKE_MAX_KEY];
	size_t glen = sizeof(gir), kelen;
	const uint8_t *ke;
	uint16_t group;
	int rc = -1;

	if (!m || !dh || ike_parse(resp, len, m) < 0)
		goto out;
	const struct ike_payload *pke = ike_find(m, PL_KE), *pn = ike_find(m, PL_NONCE);
	if (!pke || !pn || pn->len > sizeof(s->nr) || ike_parse_ke(pke->body, pke->len, &group, &ke, &kelen) < 0 ||
	    group != 19)
		goto out;
	memcpy(s->spi_r, m->hdr.spi_r, 8);
	memcpy(s->nr, pn->body, pn->len);
	s->nrlen = pn->len;
	if (dh_derive(dh, ke, kelen, gir, &glen) < 0 ||
	    ike_skeyseed(ch.prf, s->ni, sizeof(s->ni), s->nr, s->nrlen, gir, glen, skeyseed) < 0 ||
	    ike_derive_keys(&ch, skeyseed, s->ni, sizeof(s->ni), s->nr, s->nrlen, s->spi_i, s->spi_r, &s->keys) < 0)
		goto out;
	buf_add(&s->init_resp, resp, len);
	s->have_keys = !s->init_resp.err;
	rc = s->have_keys ? 0 : -1;
out:
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	free(m);
	return rc;
}

int auth_payloads(struct sess *s, const struct cred *c, struct plist *l)
{
	uint8_t idh[4] = { ID_RFC822, 0, 0, 0 }, enc = CERT_X509_SIG, mac[IKE_MAX_KEY], method;
	uint8_t cph[4] = { CFG_REQUEST, 0, 0, 0 }, cpa[4] = { 0, CA_INTERNAL_IP4_ADDRESS, 0, 0 };
	uint8_t nt[4] = { 0, 0, N_ESP_TFC_PADDING_NOT_SUPPORTED >> 8, N_ESP_TFC_PADDING_NOT_SUPPORTED & 0xff };
	size_t idlen = strlen(c->id);
	struct buf octets, sig, idb;
	int rc = -1;

	buf_init(&octets);
	buf_init(&sig);
	buf_init(&idb);
	/* InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, IDi') */
	buf_add(&idb, idh, 4);
	buf_add(&idb, c->id, idlen);
	if (idb.err || ike_prf(s->keys.prf, s->keys.sk_pi, s->keys.prf_len, idb.p, idb.len, mac) < 0)
		goto out;
	buf_add(&octets, s->init_req.p, s->init_req.len);
	buf_add(&octets, s->nr, s->nrlen);
	buf_add(&octets, mac, s->keys.prf_len);
	if (octets.err || auth_sign(c->key, 1u << HASH_SHA256, octets.p, octets.len, &method, &sig) < 0)
		goto out;
	uint8_t ah[4] = { method, 0, 0, 0 };
	struct ike_proposal esp = { .num = 1, .proto = PROTO_ESP, .spisize = 4, .ntrans = 2,
				    .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_ESN, 0, 0 } } };
	RAND_bytes(esp.spi, 4);
	esp.spi[0] |= 0x40;
	s->esp_spi = get32(esp.spi);
	struct ike_ts any = { .type = TS_IPV4_ADDR_RANGE, .proto = 0, .sport = 0, .eport = 65535,
			      .saddr = 0, .eaddr = 0xffffffffu };
	struct ike_builder ts;
	ikeb_init(&ts);
	ikeb_ts(&ts, PL_TSI, &any, 1);
	if (ts.b.err || pl_add(l, PL_IDI, idh, 4, c->id, idlen) < 0 || pl_add(l, PL_CERT, &enc, 1, c->der, c->derlen) < 0 ||
	    pl_add(l, PL_AUTH, ah, 4, sig.p, sig.len) < 0 || pl_add(l, PL_CP, cph, 4, cpa, sizeof(cpa)) < 0 ||
	    add_sa(l, &esp) < 0 || pl_add(l, PL_TSI, NULL, 0, ts.b.p + 4, ts.b.len - 4) < 0 ||
	    pl_add(l, PL_TSR, NULL, 0, ts.b.p + 4, ts.b.len - 4) < 0 || pl_add(l, PL_NOTIFY, nt, 4, NULL, 0) < 0) {
		ikeb_free(&ts);
		goto out;
	}
	ikeb_free(&ts);
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_free(&octets);
	buf_free(&sig);
	buf_free(&idb);
	return rc;
}

int auth_check(const struct sess *s, const struct cred *c, const struct ike_msg *inner)
{
	const struct ike_payload *pid = ike_find(inner, PL_IDR), *pauth = ike_find(inner, PL_AUTH);
	uint8_t mac[IKE_MAX_KEY], method;
	const uint8_t *d;
	size_t dl;
	struct buf octets;
	int rc = -1;

	if (!pid || !pauth || ike_parse_auth(pauth->body, pauth->len, &method, &d, &dl) < 0)
		return -1;
	buf_init(&octets);
	/* ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, IDr') */
	if (ike_prf(s->keys.prf, s->keys.sk_pr, s->keys.prf_len, pid->body, pid->len, mac) < 0)
		goto out;
	buf_add(&octets, s->init_resp.p, s->init_resp.len);
	buf_add(&octets, s->ni, sizeof(s->ni));
	buf_add(&octets, mac, s->keys.prf_len);
	if (!octets.err && auth_verify(c->server_pub, method, d, dl, octets.p, octets.len) == 0)
		rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	buf_free(&octets);
	return rc;
}
