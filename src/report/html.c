/* html.c - the text/html rendering. Every string from the log is escaped:
 * identities and reasons come from the network via vpnd. */
#include "report.h"

void rb_html_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(sb, "&amp;"); break;
		case '<': sb_puts(sb, "&lt;"); break;
		case '>': sb_puts(sb, "&gt;"); break;
		case '"': sb_puts(sb, "&quot;"); break;
		case '\'': sb_puts(sb, "&#39;"); break;
		default: sb_putc(sb, *s);
		}
	}
}

static void table(struct strbuf *sb, const struct rb_table *t)
{
	size_t i, r;

	sb_puts(sb, "<h2>");
	rb_html_escape(sb, t->title);
	sb_printf(sb, " (%zu)</h2>\n", t->nrows);
	if (t->nrows == 0) {
		sb_puts(sb, "<p>");
		rb_html_escape(sb, t->empty);
		sb_puts(sb, "</p>\n");
		return;
	}
	sb_puts(sb, "<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" "
		"style=\"border-collapse:collapse\">\n<tr>");
	for (i = 0; i < t->ncols; i++) {
		sb_puts(sb, "<th>");
		rb_html_escape(sb, t->head[i]);
		sb_puts(sb, "</th>");
	}
	sb_puts(sb, "</tr>\n");
	for (r = 0; r < t->nrows; r++) {
		sb_puts(sb, "<tr>");
		for (i = 0; i < t->ncols; i++) {
			sb_puts(sb, t->right[i] ? "<td align=\"right\">" : "<td>");
			rb_html_escape(sb, t->cells[r * t->ncols + i]);
			sb_puts(sb, "</td>");
		}
		sb_puts(sb, "</tr>\n");
	}
	sb_puts(sb, "</table>\n");
}

void rb_render_html(struct strbuf *sb, const struct rb_doc *d)
{
	size_t i;

	sb_puts(sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
	rb_html_escape(sb, d->title);
	sb_puts(sb, "</title></head>\n<body style=\"font-family:sans-serif\">\n<p><b>");
	rb_html_escape(sb, d->summary);
	sb_puts(sb, "</b></p>\n<h1>");
	rb_html_escape(sb, d->title);
	sb_puts(sb, "</h1>\n");
	for (i = 0; i < RB_TABLES; i++)
		table(sb, &d->t[i]);
	for (i = 0; i < d->nnotes; i++) {
		sb_puts(sb, "<p>Note: ");
		rb_html_escape(sb, d->notes[i]);
		sb_puts(sb, "</p>\n");
	}
	sb_puts(sb, "<p>Times are UTC. Connected time counts only the report&#39;s 24 hours.</p>\n"
		"</body></html>\n");
}
