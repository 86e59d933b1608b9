/*
 * pb_tag_read.c - tagging-standard's resources (see pb_tag_read.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_sigv4.h"
#include "fxlimits.h"
#include "pb_ec2_util.h"
#include "pb_lb_prior.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "pb_tag_read.h"
#include "pb_tag_std.h"
#include "banned.h"

#define S3_NS	     "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3_ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define S3_AUTH_USERS                                                          \
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define S3_PAGE	     "100" /* max-buckets per ListBuckets page */
#define S3_MAX_QUERY 4096  /* a 1024-byte token, percent-encoded */
#define S3_MAX_BODY  16384 /* 50 tags of 128 + 256 bytes, escaped */

void
pb_tag_res_release(struct pb_tag_res *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->arn);
	free(r->name);
	json_decref(r->tags);
	memset(r, 0, sizeof(*r));
}

const char *
pb_tag_read_type_of(const char *id)
{
	if (id == NULL || *id == '\0')
		return NULL;
	if (strncmp(id, "i-", 2) == 0)
		return PB_TAG_STD_INSTANCE;
	if (strncmp(id, "arn:", 4) == 0)
		return strstr(id, ":loadbalancer/") != NULL ? PB_TAG_STD_LB
							    : NULL;
	return PB_TAG_STD_BUCKET;
}

static fx_err
res_set(struct pb_tag_res *r, const char *type, const char *id, const char *arn,
    const char *name, json_t *tags)
{
	r->type = type;
	r->id = strdup(id);
	r->arn = arn != NULL ? strdup(arn) : NULL;
	r->name = strdup(name != NULL ? name : id);
	r->tags = tags;
	if (r->id == NULL || r->name == NULL || r->tags == NULL ||
	    (arn != NULL && r->arn == NULL))
		return FX_ENOMEM;
	return FX_OK;
}

/* ---- EC2 instances ---------------------------------------------------- */

static fx_err
inst_res(struct pb_ctx *x, const json_t *inst, struct pb_tag_res *r)
{
	const char *id = aws_j_str(inst, "instanceId");
	const char *ip = aws_j_str(inst, "ipAddress");
	const json_t *ts = aws_j_list(inst, "tagSet");
	char *arn;
	fx_err rc;

	if (id == NULL)
		return FX_EINVAL;
	if ((arn = pb_ec2_arn(x, "instance", id)) == NULL)
		return FX_ENOMEM;
	rc = res_set(r, PB_TAG_STD_INSTANCE, id, arn,
	    pb_ec2_util_tag(ts, "Name"), pb_ec2_tags(ts));
	free(arn);
	if (rc == FX_OK && ip != NULL && *ip != '\0') {
		r->public = 1;
		snprintf(r->why, sizeof(r->why), "public IP %s", ip);
	}
	return rc;
}

struct walk {
	pb_tag_res_fn fn;
	void *arg;
};

static fx_err
inst_each(struct pb_ctx *x, const json_t *resv, void *arg)
{
	struct walk *w = arg;
	struct pb_tag_res r;
	const json_t *inst;
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(aws_j_list(resv, "instancesSet"), i, inst) {
		if (pb_ec2_util_ended(inst))
			continue;
		memset(&r, 0, sizeof(r));
		rc = inst_res(x, inst, &r);
		if (rc == FX_OK)
			rc = w->fn(x, &r, w->arg);
		pb_tag_res_release(&r);
		if (rc != FX_OK)
			break;
	}
	return rc;
}

/* ---- load balancers ----------------------------------------------------- */

#define LB_TAGS_BATCH 20 /* DescribeTags: at most 20 ARNs a call */

