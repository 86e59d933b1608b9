/*
 * events.c - the events thread (see events.h).
 *
 * Thread model: one thread "fixit-events". Kicked when an event is
 * stored (and every second), it reads pending events on the reader
 * connection, works out what each asks for (pure code: ev.c, ev_map.c),
 * makes the AWS tag calls outside any transaction, then records the
 * event's findings, messages and "done" mark in one writer job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws_exec.h"
#include "db.h"
#include "ev.h"
#include "events.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "sender.h"
#include "sm.h"
#include "banned.h"

#define EVENTS_BATCH	200
#define EVENTS_POLL_MS	1000
#define EV_MAX_ITEMS	2000	/* findings from one event */

struct events {
	struct app *app;
	struct aws_exec *aws;
	struct aws_client *client;	/* the events thread's, lazily */
	struct fx_worker wk;
	struct ev_rules rules;
	struct ev_map sh, cu;
	struct ev_map_entry *entries;	/* sh then cu; borrow from policy */
};

/* what one event asks for, before it is recorded */
struct outcome {
	json_t *doc;		/* the parsed event */
	json_t *items;		/* ingest items (objects) */
	json_t *msgs;		/* [{"kind", "args"}] outbox rows */
	json_t *result;		/* what was done, stored on the event */
	struct finding_in *in;	/* validated items, borrowing from items */
	size_t nin;
	struct event_done done;
	char actor[256];
};

/* ---- building items ----------------------------------------------------- */

static void
note(struct outcome *o, const char *key, json_t *v)
{
	json_t *arr = json_object_get(o->result, key);

	if (v == NULL)
		return;
	if (arr == NULL && json_object_set_new(o->result, key,
	    arr = json_array()) != 0) {
		json_decref(v);
		return;
	}
	if (json_array_append_new(arr, v) != 0)
		return;
}

static int
is_email(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strchr(s, ' ') == NULL &&
	    strlen(s) <= 254;
}

/* an item owned by the actor of a CloudTrail event */
static json_t *
actor_item(const struct ev_info *info, const char *playbook,
    const char *region, const char *resource, const char *title)
{
	json_t *it;
	char when[21];

	fx_iso8601_format(info->time, when);
	it = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, "
	    "s:s}}", "playbook", playbook, "account_id", info->account,
	    "region", region, "resource_id", resource, "title", title,
	    "observed_at", when, "details", "source", "cloudtrail",
	    "event_id", info->id, "event_name", info->event_name, "actor",
	    info->actor);
	if (it != NULL && is_email(info->actor) &&
	    json_object_set_new(it, "owner_email", json_string(info->actor)) !=
	    0) {
		json_decref(it);
		return NULL;
	}
	return it;
}

/* RunInstances tags -> {"Key": "Value"} (IaC markers, owner) */
static json_t *
launch_tags(const json_t *doc)
{
	const json_t *specs = json_object_get(json_object_get(json_object_get(
	    json_object_get(doc, "detail"), "requestParameters"),
	    "tagSpecificationSet"), "items");
	json_t *out = json_object(), *spec, *t;
	size_t i, k;

	json_array_foreach(specs, i, spec) {
		json_array_foreach(json_object_get(spec, "tags"), k, t) {
			if (json_is_string(json_object_get(t, "key")) &&
			    json_is_string(json_object_get(t, "value")))
				json_object_set(out, json_string_value(
				    json_object_get(t, "key")),
				    json_object_get(t, "value"));
		}
	}
	return out;
}

struct launch_job {
	const char *actor, *account;
	int64_t since, count;
};

static fx_err
launch_job_run(struct db *db, void *arg)
{
	struct launch_job *j = arg;

	return db_event_launches(db, j->actor, j->account, j->since,
	    &j->count);
}

/* instances the actor launched by hand in the window before this event */
static fx_err
events_launches(struct events *e, const struct ev_info *info,
    int64_t *count)
{
	struct launch_job j;
	fx_err rc;

	j.actor = info->actor;
	j.account = info->account;
	j.since = info->time - e->app->cfg->policy->events.launch_window;
	j.count = 0;
	rc = dbw_read(e->app->w, launch_job_run, &j);
	*count = j.count;
	return rc;
}

