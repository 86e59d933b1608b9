#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "fxlog.h"
#include "fxworker.h"
#include "banned.h"

#ifndef SCHED_BATCH
#define SCHED_BATCH 3 /* <sched.h> defines it only with _GNU_SOURCE */
#endif

void
fx_thread_batch(void)
{
#ifdef __linux__
	struct sched_param sp;
	int r;

	static atomic_int warned;

	memset(&sp, 0, sizeof(sp));
	r = pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
	/* once: the writer's lead over the other threads (and the README's
	 * figures) rely on it; a seccomp filter may refuse it */
	if (r != 0 && atomic_exchange(&warned, 1) == 0)
		log_warnx("%s: SCHED_BATCH refused (%s): the writer thread "
			  "no longer has the lead the performance figures "
			  "assume",
		    __func__, strerror(r));
#endif
}

static void *
worker_main(void *p)
{
	struct fx_worker *w = p;

	prctl(PR_SET_NAME, w->name, 0, 0, 0);
	if (!w->critical)
		fx_thread_batch();
	return w->fn(w->arg);
}

static fx_err
worker_start(struct fx_worker *w, const char *name, void *(*fn)(void *),
    void *arg, int critical)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->critical = critical;
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->fn = fn;
	w->arg = arg;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	r = pthread_create(&w->thread, NULL, worker_main, w);
	if (r != 0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(r));
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return FX_EIO;
	}
	w->started = 1;
	return FX_OK;
}

fx_err
fx_worker_start(struct fx_worker *w, const char *name, void *(*fn)(void *),
    void *arg)
{
	return worker_start(w, name, fn, arg, 0);
}

fx_err
fx_worker_start_critical(struct fx_worker *w, const char *name,
    void *(*fn)(void *), void *arg)
{
	return worker_start(w, name, fn, arg, 1);
}

void
fx_worker_stop(struct fx_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	w->started = 0;
}

void
fx_worker_kick(struct fx_worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->kicked = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
fx_worker_wait(struct fx_worker *w, int64_t ms)
{
	struct timespec ts;
	int stopping;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->stopping && !w->kicked)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
			break;
	w->kicked = 0;
	stopping = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stopping;
}

int
fx_worker_stopping(struct fx_worker *w)
{
	int s;

	pthread_mutex_lock(&w->mu);
	s = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return s;
}
