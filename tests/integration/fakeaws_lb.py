"""fakeaws_lb.py - Elastic Load Balancing, classic (2012-06-01) and v2
(2015-12-01), as lb-unused reads and changes them, for fakeaws.py.
Standard library only.

Both APIs are signed as "elasticloadbalancing" (fakeaws.py checks SigV4
with that service name; the Version parameter picks elb or elbv2).
DescribeLoadBalancers of fakeaws_s3elb.py is replaced here by one that
answers the same (and more: CreatedTime, State, zones, groups,
instances) and pages (Marker / NextMarker, PageSize, the fake's
set_page_size).

State, on the Region (seeded with the helpers below; a load balancer
made by Region.add_load_balancer gets the defaults):
  load_balancers  {name: {name, kind, dns_name, arn, created, state,
                  scheme, subnets, security_groups, vpc_id, tags,
                  attributes (v2: {key: value}; classic: a nested
                  dict), instances (classic), listeners (classic:
                  [{Protocol, LoadBalancerPort, InstanceProtocol,
                  InstancePort, SSLCertificateId}]), health_check
                  (classic), allocations (NLB {subnet: EIP
                  allocation})}}
  lb_tgs          {arn: {arn, name, protocol, port, vpc_id, target_type,
                  lb_arns, targets [{id, port, state}]}}
  lb_listeners    {arn: {arn, lb_arn, port, protocol, ssl_policy,
                  certificates [arn], default_actions [action dicts in
                  AWS's shape], rules [{arn, priority, conditions,
                  actions}]}}

Helpers: add_lb(reg, name, kind, created, ...), add_tg(reg, name, lb,
targets), add_listener(reg, lb, port, protocol, tg, rules, ...).
"""

import time

from fakeaws_proto import AWSError, action, el, paginate
from fakeaws_state import DEFAULT_TIME, iso, parse_time

V2_KINDS = ("application", "network", "gateway")
V2_ATTRS = {"deletion_protection.enabled": "false",
            "idle_timeout.timeout_seconds": "60",
            "access_logs.s3.enabled": "false",
            "access_logs.s3.bucket": ""}


def _state(reg):
    if not hasattr(reg, "lb_tgs"):
        reg.lb_tgs = {}
        reg.lb_listeners = {}
    return reg


def _lock(reg):
    return reg.account.fake._lock


def _fill(reg, lb):
    """The fields a load balancer made elsewhere lacks."""
    classic = lb["kind"] == "classic"
    lb.setdefault("created", DEFAULT_TIME)
    lb.setdefault("state", "active")
    lb.setdefault("scheme", "internet-facing")
    lb.setdefault("subnets", ["subnet-0a1", "subnet-0b2"])
    lb.setdefault("security_groups", [] if lb["kind"] == "network"
                  else ["sg-0lb000001"])
    lb.setdefault("vpc_id", reg.default_vpc)
    lb.setdefault("tags", {})
    lb.setdefault("allocations", {})
    lb.setdefault("azs", [reg.name + "a", reg.name + "b"])
    lb.setdefault("ip_address_type", "ipv4")
    if classic:
        lb.setdefault("attributes", {
            "CrossZoneLoadBalancing": {"Enabled": "true"},
            "ConnectionDraining": {"Enabled": "false", "Timeout": "300"},
            "ConnectionSettings": {"IdleTimeout": "60"},
            "AccessLog": {"Enabled": "false"}})
        lb.setdefault("instances", [])
        lb.setdefault("listeners", [{"Protocol": "HTTP",
                                     "LoadBalancerPort": "80",
                                     "InstanceProtocol": "HTTP",
                                     "InstancePort": "80"}])
        lb.setdefault("health_check", {
            "Target": "HTTP:80/", "Interval": "30", "Timeout": "5",
            "UnhealthyThreshold": "2", "HealthyThreshold": "10"})
    else:
        lb.setdefault("attributes", dict(V2_ATTRS))
    return lb


