/*
 * timer.c - see timer.h.
 *
 * Thread model: one timer thread. It changes the store only through the
 * writer (dbw_call) and runs executors (which may block for their whole
 * timeout) with no transaction open, through the executor context that
 * main built (app->exec, read-only; it outlives the timer).
 */
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "metrics.h"
#include "sender.h"
#include "sm.h"
#include "timer.h"
#include "banned.h"

#define TIMER_CLAIM_MAX 16

#define PURGE_EVERY_S 3600 /* retention: once an hour */
#define PURGE_BATCH   5000 /* rows per table per writer job */
#define PURGE_ROUNDS  20   /* jobs per hour, at most */

struct timer {
	struct app *app;
	struct fx_worker wk;
	int64_t last_purge;
};

struct tick_job {
	const struct policy *pol;
	int64_t now;
	struct sm_job *jobs;
	size_t n;
};

static fx_err
job_housekeeping(struct db *db, void *arg)
{
	struct tick_job *t = arg;

	return sm_housekeeping(db, t->pol, t->now);
}

static fx_err
job_claim(struct db *db, void *arg)
{
	struct tick_job *t = arg;

	return sm_claim(db, t->pol, t->now, TIMER_CLAIM_MAX, &t->jobs, &t->n);
}

struct finish_job {
	const struct policy *pol;
	const struct sm_job *job;
	struct sm_result res;
	int64_t now;
};

static fx_err
job_finish(struct db *db, void *arg)
{
	struct finish_job *f = arg;

	return sm_finish(db, f->pol, f->job, &f->res, f->now);
}

static void
run_job(struct timer *t, const struct sm_job *j)
{
	const struct policy *pol = t->app->cfg->policy;
	const struct playbook *pb = policy_playbook(pol, j->playbook);
	struct finish_job fj;
	struct exec_out o;
	enum metric_fix m;
	fx_err rc;

	exec_out_init(&o);
	if (pb == NULL) {
		rc = FX_ENOTFOUND;
		if (buf_addf(&o.message, "playbook %s is no longer configured",
			j->playbook) != FX_OK)
			rc = FX_ENOMEM;
	} else if (j->undo) {
		rc = executor_undo(t->app->exec, pb, j->finding, j->prior_state,
		    &o);
	} else {
		rc = executor_fix(t->app->exec, pb, j->finding, &o);
	}
	memset(&fj, 0, sizeof(fj));
	fj.pol = pol;
	fj.job = j;
	fj.now = fx_now();
	fj.res.ok = rc == FX_OK && o.ok;
	fj.res.resolved = rc == FX_OK && o.resolved && !j->undo;
	fj.res.rehearsal =
	    o.rehearsal ||
	    json_is_true(json_object_get(o.prior_state, "dry_run"));
	fj.res.prior_state = o.prior_state;
	fj.res.message = o.message.len
			     ? buf_str(&o.message)
			     : (rc != FX_OK ? fx_strerror(rc) : "done");
	log_info("%s: %s #%lld (%s, attempt %d): %s: %s", __func__,
	    j->undo ? "undo" : "fix", (long long)j->finding_id, j->playbook,
	    j->attempt,
	    fj.res.resolved    ? "nothing to do"
	    : fj.res.rehearsal ? (fj.res.ok ? "rehearsed" : "rehearsal failed")
	    : fj.res.ok	       ? "ok"
			       : "failed",
	    fj.res.message);
	rc = dbw_call(t->app->w, job_finish, &fj);
	if (rc == FX_ECONFLICT)
		log_warnx("%s: #%lld: lease lost, outcome not recorded",
		    __func__, (long long)j->finding_id);
	else if (rc != FX_OK)
		log_warnx("%s: #%lld: cannot record outcome: %s", __func__,
		    (long long)j->finding_id, fx_strerror(rc));
	if (j->undo)
		m = fj.res.ok && !fj.res.rehearsal ? FIX_ROLLED_BACK
						   : FIX_UNDO_FAILED;
	else if (fj.res.resolved)
		m = FIX_RESOLVED;
	else if (fj.res.rehearsal && fj.res.ok)
		m = FIX_REHEARSED;
	else if (fj.res.ok)
		m = FIX_FIXED;
	else
		m = j->attempt >= (pb ? pb->max_attempts : 1) ? FIX_FAILED
							      : FIX_RETRY;
	metrics_fix(t->app->metrics, m);
	exec_out_release(&o);
}

