/*
 * testhelp.h - a tiny assert kit (after Redis testhelp.h).
 *
 *   TEST("name") { ... CHECK(cond); CHECK_STR(a, b); ... }
 *   return TEST_REPORT();
 * A failed CHECK prints file:line and the expression; the test program
 * exits non-zero when any check failed.
 */
#ifndef FIXIT_TESTHELP_H
#define FIXIT_TESTHELP_H

#include <stdio.h>
#include <string.h>

static int th_failed, th_checks;

#define TEST(name) \
	for (int th_once = (printf("test: %s\n", name), 1); th_once; th_once = 0)

#define CHECK(cond) do {						\
	th_checks++;							\
	if (!(cond)) {							\
		th_failed++;						\
		printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *th_a = (a), *th_b = (b);				\
	th_checks++;							\
	if (th_a == NULL || th_b == NULL || strcmp(th_a, th_b) != 0) {	\
		th_failed++;						\
		printf("  FAIL %s:%d: %s == %s\n    got:  %s\n    want: %s\n", \
		    __FILE__, __LINE__, #a, #b, th_a ? th_a : "(null)",	\
		    th_b ? th_b : "(null)");				\
	}								\
} while (0)

#define CHECK_INT(a, b) do {						\
	long long th_x = (long long)(a), th_y = (long long)(b);		\
	th_checks++;							\
	if (th_x != th_y) {						\
		th_failed++;						\
		printf("  FAIL %s:%d: %s == %s (%lld != %lld)\n",		\
		    __FILE__, __LINE__, #a, #b, th_x, th_y);		\
	}								\
} while (0)

#define TEST_REPORT() (printf("%d checks, %d failed\n", th_checks,	\
	th_failed), th_failed ? 1 : 0)

#endif
