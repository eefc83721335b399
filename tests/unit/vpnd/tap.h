/* tap.h - minimal TAP output for vpnd's unit tests */
#ifndef VPND_TAP_H
#define VPND_TAP_H
#include <stdio.h>
extern int tap_failed;
#define OK(cond, ...) do { int ok_ = !!(cond); if (!ok_) tap_failed++; \
	printf("%s - ", ok_ ? "ok" : "not ok"); printf(__VA_ARGS__); printf("\n"); } while (0)
#endif
