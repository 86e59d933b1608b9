/*
 * test_sm.c - the state machine: ingest and Slack interactions, driven
 * against a temporary database the way the writer thread runs jobs.
 * (test_sm_timer.c covers housekeeping, claims and outcomes.)
 */
#include "sm_fixture.h"
#include "banned.h"

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
		CHECK_INT(f.deadline, 0); /* waiting to be told */
		CHECK_INT(f.notified_at, T0);
		CHECK_INT(f.reminder_sent, 0);
		CHECK_INT(f.first_seen, T0);
		CHECK_STR(f.owner_slack_id, "UOWNER");
		finding_release(&f);
		rows = drain(); /* the notify delivered: the deadline starts */
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 48 * HOUR);
		finding_release(&f);
		CHECK_INT(json_array_size(rows), 1);
		CHECK_INT(count_kind(rows, "notify"), 1);
		CHECK_INT(json_integer_value(
			      json_object_get(json_array_get(rows, 0),
				  "finding_id")),
		    id);
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
		CHECK_INT(f.deadline, 0);
		finding_release(&f);
		rows = drain();
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 180 + 48 * HOUR);
		finding_release(&f);
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
		CHECK_INT(json_array_size(rows), 0); /* told after the fix */
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
			      "batch1", &f),
		    FX_ENOTFOUND);
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
		CHECK_STR(text_of(rows, "ephemeral", 0),
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
			      &msg),
		    FX_OK);
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
			      &msg),
		    FX_OK);
		f = getf(prod);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK(f.exc_pending > 0);
		exc = f.exc_pending;
		finding_release(&f);
		rows = drain();
		a = args_of(rows, "approval_request", 0);
		CHECK_INT(json_integer_value(
			      json_object_get(a, "exception_id")),
		    exc);
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

/* a pending request nobody decides lapses: it never holds a fix off */
static void
test_pending_lapses(void)
{
	struct buf msg = BUF_INIT;
	struct finding_in in;
	struct exception_rec e;
	struct finding f;
	json_t *rows;
	int64_t prod, exc, asked = T0 + 100;

	fresh_db();
	pol->approval_timeout = 3 * DAY;
	pol->approval_grace = 1 * DAY;
	in = item("pb-enforce", PROD, "lapse-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	exc = pending_1y(prod, "UOWNER", "waiting", asked);

	TEST("still pending just before the timeout") {
		STEP(sm_housekeeping(db, pol, asked + 3 * DAY - 1));
		f = getf(prod);
		CHECK_INT(f.exc_pending, exc);
		CHECK_INT(f.state, FS_NOTIFIED);
		finding_release(&f);
		json_decref(drain());
	}
	TEST("lapses at the timeout: owner told, deadline a grace ahead") {
		STEP(sm_housekeeping(db, pol, asked + 3 * DAY));
		f = getf(prod);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, 0);
		CHECK_INT(f.deadline, asked + 4 * DAY);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "expired");
		exception_release(&e);
		CHECK_INT(count_events(prod, "exception_request_expired"), 1);
		rows = drain();
		CHECK(contains(text_of(rows, "owner_msg", 0), "has lapsed"));
		json_decref(rows);
	}
	TEST("then the deadline fixes it") {
		STEP(sm_housekeeping(db, pol, asked + 4 * DAY));
		CHECK_INT(state_of(prod), FS_FIXING);
		json_decref(drain());
	}
	TEST("a pending row its finding no longer waits on is closed") {
		in = item("pb-enforce", PROD, "lapse-orphan", "UOWNER");
		prod = ingest1(&in, T0, NULL);
		exc = pending_1y(prod, "UOWNER", "orphaned", asked);
		/* the finding's cycle reset without closing the request */
		f = getf(prod);
		f.exc_pending = 0;
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(job_end(db_finding_update(db, &f)), FX_OK);
		finding_release(&f);
		STEP(sm_housekeeping(db, pol, asked + 3 * DAY));
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "expired");
		exception_release(&e);
		json_decref(drain());
	}
	pol->approval_timeout = 0;
	pol->approval_grace = 0;
	buf_release(&msg);
}

