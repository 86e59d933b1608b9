/*
 * sender.c - outbox delivery; see sender.h.
 *
 * Thread model: one sender thread with its own CURL handle (inside struct
 * slack_api). It reads and marks rows through the writer (dbw_call), so it
 * never holds the database while talking to Slack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "fxworker.h"
#include "home.h"
#include "metrics.h"
#include "sender.h"
#include "sender_int.h"
#include "sender_pace.h"
#include "slack_api.h"
#include "slack_approval.h"
#include "slack_blocks.h"
#include "slack_owner.h"
#include "banned.h"

#define SENDER_IDLE_MS	1000
#define SENDER_FLUSH_MS 20

struct sender {
	struct app *app;
	struct fx_worker wk;
	int live;		    /* slack.mode live */
	struct slack_api *api;	    /* live: made on the first call
					 * (libcurl is loaded then) */
	unsigned long console_seq;  /* console mode fake ts */
	struct sender_pace *pace;   /* what Slack limited, until when */
	int held;		    /* the last call was not made: paused */
	int64_t cursor;		    /* a sweep resumes after this row id */
	struct sender_modal *modal; /* the modal lane */
};

/* ---- transport: live Slack or console ------------------------------ */

/*
 * FX_OK, FX_ERETRY (*retry_after seconds, 0 = unknown) or FX_EREMOTE.
 * A call whose method, or method and channel, Slack asked us to leave
 * alone is not made: FX_ERETRY with s->held set. A retryable failure
 * pauses only what failed (sender_pace.h), whatever the method.
 */
static fx_err
slack_call(struct sender *s, const char *method, const json_t *body,
    json_t **resp, int64_t *retry_after, struct buf *err)
{
	const char *ch = json_string_value(json_object_get(body, "channel"));
	int64_t d;
	fx_err rc;

	*retry_after = 0;
	if (!s->live) {
		rc = sender_console_call(&s->console_seq, method, body, resp);
		goto out;
	}
	if (sender_pace_wait(s->pace, method, ch, fx_mono_ms()) > 0) {
		s->held = 1;
		if (buf_addf(err, "%s paused", method) != FX_OK)
			buf_reset(err);
		return FX_ERETRY;
	}
	if (s->api == NULL)
		rc = slack_api_new(s->app->cfg->slack_api_base,
		    s->app->cfg->bot_token, &s->api);
	else
		rc = FX_OK;
	if (rc != FX_OK) {
		if (buf_adds(err, "cannot set up the Slack client") != FX_OK)
			buf_reset(err);
		rc = FX_ERETRY;
	} else {
		sender_pace_spend(s->pace, method, ch, fx_mono_ms());
		rc = slack_api_call(s->api, method, body, resp, retry_after,
		    err);
	}
	if (rc == FX_ERETRY) {
		d = sender_pace_failed(s->pace, method, ch,
		    slack_api_ratelimited(s->api), *retry_after,
		    s->app->cfg->outbox_max_backoff, fx_mono_ms());
		log_info("%s: %s%s%s: %s; paused for %llds", __func__, method,
		    ch && slack_api_ratelimited(s->api) ? " to " : "",
		    ch && slack_api_ratelimited(s->api) ? ch : "",
		    err->len ? buf_str(err) : "retry", (long long)d);
	} else
		sender_pace_ok(s->pace, method, ch);
out:
	if (rc == FX_OK)
		metrics_slack_sent(s->app->metrics);
	else
		metrics_slack_error(s->app->metrics);
	return rc;
}

static fx_err
ctx_cache_get(struct db *db, void *arg)
{
	struct row_ctx *c = arg;

	return db_slack_user_get(db, c->email, c->ttl, c->now, &c->cached_uid);
}

struct cache_job {
	const char *uid, *email;
	int64_t now;
};

static fx_err
job_cache_put(struct db *db, void *arg)
{
	struct cache_job *m = arg;

	return db_slack_user_put(db, m->email, m->uid, m->now);
}

/* ---- destinations --------------------------------------------------- */

/* a person's Slack user id: given, or looked up by email (cached);
 * NULL when there is none */
