/* Traffic selectors, pool, config errors, CP, log quoting, passwd parsing,
 * and the IKE_SA_INIT state machine over real UDP sockets on 127.0.0.1
 * (retransmission cache, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, malformed
 * input). */
#include "tap.h"
#include "../../../src/vpnd/cfg_payload.h"
#include "../../../src/vpnd/config.h"
#include "../../../src/vpnd/dh.h"
#include "../../../src/vpnd/log.h"
#include "../../../src/vpnd/net.h"
#include "../../../src/vpnd/pool.h"
#include "../../../src/vpnd/privdrop.h"
#include "../../../src/vpnd/proposal.h"
#include "../../../src/vpnd/sa.h"
#include "../../../src/vpnd/ts.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void test_misc(void);
int build_sample(struct buf *out);

static void test_ts(void)
{
	struct ike_ts any = { TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0, 0xffffffffu }, out[8];
	struct net4 nets[2] = { { 0xc0a80100, 24 }, { 0x0a000000, 8 } }, all = { 0, 0 };
	OK(ts_narrow_initiator(&any, 1, 0x0a630005, out) == 1 && out[0].saddr == 0x0a630005 &&
	   out[0].eaddr == 0x0a630005 && out[0].eport == 65535, "TSi 0.0.0.0/0 narrowed to the virtual IP");
	struct ike_ts other = { TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0xc0000200, 0xc00002ff };
	OK(ts_narrow_initiator(&other, 1, 0x0a630005, out) == 0, "TSi not containing the virtual IP: unacceptable");
	OK(ts_narrow_responder(&any, 1, nets, 2, out, 8) == 2 && out[0].saddr == 0xc0a80100 &&
	   out[0].eaddr == 0xc0a801ff && out[1].saddr == 0x0a000000 && out[1].eaddr == 0x0affffff,
	   "TSr 0.0.0.0/0 narrowed to two protected networks");
	struct ike_ts host = { TS_IPV4_ADDR_RANGE, 6, 443, 443, 0xc0a80105, 0xc0a80105 };
	OK(ts_narrow_responder(&host, 1, nets, 2, out, 8) == 1 && out[0].saddr == 0xc0a80105 && out[0].proto == 6 &&
	   out[0].sport == 443, "TSr host:443/tcp inside a protected network kept with protocol and port");
	struct ike_ts outside = { TS_IPV4_ADDR_RANGE, 0, 0, 65535, 0xc0000200, 0xc00002ff };
	OK(ts_narrow_responder(&outside, 1, nets, 2, out, 8) == 0, "TSr outside every protected network: none");
	OK(ts_narrow_responder(&any, 1, &all, 1, out, 8) == 1 && out[0].saddr == 0 && out[0].eaddr == 0xffffffffu,
	   "default protected 0.0.0.0/0 keeps everything");
	struct ike_ts bad = { TS_IPV4_ADDR_RANGE, 0, 100, 50, 5, 1 };
	OK(ts_narrow_responder(&bad, 1, &all, 1, out, 8) == 0, "inverted ranges ignored");
	struct net4 c[40];
	OK(ts_range_to_cidrs(0, 0xffffffffu, c, 40) == 1 && c[0].prefix == 0, "range 0.0.0.0-255.255.255.255 is /0");
	OK(ts_range_to_cidrs(0x0a000001, 0x0a000006, c, 40) == 4 && c[0].addr == 0x0a000001 && c[0].prefix == 32 &&
	   c[1].prefix == 31 && c[2].prefix == 31 && c[3].addr == 0x0a000006 && c[3].prefix == 32,
	   "range 10.0.0.1-10.0.0.6 split into /32 /31 /31 /32");
	OK(ts_range_to_cidrs(1, 0xfffffffeu, c, 4) < 0, "too many CIDR blocks refused");
}

