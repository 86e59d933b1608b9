/*
 * slack_say.h - every sentence fixit tells people, rendered from a fact
 * {"say": code, ...fields} (the codes and their fields: common/fxsay.h).
 *
 * One table, one entry per code (some codes have variants chosen by a
 * field). Free strings are escaped with slack_blocks_escape; a user id
 * becomes a mention "<@U123>" only when it is a syntactically valid one
 * (else the id is shown as escaped text); a date becomes the Slack token
 * "<!date^EPOCH^{date_short_pretty} at {time}|ISO>", built here only.
 * The plain variant has no markup at all (no entities, mentions, dates
 * tokens or bold): for plain_text (modal errors) and the console.
 *
 * v: the finding the fact is about (its name is shown as "title (#7)");
 * NULL renders "finding #N" from the fact's "finding_id", or "this
 * finding". An unknown or missing code renders a generic sentence.
 * out is appended to; on error it is left as it was. Thread-safe.
 */
#ifndef FIXIT_SLACK_SAY_H
#define FIXIT_SLACK_SAY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxsay.h"
#include "slack_blocks.h"

/* the mrkdwn sentence of fact */
fx_err slack_say(const json_t *fact, const struct slack_finding_view *v,
    struct buf *out) FX_WUR;
/* the same sentence as plain text */
fx_err slack_say_plain(const json_t *fact, const struct slack_finding_view *v,
    struct buf *out) FX_WUR;
/* "<@U123>" for a valid user id, else the id escaped ("someone": NULL) */
fx_err slack_say_user(const char *id, struct buf *out) FX_WUR;
/* the date token of t */
fx_err slack_say_date(int64_t t, struct buf *out) FX_WUR;
/* "$1,234.56" ("-$1.00" below 0) of cents */
fx_err slack_say_money(int64_t cents, struct buf *out) FX_WUR;
/*
 * A fix's saving {cents, unknown (count of items without a price)} in
 * words, plain text: "$3.65 a month", "$3.65 a month (without 1 item not
 * in its price table)", "amount fixit cannot tell (2 items not in its
 * price table)"
 */
fx_err slack_say_saving(const json_t *saving, struct buf *out) FX_WUR;
/* the i-th code of the table (i from 0), NULL past the end: for tests */
const char *slack_say_code(size_t i);

#endif
