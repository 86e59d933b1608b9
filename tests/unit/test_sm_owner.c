/*
 * test_sm_owner.c - the owner's own steps (remediation/sm_owner.c):
 * Not mine (reassign to someone who is asked afresh, bounded) and False
 * positive (an admin's decision; approved ones excepted and counted).
 */
#include "sm_fixture.h"
#include "banned.h"

/* the "say" code of the args of the nth row of kind */
static const char *
say_of(const json_t *rows, const char *kind, size_t nth)
{
	return json_string_value(
	    json_object_get(args_of(rows, kind, nth), "say"));
}

/* the first ephemeral is the refusal code (or, worded, says part) */
static int
said(const json_t *rows, const char *code, const char *part)
{
	const char *say = say_of(rows, "ephemeral", 0);

	if (say != NULL)
		return strcmp(say, code) == 0;
	return contains(text_of(rows, "ephemeral", 0), part);
}

static fx_err
reassign(int64_t id, const char *user, const char *to, const char *note,
    int64_t now, json_t **why)
{
	struct sm_reassign_req r = { id, user, to, note };

	*why = NULL;
	CHECK_INT(db_begin(db), FX_OK);
	return job_end(sm_reassign(db, pol, &r, now, why));
}

static fx_err
report_fp(int64_t id, const char *user, const char *reason, int64_t now,
    json_t **why)
{
	struct sm_fp_req r = { id, user, reason };

	*why = NULL;
	CHECK_INT(db_begin(db), FX_OK);
	return job_end(sm_false_positive(db, pol, &r, now, why));
}

/* a refused step: its code, and nothing written */
static void
refused(fx_err rc, fx_err want, json_t **why, const char *code)
{
	json_t *rows = drain();

	CHECK_INT(rc, want);
	CHECK_STR(json_string_value(json_object_get(*why, "say")), code);
	CHECK_INT(json_array_size(rows), 0);
	json_decref(rows);
	json_decref(*why);
	*why = NULL;
}

/* a notified finding whose question reached the owner's DM */
static int64_t
asked(const char *res, const char *owner)
{
	struct finding_in in = item("pb-enforce", PROD, res, owner);
	int64_t id = ingest1(&in, T0, NULL);

	CHECK_INT(state_of(id), FS_NOTIFIED);
	CHECK_INT(db_finding_set_message(db, id, "DOWNER", "1.1", NULL), FX_OK);
	json_decref(drain());
	return id;
}

