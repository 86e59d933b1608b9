/*
 * db_event.c - the events table: stored before they are acknowledged,
 * processed once (see db.h).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_event_add(struct db *db, const char *id, const char *kind, const char *body,
    int64_t now, int *dup)
{
	fx_err rc;

	rc = db_write(db, SQL_EV_ADD,
	    DB_ARGS(DB_TEXT(id), DB_TEXT(kind), DB_INT(now), DB_TEXT(body)),
	    NULL, __func__);
	*dup = rc == FX_ENOTFOUND; /* no row inserted: seen before */
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

void
event_row_release(struct event_row *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->kind);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static fx_err
pending_row(sqlite3_stmt *st, void *ctx)
{
	struct db_vec *vec = ctx;
	struct event_row *r = db_vec_push(vec);
	fx_err err = FX_OK;

	if (r == NULL)
		return FX_ENOMEM;
	memset(r, 0, sizeof(*r));
	r->seq = sqlite3_column_int64(st, 0);
	r->id = db_col_text(st, 1, &err);
	r->kind = db_col_text(st, 2, &err);
	r->body = db_col_text(st, 3, &err);
	r->received_at = sqlite3_column_int64(st, 4);
	if (err == FX_OK &&
	    (r->id == NULL || r->kind == NULL || r->body == NULL))
		err = FX_EDB;
	return err;
}

fx_err
db_event_pending(struct db *db, size_t max, struct event_row **rows, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(struct event_row));
	struct event_row *v;
	size_t i;
	fx_err rc;

	*rows = NULL;
	*n = 0;
	rc = db_each(db, SQL_EV_PENDING, DB_ARGS(DB_INT(db_limit(max))),
	    pending_row, &vec, __func__);
	v = vec.v;
	if (rc != FX_OK) {
		for (i = 0; i < vec.len; i++)
			event_row_release(&v[i]);
		free(v);
		return rc;
	}
	*rows = v;
	*n = vec.len;
	return FX_OK;
}

fx_err
db_event_done(struct db *db, const struct event_done *d, int64_t now)
{
	return db_write(db, SQL_EV_DONE,
	    DB_ARGS(DB_TEXT(d->id), DB_TEXT(d->state), DB_INT(now),
		DB_TEXT(d->account_id), DB_TEXT(d->event_name),
		DB_TEXT(d->actor), DB_TIME(d->event_time), DB_INT(d->launches),
		DB_JSON(d->result)),
	    NULL, __func__);
}

fx_err
db_event_launches(struct db *db, const char *actor, const char *account,
    int64_t since, int64_t max_events, int64_t *count)
{
	return db_count(db, SQL_EV_LAUNCHES,
	    DB_ARGS(DB_TEXT(actor), DB_TEXT(account), DB_INT(since),
		DB_INT(max_events)),
	    count, __func__);
}

static fx_err
count_row(sqlite3_stmt *st, void *ctx)
{
	const char *state = (const char *)sqlite3_column_text(st, 0);

	if (state == NULL)
		return FX_OK;
	return json_object_set_new(ctx, state,
		   json_integer(sqlite3_column_int64(st, 1))) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

fx_err
db_event_counts(struct db *db, json_t **out)
{
	fx_err rc;

	if ((*out = json_object()) == NULL)
		return FX_ENOMEM;
	rc = db_each(db, SQL_EV_COUNTS, DB_NOARGS, count_row, *out, __func__);
	if (rc != FX_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

fx_err
db_purge(struct db *db, int64_t before, size_t max, int64_t *n)
{
	fx_err rc;
	int a;

	*n = 0;
	rc = db_run(db, SQL_OUTBOX_PURGE,
	    DB_ARGS(DB_INT(before), DB_INT(db_limit(max))), __func__);
	if (rc != FX_OK)
		return rc;
	a = sqlite3_changes(db->h);
	rc = db_run(db, SQL_EV_PURGE,
	    DB_ARGS(DB_INT(before * 1000), DB_INT(db_limit(max))), __func__);
	if (rc != FX_OK)
		return rc;
	a += sqlite3_changes(db->h);
	rc = db_run(db, SQL_SCAN_PURGE,
	    DB_ARGS(DB_INT(before), DB_INT(db_limit(max))), __func__);
	if (rc != FX_OK)
		return rc;
	a += sqlite3_changes(db->h);
	rc = db_run(db, SQL_SCAN_LAST_PURGE, DB_NOARGS, __func__);
	if (rc == FX_OK)
		*n = a;
	return rc;
}
