/*
 * test_db_prov.c - provenance (db_prov_fixed): which fixes count as
 * fixitd's own standing record (fixed, no undo asked, no dry run), the
 * fix time (the fixing -> fixed audit row, not an undo request's fixed ->
 * fixed), the launch time, exceptions on the follow-up finding, the
 * resource filter, what a fix made (its backup snapshot:
 * fx_prov_find_made), and that the statement reads indexes only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_int.h"
#include "fxlog.h"
#include "fxprov.h"
#include "testhelp.h"
#include "banned.h"

#define ACCT "111122223333"
#define REG  "eu-west-1"
#define T0   1767225600 /* 2026-01-01 */

static char tmpdir[64];
static char dbpath[128];

/* a finding of pb on res in state s with prior state prior; 0 on error */
static int64_t
add(struct db *db, const char *pb, const char *res, enum fstate s,
    const char *prior, const char *undo_by)
{
	struct finding f;
	int64_t id = 0;

	memset(&f, 0, sizeof(f));
	th_setstr(&f.playbook, pb);
	th_setstr(&f.account_id, ACCT);
	th_setstr(&f.region, REG);
	th_setstr(&f.resource_id, res);
	th_setstr(&f.title, "t");
	th_setstr(&f.prior_state, prior);
	th_setstr(&f.undo_requested_by, undo_by);
	f.state = s;
	f.first_seen = f.last_seen = f.updated_at = T0;
	if (db_finding_insert(db, &f) == FX_OK)
		id = f.id;
	finding_release(&f);
	return id;
}

static int
audit(struct db *db, int64_t id, int64_t at, const char *from, const char *to)
{
	return db_audit_add(db, id, at, "fixit", from, to, "transition", "r",
		   NULL) == FX_OK;
}

static void
test_records(struct db *db)
{
	struct fx_prov_set s = FX_PROV_SET_INIT;
	struct exception_rec x;
	const struct fx_prov *p;
	int64_t a, b, undone, asked, dry, other, exp;

	TEST("standing fixes only, with their fix time and launch time") {
		a = add(db, "ec2-quarantine", "i-a", FS_FIXED,
		    "{\"launch_time\":\"2024-05-01T08:00:00.000Z\"}", NULL);
		CHECK(audit(db, a, T0 - 100, "open", "fixing"));
		CHECK(audit(db, a, T0 - 90, "fixing", "fixed"));
		/* an undo asked and failed: fixed -> fixed, not a new fix */
		CHECK(audit(db, a, T0 - 10, "fixed", "fixed"));
		b = add(db, "ec2-quarantine", "i-b", FS_FIXED, "{}", NULL);
		CHECK(audit(db, b, T0 - 50, "fixing", "fixed"));
		undone = add(db, "ec2-quarantine", "i-undone", FS_ROLLED_BACK,
		    "{\"launch_time\":\"x\"}", NULL);
		CHECK(audit(db, undone, T0 - 50, "fixing", "fixed"));
		asked = add(db, "ec2-quarantine", "i-asked", FS_FIXED,
		    "{\"launch_time\":\"x\"}", "U1");
		dry = add(db, "ec2-quarantine", "i-dry", FS_FIXED,
		    "{\"launch_time\":\"x\",\"dry_run\":true}", NULL);
		other = add(db, "ec2-imdsv1", "i-a", FS_FIXED, "{}", NULL);
		CHECK(undone > 0 && asked > 0 && dry > 0 && other > 0);

		CHECK_INT(db_prov_fixed(db, "ec2-quarantine",
			      "ec2-quarantine-expired", ACCT, REG, NULL, T0,
			      &s),
		    FX_OK);
		CHECK_INT(s.n, 2);
		p = fx_prov_find(&s, "i-a");
		CHECK(p != NULL);
		CHECK_INT(p->finding_id, a);
		CHECK_INT(p->fixed_at, T0 - 90);
		CHECK_STR(p->launch_time, "2024-05-01T08:00:00.000Z");
		CHECK_INT(p->excepted, 0);
		p = fx_prov_find(&s, "i-b");
		CHECK(p != NULL && p->launch_time == NULL);
		CHECK_INT(p->fixed_at, T0 - 50);
		CHECK(fx_prov_find(&s, "i-undone") == NULL);
		CHECK(fx_prov_find(&s, "i-asked") == NULL);
		CHECK(fx_prov_find(&s, "i-dry") == NULL);
		fx_prov_set_release(&s);

		/* one resource; another account: none */
		CHECK_INT(db_prov_fixed(db, "ec2-quarantine",
			      "ec2-quarantine-expired", ACCT, REG, "i-b", T0,
			      &s),
		    FX_OK);
		CHECK_INT(s.n, 1);
		CHECK_STR(s.v[0].resource_id, "i-b");
		fx_prov_set_release(&s);
		CHECK_INT(db_prov_fixed(db, "ec2-quarantine",
			      "ec2-quarantine-expired", "999988887777", REG,
			      NULL, T0, &s),
		    FX_OK);
		CHECK_INT(s.n, 0);
	}
	TEST("an exception on the follow-up finding marks the record") {
		exp = add(db, "ec2-quarantine-expired", "i-a", FS_FIXING, NULL,
		    NULL);
		memset(&x, 0, sizeof(x));
		x.finding_id = exp;
		x.requested_by = strdup("U1");
		x.reason = strdup("forensics");
		x.kind = strdup("1m");
		x.requested_at = T0;
		x.until = T0 + 86400;
		x.status = strdup("active");
		CHECK_INT(db_exception_insert(db, &x), FX_OK);
		exception_release(&x);
		CHECK_INT(db_prov_fixed(db, "ec2-quarantine",
			      "ec2-quarantine-expired", ACCT, REG, "i-a", T0,
			      &s),
		    FX_OK);
		CHECK(s.n == 1 && s.v[0].excepted == 1);
		fx_prov_set_release(&s);
		/* past its end it no longer counts */
		CHECK_INT(db_prov_fixed(db, "ec2-quarantine",
			      "ec2-quarantine-expired", ACCT, REG, "i-a",
			      T0 + 86400, &s),
		    FX_OK);
		CHECK(s.n == 1 && s.v[0].excepted == 0);
		fx_prov_set_release(&s);
	}
}

