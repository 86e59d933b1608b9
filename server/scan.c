/*
 * scan.c - the scheduled scan (see scan.h).
 *
 * Thread model: one thread "fixit-scan" waits for the configured UTC hour
 * (once a day), a start-up scan or a request; a scan then starts up to
 * aws.scan.concurrency worker threads ("fixit-scanw"), each with its own
 * AWS client, taking account x region pairs from a shared index. A pair
 * runs every aws playbook's detection; its results go to the writer in
 * one job per playbook (ingest what was seen, then resolve what a
 * complete detection no longer sees). Nothing is resolved for a playbook
 * whose detection failed or was cut short.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws_exec.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "playbook.h"
#include "scan.h"
#include "sender.h"
#include "sm.h"
#include "banned.h"

#define SCAN_POLL_MS 30000

struct pair {
	const struct account *a;
	const char *region;
	int first; /* the account's first region: global
				 * playbooks (Route 53) are scanned here */
};

struct scan {
	struct app *app;
	struct aws_exec *aws;
	struct fx_worker wk;
	pthread_mutex_t mu; /* guards the fields below */
	int requested;
	int running;
	int64_t last_day; /* UTC day number of the last daily scan */
	/* the running scan */
	struct pair *pairs;
	size_t npairs, next;
};

/* ---- one playbook in one pair ----------------------------------------- */

struct apply_job {
	const struct policy *pol;
	const struct playbook *pb;
	const struct pair *p;
	struct finding_in *items;
	size_t n;
	int resolve; /* detection complete: resolve the unseen */
	int64_t now;
	size_t resolved;
	struct ingest_result res;
};

/* the resource ids the detection reported, as a set (object keys) */
static json_t *
seen_set(const struct apply_job *j)
{
	json_t *set = json_object();
	size_t i;

	for (i = 0; set != NULL && i < j->n; i++)
		if (json_object_set_new(set, j->items[i].resource_id,
			json_true()) != 0) {
			json_decref(set);
			set = NULL;
		}
	return set;
}

static fx_err
resolve_unseen(struct db *db, struct apply_job *j)
{
	struct finding_in *gone = NULL;
	json_t *active = NULL, *seen = NULL, *v;
	struct ingest_result r;
	size_t i, n = 0;
	fx_err rc;

	rc = db_finding_active_resources(db, j->pb->name, j->p->a->id,
	    j->p->region, &active);
	if (rc != FX_OK)
		return rc;
	if ((gone = calloc(json_array_size(active) + 1, sizeof(*gone))) ==
		NULL ||
	    (seen = seen_set(j)) == NULL) {
		free(gone);
		json_decref(active);
		return FX_ENOMEM;
	}
	json_array_foreach(active, i, v) {
		if (json_object_get(seen, json_string_value(v)) != NULL)
			continue;
		gone[n].playbook = j->pb->name;
		gone[n].account_id = j->p->a->id;
		gone[n].region = j->p->region;
		gone[n].resource_id = json_string_value(v);
		gone[n].title = "no longer found by the scan";
		gone[n].observed_at = j->now;
		gone[n].resolved = 1;
		n++;
	}
	memset(&r, 0, sizeof(r));
	rc = n > 0 ? sm_ingest(db, j->pol, gone, n, j->now, &r) : FX_OK;
	j->resolved = r.resolved;
	free(gone);
	json_decref(seen);
	json_decref(active);
	return rc;
}

static fx_err
apply_job_run(struct db *db, void *arg)
{
	struct apply_job *j = arg;
	fx_err rc = FX_OK;

	if (j->n > 0)
		rc = sm_ingest(db, j->pol, j->items, j->n, j->now, &j->res);
	if (rc == FX_OK && j->resolve)
		rc = resolve_unseen(db, j);
	return rc;
}

/*
 * what detection found -> checked findings, borrowing from found (bad
 * ones skipped, logged)
 */
static fx_err
make_items(const struct policy *pol, const struct playbook *pb,
    const struct pair *p, const struct pb_found_list *found,
    struct finding_in **items, size_t *n)
{
	struct buf err = BUF_INIT;
	struct finding_in *it;
	const struct pb_found *f;
	size_t i;
	fx_err rc = FX_OK;

