/* supervise.c - PID 1's main loop: wait for signals (via signalfd, so no
 * work happens in signal handlers), reap every child, restart services. */
#include "init.h"
#include "log.h"
#include "proc.h"
#include "svc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sigfd = -1;

static void reap(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		svc_exited(pid, st, proc_now_ms());
}

static void on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD:
		break;             /* reap() handles it */
	case SIGTERM:          /* BusyBox reboot */
	case SIGINT:           /* Ctrl-Alt-Del (RB_DISABLE_CAD) */
		shutdown_system(RB_AUTOBOOT);
	case SIGUSR1:          /* BusyBox halt */
		shutdown_system(RB_HALT_SYSTEM);
	case SIGUSR2:          /* BusyBox poweroff */
		shutdown_system(RB_POWER_OFF);
	default:
		log_msg(LOG_INFO, "supervise: ignoring signal %d (%s)", sig, strsignal(sig));
	}
}

int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	/* Blocked, so they queue for the signalfd; children unblock them. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sigfd;
}

void signals_handle(void)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		/* reap first: shutdown wants an up-to-date service table */
		reap();
		on_signal((int)si.ssi_signo);
	}
	reap();
}

void supervise(struct boot *b)
{
	(void)b;
	if (sigfd < 0)
		halt_on_failure("supervise", "no signalfd");
	for (;;) {
		struct pollfd p = { .fd = sigfd, .events = POLLIN };

		svc_restart_due(proc_now_ms());
		if (poll(&p, 1, svc_next_timeout(proc_now_ms())) < 0 && errno != EINTR) {
			struct timespec nap = { 1, 0 };
			log_msg(LOG_ERR, "supervise: poll: %s", strerror(errno));
			nanosleep(&nap, NULL);
		}
		signals_handle();
	}
}
