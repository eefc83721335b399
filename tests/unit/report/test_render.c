/* Rendering tests: summary line, table rows in both parts, HTML escaping,
 * UTF-8 column alignment, quoted-printable and the MIME envelope. */
#include "tap.h"
#include "../../../src/report/agg.h"
#include "../../../src/report/mime.h"
#include "../../../src/report/report.h"

#include <stdlib.h>
#include <string.h>

#define NOW 1795867200LL

static const char *lines[] = {
	"Nov 28 01:00:00 box daemon.info vpnd[1]: established ts=1795830000 id=al "
	"ike_spi=1 outer=192.0.2.1:4500 vip=10.0.0.2 serial=1 proposal=p esp=e",
	"Nov 28 01:00:00 box daemon.info vpnd[1]: closed ts=1795833600 id=al ike_spi=1 serial=1 "
	"outer=192.0.2.1:4500 vip=10.0.0.2 reason=dpd duration=3600 bytes_in=1536 bytes_out=3221225472",
	"Nov 28 01:00:00 box daemon.info vpnd[1]: established ts=1795840000 "
	"id=j\xc3\xbcrgen.m\xc3\xbcller@ex.org ike_spi=2 outer=192.0.2.2:4500 vip=10.0.0.3 "
	"serial=2 proposal=p esp=e",
	"Nov 28 01:00:00 box daemon.info vpnd[1]: auth_failed ts=1795840000 "
	"outer=203.0.113.1:500 reason=bad_signature "
	"id=\"<script>alert('x')</script> & \\\"co\\\"\"",
};

/* Display column where `needle` starts on the line containing `line_has`. */
static long column_of(const char *text, const char *line_has, const char *needle)
{
	const char *l = strstr(text, line_has), *p, *bol;
	long col = 0;

	if (!l)
		return -1;
	for (bol = l; bol > text && bol[-1] != '\n'; bol--)
		;
	p = strstr(l, needle);
	if (!p)
		return -1;
	for (; bol < p; bol++)
		if (((unsigned char)*bol & 0xc0) != 0x80)
			col++;
	return col;
}

static void qp_decode(const char *in, size_t n, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (in[i] == '=' && i + 1 < n && in[i + 1] == '\n') {
			i++;
			continue;
		}
		if (in[i] == '=' && i + 2 < n) {
			char h[3] = { in[i + 1], in[i + 2], 0 };
			sb_putc(out, (char)strtol(h, NULL, 16));
			i += 2;
			continue;
		}
		sb_putc(out, in[i]);
	}
}

static void test_qp(void)
{
	struct strbuf enc, dec;
	char in[400];
	size_t i, maxline = 0, cur = 0;

	for (i = 0; i < sizeof(in) - 1; i++)
		in[i] = "ab =\xc3\xa9 \t\n.xyz"[i % 14];
	in[sizeof(in) - 1] = '\0';
	memcpy(in + 100, "trailing  \n", 11);
	sb_init(&enc);
	sb_init(&dec);
	rb_qp_encode(&enc, in, strlen(in));
	for (i = 0; i < enc.len; i++) {
		cur = enc.buf[i] == '\n' ? 0 : cur + 1;
		if (cur > maxline)
			maxline = cur;
	}
	OK(maxline <= 76, "qp: encoded lines are at most 76 characters (max %zu)", maxline);
	qp_decode(enc.buf, enc.len, &dec);
	OK(dec.len == strlen(in) + (in[strlen(in) - 1] != '\n') &&
	   memcmp(dec.buf, in, strlen(in)) == 0, "qp: decoding gives back the input");
	OK(strstr(enc.buf, " \n") == NULL && strstr(enc.buf, "\t\n") == NULL,
	   "qp: no whitespace before a line end");
	for (i = 0; i < enc.len; i++)
		if ((unsigned char)enc.buf[i] >= 0x80)
			break;
	OK(i == enc.len, "qp: output is 7-bit");
	sb_free(&enc);
	sb_free(&dec);
}

static void test_fmt(void)
{
	char b[64];

	rb_fmt_duration(b, sizeof(b), 59);
	OK(strcmp(b, "59s") == 0, "fmt: 59s");
	rb_fmt_duration(b, sizeof(b), 3600 + 5 * 60);
	OK(strcmp(b, "1h 05m") == 0, "fmt: 1h 05m");
	rb_fmt_duration(b, sizeof(b), 2 * 86400 + 3 * 3600 + 60);
	OK(strcmp(b, "2d 03h 01m") == 0, "fmt: 2d 03h 01m");
	rb_fmt_bytes(b, sizeof(b), 1023);
	OK(strcmp(b, "1023 B") == 0, "fmt: bytes below 1 KiB");
	rb_fmt_bytes(b, sizeof(b), 3221225472ULL);
	OK(strcmp(b, "3.0 GiB") == 0, "fmt: 3.0 GiB");
	rb_fmt_bytes(b, sizeof(b), UINT64_MAX);
	OK(strcmp(b, "16.0 EiB") == 0, "fmt: largest counter");
	rb_fmt_time(b, sizeof(b), 1795824000);
	OK(strcmp(b, "2026-11-28 00:00") == 0, "fmt: time is UTC");
}

