#include "tap.h"
void test_misc(void);
void test_misc(void) { }
