"""test_fakeaws.py - the fake AWS endpoint (fakeaws.py) itself, without
fixitd: its SigV4 signer against AWS's vectors, then a tiny signing client
(using that signer) exercising authentication, STS/IMDS/ECS credentials,
every action with a re-read, pagination, fault injection and the answers'
shapes against tests/data/responses."""

import http.client
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fakeaws  # noqa: E402
import fakeaws_state  # noqa: E402
import harness  # noqa: E402
from fakeaws import sigv4_sign, sigv4_uri_encode  # noqa: E402

SRC = os.environ.get("FIXIT_SRC") or os.path.abspath(
    os.path.join(HERE, "..", ".."))
RESPONSES = os.path.join(harness.DATA, "responses")

A = "111122223333"          # base keys' account
B = "444455556666"          # the account we assume a role in
R = "eu-west-1"
AKID, SECRET = "AKIDBASE", "base-secret"
VEC_AKID = "AKIDEXAMPLE"
VEC_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
VERSIONS = {"ec2": "2016-11-15", "iam": "2010-05-08", "sts": "2011-06-15",
            "rds": "2014-10-31", "monitoring": "2010-08-01"}


def check(cond, msg, *args):
    if not cond:
        raise AssertionError(msg % args if args else msg)


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---- the signing client -----------------------------------------------------

def local(tag):
    return tag.split("}")[-1]


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.root = None
        self.json = None
        ct = headers.get("content-type", "")
        if "json" in ct and body:
            self.json = json.loads(body)
        elif body.lstrip().startswith(b"<"):
            self.root = ET.fromstring(body)     # must be well-formed

    @property
    def code(self):
        """The AWS error code, or None."""
        if self.json is not None:
            return self.json.get("__type")
        if self.root is not None:
            e = self.root.find(".//{*}Error/{*}Code")
            if e is None:
                e = self.root.find(".//Error/Code")
            return e.text if e is not None else None
        return None

    def find(self, path):
        """Text at a namespace-less path under the root, e.g. 'a/b'."""
        node = self.root.find("/".join("{*}" + p for p in path.split("/")))
        return None if node is None else (node.text or "")

    def findall(self, path):
        return [n.text or "" for n in self.root.findall(
            "/".join("{*}" + p for p in path.split("/")))]

    def __repr__(self):
        return "<Resp %s %s>" % (self.status, self.body[:600])


class Client:
    """Signs with fakeaws.sigv4_sign (validated against the vectors)."""

    def __init__(self, fake, akid=AKID, secret=SECRET, token=None,
                 region=R):
        self.fake = fake
        self.akid, self.secret, self.token = akid, secret, token
        self.region = region

    @classmethod
    def of(cls, fake, creds, region=R):
        return cls(fake, creds["AccessKeyId"], creds["SecretAccessKey"],
                   creds.get("Token") or creds.get("SessionToken"), region)

    def request(self, service, method="POST", path="/", query="", body=b"",
                headers=(), region=None, sign=True, date=None, secret=None,
                tamper=None, token="default", sign_token=True, conn=None,
                chunked=False):
        """One request; `conn` reuses a kept-alive HTTPConnection;
        `chunked` sends the body with Transfer-Encoding: chunked."""
        region = region or (self.region if service not in
                            ("iam", "route53", "cloudfront") else "us-east-1")
        host = "127.0.0.1:%d" % self.fake.port
        date = date or fakeaws.amz_date()
        hdrs = [("Host", host), ("X-Amz-Date", date)] + list(headers)
        tok = self.token if token == "default" else token
        unsigned = []
        if tok is not None:
            (hdrs if sign_token else unsigned).append(
                ("X-Amz-Security-Token", tok))
        if sign:
            s = sigv4_sign(method, path, query, hdrs, body, self.akid,
                           secret or self.secret, region, service, date)
            hdrs.append(("Authorization", s["authorization"]))
        hdrs += unsigned
        if tamper is not None:
            body = tamper(body)
        mine = conn is None
        if mine:
            conn = http.client.HTTPConnection("127.0.0.1", self.fake.port,
                                              timeout=5)
        try:
            conn.putrequest(method, path + ("?" + query if query else ""),
                            skip_host=True, skip_accept_encoding=True)
            for k, v in hdrs:
                conn.putheader(k, v)
            if chunked:
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                for i in range(0, len(body), 7):
                    conn.send(b"%x\r\n%s\r\n" % (len(body[i:i + 7]),
                                                   body[i:i + 7]))
                conn.send(b"0\r\n\r\n")
            else:
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
            r = conn.getresponse()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()},
                        r.read())
        finally:
            if mine:
                conn.close()

    def form(self, service, action, params=None, version=None, headers=(),
             **kw):
        p = [("Action", action), ("Version", version or VERSIONS[service])]
        p += list((params or {}).items())
        body = urllib.parse.urlencode(p, quote_via=urllib.parse.quote)
        return self.request(service, body=body.encode(), headers=[
            ("Content-Type",
             "application/x-www-form-urlencoded; charset=utf-8")] +
            list(headers), **kw)

    def ec2(self, action, params=None, **kw):
        return self.form("ec2", action, params, **kw)

    def cloudtrail(self, op, obj, **kw):
        return self.request("cloudtrail", body=json.dumps(obj).encode(),
                            headers=[("Content-Type",
                                      "application/x-amz-json-1.1"),
                                     ("X-Amz-Target", fakeaws.
                                      CLOUDTRAIL_TARGET + op)], **kw)

    def rest(self, service, method, path, query=None, body=b"", **kw):
        q = "&".join("%s=%s" % (sigv4_uri_encode(k), sigv4_uri_encode(v))
                     for k, v in (query or {}).items())
        return self.request(service, method, path, q, body, **kw)


def ok(resp, what):
    check(200 <= resp.status < 300, "%s: %r", what, resp)
    return resp


def err(resp, status, code, what):
    check(resp.status == status and resp.code == code,
          "%s: want %s %s, got %r", what, status, code, resp)
    return resp


# ---- shape comparison with the reference answers --------------------------

def tag_paths(elem, prefix=""):
    out = set()
    for c in elem:
        p = prefix + "/" + local(c.tag)
        out.add(p)
        out |= tag_paths(c, p)
    return out


def key_paths(obj, prefix=""):
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(prefix + "/" + k)
            out |= key_paths(v, prefix + "/" + k)
    elif isinstance(obj, list):
        for v in obj:
            out |= key_paths(v, prefix + "[]")
    return out


def same_shape(resp, sample, ignore=()):
    """Root name, namespace and the set of element paths equal the
    sample's (minus `ignore`, element paths present only by chance)."""
    ref = ET.parse(os.path.join(RESPONSES, sample)).getroot()
    check(resp.root is not None, "%s: no XML answer: %r", sample, resp)
    check(resp.root.tag == ref.tag, "%s: root %s, sample %s", sample,
          resp.root.tag, ref.tag)
    mine = {p for p in tag_paths(resp.root) if p not in ignore}
    theirs = {p for p in tag_paths(ref) if p not in ignore}
    check(mine == theirs, "%s: element paths differ:\n  only ours: %s\n"
          "  only the sample's: %s", sample, sorted(mine - theirs),
          sorted(theirs - mine))


# ---- SigV4 vectors ----------------------------------------------------------

def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def test_sigv4_service_vectors():
    base = os.path.join(harness.DATA, "sigv4-service-vectors")
    cases = sorted(d for d in os.listdir(base)
                   if os.path.isdir(os.path.join(base, d)))
    check(len(cases) == 4, "expected 4 service vectors, found %r", cases)
    for case in cases:
        d = os.path.join(base, case)
        req = read(os.path.join(d, "request.txt"))
        head, _, body = req.partition("\n\n")
        lines = head.split("\n")
        method, url = lines[0].split(" ", 1)
        u = urllib.parse.urlsplit(url)
        hdrs = [("Host", u.netloc)]
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs.append((k, v.strip()))
        authz = read(os.path.join(d, "authorization.txt"))
        scope = authz.split("Credential=")[1].split(",")[0].split("/")
        date = dict(hdrs)["X-Amz-Date"]
        s = sigv4_sign(method, u.path, u.query, hdrs, body.encode(),
                       VEC_AKID, VEC_SECRET, scope[2], scope[3], date)
        for key, fname in (("canonical_request", "canonical-request.txt"),
                           ("string_to_sign", "string-to-sign.txt"),
                           ("authorization", "authorization.txt")):
            want = read(os.path.join(d, fname))
            check(s[key] == want, "%s %s:\n--- ours\n%s\n--- expected\n%s",
                  case, key, s[key], want)


REQUIRED_SUITE = ("get-vanilla", "post-vanilla",
                  "get-vanilla-query-order-key-case",
                  "post-x-www-form-urlencoded")


def suite_cases(base):
    """Every case folder (with a .req) of AWS's suite, except
    post-sts-header-after (its token is added after signing, unsigned)."""
    out = []
    for root, _, files in os.walk(base):
        name = os.path.basename(root)
        if name + ".req" in files and name != "post-sts-header-after":
            out.append(os.path.relpath(root, base))
    return sorted(out)


