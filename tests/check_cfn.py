"""check_cfn.py ROOT - the CloudFormation templates of deploy/cloudformation
and the EventBridge patterns of deploy/eventbridge, offline (cfnlib.py):

1. the templates are what gen.py writes from deploy/iam/*.json and
   deploy/eventbridge/*-pattern.json (no drift between the copies);
2. each template passes cfnlib.lint: known resource types with their
   required and allowed properties, every Ref / GetAtt / Condition
   resolving, IAM documents well formed and within size;
3. resolved per region and parameters: the IAM rule exists in us-east-1
   only (GlobalServiceRule=auto), the dead-letter queue's policy names
   exactly the rules created, the destination is URL/v1/events whether
   or not the URL ends in '/', the member roles trust the hub role with
   the ExternalId;
4. the patterns against events: every event fixitd acts on (the samples of
   tests/data/events and the cases of tests/data/ev-actions whose actions
   are not "(none)", and every call ev_act.c names) matches a rule;
   failed calls (errorCode), read-only calls (Describe*/List*/Get*) and
   calls fixitd ignores match none; every EC2 name in the pattern is one
   ev_act.c acts on; Security Hub findings of rules fixitd maps match,
   resolved ones (PASSED, ARCHIVED) included, unmapped ones do not when
   the rule keys are given.
"""

import copy
import glob
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cfnlib  # noqa: E402

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
CFN = os.path.join(ROOT, "deploy", "cloudformation")
EB = os.path.join(ROOT, "deploy", "eventbridge")
DATA = os.path.join(ROOT, "tests", "data")
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_generated():
    p = subprocess.run([sys.executable, os.path.join(CFN, "gen.py"),
                        "--check"], capture_output=True, text=True)
    check(p.returncode == 0, "templates out of date: %s" % p.stderr.strip())
    # a placeholder gen.py does not know (a rewritten trust policy) stops it
    sys.path.insert(0, CFN)
    import gen
    try:
        gen.subst({"Principal": {"AWS": "arn:aws:iam::HUB_ACCOUNT_ID:role/"
                                 "OTHER_ROLE_NAME"}}, "trust-policy.json")
        check(False, "gen.py took an unknown placeholder")
    except SystemExit as e:
        check("OTHER_ROLE_NAME" in str(e), "gen.py: %s" % e)


def test_lint():
    for path in sorted(glob.glob(os.path.join(CFN, "*.yaml"))):
        tpl = cfnlib.load(path)
        for e in cfnlib.lint(tpl):
            check(False, "%s: %s" % (os.path.basename(path), e))
        check(True, "lint " + path)
    # the linter itself catches what it is for
    bad = cfnlib.load(os.path.join(CFN, "fixit-events.yaml"))
    bad["Resources"]["DeadLetterQueue"]["Properties"]["Retention"] = 1
    bad["Resources"]["Ec2Rule"]["Properties"]["Targets"][0]["Arn"] = \
        {"Fn::GetAtt": ["ApiDestination", "Url"]}
    bad["Resources"]["InvokeRole"]["Properties"]["Policies"][0][
        "PolicyDocument"]["Statement"][0]["Resource"] = {"Ref": "Nope"}
    del bad["Resources"]["ApiDestination"]["Properties"]["HttpMethod"]
    errs = "\n".join(cfnlib.lint(bad))
    for want in ("Retention not allowed", "ApiDestination.Url",
                 "'Nope' resolves to nothing",
                 "required property HttpMethod"):
        check(want in errs, "lint misses %r in a broken template" % want)


def patterns():
    out = {}
    for path in sorted(glob.glob(os.path.join(EB, "*-pattern.json"))):
        out[os.path.basename(path)] = json.loads(read(path))
    return out


def test_pattern_sizes():
    for name, p in patterns().items():
        n = len(cfnlib.compact(p))
        check(n <= cfnlib.EVENT_PATTERN_MAX,
              "%s: %d characters > EventBridge's %d" %
              (name, n, cfnlib.EVENT_PATTERN_MAX))
        if name == "honeypot-pattern.json":
            # any service, read-only and failed calls too: the key is
            # the filter (test_honeypot)
            check(p.get("source") == [{"prefix": "aws."}] and
                  set(p["detail"]) == {"userIdentity"},
                  "%s: not every AWS call of a key" % name)
            continue
        check(p.get("source") and all(s.startswith("aws.")
                                      for s in p["source"]),
              "%s: no source filter" % name)
        if name.startswith("cloudtrail-"):
            d = p.get("detail", {})
            check(d.get("readOnly") == [False] and
                  d.get("errorCode") == [{"exists": False}] and
                  all(isinstance(n, str) for n in d.get("eventName", [0])),
                  "%s: not exact names of successful mutating calls" %
                  name)