static void
test_reassign(void)
{
	int64_t id, at = T0 + 10 * HOUR;
	struct finding f;
	struct finding_in in;
	json_t *rows, *why, *a;
	char *dump;
	int i;

	fresh_db();
	id = asked("own-1", "UOWNER");
	TEST("Not mine opens the form; others are refused") {
		click(ACT_NOT_MINE, id, "UOWNER", T0 + 1);
		rows = drain();
		a = args_of(rows, "modal", 0);
		CHECK_STR(json_string_value(json_object_get(a, "kind")),
		    "reassign");
		json_decref(rows);
		click(ACT_FALSE_POSITIVE, id, "UOTHER", T0 + 1);
		rows = drain();
		CHECK_INT(json_array_size(rows), 1);
		CHECK_STR(say_of(rows, "ephemeral", 0), "not_owner");
		json_decref(rows);
	}
	TEST("refusals: not the owner, the owner again, not a user id") {
		refused(reassign(id, "UOTHER", "UNEW", NULL, at, &why),
		    FX_EPERM, &why, "not_owner");
		refused(reassign(id, "UOWNER", "UOWNER", NULL, at, &why),
		    FX_EINVAL, &why, "reassign_same");
		refused(reassign(id, "UOWNER", "not-a-user", NULL, at, &why),
		    FX_EINVAL, &why, "reassign_bad_user");
		refused(reassign(id, "UOWNER", NULL, NULL, at, &why), FX_EINVAL,
		    &why, "reassign_bad_user");
		refused(reassign(id + 99, "UOWNER", "UNEW", NULL, at, &why),
		    FX_ENOTFOUND, &why, "not_found");
	}
	TEST("passed on: the new owner is asked afresh, the old card says so") {
		CHECK_INT(db_finding_set_reminder(db, id, "1.2"), FX_OK);
		CHECK_INT(reassign(id, "UOWNER", "UNEW",
			      "it is the data team's", at, &why),
		    FX_OK);
		CHECK(why == NULL);
		f = getf(id);
		CHECK_STR(f.owner_slack_id, "UNEW");
		CHECK(f.slack_channel == NULL && f.slack_ts == NULL);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.notified_at, at);
		CHECK_INT(f.deadline, 0); /* the new owner not told yet */
		CHECK_INT(f.reminder_sent, 0);
		finding_release(&f);
		rows = drain();
		f = getf(id);
		CHECK_INT(f.deadline, at + 48 * HOUR);
		finding_release(&f);
		a = args_of(rows, "decision", 0);
		CHECK_STR(json_string_value(json_object_get(a, "say")),
		    "reassigned");
		CHECK_STR(json_string_value(json_object_get(a, "to")), "UNEW");
		CHECK_STR(json_string_value(json_object_get(a, "channel")),
		    "DOWNER");
		CHECK_STR(json_string_value(json_object_get(a, "ts")), "1.1");
		a = args_of(rows, "decision", 1); /* the old reminder */
		CHECK_STR(json_string_value(json_object_get(a, "ts")), "1.2");
		CHECK_STR(json_string_value(json_object_get(a, "channel")),
		    "DOWNER");
		CHECK_INT(db_finding_get_reminder(db, id, &dump), FX_OK);
		CHECK(dump == NULL);
		free(dump);
		CHECK_INT(count_kind(rows, "notify"), 1);
		a = args_of(rows, "owner_msg", 0);
		CHECK_STR(json_string_value(json_object_get(a, "say")),
		    "reassigned_to_you");
		CHECK_STR(json_string_value(json_object_get(a, "from")),
		    "UOWNER");
		dump = json_dumps(a, 0);
		CHECK(!contains(dump, "<@"));
		free(dump);
		json_decref(rows);
		CHECK_INT(count_events(id, "reassigned"), 1);
	}
	TEST("the old owner can no longer decide") {
		click(ACT_EXC_1M, id, "UOWNER", at + 1);
		rows = drain();
		CHECK(said(rows, "not_owner", "owner"));
		json_decref(rows);
	}
	TEST("a scan's owner tag does not undo it") {
		in = item("pb-enforce", PROD, "own-1", "UOWNER");
		CHECK_INT(ingest1(&in, at + 1, NULL), id);
		f = getf(id);
		CHECK_STR(f.owner_slack_id, "UNEW");
		CHECK_INT(f.state, FS_NOTIFIED);
		finding_release(&f);
		json_decref(drain());
	}
	TEST("passed on at most SM_MAX_REASSIGN times, then an admin") {
		/* UNEW and UOWNER pass it back and forth */
		for (i = 1; i < SM_MAX_REASSIGN; i++)
			CHECK_INT(reassign(id, i % 2 ? "UNEW" : "UOWNER",
				      i % 2 ? "UOWNER" : "UNEW", NULL, at + i,
				      &why),
			    FX_OK);
		json_decref(drain());
		f = getf(id);
		CHECK_STR(f.owner_slack_id, "UNEW");
		finding_release(&f);
		refused(reassign(id, "UNEW", "UTHIRD", NULL, at + 9, &why),
		    FX_ECONFLICT, &why, "reassign_limit");
		click(ACT_NOT_MINE, id, "UNEW", at + 9);
		rows = drain();
		CHECK_STR(say_of(rows, "ephemeral", 0), "reassign_limit");
		json_decref(rows);
		CHECK_INT(reassign(id, "UADMIN", "UTHIRD", NULL, at + 10, &why),
		    FX_OK);
		json_decref(drain());
		CHECK_INT(count_events(id, "reassigned"), SM_MAX_REASSIGN + 1);
	}
}

