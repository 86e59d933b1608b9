/*
 * slack_render.c - console rendering of Web API calls (see
 * slack_render.h).
 */
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "slack_render.h"
#include "banned.h"

static const struct {
	const char *ent;
	char c;
} rd_ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' } };

/*
 * Length of the special sequence at s and what to print for it in
 * *rep and *replen: an entity (decoded) or a date token "<!date^...|X>"
 * (its fallback X). 0 when s starts with neither.
 */
static size_t
rd_special(const char *s, const char **rep, size_t *replen)
{
	const char *bar, *end;
	size_t i;

	for (i = 0; i < sizeof(rd_ents) / sizeof(rd_ents[0]); i++)
		if (strncmp(s, rd_ents[i].ent, strlen(rd_ents[i].ent)) == 0) {
			*rep = &rd_ents[i].c;
			*replen = 1;
			return strlen(rd_ents[i].ent);
		}
	if (strncmp(s, "<!date^", 7) == 0 && (end = strchr(s, '>')) != NULL &&
	    (bar = memchr(s, '|', (size_t)(end - s))) != NULL) {
		*rep = bar + 1;
		*replen = (size_t)(end - bar - 1);
		return (size_t)(end - s) + 1;
	}
	return 0;
}

/* append s with entities and dates decoded; newlines become nl */
static fx_err
rd_text(struct buf *out, const char *s, char nl)
{
	const char *rep;
	size_t n, replen;
	fx_err rc = FX_OK;

	while (s != NULL && *s != '\0' && rc == FX_OK) {
		if ((n = strcspn(s, "&<\n")) > 0) {
			rc = buf_add(out, s, n);
			s += n;
		} else if (*s == '\n') {
			rc = buf_addc(out, nl);
			s++;
		} else if ((n = rd_special(s, &rep, &replen)) > 0) {
			rc = buf_add(out, rep, replen);
			s += n;
		} else
			rc = buf_addc(out, *s++);
	}
	return rc;
}

/* the "text" of a text object ({"type":..,"text":..}) or NULL */
static const char *
rd_obj_text(const json_t *o)
{
	return json_string_value(json_object_get(o, "text"));
}

static int
rd_type_is(const json_t *o, const char *type)
{
	const char *t = json_string_value(json_object_get(o, "type"));

	return t != NULL && strcmp(t, type) == 0;
}

/* prefix + text + "\n", nothing when text is NULL; nl as in rd_text */
static fx_err
rd_line(struct buf *out, const char *prefix, const char *text, char nl)
{
	fx_err rc;

	if (text == NULL)
		return FX_OK;
	rc = buf_adds(out, prefix);
	if (rc != FX_OK)
		return rc;
	rc = rd_text(out, text, nl);
	if (rc != FX_OK)
		return rc;
	return buf_addc(out, '\n');
}

/* "[Label] [Label]\n" for the buttons of elements */
static fx_err
rd_buttons(struct buf *out, const json_t *els)
{
	const json_t *e;
	size_t i;
	int n = 0;
	fx_err rc;

	json_array_foreach(els, i, e) {
		if (!rd_type_is(e, "button"))
			continue;
		rc = buf_adds(out, n++ > 0 ? " [" : "[");
		if (rc != FX_OK)
			return rc;
		rc = rd_text(out, rd_obj_text(json_object_get(e, "text")), ' ');
		if (rc != FX_OK)
			return rc;
		rc = buf_addc(out, ']');
		if (rc != FX_OK)
			return rc;
	}
	return n > 0 ? buf_addc(out, '\n') : FX_OK;
}

/* context elements on one line, joined with " | " */
static fx_err
rd_context(struct buf *out, const json_t *els)
{
	const json_t *e;
	size_t i;
	fx_err rc;

	json_array_foreach(els, i, e) {
		if (i > 0) {
			rc = buf_adds(out, " | ");
			if (rc != FX_OK)
				return rc;
		}
		rc = rd_text(out, rd_obj_text(e), ' ');
		if (rc != FX_OK)
			return rc;
	}
	return json_array_size(els) > 0 ? buf_addc(out, '\n') : FX_OK;
}

