/*
 * test_db.c - the store: open and migrations, findings, the timer queries,
 * audit, exceptions, outbox, Slack user cache, pauses, savepoints, and a
 * timing loop for the writer's batch of click jobs.
 *
 * Raw SQL (the audit triggers, a newer schema) goes through a second
 * sqlite3 connection opened by the test itself.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "db_int.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

static char tmpdir[64];
static char dbpath[128];

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_db.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(dbpath, sizeof(dbpath), "%s/fixit.db", tmpdir);
}

static void
tmp_remove(const char *name)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	(void)unlink(p);
}

static void
tmp_cleanup(void)
{
	tmp_remove("fixit.db");
	tmp_remove("fixit.db-wal");
	tmp_remove("fixit.db-shm");
	tmp_remove("newer.db");
	tmp_remove("newer.db-wal");
	tmp_remove("newer.db-shm");
	(void)rmdir(tmpdir);
}

/* a finding of playbook "pb-a", account 111122223333, resource res */
static void
mkfinding(struct finding *f, const char *res, enum fstate state)
{
	memset(f, 0, sizeof(*f));
	th_setstr(&f->playbook, "pb-a");
	th_setstr(&f->account_id, "111122223333");
	th_setstr(&f->region, "eu-west-1");
	th_setstr(&f->resource_id, res);
	th_setstr(&f->title, "Instance allows IMDSv1");
	th_setstr(&f->details, "{\"k\":\"v\"}");
	f->state = state;
	f->first_seen = f->last_seen = f->updated_at = 100;
}

static int64_t
add_finding(struct db *db, const char *res, enum fstate state)
{
	struct finding f;
	int64_t id = 0;

	mkfinding(&f, res, state);
	if (db_finding_insert(db, &f) == FX_OK)
		id = f.id;
	finding_release(&f);
	return id;
}

/* raw SQL on a second connection; returns the SQLite code, msg copied */
static int
raw_exec(const char *path, const char *sql, char *msg, size_t len)
{
	sqlite3 *h = NULL;
	char *err = NULL;
	int rc;

	rc = sqlite3_open(path, &h);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	if (msg != NULL)
		snprintf(msg, len, "%s", err ? err : "");
	sqlite3_free(err);
	sqlite3_close(h);
	return rc;
}

/* threads opening one fresh file at once: each must see the schema */
static void *
open_thread(void *arg)
{
	const char *path = arg;
	struct db *db = NULL;
	intptr_t ok;

	ok = db_open(path, &db) == FX_OK &&
	     db_schema_version(db) == db_nmigrations;
	db_close(db);
	return (void *)ok;
}

static void
test_open_race(void)
{
	enum { NTHREADS = 4 };
	pthread_t t[NTHREADS];
	char p[160];
	void *ok;
	int i;

	snprintf(p, sizeof(p), "%s/race.db", tmpdir);
	TEST("concurrent opens of a new file migrate once") {
		for (i = 0; i < NTHREADS; i++)
			CHECK_INT(pthread_create(&t[i], NULL, open_thread, p),
			    0);
		for (i = 0; i < NTHREADS; i++) {
			ok = NULL;
			CHECK_INT(pthread_join(t[i], &ok), 0);
			CHECK(ok != NULL);
		}
	}
	tmp_remove("race.db");
	tmp_remove("race.db-wal");
	tmp_remove("race.db-shm");
}

static void
test_open(void)
{
	struct db *db = NULL;
	char p[160], msg[128];

	TEST("open creates and migrates; re-open is idempotent") {
		CHECK_INT(db_open(dbpath, &db), FX_OK);
		CHECK(db != NULL);
		CHECK_INT(db_schema_version(db), db_nmigrations);
		CHECK_INT(add_finding(db, "i-keep", FS_OPEN) > 0, 1);
		db_close(db);
		db = NULL;
		CHECK_INT(db_open(dbpath, &db), FX_OK);
		CHECK_INT(db_schema_version(db), db_nmigrations);
		{
			struct finding f;

			CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
				      "eu-west-1", "i-keep", &f),
			    FX_OK);
			finding_release(&f);
		}
		db_close(db);
		db = NULL;
		db_close(NULL);
	}
	TEST("wal mode and a newer schema is refused") {
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;

		CHECK_INT(sqlite3_open(dbpath, &h), SQLITE_OK);
		CHECK_INT(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st,
			      NULL),
		    SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(h);

		snprintf(p, sizeof(p), "%s/newer.db", tmpdir);
		snprintf(msg, sizeof(msg), "PRAGMA user_version = %d",
		    db_nmigrations + 1);
		CHECK_INT(raw_exec(p, msg, NULL, 0), SQLITE_OK);
		CHECK_INT(db_open(p, &db), FX_EDB);
		CHECK(db == NULL);
		CHECK_INT(db_open(NULL, &db), FX_EINVAL);
	}
}

