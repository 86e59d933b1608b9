/*
 * sm_guard.c - what stops a fix that the finding's own state would allow:
 *
 * Undo holds. An admin's undo is a decision about the resource, not about
 * one AWS id: an undo that recreated it (a Route 53 zone comes back with
 * a new id) must not be followed by the next scan deleting it again. The
 * undo records a hold on the finding's human key (the identity people
 * know the resource by: playbook-provided, else the resource id) until
 * now + the playbook's undo_hold; a finding with that key, new at ingest
 * or about to be claimed, is recorded excepted until the hold ends, with
 * an active 1y exception row naming the admin, and is handled as new
 * when it lapses.
 *
 * Circuit breaker. Failed fix attempts and undone fixes go to the fix
 * ledger; when a playbook's count within its breaker window (since its
 * last trip, so that /fixit resume re-arms it) reaches the threshold,
 * the playbook is paused as an admin would pause it (pauses row, audit
 * "pause"), and the admin channel is told the facts.
 *
 * Hourly caps. A claimed fix of a destructive playbook (not a dry-run
 * rehearsal) goes to the ledger; a claim that would pass the global or
 * the account's count for the last hour is not made (the finding waits
 * in fixing).
 *
 * Runs on the writer thread, inside the caller's transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "executor.h"
#include "fxlog.h"
#include "sm_internal.h"
#include "banned.h"

#define GUARD_HOUR 3600

/* "3h", "45m", "90s": a window in the unit it was most likely given in */
static fx_err
add_span(struct buf *b, int64_t s)
{
	if (s % 3600 == 0)
		return buf_addf(b, "%lldh", (long long)(s / 3600));
	if (s % 60 == 0)
		return buf_addf(b, "%lldm", (long long)(s / 60));
	return buf_addf(b, "%llds", (long long)s);
}

/* a dry run rehearses: its claims change nothing, so no cap counts them */
static int
rehearsal(const struct playbook *pb)
{
	const char *type = pb->exec.ops != NULL ? pb->exec.ops->name : NULL;

	if (type == NULL || strcmp(type, "dry-run") == 0)
		return 1;
	return strcmp(type, "aws") == 0 && pb->exec.dry_run;
}

static int64_t
hold_secs(const struct playbook *pb)
{
	if (pb == NULL)
		return EXC_1Y_SECS;
	return pb->undo_hold > 0 ? pb->undo_hold : policy_exc_secs(pb, EXC_1Y);
}

/* the active 1y exception row that shows the hold in /fixit show */
static fx_err
hold_exception(struct db *db, const struct finding *f,
    const struct undo_hold *h)
{
	struct exception_rec e;
	struct buf why = BUF_INIT;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	rc = buf_addf(&why,
	    "%s undid fixit's fix of #%lld, the same resource: not fixed "
	    "again without a new decision",
	    h->decided_by, (long long)h->finding_id);
	if (rc != FX_OK)
		goto out;
	e.finding_id = f->id;
	e.requested_at = h->decided_at;
	e.until = h->until;
	e.decided_at = h->decided_at;
	if ((rc = sm_set_str(&e.requested_by, h->decided_by)) != FX_OK)
		goto out;
	if ((rc = sm_set_str(&e.decided_by, h->decided_by)) != FX_OK)
		goto out;
	if ((rc = sm_set_str(&e.reason, buf_str(&why))) != FX_OK)
		goto out;
	if ((rc = sm_set_str(&e.kind, sm_exc_code(EXC_1Y))) != FX_OK)
		goto out;
	if ((rc = sm_set_str(&e.status, "active")) != FX_OK)
		goto out;
	rc = db_exception_insert(db, &e);
out:
	exception_release(&e);
	buf_release(&why);
	return rc;
}

/* f (open or fixing) -> excepted until the hold ends */
static fx_err
hold_apply(struct db *db, struct finding *f, const struct undo_hold *h,
    int64_t now)
{
	int asked = f->notified_at != 0 && f->slack_ts != NULL;
	struct buf t = BUF_INIT;
	char iso[21];
	fx_err rc;

	rc = hold_exception(db, f, h);
	if (rc != FX_OK)
		goto out;
	sm_iso(h->until, iso);
	sm_reset_cycle(f);
	f->excepted_until = h->until;
	rc = buf_addf(&t,
	    "Held by the undo of #%lld (asked by %s): not fixed before "
	    "%s",
	    (long long)h->finding_id, h->decided_by, iso);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, FS_EXCEPTED, SM_ACTOR_SYSTEM, "transition",
	    buf_str(&t), now, "{s:I,s:s,s:s,s:s}", "undone_finding",
	    (json_int_t)h->finding_id, "undone_by", h->decided_by, "human_key",
	    h->human_key, "until", iso);
	if (rc != FX_OK || !asked)
		goto out;
	rc = sm_say(db, "decision", f->id, now, "held", "{s:I}", "until",
	    (json_int_t)h->until);
