/*
 * sm_owner.c - what an owner does for themselves (sm.h "the owner's own
 * steps"): Not mine passes a finding to another Slack user, who is then
 * asked afresh; False positive reports the finding as wrong, and once an
 * admin approves it the finding is excepted for the playbook's 1-year
 * duration and counted per playbook (db_fp_counts), so that the playbook
 * can be tuned.
 *
 * Everything said to people is a fact (common/fxsay.h); audit reasons
 * are plain text.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlimits.h"
#include "fxutil.h"
#include "sm_internal.h"
#include "banned.h"

#define FP_PREFIX "false positive: " /* the exception row's reason */

/* a refusal is an outcome, not an error */
static int
refused(fx_err rc)
{
	return rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND ||
	       rc == FX_EINVAL;
}

/* *why = f (NULL: FX_ENOMEM), returning rc */
static fx_err
refuse(json_t **why, json_t *f, fx_err rc)
{
	*why = f;
	return f != NULL ? rc : FX_ENOMEM;
}

/* the finding a user named: not found is a refusal */
static fx_err
load(struct db *db, int64_t id, struct finding *f, json_t **why)
{
	fx_err rc;

	rc = db_finding_get(db, id, f);
	if (rc != FX_ENOTFOUND)
		return rc;
	memset(f, 0, sizeof(*f));
	return refuse(why,
	    sm_fact("not_found", "{s:I}", "finding_id", (json_int_t)id),
	    FX_ENOTFOUND);
}

/* owner or admin, configured, notified, nothing pending: as the buttons */
static fx_err
guard(const struct policy *pol, const struct finding *f, const char *user,
    json_t **why)
{
	if (policy_playbook(pol, f->playbook) == NULL ||
	    policy_account(pol, f->account_id) == NULL)
		return refuse(why,
		    sm_fact("not_configured", "{s:I}", "finding_id",
			(json_int_t)f->id),
		    FX_ENOTFOUND);
	if (!sm_may_act(pol, f, user))
		return refuse(why,
		    sm_fact("not_owner", "{s:s?}", "owner", f->owner_slack_id),
		    FX_EPERM);
	if (f->state != FS_NOTIFIED)
		return refuse(why,
		    sm_fact("already_handled", "{s:s}", "state",
			fstate_name(f->state)),
		    FX_ECONFLICT);
	if (f->exc_pending != 0)
		return refuse(why, sm_fact("exc_pending", NULL), FX_ECONFLICT);
	return FX_OK;
}

/*
 * Passed on SM_MAX_REASSIGN times already: an admin settles it (two
 * people cannot pass it back and forth for ever; an admin always can)
 */
static fx_err
reassign_bound(struct db *db, const struct policy *pol, const struct finding *f,
    const char *user, json_t **why)
{
	int64_t n = 0;
	fx_err rc;

	if (policy_is_admin(pol, user))
		return FX_OK;
	rc = db_audit_count_finding(db, f->id, "reassigned", &n);
	if (rc != FX_OK || n < SM_MAX_REASSIGN)
		return rc;
	return refuse(why,
	    sm_fact("reassign_limit", "{s:i}", "max", SM_MAX_REASSIGN),
	    FX_ECONFLICT);
}

