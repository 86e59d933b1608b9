"""test_slack_ack.py - every validly signed Slack request is answered 200
(issue 12, item A).

Slack shows the user an error for any answer but a 200, so fixitd
answers 200 to what it does not understand and does nothing:
- an unknown action id on a real message -> 200 and an ephemeral saying
  the button is not known; a click without actions -> 200 and the same;
- an unknown payload type, a view fixitd did not open -> 200;
- Slack's ssl_check probe (ssl_check=1, a token, no command) -> 200 with
  an empty body, signed or not;
- another slash command (/weather status) -> 200, an ephemeral "this app
  answers /fixit", nothing run, nothing changed (slack.command);
- slack.command renamed -> that name runs, /fixit does not.
What is not Slack's is still refused: a burst of 20 bad signatures -> 20
times 401, one log line for the burst (no secret, no signature),
fixit_slack_rejected_total{reason="signature"} 20; a stale timestamp
and an oversized body counted under their reasons. No request ever gets
a 5xx: not even when the database cannot record a click or a form (held
locked by another process past the writer's busy timeout): the click
gets its 200 and changes nothing, the form a 200 with an error under its
field saying nothing was recorded; once the lock goes the same click
works.
"""

import re
import threading
import time

import harness as h
from harness import check

NOT_KNOWN = re.compile(r"(?i)does not know this button")


def rejected(env, reason):
    return sum(v for lb, v in env.metrics().get(
        "fixit_slack_rejected_total", []) if lb.get("reason") == reason)


def no_5xx(env):
    bad = [(lb, v) for lb, v in env.metrics().get(
        "fixit_http_requests_total", []) if lb.get("status", "")[:1] == "5"]
    check(not bad, "5xx answers: %r", bad)


def state_rows(env):
    return (env.q("SELECT id, state, deadline FROM findings ORDER BY id"),
            env.q1("SELECT count(*) FROM audit"),
            env.q1("SELECT count(*) FROM outbox"))


def test_not_understood_is_200():
    with h.Env("slack-ack") as env:
        fid, = env.ingest_ok([h.item("imds-slow", h.NONPROD, "i-0ack0dev")])
        post = env.wait_notify(fid)
        ch, ts = post.response["channel"], post.response["ts"]

        # unknown action id: 200, an ephemeral to the clicker, no change
        before = env.state(fid)
        since = time.time()
        r = env.click(h.OWNER, "fixit_self_destruct", fid, msg=post)
        check(r.status == 200, "unknown action id answered %r", r)
        eph = env.fake.wait(
            lambda: [c for c in env.ephemerals(h.OWNER, since)
                     if NOT_KNOWN.search(c.body.get("text") or "")], 8,
            "an ephemeral about the unknown button")[0]
        check(eph.body.get("channel") == ch, "ephemeral in %r, want %r",
              eph.body.get("channel"), ch)
        check(env.state(fid) == before, "state changed to %s",
              env.state(fid))

        # a bad value on a known action and a click without actions
        since = time.time()
        r = env.click(h.OWNER, "fixit_fix_now", "abc", msg=post)
        check(r.status == 200, "fixit_fix_now=abc answered %r", r)
        p = h.block_actions(h.OWNER, "x", fid, channel=ch, message_ts=ts)
        del p["actions"]
        r = env.action(p)
        check(r.status == 200, "block_actions without actions: %r", r)
        env.fake.wait(
            lambda: len([c for c in env.ephemerals(h.OWNER, since)
                         if NOT_KNOWN.search(c.body.get("text") or "")]) >= 2,
            8, "two more ephemerals about unknown buttons")
        check(env.state(fid) == before, "state changed to %s",
              env.state(fid))

        # unknown payload types, a view fixitd did not open, garbage
        for p in ({"type": "shortcut", "user": {"id": h.OWNER}},
                  {"type": "message_action", "user": {"id": h.OWNER}},
                  {"type": "block_suggestion", "user": {"id": h.OWNER}}):
            r = env.action(p)
            check(r.status == 200, "%s answered %r", p["type"], r)
        vs = h.view_submission(h.OWNER, fid)
        vs["view"]["callback_id"] = "someone_elses_modal"
        r = env.action(vs)
        check(r.status == 200 and not r.body.strip(),
              "unknown callback_id answered %r", r)
        for body in (b"payload=%7Bnope", b"foo=bar", b"", b"payload=%5B1%5D",
                     b"payload=%zz"):
            r = env.slack_post("/slack/actions", body)
            check(r.status == 200, "%r answered %r", body, r)
        check(rejected(env, "payload") == 9, "payload rejections: %r",
              rejected(env, "payload"))
        check(env.state(fid) == before, "state changed to %s",
              env.state(fid))
        no_5xx(env)


