/*
 * sm_finish.c - record what the executor did with a claimed job: fixed,
 * rehearsed (a dry run), retry later, failed for good, rolled back, or
 * undo failed.
 *
 * Savings (issue 16): a fix whose prior state says what it removed
 * ("usage", price.h) is stored with fixit's estimate of its monthly
 * saving ("saving" in the prior state; schema v15's triggers count it
 * while the finding is fixed), and the owner is told it; a dry run is
 * told what it would save and counts nothing (it keeps no prior state).
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlog.h"
#include "price.h"
#include "sm_internal.h"
#include "banned.h"

#define PLAN_CALLS_MAX 20 /* mutating calls listed to the owner */

/*
 * A dry run is a rehearsal whatever the executor's flag says: a prior
 * state that says dry_run (an exec script's, a dry run recorded before
 * the flag existed) never becomes a fix.
 */
static int
is_rehearsal(const struct sm_result *r)
{
	return r->rehearsal ||
	       json_is_true(json_object_get(r->prior_state, "dry_run"));
}

static const char *
pb_description(const struct playbook *pb, const struct finding *f)
{
	if (pb != NULL && pb->description != NULL && *pb->description)
		return pb->description;
	return f->playbook;
}

static void
lease_clear(struct finding *f)
{
	f->lease_until = 0;
	f->lease_token = 0;
}

/*
 * The executor's prior state with fixit's estimate of the monthly saving
 * (price.h) of what its "usage" says the fix removed, as "saving" {cents,
 * unknown [...], as_of}: a new reference in *out (prior itself when it is
 * not an object; a "saving" the executor wrote is dropped, never
 * counted). *saving: the facts' {cents, unknown (a count)} (a new
 * reference), NULL when the prior states no usage.
 */
static fx_err
with_saving(const struct policy *pol, const struct finding *f,
    const json_t *prior, json_t **out, json_t **saving)
{
	const json_t *usage;
	json_t *p, *s;

	*out = NULL;
	*saving = NULL;
	if (!json_is_object(prior)) {
		*out = json_incref((json_t *)prior);
		return FX_OK;
	}
	if ((p = json_copy((json_t *)prior)) == NULL)
		return FX_ENOMEM;
	(void)json_object_del(p, "saving");
	usage = json_object_get(p, "usage");
	s = price_saving(pol->prices, f->region, usage);
	if (s == NULL && json_is_array(usage) && json_array_size(usage) > 0)
		goto nomem;
	if (s != NULL && json_object_set_new(p, "saving", s) != 0)
		goto nomem;
	if (s != NULL && (*saving = json_pack("{s:O, s:I}", "cents",
			      json_object_get(s, "cents"), "unknown",
			      (json_int_t)json_array_size(
				  json_object_get(s, "unknown")))) == NULL)
		goto nomem;
	*out = p;
	return FX_OK;
nomem:
	json_decref(p);
	return FX_ENOMEM;
}

static fx_err
finish_fixed(struct db *db, const struct policy *pol, const struct playbook *pb,
    struct finding *f, const struct sm_result *r, int64_t now)
{
	json_t *prior = NULL, *saving = NULL;
	struct buf t = BUF_INIT;
	fx_err rc;

	rc = with_saving(pol, f, r->prior_state, &prior, &saving);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_json(&f->prior_state, prior);
	if (rc != FX_OK)
		goto out;
	lease_clear(f);
	f->next_attempt_at = 0;
	free(f->last_error);
	f->last_error = NULL;
	rc = buf_addf(&t, "Fixed by fixit: %s", pb_description(pb, f));
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_FIXED, SM_ACTOR_SYSTEM, "transition",
	    buf_str(&t), now, "{s:i,s:s?,s:O?}", "attempt", f->attempts,
	    "message", r->message, "prior_state", prior);
	if (rc != FX_OK)
		goto out;
	if (f->notified_at != 0) {
		rc = sm_say(db, "decision", f->id, now, "fixed", "{s:s,s:O?}",
		    "description", pb_description(pb, f), "saving", saving);
		if (rc != FX_OK)
			goto out;
	}
	rc = sm_say(db, "owner_msg", f->id, now, "fixed_owner",
	    "{s:s,s:b,s:O?}", "description", pb_description(pb, f),
	    "irreversible", pb != NULL && pb->irreversible, "saving", saving);
out:
	json_decref(prior);
	json_decref(saving);
	buf_release(&t);
	return rc;
}

