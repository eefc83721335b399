/* report.c - build the report's tables from the aggregation. */
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rb_fmt_time(char *buf, size_t n, int64_t ts)
{
	struct tm tm;
	time_t t = (time_t)ts;

	if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, n, "@%" PRId64, ts);
}

void rb_fmt_duration(char *buf, size_t n, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, n, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(buf, n, "%" PRId64 "m %02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, "%" PRId64 "h %02" PRId64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, n, "%" PRId64 "d %02" PRId64 "h %02" PRId64 "m",
			 s / 86400, s % 86400 / 3600, s % 3600 / 60);
}

void rb_fmt_bytes(char *buf, size_t n, uint64_t b)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, n, "%" PRIu64 " B", b);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, "%.1f %s", v, unit[u]);
}

static int add_row(struct rb_doc *d, struct rb_table *t, char **cells)
{
	size_t i;

	if (t->nrows == t->caprows) {
		size_t nc = t->caprows ? t->caprows * 2 : 16;
		char **p = realloc(t->cells, nc * t->ncols * sizeof(*p));
		if (!p)
			goto fail;
		t->cells = p;
		t->caprows = nc;
	}
	for (i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
		if (!t->cells[t->nrows * t->ncols + i]) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			goto fail;
		}
	}
	t->nrows++;
	return 0;
fail:
	d->oom = 1;
	return -1;
}

/* Column headers: a name starting with '>' is a right-aligned number. */
static void set_head(struct rb_table *t, const char *title, const char *const *cols, size_t n)
{
	size_t i;

	snprintf(t->title, sizeof(t->title), "%s", title);
	t->ncols = n < RB_MAX_COLS ? n : RB_MAX_COLS;
	for (i = 0; i < t->ncols; i++) {
		t->right[i] = cols[i][0] == '>';
		t->head[i] = cols[i] + t->right[i];
	}
}
#define SET_HEAD(t, title, ...) do { \
		static const char *const cols_[] = { __VA_ARGS__ }; \
		set_head(t, title, cols_, sizeof(cols_) / sizeof(cols_[0])); \
	} while (0)

static void join_list(char *out, size_t n, const char (*items)[RB_IP_MAX],
		      unsigned count, unsigned more)
{
	size_t o = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < count && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? ", " : "", items[i]);
	if (more && o < n)
		snprintf(out + o, n - o, " (+%u more)", more);
}

static int clients_table(struct rb_doc *d, const struct rb_agg *a)
{
	struct rb_table *t = &d->t[0];
	size_t i;

	SET_HEAD(t, "Clients", "Identity", ">Conns", "First connect", "Last connect",
		 ">Connected", ">In", ">Out", "Outer addresses");
	t->empty = "No client connected in this period.";
	for (i = 0; i < a->nclients; i++) {
		const struct rb_client *c = &a->clients[i];
		char conns[32], first[32], last[32], dur[48], in[32], out[32], addrs[RB_MAX_ADDRS * RB_IP_MAX + 32];
		char *row[8] = { (char *)c->id, conns, first, last, dur, in, out, addrs };

		snprintf(conns, sizeof(conns), "%u", c->conns);
		rb_fmt_time(first, sizeof(first), c->first);
		rb_fmt_time(last, sizeof(last), c->last);
		rb_fmt_duration(dur, sizeof(dur), c->seconds);
		rb_fmt_bytes(in, sizeof(in), c->bytes_in);
		rb_fmt_bytes(out, sizeof(out), c->bytes_out);
		join_list(addrs, sizeof(addrs), (const char (*)[RB_IP_MAX])c->addrs,
			  c->naddrs, c->more_addrs);
		if (add_row(d, t, row) < 0)
			return -1;
	}
	return 0;
}

static int open_table(struct rb_doc *d, const struct rb_agg *a)
{
	struct rb_table *t = &d->t[1];
	size_t i;

	SET_HEAD(t, "Still connected", "Identity", "Since", ">For", "Outer address", "Virtual IP");
	t->empty = "Nobody is connected now.";
	for (i = 0; i < a->nsess; i++) {
		const struct rb_session *s = &a->sess[i];
		char since[32], dur[48];
		char *row[5] = { (char *)s->id, since, dur, (char *)s->outer_ip, (char *)s->vip };

		if (!s->open || s->start > a->to)
			continue;
		rb_fmt_time(since, sizeof(since), s->start);
		rb_fmt_duration(dur, sizeof(dur), a->to - s->start);
		if (add_row(d, t, row) < 0)
			return -1;
	}
	return 0;
}

