/* proc.c - fork/exec/wait helpers for the init. */
#include "proc.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const default_env[] = {
	PROC_PATH, "HOME=/", "TERM=linux", "SHELL=/bin/sh", NULL
};

long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void proc_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "stopped (status 0x%x)", status);
}

/* In the child: say why and leave.  write(2) only: the parent's stdio
 * buffers must not be flushed twice. */
static void child_fail(const char *what, const char *arg)
{
	char msg[300];
	int n = snprintf(msg, sizeof(msg), "init: child %d: %s %s: %s\n", (int)getpid(),
			 what, arg, strerror(errno));

	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(127);
}

/* Execute argv[0] along PROC_PATH ourselves: execvpe() would look at the
 * init's own environment, and we want the same search for every child. */
static void exec_path(char *const argv[], char *const envp[])
{
	static const char *const dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin", NULL };
	char path[256];

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		child_fail("exec", argv[0]);
	}
	for (int i = 0; dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], argv[0]);
		execve(path, argv, envp);
		if (errno != ENOENT)
			child_fail("exec", path);
	}
	errno = ENOENT;
	child_fail("exec", argv[0]);
}

pid_t proc_spawn(char *const argv[], char *const envp[], const struct proc_fds *fds)
{
	struct proc_fds none = { .fd = { -1, -1, -1, -1 }, .console = 1 };
	pid_t pid;

	if (!fds)
		fds = &none;
	pid = fork();
	if (pid != 0) {
		if (pid < 0)
			log_msg(LOG_ERR, "proc_spawn: fork for %s: %s", argv[0], strerror(errno));
		return pid;
	}

	/* Child.  The init blocks every signal it handles via signalfd; a
	 * program must start with nothing blocked and default dispositions. */
	sigset_t all;
	int hi[4];
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);   /* fails harmlessly for KILL/STOP/RT-internal */
	if (fds->new_session && setsid() < 0)
		child_fail("setsid", argv[0]);

	/* Move the wanted fds out of the way first so that dup2 onto 0..3
	 * cannot clobber a source that is itself one of 0..3. */
	for (int i = 0; i < 4; i++) {
		int src = fds->fd[i];
		if (src < 0) {
			if (i == 3)
				hi[i] = -1;
			else if (i > 0 && fds->console)
				src = open("/dev/console", O_WRONLY | O_NOCTTY);
			else
				src = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
			if (i < 3 && src < 0)
				child_fail("open", i == 0 ? "/dev/null" : "/dev/console");
		}
		if (src >= 0) {
			hi[i] = fcntl(src, F_DUPFD, 10);
			if (hi[i] < 0)
				child_fail("dup", argv[0]);
		}
	}
	for (int i = 0; i < 4; i++)
		if (hi[i] >= 0 && dup2(hi[i], i) < 0)
			child_fail("dup2", argv[0]);
	/* Nothing else of the init's leaks into a service. */
	for (int fd = hi[3] >= 0 ? 4 : 3; fd < 1024; fd++)
		close(fd);
	if (chdir("/") < 0)
		child_fail("chdir", "/");
	exec_path(argv, envp ? envp : default_env);
	return -1;  /* not reached */
}

int proc_wait(pid_t pid, int timeout_ms, int *status)
{
	long long deadline = proc_now_ms() + timeout_ms;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int st;

	/* Polling keeps this independent of the signal loop (SIGCHLD is
	 * blocked during boot); boot-time commands are short. */
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			*status = st;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "proc_wait: waitpid %d: %s", (int)pid, strerror(errno));
			return -1;
		}
		if (proc_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&nap, NULL);
	}
}

int proc_run(char *const argv[], int timeout_ms, char *why, size_t whylen)
{
	char desc[96];
	int status;
	pid_t pid = proc_spawn(argv, NULL, NULL);

	if (pid < 0) {
		if (why)
			snprintf(why, whylen, "cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (proc_wait(pid, timeout_ms, &status) < 0) {
		if (why)
			snprintf(why, whylen, "%s did not finish within %d s (killed)", argv[0],
				 timeout_ms / 1000);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	proc_describe(status, desc, sizeof(desc));
	if (why)
		snprintf(why, whylen, "%s %s", argv[0], desc);
	return -1;
}