/* DescribeTags of lbs[from, from + n): {arn: {key: value}} into out */
static fx_err
lb_tags(struct pb_ctx *x, const json_t *lbs, size_t from, size_t n, json_t *out)
{
	struct aws_resp resp;
	const json_t *d;
	const char *arn;
	json_t *p = json_object(), *t;
	char key[48];
	size_t i;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	for (i = 0; p != NULL && rc == FX_OK && i < n; i++) {
		arn =
		    aws_j_str(json_array_get(lbs, from + i), "LoadBalancerArn");
		snprintf(key, sizeof(key), "ResourceArns.member.%zu", i + 1);
		if (arn == NULL ||
		    json_object_set_new(p, key, json_string(arn)) != 0)
			rc = arn == NULL ? FX_EINVAL : FX_ENOMEM;
	}
	if (p == NULL || rc != FX_OK) {
		json_decref(p);
		return p == NULL ? FX_ENOMEM : rc;
	}
	rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeTags", p, 0, &resp);
	json_array_foreach(rc == FX_OK
			       ? aws_j_list(resp.doc, "DescribeTagsResult/"
						      "TagDescriptions")
			       : NULL,
	    i, d) {
		if ((arn = aws_j_str(d, "ResourceArn")) == NULL)
			continue;
		/* set_new steals t also when it fails */
		if ((t = pb_sto_util_tags(json_object_get(d, "Tags"))) ==
			NULL ||
		    json_object_set_new(out, arn, t) != 0) {
			rc = FX_ENOMEM;
			break;
		}
	}
	aws_resp_release(&resp);
	return rc;
}

/* r from a described load balancer and its tags (copied) */
static fx_err
lb_res(const json_t *lb, const json_t *tags, struct pb_tag_res *r)
{
	const char *arn = aws_j_str(lb, "LoadBalancerArn");
	const char *scheme = aws_j_str(lb, "Scheme");
	fx_err rc;

	if (arn == NULL)
		return FX_EINVAL;
	rc = res_set(r, PB_TAG_STD_LB, arn, arn,
	    aws_j_str(lb, "LoadBalancerName"), json_deep_copy(tags));
	if (rc == FX_OK && scheme != NULL &&
	    strcmp(scheme, "internet-facing") == 0) {
		r->public = 1;
		snprintf(r->why, sizeof(r->why), "internet-facing");
	}
	return rc;
}

/* every load balancer, its tags read LB_TAGS_BATCH at a time */
static fx_err
lb_list(struct pb_ctx *x, struct walk *w)
{
	struct pb_tag_res r;
	const json_t *lb, *tags;
	json_t *all = NULL, *map = NULL;
	size_t i, j, n;
	fx_err rc;

	rc = pb_lb_prior_all(x, AWS_ELBV2, "DescribeLoadBalancers", NULL,
	    "LoadBalancers", &all);
	for (i = 0; rc == FX_OK && i < json_array_size(all);
	     i += LB_TAGS_BATCH) {
		n = json_array_size(all) - i;
		n = n > LB_TAGS_BATCH ? LB_TAGS_BATCH : n;
		json_decref(map);
		if ((map = json_object()) == NULL) {
			rc = FX_ENOMEM;
			break;
		}
		rc = lb_tags(x, all, i, n, map);
		for (j = i; rc == FX_OK && j < i + n; j++) {
			lb = json_array_get(all, j);
			tags = json_object_get(map,
			    aws_j_str(lb, "LoadBalancerArn"));
			if (tags == NULL)
				continue; /* deleted since the listing */
			memset(&r, 0, sizeof(r));
			rc = lb_res(lb, tags, &r);
			if (rc == FX_OK)
				rc = w->fn(x, &r, w->arg);
			pb_tag_res_release(&r);
		}
	}
	json_decref(map);
	json_decref(all);
	return rc;
}

/* ---- S3 buckets ----------------------------------------------------------- */

/*
 * One S3 call on bucket (NULL: the service) with query; an error whose
 * code is quiet (may be NULL) is an answer: *quiet = 1, FX_OK, no
 * sentence.
 */
static fx_err
tg_s3_call(struct pb_ctx *x, enum pb_role role, const char *op,
    const char *method, const char *bucket, const char *query, const char *body,
    const char *quiet_code, int *quiet, struct aws_resp *resp)
{
	struct aws_req r;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_S3;
	r.region = x->region;
	r.action = op;
	r.method = method;
	r.path = "/";
	r.query = query;
	r.body = body;
	r.bucket = bucket;
	r.expected_owner = bucket != NULL ? x->account_id : NULL;
	if (quiet != NULL)
		*quiet = 0;
	rc = pb_call(x, role, &r, strcmp(method, "GET") != 0, resp);
	if (quiet_code != NULL && pb_is_error(rc, resp, quiet_code)) {
		pb_msg_rewind(x, mark);
		*quiet = 1;
		rc = FX_OK;
	}
	/* a bucket policy may deny even the account's own roles */
	if (bucket != NULL && pb_is_error(rc, resp, "AccessDenied"))
		rc = FX_EPERM;
	return rc;
}

