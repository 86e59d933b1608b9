/*
 * slack_blocks.c - Block Kit builders (see slack_blocks.h).
 *
 * Text is assembled in a struct sb (a buf with a sticky error, so a run
 * of appends is checked once) and handed to jansson, which copies it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxlimits.h"
#include "fxutil.h"
#include "slack_blocks.h"
#include "slack_iampath.h"
#include "slack_say.h"
#include "slack_card.h"
#include "slack_owner.h"
#include "banned.h"

/* Slack's limits, in characters, with some room to spare */
#define LIM_HEADER   150   /* header plain_text */
#define LIM_TEXT     3000  /* section and context mrkdwn text */
#define LIM_VALUE    1900  /* one field's value (field text: 2000) */
#define LIM_DESC     2000  /* description / reason inside a section */
#define LIM_TITLE    400   /* a title inside a sentence */
#define LIM_FALLBACK 40000 /* top-level "text" */

#define ESC_MRKDWN   0x1 /* & < > -> entities */
#define ESC_MENTIONS 0x2 /* keep "<@U123>" as is */

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one character */
#define MIDDOT	 "\xc2\xb7"	/* U+00B7 */

struct sb {
	struct buf b;
	fx_err rc; /* first error; later appends do nothing */
};

#define SB_INIT                                                                \
	{                                                                      \
		BUF_INIT, FX_OK                                                \
	}

/* a slack_card_* call appending to s's text, once s has no error */
#define SB_CALL(s, call)                                                       \
	do {                                                                   \
		if ((s)->rc == FX_OK)                                          \
			(s)->rc = (call);                                      \
	} while (0)

static const char *const exc_label[2] = { "1 month", "1 year" };
static const char *const exc_code[2] = { "1m", "1y" };

static void
sb_add(struct sb *s, const char *p, size_t n)
{
	if (s->rc == FX_OK)
		s->rc = buf_add(&s->b, p, n);
}

static void
sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

static void sb_addf(struct sb *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* short formatted pieces only (numbers, dates) */
static void
sb_addf(struct sb *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		if (s->rc == FX_OK)
			s->rc = FX_ETOOBIG;
		return;
	}
	sb_add(s, tmp, (size_t)n);
}

/* the text so far, or NULL after an error (then jansson fails too) */
static const char *
sb_str(const struct sb *s)
{
	return s->rc == FX_OK ? buf_str(&s->b) : NULL;
}

static void
sb_reset(struct sb *s)
{
	buf_reset(&s->b);
}

/* drop what was appended after len */
static void
blk_buf_cut(struct buf *b, size_t len)
{
	if (b->data != NULL && len <= b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

static int
is_upper_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* length of a user mention "<@U123>" starting at s, 0 if none */
static size_t
mention_len(const char *s)
{
	size_t i;

	if (s[0] != '<' || s[1] != '@' || (s[2] != 'U' && s[2] != 'W'))
		return 0;
	for (i = 3; is_upper_alnum(s[i]) && i < 28; i++)
		;
	return s[i] == '>' && i >= 5 ? i + 1 : 0;
}

/* the mrkdwn entity for c, NULL when c needs none */
static const char *
esc_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	default:
		return NULL;
	}
}

/*
 * Walk s unit by unit (a character, an entity or a mention), appending
 * to b unless it is NULL, while the output stays within max characters.
 * Returns 1 when all of s fit.
 */
static int
esc_walk(const char *s, int flags, size_t max, struct sb *b)
{
	const char *u;
	size_t src, len, chars, used = 0;

	while (*s != '\0') {
		u = s;
		if ((flags & ESC_MENTIONS) && (len = mention_len(s)) > 0)
			src = chars = len;
		else if ((flags & ESC_MRKDWN) && (u = esc_entity(*s)) != NULL) {
			src = 1;
			len = chars = strlen(u);
		} else {
			u = s;
			/* one UTF-8 sequence: lead byte + continuations */
			for (len = 1; (s[len] & 0xc0) == 0x80; len++)
				;
			src = len;
			chars = 1;
		}
		if (used + chars > max)
			return 0;
		if (b != NULL)
			sb_add(b, u, len);
		used += chars;
		s += src;
	}
	return 1;
}

