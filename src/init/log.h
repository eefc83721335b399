/* log.h - the init's messages: to the console(s), and to syslog once
 * syslogd listens on /dev/log. */
#ifndef ROADBOX_INIT_LOG_H
#define ROADBOX_INIT_LOG_H

#include <syslog.h>   /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO */

/* Open the VGA console (tty1) in addition to stderr (= /dev/console, which
 * the kernel points at the last console=, ttyS0), so both see boot messages. */
void log_init(void);

/* One line "init: MESSAGE" (no trailing newline in fmt). */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Console only (never syslog): banners and prompts. */
void log_console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Close the syslog socket (before shutdown kills syslogd). */
void log_close_syslog(void);

#endif
