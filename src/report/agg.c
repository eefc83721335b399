/* agg.c - pairing and grouping of vpnd events (see agg.h). */
#include "agg.h"

#include <stdlib.h>
#include <string.h>

void rb_agg_init(struct rb_agg *a, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->to = now;
}

void rb_agg_free(struct rb_agg *a)
{
	free(a->ev);
	free(a->sess);
	free(a->clients);
	free(a->fail);
	memset(a, 0, sizeof(*a));
}

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	if (nc > ((size_t)-1) / elem)
		return -1;
	q = realloc(*p, nc * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = nc;
	return 0;
}

void rb_agg_line(struct rb_agg *a, const char *line, size_t len)
{
	struct rb_event ev;

	a->stats.lines++;
	switch (rb_parse_line(line, len, &ev)) {
	case RB_LINE_OTHER:
		return;
	case RB_LINE_UNKNOWN:
		a->stats.unknown++;
		return;
	case RB_LINE_MALFORMED:
		a->stats.malformed++;
		return;
	case RB_LINE_EVENT:
		break;
	}
	a->stats.events++;
	a->stats.unknown_keys += ev.unknown_keys;
	if (grow((void **)&a->ev, &a->capev, a->nev, sizeof(ev)) < 0) {
		a->oom = 1;
		return;
	}
	a->ev[a->nev++] = ev;
}

/* Order within one second: a vpnd start comes before the SAs it then
 * sets up, an SA's `established` before its `closed`. */
static int ev_rank(enum rb_event_type t)
{
	switch (t) {
	case RB_EV_STARTED: return 0;
	case RB_EV_ESTABLISHED: return 1;
	case RB_EV_CLOSED: return 2;
	case RB_EV_AUTH_FAILED: return 3;
	case RB_EV_STOPPING: return 4;
	}
	return 5;
}

static int cmp_ev(const void *x, const void *y)
{
	const struct rb_event *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return ev_rank(a->type) - ev_rank(b->type);
}

static struct rb_session *new_session(struct rb_agg *a)
{
	struct rb_session *s;

	if (grow((void **)&a->sess, &a->capsess, a->nsess, sizeof(*s)) < 0)
		return NULL;
	s = &a->sess[a->nsess++];
	memset(s, 0, sizeof(*s));
	return s;
}

static struct rb_session *find_open(struct rb_agg *a, const char *spi)
{
	size_t i;

	for (i = a->nsess; i-- > 0;)
		if (a->sess[i].open && strcmp(a->sess[i].ike_spi, spi) == 0)
			return &a->sess[i];
	return NULL;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);

	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

/* A new session carrying the identity, SPIs and addresses of event e. */
static struct rb_session *session_of_event(struct rb_agg *a, const struct rb_event *e)
{
	struct rb_session *s = new_session(a);

	if (!s)
		return NULL;
	copy_str(s->id, sizeof(s->id), e->id);
	copy_str(s->ike_spi, sizeof(s->ike_spi), e->ike_spi);
	rb_outer_ip(e->outer, s->outer_ip, sizeof(s->outer_ip));
	copy_str(s->vip, sizeof(s->vip), e->vip);
	return s;
}

/* Build the session list from the sorted events. All sessions are kept
 * for now; the window is applied when grouping. */
static int pair_events(struct rb_agg *a)
{
	size_t i, j;

	for (i = 0; i < a->nev; i++) {
		const struct rb_event *e = &a->ev[i];
		struct rb_session *s;

		if (e->ts > a->to)
			break;                  /* after "now": not in this report */
		switch (e->type) {
		case RB_EV_ESTABLISHED:
			s = find_open(a, e->ike_spi);
			if (s) {
				/* re-logged SA: keep the first start */
				continue;
			}
			if (!(s = session_of_event(a, e)))
				return -1;
			s->start = e->ts;
			s->open = 1;
			break;
		case RB_EV_CLOSED:
			s = find_open(a, e->ike_spi);
			if (!s) {
				/* its `established` is in a log file that is gone:
				 * the duration tells when it began */
				if (!(s = session_of_event(a, e)))
					return -1;
				s->start = e->duration > (uint64_t)e->ts ? 0
					 : e->ts - (int64_t)e->duration;
			}
			s->open = 0;
			s->end = e->ts;
			s->bytes_in = e->bytes_in;
			s->bytes_out = e->bytes_out;
			break;
		case RB_EV_STARTED:
			/* a (re)started vpnd has no SAs: whatever was open
			 * ended no later than this, without a `closed` */
			for (j = 0; j < a->nsess; j++)
				if (a->sess[j].open) {
					a->sess[j].open = 0;
					a->sess[j].lost = 1;
					a->sess[j].end = e->ts;
				}
			copy_str(a->version, sizeof(a->version), e->version);
			break;
		case RB_EV_AUTH_FAILED:
		case RB_EV_STOPPING:
			break;
		}
	}
	return 0;
}

static struct rb_client *client_for(struct rb_agg *a, const char *id, size_t *cap)
{
	size_t i;
	struct rb_client *c;

