"""cfnlib.py - offline checks of CloudFormation templates and EventBridge
event patterns for tests/check_cfn.py (Python 3 standard library only):

- load(): a template of deploy/cloudformation/ (JSON, which is YAML, after
  its leading '#' comment lines);
- lint(): the template's shape against RESOURCES, a table of the resource
  types fixit uses taken from the CloudFormation resource reference
  (required and allowed properties, GetAtt attributes, a few value
  rules), and every Ref / GetAtt / Fn::Sub variable / Condition resolving;
- resolve(): the template with its parameters, pseudo parameters and
  conditions applied (Ref, Fn::If, Fn::Join, Fn::Split, Fn::Select,
  Fn::Sub, Fn::GetAtt as a placeholder, AWS::NoValue dropped);
- matches(): EventBridge's event pattern matching (exact values, prefix,
  suffix, anything-but, exists, numeric, equals-ignore-case, wildcard,
  $or; arrays in the event match when any element does).
"""

import fnmatch
import json
import re

# From the CloudFormation resource and property reference
# (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
# aws-template-resource-type-ref.html).
RESOURCES = {
    "AWS::IAM::Role": {
        "required": {"AssumeRolePolicyDocument"},
        "allowed": {"AssumeRolePolicyDocument", "Description",
                    "ManagedPolicyArns", "MaxSessionDuration", "Path",
                    "PermissionsBoundary", "Policies", "RoleName", "Tags"},
        "attrs": {"Arn", "RoleId"},
    },
    "AWS::Events::Connection": {
        "required": set(),
        "allowed": {"AuthorizationType", "AuthParameters", "Description",
                    "InvocationConnectivityParameters",
                    "KmsKeyIdentifier", "Name"},
        "attrs": {"Arn", "ArnForPolicy", "SecretArn",
                  "AuthParameters.ConnectivityParameters."
                  "ResourceParameters.ResourceAssociationArn",
                  "InvocationConnectivityParameters.ResourceParameters."
                  "ResourceAssociationArn"},
    },
    "AWS::Events::ApiDestination": {
        "required": {"ConnectionArn", "HttpMethod", "InvocationEndpoint"},
        "allowed": {"ConnectionArn", "Description", "HttpMethod",
                    "InvocationEndpoint", "InvocationRateLimitPerSecond",
                    "Name"},
        "attrs": {"Arn", "ArnForPolicy"},
    },
    "AWS::Events::Rule": {
        "required": set(),
        "allowed": {"Description", "EventBusName", "EventPattern", "Name",
                    "RoleArn", "ScheduleExpression", "State", "Targets"},
        "attrs": {"Arn"},
    },
    "AWS::SQS::Queue": {
        "required": set(),
        "allowed": {"ContentBasedDeduplication", "DeduplicationScope",
                    "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
                    "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId",
                    "MaximumMessageSize", "MessageRetentionPeriod",
                    "QueueName", "ReceiveMessageWaitTimeSeconds",
                    "RedriveAllowPolicy", "RedrivePolicy",
                    "SqsManagedSseEnabled", "Tags", "VisibilityTimeout"},
        "attrs": {"Arn", "QueueName", "QueueUrl"},
    },
    "AWS::SQS::QueuePolicy": {
        "required": {"PolicyDocument", "Queues"},
        "allowed": {"PolicyDocument", "Queues"},
        "attrs": {"Id"},
    },
}
TARGET_REQUIRED = {"Arn", "Id"}
TARGET_ALLOWED = {"AppSyncParameters", "Arn", "BatchParameters",
                  "DeadLetterConfig", "EcsParameters", "HttpParameters",
                  "Id", "Input", "InputPath", "InputTransformer",
                  "KinesisParameters", "RedshiftDataParameters",
                  "RetryPolicy", "RoleArn", "RunCommandParameters",
                  "SageMakerPipelineParameters", "SqsParameters"}
TOP_KEYS = {"AWSTemplateFormatVersion", "Description", "Metadata",
            "Parameters", "Rules", "Mappings", "Conditions", "Transform",
            "Resources", "Outputs"}
RESOURCE_KEYS = {"Type", "Properties", "Condition", "DependsOn",
                 "DeletionPolicy", "UpdateReplacePolicy", "Metadata"}
