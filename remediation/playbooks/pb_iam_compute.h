/*
 * pb_iam_compute.h - what iam-admin-paths reads besides IAM: the Lambda
 * functions that run as roles (so that a role Lambda may assume but no
 * function uses is not compute), and CloudTrail's events of a role's
 * admin actions (so that a use IAM's last-accessed report does not show
 * yet keeps the action).
 *
 * Lambda: ListFunctions (REST-JSON, GET /2015-03-31/functions/,
 * MaxItems / Marker -> NextMarker) in every region the account is
 * scanned in (x->regions, else x->region). Only when every region was
 * listed does the graph know its functions (pb_iam_graph_lambda); a
 * region that fails (AccessDenied, an endpoint down) leaves the trust
 * inference in place and the chain says so.
 *
 * CloudTrail: LookupEvents EventName=<action> (its last
 * min(unused_days, 90) days: the event history's reach), read once per
 * action per scan (struct pb_iam_trail caches it) through
 * pb_sto_util_lookup; an event is the role's when its
 * userIdentity.sessionContext.sessionIssuer.arn (an assumed role) or
 * userIdentity.arn is the role's ARN. An "unused" action with such an
 * event is "used" (the action stays); CloudTrail never makes an action
 * unused. A lookup that fails or passes max_trail_pages (default 20;
 * 1..40) changes nothing, and the evidence says it was not read.
 *
 * Calls (auditor): lambda:ListFunctions, cloudtrail:LookupEvents.
 */
#ifndef FIXIT_PB_IAM_COMPUTE_H
#define FIXIT_PB_IAM_COMPUTE_H

#include <jansson.h>

#include "pb_iam_graph.h"
#include "playbook.h"

/* the functions of the account into g (pb_iam_graph_function); only
 * FX_ENOMEM fails it: an unreadable listing leaves Lambda unknown */
fx_err pb_iam_lambda(struct pb_ctx *x, struct pb_iam_graph *g) FX_WUR;

/*
 * The other configured accounts (x->accounts, at most max_accounts,
 * default 20; 0 = none) into g: each one's GetAccountAuthorizationDetails
 * and ListFunctions, read as fixit's auditor role of that account. An
 * account that cannot be read is said (pb_say) and left out: chains
 * from it are not followed. Only FX_ENOMEM fails it.
 */
fx_err pb_iam_others(struct pb_ctx *x, struct pb_iam_graph *g) FX_WUR;

/* CloudTrail's events per admin action, read once per scan */
struct pb_iam_trail {
	json_t *seen; /* action -> {role arn: newest epoch} or null (unread) */
};
void pb_iam_trail_release(struct pb_iam_trail *t); /* accepts NULL */

/*
 * Into ev (pb_iam_evidence's object) for role arn: each "unused"
 * action with an event of the role's since the window start becomes
 * "used" ("cloudtrail_last": its time) and leaves *unused; ev gets
 * "cloudtrail": what was read.
 */
fx_err pb_iam_trail_apply(struct pb_ctx *x, struct pb_iam_trail *t,
    const char *arn, int64_t unused_days, json_t *ev, uint32_t *unused) FX_WUR;

#endif
