#!/usr/bin/env python3
"""test_pb_dns.py - what of the DNS playbooks (route53-ns-only,
dangling-dns) is not a case of "fake AWS state plus the expected calls":
detect, fix, undo, dry run, verify and check are data in
tests/data/playbooks/07xx-08xx, run by test_pb_cases.py.

Here:
  route53-ns-only, check  approval owner: one zone deleted, the other
          filled between the scan and the admin's "Fix now" click in
          Slack: both findings resolve, nothing changed;
  hostile Route 53 answers (a local endpoint via
          AWS_ENDPOINT_URL_ROUTE_53): junk zones and record sets are
          skipped, a zone id that is no id never reaches a request path,
          endless paging stops with an error, nothing is changed and
          fixitd stays up.
"""

import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
from pbtest import (check_last_error, check_no_mutation,  # noqa: E402
                    env_for, old_zone)


# ---- helpers ----------------------------------------------------------------

def nonprod(env):
    return env.aws.account(h.NONPROD)


# ---- route53-ns-only ----------------------------------------------------

def ns_seed(env):
    a = nonprod(env)
    empty = a.add_zone("empty.example", comment="left over & <unused>",
                       tags={"owner": "team-dns", "cost": "42"})
    full = a.add_zone("full.example", records=[
        {"name": "www.full.example", "type": "A", "values": ["192.0.2.1"]}])
    priv = a.add_zone("corp.internal", private=True)
    for zid in (empty, full, priv):
        old_zone(env, zid)
    return empty, full, priv


def ns_env(name, **kw):
    return env_for(name, "route53-ns-only", **kw)


def test_ns_check_gone_or_filled():
    with ns_env("ns-check", approval="owner") as env:
        empty, full, _ = ns_seed(env)
        other = old_zone(env, nonprod(env).add_zone("other.example"))
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

def dd_item(resource, **kw):
    kw.setdefault("details", {})
    return h.item("dangling-dns", h.NONPROD, resource, resource_arn=None,
                  title="Dangling DNS for %s" % resource, **kw)


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
    h.run_tests(test_ns_check_gone_or_filled, test_hostile_route53)
