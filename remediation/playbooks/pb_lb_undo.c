/*
 * pb_lb_undo.c - lb-unused's undo (see pb_lb_undo.h).
 *
 * Undo is best effort by nature: a re-created load balancer gets a new
 * DNS name (and an NLB new addresses unless its Elastic IPs are still
 * allocated), certificates named by its listeners must still exist, and
 * the target groups it forwarded to are used again when they still
 * exist (the fix never deletes them), else re-created from the record
 * with their attributes, tags and targets. The first failing call stops
 * the undo; its sentence says what was made before.
 */
#include <stdio.h>
#include <string.h>

#include "pb_lb_prior.h"
#include "pb_lb_undo.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "banned.h"

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

/* ---- undo helpers --------------------------------------------------------- */

/* in v, every TargetGroupArn that map names replaced by its new ARN */
static void
lb_map_tg(json_t *v, const json_t *map)
{
	const char *k, *old, *to = NULL;
	json_t *e;
	size_t i;

	old = json_string_value(json_object_get(v, "TargetGroupArn"));
	if (old != NULL)
		to = json_string_value(json_object_get(map, old));
	if (to != NULL)
		json_object_set_new(v, "TargetGroupArn", json_string(to));
	json_object_foreach(v, k, e)
		lb_map_tg(e, map);
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

/* ELBv2 attributes [{Key, Value}] as Attributes.member.N, but those
 * whose value is empty (never set: AWS takes no empty value back) */
static fx_err
lb_attrs(json_t *p, const json_t *attrs)
{
	const json_t *a;
	char k[64];
	size_t i, n = 0;

	json_array_foreach(attrs, i, a) {
		if (*pb_sto_util_str(a, "Key") == '\0' ||
		    *pb_sto_util_str(a, "Value") == '\0')
			continue;
		n++;
		snprintf(k, sizeof(k), "Attributes.member.%zu.Key", n);
		if (json_object_set_new(p, k,
			json_string(pb_sto_util_str(a, "Key"))) != 0)
			return FX_ENOMEM;
		snprintf(k, sizeof(k), "Attributes.member.%zu.Value", n);
		if (json_object_set_new(p, k,
			json_string(pb_sto_util_str(a, "Value"))) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
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
		    lb_attrs(p, json_object_get(tg, "Attributes")) != FX_OK) {
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
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELBV2, "CreateLoadBalancer", p, 1,
	    &resp);
	if (rc != FX_OK)
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
	if (p != NULL &&
	    lb_attrs(p, json_object_get(prior, "attributes")) != FX_OK) {
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

/* {LoadBalancerName: name} with v flattened under prefix; NULL when
 * that fails (pb_query then answers FX_ENOMEM) */
static json_t *
lb_named(const char *name, const char *prefix, const json_t *v)
{
	json_t *p = json_pack("{s:s}", "LoadBalancerName", name);

	if (p != NULL && pb_lb_prior_flatten(p, prefix, v) != FX_OK) {
		json_decref(p);
		p = NULL;
	}
	return p;
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
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELB, "CreateLoadBalancer", p, 1,
	    &resp);
	if (rc != FX_OK)
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
		p = lb_named(name, "HealthCheck",
		    json_object_get(lb, "HealthCheck"));
		if ((rc = pb_query(x, PB_REMEDIATOR, AWS_ELB,
			 "ConfigureHealthCheck", p, 1, &resp)) != FX_OK)
			goto out;
		aws_resp_release(&resp);
	}
	if (!json_is_object(json_object_get(prior, "attributes")))
		goto out;
	p = lb_named(name, "LoadBalancerAttributes",
	    json_object_get(prior, "attributes"));
	rc = pb_query(x, PB_REMEDIATOR, AWS_ELB, "ModifyLoadBalancerAttributes",
	    p, 1, &resp);
out:
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_lb_undo_run(struct pb_ctx *x, const json_t *prior)
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
