/*
 * events.c - the events thread (see events.h).
 *
 * Thread model: one thread "fixit-events". The HTTP layer hands it each
 * event it stored, after the commit (events_queue: a bounded in-memory
 * queue, so the body is not read back from disk); at start-up, when the
 * queue overflowed, and every few seconds when idle, it also sweeps the
 * store for pending events (what a crash or an overflow left). For each
 * event it works out what it asks for (pure code: ev.c, ev_map.c), makes
 * the AWS tag calls outside any transaction, then submits one writer job
 * that marks the event done - only if it is still pending, so an event
 * is never applied twice - and records its findings and messages in the
 * same transaction. Jobs are submitted without waiting (the writer's
 * group commit batches them), at most EVENTS_IN_FLIGHT at a time.
 */
#include <pthread.h>
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

#define EVENTS_BATCH	200	/* pending events read per sweep */
#define EVENTS_QUEUE	8192	/* events handed over in memory */
#define EVENTS_IN_FLIGHT 256	/* writer jobs submitted, not yet done */
#define EVENTS_POLL_MS	1000
#define EVENTS_SWEEP_MS	5000	/* idle: look for what was missed */
#define EV_MAX_ITEMS	2000	/* findings from one event */

struct qev {
	char *id, *kind;
	json_t *doc;		/* parsed by the HTTP thread; owned here */
};

struct events {
	struct app *app;
	struct aws_exec *aws;
	struct aws_client *client;	/* the events thread's, lazily */
	struct fx_worker wk;
	struct ev_rules rules;
	struct ev_map sh, cu;
	struct ev_map_entry *entries;	/* sh then cu; borrow from policy */
	pthread_mutex_t mu;		/* guards the fields below */
	pthread_cond_t cv;		/* a job finished */
	struct qev *q;			/* ring of EVENTS_QUEUE */
	size_t qhead, qlen;
	int overflow;			/* dropped: sweep the store */
	int in_flight;
	struct outcome *reap;		/* done jobs, freed on this thread */
};

