/* main.c - roadbox-report: the daily connection report (docs/report.md).
 *
 *   roadbox-report                print the report as text (vpnctl report)
 *   roadbox-report --send         build, queue and send it (vpnctl report --send)
 *   roadbox-report --flush        retry the queued reports
 *   roadbox-report --cron         the hourly cron job: flush, and send the
 *                                 daily report at report.conf's daily_time
 *
 * Exit codes: 0 done; 1 internal error; 64 usage; 75 not sent, queued for
 * retry; 78 configuration error (report.conf). */
#include "agg.h"
#include "conf.h"
#include "log.h"
#include "logread.h"
#include "mime.h"
#include "report.h"
#include "spool.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define EX_OK_ 0
#define EX_FAIL 1
#define EX_USAGE_ 64
#define EX_TEMPFAIL_ 75
#define EX_CONFIG_ 78

#define MAX_LOGS 64

enum mode { M_PRINT, M_HTML, M_MIME, M_SEND, M_FLUSH, M_CRON };

struct opts {
	enum mode mode;
	const char *logs[MAX_LOGS];
	size_t nlogs;
	int64_t now;
	int have_now;
	const char *config;
	struct rb_spool sp;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: roadbox-report [--send | --flush | --cron | --html | --mime] [options]\n"
		"  (default)      print the report for the last 24 hours as text\n"
		"  --html         print the HTML version\n"
		"  --mime         print the complete e-mail\n"
		"  --send         build the report, queue it and send it now\n"
		"  --flush        retry sending the queued reports\n"
		"  --cron         hourly job: --flush, and --send at report.conf's daily_time\n"
		"options:\n"
		"  --log FILE     read FILE instead of /var/log/messages and its rotations (repeatable)\n"
		"  --now TS       end the report window at TS (Unix seconds) instead of now\n"
		"  --config FILE  default " RB_CONF_PATH "\n"
		"  --spool DIR    default " RB_SPOOL_DIR "\n"
		"  --run-dir DIR  where the msmtp configuration is generated, default " RB_RUN_DIR "\n"
		"  --msmtp PATH   default " RB_MSMTP "\n"
		"exit: 0 ok, 1 error, 64 usage, 75 queued (not sent), 78 bad report.conf\n");
}

static int parse_ts(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || !*s || *end || v <= 0 || v > 253402300799LL)       /* year 9999 */
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "send", no_argument, NULL, 's' },
		{ "flush", no_argument, NULL, 'f' },
		{ "cron", no_argument, NULL, 'c' },
		{ "html", no_argument, NULL, 'H' },
		{ "mime", no_argument, NULL, 'M' },
		{ "log", required_argument, NULL, 'l' },
		{ "now", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'C' },
		{ "spool", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'R' },
		{ "msmtp", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, modes = 0;

	memset(o, 0, sizeof(*o));
	o->config = RB_CONF_PATH;
	o->sp.dir = RB_SPOOL_DIR;
	o->sp.run_dir = RB_RUN_DIR;
	o->sp.msmtp = RB_MSMTP;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->mode = M_SEND; modes++; break;
		case 'f': o->mode = M_FLUSH; modes++; break;
		case 'c': o->mode = M_CRON; modes++; break;
		case 'H': o->mode = M_HTML; modes++; break;
		case 'M': o->mode = M_MIME; modes++; break;
		case 'l':
			if (o->nlogs == MAX_LOGS) {
				fprintf(stderr, "roadbox-report: at most %d --log files\n", MAX_LOGS);
				return -1;
			}
			o->logs[o->nlogs++] = optarg;
			break;
		case 'n':
			if (parse_ts(optarg, &o->now) < 0) {
				fprintf(stderr, "roadbox-report: --now: expected Unix seconds\n");
				return -1;
			}
			o->have_now = 1;
			break;
		case 'C': o->config = optarg; break;
		case 'S': o->sp.dir = optarg; break;
		case 'R': o->sp.run_dir = optarg; break;
		case 'X': o->sp.msmtp = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	/* "--log a b c": further plain arguments are log files too */
	for (; optind < argc; optind++) {
		if (o->nlogs == MAX_LOGS)
			return -1;
		o->logs[o->nlogs++] = argv[optind];
	}
	if (modes > 1) {
		fprintf(stderr, "roadbox-report: choose one of --send, --flush, --cron, --html, --mime\n");
		return -1;
	}
	if (!o->have_now)
		o->now = (int64_t)time(NULL);
	return 0;
}

