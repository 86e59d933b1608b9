/*
 * test_db_plan.c - the query plan of every statement (db_sql.c) against
 * the table below: each names the index(es) its plan must use and the
 * only things it may SCAN (a tiny table, a CTE, a bounded purge). A big
 * table read whole (findings, audit, outbox, events, scans, exceptions,
 * fix_ledger...) fails the test unless its line says why it may; a
 * statement without a line fails it too, so a new one comes with its
 * expected plan.
 *
 * The database is a freshly migrated one with a few rows and no ANALYZE,
 * as a new installation runs; the statements that pin their index
 * (INDEXED BY) fail to prepare when it is missing.
 *
 * A SCAN through a partial index reads only the rows it holds (a
 * state's), so it passes when the index is one of the line's; a constant
 * row or a sub-query's rows (each read by a line checked too) always do.
 *
 * And the v13 migration fills scan_last from the scans already kept.
 *
 * FIXIT_PLAN_DUMP=1 prints every plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "db_int.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

struct plan_exp {
	const char *use;  /* comma-separated: each must appear in the plan */
	const char *scan; /* comma-separated: what "SCAN x" may name */
};

/* "" expects nothing; no index and no scan: a statement without a plan */
#define NONE  ""
#define PURGE "bounded purge: walks id order, stops at LIMIT old rows"

