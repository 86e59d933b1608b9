/*
 * db_approval.c - an exception request's messages in the admin channel
 * and the queries of its nudges (see db.h "exc_msg").
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

void
exc_msgs_release(struct exc_msgs *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->channel);
	for (i = 0; i <= EXC_MSG_ESCALATE; i++)
		free(m->ts[i]);
	memset(m, 0, sizeof(*m));
}

static fx_err
msgs_row(sqlite3_stmt *st, void *ctx)
{
	struct exc_msgs *m = ctx;
	fx_err err = FX_OK;
	size_t i;

	m->channel = db_col_text(st, 0, &err);
	for (i = 0; i <= EXC_MSG_ESCALATE; i++)
		m->ts[i] = db_col_text(st, (int)i + 1, &err);
	return err;
}

fx_err
db_exc_msgs(struct db *db, int64_t id, struct exc_msgs *out)
{
	fx_err rc;

	memset(out, 0, sizeof(*out));
	rc = db_get(db, SQL_EXC_MSGS, DB_ARGS(DB_INT(id)), msgs_row, out,
	    __func__);
	if (rc != FX_OK)
		exc_msgs_release(out);
	return rc;
}

fx_err
db_exc_msg_set(struct db *db, int64_t id, enum exc_msg which,
    const char *channel, const char *ts)
{
	switch (which) {
	case EXC_MSG_ADMIN:
		return db_write(db, SQL_EXC_SET_ADMIN_MSG,
		    DB_ARGS(DB_INT(id), DB_TEXT(channel), DB_TEXT(ts)), NULL,
		    __func__);
	case EXC_MSG_REMIND:
		return db_write(db, SQL_EXC_SET_REMIND_MSG,
		    DB_ARGS(DB_INT(id), DB_TEXT(ts)), NULL, __func__);
	case EXC_MSG_ESCALATE:
		return db_write(db, SQL_EXC_SET_ESCALATE_MSG,
		    DB_ARGS(DB_INT(id), DB_TEXT(ts)), NULL, __func__);
	}
	return FX_EINVAL;
}

static fx_err
id_row(sqlite3_stmt *st, void *vec)
{
	int64_t *id = db_vec_push(vec);

	if (id == NULL)
		return FX_ENOMEM;
	*id = sqlite3_column_int64(st, 0);
	return FX_OK;
}

fx_err
db_exc_ids_waiting(struct db *db, enum exc_msg which, int64_t before,
    size_t max, int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if (which != EXC_MSG_REMIND && which != EXC_MSG_ESCALATE)
		return FX_EINVAL;
	if (max > 0)
		rc = db_each(db,
		    which == EXC_MSG_REMIND ? SQL_EXC_TO_REMIND
					    : SQL_EXC_TO_ESCALATE,
		    DB_ARGS(DB_INT(before), DB_INT(db_limit(max))), id_row,
		    &vec, __func__);
	if (rc != FX_OK) {
		free(vec.v);
		vec.v = NULL;
		vec.len = 0;
	}
	*ids = vec.v;
	*n = vec.len;
	return rc;
}

fx_err
db_exc_nudged(struct db *db, int64_t id, enum exc_msg which, int64_t at)
{
	if (which != EXC_MSG_REMIND && which != EXC_MSG_ESCALATE)
		return FX_EINVAL;
	return db_write(db,
	    which == EXC_MSG_REMIND ? SQL_EXC_SET_REMINDED
				    : SQL_EXC_SET_ESCALATED,
	    DB_ARGS(DB_INT(id), DB_TIME(at)), NULL, __func__);
}