/* the bucket's tags ({} when it has none); *gone when it does not exist */
static fx_err
s3_tags(struct pb_ctx *x, const char *bucket, json_t **out, int *gone)
{
	struct aws_resp resp;
	size_t mark = pb_msg_mark(x);
	const json_t *t;
	size_t i;
	int none;
	fx_err rc;

	*out = NULL;
	*gone = 0;
	aws_resp_init(&resp);
	rc = tg_s3_call(x, PB_AUDITOR, "GetBucketTagging", "GET", bucket,
	    "tagging", NULL, "NoSuchTagSet", &none, &resp);
	if (pb_is_error(rc, &resp, "NoSuchBucket")) {
		pb_msg_rewind(x, mark);
		pb_say(x, "the bucket no longer exists");
		*gone = 1;
		rc = FX_OK;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	if ((*out = json_object()) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	json_array_foreach(none ? NULL : aws_j_list(resp.doc, "TagSet"), i, t) {
		if (aws_j_str(t, "Key") == NULL)
			continue;
		if (json_object_set_new(*out, aws_j_str(t, "Key"),
			json_string(aws_j_str(t, "Value")
					? aws_j_str(t, "Value")
					: "")) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
out:
	if (rc != FX_OK) {
		json_decref(*out);
		*out = NULL;
	}
	aws_resp_release(&resp);
	return rc;
}

/* an ACL grant to everyone that the bucket's public access block lets
 * count: *why set */
static fx_err
s3_acl_public(struct pb_ctx *x, const char *bucket, char *why, size_t len)
{
	struct aws_resp resp;
	const json_t *g;
	const char *uri, *perm = NULL;
	size_t i;
	int none;
	fx_err rc;

	aws_resp_init(&resp);
	rc = tg_s3_call(x, PB_AUDITOR, "GetBucketAcl", "GET", bucket, "acl",
	    NULL, NULL, NULL, &resp);
	json_array_foreach(rc == FX_OK
			       ? aws_j_list(resp.doc, "AccessControlList")
			       : NULL,
	    i, g) {
		uri = aws_j_str(g, "Grantee/URI");
		if (uri != NULL && (strcmp(uri, S3_ALL_USERS) == 0 ||
				       strcmp(uri, S3_AUTH_USERS) == 0)) {
			perm = aws_j_str(g, "Permission");
			snprintf(why, len, "its ACL grants %s to %s",
			    perm != NULL ? perm : "access",
			    strcmp(uri, S3_ALL_USERS) == 0 ? "everyone"
							   : "any AWS account");
			break;
		}
	}
	aws_resp_release(&resp);
	if (rc != FX_OK || why[0] == '\0')
		return rc;
	rc = tg_s3_call(x, PB_AUDITOR, "GetPublicAccessBlock", "GET", bucket,
	    "publicAccessBlock", NULL, "NoSuchPublicAccessBlockConfiguration",
	    &none, &resp);
	if (rc == FX_OK && !none &&
	    strcmp(aws_j_str(resp.doc, "IgnorePublicAcls") != NULL
		       ? aws_j_str(resp.doc, "IgnorePublicAcls")
		       : "",
		"true") == 0)
		why[0] = '\0';
	aws_resp_release(&resp);
	return rc;
}

static fx_err
s3_public(struct pb_ctx *x, struct pb_tag_res *r)
{
	struct aws_resp resp;
	const char *pub;
	int none;
	fx_err rc;

	aws_resp_init(&resp);
	rc = tg_s3_call(x, PB_AUDITOR, "GetBucketPolicyStatus", "GET", r->id,
	    "policyStatus", NULL, "NoSuchBucketPolicy", &none, &resp);
	pub = rc == FX_OK && !none ? aws_j_str(resp.doc, "IsPublic") : NULL;
	if (pub != NULL && strcmp(pub, "true") == 0)
		snprintf(r->why, sizeof(r->why), "its bucket policy is public");
	aws_resp_release(&resp);
	if (rc == FX_OK && r->why[0] == '\0')
		rc = s3_acl_public(x, r->id, r->why, sizeof(r->why));
	r->public = r->why[0] != '\0';
	return rc;
}

static fx_err
s3_res(struct pb_ctx *x, const char *bucket, struct pb_tag_res *r, int *found)
{
	char arn[320];
	json_t *tags = NULL;
	int gone;
	fx_err rc;

	*found = 0;
	if ((rc = s3_tags(x, bucket, &tags, &gone)) != FX_OK || gone)
		return rc;
	snprintf(arn, sizeof(arn), "arn:aws:s3:::%s", bucket);
	if ((rc = res_set(r, PB_TAG_STD_BUCKET, bucket, arn, bucket, tags)) !=
	    FX_OK)
		return rc;
	*found = 1;
	return s3_public(x, r);
}

/* the bucket's region: ListBuckets' BucketRegion, else its location */
static fx_err
s3_region(struct pb_ctx *x, const json_t *b, char *out, size_t len)
{
	struct aws_resp resp;
	const char *reg = aws_j_str(b, "BucketRegion");
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	if (reg == NULL || *reg == '\0') {
		rc = tg_s3_call(x, PB_AUDITOR, "GetBucketLocation", "GET",
		    aws_j_str(b, "Name"), "location", NULL, NULL, NULL, &resp);
		/* the root's content: "" (us-east-1) or the region */
		reg = rc == FX_OK && json_is_string(resp.doc)
			  ? json_string_value(resp.doc)
			  : aws_j_str(resp.doc, "LocationConstraint");
		if (reg == NULL || *reg == '\0')
			reg = "us-east-1";
	}
	snprintf(out, len, "%s", reg);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
s3_each(struct pb_ctx *x, const json_t *b, struct walk *w)
{
	struct pb_tag_res r;
	const char *name = aws_j_str(b, "Name");
	char reg[64];
	int found;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	if (name == NULL)
		return FX_OK;
	if ((rc = s3_region(x, b, reg, sizeof(reg))) != FX_OK)
		return rc;
	if (strcmp(reg, x->region) != 0)
		return FX_OK; /* another region's scan reports it */
	rc = s3_res(x, name, &r, &found);
	/* one bucket that denies fixit does not stop the scan (said) */
	if (rc == FX_EPERM)
		rc = pb_sto_util_skip(x, rc, name, "tags and access settings");
	else if (rc == FX_OK && found)
		rc = w->fn(x, &r, w->arg);
	pb_tag_res_release(&r);
	return rc;
}

static fx_err
s3_list(struct pb_ctx *x, struct walk *w)
{
	struct aws_resp resp;
	struct buf q = BUF_INIT;
	const json_t *b;
	const char *tok;
	char *next = NULL;
	size_t i;
	int page;
	fx_err rc = FX_OK;

	buf_init(&q, S3_MAX_QUERY);
	for (page = 0; rc == FX_OK && page < FX_MAX_AWS_PAGES; page++) {
		buf_reset(&q);
		rc = buf_adds(&q, "max-buckets=" S3_PAGE);
		if (rc == FX_OK && next != NULL) {
			rc = buf_adds(&q, "&continuation-token=");
			if (rc == FX_OK)
				rc =
				    sigv4_uri_encode(&q, next, strlen(next), 0);
		}
		free(next);
		next = NULL;
		aws_resp_init(&resp);
		if (rc == FX_OK)
			rc = tg_s3_call(x, PB_AUDITOR, "ListBuckets", "GET",
			    NULL, buf_str(&q), NULL, NULL, NULL, &resp);
		json_array_foreach(rc == FX_OK ? aws_j_list(resp.doc, "Buckets")
					       : NULL,
		    i, b) {
			if ((rc = s3_each(x, b, w)) != FX_OK)
				break;
		}
		tok = aws_j_str(resp.doc, "ContinuationToken");
		if (rc == FX_OK && tok != NULL && *tok != '\0' &&
		    (next = strdup(tok)) == NULL)
			rc = FX_ENOMEM;
		aws_resp_release(&resp);
		if (next == NULL)
			break;
	}
	if (rc == FX_OK && next != NULL) {
		pb_say(x, "ListBuckets: more than %d pages, listing cut",
		    FX_MAX_AWS_PAGES);
		rc = FX_ETOOBIG;
	}
	free(next);
	buf_release(&q);
	return rc;
}

/* ---- the three together ------------------------------------------------ */

fx_err
pb_tag_read_list(struct pb_ctx *x, const char *type, pb_tag_res_fn fn,
    void *arg)
{
	struct walk w = { fn, arg };
	json_t *p;
	fx_err rc;

	if (strcmp(type, PB_TAG_STD_INSTANCE) == 0) {
		if ((p = json_object()) == NULL)
			return FX_ENOMEM;
		rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeInstances", p,
		    "reservationSet", "nextToken", inst_each, &w);
		json_decref(p);
		return rc;
	}
	if (strcmp(type, PB_TAG_STD_LB) == 0)
		return lb_list(x, &w);
	return s3_list(x, &w);
}

/* r from one described load balancer; *lb NULL when its tags are not
 * there (deleted since) */
static fx_err
lb_one(struct pb_ctx *x, const json_t *desc, struct pb_tag_res *r,
    const json_t **lb)
{
	json_t *map = json_array(), *one = json_object();
	const json_t *tags;
	fx_err rc = FX_ENOMEM;

	if (map == NULL || one == NULL ||
	    json_array_append(map, (json_t *)desc) != 0)
		goto out;
	if ((rc = lb_tags(x, map, 0, 1, one)) != FX_OK)
		goto out;
	tags = json_object_get(one, aws_j_str(desc, "LoadBalancerArn"));
	if (tags == NULL) {
		pb_say(x, "the load balancer no longer exists");
		*lb = NULL;
		goto out;
	}
	rc = lb_res(desc, tags, r);
out:
	json_decref(map);
	json_decref(one);
	return rc;
}

fx_err
pb_tag_read_one(struct pb_ctx *x, const char *type, const char *id,
    struct pb_tag_res *r, int *found)
{
	struct aws_resp resp;
	const json_t *it = NULL;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*found = 0;
	if (strcmp(type, PB_TAG_STD_BUCKET) == 0)
		return s3_res(x, id, r, found);
	aws_resp_init(&resp);
	if (strcmp(type, PB_TAG_STD_INSTANCE) == 0) {
		rc = pb_ec2_util_instance(x, PB_AUDITOR, id, &resp, &it);
		if (rc == FX_OK && it != NULL && pb_ec2_util_ended(it)) {
			pb_say(x, "the instance is terminated");
			it = NULL;
		}
		if (rc == FX_OK && it != NULL)
			rc = inst_res(x, it, r);
	} else {
		rc = pb_query(x, PB_AUDITOR, AWS_ELBV2, "DescribeLoadBalancers",
		    json_pack("{s:s}", "LoadBalancerArns.member.1", id), 0,
		    &resp);
		if (pb_is_error(rc, &resp, LB_NOTFOUND)) {
			pb_msg_rewind(x, mark);
			rc = FX_OK;
		}
		it = json_array_get(aws_j_list(resp.doc,
					"DescribeLoadBalancersResult/"
					"LoadBalancers"),
		    0);
		if (rc == FX_OK && it == NULL)
			pb_say(x, "the load balancer no longer exists");
		if (rc == FX_OK && it != NULL)
			rc = lb_one(x, it, r, &it);
	}
	*found = rc == FX_OK && it != NULL;
	aws_resp_release(&resp);
	return rc;
}

/* PutBucketTagging: r's tags, then the fixit: tags (theirs replaced),
 * less drop (NULL: none); DeleteBucketTagging when none are left */
static fx_err
s3_put_tags(struct pb_ctx *x, const struct pb_tag_res *r, const json_t *add,
    const char *drop)
{
	struct aws_resp resp;
	struct buf body = BUF_INIT;
	const char *k;
	json_t *v, *all = json_deep_copy(r->tags);
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	buf_init(&body, S3_MAX_BODY);
	if (all == NULL ||
	    (add != NULL && json_object_update(all, (json_t *)add) != 0))
		goto out;
	if (drop != NULL)
		json_object_del(all, drop);
	if (json_object_size(all) == 0) {
		rc = tg_s3_call(x, PB_TAGGER, "DeleteBucketTagging", "DELETE",
		    r->id, "tagging", NULL, NULL, NULL, &resp);
		goto out;
	}
	rc = FX_ETOOBIG;
	if (json_object_size(all) > PB_MAX_TAGS) {
		pb_say(x, "the bucket would have more than %d tags",
		    PB_MAX_TAGS);
		goto out;
	}
	rc = buf_adds(&body, "<Tagging xmlns=\"" S3_NS "\"><TagSet>");
	json_object_foreach(all, k, v) {
		if (rc == FX_OK)
			rc = buf_adds(&body, "<Tag><Key>");
		if (rc == FX_OK)
			rc = r53_xml_esc(&body, k);
		if (rc == FX_OK)
			rc = buf_adds(&body, "</Key><Value>");
		if (rc == FX_OK)
			rc = r53_xml_esc(&body,
			    json_string_value(v) ? json_string_value(v) : "");
		if (rc == FX_OK)
			rc = buf_adds(&body, "</Value></Tag>");
	}
	if (rc == FX_OK)
		rc = buf_adds(&body, "</TagSet></Tagging>");
	if (rc == FX_OK)
		rc = tg_s3_call(x, PB_TAGGER, "PutBucketTagging", "PUT", r->id,
		    "tagging", buf_str(&body), NULL, NULL, &resp);
out:
	json_decref(all);
	buf_release(&body);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_tag_read_add(struct pb_ctx *x, const struct pb_tag_res *r,
    const char *action, const json_t *extra)
{
	struct aws_resp resp;
	struct pb_tags t;
	json_t *p = NULL, *add = NULL;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	if (strcmp(r->type, PB_TAG_STD_INSTANCE) == 0)
		return pb_tag_ec2(x, r->id, action, extra);
	if (strcmp(r->type, PB_TAG_STD_BUCKET) == 0) {
		if ((add = pb_fixit_tags(x, action)) == NULL ||
		    (extra != NULL &&
			json_object_update(add, (json_t *)extra) != 0))
			goto out;
		rc = s3_put_tags(x, r, add, NULL);
		goto out;
	}
	if ((p = json_pack("{s:s}", "ResourceArns.member.1", r->id)) == NULL)
		goto out;
	pb_tags_init(&t, p, "Tags.member.");
	if ((rc = pb_tags_fixit(x, &t, action, extra)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_TAGGER, AWS_ELBV2, "AddTags", p, 1, &resp);
	p = NULL;
out:
	json_decref(p);
	json_decref(add);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_tag_read_drop(struct pb_ctx *x, const struct pb_tag_res *r, const char *key)
{
	struct aws_resp resp;
	json_t *p = NULL;
	fx_err rc;

	if (!pb_tag_is_fixit(key))
		return FX_EINVAL;
	if (json_object_get(r->tags, key) == NULL)
		return FX_OK;
	if (strcmp(r->type, PB_TAG_STD_BUCKET) == 0)
		return s3_put_tags(x, r, NULL, key);
	aws_resp_init(&resp);
	if (strcmp(r->type, PB_TAG_STD_INSTANCE) == 0) {
		p = json_pack("{s:s, s:s}", "ResourceId.1", r->id, "Tag.1.Key",
		    key);
		rc = pb_query(x, PB_TAGGER, AWS_EC2, "DeleteTags", p, 1, &resp);
	} else {
		p = json_pack("{s:s, s:s}", "ResourceArns.member.1", r->id,
		    "TagKeys.member.1", key);
		rc = pb_query(x, PB_TAGGER, AWS_ELBV2, "RemoveTags", p, 1,
		    &resp);
	}
	aws_resp_release(&resp);
	return rc;
}
