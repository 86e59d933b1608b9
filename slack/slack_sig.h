/*
 * slack_sig.h - verification of Slack's v0 request signatures.
 *
 * Slack signs every request with HMAC-SHA256(signing secret,
 * "v0:" X-Slack-Request-Timestamp ":" raw body) and sends the MAC in
 * X-Slack-Signature as "v0=" followed by 64 lowercase hex digits.
 *
 * Ownership: nothing is kept; the caller owns every argument. The secret
 * is never copied except into OpenSSL's MAC state, which is freed (and
 * cleansed by OpenSSL) before returning. Thread-safe.
 *
 * Choices: only lowercase hex is accepted. Slack sends lowercase, and
 * accepting exactly one encoding per MAC keeps the check canonical; an
 * uppercase signature is refused like any other mismatch (FX_EAUTH, which
 * the HTTP layer answers with 401). The timestamp must be 1 to 18 ASCII
 * digits; |now - ts| may be at most FX_SLACK_WINDOW_S (inclusive) in
 * either direction.
 */
#ifndef FIXIT_SLACK_SIG_H
#define FIXIT_SLACK_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "fxerr.h"

/* "v0=" + 64 hex digits + NUL */
#define SLACK_SIG_LEN 68

/*
 * FX_OK when sig_hdr is the valid signature of body for ts_hdr and the
 * timestamp is within the window around now. FX_EAUTH for any refusal
 * (missing or empty header, malformed timestamp or signature, stale or
 * future timestamp, mismatch). FX_EINVAL when secret is NULL or empty or
 * body is NULL with len > 0; FX_ENOMEM when OpenSSL fails.
 */
fx_err slack_sig_verify(const char *secret, const char *ts_hdr,
    const char *sig_hdr, const void *body, size_t len, int64_t now) FX_WUR;

/*
 * Compute the X-Slack-Signature value for ts and body into out
 * ("v0=" + 64 lowercase hex, NUL-terminated). For tests and benchmarks.
 */
fx_err slack_sig_sign(const char *secret, const char *ts, const void *body,
    size_t len, char out[SLACK_SIG_LEN]) FX_WUR;

#endif
