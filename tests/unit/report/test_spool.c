/* The RAM queue: a report is queued before sending, stays queued when the
 * SMTP client fails, and is removed only when it succeeds. The client here
 * is /bin/false or /bin/true (exit status is all the spool looks at); real
 * delivery through msmtp to a real SMTP server is tests/report/. */
#include "tap.h"
#include "../../../src/report/log.h"
#include "../../../src/report/spool.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rm_tree(const char *d)
{
	DIR *dd = opendir(d);
	struct dirent *de;
	char p[512];

	if (!dd)
		return;
	while ((de = readdir(dd)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
			unlink(p);
		}
	closedir(dd);
	rmdir(d);
}

void test_spool(void)
{
	char top[64], sdir[128], rdir[128], name[128], rc[512];
	struct rb_spool sp;
	struct rb_conf c;
	struct stat st;
	int i;

	snprintf(top, sizeof(top), "/tmp/report_spool.XXXXXX");
	if (!mkdtemp(top)) {
		OK(0, "spool: temp dir");
		return;
	}
	snprintf(sdir, sizeof(sdir), "%s/spool", top);
	snprintf(rdir, sizeof(rdir), "%s/run", top);
	sp.dir = sdir;
	sp.run_dir = rdir;
	sp.msmtp = "/bin/false";
	rb_log_open(0);

	OK(rb_spool_count(&sp) == 0, "spool: a missing spool directory is an empty queue");
	OK(rb_spool_add(&sp, 1000, "a\n", 2, name, sizeof(name)) == 0 &&
	   stat(sdir, &st) == 0 && (st.st_mode & 077) == 0,
	   "spool: queueing creates a private directory");
	OK(rb_spool_count(&sp) == 1 && strstr(name, "000000001000-") == name,
	   "spool: one report queued, named by time (%s)", name);
	rb_conf_defaults(&c);
	snprintf(c.relay_host, sizeof(c.relay_host), "127.0.0.1");
	snprintf(c.from, sizeof(c.from), "a@b");
	OK(rb_msmtprc_write(&sp, &c, "d", rc, sizeof(rc)) == 0 && stat(rc, &st) == 0 &&
	   (st.st_mode & 077) == 0, "spool: msmtprc written owner-only");
	OK(rb_spool_flush(&sp, rc) == 1 && rb_spool_count(&sp) == 1,
	   "spool: a failing SMTP client leaves the report queued");
	sp.msmtp = "/nonexistent/msmtp";
	OK(rb_spool_flush(&sp, rc) == 1, "spool: a missing SMTP client leaves it queued");
	sp.msmtp = "/bin/true";
	OK(rb_spool_add(&sp, 2000, "b\n", 2, name, sizeof(name)) == 0 &&
	   rb_spool_flush(&sp, rc) == 0 && rb_spool_count(&sp) == 0,
	   "spool: success removes every queued report");
	for (i = 0; i < RB_SPOOL_MAX + 3; i++)
		rb_spool_add(&sp, 3000 + i, "c\n", 2, name, sizeof(name));
	OK(rb_spool_count(&sp) == RB_SPOOL_MAX, "spool: bounded at %d reports (oldest dropped, logged)",
	   RB_SPOOL_MAX);
	rm_tree(sdir);
	rm_tree(rdir);
	rmdir(top);
}
