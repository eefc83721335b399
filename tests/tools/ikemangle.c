/* ikemangle - malformed-input replay against vpnd (issue 5): for each
 * case a crafted IKEv2 message goes to the responder, the answer (the
 * notify it carried, or nothing within a short timeout) is compared with
 * what RFC 7296 asks for, and a fresh valid handshake proves vpnd still
 * serves.  One TAP line per case.
 *
 * ikemangle -t IP -d CADIR [-l vpnd.log] [-w corpus-dir] [-M max_message_size]
 * CADIR is tests/unit/vpnd/mkca.sh's output: bob (ECDSA) makes the
 * handshakes, alice (RSA) holds a witness IKE SA open across all cases,
 * server.crt checks the responder's AUTH.  IKEMANGLE_DEBUG=1 prints how long
 * each follow-up handshake took.
 *
 * The reactions asserted, and why (RFC 7296 unless said otherwise):
 * - IKE_SA_INIT is unauthenticated: INVALID_SYNTAX may only be sent in
 *   an encrypted message (3.10.1), so a syntax error there (a length off
 *   by one, a zero-length KE, duplicate SA/KE/Nonce, a truncated header)
 *   gets no answer and leaves no state.  Answered in the clear are only
 *   the errors 2.5/2.7/3.10.1 name for it: UNSUPPORTED_CRITICAL_PAYLOAD
 *   (with the payload type), INVALID_KE_PAYLOAD (with the group wanted),
 *   INVALID_MAJOR_VERSION (2.5: drop, answer with our version).
 * - A DH value that fails RFC 6989's checks (MODP 0, 1, p-1; a point off
 *   the curve) is refused: no response, no IKE SA, no key derived.
 * - Inside SK the message is authentic: a syntax error (a length off by
 *   one, a second IDi/AUTH/Nonce/..., an SK inside SK, an ESP SPI from
 *   RFC 4303's reserved 0..255) is answered with an encrypted
 *   INVALID_SYNTAX on the same message ID (3.10.1), so both sides stay in
 *   step; in IKE_AUTH the IKE SA is then not created (2.21.2).  A failed
 *   signature or certificate is AUTHENTICATION_FAILED, logged with its
 *   reason (docs/log-format.md).
 * - A message ID ahead of the window is dropped (2.3); an Encrypted
 *   Fragment with a number of 0, above its total or a total above what
 *   we reassemble is dropped (RFC 7383 2.6.2).
 * - CREATE_CHILD_SA: rekeying a CHILD_SA we do not have is
 *   CHILD_SA_NOT_FOUND; before IKE_AUTH it is INVALID_SYNTAX.
 * - An unknown IKE SPI is dropped (2.21: MAY answer; we do not reflect).
 * - A Delete for ESP SPIs we do not know gets an empty INFORMATIONAL
 *   response (1.4.1) and the tunnel stays. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "ikemangle_wire.h"

#define QUIET_MS 600   /* "nothing came back" */
#define ANSWER_MS 4000 /* the longest we wait for an expected answer */

struct ctx {
	int fd;                  /* to the responder's port 500 */
	struct cred bob, alice;
	const char *log, *corpus, *slug;
	unsigned max_msg;
	int seeds;
};

/* What came back. */
struct reaction {
	int got, enc, decrypt_failed;
	uint8_t exch, version, types[IKE_MAX_PAYLOADS];
	int npl;
	uint32_t msgid;
	uint16_t notify;           /* the first error notify, 0 if none */
	uint8_t ndata[8];
	size_t ndlen;
	uint32_t del_spi;          /* a Delete (ESP) in the answer: its first SPI */
	uint16_t skf_num, skf_total; /* an Encrypted Fragment answer */
	int del_proto;
	char text[160];
};

static int tap_failed;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *notify_name(uint16_t t)
{
	switch (t) {
	case N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case N_COOKIE: return "COOKIE";
	}
	return NULL;
}

static const char *pl_name(uint8_t t)
{
	static const char *n[] = { "SA", "KE", "IDi", "IDr", "CERT", "CERTREQ", "AUTH", "Nonce", "N", "D",
				   "V", "TSi", "TSr", "SK", "CP", "EAP" };
	return t >= PL_SA && t <= PL_EAP ? n[t - PL_SA] : "?";
}

/* A seed for the fuzz target tests/unit/vpnd/fuzz/ike_fuzz.c: first byte
 * 1 = a whole message, 0 = a bare chain whose first type is byte two. */
static void seed(struct ctx *c, int whole, uint8_t first, const struct buf *b)
{
	char path[512];
	if (!c->corpus || !b->len)
		return;
	snprintf(path, sizeof(path), "%s/mangle-%s%s", c->corpus, c->slug, c->seeds ? "-2" : "");
	if (c->seeds >= 2)
		return;
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	uint8_t h[2] = { whole ? 1 : 0, first };
	fwrite(h, 1, whole ? 1 : 2, f);
	fwrite(b->p, 1, b->len, f);
	fclose(f);
	c->seeds++;
}

static void xmit(struct ctx *c, const struct buf *b)
{
	if (send(c->fd, b->p, b->len, 0) < 0)
		perror("xmit: send");
}

/* Wait for a response (R flag) to SPIi; 0 if none within ms. */
static size_t wait_reply(struct ctx *c, const uint8_t *spi_i, int ms, uint8_t *out, size_t cap)
{
	double end = now_ms() + ms;
	for (;;) {
		int left = (int)(end - now_ms());
		if (left <= 0)
			return 0;
		struct pollfd pf = { .fd = c->fd, .events = POLLIN };
		if (poll(&pf, 1, left) <= 0)
			continue;
		ssize_t n = recv(c->fd, out, cap, MSG_DONTWAIT);
		if (n >= IKE_HDR_LEN && !memcmp(out, spi_i, 8) && (out[19] & HDR_F_RESPONSE))
			return (size_t)n;
		/* anything else (vpnd's own requests to replaced SAs) is not ours */
	}
}

static void describe(struct reaction *r)
{
	size_t o = 0;
	if (!r->got) {
		snprintf(r->text, sizeof(r->text), "no response");
		return;
	}
	if (r->decrypt_failed) {
		snprintf(r->text, sizeof(r->text), "a response that does not decrypt");
		return;
	}
	if (r->skf_total) {
		snprintf(r->text, sizeof(r->text), "SKF{fragment %u of %u} msgid %u", r->skf_num, r->skf_total, r->msgid);
		return;
	}
	o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "%s", r->enc ? "SK{" : "");
	if (r->notify) {
		const char *nm = notify_name(r->notify);
		if (nm)
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "%s", nm);
		else
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "N(%u)", r->notify);
		if (r->notify == N_INVALID_KE_PAYLOAD && r->ndlen == 2)
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "(%u)", get16(r->ndata));
		else if (r->notify == N_UNSUPPORTED_CRITICAL_PAYLOAD && r->ndlen == 1)
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "(%u)", r->ndata[0]);
	} else {
		for (int i = 0; i < r->npl && o < sizeof(r->text) - 8; i++)
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "%s%s", i ? "," : "", pl_name(r->types[i]));
		if (!r->npl && !r->enc)
			o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "(empty)");
	}
	if (r->enc && o < sizeof(r->text))
		o += (size_t)snprintf(r->text + o, sizeof(r->text) - o, "}");
	if (o < sizeof(r->text))
		snprintf(r->text + o, sizeof(r->text) - o, " msgid %u", r->msgid);
}

