/*
 * db_util.c - running a statement (bind, step, read the rows, reset) and
 * the column and JSON helpers shared by the db files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "fxtime.h"
#include "banned.h"

/* bind one value as parameter i; a SQLite result code */
int
db_bind_val(sqlite3_stmt *st, int i, const struct db_val *v)
{
	char *s;
	int rc;

	switch (v->type) {
	case DBV_INT:
		return sqlite3_bind_int64(st, i, v->i);
	case DBV_TIME:
		if (v->i == 0)
			return sqlite3_bind_null(st, i);
		return sqlite3_bind_int64(st, i, v->i);
	case DBV_TEXT:
		if (v->s == NULL)
			return sqlite3_bind_null(st, i);
		return sqlite3_bind_text(st, i, v->s, -1, SQLITE_TRANSIENT);
	case DBV_JSON:
		if (v->j == NULL)
			return sqlite3_bind_null(st, i);
		s = json_dumps(v->j, JSON_COMPACT | JSON_ENCODE_ANY);
		if (s == NULL)
			return SQLITE_NOMEM;
		rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
		free(s);
		return rc;
	}
	return SQLITE_MISUSE;
}

/* what a run expects of the statement */
enum db_want {
	WANT_DONE,  /* no row */
	WANT_COUNT, /* one row, read by row(); none is a failure */
	WANT_ONE,   /* at most one row, read by row() */
	WANT_EACH   /* any number of rows, each read by row() */
};

/* step st, already bound, as w wants */
static fx_err
db_step(struct db *db, sqlite3_stmt *st, enum db_want w, db_row_fn row,
    void *ctx, const char *fn)
{
	fx_err rc = FX_OK;
	int src;

	src = sqlite3_step(st);
	switch (w) {
	case WANT_DONE:
		if (src == SQLITE_ROW)
			src = SQLITE_MISUSE;
		break;
	case WANT_COUNT:
	case WANT_ONE:
		if (src == SQLITE_ROW)
			return row(st, ctx);
		if (src == SQLITE_DONE)
			return w == WANT_ONE ? FX_ENOTFOUND
					     : db_fail(db, fn, SQLITE_MISUSE);
		break;
	case WANT_EACH:
		while (src == SQLITE_ROW && (rc = row(st, ctx)) == FX_OK)
			src = sqlite3_step(st);
		if (rc != FX_OK)
			return rc;
		break;
	}
	return src == SQLITE_DONE ? FX_OK : db_fail(db, fn, src);
}

/* the one way a statement runs: prepare (cached), bind, step, reset */
static fx_err
db_call(struct db *db, enum db_sql id, struct db_args a, enum db_want w,
    db_row_fn row, void *ctx, const char *fn)
{
	sqlite3_stmt *st;
	fx_err rc = FX_OK;
	size_t i;
	int src = SQLITE_OK;

	st = db_stmt(db, id, fn);
	if (st == NULL)
		return FX_EDB;
	for (i = 0; i < a.n && src == SQLITE_OK; i++)
		src = db_bind_val(st, (int)i + 1, &a.v[i]);
	if (src != SQLITE_OK)
		rc = db_fail(db, fn, src);
	else
		rc = db_step(db, st, w, row, ctx, fn);
	db_stmt_done(st);
	return rc;
}

fx_err
db_run(struct db *db, enum db_sql id, struct db_args a, const char *fn)
{
	return db_call(db, id, a, WANT_DONE, NULL, NULL, fn);
}

fx_err
db_write(struct db *db, enum db_sql id, struct db_args a, int64_t *rowid,
    const char *fn)
{
	fx_err rc;

	rc = db_call(db, id, a, WANT_DONE, NULL, NULL, fn);
	if (rc == FX_OK && sqlite3_changes(db->h) == 0)
		rc = FX_ENOTFOUND;
	if (rc == FX_OK && rowid != NULL)
		*rowid = sqlite3_last_insert_rowid(db->h);
	return rc;
}

static fx_err
count_row(sqlite3_stmt *st, void *count)
{
	*(int64_t *)count = sqlite3_column_int64(st, 0);
	return FX_OK;
}

fx_err
db_count(struct db *db, enum db_sql id, struct db_args a, int64_t *count,
    const char *fn)
{
	return db_call(db, id, a, WANT_COUNT, count_row, count, fn);
}

