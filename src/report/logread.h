/* logread.h - feed syslog files (current and rotated) to the aggregation. */
#ifndef ROADBOX_REPORT_LOGREAD_H
#define ROADBOX_REPORT_LOGREAD_H

#include "agg.h"

#define RB_LOG_PATH "/var/log/messages"
#define RB_MAX_ROTATED 100

/* Read one file line by line. -1 if it cannot be opened/read. */
int rb_read_log(struct rb_agg *a, const char *path);
/* Read base.N ... base.0 then base (BusyBox syslogd's rotation names).
 * Missing files are fine; unreadable ones are counted in the stats. */
int rb_read_rotated(struct rb_agg *a, const char *base);

#endif
