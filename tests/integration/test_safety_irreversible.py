#!/usr/bin/env python3
"""test_safety_irreversible.py - irreversible is a property of the
playbook, the config can only add to it (issue 11 item 4; DESIGN.md
"Safety rails").

  config        `fixitd -n`: irreversible: false on eip-unassociated is
                refused (FILE:LINE: playbooks[0].irreversible), so is
                approval none on it (an irreversible fix is never run
                unasked); without the key it loads, and is irreversible.
  eip_fix_now   eip-unassociated, no irreversible key: the owner's
                question warns that the fix cannot be undone and Fix now
                asks Slack to confirm; after the release the owner is told
                it cannot be undone (never "A fixit admin can undo it");
                /fixit undo refuses at once with the reason: nothing
                queued, no undo attempt, no AWS call.
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeslack                                        # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_no_mutation, check_scan_ok     # noqa: E402

PB = "eip-unassociated"


def fixitd_n(env):
    p = subprocess.run([h.FIXITD, "-n", "-c", env.config_path],
                       env=env.proc_env, cwd=env.tmp,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def test_config():
    cases = [
        ({"irreversible": False}, 1, "playbooks[0].irreversible: playbook "
         "eip-unassociated runs a fix that cannot be undone"),
        ({"approval": "none"}, 1, "playbooks[0].approval: playbook "
         "eip-unassociated is irreversible"),
        ({"irreversible": True}, 0, ""),
        ({}, 0, ""),
    ]
    for over, want_rc, want in cases:
        pb = h.aws_playbook(PB, **over)
        with h.Env("safety-irrev-config", aws=True, start=False,
                   playbooks=[pb]) as env:
            rc, out = fixitd_n(env)
            check(rc == want_rc and want in out,
                  "%r: fixitd -n exited %d (want %d): %s", over, rc,
                  want_rc, out)
            if want:
                check(re.search(re.escape(env.config_path) + r":\d+: ",
                                out), "no FILE:LINE in %r", out)


def test_eip_fix_now_undo():
    with h.Env("safety-irrev-eip", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, grace="1h")]) as env:
        check("irreversible" not in env.config["playbooks"][0],
              "the test config sets irreversible")
        reg = env.aws.region(h.REGION, h.NONPROD)
        eip = reg.add_address(tags={"owner": h.OWNER})
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook=PB)
        fid = f["id"]
        env.wait_state(fid, "notified")
        post = env.wait_notify(fid)
        text = fakeslack.all_text(post.body)
        check("cannot be undone" in text, "no warning in %r", text)
        [btn] = [d for d in fakeslack.walk(post.body["blocks"])
                 if d.get("action_id") == "fixit_fix_now"]
        check("confirm" in btn and "cannot be undone" in
              btn["confirm"]["title"]["text"], "Fix now asks nothing: %r",
              btn)
        check_no_mutation(env, "asking the owner")

        env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
        env.wait_state(fid, "fixed", timeout=40)
        check([c.params.get("AllocationId") for c in
               env.aws.calls(action="ReleaseAddress")] == [eip],
              "releases %r", env.aws.calls(action="ReleaseAddress"))
        env.fake.wait(lambda: [c for c in env.fake.delivered(
            "chat.postMessage") if "Fixed by fixit" in
            fakeslack.all_text(c.body)], 10, "the Fixed message")
        for c in env.fake.delivered("chat.postMessage"):
            t = fakeslack.all_text(c.body)
            check("admin can undo" not in t, "the owner is told it can be "
                  "undone: %r", t)
            if "Fixed by fixit" in t:
                check("cannot be undone" in t, "no warning in %r", t)

        env.aws.reset_calls()
        audit_before = len(env.audit(fid))
        text = env.fixit("undo %d" % fid)
        check("cannot be undone" in text and "queued." not in text.replace(
            "Nothing was queued.", ""), "/fixit undo answered %r", text)
        time.sleep(2.5)                 # two ticks: nothing may follow
        new = env.audit(fid)[audit_before:]
        check(new == [], "the refused undo left audit rows %r", new)
        check(env.state(fid) == "fixed", "state %s", env.state(fid))
        check_no_mutation(env, "a refused undo")


if __name__ == "__main__":
    h.run_tests(test_config, test_eip_fix_now_undo)
