/*
 * test_db_upgrade.c - an upgrade from every released schema version.
 *
 * For each version k in 1 .. db_nmigrations (however many db_schema.c
 * holds): a database is built at version k by applying the real
 * migrations 1 .. k, as db_open applies them (one transaction each, with
 * the version bump), and filled with representative rows valid at k:
 * findings in every state the schema allows, audit rows (one global),
 * exceptions (active, pending; a false-positive report from v9), outbox
 * rows, the Slack user cache, a pause, and what later versions added
 * (scans v3, events and notify_only v4, the guard tables v6, a reminder
 * ts v8, admin message columns v10, the heartbeat v11). Below v5 one
 * finding is "fixed" by a dry run, which v5 turns into "rehearsed".
 *
 * Then db_open (the current code) migrates it, and:
 * - its user_version is db_nmigrations;
 * - every value of every row present before is still there, column by
 *   column (the columns the table had at k), apart from what a
 *   migration is documented to change (v5's rehearsed finding: checked
 *   on its own, with its new audit row);
 * - each finding's state is its last audit row's to-state;
 * - integrity_check and foreign_key_check pass;
 * - the schema (sqlite_master, whitespace normalised) equals a freshly
 *   created database's;
 * - the kept counts equal a recount; the kept savings start empty, and a
 *   fixed finding's saving is counted and taken back by its updates.
 * Rows are inserted with raw SQL on a connection of the test's own.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "db_int.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

#define MAX_TABLES 32

static char tmpdir[64];

/* rows valid from schema version `since` on (and before `until`, if set) */
struct seed {
	int since, until;
	const char *sql;
};

/* the dry-run fix of finding 5, which v5 turns into "rehearsed" */
#define DRY_PRIOR "'{\"dry_run\":1,\"plan\":\"set HttpTokens\"}'"
#define F_COLS                                                                 \
	"INSERT INTO findings (id, playbook, account_id, region, "             \
	"resource_id, resource_arn, owner_email, owner_slack_id, title, "      \
	"details, state, first_seen, last_seen, observed_at, notified_at, "    \
	"deadline, reminder_sent, excepted_until, exc_pending, "               \
	"prior_state, last_error, slack_channel, slack_ts, updated_at) "       \
	"VALUES "
#define A_COLS                                                                 \
	"INSERT INTO audit (id, finding_id, at, actor, from_state, "           \
	"to_state, event, reason, data) VALUES "

