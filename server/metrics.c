#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "fxlimits.h"
#include "metrics.h"
#include "banned.h"

/* status codes fixitd answers; anything else is counted as "other" */
static const unsigned statuses[] = { 200, 400, 401, 403, 404, 405, 413, 415,
	500, 503 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

struct metrics {
	atomic_ullong http[ROUTE__COUNT][NSTATUS + 1];
	atomic_ullong fixes[FIX__COUNT];
	atomic_ullong slack_errors;
	atomic_ullong slack_sent;
	atomic_ullong rejected[REJ__COUNT];
	/* per reason: when its last log line was written, and how many
	 * were not logged since */
	atomic_llong reject_logged[REJ__COUNT];
	atomic_ullong reject_quiet[REJ__COUNT];
	atomic_ullong outbox_dropped;
	atomic_ullong followup[FU__COUNT];
	atomic_ullong http_refused[HREF__COUNT];
	atomic_ullong http_conns, http_buffered; /* gauges */
};

static const char *const route_names[ROUTE__COUNT] = {
	"/slack/actions",
	"/slack/commands",
	"POST /v1/findings",
	"GET /v1/findings",
	"/healthz",
	"/metrics",
	"POST /v1/events",
	"POST /v1/custodian",
	"/slack/events",
	"other",
};
static const char *const fix_names[FIX__COUNT] = {
	"fixed",
	"retry",
	"failed",
	"rolled_back",
	"undo_failed",
	"resolved",
	"rehearsed",
};

static const char *const reject_names[REJ__COUNT] = {
	"signature",
	"timestamp",
	"headers",
	"size",
	"content_type",
	"command",
	"payload",
	"event",
};

static const char *const refusal_names[HREF__COUNT] = {
	"per_address",
	"shed",
	"head_timeout",
	"body_timeout",
	"body_budget",
	"framing",
	"query",
	"credentials",
};

static const char *const followup_names[FU__COUNT] = {
	"inline",
	"delayed",
	"busy",
	"sent",
	"failed",
	"refused",
};

struct metrics *
metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

void
metrics_http(struct metrics *m, enum metric_route r, unsigned status)
{
	size_t i;

	if ((unsigned)r >= ROUTE__COUNT)
		r = ROUTE_OTHER;
	for (i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			break;
	atomic_fetch_add(&m->http[r][i], 1);
}

void
metrics_fix(struct metrics *m, enum metric_fix f)
{
	if ((unsigned)f < FIX__COUNT)
		atomic_fetch_add(&m->fixes[f], 1);
}

void
metrics_slack_error(struct metrics *m)
{
	atomic_fetch_add(&m->slack_errors, 1);
}

void
metrics_slack_sent(struct metrics *m)
{
	atomic_fetch_add(&m->slack_sent, 1);
}

void
metrics_outbox_dropped(struct metrics *m)
{
	if (m != NULL)
		atomic_fetch_add(&m->outbox_dropped, 1);
}

void
metrics_followup(struct metrics *m, enum metric_followup f)
{
	if (m != NULL && (unsigned)f < FU__COUNT)
		atomic_fetch_add(&m->followup[f], 1);
}

/* how /fixit commands were answered, and the late answers' outcomes */
static fx_err
render_followup(struct metrics *m, struct buf *out)
{
	fx_err rc;
	size_t i;

	rc = buf_adds(out,
	    "# HELP fixit_slack_command_answers_total /fixit commands by "
	    "how they were answered.\n"
	    "# TYPE fixit_slack_command_answers_total counter\n");
	for (i = FU_INLINE; rc == FX_OK && i <= FU_BUSY; i++)
		rc = buf_addf(out,
		    "fixit_slack_command_answers_total{answer=\"%s\"} %llu\n",
		    followup_names[i], atomic_load(&m->followup[i]));
	if (rc == FX_OK)
		rc = buf_adds(out,
		    "# HELP fixit_slack_followups_total Late /fixit answers "
		    "for a response_url, by outcome.\n"
		    "# TYPE fixit_slack_followups_total counter\n");
	for (i = FU_SENT; rc == FX_OK && i < FU__COUNT; i++)
		rc = buf_addf(out,
		    "fixit_slack_followups_total{outcome=\"%s\"} %llu\n",
		    followup_names[i], atomic_load(&m->followup[i]));
	return rc;
}

int
metrics_slack_reject(struct metrics *m, enum metric_reject r, int64_t now_s,
    unsigned long long *suppressed)
{
	long long last;

	*suppressed = 0;
	if ((unsigned)r >= REJ__COUNT)
		r = REJ_PAYLOAD;
	atomic_fetch_add(&m->rejected[r], 1);
	last = atomic_load(&m->reject_logged[r]);
	/* one winner per interval: the thread whose exchange succeeds */
	if ((last == 0 || now_s - last >= FX_SLACK_REJECT_LOG_S) &&
	    atomic_compare_exchange_strong(&m->reject_logged[r], &last,
		(long long)now_s)) {
		*suppressed = atomic_exchange(&m->reject_quiet[r], 0);
		return 1;
	}
	atomic_fetch_add(&m->reject_quiet[r], 1);
	return 0;
}

/* a counter family by reason: HELP and TYPE, then one line per reason */
static fx_err
render_reasons(struct buf *out, const char *name, const char *help,
    const char *const *reasons, const atomic_ullong *counts, size_t n)
{
	fx_err rc;
	size_t i;

	rc = buf_addf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help,
	    name);
	for (i = 0; rc == FX_OK && i < n; i++)
		rc = buf_addf(out, "%s{reason=\"%s\"} %llu\n", name, reasons[i],
		    atomic_load(&counts[i]));
	return rc;
}

static fx_err
render_rejected(struct metrics *m, struct buf *out)
{
	return render_reasons(out, "fixit_slack_rejected_total",
	    "Requests to /slack/ refused or not understood, by reason.",
	    reject_names, m->rejected, REJ__COUNT);
}

void
metrics_http_refused(struct metrics *m, enum metric_refusal r)
{
	atomic_fetch_add(&m->http_refused[r], 1);
}

void
metrics_http_gauges(struct metrics *m, unsigned conns,
    unsigned long long buffered)
{
	atomic_store(&m->http_conns, conns);
	atomic_store(&m->http_buffered, buffered);
}

static fx_err
render_http_refused(struct metrics *m, struct buf *out)
{
	fx_err rc;

	rc = render_reasons(out, "fixit_http_refused_total",
	    "Connections and requests the HTTP layer refused, by reason.",
	    refusal_names, m->http_refused, HREF__COUNT);
	if (rc == FX_OK)
		rc = buf_addf(out,
		    "# HELP fixit_http_connections HTTP connections open.\n"
		    "# TYPE fixit_http_connections gauge\n"
		    "fixit_http_connections %llu\n"
		    "# HELP fixit_http_body_bytes Request body bytes "
		    "buffered.\n# TYPE fixit_http_body_bytes gauge\n"
		    "fixit_http_body_bytes %llu\n",
		    atomic_load(&m->http_conns),
		    atomic_load(&m->http_buffered));
	return rc;
}

fx_err
metrics_render(struct metrics *m, struct buf *out)
{
	fx_err rc;
	size_t r, i;

	rc = buf_adds(out,
	    "# HELP fixit_http_requests_total HTTP requests "
	    "by route and status.\n# TYPE fixit_http_requests_total counter\n");
	for (r = 0; rc == FX_OK && r < ROUTE__COUNT; r++)
		for (i = 0; rc == FX_OK && i <= NSTATUS; i++) {
			unsigned long long v = atomic_load(&m->http[r][i]);
			char st[16];

			if (v == 0)
				continue;
			if (i < NSTATUS)
				snprintf(st, sizeof(st), "%u", statuses[i]);
			else
				snprintf(st, sizeof(st), "other");
			rc = buf_addf(out,
			    "fixit_http_requests_total{route=\"%s\","
			    "status=\"%s\"} %llu\n",
			    route_names[r], st, v);
		}
	if (rc == FX_OK)
		rc = buf_adds(out, "# HELP fixit_fixes_total Executor outcomes."
				   "\n# TYPE fixit_fixes_total counter\n");
	for (i = 0; rc == FX_OK && i < FIX__COUNT; i++)
		rc = buf_addf(out, "fixit_fixes_total{result=\"%s\"} %llu\n",
		    fix_names[i], atomic_load(&m->fixes[i]));
	if (rc == FX_OK)
		rc = buf_addf(out,
		    "# HELP fixit_slack_api_errors_total Failed "
		    "Slack API calls.\n# TYPE fixit_slack_api_errors_total "
		    "counter\nfixit_slack_api_errors_total %llu\n"
		    "# HELP fixit_slack_api_calls_total Successful Slack API "
		    "calls.\n# TYPE fixit_slack_api_calls_total counter\n"
		    "fixit_slack_api_calls_total %llu\n",
		    atomic_load(&m->slack_errors), atomic_load(&m->slack_sent));
	if (rc == FX_OK)
		rc = buf_addf(out,
		    "# HELP fixit_outbox_dropped_total Outbox rows (Slack "
		    "messages) dropped after their attempts.\n"
		    "# TYPE fixit_outbox_dropped_total counter\n"
		    "fixit_outbox_dropped_total %llu\n",
		    atomic_load(&m->outbox_dropped));
	if (rc == FX_OK)
		rc = render_rejected(m, out);
	if (rc == FX_OK)
		rc = render_http_refused(m, out);
	if (rc == FX_OK)
		rc = render_followup(m, out);
	return rc;
}
