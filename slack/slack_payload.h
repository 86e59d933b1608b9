/*
 * slack_payload.h - parsing of what Slack posts to fixitd, after the
 * signature was verified (slack_sig.h):
 *   - interactivity: the JSON of the form field "payload" (block_actions,
 *     view_submission);
 *   - slash commands: the form body itself.
 *
 * Ownership: the parsed structs own every string in them (heap copies);
 * release them with slack_interaction_release / slack_command_release,
 * which accept NULL and leave the struct zeroed. On any error the struct
 * is already released. err (may be NULL) is reset and receives one
 * sentence naming the offending field, e.g. "payload.user.id: missing".
 * Every string is capped at FX_MAX_FIELD bytes, the reason at
 * FX_MAX_REASON characters (Slack's max_length counts characters, not
 * bytes); longer is FX_ETOOBIG. Wrong JSON types, a missing or empty
 * required string and JSON that is not an object (or that repeats a key
 * fixitd reads, in an object it reads: jscan.h) are FX_EINVAL. A JSON null
 * counts as absent.
 */
#ifndef FIXIT_SLACK_PAYLOAD_H
#define FIXIT_SLACK_PAYLOAD_H

#include <stddef.h>

#include "buf.h"
#include "fxerr.h"

enum slack_interaction_type {
	SI_OTHER = 0, /* any other "type": user_id, trigger_id only */
	SI_BLOCK_ACTIONS,
	SI_VIEW_SUBMISSION
};

struct slack_interaction {
	enum slack_interaction_type type;
	char *user_id;	  /* user.id, always set on success */
	char *trigger_id; /* or NULL */
	/* block_actions */
	char *channel_id;   /* container.channel_id, else channel.id */
	char *message_ts;   /* container.message_ts, else message.ts */
	char *action_id;    /* actions[0].action_id; NULL when actions is
			     * absent or empty */
	char *action_value; /* actions[0].value or NULL */
	int from_home;	    /* the click was in the App Home (view.type
			     * "home"): no channel, no message */
	/* view_submission */
	char *callback_id;	/* view.callback_id, always set */
	char *private_metadata; /* view.private_metadata or NULL */
	char *reason;	     /* view.state.values.reason.reason.value or NULL */
	char *selected_user; /* view.state.values.owner.owner.selected_user
			      * (the reassign form's users_select) or NULL;
			      * A-Z 0-9 only, <= FX_MAX_SLACK_USER bytes */
};

/* json/len: the decoded "payload" form value (need not be NUL-terminated) */
fx_err slack_interaction_parse(const char *json, size_t len,
    struct slack_interaction *out, struct buf *err) FX_WUR;
void slack_interaction_release(struct slack_interaction *si);

struct slack_command {
	char *user_id;	    /* required, non-empty */
	char *command;	    /* required, non-empty, e.g. "/fixit" */
	char *text;	    /* "" when absent */
	char *channel_id;   /* or NULL */
	char *response_url; /* or NULL */
};

/* body/len: the raw form body of a slash command request */
fx_err slack_command_parse(const char *body, size_t len,
    struct slack_command *out, struct buf *err) FX_WUR;
void slack_command_release(struct slack_command *c);

#endif