/* clang-format off */
static const struct seed seeds[] = {
	{ 1, 0, F_COLS
	  "(1, 'imds', '111122223333', 'eu-west-1', 'i-1', "
	  "'arn:aws:ec2:eu-west-1:111122223333:instance/i-1', "
	  "'a@example.com', 'U1', 'Instance i-1 allows IMDSv1', "
	  "'{\"HttpTokens\":\"optional\"}', 'open', 100, 200, 90, NULL, "
	  "NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 200),"
	  "(2, 'imds', '111122223333', 'eu-west-1', 'i-2', NULL, NULL, 'U1', "
	  "'Instance i-2', '{}', 'notified', 100, 200, 90, 150, 3750, 1, "
	  "NULL, 2, NULL, NULL, 'D0U1', '1700000000.000100', 210),"
	  "(3, 'imds', '111122223333', 'eu-west-1', 'i-3', NULL, NULL, 'U2', "
	  "'Instance i-3', '{}', 'excepted', 100, 200, NULL, 150, NULL, 0, "
	  "2592150, NULL, NULL, NULL, 'D0U2', '1700000000.000200', 220),"
	  "(4, 's3-public', '444455556666', 'us-east-1', 'bucket-4', NULL, "
	  "NULL, NULL, 'Bucket bucket-4 is public', '{\"acl\":\"public\"}', "
	  "'fixed', 100, 200, NULL, 150, 160, 0, NULL, NULL, "
	  "'{\"acl\":\"public-read\"}', NULL, 'C0SEC', '1700000000.000300', "
	  "230),"
	  "(6, 'imds', '111122223333', 'eu-west-1', 'i-6', NULL, NULL, NULL, "
	  "'Instance i-6', '{}', 'failed', 100, 200, NULL, NULL, NULL, 0, "
	  "NULL, NULL, NULL, 'AccessDenied: ec2:ModifyInstanceMetadataOptions',"
	  " NULL, NULL, 240),"
	  "(7, 'imds', '111122223333', 'eu-west-1', 'i-7', NULL, NULL, NULL, "
	  "'Instance i-7', '{}', 'rolled_back', 100, 200, NULL, NULL, NULL, 0,"
	  " NULL, NULL, '{\"HttpTokens\":\"optional\"}', NULL, NULL, NULL, "
	  "250),"
	  "(8, 'imds', '111122223333', 'eu-west-1', 'i-8', NULL, NULL, NULL, "
	  "'Instance i-8', '{}', 'resolved', 100, 200, NULL, NULL, NULL, 0, "
	  "NULL, NULL, NULL, NULL, NULL, NULL, 260),"
	  "(9, 'imds', '111122223333', 'eu-west-1', 'i-9', NULL, NULL, NULL, "
	  "'Instance i-9', '{}', 'fixing', 100, 200, NULL, NULL, NULL, 0, "
	  "NULL, NULL, NULL, NULL, NULL, NULL, 270);"
	  "UPDATE findings SET lease_until = 900, lease_token = 7, "
	  "attempts = 1 WHERE id = 9;" },
	{ 1, 5, F_COLS
	  "(5, 'imds', '111122223333', 'eu-west-1', 'i-5', NULL, NULL, NULL, "
	  "'Instance i-5', '{}', 'fixed', 100, 200, NULL, NULL, NULL, 0, "
	  "NULL, NULL, " DRY_PRIOR ", NULL, NULL, NULL, 280);" },
	{ 5, 0, F_COLS
	  "(5, 'imds', '111122223333', 'eu-west-1', 'i-5', NULL, NULL, NULL, "
	  "'Instance i-5', '{}', 'rehearsed', 100, 200, NULL, NULL, NULL, 0, "
	  "NULL, NULL, " DRY_PRIOR ", NULL, NULL, NULL, 280);" },
	{ 1, 0, A_COLS
	  "(1, 1, 100, 'fixit', NULL, 'open', 'transition', 'found', NULL),"
	  "(2, 2, 100, 'fixit', NULL, 'open', 'transition', 'found', NULL),"
	  "(3, 2, 150, 'fixit', 'open', 'notified', 'transition', 'told', "
	  "'{\"channel\":\"D0U1\"}'),"
	  "(4, 3, 150, 'U2', 'notified', 'excepted', 'transition', "
	  "'1 month: migration window', NULL),"
	  "(5, 4, 160, 'fixit', 'notified', 'fixed', 'transition', 'fixed', "
	  "'{\"acl\":\"public-read\"}'),"
	  "(6, 6, 170, 'fixit', 'fixing', 'failed', 'transition', "
	  "'AccessDenied', NULL),"
	  "(7, 7, 180, 'U0ADMIN', 'fixed', 'rolled_back', 'transition', "
	  "'undo', NULL),"
	  "(8, 8, 190, 'fixit', 'open', 'resolved', 'transition', 'gone', "
	  "NULL),"
	  "(9, 9, 195, 'fixit', 'open', 'fixing', 'transition', 'claimed', "
	  "NULL),"
	  "(10, NULL, 196, 'U0ADMIN', NULL, NULL, 'pause', 'all', NULL);" },
	{ 1, 5, A_COLS
	  "(11, 5, 197, 'fixit', 'fixing', 'fixed', 'transition', 'dry run',"
	  " " DRY_PRIOR ");" },
	{ 5, 0, A_COLS
	  "(11, 5, 197, 'fixit', 'fixing', 'rehearsed', 'transition', "
	  "'dry run', " DRY_PRIOR ");" },
	{ 1, 0,
	  "INSERT INTO exceptions (id, finding_id, requested_by, reason, "
	  "kind, requested_at, until, status, decided_by, decided_at) VALUES "
	  "(1, 3, 'U2', 'migration window', '1m', 150, 2592150, 'active', "
	  "NULL, NULL),"
	  "(2, 2, 'U1', 'legacy app', '1y', 160, 31536160, 'pending', NULL, "
	  "NULL);"
	  "INSERT INTO outbox (id, kind, finding_id, args, state, attempts, "
	  "next_attempt_at, created_at, sent_at, last_error) VALUES "
	  "(1, 'notify', 2, '{\"c\":\"D0U1\"}', 'sent', 1, 150, 150, 151, "
	  "NULL),"
	  "(2, 'update', 3, '{}', 'pending', 2, 300, 150, NULL, "
	  "'ratelimited'),"
	  "(3, 'ephemeral', 99, '{}', 'dead', 50, 400, 150, NULL, "
	  "'channel_not_found');"
	  "INSERT INTO slack_users VALUES ('A@Example.com', 'U1', 120);"
	  "INSERT INTO pauses VALUES ('imds', 'U0ADMIN', 196);" },
	{ 3, 0,
	  "INSERT INTO scans VALUES (1, '111122223333', 'eu-west-1', 50, 60, "
	  "1, 9, 1, NULL), (2, '444455556666', 'us-east-1', 50, 61, 0, 0, 0, "
	  "'AccessDenied');" },
	{ 4, 0,
	  "UPDATE findings SET notify_only = 1 WHERE id = 8;"
	  "INSERT INTO events (seq, id, kind, received_at, body, state, "
	  "processed_at, account_id, event_name, actor, event_time, launches,"
	  " result) VALUES "
	  "(1, 'ev-1', 'cloudtrail', 100000, '{\"detail\":{}}', 'done', "
	  "100500, '111122223333', 'RunInstances', 'arn:aws:iam::1:user/x', "
	  "99, 2, 'ingested 2'),"
	  "(2, 'ev-2', 'securityhub', 101000, '{}', 'pending', NULL, NULL, "
	  "NULL, NULL, NULL, 0, NULL);" },
	{ 6, 0,
	  "INSERT INTO finding_keys VALUES (4, 'bucket-4');"
	  "INSERT INTO undo_holds VALUES (1, 'imds', '111122223333', "
	  "'eu-west-1', 'i-7', 7, 'U0ADMIN', 180, 86580);"
	  "INSERT INTO fix_ledger VALUES (1, 160, 'destructive', "
	  "'s3-public', '444455556666', 4), (2, 170, 'failed', 'imds', "
	  "'111122223333', 6), (3, 180, 'undone', 'imds', '111122223333', "
	  "7);" },
	{ 8, 0,
	  "UPDATE findings SET slack_reminder_ts = '1700000000.000150' "
	  "WHERE id = 2;" },
	{ 9, 0,
	  "INSERT INTO exceptions (id, finding_id, requested_by, reason, "
	  "kind, requested_at, until, status, fp) VALUES (3, 6, 'U1', "
	  "'not ours', '1y', 170, 31536170, 'active', 2);" },
	{ 10, 0,
	  "UPDATE exceptions SET admin_channel = 'C0ADMINS', "
	  "admin_ts = '1700000000.000400', reminded_at = 200, "
	  "remind_ts = '1700000000.000500' WHERE id = 2;" },
	{ 11, 0, "UPDATE heartbeat SET at = 1234 WHERE id = 1;" },
	/* from v17 the writes of findings keep their counts (db_kept.c):
	 * the raw inserts above count theirs here (before, the triggers of
	 * v12 did) */
	{ 17, 0,
	  "INSERT INTO finding_counts (playbook, state, account_id, n) "
	  "SELECT playbook, state, account_id, count(*) FROM findings "
	  "GROUP BY 1, 2, 3;" },
};
/* clang-format on */

