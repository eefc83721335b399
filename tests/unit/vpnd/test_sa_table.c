/* test_sa_table.c - the IKE SA hash indexes and their O(1) counters */
#include "tap.h"
#include "../../../src/vpnd/config.h"
#include "../../../src/vpnd/sa.h"
#include "../../../src/vpnd/sa_table.h"
#include <stdlib.h>
#include <string.h>

#define N 5000

static struct ike_sa *mk(unsigned i)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	memcpy(sa->spi_i, &i, sizeof(i));
	sa->spi_i[7] = 0x11;
	unsigned r = i * 2654435761u;
	memcpy(sa->spi_r, &r, sizeof(r));
	sa->spi_r[7] = 0x22;
	sa->peer_ip = 0xc6120000u + i % 1000; /* 5 SAs per source */
	sa->peer_port = 500;
	sa->state = SA_HALF_OPEN;
	return sa;
}

void test_sa_table(void)
{
	static struct vpnd v;
	static struct ike_sa *all[N];
	int ok = 1, found = 1;

	memset(&v, 0, sizeof(v));
	config_defaults(&v.cfg);
	for (unsigned i = 0; i < N; i++)
		if (!(all[i] = mk(i)) || sa_link(&v, all[i]) < 0)
			ok = 0;
	OK(ok && v.tab.total == N && v.tab.half_open == N, "%d half-open SAs linked and counted", N);
	for (unsigned i = 0; i < N && ok; i++)
		found &= sa_lookup_r(&v, all[i]->spi_i, all[i]->spi_r) == all[i] &&
			 sa_lookup_init(&v, all[i]->spi_i, all[i]->peer_ip, 500) == all[i];
	OK(ok && found, "every SA found by responder SPI and by (SPIi, address, port)");
	uint8_t other[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	OK(ok && !sa_lookup_r(&v, other, all[7]->spi_r) && !sa_lookup_init(&v, all[7]->spi_i, all[7]->peer_ip, 4500) &&
	   !sa_lookup_init(&v, all[7]->spi_i, all[7]->peer_ip + 1, 500),
	   "a wrong initiator SPI, port or address finds nothing");
	OK(ok && sa_half_open_from(&v, 0xc6120007u) == 5 && sa_half_open_from(&v, 0x01020304u) == 0,
	   "half-open count per source address");
	OK(ok && sa_oldest_half_open(&v) == all[0], "the oldest half-open SA is the first linked");

	/* established: no longer half-open, still found by responder SPI */
	sa_set_state(&v, all[0], SA_ESTABLISHED);
	sa_set_state(&v, all[1000], SA_DEAD);
	OK(ok && v.tab.half_open == N - 2 && v.tab.total == N && sa_oldest_half_open(&v) == all[1] &&
	   sa_half_open_from(&v, all[0]->peer_ip) == 3 &&
	   sa_lookup_r(&v, all[0]->spi_i, all[0]->spi_r) == all[0] &&
	   !sa_lookup_init(&v, all[0]->spi_i, all[0]->peer_ip, 500),
	   "leaving half-open updates the counters and the oldest; established SA still found");

	/* the port changes after linking (NAT-T): removal still finds it */
	all[2]->peer_port = 4500;
	for (unsigned i = 0; i < N; i += 2) {
		sa_unlink(&v, all[i]);
		free(all[i]);
		all[i] = NULL;
	}
	found = 1;
	for (unsigned i = 1; i < N && ok; i += 2)
		found &= sa_lookup_r(&v, all[i]->spi_i, all[i]->spi_r) == all[i];
	unsigned n = 0;
	for (struct ike_sa *s = v.sas; s; s = s->next)
		n++;
	OK(ok && found && v.tab.total == N / 2 && n == N / 2 && v.tab.half_open == N / 2 &&
	   sa_half_open_from(&v, all[1]->peer_ip) == 5 && sa_half_open_from(&v, 0xc6120002u) == 0 && sa_oldest_half_open(&v) == all[1],
	   "half removed: the rest still found, list and counters agree");
	for (unsigned i = 1; i < N; i += 2) {
		sa_unlink(&v, all[i]);
		free(all[i]);
	}
	OK(v.sas == NULL && v.tab.total == 0 && v.tab.half_open == 0 && v.tab.by_r == NULL &&
	   !sa_lookup_r(&v, other, other) && sa_half_open_from(&v, 1) == 0,
	   "all removed: the table is freed and lookups find nothing");
}
