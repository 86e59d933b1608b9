#!/usr/bin/env python3
"""test_pb_dns.py - the DNS playbooks (route53-ns-only, dangling-dns)
against the fake AWS, through the real fixitd and its aws executor.

route53-ns-only: a scan finds exactly the zones holding only NS and SOA
(private ones only with include_private); a fix tags the zone and deletes
it, with the zone, its records and tags in the prior state; a dry run
sends nothing; verify catches an ignored DeleteHostedZone; undo creates
the zone again (new name servers said) with its comment and tags; a zone
deleted (or filled) before the fix resolves the finding untouched.

dangling-dns: nothing from a scan (event-driven); an s3:/elb: finding
deletes exactly the record sets pointing at the bucket / load balancer
(CNAME, weighted CNAME, alias), zone by zone, across listing pages,
tagging each zone; CloudFront origins are only reported; dry run, verify
and undo as above; a resource nothing points at resolves the finding.

Hostile Route 53 answers (a local endpoint via AWS_ENDPOINT_URL_ROUTE_53):
junk zones and record sets are skipped, a zone id that is no id never
reaches a request path, endless paging stops with an error, nothing is
changed and fixitd stays up.
"""

import json
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
from pbtest import (FIXIT_TAGS, check_fixit_tags,  # noqa: E402
                    check_last_error, check_no_mutation, check_planned,
                    check_scan_ok, env_for, scan_ignored)

R53NS = "{https://route53.amazonaws.com/doc/2013-04-01/}"
FIXIT_KEYS = set(FIXIT_TAGS)


# ---- helpers ----------------------------------------------------------------

def nonprod(env):
    return env.aws.account(h.NONPROD)


def r53_calls(env, op):
    return [c for c in env.aws.calls(service="route53") if c.name == op]


def added_tags(call):
    """{key: value} a ChangeTagsForResource call adds (and no removals)."""
    root = ET.fromstring(call.raw)
    h.check(root.find(R53NS + "RemoveTagKeys") is None,
            "ChangeTagsForResource removes tags: %r", call.raw)
    return {t.find(R53NS + "Key").text: t.find(R53NS + "Value").text or ""
            for t in root.iter(R53NS + "Tag")}


def changes(call):
    """[(action, name, type, set identifier)] of a change batch call."""
    root = ET.fromstring(call.raw)
    out = []
    for ch in root.iter(R53NS + "Change"):
        rr = ch.find(R53NS + "ResourceRecordSet")
        sid = rr.find(R53NS + "SetIdentifier")
        out.append((ch.find(R53NS + "Action").text,
                    rr.find(R53NS + "Name").text, rr.find(R53NS + "Type").text,
                    sid.text if sid is not None else None))
    return sorted(out, key=lambda c: (c[1], c[2], c[3] or ""))


def history(env, fid):
    """The finding's audit reasons and data (the executor's message)."""
    return " | ".join("%s %s" % (r.get("reason"), r.get("data") or "")
                      for r in env.audit(fid))


def mutating_r53(env):
    return [c for c in env.aws.mutating_calls()
            if c.service in ("route53", "cloudfront")]


# ---- route53-ns-only ----------------------------------------------------

def ns_seed(env):
    a = nonprod(env)
    empty = a.add_zone("empty.example", comment="left over & <unused>",
                       tags={"owner": "team-dns", "cost": "42"})
    full = a.add_zone("full.example", records=[
        {"name": "www.full.example", "type": "A", "values": ["192.0.2.1"]}])
    priv = a.add_zone("corp.internal", private=True)
    return empty, full, priv


def ns_env(name, **kw):
    return env_for(name, "route53-ns-only", **kw)


