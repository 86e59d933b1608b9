#!/usr/bin/env python3
"""test_pb_dns2.py - dangling-dns for the host names AWS hands out (issue
16): what is not a case of tests/data/playbooks/08xx (those hold detect,
fix, verify, undo, paging and the zone guards of each new target).

Here:
  events  each CloudTrail delete of a new kind (ReleaseAddress,
          DeleteDistribution, DeleteDomainName of v1 and of v2,
          TerminateEnvironment), posted to /v1/events, raises its
          dangling-dns finding; the Beanstalk one is fixed end to end;
  signed  every API Gateway and Elastic Beanstalk request is SigV4
          signed for its own service ("apigateway" for v1 and v2,
          "elasticbeanstalk"), as the fake verifies;
  held    a CloudFront host that still answers in the public DNS (the
          fake DNS server) or that the DNS cannot tell about, and a
          Beanstalk prefix that is not available (held elsewhere or
          reserved) are never deleted;
  dry run one finding of each new kind in a dry run: no mutating call;
  hostile a local API Gateway endpoint (AWS_ENDPOINT_URL_API_GATEWAY) whose
          GetDomainNames pages forever stops with an error, and whose
          REST-JSON error ({"message"}, the code in x-amzn-ErrorType) is
          told by its code; nothing is deleted.
"""

import copy
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
from pbtest import check_last_error, check_no_mutation  # noqa: E402

REGION = "eu-west-1"
API_KEY = "test-events-key-0123456789abcdef"
HEADER = "X-Fixit-Api-Key"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "data", "events")


def dd_env(name, dry_run=False, **params):
    params.setdefault("min_age_minutes", 0)
    params.setdefault("dns_timeout_ms", 500)
    return h.Env(name, aws=True, start=False, playbooks=[
        h.aws_playbook("dangling-dns", max_attempts=1, dry_run=dry_run,
                       params=params)])


def dd_item(resource, region=REGION):
    return h.item("dangling-dns", h.NONPROD, resource, resource_arn=None,
                  title="Dangling DNS for %s" % resource,
                  details={"region": region})


def zone(env, name, rtype, target):
    """example.com with NAME RTYPE target (a CNAME value or an A value);
    its zone id."""
    return env.aws.account(h.NONPROD).add_zone("example.com", records=[
        {"name": name, "type": rtype, "values": [target]}])


def record(env, zid, name, rtype):
    return env.aws.account(h.NONPROD).find_record(zid, name, rtype)


def history(env, fid):
    return " ".join("%s %s" % (r.get("reason") or "", r.get("data") or "")
                    for r in env.audit(fid))


# ---- events ----------------------------------------------------------------

def sample(name, account, region):
    with open(os.path.join(DATA, name)) as f:
        ev = json.load(f)
    ev = copy.deepcopy(ev)
    ev["id"] = str(uuid.uuid4())
    ev["account"] = account
    ev["region"] = region
    d = ev["detail"]
    d["recipientAccountId"] = account
    d["awsRegion"] = region
    d["userIdentity"]["accountId"] = account
    d["eventTime"] = ev["time"] = h.iso_now()
    return ev


def post_ok(env, ev):
    r = env.request("POST", "/v1/events", json.dumps(ev).encode(),
                    [("Content-Type", "application/json"),
                     (HEADER, API_KEY)])
    h.check(r.status == 202, "event answered %r", r)


def events_env(name):
    env = dd_env(name)
    env.config["events"] = {"employee_pattern": "*@example.com"}
    env.write_config()
    env.proc_env["FIXIT_EVENTS_API_KEY"] = API_KEY
    return env


EVENTS = (
    ("ec2-releaseaddress-iamuser.json", REGION,
     "eip:eipalloc-0a1b2c3d4e5f67890"),
    ("cloudfront-deletedistribution-iamuser.json", "us-east-1",
     "cloudfront:EDFDVBD6EXAMPLE"),
    ("apigateway-deletedomainname-iamuser.json", REGION,
     "apigw:api.example.com"),
    ("apigatewayv2-deletedomainname-iamuser.json", REGION,
     "apigw:ws.example.com"),
    ("elasticbeanstalk-terminateenvironment-iamuser.json", REGION,
     "beanstalk:my-env.eu-west-1.elasticbeanstalk.com"),
)


