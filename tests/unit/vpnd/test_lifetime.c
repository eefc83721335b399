/* Lifetimes: the new configuration keys and their errors, the soft/hard
 * lifetime arithmetic, the RFC 7296 2.8.1 nonce order and the parsing of
 * kernel expire messages from crafted netlink buffers. */
#include "tap.h"
#include "../../../src/vpnd/config.h"
#include "../../../src/vpnd/ctl.h"
#include "../../../src/vpnd/lifetime.h"
#include "../../../src/vpnd/xfrm.h"
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void test_lifetime(void);

static void test_lifetime_config(void)
{
	struct vpnd_config c;
	char err[256];
	/* its bad values are in test_misc.c's table of config errors */
	config_defaults(&c);
	OK(c.child_lifetime == 28800 && c.rekey_margin == 540 && c.ike_lifetime == 86400 && c.max_ike_sas == 4096 &&
	   c.max_half_open == 2048 && c.max_message_size == 16384, "lifetime and limit defaults");
	const char *good = "child_lifetime = 60\nrekey_margin = 25\nike_lifetime = 3600\nmax_ike_sas = 10\n"
			   "max_message_size = 2000\nmax_half_open = 7\n";
	OK(config_parse_buf("t.conf", good, &c, err, sizeof(err)) == 0 && c.child_lifetime == 60 &&
	   c.rekey_margin == 25 && c.ike_lifetime == 3600 && c.max_ike_sas == 10 && c.max_message_size == 2000 && c.max_half_open == 7,
	   "lifetime and limit keys parsed");
}

static void test_child_times(void)
{
	static struct vpnd v;
	uint32_t soft, hard, lo = ~0u, hi = 0;
	int in_range = 1;

	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	v.cfg.child_lifetime = 60;
	v.cfg.rekey_margin = 27; /* jitter 0..9 */
	for (int i = 0; i < 2000; i++) {
		lifetime_child_times(&v, &soft, &hard);
		in_range &= hard == 60 && soft >= 60 - 27 - 9 && soft <= 60 - 27;
		lo = soft < lo ? soft : lo;
		hi = soft > hi ? soft : hi;
	}
	OK(in_range, "soft lifetime = lifetime - margin - jitter(0..margin/3), hard = lifetime");
	OK(lo == 24 && hi == 33, "jitter covers its whole range (soft %u..%u)", lo, hi);
	config_defaults(&v.cfg);
	lifetime_child_times(&v, &soft, &hard);
	OK(hard == 28800 && soft <= 28800 - 540 && soft >= 28800 - 720, "defaults: soft %u of hard %u", soft, hard);
}

static void test_nonce_cmp(void)
{
	const uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 1, 2, 3, 5 }, c[3] = { 1, 2, 3 }, d[2] = { 0xff, 0 };
	OK(nonce_cmp(a, 4, b, 4) < 0 && nonce_cmp(b, 4, a, 4) > 0, "nonces compare as big-endian byte strings");
	OK(nonce_cmp(a, 4, a, 4) == 0, "equal nonces compare equal");
	OK(nonce_cmp(c, 3, a, 4) < 0 && nonce_cmp(a, 4, c, 3) > 0, "a prefix is the lower nonce");
	OK(nonce_cmp(d, 2, a, 4) > 0, "the first differing byte decides, not the length");
}

/* one netlink message: header + body */
static size_t put_msg(uint8_t *buf, uint16_t type, const void *body, size_t blen)
{
	struct nlmsghdr h = { .nlmsg_len = (uint32_t)NLMSG_LENGTH(blen), .nlmsg_type = type };
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + NLMSG_HDRLEN, body, blen);
	return NLMSG_ALIGN(h.nlmsg_len);
}