def add_lb(reg, name, kind="application", created=None, tags=None,
           attributes=None, state="active", instances=(), scheme=None,
           allocations=None):
    """A load balancer with everything lb-unused reads; returns its dict.
    created: epoch or ISO 8601."""
    with _lock(reg):
        _state(reg)
        reg.add_load_balancer(name, kind)
        lb = reg.load_balancers[name]
        lb["created"] = parse_time(created) if created is not None \
            else DEFAULT_TIME
        lb["state"] = state
        lb["tags"] = dict(tags or {})
        if scheme:
            lb["scheme"] = scheme
        if allocations:
            lb["allocations"] = dict(allocations)
        _fill(reg, lb)
        if attributes:
            lb["attributes"].update(attributes)
        if kind == "classic":
            lb["instances"] = list(instances)
        return lb


def add_tg(reg, name, lb=None, targets=(), protocol="HTTP", port=80,
           tags=None):
    """A target group, attached to load balancer dict lb (or None);
    targets [(id, port, state)]. Returns its ARN."""
    with _lock(reg):
        _state(reg)
        tid = reg._id("", 16, "hex")
        arn = "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s" % (
            reg.name, reg.account.id, name, tid)
        reg.lb_tgs[arn] = {
            "arn": arn, "name": name, "protocol": protocol, "port": port,
            "vpc_id": reg.default_vpc, "target_type": "instance",
            "lb_arns": [lb["arn"]] if lb else [],
            "targets": [{"id": t[0], "port": t[1], "state": t[2]}
                        for t in targets],
            "attributes": {"deregistration_delay.timeout_seconds": "300",
                           "stickiness.enabled": "false"},
            "tags": dict(tags or {})}
        return arn


def forward(tg):
    return {"Type": "forward", "TargetGroupArn": tg, "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": tg, "Weight": "1"}]}}


def add_listener(reg, lb, port=80, protocol="HTTP", tg=None, rules=(),
                 certificates=(), ssl_policy=None, actions=None):
    """A listener of load balancer dict lb forwarding to tg (or actions);
    rules [(priority, conditions, actions)]; certificates: the default,
    then the extra ones. Returns its ARN."""
    with _lock(reg):
        _state(reg)
        lid = reg._id("", 16, "hex")
        arn = lb["arn"].replace(":loadbalancer/", ":listener/") + "/" + lid
        rs = []
        for i, (prio, conds, acts) in enumerate(rules):
            rs.append({"arn": arn.replace(":listener/", ":listener-rule/")
                       + "/r%d" % i, "priority": str(prio),
                       "conditions": conds, "actions": acts})
        reg.lb_listeners[arn] = {
            "arn": arn, "lb_arn": lb["arn"], "port": port,
            "protocol": protocol, "ssl_policy": ssl_policy,
            "certificates": list(certificates[:1]),
            "extra_certs": list(certificates[1:]),
            "default_actions": actions or [forward(tg)], "rules": rs}
        return arn


# ---- XML of AWS-shaped dicts -------------------------------------------------

def xml_of(tag, v):
    """dict -> elements, list -> <member>s, scalar -> text."""
    if isinstance(v, dict):
        return el(tag, [xml_of(k, x) for k, x in v.items()])
    if isinstance(v, list):
        return el(tag, [xml_of("member", x) for x in v])
    return el(tag, str(v))


def shape(v):
    """Unflattened Query parameters back into AWS's shape: {"member":
    [..]} -> [..], recursively."""
    if isinstance(v, dict):
        if set(v) == {"member"} and isinstance(v["member"], list):
            return [shape(x) for x in v["member"]]
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return v


def _lbs(ctx, kinds):
    return [_fill(ctx.reg, lb) for lb in ctx.reg.load_balancers.values()
            if lb["kind"] in kinds]


def _by_arn(ctx, arn):
    for lb in _lbs(ctx, V2_KINDS):
        if lb["arn"] == arn:
            return lb
    raise AWSError("LoadBalancerNotFound", "One or more load balancers not "
                   "found")


