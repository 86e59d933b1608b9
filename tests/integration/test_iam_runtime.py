"""test_iam_runtime.py - iamcheck (run by harness.Env at every shutdown
with the fake AWS) tells a request its role's policy does not allow from
one it does (issue 15).

Requests are recorded calls as fakeaws.Call has them (service as the
fake names it, operation, the role that signed); no fixitd is needed.
"""

from types import SimpleNamespace

import harness as h
from harness import check
import iamcheck


def call(service, op, role, signed=True):
    return SimpleNamespace(service=service, operation=op, action=op,
                           role=role, signature_ok=True if signed else None)


def test_allowed():
    calls = [call("sts", "AssumeRole", None),
             call("sts", "AssumeRole", "fixit-hub"),
             call("sts", "AssumeRoleWithWebIdentity", None, signed=False),
             call("imds", "GET /latest/api/token", None, signed=False),
             call("ec2", "DescribeInstances", "fixit-auditor"),
             call("monitoring", "GetMetricStatistics", "fixit-auditor"),
             call("elb", "DescribeLoadBalancers", "fixit-auditor"),
             call("elbv2", "DescribeLoadBalancers", "fixit-auditor"),
             call("s3", "HeadBucket", "fixit-auditor"),
             call("ec2", "CreateTags", "fixit-tagger"),
             call("route53", "ChangeTagsForResource", "fixit-tagger"),
             call("route53", "ChangeTagsForResource", "fixit-remediator"),
             call("route53", "AssociateVPCWithHostedZone",
                  "fixit-remediator"),
             call("ec2", "TerminateInstances", "fixit-remediator")]
    p = iamcheck.problems(calls, h.SRC)
    check(p == [], "allowed calls reported: %r", p)


def test_refused():
    cases = [
        (call("ec2", "TerminateInstances", "fixit-auditor"),
         "ec2 TerminateInstances as auditor"),
        (call("ec2", "DescribeInstances", None),
         "ec2 DescribeInstances as hub"),
        (call("ec2", "ModifyInstanceMetadataOptions", "fixit-tagger"),
         "as tagger"),
        (call("rds", "ListTagsForResource", "fixit-auditor"),
         "rds ListTagsForResource as auditor"),
        (call("kms", "CreateGrant", "fixit-remediator"),
         "kms CreateGrant as remediator"),
    ]
    for c, want in cases:
        p = iamcheck.problems([c, c], h.SRC)
        check(len(p) == 1 and want in p[0], "%s: %r", want, p)


if __name__ == "__main__":
    h.run_tests(test_allowed, test_refused)
