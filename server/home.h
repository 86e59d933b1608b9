/*
 * home.h - the App Home tab (views.publish) and /fixit mine: each user
 * sees their own open findings with the buttons of their messages;
 * admins' homes add the counts per state and the exception requests to
 * decide (slack/slack_home.h renders both).
 *
 * Thread model: one thread ("fixit-home") with a Slack client of its
 * own, like the modal lane: a publish never waits behind the outbox or
 * its back-off. Requests come from HTTP threads (app_home_opened, a
 * click in the home) through a bounded queue in which a user is queued
 * at most once; the thread reads on the reader connection (dbw_read)
 * and never holds the queue's lock during a read or a Slack call.
 */
#ifndef FIXIT_HOME_H
#define FIXIT_HOME_H

#include <jansson.h>

#include "app.h"
#include "buf.h"
#include "dbwriter.h"
#include "fxerr.h"
#include "policy.h"

#define HOME_QUEUE_MAX 256	  /* users waiting for a publish */
#define HOME_SEEN_MAX  1024	  /* users whose home is kept fresh */
#define HOME_SEEN_TTL  (8 * 3600) /* seconds after it was opened */

struct home;

fx_err home_start(struct app *app, struct home **out) FX_WUR;
void home_stop(struct home *h); /* accepts NULL */
/*
 * Publish user_id's home soon. Returns at once: a user already queued
 * is not queued twice; a user id that is not one (U or W, then upper-
 * case letters and digits) or a full queue drops the request (logged).
 * Accepts NULL h.
 */
void home_request(struct home *h, const char *user_id);
/*
 * The user opened their home (app_home_opened): publish it, and keep
 * it fresh for HOME_SEEN_TTL: home_changed publishes it again when
 * something they see changes. At most HOME_SEEN_MAX users are kept
 * (the one seen longest ago makes room).
 */
void home_opened(struct home *h, const char *user_id);
/*
 * Something on owner's home changed (a message about their finding was
 * delivered); admins: the exception requests changed too. Re-publishes
 * the homes of those of them that were opened within HOME_SEEN_TTL;
 * the others are fresh when next opened. Accepts NULL h and owner.
 */
void home_changed(struct home *h, const char *owner, int admins);

/*
 * /fixit mine: user_id's open findings as the blocks of a message
 * (*blocks, a new reference) and its fallback text (appended to text).
 * Any user may ask; it reads on the reader connection.
 */
fx_err home_mine(struct dbw *w, const struct policy *pol, const char *user_id,
    json_t **blocks, struct buf *text) FX_WUR;

#endif
