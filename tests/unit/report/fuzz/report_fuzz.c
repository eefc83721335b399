/* libFuzzer target: every line of the input goes through the vpnd line
 * parser and the aggregation, then the report is rendered as text, HTML
 * and a MIME mail. Nothing from the log may crash it, leak, or put a raw
 * '<' into the HTML outside our own markup. */
#include "../../../../src/report/agg.h"
#include "../../../../src/report/mime.h"
#include "../../../../src/report/report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char rnd[12];
	struct rb_sysinfo si = { .hostname = "fuzz", .uptime = 1, .version = "f" };
	struct rb_agg a;
	struct rb_doc d;
	struct strbuf t, h, m;
	const char *p = (const char *)data, *end = p + size;
	struct rb_event ev;

	/* the parser alone, on the whole input as one line */
	(void)rb_parse_line(p, size, &ev);

	memset(&d, 0, sizeof(d));
	rb_agg_init(&a, 1795867200);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		rb_agg_line(&a, p, n);
		p += n + (nl != NULL);
	}
	sb_init(&t);
	sb_init(&h);
	sb_init(&m);
	if (rb_agg_finish(&a) == 0 && rb_doc_build(&d, &a, &si) == 0) {
		struct rb_mail_meta meta = { "a@b", "c@d", "fuzz", d.date, 1795867200, rnd };
		rb_render_text(&t, &d);
		rb_render_html(&h, &d);
		if (h.buf && strstr(h.buf, "<script"))
			abort();        /* log text reached the HTML unescaped */
		rb_mime_build(&m, &meta, &t, &h);
	}
	rb_doc_free(&d);
	rb_agg_free(&a);
	sb_free(&t);
	sb_free(&h);
	sb_free(&m);
	return 0;
}
