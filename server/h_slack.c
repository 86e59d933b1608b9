/*
 * h_slack.c - POST /slack/actions and POST /slack/commands.
 *
 * Order is fixed: body size (http.c) -> signature over the raw bytes ->
 * content type -> form -> payload -> decision, handed to the writer.
 * Answers go back within Slack's 3 seconds; messages to Slack are outbox
 * rows that the sender thread delivers. A /fixit command runs on a
 * worker (cmdq.h): its answer is the HTTP answer when it is ready by
 * slack.command_deadline, else it follows through the response_url.
 *
 * Slack shows the user an error for any answer but a 200, so a validly
 * signed request is always answered 200, also when fixitd does not
 * understand it (an old button, another command, a payload type it does
 * not handle): it does nothing and says so where Slack lets it. Only
 * requests that are not Slack's (signature, size, content type) are
 * refused. Both kinds are counted by reason in /metrics and logged at
 * most once per reason and FX_SLACK_REJECT_LOG_S.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmdq.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "home.h"
#include "http.h"
#include "metrics.h"
#include "sender.h"
#include "slack_form.h"
#include "slack_notice.h"
#include "slack_payload.h"
#include "slack_say.h"
#include "slack_sig.h"
#include "sm.h"
#include "banned.h"

#define FORM "application/x-www-form-urlencoded"

/* what an operator reads in the log, by enum metric_reject */
static const char *const reject_why[REJ__COUNT] = {
	[REJ_SIGNATURE] = "signature mismatch (is the signing secret the "
			  "Slack app's?)",
	[REJ_TIMESTAMP] = "timestamp malformed or outside the window (is "
			  "the clock right?)",
	[REJ_HEADERS] = "signature headers missing or repeated",
	[REJ_SIZE] = "body too large",
	[REJ_CONTENT_TYPE] = "not the body type the route takes",
	[REJ_COMMAND] = "a slash command other than slack.command",
	[REJ_PAYLOAD] = "a request fixitd does not understand",
	[REJ_EVENT] = "an event fixitd does not handle",
};

void
h_slack_reject(struct app *a, enum metric_reject why, const char *route)
{
	unsigned long long quiet;

	if ((unsigned)why >= REJ__COUNT)
		why = REJ_PAYLOAD;
	if (!metrics_slack_reject(a->metrics, why, fx_now(), &quiet))
		return;
	/* the not-understood ones were signed by Slack: no warning */
	if (why >= REJ_COMMAND)
		log_info("%s: %s: answered 200, did nothing: %s (%llu more "
			 "since the last line)",
		    __func__, route, reject_why[why], quiet);
	else
		log_warnx("%s: %s: refused: %s (%llu more since the last "
			  "line)",
		    __func__, route, reject_why[why], quiet);
}

/* which of signature and timestamp made slack_sig_verify refuse */
static enum metric_reject
sig_failure(const char *ts_hdr)
{
	int64_t ts, now = fx_now();

	if (fx_strtoll(ts_hdr, 0, INT64_MAX, &ts) != FX_OK)
		return REJ_TIMESTAMP;
	if (ts > now + FX_SLACK_WINDOW_S || ts < now - FX_SLACK_WINDOW_S)
		return REJ_TIMESTAMP;
	return REJ_SIGNATURE;
}

int
h_slack_verified(struct app *a, struct http_request *r, struct http_reply *rp,
    const char *route, const char *ctype)
{
	const char *body, *ts;
	size_t len;

	/* the head again (http.c checked it before reading the body) */
	if (!http_pre_slack(a, r, rp))
		return 0;
	body = http_req_body(r, &len);
	ts = http_req_header(r, "X-Slack-Request-Timestamp");
	if (slack_sig_verify(a->cfg->signing_secret, ts,
		http_req_header(r, "X-Slack-Signature"), body, len,
		fx_now()) != FX_OK) {
		h_slack_reject(a, sig_failure(ts), route);
		http_reply_error(rp, 401, "invalid slack signature");
		return 0;
	}
	if (!http_req_ctype_is(r, ctype)) {
		h_slack_reject(a, REJ_CONTENT_TYPE, route);
		http_reply_error(rp, 415, "expected %s", ctype);
		return 0;
	}
	return 1;
}

