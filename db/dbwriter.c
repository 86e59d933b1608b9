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
#include "banned.h"

struct dbw_job {
	dbw_fn fn;
	void *arg;
	fx_err rc;
	int done;
	pthread_cond_t cv;
	struct dbw_job *next;
};

struct dbw {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_work;
	struct dbw_job *head, *tail;
	int stopping;
	int started;
	struct db *db;
	struct dbw_stats stats;
};

static void
run_batch(struct dbw *w, struct dbw_job *batch)
{
	struct dbw_job *j;
	size_t n = 0, failed = 0;
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
		if (j->rc == FX_OK) {
			db_savepoint_release(w->db);
		} else {
			db_savepoint_rollback(w->db);
			failed++;
		}
	}
	if (rc == FX_OK && db_commit(w->db) != FX_OK) {
		log_warnx("%s: commit of %zu jobs failed: %s", __func__, n,
		    db_errmsg(w->db));
		db_rollback(w->db);
		for (j = batch; j != NULL; j = j->next)
			if (j->rc == FX_OK) {
				j->rc = FX_EDB;
				failed++;
			}
	} else if (rc != FX_OK) {
		log_warnx("%s: begin failed: %s", __func__, db_errmsg(w->db));
	}

	pthread_mutex_lock(&w->mu);
	w->stats.jobs += n;
	w->stats.batches++;
	w->stats.failed += failed;
	for (j = batch; j != NULL; ) {
		struct dbw_job *next = j->next;

		/* after done is set the submitter may free j: read next first */
		j->done = 1;
		pthread_cond_signal(&j->cv);
		j = next;
	}
	pthread_mutex_unlock(&w->mu);
}

static void *
writer_main(void *arg)
{
	struct dbw *w = arg;
	struct dbw_job *batch;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv_work, &w->mu);
		batch = w->head;
		w->head = w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (batch == NULL)
			break;		/* stopping and drained */
		run_batch(w, batch);
	}
	return NULL;
}

fx_err
dbw_start(const char *path, struct dbw **out)
{
	struct dbw *w;
	fx_err rc;
	int r;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return FX_ENOMEM;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv_work, NULL);
	rc = db_open(path, &w->db);
	if (rc != FX_OK)
		goto fail;
	/* signals: fixitd's main blocks them all before any thread starts */
	r = pthread_create(&w->thread, NULL, writer_main, w);
	if (r != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(r));
		rc = FX_EIO;
		goto fail;
	}
	w->started = 1;
	*out = w;
	return FX_OK;
fail:
	db_close(w->db);
	pthread_cond_destroy(&w->cv_work);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return rc;
}

void
dbw_stop(struct dbw *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv_work);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	db_close(w->db);
	pthread_cond_destroy(&w->cv_work);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

fx_err
dbw_call(struct dbw *w, dbw_fn fn, void *arg)
{
	struct dbw_job job;
	fx_err rc;

	memset(&job, 0, sizeof(job));
	job.fn = fn;
	job.arg = arg;
	pthread_cond_init(&job.cv, NULL);
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		pthread_cond_destroy(&job.cv);
		return FX_ESTOPPED;
	}
	if (w->tail)
		w->tail->next = &job;
	else
		w->head = &job;
	w->tail = &job;
	pthread_cond_signal(&w->cv_work);
	while (!job.done)
		pthread_cond_wait(&job.cv, &w->mu);
	rc = job.rc;
	pthread_mutex_unlock(&w->mu);
	pthread_cond_destroy(&job.cv);
	return rc;
}

void
dbw_get_stats(struct dbw *w, struct dbw_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}
