/*
 * sm_fixture.h - the state machine tests' shared fixture: a policy built
 * in code, a temporary database, helpers that run one writer job per
 * state machine entry point (ingest, click, exception, housekeeping,
 * claim, finish, pause) and helpers that drain and query the outbox.
 *
 * Included by test_sm.c, test_sm_edge.c and test_sm_timer.c, once per
 * program.  Functions are static inline so a test that does not use one
 * does not trip -Wunused-function.  Include before "banned.h".
 */
#ifndef FIXIT_SM_FIXTURE_H
#define FIXIT_SM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "buf.h"
#include "db.h"
#include "executor.h"
#include "fxlimits.h"
#include "policy.h"
#include "slack_say.h"
#include "sm.h"
#include "testhelp.h"

/* ---- fixture: a policy built in code and a temporary database ------ */
#define T0   1700000000LL
#define HOUR 3600LL
#define DAY  86400LL
#define PROD "111111111111"
#define DEV  "222222222222"

static struct policy *pol;
static struct db *db;
static char tmpdir[] = "/tmp/test_sm.XXXXXX";
static char dbpath[64];
static int dbn;

static inline char *
xs(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static inline void
set_account(struct account *a, const char *id, const char *name,
    enum fx_env env, const char *chan)
{
	a->id = xs(id);
	a->name = xs(name);
	a->env = env;
	a->channel = xs(chan);
}

static inline void
set_playbook(struct playbook *pb, const char *name, enum pb_mode mode,
    enum pb_approval ap)
{
	pb->name = xs(name);
	pb->description = xs("Block public access");
	pb->mode = mode;
	pb->approval = ap;
	pb->grace = 48 * HOUR;
	pb->reminder_before = 24 * HOUR;
	pb->exc_offered = (1u << EXC_1M) | (1u << EXC_1Y);
	pb->exc_need_approval = 1u << EXC_1Y;
	pb->max_fixes_per_hour = 0;
	pb->max_attempts = 3;
	pb->retry_backoff = 60;
	pb->exec.ops = executor_find("dry-run");
	pb->exec.timeout = 60;
}

static inline void
fixture_start(void)
{
	pol = calloc(1, sizeof(*pol));
	pol->naccounts = 2;
	pol->accounts = calloc(2, sizeof(struct account));
	set_account(&pol->accounts[0], PROD, "prod", ENV_PROD, "CPROD");
	set_account(&pol->accounts[1], DEV, "dev", ENV_NONPROD, "CDEV");
	pol->nplaybooks = 6;
	pol->playbooks = calloc(6, sizeof(struct playbook));
	set_playbook(&pol->playbooks[0], "pb-enforce", PB_ENFORCE,
	    APPROVAL_OWNER);
	set_playbook(&pol->playbooks[1], "pb-notify", PB_NOTIFY,
	    APPROVAL_OWNER);
	set_playbook(&pol->playbooks[2], "pb-shadow", PB_SHADOW,
	    APPROVAL_OWNER);
	set_playbook(&pol->playbooks[3], "pb-off", PB_OFF, APPROVAL_OWNER);
	set_playbook(&pol->playbooks[4], "pb-none", PB_ENFORCE, APPROVAL_NONE);
	pol->playbooks[4].max_fixes_per_hour = 2;
	set_playbook(&pol->playbooks[5], "pb-notify-none", PB_NOTIFY,
	    APPROVAL_NONE);
	pol->nadmins = 1;
	pol->admins = calloc(1, sizeof(char *));
	pol->admins[0] = xs("UADMIN");
	pol->admin_channel = xs("CADM");
	pol->lease = 300;
	if (mkdtemp(tmpdir) == NULL)
		abort();
}

static inline void
db_remove(void)
{
	char p[96];

	db_close(db);
	db = NULL;
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

/* each group of tests starts from an empty database */
static inline void
fresh_db(void)
{
	if (db != NULL)
		db_remove();
	snprintf(dbpath, sizeof(dbpath), "%s/fixit-%d.db", tmpdir, ++dbn);
	if (db_open(dbpath, &db) != FX_OK)
		abort();
}

static inline void
fixture_stop(void)
{
	db_remove();
	policy_free(pol);
	rmdir(tmpdir);
}

/* run one writer job: BEGIN, call, COMMIT (ROLLBACK when it failed) */
#define STEP_RC(call, want)                                                    \
	do {                                                                   \
		fx_err st_rc;                                                  \
		CHECK_INT(db_begin(db), FX_OK);                                \
		st_rc = (call);                                                \
		CHECK_INT(st_rc, want);                                        \
		if (st_rc == FX_OK)                                            \
			CHECK_INT(db_commit(db), FX_OK);                       \
		else                                                           \
			db_rollback(db);                                       \
	} while (0)
#define STEP(call) STEP_RC(call, FX_OK)

/* end a job begun with db_begin: COMMIT when rc is FX_OK, else ROLLBACK */
static inline fx_err
job_end(fx_err rc)
{
	if (rc == FX_OK)
		CHECK_INT(db_commit(db), FX_OK);
	else
		db_rollback(db);
	return rc;
}

static inline struct finding_in
item(const char *pb, const char *acct, const char *res, const char *owner)
{
	struct finding_in in;

	memset(&in, 0, sizeof(in));
	in.playbook = pb;
	in.account_id = acct;
	in.region = "eu-west-1";
	in.resource_id = res;
	in.resource_arn = "arn:aws:s3:::bucket";
	in.owner_slack_id = owner;
	in.title = "Bucket <b> & public";
	return in;
}

/* ingest one item, return the finding id (0 when none) */
static inline int64_t
ingest1(const struct finding_in *in, int64_t now, struct ingest_result *r)
{
	struct ingest_result tmp;
	struct finding f;
	int64_t id = 0;

	STEP(sm_ingest(db, pol, in, 1, now, r ? r : &tmp));
	memset(&f, 0, sizeof(f));
	if (db_finding_find(db, in->playbook, in->account_id, in->region,
		in->resource_id, &f) == FX_OK)
		id = f.id;
	finding_release(&f);
	return id;
}

static inline struct finding
getf(int64_t id)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	if (db_finding_get(db, id, &f) != FX_OK)
		f.state = FS__COUNT;
	return f;
}

static inline enum fstate
state_of(int64_t id)
{
	struct finding f = getf(id);
	enum fstate s = f.state;

	finding_release(&f);
	return s;
}

/* pending outbox rows as [{kind, finding_id, args}] in id order (the
 * modal lane's rows too), marked sent; a notify row counts as delivered
 * when it was queued (sm_notified_delivered: its deadline starts) */
static inline json_t *
drain(void)
{
	struct outbox_row *rows = NULL, *modals = NULL, *r;
	json_t *a = json_array();
	size_t i = 0, j = 0, n = 0, m = 0;

	CHECK_INT(db_outbox_due(db, INT64_MAX / 2, 0, 10000, &rows, &n), FX_OK);
	CHECK_INT(db_outbox_modals(db, 10000, &modals, &m), FX_OK);
	CHECK_INT(db_begin(db), FX_OK);
	while (i < n || j < m) {
		if (j >= m || (i < n && rows[i].id < modals[j].id))
			r = &rows[i++];
		else
			r = &modals[j++];
		json_array_append_new(a,
		    json_pack("{s:s,s:I,s:O}", "kind", r->kind, "finding_id",
			(json_int_t)r->finding_id, "args", r->args));
		CHECK_INT(db_outbox_sent(db, r->id, T0), FX_OK);
		/* a notify is delivered when queued: its deadline starts */
		if (strcmp(r->kind, "notify") == 0)
			CHECK_INT(sm_notified_delivered(db, pol, r->finding_id,
				      r->created_at, r->created_at),
			    FX_OK);
		outbox_row_release(r);
	}
	CHECK_INT(db_commit(db), FX_OK);
	free(rows);
	free(modals);
	return a;
}

static inline size_t
count_kind(const json_t *rows, const char *kind)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")),
			kind) == 0)
			n++;
	return n;
}

