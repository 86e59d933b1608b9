/*
 * sender.h - the outbox sender thread: delivers the Slack calls that the
 * state machine queued (db outbox rows), in order, exactly once per row
 * under normal operation.
 *
 * A retryable failure (HTTP 429 with Retry-After, 5xx, transport errors,
 * "ratelimited") pauses only what failed, for Retry-After (any method)
 * or an exponential backoff: the method in that channel when Slack
 * rate-limited it, else the method (sender_pace.h). Rows that need a
 * paused method or channel are held, not tried; the queue goes on with
 * the others, and a finding with a held row keeps its later rows back
 * so its messages stay in order. A
 * permanent error dead-letters the row (logged, counted). A row is marked
 * sent in its own transaction right after Slack answered; only a kill in
 * that microsecond window can repeat one call after a restart.
 *
 * Modal rows (views.open) are not in this queue: the sender's modal lane
 * opens them at once (sender_int.h).
 *
 * In console mode nothing is sent: each call is printed to stdout.
 */
#ifndef FIXIT_SENDER_H
#define FIXIT_SENDER_H

#include "app.h"
#include "fxerr.h"

struct sender;

fx_err sender_start(struct app *app, struct sender **out) FX_WUR;
void sender_stop(struct sender *s); /* accepts NULL */
void sender_kick(struct sender *s); /* new rows; accepts NULL */

#endif
