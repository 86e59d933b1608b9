/*
 * db_fp.c - false-positive reports on exception rows, and the counts
 * the owner's own steps need (see db.h).
 */
#include <sqlite3.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_exception_fp_set(struct db *db, int64_t id, int fp)
{
	return db_write(db, SQL_EXC_FP_SET, DB_ARGS(DB_INT(id), DB_INT(fp)),
	    NULL, __func__);
}

static fx_err
fp_row(sqlite3_stmt *st, void *ctx)
{
	*(int *)ctx = sqlite3_column_int(st, 0);
	return FX_OK;
}

fx_err
db_exception_fp(struct db *db, int64_t id, int *fp)
{
	*fp = DB_FP_NO;
	return db_get(db, SQL_EXC_FP_GET, DB_ARGS(DB_INT(id)), fp_row, fp,
	    __func__);
}

/* one row of SQL_FP_COUNTS into the object (ctx) */
static fx_err
count_row(sqlite3_stmt *st, void *ctx)
{
	const unsigned char *pb = sqlite3_column_text(st, 0);

	if (pb == NULL)
		return FX_OK;
	return json_object_set_new(ctx, (const char *)pb,
		   json_integer(sqlite3_column_int64(st, 1))) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

fx_err
db_fp_counts(struct db *db, json_t **out)
{
	json_t *o = json_object();
	fx_err rc = FX_ENOMEM;

	if (o != NULL)
		rc = db_each(db, SQL_FP_COUNTS, DB_NOARGS, count_row, o,
		    __func__);
	if (rc != FX_OK) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

fx_err
db_audit_count_finding(struct db *db, int64_t finding_id, const char *event,
    int64_t *count)
{
	return db_count(db, SQL_AUDIT_COUNT_F,
	    DB_ARGS(DB_INT(finding_id), DB_TEXT(event)), count, __func__);
}