static void
test_false_positive(void)
{
	int64_t id, id2, exc, at = T0 + HOUR;
	struct exception_rec e;
	struct finding f;
	json_t *rows, *why, *a, *counts = NULL;
	int fp = -1;

	fresh_db();
	pol->self_approval = 0;
	id = asked("fp-1", "UOWNER");
	TEST("a reason is needed") {
		refused(report_fp(id, "UOWNER", "  ", at, &why), FX_EINVAL,
		    &why, "reason_needed");
	}
	TEST("reported: pending, flagged, an admin asked") {
		CHECK_INT(report_fp(id, "UOWNER", "test fixture", at, &why),
		    FX_OK);
		f = getf(id);
		exc = f.exc_pending;
		CHECK(exc != 0);
		CHECK_INT(f.state, FS_NOTIFIED);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "pending");
		CHECK_STR(e.kind, "1y");
		CHECK_STR(e.reason, "false positive: test fixture");
		exception_release(&e);
		CHECK_INT(db_exception_fp(db, exc, &fp), FX_OK);
		CHECK_INT(fp, DB_FP_REPORTED);
		rows = drain();
		a = args_of(rows, "approval_request", 0);
		CHECK(json_is_true(json_object_get(a, "fp")));
		CHECK_STR(say_of(rows, "decision", 0), "fp_reported");
		json_decref(rows);
		CHECK_INT(count_events(id, "false_positive_reported"), 1);
		refused(report_fp(id, "UOWNER", "again", at, &why),
		    FX_ECONFLICT, &why, "exc_pending");
	}
	TEST("approved: excepted for a year, counted, everyone told") {
		click(ACT_EXC_APPROVE, exc, "UADMIN", at + 60);
		f = getf(id);
		CHECK_INT(f.state, FS_EXCEPTED);
		CHECK_INT(f.exc_pending, 0);
		CHECK_INT(f.excepted_until, at + 60 + 365 * DAY);
		finding_release(&f);
		CHECK_INT(db_exception_fp(db, exc, &fp), FX_OK);
		CHECK_INT(fp, DB_FP_APPROVED);
		CHECK_INT(count_events(id, "false_positive"), 1);
		rows = drain();
		CHECK_STR(say_of(rows, "decision", 0), "fp_approved");
		a = args_of(rows, "owner_msg", 0);
		CHECK_STR(json_string_value(json_object_get(a, "say")),
		    "fp_approved_owner");
		CHECK_STR(json_string_value(json_object_get(a, "reason")),
		    "test fixture");
		a = args_of(rows, "decision", 1);
		CHECK_STR(json_string_value(json_object_get(a, "say")),
		    "fp_request_approved");
		CHECK_STR(json_string_value(json_object_get(a, "channel")),
		    "CCLICK");
		json_decref(rows);
		CHECK_INT(db_fp_counts(db, &counts), FX_OK);
		CHECK_INT(json_integer_value(
			      json_object_get(counts, "pb-enforce")),
		    1);
		CHECK_INT(json_object_size(counts), 1);
		json_decref(counts);
	}
	id2 = asked("fp-2", "UOWNER");
	TEST("an admin's own report: not approved by them, denied") {
		CHECK_INT(report_fp(id2, "UADMIN", "mine", at, &why), FX_OK);
		f = getf(id2);
		exc = f.exc_pending;
		finding_release(&f);
		json_decref(drain());
		click(ACT_EXC_APPROVE, exc, "UADMIN", at + 1);
		rows = drain();
		CHECK(said(rows, "self_approval", "another fixit admin"));
		json_decref(rows);
		CHECK_INT(state_of(id2), FS_NOTIFIED);
		CHECK_INT(deny(exc, "UADMIN", "it is real", at + 2, NULL),
		    FX_OK);
		f = getf(id2);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, 0);
		finding_release(&f);
		rows = drain();
		CHECK_STR(say_of(rows, "decision", 0), "fp_denied");
		CHECK(contains(text_of(rows, "decision", 0), "it is real"));
		CHECK_STR(say_of(rows, "owner_msg", 0), "fp_denied_owner");
		CHECK(contains(text_of(rows, "owner_msg", 0), "it is real"));
		json_decref(rows);
		CHECK_INT(db_fp_counts(db, &counts), FX_OK);
		CHECK_INT(json_integer_value(
			      json_object_get(counts, "pb-enforce")),
		    1);
		json_decref(counts);
	}
}

/* a report nobody decides lapses: the card says so, buttons come back */
static void
test_fp_lapses(void)
{
	int64_t id, exc, at = T0 + HOUR;
	struct exception_rec e;
	struct finding f;
	json_t *rows, *why;

	fresh_db();
	pol->approval_timeout = 3 * DAY;
	pol->approval_grace = DAY;
	id = asked("fp-lapse", "UOWNER");
	CHECK_INT(report_fp(id, "UOWNER", "nobody looks", at, &why), FX_OK);
	f = getf(id);
	exc = f.exc_pending;
	finding_release(&f);
	json_decref(drain());
	TEST("a false-positive report lapses like a request") {
		hk(at + 3 * DAY);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.exc_pending, 0);
		finding_release(&f);
		memset(&e, 0, sizeof(e));
		CHECK_INT(db_exception_get(db, exc, &e), FX_OK);
		CHECK_STR(e.status, "expired");
		exception_release(&e);
		rows = drain();
		CHECK_STR(say_of(rows, "decision", 0), "fp_lapsed");
		CHECK_STR(say_of(rows, "owner_msg", 0), "fp_lapsed_owner");
		CHECK_INT(count_kind(rows, "reminder"), 1);
		json_decref(rows);
	}
}

int
main(void)
{
	fixture_start();
	test_reassign();
	test_false_positive();
	test_fp_lapses();
	fixture_stop();
	return TEST_REPORT();
}
