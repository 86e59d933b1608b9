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
/* the same from the policy alone (cfg->policy): /fixit mine has no cfg */
void sender_view_pol(const struct policy *pol, const struct finding *f,
    char *iac, size_t len, struct slack_finding_view *v);

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
