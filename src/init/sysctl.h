/* sysctl.h - /etc/sysctl.conf ("key = value" lines) applied to /proc/sys. */
#ifndef ROADBOX_INIT_SYSCTL_H
#define ROADBOX_INIT_SYSCTL_H

#include <stddef.h>

#define SYSCTL_PATH "/etc/sysctl.conf"

/* Called for each setting; optional != 0 when the key had a leading '-'
 * (sysctl.conf(5): ignore failure to set it). */
typedef int (*sysctl_cb)(void *ctx, const char *key, const char *value,
			 int optional, int line);

/* Parse sysctl.conf text; calls cb for each setting in order.  Syntax errors
 * stop the parse: returns -1 with "FNAME:LINE: reason" in err.  A callback
 * returning -1 does not stop the parse (every setting gets its chance); the
 * function then returns -1 with err left as the callback wrote it. */
int sysctl_parse(const char *text, size_t len, const char *fname, sysctl_cb cb,
		 void *ctx, char *err, size_t errlen);

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward".  Keys already
 * written with '/' keep their dots (interface names such as eth0.5). */
int sysctl_key_path(const char *key, char *out, size_t outlen);

/* Read SYSCTL_PATH and write each value; returns -1 (err set) if the file is
 * missing or unreadable, has a syntax error, or any non-optional key fails. */
int sysctl_apply_file(const char *path, char *err, size_t errlen);

#endif
