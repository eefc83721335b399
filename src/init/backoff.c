/* backoff.c - see backoff.h. */
#include "backoff.h"

unsigned backoff_delay(unsigned *next, long long ran_ms)
{
	unsigned d;

	/* A service that ran for a while crashed for a new reason: restart it
	 * quickly.  One that dies at once would otherwise spin the CPU. */
	if (ran_ms >= BACKOFF_STABLE_MS || *next < BACKOFF_MIN_S)
		*next = BACKOFF_MIN_S;
	if (*next > BACKOFF_MAX_S)
		*next = BACKOFF_MAX_S;
	d = *next;
	*next = d >= BACKOFF_MAX_S / 2 ? BACKOFF_MAX_S : d * 2;
	return d;
}