/* the plan's mutating calls as "service Action" facts, at most
 * PLAN_CALLS_MAX; a new array (NULL when memory ran out) */
static json_t *
plan_calls(const json_t *plan)
{
	const json_t *planned = json_object_get(plan, "planned"), *c;
	json_t *calls = json_array();
	const char *svc, *act;
	size_t i;

	json_array_foreach(planned, i, c) {
		if (calls == NULL || i >= PLAN_CALLS_MAX)
			break;
		svc = json_string_value(json_object_get(c, "service"));
		act = json_string_value(json_object_get(c, "action"));
		if (json_array_append_new(calls,
			json_sprintf("%s %s", svc ? svc : "?",
			    act ? act : "?")) != 0) {
			json_decref(calls);
			calls = NULL;
		}
	}
	return calls;
}

/*
 * A dry run: the plan goes into the history and the owner is told what
 * fixit would have done (rendered by slack/ from the facts); the finding
 * is rehearsed, never fixed, and keeps no prior state, so that nothing
 * can ever "undo" a plan.
 */
static fx_err
finish_rehearsed(struct db *db, const struct policy *pol, struct finding *f,
    const struct sm_result *r, int64_t now)
{
	const char *msg = r->message && *r->message ? r->message : "dry run";
	const char *would;
	json_t *calls = NULL, *plan = NULL, *saving = NULL;
	fx_err rc;

	lease_clear(f);
	f->next_attempt_at = 0;
	rc = with_saving(pol, f, r->prior_state, &plan, &saving);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&f->prior_state, NULL);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&f->last_error, NULL);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_REHEARSED, SM_ACTOR_SYSTEM, "transition",
	    "Dry run: the fix was rehearsed, nothing was changed", now,
	    "{s:i,s:s,s:O?}", "attempt", f->attempts, "message", msg, "plan",
	    plan);
	if (rc != FX_OK)
		goto out;
	if ((calls = plan_calls(plan)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	would = json_string_value(json_object_get(plan, "would"));
	rc = sm_out(db, "rehearsal", f->id, now, "{s:s?,s:O,s:O?}", "would",
	    would, "calls", calls, "saving", saving);
out:
	json_decref(calls);
	json_decref(plan);
	json_decref(saving);
	return rc;
}

/* the re-read before the fix found nothing to do */
static fx_err
finish_resolved(struct db *db, struct finding *f, const struct sm_result *r,
    int64_t now)
{
	const char *msg =
	    r->message && *r->message ? r->message : "nothing to fix";
	struct buf t = BUF_INIT;
	fx_err rc;

	lease_clear(f);
	f->next_attempt_at = 0;
	rc = buf_addf(&t, "Resolved before fixing: %s", msg);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_RESOLVED, SM_ACTOR_SYSTEM, "transition",
	    buf_str(&t), now, "{s:i,s:s}", "attempt", f->attempts, "message",
	    msg);
	if (rc != FX_OK || f->notified_at == 0)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "nothing_to_fix", "{s:s}",
	    "message", msg);
out:
	buf_release(&t);
	return rc;
}

/* attempts used up: failed, admins and owner told */
static fx_err
finish_gave_up(struct db *db, struct finding *f, const char *msg, int64_t now)
{
	struct buf t = BUF_INIT;
	fx_err rc;

	rc = buf_addf(&t, "Fix failed after %d attempts: %s", f->attempts, msg);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_FAILED, SM_ACTOR_SYSTEM, "transition",
	    buf_str(&t), now, "{s:i,s:s}", "attempts", f->attempts, "message",
	    msg);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "admin_msg", f->id, now, "fix_failed_admin",
	    "{s:i,s:s}", "attempts", f->attempts, "message", msg);
	if (rc != FX_OK)
		goto out;
	if (f->notified_at != 0) {
		rc = sm_say(db, "decision", f->id, now, "fix_gave_up", NULL);
		if (rc != FX_OK)
			goto out;
	}
	rc = sm_say(db, "owner_msg", f->id, now, "fix_failed_owner", NULL);
out:
	buf_release(&t);
	return rc;
}

