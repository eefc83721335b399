/* sa.h - IKE SA table and the responder state machine */
#ifndef VPND_SA_H
#define VPND_SA_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "buf.h"
#include "ike_crypto.h"
#include "ike_msg.h"
#include "proposal.h"
#include "vpnd.h"

#define SA_MAX_FRAGS 32
#define SA_MAX_TS 8

enum sa_state { SA_HALF_OPEN = 1, SA_ESTABLISHED, SA_DEAD };

struct child_sa {
	int installed;
	uint32_t spi_in, spi_out;  /* ours (kernel-allocated), the peer's */
	uint32_t reqid;
	struct sa_choice prop;
	struct ike_ts tsi, tsr[SA_MAX_TS];
	int ntsr;
	uint32_t k_local, k_peer; /* addresses the kernel SAs were installed with */
	time_t soft_at, hard_at;  /* lifetimes (lifetime.c); emulated by a timer with -n */
	int soft_done;
};

/* What our one outstanding request is (window size 1, RFC 7296 2.3). */
enum sa_req { REQ_NONE = 0, REQ_DPD, REQ_DELETE_CHILD, REQ_REKEY_CHILD };
/* Work that waits for the window (sa->want bits). */
#define WANT_REKEY 1u        /* rekey the current child */
#define WANT_DELETE_OLD 2u   /* delete the old child the peer never deleted */

struct child_rekey;

struct ike_sa {
	struct ike_sa *next, *prev;  /* v->sas */
	/* sa_table.c's indexes (set by sa_link) */
	struct ike_sa *hn_r, *hn_i, *ho_prev, *ho_next;
	size_t b_r, b_i;
	uint32_t ho_ip;
	int linked, in_ho;
	uint8_t spi_i[8], spi_r[8];
	enum sa_state state;
	uint32_t peer_ip, local_ip;
	uint16_t peer_port;
	int natt;                  /* talking on the NAT-T port */
	int nat_peer, nat_local, nat_seen;
	struct sa_choice prop;
	struct ike_keys keys;
	uint8_t ni[256], nr[32];
	size_t nilen, nrlen;
	struct buf init_req, init_resp;
	uint32_t expect_msgid, our_msgid;
	int have_last;
	uint32_t last_msgid;
	struct buf last[SA_MAX_FRAGS];
	int nlast;
	int frag_ok;
	unsigned hashes;          /* RFC 7427 hashes announced by the peer */
	/* fragment reassembly */
	uint32_t frag_msgid;
	uint16_t frag_total;
	uint8_t frag_np;
	uint32_t frag_have;
	struct buf frag[SA_MAX_FRAGS];
	/* identity and tunnel */
	char id[256], serial[80];
	uint32_t vip;
	int has_vip;
	struct child_sa child;     /* the current CHILD_SA */
	struct child_sa old;       /* the one it rekeyed, until the peer deletes it */
	int policies;              /* kernel policies installed (shared by child and old) */
	int rekeyed;               /* this IKE SA was rekeyed: everything moved to the new one */
	uint64_t bytes_in, bytes_out; /* of children already removed */
	char log_spi[40];          /* ike_spi of the "established" line, kept across IKE rekeys */
	char ike_kw[80], esp_kw[40];
	/* dead peer detection: our liveness check, retransmitted until answered */
	time_t last_active;        /* last authenticated message or inbound ESP growth */
	uint64_t dpd_bytes;        /* inbound ESP bytes at the last check */
	time_t dpd_sampled;        /* when dpd_bytes was read from the kernel */
	int dpd_pending;
	uint32_t dpd_msgid;
	time_t dpd_started, dpd_next;
	struct buf dpd_req;
	/* our outstanding request (dpd_pending/dpd_msgid/dpd_req track any
	 * kind, not only liveness checks) and what waits for the window */
	enum sa_req req_kind;
	uint32_t req_spi;          /* REQ_DELETE_CHILD: our inbound SPI being deleted */
	unsigned want;
	struct child_rekey *rk;    /* our CREATE_CHILD_SA in flight (lifetime.c) */
	int rekey_tries;           /* refused attempts of ours for the current child */
	time_t rekey_not_before;   /* after TEMPORARY_FAILURE: wait (RFC 7296 2.25) */
	time_t created, established, last_seen;
};

/* A datagram from the network (marker already stripped). */
void ike_input(struct vpnd *v, const uint8_t *pkt, size_t len, uint32_t src, uint16_t sport,
	       uint32_t dst, int natt);
/* Close an SA: kernel state removed, lease released, "closed" logged.
 * With send_delete the client is told with an INFORMATIONAL Delete. */
void sa_close(struct vpnd *v, struct ike_sa *sa, const char *reason, int send_delete);
void sa_tick(struct vpnd *v, time_t now);
void sa_close_all(struct vpnd *v, const char *reason);
#endif
