"""test_harness.py - the test harness itself, without fixitd: the fake
Slack (called with urllib), request signing against Slack's test vector,
the payload builders, the YAML writer and fake_fix.py."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import fakeslack
import harness as h
from harness import check


def call(fake, method, body=None, form=None, token=h.BOT_TOKEN):
    """(HTTP status, headers, JSON or None) of one Web API call."""
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        ct = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(body or {}).encode()
        ct = "application/json; charset=utf-8"
    req = urllib.request.Request(fake.api_base + method, data=data,
                                 method="POST")
    req.add_header("Content-Type", ct)
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            j = json.loads(raw)
        except ValueError:
            j = None
        return e.code, dict(e.headers), j


def test_signature_vector():
    v = json.load(open(os.path.join(h.DATA, "slack",
                                    "slash_command.json")))
    raw = v["raw_body"].encode()
    check(len(raw) == 362, "raw body is %d bytes, README says 362", len(raw))
    got = h.sign(raw, v["headers"]["X-Slack-Request-Timestamp"],
                 v["signing_secret"])
    check(got == v["headers"]["X-Slack-Signature"],
          "signature %s != %s", got, v["headers"]["X-Slack-Signature"])
    check(h.sign(raw + b"x", 1531420618, v["signing_secret"]) != got,
          "tampered body signs the same")
    # our form builders parse back to what they were given
    p = h.block_actions(h.OWNER, "fixit_fix_now", 42, channel="D1",
                        message_ts="1700000000.000001")
    form = urllib.parse.parse_qs(h.payload_form(p).decode())
    back = json.loads(form["payload"][0])
    check(back == p, "payload_form does not round-trip")
    check(back["actions"][0]["value"] == "42", "value not a string")
    cmd = urllib.parse.parse_qs(h.command_form(h.ADMIN, "show 7").decode())
    check(cmd["command"] == ["/fixit"] and cmd["text"] == ["show 7"] and
          cmd["user_id"] == [h.ADMIN], "command_form fields: %r", cmd)
    vs = h.view_submission(h.OWNER, 7, "1y", "because")
    check(json.loads(vs["view"]["private_metadata"]) == {"f": 7, "k": "1y"},
          "private_metadata %r", vs["view"]["private_metadata"])
    check(vs["view"]["state"]["values"]["reason"]["reason"]["value"] ==
          "because", "reason value")


def test_fake_slack_answers():
    with fakeslack.FakeSlack(token=h.BOT_TOKEN,
                             users={"ann@example.com": "U0ANN"}) as fake:
        st, _, j = call(fake, "users.lookupByEmail",
                        form={"email": "ann@example.com"})
        check(st == 200 and j == {"ok": True, "user": {
            "id": "U0ANN", "name": "ann", "profile": {
                "email": "ann@example.com"}}}, "lookup: %r", j)
        st, _, j = call(fake, "users.lookupByEmail",
                        form={"email": "bob@example.com"})
        check(j == {"ok": False, "error": "users_not_found"}, "%r", j)
        st, _, j = call(fake, "conversations.open", {"users": "U0ANN"})
        check(j == {"ok": True, "channel": {"id": "DU0ANN"}}, "%r", j)
        st, _, j1 = call(fake, "chat.postMessage",
                         {"channel": "DU0ANN", "text": "hi", "blocks": []})
        st, _, j2 = call(fake, "chat.postMessage",
                         {"channel": "C1", "text": "again"})
        check(j1["ok"] and j1["channel"] == "DU0ANN" and
              j1["ts"] == "1700000000.000001", "post: %r", j1)
        check(j2["ts"] == "1700000000.000002", "ts not increasing: %r", j2)
        st, _, j = call(fake, "chat.update", {"channel": "DU0ANN",
                                              "ts": j1["ts"],
                                              "text": "decided"})
        check(j["ok"], "update: %r", j)
        check(fake.message("DU0ANN", j1["ts"])["text"] == "decided",
              "update not applied")
        st, _, j = call(fake, "chat.update", {"channel": "DU0ANN",
                                              "ts": "1.2", "text": "x"})
        check(j == {"ok": False, "error": "message_not_found"}, "%r", j)
        st, _, j = call(fake, "chat.postEphemeral",
                        {"channel": "C1", "user": "U0ANN", "text": "no"})
        check(j["ok"], "ephemeral: %r", j)
        st, _, j = call(fake, "views.open", {"trigger_id": "t1",
                                             "view": {"type": "modal"}})
        check(j["ok"] and j["view"]["type"] == "modal", "views: %r", j)
        fake.issue_trigger("t-old", at=time.time() - 10)
        st, _, j = call(fake, "views.open", {"trigger_id": "t-old",
                                             "view": {"type": "modal"}})
        check(j == {"ok": False, "error": "expired_trigger_id"}, "%r", j)
        # authentication
        st, _, j = call(fake, "chat.postMessage", {"channel": "C1",
                                                   "text": "x"}, token=None)
        check(j == {"ok": False, "error": "not_authed"}, "%r", j)
        st, _, j = call(fake, "chat.postMessage", {"channel": "C1",
                                                   "text": "x"},
                        token="xoxb-wrong")
        check(j == {"ok": False, "error": "invalid_auth"}, "%r", j)
        # Slack-like argument errors
        st, _, j = call(fake, "chat.postMessage", {"channel": "C1"})
        check(j == {"ok": False, "error": "no_text"}, "%r", j)
        st, _, j = call(fake, "users.lookupByEmail",
                        {"email": "ann@example.com"})
        check(j == {"ok": False, "error": "invalid_arguments"},
              "lookupByEmail must be a form: %r", j)
        # the record
        calls = fake.calls()
        check(len(calls) == 14, "recorded %d calls", len(calls))
        check(len(fake.delivered()) == 7, "delivered %d",
              len(fake.delivered()))
        check(len(fake.failed()) == 7, "failed %d", len(fake.failed()))
        c = fake.delivered("chat.postMessage")[0]
        check(c.header("authorization") == "Bearer " + h.BOT_TOKEN and
              c.body == {"channel": "DU0ANN", "text": "hi", "blocks": []},
              "recorded call: %r %r", c.headers, c.body)
        # form bodies with JSON-valued fields are decoded
        st, _, j = call(fake, "chat.postMessage", form={
            "channel": "C2", "blocks": json.dumps([{"type": "section"}])})
        check(j["ok"] and fake.delivered("chat.postMessage")[-1].body[
            "blocks"] == [{"type": "section"}], "form blocks: %r", j)


def test_fake_slack_faults():
    with fakeslack.FakeSlack(token=h.BOT_TOKEN) as fake:
        fake.fail_next(2, "429", retry_after=7)
        fake.fail_next(1, "500", method="chat.update")
        fake.fail_next(1, "ratelimited")
        st, hd, j = call(fake, "conversations.open", {"users": "U1"})
        check(st == 429 and hd.get("Retry-After") == "7", "429: %r %r",
              st, hd)
        st, hd, j = call(fake, "chat.update", {"channel": "C", "ts": "1",
                                               "text": "x"})
        check(st == 429, "second 429: %r", st)
        st, hd, j = call(fake, "chat.postMessage", {"channel": "C",
                                                    "text": "x"})
        check(st == 200 and j == {"ok": False, "error": "ratelimited"},
              "ratelimited: %r %r", st, j)
        st, hd, j = call(fake, "chat.update", {"channel": "C", "ts": "1",
                                               "text": "x"})
        check(st == 500, "500 for chat.update: %r", st)
        check(fake.faults_pending() == 0, "faults left")
        st, hd, j = call(fake, "chat.postMessage", {"channel": "C",
                                                    "text": "x"})
        check(st == 200 and j["ok"], "after faults: %r", j)
        check([c.fault for c in fake.calls()] ==
              ["429", "429", "ratelimited", "500", None], "faults: %r",
              [c.fault for c in fake.calls()])
        check(len(fake.delivered()) == 1, "delivered")
        fake.outage("500")
        for _ in range(3):
            st, _, _ = call(fake, "views.open", {"trigger_id": "t",
                                                 "view": {}})
            check(st == 500, "outage: %r", st)
        fake.clear_faults()
        st, _, j = call(fake, "conversations.open", {"users": "U2"})
        check(j["ok"], "after clear_faults: %r", j)
        # wait() wakes on calls
        t0 = time.time()
        import threading
        threading.Timer(0.3, call, (fake, "chat.postMessage",
                                    {"channel": "C9", "text": "late"})).start()
        fake.wait(lambda: [c for c in fake.delivered("chat.postMessage")
                           if c.body["channel"] == "C9"], 5, "late post")
        check(time.time() - t0 < 3, "wait too slow")


def test_yaml_and_fake_fix():
    env = h.Env("selftest", start=False)
    try:
        text = open(env.config_path).read()
        check('id: "111122223333"' in text, "account id not quoted")
        check('api_base: "%s"' % env.fake.api_base in text, "api_base")
        try:
            import yaml     # only to check our writer, if present
        except ImportError:
            yaml = None
        if yaml is not None:
            back = yaml.safe_load(text)
            check(back["playbooks"][0]["executor"]["command"][1] ==
                  h.FAKE_FIX, "yaml round trip: %r", back["playbooks"][0])
            check(back["accounts"][0]["id"] == h.NONPROD, "account id")
        cmd = env.executor["command"]
        check(os.path.isabs(cmd[0]), "argv[0] %r not absolute", cmd[0])
        finding = {"id": 3, "resource_id": "i-abc", "playbook": "imds-slow"}
        r = subprocess.run(cmd, input=json.dumps(finding).encode(),
                           capture_output=True, env={"PATH": "/usr/bin"},
                           timeout=10)
        check(r.returncode == 0 and json.loads(r.stdout) ==
              {"HttpTokens": "optional"}, "fix: %r", r)
        r = subprocess.run(cmd + ["--undo"], input=json.dumps(
            {"finding": finding, "prior_state": {"HttpTokens": "optional"}}
        ).encode(), capture_output=True, timeout=10)
        check(r.returncode == 0, "undo: %r", r)
        env.set_fix(fail=True)
        r = subprocess.run(cmd, input=b"{}", capture_output=True, timeout=10)
        check(r.returncode == 1, "fail flag ignored: %r", r)
        env.set_fix(fail=False, sleep=1)
        t0 = time.time()
        subprocess.run(cmd, input=b"not json", capture_output=True,
                       timeout=10)
        check(time.time() - t0 >= 1, "sleep flag ignored")
        env.set_fix(sleep=0)
        runs = env.runs("i-abc")
        check([x["mode"] for x in runs] == ["fix", "undo"], "runs: %r",
              [x["mode"] for x in env.fix_log()])
        check(runs[1]["stdin"]["prior_state"] == {"HttpTokens": "optional"},
              "undo stdin")
        check(len(env.fix_log()) == 4 and
              env.fix_log()[3]["stdin"] == {"_raw": "not json"}, "log")
        ms = h.parse_metrics('# TYPE a counter\na{x="1",y="q\\"z"} 3\n'
                             'a{x="2"} 4\nb 1.5\n')
        check(h.metric(ms, "a") == 7 and h.metric(ms, "a", x=1) == 3 and
              ms["#TYPE"]["a"] == "counter" and h.metric(ms, "b") == 1.5,
              "metrics parser: %r", ms)
    finally:
        env.close()
    check(not os.path.exists(env.tmp), "temp dir left behind")


FAKE_DAEMON = r"""#!%s
import signal, socket, sys, time
mode = sys.argv[0].rsplit("-", 1)[-1]
sys.stderr.write("fake daemon %%s starting\n" %% mode); sys.stderr.flush()
if mode == "crash":
    sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "badexit":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))
