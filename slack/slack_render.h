/*
 * slack_render.h - console mode: what fixitd would have sent to Slack,
 * printed for a human instead of calling the Web API.
 *
 * Ownership: body is borrowed; the text is appended to out, which the
 * caller owns.
 */
#ifndef FIXIT_SLACK_RENDER_H
#define FIXIT_SLACK_RENDER_H

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

/*
 * Append a readable rendering of one Web API call to out:
 *
 *   --- slack chat.postMessage
 *   channel: C0DEVSEC
 *   <header, section text and fields, context, one line per block>
 *   [Fix now] [Exception: 1 month]
 *   ---
 *
 * Scalar members (channel first, then user, users, email, ts,
 * thread_ts) come first, then the blocks (or the text when there are
 * none), then a modal's title, blocks, inputs and buttons. mrkdwn
 * entities (&amp; &lt; &gt;) are shown decoded and date tokens as their
 * ISO fallback; a field or context element stays on one line.
 * FX_ETOOBIG when out's cap is reached (out is then left as it was),
 * FX_EINVAL for a NULL method or out.
 */
fx_err slack_render_console(const char *method, const json_t *body,
    struct buf *out) FX_WUR;

#endif
