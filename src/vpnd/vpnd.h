/* vpnd.h - the daemon's global state shared by the event loop, the IKE SA
 * code and the control socket */
#ifndef VPND_VPND_H
#define VPND_VPND_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "auth.h"
#include "config.h"
#include "pool.h"
#include "sa_table.h"

#define VPND_VERSION "0.1"

struct ike_sa;

struct vpnd {
	struct vpnd_config cfg;
	struct auth_ctx auth;
	struct pool pool;
	int sock_ike, sock_natt;   /* UDP 500 / 4500 */
	int xfrm_fd;               /* -1: no kernel IPsec (-n, tests) */
	int expire_fd;             /* XFRMNLGRP_EXPIRE subscription, -1 with -n */
	time_t started;
	uint32_t next_reqid;
	unsigned long n_established, n_auth_failed;
	/* counters for vpnctl status (an admin under attack wants these) */
	unsigned long n_cookies_sent, n_init_dropped_ip, n_init_dropped_cap, n_too_big;
	unsigned long n_rekeys_ours, n_rekeys_peer, n_expired;
	unsigned long n_half_open_evicted;
	time_t evict_warned;       /* rate limit of the max_half_open warning */
	time_t cap_warned;         /* rate limit of the max_ike_sas warning */
	struct ike_sa *sas;        /* all IKE SAs */
	struct sa_table tab;       /* their indexes and counts (sa_table.c) */
	/* stateless cookies (RFC 7296 2.6): current and previous secret */
	uint8_t cookie_secret[2][32];
	uint8_t cookie_version;
	time_t cookie_rotated;
};

/* net.c: send an IKE message (adds the non-ESP marker on the NAT-T port). */
int net_send(struct vpnd *v, int natt, uint32_t local, uint32_t peer, uint16_t port,
	     const uint8_t *msg, size_t len);
#endif
