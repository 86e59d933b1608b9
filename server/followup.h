/*
 * followup.h - the follow-up sender: a /fixit answer that missed the
 * HTTP deadline (cmdq.h) is POSTed to the command's response_url.
 *
 * In memory, not in the outbox: a report is read-only, so losing one to
 * a crash or a stop loses only an answer the user can ask for again;
 * the durable outbox stays for the messages that record decisions.
 *
 * Slack's rules: a 429 waits its Retry-After, a 5xx or a transport
 * error is retried with a backoff (1 s, 2 s, 4 s...), FOLLOWUP_TRIES
 * tries in all, and nothing is sent once the URL's 30 minutes since the
 * command are over; any other answer (404: the URL expired or is used
 * up) gives up at once. A URL that slack_hook_url_ok does not admit
 * (slack.hooks_base) is never contacted. Each outcome is counted
 * (fixit_slack_followups_total{outcome}) and a failure logged, without
 * the URL (a capability).
 *
 * Thread model: one thread ("followup") with its own CURL handle;
 * followup_add may be called from any thread. In slack.mode console the
 * answer is printed to stdout instead.
 */
#ifndef FIXIT_FOLLOWUP_H
#define FIXIT_FOLLOWUP_H

#include <stdint.h>
#include <jansson.h>

#include "app.h"
#include "fxerr.h"

#define FOLLOWUP_TRIES	  5	/* POSTs of one answer at most */
#define FOLLOWUP_MAX	  64	/* answers waiting at once */
#define FOLLOWUP_URL_LIFE 1800	/* s a response_url takes answers */
#define FOLLOWUP_MAX_WAIT 60000 /* ms between two tries at most */

struct followup;

fx_err followup_start(struct app *a, struct followup **out) FX_WUR;
/* drops what is still waiting (logged, counted failed); accepts NULL */
void followup_stop(struct followup *f);

/*
 * Queue the answer (an ephemeral text, and blocks or NULL: stolen) to
 * the command that came with url at wall-clock second at. Not queued
 * (counted, logged) when url is not admitted, the queue is full or
 * memory runs out.
 */
void followup_add(struct followup *f, const char *url, int64_t at,
    const char *text, json_t *blocks);

#endif
