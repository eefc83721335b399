/* sysctl.conf parsing, passwd/group lookups, restart backoff. */
#include "../../../src/init/backoff.h"
#include "../../../src/init/passwd.h"
#include "../../../src/init/sysctl.h"
#include "tap.h"

#include <string.h>

struct seen {
	int n;
	char key[8][64], val[8][64];
	int optional[8], line[8];
	int fail_on;   /* line whose callback fails, 0 = none */
};

static int collect(void *ctx, const char *key, const char *value, int optional, int line)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		snprintf(s->key[s->n], sizeof(s->key[0]), "%s", key);
		snprintf(s->val[s->n], sizeof(s->val[0]), "%s", value);
		s->optional[s->n] = optional;
		s->line[s->n] = line;
	}
	s->n++;
	return line == s->fail_on ? -1 : 0;
}

static int sparse(const char *text, struct seen *s, char *err, size_t errlen)
{
	return sysctl_parse(text, strlen(text), "sysctl.conf", collect, s, err, errlen);
}

void test_sysctl(void)
{
	struct seen s = { 0 };
	char err[256] = "", path[128];
	const char *good =
		"# gateway\n"
		"net.ipv4.ip_forward = 1\n"
		"; another comment style\n"
		"  net.ipv4.conf.all.rp_filter=0  \n"
		"\n"
		"-net.ipv6.conf.all.forwarding = 1\n"
		"kernel/dmesg_restrict = 1\n"
		"net.ipv4.ip_local_port_range = 32768\t60999\n";

	CHECK(sparse(good, &s, err, sizeof(err)) == 0 && s.n == 5, "sysctl.conf: good file gives 5 settings (%s)", err);
	CHECK(strcmp(s.key[0], "net.ipv4.ip_forward") == 0 && strcmp(s.val[0], "1") == 0 && s.line[0] == 2,
	      "sysctl.conf: key, value and line of the first setting");
	CHECK(strcmp(s.key[1], "net.ipv4.conf.all.rp_filter") == 0 && strcmp(s.val[1], "0") == 0,
	      "sysctl.conf: blanks around '=' are optional");
	CHECK(s.optional[2] == 1 && strcmp(s.key[2], "net.ipv6.conf.all.forwarding") == 0 && !s.optional[0],
	      "sysctl.conf: a leading '-' marks a key optional");
	CHECK(strcmp(s.val[4], "32768\t60999") == 0, "sysctl.conf: a value may contain blanks");

	memset(&s, 0, sizeof(s));
	CHECK(sparse("a.b = 1\nbroken line\n", &s, err, sizeof(err)) == -1 &&
	      strstr(err, "sysctl.conf:2: expected 'key = value'"), "sysctl.conf: line without '=' refused with file:line (%s)", err);
	CHECK(sparse("../../etc/x = 1\n", &s, err, sizeof(err)) == -1 && strstr(err, ":1: bad key"),
	      "sysctl.conf: a key escaping /proc/sys is refused");
	CHECK(sparse("/abs/path = 1\n", &s, err, sizeof(err)) == -1 && strstr(err, "bad key"),
	      "sysctl.conf: an absolute key is refused");
	CHECK(sparse("a.b =\n", &s, err, sizeof(err)) == -1 && strstr(err, "missing value"),
	      "sysctl.conf: a key without value is refused");
	CHECK(sparse("a.b$c = 1\n", &s, err, sizeof(err)) == -1 && strstr(err, "bad key"),
	      "sysctl.conf: odd characters in a key are refused");
	memset(&s, 0, sizeof(s));
	s.fail_on = 1;
	CHECK(sparse("a.b = 1\nc.d = 2\n", &s, err, sizeof(err)) == -1 && s.n == 2,
	      "sysctl.conf: one failing setting fails the file but the rest still get applied");

	CHECK(sysctl_key_path("net.ipv4.ip_forward", path, sizeof(path)) == 0 &&
	      strcmp(path, "/proc/sys/net/ipv4/ip_forward") == 0, "sysctl key with dots maps to /proc/sys path");
	CHECK(sysctl_key_path("net/ipv4/conf/eth0.5/rp_filter", path, sizeof(path)) == 0 &&
	      strcmp(path, "/proc/sys/net/ipv4/conf/eth0.5/rp_filter") == 0, "sysctl key with slashes keeps its dots");
	CHECK(sysctl_key_path("net.ipv4.ip_forward", path, 20) == -1, "sysctl key path too long for the buffer");
	CHECK(sysctl_apply_file("/nonexistent/sysctl.conf", err, sizeof(err)) == -1 &&
	      strstr(err, "/nonexistent/sysctl.conf: cannot open"), "sysctl: a missing file is an error naming it");
}