	*n = 0;
	*items = calloc(found->n + 1, sizeof(**items));
	if (*items == NULL)
		return FX_ENOMEM;
	buf_init(&err, 1024);
	for (i = 0; i < found->n; i++) {
		f = &found->v[i];
		it = &(*items)[*n];
		memset(it, 0, sizeof(*it));
		it->playbook = pb->name;
		it->account_id = p->a->id;
		it->region = p->region;
		it->resource_id = f->resource_id;
		it->human_key = f->human_key;
		it->resource_arn = f->resource_arn;
		it->title = f->title;
		it->owner_email = f->owner_email;
		it->owner_slack_id = f->owner_slack_id;
		it->details = f->details;
		buf_reset(&err);
		rc = sm_check_finding(pol, it, i, &err);
		if (rc == FX_EINVAL) {
			log_warnx("%s: %s in %s/%s: skipped: %s", __func__,
			    pb->name, p->a->id, p->region, buf_str(&err));
			rc = FX_OK;
			continue;
		}
		if (rc != FX_OK)
			break;
		(*n)++;
	}
	buf_release(&err);
	return rc;
}

/* detection of pb in pair p, then its results recorded; 0 when complete */
static int
scan_playbook(struct scan *s, struct aws_client *c, const struct pair *p,
    const struct playbook *pb, int64_t *nfound, int64_t *nresolved,
    struct buf *why)
{
	const struct policy *pol = s->app->cfg->policy;
	struct pb_found_list found = PB_FOUND_LIST_INIT;
	struct apply_job j;
	fx_err rc, drc;

	memset(&j, 0, sizeof(j));
	j.pol = pol;
	j.pb = pb;
	j.p = p;
	j.now = fx_now();
	rc = aws_exec_detect(s->aws, c, pb, p->a, p->region, &found, why);
	if (rc == FX_ETOOBIG)
		goto out;
	j.resolve = rc == FX_OK;
	drc = make_items(pol, pb, p, &found, &j.items, &j.n);
	if (drc != FX_OK) {
		rc = drc;
		goto out;
	}
	drc = dbw_call(s->app->w, apply_job_run, &j);
	if (drc != FX_OK && rc == FX_OK)
		rc = drc;
	*nfound += (int64_t)j.n;
	*nresolved += (int64_t)j.resolved;
	sender_kick(s->app->sender);
out:
	if (rc != FX_OK && why->len == 0 &&
	    buf_addf(why, "%s: %s", pb->name, fx_strerror(rc)) != FX_OK)
		buf_reset(why);
	free(j.items);
	pb_found_list_release(&found);
	return rc == FX_OK ? 0 : -1;
}

struct rec_job {
	struct scan_rec r;
};

static fx_err
rec_job_run(struct db *db, void *arg)
{
	return db_scan_add(db, &((struct rec_job *)arg)->r);
}

static void
scan_pair(struct scan *s, struct aws_client *c, const struct pair *p)
{
	const struct policy *pol = s->app->cfg->policy;
	struct buf why = BUF_INIT, one = BUF_INIT;
	struct rec_job rj;
	struct pair gp;
	size_t i;
	int failed = 0, global;

	memset(&rj, 0, sizeof(rj));
	buf_init(&why, 2048);
	buf_init(&one, 1024);
	rj.r.account_id = p->a->id;
	rj.r.region = p->region;
	rj.r.started_at = fx_now();
	for (i = 0; i < pol->nplaybooks; i++) {
		const struct playbook *pb = &pol->playbooks[i];

		if (!aws_exec_uses(pb) || pb->mode == PB_OFF)
			continue;
		global = aws_exec_global(pb);
		if (global && !p->first)
			continue; /* one scan per account */
		gp.a = p->a;
		gp.region = AWS_GLOBAL_REGION;
		buf_reset(&one);
		if (scan_playbook(s, c, global ? &gp : p, pb, &rj.r.found,
			&rj.r.resolved, &one) == 0)
			continue;
		failed = 1;
		log_warnx("%s: %s/%s: %s", __func__, p->a->id, p->region,
		    buf_str(&one));
		if ((why.len > 0 && buf_adds(&why, "; ") != FX_OK) ||
		    buf_adds(&why, buf_str(&one)) != FX_OK)
			continue; /* the first reasons are kept */
	}
	rj.r.ok = !failed;
	rj.r.error = failed ? buf_str(&why) : NULL;
	rj.r.finished_at = fx_now();
	if (dbw_call(s->app->w, rec_job_run, &rj) != FX_OK)
		log_warnx("%s: cannot record the scan of %s/%s", __func__,
		    p->a->id, p->region);
	log_info("%s: %s/%s: %s, %lld findings, %lld resolved", __func__,
	    p->a->id, p->region, failed ? "incomplete" : "complete",
	    (long long)rj.r.found, (long long)rj.r.resolved);
	buf_release(&why);
	buf_release(&one);
}

/* ---- workers ---------------------------------------------------------- */

static const struct pair *
next_pair(struct scan *s)
{
	const struct pair *p = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->next < s->npairs && !fx_worker_stopping(&s->wk))
		p = &s->pairs[s->next++];
	pthread_mutex_unlock(&s->mu);
	return p;
}

