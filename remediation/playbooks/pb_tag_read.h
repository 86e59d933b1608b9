/*
 * pb_tag_read.h - tagging-standard's resources: EC2 instances, ELBv2
 * load balancers and S3 buckets, listed or read one by one, each with its
 * tags and whether it is public, and the fixit: tags added to one.
 *
 *   EC2 instance   DescribeInstances (paged, nextToken); ended ones are
 *                  skipped. Public: it has a public IPv4 address
 *                  (ipAddress, PublicIpAddress in the API model).
 *   load balancer  ELBv2 DescribeLoadBalancers (paged, Marker), then
 *                  DescribeTags of 20 ARNs a call (AWS's most); one
 *                  missing from its answer was deleted since and is
 *                  skipped. Public: Scheme internet-facing.
 *   S3 bucket      ListBuckets (paged, max-buckets and continuation-
 *                  token), the buckets of x's region (BucketRegion, else
 *                  GetBucketLocation), GetBucketTagging (NoSuchTagSet:
 *                  no tags). Public: GetBucketPolicyStatus IsPublic, or
 *                  an ACL grant to AllUsers or AuthenticatedUsers
 *                  (GetBucketAcl) that the bucket's public access block
 *                  does not ignore (GetPublicAccessBlock
 *                  IgnorePublicAcls; none configured: not ignored). The
 *                  account-level block (S3 Control) is not read. A
 *                  bucket whose policy denies fixit (AccessDenied) is
 *                  skipped with a sentence; in a check it is an error.
 *
 * All reads are the auditor's; pb_tag_read_add is the tagger's.
 */
#ifndef FIXIT_PB_TAG_READ_H
#define FIXIT_PB_TAG_READ_H

#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

/* one resource; every member owned */
struct pb_tag_res {
	const char *type; /* PB_TAG_STD_* (static) */
	char *id;	  /* instance id, load balancer ARN, bucket name */
	char *arn;
	char *name;   /* what people call it: Name tag, LB or bucket name */
	json_t *tags; /* {key: value} */
	int public;
	char why[160]; /* why it is public; "" when not */
};
void pb_tag_res_release(struct pb_tag_res *r); /* accepts a zeroed one */

/* the type of a finding's resource id (as pb_tag_res.id), or NULL */
const char *pb_tag_read_type_of(const char *id);

/* fn gets each resource of type (r borrowed for the call) */
typedef fx_err (
    *pb_tag_res_fn)(struct pb_ctx *x, struct pb_tag_res *r, void *arg);
fx_err pb_tag_read_list(struct pb_ctx *x, const char *type, pb_tag_res_fn fn,
    void *arg) FX_WUR;

/* read resource id of type into r; *found = 0 when it no longer exists
 * (with a pb_say) */
fx_err pb_tag_read_one(struct pb_ctx *x, const char *type, const char *id,
    struct pb_tag_res *r, int *found) FX_WUR;

/*
 * The fixit: tags of action plus extra (fixit: keys only) on r, as the
 * tagger; every tag already there is kept (S3 replaces the whole set:
 * r->tags are written back with the new keys).
 */
fx_err pb_tag_read_add(struct pb_ctx *x, const struct pb_tag_res *r,
    const char *action, const json_t *extra) FX_WUR;

/* remove the fixit: tag key from r (as the tagger; S3 writes the rest
 * back, or deletes the set when none is left); FX_OK when r has none */
fx_err pb_tag_read_drop(struct pb_ctx *x, const struct pb_tag_res *r,
    const char *key) FX_WUR;

#endif
