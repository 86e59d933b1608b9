/*
 * slack_notice.h - the sentences fixitd answers with when a validly
 * signed Slack request asks for something it does not do: Slack shows
 * the user an error for anything but a 200, so fixitd answers 200 and
 * says why nothing happened.
 *
 * The sentences told through the outbox are facts ("unknown_action",
 * "modal_late": common/fxsay.h) that slack_say puts into these words;
 * the direct answers (modal errors, slash commands) use them here.
 *
 * Ownership: the returned strings are static; slack_notice_command
 * appends to out, which the caller owns. Thread-safe.
 */
#ifndef FIXIT_SLACK_NOTICE_H
#define FIXIT_SLACK_NOTICE_H

#include "buf.h"
#include "fxerr.h"

enum slack_notice {
	SN_UNKNOWN_ACTION = 0, /* a button fixitd does not know (any more) */
	SN_UNREADABLE,	       /* a request it could not read */
	SN_MODAL_LATE,	       /* a form (exception, Not mine, False
				* positive) could not be opened in
				* time (the trigger id lasts 3 s) */
	/* /fixit (server/cmdq.c): */
	SN_COMMAND_FAILED,    /* the command could not run */
	SN_COMMAND_WORKING,   /* past the deadline: the answer follows */
	SN_COMMAND_NO_FOLLOW, /* past it, and no response_url to use */
	SN_COMMAND_BUSY,      /* every worker busy, the queue full */
	SN__COUNT
};

/* the plain text (no markup) of notice n */
const char *slack_notice_text(enum slack_notice n);

/*
 * A slash command other than the one configured: "This app answers
 * /fixit; /weather was not run." Both names are shown as typed, so
 * they are escaped.
 */
fx_err slack_notice_command(const char *expected, const char *got,
    struct buf *out) FX_WUR;

#endif
