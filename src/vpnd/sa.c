/* sa.c - the IKE SA table and the responder state machine: IKE_SA_INIT,
 * IKE_AUTH (one CHILD_SA), INFORMATIONAL (Delete, liveness), the
 * retransmission cache and IKE fragmentation (RFC 7383).  One dispatch
 * function per message source: requests from the peer (handle_request)
 * and responses to our own requests (handle_response). */
#include "sa.h"
#include "sa_int.h"
#include "lifetime.h"
#include "cfg_payload.h"
#include "dh.h"
#include "log.h"
#include "ts.h"
#include "xfrm.h"
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESP_FLAGS HDR_F_RESPONSE /* we are the original responder: I flag never set */

static void ip_str(uint32_t ip, char *out, size_t len)
{
	struct in_addr a = { htonl(ip) };
	inet_ntop(AF_INET, &a, out, (socklen_t)len);
}

/* ---- table ---- */

/* hash lookups (sa_table.c): no walk over every SA per packet */
static struct ike_sa *sa_find_r(struct vpnd *v, const uint8_t *spi_i, const uint8_t *spi_r)
{
	return sa_lookup_r(v, spi_i, spi_r);
}

static struct ike_sa *sa_find_init(struct vpnd *v, const uint8_t *spi_i, uint32_t ip, uint16_t port)
{
	return sa_lookup_init(v, spi_i, ip, port);
}

static void sa_clear_frags(struct ike_sa *sa)
{
	for (int i = 0; i < SA_MAX_FRAGS; i++)
		buf_free(&sa->frag[i]);
	sa->frag_have = 0;
	sa->frag_total = 0;
}

static void sa_clear_last(struct ike_sa *sa)
{
	for (int i = 0; i < SA_MAX_FRAGS; i++)
		buf_free(&sa->last[i]);
	sa->nlast = 0;
}

static void sa_free(struct vpnd *v, struct ike_sa *sa)
{
	sa_unlink(v, sa);
	ike_keys_wipe(&sa->keys);
	buf_free(&sa->init_req);
	buf_free(&sa->init_resp);
	sa_clear_last(sa);
	sa_clear_frags(sa);
	buf_free(&sa->dpd_req);
	lifetime_sa_free(v, sa);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

/* ---- sending ---- */

void sa_send_raw(struct vpnd *v, struct ike_sa *sa, const struct buf *b)
{
	net_send(v, sa->natt, sa->local_ip, sa->peer_ip, sa->peer_port, b->p, b->len);
}

static void resend_cached(struct vpnd *v, struct ike_sa *sa)
{
	for (int i = 0; i < sa->nlast; i++)
		sa_send_raw(v, sa, &sa->last[i]);
}

/* Encrypt the inner payload chain into one SK message, or into SKF
 * fragments when the peer supports them and the message is too big;
 * responses are cached for retransmissions. */
int send_encrypted(struct vpnd *v, struct ike_sa *sa, uint8_t exch, int response,
			  uint32_t msgid, struct ike_builder *inner)
{
	struct buf out[SA_MAX_FRAGS];
	int n = 0, rc = -1;
	uint8_t flags = response ? RESP_FLAGS : 0;
	size_t overhead = IKE_HDR_LEN + 4 + 16 + 32 + 16 + 1;

	if (inner->b.err)
		return -1;
	memset(out, 0, sizeof(out));
	if (sa->frag_ok && inner->b.len + overhead > v->cfg.fragment_size) {
		size_t chunk = v->cfg.fragment_size - overhead - 4;
		size_t total = (inner->b.len + chunk - 1) / chunk;
		if (total > SA_MAX_FRAGS)
			goto out;
		for (size_t i = 0; i < total; i++) {
			struct ike_builder h;
			ikeb_init(&h);
			ikeb_header(&h, sa->spi_i, sa->spi_r, exch, flags, msgid);
			ikeb_begin(&h, PL_SKF);
			if (!h.b.err)
				h.b.p[IKE_HDR_LEN] = i == 0 ? inner->first_np : PL_NONE;
			buf_u16(&h.b, (uint16_t)(i + 1));
			buf_u16(&h.b, (uint16_t)total);
			size_t off = i * chunk, l = inner->b.len - off < chunk ? inner->b.len - off : chunk;
			if (h.b.err || ike_sk_seal(&sa->keys, 1, &h.b, h.b.len, inner->b.p + off, l) < 0) {
				ikeb_free(&h);
				goto out;
			}
			out[n++] = h.b;
		}
	} else {
		struct ike_builder h;
		ikeb_init(&h);
		ikeb_header(&h, sa->spi_i, sa->spi_r, exch, flags, msgid);
		ikeb_begin(&h, PL_SK);
		if (!h.b.err)
			h.b.p[IKE_HDR_LEN] = inner->first_np;
		if (h.b.err || ike_sk_seal(&sa->keys, 1, &h.b, h.b.len, inner->b.p, inner->b.len) < 0) {
			ikeb_free(&h);
			goto out;
		}
		out[n++] = h.b;
	}
	for (int i = 0; i < n; i++)
		sa_send_raw(v, sa, &out[i]);
	if (!response && n == 1) {
		buf_free(&sa->dpd_req); /* our latest request, for retransmissions */
		sa->dpd_req = out[0];
		n = 0;
	}
	if (response) {
		sa_clear_last(sa);
		for (int i = 0; i < n; i++)
			sa->last[i] = out[i];
		sa->nlast = n;
		sa->have_last = 1;
		sa->last_msgid = msgid;
		n = 0;
	}
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		buf_free(&out[i]);
	return rc;
}

int sa_request(struct vpnd *v, struct ike_sa *sa, uint8_t exch, enum sa_req kind, struct ike_builder *inner)
{
	time_t now = time(NULL);
	uint32_t id = sa->our_msgid;

	if (send_encrypted(v, sa, exch, 0, id, inner) < 0)
		return -1;
	sa->our_msgid++;
	sa->dpd_pending = 1;
	sa->dpd_msgid = id;
	sa->req_kind = kind;
	sa->dpd_started = now;
	sa->dpd_next = now + 2;
	return 0;
}

/* An unencrypted IKE_SA_INIT response carrying one notify (no state kept). */
static void send_init_notify(struct vpnd *v, const struct ike_hdr *h, uint32_t local, uint32_t peer,
			     uint16_t port, int natt, uint16_t type, const void *data, size_t dlen)
{
	struct ike_builder b;
	static const uint8_t zero[8];

	ikeb_init(&b);
	ikeb_header(&b, h->spi_i, zero, EXCH_IKE_SA_INIT, RESP_FLAGS, h->msgid);
	ikeb_notify(&b, 0, type, NULL, 0, data, dlen);
	ikeb_finish(&b);
	if (!b.b.err)
		net_send(v, natt, local, peer, port, b.b.p, b.b.len);
	ikeb_free(&b);
}

static void outer_str(const struct ike_sa *sa, char *out, size_t len)
{
	char ip[INET_ADDRSTRLEN];
	ip_str(sa->peer_ip, ip, sizeof(ip));
	snprintf(out, len, "%s:%u", ip, sa->peer_port);
}

static void log_auth_failed(struct vpnd *v, uint32_t ip, uint16_t port, const char *reason,
			    const char *id, const char *serial, const char *detail)
{
	char ips[INET_ADDRSTRLEN], idq[300], dq[300], extra[700] = "";
	ip_str(ip, ips, sizeof(ips));
	v->n_auth_failed++;
	if (id && *id) {
		log_value(idq, sizeof(idq), id);
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " id=%s", idq);
	}
	if (serial && *serial)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " serial=%s", serial);
	if (detail && *detail) {
		log_value(dq, sizeof(dq), detail);
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " detail=%s", dq);
	}
	log_event("auth_failed", "outer=%s:%u reason=%s%s", ips, port, reason, extra);
}

