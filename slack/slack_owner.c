/*
 * slack_owner.c - the owner's own steps in Block Kit (see slack_owner.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxlimits.h"
#include "slack_card.h"
#include "slack_owner.h"
#include "slack_say.h"
#include "banned.h"

#define LIM_TITLE  400	/* a title inside a sentence, bytes */
#define LIM_REASON 2000 /* a reason inside a section, bytes */
#define FP_HEADER  "False-positive report"
#define FP_PREFIX  "false positive: " /* remediation/sm.h */

/* s escaped, cut at max bytes (on a character boundary, with an
 * ellipsis) */
static fx_err
put_esc(struct buf *b, const char *s, size_t max)
{
	struct buf cut = BUF_INIT;
	size_t n = s ? strlen(s) : 0;
	fx_err rc;

	if (n <= max)
		return slack_blocks_escape(s ? s : "", b);
	while (n > 0 && n > max)
		n--;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	rc = buf_add(&cut, s, n);
	if (rc == FX_OK)
		rc = buf_adds(&cut, "\xe2\x80\xa6");
	if (rc == FX_OK)
		rc = slack_blocks_escape(buf_str(&cut), b);
	buf_release(&cut);
	return rc;
}

static json_t *
text_obj(const char *type, const char *text)
{
	return json_pack("{s:s,s:s}", "type", type, "text", text);
}

static json_t *
button(const char *label, const char *action_id, int64_t value)
{
	char val[24];

	snprintf(val, sizeof(val), "%" PRId64, value);
	return json_pack("{s:s,s:s,s:o,s:s}", "type", "button", "action_id",
	    action_id, "text", text_obj("plain_text", label), "value", val);
}

