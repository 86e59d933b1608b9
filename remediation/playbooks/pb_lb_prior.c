/*
 * pb_lb_prior.c - lb-unused's listings, prior state and undo (see
 * pb_lb_prior.h and pb_lb_unused.c).
 *
 * Undo is best effort by nature: a re-created load balancer gets a new
 * DNS name (and an NLB new addresses unless its Elastic IPs are still
 * allocated), certificates named by its listeners must still exist, and
 * the target groups it forwarded to are used again when they still
 * exist (the fix never deletes them), else re-created from the record
 * with the targets they had. The first failing call stops the undo; its
 * sentence says what was made before.
 */
#include <stdio.h>
#include <string.h>

#include "fxlimits.h"
#include "pb_lb_prior.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "banned.h"

#define LB_MAX_KEY   256
#define LB_MAX_DEPTH 12

static const struct pb_one lb_v2_one = { AWS_ELBV2, "DescribeLoadBalancers",
	"Names.member.1", "DescribeLoadBalancersResult/LoadBalancers",
	"LoadBalancerName", LB_NOTFOUND };
static const struct pb_one lb_classic_one = { AWS_ELB, "DescribeLoadBalancers",
	"LoadBalancerNames.member.1",
	"DescribeLoadBalancersResult/LoadBalancerDescriptions",
	"LoadBalancerName", LB_NOTFOUND };
static const struct pb_one lb_tg_one = { AWS_ELBV2, "DescribeTargetGroups",
	"TargetGroupArns.member.1", "DescribeTargetGroupsResult/TargetGroups",
	"TargetGroupArn", LB_TG_NOTFOUND };

/* ---- listings ----------------------------------------------------------- */

fx_err
pb_lb_prior_pages(struct pb_ctx *x, enum aws_svc svc, const char *action,
    const json_t *params, const char *list, pb_item_fn fn, void *arg)
{
	struct aws_resp resp;
	json_t *p, *it;
	const char *tok;
	char lpath[128], mpath[128], prev[1024] = "", next[1024] = "";
	size_t i;
	int page;
	fx_err rc = FX_OK;

	snprintf(lpath, sizeof(lpath), "%sResult/%s", action, list);
	snprintf(mpath, sizeof(mpath), "%sResult/NextMarker", action);
	for (page = 0; page < FX_MAX_AWS_PAGES; page++) {
		p = params != NULL ? json_deep_copy(params) : json_object();
		if (p != NULL && next[0] != '\0' &&
		    json_object_set_new(p, "Marker", json_string(next)) != 0) {
			json_decref(p);
			p = NULL;
		}
		rc = pb_query(x, PB_AUDITOR, svc, action, p, 0, &resp);
		json_array_foreach(aws_j_list(resp.doc, lpath), i, it) {
			if (rc != FX_OK)
				break;
			rc = fn(x, it, arg);
		}
		tok = aws_j_str(resp.doc, mpath);
		snprintf(prev, sizeof(prev), "%s", next);
		if (rc == FX_OK && tok != NULL &&
		    snprintf(next, sizeof(next), "%s", tok) >=
			(int)sizeof(next))
			rc = FX_ETOOBIG;
		aws_resp_release(&resp);
		if (rc != FX_OK || tok == NULL || *tok == '\0')
			return rc;
		if (strcmp(prev, next) == 0) {
			pb_say(x, "%s: the next page repeats this one", action);
			return FX_EINVAL;
		}
	}
	pb_say(x, "%s: more than %d pages, listing cut", action,
	    FX_MAX_AWS_PAGES);
	return FX_ETOOBIG;
}

