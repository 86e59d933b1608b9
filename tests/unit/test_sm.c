/*
 * test_sm.c - the state machine: ingest and Slack interactions, driven
 * against a temporary database the way the writer thread runs jobs.
 * (test_sm_timer.c covers housekeeping, claims and outcomes.)
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

/* rows about finding id */
static size_t
count_for(const json_t *rows, int64_t id)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (json_integer_value(json_object_get(r, "finding_id")) == id)
			n++;
	return n;
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

static void
test_ingest(void)
{
	struct finding_in in = item("pb-enforce", PROD, "b1", "UOWNER");
	struct ingest_result r;
	struct finding f;
	json_t *rows;
	int64_t id, id2;

	fresh_db();

	TEST("ingest creates and notifies") {
		id = ingest1(&in, T0, &r);
		CHECK(id > 0);
		CHECK_INT(r.created, 1);
		CHECK_INT(r.updated, 0);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 48 * HOUR);
		CHECK_INT(f.notified_at, T0);
		CHECK_INT(f.reminder_sent, 0);
		CHECK_INT(f.first_seen, T0);
		CHECK_STR(f.owner_slack_id, "UOWNER");
		finding_release(&f);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		CHECK_INT(count_kind(rows, "notify"), 1);
		CHECK_INT(json_integer_value(json_object_get(json_array_get(
		    rows, 0), "finding_id")), id);
		json_decref(rows);
		/* -> open, -> notified */
		CHECK_INT(count_events(id, "transition"), 2);
	}
	TEST("re-ingest is idempotent") {
		in.title = "Bucket renamed";
		id2 = ingest1(&in, T0 + 60, &r);
		CHECK_INT(id2, id);
		CHECK_INT(r.created, 0);
		CHECK_INT(r.updated, 1);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 48 * HOUR);
		CHECK_INT(f.last_seen, T0 + 60);
		CHECK_STR(f.title, "Bucket renamed");
		finding_release(&f);
		rows = drain();
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
	}
	TEST("resolved closes a notified finding") {
		in.resolved = 1;
		ingest1(&in, T0 + 120, &r);
		CHECK_INT(r.resolved, 1);
		CHECK_INT(state_of(id), FS_RESOLVED);
		rows = drain();
		CHECK_INT(count_kind(rows, "decision"), 1);
		CHECK_STR(text_of(rows, "decision", 0),
		    "Resolved: no longer seen");
		json_decref(rows);
	}
	TEST("seen again re-opens and asks again") {
		in.resolved = 0;
		ingest1(&in, T0 + 180, &r);
		CHECK_INT(r.updated, 1);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 180 + 48 * HOUR);
		finding_release(&f);
		rows = drain();
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
	}
	TEST("resolved for an unknown finding is ignored") {
		struct finding_in gone;

		gone = item("pb-enforce", PROD, "never", NULL);

		gone.resolved = 1;
		CHECK_INT(ingest1(&gone, T0, &r), 0);
		CHECK_INT(r.ignored, 1);
	}
}

