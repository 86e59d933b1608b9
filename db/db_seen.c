/*
 * db_seen.c - when a watching playbook first saw each resource (see
 * db.h, schema v14).
 */
#include <string.h>

#include "db_int.h"
#include "banned.h"

static fx_err
seen_row(sqlite3_stmt *st, void *ctx)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);

	if (id == NULL)
		return FX_OK;
	return json_object_set_new(ctx, id,
		   json_integer(sqlite3_column_int64(st, 1))) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

fx_err
db_seen_list(struct db *db, const char *scope, const char *account,
    const char *region, const char *resource, json_t *out)
{
	return db_each(db, SQL_SEEN_LIST,
	    DB_ARGS(DB_TEXT(scope), DB_TEXT(account), DB_TEXT(region),
		DB_TEXT(resource)),
	    seen_row, out, __func__);
}

fx_err
db_seen_update(struct db *db, const char *scope, const char *account,
    const char *region, const json_t *seen, const json_t *before)
{
	const char *id;
	json_t *v;
	fx_err rc = FX_OK;

	json_object_foreach((json_t *)seen, id, v) {
		if (json_object_get(before, id) != NULL)
			continue;
		rc = db_run(db, SQL_SEEN_ADD,
		    DB_ARGS(DB_TEXT(scope), DB_TEXT(account), DB_TEXT(region),
			DB_TEXT(id), DB_INT(json_integer_value(v))),
		    __func__);
		if (rc != FX_OK)
			return rc;
	}
	json_object_foreach((json_t *)before, id, v) {
		if (json_object_get(seen, id) != NULL)
			continue;
		rc = db_run(db, SQL_SEEN_DEL,
		    DB_ARGS(DB_TEXT(scope), DB_TEXT(account), DB_TEXT(region),
			DB_TEXT(id)),
		    __func__);
		if (rc != FX_OK)
			return rc;
	}
	return rc;
}

static fx_err
creator_row(sqlite3_stmt *st, void *ctx)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *who = (const char *)sqlite3_column_text(st, 1);

	if (id == NULL || who == NULL || *id == '\0' || *who == '\0')
		return FX_OK;
	return json_object_set_new(ctx, id, json_string(who)) == 0 ? FX_OK
								   : FX_ENOMEM;
}

fx_err
db_creators(struct db *db, const char *account, const char *region, json_t *out)
{
	return db_each(db, SQL_CREATORS,
	    DB_ARGS(DB_TEXT(account), DB_TEXT(region)), creator_row, out,
	    __func__);
}
