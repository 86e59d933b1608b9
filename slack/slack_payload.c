/*
 * slack_payload.c - interactivity payloads and slash command forms
 * (see slack_payload.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fxlimits.h"
#include "slack_form.h"
#include "slack_payload.h"
#include "banned.h"

/* reset err and write "path: what" into it; returns rc */
static fx_err
pl_fail(struct buf *err, fx_err rc, const char *path, const char *what)
{
	fx_err e;

	if (err != NULL) {
		buf_reset(err);
		e = buf_addf(err, "%s: %s", path, what);
		(void)e;	/* a truncated sentence is still a sentence */
	}
	return rc;
}

/* number of UTF-8 code points in s[0..n) */
static size_t
pl_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/*
 * Member key of parent (parent may be NULL) as an object into *out
 * (borrowed). Absent or null: FX_EINVAL when required, else *out = NULL.
 */
static fx_err
pl_obj(const json_t *parent, const char *key, const char *path,
    int required, json_t **out, struct buf *err)
{
	json_t *v = parent ? json_object_get(parent, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? pl_fail(err, FX_EINVAL, path, "missing") :
		    FX_OK;
	if (!json_is_object(v))
		return pl_fail(err, FX_EINVAL, path, "not an object");
	*out = v;
	return FX_OK;
}

/*
 * Member key of parent as a new heap string into *out, at most max
 * bytes and (max_chars > 0) max_chars code points. Absent or null:
 * FX_EINVAL when required, else *out = NULL. Required strings must not
 * be empty.
 */
static fx_err
pl_str(const json_t *parent, const char *key, const char *path,
    int required, size_t max, size_t max_chars, char **out,
    struct buf *err)
{
	json_t *v = parent ? json_object_get(parent, key) : NULL;
	const char *s;
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? pl_fail(err, FX_EINVAL, path, "missing") :
		    FX_OK;
	if (!json_is_string(v))
		return pl_fail(err, FX_EINVAL, path, "not a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (required && n == 0)
		return pl_fail(err, FX_EINVAL, path, "empty");
	if (n > max || (max_chars > 0 && pl_chars(s, n) > max_chars))
		return pl_fail(err, FX_ETOOBIG, path, "too long");
	if ((*out = malloc(n + 1)) == NULL)
		return pl_fail(err, FX_ENOMEM, path, "out of memory");
	memcpy(*out, s, n + 1);
	return FX_OK;
}

static fx_err
pl_block_actions(const json_t *root, struct slack_interaction *out,
    struct buf *err)
{
	json_t *actions, *act, *cont = NULL, *chan = NULL, *msg = NULL;
	fx_err rc;

	actions = json_object_get(root, "actions");
	if (actions == NULL || json_is_null(actions))
		return pl_fail(err, FX_EINVAL, "payload.actions", "missing");
	if (!json_is_array(actions))
		return pl_fail(err, FX_EINVAL, "payload.actions",
		    "not an array");
	if (json_array_size(actions) == 0)
		return pl_fail(err, FX_EINVAL, "payload.actions", "empty");
	act = json_array_get(actions, 0);
	if (!json_is_object(act))
		return pl_fail(err, FX_EINVAL, "payload.actions[0]",
		    "not an object");
	if ((rc = pl_str(act, "action_id", "payload.actions[0].action_id", 1,
	    FX_MAX_FIELD, 0, &out->action_id, err)) != FX_OK ||
	    (rc = pl_str(act, "value", "payload.actions[0].value", 0,
	    FX_MAX_FIELD, 0, &out->action_value, err)) != FX_OK ||
	    (rc = pl_obj(root, "container", "payload.container", 0, &cont,
	    err)) != FX_OK ||
	    (rc = pl_obj(root, "channel", "payload.channel", 0, &chan,
	    err)) != FX_OK ||
	    (rc = pl_obj(root, "message", "payload.message", 0, &msg,
	    err)) != FX_OK ||
	    (rc = pl_str(cont, "channel_id", "payload.container.channel_id",
	    0, FX_MAX_FIELD, 0, &out->channel_id, err)) != FX_OK ||
	    (rc = pl_str(cont, "message_ts", "payload.container.message_ts",
	    0, FX_MAX_FIELD, 0, &out->message_ts, err)) != FX_OK)
		return rc;
	if (out->channel_id == NULL && (rc = pl_str(chan, "id",
	    "payload.channel.id", 0, FX_MAX_FIELD, 0, &out->channel_id,
	    err)) != FX_OK)
		return rc;
	if (out->message_ts == NULL && (rc = pl_str(msg, "ts",
	    "payload.message.ts", 0, FX_MAX_FIELD, 0, &out->message_ts,
	    err)) != FX_OK)
		return rc;
	return FX_OK;
}

static fx_err
pl_view_submission(const json_t *root, struct slack_interaction *out,
    struct buf *err)
{
	json_t *view, *state, *values, *blk, *input;
	fx_err rc;

	if ((rc = pl_obj(root, "view", "payload.view", 1, &view, err)) !=
	    FX_OK ||
	    (rc = pl_str(view, "callback_id", "payload.view.callback_id", 1,
	    FX_MAX_FIELD, 0, &out->callback_id, err)) != FX_OK ||
	    (rc = pl_str(view, "private_metadata",
	    "payload.view.private_metadata", 0, FX_MAX_FIELD, 0,
	    &out->private_metadata, err)) != FX_OK ||
	    (rc = pl_obj(view, "state", "payload.view.state", 0, &state,
	    err)) != FX_OK ||
	    (rc = pl_obj(state, "values", "payload.view.state.values", 0,
	    &values, err)) != FX_OK ||
	    (rc = pl_obj(values, "reason", "payload.view.state.values.reason",
	    0, &blk, err)) != FX_OK ||
	    (rc = pl_obj(blk, "reason",
	    "payload.view.state.values.reason.reason", 0, &input, err)) !=
	    FX_OK)
		return rc;
	return pl_str(input, "value",
	    "payload.view.state.values.reason.reason.value", 0,
	    4 * FX_MAX_REASON, FX_MAX_REASON, &out->reason, err);
}

fx_err
slack_interaction_parse(const char *json, size_t len,
    struct slack_interaction *out, struct buf *err)
{
	json_t *root = NULL, *user;
	json_error_t jerr;
	const char *type;
	char what[64];
	fx_err rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		buf_reset(err);
	if (json == NULL) {
		rc = pl_fail(err, FX_EINVAL, "payload", "missing");
		goto out;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(what, sizeof(what), "invalid JSON at line %d column %d",
		    jerr.line, jerr.column);
		rc = pl_fail(err, FX_EINVAL, "payload", what);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = pl_fail(err, FX_EINVAL, "payload", "not a JSON object");
		goto out;
	}
	type = json_string_value(json_object_get(root, "type"));
	if (type == NULL) {
		rc = pl_fail(err, FX_EINVAL, "payload.type",
		    "missing or not a string");
		goto out;
	}
	if ((rc = pl_obj(root, "user", "payload.user", 1, &user, err)) !=
	    FX_OK ||
	    (rc = pl_str(user, "id", "payload.user.id", 1, FX_MAX_FIELD, 0,
	    &out->user_id, err)) != FX_OK ||
	    (rc = pl_str(root, "trigger_id", "payload.trigger_id", 0,
	    FX_MAX_FIELD, 0, &out->trigger_id, err)) != FX_OK)
		goto out;
	if (strcmp(type, "block_actions") == 0) {
		out->type = SI_BLOCK_ACTIONS;
		rc = pl_block_actions(root, out, err);
	} else if (strcmp(type, "view_submission") == 0) {
		out->type = SI_VIEW_SUBMISSION;
		rc = pl_view_submission(root, out, err);
	} else
		out->type = SI_OTHER;
out:
	if (rc != FX_OK)
		slack_interaction_release(out);
	json_decref(root);
	return rc;
}

void
slack_interaction_release(struct slack_interaction *si)
{
	if (si == NULL)
		return;
	free(si->user_id);
	free(si->trigger_id);
	free(si->channel_id);
	free(si->message_ts);
	free(si->action_id);
	free(si->action_value);
	free(si->callback_id);
	free(si->private_metadata);
	free(si->reason);
	memset(si, 0, sizeof(*si));
}

/* one form field of a slash command into *out (heap) */
static fx_err
cmd_field(const char *body, size_t len, const char *key, int required,
    char **out, struct buf *err)
{
	struct buf v;
	fx_err rc;
	char path[64];

	buf_init(&v, FX_MAX_FIELD);
	snprintf(path, sizeof(path), "command.%s", key);
	rc = slack_form_get(body, len, key, &v);
	if (rc == FX_ENOTFOUND && !required) {
		*out = NULL;
		rc = FX_OK;
		goto out;
	}
	if (rc == FX_OK && required && v.len == 0)
		rc = FX_ENOTFOUND;
	switch (rc) {
	case FX_OK:
		if ((*out = buf_detach(&v)) == NULL)
			rc = pl_fail(err, FX_ENOMEM, path, "out of memory");
		break;
	case FX_ENOTFOUND:
		rc = pl_fail(err, FX_EINVAL, path, "missing or empty");
		break;
	case FX_ETOOBIG:
		rc = pl_fail(err, rc, path, "too long");
		break;
	default:
		rc = pl_fail(err, rc, path, "malformed form encoding");
		break;
	}
out:
	buf_release(&v);
	return rc;
}

fx_err
slack_command_parse(const char *body, size_t len, struct slack_command *out,
    struct buf *err)
{
	fx_err rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		buf_reset(err);
	if ((rc = cmd_field(body, len, "user_id", 1, &out->user_id, err)) !=
	    FX_OK ||
	    (rc = cmd_field(body, len, "command", 1, &out->command, err)) !=
	    FX_OK ||
	    (rc = cmd_field(body, len, "text", 0, &out->text, err)) != FX_OK ||
	    (rc = cmd_field(body, len, "channel_id", 0, &out->channel_id,
	    err)) != FX_OK ||
	    (rc = cmd_field(body, len, "response_url", 0, &out->response_url,
	    err)) != FX_OK)
		goto out;
	if (out->text == NULL && (out->text = calloc(1, 1)) == NULL)
		rc = pl_fail(err, FX_ENOMEM, "command.text", "out of memory");
out:
	if (rc != FX_OK)
		slack_command_release(out);
	return rc;
}

void
slack_command_release(struct slack_command *c)
{
	if (c == NULL)
		return;
	free(c->user_id);
	free(c->command);
	free(c->text);
	free(c->channel_id);
	free(c->response_url);
	memset(c, 0, sizeof(*c));
}
