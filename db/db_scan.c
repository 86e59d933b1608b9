/*
 * db_scan.c - scan records and what a scan may resolve (see db.h).
 */
#include <stdlib.h>

#include <jansson.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_scan_add(struct db *db, const struct scan_rec *s)
{
	int64_t id = 0;
	fx_err rc;

	rc = db_write(db, SQL_SCAN_ADD,
	    DB_ARGS(DB_TEXT(s->account_id), DB_TEXT(s->region),
		DB_INT(s->started_at), DB_INT(s->finished_at),
		DB_INT(s->ok ? 1 : 0), DB_INT(s->found), DB_INT(s->resolved),
		DB_TEXT(s->error)),
	    &id, __func__);
	if (rc == FX_OK)
		rc = db_run(db, SQL_SCAN_LAST_SET,
		    DB_ARGS(DB_TEXT(s->account_id), DB_TEXT(s->region),
			DB_INT(id)),
		    __func__);
	return rc;
}

static json_t *
scan_row(sqlite3_stmt *st, fx_err *rc)
{
	json_t *o = json_object();
	fx_err err = FX_OK;
	char *a, *r, *e;

	if (o == NULL) {
		*rc = FX_ENOMEM;
		return NULL;
	}
	a = db_col_text(st, 0, &err);
	r = db_col_text(st, 1, &err);
	e = db_col_text(st, 7, &err);
	db_json_str(o, "account_id", a, &err);
	db_json_str(o, "region", r, &err);
	db_json_unix(o, "started_at", sqlite3_column_int64(st, 2), &err);
	db_json_unix(o, "finished_at", sqlite3_column_int64(st, 3), &err);
	db_json_set(o, "ok", json_boolean(sqlite3_column_int(st, 4)), &err);
	db_json_int(o, "found", sqlite3_column_int64(st, 5), &err);
	db_json_int(o, "resolved", sqlite3_column_int64(st, 6), &err);
	db_json_str(o, "error", e, &err);
	free(a);
	free(r);
	free(e);
	if (err != FX_OK)
		*rc = err;
	return o;
}

fx_err
db_scan_last(struct db *db, json_t **out)
{
	return db_json_rows(db, SQL_SCAN_LAST, DB_NOARGS, scan_row, out,
	    __func__);
}

static json_t *
resource_row(sqlite3_stmt *st, fx_err *rc)
{
	const char *s = (const char *)sqlite3_column_text(st, 0);
	json_t *v = s ? json_string(s) : NULL;

	if (v == NULL)
		*rc = FX_ENOMEM;
	return v;
}

fx_err
db_finding_active_resources(struct db *db, const char *playbook,
    const char *account, const char *region, json_t **out)
{
	return db_json_rows(db, SQL_F_ACTIVE_RES,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(account), DB_TEXT(region)),
	    resource_row, out, __func__);
}