/* Parse a response; s: the session whose keys open SK (NULL: cleartext).
 * inner_out points into the decrypted text, kept until the next call. */
static void react(const uint8_t *pkt, size_t len, const struct sess *s, struct reaction *r,
		  struct ike_msg *inner_out)
{
	struct ike_msg *m = calloc(1, sizeof(*m)), *in = calloc(1, sizeof(*in));
	static struct buf plain;
	struct ike_notify nt;

	memset(r, 0, sizeof(*r));
	buf_free(&plain);
	if (!m || !in || !len)
		goto out;
	r->got = 1;
	if (ike_parse(pkt, len, m) < 0) {
		r->decrypt_failed = 1;
		goto out;
	}
	r->exch = m->hdr.exch;
	r->version = m->hdr.version;
	r->msgid = m->hdr.msgid;
	const struct ike_payload *sk = ike_find(m, PL_SK), *skf = ike_find(m, PL_SKF);
	const struct ike_msg *use = m;
	if (skf) {
		/* a fragment of a bigger answer: it must decrypt; its chain is
		 * only a piece, so only fragment 1's first payloads are named */
		r->enc = 1;
		if (!s || !s->have_keys || ike_parse_skf(skf->body, skf->len, &r->skf_num, &r->skf_total) < 0 ||
		    ike_sk_open(&s->keys, 0, m->raw, m->rawlen, (size_t)(skf->body - m->raw) + 4, &plain) < 0)
			r->decrypt_failed = 1;
		goto out;
	}
	if (sk) {
		r->enc = 1;
		if (!s || !s->have_keys ||
		    ike_sk_open(&s->keys, 0, m->raw, m->rawlen, (size_t)(sk->body - m->raw), &plain) < 0 ||
		    ike_parse_chain(sk->np, plain.p, plain.len, in) < 0) {
			r->decrypt_failed = 1;
			goto out;
		}
		use = in;
	}
	for (int i = 0; i < use->npl; i++) {
		const struct ike_payload *p = &use->pl[i];
		r->types[r->npl++] = p->type;
		if (p->type == PL_NOTIFY && ike_parse_notify(p->body, p->len, &nt) == 0 && nt.type < 16384 &&
		    !r->notify) {
			r->notify = nt.type;
			r->ndlen = nt.datalen < sizeof(r->ndata) ? nt.datalen : sizeof(r->ndata);
			memcpy(r->ndata, nt.data, r->ndlen);
		}
		if (p->type == PL_DELETE && p->len >= 8 && p->body[1] == 4) {
			r->del_proto = p->body[0];
			r->del_spi = get32(p->body + 4);
		}
	}
	if (inner_out && use == in)
		*inner_out = *in;
out:
	describe(r);
	free(m);
	free(in);
}

/* ---- handshakes ---- */

static void hdr_for(struct whdr *h, const struct sess *s, uint8_t exch, uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, s->spi_i, 8);
	memcpy(h->spi_r, s->spi_r, 8);
	h->exch = exch;
	h->flags = HDR_F_INITIATOR;
	h->version = IKE_VERSION;
	h->msgid = msgid;
}

/* A valid IKE_SA_INIT (frag: announcing RFC 7383); keys derived.  0 or -1. */
static int do_init_ex(struct ctx *c, struct sess *s, int frag)
{
	struct plist l;
	struct whdr h;
	struct dh *dh = NULL;
	static uint8_t pkt[65536];
	int rc = -1;

	pl_init(&l);
	hdr_for(&h, s, EXCH_IKE_SA_INIT, 0);
	buf_free(&s->init_req);
	if (init_payloads(s, &l, 19, 19, NULL, 0, &dh) < 0 || (frag && init_frag_ok(&l) < 0) ||
	    msg_plain(&h, &l, &s->init_req) < 0)
		goto out;
	for (int i = 0; i < 3 && rc < 0; i++) {
		xmit(c, &s->init_req);
		size_t n = wait_reply(c, s->spi_i, ANSWER_MS / 2, pkt, sizeof(pkt));
		if (n && sess_keys(s, dh, pkt, n) == 0)
			rc = 0;
	}
out:
	dh_free(dh);
	pl_free(&l);
	return rc;
}

static int do_init(struct ctx *c, struct sess *s) { return do_init_ex(c, s, 0); }

/* Send an encrypted request and wait for its answer (retransmitting). */
static void sk_request(struct ctx *c, struct sess *s, uint8_t exch, uint32_t msgid, const struct plist *l,
		       int hdr_dlen, struct reaction *r, struct ike_msg *inner)
{
	static uint8_t pkt[65536];
	struct whdr h;
	struct buf out, in;
	uint8_t first;
	size_t n = 0;

	buf_init(&out);
	buf_init(&in);
	hdr_for(&h, s, exch, msgid);
	h.hdr_dlen = hdr_dlen;
	if (msg_sk(&h, &s->keys, l, &out, &first, &in) == 0) {
		seed(c, 0, first, &in);
		for (int i = 0; i < 2 && !n; i++) {
			xmit(c, &out);
			n = wait_reply(c, s->spi_i, ANSWER_MS / 2, pkt, sizeof(pkt));
		}
	}
	react(pkt, n, s, r, inner);
	buf_free(&out);
	buf_free(&in);
}

/* IKE_SA_INIT + IKE_AUTH with a CHILD_SA, the responder's AUTH checked. */
static int establish(struct ctx *c, struct sess *s, const struct cred *cr)
{
	struct plist l;
	struct reaction r;
	struct ike_msg *in = calloc(1, sizeof(*in));
	int rc = -1;
	const char *slug = c->slug;

	pl_init(&l);
	c->slug = NULL; /* valid messages are no seeds */
	sess_new(s);
	if (in && do_init(c, s) == 0 && auth_payloads(s, cr, &l) == 0) {
		const char *corpus = c->corpus;
		c->corpus = NULL;
		sk_request(c, s, EXCH_IKE_AUTH, 1, &l, 0, &r, in);
		c->corpus = corpus;
		if (r.got && r.enc && !r.notify && auth_check(s, cr, in) == 0 && ike_find(in, PL_SA))
			rc = 0;
	}
	c->slug = slug;
	pl_free(&l);
	free(in);
	return rc;
}

static void close_sa(struct ctx *c, struct sess *s, uint32_t msgid)
{
	struct plist l;
	struct reaction r;
	uint8_t d[4] = { PROTO_IKE, 0, 0, 0 };
	const char *corpus = c->corpus;
	pl_init(&l);
	pl_add(&l, PL_DELETE, NULL, 0, d, 4);
	c->corpus = NULL;
	sk_request(c, s, EXCH_INFORMATIONAL, msgid, &l, 0, &r, NULL);
	c->corpus = corpus;
	pl_free(&l);
}

/* "vpnd still serves": a fresh handshake completes (and is closed). */
static int still_serves(struct ctx *c, double *ms)
{
	struct sess s;
	double t0 = now_ms();
	int ok = establish(c, &s, &c->bob) == 0;
	*ms = now_ms() - t0;
	if (ok)
		close_sa(c, &s, 2);
	sess_free(&s);
	return ok;
}

/* ---- reporting ---- */

static int log_count(struct ctx *c, const char *a, const char *b)
{
	char line[2048];
	int n = 0;
	FILE *f = c->log ? fopen(c->log, "r") : NULL;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return n;
}

