/*
 * db_guard.c - the tables that guard a fix beyond the finding's state:
 * human keys, undo holds and the fix ledger (schema v5).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_finding_key_set(struct db *db, int64_t finding_id, const char *human_key)
{
	if (finding_id <= 0 || human_key == NULL)
		return FX_EINVAL;
	return db_run(db, SQL_KEY_SET,
	    DB_ARGS(DB_INT(finding_id), DB_TEXT(human_key)), __func__);
}

static fx_err
key_row(sqlite3_stmt *st, void *ctx)
{
	fx_err err = FX_OK;

	*(char **)ctx = db_col_text(st, 0, &err);
	return err;
}

fx_err
db_finding_key_get(struct db *db, int64_t finding_id, const char *resource_id,
    char **key)
{
	fx_err rc;

	*key = NULL;
	rc = db_get(db, SQL_KEY_GET,
	    DB_ARGS(DB_INT(finding_id), DB_TEXT(resource_id)), key_row, key,
	    __func__);
	if (rc == FX_OK && *key == NULL)
		rc = FX_ENOTFOUND;
	return rc;
}

void
undo_hold_release(struct undo_hold *h)
{
	if (h == NULL)
		return;
	free(h->decided_by);
	h->decided_by = NULL;
}

fx_err
db_hold_add(struct db *db, const struct undo_hold *h)
{
	if (h->playbook == NULL || h->account_id == NULL || h->region == NULL ||
	    h->human_key == NULL || h->decided_by == NULL)
		return FX_EINVAL;
	return db_run(db, SQL_HOLD_ADD,
	    DB_ARGS(DB_TEXT(h->playbook), DB_TEXT(h->account_id),
		DB_TEXT(h->region), DB_TEXT(h->human_key),
		DB_INT(h->finding_id), DB_TEXT(h->decided_by),
		DB_INT(h->decided_at), DB_INT(h->until)),
	    __func__);
}

static fx_err
hold_row(sqlite3_stmt *st, void *ctx)
{
	struct undo_hold *h = ctx;
	fx_err err = FX_OK;

	h->id = sqlite3_column_int64(st, 0);
	h->finding_id = sqlite3_column_int64(st, 1);
	h->decided_by = db_col_text(st, 2, &err);
	h->decided_at = sqlite3_column_int64(st, 3);
	h->until = sqlite3_column_int64(st, 4);
	return err;
}

fx_err
db_hold_find(struct db *db, struct undo_hold *h, int64_t now)
{
	undo_hold_release(h);
	if (h->playbook == NULL || h->account_id == NULL || h->region == NULL ||
	    h->human_key == NULL)
		return FX_EINVAL;
	return db_get(db, SQL_HOLD_FIND,
	    DB_ARGS(DB_TEXT(h->playbook), DB_TEXT(h->account_id),
		DB_TEXT(h->region), DB_TEXT(h->human_key), DB_INT(now)),
	    hold_row, h, __func__);
}

fx_err
db_ledger_add(struct db *db, const char *kind, const char *playbook,
    const char *account, int64_t finding_id, int64_t at)
{
	if (kind == NULL || playbook == NULL || account == NULL)
		return FX_EINVAL;
	return db_run(db, SQL_LEDGER_ADD,
	    DB_ARGS(DB_INT(at), DB_TEXT(kind), DB_TEXT(playbook),
		DB_TEXT(account), DB_TIME(finding_id)),
	    __func__);
}

fx_err
db_ledger_count(struct db *db, const char *kind, const char *playbook,
    const char *account, int64_t since, int64_t *count)
{
	*count = 0;
	if (kind == NULL || (playbook != NULL && account != NULL))
		return FX_EINVAL;
	if (playbook != NULL)
		return db_count(db, SQL_LEDGER_COUNT_PB,
		    DB_ARGS(DB_TEXT(playbook), DB_TEXT(kind), DB_INT(since)),
		    count, __func__);
	if (account != NULL)
		return db_count(db, SQL_LEDGER_COUNT_ACCOUNT,
		    DB_ARGS(DB_TEXT(account), DB_TEXT(kind), DB_INT(since)),
		    count, __func__);
	return db_count(db, SQL_LEDGER_COUNT_ALL,
	    DB_ARGS(DB_TEXT(kind), DB_INT(since)), count, __func__);
}

fx_err
db_ledger_last(struct db *db, const char *kind, const char *playbook,
    int64_t *at)
{
	*at = 0;
	if (kind == NULL || playbook == NULL)
		return FX_EINVAL;
	return db_count(db, SQL_LEDGER_LAST_PB,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(kind)), at, __func__);
}