def _by_name(ctx, name):
    lb = ctx.reg.load_balancers.get(name)
    if lb is None or lb["kind"] != "classic":
        raise AWSError("LoadBalancerNotFound", "There is no ACTIVE Load "
                       "Balancer named '%s'" % name)
    return _fill(ctx.reg, lb)


def _page(ctx, seq):
    return paginate(ctx, seq, ctx.int("PageSize", None, 1, 400),
                    ctx.str("Marker"), "ValidationError")


def _next(token):
    return el("NextMarker", token) if token else None


def _tags_in(ctx):
    out = {}
    for t in shape(ctx.get("Tags")) or []:
        if not isinstance(t, dict) or not t.get("Key"):
            raise AWSError("ValidationError", "A tag without a Key")
        out[t["Key"]] = t.get("Value", "")
    if len(out) > 50:
        raise AWSError("TooManyTags", "More than 50 tags")
    return out


def _tag_xml(tags):
    return el("Tags", [el("member", el("Key", k), el("Value", v))
                       for k, v in tags.items()])


# ---- classic ---------------------------------------------------------------

def _classic_xml(lb):
    return el("member", [
        el("LoadBalancerName", lb["name"]), el("DNSName", lb["dns_name"]),
        el("CanonicalHostedZoneNameID", "Z32O12XQLNTSW2"),
        el("ListenerDescriptions", [el("member", xml_of("Listener", li),
                                       el("PolicyNames"))
                                    for li in lb["listeners"]]),
        el("AvailabilityZones", [el("member", z) for z in lb["azs"]]),
        el("Subnets", [el("member", s) for s in lb["subnets"]]),
        el("VPCId", lb["vpc_id"]),
        el("Instances", [el("member", el("InstanceId", i))
                         for i in lb["instances"]]),
        xml_of("HealthCheck", lb["health_check"]),
        el("SecurityGroups", [el("member", g)
                              for g in lb["security_groups"]]),
        el("CreatedTime", iso(lb["created"])),
        el("Scheme", lb["scheme"])])


@action("elb", "DescribeLoadBalancers", ("LoadBalancerNames", "Marker",
                                         "PageSize"))
def elb_describe(ctx):
    names = [str(n) for n in ctx.lst("LoadBalancerNames")]
    lbs = [_by_name(ctx, n) for n in names] if names else \
        _lbs(ctx, ("classic",))
    page, token = _page(ctx, lbs)
    return [el("LoadBalancerDescriptions", [_classic_xml(lb)
                                            for lb in page]), _next(token)]


@action("elb", "DescribeTags", ("LoadBalancerNames",), ("LoadBalancerNames",))
def elb_tags(ctx):
    lbs = [_by_name(ctx, str(n)) for n in ctx.lst("LoadBalancerNames")]
    return [el("TagDescriptions", [el("member", el("LoadBalancerName",
                                                   lb["name"]),
                                      _tag_xml(lb["tags"])) for lb in lbs])]


@action("elb", "DescribeLoadBalancerAttributes", ("LoadBalancerName",),
        ("LoadBalancerName",))
def elb_attrs(ctx):
    lb = _by_name(ctx, ctx.str("LoadBalancerName"))
    return [xml_of("LoadBalancerAttributes", lb["attributes"])]


@action("elb", "AddTags", ("LoadBalancerNames", "Tags"),
        ("LoadBalancerNames", "Tags"))
def elb_add_tags(ctx):
    tags = _tags_in(ctx)
    with ctx.fake._lock:
        for n in ctx.lst("LoadBalancerNames"):
            _by_name(ctx, str(n))["tags"].update(tags)
    return []


@action("elb", "DeleteLoadBalancer", ("LoadBalancerName",),
        ("LoadBalancerName",))
def elb_delete(ctx):
    name = ctx.str("LoadBalancerName")
    with ctx.fake._lock:
        lb = ctx.reg.load_balancers.get(name)
        if lb is not None and lb["kind"] == "classic":
            del ctx.reg.load_balancers[name]
    return []


