/* tap.h - minimal TAP output for the report unit tests. */
#ifndef ROADBOX_REPORT_TAP_H
#define ROADBOX_REPORT_TAP_H

#include <stdio.h>

extern int tap_failed;

/* cond is evaluated exactly once (it may have side effects) */
#define OK(cond, ...) do { \
		int ok_ = (cond) ? 1 : 0; \
		printf(ok_ ? "ok - " : "not ok - "); \
		tap_failed += !ok_; \
		printf(__VA_ARGS__); \
		if (!ok_) printf("  (%s:%d: %s)", __FILE__, __LINE__, #cond); \
		printf("\n"); \
		fflush(stdout); \
	} while (0)

/* Test groups (one file each). */
void test_event(void);
void test_agg(void);
void test_render(void);
void test_conf(void);
void test_spool(void);

#endif