static void read_first_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t l;

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)n, f)) {
		l = strcspn(buf, "\r\n");
		buf[l] = '\0';
	}
	fclose(f);
}

static void sysinfo(struct rb_sysinfo *si, const struct rb_conf *c)
{
	char up[64];

	memset(si, 0, sizeof(*si));
	if (c->box_name[0])
		snprintf(si->hostname, sizeof(si->hostname), "%s", c->box_name);
	else if (gethostname(si->hostname, sizeof(si->hostname) - 1) < 0 || !si->hostname[0])
		snprintf(si->hostname, sizeof(si->hostname), "roadbox");
	/* the hostname goes into the Subject and Message-ID: keep it tame */
	for (char *p = si->hostname; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '-';
	read_first_line("/proc/uptime", up, sizeof(up));
	si->uptime = up[0] ? (int64_t)strtoll(up, NULL, 10) : -1;
	read_first_line("/etc/roadbox/version", si->version, sizeof(si->version));
	for (char *p = si->version; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* Build the report from the logs. text/html/mail may be NULL when not wanted. */
static int build(const struct opts *o, const struct rb_conf *c,
		 struct strbuf *text, struct strbuf *html, struct strbuf *mail)
{
	struct rb_agg a;
	struct rb_doc d;
	struct rb_sysinfo si;
	struct strbuf t, h;
	unsigned char rnd[12];
	size_t i;
	int rc = -1;

	sb_init(&t);
	sb_init(&h);
	memset(&d, 0, sizeof(d));
	rb_agg_init(&a, o->now);
	if (o->nlogs) {
		for (i = 0; i < o->nlogs; i++)
			if (rb_read_log(&a, o->logs[i]) < 0)
				rb_log(LOG_WARNING, "build: cannot read %s: %s", o->logs[i], strerror(errno));
	} else if (rb_read_rotated(&a, RB_LOG_PATH) < 0) {
		rb_log(LOG_WARNING, "build: some of " RB_LOG_PATH "* could not be read");
	}
	if (rb_agg_finish(&a) < 0) {
		rb_log(LOG_ERR, "build: out of memory aggregating the logs");
		goto out;
	}
	sysinfo(&si, c);
	if (rb_doc_build(&d, &a, &si) < 0) {
		rb_log(LOG_ERR, "build: out of memory building the report");
		goto out;
	}
	rb_render_text(text ? text : &t, &d);
	rb_render_html(html ? html : &h, &d);
	if (mail) {
		struct rb_mail_meta m = {
			.from = c->from[0] ? c->from : "roadbox@localhost",
			.to = c->admin[0] ? c->admin : "root@localhost",
			.box = si.hostname, .date = d.date, .now = o->now, .rnd = rnd,
		};
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			rb_log(LOG_ERR, "build: getrandom: %s", strerror(errno));
			goto out;
		}
		if (rb_mime_build(mail, &m, text ? text : &t, html ? html : &h) < 0) {
			rb_log(LOG_ERR, "build: out of memory building the mail");
			goto out;
		}
	}
	rc = (text && text->failed) || (html && html->failed) ? -1 : 0;
out:
	rb_doc_free(&d);
	rb_agg_free(&a);
	sb_free(&t);
	sb_free(&h);
	return rc;
}

static int flush(const struct opts *o, const struct rb_conf *c, const char *why_not)
{
	char rcpath[4096], domain[256];
	int left;

	if (why_not) {
		int q = rb_spool_count(&o->sp);
		rb_log(LOG_ERR, "flush: cannot send: %s (%d report%s queued in %s)",
		       why_not, q, q == 1 ? "" : "s", o->sp.dir);
		return q > 0 ? EX_TEMPFAIL_ : EX_CONFIG_;
	}
	if (c->auth_user[0] && access(c->auth_password_file, R_OK) < 0)
		rb_log(LOG_ERR, "flush: auth_user is set but %s is not readable: %s",
		       c->auth_password_file, strerror(errno));
	if (c->tls != RB_TLS_OFF && !c->tls_fingerprint[0] && access(c->tls_ca_file, R_OK) < 0)
		rb_log(LOG_ERR, "flush: tls_ca_file %s is not readable: %s",
		       c->tls_ca_file, strerror(errno));
	if (c->box_name[0])
		snprintf(domain, sizeof(domain), "%s", c->box_name);
	else if (gethostname(domain, sizeof(domain) - 1) < 0 || !domain[0] ||
		 strspn(domain, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
			 != strlen(domain))
		snprintf(domain, sizeof(domain), "localhost");
	if (rb_msmtprc_write(&o->sp, c, domain, rcpath, sizeof(rcpath)) < 0)
		return EX_FAIL;
	left = rb_spool_flush(&o->sp, rcpath);
	if (left < 0)
		return EX_FAIL;
	return left ? EX_TEMPFAIL_ : EX_OK_;
}

static int send_now(const struct opts *o, const struct rb_conf *c)
{
	struct strbuf mail;
	char name[128], err[256];
	int rc;

	/* report.conf is in the read-only image: a missing relay or address
	 * cannot be fixed before the next boot, so queueing would only fill
	 * RAM. Say so loudly instead. */
	if (rb_conf_check_send(c, err, sizeof(err)) < 0) {
		rb_log(LOG_ERR, "send: %s: no report sent", err);
		return EX_CONFIG_;
	}
	sb_init(&mail);
	if (build(o, c, NULL, NULL, &mail) < 0) {
		sb_free(&mail);
		return EX_FAIL;
	}
	rc = rb_spool_add(&o->sp, o->now, mail.buf, mail.len, name, sizeof(name));
	sb_free(&mail);
	if (rc < 0)
		return EX_FAIL;
	rb_log(LOG_INFO, "send: queued report %s for %s", name, c->admin);
	return flush(o, c, NULL);
}

static int cron(const struct opts *o, const struct rb_conf *c)
{
	struct tm tm;
	time_t now = (time_t)o->now;
	char err[256];
	int rc = EX_OK_;

	if (rb_spool_count(&o->sp) > 0)
		rc = flush(o, c, rb_conf_check_send(c, err, sizeof(err)) < 0 ? err : NULL);
	if (!gmtime_r(&now, &tm) || tm.tm_hour != c->daily_hour)
		return rc;
	/* crond starts us at minute 0; wait for daily_time's minute */
	if (!o->have_now && tm.tm_min < c->daily_min) {
		unsigned left = (unsigned)((c->daily_min - tm.tm_min) * 60 - tm.tm_sec);
		while ((left = sleep(left)) > 0)
			;
	}
	return send_now(o, c);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct rb_conf c;
	struct strbuf out;
	char err[512];
	int rc = EX_OK_;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return EX_USAGE_;
	}
	/* printing is interactive (vpnctl report); the rest runs from cron
	 * and must leave a trace in the log */
	rb_log_open(o.mode == M_SEND || o.mode == M_FLUSH || o.mode == M_CRON);
	if (rb_conf_load(&c, o.config, err, sizeof(err)) < 0) {
		rb_log(LOG_ERR, "main: %s", err);
		return EX_CONFIG_;
	}
	switch (o.mode) {
	case M_PRINT:
	case M_HTML:
	case M_MIME:
		sb_init(&out);
		if (build(&o, &c, o.mode == M_PRINT ? &out : NULL,
			  o.mode == M_HTML ? &out : NULL,
			  o.mode == M_MIME ? &out : NULL) < 0)
			rc = EX_FAIL;
		else if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			rc = EX_FAIL;
		sb_free(&out);
		break;
	case M_SEND:
		rc = send_now(&o, &c);
		break;
	case M_FLUSH:
		if (rb_spool_count(&o.sp) == 0)
			break;
		rc = flush(&o, &c, rb_conf_check_send(&c, err, sizeof(err)) < 0 ? err : NULL);
		break;
	case M_CRON:
		rc = cron(&o, &c);
		break;
	}
	return rc;
}
