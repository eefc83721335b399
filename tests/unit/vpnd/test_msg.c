/* Message parsing/building: round trips of every payload we build, every
 * truncation of a valid message rejected cleanly, bad lengths, critical
 * unknown payloads. */
#include "tap.h"
#include "../../../src/vpnd/cfg_payload.h"
#include "../../../src/vpnd/config.h"
#include "../../../src/vpnd/dh.h"
#include "../../../src/vpnd/ike_msg.h"
#include "../../../src/vpnd/sa.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void test_msg(void);
int build_sample(struct buf *out);

static const uint8_t SPI_I[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, SPI_R[8] = { 0 };

/* A message with one of every payload type we parse. */
int build_sample(struct buf *out)
{
	struct ike_builder b;
	struct ike_proposal p = { .num = 1, .proto = PROTO_IKE, .ntrans = 4,
		.t = { { TT_ENCR, ENCR_AES_CBC, 256 }, { TT_PRF, 5, 0 }, { TT_INTEG, 12, 0 }, { TT_DH, 19, 0 } } };
	struct ike_ts ts[2] = { { TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0, 0xffffffffu },
				{ TS_IPV4_ADDR_RANGE, 17, 53, 53, 0x0a000000, 0x0a0000ff } };
	uint8_t ke[64], nonce[32], h4[4] = { 19 >> 8, 19, 0, 0 };
	memset(ke, 0xaa, sizeof(ke));
	memset(nonce, 0x55, sizeof(nonce));
	ikeb_init(&b);
	ikeb_header(&b, SPI_I, SPI_R, EXCH_IKE_SA_INIT, HDR_F_INITIATOR, 0);
	ikeb_proposal(&b, &p);
	ikeb_simple(&b, PL_KE, h4, 4, ke, sizeof(ke));
	ikeb_simple(&b, PL_NONCE, NULL, 0, nonce, sizeof(nonce));
	ikeb_notify(&b, 0, N_NAT_DETECTION_SOURCE_IP, NULL, 0, nonce, 20);
	ikeb_notify(&b, PROTO_ESP, N_INVALID_SPI, (const uint8_t *)"\x01\x02\x03\x04", 4, NULL, 0);
	uint8_t idh[4] = { ID_FQDN, 0, 0, 0 };
	ikeb_simple(&b, PL_IDI, idh, 4, "client.example", 14);
	uint8_t ah[4] = { AUTH_RSA, 0, 0, 0 };
	ikeb_simple(&b, PL_AUTH, ah, 4, nonce, 16);
	uint8_t ce = CERT_X509_SIG;
	ikeb_simple(&b, PL_CERT, &ce, 1, ke, 10);
	ikeb_simple(&b, PL_CERTREQ, &ce, 1, nonce, 20);
	ikeb_ts(&b, PL_TSI, ts, 2);
	ikeb_ts(&b, PL_TSR, ts, 1);
	uint8_t del[8] = { PROTO_ESP, 4, 0, 1, 0xc0, 0, 0, 1 };
	ikeb_simple(&b, PL_DELETE, NULL, 0, del, 8);
	struct vpnd_config c;
	struct cp_request r = { 1, 1, 1, 1 };
	config_defaults(&c);
	c.ndns = 2; c.dns[0] = 0x0a630001; c.dns[1] = 0xc0000235;
	c.nnbns = 1; c.nbns[0] = 0x0a630001;
	cp_build_reply(&b, 0x0a630002, &c, &r);
	ikeb_simple(&b, PL_VENDOR, NULL, 0, "roadbox", 7);
	ikeb_finish(&b);
	*out = b.b;
	return b.b.err ? -1 : 0;
}

static void test_roundtrip(void)
{
	struct buf m;
	struct ike_msg *msg = calloc(1, sizeof(*msg));
	OK(build_sample(&m) == 0, "build a message with every payload type");
	OK(ike_parse(m.p, m.len, msg) == 0, "parse it back");
	OK(msg->npl == 14 && msg->hdr.exch == EXCH_IKE_SA_INIT && msg->hdr.length == m.len &&
	   !memcmp(msg->hdr.spi_i, SPI_I, 8), "header and payload count");

	struct ike_proposal props[4];
	int n;
	const struct ike_payload *sa = ike_find(msg, PL_SA);
	OK(sa && ike_parse_sa(sa->body, sa->len, props, 4, &n) == 0 && n == 1 && props[0].ntrans == 4 &&
	   props[0].t[0].id == ENCR_AES_CBC && props[0].t[0].keylen == 256 && props[0].t[3].id == 19,
	   "SA payload round trip (transforms, key length attribute)");
	uint16_t g;
	const uint8_t *d;
	size_t dl;
	const struct ike_payload *ke = ike_find(msg, PL_KE);
	OK(ke && ike_parse_ke(ke->body, ke->len, &g, &d, &dl) == 0 && g == 19 && dl == 64 && d[0] == 0xaa,
	   "KE payload round trip");
	struct ike_notify nt;
	OK(ike_find_notify(msg, N_INVALID_SPI, &nt) == 0 && nt.proto == PROTO_ESP && nt.spisize == 4 &&
	   nt.spi[3] == 4 && nt.datalen == 0, "notify with SPI round trip");
	OK(ike_find_notify(msg, N_NAT_DETECTION_SOURCE_IP, &nt) == 0 && nt.datalen == 20, "notify with data round trip");
	uint8_t t;
	const struct ike_payload *id = ike_find(msg, PL_IDI);
	OK(id && ike_parse_id(id->body, id->len, &t, &d, &dl) == 0 && t == ID_FQDN && dl == 14 &&
	   !memcmp(d, "client.example", 14), "ID payload round trip");
	struct ike_ts ts[4];
	const struct ike_payload *tsi = ike_find(msg, PL_TSI);
	OK(tsi && ike_parse_ts(tsi->body, tsi->len, ts, 4, &n) == 0 && n == 2 && ts[1].proto == 17 &&
	   ts[1].sport == 53 && ts[1].saddr == 0x0a000000 && ts[1].eaddr == 0x0a0000ff, "TS payload round trip");
	uint8_t proto, spisize;
	uint16_t num;
	const struct ike_payload *del = ike_find(msg, PL_DELETE);
	OK(del && ike_parse_delete(del->body, del->len, &proto, &spisize, &num, &d) == 0 && proto == PROTO_ESP &&
	   num == 1 && get32(d) == 0xc0000001, "Delete payload round trip");
	struct ike_cp_attr a[8];
	const struct ike_payload *cp = ike_find(msg, PL_CP);
	OK(cp && ike_parse_cp(cp->body, cp->len, &t, a, 8, &n) == 0 && t == CFG_REPLY && n == 4 &&
	   a[0].type == CA_INTERNAL_IP4_ADDRESS && get32(a[0].val) == 0x0a630002 &&
	   a[1].type == CA_INTERNAL_IP4_DNS && a[2].type == CA_INTERNAL_IP4_DNS && get32(a[2].val) == 0xc0000235 &&
	   a[3].type == CA_INTERNAL_IP4_NBNS, "CP reply: address, 2 DNS, NBNS");

	/* every truncation: with the header length left alone, and with it
	 * patched to match, so the payload chain itself must catch it */
	int bad1 = 0, bad2 = 0;
	uint8_t *copy = malloc(m.len);
	for (size_t l = 0; l < m.len; l++) {
		memcpy(copy, m.p, l);
		if (ike_parse(copy, l, msg) == 0)
			bad1++;
		if (l >= IKE_HDR_LEN) {
			put32(copy + 24, (uint32_t)l);
			if (ike_parse(copy, l, msg) == 0)
				bad2++;
		}
	}
	OK(bad1 == 0, "every truncation of a valid message rejected (%zu lengths)", m.len);
	OK(bad2 == 0, "every truncation with a matching header length rejected");
	/* every single payload-length field off by one in both directions */
	int bad3 = 0;
	ike_parse(m.p, m.len, msg);
	for (int i = 0; i < msg->npl; i++) {
		size_t off = (size_t)(msg->pl[i].body - m.p) - 2;
		for (int delta = -1; delta <= 1; delta += 2) {
			memcpy(copy, m.p, m.len);
			put16(copy + off, (uint16_t)(get16(copy + off) + delta));
			if (ike_parse(copy, m.len, msg) == 0)
				bad3++;
			ike_parse(m.p, m.len, msg);
		}
	}
	OK(bad3 == 0, "every payload length off by one rejected");
	free(copy);

	/* unknown critical payload: flagged; unknown non-critical: skipped */
	struct ike_builder b;
	ikeb_init(&b);
	ikeb_header(&b, SPI_I, SPI_R, EXCH_INFORMATIONAL, HDR_F_INITIATOR, 2);
	size_t s = ikeb_begin(&b, 200);
	buf_u32(&b.b, 0);
	ikeb_end(&b, s);
	ikeb_finish(&b);
	OK(ike_parse(b.b.p, b.b.len, msg) == 0 && msg->npl == 0 && msg->bad_critical == 0,
	   "unknown non-critical payload skipped");
	b.b.p[IKE_HDR_LEN + 1] = 0x80;
	OK(ike_parse(b.b.p, b.b.len, msg) == 0 && msg->bad_critical == 200, "unknown critical payload flagged");
	b.b.p[17] = 0x10;
	OK(ike_parse(b.b.p, b.b.len, msg) < 0, "IKEv1 version refused");
	ikeb_free(&b);
	buf_free(&m);
	free(msg);
}

static void test_decoders(void)
{
	struct ike_proposal p[2];
	struct ike_ts ts[2];
	struct ike_notify nt;
	int n;
	/* proposal claims 2 transforms but has 1 */
	uint8_t sa1[] = { 0, 0, 0, 16, 1, 1, 0, 2, 0, 0, 0, 8, 1, 0, 0, 12 };
	OK(ike_parse_sa(sa1, sizeof(sa1), p, 2, &n) < 0, "SA: transform count larger than the data refused");
	/* 'more proposals' flag but nothing follows */
	uint8_t sa2[] = { 2, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 8, 1, 0, 0, 12 };
	OK(ike_parse_sa(sa2, sizeof(sa2), p, 2, &n) < 0, "SA: 'more' flag without a next proposal refused");
	uint8_t sa3[] = { 0, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 8, 1, 0, 0, 12 };
	OK(ike_parse_sa(sa3, sizeof(sa3), p, 2, &n) == 0 && n == 1, "SA: minimal valid proposal");
	uint8_t sa4[] = { 0, 0, 0, 16, 1, 1, 9, 1, 0, 0, 0, 8, 1, 0, 0, 12 };
	OK(ike_parse_sa(sa4, sizeof(sa4), p, 2, &n) < 0, "SA: SPI size 9 refused");
	uint8_t sa5[] = { 0, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 12, 1, 0, 0, 12, 0x80, 14, 1, 0 };
	OK(ike_parse_sa(sa5, sizeof(sa5), p, 2, &n) < 0, "SA: transform length beyond proposal refused");
	uint8_t ts1[] = { 1, 0, 0, 0, 7, 0, 0, 15, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255 };
	OK(ike_parse_ts(ts1, sizeof(ts1), ts, 2, &n) < 0, "TS: IPv4 selector of length 15 refused");
	uint8_t ts2[] = { 0, 0, 0, 0 };
	OK(ike_parse_ts(ts2, sizeof(ts2), ts, 2, &n) < 0, "TS: zero selectors refused");
	uint8_t n1[] = { 3, 8, 0, 1, 1, 2, 3 };
	OK(ike_parse_notify(n1, sizeof(n1), &nt) < 0, "Notify: SPI size beyond the payload refused");
	uint8_t d1[] = { 3, 4, 0, 2, 1, 2, 3, 4 };
	uint8_t pr, ss;
	uint16_t num;
	const uint8_t *spis;
	OK(ike_parse_delete(d1, sizeof(d1), &pr, &ss, &num, &spis) < 0, "Delete: SPI count beyond the payload refused");
	uint8_t d2[] = { 1, 0, 0, 1 };
	OK(ike_parse_delete(d2, sizeof(d2), &pr, &ss, &num, &spis) < 0, "Delete: IKE delete with SPIs refused");
	uint8_t cp1[] = { 1, 0, 0, 0, 0, 1, 0, 8, 1, 2, 3, 4 };
	struct ike_cp_attr a[4];
	uint8_t t;
	OK(ike_parse_cp(cp1, sizeof(cp1), &t, a, 4, &n) < 0, "CP: attribute length beyond the payload refused");
	uint16_t fn, ft;
	uint8_t f1[] = { 0, 3, 0, 2 };
	OK(ike_parse_skf(f1, sizeof(f1), &fn, &ft) < 0, "SKF: fragment number above total refused");
	uint8_t f2[] = { 0, 0, 0, 2 };
	OK(ike_parse_skf(f2, sizeof(f2), &fn, &ft) < 0, "SKF: fragment number 0 refused");
	uint8_t k1[] = { 0, 19, 0, 0 };
	uint16_t g;
	const uint8_t *d;
	size_t dl;
	OK(ike_parse_ke(k1, sizeof(k1), &g, &d, &dl) < 0, "KE: zero-length key exchange data refused");
}

/* VPND_WRITE_CORPUS=dir writes seed inputs for the ike_fuzz target
 * (first byte odd: whole message; even: next byte + bare payload chain). */
static void write_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *d, size_t l)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fputc(mode, f);
	fwrite(d, 1, l, f);
	fclose(f);
}

