/*
 * db_savings.c - the savings of the fixes, as the writes of findings keep
 * them by playbook and account (schema v15, db_kept.c; see db.h).
 */
#include <sqlite3.h>

#include "db_int.h"
#include "banned.h"

/* {cents, fixes, unknown} of columns 1..3 */
static json_t *
sums(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:I, s:I}", "cents",
	    (json_int_t)sqlite3_column_int64(st, 1), "fixes",
	    (json_int_t)sqlite3_column_int64(st, 2), "unknown",
	    (json_int_t)sqlite3_column_int64(st, 3));
}

/* one row of SQL_SAVINGS_PB into the object (ctx) */
static fx_err
pb_row(sqlite3_stmt *st, void *ctx)
{
	const unsigned char *pb = sqlite3_column_text(st, 0);

	if (pb == NULL)
		return FX_OK;
	return json_object_set_new(ctx, (const char *)pb, sums(st)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

/* one row of SQL_SAVINGS_ACCOUNTS as {account_id, cents, fixes, unknown} */
static json_t *
account_row(sqlite3_stmt *st, fx_err *rc)
{
	json_t *o = sums(st);

	if (o == NULL ||
	    json_object_set_new(o, "account_id",
		json_string((const char *)sqlite3_column_text(st, 0))) != 0) {
		json_decref(o);
		*rc = FX_ENOMEM;
		return NULL;
	}
	return o;
}

fx_err
db_savings(struct db *db, size_t max_accounts, json_t **out)
{
	json_t *o, *by_pb, *accts = NULL;
	fx_err rc = FX_ENOMEM;

	*out = NULL;
	o = json_object();
	by_pb = json_object();
	if (o == NULL || by_pb == NULL ||
	    json_object_set_new(o, "by_playbook", by_pb) != 0) {
		if (o == NULL)
			json_decref(by_pb);
		goto out;
	}
	rc = db_each(db, SQL_SAVINGS_PB, DB_NOARGS, pb_row, by_pb, __func__);
	if (rc != FX_OK)
		goto out;
	/* /metrics asks for none: no sort of every account */
	if (max_accounts == 0)
		accts = json_array();
	else
		rc = db_json_rows(db, SQL_SAVINGS_ACCOUNTS,
		    DB_ARGS(DB_INT(db_limit(max_accounts))), account_row,
		    &accts, __func__);
	if (rc != FX_OK)
		goto out;
	if (json_object_set_new(o, "top_accounts", accts) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	return rc;
}