fx_err
sm_owner_click(struct db *db, const struct policy *pol,
    const struct sm_click *c, int64_t now)
{
	int mine = c->action == ACT_NOT_MINE;
	json_t *why = NULL;
	const char *chan;
	struct finding f;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	rc = load(db, c->target_id, &f, &why);
	chan = c->channel_id ? c->channel_id : f.slack_channel;
	if (rc == FX_OK)
		rc = guard(pol, &f, c->user_id, &why);
	if (rc == FX_OK && mine)
		rc = reassign_bound(db, pol, &f, c->user_id, &why);
	if (refused(rc)) {
		rc = sm_out_ephemeral(db, f.id, chan, c->user_id, why, now);
		why = NULL;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	/* channel and user: where to say that the form came too late */
	rc = sm_out(db, "modal", f.id, now, "{s:s,s:s,s:s,s:s}", "kind",
	    mine ? "reassign" : "false_positive", "trigger_id",
	    c->trigger_id ? c->trigger_id : "", "channel", chan ? chan : "",
	    "user", c->user_id ? c->user_id : "");
out:
	json_decref(why);
	finding_release(&f);
	return rc;
}

/* the checks of a reassignment of f to r->new_owner */
static fx_err
reassign_check(struct db *db, const struct policy *pol,
    const struct sm_reassign_req *r, const struct finding *f, json_t **why)
{
	fx_err rc;

	rc = guard(pol, f, r->user_id, why);
	if (rc != FX_OK)
		return rc;
	if (f->owner_slack_id != NULL &&
	    strcmp(f->owner_slack_id, r->new_owner) == 0)
		return refuse(why,
		    sm_fact("reassign_same", "{s:s}", "to", r->new_owner),
		    FX_EINVAL);
	return reassign_bound(db, pol, f, r->user_id, why);
}

/*
 * The old card (ch, ts) and its reminder, if one was posted in its
 * thread, say who passed the finding to whom and lose their buttons;
 * the new card will have a thread of its own.
 */
static fx_err
old_messages(struct db *db, const struct sm_reassign_req *r, int64_t fid,
    const char *ch, const char *ts, int64_t now)
{
	const char *at[2] = { ts, NULL };
	char *rts = NULL;
	fx_err rc;
	int i;

	rc = db_finding_get_reminder(db, fid, &rts);
	if (rc != FX_OK)
		return rc;
	at[1] = rts;
	for (i = 0; i < 2 && rc == FX_OK && ch != NULL; i++)
		if (at[i] != NULL)
			rc = sm_say(db, "decision", fid, now, "reassigned",
			    "{s:s,s:s,s:s?,s:s,s:s}", "by", r->user_id, "to",
			    r->new_owner, "note", r->note, "channel", ch, "ts",
			    at[i]);
	if (rc == FX_OK && rts != NULL)
		rc = db_finding_set_reminder(db, fid, NULL);
	free(rts);
	return rc;
}

/*
 * f to its new owner: the old card (channel ch, ts) says so, then the
 * new owner is asked as if for the first time, in their DM
 */
static fx_err
reassign_apply(struct db *db, const struct policy *pol,
    const struct sm_reassign_req *r, struct finding *f, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	char *from = f->owner_slack_id, *ch = f->slack_channel;
	char *ts = f->slack_ts;
	fx_err rc;

	f->owner_slack_id = NULL;
	f->slack_channel = NULL;
	f->slack_ts = NULL;
	rc = sm_set_str(&f->owner_slack_id, r->new_owner);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_NOTIFIED, r->user_id, "reassigned",
	    "Passed on to another owner, who is asked afresh", now,
	    "{s:s?,s:s,s:s?}", "from", from, "to", r->new_owner, "note",
	    r->note);
	if (rc != FX_OK)
		goto out;
	rc = old_messages(db, r, f->id, ch, ts, now);
	if (rc != FX_OK)
		goto out;
	/* a fresh deadline: nobody is fixed before they were told */
	rc = sm_notify(db, pb, f, r->user_id, now);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "owner_msg", f->id, now, "reassigned_to_you",
	    "{s:s,s:s,s:s?,s:s?}", "by", r->user_id, "to", r->new_owner, "from",
	    from, "note", r->note);
out:
	free(from);
	free(ch);
	free(ts);
	return rc;
}

fx_err
sm_reassign(struct db *db, const struct policy *pol,
    const struct sm_reassign_req *r, int64_t now, json_t **why)
{
	struct finding f;
	fx_err rc;

	*why = NULL;
	memset(&f, 0, sizeof(f));
	if (!fx_slack_user_id_ok(r->new_owner))
		return refuse(why, sm_fact("reassign_bad_user", NULL),
		    FX_EINVAL);
	if (r->note != NULL && strlen(r->note) > 4 * FX_MAX_REASON)
		return refuse(why,
		    sm_fact("reason_needed", "{s:i}", "max", FX_MAX_REASON),
		    FX_EINVAL);
	rc = load(db, r->finding_id, &f, why);
	if (rc == FX_OK)
		rc = reassign_check(db, pol, r, &f, why);
	if (rc == FX_OK)
		rc = reassign_apply(db, pol, r, &f, now);
	finding_release(&f);
	return rc;
}

