#!/usr/bin/env python3
"""test_pb_tagging.py - the tagging-standard playbook against the fake
AWS (fakeaws_tagging.py): deviations on mixed resources (EC2 instances,
ELBv2 load balancers, S3 buckets), public ones first; the guards (allow
tag, IaC: notify only); notify-only unless fixit knows the creator from a
CloudTrail event it processed, and then only fixit:creator added, never a
user's tag touched; undo removes it; a resource made compliant is
resolved by the next scan; every listing pages at one item a page.
The config check of the standard is test_pb_tagging_config.
"""

import json
import os
import re
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok, env_for, tag_params   # noqa: E402
from fakeaws_lb import add_lb                           # noqa: E402
from fakeaws_tagging import add_bucket                  # noqa: E402

PB = "tagging-standard"
CAROL = "carol@example.com"
API_KEY = "events-api-key-for-tests"
STANDARD = {
    "*": {"required": ["owner", "cost-center"]},
    "ec2:instance": {"required": ["env"],
                     "allowed": {"env": ["prod", "dev"]}},
    "elasticloadbalancing:loadbalancer": {"required": ["owner"]},
    "s3:bucket": {"required": ["owner"]},
}
FULL = {"owner": "alice@example.com", "cost-center": "cc-1"}


def seed(env):
    acct = env.aws.account(h.NONPROD)
    reg = acct.region(h.REGION)
    ids = {}
    ids["priv"] = reg.add_instance(tags=dict(FULL, env="test"))
    ids["pub"] = reg.add_instance(tags={"owner": "bob@example.com"})
    reg.instances[ids["pub"]]["public_ip"] = "203.0.113.5"
    ids["ok"] = reg.add_instance(tags=dict(FULL, env="prod"))
    ids["allow"] = reg.add_instance(tags={"fixit:allow": "yes"})
    ids["iac"] = reg.add_instance(tags={
        "aws:cloudformation:stack-name": "web", "env": "dev"})
    ids["alb"] = add_lb(reg, "pub-alb", "application")["arn"]
    add_lb(reg, "int-alb", "application", scheme="internal", tags=FULL)
    ids["nlb"] = add_lb(reg, "int-nlb", "network", scheme="internal",
                        tags={"owner": "dana@example.com"})["arn"]
    add_bucket(acct, "pub-bucket", h.REGION, tags={"team": "web"},
               policy_public=True)
    add_bucket(acct, "acl-bucket", h.REGION, tags={"owner": "x@example.com"},
               acl_all_users=["READ"])
    add_bucket(acct, "blocked-bucket", h.REGION, acl_all_users=["READ"],
               block={"IgnorePublicAcls": True}, tags=FULL)
    add_bucket(acct, "fine-bucket", h.REGION, tags=FULL,
               policy_public=False)
    add_bucket(acct, "far-bucket", "ap-southeast-2")
    add_bucket(acct, "denied-bucket", h.REGION)["deny"] = [
        "GetBucketPolicyStatus"]
    return acct, reg, ids


def create_bucket_event(bucket, actor):
    with open(os.path.join(h.DATA, "events",
                           "s3-deletebucket-iamuser.json")) as f:
        ev = json.load(f)
    ev["id"] = str(uuid.uuid4())
    ev["account"] = h.NONPROD
    ev["region"] = h.REGION
    d = ev["detail"]
    d["eventName"] = "CreateBucket"
    d["requestParameters"]["bucketName"] = bucket
    d["recipientAccountId"] = d["userIdentity"]["accountId"] = h.NONPROD
    d["userIdentity"]["userName"] = actor
    d["userIdentity"]["arn"] = "arn:aws:iam::%s:user/%s" % (h.NONPROD, actor)
    d["awsRegion"] = h.REGION
    d["eventTime"] = ev["time"] = h.iso_now()
    return ev


def quote_star(env):
    """harness.to_yaml writes keys plain: the standard's "*" must be
    quoted (a plain * starts a YAML alias)."""
    orig = env.write_config

    def write():
        orig()
        with open(env.config_path) as f:
            text = f.read()
        text = re.sub(r"(?m)^(\s+)\*:", r'\1"*":', text)
        with open(env.config_path, "w") as f:
            f.write(text)
    env.write_config = write
    write()
    return env


