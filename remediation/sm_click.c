/*
 * sm_click.c - Slack interactions: buttons on the owner's message, the
 * justification modal, Approve/Deny on the admin channel's request.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlimits.h"
#include "sm_internal.h"
#include "banned.h"

#define ACT_FIX (-1) /* guard(): the action is Fix now, not a kind */

/*
 * May user take action (ACT_FIX or an exc_kind) on f? FX_OK, or an error
 * with the refusal's fact in *why (a new reference): FX_ENOTFOUND (no
 * longer configured), FX_EPERM (not owner/admin, or not offered),
 * FX_ECONFLICT (decided). FX_ENOMEM when the fact could not be made.
 */
static fx_err
guard(struct db *db, const struct policy *pol, const struct finding *f,
    const char *user, int action, json_t **why)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	const struct account *acct = policy_account(pol, f->account_id);
	int paused = 0;
	fx_err rc;

	if (pb == NULL || acct == NULL) {
		*why = sm_fact("not_configured", "{s:I}", "finding_id",
		    (json_int_t)f->id);
		rc = FX_ENOTFOUND;
	} else if (!sm_may_act(pol, f, user)) {
		*why =
		    sm_fact("not_owner", "{s:s?}", "owner", f->owner_slack_id);
		rc = FX_EPERM;
	} else if (f->state != FS_NOTIFIED) {
		*why = sm_fact("already_handled", "{s:s}", "state",
		    fstate_name(f->state));
		rc = FX_ECONFLICT;
	} else if (f->exc_pending != 0) {
		*why = sm_fact("exc_pending", NULL);
		rc = FX_ECONFLICT;
	} else if (action != ACT_FIX) {
		if (policy_exc_allowed(pb, acct->env) & (1u << action))
			return FX_OK;
		*why = sm_fact("exc_not_offered", "{s:s,s:s}", "kind",
		    sm_exc_code(action), "env", policy_env_name(acct->env));
		rc = FX_EPERM;
	} else if (!policy_fix_now_allowed(pb, acct->env) || f->notify_only) {
		*why = sm_fact("fix_now_not_offered", "{s:s,s:s}", "env",
		    policy_env_name(acct->env), "mode",
		    policy_mode_name(pb->mode));
		rc = FX_EPERM;
	} else {
		rc = sm_paused(db, pb->name, &paused);
		if (rc != FX_OK || !paused)
			return rc;
		*why = sm_fact("paused", "{s:s}", "playbook", pb->name);
		rc = FX_ECONFLICT;
	}
	return *why != NULL ? rc : FX_ENOMEM;
}

/* the guard's refusals are outcomes, not errors */
static int
refused(fx_err rc)
{
	return rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND;
}

static fx_err
click_finding(struct db *db, const struct policy *pol, const struct sm_click *c,
    int64_t now)
{
	struct finding f;
	json_t *why = NULL;
	const char *chan;
	int action;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	action = c->action == ACT_FIX_NOW  ? ACT_FIX
		 : c->action == ACT_EXC_1Y ? EXC_1Y
					   : EXC_1M;
	rc = sm_finding_get(db, c->target_id, &f, &why);
	if (rc == FX_ENOTFOUND) {
		rc = sm_out_ephemeral(db, 0, c->channel_id, c->user_id, why,
		    now);
		why = NULL;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	chan = c->channel_id ? c->channel_id : f.slack_channel;
	rc = guard(db, pol, &f, c->user_id, action, &why);
	if (refused(rc)) {
		rc = sm_out_ephemeral(db, f.id, chan, c->user_id, why, now);
		why = NULL;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	if (action != ACT_FIX) {
		/* channel and user: where to say that it came too late */
		rc = sm_out(db, "modal", f.id, now, "{s:s,s:s,s:s,s:s}", "kind",
		    sm_exc_code(action), "trigger_id",
		    c->trigger_id ? c->trigger_id : "", "channel",
		    chan ? chan : "", "user", c->user_id ? c->user_id : "");
		goto out;
	}
	rc = sm_to_fixing(db, &f, c->user_id, "Fix now chosen", now);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "decision", f.id, now, "fix_now", "{s:s}", "by",
	    c->user_id);
out:
	json_decref(why);
	finding_release(&f);
	return rc;
}

/* the kind of an exception row (1 month when unknown) */
static int
exc_kind(const struct exception_rec *e)
{
	int kind = sm_exc_parse(e->kind);

	return kind < 0 ? EXC_1M : kind;
}

/* the admin channel's messages of request e decided (sm_approval.c) */
static fx_err
decide_request_msg(struct db *db, const char *ch, const char *ts,
    const char *by, const struct exception_rec *e, const struct finding *f,
    int kind, const char *code, int64_t until, const char *reason, int64_t now)
{
	struct sm_request_end d = { e, f, kind, code, by, reason, until, ch,
		ts };

	return sm_request_ended(db, &d, now);
}

/* approved (row active): finding excepted; both messages updated */
static fx_err
decide_approve(struct db *db, const struct sm_click *c,
    const struct exception_rec *e, struct finding *f, int kind, int64_t now)
{
	struct buf t = BUF_INIT;
	char iso[21];
	fx_err rc;

	f->excepted_until = e->until;
	sm_iso(e->until, iso);
	rc = buf_addf(&t, "Exception %s approved until %s",
	    policy_exc_name(kind), iso);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_EXCEPTED, c->user_id, "transition", buf_str(&t),
	    now, "{s:I,s:s,s:s,s:s?,s:s?}", "exception_id", (json_int_t)e->id,
	    "kind", sm_exc_code(kind), "until", iso, "requested_by",
	    e->requested_by, "reason", e->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "exc_approved", "{s:s,s:s,s:I}",
	    "by", c->user_id, "kind", sm_exc_code(kind), "until",
	    (json_int_t)e->until);
	if (rc != FX_OK)
		goto out;
	rc = decide_request_msg(db, c->channel_id, c->message_ts, c->user_id, e,
	    f, kind, "exc_request_approved", e->until, NULL, now);
out:
	buf_release(&t);
	return rc;
}