PARAM_TYPES = {"String", "Number", "CommaDelimitedList", "List<Number>"}
PARAM_KEYS = {"Type", "Default", "Description", "NoEcho", "AllowedValues",
              "AllowedPattern", "MinLength", "MaxLength", "MinValue",
              "MaxValue", "ConstraintDescription"}
PSEUDO = {"AWS::AccountId", "AWS::NoValue", "AWS::Partition",
          "AWS::Region", "AWS::StackId", "AWS::StackName",
          "AWS::URLSuffix", "AWS::NotificationARNs"}
FUNCTIONS = {"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Split",
             "Fn::Select", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And",
             "Fn::Or", "Fn::Base64", "Fn::FindInMap", "Fn::GetAZs",
             "Fn::ImportValue", "Condition"}
EVENT_PATTERN_MAX = 2048      # EventBridge quota "Event pattern size"
ROLE_INLINE_POLICY_MAX = 10240  # IAM: a role's inline policies, together
TRUST_POLICY_MAX = 2048       # IAM: role trust policy length (default)


def load(path):
    """the template at path: JSON after its leading comment lines"""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return json.loads("\n".join(lines))


def compact(v):
    return json.dumps(v, separators=(",", ":"))


class Lint:
    def __init__(self, tpl):
        self.t = tpl
        self.errors = []
        self.res = tpl.get("Resources", {})
        self.params = tpl.get("Parameters", {})
        self.conds = tpl.get("Conditions", {})

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def run(self):
        for k in self.t:
            if k not in TOP_KEYS:
                self.err(k, "not a template section")
        if self.t.get("AWSTemplateFormatVersion") != "2010-09-09":
            self.err("AWSTemplateFormatVersion", "must be 2010-09-09")
        if not self.res:
            self.err("Resources", "none")
        for name, p in self.params.items():
            self.param(name, p)
        for name, c in self.conds.items():
            self.walk(c, "Conditions.%s" % name, in_condition=True)
        for name, r in self.res.items():
            self.resource(name, r)
        for name, o in self.t.get("Outputs", {}).items():
            if "Value" not in o:
                self.err("Outputs.%s" % name, "no Value")
            self.walk(o, "Outputs.%s" % name)
        return self.errors

    def param(self, name, p):
        w = "Parameters.%s" % name
        if p.get("Type") not in PARAM_TYPES:
            self.err(w, "type %r" % p.get("Type"))
        for k in p:
            if k not in PARAM_KEYS:
                self.err(w, "unknown key %s" % k)
        if "AllowedPattern" in p:
            try:
                rx = re.compile(p["AllowedPattern"])
            except re.error as e:
                self.err(w, "AllowedPattern: %s" % e)
                return
            d = p.get("Default")
            if isinstance(d, str) and not rx.fullmatch(d):
                self.err(w, "Default %r fails AllowedPattern" % d)
        if "AllowedValues" in p and "Default" in p and \
                p["Default"] not in p["AllowedValues"]:
            self.err(w, "Default not in AllowedValues")

    def resource(self, name, r):
        w = "Resources.%s" % name
        spec = RESOURCES.get(r.get("Type"))
        if spec is None:
            self.err(w, "type %r not in the table" % r.get("Type"))
            return
        for k in r:
            if k not in RESOURCE_KEYS:
                self.err(w, "unknown key %s" % k)
        if "Condition" in r and r["Condition"] not in self.conds:
            self.err(w, "condition %r undefined" % r["Condition"])
        props = r.get("Properties", {})
        for k in spec["required"] - set(props):
            self.err(w, "required property %s missing" % k)
        for k in set(props) - spec["allowed"]:
            self.err(w, "property %s not allowed for %s" % (k, r["Type"]))
        for d in ([r["DependsOn"]] if isinstance(r.get("DependsOn"), str)
                  else r.get("DependsOn", [])):
            if d not in self.res:
                self.err(w, "DependsOn %s: no such resource" % d)
        self.walk(props, w + ".Properties")
        check = getattr(self, "check_" + r["Type"].split("::")[-1], None)
        if check:
            check(w, props)

    def check_Rule(self, w, props):
        if props.get("State", "ENABLED") not in (
                "ENABLED", "DISABLED",
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"):
            self.err(w, "State")
        if "EventPattern" not in props and \
                "ScheduleExpression" not in props:
            self.err(w, "neither EventPattern nor ScheduleExpression")
        targets = props.get("Targets", [])
        if not 1 <= len(targets) <= 5:
            self.err(w, "1 to 5 targets")
        for t in targets:
            for k in TARGET_REQUIRED - set(t):
                self.err(w, "target without %s" % k)
            for k in set(t) - TARGET_ALLOWED:
                self.err(w, "target property %s not allowed" % k)
            rp = t.get("RetryPolicy", {})
            if not 0 <= rp.get("MaximumRetryAttempts", 0) <= 185:
                self.err(w, "MaximumRetryAttempts: 0..185")
            if not 60 <= rp.get("MaximumEventAgeInSeconds", 60) <= 86400:
                self.err(w, "MaximumEventAgeInSeconds: 60..86400")
            if set(t.get("DeadLetterConfig", {})) - {"Arn"}:
                self.err(w, "DeadLetterConfig: Arn only")

    def check_ApiDestination(self, w, props):
        if props.get("HttpMethod") not in ("POST", "GET", "HEAD", "OPTIONS",
                                           "PUT", "PATCH", "DELETE"):
            self.err(w, "HttpMethod")

    def check_Connection(self, w, props):
        at = props.get("AuthorizationType")
        if at not in ("API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"):
            self.err(w, "AuthorizationType %r" % at)
        ap = props.get("AuthParameters", {})
        if at == "API_KEY":
            k = ap.get("ApiKeyAuthParameters", {})
            if set(k) != {"ApiKeyName", "ApiKeyValue"}:
                self.err(w, "ApiKeyAuthParameters: ApiKeyName, ApiKeyValue")

    def check_Queue(self, w, props):
        if not 60 <= props.get("MessageRetentionPeriod", 345600) <= 1209600:
            self.err(w, "MessageRetentionPeriod: 60..1209600")

    def check_Role(self, w, props):
        for p in props.get("Policies", []):
            if set(p) != {"PolicyName", "PolicyDocument"}:
                self.err(w, "Policies: PolicyName and PolicyDocument")
            policy_doc(self, w, p.get("PolicyDocument"), trust=False)
        policy_doc(self, w, props.get("AssumeRolePolicyDocument"),
                   trust=True)
        size = sum(len(compact(p.get("PolicyDocument")))
                   for p in props.get("Policies", []))
        if size > ROLE_INLINE_POLICY_MAX:
            self.err(w, "inline policies %d > %d characters" %
                     (size, ROLE_INLINE_POLICY_MAX))
        if len(compact(props.get("AssumeRolePolicyDocument"))) > \
                TRUST_POLICY_MAX:
            self.err(w, "trust policy over %d characters" %
                     TRUST_POLICY_MAX)

    def check_QueuePolicy(self, w, props):
        policy_doc(self, w, props.get("PolicyDocument"), trust=True)

    def walk(self, v, w, in_condition=False):
        """every intrinsic function in v known and resolving"""
        if isinstance(v, list):
            for i, x in enumerate(v):
                self.walk(x, "%s[%d]" % (w, i), in_condition)
            return
        if not isinstance(v, dict):
            return
        if len(v) == 1:
            (k, a), = v.items()
            if k.startswith("Fn::") or k == "Ref" or \
                    (k == "Condition" and isinstance(a, str)):
                self.function(k, a, w, in_condition)
                return
        for k, x in v.items():
            self.walk(x, "%s.%s" % (w, k), in_condition)

    def function(self, k, a, w, in_condition):
        if k not in FUNCTIONS:
            self.err(w, "unknown function %s" % k)
        elif k == "Ref":
            if a not in self.params and a not in PSEUDO and \
                    (in_condition or a not in self.res):
                self.err(w, "Ref %r resolves to nothing" % a)
        elif k == "Condition":
            if a not in self.conds:
                self.err(w, "condition %r undefined" % a)
        elif k == "Fn::GetAtt":
            self.getatt(a, w)
        elif k == "Fn::If":
            if not isinstance(a, list) or len(a) != 3 or \
                    a[0] not in self.conds:
                self.err(w, "Fn::If [condition, then, else]")
            else:
                self.walk(a[1:], w, in_condition)
        elif k == "Fn::Sub":
            s = a if isinstance(a, str) else a[0]
            local = {} if isinstance(a, str) else a[1]
            for var in re.findall(r"\$\{([^!}][^}]*)\}", s):
                base = var.split(".")[0]
                if var in local:
                    continue
                if "." in var:
                    self.getatt(var.split(".", 1), w)
                elif base not in self.params and base not in PSEUDO and \
                        base not in self.res:
                    self.err(w, "Fn::Sub ${%s} resolves to nothing" % var)
            self.walk(local, w, in_condition)
        elif k in ("Fn::Split", "Fn::Join"):
            if not isinstance(a, list) or len(a) != 2 or \
                    not isinstance(a[0], str):
                self.err(w, "%s [delimiter, values]" % k)
            else:
                self.walk(a[1], w, in_condition)
        elif k == "Fn::Select":
            if not isinstance(a, list) or len(a) != 2:
                self.err(w, "Fn::Select [index, list]")
            else:
                self.walk(a[1], w, in_condition)
        else:
            self.walk(a, w, in_condition)

    def getatt(self, a, w):
        if not isinstance(a, list) or len(a) != 2:
            self.err(w, "Fn::GetAtt [resource, attribute]")
            return
        r = self.res.get(a[0])
        if r is None:
            self.err(w, "GetAtt %s: no such resource" % a[0])
        elif a[1] not in RESOURCES.get(r["Type"], {}).get("attrs", ()):
            self.err(w, "GetAtt %s.%s: %s has no such attribute" %
                     (a[0], a[1], r["Type"]))


def policy_doc(lint, w, doc, trust):
    """an IAM policy document: Version, statements with Effect, Action,
    Resource (identity policies) or Principal (resource policies)"""
    if not isinstance(doc, dict) or doc.get("Version") != "2012-10-17":
        lint.err(w, "policy document without Version 2012-10-17")
        return
    sts = doc.get("Statement")
    if not isinstance(sts, list) or not sts:
        lint.err(w, "policy document without statements")
        return
    for st in sts:
        if st.get("Effect") not in ("Allow", "Deny"):
            lint.err(w, "statement Effect")
        if "Action" not in st and "NotAction" not in st:
            lint.err(w, "statement without Action")
        if trust and "Principal" not in st:
            lint.err(w, "resource policy statement without Principal")
        if not trust and ("Principal" in st or
                          ("Resource" not in st and
                           "NotResource" not in st)):
            lint.err(w, "identity policy statement: Resource, no "
                     "Principal")
        acts = st.get("Action", [])
        for act in [acts] if isinstance(acts, str) else acts:
            if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9*]+", act):
                lint.err(w, "action %r" % act)