/* append s escaped per flags, cut to max characters with an ellipsis */
static void
sb_esc(struct sb *b, const char *s, int flags, size_t max)
{
	if (s == NULL || max == 0)
		return;
	if (esc_walk(s, flags, max, NULL)) {
		esc_walk(s, flags, max, b);
		return;
	}
	esc_walk(s, flags, max - 1, b);
	sb_adds(b, ELLIPSIS);
}

#define sb_mrkdwn(b, s, max) sb_esc((b), (s), ESC_MRKDWN, (max))

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Slack date formatting with an ISO 8601 UTC fallback */
static void
sb_date(struct sb *b, int64_t t)
{
	SB_CALL(b, slack_say_date(t, &b->b));
}

/* ---- jansson pieces; each returns NULL on failure ------------------ */

/* append v (stolen) to array a; -1 when v is NULL or append failed */
static int
arr_add(json_t *a, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_array_append_new(a, v);
}

/* a, or NULL (a released) when bad: the end of a run of arr_add */
static json_t *
arr_checked(json_t *a, int bad)
{
	if (bad) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *
obj_text(const char *type, const char *text)
{
	return json_pack("{s:s,s:s}", "type", type, "text", text);
}

/* append s's text to a as a mrkdwn text object; -1 on failure */
static int
arr_add_mrkdwn(json_t *a, const struct sb *s)
{
	return arr_add(a, obj_text("mrkdwn", sb_str(s)));
}

static json_t *
blk_section(const char *mrkdwn)
{
	return json_pack("{s:s,s:o}", "type", "section", "text",
	    obj_text("mrkdwn", mrkdwn));
}

static json_t *
blk_header(const char *title)
{
	struct sb s = SB_INIT;
	json_t *j;

	sb_esc(&s, nonempty(title) ? title : "Security finding", 0, LIM_HEADER);
	j = json_pack("{s:s,s:o}", "type", "header", "text",
	    obj_text("plain_text", sb_str(&s)));
	buf_release(&s.b);
	return j;
}

static json_t *
blk_button(const char *label, const char *action_id, int64_t value,
    const char *style)
{
	char val[24];
	json_t *b;

	snprintf(val, sizeof(val), "%" PRId64, value);
	b = json_pack("{s:s,s:s,s:o,s:s}", "type", "button", "action_id",
	    action_id, "text", obj_text("plain_text", label), "value", val);
	if (b != NULL && style != NULL &&
	    json_object_set_new(b, "style", json_string(style)) != 0) {
		json_decref(b);
		b = NULL;
	}
	return b;
}

/* {"type":"actions","block_id":"PREFIX:ID","elements":els (stolen)} */
static json_t *
blk_actions(const char *prefix, int64_t id, json_t *els)
{
	char bid[64];

	snprintf(bid, sizeof(bid), "%s:%" PRId64, prefix, id);
	return json_pack("{s:s,s:s,s:o}", "type", "actions", "block_id", bid,
	    "elements", els);
}

/*
 * Slack's confirmation dialog on "Fix now" when the fix cannot be undone:
 * one click on a button is no decision to destroy something for good.
 */
static json_t *
fix_now_button(const struct slack_finding_view *v)
{
	json_t *b = blk_button("Fix now", "fixit_fix_now", v->id, "primary");
	json_t *confirm;

	if (b == NULL || !v->irreversible)
		return b;
	confirm = json_pack("{s:o,s:o,s:o,s:o,s:s}", "title",
	    obj_text("plain_text", "This cannot be undone"), "text",
	    obj_text("plain_text",
		"fixit will fix this now, and nobody can undo that fix "
		"afterwards."),
	    "confirm", obj_text("plain_text", "Fix now"), "deny",
	    obj_text("plain_text", "Cancel"), "style", "danger");
	if (confirm == NULL ||
	    json_object_set_new(b, "confirm", confirm) != 0) {
		json_decref(b);
		b = NULL;
	}
	return b;
}

/*
 * The finding's buttons into *out: NULL (and FX_OK) when none is
 * offered. "Fix now" never in production.
 */
static fx_err
finding_actions(const struct slack_finding_view *v, json_t **out)
{
	json_t *els = json_array();
	int bad = 0;

	*out = NULL;
	if (els == NULL)
		return FX_ENOMEM;
	if (!slack_card_asks(v)) {
		json_decref(els);
		return FX_OK;
	}
	if (v->fix_now && !v->production && !v->notify_only)
		bad |= arr_add(els, fix_now_button(v));
	if (v->exc_mask & SLACK_EXC_1M)
		bad |= arr_add(els, blk_button(slack_card_exc_button(v, 0),
					"fixit_exc_1m", v->id, NULL));
	if (v->exc_mask & SLACK_EXC_1Y)
		bad |= arr_add(els, blk_button(slack_card_exc_button(v, 1),
					"fixit_exc_1y", v->id, NULL));
	if (!bad && slack_owner_buttons(v, els) != FX_OK)
		bad = 1;
	if ((els = arr_checked(els, bad)) == NULL)
		return FX_ENOMEM;
	if (json_array_size(els) == 0) {
		json_decref(els);
		return FX_OK;
	}
	*out = blk_actions("fixit_actions", v->id, els);
	return *out ? FX_OK : FX_ENOMEM;
}

/* one "*Label*\nvalue" field; *fields unchanged when value is empty */
static int
add_field(json_t *fields, const char *label, const char *value)
{
	struct sb s = SB_INIT;
	int r;

	if (!nonempty(value))
		return 0;
	sb_addf(&s, "*%s*\n", label);
	sb_mrkdwn(&s, value, LIM_VALUE);
	r = arr_add_mrkdwn(fields, &s);
	buf_release(&s.b);
	return r;
}

/* Resource, Account "name (id) · production", Region, Playbook */
static json_t *
finding_fields(const struct slack_finding_view *v)
{
	struct sb s = SB_INIT;
	json_t *f = json_array();
	int bad = 0;

	if (f == NULL)
		return NULL;
	bad |= add_field(f, "Resource",
	    nonempty(v->resource_id) ? v->resource_id : "unknown");
	sb_adds(&s, "*Account*\n");
	if (nonempty(v->account_name)) {
		sb_mrkdwn(&s, v->account_name, LIM_TITLE);
		sb_adds(&s, " (");
		sb_mrkdwn(&s, v->account_id, LIM_TITLE);
		sb_adds(&s, ")");
	} else
		sb_mrkdwn(&s, v->account_id, LIM_TITLE);
	sb_adds(&s, " " MIDDOT " ");
	sb_adds(&s, v->production ? "production" : "non-production");
	bad |= arr_add_mrkdwn(f, &s);
	bad |= add_field(f, "Region", v->region);
	bad |= add_field(f, "Playbook", v->playbook);
	buf_release(&s.b);
	return arr_checked(f, bad);
}

/* a section of s's text with the finding's fields under it */
static json_t *
section_with_fields(const struct sb *s, const struct slack_finding_view *v)
{
	json_t *j = blk_section(sb_str(s));

	if (j != NULL &&
	    json_object_set_new(j, "fields", finding_fields(v)) != 0) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* description, then where the finding stands (what fixit will do) */
static json_t *
finding_section(const struct slack_finding_view *v, int with_actions)
{
	struct sb s = SB_INIT;
	json_t *j;

	if (nonempty(v->description)) {
		sb_mrkdwn(&s, v->description, LIM_DESC);
		sb_adds(&s, "\n");
	}
	SB_CALL(&s, slack_card_state(v, with_actions, &s.b));
	j = section_with_fields(&s, v);
	buf_release(&s.b);
	return j;
}

/* console link, finding number, owner, where it went instead */
static json_t *
finding_context(const struct slack_finding_view *v)
{
	struct sb s = SB_INIT;
	json_t *els = json_array();
	int bad = 0;

	if (els == NULL)
		return NULL;
	SB_CALL(&s, slack_card_console_link(v, &s.b));
	if (s.b.len > 0)
		bad |= arr_add_mrkdwn(els, &s);
	sb_reset(&s);
	sb_addf(&s, "Finding #%" PRId64, v->id);
	bad |= arr_add_mrkdwn(els, &s);
	if (fx_slack_user_id_ok(v->owner_slack_id)) {
		sb_reset(&s);
		sb_addf(&s, "Owner: <@%s>", v->owner_slack_id);
		bad |= arr_add_mrkdwn(els, &s);
	}
	if (nonempty(v->owner_not_found)) {
		sb_reset(&s);
		SB_CALL(&s, slack_card_owner_note(v, &s.b));
		bad |= arr_add_mrkdwn(els, &s);
	}
	buf_release(&s.b);
	if ((els = arr_checked(els, bad)) == NULL)
		return NULL;
	return json_pack("{s:s,s:o}", "type", "context", "elements", els);
}

/* the path to IAM admin of the finding's details, as a section (none
 * when they hold none); 1 when memory ran out */
static int
add_iampath(json_t *blocks, const struct slack_finding_view *v)
{
	struct buf b = BUF_INIT;
	json_t *d;
	int bad = 0;

	/* most details hold no chain: not parsed at all */
	if (v->details == NULL || strstr(v->details, "\"chain\"") == NULL ||
	    (d = json_loads(v->details, 0, NULL)) == NULL)
		return 0;
	buf_init(&b, LIM_TEXT - 1);
	if (slack_iampath_mrkdwn(d, &b) != FX_OK)
		bad = 1;
	else if (b.len > 0)
		bad = arr_add(blocks, blk_section(buf_str(&b)));
	buf_release(&b);
	json_decref(d);
	return bad;
}

/* {"text": fallback, "blocks": [...]} for the finding */
static json_t *
finding_message(const struct slack_finding_view *v, int with_actions)
{
	struct sb s = SB_INIT;
	json_t *msg = NULL, *blocks, *acts = NULL;
	int bad = 0, asking;

	sb_adds(&s, "fixit: ");
	sb_mrkdwn(&s, v->title, LIM_TITLE);
	sb_adds(&s, " (");
	sb_mrkdwn(&s, v->resource_id, LIM_TITLE);
	sb_adds(&s, ")");
	if ((blocks = json_array()) == NULL)
		goto out;
	bad |= arr_add(blocks, blk_header(v->title));
	bad |= arr_add(blocks, finding_section(v, with_actions));
	bad |= add_iampath(blocks, v);
	/* what the coming fix will be, while one is coming */
	asking = slack_card_asks(v) || v->exc_pending;
	if (asking && v->irreversible && !v->notify_only)
		bad |= arr_add(blocks, blk_section(":warning: *This fix cannot "
						   "be undone.*"));
	if (asking && v->rehearsal && !v->notify_only)
		bad |= arr_add(blocks,
		    blk_section("*Dry run:* fixit will only show what it "
				"would do; nothing will be changed."));
	bad |= arr_add(blocks, finding_context(v));
	if (with_actions && finding_actions(v, &acts) != FX_OK)
		bad = 1;
	if (acts != NULL)
		bad |= arr_add(blocks, acts);
	if (bad || sb_str(&s) == NULL) {
		json_decref(blocks);
		goto out;
	}
	msg = json_pack("{s:s,s:o}", "text", sb_str(&s), "blocks", blocks);
out:
	buf_release(&s.b);
	return msg;
}

json_t *
slack_blocks_finding(const struct slack_finding_view *v)
{
	return v ? finding_message(v, 1) : NULL;
}

json_t *
slack_blocks_decision(const struct slack_finding_view *v,
    const char *decision_text)
{
	struct sb s = SB_INIT;
	json_t *msg, *ctx;

	if (v == NULL || (msg = finding_message(v, 0)) == NULL)
		return NULL;
	sb_esc(&s, nonempty(decision_text) ? decision_text : "Decided.", 0,
	    LIM_TEXT);
	ctx = json_pack("{s:s,s:[o]}", "type", "context", "elements",
	    obj_text("mrkdwn", sb_str(&s)));
	if (arr_add(json_object_get(msg, "blocks"), ctx) != 0) {
		json_decref(msg);
		msg = NULL;
	}
	buf_release(&s.b);
	return msg;
}

/*
 * The thread reply: while the finding asks (and decided is 0), when it
 * will be fixed and the buttons; else its state, and after a decision
 * "Decided: see above" (the finding's message says who and what).
 */
static json_t *
reminder_message(const struct slack_finding_view *v, int decided)
{
	struct sb s = SB_INIT;
	json_t *msg = NULL, *blocks = NULL, *acts = NULL;

	if (v == NULL)
		return NULL;
	sb_adds(&s, decided ? "*Decided:* see above. " : "Reminder: ");
	if (!decided)
		sb_mrkdwn(&s, v->title, LIM_TITLE);
	if (decided || !slack_card_asks(v)) {
		sb_adds(&s, decided ? "" : ". ");
		SB_CALL(&s, slack_card_state(v, !decided, &s.b));
	} else if (v->notify_only)
		sb_adds(&s, " still needs your attention");
	else {
		sb_adds(&s, v->rehearsal ? " would be fixed (dry run) "
					 : " will be fixed ");
		sb_date(&s, v->deadline);
		if (v->irreversible)
			sb_adds(&s, "; this fix cannot be undone");
	}
	blocks = json_array();
	if (blocks == NULL)
		goto out;
	if (arr_add(blocks, blk_section(sb_str(&s))) != 0)
		goto out;
	if (!decided && finding_actions(v, &acts) != FX_OK)
		goto out;
	if (acts != NULL && arr_add(blocks, acts) != 0)
		goto out;
	if (sb_str(&s) == NULL)
		goto out;
	msg = json_pack("{s:s,s:o}", "text", sb_str(&s), "blocks", blocks);
	blocks = NULL; /* json_pack took it ("o") */
out:
	json_decref(blocks);
	buf_release(&s.b);
	return msg;
}

json_t *
slack_blocks_reminder(const struct slack_finding_view *v)
{
	return reminder_message(v, 0);
}

json_t *
slack_blocks_reminder_decided(const struct slack_finding_view *v)
{
	return reminder_message(v, 1);
}

json_t *
slack_blocks_modal(const struct slack_finding_view *v, int kind)
{
	struct sb s = SB_INIT;
	char meta[64];
	json_t *view = NULL, *input;

	if (v == NULL || kind < 0 || kind > 1)
		return NULL;
	snprintf(meta, sizeof(meta), "{\"f\":%" PRId64 ",\"k\":\"%s\"}", v->id,
	    exc_code[kind]);
	sb_addf(&s, "Request a *%s* exception for finding #%" PRId64 ": *",
	    exc_label[kind], v->id);
	sb_mrkdwn(&s, v->title, LIM_TITLE);
	sb_adds(&s, "*\nResource: ");
	sb_mrkdwn(&s, v->resource_id, LIM_TITLE);
	if (slack_card_needs_approval(v, kind))
		sb_adds(&s, "\nAn admin must approve this exception. Until an "
			    "admin decides, fixit waits: it does not fix the "
			    "resource meanwhile.");
	sb_adds(&s, "\nfixit leaves it unchanged until the exception ends.");
	input = json_pack("{s:s,s:s,s:o,s:{s:s,s:s,s:b,s:i}}", "type", "input",
	    "block_id", "reason", "label",
	    obj_text("plain_text", "Justification"), "element", "type",
	    "plain_text_input", "action_id", "reason", "multiline", 1,
	    "max_length", FX_MAX_REASON);
	if (input == NULL)
		goto out;
	view = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:[o,o]}", "type", "modal",
	    "callback_id", "fixit_exception", "private_metadata", meta, "title",
	    obj_text("plain_text", "Request exception"), "submit",
	    obj_text("plain_text", "Request"), "close",
	    obj_text("plain_text", "Cancel"), "blocks", blk_section(sb_str(&s)),
	    input);
out:
	buf_release(&s.b);
	return view;
}

