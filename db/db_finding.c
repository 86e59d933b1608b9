/*
 * db_finding.c - the findings table: read, insert, update, the timer
 * queries, and a finding as JSON.
 */
#include <stdint.h>
#include <stdio.h>
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

/* sets a time in a finding's JSON: db_json_iso or db_json_unix */
typedef void (*time_fn)(json_t *o, const char *key, int64_t t, fx_err *err);

/* the finding's keys, times set by put_time */
static json_t *
finding_json(const struct finding *f, time_fn put_time)
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
	put_time(o, "first_seen", f->first_seen, &err);
	put_time(o, "last_seen", f->last_seen, &err);
	put_time(o, "observed_at", f->observed_at, &err);
	put_time(o, "notified_at", f->notified_at, &err);
	put_time(o, "deadline", f->deadline, &err);
	put_time(o, "excepted_until", f->excepted_until, &err);
	db_json_int(o, "attempts", f->attempts, &err);
	db_json_str(o, "last_error", f->last_error, &err);
	if (f->prior_state != NULL)
		prior = json_loads(f->prior_state, JSON_DECODE_ANY, NULL);
	db_json_set(o, "prior_state", prior ? prior : json_null(), &err);
	db_json_str(o, "slack_channel", f->slack_channel, &err);
	db_json_str(o, "slack_ts", f->slack_ts, &err);
	db_json_set(o, "notify_only", json_boolean(f->notify_only), &err);
	if (err != FX_OK) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
finding_to_json(const struct finding *f)
{
	return finding_json(f, db_json_iso);
}

json_t *
db_finding_to_model(const struct finding *f)
{
	return finding_json(f, db_json_unix);
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
	f->notify_only = sqlite3_column_int(st, c + 29) != 0;
	if (err == FX_OK && s < 0)
		err = FX_EDB; /* the CHECK constraint makes this unreachable */
	if (err != FX_OK)
		finding_release(f);
	return err;
}

static fx_err
finding_row(sqlite3_stmt *st, void *out)
{
	return db_finding_from_row(st, 0, out);
}

fx_err
db_finding_get(struct db *db, int64_t id, struct finding *out)
{
	memset(out, 0, sizeof(*out));
	return db_get(db, SQL_F_GET, DB_ARGS(DB_INT(id)), finding_row, out,
	    __func__);
}

fx_err
db_finding_find(struct db *db, const char *playbook, const char *account,
    const char *region, const char *resource, struct finding *out)
{
	memset(out, 0, sizeof(*out));
	if (playbook == NULL || account == NULL || region == NULL ||
	    resource == NULL)
		return FX_EINVAL;
	return db_get(db, SQL_F_FIND,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(account), DB_TEXT(region),
		DB_TEXT(resource)),
	    finding_row, out, __func__);
}

static int
finding_valid(const struct finding *f)
{
	return (unsigned)f->state < FS__COUNT && f->playbook != NULL &&
	       f->account_id != NULL && f->region != NULL &&
	       f->resource_id != NULL && f->title != NULL;
}

/* the columns of a finding, in struct (and FCOLS) order */
static const char *const fcol[DB_FINDING_NCOLS] = {
	"id",
	"playbook",
	"account_id",
	"region",
	"resource_id",
	"resource_arn",
	"owner_email",
	"owner_slack_id",
	"title",
	"details",
	"state",
	"first_seen",
	"last_seen",
	"observed_at",
	"notified_at",
	"deadline",
	"reminder_sent",
	"excepted_until",
	"exc_pending",
	"lease_until",
	"lease_token",
	"attempts",
	"next_attempt_at",
	"undo_requested_by",
	"prior_state",
	"last_error",
	"slack_channel",
	"slack_ts",
	"updated_at",
	"notify_only",
};

#define COL(i) (UINT32_C(1) << (i))
/* what an update may write: all but id, the unique key and first_seen */
#define COLS_MUTABLE                                                           \
	(((COL(DB_FINDING_NCOLS) - 1) &                                        \
	    ~(COL(0) | COL(1) | COL(2) | COL(3) | COL(4) | COL(11))))
