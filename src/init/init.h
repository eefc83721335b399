/* init.h - state shared by the boot steps, the supervisor and shutdown. */
#ifndef ROADBOX_INIT_INIT_H
#define ROADBOX_INIT_INIT_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

#define CA_TARBALL  "/etc/roadbox/ca.tar.gpg"
#define CA_INFO     "/etc/roadbox/ca.info"
#define CA_DIR      "/run/ca"
#define NFT_CONF    "/etc/nftables.conf"
#define VPND_USER   "vpnd"
#define DHCP_SCRIPT "/usr/share/udhcpc/default.script"
#define WHY_MAX     384

struct boot {
	struct conf conf;
	/* Gates for vpnd: each must be 1 before the VPN may start. */
	int sysctl_ok, firewall_ok, ca_ok;
	int ca_mounted;
	int vpnd_started;
	int iface_present[CONF_MAX_IFACES];  /* seen in /sys/class/net at boot */
	uid_t vpnd_uid;
	gid_t vpnd_gid;
	char why[WHY_MAX];   /* the failing step's reason */
	int sigfd;           /* signalfd of the init's signals */
};

/* Boot steps (steps.c runs them in order).  Each returns 0, or -1 with
 * b->why saying what went wrong. */
int step_config(struct boot *b);
int step_mounts(struct boot *b);      /* mounts.c */
int step_hostname(struct boot *b);    /* net.c */
int step_network(struct boot *b);     /* net.c */
int step_sysctl(struct boot *b);      /* firewall.c */
int step_firewall(struct boot *b);    /* firewall.c */
int step_ca(struct boot *b);          /* ca.c */
int step_syslogd(struct boot *b);     /* services.c */
int step_services(struct boot *b);    /* services.c */
int step_vpnd(struct boot *b);        /* services.c */
int step_gettys(struct boot *b);      /* services.c */

/* ca.c: overwrite every file under CA_DIR with zeros, remove it, unmount.
 * Returns the number of files wiped, -1 on error (logged). */
int ca_wipe(void);

/* shutdown.c: stop everything and reboot(2) with how (RB_*); no return. */
void shutdown_system(int how) __attribute__((noreturn));
void halt_on_failure(const char *step, const char *why) __attribute__((noreturn));

/* supervise.c: block the init's signals and open the signalfd that
 * receives them (returns it, -1 on error); act on the pending ones (reap,
 * or shut down: no return); the signal loop (never returns). */
int signals_open(void);
void signals_handle(void);
void supervise(struct boot *b) __attribute__((noreturn));

#endif