def test_delete_events_raise_findings():
    with events_env("dd2-events") as env:
        zid = zone(env, "app.example.com", "CNAME",
                   "my-env.eu-west-1.elasticbeanstalk.com")
        env.start()
        for name, region, _ in EVENTS:
            post_ok(env, sample(name, h.NONPROD, region))
        want = {rid for _, _, rid in EVENTS}
        h.wait_until(lambda: want <= {f["resource_id"] for f in
                                      env.findings(playbook="dangling-dns")},
                     20, what="a dangling-dns finding per event")
        fs = {f["resource_id"]: f for f in
              env.findings(playbook="dangling-dns")}
        for name, region, rid in EVENTS:
            f = fs[rid]
            h.check(f["region"] == region, "%s: region %r", rid, f["region"])
            h.check(f["details"]["kind"] == rid.split(":")[0],
                    "%s: details %r", rid, f["details"])
        bs = fs["beanstalk:my-env.eu-west-1.elasticbeanstalk.com"]
        env.wait_state(bs["id"], "fixed", timeout=30)
        h.check(record(env, zid, "app.example.com", "CNAME") is None,
                "the dangling CNAME to the terminated environment is there")


# ---- signatures ---------------------------------------------------------------

def test_signed_for_their_service():
    with dd_env("dd2-sigv4") as env:
        zone(env, "api.example.com", "CNAME",
             "d-abc123.execute-api.eu-west-1.amazonaws.com")
        zone(env, "app.example.com", "CNAME",
             "gone.eu-west-1.elasticbeanstalk.com")
        env.start()
        ids = env.ingest_ok([dd_item("apigw:api.example.com"),
                             dd_item("beanstalk:gone")])
        for fid in ids:
            env.wait_state(fid, "fixed", timeout=30)
        want = {"/domainnames": "apigateway", "/v2/domainnames": "apigateway"}
        calls = env.aws.calls(service="apigateway")
        h.check({c.path for c in calls} == set(want),
                "API Gateway paths %r", [c.path for c in calls])
        eb = env.aws.calls(service="elasticbeanstalk")
        h.check({c.operation for c in eb} == {"DescribeEnvironments",
                                               "CheckDNSAvailability"},
                "Beanstalk calls %r", [c.operation for c in eb])
        for c in calls + eb:
            h.check(c.ok and c.signature_ok, "%s %s: signature %r",
                    c.service, c.operation, c.signature_ok)
            h.check(("/%s/aws4_request" % c.service) in
                    (c.header("Authorization") or ""),
                    "%s signed for another service: %s", c.operation,
                    c.header("Authorization"))
            h.check(c.region == REGION, "%s in %s", c.operation, c.region)


# ---- never deleted when not verified gone ------------------------------------

def test_cloudfront_answering_or_unknown_kept():
    with dd_env("dd2-cf-dns") as env:
        zid = env.aws.account(h.NONPROD).add_zone("example.com", records=[
            {"name": "a.example.com", "type": "CNAME",
             "values": ["dlive9.cloudfront.net"]},
            {"name": "b.example.com", "type": "CNAME",
             "values": ["dquiet9.cloudfront.net"]}])
        # an edge API's distribution: in no ListDistributions, but it
        # answers in the DNS
        env.aws.dns.delegate("dlive9.cloudfront.net",
                             ["ns-1.awsdns-01.org"])
        env.aws.dns.misbehave("dquiet9.cloudfront.net", "silent")
        env.start()
        a, b = env.ingest_ok([
            dd_item("cloudfront:dlive9.cloudfront.net", "us-east-1"),
            dd_item("cloudfront:dquiet9.cloudfront.net", "us-east-1")])
        env.wait_state(a, "resolved", timeout=30)
        env.wait_state(b, "resolved", timeout=30)
        h.check("answers in the public DNS" in history(env, a),
                "a: %s", history(env, a))
        h.check("cannot tell" in history(env, b), "b: %s", history(env, b))
        for name in ("a.example.com", "b.example.com"):
            h.check(record(env, zid, name, "CNAME") is not None,
                    "%s deleted", name)
        check_no_mutation(env, "a CloudFront host not verified gone")


def test_beanstalk_prefix_not_available_kept():
    with dd_env("dd2-eb-held") as env:
        zid = zone(env, "app.example.com", "CNAME",
                   "taken.eu-west-1.elasticbeanstalk.com")
        env.aws.eb_reserved = {"taken"}
        env.start()
        [fid] = env.ingest_ok([dd_item(
            "beanstalk:taken.eu-west-1.elasticbeanstalk.com")])
        env.wait_state(fid, "resolved", timeout=30)
        h.check("is not available" in history(env, fid), "%s",
                history(env, fid))
        h.check(record(env, zid, "app.example.com", "CNAME") is not None,
                "the record was deleted")
        check_no_mutation(env, "a prefix someone holds")


