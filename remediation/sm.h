/*
 * sm.h - the state machine of a finding (DESIGN.md "States of a finding").
 *
 *   open --notify--> notified --deadline/fix now--> fixing --> fixed
 *   notified --exception--> excepted --expires--> open
 *   notified --no longer seen--> resolved;  fixed --undo--> rolled_back
 *   fixing --attempts used up--> failed;    open --approval none--> fixing
 *   fixing --dry run--> rehearsed --executor live (sm_reconcile)--> fixing
 *
 * Rehearsed: the executor only rehearsed the fix (dry-run executor, or
 * dry_run: true). Its plan is in the history (audit "transition" to
 * rehearsed, data.plan), the owner is told what fixit would have done
 * and that nothing was changed, and nothing else acts on it: no timer
 * query reads it, ingest leaves it, undo refuses it. It is never fixed.
 *
 * Every function here runs on the writer thread (dbwriter.h) inside the
 * transaction it opened: each state change writes its audit row and its
 * outbox rows in that same transaction. Nothing here talks to the network.
 *
 * Modes: off (ingest ignores the finding), shadow (finding kept in state
 * open; audit events "shadow_notify"/"shadow_fix" record what would have
 * happened; no outbox row, no executor), notify (owner asked, exceptions
 * offered, never fixed: no fixing transition), enforce (everything).
 * Pause ("all" or a playbook) stops fixing transitions and claims only.
 *
 * Outbox kinds written here and delivered by server/sender.c; args are a
 * JSON object, finding_id is the outbox row's column. FACT is a fact for
 * people, {"say": code, ...fields} (codes and fields: common/fxsay.h),
 * put into words by slack/slack_say.h; nothing here writes Slack markup,
 * and audit reasons are plain text. (Rows queued by an older version
 * carry "text", already mrkdwn, instead: still delivered as they are.)
 *   notify            the first message asking the owner (buttons);
 *                     its delivery starts the deadline (sm_told.c)
 *   reminder          reminder before the deadline (thread reply; its ts
 *                     is kept: decisions update it too)
 *   decision   FACT + opt "channel","ts","card"  chat.update of the
 *                     finding's message (or of channel/ts) to say who
 *                     decided what, buttons removed, the finding's state
 *                     shown; the reminder in its thread loses its buttons
 *                     too. card "ask": the finding's card WITH its buttons
 *                     (a denied request: the owner may choose again) and
 *                     the fact under it; card "approval" (with
 *                     "exception_id", channel/ts the admin's request
 *                     message): the request card kept (requester, kind,
 *                     justification, finding), the fact in place of the
 *                     Approve/Deny buttons
 *   modal      {"kind":"1m"|"1y","trigger_id"}  views.open justification;
 *              {"exception_id","trigger_id","channel","ts"}  views.open
 *                     of the deny reason (channel/ts: the admin message)
 *   ephemeral  FACT + "channel","user"  chat.postEphemeral
 *   owner_msg  FACT  message to the finding's owner destination
 *   admin_msg  FACT  message to the admin channel
 *   dm         FACT + "email" | "user"  (server/events.c) to a person
 *   approval_request {"exception_id"}  admin channel, Approve/Deny buttons
 *                     (its channel/ts kept in the exceptions row)
 *   approval_remind  FACT + "exception_id"  a reply in the request's
 *                     thread with the buttons, while it still waits
 *   approval_escalate FACT + "exception_id"  the request card again in
 *                     the admin channel, the fact on top, the buttons
 *                     (each ts kept: every one of these messages is
 *                     decided, card "approval", when the request ends)
 *   rehearsal  {opt "would", "calls", opt "saving"}  to the owner: what
 *                     a dry run would have done (the playbook's
 *                     sentence, the mutating calls "service Action", what
 *                     it would save {cents, unknown}); nothing changed
 *
 * Slack action ids (built by slack/, parsed by server/, interpreted here):
 *   fixit_fix_now, fixit_exc_1m, fixit_exc_1y  value: finding id
 *   fixit_exc_approve, fixit_exc_deny          value: exception id
 *     (Approve decides at once; Deny opens the deny modal)
 *   modal callback_id fixit_exception; private_metadata
 *   {"f":finding_id,"k":"1m"|"1y"}; input block "reason", action "reason"
 *   fixit_not_mine, fixit_false_positive       value: finding id
 *   modal callback_id fixit_reassign; private_metadata {"f":finding_id};
 *   input block "owner" (users_select, action "owner"), optional block
 *   "reason" (action "reason"): a note
 *   modal callback_id fixit_false_positive; private_metadata
 *   {"f":finding_id}; input block "reason", action "reason"
 *
 * The owner's own steps (sm_owner.c). Facts (common/fxsay.h: {"say":
 * code, fields}; "by", "to", "from" user ids, "until", "deadline" epoch
 * seconds, "reason", "note" free text):
 *   modal {"kind":"reassign"|"false_positive","trigger_id","channel",
 *         "user"}  opens the Not mine / False positive form
 *   decision reassigned {by, to, opt note, channel, ts}  the old card
 *   owner_msg reassigned_to_you {by, to, opt from, opt note}  to the new
 *         owner, after the fresh notify
 *   decision fp_reported {by, reason}  awaiting an admin
 *   approval_request {"exception_id", "fp": true}  a false-positive report
 *   decision fp_approved {by, until}; owner_msg fp_approved_owner {by,
 *         until, reason}; decision fp_request_approved {exception_id, by,
 *         until, channel, ts}  (the admin's message)
 *   decision fp_denied {by, opt deadline}; owner_msg fp_denied_owner
 *         {by}; decision fp_request_denied {exception_id, by, channel, ts}
 *   decision fp_lapsed {opt deadline}; owner_msg fp_lapsed_owner {};
 *         reminder (the buttons again): nobody decided the report
 *         within approval_timeout
 *   refusals (ephemeral {channel, user}, or the modal's error):
 *   not_found, not_configured, not_owner, already_handled, exc_pending
 *   (as for the buttons), reason_needed {max}, reassign_bad_user {},
 *   reassign_same {to}, reassign_limit {max}
 *   modal callback_id fixit_deny; private_metadata {"e":exception_id,
 *   opt "c":channel,"t":ts of the admin message}; the same reason input
 */
