/*
 * pb_alive.c - does a bucket or load balancer exist (see pb_alive.h).
 *
 * Requests (auditor role, in the resource's region):
 *   HEAD /BUCKET or HEAD https://BUCKET.s3...   S3 HeadBucket
 *        (x-amz-expected-bucket-owner: ACCOUNT)
 *   elasticloadbalancing 2012-06-01 DescribeLoadBalancers
 *        LoadBalancerNames.member.1=NAME
 *   elasticloadbalancing 2015-12-01 DescribeLoadBalancers
 *        Names.member.1=NAME
 * HeadBucket answers carry no body: the HTTP status is the answer.
 */
#include <stdio.h>
#include <string.h>

#include "pb_alive.h"
#include "pb_r53.h"
#include "banned.h"

#define ALIVE_MAX_REGION 32

/* one HeadBucket in region; *status = the HTTP status of the answer */
static fx_err
head_bucket(struct pb_ctx *x, const char *bucket, const char *region,
    long *status, char *moved, size_t mlen)
{
	struct aws_req r;
	struct aws_resp resp;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	aws_resp_init(&resp);
	memset(&r, 0, sizeof(r));
	r.svc = AWS_S3;
	r.region = region;
	r.action = "HeadBucket";
	r.method = "HEAD";
	r.path = "/";
	r.bucket = bucket;
	r.expected_owner = x->account_id;
	rc = pb_call(x, PB_AUDITOR, &r, 0, &resp);
	*status = resp.status;
	snprintf(moved, mlen, "%s", resp.bucket_region);
	if (rc == FX_EREMOTE &&
	    (resp.status == 301 || resp.status == 403 || resp.status == 404)) {
		/* answers, not failures: take pb_call's sentence back */
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	}
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_alive_bucket(struct pb_ctx *x, const char *bucket, const char *region,
    enum pb_alive *out)
{
	char moved[ALIVE_MAX_REGION];
	long status = 0;
	fx_err rc;

	*out = PB_ALIVE_NO;
	rc = head_bucket(x, bucket, region, &status, moved, sizeof(moved));
	if (rc == FX_OK && status == 301 && strcmp(moved, region) != 0 &&
	    r53_word_ok(moved, "-", sizeof(moved) - 1))
		rc = head_bucket(x, bucket, moved, &status, moved,
		    sizeof(moved));
	if (rc != FX_OK)
		return rc;
	if (status >= 200 && status < 300)
		*out = PB_ALIVE_OURS;
	else if (status != 404)
		*out = PB_ALIVE_OTHER; /* 403, or a redirect again */
	return FX_OK;
}

/* the load balancer name in d's API; *found and its DNSName */
static fx_err
describe_lb(struct pb_ctx *x, const struct pb_one *d, const char *name,
    int *found, char *dns, size_t len)
{
	struct aws_resp resp;
	const json_t *item = NULL;
	const char *v;
	fx_err rc;

	aws_resp_init(&resp);
	rc = pb_read_one(x, d, name, &resp, &item);
	*found = rc == FX_OK && item != NULL;
	v = aws_j_str(item, "DNSName");
	if (*found && dns != NULL)
		snprintf(dns, len, "%s", v != NULL ? v : "");
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_alive_lb(struct pb_ctx *x, const char *name, const char *region,
    enum pb_alive *out, char *dns, size_t len)
{
	static const struct pb_one classic = { AWS_ELB, "DescribeLoadBalancers",
		"LoadBalancerNames.member.1",
		"DescribeLoadBalancersResult/LoadBalancerDescriptions",
		"LoadBalancerName", "LoadBalancerNotFound" };
	static const struct pb_one v2 = { AWS_ELBV2, "DescribeLoadBalancers",
		"Names.member.1", "DescribeLoadBalancersResult/LoadBalancers",
		"LoadBalancerName", "LoadBalancerNotFound" };
	const char *saved = x->region;
	int found = 0;
	fx_err rc;

	*out = PB_ALIVE_NO;
	if (dns != NULL && len > 0)
		dns[0] = '\0';
	/* the load balancer's region, not the global playbook's */
	x->region = region;
	rc = describe_lb(x, &classic, name, &found, dns, len);
	if (rc == FX_OK && !found)
		rc = describe_lb(x, &v2, name, &found, dns, len);
	x->region = saved;
	if (rc == FX_OK && found)
		*out = PB_ALIVE_OURS;
	return rc;
}
