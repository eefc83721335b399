/* conf.c - parse /etc/roadbox/init.conf.
 *
 * Format: one setting per line, "key value...", words separated by blanks,
 * '#' starts a comment.  Every problem is reported as "file:line: reason" and
 * rejects the whole file: a box that boots with half its site settings is
 * worse than one that stops and says why.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WORDS (CONF_MAX_ARGS + 3)   /* service NAME + its argv + 1 to detect excess */
#define CONF_MAX_FILE (64 * 1024)

struct pstate {
	struct conf *c;
	const char *fname;
	int line;
	char *err;
	size_t errlen;
	/* line of first use of the single-valued keys, to refuse duplicates */
	int seen_hostname, seen_link_wait, seen_dhcp_tries, seen_size, seen_rotate,
	    seen_remote, seen_run, seen_tmp, seen_var, seen_root;
};

static int fail(struct pstate *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct pstate *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->fname, p->line, msg);
	return -1;
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->link_wait = 5;
	c->dhcp_tries = 3;
	/* 8 files of 2 MiB: at most 18 MiB of logs in a 64 MiB /var. */
	c->syslog_size_kb = 2048;
	c->syslog_rotate = 8;
	snprintf(c->tmpfs_run, sizeof(c->tmpfs_run), "16m");
	snprintf(c->tmpfs_tmp, sizeof(c->tmpfs_tmp), "16m");
	snprintf(c->tmpfs_var, sizeof(c->tmpfs_var), "64m");
	snprintf(c->tmpfs_root, sizeof(c->tmpfs_root), "1m");
}

static int parse_uint(struct pstate *p, const char *key, const char *s,
		      unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return fail(p, "%s: '%s' is not a number", key, s);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi)
		return fail(p, "%s: '%s' is not a number from %u to %u", key, s, lo, hi);
	*out = (unsigned)v;
	return 0;
}

/* Hostname: dot-separated labels of letters, digits and '-', no label
 * starting or ending with '-' (RFC 1123). */
static int valid_hostname(const char *s)
{
	size_t n = strlen(s), lab = 0;

	if (n == 0 || n > CONF_HOST_MAX)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char ch = s[i];
		if (ch == '.' || ch == '\0') {
			if (lab == 0 || lab > 63 || s[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-')
			return 0;
		if (lab == 0 && ch == '-')
			return 0;
		lab++;
	}
	return 1;
}

/* Interface names as the kernel accepts them (IFNAMSIZ 16), minus the odd
 * characters a config file has no business using. */
static int valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return 0;
	return 1;
}

static int valid_svcname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr("_-", s[i]))
			return 0;
	return 1;
}

/* Returns the address family of an IPv4/IPv6 literal, or 0. */
static int addr_family(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, buf) == 1)
		return AF_INET6;
	return 0;
}

/* "A/P" with A an IPv4 or IPv6 literal and P a prefix length that fits it. */
static int check_cidr(struct pstate *p, const char *s)
{
	char a[CONF_ADDR_MAX];
	const char *slash = strchr(s, '/');
	size_t alen;
	unsigned prefix;
	int af;

	if (!slash)
		return fail(p, "interface: address '%s' needs a prefix length, e.g. 192.0.2.10/24", s);
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(a))
		return fail(p, "interface: bad address '%s'", s);
	memcpy(a, s, alen);
	a[alen] = '\0';
	af = addr_family(a);
	if (!af)
		return fail(p, "interface: '%s' is not an IPv4 or IPv6 address", a);
	if (parse_uint(p, "interface prefix", slash + 1, 0, af == AF_INET ? 32 : 128, &prefix))
		return -1;
	return 0;
}

/* tmpfs size: a number with an optional k/m/g suffix, as mount(8) takes it. */
static int check_size(struct pstate *p, const char *key, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 8 || n - i > 1 || (n - i == 1 && !strchr("kmgKMG", s[i])) ||
	    strspn(s, "0") == i)
		return fail(p, "%s: '%s' is not a size such as 64m", key, s);
	return 0;
}

/* host[:port] for syslogd -R. */
static int check_remote(struct pstate *p, const char *s)
{
	char host[CONF_REMOTE_MAX];
	const char *colon = strrchr(s, ':');
	size_t hlen = colon ? (size_t)(colon - s) : strlen(s);
	unsigned port;

	if (hlen == 0 || hlen >= sizeof(host))
		return fail(p, "syslog_remote: bad host in '%s'", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!valid_hostname(host) && addr_family(host) != AF_INET)
		return fail(p, "syslog_remote: '%s' is not a host name or IPv4 address", host);
	if (colon && parse_uint(p, "syslog_remote port", colon + 1, 1, 65535, &port))
		return -1;
	return 0;
}

static int once(struct pstate *p, int *seen, const char *key)
{
	if (*seen)
		return fail(p, "%s given twice (first at line %d)", key, *seen);
	*seen = p->line;
	return 0;
}

