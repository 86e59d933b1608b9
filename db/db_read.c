/*
 * db_read.c - the read models: JSON for /fixit, GET /v1/findings and the
 * metrics. Every function returns a new reference in *out (NULL on error).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

/* the finding whose columns start at c0, as finding_to_json */
static json_t *
row_finding_json(sqlite3_stmt *st, int c0, fx_err *rc)
{
	struct finding f;
	json_t *o;

	*rc = db_finding_from_row(st, c0, &f);
	if (*rc != FX_OK)
		return NULL;
	o = finding_to_json(&f);
	finding_release(&f);
	if (o == NULL)
		*rc = FX_ENOMEM;
	return o;
}

/* the exception whose columns start at c0, as db_exception_to_json */
static json_t *
row_exception_json(sqlite3_stmt *st, int c0, fx_err *rc)
{
	struct exception_rec x;
	json_t *o;

	*rc = db_exception_from_row(st, c0, &x);
	if (*rc != FX_OK)
		return NULL;
	o = db_exception_to_json(&x);
	exception_release(&x);
	if (o == NULL)
		*rc = FX_ENOMEM;
	return o;
}

/* how each row of a listing becomes one array element */
enum row_shape {
	ROW_FINDING,		/* finding_to_json */
	ROW_DUE,		/* finding_to_json + "due_at" */
	ROW_EXCEPTION,		/* exception + "finding" */
	ROW_EXCEPTION_ONLY	/* exception */
};

static json_t *
row_json(sqlite3_stmt *st, enum row_shape shape, fx_err *rc)
{
	json_t *o, *f;

	if (shape == ROW_FINDING)
		return row_finding_json(st, 0, rc);
	if (shape == ROW_DUE) {
		o = row_finding_json(st, 0, rc);
		if (o != NULL)
			db_json_time(o, "due_at",
			    sqlite3_column_int64(st, DB_FINDING_NCOLS), rc);
		return o;
	}
	o = row_exception_json(st, 0, rc);
	if (o == NULL || shape == ROW_EXCEPTION_ONLY)
		return o;
	f = row_finding_json(st, DB_EXC_NCOLS, rc);
	if (f != NULL)
		db_json_set(o, "finding", f, rc);
	return o;
}

/*
 * Step st and append up to max rows to array a. *last_id: the id of the
 * last row appended; *more: 1 when a row beyond max was there.
 */
static fx_err
rows_to_array(struct db *db, sqlite3_stmt *st, enum row_shape shape,
    size_t max, json_t *a, int64_t *last_id, int *more, const char *fn)
{
	fx_err rc = FX_OK;
	json_t *o;
	int src;

	*more = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (json_array_size(a) == max) {
			*more = 1;
			return FX_OK;
		}
		o = row_json(st, shape, &rc);
		if (rc != FX_OK) {
			json_decref(o);
			return rc;
		}
		if (json_array_append_new(a, o) != 0)
			return FX_ENOMEM;
		*last_id = sqlite3_column_int64(st, 0);
	}
	if (src != SQLITE_DONE)
		return db_fail(db, fn, src);
	return FX_OK;
}

/*
 * A listing: statement id, with its parameter 1 (if p1 is set) and its
 * LIMIT as parameter lim_param, into a new array.
 */
static fx_err
list_rows(struct db *db, enum db_sql id, const int64_t *p1, int lim_param,
    size_t max, enum row_shape shape, json_t **out, const char *fn)
{
	sqlite3_stmt *st = NULL;
	json_t *a;
	int64_t last = 0;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK, more;

	a = json_array();
	if (a == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	st = db_stmt(db, id, fn);
	if (st == NULL)
		goto out;
	if (p1 != NULL)
		db_bind_int64(st, 1, *p1, &e);
	db_bind_int64(st, lim_param, db_limit(max), &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, fn, e);
		goto out;
	}
	rc = rows_to_array(db, st, shape, max, a, &last, &more, fn);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		json_decref(a);
		a = NULL;
	}
	*out = a;
	return rc;
}

/* add n to the integer at o[key] (created at 0) */
static fx_err
counts_add(json_t *o, const char *key, json_int_t n)
{
	json_t *v;

	v = json_object_get(o, key);
	if (v != NULL)
		return json_integer_set(v, json_integer_value(v) + n) == 0 ?
		    FX_OK : FX_EINVAL;
	return json_object_set_new(o, key, json_integer(n)) == 0 ?
	    FX_OK : FX_ENOMEM;
}

/* one (playbook, state, count) row into by_state and by_playbook */
static fx_err
counts_row(sqlite3_stmt *st, json_t *by_state, json_t *by_pb)
{
	const char *pb, *state;
	json_int_t n;
	json_t *p;
	fx_err rc;

	pb = (const char *)sqlite3_column_text(st, 0);
	state = (const char *)sqlite3_column_text(st, 1);
	n = (json_int_t)sqlite3_column_int64(st, 2);
	if (pb == NULL || state == NULL)
		return FX_ENOMEM;
	rc = counts_add(by_state, state, n);
	if (rc != FX_OK)
		return rc;
	p = json_object_get(by_pb, pb);
	if (p == NULL) {
		p = json_object();
		if (json_object_set_new(by_pb, pb, p) != 0)
			return FX_ENOMEM;
	}
	return counts_add(p, state, n);
}

