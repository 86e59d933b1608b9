"""test_bad_input.py - hostile and broken requests are refused and change
nothing.

Ingest: wrong/missing bearer token (401), wrong content types (415),
malformed JSON and bad shapes (400), bad items (400 naming findings[i] and
the field; the whole batch stored nothing), oversized bodies (413).
Slack: bad signatures (tampered body, stale or future timestamp, missing,
empty, repeated headers, wrong secret: 401), oversized body (413); signed
but broken payloads, unknown action ids and values are answered 200 and
change nothing (Slack shows an error for anything else: test_slack_ack.py),
unknown finding ids (ephemeral "not found"), bad modal submissions (errors
on the reason field).
Issue 13: an unknown field of 1,000 bytes or more, or of many-byte
characters, is a 400 whose message is UTF-8 and cut at a character (it was
a 500 with an empty message); a /fixit text that decodes to invalid UTF-8
is a 200 ephemeral saying it could not be read (it was a 500).
Afterwards /healthz is ok, fixitd still runs, and findings, audit and
exceptions are exactly as before.
"""

import json
import re
import time
import urllib.parse

import harness as h
from harness import check


def valid(n):
    return h.item("imds-slow", h.NONPROD, "i-0bad0ok%03d" % n)


# (what, item at index 1, field the error must name)
BAD_ITEMS = [
    ("no account_id", lambda it: it.pop("account_id"), "account_id"),
    ("short account_id", lambda it: it.update(account_id="1234"),
     "account_id"),
    ("unconfigured account", lambda it: it.update(account_id="999999999999"),
     "account_id"),
    ("numeric account_id", lambda it: it.update(account_id=111122223333),
     "account_id"),
    ("unknown playbook", lambda it: it.update(playbook="no-such-playbook"),
     "playbook"),
    ("no playbook", lambda it: it.pop("playbook"), "playbook"),
    ("region not a string", lambda it: it.update(region=42), "region"),
    ("no resource_id", lambda it: it.pop("resource_id"), "resource_id"),
    ("empty resource_id", lambda it: it.update(resource_id=""),
     "resource_id"),
    ("huge resource_id", lambda it: it.update(resource_id="i-" + "x" * 2000),
     "resource_id"),
    ("no title", lambda it: it.pop("title"), "title"),
    ("title too long", lambda it: it.update(title="t" * 301), "title"),
    ("details not an object", lambda it: it.update(details="text"),
     "details"),
    ("bad observed_at", lambda it: it.update(observed_at="yesterday"),
     "observed_at"),
    ("bad status", lambda it: it.update(status="maybe"), "status"),
    ("owner_slack_id not a string",
     lambda it: it.update(owner_slack_id=12345), "owner_slack_id"),
]


def check_ingest_refusals(env):
    # authentication
    for token in ("wrong-token", "", None):
        r = env.ingest([valid(90)], token=token)
        check(r.status == 401, "ingest with token %r answered %r", token, r)
    r = env.request("POST", "/v1/findings", json.dumps(
        [valid(90)]).encode(), [
        ("Authorization", "Basic " + h.INGEST_TOKEN),
        ("Content-Type", "application/json")])
    check(r.status == 401, "Basic auth answered %r", r)
    check(env.get("/v1/findings", token="wrong-token").status == 401,
          "GET /v1/findings with a wrong token")
    check(env.get("/v1/findings", token=None).status == 401,
          "GET /v1/findings without a token")
    check(env.get("/v1/findings", token="second-token").status == 200,
          "the second token of FIXIT_INGEST_TOKENS is refused")

    # content types
    for ct in ("text/plain", "application/x-www-form-urlencoded", None):
        r = env.ingest([valid(91)], content_type=ct)
        check(r.status == 415, "ingest as %r answered %r", ct, r)

    # malformed JSON and wrong shapes
    for raw in (b'{"findings": [', b"", b"\xff\xfe{}", b"null", b"[]",
                b"{}", b'{"findings": {}}', b'{"findings": "x"}',
                b'{"findings": [1, 2]}', b"[1, 2]", b'"text"', b"[[]]"):
        r = env.ingest(None, raw=raw)
        check(r.status == 400, "ingest of %r answered %r", raw, r)
        check(isinstance(r.json().get("error"), str),
              "400 without {\"error\": ...}: %r", r)

    # bad items: 400 naming the index and the field, nothing stored
    for what, spoil, field in BAD_ITEMS:
        it = valid(1)
        spoil(it)
        r = env.ingest([valid(0), it, valid(2)])
        check(r.status == 400, "%s: answered %r", what, r)
        err = r.json().get("error", "")
        check("findings[1]" in err and field in err,
              "%s: error %r does not name findings[1] and %s", what, err,
              field)
    r = env.ingest([valid(0), "not an object"])
    check(r.status == 400 and "findings[1]" in r.json().get("error", ""),
          "a string item: %r", r)
    r = env.ingest([valid(i) for i in range(1001)])
    check(r.status in (400, 413), "1001 items answered %r", r)

    # oversized: 4 MiB + 1
    big = b"[" + b" " * (4 * 1024 * 1024)
    check(len(big) == 4 * 1024 * 1024 + 1, "size %d", len(big))
    r = env.request("POST", "/v1/findings", big, [
        ("Authorization", "Bearer " + h.INGEST_TOKEN),
        ("Content-Type", "application/json")], chunk=65536)
    check(r.status == 413, "4 MiB + 1 ingest answered %r", r)

    # none of the batches stored anything
    stored = {f["resource_id"] for f in env.findings()}
    check(stored == {"i-0bad0base"}, "stored after refused batches: %r",
          sorted(stored))


