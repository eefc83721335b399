/* log.c - every failure to send is logged, so the admin can find it in the
 * logs (and on a remote syslog host) even when the mail never arrives. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static int to_syslog;

void rb_log_open(int use_syslog)
{
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("roadbox-report", LOG_PID, LOG_DAEMON);
}

void rb_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (to_syslog) {
		va_list ap2;
		va_copy(ap2, ap);
		vsyslog(prio, fmt, ap2);
		va_end(ap2);
	}
	fputs("roadbox-report: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
