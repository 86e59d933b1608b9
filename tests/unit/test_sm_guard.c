/*
 * test_sm_guard.c - what stops a fix beyond the finding's state
 * (remediation/sm_guard.c): undo holds by human key at ingest and at
 * claim, the circuit breaker and its re-arming, the hourly caps.
 */
#include "sm_fixture.h"
#include "banned.h"

#define YEAR (365 * DAY)

static struct finding_in
keyed(const char *acct, const char *res, const char *key)
{
	struct finding_in in = item("pb-none", acct, res, "UOWNER");

	in.human_key = key;
	return in;
}

/* claim everything due at now and finish each with ok */
static size_t
run_all(int64_t now, int ok)
{
	struct sm_job *jobs;
	size_t i, n = claim(now, &jobs);

	for (i = 0; i < n; i++)
		CHECK_INT(finish(&jobs[i], ok, ok ? "done" : "denied", NULL,
			      now + 1),
		    FX_OK);
	free_jobs(jobs, n);
	return n;
}

/* 1 when some row of kind has a text containing needle */
static int
any_text(const json_t *rows, const char *kind, const char *needle)
{
	size_t i;

	for (i = 0; text_of(rows, kind, i) != NULL; i++)
		if (contains(text_of(rows, kind, i), needle))
			return 1;
	return 0;
}

static int
paused(const char *name)
{
	int p = 0;

	CHECK_INT(db_paused(db, name, &p), FX_OK);
	return p;
}

static void
test_hold(void)
{
	struct finding_in a = keyed(DEV, "Z1", "zone a. public");
	struct finding_in b = keyed(DEV, "Z2", "zone a. public");
	struct finding_in c = keyed(DEV, "Z3", "zone b. public");
	struct finding_in d = keyed(PROD, "Z4", "zone a. public");
	struct buf msg = BUF_INIT;
	struct finding f;
	json_t *show = NULL;
	int64_t ia, ib, ic, id;

	fresh_db();
	TEST("an undo holds the human key: a new finding is excepted") {
		ia = ingest1(&a, T0, NULL);
		CHECK_INT(run_all(T0, 1), 1);
		STEP(sm_undo_request(db, pol, ia, "UADMIN", T0 + 10, &msg));
		CHECK_INT(run_all(T0 + 20, 1), 1);
		CHECK_INT(state_of(ia), FS_ROLLED_BACK);
		ib = ingest1(&b, T0 + 30, NULL);
		f = getf(ib);
		CHECK_INT(f.state, FS_EXCEPTED);
		CHECK_INT(f.excepted_until, T0 + 21 + YEAR);
		finding_release(&f);
		CHECK_INT(db_finding_show(db, ib, &show), FX_OK);
		CHECK_STR(json_string_value(json_object_get(
			      json_array_get(json_object_get(show,
						 "exceptions"),
				  0),
			      "requested_by")),
		    "UADMIN");
		json_decref(show);
		CHECK_INT(run_all(T0 + 40, 1), 0);
	}
	TEST("another key, another account: not held") {
		ic = ingest1(&c, T0 + 50, NULL);
		id = ingest1(&d, T0 + 50, NULL);
		CHECK_INT(state_of(ic), FS_FIXING);
		CHECK_INT(state_of(id), FS_FIXING);
		CHECK_INT(run_all(T0 + 60, 1), 2);
	}
	TEST("after the hold: handled as new") {
		hk(T0 + 22 + YEAR);
		CHECK_INT(state_of(ib), FS_FIXING);
		CHECK_INT(run_all(T0 + 23 + YEAR, 1), 1);
		CHECK_INT(state_of(ib), FS_FIXED);
	}
	buf_release(&msg);
}

