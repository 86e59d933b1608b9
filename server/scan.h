/*
 * scan.h - the scheduled scan: every aws playbook's detection over every
 * configured account x region, daily at aws.scan.hour (UTC), at start-up
 * when aws.scan.at_start, and when an admin asks (/fixit scan). Findings
 * seen are created or refreshed; findings a complete detection no longer
 * sees are resolved (never after a failed or partial one). Each account
 * x region scan is recorded (db_scan_add) for /fixit status.
 */
#ifndef FIXIT_SCAN_H
#define FIXIT_SCAN_H

#include <stdint.h>

#include "app.h"
#include "fxerr.h"
#include "policy.h"

struct scan;
struct aws_exec;
fx_err scan_start(struct app *app, struct aws_exec *aws,
    struct scan **out) FX_WUR;
/* lets a running scan finish its current pairs, then joins */
void scan_stop(struct scan *s); /* accepts NULL */
/* scan now; FX_ECONFLICT when one is running or queued, FX_ENOTFOUND
 * when scanning is not set up */
fx_err scan_request(struct scan *s) FX_WUR;
/*
 * 1 when now (unix seconds) is within UTC hour `hour` (-1: never) of a
 * day other than *last_day (a day number, -1 none); sets *last_day. A
 * scan missed while fixitd was down runs at the next day's hour.
 */
int scan_daily_due(int hour, int64_t now, int64_t *last_day);

#endif