@action("elb", "CreateLoadBalancer", ("LoadBalancerName", "Listeners",
                                      "AvailabilityZones", "Subnets",
                                      "SecurityGroups", "Scheme", "Tags"),
        ("LoadBalancerName", "Listeners"))
def elb_create(ctx):
    name = ctx.str("LoadBalancerName")
    listeners = shape(ctx.get("Listeners"))
    subnets = [str(s) for s in ctx.lst("Subnets")]
    azs = [str(s) for s in ctx.lst("AvailabilityZones")]
    if not subnets and not azs:
        raise AWSError("ValidationError", "Either AvailabilityZones or "
                       "SubnetIds must be specified")
    for li in listeners:
        for k in ("Protocol", "LoadBalancerPort", "InstancePort"):
            if k not in li:
                raise AWSError("ValidationError", "Listener without %s" % k)
    tags = _tags_in(ctx)
    with ctx.fake._lock:
        if name in ctx.reg.load_balancers:
            raise AWSError("DuplicateLoadBalancerName", "Load balancer "
                           "name '%s' is already in use" % name)
        add_lb(ctx.reg, name, "classic", created=time.time(), tags=tags,
               scheme=ctx.str("Scheme"))
        lb = ctx.reg.load_balancers[name]
        lb["listeners"] = listeners
        lb["subnets"] = subnets
        lb["azs"] = azs
        lb["security_groups"] = [str(g) for g in ctx.lst("SecurityGroups")]
    return [el("DNSName", lb["dns_name"])]


@action("elb", "ConfigureHealthCheck", ("LoadBalancerName", "HealthCheck"),
        ("LoadBalancerName", "HealthCheck"))
def elb_health_check(ctx):
    hc = shape(ctx.get("HealthCheck"))
    for k in ("Target", "Interval", "Timeout", "UnhealthyThreshold",
              "HealthyThreshold"):
        if k not in hc:
            raise AWSError("ValidationError", "HealthCheck without %s" % k)
    with ctx.fake._lock:
        _by_name(ctx, ctx.str("LoadBalancerName"))["health_check"] = hc
    return [xml_of("HealthCheck", hc)]


@action("elb", "ModifyLoadBalancerAttributes", ("LoadBalancerName",
                                                "LoadBalancerAttributes"),
        ("LoadBalancerName", "LoadBalancerAttributes"))
def elb_modify_attrs(ctx):
    attrs = shape(ctx.get("LoadBalancerAttributes"))
    with ctx.fake._lock:
        lb = _by_name(ctx, ctx.str("LoadBalancerName"))
        for k, v in attrs.items():
            lb["attributes"][k] = v
    return [el("LoadBalancerName", lb["name"]),
            xml_of("LoadBalancerAttributes", lb["attributes"])]


# ---- v2 ---------------------------------------------------------------------

def _v2_xml(ctx, lb):
    azs = []
    for i, s in enumerate(lb["subnets"]):
        alloc = lb["allocations"].get(s)
        addr = el("LoadBalancerAddresses", el("member", el(
            "IpAddress", "198.51.100.%d" % (i + 10)),
            el("AllocationId", alloc))) if alloc else None
        azs.append(el("member", el("ZoneName", "%s%s" % (
            ctx.reg.name, "abc"[i % 3])), el("SubnetId", s), addr))
    return el("member", [
        el("LoadBalancerArn", lb["arn"]), el("DNSName", lb["dns_name"]),
        el("CanonicalHostedZoneId", "Z32O12XQLNTSW2"),
        el("CreatedTime", iso(lb["created"])),
        el("LoadBalancerName", lb["name"]), el("Scheme", lb["scheme"]),
        el("VpcId", lb["vpc_id"]), el("State", el("Code", lb["state"])),
        el("Type", lb["kind"]), el("AvailabilityZones", azs),
        el("SecurityGroups", [el("member", g)
                              for g in lb["security_groups"]])
        if lb["security_groups"] else None,
        el("IpAddressType", lb["ip_address_type"])])


