/*
 * db_kept.c - the kept counts of findings by (playbook, state, account)
 * (schema v12's finding_counts) and the kept savings by (playbook,
 * account) (v15's finding_savings), kept by the code that writes a
 * finding, in the same transaction and savepoint as the write.
 *
 * v12 and v15 kept them with triggers on findings. A trigger makes every
 * insert and update of a finding a statement that writes two tables, and
 * SQLite journals such a statement page by page so that it can undo it
 * alone; within a batch that journal spills to a temporary file: 78 KB
 * written per ingested finding, 40 % of the writer's time (issue 14).
 * v17 dropped the triggers: the only writes of a finding's state or
 * prior state are db_finding_insert and db_finding_update (which builds
 * the update of the changed columns itself; playbook and account are the
 * unique key and never change), and they call here; test_db_counts
 * checks that no statement of db_sql.c but the insert writes those
 * columns, and that the counts equal a recount after every kind of
 * write.
 *
 * In a transaction the deltas wait in a log written at commit (their
 * sums); outside one they are written at once. A rolled back savepoint
 * or transaction takes its deltas back with it.
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "banned.h"

static fx_err
kept_row(sqlite3_stmt *st, void *ctx)
{
	struct db_kept *k = ctx;
	const unsigned char *state = sqlite3_column_text(st, 0);
	int s = state != NULL ? fstate_parse((const char *)state) : -1;

	if (s < 0 || s >= FS__COUNT)
		return FX_EINVAL;
	k->state = (enum fstate)s;
	k->saved = sqlite3_column_int(st, 1) != 0;
	k->cents = k->saved ? sqlite3_column_int64(st, 2) : 0;
	k->unknown = k->saved && sqlite3_column_int(st, 3) != 0;
	return FX_OK;
}

/* finding id's place as stored, its saving read by SQLite's JSON
 * functions */
static fx_err
kept_read(struct db *db, int64_t id, struct db_kept *k)
{
	memset(k, 0, sizeof(*k));
	return db_get(db, SQL_F_KEPT, DB_ARGS(DB_INT(id)), kept_row, k,
	    __func__);
}

/*
 * In a transaction the deltas are logged, not written: db_commit writes
 * their sums (one statement per key touched, not two or three per
 * write of a finding); a rolled back savepoint cuts the log back to
 * where it started. Outside one (autocommit) they are written at once.
 */
static fx_err
log_add(struct db *db, const struct finding *f, const struct db_kept *k,
    int sign)
{
	struct db_kept_log *l = &db->klog;
	struct db_kept_delta *d;
	size_t n;

	if (l->len == l->alloc) {
		n = l->alloc ? l->alloc * 2 : 256;
		d = realloc(l->v, n * sizeof(*d));
		if (d == NULL)
			return FX_ENOMEM;
		l->v = d;
		l->alloc = n;
	}
	d = &l->v[l->len];
	memset(d, 0, sizeof(*d));
	d->playbook = strdup(f->playbook);
	d->account_id = strdup(f->account_id);
	if (d->playbook == NULL || d->account_id == NULL) {
		free(d->playbook);
		free(d->account_id);
		return FX_ENOMEM;
	}
	d->state = k->state;
	d->n = sign;
	if (k->saved) {
		d->cents = sign * k->cents;
		d->fixes = sign;
		d->unknown = sign * k->unknown;
	}
	l->len++;
	return FX_OK;
}

/* n more (or fewer) findings of (playbook, account, state); a row that
 * falls to 0 goes */
static fx_err
count_add(struct db *db, const char *playbook, const char *account,
    enum fstate state, int64_t n)
{
	const char *st = fstate_name(state);
	fx_err rc;

	if (n == 0)
		return FX_OK;
	rc = db_run(db, SQL_KEPT_COUNT,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(st), DB_TEXT(account),
		DB_INT(n)),
	    __func__);
	if (rc == FX_OK && n < 0)
		rc = db_run(db, SQL_KEPT_COUNT_PRUNE,
		    DB_ARGS(DB_TEXT(playbook), DB_TEXT(st), DB_TEXT(account)),
		    __func__);
	return rc;
}

/* a saving delta of (playbook, account); sums that cancel (fixed and
 * undone in one batch) write nothing: no row of zeros */
static fx_err
saving_add(struct db *db, const char *playbook, const char *account,
    int64_t cents, int64_t fixes, int64_t unknown)
{
	fx_err rc;

	if (cents == 0 && fixes == 0 && unknown == 0)
		return FX_OK;
	rc = db_run(db, SQL_KEPT_SAVING,
	    DB_ARGS(DB_TEXT(playbook), DB_TEXT(account), DB_INT(cents),
		DB_INT(fixes), DB_INT(unknown)),
	    __func__);
	if (rc == FX_OK && fixes < 0)
		rc = db_run(db, SQL_KEPT_SAVING_PRUNE,
		    DB_ARGS(DB_TEXT(playbook), DB_TEXT(account)), __func__);
	return rc;
}