out:
	buf_release(&t);
	return rc;
}

/* the hold lasting past now on f's resource, into h */
static fx_err
hold_find(struct db *db, const struct finding *f, const char *human_key,
    int64_t now, struct undo_hold *h)
{
	memset(h, 0, sizeof(*h));
	h->playbook = f->playbook;
	h->account_id = f->account_id;
	h->region = f->region;
	h->human_key = human_key;
	return db_hold_find(db, h, now);
}

fx_err
sm_guard_would_hold(struct db *db, const struct finding *f,
    const char *human_key, int64_t now, int *held)
{
	struct undo_hold h;
	fx_err rc;

	rc = hold_find(db, f, human_key, now, &h);
	*held = rc == FX_OK;
	undo_hold_release(&h);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

fx_err
sm_guard_hold(struct db *db, struct finding *f, const char *human_key,
    int64_t now, int *held)
{
	struct undo_hold h;
	fx_err rc;

	*held = 0;
	rc = hold_find(db, f, human_key, now, &h);
	if (rc == FX_ENOTFOUND) {
		rc = FX_OK;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	log_info("%s: finding %lld (%s %s): held by the undo of #%lld",
	    __func__, (long long)f->id, f->playbook, human_key,
	    (long long)h.finding_id);
	rc = hold_apply(db, f, &h, now);
	if (rc == FX_OK)
		*held = 1;
out:
	undo_hold_release(&h);
	return rc;
}

/* 1 when one more destructive claim would pass a cap */
static fx_err
cap_reached(struct db *db, const struct policy *pol, const struct finding *f,
    int64_t now, int *reached)
{
	const struct account *a = policy_account(pol, f->account_id);
	int cap = pol->max_destructive_per_account_hour;
	int64_t n = 0;
	fx_err rc = FX_OK;

	*reached = 0;
	if (pol->max_destructive_per_hour > 0) {
		rc = db_ledger_count(db, "destructive", NULL, NULL,
		    now - GUARD_HOUR, &n);
		if (rc != FX_OK || n >= pol->max_destructive_per_hour) {
			*reached = rc == FX_OK;
			goto out;
		}
	}
	if (a != NULL && a->max_destructive_per_hour >= 0)
		cap = a->max_destructive_per_hour;
	if (cap <= 0)
		goto out;
	rc = db_ledger_count(db, "destructive", NULL, f->account_id,
	    now - GUARD_HOUR, &n);
	*reached = rc == FX_OK && n >= cap;
out:
	return rc;
}

fx_err
sm_guard_claim(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now, int *ok)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	char *key = NULL;
	int held = 0, reached = 0;
	fx_err rc;

	*ok = 0;
	rc = db_finding_key_get(db, f->id, f->resource_id, &key);
	if (rc != FX_OK)
		goto out;
	rc = sm_guard_hold(db, f, key, now, &held);
	if (rc != FX_OK || held)
		goto out;
	if (pb == NULL || !pb->destructive || rehearsal(pb)) {
		*ok = 1;
		goto out;
	}
	rc = cap_reached(db, pol, f, now, &reached);
	if (rc != FX_OK)
		goto out;
	if (reached) {
		log_debug("%s: finding %lld (%s in %s): hourly cap on "
			  "destructive fixes reached; it waits",
		    __func__, (long long)f->id, f->playbook, f->account_id);
		goto out;
	}
	rc = db_ledger_add(db, "destructive", f->playbook, f->account_id, f->id,
	    now);
	if (rc == FX_OK)
		*ok = 1;
out:
	free(key);
	return rc;
}

/* the breaker tripped: pause the playbook, audit it, tell the admins */
static fx_err
trip(struct db *db, const struct playbook *pb, const struct finding *f,
    const char *what, int64_t count, int threshold, int64_t now)
{
	struct buf why = BUF_INIT;
	json_t *data = NULL;
	fx_err rc;

	rc = db_pause_set(db, pb->name, 1, SM_ACTOR_SYSTEM, now);
	if (rc != FX_OK)
		goto out;
	rc = db_ledger_add(db, "tripped", pb->name, "", f->id, now);
	if (rc != FX_OK)
		goto out;
	rc =
	    buf_addf(&why, "Circuit breaker: %lld %s within ", (long long)count,
		strcmp(what, "failures") == 0 ? "failed fix attempts"
					      : "undone fixes");
	if (rc == FX_OK)
		rc = add_span(&why, pb->breaker_window);
	if (rc == FX_OK)
		rc = buf_addf(&why, " (threshold %d): playbook %s paused",
		    threshold, pb->name);
	if (rc != FX_OK)
		goto out;
	data = json_pack("{s:s,s:b,s:s,s:I,s:i,s:I,s:I}", "name", pb->name,
	    "paused", 1, "breaker", what, "count", (json_int_t)count,
	    "threshold", threshold, "window", (json_int_t)pb->breaker_window,
	    "last_finding", (json_int_t)f->id);
	if (data == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = db_audit_add(db, 0, now, SM_ACTOR_SYSTEM, NULL, NULL, "pause",
	    buf_str(&why), data);
	if (rc != FX_OK)
		goto out;
	rc = sm_say(db, "admin_msg", f->id, now, "breaker",
	    "{s:s,s:s,s:I,s:i,s:I}", "playbook", pb->name, "breaker", what,
	    "count", (json_int_t)count, "threshold", threshold, "window",
	    (json_int_t)pb->breaker_window);
	if (rc == FX_OK)
		log_warnx("%s: %s", __func__, buf_str(&why));
out:
	json_decref(data);
	buf_release(&why);
	return rc;
}

/* record one failure or undo of f; trip when its count is reached */
static fx_err
breaker_note(struct db *db, const struct playbook *pb, const struct finding *f,
    const char *kind, int64_t now)
{
	int failures = strcmp(kind, "failed") == 0;
	int threshold = failures ? pb->breaker_failures : pb->breaker_undos;
	int64_t since = now - pb->breaker_window, last = 0, n = 0;
	fx_err rc;

	rc = db_ledger_add(db, kind, f->playbook, f->account_id, f->id, now);
	if (rc != FX_OK || threshold <= 0)
		goto out;
	rc = db_ledger_last(db, "tripped", pb->name, &last);
	if (rc != FX_OK)
		goto out;
	if (last >= since) /* re-armed by /fixit resume: count afresh */
		since = last + 1;
	rc = db_ledger_count(db, kind, pb->name, NULL, since, &n);
	if (rc != FX_OK || n < threshold)
		goto out;
	rc =
	    trip(db, pb, f, failures ? "failures" : "undos", n, threshold, now);
out:
	return rc;
}

/* the undo of f worked: hold its human key */
static fx_err
hold_record(struct db *db, const struct playbook *pb, const struct finding *f,
    int64_t now)
{
	struct undo_hold h;
	char *key = NULL;
	fx_err rc;

	memset(&h, 0, sizeof(h));
	rc = db_finding_key_get(db, f->id, f->resource_id, &key);
	if (rc != FX_OK)
		goto out;
	h.playbook = f->playbook;
	h.account_id = f->account_id;
	h.region = f->region;
	h.human_key = key;
	h.finding_id = f->id;
	rc = sm_set_str(&h.decided_by,
	    f->undo_requested_by ? f->undo_requested_by : SM_ACTOR_SYSTEM);
	if (rc != FX_OK)
		goto out;
	h.decided_at = now;
	h.until = now + hold_secs(pb);
	rc = db_hold_add(db, &h);
out:
	undo_hold_release(&h);
	free(key);
	return rc;
}

fx_err
sm_guard_finish(struct db *db, const struct policy *pol,
    const struct finding *f, int undo, const struct sm_result *r, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	fx_err rc = FX_OK;

	if (undo && r->ok) {
		rc = hold_record(db, pb, f, now);
		if (rc == FX_OK && pb != NULL)
			rc = breaker_note(db, pb, f, "undone", now);
	} else if (!undo && !r->ok && !r->resolved && pb != NULL) {
		rc = breaker_note(db, pb, f, "failed", now);
	}
	return rc;
}