@action("elbv2", "DescribeLoadBalancers", ("LoadBalancerArns", "Names",
                                           "Marker", "PageSize"))
def elbv2_describe(ctx):
    names = [str(n) for n in ctx.lst("Names")]
    arns = [str(a) for a in ctx.lst("LoadBalancerArns")]
    lbs = _lbs(ctx, V2_KINDS)
    if names:
        missing = [n for n in names if not any(lb["name"] == n
                                               for lb in lbs)]
        if missing:
            raise AWSError("LoadBalancerNotFound", "Load balancers '[%s]' "
                           "not found" % missing[0])
        lbs = [lb for lb in lbs if lb["name"] in names]
    if arns:
        lbs = [_by_arn(ctx, a) for a in arns]
    page, token = _page(ctx, lbs)
    return [el("LoadBalancers", [_v2_xml(ctx, lb) for lb in page]),
            _next(token)]


@action("elbv2", "DescribeTags", ("ResourceArns",), ("ResourceArns",))
def elbv2_tags(ctx):
    out = []
    for a in ctx.lst("ResourceArns"):
        tg = _state(ctx.reg).lb_tgs.get(str(a))
        obj = tg if tg is not None else _by_arn(ctx, str(a))
        out.append(el("member", el("ResourceArn", obj["arn"]),
                      _tag_xml(obj["tags"])))
    return [el("TagDescriptions", out)]


@action("elbv2", "DescribeLoadBalancerAttributes", ("LoadBalancerArn",),
        ("LoadBalancerArn",))
def elbv2_attrs(ctx):
    lb = _by_arn(ctx, ctx.str("LoadBalancerArn"))
    return [el("Attributes", [el("member", el("Key", k), el("Value", v))
                              for k, v in lb["attributes"].items()])]


@action("elbv2", "ModifyLoadBalancerAttributes", ("LoadBalancerArn",
                                                  "Attributes"),
        ("LoadBalancerArn", "Attributes"))
def elbv2_modify_attrs(ctx):
    with ctx.fake._lock:
        lb = _by_arn(ctx, ctx.str("LoadBalancerArn"))
        for a in shape(ctx.get("Attributes")):
            if not a.get("Key") or not a.get("Value"):
                raise AWSError("ValidationError", "An attribute without "
                               "a Key or a Value")
            lb["attributes"][a["Key"]] = a.get("Value", "")
    return elbv2_attrs(ctx)


@action("elbv2", "AddTags", ("ResourceArns", "Tags"), ("ResourceArns",
                                                       "Tags"))
def elbv2_add_tags(ctx):
    tags = _tags_in(ctx)
    with ctx.fake._lock:
        for a in ctx.lst("ResourceArns"):
            _by_arn(ctx, str(a))["tags"].update(tags)
    return []


@action("elbv2", "DeleteLoadBalancer", ("LoadBalancerArn",),
        ("LoadBalancerArn",))
def elbv2_delete(ctx):
    with ctx.fake._lock:
        lb = _by_arn(ctx, ctx.str("LoadBalancerArn"))
        st = _state(ctx.reg)
        del ctx.reg.load_balancers[lb["name"]]
        for arn in [a for a, li in st.lb_listeners.items()
                    if li["lb_arn"] == lb["arn"]]:
            del st.lb_listeners[arn]
        for tg in st.lb_tgs.values():
            if lb["arn"] in tg["lb_arns"]:
                tg["lb_arns"].remove(lb["arn"])
    return []


@action("elbv2", "CreateLoadBalancer", ("Name", "Subnets", "SubnetMappings",
                                        "SecurityGroups", "Scheme", "Tags",
                                        "Type", "IpAddressType"), ("Name",))
