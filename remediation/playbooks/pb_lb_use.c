/*
 * pb_lb_use.c - what lb-unused (pb_lb_unused.c) reads to judge a load
 * balancer's use, and the Route 53 names that point at load balancers
 * (see pb_lb_use.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxtime.h"
#include "pb_cw.h"
#include "pb_lb_prior.h"
#include "pb_lb_use.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "banned.h"

#define LB_PAGE	      400 /* DescribeTargetGroups PageSize at most */
#define LB_DNS_PREFIX "dualstack."

void
pb_lb_use_release(struct pb_lb_use *u)
{
	json_decref(u->tgs);
	memset(u, 0, sizeof(*u));
}

/* DNS name as compared: lower case, no trailing dot, no dualstack. */
void
pb_lb_use_dns_key(const char *s, char *out, size_t len)
{
	size_t i, n;

	if (strncasecmp(s, LB_DNS_PREFIX, strlen(LB_DNS_PREFIX)) == 0)
		s += strlen(LB_DNS_PREFIX);
	n = r53_name_len(s);
	for (i = 0; i < n && i + 1 < len; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a'
							   : s[i]);
	out[i] = '\0';
}

/* ---- who points at it (Route 53) ---------------------------------------- */

struct lb_refs {
	json_t *names; /* {dns key: "record name (zone id)"} */
	const char *zid;
};

static fx_err
lb_ref_add(struct lb_refs *s, const char *target, const json_t *rr)
{
	char key[R53_MAX_NAME], what[R53_MAX_NAME + 64];

	if (target == NULL)
		return FX_OK;
	pb_lb_use_dns_key(target, key, sizeof(key));
	if (key[0] == '\0' || json_object_get(s->names, key) != NULL)
		return FX_OK;
	snprintf(what, sizeof(what), "%s (zone %s)",
	    pb_sto_util_str(rr, "Name"), s->zid);
	return json_object_set_new(s->names, key, json_string(what)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

static fx_err
lb_ref_rrset(struct pb_ctx *x, const json_t *rr, void *arg)
{
	struct lb_refs *s = arg;
	const json_t *v;
	size_t i;
	fx_err rc;

	(void)x;
	rc = lb_ref_add(s, aws_j_str(rr, "AliasTarget/DNSName"), rr);
	if (strcmp(pb_sto_util_str(rr, "Type"), "CNAME") != 0)
		return rc;
	json_array_foreach(aws_j_list(rr, "ResourceRecords"), i, v) {
		if (rc == FX_OK)
			rc = lb_ref_add(s, aws_j_str(v, "Value"), rr);
	}
	return rc;
}

static fx_err
lb_ref_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct lb_refs *s = arg;
	fx_err rc;

	s->zid = r53_zone_id(pb_sto_util_str(z, "Id"));
	if (!r53_zid_ok(s->zid))
		return FX_OK;
	rc = r53_list_rrsets(x, PB_AUDITOR, s->zid, lb_ref_rrset, s);
	return rc == FX_ENOTFOUND ? FX_OK : rc; /* deleted meanwhile */
}

fx_err
pb_lb_use_refs(struct pb_ctx *x, json_t **out)
{
	struct lb_refs s;
	fx_err rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	if ((s.names = json_object()) == NULL)
		return FX_ENOMEM;
	if ((rc = r53_list_zones(x, PB_AUDITOR, lb_ref_zone, &s)) != FX_OK) {
		json_decref(s.names);
		return rc;
	}
	*out = s.names;
	return FX_OK;
}

/* ---- usage -------------------------------------------------------------- */

/* the largest stat of ns/metric (dimensions d1 [, d2]) over idle_days */
static fx_err
lb_metric(struct pb_ctx *x, int64_t idle_days, const char *ns,
    const char *metric, const char *stat, const char *const d[4],
    struct pb_lb_use *u, double *max)
{
	const struct pb_cw_q q = { ns, metric, stat, { d[0], d[1], d[2], d[3] },
		idle_days };
	struct pb_cw_days days;
	fx_err rc = pb_cw_daily(x, &q, &days);

	u->points += days.points;
	u->unknown += days.unknown;
	if (days.max > *max)
		*max = days.max;
	return rc;
}

/* the part of an ELB ARN after "...:" + what ("loadbalancer/") */
static const char *
lb_arn_tail(const char *arn, const char *what)
{
	const char *p = strstr(arn, what);

	return p != NULL ? p + strlen(what) : "";
}

/* one target group: its targets and their health, into u */
static fx_err
lb_tg(struct pb_ctx *x, const json_t *item, void *arg)
{
	struct pb_lb_use *u = arg;
	struct aws_resp resp;
	json_t *tg, *targets, *th;
	size_t i;
	fx_err rc;

	/* in use already: the rest would not change that */
	if (u->healthy > 0)
		return FX_OK;
	if ((tg = json_deep_copy(item)) == NULL)
		return FX_ENOMEM;
	if ((targets = json_array()) == NULL ||
	    json_object_set_new(tg, "Targets", targets) != 0) {
		json_decref(tg);
		return FX_ENOMEM;
	}
	if (json_array_append_new(u->tgs, tg) != 0) /* tg stolen */
		return FX_ENOMEM;
	rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeTargetHealth",
	    json_pack("{s:s}", "TargetGroupArn",
		pb_sto_util_str(item, "TargetGroupArn")),
	    0, &resp);
	json_array_foreach(aws_j_list(resp.doc, "DescribeTargetHealthResult/"
						"TargetHealthDescriptions"),
	    i, th) {
		if (rc != FX_OK)
			break;
		u->targets++;
		if (strcmp(pb_sto_util_str(aws_j_get(th, "TargetHealth"),
			       "State"),
			"healthy") == 0)
			u->healthy++;
		if (json_array_append(targets, aws_j_get(th, "Target")) != 0)
			rc = FX_ENOMEM;
	}
	aws_resp_release(&resp);
	return rc;
}

