/*
 * test_common_worker.c - background threads: kick, wait, stop, and the
 * scheduling policy (SCHED_BATCH for all but the critical writer).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "fxlog.h"
#include "fxworker.h"
#include "testhelp.h"
#include "banned.h"

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif

struct probe {
	struct fx_worker wk;
	int policy; /* the thread's own, as it saw it */
	int wakes;  /* kicks seen before the stop */
};

static void *
probe_main(void *arg)
{
	struct probe *p = arg;
	struct sched_param sp;

	if (pthread_getschedparam(pthread_self(), &p->policy, &sp) != 0)
		p->policy = -1;
	while (!fx_worker_wait(&p->wk, 5000))
		p->wakes++;
	return NULL;
}

int
main(void)
{
	struct probe batch, crit;
	int policy;
	struct sched_param sp;

	log_init(LOG_LVL_ERROR, 2);
	memset(&batch, 0, sizeof(batch));
	memset(&crit, 0, sizeof(crit));

	TEST("workers run SCHED_BATCH, the critical one keeps its policy") {
		CHECK_INT(fx_worker_start(&batch.wk, "t-batch", probe_main,
			      &batch),
		    FX_OK);
		CHECK_INT(fx_worker_start_critical(&crit.wk, "t-crit",
			      probe_main, &crit),
		    FX_OK);
		fx_worker_kick(&batch.wk);
		fx_worker_stop(&batch.wk);
		fx_worker_stop(&crit.wk);
		CHECK_INT(batch.policy, SCHED_BATCH);
		CHECK_INT(crit.policy, SCHED_OTHER);
		/* kicked once, then stopped: at most one wake counted */
		CHECK(batch.wakes <= 1);
		CHECK_INT(crit.wakes, 0);
	}

	TEST("fx_thread_batch on the calling thread") {
		CHECK_INT(pthread_getschedparam(pthread_self(), &policy, &sp),
		    0);
		CHECK_INT(policy, SCHED_OTHER);
		fx_thread_batch();
		CHECK_INT(pthread_getschedparam(pthread_self(), &policy, &sp),
		    0);
		CHECK_INT(policy, SCHED_BATCH);
	}

	TEST("stop on a worker that never started") {
		struct fx_worker never;

		memset(&never, 0, sizeof(never));
		fx_worker_stop(&never);
		CHECK(!never.started);
	}
	return TEST_REPORT();
}
