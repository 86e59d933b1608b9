/*
 * slack_owner.h - the Block Kit of the owner's own steps (remediation/
 * sm.h "the owner's own steps"): the Not mine and False positive
 * buttons on the owner's card, their two modals, and the admin
 * channel's request when it is a false-positive report.
 *
 * Builders return a new json_t * the caller owns, or NULL when memory
 * ran out (or, for the modal, the kind is not one of these). The view
 * is borrowed for the call. Every user-supplied string placed in mrkdwn
 * is escaped (& < >) and cut to Slack's limits.
 */
#ifndef FIXIT_SLACK_OWNER_H
#define FIXIT_SLACK_OWNER_H

#include <jansson.h>

#include "fxerr.h"
#include "slack_blocks.h"

/* action ids of the buttons; their value is the finding id */
#define SLACK_OWNER_NOT_MINE	"fixit_not_mine"
#define SLACK_OWNER_FP		"fixit_false_positive"
/* callback ids of the modals; private_metadata {"f":finding_id} */
#define SLACK_OWNER_CB_REASSIGN "fixit_reassign"
#define SLACK_OWNER_CB_FP	"fixit_false_positive"

/*
 * Append "Not mine" and "False positive" to the button array els while
 * the card asks (slack_card_asks: notified, no request pending).
 */
fx_err slack_owner_buttons(const struct slack_finding_view *v,
    json_t *els) FX_WUR;
/* 1 when an outbox "modal" row's kind is one of these forms */
int slack_owner_modal_kind(const char *kind);
/*
 * views.open "view" of the form kind: "reassign" (users_select block
 * "owner" / action "owner", optional note block "reason" / action
 * "reason") or "false_positive" (required reason, block and action
 * "reason").
 */
json_t *slack_owner_modal(const struct slack_finding_view *v,
    const char *kind) FX_WUR;
/*
 * msg (an approval request of slack_blocks_approval, stolen) worded as
 * a false-positive report by requester with reason; NULL when msg is
 * NULL or memory ran out.
 */
json_t *slack_owner_fp_request(json_t *msg, const struct slack_finding_view *v,
    const char *requester, const char *reason) FX_WUR;
#endif