static fx_err
person_uid(struct sender *s, struct row_ctx *c, const char *slack_id,
    const char *email, char **uid, struct buf *err)
{
	struct cache_job m;
	json_t *resp = NULL, *body;
	int64_t ra;
	fx_err rc;

	*uid = NULL;
	if (slack_id != NULL) {
		*uid = strdup(slack_id);
		return *uid ? FX_OK : FX_ENOMEM;
	}
	if (email == NULL || !s->live)
		return FX_OK; /* console mode has no user directory */
	c->email = email;
	c->ttl = s->app->cfg->owner_cache_ttl;
	c->now = fx_now();
	rc = dbw_call(s->app->w, ctx_cache_get, c);
	if (rc != FX_OK || c->cached_uid != NULL) {
		*uid = c->cached_uid;
		c->cached_uid = NULL;
		return rc;
	}
	body = json_pack("{s:s}", "email", email);
	rc = slack_call(s, "users.lookupByEmail", body, &resp, &ra, err);
	json_decref(body);
	if (rc == FX_OK) {
		const char *id = json_string_value(
		    json_object_get(json_object_get(resp, "user"), "id"));

		if (id != NULL && (*uid = strdup(id)) != NULL) {
			m.email = email;
			m.uid = id;
			m.now = fx_now();
			if (dbw_call(s->app->w, job_cache_put, &m) != FX_OK)
				log_warnx("%s: cannot cache a Slack user id",
				    __func__);
		}
	} else if (rc == FX_EREMOTE) {
		rc = FX_OK; /* users_not_found: fall back to the channel */
		buf_reset(err);
	}
	json_decref(resp);
	return rc;
}

/* the DM channel with uid (*channel NULL when Slack gave none) */
static fx_err
open_dm(struct sender *s, const char *uid, char **channel, struct buf *err)
{
	json_t *resp = NULL, *body;
	int64_t ra;
	fx_err rc;

	*channel = NULL;
	body = json_pack("{s:s}", "users", uid);
	rc = slack_call(s, "conversations.open", body, &resp, &ra, err);
	json_decref(body);
	if (rc == FX_OK) {
		const char *ch = json_string_value(
		    json_object_get(json_object_get(resp, "channel"), "id"));

		if (ch != NULL && (*channel = strdup(ch)) == NULL)
			rc = FX_ENOMEM;
	}
	json_decref(resp);
	return rc;
}

/* where messages about the finding go: its message's channel, the owner's
 * DM, else the account's channel. *channel is heap memory. */
static fx_err
resolve_dest(struct sender *s, struct row_ctx *c, char **channel,
    char **uid_out, struct buf *err)
{
	const struct account *acct;
	char *uid = NULL;
	fx_err rc;

	*channel = NULL;
	*uid_out = NULL;
	if (c->f.slack_channel) {
		*channel = strdup(c->f.slack_channel);
		return *channel ? FX_OK : FX_ENOMEM;
	}
	rc = person_uid(s, c, c->f.owner_slack_id, c->f.owner_email, &uid, err);
	if (rc != FX_OK)
		return rc;
	if (uid != NULL) {
		rc = open_dm(s, uid, channel, err);
		if (rc == FX_ERETRY) {
			free(uid);
			return rc;
		}
		buf_reset(err); /* a permanent error: use the channel */
	}
	if (*channel == NULL) {
		acct = policy_account(s->app->cfg->policy, c->f.account_id);
		if (acct == NULL || acct->channel == NULL) {
			free(uid);
			return buf_adds(err, "no destination for the finding")
				   ? FX_ENOMEM
				   : FX_EREMOTE;
		}
		*channel = strdup(acct->channel);
	}
	*uid_out = uid;
	return *channel ? FX_OK : FX_ENOMEM;
}

/* ---- delivery per outbox kind --------------------------------------- */

/* post `msg` (steals it) to channel; optionally in a thread */
static fx_err
post(struct sender *s, json_t *msg, const char *channel, const char *thread,
    json_t **resp, struct buf *err, int64_t *ra)
{
	fx_err rc;

	if (msg == NULL)
		return FX_ENOMEM;
	json_object_set_new(msg, "channel", json_string(channel));
	if (thread != NULL)
		json_object_set_new(msg, "thread_ts", json_string(thread));
	rc = slack_call(s, "chat.postMessage", msg, resp, ra, err);
	json_decref(msg);
	return rc;
}