def elbv2_create(ctx):
    name = ctx.str("Name")
    kind = ctx.choice("Type", V2_KINDS, "application")
    subnets = [str(s) for s in ctx.lst("Subnets")]
    maps = shape(ctx.get("SubnetMappings")) or []
    if subnets and maps or not subnets and not maps:
        raise AWSError("ValidationError", "Specify Subnets or "
                       "SubnetMappings, not both")
    tags = _tags_in(ctx)
    with ctx.fake._lock:
        if name in ctx.reg.load_balancers:
            raise AWSError("DuplicateLoadBalancerName", "A load balancer "
                           "with the same name '%s' exists" % name)
        lb = add_lb(ctx.reg, name, kind, created=time.time(), tags=tags,
                    scheme=ctx.str("Scheme"))
        lb["subnets"] = subnets or [m["SubnetId"] for m in maps]
        lb["allocations"] = {m["SubnetId"]: m["AllocationId"] for m in maps
                             if m.get("AllocationId")}
        lb["security_groups"] = [str(g) for g in ctx.lst("SecurityGroups")]
        lb["ip_address_type"] = ctx.str("IpAddressType", "ipv4")
    return [el("LoadBalancers", [_v2_xml(ctx, lb)])]


def _tg_xml(tg):
    return el("member", [
        el("TargetGroupArn", tg["arn"]), el("TargetGroupName", tg["name"]),
        el("Protocol", tg["protocol"]), el("Port", tg["port"]),
        el("VpcId", tg["vpc_id"]), el("HealthCheckProtocol", "HTTP"),
        el("HealthCheckPort", "traffic-port"),
        el("HealthCheckEnabled", "true"),
        el("HealthCheckIntervalSeconds", "30"),
        el("HealthCheckTimeoutSeconds", "5"),
        el("HealthyThresholdCount", "5"),
        el("UnhealthyThresholdCount", "2"), el("HealthCheckPath", "/"),
        el("Matcher", el("HttpCode", "200")),
        el("LoadBalancerArns", [el("member", a) for a in tg["lb_arns"]]),
        el("TargetType", tg["target_type"]),
        el("ProtocolVersion", "HTTP1"), el("IpAddressType", "ipv4")])


@action("elbv2", "DescribeTargetGroups", ("LoadBalancerArn",
                                          "TargetGroupArns", "Names",
                                          "Marker", "PageSize"))
def elbv2_tgs(ctx):
    tgs = list(_state(ctx.reg).lb_tgs.values())
    lb = ctx.str("LoadBalancerArn")
    if lb:
        _by_arn(ctx, lb)
        tgs = [t for t in tgs if lb in t["lb_arns"]]
    arns = [str(a) for a in ctx.lst("TargetGroupArns")]
    if arns:
        if any(a not in ctx.reg.lb_tgs for a in arns):
            raise AWSError("TargetGroupNotFound", "One or more target "
                           "groups not found")
        tgs = [ctx.reg.lb_tgs[a] for a in arns]
    page, token = _page(ctx, tgs)
    return [el("TargetGroups", [_tg_xml(t) for t in page]), _next(token)]


@action("elbv2", "DescribeTargetHealth", ("TargetGroupArn", "Targets",
                                          "Include"), ("TargetGroupArn",))
def elbv2_health(ctx):
    tg = _state(ctx.reg).lb_tgs.get(ctx.str("TargetGroupArn"))
    if tg is None:
        raise AWSError("TargetGroupNotFound", "Target groups not found")
    return [el("TargetHealthDescriptions", [el("member", el("Target", el(
        "Id", t["id"]), el("Port", t["port"])), el("TargetHealth", el(
            "State", t["state"]))) for t in tg["targets"]])]


@action("elbv2", "CreateTargetGroup", None, ("Name",))
def elbv2_create_tg(ctx):
    name = ctx.str("Name")
    with ctx.fake._lock:
        if any(t["name"] == name for t in _state(ctx.reg).lb_tgs.values()):
            raise AWSError("DuplicateTargetGroupName", "A target group "
                           "with the same name '%s' exists" % name)
        arn = add_tg(ctx.reg, name, protocol=ctx.str("Protocol", "HTTP"),
                     port=ctx.int("Port", 80), tags=_tags_in(ctx))
        ctx.reg.lb_tgs[arn]["created_with"] = dict(ctx.params)
    return [el("TargetGroups", [_tg_xml(ctx.reg.lb_tgs[arn])])]