/* "<@U1> requests a *1 year* exception for finding #7: *title*" */
static json_t *
approval_section(const struct slack_finding_view *v, const char *requester,
    int kind)
{
	struct sb s = SB_INIT;
	json_t *j;

	if (fx_slack_user_id_ok(requester))
		sb_addf(&s, "<@%s>", requester);
	else
		sb_mrkdwn(&s, nonempty(requester) ? requester : "someone",
		    LIM_TITLE);
	sb_addf(&s, " requests a *%s* exception for finding #%" PRId64 ": *",
	    exc_label[kind], v->id);
	sb_mrkdwn(&s, v->title, LIM_TITLE);
	sb_adds(&s, "*");
	j = section_with_fields(&s, v);
	buf_release(&s.b);
	return j;
}

json_t *
slack_blocks_approval(const struct slack_finding_view *v, int64_t exception_id,
    const char *requester, const char *reason, int kind)
{
	struct sb s = SB_INIT, r = SB_INIT;
	json_t *msg = NULL, *blocks = NULL;
	int bad = 0;

	if (v == NULL || kind < 0 || kind > 1)
		return NULL;
	sb_addf(&s, "Exception request (%s): ", exc_label[kind]);
	sb_mrkdwn(&s, v->title, LIM_TITLE);
	sb_adds(&r, "*Justification*\n");
	sb_mrkdwn(&r, nonempty(reason) ? reason : "(none given)", LIM_DESC);
	blocks = json_array();
	if (blocks == NULL)
		goto fail;
	bad |= arr_add(blocks, blk_header("Exception request"));
	bad |= arr_add(blocks, approval_section(v, requester, kind));
	bad |= arr_add(blocks, blk_section(sb_str(&r)));
	bad |= arr_add(blocks, finding_context(v));
	bad |= arr_add(blocks, slack_blocks_approval_actions(exception_id));
	if (bad || sb_str(&s) == NULL)
		goto fail;
	msg = json_pack("{s:s,s:o}", "text", sb_str(&s), "blocks", blocks);
	blocks = NULL;
fail:
	json_decref(blocks);
	buf_release(&s.b);
	buf_release(&r.b);
	return msg;
}

