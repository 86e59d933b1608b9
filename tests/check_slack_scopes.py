#!/usr/bin/env python3
"""check_slack_scopes.py SRC - the Slack app manifest asks for exactly
the bot scopes the code needs (issue 15).

1. A static scan of the C sources finds every Slack Web API method
   fixitd calls: slack_api_call() with a literal method, or through a
   wrapper that passes its method parameter on (slack_call in
   server/sender.c), followed to the wrapper's callers. It fails closed:
   a method that is neither a literal nor a wrapper's parameter is an
   error.
2. The methods found are exactly those declared in
   deploy/slack-scopes.json (with the scopes Slack's reference gives
   each), and the bot scopes of deploy/slack-app-manifest.yaml are
   exactly the scopes of those methods, of the features the manifest
   turns on (the /fixit command needs `commands`) and the scopes Slack
   grants only with them (users:read.email needs users:read): none
   missing, none that nothing needs.
3. The manifest declares no bot event the declarations do not know, and
   the /fixit usage hint names every verb of the command table
   (server/cmd.c).

Run by CTest as check_slack_scopes. Python 3 standard library only.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_iam import Src, args_at, literal  # noqa: E402

SRC_DIRS = ("server", "slack", "remediation", "common", "db", "events")


def scan(root):
    srcs = []
    for d in SRC_DIRS:
        for dp, _, fs in os.walk(os.path.join(root, d)):
            for f in sorted(fs):
                if f.endswith(".c"):
                    p = os.path.join(dp, f)
                    srcs.append(Src(p, os.path.relpath(p, root)))
    found, errors = {}, []

    def where(s, off):
        return "%s:%d" % (s.rel, s.line(off))

    def callers(fn, idx, depth):
        n = 0
        for s in srcs:
            defs = {f[0] for f in s.funcs}
            for m in re.finditer(r"\b%s\s*\(" % re.escape(fn), s.text):
                if m.start() in defs:
                    continue
                a = args_at(s.text, m.end() - 1)
                if idx >= len(a):
                    continue
                n += 1
                method(s, m.start(), a[idx], depth + 1)
        if n == 0:
            errors.append("%s(): nobody calls it" % fn)

    def method(s, off, expr, depth=0):
        lit = literal(expr)
        if lit is not None:
            found.setdefault(lit, []).append(where(s, off))
            return
        fn, params, _ = s.func_at(off)
        if depth > 4 or fn is None or expr.strip() not in params:
            errors.append("%s: Slack method %r: neither a literal nor a "
                          "wrapper's parameter (teach "
                          "tests/check_slack_scopes.py)" % (where(s, off),
                                                            expr))
            return
        callers(fn, params.index(expr.strip()), depth)

    for s in srcs:
        defs = {f[0] for f in s.funcs}
        for m in re.finditer(r"\bslack_api_call\s*\(", s.text):
            if m.start() in defs or s.rel.endswith("slack/slack_api.c"):
                continue
            a = args_at(s.text, m.end() - 1)
            if len(a) > 1:
                method(s, m.start(), a[1])
    return found, errors


def manifest(path):
    """(bot scopes, bot events, /fixit usage hint) of the manifest: a
    line reader for its known shape (no YAML library in the stdlib)"""
    scopes, events, hint, stack = [], [], None, []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].rstrip()
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            ind = len(line) - len(line.lstrip())
            body = line.strip()
            while stack and stack[-1][0] >= ind and not body.startswith("-"):
                stack.pop()
            if body.startswith("- "):
                item = body[2:].strip()
                keys = [k for _, k in stack]
                if keys[-3:] == ["oauth_config", "scopes", "bot"]:
                    scopes.append(item)
                elif keys[-1:] == ["bot_events"]:
                    events.append(item)
                elif item.startswith("usage_hint:"):
                    hint = item
                continue
            m = re.match(r"([\w-]+):\s*(.*)$", body)
            if m:
                if m.group(1) == "usage_hint":
                    hint = m.group(2)
                if not m.group(2):
                    stack.append((ind, m.group(1)))
    if hint is not None:
        hint = hint.split(":", 1)[1].strip() if hint.startswith(
            "usage_hint:") else hint
        hint = hint.strip('"')
    return scopes, events, hint


def verbs(root):
    with open(os.path.join(root, "server", "cmd.c"), encoding="utf-8") as f:
        return re.findall(r'^\t\{ "([a-z]+)", [01], ', f.read(), re.M)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else ".")
    with open(os.path.join(root, "deploy", "slack-scopes.json"),
              encoding="utf-8") as f:
        d = json.load(f)
    bad = []
    found, errors = scan(root)
    bad += errors
    for m in sorted(set(found) - set(d["methods"])):
        bad.append("%s (%s) is not in deploy/slack-scopes.json"
                   % (m, ", ".join(found[m])))
    for m in sorted(set(d["methods"]) - set(found)):
        bad.append("%s is in deploy/slack-scopes.json but no code calls it"
                   % m)
    need = set()
    for lst in list(d["methods"].values()) + list(d["features"].values()):
        need.update(lst)
    for s in list(need):
        need.update(d["requires"].get(s, []))
    scopes, events, hint = manifest(os.path.join(root, "deploy",
                                                 "slack-app-manifest.yaml"))
    if len(set(scopes)) != len(scopes):
        bad.append("manifest: a bot scope listed twice: %r" % scopes)
    for s in sorted(need - set(scopes)):
        bad.append("manifest lacks bot scope %s (needed by %s)" % (s, ", ".join(
            sorted(k for k, v in list(d["methods"].items()) +
                   list(d["features"].items()) if s in v) or
            sorted(k for k, v in d["requires"].items() if s in v))))
    for s in sorted(set(scopes) - need):
        bad.append("manifest asks for bot scope %s, which no method or "
                   "feature fixitd uses needs" % s)
    for e in events:
        if "bot_events " + e not in d["features"]:
            bad.append("manifest subscribes to bot event %s, not declared "
                       "in deploy/slack-scopes.json" % e)
    words = set(re.findall(r"[a-z]+", hint or ""))
    vs = verbs(root)
    if not vs:
        bad.append("server/cmd.c: no command table found")
    for v in vs:
        if v not in words:
            bad.append("manifest /fixit usage_hint lacks %r" % v)
    for b in bad:
        print("check_slack_scopes: " + b)
    if not bad:
        print("check_slack_scopes: %d methods (%s), bot scopes %s, %d verbs"
              % (len(found), ", ".join(sorted(found)), ", ".join(scopes),
                 len(vs)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
