"""pbtest.py - helpers shared by the tests of the built-in AWS playbooks
(test_pb_cases.py, which runs tests/data/playbooks/*.json, and the
test_pb_*.py left in Python): an Env with one aws playbook, the fake
AWS's recorded calls and tags, and the checks every playbook test makes
(scan rows, the fixit: tags, only fixit: tagging, no mutating call).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402

FIXIT_TAGS = ("fixit:playbook", "fixit:finding", "fixit:action", "fixit:time")


# ---- the environment --------------------------------------------------------

def env_for(name, builtin, params=None, **kw):
    """An Env, not started, with the aws playbook running builtin."""
    return h.Env(name, aws=True, start=False, playbooks=[
        h.aws_playbook(builtin, params=params, **kw)])


def scan_one(env, playbook, state, timeout=30):
    """Start, scan: the only finding of playbook, once it reached state
    (read again then)."""
    env.start()
    check_scan_ok(env.scan())
    [f] = env.findings(playbook=playbook)
    env.wait_state(f["id"], state, timeout=timeout)
    return env.finding(f["id"])


# ---- recorded calls ---------------------------------------------------------

def form(c):
    """A call's parameters without Action and Version."""
    return {k: v for k, v in c.params.items()
            if k not in ("Action", "Version")}


def tag_params(params, prefix="Tag."):
    """{key: value} of PREFIX.N.Key / PREFIX.N.Value form parameters."""
    out = {}
    for k, v in params.items():
        if k.startswith(prefix) and k.endswith(".Key"):
            out[v] = params.get(k[:-len("Key")] + "Value")
    return out


def tags_on(env, rid, action=None):
    """The tags of the CreateTags calls on rid (optionally one action)."""
    out = []
    for c in env.aws.calls(action="CreateTags"):
        if rid in [v for k, v in c.params.items()
                   if k.startswith("ResourceId.")]:
            t = tag_params(c.params)
            if action is None or t.get("fixit:action") == action:
                out.append(t)
    return out


# ---- checks -----------------------------------------------------------------

def zone_event(env, zid, ago, name="CreateHostedZone", account=None):
    """A Route 53 event of zone zid, ago seconds back, where AWS records
    it: CloudTrail in us-east-1, the zone id as the resource name.
    route53-ns-only dates a zone by its newest CreateHostedZone or
    ChangeResourceRecordSets there (its min_age_days guard)."""
    trail = env.aws.account(account or h.NONPROD).region("us-east-1")
    if name == "CreateHostedZone":
        detail = {"responseElements": {"hostedZone": {
            "id": "/hostedzone/" + zid}}}
    else:
        detail = {"requestParameters": {"hostedZoneId": zid}}
    trail.add_event(name, resources=[("AWS::Route53::HostedZone", zid)],
                    event_time=time.time() - ago,
                    event_source="route53.amazonaws.com", detail=detail)


def old_zone(env, zid, account=None):
    """Zone zid created 30 days ago (CloudTrail): past the age guard."""
    zone_event(env, zid, 30 * 86400, account=account)
    return zid


def check_scan_ok(rows):
    check(rows, "no scan rows")
    for r in rows:
        check(not r.get("error"), "scan row with an error: %r", r)


def check_fixit_tags(tags, fid, action, playbook=None):
    for k in FIXIT_TAGS:
        check(k in tags, "fixit tag %s missing in %r", k, tags)
    check(tags["fixit:finding"] == str(fid), "fixit:finding %r, want %s",
          tags.get("fixit:finding"), fid)
    check(tags["fixit:action"] == action, "fixit:action %r, want %s",
          tags.get("fixit:action"), action)
    check(playbook is None or tags["fixit:playbook"] == playbook,
          "fixit:playbook %r, want %s", tags.get("fixit:playbook"), playbook)


def check_only_fixit_tagging(env):
    """Every CreateTags / AddTagsToResource sets fixit: keys only, as the
    tagger; no tag is removed."""
    for op, prefix in (("CreateTags", "Tag."),
                       ("AddTagsToResource", "Tags.member.")):
        for c in env.aws.calls(action=op):
            keys = tag_params(c.params, prefix)
            check(keys and all(k.startswith("fixit:") for k in keys),
                  "%s with a non-fixit key: %r", op, c.params)
            check(c.role == "fixit-tagger", "%s as %s", op, c.role)
    check(not env.aws.calls(action="DeleteTags") and
          not env.aws.calls(action="RemoveTagsFromResource"),
          "a tag was removed")


def check_no_mutation(env, what):
    muts = env.aws.mutating_calls()
    check(not muts, "%s sent %r", what, [c.summary() for c in muts])


def check_last_error(f, text):
    check(text in (f.get("last_error") or ""), "last_error %r, want %r",
          f.get("last_error"), text)
