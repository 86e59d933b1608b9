"""check_alerts.py ROOT - deploy/alerts/*.yaml are valid Prometheus rule
files: YAML that parses (PyYAML when installed, else the block subset these
files use), groups with a name and rules, each rule an alert with an expr,
optional for/labels/annotations, and every fixit_* metric an expr names is
one fixitd exports (its name appears in server/*.c)."""

import glob
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
RULE_KEYS = {"alert", "expr", "for", "labels", "annotations"}
DURATION = re.compile(r"^[0-9]+(ms|s|m|h|d|w|y)$")


def strip_comment(line):
    if line.lstrip().startswith("#"):
        return ""
    return line.rstrip()


def scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse(lines, i, indent):
    """The block node starting at lines[i] (indent: its column)."""
    if lines[i][1].startswith("- "):
        return parse_list(lines, i, indent)
    return parse_map(lines, i, indent)


def block_scalar(lines, i, indent, folded):
    parts = []
    while i < len(lines) and lines[i][0] > indent:
        parts.append(lines[i][1])
        i += 1
    return (" " if folded else "\n").join(parts) + ("" if folded else "\n"), i


def value_after(lines, i, indent, rest):
    if rest in ("|", ">-", ">", "|-"):
        return block_scalar(lines, i + 1, indent, rest.startswith(">"))
    if rest == "":
        if i + 1 < len(lines) and lines[i + 1][0] >= indent and \
                (lines[i + 1][0] > indent or lines[i + 1][1].startswith("- ")):
            return parse(lines, i + 1, lines[i + 1][0])
        return None, i + 1
    return scalar(rest), i + 1


def parse_map(lines, i, indent):
    out = {}
    while i < len(lines) and lines[i][0] == indent and \
            not lines[i][1].startswith("- "):
        key, sep, rest = lines[i][1].partition(":")
        if not sep:
            raise ValueError("line %d: no ':' in %r" % (lines[i][2],
                                                        lines[i][1]))
        if key in out:
            raise ValueError("line %d: %s twice" % (lines[i][2], key))
        out[key.strip()], i = value_after(lines, i, indent, rest.strip())
    return out, i


def parse_list(lines, i, indent):
    out = []
    while i < len(lines) and lines[i][0] == indent and \
            lines[i][1].startswith("- "):
        # the item's first line as a line of its own, 2 columns in
        lines[i] = (indent + 2, lines[i][1][2:], lines[i][2])
        node, i = parse(lines, i, indent + 2)
        out.append(node)
    return out, i


def load(path):
    lines = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if "\t" in raw:
                raise ValueError("%s:%d: a tab" % (path, n))
            line = strip_comment(raw)
            if line.strip():
                lines.append((len(line) - len(line.lstrip()), line.strip(),
                              n))
    node, i = parse(lines, 0, 0)
    if i != len(lines):
        raise ValueError("%s:%d: unexpected indentation" % (path,
                                                           lines[i][2]))
    try:
        import yaml
    except ImportError:
        return node
    with open(path, encoding="utf-8") as f:
        full = yaml.safe_load(f)
    if full != node:
        raise ValueError("%s: the subset parser disagrees with PyYAML" % path)
    return full


def exported():
    names = set()
    for src in glob.glob(os.path.join(ROOT, "server", "*.c")):
        with open(src, encoding="utf-8") as f:
            names.update(re.findall(r"fixit_[a-z_]+", f.read()))
    return names


def check(path, names):
    doc = load(path)
    groups = doc.get("groups") if isinstance(doc, dict) else None
    assert isinstance(groups, list) and groups, "%s: no groups" % path
    n = 0
    for g in groups:
        assert isinstance(g.get("name"), str), "%s: a group without a name" % path
        assert isinstance(g.get("rules"), list) and g["rules"], \
            "%s: group %s has no rules" % (path, g.get("name"))
        for r in g["rules"]:
            extra = set(r) - RULE_KEYS
            assert not extra, "%s: %s: unknown keys %s" % (path, r, extra)
            assert isinstance(r.get("alert"), str) and r["alert"], \
                "%s: a rule without an alert name" % path
            expr = r.get("expr")
            assert isinstance(expr, str) and expr.strip(), \
                "%s: %s: no expr" % (path, r["alert"])
            assert expr.count("(") == expr.count(")"), \
                "%s: %s: unbalanced ()" % (path, r["alert"])
            if "for" in r:
                assert DURATION.match(str(r["for"])), \
                    "%s: %s: for %r" % (path, r["alert"], r["for"])
            for m in re.findall(r"fixit_[a-z_]+", expr):
                assert m in names, "%s: %s: fixitd exports no %s" % (
                    path, r["alert"], m)
            for k in ("labels", "annotations"):
                assert isinstance(r.get(k, {}), dict), \
                    "%s: %s: %s not a map" % (path, r["alert"], k)
            n += 1
    return n


def main():
    names = exported()
    files = sorted(glob.glob(os.path.join(ROOT, "deploy", "alerts", "*.yaml")))
    assert files, "no deploy/alerts/*.yaml"
    for path in files:
        print("%s: %d rules" % (os.path.relpath(path, ROOT),
                                check(path, names)))
    for m in ("fixit_outbox_dropped_total", "fixit_outbox_pending",
              "fixit_outbox_oldest_pending_seconds"):
        assert any(m in open(p, encoding="utf-8").read() for p in files), \
            "no rule on %s" % m


if __name__ == "__main__":
    main()