static void result(struct ctx *c, const char *name, int ok, const char *got, const char *want)
{
	double ms;
	int serves = still_serves(c, &ms);
	if (getenv("IKEMANGLE_DEBUG"))
		printf("# handshake after the case: %.0f ms\n", ms);
	if (ok && serves) {
		printf("ok - %s: %s\n", name, got);
	} else {
		tap_failed = 1;
		printf("not ok - %s: got %s, want %s%s\n", name, got, want,
		       serves ? "" : "; and vpnd no longer completes a handshake");
	}
	fflush(stdout);
}

static int want_notify(const struct reaction *r, int enc, uint8_t exch, uint32_t msgid, uint16_t type)
{
	return r->got && !r->decrypt_failed && r->enc == enc && r->exch == exch && r->msgid == msgid &&
	       r->notify == type;
}

/* ---- IKE_SA_INIT cases ---- */

enum init_fault { F_NONE, F_PL_LEN, F_HDR_LEN, F_DUP, F_CRIT, F_NONCRIT, F_VERSION, F_TRUNC, F_BIG, F_FLAGS,
		  F_NONCE_LEN };

/* A (mangled) IKE_SA_INIT; prop/ke groups, ke value (NULL: a real one). */
static void init_send(struct ctx *c, enum init_fault f, int type, int arg, uint16_t prop_group, uint16_t ke_group,
		      const uint8_t *ke, size_t kelen, struct reaction *r)
{
	static uint8_t pkt[65536];
	struct sess s;
	struct plist l;
	struct whdr h;
	struct buf out;
	struct dh *dh = NULL;
	static uint8_t big[60000];

	sess_new(&s);
	pl_init(&l);
	buf_init(&out);
	hdr_for(&h, &s, EXCH_IKE_SA_INIT, 0);
	if (init_payloads(&s, &l, prop_group, ke_group, ke, kelen, &dh) < 0) {
		memset(r, 0, sizeof(*r));
		snprintf(r->text, sizeof(r->text), "(could not build the message)");
		goto out;
	}
	int i = pl_find(&l, (uint8_t)type);
	switch (f) {
	case F_PL_LEN: if (i >= 0) l.p[i].dlen = arg; break;
	case F_HDR_LEN: h.hdr_dlen = arg; break;
	case F_DUP:
		if (i >= 0 && l.n < PL_MAX) {
			/* the copy goes right after the original */
			memmove(&l.p[i + 2], &l.p[i + 1], sizeof(l.p[0]) * (size_t)(l.n - i - 1));
			l.n++;
			buf_init(&l.p[i + 1].body);
			buf_add(&l.p[i + 1].body, l.p[i].body.p, l.p[i].body.len);
			l.p[i + 1].type = l.p[i].type;
			l.p[i + 1].flags = 0;
			l.p[i + 1].dlen = 0;
		}
		break;
	case F_CRIT: case F_NONCRIT:
		pl_add(&l, (uint8_t)type, NULL, 0, "roadbox", 7);
		l.p[l.n - 1].flags = f == F_CRIT ? 0x80 : 0;
		break;
	case F_VERSION: h.version = (uint8_t)arg; break;
	case F_FLAGS: h.flags = (uint8_t)arg; break;
	case F_NONCE_LEN: if (i >= 0) l.p[i].body.len = (size_t)arg; break;
	case F_BIG:
		memset(big, 0x5a, sizeof(big));
		pl_add(&l, PL_VENDOR, NULL, 0, big, (size_t)arg);
		break;
	default: break;
	}
	if (msg_plain(&h, &l, &out) < 0)
		goto out;
	if (f == F_TRUNC)
		out.len = (size_t)arg;
	seed(c, 1, 0, &out);
	xmit(c, &out);
	size_t n = wait_reply(c, s.spi_i, QUIET_MS, pkt, sizeof(pkt));
	react(pkt, n, NULL, r, NULL);
out:
	dh_free(dh);
	buf_free(&out);
	pl_free(&l);
	sess_free(&s);
}

static void case_init_len(struct ctx *c, int type, int delta)
{
	char name[120], slug[40];
	struct reaction r;
	snprintf(slug, sizeof(slug), "init-%s%+d", type ? pl_name((uint8_t)type) : "hdr", delta);
	c->slug = slug;
	c->seeds = 0;
	if (type)
		init_send(c, F_PL_LEN, type, delta, 19, 19, NULL, 0, &r);
	else
		init_send(c, F_HDR_LEN, 0, delta, 19, 19, NULL, 0, &r);
	if (type)
		snprintf(name, sizeof(name), "IKE_SA_INIT, %s payload length %+d: dropped", pl_name((uint8_t)type), delta);
	else
		snprintf(name, sizeof(name), "IKE_SA_INIT, IKE header message length %+d: dropped", delta);
	result(c, name, !r.got, r.text, "no response");
}

static void case_simple_init(struct ctx *c, const char *slug, const char *name, enum init_fault f, int type, int arg,
			     uint16_t pg, uint16_t kg, const uint8_t *ke, size_t kelen, int want_type,
			     int want_data, const char *want)
{
	struct reaction r;
	c->slug = slug;
	c->seeds = 0;
	init_send(c, f, type, arg, pg, kg, ke, kelen, &r);
	int ok;
	if (want_type < 0) /* a normal IKE_SA_INIT response */
		ok = r.got && !r.notify && r.npl >= 3 && r.types[1] == PL_KE;
	else if (want_type == 0)
		ok = !r.got;
	else
		ok = want_notify(&r, 0, EXCH_IKE_SA_INIT, 0, (uint16_t)want_type) &&
		     (want_data < 0 || (r.ndlen == 2 && get16(r.ndata) == want_data) ||
		      (r.ndlen == 1 && r.ndata[0] == want_data));
	if (ok && f == F_VERSION && want_type > 0)
		ok = r.version == IKE_VERSION; /* the version we speak, in the header */
	result(c, name, ok, r.text, want);
}

/* ---- IKE_AUTH cases ---- */

enum auth_fault { A_LEN, A_DUP, A_CRIT, A_EAP, A_SPI0, A_SIG_ALG, A_CERT_DER, A_NESTED, A_ID_DN, A_ID_V4 };