static void test_pool(void)
{
	struct pool p;
	uint32_t a, b, x;
	OK(pool_init(&p, (struct net4){ 0x0a630000, 29 }, 100) == 0 && p.count == 6, "/29 pool has 6 addresses");
	OK(pool_acquire(&p, "alice", 1000, &a) == 0 && a == 0x0a630001, "first address is .1");
	OK(pool_acquire(&p, "bob", 1000, &b) == 0 && b == 0x0a630002, "second identity gets .2");
	OK(pool_acquire(&p, "alice", 1000, &x) < 0, "identity already connected: refused until released");
	pool_release(&p, a, 1010);
	OK(pool_acquire(&p, "alice", 1050, &x) == 0 && x == a, "same identity gets its address back within the lease");
	pool_release(&p, a, 1060);
	OK(pool_acquire(&p, "carol", 1070, &x) == 0 && x != a, "a live lease is not given to another identity");
	uint32_t y;
	int n = 0;
	while (pool_acquire(&p, n == 0 ? "d" : n == 1 ? "e" : n == 2 ? "f" : "g", 1070, &y) == 0)
		n++;
	OK(n == 3, "pool filled up (alice's lease kept free)");
	OK(pool_acquire(&p, "h", 1100, &y) < 0, "exhausted pool refuses a new identity");
	OK(pool_acquire(&p, "h", 1200, &y) == 0 && y == a, "expired lease reused for another identity");
	OK(pool_used(&p) == 6, "pool_used counts leases in use");
	pool_free(&p);
	OK(pool_init(&p, (struct net4){ 0x0a630000, 31 }, 100) < 0, "a /31 pool refused");
}