static int64_t
test_finding_insert(struct db *db)
{
	struct finding f, g;
	int64_t id = 0;

	TEST("finding insert, get, find, unique key") {
		mkfinding(&f, "i-0001", FS_OPEN);
		CHECK_INT(db_finding_insert(db, &f), FX_OK);
		CHECK(f.id > 0);
		id = f.id;
		CHECK_INT(db_finding_get(db, id, &g), FX_OK);
		CHECK_STR(g.resource_id, "i-0001");
		CHECK_STR(g.details, "{\"k\":\"v\"}");
		CHECK_INT(g.state, FS_OPEN);
		CHECK_INT(g.deadline, 0);
		CHECK(g.owner_email == NULL);
		finding_release(&g);
		/* same key again */
		CHECK_INT(db_finding_insert(db, &f), FX_EDB);
		CHECK(strstr(db_errmsg(db), "UNIQUE") != NULL);
		finding_release(&f);

		CHECK_INT(db_finding_get(db, 999999, &g), FX_ENOTFOUND);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "nope", &g),
		    FX_ENOTFOUND);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "i-0001", &g),
		    FX_OK);
		CHECK_INT(g.id, id);
		finding_release(&g);
	}
	return id;
}

static void
test_finding_update(struct db *db, int64_t id)
{
	struct finding f, g;

	TEST("finding update writes every mutable column") {
		CHECK_INT(db_finding_get(db, id, &g), FX_OK);
		th_setstr(&g.resource_arn,
		    "arn:aws:ec2:eu-west-1:1:instance/i");
		th_setstr(&g.owner_email, "a@example.com");
		th_setstr(&g.owner_slack_id, "U1");
		th_setstr(&g.title, "t2");
		th_setstr(&g.details, "{\"x\":[1,2]}");
		g.state = FS_FIXING;
		g.last_seen = 200;
		g.observed_at = 201;
		g.notified_at = 202;
		g.deadline = 203;
		g.reminder_sent = 1;
		g.excepted_until = 204;
		g.exc_pending = 7;
		g.lease_until = 205;
		g.lease_token = 206;
		g.attempts = 2;
		g.next_attempt_at = 207;
		th_setstr(&g.undo_requested_by, "UADMIN");
		th_setstr(&g.prior_state, "{\"http_tokens\":\"optional\"}");
		th_setstr(&g.last_error, "boom");
		th_setstr(&g.slack_channel, "C1");
		th_setstr(&g.slack_ts, "1.2");
		g.updated_at = 208;
		CHECK_INT(db_finding_update(db, &g), FX_OK);
		CHECK_INT(db_finding_get(db, id, &f), FX_OK);
		CHECK_STR(f.resource_arn, g.resource_arn);
		CHECK_STR(f.owner_email, "a@example.com");
		CHECK_STR(f.owner_slack_id, "U1");
		CHECK_STR(f.title, "t2");
		CHECK_STR(f.details, "{\"x\":[1,2]}");
		CHECK_INT(f.state, FS_FIXING);
		CHECK_INT(f.first_seen, 100);
		CHECK_INT(f.last_seen, 200);
		CHECK_INT(f.observed_at, 201);
		CHECK_INT(f.notified_at, 202);
		CHECK_INT(f.deadline, 203);
		CHECK_INT(f.reminder_sent, 1);
		CHECK_INT(f.excepted_until, 204);
		CHECK_INT(f.exc_pending, 7);
		CHECK_INT(f.lease_until, 205);
		CHECK_INT(f.lease_token, 206);
		CHECK_INT(f.attempts, 2);
		CHECK_INT(f.next_attempt_at, 207);
		CHECK_STR(f.undo_requested_by, "UADMIN");
		CHECK_STR(f.prior_state, "{\"http_tokens\":\"optional\"}");
		CHECK_STR(f.last_error, "boom");
		CHECK_STR(f.slack_channel, "C1");
		CHECK_STR(f.slack_ts, "1.2");
		CHECK_INT(f.updated_at, 208);
		finding_release(&f);

		/* bad input: CHECK constraint, or refused before SQL */
		th_setstr(&g.details, "not json");
		CHECK_INT(db_finding_update(db, &g), FX_EDB);
		th_setstr(&g.details, NULL); /* NULL: {} */
		CHECK_INT(db_finding_update(db, &g), FX_OK);
		g.state = FS__COUNT;
		CHECK_INT(db_finding_update(db, &g), FX_EINVAL);
		g.state = FS_FIXED;
		g.id = 999999;
		CHECK_INT(db_finding_update(db, &g), FX_ENOTFOUND);
		finding_release(&g);
		finding_release(NULL);
	}

	TEST("steps_only: a state step writes its columns, not the report") {
		CHECK_INT(db_finding_get(db, id, &g), FX_OK);
		CHECK_INT(g.steps_only, 0); /* never read from the row */
		g.steps_only = 1;
		th_setstr(&g.title, "not written");
		th_setstr(&g.details, "not json either"); /* not even checked */
		th_setstr(&g.owner_slack_id, "UOTHER");
		th_setstr(&g.slack_ts, "7.7");
		g.last_seen = 999;
		g.notify_only = 1;
		g.state = FS_EXCEPTED;
		g.notified_at = 302;
		g.deadline = 303;
		g.reminder_sent = 0;
		g.excepted_until = 304;
		g.exc_pending = 0;
		g.lease_until = 305;
		g.lease_token = 306;
		g.attempts = 3;
		g.next_attempt_at = 307;
		th_setstr(&g.undo_requested_by, NULL);
		th_setstr(&g.prior_state, "{\"a\":1}");
		th_setstr(&g.last_error, NULL);
		g.updated_at = 308;
		CHECK_INT(db_finding_update(db, &g), FX_OK);
		CHECK_INT(db_finding_get(db, id, &f), FX_OK);
		CHECK_STR(f.title, "t2");
		CHECK_STR(f.details, "{}");
		CHECK_STR(f.owner_slack_id, "U1");
		CHECK_STR(f.slack_ts, "1.2");
		CHECK_INT(f.last_seen, 200);
		CHECK_INT(f.notify_only, 0);
		CHECK_INT(f.state, FS_EXCEPTED);
		CHECK_INT(f.notified_at, 302);
		CHECK_INT(f.deadline, 303);
		CHECK_INT(f.reminder_sent, 0);
		CHECK_INT(f.excepted_until, 304);
		CHECK_INT(f.exc_pending, 0);
		CHECK_INT(f.lease_until, 305);
		CHECK_INT(f.lease_token, 306);
		CHECK_INT(f.attempts, 3);
		CHECK_INT(f.next_attempt_at, 307);
		CHECK(f.undo_requested_by == NULL && f.last_error == NULL);
		CHECK_STR(f.prior_state, "{\"a\":1}");
		CHECK_INT(f.updated_at, 308);
		finding_release(&f);
		/* its own columns are still checked */
		th_setstr(&g.prior_state, "{");
		CHECK_INT(db_finding_update(db, &g), FX_EDB);
		g.id = 999999;
		th_setstr(&g.prior_state, NULL);
		CHECK_INT(db_finding_update(db, &g), FX_ENOTFOUND);
		finding_release(&g);
	}
}