def test_sigv4_suite():
    base = os.path.join(harness.DATA, "sigv4")
    cases = suite_cases(base)
    missing = [c for c in REQUIRED_SUITE if c not in cases]
    check(not missing and len(cases) >= 30, "suite cases: %r (missing %r)",
          cases, missing)
    for case in cases:
        d = os.path.join(base, case)
        name = os.path.basename(case)
        req = read(os.path.join(d, name + ".req"))
        head, _, body = req.partition("\n\n")
        lines = head.split("\n")
        method, rest = lines[0].split(" ", 1)
        target = rest.rsplit(" HTTP/", 1)[0]
        path, _, query = target.partition("?")
        hdrs = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and hdrs:    # folded continuation
                hdrs[-1] = (hdrs[-1][0], hdrs[-1][1] + "\n" + line)
            elif line:
                k, _, v = line.partition(":")
                hdrs.append((k, v))
        creq_want = read(os.path.join(d, name + ".creq"))
        for line in creq_want.split("\n"):
            if line.startswith("x-amz-security-token:") and not any(
                    k.lower() == "x-amz-security-token" for k, _ in hdrs):
                hdrs.append(("X-Amz-Security-Token", line.split(":", 1)[1]))
        s = sigv4_sign(method, path, query, hdrs, body.encode(), VEC_AKID,
                       VEC_SECRET, "us-east-1", "service",
                       "20150830T123600Z")
        for key, ext in (("canonical_request", "creq"),
                         ("string_to_sign", "sts"),
                         ("authorization", "authz")):
            want = read(os.path.join(d, "%s.%s" % (name, ext)))
            check(s[key] == want, "%s %s:\n--- ours\n%s\n--- expected\n%s",
                  case, key, s[key], want)
    # reserved characters in query values (none of the vectors has them):
    # everything but A-Z a-z 0-9 - _ . ~ is %XX-encoded, upper-case hex
    q = fakeaws.sigv4_canonical_query
    for raw, want in (("b=x%3Dy%2B%2F%20z", "b=x%3Dy%2B%2F%20z"),
                      ("b=x=y", "b=x%3Dy"),
                      ("a=%e2%82%ac&A=1", "A=1&a=%E2%82%AC"),
                      ("k=v%7e~", "k=v~~"), ("k", "k="),
                      ("b=2&b=1", "b=1&b=2")):
        check(q(raw) == want, "canonical query %r: %r, want %r", raw, q(raw),
              want)


# ---- the fake ---------------------------------------------------------------

class CheckedFake(fakeaws.FakeAWS):
    """A FakeAWS that fails the test when it hit a bug of its own."""

    def __exit__(self, *exc):
        fakeaws.FakeAWS.__exit__(self, *exc)
        if exc[0] is None:
            check(not self.bugs, "the fake had %d bugs:\n%s", len(self.bugs),
                  "\n".join(self.bugs))


def new_fake(**kw):
    f = CheckedFake(keys={AKID: SECRET}, account_id=A,
                    web_identity_tokens=["jwt-good"], **kw)
    return f.start()


def test_auth():
    with new_fake() as fake:
        c = Client(fake)
        r = ok(c.ec2("DescribeInstances"), "plain signed call")
        check(r.find("requestId"), "no requestId: %r", r)
        [call] = fake.calls()
        check(call.signature_ok and call.account == A and
              call.access_key_id == AKID and call.service == "ec2" and
              call.region == R and call.action == "DescribeInstances" and
              "host" in call.signed_headers and call.status == 200,
              "recorded: %r %r", call, call.signed_headers)
        # a body changed after signing
        r = err(c.ec2("DescribeInstances", {"InstanceId.1": "i-1"},
                      tamper=lambda b: b.replace(b"i-1", b"i-2")), 403,
                "SignatureDoesNotMatch", "tampered body")
        check("Canonical String" in r.find("Errors/Error/Message"),
              "message explains: %r", r)
        check(fake.calls()[-1].signature_ok is False, "signature_ok")
        err(c.ec2("DescribeInstances", secret="wrong"), 403,
            "SignatureDoesNotMatch", "wrong secret")
        err(Client(fake, "AKIDNOPE", "x").ec2("DescribeInstances"), 403,
            "InvalidClientTokenId", "unknown key")
        err(c.ec2("DescribeInstances", sign=False), 403,
            "MissingAuthenticationToken", "unsigned")
        stale = fakeaws.amz_date(time.time() - 20 * 60)
        err(c.ec2("DescribeInstances", date=stale), 403, "RequestExpired",
            "stale date")
        ok(c.ec2("DescribeInstances",
                 date=fakeaws.amz_date(time.time() - 10 * 60)),
           "10 min skew is fine")
        err(c.ec2("DescribeInstances", token="tok"), 403,
            "InvalidClientTokenId", "token with base keys")
        # the error formats of the four protocols
        r = err(c.form("iam", "GetInstanceProfile",
                       {"InstanceProfileName": "x"}, secret="bad"), 403,
                "SignatureDoesNotMatch", "iam bad signature")
        check(r.root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}"
              "ErrorResponse" and r.find("Error/Type") == "Sender" and
              r.find("RequestId"), "query error shape: %r", r)
        same_shape(r, "error-iam-get-user.xml")
        r = err(c.cloudtrail("LookupEvents", {}, secret="bad"), 403,
                "SignatureDoesNotMatch", "cloudtrail bad signature")
        check(set(r.json) == {"__type", "message"}, "json error %r", r.json)
        r = err(c.rest("route53", "GET", "/2013-04-01/hostedzone",
                       secret="bad"), 403, "SignatureDoesNotMatch",
                "route53 bad signature")
        check(r.root.tag == "{https://route53.amazonaws.com/doc/2013-04-01/}"
              "ErrorResponse", "rest error shape %r", r)
        same_shape(r, "error-route53-get-hosted-zone.xml")
        same_shape(c.ec2("DescribeInstances", secret="bad"),
                   "error-ec2-describe-instances.xml")
        err(c.rest("route53", "GET", "/2013-04-01/hostedzone",
                   region="eu-west-1"), 403, "SignatureDoesNotMatch",
            "route53 scoped to eu-west-1")
        # one kept-alive connection (as libcurl does), a chunked body and
        # Expect: 100-continue
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
        try:
            ok(c.ec2("DescribeInstances", conn=conn), "keep-alive 1")
            ok(c.ec2("DescribeVolumes", {"Filter.1.Name": "status",
                                         "Filter.1.Value.1": "available"},
                     conn=conn, chunked=True), "chunked body")
            ok(c.ec2("DescribeInstances", conn=conn,
                     headers=[("Expect", "100-continue")]), "expect")
        finally:
            conn.close()
        check(fake.calls()[-2].params.get("Filter.1.Value.1") == "available",
              "chunked body decoded: %r", fake.calls()[-2].params)
        # protocol strictness
        r = c.request("ec2", body=b"Action=DescribeInstances&Version="
                      b"2016-11-15", headers=[("Content-Type", "text/plain")])
        err(r, 400, "InvalidParameterValue", "form body as text/plain")
        check(fake.calls()[-1].signature_ok, "signature checked first")
        err(c.ec2("DescribeInstances", version="2014-01-01"), 400,
            "NoSuchVersion", "old API version")
        err(c.ec2("DescribeInstances", {"InstanceIds.1": "i-1"}), 400,
            "UnknownParameter", "unknown parameter")
        r = err(c.ec2("DescribeInstances", {"DryRun": "true"}), 412,
                "DryRunOperation", "dry run")


def creds_of(resp):
    return {"AccessKeyId": resp.find("AssumeRoleResult/Credentials/"
                                     "AccessKeyId"),
            "SecretAccessKey": resp.find("AssumeRoleResult/Credentials/"
                                         "SecretAccessKey"),
            "Token": resp.find("AssumeRoleResult/Credentials/SessionToken"),
            "Expiration": resp.find("AssumeRoleResult/Credentials/"
                                    "Expiration")}


def assume(c, role_arn, session="fixit", external_id=None, **extra):
    p = {"RoleArn": role_arn, "RoleSessionName": session}
    if external_id is not None:
        p["ExternalId"] = external_id
    p.update(extra)
    return c.form("sts", "AssumeRole", p, region="us-east-1")