json_t *
slack_blocks_rehearsal(const struct slack_finding_view *v, const char *would,
    const json_t *calls, const json_t *saving, int update)
{
	struct buf t = BUF_INIT;
	json_t *msg = NULL;
	fx_err rc;

	if (v == NULL)
		return NULL;
	buf_init(&t, LIM_TEXT);
	/* the decision's text is mrkdwn; slack_blocks_text escapes its own */
	rc = slack_card_rehearsal(v, would, calls, saving, update, &t);
	if (rc == FX_OK || rc == FX_ETOOBIG)
		msg = update ? slack_blocks_decision(v, buf_str(&t))
			     : slack_blocks_text(buf_str(&t));
	buf_release(&t);
	return msg;
}

/* text escaped per flags in one section block */
static json_t *
text_msg(const char *text, int flags)
{
	struct sb s = SB_INIT;
	json_t *msg;

	if (text == NULL)
		return NULL;
	if (esc_walk(text, flags, LIM_TEXT, NULL)) {
		sb_esc(&s, text, flags, LIM_TEXT);
		msg = json_pack("{s:s,s:[o]}", "text", sb_str(&s), "blocks",
		    blk_section(sb_str(&s)));
	} else {
		/* too long for a section: top-level text only */
		sb_esc(&s, text, flags, LIM_FALLBACK);
		msg = json_pack("{s:s}", "text", sb_str(&s));
	}
	buf_release(&s.b);
	return msg;
}

