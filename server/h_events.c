/*
 * h_events.c - POST /v1/events (EventBridge API destinations) and
 * POST /v1/custodian (Cloud Custodian's webhook action).
 *
 * An event is checked completely (authentication, JSON, the envelope of
 * its kind) and stored before it is acknowledged: 202 when stored, 200
 * when that id was stored before (processed once), 4xx for bad input so
 * that EventBridge does not retry it, 5xx only for fixitd's own failures
 * so that it does. Processing (findings, messages, tags) happens after,
 * on the events thread (events.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "aws_sigv4.h"
#include "db.h"
#include "ev.h"
#include "ev_decide.h"
#include "ev_map.h"
#include "events.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "http.h"
#include "jsonfail.h"
#include "banned.h"

#define SECURITYHUB_TYPE "Security Hub Findings - Imported"

static int
api_key_ok(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const struct config *cfg = a->cfg;
	const char *h;

	if (cfg->events_key == NULL) {
		http_reply_error(rp, 401,
		    "events are disabled: set "
		    "events.api_key_file or " ENV_EVENTS_API_KEY);
		return 0;
	}
	h = http_req_header(r, cfg->events_header);
	if (h == NULL || http_req_header_count(r, cfg->events_header) != 1) {
		http_reply_error(rp, 401, "missing %s header",
		    cfg->events_header);
		return 0;
	}
	if (!fx_ct_equal(h, strlen(h), cfg->events_key,
		strlen(cfg->events_key))) {
		http_reply_error(rp, 401, "invalid API key");
		return 0;
	}
	return 1;
}

/* a deferred store of one event */
struct event_job {
	char *id;
	const char *kind; /* static */
	char *body;
	json_t *doc; /* parsed: handed to the events thread */
	int64_t now; /* ms */
	int dup;
};

static void
event_job_free(void *p)
{
	struct event_job *j = p;

	if (j == NULL)
		return;
	free(j->id);
	free(j->body);
	json_decref(j->doc);
	free(j);
}

static fx_err
event_job_run(struct db *db, void *arg)
{
	struct event_job *j = arg;

	return db_event_add(db, j->id, j->kind, j->body, j->now, &j->dup);
}

static void
event_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct event_job *j = state;

	if (rc != FX_OK) {
		log_warnx("%s: cannot store event %s: %s", __func__, j->id,
		    fx_strerror(rc));
		http_reply_error(rp, 500, "cannot store the event; retry");
		return;
	}
	if (!j->dup) {
		events_queue(a->events, j->id, j->kind, j->doc);
		j->doc = NULL;
	}
	http_reply_json(rp, j->dup ? 200 : 202,
	    json_pack("{s:s,s:s}", "id", j->id, "status",
		j->dup ? "duplicate" : "accepted"));
}

/* doc: stolen */
static void
store(struct http_request *r, struct http_reply *rp, const char *id,
    const char *kind, const char *body, size_t len, json_t *doc)
{
	struct event_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->id = strdup(id)) == NULL ||
	    (j->body = malloc(len + 1)) == NULL) {
		event_job_free(j);
		json_decref(doc);
		http_reply_error(rp, 500, "out of memory");
		return;
	}
	j->doc = doc;
	memcpy(j->body, body, len);
	j->body[len] = '\0';
	j->kind = kind;
	j->now = fx_now_ms();
	http_defer(r, event_job_run, j, event_finish, event_job_free);
}

/* the body as a JSON object, or a 400/415 reply */
static json_t *
body_object(struct http_request *r, struct http_reply *rp, const char **body,
    size_t *len)
{
	json_error_t je;
	json_t *doc;

	if (!http_req_ctype_is(r, "application/json")) {
		http_reply_error(rp, 415,
		    "Content-Type must be "
		    "application/json");
		return NULL;
	}
	*body = http_req_body(r, len);
	doc = json_loadb(*body, *len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL && json_failed_for_memory(*body, *len, &je)) {
		/* not the sender's fault: a 4xx would make EventBridge drop
		 * the event, a 5xx makes it retry */
		http_reply_error(rp, 500, "out of memory");
		return NULL;
	}
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		http_reply_error(rp, 400,
		    "the body must be one JSON object "
		    "(an EventBridge event)");
		return NULL;
	}
	return doc;
}

/* the event's kind after checking it like its processing will */
static const char *
event_kind(struct app *a, const json_t *doc, struct buf *why)
{
	const char *dt = json_string_value(json_object_get(doc, "detail-type"));
	struct ev_mapped_list items;
	struct ev_info info;
	size_t skipped = 0;
	fx_err rc;

	if (dt != NULL && strcmp(dt, SECURITYHUB_TYPE) == 0) {
		evmap_list_init(&items);
		rc = evmap_securityhub(doc, events_map_securityhub(a->events),
		    &items, &skipped, why);
		evmap_list_release(&items);
		return rc == FX_OK ? "securityhub" : NULL;
	}
	if (dt != NULL && strcmp(dt, EV_GUARDDUTY_TYPE) == 0)
		return ev_guardduty_check(doc, why) == FX_OK ? "guardduty"
							     : NULL;
	rc = ev_parse(doc, &info, why);
	if (rc == FX_ENOTFOUND) {
		buf_reset(why);
		if (buf_adds(why,
			"detail-type: not one fixit takes (\"AWS "
			"API Call via CloudTrail\", \"" SECURITYHUB_TYPE
			"\", \"" EV_GUARDDUTY_TYPE "\")") != FX_OK)
			buf_reset(why);
	}
	return rc == FX_OK ? "cloudtrail" : NULL;
}

void
h_events_post(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct buf why = BUF_INIT;
	const char *body, *kind, *id;
	json_t *doc;
	size_t len;

	if (!api_key_ok(a, r, rp) ||
	    (doc = body_object(r, rp, &body, &len)) == NULL)
		return;
	buf_init(&why, 1024);
	kind = event_kind(a, doc, &why);
	id = json_string_value(json_object_get(doc, "id"));
	if (kind == NULL || id == NULL || *id == '\0' || strlen(id) > 128 ||
	    strchr(id, '\n') != NULL)
		http_reply_error(rp, 400, "%s",
		    why.len ? buf_str(&why)
			    : "id: required, 1 to 128 characters");
	else {
		store(r, rp, id, kind, body, len, json_incref(doc));
	}
	buf_release(&why);
	json_decref(doc);
}

void
h_custodian_post(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct buf why = BUF_INIT;
	const char *body;
	char id[11 + 65] = "custodian:";
	struct ev_mapped_list items;
	json_t *doc;
	size_t len, skipped = 0;

	if (!h_bearer_ok(a, r, rp) ||
	    (doc = body_object(r, rp, &body, &len)) == NULL)
		return;
	buf_init(&why, 1024);
	evmap_list_init(&items);
	if (evmap_custodian(doc, events_map_custodian(a->events), &items,
		&skipped, &why) != FX_OK) {
		http_reply_error(rp, 400, "%s",
		    why.len ? buf_str(&why)
			    : "not a Cloud Custodian webhook payload");
	} else {
		/* the same payload posted twice is one event */
		sigv4_sha256_hex(body, len, id + 10);
		store(r, rp, id, "custodian", body, len, json_incref(doc));
	}
	evmap_list_release(&items);
	buf_release(&why);
	json_decref(doc);
}

/* api_key_ok for http.c, which checks it before reading the body */
int
h_events_key_ok(struct app *a, struct http_request *r, struct http_reply *rp)
{
	return api_key_ok(a, r, rp);
}
