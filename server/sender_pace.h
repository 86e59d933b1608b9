/*
 * sender_pace.h - Slack's rate limits as the sender keeps them: a back-off
 * per method, and per method and channel.
 *
 * Slack limits each method on its own (tiers) and chat.postMessage also
 * per channel; a 429 names what was limited. So a failure pauses only
 * its key: "METHOD CHANNEL" when Slack rate-limited a call to a channel,
 * else "METHOD" (a 5xx or a transport error is the method's, not one
 * channel's). Retry-After is honoured whatever the method; without it
 * the back-off doubles per consecutive failure of the key, up to max.
 *
 * With tiers on, the sender also keeps to Slack's documented pace before
 * it is told to: a token bucket per method (Tier 3: 50 a minute, Tier 4:
 * 100 a minute, bursts of 20) and for chat.postMessage per channel (one
 * a second, bursts of 10). A call whose bucket is empty waits like a
 * paused one (sender_pace_wait); sender_pace_spend takes the token.
 *
 * Only the sender thread uses a struct sender_pace. Times are
 * fx_mono_ms() milliseconds.
 */
#ifndef FIXIT_SENDER_PACE_H
#define FIXIT_SENDER_PACE_H

#include <stdint.h>

#include "fxerr.h"

struct sender_pace;

fx_err sender_pace_new(struct sender_pace **out) FX_WUR;
void sender_pace_free(struct sender_pace *p); /* accepts NULL */

/* keep to Slack's tiers (1) or only to what Slack said (0, the default) */
void sender_pace_tiers(struct sender_pace *p, int on);

/* 0 when method (to channel; NULL: none) may be called at now, else
 * the milliseconds until it may */
int64_t sender_pace_wait(const struct sender_pace *p, const char *method,
    const char *channel, int64_t now);
/*
 * A retryable failure of method (to channel): pause the key, for
 * retry_after seconds when > 0 (not capped by max_secs: Slack asked),
 * else an exponential back-off capped at max_secs. ratelimited: Slack said so (HTTP 429 or "ratelimited").
 * Returns the pause in seconds.
 */
int64_t sender_pace_failed(struct sender_pace *p, const char *method,
    const char *channel, int ratelimited, int64_t retry_after, int64_t max_secs,
    int64_t now);
/* a call of method (to channel) is made at now: its token is spent */
void sender_pace_spend(struct sender_pace *p, const char *method,
    const char *channel, int64_t now);
/* a call of method (to channel) went through: its back-off restarts */
void sender_pace_ok(struct sender_pace *p, const char *method,
    const char *channel);
/* the earliest time a paused key opens again; 0 when none is paused */
int64_t sender_pace_next(const struct sender_pace *p, int64_t now);

/*
 * Order within a finding: a finding with a row held or retried in this
 * sweep of the queue is held whole (its later rows wait too) until
 * sender_pace_sweep_end. finding_id <= 0 (no finding) is never held.
 */
void sender_pace_hold(struct sender_pace *p, int64_t finding_id);
int sender_pace_held(const struct sender_pace *p, int64_t finding_id);
void sender_pace_sweep_end(struct sender_pace *p);

#endif