static int
raw_exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		printf("  sqlite: %s\n  in: %.200s\n", msg ? msg : "?", sql);
	sqlite3_free(msg);
	return rc;
}

/* one text value of a query; NULL on failure; the caller frees */
static char *
raw_text(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;
	char *out = NULL;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("  sqlite: %s\n  in: %.200s\n", sqlite3_errmsg(h), sql);
		return NULL;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		t = sqlite3_column_text(st, 0);
		out = strdup(t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return out;
}

static long long
raw_int(sqlite3 *h, const char *sql)
{
	char *t = raw_text(h, sql);
	long long v = t ? strtoll(t, NULL, 10) : -1;

	free(t);
	return v;
}

/* the database at schema k, as db_open would have left it, with rows */
static int
build_at(const char *path, int k)
{
	char sql[64];
	sqlite3 *h = NULL;
	size_t i;
	int i_m, rc;

	rc = sqlite3_open(path, &h);
	if (rc == SQLITE_OK)
		rc = raw_exec(h, "PRAGMA journal_mode = WAL;"
				 "PRAGMA foreign_keys = ON;");
	for (i_m = 0; rc == SQLITE_OK && i_m < k; i_m++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i_m + 1);
		rc = raw_exec(h, "BEGIN");
		if (rc == SQLITE_OK)
			rc = raw_exec(h, db_migrations[i_m]);
		if (rc == SQLITE_OK)
			rc = raw_exec(h, sql);
		if (rc == SQLITE_OK)
			rc = raw_exec(h, "COMMIT");
	}
	for (i = 0; rc == SQLITE_OK && i < sizeof(seeds) / sizeof(seeds[0]);
	     i++) {
		if (seeds[i].since > k ||
		    (seeds[i].until != 0 && k >= seeds[i].until))
			continue;
		rc = raw_exec(h, seeds[i].sql);
	}
	sqlite3_close(h);
	return rc;
}

