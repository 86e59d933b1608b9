/*
 * pb_iam_admin.c - playbook "iam-admin-paths": lateral movement from
 * compute to IAM-admin power. Global (IAM): one run per account.
 *
 *   detect  pb_iam_load (GetAccountAuthorizationDetails, paged) into the
 *           role graph, the Lambda functions and the other configured
 *           accounts' roles (pb_iam_compute.h: hops and entries, never
 *           findings), pb_iam_graph_solve: every admin role compute
 *           reaches in at most max_hops hops (instance -> role -> role
 *           -> admin is 3). Per such role the evidence of use of its
 *           admin actions (pb_iam_evidence; CloudTrail may keep an
 *           action, pb_iam_trail_apply) and the guards; one finding
 *           per role: resource = the role, details = the chain hop by
 *           hop, the policies that grant the power, the evidence, what
 *           a fix removes and what it keeps.
 *   check   the same analysis again for the finding's role: gone ->
 *           GONE; not reached or no admin action left -> RIGHT; a guard
 *           -> KEEP.
 *   fix     pb_iam_fix.c: the unused admin actions out of each policy
 *           that grants them; prior = each change, for undo.
 *   verify  the analysis again: none of the removed actions is held.
 *   undo    pb_iam_fix.c: every change taken back.
 *
 * Eligibility (iag_eligible, the same in detect, check and fix): a
 * service-linked role (path /aws-service-role/) and fixit's own roles
 * (its configured role ARNs, any fixit-* role) are exempt; allow_tag present: exempt; IaC-owned: notify only; the
 * role must be older than unused_days (its whole life is the evidence
 * window); and at least one admin action must be unused: an action used
 * within unused_days, or one IAM does not track (unknown), is never
 * removed, and a role with nothing to remove is no finding.
 *
 * Approval: never fix unasked (the example config: approval owner with
 * an admin's approval, mode notify).
 *
 * Parameters: max_hops (4; 1..8), unused_days (365; 1..400: IAM reports
 * action last accessed for at least the last 400 days, so "never used"
 * proves no longer a window), allow_tag
 * ("fixit:allow-iam-admin"), max_nodes, max_edges, max_checks (the
 * search's caps, pb_iam_graph.h), and pb_iam_load.h's and
 * pb_iam_compute.h's (max_accounts, max_trail_pages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_iam_admin.h"
#include "pb_iam_load.h"
#include "banned.h"

#define ALLOW_TAG     "fixit:allow-iam-admin"
#define GRANTS_SHOWN  20  /* policies listed in a finding's details */
#define EVIDENCE_DAYS 400 /* IAM's action last accessed looks back this far */

void
pb_iam_case_release(struct pb_iam_case *c)
{
	if (c == NULL)
		return;
	pb_iam_graph_free(c->g);
	pb_iam_trail_release(&c->trail);
	json_decref(c->details);
	memset(c, 0, sizeof(*c));
}

static void
limits(struct pb_ctx *x, struct pb_iam_limits *l)
{
	pb_iam_limits_default(l);
	l->max_hops = (int)pb_param_range(x, "max_hops", 4, 1, 8);
	l->max_nodes =
	    (size_t)pb_param_clamp(x, "max_nodes", 100000, 1, 10000000);
	l->max_edges =
	    (size_t)pb_param_clamp(x, "max_edges", 1000000, 1, 100000000);
	l->max_checks = (uint64_t)pb_param_clamp(x, "max_checks", 50000000, 1,
	    10000000000LL);
}

static int64_t
unused_days(struct pb_ctx *x)
{
	return pb_param_range(x, "unused_days", 365, 1, EVIDENCE_DAYS);
}

static const char *const kind_name[] = { "inline", "customer managed",
	"AWS managed" };

