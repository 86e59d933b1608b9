/*
 * events.c - the events thread (see events.h).
 *
 * Thread model: one thread "fixit-events". The HTTP layer hands it each
 * event it stored, after the commit (events_queue: a bounded in-memory
 * queue, so the body is not read back from disk); at start-up, when the
 * queue overflowed, and every few seconds when idle, it also sweeps the
 * store for pending events (what a crash or an overflow left). For each
 * event it works out what it asks for (pure code: events/ev_decide.h),
 * checks each finding (sm_check_finding), makes the AWS tag calls
 * outside any transaction, then submits one writer job
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
#include "ev_decide.h"
#include "events.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "jsonfail.h"
#include "sender.h"
#include "sm.h"
#include "timer.h"
#include "banned.h"

#define EVENTS_BATCH	 200  /* pending events read per sweep */
#define EVENTS_QUEUE	 8192 /* events handed over in memory */
#define EVENTS_IN_FLIGHT 256  /* writer jobs submitted, not yet done */
#define EVENTS_POLL_MS	 1000
#define EVENTS_SWEEP_MS	 5000 /* idle: look for what was missed */
#define EV_MAX_ITEMS	 2000 /* findings from one event */

struct qev {
	char *id, *kind;
	json_t *doc; /* parsed by the HTTP thread; owned here */
};

struct events {
	struct app *app;
	struct aws_exec *aws;
	struct aws_client *client; /* the events thread's, lazily */
	struct fx_worker wk;
	struct ev_settings set;	      /* borrows from the policy */
	struct ev_map_entry *entries; /* sh then cu; borrow from policy */
	pthread_mutex_t mu;	      /* guards the fields below */
	pthread_cond_t cv;	      /* a job finished */
	struct qev *q;		      /* ring of EVENTS_QUEUE */
	size_t qhead, qlen;
	int overflow; /* dropped: sweep the store */
	int in_flight;
	struct outcome *reap; /* done jobs, freed on this thread */
};

/* what one event asks for; freed when its writer job is done */
struct outcome {
	struct dbw_req req;
	struct events *e;
	struct outcome *next; /* on the reap list */
	char *id;
	json_t *doc; /* the parsed event */
	/* findings (dec.in: checked ones only) and messages; borrows from
	 * doc and e->set */
	struct ev_decision dec;
	json_t *result; /* what was done, stored on the event */
	struct event_done done;
	char actor[256];
};

/* append v (stolen) to the result's list key; best effort */
static void
note(struct outcome *o, const char *key, json_t *v)
{
	json_t *arr = json_object_get(o->result, key);

	if (arr == NULL &&
	    json_object_set_new(o->result, key, arr = json_array()) != 0)
		arr = NULL;
	if (json_array_append_new(arr, v) != 0)
		return; /* v is freed either way */
}

/* ---- AWS calls ------------------------------------------------------------ */

static void
tag_creator(struct events *e, const struct ev_info *info,
    const struct ev_action *act, struct outcome *o)
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
		log_warnx("%s: event %s: %s", __func__, info->id,
		    buf_str(&msg));
	note(o, "tags", json_string(buf_str(&msg)));
	buf_release(&msg);
}

/* ---- one event ----------------------------------------------------------- */

static fx_err
cloudtrail(struct events *e, struct outcome *o, struct buf *why)
{
	const struct account *a;
	struct ev_account acct;
	struct ev_info info;
	size_t i;
	fx_err rc;

	rc = ev_parse(o->doc, &info, why);
	if (rc != FX_OK)
		goto out;
	ev_classify(&e->set.rules, o->doc, &info);
	snprintf(o->actor, sizeof(o->actor), "%s", info.actor);
	o->done.account_id = info.account;
	o->done.event_name = info.event_name;
	o->done.actor = o->actor[0] ? o->actor : NULL;
	o->done.event_time = info.time;
	json_object_set_new(o->result, "verdict",
	    json_string(ev_verdict_name(info.verdict)));
	json_object_set_new(o->result, "why",
	    json_string(info.why ? info.why : ""));
	a = policy_account(e->app->cfg->policy, info.account);
	acct.name = a != NULL ? a->name : NULL;
	acct.prod = a != NULL && a->env == ENV_PROD;
	rc = ev_decide_cloudtrail(&e->set, &acct, &info, o->doc, &o->dec);
	if (rc != FX_OK)
		goto out;
	o->done.launches = o->dec.launches;
	for (i = 0; i < o->dec.acts.n; i++)
		if (o->dec.acts.v[i].kind == EV_ACT_CREATED)
			tag_creator(e, &info, &o->dec.acts.v[i], o);
out:
	return rc;
}

