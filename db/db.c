/*
 * db.c - the connection: open, pragmas, migrations, transactions and the
 * prepared statement cache.
 *
 * One struct db is one SQLite connection opened without SQLite's own mutex
 * (SQLITE_OPEN_NOMUTEX): it belongs to the thread that opened it. Each
 * statement is prepared on first use (db_stmt) and finalized in db_close.
 */
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "fxlog.h"
#include "banned.h"

#define DB_BUSY_TIMEOUT_MS 5000

static const char *const fstate_names[FS__COUNT] = {
	[FS_OPEN] = "open",
	[FS_NOTIFIED] = "notified",
	[FS_EXCEPTED] = "excepted",
	[FS_FIXING] = "fixing",
	[FS_FIXED] = "fixed",
	[FS_FAILED] = "failed",
	[FS_RESOLVED] = "resolved",
	[FS_ROLLED_BACK] = "rolled_back",
	[FS_REHEARSED] = "rehearsed",
};

const char *
fstate_name(enum fstate s)
{
	if ((unsigned)s >= FS__COUNT)
		return "unknown";
	return fstate_names[s];
}

int
fstate_parse(const char *s)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < FS__COUNT; i++)
		if (strcmp(s, fstate_names[i]) == 0)
			return i;
	return -1;
}

fx_err
db_fail(struct db *db, const char *fn, int rc)
{
	const char *msg;

	/* the connection's message, when it is about this failure */
	if (db->h != NULL && (sqlite3_extended_errcode(db->h) == rc ||
				 sqlite3_errcode(db->h) == (rc & 0xff)))
		msg = sqlite3_errmsg(db->h);
	else
		msg = sqlite3_errstr(rc);
	snprintf(db->err, sizeof(db->err), "%s", msg);
	log_warnx("%s: sqlite: %s (%d)", fn, db->err, rc);
	return FX_EDB;
}

sqlite3_stmt *
db_stmt(struct db *db, enum db_sql id, const char *fn)
{
	int rc;

	if (db->st[id] != NULL)
		return db->st[id];
	rc = sqlite3_prepare_v3(db->h, db_sql_text[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &db->st[id], NULL);
	if (rc != SQLITE_OK) {
		db->st[id] = NULL;
		(void)db_fail(db, fn, rc);
		return NULL;
	}
	return db->st[id];
}

void
db_stmt_done(sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* a fixed multi-statement script (no user data in it) */
static fx_err
db_script(struct db *db, const char *sql, const char *fn)
{
	int rc;

	rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, fn, rc);
	return FX_OK;
}

static fx_err
db_user_version(struct db *db, int *version)
{
	int64_t v = 0;
	fx_err rc;

	rc = db_count(db, SQL_USER_VERSION, DB_NOARGS, &v, __func__);
	if (rc == FX_OK)
		*version = (int)v;
	return rc;
}

#define DB_WAL_RETRY_MS 5

static fx_err
db_pragmas(struct db *db)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	fx_err rc = FX_OK;
	int src, tries;

	src = sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	if (src == SQLITE_OK)
		src = sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1,
		    NULL);
	if (src != SQLITE_OK) {
		rc = db_fail(db, __func__, src);
		goto out;
	}
	/*
	 * Changing a new file's journal mode takes an exclusive lock, and
	 * two connections doing it at once deadlock: SQLite answers BUSY at
	 * once, without the busy handler. Tried again, within the timeout.
	 */
	for (tries = 0;; tries++) {
		src = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1,
		    &st, NULL);
		if (src == SQLITE_OK)
			src = sqlite3_step(st);
		if ((src & 0xff) != SQLITE_BUSY ||
		    tries >= DB_BUSY_TIMEOUT_MS / DB_WAL_RETRY_MS)
			break;
		sqlite3_finalize(st);
		st = NULL;
		(void)sqlite3_sleep(DB_WAL_RETRY_MS);
	}
	if (src != SQLITE_ROW) {
		rc = db_fail(db, __func__, src);
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL ||
	    (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0))
		log_warnx("%s: journal mode %s, not wal", __func__,
		    mode ? mode : "unknown");
	/*
	 * FULL: in WAL mode a commit returns only after the WAL is synced
	 * (fdatasync), so a request answered after its batch committed is
	 * durable against a power cut too, not only against a crash of
	 * fixitd (NORMAL syncs only at checkpoints). Group commit pays it
	 * once per batch. The page cache and the map grow only as pages are
	 * used.
	 */
	rc = db_script(db,
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -8192;",
	    __func__);
