/*
 * sender_pass.c - one pass of the outbox sender over its due rows: the
 * rows and their findings loaded in one writer job, their outcomes
 * recorded in one job per flush (sender_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "sender_int.h"
#include "sm.h"
#include "banned.h"

static fx_err
ctx_load(struct db *db, struct row_ctx *c)
{
	json_int_t eid;
	fx_err rc;

	if (c->row->finding_id > 0) {
		rc = db_finding_get(db, c->row->finding_id, &c->f);
		if (rc != FX_OK && rc != FX_ENOTFOUND)
			return rc;
		c->have_f = rc == FX_OK;
	}
	if (c->have_f) {
		rc = db_finding_get_reminder(db, c->f.id, &c->reminder_ts);
		if (rc != FX_OK && rc != FX_ENOTFOUND)
			return rc;
	}
	eid = json_integer_value(json_object_get(c->row->args, "exception_id"));
	if (eid > 0) {
		rc = db_exception_get(db, eid, &c->exc);
		if (rc != FX_OK && rc != FX_ENOTFOUND)
			return rc;
		c->have_exc = rc == FX_OK;
	}
	if (c->have_exc) {
		rc = db_exc_msgs(db, c->exc.id, &c->exc_msgs);
		if (rc != FX_OK && rc != FX_ENOTFOUND)
			return rc;
	}
	return FX_OK;
}

fx_err
sender_pass_load(struct db *db, void *arg)
{
	struct pass *p = arg;
	size_t i;
	fx_err rc;

	rc = db_outbox_due(db, p->now, p->after, SENDER_BATCH, &p->rows, &p->n);
	if (rc != FX_OK || p->n == 0)
		return rc;
	p->ctx = calloc(p->n, sizeof(*p->ctx));
	if (p->ctx == NULL)
		return FX_ENOMEM;
	for (i = 0; rc == FX_OK && i < p->n; i++) {
		p->ctx[i].pass = p;
		p->ctx[i].row = &p->rows[i];
		rc = ctx_load(db, &p->ctx[i]);
	}
	return rc;
}

/*
 * A delivered notify whose message the told step records with the
 * finding's one update (sm_notified_posted); a thread with a reminder
 * goes the long way (db_finding_set_message forgets it).
 */
static int
told_posts(const struct pass *p, const struct row_ctx *c)
{
	return p->pol != NULL && c->row->finding_id > 0 && c->done == 1 &&
	       c->told_at > 0 && c->msg_ts != NULL && c->msg_channel != NULL &&
	       c->reminder_ts == NULL && strcmp(c->row->kind, "notify") == 0;
}

/* a notify row's outcome moves its finding on (sm.h "told first") */
static fx_err
notify_outcome(struct db *db, struct pass *p, struct row_ctx *c)
{
	fx_err rc = FX_OK;

	if (p->pol == NULL || c->row->finding_id <= 0 ||
	    strcmp(c->row->kind, "notify") != 0)
		return FX_OK;
	if (told_posts(p, c))
		rc = sm_notified_posted(db, p->pol, c->row->finding_id,
		    c->row->created_at, c->told_at, c->msg_channel, c->msg_ts,
		    c->msg_uid);
	else if (c->done == 1 && c->told_at > 0)
		rc = sm_notified_delivered(db, p->pol, c->row->finding_id,
		    c->row->created_at, c->told_at);
	else if (c->done == 3)
		rc = sm_notify_failed(db, p->pol, c->row->finding_id,
		    c->row->created_at, c->err, p->now);
	if (rc != FX_OK)
		log_warnx("%s: notify #%lld of finding #%lld: %s", __func__,
		    (long long)c->row->id, (long long)c->row->finding_id,
		    fx_strerror(rc));
	return rc;
}

static fx_err
job_flush(struct db *db, void *arg)
{
	struct pass *p = arg;
	struct row_ctx *c;
	size_t i;
	fx_err rc = FX_OK;

	for (i = p->flushed; rc != FX_EDB && i < p->n; i++) {
		c = &p->ctx[i];
		if (c->done == 0)
			break;
		if (c->done == 4)
			continue; /* held: not tried */
		if (c->msg_ts != NULL && !told_posts(p, c))
			rc = db_finding_set_message(db, c->row->finding_id,
			    c->msg_channel, c->msg_ts, c->msg_uid);
		if (rc != FX_EDB && c->new_reminder_ts != NULL)
			rc = db_finding_set_reminder(db, c->row->finding_id,
			    c->new_reminder_ts);
		if (rc != FX_EDB && c->exc_new > 0 && c->exc_new_ts != NULL)
			rc = db_exc_msg_set(db, c->exc.id,
			    (enum exc_msg)(c->exc_new - 1), c->exc_new_channel,
			    c->exc_new_ts);
		if (rc == FX_EDB)
			break;
		if (c->done == 1)
			rc = db_outbox_sent(db, c->row->id, p->now);
		else if (c->done == 2)
			rc = db_outbox_retry(db, c->row->id, p->now, c->err);
		else
			rc = db_outbox_dead(db, c->row->id, c->err);
		if (rc == FX_OK)
			rc = notify_outcome(db, p, c);
	}
	/* a row or finding that vanished is no reason to undo the others */
	return rc == FX_EDB ? rc : FX_OK;
}