static void
test_ingest_modes(void)
{
	struct finding_in in;
	struct ingest_result r;
	struct finding f;
	json_t *rows;
	int64_t id;

	fresh_db();

	TEST("mode off is ignored") {
		in = item("pb-off", PROD, "off1", "UOWNER");
		CHECK_INT(ingest1(&in, T0, &r), 0);
		CHECK_INT(r.ignored, 1);
		CHECK_INT(r.created, 0);
	}
	TEST("shadow records and tells nobody") {
		in = item("pb-shadow", PROD, "sh1", "UOWNER");
		id = ingest1(&in, T0, &r);
		CHECK_INT(r.created, 1);
		CHECK_INT(state_of(id), FS_OPEN);
		CHECK_INT(count_events(id, "shadow_notify"), 1);
		CHECK_INT(count_events(id, "shadow_fix"), 0);
		STEP(sm_housekeeping(db, pol, T0 + 47 * HOUR));
		CHECK_INT(count_events(id, "shadow_fix"), 0);
		STEP(sm_housekeeping(db, pol, T0 + 48 * HOUR));
		CHECK_INT(count_events(id, "shadow_fix"), 1);
		STEP(sm_housekeeping(db, pol, T0 + 49 * HOUR));
		ingest1(&in, T0 + 50 * HOUR, &r);
		CHECK_INT(count_events(id, "shadow_fix"), 1);
		CHECK_INT(count_events(id, "shadow_notify"), 1);
		CHECK_INT(state_of(id), FS_OPEN);
		rows = drain();
		CHECK_INT(count_for(rows, id), 0);
		json_decref(rows);
	}
	TEST("approval none in enforce queues the fix") {
		in = item("pb-none", DEV, "none1", NULL);
		id = ingest1(&in, T0, &r);
		f = getf(id);
		CHECK_INT(f.state, FS_FIXING);
		CHECK_INT(f.next_attempt_at, T0);
		CHECK_INT(f.attempts, 0);
		CHECK_INT(f.lease_until, 0);
		finding_release(&f);
		rows = drain();
		CHECK_INT(json_array_size(rows), 0);	/* told after the fix */
		json_decref(rows);
	}
	TEST("approval none in notify mode notifies") {
		in = item("pb-notify-none", DEV, "nn1", NULL);
		id = ingest1(&in, T0, &r);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		rows = drain();
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
	}
	TEST("unknown playbook or account is refused") {
		in = item("pb-nope", DEV, "x", NULL);
		STEP_RC(sm_ingest(db, pol, &in, 1, T0, &r), FX_EINVAL);
		in = item("pb-enforce", "999999999999", "x", NULL);
		STEP_RC(sm_ingest(db, pol, &in, 1, T0, &r), FX_EINVAL);
	}
	TEST("a batch is all or nothing") {
		struct finding_in two[2];

		two[0] = item("pb-enforce", DEV, "batch1", NULL);
		two[1] = item("pb-nope", DEV, "batch2", NULL);
		STEP_RC(sm_ingest(db, pol, two, 2, T0, &r), FX_EINVAL);
		memset(&f, 0, sizeof(f));
		CHECK_INT(db_finding_find(db, "pb-enforce", DEV, "eu-west-1",
		    "batch1", &f), FX_ENOTFOUND);
		finding_release(&f);
	}
}

