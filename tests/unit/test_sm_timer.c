/*
 * test_sm_timer.c - the state machine's timer side: housekeeping
 * (reminders, deadlines, pauses, exception expiry), claims under a lease,
 * rate limits, outcomes (fixed, retry, failed) and undo.
 */
#include "sm_fixture.h"
#include "banned.h"

/* rows about finding id (borrowed from rows) into a new array */
static json_t *
only(json_t *rows, int64_t id)
{
	json_t *a = json_array(), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		if (json_integer_value(json_object_get(r, "finding_id")) == id)
			json_array_append(a, r);
	json_decref(rows);
	return a;
}

static void
test_reminder_deadline(void)
{
	struct finding_in in = item("pb-enforce", PROD, "r1", "UOWNER");
	struct sm_job *jobs;
	struct finding f;
	json_t *rows;
	int64_t id;
	size_t n;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	json_decref(drain());
	TEST("reminder once, reminder_before the deadline") {
		hk(T0 + 23 * HOUR);
		rows = only(drain(), id);
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
		hk(T0 + 24 * HOUR);
		rows = only(drain(), id);
		CHECK_INT(json_array_size(rows), 1);
		CHECK_INT(count_kind(rows, "reminder"), 1);
		json_decref(rows);
		hk(T0 + 25 * HOUR);
		rows = only(drain(), id);
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
		CHECK_INT(count_events(id, "reminder"), 1);
		CHECK_INT(state_of(id), FS_NOTIFIED);
	}
	TEST("deadline moves the finding to fixing") {
		hk(T0 + 48 * HOUR - 1);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		hk(T0 + 48 * HOUR);
		f = getf(id);
		CHECK_INT(f.state, FS_FIXING);
		CHECK_INT(f.next_attempt_at, T0 + 48 * HOUR);
		finding_release(&f);
		rows = only(drain(), id);
		CHECK(
		    contains(text_of(rows, "decision", 0), "Deadline passed"));
		json_decref(rows);
	}
	TEST("a fix after notify updates the owner's message") {
		n = claim(T0 + 48 * HOUR, &jobs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_INT(finish(&jobs[0], 1, "done", NULL,
				      T0 + 48 * HOUR + 5),
			    FX_OK);
		free_jobs(jobs, n);
		CHECK_INT(state_of(id), FS_FIXED);
		rows = only(drain(), id);
		CHECK_STR(text_of(rows, "decision", 0),
		    "Fixed by fixit: Block public access");
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "Fixed by fixit: Block public access on Bucket &lt;b&gt; "
		    "&amp; public (#"));
		json_decref(rows);
	}
}

static void
test_pause_modes(void)
{
	struct finding_in in = item("pb-enforce", PROD, "p1", "UOWNER");
	struct finding f;
	json_t *rows;
	int64_t id, nid;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	in = item("pb-notify", PROD, "p2", "UOWNER");
	nid = ingest1(&in, T0, NULL);
	json_decref(drain()); /* both owners told */
	hk(T0 + 24 * HOUR);   /* reminders */
	json_decref(drain());
	TEST("paused playbook does not fix at the deadline") {
		set_pause("pb-nope", 1, FX_ENOTFOUND);
		set_pause("pb-enforce", 1, FX_OK);
		hk(T0 + 48 * HOUR);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		set_pause("pb-enforce", 0, FX_OK);
		set_pause("all", 1, FX_OK);
		hk(T0 + 49 * HOUR);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		set_pause("all", 0, FX_OK);
		hk(T0 + 50 * HOUR);
		CHECK_INT(state_of(id), FS_FIXING);
	}
	TEST("notify mode never fixes") {
		f = getf(nid);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, 0);
		CHECK_INT(f.reminder_sent, 1);
		finding_release(&f);
		CHECK_INT(count_events(nid, "reminder"), 1);
		CHECK_INT(count_events(nid, "deadline_passed"), 1);
		hk(T0 + 60 * HOUR);
		CHECK_INT(count_events(nid, "deadline_passed"), 1);
		CHECK_INT(state_of(nid), FS_NOTIFIED);
		rows = only(drain(), nid);
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
	}
}

static void
test_expiry(void)
{
	struct finding_in in = item("pb-enforce", DEV, "x1", "UOWNER");
	struct sm_exception_req r;
	struct exception_rec e;
	json_t *rows, *show;
	struct finding f;
	int64_t id, exc;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	r.finding_id = id;
	r.kind = EXC_1M;
	r.user_id = "UOWNER";
	r.reason = "migrating";
	STEP(sm_exception_submit(db, pol, &r, T0 + 10, NULL));
	json_decref(drain());
	TEST("expired exception asks the owner again") {
		hk(T0 + 10 + 30 * DAY - 1);
		CHECK_INT(state_of(id), FS_EXCEPTED);
		hk(T0 + 10 + 30 * DAY);
		rows = only(drain(), id);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, T0 + 10 + 30 * DAY + 48 * HOUR);
		CHECK_INT(f.excepted_until, 0);
		finding_release(&f);
		CHECK_INT(count_kind(rows, "notify"), 1);
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "Your 1 month exception for Bucket &lt;b&gt; &amp; "
		    "public"));
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "lapsed; you will be asked again."));
		json_decref(rows);
		show = NULL;
		CHECK_INT(db_finding_show(db, id, &show), FX_OK);
		exc = json_integer_value(
		    json_object_get(json_array_get(json_object_get(show,
						       "exceptions"),
					0),
			"id"));
		json_decref(show);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "expired");
		exception_release(&e);
	}
}

