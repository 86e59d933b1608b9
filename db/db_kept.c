/*
 * db_kept.c - the kept counts of findings by (playbook, state, account)
 * (schema v12's finding_counts) and the kept savings by (playbook,
 * account) (v15's finding_savings), kept by the code that writes a
 * finding, in the same transaction and savepoint as the write.
 *
 * v12 and v15 kept them with triggers on findings. A trigger makes every
 * insert and update of a finding a statement that writes two tables, and
 * SQLite journals such a statement page by page so that it can undo it
 * alone; within a batch that journal spills to a temporary file: 78 KB
 * written per ingested finding, 40 % of the writer's time (issue 14).
 * v17 dropped the triggers: the only writes of a finding's state or
 * prior state are db_finding_insert and db_finding_update (which builds
 * the update of the changed columns itself; playbook and account are the
 * unique key and never change), and they call here; test_db_counts
 * checks that no statement of db_sql.c but the insert writes those
 * columns, and that the counts equal a recount after every kind of
 * write.
 *
 * The deltas are plain statements after the write: a rolled back
 * savepoint or transaction takes them back with it.
 */
#include <string.h>

#include "db_int.h"
#include "banned.h"

struct kept_read_ctx {
	const struct finding *f;
	struct db_kept *k;
};

static int
col_is(sqlite3_stmt *st, int i, const char *s)
{
	const unsigned char *c = sqlite3_column_text(st, i);

	return c != NULL && s != NULL && strcmp((const char *)c, s) == 0;
}

static fx_err
kept_row(sqlite3_stmt *st, void *ctx)
{
	struct kept_read_ctx *c = ctx;
	const unsigned char *state = sqlite3_column_text(st, 2);
	int s = state != NULL ? fstate_parse((const char *)state) : -1;

	/* the write keys the deltas by f's playbook and account: they are
	 * the row's (an update cannot change them) or the write is refused */
	if (!col_is(st, 0, c->f->playbook) || !col_is(st, 1, c->f->account_id))
		return FX_EINVAL;
	if (s < 0 || s >= FS__COUNT)
		return FX_EINVAL;
	c->k->state = (enum fstate)s;
	c->k->saved = sqlite3_column_int(st, 3) != 0;
	c->k->cents = c->k->saved ? sqlite3_column_int64(st, 4) : 0;
	c->k->unknown = c->k->saved && sqlite3_column_int(st, 5) != 0;
	return FX_OK;
}

/* f's place as stored, its saving read by SQLite's JSON functions */
static fx_err
kept_read(struct db *db, const struct finding *f, struct db_kept *k)
{
	struct kept_read_ctx c = { f, k };

	memset(k, 0, sizeof(*k));
	return db_get(db, SQL_F_KEPT, DB_ARGS(DB_INT(f->id)), kept_row, &c,
	    __func__);
}

/* add (sign 1) or take back (sign -1) the place k of f's key */
static fx_err
kept_apply(struct db *db, const struct finding *f, const struct db_kept *k,
    int sign)
{
	const char *state = fstate_name(k->state);
	fx_err rc;

	rc = db_run(db, SQL_KEPT_COUNT,
	    DB_ARGS(DB_TEXT(f->playbook), DB_TEXT(state),
		DB_TEXT(f->account_id), DB_INT(sign)),
	    __func__);
	if (rc == FX_OK && sign < 0)
		rc = db_run(db, SQL_KEPT_COUNT_PRUNE,
		    DB_ARGS(DB_TEXT(f->playbook), DB_TEXT(state),
			DB_TEXT(f->account_id)),
		    __func__);
	if (rc != FX_OK || !k->saved)
		return rc;
	rc = db_run(db, SQL_KEPT_SAVING,
	    DB_ARGS(DB_TEXT(f->playbook), DB_TEXT(f->account_id),
		DB_INT(sign * k->cents), DB_INT(sign),
		DB_INT(sign * k->unknown)),
	    __func__);
	if (rc == FX_OK && sign < 0)
		rc = db_run(db, SQL_KEPT_SAVING_PRUNE,
		    DB_ARGS(DB_TEXT(f->playbook), DB_TEXT(f->account_id)),
		    __func__);
	return rc;
}

fx_err
db_kept_of(struct db *db, const struct finding *stored, struct db_kept *k)
{
	if (stored->state == FS_FIXED)
		return kept_read(db, stored, k);
	memset(k, 0, sizeof(*k));
	k->state = stored->state;
	return FX_OK;
}

fx_err
db_kept_count(struct db *db, const struct db_kept *before,
    const struct finding *f)
{
	struct db_kept now;
	fx_err rc;

	/* a fixed finding's saving is in its prior state's JSON: read back
	 * as SQLite's JSON functions see it */
	memset(&now, 0, sizeof(now));
	now.state = f->state;
	if (f->state == FS_FIXED && (rc = kept_read(db, f, &now)) != FX_OK)
		return rc;
	if (before != NULL && before->state == now.state &&
	    before->saved == now.saved && before->cents == now.cents &&
	    before->unknown == now.unknown)
		return FX_OK;
	if (before != NULL && (rc = kept_apply(db, f, before, -1)) != FX_OK)
		return rc;
	return kept_apply(db, f, &now, 1);
}