fx_err
slack_owner_buttons(const struct slack_finding_view *v, json_t *els)
{
	if (v == NULL || !slack_card_asks(v))
		return FX_OK;
	if (json_array_append_new(els,
		button("Not mine", SLACK_OWNER_NOT_MINE, v->id)) != 0)
		return FX_ENOMEM;
	if (json_array_append_new(els,
		button("False positive", SLACK_OWNER_FP, v->id)) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

int
slack_owner_modal_kind(const char *kind)
{
	return kind != NULL && (strcmp(kind, "reassign") == 0 ||
				   strcmp(kind, "false_positive") == 0);
}

/* "\n*title*\nResource: id", escaped */
static fx_err
put_finding(struct buf *b, const struct slack_finding_view *v)
{
	fx_err rc;

	rc = buf_adds(b, "\n*");
	if (rc == FX_OK)
		rc =
		    put_esc(b, v->title ? v->title : v->resource_id, LIM_TITLE);
	if (rc == FX_OK)
		rc = buf_adds(b, "*\nResource: ");
	if (rc == FX_OK)
		rc = put_esc(b, v->resource_id, LIM_TITLE);
	return rc;
}

/* the note or reason input: block and action "reason" */
static json_t *
reason_input(const char *label, int optional)
{
	return json_pack("{s:s,s:s,s:b,s:o,s:{s:s,s:s,s:b,s:i}}", "type",
	    "input", "block_id", "reason", "optional", optional, "label",
	    text_obj("plain_text", label), "element", "type",
	    "plain_text_input", "action_id", "reason", "multiline", 1,
	    "max_length", FX_MAX_REASON);
}

static json_t *
reassign_blocks(const struct slack_finding_view *v, struct buf *b)
{
	fx_err rc;

	rc = buf_addf(b,
	    "Pass finding #%" PRId64 " to the person who owns it: fixit "
	    "asks them afresh, with a new deadline.",
	    v->id);
	if (rc == FX_OK)
		rc = put_finding(b, v);
	if (rc != FX_OK)
		return NULL;
	return json_pack("[{s:s,s:o},{s:s,s:s,s:o,s:{s:s,s:s,s:o}},o]", "type",
	    "section", "text", text_obj("mrkdwn", buf_str(b)), "type", "input",
	    "block_id", "owner", "label", text_obj("plain_text", "New owner"),
	    "element", "type", "users_select", "action_id", "owner",
	    "placeholder", text_obj("plain_text", "Pick a person"),
	    reason_input("A note for them (optional)", 1));
}

static json_t *
fp_blocks(const struct slack_finding_view *v, struct buf *b)
{
	fx_err rc;

	rc = buf_addf(b,
	    "Report finding #%" PRId64 " as a false positive. A fixit "
	    "admin decides; once approved, fixit leaves it alone as long as "
	    "a 1-year exception, and counts it against its playbook so that "
	    "the playbook can be tuned.",
	    v->id);
	if (rc == FX_OK)
		rc = put_finding(b, v);
	if (rc != FX_OK)
		return NULL;
	return json_pack("[{s:s,s:o},o]", "type", "section", "text",
	    text_obj("mrkdwn", buf_str(b)),
	    reason_input("Why is the finding wrong?", 0));
}

json_t *
slack_owner_modal(const struct slack_finding_view *v, const char *kind)
{
	struct buf b = BUF_INIT;
	int reassign = kind != NULL && strcmp(kind, "reassign") == 0;
	json_t *blocks, *view = NULL;
	char meta[40];

	if (v == NULL || !slack_owner_modal_kind(kind))
		return NULL;
	snprintf(meta, sizeof(meta), "{\"f\":%" PRId64 "}", v->id);
	blocks = reassign ? reassign_blocks(v, &b) : fp_blocks(v, &b);
	if (blocks != NULL)
		view = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "type",
		    "modal", "callback_id",
		    reassign ? SLACK_OWNER_CB_REASSIGN : SLACK_OWNER_CB_FP,
		    "private_metadata", meta, "title",
		    text_obj("plain_text",
			reassign ? "Not mine" : "False positive"),
		    "submit",
		    text_obj("plain_text", reassign ? "Pass it on" : "Report"),
		    "close", text_obj("plain_text", "Cancel"), "blocks",
		    blocks);
	buf_release(&b);
	return view;
}

/* the i-th block of msg of type (from 0), or NULL */
static json_t *
nth_block(json_t *msg, const char *type, int nth)
{
	json_t *blocks = json_object_get(msg, "blocks"), *bl;
	const char *t;
	size_t i;

	json_array_foreach(blocks, i, bl) {
		t = json_string_value(json_object_get(bl, "type"));
		if (t != NULL && strcmp(t, type) == 0 && nth-- == 0)
			return bl;
	}
	return NULL;
}

/* the text object of block bl (if there is one) becomes text */
static int
set_text(json_t *bl, const char *type, const char *text)
{
	if (bl == NULL)
		return 0;
	return json_object_set_new(bl, "text", text_obj(type, text));
}

json_t *
slack_owner_fp_request(json_t *msg, const struct slack_finding_view *v,
    const char *requester, const char *reason)
{
	struct buf who = BUF_INIT, why = BUF_INIT, fb = BUF_INIT;
	const char *title = v ? (v->title ? v->title : v->resource_id) : NULL;
	fx_err rc;
	int bad;

	if (msg == NULL || v == NULL)
		goto fail;
	rc = slack_say_user(requester, &who);
	if (rc == FX_OK)
		rc = buf_addf(&who,
		    " reports finding #%" PRId64 " as a *false "
		    "positive*: *",
		    v->id);
	if (rc == FX_OK)
		rc = put_esc(&who, title, LIM_TITLE);
	if (rc == FX_OK)
		rc = buf_adds(&who, "*");
	if (rc == FX_OK)
		rc = buf_adds(&why, "*Why the finding is wrong*\n");
	/* the row's reason is "false positive: <the owner's words>" */
	if (reason != NULL &&
	    strncmp(reason, FP_PREFIX, strlen(FP_PREFIX)) == 0)
		reason += strlen(FP_PREFIX);
	if (rc == FX_OK)
		rc = put_esc(&why, reason && *reason ? reason : "(none given)",
		    LIM_REASON);
	if (rc == FX_OK)
		rc = buf_adds(&fb, FP_HEADER ": ");
	if (rc == FX_OK)
		rc = put_esc(&fb, title, LIM_TITLE);
	if (rc != FX_OK)
		goto fail;
	bad = set_text(nth_block(msg, "header", 0), "plain_text", FP_HEADER);
	bad |= set_text(nth_block(msg, "section", 0), "mrkdwn", buf_str(&who));
	bad |= set_text(nth_block(msg, "section", 1), "mrkdwn", buf_str(&why));
	bad |= json_object_set_new(msg, "text", json_string(buf_str(&fb)));
	if (bad)
		goto fail;
	buf_release(&who);
	buf_release(&why);
	buf_release(&fb);
	return msg;
fail:
	json_decref(msg);
	buf_release(&who);
	buf_release(&why);
	buf_release(&fb);
	return NULL;
}