/* what a state machine step changes (struct finding's steps_only) */
#define COLS_STEPS                                                             \
	(COL(10) | COL(14) | COL(15) | COL(16) | COL(17) | COL(18) | COL(19) | \
	    COL(20) | COL(21) | COL(22) | COL(23) | COL(24) | COL(25) |        \
	    COL(28))

/* f as the values of its columns: column i is v[i] */
static void
finding_vals(const struct finding *f, struct db_val v[DB_FINDING_NCOLS])
{
	const struct db_val vals[] = {
		DB_INT(f->id),
		DB_TEXT(f->playbook),
		DB_TEXT(f->account_id),
		DB_TEXT(f->region),
		DB_TEXT(f->resource_id),
		DB_TEXT(f->resource_arn),
		DB_TEXT(f->owner_email),
		DB_TEXT(f->owner_slack_id),
		DB_TEXT(f->title),
		DB_TEXT(f->details ? f->details : "{}"),
		DB_TEXT(fstate_name(f->state)),
		DB_INT(f->first_seen),
		DB_INT(f->last_seen),
		DB_TIME(f->observed_at),
		DB_TIME(f->notified_at),
		DB_TIME(f->deadline),
		DB_INT(f->reminder_sent ? 1 : 0),
		DB_TIME(f->excepted_until),
		DB_TIME(f->exc_pending),
		DB_TIME(f->lease_until),
		DB_TIME(f->lease_token),
		DB_INT(f->attempts),
		DB_TIME(f->next_attempt_at),
		DB_TEXT(f->undo_requested_by),
		DB_TEXT(f->prior_state),
		DB_TEXT(f->last_error),
		DB_TEXT(f->slack_channel),
		DB_TEXT(f->slack_ts),
		DB_INT(f->updated_at),
		DB_INT(f->notify_only ? 1 : 0),
	};

	_Static_assert(sizeof(vals) / sizeof(vals[0]) == DB_FINDING_NCOLS,
	    "one value per column");
	_Static_assert(sizeof(fcol) / sizeof(fcol[0]) == DB_FINDING_NCOLS,
	    "one name per column");
	memcpy(v, vals, sizeof(vals));
}

/* column i of the row st holds v (a time 0 is NULL) */
static int
col_same(sqlite3_stmt *st, int i, const struct db_val *v)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return v->type == DBV_TEXT ? v->s == NULL
					   : v->type == DBV_TIME && v->i == 0;
	if (v->type != DBV_TEXT)
		return sqlite3_column_int64(st, i) == v->i;
	t = sqlite3_column_text(st, i);
	return v->s != NULL && t != NULL && strcmp((const char *)t, v->s) == 0;
}

/* what an update of f finds in the stored row */
struct update_ctx {
	const struct db_val *now; /* f's values */
	uint32_t may;		  /* the columns it may write */
	uint32_t mask;		  /* out: those that differ */
	int state;		  /* out: the stored state */
	int moved;		  /* out: f names another playbook or account */
};

/* the row (SQL_F_GET) compared in place, nothing copied */
static fx_err
update_row(sqlite3_stmt *st, void *arg)
{
	struct update_ctx *u = arg;
	const unsigned char *state = sqlite3_column_text(st, 10);
	unsigned i;

	u->moved = !col_same(st, 1, &u->now[1]) || !col_same(st, 2, &u->now[2]);
	u->state = state != NULL ? fstate_parse((const char *)state) : -1;
	for (i = 0; i < DB_FINDING_NCOLS; i++)
		if ((u->may & COL(i)) && !col_same(st, (int)i, &u->now[i]))
			u->mask |= COL(i);
	return FX_OK;
}

/*
 * The update of the columns in mask, each column i as parameter i + 1 and
 * the id as ?1: one statement per set of columns, prepared once and kept
 * (a few sets occur: the steps of each transition, a re-report). SQLite
 * rewrites an index when the update assigns one of its columns, changed
 * or not: a notify's deadline written with the whole row rewrote the
 * finding's twelve index entries (48 us), alone it rewrites two.
 */
