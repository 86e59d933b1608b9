/*
 * dbwriter.c - the single writer thread (group commit); see dbwriter.h.
 *
 * Thread model: submitters append a job (on their own stack) to a FIFO
 * under the mutex and wait on the job's own condition variable. The
 * writer takes the whole FIFO as one batch, runs it inside one
 * transaction with a SAVEPOINT per job, commits, and hands the batch to
 * the syncer thread (dbw_sync.c), which marks every job of the batch done
 * and wakes its submitter once the batch is on disk. The writer owns the
 * only struct db of the process that writes.
 *
 * Durability: pipelined group commit. The writer's connection runs
 * synchronous=NORMAL, so its COMMIT writes the batch's WAL frames and
 * returns without waiting for the disk; the syncer fdatasyncs the WAL
 * once for every batch handed over since its last round and only then
 * completes their jobs (done(), the waiters of dbw_call), so no answer
 * leaves before its change is on disk. Meanwhile the writer runs the
 * next batch: the sync no longer stops the writes, one sync covers
 * every batch committed while the previous one was in flight, and a
 * job waits for at most the sync in flight plus its own. (With
 * synchronous=FULL the commit itself waited for the sync, and the writer
 * with it.) A failed sync is tried again until it succeeds (dbw_sync.h).
 * The other connections keep FULL.
 *
 * Checkpoints. The checkpointer thread copies committed WAL frames into
 * the database on its own connection (PASSIVE: it never blocks the
 * writer), every interval_ms while writes go on, with another pass at
 * once while the last one copied more than DBW_TAIL_FRAMES: small copies,
 * each with its two fdatasyncs, because one big copy every quarter second
 * stalled the writer for 10 - 80 ms behind its write-back (measured:
 * clicks' p99 at 20,000/s fell from 11 - 26 ms to about 4 ms). When
 * nothing was written it sleeps idle_ms, and the writer's next commit
 * wakes it.
 *
 * SQLite starts the WAL over (instead of appending to it) only when a
 * write transaction begins on a WAL that is fully copied; under steady
 * load the writer commits while every checkpoint runs, so checkpoints on
 * another connection alone never get there and the WAL grows without
 * bound (1.2 GB in 10 s of clicks, measured). So once the WAL holds
 * restart_frames, the checkpointer, once caught up, asks the writer to
 * copy the rest between two batches (a few batches' pages, with its
 * fdatasyncs: 1 - 7 ms); the writer's next transaction then starts the
 * WAL over. A reader still using old frames only postpones that to a
 * later round. If the checkpointer falls behind all the same (a disk
 * slower than the writes), writer_checkpoint() below makes the writer
 * wait for it.
 */
#define _DEFAULT_SOURCE /* syscall() */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "dbw_rpool.h"
#include "dbwriter.h"
#include "dbw_sync.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "banned.h"

#define DBW_CKPT_PASSES 4    /* passes per round, at most */
#define DBW_TAIL_FRAMES 256  /* a pass copying more: another */
#define DBW_LIMIT	4    /* x restart_frames: the writer copies */
#define DBW_CATCH_UP_MS 1000 /* its FULL tries while a pass runs */
#define DBW_RETRY_MS	1    /* apart */

static const struct dbw_ckpt dbw_ckpt_default = {
	.interval_ms = 10,
	.idle_ms = 1000,
	.restart_frames = 32768, /* 128 MiB of 4 KiB pages */
};

struct dbw {
	struct fx_worker wk; /* wk.mu guards the queue */
	struct fx_worker ck; /* the checkpointer */
	struct db *ckdb;     /* its own connection */
	struct dbw_sync *sy; /* syncs the WAL, then completes the jobs */
	pthread_mutex_t dmu; /* guards the jobs' finished flags */
	struct dbw_rpool *r; /* the read-only connections (dbw_rpool.c) */
	struct dbw_req *head, *tail;
	struct db *db;
	struct dbw_ckpt ckpt;	/* the checkpoint policy */
	atomic_int writer_turn; /* set: the writer checkpoints next, the
				   checkpointer starts no pass */
	atomic_int ckpt_idle;	/* set: the checkpointer waits for a commit */
	int catch_up_at;	/* writer only: WAL frames for a FULL copy */
};