static int failures_table(struct rb_doc *d, const struct rb_agg *a)
{
	struct rb_table *t = &d->t[2];
	size_t i;

	SET_HEAD(t, "Failed attempts", "Reason", "Outer address", ">Attempts", "First", "Last",
		 "Identities tried");
	t->empty = "No failed attempts.";
	for (i = 0; i < a->nfail; i++) {
		const struct rb_failure *f = &a->fail[i];
		char count[32], first[32], last[32], ids[RB_MAX_FAIL_IDS * (RB_ID_MAX + 2) + 32];
		char *row[6] = { (char *)f->reason, (char *)f->outer_ip, count, first, last, ids };
		size_t o = 0;
		unsigned k;

		snprintf(count, sizeof(count), "%u", f->count);
		rb_fmt_time(first, sizeof(first), f->first);
		rb_fmt_time(last, sizeof(last), f->last);
		ids[0] = '\0';
		for (k = 0; k < f->nids && o < sizeof(ids); k++)
			o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s", k ? ", " : "", f->ids[k]);
		if (f->more_ids && o < sizeof(ids))
			snprintf(ids + o, sizeof(ids) - o, " (+%u more)", f->more_ids);
		if (!f->nids)
			snprintf(ids, sizeof(ids), "-");
		if (add_row(d, t, row) < 0)
			return -1;
	}
	return 0;
}

static void add_note(struct rb_doc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_note(struct rb_doc *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nnotes >= RB_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(d->notes[d->nnotes++], sizeof(d->notes[0]), fmt, ap);
	va_end(ap);
}

int rb_doc_build(struct rb_doc *d, const struct rb_agg *a, const struct rb_sysinfo *si)
{
	char from[32], to[32], up[48], ts[32];
	unsigned long open = 0;
	size_t i;
	struct tm tm;
	time_t now = (time_t)a->to;
	const char *version = si->version[0] ? si->version
			    : a->version[0] ? a->version : "unknown";

	memset(d, 0, sizeof(*d));
	rb_fmt_time(from, sizeof(from), a->to - RB_WINDOW);
	rb_fmt_time(to, sizeof(to), a->to);
	if (gmtime_r(&now, &tm))
		strftime(d->date, sizeof(d->date), "%Y-%m-%d", &tm);
	snprintf(d->title, sizeof(d->title), "VPN report for %s, %s to %s UTC",
		 si->hostname, from, to);
	for (i = 0; i < a->nsess; i++)
		open += a->sess[i].open && a->sess[i].start <= a->to;
	if (si->uptime >= 0)
		rb_fmt_duration(up, sizeof(up), si->uptime);
	else
		snprintf(up, sizeof(up), "unknown");
	{
		unsigned long conns = 0;
		for (i = 0; i < a->nclients; i++)
			conns += a->clients[i].conns;
		snprintf(d->summary, sizeof(d->summary),
			 "%zu client%s, %lu connection%s (%lu still connected), "
			 "%lu failed attempt%s; uptime %s; version %s",
			 a->nclients, a->nclients == 1 ? "" : "s",
			 conns, conns == 1 ? "" : "s", open,
			 a->failures, a->failures == 1 ? "" : "s", up, version);
	}
	if (clients_table(d, a) < 0 || open_table(d, a) < 0 || failures_table(d, a) < 0)
		return -1;

	/* A log that starts with vpnd's `started` is complete (the box or
	 * vpnd started then); otherwise rotation may have dropped lines. */
	if (a->oldest_ts > a->to - RB_WINDOW && a->nev && a->ev[0].type != RB_EV_STARTED) {
		rb_fmt_time(ts, sizeof(ts), a->oldest_ts);
		add_note(d, "The oldest vpnd event in the logs is from %s UTC: "
			 "log rotation may have dropped earlier events.", ts);
	} else if (a->oldest_ts == 0) {
		add_note(d, "No vpnd events in the logs.");
	}
	if (a->fail_overflow)
		add_note(d, "%lu further failed attempts from other addresses are "
			 "counted but not listed.", a->fail_overflow);
	if (a->stats.unknown)
		add_note(d, "Ignored %lu vpnd log line(s) with unknown events or free text.",
			 a->stats.unknown);
	if (a->stats.unknown_keys)
		add_note(d, "Ignored %lu unknown key(s) in vpnd events.",
			 a->stats.unknown_keys);
	if (a->stats.malformed)
		add_note(d, "Skipped %lu malformed vpnd log line(s).",
			 a->stats.malformed);
	if (a->stats.unreadable)
		add_note(d, "%lu log file(s) could not be read.", a->stats.unreadable);
	return d->oom ? -1 : 0;
}

void rb_doc_free(struct rb_doc *d)
{
	size_t i, j;

	for (i = 0; i < RB_TABLES; i++) {
		struct rb_table *t = &d->t[i];
		for (j = 0; j < t->nrows * t->ncols; j++)
			free(t->cells[j]);
		free(t->cells);
		t->cells = NULL;
		t->nrows = t->caprows = 0;
	}
}
