/*
 * h_slack.c - POST /slack/actions and POST /slack/commands.
 *
 * Order is fixed: body size (http.c) -> signature over the raw bytes ->
 * content type -> form -> payload -> decision, handed to the writer.
 * Answers go back within Slack's 3 seconds; messages to Slack are outbox
 * rows that the sender thread delivers.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "http.h"
#include "sender.h"
#include "slack_form.h"
#include "slack_payload.h"
#include "slack_sig.h"
#include "sm.h"
#include "banned.h"

/* 1 when the request carries a valid Slack v0 signature */
static int
slack_verified(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const char *body;
	size_t len;

	if (a->cfg->signing_secret == NULL) {
		http_reply_error(rp, 401,
		    "slack signing secret not configured");
		return 0;
	}
	if (http_req_header_count(r, "X-Slack-Signature") != 1 ||
	    http_req_header_count(r, "X-Slack-Request-Timestamp") != 1) {
		http_reply_error(rp, 401, "invalid slack signature");
		return 0;
	}
	body = http_req_body(r, &len);
	if (slack_sig_verify(a->cfg->signing_secret,
		http_req_header(r, "X-Slack-Request-Timestamp"),
		http_req_header(r, "X-Slack-Signature"), body, len,
		fx_now()) != FX_OK) {
		http_reply_error(rp, 401, "invalid slack signature");
		return 0;
	}
	if (!http_req_ctype_is(r, "application/x-www-form-urlencoded")) {
		http_reply_error(rp, 415,
		    "expected "
		    "application/x-www-form-urlencoded");
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
	struct buf msg; /* refusal sentence for the modal */
};

static void
action_state_free(void *p)
{
	struct action_state *st = p;

	if (st == NULL)
		return;
	slack_interaction_release(&st->si);
	buf_release(&st->msg);
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

	return sm_exception_submit(db, st->pol, &st->exc, st->now, &st->msg);
}

static void
store_failed(struct http_reply *rp, fx_err rc, const char *what)
{
	http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
	    "could not record the %s", what);
}

static void
click_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct action_state *st = state;

	if (rc != FX_OK) {
		log_warnx("%s: %s on %lld by %s: %s", __func__,
		    st->si.action_id, (long long)st->click.target_id,
		    st->si.user_id, fx_strerror(rc));
		store_failed(rp, rc, "action");
		return;
	}
	sender_kick(a->sender);
	http_reply_empty(rp, 200);
}

static void
modal_error(struct http_reply *rp, const char *msg)
{
	http_reply_json(rp, 200,
	    json_pack("{s:s,s:{s:s}}", "response_action", "errors", "errors",
		"reason", msg));
}

static void
exc_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct action_state *st = state;

	if (rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND ||
	    rc == FX_EINVAL) {
		modal_error(rp, st->msg.len
				    ? buf_str(&st->msg)
				    : "This exception cannot be recorded.");
		return;
	}
	if (rc != FX_OK) {
		log_warnx("%s: exception on %lld by %s: %s", __func__,
		    (long long)st->exc.finding_id, st->si.user_id,
		    fx_strerror(rc));
		store_failed(rp, rc, "exception");
		return;
	}
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
};

/* 0 when the click is valid (st->click filled), else the reply is set */
static int
parse_block_action(struct action_state *st, struct http_reply *rp)
{
	const struct slack_interaction *si = &st->si;
	size_t i, n = sizeof(action_ids) / sizeof(action_ids[0]);

	for (i = 0; i < n; i++)
		if (si->action_id &&
		    strcmp(si->action_id, action_ids[i].id) == 0)
			break;
	if (i == n) {
		http_reply_error(rp, 400, "unknown action_id");
		return -1;
	}
	if (si->action_value == NULL ||
	    fx_strtoll(si->action_value, 1, INT64_MAX, &st->click.target_id) !=
		FX_OK) {
		http_reply_error(rp, 400, "action value must be a positive id");
		return -1;
	}
	st->click.action = action_ids[i].act;
	st->click.user_id = si->user_id;
	st->click.trigger_id = si->trigger_id;
	st->click.channel_id = si->channel_id;
	st->click.message_ts = si->message_ts;
	return 0;
}

