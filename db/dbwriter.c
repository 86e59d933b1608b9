/*
 * dbwriter.c - the single writer thread (group commit); see dbwriter.h.
 *
 * Thread model: submitters append a job (on their own stack) to a FIFO
 * under the mutex and wait on the job's own condition variable. The
 * writer takes the whole FIFO as one batch, runs it inside one
 * transaction with a SAVEPOINT per job, commits, then marks every job of
 * the batch done and wakes its submitter. The writer owns the only
 * struct db of the process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dbwriter.h"
#include "fxlog.h"
#include "fxworker.h"
#include "banned.h"

#define DBW_CHECKPOINT_MS	250

struct dbw {
	struct fx_worker wk;	/* wk.mu guards the queue */
	struct fx_worker ck;	/* the checkpointer */
	struct db *ckdb;	/* its own connection */
	pthread_mutex_t rmu;	/* guards rdb */
	struct db *rdb;		/* the reader connection, opened on first use */
	char *path;
	struct dbw_req *head, *tail;
	struct db *db;
};

static void
run_batch(struct dbw *w, struct dbw_req *batch)
{
	struct dbw_req *j, *async = NULL;
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

	pthread_mutex_lock(&w->wk.mu);
	for (j = batch; j != NULL; ) {
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
	pthread_mutex_unlock(&w->wk.mu);
	/* outside the lock: a callback may take its own locks */
	for (j = async; j != NULL; ) {
		struct dbw_req *next = j->next;

		j->done(j);
		j = next;
	}
}

static void *
writer_main(void *arg)
{
	struct dbw *w = arg;
	struct dbw_req *batch;

	for (;;) {
		pthread_mutex_lock(&w->wk.mu);
		while (w->head == NULL && !w->wk.stopping)
			pthread_cond_wait(&w->wk.cv, &w->wk.mu);
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->wk.mu);
		if (batch == NULL)
			break;		/* stopping and drained */
		run_batch(w, batch);
	}
	return NULL;
}

/* copies committed WAL frames into the database, off the writer */
static void *
checkpointer_main(void *arg)
{
	struct dbw *w = arg;
	int frames, copied;

	while (!fx_worker_wait(&w->ck, DBW_CHECKPOINT_MS))
		if (db_checkpoint(w->ckdb, &frames, &copied) == FX_EDB)
			log_warnx("%s: %s", __func__, db_errmsg(w->ckdb));
	return NULL;
}

fx_err
dbw_start(const char *path, struct dbw **out)
{
	struct dbw *w;
	fx_err rc;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return FX_ENOMEM;
	rc = db_open(path, &w->db);
	if (rc == FX_OK)
		rc = db_autocheckpoint(w->db, 0);
	if (rc == FX_OK)
		rc = db_open(path, &w->ckdb);
	pthread_mutex_init(&w->rmu, NULL);
	w->path = rc == FX_OK ? strdup(path) : NULL;
	if (rc == FX_OK && w->path == NULL)
		rc = FX_ENOMEM;
	if (rc == FX_OK)
		rc = fx_worker_start(&w->ck, "fixit-ckpt", checkpointer_main, w);
	if (rc == FX_OK)
		rc = fx_worker_start_critical(&w->wk, "fixit-writer",
		    writer_main, w);
	if (rc != FX_OK) {
		fx_worker_stop(&w->ck);
		pthread_mutex_destroy(&w->rmu);
		free(w->path);
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
	fx_worker_stop(&w->wk);		/* the writer drains, then exits */
	fx_worker_stop(&w->ck);
	pthread_mutex_destroy(&w->rmu);
	db_close(w->rdb);
	free(w->path);
	db_close(w->ckdb);
	db_close(w->db);		/* the last close checkpoints */
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
		pthread_mutex_lock(&w->wk.mu);
		while (!r.finished)
			pthread_cond_wait(&cv, &w->wk.mu);
		pthread_mutex_unlock(&w->wk.mu);
		rc = r.rc;
	}
	pthread_cond_destroy(&cv);
	return rc;
}

fx_err
dbw_read(struct dbw *w, dbw_fn fn, void *arg)
{
	fx_err rc;

	pthread_mutex_lock(&w->rmu);
	rc = w->rdb != NULL ? FX_OK : db_open(w->path, &w->rdb);
	if (rc == FX_OK)
		rc = db_begin_read(w->rdb);
	if (rc == FX_OK) {
		rc = fn(w->rdb, arg);
		db_rollback(w->rdb);	/* nothing to keep: end the snapshot */
	}
	pthread_mutex_unlock(&w->rmu);
	return rc;
}
