/* strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 * The report is built in memory before it is printed or queued, so that a
 * half-written report never reaches the spool or the relay. */
#ifndef ROADBOX_REPORT_STRBUF_H
#define ROADBOX_REPORT_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	int failed;     /* sticky: an allocation failed, the content is incomplete */
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append `n` spaces. */
void sb_pad(struct strbuf *sb, size_t n);

#endif