/* the nth row of kind (borrowed), NULL when none */
static inline json_t *
row_of(const json_t *rows, const char *kind, size_t nth)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")),
			kind) == 0 &&
		    nth-- == 0)
			return r;
	return NULL;
}

/* args of the nth row of kind (borrowed), NULL when none */
static inline json_t *
args_of(const json_t *rows, const char *kind, size_t nth)
{
	return json_object_get(row_of(rows, kind, nth), "args");
}

/*
 * What the nth row of kind says: its fact in mrkdwn as slack/ renders it
 * (the finding named "title (#N)" as now stored), NULL when none. The
 * text lives until the fourth call after.
 */
static inline const char *
text_of(const json_t *rows, const char *kind, size_t nth)
{
	static struct buf said[4];
	static size_t next;
	const json_t *row = row_of(rows, kind, nth);
	const json_t *args = json_object_get(row, "args");
	struct buf *b = &said[next++ % 4];
	struct slack_finding_view v;
	struct finding f;
	int have;
	fx_err rc;

	if (args == NULL || json_object_get(args, FXSAY_KEY) == NULL)
		return NULL;
	memset(&v, 0, sizeof(v));
	memset(&f, 0, sizeof(f));
	have = db_finding_get(db,
		   json_integer_value(json_object_get(row, "finding_id")),
		   &f) == FX_OK;
	v.id = f.id;
	v.title = f.title;
	v.resource_id = f.resource_id;
	buf_reset(b);
	rc = slack_say(args, have ? &v : NULL, b);
	finding_release(&f);
	return rc == FX_OK ? buf_str(b) : NULL;
}

