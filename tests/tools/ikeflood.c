/*
 * ikeflood.c - a bounded IKE_SA_INIT flood generator for the QEMU flood test
 * (tests/lifecycle/test_flood; tests/tools/ikeflood.md explains the test).
 *
 *   ikeflood --dst 192.0.2.1 --sources 198.18.0.0/15 --rate 2000 --seconds 40
 *            [--port 500] [--sport 500] [--group 19|20] [--iface eth0]
 *            [--linger 3] [--answer-cookies]
 *
 * Sends IKE_SA_INIT requests that vpnd would accept (aes256gcm16-prfsha384
 * with ecp256 or ecp384, a KE carrying a valid public value, a Nonce and
 * correct NAT-D notifies) from spoofed source addresses taken in turn from
 * --sources, through a raw IP_HDRINCL socket, at --rate packets/s for
 * --seconds s: at most rate x seconds packets, never longer than seconds.
 * It only ever runs inside a test guest on the QEMU socket wire between our
 * own guests; the box answers the spoofed addresses via its gateway, which
 * is this guest, so the answers are counted here on an AF_PACKET socket:
 * COOKIE requests, full responses (with a KE payload: the responder did a
 * DH and kept state) and anything else. Prints one summary line:
 *
 *   ikeflood: sent=N seconds=S rate=R sources=M replies=X cookies=C full=F
 *             other=O max_full_per_source=K first_cookie_after=P rx_drops=D
 *             send_errors=E other_notifies=TYPE:COUNT,...
 *
 * --answer-cookies plays sources that can receive (a botnet, not
 * spoofers): each COOKIE that comes back during the flood is answered once
 * with the same request (same SPIi and nonce: the nonce is derived from the
 * SPI) led by the cookie, as RFC 7296 2.6 asks; the summary then also has
 * cookies_answered=N. At most rate x seconds answers: the run stays bounded
 * by 2 x rate x seconds packets.
 *
 * first_cookie_after: full responses received before the first COOKIE;
 * rx_drops: packets the kernel dropped on our capture socket (the counts
 * are exact only when it is 0). Exit 0 when the run completed, 1 on a
 * system error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#define MAX_RATE 100000u
#define MAX_SECONDS 600u
#define MAX_LINGER 60u
#define MIN_PREFIX 12          /* at most 2^20 sources: per-source counters stay small */
#define MAX_PKT 512
#define BURST 256              /* packets sent per loop turn when catching up */

#define IKE_HDR 28
#define PL_SA 33
#define PL_KE 34
#define PL_NONCE 40
#define PL_NOTIFY 41
#define EXCH_IKE_SA_INIT 34
#define FLAG_INITIATOR 0x08
#define FLAG_RESPONSE 0x20
#define N_NAT_SRC 16388
#define N_NAT_DST 16389
#define N_COOKIE 16390
#define NTYPES 16              /* distinct "other" notify types remembered */

struct opts {
	uint32_t dst;          /* host order */
	uint32_t net, nsrc;    /* source range: first address, count */
	int prefix;
	unsigned rate, seconds, linger;
	uint16_t port, sport, group;
	int answer_cookies;
	char iface[IF_NAMESIZE];
};

struct counts {
	uint64_t sent, send_err, replies, cookies, full, other, answered, answer_err;
	uint64_t first_cookie_after; /* full responses seen before the first cookie */
	int seen_cookie;
	uint16_t *full_per_src;
	uint16_t ntype[NTYPES];
	uint64_t ntype_count[NTYPES];
};

static uint64_t rng_state;

/* xorshift64*: SPIs and nonces only need to differ per packet, not to be
 * secret (nothing is ever keyed from them); the CSPRNG seeds it. */
static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	while (n) {
		uint64_t r = rnd64();
		size_t k = n < 8 ? n : 8;
		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ikeflood --dst IP --sources NET/PREFIX --rate N --seconds S\n"
		   "                [--port 500] [--sport 500] [--group 19|20] [--iface eth0] [--linger 3]\n"
		   "                [--answer-cookies]\n"
		   "  rate 1..%u packets/s, seconds 1..%u, prefix %d..32, linger 0..%u s\n",
		MAX_RATE, MAX_SECONDS, MIN_PREFIX, MAX_LINGER);
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