/*
 * State of a deferred interaction: the parsed payload (the job's strings
 * point into it) and the job; freed when the request ends.
 */
struct action_state {
	struct slack_interaction si;
	const struct policy *pol;
	int64_t now;
	struct sm_click click;
	struct sm_exception_req exc;
	struct sm_deny_req deny; /* the deny modal (exc unused then) */
	json_t *meta;		 /* its private_metadata (deny's strings) */
	json_t *refusal;	 /* the modal's refusal (a fact: fxsay.h) */
};

static void
action_state_free(void *p)
{
	struct action_state *st = p;

	if (st == NULL)
		return;
	slack_interaction_release(&st->si);
	json_decref(st->meta);
	json_decref(st->refusal);
	free(st);
}

static fx_err
click_job_run(struct db *db, void *arg)
{
	struct action_state *st = arg;

	return sm_click(db, st->pol, &st->click, st->now);
}

static fx_err
exc_job_run(struct db *db, void *arg)
{
	struct action_state *st = arg;

	if (st->deny.exception_id > 0)
		return sm_exception_deny(db, st->pol, &st->deny, st->now,
		    &st->refusal);
	return sm_exception_submit(db, st->pol, &st->exc, st->now,
	    &st->refusal);
}

void
h_slack_unrecorded(struct http_reply *rp, const char *block)
{
	json_t *j = NULL;

	if (block != NULL)
		j = json_pack("{s:s,s:{s:s}}", "response_action", "errors",
		    "errors", block,
		    "fixit could not record this just now: nothing was "
		    "changed. Please submit it again in a minute.");
	if (j != NULL)
		http_reply_json(rp, 200, j);
	else
		http_reply_empty(rp, 200);
}

static void
click_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct action_state *st = state;

	if (rc != FX_OK) {
		log_warnx("%s: %s on %lld by %s: %s", __func__,
		    st->si.action_id, (long long)st->click.target_id,
		    st->si.user_id, fx_strerror(rc));
		h_slack_unrecorded(rp, NULL);
		return;
	}
	sender_kick(a->sender);
	/* a click in the App Home: the home shows the new state at once */
	if (st->si.from_home)
		home_request(a->home, st->si.user_id);
	http_reply_empty(rp, 200);
}

static void
modal_error(struct http_reply *rp, const char *msg)
{
	http_reply_json(rp, 200,
	    json_pack("{s:s,s:{s:s}}", "response_action", "errors", "errors",
		"reason", msg));
}

/* a refusal in the plain text of a modal error (no markup there) */
static void
modal_refusal(struct http_reply *rp, const json_t *refusal)
{
	struct buf t = BUF_INIT;

	if (refusal == NULL || slack_say_plain(refusal, NULL, &t) != FX_OK ||
	    t.len == 0)
		modal_error(rp, "This exception cannot be recorded.");
	else
		modal_error(rp, buf_str(&t));
	buf_release(&t);
}

static void
exc_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct action_state *st = state;

	if (rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND ||
	    rc == FX_EINVAL) {
		modal_refusal(rp, st->refusal);
		return;
	}
	if (rc != FX_OK) {
		if (st->deny.exception_id > 0)
			log_warnx("%s: deny of exception #%lld by %s: %s",
			    __func__, (long long)st->deny.exception_id,
			    st->si.user_id, fx_strerror(rc));
		else
			log_warnx("%s: exception on %lld by %s: %s", __func__,
			    (long long)st->exc.finding_id, st->si.user_id,
			    fx_strerror(rc));
		h_slack_unrecorded(rp, "reason");
		return;
	}
	sender_kick(a->sender);
	http_reply_empty(rp, 200);
}

/*
 * A button fixitd does not know (an old message, another app's block):
 * the user is told in the channel, by an outbox row like every other
 * message. Nothing else changes.
 */
