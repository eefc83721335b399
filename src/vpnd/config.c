/* config.c - parse /etc/vpnd.conf: "key = value" lines, '#' comments.
 * Every error names file:line and what is wrong; vpnd refuses to start. */
#include "config.h"
#include "strtrim.h"
#include "log.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_defaults(struct vpnd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->port = 500;
	c->natt_port = 4500;
	c->pool.addr = 0x0a630000; /* 10.99.0.0/24 */
	c->pool.prefix = 24;
	c->protected_nets[0] = (struct net4){ 0, 0 };
	c->nprotected = 1;
	snprintf(c->ca, sizeof(c->ca), "/run/ca/ca.crt");
	snprintf(c->crl, sizeof(c->crl), "/run/ca/crl.pem");
	snprintf(c->cert, sizeof(c->cert), "/run/ca/server.crt");
	snprintf(c->key, sizeof(c->key), "/run/ca/server.key");
	snprintf(c->server_id_file, sizeof(c->server_id_file), "/run/ca/server.id");
	snprintf(c->socket_path, sizeof(c->socket_path), "/run/vpnd.sock");
	snprintf(c->user, sizeof(c->user), "vpnd");
	c->log_level = LOG_LVL_INFO;
	c->lease_time = 3600;
	c->fragment_size = 1280;
	c->half_open_timeout = 30;
	c->cookie_threshold = 10;
	c->half_open_per_ip = 5;
	c->dpd_delay = 300;
	c->dpd_timeout = 60;
	/* 8 h: clients rekey their CHILD_SA every hour or so themselves
	 * (Windows 8 h, Apple/Android/strongSwan 1 h), so vpnd normally never
	 * rekeys; the margin leaves room for retransmissions of our own
	 * rekey before the kernel's hard expire would cut the client off. */
	c->child_lifetime = 28800;
	c->rekey_margin = 540;
	c->ike_lifetime = 86400;
	/* An IKE SA costs about 4 KB plus its cached messages (< 16 KB with
	 * fragments): 4096 of them stay under ~80 MB, far more clients than a
	 * /24..22 pool serves, and bounds a flood that gets past the cookies. */
	c->max_ike_sas = 4096;
	/* Half of max_ike_sas: clients that answer cookies (a botnet) can hold
	 * at most this many half-open SAs, so the other half stays free for
	 * established clients; at the cap a new cookie-verified IKE_SA_INIT
	 * evicts the oldest half-open SA (RFC 8019 spirit: a real client ends
	 * IKE_AUTH within a round trip, a bot's stale handshakes go first). */
	c->max_half_open = 2048;
	/* RFC 7296 2 asks for at least 1280; an IKE_AUTH with an RSA-4096
	 * certificate chain of three (~1.8 KB DER each), CERTREQ and a
	 * 512-byte AUTH is ~7 KB, sent unfragmented by clients without RFC 7383
	 * (Windows): 16 KB leaves room and keeps 64 KB garbage out. */
	c->max_message_size = 16384;
}

static int parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int parse_net4(const char *s, struct net4 *n)
{
	char tmp[64], *slash, *end;
	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	long pfx = 32;
	if (slash) {
		*slash = 0;
		errno = 0;
		pfx = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || pfx < 0 || pfx > 32)
			return -1;
	}
	if (parse_ip(tmp, &n->addr) < 0)
		return -1;
	n->prefix = (uint8_t)pfx;
	uint32_t mask = pfx ? 0xffffffffu << (32 - pfx) : 0;
	if (n->addr & ~mask)
		return -1; /* host bits set: almost certainly a typo */
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || *s == '-' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) { *out = 1; return 0; }
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) { *out = 0; return 0; }
	return -1;
}

/* Split a comma/space separated list in place. */
static int split_list(char *v, char **items, int max)
{
	int n = 0;
	for (char *tok = strtok(v, ", \t"); tok; tok = strtok(NULL, ", \t")) {
		if (n >= max)
			return -1;
		items[n++] = tok;
	}
	return n;
}

static int set_str(char *dst, size_t dlen, const char *v)
{
	if (strlen(v) >= dlen || !*v)
		return -1;
	strcpy(dst, v);
	return 0;
}