/* a table's name and the columns it has at the version built */
struct table {
	char name[64];
	char *cols; /* "quote(a)||','||quote(b)..." */
	char *dump; /* its rows, in rowid order */
};

/* the rows of t read through its columns at k (finding 5 and the audit
 * rows v5 adds apart when `skip_v5`) */
static char *
dump_table(sqlite3 *h, const struct table *t, int skip_v5)
{
	char sql[4096];
	const char *where = "";

	if (skip_v5 && strcmp(t->name, "findings") == 0)
		where = "WHERE id != 5";
	else if (skip_v5 && strcmp(t->name, "audit") == 0)
		where = "WHERE id <= 11";
	/* ordered by the row's text: WITHOUT ROWID tables have no rowid */
	snprintf(sql, sizeof(sql),
	    "SELECT coalesce(group_concat(r, char(10)), '') FROM "
	    "(SELECT %s AS r FROM \"%s\" %s ORDER BY r)",
	    t->cols, t->name, where);
	return raw_text(h, sql);
}

static int
load_tables(sqlite3 *h, struct table *tabs, int max, int skip_v5)
{
	sqlite3_stmt *st = NULL, *ci = NULL;
	int n = 0;

	if (sqlite3_prepare_v2(h,
		"SELECT name FROM sqlite_master WHERE type = 'table' AND "
		"name NOT LIKE 'sqlite_%' ORDER BY name",
		-1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h,
		"SELECT group_concat('quote(\"' || name || '\")', "
		"'||''|''||') FROM pragma_table_info(?)",
		-1, &ci, NULL) != SQLITE_OK)
		goto out;
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct table *t = &tabs[n];

		snprintf(t->name, sizeof(t->name), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		sqlite3_bind_text(ci, 1, t->name, -1, SQLITE_STATIC);
		if (sqlite3_step(ci) != SQLITE_ROW)
			goto out;
		t->cols = strdup((const char *)sqlite3_column_text(ci, 0));
		sqlite3_reset(ci);
		t->dump = dump_table(h, t, skip_v5);
		n++;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ci);
	return n;
}

