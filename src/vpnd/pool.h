/* pool.h - virtual IPv4 address pool with identity-sticky leases */
#ifndef VPND_POOL_H
#define VPND_POOL_H
#include <stdint.h>
#include <time.h>
#include "config.h"

struct lease {
	char id[256];
	int in_use, ever;
	time_t released;
};
struct pool {
	uint32_t first;   /* first assignable address, host order */
	uint32_t count;
	unsigned lease_time;
	struct lease *l;
};
int pool_init(struct pool *p, struct net4 net, unsigned lease_time);
void pool_free(struct pool *p);
/* Same identity gets its address back while the lease lives (in use, or
 * released less than lease_time ago).  -1 when exhausted or id in use. */
int pool_acquire(struct pool *p, const char *id, time_t now, uint32_t *addr);
void pool_release(struct pool *p, uint32_t addr, time_t now);
unsigned pool_used(const struct pool *p);
#endif