/*
 * A notify posted now starts the deadline (sm.h "told first"): the
 * message shows it, and the outcome job records it from c->told_at.
 */
static void
told_deadline(struct sender *s, struct row_ctx *c, struct slack_finding_view *v)
{
	const struct playbook *pb =
	    policy_playbook(s->app->cfg->policy, c->f.playbook);

	c->told_at = fx_now();
	if (pb != NULL && v->deadline < c->told_at + pb->grace)
		v->deadline = c->told_at + pb->grace;
}

static fx_err
deliver_notify(struct sender *s, struct row_ctx *c, int reminder,
    struct buf *err, int64_t *ra)
{
	struct slack_finding_view v;
	const char *ch, *ts;
	json_t *resp = NULL;
	char *channel = NULL, *uid = NULL;
	fx_err rc;

	if (c->f.state != FS_NOTIFIED)
		return FX_OK; /* decided before delivery: nothing to ask */
	rc = resolve_dest(s, c, &channel, &uid, err);
	if (rc != FX_OK)
		goto out;
	sender_view_of(s->app->cfg, &c->f, c->iac, sizeof(c->iac), &v);
	sender_view_dest(s->app->cfg, &c->f, channel, &v);
	if (!reminder)
		told_deadline(s, c, &v);
	rc = post(s,
	    reminder ? slack_blocks_reminder(&v) : slack_blocks_finding(&v),
	    channel, reminder ? c->f.slack_ts : NULL, &resp, err, ra);
	if (rc != FX_OK)
		goto out;
	ch = json_string_value(json_object_get(resp, "channel"));
	ts = json_string_value(json_object_get(resp, "ts"));
	if (ts != NULL && reminder && c->f.slack_ts != NULL)
		sender_pass_note_reminder(c, ts); /* a decision updates it */
	else if (ts != NULL && !reminder)
		sender_pass_note_message(c, ch ? ch : channel, ts, uid);
out:
	json_decref(resp);
	free(channel);
	free(uid);
	return rc;
}

/*
 * msg (stolen; NULL: out of memory) as the chat.update of ch/ts, or when
 * either is NULL (the question never reached Slack) posted to the
 * finding's destination
 */
static fx_err
update_or_post(struct sender *s, struct row_ctx *c, json_t *msg, const char *ch,
    const char *ts, struct buf *err, int64_t *ra)
{
	json_t *resp = NULL;
	char *dest = NULL, *uid = NULL;
	fx_err rc;

	if (msg == NULL)
		return FX_ENOMEM;
	if (ch == NULL || ts == NULL) {
		rc = resolve_dest(s, c, &dest, &uid, err);
		if (rc == FX_OK)
			rc = post(s, msg, dest, NULL, &resp, err, ra);
		else
			json_decref(msg);
		goto out;
	}
	json_object_set_new(msg, "channel", json_string(ch));
	json_object_set_new(msg, "ts", json_string(ts));
	rc = slack_call(s, "chat.update", msg, &resp, ra, err);
	json_decref(msg);
out:
	json_decref(resp);
	free(dest);
	free(uid);
	return rc;
}

/* the row's message (sender_say_message), decision or not */
static json_t *
row_message(struct sender *s, struct row_ctx *c, int decision)
{
	return sender_say_message(s->app->cfg, c->have_f ? &c->f : NULL,
	    c->row->args, decision);
}

/*
 * A decision row's message with a "card" (sm.h): "approval", the admin's
 * request card kept, decided; "ask", the finding's card with its buttons
 * back. Without one, or with no message to update, the decision card.
 */
static json_t *
decision_message(struct sender *s, struct row_ctx *c, const char *card,
    int update)
{
	struct slack_finding_view v;
	struct buf t = BUF_INIT;
	json_t *msg = NULL;

	if (card == NULL || !update ||
	    (strcmp(card, "approval") == 0 ? !c->have_exc
					   : strcmp(card, "ask") != 0))
		return row_message(s, c, update);
	if (sender_say_text(s->app->cfg, &c->f, c->row->args, &t) != FX_OK)
		goto out;
	sender_view_of(s->app->cfg, &c->f, c->iac, sizeof(c->iac), &v);
	if (strcmp(card, "ask") == 0)
		msg = slack_blocks_decision_ask(&v, buf_str(&t));
	else
		msg = slack_blocks_approval_decided(&v, c->exc.id,
		    c->exc.requested_by, c->exc.reason,
		    c->exc.kind && strcmp(c->exc.kind, "1y") == 0, buf_str(&t));
out:
	buf_release(&t);
	return msg;
}

