/*
 * h_api.c - the JSON API: POST/GET /v1/findings (bearer token), /healthz
 * and /metrics.
 *
 * Ingest validates the whole batch before anything is stored: a bad item
 * gets a 400 naming its index and field, and the batch changes nothing.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "http.h"
#include "ingest_json.h"
#include "jsonfail.h"
#include "metrics.h"
#include "sender.h"
#include "sm.h"
#include "banned.h"

/* 1 when Authorization: Bearer matches a configured token */
int
h_bearer_ok(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const struct config *cfg = a->cfg;
	const char *h = http_req_header(r, "Authorization");
	size_t i;
	int ok = 0;

	if (cfg->ningest_tokens == 0) {
		http_reply_error(rp, 401,
		    "the API is disabled: no ingest "
		    "tokens are configured");
		return 0;
	}
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    http_req_header_count(r, "Authorization") != 1) {
		http_reply_error(rp, 401, "missing bearer token");
		return 0;
	}
	h += 7;
	/* compare with every token, whatever matched, in constant time */
	for (i = 0; i < cfg->ningest_tokens; i++)
		ok |= fx_ct_equal(h, strlen(h), cfg->ingest_tokens[i],
		    strlen(cfg->ingest_tokens[i]));
	if (!ok)
		http_reply_error(rp, 401, "invalid bearer token");
	return ok;
}

/* a deferred ingest: the parsed body (items point into it) and results */
struct ingest_job {
	const struct policy *pol;
	json_t *doc;
	struct finding_in *items;
	size_t n;
	int64_t now;
	struct ingest_result res;
	json_t *out; /* [{"index","id","state"}] */
};

static void
ingest_job_free(void *p)
{
	struct ingest_job *j = p;

	if (j == NULL)
		return;
	json_decref(j->doc);
	json_decref(j->out);
	free(j->items);
	free(j);
}

static fx_err
ingest_job_run(struct db *db, void *arg)
{
	struct ingest_job *j = arg;
	struct ingest_out *out;
	json_t *o;
	size_t i;
	fx_err rc;

	memset(&j->res, 0, sizeof(j->res));
	json_array_clear(j->out);
	out = calloc(j->n > 0 ? j->n : 1, sizeof(*out));
	if (out == NULL)
		return FX_ENOMEM;
	rc = sm_ingest_out(db, j->pol, j->items, j->n, j->now, &j->res, out);
	for (i = 0; rc == FX_OK && i < j->n; i++) {
		if (out[i].id == 0) /* mode off: not stored */
			o = json_pack("{s:I,s:n,s:s}", "index", (json_int_t)i,
			    "id", "state", "ignored");
		else
			o = json_pack("{s:I,s:I,s:s}", "index", (json_int_t)i,
			    "id", (json_int_t)out[i].id, "state",
			    fstate_name(out[i].state));
		if (json_array_append_new(j->out, o) != 0)
			rc = FX_ENOMEM;
	}
	free(out);
	return rc;
}

static void
ingest_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct ingest_job *j = state;

	if (rc != FX_OK) {
		log_warnx("%s: batch of %zu: %s", __func__, j->n,
		    fx_strerror(rc));
		http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
		    "could not store the findings");
		return;
	}
	sender_kick(a->sender);
	http_reply_json(rp, 200,
	    json_pack("{s:I,s:I,s:I,s:I,s:O}", "created",
		(json_int_t)j->res.created, "updated",
		(json_int_t)j->res.updated, "resolved",
		(json_int_t)j->res.resolved, "ignored",
		(json_int_t)j->res.ignored, "findings", j->out));
}

