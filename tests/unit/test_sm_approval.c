/*
 * test_sm_approval.c - an exception request while it waits (reminded,
 * escalated, once each) and its admin messages once it ends.
 */
#include "sm_fixture.h"
#include "banned.h"

static size_t
count_ts(const json_t *rows, const char *ts)
{
	size_t i, n = 0;
	json_t *r, *a;

	json_array_foreach(rows, i, r) {
		a = json_object_get(r, "args");
		if (json_is_string(a))
			continue;
		if (json_string_value(json_object_get(a, "ts")) != NULL &&
		    strcmp(json_string_value(json_object_get(a, "ts")), ts) ==
			0)
			n++;
	}
	return n;
}

static void
test_nudges(void)
{
	struct finding_in in;
	struct exc_msgs m;
	json_t *rows;
	int64_t prod, exc, asked = T0 + 100;

	fresh_db();
	pol->approval_timeout = 3 * DAY;
	pol->approval_grace = DAY;
	pol->approval_remind = 4 * HOUR;
	pol->approval_escalate = DAY;
	in = item("pb-enforce", PROD, "nudge-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	exc = pending_1y(prod, "UOWNER", "waiting", asked);
	CHECK_INT(db_begin(db), FX_OK);
	CHECK_INT(job_end(
		      db_exc_msg_set(db, exc, EXC_MSG_ADMIN, "CADM", "100.1")),
	    FX_OK);

	TEST("nothing before approval_remind") {
		hk(asked + 4 * HOUR - 1);
		rows = drain();
		CHECK_INT(count_kind(rows, "approval_remind"), 0);
		json_decref(rows);
	}
	TEST("reminded once at approval_remind") {
		hk(asked + 4 * HOUR);
		hk(asked + 5 * HOUR);
		rows = drain();
		CHECK_INT(count_kind(rows, "approval_remind"), 1);
		CHECK_INT(count_kind(rows, "approval_escalate"), 0);
		CHECK(contains(text_of(rows, "approval_remind", 0),
		    "still waits for a fixit admin"));
		json_decref(rows);
		CHECK_INT(count_events(prod, "approval_reminded"), 1);
	}
	TEST("escalated once at approval_escalate") {
		hk(asked + DAY);
		hk(asked + DAY + HOUR);
		rows = drain();
		CHECK_INT(count_kind(rows, "approval_escalate"), 1);
		CHECK_INT(count_kind(rows, "approval_remind"), 0);
		CHECK(contains(text_of(rows, "approval_escalate", 0),
		    "has waited"));
		json_decref(rows);
		CHECK_INT(count_events(prod, "approval_escalated"), 1);
	}
	TEST("the approval decides every recorded message") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(job_end(db_exc_msg_set(db, exc, EXC_MSG_REMIND, NULL,
			      "100.2")),
		    FX_OK);
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(job_end(db_exc_msg_set(db, exc, EXC_MSG_ESCALATE,
			      NULL, "100.3")),
		    FX_OK);
		memset(&m, 0, sizeof(m));
		CHECK_INT(db_exc_msgs(db, exc, &m), FX_OK);
		CHECK_STR(m.channel, "CADM");
		CHECK_STR(m.ts[EXC_MSG_ESCALATE], "100.3");
		exc_msgs_release(&m);
		/* clicked on the escalation: each message updated once */
		click(ACT_EXC_APPROVE, exc, "UADMIN", asked + DAY + 2 * HOUR);
		rows = drain();
		CHECK_INT(count_ts(rows, "100.1"), 1);
		CHECK_INT(count_ts(rows, "100.2"), 1);
		CHECK_INT(count_ts(rows, "100.3"), 1);
		CHECK_INT(count_ts(rows, "111.222"), 1);
		/* and the finding's own message */
		CHECK_INT(count_kind(rows, "decision"), 5);
		json_decref(rows);
		CHECK_INT(state_of(prod), FS_EXCEPTED);
	}
	pol->approval_remind = 0;
	pol->approval_escalate = 0;
}

/* a stale request (its finding no longer waits on it) leaves the set */
static void
test_stale(void)
{
	struct finding_in in;
	struct finding f;
	json_t *rows;
	int64_t prod, exc, asked = T0 + 100, *ids = NULL;
	size_t n = 9;

	fresh_db();
	pol->approval_timeout = 3 * DAY;
	pol->approval_remind = HOUR;
	in = item("pb-enforce", PROD, "stale-prod", "UOWNER");
	prod = ingest1(&in, T0, NULL);
	exc = pending_1y(prod, "UOWNER", "stale", asked);
	f = getf(prod);
	f.exc_pending = 0;
	CHECK_INT(db_begin(db), FX_OK);
	CHECK_INT(job_end(db_finding_update(db, &f)), FX_OK);
	finding_release(&f);
	TEST("a stale request is not reminded, and not read again") {
		hk(asked + HOUR);
		rows = drain();
		CHECK_INT(count_kind(rows, "approval_remind"), 0);
		json_decref(rows);
		CHECK_INT(db_exc_ids_waiting(db, EXC_MSG_REMIND, asked + HOUR,
			      10, &ids, &n),
		    FX_OK);
		CHECK_INT(n, 0);
		free(ids);
		CHECK(exc > 0);
	}
	TEST("a lapse decides the admin message") {
		in = item("pb-enforce", PROD, "lapse-msg", "UOWNER");
		prod = ingest1(&in, T0, NULL);
		exc = pending_1y(prod, "UOWNER", "nobody", asked);
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(job_end(db_exc_msg_set(db, exc, EXC_MSG_ADMIN, "CADM",
			      "200.1")),
		    FX_OK);
		json_decref(drain());
		hk(asked + 3 * DAY);
		rows = drain();
		CHECK_INT(count_ts(rows, "200.1"), 1);
		CHECK(contains(text_of(rows, "decision", 0), "lapsed"));
		json_decref(rows);
	}
	pol->approval_remind = 0;
	pol->approval_timeout = 0;
}

int
main(void)
{
	fixture_start();
	test_nudges();
	test_stale();
	fixture_stop();
	return TEST_REPORT();
}
