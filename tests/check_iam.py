#!/usr/bin/env python3
"""check_iam.py SRC - the IAM policies hold what the C code calls.

1. A static scan of the C sources finds every AWS call fixitd can send
   (the Action= of a Query/EC2 request, the operation of a JSON 1.1
   X-Amz-Target or a REST request) with its service and the role that
   signs it, and compares that set with the calls declared in
   deploy/iam/permissions.json, both ways: a call the code sends that is
   not declared fails (the policy would lack it), and so does a declared
   call nothing sends (a grant nobody needs).
2. The checked-in policies and permission tables are what
   deploy/iam/gen_policies.py writes.

The scan knows the request builders (pb_query, pb_list, r53_rest,
tag_one, pb_call and aws_call on a struct aws_req, call_sts, the struct
pb_one and r53_pages tables); a role passed down as a variable is
followed to the callers that name it. It fails closed: a builder called
with an operation that is neither a string literal nor the parameter of a
known wrapper is an error ("teach tests/check_iam.py").

Run by CTest as check_iam; `python3 tests/check_iam.py .` by hand.
"""

import os
import re
import sys

ROLES = {"PB_AUDITOR": "auditor", "PB_TAGGER": "tagger",
         "PB_REMEDIATOR": "remediator"}
SVCS = {"AWS_EC2": "ec2", "AWS_IAM": "iam", "AWS_STS": "sts",
        "AWS_RDS": "rds", "AWS_CLOUDWATCH": "cloudwatch",
        "AWS_ROUTE53": "route53", "AWS_CLOUDFRONT": "cloudfront",
        "AWS_CLOUDTRAIL": "cloudtrail", "AWS_S3": "s3", "AWS_ELB": "elb",
        "AWS_ELBV2": "elbv2", "AWS_COMPUTE_OPTIMIZER": "compute-optimizer",
        "AWS_AUTOSCALING": "autoscaling", "AWS_EKS": "eks",
        "AWS_REDSHIFT": "redshift", "AWS_APIGATEWAY": "apigateway",
        "AWS_APIGATEWAYV2": "apigatewayv2",
        "AWS_ELASTICBEANSTALK": "elasticbeanstalk", "AWS_LAMBDA": "lambda"}
# builder: (role: arg index or fixed, svc: arg index or fixed, op: index)
BUILDERS = {
    "pb_query": (1, 2, 3),
    "pb_list": (1, 2, 3),
    "pb_read": ("auditor", 1, 2),
    "r53_rest": (1, "route53", 2),
    "tag_one": ("tagger", 1, 2),
    "call_sts": ("hub", "sts", 3),
    "eks_call": (1, "eks", 2),
    "eks_names": ("auditor", "eks", 1),
    "pb_lb_prior_pages": ("auditor", 1, 2),
    "pb_lb_prior_all": ("auditor", 1, 2),
    "tg_s3_call": (1, "s3", 2),
}
# functions that pass an operation (or a request) given to them on: their
# own callers are the call sites
WRAPPERS = {"pb_query", "pb_list", "pb_read", "pb_read_one", "tag_one",
            "r53_rest", "r53_pages", "pb_call", "call_sts", "aws_call",
            "eks_call", "eks_names", "pb_lb_prior_pages", "pb_lb_prior_all",
            "rj_pages", "rj_page", "tg_s3_call"}
# struct tables of { AWS_SVC, "Operation", ... }: the role they are read as
TABLES = {"pb_one": "auditor", "r53_pages": None, "rj_pages": "auditor"}
SRC_DIRS = ("aws", "remediation", "events", "server", "slack", "db",
            "common")

STR = r'"(?:[^"\\]|\\.)*"'


def strip_comments(text):
    """comments blanked (newlines kept), strings kept"""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def args_at(text, open_paren):
    """the top-level arguments of the call whose '(' is at open_paren"""
    depth, cur, args = 0, [], []
    i = open_paren
    while i < len(text):
        c = text[i]
        if c == '"':
            m = re.compile(STR).match(text, i)
            cur.append(m.group(0))
            i = m.end()
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args