static void
test_finding_misc(struct db *db, int64_t id)
{
	struct finding f;

	TEST("set_message keeps the owner when NULL") {
		CHECK_INT(db_finding_set_message(db, id, "D1", "9.9", NULL),
		    FX_OK);
		CHECK_INT(db_finding_get(db, id, &f), FX_OK);
		CHECK_STR(f.slack_channel, "D1");
		CHECK_STR(f.slack_ts, "9.9");
		CHECK_STR(f.owner_slack_id, "U1");
		finding_release(&f);
		CHECK_INT(db_finding_set_message(db, id, "D2", "9.8", "U2"),
		    FX_OK);
		CHECK_INT(db_finding_get(db, id, &f), FX_OK);
		CHECK_STR(f.owner_slack_id, "U2");
		finding_release(&f);
		CHECK_INT(db_finding_set_message(db, 999999, "D", "1", NULL),
		    FX_ENOTFOUND);
	}
	TEST("the reminder's ts, forgotten with a new message") {
		char *ts = NULL;

		CHECK_INT(db_finding_get_reminder(db, id, &ts), FX_OK);
		CHECK(ts == NULL);
		CHECK_INT(db_finding_set_reminder(db, id, "9.95"), FX_OK);
		CHECK_INT(db_finding_get_reminder(db, id, &ts), FX_OK);
		CHECK_STR(ts, "9.95");
		free(ts);
		CHECK_INT(db_finding_set_message(db, id, "D3", "9.97", NULL),
		    FX_OK);
		CHECK_INT(db_finding_get_reminder(db, id, &ts), FX_OK);
		CHECK(ts == NULL);
		CHECK_INT(db_finding_get_reminder(db, 999999, &ts),
		    FX_ENOTFOUND);
		CHECK_INT(db_finding_set_reminder(db, 999999, "1"),
		    FX_ENOTFOUND);
	}
	TEST("fstate names") {
		CHECK_STR(fstate_name(FS_ROLLED_BACK), "rolled_back");
		CHECK_INT(fstate_parse("excepted"), FS_EXCEPTED);
		CHECK_INT(fstate_parse("bogus"), -1);
		CHECK_INT(fstate_parse(NULL), -1);
		CHECK_STR(fstate_name(FS__COUNT), "unknown");
	}
}

