/* main.c - vpnd: startup, privilege drop and the epoll/timerfd event loop.
 *   vpnd [-f] [-c /etc/vpnd.conf] [-n] [-t]
 *   -f  foreground, log to stderr as well as syslog
 *   -n  no kernel IPsec (IKE only; for tests on hosts without XFRM/ESP)
 *   -t  check the configuration and exit */
#include "ctl.h"
#include "lifetime.h"
#include "log.h"
#include "net.h"
#include "privdrop.h"
#include "sa.h"
#include "vpnd.h"
#include "xfrm.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

static struct vpnd g_v;

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void usage(void)
{
	fprintf(stderr, "usage: vpnd [-f] [-c CONFIG] [-n] [-t]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cfgpath = "/etc/vpnd.conf";
	int fg = 0, nokernel = 0, check = 0, opt, ctl = -1, ep = -1, tfd = -1, sfd = -1;
	char err[512];
	struct vpnd *v = &g_v;
	sigset_t ss;

	while ((opt = getopt(argc, argv, "fc:nt")) != -1) {
		switch (opt) {
		case 'f': fg = 1; break;
		case 'c': cfgpath = optarg; break;
		case 'n': nokernel = 1; break;
		case 't': check = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_open(fg || check, LOG_LVL_INFO);
	config_defaults(&v->cfg);
	if (config_load(cfgpath, &v->cfg, err, sizeof(err)) < 0) {
		log_msg(LOG_LVL_ERROR, "config: %s", err);
		return 1;
	}
	log_set_level(v->cfg.log_level);
	if (auth_load(&v->auth, &v->cfg) < 0)
		return 1;
	if (check) {
		printf("%s: ok (server id %s)\n", cfgpath, v->auth.server_id);
		return 0;
	}
	if (pool_init(&v->pool, v->cfg.pool, v->cfg.lease_time) < 0) {
		LOGE("cannot set up the address pool");
		return 1;
	}
	v->xfrm_fd = -1;
	v->expire_fd = -1;
	v->sock_ike = net_open(v->cfg.listen, v->cfg.port, 0);
	v->sock_natt = net_open(v->cfg.listen, v->cfg.natt_port, 1);
	if (v->sock_ike < 0 || v->sock_natt < 0)
		return 1;
	if (!nokernel) {
		v->xfrm_fd = xfrm_open();
		if (v->xfrm_fd < 0) {
			LOGE("cannot open XFRM netlink: %s", strerror(errno));
			return 1;
		}
		xfrm_flush_owned(v->xfrm_fd);
		/* expire events: joining the multicast group needs CAP_NET_ADMIN,
		 * so before the privilege drop (the socket stays subscribed) */
		v->expire_fd = xfrm_open_expire();
		if (v->expire_fd < 0) {
			LOGE("cannot subscribe to XFRM expire events: %s", strerror(errno));
			return 1;
		}
	}
	if ((ctl = ctl_open(v->cfg.socket_path)) < 0)
		return 1;
	if (!fg && daemon(0, 0) < 0)
		return 1;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    add_fd(ep, v->sock_ike) < 0 || add_fd(ep, v->sock_natt) < 0 || add_fd(ep, ctl) < 0 ||
	    add_fd(ep, tfd) < 0 || add_fd(ep, sfd) < 0 || (v->expire_fd >= 0 && add_fd(ep, v->expire_fd) < 0)) {
		LOGE("event loop setup: %s", strerror(errno));
		return 1;
	}
	/* user "-" keeps root: only for tests on hosts without a vpnd user */
	if (geteuid() == 0 && strcmp(v->cfg.user, "-") != 0 && drop_privileges(v->cfg.user) < 0)
		return 1;
	v->started = time(NULL);
	log_event("started", "version=%s", VPND_VERSION);

	const char *stop = NULL;
	while (!stop) {
		struct epoll_event evs[16];
		int n = epoll_wait(ep, evs, 16, -1);
		if (n < 0 && errno != EINTR) {
			stop = "error";
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == v->sock_ike) {
				net_read(v, fd, 0);
			} else if (fd == v->sock_natt) {
				net_read(v, fd, 1);
			} else if (fd == v->expire_fd) {
				lifetime_expire_read(v, fd);
			} else if (fd == ctl) {
				ctl_accept(v, ctl);
			} else if (fd == tfd) {
				uint64_t x;
				if (read(tfd, &x, sizeof(x)) > 0)
					sa_tick(v, time(NULL));
			} else if (fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGHUP)
					stop = "signal";
			}
		}
	}
	log_event("stopping", "reason=%s", stop);
	sa_close_all(v, "shutdown");
	unlink(v->cfg.socket_path); /* may fail after the drop; the next start replaces it */
	auth_free(&v->auth);
	pool_free(&v->pool);
	return 0;
}
