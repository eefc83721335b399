/* proc.h - start programs and wait for them, the way PID 1 must: children
 * get a clean signal state, and a child only ever _exits on failure. */
#ifndef ROADBOX_INIT_PROC_H
#define ROADBOX_INIT_PROC_H

#include <sys/types.h>

#define PROC_PATH "PATH=/sbin:/usr/sbin:/bin:/usr/bin"

struct proc_fds {
	/* fds to install as the child's 0, 1, 2, 3; -1 = /dev/null for 0..2,
	 * /dev/console for 1..2 when console is set, nothing for 3. */
	int fd[4];
	int console;      /* stdout/stderr default to /dev/console, not /dev/null */
	int new_session;  /* setsid(): services get their own session */
};

/* Fork and exec argv[0] (searched in PATH when it has no '/'), with envp or
 * the init's minimal environment when envp is NULL.  Returns the pid or -1. */
pid_t proc_spawn(char *const argv[], char *const envp[], const struct proc_fds *fds);

/* Wait for pid, at most timeout_ms; on timeout kill it (SIGKILL) and return
 * -1 with *status untouched.  Otherwise 0 with the wait status. */
int proc_wait(pid_t pid, int timeout_ms, int *status);

/* Spawn with stdin=/dev/null, output on the console; wait; 0 only if it
 * exited 0.  why (may be NULL) gets "PROG exited with status N" etc. */
int proc_run(char *const argv[], int timeout_ms, char *why, size_t whylen);

/* "exited with status 1" / "killed by signal 9 (Killed)" */
void proc_describe(int status, char *buf, size_t len);

/* Monotonic milliseconds. */
long long proc_now_ms(void);

#endif