def test_ssl_check_and_command_name():
    with h.Env("slack-ack-cmd") as env:
        fid, = env.ingest_ok([h.item("imds-slow", h.NONPROD, "i-0ack0cmd")])
        env.wait_notify(fid)

        probe = b"token=xyzz0WbapA4vBCDEFasx0q6G&ssl_check=1"
        r = env.slack_post("/slack/commands", probe)
        check(r.status == 200 and r.body == b"",
              "signed ssl_check answered %r", r)
        r = env.request("POST", "/slack/commands", probe, [
            ("Content-Type", "application/x-www-form-urlencoded")])
        check(r.status == 200 and r.body == b"",
              "unsigned ssl_check answered %r", r)

        # another command: an ephemeral naming ours, nothing run
        time.sleep(0.5)
        rows = state_rows(env)
        calls = len(env.fake.calls("chat.postMessage"))
        r = env.slack_post("/slack/commands", h.command_form(
            h.ADMIN, "pause all", command="/weather"))
        check(r.status == 200, "/weather answered %r", r)
        j = r.json()
        check(j.get("response_type") == "ephemeral" and
              "/fixit" in j.get("text", "") and
              "/weather" in j.get("text", ""),
              "/weather answered %r", j)
        time.sleep(0.5)
        check(state_rows(env) == rows, "/weather changed the state")
        check(len(env.fake.calls("chat.postMessage")) == calls,
              "/weather made fixitd post")
        check(rejected(env, "command") == 1, "command rejections: %r",
              rejected(env, "command"))

        # a signed command fixitd cannot read: 200 and an ephemeral
        r = env.slack_post("/slack/commands", b"user_id=U0ADMIN1")
        check(r.status == 200 and r.json().get("response_type") ==
              "ephemeral", "command without a name answered %r", r)
        no_5xx(env)

    with h.Env("slack-ack-rename", slack={"command": "/fix-it_2"}) as env:
        r = env.slack_post("/slack/commands", h.command_form(
            h.ADMIN, "help", command="/fix-it_2"))
        check(r.status == 200 and "This app answers" not in
              r.json().get("text", ""), "/fix-it_2 help answered %r", r)
        r = env.command(h.ADMIN, "help")
        check(r.status == 200 and "/fix-it_2" in r.json().get("text", ""),
              "/fixit on a renamed command answered %r", r)


def test_rejections_logged_and_counted():
    with h.Env("slack-ack-rej") as env:
        body = h.command_form(h.ADMIN, "status")
        for i in range(20):
            r = env.slack_post("/slack/commands", body,
                               secret="not-the-signing-secret")
            check(r.status == 401, "bad signature #%d answered %r", i, r)
        check(rejected(env, "signature") == 20,
              "signature rejections: %r", rejected(env, "signature"))
        log = env.fixitd.stderr_text()
        lines = [l for l in log.splitlines() if "signature mismatch" in l]
        check(len(lines) == 1, "log lines for 20 bad signatures: %r", lines)
        check(h.SIGNING_SECRET not in log and "not-the-signing-secret"
              not in log and "v0=" not in log,
              "the log holds a secret or a signature")

        r = env.slack_post("/slack/actions", h.payload_form(
            h.block_actions(h.OWNER, "fixit_fix_now", 1)),
            ts=int(time.time()) - 3600)
        check(r.status == 401, "stale timestamp answered %r", r)
        r = env.slack_post("/slack/actions", b"payload=" +
                           b"x" * (64 * 1024))
        check(r.status == 413, "oversized body answered %r", r)
        r = env.slack_post("/slack/actions", body,
                           omit=("x-slack-signature",))
        check(r.status == 401, "missing signature answered %r", r)
        for reason in ("timestamp", "size", "headers"):
            check(rejected(env, reason) == 1, "%s rejections: %r", reason,
                  rejected(env, reason))
        ms = env.metrics()
        check(ms["#TYPE"].get("fixit_slack_rejected_total") == "counter",
              "fixit_slack_rejected_total type %r",
              ms["#TYPE"].get("fixit_slack_rejected_total"))
        no_5xx(env)


def test_unrecorded_is_still_200():
    with h.Env("ack-locked") as env:
        fa, fb = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                       "i-0ack0locked"),
                                h.item("imds-slow", h.NONPROD,
                                       "i-0ack0locked2")])
        pa = env.wait_notify(fa)
        env.wait_notify(fb)
        before = state_rows(env)
        locked, release = threading.Event(), threading.Event()
        t = threading.Thread(target=h.hold_db_lock,
                             args=(env.db_path, locked, release))
        t.start()
        try:
            locked.wait(5)
            r = env.click(h.OWNER, "fixit_fix_now", fa, msg=pa)
            check(r.status == 200, "click with the db locked: %r", r)
            r = env.submit_exception(h.OWNER, fb, "1m", "locked out")
            check(r.status == 200, "form with the db locked: %r", r)
            err = (r.json().get("errors") or {}).get("reason", "")
            check("could not record" in err and "again" in err,
                  "form reply %r", r.text)
        finally:
            release.set()
            t.join()
        check(state_rows(env) == before, "a change was recorded")
        no_5xx(env)
        r = env.click(h.OWNER, "fixit_fix_now", fa, msg=pa)
        check(r.status == 200, "click after the lock: %r", r)
        h.wait_until(lambda: env.state(fa) in ("fixing", "fixed"), 10,
                     what="the click once the lock went")


if __name__ == "__main__":
    h.run_tests(test_not_understood_is_200, test_ssl_check_and_command_name,
                test_rejections_logged_and_counted,
                test_unrecorded_is_still_200)
