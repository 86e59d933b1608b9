/*
 * cmdq.c - /fixit commands on workers with a deadline (see cmdq.h).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cmdq.h"
#include "followup.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "slack_notice.h"
#include "metrics.h"
#include "sender.h"
#include "slack_hook.h"
#include "slack_payload.h"
#include "banned.h"

#define CMDQ_REPLY_CAP 8192

struct cmdq_job {
	atomic_int refs;
	struct slack_command sc; /* its strings, taken from the request */
	int64_t at;		 /* fx_now when it arrived */
	int64_t deadline_ms;	 /* fx_mono_ms by which the HTTP answers */
	struct http_request *r;	 /* its HTTP answer is pending: in q->wait */
	struct buf reply;
	json_t *blocks;
	struct cmdq_job *next;	/* q->queue */
	struct cmdq_job *wnext; /* q->wait */
};

struct cmdq {
	struct app *app;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;	 /* a job queued, or stopping */
	pthread_cond_t clock_cv; /* a job waits (CLOCK_MONOTONIC) */
	struct cmdq_job *qhead, *qtail;
	int qlen;
	struct cmdq_job *whead, *wtail; /* HTTP answers pending */
	int stopping;
	struct fx_worker workers[CMDQ_WORKERS];
	struct fx_worker clock;
	struct followup *fu;
};

struct cmdq_job *
cmdq_job_new(struct slack_command *sc)
{
	struct cmdq_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	atomic_init(&j->refs, 1);
	j->sc = *sc;
	memset(sc, 0, sizeof(*sc));
	j->at = fx_now();
	buf_init(&j->reply, CMDQ_REPLY_CAP);
	return j;
}