def events_tpl(region="eu-west-1", **params):
    tpl = cfnlib.load(os.path.join(CFN, "fixit-events.yaml"))
    params.setdefault("FixitUrl", "https://fixit.example.com")
    params.setdefault("ApiKey", "k")
    return cfnlib.Resolver(tpl, params, region)


def rule_patterns(region="eu-west-1", **params):
    res = events_tpl(region, **params).resources()
    return {n: r["Properties"]["EventPattern"] for n, r in res.items()
            if r["Type"] == "AWS::Events::Rule"}


def test_region_and_dlq():
    for region, mode, want in (("us-east-1", "auto", True),
                               ("eu-west-1", "auto", False),
                               ("eu-west-1", "include", True),
                               ("us-east-1", "exclude", False)):
        r = events_tpl(region, GlobalServiceRule=mode)
        res = r.resources()
        check(("IamRule" in res) == want,
              "IamRule in %s with %s: want %s" % (region, mode, want))
        rules = sorted("arn:getatt:%s.Arn" % n for n, x in res.items()
                       if x["Type"] == "AWS::Events::Rule")
        st = res["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"][
            "Statement"][0]
        check(sorted(st["Condition"]["ArnEquals"]["aws:SourceArn"]) == rules
              and st["Principal"] == {"Service": "events.amazonaws.com"}
              and st["Action"] == "sqs:SendMessage",
              "DLQ policy lets exactly the rules send (%s)" % region)
        for n, x in res.items():
            if x["Type"] != "AWS::Events::Rule":
                continue
            t = x["Properties"]["Targets"][0]
            check(t["DeadLetterConfig"]["Arn"] ==
                  "arn:getatt:DeadLetterQueue.Arn" and
                  t["RetryPolicy"]["MaximumRetryAttempts"] > 0 and
                  t["RoleArn"] == "arn:getatt:InvokeRole.Arn",
                  "%s: retries, DLQ and invoke role" % n)
        named = [n for n, x in res.items() if x["Type"] == "AWS::IAM::Role"
                 and "RoleName" in x["Properties"]]
        check(not named, "a named IAM role makes a second region fail: %s" %
              named)
    res = events_tpl("us-east-1", SecurityHub="false").resources()
    check("SecurityHubRule" not in res, "SecurityHub=false: no rule")


def test_endpoint():
    for url, want in (
            ("https://fixit.example.com", "https://fixit.example.com"),
            ("https://fixit.example.com/", "https://fixit.example.com"),
            ("https://h.example:8443/fixit", "https://h.example:8443/fixit"),
            ("https://h.example:8443/fixit/",
             "https://h.example:8443/fixit")):
        r = events_tpl(FixitUrl=url)
        ep = r.resources()["ApiDestination"]["Properties"][
            "InvocationEndpoint"]
        check(ep == want + "/v1/events", "%s -> %s" % (url, ep))
    rx = re.compile(events_tpl().t["Parameters"]["FixitUrl"][
        "AllowedPattern"])
    for bad in ("http://fixit.example.com", "https://a//", "https://a|b",
                "https://a b", "https://"):
        check(not rx.fullmatch(bad), "FixitUrl accepts %r" % bad)
    key = events_tpl(ApiKey="", ApiKeySecretArn="arn:aws:secretsmanager:"
                     "eu-west-1:111122223333:secret:fixit-abc").resources()
    v = key["Connection"]["Properties"]["AuthParameters"][
        "ApiKeyAuthParameters"]["ApiKeyValue"]
    check(v == "{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:"
          "111122223333:secret:fixit-abc:SecretString}}",
          "key from Secrets Manager: %s" % v)
    check(events_tpl().t["Parameters"]["ApiKey"].get("NoEcho") is True,
          "ApiKey is NoEcho")


