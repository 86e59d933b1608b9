/*
 * test_db_counts.c - the kept counts of findings by (playbook, state,
 * account) (schema v12's finding_counts) and the kept savings by
 * (playbook, account) (v15's finding_savings), kept since v17 by the
 * writes of a finding (db_kept.c): after every step of a mix of inserts,
 * state changes (full and steps-only updates), rewrites that change no
 * state, fixes with and without a saving, a refused update, a rolled
 * back savepoint and a refused insert, both equal a full GROUP BY
 * recount of the findings, and db_counts reports the same; no statement
 * but the insert and the updates of db_finding.c writes a counted
 * column; a database migrated with findings in it starts with the right
 * counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db_int.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

#define STEPS 1500

static char tmpdir[64];
static char dbpath[128];
static char dbpath2[128];

static const char *const pbs[] = { "pb-a", "pb-b", "pb-c" };
static const char *const accts[] = { "111122223333", "444455556666",
	"777788889999", "123412341234" };

static const char kept[] = "SELECT playbook, state, account_id, n FROM "
			   "finding_counts ORDER BY 1, 2, 3";
static const char recount[] = "SELECT playbook, state, account_id, count(*) "
			      "FROM findings GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
/* the savings as "playbook|account|cents fixes unknown" */
static const char kept_savings[] =
    "SELECT playbook, account_id, cents || ' ' || fixes || ' ' || unknown, "
    "'' FROM finding_savings ORDER BY 1, 2";
static const char recount_savings[] =
    "SELECT playbook, account_id, sum(json_extract(prior_state, "
    "'$.saving.cents')) || ' ' || count(*) || ' ' || "
    "sum(coalesce(json_array_length(prior_state, '$.saving.unknown'), 0) "
    "> 0), '' FROM findings WHERE state = 'fixed' AND "
    "json_type(prior_state, '$.saving.cents') = 'integer' GROUP BY 1, 2 "
    "ORDER BY 1, 2";

static unsigned long rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rnd_state >> 33) % n);
}

/* the rows of sql as "a|b|c|n;" lines; NULL on failure */
static char *
rows(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;
	char *out = NULL;
	int src, i;

	buf_init(&b, 1024 * 1024);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < 4; i++)
			if (buf_addf(&b, "%s%s",
				(const char *)sqlite3_column_text(st, i),
				i == 3 ? ";" : "|") != FX_OK)
				goto out;
	if (src == SQLITE_DONE)
		out = buf_detach(&b);
out:
	sqlite3_finalize(st);
	buf_release(&b);
	return out;
}

/* the rows of two statements are the same (else both said) */
static int
same_rows(sqlite3 *h, const char *kept_sql, const char *recount_sql)
{
	char *a = rows(h, kept_sql), *b = rows(h, recount_sql);
	int ok = a != NULL && b != NULL && strcmp(a, b) == 0;

	if (!ok)
		printf("  kept:    %s\n  recount: %s\n", a ? a : "(error)",
		    b ? b : "(error)");
	free(a);
	free(b);
	return ok;
}

/* the counters and the savings equal their recounts */
static int
counters_right(sqlite3 *h)
{
	return same_rows(h, kept, recount) &&
	       same_rows(h, kept_savings, recount_savings);
}

