/*
 * cmd.h - the /fixit slash command (docs/CONTRACTS.md "/fixit").
 *
 *   status               counts by state and by playbook, due in the next
 *                        24 h, recent failures, paused playbooks
 *   show ID              one finding, its exceptions and its history
 *   due                  findings whose fix is coming, soonest first
 *   exceptions           active and pending exceptions
 *   pause PLAYBOOK|all   stop fixes (sm_pause)
 *   resume PLAYBOOK|all  start them again
 *   undo ID              queue the undo of a fixed finding
 *   scan                 start a scan of every account x region now
 *   mine                 the caller's own open findings, with their
 *                        buttons (Block Kit blocks)
 *   help                 the list above
 *
 * Only admins (policy_is_admin) may run it, but for `help` and `mine`,
 * which everyone may; anyone else gets a refusal and nothing runs. Every database access is a job on the writer thread
 * (dbw_call), reads included.
 */
#ifndef FIXIT_CMD_H
#define FIXIT_CMD_H

#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "dbwriter.h"
#include "fxerr.h"
#include "policy.h"

/* the longest reply, in bytes (Slack shows about 3,000 characters of an
 * ephemeral text without "see more") */
#define CMD_MAX_REPLY 3000

/*
 * Run the command text ("status", "show 12", ...) for user_id. reply is
 * reset and receives Slack mrkdwn text (the HTTP layer wraps it in an
 * ephemeral response), at most CMD_MAX_REPLY bytes. Refusals, unknown
 * commands, bad ids, unknown playbooks and a text that is not valid
 * UTF-8 are answered in reply with FX_OK (reply is always UTF-8); an error return means the database or memory failed (reply is
 * then empty). blocks (may be NULL) receives a new reference to Block
 * Kit blocks to send with the text (`mine`), else NULL. The caller owns
 * every argument.
 */
struct scan;
/* scan: NULL when scanning is not set up */
fx_err cmd_run(struct dbw *w, const struct policy *pol, struct scan *scan,
    const char *user_id, const char *text, int64_t now, struct buf *reply,
    json_t **blocks) FX_WUR;

#endif
