/* spool.h - the RAM queue of reports and delivery through msmtp. */
#ifndef ROADBOX_REPORT_SPOOL_H
#define ROADBOX_REPORT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define RB_SPOOL_DIR "/var/spool/roadbox-report"
#define RB_RUN_DIR "/run/roadbox-report"
#define RB_MSMTP "/usr/bin/msmtp"
#define RB_SPOOL_MAX 60         /* about two months of daily reports */

struct rb_spool {
	const char *dir;
	const char *run_dir;
	const char *msmtp;
};

/* Write the msmtp configuration for `c` into run_dir/msmtprc (mode 0600).
 * `domain` is the EHLO name. The password is never written: msmtp reads it
 * with passwordeval from the RAM-only file named in the configuration. */
int rb_msmtprc_write(const struct rb_spool *sp, const struct rb_conf *c,
		     const char *domain, char *path, size_t pathsz);
/* Render the configuration (exposed for the unit tests). */
int rb_msmtprc_render(const struct rb_conf *c, const char *domain, char *out, size_t outsz);

/* Queue a message. name gets the file name. 0 or -1. */
int rb_spool_add(const struct rb_spool *sp, int64_t now, const char *msg, size_t len,
		 char *name, size_t namesz);
/* Try to deliver every queued message, oldest first. Returns the number
 * still queued afterwards, or -1 if the spool cannot be read. */
int rb_spool_flush(const struct rb_spool *sp, const char *msmtprc);
/* Number of queued messages (-1 on error). */
int rb_spool_count(const struct rb_spool *sp);

#endif