def test_sts():
    with new_fake() as fake:
        fake.account(B).add_role("fixit", external_id="ext-1")
        fake.account(B).add_role("open")
        fake.region(R, B).add_instance("i-0bbbbbbbbbbbbbbbb")
        fake.region(R, A).add_instance("i-0aaaaaaaaaaaaaaaa")
        c = Client(fake)
        arn = "arn:aws:iam::%s:role/fixit" % B
        err(assume(c, arn), 403, "AccessDenied", "no ExternalId")
        err(assume(c, arn, external_id="wrong"), 403, "AccessDenied",
            "wrong ExternalId")
        err(assume(c, "arn:aws:iam::%s:role/nope" % B), 403,
            "AccessDenied", "role not added")
        err(assume(c, "arn:aws:iam::%s:role/fixit" % A, external_id="ext-1"),
            403, "AccessDenied", "role of another account")
        err(assume(c, "not-an-arn"), 400, "ValidationError", "bad arn")
        r = ok(assume(c, arn, external_id="ext-1", SourceIdentity="fixitd",
                      Policy='{"Version":"2012-10-17","Statement":[]}'),
               "AssumeRole")
        same_shape(r, "sts-assume-role.xml")
        cr = creds_of(r)
        check(cr["AccessKeyId"].startswith("ASIA") and cr["Token"] and
              cr["SecretAccessKey"], "creds %r", cr)
        exp = fakeaws_state.parse_time(cr["Expiration"])
        check(abs(exp - time.time() - 3600) < 5 and
              cr["Expiration"].endswith("Z"), "expiration %r", cr)
        check(r.find("AssumeRoleResult/AssumedRoleUser/Arn") ==
              "arn:aws:sts::%s:assumed-role/fixit/fixit" % B, "arn %r", r)
        tc = Client.of(fake, cr)
        r = ok(tc.ec2("DescribeInstances"), "describe with role keys")
        check(r.findall("reservationSet/item/instancesSet/item/instanceId")
              == ["i-0bbbbbbbbbbbbbbbb"], "account B's state: %r", r)
        call = fake.calls()[-1]
        check((call.account, call.role, call.session,
               call.credential_kind) == (B, "fixit", "fixit", "assume"),
              "call binding %r", call)
        err(tc.ec2("DescribeInstances", token=None), 403,
            "InvalidClientTokenId", "temp keys without token")
        err(tc.ec2("DescribeInstances", sign_token=False), 403,
            "SignatureDoesNotMatch", "token not signed")
        err(tc.ec2("DescribeInstances", token=cr["Token"] + "x"), 403,
            "InvalidClientTokenId", "wrong token")
        r = ok(tc.form("sts", "GetCallerIdentity", region="us-east-1"),
               "GetCallerIdentity")
        same_shape(r, "sts-get-caller-identity.xml")
        check(r.find("GetCallerIdentityResult/Account") == B and
              r.find("GetCallerIdentityResult/Arn").endswith(
                  "assumed-role/fixit/fixit"), "identity %r", r)
        r = ok(c.form("sts", "GetCallerIdentity", region="us-east-1"),
               "base identity")
        check(r.find("GetCallerIdentityResult/Arn") ==
              "arn:aws:iam::%s:user/fixit" % A, "base arn %r", r)
        # role chaining works with any valid keys; the duration is honoured
        r = ok(assume(tc, "arn:aws:iam::%s:role/open" % B, "s2",
                      DurationSeconds="900"), "chained AssumeRole")
        exp = fakeaws_state.parse_time(creds_of(r)["Expiration"])
        check(abs(exp - time.time() - 900) < 5, "900 s: %r", r)
        fake.expire_credentials(cr["AccessKeyId"])
        err(tc.ec2("DescribeInstances"), 403, "ExpiredToken", "expired")
        # web identity: unsigned
        p = {"RoleArn": "arn:aws:iam::%s:role/open" % B,
             "RoleSessionName": "web", "WebIdentityToken": "jwt-bad"}
        err(c.form("sts", "AssumeRoleWithWebIdentity", p, sign=False,
                   region="us-east-1"), 400, "InvalidIdentityToken",
            "bad web token")
        p["WebIdentityToken"] = "jwt-good"
        r = ok(c.form("sts", "AssumeRoleWithWebIdentity", p, sign=False,
                      region="us-east-1"), "web identity")
        ak = r.find("AssumeRoleWithWebIdentityResult/Credentials/"
                    "AccessKeyId")
        check(ak.startswith("ASIA") and fake.credentials(ak).role == "open"
              and fake.credentials(ak).account == B, "web creds %r", r)
        calls = fake.calls(service="sts", action="AssumeRole")
        check(len(calls) == 7 and calls[5].ok and
              calls[5].params["ExternalId"] == "ext-1" and
              calls[5].params["RoleSessionName"] == "fixit",
              "sts calls %r", calls)
        check(not fake.mutating_calls(), "sts is not mutating")


