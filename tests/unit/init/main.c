/* Unit tests of the init's pure logic: init.conf, sysctl.conf, passwd and
 * group lookups, restart backoff. */
#include "tap.h"

int tap_failed;

int main(void)
{
	test_conf();
	test_sysctl();
	test_passwd();
	test_backoff();
	return tap_failed ? 1 : 0;
}
