/* lifetime.h - CHILD_SA and IKE SA lifetimes: kernel soft/hard expires,
 * vpnd-initiated CHILD_SA rekeys (RFC 7296 1.3.3) and their collisions
 * (2.8.1), the close of an SA whose lifetime ran out. */
#ifndef VPND_LIFETIME_H
#define VPND_LIFETIME_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "sa.h"

/* Our CREATE_CHILD_SA in flight. */
struct child_rekey {
	struct child_sa nc;        /* the new child: SPI reserved, proposal, selectors */
	uint32_t old_spi_in;       /* the child being rekeyed (our inbound SPI) */
	struct dh *dh;             /* PFS: our private value until the answer */
	uint8_t ni[32];
	int collided;              /* the peer rekeyed the same child meanwhile */
	uint8_t coll_nonce[256];   /* lowest nonce of the peer's exchange */
	size_t coll_len;
};

/* Soft and hard lifetime (seconds) for a child installed now; the soft one
 * carries random jitter so that many clients do not rekey at once. */
void lifetime_child_times(const struct vpnd *v, uint32_t *soft, uint32_t *hard);
/* Read the expire socket and act on each event for an SA of ours. */
void lifetime_expire_read(struct vpnd *v, int fd);
/* One expire event (kernel or the -n timer). */
void lifetime_expire(struct vpnd *v, uint32_t dst, uint32_t spi, int hard);
/* Start queued work (sa->want) if the window is free. */
void lifetime_pump(struct vpnd *v, struct ike_sa *sa);
/* Per-second work on an established SA; returns 1 if it was freed/closed. */
int lifetime_tick(struct vpnd *v, struct ike_sa *sa, time_t now);
/* Start our rekey of sa->child, or queue it when the window is busy. */
int lifetime_rekey_start(struct vpnd *v, struct ike_sa *sa);
/* The answer to our CREATE_CHILD_SA. */
void lifetime_rekey_response(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in);
/* rekey.c: the peer rekeyed our child (its Ni, our Nr): collision bookkeeping. */
void lifetime_peer_rekeyed(struct ike_sa *sa, uint32_t old_spi_in, const uint8_t *ni, size_t nilen,
			   const uint8_t *nr, size_t nrlen);
/* The Delete for one of our children was answered. */
void lifetime_delete_answered(struct vpnd *v, struct ike_sa *sa);
/* Forget the rekey in flight (reserved SPI released); idempotent. */
void lifetime_sa_free(struct vpnd *v, struct ike_sa *sa);
/* RFC 7296 2.8.1 nonce order: <0, 0, >0 like memcmp; a shorter nonce that is
 * a prefix of the longer one is the lower. */
int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
#endif