def utf8_error(r, what):
    """r is a 400 {"error": text} whose bytes are strict UTF-8; text."""
    check(r.status == 400, "%s answered %r", what, r)
    try:
        text = r.body.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise AssertionError("%s: the error is not UTF-8: %r" % (what, r))
    err = json.loads(text).get("error")
    check(isinstance(err, str) and err, "%s: no error text: %r", what, r)
    check(len(err.encode()) <= 512, "%s: error of %d bytes", what,
          len(err.encode()))
    return err


def check_long_names(env):
    """Unknown fields of any length and alphabet: a 400 naming them."""
    for what, name in [
        ("1000-byte unknown field", "k" * 1000),
        ("1023-byte unknown field", "k" * 1023),
        ("5000-byte unknown field", "k" * 5000),
        ("600 two-byte characters", "\u00e9" * 600),
        ("odd offset, three-byte", "x" + "\u20ac" * 400),
        ("odd offset, four-byte", "xy" + "\U0001f600" * 300),
        ("control characters", "\u001b[31m" * 100),
    ]:
        it = valid(1)
        it[name] = "v"
        err = utf8_error(env.ingest([valid(0), it]), what)
        check("findings[1]" in err and "unknown field" in err,
              "%s: error %r", what, err[:200])
        check(err.startswith("findings[1]." + name[:16]),
              "%s: the name is not quoted: %r", what, err[:200])
    # a short unknown name is quoted whole, without a cut mark
    it = valid(1)
    it["colour"] = "blue"
    err = utf8_error(env.ingest([it]), "unknown field colour")
    check(err == "findings[0].colour: unknown field", "error %r", err)


def check_unreadable_commands(env):
    """/fixit texts that are not UTF-8: a 200 ephemeral, for anyone."""
    for user in (h.ADMIN, h.OTHER):
        for raw in (b"\xff\xfe", b"show \xc3", b"\xed\xa0\x80",
                    b"pause \xe2\x82", b"\xc0\xaf", b"mine\x80"):
            r = env.command(user, raw)
            check(r.status == 200, "/fixit %r by %s answered %r", raw,
                  user, r)
            j = json.loads(r.body.decode("utf-8", errors="strict"))
            check(j.get("response_type") == "ephemeral",
                  "/fixit %r: not ephemeral: %r", raw, j)
            check("not valid UTF-8" in (j.get("text") or ""),
                  "/fixit %r: %r", raw, j)


FORGED = "2026-01-01T00:00:00.000Z error forged line"


