/*
 * slack_blocks.h - the Block Kit messages and the modal fixit sends.
 *
 * Every builder returns a new json_t * the caller owns (json_decref), or
 * NULL when memory ran out or an input string was not valid UTF-8. The
 * view and its strings are borrowed for the call only. NULL strings count
 * as empty.
 *
 * Messages are {"text": fallback, "blocks": [...]}; the caller adds
 * "channel" (and "ts" or "thread_ts") before calling the Web API. The
 * modal builder returns the "view" object of views.open.
 *
 * Escaping: every user-supplied string placed in mrkdwn (titles, ids,
 * descriptions, reasons, caller texts) has &, < and > turned into
 * entities, so nobody can inject links, mentions or @channel. Caller
 * texts of slack_blocks_text keep well-formed user mentions "<@U123ABC>"
 * intact; slack_blocks_decision's text is mrkdwn already. plain_text (the header, button labels) is
 * never parsed by Slack and is not escaped. Long strings are cut (ending
 * in an ellipsis) to fit Slack's per-element limits.
 *
 * Action ids and values follow remediation/sm.h: fixit_fix_now,
 * fixit_exc_1m, fixit_exc_1y carry the finding id; fixit_exc_approve,
 * fixit_exc_deny the exception id.
 */
#ifndef FIXIT_SLACK_BLOCKS_H
#define FIXIT_SLACK_BLOCKS_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
/* slack_render_console (console mode) lives in its own module */
#include "slack_render.h"

#define SLACK_EXC_1M 0x1u /* exc_mask: offer "Exception: 1 month" */
#define SLACK_EXC_1Y 0x2u /* exc_mask: offer "Exception: 1 year" */

struct slack_finding_view {
	int64_t id;
	const char *title, *resource_id, *resource_arn, *region;
	const char *account_id, *account_name, *playbook, *description;
	int production;	   /* the account's environment */
	int64_t deadline;  /* when fixit fixes it (epoch seconds) */
	int fix_now;	   /* offer "Fix now" (never in production) */
	unsigned exc_mask; /* SLACK_EXC_1M | SLACK_EXC_1Y */
	int irreversible;  /* warn that the fix cannot be undone; Fix now
			    * asks to confirm */
	int rehearsal;	   /* the executor only rehearses (dry run): say
			    * that nothing will be changed */
	int notify_only;   /* playbook mode notify: fixit changes nothing */
	const char *managed_by;	    /* IaC owner ("aws:cloudformation:stack-name
				 * =web"): fix it there; or NULL */
	const char *owner_slack_id; /* mentioned when a valid user id */
	/*
	 * Where the finding stands now (slack_card.h): state is its
	 * db.h state name, NULL for "notified"; the card says it instead
	 * of a stale deadline, and buttons show only while notified with
	 * no exception request pending.
	 */
	const char *state;
	int64_t excepted_until;	     /* state "excepted": until when */
	int64_t updated_at;	     /* when the state was entered, about */
	int exc_pending;	     /* an exception request awaits an admin */
	unsigned exc_approval_mask;  /* of exc_mask: those needing an
				     * admin's approval */
	const char *owner_not_found; /* the owner (email or id) nobody
				      * could reach: the message went to
				      * the account channel; or NULL */
	const char *details; /* the finding's details (JSON text) or NULL:
			      * an IAM path in them is drawn
			      * (slack_iampath.h) */
};

/* the first message to the owner: details, console link, buttons */
json_t *slack_blocks_finding(const struct slack_finding_view *v) FX_WUR;
/* thread reply before the deadline, with the same buttons (none, and
 * the state instead of the deadline, when the finding no longer asks) */
json_t *slack_blocks_reminder(const struct slack_finding_view *v) FX_WUR;
/* the reminder once a decision was made (chat.update): no buttons,
 * "Decided: see above" and the finding's state */
json_t *slack_blocks_reminder_decided(
    const struct slack_finding_view *v) FX_WUR;
/*
 * The finding message without buttons, with its current state, plus
 * decision_text (chat.update). decision_text is mrkdwn, placed as is
 * (cut to Slack's limit): whoever wrote it escaped what it quotes.
 */
json_t *slack_blocks_decision(const struct slack_finding_view *v,
    const char *decision_text) FX_WUR;
/* views.open "view": the justification modal; kind 0 = 1 month, 1 = 1 year;
 * says when an admin must approve the request and that the fix waits */
json_t *slack_blocks_modal(const struct slack_finding_view *v, int kind) FX_WUR;
/* admin channel: an exception asks for approval (Approve / Deny) */
json_t *slack_blocks_approval(const struct slack_finding_view *v,
    int64_t exception_id, const char *requester, const char *reason,
    int kind) FX_WUR;
/*
 * After a dry run (outbox "rehearsal"): what fixit would have done and
 * that nothing was changed, never that it fixed anything. would is the
 * playbook's sentence and calls an array of "service Action" strings
 * (either may be NULL or empty); saving what it would save, {cents,
 * unknown} or NULL. update 1: the finding's message
 * without buttons, with this as its decision (for chat.update); 0: a
 * message of its own that names the finding.
 */
json_t *slack_blocks_rehearsal(const struct slack_finding_view *v,
    const char *would, const json_t *calls, const json_t *saving,
    int update) FX_WUR;
/*
 * The finding's buttons alone, as on its message: an "actions" block
 * (block_id fixit_actions:ID) in *out, or NULL (FX_OK) when none is
 * offered; FX_ENOMEM. For the App Home (slack_home.h).
 */
fx_err slack_blocks_actions(const struct slack_finding_view *v,
    json_t **out) FX_WUR;
/* the Approve / Deny "actions" block of an exception request */
json_t *slack_blocks_approval_actions(int64_t exception_id) FX_WUR;
/* a simple message: text in one section block */
json_t *slack_blocks_text(const char *text) FX_WUR;
/* the same with mrkdwn already rendered (slack_say.h): not escaped again */
json_t *slack_blocks_mrkdwn(const char *mrkdwn) FX_WUR;

/* append s to out with &, <, > escaped for mrkdwn; out unchanged on error */
fx_err slack_blocks_escape(const char *s, struct buf *out) FX_WUR;

#endif
