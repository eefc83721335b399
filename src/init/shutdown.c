/* shutdown.c - the way down: stop every process, wipe the CA from RAM,
 * sync, and let the kernel reboot, halt or power off. */
#include "init.h"
#include "log.h"
#include "proc.h"
#include "svc.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TERM_WAIT_MS 5000
#define KILL_WAIT_MS 2000

/* Reap until no child is left or the time is up; returns 0 when none is left. */
static int reap_all(int ms)
{
	long long end = proc_now_ms() + ms;
	struct timespec nap = { 0, 20 * 1000 * 1000 };

	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0) {
			svc_exited(pid, st, proc_now_ms());
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			return 0;
		if (proc_now_ms() >= end)
			return -1;
		nanosleep(&nap, NULL);
	}
}

static void final(int how) __attribute__((noreturn));
static void final(int how)
{
	sync();
	reboot(how);
	log_msg(LOG_ERR, "shutdown: reboot(2) failed: %s", strerror(errno));
	for (;;)
		pause();
}

void shutdown_system(int how)
{
	unsigned h = (unsigned)how;
	const char *what = h == RB_POWER_OFF ? "poweroff" : h == RB_HALT_SYSTEM ? "halt" : "reboot";

	log_msg(LOG_NOTICE, "shutdown: %s requested: stopping %d services", what, svc_stop());
	/* Everyone but PID 1: services, login shells, and anything they left.
	 * An interactive shell ignores SIGTERM but leaves on SIGHUP, as on a
	 * hangup of its terminal. */
	kill(-1, SIGTERM);
	kill(-1, SIGHUP);
	kill(-1, SIGCONT);
	if (reap_all(TERM_WAIT_MS) < 0) {
		log_msg(LOG_WARNING, "shutdown: processes left after %d s; sending SIGKILL",
			TERM_WAIT_MS / 1000);
		kill(-1, SIGKILL);
		if (reap_all(KILL_WAIT_MS) < 0)
			log_msg(LOG_ERR, "shutdown: some processes would not die");
	}
	log_close_syslog();
	if (ca_wipe() < 0)
		log_msg(LOG_ERR, "shutdown: the CA tmpfs could not be wiped completely");
	log_msg(LOG_NOTICE, "shutdown: all processes stopped; %s now", what);
	final(how);
}

void halt_on_failure(const char *step, const char *why)
{
	log_msg(LOG_CRIT, "essential boot step '%s' failed: %s", step, why);
	log_msg(LOG_CRIT, "halting: the box does not run half-configured. Fix the image and boot again.");
	kill(-1, SIGKILL);
	reap_all(KILL_WAIT_MS);
	ca_wipe();
	final(RB_HALT_SYSTEM);
}