static void
test_clicks(void)
{
	struct finding_in in;
	json_t *rows, *a;
	int64_t dev, prod;

	fresh_db();

	in = item("pb-enforce", DEV, "c-dev", "UOWNER");
	dev = ingest1(&in, T0, NULL);
	in = item("pb-enforce", PROD, "c-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	json_decref(drain());

	TEST("click by someone else is refused") {
		click(ACT_FIX_NOW, dev, "UOTHER", T0 + 10);
		CHECK_INT(state_of(dev), FS_NOTIFIED);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		a = args_of(rows, "ephemeral", 0);
		CHECK_STR(json_string_value(json_object_get(a, "text")),
		    "Only the owner of this finding (<@UOWNER>) or a fixit "
		    "admin can do that.");
		CHECK_STR(json_string_value(json_object_get(a, "user")),
		    "UOTHER");
		CHECK_STR(json_string_value(json_object_get(a, "channel")),
		    "CCLICK");
		json_decref(rows);
	}
	TEST("fix now refused on production") {
		click(ACT_FIX_NOW, prod, "UOWNER", T0 + 10);
		CHECK_INT(state_of(prod), FS_NOTIFIED);
		rows = drain();
		CHECK_INT(count_kind(rows, "ephemeral"), 1);
		CHECK(contains(text_of(rows, "ephemeral", 0), "not offered"));
		json_decref(rows);
	}
	TEST("1 year refused on non-production") {
		click(ACT_EXC_1Y, dev, "UOWNER", T0 + 10);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		CHECK(contains(text_of(rows, "ephemeral", 0),
		    "1 year exception is not offered"));
		json_decref(rows);
	}
	TEST("exception button opens the modal") {
		click(ACT_EXC_1M, dev, "UOWNER", T0 + 10);
		CHECK_INT(state_of(dev), FS_NOTIFIED);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		a = args_of(rows, "modal", 0);
		CHECK_STR(json_string_value(json_object_get(a, "kind")), "1m");
		CHECK_STR(json_string_value(json_object_get(a, "trigger_id")),
		    "TRIG");
		json_decref(rows);
	}
	TEST("fix now on non-production (admin may too)") {
		click(ACT_FIX_NOW, dev, "UADMIN", T0 + 20);
		CHECK_INT(state_of(dev), FS_FIXING);
		rows = drain();
		CHECK_STR(text_of(rows, "decision", 0),
		    "<@UADMIN> chose *Fix now*");
		json_decref(rows);
		CHECK_INT(count_events(dev, "transition"), 3);
	}
	TEST("a decided finding says so") {
		click(ACT_EXC_1M, dev, "UOWNER", T0 + 30);
		rows = drain();
		CHECK_STR(text_of(rows, "ephemeral", 0),
		    "This finding was already handled: it is fixing.");
		json_decref(rows);
	}
	TEST("unknown finding id") {
		click(ACT_FIX_NOW, 99999, "UOWNER", T0 + 30);
		rows = drain();
		CHECK_STR(text_of(rows, "ephemeral", 0),
		    "Finding #99999 was not found.");
		json_decref(rows);
	}
}

static void
test_exceptions(void)
{
	struct buf msg = BUF_INIT;
	struct finding_in in;
	struct finding f;
	json_t *rows, *a;
	int64_t dev, prod, exc = 0;

	fresh_db();

	in = item("pb-enforce", DEV, "e-dev", "UOWNER");
	dev = ingest1(&in, T0, NULL);
	in = item("pb-enforce", PROD, "e-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	json_decref(drain());

	TEST("submit refused for someone else") {
		CHECK_INT(submit(dev, EXC_1M, "UOTHER", "why", T0, &msg),
		    FX_EPERM);
		CHECK(contains(buf_str(&msg), "Only the owner"));
		CHECK_INT(submit(dev, EXC_1Y, "UOWNER", "why", T0, &msg),
		    FX_EPERM);
		CHECK_INT(submit(424242, EXC_1M, "UOWNER", "why", T0, &msg),
		    FX_ENOTFOUND);
		CHECK_INT(state_of(dev), FS_NOTIFIED);
	}
	TEST("1 month exception is active at once") {
		CHECK_INT(submit(dev, EXC_1M, "UOWNER", "a <b> & c", T0 + 100,
		    &msg), FX_OK);
		f = getf(dev);
		CHECK_INT(f.state, FS_EXCEPTED);
		CHECK_INT(f.excepted_until, T0 + 100 + 30 * DAY);
		finding_release(&f);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		CHECK(contains(text_of(rows, "decision", 0),
		    "<@UOWNER> took an exception for 1 month until <!date^"));
		CHECK(contains(text_of(rows, "decision", 0),
		    ": a &lt;b&gt; &amp; c"));
		json_decref(rows);
		CHECK_INT(submit(dev, EXC_1M, "UOWNER", "again", T0, &msg),
		    FX_ECONFLICT);
		CHECK(contains(buf_str(&msg), "already handled"));
	}
	TEST("1 year exception waits for an admin") {
		CHECK_INT(submit(prod, EXC_1Y, "UOWNER", "legacy app", T0 + 100,
		    &msg), FX_OK);
		f = getf(prod);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK(f.exc_pending > 0);
		exc = f.exc_pending;
		finding_release(&f);
		rows = drain();
		a = args_of(rows, "approval_request", 0);
		CHECK_INT(json_integer_value(json_object_get(a,
		    "exception_id")), exc);
		CHECK(contains(text_of(rows, "decision", 0),
		    "awaiting admin approval"));
		json_decref(rows);
		CHECK_INT(count_events(prod, "exception_requested"), 1);
		click(ACT_EXC_1M, prod, "UOWNER", T0 + 110);
		rows = drain();
		CHECK(contains(text_of(rows, "ephemeral", 0),
		    "already awaiting admin approval"));
		json_decref(rows);
		/* the deadline does not fire while pending */
		STEP(sm_housekeeping(db, pol, T0 + 49 * HOUR));
		CHECK_INT(state_of(prod), FS_NOTIFIED);
		json_decref(drain());
	}
	buf_release(&msg);
}

static void
test_approvals(void)
{
	struct buf msg = BUF_INIT;
	struct finding_in in;
	struct exception_rec e;
	struct finding f;
	json_t *rows, *a;
	int64_t prod, prod2, exc;

	fresh_db();

	in = item("pb-enforce", PROD, "a-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	CHECK_INT(submit(prod, EXC_1Y, "UOWNER", "legacy app", T0 + 100,
	    &msg), FX_OK);
	f = getf(prod);
	exc = f.exc_pending;
	finding_release(&f);
	json_decref(drain());

	TEST("approve is for admins only") {
		click(ACT_EXC_APPROVE, exc, "UOWNER", T0 + 200);
		CHECK_INT(state_of(prod), FS_NOTIFIED);
		rows = drain();
		CHECK(contains(text_of(rows, "ephemeral", 0),
		    "Only a fixit admin"));
		json_decref(rows);
	}
	TEST("approve makes the exception active") {
		click(ACT_EXC_APPROVE, exc, "UADMIN", T0 + 200);
		f = getf(prod);
		CHECK_INT(f.state, FS_EXCEPTED);
		CHECK_INT(f.exc_pending, 0);
		CHECK_INT(f.excepted_until, T0 + 200 + 365 * DAY);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "active");
		CHECK_STR(e.decided_by, "UADMIN");
		CHECK_INT(e.until, T0 + 200 + 365 * DAY);
		exception_release(&e);
		rows = drain();
		CHECK_INT(count_kind(rows, "decision"), 2);
		CHECK(contains(text_of(rows, "decision", 0),
		    "Exception: 1 year approved by <@UADMIN> until"));
		a = args_of(rows, "decision", 1);
		CHECK_STR(json_string_value(json_object_get(a, "channel")),
		    "CCLICK");
		CHECK_STR(json_string_value(json_object_get(a, "ts")),
		    "111.222");
		json_decref(rows);
		click(ACT_EXC_DENY, exc, "UADMIN", T0 + 300);
		rows = drain();
		CHECK_STR(text_of(rows, "ephemeral", 0),
		    "This exception was already handled: it is active.");
		json_decref(rows);
		CHECK_INT(state_of(prod), FS_EXCEPTED);
	}
	TEST("deny keeps the finding notified") {
		in = item("pb-enforce", PROD, "e-prod2", "UOWNER");
		prod2 = ingest1(&in, T0 + 50 * HOUR, NULL);
		CHECK_INT(submit(prod2, EXC_1Y, "UOWNER", "pls", T0 + 50 * HOUR,
		    &msg), FX_OK);
		f = getf(prod2);
		exc = f.exc_pending;
		finding_release(&f);
		json_decref(drain());
		click(ACT_EXC_DENY, exc, "UADMIN", T0 + 51 * HOUR);
		f = getf(prod2);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, 0);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "denied");
		exception_release(&e);
		rows = drain();
		CHECK_INT(count_kind(rows, "decision"), 2);
		CHECK_INT(count_kind(rows, "owner_msg"), 1);
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "<@UADMIN> denied your 1 year exception"));
		json_decref(rows);
		CHECK_INT(count_events(prod2, "exception_denied"), 1);
		click(ACT_EXC_APPROVE, 31337, "UADMIN", T0 + 400);
		rows = drain();
		CHECK_STR(text_of(rows, "ephemeral", 0),
		    "Exception #31337 was not found.");
		json_decref(rows);
	}
	buf_release(&msg);
}

int
main(void)
{
	fixture_start();
	test_ingest();
	test_ingest_modes();
	test_clicks();
	test_exceptions();
	test_approvals();
	fixture_stop();
	return TEST_REPORT();
}
