/*
 * pb_cw.c - one CloudWatch metric of one resource, day by day; see
 * pb_cw.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "pb_cw.h"
#include "banned.h"

#define PB_CW_DAY 86400

/* params of GetMetricStatistics for q, or NULL (out of memory) */
static json_t *
cw_params(const struct pb_ctx *x, const struct pb_cw_q *q)
{
	char start[21], end[21];
	json_t *p;

	fx_iso8601_format(x->now - q->days * PB_CW_DAY, start);
	fx_iso8601_format(x->now, end);
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "Namespace",
	    q->ns, "MetricName", q->metric, "Dimensions.member.1.Name",
	    q->dim[0], "Dimensions.member.1.Value", q->dim[1], "StartTime",
	    start, "EndTime", end, "Period", PB_CW_DAY, "Statistics.member.1",
	    q->stat);
	if (p != NULL && q->dim[2] != NULL &&
	    (json_object_set_new(p, "Dimensions.member.2.Name",
		 json_string(q->dim[2])) != 0 ||
		json_object_set_new(p, "Dimensions.member.2.Value",
		    json_string(q->dim[3] ? q->dim[3] : "")) != 0)) {
		json_decref(p);
		p = NULL;
	}
	return p;
}

fx_err
pb_cw_daily(struct pb_ctx *x, const struct pb_cw_q *q, struct pb_cw_days *out)
{
	struct aws_resp resp;
	json_t *dp;
	const char *s;
	char *e = NULL;
	double v;
	size_t i;
	fx_err rc;

	memset(out, 0, sizeof(*out));
	rc = pb_query(x, PB_AUDITOR, AWS_CLOUDWATCH, "GetMetricStatistics",
	    cw_params(x, q), 0, &resp);
	json_array_foreach(aws_j_list(resp.doc,
			       "GetMetricStatisticsResult/Datapoints"),
	    i, dp) {
		if (rc != FX_OK)
			break;
		out->points++;
		s = aws_j_str(dp, q->stat);
		v = s != NULL ? strtod(s, &e) : NAN;
		if (s == NULL || e == s || *e != '\0' || !isfinite(v)) {
			out->unknown++;
			continue;
		}
		if (v > out->max)
			out->max = v;
	}
	aws_resp_release(&resp);
	return rc;
}

int
pb_cw_all_zero(const struct pb_cw_days *d)
{
	return d->points > 0 && d->unknown == 0 && d->max <= 0;
}