static void write_corpus(const char *dir)
{
	struct buf m;
	struct ike_builder b;
	if (build_sample(&m) == 0)
		write_seed(dir, "all_payloads", 1, m.p, m.len);
	/* the inner chain of a typical IKE_AUTH request (mode 0: np first) */
	if (m.len > IKE_HDR_LEN) {
		uint8_t *chain = malloc(m.len);
		chain[0] = m.p[16];
		memcpy(chain + 1, m.p + IKE_HDR_LEN, m.len - IKE_HDR_LEN);
		write_seed(dir, "chain_all", 0, chain, m.len - IKE_HDR_LEN + 1);
		free(chain);
	}
	buf_free(&m);
	/* CP request + TS + SA with ESP proposals, as a chain */
	ikeb_init(&b);
	uint8_t cpreq[] = { CFG_REQUEST, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0 };
	ikeb_simple(&b, PL_CP, NULL, 0, cpreq, sizeof(cpreq));
	struct ike_proposal p = { .num = 1, .proto = PROTO_ESP, .spisize = 4, .spi = { 0xc0, 1, 2, 3 }, .ntrans = 3,
		.t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_ENCR, ENCR_AES_CBC, 128 }, { TT_ESN, 0, 0 } } };
	ikeb_proposal(&b, &p);
	struct ike_ts ts = { TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0, 0xffffffffu };
	ikeb_ts(&b, PL_TSI, &ts, 1);
	ikeb_ts(&b, PL_TSR, &ts, 1);
	uint8_t *c2 = malloc(b.b.len + 1);
	c2[0] = b.first_np;
	memcpy(c2 + 1, b.b.p, b.b.len);
	write_seed(dir, "chain_cp_sa_ts", 0, c2, b.b.len + 1);
	free(c2);
	ikeb_free(&b);
	/* an SKF fragment message */
	ikeb_init(&b);
	ikeb_header(&b, SPI_I, SPI_I, EXCH_IKE_AUTH, HDR_F_INITIATOR, 1);
	uint8_t skf[4 + 16 + 32] = { 0, 1, 0, 3 };
	ikeb_simple(&b, PL_SKF, NULL, 0, skf, sizeof(skf));
	ikeb_finish(&b);
	write_seed(dir, "skf", 1, b.b.p, b.b.len);
	ikeb_free(&b);
}

