/*
 * db_audit.c - the append-only audit log and the exceptions table.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_audit_add(struct db *db, int64_t finding_id, int64_t at, const char *actor,
    const char *from, const char *to, const char *event, const char *reason,
    const json_t *data)
{
	if (actor == NULL || event == NULL)
		return FX_EINVAL;
	/* finding_id 0: a global event, NULL */
	return db_run(db, SQL_AUDIT_ADD,
	    DB_ARGS(DB_TIME(finding_id), DB_INT(at), DB_TEXT(actor),
		DB_TEXT(from), DB_TEXT(to), DB_TEXT(event), DB_TEXT(reason),
		DB_JSON(data)),
	    __func__);
}

fx_err
db_audit_count_playbook(struct db *db, const char *playbook, const char *event,
    int64_t since, int64_t *count)
{
	*count = 0;
	if (playbook == NULL || event == NULL)
		return FX_EINVAL;
	return db_count(db, SQL_AUDIT_COUNT_PB,
	    DB_ARGS(DB_TEXT(event), DB_INT(since), DB_TEXT(playbook)), count,
	    __func__);
}

void
exception_release(struct exception_rec *e)
{
	if (e == NULL)
		return;
	free(e->requested_by);
	free(e->reason);
	free(e->kind);
	free(e->status);
	free(e->decided_by);
	memset(e, 0, sizeof(*e));
}

fx_err
db_exception_from_row(sqlite3_stmt *st, int c, struct exception_rec *x)
{
	fx_err err = FX_OK;

	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, c + 0);
	x->finding_id = sqlite3_column_int64(st, c + 1);
	x->requested_by = db_col_text(st, c + 2, &err);
	x->reason = db_col_text(st, c + 3, &err);
	x->kind = db_col_text(st, c + 4, &err);
	x->requested_at = sqlite3_column_int64(st, c + 5);
	x->until = sqlite3_column_int64(st, c + 6);
	x->status = db_col_text(st, c + 7, &err);
	x->decided_by = db_col_text(st, c + 8, &err);
	x->decided_at = sqlite3_column_int64(st, c + 9);
	if (err != FX_OK)
		exception_release(x);
	return err;
}

json_t *
db_exception_to_model(const struct exception_rec *x)
{
	fx_err err = FX_OK;
	json_t *o;

	o = json_object();
	if (o == NULL)
		return NULL;
	db_json_int(o, "id", x->id, &err);
	db_json_int(o, "finding_id", x->finding_id, &err);
	db_json_str(o, "kind", x->kind, &err);
	db_json_str(o, "status", x->status, &err);
	db_json_str(o, "requested_by", x->requested_by, &err);
	db_json_unix(o, "requested_at", x->requested_at, &err);
	db_json_unix(o, "until", x->until, &err);
	db_json_str(o, "reason", x->reason, &err);
	db_json_str(o, "decided_by", x->decided_by, &err);
	db_json_unix(o, "decided_at", x->decided_at, &err);
	if (err != FX_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* run the insert or the update of an exception: column i of the row is
 * parameter i + 1 */
static fx_err
exception_write(struct db *db, enum db_sql id, const struct exception_rec *x,
    int64_t *rowid, const char *fn)
{
	const struct db_val v[] = {
		DB_INT(x->id),
		DB_INT(x->finding_id),
		DB_TEXT(x->requested_by),
		DB_TEXT(x->reason),
		DB_TEXT(x->kind),
		DB_INT(x->requested_at),
		DB_INT(x->until),
		DB_TEXT(x->status ? x->status : "pending"),
		DB_TEXT(x->decided_by),
		DB_TIME(x->decided_at),
	};

	_Static_assert(sizeof(v) / sizeof(v[0]) == DB_EXC_NCOLS,
	    "one value per column");
	if (x->requested_by == NULL || x->reason == NULL || x->kind == NULL)
		return FX_EINVAL;
	return db_write(db, id, DB_ARGV(v), rowid, fn);
}

fx_err
db_exception_insert(struct db *db, struct exception_rec *x)
{
	return exception_write(db, SQL_EXC_INSERT, x, &x->id, __func__);
}

fx_err
db_exception_update(struct db *db, const struct exception_rec *x)
{
	return exception_write(db, SQL_EXC_UPDATE, x, NULL, __func__);
}

static fx_err
exception_row(sqlite3_stmt *st, void *out)
{
	return db_exception_from_row(st, 0, out);
}

fx_err
db_exception_get(struct db *db, int64_t id, struct exception_rec *out)
{
	memset(out, 0, sizeof(*out));
	return db_get(db, SQL_EXC_GET, DB_ARGS(DB_INT(id)), exception_row, out,
	    __func__);
}