static fx_err
deliver_decision(struct sender *s, struct row_ctx *c, struct buf *err,
    int64_t *ra)
{
	const json_t *args = c->row->args;
	const char *ch = json_string_value(json_object_get(args, "channel"));
	const char *ts = json_string_value(json_object_get(args, "ts"));
	const char *card = json_string_value(json_object_get(args, "card"));

	if (!sender_say_has(c->row->args) || !c->have_f)
		return buf_adds(err, "decision without text or finding")
			   ? FX_ENOMEM
			   : FX_EREMOTE;
	if (ch == NULL || ts == NULL) {
		ch = c->f.slack_channel;
		ts = c->f.slack_ts;
	}
	return update_or_post(s, c, decision_message(s, c, card, ch && ts), ch,
	    ts, err, ra);
}

/*
 * "rehearsal" {"would", "calls", opt "saving"}: a dry run told to the owner, as the
 * decision on the finding's message when there is one (its buttons go:
 * nothing is left to decide), else as a message of its own.
 */
static fx_err
deliver_rehearsal(struct sender *s, struct row_ctx *c, struct buf *err,
    int64_t *ra)
{
	const json_t *args = c->row->args;
	const char *would = json_string_value(json_object_get(args, "would"));
	const char *ch = c->f.slack_channel, *ts = c->f.slack_ts;
	struct slack_finding_view v;

	sender_view_of(s->app->cfg, &c->f, c->iac, sizeof(c->iac), &v);
	return update_or_post(s, c,
	    slack_blocks_rehearsal(&v, would, json_object_get(args, "calls"),
		json_object_get(args, "saving"), ch != NULL && ts != NULL),
	    ch, ts, err, ra);
}

/*
 * "dm" {"email" | "user", "text"}: to a person, not about a finding.
 * Nobody to reach (no such Slack user): done, the admins were told by
 * their own message. Console mode prints it addressed to the person.
 */
static fx_err
deliver_dm(struct sender *s, struct row_ctx *c, json_t **resp, struct buf *err,
    int64_t *ra)
{
	const json_t *args = c->row->args;
	const char *user = json_string_value(json_object_get(args, "user"));
	const char *email = json_string_value(json_object_get(args, "email"));
	char *uid = NULL, *dest = NULL;
	fx_err rc;

	if (!s->live)
		return post(s, row_message(s, c, 0),
		    user    ? user
		    : email ? email
			    : "?",
		    NULL, resp, err, ra);
	rc = person_uid(s, c, user, email, &uid, err);
	if (rc == FX_OK && uid != NULL)
		rc = open_dm(s, uid, &dest, err);
	if (rc == FX_OK && dest != NULL)
		rc = post(s, row_message(s, c, 0), dest, NULL, resp, err, ra);
	else if (rc == FX_EREMOTE)
		buf_reset(err);
	if (rc == FX_EREMOTE)
		rc = FX_OK; /* nobody to tell */
	free(uid);
	free(dest);
	return rc;
}

/*
 * The admin channel's messages of a request (c->exc): "approval_request"
 * the request card; "approval_remind" FACT a reply in its thread and
 * "approval_escalate" FACT the card again, each with the Approve / Deny
 * buttons, while the request still waits. Each ts is recorded, so that
 * the decision takes the buttons away.
 */