def check_log_escapes(env):
    """Input cannot forge a log line or drive a terminal: after hostile
    bytes (escape codes, CR LF and a forged line, C1, invalid UTF-8) in
    payloads and commands, fixitd's whole log (debug level) is UTF-8
    without a control character but its newlines. fixitd quotes little
    input in its log by design; the escaping itself is test_common_log."""
    evil = "\x1b[2J\x1b]0;pwned\x07\r\n" + FORGED + "\u009b31m\x7f"
    for body in (b"payload=" + urllib.parse.quote(evil).encode(),
                 b"payload=%7B" + urllib.parse.quote(evil).encode(),
                 b"payload=%FF%FE%1B%5B31m%0A" + FORGED.encode()):
        r = env.slack_post("/slack/actions", body)
        check(r.status == 200, "payload %r answered %r", body[:40], r)
    r = env.command(h.ADMIN, evil)
    check(r.status == 200, "/fixit with escapes answered %r", r)
    r = env.command(h.ADMIN, b"\xff\x1b[31m\n" + FORGED.encode())
    check(r.status == 200, "/fixit with bytes answered %r", r)
    time.sleep(0.3)
    with open(env.fixitd.stderr_path, "rb") as f:
        log = f.read()
    try:
        log.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise AssertionError("the log is not UTF-8: %s: %r" % (
            e, log[max(0, e.start - 60):e.end + 20]))
    bad = [c for c in set(log) if (c < 0x20 and c != 0x0a) or c == 0x7f]
    check(not bad, "control bytes %r in the log", bad)
    check(b"\xc2\x9b" not in log, "a C1 CSI in the log")
    check(not any(ln.startswith(FORGED.encode())
                  for ln in log.split(b"\n")), "a forged log line")


def check_signature_refusals(env, fid, post):
    body = h.payload_form(h.block_actions(h.OWNER, "fixit_fix_now", fid,
                                          channel=post.response["channel"],
                                          message_ts=post.response["ts"]))
    now = int(time.time())
    tampered = body.replace(b"fixit_fix_now", b"fixit_exc_1m_")
    cases = [
        ("tampered body", dict(signature=h.sign(body, now)), tampered),
        ("stale timestamp", dict(ts=now - 301), body),
        ("future timestamp", dict(ts=now + 301), body),
        ("wrong secret", dict(secret="0" * 32), body),
        ("empty signature", dict(signature=""), body),
        ("v1 signature", dict(signature="v1=" + h.sign(body, now)[3:]),
         body),
        ("no v0= prefix", dict(signature=h.sign(body, now)[3:]), body),
        ("non-numeric timestamp", dict(ts="abc", signature=h.sign(
            body, "abc")), body),
        ("missing signature", dict(omit=("x-slack-signature",)), body),
        ("missing timestamp", dict(omit=("x-slack-request-timestamp",)),
         body),
        ("repeated signature", dict(extra_headers=[
            ("X-Slack-Signature", h.sign(body, now))], ts=now), body),
        ("repeated timestamp", dict(extra_headers=[
            ("X-Slack-Request-Timestamp", str(now))], ts=now), body),
    ]
    for what, kw, b in cases:
        for path in ("/slack/actions", "/slack/commands"):
            r = env.slack_post(path, b, **kw)
            check(r.status == 401, "%s on %s answered %r", what, path, r)
    # inside the window is fine (this click is refused later: owner only)
    # -- checked with an unknown finding id in check_payload_refusals