void
h_findings_post(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct ingest_job *j = NULL;
	struct buf err = BUF_INIT;
	json_error_t jerr;
	const char *body;
	size_t len, i;
	fx_err rc;

	if (!h_bearer_ok(a, r, rp))
		return;
	if (!http_req_ctype_is(r, "application/json")) {
		http_reply_error(rp, 415, "expected application/json");
		return;
	}
	buf_init(&err, 1024);
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		http_reply_error(rp, 500, "out of memory");
		goto out;
	}
	body = http_req_body(r, &len);
	j->doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j->doc == NULL && json_failed_for_memory(body, len, &jerr)) {
		http_reply_error(rp, 500, "out of memory"); /* not a 400 */
		goto out;
	}
	if (j->doc == NULL || !json_is_array(j->doc)) {
		http_reply_error(rp, 400,
		    j->doc ? "body must be a JSON array of "
			     "findings"
			   : "malformed JSON at line %d: %s",
		    jerr.line, jerr.text);
		goto out;
	}
	j->n = json_array_size(j->doc);
	if (j->n == 0 || j->n > FX_MAX_INGEST_ITEMS) {
		http_reply_error(rp, 400, "a batch holds 1 to %d findings",
		    FX_MAX_INGEST_ITEMS);
		goto out;
	}
	j->items = calloc(j->n, sizeof(*j->items));
	j->out = json_array();
	if (j->items == NULL || j->out == NULL) {
		http_reply_error(rp, 500, "out of memory");
		goto out;
	}
	for (i = 0; i < j->n; i++) {
		rc = ingest_json_item(a->cfg->policy, json_array_get(j->doc, i),
		    i, &j->items[i], &err);
		/* a bad item is the client's (400, its error never empty);
		 * anything else ours */
		if (rc != FX_OK) {
			http_reply_error(rp, rc == FX_EINVAL ? 400 : 500, "%s",
			    rc == FX_EINVAL ? buf_str(&err) : fx_strerror(rc));
			goto out;
		}
	}
	j->pol = a->cfg->policy;
	j->now = fx_now();
	http_defer(r, ingest_job_run, j, ingest_finish, ingest_job_free);
	j = NULL;
out:
	ingest_job_free(j);
	buf_release(&err);
}

struct list_job {
	struct finding_filter flt;
	struct finding_page page;
};

static fx_err
list_job_run(struct db *db, void *arg)
{
	struct list_job *j = arg;

	return db_findings_list(db, &j->flt, &j->page);
}

/* the page as the API answers it: {"findings":[finding_to_json...],
 * "next_after":ID or null}; NULL when out of memory */
static json_t *
list_page_json(const struct finding_page *p)
{
	json_t *o = NULL, *a, *f;
	size_t i;

	a = json_array();
	if (a == NULL)
		goto out;
	for (i = 0; i < p->n; i++) {
		f = finding_to_json(&p->v[i]);
		/* takes f, and fails when it is NULL (out of memory) */
		if (json_array_append_new(a, f) != 0)
			goto out;
	}
	if (p->next_after != 0)
		o = json_pack("{s:O,s:I}", "findings", a, "next_after",
		    (json_int_t)p->next_after);
	else
		o = json_pack("{s:O,s:n}", "findings", a, "next_after");
out:
	json_decref(a);
	return o;
}

void
h_findings_get(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct list_job j;
	json_t *out = NULL;
	const char *v;
	int64_t n;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	if (!h_bearer_ok(a, r, rp))
		return;
	j.flt.limit = 100;
	j.flt.state = http_req_arg(r, "state");
	j.flt.playbook = http_req_arg(r, "playbook");
	j.flt.account_id = http_req_arg(r, "account_id");
	if (j.flt.state && fstate_parse(j.flt.state) < 0) {
		http_reply_error(rp, 400, "state: unknown state");
		return;
	}
	if ((v = http_req_arg(r, "limit")) != NULL) {
		if (fx_strtoll(v, 1, 1000, &n) != FX_OK) {
			http_reply_error(rp, 400, "limit: must be 1..1000");
			return;
		}
		j.flt.limit = (size_t)n;
	}
	if ((v = http_req_arg(r, "after")) != NULL) {
		if (fx_strtoll(v, 0, INT64_MAX, &j.flt.after_id) != FX_OK) {
			http_reply_error(rp, 400,
			    "after: must be a finding id");
			return;
		}
	}
	rc = dbw_read(a->w, list_job_run, &j);
	if (rc == FX_OK) {
		out = list_page_json(&j.page);
		rc = out ? FX_OK : FX_ENOMEM;
	}
	if (rc == FX_OK)
		http_reply_json(rp, 200, out);
	else
		http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
		    "could not list findings");
	finding_page_release(&j.page);
}

/* a writer that cannot commit a one-row update in this long is unwell */
#define HEALTHZ_TIMEOUT_MS 2000

