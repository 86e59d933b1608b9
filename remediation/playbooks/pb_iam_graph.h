/*
 * pb_iam_graph.h - the graph of iam-admin-paths: one account's roles, the
 * compute that carries them, the hops between them, and a bounded
 * breadth-first search from compute to IAM-admin power.
 *
 * Nodes are roles (index = order added). An entry is a role that compute
 * carries: one in an instance profile (EC2, EKS nodes), one a Lambda
 * function runs as (or, when the functions could not be listed, one
 * trusted by lambda.amazonaws.com), one trusted by
 * ecs-tasks.amazonaws.com, or by an EKS OIDC provider (IRSA). A hop A -> B is
 *   sts:AssumeRole  A's policies allow sts:AssumeRole on B's ARN (no
 *                   Deny of it, inside A's permissions boundary) and B's
 *                   trust policy names A, A's account root or "*";
 *   iam:PassRole    A may pass B (same rules) and launch what B's trust
 *                   names (ec2:RunInstances and B in an instance profile
 *                   trusting ec2.amazonaws.com; lambda:CreateFunction and
 *                   lambda.amazonaws.com).
 * A role is admin when its policies grant an admin action
 * (pb_iam_policy.h), minus Denies, inside its boundary. A chain is the
 * entry (hop 1: compute -> role), the role hops, and the last hop to the
 * admin power: at most max_hops hops. The search stops at an admin role.
 *
 * Bounded work: roles and policies sit in hash tables (by name and
 * ARN); hops are found per trust-policy principal (an exact ARN is one
 * lookup; for an account-root or "*" trust, and for iam:PassRole, the
 * candidates come from an index of every role's sts:AssumeRole /
 * iam:PassRole patterns by their literal prefix: one lookup per
 * distinct prefix length, pb_iam_solve.c), capped at max_edges hops and
 * max_checks candidate tests; the search visits each role once (shortest
 * chain) and at most max_nodes roles. A cap reached is reported
 * (pb_iam_graph_truncated), never silently dropped.
 *
 * The graph owns copies of every string and holds a reference to every
 * document given (pb_iam_graph_free releases them).
 */
#ifndef FIXIT_PB_IAM_GRAPH_H
#define FIXIT_PB_IAM_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "pb_iam_policy.h"

struct pb_iam_graph;

struct pb_iam_limits {
	int max_hops;	     /* default 4 */
	size_t max_nodes;    /* roles visited; default 100000 */
	size_t max_edges;    /* hops built; default 1000000 */
	uint64_t max_checks; /* trust x assumer tests; default 50000000 */
};
void pb_iam_limits_default(struct pb_iam_limits *l);

fx_err pb_iam_graph_new(const char *account, struct pb_iam_graph **out) FX_WUR;
void pb_iam_graph_free(struct pb_iam_graph *g); /* accepts NULL */

/* a managed policy and its default version's document (doc may be
 * NULL: unknown, grants nothing); versions = how many it has */
fx_err pb_iam_graph_policy(struct pb_iam_graph *g, const char *arn,
    const char *name, const char *default_version, int attachments,
    int versions, const json_t *doc) FX_WUR;
/* a role; trust may be NULL (trusts nobody); *idx its index */
fx_err pb_iam_graph_role(struct pb_iam_graph *g, const char *name,
    const char *arn, const char *created, const json_t *trust,
    const json_t *tags, size_t *idx) FX_WUR;
fx_err pb_iam_graph_inline(struct pb_iam_graph *g, size_t role,
    const char *name, const json_t *doc) FX_WUR;
fx_err pb_iam_graph_attach(struct pb_iam_graph *g, size_t role,
    const char *policy_arn) FX_WUR;
fx_err pb_iam_graph_boundary(struct pb_iam_graph *g, size_t role,
    const char *policy_arn) FX_WUR;
fx_err pb_iam_graph_profile(struct pb_iam_graph *g, size_t role,
    const char *profile_name) FX_WUR;

