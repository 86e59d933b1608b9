/*
 * db_int.h - private to db/: the connection struct, the prepared statement
 * cache and the helpers the db_*.c files share. Nothing outside db/ (except
 * the db unit tests) includes it.
 *
 * Every statement of the project is a row of db_sql_text[] (db_sql.c),
 * prepared on first use and kept for the life of the connection. A caller
 * runs it through db_run() or one of its siblings below, which take it with
 * db_stmt(), bind, step, and end with db_stmt_done() (reset + clear
 * bindings) on every path.
 */
#ifndef FIXIT_DB_INT_H
#define FIXIT_DB_INT_H

#include <sqlite3.h>

#include "db.h"

#define DB_LIST_DEFAULT 100  /* db_findings_list limit 0 */
#define DB_LIST_MAX	1000 /* db_findings_list largest page */

/* the statements; the SQL text is db_sql_text[id] */
enum db_sql {
	SQL_BEGIN = 0,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_SAVEPOINT,
	SQL_RELEASE,
	SQL_ROLLBACK_TO,
	SQL_USER_VERSION,
	SQL_BEGIN_READ,
	SQL_F_GET,
	SQL_F_FIND,
	SQL_F_INSERT,
	SQL_F_SET_MESSAGE,
	SQL_F_OPEN_REARM,
	SQL_F_REHEARSED,
	/* in enum due_kind order */
	SQL_DUE_EXPIRED_EXC,
	SQL_DUE_OPEN,
	SQL_DUE_REMINDER,
	SQL_DUE_DEADLINE,
	SQL_DUE_CLAIMABLE,
	SQL_DUE_UNDO,
	SQL_DUE_REMIND_UNTIL,
	SQL_AUDIT_ADD,
	SQL_AUDIT_COUNT_PB,
	SQL_EXC_INSERT,
	SQL_EXC_GET,
	SQL_EXC_UPDATE,
	SQL_OUTBOX_ADD,
	SQL_OUTBOX_DUE,
	SQL_OUTBOX_SENT,
	SQL_OUTBOX_RETRY,
	SQL_OUTBOX_DEAD,
	SQL_OUTBOX_DEPTH,
	SQL_SLACK_USER_GET,
	SQL_SLACK_USER_PUT,
	SQL_PAUSE_SET,
	SQL_PAUSE_CLEAR,
	SQL_PAUSED,
	SQL_PAUSE_LIST,
	SQL_COUNTS,
	SQL_SHOW_HISTORY,
	SQL_SHOW_EXCEPTIONS,
	SQL_DUE_LIST,
	SQL_FAILED_LIST,
	SQL_EXC_LIST,
	SQL_FINDINGS_LIST,
	SQL_SCAN_ADD,
	SQL_SCAN_LAST,
	SQL_F_ACTIVE_RES,
	SQL_EV_ADD,
	SQL_EV_PENDING,
	SQL_EV_DONE,
	SQL_EV_LAUNCHES,
	SQL_EV_COUNTS,
	SQL_OUTBOX_PURGE,
	SQL_EV_PURGE,
	SQL_PROV_FIXED,
	SQL_KEY_SET,
	SQL_KEY_GET,
	SQL_HOLD_ADD,
	SQL_HOLD_FIND,
	SQL_LEDGER_ADD,
	SQL_LEDGER_COUNT_PB,
	SQL_LEDGER_COUNT_ACCOUNT,
	SQL_LEDGER_COUNT_ALL,
	SQL_LEDGER_LAST_PB,
	SQL_EXC_PENDING_BEFORE,
	SQL_OUTBOX_MODALS,
	SQL_OWNER_OPEN,
	SQL_OWNER_OPEN_COUNT,
	SQL_EXC_PENDING_LIST,
	SQL_F_SET_REMINDER,
	SQL_F_GET_REMINDER,
	SQL_EXC_FP_SET,
	SQL_EXC_FP_GET,
	SQL_FP_COUNTS,
	SQL_AUDIT_COUNT_F,
	SQL_EXC_TO_REMIND,
	SQL_EXC_TO_ESCALATE,
	SQL_EXC_SET_ADMIN_MSG,
	SQL_EXC_SET_REMIND_MSG,
	SQL_EXC_SET_ESCALATE_MSG,
	SQL_EXC_SET_REMINDED,
	SQL_EXC_SET_ESCALATED,
	SQL_EXC_MSGS,
	/* db_told.c: the owner told first, the outbox's health */
	SQL_DUE_DEADLINE_LIVE,
	SQL_OUTBOX_SAID,
	SQL_OUTBOX_ADD_AT,
	SQL_OUTBOX_OLDEST,
	SQL_F_WAITING_TOLD,
	SQL_HB_SET,
	SQL_HB_GET,
	/* issue 14: scans' retention; the listing, one statement per filter
	 * shape (S state, P playbook, A account; SQL_FINDINGS_LIST: none);
	 * the last scan of each pair, kept */
	SQL_SCAN_PURGE,
	SQL_FINDINGS_LIST_S,
	SQL_FINDINGS_LIST_P,
	SQL_FINDINGS_LIST_A,
	SQL_FINDINGS_LIST_SP,
	SQL_FINDINGS_LIST_SA,
	SQL_FINDINGS_LIST_PA,
	SQL_FINDINGS_LIST_SPA,
	SQL_SCAN_LAST_SET,
	SQL_SCAN_LAST_PURGE,
	/* issue 16: when a watching playbook first saw a resource */
	SQL_SEEN_LIST,
	SQL_SEEN_ADD,
	SQL_SEEN_DEL,
	/* issue 16: the kept savings (schema v15), by playbook and the
	 * accounts that saved most */
	SQL_SAVINGS_PB,
	SQL_SAVINGS_ACCOUNTS,
	SQL_CREATORS,
	/* schema v17: the kept counts and savings, by the writer (db_kept.c) */
	SQL_F_KEPT,
	SQL_KEPT_COUNT,
	SQL_KEPT_COUNT_PRUNE,
	SQL_KEPT_SAVING,
	SQL_KEPT_SAVING_PRUNE,
	SQL_F_SET_OWNER,
	SQL__COUNT
};
extern const char *const db_sql_text[SQL__COUNT];

