/*
 * dbw_health.c - the checks /healthz and startup run through the writer
 * and dbw_read (see dbwriter.h).
 *
 * The heartbeat write waits a bounded time for its batch: the job and its
 * result live on the heap, and a caller that stops waiting leaves them to
 * the completion callback, which frees them when the batch is done.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "dbwriter.h"
#include "fxtime.h"
#include "banned.h"

struct hb {
	struct dbw_req r; /* first: done() gets &r */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t at;
	int finished;  /* the batch committed or failed: r.rc set */
	int abandoned; /* the caller timed out: done() frees */
};

static void
hb_free(struct hb *h)
{
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static fx_err
hb_write(struct db *db, void *arg)
{
	struct hb *h = arg;

	return db_heartbeat_set(db, h->at);
}

/* on the writer thread, once the batch is synced (or failed) */
static void
hb_done(struct dbw_req *r)
{
	struct hb *h = (struct hb *)r;
	int abandoned;

	pthread_mutex_lock(&h->mu);
	h->finished = 1;
	abandoned = h->abandoned;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	/* not abandoned: the caller owns h from the unlock on */
	if (abandoned)
		hb_free(h);
}

static fx_err
hb_read(struct db *db, void *arg)
{
	return db_heartbeat_get(db, arg);
}

fx_err
dbw_heartbeat(struct dbw *w, int64_t at, int timeout_ms, int64_t *read_back)
{
	pthread_condattr_t ca;
	struct timespec until;
	struct hb *h;
	fx_err rc;
	int err = 0;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return FX_ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cv, &ca);
	pthread_condattr_destroy(&ca);
	h->r.fn = hb_write;
	h->r.arg = h;
	h->r.done = hb_done;
	h->at = at;
	rc = dbw_submit(w, &h->r);
	if (rc != FX_OK) {
		hb_free(h);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->mu);
	while (!h->finished && err == 0)
		err = pthread_cond_timedwait(&h->cv, &h->mu, &until);
	if (!h->finished) {
		h->abandoned = 1;
		pthread_mutex_unlock(&h->mu);
		return FX_ETIMEOUT;
	}
	rc = h->r.rc;
	pthread_mutex_unlock(&h->mu);
	hb_free(h);
	if (rc == FX_OK)
		rc = dbw_read(w, hb_read, read_back);
	return rc;
}

static fx_err
check_run(struct db *db, void *arg)
{
	struct {
		char *why;
		size_t len;
	} *c = arg;

	return db_quick_check(db, c->why, c->len);
}

fx_err
dbw_check(struct dbw *w, char *why, size_t len)
{
	struct {
		char *why;
		size_t len;
	} c = { why, len };

	return dbw_read(w, check_run, &c);
}