def test_ns_detect_fix_undo():
    with ns_env("ns-fix") as env:
        empty, full, priv = ns_seed(env)
        env.aws.set_page_size(1, "ListHostedZones")
        env.aws.set_page_size(1, "ListResourceRecordSets")
        before = json.loads(json.dumps(nonprod(env).zones[empty]))
        env.start()
        env.scan()
        fs = env.findings(playbook="route53-ns-only")
        h.check([f["resource_id"] for f in fs] == [empty],
                "findings %r, want only %s", fs, empty)
        f = fs[0]
        h.check(f["resource_arn"] == "arn:aws:route53:::hostedzone/" + empty,
                "arn %r", f["resource_arn"])
        h.check(f["details"].get("name") == "empty.example." and
                f["details"].get("record_count") == 2 and
                f["details"].get("private") is False and
                f["details"].get("comment") == "left over & <unused>",
                "details %r", f["details"])
        h.check("empty.example" in f["title"], "title %r", f["title"])
        fid = f["id"]
        env.wait_state(fid, "fixed", timeout=30)

        # exact calls: tag the zone, then delete it; nothing else changed
        muts = mutating_r53(env)
        h.check([c.name for c in muts] == ["ChangeTagsForResource",
                                           "DeleteHostedZone"],
                "mutating calls %r", [c.summary() for c in muts])
        tag, dele = muts
        h.check(tag.method == "POST" and tag.path ==
                "/2013-04-01/tags/hostedzone/" + empty, "tag %r", tag.path)
        h.check(tag.role == "fixit-tagger", "tagged as %r", tag.role)
        tags = added_tags(tag)
        check_fixit_tags(tags, fid, "delete-zone", "route53-ns-only")
        h.check(set(tags) == FIXIT_KEYS, "non-fixit tags written: %r", tags)
        h.check(dele.method == "DELETE" and dele.path ==
                "/2013-04-01/hostedzone/" + empty and
                dele.role == "fixit-remediator", "delete %r", dele.summary())
        h.check(empty not in nonprod(env).zones, "zone not deleted")
        h.check(full in nonprod(env).zones and priv in nonprod(env).zones,
                "other zones touched")

        p = env.finding(fid)["prior_state"]
        h.check(p["zone_id"] == empty and p["name"] == "empty.example." and
                p["comment"] == "left over & <unused>" and
                p["private"] is False and
                p["caller_reference"] == before["caller_reference"],
                "prior %r", p)
        h.check(p["tags"] == {"owner": "team-dns", "cost": "42"},
                "prior tags %r", p["tags"])
        h.check(sorted(r["Type"] for r in p["records"]) == ["NS", "SOA"],
                "prior records %r", p["records"])
        h.check(len(p["name_servers"]) == 4, "name servers %r", p)

        # undo: a new zone of the same name, comment, tags back
        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        [cz] = r53_calls(env, "CreateHostedZone")
        root = ET.fromstring(cz.raw)
        ref = root.find(R53NS + "CallerReference").text
        h.check(ref.startswith("fixit-undo-%d-" % fid), "caller ref %r", ref)
        h.check(root.find(R53NS + "HostedZoneConfig/" + R53NS +
                          "Comment").text == "left over & <unused>",
                "comment not sent escaped: %r", cz.raw)
        new = [z for z in nonprod(env).zones.values()
               if z["name"] == "empty.example."]
        h.check(len(new) == 1 and new[0]["id"] != empty, "zones %r", new)
        nz = new[0]
        h.check(nz["comment"] == "left over & <unused>", "comment %r", nz)
        h.check(nz["tags"].get("owner") == "team-dns" and
                nz["tags"].get("cost") == "42", "tags %r", nz["tags"])
        check_fixit_tags(nz["tags"], fid, "undo-delete-zone",
                         "route53-ns-only")
        h.check(not r53_calls(env, "ChangeResourceRecordSets"),
                "records re-created for an NS/SOA-only zone")
        hist = history(env, fid)
        h.check("new name servers" in hist and nz["id"] in hist,
                "undo did not tell about the delegation: %s", hist)


