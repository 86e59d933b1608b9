#!/usr/bin/env python3
"""test_pb_ec2.py - the EC2 playbooks (ec2-imdsv1, eip-unassociated,
ec2-quarantine) run by the real fixitd (aws executor) against the fake AWS.

Per playbook:
  detect  a scan finds exactly the bad resources (paged where AWS pages),
          with the filters, title, ARN, details and tags promised;
  fix     approval none -> fixed: the exact calls, parameters and roles
          the fake recorded, the fixit: tags (and no other tag touched),
          the resource changed, the prior state;
  undo    /fixit undo -> rolled_back with the inverse calls and the state
          restored (eip-unassociated: refused, nothing sent);
  dry run no mutating call at all, a prior state holding the plan;
  verify  a change the fake ignores -> the fix attempts fail (failed,
          last_error says why);
  check   the resource deleted / changed between scan and fix ->
          resolved, no mutating call.
ec2-quarantine also: a finding ingested as the CloudTrail path makes it
(an existing isolation group reused, no role), a "fixit-quarantine" group
with open rules refused, and a fix that failed after moving the instance
retried with the old groups taken back from its tag.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import (by_resource, check_fixit_tags,      # noqa: E402
                    check_last_error, check_no_mutation,
                    check_only_fixit_tagging, check_planned, check_scan_ok,
                    env_for, form, mutating_names, region,
                    resume_resolved, scan_ignored, scan_one, scan_paused,
                    tag_params, tags_on)

IMDS_PARAMS = {"verify_polls": 3, "verify_interval_ms": 50}
DENY_ALL = {"Version": "2012-10-17", "Statement": [{
    "Sid": "FixitQuarantine", "Effect": "Deny", "Action": "*",
    "Resource": "*"}]}
QUARANTINE_GROUP = "fixit-quarantine"
DENY_POLICY = "fixit-quarantine-deny-all"


# ---- helpers ----------------------------------------------------------------

def check_roles(env):
    """Reads as the auditor, changes as the remediator, tags as the tagger."""
    for c in env.aws.calls(service="ec2") + env.aws.calls(service="iam"):
        if c.operation is None:
            continue
        if c.operation.startswith(("Describe", "Get", "List")):
            check(c.role == "fixit-auditor", "%s as %s", c.operation, c.role)
        elif c.operation != "CreateTags":
            check(c.role == "fixit-remediator", "%s as %s", c.operation,
                  c.role)


def wait_audit(env, fid, event, timeout=30):
    return h.wait_until(lambda: [r for r in env.audit(fid)
                                 if r["event"] == event], timeout,
                        what="audit event %s of #%d" % (event, fid))


# ==========================================================================
# ec2-imdsv1
# ==========================================================================

def seed_imds(reg):
    web = reg.add_instance(http_tokens="optional", instance_type="t3.large",
                           tags={"Name": "web-1", "team": "shop"})
    stopped = reg.add_instance(http_tokens="optional", state="stopped",
                               http_endpoint="disabled", hop_limit=2)
    good = reg.add_instance(http_tokens="required", tags={"Name": "ok"})
    dead = reg.add_instance(http_tokens="optional", state="terminated")
    pending = reg.add_instance(http_tokens="optional", state="pending")
    return web, stopped, good, dead, pending


def test_imds_detect_fix_undo():
    with env_for("pb-imds", "ec2-imdsv1", IMDS_PARAMS) as env:
        reg = region(env)
        web, stopped, good, dead, pending = seed_imds(reg)
        prod = env.aws.account(h.PROD).region(h.REGION).add_instance(
            http_tokens="optional")
        env.aws.set_page_size(1, "DescribeInstances")
        env.start()
        check_scan_ok(env.scan())

        found = by_resource(env, "ec2-imdsv1")
        check(sorted(found) == sorted([web, stopped, prod]),
              "ec2-imdsv1 found %r, want %r", sorted(found),
              sorted([web, stopped, prod]))
        check(found[prod]["account_id"] == h.PROD, "account of %s: %r",
              prod, found[prod]["account_id"])
        lists = [c for c in env.aws.calls(action="DescribeInstances",
                                          account=h.NONPROD)
                 if "InstanceId.1" not in c.params]
        check(len([c for c in lists if c.params.get("NextToken")]) >= 1,
              "DescribeInstances was not paged: %r", lists)
        for c in lists:
            p = form(c)
            p.pop("NextToken", None)
            check(p == {"Filter.1.Name": "metadata-options.http-tokens",
                        "Filter.1.Value.1": "optional",
                        "Filter.2.Name": "instance-state-name",
                        "Filter.2.Value.1": "running",
                        "Filter.2.Value.2": "stopped"},
                  "DescribeInstances parameters %r", p)

        f = found[web]
        check(f["title"] == "EC2 instance %s (web-1) allows IMDSv1" % web,
              "title %r", f["title"])
        check(found[stopped]["title"] ==
              "EC2 instance %s allows IMDSv1" % stopped,
              "title %r", found[stopped]["title"])
        check(f["resource_arn"] == "arn:aws:ec2:%s:%s:instance/%s"
              % (h.REGION, h.NONPROD, web), "arn %r", f["resource_arn"])
        check(f["details"] == {
            "http_tokens": "optional", "http_endpoint": "enabled",
            "http_put_response_hop_limit": "1",
            "instance_type": "t3.large", "state": "running",
            "vpc_id": reg.instances[web]["vpc_id"]},
            "details %r", f["details"])

        fid, sid = f["id"], found[stopped]["id"]
        env.wait_state(fid, "fixed", timeout=30)
        env.wait_state(sid, "fixed", timeout=30)
        env.wait_state(found[prod]["id"], "fixed", timeout=30)
        mods = {c.params["InstanceId"]: c for c in
                env.aws.calls(action="ModifyInstanceMetadataOptions")}
        check(sorted(mods) == sorted([web, stopped, prod]),
              "ModifyInstanceMetadataOptions on %r", sorted(mods))
        check(form(mods[web]) == {"InstanceId": web,
                                  "HttpTokens": "required",
                                  "HttpEndpoint": "enabled"},
              "ModifyInstanceMetadataOptions %r", form(mods[web]))
        [t] = tags_on(env, web)
        check_fixit_tags(t, fid, "require-imdsv2")
        check(t["fixit:playbook"] == "ec2-imdsv1", "tags %r", t)
        for iid in (web, stopped):
            md = reg.instances[iid]["metadata"]
            check(md["http_tokens"] == "required" and
                  md["http_endpoint"] == "enabled", "%s metadata %r",
                  iid, md)
        check(reg.instances[good]["metadata"]["http_tokens"] == "required"
              and reg.instances[pending]["metadata"]["http_tokens"] ==
              "optional", "a non-finding instance changed")
        check(reg.instances[web]["tags"]["Name"] == "web-1" and
              reg.instances[web]["tags"]["team"] == "shop",
              "user tags changed: %r", reg.instances[web]["tags"])
        check(sorted(set(mutating_names(env))) ==
              ["CreateTags", "ModifyInstanceMetadataOptions"],
              "mutating calls %r", mutating_names(env))
        check_only_fixit_tagging(env)
        check_roles(env)
        check(env.finding(fid)["prior_state"] ==
              {"http_tokens": "optional", "http_endpoint": "enabled"},
              "prior %r", env.finding(fid)["prior_state"])
        check(env.finding(sid)["prior_state"] ==
              {"http_tokens": "optional", "http_endpoint": "disabled"},
              "prior %r", env.finding(sid)["prior_state"])

        # undo the stopped one: its endpoint goes back to disabled too
        env.aws.reset_calls()
        env.fixit("undo %d" % sid)
        env.wait_state(sid, "rolled_back", timeout=30)
        [m] = env.aws.calls(action="ModifyInstanceMetadataOptions")
        check(form(m) == {"InstanceId": stopped, "HttpTokens": "optional",
                          "HttpEndpoint": "disabled"} and
              m.role == "fixit-remediator", "undo call %r", form(m))
        md = reg.instances[stopped]["metadata"]
        check(md["http_tokens"] == "optional" and
              md["http_endpoint"] == "disabled", "after undo: %r", md)
        [t] = tags_on(env, stopped)
        check_fixit_tags(t, sid, "undo-require-imdsv2")
        check(mutating_names(env) == ["ModifyInstanceMetadataOptions",
                                      "CreateTags"],
              "undo sent %r", mutating_names(env))
        check(reg.instances[web]["metadata"]["http_tokens"] == "required",
              "the other fix was undone too")


def test_imds_dry_run():
    with env_for("pb-imds-dry", "ec2-imdsv1", IMDS_PARAMS,
                 dry_run=True) as env:
        reg = region(env)
        bad = reg.add_instance(http_tokens="optional", tags={"Name": "x"})
        f = scan_one(env, "ec2-imdsv1", "fixed")
        check_no_mutation(env, "dry run")
        prior = f["prior_state"]
        check_planned(prior, ["CreateTags", "ModifyInstanceMetadataOptions"])
        check(prior["http_tokens"] == "optional" and "would" in prior,
              "dry-run prior %r", prior)
        mod = prior["planned"][1]["params"]
        check(mod == {"InstanceId": bad, "HttpTokens": "required",
                      "HttpEndpoint": "enabled"}, "planned %r", mod)
        check(reg.instances[bad]["metadata"]["http_tokens"] == "optional"
              and reg.instances[bad]["tags"] == {"Name": "x"},
              "the instance changed in a dry run: %r", reg.instances[bad])


def test_imds_verify_catches_ignored_change():
    with env_for("pb-imds-verify", "ec2-imdsv1", IMDS_PARAMS) as env:
        reg = region(env)
        bad = reg.add_instance(http_tokens="optional")
        scan_ignored(env, "ec2-imdsv1", "ModifyInstanceMetadataOptions",
                     "still HttpTokens=optional after 3 reads")
        reads = [c for c in env.aws.calls(action="DescribeInstances")
                 if c.params.get("InstanceId.1") == bad]
        # per attempt: check, fix, then verify_polls reads
        check(len(reads) == 2 * (2 + IMDS_PARAMS["verify_polls"]),
              "DescribeInstances of %s: %d", bad, len(reads))
        check(reg.instances[bad]["metadata"]["http_tokens"] == "optional",
              "instance changed")


def test_imds_check_before_fix():
    with env_for("pb-imds-check", "ec2-imdsv1", IMDS_PARAMS) as env:
        reg = region(env)
        gone = reg.add_instance(http_tokens="optional")
        ended = reg.add_instance(http_tokens="optional")
        done = reg.add_instance(http_tokens="optional")
        found = scan_paused(env, "ec2-imdsv1", [gone, ended, done])
        with env.aws._lock:
            del reg.instances[gone]
            reg.instances[ended]["state"] = "shutting-down"
            reg.instances[done]["metadata"]["http_tokens"] = "required"
        resume_resolved(env, "ec2-imdsv1", found, {
            gone: "no longer exists", ended: "terminated",
            done: "required already"})
        errs = [c.error for c in env.aws.calls(action="DescribeInstances")
                if c.error]
        check(errs == ["InvalidInstanceID.NotFound"], "errors %r", errs)


# ==========================================================================
# eip-unassociated
# ==========================================================================

def seed_eip(reg):
    inst = reg.add_instance(http_tokens="required")
    free = reg.add_address(public_ip="203.0.113.7",
                           tags={"Name": "old-nat", "team": "net"})
    used = reg.add_address(instance_id=inst)
    eni = reg.add_address(association_id="eipassoc-0123456789abcdef0")
    reg.addresses[eni]["association_id"] = None     # an ENI only
    kept = reg.add_address(tags={"fixit:allow": "JIRA-1"})
    return free, used, eni, kept


def test_eip_detect_fix_undo_refused():
    with env_for("pb-eip", "eip-unassociated") as env:
        reg = region(env)
        free, used, eni, kept = seed_eip(reg)
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env, "eip-unassociated")
        check(list(found) == [free], "eip-unassociated found %r, want %s",
              list(found), free)
        f = found[free]
        fid = f["id"]
        check(f["title"] == "Elastic IP 203.0.113.7 is not attached to "
              "anything", "title %r", f["title"])
        check(f["resource_arn"] == "arn:aws:ec2:%s:%s:elastic-ip/%s"
              % (h.REGION, h.NONPROD, free), "arn %r", f["resource_arn"])
        check(f["details"] == {"public_ip": "203.0.113.7", "domain": "vpc",
                               "allocation_id": free},
              "details %r", f["details"])

        env.wait_state(fid, "fixed", timeout=30)
        muts = env.aws.mutating_calls()
        check([c.operation for c in muts] == ["CreateTags",
                                              "ReleaseAddress"],
              "mutating calls %r (tag first, then release)", muts)
        check(form(muts[0])["ResourceId.1"] == free, "tagged %r",
              form(muts[0]))
        check_fixit_tags(tag_params(muts[0].params), fid, "release")
        check(form(muts[1]) == {"AllocationId": free} and
              muts[1].role == "fixit-remediator", "ReleaseAddress %r",
              form(muts[1]))
        check(free not in reg.addresses, "address %s still allocated", free)
        check(all(a in reg.addresses for a in (used, eni, kept)),
              "another address was released")
        check_only_fixit_tagging(env)
        check_roles(env)
        prior = env.finding(fid)["prior_state"]
        check(prior == {"public_ip": "203.0.113.7", "allocation_id": free,
                        "domain": "vpc",
                        "tags": {"Name": "old-nat", "team": "net"}},
              "prior %r", prior)

        # irreversible: the undo is refused, nothing sent, still fixed
        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        [row] = wait_audit(env, fid, "undo_failed")
        check("cannot be undone" in (row["reason"] or ""), "undo reason %r",
              row["reason"])
        check(env.state(fid) == "fixed", "state %s", env.state(fid))
        check(mutating_names(env) == [], "undo sent %r", mutating_names(env))


def test_eip_dry_run():
    with env_for("pb-eip-dry", "eip-unassociated", dry_run=True) as env:
        reg = region(env)
        free = reg.add_address()
        f = scan_one(env, "eip-unassociated", "fixed")
        check_no_mutation(env, "dry run")
        prior = f["prior_state"]
        check_planned(prior, ["CreateTags", "ReleaseAddress"])
        check(prior["allocation_id"] == free, "dry-run prior %r", prior)
        check(free in reg.addresses and not reg.addresses[free]["tags"],
              "the address changed in a dry run")


def test_eip_verify_catches_ignored_release():
    with env_for("pb-eip-verify", "eip-unassociated") as env:
        reg = region(env)
        free = reg.add_address()
        scan_ignored(env, "eip-unassociated", "ReleaseAddress",
                     "still allocated")
        check(free in reg.addresses, "address released")


def test_eip_check_before_fix():
    with env_for("pb-eip-check", "eip-unassociated",
                 params={"allow_tag": "keep-me"}) as env:
        reg = region(env)
        inst = reg.add_instance(http_tokens="required")
        gone = reg.add_address()
        attached = reg.add_address()
        allowed = reg.add_address()
        reg.add_address(tags={"keep-me": ""})   # allow_tag exempts it
        found = scan_paused(env, "eip-unassociated",
                            [gone, attached, allowed])
        with env.aws._lock:
            del reg.addresses[gone]
            reg.addresses[attached].update(
                instance_id=inst, association_id="eipassoc-0aa",
                network_interface_id="eni-0aa", private_ip="10.0.0.9")
            reg.addresses[allowed]["tags"]["keep-me"] = "yes"
        resume_resolved(env, "eip-unassociated", found, {
            gone: "no longer exists", attached: "attached now",
            allowed: "allow tag"})
        check(all(a in reg.addresses for a in (attached, allowed)),
              "an address was released")


# ==========================================================================
# ec2-quarantine
# ==========================================================================

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


def test_quarantine_detect_fix_undo():
    with env_for("pb-q", "ec2-quarantine") as env:
        acct = env.aws.account(h.NONPROD)
        reg = acct.region(h.REGION)
        vpc, web, ssh, bad, calm, stopped = seed_quarantine(reg, acct)
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env, "ec2-quarantine")
        check(list(found) == [bad], "ec2-quarantine found %r, want %s",
              list(found), bad)
        lists = [c for c in env.aws.calls(action="DescribeInstances",
                                          account=h.NONPROD)
                 if "InstanceId.1" not in c.params]
        check(lists and form(lists[0]) == {
            "Filter.1.Name": "tag:fixit:quarantine",
            "Filter.1.Value.1": "requested",
            "Filter.2.Name": "instance-state-name",
            "Filter.2.Value.1": "running"}, "DescribeInstances %r",
            form(lists[0]) if lists else None)
        f = found[bad]
        fid = f["id"]
        check(f["title"] == "EC2 instance %s (suspect) is tagged for "
              "quarantine" % bad, "title %r", f["title"])
        check(f["details"]["groups"] == [web, ssh] and
              f["details"]["vpc_id"] == vpc and
              f["details"]["instance_profile_arn"] ==
              acct.instance_profiles["app-profile"]["arn"],
              "details %r", f["details"])

        env.wait_state(fid, "fixed", timeout=30)
        [iso] = isolation_groups(reg, vpc)
        sg = iso["id"]
        muts = env.aws.mutating_calls()
        check([c.operation for c in muts] == [
            "CreateSecurityGroup", "RevokeSecurityGroupEgress",
            "CreateTags", "CreateTags", "ModifyInstanceAttribute",
            "PutRolePolicy"], "mutating calls %r", muts)
        check(form(muts[0]) == {"GroupName": QUARANTINE_GROUP,
                                "GroupDescription":
                                "fixit quarantine: no traffic",
                                "VpcId": vpc}, "CreateSecurityGroup %r",
              form(muts[0]))
        check(form(muts[1]) == {
            "GroupId": sg, "IpPermissions.1.IpProtocol": "-1",
            "IpPermissions.1.IpRanges.1.CidrIp": "0.0.0.0/0"},
            "RevokeSecurityGroupEgress %r", form(muts[1]))
        check(iso["rules"] == [], "isolation group rules %r", iso["rules"])
        check_fixit_tags(iso["tags"], fid, "quarantine-group")
        [t] = tags_on(env, bad)
        check_fixit_tags(t, fid, "quarantine")
        check(t["fixit:quarantined-groups"] == "%s,%s" % (web, ssh) and
              t["fixit:quarantine"] == "applied", "instance tags %r", t)
        check(form(muts[4]) == {"InstanceId": bad, "GroupId.1": sg},
              "ModifyInstanceAttribute %r", form(muts[4]))
        gip = env.aws.calls(action="GetInstanceProfile")
        check(gip and form(gip[0]) == {"InstanceProfileName": "app-profile"},
              "GetInstanceProfile %r", gip)
        p = form(muts[5])
        check(p["RoleName"] == "app-role" and p["PolicyName"] ==
              DENY_POLICY and json.loads(p["PolicyDocument"]) == DENY_ALL,
              "PutRolePolicy %r", p)
        i = reg.instances[bad]
        check(i["groups"] == [sg], "instance groups %r", i["groups"])
        check(json.loads(acct.roles["app-role"]["policies"][DENY_POLICY]) ==
              DENY_ALL, "role policies %r", acct.roles["app-role"])
        check(i["tags"]["Name"] == "suspect" and i["tags"]["team"] ==
              "shop", "user tags changed: %r", i["tags"])
        check(reg.instances[calm]["groups"] == [web] and
              reg.instances[stopped]["groups"] == [web],
              "another instance moved")
        check_only_fixit_tagging(env)
        check_roles(env)
        prior = env.finding(fid)["prior_state"]
        check(prior == {"groups": [web, ssh], "vpc_id": vpc,
                        "instance_profile_arn":
                        acct.instance_profiles["app-profile"]["arn"],
                        "role_name": "app-role", "policy_name": DENY_POLICY,
                        "policy_existed": False, "isolation_group": sg,
                        "created_group": True}, "prior %r", prior)

        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        muts = env.aws.mutating_calls()
        check([c.operation for c in muts] == [
            "ModifyInstanceAttribute", "DeleteRolePolicy", "CreateTags"],
            "undo sent %r", muts)
        check(form(muts[0]) == {"InstanceId": bad, "GroupId.1": web,
                                "GroupId.2": ssh}, "undo move %r",
              form(muts[0]))
        check(form(muts[1]) == {"RoleName": "app-role",
                                "PolicyName": DENY_POLICY} and
              muts[1].role == "fixit-remediator", "DeleteRolePolicy %r",
              form(muts[1]))
        t = tag_params(muts[2].params)
        check_fixit_tags(t, fid, "release-quarantine")
        check(t["fixit:quarantine"] == "released", "undo tags %r", t)
        check(reg.instances[bad]["groups"] == [web, ssh],
              "groups after undo %r", reg.instances[bad]["groups"])
        check(list(acct.roles["app-role"]["policies"]) == ["s3-read"],
              "role policies after undo %r",
              acct.roles["app-role"]["policies"])
        check(sg in reg.security_groups, "isolation group deleted")


def test_quarantine_event_finding():
    """Findings as the CloudTrail path ingests them: an existing isolation
    group is reused as it is, an instance without a role gets no IAM call,
    and a "fixit-quarantine" group that lets traffic through is refused."""
    with env_for("pb-q-event", "ec2-quarantine") as env:
        reg = region(env)
        vpc = "vpc-0event0000000001"
        iso = reg.add_security_group(name=QUARANTINE_GROUP, vpc_id=vpc,
                                     egress=[])
        app = reg.add_security_group(name="app", vpc_id=vpc)
        inst = reg.add_instance(vpc_id=vpc, groups=[app])
        leaky_vpc = "vpc-0leaky0000000001"
        leaky = reg.add_security_group(name=QUARANTINE_GROUP,
                                       vpc_id=leaky_vpc)   # allow-all egress
        reg.add_rule(leaky, False, protocol="tcp", from_port=22, to_port=22,
                     cidr="0.0.0.0/0")
        other = reg.add_instance(vpc_id=leaky_vpc)
        env.start()
        [fid, oid] = env.ingest_ok([
            h.item("ec2-quarantine", h.NONPROD, i,
                   title="EC2 instance %s: credentials used from Tor" % i,
                   details={"actor": "arn:aws:iam::%s:user/mallory"
                            % h.NONPROD}) for i in (inst, other)])
        env.wait_state(fid, "fixed", timeout=30)
        check(reg.instances[inst]["groups"] == [iso], "groups %r",
              reg.instances[inst]["groups"])
        muts = [c for c in env.aws.mutating_calls()
                if inst in c.params.values()]
        check([c.operation for c in muts] == ["CreateTags",
                                              "ModifyInstanceAttribute"],
              "mutating calls for %s: %r", inst, muts)
        check(not env.aws.calls(action="CreateSecurityGroup") and
              not env.aws.calls(action="RevokeSecurityGroupEgress") and
              not env.aws.calls(service="iam"),
              "unexpected calls: %r", env.aws.mutating_calls())
        prior = env.finding(fid)["prior_state"]
        check(prior["groups"] == [app] and prior["isolation_group"] == iso
              and prior["role_name"] is None and
              prior["created_group"] is False, "prior %r", prior)

        env.wait_state(oid, "failed", timeout=40)
        err = env.finding(oid).get("last_error") or ""
        check("let traffic through" in err, "last_error %r", err)
        check(reg.instances[other]["groups"] != [leaky] and
              not tags_on(env, other), "the refused instance changed")

        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        check(reg.instances[inst]["groups"] == [app], "groups after undo %r",
              reg.instances[inst]["groups"])


def test_quarantine_dry_run():
    with env_for("pb-q-dry", "ec2-quarantine", dry_run=True) as env:
        acct = env.aws.account(h.NONPROD)
        reg = acct.region(h.REGION)
        vpc, web, ssh, bad, calm, stopped = seed_quarantine(reg, acct)
        f = scan_one(env, "ec2-quarantine", "fixed")
        check_no_mutation(env, "dry run")
        prior = f["prior_state"]
        check_planned(prior, [
            "CreateSecurityGroup", "RevokeSecurityGroupEgress", "CreateTags",
            "CreateTags", "ModifyInstanceAttribute", "PutRolePolicy"])
        check(prior["groups"] == [web, ssh]
              and prior["role_name"] == "app-role" and "would" in prior,
              "dry-run prior %r", prior)
        check(reg.instances[bad]["groups"] == [web, ssh] and
              not isolation_groups(reg, vpc) and
              DENY_POLICY not in acct.roles["app-role"]["policies"] and
              reg.instances[bad]["tags"]["fixit:quarantine"] == "requested",
              "something changed in a dry run")


def test_quarantine_verify_catches_ignored_move():
    with env_for("pb-q-verify", "ec2-quarantine") as env:
        acct = env.aws.account(h.NONPROD)
        reg = acct.region(h.REGION)
        vpc, web, ssh, bad, calm, stopped = seed_quarantine(reg, acct)
        f = scan_ignored(env, "ec2-quarantine", "ModifyInstanceAttribute",
                         "not in sg-")
        check_last_error(f, "alone")
        # the second attempt reused the group the first one made
        check(len(env.aws.calls(action="CreateSecurityGroup")) == 1 and
              len(isolation_groups(reg, vpc)) == 1, "groups created: %r",
              env.aws.calls(action="CreateSecurityGroup"))
        check(reg.instances[bad]["groups"] == [web, ssh], "instance moved")


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
              prior["policy_existed"] is False, "prior %r", prior)
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
        check(DENY_POLICY not in acct.roles["app-role"]["policies"],
              "the deny policy stayed after undo")


def test_quarantine_check_before_fix():
    with env_for("pb-q-check", "ec2-quarantine") as env:
        reg = region(env)
        vpc = "vpc-0check000000000001"
        trig = {"fixit:quarantine": "requested"}
        gone = reg.add_instance(vpc_id=vpc, tags=trig)
        ended = reg.add_instance(vpc_id=vpc, tags=trig)
        done = reg.add_instance(vpc_id=vpc, tags=trig)
        found = scan_paused(env, "ec2-quarantine", [gone, ended, done])
        iso = reg.add_security_group(name=QUARANTINE_GROUP, vpc_id=vpc,
                                     egress=[])
        with env.aws._lock:
            del reg.instances[gone]
            reg.instances[ended]["state"] = "terminated"
            reg.instances[done]["groups"] = [iso]
        resume_resolved(env, "ec2-quarantine", found, {
            gone: "no longer exists", ended: "terminated",
            done: "quarantined already"})


if __name__ == "__main__":
    h.run_tests(test_imds_detect_fix_undo, test_imds_dry_run,
                test_imds_verify_catches_ignored_change,
                test_imds_check_before_fix,
                test_eip_detect_fix_undo_refused, test_eip_dry_run,
                test_eip_verify_catches_ignored_release,
                test_eip_check_before_fix,
                test_quarantine_detect_fix_undo,
                test_quarantine_event_finding, test_quarantine_dry_run,
                test_quarantine_verify_catches_ignored_move,
                test_quarantine_retry_after_half_fix,
                test_quarantine_check_before_fix)
