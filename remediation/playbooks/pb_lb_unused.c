/*
 * pb_lb_unused.c - the "lb-unused" playbook: load balancers that serve
 * nothing are deleted (an hourly charge each); undo re-creates them,
 * best effort, under a new DNS name.
 *
 * Unused (lb_unused), judged from AWS alone, at a scan and again right
 * before the fix:
 *   application / network (ELBv2): no target of any of its target groups
 *     is healthy now (DescribeTargetHealth), and over the last idle_days
 *     CloudWatch has no daily Maximum of HealthyHostCount above 0 for any
 *     of them (AWS/ApplicationELB or AWS/NetworkELB, dimensions
 *     TargetGroup + LoadBalancer) nor, for an ALB, a daily Sum of
 *     RequestCount above 0 (an ALB that only redirects or answers fixed
 *     responses has no target but does serve);
 *   classic (ELB): no instance registered, and over idle_days no daily
 *     HealthyHostCount Maximum nor RequestCount Sum above 0 (AWS/ELB,
 *     LoadBalancerName).
 * Elastic Load Balancing reports a metric only while there is traffic,
 * so no datapoint at all means none: the age guard below is what makes
 * "idle_days of silence" mean "idle_days without use" (a younger load
 * balancer is left alone). fixit keeps no history of its own for this.
 *
 * Eligibility (lb_eligible, the same in detect, check and fix): at least
 * idle_days old (CreatedTime; unknown counts as too young), ELBv2 state
 * active, not a gateway load balancer, deletion protection off
 * (deletion_protection.enabled), not allow-tagged, and, with dns_guard,
 * no Route 53 record set of the account (CNAME value or alias target,
 * dualstack. or not, any zone) names its DNS name: deleting it would
 * leave that record dangling, so the owner must move the record first.
 * IaC-owned (aws:cloudformation:stack-name, events.iac_tags): found,
 * notify only.
 *
 * Parameters (x->params):
 *   idle_days  days without a healthy target or traffic, and the minimum
 *              age (default 45; 1..455, CloudWatch's daily retention)
 *   allow_tag  a load balancer with this tag is never touched
 *              (default "fixit:allow"; any value)
 *   dns_guard  1 (default): keep load balancers a Route 53 record of
 *              the account points at (route53 List* as the auditor);
 *              0: skip that look-up
 *
 * Steps:
 *   detect  ELBv2 and ELB DescribeLoadBalancers (Marker / NextMarker);
 *           per load balancer old enough, active and of a kind it
 *           handles: its target groups (DescribeTargetGroups, paged),
 *           their targets' health and the metrics above; per unused
 *           one DescribeTags and DescribeLoadBalancerAttributes, and
 *           Route 53 once per scan, when a load balancer first needs it.
 *   check   the same for the finding's load balancer (resource_id: the
 *           ELBv2 ARN, or the classic name): gone -> GONE, a guard ->
 *           KEEP, in use -> RIGHT.
 *   fix     the check again (nothing changed since), then the prior:
 *           the description, attributes, tags, and for ELBv2 every
 *           listener (DescribeListeners, paged) with its rules
 *           (DescribeRules, paged) and every target group with its
 *           targets; "usage" lb_hour of its kind, 730 hours. Then AddTags
 *           (fixit: tags only) and DeleteLoadBalancer. Target groups are
 *           left as they are: they cost nothing and undo uses them again.
 *   verify  DescribeLoadBalancers: the load balancer is gone.
 *   undo    pb_lb_undo_run (pb_lb_undo.c): CreateLoadBalancer with the same name,
 *           scheme, subnets (or SubnetMappings with the Elastic IPs) and
 *           groups, attributes, user tags; target groups that are gone
 *           re-created with their targets; listeners and rules. The DNS
 *           name is new (the message says so).
 */
#include <stdio.h>
#include <string.h>

#include "pb_lb_prior.h"
#include "pb_lb_undo.h"
#include "pb_lb_use.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "banned.h"