static void test_config(void)
{
	struct vpnd_config c;
	char err[256];
	static const struct { const char *text, *want; } bad[] = {
		{ "pool = 10.99.0.0/24\nfoo = bar\n", "t.conf:2: unknown key foo" },
		{ "# comment\n\nlisten = 300.1.1.1\n", "t.conf:3: listen: not an IPv4 address" },
		{ "pool = 10.99.0.1/24\n", "t.conf:1: pool: expected a network like 10.99.0.0/24" },
		{ "pool = 10.99.0.0/31\n", "t.conf:1: pool: prefix must be /8../30" },
		{ "port = 0\n", "t.conf:1: port: expected 1..65535" },
		{ "port = 70000\n", "t.conf:1: port: expected 1..65535" },
		{ "dns = 1.1.1.1, 2.2.2.2, 3.3.3.3\n", "t.conf:1: dns/nbns: at most 2 servers" },
		{ "legacy_windows = maybe\n", "t.conf:1: legacy_windows: expected yes or no" },
		{ "log_level = loud\n", "t.conf:1: log_level: expected error, warning, info or debug" },
		{ "protected = 10.0.0.0/33\n", "t.conf:1: protected: expected networks like 192.168.1.0/24" },
		{ "listen\n", "t.conf:1: expected 'key = value'" },
		{ "ca =\n", "t.conf:1: missing value" },
		{ "lease_time = -5\n", "t.conf:1: lease_time: expected 0..604800 seconds" },
		{ "\n\ndpd_timeout = 0\n", "t.conf:3: dpd_timeout: expected 1..3600 seconds" },
		/* lifetimes and limits (issue 5) */
		{ "child_lifetime = 19\n", "t.conf:1: child_lifetime: expected 20..604800 seconds" },
		{ "child_lifetime = 8h\n", "t.conf:1: child_lifetime: expected 20..604800 seconds" },
		{ "\nrekey_margin = 4\n", "t.conf:2: rekey_margin: expected 5..86400 seconds" },
		{ "ike_lifetime = -1\n", "t.conf:1: ike_lifetime: expected 30..2592000 seconds" },
		{ "max_ike_sas = 0\n", "t.conf:1: max_ike_sas: expected 1..1000000" },
		{ "max_half_open = 0\n", "t.conf:1: max_half_open: expected 1..1000000" },
		{ "max_message_size = 1279\n", "t.conf:1: max_message_size: expected 1280..65535 bytes" },
		{ "max_message_size = 65536\n", "t.conf:1: max_message_size: expected 1280..65535 bytes" },
		/* the cross-check names the later of the two keys */
		{ "child_lifetime = 60\n# x\nrekey_margin = 45\n",
		  "t.conf:3: rekey_margin: 45 plus its jitter (15) must be below child_lifetime (60)" },
		{ "rekey_margin = 30\nchild_lifetime = 40\n",
		  "t.conf:2: rekey_margin: 30 plus its jitter (10) must be below child_lifetime (40)" },
		{ "child_lifetime = 600\n", "t.conf:1: rekey_margin: 540 plus its jitter (180) must be below child_lifetime (600)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&c);
		err[0] = 0;
		int r = config_parse_buf("t.conf", bad[i].text, &c, err, sizeof(err));
		OK(r < 0 && !strcmp(err, bad[i].want), "config error: %s (got: %s)", bad[i].want, err);
	}
	config_defaults(&c);
	const char *good = "listen = 192.0.2.1\npool = 172.16.0.0/20\ndns = 10.0.0.53 10.0.1.53\nnbns =\n"
			   "protected = 192.168.0.0/16, 10.0.0.0/8 # two\nlegacy_windows = yes\nlog_level = debug\n";
	OK(config_parse_buf("t.conf", good, &c, err, sizeof(err)) == 0 && c.listen == 0xc0000201 &&
	   c.pool.addr == 0xac100000 && c.pool.prefix == 20 && c.ndns == 2 && c.dns[1] == 0x0a00013f - 0x0a00013f + 0x0a000135 &&
	   c.nnbns == 0 && c.nprotected == 2 && c.protected_nets[1].prefix == 8 && c.legacy_windows == 1 &&
	   c.log_level == LOG_LVL_DEBUG, "valid config parsed");
	char path[] = "/tmp/vpnd-conf-XXXXXX";
	int fd = mkstemp(path);
	if (fd >= 0) {
		FILE *f = fdopen(fd, "w");
		fputs("pool = 10.99.0.0/24\nbogus\n", f);
		fclose(f);
		config_defaults(&c);
		OK(config_load(path, &c, err, sizeof(err)) < 0 && strstr(err, ":2: expected 'key = value'") &&
		   !strncmp(err, path, strlen(path)), "config file error names the file and line");
		unlink(path);
	}
	OK(config_load("/nonexistent/vpnd.conf", &c, err, sizeof(err)) < 0 && strstr(err, "No such file"),
	   "missing config file reported");
	/* the overlay's default config parses */
	const char *top = getenv("ROADBOX_TOP");
	char dp[512];
	snprintf(dp, sizeof(dp), "%s/overlays/default/etc/vpnd.conf", top ? top : ".");
	config_defaults(&c);
	OK(config_load(dp, &c, err, sizeof(err)) == 0 && c.pool.addr == 0x0a630000 && !c.legacy_windows &&
	   c.nprotected == 1 && c.protected_nets[0].prefix == 0, "overlays/default/etc/vpnd.conf is valid (%s)", err);
}

static void test_small(void)
{
	char out[64];
	log_value(out, sizeof(out), "alice@example.org");
	OK(!strcmp(out, "alice@example.org"), "log value plain");
	log_value(out, sizeof(out), "CN=a b, O=\"x\"\\");
	OK(!strcmp(out, "\"CN=a b, O=\\\"x\\\"\\\\\""), "log value quoted and escaped (%s)", out);
	log_value(out, sizeof(out), "evil\nline");
	OK(!strcmp(out, "evil?line"), "log value control characters replaced");
	log_value(out, sizeof(out), "");
	OK(!strcmp(out, "-"), "empty log value is -");

	uint8_t cp[] = { CFG_REQUEST, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 8, 0, 0 };
	struct cp_request r;
	OK(cp_parse_request(cp, sizeof(cp), &r) == 0 && r.want_addr && r.want_dns && !r.want_nbns,
	   "CP request: address and DNS asked");
	cp[0] = CFG_REPLY;
	OK(cp_parse_request(cp, sizeof(cp), &r) < 0, "CP reply is not a request");

	char path[] = "/tmp/vpnd-passwd-XXXXXX";
	int fd = mkstemp(path);
	uid_t u;
	gid_t g;
	if (fd >= 0) {
		FILE *f = fdopen(fd, "w");
		fputs("root:x:0:0:root:/root:/bin/sh\nvpnd:x:100:101:VPN:/nonexistent:/bin/false\nbad:x:abc:1::/:/\n", f);
		fclose(f);
		OK(passwd_lookup(path, "vpnd", &u, &g) == 0 && u == 100 && g == 101, "passwd: vpnd is uid 100");
		OK(passwd_lookup(path, "root", &u, &g) < 0, "passwd: never drops to uid 0");
		OK(passwd_lookup(path, "bad", &u, &g) < 0, "passwd: malformed uid refused");
		OK(passwd_lookup(path, "nobody", &u, &g) < 0, "passwd: unknown user");
		unlink(path);
	}
}

/* ---- IKE_SA_INIT over 127.0.0.1 ---- */

static int udp_local(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int one = 1;
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static ssize_t recv_reply(int fd, uint8_t *buf, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, 200) <= 0)
		return -1;
	return recv(fd, buf, len, 0);
}