void test_passwd(void)
{
	const char *pw =
		"root:x:0:0:root:/root:/bin/sh\n"
		"vpnd:x:100:101:VPN daemon:/nonexistent:/bin/false\n"
		"broken:x:abc:1:::\n"
		"short:x:5:5\n"
		"vpndx:x:7:7:::\n"
		"nobody:x:65534:65534:nobody:/nonexistent:/bin/false";
	const char *gr = "root:x:0:\ntty:x:5:\nvpnd:x:100:\nodd:x:1:a:b\n";
	uid_t u = 0;
	gid_t g = 0;

	CHECK(passwd_lookup(pw, strlen(pw), "vpnd", &u, &g) == 0 && u == 100 && g == 101,
	      "passwd: vpnd has uid 100 gid 101");
	CHECK(passwd_lookup(pw, strlen(pw), "nobody", &u, &g) == 0 && u == 65534,
	      "passwd: last line without newline");
	CHECK(passwd_lookup(pw, strlen(pw), "vpn", &u, &g) == -1, "passwd: a prefix of a name does not match");
	CHECK(passwd_lookup(pw, strlen(pw), "broken", &u, &g) == -1, "passwd: a non-numeric uid is refused");
	CHECK(passwd_lookup(pw, strlen(pw), "short", &u, &g) == -1, "passwd: a line with too few fields is skipped");
	CHECK(passwd_lookup(pw, strlen(pw), "missing", &u, &g) == -1, "passwd: an unknown user is not found");
	CHECK(passwd_lookup("x:x:4294967295:0:::\n", 20, "x", &u, &g) == -1, "passwd: uid -1 is refused");
	CHECK(passwd_lookup("x:x:1:2:a:b:c:d\n", 16, "x", &u, &g) == -1, "passwd: a line with too many fields is skipped");
	CHECK(group_lookup(gr, strlen(gr), "tty", &g) == 0 && g == 5, "group: tty is gid 5");
	CHECK(group_lookup(gr, strlen(gr), "odd", &g) == -1, "group: a line with 5 fields is skipped");
}

void test_backoff(void)
{
	unsigned next = BACKOFF_MIN_S, seq[8];
	int ok = 1;
	const unsigned want[8] = { 1, 2, 4, 8, 16, 32, 60, 60 };

	for (int i = 0; i < 8; i++)
		seq[i] = backoff_delay(&next, 100);
	for (int i = 0; i < 8; i++)
		ok &= seq[i] == want[i];
	CHECK(ok, "backoff: quick crashes wait 1 2 4 8 16 32 60 60 s");
	CHECK(backoff_delay(&next, 60000) == 1 && next == 2,
	      "backoff: a service that ran a minute restarts after 1 s again");
	CHECK(backoff_delay(&next, 59999) == 2, "backoff: 59.9 s is not yet stable");
	next = 0;
	CHECK(backoff_delay(&next, 0) == 1, "backoff: an unset delay starts at 1 s");
	next = 1000;
	CHECK(backoff_delay(&next, 0) == 60, "backoff: never more than 60 s");
}
