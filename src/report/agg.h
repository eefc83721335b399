/* agg.h - turn vpnd events into the report's tables.
 *
 * Events are fed in any order (files are read oldest first, but a report
 * must not depend on it); rb_agg_finish() sorts them by ts, pairs
 * `established` with `closed` by ike_spi, and keeps what overlaps the
 * 24-hour window (to - 86400, to]. */
#ifndef ROADBOX_REPORT_AGG_H
#define ROADBOX_REPORT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define RB_WINDOW 86400
#define RB_MAX_ADDRS 8          /* outer addresses listed per client */
#define RB_MAX_FAIL_IDS 4       /* identities listed per failure group */
#define RB_MAX_FAIL_GROUPS 2000 /* beyond this, failures are only counted */
#define RB_IP_MAX 64

struct rb_session {
	char id[RB_ID_MAX];
	char ike_spi[RB_VAL_MAX];
	char outer_ip[RB_IP_MAX];
	char vip[RB_VAL_MAX];
	int64_t start, end;
	uint64_t bytes_in, bytes_out;
	int open;               /* established, no closed (yet) */
	int lost;               /* ended by a vpnd restart without `closed` */
};

struct rb_client {
	char id[RB_ID_MAX];
	unsigned conns;
	unsigned open;
	int64_t first, last;    /* connect times */
	int64_t seconds;        /* connected time inside the window */
	uint64_t bytes_in, bytes_out;
	char addrs[RB_MAX_ADDRS][RB_IP_MAX];
	unsigned naddrs, more_addrs;
};

struct rb_failure {
	char reason[RB_VAL_MAX];
	char outer_ip[RB_IP_MAX];
	unsigned count;
	int64_t first, last;
	char ids[RB_MAX_FAIL_IDS][RB_ID_MAX];
	unsigned nids, more_ids;
};

struct rb_stats {
	unsigned long lines;            /* lines read */
	unsigned long events;           /* known vpnd events */
	unsigned long unknown;          /* vpnd lines ignored: unknown event/free text */
	unsigned long unknown_keys;     /* keys ignored in known events */
	unsigned long malformed;        /* vpnd lines that did not parse */
	unsigned long unreadable;       /* log files that could not be read */
};

struct rb_agg {
	int64_t to;                     /* window end (now) */
	struct rb_event *ev;            /* all events, before finish */
	size_t nev, capev;
	struct rb_session *sess;        /* sessions overlapping the window */
	size_t nsess, capsess;
	struct rb_client *clients;
	size_t nclients;
	struct rb_failure *fail;
	size_t nfail;
	unsigned long failures;         /* auth_failed events in the window */
	unsigned long fail_overflow;    /* failures beyond RB_MAX_FAIL_GROUPS */
	int64_t oldest_ts;              /* earliest event seen (0 = none) */
	char version[RB_VAL_MAX];       /* from the last `started` event */
	struct rb_stats stats;
	int oom;
};

void rb_agg_init(struct rb_agg *a, int64_t now);
void rb_agg_free(struct rb_agg *a);
/* Feed one raw log line; counts it in the stats. */
void rb_agg_line(struct rb_agg *a, const char *line, size_t len);
/* Pair, window and group the events. 0 or -1 (out of memory). */
int rb_agg_finish(struct rb_agg *a);

#endif
