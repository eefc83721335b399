/* report.conf parsing and the generated msmtp configuration. */
#include "tap.h"
#include "../../../src/report/conf.h"
#include "../../../src/report/spool.h"

#include <string.h>

static int parse(struct rb_conf *c, const char *text, char *err, size_t n)
{
	rb_conf_defaults(c);
	err[0] = '\0';
	return rb_conf_parse(c, text, err, n);
}

void test_conf(void)
{
	struct rb_conf c;
	char err[256], rc[4096];

	OK(parse(&c, "", err, sizeof(err)) == 0 && c.tls == RB_TLS_STARTTLS &&
	   rb_conf_port(&c) == 25 && c.daily_hour == 6 && c.daily_min == 0 &&
	   strcmp(c.tls_ca_file, "/etc/ssl/certs/ca-certificates.crt") == 0,
	   "conf: defaults: STARTTLS required, port 25, 06:00, Debian CA bundle");
	OK(rb_conf_check_send(&c, err, sizeof(err)) < 0 && strstr(err, "relay_host"),
	   "conf: sending without a relay is refused with a reason");
	OK(parse(&c, "# comment\n\n  admin = a@example.org, b@example.org \n"
		 "from=box@example.org\nrelay_host = smtp.example.org\nrelay_port = 587\n"
		 "tls = tls\nauth_user = box@example.org\ndaily_time = 23:45\n"
		 "tls_ca_file = /etc/roadbox/relay-ca.crt\nbox_name = vpn1.example.org\n",
		 err, sizeof(err)) == 0 && strcmp(c.admin, "a@example.org, b@example.org") == 0 &&
	   c.relay_port == 587 && c.tls == RB_TLS_TLS && c.daily_hour == 23 && c.daily_min == 45 &&
	   strcmp(c.box_name, "vpn1.example.org") == 0 &&
	   rb_conf_check_send(&c, err, sizeof(err)) == 0,
	   "conf: a full configuration parses");
	OK(parse(&c, "tls = tls\n", err, sizeof(err)) == 0 && rb_conf_port(&c) == 465,
	   "conf: tls=tls defaults to port 465");
	OK(parse(&c, "admin = a@b\nrelay = x\n", err, sizeof(err)) < 0 &&
	   strstr(err, "line 2") && strstr(err, "unknown key"),
	   "conf: unknown key is an error naming the line (%s)", err);
	OK(parse(&c, "admin = a@b>\n", err, sizeof(err)) < 0, "conf: '>' in an address is refused");
	OK(parse(&c, "admin = a@b\"c\n", err, sizeof(err)) < 0, "conf: quote in an address is refused");
	OK(parse(&c, "from = a@b, c@d\n", err, sizeof(err)) < 0, "conf: from takes one address");
	OK(parse(&c, "admin = ,\n", err, sizeof(err)) < 0, "conf: empty address list is refused");
	OK(parse(&c, "relay_host = x\"\nauth_user = y\n", err, sizeof(err)) < 0,
	   "conf: quote in relay_host is refused (msmtp directive injection)");
	OK(parse(&c, "auth_password_file = /run/x y\n", err, sizeof(err)) < 0 &&
	   parse(&c, "auth_password_file = rel/path\n", err, sizeof(err)) < 0 &&
	   parse(&c, "auth_password_file = /run/../etc/shadow\n", err, sizeof(err)) < 0,
	   "conf: password file must be a plain absolute path");
	OK(parse(&c, "tls = maybe\n", err, sizeof(err)) < 0, "conf: bad tls value refused");
	OK(parse(&c, "relay_port = 0\n", err, sizeof(err)) < 0 &&
	   parse(&c, "relay_port = 65536\n", err, sizeof(err)) < 0 &&
	   parse(&c, "relay_port = 25x\n", err, sizeof(err)) < 0, "conf: bad ports refused");
	OK(parse(&c, "daily_time = 24:00\n", err, sizeof(err)) < 0 &&
	   parse(&c, "daily_time = 6:00\n", err, sizeof(err)) < 0 &&
	   parse(&c, "daily_time = 06:60\n", err, sizeof(err)) < 0, "conf: bad daily_time refused");
	OK(parse(&c, "just words\n", err, sizeof(err)) < 0 && strstr(err, "line 1"),
	   "conf: a line without '=' is an error");

	parse(&c, "admin = a@example.org\nfrom = b@example.org\nrelay_host = 10.0.2.100\n",
	      err, sizeof(err));
	OK(rb_msmtprc_render(&c, "vpn.example.org", rc, sizeof(rc)) == 0 &&
	   strstr(rc, "host 10.0.2.100\n") && strstr(rc, "port 25\n") &&
	   strstr(rc, "tls on\n") && strstr(rc, "tls_starttls on\n") &&
	   strstr(rc, "tls_trust_file /etc/ssl/certs/ca-certificates.crt\n") &&
	   strstr(rc, "auth off\n") && strstr(rc, "domain vpn.example.org\n") &&
	   strstr(rc, "from b@example.org\n"), "msmtprc: default is STARTTLS with a trust file");
	parse(&c, "relay_host = r\ntls = off\nauth_user = u\n", err, sizeof(err));
	OK(rb_msmtprc_render(&c, "d", rc, sizeof(rc)) == 0 && strstr(rc, "tls off\n") &&
	   !strstr(rc, "tls_trust_file") && strstr(rc, "auth on\nuser u\n") &&
	   strstr(rc, "passwordeval \"/bin/cat /run/ca/smtp.pass\"\n") && !strstr(rc, "password "),
	   "msmtprc: tls=off explicit; auth reads the password from the RAM file, never inline");
	parse(&c, "relay_host = r\ntls_fingerprint = AB:CD\n", err, sizeof(err));
	OK(rb_msmtprc_render(&c, "d", rc, sizeof(rc)) == 0 && strstr(rc, "tls_fingerprint AB:CD\n"),
	   "msmtprc: pinned fingerprint");
}