static fx_err
finish_failed(struct db *db, const struct playbook *pb, struct finding *f,
    const struct sm_result *r, int64_t now)
{
	const char *msg =
	    r->message && *r->message ? r->message : "the executor failed";
	int max = pb != NULL && pb->max_attempts > 0 ? pb->max_attempts : 1;
	int64_t delay;
	struct buf t = BUF_INIT;
	char iso[21];
	int i;
	fx_err rc;

	lease_clear(f);
	if ((rc = sm_set_str(&f->last_error, msg)) != FX_OK)
		goto out;
	if (f->attempts >= max) {
		rc = finish_gave_up(db, f, msg, now);
		goto out;
	}
	delay = pb != NULL && pb->retry_backoff > 0 ? pb->retry_backoff : 60;
	for (i = 1; i < f->attempts && delay < SM_MAX_BACKOFF; i++)
		delay *= 2;
	if (delay > SM_MAX_BACKOFF)
		delay = SM_MAX_BACKOFF;
	f->next_attempt_at = now + delay;
	sm_iso(f->next_attempt_at, iso);
	if ((rc = buf_addf(&t, "Fix attempt %d of %d failed: %s; retry at %s",
		 f->attempts, max, msg, iso)) != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_FIXING, SM_ACTOR_SYSTEM, "fix_failed",
	    buf_str(&t), now, "{s:i,s:s,s:s}", "attempt", f->attempts,
	    "message", msg, "retry_at", iso);
out:
	buf_release(&t);
	return rc;
}

/* an undo by an executor that only rehearses changed nothing: not done */
static fx_err
finish_undo(struct db *db, struct finding *f, const struct sm_result *r,
    int64_t now)
{
	const char *msg = r->message ? r->message : "";
	int rehearsed = is_rehearsal(r);
	int ok = r->ok && !rehearsed;
	struct buf t = BUF_INIT;
	char *by = f->undo_requested_by;
	fx_err rc;

	f->undo_requested_by = NULL; /* freed at out */
	lease_clear(f);
	if (!ok) {
		rc = sm_set_str(&f->last_error,
		    *msg ? msg : "the executor failed");
		if (rc != FX_OK)
			goto out;
	}
	rc = buf_addf(&t, "%s (asked by %s)%s%s",
	    ok		? "Fix undone"
	    : rehearsed ? "Undo only rehearsed (dry run), nothing was changed"
			: "Undo failed",
	    by, *msg ? ": " : "", msg);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, ok ? FS_ROLLED_BACK : FS_FIXED, SM_ACTOR_SYSTEM,
	    ok		? "transition"
	    : rehearsed ? "undo_rehearsed"
			: "undo_failed",
	    buf_str(&t), now, "{s:s,s:s}", "requested_by", by, "message", msg);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "admin_msg", f->id, now, "undo_result", "{s:s,s:s,s:s}",
	    "result",
	    ok		? "done"
	    : rehearsed ? "rehearsed"
			: "failed",
	    "by", by, "message", msg);
	if (rc != FX_OK || !ok)
		goto out;
	rc = sm_say(db, "owner_msg", f->id, now, "undone_owner", NULL);
out:
	free(by);
	buf_release(&t);
	return rc;
}

fx_err
sm_finish(struct db *db, const struct policy *pol, const struct sm_job *j,
    const struct sm_result *r, int64_t now)
{
	const struct playbook *pb;
	struct finding f;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	rc = db_finding_get(db, j->finding_id, &f);
	if (rc != FX_OK) {
		memset(&f, 0, sizeof(f));
		goto out;
	}
	if (j->lease_token == 0 || f.lease_token != j->lease_token ||
	    (!j->undo && f.state != FS_FIXING) ||
	    (j->undo && (f.state != FS_FIXED || f.undo_requested_by == NULL))) {
		log_warnx("%s: finding %lld: stale job (state %s)", __func__,
		    (long long)f.id, fstate_name(f.state));
		rc = FX_ECONFLICT;
		goto out;
	}
	pb = policy_playbook(pol, f.playbook);
	/*
	 * holds and the circuit breaker, while f still names the undoer; a
	 * rehearsal changed nothing, so it neither holds nor trips anything
	 */
	if (!is_rehearsal(r)) {
		rc = sm_guard_finish(db, pol, &f, j->undo, r, now);
		if (rc != FX_OK)
			goto out;
	}
	if (j->undo)
		rc = finish_undo(db, &f, r, now);
	else if (r->resolved)
		rc = finish_resolved(db, &f, r, now);
	else if (is_rehearsal(r) && r->ok)
		rc = finish_rehearsed(db, pol, &f, r, now);
	else if (r->ok)
		rc = finish_fixed(db, pol, pb, &f, r, now);
	else
		rc = finish_failed(db, pb, &f, r, now);
out:
	finding_release(&f);
	return rc;
}
