#include "tap.h"
void test_proposal(void);
void test_proposal(void) { }