fx_err
db_get(struct db *db, enum db_sql id, struct db_args a, db_row_fn row,
    void *ctx, const char *fn)
{
	return db_call(db, id, a, WANT_ONE, row, ctx, fn);
}

fx_err
db_each(struct db *db, enum db_sql id, struct db_args a, db_row_fn row,
    void *ctx, const char *fn)
{
	return db_call(db, id, a, WANT_EACH, row, ctx, fn);
}

/* db_json_rows: the array and the function making its elements */
struct json_rows {
	json_t *a;
	db_json_row_fn row;
};

static fx_err
json_rows_add(sqlite3_stmt *st, void *ctx)
{
	struct json_rows *r = ctx;
	fx_err rc = FX_OK;
	json_t *o;

	o = r->row(st, &rc);
	if (rc != FX_OK) {
		json_decref(o);
		return rc;
	}
	return json_array_append_new(r->a, o) == 0 ? FX_OK : FX_ENOMEM;
}

fx_err
db_json_rows(struct db *db, enum db_sql id, struct db_args a,
    db_json_row_fn row, json_t **out, const char *fn)
{
	struct json_rows r = { NULL, row };
	fx_err rc = FX_ENOMEM;

	r.a = json_array();
	if (r.a != NULL)
		rc = db_each(db, id, a, json_rows_add, &r, fn);
	if (rc != FX_OK) {
		json_decref(r.a);
		r.a = NULL;
	}
	*out = r.a;
	return rc;
}

void *
db_vec_push(struct db_vec *vec)
{
	size_t alloc;
	char *nv;

	if (vec->len == vec->alloc) {
		alloc = vec->alloc ? vec->alloc * 2 : 16;
		nv = realloc(vec->v, alloc * vec->size);
		if (nv == NULL)
			return NULL;
		vec->v = nv;
		vec->alloc = alloc;
	}
	return (char *)vec->v + vec->size * vec->len++;
}

int64_t
db_limit(size_t n)
{
	return n > (size_t)INT64_MAX ? INT64_MAX : (int64_t)n;
}

char *
db_col_text(sqlite3_stmt *st, int i, fx_err *err)
{
	const unsigned char *t;
	char *s;
	int n;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (t == NULL || (s = malloc((size_t)n + 1)) == NULL) {
		*err = FX_ENOMEM;
		return NULL;
	}
	memcpy(s, t, (size_t)n);
	s[n] = '\0';
	return s;
}

json_t *
db_col_json(sqlite3_stmt *st, int i)
{
	const char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = (const char *)sqlite3_column_text(st, i);
	if (t == NULL)
		return NULL;
	return json_loads(t, JSON_DECODE_ANY, NULL);
}

void
db_json_set(json_t *o, const char *key, json_t *v, fx_err *err)
{
	if (*err != FX_OK) {
		json_decref(v);
		return;
	}
	/* json_object_set_new steals v, also when it fails */
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		*err = FX_ENOMEM;
}

/* s as a JSON string; bytes of invalid UTF-8 (an executor's output kept
 * in last_error) become '?' rather than losing the whole object */
static json_t *
db_json_string(const char *s)
{
	json_t *v;
	char *t;
	size_t i;

	v = json_string(s);
	if (v != NULL || (t = strdup(s)) == NULL)
		return v;
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] >= 0x80)
			t[i] = '?';
	v = json_string(t);
	free(t);
	return v;
}

void
db_json_str(json_t *o, const char *key, const char *s, fx_err *err)
{
	if (*err != FX_OK)
		return;
	db_json_set(o, key, s ? db_json_string(s) : json_null(), err);
}

void
db_json_int(json_t *o, const char *key, int64_t v, fx_err *err)
{
	if (*err != FX_OK)
		return;
	db_json_set(o, key, json_integer((json_int_t)v), err);
}

void
db_json_unix(json_t *o, const char *key, int64_t t, fx_err *err)
{
	if (*err != FX_OK)
		return;
	db_json_set(o, key, t ? json_integer((json_int_t)t) : json_null(), err);
}

void
db_json_iso(json_t *o, const char *key, int64_t t, fx_err *err)
{
	char iso[21];

	if (*err != FX_OK)
		return;
	if (t == 0) {
		db_json_set(o, key, json_null(), err);
		return;
	}
	fx_iso8601_format(t, iso);
	db_json_set(o, key, json_string(iso), err);
}