static sqlite3_stmt *
update_stmt(struct db *db, uint32_t mask, const char *fn)
{
	char sql[1024];
	size_t n, len;
	unsigned i, k;
	int rc;

	for (k = 0; k < DB_UPD_CACHE; k++)
		if (db->upd[k].st != NULL && db->upd[k].mask == mask)
			return db->upd[k].st;
	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE findings SET ");
	for (i = 0; i < DB_FINDING_NCOLS; i++) {
		if (!(mask & COL(i)))
			continue;
		n = (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s = ?%u",
		    len > 20 ? ", " : "", fcol[i], i + 1);
		len += n;
		if (len >= sizeof(sql))
			return NULL; /* not with these names */
	}
	if ((size_t)snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?1") >=
	    sizeof(sql) - len)
		return NULL;
	k = db->upd_next++ % DB_UPD_CACHE;
	sqlite3_finalize(db->upd[k].st);
	db->upd[k].st = NULL;
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &db->upd[k].st, NULL);
	if (rc != SQLITE_OK) {
		db->upd[k].st = NULL;
		(void)db_fail(db, fn, rc);
		return NULL;
	}
	db->upd[k].mask = mask;
	return db->upd[k].st;
}

static fx_err
update_cols(struct db *db, uint32_t mask, const struct db_val *v)
{
	sqlite3_stmt *st;
	unsigned i;
	int src = SQLITE_OK;
	fx_err rc;

	st = update_stmt(db, mask, __func__);
	if (st == NULL)
		return FX_EDB;
	for (i = 0; i < DB_FINDING_NCOLS && src == SQLITE_OK; i++)
		if (i == 0 || (mask & COL(i)))
			src = db_bind_val(st, (int)i + 1, &v[i]);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_DONE)
		rc = sqlite3_changes(db->h) == 1 ? FX_OK : FX_ENOTFOUND;
	else
		rc = db_fail(db, __func__, src);
	db_stmt_done(st);
	return rc;
}

/* the only writes of a finding's state and prior state: each keeps the
 * counts and savings (db_kept.c) */
fx_err
db_finding_insert(struct db *db, struct finding *f)
{
	struct db_val v[DB_FINDING_NCOLS];
	fx_err rc;

	if (!finding_valid(f))
		return FX_EINVAL;
	finding_vals(f, v);
	rc = db_write(db, SQL_F_INSERT, DB_ARGV(v), &f->id, __func__);
	if (rc == FX_OK)
		rc = db_kept_count(db, NULL, f);
	return rc;
}

/*
 * Writes the columns whose values differ from the stored row's (of the
 * step columns only when f->steps_only: the report and the message are
 * left as they are).
 */
fx_err
db_finding_update(struct db *db, const struct finding *f)
{
	struct db_val now[DB_FINDING_NCOLS];
	struct update_ctx u;
	struct db_kept before;
	fx_err rc;

	if (!finding_valid(f))
		return FX_EINVAL;
	finding_vals(f, now);
	memset(&u, 0, sizeof(u));
	u.now = now;
	u.may = f->steps_only ? COLS_STEPS : COLS_MUTABLE;
	rc = db_get(db, SQL_F_GET, DB_ARGS(DB_INT(f->id)), update_row, &u,
	    __func__);
	if (rc != FX_OK)
		return rc;
	/* the kept rows are keyed by these: an update cannot move them */
	if (u.moved || u.state < 0 || u.state >= FS__COUNT)
		return FX_EINVAL;
	rc = db_kept_of(db, f->id, (enum fstate)u.state, &before);
	if (rc == FX_OK && u.mask != 0)
		rc = update_cols(db, u.mask, now);
	if (rc == FX_OK)
		rc = db_kept_count(db, &before, f);
	return rc;
}

fx_err
db_open_rearm(struct db *db, const char *playbook, size_t max, int64_t *changed)
{
	fx_err rc;

	*changed = 0;
	rc = db_run(db, SQL_F_OPEN_REARM,
	    DB_ARGS(DB_TEXT(playbook), DB_INT(db_limit(max))), __func__);
	if (rc == FX_OK)
		*changed = sqlite3_changes(db->h);
	return rc;
}

/* the owner's Slack id, written only when it changes */
static fx_err
db_finding_set_owner(struct db *db, int64_t id, const char *owner_slack_id)
{
	if (owner_slack_id == NULL)
		return FX_EINVAL;
	return db_run(db, SQL_F_SET_OWNER,
	    DB_ARGS(DB_INT(id), DB_TEXT(owner_slack_id)), __func__);
}