out:
	sqlite3_finalize(st);
	return rc;
}

/* apply migration `from` (from -> from + 1) inside an open transaction */
static fx_err
db_migrate_one(struct db *db, int from)
{
	char sql[64];
	fx_err rc;

	rc = db_script(db, db_migrations[from], __func__);
	if (rc != FX_OK)
		return rc;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
	return db_script(db, sql, __func__);
}

/*
 * Bring the schema to db_nmigrations. The version is read again under
 * the write lock so that two connections opening at once migrate once.
 */
static fx_err
db_migrate(struct db *db)
{
	int v = 0;
	fx_err rc;

	rc = db_user_version(db, &v);
	while (rc == FX_OK && v < db_nmigrations) {
		rc = db_run(db, SQL_BEGIN, DB_NOARGS, __func__);
		if (rc != FX_OK)
			break;
		rc = db_user_version(db, &v);
		if (rc == FX_OK && v < db_nmigrations)
			rc = db_migrate_one(db, v);
		if (rc == FX_OK)
			rc = db_run(db, SQL_COMMIT, DB_NOARGS, __func__);
		if (rc != FX_OK) {
			db_rollback(db);
			break;
		}
		rc = db_user_version(db, &v);
		if (rc == FX_OK)
			log_info("%s: schema at version %d", __func__, v);
	}
	if (rc == FX_OK && v > db_nmigrations) {
		snprintf(db->err, sizeof(db->err),
		    "schema version %d is "
		    "newer than this program (%d)",
		    v, db_nmigrations);
		log_warnx("%s: %s", __func__, db->err);
		rc = FX_EDB;
	}
	return rc;
}

/*
 * Before SQLite starts: a savepoint's sub-journal (the old content of each
 * page a writer job changes, so that a failed job rolls back alone: the
 * writer runs each job in one) stays in memory. By default it spills to
 * a temporary file past 64 KiB: a file created, written page by page and
 * deleted in every batch, 29 % of the writer's time under clicks (issue
 * 13). It holds one job's pages at most: truncated at each job's end.
 */
static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
	/* no memory statistics (nothing reads them): they take a global
	 * mutex at every allocation SQLite makes, 3 % of the writer */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