/*
 * Denied (row denied, reason given): the finding stays notified and asks
 * again (its card gets its buttons back), with at least approval_grace
 * left before its deadline; owner told who and why.
 */
static fx_err
decide_deny(struct db *db, const struct policy *pol,
    const struct sm_deny_req *r, const struct exception_rec *e,
    struct finding *f, int kind, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	struct buf t = BUF_INIT;
	int64_t deadline = 0;
	fx_err rc;

	if (f->deadline > 0 && f->deadline < now + pol->approval_grace) {
		f->deadline = now + pol->approval_grace;
		f->reminder_sent = 0;
	}
	rc = buf_addf(&t, "Exception %s denied: %s", policy_exc_name(kind),
	    r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_NOTIFIED, r->user_id, "exception_denied",
	    buf_str(&t), now, "{s:I,s:s,s:s?,s:s}", "exception_id",
	    (json_int_t)e->id, "kind", sm_exc_code(kind), "requested_by",
	    e->requested_by, "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	if (pb != NULL && sm_mode(pb, f) == PB_ENFORCE && f->deadline > 0)
		deadline = f->deadline;
	rc = sm_say(db, "decision", f->id, now, "exc_denied",
	    "{s:s,s:s,s:I,s:s,s:s}", "by", r->user_id, "kind",
	    sm_exc_code(kind), "deadline", (json_int_t)deadline, "reason",
	    r->reason, "card", "ask");
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "owner_msg", f->id, now, "exc_denied_owner",
	    "{s:s,s:s,s:s}", "by", r->user_id, "kind", sm_exc_code(kind),
	    "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	rc = decide_request_msg(db, r->channel_id, r->message_ts, r->user_id, e,
	    f, kind, "exc_request_denied", 0, r->reason, now);
out:
	buf_release(&t);
	return rc;
}

/*
 * May user decide exception id (Approve, or Deny with a reason)? FX_OK
 * with *e and *f loaded, or a refusal (FX_EPERM, FX_ECONFLICT,
 * FX_ENOTFOUND) with its fact in *why; other errors: the database.
 * Admins only; four eyes: whoever asked does not also grant it (unless
 * self_approval; denying it withdraws it); the request still pending on
 * a notified finding.
 */
