#!/usr/bin/env python3
"""test_pb_ec2.py - what of the EC2 playbooks (ec2-imdsv1,
eip-unassociated, ec2-quarantine) is not a case of "fake AWS state plus
the expected calls": those (detect, fix, undo, dry run, verify, check)
are data in tests/data/playbooks/01xx-03xx, run by test_pb_cases.py.

Here: ec2-quarantine's fix failing after it moved the instance
(PutRolePolicy denied once) and retried, the old groups taken back from
the instance's fixit:quarantined-groups tag (a fault mid-fix, and a look
into the answer the retry's check read got).
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import env_for, scan_one, tags_on           # noqa: E402

QUARANTINE_GROUP = "fixit-quarantine"
DENY_PREFIX = "fixit-quarantine-"      # + the instance id


def seed_quarantine(reg, acct):
    vpc = "vpc-0quarantine000001"
    web = reg.add_security_group(name="web", vpc_id=vpc, ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443,
         "cidr": "0.0.0.0/0"}])
    ssh = reg.add_security_group(name="ssh", vpc_id=vpc, ingress=[
        {"protocol": "tcp", "from_port": 22, "to_port": 22,
         "cidr": "10.0.0.0/8"}])
    acct.add_instance_profile("app-profile", roles=["app-role"])
    acct.put_role_policy("app-role", "s3-read", {"Version": "2012-10-17",
                                                 "Statement": []})
    bad = reg.add_instance(vpc_id=vpc, groups=[web, ssh],
                           instance_profile="app-profile",
                           tags={"Name": "suspect",
                                 "fixit:quarantine": "requested",
                                 "team": "shop"})
    calm = reg.add_instance(vpc_id=vpc, groups=[web])
    stopped = reg.add_instance(vpc_id=vpc, groups=[web], state="stopped",
                               tags={"fixit:quarantine": "requested"})
    return vpc, web, ssh, bad, calm, stopped


def isolation_groups(reg, vpc):
    return [g for g in reg.security_groups.values()
            if g["name"] == QUARANTINE_GROUP and g["vpc_id"] == vpc]










def test_quarantine_retry_after_half_fix():
    """PutRolePolicy denied once: the instance is isolated already when the
    fix is retried, and the old groups come back from its tag."""
    with env_for("pb-q-retry", "ec2-quarantine") as env:
        acct = env.aws.account(h.NONPROD)
        reg = acct.region(h.REGION)
        vpc, web, ssh, bad, calm, stopped = seed_quarantine(reg, acct)
        env.aws.fail_next(1, "denied", action="PutRolePolicy")
        fid = scan_one(env, "ec2-quarantine", "fixed", timeout=40)["id"]
        check(len(env.aws.calls(action="PutRolePolicy")) == 2,
              "PutRolePolicy calls %r", env.aws.calls(action="PutRolePolicy"))
        [sg] = [g["id"] for g in isolation_groups(reg, vpc)]
        prior = env.finding(fid)["prior_state"]
        check(prior["groups"] == [web, ssh] and
              prior["isolation_group"] == sg and
              prior["policy_name"] == DENY_PREFIX + bad, "prior %r", prior)
        # attempt 2 found the instance isolated: its check read shows sg
        # alone, so the old groups came from fixit:quarantined-groups
        reads = [c for c in env.aws.calls(action="DescribeInstances")
                 if c.params.get("InstanceId.1") == bad]
        check(len(reads) == 5, "reads of %s: %r", bad, reads)
        before = re.findall(r"<groupId>([^<]+)</groupId>", "".join(
            re.findall(r"<groupSet>(.*?)</groupSet>",
                       reads[2].response.decode())))
        check(before == [sg], "groups before the retry: %r", before)
        check(len(env.aws.calls(action="ModifyInstanceAttribute")) == 2,
              "ModifyInstanceAttribute calls %r",
              env.aws.calls(action="ModifyInstanceAttribute"))
        retry_tags = tags_on(env, bad, "quarantine")
        check(len(retry_tags) == 2 and all(
            t["fixit:quarantined-groups"] == "%s,%s" % (web, ssh)
            for t in retry_tags), "instance tags %r", retry_tags)
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        check(reg.instances[bad]["groups"] == [web, ssh],
              "groups after undo %r", reg.instances[bad]["groups"])
        check(DENY_PREFIX + bad not in acct.roles["app-role"]["policies"],
              "the deny policy stayed after undo")




if __name__ == "__main__":
    h.run_tests(test_quarantine_retry_after_half_fix)