static fx_err
notice_job_run(struct db *db, void *arg)
{
	struct action_state *st = arg;
	json_t *args;
	fx_err rc;

	args = json_pack("{s:s,s:s,s:s}", "channel", st->si.channel_id, "user",
	    st->si.user_id, FXSAY_KEY, "unknown_action");
	if (args == NULL)
		return FX_ENOMEM;
	rc = db_outbox_add(db, "ephemeral", 0, args, st->now);
	json_decref(args);
	return rc;
}

/* the click is answered 200 whether or not the notice was recorded */
static void
notice_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct action_state *st = state;

	if (rc != FX_OK)
		log_warnx("%s: notice to %s in %s: %s", __func__,
		    st->si.user_id, st->si.channel_id, fx_strerror(rc));
	else
		sender_kick(a->sender);
	http_reply_empty(rp, 200);
}

static const struct {
	const char *id;
	enum sm_action act;
} action_ids[] = {
	{ "fixit_fix_now", ACT_FIX_NOW },
	{ "fixit_exc_1m", ACT_EXC_1M },
	{ "fixit_exc_1y", ACT_EXC_1Y },
	{ "fixit_exc_approve", ACT_EXC_APPROVE },
	{ "fixit_exc_deny", ACT_EXC_DENY },
	{ "fixit_not_mine", ACT_NOT_MINE },
	{ "fixit_false_positive", ACT_FALSE_POSITIVE },
};

/* 0 when the click is one fixitd knows (st->click filled), else -1 */
static int
parse_block_action(struct action_state *st)
{
	const struct slack_interaction *si = &st->si;
	size_t i, n = sizeof(action_ids) / sizeof(action_ids[0]);

	if (si->action_id == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(si->action_id, action_ids[i].id) == 0)
			break;
	if (i == n)
		return -1;
	if (si->action_value == NULL ||
	    fx_strtoll(si->action_value, 1, INT64_MAX, &st->click.target_id) !=
		FX_OK)
		return -1;
	st->click.action = action_ids[i].act;
	st->click.user_id = si->user_id;
	st->click.trigger_id = si->trigger_id;
	st->click.channel_id = si->channel_id;
	st->click.message_ts = si->message_ts;
	/*
	 * A click in the App Home has no channel: sm_click tells an owner in
	 * the finding's channel, an admin (Approve / Deny) in theirs.
	 */
	if (si->from_home && (st->click.action == ACT_EXC_APPROVE ||
				 st->click.action == ACT_EXC_DENY))
		st->click.channel_id = st->pol->admin_channel;
	return 0;
}

/*
 * A click: a known one goes to the state machine; an unknown one gets
 * a notice when there is a channel to post it in (a button in a modal
 * or App Home has none), else just the 200.
 */
static void
block_action(struct app *a, struct http_request *r, struct action_state **stp,
    struct http_reply *rp)
{
	struct action_state *st = *stp;

	if (parse_block_action(st) == 0) {
		http_defer(r, click_job_run, st, click_finish,
		    action_state_free);
		*stp = NULL;
		return;
	}
	h_slack_reject(a, REJ_PAYLOAD, "/slack/actions");
	if (st->si.channel_id == NULL || *st->si.channel_id == '\0') {
		http_reply_empty(rp, 200);
		return;
	}
	http_defer(r, notice_job_run, st, notice_finish, action_state_free);
	*stp = NULL;
}

/* a channel id or message ts from our own metadata: [A-Za-z0-9.] */
static int
slack_ref_ok(const char *s)
{
	size_t n = s != NULL ? strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "abcdefghijklmnopqrstuvwxyz"
					 "0123456789.")
			     : 0;

	return s != NULL && n > 0 && n <= 64 && s[n] == '\0';
}

