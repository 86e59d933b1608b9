/*
 * slack_iampath.h - an iam-admin-paths finding's chain and evidence in
 * words: the Slack message to the owner and /fixit show draw the path
 * from compute to IAM admin hop by hop, the policies that grant the
 * power, and per admin action when it was last used and what the fix
 * does with it.
 *
 * details is the finding's details object (remediation/playbooks/
 * pb_iam_admin.c writes it: "hops", "chain" [{hop, from, to, how}],
 * "grants" [{kind, name}], "evidence" {unused_days, actions [{action,
 * last_accessed, verdict}]}). Every value is escaped for mrkdwn
 * (slack_blocks_escape, the one escaper); nothing is appended when
 * details hold no chain. The text stops, whole lines only, where out's
 * cap is reached.
 */
#ifndef FIXIT_SLACK_IAMPATH_H
#define FIXIT_SLACK_IAMPATH_H

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

/* the lines, appended to out; FX_ENOMEM only (a full out is fine) */
fx_err slack_iampath_mrkdwn(const json_t *details, struct buf *out) FX_WUR;

#endif