/* ---- malformed input (issue 5, tests/vpnd/test_malformed end to end) ---- */

static int mal_udp(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static ssize_t mal_recv(int fd, uint8_t *b, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, 200) > 0 ? recv(fd, b, len, 0) : -1;
}

/* IKE_SA_INIT for aes256gcm16-prfsha256-ecp256; dup: that payload twice;
 * version: the header's version byte; ke: the KE data (NULL: a real one). */
static void mal_init(struct buf *out, const uint8_t *spi, uint8_t dup, uint8_t version, const uint8_t *ke)
{
	static const uint8_t zero[8];
	struct ike_builder b;
	struct ike_proposal p = { .num = 1, .proto = PROTO_IKE, .ntrans = 3,
				  .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_PRF, 5, 0 }, { TT_DH, 19, 0 } } };
	uint8_t pub[64], nonce[32], kh[4] = { 0, 19, 0, 0 };
	struct dh *d = dh_new(19);
	if (d)
		dh_public(d, pub, sizeof(pub));
	dh_free(d);
	if (ke)
		memcpy(pub, ke, sizeof(pub));
	memset(nonce, 9, sizeof(nonce));
	ikeb_init(&b);
	ikeb_header(&b, spi, zero, EXCH_IKE_SA_INIT, HDR_F_INITIATOR, 0);
	for (int i = 0; i < 1 + (dup == PL_SA); i++)
		ikeb_proposal(&b, &p);
	for (int i = 0; i < 1 + (dup == PL_KE); i++)
		ikeb_simple(&b, PL_KE, kh, 4, pub, sizeof(pub));
	for (int i = 0; i < 1 + (dup == PL_NONCE); i++)
		ikeb_simple(&b, PL_NONCE, NULL, 0, nonce, sizeof(nonce));
	ikeb_finish(&b);
	if (!b.b.err)
		b.b.p[17] = version;
	*out = b.b;
}

