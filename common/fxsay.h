/*
 * fxsay.h - the facts fixit tells people, by code.
 *
 * remediation/ and server/ never write a sentence for Slack: an outbox
 * row that tells people something (kinds decision, owner_msg, admin_msg,
 * ephemeral, dm; see remediation/sm.h) and a refusal handed back to a
 * handler carry a FACT, a JSON object {"say": code, ...fields}. slack/
 * (slack_say.h) renders every sentence from it, escaping each free
 * string once, mentioning only valid user ids and building the dates.
 *
 * Field types: "by", "owner", "requested_by", "to", "from" Slack user
 * ids (mentioned when valid, else shown as text); "kind" "1m" | "1y"; "until",
 * "deadline" epoch seconds (integers); every other string is free text
 * shown as text (never markup); counts are integers. FINDING below is
 * the finding's name as the renderer's view has it ("title (#7)").
 *
 * Decisions (the finding's message, or "channel"/"ts" of another):
 *   fix_now       {by}                    <by> chose Fix now
 *   exc_requested {by, kind, reason}      asked, awaiting an admin
 *   exc_taken     {by, kind, until, reason}  taken without approval
 *   exc_approved  {by, kind, until}
 *   exc_denied    {by, kind, opt reason, opt deadline}  (deadline: when
 *                 fixed)
 *   exc_request_approved {exception_id, kind, by, until}  admin message
 *   exc_request_denied   {exception_id, kind, by, opt reason}  admin
 *                 message
 *   exc_request_lapsed_admin {exception_id, kind}  admin message: nobody
 *                 decided in time
 *   fixed         {description, opt saving}  (saving: {cents, unknown}
 *                 a fix's estimated monthly saving, remediation/price.h)
 *   nothing_to_fix {message}
 *   fix_gave_up   {}                      admins were alerted
 *   held          {until}                 an undo holds the resource
 *   resolved      {}                      no longer seen
 *   deadline_fixing {dry_run (bool)}
 * To the admins, a request that waits (approval_remind, approval_escalate):
 *   approval_waiting {exception_id, kind, waited (seconds), escalated
 *                 (bool)}
 * To the owner (owner_msg):
 *   exc_denied_owner {by, kind, opt reason}
 *   fixed_owner   {description, irreversible (bool), opt saving}
 *   fix_failed_owner {}
 *   undone_owner  {}
 *   exc_lapsed    {kind}
 *   exc_request_lapsed {}
 * To the admins (admin_msg) or a person (dm):
 *   fix_failed_admin {attempts, message}
 *   owner_unreachable {message, retry (seconds)}  the notify was dropped
 *                 (admins; remediation/sm_told.c)
 *   undo_result   {result "done"|"rehearsed"|"failed", by, message}
 *   breaker       {playbook, breaker "failures"|"undos", count,
 *                  threshold, window (seconds)}
 *   iam_user_created {iam_user, account, opt account_name, actor}  (admins)
 *   iam_user_created_you {iam_user, account, opt account_name}  (dm)
 *   cloudshell_secret_read {actor, principal, secret, event_source,
 *                 event_name, account, opt account_name, region, time,
 *                 source_ip}
 *   honeypot_key_used {key, account, opt account_name, principal, target,
 *                 source_ip, event_name, event_source, region, time}
 * Refusals (ephemeral rows {channel, user, ...}, modal errors):
 *   not_found     {finding_id}
 *   not_configured {finding_id}
 *   not_owner     {opt owner}
 *   already_handled {state}
 *   exc_pending   {}
 *   fix_now_not_offered {env, mode}
 *   paused        {playbook}
 *   exc_not_offered {kind, env}
 *   admin_only    {}
 *   exc_not_found {exception_id}
 *   exc_already_handled {status}
 *   self_approval {}
 *   reason_needed {max}
 *   modal_late    {}                      the form could not open in time
 *   unknown_action {}                     a button fixit no longer knows
 * The owner's own steps (remediation/sm.h, sm_owner.c):
 *   reassigned    {by, to, opt note}      the old card (channel/ts)
 *   reassigned_to_you {by, to, opt from, opt note}  owner_msg, new owner
 *   fp_reported   {by, reason}            awaiting an admin
 *   fp_approved   {by, until}
 *   fp_denied     {by, opt deadline}
 *   fp_request_approved {exception_id, by, until}  admin message
 *   fp_request_denied   {exception_id, by}         admin message
 *   fp_approved_owner {by, until, reason}  owner_msg
 *   fp_denied_owner {by}                  owner_msg
 *   fp_lapsed     {opt deadline}; fp_lapsed_owner {}  nobody decided
 *   reassign_bad_user {}  reassign_same {to}  reassign_limit {max}
 *                                         refusals (modal errors)
 * An unknown code renders as a generic sentence, never fails. Field
 * names "text", "user", "email", "channel" and "ts" are the rows'
 * addresses (and a legacy row's text), never a fact's field.
 */
#ifndef FIXIT_FXSAY_H
#define FIXIT_FXSAY_H

#define FXSAY_KEY "say" /* the code's key in a fact */

#endif