#define LB_DAY	   86400
#define LB_V2_LIST "DescribeLoadBalancersResult/LoadBalancers"
#define LB_CL_LIST "DescribeLoadBalancersResult/LoadBalancerDescriptions"
#define LB_HOURS   730
#define LB_PAGE	   400 /* DescribeLoadBalancers PageSize at most */

static const struct pb_one lb_v2_arn_one = { AWS_ELBV2, "DescribeLoadBalancers",
	"LoadBalancerArns.member.1", LB_V2_LIST, "LoadBalancerArn",
	LB_NOTFOUND };
static const struct pb_one lb_v2_name_one = { AWS_ELBV2,
	"DescribeLoadBalancers", "Names.member.1", LB_V2_LIST,
	"LoadBalancerName", LB_NOTFOUND };
static const struct pb_one lb_cl_name_one = { AWS_ELB, "DescribeLoadBalancers",
	"LoadBalancerNames.member.1", LB_CL_LIST, "LoadBalancerName",
	LB_NOTFOUND };

struct lb_opts {
	int64_t idle_days;
	const char *allow;
	int dns_guard;
};

static void
lb_res_release(struct pb_lb *r)
{
	json_decref(r->tags);
	json_decref(r->attrs);
	memset(r, 0, sizeof(*r));
}

static void
lb_opts(struct pb_ctx *x, struct lb_opts *o)
{
	o->idle_days = pb_param_range(x, "idle_days", 45, 1, 455);
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
	o->dns_guard = pb_param_int(x, "dns_guard", 1) != 0;
}

static void
lb_res_set(struct pb_lb *r, const json_t *desc, int classic)
{
	memset(r, 0, sizeof(*r));
	r->classic = classic;
	r->desc = desc;
	r->name = pb_sto_util_str(desc, "LoadBalancerName");
	r->arn = classic ? "" : pb_sto_util_str(desc, "LoadBalancerArn");
	r->type = classic ? "classic" : pb_sto_util_str(desc, "Type");
	r->dns = pb_sto_util_str(desc, "DNSName");
	r->created = aws_j_str(desc, "CreatedTime");
	r->state = classic ? "active" : aws_j_str(desc, "State/Code");
	if (r->state == NULL)
		r->state = "";
}

/* what to call it in sentences */
static const char *
lb_kind(const struct pb_lb *r)
{
	if (r->classic)
		return "classic load balancer";
	if (strcmp(r->type, "network") == 0)
		return "network load balancer";
	return "application load balancer";
}

/* ---- reading ------------------------------------------------------------ */

/* its tags and attributes (DescribeTags, DescribeLoadBalancerAttributes) */
static fx_err
lb_read_meta(struct pb_ctx *x, struct pb_lb *r)
{
	struct aws_resp resp;
	const char *id = r->classic ? r->name : r->arn;
	const json_t *d;
	fx_err rc;

	rc = pb_query(x, PB_AUDITOR, r->classic ? AWS_ELB : AWS_ELBV2,
	    "DescribeTags",
	    json_pack("{s:s}",
		r->classic ? "LoadBalancerNames.member.1"
			   : "ResourceArns.member.1",
		id),
	    0, &resp);
	d = json_array_get(aws_j_list(resp.doc,
			       "DescribeTagsResult/TagDescriptions"),
	    0);
	if (rc == FX_OK &&
	    (r->tags = pb_sto_util_tags(json_object_get(d, "Tags"))) == NULL)
		rc = FX_ENOMEM;
	aws_resp_release(&resp);
	if (rc != FX_OK)
		return rc;
	rc = pb_query(x, PB_AUDITOR, r->classic ? AWS_ELB : AWS_ELBV2,
	    "DescribeLoadBalancerAttributes",
	    json_pack("{s:s}",
		r->classic ? "LoadBalancerName" : "LoadBalancerArn", id),
	    0, &resp);
	if (rc == FX_OK) {
		r->attrs = json_deep_copy(aws_j_get(resp.doc,
		    r->classic ? "DescribeLoadBalancerAttributesResult/"
				 "LoadBalancerAttributes"
			       : "DescribeLoadBalancerAttributesResult/"
				 "Attributes"));
		if (r->attrs == NULL)
			r->attrs = r->classic ? json_object() : json_array();
		if (r->attrs == NULL)
			rc = FX_ENOMEM;
	}
	aws_resp_release(&resp);
	return rc;
}