/* the deny modal's metadata and reason into st->deny; 0 when valid */
static int
parse_deny(struct action_state *st, json_t *meta)
{
	const char *ch = NULL, *ts = NULL;
	json_int_t eid = 0;

	if (json_unpack(meta, "{s:I,s?s,s?s}", "e", &eid, "c", &ch, "t", &ts) !=
		0 ||
	    eid <= 0 || (ch != NULL && !slack_ref_ok(ch)) ||
	    (ts != NULL && !slack_ref_ok(ts)))
		return -1;
	st->deny.exception_id = eid;
	st->deny.user_id = st->si.user_id;
	st->deny.reason = st->si.reason;
	st->deny.channel_id = ch;
	st->deny.message_ts = ts;
	return 0;
}

/*
 * 0 when the submission is valid (st->exc or st->deny filled), else the
 * reply is set: empty for a view fixitd did not open (Slack then closes
 * it), a field error on fixitd's own modal.
 */
static int
parse_view_submission(struct app *a, struct action_state *st,
    struct http_reply *rp)
{
	const struct slack_interaction *si = &st->si;
	int deny = strcmp(si->callback_id, "fixit_deny") == 0;
	const char *k = NULL;
	json_int_t fid = 0;

	if (!deny && strcmp(si->callback_id, "fixit_exception") != 0) {
		h_slack_reject(a, REJ_PAYLOAD, "/slack/actions");
		http_reply_empty(rp, 200);
		return -1;
	}
	if (si->private_metadata != NULL)
		st->meta = json_loads(si->private_metadata, 0, NULL);
	if (deny ? st->meta == NULL || parse_deny(st, st->meta) != 0
		 : st->meta == NULL ||
		       json_unpack(st->meta, "{s:I,s:s}", "f", &fid, "k", &k) !=
			   0 ||
		       fid <= 0 ||
		       (strcmp(k, "1m") != 0 && strcmp(k, "1y") != 0)) {
		h_slack_reject(a, REJ_PAYLOAD, "/slack/actions");
		modal_error(rp, slack_notice_text(SN_UNREADABLE));
		return -1;
	}
	if (si->reason == NULL ||
	    si->reason[strspn(si->reason, " \t\r\n")] == '\0') {
		modal_error(rp, deny ? "Please give a reason."
				     : "Please give a justification.");
		return -1;
	}
	if (deny)
		return 0;
	st->exc.finding_id = fid;
	st->exc.kind = strcmp(k, "1y") == 0 ? EXC_1Y : EXC_1M;
	st->exc.user_id = si->user_id;
	st->exc.reason = si->reason;
	return 0;
}

void
h_slack_actions(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct action_state *st = NULL;
	struct buf payload = BUF_INIT, err = BUF_INIT;
	const char *body;
	size_t len;
	fx_err rc;

	if (!h_slack_verified(a, r, rp, "/slack/actions", FORM))
		return;
	buf_init(&payload, FX_MAX_SLACK_BODY);
	buf_init(&err, 512);
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		h_slack_unrecorded(rp, NULL);
		goto out;
	}
	st->pol = a->cfg->policy;
	st->now = fx_now();
	body = http_req_body(r, &len);
	rc = slack_form_get(body, len, "payload", &payload);
	if (rc == FX_OK)
		rc = slack_interaction_parse(buf_str(&payload), payload.len,
		    &st->si, &err);
	if (rc == FX_ENOMEM) {
		h_slack_unrecorded(rp, NULL);
		goto out;
	}
	if (rc != FX_OK) {
		/*
		 * Signed by Slack, yet unreadable: nobody to tell (the user
		 * is in the payload). Slack reads this body only for a
		 * view_submission, and shows it under the reason field of
		 * fixitd's modal; it ignores it for every other type.
		 */
		h_slack_reject(a, REJ_PAYLOAD, "/slack/actions");
		log_debug("%s: unreadable payload: %s", __func__,
		    err.len ? buf_str(&err) : fx_strerror(rc));
		modal_error(rp, slack_notice_text(SN_UNREADABLE));
		goto out;
	}
	if (st->si.type == SI_BLOCK_ACTIONS) {
		block_action(a, r, &st, rp);
	} else if (st->si.type == SI_VIEW_SUBMISSION) {
		if (h_owner_submission(a, r, &st->si, rp)) {
			/* the owner's own forms: h_owner.c */
		} else if (parse_view_submission(a, st, rp) == 0) {
			http_defer(r, exc_job_run, st, exc_finish,
			    action_state_free);
			st = NULL;
		}
	} else {
		http_reply_empty(rp, 200); /* view_closed and the like */
	}
