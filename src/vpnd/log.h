/* log.h - syslog + optional stderr logging and the event lines of docs/log-format.md */
#ifndef VPND_LOG_H
#define VPND_LOG_H
#include <stddef.h>
#include <syslog.h>

enum { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_open(int to_stderr, int level);
void log_set_level(int level);
int log_level_parse(const char *s);
void log_msg(int lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One event line: "EVENT ts=N <kv>"; kv is already formatted key=value pairs. */
void log_event(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Format a value per docs/log-format.md: control chars -> '?', quoted if it
 * contains a space, quote or backslash; "-" if empty. */
void log_value(char *out, size_t outlen, const char *in);

#define LOGE(fmt, ...) log_msg(LOG_LVL_ERROR, "%s: " fmt, __func__, ##__VA_ARGS__)
#define LOGW(fmt, ...) log_msg(LOG_LVL_WARNING, "%s: " fmt, __func__, ##__VA_ARGS__)
#define LOGI(fmt, ...) log_msg(LOG_LVL_INFO, "%s: " fmt, __func__, ##__VA_ARGS__)
#define LOGD(fmt, ...) log_msg(LOG_LVL_DEBUG, "%s: " fmt, __func__, ##__VA_ARGS__)
#endif