/* the requester of an exception does not also approve it (four eyes) */
static void
test_self_approval(void)
{
	struct buf msg = BUF_INIT;
	struct finding_in in;
	struct finding f;
	json_t *rows;
	int64_t prod, exc;

	fresh_db();
	in = item("pb-enforce", PROD, "self-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	exc = pending_1y(prod, "UADMIN", "my own request", T0 + 100);

	TEST("an admin cannot approve their own request") {
		click(ACT_EXC_APPROVE, exc, "UADMIN", T0 + 200);
		f = getf(prod);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, exc);
		finding_release(&f);
		rows = drain();
		CHECK(contains(text_of(rows, "ephemeral", 0),
		    "another fixit admin must approve it"));
		CHECK_INT(count_kind(rows, "decision"), 0);
		json_decref(rows);
	}
	TEST("self_approval: true lets a single admin decide") {
		pol->self_approval = 1;
		click(ACT_EXC_APPROVE, exc, "UADMIN", T0 + 300);
		pol->self_approval = 0;
		CHECK_INT(state_of(prod), FS_EXCEPTED);
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
	exc = pending_1y(prod, "UOWNER", "legacy app", T0 + 100);

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
			      &msg),
		    FX_OK);
		f = getf(prod2);
		exc = f.exc_pending;
		finding_release(&f);
		json_decref(drain());
		pol->approval_grace = DAY;
		/* the click asks the reason: a modal row, nothing decided */
		click(ACT_EXC_DENY, exc, "UADMIN", T0 + 51 * HOUR);
		f = getf(prod2);
		CHECK_INT(f.exc_pending, exc);
		finding_release(&f);
		rows = drain();
		CHECK_INT(count_kind(rows, "modal"), 1);
		a = args_of(rows, "modal", 0);
		CHECK_INT(json_integer_value(
			      json_object_get(a, "exception_id")),
		    exc);
		CHECK_STR(json_string_value(json_object_get(a, "ts")),
		    "111.222");
		CHECK_INT(count_kind(rows, "decision"), 0);
		json_decref(rows);
		CHECK_INT(deny(exc, "UADMIN", "", T0 + 51 * HOUR, &msg),
		    FX_EINVAL);
		CHECK_INT(deny(exc, "UOWNER", "no", T0 + 51 * HOUR, &msg),
		    FX_EPERM);
		CHECK(contains(buf_str(&msg), "Only a fixit admin"));
		CHECK_INT(deny(exc, "UADMIN", "use a <private> bucket",
			      T0 + 51 * HOUR, &msg),
		    FX_OK);
		f = getf(prod2);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, 0);
		/* at least a grace (1 day) from now */
		CHECK(f.deadline >= T0 + 51 * HOUR + DAY);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "denied");
		CHECK_STR(e.decided_by, "UADMIN");
		exception_release(&e);
		rows = drain();
		CHECK_INT(count_kind(rows, "decision"), 2);
		CHECK_STR(json_string_value(
			      json_object_get(args_of(rows, "decision", 0),
				  "card")),
		    "ask");
		a = args_of(rows, "decision", 1);
		CHECK_STR(json_string_value(json_object_get(a, "card")),
		    "approval");
		CHECK_STR(json_string_value(json_object_get(a, "ts")),
		    "333.444");
		CHECK(contains(text_of(rows, "decision", 1),
		    "denied by <@UADMIN>: use a &lt;private&gt; bucket"));
		CHECK_INT(count_kind(rows, "owner_msg"), 1);
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "<@UADMIN> denied your 1 year exception"));
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "use a &lt;private&gt; bucket"));
		json_decref(rows);
		CHECK_INT(count_events(prod2, "exception_denied"), 1);
		pol->approval_grace = 0;
		CHECK_INT(deny(exc, "UADMIN", "again", T0 + 52 * HOUR, &msg),
		    FX_ECONFLICT);
		/* the owner may choose again */
		CHECK_INT(submit(prod2, EXC_1M, "UOWNER", "one month then",
			      T0 + 52 * HOUR, &msg),
		    FX_OK);
		json_decref(drain());
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
	test_self_approval();
	test_pending_lapses();
	fixture_stop();
	return TEST_REPORT();
}