/* the policies of role that grant its admin actions */
static json_t *
grants_json(const struct pb_iam_graph *g, size_t role)
{
	struct pb_iam_grant gr;
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; a != NULL && pb_iam_graph_grant(g, role, i, &gr); i++) {
		if (i == GRANTS_SHOWN) {
			/* the details stay under FX_MAX_DETAILS; the fix
			 * reads the policies again */
			o = json_pack("{s:s, s:s, s:[]}", "kind", "more",
			    "name", "(more policies)", "actions");
			if (o == NULL || json_array_append_new(a, o) != 0) {
				json_decref(a);
				a = NULL;
			}
			break;
		}
		o = json_pack("{s:s, s:s, s:s?, s:o}", "kind",
		    kind_name[gr.kind], "name", gr.name, "arn", gr.arn,
		    "actions", pb_iam_mask_json(gr.allow));
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/*
 * The guards of iam-admin-paths (playbook.h, eligibility): detect,
 * check and fix call this one function.
 */
static void
iag_eligible(struct pb_ctx *x, const struct pb_iam_graph *g, size_t role,
    uint32_t unused, struct pb_elig *e)
{
	const char *arn = pb_iam_graph_arn(g, role);
	int i;

	pb_elig_init(e);
	if (strstr(arn, ":role/aws-service-role/") != NULL)
		pb_elig_exempt(e, "a service-linked role");
	for (i = 0; i < PB_ROLE__COUNT; i++)
		if (x->role_arn[i] != NULL && strcmp(x->role_arn[i], arn) == 0)
			pb_elig_exempt(e, "one of fixit's own roles");
	/* the remediator's policy denies it these roles anyway */
	if (strncmp(pb_iam_graph_name(g, role), "fixit-", 6) == 0)
		pb_elig_exempt(e, "a fixit-* role (fixit's own)");
	pb_elig_tags(x, e, pb_iam_graph_tags(g, role),
	    pb_param_str(x, "allow_tag", ALLOW_TAG));
	pb_elig_age(x, e, pb_iam_graph_created(g, role),
	    unused_days(x) * 86400);
	if (unused == 0)
		pb_elig_exempt(e,
		    "every admin action was used within %lld days or is "
		    "not tracked by IAM: nothing is removed",
		    (long long)unused_days(x));
}

/*
 * The guards apart from the evidence: 1 when they exempt the role
 * already (it then costs no last-accessed report)
 */
static int
exempt_anyway(struct pb_ctx *x, struct pb_iam_case *c)
{
	iag_eligible(x, c->g, c->role, pb_iam_graph_admin(c->g, c->role),
	    &c->e);
	return c->e.kind == PB_EXEMPT;
}

/* the analysis of one role that compute reaches in hops; job: its
 * report, started already (pb_iam_evidence_start), or NULL */
/* the account's roles and policies, and its Lambda functions */
static fx_err
load(struct pb_ctx *x, struct pb_iam_graph **g)
{
	fx_err rc;

	if ((rc = pb_iam_load(x, g)) == FX_OK)
		rc = pb_iam_lambda(x, *g);
	if (rc == FX_OK)
		rc = pb_iam_others(x, *g);
	return rc;
}

static fx_err
analyse(struct pb_ctx *x, struct pb_iam_case *c, int hops, const char *job)
{
	json_t *ev = NULL, *chain, *grants;
	uint32_t keep;
	fx_err rc;

	c->admin = pb_iam_graph_admin(c->g, c->role);
	c->unused = 0;
	json_decref(c->details);
	c->details = NULL;
	if (exempt_anyway(x, c))
		return FX_OK;
	rc = job != NULL ? pb_iam_evidence_read(x, job, c->admin,
			       unused_days(x), &ev, &c->unused)
			 : pb_iam_evidence(x, pb_iam_graph_arn(c->g, c->role),
			       c->admin, unused_days(x), &ev, &c->unused);
	if (rc == FX_OK)
		rc = pb_iam_trail_apply(x, &c->trail,
		    pb_iam_graph_arn(c->g, c->role), unused_days(x), ev,
		    &c->unused);
	if (rc != FX_OK) {
		json_decref(ev);
		return rc;
	}
	iag_eligible(x, c->g, c->role, c->unused, &c->e);
	chain = pb_iam_graph_chain(c->g, c->role);
	grants = grants_json(c->g, c->role);
	keep = c->admin & ~c->unused;
	c->details = json_pack("{s:s, s:s, s:i, s:o?, s:o?, s:o, s:o, s:o}",
	    "role", pb_iam_graph_name(c->g, c->role), "role_arn",
	    pb_iam_graph_arn(c->g, c->role), "hops", hops, "chain", chain,
	    "grants", grants, "evidence", ev, "remove",
	    pb_iam_mask_json(c->unused), "keep", pb_iam_mask_json(keep));
	return c->details != NULL ? FX_OK : FX_ENOMEM;
}

fx_err
pb_iam_case_read(struct pb_ctx *x, const char *name, struct pb_iam_case *c)
{
	struct pb_iam_limits lim;
	struct pb_iam_hit *hits = NULL;
	size_t n = 0, i;
	fx_err rc;

	memset(c, 0, sizeof(*c));
	pb_elig_init(&c->e);
	limits(x, &lim);
	if ((rc = load(x, &c->g)) != FX_OK)
		goto out;
	if ((rc = pb_iam_graph_solve(c->g, &lim, &hits, &n)) != FX_OK)
		goto out;
	if (name == NULL || !pb_iam_graph_find(c->g, name, &c->role))
		goto out;
	c->found = 1;
	for (i = 0; i < n && hits[i].role != c->role; i++)
		;
	if (i == n)
		goto out;
	c->reached = 1;
	rc = analyse(x, c, hits[i].hops, NULL);
out:
	free(hits);
	return rc;
}

/* every report started first (IAM generates them side by side), then
 * read: a scan waits about one report, not one per role */
static fx_err
start_reports(struct pb_ctx *x, struct pb_iam_case *c,
    const struct pb_iam_hit *hits, size_t n, char **jobs)
{
	size_t i;
	fx_err rc;

	for (i = 0; i < n; i++) {
		c->role = hits[i].role;
		if (exempt_anyway(x, c))
			continue;
		rc = pb_iam_evidence_start(x, pb_iam_graph_arn(c->g, c->role),
		    &jobs[i]);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
iag_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct pb_iam_case c;
	struct pb_iam_limits lim;
	struct pb_iam_hit *hits = NULL;
	char title[256], **jobs = NULL;
	size_t n = 0, i;
	fx_err rc;

	memset(&c, 0, sizeof(c));
	limits(x, &lim);
	if ((rc = load(x, &c.g)) != FX_OK)
		goto out;
	if ((rc = pb_iam_graph_solve(c.g, &lim, &hits, &n)) != FX_OK)
		goto out;
	if (pb_iam_graph_truncated(c.g) != NULL)
		pb_say(x, "the IAM graph search stopped at its %s cap",
		    pb_iam_graph_truncated(c.g));
	if ((jobs = calloc(n + 1, sizeof(*jobs))) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = start_reports(x, &c, hits, n, jobs)) != FX_OK)
		goto out;
	for (i = 0; i < n && rc == FX_OK; i++) {
		if (jobs[i] == NULL)
			continue; /* exempt: no finding */
		c.role = hits[i].role;
		if ((rc = analyse(x, &c, hits[i].hops, jobs[i])) != FX_OK)
			break;
		if (!pb_elig_found(&c.e))
			continue;
		(void)snprintf(title, sizeof(title),
		    "role %s: IAM admin reachable from compute in %d hops",
		    pb_iam_graph_name(c.g, c.role), hits[i].hops);
		rc = pb_found(found, pb_iam_graph_name(c.g, c.role),
		    pb_iam_graph_arn(c.g, c.role), title,
		    json_incref(c.details),
		    json_deep_copy(pb_iam_graph_tags(c.g, c.role)));
	}
out:
	for (i = 0; jobs != NULL && i < n; i++)
		free(jobs[i]);
	free(jobs);
	free(hits);
	pb_iam_case_release(&c);
	return rc;
}

static fx_err
iag_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct pb_iam_case c;
	const char *name;
	char what[192];
	fx_err rc;

	*v = PB_WRONG;
	memset(&c, 0, sizeof(c));
	if ((rc = pb_resource(x, finding, &name)) != FX_OK)
		return rc;
	if ((rc = pb_iam_case_read(x, name, &c)) != FX_OK)
		goto out;
	if (!c.found) {
		*v = PB_GONE;
		pb_say(x, "role %s no longer exists", name);
	} else if (!c.reached) {
		*v = PB_RIGHT;
		pb_say(x, "role %s: no path from compute to IAM admin", name);
	} else {
		(void)snprintf(what, sizeof(what), "role %s", name);
		*v = pb_elig_check(x, &c.e, what);
	}
out:
	pb_iam_case_release(&c);
	return rc;
}

