/*
 * home.c - the App Home publisher and /fixit mine (see home.h).
 *
 * A publish reads the user's findings (and, for an admin, the counts and
 * the pending requests) in one snapshot on the reader connection, renders
 * them (slack_home.c) and calls views.publish. A failed publish is
 * retried a few times while Slack asks to wait; after that it is dropped:
 * the next time the user opens the tab publishes it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "fxworker.h"
#include "home.h"
#include "metrics.h"
#include "sender_int.h"
#include "slack_api.h"
#include "slack_say.h"
#include "slack_home.h"
#include "slack_render.h"
#include "banned.h"

#define HOME_USER_MAX	  32  /* bytes of a user id, with its NUL */
#define HOME_FINDINGS	  100 /* read at most: more than a view shows */
#define HOME_APPROVALS	  10  /* pending requests shown to an admin */
#define HOME_IDLE_MS	  1000
#define HOME_REFRESH_MS	  5000 /* a changed home at most this often */
#define HOME_GAP_MS	  600  /* between two refreshes: 100 a minute */
#define HOME_TRIES	  3    /* views.publish attempts per request */
#define HOME_RETRY_MAX_MS 5000 /* the longest wait between them */
#define HOME_IAC_MAX	  257

/*
 * A user who opened their home (at, fx_now); dirty: it changed since it
 * was last queued (queued, fx_mono_ms), to be published again
 */
struct home_seen {
	char user[HOME_USER_MAX];
	int64_t at, queued;
	int dirty;
};

struct home {
	struct app *app;
	struct fx_worker wk; /* wk.mu also guards q, n and seen */
	char q[HOME_QUEUE_MAX][HOME_USER_MAX];
	size_t n;
	struct home_seen seen[HOME_SEEN_MAX];
	int64_t refreshed; /* fx_mono_ms of the last refresh queued */
	int live;
	struct slack_api *api; /* made on the first live call */
	unsigned long seq;     /* console mode */
};

/* ---- reading and rendering ------------------------------------------- */

struct home_data {
	const struct policy *pol;
	const char *user;
	int admin;
	size_t max;
	struct finding_page page;
	int64_t total;
	json_t *counts; /* admin: db_counts */
	json_t *pend;	/* admin: db_exc_pending, one more than shown */
};

static fx_err
job_load(struct db *db, void *arg)
{
	struct home_data *d = arg;
	fx_err rc;

	rc = db_owner_open(db, d->user, d->max, &d->page, &d->total);
	if (rc != FX_OK || !d->admin)
		return rc;
	rc = db_counts(db, &d->counts);
	if (rc == FX_OK)
		rc = db_exc_pending(db, HOME_APPROVALS + 1, &d->pend);
	return rc;
}

static void
home_data_release(struct home_data *d)
{
	finding_page_release(&d->page);
	json_decref(d->counts);
	json_decref(d->pend);
}

/* the view of each finding, with room for its IaC owner's name */
struct home_item {
	struct slack_home_item it;
	char iac[HOME_IAC_MAX];
};

static void
fill_items(const struct home_data *d, struct home_item *hi)
{
	const struct finding *f;
	size_t i;

	for (i = 0; i < d->page.n; i++) {
		f = &d->page.v[i];
		sender_view_pol(d->pol, f, hi[i].iac, sizeof(hi[i].iac),
		    &hi[i].it.v);
		hi[i].it.state = fstate_name(f->state);
		hi[i].it.excepted_until = f->excepted_until;
		hi[i].it.exc_pending = f->exc_pending != 0;
	}
}

/* the non-zero counts per state, in the order of enum fstate */
static size_t
fill_counts(const json_t *counts, struct slack_home_count *c)
{
	const json_t *by = json_object_get(counts, "by_state");
	json_int_t v;
	size_t n = 0;
	int i;

	for (i = 0; i < FS__COUNT; i++) {
		v = json_integer_value(
		    json_object_get(by, fstate_name((enum fstate)i)));
		if (v <= 0)
			continue;
		c[n].state = fstate_name((enum fstate)i);
		c[n++].n = v;
	}
	return n;
}