/* 0 when the submission is valid (st->exc filled), else the reply is set */
static int
parse_view_submission(struct action_state *st, struct http_reply *rp)
{
	const struct slack_interaction *si = &st->si;
	json_t *meta = NULL;
	const char *k = NULL;
	json_int_t fid = 0;
	int ret = -1;

	if (si->callback_id == NULL ||
	    strcmp(si->callback_id, "fixit_exception") != 0) {
		http_reply_error(rp, 400, "unknown view callback_id");
		goto out;
	}
	if (si->private_metadata != NULL)
		meta = json_loads(si->private_metadata, 0, NULL);
	if (meta == NULL ||
	    json_unpack(meta, "{s:I,s:s}", "f", &fid, "k", &k) != 0 ||
	    fid <= 0 || (strcmp(k, "1m") != 0 && strcmp(k, "1y") != 0)) {
		http_reply_error(rp, 400, "bad private_metadata");
		goto out;
	}
	if (si->reason == NULL ||
	    si->reason[strspn(si->reason, " \t\r\n")] == '\0') {
		modal_error(rp, "Please give a justification.");
		goto out;
	}
	st->exc.finding_id = fid;
	st->exc.kind = strcmp(k, "1y") == 0 ? EXC_1Y : EXC_1M;
	st->exc.user_id = si->user_id;
	st->exc.reason = si->reason;
	ret = 0;
out:
	json_decref(meta);
	return ret;
}

void
h_slack_actions(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct action_state *st = NULL;
	struct buf payload = BUF_INIT, err = BUF_INIT;
	const char *body;
	size_t len;
	fx_err rc;

	if (!slack_verified(a, r, rp))
		return;
	buf_init(&payload, FX_MAX_SLACK_BODY);
	buf_init(&err, 512);
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		http_reply_error(rp, 500, "out of memory");
		goto out;
	}
	buf_init(&st->msg, 1024);
	st->pol = a->cfg->policy;
	st->now = fx_now();
	body = http_req_body(r, &len);
	rc = slack_form_get(body, len, "payload", &payload);
	if (rc != FX_OK) {
		http_reply_error(rp, 400, "form field payload: %s",
		    rc == FX_ENOTFOUND ? "missing" : "malformed");
		goto out;
	}
	rc = slack_interaction_parse(buf_str(&payload), payload.len, &st->si,
	    &err);
	if (rc != FX_OK) {
		http_reply_error(rp, 400, "%s",
		    err.len ? buf_str(&err) : "malformed payload");
		goto out;
	}
	if (st->si.type == SI_BLOCK_ACTIONS) {
		if (parse_block_action(st, rp) == 0) {
			http_defer(r, click_job_run, st, click_finish,
			    action_state_free);
			st = NULL;
		}
	} else if (st->si.type == SI_VIEW_SUBMISSION) {
		if (parse_view_submission(st, rp) == 0) {
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

void
h_slack_commands(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct slack_command sc;
	struct buf err = BUF_INIT, reply = BUF_INIT;
	const char *body;
	size_t len;
	fx_err rc;

	memset(&sc, 0, sizeof(sc));
	if (!slack_verified(a, r, rp))
		return;
	buf_init(&err, 512);
	buf_init(&reply, 8192);
	body = http_req_body(r, &len);
	rc = slack_command_parse(body, len, &sc, &err);
	if (rc != FX_OK) {
		http_reply_error(rp, 400, "%s",
		    err.len ? buf_str(&err) : "malformed command");
		goto out;
	}
	rc = cmd_run(a->w, a->cfg->policy, a->scan, sc.user_id,
	    sc.text ? sc.text : "", fx_now(), &reply);
	if (rc != FX_OK) {
		log_warnx("%s: /fixit %s by %s: %s", __func__,
		    sc.text ? sc.text : "", sc.user_id, fx_strerror(rc));
		buf_reset(&reply);
		if (buf_adds(&reply, "fixit could not run that command; "
				     "see its log.") != FX_OK)
			goto out;
	}
	sender_kick(a->sender);
	http_reply_json(rp, 200,
	    json_pack("{s:s,s:s}", "response_type", "ephemeral", "text",
		buf_str(&reply)));
out:
	slack_command_release(&sc);
	buf_release(&err);
	buf_release(&reply);
}