/* migration i takes PRAGMA user_version from i to i + 1 (db_schema.c) */
extern const char *const db_migrations[];
extern const int db_nmigrations;

/* the columns of struct finding, in that order, table alias f */
#define DB_FINDING_NCOLS 30
/* the columns of struct exception_rec, in that order, table alias e */
#define DB_EXC_NCOLS	 10

/* the kept rows' deltas of the open transaction (db_kept.c) */
struct db_kept_delta {
	char *playbook, *account_id;
	enum fstate state;
	int64_t n; /* the count of (playbook, account, state) */
	int64_t cents, fixes, unknown; /* the saving of (playbook, account) */
};
#define DB_KEPT_MARKS 16
struct db_kept_log {
	struct db_kept_delta *v;
	size_t len, alloc;
	struct {
		size_t len; /* the log's length at the savepoint */
		int began;  /* the savepoint began the transaction */
	} marks[DB_KEPT_MARKS];
	int nmarks;
};

/* the updates of a finding's changed columns kept prepared (db_finding.c) */
#define DB_UPD_CACHE 24

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[SQL__COUNT];
	struct {
		uint32_t mask; /* the columns it sets */
		sqlite3_stmt *st;
	} upd[DB_UPD_CACHE];
	unsigned upd_next; /* the next to replace */
	struct db_kept_log klog;
	char err[256];	/* the last failure's message */
	int wal_frames; /* the WAL's length after the last commit */
};

/* the cached statement, prepared on first use; NULL on failure (logged) */
sqlite3_stmt *db_stmt(struct db *db, enum db_sql id, const char *fn);
/* bind v as parameter i of st: an SQLite result code */
struct db_val;
int db_bind_val(sqlite3_stmt *st, int i, const struct db_val *v);
/* reset and clear bindings; accepts NULL */
void db_stmt_done(sqlite3_stmt *st);
/* record and log a SQLite failure (rc: the SQLite code); returns FX_EDB */
fx_err db_fail(struct db *db, const char *fn, int rc);

/*
 * The values bound to a statement's parameters, built in place:
 *	db_run(db, SQL_X, DB_ARGS(DB_INT(id), DB_TEXT(name)), __func__);
 * binds id as ?1 and name as ?2. Text is copied (SQLITE_TRANSIENT);
 * NULL text, NULL JSON and time 0 bind SQL NULL.
 */
enum db_vtype { DBV_INT, DBV_TIME, DBV_TEXT, DBV_JSON };
struct db_val {
	enum db_vtype type;
	int64_t i;	 /* DBV_INT, DBV_TIME */
	const char *s;	 /* DBV_TEXT, borrowed */
	const json_t *j; /* DBV_JSON, borrowed: bound as compact text */
};
struct db_args {
	const struct db_val *v; /* v[i] is parameter ?i+1 */
	size_t n;
};
#define DB_INT(x)    ((struct db_val){ .type = DBV_INT, .i = (x) })
#define DB_TIME(x)   ((struct db_val){ .type = DBV_TIME, .i = (x) })
#define DB_TEXT(x)   ((struct db_val){ .type = DBV_TEXT, .s = (x) })
#define DB_JSON(x)   ((struct db_val){ .type = DBV_JSON, .j = (x) })
/* arr: an array of struct db_val (not a pointer) */
#define DB_ARGV(arr) ((struct db_args){ (arr), sizeof(arr) / sizeof((arr)[0]) })
#define DB_ARGS(...) DB_ARGV(((const struct db_val[]){ __VA_ARGS__ }))
#define DB_NOARGS    ((struct db_args){ NULL, 0 })

/* reads the current row into ctx; anything but FX_OK stops the walk */
typedef fx_err (*db_row_fn)(sqlite3_stmt *st, void *ctx);
/* the current row as a new JSON value; on failure *rc is set and the
 * caller json_decref()s whatever came back */
