#!/usr/bin/env python3
"""fakeaws.py - a stateful fake AWS endpoint for fixit's integration tests.

One HTTP server (thread, 127.0.0.1, any free port) answers every service
fixitd's native AWS client calls through AWS_ENDPOINT_URL=http://HOST:PORT,
plus the credential sources that do not use SigV4:

  ec2, iam, sts, rds, monitoring   form POST "/" (Action=, Version=)
  route53                          REST-XML /2013-04-01/...
  cloudfront                       REST-XML /2020-05-31/...
  cloudtrail                       JSON 1.1, X-Amz-Target
  s3                               HeadBucket (fakeaws_s3elb.py), path- or
                                   virtual-hosted style (BUCKET.localhost)
  elasticloadbalancing             ELB and ELBv2 DescribeLoadBalancers (the
                                   Version tells them apart)
  apigateway, elasticbeanstalk     GetDomainNames v1/v2 (REST-JSON),
                                   DescribeEnvironments, CheckDNSAvailability
                                   (fakeaws_dns2.py)
  EC2 IMDSv2                       PUT /latest/api/token, GET /latest/...
  ECS container credentials        GET /ecs/creds (Authorization: TOKEN)

The service and region of a request are those of its SigV4 credential
scope (Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/
aws4_request, ...). Every signed request is verified by recomputing SigV4
(sigv4_* below, checked against AWS's vectors by test_fakeaws.py): wrong
signature -> 403 SignatureDoesNotMatch (the message shows the canonical
request and string to sign the fake expected), unknown key -> 403
InvalidClientTokenId, no Authorization -> 403 MissingAuthenticationToken,
X-Amz-Date more than 15 min off -> 403 RequestExpired, temporary keys
without their (signed) x-amz-security-token -> 403, expired ones -> 403
ExpiredToken. The state of the account the keys belong to (base keys: the
constructor's account; STS/IMDS/ECS keys: the account of the role) is what
the request reads and changes. The fake is strict about parameter names
(EC2 UnknownParameter, others ValidationError/InvalidParameterValue),
API versions, content types and values, like AWS.

Answers use AWS's shapes (see tests/data/responses): EC2
<XResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>
with <xSet><item> lists; Query <XResponse><XResult>..<ResponseMetadata>;
REST-XML for Route 53/CloudFront; JSON 1.1 for CloudTrail (epoch-number
times, CloudTrailEvent a JSON string). Errors: EC2 <Response><Errors>
<Error><Code/><Message/></Error></Errors><RequestID/>, Query/REST
<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>, JSON
{"__type": CODE, "message": TEXT}.

Usage in a test:

    import fakeaws
    with fakeaws.FakeAWS(keys={"AKIDBASE": "base-secret"},
                         account_id="111122223333",
                         region="eu-west-1") as aws:
        reg = aws.account("444455556666").region("eu-west-1")
        iid = reg.add_instance(http_tokens="optional")
        aws.account("444455556666").add_role("fixit", external_id="x")
        env = aws.env()     # AWS_ENDPOINT_URL, AWS_REGION, base keys
        ... run fixitd (it assumes arn:aws:iam::444455556666:role/fixit) ...
        [c] = aws.calls(action="ModifyInstanceMetadataOptions", ok=True)
        assert (c.account, c.role) == ("444455556666", "fixit")
        assert reg.instances[iid]["metadata"]["http_tokens"] == "required"

A UDP DNS server (fakedns.py) runs alongside: `fake.dns`, its address in
env()'s FIXIT_DNS_RESOLVER; NXDOMAIN unless fake.dns.delegate(name, ns).

Control: fail_next(n, kind, action=None, service=None) with kind
throttle|500|denied|expired; ignore_next(action, n=1) (answer success,
change nothing); set_page_size(n, action=None); set_delay(s);
set_rate_limit(per_s, burst, action=None, service=None) (throttle past
AWS's rate, per account and region); calls(...),
mutating_calls(...), reset_calls(), wait(pred), dump(); polls{} (how many
Describe polls transient states last); expire_credentials(akid),
rotate_imds(), rotate_ecs(), configure_imds(...). Every request is a Call
(service, region, protocol, action, operation, params, xml, headers,
header_list, raw, account, role, session, access_key_id, credential_kind,
signed_headers, signature_ok, status, error, message, fault, ignored,
request_id, response, ok). A bug in the fake answers 500 and is kept in
fake.bugs.

Files: fakeaws.py (server, auth, STS plumbing, IMDS/ECS, control API, CLI),
fakeaws_sigv4.py (the signer), fakeaws_state.py (Account/Region and the
seeding helpers), fakeaws_proto.py (registry, errors, params, XML,
filters, pagination), fakeaws_ec2.py, fakeaws_services.py (the actions;
add one with @action("svc", "Name", params, required) or
@route("svc", "GET", regex, "Name")).

Standalone:

    python3 tests/integration/fakeaws.py --port 4566 --seed seed.json

Seed file (JSON; every list entry is the keyword arguments of the named
helper, see fakeaws_state.py):

    {
      "account": "123456789012",              # base keys' account
      "keys": {"AKIDBASE": "base-secret",     # or {"secret":..,
                                              #  "account":.., "user":..}
      },
      "web_identity_tokens": ["jwt-text"],
      "ecs_token": "ecs-token",
      "imds": {"role": "fixit-instance", "account": "...",
               "region": "eu-west-1"},        # configure_imds() arguments
      "page_size": {"DescribeInstances": 2},  # set_page_size()
      "accounts": {
        "123456789012": {
          "roles": [{"name": "fixit", "external_id": "x"}],   # add_role
          "instance_profiles": [{"name": "p", "roles": ["r"]}],
          "role_policies": [{"role": "r", "name": "n",
                             "document": {...}}],   # put_role_policy
          "zones": [{"name": "example.com", "zone_id": "Z1",
                     "records": [{"name": "www.example.com",
                                  "type": "CNAME",
                                  "values": ["x.example.net"]}]}],
          "distributions": [{"aliases": ["www.example.com"]}],
          "regions": {
            "eu-west-1": {
              "security_groups": [...], "instances": [...],
              "volumes": [...], "snapshots": [...], "addresses": [...],
              "db_instances": [...], "db_snapshots": [...],
              "metrics": [...], "db_connections": [{"db_id": "db1",
                   "points": [["2024-05-01T08:00:00Z", 3]]}],
              "events": [...]
            }}}}
    }

Standard library only.
"""

