/*
 * slack_notice.h - the short sentences fixitd says to one person when
 * Slack itself let an interaction down (sent as ephemeral messages).
 *
 * Ownership: the strings are static; never NULL.
 */
#ifndef FIXIT_SLACK_NOTICE_H
#define FIXIT_SLACK_NOTICE_H

/*
 * The exception form could not be opened in time (Slack's trigger id
 * lives 3 seconds): nothing was recorded, click the button again.
 */
const char *slack_notice_modal_late(void);

#endif
