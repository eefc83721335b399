/* sa_table.h - O(1) indexes over vpnd's IKE SAs: by responder SPI, by
 * (initiator SPI, peer address, port) for half-open IKE_SA_INIT
 * retransmissions, half-open SAs oldest first, and half-open counts per
 * source address.  Every SA in v->sas is linked here by sa_link(). */
#ifndef VPND_SA_TABLE_H
#define VPND_SA_TABLE_H
#include <stddef.h>
#include <stdint.h>

struct ike_sa;
struct vpnd;
struct src_count;
struct evp_mac_ctx_st;

struct sa_table {
	struct ike_sa **by_r, **by_i;  /* hash chains (sa->hn_r, sa->hn_i) */
	struct src_count **by_src;     /* half-open SAs per source address */
	size_t mask;                   /* buckets - 1 (a power of two) */
	struct ike_sa *ho_head, *ho_tail; /* half-open SAs, oldest at the head */
	unsigned total, half_open;
	struct evp_mac_ctx_st *mac;    /* SipHash keyed with a random per-table key */
};

/* Add sa (state already set) to v->sas and every index; -1 when the table
 * cannot be allocated (the caller still owns sa). */
int sa_link(struct vpnd *v, struct ike_sa *sa);
/* Remove sa from v->sas and every index; the table is freed with the last SA. */
void sa_unlink(struct vpnd *v, struct ike_sa *sa);
/* Change sa->state keeping the half-open indexes in step. */
void sa_set_state(struct vpnd *v, struct ike_sa *sa, int state);
struct ike_sa *sa_lookup_r(struct vpnd *v, const uint8_t *spi_i, const uint8_t *spi_r);
/* A half-open SA made by this IKE_SA_INIT (its retransmission). */
struct ike_sa *sa_lookup_init(struct vpnd *v, const uint8_t *spi_i, uint32_t ip, uint16_t port);
unsigned sa_half_open_from(struct vpnd *v, uint32_t ip);
struct ike_sa *sa_oldest_half_open(struct vpnd *v);
#endif