/* clang-format off */
static const struct plan_exp want[SQL__COUNT] = {
	[SQL_BEGIN] = { NONE, NONE },
	[SQL_COMMIT] = { NONE, NONE },
	[SQL_ROLLBACK] = { NONE, NONE },
	[SQL_SAVEPOINT] = { NONE, NONE },
	[SQL_RELEASE] = { NONE, NONE },
	[SQL_ROLLBACK_TO] = { NONE, NONE },
	[SQL_USER_VERSION] = { NONE, NONE },
	[SQL_BEGIN_READ] = { NONE, NONE },
	[SQL_F_GET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_F_FIND] = { "sqlite_autoindex_findings_1", NONE },
	[SQL_F_INSERT] = { NONE, NONE },
	[SQL_F_SET_MESSAGE] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_F_OPEN_REARM] = { "findings_shadow_done", NONE },
	[SQL_F_REHEARSED] = { "findings_rehearsed", NONE },
	[SQL_DUE_EXPIRED_EXC] = { "findings_excepted", NONE },
	[SQL_DUE_OPEN] = { "findings_open", NONE },
	[SQL_DUE_REMINDER] = { "findings_notified", NONE },
	[SQL_DUE_DEADLINE] = { "findings_notified", NONE },
	[SQL_DUE_CLAIMABLE] = { "findings_fixing", NONE },
	[SQL_DUE_UNDO] = { "findings_undo", NONE },
	[SQL_DUE_REMIND_UNTIL] = { "findings_notified", NONE },
	[SQL_AUDIT_ADD] = { NONE, NONE },
	[SQL_AUDIT_COUNT_PB] = { "audit_event", NONE },
	[SQL_EXC_INSERT] = { NONE, NONE },
	[SQL_EXC_GET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_UPDATE] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_OUTBOX_ADD] = { NONE, NONE },
	[SQL_OUTBOX_DUE] = { "outbox_pending", NONE },
	[SQL_OUTBOX_SENT] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_OUTBOX_RETRY] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_OUTBOX_DEAD] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_OUTBOX_DEPTH] = { "outbox_pending", NONE },
	[SQL_SLACK_USER_GET] = { "sqlite_autoindex_slack_users_1", NONE },
	[SQL_SLACK_USER_PUT] = { NONE, NONE },
	[SQL_PAUSE_SET] = { NONE, NONE },
	[SQL_PAUSE_CLEAR] = { "sqlite_autoindex_pauses_1", NONE },
	[SQL_PAUSED] = { "sqlite_autoindex_pauses_1", NONE },
	/* pauses: one row per paused playbook at most */
	[SQL_PAUSE_LIST] = { NONE, "pauses" },
	/* issue 14: kept counters replace the walk (another branch) */
	/* the kept counts: one row per (playbook, state, account) */
	[SQL_COUNTS] = { NONE, "finding_counts" },
	[SQL_SHOW_HISTORY] = { "audit_finding", NONE },
	[SQL_SHOW_EXCEPTIONS] = { "exceptions_finding", NONE },
	[SQL_DUE_LIST] = { "findings_notified,findings_fixing", NONE },
	[SQL_FAILED_LIST] = { "findings_failed", NONE },
	[SQL_EXC_LIST] = { "exceptions_status", NONE },
	[SQL_FINDINGS_LIST] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_SCAN_ADD] = { NONE, NONE },
	/* scan_last: one row per account x region, each row output */
	[SQL_SCAN_LAST] = { "INTEGER PRIMARY KEY", "l" },
	[SQL_F_ACTIVE_RES] = { "sqlite_autoindex_findings_1", NONE },
	[SQL_EV_ADD] = { NONE, NONE },
	[SQL_EV_PENDING] = { "events_pending", NONE },
	[SQL_EV_DONE] = { "sqlite_autoindex_events_1", NONE },
	[SQL_EV_LAUNCHES] = { "events_launches", "(subquery" },
	/* issue 14: kept counters replace the walk (another branch) */
	[SQL_EV_COUNTS] = { NONE, "events" },
	[SQL_OUTBOX_PURGE] = { NONE, "outbox" },	/* PURGE */
	[SQL_EV_PURGE] = { NONE, "events" },		/* PURGE */
	[SQL_PROV_FIXED] = { "sqlite_autoindex_findings_1,audit_finding,"
	    "exceptions_finding", NONE },
	[SQL_KEY_SET] = { NONE, NONE },
	[SQL_KEY_GET] = { "INTEGER PRIMARY KEY", "CONSTANT" },
	[SQL_HOLD_ADD] = { NONE, NONE },
	[SQL_HOLD_FIND] = { "undo_holds_key", NONE },
	[SQL_LEDGER_ADD] = { NONE, NONE },
	[SQL_LEDGER_COUNT_PB] = { "fix_ledger_pb", NONE },
	[SQL_LEDGER_COUNT_ACCOUNT] = { "fix_ledger_account", NONE },
	[SQL_LEDGER_COUNT_ALL] = { "fix_ledger_kind", NONE },
	[SQL_LEDGER_LAST_PB] = { "fix_ledger_pb", NONE },
	[SQL_EXC_PENDING_BEFORE] = { "exceptions_status", NONE },
	[SQL_OUTBOX_MODALS] = { "outbox_modal", NONE },
	[SQL_OWNER_OPEN] = { "findings_owner", NONE },
	[SQL_OWNER_OPEN_COUNT] = { "findings_owner", NONE },
	[SQL_EXC_PENDING_LIST] = { "exceptions_status", NONE },
	[SQL_F_SET_REMINDER] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_F_GET_REMINDER] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_FP_SET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_FP_GET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_FP_COUNTS] = { "exceptions_fp", NONE },
	[SQL_AUDIT_COUNT_F] = { "audit_finding", NONE },
	[SQL_EXC_TO_REMIND] = { "exceptions_waiting", NONE },
	[SQL_EXC_TO_ESCALATE] = { "exceptions_waiting", NONE },
	[SQL_EXC_SET_ADMIN_MSG] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_SET_REMIND_MSG] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_SET_ESCALATE_MSG] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_SET_REMINDED] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_SET_ESCALATED] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_EXC_MSGS] = { "INTEGER PRIMARY KEY", NONE },
	/* json_each: the configured playbooks; pauses: tiny */
	[SQL_DUE_DEADLINE_LIVE] = { "findings_notified", "json_each,pauses" },
	/* a finding's messages: the outbox is purged after retention */
	[SQL_OUTBOX_SAID] = { NONE, "outbox" },
	[SQL_OUTBOX_ADD_AT] = { NONE, NONE },
	[SQL_OUTBOX_OLDEST] = { "outbox_pending", "CONSTANT" },
	[SQL_F_WAITING_TOLD] = { "findings_notified", NONE },
	[SQL_HB_SET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_HB_GET] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_SCAN_PURGE] = { "scans_started", NONE },
	[SQL_FINDINGS_LIST_S] = { "findings_by_state", NONE },
	[SQL_FINDINGS_LIST_P] = { "findings_by_pb", NONE },
	[SQL_FINDINGS_LIST_A] = { "findings_by_account", NONE },
	[SQL_FINDINGS_LIST_SP] = { "findings_by_pb", NONE },
	[SQL_FINDINGS_LIST_SA] = { "findings_by_account", NONE },
	[SQL_FINDINGS_LIST_PA] = { "findings_by_pa", NONE },
	[SQL_FINDINGS_LIST_SPA] = { "findings_by_pa", NONE },
	[SQL_SCAN_LAST_SET] = { NONE, NONE },
	/* scan_last: one row per account x region, hourly */
	[SQL_SCAN_LAST_PURGE] = { NONE, "scan_last" },
	[SQL_SEEN_LIST] = { "PRIMARY KEY", NONE },
	[SQL_SEEN_ADD] = { NONE, NONE },
	[SQL_SEEN_DEL] = { "PRIMARY KEY", NONE },
	/* finding_savings: one row per playbook x account with a saving */
	[SQL_SAVINGS_PB] = { NONE, "finding_savings" },
	[SQL_SAVINGS_ACCOUNTS] = { NONE, "finding_savings" },
	/* a creation's instances: json_each of its own body */
	[SQL_CREATORS] = { "events_created", "i" },
	[SQL_F_KEPT] = { "INTEGER PRIMARY KEY", NONE },
	[SQL_KEPT_COUNT] = { NONE, NONE },
	[SQL_KEPT_COUNT_PRUNE] = { "PRIMARY KEY", NONE },
	[SQL_KEPT_SAVING] = { NONE, NONE },
	[SQL_KEPT_SAVING_PRUNE] = { "PRIMARY KEY", NONE },
	[SQL_F_SET_OWNER] = { "INTEGER PRIMARY KEY", NONE },
};
/* clang-format on */

