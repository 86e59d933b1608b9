/*
 * slack_card.c - the state a finding's card tells (see slack_card.h).
 *
 * A card is updated (chat.update) whenever something is decided, and it
 * shows the finding as it is then: a deadline only while a fix is still
 * coming, never a button once nothing is left to choose.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fxtime.h"
#include "slack_card.h"
#include "slack_say.h"
#include "banned.h"

#define LIM_NAME 400 /* an owner or IaC stack name in a sentence */

static const char *const exc_buttons[2][2] = {
	{ "Exception: 1 month", "Exception: 1 month (needs approval)" },
	{ "Exception: 1 year", "Exception: 1 year (needs approval)" },
};

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/* v's state, "notified" when the view names none */
static const char *
state_of(const struct slack_finding_view *v)
{
	return nonempty(v->state) ? v->state : "notified";
}

static int
is_state(const struct slack_finding_view *v, const char *name)
{
	return strcmp(state_of(v), name) == 0;
}

/* percent-encode everything but RFC 3986 unreserved characters */
static fx_err
add_urlenc(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char t[3];
	fx_err rc = FX_OK;

	for (; rc == FX_OK && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			rc = buf_add(out, s, 1);
			continue;
		}
		t[0] = '%';
		t[1] = hex[c >> 4];
		t[2] = hex[c & 0xf];
		rc = buf_add(out, t, 3);
	}
	return rc;
}

