"""test_permissions.py - only the owner or an admin acts on a finding.

- someone else's click (Fix now, Exception) -> chat.postEphemeral refusal to
  them, no modal, state unchanged, no audit row; a forged modal submission
  by them changes nothing either; an admin may act for the owner.
- a click on an already decided finding -> ephemeral "already ...",
  nothing changes, the executor does not run again.
- /fixit by a non-admin -> an ephemeral refusal, and the command has no
  effect (no undo, no pause).
"""

import re
import time

import harness as h
from harness import check

REFUSAL = re.compile(r"(?i)admin|not allowed|permission|denied|refus|"
                     r"not authori|only")


def test_non_owner_click_refused():
    with h.Env("perm-owner") as env:
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                      "i-0perm0owner")])
        post = env.wait_notify(fid)
        snap = env.settled_snapshot(quiet=1.0)

        for action in ("fixit_fix_now", "fixit_exc_1m"):
            since = time.time()
            r = env.click(h.OTHER, action, fid, msg=post)
            check(r.status == 200, "%s by a stranger answered %r", action, r)
            eph = env.wait_ephemeral(h.OTHER, since)
            check(eph.body.get("channel") == post.response["channel"],
                  "refusal in channel %r", eph.body.get("channel"))
            check(eph.body.get("text"), "empty refusal")
            time.sleep(0.5)
            check(not env.views(r.trigger_id), "%s by a stranger opened "
                  "the modal", action)

        r = env.submit_exception(h.OTHER, fid, "1m", "not mine to excuse")
        check(r.status == 200, "forged view_submission answered %r", r)
        time.sleep(1.0)
        check(env.state(fid) == "notified", "state %s", env.state(fid))
        check(env.snapshot() == snap, "a refused click or submission "
              "changed findings/audit/exceptions")
        check(not env.fix_log(), "the executor ran: %r", env.fix_log())

        # an admin may act on anyone's finding
        r = env.click(h.ADMIN, "fixit_exc_1m", fid, msg=post)
        check(r.status == 200, "admin click answered %r", r)
        env.fake.wait(lambda: env.views(r.trigger_id), 5,
                      "the modal for an admin")


def test_already_decided():
    with h.Env("perm-already") as env:
        res = "i-0perm0already"
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD, res)])
        post = env.wait_notify(fid)
        r = env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
        check(r.status == 200, "fix now answered %r", r)
        env.wait_state(fid, "fixed")
        snap = env.settled_snapshot(quiet=1.0)

        for action in ("fixit_fix_now", "fixit_exc_1m"):
            since = time.time()
            r = env.click(h.OWNER, action, fid, msg=post)
            check(r.status == 200, "second %s answered %r", action, r)
            eph = env.wait_ephemeral(h.OWNER, since)
            check("already" in eph.body.get("text", "").lower(),
                  "ephemeral does not say already: %r", eph.body)
            time.sleep(0.5)
            check(not env.views(r.trigger_id), "%s on a fixed finding "
                  "opened the modal", action)
        time.sleep(1.0)
        check(env.snapshot() == snap, "a click on a decided finding "
              "changed the database")
        check(len(env.runs(res)) == 1, "executor runs: %r", env.runs(res))


def test_non_admin_commands():
    with h.Env("perm-admin") as env:
        res = "i-0perm0cmds"
        [fid] = env.ingest_ok([h.item("imds-auto", h.NONPROD, res)])
        env.wait_state(fid, "fixed")
        admin_status = env.fixit("status")

        # help is for everyone, and says what fixit does
        r = env.command(h.OTHER, "help")
        check(r.status == 200 and "asks the owner" in (r.json().get("text")
                                                        or ""),
              "/fixit help by a non-admin: %r", r)
        for text in ("status", "due", "show %d" % fid,
                     "undo %d" % fid, "pause all", "exceptions"):
            r = env.command(h.OTHER, text)
            check(r.status == 200, "/fixit %s by a non-admin: %r", text, r)
            j = r.json()
            check(j.get("response_type", "ephemeral") == "ephemeral",
                  "/fixit %s: not ephemeral: %r", text, j)
            check(REFUSAL.search(j.get("text") or ""),
                  "/fixit %s by a non-admin is not a refusal: %r", text, j)
            check(j.get("text") != admin_status, "non-admin got the status")

        # nothing happened: no undo ran, fixing is not paused
        time.sleep(2.0)
        check(env.state(fid) == "fixed", "state %s", env.state(fid))
        check([x["mode"] for x in env.runs(res)] == ["fix"],
              "runs %r", [x["mode"] for x in env.runs(res)])
        [f2] = env.ingest_ok([h.item("imds-auto", h.NONPROD,
                                     "i-0perm0after")])
        env.wait_state(f2, "fixed")


if __name__ == "__main__":
    h.run_tests(test_non_owner_click_refused, test_already_decided,
                test_non_admin_commands)