def test_member_roles():
    tpl = cfnlib.load(os.path.join(CFN, "member-roles.yaml"))
    hub = "arn:aws:iam::999988887777:role/fixitd"
    res = cfnlib.Resolver(tpl, {"HubRoleArn": hub,
                                "ExternalId": "ext-123"}).resources()
    names = sorted(r["Properties"]["RoleName"] for r in res.values())
    check(names == ["fixit-auditor", "fixit-remediator", "fixit-tagger"],
          "three roles: %s" % names)
    for n, r in res.items():
        st = r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
        check(st["Principal"] == {"AWS": hub} and
              st["Condition"]["StringEquals"]["sts:ExternalId"] == "ext-123",
              "%s trusts the hub role with the ExternalId" % n)
        pfile = r["Properties"]["RoleName"].split("-")[1] + "-policy.json"
        # the hub role's name, as the template derives it from its ARN
        pol = json.loads(read(os.path.join(ROOT, "deploy", "iam", pfile))
                         .replace("HUB_ROLE_NAME", hub.split(":role/")[1]))
        check(r["Properties"]["Policies"][0]["PolicyDocument"] == pol,
              "%s: the policy of deploy/iam/%s" % (n, pfile))
    res = cfnlib.Resolver(tpl, {"HubRoleArn": hub, "ExternalId": "x1",
                                "WithRemediator": "false"}).resources()
    check("RemediatorRole" not in res, "WithRemediator=false")
    check(tpl["Parameters"]["ExternalId"].get("NoEcho") is True,
          "ExternalId is NoEcho")


# --- events ------------------------------------------------------------

def set_path(ev, path, value):
    keys = path.split(".")
    cur = ev
    for k in keys[:-1]:
        cur = cur[k]
    cur[keys[-1]] = value


def del_path(ev, path):
    keys = path.split(".")
    cur = ev
    for k in keys[:-1]:
        cur = cur[k]
    cur.pop(keys[-1], None)


def sample(name):
    return json.loads(read(os.path.join(DATA, "events", name)))


def action_cases():
    """(name, event, acts) for tests/data/ev-actions/*.case"""
    for path in sorted(glob.glob(os.path.join(DATA, "ev-actions",
                                              "*.case"))):
        sec, cur = {}, None
        for line in read(path).split("\n"):
            if line.startswith("--- "):
                cur = line[4:].strip()
                sec[cur] = []
            elif cur:
                sec[cur].append(line)
        body = "\n".join(sec["event"]).strip()
        ev = sample(body[5:].strip()) if body.startswith("file ") \
            else json.loads(body)
        for s in sec.get("set", []):
            s = s.strip()
            if s.startswith("delete "):
                del_path(ev, s[7:])
            elif " = " in s:
                p, v = s.split(" = ", 1)
                set_path(ev, p, json.loads(v))
        # the cases edit detail only; EventBridge derives the envelope's
        # source from eventSource, and IAM's events come from us-east-1
        svc = ev["detail"]["eventSource"].split(".")[0]
        ev["source"] = "aws." + svc
        if svc == "iam":
            ev["region"] = ev["detail"]["awsRegion"] = "us-east-1"
        acts = [a for a in sec["actions"] if a.strip()]
        yield os.path.basename(path), ev, acts != ["(none)"]


def matched_by(ev, region):
    pats = rule_patterns(region)
    return [n for n, p in pats.items() if cfnlib.matches(p, ev)]


def call(source, name, region="eu-west-1", **detail):
    ev = sample("ec2-runinstances-assumedrole.json")
    ev["source"] = "aws." + source
    ev["region"] = region
    ev["detail"].update(eventSource=source + ".amazonaws.com",
                        eventName=name, awsRegion=region)
    ev["detail"].update(detail)
    return ev