	for (i = 0; i < a->nclients; i++)
		if (strcmp(a->clients[i].id, id) == 0)
			return &a->clients[i];
	if (grow((void **)&a->clients, cap, a->nclients, sizeof(*c)) < 0)
		return NULL;
	c = &a->clients[a->nclients++];
	memset(c, 0, sizeof(*c));
	copy_str(c->id, sizeof(c->id), id);
	return c;
}

static void add_addr(struct rb_client *c, const char *ip)
{
	unsigned i;

	if (!ip[0])
		return;
	for (i = 0; i < c->naddrs; i++)
		if (strcmp(c->addrs[i], ip) == 0)
			return;
	if (c->naddrs == RB_MAX_ADDRS) {
		c->more_addrs++;
		return;
	}
	copy_str(c->addrs[c->naddrs++], RB_IP_MAX, ip);
}

static int group_clients(struct rb_agg *a)
{
	int64_t from = a->to - RB_WINDOW;
	size_t i, cap = 0;

	for (i = 0; i < a->nsess; i++) {
		const struct rb_session *s = &a->sess[i];
		int64_t end = s->open ? a->to : s->end;
		int64_t lo, hi;
		struct rb_client *c;

		if (end <= from || s->start > a->to)
			continue;               /* no overlap with the window */
		if (!(c = client_for(a, s->id, &cap)))
			return -1;
		lo = s->start > from ? s->start : from;
		hi = end < a->to ? end : a->to;
		if (c->conns == 0 || s->start < c->first)
			c->first = s->start;
		if (c->conns == 0 || s->start > c->last)
			c->last = s->start;
		c->conns++;
		c->open += s->open ? 1 : 0;
		c->seconds += hi > lo ? hi - lo : 0;
		c->bytes_in += s->bytes_in;
		c->bytes_out += s->bytes_out;
		add_addr(c, s->outer_ip);
	}
	return 0;
}

static int group_failures(struct rb_agg *a)
{
	int64_t from = a->to - RB_WINDOW;
	size_t i, j, cap = 0;

	for (i = 0; i < a->nev; i++) {
		const struct rb_event *e = &a->ev[i];
		struct rb_failure *f = NULL;
		char ip[RB_IP_MAX];
		unsigned k;

		if (e->type != RB_EV_AUTH_FAILED || e->ts <= from || e->ts > a->to)
			continue;
		a->failures++;
		rb_outer_ip(e->outer, ip, sizeof(ip));
		for (j = 0; j < a->nfail; j++)
			if (strcmp(a->fail[j].reason, e->reason) == 0 &&
			    strcmp(a->fail[j].outer_ip, ip) == 0) {
				f = &a->fail[j];
				break;
			}
		if (!f) {
			if (a->nfail >= RB_MAX_FAIL_GROUPS) {
				a->fail_overflow++;
				continue;
			}
			if (grow((void **)&a->fail, &cap, a->nfail, sizeof(*f)) < 0)
				return -1;
			f = &a->fail[a->nfail++];
			memset(f, 0, sizeof(*f));
			copy_str(f->reason, sizeof(f->reason), e->reason);
			copy_str(f->outer_ip, sizeof(f->outer_ip), ip);
			f->first = e->ts;
		}
		f->count++;
		f->last = e->ts;
		if (!e->id[0] || strcmp(e->id, "-") == 0)
			continue;
		for (k = 0; k < f->nids; k++)
			if (strcmp(f->ids[k], e->id) == 0)
				break;
		if (k < f->nids)
			continue;
		if (f->nids == RB_MAX_FAIL_IDS)
			f->more_ids++;
		else
			copy_str(f->ids[f->nids++], RB_ID_MAX, e->id);
	}
	return 0;
}

static int cmp_client(const void *x, const void *y)
{
	const struct rb_client *a = x, *b = y;

	return strcmp(a->id, b->id);
}

static int cmp_failure(const void *x, const void *y)
{
	const struct rb_failure *a = x, *b = y;
	int r;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;    /* most first */
	if ((r = strcmp(a->reason, b->reason)) != 0)
		return r;
	return strcmp(a->outer_ip, b->outer_ip);
}

static int cmp_session_start(const void *x, const void *y)
{
	const struct rb_session *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->id, b->id);
}

int rb_agg_finish(struct rb_agg *a)
{
	if (a->oom)
		return -1;
	if (a->nev)
		qsort(a->ev, a->nev, sizeof(*a->ev), cmp_ev);
	a->oldest_ts = a->nev ? a->ev[0].ts : 0;
	if (pair_events(a) < 0 || group_clients(a) < 0 || group_failures(a) < 0) {
		a->oom = 1;
		return -1;
	}
	if (a->nclients)
		qsort(a->clients, a->nclients, sizeof(*a->clients), cmp_client);
	if (a->nfail)
		qsort(a->fail, a->nfail, sizeof(*a->fail), cmp_failure);
	if (a->nsess)
		qsort(a->sess, a->nsess, sizeof(*a->sess), cmp_session_start);
	return 0;
}
