"""test_demo.py - the Quick start's `./fixit.sh run --demo`, as a new user
sees it: fixitd on deploy/fixit.example.yaml with --demo seeds one sample
finding per playbook and account, asks each owner in console Slack, and
the messages read as a person would read them: every resource named the
way AWS names that kind of resource (an EBS finding on a vol-, not on an
instance id), no HTML entity or raw Slack token in the console text, and
every message a dry run that says so.
"""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import harness as h
from harness import check

PREFIX = {"ec2-imdsv1": "i-", "ebs-unused": "vol-",
          "eip-unassociated": "eipalloc-", "rds-idle": "demo-db-"}


def run_demo(tmp):
    src = os.path.join(h.SRC, "deploy", "fixit.example.yaml")
    cfg = os.path.join(tmp, "fixit.yaml")
    with open(src) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^listen: .*$", "listen: 127.0.0.1:0", text)
    check(n == 1, "example config: no top-level listen line")
    with open(cfg, "w") as f:
        f.write(text)
    proc = subprocess.Popen([h.FIXITD, "-c", cfg, "--demo"], cwd=tmp,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    reader = threading.Thread(
        target=lambda: lines.extend(
            r.decode("utf-8", "replace").rstrip("\n") for r in proc.stdout),
        daemon=True)
    reader.start()
    deadline = time.time() + 20
    try:
        while time.time() < deadline:
            if sum(1 for ln in list(lines) if ln.startswith("Demo: ")) >= 4:
                break
            check(proc.poll() is None, "fixitd --demo exited: %s",
                  "\n".join(lines[-20:]))
            time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(5)
    return lines


def main():
    tmp = tempfile.mkdtemp(prefix="fixit-demo.")
    try:
        lines = run_demo(tmp)
        titles = [ln for ln in lines if ln.startswith("Demo: ")]
        check(len(titles) >= 4, "want 4 sample messages, got %s", titles)
        seen = set()
        for t in titles:
            m = re.match(r"^Demo: (\S+) on (\S+)$", t)
            check(m is not None, "title %r", t)
            pb, res = m.group(1), m.group(2)
            if pb in PREFIX:
                check(res.startswith(PREFIX[pb]),
                      "%s sample on %r: want a %s id", pb, res, PREFIX[pb])
                seen.add(pb)
        check(seen == set(PREFIX), "playbooks seen: %s", sorted(seen))
        text = "\n".join(lines)
        for bad in ("&lt;", "&gt;", "&amp;", "<!date"):
            check(bad not in text, "console text holds %r", bad)
        check(text.count("*Dry run:*") >= 4,
              "every sample message says it is a dry run")
        print("ok: %d demo messages, resources named by kind" % len(titles))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