/*
 * Across accounts: the graph's own account is the one it was made for
 * (its hits are that account's roles: a finding belongs to the account
 * whose permission a fix removes). Roles and policies of another
 * configured account are loaded after pb_iam_graph_account(g, other)
 * (and the own account set back after): they are hops and entries
 * (compute in account B reaching admin in account A), never hits, and
 * pb_iam_graph_find does not name them. A trust naming another
 * account's root lets that account's roles in (those whose policies
 * allow the sts:AssumeRole); iam:PassRole stays within an account.
 */
fx_err pb_iam_graph_account(struct pb_iam_graph *g, const char *account) FX_WUR;
const char *pb_iam_graph_account_of(const struct pb_iam_graph *g, size_t role);

/*
 * Lambda: known 1 when every function of the account being loaded (in every region
 * scanned) was listed; then a role that trusts lambda.amazonaws.com is
 * an entry only when a function runs as it (pb_iam_graph_function).
 * Unknown (the default): every such role is an entry, as its trust
 * says it may be (the chain says so).
 */
void pb_iam_graph_lambda(struct pb_iam_graph *g, int known);
/* function runs as role_arn (a role not in the graph: ignored) */
fx_err pb_iam_graph_function(struct pb_iam_graph *g, const char *role_arn,
    const char *function) FX_WUR;

/* one admin role compute reaches */
struct pb_iam_hit {
	size_t role;
	int hops; /* of the shortest chain, the admin hop included */
};
/* build the hops and search; *hits (caller frees) in role order */
fx_err pb_iam_graph_solve(struct pb_iam_graph *g,
    const struct pb_iam_limits *lim, struct pb_iam_hit **hits,
    size_t *nhits) FX_WUR;
/* which cap the last solve reached, or NULL */
const char *pb_iam_graph_truncated(const struct pb_iam_graph *g);
size_t pb_iam_graph_nroles(const struct pb_iam_graph *g);
size_t pb_iam_graph_nedges(const struct pb_iam_graph *g);

/* a role by name: 1 and *idx, or 0 */
int pb_iam_graph_find(const struct pb_iam_graph *g, const char *name,
    size_t *idx);
const char *pb_iam_graph_name(const struct pb_iam_graph *g, size_t role);
const char *pb_iam_graph_arn(const struct pb_iam_graph *g, size_t role);
const char *pb_iam_graph_created(const struct pb_iam_graph *g, size_t role);
const json_t *pb_iam_graph_tags(const struct pb_iam_graph *g, size_t role);
/* the admin actions the role holds (after solve) */
uint32_t pb_iam_graph_admin(const struct pb_iam_graph *g, size_t role);

/*
 * The chain to role after solve, hop by hop (new array; NULL on ENOMEM
 * or when compute does not reach it):
 *   [{"hop": 1, "from": "instance profile app", "to": "role app-role",
 *     "how": "instance profile"},
 *    {"hop": 2, "from": "role app-role", "to": "role mid",
 *     "how": "sts:AssumeRole"}, ...,
 *    {"hop": N, "from": "role admin", "to": "IAM admin",
 *     "how": "iam:PutRolePolicy, ..."}]
 */
json_t *pb_iam_graph_chain(const struct pb_iam_graph *g, size_t role);

/* a policy of a role that grants admin actions */
enum pb_iam_kind { PB_IAM_INLINE = 0, PB_IAM_CUSTOMER, PB_IAM_AWS };
struct pb_iam_grant {
	enum pb_iam_kind kind;
	const char *name;	   /* borrowed from the graph */
	const char *arn;	   /* managed; NULL inline */
	const char *version;	   /* managed: default version id */
	int attachments, versions; /* managed */
	const json_t *doc;	   /* borrowed */
	uint32_t allow;		   /* admin actions it grants */
};
/* the role's i-th policy granting admin actions: 1 and *out, 0 past
 * the last */
int pb_iam_graph_grant(const struct pb_iam_graph *g, size_t role, size_t i,
    struct pb_iam_grant *out);

#endif