static fx_err
deliver_approval(struct sender *s, struct row_ctx *c, struct buf *err,
    int64_t *ra)
{
	const char *kind = c->row->kind, *ch, *ts;
	int remind = strcmp(kind, "approval_remind") == 0;
	int esc = strcmp(kind, "approval_escalate") == 0;
	const char *admin = c->exc_msgs.ts[EXC_MSG_ADMIN];
	struct slack_finding_view v;
	struct buf t = BUF_INIT;
	json_t *msg, *resp = NULL;
	int y = c->exc.kind && strcmp(c->exc.kind, "1y") == 0;
	fx_err rc;

	ch = c->exc_msgs.channel ? c->exc_msgs.channel
				 : s->app->cfg->policy->admin_channel;
	if ((remind || esc) &&
	    (c->exc.status == NULL || strcmp(c->exc.status, "pending") != 0))
		return FX_OK; /* decided meanwhile: nothing to nudge */
	if (!remind && !esc && strcmp(kind, "approval_request") != 0)
		return buf_addf(err, "cannot deliver %s row", kind)
			   ? FX_ENOMEM
			   : FX_EREMOTE;
	sender_view_of(s->app->cfg, &c->f, c->iac, sizeof(c->iac), &v);
	if (!remind && !esc) {
		msg = slack_blocks_approval(&v, c->exc.id, c->exc.requested_by,
		    c->exc.reason, y);
		if (json_is_true(json_object_get(c->row->args, "fp")))
			msg = slack_owner_fp_request(msg, &v,
			    c->exc.requested_by, c->exc.reason);
	} else if (sender_say_text(s->app->cfg, &c->f, c->row->args, &t) ==
		   FX_OK)
		msg = slack_blocks_approval_nudge(&v, c->exc.id,
		    c->exc.requested_by, c->exc.reason, y, buf_str(&t),
		    esc || admin == NULL);
	else
		msg = NULL;
	rc = post(s, msg, ch, remind ? admin : NULL, &resp, err, ra);
	ts = json_string_value(json_object_get(resp, "ts"));
	if (rc == FX_OK && ts != NULL)
		sender_pass_note_exc_msg(c,
		    remind ? EXC_MSG_REMIND
		    : esc  ? EXC_MSG_ESCALATE
			   : EXC_MSG_ADMIN,
		    json_string_value(json_object_get(resp, "channel"))
			? json_string_value(json_object_get(resp, "channel"))
			: ch,
		    ts);
	json_decref(resp);
	buf_release(&t);
	return rc;
}

static fx_err
deliver_simple(struct sender *s, struct row_ctx *c, struct buf *err,
    int64_t *ra)
{
	const json_t *args = c->row->args;
	const char *kind = c->row->kind;
	struct buf t = BUF_INIT;
	json_t *msg = NULL, *resp = NULL;
	char *dest = NULL, *uid = NULL;
	fx_err rc = FX_EREMOTE;

	if (strcmp(kind, "ephemeral") == 0) {
		rc = sender_say_text(s->app->cfg, c->have_f ? &c->f : NULL,
		    args, &t);
		if (rc == FX_OK) {
			msg = json_pack("{s:O?,s:O?,s:s}", "channel",
			    json_object_get(args, "channel"), "user",
			    json_object_get(args, "user"), "text", buf_str(&t));
			rc = msg != NULL ? slack_call(s, "chat.postEphemeral",
					       msg, &resp, ra, err)
					 : FX_ENOMEM;
		}
	} else if (strcmp(kind, "admin_msg") == 0 &&
		   sender_say_has(c->row->args)) {
		rc = post(s, row_message(s, c, 0),
		    s->app->cfg->policy->admin_channel, NULL, &resp, err, ra);
	} else if (strcmp(kind, "owner_msg") == 0 &&
		   sender_say_has(c->row->args) && c->have_f) {
		rc = resolve_dest(s, c, &dest, &uid, err);
		if (rc == FX_OK)
			rc = post(s, row_message(s, c, 0), dest, c->f.slack_ts,
			    &resp, err, ra);
	} else if (strcmp(kind, "dm") == 0 && sender_say_has(c->row->args)) {
		rc = deliver_dm(s, c, &resp, err, ra);
	} else if (strncmp(kind, "approval_", 9) == 0 && c->have_f &&
		   c->have_exc) {
		rc = deliver_approval(s, c, err, ra);
	} else if (buf_addf(err, "cannot deliver %s row", kind) != FX_OK) {
		rc = FX_ENOMEM;
	}
	json_decref(msg);
	json_decref(resp);
	buf_release(&t);
	free(dest);
	free(uid);
	return rc;
}