void
h_healthz(struct app *a, struct http_request *r, struct http_reply *rp)
{
	int64_t at = fx_now(), back = -1;
	fx_err rc;

	/* a write through the writer (synced) and a read back, bounded */
	rc = dbw_heartbeat(a->w, at, HEALTHZ_TIMEOUT_MS, &back);
	if (rc != FX_OK) {
		log_warnx("healthz: database: %s", fx_strerror(rc));
		http_reply_json(rp, 503,
		    json_pack("{s:s, s:s}", "status", "unhealthy", "database",
			rc == FX_ETIMEOUT ? "timeout" : "failing"));
		return;
	}
	http_reply_json(rp, 200, json_pack("{s:s}", "status", "ok"));
}

struct gauge_job {
	json_t *counts;
	json_t *events;
	int64_t pending;
	json_t *fp;	 /* approved false positives per playbook */
	int64_t oldest;	 /* the oldest pending outbox row's created_at */
	json_t *savings; /* db_savings, by playbook */
};

static fx_err
gauge_job_run(struct db *db, void *arg)
{
	struct gauge_job *j = arg;
	fx_err rc;

	rc = db_counts(db, &j->counts);
	if (rc == FX_OK)
		rc = db_outbox_depth(db, &j->pending);
	if (rc == FX_OK)
		rc = db_event_counts(db, &j->events);
	if (rc == FX_OK)
		rc = db_fp_counts(db, &j->fp);
	if (rc == FX_OK)
		rc = db_outbox_oldest(db, &j->oldest);
	if (rc == FX_OK)
		rc = db_savings(db, 0, &j->savings);
	return rc;
}

void
h_metrics(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct gauge_job j = { NULL, NULL, 0, NULL, 0, NULL };
	const char *k;
	json_t *v;
	struct buf out = BUF_INIT;
	json_t *by_state;
	int st;
	fx_err rc;

	buf_init(&out, 1024 * 1024);
	rc = metrics_render(a->metrics, &out);
	if (rc == FX_OK)
		rc = dbw_read(a->w, gauge_job_run, &j);
	if (rc == FX_OK)
		rc = buf_adds(&out, "# HELP fixit_findings Findings by state.\n"
				    "# TYPE fixit_findings gauge\n");
	by_state = json_object_get(j.counts, "by_state");
	for (st = 0; rc == FX_OK && st < FS__COUNT; st++)
		rc = buf_addf(&out, "fixit_findings{state=\"%s\"} %lld\n",
		    fstate_name((enum fstate)st),
		    (long long)json_integer_value(json_object_get(by_state,
			fstate_name((enum fstate)st))));
	if (rc == FX_OK)
		rc = buf_addf(&out,
		    "# HELP fixit_outbox_pending Slack calls "
		    "waiting for delivery.\n# TYPE fixit_outbox_pending gauge\n"
		    "fixit_outbox_pending %lld\n",
		    (long long)j.pending);
	if (rc == FX_OK)
		rc = buf_addf(&out,
		    "# HELP fixit_outbox_oldest_pending_seconds Age of the "
		    "oldest Slack call waiting for delivery (0: none).\n"
		    "# TYPE fixit_outbox_oldest_pending_seconds gauge\n"
		    "fixit_outbox_oldest_pending_seconds %lld\n",
		    (long long)(j.oldest > 0 && fx_now() > j.oldest
				    ? fx_now() - j.oldest
				    : 0));
	if (rc == FX_OK)
		rc = buf_adds(&out,
		    "# HELP fixit_events Received events by "
		    "state (pending, done, error).\n# TYPE fixit_events "
		    "gauge\n");
	json_object_foreach(j.events, k, v) {
		if (rc == FX_OK)
			rc = buf_addf(&out, "fixit_events{state=\"%s\"} %lld\n",
			    k, (long long)json_integer_value(v));
	}
	if (rc == FX_OK)
		rc = h_owner_metrics(j.fp, &out);
	if (rc == FX_OK)
		rc = h_savings_metrics(j.savings, &out);
	if (rc == FX_OK)
		http_reply_text(rp, 200, "text/plain; version=0.0.4",
		    buf_str(&out));
	else
		http_reply_error(rp, 500, "could not render metrics");
	json_decref(j.counts);
	json_decref(j.events);
	json_decref(j.fp);
	json_decref(j.savings);
	buf_release(&out);
}