#ifndef FIXIT_SM_H
#define FIXIT_SM_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "db.h"
#include "fxerr.h"
#include "fxfinding.h"
#include "policy.h"
#include "buf.h"

/* ---- ingest (struct finding_in: fxfinding.h) ------------------------ */
struct ingest_result {
	size_t created, updated, resolved, ignored;
};
/*
 * Check finding i of a batch, however it was built: required fields
 * (a configured playbook and account), charsets and lengths, details an
 * object of at most FX_MAX_DETAILS bytes; sets notify_only when details
 * name an IaC owner or say notify_only. FX_EINVAL with "findings[i].field:
 * why" appended to err when it is not acceptable; nothing is changed then
 * but notify_only.
 */
fx_err sm_check_finding(const struct policy *pol, struct finding_in *f,
    size_t i, struct buf *err) FX_WUR;
/*
 * Upsert n validated findings (keyed by playbook, account, region,
 * resource). A new finding is created open and advanced at once (notify /
 * queue the fix for approval none). A resolved one closes a finding that is
 * open, notified or excepted (resolved). Re-seeing a resolved or fixed
 * finding as active re-opens it; a rolled_back one stays rolled back (an
 * admin's undo is a decision a re-scan must not reverse), and a new
 * finding whose human key (finding_in.human_key, default the resource
 * id) an undo still holds is recorded excepted (sm_guard.c). A notify-only
 * item (details.iac_owner or details.notify_only) is never fixed. All or
 * nothing: the caller runs it as one job.
 */
fx_err sm_ingest(struct db *db, const struct policy *pol,
    const struct finding_in *items, size_t n, int64_t now,
    struct ingest_result *res) FX_WUR;
/* what became of item i: its finding's id (0: not stored) and state
 * once the item was taken */
struct ingest_out {
	int64_t id;
	enum fstate state;
};
/* sm_ingest, with out[i] for items[i] (out: n of them) */
fx_err sm_ingest_out(struct db *db, const struct policy *pol,
    const struct finding_in *items, size_t n, int64_t now,
    struct ingest_result *res, struct ingest_out *out) FX_WUR;

