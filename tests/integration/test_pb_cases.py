#!/usr/bin/env python3
"""test_pb_cases.py - the built-in playbook cases written as data:
every tests/data/playbooks/*.json runs here, in name order, each against
its own fixitd (aws executor) and fake AWS, and is reported by its file
name (PASS 0102-imds-dry-run.json). The format is in
tests/data/playbooks/README.md; in short a case is a fake AWS seed, a
playbook, and steps (start, scan, wait, undo, ...) each followed by the
expectations that must hold then (findings, the AWS calls in order, the
resulting AWS state, the prior state).

A case with a missing, unknown or malformed section fails; so does a case
that asserts nothing.

    FIXITD=build/fixitd python3 tests/integration/test_pb_cases.py
    ... test_pb_cases.py 0102-imds-dry-run.json     # one case
    FIXIT_CASE_JOBS=1 ... test_pb_cases.py           # one case at a time
                                                    # (default: two)
"""

import concurrent.futures
import glob
import json
import os
import re
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from fakeaws_state import (ACCOUNT_SEEDS, REGION_SEEDS,  # noqa: E402
                           iso, parse_time)
from pbtest import (check_fixit_tags,                   # noqa: E402
                    check_only_fixit_tagging, check_scan_ok, form,
                    tag_params)

CASES = os.path.join(h.DATA, "playbooks")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CONSTANTS = {"NONPROD": h.NONPROD, "PROD": h.PROD, "REGION": h.REGION,
             "OWNER": h.OWNER, "ADMIN": h.ADMIN}
MISSING = object()          # a state path or key that is not there


def drop_why(kw):
    """A seed entry without its "why" notes (the entry's and those of the
    entries in its lists, e.g. a zone's records)."""
    out = {}
    for k, v in kw.items():
        if k == "why":
            continue
        if isinstance(v, list):
            v = [drop_why(x) if isinstance(x, dict) else x for x in v]
        out[k] = v
    return out


def _dig(v, key):
    """v["a"]["b"] for key "a.b" (None when missing)."""
    for k in key.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    return v


class CaseError(Exception):
    """The case file itself is wrong (not the system under test)."""


def need(cond, msg, *args):
    if not cond:
        raise CaseError(msg % args if args else msg)


def only_keys(d, allowed, where, required=()):
    need(isinstance(d, dict), "%s: an object expected, got %r", where, d)
    for k in required:
        need(k in d, "%s: %r missing", where, k)
    bad = sorted(set(d) - set(allowed))
    need(not bad, "%s: unknown key(s) %s (known: %s)", where,
         ", ".join(bad), ", ".join(sorted(allowed)))


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    need(not dup, "key(s) %s twice in one object", ", ".join(dup))
    return dict(pairs)


# ---- the run of one case ----------------------------------------------------

