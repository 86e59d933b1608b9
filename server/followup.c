/*
 * followup.c - the follow-up sender (see followup.h).
 *
 * A small list of answers, each with the time of its next try; the
 * thread sends the first one due, sleeps until the next is due or a new
 * one arrives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "followup.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "metrics.h"
#include "slack_hook.h"
#include "banned.h"

#define FOLLOWUP_IDLE_MS  1000
#define FOLLOWUP_FIRST_MS 1000 /* backoff after the first failure */

struct answer {
	char *url;
	json_t *body;	    /* {"response_type":"ephemeral","text":...} */
	int64_t expires_ms; /* fx_now_ms: the URL's 30 minutes are over */
	int64_t next_ms;    /* fx_mono_ms of the next try */
	int tries;
	struct answer *next;
};

struct followup {
	struct app *app;
	struct fx_worker wk; /* wk.mu guards the list */
	struct answer *head;
	int n;
	struct slack_hook *hook; /* live mode: made on the first answer */
};

static void
answer_free(struct answer *an)
{
	if (an == NULL)
		return;
	free(an->url);
	json_decref(an->body);
	free(an);
}

static void
gave_up(struct followup *f, const char *why)
{
	metrics_followup(f->app->metrics, FU_FAILED);
	log_warnx("%s: a /fixit answer was not delivered: %s", __func__, why);
}

void
followup_add(struct followup *f, const char *url, int64_t at, const char *text,
    json_t *blocks)
{
	struct answer *an = NULL;

	if (!slack_hook_url_ok(f->app->cfg->slack_hooks_base, url)) {
		/* the URL is not quoted: whatever it is, it is not ours */
		metrics_followup(f->app->metrics, FU_REFUSED);
		log_warnx("%s: response_url is not under slack.hooks_base: "
			  "the late answer is not sent",
		    __func__);
		goto out;
	}
	if ((an = calloc(1, sizeof(*an))) == NULL ||
	    (an->url = strdup(url)) == NULL ||
	    (an->body = json_pack("{s:s,s:s,s:O*}", "response_type",
		 "ephemeral", "text", text, "blocks", blocks)) == NULL) {
		gave_up(f, "out of memory");
		goto out;
	}
	/* body holds its own reference: drop ours on this thread, before
	 * the sender thread may free body */
	json_decref(blocks);
	blocks = NULL;
	an->expires_ms = at * 1000 + FOLLOWUP_URL_LIFE * 1000;
	an->next_ms = fx_mono_ms();
	pthread_mutex_lock(&f->wk.mu);
	if (f->n < FOLLOWUP_MAX) {
		an->next = f->head;
		f->head = an;
		f->n++;
		an = NULL;
	}
	pthread_mutex_unlock(&f->wk.mu);
	if (an != NULL)
		gave_up(f, "too many answers waiting");
	else
		fx_worker_kick(&f->wk);
out:
	answer_free(an);
	json_decref(blocks);
}

/* the answer due first, taken off the list, or NULL with *wait_ms set */
static struct answer *
take_due(struct followup *f, int64_t now, int64_t *wait_ms)
{
	struct answer **pp, **best = NULL, *an;

	*wait_ms = FOLLOWUP_IDLE_MS;
	pthread_mutex_lock(&f->wk.mu);
	for (pp = &f->head; *pp != NULL; pp = &(*pp)->next)
		if (best == NULL || (*pp)->next_ms < (*best)->next_ms)
			best = pp;
	an = best != NULL ? *best : NULL;
	if (an != NULL && an->next_ms > now) {
		if (an->next_ms - now < *wait_ms)
			*wait_ms = an->next_ms - now;
		an = NULL;
	} else if (an != NULL) {
		*best = an->next;
		f->n--;
	}
	pthread_mutex_unlock(&f->wk.mu);
	return an;
}

static void
put_back(struct followup *f, struct answer *an)
{
	pthread_mutex_lock(&f->wk.mu);
	an->next = f->head;
	f->head = an;
	f->n++;
	pthread_mutex_unlock(&f->wk.mu);
}

/* console mode: the answer for a person to read */
static fx_err
print_answer(const struct answer *an)
{
	const char *t = json_string_value(json_object_get(an->body, "text"));

	printf("--- /fixit answer (response_url) ---\n%s\n", t ? t : "");
	fflush(stdout);
	return FX_OK;
}

/* one try; the answer is freed or put back for a later one */
static void
try_answer(struct followup *f, struct answer *an)
{
	struct buf err = BUF_INIT;
	int64_t ra = 0, wait;
	fx_err rc;

	buf_init(&err, 256);
	if (f->app->cfg->slack_mode != SLACK_LIVE)
		rc = print_answer(an);
	else if (f->hook == NULL && (rc = slack_hook_new(&f->hook)) != FX_OK)
		rc = FX_ERETRY;
	else
		rc = slack_hook_post(f->hook, an->url, an->body, &ra, &err);
	an->tries++;
	if (rc == FX_OK) {
		metrics_followup(f->app->metrics, FU_SENT);
		answer_free(an);
		goto out;
	}
	wait = (int64_t)FOLLOWUP_FIRST_MS << (an->tries - 1);
	if (wait > FOLLOWUP_MAX_WAIT)
		wait = FOLLOWUP_MAX_WAIT;
	if (ra * 1000 > wait)
		wait = ra * 1000;
	if (rc != FX_ERETRY || an->tries >= FOLLOWUP_TRIES ||
	    fx_now_ms() + wait >= an->expires_ms) {
		gave_up(f, err.len ? buf_str(&err) : fx_strerror(rc));
		answer_free(an);
		goto out;
	}
	log_info("%s: %s: trying again in %lld ms", __func__,
	    err.len ? buf_str(&err) : fx_strerror(rc), (long long)wait);
	an->next_ms = fx_mono_ms() + wait;
	put_back(f, an);
out:
	buf_release(&err);
}

static void *
followup_main(void *arg)
{
	struct followup *f = arg;
	struct answer *an;
	int64_t wait;

	for (;;) {
		while ((an = take_due(f, fx_mono_ms(), &wait)) != NULL)
			try_answer(f, an);
		if (fx_worker_wait(&f->wk, wait))
			break;
	}
	return NULL;
}

fx_err
followup_start(struct app *a, struct followup **out)
{
	struct followup *f;
	fx_err rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return FX_ENOMEM;
	f->app = a;
	rc = fx_worker_start(&f->wk, "followup", followup_main, f);
	if (rc != FX_OK) {
		free(f);
		return rc;
	}
	*out = f;
	return FX_OK;
}

void
followup_stop(struct followup *f)
{
	struct answer *an;
	int n = 0;

	if (f == NULL)
		return;
	fx_worker_stop(&f->wk);
	while ((an = f->head) != NULL) {
		f->head = an->next;
		metrics_followup(f->app->metrics, FU_FAILED);
		answer_free(an);
		n++;
	}
	if (n > 0)
		log_warnx("%s: %d late /fixit answers not delivered: stopping",
		    __func__, n);
	slack_hook_free(f->hook);
	free(f);
}
