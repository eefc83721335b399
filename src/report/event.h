/* event.h - parse one syslog line carrying a vpnd connection event.
 *
 * The format is docs/log-format.md: after the syslog header and the tag
 * `vpnd[pid]:` comes `EVENT key=value key="quoted \" value" ...`.
 * The parser is a tokenizer, not a column counter: keys may come in any
 * order, unknown keys and events are skipped (and counted by the caller),
 * and any malformed input yields RB_LINE_MALFORMED, never a crash. */
#ifndef ROADBOX_REPORT_EVENT_H
#define ROADBOX_REPORT_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum rb_event_type {
	RB_EV_ESTABLISHED = 1,
	RB_EV_CLOSED,
	RB_EV_AUTH_FAILED,
	RB_EV_STARTED,
	RB_EV_STOPPING,
};

enum rb_line_result {
	RB_LINE_OTHER = 0,      /* not from vpnd (another program's line) */
	RB_LINE_EVENT,          /* a known event, fields filled in */
	RB_LINE_UNKNOWN,        /* from vpnd but an unknown event or free text */
	RB_LINE_MALFORMED,      /* a known event that does not parse */
};

#define RB_ID_MAX   512     /* identities may be long distinguished names */
#define RB_VAL_MAX  128

struct rb_event {
	enum rb_event_type type;
	int64_t ts;
	char id[RB_ID_MAX];
	char serial[RB_VAL_MAX];
	char outer[RB_VAL_MAX];
	char vip[RB_VAL_MAX];
	char ike_spi[RB_VAL_MAX];
	char reason[RB_VAL_MAX];
	char version[RB_VAL_MAX];
	char detail[RB_ID_MAX];
	uint64_t duration;
	uint64_t bytes_in;
	uint64_t bytes_out;
	unsigned unknown_keys;  /* keys this reader does not know (ignored) */
};

/* Parse one log line (no trailing newline needed; need not be NUL-terminated). */
enum rb_line_result rb_parse_line(const char *line, size_t len, struct rb_event *ev);

/* Parse only the message part `EVENT key=value ...`. */
enum rb_line_result rb_parse_message(const char *msg, size_t len, struct rb_event *ev);

/* The address part of an `IP:port` outer address ("[v6]:port" or "v4:port"). */
void rb_outer_ip(const char *outer, char *out, size_t outsz);

#endif