/* the pending report on f: row, marker, audit, approval request */
static fx_err
fp_report(struct db *db, const struct sm_fp_req *r, struct finding *f,
    int64_t now)
{
	struct exception_rec e;
	struct buf t = BUF_INIT;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	rc = buf_addf(&t, FP_PREFIX "%s", r->reason);
	if (rc == FX_OK)
		rc = sm_exception_fields(&e, f->id, r->user_id, buf_str(&t),
		    EXC_1Y, "pending", now);
	if (rc != FX_OK)
		goto out;
	rc = db_exception_insert(db, &e);
	if (rc != FX_OK)
		goto out;
	rc = db_exception_fp_set(db, e.id, DB_FP_REPORTED);
	if (rc != FX_OK)
		goto out;
	f->exc_pending = e.id;
	rc = sm_apply(db, f, FS_NOTIFIED, r->user_id, "false_positive_reported",
	    buf_str(&t), now, "{s:I,s:s}", "exception_id", (json_int_t)e.id,
	    "reason", r->reason);
	if (rc != FX_OK)
		goto out;
	rc = sm_out(db, "approval_request", f->id, now, "{s:I,s:b}",
	    "exception_id", (json_int_t)e.id, "fp", 1);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "fp_reported", "{s:s,s:s}",
	    "by", r->user_id, "reason", r->reason);
out:
	exception_release(&e);
	buf_release(&t);
	return rc;
}

fx_err
sm_false_positive(struct db *db, const struct policy *pol,
    const struct sm_fp_req *r, int64_t now, json_t **why)
{
	struct finding f;
	fx_err rc;

	*why = NULL;
	memset(&f, 0, sizeof(f));
	if (r->reason == NULL ||
	    r->reason[strspn(r->reason, " \t\r\n")] == '\0' ||
	    strlen(r->reason) > 4 * FX_MAX_REASON)
		return refuse(why,
		    sm_fact("reason_needed", "{s:i}", "max", FX_MAX_REASON),
		    FX_EINVAL);
	rc = load(db, r->finding_id, &f, why);
	if (rc == FX_OK) {
		/* its columns are not changed here: state steps only */
		f.steps_only = 1;
		rc = guard(pol, &f, r->user_id, why);
	}
	if (rc == FX_OK)
		rc = fp_report(db, r, &f, now);
	finding_release(&f);
	return rc;
}

/* the owner's words, without the prefix the row's reason has */
static const char *
fp_reason(const struct exception_rec *e)
{
	size_t n = strlen(FP_PREFIX);

	if (e->reason != NULL && strncmp(e->reason, FP_PREFIX, n) == 0)
		return e->reason + n;
	return e->reason;
}

/*
 * How a false-positive report was decided, by whom (by, ch/ts: the
 * message clicked, or NULL) and why (reason: a denial's, or NULL).
 */
struct fp_decision {
	const char *by, *reason, *ch, *ts;
};

/* the admin channel's messages of the report say how it was decided */
static fx_err
fp_request_msg(struct db *db, const struct fp_decision *d,
    const struct exception_rec *e, const struct finding *f, int64_t until,
    int64_t now)
{
	struct sm_request_end end = { e, f, EXC_1Y,
		until != 0 ? "fp_request_approved" : "fp_request_denied", d->by,
		d->reason, until, d->ch, d->ts };

	return sm_request_ended(db, &end, now);
}

/* approved: excepted for a year with the reason, counted, all told */
static fx_err
fp_approve(struct db *db, const struct policy *pol, const struct fp_decision *d,
    struct exception_rec *e, struct finding *f, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	char iso[21];
	fx_err rc;

	e->until = now + policy_exc_secs(pb, EXC_1Y);
	rc = sm_exception_decide(db, e, "active", d->by, now);
	if (rc != FX_OK)
		return rc;
	rc = db_exception_fp_set(db, e->id, DB_FP_APPROVED);
	if (rc != FX_OK)
		return rc;
	f->exc_pending = 0;
	f->excepted_until = e->until;
	sm_iso(e->until, iso);
	rc = sm_apply(db, f, FS_EXCEPTED, d->by, "false_positive", e->reason,
	    now, "{s:I,s:s,s:s?,s:s?}", "exception_id", (json_int_t)e->id,
	    "until", iso, "requested_by", e->requested_by, "reason",
	    fp_reason(e));
	if (rc != FX_OK)
		return rc;
	rc = sm_say(db, "decision", f->id, now, "fp_approved", "{s:s,s:I}",
	    "by", d->by, "until", (json_int_t)e->until);
	if (rc != FX_OK)
		return rc;
	rc = sm_say(db, "owner_msg", f->id, now, "fp_approved_owner",
	    "{s:s,s:I,s:s?}", "by", d->by, "until", (json_int_t)e->until,
	    "reason", fp_reason(e));
	if (rc != FX_OK)
		return rc;
	return fp_request_msg(db, d, e, f, e->until, now);
}