/* an ELBv2 attribute's value ("" when not there) */
static const char *
lb_attr(const struct pb_lb *r, const char *key)
{
	const json_t *a;
	size_t i;

	json_array_foreach(r->attrs, i, a) {
		if (strcmp(pb_sto_util_str(a, "Key"), key) == 0)
			return pb_sto_util_str(a, "Value");
	}
	return "";
}

/* every name the account's Route 53 records point at (*out; NULL
 * without dns_guard) */
static fx_err
lb_refs(struct pb_ctx *x, const struct lb_opts *o, json_t **out)
{
	*out = NULL;
	if (!o->dns_guard)
		return FX_OK;
	return pb_lb_use_refs(x, out);
}

/* ---- eligibility -------------------------------------------------------- */

/*
 * The guards of lb-unused (playbook.h, eligibility): detect, check and
 * fix call this one function. refs: lb_refs (NULL without dns_guard).
 */
static void
lb_eligible(struct pb_ctx *x, const struct lb_opts *o, const struct pb_lb *r,
    const json_t *refs, struct pb_elig *e)
{
	const char *ref;
	char key[R53_MAX_NAME];

	pb_elig_init(e);
	if (!r->classic && strcmp(r->type, "application") != 0 &&
	    strcmp(r->type, "network") != 0)
		pb_elig_exempt(e,
		    "a %s load balancer, which this playbook "
		    "leaves alone",
		    *r->type ? r->type : "typeless");
	if (strcmp(r->state, "active") != 0)
		pb_elig_exempt(e, "%s, not active",
		    *r->state ? r->state : "of no state");
	pb_elig_tags(x, e, r->tags, o->allow);
	if (!r->classic &&
	    strcmp(lb_attr(r, "deletion_protection.enabled"), "true") == 0)
		pb_elig_exempt(e, "deletion-protected");
	pb_lb_use_dns_key(r->dns, key, sizeof(key));
	ref = json_string_value(json_object_get(refs, key));
	if (ref != NULL)
		pb_elig_exempt(e,
		    "Route 53 record %s points at it: deleting it would "
		    "leave that record dangling",
		    ref);
	pb_elig_age(x, e, r->created, o->idle_days * LB_DAY);
}

/* why it is in use, for the check's verdict */
static void
lb_used_say(struct pb_ctx *x, const struct lb_opts *o, const struct pb_lb *r,
    const struct pb_lb_use *u)
{
	if (u->instances > 0)
		pb_say(x, "%s %s has %zu registered instance(s)", lb_kind(r),
		    r->name, u->instances);
	else if (u->healthy > 0)
		pb_say(x, "%s %s has %zu healthy target(s)", lb_kind(r),
		    r->name, u->healthy);
	else if (u->unknown > 0)
		pb_say(x,
		    "%s %s: CloudWatch answered unreadable datapoints: "
		    "not counted as unused",
		    lb_kind(r), r->name);
	else
		pb_say(x,
		    "%s %s had healthy targets (up to %.0f) or requests (up "
		    "to %.0f a day) in the last %lld days",
		    lb_kind(r), r->name, u->hh_max, u->req_max,
		    (long long)o->idle_days);
}

/* ---- detect ------------------------------------------------------------- */

struct lb_scan {
	struct lb_opts o;
	json_t *refs; /* lb_refs, read once when first needed */
	struct pb_found_list *found;
};