# ---- dry run ---------------------------------------------------------------------

def test_dry_run_each_kind():
    with dd_env("dd2-dry", dry_run=True, eip_regions=REGION) as env:
        a = env.aws.account(h.NONPROD)
        zid = a.add_zone("example.com", records=[
            {"name": "old.example.com", "type": "A",
             "values": ["203.0.113.10"]},
            {"name": "cdn.example.com", "type": "CNAME",
             "values": ["dgone1.cloudfront.net"]},
            {"name": "api.example.com", "type": "CNAME",
             "values": ["d-abc.execute-api.eu-west-1.amazonaws.com"]},
            {"name": "app.example.com", "type": "CNAME",
             "values": ["gone.eu-west-1.elasticbeanstalk.com"]}])
        a.region(REGION).add_event(
            "AllocateAddress", event_time=time.time() - 86400, detail={
            "responseElements": {"publicIp": "203.0.113.10",
                                 "allocationId": "eipalloc-0a1"}})
        before = copy.deepcopy(a.zones[zid]["records"])
        env.start()
        ids = env.ingest_ok([
            dd_item("eip:203.0.113.10"),
            dd_item("cloudfront:dgone1.cloudfront.net", "us-east-1"),
            dd_item("apigw:api.example.com"),
            dd_item("beanstalk:gone.eu-west-1.elasticbeanstalk.com")])
        for fid in ids:
            env.wait_state(fid, "rehearsed", timeout=30)
        check_no_mutation(env, "a dry run")
        h.check(a.zones[zid]["records"] == before, "the zone changed")


# ---- a hostile API Gateway ------------------------------------------------------

class HostileApigw:
    """GET /domainnames: mode "loop" -> the same next page forever;
    "denied" -> 403 {"message"} with x-amzn-ErrorType."""

    def __init__(self):
        import http.server
        import threading
        self.mode = "loop"
        self.paths = []
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                me.paths.append(self.path)
                if me.mode == "loop":
                    code, hdrs = 200, []
                    body = {"item": [{"domainName": "x.example.net"}],
                            "position": "c2FtZQ=="}
                else:
                    code = 403
                    hdrs = [("x-amzn-ErrorType", "AccessDeniedException:"
                             "http://internal.amazon.com/coral/com."
                             "amazon.coral.service/")]
                    body = {"message": "User is not authorized"}
                data = json.dumps(body).encode()
                self.send_response(code)
                for k, v in hdrs + [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(data)))]:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_hostile_apigateway():
    bad = HostileApigw()
    try:
        with dd_env("dd2-hostile") as env:
            env.proc_env["AWS_ENDPOINT_URL_API_GATEWAY"] = bad.url
            zid = zone(env, "api.example.com", "CNAME",
                       "d-abc.execute-api.eu-west-1.amazonaws.com")
            env.start()
            [fid] = env.ingest_ok([dd_item("apigw:api.example.com")])
            env.wait_state(fid, "failed", timeout=40)
            check_last_error(env.finding(fid),
                             "GetDomainNames: the next page repeats")
            h.check(len(bad.paths) < 10, "%d requests for a looping answer",
                    len(bad.paths))
            h.check("position=c2FtZQ%3D%3D" in bad.paths[-1],
                    "the token not URL-encoded: %r", bad.paths[-1])
            bad.mode = "denied"
            [fid] = env.ingest_ok([dd_item("apigw:api2.example.com")])
            env.wait_state(fid, "failed", timeout=40)
            check_last_error(env.finding(fid), "AccessDeniedException")
            h.check(record(env, zid, "api.example.com", "CNAME")
                    is not None, "the record was deleted")
            check_no_mutation(env, "a hostile API Gateway")
            h.check(env.healthz(), "fixitd unhealthy")
    finally:
        bad.close()


if __name__ == "__main__":
    h.run_tests(test_delete_events_raise_findings,
                test_signed_for_their_service,
                test_cloudfront_answering_or_unknown_kept,
                test_beanstalk_prefix_not_available_kept,
                test_dry_run_each_kind,
                test_hostile_apigateway)