/* the partial indexes of the schema, comma-separated (main) */
static char partial[2048];
/* the checker's own test: no plan printed */
static int quiet;

/* is the n bytes at w one of the comma-separated items of list */
static int
listed(const char *list, const char *w, size_t n)
{
	const char *p = list, *e;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == n && strncmp(p, w, n) == 0)
			return 1;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

/* each item of list appears in plan */
static int
all_used(const char *list, const char *plan, const char **missing, size_t *mlen)
{
	char item[128];
	const char *p = list, *e;
	size_t n;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, p, n);
		item[n] = '\0';
		if (strstr(plan, item) == NULL) {
			*missing = p;
			*mlen = n;
			return 0;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return 1;
}

/*
 * The plan of statement id, its lines joined by '\n' into plan; 0 when
 * it cannot be prepared (say why)
 */
static int
plan_of(struct db *db, int id, char *plan, size_t len)
{
	char sql[16384];
	sqlite3_stmt *st = NULL;
	const char *d;
	size_t used = 0;
	int n;

	plan[0] = '\0';
	n = snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s",
	    db_sql_text[id]);
	if (n < 0 || (size_t)n >= sizeof(sql)) {
		printf("statement %d: too long for the test\n", id);
		return 0;
	}
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("statement %d: %s\n", id, sqlite3_errmsg(db->h));
		return 0;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 3);
		n = snprintf(plan + used, len - used, "%s\n", d ? d : "");
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	sqlite3_finalize(st);
	return 1;
}

/*
 * Is the SCAN line at p (past "SCAN ") allowed by x: a constant row, a
 * sub-query's rows, a name listed, or a walk of a partial index of x's
 */
static int
scan_ok(const struct plan_exp *x, const char *p)
{
	static const char *const via[] = { " USING INDEX ",
		" USING COVERING INDEX " };
	size_t n = strcspn(p, " \n"), eol = strcspn(p, "\n"), i, k;
	const char *u;

	if (strncmp(p, "CONSTANT ROW", 12) == 0 ||
	    strncmp(p, "(subquery-", 10) == 0 || listed(x->scan, p, n))
		return 1;
	for (i = 0; i < sizeof(via) / sizeof(via[0]); i++) {
		u = strstr(p, via[i]);
		if (u == NULL || u > p + eol)
			continue;
		u += strlen(via[i]);
		k = strcspn(u, " \n");
		if (listed(partial, u, k) && listed(x->use, u, k))
			return 1;
	}
	return 0;
}

