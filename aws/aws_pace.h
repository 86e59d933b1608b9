/*
 * aws_pace.h - requests paced to AWS's documented API rates: a token
 * bucket per (account, region, service or action), taken before each
 * attempt of a call, so that a scan slows down instead of being
 * throttled.
 *
 * The rates are one table in aws_pace.c, each with the page of AWS's
 * documentation it comes from. A bucket holds `burst` tokens and gains
 * `per_s` a second; a call takes one. When the bucket is empty the call
 * reserves the next token and waits for it (the bucket goes into debt),
 * so that callers are served in the order they came and none can starve
 * the others. The debt is bounded: a caller never waits longer than
 * max_wait_ms; past that it is let through (AWS may throttle it, and the
 * client's retries with backoff take over).
 *
 * Buckets are keyed by the account the call is charged to (the
 * account whose role signs it; "" for fixitd's own credentials), the
 * region (none for global services: IAM, Route 53, CloudFront), and the
 * service, or the action where AWS counts each action alone (EC2,
 * CloudTrail LookupEvents). Idle buckets (full again) are dropped when
 * the table fills; at most AWS_PACE_MAX_BUCKETS are kept.
 *
 * Thread-safe: one mutex guards the table, held only to compute a wait;
 * the waiting itself is done without it (aws_pace_wait).
 */
#ifndef FIXIT_AWS_PACE_H
#define FIXIT_AWS_PACE_H

#include <stdint.h>

#include "aws.h"
#include "fxerr.h"

#define AWS_PACE_MAX_BUCKETS 16384
/* default bound of one wait: as the retries' backoff_max_ms */
#define AWS_PACE_MAX_WAIT_MS 20000

/* a documented rate: burst tokens, refilled per_s a second */
struct aws_rate {
	double burst;
	double per_s;
	int per_action; /* one bucket per action, not per service */
};

/*
 * The rate AWS documents for svc's action (NULL: any), or NULL when the
 * call is not paced (S3: per prefix, thousands a second).
 */
const struct aws_rate *aws_pace_rate(enum aws_svc svc, const char *action);

struct aws_pace;

/* max_wait_ms: the bound of one wait (<= 0: AWS_PACE_MAX_WAIT_MS) */
fx_err aws_pace_new(int64_t max_wait_ms, struct aws_pace **out) FX_WUR;
void aws_pace_free(struct aws_pace *p); /* accepts NULL */

/*
 * Take a token for one call at now_ms (any monotonic clock, ms): how
 * long to wait before sending it (0: at once). The token is taken
 * whatever the answer. account NULL = fixitd's own; region ignored for
 * global services. Deterministic: the tests drive the clock.
 */
int64_t aws_pace_take(struct aws_pace *p, enum aws_svc svc, const char *action,
    const char *account, const char *region, int64_t now_ms);

/* aws_pace_take at fx_mono_ms(), then sleep that long (p NULL: none);
 * the milliseconds waited */
int64_t aws_pace_wait(struct aws_pace *p, enum aws_svc svc, const char *action,
    const char *account, const char *region);

/* buckets held now (for tests) */
size_t aws_pace_nbuckets(struct aws_pace *p);

#endif