static void case_auth(struct ctx *c, enum auth_fault f, int type, int delta)
{
	struct sess s;
	struct plist l;
	struct reaction r;
	char name[160], slug[48];
	const char *want = "SK{INVALID_SYNTAX} msgid 1";
	uint16_t want_n = N_INVALID_SYNTAX;
	int logged0 = 0;
	const char *logreason = NULL;

	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "(no IKE SA to send it on)");
	switch (f) {
	case A_LEN:
		snprintf(slug, sizeof(slug), "auth-%s%+d", pl_name((uint8_t)type), delta);
		snprintf(name, sizeof(name), "IKE_AUTH, %s payload length %+d inside SK: INVALID_SYNTAX",
			 pl_name((uint8_t)type), delta);
		break;
	case A_DUP:
		snprintf(slug, sizeof(slug), "auth-two-%s", pl_name((uint8_t)type));
		snprintf(name, sizeof(name), "IKE_AUTH with two %s payloads: INVALID_SYNTAX", pl_name((uint8_t)type));
		break;
	case A_CRIT:
		snprintf(slug, sizeof(slug), "auth-critical");
		snprintf(name, sizeof(name), "IKE_AUTH with a critical unknown payload (200) inside SK: "
					     "UNSUPPORTED_CRITICAL_PAYLOAD(200)");
		want = "SK{UNSUPPORTED_CRITICAL_PAYLOAD(200)} msgid 1";
		want_n = N_UNSUPPORTED_CRITICAL_PAYLOAD;
		break;
	case A_EAP:
		snprintf(slug, sizeof(slug), "auth-eap");
		snprintf(name, sizeof(name), "IKE_AUTH with EAP instead of AUTH (EAP not configured): "
					     "AUTHENTICATION_FAILED, auth_failed reason=eap_not_configured logged");
		want = "SK{AUTHENTICATION_FAILED} msgid 1 and the log line";
		want_n = N_AUTHENTICATION_FAILED;
		logreason = "reason=eap_not_configured";
		break;
	case A_SPI0:
		snprintf(slug, sizeof(slug), "auth-esp-spi0");
		snprintf(name, sizeof(name), "IKE_AUTH with ESP SPI 0 (reserved, RFC 4303): INVALID_SYNTAX");
		break;
	case A_SIG_ALG:
		snprintf(slug, sizeof(slug), "auth-digsig-truncated");
		snprintf(name, sizeof(name), "IKE_AUTH, RFC 7427 AUTH with a truncated AlgorithmIdentifier: "
					     "AUTHENTICATION_FAILED, reason=bad_signature logged");
		want = "SK{AUTHENTICATION_FAILED} msgid 1 and the log line";
		want_n = N_AUTHENTICATION_FAILED;
		logreason = "reason=bad_signature";
		break;
	case A_CERT_DER:
		snprintf(slug, sizeof(slug), "auth-cert-garbage");
		snprintf(name, sizeof(name), "IKE_AUTH with a CERT that is not DER: AUTHENTICATION_FAILED, "
					     "reason=bad_certificate logged");
		want = "SK{AUTHENTICATION_FAILED} msgid 1 and the log line";
		want_n = N_AUTHENTICATION_FAILED;
		logreason = "reason=bad_certificate";
		break;
	case A_ID_DN: case A_ID_V4:
		snprintf(slug, sizeof(slug), f == A_ID_DN ? "auth-id-dn-garbage" : "auth-id-ipv4-short");
		snprintf(name, sizeof(name), "IKE_AUTH with %s: AUTHENTICATION_FAILED, reason=id_mismatch logged",
			 f == A_ID_DN ? "an IDi of type DER_ASN1_DN that is not DER" : "an IDi of type IPV4 with 3 bytes");
		want = "SK{AUTHENTICATION_FAILED} msgid 1 and the log line";
		want_n = N_AUTHENTICATION_FAILED;
		logreason = "reason=id_mismatch";
		break;
	case A_NESTED:
		snprintf(slug, sizeof(slug), "auth-sk-in-sk");
		snprintf(name, sizeof(name), "IKE_AUTH with an Encrypted payload inside SK (RFC 7296 3.14): INVALID_SYNTAX");
		break;
	}
	if (logreason)
		logged0 = log_count(c, "vpnd: auth_failed", logreason);
	c->slug = slug;
	c->seeds = 0;
	sess_new(&s);
	pl_init(&l);
	if (do_init(c, &s) == 0 && auth_payloads(&s, &c->bob, &l) == 0) {
		int i = pl_find(&l, (uint8_t)type);
		if (f == A_LEN && i >= 0) {
			l.p[i].dlen = delta;
		} else if (f == A_DUP && i >= 0 && l.n < PL_MAX) {
			memmove(&l.p[i + 2], &l.p[i + 1], sizeof(l.p[0]) * (size_t)(l.n - i - 1));
			l.n++;
			buf_init(&l.p[i + 1].body);
			buf_add(&l.p[i + 1].body, l.p[i].body.p, l.p[i].body.len);
			l.p[i + 1].type = l.p[i].type;
			l.p[i + 1].flags = 0;
			l.p[i + 1].dlen = 0;
		} else if (f == A_CRIT) {
			/* between AUTH and CP: vpnd must not act on the rest */
			int a = pl_find(&l, PL_AUTH);
			memmove(&l.p[a + 2], &l.p[a + 1], sizeof(l.p[0]) * (size_t)(l.n - a - 1));
			l.n++;
			memset(&l.p[a + 1], 0, sizeof(l.p[0]));
			buf_init(&l.p[a + 1].body);
			buf_add(&l.p[a + 1].body, "roadbox", 7);
			l.p[a + 1].type = 200;
			l.p[a + 1].flags = 0x80;
		} else if (f == A_EAP) {
			/* EAP-Response/Identity where the AUTH was (RFC 3748 5.1) */
			int a = pl_find(&l, PL_AUTH);
			static const uint8_t eap[] = { 2, 0, 0, 8, 1, 'b', 'o', 'b' };
			l.p[a].type = PL_EAP;
			l.p[a].body.len = 0;
			buf_add(&l.p[a].body, eap, sizeof(eap));
		} else if (f == A_SPI0) {
			int a = pl_find(&l, PL_SA);
			memset(l.p[a].body.p + 8, 0, 4); /* after the 8-byte proposal header */
		} else if (f == A_SIG_ALG) {
			/* method 14, then an AlgorithmIdentifier whose length byte
			 * promises more than the SEQUENCE holds */
			int a = pl_find(&l, PL_AUTH);
			static const uint8_t bad[] = { AUTH_DIGSIG, 0, 0, 0, 12, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86 };
			l.p[a].body.len = 0;
			buf_add(&l.p[a].body, bad, sizeof(bad));
		} else if (f == A_ID_DN || f == A_ID_V4) {
			static const uint8_t dn[] = { ID_DER_DN, 0, 0, 0, 0x30, 0x82, 0xff, 0xff, 0x31, 0x05, 0x30 };
			static const uint8_t v4[] = { ID_IPV4, 0, 0, 0, 10, 0, 0 };
			int a = pl_find(&l, PL_IDI);
			l.p[a].body.len = 0;
			if (f == A_ID_DN)
				buf_add(&l.p[a].body, dn, sizeof(dn));
			else
				buf_add(&l.p[a].body, v4, sizeof(v4));
		} else if (f == A_NESTED) {
			uint8_t junk[48];
			RAND_bytes(junk, sizeof(junk));
			pl_add(&l, PL_SK, NULL, 0, junk, sizeof(junk)); /* last, as an SK must be */
		} else if (f == A_CERT_DER) {
			int a = pl_find(&l, PL_CERT);
			l.p[a].body.len = 1 + 40; /* the encoding byte, then 40 bytes of the real DER */
		}
		sk_request(c, &s, EXCH_IKE_AUTH, 1, &l, 0, &r, NULL);
	}
	int ok = want_notify(&r, 1, EXCH_IKE_AUTH, 1, want_n);
	if (ok && f == A_CRIT)
		ok = r.ndlen == 1 && r.ndata[0] == 200;
	if (ok && logreason) {
		/* the log line may trail the response a little */
		int n = logged0;
		for (int i = 0; i < 20 && n == logged0; i++) {
			n = log_count(c, "vpnd: auth_failed", logreason);
			if (n == logged0)
				usleep(50000);
		}
		ok = logged0 >= 0 && n > logged0;
		if (!ok) {
			strncat(r.text, ", but no auth_failed line with ", sizeof(r.text) - strlen(r.text) - 1);
			strncat(r.text, logreason, sizeof(r.text) - strlen(r.text) - 1);
		}
	}
	result(c, name, ok, r.text, want);
	pl_free(&l);
	sess_free(&s);
}