static fx_err
rd_block(struct buf *out, const json_t *b)
{
	const char *type = json_string_value(json_object_get(b, "type"));
	const json_t *f;
	size_t i;
	fx_err rc = FX_OK;

	if (type == NULL)
		return FX_OK;
	if (strcmp(type, "header") == 0 || strcmp(type, "section") == 0) {
		rc = rd_line(out, "", rd_obj_text(json_object_get(b, "text")),
		    '\n');
		json_array_foreach(json_object_get(b, "fields"), i, f)
			if (rc == FX_OK)
				rc = rd_line(out, "  ", rd_obj_text(f), ' ');
	} else if (strcmp(type, "context") == 0)
		rc = rd_context(out, json_object_get(b, "elements"));
	else if (strcmp(type, "actions") == 0)
		rc = rd_buttons(out, json_object_get(b, "elements"));
	else if (strcmp(type, "input") == 0) {
		rc = rd_line(out,
		    "input: ", rd_obj_text(json_object_get(b, "label")), ' ');
	} else if (strcmp(type, "divider") == 0)
		rc = buf_adds(out, "----\n");
	return rc;
}

static fx_err
rd_blocks(struct buf *out, const json_t *blocks)
{
	const json_t *b;
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(blocks, i, b)
		if (rc == FX_OK)
			rc = rd_block(out, b);
	return rc;
}

/* a views.open "view": title, blocks, [Submit] [Close]; a views.publish
 * one (type home): its blocks */
static fx_err
rd_view(struct buf *out, const json_t *view)
{
	const char *sub, *cls, *type;
	fx_err rc;

	type = json_string_value(json_object_get(view, "type"));
	if (type != NULL && strcmp(type, "home") == 0)
		rc = buf_adds(out, "home tab:\n");
	else
		rc = rd_line(out,
		    "modal: ", rd_obj_text(json_object_get(view, "title")),
		    ' ');
	if (rc != FX_OK)
		return rc;
	rc = rd_blocks(out, json_object_get(view, "blocks"));
	if (rc != FX_OK)
		return rc;
	sub = rd_obj_text(json_object_get(view, "submit"));
	cls = rd_obj_text(json_object_get(view, "close"));
	if (sub != NULL && (rc = buf_addf(out, "[%s] ", sub)) != FX_OK)
		return rc;
	if (cls != NULL && (rc = buf_addf(out, "[%s]", cls)) != FX_OK)
		return rc;
	return sub != NULL || cls != NULL ? buf_addc(out, '\n') : FX_OK;
}

fx_err
slack_render_console(const char *method, const json_t *body, struct buf *out)
{
	static const char *const keys[] = { "channel", "user", "users", "email",
		"ts", "thread_ts", "user_id" };
	const json_t *blocks, *v;
	size_t i, len0;
	fx_err rc;

	if (method == NULL || out == NULL)
		return FX_EINVAL;
	len0 = out->len;
	if ((rc = buf_addf(out, "--- slack %s\n", method)) != FX_OK)
		goto out;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(body, keys[i]);
		if (json_is_string(v) &&
		    (rc = buf_addf(out, "%s: %s\n", keys[i],
			 json_string_value(v))) != FX_OK)
			goto out;
	}
	blocks = json_object_get(body, "blocks");
	if (json_array_size(blocks) > 0)
		rc = rd_blocks(out, blocks);
	else
		rc = rd_line(out, "",
		    json_string_value(json_object_get(body, "text")), '\n');
	if (rc != FX_OK)
		goto out;
	if ((v = json_object_get(body, "view")) != NULL &&
	    (rc = rd_view(out, v)) != FX_OK)
		goto out;
	rc = buf_adds(out, "---\n");
out:
	if (rc != FX_OK && out->data != NULL) {
		out->len = len0; /* nothing half-rendered */
		out->data[len0] = '\0';
	}
	return rc;
}