def lint(tpl):
    return Lint(tpl).run()


NOVALUE = object()


class Resolver:
    """the template's values for one set of parameters and a region"""

    def __init__(self, tpl, params, region="eu-west-1"):
        self.t = tpl
        self.p = {}
        for k, spec in tpl.get("Parameters", {}).items():
            v = params.get(k, spec.get("Default"))
            if v is None:
                raise ValueError("parameter %s has no value" % k)
            if spec["Type"] == "CommaDelimitedList" and isinstance(v, str):
                v = v.split(",")
            self.p[k] = v
        self.p["AWS::Region"] = region
        self.p["AWS::AccountId"] = "111122223333"
        self.p["AWS::Partition"] = "aws"
        self.cache = {}

    def cond(self, name):
        if name not in self.cache:
            self.cache[name] = self.value(self.t["Conditions"][name])
        return self.cache[name]

    def value(self, v):
        if isinstance(v, list):
            out = [self.value(x) for x in v]
            return [x for x in out if x is not NOVALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, a), = v.items()
            if k == "Ref":
                if a == "AWS::NoValue":
                    return NOVALUE
                if a in self.p:
                    return self.p[a]
                return "ref:" + a
            if k == "Condition" and isinstance(a, str):
                return self.cond(a)
            if k == "Fn::If":
                return self.value(a[1] if self.cond(a[0]) else a[2])
            if k == "Fn::Equals":
                x, y = (self.value(e) for e in a)
                return x == y
            if k == "Fn::Not":
                return not self.value(a[0])
            if k == "Fn::And":
                return all(self.value(e) for e in a)
            if k == "Fn::Or":
                return any(self.value(e) for e in a)
            if k == "Fn::Join":
                return a[0].join(self.value(a[1]))
            if k == "Fn::Split":
                return self.value(a[1]).split(a[0])
            if k == "Fn::Select":
                return self.value(a[1])[int(self.value(a[0]))]
            if k == "Fn::GetAtt":
                return "arn:getatt:%s.%s" % tuple(a)
            if k == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}",
                              lambda m: str(self.p.get(m.group(1),
                                                       "ref:" +
                                                       m.group(1))), a)
        out = {k: self.value(x) for k, x in v.items()}
        return {k: x for k, x in out.items() if x is not NOVALUE}

    def resources(self):
        """the resources created, their properties resolved"""
        out = {}
        for name, r in self.t["Resources"].items():
            if "Condition" in r and not self.cond(r["Condition"]):
                continue
            out[name] = dict(r, Properties=self.value(r.get(
                "Properties", {})))
        return out