static inline int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* a job's outcome rc (job_end) and its refusal (stolen) in msg's words */
static inline fx_err
refusal_end(fx_err rc, json_t *refusal, struct buf *msg)
{
	rc = job_end(rc);
	if (msg != NULL) {
		buf_reset(msg);
		if (refusal != NULL)
			CHECK_INT(slack_say_plain(refusal, NULL, msg), FX_OK);
	}
	json_decref(refusal);
	return rc;
}

/* audit events named event of a finding */
static inline size_t
count_events(int64_t id, const char *event)
{
	json_t *show = NULL, *h;
	size_t i, n = 0;

	if (db_finding_show(db, id, &show) != FX_OK)
		return 0;
	json_array_foreach(json_object_get(show, "history"), i, h)
		if (strcmp(json_string_value(json_object_get(h, "event")),
			event) == 0)
			n++;
	json_decref(show);
	return n;
}

static inline void
click(enum sm_action act, int64_t target, const char *user, int64_t now)
{
	struct sm_click c;

	memset(&c, 0, sizeof(c));
	c.action = act;
	c.target_id = target;
	c.user_id = user;
	c.trigger_id = "TRIG";
	c.channel_id = "CCLICK";
	c.message_ts = "111.222";
	STEP(sm_click(db, pol, &c, now));
}

static inline void
hk(int64_t now)
{
	STEP(sm_housekeeping(db, pol, now));
}

static inline fx_err
submit(int64_t id, enum exc_kind k, const char *user, const char *reason,
    int64_t now, struct buf *msg)
{
	struct sm_exception_req r;
	json_t *refusal = NULL;
	fx_err rc;

	r.finding_id = id;
	r.kind = k;
	r.user_id = user;
	r.reason = reason;
	CHECK_INT(db_begin(db), FX_OK);
	rc = sm_exception_submit(db, pol, &r, now, &refusal);
	return refusal_end(rc, refusal, msg);
}

/* the deny modal submitted by user for exception exc */
static inline fx_err
deny(int64_t exc, const char *user, const char *reason, int64_t now,
    struct buf *msg)
{
	struct sm_deny_req r;
	json_t *refusal = NULL;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.exception_id = exc;
	r.user_id = user;
	r.reason = reason;
	r.channel_id = "CADMIN";
	r.message_ts = "333.444";
	CHECK_INT(db_begin(db), FX_OK);
	rc = sm_exception_deny(db, pol, &r, now, &refusal);
	return refusal_end(rc, refusal, msg);
}

/*
 * A 1-year exception request on finding id by user at `at`, pending an
 * admin's approval: its exception id (0, a failed check, when the request
 * was refused); the messages it wrote are drained.
 */
static inline int64_t
pending_1y(int64_t id, const char *user, const char *reason, int64_t at)
{
	struct buf msg = BUF_INIT;
	struct finding f;
	int64_t exc;

	CHECK_INT(submit(id, EXC_1Y, user, reason, at, &msg), FX_OK);
	f = getf(id);
	exc = f.exc_pending;
	finding_release(&f);
	CHECK(exc != 0);
	json_decref(drain());
	buf_release(&msg);
	return exc;
}

static inline struct playbook *
pbk(const char *name)
{
	return (struct playbook *)policy_playbook(pol, name);
}

static inline size_t
claim(int64_t now, struct sm_job **jobs)
{
	size_t n = 0;

	*jobs = NULL;
	STEP(sm_claim(db, pol, now, 10, jobs, &n));
	return n;
}

static inline void
free_jobs(struct sm_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sm_job_release(&jobs[i]);
	free(jobs);
}

/* claim at now and release the jobs: how many were claimed */
static inline size_t
claim_count(int64_t now)
{
	struct sm_job *jobs;
	size_t n = claim(now, &jobs);

	free_jobs(jobs, n);
	return n;
}

static inline fx_err
finish(const struct sm_job *j, int ok, const char *message, json_t *prior,
    int64_t now)
{
	struct sm_result r;

	memset(&r, 0, sizeof(r));
	r.ok = ok;
	r.prior_state = prior;
	r.message = message;
	CHECK_INT(db_begin(db), FX_OK);
	return job_end(sm_finish(db, pol, j, &r, now));
}

static inline void
set_pause(const char *name, int paused, fx_err want)
{
	STEP_RC(sm_pause(db, pol, name, paused, "UADMIN", T0), want);
}

#endif
