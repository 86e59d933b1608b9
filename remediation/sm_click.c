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
 * with the sentence to show in why: FX_ENOTFOUND (no longer configured),
 * FX_EPERM (not owner/admin, or not offered), FX_ECONFLICT (decided).
 */
static fx_err
guard(struct db *db, const struct policy *pol, const struct finding *f,
    const char *user, int action, struct buf *why)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	const struct account *acct = policy_account(pol, f->account_id);
	int paused = 0;
	fx_err rc;

	if (pb == NULL || acct == NULL) {
		rc = buf_addf(why,
		    "Finding #%lld belongs to a playbook or "
		    "account that is no longer configured.",
		    (long long)f->id);
		return rc == FX_OK ? FX_ENOTFOUND : rc;
	}
	if (!sm_may_act(pol, f, user)) {
		if (f->owner_slack_id != NULL)
			rc = buf_addf(why,
			    "Only the owner of this finding "
			    "(<@%s>) or a fixit admin can do that.",
			    f->owner_slack_id);
		else
			rc = buf_adds(why, "Only the owner of this finding "
					   "or a fixit admin can do that.");
		return rc == FX_OK ? FX_EPERM : rc;
	}
	if (f->state != FS_NOTIFIED) {
		rc = buf_addf(why,
		    "This finding was already handled: it is "
		    "%s.",
		    fstate_name(f->state));
		return rc == FX_OK ? FX_ECONFLICT : rc;
	}
	if (f->exc_pending != 0) {
		rc = buf_adds(why, "An exception for this finding is already "
				   "awaiting admin approval.");
		return rc == FX_OK ? FX_ECONFLICT : rc;
	}
	if (action == ACT_FIX) {
		if (!policy_fix_now_allowed(pb, acct->env) || f->notify_only) {
			rc = buf_addf(why,
			    "Fix now is not offered for this "
			    "finding (%s account, playbook mode %s).",
			    policy_env_name(acct->env),
			    policy_mode_name(pb->mode));
			return rc == FX_OK ? FX_EPERM : rc;
		}
		rc = sm_paused(db, pb->name, &paused);
		if (rc != FX_OK)
			return rc;
		if (paused) {
			rc = buf_addf(why,
			    "Fixes of %s are paused by a fixit "
			    "admin; try again later.",
			    pb->name);
			return rc == FX_OK ? FX_ECONFLICT : rc;
		}
		return FX_OK;
	}
	if (!(policy_exc_allowed(pb, acct->env) & (1u << action))) {
		rc = buf_addf(why,
		    "A %s exception is not offered for this "
		    "finding (%s account).",
		    policy_exc_name(action), policy_env_name(acct->env));
		return rc == FX_OK ? FX_EPERM : rc;
	}
	return FX_OK;
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
	struct buf t = BUF_INIT;
	struct finding f;
	const char *chan;
	int action;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	action = c->action == ACT_FIX_NOW  ? ACT_FIX
		 : c->action == ACT_EXC_1Y ? EXC_1Y
					   : EXC_1M;
	rc = sm_finding_get(db, c->target_id, &f, &t);
	if (rc == FX_ENOTFOUND) {
		rc = sm_out_ephemeral(db, 0, c->channel_id, c->user_id,
		    buf_str(&t), now);
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	chan = c->channel_id ? c->channel_id : f.slack_channel;
	rc = guard(db, pol, &f, c->user_id, action, &t);
	if (refused(rc)) {
		rc = sm_out_ephemeral(db, f.id, chan, c->user_id, buf_str(&t),
		    now);
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
	rc = buf_addf(&t, "<@%s> chose Fix now", c->user_id);
	if (rc != FX_OK)
		goto out;
	rc = sm_to_fixing(db, &f, c->user_id, buf_str(&t), now);
	if (rc != FX_OK)
		goto out;
	buf_reset(&t);
	rc = buf_addf(&t, "<@%s> chose *Fix now*", c->user_id);
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "decision", f.id, buf_str(&t), now);
out:
	finding_release(&f);
	buf_release(&t);
	return rc;
}

/* the kind of an exception row (1 month when unknown) */
static int
exc_kind(const struct exception_rec *e)
{
	int kind = sm_exc_parse(e->kind);

	return kind < 0 ? EXC_1M : kind;
}

/*
 * The admin channel's request message: "Exception #id (kind) for <finding>
 * <verb> by <@admin>", then " until <date>" when until is not 0.
 */