/* CREATE_CHILD_SA as the first exchange after IKE_SA_INIT. */
static void case_child_before_auth(struct ctx *c)
{
	struct sess s;
	struct plist l, e;
	struct reaction r, r2;
	char got[400];
	int ok = 0;

	c->slug = "child-before-auth";
	c->seeds = 0;
	sess_new(&s);
	pl_init(&l);
	pl_init(&e);
	snprintf(got, sizeof(got), "(no IKE SA to send it on)");
	if (do_init(c, &s) == 0 && auth_payloads(&s, &c->bob, &l) == 0) {
		/* CREATE_CHILD_SA { SA, Ni, TSi, TSr } from the IKE_AUTH payloads */
		struct plist cc;
		pl_init(&cc);
		const int keep[] = { PL_SA, PL_TSI, PL_TSR };
		for (int k = 0; k < 3; k++) {
			int i = pl_find(&l, (uint8_t)keep[k]);
			pl_add(&cc, l.p[i].type, NULL, 0, l.p[i].body.p, l.p[i].body.len);
			if (keep[k] == PL_SA)
				pl_add(&cc, PL_NONCE, NULL, 0, s.ni, sizeof(s.ni));
		}
		sk_request(c, &s, EXCH_CREATE_CHILD_SA, 1, &cc, 0, &r, NULL);
		pl_free(&cc);
		c->seeds = 2; /* the follow-up is no seed */
		sk_request(c, &s, EXCH_INFORMATIONAL, 2, &e, 0, &r2, NULL);
		ok = want_notify(&r, 1, EXCH_CREATE_CHILD_SA, 1, N_INVALID_SYNTAX) && r2.got && r2.enc &&
		     !r2.decrypt_failed && r2.msgid == 2;
		snprintf(got, sizeof(got), "%s; next request: %s", r.text, r2.text);
	}
	result(c, "CREATE_CHILD_SA before IKE_AUTH: INVALID_SYNTAX, message IDs stay in step", ok, got,
	       "SK{INVALID_SYNTAX} msgid 1, then msgid 2 answered");
	pl_free(&l);
	pl_free(&e);
	sess_free(&s);
}

/* On an established IKE SA: a Delete for ESP SPIs we never had. */
static void case_delete_unknown(struct ctx *c)
{
	struct sess s;
	struct plist l;
	struct reaction r1, r2, r3;
	char got[560];
	int ok = 0;

	c->slug = "info-delete-unknown-spi";
	c->seeds = 0;
	pl_init(&l);
	snprintf(got, sizeof(got), "(could not establish an IKE SA)");
	if (establish(c, &s, &c->bob) == 0) {
		uint8_t d[12] = { PROTO_ESP, 4, 0, 2, 0xde, 0xad, 0xbe, 0xef, 0x0b, 0xad, 0xf0, 0x0d };
		pl_add(&l, PL_DELETE, NULL, 0, d, sizeof(d));
		sk_request(c, &s, EXCH_INFORMATIONAL, 2, &l, 0, &r1, NULL);
		pl_free(&l);
		c->seeds = 2;
		/* liveness, then the Delete of our real CHILD_SA: it was still there */
		sk_request(c, &s, EXCH_INFORMATIONAL, 3, &l, 0, &r2, NULL);
		uint8_t d2[8] = { PROTO_ESP, 4, 0, 1 };
		put32(d2 + 4, s.esp_spi);
		pl_add(&l, PL_DELETE, NULL, 0, d2, sizeof(d2));
		sk_request(c, &s, EXCH_INFORMATIONAL, 4, &l, 0, &r3, NULL);
		ok = r1.got && r1.enc && !r1.decrypt_failed && r1.npl == 0 && r1.msgid == 2 && r2.got && r2.enc &&
		     !r2.decrypt_failed && r2.msgid == 3 && r3.got && r3.enc && r3.msgid == 4 &&
		     r3.del_proto == PROTO_ESP && r3.del_spi != 0;
		snprintf(got, sizeof(got), "%s; liveness: %s; Delete of the real CHILD_SA: %s", r1.text, r2.text,
			 r3.text);
		close_sa(c, &s, 5);
		sess_free(&s);
	}
	result(c, "INFORMATIONAL Delete for unknown ESP SPIs: empty response, the tunnel stays", ok, got,
	       "SK{} msgid 2, liveness answered, the CHILD_SA still deletable");
	pl_free(&l);
}

/* On an established IKE SA: an INFORMATIONAL whose Delete length is off. */
static void case_info_len(struct ctx *c, int delta)
{
	struct sess s;
	struct plist l;
	struct reaction r1, r2;
	char got[400], slug[40], name[160];
	int ok = 0;

	snprintf(slug, sizeof(slug), "info-D%+d", delta);
	c->slug = slug;
	c->seeds = 0;
	pl_init(&l);
	snprintf(got, sizeof(got), "(could not establish an IKE SA)");
	if (establish(c, &s, &c->bob) == 0) {
		uint8_t d[8] = { PROTO_ESP, 4, 0, 1, 0xde, 0xad, 0xbe, 0xef };
		pl_add(&l, PL_DELETE, NULL, 0, d, sizeof(d));
		l.p[0].dlen = delta;
		sk_request(c, &s, EXCH_INFORMATIONAL, 2, &l, 0, &r1, NULL);
		pl_free(&l);
		c->seeds = 2;
		sk_request(c, &s, EXCH_INFORMATIONAL, 3, &l, 0, &r2, NULL);
		ok = want_notify(&r1, 1, EXCH_INFORMATIONAL, 2, N_INVALID_SYNTAX) && r2.got && r2.enc &&
		     !r2.decrypt_failed && r2.msgid == 3 && !r2.notify;
		snprintf(got, sizeof(got), "%s; liveness: %s", r1.text, r2.text);
		close_sa(c, &s, 4);
		sess_free(&s);
	}
	snprintf(name, sizeof(name), "INFORMATIONAL, D payload length %+d inside SK: INVALID_SYNTAX, the IKE SA stays",
		 delta);
	result(c, name, ok, got, "SK{INVALID_SYNTAX} msgid 2, then liveness answered");
	pl_free(&l);
}

/* IKE_AUTH with a message ID ahead of the window: dropped (RFC 7296
 * 2.3), and the right one still works afterwards. */
static void case_msgid_window(struct ctx *c)
{
	struct sess s;
	struct plist l;
	struct reaction r1, r2;
	struct ike_msg *in = calloc(1, sizeof(*in));
	static uint8_t pkt[65536];
	struct whdr h;
	struct buf out, inb;
	uint8_t first;
	char got[400];
	int ok = 0;

	c->slug = "auth-msgid-5";
	c->seeds = 0;
	sess_new(&s);
	pl_init(&l);
	buf_init(&out);
	buf_init(&inb);
	snprintf(got, sizeof(got), "(no IKE SA to send it on)");
	if (in && do_init(c, &s) == 0 && auth_payloads(&s, &c->bob, &l) == 0) {
		hdr_for(&h, &s, EXCH_IKE_AUTH, 5);
		if (msg_sk(&h, &s.keys, &l, &out, &first, &inb) == 0) {
			seed(c, 1, 0, &out);
			xmit(c, &out);
			react(pkt, wait_reply(c, s.spi_i, QUIET_MS, pkt, sizeof(pkt)), &s, &r1, NULL);
			c->seeds = 2;
			sk_request(c, &s, EXCH_IKE_AUTH, 1, &l, 0, &r2, in);
			ok = !r1.got && r2.got && r2.enc && !r2.notify && r2.msgid == 1 && auth_check(&s, &c->bob, in) == 0;
			snprintf(got, sizeof(got), "%s; then message 1: %s", r1.text, r2.text);
		}
	}
	result(c, "IKE_AUTH with message ID 5 (window is 1): dropped, then message 1 establishes", ok, got,
	       "no response, then the IKE SA established on message 1");
	buf_free(&out);
	buf_free(&inb);
	pl_free(&l);
	sess_free(&s);
	free(in);
}