def test_ns_dry_run_and_private():
    with ns_env("ns-dry", dry_run=True,
                params={"include_private": 1}) as env:
        empty, full, priv = ns_seed(env)
        env.start()
        env.scan()
        fs = env.findings(playbook="route53-ns-only")
        h.check(sorted(f["resource_id"] for f in fs) == sorted([empty, priv]),
                "findings %r", [f["resource_id"] for f in fs])
        for f in fs:
            env.wait_state(f["id"], "fixed", timeout=30)
        check_no_mutation(env, "dry run")
        h.check({empty, full, priv} <= set(nonprod(env).zones),
                "a zone is gone after a dry run")
        h.check(not any(k.startswith("fixit:") for k in
                        nonprod(env).zones[empty]["tags"]), "dry run tagged")
        [fid] = [f["id"] for f in fs if f["resource_id"] == empty]
        p = env.finding(fid)["prior_state"]
        check_planned(p, ["ChangeTagsForResource", "DeleteHostedZone"])
        h.check(p["planned"][1]["path"] == "/2013-04-01/hostedzone/" + empty,
                "planned path %r", p["planned"][1])


def test_ns_verify_catches_ignored_delete():
    with ns_env("ns-verify") as env:
        empty, _, _ = ns_seed(env)
        scan_ignored(env, "route53-ns-only", "DeleteHostedZone",
                     "still exists")
        h.check(empty in nonprod(env).zones, "zone gone though ignored")


def test_ns_check_gone_or_filled():
    with ns_env("ns-check", approval="owner") as env:
        empty, full, _ = ns_seed(env)
        other = nonprod(env).add_zone("other.example")
        env.start()
        env.scan()
        fs = {f["resource_id"]: f["id"]
              for f in env.findings(playbook="route53-ns-only")}
        h.check(set(fs) == {empty, other}, "findings %r", fs)
        # meanwhile: one zone deleted, the other gets a record
        del nonprod(env).zones[empty]
        nonprod(env).add_record(other, "a.other.example", "A", ["192.0.2.9"])
        posts = {fid: env.wait_notify(fid) for fid in fs.values()}
        env.aws.reset_calls()
        for fid, post in posts.items():
            r = env.click(h.ADMIN, "fixit_fix_now", fid, msg=post)
            h.check(r.status == 200, "click answered %r", r)
        for fid in fs.values():
            env.wait_state(fid, "resolved", timeout=30)
        check_no_mutation(env, "check")
        h.check(other in nonprod(env).zones, "filled zone deleted")


# ---- dangling-dns -------------------------------------------------------

BUCKET = "my-bucket"
WEB = "my-bucket.s3-website-eu-west-1.amazonaws.com"


def dd_seed(env):
    a = nonprod(env)
    com = a.add_zone("example.com", records=[
        {"name": "assets.example.com", "type": "CNAME",
         "values": [BUCKET + ".s3.eu-west-1.amazonaws.com"]},
        {"name": "w.example.com", "type": "CNAME", "values": [WEB],
         "set_identifier": "blue", "weight": 10, "ttl": 60},
        # (a "green" twin of w.example.com would be right, but the fake
        # refuses to CREATE a weighted CNAME next to another one)
        {"name": "w2.example.com", "type": "CNAME",
         "values": ["green.example.net"], "set_identifier": "green",
         "weight": 90, "ttl": 60},
        {"name": "keep.example.com", "type": "CNAME",
         "values": ["my-bucket2.s3.eu-west-1.amazonaws.com"]},
        {"name": "txt.example.com", "type": "TXT",
         "values": ['"points at %s & <not> a target"' % WEB]},
        {"name": "app.example.com", "type": "A", "alias": {
            "dns_name": "dualstack.my-lb-1234567890.eu-west-1.elb."
                        "amazonaws.com", "hosted_zone_id": "Z32O12XQLNTSW2",
            "evaluate_target_health": True}},
        # a load balancer made again under the same name
        {"name": "new.example.com", "type": "A", "alias":
         "dualstack.my-lb-555.eu-west-1.elb.amazonaws.com"},
    ])
    org = a.add_zone("example.org", records=[
        {"name": "static.example.org", "type": "CNAME",
         "values": [BUCKET.upper() + ".S3.AMAZONAWS.COM."]},
        {"name": "lb.example.org", "type": "CNAME",
         "values": ["my-lb-two-99.eu-west-1.elb.amazonaws.com"]},
    ])
    empty = a.add_zone("nothing.example")
    a.add_distribution(dist_id="EDIST1", origins=[
        {"id": "s3-origin", "domain_name": BUCKET + ".s3.amazonaws.com"}])
    a.add_distribution(dist_id="EDIST2", origins=["other.s3.amazonaws.com"])
    return com, org, empty


