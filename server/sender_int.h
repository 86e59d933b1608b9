/*
 * sender_int.h - what the outbox sender (sender.c) and its modal lane
 * (sender_modal.c) share. Internal to server/.
 */
#ifndef FIXIT_SENDER_INT_H
#define FIXIT_SENDER_INT_H

#include <stddef.h>

#include "app.h"
#include "db.h"
#include "dbwriter.h"
#include "fxerr.h"
#include "metrics.h"
#include "slack_blocks.h"

#define SENDER_BATCH 32 /* rows loaded per pass */

struct pass;

/* a due row, what delivery needs to know, and what it ended with */
struct row_ctx {
	struct pass *pass;
	const struct outbox_row *row;
	struct finding f;
	int have_f;
	struct exception_rec exc;
	int have_exc;
	struct exc_msgs exc_msgs; /* exc's admin messages (have_exc) */
	/* an admin message of exc posted now, to record: which + 1 (0:
	 * none), its channel and ts */
	int exc_new;
	char *exc_new_channel, *exc_new_ts;
	const char *email; /* cache lookup in, user id out */
	char *cached_uid;
	int64_t ttl, now;
	/* outcome, recorded by the next flush */
	int done; /* 0 not yet, 1 sent, 2 retry, 3 dead, 4 held */
	char *err;
	char *msg_channel, *msg_ts, *msg_uid; /* a notify's message */
	int64_t told_at;       /* a notify posted: when (its deadline starts) */
	char *reminder_ts;     /* the reminder in the finding's thread */
	char *new_reminder_ts; /* a reminder posted now, to record */
	char iac[257];	       /* the view's managed_by, when there is one */
};

/*
 * Rows are loaded with their findings in one job, and outcomes are
 * recorded in one job per flush: the sender costs the writer two jobs per
 * batch, not three per message. A flush happens at least every
 * SENDER_FLUSH_MS (sender.c), so a kill repeats at most the calls of
 * that window.
 */
struct pass {
	int64_t now, after;
	const struct policy *pol; /* for the notify outcomes (sm.h) */
	struct outbox_row *rows;
	struct row_ctx *ctx;
	size_t n, flushed;
	int64_t first_unflushed_ms;
};

/* dbw job (arg: struct pass with now and after set): load up to
 * SENDER_BATCH due rows after p->after, each with its context */
fx_err sender_pass_load(struct db *db, void *arg) FX_WUR;
/*
 * record the outcomes of the rows done since the last flush; a notify
 * delivered starts its finding's deadline, a notify dropped tells the
 * admins the owner could not be reached (sm.h "told first"); each row
 * dropped is counted (m, may be NULL). On failure they stay unflushed
 * (a later call records them again) and FX_EDB is returned.
 */
fx_err sender_pass_flush(struct dbw *w, struct pass *p,
    struct metrics *m) FX_WUR;
void sender_pass_release(struct pass *p);
/*
 * A notify was posted: later rows of this pass about the same finding
 * (a decision made meanwhile) must see its message, and no reminder.
 */
void sender_pass_note_message(struct row_ctx *c, const char *channel,
    const char *ts, const char *uid);
/* a reminder was posted (ts): recorded by the flush, and seen by later
 * rows of this pass about the same finding */
void sender_pass_note_reminder(struct row_ctx *c, const char *ts);
/* an admin message of c's exception was posted: recorded by the flush,
 * seen by later rows of this pass about the same exception */
void sender_pass_note_exc_msg(struct row_ctx *c, enum exc_msg which,
    const char *channel, const char *ts);

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
 * v->owner_not_found for a message about f in channel: the owner (email,
 * else Slack id) when live Slack had them and the message went to the
 * account's channel anyway (resolve_dest found nobody to DM); else NULL.
 * sender_view_of calls it with the finding's own message channel.
 */
void sender_view_dest(const struct config *cfg, const struct finding *f,
    const char *channel, struct slack_finding_view *v);

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
