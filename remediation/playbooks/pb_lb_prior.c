/*
 * pb_lb_prior.c - lb-unused's listings and prior state (see
 * pb_lb_prior.h and pb_lb_unused.c).
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
	int page, more;
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
		more = tok != NULL && *tok != '\0';
		snprintf(prev, sizeof(prev), "%s", next);
		if (rc == FX_OK && more &&
		    snprintf(next, sizeof(next), "%s", tok) >=
			(int)sizeof(next))
			rc = FX_ETOOBIG;
		aws_resp_release(&resp);
		if (rc != FX_OK || !more)
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

/* one target group's attributes and tags, into tg */
static fx_err
lb_tg_meta(struct pb_ctx *x, json_t *tg)
{
	struct aws_resp resp;
	const char *arn = pb_sto_util_str(tg, "TargetGroupArn");
	const json_t *d;
	json_t *v = NULL;
	fx_err rc;

	rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeTargetGroupAttributes",
	    json_pack("{s:s}", "TargetGroupArn", arn), 0, &resp);
	if (rc == FX_OK) {
		v = json_deep_copy(aws_j_list(resp.doc,
		    "DescribeTargetGroupAttributesResult/Attributes"));
		if (v == NULL)
			v = json_array();
		if (json_object_set_new(tg, "Attributes", v) != 0)
			rc = FX_ENOMEM;
	}
	aws_resp_release(&resp);
	if (rc != FX_OK)
		return rc;
	rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeTags",
	    json_pack("{s:s}", "ResourceArns.member.1", arn), 0, &resp);
	d = json_array_get(aws_j_list(resp.doc,
			       "DescribeTagsResult/TagDescriptions"),
	    0);
	if (rc == FX_OK &&
	    ((v = pb_sto_util_tags(json_object_get(d, "Tags"))) == NULL ||
		json_object_set_new(tg, "Tags", v) != 0))
		rc = FX_ENOMEM;
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_lb_prior_tgs(struct pb_ctx *x, json_t *tgs)
{
	json_t *tg;
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(tgs, i, tg) {
		if ((rc = lb_tg_meta(x, tg)) != FX_OK)
			break;
	}
	return rc;
}
