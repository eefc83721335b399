/* ts.c - traffic selector narrowing.  The client's side becomes its
 * virtual IP; our side becomes the intersection of what it asked for with
 * the configured protected networks. */
#include "ts.h"

static int ports_ok(const struct ike_ts *t) { return t->sport <= t->eport && t->saddr <= t->eaddr; }

int ts_narrow_initiator(const struct ike_ts *tsi, int n, uint32_t vip, struct ike_ts *out)
{
	for (int i = 0; i < n; i++) {
		if (tsi[i].type != TS_IPV4_ADDR_RANGE || !ports_ok(&tsi[i]))
			continue;
		if (vip >= tsi[i].saddr && vip <= tsi[i].eaddr) {
			*out = tsi[i];
			out->saddr = out->eaddr = vip;
			return 1;
		}
	}
	return 0;
}

int ts_narrow_responder(const struct ike_ts *tsr, int n, const struct net4 *nets, int nn,
			struct ike_ts *out, int max)
{
	int cnt = 0;
	for (int i = 0; i < n; i++) {
		if (tsr[i].type != TS_IPV4_ADDR_RANGE || !ports_ok(&tsr[i]))
			continue;
		for (int j = 0; j < nn && cnt < max; j++) {
			uint32_t mask = nets[j].prefix ? 0xffffffffu << (32 - nets[j].prefix) : 0;
			uint32_t ns = nets[j].addr & mask, ne = ns | ~mask;
			uint32_t s = tsr[i].saddr > ns ? tsr[i].saddr : ns;
			uint32_t e = tsr[i].eaddr < ne ? tsr[i].eaddr : ne;
			if (s > e)
				continue;
			out[cnt] = tsr[i];
			out[cnt].saddr = s;
			out[cnt].eaddr = e;
			cnt++;
		}
	}
	return cnt;
}

int ts_range_to_cidrs(uint32_t s, uint32_t e, struct net4 *out, int max)
{
	int n = 0;
	uint64_t cur = s, end = (uint64_t)e + 1;

	while (cur < end) {
		int pfx = 32;
		/* largest aligned block starting at cur that fits */
		while (pfx > 0) {
			uint64_t size = 1ull << (32 - (pfx - 1));
			if ((cur & (size - 1)) || cur + size > end)
				break;
			pfx--;
		}
		if (n >= max)
			return -1;
		out[n].addr = (uint32_t)cur;
		out[n].prefix = (uint8_t)pfx;
		n++;
		cur += 1ull << (32 - pfx);
	}
	return n;
}