/* a crafted row for the timer queries */
static int64_t
due_row(struct db *db, const char *res, enum fstate s, int64_t deadline,
    int reminder, int64_t exc_until, int64_t exc_pending, int64_t lease,
    int64_t next_at, const char *undo)
{
	struct finding f;
	int64_t id = 0;

	mkfinding(&f, res, s);
	th_setstr(&f.playbook, "pb-due");
	f.deadline = deadline;
	f.reminder_sent = reminder;
	f.excepted_until = exc_until;
	f.exc_pending = exc_pending;
	f.lease_until = lease;
	f.next_attempt_at = next_at;
	th_setstr(&f.undo_requested_by, undo);
	if (db_finding_insert(db, &f) == FX_OK)
		id = f.id;
	finding_release(&f);
	return id;
}

static int
due_is(struct db *db, enum due_kind k, int64_t now, size_t max,
    const int64_t *want, size_t nwant)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	int ok;

	if (db_finding_ids_due(db, k, now, max, &ids, &n) != FX_OK)
		return 0;
	ok = n == nwant;
	for (i = 0; ok && i < n; i++)
		ok = ids[i] == want[i];
	if (!ok) {
		printf("    due kind %d got", (int)k);
		for (i = 0; i < n; i++)
			printf(" %lld", (long long)ids[i]);
		printf("\n");
	}
	free(ids);
	return ok;
}