def dd_env(name, **kw):
    return env_for(name, "dangling-dns", **kw)


def dd_item(resource, **kw):
    kw.setdefault("details", {})
    return h.item("dangling-dns", h.NONPROD, resource, resource_arn=None,
                  title="Dangling DNS for %s" % resource, **kw)


def records(env, zid):
    return json.loads(json.dumps(nonprod(env).zones[zid]["records"]))


def rr_keys(recs):
    return sorted((r["name"], r["type"], r["set_identifier"] or "")
                  for r in recs)


def test_dd_detect_finds_nothing():
    with dd_env("dd-detect") as env:
        dd_seed(env)
        env.start()
        check_scan_ok(env.scan())
        h.check(env.findings(playbook="dangling-dns") == [],
                "dangling-dns detected something")
        h.check(not env.aws.calls(service="route53"),
                "detect listed Route 53")


def test_dd_fix_and_undo_s3():
    with dd_env("dd-fix") as env:
        com, org, _ = dd_seed(env)
        env.aws.set_page_size(1, "ListHostedZones")
        env.aws.set_page_size(2, "ListResourceRecordSets")
        env.aws.set_page_size(1, "ListDistributions")
        com0, org0 = records(env, com), records(env, org)
        env.start()
        [fid] = env.ingest_ok([dd_item("s3:" + BUCKET,
                                       details={"region": "eu-west-1"})])
        env.wait_state(fid, "fixed", timeout=30)

        muts = mutating_r53(env)
        h.check(sorted(c.name for c in muts) == [
            "ChangeResourceRecordSets", "ChangeResourceRecordSets",
            "ChangeTagsForResource", "ChangeTagsForResource"],
            "mutating calls %r", [c.summary() for c in muts])
        for c in r53_calls(env, "ChangeTagsForResource"):
            check_fixit_tags(added_tags(c), fid, "delete-dangling",
                             "dangling-dns")
            h.check(set(added_tags(c)) == FIXIT_KEYS, "extra tags")
        by_path = {c.path: c for c in r53_calls(env,
                                                "ChangeResourceRecordSets")}
        pc = "/2013-04-01/hostedzone/%s/rrset" % com
        po = "/2013-04-01/hostedzone/%s/rrset" % org
        h.check(set(by_path) == {pc, po}, "changed %r", list(by_path))
        h.check(changes(by_path[pc]) == [
            ("DELETE", "assets.example.com.", "CNAME", None),
            ("DELETE", "w.example.com.", "CNAME", "blue")],
            "example.com changes %r", changes(by_path[pc]))
        h.check(changes(by_path[po]) == [
            ("DELETE", "static.example.org.", "CNAME", None)],
            "example.org changes %r", changes(by_path[po]))
        h.check(by_path[pc].role == "fixit-remediator", "role %r",
                by_path[pc].role)

        left = rr_keys(records(env, com))
        h.check(("assets.example.com.", "CNAME", "") not in left and
                ("w.example.com.", "CNAME", "blue") not in left and
                ("w2.example.com.", "CNAME", "green") in left and
                ("keep.example.com.", "CNAME", "") in left and
                ("txt.example.com.", "TXT", "") in left and
                ("app.example.com.", "A", "") in left, "left %r", left)
        h.check(rr_keys(records(env, org)) ==
                [("example.org.", "NS", ""), ("example.org.", "SOA", ""),
                 ("lb.example.org.", "CNAME", "")],
                "example.org left %r", records(env, org))

        p = env.finding(fid)["prior_state"]
        h.check(len(p["records"]) == 3, "prior records %r", p["records"])
        h.check(p["cloudfront"] == [{"distribution_id": "EDIST1",
                                     "origin_id": "s3-origin",
                                     "domain": BUCKET + ".s3.amazonaws.com"}],
                "prior cloudfront %r", p["cloudfront"])
        h.check(p["target"]["kind"] == "s3" and
                p["target"]["name"] == BUCKET, "target %r", p["target"])
        h.check(not env.aws.mutating_calls(service="cloudfront"),
                "CloudFront changed")
        hist = history(env, fid)
        h.check("EDIST1" in hist and "owner" in hist,
                "CloudFront origin not reported: %s", hist)

        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        h.check(sorted(map(json.dumps, records(env, com))) ==
                sorted(map(json.dumps, com0)), "example.com not restored: %r",
                records(env, com))
        h.check(sorted(map(json.dumps, records(env, org))) ==
                sorted(map(json.dumps, org0)), "example.org not restored")
        cr = r53_calls(env, "ChangeResourceRecordSets")
        h.check(all(a == "CREATE" for c in cr for a, _, _, _ in changes(c))
                and len(cr) == 2, "undo calls %r", [c.raw for c in cr])
        for c in r53_calls(env, "ChangeTagsForResource"):
            check_fixit_tags(added_tags(c), fid, "undo-delete-dangling",
                             "dangling-dns")