def test_imds_and_ecs():
    with new_fake() as fake:
        fake.configure_imds(role="inst-role", account=B, region=R)
        c = Client(fake)

        def raw(method, path, headers=()):
            conn = http.client.HTTPConnection("127.0.0.1", fake.port,
                                              timeout=5)
            conn.request(method, path, headers=dict(headers))
            r = conn.getresponse()
            out = r.status, r.read().decode()
            conn.close()
            return out

        st, _ = raw("PUT", "/latest/api/token")
        check(st == 400, "token without ttl header: %s", st)
        st, tok = raw("PUT", "/latest/api/token",
                      [("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        check(st == 200 and len(tok) > 20, "token %s %r", st, tok)
        base = "/latest/meta-data/iam/security-credentials/"
        st, _ = raw("GET", base)
        check(st == 401, "v1 GET: %s", st)
        st, _ = raw("GET", base, [("X-aws-ec2-metadata-token", "nope")])
        check(st == 401, "bad token: %s", st)
        h = [("X-aws-ec2-metadata-token", tok)]
        st, role = raw("GET", base, h)
        check((st, role) == (200, "inst-role"), "role %s %r", st, role)
        st, _ = raw("GET", base + "other", h)
        check(st == 404, "other role %s", st)
        st, body = raw("GET", base + "inst-role", h)
        j = json.loads(body)
        check(st == 200 and set(j) == {"Code", "AccessKeyId",
                                       "SecretAccessKey", "Token",
                                       "Expiration", "Type", "LastUpdated"}
              and j["Code"] == "Success" and j["Type"] == "AWS-HMAC",
              "imds creds %r", j)
        st, body2 = raw("GET", base + "inst-role", h)
        check(json.loads(body2)["AccessKeyId"] == j["AccessKeyId"],
              "same keys until rotated")
        st, region = raw("GET", "/latest/meta-data/placement/region", h)
        check(region == R, "region %r", region)
        ic = Client.of(fake, j)
        r = ok(ic.form("sts", "GetCallerIdentity", region="us-east-1"),
               "imds keys work")
        check(r.find("GetCallerIdentityResult/Account") == B, "%r", r)
        check(fake.calls()[-1].role == "inst-role", "role recorded")
        imds = fake.calls(service="imds")
        check(len(imds) == 9 and imds[0].status == 400 and
              imds[1].operation == "PutToken", "imds calls %r", imds)
        # ECS
        st, _ = raw("GET", "/ecs/creds")
        check(st == 401, "ecs without Authorization: %s", st)
        st, _ = raw("GET", "/ecs/creds", [("Authorization", "wrong")])
        check(st == 401, "ecs wrong Authorization: %s", st)
        st, body = raw("GET", "/ecs/creds",
                       [("Authorization", fake.ecs_token)])
        j = json.loads(body)
        check(st == 200 and set(j) == {"AccessKeyId", "SecretAccessKey",
                                       "Token", "Expiration", "RoleArn"},
              "ecs %r", j)
        ok(Client.of(fake, j).ec2("DescribeInstances"), "ecs keys work")
        check(fake.calls()[-1].role == fake.ecs_role and
              fake.calls()[-1].account == A, "ecs binding")
        check(len(fake.calls(service="ecs")) == 3, "ecs recorded")
        fake.fail_next(1, "500", action="GetCredentials", service="ecs")
        st, _ = raw("GET", "/ecs/creds", [("Authorization", fake.ecs_token)])
        check(st == 500, "ecs fault: %s", st)
        fake.fail_next(1, "throttle", service="imds")
        st, _ = raw("PUT", "/latest/api/token",
                    [("X-aws-ec2-metadata-token-ttl-seconds", "60")])
        check(st == 429, "imds fault: %s", st)
        fake.rotate_imds()
        st, body = raw("GET", base + "inst-role", h)
        check(json.loads(body)["AccessKeyId"] != ic.akid,
              "rotated imds keys")
        fake.expire_imds_tokens()
        st, _ = raw("GET", base, h)
        check(st == 401, "expired IMDS token: %s", st)
        check(not fake.mutating_calls(), "imds/ecs are not mutating")
        del c


def ec2_world(fake):
    reg = fake.region(R)
    reg.add_security_group("sg-0aaa0000000000001", "web", vpc_id="vpc-1")
    reg.add_security_group("sg-0aaa0000000000002", "db", vpc_id="vpc-1")
    fake.account().add_instance_profile("app-profile", roles=["app-role"])
    reg.add_instance("i-0000000000000000a", vpc_id="vpc-1",
                     groups=["sg-0aaa0000000000001"],
                     tags={"Name": "a", "env": "prod"},
                     instance_profile="app-profile")
    reg.add_instance("i-0000000000000000b", vpc_id="vpc-1",
                     http_tokens="required", tags={"Name": "b"})
    reg.add_instance("i-0000000000000000c", vpc_id="vpc-2", state="stopped")
    for n in range(4):
        reg.add_instance("i-000000000000001%d" % n, vpc_id="vpc-3",
                         tags={"batch": str(n)})
    return reg


def ids(r):
    return r.findall("reservationSet/item/instancesSet/item/instanceId")


def test_ec2_instances():
    with new_fake() as fake:
        reg = ec2_world(fake)
        c = Client(fake)
        r = ok(c.ec2("DescribeInstances", {"InstanceId.1":
                                           "i-0000000000000000a"}), "one")
        same_shape(r, "ec2-describe-instances-imds.xml")
        check(r.find("reservationSet/item/instancesSet/item/"
                     "iamInstanceProfile/arn") ==
              "arn:aws:iam::%s:instance-profile/app-profile" % A, "%r", r)
        check(r.find("reservationSet/item/ownerId") == A, "owner")
        r = ok(c.ec2("DescribeInstances"), "all")
        check(len(ids(r)) == 7, "7 instances: %r", ids(r))

        def flt(*pairs):
            p = {}
            for i, (name, vals) in enumerate(pairs, 1):
                p["Filter.%d.Name" % i] = name
                for j, v in enumerate(vals, 1):
                    p["Filter.%d.Value.%d" % (i, j)] = v
            return ids(ok(c.ec2("DescribeInstances", p), repr(pairs)))

        check(flt(("instance-state-name", ["stopped"])) ==
              ["i-0000000000000000c"], "state filter")
        check(flt(("metadata-options.http-tokens", ["required"])) ==
              ["i-0000000000000000b"], "http-tokens filter")
        check(flt(("vpc-id", ["vpc-1"]),
                  ("metadata-options.http-tokens", ["optional"])) ==
              ["i-0000000000000000a"], "two filters")
        check(flt(("tag:env", ["prod"])) == ["i-0000000000000000a"], "tag:")
        check(len(flt(("tag-key", ["batch"]))) == 4, "tag-key")
        check(len(flt(("tag:Name", ["*"]))) == 2, "wildcard")
        check(flt(("instance-state-name", ["running", "stopped"]),
                  ("vpc-id", ["vpc-2"])) == ["i-0000000000000000c"],
              "two values")
        err(c.ec2("DescribeInstances", {"Filter.1.Name": "bogus",
                                        "Filter.1.Value.1": "x"}), 400,
            "InvalidParameterValue", "unknown filter")
        err(c.ec2("DescribeInstances", {"InstanceId.1": "i-0dead"}), 400,
            "InvalidInstanceID.NotFound", "unknown instance")
        # pagination
        seen, token, pages = [], None, 0
        while True:
            p = {"MaxResults": "5"}
            if token:
                p["NextToken"] = token
            r = ok(c.ec2("DescribeInstances", p), "page")
            seen += ids(r)
            pages += 1
            token = r.find("nextToken")
            if not token:
                break
        check(pages == 2 and len(seen) == 7 and len(set(seen)) == 7,
              "MaxResults 5: %d pages %r", pages, seen)
        fake.set_page_size(2, "DescribeInstances")
        seen, token, pages = [], None, 0
        while True:
            r = ok(c.ec2("DescribeInstances",
                         {"NextToken": token} if token else {}), "page")
            seen += ids(r)
            pages += 1
            token = r.find("nextToken")
            check(token is None or "+" in token or "/" in token or
                  "=" in token, "tokens need URL encoding: %r", token)
            if not token:
                break
        check(pages == 4 and len(set(seen)) == 7, "page size 2: %d %r",
              pages, seen)
        err(c.ec2("DescribeInstances", {"NextToken": "garbage"}), 400,
            "InvalidPaginationToken", "bad token")
        fake.set_page_size(None, "DescribeInstances")
        # ModifyInstanceMetadataOptions
        r = ok(c.ec2("ModifyInstanceMetadataOptions",
                     {"InstanceId": "i-0000000000000000a",
                      "HttpTokens": "required", "HttpEndpoint": "enabled"}),
               "modify metadata")
        same_shape(r, "ec2-modify-instance-metadata-options.xml")
        check(r.find("instanceMetadataOptions/httpTokens") == "required" and
              r.find("instanceId") == "i-0000000000000000a", "%r", r)
        check(flt(("metadata-options.http-tokens", ["optional"]),
                  ("vpc-id", ["vpc-1"])) == [], "re-read sees required")
        err(c.ec2("ModifyInstanceMetadataOptions",
                  {"InstanceId": "i-0000000000000000a",
                   "HttpTokens": "sometimes"}), 400,
            "InvalidParameterValue", "bad HttpTokens")
        # ModifyInstanceAttribute
        r = ok(c.ec2("ModifyInstanceAttribute",
                     {"InstanceId": "i-0000000000000000a",
                      "GroupId.1": "sg-0aaa0000000000002"}), "groups")
        same_shape(r, "ec2-modify-instance-attribute.xml")
        r = c.ec2("DescribeInstances", {"InstanceId.1":
                                        "i-0000000000000000a"})
        check(r.findall("reservationSet/item/instancesSet/item/groupSet/"
                        "item/groupName") == ["db"], "groups now %r", r)
        check(reg.instances["i-0000000000000000a"]["groups"] ==
              ["sg-0aaa0000000000002"], "state groups")
        err(c.ec2("ModifyInstanceAttribute",
                  {"InstanceId": "i-0000000000000000c",
                   "GroupId.1": "sg-0aaa0000000000002"}), 400,
            "InvalidParameterValue", "group of another VPC")
        # tags
        r = ok(c.ec2("CreateTags", {"ResourceId.1": "i-0000000000000000b",
                                    "ResourceId.2": "sg-0aaa0000000000001",
                                    "Tag.1.Key": "fixit", "Tag.1.Value":
                                    "done", "Tag.2.Key": "x"}), "CreateTags")
        same_shape(r, "ec2-create-tags.xml")
        check(flt(("tag:fixit", ["done"])) == ["i-0000000000000000b"],
              "tag re-read")
        check(reg.security_groups["sg-0aaa0000000000001"]["tags"] ==
              {"fixit": "done", "x": ""}, "sg tagged")
        r = ok(c.ec2("DescribeTags", {"Filter.1.Name": "resource-id",
                                      "Filter.1.Value.1":
                                      "i-0000000000000000b"}), "tags")
        check(sorted(r.findall("tagSet/item/key")) == ["Name", "fixit", "x"],
              "DescribeTags %r", r)
        ok(c.ec2("DeleteTags", {"ResourceId.1": "i-0000000000000000b",
                                "Tag.1.Key": "fixit", "Tag.1.Value": "no",
                                "Tag.2.Key": "x"}), "DeleteTags")
        check(reg.instances["i-0000000000000000b"]["tags"] ==
              {"Name": "b", "fixit": "done"}, "value must match: %r",
              reg.instances["i-0000000000000000b"]["tags"])
        err(c.ec2("CreateTags", {"ResourceId.1": "i-0000000000000dead",
                                 "Tag.1.Key": "k"}), 400,
            "InvalidInstanceID.NotFound", "tag unknown")
        # TerminateInstances: shutting-down, terminated after one poll
        r = ok(c.ec2("TerminateInstances",
                     {"InstanceId.1": "i-0000000000000000b",
                      "InstanceId.2": "i-0000000000000000c"}), "terminate")
        check(r.root.tag.endswith("}TerminateInstancesResponse") and
              r.find("requestId"), "terminate answer %r", r)
        check(tag_paths(r.root) == {
            "/requestId", "/instancesSet", "/instancesSet/item",
            "/instancesSet/item/instanceId",
            "/instancesSet/item/currentState",
            "/instancesSet/item/currentState/code",
            "/instancesSet/item/currentState/name",
            "/instancesSet/item/previousState",
            "/instancesSet/item/previousState/code",
            "/instancesSet/item/previousState/name"},
            "terminate shape %r", sorted(tag_paths(r.root)))
        check(r.findall("instancesSet/item/instanceId") ==
              ["i-0000000000000000b", "i-0000000000000000c"] and
              r.findall("instancesSet/item/currentState/name") ==
              ["shutting-down", "shutting-down"] and
              r.findall("instancesSet/item/currentState/code") ==
              ["32", "32"] and
              r.findall("instancesSet/item/previousState/name") ==
              ["running", "stopped"] and
              r.findall("instancesSet/item/previousState/code") ==
              ["16", "80"], "terminate states %r", r)

        def state_of(iid):
            return ok(c.ec2("DescribeInstances", {"InstanceId.1": iid}),
                      "read " + iid).find("reservationSet/item/"
                                          "instancesSet/item/"
                                          "instanceState/name")

        check(state_of("i-0000000000000000b") == "shutting-down",
              "first read after terminate")
        check(state_of("i-0000000000000000b") == "terminated" and
              reg.instances["i-0000000000000000c"]["state"] ==
              "terminated", "second read: terminated")
        r = ok(c.ec2("TerminateInstances",
                     {"InstanceId.1": "i-0000000000000000b"}), "again")
        check(r.find("instancesSet/item/currentState/name") ==
              "terminated" and r.find("instancesSet/item/previousState/"
                                      "name") == "terminated",
              "terminating a terminated instance: %r", r)
        err(c.ec2("TerminateInstances",
                  {"InstanceId.1": "i-0000000000000dead"}), 400,
            "InvalidInstanceID.NotFound", "terminate unknown")
        err(c.ec2("TerminateInstances"), 400, "MissingParameter",
            "terminate without an id")
        reg.instances["i-0000000000000000a"]["disable_api_termination"] = \
            True
        err(c.ec2("TerminateInstances",
                  {"InstanceId.1": "i-0000000000000000a"}), 400,
            "OperationNotPermitted", "termination protection")
        check(reg.instances["i-0000000000000000a"]["state"] == "running",
              "a protected instance was terminated")
        fake.ignore_next("TerminateInstances")
        ok(c.ec2("TerminateInstances",
                 {"InstanceId.1": "i-0000000000000010"}), "ignored")
        check(state_of("i-0000000000000010") == "running",
              "an ignored TerminateInstances changed the state")
        check([x.operation for x in fake.mutating_calls(
            action="TerminateInstances")] == ["TerminateInstances"] * 6,
            "TerminateInstances is a mutating call")


def test_ec2_volumes_snapshots():
    with new_fake(polls={"snapshot": 1}) as fake:
        reg = fake.region(R)
        inst = reg.add_instance("i-0000000000000000a")
        reg.add_volume("vol-0000000000000000a", size=8, tags={"Name": "old"})
        reg.add_volume("vol-0000000000000000b", attached_to=inst)
        for n in range(5):
            reg.add_volume("vol-000000000000001%d" % n)
        c = Client(fake)
        r = ok(c.ec2("DescribeVolumes", {"VolumeId.1":
                                         "vol-0000000000000000a"}), "one")
        same_shape(r, "ec2-describe-volumes-available.xml")
        r = ok(c.ec2("DescribeVolumes", {"Filter.1.Name": "status",
                                         "Filter.1.Value.1": "available"}),
               "available")
        check(len(r.findall("volumeSet/item/volumeId")) == 6, "%r", r)
        r = ok(c.ec2("DescribeVolumes", {"VolumeId.1":
                                         "vol-0000000000000000b"}), "in-use")
        check(r.find("volumeSet/item/attachmentSet/item/instanceId") == inst,
              "attachment %r", r)
        fake.set_page_size(3)
        seen, token = [], None
        while True:
            r = ok(c.ec2("DescribeVolumes", {"NextToken": token}
                         if token else {}), "page")
            seen += r.findall("volumeSet/item/volumeId")
            token = r.find("nextToken")
            if not token:
                break
        check(len(seen) == 7 and len(set(seen)) == 7, "pages %r", seen)
        fake.set_page_size(None)
        # snapshot: pending for one poll, then completed
        r = ok(c.ec2("CreateSnapshot", {
            "VolumeId": "vol-0000000000000000a", "Description": "pre-delete",
            "TagSpecification.1.ResourceType": "snapshot",
            "TagSpecification.1.Tag.1.Key": "fixit",
            "TagSpecification.1.Tag.1.Value": "backup"}), "CreateSnapshot")
        same_shape(r, "ec2-create-snapshot.xml",
                   ignore={"/tagSet", "/tagSet/item", "/tagSet/item/key",
                           "/tagSet/item/value"})
        sid = r.find("snapshotId")
        check(r.find("status") == "pending" and sid.startswith("snap-"),
              "%r", r)
        err(c.ec2("CreateVolume", {"SnapshotId": sid,
                                   "AvailabilityZone": R + "a"}), 400,
            "IncorrectState", "volume from a pending snapshot")
        r = ok(c.ec2("DescribeSnapshots", {"SnapshotId.1": sid}), "poll 1")
        check(r.find("snapshotSet/item/status") == "pending", "%r", r)
        r = ok(c.ec2("DescribeSnapshots", {"SnapshotId.1": sid}), "poll 2")
        check(r.find("snapshotSet/item/status") == "completed" and
              r.find("snapshotSet/item/tagSet/item/value") == "backup" and
              r.find("snapshotSet/item/description") == "pre-delete",
              "%r", r)
        # delete: only available volumes
        err(c.ec2("DeleteVolume", {"VolumeId": "vol-0000000000000000b"}),
            400, "IncorrectState", "in-use volume")
        r = ok(c.ec2("DeleteVolume", {"VolumeId": "vol-0000000000000000a"}),
               "DeleteVolume")
        same_shape(r, "ec2-delete-volume.xml")
        err(c.ec2("DescribeVolumes", {"VolumeId.1":
                                      "vol-0000000000000000a"}), 400,
            "InvalidVolume.NotFound", "deleted volume")
        # undo: CreateVolume from the snapshot
        err(c.ec2("CreateVolume", {"SnapshotId": sid,
                                   "AvailabilityZone": "us-east-1a"}), 400,
            "InvalidZone.NotFound", "AZ of another region")
        r = ok(c.ec2("CreateVolume", {
            "SnapshotId": sid, "AvailabilityZone": R + "a",
            "VolumeType": "gp3",
            "TagSpecification.1.ResourceType": "volume",
            "TagSpecification.1.Tag.1.Key": "Name",
            "TagSpecification.1.Tag.1.Value": "old"}), "CreateVolume")
        vid = r.find("volumeId")
        check(vid.startswith("vol-") and r.find("size") == "8" and
              r.find("status") == "creating", "%r", r)
        r = ok(c.ec2("DescribeVolumes", {"VolumeId.1": vid}), "re-read")
        check(r.find("volumeSet/item/status") == "available" and
              r.find("volumeSet/item/snapshotId") == sid and
              r.find("volumeSet/item/volumeType") == "gp3" and
              r.find("volumeSet/item/tagSet/item/value") == "old", "%r", r)
        ok(c.ec2("DeleteSnapshot", {"SnapshotId": sid}), "DeleteSnapshot")
        check(sid not in reg.snapshots, "snapshot gone")


def test_ec2_addresses_security_groups():
    with new_fake() as fake:
        reg = fake.region(R)
        inst = reg.add_instance("i-0000000000000000a", vpc_id="vpc-1")
        a1 = reg.add_address("eipalloc-12345678", "203.0.113.0",
                             instance_id=inst)
        a2 = reg.add_address("eipalloc-64d5890a", "198.51.100.0")
        c = Client(fake)
        r = ok(c.ec2("DescribeAddresses"), "all addresses")
        same_shape(r, "ec2-describe-addresses.xml")
        r = ok(c.ec2("DescribeAddresses", {"PublicIp.1": "198.51.100.0"}),
               "by ip")
        check(r.findall("addressesSet/item/allocationId") == [a2], "%r", r)
        r = ok(c.ec2("DescribeAddresses", {"AllocationId.1": a1}), "by id")
        check(r.find("addressesSet/item/instanceId") == inst, "%r", r)
        err(c.ec2("DescribeAddresses", {"AllocationId.1": "eipalloc-dead"}),
            400, "InvalidAllocationID.NotFound", "unknown allocation")
        err(c.ec2("ReleaseAddress", {"AllocationId": a1}), 400,
            "InvalidIPAddress.InUse", "associated")
        r = ok(c.ec2("ReleaseAddress", {"AllocationId": a2}), "release")
        same_shape(r, "ec2-release-address.xml")
        r = ok(c.ec2("DescribeAddresses"), "re-read")
        check(r.findall("addressesSet/item/allocationId") == [a1], "%r", r)
        # security groups
        r = ok(c.ec2("CreateSecurityGroup", {
            "GroupName": "quarantine", "GroupDescription": "no traffic",
            "VpcId": "vpc-1"}), "CreateSecurityGroup")
        same_shape(r, "ec2-create-security-group.xml")
        gid = r.find("groupId")
        err(c.ec2("CreateSecurityGroup", {
            "GroupName": "quarantine", "GroupDescription": "again",
            "VpcId": "vpc-1"}), 400, "InvalidGroup.Duplicate", "duplicate")
        r = ok(c.ec2("DescribeSecurityGroups", {
            "Filter.1.Name": "group-name", "Filter.1.Value.1": "quarantine",
            "Filter.2.Name": "vpc-id", "Filter.2.Value.1": "vpc-1"}),
            "by name")
        check(r.findall("securityGroupInfo/item/groupId") == [gid] and
              r.find("securityGroupInfo/item/ipPermissionsEgress/item/"
                     "ipProtocol") == "-1" and
              r.find("securityGroupInfo/item/ipPermissionsEgress/item/"
                     "ipRanges/item/cidrIp") == "0.0.0.0/0" and
              r.find("securityGroupInfo/item/ipPermissions") == "",
              "default egress rule: %r", r)
        r = ok(c.ec2("DescribeSecurityGroupRules", {
            "Filter.1.Name": "group-id", "Filter.1.Value.1": gid}), "rules")
        check(r.findall("securityGroupRuleSet/item/isEgress") == ["true"],
              "%r", r)
        revoke = {"GroupId": gid, "IpPermissions.1.IpProtocol": "-1",
                  "IpPermissions.1.IpRanges.1.CidrIp": "0.0.0.0/0"}
        ok(c.ec2("RevokeSecurityGroupEgress", revoke), "revoke")
        r = ok(c.ec2("DescribeSecurityGroups", {"GroupId.1": gid}), "re")
        check(r.find("securityGroupInfo/item/ipPermissionsEgress") == "",
              "egress gone: %r", r)
        err(c.ec2("RevokeSecurityGroupEgress", revoke), 400,
            "InvalidPermission.NotFound", "revoke twice")
        ok(c.ec2("AuthorizeSecurityGroupEgress", revoke), "undo")
        check(len(reg.security_groups[gid]["rules"]) == 1, "rule back")
        err(c.ec2("DescribeSecurityGroups", {"GroupId.1": "sg-0dead"}), 400,
            "InvalidGroup.NotFound", "unknown group")


def test_iam():
    with new_fake() as fake:
        acct = fake.account()
        acct.add_instance_profile("app-profile", roles=["app-role"])
        c = Client(fake)
        r = ok(c.form("iam", "GetInstanceProfile",
                      {"InstanceProfileName": "app-profile"}), "profile")
        check(r.findall("GetInstanceProfileResult/InstanceProfile/Roles/"
                        "member/RoleName") == ["app-role"], "%r", r)
        check(r.find("ResponseMetadata/RequestId"), "metadata")
        err(c.form("iam", "GetInstanceProfile",
                   {"InstanceProfileName": "nope"}), 404, "NoSuchEntity",
            "unknown profile")
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*"}]}
        r = ok(c.form("iam", "PutRolePolicy", {
            "RoleName": "app-role", "PolicyName": "fixit-deny-all",
            "PolicyDocument": json.dumps(doc)}), "PutRolePolicy")
        check(r.root.tag.endswith("PutRolePolicyResponse") and
              r.find("ResponseMetadata/RequestId"), "%r", r)
        r = ok(c.form("iam", "ListRolePolicies", {"RoleName": "app-role"}),
               "list")
        check(r.findall("ListRolePoliciesResult/PolicyNames/member") ==
              ["fixit-deny-all"] and
              r.find("ListRolePoliciesResult/IsTruncated") == "false",
              "%r", r)
        r = ok(c.form("iam", "GetRolePolicy", {
            "RoleName": "app-role", "PolicyName": "fixit-deny-all"}), "get")
        enc = r.find("GetRolePolicyResult/PolicyDocument")
        check("%22" in enc and json.loads(urllib.parse.unquote(enc)) == doc,
              "URL-encoded document %r", enc)
        err(c.form("iam", "PutRolePolicy", {
            "RoleName": "app-role", "PolicyName": "p",
            "PolicyDocument": "{not json"}), 400, "MalformedPolicyDocument",
            "bad doc")
        ok(c.form("iam", "DeleteRolePolicy", {
            "RoleName": "app-role", "PolicyName": "fixit-deny-all"}),
            "delete")
        check(acct.roles["app-role"]["policies"] == {}, "deleted")
        err(c.form("iam", "DeleteRolePolicy", {
            "RoleName": "app-role", "PolicyName": "fixit-deny-all"}), 404,
            "NoSuchEntity", "delete twice")
        err(c.form("iam", "GetRolePolicy", {
            "RoleName": "nope", "PolicyName": "x"}), 404, "NoSuchEntity",
            "unknown role")


def test_rds_cloudwatch():
    with new_fake(polls={"db_snapshot": 1, "db_instance": 1}) as fake:
        reg = fake.region(R)
        reg.add_db_instance("mymysqlinstance", tags={"owner": "team-a"},
                            security_groups=["sg-0a1b2c3d4e5f60789"])
        reg.add_db_instance("other")
        c = Client(fake)
        r = ok(c.form("rds", "DescribeDBInstances",
                      {"DBInstanceIdentifier": "mymysqlinstance"}), "one")
        same_shape(r, "rds-describe-db-instances.xml")
        r = ok(c.form("rds", "DescribeDBInstances"), "all")
        check(len(r.findall("DescribeDBInstancesResult/DBInstances/"
                            "DBInstance")) == 2, "%r", r)
        err(c.form("rds", "DescribeDBInstances",
                   {"DBInstanceIdentifier": "nope"}), 404,
            "DBInstanceNotFound", "unknown db")
        r = ok(c.form("rds", "CreateDBSnapshot", {
            "DBInstanceIdentifier": "mymysqlinstance",
            "DBSnapshotIdentifier": "mydbsnapshot"}), "snapshot")
        same_shape(r, "rds-create-db-snapshot.xml")
        snap = "DescribeDBSnapshotsResult/DBSnapshots/DBSnapshot/Status"
        r = ok(c.form("rds", "DescribeDBSnapshots",
                      {"DBSnapshotIdentifier": "mydbsnapshot"}), "poll 1")
        check(r.find(snap) == "creating", "%r", r)
        r = ok(c.form("rds", "DescribeDBSnapshots",
                      {"DBSnapshotIdentifier": "mydbsnapshot"}), "poll 2")
        check(r.find(snap) == "available", "%r", r)
        err(c.form("rds", "DeleteDBInstance",
                   {"DBInstanceIdentifier": "mymysqlinstance"}), 400,
            "InvalidParameterCombination", "no final snapshot decision")
        r = ok(c.form("rds", "DeleteDBInstance", {
            "DBInstanceIdentifier": "mymysqlinstance",
            "FinalDBSnapshotIdentifier": "final-1"}), "delete")
        same_shape(r, "rds-delete-db-instance.xml",
                   ignore=_extra_db_paths("DeleteDBInstance"))
        check(r.find("DeleteDBInstanceResult/DBInstance/DBInstanceStatus")
              == "deleting", "%r", r)
        check(reg.db_snapshots["final-1"]["db_instance"] ==
              "mymysqlinstance", "final snapshot created")
        r = ok(c.form("rds", "DescribeDBInstances",
                      {"DBInstanceIdentifier": "mymysqlinstance"}), "poll")
        check(r.find("DescribeDBInstancesResult/DBInstances/DBInstance/"
                      "DBInstanceStatus") == "deleting", "%r", r)
        err(c.form("rds", "DescribeDBInstances",
                   {"DBInstanceIdentifier": "mymysqlinstance"}), 404,
            "DBInstanceNotFound", "deleted db")
        ok(c.form("rds", "DeleteDBInstance", {
            "DBInstanceIdentifier": "other", "SkipFinalSnapshot": "true"}),
            "skip final")
        r = ok(c.form("rds", "RestoreDBInstanceFromDBSnapshot", {
            "DBInstanceIdentifier": "mymysqlinstance",
            "DBSnapshotIdentifier": "mydbsnapshot",
            "Tags.Tag.1.Key": "restored", "Tags.Tag.1.Value": "yes"}),
            "restore")
        check(r.find("RestoreDBInstanceFromDBSnapshotResult/DBInstance/"
                     "DBInstanceStatus") == "creating", "%r", r)
        ok(c.form("rds", "DescribeDBInstances"), "poll")
        r = ok(c.form("rds", "DescribeDBInstances",
                      {"DBInstanceIdentifier": "mymysqlinstance"}), "re")
        check(r.find("DescribeDBInstancesResult/DBInstances/DBInstance/"
                     "DBInstanceStatus") == "available", "%r", r)
        arn = reg.db_instances["mymysqlinstance"]["arn"]
        ok(c.form("rds", "AddTagsToResource", {
            "ResourceName": arn, "Tags.member.1.Key": "fixit",
            "Tags.member.1.Value": "restored"}), "tag (member form)")
        ok(c.form("rds", "AddTagsToResource", {
            "ResourceName": arn, "Tags.Tag.1.Key": "sdk",
            "Tags.Tag.1.Value": "form"}), "tag (Tags.Tag.N, botocore's form)")
        ok(c.form("rds", "RemoveTagsFromResource", {
            "ResourceName": arn, "TagKeys.member.1": "sdk"}), "untag")
        r = ok(c.form("rds", "ListTagsForResource", {"ResourceName": arn}),
               "list tags")
        check(dict(zip(r.findall("ListTagsForResourceResult/TagList/Tag/Key"),
                       r.findall("ListTagsForResourceResult/TagList/Tag/"
                                 "Value"))) ==
              {"restored": "yes", "fixit": "restored"}, "%r", r)
        # CloudWatch
        reg.add_db_connections("mymysqlinstance", [
            ("2024-04-29T12:00:00Z", 3), ("2024-04-29T12:30:00Z", 5),
            ("2024-04-30T12:00:00Z", 0), ("2024-05-10T00:00:00Z", 9)])
        p = {"Namespace": "AWS/RDS", "MetricName": "DatabaseConnections",
             "Dimensions.member.1.Name": "DBInstanceIdentifier",
             "Dimensions.member.1.Value": "mymysqlinstance",
             "StartTime": "2024-04-29T00:00:00Z",
             "EndTime": "2024-05-01T00:00:00Z", "Period": "86400",
             "Statistics.member.1": "Maximum",
             "Statistics.member.2": "Average"}
        r = ok(c.form("monitoring", "GetMetricStatistics", p), "metrics")
        same_shape(r, "cloudwatch-get-metric-statistics.xml")
        base = "GetMetricStatisticsResult/Datapoints/member/"
        check(r.findall(base + "Maximum") == ["5.0", "0.0"] and
              r.findall(base + "Average") == ["4.0", "0.0"] and
              r.findall(base + "Timestamp") == ["2024-04-29T00:00:00Z",
                                                "2024-04-30T00:00:00Z"],
              "datapoints %r", r)
        p["Statistics.member.1"] = "Sum"
        del p["Statistics.member.2"]
        p["EndTime"] = "2024-06-01T00:00:00Z"
        r = ok(c.form("monitoring", "GetMetricStatistics", p), "sum")
        check(sum(float(x) for x in r.findall(base + "Sum")) == 17.0, "%r", r)
        p["Dimensions.member.1.Value"] = "other"
        r = ok(c.form("monitoring", "GetMetricStatistics", p), "none")
        check(r.findall(base + "Sum") == [], "other db: %r", r)


def _extra_db_paths(op):
    # DeleteDBInstance's sample is trimmed to five fields; ours is the full
    # DBInstance (the same elements as DescribeDBInstances)
    pre = "/%sResult/DBInstance/" % op
    names = ("MasterUsername", "Endpoint", "Endpoint/Address",
             "Endpoint/Port", "Endpoint/HostedZoneId", "AllocatedStorage",
             "InstanceCreateTime", "BackupRetentionPeriod",
             "AvailabilityZone", "MultiAZ", "EngineVersion",
             "PubliclyAccessible", "StorageType", "DbiResourceId",
             "DeletionProtection", "TagList", "TagList/Tag", "TagList/Tag/Key",
             "TagList/Tag/Value", "DBParameterGroups",
             "DBParameterGroups/DBParameterGroup",
             "DBParameterGroups/DBParameterGroup/DBParameterGroupName",
             "DBParameterGroups/DBParameterGroup/ParameterApplyStatus",
             "OptionGroupMemberships",
             "OptionGroupMemberships/OptionGroupMembership",
             "OptionGroupMemberships/OptionGroupMembership/OptionGroupName",
             "OptionGroupMemberships/OptionGroupMembership/Status",
             "DBSubnetGroup", "DBSubnetGroup/DBSubnetGroupName",
             "DBSubnetGroup/SubnetGroupStatus", "VpcSecurityGroups",
             "VpcSecurityGroups/VpcSecurityGroupMembership",
             "VpcSecurityGroups/VpcSecurityGroupMembership/"
             "VpcSecurityGroupId",
             "VpcSecurityGroups/VpcSecurityGroupMembership/Status",
             "CopyTagsToSnapshot", "AutoMinorVersionUpgrade")
    return {pre + n for n in names}


R53X = "https://route53.amazonaws.com/doc/2013-04-01/"


def change_batch(*changes, comment=None):
    parts = []
    for action, name, typ, ttl, values, alias in changes:
        rr = "<Name>%s</Name><Type>%s</Type>" % (name, typ)
        if alias:
            rr += ("<AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId>"
                   "<DNSName>%s</DNSName><EvaluateTargetHealth>false"
                   "</EvaluateTargetHealth></AliasTarget>" % alias)
        else:
            rr += "<TTL>%d</TTL><ResourceRecords>%s</ResourceRecords>" % (
                ttl, "".join("<ResourceRecord><Value>%s</Value>"
                             "</ResourceRecord>" % v for v in values))
        parts.append("<Change><Action>%s</Action><ResourceRecordSet>%s"
                     "</ResourceRecordSet></Change>" % (action, rr))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ChangeResourceRecordSetsRequest xmlns="%s"><ChangeBatch>%s'
            '<Changes>%s</Changes></ChangeBatch>'
            '</ChangeResourceRecordSetsRequest>' % (
                R53X, "<Comment>%s</Comment>" % comment if comment else "",
                "".join(parts))).encode()


def test_route53():
    with new_fake() as fake:
        acct = fake.account()
        z1 = acct.add_zone("example.com", "Z1D633PJN98FT9",
                           comment="This is my first hosted zone.")
        acct.add_record(z1, "app.example.com", "A", alias="dualstack.my-lb."
                        "us-east-1.elb.amazonaws.com")
        acct.add_record(z1, "www.example.com", "CNAME",
                        ["www.example.com.s3-website-us-east-1.amazonaws."
                         "com"])
        acct.add_record(z1, "www2.example.com", "CNAME", ["gone.example.net"])
        acct.add_zone("example.net", "Z3M3LMPEXAMPLE")
        acct.add_zone("example.org")
        c = Client(fake)
        zones = "/2013-04-01/hostedzone"
        r = ok(c.rest("route53", "GET", zones), "ListHostedZones")
        same_shape(r, "route53-list-hosted-zones.xml")
        check(r.findall("HostedZones/HostedZone/Id")[0] ==
              "/hostedzone/Z1D633PJN98FT9", "%r", r)
        got, marker, pages = [], None, 0
        while True:
            q = {"maxitems": "2"}
            if marker:
                q["marker"] = marker
            r = ok(c.rest("route53", "GET", zones, q), "page")
            got += r.findall("HostedZones/HostedZone/Name")
            pages += 1
            if r.find("IsTruncated") != "true":
                break
            marker = r.find("NextMarker")
        check(pages == 2 and got == ["example.com.", "example.net.",
                                     "example.org."], "%d %r", pages, got)
        r = ok(c.rest("route53", "GET", zones + "/" + z1), "GetHostedZone")
        check(r.find("HostedZone/Name") == "example.com." and
              len(r.findall("DelegationSet/NameServers/NameServer")) == 4,
              "%r", r)
        err(c.rest("route53", "GET", zones + "/ZNOPE"), 404,
            "NoSuchHostedZone", "unknown zone")
        rr = zones + "/" + z1 + "/rrset"
        r = ok(c.rest("route53", "GET", rr, {"maxitems": "4"}), "rrsets")
        same_shape(r, "route53-list-resource-record-sets.xml")
        check(r.findall("ResourceRecordSets/ResourceRecordSet/Type") ==
              ["NS", "SOA", "A", "CNAME"] and
              r.find("NextRecordName") == "www2.example.com." and
              r.find("NextRecordType") == "CNAME", "order/paging %r", r)
        r = ok(c.rest("route53", "GET", rr, {
            "name": "www.example.com.", "type": "CNAME", "maxitems": "1"}),
            "start at")
        check(r.findall("ResourceRecordSets/ResourceRecordSet/Name") ==
              ["www.example.com."] and r.find("IsTruncated") == "true",
              "%r", r)
        # changes
        bad = change_batch(("DELETE", "www2.example.com.", "CNAME", 300,
                            ["other.example.net"], None))
        err(c.rest("route53", "POST", rr, body=bad), 400,
            "InvalidChangeBatch", "delete with other values")
        good = change_batch(("DELETE", "www2.example.com.", "CNAME", 300,
                             ["gone.example.net"], None),
                            comment="remove dangling CNAME")
        r = ok(c.rest("route53", "POST", rr, body=good), "delete")
        same_shape(r, "route53-change-resource-record-sets.xml")
        cid = r.find("ChangeInfo/Id")
        check(acct.find_record(z1, "www2.example.com", "CNAME") is None,
              "deleted")
        r = ok(c.rest("route53", "GET", "/2013-04-01" + cid), "GetChange")
        check(r.find("ChangeInfo/Status") == "INSYNC", "%r", r)
        err(c.rest("route53", "POST", rr, body=good), 400,
            "InvalidChangeBatch", "delete twice")
        ok(c.rest("route53", "POST", rr, body=change_batch(
            ("CREATE", "*.example.com", "A", 60, ["192.0.2.1"], None),
            ("UPSERT", "app.example.com", "A", 0, [],
             "other-lb.us-east-1.elb.amazonaws.com"))), "create+upsert")
        r = ok(c.rest("route53", "GET", rr), "re-read")
        names = r.findall("ResourceRecordSets/ResourceRecordSet/Name")
        check("\\052.example.com." in names, "wildcard escaped: %r", names)
        check(acct.find_record(z1, "app.example.com", "A")["alias"]
              ["dns_name"] == "other-lb.us-east-1.elb.amazonaws.com.",
              "alias upserted")
        err(c.rest("route53", "POST", rr, body=change_batch(
            ("CREATE", "www.example.com", "A", 60, ["192.0.2.1"], None))),
            400, "InvalidChangeBatch", "CNAME conflict")
        err(c.rest("route53", "POST", rr, body=change_batch(
            ("CREATE", "www.example.net", "A", 60, ["192.0.2.1"], None))),
            400, "InvalidChangeBatch", "outside the zone")
        # create/delete zones, tags
        body = ('<CreateHostedZoneRequest xmlns="%s"><Name>new.example'
                '</Name><CallerReference>ref-1</CallerReference>'
                '</CreateHostedZoneRequest>' % R53X).encode()
        r = ok(c.rest("route53", "POST", zones, body=body), "create zone")
        check(r.status == 201, "201: %r", r)
        zid = r.find("HostedZone/Id").split("/")[-1]
        check([x["type"] for x in acct.records(zid)] == ["NS", "SOA"],
              "NS+SOA")
        err(c.rest("route53", "POST", zones, body=body), 409,
            "HostedZoneAlreadyExists", "same caller reference")
        err(c.rest("route53", "DELETE", zones + "/" + z1), 400,
            "HostedZoneNotEmpty", "delete non-empty")
        ok(c.rest("route53", "DELETE", zones + "/" + zid), "delete empty")
        check(zid not in acct.zones, "zone deleted")
        tags = "/2013-04-01/tags/hostedzone/" + z1
        ok(c.rest("route53", "POST", tags, body=(
            '<ChangeTagsForResourceRequest xmlns="%s"><AddTags><Tag><Key>'
            'fixit</Key><Value>checked</Value></Tag></AddTags>'
            '</ChangeTagsForResourceRequest>' % R53X).encode()), "tag")
        r = ok(c.rest("route53", "GET", tags), "list tags")
        check(r.findall("ResourceTagSet/Tags/Tag/Value") == ["checked"],
              "%r", r)
        err(c.rest("route53", "POST", rr, body=b"<nope/>"), 400,
            "InvalidInput", "wrong root")
        err(c.rest("route53", "GET", "/2013-04-01/nothing"), 400,
            "InvalidAction", "unknown route")


def test_cloudfront_cloudtrail():
    with new_fake() as fake:
        acct = fake.account()
        acct.add_distribution("EDFDVBD6EXAMPLE", aliases=["www.example.com"],
                              origins=["myawsbucket.s3.amazonaws.com"])
        acct.add_distribution(origins=[{"domain_name": "app.example.com"}])
        c = Client(fake)
        r = ok(c.rest("cloudfront", "GET", "/2020-05-31/distribution",
                      {"MaxItems": "1"}), "ListDistributions")
        same_shape(r, "cloudfront-list-distributions.xml",
                   ignore={"/NextMarker"})
        check(r.find("IsTruncated") == "true" and
              r.find("Items/DistributionSummary/Origins/Items/Origin/"
                     "DomainName") == "myawsbucket.s3.amazonaws.com", "%r", r)
        r = ok(c.rest("cloudfront", "GET", "/2020-05-31/distribution",
                      {"Marker": r.find("NextMarker")}), "page 2")
        check(r.find("Items/DistributionSummary/Origins/Items/Origin/"
                      "DomainName") == "app.example.com" and
              r.find("Items/DistributionSummary/Aliases/Quantity") == "0",
              "%r", r)
        # CloudTrail
        reg = fake.region(R)
        t0 = 1714550400
        for n in range(5):
            reg.add_event("AttachVolume", ["vol-049df61146c4d7901",
                                           "i-1234567890abcdef0"],
                          event_time=t0 - n * 3600, username="Alice")
        reg.add_event("DetachVolume", ["vol-other"], event_time=t0)
        fake.region("us-east-1").add_event("AttachVolume",
                                           ["vol-049df61146c4d7901"])
        q = {"LookupAttributes": [{"AttributeKey": "ResourceName",
                                   "AttributeValue":
                                   "vol-049df61146c4d7901"}],
             "StartTime": t0 - 3 * 3600 - 1, "EndTime": t0 + 1,
             "MaxResults": 3}
        r = ok(c.cloudtrail("LookupEvents", q), "LookupEvents")
        with open(os.path.join(RESPONSES, "cloudtrail-lookup-events.json")) \
                as f:
            ref = json.load(f)
        check(key_paths(r.json) == key_paths(ref), "keys %r vs %r",
              sorted(key_paths(r.json)), sorted(key_paths(ref)))
        ev = r.json["Events"]
        check(len(ev) == 3 and ev[0]["EventTime"] == t0 and
              isinstance(ev[0]["EventTime"], (int, float)) and
              ev[0]["EventTime"] > ev[1]["EventTime"], "events %r", ev)
        inner = json.loads(ev[0]["CloudTrailEvent"])
        check(inner["eventName"] == "AttachVolume" and
              inner["awsRegion"] == R and
              inner["userIdentity"]["userName"] == "Alice", "%r", inner)
        q["NextToken"] = r.json["NextToken"]
        r = ok(c.cloudtrail("LookupEvents", q), "page 2")
        check(len(r.json["Events"]) == 1 and "NextToken" not in r.json,
              "last page %r", r.json)
        err(c.cloudtrail("LookupEvents", {"StartTime": "2024-05-01"}), 400,
            "SerializationException", "string time")
        err(c.cloudtrail("LookupEvents", {"LookupAttributes": [
            {"AttributeKey": "EventName", "AttributeValue": "x"}] * 2}),
            400, "InvalidLookupAttributesException", "two attributes")
        err(c.cloudtrail("StopLogging", {}), 400,
            "UnknownOperationException", "unknown op")


def test_faults_and_recording():
    with new_fake() as fake:
        reg = fake.region(R)
        iid = reg.add_instance("i-0000000000000000a")
        acct = fake.account()
        z = acct.add_zone("example.com")
        acct.add_instance_profile("x")
        c = Client(fake)
        cases = [
            ("ec2", lambda: c.ec2("DescribeInstances"), "DescribeInstances",
             {"throttle": (503, "RequestLimitExceeded"),
              "500": (500, "InternalError"),
              "denied": (403, "UnauthorizedOperation")}),
            ("iam", lambda: c.form("iam", "GetInstanceProfile", {
                "InstanceProfileName": "x"}), "GetInstanceProfile",
             {"throttle": (400, "Throttling"), "500": (500, "InternalError"),
              "denied": (403, "AccessDenied")}),
            ("route53", lambda: c.rest("route53", "GET",
                                       "/2013-04-01/hostedzone"),
             "ListHostedZones",
             {"throttle": (400, "Throttling"), "500": (500, "InternalError"),
              "denied": (403, "AccessDenied")}),
            ("cloudtrail", lambda: c.cloudtrail("LookupEvents", {}),
             "LookupEvents",
             {"throttle": (400, "ThrottlingException"),
              "500": (500, "InternalError"),
              "denied": (400, "AccessDeniedException"),
              "expired": (400, "ExpiredTokenException")}),
        ]
        for svc, do, op, kinds in cases:
            for kind, (status, code) in kinds.items():
                fake.fail_next(1, kind, action=op)
                err(do(), status, code, "%s %s" % (svc, kind))
                check(fake.calls()[-1].fault == kind, "fault recorded")
                ok(do(), "%s after %s" % (svc, kind))
        check(fake.calls()[-1].fault is None, "no fault")
        r = c.ec2("DescribeInstances")
        # n counts, and the action filter
        fake.fail_next(2, "throttle", action="ModifyInstanceMetadataOptions")
        ok(c.ec2("DescribeInstances"), "other action unaffected")
        p = {"InstanceId": iid, "HttpTokens": "required"}
        err(c.ec2("ModifyInstanceMetadataOptions", p), 503,
            "RequestLimitExceeded", "first")
        err(c.ec2("ModifyInstanceMetadataOptions", p), 503,
            "RequestLimitExceeded", "second")
        check(reg.instances[iid]["metadata"]["http_tokens"] == "optional",
              "faulted calls change nothing")
        # ignore_next: success, no change
        fake.ignore_next("ModifyInstanceMetadataOptions")
        r = ok(c.ec2("ModifyInstanceMetadataOptions", p), "ignored")
        check(r.find("instanceMetadataOptions/httpTokens") == "required",
              "answer claims success %r", r)
        check(fake.calls()[-1].ignored, "ignored recorded")
        check(reg.instances[iid]["metadata"]["http_tokens"] == "optional",
              "nothing changed")
        r = c.ec2("DescribeInstances", {"InstanceId.1": iid})
        check(r.find("reservationSet/item/instancesSet/item/metadataOptions/"
                      "httpTokens") == "optional", "re-read shows no change")
        ok(c.ec2("ModifyInstanceMetadataOptions", p), "real")
        check(reg.instances[iid]["metadata"]["http_tokens"] == "required",
              "now changed")
        fake.ignore_next("ChangeResourceRecordSets")
        ok(c.rest("route53", "POST", "/2013-04-01/hostedzone/%s/rrset" % z,
                  body=change_batch(("CREATE", "a.example.com", "A", 60,
                                     ["192.0.2.1"], None))), "ignored r53")
        check(acct.find_record(z, "a.example.com", "A") is None,
              "ignored rrset change")
        # unknown action
        err(c.ec2("StopEverything"), 400, "InvalidAction", "unknown ec2")
        err(c.form("iam", "NukeAccount"), 400, "InvalidAction",
            "unknown iam")
        check(fake.calls(action="StopEverything")[0].error ==
              "InvalidAction", "unknown recorded")
        # mutating_calls and filters
        mut = [x.name for x in fake.mutating_calls()]
        check(mut == ["ModifyInstanceMetadataOptions"] * 4 +
              ["ChangeResourceRecordSets", "StopEverything", "NukeAccount"],
              "mutating %r", mut)
        check([x.name for x in fake.mutating_calls(ok=True)] ==
              ["ModifyInstanceMetadataOptions"] * 2 +
              ["ChangeResourceRecordSets"], "mutating ok")
        m = fake.calls(action="ModifyInstanceMetadataOptions")[-1]
        check(m.params == {"Action": "ModifyInstanceMetadataOptions",
                           "Version": "2016-11-15", "InstanceId": iid,
                           "HttpTokens": "required"} and
              m.account == A and m.region == R and m.protocol == "ec2",
              "params %r", m.params)
        ch = fake.calls(action="ChangeResourceRecordSets")[0]
        check(ch.action.startswith("POST /2013-04-01/hostedzone/") and
              "<ChangeBatch>" in ch.xml, "rest call %r", ch)
        check(len(fake.calls(account=A)) == len(fake.calls()) and
              not fake.calls(account=B), "account filter")
        check(fake.faults_pending() == 0, "all consumed")
        fake.reset_calls()
        check(fake.calls() == [], "reset")


def test_cli_and_seed():
    seed = {
        "account": A, "keys": {"AKIDCLI": "cli-secret",
                               "AKIDB": {"secret": "b", "account": B}},
        "page_size": {"DescribeInstances": 1},
        "web_identity_tokens": ["jwt"], "ecs_token": "tok",
        "imds": {"role": "inst", "region": R},
        "accounts": {A: {
            "roles": [{"name": "fixit", "external_id": "e"}],
            "instance_profiles": [{"name": "p", "roles": ["fixit"]}],
            "role_policies": [{"role": "fixit", "name": "inline",
                               "document": {"Version": "2012-10-17"}}],
            "distributions": [{"aliases": ["www.example.com"]}],
            "zones": [{"name": "example.com", "zone_id": "ZSEED",
                       "records": [{"name": "www.example.com",
                                    "type": "CNAME",
                                    "values": ["x.example.net"]}]}],
            "regions": {R: {
                "instances": [{"instance_id": "i-0000000000000seed",
                               "tags": {"Name": "seeded"}},
                              {"instance_id": "i-000000000000seed2"}],
                "db_instances": [{"identifier": "db1"}],
                "db_connections": [{"db_id": "db1", "points": [
                    ["2024-05-01T08:00:00Z", 3]]}],
                "events": [{"event_name": "DeleteVolume",
                            "resources": ["vol-1"]}]}}}}}
    # the same seed applied in-process
    with new_fake() as fake:
        fake.load_seed(seed)
        check(fake.credentials("AKIDB").account == B and
              fake.ecs_token == "tok" and fake.imds["role"] == "inst" and
              "jwt" in fake.web_identity_tokens, "seed globals")
        a = fake.account(A)
        check(a.roles["fixit"]["policies"]["inline"] ==
              '{"Version": "2012-10-17"}' and
              a.instance_profiles["p"]["roles"] == ["fixit"] and
              len(a.distributions) == 1 and
              a.region(R).events[0]["EventName"] == "DeleteVolume" and
              a.region(R).metrics[0]["points"] == [(1714550400.0, 3.0)],
              "seeded account")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "seed.json")
        with open(path, "w") as f:
            json.dump(seed, f)
        proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fakeaws.py"), "--port", "0",
             "--seed", path], stdout=subprocess.PIPE, text=True)
        try:
            ready, _, _ = select.select([proc.stdout], [], [], 10)
            check(ready, "fakeaws.py printed nothing within 10 s")
            line = proc.stdout.readline()
            check(line.startswith("fakeaws: listening on http://127.0.0.1:"),
                  "first line %r", line)
            port = int(line.strip().rsplit(":", 1)[1])

            class Stub:
                pass
            stub = Stub()
            stub.port = port
            c = Client(stub, "AKIDCLI", "cli-secret")
            r = ok(c.ec2("DescribeInstances"), "standalone describe")
            check(ids(r) == ["i-0000000000000seed"] and r.find("nextToken"),
                  "seeded + page size 1: %r", r)
            r = ok(c.rest("route53", "GET", "/2013-04-01/hostedzone/ZSEED/"
                          "rrset", {"name": "www.example.com",
                                    "type": "CNAME"}), "seeded zone")
            check(r.find("ResourceRecordSets/ResourceRecordSet/"
                         "ResourceRecords/ResourceRecord/Value") ==
                  "x.example.net", "%r", r)
        finally:
            proc.terminate()
            proc.wait(5)
            proc.stdout.close()


TESTS = (test_sigv4_service_vectors, test_sigv4_suite, test_auth, test_sts,
         test_imds_and_ecs, test_ec2_instances, test_ec2_volumes_snapshots,
         test_ec2_addresses_security_groups, test_iam, test_rds_cloudwatch,
         test_route53, test_cloudfront_cloudtrail, test_faults_and_recording,
         test_cli_and_seed)


if __name__ == "__main__":
    harness.run_tests(*TESTS, needs_fixitd=False)
