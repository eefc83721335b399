/* conf.h - /etc/roadbox/report.conf (documented in docs/report.md). */
#ifndef ROADBOX_REPORT_CONF_H
#define ROADBOX_REPORT_CONF_H

#include <stddef.h>

#define RB_CONF_PATH "/etc/roadbox/report.conf"
#define RB_CONF_VAL 256

enum rb_tls { RB_TLS_STARTTLS, RB_TLS_TLS, RB_TLS_OFF };

struct rb_conf {
	char admin[RB_CONF_VAL];        /* recipients, comma-separated */
	char from[RB_CONF_VAL];
	char relay_host[RB_CONF_VAL];
	unsigned relay_port;            /* 0 = default for the tls mode */
	enum rb_tls tls;
	char tls_ca_file[RB_CONF_VAL];
	char tls_fingerprint[RB_CONF_VAL];
	char auth_user[RB_CONF_VAL];
	char auth_password_file[RB_CONF_VAL];
	int daily_hour, daily_min;
	char box_name[RB_CONF_VAL];     /* "" = the hostname */
};

/* Defaults, then the file. On error, err names the line and problem and
 * -1 is returned. A missing file gives the defaults (report printing
 * works; sending then fails with "relay_host not set"). */
int rb_conf_load(struct rb_conf *c, const char *path, char *err, size_t errsz);
/* Parse from memory (used by the file loader and the tests). */
int rb_conf_parse(struct rb_conf *c, const char *text, char *err, size_t errsz);
void rb_conf_defaults(struct rb_conf *c);
/* Is the configuration complete enough to send? -1 with a reason if not. */
int rb_conf_check_send(const struct rb_conf *c, char *err, size_t errsz);
unsigned rb_conf_port(const struct rb_conf *c);

#endif