def test_dd_fix_elb_alias():
    with dd_env("dd-elb", params={"cloudfront": 0}) as env:
        com, org, _ = dd_seed(env)
        env.start()
        [fid] = env.ingest_ok([dd_item("elb:my-lb", details={
            "dns_name": "my-lb-1234567890.eu-west-1.elb.amazonaws.com"})])
        env.wait_state(fid, "fixed", timeout=30)
        [c] = r53_calls(env, "ChangeResourceRecordSets")
        h.check(c.path == "/2013-04-01/hostedzone/%s/rrset" % com and
                changes(c) == [("DELETE", "app.example.com.", "A", None)],
                "changes %r", changes(c))
        root = ET.fromstring(c.raw)
        at = root.find(".//" + R53NS + "AliasTarget")
        h.check(at is not None and at.find(R53NS + "EvaluateTargetHealth")
                .text == "true" and at.find(R53NS + "HostedZoneId").text ==
                "Z32O12XQLNTSW2", "alias target %r", c.raw)
        h.check(nonprod(env).find_record(com, "app.example.com", "A") is None,
                "alias still there")
        h.check(nonprod(env).find_record(org, "lb.example.org", "CNAME")
                is not None, "my-lb-two's record deleted")
        h.check(nonprod(env).find_record(com, "new.example.com", "A")
                is not None, "the new my-lb's record deleted")
        h.check(not env.aws.calls(service="cloudfront"),
                "cloudfront=0 still listed distributions")


def test_dd_dry_run():
    with dd_env("dd-dry", dry_run=True) as env:
        com, org, _ = dd_seed(env)
        com0 = records(env, com)
        env.start()
        [fid] = env.ingest_ok([dd_item("s3:" + BUCKET)])
        env.wait_state(fid, "fixed", timeout=30)
        check_no_mutation(env, "dry run")
        h.check(records(env, com) == com0, "records changed in a dry run")
        p = env.finding(fid)["prior_state"]
        h.check(p.get("dry_run") is True and len(p["records"]) == 3,
                "prior %r", p)
        acts = sorted(c.get("action") for c in p["planned"])
        h.check(acts == ["ChangeResourceRecordSets"] * 2 +
                ["ChangeTagsForResource"] * 2, "planned %r", p["planned"])
        body = [c["body"] for c in p["planned"]
                if c["action"] == "ChangeResourceRecordSets"]
        h.check(any("<Action>DELETE</Action>" in b and
                    "assets.example.com." in b for b in body),
                "planned body %r", body)


