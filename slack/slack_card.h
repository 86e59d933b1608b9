/*
 * slack_card.h - what a finding's card says about where the finding
 * stands: the sentence of its current state (notified with its deadline,
 * an exception awaiting approval, excepted until, fixing, fixed, failed,
 * resolved, rolled back, rehearsed), which choices need an admin's
 * approval, and where the message went when the owner was not found.
 * Used by slack_blocks.c; the view is slack_blocks.h's.
 *
 * Every sentence is mrkdwn: user-supplied strings in it are escaped.
 * Appending functions add to out (the caller's) and return FX_OK, or
 * the first error with out possibly holding part of the text.
 */
#ifndef FIXIT_SLACK_CARD_H
#define FIXIT_SLACK_CARD_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "slack_blocks.h"

/* "<link|Open in the AWS console>"; nothing without ARN or sane region */
fx_err slack_card_console_link(const struct slack_finding_view *v,
    struct buf *out) FX_WUR;

/*
 * 1 when the finding still asks its owner to choose: notified and no
 * exception request awaiting an admin. Only then are buttons shown.
 */
int slack_card_asks(const struct slack_finding_view *v);

/*
 * The sentence of v's current state: "fixit will fix this DATE" only
 * while it asks and a fix is coming, "unless an exception is granted"
 * only when the message offers the buttons (with_actions 1) to ask.
 */
fx_err slack_card_state(const struct slack_finding_view *v, int with_actions,
    struct buf *out) FX_WUR;

/*
 * "owner not found (OWNER): posted here instead" when v->owner_not_found
 * is set; nothing otherwise.
 */
fx_err slack_card_owner_note(const struct slack_finding_view *v,
    struct buf *out) FX_WUR;

/*
 * The label of the exception button of kind (0 = 1 month, 1 = 1 year),
 * "(needs approval)" when an admin must approve it. Static storage;
 * "" for a bad kind.
 */
const char *slack_card_exc_button(const struct slack_finding_view *v, int kind);

/* 1 when an exception of kind (0 = 1 month, 1 = 1 year) needs an admin */
int slack_card_needs_approval(const struct slack_finding_view *v, int kind);

/*
 * What a dry run would have done (slack_blocks_rehearsal): "Dry run:
 * ...", the playbook's sentence would, the calls (strings) and what it
 * would save ({cents, unknown}: slack_say_saving), each optional. update
 * 1: mrkdwn (escaped), the decision on the finding's card; 0: plain text
 * that names the finding, for slack_blocks_text.
 */
fx_err slack_card_rehearsal(const struct slack_finding_view *v,
    const char *would, const json_t *calls, const json_t *saving, int update,
    struct buf *out) FX_WUR;

#endif