static int parse_range(const char *s, struct opts *o)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned prefix;
	uint32_t a;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	if (parse_ip(ip, &a) < 0 || parse_uint(slash + 1, MIN_PREFIX, 32, &prefix) < 0)
		return -1;
	uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
	if (a & ~mask)
		return -1;     /* host bits set: almost certainly a typo */
	o->net = a;
	o->prefix = (int)prefix;
	o->nsrc = prefix == 32 ? 1 : (uint32_t)1 << (32 - prefix);
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dst", required_argument, NULL, 'd' }, { "sources", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' }, { "seconds", required_argument, NULL, 't' },
		{ "port", required_argument, NULL, 'p' }, { "sport", required_argument, NULL, 'q' },
		{ "group", required_argument, NULL, 'g' }, { "iface", required_argument, NULL, 'i' },
		{ "linger", required_argument, NULL, 'l' }, { "answer-cookies", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int have_dst = 0, have_src = 0, have_rate = 0, have_secs = 0, c;
	unsigned u;

	memset(o, 0, sizeof(*o));
	o->port = o->sport = 500;
	o->group = 19;
	o->linger = 3;
	snprintf(o->iface, sizeof(o->iface), "eth0");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_ip(optarg, &o->dst) < 0)
				return fprintf(stderr, "ikeflood: --dst: not an IPv4 address: %s\n", optarg), -1;
			have_dst = 1;
			break;
		case 's':
			if (parse_range(optarg, o) < 0)
				return fprintf(stderr, "ikeflood: --sources: expected NET/PREFIX with prefix %d..32 "
						       "and no host bits set, got %s\n", MIN_PREFIX, optarg), -1;
			have_src = 1;
			break;
		case 'r':
			if (parse_uint(optarg, 1, MAX_RATE, &o->rate) < 0)
				return fprintf(stderr, "ikeflood: --rate: expected 1..%u, got %s\n", MAX_RATE, optarg), -1;
			have_rate = 1;
			break;
		case 't':
			if (parse_uint(optarg, 1, MAX_SECONDS, &o->seconds) < 0)
				return fprintf(stderr, "ikeflood: --seconds: expected 1..%u, got %s\n", MAX_SECONDS,
					       optarg), -1;
			have_secs = 1;
			break;
		case 'p':
		case 'q':
			if (parse_uint(optarg, 1, 65535, &u) < 0)
				return fprintf(stderr, "ikeflood: --%s: expected 1..65535, got %s\n",
					       c == 'p' ? "port" : "sport", optarg), -1;
			*(c == 'p' ? &o->port : &o->sport) = (uint16_t)u;
			break;
		case 'g':
			if (parse_uint(optarg, 19, 20, &u) < 0)
				return fprintf(stderr, "ikeflood: --group: expected 19 (ecp256) or 20 (ecp384), got %s\n",
					       optarg), -1;
			o->group = (uint16_t)u;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= sizeof(o->iface))
				return fprintf(stderr, "ikeflood: --iface: bad interface name\n"), -1;
			snprintf(o->iface, sizeof(o->iface), "%s", optarg);
			break;
		case 'l':
			if (parse_uint(optarg, 0, MAX_LINGER, &o->linger) < 0)
				return fprintf(stderr, "ikeflood: --linger: expected 0..%u, got %s\n", MAX_LINGER,
					       optarg), -1;
			break;
		case 'a':
			o->answer_cookies = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "ikeflood: unknown option or missing value: %s\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "ikeflood: unexpected argument: %s\n", argv[optind]), -1;
	if (!have_dst || !have_src || !have_rate || !have_secs)
		return fprintf(stderr, "ikeflood: --dst, --sources, --rate and --seconds are required\n"), -1;
	return 0;
}

/* A valid public value for the group (RFC 5903: x | y, no 0x04 prefix):
 * one fresh key pair serves every packet, so that vpnd, were it to skip the
 * cookie check, would have to do a full DH for each. */
static int make_public(uint16_t group, uint8_t *out, size_t *outlen)
{
	const char *curve = group == 19 ? "P-256" : "P-384";
	size_t want = group == 19 ? 64 : 96, n = 0;
	uint8_t pt[1 + 96];
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	int rc = -1;

	if (!pk || !EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) ||
	    n != want + 1 || pt[0] != 0x04) {
		fprintf(stderr, "make_public: EC key generation for %s failed\n", curve);
		goto out;
	}
	memcpy(out, pt + 1, want);
	*outlen = want;
	rc = 0;