def _values(ev, path):
    """the values at path in ev; lists are flattened (EventBridge matches
    a field inside an array when any element matches)"""
    cur = [ev]
    for k in path:
        nxt = []
        for c in cur:
            items = c if isinstance(c, list) else [c]
            for i in items:
                if isinstance(i, dict) and k in i:
                    nxt.append(i[k])
        cur = nxt
    leaves = []
    for c in cur:
        leaves.extend(c if isinstance(c, list) else [c])
    return leaves


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _leaf(rule, vals, present):
    """one element of a pattern array against the event's values"""
    if not isinstance(rule, dict):
        return any(v == rule and type(v) is type(rule) for v in vals)
    (op, arg), = rule.items()
    strs = [v for v in vals if isinstance(v, str)]
    if op == "exists":
        return present == arg
    if op == "prefix":
        if isinstance(arg, dict):
            return any(v.lower().startswith(arg["equals-ignore-case"]
                                            .lower()) for v in strs)
        return any(v.startswith(arg) for v in strs)
    if op == "suffix":
        return any(v.endswith(arg) for v in strs)
    if op == "equals-ignore-case":
        return any(v.lower() == arg.lower() for v in strs)
    if op == "wildcard":
        return any(fnmatch.fnmatchcase(v, arg) for v in strs)
    if op == "anything-but":
        if not present:
            return False
        if isinstance(arg, dict):
            return not any(_leaf(arg, [v], True) for v in vals)
        bad = arg if isinstance(arg, list) else [arg]
        return any(v not in bad for v in vals)
    if op == "numeric":
        ops = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
               "=": lambda a, b: a == b, ">": lambda a, b: a > b,
               ">=": lambda a, b: a >= b}
        pairs = list(zip(arg[::2], arg[1::2]))
        return any(all(ops[o](v, n) for o, n in pairs)
                   for v in vals if _num(v))
    raise ValueError("pattern operator %r not supported" % op)


def matches(pattern, event, path=()):
    """EventBridge's verdict: does event match pattern?"""
    for k, rule in pattern.items():
        if k == "$or":
            if not any(matches(p, event, path) for p in rule):
                return False
            continue
        p = path + (k,)
        if isinstance(rule, dict):
            if not matches(rule, event, p):
                return False
            continue
        if not isinstance(rule, list):
            raise ValueError("%s: a pattern leaf must be an array" %
                             ".".join(p))
        vals = _values(event, p)
        present = bool(vals) or _present(event, p)
        if not any(_leaf(r, vals, present) for r in rule):
            return False
    return True


def _present(ev, path):
    cur = [ev]
    for k in path:
        cur = [i[k] for c in cur for i in (c if isinstance(c, list)
                                           else [c])
               if isinstance(i, dict) and k in i]
    return bool(cur)
