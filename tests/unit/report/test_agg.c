/* Aggregation tests on crafted logs: a connection across midnight and a
 * log rotation, one whose `established` was rotated away, still-connected
 * clients, a vpnd restart, window boundaries, unknown and malformed lines. */
#include "tap.h"
#include "../../../src/report/agg.h"
#include "../../../src/report/logread.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define M   1795824000LL            /* 2026-11-28 00:00:00 UTC */
#define NOW (M + 12 * 3600)         /* window (M-12h, M+12h] */

static char dir[64];

static void put(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(FILE *f, const char *fmt, ...)
{
	va_list ap;

	fputs("Nov 28 00:00:00 roadbox daemon.info vpnd[212]: ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static FILE *open_log(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "w");
}

#define EST(f, ts, id, spi, outer) put(f, "established ts=%lld id=%s serial=01 outer=%s " \
	"vip=10.99.0.9 ike_spi=%s proposal=aes256gcm16-prfsha384-ecp384 esp=aes256gcm16", \
	(long long)(ts), id, outer, spi)
#define CLO(f, ts, id, spi, outer, dur, bin, bout) put(f, "closed ts=%lld id=%s serial=01 " \
	"outer=%s vip=10.99.0.9 ike_spi=%s reason=client_delete duration=%lld bytes_in=%d " \
	"bytes_out=%d", (long long)(ts), id, outer, spi, (long long)(dur), bin, bout)
#define FAIL(f, ts, outer, reason, id) put(f, "auth_failed ts=%lld outer=%s reason=%s id=%s", \
	(long long)(ts), outer, reason, id)

static int write_logs(void)
{
	FILE *f1 = open_log("messages.1"), *f0 = open_log("messages.0"), *f = open_log("messages");

	if (!f1 || !f0 || !f)
		return -1;
	/* messages.1: the oldest file */
	put(f1, "started ts=%lld version=0.9", M - 20 * 3600);
	EST(f1, M - 13 * 3600, "carol", "c1", "192.0.2.50:4500");
	EST(f1, M - 1800, "alice@example.org", "a1", "198.51.100.7:4500");
	FAIL(f1, NOW - 86400, "203.0.113.5:500", "unknown_ca", "-");       /* just outside */
	FAIL(f1, NOW - 86399, "203.0.113.5:4500", "unknown_ca", "eve");    /* just inside */
	CLO(f1, M - 12 * 3600, "gone", "g1", "192.0.2.99:500", 60, 1, 1);  /* ends at the edge */
	fputs("Nov 27 23:59:59 roadbox kern.info kernel: [  1.0] something else\n", f1);
	/* messages.0 */
	fputs("Nov 28 00:10:00 roadbox daemon.info vpnd[212]: rekeyed ts=1 id=x\n", f0);
	fputs("Nov 28 00:10:00 roadbox daemon.info vpnd[212]: closed ts=oops\n", f0);
	fputs("Nov 28 00:10:00 roadbox daemon.info vpnd[212]: closed \"\"\"=\n", f0);
	fputs("\n\xff\xfe garbage \x01\n", f0);
	CLO(f0, M - 11 * 3600 - 1800, "carol", "c1", "192.0.2.50:4500", 5400, 5, 6);
	CLO(f0, M + 1800, "alice@example.org", "a1", "198.51.100.7:4500", 3600, 1000, 2000);
	CLO(f0, M + 2 * 3600, "dave", "d1", "192.0.2.7:4500", 7200, 7, 8);  /* est. rotated away */
	put(f0, "auth_failed ts=%lld outer=192.0.2.200:500 reason=no_proposal build=\"x y\" "
	    "extra=1", M - 86400);                                      /* old, unknown keys */
	/* messages: the current file */
	EST(f, M + 3600, "bob", "b1", "[2001:db8::5]:4500");
	EST(f, M + 3 * 3600, "alice@example.org", "a2", "192.0.2.1:4500");
	CLO(f, M + 4 * 3600, "alice@example.org", "a2", "192.0.2.1:4500", 3600, 10, 20);
	EST(f, M + 5 * 3600, "xavier", "x1", "192.0.2.8:4500");
	put(f, "stopping ts=%lld reason=signal", M + 6 * 3600 - 1);
	put(f, "started ts=%lld version=1.1", M + 6 * 3600);              /* x1 ended here */
	EST(f, M + 6 * 3600 + 10, "bob", "b2", "198.51.100.1:4500");      /* b1 was lost */
	FAIL(f, NOW, "203.0.113.5:1234", "unknown_ca", "-");               /* at the edge: in */
	FAIL(f, NOW + 1, "203.0.113.5:1234", "unknown_ca", "-");           /* future: out */
	FAIL(f, M + 7 * 3600, "198.51.100.99:4500", "revoked", "\"mallory <m@x>\"");
	EST(f, NOW, "zoe", "z1", "192.0.2.9:4500");                         /* at the edge: in */
	EST(f, NOW + 5, "frank", "f1", "192.0.2.10:4500");                  /* future: out */
	fclose(f1);
	fclose(f0);
	fclose(f);
	return 0;
}

static const struct rb_client *client(const struct rb_agg *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nclients; i++)
		if (strcmp(a->clients[i].id, id) == 0)
			return &a->clients[i];
	return NULL;
}