def test_dd_verify_catches_ignored_change():
    with dd_env("dd-verify", params={"cloudfront": 0}) as env:
        com, _, _ = dd_seed(env)
        com0 = records(env, com)
        env.aws.ignore_next("ChangeResourceRecordSets", n=10)
        env.start()
        [fid] = env.ingest_ok([dd_item("elb:my-lb")])
        env.wait_state(fid, "failed", timeout=40)
        h.check(records(env, com) == com0, "records changed though ignored")
        check_last_error(env.finding(fid), "still point at elb my-lb")


def test_dd_check_nothing_points():
    with dd_env("dd-check") as env:
        dd_seed(env)
        env.start()
        ids = env.ingest_ok([
            dd_item("s3:unused-bucket"),
            dd_item("elb:gone-lb", details={
                "kind": "elb", "name": "gone-lb", "region": "eu-west-1",
                "dns_name": "gone-lb-1.eu-west-1.elb.amazonaws.com"}),
        ])
        for fid in ids:
            env.wait_state(fid, "resolved", timeout=30)
        check_no_mutation(env, "check")
        h.check(env.aws.calls(service="route53", action="ListHostedZones"),
                "check did not list zones")


def test_dd_bad_resource():
    with dd_env("dd-bad", max_attempts=1) as env:
        dd_seed(env)
        env.start()
        [fid] = env.ingest_ok([dd_item("s3:a*b/../x")])
        env.wait_state(fid, "failed", timeout=30)
        h.check(not env.aws.calls(service="route53"), "listed zones")
        check_last_error(env.finding(fid), "s3:BUCKET")


# ---- hostile Route 53 answers -------------------------------------------

R53X = '<?xml version="1.0"?>\n<%s xmlns="https://route53.amazonaws.com/' \
       'doc/2013-04-01/">%s</%s>'


def hostile_answer(path, query):
    """What a broken or hostile Route 53 says (None: 404)."""
    if path == "/2013-04-01/hostedzone":
        zones = (
            "<HostedZone><Id>/hostedzone/../../tags</Id><Name>x.</Name>"
            "</HostedZone>"
            "<HostedZone><Name>noid.</Name></HostedZone>"
            "<HostedZone><Id>/hostedzone/ZNONAME</Id></HostedZone>"
            "<HostedZone><Id>/hostedzone/ZODD</Id><Name>odd.</Name>"
            "<Config>private?</Config><ResourceRecordSetCount>-1"
            "</ResourceRecordSetCount></HostedZone>"
            "<HostedZone>just text</HostedZone>"
            "<HostedZone><Id>/hostedzone/ZLOOP</Id><Name>loop.</Name>"
            "<ResourceRecordSetCount>5</ResourceRecordSetCount>"
            "</HostedZone>")
        # the same next page, forever
        return R53X % ("ListHostedZonesResponse", "<HostedZones>%s"
                       "</HostedZones><IsTruncated>true</IsTruncated>"
                       "<NextMarker>ZODD</NextMarker>" % zones,
                       "ListHostedZonesResponse")
    if path == "/2013-04-01/hostedzone/ZLOOP/rrset":
        # the same next page, forever
        return R53X % ("ListResourceRecordSetsResponse",
                       "<ResourceRecordSets/><IsTruncated>true</IsTruncated>"
                       "<NextRecordName>a.loop.</NextRecordName>",
                       "ListResourceRecordSetsResponse")
    if path == "/2013-04-01/hostedzone/ZODD/rrset":
        more = "name=" not in query     # two pages
        sets = ("<ResourceRecordSet>text</ResourceRecordSet>"
                "<ResourceRecordSet><Name>odd.</Name><Type>NS</Type>"
                "<ResourceRecords>none</ResourceRecords></ResourceRecordSet>"
                "<ResourceRecordSet><Name>c.odd.</Name><Type>CNAME</Type>"
                "<ResourceRecords><ResourceRecord><Value><X>1</X></Value>"
                "</ResourceRecord><ResourceRecord/></ResourceRecords>"
                "<AliasTarget>my-bucket.s3.amazonaws.com</AliasTarget>"
                "</ResourceRecordSet>"
                "<ResourceRecordSet><Name>a.odd.</Name><Type>A</Type>"
                "<AliasTarget><DNSName><Y/></DNSName></AliasTarget>"
                "</ResourceRecordSet>")
        return R53X % ("ListResourceRecordSetsResponse",
                       "<ResourceRecordSets>%s</ResourceRecordSets>"
                       "<IsTruncated>%s</IsTruncated><NextRecordName>"
                       "b.odd.</NextRecordName><NextRecordType>A"
                       "</NextRecordType>" % (sets, str(more).lower()),
                       "ListResourceRecordSetsResponse")
    if path == "/2013-04-01/hostedzone/ZODD":
        return R53X % ("GetHostedZoneResponse", "<HostedZone>z</HostedZone>",
                       "GetHostedZoneResponse")
    if path.startswith("/2013-04-01/tags/"):
        return "<not-xml"
    return None