static void
test_claims(void)
{
	struct finding_in in = item("pb-none", DEV, "n1", NULL);
	struct sm_job *jobs, *jobs2;
	struct finding f;
	int64_t id, old_token;
	size_t n, n2;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	TEST("claim takes a lease") {
		n = claim(T0, &jobs);
		CHECK_INT(n, 1);
		if (n != 1)
			return;
		CHECK_INT(jobs[0].finding_id, id);
		CHECK_INT(jobs[0].undo, 0);
		CHECK_INT(jobs[0].attempt, 1);
		CHECK(jobs[0].lease_token > 0);
		CHECK_STR(jobs[0].playbook, "pb-none");
		CHECK_INT(json_integer_value(
			      json_object_get(jobs[0].finding, "id")),
		    id);
		f = getf(id);
		CHECK_INT(f.lease_until, T0 + 300);
		CHECK_INT(f.attempts, 1);
		finding_release(&f);
		CHECK_INT(count_events(id, "fix_attempt"), 1);
		n2 = claim(T0 + 10, &jobs2);
		CHECK_INT(n2, 0);
		free_jobs(jobs2, n2);
	}
	TEST("an expired lease is claimable again") {
		old_token = jobs[0].lease_token;
		n2 = claim(T0 + 300, &jobs2);
		CHECK_INT(n2, 1);
		if (n2 == 1) {
			CHECK_INT(jobs2[0].attempt, 2);
			CHECK(jobs2[0].lease_token != old_token);
			/* the first run comes back late: refused */
			CHECK_INT(finish(&jobs[0], 1, "late", NULL, T0 + 301),
			    FX_ECONFLICT);
			CHECK_INT(state_of(id), FS_FIXING);
			CHECK_INT(finish(&jobs2[0], 1, "ok", NULL, T0 + 302),
			    FX_OK);
			CHECK_INT(state_of(id), FS_FIXED);
			CHECK_INT(finish(&jobs2[0], 1, "ok", NULL, T0 + 303),
			    FX_ECONFLICT);
		}
		free_jobs(jobs2, n2);
		free_jobs(jobs, n);
		json_decref(drain());
	}
}

static void
test_rate_pause(void)
{
	struct finding_in in;
	struct sm_job *jobs;
	size_t i, n;

	fresh_db();
	in = item("pb-none", DEV, "m1", NULL);
	ingest1(&in, T0, NULL);
	in.resource_id = "m2";
	ingest1(&in, T0, NULL);
	in.resource_id = "m3";
	ingest1(&in, T0, NULL);
	TEST("pause stops claims") {
		set_pause("all", 1, FX_OK);
		CHECK_INT(claim_count(T0), 0);
		set_pause("all", 0, FX_OK);
		set_pause("pb-none", 1, FX_OK);
		CHECK_INT(claim_count(T0), 0);
		set_pause("pb-none", 0, FX_OK);
	}
	TEST("max fixes per hour") {
		n = claim(T0, &jobs);
		CHECK_INT(n, 2);
		for (i = 0; i < n; i++)
			CHECK_INT(finish(&jobs[i], 1, "ok", NULL, T0 + 1),
			    FX_OK);
		free_jobs(jobs, n);
		CHECK_INT(claim_count(T0 + 600), 0);
		CHECK_INT(claim_count(T0 + 3601), 1);
	}
}

