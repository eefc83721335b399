/* Unit tests of roadbox-report: parser, aggregation, rendering, config,
 * spool. Prints TAP lines; exits non-zero if any case failed. */
#include "tap.h"

int tap_failed;

int main(void)
{
	test_event();
	test_agg();
	test_render();
	test_conf();
	test_spool();
	printf("# %d failed\n", tap_failed);
	return tap_failed ? 1 : 0;
}