/*
 * After the finding's message was updated for a decision (rc FX_OK):
 * the reminder in its thread loses its buttons too, and says where
 * things stand. A reminder Slack no longer has (deleted, too old to
 * edit) is left alone: only a failure worth retrying fails the row,
 * whose repeat updates both messages again.
 */
static fx_err
update_thread(struct sender *s, struct row_ctx *c, fx_err rc, struct buf *err,
    int64_t *ra)
{
	struct slack_finding_view v;
	json_t *msg, *resp = NULL;

	if (rc != FX_OK || !c->have_f || c->reminder_ts == NULL ||
	    c->f.slack_channel == NULL)
		return rc;
	sender_view_of(s->app->cfg, &c->f, c->iac, sizeof(c->iac), &v);
	msg = slack_blocks_reminder_decided(&v);
	if (msg == NULL)
		return FX_ENOMEM;
	json_object_set_new(msg, "channel", json_string(c->f.slack_channel));
	json_object_set_new(msg, "ts", json_string(c->reminder_ts));
	rc = slack_call(s, "chat.update", msg, &resp, ra, err);
	json_decref(msg);
	json_decref(resp);
	if (rc == FX_EREMOTE) {
		log_info("%s: finding #%lld: reminder %s left as it is: %s",
		    __func__, (long long)c->f.id, c->reminder_ts,
		    err->len ? buf_str(err) : "refused");
		buf_reset(err);
		rc = FX_OK;
	}
	return rc;
}

static fx_err
deliver(struct sender *s, struct row_ctx *c, struct buf *err, int64_t *ra)
{
	const char *kind = c->row->kind;

	if (strcmp(kind, "notify") == 0 && c->have_f)
		return deliver_notify(s, c, 0, err, ra);
	if (strcmp(kind, "reminder") == 0 && c->have_f)
		return deliver_notify(s, c, 1, err, ra);
	/* a card keeps buttons, or is the admins' message: the thread's
	 * reminder stays as it is */
	if (strcmp(kind, "decision") == 0 &&
	    json_object_get(c->row->args, "card") != NULL)
		return deliver_decision(s, c, err, ra);
	if (strcmp(kind, "decision") == 0)
		return update_thread(s, c, deliver_decision(s, c, err, ra), err,
		    ra);
	if (strcmp(kind, "rehearsal") == 0 && c->have_f)
		return update_thread(s, c, deliver_rehearsal(s, c, err, ra),
		    err, ra);
	return deliver_simple(s, c, err, ra);
}

/*
 * deliver one row and note the outcome (done: 1 sent, 2 retry, 3 dead,
 * 4 held: a later sweep tries it, nothing recorded)
 */
static void
send_row(struct sender *s, struct row_ctx *c)
{
	const struct outbox_row *row = c->row;
	struct buf err = BUF_INIT;
	int64_t ra = 0;
	fx_err rc;

	if (sender_pace_held(s->pace, row->finding_id)) {
		c->done = 4;
		return;
	}
	buf_init(&err, 512);
	s->held = 0;
	rc = deliver(s, c, &err, &ra);
	c->err = fx_strdup(err.len ? buf_str(&err) : fx_strerror(rc));
	if (rc == FX_OK) {
		c->done = 1;
		log_info("%s: %s for finding #%lld delivered", __func__,
		    row->kind, (long long)row->finding_id);
		/* the homes that show it, when open (home.h) */
		if (c->have_f)
			home_changed(s->app->home, c->f.owner_slack_id,
			    strcmp(row->kind, "approval_request") == 0 ||
				strcmp(row->kind, "decision") == 0);
	} else if (rc == FX_ERETRY && s->held) {
		c->done = 4;
		sender_pace_hold(s->pace, row->finding_id);
	} else if ((rc == FX_ERETRY || rc == FX_ENOMEM || rc == FX_EDB) &&
		   row->attempts + 1 < s->app->cfg->outbox_max_attempts) {
		/* out of memory or a database read failing here says nothing
		 * about the message: tried again like Slack's own hiccups */
		c->done = 2;
		sender_pace_hold(s->pace, row->finding_id);
		log_info("%s: %s #%lld: %s; retried later", __func__, row->kind,
		    (long long)row->id, c->err ? c->err : "");
	} else {
		c->done = 3;
		log_warnx("%s: dropping %s row #%lld after %d attempts: %s",
		    __func__, row->kind, (long long)row->id, row->attempts + 1,
		    c->err ? c->err : "");
	}
	buf_release(&err);
}

