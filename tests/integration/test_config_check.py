"""test_config_check.py - `fixitd -n -c FILE` checks a config.

- the harness's config exits 0 (and does not start serving);
- each broken config exits 1 and prints FILE:LINE of the error (and the
  key), without echoing a secret put in the file;
- deploy/fixit.example.yaml passes.
"""

import os
import re
import subprocess
import time

import harness as h
from harness import check


def run_check(path, env, cwd):
    t0 = time.time()
    p = subprocess.run([h.FIXITD, "-n", "-c", path], cwd=cwd, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    return p.returncode, out, time.time() - t0


def line_of(lines, needle, start=0):
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i
    raise AssertionError("%r not in the generated config" % needle)


def mutations(lines):
    """(what, new lines, 1-based line of the error or None, key)."""
    out = []

    def mut(what, fn, key, with_line=True):
        ls = list(lines)
        n = fn(ls)
        out.append((what, ls, n + 1 if with_line else None, key))

    def replace(needle, new, start_needle=None):
        def fn(ls):
            st = line_of(ls, start_needle) if start_needle else 0
            i = line_of(ls, needle, st)
            ls[i] = ls[i].replace(needle, new)
            return i
        return fn

    def insert_after(needle, new):
        def fn(ls):
            i = line_of(ls, needle) + 1
            ls.insert(i, new)
            return i
        return fn

    def append(new):
        def fn(ls):
            ls.append(new)
            return len(ls) - 1
        return fn

    mut("unknown top-level key", append("no_such_key: 1"), "no_such_key")
    mut("unknown playbook key", insert_after("  - name: imds-slow",
                                             "    colour: blue"), "colour")
    mut("bad duration", replace("tick: 1s", "tick: 1x"), "tick")
    mut("tick below 1s", replace("tick: 1s", "tick: 0s"), "tick")
    mut("bad number", replace("max_attempts: 2", "max_attempts: two"),
        "max_attempts")
    mut("bad mode", replace("mode: enforce", "mode: enforced"), "mode")
    mut("bad environment", replace("environment: production",
                                   "environment: staging"), "environment")
    mut("short account id", replace('id: "111122223333"', 'id: "1111"'),
        "id")
    mut("bad listen", replace('listen: "127.0.0.1:0"',
                              'listen: "127.0.0.1:99999"'), "listen")
    mut("reminder not before the deadline",
        replace("reminder_before: 2s", "reminder_before: 5s"),
        "reminder_before", with_line=False)     # grace's line would do
    mut("bad playbook name", replace("name: imds-slow", "name: Imds Slow!"),
        "name")
    mut("unknown exception kind", replace("exceptions: [1m, 1y]",
                                          "exceptions: [1m, 2y]"),
        "exceptions")
    mut("secret in the file", insert_after("  mode: live",
                                           "  bot_token: xoxb-LEAKED-9999"),
        "bot_token")
    mut("signing secret in the file",
        insert_after("  mode: live", "  signing_secret: s3cr3t-LEAKED"),
        "signing_secret")
    mut("approver reminder after the escalation",
        append("approval_remind: 2d"), "approval_remind")
    mut("escalation after the lapse",
        append("approval_escalate: 5d"), "approval_escalate")
    mut("bad log level", replace("log_level: debug", "log_level: loud"),
        "log_level")
    mut("YAML syntax error", replace("admins: [U0ADMIN1, U0ADMIN2]",
                                     "admins: [U0ADMIN1, U0ADMIN2"), None,
        with_line=False)
    return out


def test_config_check():
    env = h.Env("config", start=False)
    try:
        good = open(env.config_path).read()
        rc, out, secs = run_check(env.config_path, env.proc_env, env.tmp)
        check(rc == 0, "-n on a good config exited %s:\n%s", rc, out)
        check("ready on" not in out, "-n started serving: %r", out)

        lines = good.split("\n")
        failures = []
        for i, (what, ls, line, key) in enumerate(mutations(lines)):
            path = os.path.join(env.tmp, "bad%02d.yaml" % i)
            with open(path, "w") as f:
                f.write("\n".join(ls))
            rc, out, _ = run_check(path, env.proc_env, env.tmp)
            want = "%s:%d:" % (path, line) if line else path + ":"
            problems = []
            if rc != 1:
                problems.append("exit %s, want 1" % rc)
            if line and want not in out:
                problems.append("no %s" % want)
            if not line and not re.search(re.escape(path) + r":\d+:", out):
                problems.append("no %s:LINE:" % path)
            if key and key not in out:
                problems.append("key %s not named" % key)
            if "LEAKED" in out:
                problems.append("the secret value was printed")
            if problems:
                failures.append("%s: %s\n    output: %s" % (
                    what, "; ".join(problems), out.strip()[:400]))
        check(not failures, "bad configs:\n  %s", "\n  ".join(failures))

        # live mode without secrets in the environment
        bare = {k: v for k, v in env.proc_env.items()
                if not k.startswith("FIXIT_SLACK")}
        rc, out, _ = run_check(env.config_path, bare, env.tmp)
        check(rc == 1, "live mode without secrets exited %s: %r", rc, out)
        # a file that does not exist
        rc, out, _ = run_check(os.path.join(env.tmp, "nope.yaml"),
                               env.proc_env, env.tmp)
        check(rc == 1, "a missing config exited %s: %r", rc, out)

        example = os.path.join(h.SRC, "deploy", "fixit.example.yaml")
        check(os.path.isfile(example), "%s does not exist", example)
        rc, out, _ = run_check(example, env.proc_env, env.tmp)
        check(rc == 0, "-n on %s exited %s:\n%s", example, rc, out)
    finally:
        env.close()


if __name__ == "__main__":
    h.run_tests(test_config_check)
