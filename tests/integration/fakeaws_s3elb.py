"""fakeaws_s3elb.py - S3 HeadBucket (REST, path- and virtual-hosted
style) and Elastic Load Balancing DescribeLoadBalancers, classic
(2012-06-01: LoadBalancerNames.member.N) and v2 (2015-12-01:
Names.member.N), for fakeaws.py. Standard library only.

Buckets are global, as in S3: Account.add_bucket(name, region) makes one
owned by that account; HeadBucket answers 200 (with x-amz-bucket-region)
to its owner in its region, 301 (x-amz-bucket-region) in another region,
403 to another account or when x-amz-expected-bucket-owner names another
account, 404 when no account has it. Load balancers live in a Region:
Region.add_load_balancer(name, kind="application"|"network"|"classic").
"""

from fakeaws_proto import AWSError, action, el, route


def find_bucket(fake, name):
    """(account, bucket dict) of the bucket `name` in any account."""
    for a in fake.accounts.values():
        b = getattr(a, "buckets", {}).get(name)
        if b is not None:
            return a, b
    return None, None


@route("s3", "HEAD", r"/(?P<bucket>[^/]+)/?", "HeadBucket")
def head_bucket(ctx):
    name = ctx.match["bucket"]
    acct, b = find_bucket(ctx.fake, name)
    if b is None:
        raise AWSError("NotFound", "Not Found", 404)
    want = ctx.call.header("x-amz-expected-bucket-owner")
    if want is not None and want != acct.id:
        raise AWSError("Forbidden", "Forbidden", 403)
    if acct.id != ctx.acct.id:
        raise AWSError("Forbidden", "Forbidden", 403)
    hdrs = [("x-amz-bucket-region", b["region"])]
    if b["region"] != ctx.region:
        return 301, "", hdrs
    return 200, "", hdrs


def _names(ctx, key):
    return [str(v) for v in ctx.lst(key)]


def _elb_page(ctx, kinds, key):
    names = _names(ctx, key)
    lbs = [lb for lb in ctx.reg.load_balancers.values()
           if lb["kind"] in kinds]
    if names:
        missing = [n for n in names
                   if not any(lb["name"] == n for lb in lbs)]
        if missing:
            raise AWSError("LoadBalancerNotFound", "There is no ACTIVE Load "
                           "Balancer named '%s'" % missing[0])
        lbs = [lb for lb in lbs if lb["name"] in names]
    return lbs


@action("elb", "DescribeLoadBalancers", ("LoadBalancerNames", "Marker",
                                         "PageSize"))
def elb_describe(ctx):
    lbs = _elb_page(ctx, ("classic",), "LoadBalancerNames")
    return [el("LoadBalancerDescriptions", [el("member", [
        el("LoadBalancerName", lb["name"]), el("DNSName", lb["dns_name"]),
        el("CanonicalHostedZoneNameID", "Z32O12XQLNTSW2"),
        el("Scheme", "internet-facing"),
        el("CreatedTime", "2024-05-01T08:00:00.000Z")]) for lb in lbs])]


@action("elbv2", "DescribeLoadBalancers", ("LoadBalancerArns", "Names",
                                           "Marker", "PageSize"))
def elbv2_describe(ctx):
    lbs = _elb_page(ctx, ("application", "network", "gateway"), "Names")
    return [el("LoadBalancers", [el("member", [
        el("LoadBalancerArn", lb["arn"]), el("DNSName", lb["dns_name"]),
        el("LoadBalancerName", lb["name"]), el("Type", lb["kind"]),
        el("Scheme", "internet-facing"),
        el("State", el("Code", "active"))]) for lb in lbs])]
