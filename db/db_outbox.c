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
	if (kind == NULL)
		return FX_EINVAL;
	/* finding_id 0: none, NULL */
	return db_run(db, SQL_OUTBOX_ADD,
	    DB_ARGS(DB_TEXT(kind), DB_TIME(finding_id),
		args ? DB_JSON(args) : DB_TEXT("{}"), DB_INT(now)),
	    __func__);
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

/* the row as a new element of the struct db_vec vec */
static fx_err
outbox_row(sqlite3_stmt *st, void *vec)
{
	struct outbox_row *r;
	fx_err err = FX_OK;

	r = db_vec_push(vec);
	if (r == NULL)
		return FX_ENOMEM;
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
	return err;
}

/* the rows of stmt (bound with args) into a new array */
static fx_err
outbox_rows(struct db *db, enum db_sql stmt, struct db_args args,
    struct outbox_row **rows, size_t *n, const char *fn)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(struct outbox_row));
	struct outbox_row *v;
	fx_err rc;
	size_t i;

	rc = db_each(db, stmt, args, outbox_row, &vec, fn);
	v = vec.v;
	if (rc != FX_OK) {
		for (i = 0; i < vec.len; i++)
			outbox_row_release(&v[i]);
		free(v);
		v = NULL;
		vec.len = 0;
	}
	*rows = v;
	*n = vec.len;
	return rc;
}

fx_err
db_outbox_due(struct db *db, int64_t now, int64_t after_id, size_t max,
    struct outbox_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (max == 0)
		return FX_OK;
	return outbox_rows(db, SQL_OUTBOX_DUE,
	    DB_ARGS(DB_INT(now), DB_INT(db_limit(max)), DB_INT(after_id)), rows,
	    n, __func__);
}

fx_err
db_outbox_modals(struct db *db, size_t max, struct outbox_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (max == 0)
		return FX_OK;
	return outbox_rows(db, SQL_OUTBOX_MODALS,
	    DB_ARGS(DB_INT(db_limit(max))), rows, n, __func__);
}

fx_err
db_outbox_sent(struct db *db, int64_t id, int64_t now)
{
	return db_write(db, SQL_OUTBOX_SENT, DB_ARGS(DB_INT(id), DB_INT(now)),
	    NULL, __func__);
}

fx_err
db_outbox_retry(struct db *db, int64_t id, int64_t next_at, const char *err)
{
	return db_write(db, SQL_OUTBOX_RETRY,
	    DB_ARGS(DB_INT(id), DB_INT(next_at), DB_TEXT(err)), NULL, __func__);
}

fx_err
db_outbox_dead(struct db *db, int64_t id, const char *err)
{
	return db_write(db, SQL_OUTBOX_DEAD, DB_ARGS(DB_INT(id), DB_TEXT(err)),
	    NULL, __func__);
}

fx_err
db_outbox_depth(struct db *db, int64_t *pending)
{
	*pending = 0;
	return db_count(db, SQL_OUTBOX_DEPTH, DB_NOARGS, pending, __func__);
}

/* db_slack_user_get: the cache row, when it is fresh enough */
struct slack_user {
	int64_t max_age, now;
	char *user_id;
};

static fx_err
slack_user_row(sqlite3_stmt *st, void *ctx)
{
	struct slack_user *u = ctx;
	fx_err rc = FX_OK;

	if (u->now - sqlite3_column_int64(st, 1) <= u->max_age)
		u->user_id = db_col_text(st, 0, &rc);
	return rc;
}

fx_err
db_slack_user_get(struct db *db, const char *email, int64_t max_age,
    int64_t now, char **user_id)
{
	struct slack_user u = { max_age, now, NULL };
	fx_err rc;

	*user_id = NULL;
	if (email == NULL)
		return FX_EINVAL;
	rc = db_get(db, SQL_SLACK_USER_GET, DB_ARGS(DB_TEXT(email)),
	    slack_user_row, &u, __func__);
	*user_id = u.user_id;
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

fx_err
db_slack_user_put(struct db *db, const char *email, const char *user_id,
    int64_t now)
{
	if (email == NULL || user_id == NULL)
		return FX_EINVAL;
	return db_run(db, SQL_SLACK_USER_PUT,
	    DB_ARGS(DB_TEXT(email), DB_TEXT(user_id), DB_INT(now)), __func__);
}

fx_err
db_pause_set(struct db *db, const char *name, int paused, const char *by,
    int64_t now)
{
	if (name == NULL || (paused && by == NULL))
		return FX_EINVAL;
	if (!paused)
		return db_run(db, SQL_PAUSE_CLEAR, DB_ARGS(DB_TEXT(name)),
		    __func__);
	return db_run(db, SQL_PAUSE_SET,
	    DB_ARGS(DB_TEXT(name), DB_TEXT(by), DB_INT(now)), __func__);
}

fx_err
db_paused(struct db *db, const char *playbook, int *paused)
{
	int64_t v = 0;
	fx_err rc;

	rc = db_count(db, SQL_PAUSED, DB_ARGS(DB_TEXT(playbook)), &v, __func__);
	*paused = v != 0;
	return rc;
}

/* a pause row as its name */
static json_t *
pause_row(sqlite3_stmt *st, fx_err *rc)
{
	const char *name = (const char *)sqlite3_column_text(st, 0);
	json_t *v;

	v = name ? json_string(name) : NULL;
	if (v == NULL)
		*rc = FX_ENOMEM;
	return v;
}

fx_err
db_pause_list(struct db *db, json_t **out)
{
	return db_json_rows(db, SQL_PAUSE_LIST, DB_NOARGS, pause_row, out,
	    __func__);
}