out:
	EVP_PKEY_free(pk);
	return rc;
}

struct tmpl {
	uint8_t pkt[MAX_PKT];  /* IPv4 + UDP + IKE_SA_INIT */
	size_t len;
	size_t spi_off, nonce_off, natsrc_off, natdst_off;
	EVP_MD *sha1, *sha256;
	uint8_t nonce_key[32];
};

/* Everything one run needs: the echo of a cookie is sent from the receive
 * path, so it needs the raw socket and the template too. */
struct run {
	struct opts o;
	struct counts c;
	struct tmpl t;
	int raw, cap;
	uint64_t total;        /* rate x seconds: the bound on first requests and on cookie answers */
};

static size_t payload_hdr(uint8_t *p, uint8_t next, size_t len)
{
	p[0] = next;
	p[1] = 0;
	put16(p + 2, (uint16_t)len);
	return 4;
}

static size_t notify(uint8_t *p, uint8_t next, uint16_t type, size_t datalen)
{
	payload_hdr(p, next, 8 + datalen);
	p[4] = 0;              /* protocol id: none */
	p[5] = 0;              /* SPI size */
	put16(p + 6, type);
	return 8;
}

/* Everything but the per-packet fields (addresses, SPIi, nonce, NAT-D). */
static int build_template(struct tmpl *t, const struct opts *o)
{
	uint8_t pub[96], *ike = t->pkt + 28, *p;
	size_t publen = 0;

	memset(t->pkt, 0, sizeof(t->pkt));
	if (make_public(o->group, pub, &publen) < 0)
		return -1;
	p = ike + IKE_HDR;
	/* SA: one IKE proposal aes256gcm16 (ENCR 20, 256 bits) / prfsha384 / group */
	size_t sa_len = 4 + 8 + 12 + 8 + 8;
	p += payload_hdr(p, PL_KE, sa_len);
	p[0] = 0; p[1] = 0; put16(p + 2, (uint16_t)(sa_len - 4));
	p[4] = 1; p[5] = 1; p[6] = 0; p[7] = 3;      /* proposal 1, IKE, no SPI, 3 transforms */
	p += 8;
	p[0] = 3; put16(p + 2, 12); p[4] = 1; put16(p + 6, 20); put16(p + 8, 0x800e); put16(p + 10, 256);
	p += 12;
	p[0] = 3; put16(p + 2, 8); p[4] = 2; put16(p + 6, 6);
	p += 8;
	p[0] = 0; put16(p + 2, 8); p[4] = 4; put16(p + 6, o->group);
	p += 8;
	/* KE */
	p += payload_hdr(p, PL_NONCE, 8 + publen);
	put16(p, o->group);
	put16(p + 2, 0);
	memcpy(p + 4, pub, publen);
	p += 4 + publen;
	/* Nonce (32 bytes) */
	p += payload_hdr(p, PL_NOTIFY, 4 + 32);
	t->nonce_off = (size_t)(p - t->pkt);
	p += 32;
	/* NAT_DETECTION_SOURCE_IP, NAT_DETECTION_DESTINATION_IP: SHA-1 each */
	p += notify(p, PL_NOTIFY, N_NAT_SRC, 20);
	t->natsrc_off = (size_t)(p - t->pkt);
	p += 20;
	p += notify(p, 0, N_NAT_DST, 20);
	t->natdst_off = (size_t)(p - t->pkt);
	p += 20;
	size_t ike_len = (size_t)(p - ike);
	/* IKE header: SPIi per packet, SPIr 0, first payload SA, v2.0, initiator */
	t->spi_off = 28;
	ike[16] = PL_SA;
	ike[17] = 0x20;
	ike[18] = EXCH_IKE_SA_INIT;
	ike[19] = FLAG_INITIATOR;
	put32(ike + 20, 0);
	put32(ike + 24, (uint32_t)ike_len);
	/* UDP */
	uint8_t *u = t->pkt + 20;
	put16(u, o->sport);
	put16(u + 2, o->port);
	put16(u + 4, (uint16_t)(8 + ike_len));
	/* IPv4 (the kernel fills in the id and the header checksum) */
	uint8_t *ip = t->pkt;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(28 + ike_len));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put32(ip + 16, o->dst);
	t->len = 28 + ike_len;
	t->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	t->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!t->sha1 || !t->sha256 || getrandom(t->nonce_key, sizeof(t->nonce_key), 0) != sizeof(t->nonce_key)) {
		fprintf(stderr, "build_template: no SHA-1/SHA-256 in libcrypto or no random key\n");
		return -1;
	}
	return 0;
}

/* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | port), SPIr = 0 in the request. */
static int nat_hash(const struct tmpl *t, const uint8_t *spi, uint32_t ip, uint16_t port, uint8_t *out)
{
	uint8_t d[22] = { 0 };
	memcpy(d, spi, 8);
	put32(d + 16, ip);
	put16(d + 20, port);
	return EVP_Digest(d, sizeof(d), out, NULL, t->sha1, NULL) == 1 ? 0 : -1;
}

static uint16_t udp_csum(const uint8_t *pkt, size_t len)
{
	uint32_t sum = 0;
	size_t ulen = len - 20;
	for (int i = 12; i < 20; i += 2)      /* pseudo header: addresses */
		sum += get16(pkt + i);
	sum += IPPROTO_UDP + (uint32_t)ulen;
	for (size_t i = 0; i + 1 < ulen; i += 2)
		sum += get16(pkt + 20 + i);
	if (ulen & 1)
		sum += (uint32_t)pkt[20 + ulen - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t c = (uint16_t)~sum;
	return c ? c : 0xffff;
}

/* The nonce is a function of the SPI (SHA-256 of a per-run key and SPIi):
 * a cookie is bound to Ni and SPIi, so answering one needs the same nonce
 * again without remembering every request sent. */
static int fill_request(const struct run *r, uint8_t *pkt, size_t len, size_t shift, uint32_t src)
{
	const struct tmpl *t = &r->t;
	const uint8_t *spi = pkt + t->spi_off;
	uint8_t d[32 + 8];

	put32(pkt + 12, src);
	memcpy(d, t->nonce_key, 32);
	memcpy(d + 32, spi, 8);
	if (EVP_Digest(d, sizeof(d), pkt + t->nonce_off + shift, NULL, t->sha256, NULL) != 1 ||
	    nat_hash(t, spi, src, r->o.sport, pkt + t->natsrc_off + shift) < 0 ||
	    nat_hash(t, spi, r->o.dst, r->o.port, pkt + t->natdst_off + shift) < 0)
		return -1;
	put16(pkt + 26, 0);
	put16(pkt + 26, udp_csum(pkt, len));
	return 0;
}

static int send_pkt(const struct run *r, const uint8_t *pkt, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(r->o.dst) };
	return sendto(r->raw, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len ? 0 : -1;
}

static int send_one(struct run *r, uint32_t src)
{
	rnd_fill(r->t.pkt + r->t.spi_off, 8);
	if (fill_request(r, r->t.pkt, r->t.len, 0, src) < 0)
		return -1;
	return send_pkt(r, r->t.pkt, r->t.len);
}

/* --answer-cookies: the request again with the COOKIE notify first
 * (RFC 7296 2.6), as a client that can receive would send it. */
static void answer_cookie(struct run *r, uint32_t src, const uint8_t *spi, const uint8_t *cookie, size_t clen)
{
	uint8_t pkt[MAX_PKT + 8 + 64];
	size_t shift = 8 + clen, len = r->t.len + shift;

	if (clen == 0 || clen > 64 || r->c.answered >= r->total)
		return;
	memcpy(pkt, r->t.pkt, 28 + IKE_HDR);
	notify(pkt + 28 + IKE_HDR, PL_SA, N_COOKIE, clen);
	memcpy(pkt + 28 + IKE_HDR + 8, cookie, clen);
	memcpy(pkt + 28 + IKE_HDR + shift, r->t.pkt + 28 + IKE_HDR, r->t.len - 28 - IKE_HDR);
	memcpy(pkt + r->t.spi_off, spi, 8);
	pkt[28 + 16] = PL_NOTIFY;
	put32(pkt + 28 + 24, (uint32_t)(len - 28));
	put16(pkt + 24, (uint16_t)(len - 20));
	put16(pkt + 2, (uint16_t)len);
	if (fill_request(r, pkt, len, shift, src) < 0 || send_pkt(r, pkt, len) < 0)
		r->c.answer_err++;
	else
		r->c.answered++;
}

static void note_other(struct counts *c, uint16_t type)
{
	for (int i = 0; i < NTYPES; i++)
		if (c->ntype_count[i] == 0 || c->ntype[i] == type) {
			c->ntype[i] = type;
			c->ntype_count[i]++;
			return;
		}
}

/* One frame from the capture socket: an IKE_SA_INIT response from the box
 * to one of our spoofed sources is classified; everything else ignored. */
static void classify(struct run *r, const uint8_t *p, size_t n)
{
	struct counts *c = &r->c;
	const struct opts *o = &r->o;
	if (n < 20 || (p[0] >> 4) != 4 || p[9] != IPPROTO_UDP)
		return;
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || n < ihl + 8 || (get16(p + 6) & 0x3fff))
		return;        /* fragments: vpnd's IKE_SA_INIT answers are small */
	uint32_t src = get32(p + 12), dst = get32(p + 16);
	if (src != o->dst || dst - o->net >= o->nsrc)
		return;
	const uint8_t *u = p + ihl;
	if (get16(u) != o->port || get16(u + 2) != o->sport)
		return;
	size_t ulen = get16(u + 4);
	if (ulen < 8 || ulen > n - ihl)
		return;
	const uint8_t *ike = u + 8;
	size_t len = ulen - 8;
	if (len < IKE_HDR || ike[18] != EXCH_IKE_SA_INIT || !(ike[19] & FLAG_RESPONSE))
		return;
	c->replies++;
	int full = 0;
	uint16_t first_notify = 0;
	const uint8_t *ndata = NULL;
	size_t nlen = 0;
	uint8_t next = ike[16];
	size_t off = IKE_HDR;
	while (next && off + 4 <= len) {
		size_t plen = get16(ike + off + 2);
		if (plen < 4 || plen > len - off)
			break;
		if (next == PL_KE)
			full = 1;
		if (next == PL_NOTIFY && plen >= 8 && !first_notify) {
			first_notify = get16(ike + off + 6);
			size_t spisz = ike[off + 5];
			if (8 + spisz <= plen) {
				ndata = ike + off + 8 + spisz;
				nlen = plen - 8 - spisz;
			}
		}
		next = ike[off];
		off += plen;
	}
	if (full) {
		c->full++;
		if (!c->seen_cookie)
			c->first_cookie_after++;
		uint16_t *f = &c->full_per_src[dst - o->net];
		if (*f < UINT16_MAX)
			(*f)++;
	} else if (first_notify == N_COOKIE) {
		c->cookies++;
		c->seen_cookie = 1;
		if (o->answer_cookies == 1 && ndata)
			answer_cookie(r, dst, ike, ndata, nlen);
	} else {
		c->other++;
		note_other(c, first_notify);
	}
}