fx_err
db_counts(struct db *db, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *o, *by_state, *by_pb;
	fx_err rc = FX_OK;
	int i, src;

	o = json_object();
	by_state = json_object();
	by_pb = json_object();
	db_json_set(o, "by_state", by_state, &rc);
	db_json_set(o, "by_playbook", by_pb, &rc);
	if (o == NULL || rc != FX_OK) {
		rc = FX_ENOMEM;
		goto out;
	}
	/* every state, so that a gauge drops to 0 */
	for (i = 0; i < FS__COUNT && rc == FX_OK; i++)
		rc = counts_add(by_state, fstate_name((enum fstate)i), 0);
	if (rc != FX_OK)
		goto out;
	st = db_stmt(db, SQL_COUNTS, __func__);
	if (st == NULL) {
		rc = FX_EDB;
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		rc = counts_row(st, by_state, by_pb);
		if (rc != FX_OK)
			goto out;
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, __func__, src);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

/* one audit row as {at, actor, from, to, event, reason, data} */
static json_t *
history_row(sqlite3_stmt *st, fx_err *rc)
{
	json_t *o, *data;

	o = json_object();
	if (o == NULL) {
		*rc = FX_ENOMEM;
		return NULL;
	}
	db_json_time(o, "at", sqlite3_column_int64(st, 0), rc);
	db_json_str(o, "actor", (const char *)sqlite3_column_text(st, 1), rc);
	db_json_str(o, "from", (const char *)sqlite3_column_text(st, 2), rc);
	db_json_str(o, "to", (const char *)sqlite3_column_text(st, 3), rc);
	db_json_str(o, "event", (const char *)sqlite3_column_text(st, 4), rc);
	db_json_str(o, "reason", (const char *)sqlite3_column_text(st, 5),
	    rc);
	data = db_col_json(st, 6);
	db_json_set(o, "data", data ? data : json_null(), rc);
	return o;
}

/* the finding's audit rows, oldest first, as o["history"] */
static fx_err
show_history(struct db *db, int64_t id, json_t *o)
{
	sqlite3_stmt *st = NULL;
	json_t *a, *h;
	fx_err rc = FX_OK;
	int e = SQLITE_OK, src;

	a = json_array();
	db_json_set(o, "history", a, &rc);
	if (rc != FX_OK)
		goto out;
	st = db_stmt(db, SQL_SHOW_HISTORY, __func__);
	if (st == NULL) {
		rc = FX_EDB;
		goto out;
	}
	db_bind_int64(st, 1, id, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		h = history_row(st, &rc);
		if (rc == FX_OK && json_array_append_new(a, h) != 0)
			rc = FX_ENOMEM;
		else if (rc != FX_OK)
			json_decref(h);
		if (rc != FX_OK)
			goto out;
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, __func__, src);
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_finding_show(struct db *db, int64_t id, json_t **out)
{
	struct finding f;
	json_t *o = NULL, *exc = NULL;
	fx_err rc;

	rc = db_finding_get(db, id, &f);
	if (rc != FX_OK)
		goto out;
	o = finding_to_json(&f);
	finding_release(&f);
	if (o == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = show_history(db, id, o);
	if (rc != FX_OK)
		goto out;
	rc = list_rows(db, SQL_SHOW_EXCEPTIONS, &id, 2, DB_LIST_MAX,
	    ROW_EXCEPTION_ONLY, &exc, __func__);
	db_json_set(o, "exceptions", exc, &rc);
out:
	if (rc != FX_OK) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

fx_err
db_due_list(struct db *db, int64_t until, size_t max, json_t **out)
{
	return list_rows(db, SQL_DUE_LIST, &until, 2, max, ROW_DUE, out,
	    __func__);
}

fx_err
db_failed_list(struct db *db, size_t max, json_t **out)
{
	return list_rows(db, SQL_FAILED_LIST, NULL, 1, max, ROW_FINDING, out,
	    __func__);
}

fx_err
db_exceptions_list(struct db *db, size_t max, json_t **out)
{
	return list_rows(db, SQL_EXC_LIST, NULL, 1, max, ROW_EXCEPTION, out,
	    __func__);
}

fx_err
db_findings_list(struct db *db, const struct finding_filter *flt,
    json_t **out)
{
	static const struct finding_filter any;
	sqlite3_stmt *st = NULL;
	json_t *o = NULL, *a;
	int64_t last = 0;
	size_t limit;
	fx_err rc = FX_OK;
	int e = SQLITE_OK, more = 0;

	if (flt == NULL)
		flt = &any;
	if (flt->state != NULL && fstate_parse(flt->state) < 0) {
		rc = FX_EINVAL;
		goto out;
	}
	limit = flt->limit == 0 ? DB_LIST_DEFAULT : flt->limit;
	if (limit > DB_LIST_MAX)
		limit = DB_LIST_MAX;
	o = json_object();
	a = json_array();
	db_json_set(o, "findings", a, &rc);
	if (o == NULL || rc != FX_OK) {
		rc = FX_ENOMEM;
		goto out;
	}
	st = db_stmt(db, SQL_FINDINGS_LIST, __func__);
	if (st == NULL) {
		rc = FX_EDB;
		goto out;
	}
	db_bind_int64(st, 1, flt->after_id, &e);
	db_bind_text(st, 2, flt->state, &e);
	db_bind_text(st, 3, flt->playbook, &e);
	db_bind_text(st, 4, flt->account_id, &e);
	db_bind_int64(st, 5, (int64_t)limit + 1, &e);	/* one more: paging */
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = rows_to_array(db, st, ROW_FINDING, limit, a, &last, &more,
	    __func__);
	if (rc == FX_OK)
		db_json_set(o, "next_after", more ? json_integer(last) :
		    json_null(), &rc);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}
