/*
 * sender_int.h - what the outbox sender (sender.c) and its modal lane
 * (sender_modal.c) share. Internal to server/.
 */
#ifndef FIXIT_SENDER_INT_H
#define FIXIT_SENDER_INT_H

#include <stddef.h>

#include "app.h"
#include "db.h"
#include "fxerr.h"
#include "slack_blocks.h"

/*
 * The finding f as Slack messages show it. v borrows from f, cfg and
 * iac (len bytes: the IaC owner named in f's details is copied there).
 */
void sender_view_of(const struct config *cfg, const struct finding *f,
    char *iac, size_t len, struct slack_finding_view *v);

/*
 * What a row that tells people something (decision, owner_msg,
 * admin_msg, ephemeral, dm) says, with finding f (NULL: none) as Slack
 * shows it: its fact (common/fxsay.h) put into words by slack_say, or,
 * for a row queued by an older version, its "text" (mrkdwn, escaped by
 * the builder as before). sender_say_message: a new message (decision
 * and f: the finding's message with it, for chat.update), NULL when
 * there is nothing to say or memory ran out. sender_say_text: the mrkdwn
 * appended to t (an ephemeral's text).
 */
int sender_say_has(const json_t *args); /* a fact or a legacy text */
json_t *sender_say_message(const struct config *cfg, const struct finding *f,
    const json_t *args, int decision) FX_WUR;
fx_err sender_say_text(const struct config *cfg, const struct finding *f,
    const json_t *args, struct buf *t) FX_WUR;

/*
 * slack.mode console: print the call to stdout (flushed by the caller)
 * and answer as Slack would (conversations.open: the user's "D" channel;
 * messages: a fake ts from *seq). *resp is a new reference.
 */
fx_err sender_console_call(unsigned long *seq, const char *method,
    const json_t *body, json_t **resp) FX_WUR;

/*
 * The modal lane: a thread of its own, with its own Slack client, that
 * opens the justification modals (outbox kind "modal") at once, never
 * behind the outbox's queue or its back-off. A modal it cannot open
 * within the trigger's life becomes an "ephemeral" outbox row telling
 * the person so. Started and stopped by the sender.
 */
struct sender_modal;

fx_err sender_modal_start(struct app *app, struct sender_modal **out) FX_WUR;
void sender_modal_stop(struct sender_modal *m); /* accepts NULL */
void sender_modal_kick(struct sender_modal *m); /* accepts NULL */

#endif
