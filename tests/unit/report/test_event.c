/* Tokenizer tests: docs/log-format.md lines, quoting, unknowns, garbage. */
#include "tap.h"
#include "../../../src/report/event.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* the keys an established/closed line must also carry */
#define EST_TAIL " serial=1 outer=1.2.3.4:4500 vip=10.0.0.2 proposal=p esp=e"
#define CLO_TAIL " serial=1 outer=1.2.3.4:4500 vip=10.0.0.2 reason=dpd bytes_in=1 bytes_out=2"

static enum rb_line_result parse(const char *line, struct rb_event *ev)
{
	return rb_parse_line(line, strlen(line), ev);
}

static void test_doc_example(void)
{
	struct rb_event ev;
	const char *l = "Nov 28 18:08:32 roadbox daemon.info vpnd[212]: established "
		"ts=1795890512 id=alice@example.org serial=1A2B outer=198.51.100.7:4500 "
		"vip=10.99.0.2 ike_spi=8f3c0d1e2a4b5c6d9e0f1a2b3c4d5e6f "
		"proposal=aes256gcm16-prfsha384-ecp384 esp=aes256gcm16\n";

	OK(parse(l, &ev) == RB_LINE_EVENT && ev.type == RB_EV_ESTABLISHED,
	   "event: the documented example parses as established");
	OK(ev.ts == 1795890512 && strcmp(ev.id, "alice@example.org") == 0 &&
	   strcmp(ev.outer, "198.51.100.7:4500") == 0 && strcmp(ev.vip, "10.99.0.2") == 0 &&
	   strcmp(ev.ike_spi, "8f3c0d1e2a4b5c6d9e0f1a2b3c4d5e6f") == 0 &&
	   strcmp(ev.serial, "1A2B") == 0 && ev.unknown_keys == 0,
	   "event: all fields of the example are read");
}

static void test_closed_any_order(void)
{
	struct rb_event ev;

	OK(parse("Nov 28 18:08:32 box daemon.info vpnd[1]: closed bytes_out=20 bytes_in=10 "
		 "duration=60 reason=dpd ike_spi=ab vip=10.0.0.1 outer=1.2.3.4:500 serial=1 "
		 "id=bob ts=100", &ev) == RB_LINE_EVENT &&
	   ev.type == RB_EV_CLOSED && ev.duration == 60 && ev.bytes_in == 10 &&
	   ev.bytes_out == 20 && ev.ts == 100 && strcmp(ev.reason, "dpd") == 0,
	   "event: keys in any order (a tokenizer, not column counting)");
}

static void test_logger_tag(void)
{
	struct rb_event ev;

	/* BusyBox `logger -t vpnd` writes the tag without a pid */
	OK(parse("Nov 28 18:08:32 box daemon.info vpnd: started ts=5 version=1.0", &ev) ==
	   RB_LINE_EVENT && ev.type == RB_EV_STARTED && strcmp(ev.version, "1.0") == 0,
	   "event: tag without pid (vpnd:) is accepted");
	OK(parse("Nov  8 01:02:03 box daemon.info vpnd[7]: stopping ts=5 reason=signal", &ev) ==
	   RB_LINE_EVENT && ev.type == RB_EV_STOPPING,
	   "event: single-digit day with two spaces");
	OK(parse("Nov 28 18:08:32 box vpnd[7]: stopping ts=5 reason=x", &ev) == RB_LINE_EVENT,
	   "event: header without facility.priority");
	OK(parse("Nov 28 18:08:32 box daemon.info vpndx[7]: stopping ts=5", &ev) == RB_LINE_OTHER,
	   "event: another program whose name starts with vpnd is not vpnd");
	OK(parse("Nov 28 18:08:32 box daemon.info sshd[7]: closed ts=5 id=x ike_spi=1 duration=1",
		 &ev) == RB_LINE_OTHER,
	   "event: an event-like line from another program is ignored");
	OK(parse("Nov 28 18:08:32 box daemon.info vpnd[]: stopping ts=5", &ev) == RB_LINE_OTHER,
	   "event: vpnd[] without pid digits is not the tag");
	OK(parse("Nov 28 18:08:32 box syslog.info syslogd started: BusyBox v1.35.0", &ev) ==
	   RB_LINE_OTHER, "event: syslogd's own line is another program's");
}

