/* svc.h - the table of supervised services. */
#ifndef ROADBOX_INIT_SVC_H
#define ROADBOX_INIT_SVC_H

#include <sys/types.h>

#define SVC_MAX 24

/* Add a service and start it now.  argv is copied.  Returns 0, or -1 when
 * the table is full or fork fails (logged). */
int svc_add(const char *name, char *const argv[]);

/* A child exited: if it is a service, log it and schedule its restart.
 * Orphans adopted by PID 1 are simply reaped. */
void svc_exited(pid_t pid, int status, long long now_ms);

/* Milliseconds until the next scheduled restart, or -1 if none. */
int svc_next_timeout(long long now_ms);

/* Start the services whose restart time has come. */
void svc_restart_due(long long now_ms);

/* Shutdown: no more restarts; returns how many services still run. */
int svc_stop(void);

/* Count of running services (for the boot summary). */
int svc_running(void);

#endif
