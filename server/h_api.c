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
#include "metrics.h"
#include "sender.h"
#include "sm.h"
#include "banned.h"

/* 1 when Authorization: Bearer matches a configured token */
static int
bearer_ok(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const struct config *cfg = a->cfg;
	const char *h = http_req_header(r, "Authorization");
	size_t i;
	int ok = 0;

	if (cfg->ningest_tokens == 0) {
		http_reply_error(rp, 401, "the API is disabled: no ingest "
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

/* printable text without control characters, 1..max bytes */
static int
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
charset_ok(const char *s, const char *extra, int (*cls)(int), size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

static int
is_lower_alnum(int c)
{
	return islower(c) || isdigit(c);
}

static int
is_upper_alnum(int c)
{
	return isupper(c) || isdigit(c);
}

static const char *const item_keys[] = { "playbook", "account_id", "region",
	"resource_id", "resource_arn", "owner_email", "owner_slack_id",
	"title", "details", "observed_at", "status" };

/* the optional string field `key` of item; NULL when absent */
static fx_err
opt_str(json_t *item, const char *key, const char **out)
{
	json_t *v = json_object_get(item, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return FX_OK;
	if (!json_is_string(v))
		return FX_EINVAL;
	*out = json_string_value(v);
	return FX_OK;
}

/* validate item i into *f (borrowed pointers); on error err says why */
static fx_err
validate_item(const struct policy *pol, json_t *item, size_t i,
    struct finding_in *f, struct buf *err)
{
	const char *status = NULL, *obs = NULL, *key, *bad = NULL, *why = "";
	json_t *v, *details;
	size_t k, nk = sizeof(item_keys) / sizeof(item_keys[0]);
	char *dump;

	memset(f, 0, sizeof(*f));
	if (!json_is_object(item))
		return buf_addf(err, "findings[%zu]: must be an object", i) ==
		    FX_OK ? FX_EINVAL : FX_ENOMEM;
	json_object_foreach(item, key, v) {
		for (k = 0; k < nk; k++)
			if (strcmp(key, item_keys[k]) == 0)
				break;
		if (k == nk) {
			bad = key;
			why = "unknown field";
			goto fail;
		}
	}
#define STR(field, name) do {						\
	if (opt_str(item, name, &f->field) != FX_OK) {			\
		bad = name; why = "must be a string"; goto fail;	\
	}								\
} while (0)
	STR(playbook, "playbook");
	STR(account_id, "account_id");
	STR(region, "region");
	STR(resource_id, "resource_id");
	STR(resource_arn, "resource_arn");
	STR(owner_email, "owner_email");
	STR(owner_slack_id, "owner_slack_id");
	STR(title, "title");
#undef STR
	if (opt_str(item, "status", &status) != FX_OK) {
		bad = "status";
		why = "must be a string";
		goto fail;
	}
	if (opt_str(item, "observed_at", &obs) != FX_OK) {
		bad = "observed_at";
		why = "must be a string";
		goto fail;
	}
	if (f->playbook == NULL || policy_playbook(pol, f->playbook) == NULL) {
		bad = "playbook";
		why = f->playbook ? "unknown playbook" : "required";
		goto fail;
	}
	if (f->account_id == NULL || policy_account(pol, f->account_id) ==
	    NULL) {
		bad = "account_id";
		why = f->account_id ? "not a configured account" : "required";
		goto fail;
	}
	if (f->region == NULL || !charset_ok(f->region, "-", is_lower_alnum,
	    32)) {
		bad = "region";
		why = f->region ? "must look like eu-west-1" : "required";
		goto fail;
	}
	if (f->resource_id == NULL || !text_ok(f->resource_id, FX_MAX_FIELD)) {
		bad = "resource_id";
		why = f->resource_id ? "must be 1..1024 printable bytes" :
		    "required";
		goto fail;
	}
	if (f->title == NULL || !text_ok(f->title, FX_MAX_TITLE)) {
		bad = "title";
		why = f->title ? "must be 1..300 printable bytes" : "required";
		goto fail;
	}
	if (f->resource_arn && (!text_ok(f->resource_arn, FX_MAX_FIELD) ||
	    strncmp(f->resource_arn, "arn:", 4) != 0)) {
		bad = "resource_arn";
		why = "must be an ARN (arn:...)";
		goto fail;
	}
	if (f->owner_email && (!text_ok(f->owner_email, 254) ||
	    strchr(f->owner_email, '@') == NULL ||
	    strchr(f->owner_email, ' ') != NULL)) {
		bad = "owner_email";
		why = "must be an email address";
		goto fail;
	}
	if (f->owner_slack_id && !charset_ok(f->owner_slack_id, "",
	    is_upper_alnum, 32)) {
		bad = "owner_slack_id";
		why = "must be a Slack user id (U...)";
		goto fail;
	}
	details = json_object_get(item, "details");
	if (details != NULL && !json_is_null(details)) {
		if (!json_is_object(details)) {
			bad = "details";
			why = "must be an object";
			goto fail;
		}
		dump = json_dumps(details, JSON_COMPACT);
		if (dump == NULL || strlen(dump) > FX_MAX_DETAILS) {
			free(dump);
			bad = "details";
			why = "too large (limit 32 KiB)";
			goto fail;
		}
		free(dump);
		f->details = details;
	}
	if (obs != NULL && fx_iso8601_parse(obs, &f->observed_at) != FX_OK) {
		bad = "observed_at";
		why = "must be an ISO 8601 time like 2026-01-01T00:00:00Z";
		goto fail;
	}
	if (status != NULL && strcmp(status, "active") != 0 &&
	    strcmp(status, "resolved") != 0) {
		bad = "status";
		why = "must be active or resolved";
		goto fail;
	}
	f->resolved = status != NULL && strcmp(status, "resolved") == 0;
	return FX_OK;
fail:
	return buf_addf(err, "findings[%zu].%s: %s", i, bad, why) == FX_OK ?
	    FX_EINVAL : FX_ENOMEM;
}

/* a deferred ingest: the parsed body (items point into it) and results */
struct ingest_job {
	const struct policy *pol;
	json_t *doc;
	struct finding_in *items;
	size_t n;
	int64_t now;
	struct ingest_result res;
	json_t *out;		/* [{"index","id","state"}] */
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
	struct finding f;
	size_t i;
	fx_err rc;

	memset(&j->res, 0, sizeof(j->res));
	json_array_clear(j->out);
	rc = sm_ingest(db, j->pol, j->items, j->n, j->now, &j->res);
	for (i = 0; rc == FX_OK && i < j->n; i++) {
		const struct finding_in *it = &j->items[i];

		memset(&f, 0, sizeof(f));
		rc = db_finding_find(db, it->playbook, it->account_id,
		    it->region, it->resource_id, &f);
		if (rc == FX_ENOTFOUND) {	/* mode off: not stored */
			rc = json_array_append_new(j->out, json_pack(
			    "{s:I,s:n,s:s}", "index", (json_int_t)i, "id",
			    "state", "ignored")) ? FX_ENOMEM : FX_OK;
			continue;
		}
		if (rc == FX_OK && json_array_append_new(j->out, json_pack(
		    "{s:I,s:I,s:s}", "index", (json_int_t)i, "id",
		    (json_int_t)f.id, "state", fstate_name(f.state))) != 0)
			rc = FX_ENOMEM;
		finding_release(&f);
	}
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
	http_reply_json(rp, 200, json_pack("{s:I,s:I,s:I,s:I,s:O}",
	    "created", (json_int_t)j->res.created,
	    "updated", (json_int_t)j->res.updated,
	    "resolved", (json_int_t)j->res.resolved,
	    "ignored", (json_int_t)j->res.ignored, "findings", j->out));
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

	if (!bearer_ok(a, r, rp))
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
	if (j->doc == NULL || !json_is_array(j->doc)) {
		http_reply_error(rp, 400, j->doc ? "body must be a JSON array of "
		    "findings" : "malformed JSON at line %d: %s", jerr.line,
		    jerr.text);
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
		rc = validate_item(a->cfg->policy, json_array_get(j->doc, i), i,
		    &j->items[i], &err);
		if (rc != FX_OK) {
			http_reply_error(rp, rc == FX_EINVAL ? 400 : 500, "%s",
			    buf_str(&err));
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
	json_t *out;
};

static fx_err
list_job_run(struct db *db, void *arg)
{
	struct list_job *j = arg;

	return db_findings_list(db, &j->flt, &j->out);
}

void
h_findings_get(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct list_job j;
	const char *v;
	int64_t n;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	if (!bearer_ok(a, r, rp))
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
			http_reply_error(rp, 400, "after: must be a finding id");
			return;
		}
	}
	rc = dbw_read(a->w, list_job_run, &j);
	if (rc != FX_OK) {
		http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
		    "could not list findings");
		return;
	}
	http_reply_json(rp, 200, j.out);
}

void
h_healthz(struct app *a, struct http_request *r, struct http_reply *rp)
{
	http_reply_json(rp, 200, json_pack("{s:s}", "status", "ok"));
}

struct gauge_job {
	json_t *counts;
	int64_t pending;
};

static fx_err
gauge_job_run(struct db *db, void *arg)
{
	struct gauge_job *j = arg;
	fx_err rc;

	rc = db_counts(db, &j->counts);
	if (rc == FX_OK)
		rc = db_outbox_depth(db, &j->pending);
	return rc;
}

void
h_metrics(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct gauge_job j = { NULL, 0 };
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
		    fstate_name((enum fstate)st), (long long)json_integer_value(
		    json_object_get(by_state, fstate_name((enum fstate)st))));
	if (rc == FX_OK)
		rc = buf_addf(&out, "# HELP fixit_outbox_pending Slack calls "
		    "waiting for delivery.\n# TYPE fixit_outbox_pending gauge\n"
		    "fixit_outbox_pending %lld\n", (long long)j.pending);
	if (rc == FX_OK)
		http_reply_text(rp, 200, "text/plain; version=0.0.4",
		    buf_str(&out));
	else
		http_reply_error(rp, 500, "could not render metrics");
	json_decref(j.counts);
	buf_release(&out);
}
