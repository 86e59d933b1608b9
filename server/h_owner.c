/*
 * h_owner.c - the view submissions of the owner's own forms (Not mine,
 * False positive; slack/slack_owner.h): read here, decided on the
 * writer by remediation/sm_owner.c, a refusal shown under the form's
 * field (response_action "errors"), every answer a 200.
 */
#include <stdlib.h>
#include <string.h>

#include "fxlog.h"
#include "fxtime.h"
#include "home.h"
#include "http.h"
#include "sender.h"
#include "slack_notice.h"
#include "slack_owner.h"
#include "slack_payload.h"
#include "slack_say.h"
#include "sm.h"
#include "banned.h"

struct owner_state {
	struct slack_interaction si;
	const struct policy *pol;
	int64_t now;
	int reassign; /* else false positive */
	struct sm_reassign_req ra;
	struct sm_fp_req fp;
	json_t *why; /* the refusal's fact */
};

static void
owner_state_free(void *p)
{
	struct owner_state *st = p;

	if (st == NULL)
		return;
	slack_interaction_release(&st->si);
	json_decref(st->why);
	free(st);
}

static fx_err
owner_job(struct db *db, void *arg)
{
	struct owner_state *st = arg;

	if (st->reassign)
		return sm_reassign(db, st->pol, &st->ra, st->now, &st->why);
	return sm_false_positive(db, st->pol, &st->fp, st->now, &st->why);
}

/* text under the input block of the form */
static void
field_error(struct http_reply *rp, const char *block, const char *text)
{
	http_reply_json(rp, 200,
	    json_pack("{s:s,s:{s:s}}", "response_action", "errors", "errors",
		block, text));
}

/* the block a refusal is shown under: the note's, or the form's main */
static const char *
error_block(const struct owner_state *st)
{
	const char *code = json_string_value(json_object_get(st->why, "say"));

	if (!st->reassign)
		return "reason";
	return code != NULL && strcmp(code, "reason_needed") == 0 ? "reason"
								  : "owner";
}

static void
owner_finish(struct app *a, void *state, fx_err rc, struct http_reply *rp)
{
	struct owner_state *st = state;
	struct buf text = BUF_INIT;

	if (rc == FX_EPERM || rc == FX_ECONFLICT || rc == FX_ENOTFOUND ||
	    rc == FX_EINVAL) {
		buf_init(&text, 4096);
		if (slack_say_plain(st->why, NULL, &text) != FX_OK)
			buf_reset(&text);
		field_error(rp, error_block(st),
		    text.len ? buf_str(&text)
			     : slack_notice_text(SN_UNREADABLE));
		buf_release(&text);
		return;
	}
	if (rc != FX_OK) {
		log_warnx("%s: %s on %lld by %s: %s", __func__,
		    st->si.callback_id,
		    (long long)(st->reassign ? st->ra.finding_id
					     : st->fp.finding_id),
		    st->si.user_id, fx_strerror(rc));
		h_slack_unrecorded(rp, st->reassign ? "owner" : "reason");
		return;
	}
	sender_kick(a->sender);
	/*
	 * The finding left the submitter's App Home (if they keep it
	 * open): nothing delivered later is about them; the new owner's
	 * is refreshed when their message is delivered.
	 */
	if (st->reassign)
		home_changed(a->home, st->si.user_id, 0);
	http_reply_empty(rp, 200);
}

/* the finding id of private_metadata {"f": id}, 0 when unreadable */
static int64_t
meta_finding(const char *meta)
{
	json_t *j = meta ? json_loads(meta, 0, NULL) : NULL;
	json_int_t fid = 0;

	if (j == NULL || json_unpack(j, "{s:I}", "f", &fid) != 0 || fid < 0)
		fid = 0;
	json_decref(j);
	return fid;
}

int
h_owner_submission(struct app *a, struct http_request *r,
    struct slack_interaction *si, struct http_reply *rp)
{
	struct owner_state *st;
	int reassign;
	int64_t fid;

	if (si->callback_id == NULL)
		return 0;
	reassign = strcmp(si->callback_id, SLACK_OWNER_CB_REASSIGN) == 0;
	if (!reassign && strcmp(si->callback_id, SLACK_OWNER_CB_FP) != 0)
		return 0;
	fid = meta_finding(si->private_metadata);
	if (fid <= 0) {
		h_slack_reject(a, REJ_PAYLOAD, "/slack/actions");
		field_error(rp, reassign ? "owner" : "reason",
		    slack_notice_text(SN_UNREADABLE));
		return 1;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		h_slack_unrecorded(rp, reassign ? "owner" : "reason");
		return 1;
	}
	st->si = *si; /* the strings move to st */
	memset(si, 0, sizeof(*si));
	st->pol = a->cfg->policy;
	st->now = fx_now();
	st->reassign = reassign;
	st->ra.finding_id = st->fp.finding_id = fid;
	st->ra.user_id = st->fp.user_id = st->si.user_id;
	st->ra.new_owner = st->si.selected_user;
	st->ra.note = st->si.reason;
	st->fp.reason = st->si.reason;
	http_defer(r, owner_job, st, owner_finish, owner_state_free);
	return 1;
}

/* a label value Prometheus reads as it is: no quote, backslash, newline */
static int
label_ok(const char *s)
{
	return s[strcspn(s, "\"\\\n")] == '\0';
}

fx_err
h_owner_metrics(const json_t *fp, struct buf *out)
{
	const char *pb;
	json_t *n;
	fx_err rc;

	rc = buf_adds(out, "# HELP fixit_false_positives False positives "
			   "admins approved, by playbook.\n# TYPE "
			   "fixit_false_positives gauge\n");
	json_object_foreach((json_t *)fp, pb, n) {
		if (rc == FX_OK && label_ok(pb))
			rc = buf_addf(out,
			    "fixit_false_positives{playbook=\"%s\"} %lld\n", pb,
			    (long long)json_integer_value(n));
	}
	return rc;
}