static void
test_due(const char *path)
{
	struct db *db = NULL;
	int64_t a, c, d, d2, e, g, i, k, m, p;
	int64_t *ids = NULL;
	size_t n = 9;

	/* a fresh file so that only crafted rows are there */
	tmp_remove("fixit.db");
	tmp_remove("fixit.db-wal");
	tmp_remove("fixit.db-shm");
	if (db_open(path, &db) != FX_OK)
		return;
	TEST("timer queries, one per due_kind (now = 1000)") {
		a = due_row(db, "a", FS_EXCEPTED, 0, 0, 900, 0, 0, 0, NULL);
		(void)due_row(db, "b", FS_EXCEPTED, 0, 0, 1100, 0, 0, 0, NULL);
		c = due_row(db, "c", FS_EXCEPTED, 0, 0, 1000, 0, 0, 0, NULL);
		d = due_row(db, "d", FS_OPEN, 0, 0, 0, 0, 0, 0, NULL);
		e = due_row(db, "e", FS_NOTIFIED, 2000, 0, 0, 0, 0, 0, NULL);
		(void)due_row(db, "f", FS_NOTIFIED, 2000, 1, 0, 0, 0, 0, NULL);
		g = due_row(db, "g", FS_NOTIFIED, 900, 0, 0, 0, 0, 0, NULL);
		(void)due_row(db, "h", FS_NOTIFIED, 900, 0, 0, 5, 0, 0, NULL);
		i = due_row(db, "i", FS_FIXING, 0, 0, 0, 0, 0, 0, NULL);
		(void)due_row(db, "j", FS_FIXING, 0, 0, 0, 0, 1100, 0, NULL);
		k = due_row(db, "k", FS_FIXING, 0, 0, 0, 0, 900, 1000, NULL);
		(void)due_row(db, "l", FS_FIXING, 0, 0, 0, 0, 0, 1100, NULL);
		m = due_row(db, "m", FS_FIXED, 0, 0, 0, 0, 0, 0, "UADM");
		(void)due_row(db, "n", FS_FIXED, 0, 0, 0, 0, 0, 0, NULL);
		(void)due_row(db, "o", FS_FIXED, 0, 0, 0, 0, 1100, 0, "UADM");
		p = due_row(db, "p", FS_FIXED, 0, 0, 0, 0, 1000, 0, "UADM");
		d2 = due_row(db, "d2", FS_OPEN, 0, 0, 0, 0, 0, 0, NULL);
		CHECK(d2 > 0);
		{
			int64_t w1[] = { a, c }, w2[] = { d, d2 }, w3[] = { e };
			int64_t w4[] = { g }, w5[] = { i, k }, w6[] = { m, p };

			CHECK(due_is(db, DUE_EXPIRED_EXC, 1000, 10, w1, 2));
			CHECK(due_is(db, DUE_OPEN, 1000, 10, w2, 2));
			CHECK(due_is(db, DUE_OPEN, 1000, 1, w2, 1));
			CHECK(due_is(db, DUE_REMINDER, 1000, 10, w3, 1));
			CHECK(due_is(db, DUE_DEADLINE, 1000, 10, w4, 1));
			CHECK(due_is(db, DUE_CLAIMABLE, 1000, 10, w5, 2));
			CHECK(due_is(db, DUE_UNDO, 1000, 10, w6, 2));
			/* reminders only up to a horizon (e's deadline 2000) */
			CHECK_INT(db_finding_ids_remind(db, 1000, 1999, 10,
				      &ids, &n),
			    FX_OK);
			CHECK_INT(n, 0);
			free(ids);
			CHECK_INT(db_finding_ids_remind(db, 1000, 2000, 10,
				      &ids, &n),
			    FX_OK);
			CHECK(n == 1 && ids[0] == e);
			free(ids);
			/* earlier: fewer due */
			CHECK(due_is(db, DUE_EXPIRED_EXC, 950, 10, w1, 1));
			CHECK(due_is(db, DUE_CLAIMABLE, 950, 10, w5, 1));
		}
		CHECK_INT(db_finding_ids_due(db, DUE_OPEN, 1000, 0, &ids, &n),
		    FX_OK);
		CHECK_INT(n, 0);
		CHECK(ids == NULL);
		CHECK_INT(db_finding_ids_due(db, (enum due_kind)42, 1000, 5,
			      &ids, &n),
		    FX_EINVAL);
	}
	db_close(db);
}

static void
test_audit(struct db *db, int64_t fid)
{
	json_t *data;
	int64_t n = -1;
	char msg[256];
	int rc;

	TEST("audit append, count per playbook, append-only") {
		data = json_pack("{s:s}", "why", "test");
		CHECK_INT(db_audit_add(db, fid, 500, "U1", "notified", "fixing",
			      "fix_now", NULL, data),
		    FX_OK);
		CHECK_INT(db_audit_add(db, fid, 600, "timer", "fixing", "fixed",
			      "fix_attempt", "ok", NULL),
		    FX_OK);
		CHECK_INT(db_audit_add(db, fid, 700, "timer", NULL, NULL,
			      "fix_attempt", NULL, NULL),
		    FX_OK);
		CHECK_INT(db_audit_add(db, 0, 700, "UADM", NULL, NULL, "pause",
			      "all", data),
		    FX_OK);
		CHECK_INT(db_audit_add(db, fid, 1, "x", "bogus", NULL, "e",
			      NULL, NULL),
		    FX_EDB);
		CHECK_INT(db_audit_add(db, fid, 1, NULL, NULL, NULL, "e", NULL,
			      NULL),
		    FX_EINVAL);
		json_decref(data);
		CHECK_INT(db_audit_count_playbook(db, "pb-a", "fix_attempt", 0,
			      &n),
		    FX_OK);
		CHECK_INT(n, 2);
		CHECK_INT(db_audit_count_playbook(db, "pb-a", "fix_attempt",
			      650, &n),
		    FX_OK);
		CHECK_INT(n, 1);
		CHECK_INT(db_audit_count_playbook(db, "pb-other", "fix_attempt",
			      0, &n),
		    FX_OK);
		CHECK_INT(n, 0);

		rc = raw_exec(dbpath, "UPDATE audit SET actor = 'x'", msg,
		    sizeof(msg));
		CHECK(rc != SQLITE_OK);
		CHECK(strstr(msg, "audit is append-only") != NULL);
		rc = raw_exec(dbpath, "DELETE FROM audit", msg, sizeof(msg));
		CHECK(rc != SQLITE_OK);
		CHECK(strstr(msg, "audit is append-only") != NULL);
		CHECK_INT(raw_exec(dbpath, "SELECT count(*) FROM audit", NULL,
			      0),
		    SQLITE_OK);
	}
}