/* IKE_AUTH in Encrypted Fragments (RFC 7383) with bad numbering: the bad
 * fragment is dropped (2.6.2), and the real fragments still complete. */
enum frag_fault { FR_NONE, FR_ZERO, FR_BEYOND, FR_TOTAL, FR_MIXED, FR_INNER };

static void frag_send(struct ctx *c, struct sess *s, uint16_t num, uint16_t total, uint8_t first, const uint8_t *p,
		      size_t len, int as_seed)
{
	struct whdr h;
	struct buf out;
	buf_init(&out);
	hdr_for(&h, s, EXCH_IKE_AUTH, 1);
	if (msg_skf(&h, &s->keys, num, total, first, p, len, &out) == 0) {
		if (as_seed)
			seed(c, 1, 0, &out);
		xmit(c, &out);
	}
	buf_free(&out);
}

static void case_frag(struct ctx *c, enum frag_fault f)
{
	static uint8_t pkt[65536];
	static const char *names[] = {
		"IKE_AUTH in two Encrypted Fragments: answered (control)",
		"Encrypted Fragment number 0: dropped, the real fragments still complete",
		"Encrypted Fragment 3 of 2: dropped, the real fragments still complete",
		"Encrypted Fragment 1 of 200 (over vpnd's 32): dropped, the real fragments still complete",
		"Encrypted Fragments 1 of 2 then 2 of 3 (total changes): incomplete, no answer; the real ones complete",
		"IKE_AUTH in two fragments, IDi length +1 after reassembly: INVALID_SYNTAX",
	};
	static const char *slugs[] = { "skf-valid", "skf-zero", "skf-beyond", "skf-total", "skf-mixed", "skf-inner" };
	struct sess s;
	struct plist l;
	struct buf chain;
	struct reaction r1, r2;
	char got[400];
	int ok = 0;

	c->slug = slugs[f];
	c->seeds = 0;
	sess_new(&s);
	pl_init(&l);
	buf_init(&chain);
	memset(&r1, 0, sizeof(r1));
	snprintf(got, sizeof(got), "(no IKE SA to send it on)");
	if (do_init_ex(c, &s, 1) == 0 && auth_payloads(&s, &c->bob, &l) == 0) {
		if (f == FR_INNER)
			l.p[pl_find(&l, PL_IDI)].dlen = 1;
		uint8_t first = pl_chain(&l, &chain);
		size_t half = chain.len / 2;
		const uint8_t *a = chain.p, *b = chain.p + half;
		size_t al = half, bl = chain.len - half;
		switch (f) {
		case FR_ZERO: frag_send(c, &s, 0, 2, first, a, al, 1); break;
		case FR_BEYOND: frag_send(c, &s, 3, 2, 0, b, bl, 1); break;
		case FR_TOTAL: frag_send(c, &s, 1, 200, first, a, al, 1); break;
		case FR_MIXED:
			frag_send(c, &s, 1, 2, first, a, al, 1);
			frag_send(c, &s, 2, 3, 0, b, bl, 0);
			break;
		default: break;
		}
		if (f != FR_NONE && f != FR_INNER)
			react(pkt, wait_reply(c, s.spi_i, QUIET_MS, pkt, sizeof(pkt)), &s, &r1, NULL);
		/* now the real two fragments (for FR_INNER: the mangled ones) */
		c->seeds = f == FR_NONE || f == FR_INNER ? 0 : 2;
		frag_send(c, &s, 1, 2, first, a, al, f == FR_NONE || f == FR_INNER);
		c->seeds = 2;
		frag_send(c, &s, 2, 2, 0, b, bl, 0);
		react(pkt, wait_reply(c, s.spi_i, ANSWER_MS, pkt, sizeof(pkt)), &s, &r2, NULL);
		if (f == FR_INNER) {
			ok = want_notify(&r2, 1, EXCH_IKE_AUTH, 1, N_INVALID_SYNTAX);
			snprintf(got, sizeof(got), "%s", r2.text);
		} else {
			/* an answer with no error: the response (fragmented, it is big) */
			ok = r2.got && r2.enc && !r2.decrypt_failed && !r2.notify && r2.msgid == 1 &&
			     (f == FR_NONE || !r1.got);
			if (f == FR_NONE)
				snprintf(got, sizeof(got), "%s", r2.text);
			else
				snprintf(got, sizeof(got), "%s; then the real fragments: %s", r1.text, r2.text);
		}
	}
	result(c, names[f], ok, got, f == FR_INNER ? "SK{INVALID_SYNTAX} msgid 1" :
				     f == FR_NONE ? "an encrypted IKE_AUTH response" :
				     "no response, then an encrypted IKE_AUTH response");
	buf_free(&chain);
	pl_free(&l);
	sess_free(&s);
}

/* CREATE_CHILD_SA on an established IKE SA: a rekey of a CHILD_SA that
 * does not exist, an invalid PFS value, a duplicate Nonce.  Each gets its
 * encrypted error notify, and the IKE SA still answers afterwards. */
enum cc_fault { CC_UNKNOWN, CC_BADKE, CC_TWO_NONCE };