import argparse
import copy
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import string
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_ec2  # noqa: E402,F401  (registers the EC2 actions)
import fakeaws_services  # noqa: E402,F401  (registers the others)
import fakeaws_images  # noqa: E402,F401  (AMIs: DescribeImages, the model)
import fakeaws_snap  # noqa: E402,F401  (AMIs, RDS/Redshift snapshots)
import fakeaws_s3elb  # noqa: E402,F401  (S3 HeadBucket, ELB, ELBv2)
import fakeaws_ec2idle  # noqa: E402,F401  (ec2-stopped/underused, optimizer)
import fakeaws_imds  # noqa: E402,F401  (launch templates, AMIs, ASG, EKS)
import fakeaws_lb  # noqa: E402,F401  (ELB, ELBv2 for lb-unused; after s3elb)
import fakeaws_iamgraph  # noqa: E402,F401  (iam-admin-paths' IAM)
import fakeaws_dns2  # noqa: E402,F401  (API Gateway, Elastic Beanstalk)
import fakeaws_honeypot  # noqa: E402,F401  (honeypot-key: IAM users)
import fakeaws_iamx  # noqa: E402,F401  (iam-admin-paths' Lambda)
import fakeaws_tagging  # noqa: E402,F401  (tagging-standard: S3 tags, ACLs)
from fakedns import FakeDNS  # noqa: E402
from fakeaws_proto import (ACTIONS, CLOUDTRAIL_TARGET, ELB_VERSIONS,  # noqa
                           GLOBAL_SERVICES, JSON_TARGETS, SERVICES, AWSError, Ctx, check_params, esc,
                           find_route, protocol, xml_doc)
# the signer is re-exported: fakeaws.sigv4_sign(...) etc.
from fakeaws_sigv4 import (amz_date, parse_authorization,  # noqa: E402,F401
                           sigv4_canonical_query, sigv4_canonical_request,
                           sigv4_normalize_path, sigv4_sign,
                           sigv4_signing_key, sigv4_string_to_sign,
                           sigv4_uri_encode)
from fakeaws_state import Account, iso, load_seed  # noqa: E402

SKEW = 15 * 60
FAULT_KINDS = ("throttle", "500", "denied", "expired", "502html")
READ_PREFIXES = ("Describe", "List", "Get", "Lookup", "Head",
                 "CheckDNSAvailability")

# ==========================================================================
# credentials and calls
# ==========================================================================

class Creds:
    """A key pair the fake accepts. kind: "base" (long-term), "assume"
    (sts:AssumeRole), "web" (AssumeRoleWithWebIdentity), "imds", "ecs"."""

    def __init__(self, kind, access_key_id, secret, token, account,
                 role=None, session=None, expiration=None, user=None,
                 source=None):
        self.kind = kind
        self.access_key_id = access_key_id
        self.secret = secret
        self.token = token              # None for base keys
        self.account = account
        self.role = role
        self.session = session
        self.expiration = expiration    # epoch, None = never
        self.user = user
        self.source = source            # AKID that assumed it

    def __repr__(self):
        return "<Creds %s %s account=%s role=%s session=%s>" % (
            self.kind, self.access_key_id, self.account, self.role,
            self.session)


class Call:
    """One recorded request (see the report / module docstring)."""

    def __init__(self, method, target, header_list, raw):
        url = urllib.parse.urlsplit(target)
        self.at = time.time()
        self.arrived = time.monotonic()  # before set_delay's sleep
        self.method = method
        self.path = url.path
        self.query = url.query          # raw query string
        self.header_list = header_list  # [(name, value)] as received
        self.headers = dict(header_list)
        self.raw = raw                  # request body bytes
        self.service = None             # "ec2", ..., "imds", "ecs"
        self.region = None
        self.protocol = None            # ec2|query|rest|json|imds|ecs
        self.action = None              # Action= / target op / "GET /path"
        self.operation = None           # AWS operation name (all protocols)
        self.params = {}                # form/query dict, JSON body dict
        self.xml = None                 # REST request body text
        self.account = None
        self.role = None
        self.session = None
        self.access_key_id = None
        self.creds = None               # Creds object
        self.credential_kind = None
        self.signed_headers = []
        self.signature_ok = None        # None: not signed
        self.expected_canonical_request = None
        self.status = None
        self.error = None               # AWS error code answered
        self.message = None
        self.fault = None               # injected fault kind
        self.ignored = False            # ignore_next: answered, no change
        self.request_id = str(uuid.uuid4())
        self.route_path = None          # REST: the path routed (S3:
        self.s3_style = None            # bucket from the host) path|virtual
        self.response = b""             # body answered
        self.deferred_error = None

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300

    def header(self, name):
        for k, v in self.header_list:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def name(self):
        return self.operation or self.action

    def summary(self):
        who = self.account or "-"
        if self.role:
            who += "/%s/%s" % (self.role, self.session)
        what = "ok" if self.ok else "%s %s" % (
            ("FAULT " + self.fault) if self.fault else "ERROR", self.error)
        p = json.dumps(self.params, sort_keys=True, default=str)
        if len(p) > 300:
            p = p[:300] + "..."
        return "%.3f %s %s %s [%s] -> %s %s%s %s" % (
            self.at, self.service, self.region, self.name, who, self.status,
            what, " (ignored)" if self.ignored else "", p)

    def __repr__(self):
        return "<Call %s>" % self.summary()


