/* log.c - write the init's messages where an operator can read them: both
 * consoles, and syslog (so restarts end up in /var/log/messages and on a
 * remote log host). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int vga_fd = -1;
static int syslog_fd = -1;

void log_init(void)
{
#ifndef UNIT_TEST
	struct stat a, b;

	vga_fd = open("/dev/tty1", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	/* If /dev/console already is tty1, writing twice would double every line. */
	if (vga_fd >= 0 && fstat(vga_fd, &a) == 0 && fstat(2, &b) == 0 &&
	    a.st_rdev == b.st_rdev) {
		close(vga_fd);
		vga_fd = -1;
	}
#endif
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;   /* a console that cannot take it loses the line */
		s += w;
		n -= (size_t)w;
	}
}

static void to_consoles(const char *line, size_t n)
{
	write_all(2, line, n);
	if (vga_fd >= 0)
		write_all(vga_fd, line, n);
}

static void to_syslog(int prio, const char *msg)
{
#ifndef UNIT_TEST
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char buf[600];
	int n;

	if (syslog_fd < 0) {
		syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (syslog_fd < 0)
			return;
	}
	/* BusyBox syslogd stamps the time itself; LOG_DAEMON like other daemons. */
	n = snprintf(buf, sizeof(buf), "<%d>init: %s", LOG_DAEMON | prio, msg);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	/* Unconnected sendto: works as soon as syslogd (re)creates /dev/log. */
	(void)sendto(syslog_fd, buf, (size_t)n, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof(sa));
#else
	(void)prio;
	(void)msg;
#endif
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[512], line[540];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "init: %s%s\n",
		     prio <= LOG_ERR ? "ERROR: " : prio == LOG_WARNING ? "warning: " : "", msg);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	to_consoles(line, (size_t)n);
	to_syslog(prio, msg);
}

void log_console(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	if (n > 0)
		to_consoles(msg, (size_t)n);
}

void log_close_syslog(void)
{
	if (syslog_fd >= 0)
		close(syslog_fd);
	syslog_fd = -1;
}
