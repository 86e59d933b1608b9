/*
 * metrics.h - process counters, rendered in the Prometheus text format.
 * All counters are atomics: any thread may bump them without a lock.
 */
#ifndef FIXIT_METRICS_H
#define FIXIT_METRICS_H

#include "buf.h"
#include "fxerr.h"

enum metric_route {
	ROUTE_SLACK_ACTIONS = 0,
	ROUTE_SLACK_COMMANDS,
	ROUTE_FINDINGS_POST,
	ROUTE_FINDINGS_GET,
	ROUTE_HEALTHZ,
	ROUTE_METRICS,
	ROUTE_EVENTS,
	ROUTE_CUSTODIAN,
	ROUTE_OTHER,
	ROUTE__COUNT
};
enum metric_fix {
	FIX_FIXED = 0,
	FIX_RETRY,
	FIX_FAILED,
	FIX_ROLLED_BACK,
	FIX_UNDO_FAILED,
	FIX_RESOLVED,
	FIX_REHEARSED, /* a dry run: planned, nothing changed */
	FIX__COUNT
};

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m); /* accepts NULL */
void metrics_http(struct metrics *m, enum metric_route r, unsigned status);
void metrics_fix(struct metrics *m, enum metric_fix f);
void metrics_slack_error(struct metrics *m);
void metrics_slack_sent(struct metrics *m);
/* counters only; the caller appends the gauges read from the store */
fx_err metrics_render(struct metrics *m, struct buf *out) FX_WUR;

#endif