static fx_err
launch_items(struct events *e, const struct ev_info *info,
    const json_t *act, struct outcome *o)
{
	const struct policy *pol = e->app->cfg->policy;
	const struct events_settings *es = &pol->events;
	const struct account *a = policy_account(pol, info->account);
	json_t *ids = json_object_get(act, "instance_ids"), *id, *it, *tags;
	int64_t count = json_integer_value(json_object_get(act, "count"));
	int64_t before = 0;
	char title[300], batch[128];
	size_t i;
	fx_err rc = FX_OK;

	o->done.launches = count;
	if (a == NULL || a->env != ENV_PROD || es->quarantine_playbook ==
	    NULL || policy_playbook(pol, es->quarantine_playbook) == NULL)
		return FX_OK;
	if ((rc = events_launches(e, info, &before)) != FX_OK)
		return rc;
	batch[0] = '\0';
	if (before + count > es->launch_batch)
		snprintf(batch, sizeof(batch), "%lld instances launched by "
		    "the same person within %llds: scripted batch work, "
		    "notify only", (long long)(before + count),
		    (long long)es->launch_window);
	tags = launch_tags(o->doc);
	json_array_foreach(ids, i, id) {
		snprintf(title, sizeof(title), "Instance %.40s launched by "
		    "hand by %.120s in a production account",
		    json_string_value(id), info->actor);
		it = actor_item(info, es->quarantine_playbook,
		    info->aws_region, json_string_value(id), title);
		if (it == NULL || (batch[0] && json_object_set_new(
		    json_object_get(it, "details"), "notify_only",
		    json_true()) != 0) || (batch[0] && json_object_set_new(
		    json_object_get(it, "details"), "batch",
		    json_string(batch)) != 0) || ev_apply_tags(it, tags, NULL,
		    (const char *const *)es->iac_tags) != FX_OK ||
		    json_array_append_new(o->items, it) != 0) {
			rc = FX_ENOMEM;
			break;
		}
	}
	json_decref(tags);
	return rc;
}

static fx_err
dangling_item(struct events *e, const struct ev_info *info,
    const json_t *act, struct outcome *o)
{
	const struct policy *pol = e->app->cfg->policy;
	const char *pb = pol->events.dangling_playbook;
	const char *type = json_string_value(json_object_get(act, "type"));
	const char *name = json_string_value(json_object_get(act, "name"));
	const char *region = json_string_value(json_object_get(act,
	    "region"));
	char rid[300], title[300];
	json_t *it, *d;

	if (pb == NULL || policy_playbook(pol, pb) == NULL ||
	    policy_account(pol, info->account) == NULL || type == NULL ||
	    name == NULL)
		return FX_OK;
	snprintf(rid, sizeof(rid), "%s:%s", type, name);
	snprintf(title, sizeof(title), "%s %.200s was deleted: DNS records "
	    "may still point at it", strcmp(type, "s3") == 0 ? "S3 bucket" :
	    "Load balancer", name);
	it = actor_item(info, pb, region ? region : info->aws_region, rid,
	    title);
	d = it ? json_object_get(it, "details") : NULL;
	if (d == NULL || json_object_set_new(d, "kind", json_string(type)) ||
	    json_object_set_new(d, "name", json_string(name)) ||
	    json_object_set(d, "region", json_object_get(act, "region")) ||
	    (json_object_get(act, "arn") && json_object_set(d, "arn",
	    json_object_get(act, "arn"))) ||
	    json_array_append_new(o->items, it) != 0) {
		json_decref(it);
		return FX_ENOMEM;
	}
	return FX_OK;
}