class Run:
    def __init__(self, path):
        self.path = path
        self.file = os.path.basename(path)
        try:
            with open(path) as f:
                self.case = json.load(f, object_pairs_hook=no_duplicates)
        except CaseError as e:
            raise CaseError("%s: %s" % (self.file, e))
        except ValueError as e:
            raise CaseError("%s: not JSON: %s" % (self.file, e))
        only_keys(self.case, ("description", "playbook", "seed", "steps"),
                  self.file, ("description", "playbook", "seed", "steps"))
        need(isinstance(self.case["description"], str) and
             self.case["description"].strip(), "description: empty")
        pb = self.case["playbook"]
        only_keys(pb, ("builtin", "name", "dry_run", "params", "approval",
                       "max_attempts", "irreversible", "grace",
                       "reminder_before"), "playbook", ("builtin",))
        self.pb = pb.get("name") or pb["builtin"]
        need(isinstance(self.case["steps"], list) and self.case["steps"],
             "steps: a non-empty list expected")
        self.lint()
        self.now = time.time()
        self.vars = dict(CONSTANTS)
        self.asserts = 0
        self.env = None

    def lint(self):
        """The checks that need no fixitd: every step known and complete,
        every expectation and matcher known, start before the rest."""
        started = False
        for i, st in enumerate(self.case["steps"]):
            where = "steps[%d]" % i
            need(isinstance(st, dict) and st.get("do") in self.STEPS,
                 "%s: \"do\" must be one of %s", where,
                 ", ".join(sorted(self.STEPS)))
            do = st["do"]
            allowed, required = self.STEPS[do]
            only_keys(st, ("do", "expect", "why") + allowed + required,
                      where, required)
            need(started or do in ("start", "ignore", "page_size", "change",
                                   "check"), "%s: %s before start", where, do)
            started = started or do == "start"
            need(do != "check" or "expect" in st, "%s: check without "
                 "expect", where)
            if "expect" in st:
                only_keys(st["expect"], self.EXPECT, where + ".expect")
                need(st["expect"], "%s.expect: empty", where)
                lint_matchers(st["expect"], where + ".expect")
        need(started, "no start step")

    # ---- ${...} ------------------------------------------------------------
    def value(self, name):
        kind, _, arg = name.partition(":")
        if kind == "fid" and arg:
            rid = self.vars.get(arg, arg)
            return str(self.fid(rid))
        if kind in ("ago", "epoch_ago", "date_ago", "gmt_ago") and arg:
            m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", arg)
            need(m, "${%s}: want N[smhd]", name)
            t = self.now - float(m.group(1)) * UNITS[m.group(2)]
            if kind == "epoch_ago":
                return int(t)
            if kind == "gmt_ago":  # as in EC2's StateTransitionReason
                return iso(t, ms=False)[:19].replace("T", " ")
            return iso(t, ms=False)[:10 if kind == "date_ago" else None]
        if kind == "state" and arg:
            v = self.resolve(arg)
            need(v is not MISSING, "${%s}: no such state", name)
            return v
        if name == "now":
            return self.now
        need(name in self.vars, "${%s}: not defined (aliases and $bind "
             "names so far: %s)", name, ", ".join(sorted(self.vars)))
        return self.vars[name]

    def sub(self, x):
        """x with every ${...} replaced (innermost first); a string that
        is one ${...} only takes the value's type."""
        if isinstance(x, str):
            while True:
                m = re.search(r"\$\{([^${}]+)\}", x)
                if not m:
                    return x
                v = self.value(m.group(1))
                if m.span() == (0, len(x)):
                    return v
                x = x[:m.start()] + str(v) + x[m.end():]
        if isinstance(x, list):
            return [self.sub(v) for v in x]
        if isinstance(x, dict):
            return {self.sub(k): (v if k == "$bind" else self.sub(v))
                    for k, v in x.items()}
        return x

    # ---- findings ----------------------------------------------------------
    def fid(self, rid):
        f = self.findings_by_resource().get(rid)
        need(f is not None, "no finding for resource %s (findings: %s)", rid,
             sorted(self.findings_by_resource()))
        return int(f["id"])

    def findings_by_resource(self):
        """The case playbook's finding of each resource first (a history
        step records other playbooks' findings on the same ones)."""
        out = {}
        fs = self.env.findings()
        for f in sorted(fs, key=lambda f: f.get("playbook") != self.pb):
            out.setdefault(f["resource_id"], f)
        out.update({r: {"id": i} for r, i in self.env.ids.items()
                    if r not in out})
        return out

    # ---- the fake's state --------------------------------------------------
    def resolve(self, path, parent=False):
        """A value of the fake's state by "ATTR/KEY/..." (ATTR of the
        NONPROD region, else of the account; "@ACCOUNT/" first picks
        another account). A part "?k=v&k2=v2" keeps the values whose
        fields equal (a list). parent=True: (container, last key)."""
        parts = [p for p in path.split("/") if p != ""]
        acct = h.NONPROD
        if parts and parts[0].startswith("@"):
            acct = parts.pop(0)[1:]
        need(parts, "state path %r: empty", path)
        a = self.env.aws.account(acct)
        reg = a.region(h.REGION)
        head = parts.pop(0)
        if hasattr(reg, head) and head not in ("account", "name"):
            cur = getattr(reg, head)
        elif hasattr(a, head) and head not in ("fake", "id"):
            cur = getattr(a, head)
        else:
            raise CaseError("state path %r: no %r in the fake" % (path, head))
        if parent:
            need(parts, "state path %r: names no item", path)
            last = parts.pop()
        for p in parts:
            cur = self._step(cur, p)
            if cur is MISSING:
                return (MISSING, None) if parent else MISSING
        return (cur, last) if parent else cur

    @staticmethod
    def _step(cur, p):
        if p.startswith("?"):
            conds = [c.partition("=") for c in p[1:].split("&")]
            vals = cur.values() if isinstance(cur, dict) else cur
            return [v for v in vals if isinstance(v, dict) and
                    all(str(_dig(v, k)) == want for k, _, want in conds)]
        if isinstance(cur, dict):
            return cur.get(p, MISSING)
        if isinstance(cur, list) and re.fullmatch(r"-?\d+", p):
            i = int(p)
            return cur[i] if -len(cur) <= i < len(cur) else MISSING
        return MISSING

    # ---- seeding -----------------------------------------------------------
    def seed(self, doc, where="seed"):
        only_keys(doc, ("accounts", "account", "region", "page_size"),
                  where)
        for op, n in (doc.get("page_size") or {}).items():
            self.env.aws.set_page_size(int(n), op)
        doc = dict(doc)
        short = dict(doc.pop("account", None) or {})
        if "region" in doc:
            short["regions"] = {h.REGION: doc.pop("region")}
        if short:
            need(h.NONPROD not in (doc.get("accounts") or {}),
                 "%s: account/region and accounts.%s both", where,
                 h.NONPROD)
            doc["accounts"] = dict(doc.get("accounts") or {})
            doc["accounts"][h.NONPROD] = short
        acct_keys = dict(ACCOUNT_SEEDS)
        acct_keys["role_policies"] = "put_role_policy"
        reg_keys = dict(REGION_SEEDS)
        for aid, ad in (doc.get("accounts") or {}).items():
            aid = self.sub(aid)
            only_keys(ad, list(acct_keys) + ["regions"],
                      "%s.accounts.%s" % (where, aid))
            acct = self.env.aws.account(aid)
            for key, meth in list(ACCOUNT_SEEDS) + [
                    ("role_policies", "put_role_policy")]:
                for kw in ad.get(key) or ():
                    self._add(acct, meth, kw, "%s %s" % (where, key))
            for rname, rd in (ad.get("regions") or {}).items():
                rname = self.sub(rname)
                only_keys(rd, reg_keys, "%s.accounts.%s.regions.%s"
                          % (where, aid, rname))
                reg = acct.region(rname)
                for key, meth in REGION_SEEDS:
                    for kw in rd.get(key) or ():
                        self._add(reg, meth, kw, "%s %s" % (where, key))

    def _add(self, obj, meth, kw, where):
        need(isinstance(kw, dict), "%s: an object expected, got %r", where,
             kw)
        kw = dict(kw)
        alias = kw.pop("as", None)
        kw = drop_why(kw)
        kw = self.sub(kw)
        try:
            rv = getattr(obj, meth)(**kw)
        except TypeError as e:
            raise CaseError("%s: %s" % (where, e))
        if alias:
            need(alias not in self.vars, "%s: alias %r twice", where, alias)
            if isinstance(rv, dict):
                rv = rv.get("id") or rv.get("name")
            self.vars[alias] = rv

    # ---- calls -------------------------------------------------------------
    def call_view(self, c):
        v = {"op": c.name, "service": c.service, "account": c.account,
             "region": c.region, "role": c.role, "params": form(c),
             "ignored": c.ignored, "error": c.error, "ok": c.ok,
             "method": c.method, "path": c.path,
             "response": (c.response or b"").decode("utf-8", "replace")}
        if c.service == "route53" and c.raw:
            v.update(r53_view(c.raw))
        return v

    def select(self, sel):
        only_keys(sel, ("op", "service", "account", "ok", "mutating",
                        "has_param", "no_param", "param", "about",
                        "has_error", "path"), "select")
        kw = {k: sel[k] for k in ("service", "account", "ok") if k in sel}
        if "op" in sel:
            kw["action"] = sel["op"]
        calls = (self.env.aws.mutating_calls(**kw) if sel.get("mutating")
                 else self.env.aws.calls(**kw))
        out = []
        for c in calls:
            if any(k not in c.params for k in sel.get("has_param", ())):
                continue
            if any(k in c.params for k in sel.get("no_param", ())):
                continue
            if any(c.params.get(k) != v
                   for k, v in (sel.get("param") or {}).items()):
                continue
            if "about" in sel and sel["about"] not in c.params.values():
                continue
            if "has_error" in sel and bool(c.error) != sel["has_error"]:
                continue
            if "path" in sel and c.path != sel["path"]:
                continue
            out.append(self.call_view(c))
        return out

    # ---- steps -------------------------------------------------------------
    STEPS = {       # do: (optional keys, required keys)
        "start": ((), ()), "scan": (("check_rows",), ()),
        "pause": ((), ()), "resume": ((), ()), "reset_calls": ((), ()),
        "wait": (("timeout",), ("findings",)), "undo": ((), ("finding",)),
        "wait_audit": ((), ("finding", "event")), "ingest": ((), ("items",)),
        "ignore": (("n",), ("op",)), "page_size": ((), ("op", "n")),
        "change": (("delete", "set", "seed"), ()), "check": ((), ()),
        "history": ((), ("fixed",)),
    }
    EXPECT = ("found", "findings", "calls", "mutating", "state", "audit",
              "history", "checks", "elapsed")

    def run(self):
        pb = dict(self.case["playbook"])
        builtin = pb.pop("builtin")
        with h.Env("pbc-" + self.file[:-5][:24], aws=True, start=False,
                   playbooks=[h.aws_playbook(builtin, **pb)]) as env:
            self.env = env
            self.seed(self.case["seed"])
            for i, st in enumerate(self.case["steps"]):
                where = "steps[%d]" % i
                self.step(st["do"], st, where)
                if "expect" in st:
                    self.expect(st["expect"], where + ".expect")
            need(self.asserts, "the case asserts nothing")
        return self.asserts

    def step(self, do, st, where):
        env = self.env
        if do == "start":
            env.start()
            self.started = time.time()
        elif do == "scan":
            rows = env.scan()
            if st.get("check_rows", True):
                check_scan_ok(rows)
        elif do in ("pause", "resume"):
            env.fixit("%s %s" % (do, self.pb))
        elif do == "reset_calls":
            env.aws.reset_calls()
        elif do == "wait":
            need(isinstance(st.get("findings"), dict) and st["findings"],
                 "%s: findings {resource: state} expected", where)
            for rid, state in self.sub(st["findings"]).items():
                t = st.get("timeout") or (40 if state == "failed" else 30)
                env.wait_state(self.fid(rid), state, timeout=t)
        elif do == "undo":
            env.fixit("undo %d" % self.fid(self.sub(st["finding"])))
        elif do == "wait_audit":
            fid = self.fid(self.sub(st["finding"]))
            h.wait_until(lambda: [r for r in env.audit(fid)
                                  if r["event"] == st["event"]], 30,
                         what="audit event %s of #%d" % (st["event"], fid))
        elif do == "ingest":
            need(isinstance(st.get("items"), list) and st["items"],
                 "%s: items expected", where)
            items = []
            for it in self.sub(st["items"]):
                only_keys(it, ("playbook", "account", "resource", "owner",
                               "title", "details", "resource_arn",
                               "region"), where + ".items",
                          ("account", "resource"))
                it = dict(it)
                pb = it.pop("playbook", self.pb)
                items.append(h.item(pb, it.pop("account"),
                                    it.pop("resource"), **it))
            env.ingest_ok(items)
        elif do == "ignore":
            env.aws.ignore_next(st["op"], n=int(st.get("n", 1)))
        elif do == "page_size":
            env.aws.set_page_size(int(st["n"]), st["op"])
        elif do == "history":
            self.history(st["fixed"], where)
        elif do == "change":
            need(any(k in st for k in ("delete", "set", "seed")),
                 "%s: delete, set or seed expected", where)
            with env.aws.lock:
                for p in self.sub(st.get("delete") or []):
                    cont, key = self.resolve(p, parent=True)
                    need(isinstance(cont, dict) and key in cont,
                         "%s: delete %r: not there", where, p)
                    del cont[key]
                for p, v in self.sub(st.get("set") or {}).items():
                    cont, key = self.resolve(p, parent=True)
                    need(isinstance(cont, dict),
                         "%s: set %r: no such object", where, p)
                    cont[key] = v
                if "seed" in st:
                    self.seed(st["seed"], where + ".seed")

    def history(self, fixed, where):
        """Fixes fixitd made before the case (harness record_fix): each
        {"resource", "ago": "40d", "playbook" (default ec2-quarantine),
        "state" (fixed | rolled_back), "launch_time" (default the fake
        instance's; null: none recorded), "dry_run", "prior" (more of
        the prior state: an ebs-unused fix's snapshot_id; no launch time
        then unless given)}."""
        need(isinstance(fixed, list) and fixed, "%s: fixed: a list", where)
        for i, e in enumerate(self.sub(fixed)):
            w = "%s.fixed[%d]" % (where, i)
            only_keys(e, ("resource", "ago", "playbook", "state",
                          "launch_time", "dry_run", "prior", "why"), w,
                      ("resource", "ago"))
            m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", e["ago"])
            need(m, "%s: ago: want N[smhd]", w)
            at = self.now - float(m.group(1)) * UNITS[m.group(2)]
            rid = e["resource"]
            lt = e.get("launch_time", MISSING)
            if lt is MISSING and "prior" in e:
                lt = None       # the fix recorded what "prior" says
            if lt is MISSING:
                with self.env.aws.lock:
                    lt = iso(self.resolve("instances/%s/launch_time" % rid))
            prior = {"launch_time": lt} if lt is not None else {}
            prior.update(e.get("prior") or {})
            if e.get("dry_run"):
                prior["dry_run"] = True
            self.env.record_fix(e.get("playbook", "ec2-quarantine"), rid,
                                at, prior, state=e.get("state", "fixed"))

    # ---- expectations ------------------------------------------------------
    def expect(self, ex, where):
        only_keys(ex, self.EXPECT, where)
        need(ex, "%s: empty", where)
        for key, spec in ex.items():     # in order: a $bind serves later ones
            w = "%s.%s" % (where, key)
            if key == "found":
                got = sorted(f["resource_id"] for f in
                             self.env.findings(playbook=self.pb))
                want = sorted(self.sub(spec))
                self.assert_(got == want, w, "%s found %r, want %r",
                             self.pb, got, want)
            elif key == "findings":
                need(isinstance(spec, dict), "%s: {resource: matcher}", w)
                for rid, m in spec.items():
                    rid = self.sub(rid)
                    f = self.env.finding(self.fid(rid))
                    self.match(f, m, "%s[%s]" % (w, rid))
            elif key == "calls":
                need(isinstance(spec, list) and spec, "%s: a list", w)
                for i, c in enumerate(spec):
                    only_keys(c, ("select", "is", "why"), "%s[%d]" % (w, i),
                              ("select", "is"))
                    calls = self.select(self.sub(c["select"]))
                    self.match(calls, c["is"], "%s[%d]" % (w, i))
            elif key == "mutating":
                calls = [self.call_view(c)
                         for c in self.env.aws.mutating_calls()]
                if isinstance(spec, list) and all(isinstance(s, str)
                                                  for s in spec):
                    calls = [c["op"] for c in calls]
                self.match(calls, spec, w)
            elif key == "state":
                need(isinstance(spec, dict) and spec, "%s: {path: m}", w)
                for p, m in spec.items():
                    p = self.sub(p)
                    with self.env.aws.lock:     # a copy, read at once
                        v = self.resolve(p)
                        if v is not MISSING:
                            v = json.loads(json.dumps(v, default=str))
                    self.match(v, m, "%s[%s]" % (w, p))
            elif key in ("audit", "history"):
                need(isinstance(spec, dict) and spec, "%s: {resource: m}", w)
                for rid, m in spec.items():
                    rows = self.env.audit(self.fid(self.sub(rid)))
                    if key == "history":
                        rows = " | ".join("%s %s" % (r.get("reason"),
                                                     r.get("data") or "")
                                          for r in rows)
                    self.match(rows, m, "%s[%s]" % (w, self.sub(rid)))
            elif key == "elapsed":
                self.match(time.time() - self.started, spec, w)
            elif key == "checks":
                need(isinstance(spec, list) and spec, "%s: a list", w)
                for name in spec:
                    need(name in CHECKS, "%s: unknown check %r (known: %s)",
                         w, name, ", ".join(sorted(CHECKS)))
                    self.asserts += 1
                    CHECKS[name](self.env)

    def assert_(self, cond, where, msg, *args):
        self.asserts += 1
        h.check(cond, "%s: " + msg, where, *args)

    def match(self, got, m, where):
        """One expectation: got matches m (see the README)."""
        m = self.sub(m)
        err = self._match(got, m, where)
        self.asserts += 1
        h.check(err is None, "%s", err)

    def _match(self, got, m, where):
        if isinstance(m, dict) and m and all(is_op(k) for k in m):
            for op, arg in m.items():
                need(op in OPS, "%s: unknown matcher %s (known: %s)", where,
                     op, ", ".join(sorted(OPS)))
                err = OPS[op](self, got, arg, where)
                if err:
                    return err
            return None
        if got is MISSING:
            return "%s: missing, want %r" % (where, m)
        if isinstance(m, dict):
            need(not any(is_op(k) for k in m),
                 "%s: mixes $matchers and keys: %r", where, sorted(m))
            if not isinstance(got, dict):
                return "%s: %r, want an object" % (where, got)
            if set(got) != set(m):
                return "%s: keys %r, want %r (%r)" % (
                    where, sorted(got), sorted(m), got)
            for k in m:
                err = self._match(got[k], m[k], "%s.%s" % (where, k))
                if err:
                    return err
            return None
        if isinstance(m, list):
            if not isinstance(got, list) or len(got) != len(m):
                return "%s: %r, want %d item(s) %r" % (where, got, len(m), m)
            for i, (g, x) in enumerate(zip(got, m)):
                err = self._match(g, x, "%s[%d]" % (where, i))
                if err:
                    return err
            return None
        if got != m or type(got) is bool and type(m) is not bool \
                or type(m) is bool and type(got) is not bool:
            return "%s: %r, want %r" % (where, got, m)
        return None


