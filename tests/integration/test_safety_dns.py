#!/usr/bin/env python3
"""test_safety_dns.py - the DNS playbooks never make a takeover, nor break
a name that works (issue 11: item 7 and "dangling-dns checks that the
target is really gone"). Each test asserts the AWS calls made and the
calls not made.

dangling-dns: a target that exists again under its name in the account
(an S3 bucket, path- and virtual-hosted style; an ELBv2 and a classic
load balancer) -> the finding resolves, no ChangeResourceRecordSets; a
bucket held by another account (a takeover) -> the records are deleted.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
from pbtest import check_no_mutation  # noqa: E402

REGION = "eu-west-1"


def dd_env(name, config=None, **kw):
    return h.Env(name, aws=True, start=False, config=config, playbooks=[
        h.aws_playbook("dangling-dns", max_attempts=1, **kw)])


def dd_item(resource, **details):
    details.setdefault("region", REGION)
    return h.item("dangling-dns", h.NONPROD, resource, resource_arn=None,
                  title="Dangling DNS for %s" % resource, details=details)


def seed_zone(env, target):
    """example.com with app.example.com CNAME target; its zone id."""
    return env.aws.account(h.NONPROD).add_zone("example.com", records=[
        {"name": "app.example.com", "type": "CNAME", "values": [target]}])


def check_untouched(env, zid):
    rr = env.aws.account(h.NONPROD).find_record(zid, "app.example.com",
                                                "CNAME")
    h.check(rr is not None, "the record was deleted")
    h.check(not env.aws.calls(action="ChangeResourceRecordSets"),
            "ChangeResourceRecordSets sent")
    check_no_mutation(env, "a live target")


def resolved(env, item):
    [fid] = env.ingest_ok([item])
    env.wait_state(fid, "resolved", timeout=30)
    return fid


def test_bucket_again_path_style():
    with dd_env("dd-bucket-path") as env:
        zid = seed_zone(env, "my-bucket.s3.eu-west-1.amazonaws.com")
        env.aws.account(h.NONPROD).add_bucket("my-bucket", REGION)
        env.start()
        resolved(env, dd_item("s3:my-bucket"))
        [c] = env.aws.calls(action="HeadBucket")
        h.check(c.ok and c.s3_style == "path" and c.path == "/my-bucket",
                "HeadBucket %r %s %s", c, c.s3_style, c.path)
        h.check(c.header("x-amz-expected-bucket-owner") == h.NONPROD,
                "expected owner %r", c.header("x-amz-expected-bucket-owner"))
        h.check(c.signature_ok and "x-amz-content-sha256" in
                c.signed_headers, "S3 signature: %r", c.signed_headers)
        check_untouched(env, zid)


def test_bucket_again_virtual_hosted():
    with dd_env("dd-bucket-virtual", config={}) as env:
        env.config["aws"]["s3_addressing"] = "virtual"
        env.write_config()
        # curl resolves every *.localhost name to the loopback address
        env.proc_env["AWS_ENDPOINT_URL_S3"] = \
            "http://localhost:%d" % env.aws.port
        zid = seed_zone(env, "my-bucket.s3-website-eu-west-1.amazonaws.com")
        env.aws.account(h.NONPROD).add_bucket("my-bucket", "us-west-2")
        env.start()
        resolved(env, dd_item("s3:my-bucket"))
        calls = env.aws.calls(action="HeadBucket")
        h.check([(c.s3_style, c.region, c.status) for c in calls] ==
                [("virtual", REGION, 301), ("virtual", "us-west-2", 200)],
                "HeadBucket: %r", calls)
        h.check(all(c.header("Host").startswith("my-bucket.localhost:")
                    for c in calls), "Host %r", calls[0].header("Host"))
        check_untouched(env, zid)


def test_bucket_taken_by_another_account():
    with dd_env("dd-bucket-taken") as env:
        zid = seed_zone(env, "my-bucket.s3.eu-west-1.amazonaws.com")
        env.aws.account("999988887777").add_bucket("my-bucket", REGION)
        env.start()
        [fid] = env.ingest_ok([dd_item("s3:my-bucket")])
        env.wait_state(fid, "fixed", timeout=30)
        # once by the check, once more by the fix
        calls = env.aws.calls(action="HeadBucket")
        h.check([c.status for c in calls] == [403, 403], "HeadBucket %r",
                calls)
        h.check(env.aws.account(h.NONPROD).find_record(
            zid, "app.example.com", "CNAME") is None,
            "the record pointing at a bucket of another account stayed")


def test_elbv2_again():
    with dd_env("dd-elbv2") as env:
        dns = env.aws.region(REGION, h.NONPROD).add_load_balancer(
            "my-lb", "application")
        zid = seed_zone(env, dns)
        env.start()
        resolved(env, dd_item("elb:my-lb"))
        h.check([c.service for c in env.aws.calls(
            action="DescribeLoadBalancers")] == ["elb", "elbv2"],
            "describes: %r", env.aws.calls(action="DescribeLoadBalancers"))
        [c] = env.aws.calls(service="elbv2")
        h.check(c.ok and c.params.get("Names.member.1") == "my-lb",
                "ELBv2 %r", c)
        check_untouched(env, zid)


def test_classic_elb_again():
    with dd_env("dd-elb") as env:
        dns = env.aws.region(REGION, h.NONPROD).add_load_balancer(
            "my-lb", "classic")
        zid = seed_zone(env, "dualstack." + dns)
        env.start()
        resolved(env, dd_item("elb:my-lb", dns_name=dns))
        [c] = env.aws.calls(action="DescribeLoadBalancers")
        h.check(c.service == "elb" and c.ok and
                c.params.get("LoadBalancerNames.member.1") == "my-lb",
                "ELB %r", c)
        check_untouched(env, zid)


if __name__ == "__main__":
    h.run_tests(test_bucket_again_path_style,
                test_bucket_again_virtual_hosted,
                test_bucket_taken_by_another_account,
                test_elbv2_again, test_classic_elb_again)
