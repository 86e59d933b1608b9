/*
 * test_sm_told.c - nobody is fixed before they were told (sm.h "told
 * first"): the notify's delivery starts the deadline, a dropped notify
 * leaves the finding waiting and tells the admins once, and the timer's
 * deadline query is not starved by findings it would skip.
 */
#include <stdio.h>

#include "sm_fixture.h"
#include "sm_internal.h" /* SM_BATCH */
#include "banned.h"

/* the pending outbox rows due at `at`, about finding id, of kind */
static size_t
due_rows(int64_t at, int64_t id, const char *kind)
{
	struct outbox_row *rows = NULL;
	size_t i, n = 0, k = 0;

	CHECK_INT(db_outbox_due(db, at, 0, 10000, &rows, &n), FX_OK);
	for (i = 0; i < n; i++) {
		if (rows[i].finding_id == id && strcmp(rows[i].kind, kind) == 0)
			k++;
		outbox_row_release(&rows[i]);
	}
	free(rows);
	return k;
}

/* the pending rows of kind of finding id due at now, dropped (dead) as
 * Slack failed; a notify's drop recorded as the sender does */
static void
drop_kind(int64_t id, const char *kind, int64_t now)
{
	struct outbox_row *rows = NULL;
	size_t i, n = 0;

	CHECK_INT(db_outbox_due(db, now, 0, 10000, &rows, &n), FX_OK);
	CHECK_INT(db_begin(db), FX_OK);
	for (i = 0; i < n; i++) {
		if (rows[i].finding_id == id &&
		    strcmp(rows[i].kind, kind) == 0) {
			CHECK_INT(db_outbox_dead(db, rows[i].id, "fatal_error"),
			    FX_OK);
			if (strcmp(kind, "notify") == 0)
				CHECK_INT(sm_notify_failed(db, pol, id,
					      rows[i].created_at, "fatal_error",
					      now),
				    FX_OK);
		}
		outbox_row_release(&rows[i]);
	}
	CHECK_INT(db_commit(db), FX_OK);
	free(rows);
}

static void
drop_notify(int64_t id, int64_t now)
{
	drop_kind(id, "notify", now);
}

static void
test_waits_until_told(void)
{
	struct finding_in in = item("pb-enforce", PROD, "t1", "UOWNER");
	struct finding f;
	json_t *rows;
	int64_t id;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	TEST("not told: no deadline, no reminder, never fixed") {
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, 0);
		finding_release(&f);
		hk(T0 + 47 * HOUR);
		hk(T0 + 100 * HOUR);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		CHECK_INT(count_events(id, "reminder"), 0);
		CHECK_INT(claim_count(T0 + 100 * HOUR), 0);
	}
	TEST("re-ingest while waiting does not ask twice") {
		ingest1(&in, T0 + 101 * HOUR, NULL);
		CHECK_INT(due_rows(T0 + 101 * HOUR, id, "notify"), 1);
	}
	TEST("told late: the deadline counts from delivery") {
		STEP(sm_notified_delivered(db, pol, id, T0, T0 + 102 * HOUR));
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 150 * HOUR);
		CHECK_INT(f.reminder_sent, 0);
		finding_release(&f);
		CHECK_INT(count_events(id, "owner_told"), 1);
		/* a second delivery (an old row) changes nothing */
		STEP(sm_notified_delivered(db, pol, id, T0, T0 + 90 * HOUR));
		CHECK_INT(count_events(id, "owner_told"), 1);
		json_decref(drain());
	}
	TEST("the reminder follows the real deadline") {
		hk(T0 + 125 * HOUR);
		CHECK_INT(count_events(id, "reminder"), 0);
		hk(T0 + 126 * HOUR);
		CHECK_INT(count_events(id, "reminder"), 1);
		hk(T0 + 150 * HOUR - 1);
		CHECK_INT(state_of(id), FS_NOTIFIED);
		hk(T0 + 150 * HOUR);
		CHECK_INT(state_of(id), FS_FIXING);
		rows = drain();
		CHECK_INT(count_kind(rows, "decision"), 1);
		json_decref(rows);
	}
	TEST("a row of an earlier cycle does not start this one") {
		in = item("pb-enforce", PROD, "t2", "UOWNER");
		id = ingest1(&in, T0 + 10, NULL);
		STEP(sm_notified_delivered(db, pol, id, T0, T0 + 20));
		f = getf(id);
		CHECK_INT(f.deadline, 0);
		finding_release(&f);
	}
}

/* the told step that records the message in the same update */
static void
test_posted(void)
{
	struct finding_in in = item("pb-enforce", PROD, "p1", "UOWNER");
	struct finding f;
	int64_t id;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	TEST("posted and told: the message and the deadline in one step") {
		STEP(sm_notified_posted(db, pol, id, T0, T0 + 60, "C1",
		    "1700000000.000100", "UNEW"));
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 60 + 48 * HOUR);
		CHECK_STR(f.slack_channel, "C1");
		CHECK_STR(f.slack_ts, "1700000000.000100");
		CHECK_STR(f.owner_slack_id, "UNEW");
		finding_release(&f);
		CHECK_INT(count_events(id, "owner_told"), 1);
	}
	TEST(
	    "posted when not waiting: the message alone, the deadline stands") {
		/* an earlier delivery (an old row's): the deadline stands */
		STEP(sm_notified_posted(db, pol, id, T0, T0 + 30, "C2",
		    "1700000000.000200", NULL));
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 60 + 48 * HOUR);
		CHECK_STR(f.slack_channel, "C2");
		CHECK_STR(f.slack_ts, "1700000000.000200");
		CHECK_STR(f.owner_slack_id, "UNEW");
		finding_release(&f);
		CHECK_INT(count_events(id, "owner_told"), 1);
	}
	TEST("a message without a ts is refused") {
		CHECK_INT(sm_notified_posted(db, pol, id, T0, T0 + 90, "C3",
			      NULL, NULL),
		    FX_EINVAL);
	}
}

