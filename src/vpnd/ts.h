/* ts.h - traffic selector narrowing (RFC 7296 2.9), IPv4 */
#ifndef VPND_TS_H
#define VPND_TS_H
#include "config.h"
#include "ike_msg.h"

/* TSi -> the client's virtual IP; returns the count (0 or 1). */
int ts_narrow_initiator(const struct ike_ts *tsi, int n, uint32_t vip, struct ike_ts *out);
/* TSr -> intersections with the protected networks; returns the count. */
int ts_narrow_responder(const struct ike_ts *tsr, int n, const struct net4 *nets, int nn,
			struct ike_ts *out, int max);
/* Split [s, e] into CIDR blocks (for XFRM selectors); returns the count or -1. */
int ts_range_to_cidrs(uint32_t s, uint32_t e, struct net4 *out, int max);
#endif
