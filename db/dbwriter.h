/*
 * dbwriter.h - the single writer thread (group commit).
 *
 * Every change to the store is a job: a function run on the writer's own
 * connection inside a transaction the writer opened. The writer drains its
 * queue, runs each queued job in its own SAVEPOINT (a failing job rolls back
 * alone), commits once for the whole batch, and only then completes every
 * job of the batch. So N concurrent requests cost one commit, and a caller
 * is answered only when its change is durable: the writer hands each
 * committed batch to its syncer (dbw_sync.h), which fdatasyncs the WAL
 * and only then completes the batch's jobs (done() called, dbw_call
 * returning), while the writer already runs the next batch
 * (tests/unit/test_db_durable.c counts the syncs).
 *
 * Thread model: one writer thread; any number of submitting threads.
 */
#ifndef FIXIT_DBWRITER_H
#define FIXIT_DBWRITER_H

#include "db.h"

struct dbw;

/* a job: runs on the writer thread inside the open transaction */
typedef fx_err (*dbw_fn)(struct db *db, void *arg);

fx_err dbw_start(const char *path, struct dbw **out) FX_WUR;
/* how the WAL is checkpointed (dbwriter.c); dbw_start uses the defaults */
struct dbw_ckpt {
	int interval_ms;    /* between checkpoints while writes go on: 10 */
	int idle_ms;	    /* when nothing was written (a commit wakes
				   the checkpointer early): 1000 */
	int restart_frames; /* a WAL this long is started over: 32768 */
};
/* FX_EINVAL when a field is below 1 */
fx_err dbw_start_ckpt(const char *path, const struct dbw_ckpt *ckpt,
    struct dbw **out) FX_WUR;
/* refuses new calls (FX_ESTOPPED), runs the jobs already queued,
 * joins, closes the connection, frees */
void dbw_stop(struct dbw *w); /* accepts NULL */
/*
 * An asynchronous job, owned by the caller until done() ran. done() runs
 * on the syncer thread once the batch committed and was synced (or
 * failed), with rc set;
 * it must be quick and must not call dbw_* itself.
 */
struct dbw_req {
	dbw_fn fn;
	void *arg;
	void (*done)(struct dbw_req *r);
	fx_err rc;
	/* private to dbwriter.c */
	int finished;
	void *waiter;
	struct dbw_req *next;
};
/* FX_ESTOPPED when the writer is stopping (done() is then not called) */
fx_err dbw_submit(struct dbw *w, struct dbw_req *r) FX_WUR;
/*
 * Run fn(db, arg) in the next batch and wait until the batch committed.
 * Returns fn's result, or FX_EDB when the commit failed (the change is
 * then not stored), or FX_ESTOPPED. A failed sync of the WAL is tried
 * again until it succeeds: the call waits.
 */
fx_err dbw_call(struct dbw *w, dbw_fn fn, void *arg) FX_WUR;

/*
 * Run a read-only fn(db, arg) on one of a few read-only connections
 * (dbw_rpool.h), in one read transaction (a consistent snapshot), on the
 * calling thread: reports (/metrics, listings, /fixit status) never hold
 * up the writer, and up to DBW_READERS reads run at once, so a slow one
 * holds up no other. fn must not write (the connection refuses).
 */
fx_err dbw_read(struct dbw *w, dbw_fn fn, void *arg) FX_WUR;

/*
 * /healthz: write `at` into the heartbeat row through the writer (a job
 * like any other: answered once its batch is synced), waiting at most
 * timeout_ms, then read the row back with dbw_read into
 * *read_back. FX_ETIMEOUT when the batch did not finish in time (the job
 * still runs; its memory is freed when it does), FX_EDB when the write,
 * the sync or the read failed.
 */
fx_err dbw_heartbeat(struct dbw *w, int64_t at, int timeout_ms,
    int64_t *read_back) FX_WUR;
/*
 * At start: SQLite's quick_check through dbw_read (every page is
 * read: garbage mid-file is found before any request is served). FX_EDB
 * with SQLite's first complaint in why when the file is damaged.
 */
fx_err dbw_check(struct dbw *w, char *why, size_t len) FX_WUR;

#endif
