/* passwd.c - find a user's uid/gid in /etc/passwd
 * (name:password:uid:gid:gecos:home:shell) or a group's gid in /etc/group
 * (name:password:gid:members). */
#include "passwd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 7

static int field_id(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 0xfffffffeUL)   /* (uid_t)-1 means "no change" to chown */
		return -1;
	*out = v;
	return 0;
}

/* Find the line whose first field is name and which has exactly nfields
 * fields; return the numbers in fields a and b (b < 0: only a). */
static int lookup(const char *text, size_t len, const char *name, int nfields,
		  int a, int b, unsigned long *va, unsigned long *vb)
{
	size_t nlen = strlen(name), pos = 0;

	if (nlen == 0)
		return -1;
	while (pos < len) {
		const char *line = text + pos, *f[MAX_FIELDS + 1];
		size_t llen = 0, flen[MAX_FIELDS + 1];
		int nf = 0;

		while (pos + llen < len && text[pos + llen] != '\n')
			llen++;
		pos += llen + 1;
		f[0] = line;
		for (size_t i = 0; i <= llen; i++) {
			if (i < llen && line[i] != ':')
				continue;
			flen[nf] = (size_t)(line + i - f[nf]);
			if (++nf > nfields)
				break;           /* too many fields: not an entry */
			if (i < llen)
				f[nf] = line + i + 1;
		}
		if (nf != nfields || flen[0] != nlen || memcmp(f[0], name, nlen) != 0)
			continue;
		if (field_id(f[a], flen[a], va) < 0 || (b >= 0 && field_id(f[b], flen[b], vb) < 0))
			return -1;
		return 0;
	}
	return -1;
}

int passwd_lookup(const char *text, size_t len, const char *user, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;

	if (lookup(text, len, user, 7, 2, 3, &u, &g) < 0)
		return -1;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

int group_lookup(const char *text, size_t len, const char *group, gid_t *gid)
{
	unsigned long g;

	if (lookup(text, len, group, 4, 2, -1, &g, NULL) < 0)
		return -1;
	*gid = (gid_t)g;
	return 0;
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < size && (r = read(fd, buf + len, size - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		len += (size_t)r;
	}
	close(fd);
	return (ssize_t)len;
}

int passwd_lookup_file(const char *path, const char *user, uid_t *uid, gid_t *gid)
{
	char buf[16384];
	ssize_t n = read_small(path, buf, sizeof(buf));

	return n < 0 ? -1 : passwd_lookup(buf, (size_t)n, user, uid, gid);
}

int group_lookup_file(const char *path, const char *group, gid_t *gid)
{
	char buf[16384];
	ssize_t n = read_small(path, buf, sizeof(buf));

	return n < 0 ? -1 : group_lookup(buf, (size_t)n, group, gid);
}