/* ---- Slack interactions ------------------------------------------- */
enum sm_action {
	ACT_FIX_NOW = 0,
	ACT_EXC_1M,
	ACT_EXC_1Y,
	ACT_EXC_APPROVE,
	ACT_EXC_DENY,
	ACT_NOT_MINE,	   /* sm_owner.c: the reassign form */
	ACT_FALSE_POSITIVE /* sm_owner.c: the false-positive form */
};
struct sm_click {
	enum sm_action action;
	int64_t target_id;   /* finding id, or exception id for approve/deny */
	const char *user_id; /* who clicked */
	const char *trigger_id;		     /* for the modal */
	const char *channel_id, *message_ts; /* the clicked message */
};
/*
 * A button click. Not owner/admin -> ephemeral refusal, nothing changes.
 * Finding not in a state that accepts the action -> ephemeral "already
 * decided", nothing changes. Fix now (non-production, enforce) -> fixing,
 * decision update. Exception buttons -> a modal row (no state change).
 * Approve (admins, not the requester unless self_approval) -> exception
 * decided, decision updates on both the owner's and the admin's message.
 * Deny (admins, the requester too: a withdrawal) -> a modal row asking
 * the reason. Unknown ids -> ephemeral not found.
 * Returns FX_OK in all those cases (the outcome is in the outbox);
 * errors only for database failures.
 */
fx_err sm_click(struct db *db, const struct policy *pol,
    const struct sm_click *c, int64_t now) FX_WUR;

struct sm_exception_req {
	int64_t finding_id;
	enum exc_kind kind;
	const char *user_id;
	const char *reason; /* non-empty, <= FX_MAX_REASON */
};
/*
 * The justification modal was submitted. Re-checks permission and state.
 * Needs approval -> exceptions row pending, finding.exc_pending set (the
 * deadline does not fire while pending), approval_request + decision.
 * Else -> excepted until now + duration, decision.
 * FX_EINVAL / FX_EPERM / FX_ECONFLICT / FX_ENOTFOUND when refused
 * (nothing changed), with *refusal (unless refusal is NULL) set to the
 * refusal's fact (common/fxsay.h; a new reference the caller owns, any
 * previous one released) for slack/ to put into words.
 */
fx_err sm_exception_submit(struct db *db, const struct policy *pol,
    const struct sm_exception_req *r, int64_t now, json_t **refusal) FX_WUR;

/* ---- the owner's own steps (sm_owner.c) --------------------------- */
#define SM_MAX_REASSIGN 5 /* times owners pass a finding on; then an admin */

struct sm_reassign_req {
	int64_t finding_id;
	const char *user_id;   /* who submitted the form */
	const char *new_owner; /* the Slack user picked */
	const char *note;      /* or NULL; <= FX_MAX_REASON */
};
/*
 * Not mine, submitted. Same permission and state as the buttons (owner
 * or admin, notified, no pending request); the new owner a valid Slack
 * user id other than the current one; at most SM_MAX_REASSIGN times per
 * finding unless an admin passes it on. Then the finding's owner is the
 * new one (a scanner's owner tag no longer overrides it), the old card
 * says who passed it to whom (decision reassigned on its channel/ts),
 * and the new owner is asked afresh: the message's channel/ts cleared
 * (the notify goes to their DM) and a fresh deadline from now (the
 * playbook's grace), audit event "reassigned" {from, to, note}.
 * Refused: FX_EINVAL (the picked user), FX_EPERM, FX_ECONFLICT,
 * FX_ENOTFOUND with the refusal's fact in *why (a new reference);
 * nothing changed.
 */
fx_err sm_reassign(struct db *db, const struct policy *pol,
    const struct sm_reassign_req *r, int64_t now, json_t **why) FX_WUR;

struct sm_fp_req {
	int64_t finding_id;
	const char *user_id;
	const char *reason; /* non-empty, <= FX_MAX_REASON */
};
/*
 * False positive, submitted: always an admin's decision. An exception
 * row (kind 1y, reason "false positive: <reason>", exceptions.fp 1)
 * pending, finding.exc_pending set, audit "false_positive_reported",
 * approval_request {"fp": true} and decision fp_reported. Approve
 * (sm_click, four eyes as for exceptions): excepted for the playbook's
 * 1-year duration, fp 2 (counted per playbook: db_fp_counts), audit
 * "false_positive". Deny: as a denied exception. Refusals as for
 * sm_reassign (FX_EINVAL: no reason).
 */
