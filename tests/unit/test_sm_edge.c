/*
 * test_sm_edge.c - the state machine's less travelled paths: playbook
 * mode switches, owner changes, no reminder, backoff cap, expiry in
 * shadow mode, resolving with a pending exception, input limits, the
 * start-up reconcile in bounded steps.
 */
#include "sm_fixture.h"
#include "banned.h"

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
	json_decref(drain()); /* the owner told: the deadline starts */
	hk(T0 + 48 * HOUR);   /* notify deadline lapses */
	json_decref(drain());
	TEST("notify -> enforce: re-ingest asks again with a deadline") {
		pbk("pb-notify")->mode = PB_ENFORCE;
		in = item("pb-notify", PROD, "ms1", "UOWNER");
		ingest1(&in, T0 + 50 * HOUR, NULL);
		rows = drain();
		f = getf(nid);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 98 * HOUR);
		finding_release(&f);
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
		pbk("pb-notify")->mode = PB_NOTIFY;
	}
	TEST("shadow -> notify: the timer asks the owner") {
		pbk("pb-shadow")->mode = PB_NOTIFY;
		STEP(sm_reconcile(db, pol, T0 + 51 * HOUR));
		hk(T0 + 51 * HOUR);
		rows = drain();
		f = getf(sid);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 99 * HOUR);
		CHECK_INT(f.reminder_sent, 0);
		finding_release(&f);
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
		pbk("pb-shadow")->mode = PB_SHADOW;
	}
}

/* n open findings of pb a shadow run finished with; the first id */
static int64_t
shadow_done(const char *pb, int n)
{
	struct finding f;
	int64_t first = 0;
	char res[32];
	int i;

	CHECK_INT(db_begin(db), FX_OK);
	for (i = 0; i < n; i++) {
		memset(&f, 0, sizeof(f));
		snprintf(res, sizeof(res), "sd-%d", i);
		f.playbook = xs(pb);
		f.account_id = xs(PROD);
		f.region = xs("eu-west-1");
		f.resource_id = xs(res);
		f.title = xs("Bucket is public");
		f.state = FS_OPEN;
		f.reminder_sent = 1;
		f.first_seen = f.last_seen = f.updated_at = T0;
		CHECK_INT(db_finding_insert(db, &f), FX_OK);
		if (i == 0)
			first = f.id;
		finding_release(&f);
	}
	CHECK_INT(db_commit(db), FX_OK);
	return first;
}

static void
test_reconcile_steps(void)
{
	const int n = 2 * SM_RECONCILE_BATCH + 1;
	struct sm_reconcile r;
	struct finding f;
	int64_t first, before;
	int steps = 0;

	fresh_db();
	first = shadow_done("pb-shadow", n);
	TEST("a playbook still in shadow: nothing to do, one step") {
		memset(&r, 0, sizeof(r));
		STEP(sm_reconcile_step(db, pol, T0, &r));
		CHECK(r.done);
		f = getf(first);
		CHECK_INT(f.reminder_sent, 1);
		finding_release(&f);
	}
	TEST("shadow -> notify: re-armed at most a batch per step") {
		pbk("pb-shadow")->mode = PB_NOTIFY;
		memset(&r, 0, sizeof(r));
		while (!r.done && steps < 10) {
			before = r.rearmed;
			STEP(sm_reconcile_step(db, pol, T0, &r));
			CHECK(r.rearmed - before <= SM_RECONCILE_BATCH);
			steps++;
		}
		CHECK(r.done);
		CHECK(steps >= 3 && steps <= 4); /* n rows, 3 batches */
		f = getf(first);
		CHECK_INT(f.reminder_sent, 0);
		finding_release(&f);
		f = getf(first + n - 1);
		CHECK_INT(f.reminder_sent, 0);
		CHECK_INT(f.state, FS_OPEN);
		finding_release(&f);
		/* a second run finds nothing left */
		memset(&r, 0, sizeof(r));
		STEP(sm_reconcile_step(db, pol, T0, &r));
		CHECK(r.done);
		CHECK_INT(r.rearmed, 0);
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
		CHECK_STR(text_of(rows, "ephemeral", 0),
		    "Only the owner of "
		    "this finding or a fixit admin can do that.");
		CHECK_STR(json_string_value(
			      json_object_get(args_of(rows, "ephemeral", 0),
				  "channel")),
		    "D1");
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
		json_decref(drain());
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
	test_reconcile_steps();
	test_owner_change();
	test_no_reminder_backoff();
	test_exception_edges();
	test_paused_none();
	fixture_stop();
	return TEST_REPORT();
}
