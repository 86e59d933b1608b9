/*
 * sm_internal.h - helpers shared by the sm_*.c files; not an interface of
 * the remediation library (only sm.h is).
 *
 * Files:
 *   sm_common.c  state change + audit, outbox rows and their facts, the
 *                "advance an open finding" step shared by ingest and timer
 *   sm_ingest.c  sm_ingest
 *   sm_click.c   sm_click, sm_exception_submit
 *   sm_admin.c   sm_pause, sm_undo_request
 *   sm_timer.c   sm_housekeeping
 *   sm_job.c     sm_claim, sm_finish, sm_job_release
 *   sm_guard.c   undo holds, the circuit breaker, the hourly caps
 *   sm_owner.c   Not mine and False positive: sm_reassign,
 *                sm_false_positive, their buttons and approvals
 *   sm_told.c    the notify delivered (the deadline starts) or dropped
 *   sm_approval.c  an exception request's admin messages once it ends,
 *                the reminders and escalations while it waits
 *
 * Shadow bookkeeping (no column of its own): an open finding of a shadow
 * playbook uses deadline = when the fix would have run (the time
 * "shadow_notify" was recorded + grace: first seen + grace for a new
 * finding) and reminder_sent = 1 once "shadow_fix" was recorded; deadline
 * 0 means "shadow_notify" is not recorded yet. Every way out of open
 * resets both (sm_reset_cycle or sm_notify), so a later notify starts
 * afresh.
 *
 * Told first (sm.h): notified with deadline 0 and reminder_sent 0 is a
 * finding waiting for its owner to be told; the notify's delivery sets
 * the deadline (sm_told.c).
 *
 * Notify mode: the deadline only times the reminder. Once it passes the
 * timer records "deadline_passed", clears it and sets reminder_sent (not
 * waiting to be told) (else such findings would
 * stay in the DUE_DEADLINE query for ever and crowd out enforce ones); if
 * the playbook enforces later, re-ingesting the finding asks the owner
 * again with a fresh deadline.
 */
#ifndef FIXIT_SM_INTERNAL_H
#define FIXIT_SM_INTERNAL_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "db.h"
#include "fxerr.h"
#include "policy.h"
#include "sm.h"

#define SM_BATCH	 500   /* ids per timer query and tick */
#define SM_MAX_BACKOFF	 86400 /* retry delay cap, seconds */
#define SM_DEFAULT_LEASE 300   /* when pol->lease is not set */

#define SM_ACTOR_SYSTEM "fixit"
#define SM_ACTOR_INGEST "ingest"

/*
 * The one way a finding changes: f->state = to, f->updated_at = now, the
 * row rewritten (every mutable column of f, so set fields first), and one
 * audit row (actor, from = the old state, to, event, reason). data_fmt is
 * a json_pack format for the audit data (NULL: none). On error nothing is
 * committed by the caller (the job rolls back).
 */
fx_err sm_apply(struct db *db, struct finding *f, enum fstate to,
    const char *actor, const char *event, const char *reason, int64_t now,
    const char *data_fmt, ...) FX_WUR;
/*
 * sm_ingest.c. A new finding not inserted yet (f->unsaved): inserted as
 * it is, with the audit row of its report (-> open at now); sm_apply
 * calls it for the first step of such a finding, so that the finding is
 * written once, in the state that step gives (issue 14: an insert open
 * then an update rewrote six of its indexes twice).
 */
fx_err sm_report_write(struct db *db, struct finding *f, int64_t now) FX_WUR;

/* an outbox row whose args are json_pack(fmt, ...) */
fx_err sm_out(struct db *db, const char *kind, int64_t finding_id, int64_t now,
    const char *fmt, ...) FX_WUR;
/*
 * A fact for people (common/fxsay.h): {"say": code} plus the fields of
 * json_pack(fmt, ...) (fmt NULL: none). A new reference, NULL when
 * memory ran out.
 */
