/*
 * slack_payload.c - interactivity payloads and slash command forms
 * (see slack_payload.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "jscan.h"
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
		(void)e; /* a truncated sentence is still a sentence */
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

/* what the parser keeps (slots of jscan) */
enum {
	S_TYPE = 1,
	S_USER,
	S_USER_ID,
	S_TRIGGER,
	S_ACTIONS,
	S_ACT0,
	S_ACT_ID,
	S_ACT_VALUE,
	S_CONT,
	S_CONT_CHAN,
	S_CONT_TS,
	S_CHAN,
	S_CHAN_ID,
	S_MSG,
	S_MSG_TS,
	S_VIEW,
	S_VIEW_CB,
	S_VIEW_META,
	S_STATE,
	S_VALUES,
	S_RBLOCK,
	S_RINPUT,
	S_REASON,
	S_VIEW_TYPE,
	S_OBLOCK,
	S_OINPUT,
	S_OWNER,
	S_COUNT = S_OWNER
};

#define END                                                                    \
	{                                                                      \
		.key = NULL                                                    \
	}
static const struct jscan_field user_f[] = { { .key = "id", .slot = S_USER_ID },
	END };
static const struct jscan_field action_f[] = { { .key = "action_id",
						   .slot = S_ACT_ID },
	{ .key = "value", .slot = S_ACT_VALUE }, END };
static const struct jscan_field container_f[] = { { .key = "channel_id",
						      .slot = S_CONT_CHAN },
	{ .key = "message_ts", .slot = S_CONT_TS }, END };
static const struct jscan_field channel_f[] = {
	{ .key = "id", .slot = S_CHAN_ID }, END
};
static const struct jscan_field message_f[] = {
	{ .key = "ts", .slot = S_MSG_TS }, END
};
static const struct jscan_field input_f[] = {
	{ .key = "value", .slot = S_REASON }, END
};
static const struct jscan_field rblock_f[] = {
	{ .key = "reason", .slot = S_RINPUT, .members = input_f }, END
};
static const struct jscan_field owner_input_f[] = {
	{ .key = "selected_user", .slot = S_OWNER }, END
};
static const struct jscan_field oblock_f[] = {
	{ .key = "owner", .slot = S_OINPUT, .members = owner_input_f }, END
};
static const struct jscan_field values_f[] = {
	{ .key = "reason", .slot = S_RBLOCK, .members = rblock_f },
	{ .key = "owner", .slot = S_OBLOCK, .members = oblock_f }, END
};
static const struct jscan_field state_f[] = {
	{ .key = "values", .slot = S_VALUES, .members = values_f }, END
};
static const struct jscan_field view_f[] = { { .key = "callback_id",
						 .slot = S_VIEW_CB },
	{ .key = "private_metadata", .slot = S_VIEW_META },
	{ .key = "type", .slot = S_VIEW_TYPE },
	{ .key = "state", .slot = S_STATE, .members = state_f }, END };
static const struct jscan_field root_f[] = { { .key = "type", .slot = S_TYPE },
	{ .key = "user", .slot = S_USER, .members = user_f },
	{ .key = "trigger_id", .slot = S_TRIGGER },
	{ .key = "actions",
	    .slot = S_ACTIONS,
	    .first_slot = S_ACT0,
	    .first_members = action_f },
	{ .key = "container", .slot = S_CONT, .members = container_f },
	{ .key = "channel", .slot = S_CHAN, .members = channel_f },
	{ .key = "message", .slot = S_MSG, .members = message_f },
	{ .key = "view", .slot = S_VIEW, .members = view_f }, END };
#undef END

/* the values kept by the parse, by slot */
struct pl {
	struct jscan_value v[S_COUNT];
};

static const struct jscan_value *
pl_at(const struct pl *pl, int slot)
{
	return &pl->v[slot - 1];
}

static int
pl_absent(const struct jscan_value *v)
{
	return v->type == JS_ABSENT || v->type == JS_NULL;
}

/* the object at slot: FX_OK when present or (not required) absent/null */
static fx_err
pl_obj(const struct pl *pl, int slot, const char *path, int required,
    struct buf *err)
{
	const struct jscan_value *v = pl_at(pl, slot);

	if (pl_absent(v))
		return required ? pl_fail(err, FX_EINVAL, path, "missing")
				: FX_OK;
	if (v->type != JS_OBJECT)
		return pl_fail(err, FX_EINVAL, path, "not an object");
	return FX_OK;
}

/*
 * The string at slot as a new heap string into *out, at most max bytes
 * and (max_chars > 0) max_chars code points. Absent or null: FX_EINVAL
 * when required, else *out = NULL. Required strings must not be empty.
 */
