/*
 * test_sm_edge.c - the state machine's less travelled paths: playbook
 * mode switches, owner changes, no reminder, backoff cap, expiry in
 * shadow mode, resolving with a pending exception, input limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "db.h"
#include "fxlimits.h"
#include "policy.h"
#include "sm.h"
#include "testhelp.h"
#include "banned.h"

/* ---- fixture: a policy built in code and a temporary database ------ */
#define T0	1700000000LL
#define HOUR	3600LL
#define DAY	86400LL
#define PROD	"111111111111"
#define DEV	"222222222222"

static struct policy *pol;
static struct db *db;
static char tmpdir[] = "/tmp/test_sm.XXXXXX";
static char dbpath[64];
static int dbn;

static char *
xs(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void
set_account(struct account *a, const char *id, const char *name,
    enum fx_env env, const char *chan)
{
	a->id = xs(id);
	a->name = xs(name);
	a->env = env;
	a->channel = xs(chan);
}

static void
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
	pb->exec.type = EXEC_DRY_RUN;
	pb->exec.timeout = 60;
}

static void
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
	set_playbook(&pol->playbooks[4], "pb-none", PB_ENFORCE,
	    APPROVAL_NONE);
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

static void
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
static void
fresh_db(void)
{
	if (db != NULL)
		db_remove();
	snprintf(dbpath, sizeof(dbpath), "%s/fixit-%d.db", tmpdir, ++dbn);
	if (db_open(dbpath, &db) != FX_OK)
		abort();
}

static void
fixture_stop(void)
{
	db_remove();
	policy_free(pol);
	rmdir(tmpdir);
}

/* run one writer job: BEGIN, call, COMMIT (ROLLBACK when it failed) */
#define STEP_RC(call, want) do {					\
	fx_err st_rc;							\
	CHECK_INT(db_begin(db), FX_OK);					\
	st_rc = (call);							\
	CHECK_INT(st_rc, want);						\
	if (st_rc == FX_OK)						\
		CHECK_INT(db_commit(db), FX_OK);			\
	else								\
		db_rollback(db);					\
} while (0)
#define STEP(call) STEP_RC(call, FX_OK)

static struct finding_in
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
static int64_t
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

static struct finding
getf(int64_t id)
{
	struct finding f;

	memset(&f, 0, sizeof(f));
	if (db_finding_get(db, id, &f) != FX_OK)
		f.state = FS__COUNT;
	return f;
}

static enum fstate
state_of(int64_t id)
{
	struct finding f = getf(id);
	enum fstate s = f.state;

	finding_release(&f);
	return s;
}

/* pending outbox rows as [{kind, finding_id, args}], marked sent */
static json_t *
drain(void)
{
	struct outbox_row *rows = NULL;
	json_t *a = json_array();
	size_t i, n = 0;

	CHECK_INT(db_outbox_due(db, INT64_MAX / 2, 10000, &rows, &n), FX_OK);
	CHECK_INT(db_begin(db), FX_OK);
	for (i = 0; i < n; i++) {
		json_array_append_new(a, json_pack("{s:s,s:I,s:O}", "kind",
		    rows[i].kind, "finding_id", (json_int_t)rows[i].finding_id,
		    "args", rows[i].args));
		CHECK_INT(db_outbox_sent(db, rows[i].id, T0), FX_OK);
		outbox_row_release(&rows[i]);
	}
	CHECK_INT(db_commit(db), FX_OK);
	free(rows);
	return a;
}

static size_t
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

/* args of the nth row of kind (borrowed), NULL when none */
static json_t *
args_of(const json_t *rows, const char *kind, size_t nth)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "kind")),
		    kind) == 0 && nth-- == 0)
			return json_object_get(r, "args");
	return NULL;
}