def create_lb_event(arn, actor):
    """CreateLoadBalancer (ELBv2) by actor: CloudTrail names the new
    load balancer in responseElements.loadBalancers[0]."""
    ev = create_bucket_event("unused", actor)
    d = ev["detail"]
    d["eventName"] = "CreateLoadBalancer"
    d["eventSource"] = "elasticloadbalancing.amazonaws.com"
    ev["source"] = "aws.elasticloadbalancing"
    d["requestParameters"] = {"name": arn.split("/")[-2], "type":
                              "application"}
    d["responseElements"] = {"loadBalancers": [{"loadBalancerArn": arn}]}
    return ev


def tg_env(name, dry_run=False):
    env = quote_star(env_for(name, PB, params={"standard": STANDARD,
                                               "public_first": True},
                             dry_run=dry_run))
    env.config["events"] = {"employee_pattern": "*@example.com"}
    env.write_config()
    env.proc_env["FIXIT_EVENTS_API_KEY"] = API_KEY
    return env


def post_event(env, ev):
    r = env.request("POST", "/v1/events", json.dumps(ev).encode(),
                    [("Content-Type", "application/json"),
                     ("X-Fixit-Api-Key", API_KEY)])
    check(r.status == 202, "event answered %r", r)
    h.wait_until(lambda: env.q1("SELECT state FROM events WHERE id = ?",
                                ev["id"]) not in (None, "pending"), 15,
                 what="the event processed")
    row = env.q("SELECT state, actor FROM events WHERE id = ?", ev["id"])[0]
    check(row["state"] == "done" and row["actor"] == CAROL,
          "event row %r", row)


def test_deviations_mixed():
    with tg_env("pb-tagging") as env:
        acct, reg, ids = seed(env)
        env.aws.set_page_size(1)
        env.start()
        post_event(env, create_bucket_event("pub-bucket", CAROL))
        post_event(env, create_lb_event(ids["alb"], CAROL))
        check_scan_ok(env.scan())
        fs = sorted(env.findings(playbook=PB), key=lambda f: f["id"])
        byres = {f["resource_id"]: f for f in fs}
        want = {ids["priv"], ids["pub"], ids["iac"], ids["alb"],
                ids["nlb"], "pub-bucket", "acl-bucket"}
        check(set(byres) == want, "found %r, want %r", sorted(byres),
              sorted(want))
        # public first: every public finding before every other
        pub = [bool(f["details"]["public"]) for f in fs]
        check(pub == sorted(pub, reverse=True) and sum(pub) == 4,
              "order by public %r", [(f["resource_id"], p)
                                     for f, p in zip(fs, pub)])
        d = byres[ids["pub"]]["details"]
        check(d["missing"] == ["cost-center", "env"] and d["public"] and
              d["public_why"] == "public IP 203.0.113.5" and
              d["priority"] == "high", "public instance %r", d)
        check(byres[ids["pub"]]["title"].startswith("Public EC2 instance"),
              "title %r", byres[ids["pub"]]["title"])
        d = byres[ids["priv"]]["details"]
        check(d["missing"] == [] and d["not_allowed"] == [
            {"key": "env", "value": "test", "allowed": ["prod", "dev"]}] and
            not d["public"] and d["priority"] == "normal",
            "private instance %r", d)
        check(byres[ids["alb"]]["details"]["public_why"] ==
              "internet-facing", "alb %r", byres[ids["alb"]]["details"])
        check(byres[ids["nlb"]]["details"]["missing"] == ["cost-center"],
              "nlb %r", byres[ids["nlb"]]["details"])
        check("ACL grants READ to everyone" in
              byres["acl-bucket"]["details"]["public_why"],
              "acl bucket %r", byres["acl-bucket"]["details"])
        # the creator fixit knows: the only finding that is fixed
        d = byres["pub-bucket"]["details"]
        check(d["creator"] == CAROL and "notify_only" not in d,
              "pub-bucket %r", d)
        check(byres[ids["alb"]]["details"]["creator"] == CAROL,
              "alb %r", byres[ids["alb"]]["details"])
        for rid, f in byres.items():
            if rid not in ("pub-bucket", ids["alb"]):
                check(env.finding(f["id"])["notify_only"],
                      "%s not notify-only", rid)
        f = byres["pub-bucket"]
        env.wait_state(f["id"], "fixed", timeout=30)
        b = acct.buckets["pub-bucket"]
        check(b["tags"]["team"] == "web" and b["tags"]["fixit:creator"] ==
              CAROL and b["tags"]["fixit:action"] == "tag-creator",
              "bucket tags %r", b["tags"])
        env.wait_state(byres[ids["alb"]]["id"], "fixed", timeout=30)
        lbt = reg.load_balancers["pub-alb"]["tags"]
        check(lbt.get("fixit:creator") == CAROL, "alb tags %r", lbt)
        # the only mutating calls: the tagging, as the tagger, fixit:
        # keys only on the load balancer
        muts = env.aws.mutating_calls()
        check(sorted(c.operation for c in muts) == ["AddTags",
                                                    "PutBucketTagging"] and
              all(c.role == "fixit-tagger" for c in muts),
              "mutating %r", [(c.operation, c.role) for c in muts])
        [add] = env.aws.calls(action="AddTags")
        t = tag_params(add.params, "Tags.member.")
        check(all(k.startswith("fixit:") for k in t) and
              t["fixit:creator"] == CAROL, "AddTags %r", t)
        check("ListBuckets" in [c.operation for c in env.aws.calls()],
              "no ListBuckets")
        for op, key in (("ListBuckets", "continuation-token"),
                        ("DescribeInstances", "NextToken"),
                        ("DescribeLoadBalancers", "Marker")):
            check(any(key in c.params for c in env.aws.calls(action=op)),
                  "%s never paged", op)
        check(not env.aws.calls(action="CreateTags"), "instances tagged")
        # undo: fixit:creator removed, the user's tag kept
        env.fixit("undo %d" % f["id"])
        env.wait_state(f["id"], "rolled_back", timeout=30)
        check("fixit:creator" not in b["tags"] and
              b["tags"]["team"] == "web", "after undo %r", b["tags"])
        # compliant now: the next scan resolves it
        with env.aws.lock:
            reg.instances[ids["priv"]]["tags"]["env"] = "prod"
        check_scan_ok(env.scan())
        env.wait_state(byres[ids["priv"]]["id"], "resolved", timeout=30)
        check(env.state(byres[ids["pub"]]["id"]) != "resolved",
              "a deviating instance resolved")


