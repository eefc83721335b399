/* conf.c - parse report.conf: `key = value` lines, `#` comments.
 *
 * Every value ends up in a mail header or in the generated msmtp
 * configuration, so each is checked against a narrow character set:
 * a newline or quote in a value must never inject a header or an msmtp
 * directive. Unknown keys are errors, so a typo does not silently fall
 * back to a default. */
#include "conf.h"
#include "strtrim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_MAX_SIZE 65536

void rb_conf_defaults(struct rb_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->tls = RB_TLS_STARTTLS;
	snprintf(c->tls_ca_file, sizeof(c->tls_ca_file), "/etc/ssl/certs/ca-certificates.crt");
	snprintf(c->auth_password_file, sizeof(c->auth_password_file), "/run/ca/smtp.pass");
	c->daily_hour = 6;
	c->daily_min = 0;
}

static int all_chars(const char *v, const char *extra)
{
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch && strchr(extra, ch)))
			continue;
		return 0;
	}
	return 1;
}

/* A plain addr-spec: local@domain without display name or comments. */
static int valid_addr(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	size_t i;

	if (!at || at == a || at == a + n - 1 || n > 254)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)a[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("@.-_+=", ch))
			continue;
		return 0;
	}
	return memchr(at + 1, '@', (size_t)(a + n - at - 1)) == NULL;
}

static int valid_addr_list(const char *v)
{
	const char *p = v;

	while (*p) {
		const char *s, *e;
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		e = p;
		if (!valid_addr(s, (size_t)(e - s)))
			return 0;
	}
	return strspn(v, " ,") != strlen(v);    /* at least one address */
}

static int set_str(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int apply(struct rb_conf *c, const char *k, const char *v, const char **why)
{
	if (strcmp(k, "admin") == 0) {
		*why = "expected one or more e-mail addresses separated by commas";
		return valid_addr_list(v) ? set_str(c->admin, sizeof(c->admin), v) : -1;
	}
	if (strcmp(k, "from") == 0) {
		*why = "expected one e-mail address";
		return valid_addr(v, strlen(v)) ? set_str(c->from, sizeof(c->from), v) : -1;
	}
	if (strcmp(k, "relay_host") == 0) {
		*why = "expected a host name or IP address";
		return v[0] && v[0] != '-' && all_chars(v, ".-:_") ?
			set_str(c->relay_host, sizeof(c->relay_host), v) : -1;
	}
	if (strcmp(k, "relay_port") == 0) {
		char *end;
		long p;
		*why = "expected a port number 1-65535";
		errno = 0;
		p = strtol(v, &end, 10);
		if (errno || !v[0] || *end || p < 1 || p > 65535)
			return -1;
		c->relay_port = (unsigned)p;
		return 0;
	}
	if (strcmp(k, "tls") == 0) {
		*why = "expected starttls, tls or off";
		if (strcmp(v, "starttls") == 0)
			c->tls = RB_TLS_STARTTLS;
		else if (strcmp(v, "tls") == 0)
			c->tls = RB_TLS_TLS;
		else if (strcmp(v, "off") == 0)
			c->tls = RB_TLS_OFF;
		else
			return -1;
		return 0;
	}
	if (strcmp(k, "tls_ca_file") == 0 || strcmp(k, "auth_password_file") == 0) {
		*why = "expected an absolute path of letters, digits and ./_-";
		if (v[0] != '/' || !all_chars(v, "/._-") || strstr(v, ".."))
			return -1;
		return k[0] == 't' ? set_str(c->tls_ca_file, sizeof(c->tls_ca_file), v)
				   : set_str(c->auth_password_file, sizeof(c->auth_password_file), v);
	}
	if (strcmp(k, "tls_fingerprint") == 0) {
		*why = "expected a SHA-256 fingerprint as hex bytes separated by ':'";
		return all_chars(v, ":") ? set_str(c->tls_fingerprint, sizeof(c->tls_fingerprint), v) : -1;
	}
	if (strcmp(k, "auth_user") == 0) {
		*why = "expected a user name without spaces or quotes";
		return all_chars(v, "@.-_+=") ? set_str(c->auth_user, sizeof(c->auth_user), v) : -1;
	}
	if (strcmp(k, "daily_time") == 0) {
		*why = "expected HH:MM (24-hour clock, UTC)";
		if (strlen(v) != 5 || v[2] != ':' || !all_chars(v, ":"))
			return -1;
		c->daily_hour = (v[0] - '0') * 10 + (v[1] - '0');
		c->daily_min = (v[3] - '0') * 10 + (v[4] - '0');
		return c->daily_hour < 24 && c->daily_min < 60 ? 0 : -1;
	}
	if (strcmp(k, "box_name") == 0) {
		*why = "expected a host name (letters, digits, '.', '-')";
		return all_chars(v, ".-") ? set_str(c->box_name, sizeof(c->box_name), v) : -1;
	}
	*why = "unknown key";
	return -1;
}


int rb_conf_parse(struct rb_conf *c, const char *text, char *err, size_t errsz)
{
	char *copy = strdup(text), *line;
	unsigned lineno = 0;
	int rc = -1;

	if (!copy) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	/* strtok_r would skip empty lines and miscount; split by hand */
	for (line = copy; line; lineno++) {
		char *nl = strchr(line, '\n'), *eq, *k, *v;
		const char *why = "";

		if (nl)
			*nl = '\0';
		k = str_trim(line);
		line = nl ? nl + 1 : NULL;
		if (!*k || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errsz, "line %u: expected key = value", lineno + 1);
			goto out;
		}
		*eq = '\0';
		v = str_trim(eq + 1);
		k = str_trim(k);
		if (strlen(v) >= RB_CONF_VAL || apply(c, k, v, &why) < 0) {
			snprintf(err, errsz, "line %u: %.40s: %s", lineno + 1, k,
				 strlen(v) >= RB_CONF_VAL ? "value too long" : why);
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

int rb_conf_load(struct rb_conf *c, const char *path, char *err, size_t errsz)
{
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, rc = -1;

	rb_conf_defaults(c);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONF_MAX_SIZE + 1);
	if (!buf) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	while ((n = read(fd, buf + len, CONF_MAX_SIZE - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len == CONF_MAX_SIZE) {
		snprintf(err, errsz, "%s: %s", path, n < 0 ? strerror(errno) : "file too large");
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		snprintf(err, errsz, "%s: contains a NUL byte", path);
		goto out;
	}
	if (rb_conf_parse(c, buf, err, errsz) < 0) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errsz, "%s: %s", path, tmp);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

unsigned rb_conf_port(const struct rb_conf *c)
{
	if (c->relay_port)
		return c->relay_port;
	return c->tls == RB_TLS_TLS ? 465 : 25;
}

int rb_conf_check_send(const struct rb_conf *c, char *err, size_t errsz)
{
	if (!c->relay_host[0])
		snprintf(err, errsz, "relay_host is not set in report.conf");
	else if (!c->admin[0])
		snprintf(err, errsz, "admin is not set in report.conf");
	else if (!c->from[0])
		snprintf(err, errsz, "from is not set in report.conf");
	else
		return 0;
	return -1;
}
