/* sa_int.h - what sa.c, child.c and rekey.c share (not for other modules) */
#ifndef VPND_SA_INT_H
#define VPND_SA_INT_H
#include "sa.h"

/* sa.c */
void sa_send_raw(struct vpnd *v, struct ike_sa *sa, const struct buf *b);
int send_encrypted(struct vpnd *v, struct ike_sa *sa, uint8_t exch, int response, uint32_t msgid,
		   struct ike_builder *inner);
/* A request of ours (the caller checked the window is free): tracked in
 * sa->dpd_pending/dpd_msgid/req_kind, retransmitted by sa_tick. */
int sa_request(struct vpnd *v, struct ike_sa *sa, uint8_t exch, enum sa_req kind, struct ike_builder *inner);
/* child.c */
int sa_policies(struct vpnd *v, struct ike_sa *sa, int add);
void child_remove(struct vpnd *v, struct ike_sa *sa, struct child_sa *c);
void sa_kernel_remove(struct vpnd *v, struct ike_sa *sa);
int child_install(struct vpnd *v, struct ike_sa *sa, struct child_sa *c, const uint8_t *gir,
		  size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen);
/* initiator: we initiated the exchange that made the child (RFC 7296 2.17
 * key order and nonces); child_install is the responder case. */
int child_install_ex(struct vpnd *v, struct ike_sa *sa, struct child_sa *c, const uint8_t *gir,
		     size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
		     int initiator);
int child_alloc_spi(struct vpnd *v, struct ike_sa *sa, struct child_sa *c);
/* rekey.c */
void handle_create_child(struct vpnd *v, struct ike_sa *sa, const struct ike_msg *in, uint32_t msgid);
#endif