fx_err
db_finding_set_message(struct db *db, int64_t id, const char *channel,
    const char *ts, const char *owner_slack_id)
{
	fx_err rc;

	rc = db_write(db, SQL_F_SET_MESSAGE,
	    DB_ARGS(DB_INT(id), DB_TEXT(channel), DB_TEXT(ts)), NULL, __func__);
	if (rc == FX_OK && owner_slack_id != NULL)
		rc = db_finding_set_owner(db, id, owner_slack_id);
	return rc;
}

fx_err
db_finding_set_reminder(struct db *db, int64_t id, const char *ts)
{
	return db_write(db, SQL_F_SET_REMINDER,
	    DB_ARGS(DB_INT(id), DB_TEXT(ts)), NULL, __func__);
}

static fx_err
text_row(sqlite3_stmt *st, void *ctx)
{
	fx_err err = FX_OK;

	*(char **)ctx = db_col_text(st, 0, &err);
	return err;
}

fx_err
db_finding_get_reminder(struct db *db, int64_t id, char **ts)
{
	*ts = NULL;
	return db_get(db, SQL_F_GET_REMINDER, DB_ARGS(DB_INT(id)), text_row, ts,
	    __func__);
}

static fx_err
id_row(sqlite3_stmt *st, void *vec)
{
	int64_t *id;

	id = db_vec_push(vec);
	if (id == NULL)
		return FX_ENOMEM;
	*id = sqlite3_column_int64(st, 0);
	return FX_OK;
}

/* hand the collected ids over, or none on error */
static fx_err
ids_done(struct db_vec *vec, fx_err rc, int64_t **ids, size_t *n)
{
	if (rc != FX_OK) {
		free(vec->v);
		vec->v = NULL;
		vec->len = 0;
	}
	*ids = vec->v;
	*n = vec->len;
	return rc;
}

fx_err
db_finding_ids_due(struct db *db, enum due_kind k, int64_t now, size_t max,
    int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if ((unsigned)k > DUE_UNDO)
		rc = FX_EINVAL;
	else if (max > 0)
		rc = db_each(db, (enum db_sql)(SQL_DUE_EXPIRED_EXC + (int)k),
		    DB_ARGS(DB_INT(now), DB_INT(db_limit(max))), id_row, &vec,
		    __func__);
	return ids_done(&vec, rc, ids, n);
}

fx_err
db_finding_ids_pending_exc(struct db *db, int64_t before, size_t max,
    int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if (max > 0)
		rc = db_each(db, SQL_EXC_PENDING_BEFORE,
		    DB_ARGS(DB_INT(before), DB_INT(db_limit(max))), id_row,
		    &vec, __func__);
	return ids_done(&vec, rc, ids, n);
}

fx_err
db_finding_ids_remind(struct db *db, int64_t now, int64_t until, size_t max,
    int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if (max > 0)
		rc = db_each(db, SQL_DUE_REMIND_UNTIL,
		    DB_ARGS(DB_INT(now), DB_INT(db_limit(max)), DB_INT(until)),
		    id_row, &vec, __func__);
	return ids_done(&vec, rc, ids, n);
}

fx_err
db_finding_ids_deadline(struct db *db, int64_t now, const json_t *playbooks,
    size_t max, int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if (max > 0 && playbooks != NULL)
		rc = db_each(db, SQL_DUE_DEADLINE_LIVE,
		    DB_ARGS(DB_INT(now), DB_INT(db_limit(max)),
			DB_JSON(playbooks)),
		    id_row, &vec, __func__);
	return ids_done(&vec, rc, ids, n);
}

fx_err
db_finding_ids_rehearsed(struct db *db, const char *playbook, int64_t after,
    size_t max, int64_t **ids, size_t *n)
{
	struct db_vec vec = DB_VEC_INIT(sizeof(int64_t));
	fx_err rc = FX_OK;

	if (max > 0)
		rc = db_each(db, SQL_F_REHEARSED,
		    DB_ARGS(DB_TEXT(playbook), DB_INT(db_limit(max)),
			DB_INT(after)),
		    id_row, &vec, __func__);
	return ids_done(&vec, rc, ids, n);
}
