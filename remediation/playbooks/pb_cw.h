/*
 * pb_cw.h - one CloudWatch metric of one resource, day by day, for the
 * playbooks that judge idleness by it (rds-idle, redshift-idle,
 * ec2-underused, lb-unused): GetMetricStatistics over the last `days`
 * days, a period of one day, one statistic, as the auditor.
 *
 * No datapoint is "no data", never "idle": callers decide what silence
 * means (ELB publishes nothing without traffic; RDS always publishes).
 */
#ifndef FIXIT_PB_CW_H
#define FIXIT_PB_CW_H

#include <stddef.h>
#include <stdint.h>

#include "fxerr.h"
#include "playbook.h"

struct pb_cw_q {
	const char *ns;	    /* "AWS/RDS" */
	const char *metric; /* "DatabaseConnections" */
	const char *stat;   /* "Maximum", "Average", "Sum" */
	/* dimension name, value [, second name, value]: dim[2] NULL = one */
	const char *dim[4];
	int64_t days; /* 1 .. 455 (CloudWatch keeps daily data 455 days) */
};

struct pb_cw_days {
	size_t points;	/* datapoints (days with data) */
	size_t unknown; /* of them, without a readable value */
	double max;	/* the highest readable value; 0 when none */
};

/* seen, and every day at 0 (no datapoint is "unknown", never idle) */
int pb_cw_all_zero(const struct pb_cw_days *d);

/* FX_OK with *out filled, or the AWS error (a sentence in x->msg) */
fx_err pb_cw_daily(struct pb_ctx *x, const struct pb_cw_q *q,
    struct pb_cw_days *out) FX_WUR;

#endif