fx_err
db_open(const char *path, struct db **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db *db = NULL;
	fx_err rc = FX_OK;
	int src;

	*out = NULL;
	(void)pthread_once(&once, sqlite_setup);
	if (path == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	src = sqlite3_open_v2(path, &db->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (src != SQLITE_OK) {
		rc = db_fail(db, __func__, src);
		goto out;
	}
	(void)sqlite3_extended_result_codes(db->h, 1);
	rc = db_pragmas(db);
	if (rc == FX_OK)
		rc = db_migrate(db);
out:
	if (rc != FX_OK) {
		if (db != NULL)
			log_warnx("%s: %s: cannot open: %s", __func__, path,
			    db->err);
		db_close(db);
		db = NULL;
	}
	*out = db;
	return rc;
}

void
db_close(struct db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < SQL__COUNT; i++)
		sqlite3_finalize(db->st[i]);
	for (i = 0; i < DB_UPD_CACHE; i++)
		sqlite3_finalize(db->upd[i].st);
	db_kept_free(db);
	if (sqlite3_close(db->h) != SQLITE_OK)
		log_warnx("%s: sqlite: %s", __func__, sqlite3_errmsg(db->h));
	free(db);
}

int
db_schema_version(struct db *db)
{
	int v = -1;

	if (db_user_version(db, &v) != FX_OK)
		return -1;
	return v;
}

const char *
db_errmsg(struct db *db)
{
	if (db == NULL)
		return "no database";
	if (db->err[0] != '\0')
		return db->err;
	return sqlite3_errmsg(db->h);
}

fx_err
db_query_only(struct db *db)
{
	return db_script(db, "PRAGMA query_only = ON", __func__);
}

fx_err
db_begin(struct db *db)
{
	return db_run(db, SQL_BEGIN, DB_NOARGS, __func__);
}

fx_err
db_begin_read(struct db *db)
{
	return db_run(db, SQL_BEGIN_READ, DB_NOARGS, __func__);
}

/* the kept counts' deltas are written first (db_kept.c) */
fx_err
db_commit(struct db *db)
{
	fx_err rc;

	rc = db_kept_flush(db);
	if (rc == FX_OK)
		rc = db_run(db, SQL_COMMIT, DB_NOARGS, __func__);
	return rc;
}

void
db_rollback(struct db *db)
{
	db_kept_discard(db);
	/* a failed COMMIT may already have ended the transaction */
	if (sqlite3_get_autocommit(db->h))
		return;
	(void)db_run(db, SQL_ROLLBACK, DB_NOARGS, __func__);
}

fx_err
db_savepoint(struct db *db)
{
	int began = sqlite3_get_autocommit(db->h);
	fx_err rc;

	rc = db_run(db, SQL_SAVEPOINT, DB_NOARGS, __func__);
	if (rc != FX_OK)
		return rc;
	rc = db_kept_mark(db, began);
	if (rc != FX_OK) {
		(void)db_run(db, SQL_ROLLBACK_TO, DB_NOARGS, __func__);
		(void)db_run(db, SQL_RELEASE, DB_NOARGS, __func__);
	}
	return rc;
}

static void
savepoint_rollback(struct db *db)
{
	if (db_run(db, SQL_ROLLBACK_TO, DB_NOARGS, __func__) == FX_OK)
		(void)db_run(db, SQL_RELEASE, DB_NOARGS, __func__);
}

/* a savepoint that began the transaction commits it: its deltas first
 * (they failed: nothing is committed) */
void
db_savepoint_release(struct db *db)
{
	if (db_kept_unmark(db, 0) && db_kept_flush(db) != FX_OK) {
		savepoint_rollback(db);
		return;
	}
	(void)db_run(db, SQL_RELEASE, DB_NOARGS, __func__);
}

void
db_savepoint_rollback(struct db *db)
{
	if (db_kept_unmark(db, 1))
		db_kept_discard(db);
	savepoint_rollback(db);
}

/* SQLite's WAL hook: runs on the committing thread after each commit */
static int
wal_committed(void *arg, sqlite3 *h, const char *name, int frames)
{
	struct db *db = arg;

	(void)h;
	(void)name;
	db->wal_frames = frames;
	return SQLITE_OK;
}

fx_err
db_sync_normal(struct db *db)
{
	return db_script(db, "PRAGMA synchronous = NORMAL;", __func__);
}

fx_err
db_autocheckpoint(struct db *db, int pages)
{
	int src = sqlite3_wal_autocheckpoint(db->h, pages);

	/* with none, the hook instead keeps count of the WAL's length */
	if (src == SQLITE_OK && pages <= 0)
		(void)sqlite3_wal_hook(db->h, wal_committed, db);
	return src == SQLITE_OK ? FX_OK : db_fail(db, __func__, src);
}

int
db_wal_frames(const struct db *db)
{
	return db->wal_frames;
}

static fx_err
checkpoint_mode(struct db *db, int mode, int *wal_frames, int *copied)
{
	int src;

	src = sqlite3_wal_checkpoint_v2(db->h, NULL, mode, wal_frames, copied);
	if (src == SQLITE_BUSY)
		return FX_ERETRY; /* another checkpoint, or a reader */
	return src == SQLITE_OK ? FX_OK : db_fail(db, __func__, src);
}

fx_err
db_checkpoint(struct db *db, int *wal_frames, int *copied)
{
	return checkpoint_mode(db, SQLITE_CHECKPOINT_PASSIVE, wal_frames,
	    copied);
}

fx_err
db_checkpoint_full(struct db *db, int *wal_frames, int *copied)
{
	return checkpoint_mode(db, SQLITE_CHECKPOINT_FULL, wal_frames, copied);
}
