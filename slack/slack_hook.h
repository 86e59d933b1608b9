/*
 * slack_hook.h - answers posted to a slash command's response_url.
 *
 * Slack gives each slash command a response_url
 * (https://hooks.slack.com/commands/T.../.../...) that takes up to 5
 * answers within 30 minutes: a JSON body like the one the command's HTTP
 * answer would have carried ({"response_type":"ephemeral","text":...}).
 * No token goes with it: the URL is the capability, so it is treated as a
 * secret (never logged; error texts name no part of it).
 *
 * The URL arrives in a signed request, yet it is never followed blindly:
 * slack_hook_url_ok admits only a URL under one configured base
 * (slack.hooks_base, https://hooks.slack.com/; the fake Slack's in tests)
 * whose path is plain: commands/ then [A-Za-z0-9_-] segments, no query,
 * fragment, user info, percent-escape or dot segment.
 *
 * One struct slack_hook per thread: it owns a CURL handle. Connect
 * timeout 5 s, total 15 s, answers capped, http and https only, no
 * redirects, no signals (CURLOPT_NOSIGNAL).
 */
#ifndef FIXIT_SLACK_HOOK_H
#define FIXIT_SLACK_HOOK_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

#define SLACK_HOOK_MAX_URL 512 /* longer response_urls are refused */

struct slack_hook;

/*
 * 1 when url may be posted to: base (ends in '/') then "commands/" and
 * one to eight segments of [A-Za-z0-9_-], at most SLACK_HOOK_MAX_URL
 * bytes in all; else 0. Either may be NULL (0).
 */
int slack_hook_url_ok(const char *base, const char *url);

/* FX_ENOMEM, FX_EHTTP when libcurl cannot be set up */
fx_err slack_hook_new(struct slack_hook **out) FX_WUR;
void slack_hook_free(struct slack_hook *h); /* accepts NULL */

/*
 * POST body (borrowed, an object) as JSON to url, which the caller
 * checked with slack_hook_url_ok. Outcomes:
 *   FX_OK       HTTP 2xx.
 *   FX_ERETRY   transport error or timeout, HTTP 429 (*retry_after =
 *               Retry-After seconds, else 0), HTTP 5xx.
 *   FX_EREMOTE  any other status (an expired or used-up URL: 404).
 *   FX_EINVAL   bad arguments (nothing sent); FX_ENOMEM.
 * retry_after and err may be NULL; err gets a short sentence on failure.
 */
fx_err slack_hook_post(struct slack_hook *h, const char *url,
    const json_t *body, int64_t *retry_after, struct buf *err) FX_WUR;

#endif
