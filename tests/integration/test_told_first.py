"""test_told_first.py - no owner is fixed unasked (issue 13, item 4).

chat.postMessage to the owner fails (fake Slack outage, HTTP 500; the
admin channel still works) while a finding of a playbook with a 3 s
grace arrives: its notify row is dropped after its
attempts (fixit_outbox_dropped_total counts it), the finding waits in
notified with no deadline and is never fixed, even long past the grace;
fixit_outbox_pending and fixit_outbox_oldest_pending_seconds show the
queue meanwhile; the admins get one "could not tell the owner" message
(not one per drop: the owner is asked again every grace). Once Slack is
back the owner is told (/fixit status counts the waiting finding
meanwhile), and the
deadline counts from that delivery: the fix runs a grace after it, not
before. The queue empties and the gauges return to 0.
"""

import time

import fakeslack
import harness as h
from harness import check

GRACE = 3


def m(env, name):
    return h.metric(env.metrics(), name)


def events(env, fid, event):
    return env.q1("SELECT count(*) FROM audit WHERE finding_id = ? AND "
                  "event = ?", fid, event)


def admin_unreachable(env):
    return [c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and
            "could not tell the owner" in
            fakeslack.all_text(c.body)]


def test_told_first():
    pbs = [h.playbook("imds-fast", grace="%ds" % GRACE)]
    with h.Env("told-first", playbooks=pbs,
               slack={"outbox_max_attempts": 3,
                      "outbox_max_backoff": "1s"}) as env:
        check(m(env, "fixit_outbox_dropped_total") == 0, "dropped at start")
        # the owner's messages fail; the admin channel still works
        env.fake.outage("500", method="chat.postMessage",
                        except_channel=h.ADMIN_CHANNEL)
        [fid] = env.ingest_ok([h.item("imds-fast", h.NONPROD,
                                      "i-0told0first")])
        h.wait_until(lambda: m(env, "fixit_outbox_dropped_total") >= 1, 30,
                     what="the notify row dropped")
        check(events(env, fid, "owner_unreachable") >= 1,
              "no owner_unreachable in the history")
        env.fake.wait(lambda: admin_unreachable(env), 10,
                      "the admins told the owner could not be reached")
        ms = env.metrics()
        check(h.metric(ms, "fixit_outbox_pending") >= 1,
              "fixit_outbox_pending %r: the admin message and the next "
              "notify wait", h.metric(ms, "fixit_outbox_pending"))
        time.sleep(2)
        old = m(env, "fixit_outbox_oldest_pending_seconds")
        check(old >= 1, "fixit_outbox_oldest_pending_seconds %r", old)

        # long past the grace: never fixed, no deadline
        time.sleep(3 * GRACE)
        check(env.state(fid) == "notified", "state %s while the owner was "
              "never told", env.state(fid))
        check(env.q1("SELECT coalesce(deadline, 0) FROM findings WHERE "
                     "id = ?", fid) == 0, "a deadline while not told")
        check(env.q1("SELECT count(*) FROM audit WHERE finding_id = ? AND "
                     "to_state = 'fixing'", fid) == 0, "fixing unasked")
        check(not env.notify_posts(fid), "a notify was delivered")
        text = env.fixit("status")
        check("Waiting for the owner to be told:* 1" in text,
              "/fixit status does not show the waiting finding: %r", text)
        check(events(env, fid, "owner_unreachable") >= 2,
              "the owner not asked again: %d drops",
              events(env, fid, "owner_unreachable"))

        # Slack is back for the owner: told, the deadline a grace after
        # that delivery; the admins were told once only
        env.fake.clear_faults()
        post = env.wait_notify(fid, timeout=20)
        # recorded by the sender's next flush, after the call returned
        told = h.wait_until(lambda: env.q1(
            "SELECT at FROM audit WHERE finding_id = ? AND "
            "event = 'owner_told'", fid), 5, what="owner_told recorded")
        deadline = env.q1("SELECT deadline FROM findings WHERE id = ?", fid)
        check(told is not None and abs(told - post.at) <= 2,
              "owner_told at %r, the notify delivered at %.1f", told,
              post.at)
        check(deadline is not None and deadline >= int(post.at) + GRACE - 1,
              "deadline %r not a grace after delivery %.1f", deadline,
              post.at)
        h.wait_until(lambda: env.state(fid) == "fixed", 20,
                     what="fixed after the deadline")
        fixing_at = env.q1("SELECT min(at) FROM audit WHERE finding_id = ? "
                           "AND to_state = 'fixing'", fid)
        check(fixing_at >= deadline, "fixing at %r before the deadline %r",
              fixing_at, deadline)
        time.sleep(2)
        check(len(admin_unreachable(env)) == 1,
              "%d admin messages for one unreachable owner",
              len(admin_unreachable(env)))
        check(len(env.notify_posts(fid)) == 1, "%d notify messages",
              len(env.notify_posts(fid)))
        h.wait_until(lambda: m(env, "fixit_outbox_pending") == 0, 20,
                     what="the outbox drained")
        check(m(env, "fixit_outbox_oldest_pending_seconds") == 0,
              "oldest pending %r with nothing pending",
              m(env, "fixit_outbox_oldest_pending_seconds"))
        check(m(env, "fixit_outbox_dropped_total") >= 1, "dropped reset")


def test_console_counts_as_told():
    """slack.mode console: a notify printed is delivered; the deadline
    starts then and the fix follows a grace later."""
    pbs = [h.playbook("imds-fast", grace="%ds" % GRACE)]
    with h.Env("told-console", playbooks=pbs,
               slack={"mode": "console"}) as env:
        [fid] = env.ingest_ok([h.item("imds-fast", h.NONPROD,
                                      "i-0told0console")])
        told = h.wait_until(lambda: env.q1(
            "SELECT at FROM audit WHERE finding_id = ? AND "
            "event = 'owner_told'", fid), 10, what="owner_told (printed)")
        h.wait_until(lambda: env.state(fid) == "fixed", 20,
                     what="fixed a grace after it was printed")
        fixing_at = env.q1("SELECT min(at) FROM audit WHERE finding_id = ? "
                           "AND to_state = 'fixing'", fid)
        check(fixing_at >= told + GRACE, "fixing at %r, told at %r",
              fixing_at, told)


if __name__ == "__main__":
    h.run_tests(test_told_first, test_console_counts_as_told)