/* Security Hub / Custodian: the mapped findings */
static fx_err
mapped(struct events *e, struct outcome *o, int custodian, struct buf *why)
{
	fx_err rc;

	if (custodian)
		rc = ev_decide_custodian(&e->set, o->doc, &o->dec, why);
	else
		rc = ev_decide_securityhub(&e->set, o->doc, &o->dec, why);
	if (rc != FX_OK)
		goto out;
	json_object_set_new(o->result, "skipped",
	    json_integer((json_int_t)o->dec.skipped));
	o->done.account_id = json_string_value(
	    json_object_get(o->doc, custodian ? "account_id" : "account"));
out:
	return rc;
}

/* GuardDuty: a finding that names a decoy key */
static fx_err
guardduty(struct events *e, struct outcome *o, struct buf *why)
{
	fx_err rc;

	rc = ev_decide_guardduty(&e->set, o->doc, &o->dec, why);
	if (rc == FX_OK)
		o->done.account_id =
		    json_string_value(json_object_get(o->doc, "account"));
	return rc;
}

/* only the findings the state machine takes stay in dec.in (the others
 * are noted on the event) */
static fx_err
check(struct events *e, struct outcome *o)
{
	struct buf err = BUF_INIT;
	struct finding_in *f;
	size_t i, k = 0, n = o->dec.nin;
	fx_err rc = FX_OK;

	if (n > EV_MAX_ITEMS)
		n = EV_MAX_ITEMS;
	buf_init(&err, 1024);
	for (i = 0; i < n; i++) {
		f = &o->dec.in[i];
		buf_reset(&err);
		rc = sm_check_finding(e->app->cfg->policy, f, i, &err);
		if (rc == FX_EINVAL) {
			note(o, "invalid", json_string(buf_str(&err)));
			rc = FX_OK;
			continue;
		}
		if (rc != FX_OK)
			break;
		if (f->observed_at == 0)
			f->observed_at = fx_now();
		o->dec.in[k++] = *f;
	}
	o->dec.nin = k;
	buf_release(&err);
	return rc;
}

/*
 * The batch rule (ev_decide_batch), on the writer: it sees every earlier
 * event's launches.
 */
static fx_err
batch_rule(struct db *db, struct events *e, struct outcome *o)
{
	const struct ev_settings *s = &e->set;
	int64_t before = 0;
	fx_err rc;

	rc = db_event_launches(db, o->done.actor, o->done.account_id,
	    o->done.event_time - s->launch_window, s->launch_batch + 1,
	    &before);
	if (rc != FX_OK)
		goto out;
	rc = ev_decide_batch(s, before, &o->dec);
out:
	return rc;
}

/* an outbox row for message m: its fact (fxsay.h), + "email" for a DM */
static fx_err
add_msg(struct db *db, const struct ev_msg *m, int64_t now)
{
	const char *kind = m->kind == EV_MSG_DM ? "dm" : "admin_msg";
	json_t *args = json_deep_copy(m->fact);
	fx_err rc = FX_ENOMEM;

	if (args != NULL && m->kind == EV_MSG_DM &&
	    json_object_set_new(args, "email", json_string(m->email)) != 0)
		goto out;
	if (args == NULL)
		goto out;
	rc = db_outbox_add(db, kind, 0, args, now);
out:
	json_decref(args);
	return rc;
}

/*
 * A decoy key seen again while its finding is open, being fixed, fixed or
 * failed: one finding, one quarantine, one page (the event still notes
 * it). in[0] is dropped, and the page with it.
 */
static fx_err
honeypot_seen(struct db *db, struct outcome *o)
{
	const struct finding_in *in = &o->dec.in[0];
	struct finding f;
	size_t i, k = 0;
	fx_err rc;

	if (!o->dec.honeypot || o->dec.nin == 0 ||
	    strcmp(in->playbook, o->e->set.honeypot_playbook) != 0)
		return FX_OK;
	memset(&f, 0, sizeof(f));
	rc = db_finding_find(db, in->playbook, in->account_id, in->region,
	    in->resource_id, &f);
	if (rc == FX_ENOTFOUND)
		return FX_OK;
	if (rc != FX_OK)
		return rc;
	if (f.state == FS_OPEN || f.state == FS_FIXING || f.state == FS_FIXED ||
	    f.state == FS_FAILED || f.state == FS_NOTIFIED) {
		note(o, "honeypot",
		    json_sprintf("seen again: finding %lld is %s",
			(long long)f.id, fstate_name(f.state)));
		memmove(&o->dec.in[0], &o->dec.in[1],
		    (o->dec.nin - 1) * sizeof(*o->dec.in));
		o->dec.nin--;
		for (i = 0; i < o->dec.nmsgs; i++)
			if (o->dec.msgs[i].honeypot)
				json_decref(o->dec.msgs[i].fact);
			else
				o->dec.msgs[k++] = o->dec.msgs[i];
		o->dec.nmsgs = k;
		o->dec.honeypot = 0;
	}
	finding_release(&f);
	return FX_OK;
}