@action("elbv2", "RegisterTargets", ("TargetGroupArn", "Targets"),
        ("TargetGroupArn", "Targets"))
def elbv2_register(ctx):
    with ctx.fake._lock:
        tg = _state(ctx.reg).lb_tgs.get(ctx.str("TargetGroupArn"))
        if tg is None:
            raise AWSError("TargetGroupNotFound", "Target groups not found")
        for t in shape(ctx.get("Targets")):
            tg["targets"].append({"id": t["Id"], "port": t.get("Port"),
                                  "state": "initial"})
    return []


def _listener_xml(li):
    return el("member", [
        el("ListenerArn", li["arn"]), el("LoadBalancerArn", li["lb_arn"]),
        el("Port", li["port"]), el("Protocol", li["protocol"]),
        el("Certificates", [el("member", el("CertificateArn", c))
                            for c in li["certificates"]])
        if li["certificates"] else None,
        el("SslPolicy", li["ssl_policy"]) if li["ssl_policy"] else None,
        xml_of("DefaultActions", li["default_actions"])])


@action("elbv2", "DescribeListeners", ("LoadBalancerArn", "ListenerArns",
                                       "Marker", "PageSize"))
def elbv2_listeners(ctx):
    lb = ctx.str("LoadBalancerArn")
    if lb:
        _by_arn(ctx, lb)
    ls = [li for li in _state(ctx.reg).lb_listeners.values()
          if not lb or li["lb_arn"] == lb]
    page, token = _page(ctx, ls)
    return [el("Listeners", [_listener_xml(li) for li in page]),
            _next(token)]


def _rule_xml(r, default=False):
    return el("member", [
        el("RuleArn", r["arn"]), el("Priority", r["priority"]),
        xml_of("Conditions", r["conditions"]),
        xml_of("Actions", r["actions"]), el("IsDefault", default)])


@action("elbv2", "DescribeRules", ("ListenerArn", "RuleArns", "Marker",
                                   "PageSize"))
def elbv2_rules(ctx):
    li = _listener(ctx)
    rules = [_rule_xml(r) for r in li["rules"]] + [_rule_xml({
        "arn": li["arn"].replace(":listener/", ":listener-rule/") + "/def",
        "priority": "default", "conditions": [],
        "actions": li["default_actions"]}, True)]
    page, token = _page(ctx, rules)
    return [el("Rules", page), _next(token)]


def _actions_in(ctx, name):
    acts = shape(ctx.get(name))
    if not isinstance(acts, list) or not acts:
        raise AWSError("ValidationError", "%s must not be empty" % name)
    for a in acts:
        arns = [a.get("TargetGroupArn")] + [
            t.get("TargetGroupArn") for t in
            (a.get("ForwardConfig") or {}).get("TargetGroups", [])]
        for arn in arns:
            if arn and arn not in ctx.reg.lb_tgs:
                raise AWSError("TargetGroupNotFound", "Target group '%s' "
                               "not found" % arn)
    return acts


@action("elbv2", "CreateListener", ("LoadBalancerArn", "Protocol", "Port",
                                    "SslPolicy", "Certificates",
                                    "DefaultActions", "AlpnPolicy", "Tags"),
        ("LoadBalancerArn", "DefaultActions"))
def elbv2_create_listener(ctx):
    with ctx.fake._lock:
        lb = _by_arn(ctx, ctx.str("LoadBalancerArn"))
        _state(ctx.reg)
        acts = _actions_in(ctx, "DefaultActions")
        certs = [c["CertificateArn"] for c in
                 shape(ctx.get("Certificates")) or []]
        proto = ctx.str("Protocol", "HTTP")
        if proto in ("HTTPS", "TLS") and not certs:
            raise AWSError("CertificateNotFound", "A certificate is "
                           "required for %s" % proto)
        arn = add_listener(ctx.reg, lb, ctx.int("Port"), proto,
                           certificates=certs, actions=acts,
                           ssl_policy=ctx.str("SslPolicy"))
    return [el("Listeners", [_listener_xml(ctx.reg.lb_listeners[arn])])]


