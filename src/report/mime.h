/* mime.h - wrap the two renderings into one multipart/alternative mail. */
#ifndef ROADBOX_REPORT_MIME_H
#define ROADBOX_REPORT_MIME_H

#include <stdint.h>

#include "report.h"
#include "strbuf.h"

struct rb_mail_meta {
	const char *from;
	const char *to;         /* comma-separated addresses */
	const char *box;        /* box name for the subject and Message-ID */
	const char *date;       /* YYYY-MM-DD for the subject */
	int64_t now;
	const unsigned char *rnd;       /* 12 random bytes: Message-ID, boundary */
};

void rb_qp_encode(struct strbuf *sb, const char *s, size_t n);
/* -1 if out of memory. */
int rb_mime_build(struct strbuf *out, const struct rb_mail_meta *m,
		  const struct strbuf *text, const struct strbuf *html);

#endif