fx_err
slack_card_console_link(const struct slack_finding_view *v, struct buf *out)
{
	const char *r = v->region;
	size_t i;
	fx_err rc;

	if (nonempty(v->resource_arn)) {
		rc = buf_adds(out,
		    "<https://console.aws.amazon.com/go/view?arn=");
		if (rc == FX_OK)
			rc = add_urlenc(out, v->resource_arn);
	} else if (nonempty(r)) {
		for (i = 0; r[i] != '\0'; i++)
			if (!((r[i] >= 'a' && r[i] <= 'z') ||
				(r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
				return FX_OK;
		rc = buf_addf(out,
		    "<https://%.64s.console.aws.amazon.com/console/home"
		    "?region=%.64s",
		    r, r);
	} else
		return FX_OK;
	return rc == FX_OK ? buf_adds(out, "|Open in the AWS console>") : rc;
}

int
slack_card_asks(const struct slack_finding_view *v)
{
	return is_state(v, "notified") && !v->exc_pending;
}

/* s escaped, cut to LIM_NAME bytes of input */
static fx_err
add_name(struct buf *out, const char *s)
{
	char cut[LIM_NAME + 1];
	size_t n = strlen(s);

	if (n > LIM_NAME) {
		n = LIM_NAME;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* never half a UTF-8 sequence */
	}
	memcpy(cut, s, n);
	cut[n] = '\0';
	return slack_blocks_escape(cut, out);
}

/* "HEAD DATE" + tail, or HEAD + tail when t is unset */
static fx_err
add_dated(struct buf *out, const char *head, int64_t t, const char *tail)
{
	fx_err rc = buf_adds(out, head);

	if (rc == FX_OK && t > 0) {
		rc = buf_adds(out, " ");
		if (rc == FX_OK)
			rc = slack_say_date(t, out);
	}
	return rc == FX_OK ? buf_adds(out, tail) : rc;
}

/* notified: the deadline, or why there is none */
static fx_err
asking_state(const struct slack_finding_view *v, int with_actions,
    struct buf *out)
{
	fx_err rc;

	if (v->exc_pending)
		return buf_adds(out,
		    v->notify_only
			? "An exception request awaits an admin's approval."
			: "An exception request awaits an admin's approval: "
			  "fixit will not fix this until an admin decides.");
	if (v->notify_only && nonempty(v->managed_by)) {
		rc = buf_adds(out, "This resource is managed as code (");
		if (rc == FX_OK)
			rc = add_name(out, v->managed_by);
		return rc == FX_OK ? buf_adds(out, "): fixit will not change "
						   "it. Please fix it there.")
				   : rc;
	}
	if (v->notify_only)
		return buf_adds(out, "fixit will not change this resource: "
				     "please fix it yourself.");
	rc = buf_adds(out, "fixit will fix this ");
	if (rc == FX_OK)
		rc = slack_say_date(v->deadline, out);
	if (rc == FX_OK && with_actions && v->exc_mask != 0)
		rc = buf_adds(out, " unless an exception is granted");
	return rc == FX_OK ? buf_adds(out, ".") : rc;
}

fx_err
slack_card_state(const struct slack_finding_view *v, int with_actions,
    struct buf *out)
{
	if (is_state(v, "notified"))
		return asking_state(v, with_actions, out);
	if (is_state(v, "excepted"))
		return add_dated(out, "*Excepted* until", v->excepted_until,
		    ": fixit leaves it unchanged until then.");
	if (is_state(v, "fixing"))
		return buf_adds(out,
		    v->rehearsal
			? "*Rehearsing* the fix now (dry run: nothing will "
			  "be changed)."
			: "*Fixing* now.");
	if (is_state(v, "fixed"))
		return add_dated(out, "*Fixed* by fixit", v->updated_at, ".");
	if (is_state(v, "failed"))
		return add_dated(out, "*Failed*", v->updated_at,
		    ": fixit could not fix this.");
	if (is_state(v, "resolved"))
		return add_dated(out, "*Resolved*", v->updated_at,
		    ": fixit no longer sees this problem.");
	if (is_state(v, "rolled_back"))
		return add_dated(out, "*Rolled back*", v->updated_at,
		    ": the fix was undone.");
	if (is_state(v, "rehearsed"))
		return buf_adds(out, "*Rehearsed* (dry run): fixit only showed "
				     "what it would do; nothing was changed.");
	if (is_state(v, "open"))
		return buf_adds(out, "*Open:* fixit will ask about it again.");
	return buf_adds(out, "*Decided.*");
}

fx_err
slack_card_owner_note(const struct slack_finding_view *v, struct buf *out)
{
	fx_err rc;

	if (!nonempty(v->owner_not_found))
		return FX_OK;
	rc = buf_adds(out, "owner not found (");
	if (rc == FX_OK)
		rc = add_name(out, v->owner_not_found);
	return rc == FX_OK ? buf_adds(out, "): posted here instead") : rc;
}

int
slack_card_needs_approval(const struct slack_finding_view *v, int kind)
{
	unsigned bit = kind == 0 ? SLACK_EXC_1M : SLACK_EXC_1Y;

	return (v->exc_approval_mask & bit) != 0;
}

const char *
slack_card_exc_button(const struct slack_finding_view *v, int kind)
{
	if (kind < 0 || kind > 1)
		return "";
	return exc_buttons[kind][slack_card_needs_approval(v, kind)];
}

/* s as is (plain text) or escaped (mrkdwn) */
static fx_err
add_text(struct buf *out, const char *s, int mrkdwn)
{
	if (s == NULL)
		return FX_OK;
	return mrkdwn ? slack_blocks_escape(s, out) : buf_adds(out, s);
}

fx_err
slack_card_rehearsal(const struct slack_finding_view *v, const char *would,
    const json_t *calls, const json_t *saving, int update, struct buf *out)
{
	const json_t *c;
	size_t i;
	fx_err rc = FX_OK;

	if (!update) {
		rc = add_text(out, v->title, 0);
		if (rc == FX_OK)
			rc = buf_adds(out, " (");
		if (rc == FX_OK)
			rc = add_text(out, v->resource_id, 0);
		if (rc == FX_OK)
			rc = buf_adds(out, "): ");
	}
	if (rc == FX_OK)
		rc = buf_adds(out, "Dry run: this is what fixit would have "
				   "done; nothing was changed.");
	if (rc == FX_OK && nonempty(would)) {
		rc = buf_adds(out, "\nIt would ");
		if (rc == FX_OK)
			rc = add_text(out, would, update);
		if (rc == FX_OK)
			rc = buf_adds(out, ".");
	}
	json_array_foreach(calls, i, c) {
		if (rc != FX_OK || json_string_value(c) == NULL)
			continue;
		rc = buf_adds(out,
		    i == 0 ? "\nAWS calls it would make: " : ", ");
		if (rc == FX_OK)
			rc = add_text(out, json_string_value(c), update);
	}
	/* plain text of digits, '$' and words: nothing to escape */
	if (rc == FX_OK && json_is_object(saving)) {
		rc = buf_adds(out, "\nIt would save an estimated ");
		if (rc == FX_OK)
			rc = slack_say_saving(saving, out);
		if (rc == FX_OK)
			rc = buf_adds(out,
			    " (not counted: nothing was changed).");
	}
	return rc;
}