static void test_quoting(void)
{
	struct rb_event ev;

	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=revoked "
		 "id=\"CN=Bob \\\"the\\\" Builder\\\\, O=Ex\"", &ev) == RB_LINE_EVENT &&
	   strcmp(ev.id, "CN=Bob \"the\" Builder\\, O=Ex") == 0,
	   "event: quoted value with \\\" and \\\\ escapes");
	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=other id=\"\"", &ev)
	   == RB_LINE_EVENT && ev.id[0] == '\0', "event: empty quoted value");
	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=other id=\"a\\nb\"",
		 &ev) == RB_LINE_MALFORMED, "event: unknown escape \\n is malformed");
	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=other id=\"abc",
		 &ev) == RB_LINE_MALFORMED, "event: unterminated quote is malformed");
	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=other id=\"a\"b",
		 &ev) == RB_LINE_MALFORMED, "event: junk after a closing quote is malformed");
	OK(parse("x y z a b vpnd[1]: auth_failed ts=9 outer=1.2.3.4:500 reason=other id=\"a\\",
		 &ev) == RB_LINE_MALFORMED, "event: backslash at end of line is malformed");
}

static void test_unknowns(void)
{
	struct rb_event ev;

	OK(parse("a b c d e vpnd[1]: started ts=1 version=2 colour=blue size=\"x y\"", &ev) ==
	   RB_LINE_EVENT && ev.unknown_keys == 2 && strcmp(ev.version, "2") == 0,
	   "event: unknown keys are skipped and counted (quoted one too)");
	OK(parse("a b c d e vpnd[1]: rekeyed ts=1 id=x", &ev) == RB_LINE_UNKNOWN,
	   "event: unknown event is reported as unknown");
	OK(parse("a b c d e vpnd[1]: listening on 0.0.0.0:500", &ev) == RB_LINE_UNKNOWN,
	   "event: free text from vpnd is unknown, not malformed");
	OK(parse("a b c d e vpnd[1]: Error: bad thing", &ev) == RB_LINE_UNKNOWN,
	   "event: capitalised word is not an event");
}

static void test_malformed(void)
{
	struct rb_event ev;

	OK(parse("a b c d e vpnd[1]: closed ts=1 id=x ike_spi=1", &ev) == RB_LINE_MALFORMED,
	   "event: closed without duration is malformed (required key)");
	OK(parse("a b c d e vpnd[1]: established id=x ike_spi=1", &ev) == RB_LINE_MALFORMED,
	   "event: missing ts is malformed");
	OK(parse("a b c d e vpnd[1]: established ts=12x id=x ike_spi=1", &ev) == RB_LINE_MALFORMED,
	   "event: non-numeric ts is malformed");
	OK(parse("a b c d e vpnd[1]: closed ts=1 id=x ike_spi=1" CLO_TAIL " duration=5", &ev) ==
	   RB_LINE_EVENT, "event: the base closed line for the next cases parses");
	OK(parse("a b c d e vpnd[1]: closed ts=1 id=x ike_spi=1" CLO_TAIL
		 " duration=99999999999999999999999", &ev) == RB_LINE_MALFORMED,
	   "event: number overflow is malformed");
	OK(parse("a b c d e vpnd[1]: closed ts=1 id=x ike_spi=1" CLO_TAIL " duration=-5", &ev) ==
	   RB_LINE_MALFORMED, "event: negative number is malformed");
	OK(parse("a b c d e vpnd[1]: closed ts=1 id=x ike_spi=1 serial=1 outer=1.2.3.4:500 "
		 "vip=10.0.0.2 reason=dpd duration=5 bytes_in=1", &ev) == RB_LINE_MALFORMED,
	   "event: closed without bytes_out (a line cut short) is malformed, not zero bytes");
	OK(parse("a b c d e vpnd[1]: established ts=1 id=x ike_spi=1 serial=1 outer=1.2.3.4:500 "
		 "vip=10.0.0.2 proposal=p", &ev) == RB_LINE_MALFORMED,
	   "event: established without esp (a line cut short) is malformed");
	OK(parse("a b c d e vpnd[1]: started ts=1", &ev) == RB_LINE_MALFORMED &&
	   parse("a b c d e vpnd[1]: stopping ts=1", &ev) == RB_LINE_MALFORMED,
	   "event: started without version, stopping without reason are malformed");
	OK(parse("a b c d e vpnd[1]: started ts=1 =x", &ev) == RB_LINE_MALFORMED,
	   "event: empty key is malformed");
	OK(parse("a b c d e vpnd[1]: started ts=1 Version=x", &ev) == RB_LINE_MALFORMED,
	   "event: upper-case key is malformed");
	OK(parse("a b c d e vpnd[1]: started ts=1 version=a\tb", &ev) == RB_LINE_MALFORMED,
	   "event: control character is malformed");
	{
		char big[2000];
		memset(big, 'a', sizeof(big));
		memcpy(big, "a b c d e vpnd[1]: started ts=1 version=", 40);
		OK(rb_parse_line(big, sizeof(big), &ev) == RB_LINE_MALFORMED,
		   "event: over-long value is malformed, not truncated");
	}
}