/* the plan meets want[id]: each SCAN allowed, each index used */
static int
plan_ok(int id, const char *plan)
{
	const struct plan_exp *x = &want[id];
	const char *p = plan, *w, *missing = NULL;
	size_t n, mlen = 0;
	int ok = 1;

	if (x->use == NULL || x->scan == NULL) {
		printf("statement %d has no line in want[]:\n%s", id, plan);
		return 0;
	}
	/* "SCAN name ..." at the start of a line */
	while ((w = strstr(p, "SCAN ")) != NULL) {
		p = w + 5;
		if (w != plan && w[-1] != '\n')
			continue;
		n = strcspn(p, " \n");
		if (!scan_ok(x, p)) {
			if (!quiet)
				printf("statement %d scans %.*s:\n%s", id,
				    (int)n, p, plan);
			ok = 0;
		}
	}
	if (!all_used(x->use, plan, &missing, &mlen)) {
		if (!quiet)
			printf("statement %d does not use %.*s:\n%s", id,
			    (int)mlen, missing, plan);
		ok = 0;
	}
	return ok;
}

/*
 * The listing's shapes read their rows in id order from their index: no
 * sort of every row a filter keeps (the playbook and account pair sorts
 * the rows of that pair only, a range of the unique key).
 */
static const enum db_sql in_order[] = { SQL_FINDINGS_LIST, SQL_FINDINGS_LIST_S,
	SQL_FINDINGS_LIST_P, SQL_FINDINGS_LIST_A, SQL_FINDINGS_LIST_SP,
	SQL_FINDINGS_LIST_SA, SQL_DUE_OPEN, SQL_OUTBOX_DUE, SQL_EV_PENDING,
	SQL_F_REHEARSED, SQL_FAILED_LIST };

static void
test_every_statement(struct db *db)
{
	char plan[8192];
	int id, dump = getenv("FIXIT_PLAN_DUMP") != NULL;
	size_t i;

	TEST("every statement's plan is in the table, on its index") {
		for (id = 0; id < SQL__COUNT; id++) {
			CHECK(plan_of(db, id, plan, sizeof(plan)));
			if (dump)
				printf("-- %d\n%s\n%s", id, db_sql_text[id],
				    plan);
			CHECK(plan_ok(id, plan));
		}
	}
	TEST("the listing's shapes and the batches read in order, no sort") {
		for (i = 0; i < sizeof(in_order) / sizeof(in_order[0]); i++) {
			CHECK(plan_of(db, in_order[i], plan, sizeof(plan)));
			if (strstr(plan, "TEMP B-TREE") != NULL) {
				printf("statement %d sorts:\n%s", in_order[i],
				    plan);
				CHECK(0);
			}
		}
	}
}

/* the checker itself: a walk of findings is caught, an index is missed */
static void
test_checker(void)
{
	quiet = 1;
	TEST("a table walk or a missing index fails the check") {
		CHECK(!plan_ok(SQL_FINDINGS_LIST_S, "SCAN f\n"));
		CHECK(!plan_ok(SQL_FINDINGS_LIST_S,
		    "SEARCH f USING INDEX findings_owner (owner_slack_id=?)\n"));
		CHECK(plan_ok(SQL_FINDINGS_LIST_S,
		    "SEARCH f USING INDEX findings_by_state (state=? AND "
		    "rowid>?)\n"));
		CHECK(!plan_ok(SQL_SCAN_LAST,
		    "SCAN scans USING COVERING INDEX scans_pair\n"));
		CHECK(!plan_ok(SQL_SCAN_LAST, "SCAN scans\n"));
		CHECK(plan_ok(SQL_PAUSE_LIST, "SCAN pauses\n"));
		/* a partial index of the line's: its rows only */
		CHECK(plan_ok(SQL_DUE_OPEN,
		    "SCAN findings USING INDEX findings_open\n"));
		CHECK(!plan_ok(SQL_DUE_OPEN,
		    "SCAN findings USING INDEX findings_by_state\n"));
		CHECK(!plan_ok(SQL_DUE_OPEN, "SCAN findings USING INDEX "
					     "findings_notified\n"));
	}
	quiet = 0;
}

/* the names of the partial indexes into partial[] */
static void
load_partial(struct db *db)
{
	static const char q[] =
	    "SELECT group_concat(name) FROM sqlite_master WHERE "
	    "type = 'index' AND sql LIKE '% WHERE %'";
	sqlite3_stmt *st = NULL;
	const char *s;

	TEST("the partial indexes") {
		CHECK_INT(sqlite3_prepare_v2(db->h, q, -1, &st, NULL),
		    SQLITE_OK);
		CHECK_INT(sqlite3_step(st), SQLITE_ROW);
		s = (const char *)sqlite3_column_text(st, 0);
		CHECK(s != NULL && strlen(s) < sizeof(partial));
		if (s != NULL)
			snprintf(partial, sizeof(partial), "%s", s);
		sqlite3_finalize(st);
		CHECK(listed(partial, "findings_open", 13));
		CHECK(!listed(partial, "findings_by_state", 17));
	}
}

