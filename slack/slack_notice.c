/*
 * slack_notice.c - why a signed request did nothing (see slack_notice.h).
 */
#include <stddef.h>

#include "slack_blocks.h"
#include "slack_notice.h"
#include "banned.h"

static const char *const notices[SN__COUNT] = {
	[SN_UNKNOWN_ACTION] = "fixit does not know this button any more; "
			      "nothing was changed. The current message "
			      "has the buttons that still work.",
	[SN_UNREADABLE] = "fixit could not read this request; nothing was "
			  "changed.",
	[SN_MODAL_LATE] = "Slack did not let fixit open the form in "
			  "time, so nothing was recorded. Please click the "
			  "button again.",
	[SN_COMMAND_FAILED] = "fixit could not run that command; see its "
			      "log.",
	[SN_COMMAND_WORKING] = "Working on it: the answer follows in a "
			       "moment.",
	[SN_COMMAND_NO_FOLLOW] = "This is taking a while, and fixit cannot "
				 "send the answer later here: please try "
				 "again in a minute.",
	[SN_COMMAND_BUSY] = "fixit is busy with other commands just now: "
			    "please try again in a minute.",
};

const char *
slack_notice_text(enum slack_notice n)
{
	if ((unsigned)n >= SN__COUNT)
		n = SN_UNREADABLE;
	return notices[n];
}

fx_err
slack_notice_command(const char *expected, const char *got, struct buf *out)
{
	fx_err rc;

	rc = buf_adds(out, "This app answers ");
	if (rc != FX_OK)
		goto out;
	rc = slack_blocks_escape(expected, out);
	if (rc != FX_OK)
		goto out;
	rc = buf_adds(out, "; ");
	if (rc != FX_OK)
		goto out;
	rc = slack_blocks_escape(got ? got : "this command", out);
	if (rc != FX_OK)
		goto out;
	rc = buf_adds(out, " was not run.");
out:
	return rc;
}
