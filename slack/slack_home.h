/*
 * slack_home.h - a user's own findings as Block Kit: the App Home tab
 * (views.publish) and the reply to /fixit mine share this renderer.
 *
 * Each finding shows its state and deadline, and while it waits for
 * its owner (notified, no exception request pending) the same buttons
 * as its message (slack_blocks_actions: fixit_fix_now, fixit_exc_1m,
 * fixit_exc_1y, value the finding id). Admins' homes also show the
 * counts per state and the pending exception requests with Approve /
 * Deny (fixit_exc_approve, fixit_exc_deny, value the exception id).
 *
 * Bounded: at most max_blocks blocks (Slack: 100 in a home view, 50 in
 * a message); findings that do not fit are counted in one "and N more"
 * line. Every string from the store is escaped (slack_blocks_escape)
 * and cut; plain_text is not parsed by Slack.
 *
 * Builders return a new reference the caller owns, or NULL when memory
 * ran out. Everything in struct slack_home is borrowed for the call.
 */
#ifndef FIXIT_SLACK_HOME_H
#define FIXIT_SLACK_HOME_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "slack_blocks.h"

#define SLACK_HOME_MAX_BLOCKS 100 /* Slack's limit for a home view */
#define SLACK_MSG_MAX_BLOCKS  50  /* and for a message */
/*
 * Slack sends the whole home view back with every click in it, form-
 * encoded (about 1.6 times its JSON) within fixitd's FX_MAX_SLACK_BODY:
 * a home's blocks stay under this many bytes of JSON.
 */
#define SLACK_HOME_MAX_BYTES  (24 * 1024)

struct slack_home_item {
	struct slack_finding_view v; /* its buttons as on the message */
	const char *state;	     /* fstate name: notified, fixing, ... */
	int64_t excepted_until;	     /* excepted: until when */
	int exc_pending;	     /* an exception request awaits approval */
};

struct slack_home_count {
	const char *state;
	int64_t n;
};

struct slack_home_approval {
	int64_t exception_id, finding_id;
	const char *title, *resource_id;
	const char *requested_by; /* a Slack user id: mentioned */
	const char *kind;	  /* "1m" | "1y" */
	const char *reason;
};

struct slack_home {
	const struct slack_home_item *items;
	size_t n;
	int64_t total;	       /* the user's open findings in all (>= n) */
	const char *more_hint; /* after "and N more: ", e.g. "use /fixit
				 * mine"; NULL: none */
	int admin;	       /* add the status and the approvals */
	const struct slack_home_count *counts;
	size_t ncounts;
	const struct slack_home_approval *approvals;
	size_t napprovals;
	int more_approvals; /* more are pending than napprovals */
	size_t max_bytes;   /* the blocks' JSON at most (0: no limit):
			     * findings past it are counted in "and N
			     * more" */
};

/* the blocks (a JSON array), at most max_blocks of them (>= 4) and
 * about h->max_bytes of JSON */
json_t *slack_home_blocks(const struct slack_home *h, size_t max_blocks) FX_WUR;
/* the views.publish "view": {"type":"home","blocks":[...]}, at most
 * SLACK_HOME_MAX_BLOCKS blocks (h->max_bytes as given) */
json_t *slack_home_view(const struct slack_home *h) FX_WUR;

#endif