static void case_create_child(struct ctx *c, enum cc_fault f)
{
	static const char *names[] = {
		"CREATE_CHILD_SA rekeying an unknown CHILD_SA: CHILD_SA_NOT_FOUND, the IKE SA stays",
		"CREATE_CHILD_SA with a PFS KE point off the curve (RFC 6989): INVALID_SYNTAX, the IKE SA stays",
		"CREATE_CHILD_SA with two Nonce payloads: INVALID_SYNTAX, the IKE SA stays",
	};
	static const char *slugs[] = { "child-rekey-unknown", "child-pfs-offcurve", "child-two-nonce" };
	static const uint16_t want[] = { N_CHILD_SA_NOT_FOUND, N_INVALID_SYNTAX, N_INVALID_SYNTAX };
	struct sess s;
	struct plist l, e;
	struct reaction r1, r2;
	char got[400];
	int ok = 0;

	c->slug = slugs[f];
	c->seeds = 0;
	pl_init(&l);
	pl_init(&e);
	snprintf(got, sizeof(got), "(could not establish an IKE SA)");
	if (establish(c, &s, &c->bob) == 0) {
		uint8_t rk[8] = { PROTO_ESP, 4, N_REKEY_SA >> 8, N_REKEY_SA & 0xff };
		put32(rk + 4, f == CC_UNKNOWN ? 0xdeadbeef : s.esp_spi);
		struct ike_proposal esp = { .num = 1, .proto = PROTO_ESP, .spisize = 4, .ntrans = 3,
					    .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_DH, 19, 0 }, { TT_ESN, 0, 0 } } };
		RAND_bytes(esp.spi, 4);
		esp.spi[0] |= 0x40;
		struct ike_builder b;
		ikeb_init(&b);
		ikeb_proposal(&b, &esp);
		struct ike_ts any = { .type = TS_IPV4_ADDR_RANGE, .sport = 0, .eport = 65535, .saddr = 0,
				      .eaddr = 0xffffffffu };
		struct ike_builder ts;
		ikeb_init(&ts);
		ikeb_ts(&ts, PL_TSI, &any, 1);
		uint8_t kh[4] = { 0, 19, 0, 0 }, pt[64], ni[32];
		struct dh *dh = dh_new(19);
		if (dh)
			dh_public(dh, pt, sizeof(pt));
		dh_free(dh);
		if (f == CC_BADKE) {
			memset(pt, 0, sizeof(pt));
			pt[31] = pt[63] = 1;
		}
		RAND_bytes(ni, sizeof(ni));
		pl_add(&l, PL_NOTIFY, NULL, 0, rk, sizeof(rk));
		pl_add(&l, PL_SA, NULL, 0, b.b.p + 4, b.b.len - 4);
		pl_add(&l, PL_NONCE, NULL, 0, ni, sizeof(ni));
		if (f == CC_TWO_NONCE)
			pl_add(&l, PL_NONCE, NULL, 0, ni, sizeof(ni));
		pl_add(&l, PL_KE, kh, 4, pt, sizeof(pt));
		pl_add(&l, PL_TSI, NULL, 0, ts.b.p + 4, ts.b.len - 4);
		pl_add(&l, PL_TSR, NULL, 0, ts.b.p + 4, ts.b.len - 4);
		ikeb_free(&b);
		ikeb_free(&ts);
		sk_request(c, &s, EXCH_CREATE_CHILD_SA, 2, &l, 0, &r1, NULL);
		c->seeds = 2;
		sk_request(c, &s, EXCH_INFORMATIONAL, 3, &e, 0, &r2, NULL);
		ok = want_notify(&r1, 1, EXCH_CREATE_CHILD_SA, 2, want[f]) && r2.got && r2.enc && !r2.decrypt_failed &&
		     r2.msgid == 3 && !r2.notify;
		snprintf(got, sizeof(got), "%s; liveness: %s", r1.text, r2.text);
		close_sa(c, &s, 4);
		sess_free(&s);
	}
	result(c, names[f], ok, got, "the error notify on msgid 2, then liveness answered");
	pl_free(&l);
}

/* A request for an IKE SA vpnd does not have. */
static void case_unknown_spi(struct ctx *c)
{
	static uint8_t pkt[65536];
	struct sess s;
	struct plist l;
	struct whdr h;
	struct buf out, in;
	struct reaction r;
	uint8_t first;

	c->slug = "unknown-ike-spi";
	c->seeds = 0;
	sess_new(&s);
	pl_init(&l);
	buf_init(&out);
	buf_init(&in);
	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "(no IKE SA to take keys from)");
	if (do_init(c, &s) == 0) {
		RAND_bytes(s.spi_r, 8); /* keys of a real SA, an SPI nobody has */
		hdr_for(&h, &s, EXCH_INFORMATIONAL, 1);
		if (msg_sk(&h, &s.keys, &l, &out, &first, &in) == 0) {
			seed(c, 1, 0, &out);
			xmit(c, &out);
			size_t n = wait_reply(c, s.spi_i, QUIET_MS, pkt, sizeof(pkt));
			react(pkt, n, &s, &r, NULL);
		}
	}
	result(c, "INFORMATIONAL for an unknown IKE SPI: dropped", !r.got, r.text, "no response");
	buf_free(&out);
	buf_free(&in);
	pl_free(&l);
	sess_free(&s);
}

/* ---- main ---- */

static int load_cred(struct cred *cr, const char *dir, const char *name, const char *id, X509 *srv)
{
	char path[512];
	FILE *f;
	X509 *x = NULL;
	unsigned char *der = NULL;
	int l;

	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	if (!(f = fopen(path, "r")))
		return -1;
	cr->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	if (!(f = fopen(path, "r")))
		return -1;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cr->key || !x || (l = i2d_X509(x, &der)) <= 0) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	cr->der = der;
	cr->derlen = (size_t)l;
	snprintf(cr->id, sizeof(cr->id), "%s", id);
	cr->server_pub = X509_get0_pubkey(srv);
	return 0;
}