class HostileR53:
    """A Route 53 endpoint answering hostile_answer(); records requests."""

    def __init__(self):
        import http.server
        import threading
        paths = self.paths = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                u = urllib.parse.urlsplit(self.path)
                paths.append((self.command, u.path, u.query))
                body = hostile_answer(u.path, u.query)
                code = 200 if body is not None else 404
                body = (body or R53X % ("ErrorResponse", "<Error><Code>"
                        "NoSuchHostedZone</Code><Message>no</Message>"
                        "</Error>", "ErrorResponse")).encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_POST = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_hostile_route53():
    bad = HostileR53()
    try:
        with h.Env("dns-hostile", aws=True, start=False, playbooks=[
                h.aws_playbook("route53-ns-only"),
                h.aws_playbook("dangling-dns", max_attempts=1)]) as env:
            env.proc_env["AWS_ENDPOINT_URL_ROUTE_53"] = bad.url
            env.start()
            rows = env.scan()
            h.check(env.healthz(), "fixitd unhealthy after the scan")
            h.check(env.findings(playbook="route53-ns-only") == [],
                    "findings from garbage")
            h.check(all("ListHostedZones: the next page repeats" in
                        (r.get("error") or "") for r in rows),
                    "the endless ListHostedZones was not stopped: %r", rows)
            paths = [p for _, p, _ in bad.paths]
            h.check(not any(".." in p for p in paths),
                    "a hostile zone id reached a path: %r", paths)
            h.check(len(paths) < 50, "%d requests for a looping answer",
                    len(paths))
            [fid] = env.ingest_ok([dd_item("s3:my-bucket")])
            env.wait_state(fid, "failed", timeout=30)
            h.check(env.healthz(), "fixitd unhealthy after dangling-dns")
            h.check(not [m for m, _, _ in bad.paths if m != "GET"],
                    "something was changed: %r", bad.paths)
            check_last_error(env.finding(fid),
                             "ListResourceRecordSets: the next page repeats")
    finally:
        bad.close()


if __name__ == "__main__":
    h.run_tests(test_ns_detect_fix_undo, test_ns_dry_run_and_private,
                test_ns_verify_catches_ignored_delete,
                test_ns_check_gone_or_filled, test_dd_detect_finds_nothing,
                test_dd_fix_and_undo_s3, test_dd_fix_elb_alias,
                test_dd_dry_run, test_dd_verify_catches_ignored_change,
                test_dd_check_nothing_points, test_dd_bad_resource,
                test_hostile_route53)