static void
test_dropped(void)
{
	struct finding_in in = item("pb-enforce", PROD, "d1", "UOWNER");
	struct finding f;
	json_t *rows, *a;
	int64_t id, id2;

	fresh_db();
	id = ingest1(&in, T0, NULL);
	TEST("a dropped notify: waits, admins told, asked again later") {
		drop_notify(id, T0 + 600);
		f = getf(id);
		CHECK_INT(f.state, FS_NOTIFIED);
		CHECK_INT(f.deadline, 0);
		finding_release(&f);
		CHECK_INT(count_events(id, "owner_unreachable"), 1);
		CHECK_INT(due_rows(T0 + 600, id, "admin_msg"), 1);
		/* asked again SM_RETELL_S later (grace 48h is longer) */
		CHECK_INT(due_rows(T0 + 600 + SM_RETELL_S - 1, id, "notify"),
		    0);
		CHECK_INT(due_rows(T0 + 600 + SM_RETELL_S, id, "notify"), 1);
		hk(T0 + 100 * HOUR);
		CHECK_INT(state_of(id), FS_NOTIFIED);
	}
	TEST("dropped again: the admins are not told twice") {
		drop_notify(id, T0 + 600 + SM_RETELL_S);
		CHECK_INT(count_events(id, "owner_unreachable"), 2);
		rows = drain();
		CHECK_INT(count_kind(rows, "admin_msg"), 1);
		a = args_of(rows, "admin_msg", 0);
		CHECK_STR(json_string_value(json_object_get(a, "say")),
		    "owner_unreachable");
		CHECK_STR(json_string_value(json_object_get(a, "message")),
		    "fatal_error");
		CHECK(contains(text_of(rows, "admin_msg", 0),
		    "could not tell the owner"));
		/* drain delivered the third notify at its queue time */
		CHECK_INT(count_kind(rows, "notify"), 1);
		json_decref(rows);
		f = getf(id);
		CHECK_INT(f.deadline, T0 + 600 + SM_RETELL_S + 48 * HOUR);
		finding_release(&f);
	}
	TEST("a short grace retries sooner") {
		pbk("pb-enforce")->grace = 60;
		in = item("pb-enforce", PROD, "d2", "UOWNER");
		id2 = ingest1(&in, T0, NULL);
		drop_notify(id2, T0 + 5);
		CHECK_INT(due_rows(T0 + 64, id2, "notify"), 0);
		CHECK_INT(due_rows(T0 + 65, id2, "notify"), 1);
	}
	TEST("Slack down for the admins too: told again at the next drop") {
		CHECK_INT(due_rows(T0 + 65, id2, "admin_msg"), 1);
		drop_kind(id2, "admin_msg", T0 + 65);
		CHECK_INT(due_rows(T0 + 65, id2, "admin_msg"), 0);
		drop_notify(id2, T0 + 65);
		CHECK_INT(due_rows(T0 + 65, id2, "admin_msg"), 1);
		drop_notify(id2, T0 + 125);
		CHECK_INT(due_rows(T0 + 125, id2, "admin_msg"), 1);
		pbk("pb-enforce")->grace = 48 * HOUR;
	}
	TEST("a told finding is not made to wait by a late drop") {
		STEP(sm_notify_failed(db, pol, id, T0 + 600 + SM_RETELL_S,
		    "late", T0 + 200 * HOUR));
		CHECK_INT(count_events(id, "owner_unreachable"), 2);
		CHECK_INT(state_of(id), FS_NOTIFIED);
	}
}

/*
 * SM_BATCH + 1 due findings the timer skips (their playbook paused, or
 * no longer configured) must not hold back another playbook's deadline.
 * Fails with the plain DUE_DEADLINE query.
 */
static void
test_starvation(void)
{
	struct finding_in in;
	struct playbook *sh = pbk("pb-shadow");
	char res[32], *name;
	int64_t id, id2;
	int i;

	fresh_db();
	sh->mode = PB_ENFORCE;
	for (i = 0; i <= SM_BATCH; i++) {
		snprintf(res, sizeof(res), "s%d", i);
		in = item("pb-shadow", PROD, res, "UOWNER");
		ingest1(&in, T0, NULL);
	}
	in = item("pb-enforce", PROD, "e1", "UOWNER");
	id = ingest1(&in, T0 + 1, NULL);
	json_decref(drain());
	TEST("a paused playbook's backlog does not starve the others") {
		set_pause("pb-shadow", 1, FX_OK);
		hk(T0 + 49 * HOUR);
		CHECK_INT(state_of(id), FS_FIXING);
	}
	TEST("nor does one no longer configured") {
		set_pause("pb-shadow", 0, FX_OK);
		name = sh->name;
		sh->name = xs("pb-gone");
		in = item("pb-enforce", PROD, "e2", "UOWNER");
		id2 = ingest1(&in, T0 + 2, NULL);
		json_decref(drain());
		hk(T0 + 50 * HOUR);
		CHECK_INT(state_of(id2), FS_FIXING);
		free(sh->name);
		sh->name = name;
	}
	sh->mode = PB_SHADOW;
}

int
main(void)
{
	fixture_start();
	test_waits_until_told();
	test_posted();
	test_dropped();
	test_starvation();
	fixture_stop();
	return TEST_REPORT();
}