json_t *sm_fact(const char *code, const char *fmt, ...);
/* an outbox row of kind whose args are the fact sm_fact(code, fmt, ...) */
fx_err sm_say(struct db *db, const char *kind, int64_t finding_id, int64_t now,
    const char *code, const char *fmt, ...) FX_WUR;
/* an "ephemeral" row: fact (stolen, NULL: FX_ENOMEM) + channel, user */
fx_err sm_out_ephemeral(struct db *db, int64_t finding_id, const char *channel,
    const char *user, json_t *fact, int64_t now) FX_WUR;

/* ISO 8601 UTC: the dates of audit reasons and data (plain text) */
void sm_iso(int64_t t, char out[21]);

/* replace *dst by a copy of src (NULL allowed) */
fx_err sm_set_str(char **dst, const char *src) FX_WUR;
/* replace *dst by the compact JSON text of v (NULL: *dst = NULL) */
fx_err sm_set_json(char **dst, const json_t *v) FX_WUR;
/* owner of the finding or a fixit admin */
int sm_may_act(const struct policy *pol, const struct finding *f,
    const char *user);
const char *sm_exc_code(enum exc_kind k); /* "1m" | "1y" */
int sm_exc_parse(const char *code);	  /* -1 when unknown */
/* "all" or the playbook paused */
fx_err sm_paused(struct db *db, const char *playbook, int *paused) FX_WUR;
/* the mode that applies to f: a notify-only finding of an enforcing
 * playbook is notified, never fixed */
enum pb_mode sm_mode(const struct playbook *pb, const struct finding *f);
/* clear everything of a previous notify/exception/fix cycle */
void sm_reset_cycle(struct finding *f);

/*
 * Move an open finding on by its playbook's mode: shadow records, notify
 * asks, enforce asks or (approval none, not paused) queues the fix. No-op
 * for other states, mode off or a playbook no longer configured.
 */
fx_err sm_advance(struct db *db, const struct policy *pol, struct finding *f,
    const char *actor, int64_t now) FX_WUR;
/* -> notified waiting to be told (no deadline: sm_told.c), notify row
 * (from open or notified) */
fx_err sm_notify(struct db *db, const struct playbook *pb, struct finding *f,
    const char *actor, int64_t now) FX_WUR;
/* -> fixing, queued for the timer now (attempts and lease reset) */
fx_err sm_to_fixing(struct db *db, struct finding *f, const char *actor,
    const char *reason, int64_t now) FX_WUR;
/* a pending or active exception row closed as status by who */
fx_err sm_exception_close(struct db *db, int64_t exc_id, const char *status,
    const char *who, int64_t now) FX_WUR;
/* a new exception row's request (e zeroed before): on finding_id, asked
 * by by at now, with reason, kind and status; not inserted */
fx_err sm_exception_fields(struct exception_rec *e, int64_t finding_id,
    const char *by, const char *reason, enum exc_kind kind, const char *status,
    int64_t now) FX_WUR;
/* the same on a loaded row: status, decided_by = who, decided_at = now */
fx_err sm_exception_decide(struct db *db, struct exception_rec *e,
    const char *status, const char *who, int64_t now) FX_WUR;

/*
 * sm_owner.c. The Not mine / False positive buttons (c->action
 * ACT_NOT_MINE or ACT_FALSE_POSITIVE): a modal row, or a refusal.
 */
fx_err sm_owner_click(struct db *db, const struct policy *pol,
    const struct sm_click *c, int64_t now) FX_WUR;
/*
 * Approve (approve 1) / Deny (reason: the admin's) of exception e on
 * finding f by user by, after sm_click's checks; ch/ts: the admin
 * message clicked, or NULL. *done = 1 when e is a false-positive report
 * (decided here, its admin messages too), else 0 and nothing changed.
 */
