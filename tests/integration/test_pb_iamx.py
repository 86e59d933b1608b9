#!/usr/bin/env python3
"""test_pb_iamx.py - iam-admin-paths' reads besides IAM (issue 17),
through the real fixitd against the fake (fakeaws_iamx.py: Lambda;
CloudTrail's LookupEvents of fakeaws_services.py).

The fixture is test_pb_iamgraph.py's account (its 3-hop path to
ops-admin) plus two roles Lambda may assume, both holding iam:*:
fn-admin, which function "billing" runs as, and fn-idle, which no
function runs as. ListFunctions is read in pages of 1 (a third function
runs as another account's role).

  lambda   fn-admin is a finding whose chain starts at "Lambda function
           billing"; fn-idle is none (Lambda may assume it, nothing
           does);
  trail    CloudTrail holds fn-admin's PutRolePolicy of 5 days ago,
           which IAM's report does not show: the action is "used"
           (cloudtrail_last) and kept, not removed;
  denied   ListFunctions answers AccessDenied: the functions are not
           known, so fn-idle is compute by its trust (the old inference)
           and its chain says the functions were not listed; LookupEvents
           denied: IAM's report alone decides, and the evidence says
           CloudTrail was not available.
  accounts two configured accounts, each with its own IAM in the fake:
           instance profile web-profile in the prod account carries web,
           which may assume xacct-admin in the nonprod account (whose
           trust names web); the nonprod account's detection finds it
           (the finding belongs to the account whose permission a fix
           removes), its chain starting in the prod account; prod's own
           detection finds nothing; a nonprod role trusting the prod
           account's root that web may not assume is no path.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_iamgraph as IG                           # noqa: E402
import fakeaws_iamx as IX                               # noqa: E402
import harness as h                                     # noqa: E402
import test_pb_iamgraph as T                            # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok                        # noqa: E402

PB = T.PB
ACCT = T.ACCT
OTHER = "999988887777"
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def seed(env):
    acct = env.aws.account(ACCT)
    T.seed(acct)
    for r in ("fn-admin", "fn-idle"):
        acct.add_role(r, policies={"all": T.IAM_ALL})
        IG.set_trust(acct, r, LAMBDA_TRUST)
    reg = env.aws.region("eu-west-1", ACCT)
    IX.add_function(reg, "billing", T.arn("fn-admin"))
    IX.add_function(reg, "elsewhere",
                    "arn:aws:iam::%s:role/fn-idle" % OTHER)
    IX.add_function(reg, "plain", T.arn("batch"))
    # IAM's events are in us-east-1, where a global playbook reads them
    env.aws.region("us-east-1", ACCT).add_event(
        "PutRolePolicy", event_time=time.time() - 5 * 86400,
        event_source="iam.amazonaws.com", detail={"userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::%s:assumed-role/fn-admin/s" % ACCT,
            "sessionContext": {"sessionIssuer": {
                "type": "Role", "arn": T.arn("fn-admin")}}}})
    return reg


def by_id(env):
    return {f["resource_id"]: f for f in env.findings(playbook=PB)}


def test_lambda_and_trail():
    with h.Env("pb-iamx", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, params=T.PARAMS, approval="owner",
                           grace="1h")]) as env:
        reg = seed(env)
        env.aws.set_page_size(1, "ListFunctions")
        env.start()
        check_scan_ok(env.scan(timeout=60))
        fs = by_id(env)
        check(sorted(fs) == ["fn-admin", "ops-admin"], "findings %r",
              sorted(fs))
        lf = env.aws.calls(action="ListFunctions", account=ACCT)
        check(len(lf) >= 3 and any("Marker=" in (c.query or "")
                                   for c in lf),
              "ListFunctions not paged: %r", [c.query for c in lf])
        d = fs["fn-admin"]["details"]
        check(d["chain"][0]["from"] == "Lambda function billing" and
              d["chain"][0]["how"] == "Lambda function",
              "chain %r", d["chain"])
        ev = {a["action"]: a for a in d["evidence"]["actions"]}
        put = ev["iam:PutRolePolicy"]
        check(put["verdict"] == "used" and put.get("cloudtrail_last"),
              "PutRolePolicy %r", put)
        check("iam:PutRolePolicy" in d["keep"] and
              "iam:PutRolePolicy" not in d["remove"] and
              "iam:CreateUser" in d["remove"], "remove %r keep %r",
              d["remove"], d["keep"])
        check(d["evidence"]["cloudtrail"]["read"].startswith(
            "LookupEvents"), "cloudtrail %r", d["evidence"]["cloudtrail"])
        # ops-admin had no event: CloudTrail changed nothing there
        ev = {a["action"]: a for a in
              fs["ops-admin"]["details"]["evidence"]["actions"]}
        check(ev["iam:PutRolePolicy"]["verdict"] == "unused",
              "ops-admin %r", ev["iam:PutRolePolicy"])
        lk = env.aws.calls(action="LookupEvents", account=ACCT)
        names = [c.params.get("LookupAttributes", [{}])[0]
                 .get("AttributeValue") for c in lk]
        check(len(names) == len(set(names)) and "PutRolePolicy" in names,
              "LookupEvents once per action per scan: %r", names)

        # ListFunctions denied: fn-idle is compute by its trust again;
        # CloudTrail denied too: IAM's report alone, and it says so
        IX.deny_lambda(reg)
        env.aws.fail_next(1000, "denied", action="LookupEvents")
        check_scan_ok(env.scan(timeout=60))
        fs = by_id(env)
        check("fn-idle" in fs, "findings %r", sorted(fs))
        d = fs["fn-idle"]["details"]
        frm = d["chain"][0]["from"]
        check("not listed" in frm, "fn-idle chain from %r", frm)
        check(d["evidence"]["cloudtrail"]["read"].startswith(
            "not available"), "cloudtrail %r", d["evidence"]["cloudtrail"])
        check("iam:PutRolePolicy" in d["remove"], "remove %r",
              d["remove"])


def test_cross_account():
    with h.Env("pb-iamx-accounts", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, params=T.PARAMS, approval="owner",
                           grace="1h")]) as env:
        a, b = env.aws.account(ACCT), env.aws.account(h.PROD)
        b.add_instance_profile("web-profile", roles=["web"])
        b.put_role_policy("web", "hop", T.allow(
            "sts:AssumeRole", T.arn("xacct-admin")))
        a.add_role("xacct-admin", policies={"all": T.IAM_ALL})
        IG.set_trust(a, "xacct-admin", T.trusts(
            "arn:aws:iam::%s:role/web" % h.PROD))
        a.add_role("xacct-other", policies={"all": T.IAM_ALL})
        IG.set_trust(a, "xacct-other", T.trusts(h.PROD))
        env.aws.set_page_size(1, "GetAccountAuthorizationDetails")
        env.start()
        check_scan_ok(env.scan(timeout=60))
        fs = env.findings(playbook=PB)
        check([(f["resource_id"], f["account_id"]) for f in fs] ==
              [("xacct-admin", ACCT)], "findings %r",
              [(f["resource_id"], f["account_id"]) for f in fs])
        chain = fs[0]["details"]["chain"]
        check([(c["from"], c["to"]) for c in chain] == [
            ("instance profile web-profile (account %s)" % h.PROD,
             "role web (account %s)" % h.PROD),
            ("role web (account %s)" % h.PROD, "role xacct-admin"),
            ("role xacct-admin", "IAM admin")], "chain %r", chain)
        # prod's IAM was read by both detections, as prod's auditor
        gaad = env.aws.calls(action="GetAccountAuthorizationDetails",
                             account=h.PROD)
        check(len(gaad) >= 2, "prod read %d times", len(gaad))


if __name__ == "__main__":
    h.run_tests(test_lambda_and_trail, test_cross_account)