# ---- matchers ---------------------------------------------------------------

def is_op(key):
    """"$has" is a matcher, "${alias}" a key to substitute."""
    return key.startswith("$") and not key.startswith("${")


def lint_matchers(x, where):
    """Every "$op" key under x is a known matcher; checks are known."""
    if isinstance(x, dict):
        for k, v in x.items():
            if is_op(k):
                need(k in OPS, "%s: unknown matcher %s (known: %s)", where,
                     k, ", ".join(sorted(OPS)))
            if k == "checks" and isinstance(v, list):
                for name in v:
                    need(name in CHECKS, "%s: unknown check %r", where, name)
            if k != "$bind":
                lint_matchers(v, "%s.%s" % (where, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            lint_matchers(v, "%s[%d]" % (where, i))


def _present(got, where):
    return "%s: missing" % where if got is MISSING else None


def op_has(run, got, arg, where):
    if not isinstance(got, dict):
        return "%s: %r, want an object" % (where, got)
    for k, m in arg.items():
        err = run._match(got.get(k, MISSING), m, "%s.%s" % (where, k))
        if err:
            return err + " (in %r)" % (got,)
    return None


def op_lacks(run, got, arg, where):
    if not isinstance(got, dict):
        return "%s: %r, want an object" % (where, got)
    there = [k for k in arg if k in got]
    return "%s: has %r (%r)" % (where, there, got) if there else None


def op_contains(run, got, arg, where):
    if got is MISSING or arg not in (got or ""):
        return "%s: %r does not contain %r" % (where, got, arg)
    return None


def op_startswith(run, got, arg, where):
    if not isinstance(got, str) or not got.startswith(arg):
        return "%s: %r does not start with %r" % (where, got, arg)
    return None


def op_ge(run, got, arg, where):
    if not isinstance(got, (int, float)) or not got >= arg:
        return "%s: %r, want >= %r" % (where, got, arg)
    return None


def op_le(run, got, arg, where):
    if not isinstance(got, (int, float)) or not got <= arg:
        return "%s: %r, want <= %r" % (where, got, arg)
    return None


def op_all(run, got, arg, where):
    for m in arg:
        err = run._match(got, m, where)
        if err:
            return err
    return None


TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list,
         "object": dict, "null": type(None)}


def op_type(run, got, arg, where):
    need(arg in TYPES, "%s: $type %r unknown (known: %s)", where, arg,
         ", ".join(sorted(TYPES)))
    t = TYPES[arg]
    ok = type(got) is t if t in (int, bool) else isinstance(got, t)
    return None if ok else "%s: %r is no %s" % (where, got, arg)


def op_keys(run, got, arg, where):
    if not isinstance(got, dict):
        return "%s: %r, want an object" % (where, got)
    return run._match(sorted(got), arg, where + " (keys)")


def op_near(run, got, arg, where):
    want, tol = arg
    if not isinstance(got, (int, float)) or not abs(got - want) < tol:
        return "%s: %r, want %r +- %r" % (where, got, want, tol)
    return None


def op_len(run, got, arg, where):
    if not isinstance(got, (list, dict, str)):
        return "%s: %r has no length" % (where, got)
    return run._match(len(got), arg, where + " (length)")


def op_each(run, got, arg, where):
    if not isinstance(got, list):
        return "%s: %r, want a list" % (where, got)
    for i, g in enumerate(got):
        err = run._match(g, arg, "%s[%d]" % (where, i))
        if err:
            return err
    return None


def op_some(run, got, arg, where):
    if not isinstance(got, list) or not any(
            run._match(g, arg, where) is None for g in got):
        return "%s: no item of %r matches %r" % (where, got, arg)
    return None


def op_only(run, got, arg, where):
    if not isinstance(got, list) or len(got) != 1:
        return "%s: %r, want exactly one" % (where, got)
    return run._match(got[0], arg, where + "[0]")


def op_filter(run, got, arg, where):
    """{"$filter": {"where": m1, "is": m2}}: the items matching m1."""
    if not isinstance(got, list):
        return "%s: %r, want a list" % (where, got)
    return run._match([g for g in got
                       if run._match(g, arg["where"], where) is None],
                      arg["is"], where + " (filtered)")


def op_sorted(run, got, arg, where):
    if not isinstance(got, list) or sorted(got, key=json.dumps) != \
            sorted(arg, key=json.dumps):
        return "%s: %r, want (any order) %r" % (where, got, arg)
    return None


def op_set(run, got, arg, where):
    if not isinstance(got, list) or \
            sorted(set(map(json.dumps, got))) != \
            sorted(set(map(json.dumps, arg))):
        return "%s: %r, want the set %r" % (where, got, sorted(set(arg)))
    return None


def _path(v, path):
    for p in path.split("/"):
        v = Run._step(v, p) if v is not MISSING else MISSING
    return v


def op_map(run, got, arg, where):
    if not isinstance(got, list):
        return "%s: %r, want a list" % (where, got)
    return run._match([_path(g, arg["path"]) for g in got], arg["is"],
                      "%s/*/%s" % (where, arg["path"]))


def op_at(run, got, arg, where):
    """{"$at": {"path": "a/b", "is": m}}: the value at a path."""
    return run._match(_path(got, arg["path"]) if got is not MISSING
                      else MISSING, arg["is"], "%s/%s" % (where, arg["path"]))


def op_drop(run, got, arg, where):
    if not isinstance(got, dict):
        return "%s: %r, want an object" % (where, got)
    return run._match({k: v for k, v in got.items() if k not in arg["keys"]},
                      arg["is"], where + " (without %s)" % arg["keys"])


def op_tags(run, got, arg, where):
    """{"$tags": {"prefix": "Tag.", "is": m}}: the tags of PREFIX.N.Key /
    PREFIX.N.Value parameters (of a call: of its params)."""
    if isinstance(got, dict) and "params" in got and "op" in got:
        got = got["params"]
    if not isinstance(got, dict):
        return "%s: %r, want parameters" % (where, got)
    return run._match(tag_params(got, arg["prefix"]), arg["is"],
                      "%s (tags %s)" % (where, arg["prefix"]))


def op_json(run, got, arg, where):
    try:
        v = json.loads(got)
    except (TypeError, ValueError):
        return "%s: %r is no JSON" % (where, got)
    return run._match(v, arg, where + " (JSON)")


def op_epoch(run, got, arg, where):
    try:
        v = parse_time(got)
    except (TypeError, ValueError):
        return "%s: %r is no time" % (where, got)
    return run._match(int(v), arg, where + " (epoch)")


def op_span(run, got, arg, where):
    """{"$span": {"from": K1, "to": K2, "is": m}}: time K2 - time K1."""
    try:
        d = parse_time(got[arg["to"]]) - parse_time(got[arg["from"]])
    except (KeyError, TypeError, ValueError):
        return "%s: no times %s, %s in %r" % (where, arg["from"], arg["to"],
                                              got)
    return run._match(int(d), arg["is"], "%s (%s - %s)" % (
        where, arg["to"], arg["from"]))


def op_before(run, got, arg, where):
    """[A, B]: an item matches A, one matches B, and the first A comes
    before the first B."""
    a, b = arg
    ia = [i for i, g in enumerate(got) if run._match(g, a, where) is None]
    ib = [i for i, g in enumerate(got) if run._match(g, b, where) is None]
    if not ia or not ib or ia[0] >= ib[0]:
        return "%s: %r does not come before %r" % (where, a, b)
    return None


def op_fixit_tags(run, got, arg, where):
    """{"action": A, "finding": RESOURCE, "playbook": P?}: check_fixit_tags."""
    if not isinstance(got, dict):
        return "%s: %r, want tags" % (where, got)
    try:
        check_fixit_tags(got, run.fid(arg["finding"]), arg["action"],
                         arg.get("playbook"))
    except AssertionError as e:
        return "%s: %s" % (where, e)
    return None


def op_bind(run, got, arg, where):
    need(isinstance(arg, str) and arg not in CONSTANTS,
         "%s: $bind needs a new name", where)
    if got is MISSING:
        return "%s: nothing to bind to %s" % (where, arg)
    run.vars[arg] = got
    return None


OPS = {
    "$has": op_has, "$lacks": op_lacks, "$contains": op_contains,
    "$startswith": op_startswith, "$ge": op_ge, "$le": op_le,
    "$near": op_near, "$keys": op_keys, "$all": op_all, "$type": op_type,
    "$len": op_len, "$each": op_each, "$some": op_some, "$only": op_only,
    "$sorted": op_sorted, "$filter": op_filter, "$set": op_set,
    "$map": op_map, "$at": op_at,
    "$drop": op_drop, "$tags": op_tags, "$json": op_json,
    "$epoch": op_epoch, "$span": op_span, "$before": op_before,
    "$fixit_tags": op_fixit_tags, "$bind": op_bind,
    "$match": lambda run, got, arg, where: run._match(got, arg, where),
    "$absent": lambda run, got, arg, where: None if (got is MISSING) == arg
    else "%s: %r, want %s" % (where, got, "absent" if arg else "present"),
    "$truthy": lambda run, got, arg, where: None
    if got is not MISSING and bool(got) == arg
    else "%s: %r, want %s" % (where, got, "truthy" if arg else "falsy"),
    "$any": lambda run, got, arg, where: _present(got, where),
    "$not": lambda run, got, arg, where: None
    if run._match(got, arg, where) else "%s: %r matches %r" % (where, got,
                                                               arg),
    "$or": lambda run, got, arg, where: None
    if any(run._match(got, m, where) is None for m in arg)
    else "%s: %r matches none of %r" % (where, got, arg),
}


# ---- Route 53 request bodies ------------------------------------------------

R53NS = "{https://route53.amazonaws.com/doc/2013-04-01/}"


def r53_view(raw):
    """xml {path: text} of a Route 53 body; changes [[action, name, type,
    set id]] of a change batch (sorted); added_tags / removes_tags of a
    ChangeTagsForResource."""
    try:
        root = ET.fromstring(raw)
    except ET.ParseError:
        return {"xml": None}
    flat = {}

    def walk(el, prefix):
        for ch in el:
            name = prefix + ch.tag.replace(R53NS, "")
            if ch.text and ch.text.strip() and name not in flat:
                flat[name] = ch.text
            walk(ch, name + "/")
    walk(root, "")
    v = {"xml": flat}
    chs = []
    for ch in root.iter(R53NS + "Change"):
        rr = ch.find(R53NS + "ResourceRecordSet")
        sid = rr.find(R53NS + "SetIdentifier")
        chs.append([ch.find(R53NS + "Action").text,
                    rr.find(R53NS + "Name").text,
                    rr.find(R53NS + "Type").text,
                    sid.text if sid is not None else None])
    if chs:
        v["changes"] = sorted(chs, key=lambda c: (c[1], c[2], c[3] or ""))
    if root.tag == R53NS + "ChangeTagsForResourceRequest":
        v["removes_tags"] = root.find(R53NS + "RemoveTagKeys") is not None
        v["added_tags"] = {
            t.find(R53NS + "Key").text: t.find(R53NS + "Value").text or ""
            for t in root.iter(R53NS + "Tag")}
    return v


# ---- named checks -----------------------------------------------------------

def check_ec2_roles(env):
    """Reads as the auditor, changes as the remediator, tags as the
    tagger (EC2 and IAM calls)."""
    for c in env.aws.calls(service="ec2") + env.aws.calls(service="iam"):
        if c.operation is None:
            continue
        if c.operation.startswith(("Describe", "Get", "List")):
            h.check(c.role == "fixit-auditor", "%s as %s", c.operation,
                    c.role)
        elif c.operation != "CreateTags":
            h.check(c.role == "fixit-remediator", "%s as %s", c.operation,
                    c.role)


def check_reads_as_auditor(env):
    for c in env.aws.calls(service="ec2") + env.aws.calls(service="rds") + \
            env.aws.calls(service="monitoring") + \
            env.aws.calls(service="cloudtrail"):
        if c.operation and c.operation.startswith(("Describe", "Lookup",
                                                   "Get", "List")):
            h.check(c.role == "fixit-auditor", "%s as %s", c.operation,
                    c.role)


CHECKS = {
    "only_fixit_tagging": check_only_fixit_tagging,
    "ec2_roles": check_ec2_roles,
    "reads_as_auditor": check_reads_as_auditor,
}


# ---- main -------------------------------------------------------------------

GOOD = {"description": "d", "playbook": {"builtin": "ec2-imdsv1"},
        "seed": {}, "steps": [{"do": "start"},
                              {"do": "scan", "expect": {"found": []}}]}
BROKEN = {          # what a broken case looks like -> the error it gives
    "not JSON": "{",
    "'steps' missing": {k: v for k, v in GOOD.items() if k != "steps"},
    "'seed' missing": {k: v for k, v in GOOD.items() if k != "seed"},
    "unknown key(s) stepz": dict(GOOD, stepz=[]),
    "description: empty": dict(GOOD, description=" "),
    "steps: a non-empty list": dict(GOOD, steps=[]),
    "\"do\" must be one of": dict(GOOD, steps=[{"do": "frobnicate"}]),
    "scan before start": dict(GOOD, steps=[{"do": "scan"}]),
    "no start step": dict(GOOD, steps=[
        {"do": "check", "expect": {"state": {"instances": {}}}}]),
    "'findings' missing": dict(GOOD, steps=[{"do": "start"},
                                            {"do": "wait"}]),
    "check without expect": dict(GOOD, steps=[{"do": "start"},
                                              {"do": "check"}]),
    "expect: empty": dict(GOOD, steps=[{"do": "start", "expect": {}}]),
    "unknown key(s) finds": dict(GOOD, steps=[
        {"do": "start", "expect": {"finds": []}}]),
    "unknown matcher $hass": dict(GOOD, steps=[
        {"do": "start", "expect": {"findings": {"x": {"$hass": {}}}}}]),
    "unknown check 'roles'": dict(GOOD, steps=[
        {"do": "start", "expect": {"checks": ["roles"]}}]),
    "key(s) state twice": '{"description": "d", "playbook": {"builtin": '
    '"x"}, "seed": {}, "steps": [{"do": "start", "expect": {"state": {}, '
    '"state": {}}}]}',
}


def test_broken_cases_refused():
    """Each kind of broken case file is refused before fixitd runs."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for i, (want, doc) in enumerate(sorted(BROKEN.items())):
            path = os.path.join(tmp, "%04d-broken.json" % i)
            with open(path, "w") as f:
                f.write(doc if isinstance(doc, str) else json.dumps(doc))
            try:
                Run(path)
            except CaseError as e:
                h.check(want in str(e), "%r refused with %r", want, str(e))
            else:
                h.check(False, "a broken case (%s) was taken", want)
        path = os.path.join(tmp, "good.json")
        with open(path, "w") as f:
            json.dump(GOOD, f)
        Run(path)


def case_test(path):
    def fn():
        try:
            n = Run(path).run()
        except CaseError as e:
            raise AssertionError("%s: malformed case: %s"
                                 % (os.path.basename(path), e))
        h.log("     %s: %d assertions" % (os.path.basename(path), n))
    fn.__name__ = os.path.basename(path)
    return fn


def case_files():
    return sorted(glob.glob(os.path.join(CASES, "*.json")))


def run_cases(fns, jobs):
    """harness.run_tests, with `jobs` cases at a time: a case spends its
    time waiting for fixitd's 1 s tick, not on a CPU, so two at once halve
    the wall time. PASS/FAIL lines come as cases end; a failure's
    traceback is printed whole."""
    if not os.access(h.FIXITD, os.X_OK):
        print("FAIL: no fixitd binary at %s (set FIXITD)" % h.FIXITD)
        sys.exit(1)
    only = sys.argv[1:]
    fns = [fn for fn in fns if not only or fn.__name__ in only]
    out = threading.Lock()

    def one(fn):
        t0 = time.time()
        h.log("RUN  %s" % fn.__name__)
        try:
            fn()
        except Exception as e:
            with out:
                sys.stdout.write(traceback.format_exc())
                h.log("FAIL %s (%.1fs): %s" % (fn.__name__,
                                               time.time() - t0, e))
            return False
        h.log("PASS %s (%.1fs)" % (fn.__name__, time.time() - t0))
        return True

    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        ok = list(pool.map(one, fns))
    passed = sum(ok)
    print("%d passed, %d failed" % (passed, len(ok) - passed), flush=True)
    sys.exit(0 if ok and all(ok) else 1)


if __name__ == "__main__":
    files = case_files()
    if not files:
        print("FAIL: no case files in %s" % CASES)
        sys.exit(1)
    run_cases([test_broken_cases_refused] + [case_test(p) for p in files],
              int(os.environ.get("FIXIT_CASE_JOBS") or 2))