static fx_err
decide_request_msg(struct db *db, const struct sm_click *c,
    const struct exception_rec *e, const struct finding *f, int kind,
    const char *verb, int64_t until, int64_t now)
{
	struct buf a = BUF_INIT;
	fx_err rc;

	rc = buf_addf(&a, "Exception #%lld (%s) for ", (long long)e->id,
	    policy_exc_name(kind));
	if (rc != FX_OK)
		goto out;
	rc = sm_add_finding(&a, f);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(&a, " %s by <@%s>", verb, c->user_id);
	if (rc != FX_OK)
		goto out;
	if (until != 0) {
		rc = buf_adds(&a, " until ");
		if (rc != FX_OK)
			goto out;
		rc = sm_add_date(&a, until);
		if (rc != FX_OK)
			goto out;
	}
	rc = sm_out_decision_at(db, f->id, buf_str(&a), c->channel_id,
	    c->message_ts, now);
out:
	buf_release(&a);
	return rc;
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
	rc = buf_addf(&t, "Exception: %s approved by <@%s> until %s",
	    policy_exc_name(kind), c->user_id, iso);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_EXCEPTED, c->user_id, "transition", buf_str(&t),
	    now, "{s:I,s:s,s:s,s:s?,s:s?}", "exception_id", (json_int_t)e->id,
	    "kind", sm_exc_code(kind), "until", iso, "requested_by",
	    e->requested_by, "reason", e->reason);
	if (rc != FX_OK)
		goto out;
	buf_reset(&t);
	rc = buf_addf(&t, "Exception: %s approved by <@%s> until ",
	    policy_exc_name(kind), c->user_id);
	if (rc != FX_OK)
		goto out;
	rc = sm_add_date(&t, e->until);
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "decision", f->id, buf_str(&t), now);
	if (rc != FX_OK)
		goto out;
	rc = decide_request_msg(db, c, e, f, kind, "approved", e->until, now);
out:
	buf_release(&t);
	return rc;
}

/* denied (row denied): finding stays notified; owner told */
static fx_err
decide_deny(struct db *db, const struct playbook *pb, const struct sm_click *c,
    const struct exception_rec *e, struct finding *f, int kind, int64_t now)
{
	struct buf t = BUF_INIT, a = BUF_INIT;
	fx_err rc;

	rc = buf_addf(&t, "Exception: %s denied by <@%s>",
	    policy_exc_name(kind), c->user_id);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_NOTIFIED, c->user_id, "exception_denied",
	    buf_str(&t), now, "{s:I,s:s,s:s?}", "exception_id",
	    (json_int_t)e->id, "kind", sm_exc_code(kind), "requested_by",
	    e->requested_by);
	if (rc != FX_OK)
		goto out;
	if (pb != NULL && sm_mode(pb, f) == PB_ENFORCE && f->deadline > 0) {
		rc = buf_adds(&t, ". fixit fixes it after ");
		if (rc != FX_OK)
			goto out;
		rc = sm_add_date(&t, f->deadline);
		if (rc != FX_OK)
			goto out;
	}
	rc = buf_addc(&t, '.');
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "decision", f->id, buf_str(&t), now);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(&a, "<@%s> denied your %s exception for ", c->user_id,
	    policy_exc_name(kind));
	if (rc != FX_OK)
		goto out;
	rc = sm_add_finding(&a, f);
	if (rc != FX_OK)
		goto out;
	rc = buf_addc(&a, '.');
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "owner_msg", f->id, buf_str(&a), now);
	if (rc != FX_OK)
		goto out;
	rc = decide_request_msg(db, c, e, f, kind, "denied", 0, now);
out:
	buf_release(&t);
	buf_release(&a);
	return rc;
}

/* Approve / Deny: the exception row decided, then the messages */
static fx_err
decide(struct db *db, const struct policy *pol, const struct sm_click *c,
    struct exception_rec *e, struct finding *f, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int approve = c->action == ACT_EXC_APPROVE;
	int kind = exc_kind(e), done = 0;
	fx_err rc;

	rc = sm_owner_decide(db, pol, c, e, f, now, &done);
	if (rc != FX_OK || done)
		return rc; /* a false-positive report */
	if (approve)
		e->until = now + policy_exc_secs(pb, kind);
	rc = sm_exception_decide(db, e, approve ? "active" : "denied",
	    c->user_id, now);
	if (rc != FX_OK)
		return rc;
	f->exc_pending = 0;
	if (approve)
		return decide_approve(db, c, e, f, kind, now);
	return decide_deny(db, pb, c, e, f, kind, now);
}