/* Returns NULL on success or the error message. */
static const char *apply(struct vpnd_config *c, const char *key, char *val)
{
	char *items[CFG_MAX_NETS + 1];
	unsigned u;
	int n;

	if (!strcmp(key, "listen"))
		return parse_ip(val, &c->listen) ? "listen: not an IPv4 address" : NULL;
	if (!strcmp(key, "port")) {
		if (parse_uint(val, 1, 65535, &u)) return "port: expected 1..65535";
		c->port = (uint16_t)u; return NULL;
	}
	if (!strcmp(key, "natt_port")) {
		if (parse_uint(val, 1, 65535, &u)) return "natt_port: expected 1..65535";
		c->natt_port = (uint16_t)u; return NULL;
	}
	if (!strcmp(key, "pool")) {
		if (parse_net4(val, &c->pool)) return "pool: expected a network like 10.99.0.0/24";
		if (c->pool.prefix < 8 || c->pool.prefix > 30) return "pool: prefix must be /8../30";
		return NULL;
	}
	if (!strcmp(key, "dns") || !strcmp(key, "nbns")) {
		uint32_t *dst = key[0] == 'd' ? c->dns : c->nbns;
		int *cnt = key[0] == 'd' ? &c->ndns : &c->nnbns;
		n = split_list(val, items, CFG_MAX_SRV);
		if (n < 0) return "dns/nbns: at most 2 servers";
		for (int i = 0; i < n; i++)
			if (parse_ip(items[i], &dst[i])) return "dns/nbns: not an IPv4 address";
		*cnt = n;
		return NULL;
	}
	if (!strcmp(key, "protected")) {
		n = split_list(val, items, CFG_MAX_NETS);
		if (n <= 0) return "protected: expected 1..16 networks";
		for (int i = 0; i < n; i++)
			if (parse_net4(items[i], &c->protected_nets[i]))
				return "protected: expected networks like 192.168.1.0/24";
		c->nprotected = n;
		return NULL;
	}
	if (!strcmp(key, "ca")) return set_str(c->ca, sizeof(c->ca), val) ? "ca: bad path" : NULL;
	if (!strcmp(key, "crl")) return set_str(c->crl, sizeof(c->crl), val) ? "crl: bad path" : NULL;
	if (!strcmp(key, "cert")) return set_str(c->cert, sizeof(c->cert), val) ? "cert: bad path" : NULL;
	if (!strcmp(key, "key")) return set_str(c->key, sizeof(c->key), val) ? "key: bad path" : NULL;
	if (!strcmp(key, "server_id_file"))
		return set_str(c->server_id_file, sizeof(c->server_id_file), val) ? "server_id_file: bad path" : NULL;
	if (!strcmp(key, "server_id"))
		return set_str(c->server_id, sizeof(c->server_id), val) ? "server_id: bad value" : NULL;
	if (!strcmp(key, "socket"))
		return set_str(c->socket_path, sizeof(c->socket_path), val) ? "socket: bad path" : NULL;
	if (!strcmp(key, "user"))
		return set_str(c->user, sizeof(c->user), val) ? "user: bad name" : NULL;
	if (!strcmp(key, "legacy_windows"))
		return parse_bool(val, &c->legacy_windows) ? "legacy_windows: expected yes or no" : NULL;
	if (!strcmp(key, "log_level")) {
		int l = log_level_parse(val);
		if (l < 0) return "log_level: expected error, warning, info or debug";
		c->log_level = l;
		return NULL;
	}
	if (!strcmp(key, "lease_time"))
		return parse_uint(val, 0, 604800, &c->lease_time) ? "lease_time: expected 0..604800 seconds" : NULL;
	if (!strcmp(key, "fragment_size"))
		return parse_uint(val, 576, 65000, &c->fragment_size) ? "fragment_size: expected 576..65000" : NULL;
	if (!strcmp(key, "half_open_timeout"))
		return parse_uint(val, 1, 3600, &c->half_open_timeout) ? "half_open_timeout: expected 1..3600" : NULL;
	if (!strcmp(key, "cookie_threshold"))
		return parse_uint(val, 0, 1000000, &c->cookie_threshold) ? "cookie_threshold: expected 0..1000000" : NULL;
	if (!strcmp(key, "half_open_per_ip"))
		return parse_uint(val, 1, 1000000, &c->half_open_per_ip) ? "half_open_per_ip: expected 1..1000000" : NULL;
	if (!strcmp(key, "dpd_delay"))
		return parse_uint(val, 0, 86400, &c->dpd_delay) ? "dpd_delay: expected 0..86400 seconds" : NULL;
	if (!strcmp(key, "dpd_timeout"))
		return parse_uint(val, 1, 3600, &c->dpd_timeout) ? "dpd_timeout: expected 1..3600 seconds" : NULL;
	if (!strcmp(key, "child_lifetime"))
		return parse_uint(val, 20, 604800, &c->child_lifetime) ? "child_lifetime: expected 20..604800 seconds" : NULL;
	if (!strcmp(key, "rekey_margin"))
		return parse_uint(val, 5, 86400, &c->rekey_margin) ? "rekey_margin: expected 5..86400 seconds" : NULL;
	if (!strcmp(key, "ike_lifetime"))
		return parse_uint(val, 30, 2592000, &c->ike_lifetime) ? "ike_lifetime: expected 30..2592000 seconds" : NULL;
	if (!strcmp(key, "max_ike_sas"))
		return parse_uint(val, 1, 1000000, &c->max_ike_sas) ? "max_ike_sas: expected 1..1000000" : NULL;
	if (!strcmp(key, "max_half_open"))
		return parse_uint(val, 1, 1000000, &c->max_half_open) ? "max_half_open: expected 1..1000000" : NULL;
	if (!strcmp(key, "max_message_size"))
		return parse_uint(val, 1280, 65535, &c->max_message_size) ? "max_message_size: expected 1280..65535 bytes" : NULL;
	return "unknown key";
}