/* a has a value equal to v */
static int
array_has(const json_t *a, const json_t *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(a, i, x) {
		if (json_equal(x, v))
			return 1;
	}
	return 0;
}

#define EV_CS_SECRETS 50 /* secrets listed on a CloudShell session */

/*
 * A CloudShell session's finding lists every secret it read: the ones
 * its stored finding lists first, then this read's (at most
 * EV_CS_SECRETS; best effort: the admins' message names each read).
 */
static fx_err
cloudshell_secrets(struct db *db, struct outcome *o)
{
	const char *pb = o->e->set.cloudshell_playbook;
	struct finding_in *in;
	struct finding f;
	json_t *old, *now, *v, *all;
	size_t i, k;
	fx_err rc = FX_OK;

	for (i = 0; pb != NULL && i < o->dec.nin && rc == FX_OK; i++) {
		in = &o->dec.in[i];
		if (strcmp(in->playbook, pb) != 0)
			continue;
		memset(&f, 0, sizeof(f));
		rc = db_finding_find(db, in->playbook, in->account_id,
		    in->region, in->resource_id, &f);
		if (rc == FX_ENOTFOUND) {
			rc = FX_OK;
			continue;
		}
		if (rc != FX_OK)
			break;
		old = f.details ? json_loads(f.details, 0, NULL) : NULL;
		/* the decision's own object (ev_watch.c) */
		now = json_object_get(in->details, "secrets");
		all = json_deep_copy(json_object_get(old, "secrets"));
		if (!json_is_array(all)) {
			json_decref(all);
			all = json_array();
		}
		json_array_foreach(now, k, v) {
			if (json_array_size(all) < EV_CS_SECRETS &&
			    !array_has(all, v))
				json_array_append(all, v);
		}
		if (all != NULL)
			json_object_set_new((json_t *)in->details, "secrets",
			    all);
		json_decref(old);
		finding_release(&f);
	}
	return rc;
}

/* findings and messages, all or nothing (a nested savepoint) */
static fx_err
apply_changes(struct db *db, struct outcome *o, int64_t now)
{
	struct ingest_result res;
	size_t i;
	fx_err rc;

	rc = db_savepoint(db);
	if (rc != FX_OK)
		goto out;
	if (o->dec.nin > 0)
		rc = sm_ingest(db, o->e->app->cfg->policy, o->dec.in,
		    o->dec.nin, now, &res);
	for (i = 0; rc == FX_OK && i < o->dec.nmsgs; i++)
		rc = add_msg(db, &o->dec.msgs[i], now);
	if (rc == FX_OK)
		db_savepoint_release(db);
	else
		db_savepoint_rollback(db);
out:
	return rc;
}

static fx_err
apply_job_run(struct db *db, void *arg)
{
	struct outcome *o = arg;
	int64_t now = fx_now();
	fx_err rc = FX_OK;

	if (o->dec.launch)
		rc = batch_rule(db, o->e, o);
	if (rc == FX_OK && strcmp(o->done.state, "done") == 0)
		rc = honeypot_seen(db, o);
	if (rc == FX_OK && strcmp(o->done.state, "done") == 0)
		rc = cloudshell_secrets(db, o);
	if (rc != FX_OK)
		return rc;
	if (strcmp(o->done.state, "done") == 0 &&
	    (rc = apply_changes(db, o, now)) == FX_EINVAL) {
		o->done.state = "error"; /* refused: recorded, not retried */
		json_object_set_new(o->result, "error",
		    json_string("its findings were refused"));
		rc = FX_OK;
	}
	if (rc != FX_OK)
		return rc;
	json_object_set_new(o->result, "findings",
	    json_integer(
		(json_int_t)(strcmp(o->done.state, "done") == 0 ? o->dec.nin
								: 0)));
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
	ev_decision_release(&o->dec);
	json_decref(o->doc);
	json_decref(o->result);
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

	if (r->rc == FX_OK && (o->dec.nin > 0 || o->dec.nmsgs > 0))
		sender_kick(e->app->sender);
	/* a decoy key's fix does not wait for the next tick */
	if (r->rc == FX_OK && o->dec.honeypot && o->dec.nin > 0)
		timer_kick(e->app->timer);
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
		else if (o->dec.batch[0])
			log_info("%s: event %s: %s", __func__, o->id,
			    o->dec.batch);
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
	outcome_free(o); /* stopping: it stays pending for next time */
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
	ev_decision_init(&o->dec);
	o->result = json_object();
	if (o->id == NULL || o->result == NULL) {
		outcome_free(o);
		return NULL;
	}
	return o;
}

