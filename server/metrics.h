/*
 * metrics.h - process counters, rendered in the Prometheus text format.
 * All counters are atomics: any thread may bump them without a lock.
 */
#ifndef FIXIT_METRICS_H
#define FIXIT_METRICS_H

#include <stdint.h>

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
	ROUTE_SLACK_EVENTS,
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

/*
 * Why a request to /slack/... was refused or not understood. The first
 * five are refusals (401/413/415); command and payload requests were
 * validly signed and answered 200 without acting.
 */
enum metric_reject {
	REJ_SIGNATURE = 0, /* wrong MAC: often a wrong signing secret */
	REJ_TIMESTAMP,	   /* malformed, stale or future timestamp */
	REJ_HEADERS,	   /* signature headers missing or repeated */
	REJ_SIZE,	   /* body over FX_MAX_SLACK_BODY */
	REJ_CONTENT_TYPE,  /* not the body type of the route */
	REJ_COMMAND,	   /* a slash command other than slack.command */
	REJ_PAYLOAD,	   /* a form or payload fixitd does not understand */
	REJ_EVENT,	   /* an Events API event fixitd does not handle */
	REJ__COUNT
};

/* connections and requests the HTTP layer refused, by reason */
enum metric_refusal {
	HREF_PER_ADDRESS = 0, /* over http.per_address from one address */
	HREF_SHED,	      /* oldest waiting, the total near its limit */
	HREF_HEAD_TIMEOUT,    /* head not complete within http.head_timeout */
	HREF_BODY_TIMEOUT,    /* body not complete within http.body_timeout */
	HREF_BUDGET,	      /* bodies buffered at http.body_memory (503) */
	HREF_FRAMING,	      /* a head fixitd does not parse (400) */
	HREF_QUERY,	      /* too many query parameters (400) */
	HREF_CREDENTIALS,     /* no valid credential in the head (401) */
	HREF__COUNT
};

/*
 * How a /fixit command was answered (cmdq.h), and what became of the
 * answers that missed the HTTP deadline (followup.h).
 */
enum metric_followup {
	FU_INLINE = 0, /* in the HTTP answer, within the deadline */
	FU_DELAYED,    /* "the answer follows": sent to the response_url */
	FU_BUSY,       /* the command queue was full: "try again" */
	FU_SENT,       /* a late answer delivered to the response_url */
	FU_FAILED,     /* a late answer given up (tries, 30 min, 4xx) */
	FU_REFUSED,    /* a response_url not under slack.hooks_base */
	FU__COUNT
};

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m); /* accepts NULL */
void metrics_http(struct metrics *m, enum metric_route r, unsigned status);
void metrics_fix(struct metrics *m, enum metric_fix f);
void metrics_slack_error(struct metrics *m);
void metrics_slack_sent(struct metrics *m);
/* an outbox row dropped after its attempts (fixit_outbox_dropped_total);
 * accepts NULL */
void metrics_outbox_dropped(struct metrics *m);
/*
 * Count one rejected Slack request (fixit_slack_rejected_total{reason}).
 * Returns 1 when the caller should log it: the first of its reason in
 * FX_SLACK_REJECT_LOG_S seconds (now_s), with *suppressed set to the
 * ones of that reason not logged since the previous line; else 0. A
 * burst of bad requests thus costs one line per reason and interval.
 */
int metrics_slack_reject(struct metrics *m, enum metric_reject r, int64_t now_s,
    unsigned long long *suppressed);
/* counters only; the caller appends the gauges read from the store */
void metrics_http_refused(struct metrics *m, enum metric_refusal r);
/* set the gauges: connections open, request body bytes buffered */
void metrics_http_gauges(struct metrics *m, unsigned conns,
    unsigned long long buffered);
/* accepts NULL */
void metrics_followup(struct metrics *m, enum metric_followup f);
fx_err metrics_render(struct metrics *m, struct buf *out) FX_WUR;

#endif