/*
 * The outcomes of delivered rows must be recorded, or the rows are sent
 * again: at the end of a pass a database that cannot write (disk full, I/O
 * errors) is waited for, up to SENDER_RECORD_TRIES x 200 ms and not past a
 * stop, before the pass gives up (its rows are sent again later).
 */
enum { SENDER_RECORD_TRIES = 50 };

static void
flush_pass(struct sender *s, struct pass *p, int last)
{
	int tries = 1;

	while (sender_pass_flush(s->app->w, p, s->app->metrics) != FX_OK &&
	       last && tries++ < SENDER_RECORD_TRIES &&
	       !fx_worker_wait(&s->wk, 200))
		;
}

/*
 * One pass over due rows after s->cursor: a sweep of passes goes
 * through the queue once, past the rows it holds, then starts again.
 * Returns the number of rows handled when the batch was full.
 */
static size_t
send_pass(struct sender *s)
{
	struct pass p;
	size_t i, n;
	int64_t now;

	memset(&p, 0, sizeof(p));
	p.now = fx_now();
	p.after = s->cursor;
	p.pol = s->app->cfg->policy;
	if (dbw_call(s->app->w, sender_pass_load, &p) != FX_OK) {
		sender_pass_release(&p);
		return 0;
	}
	for (i = 0; i < p.n && !fx_worker_stopping(&s->wk); i++) {
		send_row(s, &p.ctx[i]);
		now = fx_mono_ms();
		if (p.first_unflushed_ms == 0)
			p.first_unflushed_ms = now;
		else if (now - p.first_unflushed_ms >= SENDER_FLUSH_MS)
			flush_pass(s, &p, 0);
	}
	flush_pass(s, &p, 1);
	n = p.n;
	s->cursor = n == SENDER_BATCH ? p.rows[n - 1].id : 0;
	if (s->cursor == 0)
		sender_pace_sweep_end(s->pace);
	sender_pass_release(&p);
	if (!s->live)
		fflush(stdout);
	return n == SENDER_BATCH ? n : 0;
}

static void *
sender_main(void *arg)
{
	struct sender *s = arg;
	int64_t wait_ms, now, next;

	do {
		if (send_pass(s) > 0)
			continue; /* a full batch: more may be due */
		now = fx_mono_ms();
		next = sender_pace_next(s->pace, now);
		wait_ms = next > now && next - now < SENDER_IDLE_MS
			      ? next - now
			      : SENDER_IDLE_MS;
		if (fx_worker_wait(&s->wk, wait_ms))
			break;
	} while (!fx_worker_stopping(&s->wk));
	return NULL;
}

fx_err
sender_start(struct app *app, struct sender **out)
{
	const struct config *cfg = app->cfg;
	struct sender *s;
	fx_err rc;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return FX_ENOMEM;
	s->app = app;
	s->live = cfg->slack_mode == SLACK_LIVE;
	rc = sender_pace_new(&s->pace);
	if (rc != FX_OK)
		goto fail;
	sender_pace_tiers(s->pace, cfg->slack_pace);
	rc = sender_modal_start(app, &s->modal);
	if (rc != FX_OK)
		goto fail;
	rc = fx_worker_start(&s->wk, "fixit-sender", sender_main, s);
	if (rc != FX_OK)
		goto fail;
	*out = s;
	return FX_OK;
fail:
	sender_modal_stop(s->modal);
	sender_pace_free(s->pace);
	slack_api_free(s->api);
	free(s);
	return rc;
}

void
sender_kick(struct sender *s)
{
	if (s == NULL)
		return;
	sender_modal_kick(s->modal);
	fx_worker_kick(&s->wk);
}

void
sender_stop(struct sender *s)
{
	if (s == NULL)
		return;
	fx_worker_stop(&s->wk);
	sender_modal_stop(s->modal);
	sender_pace_free(s->pace);
	slack_api_free(s->api);
	free(s);
}