/* ---- NAT detection (RFC 7296 2.23) ---- */

static void nat_hash(const uint8_t *spi_i, const uint8_t *spi_r, uint32_t ip, uint16_t port, uint8_t *out)
{
	uint8_t d[8 + 8 + 4 + 2];
	memcpy(d, spi_i, 8);
	memcpy(d + 8, spi_r, 8);
	put32(d + 16, ip);
	put16(d + 20, port);
	SHA1(d, sizeof(d), out);
}

/* ---- IKE_SA_INIT ---- */

/* Cookie = version | SHA-256(Ni | IPi | SPIi | secret[version]); the secret
 * rotates every 2 minutes and the previous one stays valid. */
static void make_cookie(struct vpnd *v, uint8_t version, const uint8_t *ni, size_t nilen, uint32_t ip,
			const uint8_t *spi_i, uint8_t *out)
{
	uint8_t d[256 + 4 + 8 + 32];
	size_t n = 0;
	memcpy(d, ni, nilen);
	n += nilen;
	put32(d + n, ip);
	n += 4;
	memcpy(d + n, spi_i, 8);
	n += 8;
	memcpy(d + n, v->cookie_secret[version & 1], 32);
	n += 32;
	out[0] = version;
	SHA256(d, n, out + 1);
	OPENSSL_cleanse(d, sizeof(d));
}

/* max_half_open reached and a cookie-verified IKE_SA_INIT waits: the oldest
 * half-open SA goes (established SAs are never on that list). */
static void evict_oldest_half_open(struct vpnd *v, time_t now)
{
	struct ike_sa *old = sa_oldest_half_open(v);
	if (!old)
		return;
	v->n_half_open_evicted++;
	if (now - v->evict_warned >= 60) {
		LOGW("max_half_open (%u) reached: oldest half-open IKE SAs evicted (%lu so far)",
		     v->cfg.max_half_open, v->n_half_open_evicted);
		v->evict_warned = now;
	}
	sa_free(v, old);
}

/* 0: go on; 1: answered with a COOKIE request or dropped (no state, no DH). */
static int cookie_gate(struct vpnd *v, const struct ike_msg *m, const struct ike_payload *pn, uint32_t src,
		       uint16_t sport, uint32_t dst, int natt)
{
	/* O(1) counts kept by sa_table.c */
	unsigned half = v->tab.half_open, from_ip = sa_half_open_from(v, src), total = v->tab.total;
	time_t now = time(NULL);

	if (total >= v->cfg.max_ike_sas) {
		v->n_init_dropped_cap++;
		if (now - v->cap_warned >= 60) {
			LOGW("max_ike_sas (%u) reached: IKE_SA_INIT requests dropped (%lu so far)",
			     v->cfg.max_ike_sas, v->n_init_dropped_cap);
			v->cap_warned = now;
		}
		return 1;
	}
	if (from_ip >= v->cfg.half_open_per_ip) {
		v->n_init_dropped_ip++;
		LOGD("too many half-open IKE SAs from one address: dropped");
		return 1;
	}
	/* at max_half_open a cookie is always asked for: only a source that
	 * receives our answers may evict a half-open SA */
	if (half < v->cfg.cookie_threshold && half < v->cfg.max_half_open)
		return 0;
	if (!v->cookie_rotated || now - v->cookie_rotated > 120) {
		v->cookie_version++;
		if (RAND_bytes(v->cookie_secret[v->cookie_version & 1], 32) != 1)
			return 1;
		v->cookie_rotated = now;
	}
	uint8_t want[33];
	struct ike_notify nt;
	/* a cookie must be the first payload (RFC 7296 2.6) */
	if (m->npl > 0 && m->pl[0].type == PL_NOTIFY && ike_parse_notify(m->pl[0].body, m->pl[0].len, &nt) == 0 &&
	    nt.type == N_COOKIE && nt.datalen == sizeof(want)) {
		uint8_t ver = nt.data[0];
		if (ver == v->cookie_version || ver == (uint8_t)(v->cookie_version - 1)) {
			make_cookie(v, ver, pn->body, pn->len, src, m->hdr.spi_i, want);
			if (!CRYPTO_memcmp(want, nt.data, sizeof(want))) {
				if (half >= v->cfg.max_half_open)
					evict_oldest_half_open(v, now);
				return 0;
			}
		}
	}
	make_cookie(v, v->cookie_version, pn->body, pn->len, src, m->hdr.spi_i, want);
	v->n_cookies_sent++;
	send_init_notify(v, &m->hdr, dst, src, sport, natt, N_COOKIE, want, sizeof(want));
	return 1;
}