static fx_err
decide_check(struct db *db, const struct policy *pol, int64_t id,
    const char *user, int approve, struct exception_rec *e, struct finding *f,
    json_t **why)
{
	fx_err rc;

	if (!policy_is_admin(pol, user)) {
		*why = sm_fact("admin_only", NULL);
		return FX_EPERM;
	}
	rc = db_exception_get(db, id, e);
	if (rc == FX_ENOTFOUND) {
		memset(e, 0, sizeof(*e));
		*why = sm_fact("exc_not_found", "{s:I}", "exception_id",
		    (json_int_t)id);
		return rc;
	}
	if (rc != FX_OK)
		return rc;
	if (e->status == NULL || strcmp(e->status, "pending") != 0) {
		*why = sm_fact("exc_already_handled", "{s:s}", "status",
		    e->status ? e->status : "unknown");
		return FX_ECONFLICT;
	}
	if (approve && !pol->self_approval && e->requested_by != NULL &&
	    strcmp(e->requested_by, user) == 0) {
		*why = sm_fact("self_approval", NULL);
		return FX_EPERM;
	}
	rc = sm_finding_get(db, e->finding_id, f, why);
	if (rc != FX_OK)
		return rc;
	if (f->state != FS_NOTIFIED || f->exc_pending != e->id) {
		*why = sm_fact("already_handled", "{s:s}", "state",
		    fstate_name(f->state));
		return FX_ECONFLICT;
	}
	return FX_OK;
}

/*
 * Approve / Deny on an approval request. Approve decides at once; Deny
 * opens the reason modal (sm_exception_deny decides at its submit).
 */
static fx_err
click_decide(struct db *db, const struct policy *pol, const struct sm_click *c,
    int64_t now)
{
	const struct playbook *pb;
	struct exception_rec e;
	struct finding f;
	json_t *why = NULL;
	int kind, done = 0;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	memset(&f, 0, sizeof(f));
	rc = decide_check(db, pol, c->target_id, c->user_id,
	    c->action == ACT_EXC_APPROVE, &e, &f, &why);
	if (refused(rc)) {
		rc = sm_out_ephemeral(db, e.finding_id, c->channel_id,
		    c->user_id, why, now);
		why = NULL;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	kind = exc_kind(&e);
	if (c->action == ACT_EXC_DENY) {
		rc = sm_out(db, "modal", f.id, now, "{s:I,s:s,s:s,s:s,s:s}",
		    "exception_id", (json_int_t)e.id, "trigger_id",
		    c->trigger_id ? c->trigger_id : "", "channel",
		    c->channel_id ? c->channel_id : "", "user", c->user_id,
		    "ts", c->message_ts ? c->message_ts : "");
		goto out;
	}
	rc = sm_owner_decide(db, pol, 1, c->user_id, NULL, c->channel_id,
	    c->message_ts, &e, &f, now, &done);
	if (rc != FX_OK || done)
		goto out; /* a false-positive report, approved */
	pb = policy_playbook(pol, f.playbook);
	e.until = now + policy_exc_secs(pb, kind);
	rc = sm_exception_decide(db, &e, "active", c->user_id, now);
	if (rc != FX_OK)
		goto out;
	f.exc_pending = 0;
	rc = decide_approve(db, c, &e, &f, kind, now);
out:
	json_decref(why);
	exception_release(&e);
	finding_release(&f);
	return rc;
}

fx_err
sm_exception_deny(struct db *db, const struct policy *pol,
    const struct sm_deny_req *r, int64_t now, json_t **refusal)
{
	struct exception_rec e;
	struct finding f;
	json_t *why = NULL;
	int done = 0;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	memset(&f, 0, sizeof(f));
	if (r->reason == NULL || *r->reason == '\0' ||
	    strlen(r->reason) > FX_MAX_REASON) {
		why = sm_fact("reason_needed", "{s:i}", "max", FX_MAX_REASON);
		rc = why != NULL ? FX_EINVAL : FX_ENOMEM;
		goto out;
	}
	rc =
	    decide_check(db, pol, r->exception_id, r->user_id, 0, &e, &f, &why);
	if (rc != FX_OK)
		goto out;
	rc = sm_owner_decide(db, pol, 0, r->user_id, r->reason, r->channel_id,
	    r->message_ts, &e, &f, now, &done);
	if (rc != FX_OK || done)
		goto out; /* a false-positive report, denied */
	rc = sm_exception_decide(db, &e, "denied", r->user_id, now);
	if (rc != FX_OK)
		goto out;
	f.exc_pending = 0;
	rc = decide_deny(db, pol, r, &e, &f, exc_kind(&e), now);
out:
	if (refusal != NULL && why != NULL) {
		json_decref(*refusal);
		*refusal = why;
		why = NULL;
	}
	json_decref(why);
	exception_release(&e);
	finding_release(&f);
	return rc;
}

fx_err
sm_click(struct db *db, const struct policy *pol, const struct sm_click *c,
    int64_t now)
{
	switch (c->action) {
	case ACT_FIX_NOW:
	case ACT_EXC_1M:
	case ACT_EXC_1Y:
		return click_finding(db, pol, c, now);
	case ACT_EXC_APPROVE:
	case ACT_EXC_DENY:
		return click_decide(db, pol, c, now);
	case ACT_NOT_MINE:
	case ACT_FALSE_POSITIVE:
		return sm_owner_click(db, pol, c, now);
	}
	return FX_EINVAL;
}

/* needs approval: pending row, approval request, decision on the message */
static fx_err
submit_pending(struct db *db, const struct sm_exception_req *r,
    struct finding *f, int64_t now)
{
	struct exception_rec e;
	struct buf t = BUF_INIT;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	rc = sm_exception_fields(&e, f->id, r->user_id, r->reason, r->kind,
	    "pending", now);
	if (rc != FX_OK)
		goto out;
	rc = db_exception_insert(db, &e);
	if (rc != FX_OK)
		goto out;
	f->exc_pending = e.id;
	rc = buf_addf(&t, "Exception %s requested: %s",
	    policy_exc_name(r->kind), r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_NOTIFIED, r->user_id, "exception_requested",
	    buf_str(&t), now, "{s:I,s:s,s:s}", "exception_id", (json_int_t)e.id,
	    "kind", sm_exc_code(r->kind), "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_out(db, "approval_request", f->id, now, "{s:I}", "exception_id",
	    (json_int_t)e.id);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "exc_requested",
	    "{s:s,s:s,s:s}", "by", r->user_id, "kind", sm_exc_code(r->kind),
	    "reason", r->reason);
out:
	exception_release(&e);
	buf_release(&t);
	return rc;
}