/* sqlite_master, one line per object, every run of white space made
 * one space (the lines too) */
static char *
schema_of(const char *path)
{
	sqlite3 *h = NULL;
	char *s = NULL, *r, *w;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		s = raw_text(h,
		    "SELECT group_concat(type || ' ' || name || ' ' || "
		    "tbl_name || ': ' || coalesce(sql, ''), char(10)) FROM "
		    "(SELECT * FROM sqlite_master ORDER BY type, name)");
	sqlite3_close(h);
	if (s == NULL)
		return NULL;
	for (r = w = s; *r != '\0'; r++) {
		if (strchr(" \t\n\r", *r) == NULL)
			*w++ = *r;
		else if (w > s && w[-1] != ' ')
			*w++ = ' ';
	}
	*w = '\0';
	return s;
}

/*
 * v15: no finding fixed before it has a saving; the writes of a finding
 * (db_kept.c since v17) count the saving of finding 4 (fixed) once its
 * prior state has one, and take it back when the fix is rolled back (the
 * rows are this test's to change: everything else was compared before).
 * And the kept counts equal a recount of the findings.
 */
/* rows of the kept counts and of a recount that the other lacks */
#define COUNTS_DIFFER                                                          \
	"SELECT count(*) FROM (SELECT * FROM (SELECT playbook, state, "        \
	"account_id, count(*) FROM findings GROUP BY 1, 2, 3 EXCEPT SELECT "   \
	"playbook, state, account_id, n FROM finding_counts) UNION ALL "       \
	"SELECT * FROM (SELECT playbook, state, account_id, n FROM "           \
	"finding_counts EXCEPT SELECT playbook, state, account_id, count(*) "  \
	"FROM findings GROUP BY 1, 2, 3))"

static void
check_kept(const char *path)
{
	struct finding f;
	struct db *db = NULL;
	sqlite3 *h = NULL;

	CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
	CHECK_INT(raw_int(h, "SELECT count(*) FROM finding_savings"), 0);
	CHECK_INT(raw_int(h, COUNTS_DIFFER), 0);
	CHECK_INT(raw_int(h, "SELECT sum(n) FROM finding_counts"), 9);
	sqlite3_close(h);

	CHECK_INT(db_open(path, &db), FX_OK);
	memset(&f, 0, sizeof(f));
	CHECK_INT(db_finding_get(db, 4, &f), FX_OK);
	CHECK_INT(f.state, FS_FIXED);
	free(f.prior_state);
	f.prior_state =
	    strdup("{\"saving\":{\"cents\":365,\"unknown\":[\"x y\"]}}");
	CHECK_INT(db_finding_update(db, &f), FX_OK);
	CHECK_INT(raw_int(db->h, "SELECT cents * 100 + fixes * 10 + unknown "
				 "FROM finding_savings"),
	    36511);
	f.state = FS_ROLLED_BACK;
	CHECK_INT(db_finding_update(db, &f), FX_OK);
	CHECK_INT(raw_int(db->h, "SELECT count(*) FROM finding_savings"), 0);
	CHECK_INT(raw_int(db->h, COUNTS_DIFFER), 0);
	finding_release(&f);
	db_close(db);
}