static fx_err
pl_str(const struct pl *pl, int slot, const char *path, int required,
    size_t max, size_t max_chars, char **out, struct buf *err)
{
	const struct jscan_value *v = pl_at(pl, slot);

	*out = NULL;
	if (pl_absent(v))
		return required ? pl_fail(err, FX_EINVAL, path, "missing")
				: FX_OK;
	if (v->type != JS_STRING)
		return pl_fail(err, FX_EINVAL, path, "not a string");
	if (required && v->len == 0)
		return pl_fail(err, FX_EINVAL, path, "empty");
	if (v->len > max ||
	    (max_chars > 0 && pl_chars(v->str, v->len) > max_chars))
		return pl_fail(err, FX_ETOOBIG, path, "too long");
	if ((*out = malloc(v->len + 1)) == NULL)
		return pl_fail(err, FX_ENOMEM, path, "out of memory");
	memcpy(*out, v->str, v->len + 1);
	return FX_OK;
}

/*
 * An optional Slack user id at slot: A-Z and 0-9 only, at most
 * FX_MAX_SLACK_USER bytes (whether it names a real user is not known
 * offline).
 */
static fx_err
pl_user(const struct pl *pl, int slot, const char *path, char **out,
    struct buf *err)
{
	fx_err rc;

	rc = pl_str(pl, slot, path, 0, FX_MAX_SLACK_USER, 0, out, err);
	if (rc != FX_OK || *out == NULL)
		return rc;
	if (**out == '\0' ||
	    (*out)[strspn(*out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")] !=
		'\0') {
		free(*out);
		*out = NULL;
		return pl_fail(err, FX_EINVAL, path, "not a Slack user id");
	}
	return FX_OK;
}

/* one value a payload kind wants: an object, or a string into *out */
struct pl_want {
	int slot;
	const char *path;
	int required;
	char **out; /* NULL: an object */
};

/*
 * Each wanted value in order, strings up to FX_MAX_FIELD bytes; returns
 * the first failure, its path and reason in err.
 */
static fx_err
pl_check(const struct pl *pl, const struct pl_want *w, size_t n,
    struct buf *err)
{
	size_t i;
	fx_err rc;

	for (i = 0; i < n; i++) {
		if (w[i].out == NULL)
			rc = pl_obj(pl, w[i].slot, w[i].path, w[i].required,
			    err);
		else
			rc = pl_str(pl, w[i].slot, w[i].path, w[i].required,
			    FX_MAX_FIELD, 0, w[i].out, err);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
pl_block_actions(const struct pl *pl, struct slack_interaction *out,
    struct buf *err)
{
	const struct jscan_value *actions = pl_at(pl, S_ACTIONS), *vt;
	const struct pl_want want[] = {
		{ S_ACT_ID, "payload.actions[0].action_id", 1,
		    &out->action_id },
		{ S_ACT_VALUE, "payload.actions[0].value", 0,
		    &out->action_value },
		{ S_CONT, "payload.container", 0, NULL },
		{ S_CHAN, "payload.channel", 0, NULL },
		{ S_MSG, "payload.message", 0, NULL },
		{ S_CONT_CHAN, "payload.container.channel_id", 0,
		    &out->channel_id },
		{ S_CONT_TS, "payload.container.message_ts", 0,
		    &out->message_ts },
	};
	size_t first = 0;
	fx_err rc;

	/*
	 * No action is still a click the user made: the caller answers it
	 * with a notice in the channel, so the channel is read below.
	 */
	if (!pl_absent(actions) && actions->type != JS_ARRAY)
		return pl_fail(err, FX_EINVAL, "payload.actions",
		    "not an array");
	if (pl_absent(actions) || actions->len == 0)
		first = 2; /* skip the action's id and value */
	else if (pl_at(pl, S_ACT0)->type != JS_OBJECT)
		return pl_fail(err, FX_EINVAL, "payload.actions[0]",
		    "not an object");
	rc = pl_check(pl, want + first, sizeof(want) / sizeof(want[0]) - first,
	    err);
	if (rc != FX_OK)
		return rc;
	if (out->channel_id == NULL &&
	    (rc = pl_str(pl, S_CHAN_ID, "payload.channel.id", 0, FX_MAX_FIELD,
		 0, &out->channel_id, err)) != FX_OK)
		return rc;
	if (out->message_ts == NULL &&
	    (rc = pl_str(pl, S_MSG_TS, "payload.message.ts", 0, FX_MAX_FIELD, 0,
		 &out->message_ts, err)) != FX_OK)
		return rc;
	vt = pl_at(pl, S_VIEW_TYPE);
	out->from_home = pl_at(pl, S_VIEW)->type == JS_OBJECT &&
			 vt->type == JS_STRING && strcmp(vt->str, "home") == 0;
	return FX_OK;
}

static fx_err
pl_view_submission(const struct pl *pl, struct slack_interaction *out,
    struct buf *err)
{
	const struct pl_want want[] = {
		{ S_VIEW, "payload.view", 1, NULL },
		{ S_VIEW_CB, "payload.view.callback_id", 1, &out->callback_id },
		{ S_VIEW_META, "payload.view.private_metadata", 0,
		    &out->private_metadata },
		{ S_STATE, "payload.view.state", 0, NULL },
		{ S_VALUES, "payload.view.state.values", 0, NULL },
		{ S_RBLOCK, "payload.view.state.values.reason", 0, NULL },
		{ S_RINPUT, "payload.view.state.values.reason.reason", 0,
		    NULL },
		{ S_OBLOCK, "payload.view.state.values.owner", 0, NULL },
		{ S_OINPUT, "payload.view.state.values.owner.owner", 0, NULL },
	};
	fx_err rc;

	rc = pl_check(pl, want, sizeof(want) / sizeof(want[0]), err);
	if (rc != FX_OK)
		return rc;
	rc = pl_user(pl, S_OWNER,
	    "payload.view.state.values.owner.owner.selected_user",
	    &out->selected_user, err);
	if (rc != FX_OK)
		return rc;
	return pl_str(pl, S_REASON,
	    "payload.view.state.values.reason.reason.value", 0,
	    4 * FX_MAX_REASON, FX_MAX_REASON, &out->reason, err);
}

/*
 * Read with jscan, not jansson: the click path parses one of these per
 * request, and a jansson tree of a Slack payload (dozens of members,
 * each an allocation) cost more than the rest of the request.
 */
fx_err
slack_interaction_parse(const char *json, size_t len,
    struct slack_interaction *out, struct buf *err)
{
	struct jscan js;
	struct pl pl;
	enum jscan_type root;
	const struct jscan_value *type;
	const struct pl_want want[] = {
		{ S_USER, "payload.user", 1, NULL },
		{ S_USER_ID, "payload.user.id", 1, &out->user_id },
		{ S_TRIGGER, "payload.trigger_id", 0, &out->trigger_id },
	};
	const char *why;
	char what[96];
	int line, col;
	fx_err rc;

	memset(out, 0, sizeof(*out));
	memset(&js, 0, sizeof(js));
	if (err != NULL)
		buf_reset(err);
	if (json == NULL) {
		rc = pl_fail(err, FX_EINVAL, "payload", "missing");
		goto out;
	}
	rc = jscan_parse(&js, json, len, root_f, pl.v, S_COUNT, &root);
	if (rc == FX_ENOMEM) {
		rc = pl_fail(err, rc, "payload", "out of memory");
		goto out;
	}
	if (rc != FX_OK) {
		jscan_where(&js, &line, &col, &why);
		snprintf(what, sizeof(what),
		    "invalid JSON at line %d column "
		    "%d (%s)",
		    line, col, why);
		rc = pl_fail(err, FX_EINVAL, "payload", what);
		goto out;
	}
	if (root != JS_OBJECT) {
		rc = pl_fail(err, FX_EINVAL, "payload", "not a JSON object");
		goto out;
	}
	type = pl_at(&pl, S_TYPE);
	if (type->type != JS_STRING) {
		rc = pl_fail(err, FX_EINVAL, "payload.type",
		    "missing or not a string");
		goto out;
	}
	rc = pl_check(&pl, want, sizeof(want) / sizeof(want[0]), err);
	if (rc != FX_OK)
		goto out;
	if (strcmp(type->str, "block_actions") == 0) {
		out->type = SI_BLOCK_ACTIONS;
		rc = pl_block_actions(&pl, out, err);
	} else if (strcmp(type->str, "view_submission") == 0) {
		out->type = SI_VIEW_SUBMISSION;
		rc = pl_view_submission(&pl, out, err);
	} else
		out->type = SI_OTHER;
out:
	if (rc != FX_OK)
		slack_interaction_release(out);
	jscan_release(&js);
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
	free(si->selected_user);
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
	const struct {
		const char *key;
		int required;
		char **out;
	} f[] = {
		{ "user_id", 1, &out->user_id },
		{ "command", 1, &out->command },
		{ "text", 0, &out->text },
		{ "channel_id", 0, &out->channel_id },
		{ "response_url", 0, &out->response_url },
	};
	size_t i;
	fx_err rc = FX_OK;

	memset(out, 0, sizeof(*out));
	if (err != NULL)
		buf_reset(err);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rc = cmd_field(body, len, f[i].key, f[i].required, f[i].out,
		    err);
		if (rc != FX_OK)
			goto out;
	}
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
