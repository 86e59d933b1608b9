/*
 * sender_modal.c - the modal lane (see sender_int.h).
 *
 * Why a lane of its own: Slack's trigger id, which views.open needs, is
 * valid 3 seconds after the click. In the outbox's FIFO a modal waited
 * behind every queued message and behind the back-off of a failing
 * chat.postMessage, and expired. Here modal rows are read on their own
 * (db_outbox_modals), opened with a Slack client of the lane's own, and
 * retried only while the trigger can still be alive. A modal that cannot
 * open becomes an "ephemeral" outbox row for the person who clicked:
 * that row may wait like any other, a late sentence is still useful.
 *
 * Thread model: one thread ("fixit-modal"), started and stopped by the
 * sender; rows are read and marked through the writer (dbw_call), never
 * while a Slack call is in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlog.h"
#include "fxsay.h"
#include "fxtime.h"
#include "fxutil.h"
#include "fxworker.h"
#include "metrics.h"
#include "sender_int.h"
#include "slack_api.h"
#include "slack_approval.h"
#include "slack_owner.h"
#include "slack_render.h"
#include "banned.h"

#define MODAL_BATCH	8
#define MODAL_IDLE_MS	1000
#define MODAL_TTL_MS	3000 /* a trigger id's life, from the click */
#define MODAL_MARGIN_MS 300  /* a call started later would land too late */
#define MODAL_RETRY_MS	150

enum modal_outcome { MODAL_PENDING, MODAL_OPENED, MODAL_LATE, MODAL_DROP };

struct sender_modal {
	struct app *app;
	struct fx_worker wk;
	int live;	       /* slack.mode live */
	struct slack_api *api; /* made on the first live call */
};

struct modal_item {
	const struct outbox_row *row;
	struct finding f;
	int have_f;
	enum modal_outcome outcome;
	char err[128];
};

struct modal_pass {
	struct outbox_row *rows;
	struct modal_item *it;
	size_t n;
	int64_t now;
};

static fx_err
job_load(struct db *db, void *arg)
{
	struct modal_pass *p = arg;
	size_t i;
	fx_err rc;

	rc = db_outbox_modals(db, MODAL_BATCH, &p->rows, &p->n);
	if (rc != FX_OK || p->n == 0)
		return rc;
	p->it = calloc(p->n, sizeof(*p->it));
	if (p->it == NULL)
		return FX_ENOMEM;
	for (i = 0; i < p->n; i++) {
		p->it[i].row = &p->rows[i];
		if (p->rows[i].finding_id <= 0)
			continue;
		rc = db_finding_get(db, p->rows[i].finding_id, &p->it[i].f);
		if (rc == FX_ENOTFOUND)
			continue;
		if (rc != FX_OK)
			return rc;
		p->it[i].have_f = 1;
	}
	return FX_OK;
}

/* the person who clicked is told through the normal outbox */
static fx_err
tell_late(struct db *db, const struct modal_item *it, int64_t now)
{
	const json_t *args = it->row->args;
	const char *ch = json_string_value(json_object_get(args, "channel"));
	const char *user = json_string_value(json_object_get(args, "user"));
	json_t *eph;
	fx_err rc;

	if (ch == NULL || *ch == '\0')
		ch = it->have_f ? it->f.slack_channel : NULL;
	if (ch == NULL || user == NULL || *user == '\0')
		return FX_OK; /* nobody to tell: logged by the caller */
	eph = json_pack("{s:s,s:s,s:s}", "channel", ch, "user", user, FXSAY_KEY,
	    "modal_late");
	if (eph == NULL)
		return FX_ENOMEM;
	rc = db_outbox_add(db, "ephemeral", it->row->finding_id, eph, now);
	json_decref(eph);
	return rc;
}

static fx_err
job_record(struct db *db, void *arg)
{
	struct modal_pass *p = arg;
	const struct modal_item *it;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; rc != FX_EDB && i < p->n; i++) {
		it = &p->it[i];
		if (it->outcome == MODAL_PENDING)
			continue;
		if (it->outcome == MODAL_OPENED) {
			rc = db_outbox_sent(db, it->row->id, p->now);
			continue;
		}
		if (it->outcome == MODAL_LATE) {
			rc = tell_late(db, it, p->now);
			if (rc != FX_OK)
				break;
		}
		rc = db_outbox_dead(db, it->row->id, it->err);
	}
	/* a row that vanished is no reason to undo the others */
	return rc == FX_EDB || rc == FX_ENOMEM ? rc : FX_OK;
}

/* one views.open (or its console rendering) */
static fx_err
modal_call(struct sender_modal *m, const json_t *body, struct buf *err)
{
	const struct config *cfg = m->app->cfg;
	struct buf out = BUF_INIT;
	json_t *resp = NULL;
	fx_err rc;

	if (!m->live) {
		buf_init(&out, 256 * 1024);
		if (slack_render_console("views.open", body, &out) == FX_OK) {
			fwrite(buf_str(&out), 1, out.len, stdout);
			fflush(stdout);
		}
		buf_release(&out);
		return FX_OK;
	}
	if (m->api == NULL) {
		rc =
		    slack_api_new(cfg->slack_api_base, cfg->bot_token, &m->api);
		if (rc != FX_OK)
			return FX_ERETRY;
	}
	rc = slack_api_call(m->api, "views.open", body, &resp, NULL, err);
	json_decref(resp);
	if (rc == FX_OK)
		metrics_slack_sent(m->app->metrics);
	else
		metrics_slack_error(m->app->metrics);
	return rc;
}