def test_cloudtrail_events():
    acted = 0
    for name, ev, acts in action_cases():
        region = ev.get("region", "eu-west-1")
        m = matched_by(ev, region)
        if acts:
            acted += 1
            check(len(m) == 1, "%s: fixitd acts on it; rules: %s" % (name, m))
        elif "errorCode" in ev["detail"] or \
                ev["detail"]["eventName"] == "CreateTags":
            check(not m, "%s: a failed or ignored call matches %s" %
                  (name, m))
    check(acted >= 10, "at least 10 acted-on cases (%d)" % acted)
    for f in sorted(os.listdir(os.path.join(DATA, "events"))):
        if not f.endswith(".json"):
            continue
        ev = sample(f)
        region = ev["region"]
        check(len(matched_by(ev, region)) == 1, "%s matches one rule" % f)
        failed = copy.deepcopy(ev)
        failed["detail"]["errorCode"] = "AccessDenied"
        failed["detail"]["errorMessage"] = "no"
        check(not matched_by(failed, region), "%s failed matches" % f)
        ro = copy.deepcopy(ev)
        ro["detail"]["readOnly"] = True
        check(not matched_by(ro, region), "%s read-only matches" % f)
    iam = sample("iam-createuser-iamuser.json")
    check(not matched_by(iam, "eu-west-1") and
          matched_by(iam, "us-east-1") == ["IamRule"],
          "CreateUser: rule in us-east-1 only")
    reads = (("ec2", "DescribeInstances"), ("ec2", "DescribeVolumes"),
             ("ec2", "GetConsoleOutput"), ("s3", "ListBuckets"),
             ("s3", "GetBucketPolicy"), ("iam", "GetUser"),
             ("iam", "ListUsers"), ("rds", "DescribeDBInstances"),
             ("rds", "ListTagsForResource"),
             ("elasticloadbalancing", "DescribeLoadBalancers"))
    ignored = (("ec2", "CreateTags"), ("ec2", "CreateFleet"),
               ("ec2", "ModifyInstanceAttribute"), ("s3", "CreateBucket"),
               ("s3", "PutBucketPolicy"), ("iam", "CreateRole"),
               ("rds", "CopyDBSnapshot"), ("rds", "DeleteDBInstance"),
               ("lambda", "CreateFunction20150331"),
               ("dynamodb", "CreateTable"), ("sqs", "CreateQueue"))
    for src, n in reads + ignored:
        for ro in (True, False):
            ev = call(src, n, "us-east-1", readOnly=ro)
            check(not matched_by(ev, "us-east-1"),
                  "%s %s (readOnly %s) matches" % (src, n, ro))
    # a name fixitd acts on, from another service, does not match
    ev = call("lambda", "CreateVolume")
    check(not matched_by(ev, "eu-west-1"), "lambda CreateVolume matches")


def test_honeypot():
    """HoneypotRule: made only with HoneypotKeys; every call signed with
    one of them (read-only, failed, any service) and nothing else"""
    keys = "AKIAI44QH8DHBEXAMPLE,ASIAI44QH8DHBEXAMPLE"
    res = events_tpl(HoneypotKeys=keys).resources()
    check(res.get("HoneypotRule", {}).get("Properties", {}).get("State") ==
          "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
          "HoneypotRule: not receiving read-only management events")
    check("HoneypotRule" not in rule_patterns(),
          "HoneypotRule without HoneypotKeys")
    pats = rule_patterns(HoneypotKeys=keys)
    hdir = os.path.join(DATA, "honeypot")
    for f in sorted(os.listdir(hdir)):
        if not f.endswith(".json"):
            continue
        ev = json.loads(read(os.path.join(hdir, f)))
        if ev["detail-type"] != "AWS API Call via CloudTrail":
            # a GuardDuty finding, direct or through Security Hub
            want = ["GuardDutyRule"] if ev["source"] == "aws.guardduty" \
                else ["SecurityHubRule"]
            m = [n for n, p in pats.items() if cfnlib.matches(p, ev)]
            check(m == want, "%s: rules %s" % (f, m))
            if ev["source"] == "aws.guardduty":
                check(not [n for n, p in rule_patterns().items()
                           if cfnlib.matches(p, ev)],
                      "%s: matched without HoneypotKeys" % f)
            continue
        failed = copy.deepcopy(ev)
        failed["detail"]["errorCode"] = "AccessDenied"
        write = copy.deepcopy(ev)
        write["detail"]["readOnly"] = False
        for what, e in (("", ev), (" failed", failed), (" write", write)):
            m = [n for n, p in pats.items() if cfnlib.matches(p, e)]
            check(m == ["HoneypotRule"], "%s%s: rules %s" % (f, what, m))
        other = copy.deepcopy(ev)
        other["detail"]["userIdentity"]["accessKeyId"] = \
            "AKIAIOSFODNN7EXAMPLE"
        check(not cfnlib.matches(pats["HoneypotRule"], other),
              "%s: another key matches" % f)
        check(not [n for n, p in rule_patterns().items()
                   if cfnlib.matches(p, ev)],
              "%s: matched without HoneypotKeys" % f)