static int mal_count(const struct vpnd *v)
{
	int n = 0;
	for (const struct ike_sa *s = v->sas; s; s = s->next)
		n++;
	return n;
}

/* An encrypted request on a half-open SA, sealed with the initiator's keys
 * (the SA holds both directions), inner chain given raw. */
static void mal_sk(struct buf *out, struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t first,
		   const uint8_t *chain, size_t len)
{
	struct ike_builder b;
	ikeb_init(&b);
	ikeb_header(&b, sa->spi_i, sa->spi_r, exch, HDR_F_INITIATOR, msgid);
	ikeb_begin(&b, PL_SK);
	if (!b.b.err)
		b.b.p[IKE_HDR_LEN] = first;
	ike_sk_seal(&sa->keys, 0, &b.b, b.b.len, chain, len);
	*out = b.b;
}

/* The first error notify inside an encrypted response, 0 if none. */
static uint16_t mal_sk_notify(struct ike_sa *sa, const uint8_t *r, size_t n, uint32_t *msgid)
{
	struct ike_msg *m = calloc(1, sizeof(*m)), *in = calloc(1, sizeof(*in));
	struct buf plain;
	struct ike_notify nt;
	uint16_t t = 0;
	buf_init(&plain);
	const struct ike_payload *sk = m && in && ike_parse(r, n, m) == 0 ? ike_find(m, PL_SK) : NULL;
	if (sk && ike_sk_open(&sa->keys, 0, r, n, (size_t)(sk->body - r), &plain) == 0 &&
	    ike_parse_chain(sk->np, plain.p, plain.len, in) == 0) {
		*msgid = m->hdr.msgid;
		for (int i = 0; i < in->npl && !t; i++)
			if (in->pl[i].type == PL_NOTIFY && ike_parse_notify(in->pl[i].body, in->pl[i].len, &nt) == 0 &&
			    nt.type < 16384)
				t = nt.type;
	}
	buf_free(&plain);
	free(m);
	free(in);
	return t;
}