static void handle_init(struct vpnd *v, const struct ike_msg *m, uint32_t src, uint16_t sport,
			uint32_t dst, uint16_t dport, int natt)
{
	struct ike_proposal *props = NULL;
	const struct ike_payload *psa = ike_find(m, PL_SA), *pke = ike_find(m, PL_KE),
				 *pn = ike_find(m, PL_NONCE);
	struct sa_choice ch;
	struct ike_notify nt;
	struct ike_sa *sa = NULL;
	struct dh *dh = NULL;
	const uint8_t *ke;
	size_t kelen, slen;
	uint16_t group, want = 0;
	uint8_t gir[512], skeyseed[IKE_MAX_KEY], kebuf[512], h[SHA_DIGEST_LENGTH];
	static const uint8_t zero[8];
	int nprops;

	if (m->bad_major) {
		/* RFC 7296 2.5: drop it, and name the version we speak (in the
		 * response header); never more bytes out than came in */
		if (m->rawlen >= IKE_HDR_LEN + 8)
			send_init_notify(v, &m->hdr, dst, src, sport, natt, N_INVALID_MAJOR_VERSION, NULL, 0);
		return;
	}
	if (m->hdr.msgid != 0 || memcmp(m->hdr.spi_r, zero, 8) != 0)
		return;
	if ((sa = sa_find_init(v, m->hdr.spi_i, src, sport))) {
		/* retransmitted IKE_SA_INIT: the same response, byte for byte */
		net_send(v, natt, dst, src, sport, sa->init_resp.p, sa->init_resp.len);
		return;
	}
	if (m->bad_critical) {
		uint8_t t = m->bad_critical;
		send_init_notify(v, &m->hdr, dst, src, sport, natt, N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
		return;
	}
	/* A syntax error in IKE_SA_INIT is dropped: INVALID_SYNTAX may only
	 * be sent in an encrypted message (RFC 7296 3.10.1).  One SA, KE and
	 * Nonce each: a second one is a syntax error, not something to pick from. */
	if (!psa || !pke || !pn || ike_count(m, PL_SA) > 1 || ike_count(m, PL_KE) > 1 ||
	    ike_count(m, PL_NONCE) > 1) {
		LOGD("IKE_SA_INIT without exactly one SA, KE and Nonce: dropped");
		return;
	}
	if (cookie_gate(v, m, pn, src, sport, dst, natt))
		return;
	props = malloc(sizeof(*props) * IKE_MAX_PROPOSALS);
	if (!props || ike_parse_sa(psa->body, psa->len, props, IKE_MAX_PROPOSALS, &nprops) < 0 ||
	    ike_parse_ke(pke->body, pke->len, &group, &ke, &kelen) < 0)
		goto out;
	int r = proposal_select(props, nprops, PROTO_IKE, v->cfg.legacy_windows, group, &ch, &want);
	if (r == PROP_NONE) {
		send_init_notify(v, &m->hdr, dst, src, sport, natt, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		log_auth_failed(v, src, sport, "no_proposal", NULL, NULL, "IKE proposal");
		goto out;
	}
	if (r == PROP_BAD_KE) {
		uint8_t g[2];
		put16(g, want);
		send_init_notify(v, &m->hdr, dst, src, sport, natt, N_INVALID_KE_PAYLOAD, g, 2);
		goto out;
	}
	/* RFC 6989: a public value that fails the checks is refused, before
	 * any key is generated; dropped, like any syntax error here */
	if (kelen != dh_public_len(group) || dh_check_peer(group, ke, kelen) < 0) {
		LOGD("IKE_SA_INIT with an invalid KE for group %u: dropped", group);
		goto out;
	}
	sa = calloc(1, sizeof(*sa));
	dh = dh_new(group);
	if (!sa || !dh)
		goto out;
	buf_init(&sa->init_req);
	buf_init(&sa->init_resp);
	memcpy(sa->spi_i, m->hdr.spi_i, 8);
	do {
		if (RAND_bytes(sa->spi_r, 8) != 1)
			goto out;
	} while (!memcmp(sa->spi_r, zero, 8));
	sa->state = SA_HALF_OPEN;
	sa->peer_ip = src;
	sa->peer_port = sport;
	sa->local_ip = dst;
	sa->natt = natt;
	sa->prop = ch;
	sa->created = sa->last_seen = time(NULL);
	sa->nilen = pn->len;
	memcpy(sa->ni, pn->body, pn->len);
	sa->nrlen = 32;
	if (RAND_bytes(sa->nr, 32) != 1)
		goto out;
	slen = sizeof(gir);
	if (dh_derive(dh, ke, kelen, gir, &slen) < 0)
		goto out; /* checked above; X25519's all-zero secret is caught here */
	if (dh_public(dh, kebuf, sizeof(kebuf)) < 0 ||
	    ike_skeyseed(ch.prf, sa->ni, sa->nilen, sa->nr, sa->nrlen, gir, slen, skeyseed) < 0 ||
	    ike_derive_keys(&ch, skeyseed, sa->ni, sa->nilen, sa->nr, sa->nrlen, sa->spi_i,
			    sa->spi_r, &sa->keys) < 0)
		goto out;
	proposal_keyword(&ch, sa->ike_kw, sizeof(sa->ike_kw));

	/* NAT detection: any matching hash means "no NAT" on that side */
	int src_seen = 0, src_match = 0, dst_seen = 0, dst_match = 0;
	for (int i = 0; i < m->npl; i++) {
		if (m->pl[i].type != PL_NOTIFY || ike_parse_notify(m->pl[i].body, m->pl[i].len, &nt) < 0)
			continue;
		if (nt.type == N_NAT_DETECTION_SOURCE_IP && nt.datalen == SHA_DIGEST_LENGTH) {
			src_seen = 1;
			nat_hash(sa->spi_i, zero, src, sport, h);
			src_match |= !CRYPTO_memcmp(h, nt.data, sizeof(h));
		} else if (nt.type == N_NAT_DETECTION_DESTINATION_IP && nt.datalen == SHA_DIGEST_LENGTH) {
			dst_seen = 1;
			nat_hash(sa->spi_i, zero, dst, dport, h);
			dst_match |= !CRYPTO_memcmp(h, nt.data, sizeof(h));
		} else if (nt.type == N_IKEV2_FRAGMENTATION_SUPPORTED) {
			sa->frag_ok = 1;
		} else if (nt.type == N_SIGNATURE_HASH_ALGORITHMS) {
			for (size_t j = 0; j + 1 < nt.datalen; j += 2) {
				uint16_t ha = get16(nt.data + j);
				if (ha >= HASH_SHA1 && ha <= HASH_SHA512)
					sa->hashes |= 1u << ha;
			}
		}
	}
	sa->nat_seen = src_seen && dst_seen;
	sa->nat_peer = src_seen && !src_match;
	sa->nat_local = dst_seen && !dst_match;

	/* response */
	struct ike_builder b;
	struct ike_proposal rp;
	uint8_t kh[4];
	ikeb_init(&b);
	ikeb_header(&b, sa->spi_i, sa->spi_r, EXCH_IKE_SA_INIT, RESP_FLAGS, 0);
	proposal_to_wire(&ch, &rp);
	ikeb_proposal(&b, &rp);
	put16(kh, group);
	put16(kh + 2, 0);
	ikeb_simple(&b, PL_KE, kh, 4, kebuf, dh_public_len(group));
	ikeb_simple(&b, PL_NONCE, NULL, 0, sa->nr, sa->nrlen);
	if (sa->nat_seen) {
		nat_hash(sa->spi_i, sa->spi_r, dst, dport, h);
		ikeb_notify(&b, 0, N_NAT_DETECTION_SOURCE_IP, NULL, 0, h, sizeof(h));
		nat_hash(sa->spi_i, sa->spi_r, src, sport, h);
		ikeb_notify(&b, 0, N_NAT_DETECTION_DESTINATION_IP, NULL, 0, h, sizeof(h));
	}
	uint8_t ct = CERT_X509_SIG;
	ikeb_simple(&b, PL_CERTREQ, &ct, 1, v->auth.ca_keyid, sizeof(v->auth.ca_keyid));
	if (sa->frag_ok)
		ikeb_notify(&b, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0, NULL, 0);
	{
		uint8_t hs[8];
		put16(hs, HASH_SHA256); put16(hs + 2, HASH_SHA384); put16(hs + 4, HASH_SHA512); put16(hs + 6, HASH_SHA1);
		ikeb_notify(&b, 0, N_SIGNATURE_HASH_ALGORITHMS, NULL, 0, hs, sizeof(hs));
	}
	ikeb_finish(&b);
	buf_add(&sa->init_req, m->raw, m->rawlen);
	if (b.b.err || sa->init_req.err) {
		ikeb_free(&b);
		goto out;
	}
	sa->init_resp = b.b;
	sa->expect_msgid = 1;
	net_send(v, natt, dst, src, sport, sa->init_resp.p, sa->init_resp.len);
	if (sa_link(v, sa) == 0)
		sa = NULL;
out:
	if (sa) {
		ike_keys_wipe(&sa->keys);
		buf_free(&sa->init_req);
		buf_free(&sa->init_resp);
		OPENSSL_cleanse(sa, sizeof(*sa));
		free(sa);
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	dh_free(dh);
	free(props);
}

/* ---- IKE_AUTH ---- */

static void auth_fail_reply(struct vpnd *v, struct ike_sa *sa, uint32_t msgid, uint16_t notify)
{
	struct ike_builder in;
	ikeb_init(&in);
	ikeb_notify(&in, 0, notify, NULL, 0, NULL, 0);
	send_encrypted(v, sa, EXCH_IKE_AUTH, 1, msgid, &in);
	ikeb_free(&in);
	sa_set_state(v, sa, SA_DEAD);
	sa->last_seen = time(NULL);
}

static void handle_auth(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in, uint32_t msgid)
{
	const struct ike_payload *pid = ike_find(in, PL_IDI), *pauth = ike_find(in, PL_AUTH),
				 *psa = ike_find(in, PL_SA), *ptsi = ike_find(in, PL_TSI),
				 *ptsr = ike_find(in, PL_TSR), *pcp = ike_find(in, PL_CP);
	struct ike_proposal *props = NULL;
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *leaf = NULL;
	const uint8_t *idd, *authd;
	size_t idl, authl;
	uint8_t idt, method;
	const char *reason = "other";
	char detail[160] = "";
	struct buf octets, idr, sig;
	struct ike_builder out;
	struct cp_request cpr;
	struct ike_ts tsi[IKE_MAX_TS], tsr[IKE_MAX_TS];
	int ntsi = 0, ntsr = 0, nprops;
	uint8_t mac[IKE_MAX_KEY];

	buf_init(&octets);
	buf_init(&idr);
	buf_init(&sig);
	ikeb_init(&out);
	/* duplicates were refused in handle_request */
	if (!pid || ike_parse_id(pid->body, pid->len, &idt, &idd, &idl) < 0) {
		LOGD("IKE_AUTH without IDi");
		auth_fail_reply(v, sa, msgid, N_INVALID_SYNTAX);
		goto out;
	}
	auth_id_string(idt, idd, idl, sa->id, sizeof(sa->id));
	if (!pauth) {
		/* no AUTH: the initiator asks for EAP (RFC 7296 2.16), which we
		 * do not offer: certificates only */
		reason = "eap_not_configured";
		goto fail;
	}
	ike_parse_auth(pauth->body, pauth->len, &method, &authd, &authl);
	/* certificates: the first X.509 one is the client's, others intermediates */
	for (int i = 0; i < in->npl; i++) {
		uint8_t enc;
		const uint8_t *d;
		size_t dl;
		if (in->pl[i].type != PL_CERT || ike_parse_cert(in->pl[i].body, in->pl[i].len, &enc, &d, &dl) < 0 ||
		    enc != CERT_X509_SIG)
			continue;
		const unsigned char *p = d;
		X509 *x = d2i_X509(NULL, &p, (long)dl);
		if (!x || p != d + dl) {
			X509_free(x);
			reason = "bad_certificate";
			goto fail;
		}
		if (!leaf)
			leaf = x;
		else if (!untrusted || !sk_X509_push(untrusted, x))
			X509_free(x);
	}
	if (!leaf) {
		reason = "no_certificate";
		goto fail;
	}
	auth_serial_string(leaf, sa->serial, sizeof(sa->serial));
	if (auth_verify_chain(&v->auth, leaf, untrusted, &reason, detail, sizeof(detail)) < 0)
		goto fail;
	if (auth_check_id(leaf, idt, idd, idl) < 0) {
		reason = "id_mismatch";
		goto fail;
	}
	/* InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, IDi') */
	if (ike_prf(sa->keys.prf, sa->keys.sk_pi, sa->keys.prf_len, pid->body, pid->len, mac) < 0)
		goto fail;
	buf_add(&octets, sa->init_req.p, sa->init_req.len);
	buf_add(&octets, sa->nr, sa->nrlen);
	buf_add(&octets, mac, sa->keys.prf_len);
	if (octets.err || auth_verify(X509_get0_pubkey(leaf), method, authd, authl, octets.p, octets.len) < 0) {
		reason = "bad_signature";
		goto fail;
	}

	/* authenticated: now the child SA */
	if (!pcp || cp_parse_request(pcp->body, pcp->len, &cpr) < 0 || !cpr.want_addr) {
		log_auth_failed(v, sa->peer_ip, sa->peer_port, "other", sa->id, sa->serial, "no address requested");
		auth_fail_reply(v, sa, msgid, N_FAILED_CP_REQUIRED);
		goto out;
	}
	props = malloc(sizeof(*props) * IKE_MAX_PROPOSALS);
	uint16_t dummy;
	if (!psa || !ptsi || !ptsr || !props ||
	    ike_parse_sa(psa->body, psa->len, props, IKE_MAX_PROPOSALS, &nprops) < 0 ||
	    proposal_select(props, nprops, PROTO_ESP, v->cfg.legacy_windows, 0, &sa->child.prop, &dummy) != PROP_OK) {
		log_auth_failed(v, sa->peer_ip, sa->peer_port, "no_proposal", sa->id, sa->serial, "ESP proposal");
		auth_fail_reply(v, sa, msgid, N_NO_PROPOSAL_CHOSEN);
		goto out;
	}
	proposal_keyword(&sa->child.prop, sa->esp_kw, sizeof(sa->esp_kw));
	memcpy(&sa->child.spi_out, sa->child.prop.spi, 4);
	sa->child.spi_out = get32(sa->child.prop.spi);
	ike_parse_ts(ptsi->body, ptsi->len, tsi, IKE_MAX_TS, &ntsi);
	ike_parse_ts(ptsr->body, ptsr->len, tsr, IKE_MAX_TS, &ntsr);

	/* one connection per identity: a new one replaces the old */
	for (struct ike_sa *o = v->sas, *nx; o; o = nx) {
		nx = o->next;
		if (o != sa && o->state == SA_ESTABLISHED && !strcmp(o->id, sa->id))
			sa_close(v, o, "replaced", 1);
	}
	if (pool_acquire(&v->pool, sa->id, time(NULL), &sa->vip) < 0) {
		log_auth_failed(v, sa->peer_ip, sa->peer_port, "other", sa->id, sa->serial, "address pool exhausted");
		auth_fail_reply(v, sa, msgid, N_INTERNAL_ADDRESS_FAILURE);
		goto out;
	}
	sa->has_vip = 1;
	if (ts_narrow_initiator(tsi, ntsi, sa->vip, &sa->child.tsi) != 1 ||
	    (sa->child.ntsr = ts_narrow_responder(tsr, ntsr, v->cfg.protected_nets, v->cfg.nprotected,
						  sa->child.tsr, SA_MAX_TS)) <= 0) {
		log_auth_failed(v, sa->peer_ip, sa->peer_port, "other", sa->id, sa->serial, "traffic selectors");
		auth_fail_reply(v, sa, msgid, N_TS_UNACCEPTABLE);
		goto out;
	}
	sa->child.reqid = XFRM_REQID_BASE | (v->next_reqid++ & 0xffff);
	if (child_alloc_spi(v, sa, &sa->child) < 0 ||
	    child_install(v, sa, &sa->child, NULL, 0, sa->ni, sa->nilen, sa->nr, sa->nrlen) < 0 ||
	    sa_policies(v, sa, 1) < 0)
		goto kernel_fail;

	/* IKE_AUTH response: IDr, CERT, AUTH, CP, SA, TSi, TSr */
	if (auth_our_id(&v->auth, &idr) < 0)
		goto kernel_fail;
	ikeb_simple(&out, PL_IDR, NULL, 0, idr.p, idr.len);
	{
		unsigned char *der = NULL;
		int l = i2d_X509(v->auth.cert, &der);
		uint8_t enc = CERT_X509_SIG;
		if (l > 0)
			ikeb_simple(&out, PL_CERT, &enc, 1, der, (size_t)l);
		OPENSSL_free(der);
		for (int i = 0; i < sk_X509_num(v->auth.chain); i++) {
			der = NULL;
			l = i2d_X509(sk_X509_value(v->auth.chain, i), &der);
			if (l > 0)
				ikeb_simple(&out, PL_CERT, &enc, 1, der, (size_t)l);
			OPENSSL_free(der);
		}
	}
	/* ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, IDr') */
	octets.len = 0;
	if (ike_prf(sa->keys.prf, sa->keys.sk_pr, sa->keys.prf_len, idr.p, idr.len, mac) < 0)
		goto kernel_fail;
	buf_add(&octets, sa->init_resp.p, sa->init_resp.len);
	buf_add(&octets, sa->ni, sa->nilen);
	buf_add(&octets, mac, sa->keys.prf_len);
	if (octets.err || auth_sign(v->auth.key, sa->hashes, octets.p, octets.len, &method, &sig) < 0) {
		LOGE("signing AUTH failed");
		goto kernel_fail;
	}
	{
		uint8_t ah[4] = { method, 0, 0, 0 };
		ikeb_simple(&out, PL_AUTH, ah, 4, sig.p, sig.len);
	}
	cp_build_reply(&out, sa->vip, &v->cfg, &cpr);
	{
		struct ike_proposal rp;
		struct sa_choice c = sa->child.prop;
		put32(c.spi, sa->child.spi_in);
		proposal_to_wire(&c, &rp);
		ikeb_proposal(&out, &rp);
	}
	ikeb_ts(&out, PL_TSI, &sa->child.tsi, 1);
	ikeb_ts(&out, PL_TSR, sa->child.tsr, sa->child.ntsr);
	if (send_encrypted(v, sa, EXCH_IKE_AUTH, 1, msgid, &out) < 0) {
		LOGE("building the IKE_AUTH response failed");
		sa_kernel_remove(v, sa);
		pool_release(&v->pool, sa->vip, time(NULL));
		sa->has_vip = 0;
		sa_set_state(v, sa, SA_DEAD);
		goto out;
	}
	sa_set_state(v, sa, SA_ESTABLISHED);
	sa->established = sa->last_active = time(NULL);
	v->n_established++;
	{
		char idq[300], outer[40], vip[INET_ADDRSTRLEN], dns[40] = "";
		log_value(idq, sizeof(idq), sa->id);
		outer_str(sa, outer, sizeof(outer));
		ip_str(sa->vip, vip, sizeof(vip));
		if (v->cfg.ndns) {
			char d[INET_ADDRSTRLEN];
			ip_str(v->cfg.dns[0], d, sizeof(d));
			snprintf(dns, sizeof(dns), " dns=%s", d);
		}
		snprintf(sa->log_spi, sizeof(sa->log_spi), "%016llx%016llx",
			 (unsigned long long)((uint64_t)get32(sa->spi_i) << 32 | get32(sa->spi_i + 4)),
			 (unsigned long long)((uint64_t)get32(sa->spi_r) << 32 | get32(sa->spi_r + 4)));
		log_event("established", "id=%s serial=%s outer=%s vip=%s ike_spi=%s proposal=%s esp=%s%s",
			  idq, sa->serial[0] ? sa->serial : "-", outer, vip, sa->log_spi,
			  sa->ike_kw, sa->esp_kw, dns);
	}
	goto out;
kernel_fail:
	LOGE("installing the tunnel for %s failed", sa->id);
	sa_kernel_remove(v, sa);
	/* the SPI reserved with ALLOCSPI is a larval SA: remove it too */
	if (v->xfrm_fd >= 0 && sa->child.spi_in)
		xfrm_del_sa(v->xfrm_fd, sa->local_ip, sa->child.spi_in);
	if (sa->has_vip)
		pool_release(&v->pool, sa->vip, time(NULL));
	sa->has_vip = 0;
	log_auth_failed(v, sa->peer_ip, sa->peer_port, "other", sa->id, sa->serial, "kernel error");
	auth_fail_reply(v, sa, msgid, N_TEMPORARY_FAILURE);
	goto out;
fail:
	log_auth_failed(v, sa->peer_ip, sa->peer_port, reason, sa->id, sa->serial, detail);
	auth_fail_reply(v, sa, msgid, N_AUTHENTICATION_FAILED);
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	free(props);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	buf_free(&octets);
	buf_free(&idr);
	buf_free(&sig);
	ikeb_free(&out);
}

/* ---- INFORMATIONAL ---- */

static void handle_info(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in, uint32_t msgid)
{
	struct ike_builder out;
	int delete_ike = 0;

	ikeb_init(&out);
	for (int i = 0; i < in->npl; i++) {
		uint8_t proto, spisize;
		uint16_t num;
		const uint8_t *spis;
		if (in->pl[i].type != PL_DELETE ||
		    ike_parse_delete(in->pl[i].body, in->pl[i].len, &proto, &spisize, &num, &spis) < 0)
			continue;
		if (proto == PROTO_IKE) {
			delete_ike = 1;
		} else if (proto == PROTO_ESP) {
			for (uint16_t j = 0; j < num; j++) {
				struct child_sa *c = NULL;
				if (sa->old.installed && get32(spis + 4 * j) == sa->old.spi_out)
					c = &sa->old;   /* the usual case: the rekeyed child */
				else if (sa->child.installed && get32(spis + 4 * j) == sa->child.spi_out)
					c = &sa->child;
				if (!c)
					continue;
				uint8_t d[8] = { PROTO_ESP, 4, 0, 1 };
				put32(d + 4, c->spi_in);
				ikeb_simple(&out, PL_DELETE, NULL, 0, d, 8);
				child_remove(v, sa, c);
				if (!sa->child.installed && !sa->old.installed)
					sa_policies(v, sa, 0);
			}
		}
	}
	if (delete_ike)
		ikeb_free(&out), ikeb_init(&out);
	send_encrypted(v, sa, EXCH_INFORMATIONAL, 1, msgid, &out);
	ikeb_free(&out);
	if (delete_ike)
		sa_close(v, sa, "client_delete", 0);
}

/* ---- dispatch ---- */

/* Decrypt an SK or (reassembled) SKF message.  Returns 1 with *inner
 * filled when a complete message is available, 0 when waiting for more
 * fragments or on a retransmission, -1 to drop (does not decrypt), -2
 * when it decrypted (so it is authentic) but its payloads are malformed. */
static int open_message(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *m, struct buf *plain,
			struct ike_msg *inner, int *retransmit)
{
	const struct ike_payload *sk = ike_find(m, PL_SK), *skf = ike_find(m, PL_SKF);
	size_t off;

	*retransmit = 0;
	memset(inner, 0, sizeof(*inner));
	inner->hdr = m->hdr;
	if (sk) {
		off = (size_t)(sk->body - m->raw);
		if (ike_sk_open(&sa->keys, 1, m->raw, m->rawlen, off, plain) < 0)
			return -1;
		if (ike_parse_chain(sk->np, plain->p, plain->len, inner) < 0 || ike_validate_payloads(inner) < 0 ||
		    ike_find(inner, PL_SK) || ike_find(inner, PL_SKF))
			return -2; /* authentic, but malformed (SK inside SK: RFC 7296 3.14) */
		return 1;
	}
	if (!skf || !sa->frag_ok)
		return -1;
	uint16_t num, total;
	if (ike_parse_skf(skf->body, skf->len, &num, &total) < 0 || total > SA_MAX_FRAGS)
		return -1;
	off = (size_t)(skf->body - m->raw) + 4;
	if (ike_sk_open(&sa->keys, 1, m->raw, m->rawlen, off, plain) < 0)
		return -1;
	if (sa->frag_have && (sa->frag_msgid != m->hdr.msgid || sa->frag_total != total))
		sa_clear_frags(sa); /* a new message: start over */
	sa->frag_msgid = m->hdr.msgid;
	sa->frag_total = total;
	if (num == 1)
		sa->frag_np = skf->np;
	buf_free(&sa->frag[num - 1]);
	size_t have = 0;
	for (int i = 0; i < SA_MAX_FRAGS; i++)
		have += sa->frag[i].len;
	if (have + plain->len > v->cfg.max_message_size) {
		sa_clear_frags(sa); /* no message of ours needs more: stop a memory sink */
		return -1;
	}
	buf_add(&sa->frag[num - 1], plain->p, plain->len);
	sa->frag_have |= 1u << (num - 1);
	if (sa->frag_have != (total == 32 ? 0xffffffffu : (1u << total) - 1))
		return 0;
	plain->len = 0;
	for (int i = 0; i < total; i++)
		buf_add(plain, sa->frag[i].p, sa->frag[i].len);
	uint8_t np = sa->frag_np;
	sa_clear_frags(sa);
	if (plain->err)
		return -1;
	if (ike_parse_chain(np, plain->p, plain->len, inner) < 0 || ike_validate_payloads(inner) < 0 ||
	    ike_find(inner, PL_SK) || ike_find(inner, PL_SKF))
		return -2;
	return 1;
}

static void handle_request(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *m, uint32_t src,
			   uint16_t sport, uint32_t dst, int natt)
{
	struct buf plain;
	struct ike_msg *inner = NULL;
	int retr;

	if (sa->have_last && m->hdr.msgid == sa->last_msgid) {
		/* retransmission: the cached response; for fragmented requests
		 * only on the first fragment (RFC 7383 2.6.1) */
		const struct ike_payload *skf = ike_find(m, PL_SKF);
		uint16_t num = 0, total;
		if (!skf || (ike_parse_skf(skf->body, skf->len, &num, &total) == 0 && num == 1)) {
			LOGD("retransmitted request %u: resending the cached response", m->hdr.msgid);
			resend_cached(v, sa);
		}
		return;
	}
	if (m->hdr.msgid != sa->expect_msgid || sa->state == SA_DEAD)
		return;
	buf_init(&plain);
	inner = malloc(sizeof(*inner));
	if (!inner)
		goto out;
	int r = open_message(v, sa, m, &plain, inner, &retr);
	if (r == 0 || r == -1) {
		if (r < 0)
			LOGD("dropping a message that failed to decrypt");
		goto out;
	}
	/* authenticated: follow the peer's address (NAT-T port switch) */
	sa->peer_ip = src;
	sa->peer_port = sport;
	sa->local_ip = dst;
	sa->natt = natt;
	sa->last_seen = sa->last_active = time(NULL);
	sa->expect_msgid++;
	/* at most one of each of these in any request (RFC 7296 1.2, 1.3): a
	 * second SA, Nonce or IDi is a syntax error, not something to pick from */
	static const uint8_t once[] = { PL_SA, PL_KE, PL_IDI, PL_IDR, PL_AUTH, PL_NONCE, PL_TSI, PL_TSR, PL_CP };
	for (size_t i = 0; r == 1 && i < sizeof(once); i++)
		if (ike_count(inner, once[i]) > 1)
			r = -2;
	if (r == -2 || inner->bad_critical) {
		/* authentic but unusable: answered on its message ID, so both
		 * sides stay in step (RFC 7296 2.5, 3.10.1); a failed IKE_AUTH
		 * means no IKE SA (2.21.2) */
		struct ike_builder out;
		uint8_t t = inner->bad_critical;
		LOGD("request %u: %s", m->hdr.msgid, r == -2 ? "malformed payloads" : "unknown critical payload");
		ikeb_init(&out);
		if (r == -2)
			ikeb_notify(&out, 0, N_INVALID_SYNTAX, NULL, 0, NULL, 0);
		else
			ikeb_notify(&out, 0, N_UNSUPPORTED_CRITICAL_PAYLOAD, NULL, 0, &t, 1);
		send_encrypted(v, sa, m->hdr.exch, 1, m->hdr.msgid, &out);
		ikeb_free(&out);
		if (m->hdr.exch == EXCH_IKE_AUTH && sa->state == SA_HALF_OPEN)
			sa_set_state(v, sa, SA_DEAD);
		goto out;
	}
	int handled = 1;
	switch (m->hdr.exch) {
	case EXCH_IKE_AUTH:
		if (sa->state == SA_HALF_OPEN)
			handle_auth(v, sa, inner, m->hdr.msgid);
		else
			handled = 0;
		break;
	case EXCH_INFORMATIONAL:
		if (sa->state == SA_ESTABLISHED)
			handle_info(v, sa, inner, m->hdr.msgid);
		else
			handled = 0;
		break;
	case EXCH_CREATE_CHILD_SA:
		if (sa->state == SA_ESTABLISHED && !sa->rekeyed)
			handle_create_child(v, sa, inner, m->hdr.msgid);
		else
			handled = 0;
		break;
	default:
		handled = 0;
		break;
	}
	if (!handled) {
		/* an authentic request that does not fit the state (e.g.
		 * CREATE_CHILD_SA before IKE_AUTH): answer it, so the message
		 * IDs of both sides stay in step */
		struct ike_builder out;
		ikeb_init(&out);
		ikeb_notify(&out, 0, N_INVALID_SYNTAX, NULL, 0, NULL, 0);
		send_encrypted(v, sa, m->hdr.exch, 1, m->hdr.msgid, &out);
		ikeb_free(&out);
	}
out:
	free(inner);
	buf_free(&plain);
}

/* The answer to our one outstanding request: dispatched on what it was. */
static void handle_response(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *m)
{
	struct buf plain;
	struct ike_msg *inner = malloc(sizeof(*inner));
	int retr;

	buf_init(&plain);
	if (!inner || open_message(v, sa, m, &plain, inner, &retr) != 1)
		goto out;
	if (sa->state == SA_DEAD) {
		sa_free(v, sa); /* the answer to our Delete: the SA is gone */
		goto out;
	}
	if (!sa->dpd_pending || m->hdr.msgid != sa->dpd_msgid)
		goto out; /* a late answer to a request already answered */
	enum sa_req kind = sa->req_kind;
	sa->dpd_pending = 0;
	sa->req_kind = REQ_NONE;
	sa->last_active = time(NULL);
	switch (kind) {
	case REQ_REKEY_CHILD:
		if (m->hdr.exch == EXCH_CREATE_CHILD_SA)
			lifetime_rekey_response(v, sa, inner);
		else
			lifetime_sa_free(v, sa);
		break;
	case REQ_DELETE_CHILD:
		lifetime_delete_answered(v, sa);
		break;
	case REQ_DPD:
	case REQ_NONE:
		break;
	}
	lifetime_pump(v, sa);
out:
	free(inner);
	buf_free(&plain);
}

void ike_input(struct vpnd *v, const uint8_t *pkt, size_t len, uint32_t src, uint16_t sport,
	       uint32_t dst, int natt)
{
	struct ike_msg *m = malloc(sizeof(*m));
	uint16_t dport = natt ? v->cfg.natt_port : v->cfg.port;

	if (!m)
		return;
	if (ike_parse(pkt, len, m) < 0) {
		LOGD("dropping a malformed message");
		goto out;
	}
	if (m->hdr.exch == EXCH_IKE_SA_INIT) {
		if ((m->hdr.flags & (HDR_F_INITIATOR | HDR_F_RESPONSE)) == HDR_F_INITIATOR)
			handle_init(v, m, src, sport, dst, dport, natt);
		goto out;
	}
	struct ike_sa *sa = sa_find_r(v, m->hdr.spi_i, m->hdr.spi_r);
	if (!sa)
		goto out; /* unknown SPI: silently dropped (no unauthenticated notify) */
	if (m->hdr.flags & HDR_F_RESPONSE)
		handle_response(v, sa, m);
	else if (m->hdr.flags & HDR_F_INITIATOR)
		handle_request(v, sa, m, src, sport, dst, natt);
out:
	free(m);
}

/* ---- closing ---- */

static void send_delete(struct vpnd *v, struct ike_sa *sa)
{
	struct ike_builder out;
	uint8_t d[4] = { PROTO_IKE, 0, 0, 0 };
	ikeb_init(&out);
	ikeb_simple(&out, PL_DELETE, NULL, 0, d, 4);
	send_encrypted(v, sa, EXCH_INFORMATIONAL, 0, sa->our_msgid++, &out);
	ikeb_free(&out);
}

void sa_close(struct vpnd *v, struct ike_sa *sa, const char *reason, int send_del)
{
	time_t now = time(NULL);

	sa_kernel_remove(v, sa);
	lifetime_sa_free(v, sa);
	if (sa->state == SA_ESTABLISHED && !sa->rekeyed) {
		char idq[300], outer[40], vip[INET_ADDRSTRLEN];
		log_value(idq, sizeof(idq), sa->id);
		outer_str(sa, outer, sizeof(outer));
		ip_str(sa->vip, vip, sizeof(vip));
		log_event("closed", "id=%s serial=%s outer=%s vip=%s ike_spi=%s reason=%s duration=%lld bytes_in=%llu bytes_out=%llu",
			  idq, sa->serial[0] ? sa->serial : "-", outer, vip, sa->log_spi,
			  reason, (long long)(now - sa->established), (unsigned long long)sa->bytes_in,
			  (unsigned long long)sa->bytes_out);
		if (send_del)
			send_delete(v, sa);
	}
	if (sa->has_vip)
		pool_release(&v->pool, sa->vip, now);
	sa->has_vip = 0;
	if (send_del && sa->state == SA_ESTABLISHED && !sa->rekeyed) {
		/* keep the SA briefly so the peer's answer is recognised */
		sa_set_state(v, sa, SA_DEAD);
		sa->last_seen = now;
		return;
	}
	sa_free(v, sa);
}

void sa_close_all(struct vpnd *v, const char *reason)
{
	while (v->sas) {
		struct ike_sa *sa = v->sas;
		sa_close(v, sa, reason, 1);
		if (v->sas == sa)
			sa_free(v, sa);
	}
}

/* Liveness: after dpd_delay without an authenticated message or inbound
 * ESP, send an empty INFORMATIONAL; resend it with backoff; delete the
 * client when dpd_timeout passes without an answer. */
static void sa_dpd(struct vpnd *v, struct ike_sa *s, time_t now)
{
	if (s->rekeyed) {
		/* the peer should have deleted it right after the rekey */
		if (now - s->last_seen > 60)
			sa_free(v, s);
		return;
	}
	if (s->state != SA_ESTABLISHED)
		return;
	/* any request of ours (probe, Delete, rekey) is retransmitted here */
	if (s->dpd_pending) {
		if (now - s->dpd_started >= (time_t)v->cfg.dpd_timeout) {
			sa_close(v, s, "dpd", 0);
			return;
		}
		if (now >= s->dpd_next && s->dpd_req.len) {
			sa_send_raw(v, s, &s->dpd_req);
			s->dpd_next = now + 2 * (now - s->dpd_started + 1);
		}
		return;
	}
	if (!v->cfg.dpd_delay)
		return;
	/* Inbound ESP counts as life.  The kernel's counter is sampled a few
	 * times per dpd_delay so traffic is dated within dpd_delay/4 of when
	 * it flowed: sampled only when a check is due, traffic just after the
	 * previous sample would push the first probe out to 2 x dpd_delay. */
	time_t every = v->cfg.dpd_delay / 4 ? (time_t)v->cfg.dpd_delay / 4 : 1;
	if (now - s->dpd_sampled >= every || now - s->last_active >= (time_t)v->cfg.dpd_delay) {
		uint64_t b = 0, x;
		s->dpd_sampled = now;
		if (v->xfrm_fd >= 0 && s->child.installed &&
		    xfrm_sa_bytes(v->xfrm_fd, s->child.k_local, s->child.spi_in, &x) == 0)
			b = x;
		if (b != s->dpd_bytes) {
			s->dpd_bytes = b;
			s->last_active = now;
		}
	}
	if (now - s->last_active < (time_t)v->cfg.dpd_delay)
		return;
	struct ike_builder out;
	ikeb_init(&out);
	if (sa_request(v, s, EXCH_INFORMATIONAL, REQ_DPD, &out) == 0)
		LOGD("liveness check for %s", s->id);
	ikeb_free(&out);
}

void sa_tick(struct vpnd *v, time_t now)
{
	for (struct ike_sa *s = v->sas, *nx; s; s = nx) {
		nx = s->next;
		if (s->state == SA_ESTABLISHED) {
			if (!lifetime_tick(v, s, now))
				sa_dpd(v, s, now); /* may free s */
			continue;
		}
		if (s->state == SA_HALF_OPEN && now - s->created > (time_t)v->cfg.half_open_timeout)
			sa_free(v, s);
		else if (s->state == SA_DEAD && now - s->last_seen > 10)
			sa_free(v, s);
	}
}

#ifdef FUZZING
/* Fuzzing entry: an authenticated, decrypted request (inner chain already
 * parsed) handed to the same handlers as handle_request uses. */
void sa_fuzz_request(struct vpnd *v, struct ike_sa *sa, uint8_t exch, const struct ike_msg *inner, uint32_t msgid)
{
	switch (exch) {
	case EXCH_IKE_AUTH:
		if (sa->state == SA_HALF_OPEN)
			handle_auth(v, sa, inner, msgid);
		break;
	case EXCH_INFORMATIONAL:
		if (sa->state == SA_ESTABLISHED)
			handle_info(v, sa, inner, msgid);
		break;
	case EXCH_CREATE_CHILD_SA:
		if (sa->state == SA_ESTABLISHED && !sa->rekeyed)
			handle_create_child(v, sa, inner, msgid);
		break;
	}
}
#endif
