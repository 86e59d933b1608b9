/*
 * pb_quarantine_iam.h - the IAM half of ec2-quarantine: a deny that holds
 * one instance, not every holder of its role.
 *
 * An instance's role credentials carry the global condition key
 * ec2:SourceInstanceARN (the instance they were issued to). The
 * quarantine puts one inline policy per instance on the role, named for
 * the instance (PREFIX-i-0abc...), whose Deny of every action is
 * conditioned on that key being the instance's ARN: other instances of
 * the role keep working, two quarantines on one role are two policies,
 * and the undo of one deletes exactly its own.
 *
 * Calls: iam:GetInstanceProfile, iam:GetRolePolicy (auditor);
 * iam:PutRolePolicy, iam:DeleteRolePolicy (remediator).
 */
#ifndef FIXIT_PB_QUARANTINE_IAM_H
#define FIXIT_PB_QUARANTINE_IAM_H

#include "fxerr.h"
#include "playbook.h"

/* the policy name of instance id: policy_prefix (default
 * "fixit-quarantine") + "-" + id; new string, NULL on ENOMEM or when it
 * is no valid IAM policy name (pb_say) */
char *pb_quarantine_iam_name(struct pb_ctx *x, const char *id);
/* the role of the instance profile arn: *role a new string, NULL (with a
 * pb_say) when the profile is gone or holds none */
fx_err pb_quarantine_iam_role(struct pb_ctx *x, const char *profile_arn,
    char **role) FX_WUR;
/* GetRolePolicy: *has 1 when policy is on role */
fx_err pb_quarantine_iam_has(struct pb_ctx *x, const char *role,
    const char *policy, int *has) FX_WUR;
/* PutRolePolicy policy on role: Deny * on *, when ec2:SourceInstanceARN
 * is instance id's ARN (mutating: planned in a dry run) */
fx_err pb_quarantine_iam_put(struct pb_ctx *x, const char *role,
    const char *policy, const char *id) FX_WUR;
/* DeleteRolePolicy (already gone: fine) */
fx_err pb_quarantine_iam_delete(struct pb_ctx *x, const char *role,
    const char *policy) FX_WUR;

#endif
