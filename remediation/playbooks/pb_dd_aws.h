/*
 * pb_dd_aws.h - the targets of dangling-dns beyond buckets and load
 * balancers: every host name or address AWS hands out (issue 16).
 *
 *   eip:IP | eip:eipalloc-ID  a released Elastic IP: A records (not
 *            aliases) whose every value is the address
 *   cloudfront:HOST | cloudfront:DIST_ID  a deleted distribution:
 *            CNAMEs and aliases to HOST (dNNN.cloudfront.net); for a
 *            distribution id (DeleteDistribution names no host), every
 *            CloudFront host the records name that is verified gone
 *   apigw:DOMAIN  a deleted API Gateway custom domain: the record set
 *            named DOMAIN pointing at d-ID.execute-api.REGION.amazonaws
 *            .com (regional) or dNNN.cloudfront.net (edge)
 *   beanstalk:CNAME | beanstalk:PREFIX  a terminated Elastic Beanstalk
 *            environment: CNAMEs and aliases to PREFIX.REGION.
 *            elasticbeanstalk.com
 *
 * "Verified gone" (ddk_alive), in the target's region, in EVERY
 * configured account (x->accounts, the same role names):
 *   eip         an address fixit can tie to the account (CloudTrail
 *               AllocateAddress with that publicIp, or ReleaseAddress
 *               naming it, within 90 days) that no account holds
 *               (DescribeAddresses, Filter public-ip); an address fixit
 *               cannot tie to AWS is HELD: never deleted
 *   cloudfront  no ListDistributions (Marker paging) holds the host and
 *               the public DNS says NXDOMAIN for it (resolver parameter
 *               as route53-ns-only's); a DNS that cannot tell is HELD
 *   apigw       no GetDomainNames (v1, position paging; v2, nextToken
 *               paging) holds the domain
 *   beanstalk   no DescribeEnvironments (IncludeDeleted=false, NextToken
 *               paging) has the CNAME and CheckDNSAvailability says the
 *               prefix is Available (anyone may take it); not available
 *               and not ours: HELD (someone holds it, or AWS still
 *               reserves it)
 * ALIVE -> the records are right; HELD -> they are kept (PB_KEEP).
 *
 * Eligibility (ddk_elig, one function for detect, the check and the fix):
 * the zone's tags: allow_tag (parameter, default "fixit:allow") -> its
 * records are left alone (exempt); IaC tags -> notify only; the finding
 * first seen at least min_age_minutes (parameter, default 0, 0..10080)
 * ago: 0 because the wait is the takeover window and "verified gone" is
 * the real guard; set it to let a blue/green swap or a re-creation
 * settle first (detect has no finding yet and skips this guard, the
 * check applies it; a finding kept as too young is found again by the
 * next scan).
 */
#ifndef FIXIT_PB_DD_AWS_H
#define FIXIT_PB_DD_AWS_H

#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

enum ddk_state { DDK_GONE = 0, DDK_ALIVE, DDK_HELD };

/* 1 when kind is one of eip, cloudfront, apigw, beanstalk */
int ddk_kind(const char *kind);
/*
 * The target {"kind", "name", "region", "hosts": [patterns], "named":
 * [patterns], and for eip "ip" (when known)} of a finding of one of these
 * kinds (pb_dangling_dns.c's shape: host patterns, '*' one or more
 * letters and digits). FX_EINVAL (with a pb_say) for a name that is no
 * such target. Pure.
 */
fx_err ddk_target_new(struct pb_ctx *x, const char *kind, const char *name,
    const char *region, json_t **out) FX_WUR;
/* rrset is an A record set (not an alias) whose values are all the
 * target's "ip" */
int ddk_points_at(const json_t *target, const json_t *rrset);
/* is the target there (see the top); fills what a lookup finds into t
 * ("ip" of an allocation id, "hosts" of a distribution id) */
fx_err ddk_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st) FX_WUR;
/*
 * The eligibility of records ([{zone_id, zone_name, record}], as the
 * scan found them) pointing at target, for finding (NULL in detect: no
 * age guard): records of allow-tagged zones, and an apigw target's
 * records to a CloudFront host that is not verified gone itself (a
 * live distribution the name moved to), are removed from the array
 * (said); *e gets the verdict of the rest (IaC zone, too young, nothing
 * left).
 */
fx_err ddk_elig(struct pb_ctx *x, const json_t *finding, const json_t *target,
    json_t *records, struct pb_elig *e) FX_WUR;

/* the daily scan (pb_dd_scan.c): records of this account's zones that
 * point at a target verified gone, one finding per target */
fx_err ddk_detect(struct pb_ctx *x, struct pb_found_list *found) FX_WUR;

/* ---- shared with pb_dd_scan.c and pb_dd_svc.c ----------------------------- */

/* fn in each configured account (x->accounts, else x's own; the
 * account's context acting in region) until one says *found */
typedef fx_err (*ddk_acct_fn)(struct pb_ctx *ax, void *arg, int *found);
fx_err ddk_each_account(struct pb_ctx *x, const char *region, ddk_acct_fn fn,
    void *arg, int *found) FX_WUR;
/*
 * What the listings of every configured account hold, for the scan to
 * rule out live targets without one lookup each: into set (an object,
 * lower-case name -> true) the CloudFront domains (kind "cloudfront"),
 * the API Gateway custom domains v1 and v2 ("apigw") or the Beanstalk
 * CNAMEs ("beanstalk") of region. ddk_svc_listed: the last two
 * (pb_dd_svc.c).
 */
fx_err ddk_listed(struct pb_ctx *x, const char *kind, const char *region,
    json_t *set) FX_WUR;
fx_err ddk_svc_listed(struct pb_ctx *x, const char *kind, const char *region,
    json_t *set) FX_WUR;
/* s lower-cased, without a trailing dot (new JSON string; NULL when
 * empty or too long) */
json_t *ddk_lower_name(const char *s);
/* ddk_alive of an apigw / beanstalk target (pb_dd_svc.c) */
fx_err ddk_apigw_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st) FX_WUR;
fx_err ddk_beanstalk_alive(struct pb_ctx *x, json_t *t,
    enum ddk_state *st) FX_WUR;

/* the kind of host h points at (cloudfront, apigw, beanstalk; NULL for
 * none) and its region (apigw, beanstalk) into region[32] */
const char *ddk_host_kind(const char *h, char *region, size_t rlen);

#endif