static fx_err
lb_usage_v2(struct pb_ctx *x, int64_t idle_days, const struct pb_lb *r,
    struct pb_lb_use *u)
{
	const char *ns = strcmp(r->type, "network") == 0 ? "AWS/NetworkELB"
							 : "AWS/ApplicationELB";
	const char *lbd = lb_arn_tail(r->arn, ":loadbalancer/");
	const char *d[4] = { "TargetGroup", NULL, "LoadBalancer", lbd };
	const json_t *tg;
	json_t *p;
	size_t i;
	fx_err rc;

	if ((p = json_pack("{s:s, s:i}", "LoadBalancerArn", r->arn, "PageSize",
		 LB_PAGE)) == NULL)
		return FX_ENOMEM;
	rc = pb_lb_prior_pages(x, AWS_ELBV2, "DescribeTargetGroups", p,
	    "TargetGroups", lb_tg, u);
	json_decref(p);
	json_array_foreach(u->tgs, i, tg) {
		if (rc != FX_OK || u->healthy > 0)
			break;
		d[1] = strrchr(pb_sto_util_str(tg, "TargetGroupArn"), ':');
		d[1] = d[1] != NULL ? d[1] + 1 : "";
		rc = lb_metric(x, idle_days, ns, "HealthyHostCount", "Maximum",
		    d, u, &u->hh_max);
	}
	if (rc != FX_OK || u->healthy > 0 || strcmp(r->type, "application"))
		return rc;
	d[0] = "LoadBalancer";
	d[1] = lbd;
	d[2] = NULL;
	return lb_metric(x, idle_days, ns, "RequestCount", "Sum", d, u,
	    &u->req_max);
}

fx_err
pb_lb_use_read(struct pb_ctx *x, int64_t idle_days, const struct pb_lb *r,
    struct pb_lb_use *u)
{
	const char *d[4] = { "LoadBalancerName", r->name, NULL, NULL };
	fx_err rc;

	memset(u, 0, sizeof(*u));
	if ((u->tgs = json_array()) == NULL)
		return FX_ENOMEM;
	if (!r->classic)
		return lb_usage_v2(x, idle_days, r, u);
	u->instances = json_array_size(aws_j_list(r->desc, "Instances"));
	if (u->instances > 0)
		return FX_OK;
	rc = lb_metric(x, idle_days, "AWS/ELB", "HealthyHostCount", "Maximum",
	    d, u, &u->hh_max);
	if (rc == FX_OK)
		rc = lb_metric(x, idle_days, "AWS/ELB", "RequestCount", "Sum",
		    d, u, &u->req_max);
	return rc;
}

int
pb_lb_use_none(const struct pb_lb_use *u)
{
	return u->healthy == 0 && u->instances == 0 && u->unknown == 0 &&
	       u->hh_max <= 0 && u->req_max <= 0;
}