static void
check_upgrade(int k, const char *fresh_schema)
{
	struct table before[MAX_TABLES], after;
	char path[128], side[160], label[64];
	struct db *db = NULL;
	sqlite3 *h = NULL;
	char *schema = NULL, *t = NULL;
	int i, n = 0, skip_v5 = k < 5;

	snprintf(path, sizeof(path), "%s/v%d.db", tmpdir, k);
	snprintf(label, sizeof(label), "upgrade from schema v%d", k);
	memset(before, 0, sizeof(before));
	TEST(label) {
		CHECK_INT(build_at(path, k), SQLITE_OK);
		CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
		CHECK_INT(raw_int(h, "PRAGMA user_version"), k);
		n = load_tables(h, before, MAX_TABLES, skip_v5);
		CHECK(n >= 6);
		CHECK_INT(raw_int(h, "SELECT count(*) FROM findings"), 9);
		sqlite3_close(h);
		h = NULL;

		CHECK_INT(db_open(path, &db), FX_OK);
		CHECK_INT(db_schema_version(db), db_nmigrations);
		db_close(db);
		db = NULL;

		CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
		/* every value that was there is there */
		for (i = 0; i < n; i++) {
			after = before[i];
			t = dump_table(h, &after, skip_v5);
			if (t == NULL || before[i].dump == NULL ||
			    strcmp(t, before[i].dump) != 0)
				printf("  table %s differs after the upgrade\n",
				    before[i].name);
			CHECK(t != NULL && before[i].dump != NULL &&
			      strcmp(t, before[i].dump) == 0);
			free(t);
		}
		CHECK_INT(raw_int(h, "SELECT count(*) FROM findings"), 9);
		CHECK_INT(raw_int(h, "SELECT count(*) FROM exceptions"),
		    k >= 9 ? 3 : 2);
		CHECK_INT(raw_int(h, "SELECT count(*) FROM outbox"), 3);
		/* the dry-run fix is rehearsed, with its audit row */
		t = raw_text(h, "SELECT state || ' ' || prior_state FROM "
				"findings WHERE id = 5");
		CHECK_STR(t, "rehearsed "
			     "{\"dry_run\":1,\"plan\":\"set "
			     "HttpTokens\"}");
		free(t);
		CHECK_INT(raw_int(h, "SELECT count(*) FROM audit"),
		    skip_v5 ? 12 : 11);
		/* each finding's state is its last audit row's to-state */
		CHECK_INT(raw_int(h,
			      "SELECT count(*) FROM findings f WHERE state IS "
			      "NOT (SELECT to_state FROM audit a WHERE "
			      "a.finding_id = f.id AND to_state IS NOT NULL "
			      "ORDER BY a.id DESC LIMIT 1)"),
		    0);
		t = raw_text(h, "PRAGMA integrity_check");
		CHECK_STR(t, "ok");
		free(t);
		CHECK_INT(raw_int(h, "SELECT count(*) FROM "
				     "pragma_foreign_key_check"),
		    0);
		CHECK_INT(raw_int(h, "PRAGMA user_version"), db_nmigrations);
		sqlite3_close(h);
		h = NULL;
		check_kept(path);

		schema = schema_of(path);
		CHECK(schema != NULL && fresh_schema != NULL);
		if (schema != NULL && fresh_schema != NULL &&
		    strcmp(schema, fresh_schema) != 0)
			printf(
			    "  schema after upgrade from v%d:\n%s\n  fresh:\n"
			    "%s\n",
			    k, schema, fresh_schema);
		CHECK(schema != NULL && fresh_schema != NULL &&
		      strcmp(schema, fresh_schema) == 0);
	}
	free(schema);
	for (i = 0; i < n; i++) {
		free(before[i].cols);
		free(before[i].dump);
	}
	sqlite3_close(h);
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int
main(void)
{
	char fresh[128], p[160];
	struct db *db = NULL;
	char *schema = NULL;
	int k;

	log_init(LOG_LVL_ERROR, 2);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_db_upgrade.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", tmpdir);
	TEST("a fresh database") {
		CHECK_INT(db_open(fresh, &db), FX_OK);
		CHECK_INT(db_schema_version(db), db_nmigrations);
		db_close(db);
		schema = schema_of(fresh);
		CHECK(
		    schema != NULL && strstr(schema, "table findings") != NULL);
	}
	printf("schema versions: 1 .. %d\n", db_nmigrations);
	for (k = 1; k <= db_nmigrations; k++)
		check_upgrade(k, schema);
	free(schema);
	unlink(fresh);
	snprintf(p, sizeof(p), "%s-wal", fresh);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", fresh);
	unlink(p);
	(void)rmdir(tmpdir);
	return TEST_REPORT();
}
