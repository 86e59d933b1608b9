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
		http_reply_error(rp, 401, "slack signing secret not configured");
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
		http_reply_error(rp, 415, "expected "
		    "application/x-www-form-urlencoded");
		return 0;
	}
	return 1;
}

struct click_job {
	const struct policy *pol;
	struct sm_click c;
	int64_t now;
};

static fx_err
click_job_run(struct db *db, void *arg)
{
	struct click_job *j = arg;

	return sm_click(db, j->pol, &j->c, j->now);
}

struct exc_job {
	const struct policy *pol;
	struct sm_exception_req req;
	int64_t now;
	struct buf msg;
};

static fx_err
exc_job_run(struct db *db, void *arg)
{
	struct exc_job *j = arg;

	return sm_exception_submit(db, j->pol, &j->req, j->now, &j->msg);
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

static void
handle_block_action(struct app *a, const struct slack_interaction *si,
    struct http_reply *rp)
{
	struct click_job j;
	size_t i, n = sizeof(action_ids) / sizeof(action_ids[0]);
	fx_err rc;

	memset(&j, 0, sizeof(j));
	for (i = 0; i < n; i++)
		if (si->action_id && strcmp(si->action_id, action_ids[i].id) == 0)
			break;
	if (i == n) {
		http_reply_error(rp, 400, "unknown action_id");
		return;
	}
	if (si->action_value == NULL || fx_strtoll(si->action_value, 1,
	    INT64_MAX, &j.c.target_id) != FX_OK) {
		http_reply_error(rp, 400, "action value must be a positive id");
		return;
	}
	j.pol = a->cfg->policy;
	j.c.action = action_ids[i].act;
	j.c.user_id = si->user_id;
	j.c.trigger_id = si->trigger_id;
	j.c.channel_id = si->channel_id;
	j.c.message_ts = si->message_ts;
	j.now = fx_now();
	rc = dbw_call(a->w, click_job_run, &j);
	if (rc != FX_OK) {
		log_warnx("%s: %s on %lld by %s: %s", __func__, si->action_id,
		    (long long)j.c.target_id, si->user_id, fx_strerror(rc));
		http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
		    "could not record the action");
		return;
	}
	sender_kick(a->sender);
	http_reply_empty(rp, 200);
}

static void
modal_error(struct http_reply *rp, const char *msg)
{
	http_reply_json(rp, 200, json_pack("{s:s,s:{s:s}}", "response_action",
	    "errors", "errors", "reason", msg));
}

static void
handle_view_submission(struct app *a, const struct slack_interaction *si,
    struct http_reply *rp)
{
	struct exc_job j;
	json_t *meta = NULL;
	const char *k = NULL;
	json_int_t fid = 0;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	buf_init(&j.msg, 1024);
	if (si->callback_id == NULL ||
	    strcmp(si->callback_id, "fixit_exception") != 0) {
		http_reply_error(rp, 400, "unknown view callback_id");
		goto out;
	}
	if (si->private_metadata != NULL)
		meta = json_loads(si->private_metadata, 0, NULL);
	if (meta == NULL || json_unpack(meta, "{s:I,s:s}", "f", &fid, "k",
	    &k) != 0 || fid <= 0 || (strcmp(k, "1m") != 0 &&
	    strcmp(k, "1y") != 0)) {
		http_reply_error(rp, 400, "bad private_metadata");
		goto out;
	}
	if (si->reason == NULL || si->reason[strspn(si->reason, " \t\r\n")] ==
	    '\0') {
		modal_error(rp, "Please give a justification.");
		goto out;
	}
	j.pol = a->cfg->policy;
	j.req.finding_id = fid;
	j.req.kind = strcmp(k, "1y") == 0 ? EXC_1Y : EXC_1M;
	j.req.user_id = si->user_id;
	j.req.reason = si->reason;
	j.now = fx_now();
	rc = dbw_call(a->w, exc_job_run, &j);
	if (rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND) {
		modal_error(rp, j.msg.len ? buf_str(&j.msg) :
		    "This exception cannot be recorded.");
		goto out;
	}
	if (rc != FX_OK) {
		log_warnx("%s: exception on %lld by %s: %s", __func__,
		    (long long)fid, si->user_id, fx_strerror(rc));
		http_reply_error(rp, rc == FX_ESTOPPED ? 503 : 500,
		    "could not record the exception");
		goto out;
	}
	sender_kick(a->sender);
	http_reply_empty(rp, 200);
out:
	json_decref(meta);
	buf_release(&j.msg);
}

void
h_slack_actions(struct app *a, struct http_request *r, struct http_reply *rp)
{
	struct slack_interaction si;
	struct buf payload = BUF_INIT, err = BUF_INIT;
	const char *body;
	size_t len;
	fx_err rc;

	memset(&si, 0, sizeof(si));
	if (!slack_verified(a, r, rp))
		return;
	buf_init(&payload, FX_MAX_SLACK_BODY);
	buf_init(&err, 512);
	body = http_req_body(r, &len);
	rc = slack_form_get(body, len, "payload", &payload);
	if (rc != FX_OK) {
		http_reply_error(rp, 400, "form field payload: %s",
		    rc == FX_ENOTFOUND ? "missing" : "malformed");
		goto out;
	}
	rc = slack_interaction_parse(buf_str(&payload), payload.len, &si, &err);
	if (rc != FX_OK) {
		http_reply_error(rp, 400, "%s", err.len ? buf_str(&err) :
		    "malformed payload");
		goto out;
	}
	if (si.type == SI_BLOCK_ACTIONS)
		handle_block_action(a, &si, rp);
	else if (si.type == SI_VIEW_SUBMISSION)
		handle_view_submission(a, &si, rp);
	else
		http_reply_empty(rp, 200);	/* view_closed and the like */
out:
	slack_interaction_release(&si);
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
		http_reply_error(rp, 400, "%s", err.len ? buf_str(&err) :
		    "malformed command");
		goto out;
	}
	rc = cmd_run(a->w, a->cfg->policy, sc.user_id,
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
	http_reply_json(rp, 200, json_pack("{s:s,s:s}", "response_type",
	    "ephemeral", "text", buf_str(&reply)));
out:
	slack_command_release(&sc);
	buf_release(&err);
	buf_release(&reply);
}