static void *
worker_main(void *arg)
{
	struct scan *s = arg;
	struct aws_client *c = NULL;
	const struct pair *p;

	if (aws_exec_client(s->aws, &c) != FX_OK) {
		log_warnx("%s: cannot create an AWS client", __func__);
		return NULL;
	}
	while ((p = next_pair(s)) != NULL)
		scan_pair(s, c, p);
	aws_client_free(c);
	return NULL;
}

static fx_err
make_pairs(struct scan *s)
{
	const struct policy *pol = s->app->cfg->policy;
	const char *const *regions;
	size_t i, k, nr, n = 0;

	for (i = 0; i < pol->naccounts; i++) {
		(void)policy_regions(pol, &pol->accounts[i], &nr);
		n += nr;
	}
	free(s->pairs);
	if ((s->pairs = calloc(n + 1, sizeof(*s->pairs))) == NULL)
		return FX_ENOMEM;
	s->npairs = 0;
	for (i = 0; i < pol->naccounts; i++) {
		regions = policy_regions(pol, &pol->accounts[i], &nr);
		for (k = 0; k < nr; k++) {
			s->pairs[s->npairs].a = &pol->accounts[i];
			s->pairs[s->npairs].region = regions[k];
			s->pairs[s->npairs].first = k == 0;
			s->npairs++;
		}
	}
	s->next = 0;
	return FX_OK;
}

static void
run_scan(struct scan *s, const char *why)
{
	const struct policy *pol = s->app->cfg->policy;
	pthread_t th[64];
	int i, n, started = 0;
	int64_t t0 = fx_mono_ms();

	pthread_mutex_lock(&s->mu);
	s->running = 1;
	pthread_mutex_unlock(&s->mu);
	if (make_pairs(s) != FX_OK) {
		log_warnx("%s: out of memory", __func__);
		goto out;
	}
	n = pol->aws.scan_concurrency;
	if (n < 1)
		n = 1;
	if ((size_t)n > s->npairs)
		n = (int)s->npairs;
	if (n > 64)
		n = 64;
	log_info("%s: scan (%s): %zu account x region pairs, %d at a time",
	    __func__, why, s->npairs, n);
	for (i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, worker_main, s) != 0)
			break;
		started++;
	}
	if (started == 0 && s->npairs > 0)
		worker_main(s); /* no thread: scan here, one at a time */
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	log_info("%s: scan (%s) done in %lld ms", __func__, why,
	    (long long)(fx_mono_ms() - t0));
out:
	pthread_mutex_lock(&s->mu);
	s->running = 0;
	pthread_mutex_unlock(&s->mu);
}

/* ---- the schedule ------------------------------------------------------ */

int
scan_daily_due(int hour, int64_t now, int64_t *last_day)
{
	int64_t day = now / 86400;

	if (hour < 0 || now < 0 || (now % 86400) / 3600 != hour ||
	    day == *last_day)
		return 0;
	*last_day = day;
	return 1;
}

static void *
scan_main(void *arg)
{
	struct scan *s = arg;
	int req;

	if (s->app->cfg->policy->aws.scan_at_start)
		run_scan(s, "start-up");
	do {
		pthread_mutex_lock(&s->mu);
		req = s->requested;
		s->requested = 0;
		pthread_mutex_unlock(&s->mu);
		if (req)
			run_scan(s, "requested");
		else if (scan_daily_due(s->app->cfg->policy->aws.scan_hour,
			     fx_now(), &s->last_day))
			run_scan(s, "daily");
	} while (!fx_worker_wait(&s->wk, SCAN_POLL_MS));
	return NULL;
}

fx_err
scan_start(struct app *app, struct aws_exec *aws, struct scan **out)
{
	struct scan *s;
	fx_err rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return FX_ENOMEM;
	s->app = app;
	s->aws = aws;
	s->last_day = -1;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return FX_ENOMEM;
	}
	/* a scan at the configured hour of the start-up day still runs */
	if ((rc = fx_worker_start(&s->wk, "fixit-scan", scan_main, s)) !=
	    FX_OK) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return rc;
	}
	*out = s;
	return FX_OK;
}

void
scan_stop(struct scan *s)
{
	if (s == NULL)
		return;
	fx_worker_stop(&s->wk);
	pthread_mutex_destroy(&s->mu);
	free(s->pairs);
	free(s);
}

fx_err
scan_request(struct scan *s)
{
	int busy;

	if (s == NULL)
		return FX_ENOTFOUND;
	pthread_mutex_lock(&s->mu);
	busy = s->running || s->requested;
	if (!busy)
		s->requested = 1;
	pthread_mutex_unlock(&s->mu);
	if (busy)
		return FX_ECONFLICT;
	fx_worker_kick(&s->wk);
	return FX_OK;
}