/* full: wait for readers, copy it all; FX_ERETRY: another is running */
static fx_err
checkpoint(struct db *db, const char *who, int full, int *frames, int *copied)
{
	fx_err rc;

	*frames = *copied = 0;
	rc = full ? db_checkpoint_full(db, frames, copied)
		  : db_checkpoint(db, frames, copied);
	if (rc == FX_EDB)
		log_warnx("%s: checkpoint: %s", who, db_errmsg(db));
	return rc;
}

static void
run_batch(struct dbw *w, struct dbw_req *batch)
{
	struct dbw_req *j;
	size_t n = 0;
	fx_err rc;

	rc = db_begin(w->db);
	for (j = batch; j != NULL; j = j->next) {
		n++;
		if (rc != FX_OK) {
			j->rc = FX_EDB;
			continue;
		}
		if (db_savepoint(w->db) != FX_OK) {
			j->rc = FX_EDB;
			continue;
		}
		j->rc = j->fn(w->db, j->arg);
		if (j->rc == FX_OK)
			db_savepoint_release(w->db);
		else
			db_savepoint_rollback(w->db);
	}
	if (rc == FX_OK && db_commit(w->db) != FX_OK) {
		log_warnx("%s: commit of %zu jobs failed: %s", __func__, n,
		    db_errmsg(w->db));
		db_rollback(w->db);
		for (j = batch; j != NULL; j = j->next)
			if (j->rc == FX_OK)
				j->rc = FX_EDB;
	} else if (rc != FX_OK) {
		log_warnx("%s: begin failed: %s", __func__, db_errmsg(w->db));
	}

	/* answered once the WAL holding the batch is synced */
	dbw_sync_push(w->sy, batch);
}

/* on the syncer thread, once the jobs' WAL frames are on disk */
static void
complete(void *cls, struct dbw_req *list)
{
	struct dbw *w = cls;
	struct dbw_req *j, *async = NULL;

	pthread_mutex_lock(&w->dmu);
	for (j = list; j != NULL;) {
		struct dbw_req *next = j->next;

		/* after this a waiter may free j: read next first */
		if (j->done != NULL) {
			j->next = async;
			async = j;
		} else {
			j->finished = 1;
			pthread_cond_signal(j->waiter);
		}
		j = next;
	}
	pthread_mutex_unlock(&w->dmu);
	/* outside the lock: a callback may take its own locks */
	for (j = async; j != NULL;) {
		struct dbw_req *next = j->next;

		j->done(j);
		j = next;
	}
}

/*
 * The writer's share of the checkpoints, between batches, outside any
 * transaction:
 * - the checkpointer handed over (writer_turn set): the WAL is long
 *   enough to start over, and the writer copies its last few batches
 *   (PASSIVE);
 * - backpressure: the WAL reached DBW_LIMIT times restart_frames, so the
 *   checkpointer has fallen behind the writes (a disk slower than them, a
 *   reader holding old frames): the writer copies the whole WAL (FULL),
 *   holding up new writes until it is done, once per restart_frames of
 *   growth, trying again for DBW_CATCH_UP_MS while the checkpointer ends
 *   a pass.
 * writer_turn stays set until the copy is done, so that the checkpointer
 * starts no pass meanwhile: a checkpoint finding another one running
 * fails at once (one waiting for a reader fails after the busy timeout).
 */