struct purge_job {
	int64_t before, n;
};

static fx_err
job_purge(struct db *db, void *arg)
{
	struct purge_job *p = arg;

	return db_purge(db, p->before, PURGE_BATCH, &p->n);
}

/* retention, in bounded batches that never hold the writer for long */
static void
purge(struct timer *t, int64_t now)
{
	struct purge_job p;
	int64_t total = 0;
	int i;

	if (now - t->last_purge < PURGE_EVERY_S)
		return;
	t->last_purge = now;
	p.before = now - t->app->cfg->retention;
	for (i = 0; i < PURGE_ROUNDS; i++) {
		p.n = 0;
		if (dbw_call(t->app->w, job_purge, &p) != FX_OK) {
			log_warnx("%s: retention purge failed", __func__);
			return;
		}
		total += p.n;
		if (p.n < PURGE_BATCH)
			break;
	}
	if (total > 0)
		log_info("%s: %lld delivered messages, processed events and "
			 "scan records older than the retention deleted",
		    __func__, (long long)total);
}

static void
tick(struct timer *t)
{
	struct tick_job tj;
	size_t i;
	fx_err rc;

	memset(&tj, 0, sizeof(tj));
	tj.pol = t->app->cfg->policy;
	tj.now = fx_now();
	purge(t, tj.now);
	rc = dbw_call(t->app->w, job_housekeeping, &tj);
	if (rc != FX_OK)
		log_warnx("%s: housekeeping: %s", __func__, fx_strerror(rc));
	sender_kick(t->app->sender);
	rc = dbw_call(t->app->w, job_claim, &tj);
	if (rc != FX_OK) {
		log_warnx("%s: claim: %s", __func__, fx_strerror(rc));
		return;
	}
	for (i = 0; i < tj.n; i++) {
		run_job(t, &tj.jobs[i]);
		sender_kick(t->app->sender);
	}
	for (i = 0; i < tj.n; i++)
		sm_job_release(&tj.jobs[i]);
	free(tj.jobs);
}

struct reconcile_job {
	const struct policy *pol;
	int64_t now;
	struct sm_reconcile r;
};

static fx_err
job_reconcile(struct db *db, void *arg)
{
	struct reconcile_job *j = arg;

	return sm_reconcile_step(db, j->pol, j->now, &j->r);
}

/*
 * sm_reconcile at start-up, one bounded step per writer job: the writes
 * submitted meanwhile are queued between two steps, not behind all of
 * them.
 */
static void
reconcile(struct timer *t)
{
	struct reconcile_job j;
	int64_t t0 = fx_mono_ms();
	size_t steps = 0;

	memset(&j, 0, sizeof(j));
	j.pol = t->app->cfg->policy;
	j.now = fx_now();
	while (!j.r.done && !fx_worker_stopping(&t->wk)) {
		if (dbw_call(t->app->w, job_reconcile, &j) != FX_OK) {
			log_warnx("%s: reconcile failed", __func__);
			return;
		}
		steps++;
	}
	log_info("%s: %s in %zu steps, %lld ms", __func__,
	    j.r.done ? "done" : "stopped (the next start goes on)", steps,
	    (long long)(fx_mono_ms() - t0));
}

void
timer_kick(struct timer *t)
{
	if (t != NULL)
		fx_worker_kick(&t->wk);
}

static void *
timer_main(void *arg)
{
	struct timer *t = arg;

	reconcile(t);
	if (fx_worker_stopping(&t->wk))
		return NULL;
	do
		tick(t);
	while (!fx_worker_wait(&t->wk, t->app->cfg->tick * 1000));
	return NULL;
}

fx_err
timer_start(struct app *app, struct timer **out)
{
	struct timer *t;
	fx_err rc;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return FX_ENOMEM;
	t->app = app;
	rc = fx_worker_start(&t->wk, "fixit-timer", timer_main, t);
	if (rc != FX_OK) {
		free(t);
		return rc;
	}
	*out = t;
	return FX_OK;
}

void
timer_stop(struct timer *t)
{
	if (t == NULL)
		return;
	fx_worker_stop(&t->wk);
	free(t);
}