static fx_err
iag_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct pb_iam_case c;
	const json_t *rm = json_object_get(prior, "removed"), *a;
	const char *name;
	uint32_t removed = 0, held;
	size_t i;
	fx_err rc;

	*ok = 0;
	memset(&c, 0, sizeof(c));
	if ((rc = pb_resource(x, finding, &name)) != FX_OK)
		return rc;
	json_array_foreach(rm, i, a)
		removed |= pb_iam_admin_bit(json_string_value(a));
	/* the role's power whether or not compute still reaches it */
	if ((rc = pb_iam_case_read(x, NULL, &c)) != FX_OK)
		goto out;
	if (!pb_iam_graph_find(c.g, name, &c.role)) {
		pb_say(x, "role %s no longer exists", name);
		goto out;
	}
	held = pb_iam_graph_admin(c.g, c.role) & removed;
	*ok = held == 0;
	if (*ok)
		pb_say(x, "verified: role %s holds none of the removed actions",
		    name);
	else
		pb_say(x, "role %s still holds %u of the removed actions", name,
		    (unsigned)__builtin_popcount(held));
out:
	pb_iam_case_release(&c);
	return rc;
}

const struct pb_def pb_iam_admin_paths = {
	.name = "iam-admin-paths",
	.summary = "remove unused IAM-admin actions that compute can reach "
		   "through role hops",
	.irreversible = 0,
	.global = 1,
	.detect = iag_detect,
	.check = iag_check,
	.fix = pb_iam_admin_fix,
	.verify = iag_verify,
	.undo = pb_iam_admin_undo,
};