static void cleanup(void)
{
	char path[128];
	const char *n[] = { "messages", "messages.0", "messages.1" };
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, n[i]);
		unlink(path);
	}
	rmdir(dir);
}

void test_agg(void)
{
	struct rb_agg a;
	const struct rb_client *c;
	char base[128];
	size_t i, open = 0;

	snprintf(dir, sizeof(dir), "/tmp/report_unit.XXXXXX");
	if (!mkdtemp(dir) || write_logs() < 0) {
		OK(0, "agg: write the crafted logs");
		return;
	}
	snprintf(base, sizeof(base), "%s/messages", dir);
	rb_agg_init(&a, NOW);
	OK(rb_read_rotated(&a, base) == 0, "agg: read messages.1, messages.0, messages");
	OK(rb_agg_finish(&a) == 0, "agg: finish");

	c = client(&a, "alice@example.org");
	OK(c && c->conns == 2, "agg: alice has 2 connections (one across midnight and a rotation)");
	OK(c && c->seconds == 7200, "agg: alice connected 2h in total (got %" PRId64 ")",
	   c ? c->seconds : -1);
	OK(c && c->bytes_in == 1010 && c->bytes_out == 2020, "agg: alice's bytes summed");
	OK(c && c->first == M - 1800 && c->last == M + 3 * 3600,
	   "agg: alice's first connect is before midnight, last the later one");
	OK(c && c->naddrs == 2 && strcmp(c->addrs[0], "198.51.100.7") == 0 &&
	   strcmp(c->addrs[1], "192.0.2.1") == 0, "agg: alice's two outer addresses, ports stripped");

	c = client(&a, "carol");
	OK(c && c->conns == 1 && c->seconds == 1800,
	   "agg: carol's connection began before the window: only 30m inside counted");
	c = client(&a, "dave");
	OK(c && c->conns == 1 && c->seconds == 7200 && c->first == M,
	   "agg: dave's `closed` without `established` (rotated away): start from duration");
	c = client(&a, "xavier");
	OK(c && c->conns == 1 && c->open == 0 && c->seconds == 3600,
	   "agg: a vpnd restart ends xavier's open connection");
	c = client(&a, "bob");
	OK(c && c->conns == 2 && c->open == 1 && c->seconds == 5 * 3600 + 6 * 3600 - 10,
	   "agg: bob: one lost at the restart, one still connected until now");
	OK(client(&a, "gone") == NULL, "agg: a connection that ended exactly at the window start is out");
	c = client(&a, "zoe");
	OK(c && c->open == 1 && c->seconds == 0, "agg: a connection established exactly now is in");
	OK(client(&a, "frank") == NULL, "agg: events after now are not in the report");
	OK(a.nclients == 6, "agg: 6 clients (got %zu)", a.nclients);
	for (i = 0; i + 1 < a.nclients; i++)
		if (strcmp(a.clients[i].id, a.clients[i + 1].id) >= 0)
			break;
	OK(i + 1 == a.nclients, "agg: clients sorted by identity");

	for (i = 0; i < a.nsess; i++)
		open += a.sess[i].open;
	OK(open == 2, "agg: bob and zoe are still connected (got %zu)", open);

	OK(a.failures == 3, "agg: 3 failed attempts in the window (edges: -86400 out, -86399 and now in)");
	OK(a.nfail == 2 && strcmp(a.fail[0].reason, "unknown_ca") == 0 &&
	   strcmp(a.fail[0].outer_ip, "203.0.113.5") == 0 && a.fail[0].count == 2,
	   "agg: failures grouped by reason and outer address, most first");
	OK(a.nfail == 2 && a.fail[0].nids == 1 && strcmp(a.fail[0].ids[0], "eve") == 0,
	   "agg: identities tried are listed, '-' is not an identity");
	OK(a.nfail == 2 && strcmp(a.fail[1].ids[0], "mallory <m@x>") == 0,
	   "agg: quoted identity in a failure");

	OK(a.stats.unknown == 1, "agg: unknown event counted (got %lu)", a.stats.unknown);
	OK(a.stats.malformed == 2, "agg: malformed vpnd lines counted (got %lu)", a.stats.malformed);
	OK(a.stats.unknown_keys == 2, "agg: unknown keys counted (got %lu)", a.stats.unknown_keys);
	OK(strcmp(a.version, "1.1") == 0, "agg: version from the last `started`");
	rb_agg_free(&a);

	/* the same logs fed newest file first give the same result */
	{
		const char *order[] = { "messages", "messages.0", "messages.1" };
		char p[128];
		rb_agg_init(&a, NOW);
		for (i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, order[i]);
			rb_read_log(&a, p);
		}
		rb_agg_finish(&a);
		c = client(&a, "alice@example.org");
		OK(a.nclients == 6 && c && c->seconds == 7200 && a.failures == 3,
		   "agg: result does not depend on the order the files are read");
		rb_agg_free(&a);
	}
	rb_agg_init(&a, NOW);
	snprintf(base, sizeof(base), "%s/nonexistent", dir);
	OK(rb_read_rotated(&a, base) == 0 && rb_agg_finish(&a) == 0 && a.nclients == 0,
	   "agg: no log files at all is an empty report, not an error");
	rb_agg_free(&a);
	cleanup();
}