typedef json_t *(*db_json_row_fn)(sqlite3_stmt *st, fx_err *rc);

/*
 * Run statement id with a bound, then reset it; fn names the caller in
 * the log. A statement that cannot be prepared or bound, or a SQLite
 * failure while stepping, is FX_EDB (logged through db_fail); a row
 * reader's own failure comes back as it is.
 */
/* a statement returning no row */
fx_err db_run(struct db *db, enum db_sql id, struct db_args a, const char *fn);
/* an INSERT or UPDATE: FX_ENOTFOUND when it changed no row; *rowid (may
 * be NULL) gets the last inserted row id */
fx_err db_write(struct db *db, enum db_sql id, struct db_args a, int64_t *rowid,
    const char *fn);
/* a statement returning one integer row (a count, a flag) */
fx_err db_count(struct db *db, enum db_sql id, struct db_args a, int64_t *count,
    const char *fn);
/* at most one row, read by row(st, ctx); FX_ENOTFOUND when there is none */
fx_err db_get(struct db *db, enum db_sql id, struct db_args a, db_row_fn row,
    void *ctx, const char *fn);
/* every row, each read by row(st, ctx) */
fx_err db_each(struct db *db, enum db_sql id, struct db_args a, db_row_fn row,
    void *ctx, const char *fn);
/* every row, each made an element by row(), as a new array in *out
 * (NULL on failure) */
fx_err db_json_rows(struct db *db, enum db_sql id, struct db_args a,
    db_json_row_fn row, json_t **out, const char *fn);

/* a growing array of elements of one size, for multi-row results */
struct db_vec {
	void *v; /* owned: free() */
	size_t len, alloc, size;
};
#define DB_VEC_INIT(elsize)                                                    \
	{                                                                      \
		NULL, 0, 0, (elsize)                                           \
	}
/* a new element at the end (counted in len, not initialized); NULL when
 * out of memory */
void *db_vec_push(struct db_vec *vec);

/* a size as a LIMIT value */
int64_t db_limit(size_t n);
/* a copy of a text column, NULL for SQL NULL; *err FX_ENOMEM on failure */
char *db_col_text(sqlite3_stmt *st, int i, fx_err *err);
/* a text column parsed as JSON; NULL for SQL NULL or bad JSON */
json_t *db_col_json(sqlite3_stmt *st, int i);

/*
 * The kept counts and savings (db_kept.c): a finding's place in them.
 * db_kept_of: the place of finding id as stored, in state stored (read
 * before an update);
 * db_kept_count, after f's insert (before NULL) or update, moves it from
 * before to f's. Both in the write's transaction.
 */
struct db_kept {
	enum fstate state;
	int saved;     /* fixed with a saving: counted in finding_savings */
	int64_t cents; /* its monthly saving, USD x 100 */
	int unknown;   /* its saving names an item the prices lack */
};
fx_err db_kept_of(struct db *db, int64_t id, enum fstate stored,
    struct db_kept *k);
fx_err db_kept_count(struct db *db, const struct db_kept *before,
    const struct finding *f);
/*
 * The log's life, from db.c: db_kept_flush writes the sums (before
 * COMMIT, or the RELEASE of a savepoint that began the transaction) and
 * empties it; db_kept_discard empties it (a rollback); db_kept_mark at a
 * savepoint (began: it started the transaction; FX_ETOOBIG past
 * DB_KEPT_MARKS nested); db_kept_unmark at its release or rollback (the
 * log cut back to the mark): returns began; db_kept_free at close.
 */
fx_err db_kept_flush(struct db *db);
void db_kept_discard(struct db *db);
fx_err db_kept_mark(struct db *db, int began);
int db_kept_unmark(struct db *db, int rollback);
void db_kept_free(struct db *db);

/* row readers: the struct's columns start at column c0 */
fx_err db_finding_from_row(sqlite3_stmt *st, int c0, struct finding *out);
fx_err db_exception_from_row(sqlite3_stmt *st, int c0,
    struct exception_rec *out);
/*
 * The read models' shapes (db.h): the keys of finding_to_json and of an
 * exception, times as unix seconds. New reference, NULL when out of memory.
 */
json_t *db_finding_to_model(const struct finding *f);
json_t *db_exception_to_model(const struct exception_rec *e);

/*
 * JSON building with a sticky error: each setter is skipped once *err is
 * not FX_OK. Strings NULL and times 0 become JSON null. db_json_unix sets
 * a time as an integer (unix seconds), for the read models; db_json_iso as
 * ISO 8601 text, for finding_to_json, the shape executors and the API get.
 */
void db_json_set(json_t *o, const char *key, json_t *v, fx_err *err);
void db_json_str(json_t *o, const char *key, const char *s, fx_err *err);
void db_json_int(json_t *o, const char *key, int64_t v, fx_err *err);
void db_json_unix(json_t *o, const char *key, int64_t t, fx_err *err);
void db_json_iso(json_t *o, const char *key, int64_t t, fx_err *err);

#endif
