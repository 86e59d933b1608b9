/*
 * pb_iam_load.h - what iam-admin-paths reads from IAM: the account's
 * roles and managed policies (one paged GetAccountAuthorizationDetails,
 * Filter Role, LocalManagedPolicy, AWSManagedPolicy; IsTruncated /
 * Marker) into a graph, and the evidence of use of a role's admin
 * actions (GenerateServiceLastAccessedDetails at ACTION_LEVEL, then
 * GetServiceLastAccessedDetails until the job completes; paged).
 *
 * Calls (auditor): iam:GetAccountAuthorizationDetails,
 * iam:GenerateServiceLastAccessedDetails,
 * iam:GetServiceLastAccessedDetails.
 *
 * Parameters: page_size (MaxItems, default 100; 1..1000),
 * max_pages (default FX_MAX_AWS_PAGES, 1000; past it the load fails), evidence_polls (default 30; 1..600),
 * evidence_interval_ms (default 1000; 0..60000).
 */
#ifndef FIXIT_PB_IAM_LOAD_H
#define FIXIT_PB_IAM_LOAD_H

#include <stdint.h>
#include <jansson.h>

#include "pb_iam_graph.h"
#include "playbook.h"

/* the account's roles and managed policies; *g a new graph */
fx_err pb_iam_load(struct pb_ctx *x, struct pb_iam_graph **g) FX_WUR;
/* the same into g (x's account: pb_iam_graph_account first) */
fx_err pb_iam_load_into(struct pb_ctx *x, struct pb_iam_graph *g) FX_WUR;

/*
 * The evidence of role arn's admin actions (mask): per action
 *   {"action": "iam:PutRolePolicy", "last_accessed": TIME or null,
 *    "verdict": "unused" | "used" | "unknown"}
 * "unused": tracked and not accessed since now - unused_days;
 * "used": accessed since; "unknown": IAM does not track it, or the
 * report failed. *unused = the mask of the unused ones. *ev a new
 * object {"source", "unused_days", "job_completed", "actions": [...]}.
 */
fx_err pb_iam_evidence(struct pb_ctx *x, const char *arn, uint32_t mask,
    int64_t unused_days, json_t **ev, uint32_t *unused) FX_WUR;
/* the same in two halves, so that many reports are generated at once:
 * start (*job a new string), then read */
fx_err pb_iam_evidence_start(struct pb_ctx *x, const char *arn,
    char **job) FX_WUR;
fx_err pb_iam_evidence_read(struct pb_ctx *x, const char *job, uint32_t mask,
    int64_t unused_days, json_t **ev, uint32_t *unused) FX_WUR;

#endif