/*
 * the views.open body of it: the deny modal when the row names an
 * exception (sm.h), else the justification's; NULL when out of memory
 */
static json_t *
modal_body(struct sender_modal *m, struct modal_item *it)
{
	const json_t *args = it->row->args;
	const char *k = json_string_value(json_object_get(args, "kind"));
	json_int_t eid =
	    json_integer_value(json_object_get(args, "exception_id"));
	struct slack_finding_view v;
	json_t *view;
	char iac[257];

	sender_view_of(m->app->cfg, &it->f, iac, sizeof(iac), &v);
	if (eid > 0)
		view = slack_blocks_deny_modal(&v, eid,
		    json_string_value(json_object_get(args, "channel")),
		    json_string_value(json_object_get(args, "ts")));
	else if (slack_owner_modal_kind(k))
		view = slack_owner_modal(&v, k);
	else
		view = slack_blocks_modal(&v, k && strcmp(k, "1y") == 0);
	return json_pack("{s:O?,s:o}", "trigger_id",
	    json_object_get(args, "trigger_id"), "view", view);
}

/*
 * Open it's modal, retrying a temporary failure while the trigger may
 * still be alive. The click happened within the second of created_at,
 * so the trigger is alive at least until created_at + 2 s.
 */
static void
modal_open(struct sender_modal *m, struct modal_item *it)
{
	int64_t deadline = it->row->created_at * 1000 + MODAL_TTL_MS;
	struct buf err = BUF_INIT;
	json_t *body = NULL;
	fx_err rc = FX_ERETRY;

	buf_init(&err, 256);
	if (!it->have_f) {
		it->outcome = MODAL_DROP;
		snprintf(it->err, sizeof(it->err), "finding gone");
		goto out;
	}
	body = modal_body(m, it);
	while (body != NULL && fx_now_ms() + MODAL_MARGIN_MS < deadline) {
		rc = modal_call(m, body, &err);
		if (rc != FX_ERETRY)
			break;
		if (fx_worker_wait(&m->wk, MODAL_RETRY_MS))
			goto out; /* stopping: the row stays pending */
	}
	it->outcome = rc == FX_OK ? MODAL_OPENED : MODAL_LATE;
	snprintf(it->err, sizeof(it->err), "%s",
	    body == NULL ? "out of memory"
	    : err.len	 ? buf_str(&err)
			 : "trigger expired before views.open");
	if (rc == FX_OK)
		log_info("%s: modal for finding #%lld opened", __func__,
		    (long long)it->row->finding_id);
	else
		log_warnx("%s: modal row #%lld for finding #%lld not opened "
			  "(%s): telling the user",
		    __func__, (long long)it->row->id,
		    (long long)it->row->finding_id, it->err);
out:
	json_decref(body);
	buf_release(&err);
}

static void
pass_release(struct modal_pass *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->it != NULL && p->it[i].have_f)
			finding_release(&p->it[i].f);
		outbox_row_release(&p->rows[i]);
	}
	free(p->it);
	free(p->rows);
}

/* one pass over the pending modals; the number of rows handled */
static size_t
modal_pass(struct sender_modal *m)
{
	struct modal_pass p;
	size_t i, n = 0;

	memset(&p, 0, sizeof(p));
	if (dbw_call(m->app->w, job_load, &p) != FX_OK)
		goto out;
	for (i = 0; i < p.n && !fx_worker_stopping(&m->wk); i++)
		modal_open(m, &p.it[i]);
	p.now = fx_now();
	if (p.n > 0 && dbw_call(m->app->w, job_record, &p) != FX_OK)
		log_warnx("%s: cannot record %zu modal outcomes", __func__,
		    p.n);
	else
		for (i = 0; i < p.n; i++) /* dead-lettered: counted */
			if (p.it[i].outcome == MODAL_LATE ||
			    p.it[i].outcome == MODAL_DROP)
				metrics_outbox_dropped(m->app->metrics);
	n = p.n;
out:
	pass_release(&p);
	return n;
}

static void *
modal_main(void *arg)
{
	struct sender_modal *m = arg;

	do {
		if (modal_pass(m) == MODAL_BATCH)
			continue; /* a full batch: more may be waiting */
		if (fx_worker_wait(&m->wk, MODAL_IDLE_MS))
			break;
	} while (!fx_worker_stopping(&m->wk));
	return NULL;
}

fx_err
sender_modal_start(struct app *app, struct sender_modal **out)
{
	struct sender_modal *m;
	fx_err rc;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return FX_ENOMEM;
	m->app = app;
	m->live = app->cfg->slack_mode == SLACK_LIVE;
	rc = fx_worker_start(&m->wk, "fixit-modal", modal_main, m);
	if (rc != FX_OK) {
		free(m);
		return rc;
	}
	*out = m;
	return FX_OK;
}

void
sender_modal_kick(struct sender_modal *m)
{
	if (m != NULL)
		fx_worker_kick(&m->wk);
}

void
sender_modal_stop(struct sender_modal *m)
{
	if (m == NULL)
		return;
	fx_worker_stop(&m->wk);
	slack_api_free(m->api);
	free(m);
}
