/*
 * pb_iam_policy.h - the IAM policy-document evaluator of iam-admin-paths:
 * what one identity policy or trust policy grants, summarised for the
 * graph (pb_iam_graph.h), and the same policy without some actions.
 *
 * Documents: the JSON text IAM stores (GetAccountAuthorizationDetails
 * and GetRolePolicy return it URL-encoded: pb_iam_urldecode first).
 * Statement an array or one object; Effect Allow or Deny; Action or
 * NotAction and Resource or NotResource, each a string or an array,
 * with the wildcards '*' and '?' (actions compared without case,
 * resources with case).
 *
 * What counts, conservatively (a false path costs an owner's time, a
 * missed one is reported by nobody, so the rules lean to "no path"):
 *   - an Allow with a Condition grants nothing (a Condition restricts,
 *     and fixit does not evaluate conditions);
 *   - a Deny applies whatever its Condition: Deny beats Allow;
 *   - the admin actions (pb_iam_admin_action[]) count when granted on a
 *     resource that covers every IAM entity of its kind (the action is
 *     tried on a probe ARN "arn:aws:iam::ACCOUNT:role/..."): "iam:*" on
 *     "*" is admin, iam:PutRolePolicy on one named role is not;
 *   - sts:AssumeRole and iam:PassRole keep their resource patterns: the
 *     graph matches them against each role's ARN (an Allow with
 *     NotResource grants neither; a Deny with NotResource denies all).
 *
 * Trust policies (a role's AssumeRolePolicyDocument): who may assume
 * the role, unconditionally: AWS principals (ARNs, account ids, "*"),
 * services (ec2.amazonaws.com ...) and web-identity providers; a
 * statement with a Condition trusts nobody, except a web-identity
 * statement (an EKS service account is always named by a condition).
 *
 * Ownership: a struct pb_iam_pol / pb_iam_trust owns its strings
 * (pb_iam_pol_release / pb_iam_trust_release; both accept NULL).
 */
#ifndef FIXIT_PB_IAM_POLICY_H
#define FIXIT_PB_IAM_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

/* the IAM actions that administer IAM; bit i of a mask = entry i */
#define PB_IAM_NADMIN 15
extern const char *const pb_iam_admin_action[PB_IAM_NADMIN];
#define PB_IAM_ALL ((uint32_t)((1u << PB_IAM_NADMIN) - 1))

/* launch permissions that make iam:PassRole a hop (bit = service) */
#define PB_IAM_LAUNCH_EC2    0x1u /* ec2:RunInstances */
#define PB_IAM_LAUNCH_LAMBDA 0x2u /* lambda:CreateFunction */

struct pb_iam_pats {
	char **v;
	size_t n, cap;
};

/* what one identity policy grants, as far as the graph cares */
struct pb_iam_pol {
	uint32_t allow; /* admin actions an unconditional Allow grants */
	uint32_t deny;	/* admin actions a Deny takes away */
	struct pb_iam_pats assume, assume_deny; /* sts:AssumeRole */
	struct pb_iam_pats pass, pass_deny;	/* iam:PassRole */
	unsigned launch;			/* PB_IAM_LAUNCH_* */
	unsigned conditional; /* Allow statements skipped: a Condition */
};

/* who a trust policy lets assume the role */
#define PB_IAM_TRUST_ANY 0x1u /* "*" */
struct pb_iam_trust {
	struct pb_iam_pats aws;	      /* ARNs; account ids as :root ARNs */
	struct pb_iam_pats aws_deny;  /* the same, denied */
	struct pb_iam_pats service;   /* "ec2.amazonaws.com" */
	struct pb_iam_pats federated; /* web identity providers */
	unsigned flags;
	unsigned conditional; /* statements skipped: a Condition */
};

void pb_iam_pol_release(struct pb_iam_pol *p);
void pb_iam_trust_release(struct pb_iam_trust *t);

/* IAM's URL-encoded document (%XX) decoded into out (appended) */
fx_err pb_iam_urldecode(const char *s, struct buf *out) FX_WUR;
/* a document: JSON text, or URL-encoded when it starts with '%'; *doc
 * a new reference; FX_EINVAL when it is no JSON object */
fx_err pb_iam_doc(const char *text, json_t **doc) FX_WUR;

/* '*' and '?' wildcards; fold: ASCII case ignored */
int pb_iam_glob(const char *pat, const char *s, int fold);
/* 1 when one pattern of pats matches s (case kept) */
int pb_iam_pats_match(const struct pb_iam_pats *pats, const char *s);

/* summarise identity policy doc of account (the probe ARNs' account);
 * p is filled from zero */
fx_err pb_iam_pol_eval(const json_t *doc, const char *account,
    struct pb_iam_pol *p) FX_WUR;
/* summarise trust policy doc; t is filled from zero */
fx_err pb_iam_trust_eval(const json_t *doc, struct pb_iam_trust *t) FX_WUR;
/* 1 when t lets principal arn (of account) assume the role: its ARN,
 * its account's root, or "*"; and no Deny names it */
int pb_iam_trust_aws(const struct pb_iam_trust *t, const char *arn,
    const char *account);
/* 1 when t trusts service (exact, e.g. "lambda.amazonaws.com") */
int pb_iam_trust_service(const struct pb_iam_trust *t, const char *service);

/*
 * doc without the admin actions of mask remove (a new reference; NULL
 * on ENOMEM): an Allow's Action entry that names one of them is dropped
 * (a statement left with no action goes); one granted through a
 * wildcard ("iam:*", "iam:Put*", NotAction) stays and a Deny statement
 * (Sid PB_IAM_DENY_SID) of exactly those actions on "*" is added, so
 * the policy grants everything else it granted before.
 */
#define PB_IAM_DENY_SID "FixitRemoveUnusedIamAdmin"
json_t *pb_iam_pol_reduce(const json_t *doc, const char *account,
    uint32_t remove);
/* the names of mask's actions as a JSON array (new; NULL on ENOMEM) */
json_t *pb_iam_mask_json(uint32_t mask);
/* the bit of action name (case ignored), 0 when it is no admin action */
uint32_t pb_iam_admin_bit(const char *action);

#endif
