/*
 * db_finding.c - the findings table: read, insert, update, the timer
 * queries, and a finding as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

void
finding_release(struct finding *f)
{
	if (f == NULL)
		return;
	free(f->playbook);
	free(f->account_id);
	free(f->region);
	free(f->resource_id);
	free(f->resource_arn);
	free(f->owner_email);
	free(f->owner_slack_id);
	free(f->title);
	free(f->details);
	free(f->undo_requested_by);
	free(f->prior_state);
	free(f->last_error);
	free(f->slack_channel);
	free(f->slack_ts);
	memset(f, 0, sizeof(*f));
}

/* details as an object: {} when unset or not an object */
static json_t *
finding_details(const char *text)
{
	json_t *v = NULL;

	if (text != NULL)
		v = json_loads(text, 0, NULL);
	if (v != NULL && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v ? v : json_object();
}

json_t *
finding_to_json(const struct finding *f)
{
	json_t *o, *prior = NULL;
	fx_err err = FX_OK;

	o = json_object();
	if (o == NULL)
		return NULL;
	db_json_int(o, "id", f->id, &err);
	db_json_str(o, "playbook", f->playbook, &err);
	db_json_str(o, "account_id", f->account_id, &err);
	db_json_str(o, "region", f->region, &err);
	db_json_str(o, "resource_id", f->resource_id, &err);
	db_json_str(o, "resource_arn", f->resource_arn, &err);
	db_json_str(o, "owner_email", f->owner_email, &err);
	db_json_str(o, "owner_slack_id", f->owner_slack_id, &err);
	db_json_str(o, "title", f->title, &err);
	db_json_set(o, "details", finding_details(f->details), &err);
	db_json_str(o, "state", fstate_name(f->state), &err);
	db_json_time(o, "first_seen", f->first_seen, &err);
	db_json_time(o, "last_seen", f->last_seen, &err);
	db_json_time(o, "observed_at", f->observed_at, &err);
	db_json_time(o, "notified_at", f->notified_at, &err);
	db_json_time(o, "deadline", f->deadline, &err);
	db_json_time(o, "excepted_until", f->excepted_until, &err);
	db_json_int(o, "attempts", f->attempts, &err);
	db_json_str(o, "last_error", f->last_error, &err);
	if (f->prior_state != NULL)
		prior = json_loads(f->prior_state, JSON_DECODE_ANY, NULL);
	db_json_set(o, "prior_state", prior ? prior : json_null(), &err);
	db_json_str(o, "slack_channel", f->slack_channel, &err);
	db_json_str(o, "slack_ts", f->slack_ts, &err);
	if (err != FX_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

fx_err
db_finding_from_row(sqlite3_stmt *st, int c, struct finding *f)
{
	fx_err err = FX_OK;
	char *state;
	int s;

	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, c + 0);
	f->playbook = db_col_text(st, c + 1, &err);
	f->account_id = db_col_text(st, c + 2, &err);
	f->region = db_col_text(st, c + 3, &err);
	f->resource_id = db_col_text(st, c + 4, &err);
	f->resource_arn = db_col_text(st, c + 5, &err);
	f->owner_email = db_col_text(st, c + 6, &err);
	f->owner_slack_id = db_col_text(st, c + 7, &err);
	f->title = db_col_text(st, c + 8, &err);
	f->details = db_col_text(st, c + 9, &err);
	state = db_col_text(st, c + 10, &err);
	s = fstate_parse(state);
	free(state);
	f->state = s < 0 ? FS_OPEN : (enum fstate)s;
	f->first_seen = sqlite3_column_int64(st, c + 11);
	f->last_seen = sqlite3_column_int64(st, c + 12);
	f->observed_at = sqlite3_column_int64(st, c + 13);
	f->notified_at = sqlite3_column_int64(st, c + 14);
	f->deadline = sqlite3_column_int64(st, c + 15);
	f->reminder_sent = sqlite3_column_int(st, c + 16);
	f->excepted_until = sqlite3_column_int64(st, c + 17);
	f->exc_pending = sqlite3_column_int64(st, c + 18);
	f->lease_until = sqlite3_column_int64(st, c + 19);
	f->lease_token = sqlite3_column_int64(st, c + 20);
	f->attempts = sqlite3_column_int(st, c + 21);
	f->next_attempt_at = sqlite3_column_int64(st, c + 22);
	f->undo_requested_by = db_col_text(st, c + 23, &err);
	f->prior_state = db_col_text(st, c + 24, &err);
	f->last_error = db_col_text(st, c + 25, &err);
	f->slack_channel = db_col_text(st, c + 26, &err);
	f->slack_ts = db_col_text(st, c + 27, &err);
	f->updated_at = sqlite3_column_int64(st, c + 28);
	if (err == FX_OK && s < 0)
		err = FX_EDB;	/* the CHECK constraint makes this unreachable */
	if (err != FX_OK)
		finding_release(f);
	return err;
}

/* step a statement returning at most one finding row */
static fx_err
finding_fetch(struct db *db, sqlite3_stmt *st, struct finding *out,
    const char *fn)
{
	int src;

	src = sqlite3_step(st);
	if (src == SQLITE_DONE)
		return FX_ENOTFOUND;
	if (src != SQLITE_ROW)
		return db_fail(db, fn, src);
	return db_finding_from_row(st, 0, out);
}

fx_err
db_finding_get(struct db *db, int64_t id, struct finding *out)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	memset(out, 0, sizeof(*out));
	st = db_stmt(db, SQL_F_GET, __func__);
	if (st == NULL)
		goto out;
	db_bind_int64(st, 1, id, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = finding_fetch(db, st, out, __func__);
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_finding_find(struct db *db, const char *playbook, const char *account,
    const char *region, const char *resource, struct finding *out)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	memset(out, 0, sizeof(*out));
	if (playbook == NULL || account == NULL || region == NULL ||
	    resource == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_F_FIND, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, playbook, &e);
	db_bind_text(st, 2, account, &e);
	db_bind_text(st, 3, region, &e);
	db_bind_text(st, 4, resource, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = finding_fetch(db, st, out, __func__);
out:
	db_stmt_done(st);
	return rc;
}

/* bind every column of f; column i of the row is parameter i + 1 */
static int
finding_bind(sqlite3_stmt *st, const struct finding *f)
{
	int e = SQLITE_OK;

	db_bind_int64(st, 1, f->id, &e);
	db_bind_text(st, 2, f->playbook, &e);
	db_bind_text(st, 3, f->account_id, &e);
	db_bind_text(st, 4, f->region, &e);
	db_bind_text(st, 5, f->resource_id, &e);
	db_bind_text(st, 6, f->resource_arn, &e);
	db_bind_text(st, 7, f->owner_email, &e);
	db_bind_text(st, 8, f->owner_slack_id, &e);
	db_bind_text(st, 9, f->title, &e);
	db_bind_text(st, 10, f->details ? f->details : "{}", &e);
	db_bind_text(st, 11, fstate_name(f->state), &e);
	db_bind_int64(st, 12, f->first_seen, &e);
	db_bind_int64(st, 13, f->last_seen, &e);
	db_bind_time(st, 14, f->observed_at, &e);
	db_bind_time(st, 15, f->notified_at, &e);
	db_bind_time(st, 16, f->deadline, &e);
	db_bind_int64(st, 17, f->reminder_sent ? 1 : 0, &e);
	db_bind_time(st, 18, f->excepted_until, &e);
	db_bind_time(st, 19, f->exc_pending, &e);
	db_bind_time(st, 20, f->lease_until, &e);
	db_bind_time(st, 21, f->lease_token, &e);
	db_bind_int64(st, 22, f->attempts, &e);
	db_bind_time(st, 23, f->next_attempt_at, &e);
	db_bind_text(st, 24, f->undo_requested_by, &e);
	db_bind_text(st, 25, f->prior_state, &e);
	db_bind_text(st, 26, f->last_error, &e);
	db_bind_text(st, 27, f->slack_channel, &e);
	db_bind_text(st, 28, f->slack_ts, &e);
	db_bind_int64(st, 29, f->updated_at, &e);
	return e;
}

static int
finding_valid(const struct finding *f)
{
	return (unsigned)f->state < FS__COUNT && f->playbook != NULL &&
	    f->account_id != NULL && f->region != NULL &&
	    f->resource_id != NULL && f->title != NULL;
}

fx_err
db_finding_insert(struct db *db, struct finding *f)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e;

	if (!finding_valid(f)) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_F_INSERT, __func__);
	if (st == NULL)
		goto out;
	e = finding_bind(st, f);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
	if (rc == FX_OK)
		f->id = sqlite3_last_insert_rowid(db->h);
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_finding_update(struct db *db, const struct finding *f)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e;

	if (!finding_valid(f)) {
		rc = FX_EINVAL;
		goto out;
	}
	st = db_stmt(db, SQL_F_UPDATE, __func__);
	if (st == NULL)
		goto out;
	e = finding_bind(st, f);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
	if (rc == FX_OK && sqlite3_changes(db->h) == 0)
		rc = FX_ENOTFOUND;
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_open_rearm(struct db *db, const char *playbook, int64_t *changed)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	*changed = 0;
	st = db_stmt(db, SQL_F_OPEN_REARM, __func__);
	if (st == NULL)
		goto out;
	db_bind_text(st, 1, playbook, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
	if (rc == FX_OK)
		*changed = sqlite3_changes(db->h);
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_finding_set_message(struct db *db, int64_t id, const char *channel,
    const char *ts, const char *owner_slack_id)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_EDB;
	int e = SQLITE_OK;

	st = db_stmt(db, SQL_F_SET_MESSAGE, __func__);
	if (st == NULL)
		goto out;
	db_bind_int64(st, 1, id, &e);
	db_bind_text(st, 2, channel, &e);
	db_bind_text(st, 3, ts, &e);
	db_bind_text(st, 4, owner_slack_id, &e);
	if (e != SQLITE_OK) {
		rc = db_fail(db, __func__, e);
		goto out;
	}
	rc = db_step_done(db, st, __func__);
	if (rc == FX_OK && sqlite3_changes(db->h) == 0)
		rc = FX_ENOTFOUND;
out:
	db_stmt_done(st);
	return rc;
}

fx_err
db_finding_ids_due(struct db *db, enum due_kind k, int64_t now, size_t max,
    int64_t **ids, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int64_t *v = NULL, *nv;
	size_t len = 0, alloc = 0;
	fx_err rc = FX_OK;
	int e = SQLITE_OK, src;

	if ((unsigned)k > DUE_UNDO) {
		rc = FX_EINVAL;
		goto out;
	}
	if (max == 0)
		goto out;
	st = db_stmt(db, (enum db_sql)(SQL_DUE_EXPIRED_EXC + (int)k),
	    __func__);
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
			alloc = alloc ? alloc * 2 : 16;
			nv = realloc(v, alloc * sizeof(*v));
			if (nv == NULL) {
				rc = FX_ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[len++] = sqlite3_column_int64(st, 0);
	}
	if (src != SQLITE_DONE)
		rc = db_fail(db, __func__, src);
out:
	db_stmt_done(st);
	if (rc != FX_OK) {
		free(v);
		v = NULL;
		len = 0;
	}
	*ids = v;
	*n = len;
	return rc;
}