fx_err sm_false_positive(struct db *db, const struct policy *pol,
    const struct sm_fp_req *r, int64_t now, json_t **why) FX_WUR;
struct sm_deny_req {
	int64_t exception_id;
	const char *user_id;
	const char *reason; /* non-empty, <= FX_MAX_REASON */
	/* the admin channel's request message (opt): keeps the request,
	 * the decision in place of its buttons */
	const char *channel_id, *message_ts;
};
/*
 * The deny modal was submitted. Re-checks what the Deny click checked
 * (an admin, the request still pending; its requester may deny it: a
 * withdrawal). Then: exception denied (audit
 * "exception_denied" {exception_id, kind, requested_by, reason}), the
 * finding stays notified with its deadline at least approval_grace
 * ahead; decision (card "ask": the owner's card with its buttons back
 * and who denied it and why), owner_msg exc_denied_owner, and the
 * admin's request message decided (card "approval"). Refusals as for
 * sm_exception_submit (*refusal: the fact).
 */
fx_err sm_exception_deny(struct db *db, const struct policy *pol,
    const struct sm_deny_req *r, int64_t now, json_t **refusal) FX_WUR;

/* ---- admin commands ------------------------------------------------- */
/* name "all" or a playbook; FX_ENOTFOUND for unknown playbooks */
fx_err sm_pause(struct db *db, const struct policy *pol, const char *name,
    int paused, const char *admin, int64_t now) FX_WUR;
/*
 * fixed -> undo queued for the timer; FX_ECONFLICT (msg) otherwise: not
 * fixed (a rehearsed finding: nothing was changed, nothing to undo), or
 * the playbook is irreversible (refused at once, nothing queued).
 */
fx_err sm_undo_request(struct db *db, const struct policy *pol, int64_t id,
    const char *admin, int64_t now, struct buf *msg) FX_WUR;

/* ---- timer --------------------------------------------------------- */
/*
 * Once at startup, after the policy may have changed: open findings that a
 * shadow run already finished with are re-armed for every playbook now in
 * notify or enforce mode, so the next housekeeping asks their owners; and
 * the rehearsed findings of every enforcing playbook whose executor no
 * longer rehearses become due (-> fixing): the live fix runs on exactly
 * the resources the dry run rehearsed (each re-read before it is fixed).
 */
fx_err sm_reconcile(struct db *db, const struct policy *pol,
    int64_t now) FX_WUR;
/*
 * The same in steps of at most SM_RECONCILE_BATCH findings, each its own
 * writer job, so that the writes submitted meanwhile (a click, an ingest)
 * wait for one step, not for all of them: start with a zeroed struct
 * sm_reconcile and call until done is set. The progress is kept in r
 * (the playbook, the phase, the last id), never re-read from the start.
 */
#define SM_RECONCILE_BATCH 500
struct sm_reconcile {
	size_t pb;	 /* index of the playbook in the policy */
	int phase;	 /* 0: re-arm the open ones, 1: the rehearsed ones */
	int64_t after;	 /* phase 1: the last id read */
	int64_t rearmed; /* this playbook's, for its log line */
	size_t moved;	 /* ditto */
	int done;
};
fx_err sm_reconcile_step(struct db *db, const struct policy *pol, int64_t now,
    struct sm_reconcile *r) FX_WUR;
/*
 * Expire exceptions (-> open, owner told it lapsed), lapse requests
 * older than approval_timeout (owner told, deadline at least
 * approval_grace ahead, the admin messages decided), remind / escalate
 * requests older than approval_remind / approval_escalate (once each),
 * advance open findings
 * (notify / approval none -> fixing / shadow records), send reminders
 * (reminder_before the deadline), move notified findings past their
 * deadline to fixing (enforce, not paused, no pending exception).
 */
fx_err sm_housekeeping(struct db *db, const struct policy *pol,
    int64_t now) FX_WUR;