static fx_err
lb_found(struct lb_scan *sc, const struct pb_lb *r, const struct pb_lb_use *u,
    json_t *tags)
{
	char title[400];
	json_t *d;

	if (r->classic)
		snprintf(title, sizeof(title),
		    "Classic load balancer %s has no instances and served "
		    "nothing for %lld days",
		    r->name, (long long)sc->o.idle_days);
	else
		snprintf(title, sizeof(title),
		    "%s load balancer %s had no healthy target for %lld days",
		    strcmp(r->type, "network") == 0 ? "Network" : "Application",
		    r->name, (long long)sc->o.idle_days);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I}", "type",
	    r->type, "name", r->name, "dns_name", r->dns, "scheme",
	    pb_sto_util_str(r->desc, "Scheme"), "created", r->created,
	    "target_groups", (json_int_t)json_array_size(u->tgs), "targets",
	    (json_int_t)u->targets, "idle_days", (json_int_t)sc->o.idle_days);
	if (d == NULL) {
		json_decref(tags);
		return FX_ENOMEM;
	}
	return pb_found_keyed(sc->found, r->classic ? r->name : r->arn,
	    r->classic ? NULL : r->arn, title, d, tags, "%s", r->name);
}

/* one listed load balancer: found when eligible (or IaC-owned) and
 * unused */
static fx_err
lb_consider(struct pb_ctx *x, struct lb_scan *sc, struct pb_lb *r)
{
	struct pb_lb_use u;
	struct pb_elig e;
	json_t *tags;
	fx_err rc = FX_OK;

	memset(&u, 0, sizeof(u));
	if (*r->name == '\0' || (!r->classic && *r->arn == '\0'))
		return FX_OK;
	/*
	 * The guards on the listing alone first (tags, attributes and
	 * records only add exemptions, so one that fails now fails for
	 * good), then the use (most load balancers serve: their healthy
	 * target ends the reads), then every guard: what is found is what
	 * lb_eligible on everything found eligible.
	 */
	lb_eligible(x, &sc->o, r, NULL, &e);
	if (!pb_elig_found(&e))
		goto out;
	if ((rc = pb_lb_use_read(x, sc->o.idle_days, r, &u)) != FX_OK) {
		rc = pb_sto_util_skip(x, rc, r->name, "targets and metrics");
		goto out;
	}
	if (!pb_lb_use_none(&u))
		goto out;
	if (sc->o.dns_guard && sc->refs == NULL &&
	    (rc = lb_refs(x, &sc->o, &sc->refs)) != FX_OK)
		goto out;
	if ((rc = lb_read_meta(x, r)) != FX_OK) {
		rc = pb_sto_util_skip(x, rc, r->name, "tags and attributes");
		goto out;
	}
	lb_eligible(x, &sc->o, r, sc->refs, &e);
	if (!pb_elig_found(&e))
		goto out;
	tags = r->tags;
	r->tags = NULL;
	rc = lb_found(sc, r, &u, tags);
out:
	pb_lb_use_release(&u);
	lb_res_release(r);
	return rc;
}

static fx_err
lb_v2_item(struct pb_ctx *x, const json_t *item, void *arg)
{
	struct pb_lb r;

	lb_res_set(&r, item, 0);
	return lb_consider(x, arg, &r);
}

static fx_err
lb_cl_item(struct pb_ctx *x, const json_t *item, void *arg)
{
	struct pb_lb r;

	lb_res_set(&r, item, 1);
	return lb_consider(x, arg, &r);
}

