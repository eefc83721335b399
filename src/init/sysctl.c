/* sysctl.c - apply /etc/sysctl.conf by writing /proc/sys: the gateway's
 * forwarding, rp_filter and hardening settings come from the firewall owner's
 * file; this only parses and applies it, strictly. */
#include "sysctl.h"
#include "strtrim.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSCTL_MAX_LINE 512
#define SYSCTL_MAX_FILE (64 * 1024)


int sysctl_key_path(const char *key, char *out, size_t outlen)
{
	int slashes = strchr(key, '/') != NULL;
	size_t n = strlen(key), i;
	const char *pfx = "/proc/sys/";

	if (n == 0 || key[0] == '/' || key[0] == '.' || strstr(key, "..") ||
	    strlen(pfx) + n + 1 > outlen)
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && !strchr("_.-/", key[i]))
			return -1;
	memcpy(out, pfx, strlen(pfx));
	for (i = 0; i < n; i++)
		out[strlen(pfx) + i] = (!slashes && key[i] == '.') ? '/' : key[i];
	out[strlen(pfx) + n] = '\0';
	return 0;
}

int sysctl_parse(const char *text, size_t len, const char *fname, sysctl_cb cb,
		 void *ctx, char *err, size_t errlen)
{
	size_t pos = 0;
	int line = 0, rc = 0;

	while (pos < len) {
		char buf[SYSCTL_MAX_LINE], path[256], *s, *eq, *key, *val;
		size_t n = 0;
		int optional = 0;

		line++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0' || n >= sizeof(buf) - 1) {
				snprintf(err, errlen, "%s:%d: %s", fname, line,
					 text[pos] ? "line too long" : "NUL byte in file");
				return -1;
			}
			buf[n++] = text[pos++];
		}
		pos++;
		buf[n] = '\0';
		s = str_trim(buf);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", fname, line);
			return -1;
		}
		*eq = '\0';
		key = str_trim(s);
		val = str_trim(eq + 1);
		if (*key == '-') {
			optional = 1;
			key = str_trim(key + 1);
		}
		if (sysctl_key_path(key, path, sizeof(path)) < 0) {
			snprintf(err, errlen, "%s:%d: bad key '%.64s'", fname, line, key);
			return -1;
		}
		if (*val == '\0') {
			snprintf(err, errlen, "%s:%d: %s: missing value", fname, line, key);
			return -1;
		}
		for (s = val; *s; s++)
			if ((unsigned char)*s < 0x20 && *s != '\t') {
				snprintf(err, errlen, "%s:%d: control character in value", fname, line);
				return -1;
			}
		if (cb(ctx, key, val, optional, line) < 0)
			rc = -1;
	}
	return rc;
}

struct apply_ctx {
	const char *fname;
	char *err;
	size_t errlen;
	int failed;
};

static int apply_one(void *vctx, const char *key, const char *value, int optional, int line)
{
	struct apply_ctx *a = vctx;
	char path[256];
	int fd, saved;
	ssize_t w;

	if (sysctl_key_path(key, path, sizeof(path)) < 0)
		return -1;  /* parser already refused it */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		w = write(fd, value, strlen(value));
		saved = errno;
		close(fd);
		if (w == (ssize_t)strlen(value))
			return 0;
		errno = w < 0 ? saved : EIO;
	}
	if (optional) {
		log_msg(LOG_WARNING, "sysctl_apply: %s:%d: %s = %s not applied (optional): %s",
			a->fname, line, key, value, strerror(errno));
		return 0;
	}
	log_msg(LOG_ERR, "sysctl_apply: %s:%d: cannot set %s = %s: %s",
		a->fname, line, key, value, strerror(errno));
	if (!a->failed)
		snprintf(a->err, a->errlen, "%s:%d: cannot set %s: %s", a->fname, line,
			 key, strerror(errno));
	a->failed++;
	return -1;
}

int sysctl_apply_file(const char *path, char *err, size_t errlen)
{
	struct apply_ctx a = { .fname = path, .err = err, .errlen = errlen };
	char *buf = NULL;
	struct stat st;
	ssize_t r;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SYSCTL_MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, SYSCTL_MAX_FILE);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	r = read(fd, buf, (size_t)st.st_size);
	if (r < 0) {
		snprintf(err, errlen, "%s: read: %s", path, strerror(errno));
		goto out;
	}
	rc = sysctl_parse(buf, (size_t)r, path, apply_one, &a, err, errlen);
	if (rc == 0 && a.failed)
		rc = -1;
	if (a.failed > 1) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, " (and %d more)", a.failed - 1);
	}
out:
	free(buf);
	close(fd);
	return rc;
}
