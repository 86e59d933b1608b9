/*
 * slack_approval.c - the cards of a decided exception request (see
 * slack_approval.h). Built on slack_blocks' cards: a block is replaced or
 * added, nothing else of them is repeated here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fxlimits.h"
#include "slack_approval.h"
#include "banned.h"

#define LIM_META 3000 /* a view's private_metadata */
#define LIM_LINE 2900 /* what of decision_text is kept, in bytes */
#define LIM_NAME 300  /* of the title in the modal, in bytes */

static json_t *
text_obj(const char *type, const char *text)
{
	return json_pack("{s:s,s:s}", "type", type, "text", text);
}

/* the length of s cut to at most max bytes at a character boundary */
static size_t
cut_len(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/*
 * A "context" or "section" block of mrkdwn text cut at a character
 * boundary ("Decided." when there is none); NULL when out of memory.
 */
static json_t *
text_block(const char *type, const char *text)
{
	struct buf t = BUF_INIT;
	json_t *j = NULL;

	if (text == NULL || *text == '\0')
		text = "Decided.";
	if (buf_add(&t, text, cut_len(text, LIM_LINE)) != FX_OK)
		goto out;
	if (strcmp(type, "context") == 0)
		j = json_pack("{s:s,s:[o]}", "type", type, "elements",
		    text_obj("mrkdwn", buf_str(&t)));
	else
		j = json_pack("{s:s,s:o}", "type", type, "text",
		    text_obj("mrkdwn", buf_str(&t)));
out:
	buf_release(&t);
	return j;
}

static json_t *
context_block(const char *text)
{
	return text_block("context", text);
}

/* the last block of msg, when it is an actions block, replaced by blk
 * (stolen), or blk inserted before it (keep); 0 on success */
static int
put_before_actions(json_t *msg, json_t *blk, int keep)
{
	json_t *blocks = json_object_get(msg, "blocks");
	size_t n = json_array_size(blocks);
	const char *type;

	if (blk == NULL || n == 0) {
		json_decref(blk);
		return -1;
	}
	type = json_string_value(
	    json_object_get(json_array_get(blocks, n - 1), "type"));
	if (type == NULL || strcmp(type, "actions") != 0)
		return json_array_append_new(blocks, blk);
	if (keep)
		return json_array_insert_new(blocks, n - 1, blk);
	return json_array_set_new(blocks, n - 1, blk);
}

json_t *
slack_blocks_approval_decided(const struct slack_finding_view *v,
    int64_t exception_id, const char *requester, const char *reason, int kind,
    const char *decision_text)
{
	json_t *msg =
	    slack_blocks_approval(v, exception_id, requester, reason, kind);

	if (msg != NULL &&
	    put_before_actions(msg, context_block(decision_text), 0) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	return msg;
}

json_t *
slack_blocks_approval_nudge(const struct slack_finding_view *v,
    int64_t exception_id, const char *requester, const char *reason, int kind,
    const char *text, int full)
{
	json_t *msg;

	if (full)
		msg = slack_blocks_approval(v, exception_id, requester, reason,
		    kind);
	else
		msg = json_pack("{s:s,s:[o]}", "text", "fixit: a request waits",
		    "blocks", slack_blocks_approval_actions(exception_id));
	if (msg != NULL && json_array_insert_new(json_object_get(msg, "blocks"),
			       0, text_block("section", text)) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	return msg;
}

json_t *
slack_blocks_decision_ask(const struct slack_finding_view *v,
    const char *decision_text)
{
	json_t *msg = slack_blocks_finding(v);

	if (msg != NULL &&
	    put_before_actions(msg, context_block(decision_text), 1) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	return msg;
}

/* the private_metadata: {"e":id, opt "c","t"}; NULL when it is too long */
static char *
deny_meta(int64_t exception_id, const char *channel, const char *ts)
{
	json_t *m;
	char *s = NULL;

	m = json_pack("{s:I}", "e", (json_int_t)exception_id);
	if (m == NULL)
		return NULL;
	if (channel != NULL && *channel != '\0' && ts != NULL && *ts != '\0' &&
	    (json_object_set_new(m, "c", json_string(channel)) != 0 ||
		json_object_set_new(m, "t", json_string(ts)) != 0))
		goto out;
	s = json_dumps(m, JSON_COMPACT);
	if (s != NULL && strlen(s) > LIM_META) {
		free(s);
		s = NULL;
	}
out:
	json_decref(m);
	return s;
}

json_t *
slack_blocks_deny_modal(const struct slack_finding_view *v,
    int64_t exception_id, const char *channel, const char *ts)
{
	struct buf t = BUF_INIT, name = BUF_INIT;
	const char *title = v != NULL && v->title != NULL ? v->title : "";
	json_t *view = NULL, *input;
	char *meta;

	if (v == NULL || exception_id <= 0)
		return NULL;
	meta = deny_meta(exception_id, channel, ts);
	if (meta == NULL)
		return NULL;
	if (buf_add(&name, title, cut_len(title, LIM_NAME)) != FX_OK ||
	    buf_addf(&t,
		"Deny exception request #%" PRId64 " for finding #%" PRId64
		": *",
		exception_id, v->id) != FX_OK ||
	    slack_blocks_escape(name.len ? buf_str(&name) : "", &t) != FX_OK ||
	    buf_adds(&t, "*\nThe owner is told who denied it and why, and "
			 "gets their options back.") != FX_OK)
		goto out;
	input = json_pack("{s:s,s:s,s:o,s:{s:s,s:s,s:b,s:i}}", "type", "input",
	    "block_id", "reason", "label", text_obj("plain_text", "Reason"),
	    "element", "type", "plain_text_input", "action_id", "reason",
	    "multiline", 1, "max_length", FX_MAX_REASON);
	if (input == NULL)
		goto out;
	view = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:[{s:s,s:o},o]}", "type",
	    "modal", "callback_id", "fixit_deny", "private_metadata", meta,
	    "title", text_obj("plain_text", "Deny exception"), "submit",
	    text_obj("plain_text", "Deny"), "close",
	    text_obj("plain_text", "Cancel"), "blocks", "type", "section",
	    "text", text_obj("mrkdwn", buf_str(&t)), input);
out:
	free(meta);
	buf_release(&t);
	buf_release(&name);
	return view;
}
