/*
 * fxworker.h - one background thread with a stop flag and a wake-up
 * ("kick"), the shape shared by the writer, sender and timer threads.
 *
 * The owner embeds struct fx_worker, calls fx_worker_start with the
 * thread's function, and fx_worker_stop to set the stop flag, wake the
 * thread and join it. The thread loops on fx_worker_wait. mu may also
 * guard the owner's own state (the writer's queue does).
 */
#ifndef FIXIT_FXWORKER_H
#define FIXIT_FXWORKER_H

#include <pthread.h>
#include <stdint.h>

#include "fxerr.h"

struct fx_worker {
	pthread_t thread;
	char name[16]; /* thread name, as top -H shows it */
	void *(*fn)(void *);
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping, kicked, started;
	int critical; /* keeps the normal scheduling policy */
};

/*
 * Signals: fixitd's main blocks them all before any thread starts.
 * The thread runs SCHED_BATCH (fx_thread_batch); fx_worker_start_critical
 * is for the one thread all others wait on, the store's writer.
 */
fx_err fx_worker_start(struct fx_worker *w, const char *name,
    void *(*fn)(void *), void *arg) FX_WUR;
fx_err fx_worker_start_critical(struct fx_worker *w, const char *name,
    void *(*fn)(void *), void *arg) FX_WUR;
/*
 * Make the calling thread SCHED_BATCH (Linux; elsewhere nothing): when
 * it wakes up it waits for its turn instead of preempting the thread
 * that woke it. fixitd runs every thread so but the writer, so that
 * handing the writer work or taking its results back never interrupts
 * it in the middle of a batch (under load each such preemption cost it
 * about 0.1 ms, thousands of times a second). Needs no privilege; on
 * failure the thread keeps its policy (logged at debug level).
 */
void fx_thread_batch(void);
/* set stopping, wake, join, destroy; safe on a worker that never started */
void fx_worker_stop(struct fx_worker *w);
void fx_worker_kick(struct fx_worker *w);
/*
 * Wait until kicked, stopped or ms milliseconds passed; clears the kick.
 * Returns 1 when the worker is stopping.
 */
int fx_worker_wait(struct fx_worker *w, int64_t ms);
int fx_worker_stopping(struct fx_worker *w);

#endif