/*
 * denied (with the admin's reason): as a denied exception, the finding
 * stays notified, its card asks again (buttons back) with at least
 * approval_grace left
 */
static fx_err
fp_deny(struct db *db, const struct policy *pol, const struct fp_decision *d,
    struct exception_rec *e, struct finding *f, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int64_t deadline = 0;
	fx_err rc;

	rc = sm_exception_decide(db, e, "denied", d->by, now);
	if (rc != FX_OK)
		return rc;
	f->exc_pending = 0;
	if (f->deadline > 0 && f->deadline < now + pol->approval_grace) {
		f->deadline = now + pol->approval_grace;
		f->reminder_sent = 0;
	}
	rc = sm_apply(db, f, FS_NOTIFIED, d->by, "exception_denied",
	    "False-positive report denied", now, "{s:I,s:s,s:s?,s:b,s:s?}",
	    "exception_id", (json_int_t)e->id, "kind", sm_exc_code(EXC_1Y),
	    "requested_by", e->requested_by, "false_positive", 1, "reason",
	    d->reason);
	if (rc != FX_OK)
		return rc;
	if (pb != NULL && sm_mode(pb, f) == PB_ENFORCE && f->deadline > 0)
		deadline = f->deadline;
	rc = sm_say(db, "decision", f->id, now, "fp_denied",
	    "{s:s,s:I,s:s?,s:s}", "by", d->by, "deadline", (json_int_t)deadline,
	    "reason", d->reason, "card", "ask");
	if (rc != FX_OK)
		return rc;
	rc = sm_say(db, "owner_msg", f->id, now, "fp_denied_owner",
	    "{s:s,s:s?}", "by", d->by, "reason", d->reason);
	if (rc != FX_OK)
		return rc;
	return fp_request_msg(db, d, e, f, 0, now);
}

fx_err
sm_owner_decide(struct db *db, const struct policy *pol, int approve,
    const char *by, const char *reason, const char *ch, const char *ts,
    struct exception_rec *e, struct finding *f, int64_t now, int *done)
{
	const struct fp_decision d = { by, reason, ch, ts };
	int fp = DB_FP_NO;
	fx_err rc;

	*done = 0;
	rc = db_exception_fp(db, e->id, &fp);
	if (rc != FX_OK || fp == DB_FP_NO)
		return rc;
	*done = 1;
	if (approve)
		return fp_approve(db, pol, &d, e, f, now);
	return fp_deny(db, pol, &d, e, f, now);
}

static int
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

fx_err
sm_owner_chosen(struct db *db, const struct finding *f,
    const struct finding_in *in, int *chosen)
{
	int64_t n = 0;
	fx_err rc;

	*chosen = 0;
	if ((in->owner_slack_id == NULL ||
		same(in->owner_slack_id, f->owner_slack_id)) &&
	    (in->owner_email == NULL || same(in->owner_email, f->owner_email)))
		return FX_OK; /* no change to keep off: no query */
	rc = db_audit_count_finding(db, f->id, "reassigned", &n);
	*chosen = rc == FX_OK && n > 0;
	return rc;
}

fx_err
sm_owner_lapsed(struct db *db, const struct policy *pol, struct finding *f,
    int64_t exc, int64_t now, int *done)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int64_t deadline = 0;
	int fp = DB_FP_NO;
	fx_err rc;

	*done = 0;
	rc = db_exception_fp(db, exc, &fp);
	if (rc == FX_ENOTFOUND || (rc == FX_OK && fp == DB_FP_NO))
		return FX_OK;
	if (rc != FX_OK)
		return rc;
	*done = 1;
	if (pb != NULL && sm_mode(pb, f) == PB_ENFORCE)
		deadline = f->deadline;
	rc = sm_say(db, "decision", f->id, now, "fp_lapsed", "{s:I}",
	    "deadline", (json_int_t)deadline);
	if (rc == FX_OK)
		rc = sm_say(db, "owner_msg", f->id, now, "fp_lapsed_owner",
		    NULL);
	if (rc != FX_OK)
		return rc;
	/* the card lost its buttons to the report: a reminder brings them,
	 * and stands for the timer's (no second one) */
	f->reminder_sent = 1;
	f->updated_at = now;
	rc = db_finding_update(db, f);
	if (rc == FX_OK)
		rc = sm_out(db, "reminder", f->id, now, "{s:I}", "deadline",
		    (json_int_t)f->deadline);
	return rc;
}