def test_cloudshell():
    """CloudShellRule: successful secret reads whose user agent names
    CloudShell, read-only management events included"""
    res = events_tpl().resources()
    check(res.get("CloudShellRule", {}).get("Properties", {}).get(
        "State") == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
        "CloudShellRule: not receiving read-only management events")
    check("CloudShellRule" not in rule_patterns(CloudShell="false"),
          "CloudShellRule with CloudShell=false")
    cdir = os.path.join(DATA, "cloudshell")
    for f in sorted(os.listdir(cdir)):
        if not f.endswith(".json"):
            continue
        ev = json.loads(read(os.path.join(cdir, f)))
        check(matched_by(ev, ev["region"]) == ["CloudShellRule"],
              "%s: rules %s" % (f, matched_by(ev, ev["region"])))
        failed = copy.deepcopy(ev)
        failed["detail"]["errorCode"] = "AccessDeniedException"
        laptop = copy.deepcopy(ev)
        laptop["detail"]["userAgent"] = "aws-cli/2.15.30 Python/3.11.8 " \
            "Darwin/23.4.0 exe/x86_64 prompt/off"
        for what, e in (("failed", failed), ("laptop", laptop)):
            check(not matched_by(e, e["region"]), "%s %s matches" % (f, what))


def ev_act_tables():
    """ev_act.c: is_call pairs, ec2_verbs, ec2_kinds nouns, rds verbs"""
    src = read(os.path.join(ROOT, "events", "ev_act.c"))
    calls = re.findall(r'is_call\(info,\s*"([a-z0-9]+)\.amazonaws\.com",'
                       r'\s*"([A-Za-z]+)"\)', src)
    verbs = re.findall(r'"([A-Z][a-z]+)"', re.search(
        r"ec2_verbs\[\] = \{(.*?)\};", src, re.S).group(1))
    kinds = re.search(r"ec2_kinds\[\] = \{(.*?)\n\};", src, re.S).group(1)
    nouns = [n for t in re.findall(r'\{ "[A-Za-z]+", "[a-z-]+", '
                                   r'"([A-Za-z|]+)" \}', kinds)
             for n in t.split("|")]
    rds = re.findall(r'strncmp\(info->event_name, "([A-Z][a-z]+)", \d+\)',
                     src)
    return calls, verbs, nouns, rds


def ec2_acts_on(name, verbs, nouns):
    if not isinstance(name, str):
        return False
    for v in verbs:
        if name.startswith(v):
            rest = name[len(v):]
            if rest in nouns or (rest.endswith("s") and rest[:-1] in nouns):
                return True
    return False


def test_code_sync():
    calls, verbs, nouns, rds = ev_act_tables()
    check(len(calls) >= 3 and len(verbs) >= 5 and len(nouns) >= 15 and
          len(rds) == 2, "ev_act.c tables read: %d calls, %d verbs, %d "
          "nouns, rds %s" % (len(calls), len(verbs), len(nouns), rds))
    for src, name in calls:
        m = matched_by(call(src, name, "us-east-1"), "us-east-1")
        check(len(m) == 1, "ev_act.c acts on %s %s: rules %s" %
              (src, name, m))
    pats = patterns()
    ec2 = pats["cloudtrail-ec2-pattern.json"]["detail"]["eventName"]
    for n in ec2:
        check(ec2_acts_on(n, verbs, nouns),
              "cloudtrail-ec2-pattern.json: ev_act.c ignores %s" % n)
    for noun in nouns:
        check(any(ec2_acts_on(n, verbs, [noun]) for n in ec2),
              "no EC2 call in the pattern creates a %s" % noun)
    for n in pats["cloudtrail-rds-pattern.json"]["detail"]["eventName"]:
        check(isinstance(n, str) and any(n.startswith(v) for v in rds),
              "cloudtrail-rds-pattern.json: ev_act.c ignores %s" % n)