static int
exec_ok(sqlite3 *h, const char *sql)
{
	return sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static int64_t
raw_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static fx_err
insert(struct db *db, const char *pb, const char *acct, const char *res,
    enum fstate s, int64_t *id)
{
	struct finding f;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	f.playbook = (char *)pb;
	f.account_id = (char *)acct;
	f.region = (char *)"eu-west-1";
	f.resource_id = (char *)res;
	f.title = (char *)"counted";
	f.state = s;
	f.first_seen = f.last_seen = f.updated_at = 1767225600;
	rc = db_finding_insert(db, &f);
	*id = f.id;
	return rc;
}

enum change {
	CH_STATE,   /* a full update to a random state */
	CH_STEPS,   /* a steps-only update to a random state */
	CH_SAME,    /* a rewrite, the state unchanged */
	CH_FIX,	    /* fixed, with a random saving (or none) */
	CH_REFUSED, /* an update naming another playbook: refused */
};

/* change a finding through the typed updates the state machine uses */
static fx_err
change(struct db *db, int64_t id, enum change how)
{
	static const char *const savings[] = {
		"{\"saving\":{\"cents\":365,\"unknown\":[]}}",
		"{\"saving\":{\"cents\":1200,\"unknown\":[\"x y\"]}}",
		"{\"saving\":{\"cents\":-40}}",
		"{\"saving\":{\"cents\":\"12\"}}", /* not an integer */
		"{\"plan\":\"no saving\"}",
	};
	struct finding f;
	char *pb;
	fx_err rc;

	rc = db_finding_get(db, id, &f);
	if (rc != FX_OK)
		return rc;
	switch (how) {
	case CH_SAME:
		f.last_seen++;
		break;
	case CH_STEPS:
		f.steps_only = 1;
		/* FALLTHROUGH */
	case CH_STATE:
		f.state = (enum fstate)rnd(FS__COUNT);
		break;
	case CH_FIX:
		f.state = FS_FIXED;
		free(f.prior_state);
		f.prior_state = strdup(savings[rnd(5)]);
		if (f.prior_state == NULL)
			rc = FX_ENOMEM;
		break;
	case CH_REFUSED:
		pb = strdup(pbs[(rnd(2) + 1 + (f.playbook[3] - 'a')) % 3]);
		free(f.playbook);
		f.playbook = pb;
		f.state = (enum fstate)rnd(FS__COUNT);
		if (pb == NULL)
			rc = FX_ENOMEM;
		break;
	}
	if (rc == FX_OK)
		rc = db_finding_update(db, &f);
	finding_release(&f);
	return rc;
}

/* a random finding's id, 0 when there is none */
static int64_t
any_id(struct db *db)
{
	char sql[160];
	int64_t n = 0, id = 0;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM findings", -1, &st,
		NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (n == 0)
		return 0;
	snprintf(sql, sizeof(sql),
	    "SELECT id FROM findings ORDER BY id LIMIT 1 OFFSET %u",
	    rnd((unsigned)n));
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* the (playbook, state) pairs of by_playbook */
static int
pairs(json_t *by_pb)
{
	const char *k;
	json_t *v;
	int n = 0;

	json_object_foreach(by_pb, k, v) {
		(void)k;
		n += (int)json_object_size(v);
	}
	return n;
}

/* db_counts' by_state and by_playbook against the recount */
static int
db_counts_right(struct db *db)
{
	sqlite3_stmt *st = NULL;
	json_t *o = NULL, *by_state, *by_pb;
	int64_t want[FS__COUNT] = { 0 };
	int ok, i, npb = 0;

	if (db_counts(db, &o) != FX_OK)
		return 0;
	by_state = json_object_get(o, "by_state");
	by_pb = json_object_get(o, "by_playbook");
	ok = sqlite3_prepare_v2(db->h,
		 "SELECT playbook, state, count(*) FROM findings "
		 "GROUP BY 1, 2",
		 -1, &st, NULL) == SQLITE_OK;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *pb = (const char *)sqlite3_column_text(st, 0);
		const char *s = (const char *)sqlite3_column_text(st, 1);
		int64_t n = sqlite3_column_int64(st, 2);

		want[fstate_parse(s)] += n;
		ok = json_integer_value(
			 json_object_get(json_object_get(by_pb, pb), s)) == n;
		npb++;
	}
	sqlite3_finalize(st);
	/* only the non-zero pairs are reported */
	ok = ok && pairs(by_pb) == npb;
	for (i = 0; ok && i < FS__COUNT; i++)
		ok = json_integer_value(json_object_get(by_state,
			 fstate_name((enum fstate)i))) == want[i];
	json_decref(o);
	return ok;
}

static void
test_mix(struct db *db)
{
	char res[64];
	int64_t id;
	int step, bad = 0, bad_counts = 0, ops[7] = { 0 };
	unsigned op;

	TEST("a mix of writes: the counters equal a recount after each") {
		for (step = 0; step < STEPS; step++) {
			/* the second half as the writer runs jobs: batches
			 * of ten in a transaction, each step in a savepoint,
			 * one in five rolled back */
			int batched = step >= STEPS / 2, fail = 0;

			if (batched && step % 10 == 0)
				CHECK_INT(db_begin(db), FX_OK);
			if (batched)
				CHECK_INT(db_savepoint(db), FX_OK);
			op = step < 50 ? 0 : rnd(7);
			id = op == 0 ? 0 : any_id(db);
			if (op != 0 && id == 0)
				op = 0;
			ops[op]++;
			switch (op) {
			case 0: /* a new finding */
				snprintf(res, sizeof(res), "r-%d", step);
				CHECK_INT(insert(db, pbs[rnd(3)], accts[rnd(4)],
					      res, (enum fstate)rnd(FS__COUNT),
					      &id),
				    FX_OK);
				break;
			case 1: /* a change of state */
				CHECK_INT(change(db, id, CH_STATE), FX_OK);
				break;
			case 2: /* the same, steps only */
				CHECK_INT(change(db, id, CH_STEPS), FX_OK);
				break;
			case 3: /* a rewrite, the state unchanged */
				CHECK_INT(change(db, id, CH_SAME), FX_OK);
				break;
			case 4:
			case 5: /* fixed: a saving, or none */
				CHECK_INT(change(db, id, CH_FIX), FX_OK);
				break;
			default: /* another playbook: refused, nothing moves */
				CHECK_INT(change(db, id, CH_REFUSED),
				    FX_EINVAL);
				fail = 1;
				break;
			}
			if (batched) {
				if (fail || rnd(5) == 0)
					db_savepoint_rollback(db);
				else
					db_savepoint_release(db);
				if (step % 10 != 9)
					continue;
				CHECK_INT(db_commit(db), FX_OK);
			}
			if (!counters_right(db->h)) {
				printf("  after step %d (op %u)\n", step, op);
				bad++;
				if (bad > 3)
					break;
			}
			if (step % 50 == 0 && !db_counts_right(db))
				bad_counts++;
		}
		CHECK_INT(bad, 0);
		CHECK_INT(bad_counts, 0);
		CHECK(db_counts_right(db));
		/* every kind of step ran */
		for (op = 0; op < 7; op++)
			CHECK(ops[op] > 10);
		/* and some savings are kept */
		CHECK(raw_count(db->h, "SELECT count(*) FROM finding_savings "
				       "WHERE unknown > 0") > 0);
	}
}

static void
test_same_transaction(struct db *db)
{
	char *before, *after;
	struct finding f;
	int64_t id;

	TEST("a rolled back savepoint takes its counts back with it") {
		before = rows(db->h, kept);
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK_INT(insert(db, "pb-z", accts[0], "rolled", FS_OPEN, &id),
		    FX_OK);
		CHECK_INT(change(db, id, CH_STATE), FX_OK);
		/* a nested one, released into the rolled back one */
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK_INT(change(db, any_id(db), CH_FIX), FX_OK);
		db_savepoint_release(db);
		db_savepoint_rollback(db);
		CHECK_INT(db_commit(db), FX_OK);
		after = rows(db->h, kept);
		CHECK(before != NULL && after != NULL &&
		      strcmp(before, after) == 0);
		CHECK(counters_right(db->h));
		free(before);
		free(after);
		before = after = NULL;
	}
	TEST("fixed and undone in one transaction: no row of zeros") {
		CHECK_INT(insert(db, "pb-x", accts[2], "undone", FS_OPEN, &id),
		    FX_OK);
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_finding_get(db, id, &f), FX_OK);
		f.state = FS_FIXED;
		free(f.prior_state);
		f.prior_state = strdup("{\"saving\":{\"cents\":500}}");
		CHECK_INT(db_finding_update(db, &f), FX_OK);
		f.state = FS_ROLLED_BACK;
		CHECK_INT(db_finding_update(db, &f), FX_OK);
		finding_release(&f);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK(counters_right(db->h));
		CHECK_INT(raw_count(db->h, "SELECT count(*) FROM "
					   "finding_savings WHERE playbook = "
					   "'pb-x'"),
		    0);
	}
	TEST("a savepoint that begins the transaction writes its counts") {
		CHECK_INT(db_savepoint(db), FX_OK);
		CHECK_INT(insert(db, "pb-z", accts[0], "kept", FS_OPEN, &id),
		    FX_OK);
		CHECK_INT(change(db, id, CH_FIX), FX_OK);
		db_savepoint_release(db);
		CHECK(counters_right(db->h));
		CHECK_INT(raw_count(db->h,
			      "SELECT count(*) FROM finding_counts "
			      "WHERE playbook = 'pb-z'"),
		    1);
		free(before);
		free(after);
	}
	TEST("a refused insert (the unique key) counts nothing") {
		CHECK_INT(insert(db, "pb-y", accts[1], "dup", FS_OPEN, &id),
		    FX_OK);
		before = rows(db->h, kept);
		CHECK(insert(db, "pb-y", accts[1], "dup", FS_FIXED, &id) !=
		      FX_OK);
		after = rows(db->h, kept);
		CHECK(before != NULL && after != NULL &&
		      strcmp(before, after) == 0);
		CHECK(counters_right(db->h));
		free(before);
		free(after);
	}
	TEST("a pair that falls to zero has no row") {
		CHECK_INT(db_finding_find(db, "pb-y", accts[1], "eu-west-1",
			      "dup", &f),
		    FX_OK);
		f.state = FS_RESOLVED;
		CHECK_INT(db_finding_update(db, &f), FX_OK);
		finding_release(&f);
		CHECK(counters_right(db->h));
		before = rows(db->h, "SELECT playbook, state, account_id, n "
				     "FROM finding_counts WHERE n <= 0 OR "
				     "(playbook = 'pb-y' AND state = 'open')");
		CHECK(before != NULL && before[0] == '\0');
		free(before);
		CHECK_INT(raw_count(db->h, "SELECT count(*) FROM "
					   "finding_savings WHERE fixes <= 0"),
		    0);
	}
}

