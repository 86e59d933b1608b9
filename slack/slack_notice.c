/*
 * slack_notice.c - sentences for one person (see slack_notice.h).
 */
#include "slack_notice.h"
#include "banned.h"

const char *
slack_notice_modal_late(void)
{
	return "Slack did not let fixit open the exception form in time, "
	       "so nothing was recorded. Please click the button again.";
}