static void drain(struct run *r)
{
	static uint8_t buf[65536];
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(r->cap, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		classify(r, buf, (size_t)n);
	}
}

static void discard(int fd)
{
	static uint8_t buf[2048];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

static int open_capture(const struct opts *o)
{
	unsigned idx = if_nametoindex(o->iface);
	int fd = -1, sz = 8 << 20;
	struct sockaddr_ll sl = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };

	if (!idx) {
		fprintf(stderr, "open_capture: no interface %s\n", o->iface);
		return -1;
	}
	sl.sll_ifindex = (int)idx;
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sl, sizeof(sl)) < 0) {
		fprintf(stderr, "open_capture: packet socket on %s: %s\n", o->iface, strerror(errno));
		goto fail;
	}
	/* a large buffer: the counts are only exact if nothing is dropped */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_raw(void)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), one = 1, sz = 4 << 20;
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		fprintf(stderr, "open_raw: raw socket: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static void wait_rx(int fd, double secs)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	if (secs <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)secs, .tv_nsec = (long)((secs - (time_t)secs) * 1e9) };
	ppoll(&pf, 1, &ts, NULL);
}

static void print_summary(const struct run *r, double elapsed, const char *drops)
{
	const struct counts *c = &r->c;
	unsigned maxf = 0;
	uint64_t used = c->sent < r->o.nsrc ? c->sent : r->o.nsrc;
	for (uint32_t i = 0; i < r->o.nsrc; i++)
		if (c->full_per_src[i] > maxf)
			maxf = c->full_per_src[i];
	printf("ikeflood: sent=%" PRIu64 " seconds=%.2f rate=%.0f sources=%" PRIu64 " replies=%" PRIu64
	       " cookies=%" PRIu64 " full=%" PRIu64 " other=%" PRIu64 " max_full_per_source=%u"
	       " first_cookie_after=%" PRIu64 " rx_drops=%s send_errors=%" PRIu64,
	       c->sent, elapsed, elapsed > 0 ? c->sent / elapsed : 0.0, used, c->replies, c->cookies,
	       c->full, c->other, maxf, c->seen_cookie ? c->first_cookie_after : c->full, drops,
	       c->send_err + c->answer_err);
	if (r->o.answer_cookies)
		printf(" cookies_answered=%" PRIu64, c->answered);
	printf(" other_notifies=");
	int any = 0;
	for (int i = 0; i < NTYPES && c->ntype_count[i]; i++, any = 1)
		printf("%s%u:%" PRIu64, i ? "," : "", c->ntype[i], c->ntype_count[i]);
	printf("%s\n", any ? "" : "-");
}