@action("elbv2", "CreateRule", ("ListenerArn", "Conditions", "Priority",
                                "Actions", "Tags"),
        ("ListenerArn", "Conditions", "Priority", "Actions"))
def elbv2_create_rule(ctx):
    with ctx.fake._lock:
        li = _state(ctx.reg).lb_listeners.get(ctx.str("ListenerArn"))
        if li is None:
            raise AWSError("ListenerNotFound", "Listener not found")
        conds = shape(ctx.get("Conditions"))
        for c in conds:
            if "Values" in c and any(k.endswith("Config") for k in c):
                raise AWSError("ValidationError", "You cannot specify both "
                               "'Values' and a condition configuration")
        prio = str(ctx.int("Priority", None, 1, 50000))
        if any(r["priority"] == prio for r in li["rules"]):
            raise AWSError("PriorityInUse", "Priority '%s' is in use" % prio)
        r = {"arn": li["arn"].replace(":listener/", ":listener-rule/") +
             "/n%d" % len(li["rules"]), "priority": prio,
             "conditions": conds, "actions": _actions_in(ctx, "Actions")}
        li["rules"].append(r)
    return [el("Rules", [_rule_xml(r)])]


def _tg(ctx):
    tg = _state(ctx.reg).lb_tgs.get(ctx.str("TargetGroupArn"))
    if tg is None:
        raise AWSError("TargetGroupNotFound", "Target groups not found")
    return tg


def _attr_xml(attrs):
    return el("Attributes", [el("member", el("Key", k), el("Value", v))
                             for k, v in attrs.items()])


@action("elbv2", "DescribeTargetGroupAttributes", ("TargetGroupArn",),
        ("TargetGroupArn",))
def elbv2_tg_attrs(ctx):
    return [_attr_xml(_tg(ctx)["attributes"])]


@action("elbv2", "ModifyTargetGroupAttributes", ("TargetGroupArn",
                                                 "Attributes"),
        ("TargetGroupArn", "Attributes"))
def elbv2_tg_modify_attrs(ctx):
    with ctx.fake._lock:
        tg = _tg(ctx)
        for a in shape(ctx.get("Attributes")):
            if not a.get("Key") or not a.get("Value"):
                raise AWSError("ValidationError", "An attribute without "
                               "a Key or a Value")
            tg["attributes"][a["Key"]] = a.get("Value", "")
    return [_attr_xml(tg["attributes"])]


def _listener(ctx):
    li = _state(ctx.reg).lb_listeners.get(ctx.str("ListenerArn"))
    if li is None:
        raise AWSError("ListenerNotFound", "One or more listeners not found")
    return li


@action("elbv2", "DescribeListenerCertificates", ("ListenerArn", "Marker",
                                                  "PageSize"),
        ("ListenerArn",))
def elbv2_listener_certs(ctx):
    li = _listener(ctx)
    certs = [(c, True) for c in li["certificates"]] + \
        [(c, False) for c in li["extra_certs"]]
    page, token = _page(ctx, certs)
    return [el("Certificates", [el("member", el("CertificateArn", c),
                                   el("IsDefault", d)) for c, d in page]),
            _next(token)]


@action("elbv2", "AddListenerCertificates", ("ListenerArn", "Certificates"),
        ("ListenerArn", "Certificates"))
def elbv2_add_listener_certs(ctx):
    with ctx.fake._lock:
        li = _listener(ctx)
        for c in shape(ctx.get("Certificates")):
            if set(c) != {"CertificateArn"}:
                raise AWSError("ValidationError", "Certificates take "
                               "CertificateArn only here")
            if c["CertificateArn"] not in li["extra_certs"]:
                li["extra_certs"].append(c["CertificateArn"])
    return [el("Certificates", [el("member", el("CertificateArn", c))
                                for c in li["extra_certs"]])]
