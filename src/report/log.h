/* log.h - the program's own messages: syslog (daemon facility) and stderr. */
#ifndef ROADBOX_REPORT_LOG_H
#define ROADBOX_REPORT_LOG_H

#include <syslog.h>

void rb_log_open(int use_syslog);
void rb_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
