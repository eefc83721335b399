/* svc.c - start, watch and restart the init's services. */
#include "svc.h"
#include "backoff.h"
#include "conf.h"
#include "log.h"
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct svc {
	char name[CONF_NAME_MAX];
	char store[CONF_MAX_LINE];
	char *argv[CONF_MAX_ARGS + 1];
	pid_t pid;                 /* 0 while waiting to restart */
	long long started_ms;
	long long restart_ms;      /* > 0: restart at this time */
	unsigned next_delay;
	unsigned restarts;
};

static struct svc table[SVC_MAX];
static int n_svcs;
static int stopping;

static int svc_start(struct svc *s)
{
	struct proc_fds fds = { .fd = { -1, -1, -1, -1 }, .console = 1, .new_session = 1 };

	s->pid = proc_spawn(s->argv, NULL, &fds);
	if (s->pid < 0) {
		s->pid = 0;
		return -1;
	}
	s->started_ms = proc_now_ms();
	s->restart_ms = 0;
	return 0;
}

int svc_add(const char *name, char *const argv[])
{
	struct svc *s;
	size_t off = 0;
	int i;

	if (n_svcs >= SVC_MAX) {
		log_msg(LOG_ERR, "svc_add: no room for service %s", name);
		return -1;
	}
	s = &table[n_svcs];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (i = 0; argv[i] && i < CONF_MAX_ARGS; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (off + n > sizeof(s->store)) {
			log_msg(LOG_ERR, "svc_add: command of %s too long", name);
			return -1;
		}
		memcpy(s->store + off, argv[i], n);
		s->argv[i] = s->store + off;
		off += n;
	}
	s->argv[i] = NULL;
	s->next_delay = BACKOFF_MIN_S;
	n_svcs++;
	if (svc_start(s) < 0) {
		s->restart_ms = proc_now_ms() + BACKOFF_MIN_S * 1000;   /* the loop retries */
		return -1;
	}
	log_msg(LOG_INFO, "svc_add: started %s (pid %d): %s", s->name, (int)s->pid, s->argv[0]);
	return 0;
}

void svc_exited(pid_t pid, int status, long long now)
{
	char how[96];

	for (int i = 0; i < n_svcs; i++) {
		struct svc *s = &table[i];
		long long ran = now - s->started_ms;
		unsigned d;

		if (s->pid != pid)
			continue;
		s->pid = 0;
		proc_describe(status, how, sizeof(how));
		if (stopping) {
			log_msg(LOG_INFO, "service %s (pid %d) %s", s->name, (int)pid, how);
			return;
		}
		d = backoff_delay(&s->next_delay, ran);
		s->restart_ms = now + (long long)d * 1000;
		log_msg(LOG_WARNING, "service %s (pid %d) %s after %lld s; restart #%u in %u s",
			s->name, (int)pid, how, ran / 1000, s->restarts + 1, d);
		return;
	}
	/* An orphan adopted by PID 1: reaping it was the whole job. */
}

int svc_next_timeout(long long now)
{
	long long best = -1;

	if (stopping)
		return -1;
	for (int i = 0; i < n_svcs; i++) {
		long long t = table[i].restart_ms;
		if (table[i].pid == 0 && t > 0 && (best < 0 || t < best))
			best = t;
	}
	if (best < 0)
		return -1;
	return best <= now ? 0 : (int)(best - now);
}

void svc_restart_due(long long now)
{
	for (int i = 0; i < n_svcs && !stopping; i++) {
		struct svc *s = &table[i];

		if (s->pid != 0 || s->restart_ms == 0 || s->restart_ms > now)
			continue;
		s->restarts++;
		if (svc_start(s) < 0) {
			/* fork failed (logged): try again after the next delay */
			unsigned d = backoff_delay(&s->next_delay, 0);
			s->restart_ms = now + (long long)d * 1000;
			continue;
		}
		log_msg(LOG_NOTICE, "service %s restarted (restart #%u, pid %d)", s->name,
			s->restarts, (int)s->pid);
	}
}

int svc_stop(void)
{
	stopping = 1;
	return svc_running();
}

int svc_running(void)
{
	int n = 0;

	for (int i = 0; i < n_svcs; i++)
		n += table[i].pid > 0;
	return n;
}
