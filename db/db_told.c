/*
 * db_told.c - what "no owner fixed unasked" needs of the store: what a
 * finding's outbox rows said, an outbox row due later, the outbox's oldest
 * pending row (db.h).
 */
#include <stddef.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_outbox_said(struct db *db, int64_t finding_id, const char *kind,
    const char *say, int64_t since, int64_t *count)
{
	*count = 0;
	if (kind == NULL || say == NULL)
		return FX_EINVAL;
	return db_count(db, SQL_OUTBOX_SAID,
	    DB_ARGS(DB_INT(finding_id), DB_TEXT(kind), DB_TEXT(say),
		DB_INT(since)),
	    count, __func__);
}

fx_err
db_outbox_add_at(struct db *db, const char *kind, int64_t finding_id,
    const json_t *args, int64_t due, int64_t now)
{
	if (kind == NULL)
		return FX_EINVAL;
	/* finding_id 0: none, NULL */
	return db_run(db, SQL_OUTBOX_ADD_AT,
	    DB_ARGS(DB_TEXT(kind), DB_TIME(finding_id),
		args ? DB_JSON(args) : DB_TEXT("{}"),
		DB_INT(due > now ? due : now), DB_INT(now)),
	    __func__);
}

fx_err
db_outbox_oldest(struct db *db, int64_t *created_at)
{
	*created_at = 0;
	return db_count(db, SQL_OUTBOX_OLDEST, DB_NOARGS, created_at, __func__);
}

fx_err
db_waiting_told(struct db *db, int64_t *count)
{
	*count = 0;
	return db_count(db, SQL_F_WAITING_TOLD, DB_NOARGS, count, __func__);
}