/* no approval needed: active at once, finding excepted */
static fx_err
submit_active(struct db *db, const struct playbook *pb,
    const struct sm_exception_req *r, struct finding *f, int64_t now)
{
	struct exception_rec e;
	struct buf t = BUF_INIT;
	char iso[21];
	fx_err rc;

	memset(&e, 0, sizeof(e));
	e.until = now + policy_exc_secs(pb, r->kind);
	e.decided_at = now;
	rc = sm_exception_fields(&e, f->id, r->user_id, r->reason, r->kind,
	    "active", now);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&e.decided_by, r->user_id);
	if (rc != FX_OK)
		goto out;
	rc = db_exception_insert(db, &e);
	if (rc != FX_OK)
		goto out;
	f->excepted_until = e.until;
	sm_iso(e.until, iso);
	rc = buf_addf(&t, "Exception %s taken until %s: %s",
	    policy_exc_name(r->kind), iso, r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_EXCEPTED, r->user_id, "transition", buf_str(&t),
	    now, "{s:I,s:s,s:s,s:s}", "exception_id", (json_int_t)e.id, "kind",
	    sm_exc_code(r->kind), "until", iso, "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "exc_taken",
	    "{s:s,s:s,s:I,s:s}", "by", r->user_id, "kind", sm_exc_code(r->kind),
	    "until", (json_int_t)e.until, "reason", r->reason);
out:
	exception_release(&e);
	buf_release(&t);
	return rc;
}

fx_err
sm_exception_submit(struct db *db, const struct policy *pol,
    const struct sm_exception_req *r, int64_t now, json_t **refusal)
{
	const struct playbook *pb;
	json_t *why = NULL;
	struct finding f;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	if ((unsigned)r->kind >= EXC__COUNT || r->reason == NULL ||
	    *r->reason == '\0' || strlen(r->reason) > FX_MAX_REASON) {
		why = sm_fact("reason_needed", "{s:i}", "max", FX_MAX_REASON);
		rc = why != NULL ? FX_EINVAL : FX_ENOMEM;
		goto out;
	}
	rc = sm_finding_get(db, r->finding_id, &f, &why);
	if (rc != FX_OK)
		goto out;
	rc = guard(db, pol, &f, r->user_id, (int)r->kind, &why);
	if (rc != FX_OK)
		goto out;
	pb = policy_playbook(pol, f.playbook);
	if (pb->exc_need_approval & (1u << r->kind))
		rc = submit_pending(db, r, &f, now);
	else
		rc = submit_active(db, pb, r, &f, now);
out:
	if (refusal != NULL && why != NULL) {
		json_decref(*refusal);
		*refusal = why;
		why = NULL;
	}
	json_decref(why);
	finding_release(&f);
	return rc;
}
