#include "tap.h"
void test_msg(void);
void test_msg(void) { }
