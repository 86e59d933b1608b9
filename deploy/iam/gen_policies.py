#!/usr/bin/env python3
"""gen_policies.py - the IAM policies and permission tables, from the code's
declared AWS calls (deploy/iam/permissions.json).

    python3 deploy/iam/gen_policies.py            write them (in the tree)
    python3 deploy/iam/gen_policies.py --check    exit 1 when one differs
    python3 deploy/iam/gen_policies.py --render OUTDIR \\
        --hub-account 111122223333 --hub-role fixitd [--external-id-file F]
        [--partition aws-us-gov]                  the same files with the
                                                  placeholders replaced

Written: auditor-, tagger-, remediator-policy.json, fixitd-hub-policy.json,
trust-policy.json (deploy/iam/), the table "Permissions per playbook" in
deploy/iam/README.md and the table of roles in README.md (each between
its BEGIN/END generated markers).

permissions.json declares each call once: "SERVICE Operation" as the C
code sends it, the role that sends it, the statement (sid) that grants
it, what IAM checks for it ("iam", default PREFIX:Operation) and what AWS
checks besides on the caller's behalf ("also": tags at creation, KMS
grants, the VPC a private zone names). A statement's actions are exactly
those its calls need (least privilege: nothing granted that no call
needs; a statement no call needs is an error); its resource and condition
are the statement's. tests/check_iam.py holds the C code to this file.

Python 3 standard library only.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DECL = os.path.join(HERE, "permissions.json")

ROLE_ORDER = ("hub", "auditor", "tagger", "remediator")
TABLE_ROLES = ("auditor", "tagger", "remediator")
PLAYBOOK_ORDER = ("ec2-imdsv1", "ebs-unused", "eip-unassociated", "rds-idle",
                  "route53-ns-only", "dangling-dns", "ec2-quarantine",
                  "ec2-quarantine-expired", "ec2-stopped",
                  "ec2-underused", "imdsv1-everywhere", "snapshot-stale",
                  "redshift-idle", "lb-unused", "iam-admin-paths",
                  "honeypot-key", "cloudshell-secrets", "tagging-standard",
                  "(events)")
# the IAM prefix of each service as aws_svc_name() names it
IAM_PREFIX = {"ec2": "ec2", "iam": "iam", "sts": "sts", "rds": "rds",
              "cloudwatch": "cloudwatch", "route53": "route53",
              "cloudfront": "cloudfront", "cloudtrail": "cloudtrail",
              "s3": "s3", "elb": "elasticloadbalancing",
              "elbv2": "elasticloadbalancing",
              "compute-optimizer": "compute-optimizer",
              "autoscaling": "autoscaling", "eks": "eks",
              "redshift": "redshift", "apigateway": "apigateway",
              "apigatewayv2": "apigateway",
              "elasticbeanstalk": "elasticbeanstalk", "lambda": "lambda"}
# the name tests/integration/fakeaws.py records for each (its endpoint's
# name; elb and elbv2 told apart by the API version)
RECORDED = {"cloudwatch": "monitoring", "apigatewayv2": "apigateway"}

PLAYBOOK_MARK = "permissions per playbook"
ROLES_MARK = "IAM roles"


class DeclError(Exception):
    pass


def load(path=DECL):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    check_decl(d)
    return d


def iam_of(call):
    """The IAM actions the call itself needs."""
    if "iam" in call:
        return list(call["iam"])
    svc, op = call["call"].split(" ", 1)
    return ["%s:%s" % (IAM_PREFIX[svc], op)]


def check_decl(d):
    sids = {}
    for st in d["statements"]:
        if st["sid"] in sids:
            raise DeclError("statement %s declared twice" % st["sid"])
        if st["role"] not in d["roles"]:
            raise DeclError("statement %s: unknown role %s" % (st["sid"],
                                                               st["role"]))
        sids[st["sid"]] = st
    seen = set()
    for c in d["calls"]:
        parts = c["call"].split(" ")
        if len(parts) != 2 or parts[0] not in IAM_PREFIX:
            raise DeclError("call %r: not 'SERVICE Operation'" % c["call"])
        key = (c["call"], c["role"])
        if key in seen:
            raise DeclError("call %s by %s declared twice" % key)
        seen.add(key)
        if c["role"] not in d["roles"]:
            raise DeclError("call %s: unknown role %s" % (c["call"],
                                                          c["role"]))
        grants = [(c.get("sid"), iam_of(c))] + \
            [(a["sid"], a["iam"]) for a in c.get("also", [])]
        for sid, acts in grants:
            if not acts:
                continue
            if sid not in sids:
                raise DeclError("call %s: no statement %s" % (c["call"],
                                                              sid))
            if sids[sid]["role"] != c["role"]:
                raise DeclError("call %s by %s granted in %s's statement %s"
                                % (c["call"], c["role"], sids[sid]["role"],
                                   sid))


def statement_actions(d):
    """{sid: [actions]} in the order the calls need them."""
    acts = {st["sid"]: list(st.get("actions", [])) for st in d["statements"]}
    for c in d["calls"]:
        grants = [(c.get("sid"), iam_of(c))] + \
            [(a["sid"], a["iam"]) for a in c.get("also", [])]
        for sid, lst in grants:
            for a in lst:
                if a not in acts[sid]:
                    acts[sid].append(a)
    return acts


def _one(v):
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def policies(d):
    """{role: policy document}"""
    acts = statement_actions(d)
    out = {}
    for role in ROLE_ORDER:
        sts = []
        for st in d["statements"]:
            if st["role"] != role:
                continue
            if not acts[st["sid"]]:
                raise DeclError("statement %s: no call needs it"
                                % st["sid"])
            s = {"Sid": st["sid"], "Effect": st.get("effect", "Allow"),
                 "Action": _one(acts[st["sid"]]),
                 "Resource": _one(st["resource"])}
            if st.get("condition"):
                s["Condition"] = st["condition"]
            sts.append(s)
        out[role] = {"Version": "2012-10-17", "Statement": sts}
    return out


def trust_policy(d):
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "FixitdOnly", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::HUB_ACCOUNT_ID:role/HUB_ROLE_NAME"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"sts:ExternalId": "YOUR_EXTERNAL_ID"},
            "StringLike": {"sts:RoleSessionName": "fixit-*"}}}]}


def allowed(d):
    """{role: set of IAM actions its policy allows} (conditions aside)"""
    out = {r: set() for r in d["roles"]}
    for role, pol in policies(d).items():
        for s in pol["Statement"]:
            if s["Effect"] != "Allow":
                continue
            a = s["Action"]
            out[role].update([a] if isinstance(a, str) else a)
    return out


def call_index(d):
    """{(service as recorded, operation): {role: [IAM actions]}} for
    checking the requests the fake AWS recorded"""
    out = {}
    for c in d["calls"]:
        svc, op = c["call"].split(" ", 1)
        k = (RECORDED.get(svc, svc), op)
        out.setdefault(k, {})[c["role"]] = iam_of(c)
    return out


# ---- tables ---------------------------------------------------------------

def _code(a):
    return "`%s`" % a


def _cell(d, role, playbook):
    items = []          # [iam action, [notes]]
    for c in d["calls"]:
        if c["role"] != role or playbook not in c.get("playbooks", []):
            continue
        for a in iam_of(c):
            for it in items:
                if it[0] == a:
                    break
            else:
                it = [a, [], []]
                items.append(it)
            use = c.get("use")
            if isinstance(use, dict):
                use = use.get(playbook)
            if use and use not in it[1]:
                it[1].append(use)
            for also in c.get("also", []):
                for why, xs in it[2]:
                    if why == also["why"]:
                        break
                else:
                    xs = []
                    it[2].append((also["why"], xs))
                xs.extend(x for x in also["iam"] if x not in xs)
    out = []
    for a, notes, also in items:
        s = _code(a)
        if notes:
            s += " (%s)" % "; ".join(notes)
        if also:
            s += ", with " + ", ".join(
                "%s (%s)" % (", ".join(_code(x) for x in xs), why)
                for why, xs in also)
        out.append(s)
    return "; ".join(out) or "—"


def playbook_table(d):
    lines = ["| playbook | auditor (read) | tagger (`fixit:` keys only) | "
             "remediator (fix, undo) |",
             "|---|---|---|---|"]
    for pb in PLAYBOOK_ORDER:
        name = pb if pb.startswith("(") else _code(pb)
        if pb == "(events)":
            name = "events (`fixit:creator`)"
        lines.append("| %s | %s |" % (name, " | ".join(
            _cell(d, r, pb) for r in TABLE_ROLES)))
    return "\n".join(lines) + "\n"


def _cond(cond):
    parts = []
    for op, kv in sorted(cond.items()):
        for k, v in sorted(kv.items()):
            parts.append("%s %s %s" % (k, op, json.dumps(v)))
    return "; ".join(parts)


def roles_table(d):
    pols = policies(d)
    lines = ["| role | IAM role | policy | used for | grants |",
             "|---|---|---|---|---|"]
    for role in ROLE_ORDER:
        r = d["roles"][role]
        grants = []
        for s in pols[role]["Statement"]:
            a = s["Action"]
            a = [a] if isinstance(a, str) else a
            g = ", ".join(_code(x) for x in a)
            if s["Effect"] == "Deny":
                g = "**deny** " + g + " on " + ", ".join(
                    _code(x) for x in ([s["Resource"]]
                                       if isinstance(s["Resource"], str)
                                       else s["Resource"]))
            elif s.get("Condition"):
                g += " (if " + _cond(s["Condition"]) + ")"
            grants.append(g)
        lines.append("| %s | `%s` | `deploy/iam/%s` | %s | %s |" % (
            role, r["name"], r["policy"], r["used_for"], "; ".join(grants)))
    return "\n".join(lines) + "\n"


def begin(mark):
    return "<!-- BEGIN generated %s: python3 deploy/iam/gen_policies.py -->" \
        % mark


def end(mark):
    return "<!-- END generated %s -->" % mark


def splice(text, mark, body, path):
    b, e = begin(mark), end(mark)
    i, j = text.find(b), text.find(e)
    if i < 0 or j < i:
        raise DeclError("%s: no %r ... %r markers" % (path, b, e))
    return text[:i + len(b)] + "\n" + body + text[j:]


# ---- files ----------------------------------------------------------------

def dump(doc):
    return json.dumps(doc, indent=2) + "\n"


def outputs(d, root=ROOT):
    """{path: text} of every generated file (README texts spliced)."""
    iam = os.path.join(root, "deploy", "iam")
    pols = policies(d)
    out = {}
    for role in ROLE_ORDER:
        out[os.path.join(iam, d["roles"][role]["policy"])] = dump(pols[role])
    out[os.path.join(iam, "trust-policy.json")] = dump(trust_policy(d))
    for path, mark, body in (
            (os.path.join(iam, "README.md"), PLAYBOOK_MARK,
             playbook_table(d)),
            (os.path.join(root, "README.md"), ROLES_MARK, roles_table(d))):
        with open(path, encoding="utf-8") as f:
            out[path] = splice(f.read(), mark, body, path)
    return out


def stale(d, root=ROOT):
    """paths whose content differs from what would be generated"""
    bad = []
    for path, text in sorted(outputs(d, root).items()):
        try:
            with open(path, encoding="utf-8") as f:
                have = f.read()
        except OSError:
            have = None
        if have != text:
            bad.append(path)
    return bad


def render(d, outdir, account, hub_role, external_id, partition="aws"):
    """the policies with the placeholders replaced, into outdir"""
    if not (account.isdigit() and len(account) == 12):
        raise DeclError("--hub-account: 12 digits")
    if partition not in ("aws", "aws-cn", "aws-us-gov"):
        raise DeclError("--partition: aws, aws-cn or aws-us-gov")
    os.makedirs(outdir, exist_ok=True)
    subst = {"HUB_ACCOUNT_ID": account, "HUB_ROLE_NAME": hub_role,
             "YOUR_EXTERNAL_ID": external_id}
    docs = {d["roles"][r]["policy"]: policies(d)[r] for r in ROLE_ORDER}
    docs["trust-policy.json"] = trust_policy(d)
    for name, doc in docs.items():
        text = dump(doc)
        for k, v in subst.items():
            text = text.replace(k, json.dumps(v)[1:-1])
        text = text.replace('"arn:aws:', '"arn:%s:' % partition)
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    return sorted(docs)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="only say which generated files differ (exit 1)")
    ap.add_argument("--render", metavar="OUTDIR",
                    help="write the policies with placeholders replaced")
    ap.add_argument("--hub-account", default="HUB_ACCOUNT_ID")
    ap.add_argument("--hub-role", default="fixitd")
    ap.add_argument("--partition", default="aws",
                    help="aws.partition of the config (aws-cn, aws-us-gov)")
    ap.add_argument("--external-id-file",
                    help="the ExternalId, from a file (never argv)")
    a = ap.parse_args(argv)
    try:
        d = load()
        if a.render:
            ext = "YOUR_EXTERNAL_ID"
            if a.external_id_file:
                with open(a.external_id_file, encoding="utf-8") as f:
                    ext = f.read().strip()
            for n in render(d, a.render, a.hub_account, a.hub_role, ext,
                            a.partition):
                print(os.path.join(a.render, n))
            return 0
        if a.check:
            bad = stale(d)
            for p in bad:
                print("stale: %s (run python3 deploy/iam/gen_policies.py)"
                      % os.path.relpath(p, ROOT))
            return 1 if bad else 0
        for path, text in sorted(outputs(d).items()):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(os.path.relpath(path, ROOT))
        return 0
    except DeclError as e:
        print("gen_policies: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
