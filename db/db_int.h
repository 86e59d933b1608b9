/*
 * db_int.h - private to db/: the connection struct, the prepared statement
 * cache and the helpers the db_*.c files share. Nothing outside db/ (except
 * the db unit tests) includes it.
 *
 * Every statement of the project is a row of db_sql_text[] (db_sql.c),
 * prepared on first use and kept for the life of the connection. A caller
 * takes it with db_stmt(), binds, steps, and ends with db_stmt_done()
 * (reset + clear bindings), on every path.
 */
#ifndef FIXIT_DB_INT_H
#define FIXIT_DB_INT_H

#include <sqlite3.h>

#include "db.h"

#define DB_LIST_DEFAULT	100	/* db_findings_list limit 0 */
#define DB_LIST_MAX	1000	/* db_findings_list largest page */

/* the statements; the SQL text is db_sql_text[id] */
enum db_sql {
	SQL_BEGIN = 0, SQL_COMMIT, SQL_ROLLBACK, SQL_SAVEPOINT, SQL_RELEASE,
	SQL_ROLLBACK_TO, SQL_USER_VERSION,
	SQL_F_GET, SQL_F_FIND, SQL_F_INSERT, SQL_F_UPDATE, SQL_F_SET_MESSAGE, SQL_F_OPEN_REARM,
	/* in enum due_kind order */
	SQL_DUE_EXPIRED_EXC, SQL_DUE_OPEN, SQL_DUE_REMINDER, SQL_DUE_DEADLINE,
	SQL_DUE_CLAIMABLE, SQL_DUE_UNDO,
	SQL_AUDIT_ADD, SQL_AUDIT_COUNT_PB,
	SQL_EXC_INSERT, SQL_EXC_GET, SQL_EXC_UPDATE,
	SQL_OUTBOX_ADD, SQL_OUTBOX_DUE, SQL_OUTBOX_SENT, SQL_OUTBOX_RETRY,
	SQL_OUTBOX_DEAD, SQL_OUTBOX_DEPTH,
	SQL_SLACK_USER_GET, SQL_SLACK_USER_PUT,
	SQL_PAUSE_SET, SQL_PAUSE_CLEAR, SQL_PAUSED, SQL_PAUSE_LIST,
	SQL_COUNTS, SQL_SHOW_HISTORY, SQL_SHOW_EXCEPTIONS, SQL_DUE_LIST,
	SQL_FAILED_LIST, SQL_EXC_LIST, SQL_FINDINGS_LIST,
	SQL__COUNT
};
extern const char *const db_sql_text[SQL__COUNT];

/* migration i takes PRAGMA user_version from i to i + 1 (db_schema.c) */
extern const char *const db_migrations[];
extern const int db_nmigrations;

/* the columns of struct finding, in that order, table alias f */
#define DB_FINDING_NCOLS 29
/* the columns of struct exception_rec, in that order, table alias e */
#define DB_EXC_NCOLS 10

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[SQL__COUNT];
	char err[256];		/* the last failure's message */
};

/* the cached statement, prepared on first use; NULL on failure (logged) */
sqlite3_stmt *db_stmt(struct db *db, enum db_sql id, const char *fn);
/* reset and clear bindings; accepts NULL */
void db_stmt_done(sqlite3_stmt *st);
/* record and log a SQLite failure (rc: the SQLite code); returns FX_EDB */
fx_err db_fail(struct db *db, const char *fn, int rc);
/* step a statement that returns no row; FX_OK or FX_EDB */
fx_err db_step_done(struct db *db, sqlite3_stmt *st, const char *fn);
/* step a statement returning one integer row (a count) */
fx_err db_step_count(struct db *db, sqlite3_stmt *st, int64_t *count,
    const char *fn);

/*
 * Binding with a sticky SQLite result: each call is skipped once *rc is
 * not SQLITE_OK, so a run of binds is checked once. Text is copied
 * (SQLITE_TRANSIENT); NULL text and time 0 bind SQL NULL.
 */
void db_bind_text(sqlite3_stmt *st, int i, const char *s, int *rc);
void db_bind_int64(sqlite3_stmt *st, int i, int64_t v, int *rc);
void db_bind_time(sqlite3_stmt *st, int i, int64_t t, int *rc);
/* JSON value as compact text; NULL binds SQL NULL */
void db_bind_json(sqlite3_stmt *st, int i, const json_t *v, int *rc);

/* a size as a LIMIT value */
int64_t db_limit(size_t n);
/* a copy of a text column, NULL for SQL NULL; *err FX_ENOMEM on failure */
char *db_col_text(sqlite3_stmt *st, int i, fx_err *err);
/* a text column parsed as JSON; NULL for SQL NULL or bad JSON */
json_t *db_col_json(sqlite3_stmt *st, int i);

/* row readers: the struct's columns start at column c0 */
fx_err db_finding_from_row(sqlite3_stmt *st, int c0, struct finding *out);
fx_err db_exception_from_row(sqlite3_stmt *st, int c0,
    struct exception_rec *out);
json_t *db_exception_to_json(const struct exception_rec *e);

/*
 * JSON building with a sticky error: each setter is skipped once *err is
 * not FX_OK. Strings NULL and times 0 become JSON null; times are ISO 8601.
 */
void db_json_set(json_t *o, const char *key, json_t *v, fx_err *err);
void db_json_str(json_t *o, const char *key, const char *s, fx_err *err);
void db_json_int(json_t *o, const char *key, int64_t v, fx_err *err);
void db_json_time(json_t *o, const char *key, int64_t t, fx_err *err);

#endif
