/*
 * pb_alive.h - does a resource of a given name exist (again) in the
 * run's account: an S3 bucket, a load balancer. For the playbooks that
 * act on what a deleted resource left behind (dangling-dns): a resource
 * made again under the same name means there is nothing dangling.
 *
 * Reads only (auditor role). Expected "no such resource" answers are not
 * errors and leave x->msg as it was; other failures are FX_* errors with
 * pb_call's sentence in x->msg.
 */
#ifndef FIXIT_PB_ALIVE_H
#define FIXIT_PB_ALIVE_H

#include "fxerr.h"
#include "playbook.h"

enum pb_alive {
	PB_ALIVE_NO = 0, /* no such resource */
	PB_ALIVE_OURS,	 /* it exists, in this account */
	PB_ALIVE_OTHER,	 /* the name is taken, not by this account (or
			  * fixitd may not read it) */
};

/*
 * S3 HeadBucket on bucket in region with x-amz-expected-bucket-owner =
 * x->account_id: 200 -> OURS; 404 -> NO; 403 -> OTHER (another owner,
 * or no s3:ListBucket); a 301 to another region is asked again there
 * once.
 */
fx_err pb_alive_bucket(struct pb_ctx *x, const char *bucket, const char *region,
    enum pb_alive *out) FX_WUR;
/*
 * A load balancer named name in region: ELB (classic)
 * DescribeLoadBalancers LoadBalancerNames, then ELBv2
 * DescribeLoadBalancers Names; LoadBalancerNotFound from both -> NO,
 * else OURS (names are per account and region). dns (may be NULL) gets
 * its DNSName (at most len bytes, "" when none).
 */
fx_err pb_alive_lb(struct pb_ctx *x, const char *name, const char *region,
    enum pb_alive *out, char *dns, size_t len) FX_WUR;

#endif