static void
test_exceptions(struct db *db, int64_t fid)
{
	struct exception_rec x, y;

	TEST("exception insert, get, update") {
		memset(&x, 0, sizeof(x));
		x.finding_id = fid;
		x.requested_by = strdup("U1");
		x.reason = strdup("legacy app needs v1");
		x.kind = strdup("1y");
		x.requested_at = 100;
		x.until = 100 + 365 * 86400;
		CHECK_INT(db_exception_insert(db, &x), FX_OK);
		CHECK(x.id > 0);
		CHECK_INT(db_exception_get(db, x.id, &y), FX_OK);
		CHECK_STR(y.status, "pending");
		CHECK_STR(y.kind, "1y");
		CHECK_STR(y.reason, "legacy app needs v1");
		CHECK_INT(y.until, 100 + 365 * 86400);
		CHECK(y.decided_by == NULL);
		CHECK_INT(y.decided_at, 0);
		th_setstr(&y.status, "active");
		th_setstr(&y.decided_by, "UADM");
		y.decided_at = 150;
		y.until = 150 + 365 * 86400;
		CHECK_INT(db_exception_update(db, &y), FX_OK);
		exception_release(&y);
		CHECK_INT(db_exception_get(db, x.id, &y), FX_OK);
		CHECK_STR(y.status, "active");
		CHECK_STR(y.decided_by, "UADM");
		CHECK_INT(y.decided_at, 150);
		CHECK_INT(y.until, 150 + 365 * 86400);
		th_setstr(&y.status, "bogus");
		CHECK_INT(db_exception_update(db, &y), FX_EDB);
		exception_release(&y);
		CHECK_INT(db_exception_get(db, 99999, &y), FX_ENOTFOUND);
		th_setstr(&x.kind, "2w");
		CHECK_INT(db_exception_insert(db, &x), FX_EDB);
		x.finding_id = 99999; /* foreign key */
		th_setstr(&x.kind, "1m");
		CHECK_INT(db_exception_insert(db, &x), FX_EDB);
		exception_release(&x);
		exception_release(NULL);
	}
}

static void
test_outbox(struct db *db, int64_t fid)
{
	struct outbox_row *rows = NULL;
	size_t n = 0, i;
	int64_t depth = -1;
	json_t *args;

	TEST("outbox add, due, retry, sent, dead, depth") {
		args = json_pack("{s:s}", "text", "hello");
		CHECK_INT(db_outbox_add(db, "notify", fid, NULL, 100), FX_OK);
		CHECK_INT(db_outbox_add(db, "decision", fid, args, 101), FX_OK);
		CHECK_INT(db_outbox_add(db, "admin_msg", 0, args, 102), FX_OK);
		CHECK_INT(db_outbox_add(db, NULL, 0, args, 102), FX_EINVAL);
		json_decref(args);
		CHECK_INT(db_outbox_depth(db, &depth), FX_OK);
		CHECK_INT(depth, 3);
		CHECK_INT(db_outbox_due(db, 101, 0, 10, &rows, &n), FX_OK);
		CHECK_INT(n, 2);
		if (n == 2) {
			CHECK_STR(rows[0].kind, "notify");
			CHECK_INT(rows[0].finding_id, fid);
			CHECK_INT(json_object_size(rows[0].args), 0);
			CHECK_STR(rows[1].kind, "decision");
			CHECK_STR(json_string_value(
				      json_object_get(rows[1].args, "text")),
			    "hello");
			CHECK_INT(rows[1].created_at, 101);
			CHECK_INT(rows[1].attempts, 0);
			CHECK_INT(db_outbox_retry(db, rows[0].id, 500, "429"),
			    FX_OK);
			CHECK_INT(db_outbox_sent(db, rows[1].id, 102), FX_OK);
			CHECK_INT(db_outbox_sent(db, rows[1].id, 103),
			    FX_ENOTFOUND);
		}
		for (i = 0; i < n; i++)
			outbox_row_release(&rows[i]);
		free(rows);
		/* the retried row waits until 500; admin_msg is due */
		CHECK_INT(db_outbox_due(db, 200, 0, 10, &rows, &n), FX_OK);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(rows[0].kind, "admin_msg");
			CHECK_INT(rows[0].finding_id, 0);
			CHECK_INT(db_outbox_dead(db, rows[0].id, "bad channel"),
			    FX_OK);
			outbox_row_release(&rows[0]);
		}
		free(rows);
		CHECK_INT(db_outbox_due(db, 500, 0, 1, &rows, &n), FX_OK);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(rows[0].kind, "notify");
			CHECK_INT(rows[0].attempts, 1);
			outbox_row_release(&rows[0]);
		}
		free(rows);
		CHECK_INT(db_outbox_depth(db, &depth), FX_OK);
		CHECK_INT(depth, 1);
		CHECK_INT(db_outbox_due(db, 500, 0, 0, &rows, &n), FX_OK);
		CHECK_INT(n, 0);
		CHECK_INT(db_outbox_retry(db, 99999, 1, "x"), FX_ENOTFOUND);
		outbox_row_release(NULL);
	}
}

