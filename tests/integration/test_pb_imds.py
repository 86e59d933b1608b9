#!/usr/bin/env python3
"""test_pb_imds.py - what of imdsv1-everywhere is not a case of "fake AWS
state plus the expected calls" (those are tests/data/playbooks/166x, run
by test_pb_cases.py): the requests of each service it speaks, as the
fake verified them.

- every request to ec2, autoscaling and eks is SigV4-signed for its own
  service (the credential scope names it, and the fake recomputed the
  signature with that name and accepted it), as the auditor;
- EKS's REST-JSON: GETs without a body, the update as a JSON body with
  application/json, a throttled ListClusters retried;
- AMIs are opt-in (fix_amis): without it, found notify-only.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok, env_for               # noqa: E402

OLD = 1714550400.0 - 30 * 86400     # 30 days before the fake's default


def seed(reg):
    lt = reg.add_launch_template(name="web", created=OLD)
    ng_lt = reg.add_launch_template(name="nodes", created=OLD)
    reg.add_image(name="golden", created=OLD)
    reg.add_launch_configuration("old-lc", created=OLD)
    reg.add_auto_scaling_group("web-asg", launch_configuration="old-lc",
                               created=OLD)
    ng = reg.add_eks_nodegroup("prod", "workers", launch_template=ng_lt,
                               version=1, created=OLD)
    return lt, ng


def test_signed_per_service():
    """Scan and fix one resource of each kind: every ec2, autoscaling and
    eks request was signed for that service and verified by the fake."""
    with env_for("pb-imds-sig", "imdsv1-everywhere",
                 params={"verify_polls": 2, "verify_interval_ms": 50,
                         "min_age_days": 1, "fix_amis": 1}) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        lt, ng = seed(reg)
        env.start()
        check_scan_ok(env.scan())
        found = env.findings(playbook="imdsv1-everywhere")
        check(len(found) == 4, "findings %r",
              [f["resource_id"] for f in found])
        for f in found:
            env.wait_state(f["id"], "fixed", timeout=40)
        for svc in ("ec2", "autoscaling", "eks"):
            calls = env.aws.calls(service=svc)
            check(calls, "no %s call", svc)
            for c in calls:
                check(c.signature_ok is True, "%s %s: signature %r",
                      svc, c.operation, c.signature_ok)
                check(c.ok, "%s %s failed: %s %s", svc, c.operation,
                      c.error, c.message)
                scope = c.header("Authorization").split("Credential=")[1]
                check(scope.split(",")[0].split("/")[2:4] ==
                      [h.REGION, svc], "%s scope %r", svc, scope)
        reads = [c for c in env.aws.calls(service="eks")
                 if c.method == "GET"]
        check(reads and all(c.role == "fixit-auditor" and not c.raw
                            for c in reads), "eks reads %r", reads)
        [up] = env.aws.calls(action="UpdateNodegroupVersion")
        check(up.header("Content-Type") == "application/json",
              "content type %r", up.header("Content-Type"))
        body = json.loads(up.raw.decode())
        check(body == {"launchTemplate": {"id": reg.eks_clusters["prod"][
            "nodegroups"]["workers"]["lt"]["id"], "version": "2"}},
            "body %r", body)


def test_eks_throttled_retried():
    """A throttled ListClusters is retried; the scan completes and finds
    the node group. Without fix_amis the AMI is found notify-only."""
    with env_for("pb-imds-throttle", "imdsv1-everywhere",
                 dry_run=True) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        _, ng = seed(reg)
        env.aws.fail_next(1, "throttle", action="ListClusters",
                          service="eks")
        env.start()
        check_scan_ok(env.scan())
        ids = [f["resource_id"] for f in
               env.findings(playbook="imdsv1-everywhere")]
        check(ng in ids, "node group not found: %r", ids)
        [ami] = [f for f in env.findings(playbook="imdsv1-everywhere")
                 if f["resource_id"].startswith("ami-")]
        check(ami["notify_only"] and "fix_amis" in
              ami["details"]["notify_why"],
              "without fix_amis an AMI is notify-only: %r", ami)
        throttled = [c for c in env.aws.calls(action="ListClusters")
                     if c.fault]
        check(len(throttled) == 1, "throttled %r", throttled)


if __name__ == "__main__":
    h.run_tests(test_signed_per_service, test_eks_throttled_retried)