/* what one event asks for; freed when its writer job is done */
struct outcome {
	struct dbw_req req;
	struct events *e;
	struct outcome *next;	/* on the reap list */
	char *id;
	int launch;		/* items are manual launches: batch rule */
	char batch[160];	/* set by the job when they are batch work */
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

/* append v (stolen) to the result's list key; best effort */
static void
note(struct outcome *o, const char *key, json_t *v)
{
	json_t *arr = json_object_get(o->result, key);

	if (arr == NULL && json_object_set_new(o->result, key,
	    arr = json_array()) != 0)
		arr = NULL;
	if (json_array_append_new(arr, v) != 0)
		return;	/* v is freed either way */
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
	if (it != NULL && ev_is_email(info->actor) &&
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

static fx_err
launch_items(struct events *e, const struct ev_info *info,
    const json_t *act, struct outcome *o)
{
	const struct policy *pol = e->app->cfg->policy;
	const struct events_settings *es = &pol->events;
	const struct account *a = policy_account(pol, info->account);
	json_t *ids = json_object_get(act, "instance_ids"), *id, *it, *tags;
	char title[300];
	size_t i;
	fx_err rc = FX_OK;

	o->done.launches = json_integer_value(json_object_get(act, "count"));
	if (a == NULL || a->env != ENV_PROD || es->quarantine_playbook ==
	    NULL || policy_playbook(pol, es->quarantine_playbook) == NULL)
		return FX_OK;
	o->launch = 1;	/* the job counts the person's recent launches */
	tags = launch_tags(o->doc);
	json_array_foreach(ids, i, id) {
		snprintf(title, sizeof(title), "Instance %.40s launched by "
		    "hand by %.120s in a production account",
		    json_string_value(id), info->actor);
		it = actor_item(info, es->quarantine_playbook,
		    info->aws_region, json_string_value(id), title);
		if (it == NULL || ev_apply_tags(it, tags, NULL,
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
	if (!ev_is_email(info->actor))
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

/*
 * The batch rule, on the writer (it sees every earlier event's launches):
 * more than launch_batch instances by this person within the window,
 * this event's included, makes its findings notify-only.
 */
static fx_err
batch_rule(struct db *db, struct events *e, struct outcome *o)
{
	const struct events_settings *es = &e->app->cfg->policy->events;
	int64_t before = 0, total;
	json_t *d;
	size_t i;
	fx_err rc;

	rc = db_event_launches(db, o->done.actor, o->done.account_id,
	    o->done.event_time - es->launch_window, es->launch_batch + 1,
	    &before);
	if (rc != FX_OK)
		return rc;
	total = before + o->done.launches;
	if (total <= es->launch_batch)
		return FX_OK;
	snprintf(o->batch, sizeof(o->batch), "%lld instances launched by the "
	    "same person within %llds: scripted batch work, notify only",
	    (long long)total, (long long)es->launch_window);
	for (i = 0; i < o->nin; i++) {
		o->in[i].notify_only = 1;
		d = (json_t *)o->in[i].details;	/* ours: the item's object */
		if (d != NULL && (json_object_set_new(d, "notify_only",
		    json_true()) != 0 || json_object_set_new(d, "batch",
		    json_string(o->batch)) != 0))
			return FX_ENOMEM;
	}
	return FX_OK;
}

/* findings and messages, all or nothing (a nested savepoint) */
static fx_err
apply_changes(struct db *db, struct outcome *o, int64_t now)
{
	struct ingest_result res;
	json_t *m;
	size_t i;
	fx_err rc;

	if ((rc = db_savepoint(db)) != FX_OK)
		return rc;
	if (o->nin > 0)
		rc = sm_ingest(db, o->e->app->cfg->policy, o->in, o->nin, now,
		    &res);
	json_array_foreach(o->msgs, i, m) {
		if (rc != FX_OK)
			break;
		rc = db_outbox_add(db, json_string_value(json_object_get(m,
		    "kind")), 0, json_object_get(m, "args"), now);
	}
	if (rc == FX_OK) {
		db_savepoint_release(db);
		return FX_OK;
	}
	db_savepoint_rollback(db);
	return rc;
}

static fx_err
apply_job_run(struct db *db, void *arg)
{
	struct outcome *o = arg;
	int64_t now = fx_now();
	fx_err rc = FX_OK;

	if (o->launch && (rc = batch_rule(db, o->e, o)) != FX_OK)
		return rc;
	if (strcmp(o->done.state, "done") == 0 &&
	    (rc = apply_changes(db, o, now)) == FX_EINVAL) {
		o->done.state = "error";	/* refused: recorded, not retried */
		json_object_set_new(o->result, "error",
		    json_string("its findings were refused"));
		rc = FX_OK;
	}
	if (rc != FX_OK)
		return rc;
	json_object_set_new(o->result, "findings", json_integer(
	    (json_int_t)(strcmp(o->done.state, "done") == 0 ? o->nin : 0)));
	o->done.result = o->result;
	rc = db_event_done(db, &o->done, fx_now_ms());
	/* already done (a sweep met an event in flight): a no-op, undone */
	return rc == FX_ENOTFOUND ? FX_ECONFLICT : rc;
}

static void
outcome_free(struct outcome *o)
{
	if (o == NULL)
		return;
	json_decref(o->doc);
	json_decref(o->items);
	json_decref(o->msgs);
	json_decref(o->result);
	free(o->in);
	free(o->id);
	free(o);
}

/*
 * On the writer, after the commit: quick. The outcome goes back to the
 * events thread to be freed there (its memory came from that thread;
 * freeing it here made the writer pay for another arena's frees).
 */
static void
apply_done(struct dbw_req *r)
{
	struct outcome *o = (struct outcome *)r;
	struct events *e = o->e;

	if (r->rc == FX_OK && (o->nin > 0 || json_array_size(o->msgs) > 0))
		sender_kick(e->app->sender);
	pthread_mutex_lock(&e->mu);
	o->next = e->reap;
	e->reap = o;
	e->in_flight--;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

/* free what the writer finished with; log what failed */
static void
reap(struct events *e)
{
	struct outcome *o, *next;

	pthread_mutex_lock(&e->mu);
	o = e->reap;
	e->reap = NULL;
	pthread_mutex_unlock(&e->mu);
	for (; o != NULL; o = next) {
		next = o->next;
		if (o->req.rc != FX_OK && o->req.rc != FX_ECONFLICT)
			log_warnx("%s: event %s: %s; it stays pending",
			    __func__, o->id, fx_strerror(o->req.rc));
		else if (o->batch[0])
			log_info("%s: event %s: %s", __func__, o->id,
			    o->batch);
		outcome_free(o);
	}
}

static void
submit(struct events *e, struct outcome *o)
{
	reap(e);
	pthread_mutex_lock(&e->mu);
	while (e->in_flight >= EVENTS_IN_FLIGHT)
		pthread_cond_wait(&e->cv, &e->mu);
	e->in_flight++;
	pthread_mutex_unlock(&e->mu);
	o->req.fn = apply_job_run;
	o->req.arg = o;
	o->req.done = apply_done;
	if (dbw_submit(e->app->w, &o->req) == FX_OK)
		return;
	outcome_free(o);	/* stopping: it stays pending for next time */
	pthread_mutex_lock(&e->mu);
	e->in_flight--;
	pthread_mutex_unlock(&e->mu);
}

static struct outcome *
outcome_new(struct events *e, const char *id)
{
	struct outcome *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->e = e;
	o->id = strdup(id);
	o->done.id = o->id;
	o->done.state = "done";
	o->items = json_array();
	o->msgs = json_array();
	o->result = json_object();
	if (o->id == NULL || o->items == NULL || o->msgs == NULL ||
	    o->result == NULL) {
		outcome_free(o);
		return NULL;
	}
	return o;
}

/* mark an event that cannot be processed; it is not tried again */
static void
give_up(struct outcome *o, const char *why)
{
	free(o->in);
	o->in = NULL;
	o->nin = 0;
	o->launch = 0;
	json_array_clear(o->msgs);
	o->done.state = "error";
	json_object_set_new(o->result, "error", json_string(why));
	log_warnx("give_up: event %s: %s", o->id, why);
}

/* doc: the parsed event (stolen), or NULL to parse body */
static void
process_one(struct events *e, const char *id, const char *kind,
    const char *body, json_t *doc)
{
	struct outcome *o;
	struct buf why = BUF_INIT;
	json_error_t je;
	fx_err rc;

	if ((o = outcome_new(e, id)) == NULL) {
		log_warnx("%s: event %s: out of memory", __func__, id);
		json_decref(doc);
		return;
	}
	buf_init(&why, 1024);
	o->doc = doc != NULL ? doc : json_loads(body, JSON_REJECT_DUPLICATES,
	    &je);
	if (o->doc == NULL)
		rc = FX_EINVAL;
	else if (strcmp(kind, "cloudtrail") == 0)
		rc = cloudtrail(e, o, &why);
	else
		rc = mapped(e, o, strcmp(kind, "custodian") == 0, &why);
	if (rc == FX_OK)
		rc = validate(e, o);
	if (rc == FX_EINVAL) {
		give_up(o, why.len ? buf_str(&why) : "unreadable event");
		rc = FX_OK;
	}
	buf_release(&why);
	if (rc != FX_OK) {
		log_warnx("%s: event %s: %s; it stays pending", __func__, id,
		    fx_strerror(rc));
		outcome_free(o);
		return;
	}
	submit(e, o);
}

/* ---- the thread ------------------------------------------------------------ */

void
events_queue(struct events *e, const char *id, const char *kind,
    json_t *doc)
{
	struct qev q;

	if (e == NULL) {
		json_decref(doc);
		return;
	}
	q.id = strdup(id);
	q.kind = strdup(kind);
	q.doc = doc;
	pthread_mutex_lock(&e->mu);
	if (q.id == NULL || q.kind == NULL || q.doc == NULL ||
	    e->qlen == EVENTS_QUEUE) {
		e->overflow = 1;	/* the store has it: a sweep finds it */
		free(q.id);
		free(q.kind);
		json_decref(q.doc);
	} else {
		e->q[(e->qhead + e->qlen++) % EVENTS_QUEUE] = q;
	}
	pthread_mutex_unlock(&e->mu);
	fx_worker_kick(&e->wk);
}

static int
pop(struct events *e, struct qev *q)
{
	int got = 0;

	pthread_mutex_lock(&e->mu);
	if (e->qlen > 0) {
		*q = e->q[e->qhead];
		e->qhead = (e->qhead + 1) % EVENTS_QUEUE;
		e->qlen--;
		got = 1;
	}
	pthread_mutex_unlock(&e->mu);
	return got;
}

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

/* wait until every submitted job is done (their events are no longer
 * pending), so a sweep does not take them again */
static void
drain(struct events *e)
{
	pthread_mutex_lock(&e->mu);
	while (e->in_flight > 0)
		pthread_cond_wait(&e->cv, &e->mu);
	pthread_mutex_unlock(&e->mu);
}

/* the store's pending events; 1 when there may be more */
static int
sweep(struct events *e)
{
	struct pending_job j = { NULL, 0 };
	size_t i;

	drain(e);
	pthread_mutex_lock(&e->mu);
	e->overflow = 0;
	pthread_mutex_unlock(&e->mu);
	if (dbw_read(e->app->w, pending_job_run, &j) != FX_OK)
		return 0;
	for (i = 0; i < j.n; i++) {
		if (!fx_worker_stopping(&e->wk))
			process_one(e, j.rows[i].id, j.rows[i].kind,
			    j.rows[i].body, NULL);
		event_row_release(&j.rows[i]);
	}
	free(j.rows);
	drain(e);
	return j.n == EVENTS_BATCH && !fx_worker_stopping(&e->wk);
}

static void *
events_main(void *arg)
{
	struct events *e = arg;
	int64_t last_sweep = 0;
	struct qev q;
	int overflow;

	do {
		while (!fx_worker_stopping(&e->wk) && pop(e, &q)) {
			process_one(e, q.id, q.kind, NULL, q.doc);
			free(q.id);
			free(q.kind);
		}
		reap(e);
		pthread_mutex_lock(&e->mu);
		overflow = e->overflow;
		pthread_mutex_unlock(&e->mu);
		/* at start-up, after an overflow, and now and then */
		if (overflow || last_sweep == 0 ||
		    fx_mono_ms() - last_sweep >= EVENTS_SWEEP_MS) {
			while (sweep(e))
				;
			last_sweep = fx_mono_ms();
		}
	} while (!fx_worker_wait(&e->wk, EVENTS_POLL_MS));
	drain(e);
	reap(e);
	aws_client_free(e->client);
	e->client = NULL;
	return NULL;
}

static void events_free(struct events *e);

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
	if ((e->q = calloc(EVENTS_QUEUE, sizeof(*e->q))) == NULL ||
	    pthread_mutex_init(&e->mu, NULL) != 0) {
		free(e->q);
		free(e);
		return FX_ENOMEM;
	}
	if (pthread_cond_init(&e->cv, NULL) != 0) {
		pthread_mutex_destroy(&e->mu);
		free(e->q);
		free(e);
		return FX_ENOMEM;
	}
	e->rules.employee_pattern = es->employee_pattern;
	e->rules.automation = (const char *const *)es->automation;
	if ((rc = build_maps(e)) != FX_OK ||
	    (rc = fx_worker_start(&e->wk, "fixit-events", events_main, e)) !=
	    FX_OK) {
		events_free(e);
		return rc;
	}
	*out = e;
	return FX_OK;
}

static void
events_free(struct events *e)
{
	size_t i;

	for (i = 0; i < e->qlen; i++) {
		free(e->q[(e->qhead + i) % EVENTS_QUEUE].id);
		free(e->q[(e->qhead + i) % EVENTS_QUEUE].kind);
		json_decref(e->q[(e->qhead + i) % EVENTS_QUEUE].doc);
	}
	reap(e);
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	free(e->q);
	free(e->entries);
	free(e);
}

void
events_stop(struct events *e)
{
	if (e == NULL)
		return;
	fx_worker_stop(&e->wk);
	events_free(e);
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