/* mark an event that cannot be processed; it is not tried again */
static void
give_up(struct outcome *o, const char *why)
{
	o->dec.nin = 0;
	o->dec.nmsgs = 0;
	o->dec.launch = 0;
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
	o->doc =
	    doc != NULL ? doc : json_loads(body, JSON_REJECT_DUPLICATES, &je);
	if (o->doc == NULL)
		rc = json_failed_for_memory(body, strlen(body), &je)
			 ? FX_ENOMEM /* stays pending, not given up */
			 : FX_EINVAL;
	else if (strcmp(kind, "cloudtrail") == 0)
		rc = cloudtrail(e, o, &why);
	else if (strcmp(kind, "guardduty") == 0)
		rc = guardduty(e, o, &why);
	else
		rc = mapped(e, o, strcmp(kind, "custodian") == 0, &why);
	if (rc == FX_OK)
		rc = check(e, o);
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
events_queue(struct events *e, const char *id, const char *kind, json_t *doc)
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
		e->overflow = 1; /* the store has it: a sweep finds it */
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

/* name when the policy has such a playbook, else NULL */
static const char *
known_playbook(const struct policy *pol, const char *name)
{
	return name != NULL && policy_playbook(pol, name) != NULL ? name : NULL;
}

/* the config's events: section as the decisions take it */
static void
settings_init(struct events *e)
{
	const struct policy *pol = e->app->cfg->policy;
	const struct events_settings *es = &pol->events;
	struct ev_settings *s = &e->set;

	s->rules.employee_pattern = es->employee_pattern;
	s->rules.automation = (const char *const *)es->automation;
	s->quarantine_playbook = known_playbook(pol, es->quarantine_playbook);
	s->dangling_playbook = known_playbook(pol, es->dangling_playbook);
	s->owner_tag = pol->aws.owner_tag;
	s->iac_tags = (const char *const *)es->iac_tags;
	s->launch_batch = es->launch_batch;
	s->launch_window = es->launch_window;
	s->honeypot_keys = (const char *const *)es->honeypot_keys;
	s->honeypot_playbook = known_playbook(pol, es->honeypot_playbook);
	s->cloudshell_playbook = known_playbook(pol, es->cloudshell_playbook);
}

/* the rule -> playbook maps from the config's objects */
static fx_err
build_maps(struct events *e)
{
	const struct events_settings *es = &e->app->cfg->policy->events;
	struct ev_map *sh = &e->set.securityhub, *cu = &e->set.custodian;
	size_t n = json_object_size(es->securityhub) +
		   json_object_size(es->custodian),
	       k = 0;
	const char *key;
	json_t *v;

	if ((e->entries = calloc(n + 1, sizeof(*e->entries))) == NULL)
		return FX_ENOMEM;
	sh->e = e->entries;
	json_object_foreach(es->securityhub, key, v) {
		e->entries[k].key = key;
		e->entries[k++].playbook = json_string_value(v);
	}
	sh->n = k;
	cu->e = e->entries + k;
	json_object_foreach(es->custodian, key, v) {
		e->entries[k].key = key;
		e->entries[k++].playbook = json_string_value(v);
	}
	cu->n = k - sh->n;
	return FX_OK;
}

fx_err
events_start(struct app *app, struct aws_exec *aws, struct events **out)
{
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
	settings_init(e);
	rc = build_maps(e);
	if (rc == FX_OK)
		rc = fx_worker_start(&e->wk, "fixit-events", events_main, e);
	if (rc != FX_OK) {
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

const struct ev_map *
events_map_securityhub(const struct events *e)
{
	return e != NULL ? &e->set.securityhub : NULL;
}

const struct ev_map *
events_map_custodian(const struct events *e)
{
	return e != NULL ? &e->set.custodian : NULL;
}
