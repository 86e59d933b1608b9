/*
 * dbw_rpool.h - private to db/: the read-only connections dbw_read runs
 * on (dbwriter.h), a small pool owned by the writer's struct dbw.
 *
 * In WAL mode readers do not block one another, nor the writer, nor does
 * the writer block them: each read holds its own connection for the
 * length of its snapshot, so a slow report (/fixit status over a large
 * table, a /metrics scrape) holds up only itself, never /healthz's read
 * back, a click's read or another report. A read waits only when every
 * connection of the pool is in use.
 *
 * Thread model: any number of calling threads. A connection is used by
 * one thread at a time (SQLITE_OPEN_NOMUTEX: multi-thread mode), opened
 * on its first use, with PRAGMA query_only = ON, and kept until
 * dbw_rpool_free.
 */
#ifndef FIXIT_DBW_RPOOL_H
#define FIXIT_DBW_RPOOL_H

#include "dbwriter.h"

#define DBW_READERS 4 /* read-only connections: concurrent reads */

struct dbw_rpool;

/* a pool of size connections (1 or more) on the database at path, none
 * opened yet; FX_EINVAL, FX_ENOMEM */
fx_err dbw_rpool_new(const char *path, int size, struct dbw_rpool **out) FX_WUR;
/* closes every connection; no read may be running. Accepts NULL. */
void dbw_rpool_free(struct dbw_rpool *p);
/*
 * Take a free connection (waiting while all are in use; opening it on
 * its first use), run fn(db, arg) in one read transaction, give the
 * connection back. fn's result, or FX_EDB when the connection could not
 * be opened or the read transaction begun. fn must not write (the
 * connection refuses: query_only).
 */
fx_err dbw_rpool_run(struct dbw_rpool *p, dbw_fn fn, void *arg) FX_WUR;

#endif
