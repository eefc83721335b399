/* text.c - the text/plain rendering: aligned columns, no markup. */
#include "report.h"

#include <string.h>

/* Display width in code points: identities may be UTF-8, and counting
 * bytes would misalign the columns. */
size_t rb_utf8_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void cell(struct strbuf *sb, const char *s, size_t width, int right, int last)
{
	size_t w = rb_utf8_width(s);
	size_t pad = width > w ? width - w : 0;

	if (right)
		sb_pad(sb, pad);
	sb_puts(sb, s);
	if (!right && !last)
		sb_pad(sb, pad);
	if (!last)
		sb_puts(sb, "  ");
}

static void table(struct strbuf *sb, const struct rb_table *t)
{
	size_t width[RB_MAX_COLS], i, r, total = 0;

	sb_printf(sb, "%s (%zu)\n", t->title, t->nrows);
	if (t->nrows == 0) {
		sb_printf(sb, "  %s\n\n", t->empty);
		return;
	}
	for (i = 0; i < t->ncols; i++) {
		width[i] = rb_utf8_width(t->head[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t w = rb_utf8_width(t->cells[r * t->ncols + i]);
			if (w > width[i])
				width[i] = w;
		}
		total += width[i] + 2;
	}
	sb_puts(sb, "  ");
	for (i = 0; i < t->ncols; i++)
		cell(sb, t->head[i], width[i], t->right[i], i + 1 == t->ncols);
	sb_puts(sb, "\n  ");
	for (i = 0; i + 2 < total; i++)
		sb_putc(sb, '-');
	sb_putc(sb, '\n');
	for (r = 0; r < t->nrows; r++) {
		sb_puts(sb, "  ");
		for (i = 0; i < t->ncols; i++)
			cell(sb, t->cells[r * t->ncols + i], width[i], t->right[i],
			     i + 1 == t->ncols);
		sb_putc(sb, '\n');
	}
	sb_putc(sb, '\n');
}

void rb_render_text(struct strbuf *sb, const struct rb_doc *d)
{
	size_t i;

	sb_printf(sb, "%s\n\n", d->summary);
	sb_printf(sb, "%s\n\n", d->title);
	for (i = 0; i < RB_TABLES; i++)
		table(sb, &d->t[i]);
	for (i = 0; i < d->nnotes; i++)
		sb_printf(sb, "Note: %s\n", d->notes[i]);
	if (d->nnotes)
		sb_putc(sb, '\n');
	sb_puts(sb, "Times are UTC. Connected time counts only the report's 24 hours.\n");
}