/* add (sign 1) or take back (sign -1) the place k of f's key */
static fx_err
kept_apply(struct db *db, const struct finding *f, const struct db_kept *k,
    int sign)
{
	fx_err rc;

	if (!sqlite3_get_autocommit(db->h))
		return log_add(db, f, k, sign);
	rc = count_add(db, f->playbook, f->account_id, k->state, sign);
	if (rc == FX_OK && k->saved)
		rc = saving_add(db, f->playbook, f->account_id, sign * k->cents,
		    sign, sign * k->unknown);
	return rc;
}

/* by (playbook, account): a pair's deltas adjacent once sorted */
static int
pair_cmp(const struct db_kept_delta *x, const struct db_kept_delta *y)
{
	int c = strcmp(x->playbook, y->playbook);

	return c != 0 ? c : strcmp(x->account_id, y->account_id);
}

/* then by state */
static int
delta_cmp(const void *a, const void *b)
{
	const struct db_kept_delta *x = a, *y = b;
	int c = pair_cmp(x, y);

	return c != 0 ? c : (int)x->state - (int)y->state;
}

static void
log_cut(struct db_kept_log *l, size_t len)
{
	while (l->len > len) {
		l->len--;
		free(l->v[l->len].playbook);
		free(l->v[l->len].account_id);
	}
}

/*
 * The sums by (playbook, account, state): a count each, and the savings
 * by (playbook, account), summed over its states' runs (sorted: a pair's
 * states are adjacent).
 */
fx_err
db_kept_flush(struct db *db)
{
	struct db_kept_log *l = &db->klog;
	struct db_kept_delta *d, *e;
	int64_t n, cents = 0, fixes = 0, unknown = 0;
	size_t i, j;
	fx_err rc = FX_OK;

	if (l->len > 1)
		qsort(l->v, l->len, sizeof(*l->v), delta_cmp);
	for (i = 0; rc == FX_OK && i < l->len; i = j) {
		d = &l->v[i];
		n = 0;
		for (j = i; j < l->len && delta_cmp(d, &l->v[j]) == 0; j++) {
			e = &l->v[j];
			n += e->n;
			cents += e->cents;
			fixes += e->fixes;
			unknown += e->unknown;
		}
		rc = count_add(db, d->playbook, d->account_id, d->state, n);
		/* the pair's saving, once its last state is counted */
		if (rc != FX_OK || (j < l->len && pair_cmp(d, &l->v[j]) == 0))
			continue;
		rc = saving_add(db, d->playbook, d->account_id, cents, fixes,
		    unknown);
		cents = fixes = unknown = 0;
	}
	db_kept_discard(db);
	return rc;
}

void
db_kept_discard(struct db *db)
{
	log_cut(&db->klog, 0);
	db->klog.nmarks = 0;
}

fx_err
db_kept_mark(struct db *db, int began)
{
	struct db_kept_log *l = &db->klog;

	if (l->nmarks == DB_KEPT_MARKS)
		return FX_ETOOBIG;
	l->marks[l->nmarks].len = l->len;
	l->marks[l->nmarks].began = began;
	l->nmarks++;
	return FX_OK;
}

int
db_kept_unmark(struct db *db, int rollback)
{
	struct db_kept_log *l = &db->klog;

	if (l->nmarks == 0)
		return 0;
	l->nmarks--;
	if (rollback)
		log_cut(l, l->marks[l->nmarks].len);
	return l->marks[l->nmarks].began;
}

void
db_kept_free(struct db *db)
{
	db_kept_discard(db);
	free(db->klog.v);
	memset(&db->klog, 0, sizeof(db->klog));
}

fx_err
db_kept_of(struct db *db, int64_t id, enum fstate stored, struct db_kept *k)
{
	if (stored == FS_FIXED)
		return kept_read(db, id, k);
	memset(k, 0, sizeof(*k));
	k->state = stored;
	return FX_OK;
}

fx_err
db_kept_count(struct db *db, const struct db_kept *before,
    const struct finding *f)
{
	struct db_kept now;
	fx_err rc;

	/* a fixed finding's saving is in its prior state's JSON: read back
	 * as SQLite's JSON functions see it */
	memset(&now, 0, sizeof(now));
	now.state = f->state;
	if (f->state == FS_FIXED && (rc = kept_read(db, f->id, &now)) != FX_OK)
		return rc;
	if (before != NULL && before->state == now.state &&
	    before->saved == now.saved && before->cents == now.cents &&
	    before->unknown == now.unknown)
		return FX_OK;
	if (before != NULL && (rc = kept_apply(db, f, before, -1)) != FX_OK)
		return rc;
	return kept_apply(db, f, &now, 1);
}
