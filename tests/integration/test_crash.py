"""test_crash.py - a crash mid-fix neither loses the fix nor runs it twice
to completion.

A playbook with approval none is fixed at once; the executor sleeps 4 s.
fixitd is SIGKILLed while the fix runs, restarted on the same database; the
claim's lease (3 s) must expire before the fix is claimed again, then it
runs and completes: exactly one transition to fixed, two fix attempts in
the audit log, the finding fixed (and still fixed once the orphaned first
run has finished).
"""

import os
import time

import harness as h
from harness import check

LEASE = 3.0


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_crash_mid_fix():
    with h.Env("crash") as env:
        res = "i-0crash0midfix"
        env.set_fix(sleep=4)
        [fid] = env.ingest_ok([h.item("imds-auto", h.NONPROD, res)])
        first = h.wait_until(lambda: env.runs(res, "fix"), 8,
                             what="the first fix run")[0]
        check(env.state(fid) == "fixing", "state %s", env.state(fid))
        time.sleep(0.5)
        check(pid_alive(first["pid"]), "the slow fix ended early")

        env.fixitd.kill()                   # crash mid-fix
        t_crash = time.time()
        env.set_fix(sleep=0)                # the next run is quick
        env.fixitd.start()                  # same config, same database

        env.wait_state(fid, "fixed", timeout=15)
        runs = env.runs(res, "fix")
        check(len(runs) == 2, "fix ran %d times (want 2: crashed + "
              "retried)", len(runs))
        gap = runs[1]["t"] - first["t"]
        check(gap >= LEASE - 1.0, "re-run %.1fs after the first: before "
              "its %.0fs lease expired", gap, LEASE)
        check(runs[1]["t"] > t_crash, "second run before the crash?")

        def fixed_rows():
            return [a for a in env.audit(fid) if a["to_state"] == "fixed"
                    and a["from_state"] != "fixed"]
        check(len(fixed_rows()) == 1, "%d transitions to fixed",
              len(fixed_rows()))
        attempts = [a for a in env.audit(fid)
                    if a["event"] == "fix_attempt"]
        check(len(attempts) == 2, "%d fix_attempt audit events",
              len(attempts))

        # the orphaned first run finishes later: it must change nothing
        h.wait_until(lambda: not pid_alive(first["pid"]), 8,
                     what="the orphaned first fix to end")
        time.sleep(1.5)
        check(env.state(fid) == "fixed", "state %s", env.state(fid))
        check(len(fixed_rows()) == 1, "%d transitions to fixed after the "
              "orphan ended", len(fixed_rows()))
        check(len(env.runs(res, "fix")) == 2, "a third run")
        check(env.path(fid) == ["fixing", "fixed"], "path %r",
              env.path(fid))
        check(env.healthz(), "healthz after restart")


if __name__ == "__main__":
    h.run_tests(test_crash_mid_fix)