static void
test_retry_failed(void)
{
	struct finding_in in = item("pb-none", DEV, "f1", "UOWNER");
	struct sm_job *jobs;
	struct finding f;
	json_t *rows;
	int64_t id;
	size_t n;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	TEST("failed attempt retries with backoff") {
		n = claim(T0, &jobs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_INT(finish(&jobs[0], 0, "boom", NULL, T0 + 5),
			    FX_OK);
		free_jobs(jobs, n);
		f = getf(id);
		CHECK_INT(f.state, FS_FIXING);
		CHECK_INT(f.next_attempt_at, T0 + 5 + 60);
		CHECK_INT(f.lease_until, 0);
		CHECK_STR(f.last_error, "boom");
		finding_release(&f);
		CHECK_INT(claim_count(T0 + 64), 0);
		n = claim(T0 + 65, &jobs);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_INT(jobs[0].attempt, 2);
			CHECK_INT(finish(&jobs[0], 0, "boom 2", NULL, T0 + 70),
			    FX_OK);
		}
		free_jobs(jobs, n);
		f = getf(id);
		CHECK_INT(f.next_attempt_at, T0 + 70 + 120);
		finding_release(&f);
		CHECK_INT(count_events(id, "fix_failed"), 2);
	}
	TEST("attempts used up: failed, admins told") {
		/* due at T0 + 190, but pb-none allows 2 fixes an hour */
		CHECK_INT(claim_count(T0 + 190), 0);
		n = claim(T0 + 3601, &jobs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_INT(finish(&jobs[0], 0, "no <perm>", NULL,
				      T0 + 3605),
			    FX_OK);
		free_jobs(jobs, n);
		CHECK_INT(state_of(id), FS_FAILED);
		rows = only(drain(), id);
		CHECK(contains(text_of(rows, "admin_msg", 0),
		    "Fix failed after 3 attempts: Bucket &lt;b&gt; &amp; "
		    "public (#"));
		CHECK(contains(text_of(rows, "admin_msg", 0),
		    "): no &lt;perm&gt;"));
		CHECK_INT(count_kind(rows, "owner_msg"), 1);
		/* never asked, so no message to update */
		CHECK_INT(count_kind(rows, "decision"), 0);
		json_decref(rows);
		CHECK_INT(claim_count(T0 + 100000), 0);
	}
}

/* a pb-none finding fixed with a prior state; returns its id */
static int64_t
fixed_finding(const char *res, int64_t now)
{
	struct finding_in in = item("pb-none", DEV, res, "UOWNER");
	json_t *prior = json_pack("{s:s}", "acl", "public-read");
	struct sm_job *jobs;
	int64_t id;
	size_t n;

	id = ingest1(&in, now, NULL);
	n = claim(now, &jobs);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(finish(&jobs[0], 1, "acl set private", prior,
			      now + 1),
		    FX_OK);
	free_jobs(jobs, n);
	json_decref(prior);
	return id;
}

static void
test_undo(void)
{
	struct buf msg = BUF_INIT;
	struct sm_job *jobs;
	struct finding f;
	json_t *rows;
	int64_t id, id2;
	size_t n;

	fresh_db();
	TEST("fixed records the prior state") {
		id = fixed_finding("u1", T0);
		f = getf(id);
		CHECK_INT(f.state, FS_FIXED);
		CHECK_STR(f.prior_state, "{\"acl\":\"public-read\"}");
		CHECK_INT(f.lease_until, 0);
		finding_release(&f);
		rows = only(drain(), id);
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "Fixed by fixit: Block public access"));
		json_decref(rows);
	}
	TEST("undo request, claim, finish -> rolled back") {
		STEP(sm_undo_request(db, pol, id, "UADMIN", T0 + 10, &msg));
		STEP_RC(sm_undo_request(db, pol, id, "UADMIN", T0 + 11, &msg),
		    FX_ECONFLICT);
		CHECK(contains(buf_str(&msg), "already queued"));
		n = claim(T0 + 20, &jobs);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_INT(jobs[0].undo, 1);
			CHECK_STR(json_string_value(
				      json_object_get(jobs[0].prior_state,
					  "acl")),
			    "public-read");
			CHECK_INT(finish(&jobs[0], 1, "acl restored", NULL,
				      T0 + 25),
			    FX_OK);
		}
		free_jobs(jobs, n);
		f = getf(id);
		CHECK_INT(f.state, FS_ROLLED_BACK);
		CHECK(f.undo_requested_by == NULL);
		finding_release(&f);
		rows = only(drain(), id);
		CHECK_INT(count_kind(rows, "owner_msg"), 1);
		CHECK(contains(text_of(rows, "admin_msg", 0), "Undo done"));
		json_decref(rows);
		CHECK_INT(count_events(id, "undo_attempt"), 1);
		STEP_RC(sm_undo_request(db, pol, id, "UADMIN", T0 + 30, &msg),
		    FX_ECONFLICT);
		CHECK(contains(buf_str(&msg), "is rolled_back"));
		STEP_RC(sm_undo_request(db, pol, 777, "UADMIN", T0 + 30, &msg),
		    FX_ENOTFOUND);
	}
	TEST("undo failed: stays fixed, admins told") {
		id2 = fixed_finding("u2", T0 + 4000);
		json_decref(drain());
		STEP(sm_undo_request(db, pol, id2, "UADMIN", T0 + 4010, &msg));
		n = claim(T0 + 4020, &jobs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_INT(finish(&jobs[0], 0, "AccessDenied", NULL,
				      T0 + 4025),
			    FX_OK);
		free_jobs(jobs, n);
		f = getf(id2);
		CHECK_INT(f.state, FS_FIXED);
		CHECK(f.undo_requested_by == NULL);
		CHECK_STR(f.last_error, "AccessDenied");
		finding_release(&f);
		rows = only(drain(), id2);
		CHECK(contains(text_of(rows, "admin_msg", 0), "Undo failed"));
		json_decref(rows);
		CHECK_INT(claim_count(T0 + 5000), 0);
	}
	buf_release(&msg);
}

int
main(void)
{
	fixture_start();
	test_reminder_deadline();
	test_pause_modes();
	test_expiry();
	test_claims();
	test_rate_pause();
	test_retry_failed();
	test_undo();
	fixture_stop();
	return TEST_REPORT();
}