static size_t
fill_approvals(const json_t *pend, struct slack_home_approval *x, size_t max)
{
	const json_t *e, *f;
	size_t i, n = 0;

	json_array_foreach(pend, i, e) {
		if (n == max)
			break;
		f = json_object_get(e, "finding");
		x[n].exception_id =
		    json_integer_value(json_object_get(e, "id"));
		x[n].finding_id =
		    json_integer_value(json_object_get(e, "finding_id"));
		x[n].title = json_string_value(json_object_get(f, "title"));
		x[n].resource_id =
		    json_string_value(json_object_get(f, "resource_id"));
		x[n].requested_by =
		    json_string_value(json_object_get(e, "requested_by"));
		x[n].kind = json_string_value(json_object_get(e, "kind"));
		x[n].reason = json_string_value(json_object_get(e, "reason"));
		n++;
	}
	return n;
}

/* d rendered in at most max_blocks blocks and about max_bytes of JSON
 * (0: any): a new array, or NULL */
static json_t *
home_render(const struct home_data *d, size_t max_blocks, size_t max_bytes,
    const char *hint)
{
	struct slack_home_count counts[FS__COUNT];
	struct slack_home_approval x[HOME_APPROVALS];
	struct slack_home h;
	struct home_item *hi;
	struct slack_home_item *items;
	json_t *blocks = NULL;
	size_t i;

	memset(&h, 0, sizeof(h));
	hi = calloc(d->page.n ? d->page.n : 1, sizeof(*hi));
	items = calloc(d->page.n ? d->page.n : 1, sizeof(*items));
	if (hi == NULL || items == NULL)
		goto out;
	fill_items(d, hi);
	for (i = 0; i < d->page.n; i++)
		items[i] = hi[i].it;
	h.items = items;
	h.n = d->page.n;
	h.total = d->total;
	h.more_hint = hint;
	h.admin = d->admin;
	if (d->admin) {
		h.counts = counts;
		h.ncounts = fill_counts(d->counts, counts);
		h.approvals = x;
		h.napprovals = fill_approvals(d->pend, x, HOME_APPROVALS);
		h.more_approvals = json_array_size(d->pend) > h.napprovals;
	}
	h.max_bytes = max_bytes;
	blocks = slack_home_blocks(&h, max_blocks);
out:
	free(items);
	free(hi);
	return blocks;
}

