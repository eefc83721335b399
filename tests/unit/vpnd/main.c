/* vpnd unit tests: each test_*.c file contributes a run function. */
#include "tap.h"
#include "../../../src/vpnd/log.h"

int tap_failed;
void test_msg(void);
void test_crypto(void);
void test_proposal(void);
void test_misc(void);
void test_xfrm(void);
void test_lifetime(void);
void test_sa_table(void);

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_open(1, LOG_LVL_ERROR);
	test_msg();
	test_crypto();
	test_proposal();
	test_misc();
	test_xfrm();
	test_lifetime();
	test_sa_table();
	return tap_failed ? 1 : 0;
}