int config_parse_buf(const char *name, const char *text, struct vpnd_config *c, char *err, size_t errlen)
{
	char line[1024];
	int lineno = 0, lt_line = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (l >= sizeof(line)) {
			snprintf(err, errlen, "%s:%d: line too long", name, lineno);
			return -1;
		}
		memcpy(line, p, l);
		line[l] = 0;
		p += l + (nl ? 1 : 0);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *s = str_trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", name, lineno);
			return -1;
		}
		*eq = 0;
		char *key = str_trim(s), *val = str_trim(eq + 1);
		const char *e;
		if (!*val && (!strcmp(key, "dns") || !strcmp(key, "nbns"))) {
			/* an empty list is allowed: no servers */
			if (key[0] == 'd') c->ndns = 0; else c->nnbns = 0;
			continue;
		}
		if (!*val)
			e = "missing value";
		else
			e = apply(c, key, val);
		if (!strcmp(key, "child_lifetime") || !strcmp(key, "rekey_margin"))
			lt_line = lineno;
		if (e) {
			snprintf(err, errlen, "%s:%d: %s%s%s", name, lineno, e,
				 !strcmp(e, "unknown key") ? " " : "", !strcmp(e, "unknown key") ? key : "");
			return -1;
		}
	}
	/* the soft lifetime is child_lifetime - margin - up to margin/3 of
	 * jitter: it must stay positive (named at the later of the two keys) */
	if (c->rekey_margin + c->rekey_margin / 3 >= c->child_lifetime) {
		snprintf(err, errlen, "%s:%d: rekey_margin: %u plus its jitter (%u) must be below child_lifetime (%u)",
			 name, lt_line, c->rekey_margin, c->rekey_margin / 3, c->child_lifetime);
		return -1;
	}
	return 0;
}

int config_load(const char *path, struct vpnd_config *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	int rc = -1;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = calloc(1, 65537);
	size_t n = text ? fread(text, 1, 65536, f) : 0;
	if (!text)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (n == 65536)
		snprintf(err, errlen, "%s: file too large", path);
	else if (memchr(text, 0, n))
		snprintf(err, errlen, "%s: contains a NUL byte", path);
	else
		rc = config_parse_buf(path, text, c, err, errlen);
	free(text);
	fclose(f);
	return rc;
}