static void
test_hold_at_claim(void)
{
	struct finding_in q = keyed(DEV, "Q1", "vol-1");
	struct finding_in r = keyed(DEV, "Q2", "vol-1");
	struct buf msg = BUF_INIT;
	struct sm_job *jobs;
	int64_t iq, ir;
	size_t n;

	fresh_db();
	TEST("found while the undo runs: held at claim") {
		ir = ingest1(&r, T0, NULL);
		CHECK_INT(run_all(T0, 1), 1);
		STEP(sm_undo_request(db, pol, ir, "UADMIN", T0 + 10, &msg));
		n = claim(T0 + 20, &jobs);
		CHECK_INT(n, 1);
		/* a scan sees the recreated resource before the undo ends */
		iq = ingest1(&q, T0 + 21, NULL);
		CHECK_INT(state_of(iq), FS_FIXING);
		if (n == 1) {
			CHECK_INT(jobs[0].undo, 1);
			CHECK_INT(finish(&jobs[0], 1, "undone", NULL, T0 + 22),
			    FX_OK);
		}
		free_jobs(jobs, n);
		CHECK_INT(run_all(T0 + 30, 1), 0);
		CHECK_INT(state_of(iq), FS_EXCEPTED);
	}
	buf_release(&msg);
}

static void
test_breaker(void)
{
	struct playbook *pb = pbk("pb-none");
	struct finding_in in;
	json_t *rows;
	char res[16];
	int i;

	fresh_db();
	pb->max_attempts = 1;
	pb->breaker_failures = 2;
	pb->breaker_undos = 0;
	pb->breaker_window = HOUR;
	TEST("two failures pause the playbook, the admins are told") {
		for (i = 0; i < 2; i++) {
			snprintf(res, sizeof(res), "B%d", i);
			in = item("pb-none", DEV, res, "UOWNER");
			(void)ingest1(&in, T0 + i, NULL);
		}
		json_decref(drain());
		CHECK_INT(run_all(T0 + 10, 0), 2);
		CHECK(paused("pb-none"));
		rows = drain();
		CHECK(any_text(rows, "admin_msg", "Circuit breaker"));
		json_decref(rows);
		in = item("pb-none", DEV, "B9", "UOWNER");
		(void)ingest1(&in, T0 + 20, NULL);
		CHECK_INT(run_all(T0 + 30, 1), 0);
	}
	TEST("resume re-arms: one more failure is 1 of 2") {
		set_pause("pb-none", 0, FX_OK);
		hk(T0 + 40);
		CHECK_INT(run_all(T0 + 40, 0), 1);
		CHECK(!paused("pb-none"));
	}
	pb->max_attempts = 3;
	pb->breaker_failures = 0;
}

static void
test_caps(void)
{
	struct playbook *pb = pbk("pb-none");
	struct account *dev = (struct account *)policy_account(pol, DEV);
	const struct executor_ops *ops = pb->exec.ops;
	struct finding_in in;
	char res[16];
	int i;

	fresh_db();
	pb->destructive = 1;
	pb->exec.ops = executor_find("exec"); /* not a rehearsal */
	pol->max_destructive_per_hour = 3;
	dev->max_destructive_per_hour = 1;
	TEST("the account's cap, then the global one") {
		for (i = 0; i < 5; i++) {
			snprintf(res, sizeof(res), "C%d", i);
			in = item("pb-none", i < 2 ? DEV : PROD, res, "UOWNER");
			(void)ingest1(&in, T0, NULL);
		}
		CHECK_INT(run_all(T0, 1), 3); /* 1 dev + 2 prod: global 3 */
		CHECK_INT(run_all(T0 + 10, 1), 0);
		CHECK_INT(run_all(T0 + HOUR + 1, 1), 2); /* the hour rolled */
	}
	TEST("a dry run is not counted") {
		pb->exec.ops = ops;
		for (i = 5; i < 9; i++) {
			snprintf(res, sizeof(res), "C%d", i);
			in = item("pb-none", DEV, res, "UOWNER");
			(void)ingest1(&in, T0 + HOUR + 2, NULL);
		}
		CHECK_INT(run_all(T0 + HOUR + 3, 1), 4);
	}
	pb->destructive = 0;
	pol->max_destructive_per_hour = 0;
	dev->max_destructive_per_hour = 0;
}

int
main(void)
{
	fixture_start();
	pbk("pb-none")->max_fixes_per_hour = 0; /* counted apart */
	test_hold();
	test_hold_at_claim();
	test_breaker();
	test_caps();
	fixture_stop();
	return TEST_REPORT();
}