void
cmdq_job_release(void *p)
{
	struct cmdq_job *j = p;

	if (j == NULL || atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	slack_command_release(&j->sc);
	buf_release(&j->reply);
	json_decref(j->blocks);
	free(j);
}

const char *
cmdq_job_text(const struct cmdq_job *j)
{
	return buf_str(&j->reply);
}

json_t *
cmdq_job_blocks(const struct cmdq_job *j)
{
	return j->blocks;
}

int
cmdq_job_can_follow(const struct app *a, const struct cmdq_job *j)
{
	return slack_hook_url_ok(a->cfg->slack_hooks_base, j->sc.response_url);
}

/* under q->mu: j leaves the pending list; its request, to resume */
static struct http_request *
take_request(struct cmdq *q, struct cmdq_job *j)
{
	struct cmdq_job **pp, *prev = NULL;
	struct http_request *r = j->r;

	if (r == NULL)
		return NULL;
	for (pp = &q->whead; *pp != NULL; prev = *pp, pp = &(*pp)->wnext)
		if (*pp == j) {
			*pp = j->wnext;
			if (q->wtail == j)
				q->wtail = prev;
			break;
		}
	j->wnext = NULL;
	j->r = NULL;
	return r;
}

fx_err
cmdq_submit(struct app *a, void *job, struct http_request *r)
{
	struct cmdq *q = a->cmdq;
	struct cmdq_job *j = job;
	fx_err rc = FX_OK;

	if (q == NULL) /* not started: nothing runs commands */
		return FX_ESTOPPED;
	pthread_mutex_lock(&q->mu);
	if (q->stopping)
		rc = FX_ESTOPPED;
	else if (q->qlen >= CMDQ_QUEUE)
		rc = FX_ETOOBIG;
	if (rc != FX_OK)
		goto out;
	atomic_fetch_add(&j->refs, 1); /* the queue's */
	j->r = r;
	j->deadline_ms = fx_mono_ms() + a->cfg->slack_command_deadline * 1000;
	j->next = NULL;
	if (q->qtail != NULL)
		q->qtail->next = j;
	else
		q->qhead = j;
	q->qtail = j;
	q->qlen++;
	if (q->wtail != NULL)
		q->wtail->wnext = j;
	else
		q->whead = j;
	q->wtail = j;
	pthread_cond_signal(&q->work_cv);
	pthread_cond_signal(&q->clock_cv);
out:
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* the answer says that fixit is slow, not that it failed */
static void
run_command(struct cmdq *q, struct cmdq_job *j)
{
	struct app *a = q->app;
	fx_err rc;

	rc = cmd_run(a->w, a->cfg->policy, a->scan, j->sc.user_id, j->sc.text,
	    fx_now(), &j->reply, &j->blocks);
	if (rc != FX_OK) {
		log_warnx("%s: %s %s by %s: %s", __func__, j->sc.command,
		    j->sc.text, j->sc.user_id, fx_strerror(rc));
		buf_reset(&j->reply);
		if (buf_adds(&j->reply, slack_notice_text(SN_COMMAND_FAILED)) !=
		    FX_OK)
			buf_reset(&j->reply);
	}
	sender_kick(a->sender);
}

static void *
worker_main(void *arg)
{
	struct cmdq *q = arg;
	struct http_request *r;
	struct cmdq_job *j;
	json_t *blocks;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stopping && q->qhead == NULL)
			pthread_cond_wait(&q->work_cv, &q->mu);
		if (q->stopping)
			break;
		j = q->qhead;
		q->qhead = j->next;
		if (q->qhead == NULL)
			q->qtail = NULL;
		q->qlen--;
		/* waited past its deadline: say so before running it */
		r = fx_mono_ms() >= j->deadline_ms ? take_request(q, j) : NULL;
		pthread_mutex_unlock(&q->mu);
		if (r != NULL) {
			metrics_followup(q->app->metrics, FU_DELAYED);
			http_resume(r, FX_ETIMEOUT);
		}
		run_command(q, j);
		pthread_mutex_lock(&q->mu);
		r = take_request(q, j);
		pthread_mutex_unlock(&q->mu);
		if (r != NULL) {
			metrics_followup(q->app->metrics, FU_INLINE);
			http_resume(r, FX_OK);
		} else {
			blocks = j->blocks;
			j->blocks = NULL;
			followup_add(q->fu, j->sc.response_url, j->at,
			    buf_str(&j->reply), blocks);
		}
		cmdq_job_release(j);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static void
mono_deadline(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

/* answers each pending request whose deadline passed */
static void *
clock_main(void *arg)
{
	struct cmdq *q = arg;
	struct http_request *r;
	struct timespec ts;
	int64_t now;

	pthread_mutex_lock(&q->mu);
	while (!q->stopping) {
		if (q->whead == NULL) {
			pthread_cond_wait(&q->clock_cv, &q->mu);
			continue;
		}
		now = fx_mono_ms();
		if (now < q->whead->deadline_ms) {
			mono_deadline(q->whead->deadline_ms, &ts);
			pthread_cond_timedwait(&q->clock_cv, &q->mu, &ts);
			continue;
		}
		r = take_request(q, q->whead);
		pthread_mutex_unlock(&q->mu);
		metrics_followup(q->app->metrics, FU_DELAYED);
		http_resume(r, FX_ETIMEOUT);
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

fx_err
cmdq_start(struct app *a, struct cmdq **out)
{
	struct cmdq *q;
	pthread_condattr_t ca;
	fx_err rc;
	int i;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return FX_ENOMEM;
	q->app = a;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work_cv, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->clock_cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = followup_start(a, &q->fu);
	for (i = 0; rc == FX_OK && i < CMDQ_WORKERS; i++)
		rc = fx_worker_start(&q->workers[i], "cmd", worker_main, q);
	if (rc == FX_OK)
		rc = fx_worker_start(&q->clock, "cmdclock", clock_main, q);
	if (rc != FX_OK) {
		cmdq_stop(q);
		return rc;
	}
	*out = q;
	return FX_OK;
}

/* fx_mono_ms counts from CLOCK_MONOTONIC, as clock_cv waits */
void
cmdq_stop(struct cmdq *q)
{
	struct cmdq_job *j;
	struct http_request *r;
	int i, dropped = 0;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = 1;
	pthread_cond_broadcast(&q->work_cv);
	pthread_cond_broadcast(&q->clock_cv);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < CMDQ_WORKERS; i++)
		fx_worker_stop(&q->workers[i]);
	fx_worker_stop(&q->clock);
	while ((j = q->qhead) != NULL) {
		q->qhead = j->next;
		if ((r = take_request(q, j)) != NULL)
			http_resume(r, FX_ESTOPPED);
		else {
			metrics_followup(q->app->metrics, FU_FAILED);
			dropped++;
		}
		cmdq_job_release(j);
	}
	if (dropped > 0)
		log_warnx("%s: %d late /fixit answers dropped: stopping",
		    __func__, dropped);
	followup_stop(q->fu);
	pthread_cond_destroy(&q->clock_cv);
	pthread_cond_destroy(&q->work_cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