fx_err
sender_pass_flush(struct dbw *w, struct pass *p, struct metrics *m)
{
	size_t i = p->flushed, j;

	while (i < p->n && p->ctx[i].done != 0)
		i++;
	if (i == p->flushed)
		return FX_OK;
	p->now = fx_now();
	if (dbw_call(w, job_flush, p) != FX_OK) {
		/* kept: the next flush records them again from p->flushed */
		log_warnx("%s: cannot record %zu outbox outcomes", __func__,
		    i - p->flushed);
		return FX_EDB;
	}
	for (j = p->flushed; j < i; j++)
		if (p->ctx[j].done == 3)
			metrics_outbox_dropped(m);
	p->flushed = i;
	p->first_unflushed_ms = 0;
	return FX_OK;
}

void
sender_pass_release(struct pass *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct row_ctx *c = p->ctx ? &p->ctx[i] : NULL;

		if (c != NULL) {
			if (c->have_f)
				finding_release(&c->f);
			if (c->have_exc)
				exception_release(&c->exc);
			exc_msgs_release(&c->exc_msgs);
			free(c->exc_new_channel);
			free(c->exc_new_ts);
			free(c->cached_uid);
			free(c->err);
			free(c->msg_channel);
			free(c->msg_ts);
			free(c->msg_uid);
			free(c->reminder_ts);
			free(c->new_reminder_ts);
		}
		outbox_row_release(&p->rows[i]);
	}
	free(p->ctx);
	free(p->rows);
}

void
sender_pass_note_message(struct row_ctx *c, const char *channel, const char *ts,
    const char *uid)
{
	struct pass *p = c->pass;
	size_t i;

	c->msg_channel = fx_strdup(channel);
	c->msg_ts = fx_strdup(ts);
	c->msg_uid = fx_strdup(uid);
	for (i = (size_t)(c - p->ctx) + 1; i < p->n; i++) {
		struct row_ctx *o = &p->ctx[i];

		if (!o->have_f || o->f.id != c->f.id)
			continue;
		free(o->f.slack_channel);
		free(o->f.slack_ts);
		o->f.slack_channel = fx_strdup(channel);
		o->f.slack_ts = fx_strdup(ts);
		free(o->reminder_ts); /* a new message: a new thread */
		o->reminder_ts = NULL;
	}
}

void
sender_pass_note_reminder(struct row_ctx *c, const char *ts)
{
	struct pass *p = c->pass;
	size_t i;

	free(c->new_reminder_ts);
	c->new_reminder_ts = fx_strdup(ts);
	for (i = (size_t)(c - p->ctx); i < p->n; i++) {
		struct row_ctx *o = &p->ctx[i];

		if (!o->have_f || o->f.id != c->f.id)
			continue;
		free(o->reminder_ts);
		o->reminder_ts = fx_strdup(ts);
	}
}

void
sender_pass_note_exc_msg(struct row_ctx *c, enum exc_msg which,
    const char *channel, const char *ts)
{
	struct pass *p = c->pass;
	size_t i;

	free(c->exc_new_channel);
	free(c->exc_new_ts);
	c->exc_new = (int)which + 1;
	c->exc_new_channel = fx_strdup(channel);
	c->exc_new_ts = fx_strdup(ts);
	for (i = (size_t)(c - p->ctx) + 1; i < p->n; i++) {
		struct row_ctx *o = &p->ctx[i];

		if (!o->have_exc || o->exc.id != c->exc.id)
			continue;
		if (which == EXC_MSG_ADMIN) {
			free(o->exc_msgs.channel);
			o->exc_msgs.channel = fx_strdup(channel);
		}
		free(o->exc_msgs.ts[which]);
		o->exc_msgs.ts[which] = fx_strdup(ts);
	}
}