static const char *
text_of(const json_t *rows, const char *kind, size_t nth)
{
	return json_string_value(json_object_get(args_of(rows, kind, nth),
	    "text"));
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* audit events named event of a finding */
static size_t
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

static void
hk(int64_t now)
{
	STEP(sm_housekeeping(db, pol, now));
}

static fx_err
submit(int64_t id, enum exc_kind k, const char *user, const char *reason,
    int64_t now, struct buf *msg)
{
	struct sm_exception_req r;
	fx_err rc;

	r.finding_id = id;
	r.kind = k;
	r.user_id = user;
	r.reason = reason;
	CHECK_INT(db_begin(db), FX_OK);
	rc = sm_exception_submit(db, pol, &r, now, msg);
	if (rc == FX_OK)
		CHECK_INT(db_commit(db), FX_OK);
	else
		db_rollback(db);
	return rc;
}

static struct playbook *
pbk(const char *name)
{
	return (struct playbook *)policy_playbook(pol, name);
}

static void
test_mode_switch(void)
{
	struct finding_in in;
	struct finding f;
	json_t *rows;
	int64_t nid, sid;

	fresh_db();
	in = item("pb-notify", PROD, "ms1", "UOWNER");
	nid = ingest1(&in, T0, NULL);
	in = item("pb-shadow", PROD, "ms2", "UOWNER");
	sid = ingest1(&in, T0, NULL);
	hk(T0 + 48 * HOUR);		/* notify deadline lapses */
	json_decref(drain());
	TEST("notify -> enforce: re-ingest asks again with a deadline") {
		pbk("pb-notify")->mode = PB_ENFORCE;
		in = item("pb-notify", PROD, "ms1", "UOWNER");
		ingest1(&in, T0 + 50 * HOUR, NULL);
		f = getf(nid);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 98 * HOUR);
		finding_release(&f);
		rows = drain();
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
		pbk("pb-notify")->mode = PB_NOTIFY;
	}
	TEST("shadow -> notify: the timer asks the owner") {
		pbk("pb-shadow")->mode = PB_NOTIFY;
		STEP(sm_reconcile(db, pol, T0 + 51 * HOUR));
		hk(T0 + 51 * HOUR);
		f = getf(sid);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 99 * HOUR);
		CHECK_INT(f.reminder_sent, 0);
		finding_release(&f);
		rows = drain();
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
		pbk("pb-shadow")->mode = PB_SHADOW;
	}
}

static void
test_owner_change(void)
{
	struct finding_in in = item("pb-enforce", DEV, "oc1", NULL);
	struct finding f;
	json_t *rows;
	struct sm_click c;
	int64_t id;

	fresh_db();
	in.owner_email = "a@example.com";
	id = ingest1(&in, T0, NULL);
	CHECK_INT(db_begin(db), FX_OK);
	CHECK_INT(db_finding_set_message(db, id, "D1", "1.1", "UA"), FX_OK);
	CHECK_INT(db_commit(db), FX_OK);
	json_decref(drain());
	TEST("a new owner email voids the old Slack id") {
		in.owner_email = "b@example.com";
		ingest1(&in, T0 + 60, NULL);
		f = getf(id);
		CHECK_STR(f.owner_email, "b@example.com");
		CHECK(f.owner_slack_id == NULL);
		CHECK_STR(f.slack_channel, "D1");
		finding_release(&f);
		memset(&c, 0, sizeof(c));
		c.action = ACT_FIX_NOW;
		c.target_id = id;
		c.user_id = "UA";
		STEP(sm_click(db, pol, &c, T0 + 70));
		CHECK_INT(state_of(id), FS_NOTIFIED);
		rows = drain();
		CHECK_STR(text_of(rows, "ephemeral", 0), "Only the owner of "
		    "this finding or a fixit admin can do that.");
		CHECK_STR(json_string_value(json_object_get(args_of(rows,
		    "ephemeral", 0), "channel")), "D1");
		json_decref(rows);
	}
}