/* the backup snapshots of ebs-unused and rds-idle fixes (fx_prov.made) */
static void
test_made(struct db *db)
{
	struct fx_prov_set s = FX_PROV_SET_INIT;
	const struct fx_prov *p;
	int64_t v1, v2, d1, undone;

	TEST("what a fix made: snapshot_id, final_snapshot, else none") {
		v1 = add(db, "ebs-unused", "vol-1", FS_FIXED,
		    "{\"snapshot_id\":\"snap-1\"}", NULL);
		v2 = add(db, "ebs-unused", "vol-2", FS_FIXED,
		    "{\"snapshot_id\":7}", NULL);
		undone = add(db, "ebs-unused", "vol-3", FS_FIXED,
		    "{\"snapshot_id\":\"snap-3\"}", "U1");
		d1 = add(db, "rds-idle", "db1", FS_FIXED,
		    "{\"final_snapshot\":\"fixit-final-db1-9\"}", NULL);
		CHECK(v1 > 0 && v2 > 0 && undone > 0 && d1 > 0);
		CHECK_INT(db_prov_fixed(db, "ebs-unused", "snapshot-stale",
			      ACCT, REG, NULL, T0, &s),
		    FX_OK);
		CHECK_INT(db_prov_fixed(db, "rds-idle", "snapshot-stale", ACCT,
			      REG, NULL, T0, &s),
		    FX_OK);
		CHECK_INT(s.n, 3);
		p = fx_prov_find_made(&s, "snap-1");
		CHECK(p != NULL && p->finding_id == v1);
		CHECK(p != NULL && strcmp(p->resource_id, "vol-1") == 0);
		p = fx_prov_find_made(&s, "fixit-final-db1-9");
		CHECK(p != NULL && p->finding_id == d1);
		/* a number is no snapshot id; an undone fix is no record */
		p = fx_prov_find(&s, "vol-2");
		CHECK(p != NULL && p->made == NULL);
		CHECK(fx_prov_find_made(&s, "snap-3") == NULL);
		CHECK(fx_prov_find_made(&s, "vol-1") == NULL);
		CHECK(fx_prov_find_made(NULL, "snap-1") == NULL);
		fx_prov_set_release(&s);
	}
}

/* every step of the plan reads through an index (no full scan) */
static void
test_plan(struct db *db)
{
	sqlite3_stmt *st = NULL;
	char sql[4096];
	const char *d;
	int scans = 0, rows = 0;

	TEST("the statement is served by indexes") {
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s",
		    db_sql_text[SQL_PROV_FIXED]);
		CHECK_INT(sqlite3_prepare_v2(db->h, sql, -1, &st, NULL),
		    SQLITE_OK);
		while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(st, 3);
			rows++;
			if (d != NULL && strncmp(d, "SCAN", 4) == 0 &&
			    strstr(d, "INDEX") == NULL) {
				printf("  full scan: %s\n", d);
				scans++;
			}
		}
		sqlite3_finalize(st);
		CHECK(rows > 0);
		CHECK_INT(scans, 0);
	}
}

int
main(void)
{
	struct db *db = NULL;

	log_init(LOG_LVL_ERROR, 2);
	if (th_temp_db(tmpdir, sizeof(tmpdir), dbpath, sizeof(dbpath),
		"test_db_prov", "p.db") != 0)
		return 2;
	if (db_open(dbpath, &db) != FX_OK) {
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	test_records(db);
	test_made(db);
	test_plan(db);
	db_close(db);
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