/* ---- told first (sm_told.c) ---------------------------------------- */
/*
 * Nobody is fixed before they were told. sm_notify (a notify row) leaves
 * the deadline unset: the finding is notified but "waiting to be told"
 * (deadline 0, reminder_sent 0), and no timer query reads it. The
 * sender records what became of the notify row (asked_at: the row's
 * created_at; a row older than the finding's notified_at belongs to an
 * earlier cycle and changes nothing):
 *   delivered (console mode: printed) at told_at -> sm_notified_delivered:
 *     deadline = told_at + grace (never earlier than it was), the
 *     reminder timed from it, audit "owner_told";
 *   dropped (dead-lettered: attempts used up, or refused) ->
 *     sm_notify_failed: the finding keeps waiting (no deadline), audit
 *     "owner_unreachable" with why, the admins told once per waiting
 *     cycle (admin_msg owner_unreachable {message, retry}; queued again
 *     only when that row was dropped too), and the
 *     notify is queued again SM_RETELL_S later at most (the playbook's
 *     grace when shorter): once Slack is back the owner is told and the
 *     deadline counts from then.
 * Only approval none fixes without asking (it asks nobody, by design).
 * Both return FX_OK when the finding is gone or elsewhere.
 */
#define SM_RETELL_S 3600
fx_err sm_notified_delivered(struct db *db, const struct policy *pol,
    int64_t finding_id, int64_t asked_at, int64_t told_at) FX_WUR;
/*
 * The same for a notify whose message is to be recorded too (what
 * db_finding_set_message records: channel, ts, uid the user it went to,
 * NULL for the owner as is), in the one update of the finding when it
 * was waiting, and by db_finding_set_message when not. The finding's
 * thread must have no reminder (the caller records the message and calls
 * sm_notified_delivered otherwise: a new message forgets it).
 */
fx_err sm_notified_posted(struct db *db, const struct policy *pol,
    int64_t finding_id, int64_t asked_at, int64_t told_at, const char *channel,
    const char *ts, const char *uid) FX_WUR;
fx_err sm_notify_failed(struct db *db, const struct policy *pol,
    int64_t finding_id, int64_t asked_at, const char *why, int64_t now) FX_WUR;

struct sm_job {
	int64_t finding_id;
	int64_t lease_token;
	int undo;    /* 1: run the executor's undo */
	int attempt; /* 1-based */
	char *playbook;
	json_t *finding;     /* finding_to_json, for the executor */
	json_t *prior_state; /* undo: recorded prior state */
};
void sm_job_release(struct sm_job *j);
/*
 * Claim up to max due jobs under a lease (now + pol->lease): fixing rows
 * whose lease is unset or expired and whose retry time has come, within
 * the playbook's max fixes per hour and not paused; and requested undos.
 * A fix whose human key an undo holds is excepted instead; a destructive
 * fix past the hourly caps (global, account) waits (sm_guard.c).
 * Writes a "fix_attempt"/"undo_attempt" audit event per claim.
 * *jobs is an array of *n jobs; free each with sm_job_release, then free().
 */
fx_err sm_claim(struct db *db, const struct policy *pol, int64_t now,
    size_t max, struct sm_job **jobs, size_t *n) FX_WUR;

struct sm_result {
	int ok;		     /* executor succeeded */
	int resolved;	     /* fix: nothing to do (resource gone or
				 * already right): -> resolved, no fix */
	int rehearsal;	     /* a dry run: nothing was changed (also
				 * when prior_state says "dry_run") */
	json_t *prior_state; /* fix: borrowed, stored on the finding */
	const char *message; /* executor's message (no secrets) */
};
/*
 * Record a job's outcome, only if the lease token still matches (else
 * FX_ECONFLICT, nothing changed). Fix ok -> fixed (+ owner told; a
 * prior state that states its "usage" gets fixit's "saving", price.h). Fix
 * failed -> retry at now + backoff * 2^(attempt-1), or failed when
 * attempts are used up (+ admin_msg). Fix resolved -> resolved (the
 * re-read found nothing to fix; owner's message updated). Fix rehearsed
 * (ok) -> rehearsed, the plan in the audit row, a "rehearsal" row for the
 * owner; never fixed. Undo ok -> rolled_back; undo failed or only
 * rehearsed -> stays fixed, undo request cleared, admin_msg. An undo
 * that worked holds the resource's human key; failed attempts and undos
 * count for the playbook's circuit breaker, which may pause it
 * (admin_msg).
 */
fx_err sm_finish(struct db *db, const struct policy *pol,
    const struct sm_job *j, const struct sm_result *r, int64_t now) FX_WUR;

#endif
