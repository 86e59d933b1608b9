/*
 * db_outbox.c - the outbox of Slack calls, the Slack user cache and the
 * pause switches.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

fx_err
db_outbox_add(struct db *db, const char *kind, int64_t finding_id,
    const json_t *args, int64_t now)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	if (kind == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_OUTBOX_ADD, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, kind, &e);
	db_bind_time(st, 2, finding_id, &e);	/* 0: none, NULL */
	if (args != NULL)
		db_bind_json(st, 3, args, &e);
	else
		db_bind_text(st, 3, "{}", &e);
	db_bind_int64(st, 4, now, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
out:
	db_stmt_done(st);
	return rc;
}

void
outbox_row_release(struct outbox_row *r)
{
	if (r == NULL)
		return;
	free(r->kind);
	json_decref(r->args);
	memset(r, 0, sizeof(*r));
}

static fx_err
outbox_from_row(sqlite3_stmt *st, struct outbox_row *r)
{
	fx_err err = FX_OK;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->finding_id = sqlite3_column_int64(st, 1);
	r->kind = db_col_text(st, 2, &err);
	r->args = db_col_json(st, 3);
	if (r->args == NULL)
		r->args = json_object();
	r->attempts = sqlite3_column_int(st, 4);
	r->created_at = sqlite3_column_int64(st, 5);
	if (err == FX_OK && (r->kind == NULL || r->args == NULL))
		err = FX_ENOMEM;
	if (err != FX_OK)
		outbox_row_release(r);
	return err;
}

fx_err
db_outbox_due(struct db *db, int64_t now, size_t max,
    struct outbox_row **rows, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct outbox_row *v = NULL, *nv;
	size_t len = 0, alloc = 0, i;
	fx_err rc = FX_OK;
	int e = SQLITE_OK, src;

	if (max == 0)
		goto out;
	st = db_stmt(db, SQL_OUTBOX_DUE, __func__);
	if (st == NULL) {
		rc = FX_EDB;
		goto out;
	}
	db_bind_int64(st, 1, now, &e);
	db_bind_int64(st, 2, db_limit(max), &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			nv = realloc(v, alloc * sizeof(*v));
			if (nv == NULL) {
				rc = FX_ENOMEM;
				goto out;
			}
			v = nv;
		}
		rc = outbox_from_row(st, &v[len]);
		if (rc != FX_OK)
			goto out;
		len++;
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, __func__, src);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		for (i = 0; i < len; i++)
			outbox_row_release(&v[i]);
		free(v);
		v = NULL;
		len = 0;
	}
	*rows = v;
	*n = len;
	return rc;
}

/* an outbox update by id: FX_ENOTFOUND unless the row was pending */
static fx_err
outbox_mark(struct db *db, enum db_sql id, int64_t row, int64_t t,
    const char *err, const char *fn)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	st = db_stmt(db, id, fn);
	if (st == NULL)
		goto out;
	db_bind_int64(st, 1, row, &e);
	if (id == SQL_OUTBOX_DEAD) {
		db_bind_text(st, 2, err, &e);
	} else {
		db_bind_int64(st, 2, t, &e);
		if (id == SQL_OUTBOX_RETRY)
			db_bind_text(st, 3, err, &e);
	}
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
db_outbox_sent(struct db *db, int64_t id, int64_t now)
{
	return outbox_mark(db, SQL_OUTBOX_SENT, id, now, NULL, __func__);
}

fx_err
db_outbox_retry(struct db *db, int64_t id, int64_t next_at, const char *err)
{
	return outbox_mark(db, SQL_OUTBOX_RETRY, id, next_at, err, __func__);
}

fx_err
db_outbox_dead(struct db *db, int64_t id, const char *err)
{
	return outbox_mark(db, SQL_OUTBOX_DEAD, id, 0, err, __func__);
}

fx_err
db_outbox_depth(struct db *db, int64_t *pending)
{
	sqlite3_stmt *st;
	fx_err rc = FX_EDB;

	*pending = 0;
	st = db_stmt(db, SQL_OUTBOX_DEPTH, __func__);
	if (st != NULL)
		rc = db_step_count(db, st, pending, __func__);
	db_stmt_done(st);
	return rc;
}

fx_err
db_slack_user_get(struct db *db, const char *email, int64_t max_age,
    int64_t now, char **user_id)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK, src;

	*user_id = NULL;
	if (email == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_SLACK_USER_GET, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, email, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = FX_OK;
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if (now - sqlite3_column_int64(st, 1) <= max_age)
			*user_id = db_col_text(st, 0, &rc);
	} else if (src != SQLITE_DONE) {
		rc = db_fail(db, __func__, src);
	}
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_slack_user_put(struct db *db, const char *email, const char *user_id,
    int64_t now)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	if (email == NULL || user_id == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_SLACK_USER_PUT, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, email, &e);
	db_bind_text(st, 2, user_id, &e);
	db_bind_int64(st, 3, now, &e);
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
db_pause_set(struct db *db, const char *name, int paused, const char *by,
    int64_t now)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	if (name == NULL || (paused && by == NULL)) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, paused ? SQL_PAUSE_SET : SQL_PAUSE_CLEAR, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, name, &e);
	if (paused) {
		db_bind_text(st, 2, by, &e);
		db_bind_int64(st, 3, now, &e);
	}
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
db_paused(struct db *db, const char *playbook, int *paused)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int64_t v = 0;
	int e = SQLITE_OK;

	*paused = 0;
	st = db_stmt(db, SQL_PAUSED, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, playbook, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_count(db, st, &v, __func__);
	*paused = v != 0;
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_pause_list(struct db *db, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *a;
	fx_err rc = FX_OK;
	int src;

	a = json_array();
	if (a == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	st = db_stmt(db, SQL_PAUSE_LIST, __func__);
	if (st == NULL) {
		rc = FX_EDB;
		goto out;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name == NULL || json_array_append_new(a,
		    json_string(name)) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, __func__, src);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		json_decref(a);
		a = NULL;
	}
	*out = a;
	return rc;
}
