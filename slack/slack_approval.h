/*
 * slack_approval.h - the cards of an exception request's decision: the
 * deny modal (the admin gives a reason), the admin's request message once
 * decided (the request kept, the decision in place of the buttons), and
 * the owner's card asking again after a denial.
 *
 * decision_text is mrkdwn already (slack_say's output), placed as is and
 * cut to Slack's limit at a character boundary. NULL: out of memory or
 * a view/exception that cannot be shown.
 */
#ifndef FIXIT_SLACK_APPROVAL_H
#define FIXIT_SLACK_APPROVAL_H

#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "slack_blocks.h"

/*
 * views.open "view" of the deny modal: callback_id fixit_deny,
 * private_metadata {"e":exception_id, opt "c":channel,"t":ts} (channel
 * and ts: the admin's request message, NULL or "" when unknown), the
 * required input block "reason" / action "reason".
 */
json_t *slack_blocks_deny_modal(const struct slack_finding_view *v,
    int64_t exception_id, const char *channel, const char *ts) FX_WUR;
/* the request card of slack_blocks_approval, decision_text instead of
 * its Approve / Deny buttons */
json_t *slack_blocks_approval_decided(const struct slack_finding_view *v,
    int64_t exception_id, const char *requester, const char *reason, int kind,
    const char *decision_text) FX_WUR;
/*
 * A request that still waits, with the Approve / Deny buttons: full 0,
 * text (mrkdwn) and the buttons (a reply in the request's thread); 1,
 * the request card of slack_blocks_approval with text at its top (a
 * message of its own).
 */
json_t *slack_blocks_approval_nudge(const struct slack_finding_view *v,
    int64_t exception_id, const char *requester, const char *reason, int kind,
    const char *text, int full) FX_WUR;
/* the finding's card with its buttons, decision_text above them */
json_t *slack_blocks_decision_ask(const struct slack_finding_view *v,
    const char *decision_text) FX_WUR;

#endif
