/*
 * db_read.c - the read models: JSON for /fixit and the metrics, and the
 * typed page of GET /v1/findings. Times are unix seconds: the presentation
 * formats them. Every JSON model is a new reference in *out (NULL on error).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

/* the finding whose columns start at c0, as db_finding_to_model */
static json_t *
row_finding_json(sqlite3_stmt *st, int c0, fx_err *rc)
{
	struct finding f;
	json_t *o;

	*rc = db_finding_from_row(st, c0, &f);
	if (*rc != FX_OK)
		return NULL;
	o = db_finding_to_model(&f);
	finding_release(&f);
	if (o == NULL)
		*rc = FX_ENOMEM;
	return o;
}

/* the exception whose columns start at c0, as db_exception_to_model */
static json_t *
row_exception_json(sqlite3_stmt *st, int c0, fx_err *rc)
{
	struct exception_rec x;
	json_t *o;

	*rc = db_exception_from_row(st, c0, &x);
	if (*rc != FX_OK)
		return NULL;
	o = db_exception_to_model(&x);
	exception_release(&x);
	if (o == NULL)
		*rc = FX_ENOMEM;
	return o;
}

/* the row shapes of the listings: each row becomes one array element */
static json_t *
row_finding(sqlite3_stmt *st, fx_err *rc)
{
	return row_finding_json(st, 0, rc);
}

/* the finding + "due_at" */
static json_t *
row_due(sqlite3_stmt *st, fx_err *rc)
{
	json_t *o;

	o = row_finding_json(st, 0, rc);
	if (o != NULL)
		db_json_unix(o, "due_at",
		    sqlite3_column_int64(st, DB_FINDING_NCOLS), rc);
	return o;
}

static json_t *
row_exception(sqlite3_stmt *st, fx_err *rc)
{
	return row_exception_json(st, 0, rc);
}

/* the exception + "finding" */
static json_t *
row_exception_finding(sqlite3_stmt *st, fx_err *rc)
{
	json_t *o, *f;

	o = row_exception_json(st, 0, rc);
	if (o == NULL)
		return o;
	f = row_finding_json(st, DB_EXC_NCOLS, rc);
	if (f != NULL)
		db_json_set(o, "finding", f, rc);
	return o;
}

/* add n to the integer at o[key] (created at 0) */
static fx_err
counts_add(json_t *o, const char *key, json_int_t n)
{
	json_t *v;

	v = json_object_get(o, key);
	if (v != NULL)
		return json_integer_set(v, json_integer_value(v) + n) == 0
			   ? FX_OK
			   : FX_EINVAL;
	return json_object_set_new(o, key, json_integer(n)) == 0 ? FX_OK
								 : FX_ENOMEM;
}

/* one (playbook, state, count) row into o's by_state and by_playbook */
static fx_err
counts_row(sqlite3_stmt *st, void *o)
{
	json_t *by_state, *by_pb, *p;
	const char *pb, *state;
	json_int_t n;
	fx_err rc;

	by_state = json_object_get(o, "by_state");
	by_pb = json_object_get(o, "by_playbook");
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
	json_t *o, *by_state;
	fx_err rc = FX_OK;
	int i;

	o = json_object();
	by_state = json_object();
	db_json_set(o, "by_state", by_state, &rc);
	db_json_set(o, "by_playbook", json_object(), &rc);
	if (o == NULL || rc != FX_OK) {
		rc = FX_ENOMEM;
		goto out;
	}
	/* every state, so that a gauge drops to 0 */
	for (i = 0; i < FS__COUNT && rc == FX_OK; i++)
		rc = counts_add(by_state, fstate_name((enum fstate)i), 0);
	if (rc == FX_OK)
		rc =
		    db_each(db, SQL_COUNTS, DB_NOARGS, counts_row, o, __func__);
out:
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
	db_json_unix(o, "at", sqlite3_column_int64(st, 0), rc);
	db_json_str(o, "actor", (const char *)sqlite3_column_text(st, 1), rc);
	db_json_str(o, "from", (const char *)sqlite3_column_text(st, 2), rc);
	db_json_str(o, "to", (const char *)sqlite3_column_text(st, 3), rc);
	db_json_str(o, "event", (const char *)sqlite3_column_text(st, 4), rc);
	db_json_str(o, "reason", (const char *)sqlite3_column_text(st, 5), rc);
	data = db_col_json(st, 6);
	db_json_set(o, "data", data ? data : json_null(), rc);
	return o;
}

