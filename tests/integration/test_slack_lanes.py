"""test_slack_lanes.py - modals on time, Slack's limits per method and
channel (issue 12, items C and D).

1. The modal lane: with 10,000 messages queued and chat.postMessage
   failing, a click on "Exception" opens the modal within 1 s of the
   click (the views.open call's arrival time at the fake vs the click).
2. A modal that cannot open while its trigger lives (views.open failing)
   becomes an ephemeral message to the person who clicked.
3. Retry-After is honoured on users.lookupByEmail and conversations.open
   (the next call of the method waits that long, not a fixed back-off).
4. A 429 on channel A does not delay messages to channel B; a later
   message of A's finding to another channel waits for A's (order).
"""

import sqlite3
import time

import fakeslack
import harness as h
from harness import check

QUEUED = 10000


def pending(env):
    return h.metric(env.metrics(), "fixit_outbox_pending")


def click_exception(env, fid, post):
    t0 = time.time()
    r = env.click(h.OWNER, "fixit_exc_1m", fid, msg=post)
    check(r.status == 200, "click answered %r", r)
    return t0, r


def test_modal_while_the_queue_is_stuck():
    with h.Env("lanes-modal") as env:
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                      "i-0lanes0modal")])
        post = env.wait_notify(fid)
        env.fake.outage("500", method="chat.postMessage")
        h.queue_admin_messages(env, QUEUED)
        h.wait_until(lambda: pending(env) >= QUEUED, 10,
                     what="%d messages pending" % QUEUED)
        env.fake.wait(lambda: env.fake.failed("chat.postMessage"), 10,
                      "fixitd to hit the chat.postMessage outage")
        lat = []
        for _ in range(3):
            t0, r = click_exception(env, fid, post)
            v = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                              "views.open")[0]
            lat.append(v.at - t0)
        h.log("views.open after the click, %d queued, chat.postMessage "
              "failing: %s" % (QUEUED, ", ".join("%.3fs" % x for x in lat)))
        check(max(lat) < 1.0, "views.open %.3fs after the click", max(lat))
        check(pending(env) >= QUEUED, "the queue drained during an outage?")


def test_modal_that_cannot_open_tells_the_user():
    with h.Env("lanes-late") as env:
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                      "i-0lanes0late")])
        post = env.wait_notify(fid)
        env.fake.outage("500", method="views.open")
        t0, r = click_exception(env, fid, post)
        eph = env.wait_ephemeral(h.OWNER, since=t0, timeout=10)
        text = eph.body.get("text") or ""
        check("click the button again" in text, "ephemeral %r", text)
        tries = env.fake.calls("views.open")
        check(tries and all(c.at - t0 < 3.0 for c in tries),
              "views.open tried after the trigger died: %r", tries)
        check(not env.views(r.trigger_id), "a modal opened?")
        row = env.q("SELECT state, last_error FROM outbox WHERE kind = "
                    "'modal'")
        check(len(row) == 1 and row[0]["state"] == "dead", "modal row %r",
              row)

        # an expired trigger (Slack's expired_trigger_id) likewise
        env.fake.clear_faults()
        env.fake.trigger_ttl = 0.0
        t1, r = click_exception(env, fid, post)
        eph = env.wait_ephemeral(h.OWNER, since=t1 + 0.001, timeout=10)
        check("click the button again" in (eph.body.get("text") or ""),
              "ephemeral %r", eph.body)


def spacing(env, method):
    """Seconds between a method's 429 and its next call."""
    calls = env.fake.calls(method)
    first = [c for c in calls if c.fault == "429"]
    check(first, "no 429 on %s: %s", method, env.fake.dump())
    later = [c for c in calls if c.at > first[0].at]
    check(later, "%s not retried", method)
    return later[0].at - first[0].at


def test_retry_after_on_lookup_and_open():
    email = "ann@example.com"
    with h.Env("lanes-retry-after", users={email: "U0ANN"}) as env:
        env.fake.fail_next(1, "429", method="users.lookupByEmail",
                           retry_after=3)
        env.fake.fail_next(1, "429", method="conversations.open",
                           retry_after=3)
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                      "i-0lanes0ra", owner=None,
                                      owner_email=email)])
        post = env.wait_notify(fid, timeout=20)
        check(post.body.get("channel") == "DU0ANN", "posted to %r",
              post.body.get("channel"))
        a = spacing(env, "users.lookupByEmail")
        b = spacing(env, "conversations.open")
        h.log("after Retry-After: 3, users.lookupByEmail retried in %.2fs, "
              "conversations.open in %.2fs" % (a, b))
        check(2.9 <= a < 5.0, "users.lookupByEmail retried after %.2fs", a)
        check(2.9 <= b < 5.0, "conversations.open retried after %.2fs", b)


def test_429_on_one_channel_spares_the_others():
    with h.Env("lanes-channels") as env:
        env.fake.fail_next(1, "429", method="chat.postMessage",
                           retry_after=4)
        [fa] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                     "i-0lanes0chana", owner=None)])
        limited = env.fake.wait(
            lambda: [c for c in env.fake.calls("chat.postMessage")
                     if c.fault == "429"], 5, "the 429 on channel A")[0]
        chan_a = limited.body.get("channel")
        # a later message of the same finding, to another channel: must
        # wait for the finding's first one
        now = int(time.time())
        con = sqlite3.connect(env.db_path, timeout=10)
        try:
            con.execute("INSERT INTO outbox (kind, finding_id, args, "
                        "next_attempt_at, created_at) VALUES ('admin_msg', "
                        "?, '{\"text\":\"second of A\"}', ?, ?)",
                        (fa, now, now))
            con.commit()
        finally:
            con.close()
        [fb] = env.ingest_ok([h.item("imds-slow", h.PROD,
                                     "i-0lanes0chanb", owner=None)])
        pb = env.wait_notify(fb, timeout=5)
        check(pb.body.get("channel") != chan_a, "B posted to A's channel")
        b_after = pb.at - limited.at
        pa = env.wait_notify(fa, timeout=10)
        a_after = pa.at - limited.at
        second = env.fake.wait(
            lambda: [c for c in env.fake.delivered("chat.postMessage")
                     if "second of A" in fakeslack.all_text(c.body)],
            10, "A's second message")[0]
        h.log("429 (Retry-After: 4) on %s: channel B delivered %.2fs "
              "after it, channel A %.2fs after it" % (chan_a, b_after,
                                                      a_after))
        check(b_after < 1.5, "channel B waited %.2fs behind A's 429",
              b_after)
        check(a_after >= 3.9, "channel A retried %.2fs after Retry-After: "
              "4", a_after)
        check(second.at >= pa.at, "finding %s's second message before its "
              "first", fa)


if __name__ == "__main__":
    h.run_tests(test_modal_while_the_queue_is_stuck,
                test_modal_that_cannot_open_tells_the_user,
                test_retry_after_on_lookup_and_open,
                test_429_on_one_channel_spares_the_others)