static void test_malformed_input(void)
{
	static struct vpnd v;
	struct ike_msg *m = calloc(1, sizeof(*m));
	struct ike_notify nt;
	struct buf req;
	uint8_t r[4096], spi[8] = { 0x5a, 1, 2, 3, 4, 5, 6, 7 };
	uint16_t sport, cport;
	const uint32_t lo = 0x7f000001;
	uint32_t id = 0;
	ssize_t n;

	/* the parser: a higher major version only for an IKE_SA_INIT request */
	mal_init(&req, spi, 0, 0x30, NULL);
	OK(ike_parse(req.p, req.len, m) == 0 && m->bad_major == 0x30 && m->npl == 0,
	   "IKE_SA_INIT request with major version 3: header only, bad_major set");
	req.p[19] = HDR_F_RESPONSE;
	OK(ike_parse(req.p, req.len, m) < 0, "a version-3 response refused");
	req.p[19] = HDR_F_INITIATOR;
	req.p[18] = EXCH_INFORMATIONAL;
	OK(ike_parse(req.p, req.len, m) < 0, "a version-3 INFORMATIONAL refused");
	req.p[17] = 0x21;
	req.p[18] = EXCH_IKE_SA_INIT;
	OK(ike_parse(req.p, req.len, m) == 0 && !m->bad_major && m->npl == 3, "minor version 1 accepted as 2.0");
	buf_free(&req);
	mal_init(&req, spi, PL_KE, IKE_VERSION, NULL);
	OK(ike_parse(req.p, req.len, m) == 0 && ike_count(m, PL_KE) == 2 && ike_count(m, PL_SA) == 1 &&
	   ike_count(m, PL_AUTH) == 0, "ike_count counts duplicate payloads");
	buf_free(&req);

	/* an ESP SPI from the reserved range is a value out of range */
	{
		struct ike_proposal esp = { .num = 1, .proto = PROTO_ESP, .spisize = 4, .ntrans = 2,
					    .t = { { TT_ENCR, ENCR_AES_GCM16, 256 }, { TT_ESN, 0, 0 } } };
		struct ike_proposal got[2];
		struct ike_builder b;
		int np = 0;
		for (int k = 0; k < 3; k++) {
			static const uint8_t spis[3][4] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0xff }, { 0, 0, 1, 0 } };
			memcpy(esp.spi, spis[k], 4);
			ikeb_init(&b);
			ikeb_proposal(&b, &esp);
			int pr = b.b.err ? -2 : ike_parse_sa(b.b.p + 4, b.b.len - 4, got, 2, &np);
			if (k < 2)
				OK(pr == -1, "ESP proposal with SPI %u refused by the parser", get32(spis[k]));
			else
				OK(pr == 0 && np == 1 && get32(got[0].spi) == 0x100, "ESP proposal with SPI 256 parsed");
			ikeb_free(&b);
		}
	}

	/* the responder, over UDP on 127.0.0.1 */
	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	v.xfrm_fd = -1;
	v.sock_ike = mal_udp(&sport);
	v.sock_natt = v.sock_ike;
	int cli = mal_udp(&cport);
	OK(v.sock_ike >= 0 && cli >= 0, "loopback UDP sockets for the malformed-input tests");
	for (uint8_t t = PL_SA; t <= PL_NONCE; t = t == PL_SA ? PL_KE : t == PL_KE ? PL_NONCE : 0xff) {
		spi[1] = t;
		mal_init(&req, spi, t, IKE_VERSION, NULL);
		ike_input(&v, req.p, req.len, lo, cport, lo, 0);
		OK(mal_recv(cli, r, sizeof(r)) < 0 && mal_count(&v) == 0,
		   "IKE_SA_INIT with two payloads of type %u: dropped, no SA", t);
		buf_free(&req);
	}
	uint8_t off[64] = { 0 };
	off[31] = off[63] = 1;
	mal_init(&req, spi, 0, IKE_VERSION, off);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	OK(mal_recv(cli, r, sizeof(r)) < 0 && mal_count(&v) == 0,
	   "ecp256 point off the curve: no unprotected INVALID_SYNTAX (RFC 7296 3.10.1), no SA");
	buf_free(&req);
	mal_init(&req, spi, 0, 0x30, NULL);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n = mal_recv(cli, r, sizeof(r));
	OK(n > 0 && ike_parse(r, (size_t)n, m) == 0 && m->hdr.version == IKE_VERSION &&
	   (m->hdr.flags & HDR_F_RESPONSE) && ike_find_notify(m, N_INVALID_MAJOR_VERSION, &nt) == 0 &&
	   mal_count(&v) == 0, "major version 3: INVALID_MAJOR_VERSION in a 2.0 header, no SA");
	buf_free(&req);

	/* authentic but malformed: answered (encrypted INVALID_SYNTAX), and
	 * for IKE_AUTH the IKE SA is given up */
	spi[1] = 0x77;
	mal_init(&req, spi, 0, IKE_VERSION, NULL);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n = mal_recv(cli, r, sizeof(r));
	OK(n > 0 && mal_count(&v) == 1 && v.sas->state == SA_HALF_OPEN, "valid IKE_SA_INIT: a half-open SA");
	buf_free(&req);
	struct ike_sa *sa = v.sas;
	/* IDi whose length claims one byte more than there is */
	uint8_t chain[] = { 0, 0, 0, 4 + 4 + 7 + 1, ID_RFC822, 0, 0, 0, 'a', '@', 'b', '.', 'c', 'o', 'm' };
	if (sa) {
		mal_sk(&req, sa, EXCH_IKE_AUTH, 1, PL_IDI, chain, sizeof(chain));
		ike_input(&v, req.p, req.len, lo, cport, lo, 0);
		n = mal_recv(cli, r, sizeof(r));
		OK(n > 0 && mal_sk_notify(sa, r, (size_t)n, &id) == N_INVALID_SYNTAX && id == 1 &&
		   sa->state == SA_DEAD && sa->expect_msgid == 2,
		   "IKE_AUTH with IDi length +1 inside SK: encrypted INVALID_SYNTAX on message 1, SA given up");
		buf_free(&req);
	}
	spi[1] = 0x78;
	mal_init(&req, spi, 0, IKE_VERSION, NULL);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	mal_recv(cli, r, sizeof(r));
	buf_free(&req);
	sa = v.sas;
	/* two IDi payloads, each well formed */
	uint8_t two[] = { PL_IDI, 0, 0, 4 + 4 + 3, ID_RFC822, 0, 0, 0, 'a', '@', 'b',
			  0, 0, 0, 4 + 4 + 3, ID_RFC822, 0, 0, 0, 'c', '@', 'd' };
	if (sa && sa->state == SA_HALF_OPEN) {
		mal_sk(&req, sa, EXCH_IKE_AUTH, 1, PL_IDI, two, sizeof(two));
		ike_input(&v, req.p, req.len, lo, cport, lo, 0);
		n = mal_recv(cli, r, sizeof(r));
		OK(n > 0 && mal_sk_notify(sa, r, (size_t)n, &id) == N_INVALID_SYNTAX && id == 1 && sa->state == SA_DEAD,
		   "IKE_AUTH with two IDi payloads: encrypted INVALID_SYNTAX, SA given up");
		buf_free(&req);
	} else {
		OK(0, "IKE_AUTH with two IDi payloads: no half-open SA to test on");
	}
	while (v.sas)
		sa_close(&v, v.sas, "test", 0);
	close(cli);
	close(v.sock_ike);
	free(m);
}

void test_msg(void)
{
	const char *cd = getenv("VPND_WRITE_CORPUS");
	if (cd)
		write_corpus(cd);
	test_roundtrip();
	test_decoders();
	test_malformed_input();
}