static void
writer_checkpoint(struct dbw *w)
{
	int frames = db_wal_frames(w->db), copied, limit, full;
	int64_t until;

	limit = w->ckpt.restart_frames > INT_MAX / DBW_LIMIT
		    ? INT_MAX
		    : w->ckpt.restart_frames * DBW_LIMIT;
	if (frames < limit)
		w->catch_up_at = limit;
	full = frames >= limit && frames >= w->catch_up_at;
	if (!full && !atomic_load(&w->writer_turn))
		return;
	if (full) {
		log_warnx("%s: the WAL holds %d frames: checkpointing on the "
			  "writer",
		    __func__, frames);
		w->catch_up_at = frames > INT_MAX - w->ckpt.restart_frames
				     ? INT_MAX
				     : frames + w->ckpt.restart_frames;
		atomic_store(&w->writer_turn, 1);
	}
	until = fx_mono_ms() + DBW_CATCH_UP_MS;
	while (
	    checkpoint(w->db, "writer", full, &frames, &copied) == FX_ERETRY &&
	    full && fx_mono_ms() < until)
		fx_sleep_ms(DBW_RETRY_MS);
	atomic_store(&w->writer_turn, 0);
}

static void *
writer_main(void *arg)
{
	struct dbw *w = arg;
	struct dbw_req *batch;

	for (;;) {
		writer_checkpoint(w);
		pthread_mutex_lock(&w->wk.mu);
		while (w->head == NULL && !w->wk.stopping)
			pthread_cond_wait(&w->wk.cv, &w->wk.mu);
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->wk.mu);
		if (batch == NULL)
			break; /* stopping and drained */
		run_batch(w, batch);
		if (atomic_load_explicit(&w->ckpt_idle, memory_order_relaxed) &&
		    atomic_exchange(&w->ckpt_idle, 0))
			fx_worker_kick(&w->ck);
	}
	return NULL;
}

/*
 * The checkpointer's I/O in the idle class (ioprio_set on this thread;
 * mq-deadline, BFQ and CFQ honour it): its write-back and fdatasyncs of
 * the database file queue behind the writer's WAL syncs, which every
 * answer waits for. Starvation is bounded: the writer copies the WAL
 * itself once it reaches DBW_LIMIT x restart_frames. Refused (a seccomp
 * filter, an old kernel): logged, the checkpoints run as before.
 */
#define DBW_IOPRIO_IDLE (3 << 13) /* IOPRIO_CLASS_IDLE << CLASS_SHIFT */

static void
checkpointer_ioprio(void)
{
#ifdef SYS_ioprio_set
	if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
		DBW_IOPRIO_IDLE) != 0)
		log_info("checkpointer: idle I/O priority refused");
#endif
}

/* copies committed WAL frames into the database, mostly off the writer */
static void *
checkpointer_main(void *arg)
{
	struct dbw *w = arg;
	const struct dbw_ckpt *ck = &w->ckpt;
	int frames, copied, before, last = 0, pass, wait = ck->interval_ms;

	checkpointer_ioprio();
	while (!fx_worker_wait(&w->ck, wait)) {
		if (atomic_load(&w->writer_turn)) {
			/* the writer's turn; its next commit wakes us */
			atomic_store(&w->ckpt_idle, 1);
			wait = ck->idle_ms;
			continue;
		}
		/*
		 * frames: the WAL's length when a pass began. A pass copies
		 * what was committed since the previous one began (frames -
		 * before); repeat while that was more than a tail, so that
		 * the copies stay small and the writer's share of a restart
		 * too.
		 */
		pass = 0;
		copied = 0;
		do {
			before = copied;
			(void)checkpoint(w->ckdb, "checkpointer", 0, &frames,
			    &copied);
		} while (++pass < DBW_CKPT_PASSES && copied > before &&
			 frames - before > DBW_TAIL_FRAMES);
		if (frames >= ck->restart_frames)
			atomic_store(&w->writer_turn, 1); /* hand over */
		if (frames == last) { /* nothing committed since */
			atomic_store(&w->ckpt_idle, 1);
			wait = ck->idle_ms;
		} else {
			wait = ck->interval_ms;
		}
		last = frames;
	}
	return NULL;
}

