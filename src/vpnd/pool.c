/* pool.c - address pool.  The network and broadcast addresses are never
 * handed out; addresses are assigned lowest first. */
#include "pool.h"
#include <stdlib.h>
#include <string.h>

int pool_init(struct pool *p, struct net4 net, unsigned lease_time)
{
	memset(p, 0, sizeof(*p));
	if (net.prefix < 8 || net.prefix > 30)
		return -1;
	p->first = net.addr + 1;
	p->count = (1u << (32 - net.prefix)) - 2;
	p->lease_time = lease_time;
	p->l = calloc(p->count, sizeof(*p->l));
	return p->l ? 0 : -1;
}

void pool_free(struct pool *p)
{
	free(p->l);
	p->l = NULL;
}

static int lease_alive(const struct pool *p, const struct lease *l, time_t now)
{
	return l->in_use || (l->ever && now - l->released < (time_t)p->lease_time);
}

int pool_acquire(struct pool *p, const char *id, time_t now, uint32_t *addr)
{
	uint32_t i, best = UINT32_MAX;

	if (!id || strlen(id) >= sizeof(p->l[0].id))
		return -1;
	for (i = 0; i < p->count; i++) {
		struct lease *l = &p->l[i];
		if (l->ever && lease_alive(p, l, now) && strcmp(l->id, id) == 0) {
			if (l->in_use)
				return -1; /* the caller must release (replace) the old SA first */
			goto take;
		}
	}
	for (i = 0; i < p->count; i++)
		if (!p->l[i].ever)
			goto take;
	/* reuse the address whose lease ran out longest ago */
	for (i = 0; i < p->count; i++) {
		struct lease *l = &p->l[i];
		if (!lease_alive(p, l, now) && (best == UINT32_MAX || l->released < p->l[best].released))
			best = i;
	}
	if (best == UINT32_MAX)
		return -1;
	i = best;
take:
	p->l[i].in_use = 1;
	p->l[i].ever = 1;
	strcpy(p->l[i].id, id);
	*addr = p->first + i;
	return 0;
}

void pool_release(struct pool *p, uint32_t addr, time_t now)
{
	if (addr < p->first || addr - p->first >= p->count)
		return;
	struct lease *l = &p->l[addr - p->first];
	l->in_use = 0;
	l->released = now;
}

unsigned pool_used(const struct pool *p)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < p->count; i++)
		n += p->l[i].in_use ? 1 : 0;
	return n;
}
