/*
 * pb_dd_svc.c - is an API Gateway custom domain or an Elastic Beanstalk
 * CNAME anyone's (dangling-dns, see pb_dd_aws.h).
 *
 * Requests (auditor role, in each configured account, in the target's
 * region):
 *   apigateway GET /domainnames?limit=500[&position=P]   (v1)
 *   apigateway GET /v2/domainnames?maxResults=100[&nextToken=T]  (v2)
 *        (REST-JSON; the token URL-encoded; a next page that repeats
 *        this one stops the listing with an error)
 *   elasticbeanstalk DescribeEnvironments IncludeDeleted=false
 *        (NextToken), then CheckDNSAvailability CNAMEPrefix (the run's
 *        own account)
 */
#include <stdio.h>
#include <string.h>

#include "aws_sigv4.h"
#include "fxlimits.h"
#include "pb_dd_aws.h"
#include "pb_r53.h"
#include "banned.h"

/* ---- apigateway --------------------------------------------------------------- */

/* one paged REST-JSON listing: fn on each element of list */
struct rj_pages {
	enum aws_svc svc;
	const char *action, *path, *first, *list, *tok, *qtok;
};

static fx_err
rj_page(struct pb_ctx *x, const struct rj_pages *p, const char *query,
    struct aws_resp *resp)
{
	struct aws_req r;

	memset(&r, 0, sizeof(r));
	r.svc = p->svc;
	r.action = p->action;
	r.method = "GET";
	r.path = p->path;
	r.query = query;
	return pb_call(x, PB_AUDITOR, &r, 0, resp);
}

static fx_err
rj_pages(struct pb_ctx *x, const struct rj_pages *p, pb_item_fn fn, void *arg)
{
	struct buf q = BUF_INIT, prev = BUF_INIT;
	struct aws_resp resp;
	const char *tok;
	json_t *it;
	size_t i;
	int page;
	fx_err rc;

	aws_resp_init(&resp);
	rc = buf_adds(&q, p->first);
	for (page = 0; rc == FX_OK && page < FX_MAX_AWS_PAGES; page++) {
		aws_resp_release(&resp);
		if ((rc = rj_page(x, p, buf_str(&q), &resp)) != FX_OK)
			break;
		json_array_foreach(json_object_get(resp.doc, p->list), i, it)
			if ((rc = fn(x, it, arg)) != FX_OK)
				goto out;
		tok = json_string_value(json_object_get(resp.doc, p->tok));
		if (tok == NULL || *tok == '\0')
			goto out;
		buf_reset(&prev);
		if ((rc = buf_adds(&prev, buf_str(&q))) != FX_OK)
			break;
		buf_reset(&q);
		rc = buf_addf(&q, "%s&%s=", p->first, p->qtok);
		if (rc == FX_OK)
			rc = sigv4_uri_encode(&q, tok, strlen(tok), 0);
		if (rc == FX_OK && strcmp(buf_str(&q), buf_str(&prev)) == 0) {
			pb_say(x, "%s: the next page repeats this one",
			    p->action);
			rc = FX_EINVAL;
		}
	}
	if (rc == FX_OK) {
		pb_say(x, "%s: more than %d pages, listing cut", p->action,
		    FX_MAX_AWS_PAGES);
		rc = FX_ETOOBIG;
	}
out:
	aws_resp_release(&resp);
	buf_release(&q);
	buf_release(&prev);
	return rc;
}

struct ag_find {
	const char *domain; /* NULL: every name into set */
	int found;
	json_t *set;
};

/* name into f->set (when listing all), else *found when it is f's */
static fx_err
ag_note(struct ag_find *f, const char *name)
{
	json_t *n;
	int bad;

	if (f->set == NULL) {
		if (r53_name_eq(name, f->domain))
			f->found = 1;
		return FX_OK;
	}
	if ((n = ddk_lower_name(name)) == NULL)
		return FX_OK;
	bad = json_object_set(f->set, json_string_value(n), json_true());
	json_decref(n);
	return bad == 0 ? FX_OK : FX_ENOMEM;
}

