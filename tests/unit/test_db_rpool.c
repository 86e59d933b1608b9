/*
 * test_db_rpool.c - dbw_read's pool of read-only connections: a read
 * held inside a slow job holds up neither another read nor a write;
 * DBW_READERS reads run at once, one more waits for a connection to be
 * given back; a read job cannot write.
 *
 * A held read waits on a condition the test signals; the reads that must
 * not wait run on threads the test waits for with a generous bound, so a
 * regression fails the test instead of hanging it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbw_rpool.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

#define BOUND_S 30 /* a read that should not wait: done long before */

static char tmpdir[64];
static char dbpath[128];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int inside;  /* held reads inside their job */
static int release; /* set: held reads return */
static int done;    /* reads (threads) finished */

/* a slow report: stays inside its read transaction until released */
static fx_err
held_job(struct db *db, void *arg)
{
	int64_t at;
	fx_err rc;

	(void)arg;
	rc = db_heartbeat_get(db, &at); /* the snapshot is taken */
	pthread_mutex_lock(&mu);
	inside++;
	pthread_cond_broadcast(&cv);
	while (!release)
		pthread_cond_wait(&cv, &mu);
	inside--;
	pthread_mutex_unlock(&mu);
	return rc;
}

static fx_err
quick_job(struct db *db, void *arg)
{
	return db_heartbeat_get(db, arg);
}

static fx_err
write_job(struct db *db, void *arg)
{
	return db_heartbeat_set(db, *(int64_t *)arg);
}

struct reader {
	pthread_t tid;
	struct dbw *w;
	dbw_fn fn;
	int64_t at;
	fx_err rc;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;

	r->rc = dbw_read(r->w, r->fn, &r->at);
	pthread_mutex_lock(&mu);
	done++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void
start_reader(struct reader *r, struct dbw *w, dbw_fn fn)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->fn = fn;
	r->rc = FX_EINVAL;
	if (pthread_create(&r->tid, NULL, reader_main, r) != 0) {
		perror("pthread_create");
		exit(2);
	}
}

/* wait until *v reaches n or BOUND_S passed (or only ms when ms > 0);
 * whether it did */
static int
wait_for(int *v, int n, int ms)
{
	struct timespec until;
	int ok;

	clock_gettime(CLOCK_REALTIME, &until);
	if (ms > 0) {
		until.tv_nsec += (long)ms * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
	} else {
		until.tv_sec += BOUND_S;
	}
	pthread_mutex_lock(&mu);
	while (*v < n && pthread_cond_timedwait(&cv, &mu, &until) == 0)
		;
	ok = *v >= n;
	pthread_mutex_unlock(&mu);
	return ok;
}

static void
set_release(int v)
{
	pthread_mutex_lock(&mu);
	release = v;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void
test_held(struct dbw *w)
{
	struct reader held, quick;
	int64_t at = 1767225600;

	TEST("a read held in a slow job holds up no other read, nor a write") {
		inside = done = release = 0;
		start_reader(&held, w, held_job);
		CHECK(wait_for(&inside, 1, 0));
		/* the write is synced and visible to a new snapshot */
		CHECK_INT(dbw_call(w, write_job, &at), FX_OK);
		start_reader(&quick, w, quick_job);
		CHECK(wait_for(&done, 1, 0));
		CHECK_INT(quick.rc, FX_OK);
		CHECK_INT(quick.at, 1767225600);
		CHECK_INT(inside, 1); /* the slow one still inside */
		set_release(1);
		pthread_join(quick.tid, NULL);
		pthread_join(held.tid, NULL);
		CHECK_INT(held.rc, FX_OK);
	}
}

static void
test_pool_full(struct dbw *w)
{
	struct reader held[DBW_READERS], extra;
	int i;

	TEST("DBW_READERS reads at once; one more waits for a free one") {
		inside = done = release = 0;
		for (i = 0; i < DBW_READERS; i++)
			start_reader(&held[i], w, held_job);
		/* all inside together: they do not wait for one another */
		CHECK(wait_for(&inside, DBW_READERS, 0));
		start_reader(&extra, w, quick_job);
		/* no connection free: it cannot finish before one is back */
		CHECK(!wait_for(&done, 1, 200));
		CHECK_INT(done, 0);
		set_release(1);
		CHECK(wait_for(&done, DBW_READERS + 1, 0));
		for (i = 0; i < DBW_READERS; i++) {
			pthread_join(held[i].tid, NULL);
			CHECK_INT(held[i].rc, FX_OK);
		}
		pthread_join(extra.tid, NULL);
		CHECK_INT(extra.rc, FX_OK);
	}
}

static void
test_read_only(struct dbw *w)
{
	int64_t at = 42, back = 0;

	TEST("a read job cannot write (query_only)") {
		CHECK_INT(dbw_read(w, write_job, &at), FX_EDB);
		CHECK_INT(dbw_read(w, quick_job, &back), FX_OK);
		CHECK(back != 42);
	}
}

static void
test_pool_args(void)
{
	struct dbw_rpool *p = NULL;

	TEST("a pool needs a path and at least one connection") {
		CHECK_INT(dbw_rpool_new(dbpath, 0, &p), FX_EINVAL);
		CHECK(p == NULL);
		CHECK_INT(dbw_rpool_new(NULL, 2, &p), FX_EINVAL);
		CHECK_INT(dbw_rpool_new(dbpath, 1, &p), FX_OK);
		dbw_rpool_free(p);
		dbw_rpool_free(NULL);
	}
}

int
main(void)
{
	struct dbw *w = NULL;

	log_init(LOG_LVL_ERROR, 2);
	if (th_temp_db(tmpdir, sizeof(tmpdir), dbpath, sizeof(dbpath),
		"test_db_rpool", "p.db") != 0)
		return 2;
	if (dbw_start(dbpath, &w) != FX_OK) {
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	test_held(w);
	test_pool_full(w);
	test_read_only(w);
	test_pool_args();
	dbw_stop(w);
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
