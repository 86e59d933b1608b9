#!/usr/bin/env python3
"""test_pb_iamgraph.py - the built-in playbook iam-admin-paths (issue 17)
through the real fixitd against the fake IAM (fakeaws_iamgraph.py).

The fixture account (seed): instance profile app-profile carries role
app, which may sts:AssumeRole ops-*; ops-admin trusts app and holds IAM
admin power three ways: an inline policy (iam:PutRolePolicy,
iam:AttachRolePolicy, s3:GetObject), a customer managed policy ops-iam
(iam:*, at IAM's 5 versions) and the AWS managed IAMFullAccess. That is
the known 3-hop path: instance -> app -> ops-admin -> IAM admin.
iam:AttachRolePolicy was used 10 days ago: it stays. Decoys that are no
path: ops-cond trusts app only with an ExternalId (a Condition blocks),
db-admin trusts app but app may not assume db-* (an unused trust),
lone-admin is carried by no compute, batch is carried but reaches
nothing.

  detect   one finding (ops-admin), GetAccountAuthorizationDetails read
           in pages of 2, the chain hop by hop and the evidence in its
           details and in /fixit show;
  fix      owner approval, the deadline passes: the inline policy loses
           PutRolePolicy (AttachRolePolicy and s3 stay), ops-iam gets a
           new default version (its oldest non-default version deleted
           first, recorded), IAMFullAccess is replaced by a fixit-made
           policy; verify re-reads;
  undo     /fixit undo: the original attachments, document and default
           version are back, fixit's own policy and version are gone;
  dry run  no mutating call; the plan says what would be done;
  unasked  approval none: the fix refuses, nothing is changed;
  check    the chain broke after detection: the check resolves it;
  rollback a fix denied half-way takes back what it changed; the retry
           fixes;
  guards   allow_tag and a role younger than unused_days: no finding; a
           stack's role: notify only.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_iamgraph as IG                           # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok                        # noqa: E402

PB = "iam-admin-paths"
ACCT = h.NONPROD
AWS_IAM_FULL = "arn:aws:iam::aws:policy/IAMFullAccess"
PARAMS = {"page_size": 2, "evidence_interval_ms": 50}


def arn(name):
    return "arn:aws:iam::%s:role/%s" % (ACCT, name)


def allow(actions, resource="*", **kw):
    st = {"Effect": "Allow", "Action": actions, "Resource": resource}
    st.update(kw)
    return {"Version": "2012-10-17", "Statement": [st]}


def trusts(who, **kw):
    st = {"Effect": "Allow", "Principal": {"AWS": who},
          "Action": "sts:AssumeRole"}
    st.update(kw)
    return {"Version": "2012-10-17", "Statement": [st]}


INLINE = allow(["iam:PutRolePolicy", "iam:AttachRolePolicy",
                "s3:GetObject"])
IAM_ALL = allow("iam:*")


def seed(acct):
    acct.add_instance_profile("app-profile", roles=["app"])
    acct.put_role_policy("app", "hop", allow("sts:AssumeRole",
                                             arn("ops-*")))
    acct.add_role("ops-admin", policies={"ops-inline": INLINE})
    IG.set_trust(acct, "ops-admin", trusts(arn("app")))
    ops_iam = IG.add_policy(acct, "ops-iam", IAM_ALL, versions=[
        allow("iam:Get*"), allow("iam:List*"), allow("s3:*"),
        allow("ec2:Describe*")])
    IG.add_policy(acct, "IAMFullAccess", IAM_ALL, aws=True)
    acct.roles["ops-admin"]["attached"] += [ops_iam, AWS_IAM_FULL]
    IG.set_last_access(acct, "ops-admin", "iam:AttachRolePolicy",
                       time.time() - 10 * 86400)
    # decoys
    acct.add_role("ops-cond", policies={"all": IAM_ALL})
    IG.set_trust(acct, "ops-cond", trusts(arn("app"), Condition={
        "StringEquals": {"sts:ExternalId": "only-with-this"}}))
    acct.add_role("db-admin", policies={"all": IAM_ALL})
    IG.set_trust(acct, "db-admin", trusts(arn("app")))
    acct.add_role("lone-admin", policies={"all": IAM_ALL})
    IG.set_trust(acct, "lone-admin", trusts(ACCT))
    acct.add_instance_profile("batch-profile", roles=["batch"])
    acct.put_role_policy("batch", "s3", allow("s3:*"))
    return ops_iam


def env_for(name, dry_run=False):
    return h.Env(name, aws=True, start=False, playbooks=[
        h.aws_playbook(PB, dry_run=dry_run, params=PARAMS,
                       approval="owner", grace="1s")])


def finding_of(env, state):
    env.start()
    check_scan_ok(env.scan(timeout=60))
    fs = env.findings(playbook=PB)
    check([f["resource_id"] for f in fs] == ["ops-admin"],
          "findings %r", [(f["resource_id"], f["state"]) for f in fs])
    env.wait_state(fs[0]["id"], state, timeout=60)
    return env.finding(fs[0]["id"])


def check_details(d):
    chain = d["chain"]
    check([(c["from"], c["to"]) for c in chain] == [
        ("instance profile app-profile", "role app"),
        ("role app", "role ops-admin"),
        ("role ops-admin", "IAM admin")], "chain %r", chain)
    check(chain[1]["how"] == "sts:AssumeRole", "hop 2 %r", chain[1])
    check(d["hops"] == 3, "hops %r", d["hops"])
    ev = {a["action"]: a for a in d["evidence"]["actions"]}
    check(ev["iam:AttachRolePolicy"]["verdict"] == "used" and
          ev["iam:AttachRolePolicy"]["last_accessed"], "evidence %r", ev)
    check(ev["iam:PutRolePolicy"]["verdict"] == "unused" and
          ev["iam:PutRolePolicy"]["last_accessed"] is None,
          "evidence %r", ev)
    check("iam:AttachRolePolicy" in d["keep"] and
          "iam:AttachRolePolicy" not in d["remove"] and
          "iam:PutRolePolicy" in d["remove"], "remove %r keep %r",
          d["remove"], d["keep"])
    check(sorted(g["kind"] for g in d["grants"]) ==
          ["AWS managed", "customer managed", "inline"], "grants %r",
          d["grants"])


def test_detect_fix_undo():
    with env_for("pb-iamgraph") as env:
        acct = env.aws.account(ACCT)
        ops_iam = seed(acct)
        env.aws.set_page_size(2, "GetAccountAuthorizationDetails")
        orig_attached = list(acct.roles["ops-admin"]["attached"])
        f = finding_of(env, "fixed")
        check_details(f["details"])
        gaad = env.aws.calls(action="GetAccountAuthorizationDetails",
                             account=ACCT)
        check(len(gaad) >= 2 and any(c.params.get("Marker") for c in gaad),
              "GetAccountAuthorizationDetails not paged: %d calls",
              len(gaad))
        # the owner was asked first, with the chain in the message
        posts = env.notify_posts(f["id"])
        body = json.dumps(posts[0].body) if posts else ""
        check("Path to IAM admin (3 hops)" in body and
              "instance profile app-profile" in body and
              "never used in the tracked period" in body,
              "the notification draws no chain: %s", body)

        # inline: PutRolePolicy gone, the used action and s3 kept
        doc = json.loads(acct.roles["ops-admin"]["policies"]["ops-inline"])
        acts = doc["Statement"][0]["Action"]
        check(acts == ["iam:AttachRolePolicy", "s3:GetObject"],
              "inline actions %r", acts)
        # customer managed: a new default version, the oldest deleted
        p = IG._pols(acct)[ops_iam]
        ids = [v["id"] for v in p["versions"]]
        check(p["default"] == "v6" and "v1" not in ids and len(ids) == 5,
              "ops-iam versions %r default %s", ids, p["default"])
        new = IG.policy_doc(acct, ops_iam)
        deny = [s for s in new["Statement"] if s["Effect"] == "Deny"]
        check(len(deny) == 1 and "iam:PutRolePolicy" in deny[0]["Action"]
              and "iam:AttachRolePolicy" not in deny[0]["Action"],
              "ops-iam v6 %r", new)
        # AWS managed: replaced by fixit's own policy
        att = acct.roles["ops-admin"]["attached"]
        mine = "arn:aws:iam::%s:policy/fixit-ops-admin-IAMFullAccess" % ACCT
        check(AWS_IAM_FULL not in att and mine in att and ops_iam in att,
              "attached %r", att)
        prior = env.finding(f["id"])["prior_state"]
        [ver] = [c for c in prior["changes"] if c["kind"] == "version"]
        check(ver["old_version"] == "v5" and ver["deleted_version"] == "v1"
              and ver["deleted_document"] == allow("iam:Get*"),
              "version change %r", ver)
        # the decoys were left alone
        for r in ("ops-cond", "db-admin", "lone-admin"):
            check(json.loads(acct.roles[r]["policies"]["all"]) == IAM_ALL,
                  "decoy %s changed", r)
        show = env.fixit("show %d" % f["id"])
        check("instance profile app-profile" in show and
              "role ops-admin" in show and "unused" in show,
              "/fixit show %r", show)

        # undo: the original attachments and documents
        text = env.fixit("undo %d" % f["id"])
        check("queued" in text, "/fixit undo answered %r", text)
        env.wait_state(f["id"], "rolled_back", timeout=60)
        check(sorted(acct.roles["ops-admin"]["attached"]) ==
              sorted(orig_attached), "attached after undo %r",
              acct.roles["ops-admin"]["attached"])
        check(json.loads(acct.roles["ops-admin"]["policies"]["ops-inline"])
              == INLINE, "inline after undo")
        check(p["default"] == "v5" and "v6" not in
              [v["id"] for v in p["versions"]], "ops-iam after undo %r",
              p["versions"])
        check(mine not in IG._pols(acct), "fixit's policy kept after undo")


def test_dry_run():
    """A rehearsal: no mutating call, the plan in the history."""
    with env_for("pb-iamgraph-dry", dry_run=True) as env:
        acct = env.aws.account(ACCT)
        seed(acct)
        f = finding_of(env, "rehearsed")
        # GenerateServiceLastAccessedDetails only starts a report (IAM
        # calls it a read)
        muts = [c for c in env.aws.mutating_calls()
                if c.operation != "GenerateServiceLastAccessedDetails"]
        check(not muts, "a dry run sent %r", [c.summary() for c in muts])
        [row] = [r for r in env.audit(f["id"])
                 if r["to_state"] == "rehearsed"]
        plan = json.loads(row["data"])["plan"]
        check([c["action"] for c in plan["planned"]] == [
            "PutRolePolicy", "DeletePolicyVersion", "CreatePolicyVersion",
            "CreatePolicy", "AttachRolePolicy", "DetachRolePolicy"],
            "plan %r", plan)
        check(plan.get("would") and len(plan["changes"]) == 3,
              "plan %r", plan)
        check(AWS_IAM_FULL in acct.roles["ops-admin"]["attached"],
              "a dry run detached")


def test_never_unasked():
    """approval none: the fix refuses before it reads or changes
    anything (a path to IAM admin is never fixed unasked)."""
    with h.Env("pb-iamgraph-unasked", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, params=PARAMS, approval="none",
                           max_attempts=1)]) as env:
        acct = env.aws.account(ACCT)
        seed(acct)
        f = finding_of(env, "failed")
        check("only after the owner was asked" in (f.get("last_error")
                                                   or ""),
              "last_error %r", f.get("last_error"))
        muts = [c for c in env.aws.mutating_calls()
                if c.operation != "GenerateServiceLastAccessedDetails"]
        check(not muts, "sent %r", [c.summary() for c in muts])
        check(AWS_IAM_FULL in acct.roles["ops-admin"]["attached"],
              "detached unasked")


def test_check_recomputes():
    """The chain broke after detection (app lost its sts:AssumeRole):
    the check before the fix reads the account again and resolves the
    finding; nothing is changed."""
    with h.Env("pb-iamgraph-check", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, params=PARAMS, approval="owner",
                           grace="1h")]) as env:
        acct = env.aws.account(ACCT)
        seed(acct)
        f = finding_of(env, "notified")
        post = env.wait_notify(f["id"])
        del acct.roles["app"]["policies"]["hop"]
        env.click(h.ADMIN, "fixit_fix_now", f["id"], msg=post)
        env.wait_state(f["id"], "resolved", timeout=60)
        muts = [c for c in env.aws.mutating_calls()
                if c.operation != "GenerateServiceLastAccessedDetails"]
        check(not muts, "sent %r", [c.summary() for c in muts])
        check(AWS_IAM_FULL in acct.roles["ops-admin"]["attached"],
              "changed after the chain broke")


def test_failed_fix_taken_back():
    """CreatePolicy denied once, after the inline policy and ops-iam were
    rewritten: the attempt takes both back (newest first), fails, and
    the retry fixes everything."""
    with env_for("pb-iamgraph-rollback") as env:
        acct = env.aws.account(ACCT)
        ops_iam = seed(acct)
        env.aws.fail_next(1, "denied", action="CreatePolicy")
        f = finding_of(env, "fixed")
        ops = [c.operation for c in env.aws.mutating_calls()
               if c.operation != "GenerateServiceLastAccessedDetails"]
        check(ops == [
            "PutRolePolicy", "DeletePolicyVersion", "CreatePolicyVersion",
            "CreatePolicy",                                 # denied
            "SetDefaultPolicyVersion", "DeletePolicyVersion",
            "PutRolePolicy",                                # taken back
            "PutRolePolicy", "CreatePolicyVersion", "CreatePolicy",
            "AttachRolePolicy", "DetachRolePolicy"], "calls %r", ops)
        doc = json.loads(acct.roles["ops-admin"]["policies"]["ops-inline"])
        check(doc["Statement"][0]["Action"] == ["iam:AttachRolePolicy",
                                                "s3:GetObject"],
              "inline %r", doc)
        p = IG._pols(acct)[ops_iam]
        check(p["default"] == "v6" and len(p["versions"]) == 5,
              "ops-iam %r", p["versions"])
        check(AWS_IAM_FULL not in acct.roles["ops-admin"]["attached"],
              "attached %r", acct.roles["ops-admin"]["attached"])


def test_guards():
    """The guards detection and the check share: a role tagged allow_tag
    and one younger than unused_days make no finding; one a
    CloudFormation stack owns is reported notify-only."""
    with env_for("pb-iamgraph-guards") as env:
        acct = env.aws.account(ACCT)
        seed(acct)
        acct.roles["ops-admin"]["tags"] = {"fixit:allow-iam-admin": "sec"}
        for r, extra in (("ops-young", {"create_time": time.time()}),
                         ("ops-stack", {"tags": {
                             "aws:cloudformation:stack-name": "iam"}})):
            acct.add_role(r, policies={"all": IAM_ALL})
            IG.set_trust(acct, r, trusts(arn("app")))
            acct.roles[r].update(extra)
        env.start()
        check_scan_ok(env.scan(timeout=60))
        fs = env.findings(playbook=PB)
        check([f["resource_id"] for f in fs] == ["ops-stack"],
              "findings %r", [f["resource_id"] for f in fs])
        check(fs[0].get("notify_only") is True, "finding %r", fs[0])


if __name__ == "__main__":
    h.run_tests(test_detect_fix_undo, test_dry_run, test_never_unasked,
                test_check_recomputes, test_failed_fix_taken_back,
                test_guards)