int main(int argc, char **argv)
{
	static struct run r;
	struct tpacket_stats st = { 0 };
	socklen_t sl = sizeof(st);
	int rc = 1;
	uint64_t seed;

	r.raw = r.cap = -1;
	if (parse_args(argc, argv, &r.o) < 0) {
		usage(stderr);
		return 2;
	}
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed)) {
		fprintf(stderr, "ikeflood: getrandom: %s\n", strerror(errno));
		return 1;
	}
	rng_state = seed | 1;
	r.c.full_per_src = calloc(r.o.nsrc, sizeof(*r.c.full_per_src));
	if (!r.c.full_per_src) {
		fprintf(stderr, "ikeflood: out of memory\n");
		goto out;
	}
	if (build_template(&r.t, &r.o) < 0 || (r.cap = open_capture(&r.o)) < 0 || (r.raw = open_raw()) < 0)
		goto out;
	discard(r.cap);        /* nothing from before the start counts */
	getsockopt(r.cap, SOL_PACKET, PACKET_STATISTICS, &st, &sl);   /* resets the counters */

	r.total = (uint64_t)r.o.rate * r.o.seconds;
	double start = now_s(), end = start + r.o.seconds, last = start, tnow;
	uint32_t next_src = 0;
	while ((tnow = now_s()) < end && r.c.sent + r.c.send_err < r.total) {
		uint64_t due = (uint64_t)((tnow - start) * r.o.rate) + 1;
		if (due > r.total)
			due = r.total;
		for (int k = 0; k < BURST && r.c.sent + r.c.send_err < due; k++) {
			if (send_one(&r, r.o.net + next_src) == 0) {
				r.c.sent++;
				last = now_s();
			} else {
				r.c.send_err++;
			}
			next_src = (next_src + 1) % r.o.nsrc;
		}
		drain(&r);
		wait_rx(r.cap, start + (double)(r.c.sent + r.c.send_err) / r.o.rate - now_s());
	}
	/* N packets at R/s span N/R s: the last one owns a slot too */
	double elapsed = r.c.sent ? last - start + 1.0 / r.o.rate : 0;
	/* the last answers are still on their way (cookie answers stop with
	 * the flood: only its own seconds count) */
	r.o.answer_cookies = r.o.answer_cookies ? 2 : 0;
	for (double stop = now_s() + r.o.linger; (tnow = now_s()) < stop;) {
		drain(&r);
		wait_rx(r.cap, stop - tnow);
	}
	drain(&r);
	sl = sizeof(st);
	char drops[24] = "unknown";
	if (getsockopt(r.cap, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0)
		snprintf(drops, sizeof(drops), "%u", st.tp_drops);
	print_summary(&r, elapsed, drops);
	rc = 0;
out:
	if (r.raw >= 0)
		close(r.raw);
	if (r.cap >= 0)
		close(r.cap);
	EVP_MD_free(r.t.sha1);
	EVP_MD_free(r.t.sha256);
	free(r.c.full_per_src);
	return rc;
}