if mode != "silent":
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
    print("fixitd: ready on http://127.0.0.1:%%d" %% s.getsockname()[1],
          flush=True)
while True:
    time.sleep(0.1)
"""


def test_process_handling():
    """The harness notices a daemon that dies, never gets ready, ignores
    SIGTERM or exits non-zero, and always cleans up."""
    saved = h.FIXITD
    d = tempfile.mkdtemp(prefix="fixit-fakedaemon-")
    try:
        for mode in ("crash", "silent", "stubborn", "badexit", "good"):
            path = os.path.join(d, "daemon-" + mode)
            with open(path, "w") as f:
                f.write(FAKE_DAEMON % sys.executable)
            os.chmod(path, 0o755)
        outcome = {}
        for mode in ("crash", "silent", "stubborn", "badexit", "good"):
            h.FIXITD = os.path.join(d, "daemon-" + mode)
            env = h.Env("proc-" + mode, start=False)
            try:
                with env:
                    env.fixitd.start(timeout=1.5)
                outcome[mode] = "ok"
            except AssertionError as e:
                outcome[mode] = str(e)
            check(not env.fixitd.alive(), "%s: daemon left running", mode)
            check(not os.path.exists(env.tmp), "%s: temp dir left", mode)
        check("exited with 3 before its ready line" in outcome["crash"] and
              "fake daemon crash starting" in outcome["crash"],
              "crash: %r", outcome["crash"])
        check("printed no 'fixitd: ready" in outcome["silent"],
              "silent: %r", outcome["silent"])
        check("did not exit within 5s of SIGTERM" in outcome["stubborn"],
              "stubborn: %r", outcome["stubborn"])
        check("exited 7 on SIGTERM" in outcome["badexit"],
              "badexit: %r", outcome["badexit"])
        check(outcome["good"] == "fixitd exited -15 on SIGTERM",
              "good (a plain python daemon dies of SIGTERM): %r",
              outcome["good"])
    finally:
        h.FIXITD = saved
        import shutil
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    h.run_tests(test_signature_vector, test_fake_slack_answers,
                test_fake_slack_faults, test_yaml_and_fake_fix,
                test_process_handling,
                needs_fixitd=False)