fx_err
dbw_start(const char *path, struct dbw **out)
{
	return dbw_start_ckpt(path, NULL, out);
}

fx_err
dbw_start_ckpt(const char *path, const struct dbw_ckpt *ckpt, struct dbw **out)
{
	struct dbw *w;
	fx_err rc;

	if (ckpt != NULL && (ckpt->interval_ms < 1 || ckpt->idle_ms < 1 ||
				ckpt->restart_frames < 1))
		return FX_EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return FX_ENOMEM;
	w->ckpt = ckpt != NULL ? *ckpt : dbw_ckpt_default;
	pthread_mutex_init(&w->dmu, NULL);
	/* before any connection: closing a descriptor of the database or
	 * its -shm drops every POSIX lock this process holds on it */
	db_make_private(path);
	rc = db_open(path, &w->db);
	if (rc == FX_OK)
		rc = db_autocheckpoint(w->db, 0);
	if (rc == FX_OK)
		rc = db_sync_normal(w->db); /* the syncer syncs */
	if (rc == FX_OK)
		rc = dbw_sync_start(path, complete, w, &w->sy);
	if (rc == FX_OK)
		rc = db_open(path, &w->ckdb);
	if (rc == FX_OK)
		rc = dbw_rpool_new(path, DBW_READERS, &w->r);
	if (rc == FX_OK)
		rc =
		    fx_worker_start(&w->ck, "fixit-ckpt", checkpointer_main, w);
	if (rc == FX_OK)
		rc = fx_worker_start_critical(&w->wk, "fixit-writer",
		    writer_main, w);
	if (rc != FX_OK) {
		fx_worker_stop(&w->ck);
		dbw_sync_stop(w->sy);
		pthread_mutex_destroy(&w->dmu);
		dbw_rpool_free(w->r);
		db_close(w->ckdb);
		db_close(w->db);
		free(w);
		return rc;
	}
	*out = w;
	return FX_OK;
}

void
dbw_stop(struct dbw *w)
{
	if (w == NULL)
		return;
	fx_worker_stop(&w->wk); /* the writer drains, then exits */
	dbw_sync_stop(w->sy);	/* the last batches are synced, answered */
	fx_worker_stop(&w->ck);
	pthread_mutex_destroy(&w->dmu);
	dbw_rpool_free(w->r);
	db_close(w->ckdb);
	db_close(w->db); /* the last close checkpoints */
	free(w);
}

fx_err
dbw_submit(struct dbw *w, struct dbw_req *r)
{
	r->next = NULL;
	r->finished = 0;
	pthread_mutex_lock(&w->wk.mu);
	if (w->wk.stopping) {
		pthread_mutex_unlock(&w->wk.mu);
		return FX_ESTOPPED;
	}
	if (w->tail)
		w->tail->next = r;
	else
		w->head = r;
	w->tail = r;
	pthread_cond_signal(&w->wk.cv);
	pthread_mutex_unlock(&w->wk.mu);
	return FX_OK;
}

fx_err
dbw_call(struct dbw *w, dbw_fn fn, void *arg)
{
	struct dbw_req r;
	pthread_cond_t cv;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.arg = arg;
	r.waiter = &cv;
	pthread_cond_init(&cv, NULL);
	rc = dbw_submit(w, &r);
	if (rc == FX_OK) {
		pthread_mutex_lock(&w->dmu);
		while (!r.finished)
			pthread_cond_wait(&cv, &w->dmu);
		pthread_mutex_unlock(&w->dmu);
		rc = r.rc;
	}
	pthread_cond_destroy(&cv);
	return rc;
}

fx_err
dbw_read(struct dbw *w, dbw_fn fn, void *arg)
{
	return dbw_rpool_run(w->r, fn, arg);
}
