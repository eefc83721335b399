/* tap.h - TAP lines for tests/run: one "ok - what" / "not ok - what" per case. */
#ifndef ROADBOX_INIT_UNIT_TAP_H
#define ROADBOX_INIT_UNIT_TAP_H

#include <stdio.h>

extern int tap_failed;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		int ok_ = !!(cond);                                          \
		printf("%s - ", ok_ ? "ok" : "not ok");                      \
		printf(__VA_ARGS__);                                         \
		printf("%s\n", ok_ ? "" : "  # failed: " #cond);             \
		if (!ok_)                                                    \
			tap_failed++;                                        \
	} while (0)

void test_conf(void);
void test_sysctl(void);
void test_passwd(void);
void test_backoff(void);

#endif
