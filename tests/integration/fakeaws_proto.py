"""fakeaws_proto.py - what every service of fakeaws.py shares: the action
registry, AWS errors, request parameters (EC2/Query flattening), XML
building, filters and pagination. Standard library only."""

import base64
import fnmatch
import json
import re
from xml.sax.saxutils import escape

EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
R53_NS = "https://route53.amazonaws.com/doc/2013-04-01/"
CF_NS = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

# service -> (protocol, API version, XML namespace)
SERVICES = {
    "ec2": ("ec2", "2016-11-15", EC2_NS),
    "iam": ("query", "2010-05-08",
            "https://iam.amazonaws.com/doc/2010-05-08/"),
    "sts": ("query", "2011-06-15",
            "https://sts.amazonaws.com/doc/2011-06-15/"),
    "rds": ("query", "2014-10-31", "http://rds.amazonaws.com/doc/2014-10-31/"),
    "monitoring": ("query", "2010-08-01",
                   "http://monitoring.amazonaws.com/doc/2010-08-01/"),
    "route53": ("rest", "2013-04-01", R53_NS),
    "cloudfront": ("rest", "2020-05-31", CF_NS),
    "cloudtrail": ("json", "2013-11-01", None),
    "s3": ("rest", "2006-03-01", "http://s3.amazonaws.com/doc/2006-03-01/"),
    "elb": ("query", "2012-06-01",
            "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"),
    "elbv2": ("query", "2015-12-01",
              "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"),
}
# Elastic Load Balancing signs both APIs as one service: the Version
# parameter tells them apart
ELB_VERSIONS = {"2012-06-01": "elb", "2015-12-01": "elbv2"}
GLOBAL_SERVICES = ("iam", "route53", "cloudfront")
CLOUDTRAIL_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
# JSON services: service -> (X-Amz-Target prefix, JSON version of the
# Content-Type application/x-amz-json-VERSION)
JSON_TARGETS = {"cloudtrail": (CLOUDTRAIL_TARGET, "1.1")}


def protocol(service):
    return SERVICES.get(service, ("query", None, None))[0]