static int copy_word(struct pstate *p, const char *key, char *dst, size_t size,
		     const char *src)
{
	if (strlen(src) >= size)
		return fail(p, "%s: value too long", key);
	snprintf(dst, size, "%s", src);
	return 0;
}

static int need_args(struct pstate *p, const char *key, int nw, int lo, int hi)
{
	if (nw - 1 < lo)
		return fail(p, "%s: missing value", key);
	if (nw - 1 > hi)
		return fail(p, "%s: too many values", key);
	return 0;
}

/* interface NAME dhcp | interface NAME static A/P [gateway GW] */
static int do_interface(struct pstate *p, char **w, int nw)
{
	struct conf *c = p->c;
	struct conf_iface *ifc;

	if (nw < 3)
		return fail(p, "interface: expected 'interface NAME dhcp' or 'interface NAME static ADDR/PREFIX [gateway GW]'");
	if (!valid_ifname(w[1]))
		return fail(p, "interface: bad interface name '%s'", w[1]);
	for (int i = 0; i < c->n_ifaces; i++)
		if (strcmp(c->ifaces[i].name, w[1]) == 0)
			return fail(p, "interface %s given twice (first at line %d)",
				    w[1], c->ifaces[i].line);
	if (c->n_ifaces >= CONF_MAX_IFACES)
		return fail(p, "interface: more than %d interfaces", CONF_MAX_IFACES);
	ifc = &c->ifaces[c->n_ifaces];
	memset(ifc, 0, sizeof(*ifc));
	snprintf(ifc->name, sizeof(ifc->name), "%s", w[1]);
	ifc->line = p->line;
	if (strcmp(w[2], "dhcp") == 0) {
		if (nw != 3)
			return fail(p, "interface %s dhcp: unexpected '%s'", w[1], w[3]);
		ifc->mode = IFACE_DHCP;
	} else if (strcmp(w[2], "static") == 0) {
		ifc->mode = IFACE_STATIC;
		if (nw < 4)
			return fail(p, "interface %s static: missing ADDR/PREFIX", w[1]);
		if (check_cidr(p, w[3]) ||
		    copy_word(p, "interface", ifc->addr, sizeof(ifc->addr), w[3]))
			return -1;
		if (nw == 6 && strcmp(w[4], "gateway") == 0) {
			if (!addr_family(w[5]))
				return fail(p, "interface %s: gateway '%s' is not an IP address", w[1], w[5]);
			if (copy_word(p, "gateway", ifc->gateway, sizeof(ifc->gateway), w[5]))
				return -1;
		} else if (nw != 4) {
			return fail(p, "interface %s static: expected 'gateway GW' after the address", w[1]);
		}
	} else {
		return fail(p, "interface %s: mode must be 'dhcp' or 'static', not '%s'", w[1], w[2]);
	}
	c->n_ifaces++;
	return 0;
}

/* service NAME /abs/path [ARGS...]: a site's extra supervised program. */
static int do_service(struct pstate *p, char **w, int nw)
{
	static const char *const reserved[] = { "syslogd", "crond", "vpnd", NULL };
	struct conf *c = p->c;
	struct conf_svc *s;
	size_t off = 0;

	if (nw < 3)
		return fail(p, "service: expected 'service NAME /path/to/program [ARGS...]'");
	if (!valid_svcname(w[1]))
		return fail(p, "service: bad name '%s' (use a-z, 0-9, '_', '-')", w[1]);
	for (int i = 0; reserved[i]; i++)
		if (strcmp(w[1], reserved[i]) == 0)
			return fail(p, "service: '%s' is a built-in service", w[1]);
	if (strncmp(w[1], "getty-", 6) == 0 || strncmp(w[1], "udhcpc-", 7) == 0)
		return fail(p, "service: names starting getty-/udhcpc- are the init's own");
	for (int i = 0; i < c->n_svcs; i++)
		if (strcmp(c->svcs[i].name, w[1]) == 0)
			return fail(p, "service %s given twice", w[1]);
	if (w[2][0] != '/')
		return fail(p, "service %s: program '%s' must be an absolute path", w[1], w[2]);
	if (nw - 2 > CONF_MAX_ARGS)
		return fail(p, "service %s: more than %d words in its command", w[1], CONF_MAX_ARGS);
	if (c->n_svcs >= CONF_MAX_SVCS)
		return fail(p, "service: more than %d services", CONF_MAX_SVCS);
	s = &c->svcs[c->n_svcs];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", w[1]);
	for (int i = 2; i < nw; i++) {
		size_t n = strlen(w[i]) + 1;
		/* cannot overflow: the words came from one line shorter than buf */
		memcpy(s->buf + off, w[i], n);
		s->argv[s->argc++] = s->buf + off;
		off += n;
	}
	s->argv[s->argc] = NULL;
	c->n_svcs++;
	return 0;
}