static void expire_body(struct xfrm_user_expire *e, uint32_t spi, uint32_t dst, uint32_t reqid, int hard)
{
	memset(e, 0, sizeof(*e));
	e->state.family = AF_INET;
	e->state.id.spi = htonl(spi);
	e->state.id.daddr.a4 = htonl(dst);
	e->state.id.proto = IPPROTO_ESP;
	e->state.reqid = reqid;
	e->hard = (uint8_t)hard;
}

static void test_expire_parse(void)
{
	static uint8_t buf[4096];
	struct xfrm_user_expire e;
	struct xfrm_expire ev[8];
	size_t n = 0;

	expire_body(&e, 0xc0001234, 0xc0000201, XFRM_REQID_BASE | 7, 0);
	n += put_msg(buf + n, XFRM_MSG_EXPIRE, &e, sizeof(e));
	n += put_msg(buf + n, XFRM_MSG_NEWSA, &e, sizeof(e)); /* not an expire: ignored */
	expire_body(&e, 0xc0005678, 0xc0000202, XFRM_REQID_BASE | 7, 1);
	n += put_msg(buf + n, XFRM_MSG_EXPIRE, &e, sizeof(e));
	int k = xfrm_parse_expire(buf, n, ev, 8);
	OK(k == 2 && ev[0].spi == 0xc0001234 && ev[0].dst == 0xc0000201 && !ev[0].hard &&
	   ev[0].reqid == (XFRM_REQID_BASE | 7) && ev[0].proto == IPPROTO_ESP && ev[1].spi == 0xc0005678 && ev[1].hard,
	   "two expire messages parsed (soft, hard), another type skipped");
	OK(xfrm_parse_expire(buf, n, ev, 1) == 1, "at most max events stored");
	/* a short expire body (no 'hard' byte) is not read */
	size_t m = put_msg(buf, XFRM_MSG_EXPIRE, &e, sizeof(e.state));
	OK(xfrm_parse_expire(buf, m, ev, 8) == 0, "an expire message shorter than xfrm_user_expire ignored");
	/* the buffer ends inside the message: nothing read past len */
	n = put_msg(buf, XFRM_MSG_EXPIRE, &e, sizeof(e));
	OK(xfrm_parse_expire(buf, n - 8, ev, 8) == 0, "a truncated datagram yields nothing");
	OK(xfrm_parse_expire(buf, 10, ev, 8) == 0, "less than a netlink header yields nothing");
	/* a length field that lies */
	struct nlmsghdr h;
	memcpy(&h, buf, sizeof(h));
	h.nlmsg_len = 0xffffff00u;
	memcpy(buf, &h, sizeof(h));
	OK(xfrm_parse_expire(buf, n, ev, 8) == 0, "nlmsg_len beyond the datagram stops the parse");
	h.nlmsg_len = 4;
	memcpy(buf, &h, sizeof(h));
	OK(xfrm_parse_expire(buf, n, ev, 8) == 0, "nlmsg_len below the header size stops the parse (no loop)");
	/* IPv6 states are not ours */
	expire_body(&e, 1, 2, XFRM_REQID_BASE, 1);
	e.state.family = AF_INET6;
	n = put_msg(buf, XFRM_MSG_EXPIRE, &e, sizeof(e));
	OK(xfrm_parse_expire(buf, n, ev, 8) == 0, "an IPv6 expire ignored");
}

/* vpnctl status: the old lines first and unchanged (scripts parse them),
 * the counters appended */