int main(int argc, char **argv)
{
	const char *ip = "127.0.0.1", *dir = NULL;
	struct ctx c = { .fd = -1, .max_msg = 0 };
	int opt;

	while ((opt = getopt(argc, argv, "t:d:l:w:M:")) != -1) {
		switch (opt) {
		case 't': ip = optarg; break;
		case 'd': dir = optarg; break;
		case 'l': c.log = optarg; break;
		case 'w': c.corpus = optarg; break;
		case 'M': c.max_msg = (unsigned)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(IKE_PORT) };
	if (!dir || inet_pton(AF_INET, ip, &to.sin_addr) != 1)
		goto usage;
	char path[512];
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	FILE *f = fopen(path, "r");
	X509 *srv = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!srv || load_cred(&c.bob, dir, "bob", "bob@test", srv) < 0 ||
	    load_cred(&c.alice, dir, "alice", "alice@test", srv) < 0) {
		fprintf(stderr, "main: cannot load the test CA's certificates from %s\n", dir);
		return 2;
	}
	c.fd = socket(AF_INET, SOCK_DGRAM, 0);
	int big = 1 << 20;
	if (c.fd < 0 || setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) < 0 ||
	    connect(c.fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("main: socket");
		return 2;
	}

	/* the witness: an IKE SA held open across every case */
	struct sess witness;
	double ms;
	int have_witness = establish(&c, &witness, &c.alice) == 0;
	printf("%s - witness IKE SA (alice@test) established before the cases\n", have_witness ? "ok" : "not ok");
	tap_failed |= !have_witness;

	/* IKE_SA_INIT: every payload, and the header, with its length off by one */
	const int init_types[] = { PL_SA, PL_KE, PL_NONCE, PL_NOTIFY, 0 };
	for (size_t i = 0; i < sizeof(init_types) / sizeof(init_types[0]); i++) {
		case_init_len(&c, init_types[i], +1);
		case_init_len(&c, init_types[i], -1);
	}
	case_simple_init(&c, "init-ke-empty", "IKE_SA_INIT, zero-length KE: dropped", F_NONE, 0, 0, 19, 19,
			 (const uint8_t *)"", 0, 0, -1, "no response");
	{
		uint8_t v[256];
		RAND_bytes(v, sizeof(v));
		case_simple_init(&c, "init-ke-group", "KE for group 14 when 19 was proposed: INVALID_KE_PAYLOAD(19)",
				 F_NONE, 0, 0, 19, 14, v, sizeof(v), N_INVALID_KE_PAYLOAD, 19,
				 "INVALID_KE_PAYLOAD(19)");
		BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
		memset(v, 0, sizeof(v));
		case_simple_init(&c, "init-modp-0", "MODP2048 public value 0: refused (RFC 6989), no response", F_NONE, 0,
				 0, 14, 14, v, sizeof(v), 0, -1, "no response");
		v[255] = 1;
		case_simple_init(&c, "init-modp-1", "MODP2048 public value 1: refused (RFC 6989), no response", F_NONE, 0,
				 0, 14, 14, v, sizeof(v), 0, -1, "no response");
		if (p && BN_sub_word(p, 1) && BN_bn2binpad(p, v, sizeof(v)) == (int)sizeof(v))
			case_simple_init(&c, "init-modp-pm1", "MODP2048 public value p-1: refused (RFC 6989), no response",
					 F_NONE, 0, 0, 14, 14, v, sizeof(v), 0, -1, "no response");
		BN_free(p);
		case_simple_init(&c, "init-modp-valid", "MODP2048 valid public value: answered (control)", F_NONE, 0, 0,
				 14, 14, NULL, 0, -1, -1, "an IKE_SA_INIT response");
		uint8_t pt[64];
		memset(pt, 0, sizeof(pt));
		pt[31] = 1;
		pt[63] = 1;
		case_simple_init(&c, "init-ecp-offcurve", "ecp256 point (1,1) off the curve: refused, no response", F_NONE,
				 0, 0, 19, 19, pt, sizeof(pt), 0, -1, "no response");
		memset(pt, 0, sizeof(pt));
		case_simple_init(&c, "init-ecp-zero", "ecp256 point (0,0): refused, no response", F_NONE, 0, 0, 19, 19,
				 pt, sizeof(pt), 0, -1, "no response");
		case_simple_init(&c, "init-ke-short", "KE one byte shorter than group 19 needs: dropped", F_NONE, 0, 0,
				 19, 19, pt, sizeof(pt) - 1, 0, -1, "no response");
	}
	case_simple_init(&c, "init-critical", "IKE_SA_INIT with a critical unknown payload (200): "
			 "UNSUPPORTED_CRITICAL_PAYLOAD(200)", F_CRIT, 200, 0, 19, 19, NULL, 0,
			 N_UNSUPPORTED_CRITICAL_PAYLOAD, 200, "UNSUPPORTED_CRITICAL_PAYLOAD(200)");
	case_simple_init(&c, "init-noncritical", "IKE_SA_INIT with a non-critical unknown payload: skipped, answered",
			 F_NONCRIT, 200, 0, 19, 19, NULL, 0, -1, -1, "an IKE_SA_INIT response");
	case_simple_init(&c, "init-two-SA", "IKE_SA_INIT with two SA payloads: dropped", F_DUP, PL_SA, 0, 19, 19, NULL,
			 0, 0, -1, "no response");
	case_simple_init(&c, "init-two-KE", "IKE_SA_INIT with two KE payloads: dropped", F_DUP, PL_KE, 0, 19, 19, NULL,
			 0, 0, -1, "no response");
	case_simple_init(&c, "init-two-Nonce", "IKE_SA_INIT with two Nonce payloads: dropped", F_DUP, PL_NONCE, 0, 19,
			 19, NULL, 0, 0, -1, "no response");
	case_simple_init(&c, "init-version-3", "IKE_SA_INIT with major version 3: INVALID_MAJOR_VERSION, answered as 2.0",
			 F_VERSION, 0, 0x30, 19, 19, NULL, 0, N_INVALID_MAJOR_VERSION, -1, "INVALID_MAJOR_VERSION");
	case_simple_init(&c, "init-version-1", "IKE_SA_INIT with major version 1 (IKEv1 header): dropped", F_VERSION,
			 0, 0x10, 19, 19, NULL, 0, 0, -1, "no response");
	case_simple_init(&c, "init-nonce-short", "IKE_SA_INIT with an 8-byte Nonce (under 128 bits, RFC 7296 2.10): "
			 "dropped", F_NONCE_LEN, PL_NONCE, 8, 19, 19, NULL, 0, 0, -1, "no response");
	case_simple_init(&c, "init-response-flag", "IKE_SA_INIT request with the Response flag set: dropped", F_FLAGS, 0,
			 HDR_F_INITIATOR | HDR_F_RESPONSE, 19, 19, NULL, 0, 0, -1, "no response");
	case_simple_init(&c, "init-truncated", "IKE header truncated to 20 bytes: dropped", F_TRUNC, 0, 20, 19, 19,
			 NULL, 0, 0, -1, "no response");
	if (c.max_msg) {
		char nm[120];
		snprintf(nm, sizeof(nm), "IKE_SA_INIT of %u bytes (over max_message_size %u): dropped", c.max_msg + 1000,
			 c.max_msg);
		case_simple_init(&c, "init-oversized", nm, F_BIG, 0, (int)c.max_msg + 1000 - 200, 19, 19, NULL, 0, 0, -1,
				 "no response");
	}

	/* IKE_AUTH: every payload inside SK with its length off by one */
	const int auth_types[] = { PL_IDI, PL_CERT, PL_AUTH, PL_CP, PL_SA, PL_TSI, PL_TSR, PL_NOTIFY };
	for (size_t i = 0; i < sizeof(auth_types) / sizeof(auth_types[0]); i++) {
		case_auth(&c, A_LEN, auth_types[i], +1);
		case_auth(&c, A_LEN, auth_types[i], -1);
	}
	case_auth(&c, A_DUP, PL_IDI, 0);
	case_auth(&c, A_DUP, PL_AUTH, 0);
	case_auth(&c, A_CRIT, 200, 0);
	case_auth(&c, A_EAP, PL_AUTH, 0);
	case_auth(&c, A_SPI0, PL_SA, 0);
	case_auth(&c, A_SIG_ALG, PL_AUTH, 0);
	case_auth(&c, A_CERT_DER, PL_CERT, 0);
	case_auth(&c, A_NESTED, PL_SK, 0);
	case_auth(&c, A_ID_DN, PL_IDI, 0);
	case_auth(&c, A_ID_V4, PL_IDI, 0);
	case_child_before_auth(&c);
	case_msgid_window(&c);
	for (int k = FR_NONE; k <= FR_INNER; k++)
		case_frag(&c, (enum frag_fault)k);
	case_delete_unknown(&c);
	for (int k = CC_UNKNOWN; k <= CC_TWO_NONCE; k++)
		case_create_child(&c, (enum cc_fault)k);
	case_info_len(&c, +1);
	case_info_len(&c, -1);
	case_unknown_spi(&c);

	/* afterwards: the witness still answers, a fresh handshake completes */
	if (have_witness) {
		struct plist e;
		struct reaction r;
		pl_init(&e);
		c.corpus = NULL;
		sk_request(&c, &witness, EXCH_INFORMATIONAL, 2, &e, 0, &r, NULL);
		int ok = r.got && r.enc && !r.decrypt_failed && r.msgid == 2 && !r.notify;
		printf("%s - witness IKE SA (alice@test) still answers a liveness check after every case: %s\n",
		       ok ? "ok" : "not ok", r.text);
		tap_failed |= !ok;
		sess_free(&witness);
	}
	int serves = still_serves(&c, &ms);
	printf("%s - a valid handshake completes after every case (%.0f ms)\n", serves ? "ok" : "not ok", ms);
	tap_failed |= !serves;
	close(c.fd);
	EVP_PKEY_free(c.bob.key);
	EVP_PKEY_free(c.alice.key);
	OPENSSL_free(c.bob.der);
	OPENSSL_free(c.alice.der);
	X509_free(srv);
	return tap_failed;
usage:
	fprintf(stderr, "usage: ikemangle -t IP -d CADIR [-l vpnd.log] [-w corpus-dir] [-M max_message_size]\n");
	return 2;
}