static fx_err
lb_collect(struct pb_ctx *x, const json_t *item, void *arg)
{
	(void)x;
	return json_array_append_new(arg, json_deep_copy(item)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

fx_err
pb_lb_prior_all(struct pb_ctx *x, enum aws_svc svc, const char *action,
    const json_t *params, const char *list, json_t **out)
{
	json_t *a = json_array();
	fx_err rc;

	*out = NULL;
	if (a == NULL)
		return FX_ENOMEM;
	rc = pb_lb_prior_pages(x, svc, action, params, list, lb_collect, a);
	if (rc != FX_OK) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return FX_OK;
}

/* ---- Query flattening ----------------------------------------------------- */

static fx_err
lb_flat(json_t *params, const char *prefix, const json_t *v, int depth)
{
	const char *k;
	json_t *e;
	char key[LB_MAX_KEY];
	size_t i;
	int n;
	fx_err rc = FX_OK;

	if (depth > LB_MAX_DEPTH)
		return FX_ETOOBIG;
	if (json_is_string(v) || json_is_integer(v)) {
		if (json_is_string(v) && *json_string_value(v) == '\0')
			return FX_OK;
		return json_object_set_new(params, prefix, json_deep_copy(v)) ==
			       0
			   ? FX_OK
			   : FX_ENOMEM;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, e) {
			n = snprintf(key, sizeof(key), "%s%s%s", prefix,
			    *prefix ? "." : "", k);
			if (n < 0 || (size_t)n >= sizeof(key))
				return FX_ETOOBIG;
			if ((rc = lb_flat(params, key, e, depth + 1)) != FX_OK)
				return rc;
		}
	}
	json_array_foreach(v, i, e) {
		n = snprintf(key, sizeof(key), "%s.member.%zu", prefix, i + 1);
		if (n < 0 || (size_t)n >= sizeof(key))
			return FX_ETOOBIG;
		if ((rc = lb_flat(params, key, e, depth + 1)) != FX_OK)
			return rc;
	}
	return FX_OK;
}

fx_err
pb_lb_prior_flatten(json_t *params, const char *prefix, const json_t *v)
{
	return lb_flat(params, prefix, v, 0);
}

/* ---- the prior of listeners and rules ------------------------------------- */

/* the rules of listener larn but its default one */
static fx_err
lb_rules(struct pb_ctx *x, const char *larn, json_t **out)
{
	json_t *p, *all = NULL, *keep = NULL, *r;
	size_t i;
	fx_err rc;

	*out = NULL;
	if ((p = json_pack("{s:s}", "ListenerArn", larn)) == NULL)
		return FX_ENOMEM;
	rc = pb_lb_prior_all(x, AWS_ELBV2, "DescribeRules", p, "Rules", &all);
	json_decref(p);
	if (rc != FX_OK)
		return rc;
	if ((keep = json_array()) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	json_array_foreach(all, i, r) {
		if (pb_sto_util_true(json_object_get(r, "IsDefault")))
			continue;
		if (json_array_append(keep, r) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	*out = keep;
	keep = NULL;
out:
	json_decref(all);
	json_decref(keep);
	return rc;
}

/* a TLS listener's certificates besides its default one (only
 * DescribeListenerCertificates lists them): "ExtraCertificates" */
static fx_err
lb_extra_certs(struct pb_ctx *x, json_t *l)
{
	const char *proto = pb_sto_util_str(l, "Protocol");
	json_t *p, *all = NULL, *extra = NULL, *c;
	size_t i;
	fx_err rc;

	if (strcmp(proto, "HTTPS") != 0 && strcmp(proto, "TLS") != 0)
		return FX_OK;
	p = json_pack("{s:s}", "ListenerArn",
	    pb_sto_util_str(l, "ListenerArn"));
	if (p == NULL)
		return FX_ENOMEM;
	rc = pb_lb_prior_all(x, AWS_ELBV2, "DescribeListenerCertificates", p,
	    "Certificates", &all);
	json_decref(p);
	if (rc != FX_OK)
		return rc;
	if ((extra = json_array()) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	json_array_foreach(all, i, c) {
		if (pb_sto_util_true(json_object_get(c, "IsDefault")))
			continue;
		if (json_array_append_new(extra,
			json_pack("{s:s}", "CertificateArn",
			    pb_sto_util_str(c, "CertificateArn"))) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	rc = json_object_set(l, "ExtraCertificates", extra) == 0 ? FX_OK
								 : FX_ENOMEM;
out:
	json_decref(all);
	json_decref(extra);
	return rc;
}

fx_err
pb_lb_prior_listeners(struct pb_ctx *x, const char *arn, json_t **out)
{
	json_t *p, *ls = NULL, *l, *rules;
	size_t i;
	fx_err rc;

	*out = NULL;
	if ((p = json_pack("{s:s}", "LoadBalancerArn", arn)) == NULL)
		return FX_ENOMEM;
	rc = pb_lb_prior_all(x, AWS_ELBV2, "DescribeListeners", p, "Listeners",
	    &ls);
	json_decref(p);
	json_array_foreach(ls, i, l) {
		if (rc != FX_OK)
			break;
		rc = lb_rules(x, pb_sto_util_str(l, "ListenerArn"), &rules);
		if (rc == FX_OK && json_object_set_new(l, "Rules", rules) != 0)
			rc = FX_ENOMEM;
		if (rc == FX_OK)
			rc = lb_extra_certs(x, l);
	}
	if (rc != FX_OK) {
		json_decref(ls);
		return rc;
	}
	*out = ls;
	return FX_OK;
}

fx_err
pb_lb_prior_tgs(struct pb_ctx *x, json_t *tgs)
{
	struct aws_resp resp;
	const char *arn;
	json_t *tg, *v;
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(tgs, i, tg) {
		arn = pb_sto_util_str(tg, "TargetGroupArn");
		rc = pb_query(x, PB_AUDITOR, AWS_ELBV2,
		    "DescribeTargetGroupAttributes",
		    json_pack("{s:s}", "TargetGroupArn", arn), 0, &resp);
		v = json_deep_copy(aws_j_list(resp.doc,
		    "DescribeTargetGroupAttributesResult/Attributes"));
		aws_resp_release(&resp);
		if (rc == FX_OK && v != NULL &&
		    json_object_set_new(tg, "Attributes", v) != 0)
			rc = FX_ENOMEM;
		else if (rc != FX_OK)
			json_decref(v);
		if (rc != FX_OK)
			return rc;
		rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeTags",
		    json_pack("{s:s}", "ResourceArns.member.1", arn), 0, &resp);
		v = json_object();
		if (rc == FX_OK && v != NULL &&
		    pb_lb_prior_tag_obj(
			json_object_get(
			    json_array_get(
				aws_j_list(resp.doc,
				    "DescribeTagsResult/TagDescriptions"),
				0),
			    "Tags"),
			v) != FX_OK)
			rc = FX_ENOMEM;
		aws_resp_release(&resp);
		if (rc == FX_OK &&
		    (v == NULL || json_object_set_new(tg, "Tags", v) != 0))
			rc = FX_ENOMEM;
		else if (rc != FX_OK)
			json_decref(v);
		if (rc != FX_OK)
			return rc;
	}
	return rc;
}

fx_err
pb_lb_prior_tag_obj(const json_t *list, json_t *out)
{
	const json_t *t;
	const char *k;
	size_t i;

	json_array_foreach(list, i, t) {
		k = aws_j_str(t, "Key");
		if (k != NULL &&
		    json_object_set_new(out, k,
			json_string(pb_sto_util_str(t, "Value"))) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

/* ---- undo helpers --------------------------------------------------------- */

/* a copy of v with every TargetGroupArn that map names replaced */
static void
lb_map_tg(json_t *v, const json_t *map)
{
	const char *k, *to;
	json_t *e;
	size_t i;

	json_object_foreach(v, k, e) {
		to = json_string_value(json_object_get(map,
		    json_is_string(e) ? json_string_value(e) : ""));
		if (strcmp(k, "TargetGroupArn") == 0 && to != NULL)
			json_object_set_new(v, k, json_string(to));
		else
			lb_map_tg(e, map);
	}
	json_array_foreach(v, i, e)
		lb_map_tg(e, map);
}

/* flatten the actions of a listener or rule, target groups mapped */
static fx_err
lb_actions(json_t *params, const char *prefix, const json_t *actions,
    const json_t *map)
{
	json_t *a = json_deep_copy(actions);
	fx_err rc;

	if (actions != NULL && a == NULL)
		return FX_ENOMEM;
	lb_map_tg(a, map);
	rc = pb_lb_prior_flatten(params, prefix, a);
	json_decref(a);
	return rc;
}

/* a rule's conditions: a condition with a *Config carries its values
 * there; the legacy Values beside it would be refused */
static fx_err
lb_conditions(json_t *params, const json_t *conds)
{
	json_t *c = json_deep_copy(conds), *e, *v;
	const char *k;
	size_t i, len;
	fx_err rc;

	if (conds != NULL && c == NULL)
		return FX_ENOMEM;
	json_array_foreach(c, i, e) {
		json_object_foreach(e, k, v) {
			len = strlen(k);
			if (len > 6 && strcmp(k + len - 6, "Config") == 0) {
				json_object_del(e, "Values");
				break;
			}
		}
	}
	rc = pb_lb_prior_flatten(params, "Conditions", c);
	json_decref(c);
	return rc;
}

/* copy the keys of from (a NULL-terminated list) that are set into p */
static fx_err
lb_copy(json_t *p, const json_t *from, const char *const *keys)
{
	fx_err rc = FX_OK;

	for (; *keys != NULL && rc == FX_OK; keys++)
		rc =
		    pb_lb_prior_flatten(p, *keys, json_object_get(from, *keys));
	return rc;
}

/* ---- undo: ELBv2 ---------------------------------------------------------- */

static const char *const lb_tg_keys[] = { "Protocol", "ProtocolVersion", "Port",
	"VpcId", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled",
	"HealthCheckPath", "HealthCheckIntervalSeconds",
	"HealthCheckTimeoutSeconds", "HealthyThresholdCount",
	"UnhealthyThresholdCount", "Matcher", "TargetType", "IpAddressType",
	NULL };

/* target group tg again (its recorded targets registered): *arn */
static fx_err
lb_tg_create(struct pb_ctx *x, const json_t *tg, char *arn, size_t len)
{
	struct aws_resp resp;
	const json_t *t;
	const char *made;
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	p = json_pack("{s:s}", "Name", pb_sto_util_str(tg, "TargetGroupName"));
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = lb_copy(p, tg, lb_tg_keys)) != FX_OK)
		goto out;
	rc = pb_sto_util_tag_restore(x, p, "Tags.member.",
	    json_object_get(tg, "Tags"), pb_sto_util_str(tg, "TargetGroupArn"));
	if (rc != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "CreateTargetGroup", p, 1,
	    &resp);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	t = json_array_get(aws_j_list(resp.doc,
			       "CreateTargetGroupResult/TargetGroups"),
	    0);
	made = pb_created(x, "CreateTargetGroup", x->dry_run ? NULL : t,
	    "TargetGroupArn", "no target group ARN", "arn:dry-run:tg");
	if (made == NULL) {
		rc = FX_EREMOTE;
		goto out;
	}
	snprintf(arn, len, "%s", made);
	aws_resp_release(&resp);
	if (json_array_size(json_object_get(tg, "Attributes")) > 0) {
		p = json_pack("{s:s}", "TargetGroupArn", arn);
		if (p == NULL ||
		    (rc = pb_lb_prior_flatten(p, "Attributes",
			 json_object_get(tg, "Attributes"))) != FX_OK) {
			rc = FX_ENOMEM;
			goto out;
		}
		rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2,
		    "ModifyTargetGroupAttributes", p, 1, &resp);
		p = NULL;
		if (rc != FX_OK)
			goto out;
		aws_resp_release(&resp);
	}
	if (json_array_size(json_object_get(tg, "Targets")) == 0)
		goto out;
	p = json_pack("{s:s}", "TargetGroupArn", arn);
	if (p == NULL || (rc = pb_lb_prior_flatten(p, "Targets",
			      json_object_get(tg, "Targets"))) != FX_OK) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "RegisterTargets", p, 1,
	    &resp);
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

/* *map: each recorded target group's ARN -> the ARN to use now */
static fx_err
lb_tgs(struct pb_ctx *x, const json_t *tgs, json_t *map)
{
	struct aws_resp resp;
	const json_t *item, *tg;
	const char *old;
	char arn[512];
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(tgs, i, tg) {
		old = pb_sto_util_str(tg, "TargetGroupArn");
		if (*old == '\0')
			continue;
		rc = pb_read_one(x, &lb_tg_one, old, &resp, &item);
		aws_resp_release(&resp);
		if (rc != FX_OK)
			return rc;
		snprintf(arn, sizeof(arn), "%s", old);
		if (item == NULL) {
			rc = lb_tg_create(x, tg, arn, sizeof(arn));
			if (rc != FX_OK)
				return rc;
			pb_say(x, "re-created target group %s",
			    pb_sto_util_str(tg, "TargetGroupName"));
		}
		if (json_object_set_new(map, old, json_string(arn)) != 0)
			return FX_ENOMEM;
	}
	return rc;
}

static fx_err
lb_rule_create(struct pb_ctx *x, const char *larn, const json_t *r,
    const json_t *map)
{
	struct aws_resp resp;
	json_t *p;
	fx_err rc;

	aws_resp_init(&resp);
	p = json_pack("{s:s, s:s}", "ListenerArn", larn, "Priority",
	    pb_sto_util_str(r, "Priority"));
	if (p == NULL)
		return FX_ENOMEM;
	rc = lb_conditions(p, json_object_get(r, "Conditions"));
	if (rc == FX_OK)
		rc = lb_actions(p, "Actions", json_object_get(r, "Actions"),
		    map);
	if (rc != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "CreateRule", p, 1, &resp);
	aws_resp_release(&resp);
	return rc;
}

/* AddListenerCertificates of the recorded extra certificates */
static fx_err
lb_certs_add(struct pb_ctx *x, const char *larn, const json_t *certs)
{
	struct aws_resp resp;
	json_t *p;
	fx_err rc;

	if (json_array_size(certs) == 0)
		return FX_OK;
	if ((p = json_pack("{s:s}", "ListenerArn", larn)) == NULL)
		return FX_ENOMEM;
	if ((rc = pb_lb_prior_flatten(p, "Certificates", certs)) != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "AddListenerCertificates", p,
	    1, &resp);
	aws_resp_release(&resp);
	return rc;
}

static const char *const lb_listener_keys[] = { "Protocol", "Port", "SslPolicy",
	"AlpnPolicy", NULL };

static fx_err
lb_listener_create(struct pb_ctx *x, const char *arn, const json_t *l,
    const json_t *map)
{
	struct aws_resp resp;
	const json_t *c, *r;
	const char *larn;
	json_t *p;
	char k[64];
	size_t i, n = 0;
	fx_err rc;

	aws_resp_init(&resp);
	if ((p = json_pack("{s:s}", "LoadBalancerArn", arn)) == NULL)
		return FX_ENOMEM;
	rc = lb_copy(p, l, lb_listener_keys);
	json_array_foreach(json_object_get(l, "Certificates"), i, c) {
		snprintf(k, sizeof(k), "Certificates.member.%zu.CertificateArn",
		    ++n);
		if (rc == FX_OK &&
		    json_object_set_new(p, k,
			json_string(pb_sto_util_str(c, "CertificateArn"))) != 0)
			rc = FX_ENOMEM;
	}
	if (rc == FX_OK)
		rc = lb_actions(p, "DefaultActions",
		    json_object_get(l, "DefaultActions"), map);
	if (rc != FX_OK) {
		json_decref(p);
		return rc;
	}
	if ((rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "CreateListener", p, 1,
		 &resp)) != FX_OK)
		goto out;
	larn = pb_created(x, "CreateListener",
	    x->dry_run ? NULL
		       : json_array_get(aws_j_list(resp.doc,
					    "CreateListenerResult/Listeners"),
			     0),
	    "ListenerArn", "no listener ARN", "arn:dry-run:listener");
	if (larn == NULL) {
		rc = FX_EREMOTE;
		goto out;
	}
	if ((rc = lb_certs_add(x, larn,
		 json_object_get(l, "ExtraCertificates"))) != FX_OK)
		goto out;
	json_array_foreach(json_object_get(l, "Rules"), i, r) {
		if ((rc = lb_rule_create(x, larn, r, map)) != FX_OK)
			goto out;
	}
out:
	aws_resp_release(&resp);
	return rc;
}

/* the CreateLoadBalancer subnets: SubnetMappings when an address was
 * fixed (an NLB's Elastic IP or private address), else Subnets */
static fx_err
lb_subnets(json_t *p, const json_t *azs)
{
	const json_t *az, *a;
	const char *alloc, *priv;
	char k[96];
	size_t i;
	int mapped = 0;
	fx_err rc = FX_OK;

	json_array_foreach(azs, i, az) {
		a = json_array_get(json_object_get(az, "LoadBalancerAddresses"),
		    0);
		if (*pb_sto_util_str(a, "AllocationId") ||
		    *pb_sto_util_str(a, "PrivateIPv4Address"))
			mapped = 1;
	}
	json_array_foreach(azs, i, az) {
		a = json_array_get(json_object_get(az, "LoadBalancerAddresses"),
		    0);
		alloc = pb_sto_util_str(a, "AllocationId");
		priv = pb_sto_util_str(a, "PrivateIPv4Address");
		snprintf(k, sizeof(k),
		    mapped ? "SubnetMappings.member.%zu.SubnetId"
			   : "Subnets.member.%zu",
		    i + 1);
		if (json_object_set_new(p, k,
			json_string(pb_sto_util_str(az, "SubnetId"))) != 0)
			return FX_ENOMEM;
		snprintf(k, sizeof(k), "SubnetMappings.member.%zu.AllocationId",
		    i + 1);
		if (mapped && *alloc &&
		    json_object_set_new(p, k, json_string(alloc)) != 0)
			return FX_ENOMEM;
		snprintf(k, sizeof(k),
		    "SubnetMappings.member.%zu.PrivateIPv4Address", i + 1);
		if (mapped && *priv &&
		    json_object_set_new(p, k, json_string(priv)) != 0)
			return FX_ENOMEM;
	}
	return rc;
}

static const char *const lb_v2_keys[] = { "Type", "Scheme", "IpAddressType",
	"SecurityGroups", NULL };

/* CreateLoadBalancer and its attributes: *arn, *dns of the new one */
static fx_err
lb_v2_create(struct pb_ctx *x, const json_t *prior, char *arn, size_t len,
    char *dns, size_t dlen)
{
	struct aws_resp resp;
	const json_t *lb = json_object_get(prior, "load_balancer"), *made;
	const char *s;
	json_t *p;
	fx_err rc;

	aws_resp_init(&resp);
	p = json_pack("{s:s}", "Name", pb_sto_util_str(prior, "name"));
	if (p == NULL)
		return FX_ENOMEM;
	rc = lb_copy(p, lb, lb_v2_keys);
	if (rc == FX_OK)
		rc = lb_subnets(p, json_object_get(lb, "AvailabilityZones"));
	if (rc == FX_OK)
		rc = pb_sto_util_tag_restore(x, p, "Tags.member.",
		    json_object_get(prior, "tags"),
		    pb_sto_util_str(prior, "arn"));
	if (rc != FX_OK) {
		json_decref(p);
		return rc;
	}
	if ((rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "CreateLoadBalancer", p,
		 1, &resp)))
		goto out;
	made = json_array_get(aws_j_list(resp.doc,
				  "CreateLoadBalancerResult/LoadBalancers"),
	    0);
	s = pb_created(x, "CreateLoadBalancer", x->dry_run ? NULL : made,
	    "LoadBalancerArn", "no load balancer ARN", "arn:dry-run:lb");
	if (s == NULL) {
		rc = FX_EREMOTE;
		goto out;
	}
	snprintf(arn, len, "%s", s);
	snprintf(dns, dlen, "%s", pb_sto_util_str(made, "DNSName"));
	aws_resp_release(&resp);
	if (json_array_size(json_object_get(prior, "attributes")) == 0)
		goto out;
	p = json_pack("{s:s}", "LoadBalancerArn", arn);
	if (p != NULL && pb_lb_prior_flatten(p, "Attributes",
			     json_object_get(prior, "attributes")) != FX_OK) {
		json_decref(p);
		p = NULL;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2,
	    "ModifyLoadBalancerAttributes", p, 1, &resp);
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
lb_undo_v2(struct pb_ctx *x, const json_t *prior)
{
	const json_t *l;
	json_t *map = json_object();
	char arn[512], dns[512];
	size_t i;
	fx_err rc;

	if (map == NULL)
		return FX_ENOMEM;
	rc = lb_v2_create(x, prior, arn, sizeof(arn), dns, sizeof(dns));
	if (rc != FX_OK)
		goto out;
	pb_say(x,
	    "re-created load balancer %s: its DNS name is now %s, no longer "
	    "%s; whatever used the old name must be changed",
	    pb_sto_util_str(prior, "name"), *dns ? dns : "new",
	    pb_sto_util_str(prior, "dns_name"));
	rc = lb_tgs(x, json_object_get(prior, "target_groups"), map);
	if (rc != FX_OK)
		goto out;
	json_array_foreach(json_object_get(prior, "listeners"), i, l) {
		if ((rc = lb_listener_create(x, arn, l, map)) != FX_OK)
			goto out;
	}
	pb_say(x, "%zu listener(s) and their rules re-created",
	    json_array_size(json_object_get(prior, "listeners")));
out:
	json_decref(map);
	return rc;
}

/* ---- undo: classic -------------------------------------------------------- */

static const char *const lb_cl_listener_keys[] = { "Protocol",
	"LoadBalancerPort", "InstanceProtocol", "InstancePort",
	"SSLCertificateId", NULL };

static fx_err
lb_classic_params(struct pb_ctx *x, const json_t *prior, json_t *p)
{
	const json_t *lb = json_object_get(prior, "load_balancer"), *ld;
	const char *const *k;
	char key[96];
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(json_object_get(lb, "ListenerDescriptions"), i, ld) {
		for (k = lb_cl_listener_keys; *k != NULL && rc == FX_OK; k++) {
			snprintf(key, sizeof(key), "Listeners.member.%zu.%s",
			    i + 1, *k);
			rc = pb_lb_prior_flatten(p, key,
			    aws_j_get(json_object_get(ld, "Listener"), *k));
		}
	}
	if (rc == FX_OK && json_array_size(json_object_get(lb, "Subnets")))
		rc = pb_lb_prior_flatten(p, "Subnets",
		    json_object_get(lb, "Subnets"));
	else if (rc == FX_OK)
		rc = pb_lb_prior_flatten(p, "AvailabilityZones",
		    json_object_get(lb, "AvailabilityZones"));
	if (rc == FX_OK)
		rc = pb_lb_prior_flatten(p, "SecurityGroups",
		    json_object_get(lb, "SecurityGroups"));
	if (rc == FX_OK &&
	    strcmp(pb_sto_util_str(lb, "Scheme"), "internal") == 0 &&
	    json_object_set_new(p, "Scheme", json_string("internal")) != 0)
		rc = FX_ENOMEM;
	if (rc == FX_OK)
		rc = pb_sto_util_tag_restore(x, p, "Tags.member.",
		    json_object_get(prior, "tags"),
		    pb_sto_util_str(prior, "dns_name"));
	return rc;
}

static fx_err
lb_undo_classic(struct pb_ctx *x, const json_t *prior)
{
	struct aws_resp resp;
	const json_t *lb = json_object_get(prior, "load_balancer");
	const char *name = pb_sto_util_str(prior, "name");
	json_t *p;
	fx_err rc;

	aws_resp_init(&resp);
	if ((p = json_pack("{s:s}", "LoadBalancerName", name)) == NULL)
		return FX_ENOMEM;
	if ((rc = lb_classic_params(x, prior, p)) != FX_OK) {
		json_decref(p);
		return rc;
	}
	if ((rc = pb_query(x, PB_REMEDIATOR, AWS_ELB, "CreateLoadBalancer", p,
		 1, &resp)))
		goto out;
	pb_say(x,
	    "re-created classic load balancer %s: its DNS name is now %s, "
	    "no longer %s; whatever used the old name must be changed",
	    name,
	    x->dry_run ? "new"
		       : pb_sto_util_str(aws_j_get(resp.doc,
					     "CreateLoadBalancerResult"),
			     "DNSName"),
	    pb_sto_util_str(prior, "dns_name"));
	aws_resp_release(&resp);
	if (json_is_object(json_object_get(lb, "HealthCheck"))) {
		p = json_pack("{s:s}", "LoadBalancerName", name);
		if (p != NULL && pb_lb_prior_flatten(p, "HealthCheck",
				     json_object_get(lb, "HealthCheck")))
			p = (json_decref(p), NULL);
		if ((rc = pb_query(x, PB_REMEDIATOR, AWS_ELB,
			 "ConfigureHealthCheck", p, 1, &resp)) != FX_OK)
			goto out;
		aws_resp_release(&resp);
	}
	if (!json_is_object(json_object_get(prior, "attributes")))
		goto out;
	p = json_pack("{s:s}", "LoadBalancerName", name);
	if (p != NULL && pb_lb_prior_flatten(p, "LoadBalancerAttributes",
			     json_object_get(prior, "attributes")))
		p = (json_decref(p), NULL);
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELB, "ModifyLoadBalancerAttributes",
	    p, 1, &resp);
out:
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_lb_prior_undo(struct pb_ctx *x, const json_t *prior)
{
	struct aws_resp resp;
	const char *name = pb_sto_util_str(prior, "name");
	const char *kind = pb_sto_util_str(prior, "kind");
	int classic = strcmp(kind, "classic") == 0;
	const json_t *item;
	fx_err rc;

	if (*name == '\0' || *kind == '\0' ||
	    pb_sto_util_true(json_object_get(prior, "dry_run"))) {
		pb_say(x, "the prior state names no load balancer");
		return FX_EINVAL;
	}
	rc = pb_read_one(x, classic ? &lb_classic_one : &lb_v2_one, name, &resp,
	    &item);
	aws_resp_release(&resp);
	if (rc != FX_OK)
		return rc;
	if (item != NULL) {
		pb_say(x, "a load balancer named %s exists: not re-created",
		    name);
		return FX_ECONFLICT;
	}
	return classic ? lb_undo_classic(x, prior) : lb_undo_v2(x, prior);
}