static int do_line(struct pstate *p, char **w, int nw)
{
	struct conf *c = p->c;
	const char *k = w[0];

	if (strcmp(k, "hostname") == 0) {
		if (once(p, &p->seen_hostname, k) || need_args(p, k, nw, 1, 1))
			return -1;
		if (!valid_hostname(w[1]))
			return fail(p, "hostname: '%s' is not a valid host name", w[1]);
		return copy_word(p, k, c->hostname, sizeof(c->hostname), w[1]);
	}
	if (strcmp(k, "link_wait") == 0)
		return once(p, &p->seen_link_wait, k) || need_args(p, k, nw, 1, 1) ||
		       parse_uint(p, k, w[1], 0, 120, &c->link_wait) ? -1 : 0;
	if (strcmp(k, "dhcp_tries") == 0)
		return once(p, &p->seen_dhcp_tries, k) || need_args(p, k, nw, 1, 1) ||
		       parse_uint(p, k, w[1], 1, 20, &c->dhcp_tries) ? -1 : 0;
	if (strcmp(k, "syslog_size_kb") == 0)
		return once(p, &p->seen_size, k) || need_args(p, k, nw, 1, 1) ||
		       parse_uint(p, k, w[1], 16, 1048576, &c->syslog_size_kb) ? -1 : 0;
	if (strcmp(k, "syslog_rotate") == 0)
		return once(p, &p->seen_rotate, k) || need_args(p, k, nw, 1, 1) ||
		       parse_uint(p, k, w[1], 0, 99, &c->syslog_rotate) ? -1 : 0;
	if (strcmp(k, "syslog_remote") == 0) {
		if (once(p, &p->seen_remote, k) || need_args(p, k, nw, 1, 1) ||
		    check_remote(p, w[1]))
			return -1;
		return copy_word(p, k, c->syslog_remote, sizeof(c->syslog_remote), w[1]);
	}
	if (strcmp(k, "dns") == 0) {
		if (need_args(p, k, nw, 1, 1))
			return -1;
		if (!addr_family(w[1]))
			return fail(p, "dns: '%s' is not an IP address", w[1]);
		if (c->n_dns >= CONF_MAX_DNS)
			return fail(p, "dns: more than %d servers", CONF_MAX_DNS);
		return copy_word(p, k, c->dns[c->n_dns++], CONF_ADDR_MAX, w[1]);
	}
	if (strncmp(k, "tmpfs_", 6) == 0) {
		struct { const char *key; int *seen; char *dst; } t[] = {
			{ "tmpfs_run", &p->seen_run, c->tmpfs_run },
			{ "tmpfs_tmp", &p->seen_tmp, c->tmpfs_tmp },
			{ "tmpfs_var", &p->seen_var, c->tmpfs_var },
			{ "tmpfs_root", &p->seen_root, c->tmpfs_root },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if (strcmp(k, t[i].key) != 0)
				continue;
			if (once(p, t[i].seen, k) || need_args(p, k, nw, 1, 1) ||
			    check_size(p, k, w[1]))
				return -1;
			return copy_word(p, k, t[i].dst, CONF_SIZE_MAX, w[1]);
		}
	}
	if (strcmp(k, "interface") == 0)
		return do_interface(p, w, nw);
	if (strcmp(k, "service") == 0)
		return do_service(p, w, nw);
	return fail(p, "unknown setting '%s'", k);
}

int conf_parse(struct conf *c, const char *text, size_t len, const char *fname,
	       char *err, size_t errlen)
{
	struct pstate p = { .c = c, .fname = fname, .err = err, .errlen = errlen };
	size_t pos = 0;

	if (errlen)
		err[0] = '\0';
	while (pos < len) {
		char line[CONF_MAX_LINE];
		char *w[MAX_WORDS], *s;
		size_t n = 0;
		int nw = 0;

		p.line++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0')
				return fail(&p, "NUL byte in file");
			if (n >= sizeof(line) - 1)
				return fail(&p, "line longer than %d bytes", CONF_MAX_LINE - 1);
			line[n++] = text[pos++];
		}
		pos++;  /* the newline (or past the end) */
		line[n] = '\0';
		if ((s = strchr(line, '#')))
			*s = '\0';
		for (s = line; *s; s++)
			if (((unsigned char)*s < 0x20 && *s != '\t' && *s != '\r') || *s == 0x7f)
				return fail(&p, "control character 0x%02x in line", (unsigned char)*s);
		for (s = line; *s; ) {
			if (*s == ' ' || *s == '\t' || *s == '\r') {
				*s++ = '\0';
				continue;
			}
			if (nw >= MAX_WORDS)
				return fail(&p, "too many words on one line");
			w[nw++] = s;
			while (*s && *s != ' ' && *s != '\t' && *s != '\r')
				s++;
		}
		if (nw == 0)
			continue;
		if (do_line(&p, w, nw))
			return -1;
	}
	return 0;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONF_MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, CONF_MAX_FILE);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	rc = conf_parse(c, buf, len, path, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
