/* conf.h - /etc/roadbox/init.conf: the site's boot settings (see docs/init.md). */
#ifndef ROADBOX_INIT_CONF_H
#define ROADBOX_INIT_CONF_H

#include <stddef.h>

#define CONF_PATH        "/etc/roadbox/init.conf"
#define CONF_MAX_IFACES  8
#define CONF_MAX_DNS     3
#define CONF_MAX_SVCS    8
#define CONF_MAX_ARGS    16
#define CONF_MAX_LINE    512
#define CONF_NAME_MAX    32
#define CONF_ADDR_MAX    64   /* IPv6 text + "/128" fits */
#define CONF_HOST_MAX    64
#define CONF_REMOTE_MAX  128
#define CONF_SIZE_MAX    16   /* a tmpfs size such as "64m" */

enum iface_mode { IFACE_DHCP, IFACE_STATIC };

struct conf_iface {
	char name[CONF_NAME_MAX];
	enum iface_mode mode;
	char addr[CONF_ADDR_MAX];     /* static: "A/P" as written, validated */
	char gateway[CONF_ADDR_MAX];  /* static, optional: "" when none */
	int line;                     /* where it was declared, for messages */
};

struct conf_svc {
	char name[CONF_NAME_MAX];
	int argc;
	/* argv strings live in buf; argv[argc] == NULL. */
	char buf[CONF_MAX_LINE];
	char *argv[CONF_MAX_ARGS + 1];
};

struct conf {
	char hostname[CONF_HOST_MAX + 1];   /* "" = keep /etc/hostname */
	unsigned link_wait;                 /* seconds to wait for carrier/device */
	unsigned dhcp_tries;                /* udhcpc -t at boot */
	int n_ifaces;
	struct conf_iface ifaces[CONF_MAX_IFACES];
	int n_dns;
	char dns[CONF_MAX_DNS][CONF_ADDR_MAX];
	unsigned syslog_size_kb;            /* syslogd -s */
	unsigned syslog_rotate;             /* syslogd -b */
	char syslog_remote[CONF_REMOTE_MAX]; /* "" = none; else host[:port] */
	char tmpfs_run[CONF_SIZE_MAX];
	char tmpfs_tmp[CONF_SIZE_MAX];
	char tmpfs_var[CONF_SIZE_MAX];
	char tmpfs_root[CONF_SIZE_MAX];
	int n_svcs;
	struct conf_svc svcs[CONF_MAX_SVCS];
};

/* Fill c with the built-in defaults (used when a key is absent). */
void conf_defaults(struct conf *c);

/* Parse init.conf text (len bytes, need not be NUL-terminated) into c, which
 * must hold the defaults already.  On error returns -1 and writes
 * "FNAME:LINE: reason" into err. */
int conf_parse(struct conf *c, const char *text, size_t len, const char *fname,
	       char *err, size_t errlen);

/* Read and parse a file; a missing file is an error (the image always has one). */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

#endif