class AWSError(Exception):
    """An AWS error answer: code, message, HTTP status."""

    def __init__(self, code, message, status=400):
        Exception.__init__(self, "%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status


# ---- the action registry ----------------------------------------------------

class Action:
    def __init__(self, service, name, fn, params, required, kind):
        self.service = service
        self.name = name
        self.fn = fn
        self.params = set(params) if params is not None else None
        self.required = tuple(required)
        self.kind = kind


ACTIONS = {}        # service -> {name: Action}   (ec2, query, json services)
ROUTES = []         # (service, method, compiled regex, Action)  (REST)


def action(service, name, params=(), required=()):
    """Register a handler for `name` of a form (EC2/Query) or JSON service.
    `params`: the accepted top-level parameter names (besides Action,
    Version and, for EC2, DryRun); None accepts anything. `required`:
    names that must be present. The handler gets a Ctx and returns the
    answer's inner XML (EC2: after requestId; Query: the Result content or
    None for no Result element) or, for JSON, a dict."""
    def deco(fn):
        ACTIONS.setdefault(service, {})[name] = Action(
            service, name, fn, params, required, protocol(service))
        return fn
    return deco


def route(service, method, pattern, name):
    """Register a REST handler: METHOD and a path regex (named groups go
    to ctx.match). The handler returns (status, xml text[, headers])."""
    def deco(fn):
        ROUTES.append((service, method, re.compile("^" + pattern + "$"),
                       Action(service, name, fn, None, (), "rest")))
        return fn
    return deco


def find_route(service, method, path):
    """(Action, match dict) for a REST request; (None, None) when no route
    matches; (None, methods) when only the method is wrong."""
    methods = []
    for svc, m, rx, act in ROUTES:
        if svc != service:
            continue
        mt = rx.match(path)
        if mt:
            if m == method:
                return act, mt.groupdict()
            methods.append(m)
    return None, (methods or None)


# ---- request parameters -----------------------------------------------------

def unflatten(params):
    """{"Filter.1.Name": "a", "Filter.1.Value.1": "b"} ->
    {"Filter": [{"Name": "a", "Value": ["b"]}]}: dotted keys become nested
    dicts, dicts whose keys are all numbers become lists (by index)."""
    root = {}
    for k, v in params.items():
        parts = k.split(".")
        d = root
        for p in parts[:-1]:
            nxt = d.get(p)
            if not isinstance(nxt, dict):
                nxt = d[p] = {}
            d = nxt
        if not isinstance(d.get(parts[-1]), dict):
            d[parts[-1]] = v
    return _listify(root)


def _listify(d):
    if not isinstance(d, dict):
        return d
    d = {k: _listify(v) for k, v in d.items()}
    if d and all(k.isdigit() for k in d):
        return [d[k] for k in sorted(d, key=int)]
    return d


def as_list(v):
    """A Query list: Tags.member.N / Tags.Tag.N (a one-key dict around a
    list) or a plain indexed list; None -> []; a scalar -> [scalar]."""
    if v is None:
        return []
    if isinstance(v, list):
        return v
    if isinstance(v, dict) and len(v) == 1:
        inner = next(iter(v.values()))
        if isinstance(inner, list):
            return inner
    return [v]


class Ctx:
    """What a handler gets: the request, the (possibly throw-away) account
    state, parameter helpers."""

    def __init__(self, fake, call, acct, region):
        self.fake = fake
        self.call = call
        self.acct = acct
        self.region = region
        self.params = call.params if isinstance(call.params, dict) else {}
        self.p = unflatten(self.params) if call.protocol in (
            "ec2", "query") else {}
        self.json = call.params if call.protocol == "json" else {}
        self.query = {}
        self.match = {}
        self.body = call.raw

    @property
    def reg(self):
        return self.acct.region(self.region)

    @property
    def service(self):
        return self.call.service

    def get(self, name, default=None):
        v = self.p.get(name, default)
        return v

    def str(self, name, default=None):
        v = self.p.get(name)
        if v is None:
            return default
        if not isinstance(v, str):
            raise invalid(self, name, v)
        return v

    def lst(self, name):
        return as_list(self.p.get(name))

    def int(self, name, default=None, lo=None, hi=None):
        v = self.p.get(name)
        if v is None:
            return default
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise invalid(self, name, v)
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise AWSError("InvalidParameterValue",
                           "Value (%s) for parameter %s is invalid. Must be "
                           "between %s and %s." % (v, name, lo, hi))
        return n

    def bool(self, name, default=False):
        v = self.p.get(name)
        if v is None:
            return default
        if not isinstance(v, str) or v.lower() not in ("true", "false"):
            raise invalid(self, name, v)
        return v.lower() == "true"

    def choice(self, name, allowed, default=None):
        v = self.str(name)
        if v is None:
            return default
        if v not in allowed:
            raise invalid(self, name, v)
        return v


def invalid(ctx, name, value):
    return AWSError("InvalidParameterValue",
                    "Value (%s) for parameter %s is invalid." % (value, name))


def missing(name, service="ec2"):
    if service in ("iam", "sts", "monitoring"):
        return AWSError("ValidationError",
                        "1 validation error detected: Value null at '%s' "
                        "failed to satisfy constraint: Member must not be "
                        "null" % (name[:1].lower() + name[1:]))
    return AWSError("MissingParameter", "The request must contain the "
                    "parameter %s" % name)


def check_params(act, ctx):
    """UnknownParameter / MissingParameter before the handler runs."""
    if act.params is not None:
        allowed = act.params | {"Action", "Version"}
        if act.service == "ec2":
            allowed |= {"DryRun"}
        for k in ctx.p:
            if k not in allowed:
                raise AWSError("UnknownParameter" if act.service == "ec2"
                               else "InvalidParameterValue" if
                               act.service == "rds" else "ValidationError",
                               "The parameter %s is not recognized" % k)
    for r in act.required:
        if ctx.p.get(r) in (None, "", [], {}):
            raise missing(r, act.service)


# ---- XML -------------------------------------------------------------------

class X(str):
    """Already built XML (not escaped again)."""


def esc(v):
    if isinstance(v, bool):
        v = "true" if v else "false"
    return escape(str(v))


def el(tag, *content):
    """<tag>content</tag>. Content items: X (inserted as is), lists/tuples of
    those, None (skipped), anything else (escaped text; True/False become
    true/false). No content at all gives <tag/>; "" gives <tag></tag>."""
    parts = []
    for c in content:
        if c is None:
            continue
        if isinstance(c, X):
            parts.append(c)
        elif isinstance(c, (list, tuple)):
            parts.extend(x for x in c if x is not None)
        else:
            parts.append(esc(c))
    if not parts:
        return X("<%s/>" % tag)
    return X("<%s>%s</%s>" % (tag, "".join(parts), tag))


def opt(tag, v):
    """<tag>v</tag>, or nothing when v is None."""
    return None if v is None else el(tag, v)


def items(tag, elements, item="item"):
    """<tag><item>..</item>...</tag> (EC2 lists); each element is the
    content of one <item> (X or list of X)."""
    return el(tag, [el(item, e) for e in elements])


def ec2_tags(tags, always=False):
    """<tagSet> of a {key: value} dict; None when empty (unless always)."""
    if not tags and not always:
        return None
    return items("tagSet", [[el("key", k), el("value", v)]
                            for k, v in tags.items()])


def xml_doc(body):
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


# ---- filters --------------------------------------------------------------

def ec2_filters(ctx):
    """[(name, [values])] from Filter.N.Name / Filter.N.Value.M."""
    out = []
    for f in ctx.lst("Filter"):
        if not isinstance(f, dict) or "Name" not in f:
            raise AWSError("InvalidParameterValue", "Filter without a Name")
        vals = as_list(f.get("Value"))
        out.append((f["Name"], [str(v) for v in vals]))
    return out


def match_filters(obj, filters, getters, tags_key="tags"):
    """True when obj passes every filter. getters: {filter name: fn(obj) ->
    list of values}; tag:KEY, tag-key, tag-value work on obj[tags_key].
    Values may use * and ? wildcards. Unknown filter names raise."""
    for name, values in filters:
        if name.startswith("tag:"):
            tags = obj.get(tags_key) or {}
            key = name[4:]
            have = [tags[key]] if key in tags else []
        elif name == "tag-key":
            have = list((obj.get(tags_key) or {}).keys())
        elif name == "tag-value":
            have = list((obj.get(tags_key) or {}).values())
        elif name in getters:
            have = [str(x).lower() if isinstance(x, bool) else str(x)
                    for x in getters[name](obj) if x is not None]
        else:
            raise AWSError("InvalidParameterValue",
                           "The filter '%s' is invalid" % name)
        if not any(fnmatch.fnmatchcase(h, v) for h in have for v in values):
            return False
    return True


# ---- pagination -------------------------------------------------------------

def _enc_token(op, offset):
    raw = b"\xfb\xff" + json.dumps({"op": op, "i": offset}).encode()
    return base64.b64encode(raw).decode()


def _dec_token(op, token):
    try:
        raw = base64.b64decode(token.encode(), validate=True)
        d = json.loads(raw[2:].decode())
        if raw[:2] != b"\xfb\xff" or d["op"] != op:
            raise ValueError
        return int(d["i"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def paginate(ctx, seq, size, token, bad_token_code="InvalidParameterValue"):
    """(page, next token or None) of list `seq` for the request's page
    `size` (None = everything) and `token` (None = start). The fake's
    page size for this operation (FakeAWS.set_page_size) caps `size`.
    Tokens are opaque base64 (with '+', '/' and '=' in them, to test the
    client's URL encoding)."""
    op = ctx.call.operation
    cap = ctx.fake.page_size_for(op)
    if cap:
        size = min(size, cap) if size else cap
    start = 0
    if token:
        start = _dec_token(op, token)
        if start is None or start > len(seq):
            raise AWSError(bad_token_code,
                           "Invalid pagination token: %s" % token)
    if not size:
        return seq[start:], None
    end = start + size
    return seq[start:end], (_enc_token(op, end) if end < len(seq) else None)
