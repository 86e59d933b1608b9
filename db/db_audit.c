/*
 * db_audit.c - the append-only audit log and the exceptions table.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_audit_add(struct db *db, int64_t finding_id, int64_t at,
    const char *actor, const char *from, const char *to, const char *event,
    const char *reason, const json_t *data)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	if (actor == NULL || event == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_AUDIT_ADD, __func__);
	if (st == NULL)
		goto out;
	db_bind_time(st, 1, finding_id, &e);	/* 0: global event, NULL */
	db_bind_int64(st, 2, at, &e);
	db_bind_text(st, 3, actor, &e);
	db_bind_text(st, 4, from, &e);
	db_bind_text(st, 5, to, &e);
	db_bind_text(st, 6, event, &e);
	db_bind_text(st, 7, reason, &e);
	db_bind_json(st, 8, data, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_audit_count_playbook(struct db *db, const char *playbook,
    const char *event, int64_t since, int64_t *count)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	*count = 0;
	if (playbook == NULL || event == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_AUDIT_COUNT_PB, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, event, &e);
	db_bind_int64(st, 2, since, &e);
	db_bind_text(st, 3, playbook, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_count(db, st, count, __func__);
out:
	db_stmt_done(st);
	return rc;
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
db_exception_to_json(const struct exception_rec *x)
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
	db_json_time(o, "requested_at", x->requested_at, &err);
	db_json_time(o, "until", x->until, &err);
	db_json_str(o, "reason", x->reason, &err);
	db_json_str(o, "decided_by", x->decided_by, &err);
	db_json_time(o, "decided_at", x->decided_at, &err);
	if (err != FX_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* bind every column of x; column i of the row is parameter i + 1 */
static int
exception_bind(sqlite3_stmt *st, const struct exception_rec *x)
{
	int e = SQLITE_OK;

	db_bind_int64(st, 1, x->id, &e);
	db_bind_int64(st, 2, x->finding_id, &e);
	db_bind_text(st, 3, x->requested_by, &e);
	db_bind_text(st, 4, x->reason, &e);
	db_bind_text(st, 5, x->kind, &e);
	db_bind_int64(st, 6, x->requested_at, &e);
	db_bind_int64(st, 7, x->until, &e);
	db_bind_text(st, 8, x->status ? x->status : "pending", &e);
	db_bind_text(st, 9, x->decided_by, &e);
	db_bind_time(st, 10, x->decided_at, &e);
	return e;
}

/* run the insert or the update of an exception */
static fx_err
exception_write(struct db *db, enum db_sql id,
    const struct exception_rec *x, const char *fn)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e;

	if (x->requested_by == NULL || x->reason == NULL || x->kind == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, id, fn);
	if (st == NULL)
		goto out;
	e = exception_bind(st, x);
	if (e != SQLITE_OK) {
		rc = db_fail(db, fn, e);
		goto out;
	}
	rc = db_step_done(db, st, fn);
	if (rc == FX_OK && sqlite3_changes(db->h) == 0)
		rc = FX_ENOTFOUND;
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_exception_insert(struct db *db, struct exception_rec *x)
{
	fx_err rc;

	rc = exception_write(db, SQL_EXC_INSERT, x, __func__);
	if (rc == FX_OK)
		x->id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

fx_err
db_exception_update(struct db *db, const struct exception_rec *x)
{
	return exception_write(db, SQL_EXC_UPDATE, x, __func__);
}

fx_err
db_exception_get(struct db *db, int64_t id, struct exception_rec *out)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK, src;

	memset(out, 0, sizeof(*out));
	st = db_stmt(db, SQL_EXC_GET, __func__);
	if (st == NULL)
		goto out;
	db_bind_int64(st, 1, id, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	src = sqlite3_step(st);
	if (src == SQLITE_DONE)
		rc = FX_ENOTFOUND;
	else if (src != SQLITE_ROW)
		rc = db_fail(db, __func__, src);
	else
		rc = db_exception_from_row(st, 0, out);
out:
	db_stmt_done(st);
	return rc;
}