class Src:
    def __init__(self, path, rel):
        with open(path, encoding="utf-8") as f:
            self.text = strip_comments(f.read())
        self.rel = rel
        # function definitions (KNF: the name at the start of a line)
        self.funcs = [(m.start(), m.group(1), m.end() - 1) for m in
                      re.finditer(r"^([A-Za-z_]\w*)\(", self.text, re.M)]

    def line(self, off):
        return self.text.count("\n", 0, off) + 1

    def func_at(self, off):
        """(name, parameter names, body start) of the function around off"""
        best = None
        for start, name, paren in self.funcs:
            if start <= off:
                best = (start, name, paren)
        if best is None:
            return None, [], 0
        params = [re.findall(r"\w+", p)[-1] if re.findall(r"\w+", p) else ""
                  for p in args_at(self.text, best[2])]
        return best[1], params, best[0]

    def body(self, off):
        """the text of the function around off"""
        _, _, start = self.func_at(off)
        nxt = [s for s, _, _ in self.funcs if s > start]
        return self.text[start:nxt[0] if nxt else len(self.text)]


def literal(s):
    m = re.fullmatch(STR, s.strip())
    return m.group(0)[1:-1] if m else None


def ternary(s):
    """'c ? A : B' -> [A, B] (else [s])"""
    m = re.fullmatch(r"[^?]+\?\s*(.+?)\s*:\s*(.+)", s.strip(), re.S)
    return [m.group(1), m.group(2)] if m else [s]


