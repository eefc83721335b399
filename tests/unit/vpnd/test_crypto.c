#include "tap.h"
void test_crypto(void);
void test_crypto(void) { }