fx_err
db_finding_show(struct db *db, int64_t id, json_t **out)
{
	struct finding f;
	json_t *o = NULL, *list = NULL;
	fx_err rc;

	rc = db_finding_get(db, id, &f);
	if (rc != FX_OK)
		goto out;
	o = db_finding_to_model(&f);
	finding_release(&f);
	if (o == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = db_json_rows(db, SQL_SHOW_HISTORY, DB_ARGS(DB_INT(id)),
	    history_row, &list, __func__);
	db_json_set(o, "history", list, &rc);
	if (rc != FX_OK)
		goto out;
	rc = db_json_rows(db, SQL_SHOW_EXCEPTIONS,
	    DB_ARGS(DB_INT(id), DB_INT(DB_LIST_MAX)), row_exception, &list,
	    __func__);
	db_json_set(o, "exceptions", list, &rc);
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
	return db_json_rows(db, SQL_DUE_LIST,
	    DB_ARGS(DB_INT(until), DB_INT(db_limit(max))), row_due, out,
	    __func__);
}

fx_err
db_failed_list(struct db *db, size_t max, json_t **out)
{
	return db_json_rows(db, SQL_FAILED_LIST, DB_ARGS(DB_INT(db_limit(max))),
	    row_finding, out, __func__);
}

fx_err
db_exceptions_list(struct db *db, size_t max, json_t **out)
{
	return db_json_rows(db, SQL_EXC_LIST, DB_ARGS(DB_INT(db_limit(max))),
	    row_exception_finding, out, __func__);
}

void
finding_page_release(struct finding_page *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		finding_release(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* one row of the listing as a new element of the struct db_vec vec */
static fx_err
page_row(sqlite3_stmt *st, void *vec)
{
	struct finding *f;

	f = db_vec_push(vec);
	if (f == NULL)
		return FX_ENOMEM;
	return db_finding_from_row(st, 0, f);
}

/* the listing's statement by filter shape: state 1, playbook 2, account 4 */
static const enum db_sql list_sql[8] = {
	SQL_FINDINGS_LIST,
	SQL_FINDINGS_LIST_S,
	SQL_FINDINGS_LIST_P,
	SQL_FINDINGS_LIST_SP,
	SQL_FINDINGS_LIST_A,
	SQL_FINDINGS_LIST_SA,
	SQL_FINDINGS_LIST_PA,
	SQL_FINDINGS_LIST_SPA,
};

static unsigned
list_shape(const struct finding_filter *flt)
{
	return (flt->state != NULL ? 1u : 0) |
	       (flt->playbook != NULL ? 2u : 0) |
	       (flt->account_id != NULL ? 4u : 0);
}

fx_err
db_findings_list(struct db *db, const struct finding_filter *flt,
    struct finding_page *out)
{
	static const struct finding_filter any;
	struct db_vec vec = DB_VEC_INIT(sizeof(struct finding));
	struct finding *v;
	int64_t next_after = 0;
	size_t limit;
	fx_err rc;

	if (flt == NULL)
		flt = &any;
	if (flt->state != NULL && fstate_parse(flt->state) < 0) {
		rc = FX_EINVAL;
		goto out;
	}
	limit = flt->limit == 0 ? DB_LIST_DEFAULT : flt->limit;
	if (limit > DB_LIST_MAX)
		limit = DB_LIST_MAX;
	/* one row more than the page: is there a next one */
	rc = db_each(db, list_sql[list_shape(flt)],
	    DB_ARGS(DB_INT(flt->after_id), DB_TEXT(flt->state),
		DB_TEXT(flt->playbook), DB_TEXT(flt->account_id),
		DB_INT((int64_t)limit + 1)),
	    page_row, &vec, __func__);
	if (rc != FX_OK || vec.len <= limit)
		goto out;
	v = vec.v;
	finding_release(&v[limit]);
	vec.len = limit;
	next_after = v[limit - 1].id;
out:
	out->v = vec.v;
	out->n = vec.len;
	out->next_after = next_after;
	/* a row whose read failed is zeroed already: all n can be released */
	if (rc != FX_OK)
		finding_page_release(out);
	return rc;
}

fx_err
db_owner_open(struct db *db, const char *slack_id, size_t max,
    struct finding_page *out, int64_t *total)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(struct finding));
	fx_err rc;

	*total = 0;
	rc = db_each(db, SQL_OWNER_OPEN,
	    DB_ARGS(DB_TEXT(slack_id), DB_INT(db_limit(max))), page_row, &vec,
	    __func__);
	if (rc == FX_OK)
		rc = db_count(db, SQL_OWNER_OPEN_COUNT,
		    DB_ARGS(DB_TEXT(slack_id)), total, __func__);
	out->v = vec.v;
	out->n = vec.len;
	out->next_after = 0;
	if (rc != FX_OK)
		finding_page_release(out);
	return rc;
}

fx_err
db_exc_pending(struct db *db, size_t max, json_t **out)
{
	return db_json_rows(db, SQL_EXC_PENDING_LIST,
	    DB_ARGS(DB_INT(db_limit(max))), row_exception_finding, out,
	    __func__);
}