static fx_err
new_user_msgs(struct events *e, const struct ev_info *info,
    const json_t *act, struct outcome *o)
{
	const struct account *a = policy_account(e->app->cfg->policy,
	    info->account);
	const char *user = json_string_value(json_object_get(act,
	    "user_name"));
	char text[800];
	json_t *m;

	snprintf(text, sizeof(text), "IAM user *%s* was created in %s (%s) "
	    "by %s.", user ? user : "?", a ? a->name : "an unconfigured "
	    "account", info->account, info->actor);
	m = json_pack("{s:s, s:{s:s}}", "kind", "admin_msg", "args", "text",
	    text);
	if (m == NULL || json_array_append_new(o->msgs, m) != 0)
		return FX_ENOMEM;
	if (!is_email(info->actor))
		return FX_OK;
	snprintf(text, sizeof(text), "You created IAM user *%s* in %s (%s). "
	    "Long-lived IAM users are discouraged: the fixit admins were "
	    "told; tell them why it is needed.", user ? user : "?", a ?
	    a->name : "an unconfigured account", info->account);
	m = json_pack("{s:s, s:{s:s, s:s}}", "kind", "dm", "args", "email",
	    info->actor, "text", text);
	if (m == NULL || json_array_append_new(o->msgs, m) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

static void
tag_creator(struct events *e, const struct ev_info *info,
    const json_t *act, struct outcome *o)
{
	struct buf msg = BUF_INIT;

	if (e->aws == NULL || !e->app->cfg->policy->events.tag_creator ||
	    policy_account(e->app->cfg->policy, info->account) == NULL)
		return;
	if (e->client == NULL && aws_exec_client(e->aws, &e->client) != FX_OK)
		return;
	buf_init(&msg, 1024);
	if (aws_exec_tag_creator(e->aws, e->client, info->account,
	    info->aws_region, act, info->actor, &msg) != FX_OK)
		log_warnx("%s: event %s: %s", __func__, info->id, buf_str(&msg));
	note(o, "tags", json_string(buf_str(&msg)));
	buf_release(&msg);
}

/* ---- one event ----------------------------------------------------------- */

static fx_err
cloudtrail(struct events *e, struct outcome *o, struct buf *why)
{
	struct ev_info info;
	json_t *acts = json_array(), *act;
	const char *kind;
	size_t i;
	fx_err rc;

	if (acts == NULL)
		return FX_ENOMEM;
	if ((rc = ev_parse(o->doc, &info, why)) != FX_OK)
		goto out;
	ev_classify(&e->rules, o->doc, &info);
	snprintf(o->actor, sizeof(o->actor), "%s", info.actor);
	o->done.account_id = info.account;
	o->done.event_name = info.event_name;
	o->done.actor = o->actor[0] ? o->actor : NULL;
	o->done.event_time = info.time;
	json_object_set_new(o->result, "verdict",
	    json_string(ev_verdict_name(info.verdict)));
	json_object_set_new(o->result, "why", json_string(info.why ?
	    info.why : ""));
	if ((rc = ev_actions(&info, o->doc, acts)) != FX_OK)
		goto out;
	json_array_foreach(acts, i, act) {
		kind = json_string_value(json_object_get(act, "kind"));
		if (kind == NULL)
			continue;
		if (strcmp(kind, "launch") == 0)
			rc = launch_items(e, &info, act, o);
		else if (strcmp(kind, "dangling") == 0)
			rc = dangling_item(e, &info, act, o);
		else if (strcmp(kind, "new_user") == 0)
			rc = new_user_msgs(e, &info, act, o);
		else if (strcmp(kind, "created") == 0)
			tag_creator(e, &info, act, o);
		if (rc != FX_OK)
			break;
	}
out:
	json_decref(acts);
	return rc;
}

/* Security Hub / Custodian items: owners and IaC from their tags */
static fx_err
mapped(struct events *e, struct outcome *o, int custodian, struct buf *why)
{
	const struct policy *pol = e->app->cfg->policy;
	json_t *it;
	size_t i, skipped = 0;
	fx_err rc;

	rc = custodian ? evmap_custodian(o->doc, &e->cu, o->items, &skipped,
	    why) : evmap_securityhub(o->doc, &e->sh, o->items, &skipped, why);
	if (rc != FX_OK)
		return rc;
	json_object_set_new(o->result, "skipped", json_integer((json_int_t)
	    skipped));
	json_array_foreach(o->items, i, it) {
		rc = ev_apply_tags(it, json_object_get(it, "_tags"),
		    pol->aws.owner_tag, (const char *const *)
		    pol->events.iac_tags);
		if (rc == FX_ENOMEM)
			return rc;
		json_object_del(it, "_tags");
	}
	o->done.account_id = json_string_value(json_object_get(o->doc,
	    custodian ? "account_id" : "account"));
	return FX_OK;
}

/* items -> validated finding_in (bad ones noted and left out) */
static fx_err
validate(struct events *e, struct outcome *o)
{
	struct buf err = BUF_INIT;
	json_t *it;
	size_t i, n = json_array_size(o->items);
	fx_err rc = FX_OK;

	if (n > EV_MAX_ITEMS)
		n = EV_MAX_ITEMS;
	if ((o->in = calloc(n + 1, sizeof(*o->in))) == NULL)
		return FX_ENOMEM;
	buf_init(&err, 1024);
	for (i = 0; i < n; i++) {
		it = json_array_get(o->items, i);
		buf_reset(&err);
		rc = sm_validate_item(e->app->cfg->policy, it, i,
		    &o->in[o->nin], &err);
		if (rc == FX_EINVAL) {
			note(o, "invalid", json_string(buf_str(&err)));
			rc = FX_OK;
			continue;
		}
		if (rc != FX_OK)
			break;
		if (o->in[o->nin].observed_at == 0)
			o->in[o->nin].observed_at = fx_now();
		o->nin++;
	}
	buf_release(&err);
	return rc;
}

struct apply_job {
	const struct policy *pol;
	struct outcome *o;
	int64_t now;
	struct ingest_result res;
};

static fx_err
apply_job_run(struct db *db, void *arg)
{
	struct apply_job *j = arg;
	struct outcome *o = j->o;
	json_t *m;
	size_t i;
	fx_err rc = FX_OK;

	if (o->nin > 0)
		rc = sm_ingest(db, j->pol, o->in, o->nin, j->now, &j->res);
	json_array_foreach(o->msgs, i, m) {
		if (rc != FX_OK)
			break;
		rc = db_outbox_add(db, json_string_value(json_object_get(m,
		    "kind")), 0, json_object_get(m, "args"), j->now);
	}
	if (rc == FX_OK) {
		json_object_set_new(o->result, "findings",
		    json_integer((json_int_t)o->nin));
		o->done.result = o->result;
		rc = db_event_done(db, &o->done, fx_now_ms());
	}
	return rc;
}

static void
outcome_release(struct outcome *o)
{
	json_decref(o->doc);
	json_decref(o->items);
	json_decref(o->msgs);
	json_decref(o->result);
	free(o->in);
}

/* mark an event that cannot be processed; it is not tried again */
static void
give_up(struct events *e, struct outcome *o, const char *why)
{
	struct apply_job j;

	free(o->in);
	o->in = NULL;
	o->nin = 0;
	json_array_clear(o->msgs);
	o->done.state = "error";
	json_object_set_new(o->result, "error", json_string(why));
	memset(&j, 0, sizeof(j));
	j.pol = e->app->cfg->policy;
	j.o = o;
	j.now = fx_now();
	if (dbw_call(e->app->w, apply_job_run, &j) != FX_OK)
		log_warnx("%s: cannot mark an event failed", __func__);
}

static void
process_one(struct events *e, const struct event_row *row)
{
	struct outcome o;
	struct apply_job j;
	struct buf why = BUF_INIT;
	json_error_t je;
	fx_err rc;

	memset(&o, 0, sizeof(o));
	buf_init(&why, 1024);
	o.done.seq = row->seq;
	o.done.state = "done";
	o.items = json_array();
	o.msgs = json_array();
	o.result = json_object();
	o.doc = json_loads(row->body, JSON_REJECT_DUPLICATES, &je);
	if (o.items == NULL || o.msgs == NULL || o.result == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if (o.doc == NULL)
		rc = FX_EINVAL;
	else if (strcmp(row->kind, "cloudtrail") == 0)
		rc = cloudtrail(e, &o, &why);
	else
		rc = mapped(e, &o, strcmp(row->kind, "custodian") == 0, &why);
	if (rc == FX_OK)
		rc = validate(e, &o);
	if (rc == FX_EINVAL) {
		give_up(e, &o, why.len ? buf_str(&why) : "unreadable event");
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	memset(&j, 0, sizeof(j));
	j.pol = e->app->cfg->policy;
	j.o = &o;
	j.now = fx_now();
	rc = dbw_call(e->app->w, apply_job_run, &j);
	if (rc == FX_EINVAL)
		give_up(e, &o, "its findings were refused");
	else if (rc == FX_OK && (o.nin > 0 || json_array_size(o.msgs) > 0)) {
		log_info("%s: event %s (%s): %zu findings (%zu new), %zu "
		    "messages", __func__, row->id, row->kind, o.nin,
		    j.res.created, json_array_size(o.msgs));
		sender_kick(e->app->sender);
	}
out:
	if (rc != FX_OK && rc != FX_EINVAL)
		log_warnx("%s: event %s: %s; will retry", __func__, row->id,
		    fx_strerror(rc));
	buf_release(&why);
	outcome_release(&o);
}

/* ---- the thread ------------------------------------------------------------ */

struct pending_job {
	struct event_row *rows;
	size_t n;
};

static fx_err
pending_job_run(struct db *db, void *arg)
{
	struct pending_job *j = arg;

	return db_event_pending(db, EVENTS_BATCH, &j->rows, &j->n);
}

/* one batch; 1 when there may be more */
static int
round_once(struct events *e)
{
	struct pending_job j = { NULL, 0 };
	size_t i;

	if (dbw_read(e->app->w, pending_job_run, &j) != FX_OK)
		return 0;
	for (i = 0; i < j.n; i++) {
		if (!fx_worker_stopping(&e->wk))
			process_one(e, &j.rows[i]);
		event_row_release(&j.rows[i]);
	}
	free(j.rows);
	return j.n == EVENTS_BATCH && !fx_worker_stopping(&e->wk);
}

static void *
events_main(void *arg)
{
	struct events *e = arg;

	do {
		while (round_once(e))
			;
	} while (!fx_worker_wait(&e->wk, EVENTS_POLL_MS));
	aws_client_free(e->client);
	e->client = NULL;
	return NULL;
}

/* the rule -> playbook maps from the config's objects */
static fx_err
build_maps(struct events *e)
{
	const struct events_settings *es = &e->app->cfg->policy->events;
	size_t n = json_object_size(es->securityhub) +
	    json_object_size(es->custodian), k = 0;
	const char *key;
	json_t *v;

	if ((e->entries = calloc(n + 1, sizeof(*e->entries))) == NULL)
		return FX_ENOMEM;
	e->sh.e = e->entries;
	json_object_foreach(es->securityhub, key, v) {
		e->entries[k].key = key;
		e->entries[k++].playbook = json_string_value(v);
	}
	e->sh.n = k;
	e->cu.e = e->entries + k;
	json_object_foreach(es->custodian, key, v) {
		e->entries[k].key = key;
		e->entries[k++].playbook = json_string_value(v);
	}
	e->cu.n = k - e->sh.n;
	return FX_OK;
}

fx_err
events_start(struct app *app, struct aws_exec *aws, struct events **out)
{
	const struct events_settings *es = &app->cfg->policy->events;
	struct events *e;
	fx_err rc;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return FX_ENOMEM;
	e->app = app;
	e->aws = aws;
	e->rules.employee_pattern = es->employee_pattern;
	e->rules.automation = (const char *const *)es->automation;
	if ((rc = build_maps(e)) != FX_OK ||
	    (rc = fx_worker_start(&e->wk, "fixit-events", events_main, e)) !=
	    FX_OK) {
		free(e->entries);
		free(e);
		return rc;
	}
	*out = e;
	return FX_OK;
}

void
events_stop(struct events *e)
{
	if (e == NULL)
		return;
	fx_worker_stop(&e->wk);
	free(e->entries);
	free(e);
}

void
events_kick(struct events *e)
{
	if (e != NULL)
		fx_worker_kick(&e->wk);
}

const struct ev_map *
events_map_securityhub(const struct events *e)
{
	return e != NULL ? &e->sh : NULL;
}

const struct ev_map *
events_map_custodian(const struct events *e)
{
	return e != NULL ? &e->cu : NULL;
}
