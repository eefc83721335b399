/* main.c - roadbox's PID 1: run the boot steps in order, then supervise.
 *
 * Each step is a named function with a kind that says what its failure
 * means.  An essential step that fails halts the box with the reason on the
 * console; a step that guards the VPN keeps vpnd from starting; the others
 * are reported and boot goes on (the admin can still log in and look).
 */
#include "init.h"
#include "log.h"
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind {
	ESSENTIAL,   /* failure halts the box */
	GUARDS_VPN,  /* failure keeps vpnd from starting */
	REPORTED,    /* failure is reported, boot continues */
};

struct step {
	const char *name;
	const char *what;
	int (*run)(struct boot *b);
	enum kind kind;
};

int step_config(struct boot *b)
{
	conf_defaults(&b->conf);
	return conf_load(&b->conf, CONF_PATH, b->why, sizeof(b->why));
}

static const struct step steps[] = {
	{ "config",   "read " CONF_PATH,                         step_config,   ESSENTIAL },
	{ "mounts",   "mount /proc, /sys, /dev/pts, RAM filesystems", step_mounts, ESSENTIAL },
	{ "hostname", "set the host name",                       step_hostname, REPORTED },
	{ "syslogd",  "start syslogd (logs in /var/log)",        step_syslogd,  REPORTED },
	/* sysctls and the firewall come before the network: no interface is
	 * ever up without its filter and hardening in place. */
	{ "sysctl",   "apply /etc/sysctl.conf",                  step_sysctl,   GUARDS_VPN },
	{ "firewall", "load " NFT_CONF,                          step_firewall, GUARDS_VPN },
	{ "network",  "bring up loopback and the interfaces",    step_network,  REPORTED },
	{ "ca",       "unlock the CA into " CA_DIR,              step_ca,       GUARDS_VPN },
	{ "services", "start crond and the site's services",     step_services, REPORTED },
	{ "vpnd",     "start the VPN service",                   step_vpnd,     REPORTED },
	{ "getty",    "start getty on ttyS0 and tty1",           step_gettys,   REPORTED },
};

static void run_steps(struct boot *b)
{
	size_t n = sizeof(steps) / sizeof(steps[0]);

	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];

		b->why[0] = '\0';
		if (s->run(b) == 0) {
			log_msg(LOG_INFO, "[%zu/%zu] %s: ok (%s)", i + 1, n, s->name, s->what);
			continue;
		}
		if (!b->why[0])
			snprintf(b->why, sizeof(b->why), "no reason given");
		if (s->kind == ESSENTIAL)
			halt_on_failure(s->name, b->why);
		log_msg(LOG_ERR, "[%zu/%zu] step '%s' failed (%s): %s%s", i + 1, n, s->name,
			s->what, b->why,
			s->kind == GUARDS_VPN ? " -- the VPN service will not be started" : "");
	}
	log_msg(LOG_NOTICE, "boot finished; VPN service %s",
		b->vpnd_started ? "started" : "NOT started (see errors above)");
}

int main(int argc, char **argv)
{
	static struct boot b;
	int sigfd, sig_errno;

	(void)argv;
	if (getpid() != 1 || argc < 1) {
		fprintf(stderr, "init: roadbox's init runs only as PID 1\n");
		return 1;
	}
	/* Signals are read from a signalfd: by the supervise loop, and while
	 * the CA prompt waits (so Ctrl-Alt-Del works there too).  Until then
	 * they wait.  Children unblock everything before exec. */
	sigfd = signals_open();
	sig_errno = errno;
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	clearenv();
	putenv(PROC_PATH);
	if (chdir("/") < 0)
		(void)0;
	setsid();
	log_init();
	/* Ctrl-Alt-Del becomes SIGINT to us instead of an instant reboot. */
	if (reboot(RB_DISABLE_CAD) < 0)
		log_msg(LOG_WARNING, "main: reboot(RB_DISABLE_CAD): %s", strerror(errno));
	log_msg(LOG_NOTICE, "roadbox init starting");
	if (sigfd < 0)
		halt_on_failure("signals", strerror(sig_errno));
	b.sigfd = sigfd;
	run_steps(&b);
	supervise(&b);
}