static void test_status(void)
{
	static struct vpnd v;
	static char out[4096];

	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	v.xfrm_fd = -1;
	if (pool_init(&v.pool, v.cfg.pool, 60) < 0)
		return;
	v.started = time(NULL);
	v.n_cookies_sent = 3;
	v.n_init_dropped_ip = 4;
	v.n_init_dropped_cap = 5;
	v.n_too_big = 6;
	v.n_rekeys_ours = 7;
	v.n_rekeys_peer = 8;
	v.n_expired = 9;
	v.n_half_open_evicted = 10;
	ctl_command(&v, "status", out, sizeof(out));
	unsigned long up;
	char rest[4096];
	const char *first = "established 0\nhalf_open 0\npool_used 0 of 254\ntotal_established 0\n"
			    "total_auth_failed 0\n";
	memset(rest, 0, sizeof(rest));
	OK(sscanf(out, "version " VPND_VERSION "\nuptime %lu\n%4095c", &up, rest) == 2 &&
	   !strncmp(rest, first, strlen(first)),
	   "status: the original lines unchanged and first");
	OK(strstr(out, "\nike_sas 0 of 4096\ncookies_sent 3\ninit_dropped_per_ip 4\ninit_dropped_cap 5\n"
		       "messages_too_big 6\nrekeys_by_us 7\nrekeys_by_clients 8\nexpired 9\nhalf_open_evicted 10\n") != NULL,
	   "status: the counters appended");
	pool_free(&v.pool);
}

/* An established client in a vpnd without kernel (-n): the lifetimes run
 * on the per-second timer.  No keys: every message of ours fails to seal,
 * which is what a client that never answers looks like to vpnd. */
static struct ike_sa *fake_client(struct vpnd *v, const char *id, time_t now)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	snprintf(sa->id, sizeof(sa->id), "%s", id);
	sa->state = SA_ESTABLISHED;
	sa->created = sa->established = sa->last_active = now;
	if (pool_acquire(&v->pool, id, now, &sa->vip) == 0)
		sa->has_vip = 1;
	sa->child.installed = 1;
	sa->child.spi_in = 0xc0000001;
	sa->child.soft_at = now + 30;
	sa->child.hard_at = now + 60;
	if (sa_link(v, sa) < 0) {
		free(sa);
		return NULL;
	}
	return sa;
}

static void test_tick(void)
{
	static struct vpnd v;
	time_t now = time(NULL);

	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	v.xfrm_fd = v.expire_fd = v.sock_ike = v.sock_natt = -1;
	if (pool_init(&v.pool, v.cfg.pool, 0) < 0)
		return;
	struct ike_sa *sa = fake_client(&v, "hard", now - 61);
	sa_tick(&v, now);
	OK(sa->state == SA_DEAD && v.n_expired == 1 && pool_used(&v.pool) == 0 && !sa->child.installed,
	   "hard lifetime passed (-n timer): client closed as expired, address released");
	sa_tick(&v, now + 11);
	OK(v.sas == NULL, "the closed IKE SA is freed after its grace time");

	sa = fake_client(&v, "ike", now);
	sa->created = now - (time_t)v.cfg.ike_lifetime;
	sa_tick(&v, now);
	OK(sa->state == SA_DEAD && v.n_expired == 2, "ike_lifetime passed: closed as expired");
	sa_tick(&v, now + 11);

	sa = fake_client(&v, "old", now - 31);
	sa->old = sa->child;
	sa->old.spi_in = 0xc0000002;
	sa->child.soft_at = now + 100;
	sa->child.hard_at = now + 200;
	sa_tick(&v, now);
	OK(sa->state == SA_ESTABLISHED && !sa->old.installed && sa->child.installed && !sa->dpd_pending,
	   "soft lifetime of an old child the client never deleted: it is removed");

	sa->child.soft_at = now - 1;
	sa->dpd_pending = 1; /* a request of ours is in flight (and not timed out) */
	sa->dpd_started = now;
	sa->dpd_next = now + 100;
	sa_tick(&v, now);
	OK((sa->want & WANT_REKEY) && sa->child.soft_done && !sa->rk,
	   "soft lifetime while a request is outstanding: the rekey waits (window of one)");
	sa->dpd_pending = 0;
	sa->want = 0;
	sa_close_all(&v, "shutdown");
	OK(v.sas == NULL && pool_used(&v.pool) == 0, "nothing left after closing all");
	pool_free(&v.pool);
}

void test_lifetime(void)
{
	test_status();
	test_tick();
	test_lifetime_config();
	test_child_times();
	test_nonce_cmp();
	test_expire_parse();
}
