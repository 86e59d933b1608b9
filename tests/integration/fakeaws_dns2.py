"""fakeaws_dns2.py - what dangling-dns asks about the host names AWS hands
out, beyond buckets and load balancers (fakeaws_s3elb.py), for
fakeaws.py. Standard library only.

  apigateway        REST-JSON, signed "apigateway" (v1 and v2 share the
                    host and the signing name; the path tells them apart)
    GET /domainnames?limit=N&position=P          GetDomainNames (v1)
        -> {"item": [{domainName, regionalDomainName,
            distributionDomainName, ...}], "position"}
    GET /v2/domainnames?maxResults=N&nextToken=T GetDomainNames (v2)
        -> {"items": [{domainName, domainNameConfigurations:
            [{apiGatewayDomainName, endpointType, ...}]}], "nextToken"}
  elasticbeanstalk  Query 2010-12-01
    DescribeEnvironments (IncludeDeleted, NextToken, MaxRecords, ...)
    CheckDNSAvailability (CNAMEPrefix): Available is false when an
        environment of any account in the region has the prefix, or the
        prefix is in FakeAWS.eb_reserved (held elsewhere / reserved)

State (added to fakeaws_state's Region; seeds "apigw_domains",
"eb_environments"):
  Region.apigw_domains  {name: {domain_name, version 1|2, endpoint
                        "REGIONAL"|"EDGE", regional_domain_name,
                        distribution_domain_name}}
  Region.eb_environments {id: {id, name, application, cname, status}}
Every listing pages (fakeaws_proto.paginate: FakeAWS.set_page_size on
"GetDomainNames" / "DescribeEnvironments").
"""

import json

import fakeaws_state
from fakeaws_proto import SERVICES, AWSError, action, el, paginate, route

SERVICES["apigateway"] = ("rest", None, None)
SERVICES["elasticbeanstalk"] = (
    "query", "2010-12-01",
    "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/")


# ---- state ------------------------------------------------------------------

def _apigw_domains(reg):
    if not hasattr(reg, "apigw_domains"):
        reg.apigw_domains = {}
    return reg.apigw_domains


def _eb_envs(reg):
    if not hasattr(reg, "eb_environments"):
        reg.eb_environments = {}
    return reg.eb_environments


def add_apigw_domain(self, domain_name, version=1, endpoint="REGIONAL",
                     target=None):
    """A custom domain; `target` its d-... / dNNN.cloudfront.net host
    (made up from the name when not given). Returns the target."""
    tag = "%08x" % (abs(hash(domain_name)) & 0xffffffff)
    if target is None:
        target = ("d-%s.execute-api.%s.amazonaws.com" % (tag, self.name)
                  if endpoint == "REGIONAL" else "d%s.cloudfront.net" % tag)
    _apigw_domains(self)[domain_name] = {
        "domain_name": domain_name, "version": int(version),
        "endpoint": endpoint,
        "regional_domain_name": target if endpoint == "REGIONAL" else None,
        "distribution_domain_name": target if endpoint == "EDGE" else None}
    return target


def add_eb_environment(self, name, cname_prefix=None, application="my-app",
                       status="Ready", env_id=None):
    """An environment; its CNAME PREFIX.REGION.elasticbeanstalk.com.
    Returns the id."""
    envs = _eb_envs(self)
    eid = env_id or "e-%010d" % (len(envs) + 1)
    envs[eid] = {"id": eid, "name": name, "application": application,
                 "status": status,
                 "cname": "%s.%s.elasticbeanstalk.com"
                          % (cname_prefix or name, self.name)}
    return eid


fakeaws_state.Region.add_apigw_domain = add_apigw_domain
fakeaws_state.Region.add_eb_environment = add_eb_environment
fakeaws_state.REGION_SEEDS = fakeaws_state.REGION_SEEDS + (
    ("apigw_domains", "add_apigw_domain"),
    ("eb_environments", "add_eb_environment"))


