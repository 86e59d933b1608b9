#!/usr/bin/env python3
"""test_pb_lb.py - the lb-unused playbook against the fake AWS
(fakeaws_lb.py): detect (which load balancers are unused, which guards
keep the others), fix (the prior state: listeners, rules, target groups,
attributes, tags, usage; fixit: tags only; DeleteLoadBalancer), undo (re-
created under a new DNS name, a deleted target group made again), dry
run (no mutating call), verify (a delete that did not take), check (gone
/ in use / too young / excepted / IaC-owned before the fix). Every
listing pages at one item a page (Marker / NextMarker).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import (check_fixit_tags, check_no_mutation,  # noqa: E402
                    check_scan_ok, env_for, tag_params)
from fakeaws_lb import add_lb, add_listener, add_tg, forward  # noqa: E402

PB = "lb-unused"
DAY = 86400
CERT = "arn:aws:acm:eu-west-1:111122223333:certificate/abc-123"
CERT2 = "arn:aws:acm:eu-west-1:111122223333:certificate/def-456"
PATH_RULE = [{"Field": "path-pattern", "Values": ["/api/*"],
              "PathPatternConfig": {"Values": ["/api/*"]}}]


def old():
    return time.time() - 200 * DAY


def seed_idle_alb(reg, name="idle-alb", **kw):
    """An old ALB: two target groups (one unhealthy target), an HTTP
    listener with a path rule to the second, an HTTPS one."""
    lb = add_lb(reg, name, "application", created=old(),
                tags={"team": "shop", "owner": "alice@example.com"},
                attributes={"idle_timeout.timeout_seconds": "120"}, **kw)
    tga = add_tg(reg, name + "-a", lb, targets=[("i-0aaa", 80, "unhealthy")])
    tgb = add_tg(reg, name + "-b", lb, targets=[("i-0bbb", 8080, "unused")],
                 tags={"app": "api"})
    reg.lb_tgs[tgb]["attributes"]["stickiness.enabled"] = "true"
    add_listener(reg, lb, 80, "HTTP", tga, rules=[
        (10, PATH_RULE, [forward(tgb)])])
    add_listener(reg, lb, 443, "HTTPS", tga, certificates=[CERT, CERT2],
                 ssl_policy="ELBSecurityPolicy-2016-08")
    return lb, tga, tgb


def seed_all(env):
    acct = env.aws.account(h.NONPROD)
    reg = acct.region(h.REGION)
    lbs = {}
    lbs["idle-alb"], tga, tgb = seed_idle_alb(reg)
    nlb = add_lb(reg, "idle-nlb", "network", created=old(),
                 allocations={"subnet-0a1": "eipalloc-0001"})
    add_tg(reg, "idle-nlb-tg", nlb)
    lbs["idle-nlb"] = nlb
    lbs["idle-clb"] = add_lb(reg, "idle-clb", "classic", created=old(),
                             tags={"team": "legacy"})
    busy = add_lb(reg, "busy-alb", "application", created=old())
    add_tg(reg, "busy-tg", busy, targets=[("i-0ccc", 80, "healthy")])
    # no target healthy now, but traffic last week
    traffic = add_lb(reg, "traffic-alb", "application", created=old())
    add_tg(reg, "traffic-tg", traffic)
    reg.add_metric("AWS/ApplicationELB", "RequestCount", {
        "LoadBalancer": traffic["arn"].split(":loadbalancer/")[1]},
        [(time.time() - 7 * DAY, 120)])
    # healthy hosts ten days ago
    was = add_lb(reg, "was-nlb", "network", created=old())
    wtg = add_tg(reg, "was-tg", was)
    reg.add_metric("AWS/NetworkELB", "HealthyHostCount", {
        "TargetGroup": wtg.split(":")[-1],
        "LoadBalancer": was["arn"].split(":loadbalancer/")[1]},
        [(time.time() - 10 * DAY, 2)])
    add_lb(reg, "young-alb", "application", created=time.time() - 10 * DAY)
    add_lb(reg, "protected-alb", "application", created=old(),
           attributes={"deletion_protection.enabled": "true"})
    add_lb(reg, "kept-alb", "application", created=old(),
           tags={"fixit:allow": "yes"})
    named = add_lb(reg, "named-alb", "application", created=old())
    zid = acct.add_zone("example.com")
    acct.add_record(zid, "shop.example.com", "A",
                    alias="dualstack." + named["dns_name"].upper())
    add_lb(reg, "busy-clb", "classic", created=old(),
           instances=["i-0ddd"])
    add_lb(reg, "gw", "gateway", created=old())
    lbs["iac-alb"] = add_lb(reg, "iac-alb", "application", created=old(),
                            tags={"aws:cloudformation:stack-name": "web"})
    return acct, reg, lbs, tga, tgb


def by_name(env):
    return {f["details"]["name"]: f for f in env.findings(playbook=PB)}


def paged(env, op, service):
    """The calls of op, and whether one of them followed a Marker."""
    cs = env.aws.calls(action=op, service=service)
    return cs, any("Marker" in c.params for c in cs)


def test_detect_fix_undo():
    with env_for("pb-lb", PB) as env:
        acct, reg, lbs, tga, tgb = seed_all(env)
        env.aws.set_page_size(1)
        env.start()
        check_scan_ok(env.scan())
        found = by_name(env)
        check(sorted(found) == ["iac-alb", "idle-alb", "idle-clb",
                                "idle-nlb"], "found %r", sorted(found))
        f = found["idle-alb"]
        check(f["resource_id"] == lbs["idle-alb"]["arn"],
              "resource_id %r", f["resource_id"])
        check(found["idle-clb"]["resource_id"] == "idle-clb",
              "classic resource_id %r", found["idle-clb"]["resource_id"])
        for svc, op in (("elbv2", "DescribeLoadBalancers"),
                        ("elb", "DescribeLoadBalancers"),
                        ("elbv2", "DescribeTargetGroups"),
                        ("elbv2", "DescribeListeners"),
                        ("elbv2", "DescribeRules")):
            cs, marker = paged(env, op, svc)
            if op in ("DescribeListeners", "DescribeRules"):
                continue        # read by the fix, checked below
            check(marker, "%s %s never paged: %r", svc, op, cs)
        # what the listing alone rules out is read no further
        young = reg.load_balancers["young-alb"]["arn"]
        check(not [c for c in env.aws.calls(action="DescribeTags")
                   if young in c.params.values()],
              "tags of young-alb read")
        for name in ("idle-alb", "idle-nlb", "idle-clb"):
            env.wait_state(found[name]["id"], "fixed", timeout=40)
            check(name not in reg.load_balancers, "%s still there", name)
        for svc, op in (("elbv2", "DescribeListeners"),
                        ("elbv2", "DescribeRules"),
                        ("elbv2", "DescribeListenerCertificates")):
            cs, marker = paged(env, op, svc)
            check(marker, "%s %s never paged: %r", svc, op, cs)
        hist = json.dumps(env.audit(f["id"]))
        check("no Route 53 record of this account named it" in hist and
              lbs["idle-alb"]["dns_name"] in hist,
              "the fix does not speak of the DNS name: %s", hist[-800:])
        # IaC-owned: found, asked about, never deleted
        check("iac-alb" in reg.load_balancers, "iac-alb deleted")
        check(env.state(found["iac-alb"]["id"]) not in ("fixed", "fixing"),
              "iac-alb %s", env.state(found["iac-alb"]["id"]))
        # the deletes, and only fixit: tags, as the tagger
        dels = env.aws.calls(action="DeleteLoadBalancer", ok=True)
        check(len(dels) == 3 and all(c.role == "fixit-remediator"
                                     for c in dels), "deletes %r", dels)
        adds = env.aws.calls(action="AddTags")
        check(len(adds) == 3, "AddTags %r", adds)
        for c in adds:
            t = tag_params(c.params, "Tags.member.")
            check(c.role == "fixit-tagger", "AddTags as %s", c.role)
            check(all(k.startswith("fixit:") for k in t), "tags %r", t)
        alb_tags = [tag_params(c.params, "Tags.member.") for c in adds
                    if c.params.get("ResourceArns.member.1") ==
                    lbs["idle-alb"]["arn"]]
        check(len(alb_tags) == 1, "ALB tagging %r", alb_tags)
        check_fixit_tags(alb_tags[0], f["id"], "delete", PB)
        # the prior state
        p = env.finding(f["id"])["prior_state"]
        check(p["kind"] == "application" and p["name"] == "idle-alb",
              "prior %r", p)
        check(p["usage"] == [{"item": "lb_hour", "class": "application",
                              "qty": 730}], "usage %r", p.get("usage"))
        check(p["tags"] == {"team": "shop", "owner": "alice@example.com"},
              "tags %r", p["tags"])
        keys = {a["Key"]: a["Value"] for a in p["attributes"]}
        check(keys.get("deletion_protection.enabled") == "false",
              "attributes %r", p["attributes"])
        check(sorted(int(li["Port"]) for li in p["listeners"]) == [80, 443],
              "listeners %r", p["listeners"])
        http = [li for li in p["listeners"] if li["Port"] == "80"][0]
        check(len(http["Rules"]) == 1 and http["Rules"][0]["Priority"] ==
              "10", "rules %r", http["Rules"])
        check(sorted(t["TargetGroupArn"] for t in p["target_groups"]) ==
              sorted([tga, tgb]), "target groups %r", p["target_groups"])
        check([t["Targets"] for t in p["target_groups"]
               if t["TargetGroupArn"] == tga] == [[{"Id": "i-0aaa",
                                                    "Port": "80"}]],
              "targets %r", p["target_groups"])
        cp = env.finding(found["idle-clb"]["id"])["prior_state"]
        check(cp["usage"] == [{"item": "lb_hour", "class": "classic",
                               "qty": 730}], "classic usage %r", cp)
        np = env.finding(found["idle-nlb"]["id"])["prior_state"]
        check(np["usage"][0]["class"] == "network", "nlb usage %r", np)
        # the savings, from deploy/prices.json in eu-west-1: 730 hours of
        # an ALB and an NLB at $0.0252, of a classic at $0.028
        got = [x["saving"]["cents"] for x in (p, cp, np)]
        check(got == [1840, 2044, 1840], "savings %r", got)
        text = env.fixit("status")
        check("`lb-unused`: $57.24 from 3 fixes" in text,
              "status lacks the lb-unused savings:\n%s", text)
        # undo: a target group deleted meanwhile is made again
        with env.aws.lock:
            del reg.lb_tgs[tgb]
        old_dns = lbs["idle-alb"]["dns_name"]
        env.aws.reset_calls()
        env.fixit("undo %d" % f["id"])
        env.wait_state(f["id"], "rolled_back", timeout=30)
        new = reg.load_balancers["idle-alb"]
        check(new["dns_name"] != old_dns, "same DNS name after undo")
        check(new["attributes"]["idle_timeout.timeout_seconds"] == "120",
              "attributes after undo %r", new["attributes"])
        check(new["tags"].get("team") == "shop" and
              new["tags"].get("fixit:restored-from") ==
              lbs["idle-alb"]["arn"], "tags after undo %r", new["tags"])
        ls = sorted((li for li in reg.lb_listeners.values()
                     if li["lb_arn"] == new["arn"]), key=lambda x: x["port"])
        check([li["port"] for li in ls] == [80, 443], "listeners %r", ls)
        check(ls[1]["certificates"] == [CERT] and ls[1]["ssl_policy"] ==
              "ELBSecurityPolicy-2016-08", "https listener %r", ls[1])
        check(ls[0]["default_actions"][0]["TargetGroupArn"] == tga,
              "default action %r", ls[0]["default_actions"])
        [made] = [t for t in reg.lb_tgs.values()
                  if t["name"] == "idle-alb-b"]
        check(made["arn"] != tgb and [t["id"] for t in made["targets"]] ==
              ["i-0bbb"] and made["tags"].get("app") == "api" and
              made["attributes"]["stickiness.enabled"] == "true",
              "re-created target group %r", made)
        check(ls[1]["extra_certs"] == [CERT2], "extra certificates %r",
              ls[1])
        [rule] = ls[0]["rules"]
        check(rule["actions"][0]["TargetGroupArn"] == made["arn"] and
              rule["conditions"][0]["PathPatternConfig"]["Values"] ==
              ["/api/*"], "rule %r", rule)
        hist = json.dumps(env.audit(f["id"]))
        check(new["dns_name"] in hist and "no longer" in hist,
              "the undo does not name the new DNS name: %s", hist[-800:])
        # classic undo
        env.fixit("undo %d" % found["idle-clb"]["id"])
        env.wait_state(found["idle-clb"]["id"], "rolled_back", timeout=30)
        clb = reg.load_balancers["idle-clb"]
        check(clb["listeners"][0]["InstancePort"] == "80" and
              clb["health_check"]["Target"] == "HTTP:80/" and
              clb["tags"].get("team") == "legacy", "classic undo %r", clb)
        # NLB undo: its Elastic IP back through SubnetMappings
        env.fixit("undo %d" % found["idle-nlb"]["id"])
        env.wait_state(found["idle-nlb"]["id"], "rolled_back", timeout=30)
        [c] = [c for c in env.aws.calls(action="CreateLoadBalancer",
                                        service="elbv2")
               if c.params.get("Name") == "idle-nlb"]
        check(c.params.get("SubnetMappings.member.1.AllocationId") ==
              "eipalloc-0001" and c.params.get("Type") == "network" and
              "Subnets.member.1" not in c.params, "NLB create %r", c.params)
        check(reg.load_balancers["idle-nlb"]["allocations"] ==
              {"subnet-0a1": "eipalloc-0001"}, "NLB after undo %r",
              reg.load_balancers["idle-nlb"])
        cs = env.aws.calls(action="CreateLoadBalancer", ok=True)
        check(len(cs) == 3 and all(c.role == "fixit-remediator"
                                   for c in cs), "creates %r", cs)
        check_signed(env)


def check_signed(env):
    """Every ELB call signed (SigV4 verified by the fake) for the
    elasticloadbalancing service, whichever API."""
    cs = env.aws.calls(service="elb") + env.aws.calls(service="elbv2")
    check(cs, "no ELB calls")
    for c in cs:
        check(c.signature_ok and "/elasticloadbalancing/aws4_request" in
              (c.header("Authorization") or ""), "%s %s not signed for "
              "elasticloadbalancing", c.service, c.operation)


def test_dry_run():
    with env_for("pb-lb-dry", PB, dry_run=True) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        seed_idle_alb(reg)
        add_lb(reg, "idle-clb", "classic", created=old())
        env.aws.set_page_size(1)
        env.start()
        check_scan_ok(env.scan())
        found = by_name(env)
        check(sorted(found) == ["idle-alb", "idle-clb"], "found %r",
              sorted(found))
        for f in found.values():
            env.wait_state(f["id"], "rehearsed", timeout=40)
        check_no_mutation(env, "a dry run")
        check(sorted(reg.load_balancers) == ["idle-alb", "idle-clb"],
              "load balancers %r", sorted(reg.load_balancers))
        check_signed(env)
        rows = [r for r in env.audit(found["idle-alb"]["id"])
                if r["to_state"] == "rehearsed"]
        plan = json.loads(rows[-1]["data"])["plan"]
        check(plan["usage"] == [{"item": "lb_hour", "class": "application",
                                 "qty": 730}], "plan usage %r", plan)
        check([c["action"] for c in plan["planned"]] ==
              ["AddTags", "DeleteLoadBalancer"], "planned %r",
              plan["planned"])


def test_verify_ignored():
    with env_for("pb-lb-verify", PB) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        add_lb(reg, "idle-clb", "classic", created=old())
        env.aws.ignore_next("DeleteLoadBalancer", 10)
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "failed", timeout=60)
        f = env.finding(f["id"])
        check("still exists" in (f.get("last_error") or ""),
              "last_error %r", f.get("last_error"))
        check("idle-clb" in reg.load_balancers, "deleted after all")


def test_check_before_fix():
    with env_for("pb-lb-check", PB) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        lbs = {n: add_lb(reg, n, "application", created=old())
               for n in ("gone-alb", "used-alb", "young-alb", "kept-alb",
                         "iac-alb")}
        tg = add_tg(reg, "used-tg", lbs["used-alb"],
                    targets=[("i-0eee", 80, "unhealthy")])
        env.start()
        env.fixit("pause %s" % PB)
        check_scan_ok(env.scan())
        found = by_name(env)
        check(sorted(found) == sorted(lbs), "found %r", sorted(found))
        with env.aws.lock:
            del reg.load_balancers["gone-alb"]
            reg.lb_tgs[tg]["targets"][0]["state"] = "healthy"
            lbs["young-alb"]["created"] = time.time() - DAY
            lbs["kept-alb"]["tags"]["fixit:allow"] = "1"
            lbs["iac-alb"]["tags"]["aws:cloudformation:stack-name"] = "s"
        env.aws.reset_calls()
        env.fixit("resume %s" % PB)
        want = {"gone-alb": "gone", "used-alb": "1 healthy target",
                "young-alb": "younger than", "kept-alb": "tagged to be kept",
                "iac-alb": "infrastructure as code"}
        for name, why in want.items():
            fid = found[name]["id"]
            env.wait_state(fid, "resolved", timeout=30)
            reasons = " | ".join(r.get("reason") or ""
                                 for r in env.audit(fid))
            check(why in reasons, "%s: %r not in %r", name, why, reasons)
        check_no_mutation(env, "the checks")
        check(len(reg.load_balancers) == 4, "load balancers %r",
              sorted(reg.load_balancers))


def test_posted_finding():
    """A finding posted by another scanner names an ALB by its name: the
    same guards and use are judged before the delete; one too young
    resolves, nothing sent for it."""
    with env_for("pb-lb-posted", PB) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        add_lb(reg, "posted-alb", "application", created=old())
        add_lb(reg, "posted-young", "application",
               created=time.time() - 3 * DAY)
        env.start()
        ok, young = env.ingest_ok([
            h.item(PB, h.NONPROD, "posted-alb", resource_arn=None,
                   title="unused ALB", details={"from": "scanner"}),
            h.item(PB, h.NONPROD, "posted-young", resource_arn=None,
                   title="unused ALB", details={"from": "scanner"})])
        env.wait_state(ok, "fixed", timeout=40)
        env.wait_state(young, "resolved", timeout=40)
        check("posted-alb" not in reg.load_balancers, "not deleted")
        check("posted-young" in reg.load_balancers, "young one deleted")
        [d] = env.aws.calls(action="DeleteLoadBalancer", ok=True)
        check(d.service == "elbv2", "deleted through %s", d.service)
        p = env.finding(ok)["prior_state"]
        check(p["kind"] == "application" and p["arn"].endswith(
            "/posted-alb/" + p["arn"].rsplit("/", 1)[1]), "prior %r", p)


if __name__ == "__main__":
    h.run_tests(test_detect_fix_undo, test_dry_run, test_verify_ignored,
                test_check_before_fix, test_posted_finding)
