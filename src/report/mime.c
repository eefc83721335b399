/* mime.c - RFC 5322 headers + RFC 2045/2046 multipart/alternative.
 *
 * Both parts are quoted-printable: identities can be UTF-8 and table lines
 * can be long, and QP keeps every line under SMTP's 998-octet limit
 * whatever the log contained, while staying readable in raw form. */
#include "mime.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define QP_LINE 76

void rb_qp_encode(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char enc[4];
		size_t len;

		if (c == '\n') {
			sb_putc(sb, '\n');
			col = 0;
			continue;
		}
		/* space/tab before a line end must be encoded (RFC 2045 6.7 (3)) */
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < n && s[i + 1] != '\n')) {
			enc[0] = (char)c;
			len = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			len = 3;
		}
		/* a leading '.' is left to the SMTP client's dot-stuffing */
		if (col + len > QP_LINE - 1) {
			sb_puts(sb, "=\n");
			col = 0;
		}
		sb_putn(sb, enc, len);
		col += len;
	}
	if (col)
		sb_putc(sb, '\n');
}

static void hexstr(char *out, const unsigned char *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int rb_mime_build(struct strbuf *out, const struct rb_mail_meta *m,
		  const struct strbuf *text, const struct strbuf *html)
{
	char date[64], bnd[64], rnd[25], idtime[32];
	struct tm tm;
	time_t now = (time_t)m->now;

	if (!gmtime_r(&now, &tm))
		return -1;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	strftime(idtime, sizeof(idtime), "%Y%m%d%H%M%S", &tm);
	hexstr(rnd, m->rnd, 12);
	/* "=_" cannot occur in quoted-printable text: the boundary is unique */
	snprintf(bnd, sizeof(bnd), "=_roadbox_%s", rnd);

	sb_printf(out, "From: %s\n", m->from);
	sb_printf(out, "To: %s\n", m->to);
	sb_printf(out, "Subject: [%s] VPN connection report %s\n", m->box, m->date);
	sb_printf(out, "Date: %s\n", date);
	sb_printf(out, "Message-ID: <%s.%s@%s>\n", idtime, rnd, m->box);
	sb_puts(out, "MIME-Version: 1.0\n");
	sb_puts(out, "Auto-Submitted: auto-generated\n");
	sb_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n", bnd);
	sb_puts(out, "This is a MIME message: a plain-text and an HTML version of the same report.\n\n");
	sb_printf(out, "--%s\n", bnd);
	sb_puts(out, "Content-Type: text/plain; charset=utf-8\n"
		"Content-Transfer-Encoding: quoted-printable\n\n");
	rb_qp_encode(out, text->buf ? text->buf : "", text->len);
	sb_printf(out, "\n--%s\n", bnd);
	sb_puts(out, "Content-Type: text/html; charset=utf-8\n"
		"Content-Transfer-Encoding: quoted-printable\n\n");
	rb_qp_encode(out, html->buf ? html->buf : "", html->len);
	sb_printf(out, "\n--%s--\n", bnd);
	return out->failed || text->failed || html->failed ? -1 : 0;
}