/* Approve / Deny on an approval request (admins only) */
static fx_err
click_decide(struct db *db, const struct policy *pol, const struct sm_click *c,
    int64_t now)
{
	struct exception_rec e;
	struct finding f;
	struct buf t = BUF_INIT;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	memset(&f, 0, sizeof(f));
	if (!policy_is_admin(pol, c->user_id)) {
		rc = buf_adds(&t, "Only a fixit admin can approve or deny "
				  "exceptions.");
		goto refuse;
	}
	rc = db_exception_get(db, c->target_id, &e);
	if (rc == FX_ENOTFOUND) {
		memset(&e, 0, sizeof(e));
		rc = buf_addf(&t, "Exception #%lld was not found.",
		    (long long)c->target_id);
		goto refuse;
	}
	if (rc != FX_OK)
		goto out;
	if (e.status == NULL || strcmp(e.status, "pending") != 0) {
		rc = buf_addf(&t,
		    "This exception was already handled: it is "
		    "%s.",
		    e.status ? e.status : "unknown");
		goto refuse;
	}
	/* four eyes: whoever asked does not also grant it */
	if (c->action == ACT_EXC_APPROVE && !pol->self_approval &&
	    e.requested_by != NULL && strcmp(e.requested_by, c->user_id) == 0) {
		rc = buf_adds(&t, "You asked for this exception: another fixit "
				  "admin must approve it.");
		goto refuse;
	}
	rc = sm_finding_get(db, e.finding_id, &f, &t);
	if (rc == FX_ENOTFOUND) {
		rc = FX_OK;
		goto refuse;
	}
	if (rc != FX_OK)
		goto out;
	if (f.state != FS_NOTIFIED || f.exc_pending != e.id) {
		rc = buf_addf(&t,
		    "This finding was already handled: it is "
		    "%s.",
		    fstate_name(f.state));
		goto refuse;
	}
	rc = decide(db, pol, c, &e, &f, now);
	goto out;
refuse:
	if (rc == FX_OK)
		rc = sm_out_ephemeral(db, e.finding_id, c->channel_id,
		    c->user_id, buf_str(&t), now);
out:
	exception_release(&e);
	finding_release(&f);
	buf_release(&t);
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

/* the requested fields of a new exception row on f (e zeroed before) */
static fx_err
submit_fields(struct exception_rec *e, const struct sm_exception_req *r,
    const struct finding *f, const char *status, int64_t now)
{
	fx_err rc;

	e->finding_id = f->id;
	e->requested_at = now;
	rc = sm_set_str(&e->requested_by, r->user_id);
	if (rc != FX_OK)
		return rc;
	rc = sm_set_str(&e->reason, r->reason);
	if (rc != FX_OK)
		return rc;
	rc = sm_set_str(&e->kind, sm_exc_code(r->kind));
	if (rc != FX_OK)
		return rc;
	return sm_set_str(&e->status, status);
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
	rc = submit_fields(&e, r, f, "pending", now);
	if (rc != FX_OK)
		goto out;
	rc = db_exception_insert(db, &e);
	if (rc != FX_OK)
		goto out;
	f->exc_pending = e.id;
	rc = buf_addf(&t, "<@%s> asked for a %s exception: %s", r->user_id,
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
	buf_reset(&t);
	rc = buf_addf(&t,
	    "<@%s> asked for a *%s* exception (awaiting admin "
	    "approval): ",
	    r->user_id, policy_exc_name(r->kind));
	if (rc != FX_OK)
		goto out;
	rc = sm_add_escaped(&t, r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "decision", f->id, buf_str(&t), now);
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
	rc = submit_fields(&e, r, f, "active", now);
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
	rc = buf_addf(&t, "<@%s> took a %s exception until %s: %s", r->user_id,
	    policy_exc_name(r->kind), iso, r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_EXCEPTED, r->user_id, "transition", buf_str(&t),
	    now, "{s:I,s:s,s:s,s:s}", "exception_id", (json_int_t)e.id, "kind",
	    sm_exc_code(r->kind), "until", iso, "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	buf_reset(&t);
	rc = buf_addf(&t, "<@%s> took an exception for %s until ", r->user_id,
	    policy_exc_name(r->kind));
	if (rc != FX_OK)
		goto out;
	rc = sm_add_date(&t, e.until);
	if (rc != FX_OK)
		goto out;
	rc = buf_adds(&t, ": ");
	if (rc != FX_OK)
		goto out;
	rc = sm_add_escaped(&t, r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_out_text(db, "decision", f->id, buf_str(&t), now);
out:
	exception_release(&e);
	buf_release(&t);
	return rc;
}

fx_err
sm_exception_submit(struct db *db, const struct policy *pol,
    const struct sm_exception_req *r, int64_t now, struct buf *msg)
{
	const struct playbook *pb;
	struct buf why = BUF_INIT;
	struct finding f;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	if ((unsigned)r->kind >= EXC__COUNT || r->reason == NULL ||
	    *r->reason == '\0' || strlen(r->reason) > FX_MAX_REASON) {
		rc = buf_addf(&why,
		    "Please give a reason (at most %d "
		    "characters).",
		    FX_MAX_REASON);
		if (rc == FX_OK)
			rc = FX_EINVAL;
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
	sm_msg_set(msg, &why, __func__);
	finding_release(&f);
	buf_release(&why);
	return rc;
}
