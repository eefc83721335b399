/* event.c - tokenizer for vpnd's event lines (docs/log-format.md). */
#include "event.h"

#include <string.h>

/* Tokens of the syslog header we look at before giving up on finding the
 * tag: "Mon dd hh:mm:ss host fac.prio tag:" is six. */
#define HEADER_TOKENS 6

struct cursor {
	const char *p;
	const char *end;
};

static int is_lower_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/* Copy a value into a field, replacing bytes that are not valid UTF-8 with
 * '?': the report is sent as UTF-8, and a broken sequence from the log must
 * not break the mail. Returns -1 if the value does not fit. */
static int copy_utf8(char *dst, size_t dstsz, const char *src, size_t n)
{
	size_t i = 0, o = 0;

	if (n >= dstsz)
		return -1;
	while (i < n) {
		unsigned char c = (unsigned char)src[i];
		size_t need = 0, k;
		unsigned cp = 0;

		if (c < 0x80) {
			dst[o++] = (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; }
		else goto bad;
		if (need >= n - i)
			goto bad;               /* truncated sequence */
		for (k = 1; k <= need; k++) {
			unsigned char cc = (unsigned char)src[i + k];
			if ((cc & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (cc & 0x3f);
		}
		/* reject overlong forms, surrogates and values past U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			goto bad;
		memcpy(dst + o, src + i, need + 1);
		o += need + 1;
		i += need + 1;
		continue;
bad:
		dst[o++] = '?';
		i++;
	}
	dst[o] = '\0';
	return 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The key table: where each known key goes. Keys we know but do not use
 * (proposal, esp, dns) are listed so they are not counted as unknown. */
enum key_kind { K_STR, K_U64, K_TS, K_IGNORE };

struct key_def {
	const char *name;
	enum key_kind kind;
	size_t off;
	size_t size;
};

enum { KEY_ts, KEY_id, KEY_serial, KEY_outer, KEY_vip, KEY_ike_spi,
       KEY_reason, KEY_version, KEY_detail, KEY_duration, KEY_bytes_in,
       KEY_bytes_out, KEY_proposal, KEY_esp, KEY_dns };

#define STR_KEY(n) [KEY_##n] = { #n, K_STR, offsetof(struct rb_event, n), \
			       sizeof(((struct rb_event *)0)->n) }
#define U64_KEY(n) [KEY_##n] = { #n, K_U64, offsetof(struct rb_event, n), 0 }
#define IGN_KEY(n) [KEY_##n] = { #n, K_IGNORE, 0, 0 }

static const struct key_def keys[] = {
	[KEY_ts] = { "ts", K_TS, offsetof(struct rb_event, ts), 0 },
	STR_KEY(id), STR_KEY(serial), STR_KEY(outer), STR_KEY(vip),
	STR_KEY(ike_spi), STR_KEY(reason), STR_KEY(version), STR_KEY(detail),
	U64_KEY(duration), U64_KEY(bytes_in), U64_KEY(bytes_out),
	IGN_KEY(proposal), IGN_KEY(esp), IGN_KEY(dns),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define BIT(i) (1u << (i))

static int key_index(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n && memcmp(keys[i].name, k, n) == 0)
			return (int)i;
	return -1;
}

static int store_value(struct rb_event *ev, const struct key_def *kd,
		       const char *v, size_t n)
{
	uint64_t u;

	switch (kd->kind) {
	case K_STR:
		return copy_utf8((char *)ev + kd->off, kd->size, v, n);
	case K_U64:
		if (parse_u64(v, n, &u) < 0)
			return -1;
		*(uint64_t *)(void *)((char *)ev + kd->off) = u;
		return 0;
	case K_TS:
		/* Unix seconds; 12 digits reach the year 33658, enough. */
		if (n > 12 || parse_u64(v, n, &u) < 0)
			return -1;
		ev->ts = (int64_t)u;
		return 0;
	case K_IGNORE:
		return 0;
	}
	return -1;
}

/* Read one value at c->p into buf (unescaped); *n its length. Quoted values
 * allow only the escapes \" and \\. */
static int read_value(struct cursor *c, char *buf, size_t bufsz, size_t *n)
{
	size_t o = 0;

	if (c->p < c->end && *c->p == '"') {
		c->p++;
		for (;;) {
			char ch;
			if (c->p >= c->end)
				return -1;              /* unterminated */
			ch = *c->p++;
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (c->p >= c->end)
					return -1;
				ch = *c->p++;
				if (ch != '"' && ch != '\\')
					return -1;
			}
			if (o + 1 >= bufsz)
				return -1;
			buf[o++] = ch;
		}
		if (c->p < c->end && *c->p != ' ')
			return -1;                      /* junk after the quote */
	} else {
		while (c->p < c->end && *c->p != ' ') {
			if (o + 1 >= bufsz)
				return -1;
			buf[o++] = *c->p++;
		}
	}
	buf[o] = '\0';
	*n = o;
	return 0;
}

struct event_def {
	const char *name;
	enum rb_event_type type;
	unsigned required;      /* bit mask over keys[] */
};

/* Required keys: every key the format says is always present. Besides
 * catching a broken line, this turns a line cut short (a syslogd with a
 * small buffer truncates long DN identities) into a counted "malformed"
 * instead of a connection with bytes silently read as zero: a `closed`
 * is then still reported from its `established`, and the other way round. */
#define R(name) BIT(KEY_##name)

static const struct event_def events[] = {
	{ "established", RB_EV_ESTABLISHED, R(ts) | R(id) | R(serial) | R(outer) | R(vip) |
		R(ike_spi) | R(proposal) | R(esp) },
	{ "closed", RB_EV_CLOSED, R(ts) | R(id) | R(serial) | R(outer) | R(vip) | R(ike_spi) |
		R(reason) | R(duration) | R(bytes_in) | R(bytes_out) },
	{ "auth_failed", RB_EV_AUTH_FAILED, R(ts) | R(outer) | R(reason) },
	{ "started", RB_EV_STARTED, R(ts) | R(version) },
	{ "stopping", RB_EV_STOPPING, R(ts) | R(reason) },
};

enum rb_line_result rb_parse_message(const char *msg, size_t len, struct rb_event *ev)
{
	struct cursor c = { msg, msg + len };
	const struct event_def *ed = NULL;
	const char *w;
	unsigned seen = 0;
	size_t i, wn;
	char val[RB_ID_MAX * 2];

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			return RB_LINE_MALFORMED;       /* the format forbids them */

	while (c.p < c.end && *c.p == ' ')
		c.p++;
	w = c.p;
	while (c.p < c.end && is_lower_word_char(*c.p))
		c.p++;
	wn = (size_t)(c.p - w);
	if (wn == 0 || (c.p < c.end && *c.p != ' '))
		return RB_LINE_UNKNOWN;                 /* free text, not an event */
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strlen(events[i].name) == wn && memcmp(events[i].name, w, wn) == 0)
			ed = &events[i];
	if (!ed)
		return RB_LINE_UNKNOWN;
	ev->type = ed->type;

	for (;;) {
		const char *k;
		size_t kn, vn;
		int ki;

		while (c.p < c.end && *c.p == ' ')
			c.p++;
		if (c.p >= c.end)
			break;
		k = c.p;
		while (c.p < c.end && is_lower_word_char(*c.p))
			c.p++;
		kn = (size_t)(c.p - k);
		if (kn == 0 || kn > 32 || c.p >= c.end || *c.p != '=')
			return RB_LINE_MALFORMED;
		c.p++;
		if (read_value(&c, val, sizeof(val), &vn) < 0)
			return RB_LINE_MALFORMED;
		ki = key_index(k, kn);
		if (ki < 0) {
			ev->unknown_keys++;
			continue;
		}
		if (store_value(ev, &keys[ki], val, vn) < 0)
			return RB_LINE_MALFORMED;
		seen |= BIT(ki);
	}
	if ((seen & ed->required) != ed->required)
		return RB_LINE_MALFORMED;
	return RB_LINE_EVENT;
}

/* Find the syslog tag (the first header token ending in ':') and check it
 * is vpnd's: "vpnd:" or "vpnd[pid]:". The message follows it. */
enum rb_line_result rb_parse_line(const char *line, size_t len, struct rb_event *ev)
{
	const char *p = line, *end = line + len;
	int tok;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (tok = 0; tok < HEADER_TOKENS && p < end; tok++) {
		const char *t, *te;

		while (p < end && *p == ' ')
			p++;
		t = p;
		while (p < end && *p != ' ')
			p++;
		te = p;
		if (te == t || te[-1] != ':')
			continue;
		/* the tag: vpnd: or vpnd[digits]: */
		if (te - t < 5 || memcmp(t, "vpnd", 4) != 0)
			return RB_LINE_OTHER;
		if (te - t == 5)
			; /* "vpnd:" */
		else {
			const char *q = t + 4;
			if (*q != '[' || te[-2] != ']' || te - t < 8)
				return RB_LINE_OTHER;
			for (q++; q < te - 2; q++)
				if (*q < '0' || *q > '9')
					return RB_LINE_OTHER;
		}
		if (p < end)
			p++;    /* the one space after the tag */
		return rb_parse_message(p, (size_t)(end - p), ev);
	}
	return RB_LINE_OTHER;
}

void rb_outer_ip(const char *outer, char *out, size_t outsz)
{
	const char *colon;
	size_t n;

	if (outsz == 0)
		return;
	if (outer[0] == '[') {
		const char *rb = strchr(outer, ']');
		n = rb ? (size_t)(rb - outer - 1) : strlen(outer + 1);
		outer++;
	} else {
		colon = strchr(outer, ':');
		/* "a.b.c.d:port" has one colon; a bare IPv6 address has more and
		 * no port we could split off unambiguously. */
		if (colon && !strchr(colon + 1, ':'))
			n = (size_t)(colon - outer);
		else
			n = strlen(outer);
	}
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, outer, n);
	out[n] = '\0';
}
