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
		break;             /* reap() below handles it */
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

void supervise(struct boot *b)
{
	sigset_t set;
	int sfd;

	(void)b;
	sigemptyset(&set);
	sigprocmask(SIG_BLOCK, NULL, &set);   /* the set main() blocked */
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		halt_on_failure("supervise", strerror(errno));
	for (;;) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		struct signalfd_siginfo si;
		int timeout;

		svc_restart_due(proc_now_ms());
		timeout = svc_next_timeout(proc_now_ms());
		if (poll(&p, 1, timeout) < 0 && errno != EINTR) {
			struct timespec nap = { 1, 0 };
			log_msg(LOG_ERR, "supervise: poll: %s", strerror(errno));
			nanosleep(&nap, NULL);
		}
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			/* reap first: shutdown wants an up-to-date service table */
			reap();
			on_signal((int)si.ssi_signo);
		}
		reap();
	}
}
