/*
 * slack_api.h - the Slack Web API client (libcurl).
 *
 * One struct slack_api per thread: it owns a CURL handle (connections
 * are reused between calls) and a copy of the bot token, wiped with
 * OPENSSL_cleanse by slack_api_free. Nothing here logs; error texts
 * never contain the token.
 *
 * Each call POSTs {base_url}{method} with "Authorization: Bearer TOKEN"
 * and a JSON body ("application/json; charset=utf-8"), except
 * users.lookupByEmail, sent as a form (email=...) as Slack requires.
 * Connect timeout 5 s, total 15 s, answers capped at
 * FX_MAX_SLACK_RESPONSE bytes, http and https only, no redirects, no
 * signals (CURLOPT_NOSIGNAL).
 */
#ifndef FIXIT_SLACK_API_H
#define FIXIT_SLACK_API_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

struct slack_api;

/*
 * base_url: "https://slack.com/api/" (a missing final '/' is added);
 * http:// is accepted for tests. bot_token: printable ASCII without
 * spaces. FX_EINVAL for bad arguments, FX_ENOMEM, FX_EHTTP when libcurl
 * cannot be set up.
 */
fx_err slack_api_new(const char *base_url, const char *bot_token,
    struct slack_api **out) FX_WUR;
void slack_api_free(struct slack_api *a); /* accepts NULL */

/*
 * Call method with body (borrowed; NULL sends {}; users.lookupByEmail
 * needs {"email": "..."}). Outcomes:
 *   FX_OK       HTTP 200 and "ok": true; *resp is the answer (new ref).
 *   FX_ERETRY   try again later: transport error or timeout, HTTP 429
 *               (*retry_after = Retry-After seconds, else 0), HTTP 5xx,
 *               a 200 whose body is not a JSON object with a boolean
 *               "ok", or "ok": false with error ratelimited,
 *               internal_error, fatal_error, service_unavailable or
 *               request_timeout.
 *   FX_EREMOTE  permanent: any other "ok": false (err holds exactly the
 *               Slack error code, e.g. "users_not_found"), any other
 *               HTTP status, an answer over the size cap.
 *   FX_EINVAL   bad arguments: NULL handle, a method name that is not
 *               [A-Za-z.]{1,64}, a body that is not an object, no email
 *               for users.lookupByEmail (nothing sent; FX_ETOOBIG or
 *               FX_ENOMEM likewise when the request cannot be built).
 * For "ok": false answers *resp is set too, so callers can inspect it.
 * resp, retry_after and err may be NULL; *resp is NULL and *retry_after
 * 0 unless set as above. err is reset and gets a short sentence (or the
 * error code) on failure.
 */
fx_err slack_api_call(struct slack_api *a, const char *method,
    const json_t *body, json_t **resp, int64_t *retry_after,
    struct buf *err) FX_WUR;

/*
 * 1 when the last slack_api_call was rate-limited (HTTP 429, or "ok":
 * false with error ratelimited): the limit is the method's, or the
 * method's in one channel, not Slack's as a whole.
 */
int slack_api_ratelimited(const struct slack_api *a);

#endif