fx_err
home_mine(struct dbw *w, const struct policy *pol, const char *user_id,
    json_t **blocks, struct buf *text)
{
	struct home_data d;
	fx_err rc;

	*blocks = NULL;
	memset(&d, 0, sizeof(d));
	d.pol = pol;
	d.user = user_id;
	d.max = SLACK_MSG_MAX_BLOCKS;
	rc = dbw_read(w, job_load, &d);
	if (rc != FX_OK)
		goto out;
	*blocks = home_render(&d, SLACK_MSG_MAX_BLOCKS, 0, NULL);
	if (*blocks == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = d.total == 0 ? buf_adds(text, "You have no open findings.")
			  : buf_addf(text, "You have %lld open finding%s.",
				(long long)d.total, d.total == 1 ? "" : "s");
out:
	if (rc != FX_OK) {
		json_decref(*blocks);
		*blocks = NULL;
	}
	home_data_release(&d);
	return rc;
}

/* ---- publishing ------------------------------------------------------ */

/* one views.publish, or its console rendering */
static fx_err
publish_call(struct home *h, const json_t *body, int64_t *retry_after,
    struct buf *err)
{
	const struct config *cfg = h->app->cfg;
	json_t *resp = NULL;
	fx_err rc;

	if (!h->live) {
		rc = sender_console_call(&h->seq, "views.publish", body, &resp);
		fflush(stdout);
		json_decref(resp);
		return rc;
	}
	if (h->api == NULL && slack_api_new(cfg->slack_api_base, cfg->bot_token,
				  &h->api) != FX_OK)
		return FX_ERETRY;
	rc = slack_api_call(h->api, "views.publish", body, &resp, retry_after,
	    err);
	json_decref(resp);
	if (rc == FX_OK)
		metrics_slack_sent(h->app->metrics);
	else
		metrics_slack_error(h->app->metrics);
	return rc;
}

/* the views.publish body of user's home; NULL when it cannot be made */
static json_t *
publish_body(struct home *h, const char *user)
{
	struct home_data d;
	json_t *blocks = NULL, *body = NULL;
	fx_err rc;

	memset(&d, 0, sizeof(d));
	d.pol = h->app->cfg->policy;
	d.user = user;
	d.admin = policy_is_admin(d.pol, user);
	d.max = HOME_FINDINGS;
	rc = dbw_read(h->app->w, job_load, &d);
	if (rc != FX_OK) {
		log_warnx("%s: cannot read the home of %s: %s", __func__, user,
		    fx_strerror(rc));
		goto out;
	}
	blocks = home_render(&d, SLACK_HOME_MAX_BLOCKS, SLACK_HOME_MAX_BYTES,
	    "use `/fixit mine`");
	if (blocks != NULL)
		body = json_pack("{s:s,s:{s:s,s:o}}", "user_id", user, "view",
		    "type", "home", "blocks", blocks);
	if (body == NULL)
		log_warnx("%s: cannot render the home of %s", __func__, user);
out:
	home_data_release(&d);
	return body;
}

static void
publish(struct home *h, const char *user)
{
	struct buf err = BUF_INIT;
	json_t *body;
	int64_t ra, wait_ms;
	int i;
	fx_err rc = FX_ERETRY;

	body = publish_body(h, user);
	if (body == NULL)
		return;
	buf_init(&err, 256);
	for (i = 0; i < HOME_TRIES && rc == FX_ERETRY; i++) {
		ra = 0;
		buf_reset(&err);
		rc = publish_call(h, body, &ra, &err);
		if (rc != FX_ERETRY || i + 1 == HOME_TRIES)
			break;
		wait_ms = ra > 0 ? ra * 1000 : 500 << i;
		if (wait_ms > HOME_RETRY_MAX_MS)
			wait_ms = HOME_RETRY_MAX_MS;
		if (fx_worker_wait(&h->wk, wait_ms))
			break; /* stopping */
	}
	if (rc != FX_OK)
		log_warnx("%s: home of %s not published: %s", __func__, user,
		    err.len ? buf_str(&err) : fx_strerror(rc));
	json_decref(body);
	buf_release(&err);
}

/* the oldest queued user into user; 0 when none */
static int
pop(struct home *h, char *user)
{
	int got = 0;

	pthread_mutex_lock(&h->wk.mu);
	if (h->n > 0) {
		memcpy(user, h->q[0], HOME_USER_MAX);
		memmove(h->q[0], h->q[1], (h->n - 1) * HOME_USER_MAX);
		h->n--;
		got = 1;
	}
	pthread_mutex_unlock(&h->wk.mu);
	return got;
}

/*
 * Queue one changed home whose last publish is HOME_REFRESH_MS old, at
 * most one every HOME_GAP_MS (views.publish is Tier 4: 100 a minute
 * for the whole app). Returns the milliseconds until the next one may
 * go, HOME_IDLE_MS when none waits.
 */
static int64_t
refresh_due(struct home *h)
{
	int64_t now = fx_mono_ms(), wait = HOME_IDLE_MS, w;
	struct home_seen *e, *pick = NULL;
	size_t i;

	pthread_mutex_lock(&h->wk.mu);
	for (i = 0; i < HOME_SEEN_MAX; i++) {
		e = &h->seen[i];
		if (!e->dirty)
			continue;
		w = e->queued + HOME_REFRESH_MS - now;
		if (w <= 0 && (pick == NULL || e->queued < pick->queued))
			pick = e;
		else if (w > 0 && w < wait)
			wait = w;
	}
	if (pick != NULL && now - h->refreshed < HOME_GAP_MS) {
		wait = h->refreshed + HOME_GAP_MS - now;
		pick = NULL;
	}
	if (pick != NULL && h->n < HOME_QUEUE_MAX) {
		pick->dirty = 0;
		pick->queued = h->refreshed = now;
		snprintf(h->q[h->n++], HOME_USER_MAX, "%s", pick->user);
		wait = 0;
	}
	pthread_mutex_unlock(&h->wk.mu);
	return wait;
}

static void *
home_main(void *arg)
{
	struct home *h = arg;
	char user[HOME_USER_MAX];

	int64_t wait;

	while (!fx_worker_stopping(&h->wk)) {
		if (pop(h, user)) {
			publish(h, user);
			continue;
		}
		wait = refresh_due(h);
		if (wait > 0 && fx_worker_wait(&h->wk, wait))
			break;
	}
	return NULL;
}

void
home_request(struct home *h, const char *user_id)
{
	size_t i;
	int queued = 0, full = 0;

	if (h == NULL)
		return;
	if (!fx_slack_user_id_ok(user_id)) {
		log_debug("%s: not a user id: dropped", __func__);
		return;
	}
	pthread_mutex_lock(&h->wk.mu);
	for (i = 0; i < h->n && !queued; i++)
		queued = strcmp(h->q[i], user_id) == 0;
	if (!queued && h->n == HOME_QUEUE_MAX)
		full = 1;
	else if (!queued)
		snprintf(h->q[h->n++], HOME_USER_MAX, "%s", user_id);
	pthread_mutex_unlock(&h->wk.mu);
	if (full)
		log_warnx("%s: %d homes waiting: the one of %s is dropped",
		    __func__, HOME_QUEUE_MAX, user_id);
	else
		fx_worker_kick(&h->wk);
}

void
home_opened(struct home *h, const char *user_id)
{
	struct home_seen *e, *old;
	int64_t now = fx_now();
	size_t i;

	if (h == NULL || !fx_slack_user_id_ok(user_id))
		return;
	pthread_mutex_lock(&h->wk.mu);
	old = e = &h->seen[0];
	for (i = 0; i < HOME_SEEN_MAX; i++) {
		e = &h->seen[i];
		if (e->user[0] == '\0' || strcmp(e->user, user_id) == 0)
			break;
		if (e->at < old->at)
			old = e;
	}
	if (i == HOME_SEEN_MAX)
		e = old;
	snprintf(e->user, sizeof(e->user), "%s", user_id);
	e->at = now;
	e->queued = fx_mono_ms();
	e->dirty = 0;
	pthread_mutex_unlock(&h->wk.mu);
	home_request(h, user_id);
}

void
home_changed(struct home *h, const char *owner, int admins)
{
	const struct policy *pol;
	int64_t since = fx_now() - HOME_SEEN_TTL;
	size_t i;
	int any = 0;

	if (h == NULL)
		return;
	pol = h->app->cfg->policy;
	pthread_mutex_lock(&h->wk.mu);
	for (i = 0; i < HOME_SEEN_MAX; i++) {
		struct home_seen *e = &h->seen[i];

		if (e->user[0] == '\0' || e->at < since)
			continue;
		if ((owner != NULL && strcmp(e->user, owner) == 0) ||
		    (admins && policy_is_admin(pol, e->user)))
			any = e->dirty = 1;
	}
	pthread_mutex_unlock(&h->wk.mu);
	if (any)
		fx_worker_kick(&h->wk);
}

fx_err
home_start(struct app *app, struct home **out)
{
	struct home *h;
	fx_err rc;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return FX_ENOMEM;
	h->app = app;
	h->live = app->cfg->slack_mode == SLACK_LIVE;
	rc = fx_worker_start(&h->wk, "fixit-home", home_main, h);
	if (rc != FX_OK) {
		free(h);
		return rc;
	}
	*out = h;
	return FX_OK;
}

void
home_stop(struct home *h)
{
	if (h == NULL)
		return;
	fx_worker_stop(&h->wk);
	slack_api_free(h->api);
	free(h);
}