fx_err sm_owner_decide(struct db *db, const struct policy *pol, int approve,
    const char *by, const char *reason, const char *ch, const char *ts,
    struct exception_rec *e, struct finding *f, int64_t now, int *done) FX_WUR;
/*
 * *chosen = 1 when in would change the owner of f, a finding a person
 * passed on (Not mine): a scanner's owner tag does not undo that.
 */
fx_err sm_owner_chosen(struct db *db, const struct finding *f,
    const struct finding_in *in, int *chosen) FX_WUR;
/*
 * Request exc of f lapsed (sm_timer.c, f already notified again): when
 * it was a false-positive report, *done = 1 and the owner's card and
 * the owner are told so (fp_lapsed, fp_lapsed_owner), and a reminder
 * brings the card's buttons back (reminder_sent set: the timer sends
 * no second one).
 */
fx_err sm_owner_lapsed(struct db *db, const struct policy *pol,
    struct finding *f, int64_t exc, int64_t now, int *done) FX_WUR;
/*
 * sm_approval.c. Request e of f ended (approved, denied, lapsed): the
 * admin channel's messages of it (ch/ts: the clicked one, may be NULL;
 * and each recorded: the request, its reminder, its escalation) become
 * the request card with the fact code {exception_id, kind, by, until,
 * reason} (by, reason may be NULL; until 0: none) instead of buttons.
 */
struct sm_request_end {
	const struct exception_rec *e;
	const struct finding *f;
	int kind;
	const char *code, *by, *reason;
	int64_t until;
	const char *channel, *ts;
};
fx_err sm_request_ended(struct db *db, const struct sm_request_end *d,
    int64_t now) FX_WUR;
/*
 * The pending requests older than approval_escalate / approval_remind
 * (0: never) not yet escalated / reminded: audit "approval_escalated" /
 * "approval_reminded" and an approval_escalate / approval_remind row,
 * once each, SM_BATCH a tick.
 */
fx_err sm_approval_nudges(struct db *db, const struct policy *pol,
    int64_t now) FX_WUR;

/*
 * sm_guard.c. An undo hold on (playbook, account, region, human_key)
 * lasting past now: f (open or fixing) -> excepted until it ends, with an
 * active 1y exception naming the admin; *held = 1.
 */
fx_err sm_guard_hold(struct db *db, struct finding *f, const char *human_key,
    int64_t now, int *held) FX_WUR;
/* the same question, nothing changed: *held = 1 when it would hold f */
fx_err sm_guard_would_hold(struct db *db, const struct finding *f,
    const char *human_key, int64_t now, int *held) FX_WUR;
/*
 * Before claiming fix f: held -> excepted, *ok = 0; an hourly cap on
 * destructive fixes reached -> *ok = 0 (f unchanged, it waits); else
 * *ok = 1 and a destructive claim is recorded.
 */
fx_err sm_guard_claim(struct db *db, const struct policy *pol,
    struct finding *f, int64_t now, int *ok) FX_WUR;
/*
 * A job's outcome, before sm_finish records it (f as claimed): an undo
 * that worked holds f's human key; a failed fix attempt or an undone fix
 * counts for the playbook's circuit breaker, which may pause it.
 */
fx_err sm_guard_finish(struct db *db, const struct policy *pol,
    const struct finding *f, int undo, const struct sm_result *r,
    int64_t now) FX_WUR;

/*
 * db_finding_get, for a finding id a user gave: when there is no such
 * finding, f is zeroed, *why gets the fact "not_found" (a new reference)
 * and the result is FX_ENOTFOUND (FX_ENOMEM without a fact). The finding
 * comes back with steps_only set: the caller changes its state, not its
 * report.
 */
fx_err sm_finding_get(struct db *db, int64_t id, struct finding *f,
    json_t **why) FX_WUR;
/* a non-empty text into the caller's msg (NULL: none); func for the log */
void sm_msg_set(struct buf *msg, const struct buf *text, const char *func);

#endif