static void
test_no_reminder_backoff(void)
{
	struct finding_in in = item("pb-enforce", PROD, "nr1", "UOWNER");
	struct sm_job *jobs = NULL;
	struct sm_result r;
	struct finding f;
	json_t *rows;
	int64_t id;
	size_t n = 0;

	fresh_db();
	TEST("reminder_before 0: no reminder") {
		pbk("pb-enforce")->reminder_before = 0;
		id = ingest1(&in, T0, NULL);
		hk(T0 + 47 * HOUR);
		f = getf(id);
		CHECK_INT(f.reminder_sent, 1);
		finding_release(&f);
		CHECK_INT(count_events(id, "reminder"), 0);
		rows = drain();
		CHECK_INT(count_kind(rows, "reminder"), 0);
		json_decref(rows);
		pbk("pb-enforce")->reminder_before = 24 * HOUR;
	}
	TEST("retry backoff is capped at a day") {
		pbk("pb-none")->retry_backoff = 20 * HOUR;
		in = item("pb-none", DEV, "bo1", NULL);
		id = ingest1(&in, T0, NULL);
		memset(&r, 0, sizeof(r));
		r.message = "throttled";
		STEP(sm_claim(db, pol, T0, 1, &jobs, &n));
		CHECK_INT(n, 1);
		if (n == 1)
			STEP(sm_finish(db, pol, &jobs[0], &r, T0));
		sm_job_release(jobs);
		free(jobs);
		STEP(sm_claim(db, pol, T0 + 20 * HOUR, 1, &jobs, &n));
		CHECK_INT(n, 1);
		if (n == 1)
			STEP(sm_finish(db, pol, &jobs[0], &r, T0 + 20 * HOUR));
		sm_job_release(jobs);
		free(jobs);
		f = getf(id);
		CHECK_INT(f.state, FS_FIXING);
		CHECK_INT(f.next_attempt_at, T0 + 20 * HOUR + DAY);
		finding_release(&f);
		pbk("pb-none")->retry_backoff = 60;
	}
}

static void
test_exception_edges(void)
{
	struct finding_in in = item("pb-enforce", DEV, "ee1", "UOWNER");
	struct buf msg = BUF_INIT;
	struct exception_rec e;
	struct finding f;
	char *longr;
	json_t *rows;
	int64_t id, pid, exc;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	in = item("pb-enforce", PROD, "ee2", "UOWNER");
	pid = ingest1(&in, T0, NULL);
	TEST("reason is required and bounded") {
		CHECK_INT(submit(id, EXC_1M, "UOWNER", "", T0, &msg),
		    FX_EINVAL);
		CHECK(contains(buf_str(&msg), "reason"));
		longr = calloc(1, FX_MAX_REASON + 2);
		memset(longr, 'x', FX_MAX_REASON + 1);
		CHECK_INT(submit(id, EXC_1M, "UOWNER", longr, T0, &msg),
		    FX_EINVAL);
		free(longr);
		CHECK_INT(state_of(id), FS_NOTIFIED);
	}
	TEST("expiry under shadow mode tells nobody") {
		CHECK_INT(submit(id, EXC_1M, "UOWNER", "ok", T0, &msg), FX_OK);
		json_decref(drain());
		pbk("pb-enforce")->mode = PB_SHADOW;
		hk(T0 + 30 * DAY);
		CHECK_INT(state_of(id), FS_OPEN);
		CHECK_INT(count_events(id, "shadow_notify"), 1);
		rows = drain();
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
		pbk("pb-enforce")->mode = PB_ENFORCE;
	}
	TEST("resolving closes a pending exception") {
		CHECK_INT(submit(pid, EXC_1Y, "UOWNER", "later", T0, &msg),
		    FX_OK);
		f = getf(pid);
		exc = f.exc_pending;
		finding_release(&f);
		in.resolved = 1;
		ingest1(&in, T0 + 60, NULL);
		f = getf(pid);
		CHECK_INT(f.state, FS_RESOLVED);
		CHECK_INT(f.exc_pending, 0);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "expired");
		exception_release(&e);
	}
	buf_release(&msg);
}

static void
test_paused_none(void)
{
	struct finding_in in = item("pb-none", DEV, "pn1", NULL);
	int64_t id;

	fresh_db();
	TEST("approval none while paused waits in open") {
		STEP(sm_pause(db, pol, "pb-none", 1, "UADMIN", T0));
		id = ingest1(&in, T0, NULL);
		CHECK_INT(state_of(id), FS_OPEN);
		hk(T0 + 10);
		CHECK_INT(state_of(id), FS_OPEN);
		STEP(sm_pause(db, pol, "pb-none", 0, "UADMIN", T0 + 20));
		hk(T0 + 30);
		CHECK_INT(state_of(id), FS_FIXING);
	}
}

int
main(void)
{
	fixture_start();
	test_mode_switch();
	test_owner_change();
	test_no_reminder_backoff();
	test_exception_edges();
	test_paused_none();
	fixture_stop();
	return TEST_REPORT();
}
