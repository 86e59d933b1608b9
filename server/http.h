/*
 * http.h - the HTTP layer over libmicrohttpd: request bodies collected
 * into bounded buffers, routing, and the only code that creates MHD
 * responses.
 *
 * Thread model: a pool of libmicrohttpd threads (http_threads, default
 * one per core), each with its own epoll set, serves up to
 * http.max_connections connections; the guard's sweeper thread
 * (http_guard.h) shuts down those past their deadlines. Handlers run on those threads; they
 * verify and parse, then hand their change to the writer: the hot paths
 * with http_defer (the connection is suspended until the change is
 * committed, and the thread serves other connections meanwhile), the
 * rare ones with a blocking dbw_call. They never call Slack or AWS.
 */
#ifndef FIXIT_HTTP_H
#define FIXIT_HTTP_H

#include <stddef.h>
#include <jansson.h>

#include "app.h"
#include "buf.h"
#include "fxerr.h"
#include "metrics.h"

struct http;
struct http_request;

struct http_reply {
	unsigned status;
	const char *ctype; /* static string */
	struct buf body;
};

fx_err http_start(struct app *app, struct http **out) FX_WUR;
void http_stop(struct http *h);	     /* accepts NULL */
int http_port(const struct http *h); /* the bound port */

/* request accessors, for handlers */
const char *http_req_header(struct http_request *r, const char *name);
int http_req_header_count(struct http_request *r, const char *name);
const char *http_req_arg(struct http_request *r, const char *name);
const char *http_req_body(struct http_request *r, size_t *len);
/* the route's path ("/slack/actions") */
const char *http_req_path(struct http_request *r);
/* 1 when Content-Type's media type equals type (case-insensitive) */
int http_req_ctype_is(struct http_request *r, const char *type);

/*
 * Defer the reply (the hot paths): job runs on the writer in the next
 * group commit while the connection is suspended, so no HTTP thread
 * waits; then finish() builds the reply on an HTTP thread. state belongs
 * to the request from here on: state_free(state) runs when the request
 * ends. A handler that defers sets no reply.
 */
typedef void (*http_finish_fn)(struct app *a, void *state, fx_err rc,
    struct http_reply *rp);
void http_defer(struct http_request *r, dbw_fn job, void *state,
    http_finish_fn finish, void (*state_free)(void *));

/*
 * The same, for work that is not a writer job (the /fixit commands,
 * cmdq.h): start(a, state, r) runs on the HTTP thread once the
 * connection is suspended; when it returns FX_OK, exactly one call of
 * http_resume(r, rc), from any thread and possibly before start
 * returned, ends the wait, and finish() then builds the reply with rc.
 * Any other result is handed to finish() at once (http_resume is then
 * not called). r must not be used after http_resume.
 */
typedef fx_err (
    *http_start_fn)(struct app *a, void *state, struct http_request *r);
void http_defer_work(struct http_request *r, http_start_fn start, void *state,
    http_finish_fn finish, void (*state_free)(void *));
void http_resume(struct http_request *r, fx_err rc);

/* reply helpers: a handler ends with exactly one of these */
void http_reply_empty(struct http_reply *rp, unsigned status);
void http_reply_json(struct http_reply *rp, unsigned status, json_t *obj);
/* steals obj */
/* {"error": message}: cut to 512 bytes at a character ("..." marking the
 * cut), any byte that is not UTF-8 made '?' */
void http_reply_error(struct http_reply *rp, unsigned status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void http_reply_text(struct http_reply *rp, unsigned status, const char *ctype,
    const char *text);

/* 1 when the request carries one of the ingest bearer tokens, else a
 * 401 reply is set */
int h_bearer_ok(struct app *a, struct http_request *r, struct http_reply *rp);

/*
 * Checks of the head alone, run before any body byte is read (each
 * route names its own): 1 when the request may go on, else 0 with a
 * 401 reply set. The Slack one (http_pre.c) can only see that the
 * signature headers are there once each and the timestamp is fresh: the
 * signature needs the body, which the route caps at FX_MAX_SLACK_BODY.
 */
int h_events_key_ok(struct app *a, struct http_request *r,
    struct http_reply *rp);
int http_pre_slack(struct app *a, struct http_request *r,
    struct http_reply *rp);
/* the same, but lets through an unsigned body of at most
 * FX_MAX_SSL_CHECK_BODY bytes with its Content-Length (Slack's
 * ssl_check probe, which h_slack_commands answers) */
int http_pre_slack_command(struct app *a, struct http_request *r,
    struct http_reply *rp);

/*
 * Count and (rate-limited) log a request to /slack/... that was refused
 * or not understood (h_slack.c); http.c reports the oversized ones.
 */
void h_slack_reject(struct app *a, enum metric_reject why, const char *route);
/*
 * 1 when the request carries a valid Slack v0 signature and its body is
 * of media type ctype; else it is counted and refused (401/415) with the
 * reply set (h_slack.c).
 */
int h_slack_verified(struct app *a, struct http_request *r,
    struct http_reply *rp, const char *route, const char *ctype);

/*
 * A validly signed Slack request whose change could not be recorded
 * (the database failed or fixitd is stopping; memory ran out): Slack
 * gets its 200 all the same, since it shows the user an error for any
 * other answer. block: a form's input block, under which the user reads
 * that nothing was recorded and to submit again; NULL: an empty 200 (a
 * click: the caller logged it; the finding's card did not change).
 */
void h_slack_unrecorded(struct http_reply *rp, const char *block);

struct slack_interaction;
/*
 * h_owner.c: when si is a view_submission of the Not mine or False
 * positive form, 1: its strings move out of si, and the request is
 * deferred or its reply set. Else 0, si untouched.
 */
int h_owner_submission(struct app *a, struct http_request *r,
    struct slack_interaction *si, struct http_reply *rp);

/* h_owner.c: fixit_false_positives{playbook} of db_fp_counts' object */
fx_err h_owner_metrics(const json_t *fp, struct buf *out) FX_WUR;
/* h_savings.c: the savings gauges of db_savings's sv, by playbook */
fx_err h_savings_metrics(const json_t *sv, struct buf *out) FX_WUR;

/* handlers (server/h_*.c) */
void h_slack_actions(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_slack_commands(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_slack_events(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_findings_post(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_findings_get(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_events_post(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_custodian_post(struct app *a, struct http_request *r,
    struct http_reply *rp);
void h_healthz(struct app *a, struct http_request *r, struct http_reply *rp);
void h_metrics(struct app *a, struct http_request *r, struct http_reply *rp);

#endif