static fx_err
ag_item(struct pb_ctx *x, const json_t *d, void *arg)
{
	struct ag_find *f = arg;

	(void)x;
	return ag_note(f, aws_j_str(d, "domainName"));
}

static fx_err
ag_account(struct pb_ctx *ax, void *arg, int *found)
{
	static const struct rj_pages v1 = { AWS_APIGATEWAY, "GetDomainNames",
		"/domainnames", "limit=500", "item", "position", "position" };
	static const struct rj_pages v2 = { AWS_APIGATEWAYV2, "GetDomainNames",
		"/v2/domainnames", "maxResults=100", "items", "nextToken",
		"nextToken" };
	struct ag_find *f = arg;
	fx_err rc;

	rc = rj_pages(ax, &v1, ag_item, f);
	if (rc == FX_OK && !f->found)
		rc = rj_pages(ax, &v2, ag_item, f);
	*found = f->found;
	return rc;
}

fx_err
ddk_apigw_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st)
{
	struct ag_find f = { aws_j_str(t, "name"), 0, NULL };
	int found = 0;
	fx_err rc;

	rc =
	    ddk_each_account(x, aws_j_str(t, "region"), ag_account, &f, &found);
	if (rc == FX_OK && found)
		pb_say(x, "API Gateway custom domain %s exists", f.domain);
	*st = found ? DDK_ALIVE : DDK_GONE;
	return rc;
}

/* ---- elastic beanstalk --------------------------------------------------------- */

static fx_err
eb_item(struct pb_ctx *x, const json_t *e, void *arg)
{
	struct ag_find *f = arg;

	(void)x;
	return ag_note(f, aws_j_str(e, "CNAME"));
}

static fx_err
eb_account(struct pb_ctx *ax, void *arg, int *found)
{
	struct ag_find *f = arg;
	json_t *p = json_pack("{s:s}", "IncludeDeleted", "false");
	fx_err rc;

	if (p == NULL)
		return FX_ENOMEM;
	rc = pb_list(ax, PB_AUDITOR, AWS_ELASTICBEANSTALK,
	    "DescribeEnvironments", p,
	    "DescribeEnvironmentsResult/Environments",
	    "DescribeEnvironmentsResult/NextToken", eb_item, f);
	json_decref(p);
	*found = f->found;
	return rc;
}

fx_err
ddk_beanstalk_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st)
{
	const char *host =
	    json_string_value(json_array_get(json_object_get(t, "hosts"), 0));
	struct ag_find f = { host, 0, NULL };
	struct aws_resp resp;
	const char *av;
	int found = 0;
	fx_err rc;

	*st = DDK_HELD;
	rc =
	    ddk_each_account(x, aws_j_str(t, "region"), eb_account, &f, &found);
	if (rc != FX_OK || found) {
		if (found) {
			*st = DDK_ALIVE;
			pb_say(x, "an environment has the CNAME %s", host);
		}
		return rc;
	}
	aws_resp_init(&resp);
	x->region = aws_j_str(t, "region");
	rc = pb_query(x, PB_AUDITOR, AWS_ELASTICBEANSTALK,
	    "CheckDNSAvailability",
	    json_pack("{s:s}", "CNAMEPrefix", aws_j_str(t, "prefix")), 0,
	    &resp);
	av = aws_j_str(resp.doc, "CheckDNSAvailabilityResult/Available");
	if (rc == FX_OK && av != NULL && strcmp(av, "true") == 0)
		*st = DDK_GONE;
	else if (rc == FX_OK)
		pb_say(x,
		    "%s: no configured account has it, but the prefix %s is "
		    "not available (held by another account or still "
		    "reserved): records are left alone",
		    host, aws_j_str(t, "prefix"));
	aws_resp_release(&resp);
	return rc;
}

fx_err
ddk_svc_listed(struct pb_ctx *x, const char *kind, const char *region,
    json_t *set)
{
	struct ag_find f = { NULL, 0, set };
	int unused;

	if (strcmp(kind, "apigw") == 0)
		return ddk_each_account(x, region, ag_account, &f, &unused);
	if (strcmp(kind, "beanstalk") == 0)
		return ddk_each_account(x, region, eb_account, &f, &unused);
	return FX_EINVAL;
}