static fx_err
lb_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct lb_scan sc;
	json_t *p = NULL;
	fx_err rc;

	memset(&sc, 0, sizeof(sc));
	sc.found = found;
	lb_opts(x, &sc.o);
	if ((p = json_pack("{s:i}", "PageSize", LB_PAGE)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_lb_prior_pages(x, AWS_ELBV2, "DescribeLoadBalancers", p,
	    "LoadBalancers", lb_v2_item, &sc);
	if (rc != FX_OK)
		goto out;
	rc = pb_lb_prior_pages(x, AWS_ELB, "DescribeLoadBalancers", p,
	    "LoadBalancerDescriptions", lb_cl_item, &sc);
out:
	json_decref(p);
	json_decref(sc.refs);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

/* what check and fix read of the finding's load balancer */
struct lb_state {
	struct aws_resp resp; /* holds res.desc */
	struct pb_lb res;
	struct pb_lb_use use;
	json_t *refs;
};

static void
lb_state_release(struct lb_state *s)
{
	lb_res_release(&s->res);
	pb_lb_use_release(&s->use);
	json_decref(s->refs);
	aws_resp_release(&s->resp);
}

/*
 * The finding's load balancer (NULL desc when gone): resource_id is an
 * ELBv2 ARN, or a name: a classic load balancer's (as detect writes
 * it), else, for a posted finding, an ELBv2 one's.
 */
static fx_err
lb_read_finding(struct pb_ctx *x, const char *id, struct lb_state *s)
{
	const json_t *item;
	int classic = strncmp(id, "arn:", 4) != 0;
	fx_err rc;

	rc = pb_read_one(x, classic ? &lb_cl_name_one : &lb_v2_arn_one, id,
	    &s->resp, &item);
	if (rc == FX_OK && item == NULL && classic) {
		aws_resp_release(&s->resp);
		classic = 0;
		rc = pb_read_one(x, &lb_v2_name_one, id, &s->resp, &item);
	}
	if (rc == FX_OK && item != NULL)
		lb_res_set(&s->res, item, classic);
	return rc;
}

/*
 * Read and judge the finding's load balancer: PB_GONE, PB_KEEP (a
 * guard, said), PB_RIGHT (in use, said) or PB_WRONG (unused, eligible).
 */
static fx_err
lb_assess(struct pb_ctx *x, const struct lb_opts *o, const json_t *finding,
    struct lb_state *s, enum pb_verdict *v)
{
	struct pb_elig e;
	const char *id;
	char what[320];
	fx_err rc;

	memset(s, 0, sizeof(*s));
	aws_resp_init(&s->resp);
	*v = PB_WRONG;
	if ((rc = pb_resource(x, finding, &id)) != FX_OK)
		return rc;
	if ((rc = lb_read_finding(x, id, s)) != FX_OK)
		return rc;
	if (s->res.desc == NULL) {
		pb_say(x, "load balancer %s is gone", id);
		*v = PB_GONE;
		return FX_OK;
	}
	if ((rc = lb_read_meta(x, &s->res)) != FX_OK)
		return rc;
	if ((rc = lb_refs(x, o, &s->refs)) != FX_OK)
		return rc;
	lb_eligible(x, o, &s->res, s->refs, &e);
	snprintf(what, sizeof(what), "%s %s", lb_kind(&s->res), s->res.name);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		return FX_OK;
	if ((rc = pb_lb_use_read(x, o->idle_days, &s->res, &s->use)) != FX_OK)
		return rc;
	if (!pb_lb_use_none(&s->use)) {
		lb_used_say(x, o, &s->res, &s->use);
		*v = PB_RIGHT;
	}
	return FX_OK;
}

static fx_err
lb_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct lb_state s;
	struct lb_opts o;
	fx_err rc;

	lb_opts(x, &o);
	rc = lb_assess(x, &o, finding, &s, v);
	lb_state_release(&s);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

/* the prior state (new object) */
static fx_err
lb_prior(struct pb_ctx *x, const struct lb_state *s, json_t **out)
{
	const struct pb_lb *r = &s->res;
	json_t *p, *ls = NULL;
	fx_err rc;

	*out = NULL;
	if (!r->classic &&
	    (rc = pb_lb_prior_listeners(x, r->arn, &ls)) != FX_OK)
		return rc;
	if (!r->classic && (rc = pb_lb_prior_tgs(x, s->use.tgs)) != FX_OK) {
		json_decref(ls);
		return rc;
	}
	p = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:o?, s:O, "
		      "s:[{s:s, s:s, s:i}]}",
	    "kind", r->type, "name", r->name, "arn", r->arn, "dns_name", r->dns,
	    "load_balancer", (json_t *)r->desc, "attributes", r->attrs, "tags",
	    r->tags, "listeners", ls, "target_groups", s->use.tgs, "usage",
	    "item", "lb_hour", "class", r->type, "qty", LB_HOURS);
	if (p == NULL)
		return FX_ENOMEM;
	*out = p;
	return FX_OK;
}

/* AddTags (fixit: tags), then DeleteLoadBalancer */
static fx_err
lb_delete(struct pb_ctx *x, const struct pb_lb *r)
{
	struct aws_resp resp;
	struct pb_tags t;
	json_t *p;
	fx_err rc;

	p = json_pack("{s:s}",
	    r->classic ? "LoadBalancerNames.member.1" : "ResourceArns.member.1",
	    r->classic ? r->name : r->arn);
	if (p == NULL)
		return FX_ENOMEM;
	pb_tags_init(&t, p, "Tags.member.");
	if ((rc = pb_tags_fixit(x, &t, "delete", NULL)) != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc = pb_query(x, PB_TAGGER, r->classic ? AWS_ELB : AWS_ELBV2, "AddTags",
	    p, 1, &resp);
	aws_resp_release(&resp);
	if (rc != FX_OK)
		return rc;
	rc = pb_query(x, PB_REMEDIATOR, r->classic ? AWS_ELB : AWS_ELBV2,
	    "DeleteLoadBalancer",
	    json_pack("{s:s}",
		r->classic ? "LoadBalancerName" : "LoadBalancerArn",
		r->classic ? r->name : r->arn),
	    1, &resp);
	aws_resp_release(&resp);
	if (rc == FX_OK && !x->dry_run)
		pb_say(x, "deleted %s %s (%s)%s", lb_kind(r), r->name, r->dns,
		    r->classic ? "" : ", target groups kept");
	return rc;
}

static fx_err
lb_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct lb_state s;
	struct lb_opts o;
	enum pb_verdict v;
	json_t *p = NULL;
	fx_err rc;

	*prior = NULL;
	lb_opts(x, &o);
	/* deleting: never on an answer that changed since the check */
	if ((rc = lb_assess(x, &o, finding, &s, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = v == PB_GONE ? FX_ENOTFOUND : FX_ECONFLICT;
		goto out;
	}
	if ((rc = lb_prior(x, &s, &p)) != FX_OK)
		goto out;
	if ((rc = lb_delete(x, &s.res)) != FX_OK)
		goto out;
	rc = pb_would(x, p,
	    "record the load balancer with its listeners, rules, target "
	    "groups, attributes and tags, tag it and delete it");
	if (rc != FX_OK)
		goto out;
	pb_say(x, "%s; an undo gives it a new DNS name",
	    o.dns_guard ? "no Route 53 record of this account named it"
			: "Route 53 not searched (dns_guard 0): a record may "
			  "still name it");
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	lb_state_release(&s);
	return rc;
}

/* ---- verify and undo ---------------------------------------------------- */

static fx_err
lb_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	struct lb_state s;
	const char *kind = pb_sto_util_str(prior, "kind");
	const char *id = strcmp(kind, "classic") == 0
			     ? pb_sto_util_str(prior, "name")
			     : pb_sto_util_str(prior, "arn");
	fx_err rc;

	(void)finding;
	*ok = 0;
	memset(&s, 0, sizeof(s));
	aws_resp_init(&s.resp);
	if (*id == '\0') {
		pb_say(x, "the prior state names no load balancer");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = lb_read_finding(x, id, &s)) != FX_OK)
		goto out;
	if (s.res.desc != NULL) {
		pb_say(x, "load balancer %s still exists", id);
		goto out;
	}
	pb_say(x, "load balancer %s is gone", pb_sto_util_str(prior, "name"));
	*ok = 1;
out:
	lb_state_release(&s);
	return rc;
}

static fx_err
lb_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	(void)finding;
	return pb_lb_undo_run(x, prior);
}

const struct pb_def pb_lb_unused = {
	.name = "lb-unused",
	.summary = "delete load balancers with no healthy target or instance "
		   "and no traffic for idle_days (undo: re-created, new DNS "
		   "name)",
	.irreversible = 0,
	.detect = lb_detect,
	.check = lb_check,
	.fix = lb_fix,
	.verify = lb_verify,
	.undo = lb_undo,
};