static void test_utf8(void)
{
	struct rb_event ev;

	OK(parse("a b c d e vpnd[1]: established ts=1 ike_spi=1" EST_TAIL " id=j\xc3\xbcrgen@ex.org", &ev) ==
	   RB_LINE_EVENT && strcmp(ev.id, "j\xc3\xbcrgen@ex.org") == 0,
	   "event: UTF-8 identity kept as is");
	OK(parse("a b c d e vpnd[1]: established ts=1 ike_spi=1" EST_TAIL " id=a\xff\xc3(b\xe2\x82", &ev) ==
	   RB_LINE_EVENT && strcmp(ev.id, "a?" "?(b?" "?") == 0,
	   "event: invalid UTF-8 bytes become '?'");
	OK(parse("a b c d e vpnd[1]: established ts=1 ike_spi=1" EST_TAIL " id=\xc0\xaf\xed\xa0\x80", &ev) ==
	   RB_LINE_EVENT && strchr(ev.id, '\xc0') == NULL && strchr(ev.id, '\xed') == NULL,
	   "event: overlong and surrogate encodings rejected");
}

static void test_never_crash(void)
{
	const char *l = "Nov 28 18:08:32 roadbox daemon.info vpnd[212]: closed ts=1795890512 "
		"id=\"alice \\\" x\" serial=1A2B outer=[2001:db8::1]:4500 vip=10.99.0.2 "
		"ike_spi=8f3c reason=dpd duration=5 bytes_in=1 bytes_out=2";
	size_t n = strlen(l), i, j, counts[4] = { 0 };
	struct rb_event ev;
	uint32_t x = 12345;
	char buf[300];

	/* every prefix and every single-byte corruption of a valid line */
	{
		size_t cut_ok = 0, last_key = (size_t)(strstr(l, " bytes_out=") - l);
		for (i = 0; i <= n; i++) {
			enum rb_line_result r = rb_parse_line(l, i, &ev);
			counts[r]++;
			/* cut before the last key: never an event with made-up zeros */
			if (i <= last_key + 10 && r != RB_LINE_EVENT)
				cut_ok++;
		}
		OK(cut_ok == last_key + 11, "event: every line cut before its last value is rejected "
		   "(%zu of %zu)", cut_ok, last_key + 11);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < 256; j += 7) {
			memcpy(buf, l, n);
			buf[i] = (char)j;
			counts[rb_parse_line(buf, n, &ev)]++;
		}
	/* random lines that look like vpnd's */
	for (i = 0; i < 20000; i++) {
		size_t len = 24, k;
		memcpy(buf, "a b c d e vpnd[1]: closed", 24);
		k = 24 + (x % 200);
		for (; len < k; len++) {
			x = x * 1103515245 + 12345;
			buf[len] = " =\"\\aeiotsz019_\xc3\xa9"[(x >> 16) % 18];
		}
		counts[rb_parse_line(buf, len, &ev)]++;
	}
	OK(counts[RB_LINE_EVENT] > 0 && counts[RB_LINE_MALFORMED] > 0,
	   "event: %zu prefixes/corruptions/random lines parsed without a crash "
	   "(%zu events, %zu malformed, %zu unknown, %zu other)",
	   counts[0] + counts[1] + counts[2] + counts[3], counts[RB_LINE_EVENT],
	   counts[RB_LINE_MALFORMED], counts[RB_LINE_UNKNOWN], counts[RB_LINE_OTHER]);
}

static void test_outer_ip(void)
{
	char ip[64];

	rb_outer_ip("198.51.100.7:4500", ip, sizeof(ip));
	OK(strcmp(ip, "198.51.100.7") == 0, "outer: IPv4 port stripped");
	rb_outer_ip("[2001:db8::1]:4500", ip, sizeof(ip));
	OK(strcmp(ip, "2001:db8::1") == 0, "outer: bracketed IPv6 port stripped");
	rb_outer_ip("2001:db8::1", ip, sizeof(ip));
	OK(strcmp(ip, "2001:db8::1") == 0, "outer: bare IPv6 kept whole");
	rb_outer_ip("[2001:db8::1", ip, sizeof(ip));
	OK(strcmp(ip, "2001:db8::1") == 0, "outer: unterminated bracket handled");
}

void test_event(void)
{
	test_doc_example();
	test_closed_any_order();
	test_logger_tag();
	test_quoting();
	test_unknowns();
	test_malformed();
	test_utf8();
	test_never_crash();
	test_outer_ip();
}