static void
test_cache_pause(struct db *db)
{
	char *uid = NULL;
	json_t *list = NULL;
	int paused = -1;

	TEST("slack user cache with max age") {
		CHECK_INT(db_slack_user_get(db, "a@example.com", 60, 1000,
			      &uid),
		    FX_OK);
		CHECK(uid == NULL);
		CHECK_INT(db_slack_user_put(db, "a@example.com", "U1", 1000),
		    FX_OK);
		CHECK_INT(db_slack_user_get(db, "A@Example.com", 60, 1060,
			      &uid),
		    FX_OK);
		CHECK_STR(uid, "U1");
		free(uid);
		CHECK_INT(db_slack_user_get(db, "a@example.com", 60, 1061,
			      &uid),
		    FX_OK);
		CHECK(uid == NULL);
		CHECK_INT(db_slack_user_put(db, "a@example.com", "U2", 2000),
		    FX_OK);
		CHECK_INT(db_slack_user_get(db, "a@example.com", 60, 2001,
			      &uid),
		    FX_OK);
		CHECK_STR(uid, "U2");
		free(uid);
	}
	TEST("pauses") {
		CHECK_INT(db_paused(db, "pb-a", &paused), FX_OK);
		CHECK_INT(paused, 0);
		CHECK_INT(db_pause_set(db, "pb-a", 1, "UADM", 10), FX_OK);
		CHECK_INT(db_pause_set(db, "pb-a", 1, "UADM2", 11), FX_OK);
		CHECK_INT(db_paused(db, "pb-a", &paused), FX_OK);
		CHECK_INT(paused, 1);
		CHECK_INT(db_paused(db, "pb-b", &paused), FX_OK);
		CHECK_INT(paused, 0);
		CHECK_INT(db_pause_set(db, "all", 1, "UADM", 12), FX_OK);
		CHECK_INT(db_paused(db, "pb-b", &paused), FX_OK);
		CHECK_INT(paused, 1);
		CHECK_INT(db_pause_list(db, &list), FX_OK);
		CHECK_INT(json_array_size(list), 2);
		CHECK_STR(json_string_value(json_array_get(list, 0)), "all");
		CHECK_STR(json_string_value(json_array_get(list, 1)), "pb-a");
		json_decref(list);
		CHECK_INT(db_pause_set(db, "all", 0, NULL, 13), FX_OK);
		CHECK_INT(db_pause_set(db, "pb-a", 0, NULL, 13), FX_OK);
		CHECK_INT(db_paused(db, "pb-a", &paused), FX_OK);
		CHECK_INT(paused, 0);
		CHECK_INT(db_pause_set(db, "x", 1, NULL, 1), FX_EINVAL);
	}
}

static void
test_savepoint(struct db *db)
{
	struct finding f;

	TEST("savepoint rollback keeps the outer transaction") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK(add_finding(db, "sp-outer", FS_OPEN) > 0);
		CHECK_INT(db_audit_add(db, 0, 42, "t", NULL, NULL, "sp_outer",
			      NULL, NULL),
		    FX_OK);
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK(add_finding(db, "sp-inner", FS_OPEN) > 0);
		CHECK_INT(db_audit_add(db, 0, 42, "t", NULL, NULL, "sp_inner",
			      NULL, NULL),
		    FX_OK);
		db_savepoint_rollback(db);
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK(add_finding(db, "sp-kept", FS_OPEN) > 0);
		db_savepoint_release(db);
		/* a job failing on a constraint rolls back alone */
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK(add_finding(db, "sp-failed", FS_OPEN) > 0);
		CHECK(add_finding(db, "sp-failed", FS_OPEN) == 0);
		db_savepoint_rollback(db);
		CHECK_INT(db_savepoint(db), FX_OK);
		db_savepoint_release(db);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "sp-outer", &f),
		    FX_OK);
		finding_release(&f);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "sp-kept", &f),
		    FX_OK);
		finding_release(&f);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "sp-inner", &f),
		    FX_ENOTFOUND);
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "sp-failed", &f),
		    FX_ENOTFOUND);
	}
	TEST("rollback of the whole transaction") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK(add_finding(db, "rb", FS_OPEN) > 0);
		db_rollback(db);
		db_rollback(db); /* none open: harmless */
		CHECK_INT(db_finding_find(db, "pb-a", "111122223333",
			      "eu-west-1", "rb", &f),
		    FX_ENOTFOUND);
	}
}