# ---- API Gateway (REST-JSON) ------------------------------------------------

def _json(doc):
    return 200, json.dumps(doc), [("Content-Type", "application/json")]


def _int_query(ctx, name, hi):
    v = ctx.query.get(name)
    if v is None:
        return None
    try:
        n = int(v)
    except ValueError:
        raise AWSError("BadRequestException", "%s must be a number" % name)
    if n < 1 or n > hi:
        raise AWSError("BadRequestException", "%s out of range" % name)
    return n


def _domains(ctx, version):
    return [d for d in _apigw_domains(ctx.reg).values()
            if d["version"] == version]


@route("apigateway", "GET", r"/domainnames", "GetDomainNames")
def apigw_v1_domains(ctx):
    page, nxt = paginate(ctx, _domains(ctx, 1), _int_query(ctx, "limit", 500),
                         ctx.query.get("position"), "BadRequestException")
    items = [{"domainName": d["domain_name"],
              "endpointConfiguration": {"types": [d["endpoint"]]},
              "regionalDomainName": d["regional_domain_name"],
              "distributionDomainName": d["distribution_domain_name"],
              "domainNameStatus": "AVAILABLE"} for d in page]
    doc = {"item": [{k: v for k, v in i.items() if v is not None}
                    for i in items]}
    if nxt:
        doc["position"] = nxt
    return _json(doc)


@route("apigateway", "GET", r"/v2/domainnames", "GetDomainNames")
def apigw_v2_domains(ctx):
    size = ctx.query.get("maxResults")
    page, nxt = paginate(ctx, _domains(ctx, 2), int(size) if size else None,
                         ctx.query.get("nextToken"), "BadRequestException")
    doc = {"items": [{
        "domainName": d["domain_name"],
        "domainNameConfigurations": [{
            "apiGatewayDomainName": d["regional_domain_name"] or
            d["distribution_domain_name"],
            "endpointType": d["endpoint"],
            "domainNameStatus": "AVAILABLE"}]} for d in page]}
    if nxt:
        doc["nextToken"] = nxt
    return _json(doc)


# ---- Elastic Beanstalk (Query) ----------------------------------------------

@action("elasticbeanstalk", "DescribeEnvironments", (
    "ApplicationName", "VersionLabel", "EnvironmentIds", "EnvironmentNames",
    "IncludeDeleted", "IncludedDeletedBackTo", "MaxRecords", "NextToken"))
def eb_describe(ctx):
    envs = list(_eb_envs(ctx.reg).values())
    if ctx.str("IncludeDeleted", "true") == "false":
        envs = [e for e in envs if e["status"] != "Terminated"]
    page, nxt = paginate(ctx, envs, ctx.int("MaxRecords", None, 1, 1000),
                         ctx.str("NextToken"))
    out = [el("Environments", [el("member", [
        el("EnvironmentName", e["name"]), el("EnvironmentId", e["id"]),
        el("ApplicationName", e["application"]), el("CNAME", e["cname"]),
        el("Status", e["status"]), el("Health", "Green")])
        for e in page])]
    if nxt:
        out.append(el("NextToken", nxt))
    return out


@action("elasticbeanstalk", "CheckDNSAvailability", ("CNAMEPrefix",),
        ("CNAMEPrefix",))
def eb_check_dns(ctx):
    prefix = ctx.str("CNAMEPrefix").lower()
    cname = "%s.%s.elasticbeanstalk.com" % (prefix, ctx.region)
    taken = prefix in getattr(ctx.fake, "eb_reserved", set())
    for a in ctx.fake.accounts.values():
        for e in _eb_envs(a.region(ctx.region)).values():
            if e["status"] != "Terminated" and e["cname"] == cname:
                taken = True
    out = [el("Available", "false" if taken else "true")]
    if not taken:
        out.append(el("FullyQualifiedCNAME", cname))
    return out