class Scan:
    def __init__(self, root):
        self.srcs = []
        for d in SRC_DIRS:
            for dp, _, fs in os.walk(os.path.join(root, d)):
                for f in sorted(fs):
                    if f.endswith(".c"):
                        p = os.path.join(dp, f)
                        self.srcs.append(Src(p, os.path.relpath(p, root)))
        self.calls = {}         # (svc op, role) -> ["file:line"]
        self.errors = []

    def add(self, svc, op, role, where):
        self.calls.setdefault(("%s %s" % (svc, op), role), []).append(where)

    def err(self, src, off, msg):
        self.errors.append("%s:%d: %s (teach tests/check_iam.py)"
                           % (src.rel, src.line(off), msg))

    # ---- roles -----------------------------------------------------------
    def roles(self, src, off, expr, depth=0):
        """the roles expr can be at off: a PB_ constant, or a parameter
        followed to every caller of the function"""
        expr = expr.strip()
        if expr in ROLES:
            return {ROLES[expr]}
        if expr in ROLES.values() or expr == "hub":
            return {expr}
        fn, params, _ = src.func_at(off)
        if depth > 6 or fn is None or expr not in params:
            self.err(src, off, "cannot tell the role %r" % expr)
            return set()
        idx = params.index(expr)
        out = set()
        callers = 0
        for s in self.srcs:
            for m in re.finditer(r"\b%s\s*\(" % re.escape(fn), s.text):
                if s.func_at(m.start())[1] and \
                        s.text[m.start() - 1:m.start()] != "\n" and \
                        m.start() not in [f[0] for f in s.funcs]:
                    a = args_at(s.text, m.end() - 1)
                    if idx < len(a):
                        callers += 1
                        out |= self.roles(s, m.start(), a[idx], depth + 1)
        if not callers:
            self.err(src, off, "%s(): nobody passes its %s" % (fn, expr))
        return out

    def svcs(self, src, off, expr):
        out = []
        for e in ternary(expr):
            e = e.strip()
            if e in SVCS:
                out.append(SVCS[e])
            elif e in SVCS.values():
                out.append(e)
            else:
                self.err(src, off, "cannot tell the service %r" % e)
        return out

    # ---- call sites ------------------------------------------------------
    def builder(self, src, m, name):
        ri, si, oi = BUILDERS[name]
        a = args_at(src.text, m.end() - 1)
        if len(a) <= max(i for i in (ri, si, oi) if isinstance(i, int)):
            return
        fn, params, _ = src.func_at(m.start())
        ops = [literal(x) for x in ternary(a[oi])]
        if None in ops:
            if fn in WRAPPERS and a[oi].split("->")[-1].strip() in \
                    params + ["action"]:
                return          # a wrapper passing its operation on
            self.err(src, m.start(), "%s with operation %r" % (name, a[oi]))
            return
        svcs = self.svcs(src, m.start(), a[si]) if isinstance(si, int) \
            else [si]
        roles = self.roles(src, m.start(), a[ri]) if isinstance(ri, int) \
            else {ri}
        if len(svcs) == 1 and len(ops) > 1:
            svcs = svcs * len(ops)
        if len(ops) == 1 and len(svcs) > 1:
            ops = ops * len(svcs)
        if len(svcs) != len(ops):
            self.err(src, m.start(), "services %r for operations %r"
                     % (svcs, ops))
            return
        for svc, op in zip(svcs, ops):
            for r in roles:
                self.add(svc, op, r, "%s:%d" % (src.rel, src.line(m.start())))

    def request(self, src, m, name):
        """pb_call(x, ROLE, &r, ...) / aws_call(c, cr, &r, ...): the
        operation is r.action = "..." in the same function"""
        a = args_at(src.text, m.end() - 1)
        fn, params, _ = src.func_at(m.start())
        if fn in WRAPPERS:
            return
        if len(a) < 3 or not a[2].startswith("&"):
            self.err(src, m.start(), "%s on %r" % (name, a[2:3]))
            return
        var = a[2][1:].strip()
        body = src.body(m.start())
        acts = re.findall(r"\b%s\.action\s*=\s*([^;]+);" % re.escape(var),
                          body)
        svcs = re.findall(r"\b%s\.svc\s*=\s*([^;]+);" % re.escape(var), body)
        ops = [literal(x) for x in acts]
        if not ops or None in ops or len(svcs) != 1:
            self.err(src, m.start(), "%s: %s.action %r, %s.svc %r"
                     % (name, var, acts, var, svcs))
            return
        if name == "aws_call":
            self.err(src, m.start(), "aws_call outside a wrapper: which "
                     "role signs it")
            return
        roles = self.roles(src, m.start(), a[1])
        for svc in self.svcs(src, m.start(), svcs[0]):
            for op in ops:
                for r in roles:
                    self.add(svc, op, r, "%s:%d" % (src.rel,
                                                   src.line(m.start())))

    def tables(self, src):
        for m in re.finditer(r"struct\s+(%s)\s+(\w+)\s*=\s*\{"
                             % "|".join(TABLES),
                             src.text):
            kind, var = m.group(1), m.group(2)
            a = args_at(src.text, m.end() - 1)
            op = literal(a[1]) if len(a) > 1 else None
            if op is None:
                self.err(src, m.start(), "struct %s %s without a literal "
                         "operation" % (kind, var))
                continue
            svcs = self.svcs(src, m.start(), a[0])
            where = "%s:%d" % (src.rel, src.line(m.start()))
            if TABLES[kind]:
                roles = {TABLES[kind]}
            else:
                roles = set()
                uses = list(re.finditer(r"\br53_pages\s*\(", src.text))
                for u in uses:
                    ua = args_at(src.text, u.end() - 1)
                    if len(ua) > 2 and ua[2].strip() == "&" + var:
                        roles |= self.roles(src, u.start(), ua[1])
                if not roles:
                    self.err(src, m.start(), "struct r53_pages %s: no "
                             "r53_pages() call uses it" % var)
            for svc in svcs:
                for r in roles:
                    self.add(svc, op, r, where)

    def run(self):
        for src in self.srcs:
            defs = {f[0] for f in src.funcs}
            for m in re.finditer(r"\b(%s|pb_call|aws_call)\s*\("
                                 % "|".join(BUILDERS), src.text):
                if m.start() in defs:
                    continue    # the definition itself
                prev = src.text[max(0, m.start() - 30):m.start()]
                if re.search(r"(fx_err|\*)\s*$", prev):
                    continue    # a prototype
                name = m.group(1)
                if name in BUILDERS:
                    self.builder(src, m, name)
                else:
                    self.request(src, m, name)
            self.tables(src)
        return self


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else ".")
    sys.path.insert(0, os.path.join(root, "deploy", "iam"))
    import gen_policies as gp

    bad = []
    try:
        d = gp.load(os.path.join(root, "deploy", "iam", "permissions.json"))
    except (gp.DeclError, ValueError, KeyError) as e:
        print("check_iam: permissions.json: %s" % e)
        return 1
    scan = Scan(root).run()
    bad += scan.errors
    declared = {(c["call"], c["role"]) for c in d["calls"]}
    for k in sorted(set(scan.calls) - declared):
        bad.append("%s as %s (%s) is not declared in deploy/iam/"
                   "permissions.json" % (k[0], k[1],
                                         ", ".join(scan.calls[k])))
    for k in sorted(declared - set(scan.calls)):
        bad.append("%s as %s is declared in deploy/iam/permissions.json "
                   "but no code sends it" % k)
    try:
        for p in gp.stale(d, root):
            bad.append("%s differs from what deploy/iam/gen_policies.py "
                       "writes (run it)" % os.path.relpath(p, root))
    except gp.DeclError as e:
        bad.append(str(e))
    for b in bad:
        print("check_iam: " + b)
    if not bad:
        print("check_iam: %d calls in %d sites declared; policies and "
              "tables current" % (len(scan.calls),
                                  sum(len(v) for v in scan.calls.values())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