/* the columns the kept rows follow */
static int
sets_counted(const char *sql)
{
	static const char *const cols[] = { " state =", "playbook =",
		"account_id =", "prior_state =" };
	const char *set = strstr(sql, " SET "), *where;
	size_t i, n;

	if (set == NULL)
		return 0;
	where = strstr(set, " WHERE ");
	n = where != NULL ? (size_t)(where - set) : strlen(set);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		const char *p = strstr(set, cols[i]);

		if (p != NULL && (size_t)(p - set) < n)
			return 1;
	}
	return 0;
}

static void
test_writers(void)
{
	int i, bad = 0;

	TEST("only db_finding.c's insert and update write counted columns") {
		for (i = 0; i < SQL__COUNT; i++) {
			const char *sql = db_sql_text[i];
			int writes = strstr(sql, "INSERT INTO findings ") ||
				     strstr(sql, "DELETE FROM findings") ||
				     (strstr(sql, "UPDATE findings ") &&
					 sets_counted(sql));

			if (!writes || i == SQL_F_INSERT)
				continue;
			printf("  statement %d writes a counted column: %s\n",
			    i, sql);
			bad++;
		}
		CHECK_INT(bad, 0);
		/* the check sees what it looks for */
		CHECK(sets_counted("UPDATE findings SET deadline = ?16, "
				   "state = ?11 WHERE id = ?1"));
		CHECK(!sets_counted(db_sql_text[SQL_F_OPEN_REARM]));
	}
}