json_t *
slack_blocks_text(const char *text)
{
	return text_msg(text, ESC_MRKDWN | ESC_MENTIONS);
}

json_t *
slack_blocks_mrkdwn(const char *mrkdwn)
{
	return text_msg(mrkdwn, 0);
}

fx_err
slack_blocks_escape(const char *s, struct buf *out)
{
	struct sb b = SB_INIT;
	size_t len0;

	if (s == NULL || out == NULL)
		return FX_EINVAL;
	len0 = out->len;
	b.b = *out;
	esc_walk(s, ESC_MRKDWN, SIZE_MAX, &b);
	*out = b.b;
	if (b.rc != FX_OK)
		blk_buf_cut(out, len0);
	return b.rc;
}

fx_err
slack_blocks_actions(const struct slack_finding_view *v, json_t **out)
{
	*out = NULL;
	return v == NULL ? FX_EINVAL : finding_actions(v, out);
}

json_t *
slack_blocks_approval_actions(int64_t exception_id)
{
	json_t *els = json_array();
	int bad = 0;

	if (els == NULL)
		return NULL;
	bad |= arr_add(els, blk_button("Approve", "fixit_exc_approve",
				exception_id, "primary"));
	bad |= arr_add(els,
	    blk_button("Deny", "fixit_exc_deny", exception_id, "danger"));
	if ((els = arr_checked(els, bad)) == NULL)
		return NULL;
	return blk_actions("fixit_approval", exception_id, els);
}
