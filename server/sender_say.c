/*
 * sender_say.c - what an outbox row says, in Slack's words (see
 * sender_int.h): facts rendered by slack/slack_say.h, legacy texts as
 * they were.
 */
#include <stddef.h>
#include <jansson.h>

#include "fxsay.h"
#include "sender_int.h"
#include "slack_blocks.h"
#include "slack_say.h"
#include "banned.h"

/* the view of f (NULL: none) in v, iac its buffer */
static const struct slack_finding_view *
view_of(const struct config *cfg, const struct finding *f, char *iac,
    size_t len, struct slack_finding_view *v)
{
	if (f == NULL)
		return NULL;
	sender_view_of(cfg, f, iac, len, v);
	return v;
}

int
sender_say_has(const json_t *args)
{
	return json_object_get(args, FXSAY_KEY) != NULL ||
	       json_is_string(json_object_get(args, "text"));
}

json_t *
sender_say_message(const struct config *cfg, const struct finding *f,
    const json_t *args, int decision)
{
	const char *text = json_string_value(json_object_get(args, "text"));
	const struct slack_finding_view *vp;
	struct slack_finding_view v;
	struct buf t = BUF_INIT;
	json_t *msg = NULL;
	char iac[257];

	vp = view_of(cfg, f, iac, sizeof(iac), &v);
	if (json_object_get(args, FXSAY_KEY) == NULL) {
		if (text != NULL)
			msg = decision && vp ? slack_blocks_decision(vp, text)
					     : slack_blocks_text(text);
		return msg;
	}
	if (slack_say(args, vp, &t) == FX_OK)
		msg = decision && vp ? slack_blocks_decision(vp, buf_str(&t))
				     : slack_blocks_mrkdwn(buf_str(&t));
	buf_release(&t);
	return msg;
}

fx_err
sender_say_text(const struct config *cfg, const struct finding *f,
    const json_t *args, struct buf *t)
{
	const char *text = json_string_value(json_object_get(args, "text"));
	const struct slack_finding_view *vp;
	struct slack_finding_view v;
	char iac[257];

	if (json_object_get(args, FXSAY_KEY) == NULL)
		return buf_adds(t, text ? text : "");
	vp = view_of(cfg, f, iac, sizeof(iac), &v);
	return slack_say(args, vp, t);
}