/* a few rows in the tables the statements read */
static void
add_rows(struct db *db)
{
	static const char rows[] =
	    "INSERT INTO findings (playbook, account_id, region, resource_id,"
	    " title, state, first_seen, last_seen, updated_at) VALUES"
	    " ('pb', '1', 'r', 'x1', 't', 'open', 1, 1, 1),"
	    " ('pb', '1', 'r', 'x2', 't', 'notified', 1, 1, 1),"
	    " ('pb', '2', 'r', 'x3', 't', 'failed', 1, 1, 1);"
	    "INSERT INTO scans (account_id, region, started_at, finished_at,"
	    " ok, found, resolved) VALUES ('1', 'r', 1, 2, 1, 0, 0),"
	    " ('1', 'r', 3, 4, 1, 0, 0), ('2', 'r', 3, 4, 1, 0, 0);"
	    "INSERT INTO outbox (kind, next_attempt_at, created_at) VALUES"
	    " ('owner_msg', 1, 1);"
	    "INSERT INTO events (id, kind, received_at, body) VALUES"
	    " ('e1', 'cloudtrail', 1, '{}');";

	TEST("a few rows") {
		CHECK_INT(sqlite3_exec(db->h, rows, NULL, NULL, NULL),
		    SQLITE_OK);
	}
}

/*
 * A database of the schema before scan_last, with scans, migrated by
 * db_open: scan_last is filled from them (the last of each pair).
 */
static void
test_scan_last_backfill(const char *dir)
{
	static const char scans[] =
	    "INSERT INTO scans (account_id, region, started_at, finished_at,"
	    " ok, found, resolved) VALUES ('1', 'r', 1, 2, 1, 5, 0),"
	    " ('2', 'r', 1, 2, 1, 6, 0), ('1', 'r', 3, 4, 1, 7, 0);";
	char path[160], sql[64];
	struct db *db = NULL;
	sqlite3 *h = NULL;
	json_t *last = NULL;
	int i, ok = 1;

	snprintf(path, sizeof(path), "%s/old.db", dir);
	TEST("the migration fills scan_last from the scans kept") {
		CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
		for (i = 0;
		     ok && i < db_nmigrations &&
		     strstr(db_migrations[i], "CREATE TABLE scan_last") == NULL;
		     i++) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			    i + 1);
			ok = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) ==
				 SQLITE_OK &&
			     sqlite3_exec(h, db_migrations[i], NULL, NULL,
				 NULL) == SQLITE_OK &&
			     sqlite3_exec(h, sql, NULL, NULL, NULL) ==
				 SQLITE_OK &&
			     sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) ==
				 SQLITE_OK;
		}
		CHECK(ok && i < db_nmigrations);
		CHECK_INT(sqlite3_exec(h, scans, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
		CHECK_INT(db_open(path, &db), FX_OK);
		CHECK_INT(db_scan_last(db, &last), FX_OK);
		CHECK_INT(json_array_size(last), 2);
		CHECK_INT(json_integer_value(
			      json_object_get(json_array_get(last, 0),
				  "found")),
		    7);
		CHECK_INT(json_integer_value(
			      json_object_get(json_array_get(last, 1),
				  "found")),
		    6);
		json_decref(last);
		db_close(db);
		th_remove_db(dir, path);
	}
}

int
main(void)
{
	char tmpdir[64], dbpath[128];
	struct db *db = NULL;

	log_init(LOG_LVL_ERROR, 2);
	if (th_temp_db(tmpdir, sizeof(tmpdir), dbpath, sizeof(dbpath),
		"test_db_plan", "p.db") != 0)
		return 2;
	if (db_open(dbpath, &db) != FX_OK) {
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	load_partial(db);
	test_checker();
	add_rows(db);
	test_every_statement(db);
	db_close(db);
	th_remove_db(tmpdir, dbpath);
	if (mkdir(tmpdir, 0700) == 0)
		test_scan_last_backfill(tmpdir);
	(void)rmdir(tmpdir);
	return TEST_REPORT();
}