# ==========================================================================
# HTTP
# ==========================================================================

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeAWS/1.0"

    def log_message(self, fmt, *args):
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _any(self):
        raw = self._read_body()
        status, headers, body = self.server.fake._handle(
            self.command, self.path, list(self.headers.items()), raw)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any


# ==========================================================================
# the fake
# ==========================================================================

class FakeAWS:
    """The fake AWS endpoint. Use as a context manager or start()/stop()."""

    def __init__(self, keys=None, account_id="123456789012", port=0,
                 host="127.0.0.1", user="fixit", region="us-east-1",
                 web_identity_tokens=(), ecs_token="ecs-token-for-tests",
                 polls=None):
        self.host = host
        self.requested_port = port
        self.default_account = str(account_id)
        self.default_region = region
        self.user = user
        self.accounts = {}
        self._creds = {}                    # akid -> Creds
        self.web_identity_tokens = set(web_identity_tokens)
        self.ecs_token = ecs_token
        self.ecs_path = "/ecs/creds"
        self.ecs_role = "fixit-task-role"
        self.ecs_account = None
        self.polls = {"snapshot": 1, "db_snapshot": 1, "db_instance": 1,
                      "volume": 0}
        self.polls.update(polls or {})
        self.imds = {"role": "fixit-instance-role", "account": None,
                     "region": region, "instance_id": "i-0fa1e0000000000fa",
                     "v1": False}
        self._imds_tokens = {}              # token -> expiry
        self._imds_creds = None
        self._ecs_creds = None
        self._lock = threading.Condition(threading.RLock())
        self._calls = []
        self._faults = []                   # [kind, left, action, service]
        self._ignores = []                  # [action, left, service]
        self._page = {}                     # operation|None -> size
        self._n = 0
        self._delay = 0.0
        self._rates = []                    # [action, service, per_s, burst]
        self._buckets = {}                  # (rule, acct, region, op) -> [t, at]
        self._server = None
        self._thread = None
        self.bugs = []                      # tracebacks of fake bugs
        self.lock = self._lock              # hold to read state atomically
        for akid, secret in (keys or {}).items():
            if isinstance(secret, (tuple, list)):
                self.add_key(akid, *secret)
            else:
                self.add_key(akid, secret)

    # ---- lifecycle -------------------------------------------------------
    def start(self):
        self._server = http.server.ThreadingHTTPServer(
            (self.host, self.requested_port), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        args=(0.05,), name="fakeaws",
                                        daemon=True)
        self._thread.start()
        self.dns = FakeDNS(self.host).start()
        return self

    def stop(self):
        if getattr(self, "dns", None) is not None:
            self.dns.stop()
            self.dns = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def endpoint(self):
        """AWS_ENDPOINT_URL for fixitd: http://127.0.0.1:PORT"""
        return "http://%s:%d" % (self.host, self.port)

    @property
    def ecs_uri(self):
        return self.endpoint + self.ecs_path

    def env(self, source="keys", access_key=None, region=None):
        """Environment for a client: AWS_ENDPOINT_URL, AWS_REGION and
        AWS_DEFAULT_REGION, plus the credential source: "keys"
        (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY of `access_key`, default
        the first base key), "ecs" (AWS_CONTAINER_CREDENTIALS_FULL_URI and
        AWS_CONTAINER_AUTHORIZATION_TOKEN), "imds"
        (AWS_EC2_METADATA_SERVICE_ENDPOINT) or None."""
        r = region or self.default_region
        e = {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": r,
             "AWS_DEFAULT_REGION": r,
             "FIXIT_DNS_RESOLVER": self.dns.address}
        if source == "keys":
            if access_key is None:
                access_key = next(k for k, c in self._creds.items()
                                  if c.kind == "base")
            e["AWS_ACCESS_KEY_ID"] = access_key
            e["AWS_SECRET_ACCESS_KEY"] = self._creds[access_key].secret
        elif source == "ecs":
            e["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = self.ecs_uri
            e["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = self.ecs_token or ""
        elif source == "imds":
            e["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.endpoint + "/"
        elif source is not None:
            raise ValueError("source must be keys, ecs, imds or None")
        return e

    # ---- accounts, keys, credentials ------------------------------------
    def account(self, account_id=None):
        """The Account (fakeaws_state.Account) `account_id` (default: the
        base keys' account), created empty on first use."""
        aid = str(account_id or self.default_account)
        with self._lock:
            a = self.accounts.get(aid)
            if a is None:
                a = self.accounts[aid] = Account(self, aid)
            return a

    def region(self, region=None, account_id=None):
        """Shortcut: account(account_id).region(region or default)."""
        return self.account(account_id).region(region or
                                               self.default_region)

    def add_key(self, access_key_id, secret, account_id=None, user=None):
        """Long-term keys of IAM user `user` in `account_id`."""
        with self._lock:
            self._creds[access_key_id] = Creds(
                "base", access_key_id, secret, None,
                str(account_id or self.default_account),
                user=user or self.user)
            self.account(account_id)

    def credentials(self, access_key_id):
        """The Creds object of a key the fake issued or was given."""
        return self._creds.get(access_key_id)

    def issued(self, kind=None):
        """Temporary Creds issued so far (kind assume|web|imds|ecs)."""
        return [c for c in self._creds.values() if c.kind != "base" and
                (kind is None or c.kind == kind)]

    def expire_credentials(self, access_key_id):
        """Make temporary keys (or any) expired from now on."""
        with self._lock:
            self._creds[access_key_id].expiration = time.time() - 1

    def configure_imds(self, role=None, account=None, region=None,
                       instance_id=None, v1=None):
        """IMDS answers: the instance role (its keys act on `account`), the
        region, the instance id; v1=True also answers without a token."""
        for k, v in (("role", role), ("account", account),
                     ("region", region), ("instance_id", instance_id),
                     ("v1", v1)):
            if v is not None:
                self.imds[k] = v
        self._imds_creds = None

    def rotate_imds(self):
        """The next IMDS credentials fetch returns new keys."""
        self._imds_creds = None

    def rotate_ecs(self):
        self._ecs_creds = None

    def expire_imds_tokens(self):
        self._imds_tokens.clear()

    def principal_arn(self, c):
        if c is None:
            return "anonymous"
        if c.role:
            return "arn:aws:sts::%s:assumed-role/%s/%s" % (
                c.account, c.role, c.session)
        return "arn:aws:iam::%s:user/%s" % (c.account, c.user)

    def _issue(self, kind, account, role, session, seconds, source=None):
        alnum = string.ascii_uppercase + string.digits
        akid = "ASIA" + "".join(secrets.choice(alnum) for _ in range(16))
        c = Creds(kind, akid, secrets.token_urlsafe(30)[:40],
                  "FwoGZXIvYXdzE" + secrets.token_hex(8) + "/" +
                  __import__("base64").b64encode(
                      secrets.token_bytes(60)).decode(),
                  str(account), role, session, time.time() + seconds,
                  source=source)
        self._creds[akid] = c
        self.account(account)
        return c

    # ---- control: faults, pages, recording ------------------------------
    def fail_next(self, n, kind, action=None, service=None):
        """The next n matching signed requests (after authentication) fail:
        "throttle" (EC2 503 RequestLimitExceeded, Query/REST 400 Throttling,
        JSON 400 ThrottlingException), "500" (500 InternalError), "502html"
        (a proxy's 502 Bad Gateway: an HTML page, no AWS body), "denied"
        (EC2 403 UnauthorizedOperation, Query/REST 403 AccessDenied, JSON
        400 AccessDeniedException), "expired" (403 ExpiredToken / JSON 400
        ExpiredTokenException). `action` matches the operation name (e.g.
        "DescribeInstances", "ChangeResourceRecordSets") or Call.action.
        On IMDS/ECS (service="imds"/"ecs", actions PutToken, GetRoleName,
        GetCredentials, GetMetadata): throttle 429, 500 500, denied 403,
        expired 401."""
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %r" % (FAULT_KINDS,))
        with self._lock:
            self._faults.append([kind, int(n), action, service])

    def ignore_next(self, action, n=1, service=None):
        """The next n `action` requests answer as if they worked but change
        no state (Call.ignored is True)."""
        with self._lock:
            self._ignores.append([action, int(n), service])

    def clear_faults(self):
        with self._lock:
            self._faults = []
            self._ignores = []

    def faults_pending(self):
        with self._lock:
            return sum(f[1] for f in self._faults) + \
                sum(i[1] for i in self._ignores)

    def set_page_size(self, n, action=None):
        """Pages of `action` (or of every paginated action) hold at most n
        items whatever MaxResults/MaxItems asks; None removes the cap."""
        with self._lock:
            if n is None:
                self._page.pop(action, None)
            else:
                self._page[action] = int(n)

    def page_size_for(self, operation):
        return self._page.get(operation) or self._page.get(None)

    def set_delay(self, seconds):
        """Answer every request only after `seconds`."""
        self._delay = float(seconds)

    def set_rate_limit(self, per_s, burst, action=None, service=None):
        """Throttle like AWS: matching signed requests of one account and
        region (and operation) past a token bucket of `burst` tokens
        refilled `per_s` a second are answered as fail_next "throttle"
        (Call.fault "rate"). The bucket holds one token more than `burst`:
        slack for the network's jitter between a paced sender and the
        fake, so that only a sender faster than the rate is throttled.
        per_s None removes the rules."""
        with self._lock:
            if per_s is None:
                self._rates, self._buckets = [], {}
            else:
                self._rates.append([action, service, float(per_s),
                                    float(burst)])

    def _rate_take(self, call):
        """False when a rate rule's bucket has no token for call."""
        for i, (act, svc, per_s, burst) in enumerate(self._rates):
            if not self._matches(act, svc, call):
                continue
            key = (i, call.account, call.region, call.operation)
            cap = burst + 1.0
            tokens, at = self._buckets.get(key, (cap, call.arrived))
            tokens = min(cap, tokens + (call.arrived - at) * per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, call.arrived)
                return False
            self._buckets[key] = (tokens - 1.0, call.arrived)
        return True

    def reset_calls(self):
        with self._lock:
            self._calls = []

    def calls(self, service=None, action=None, account=None, region=None,
              ok=None):
        """Recorded calls, oldest first, filtered by service, action
        (operation name or Call.action), account, region, ok (2xx)."""
        with self._lock:
            return [c for c in self._calls
                    if (service is None or c.service == service) and
                    (action is None or action in (c.operation, c.action)) and
                    (account is None or c.account == str(account)) and
                    (region is None or c.region == region) and
                    (ok is None or c.ok == ok)]

    def mutating_calls(self, **kw):
        """calls(**kw) whose operation does not start with Describe, List,
        Get or Lookup, without sts/imds/ecs (failed ones included)."""
        out = []
        for c in self.calls(**kw):
            if c.service in ("sts", "imds", "ecs", None):
                continue
            if c.operation is None:
                if c.method not in ("GET", "HEAD"):
                    out.append(c)
            elif not c.operation.startswith(READ_PREFIXES):
                out.append(c)
        return out

    def wait(self, predicate, timeout=10.0, what="a condition"):
        """Wait until predicate() is truthy (re-checked on every call and
        every 0.1 s); returns its value or raises AssertionError."""
        deadline = time.time() + timeout
        with self._lock:
            while True:
                v = predicate()
                if v:
                    return v
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("fake aws: timed out after %.1fs "
                                         "waiting for %s" % (timeout, what))
                self._lock.wait(min(left, 0.1))

    def dump(self, limit=200):
        calls = self.calls()
        lines = ["fake aws: %d calls (%d ok)" % (len(calls),
                                                 sum(c.ok for c in calls))]
        lines += ["  " + c.summary() for c in calls[-limit:]]
        return "\n".join(lines)

    def load_seed(self, seed):
        """Apply a seed document (dict or path to a JSON file)."""
        if isinstance(seed, str):
            with open(seed) as f:
                seed = json.load(f)
        with self._lock:
            if seed.get("account"):
                self.default_account = str(seed["account"])
            load_seed(self, seed)
            for op, n in (seed.get("page_size") or {}).items():
                self.set_page_size(n, None if op in ("*", "") else op)

    # ---- helpers for the services ---------------------------------------
    def now(self):
        return time.time()

    def _seq(self):
        self._n += 1
        return self._n

    def _new_id(self, prefix, width=17, alphabet="hex"):
        n = self._seq()
        if alphabet == "hex":
            body = "%x" % (0xfa1e << (4 * (width - 4)) | n)
            body = body[-width:].rjust(width, "0")
        else:
            chars = string.ascii_uppercase + string.digits
            body, x = "", n * 7919 + 104729
            for _ in range(width):
                body = chars[x % 36] + body
                x //= 36
            body = "FAKE" + body[4:] if width > 8 else body
        return prefix + body

    # ---- request handling -----------------------------------------------
    def _handle(self, method, target, header_list, raw):
        arrived = time.monotonic()
        if self._delay:
            time.sleep(self._delay)
        call = Call(method, target, header_list, raw)
        call.arrived = arrived
        with self._lock:
            try:
                if call.path.startswith("/latest/"):
                    status, hdrs, body = self._imds_answer(call)
                elif call.path == self.ecs_path:
                    status, hdrs, body = self._ecs_answer(call)
                else:
                    status, hdrs, body = self._aws_answer(call)
            except AWSError as e:
                status, hdrs, body = self._error(call, e)
            except Exception:                   # a bug in the fake
                tb = traceback.format_exc()
                self.bugs.append(tb)
                sys.stderr.write("fakeaws: BUG answering %s %s:\n%s"
                                 % (method, target, tb))
                status, hdrs, body = self._error(call, AWSError(
                    "InternalError", "fakeaws bug: " + tb.splitlines()[-1],
                    500))
                call.error = "FakeAWSBug"
            call.status = status
            call.response = body
            self._calls.append(call)
            self._lock.notify_all()
        return status, hdrs, body

    # -- the AWS services --
    def _classify(self, call, auth):
        """service, region, protocol, parameters, action of a request."""
        if auth:
            call.service, call.region = auth["service"], auth["region"]
        else:
            if call.header("X-Amz-Target"):
                call.service = "cloudtrail"
            elif call.path.startswith("/2013-04-01"):
                call.service = "route53"
            elif call.path.startswith("/2020-05-31"):
                call.service = "cloudfront"
            else:
                call.service = None
            call.region = self.default_region
        call.protocol = protocol(call.service)
        ctype = (call.header("Content-Type") or "").split(";")[0].strip()
        if call.protocol in ("ec2", "query"):
            form = {}
            if call.query:
                form.update(urllib.parse.parse_qsl(call.query,
                                                   keep_blank_values=True))
            if call.raw:
                if ctype.lower() != "application/x-www-form-urlencoded":
                    # answered after authentication
                    call.deferred_error = AWSError(
                        "InvalidParameterValue", "Content-Type must be "
                        "application/x-www-form-urlencoded, not %r" % ctype)
                form.update(urllib.parse.parse_qsl(
                    call.raw.decode("utf-8", "replace"),
                    keep_blank_values=True))
            call.params = form
            call.action = call.operation = form.get("Action")
            if call.service == "elasticloadbalancing":
                call.service = ELB_VERSIONS.get(form.get("Version"), "elb")
            if call.service is None and form.get("Version") == "2011-06-15":
                call.service = "sts"
            elif call.service is None and form.get("Version") == \
                    "2016-11-15":
                call.service, call.protocol = "ec2", "ec2"
        elif call.protocol == "json":
            target = call.header("X-Amz-Target") or ""
            call.action = target
            prefix = JSON_TARGETS.get(call.service, (CLOUDTRAIL_TARGET,))[0]
            if target.startswith(prefix):
                call.action = call.operation = target[len(prefix):]
            if call.raw.strip():
                try:
                    call.params = json.loads(call.raw.decode("utf-8"))
                except ValueError:
                    call.params = {"_unparsable":
                                   call.raw[:200].decode("latin-1")}
        else:   # rest
            call.params = dict(urllib.parse.parse_qsl(
                call.query, keep_blank_values=True))
            call.action = "%s %s" % (call.method, call.path)
            if call.raw:
                call.xml = call.raw.decode("utf-8", "replace")
            call.route_path = call.path
            if call.service == "s3":
                self._s3_bucket(call)
            if call.service in SERVICES:
                act, _ = find_route(call.service, call.method,
                                    call.route_path)
                if act:
                    call.operation = act.name

    def _aws_answer(self, call):
        auth_hdr = call.header("Authorization")
        auth = parse_authorization(auth_hdr) if auth_hdr else None
        self._classify(call, auth)
        if auth_hdr and auth is None:
            raise AWSError("IncompleteSignature", "Authorization header "
                           "requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters. Authorization=%s"
                           % auth_hdr.split(" ")[0], 403)
        if auth is None:
            if call.service == "sts" and call.operation == \
                    "AssumeRoleWithWebIdentity":
                creds = None
            else:
                raise AWSError("MissingAuthenticationToken", "Request is "
                               "missing Authentication Token", 403)
        else:
            creds = self._authenticate(call, auth)
        if call.deferred_error:
            raise call.deferred_error
        if call.service not in SERVICES:
            raise AWSError("InvalidAction", "fakeaws does not implement the "
                           "service %r" % call.service)
        if call.service in GLOBAL_SERVICES and call.region != "us-east-1":
            raise AWSError("SignatureDoesNotMatch", "Credential should be "
                           "scoped to a valid region, not '%s'. "
                           % call.region, 403)
        kind = self._take(self._faults, call)
        if kind:
            call.fault = kind
            raise self._fault_error(kind, call)
        if self._rates and not self._rate_take(call):
            call.fault = "rate"
            raise self._fault_error("throttle", call)
        act, match = self._find_action(call)
        acct = self.account(creds.account if creds else
                            self.default_account)
        if self._take(self._ignores, call):
            call.ignored = True
            acct = copy.deepcopy(acct)
        ctx = Ctx(self, call, acct, call.region)
        ctx.match = match or {}
        if call.protocol == "rest":
            ctx.query = call.params
            out = act.fn(ctx)
            status, text = out[0], out[1]
            hdrs = list(out[2]) if len(out) > 2 else []
            return status, [("Content-Type", "text/xml"),
                            ("x-amzn-RequestId", call.request_id)] + hdrs, \
                text.encode()
        if call.protocol == "json":
            if not isinstance(call.params, dict) or "_unparsable" in \
                    call.params:
                raise AWSError("SerializationException", "Request body is "
                               "not a JSON object")
            for k in call.params:
                if act.params is not None and k not in act.params:
                    raise AWSError("SerializationException", "Unknown "
                                   "field %s" % k)
            out = json.dumps(act.fn(ctx)).encode()
            return 200, [("Content-Type", call.header("Content-Type")),
                         ("x-amzn-RequestId", call.request_id)], out
        check_params(act, ctx)
        if call.service == "ec2" and ctx.bool("DryRun"):
            raise AWSError("DryRunOperation", "Request would have "
                           "succeeded, but DryRun flag is set.", 412)
        inner = act.fn(ctx)
        return 200, [("Content-Type", "text/xml;charset=UTF-8"),
                     ("x-amzn-RequestId", call.request_id)], \
            self._wrap(call, inner).encode()

    @staticmethod
    def _s3_bucket(call):
        """Virtual-hosted style (BUCKET.localhost:PORT, BUCKET.s3.REGION.
        amazonaws.com): the bucket moves from the host into
        call.route_path; call.s3_style says which style was used."""
        host = (call.header("Host") or "").rsplit(":", 1)[0].lower()
        call.s3_style = "path"
        for suffix in (".localhost", ".s3.amazonaws.com",
                       ".s3.%s.amazonaws.com" % call.region):
            if host.endswith(suffix) and len(host) > len(suffix):
                call.s3_style = "virtual"
                bucket = host[:-len(suffix)]
                call.route_path = "/" + bucket + (
                    "" if call.path == "/" else call.path)
                return

    def _find_action(self, call):
        if call.protocol == "rest":
            act, match = find_route(call.service, call.method,
                                    call.route_path)
            if act is None:
                raise AWSError("InvalidAction", "fakeaws: no %s operation "
                               "for %s %s" % (call.service, call.method,
                                              call.path))
            return act, match
        if call.protocol == "json":
            ctype = (call.header("Content-Type") or "").split(";")[0]
            want = "application/x-amz-json-" + JSON_TARGETS.get(
                call.service, (None, "1.1"))[1]
            if ctype.strip() != want:
                raise AWSError("SerializationException", "Content-Type must "
                               "be %s, not %r" % (want, ctype))
            act = ACTIONS.get(call.service, {}).get(call.operation)
            if act is None:
                raise AWSError("UnknownOperationException", "Unknown "
                               "operation %s" % call.action)
            return act, None
        if not call.operation:
            raise AWSError("MissingAction", "The request must contain the "
                           "parameter Action")
        act = ACTIONS.get(call.service, {}).get(call.operation)
        if act is None:
            raise AWSError("InvalidAction", "The action %s is not valid for "
                           "this web service." % call.operation)
        version = call.params.get("Version")
        want = SERVICES[call.service][1]
        if not version:
            raise AWSError("MissingParameter", "The request must contain "
                           "the parameter Version")
        if version != want:
            raise AWSError("NoSuchVersion", "The requested version (%s) of "
                           "service %s does not exist (fakeaws knows %s)"
                           % (version, call.service, want))
        return act, None

    def _wrap(self, call, inner):
        op = call.operation
        ns = SERVICES[call.service][2]
        if call.protocol == "ec2":
            return xml_doc('<%sResponse xmlns="%s"><requestId>%s</requestId>'
                           '%s</%sResponse>' % (
                               op, ns, call.request_id,
                               "".join(x for x in inner if x), op))
        result = ""
        if inner is not None:
            result = "<%sResult>%s</%sResult>" % (
                op, "".join(x for x in inner if x), op)
        return ('<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s'
                '</RequestId></ResponseMetadata></%sResponse>'
                % (op, ns, result, call.request_id, op))

    @staticmethod
    def _matches(rule_action, rule_service, call):
        return (rule_action is None or rule_action in (call.operation,
                                                       call.action)) and \
            (rule_service is None or rule_service == call.service)

    def _take(self, rules, call):
        """Consume one matching fault/ignore rule; its kind (or True)."""
        for r in rules:
            if r[1] <= 0:
                continue
            if len(r) == 4:             # fault: [kind, left, action, svc]
                kind, _, act, svc = r
            else:                       # ignore: [action, left, svc]
                act, _, svc = r
                kind = True
            if self._matches(act, svc, call):
                r[1] -= 1
                return kind
        return None

    def _fault_error(self, kind, call):
        p = call.protocol
        if kind == "throttle":
            if p == "ec2":
                return AWSError("RequestLimitExceeded", "Request limit "
                                "exceeded.", 503)
            if p == "json":
                return AWSError("ThrottlingException", "Rate exceeded")
            return AWSError("Throttling", "Rate exceeded")
        if kind == "500":
            return AWSError("InternalError", "We encountered an internal "
                            "error. Please try again.", 500)
        if kind == "502html":
            e = AWSError("BadGateway", "502 Bad Gateway (HTML)", 502)
            e.html = True
            return e
        if kind == "expired":
            return AWSError("ExpiredTokenException" if p == "json" else
                            "ExpiredToken", "The security token included "
                            "in the request is expired",
                            400 if p == "json" else 403)
        if p == "ec2":
            return AWSError("UnauthorizedOperation", "You are not authorized "
                            "to perform this operation.", 403)
        msg = "User: %s is not authorized to perform: %s:%s" % (
            self.principal_arn(call.creds), call.service, call.name)
        if p == "json":
            return AWSError("AccessDeniedException", msg, 400)
        return AWSError("AccessDenied", msg, 403)

    def _authenticate(self, call, a):
        call.access_key_id = a["access_key"]
        call.signed_headers = list(a["signed_headers"])
        c = self._creds.get(a["access_key"])
        if c is None:
            raise AWSError("InvalidClientTokenId", "The security token "
                           "included in the request is invalid.", 403)
        call.creds = c
        call.account, call.role, call.session = c.account, c.role, c.session
        call.credential_kind = c.kind
        date = call.header("X-Amz-Date")
        if not date or not re.fullmatch(r"\d{8}T\d{6}Z", date):
            raise AWSError("IncompleteSignature", "Authorization header "
                           "requires existence of a valid 'X-Amz-Date' "
                           "header (got %r)." % date, 403)
        signed = a["signed_headers"]
        if a["terminator"] != "aws4_request" or a["date"] != date[:8]:
            raise AWSError("SignatureDoesNotMatch", "Credential should be "
                           "scoped to a valid date and end in aws4_request: "
                           "%s/%s/%s/%s" % (a["date"], a["region"],
                                            a["service"], a["terminator"]),
                           403)
        for need in ("host", "x-amz-date"):
            if need not in signed:
                raise AWSError("SignatureDoesNotMatch", "'%s' must be a "
                               "'SignedHeader' in the AWS Authorization."
                               % need, 403)
        body = call.raw
        if a["service"] == "s3":
            body = self._s3_payload(call, signed)
        creq = sigv4_canonical_request(call.method, call.path, call.query,
                                       call.header_list, signed, body,
                                       normalize=a["service"] != "s3")
        scope = "%s/%s/%s/aws4_request" % (a["date"], a["region"],
                                           a["service"])
        sts = sigv4_string_to_sign(date, scope, creq)
        key = sigv4_signing_key(c.secret, a["date"], a["region"],
                                a["service"])
        want = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        call.expected_canonical_request = creq
        if not hmac.compare_digest(want, a["signature"]):
            call.signature_ok = False
            raise AWSError("SignatureDoesNotMatch", "The request signature "
                           "we calculated does not match the signature you "
                           "provided. Check your AWS Secret Access Key and "
                           "signing method.\n\nThe Canonical String for this "
                           "request should have been\n'%s'\n\nThe String-to-"
                           "Sign should have been\n'%s'\n" % (creq, sts), 403)
        call.signature_ok = True
        t = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        if abs(time.time() - t) > SKEW:
            raise AWSError("RequestExpired", "Request has expired. "
                           "X-Amz-Date %s is more than 15 min from the "
                           "server time %s." % (date, amz_date()), 403)
        tok = call.header("X-Amz-Security-Token")
        if c.token is None:
            if tok is not None:
                raise AWSError("InvalidClientTokenId", "The security token "
                               "included in the request is invalid.", 403)
        else:
            if tok is None or tok != c.token:
                raise AWSError("InvalidClientTokenId", "The security token "
                               "included in the request is invalid.", 403)
            if "x-amz-security-token" not in signed:
                raise AWSError("SignatureDoesNotMatch", "x-amz-security-token"
                               " must be a signed header (fakeaws is strict "
                               "here).", 403)
        if c.expiration is not None and time.time() >= c.expiration:
            raise AWSError("ExpiredToken", "The security token included in "
                           "the request is expired", 403)
        return c

    @staticmethod
    def _s3_payload(call, signed):
        """S3 signs x-amz-content-sha256 (required, signed), which is the
        body's hash or UNSIGNED-PAYLOAD."""
        v = call.header("x-amz-content-sha256")
        if v is None or "x-amz-content-sha256" not in signed:
            raise AWSError("InvalidRequest", "Missing required header for "
                           "this request: x-amz-content-sha256", 400)
        if v != "UNSIGNED-PAYLOAD" and \
                v != hashlib.sha256(call.raw or b"").hexdigest():
            raise AWSError("XAmzContentSHA256Mismatch", "The provided "
                           "'x-amz-content-sha256' header does not match "
                           "what was computed.", 400)
        return v

    def _error(self, call, e):
        call.error, call.message = e.code, e.message
        p = call.protocol
        if getattr(e, "html", False):   # a proxy in front of AWS
            return e.status, [("Content-Type", "text/html")], (
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
                "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            ).encode()
        rid = call.request_id
        if p in ("imds", "ecs"):
            return e.status, [("Content-Type", "text/plain")], \
                e.message.encode()
        if p == "json":
            return e.status, [("Content-Type", "application/x-amz-json-1.1"),
                              ("x-amzn-RequestId", rid)], \
                json.dumps({"__type": e.code, "message": e.message}).encode()
        if p == "ec2":
            body = xml_doc("<Response><Errors><Error><Code>%s</Code><Message>"
                           "%s</Message></Error></Errors><RequestID>%s"
                           "</RequestID></Response>" % (esc(e.code),
                                                        esc(e.message), rid))
        else:
            ns = SERVICES.get(call.service, (None, None, None))[2]
            body = ('<ErrorResponse%s><Error><Type>%s</Type><Code>%s</Code>'
                    '<Message>%s</Message></Error><RequestId>%s</RequestId>'
                    '</ErrorResponse>' % (
                        ' xmlns="%s"' % ns if ns else "",
                        "Receiver" if e.status >= 500 else "Sender",
                        esc(e.code), esc(e.message), rid))
        return e.status, [("Content-Type", "text/xml"),
                          ("x-amzn-RequestId", rid)], body.encode()

    # -- IMDS and ECS --
    def _creds_json(self, c):
        return {"AccessKeyId": c.access_key_id,
                "SecretAccessKey": c.secret, "Token": c.token,
                "Expiration": iso(c.expiration, ms=False)}

    def _credential_fault(self, call):
        """fail_next() rules for IMDS/ECS: throttle -> 429, 500 -> 500,
        denied -> 403, expired -> 401."""
        kind = self._take(self._faults, call)
        if kind:
            call.fault = kind
            status = {"throttle": 429, "500": 500, "denied": 403,
                      "expired": 401}[kind]
            raise AWSError({429: "TooManyRequests", 500: "InternalError",
                            403: "Forbidden", 401: "Unauthorized"}[status],
                           "%d - injected fault" % status, status)

    def _imds_answer(self, call):
        call.service = call.protocol = "imds"
        call.action = "%s %s" % (call.method, call.path)
        call.region = self.imds["region"]
        text = "text/plain"
        base = "/latest/meta-data/iam/security-credentials"
        p = call.path
        call.operation = "PutToken" if p == "/latest/api/token" else \
            "GetRoleName" if p in (base, base + "/") else \
            "GetCredentials" if p.startswith(base + "/") else "GetMetadata"
        self._credential_fault(call)
        if call.path == "/latest/api/token":
            if call.method != "PUT":
                raise AWSError("MethodNotAllowed", "405 - Method Not "
                               "Allowed", 405)
            ttl = call.header("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                raise AWSError("BadRequest", "400 - Bad Request", 400)
            tok = "AQAEA" + secrets.token_urlsafe(42)
            self._imds_tokens[tok] = time.time() + int(ttl)
            return 200, [("Content-Type", text),
                         ("X-aws-ec2-metadata-token-ttl-seconds", ttl)], \
                tok.encode()
        if call.method != "GET":
            raise AWSError("MethodNotAllowed", "405 - Method Not Allowed",
                           405)
        tok = call.header("X-aws-ec2-metadata-token")
        if tok is None and not self.imds["v1"] or tok is not None and \
                self._imds_tokens.get(tok, 0) < time.time():
            raise AWSError("Unauthorized", "401 - Unauthorized", 401)
        role = self.imds["role"]
        acct = str(self.imds["account"] or self.default_account)
        if call.operation == "GetRoleName":
            return 200, [("Content-Type", text)], role.encode()
        if call.operation == "GetCredentials":
            if p[len(base) + 1:] != role:
                raise AWSError("NotFound", "404 - Not Found", 404)
            c = self._imds_creds
            if c is None or c.expiration <= time.time():
                c = self._imds_creds = self._issue(
                    "imds", acct, role, self.imds["instance_id"], 6 * 3600)
            j = {"Code": "Success", "LastUpdated": iso(time.time(), False),
                 "Type": "AWS-HMAC"}
            j.update(self._creds_json(c))
            call.account, call.role = acct, role
            return 200, [("Content-Type", text)], \
                json.dumps(j, indent=2).encode()
        region = self.imds["region"]
        docs = {
            "/latest/meta-data/placement/region": region,
            "/latest/meta-data/placement/availability-zone": region + "a",
            "/latest/meta-data/instance-id": self.imds["instance_id"],
            "/latest/dynamic/instance-identity/document": json.dumps({
                "accountId": acct, "region": region,
                "availabilityZone": region + "a",
                "instanceId": self.imds["instance_id"],
                "instanceType": "t3.micro", "imageId": "ami-0abcdef1234567890",
                "privateIp": "10.0.0.10", "architecture": "x86_64",
                "pendingTime": "2024-05-01T08:00:00Z",
                "version": "2017-09-30"},
                indent=2)}
        if p not in docs:
            raise AWSError("NotFound", "404 - Not Found", 404)
        return 200, [("Content-Type", text)], docs[p].encode()

    def _ecs_answer(self, call):
        call.service = call.protocol = "ecs"
        call.action = "%s %s" % (call.method, call.path)
        call.operation = "GetCredentials"
        self._credential_fault(call)
        if call.method != "GET":
            raise AWSError("MethodNotAllowed", "405 - Method Not Allowed",
                           405)
        if self.ecs_token is not None and \
                call.header("Authorization") != self.ecs_token:
            raise AWSError("Unauthorized", "401 - Unauthorized: the "
                           "Authorization header does not match", 401)
        acct = str(self.ecs_account or self.default_account)
        c = self._ecs_creds
        if c is None or c.expiration <= time.time():
            c = self._ecs_creds = self._issue("ecs", acct, self.ecs_role,
                                              "ecs-task", 6 * 3600)
        call.account, call.role = acct, self.ecs_role
        j = self._creds_json(c)
        j["RoleArn"] = "arn:aws:iam::%s:role/%s" % (acct, self.ecs_role)
        return 200, [("Content-Type", "application/json")], \
            json.dumps(j).encode()


# ==========================================================================
# standalone
# ==========================================================================

def main(argv=None):
    ap = argparse.ArgumentParser(description="fake AWS endpoint for fixitd")
    ap.add_argument("--port", type=int, default=4566)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--seed", help="seed JSON file (see the docstring)")
    ap.add_argument("--key", action="append", default=[],
                    metavar="AKID:SECRET", help="base keys (repeatable)")
    ap.add_argument("--account", default="123456789012")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    fake = FakeAWS(account_id=args.account, port=args.port, host=args.host)
    for k in args.key:
        akid, _, secret = k.partition(":")
        fake.add_key(akid, secret)
    if args.seed:
        fake.load_seed(args.seed)
    if not fake._creds:
        fake.add_key("AKIDFAKEAWS", "fakeaws-secret")
    fake.start()
    print("fakeaws: listening on %s" % fake.endpoint, flush=True)
    for c in fake._creds.values():
        print("fakeaws: keys %s / %s (account %s)" % (
            c.access_key_id, c.secret, c.account), flush=True)
    print("fakeaws: ECS token %r at %s; IMDS at %s" % (
        fake.ecs_token, fake.ecs_uri, fake.endpoint), flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            calls = fake.calls()
            if not args.quiet:
                for c in calls[seen:]:
                    print(c.summary(), flush=True)
            seen = len(calls)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