out:
	action_state_free(st);
	buf_release(&payload);
	buf_release(&err);
}

/*
 * Slack's probe when a slash command's URL is saved: "ssl_check=1" and a
 * token, no command. Slack's own SDKs answer it before the signature
 * check; it asks for nothing, so it gets an empty 200 either way.
 */
static int
is_ssl_check(const char *body, size_t len)
{
	struct buf v = BUF_INIT;
	int yes = 0;

	buf_init(&v, 16);
	if (slack_form_get(body, len, "ssl_check", &v) == FX_OK &&
	    strcmp(buf_str(&v), "1") == 0 &&
	    slack_form_get(body, len, "command", &v) == FX_ENOTFOUND)
		yes = 1;
	buf_release(&v);
	return yes;
}

/* the command is not ours: answered at once, nothing runs */
static fx_err
other_command(struct app *a, const struct slack_command *sc, struct buf *reply)
{
	h_slack_reject(a, REJ_COMMAND, "/slack/commands");
	return slack_notice_command(a->cfg->slack_command, sc->command, reply);
}

static void
ephemeral(struct http_reply *rp, const char *text, json_t *blocks)
{
	http_reply_json(rp, 200,
	    json_pack("{s:s,s:s,s:O*}", "response_type", "ephemeral", "text",
		text, "blocks", blocks));
}

/* the command ran (rc FX_OK), missed the deadline, or was not queued */
static void
command_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct cmdq_job *j = state;

	if (rc == FX_OK)
		ephemeral(rp, cmdq_job_text(j), cmdq_job_blocks(j));
	else if (rc == FX_ETIMEOUT)
		ephemeral(rp,
		    slack_notice_text(cmdq_job_can_follow(a, j)
					  ? SN_COMMAND_WORKING
					  : SN_COMMAND_NO_FOLLOW),
		    NULL);
	else if (rc == FX_ETOOBIG) {
		metrics_followup(a->metrics, FU_BUSY);
		ephemeral(rp, slack_notice_text(SN_COMMAND_BUSY), NULL);
	} else
		h_slack_unrecorded(rp, NULL);
}

void
h_slack_commands(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct slack_command sc;
	struct buf err = BUF_INIT, reply = BUF_INIT;
	struct cmdq_job *job;
	const char *body;
	size_t len;
	fx_err rc;

	memset(&sc, 0, sizeof(sc));
	body = http_req_body(r, &len);
	if (is_ssl_check(body, len)) {
		http_reply_empty(rp, 200);
		return;
	}
	if (!h_slack_verified(a, r, rp, "/slack/commands", FORM))
		return;
	buf_init(&err, 512);
	buf_init(&reply, 8192);
	rc = slack_command_parse(body, len, &sc, &err);
	if (rc == FX_OK && strcmp(sc.command, a->cfg->slack_command) == 0) {
		/* runs on a worker, answered by the deadline (cmdq.h) */
		if ((job = cmdq_job_new(&sc)) == NULL)
			h_slack_unrecorded(rp, NULL);
		else
			http_defer_work(r, cmdq_submit, job, command_finish,
			    cmdq_job_release);
		goto out;
	}
	if (rc == FX_OK)
		rc = other_command(a, &sc, &reply);
	else if (rc != FX_ENOMEM) {
		h_slack_reject(a, REJ_PAYLOAD, "/slack/commands");
		log_debug("%s: unreadable command: %s", __func__,
		    err.len ? buf_str(&err) : fx_strerror(rc));
		rc = buf_adds(&reply, slack_notice_text(SN_UNREADABLE));
	}
	if (rc != FX_OK) {
		h_slack_unrecorded(rp, NULL);
		goto out;
	}
	ephemeral(rp, buf_str(&reply), NULL);
out:
	slack_command_release(&sc);
	buf_release(&err);
	buf_release(&reply);
}