void test_render(void)
{
	struct rb_agg a;
	struct rb_doc d;
	struct rb_sysinfo si = { .hostname = "vpn.example.org", .uptime = 90061, .version = "1.2.3" };
	struct strbuf text, html, mail;
	struct rb_mail_meta m;
	unsigned char rnd[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t i;

	test_fmt();
	test_qp();
	rb_agg_init(&a, NOW);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		rb_agg_line(&a, lines[i], strlen(lines[i]));
	OK(rb_agg_finish(&a) == 0 && rb_doc_build(&d, &a, &si) == 0, "render: build the document");
	sb_init(&text);
	sb_init(&html);
	sb_init(&mail);
	rb_render_text(&text, &d);
	rb_render_html(&html, &d);

	{
		static const char want[] = "2 clients, 2 connections (1 still connected), "
			"1 failed attempt; uptime 1d 01h 01m; version 1.2.3\n";
		OK(strncmp(text.buf, want, sizeof(want) - 1) == 0,
		   "render: the summary is the first line");
	}
	OK(strstr(text.buf, "\n  al ") && strstr(text.buf, "1.5 KiB") && strstr(text.buf, "3.0 GiB"),
	   "render: text has al's row with bytes");
	OK(column_of(text.buf, "  al ", "1  ") == column_of(text.buf, "  j\xc3\xbcrgen", "1  ") &&
	   column_of(text.buf, "  al ", "1  ") > 0,
	   "render: columns stay aligned after a UTF-8 identity");
	OK(strstr(text.buf, "Still connected (1)") && strstr(text.buf, "Failed attempts (1)"),
	   "render: text has all three tables");
	OK(strstr(html.buf, "<td>al</td>") && strstr(html.buf, "<td>j\xc3\xbcrgen.m\xc3\xbcller@ex.org</td>"),
	   "render: html has the same client rows");
	OK(strstr(html.buf, "<script>") == NULL && strstr(html.buf, "alert(") != NULL &&
	   strstr(html.buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"),
	   "render: html escapes everything from the log");
	OK(strstr(html.buf, "<td>bad_signature</td><td>203.0.113.1</td><td align=\"right\">1</td>"),
	   "render: html failure row");

	m.from = "roadbox@example.org";
	m.to = "admin@example.org, ops@example.org";
	m.box = si.hostname;
	m.date = d.date;
	m.now = NOW;
	m.rnd = rnd;
	OK(rb_mime_build(&mail, &m, &text, &html) == 0, "mime: build");
	OK(strstr(mail.buf, "From: roadbox@example.org\n") &&
	   strstr(mail.buf, "To: admin@example.org, ops@example.org\n") &&
	   strstr(mail.buf, "Subject: [vpn.example.org] VPN connection report 2026-11-28\n") &&
	   strstr(mail.buf, "Date: Sat, 28 Nov 2026 12:00:00 +0000\n") &&
	   strstr(mail.buf, "Message-ID: <20261128120000.0102030405060708090a0b0c@vpn.example.org>\n") &&
	   strstr(mail.buf, "MIME-Version: 1.0\n"), "mime: headers");
	OK(strstr(mail.buf, "Content-Type: multipart/alternative; boundary=\"=_roadbox_0102030405060708090a0b0c\"") &&
	   strstr(mail.buf, "\n--=_roadbox_0102030405060708090a0b0c\nContent-Type: text/plain; charset=utf-8") &&
	   strstr(mail.buf, "\n--=_roadbox_0102030405060708090a0b0c\nContent-Type: text/html; charset=utf-8") &&
	   strstr(mail.buf, "\n--=_roadbox_0102030405060708090a0b0c--\n"),
	   "mime: multipart/alternative, text part first, closing boundary");
	{
		char *body = strstr(mail.buf, "\n\n");
		size_t hdr = body ? (size_t)(body - mail.buf) : 0, cur = 0, maxl = 0;
		for (i = 0; i < mail.len; i++) {
			cur = mail.buf[i] == '\n' ? 0 : cur + 1;
			if (cur > maxl)
				maxl = cur;
			if ((unsigned char)mail.buf[i] >= 0x80)
				break;
		}
		OK(hdr > 0 && i == mail.len && maxl <= 998, "mime: 7-bit, no line over 998 (max %zu)", maxl);
	}
	sb_free(&text);
	sb_free(&html);
	sb_free(&mail);
	rb_doc_free(&d);
	rb_agg_free(&a);

	/* an empty log still gives a complete report */
	rb_agg_init(&a, NOW);
	sb_init(&text);
	OK(rb_agg_finish(&a) == 0 && rb_doc_build(&d, &a, &si) == 0, "render: empty log builds");
	rb_render_text(&text, &d);
	OK(strstr(text.buf, "0 clients, 0 connections") && strstr(text.buf, "No client connected") &&
	   strstr(text.buf, "No vpnd events in the logs"), "render: empty report says so");
	sb_free(&text);
	rb_doc_free(&d);
	rb_agg_free(&a);
}