def test_dry_run():
    """A rehearsal: the fix is planned, nothing is sent."""
    with tg_env("pb-tagging-dry", dry_run=True) as env:
        acct, reg, ids = seed(env)
        env.start()
        post_event(env, create_bucket_event("pub-bucket", CAROL))
        check_scan_ok(env.scan())
        [f] = [f for f in env.findings(playbook=PB)
               if f["resource_id"] == "pub-bucket"]
        env.wait_state(f["id"], "rehearsed", timeout=30)
        muts = env.aws.mutating_calls()
        check(not muts, "a dry run sent %r", [c.operation for c in muts])
        check("fixit:creator" not in (acct.buckets["pub-bucket"]["tags"]),
              "bucket tagged in a dry run")
        [row] = [r for r in env.audit(f["id"])
                 if r["to_state"] == "rehearsed"]
        plan = json.loads(row["data"])["plan"]
        check(plan["dry_run"] is True and
              plan["added"] == {"fixit:creator": CAROL} and
              [c["action"] for c in plan["planned"]] ==
              ["PutBucketTagging"], "the plan %r", plan)


def test_pb_tagging_config():
    bad = [({"standard": {"ec2:instanse": {"required": ["owner"]}}},
            "standard.ec2:instanse: unknown resource type"),
           ({"standard": {"*": {"allowed": {"env": "prod"}}}},
            "standard.*.allowed.env: expected a list"),
           ({"standard": {"*": {}}}, "names no required key"),
           ({"public_first": "true"}, "standard: required"),
           ({"standard": {"*": {"required": ["owner"]}},
             "publik_first": "true"}, "publik_first: unknown parameter")]
    for params, want in bad:
        env = quote_star(env_for("pb-tagging-cfg", PB, params=params))
        try:
            p = subprocess.run([h.FIXITD, "-n", "-c", env.config_path],
                               cwd=env.tmp, env=env.proc_env,
                               stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=10)
            out = (p.stdout + p.stderr).decode("utf-8", "replace")
            check(p.returncode == 1 and want in out and
                  "executor.params" in out, "params %r: rc %s, %r",
                  params, p.returncode, out)
        finally:
            env.close()


if __name__ == "__main__":
    h.run_tests(test_deviations_mixed, test_dry_run, test_pb_tagging_config)
