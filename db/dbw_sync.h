/*
 * dbw_sync.h - the WAL syncer of the writer (dbwriter.c): pipelined
 * group commit.
 *
 * The writer's connection runs synchronous=NORMAL: its COMMIT writes the
 * batch's WAL frames and returns without waiting for the disk. It then
 * hands the batch to the syncer and starts the next one at once. The
 * syncer takes every batch handed over since its last round, calls
 * fdatasync() on the WAL once for all of them, and only then completes
 * their jobs (the writer's complete callback: done() called, dbw_call
 * returning). A batch is so never answered before its frames, and every
 * frame committed before them, are on disk, while the writer runs the
 * next batch during the sync instead of waiting for it.
 *
 * When the sync fails (EIO, ENOSPC), it is tried again every 50 ms
 * until it succeeds, and the round's answers wait: their changes are
 * committed (readers see them), so refusing them would tell a client
 * "not stored" about a change that is there, and it would try again.
 * Only the jobs still unsynced at stop are refused (FX_EDB).
 *
 * Thread model: one syncer thread; dbw_sync_push from the writer thread
 * only.
 */
#ifndef FIXIT_DBW_SYNC_H
#define FIXIT_DBW_SYNC_H

#include "dbwriter.h"

struct dbw_sync;

/* completes a list of jobs (linked by next); runs on the syncer thread */
typedef void (*dbw_complete_fn)(void *cls, struct dbw_req *list);

/*
 * path: the database file (its WAL is path + "-wal", which must exist:
 * open the writer's connection first). The WAL and its directory are
 * synced once at start (SQLite would have synced the directory on the
 * WAL's first sync).
 */
fx_err dbw_sync_start(const char *path, dbw_complete_fn complete, void *cls,
    struct dbw_sync **out) FX_WUR;
/* hand over a committed (or failed) batch; never blocks on the disk */
void dbw_sync_push(struct dbw_sync *s, struct dbw_req *batch);
/* syncs and completes what was handed over, joins, frees; accepts NULL */
void dbw_sync_stop(struct dbw_sync *s);

#endif
