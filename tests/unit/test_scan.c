/*
 * test_scan.c - when the daily scan is due.
 */
#include "scan.h"
#include "testhelp.h"

#define DAY	   86400
#define T(d, h, m) ((int64_t)(d)*DAY + (h)*3600 + (m)*60)

int
main(void)
{
	int64_t last = -1;

	TEST("due once in the configured UTC hour of each day") {
		CHECK_INT(scan_daily_due(3, T(20000, 2, 59), &last), 0);
		CHECK_INT(scan_daily_due(3, T(20000, 3, 0), &last), 1);
		CHECK_INT(last, 20000);
		CHECK_INT(scan_daily_due(3, T(20000, 3, 30), &last), 0);
		CHECK_INT(scan_daily_due(3, T(20000, 4, 0), &last), 0);
		CHECK_INT(scan_daily_due(3, T(20001, 3, 59), &last), 1);
		CHECK_INT(last, 20001);
	}
	TEST("a day fixitd was down at that hour is skipped, not doubled") {
		CHECK_INT(scan_daily_due(3, T(20003, 5, 0), &last), 0);
		CHECK_INT(scan_daily_due(3, T(20004, 3, 10), &last), 1);
	}
	TEST("hour -1 never scans; midnight works") {
		last = -1;
		CHECK_INT(scan_daily_due(-1, T(20000, 0, 0), &last), 0);
		CHECK_INT(scan_daily_due(0, T(20000, 0, 0), &last), 1);
		last = -1;
		CHECK_INT(scan_daily_due(23, T(20000, 23, 59), &last), 1);
		CHECK_INT(scan_daily_due(23, T(20000, 23, 59), &last), 0);
	}
	return TEST_REPORT();
}
