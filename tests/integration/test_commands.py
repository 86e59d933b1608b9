"""test_commands.py - /fixit for admins: help, status, show, due,
exceptions, pause/resume (all and one playbook), and bad arguments.

pause all: the deadline (grace 3 s) passes and nothing is fixed; resume
all: the due findings are fixed. pause PLAYBOOK holds that playbook only.
"""

import json
import re
import time

import harness as h
from harness import check

NOT_FOUND = re.compile(r"(?i)not found|no such|unknown|does not exist")


def test_commands_and_pause_all():
    with h.Env("commands") as env:
        text = env.fixit("help")
        for word in ("status", "show", "due", "exceptions", "pause",
                     "resume", "undo"):
            check(word in text, "help does not mention %s: %r", word, text)
        check(env.fixit("") , "empty /fixit")

        env.fixit("pause all")
        check(env.q1("SELECT count(*) FROM audit WHERE event LIKE "
                     "'%pause%'") >= 1, "pause not in the audit log")
        ra, rb, rc = "i-0cmd0due0a", "i-0cmd0due0b", "i-0cmd0slow"
        t0 = time.time()
        fa, fb, fc = env.ingest_ok([h.item("imds-fast", h.NONPROD, ra),
                                    h.item("imds-fast", h.PROD, rb),
                                    h.item("imds-slow", h.NONPROD, rc)])
        for f in (fa, fb, fc):
            env.wait_notify(f)

        status = env.fixit("status")
        check("notified" in status, "status: %r", status)
        due = env.fixit("due")
        check(ra in due and rb in due, "due does not list %s and %s: %r",
              ra, rb, due)
        show = env.fixit("show %d" % fa)
        check(ra in show and "notified" in show, "show %d: %r", fa, show)

        # paused: the 3 s deadline passes, nothing is fixed
        time.sleep(max(0, t0 + 6.5 - time.time()))
        for f in (fa, fb):
            check(env.state(f) == "notified", "paused, yet finding %s is "
                  "%s", f, env.state(f))
        check(not env.fix_log(), "the executor ran while paused: %r",
              env.fix_log())

        env.fixit("resume all")
        env.wait_state(fa, "fixed", timeout=10)
        env.wait_state(fb, "fixed", timeout=10)
        check(len(env.runs(ra, "fix")) == 1 and len(env.runs(rb, "fix")) == 1,
              "runs %r", env.fix_log())
        check(env.state(fc) == "notified", "the slow one is %s",
              env.state(fc))
        show = env.fixit("show %d" % fa)
        check("fixed" in show and "fixing" in show,
              "show %d has no history: %r", fa, show)

        # an exception, then /fixit exceptions lists it
        post = env.wait_notify(fc)
        r = env.click(h.OWNER, "fixit_exc_1m", fc, msg=post)
        view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                             "views.open")[0].body["view"]
        if isinstance(view, str):
            view = json.loads(view)
        reason = "waiting for the maintenance window"
        r = env.submit_exception(h.OWNER, fc, "1m", reason, view=view)
        check(r.status == 200, "submit: %r", r)
        env.wait_state(fc, "excepted")
        exc = env.fixit("exceptions")
        check(rc in exc, "exceptions does not list %s: %r", rc, exc)
        check(reason in exc or h.OWNER in exc, "exceptions says neither "
              "why nor who: %r", exc)
        status = env.fixit("status")
        check("fixed" in status and "excepted" in status, "status: %r",
              status)

        # bad arguments are answered, change nothing
        check(NOT_FOUND.search(env.fixit("show 987654")),
              "show of an unknown id")
        check(NOT_FOUND.search(env.fixit("pause no-such-playbook")),
              "pause of an unknown playbook")
        check(env.fixit("frobnicate"), "unknown subcommand")
        check(not env.q1("SELECT count(*) FROM audit WHERE reason LIKE "
                         "'%no-such-playbook%' OR data LIKE "
                         "'%no-such-playbook%'"), "unknown playbook paused")


def test_pause_one_playbook():
    with h.Env("commands-pause") as env:
        env.fixit("pause imds-auto")
        ra, rs = "i-0cmd0auto", "i-0cmd0other"
        fa, fs = env.ingest_ok([h.item("imds-auto", h.NONPROD, ra),
                                h.item("imds-slow", h.NONPROD, rs)])
        post = env.wait_notify(fs)
        r = env.click(h.OWNER, "fixit_fix_now", fs, msg=post)
        check(r.status == 200, "fix now: %r", r)
        env.wait_state(fs, "fixed")         # another playbook still fixes
        time.sleep(2.0)
        check(env.state(fa) != "fixed" and not env.runs(ra),
              "paused playbook fixed %s (%s)", fa, env.state(fa))
        env.fixit("resume imds-auto")
        env.wait_state(fa, "fixed", timeout=8)


if __name__ == "__main__":
    h.run_tests(test_commands_and_pause_all, test_pause_one_playbook)
