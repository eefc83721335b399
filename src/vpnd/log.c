/* log.c - vpnd's logging: syslog (facility daemon, ident vpnd) and, in the
 * foreground, stderr too.  Event lines follow docs/log-format.md exactly. */
#include "log.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int g_stderr;
static int g_level = LOG_LVL_INFO;
static int g_open;

static const int sys_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void log_open(int to_stderr, int level)
{
	g_stderr = to_stderr;
	g_level = level;
#ifndef UNIT_TEST
	openlog("vpnd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	g_open = 1;
#endif
}

void log_set_level(int level) { g_level = level; }

int log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void emit(int lvl, const char *line)
{
	if (g_open)
		syslog(sys_prio[lvl], "%s", line);
	if (g_stderr || !g_open)
		fprintf(stderr, "vpnd: %s\n", line);
}

void log_msg(int lvl, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (lvl > g_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(lvl, line);
}

void log_event(const char *event, const char *fmt, ...)
{
	char kv[1536], line[1700];
	va_list ap;

#ifdef UNIT_TEST
	if (g_level < LOG_LVL_INFO)
		return; /* keep test output to TAP lines */
#endif
	va_start(ap, fmt);
	vsnprintf(kv, sizeof(kv), fmt, ap);
	va_end(ap);
	/* Events are always logged at info, whatever the configured level
	 * (the daily report depends on them), but never filtered below error. */
	snprintf(line, sizeof(line), "%s ts=%lld%s%s", event, (long long)time(NULL),
		 kv[0] ? " " : "", kv);
	emit(LOG_LVL_INFO, line);
}

void log_value(char *out, size_t outlen, const char *in)
{
	size_t o = 0;
	int quote = 0;

	if (outlen < 4)
		return;
	if (!in || !*in) {
		snprintf(out, outlen, "-");
		return;
	}
	for (const char *p = in; *p; p++)
		if (*p == ' ' || *p == '"' || *p == '\\' || *p == '=')
			quote = 1;
	if (quote)
		out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < outlen; p++) {
		unsigned char c = *p;
		if (c < 0x20 || c == 0x7f)
			c = '?';
		if (quote && (c == '"' || c == '\\'))
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	if (quote)
		out[o++] = '"';
	out[o] = 0;
}