static void drain(int fd)
{
	uint8_t b[4096];
	while (recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

static const uint8_t *g_cookie;
static size_t g_cookie_len;

static int init_request(struct buf *out, const uint8_t *spi, const char *prop, uint16_t ke_group, int bad_point)
{
	struct ike_builder b;
	struct ike_proposal p;
	char tmp[128], *save = NULL;
	static const uint8_t zero[8];
	memset(&p, 0, sizeof(p));
	p.num = 1;
	p.proto = PROTO_IKE;
	snprintf(tmp, sizeof(tmp), "%s", prop);
	for (char *k = strtok_r(tmp, "-", &save); k; k = strtok_r(NULL, "-", &save)) {
		const struct xform_def *x = xform_by_keyword(k);
		if (x)
			p.t[p.ntrans++] = (struct ike_transform){ x->type, x->id, x->keybits };
	}
	struct dh *d = dh_new(ke_group);
	uint8_t pub[512], nonce[32], kh[4] = { (uint8_t)(ke_group >> 8), (uint8_t)ke_group, 0, 0 };
	if (!d || dh_public(d, pub, sizeof(pub)) < 0)
		return -1;
	dh_free(d);
	if (bad_point)
		pub[dh_public_len(ke_group) - 1] ^= 1;
	memset(nonce, 7, sizeof(nonce));
	ikeb_init(&b);
	ikeb_header(&b, spi, zero, EXCH_IKE_SA_INIT, HDR_F_INITIATOR, 0);
	if (g_cookie)
		ikeb_notify(&b, 0, N_COOKIE, NULL, 0, g_cookie, g_cookie_len);
	ikeb_proposal(&b, &p);
	ikeb_simple(&b, PL_KE, kh, 4, pub, dh_public_len(ke_group));
	ikeb_simple(&b, PL_NONCE, NULL, 0, nonce, sizeof(nonce));
	ikeb_notify(&b, 0, N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0, NULL, 0);
	ikeb_finish(&b);
	*out = b.b;
	return b.b.err ? -1 : 0;
}

static int count_sas(struct vpnd *v)
{
	int n = 0;
	for (struct ike_sa *s = v->sas; s; s = s->next)
		n++;
	return n;
}

static void test_init_exchange(void)
{
	static struct vpnd v;
	uint16_t sport, cport;
	uint8_t r1[4096], r2[4096];
	struct buf req;
	struct ike_msg *m = calloc(1, sizeof(*m));
	struct ike_notify nt;
	const uint8_t spi[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };

	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	v.xfrm_fd = -1;
	v.sock_ike = udp_local(&sport);
	v.sock_natt = v.sock_ike;
	int cli = udp_local(&cport);
	OK(v.sock_ike >= 0 && cli >= 0, "loopback UDP sockets");
	const uint32_t lo = 0x7f000001;

	init_request(&req, spi, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	ssize_t n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && (m->hdr.flags & HDR_F_RESPONSE) &&
	   !memcmp(m->hdr.spi_i, spi, 8), "IKE_SA_INIT answered");
	const struct ike_payload *ke = ike_find(m, PL_KE);
	uint16_t g = 0;
	const uint8_t *kd;
	size_t kl = 0;
	OK(ke && ike_parse_ke(ke->body, ke->len, &g, &kd, &kl) == 0 && g == 20 && kl == 96 && ike_find(m, PL_SA) &&
	   ike_find(m, PL_NONCE) && ike_find(m, PL_CERTREQ), "response has SA, KE (ecp384, 96 bytes), Nonce, CERTREQ");
	OK(ike_find_notify(m, N_IKEV2_FRAGMENTATION_SUPPORTED, &nt) == 0 &&
	   ike_find_notify(m, N_SIGNATURE_HASH_ALGORITHMS, &nt) == 0, "fragmentation and RFC 7427 announced");
	OK(count_sas(&v) == 1, "one half-open IKE SA");
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	ssize_t n2 = recv_reply(cli, r2, sizeof(r2));
	OK(n2 == n1 && !memcmp(r1, r2, (size_t)n1), "retransmitted IKE_SA_INIT gets the same response byte for byte");
	OK(count_sas(&v) == 1, "retransmission created no second SA");
	buf_free(&req);

	/* encrypted requests on the half-open SA, sealed with the initiator's
	 * keys (the test plays the client) */
	{
		struct ike_sa *hs = v.sas;
		struct ike_builder inner, b;
		struct buf plain;
		buf_init(&plain);
		ikeb_init(&inner);
		uint8_t dl[4] = { PROTO_ESP, 4, 0, 1 }, spi_unknown[4] = { 0xde, 0xad, 0, 1 };
		size_t ds = ikeb_begin(&inner, PL_DELETE);
		buf_add(&inner.b, dl, 4);
		buf_add(&inner.b, spi_unknown, 4);
		ikeb_end(&inner, ds);
		ikeb_init(&b);
		ikeb_header(&b, hs->spi_i, hs->spi_r, EXCH_CREATE_CHILD_SA, HDR_F_INITIATOR, 1);
		ikeb_begin(&b, PL_SK);
		b.b.p[IKE_HDR_LEN] = inner.first_np;
		ike_sk_seal(&hs->keys, 0, &b.b, b.b.len, inner.b.p, inner.b.len);
		/* a tampered copy first: dropped, message ID not used up */
		b.b.p[b.b.len - 1] ^= 1;
		ike_input(&v, b.b.p, b.b.len, lo, cport, lo, 0);
		OK(recv(cli, r1, sizeof(r1), MSG_DONTWAIT) < 0 && hs->expect_msgid == 1,
		   "tampered encrypted request dropped, message ID not consumed");
		b.b.p[b.b.len - 1] ^= 1;
		ike_input(&v, b.b.p, b.b.len, lo, cport, lo, 0);
		n1 = recv_reply(cli, r1, sizeof(r1));
		const struct ike_payload *sk = n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 ? ike_find(m, PL_SK) : NULL;
		struct ike_msg *im = calloc(1, sizeof(*im));
		int ok = sk && ike_sk_open(&hs->keys, 0, r1, (size_t)n1, (size_t)(sk->body - r1), &plain) == 0 &&
			 ike_parse_chain(sk->np, plain.p, plain.len, im) == 0 &&
			 ike_find_notify(im, N_INVALID_SYNTAX, &nt) == 0 && m->hdr.msgid == 1 &&
			 (m->hdr.flags & HDR_F_RESPONSE);
		OK(ok, "CREATE_CHILD_SA before IKE_AUTH answered (encrypted INVALID_SYNTAX, same message ID)");
		ike_input(&v, b.b.p, b.b.len, lo, cport, lo, 0);
		n2 = recv_reply(cli, r2, sizeof(r2));
		OK(n2 == n1 && !memcmp(r1, r2, (size_t)n1), "its retransmission gets the cached response byte for byte");
		OK(hs->expect_msgid == 2 && hs->state == SA_HALF_OPEN, "message IDs in step, SA still half-open");
		free(im);
		buf_free(&plain);
		ikeb_free(&b);
		ikeb_free(&inner);
	}

	/* wrong KE group */
	const uint8_t spi2[8] = { 2, 2, 2, 2, 2, 2, 2, 2 };
	init_request(&req, spi2, "aes256gcm16-prfsha384-ecp384", 19, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find_notify(m, N_INVALID_KE_PAYLOAD, &nt) == 0 &&
	   nt.datalen == 2 && get16(nt.data) == 20, "KE for another group: INVALID_KE_PAYLOAD with group 20");
	OK(count_sas(&v) == 1, "no state kept for INVALID_KE_PAYLOAD");
	buf_free(&req);

	/* MODP1024 only, not legacy */
	init_request(&req, spi2, "aes256-sha1-prfsha1-modp1024", 2, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find_notify(m, N_NO_PROPOSAL_CHOSEN, &nt) == 0,
	   "MODP1024 without legacy_windows: NO_PROPOSAL_CHOSEN");
	v.cfg.legacy_windows = 1;
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find(m, PL_KE) && count_sas(&v) == 2,
	   "MODP1024 with legacy_windows = yes: accepted");
	v.cfg.legacy_windows = 0;
	buf_free(&req);

	/* invalid curve point */
	const uint8_t spi3[8] = { 3, 3, 3, 3, 3, 3, 3, 3 };
	init_request(&req, spi3, "aes128-sha256-prfsha256-ecp256", 19, 1);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	/* dropped: INVALID_SYNTAX may only be sent encrypted (RFC 7296 3.10.1) */
	OK(n1 < 0 && count_sas(&v) == 2, "KE with a point off the curve refused (dropped, no answer), no SA");
	buf_free(&req);

	/* every truncation and a byte-flip sweep through the whole input path */
	const uint8_t spi4[8] = { 4, 4, 4, 4, 4, 4, 4, 4 };
	init_request(&req, spi4, "aes256-sha256-prfsha256-modp2048", 14, 0);
	int answered = 0;
	for (size_t l = 0; l < req.len; l++) {
		ike_input(&v, req.p, l, lo, cport, lo, 0);
		/* loopback delivers synchronously: a reply would be queued now */
		if (recv(cli, r1, sizeof(r1), MSG_DONTWAIT) > 0)
			answered++;
	}
	OK(answered == 0 && count_sas(&v) == 2, "every truncated IKE_SA_INIT dropped silently (%zu)", req.len);
	struct buf s;
	build_sample(&s);
	for (size_t i = 0; i < s.len; i++) {
		s.p[i] ^= 0xff;
		ike_input(&v, s.p, s.len, lo, cport, lo, 0);
		ike_input(&v, s.p, s.len, lo, cport, lo, 1);
		s.p[i] ^= 0xff;
	}
	drain(cli);
	OK(1, "byte-flipped messages through ike_input did not crash");
	buf_free(&s);
	buf_free(&req);

	/* stateless cookies once half-open SAs reach the threshold */
	v.cfg.cookie_threshold = 2;
	const uint8_t spi5[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	init_request(&req, spi5, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	int have_cookie = n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && m->npl == 1 &&
			  ike_find_notify(m, N_COOKIE, &nt) == 0 && nt.datalen == 33;
	OK(have_cookie && count_sas(&v) == 2, "over the threshold: COOKIE requested, no state, no DH");
	uint8_t cookie[33];
	if (have_cookie)
		memcpy(cookie, nt.data, 33);
	buf_free(&req);
	g_cookie = cookie;
	g_cookie_len = 33;
	init_request(&req, spi5, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find(m, PL_KE) && count_sas(&v) == 3,
	   "request with the right cookie accepted");
	buf_free(&req);
	const uint8_t spi6[8] = { 6, 6, 6, 6, 6, 6, 6, 6 };
	cookie[10] ^= 1;
	init_request(&req, spi6, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	n1 = recv_reply(cli, r1, sizeof(r1));
	OK(n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find_notify(m, N_COOKIE, &nt) == 0 &&
	   !ike_find(m, PL_KE) && count_sas(&v) == 3, "a wrong cookie gets a new COOKIE request");
	buf_free(&req);
	g_cookie = NULL;
	v.cfg.cookie_threshold = 100;
	v.cfg.half_open_per_ip = 3;
	const uint8_t spi7[8] = { 7, 7, 7, 7, 7, 7, 7, 7 };
	init_request(&req, spi7, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	OK(recv_reply(cli, r1, sizeof(r1)) < 0 && count_sas(&v) == 3,
	   "an address at its half-open limit is ignored");
	buf_free(&req);
	OK(v.n_init_dropped_ip == 1 && v.n_cookies_sent == 2, "counted: 1 dropped per address, 2 cookies sent");
	/* max_ike_sas: beyond the cap IKE_SA_INIT is dropped before any DH */
	v.cfg.half_open_per_ip = 100;
	v.cfg.max_ike_sas = 3;
	init_request(&req, spi7, "aes256gcm16-prfsha384-ecp384", 20, 0);
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	OK(recv_reply(cli, r1, sizeof(r1)) < 0 && count_sas(&v) == 3 && v.n_init_dropped_cap == 1,
	   "max_ike_sas reached: IKE_SA_INIT dropped and counted");
	v.cfg.max_ike_sas = 4;
	ike_input(&v, req.p, req.len, lo, cport, lo, 0);
	OK(recv_reply(cli, r1, sizeof(r1)) > 0 && count_sas(&v) == 4, "below max_ike_sas it is answered again");
	buf_free(&req);
	/* max_half_open: only a cookie-verified IKE_SA_INIT evicts, and the
	 * oldest half-open SA goes */
	{
		struct ike_sa *oldest = sa_oldest_half_open(&v);
		uint8_t o_spi_i[8] = { 0 }, o_spi_r[8] = { 0 }, ck[33];
		unsigned half = v.tab.half_open;
		if (oldest) {
			memcpy(o_spi_i, oldest->spi_i, 8);
			memcpy(o_spi_r, oldest->spi_r, 8);
		}
		v.cfg.max_ike_sas = 100;
		v.cfg.max_half_open = half;
		const uint8_t spi8[8] = { 8, 8, 8, 8, 8, 8, 8, 8 };
		init_request(&req, spi8, "aes256gcm16-prfsha384-ecp384", 20, 0);
		ike_input(&v, req.p, req.len, lo, cport, lo, 0);
		n1 = recv_reply(cli, r1, sizeof(r1));
		have_cookie = n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && m->npl == 1 &&
			      ike_find_notify(m, N_COOKIE, &nt) == 0 && nt.datalen == 33;
		OK(oldest && half > 1 && have_cookie && v.tab.half_open == half && v.n_half_open_evicted == 0 &&
		   sa_lookup_r(&v, o_spi_i, o_spi_r) == oldest,
		   "max_half_open (%u) reached below cookie_threshold: a COOKIE asked for, nothing evicted", half);
		if (have_cookie)
			memcpy(ck, nt.data, 33);
		buf_free(&req);
		g_cookie = ck;
		g_cookie_len = 33;
		init_request(&req, spi8, "aes256gcm16-prfsha384-ecp384", 20, 0);
		ike_input(&v, req.p, req.len, lo, cport, lo, 0);
		n1 = recv_reply(cli, r1, sizeof(r1));
		OK(have_cookie && n1 > 0 && ike_parse(r1, (size_t)n1, m) == 0 && ike_find(m, PL_KE) &&
		   v.tab.half_open == half && v.n_half_open_evicted == 1 && !sa_lookup_r(&v, o_spi_i, o_spi_r) &&
		   sa_lookup_init(&v, spi8, lo, cport) != NULL,
		   "with the cookie: answered, the oldest half-open SA evicted, half-open stays at max_half_open");
		g_cookie = NULL;
		buf_free(&req);
		v.cfg.max_half_open = 2048;
	}
	/* max_message_size: a bigger datagram is dropped before parsing */
	{
		static uint8_t big[20000];
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(sport),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		memset(big, 0, sizeof(big));
		sendto(cli, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to));
		sendto(cli, big, 1000, 0, (struct sockaddr *)&to, sizeof(to));
		struct pollfd pf = { v.sock_ike, POLLIN, 0 };
		poll(&pf, 1, 200);
		net_read(&v, v.sock_ike, 0);
		OK(v.n_too_big == 1, "a 20000-byte datagram dropped as too big, a 1000-byte one is not (%lu)", v.n_too_big);
	}

	/* messages for an unknown SA are ignored; half-open SAs expire */
	uint8_t unk[IKE_HDR_LEN] = { 9, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0x20, EXCH_INFORMATIONAL,
				      HDR_F_INITIATOR, 0, 0, 0, 1, 0, 0, 0, IKE_HDR_LEN };
	ike_input(&v, unk, sizeof(unk), lo, cport, lo, 0);
	OK(recv_reply(cli, r1, sizeof(r1)) < 0, "INFORMATIONAL for an unknown SPI ignored");
	sa_tick(&v, time(NULL) + v.cfg.half_open_timeout + 1);
	OK(count_sas(&v) == 0, "half-open IKE SAs removed after half_open_timeout");
	close(cli);
	close(v.sock_ike);
	free(m);
}

void test_misc(void)
{
	test_ts();
	test_pool();
	test_config();
	test_small();
	test_init_exchange();
}