def check_payload_refusals(env, fid, post):
    ch, ts = post.response["channel"], post.response["ts"]
    big = b"payload=" + b"x" * (64 * 1024)
    r = env.slack_post("/slack/actions", big)
    check(r.status == 413, "64 KiB + 8 signed body answered %r", r)
    r = env.slack_post("/slack/commands", big)
    check(r.status == 413, "64 KiB + 8 signed command answered %r", r)

    for what, body, ok in [
        ("payload not JSON", b"payload=%7Bnope", (200,)),
        ("no payload field", b"foo=bar", (200,)),
        ("empty body", b"", (200,)),
        ("payload JSON array", b"payload=%5B1%5D", (200,)),
        ("unknown payload type", h.payload_form({"type": "shortcut",
                                                 "user": {"id": h.OWNER}}),
         (200,)),
        ("block_actions without actions", h.payload_form(
            {"type": "block_actions", "user": {"id": h.OWNER}}), (200,)),
    ]:
        r = env.slack_post("/slack/actions", body)
        check(r.status in ok, "%s answered %r", what, r)
    r = env.slack_post("/slack/actions", json.dumps(h.block_actions(
        h.OWNER, "fixit_fix_now", fid)).encode(),
        content_type="application/json")
    check(r.status in (400, 415), "JSON interactivity body answered %r", r)

    # unknown action ids and values on a real finding: no effect
    for aid, val in (("fixit_self_destruct", fid), ("approval_approve", fid),
                     ("fixit_fix_now", "abc"), ("fixit_fix_now", "-1"),
                     ("fixit_fix_now", "9" * 30), ("fixit_exc_approve", fid +
                                                   1000)):
        r = env.click(h.OWNER, aid, val, msg=post)
        check(r.status == 200, "click %s=%s answered %r", aid, val, r)

    # an unknown finding id: 200 and an ephemeral "not found"; the
    # timestamp 200 s old is still inside the window
    since = time.time()
    p = h.block_actions(h.OWNER, "fixit_fix_now", 987654, channel=ch,
                        message_ts=ts)
    r = env.action(p, ts=int(time.time()) - 200)
    check(r.status == 200, "click on an unknown finding answered %r", r)
    nf = re.compile(r"(?i)not found|unknown|no finding|no such")
    try:
        env.fake.wait(lambda: [c for c in env.ephemerals(h.OWNER, since)
                               if nf.search(c.body.get("text") or "")], 8,
                      "an ephemeral 'not found' for finding 987654")
    except AssertionError:
        raise AssertionError("no 'not found' ephemeral; ephemerals since: %r"
                             % [c.body for c in env.ephemerals(h.OWNER,
                                                               since)])

    # modal submissions: unknown finding, bad metadata, bad reasons
    r = env.submit_exception(h.OWNER, 987654, "1m", "no such finding")
    check(r.status == 200, "submission for an unknown finding: %r", r)
    for md in ("not json", "{}", '{"f":"x","k":"1m"}',
               '{"f":%d,"k":"2y"}' % fid):
        r = env.submit_exception(h.OWNER, fid, "1m", "metadata " + md,
                                 private_metadata=md)
        check(r.status == 200, "private_metadata %r answered %r",
              md, r)
    for reason in ("", "   "):
        r = env.submit_exception(h.OWNER, fid, "1m", reason)
        check(r.status == 200, "a reason of %r answered %r", reason, r)
        j = r.json() if r.body.strip() else {}
        check(j.get("response_action") == "errors" and
              "reason" in (j.get("errors") or {}),
              "a reason of %r was not refused on the reason field: %r",
              reason, r)
    # longer than the modal's max_length (2000): Slack never sends it;
    # still a 200, with a field error
    r = env.submit_exception(h.OWNER, fid, "1m", "r" * 2001)
    check(r.status == 200 and "errors" in r.text,
          "a reason of 2001 chars answered %r", r)

    # slash commands: odd texts from an admin are answered, not crashed on
    for text in ("frobnicate", "show", "show abc", "show -1", "undo 987654",
                 "undo %d" % fid, "pause", "resume no-such-playbook"):
        r = env.command(h.ADMIN, text)
        check(r.status == 200, "/fixit %.20s answered %r", text, r)
    r = env.command(h.ADMIN, "x" * 3000)
    check(r.status == 200, "/fixit with 3000 chars answered %r", r)

    # routes and methods
    for method, path in (("GET", "/nope"), ("POST", "/v1/nope"),
                         ("GET", "/slack/actions"), ("DELETE",
                                                     "/v1/findings")):
        r = env.request(method, path, None, [
            ("Authorization", "Bearer " + h.INGEST_TOKEN)])
        check(r.status in (404, 405), "%s %s answered %r", method, path, r)


def test_bad_input_changes_nothing():
    with h.Env("bad-input") as env:
        r = env.ingest([h.item("imds-slow", h.NONPROD, "i-0bad0base")],
                       content_type="application/json; charset=utf-8")
        check(r.status == 200, "ingest with a charset answered %r", r)
        fid = int(r.json()["findings"][0]["id"])
        post = env.wait_notify(fid)
        snap = env.settled_snapshot(quiet=1.0)

        check_ingest_refusals(env)
        check_long_names(env)
        check_unreadable_commands(env)
        check_signature_refusals(env, fid, post)
        check_payload_refusals(env, fid, post)

        check_log_escapes(env)
        time.sleep(1.5)
        check(env.fixitd.alive(), "fixitd died")
        check(env.healthz(), "/healthz not ok")
        check(env.state(fid) == "notified", "state %s", env.state(fid))
        after = env.snapshot()
        for name, a, b in zip(("findings", "audit", "exceptions"), snap,
                              after):
            check(a == b, "%s changed:\nbefore %r\nafter  %r", name, a, b)
        check(not env.fix_log(), "the executor ran: %r", env.fix_log())
        check(not env.fake.delivered("views.open"), "a modal was opened")


if __name__ == "__main__":
    h.run_tests(test_bad_input_changes_nothing)