/* a database at the version before the counters, with findings in it;
 * then db_open migrates it */
static void
test_backfill(void)
{
	sqlite3 *h = NULL;
	struct db *db = NULL;
	char sql[64];
	int i, v;

	TEST("the migration fills the counters from the findings") {
		for (v = 0; v < db_nmigrations; v++)
			if (strstr(db_migrations[v],
				"CREATE TABLE finding_counts") != NULL)
				break;
		CHECK(v < db_nmigrations);
		CHECK(sqlite3_open(dbpath2, &h) == SQLITE_OK);
		for (i = 0; i < v; i++) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			    i + 1);
			CHECK(exec_ok(h, "BEGIN"));
			CHECK(exec_ok(h, db_migrations[i]));
			CHECK(exec_ok(h, sql));
			CHECK(exec_ok(h, "COMMIT"));
		}
		CHECK(exec_ok(h,
		    "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 "
		    "FROM c WHERE i < 999) INSERT INTO findings (playbook, "
		    "account_id, region, resource_id, title, state, "
		    "first_seen, last_seen, updated_at) SELECT "
		    "'pb-' || (i % 3), 'acct-' || (i % 5), 'eu-west-1', "
		    "'r-' || i, 't', CASE i % 4 WHEN 0 THEN 'open' WHEN 1 "
		    "THEN 'notified' WHEN 2 THEN 'fixed' ELSE 'excepted' END, "
		    "1, 1, 1 FROM c"));
		sqlite3_close(h);
		CHECK_INT(db_open(dbpath2, &db), FX_OK);
		if (db != NULL) {
			CHECK_INT(db_schema_version(db), db_nmigrations);
			CHECK(counters_right(db->h));
			CHECK(db_counts_right(db));
		}
		db_close(db);
	}
}

int
main(void)
{
	struct db *db = NULL;

	log_init(LOG_LVL_ERROR, 2);
	if (th_temp_db(tmpdir, sizeof(tmpdir), dbpath, sizeof(dbpath),
		"test_db_counts", "c.db") != 0)
		return 2;
	snprintf(dbpath2, sizeof(dbpath2), "%s/m.db", tmpdir);
	if (db_open(dbpath, &db) != FX_OK) {
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	test_mix(db);
	test_same_transaction(db);
	db_close(db);
	test_writers();
	test_backfill();
	th_remove_db(tmpdir, dbpath2);
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
