/*
 * sm_approval.c - an exception request in the admin channel: its
 * messages once it is decided or lapses, and the nudges while it waits
 * (a reminder in the request's thread after approval_remind, an
 * escalation to the admin channel after approval_escalate, once each).
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlog.h"
#include "sm_internal.h"
#include "banned.h"

/* one decision row: the request card kept at ch/ts, the fact instead of
 * its buttons */
static fx_err
request_card(struct db *db, const struct sm_request_end *d, const char *ch,
    const char *ts, int64_t now)
{
	return sm_say(db, "decision", d->f->id, now, d->code,
	    "{s:I,s:s,s:s?,s:I,s:s?,s:s,s:s,s:s}", "exception_id",
	    (json_int_t)d->e->id, "kind", sm_exc_code(d->kind), "by", d->by,
	    "until", (json_int_t)d->until, "reason", d->reason, "channel", ch,
	    "ts", ts, "card", "approval");
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

fx_err
sm_request_ended(struct db *db, const struct sm_request_end *d, int64_t now)
{
	struct exc_msgs m;
	size_t i;
	fx_err rc = FX_OK;

	memset(&m, 0, sizeof(m));
	if (nonempty(d->channel) && nonempty(d->ts))
		rc = request_card(db, d, d->channel, d->ts, now);
	if (rc == FX_OK)
		rc = db_exc_msgs(db, d->e->id, &m);
	if (rc == FX_ENOTFOUND)
		rc = FX_OK;
	for (i = 0; rc == FX_OK && i <= EXC_MSG_ESCALATE; i++) {
		if (!nonempty(m.channel) || !nonempty(m.ts[i]))
			continue;
		/* the clicked message is done already */
		if (nonempty(d->ts) && strcmp(m.ts[i], d->ts) == 0)
			continue;
		rc = request_card(db, d, m.channel, m.ts[i], now);
	}
	exc_msgs_release(&m);
	return rc;
}

/*
 * Request id nudged (which: EXC_MSG_REMIND or EXC_MSG_ESCALATE): marked
 * so that it leaves the query's set whatever happens next; when it still
 * waits on its notified finding, an audit row and the outbox row.
 */
static fx_err
nudge_one(struct db *db, int64_t id, enum exc_msg which, int64_t now)
{
	int esc = which == EXC_MSG_ESCALATE;
	struct exception_rec e;
	struct finding f;
	int64_t waited;
	int kind;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	memset(&f, 0, sizeof(f));
	rc = db_exc_nudged(db, id, which, now);
	if (rc == FX_OK)
		rc = db_exception_get(db, id, &e);
	if (rc == FX_OK)
		rc = db_finding_get(db, e.finding_id, &f);
	if (rc != FX_OK || e.status == NULL ||
	    strcmp(e.status, "pending") != 0 || f.state != FS_NOTIFIED ||
	    f.exc_pending != id)
		goto out; /* a stale row: hk_pending closes it */
	waited = now - e.requested_at;
	kind = sm_exc_parse(e.kind) < 0 ? EXC_1M : sm_exc_parse(e.kind);
	rc = sm_apply(db, &f, FS_NOTIFIED, SM_ACTOR_SYSTEM,
	    esc ? "approval_escalated" : "approval_reminded",
	    esc ? "The exception request still waits for an admin: "
		  "escalated to the admin channel"
		: "The exception request still waits for an admin: "
		  "reminded in its thread",
	    now, "{s:I,s:I}", "exception_id", (json_int_t)id, "waited",
	    (json_int_t)waited);
	if (rc == FX_OK)
		rc = sm_say(db, esc ? "approval_escalate" : "approval_remind",
		    f.id, now, "approval_waiting", "{s:I,s:s,s:I,s:b}",
		    "exception_id", (json_int_t)id, "kind", sm_exc_code(kind),
		    "waited", (json_int_t)waited, "escalated", esc);
out:
	exception_release(&e);
	finding_release(&f);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

static fx_err
nudge_each(struct db *db, enum exc_msg which, int64_t after, int64_t now)
{
	int64_t *ids = NULL;
	size_t i, n = 0;
	fx_err rc;

	rc = db_exc_ids_waiting(db, which, now - after, SM_BATCH, &ids, &n);
	for (i = 0; rc == FX_OK && i < n; i++)
		rc = nudge_one(db, ids[i], which, now);
	if (rc != FX_OK)
		log_warnx("%s: %s: %s", __func__,
		    which == EXC_MSG_REMIND ? "reminders" : "escalations",
		    fx_strerror(rc));
	free(ids);
	return rc;
}

fx_err
sm_approval_nudges(struct db *db, const struct policy *pol, int64_t now)
{
	fx_err rc = FX_OK;

	/* the escalation first: a tick late for both sends the stronger */
	if (pol->approval_escalate > 0)
		rc = nudge_each(db, EXC_MSG_ESCALATE, pol->approval_escalate,
		    now);
	if (rc == FX_OK && pol->approval_remind > 0)
		rc = nudge_each(db, EXC_MSG_REMIND, pol->approval_remind, now);
	return rc;
}
