/* xfrm.h - the kernel's IPsec SAs and policies over XFRM netlink */
#ifndef VPND_XFRM_H
#define VPND_XFRM_H
#include <stddef.h>
#include <stdint.h>
#include "config.h"

/* reqids vpnd uses: XFRM_REQID_BASE | n.  Used to find what vpnd owns. */
#define XFRM_REQID_BASE 0x76700000u
#define XFRM_REQID_MASK 0xffff0000u

struct xfrm_sa {
	uint32_t src, dst, spi;   /* host order */
	uint32_t reqid;
	uint16_t encr, encr_bits, integ;
	const uint8_t *ekey, *akey;
	size_t elen, alen;
	int encap;                /* UDP_ENCAP_ESPINUDP */
	uint16_t sport, dport;
	int update;               /* fill in an SPI reserved with xfrm_alloc_spi */
	uint32_t soft_secs, hard_secs; /* add_expires lifetimes; 0 = infinite */
};

/* One XFRM_MSG_EXPIRE from the kernel (XFRMNLGRP_EXPIRE). */
struct xfrm_expire {
	uint32_t spi, dst, reqid; /* host order */
	uint8_t proto;
	int hard;                 /* 1: the kernel removed the SA; 0: soft */
};

int xfrm_open(void);
/* A socket subscribed to the kernel's expire notifications (non-blocking). */
int xfrm_open_expire(void);
/* Parse the expire messages in one netlink datagram; returns how many were
 * stored (at most max), ignoring everything else; never reads past len. */
int xfrm_parse_expire(const uint8_t *buf, size_t len, struct xfrm_expire *ev, int max);
int xfrm_alloc_spi(int fd, uint32_t src, uint32_t dst, uint32_t reqid, uint32_t *spi);
int xfrm_add_sa(int fd, const struct xfrm_sa *sa);
int xfrm_del_sa(int fd, uint32_t dst, uint32_t spi);
int xfrm_sa_bytes(int fd, uint32_t dst, uint32_t spi, uint64_t *bytes);
enum { XDIR_IN = 0, XDIR_OUT = 1, XDIR_FWD = 2 };
int xfrm_add_policy(int fd, struct net4 src, struct net4 dst, int dir, uint32_t tsrc,
		    uint32_t tdst, uint32_t reqid);
int xfrm_del_policy(int fd, struct net4 src, struct net4 dst, int dir);
/* Remove every SA and policy whose reqid is in vpnd's range. */
int xfrm_flush_owned(int fd);
#endif