def securityhub_events():
    ev = json.loads(read(os.path.join(DATA, "ev-map", "samples",
                                      "securityhub_imported.json")))
    for f in ev["detail"]["findings"]:   # Security Hub sends one a time
        one = copy.deepcopy(ev)
        one["detail"]["findings"] = [f]
        yield f, one


def case_map(name):
    lines = read(os.path.join(DATA, "ev-map", name)).split("\n")
    i = lines.index("--- map") + 1
    out = {}
    while not lines[i].startswith("---"):
        if ":" in lines[i]:
            k, v = lines[i].split(":", 1)
            out[k.strip()] = v.strip()
        i += 1
    return out


def rule_key(f, keys):
    cands = [f.get("Compliance", {}).get("SecurityControlId"),
             f.get("ProductFields", {}).get("ControlId"),
             f.get("GeneratorId")]
    g = f.get("GeneratorId") or ""
    cands.append(g.rsplit("/", 1)[-1])
    return next((c for c in cands if c in keys), None)


def test_securityhub():
    keys = sorted(case_map("0001-securityhub-sample.case"))
    all_p = rule_patterns()["SecurityHubRule"]
    keyed = rule_patterns(SecurityHubRuleKeys=",".join(keys))[
        "SecurityHubRule"]
    many = ",".join("CTRL.%d" % i for i in range(40))
    for p in (keyed, rule_patterns(SecurityHubRuleKeys=many)[
            "SecurityHubRule"]):
        n = len(cfnlib.compact(p))
        check(n <= cfnlib.EVENT_PATTERN_MAX,
              "keyed Security Hub pattern: %d characters" % n)
    seen = {"resolved": 0, "unmapped": 0, "mapped": 0}
    for f, ev in securityhub_events():
        check(cfnlib.matches(all_p, ev), "finding %s: no match" % f["Id"])
        mapped = rule_key(f, keys) is not None
        resolved = f.get("RecordState") == "ARCHIVED" or \
            f.get("Compliance", {}).get("Status") in ("PASSED",
                                                      "NOT_AVAILABLE")
        seen["mapped" if mapped else "unmapped"] += 1
        seen["resolved"] += mapped and resolved
        check(cfnlib.matches(keyed, ev) == mapped,
              "finding %s (mapped %s): keyed pattern says %s" %
              (f["Id"], mapped, not mapped))
    check(seen["resolved"] >= 2 and seen["unmapped"] >= 1 and
          seen["mapped"] >= 4, "sample covers resolved and unmapped: %s" %
          seen)
    f, ev = next(securityhub_events())
    for k, v in (("detail-type", "Security Hub Findings - Custom Action"),
                 ("source", "aws.guardduty")):
        other = dict(ev, **{k: v})
        check(not cfnlib.matches(all_p, other), "%s %s matches" % (k, v))


def test_matcher():
    m = cfnlib.matches
    ev = {"a": "x", "n": 5, "l": [{"k": "v1"}, {"k": "v2"}], "t": True}
    check(m({"a": ["x"]}, ev) and not m({"a": ["y"]}, ev), "exact")
    check(m({"a": [{"prefix": "x"}]}, ev), "prefix")
    check(m({"a": [{"anything-but": ["y"]}]}, ev) and
          not m({"a": [{"anything-but": "x"}]}, ev), "anything-but")
    check(m({"z": [{"exists": False}]}, ev) and
          not m({"a": [{"exists": False}]}, ev), "exists")
    check(m({"n": [{"numeric": [">", 1, "<=", 5]}]}, ev) and
          not m({"n": [{"numeric": [">", 5]}]}, ev), "numeric")
    check(m({"l": {"k": ["v2"]}}, ev), "arrays: any element")
    check(m({"t": [True]}, ev) and not m({"t": ["true"]}, ev), "types")
    check(m({"$or": [{"a": ["y"]}, {"n": [5]}]}, ev) and
          not m({"$or": [{"a": ["y"]}, {"n": [6]}]}, ev), "$or")


def main():
    for t in (test_matcher, test_generated, test_lint, test_pattern_sizes,
              test_region_and_dlq, test_endpoint, test_member_roles,
              test_cloudtrail_events, test_code_sync, test_securityhub,
              test_honeypot, test_cloudshell):
        try:
            t()
        except Exception as e:  # a broken file fails the check, loudly
            check(False, "%s: %s: %s" % (t.__name__, type(e).__name__, e))
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