/* one "click" job as the writer runs it: read, update, audit, outbox */
static fx_err
click_job(struct db *db, int64_t id, int64_t now)
{
	struct finding f;
	enum fstate from;
	json_t *args;
	fx_err rc;

	rc = db_finding_get(db, id, &f);
	if (rc != FX_OK)
		return rc;
	from = f.state;
	f.state = from == FS_NOTIFIED ? FS_FIXING : FS_NOTIFIED;
	f.attempts++;
	f.updated_at = now;
	rc = db_finding_update(db, &f);
	args =
	    json_pack("{s:s,s:I}", "text", "fixing now", "f", (json_int_t)id);
	if (rc == FX_OK)
		rc = db_audit_add(db, id, now, "U0CLICKER", fstate_name(from),
		    fstate_name(f.state), "fix_now", NULL, args);
	if (rc == FX_OK)
		rc = db_outbox_add(db, "decision", id, args, now);
	json_decref(args);
	finding_release(&f);
	return rc;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_timing(void)
{
	enum { NFINDINGS = 10000, BATCH = 64, NBATCHES = 100 };
	struct db *db = NULL;
	char res[32];
	int64_t base = 0, id;
	int i, j, failed = 0;
	double t0, t;

	tmp_remove("fixit.db");
	tmp_remove("fixit.db-wal");
	tmp_remove("fixit.db-shm");
	TEST("timing: batches of 64 click jobs over 10,000 findings") {
		CHECK_INT(db_open(dbpath, &db), FX_OK);
		if (db == NULL)
			break;
		CHECK_INT(db_begin(db), FX_OK);
		for (i = 0; i < NFINDINGS; i++) {
			snprintf(res, sizeof(res), "i-%08d", i);
			id = add_finding(db, res, FS_NOTIFIED);
			if (i == 0)
				base = id;
			failed += id == 0;
		}
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(failed, 0);
		t0 = mono_s();
		for (i = 0; i < NBATCHES; i++) {
			if (db_begin(db) != FX_OK) {
				failed++;
				break;
			}
			for (j = 0; j < BATCH; j++) {
				id = base + (int64_t)((i * BATCH + j) * 7919 %
						      NFINDINGS);
				if (db_savepoint(db) != FX_OK) {
					failed++;
					continue;
				}
				if (click_job(db, id, 5000 + i) != FX_OK) {
					failed++;
					db_savepoint_rollback(db);
				} else {
					db_savepoint_release(db);
				}
			}
			failed += db_commit(db) != FX_OK;
		}
		t = mono_s() - t0;
		CHECK_INT(failed, 0);
		printf("  %d jobs in %d batches: %.1f us per job "
		       "(%.2f ms per batch incl. commit)\n",
		    NBATCHES * BATCH, NBATCHES, t * 1e6 / (NBATCHES * BATCH),
		    t * 1e3 / NBATCHES);
		db_close(db);
	}
}

int
main(void)
{
	struct db *db = NULL;
	int64_t fid;

	log_init(LOG_LVL_ERROR, 2);
	tmp_setup();
	test_open();
	test_open_race();
	if (db_open(dbpath, &db) != FX_OK) {
		printf("cannot open %s\n", dbpath);
		return 1;
	}
	fid = test_finding_insert(db);
	test_finding_update(db, fid);
	test_finding_misc(db, fid);
	fid = add_finding(db, "i-audit", FS_NOTIFIED);
	test_audit(db, fid);
	test_exceptions(db, fid);
	test_outbox(db, fid);
	test_cache_pause(db);
	test_savepoint(db);
	db_close(db);
	test_due(dbpath);
	test_timing();
	tmp_cleanup();
	return TEST_REPORT();
}
