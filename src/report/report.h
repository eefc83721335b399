/* report.h - the report as a document of tables, rendered two ways.
 *
 * The tables are built once from the aggregation; the text and the HTML
 * renderers only lay them out, so both parts of the mail always carry the
 * same rows. */
#ifndef ROADBOX_REPORT_REPORT_H
#define ROADBOX_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "strbuf.h"

#define RB_MAX_COLS 8
#define RB_TABLES 3
#define RB_MAX_NOTES 6

struct rb_table {
	char title[128];
	size_t ncols;
	const char *head[RB_MAX_COLS];
	unsigned char right[RB_MAX_COLS];       /* right-align (numbers) */
	char **cells;                           /* nrows * ncols, owned */
	size_t nrows, caprows;
	const char *empty;                      /* shown when there are no rows */
};

struct rb_sysinfo {
	char hostname[256];
	int64_t uptime;         /* seconds, -1 if unknown */
	char version[128];      /* image version, "" if unknown */
};

struct rb_doc {
	char title[512];
	char summary[512];
	struct rb_table t[RB_TABLES];
	char notes[RB_MAX_NOTES][256];
	size_t nnotes;
	char date[16];          /* YYYY-MM-DD of the window end, for the subject */
	int oom;
};

int rb_doc_build(struct rb_doc *d, const struct rb_agg *a, const struct rb_sysinfo *si);
void rb_doc_free(struct rb_doc *d);

void rb_render_text(struct strbuf *sb, const struct rb_doc *d);
void rb_render_html(struct strbuf *sb, const struct rb_doc *d);

/* Helpers shared with tests. */
void rb_fmt_time(char *buf, size_t n, int64_t ts);       /* YYYY-MM-DD HH:MM */
void rb_fmt_duration(char *buf, size_t n, int64_t secs);
void rb_fmt_bytes(char *buf, size_t n, uint64_t bytes);
size_t rb_utf8_width(const char *s);
void rb_html_escape(struct strbuf *sb, const char *s);

#endif
