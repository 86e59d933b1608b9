"""harness.py - start the real fixitd for an integration test and talk to it.

    import harness as h

    def test_something():
        with h.Env("something") as env:          # fake Slack + fixitd
            [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD, "i-1")])
            post = env.wait_notify(fid)
            env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
            env.wait_state(fid, "fixed")

    if __name__ == "__main__":
        h.run_tests(test_something)

Env makes a temp dir, starts a FakeSlack thread (fakeslack.py), writes a
YAML config (listen 127.0.0.1:0, database in the temp dir, Slack live
against the fake, secrets in FIXIT_SLACK_SIGNING_SECRET /
FIXIT_SLACK_BOT_TOKEN / FIXIT_INGEST_TOKENS), runs `$FIXITD -c CONFIG` and
waits for the stdout line `fixitd: ready on http://HOST:PORT`. On leaving the
block fixitd gets SIGTERM (then SIGKILL), the fake stops, stray executor
processes are killed and the temp dir is removed; when the block raised,
fixitd's stderr, stdout, the fake's call log and the executor log are printed
first (FIXIT_KEEP=1 keeps the temp dir; FIXIT_VERBOSE=1 prints all that
after passing tests too).

Environment: FIXITD (the binary; default $FIXIT_SRC/build/fixitd),
FIXIT_DATA (the test data: tests/data), FIXIT_SRC. Standard library only.
"""

import atexit
import copy
import ctypes
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

import fakeaws
import iamcheck
import fakeslack

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("FIXIT_SRC") or os.path.abspath(
    os.path.join(HERE, "..", ".."))
DATA = os.environ.get("FIXIT_DATA") or os.path.join(SRC, "tests", "data")
FIXITD = os.environ.get("FIXITD") or os.path.join(SRC, "build", "fixitd")
FAKE_FIX = os.path.join(HERE, "fake_fix.py")

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"   # Slack's test vector
BOT_TOKEN = "xoxb-1234-5678-fixit-test"
INGEST_TOKEN = "ingest-token-for-tests"

ADMIN = "U0ADMIN1"
ADMIN2 = "U0ADMIN2"
OWNER = "U0OWNER1"
OWNER2 = "U0OWNER2"
OTHER = "U0OTHER1"              # neither owner nor admin
ADMIN_CHANNEL = "C0ADMINS"
NONPROD = "111122223333"
NONPROD_CHANNEL = "C0DEVSEC"
PROD = "444455556666"
PROD_CHANNEL = "C0PRODSEC"

# AWS (Env(aws=True)): fixitd's own keys live in SELF_ACCOUNT; it assumes
# ROLES (with EXTERNAL_ID) in NONPROD and PROD and scans REGION.
SELF_ACCOUNT = "999988887777"
BASE_KEY = "AKIDFIXITTESTBASE001"
BASE_SECRET = "base-secret-for-fixit-tests"
EXTERNAL_ID = "fixit-external-id-for-tests"
REGION = "eu-west-1"
ROLES = ("fixit-auditor", "fixit-tagger", "fixit-remediator")

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "WARNING: ThreadSanitizer", "runtime error:")
READY_RE = re.compile(r"^fixitd: ready on (http://([^\s:/]+):(\d+))\s*$")
NOTIFY_ACTIONS = ("fixit_fix_now", "fixit_exc_1m", "fixit_exc_1y")
# on every card that asks: Not mine, False positive (test_slack_owner.py)
OWNER_ACTIONS = {"fixit_not_mine", "fixit_false_positive"}


# ---- small utilities ------------------------------------------------------

def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def hold_db_lock(path, locked, release):
    """Another process's write lock on the database at path, from when
    locked is set until release is (60 s at most): fixitd's writer then
    fails its transactions after its busy timeout. Run in a thread."""
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        con.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(60)
        con.execute("ROLLBACK")
    finally:
        con.close()


def queue_admin_messages(env, n, text="queued message %d"):
    """n admin-channel messages written into the outbox as the state
    machine would, in one transaction (a test cannot wait for 10,000
    findings); text % i is each one's text."""
    now = int(time.time())
    con = sqlite3.connect(env.db_path, timeout=10)
    try:
        con.executemany(
            "INSERT INTO outbox (kind, finding_id, args, next_attempt_at, "
            "created_at) VALUES ('admin_msg', NULL, ?, ?, ?)",
            [(json.dumps({"text": text % i}), now, now) for i in range(n)])
        con.commit()
    finally:
        con.close()


def wait_until(predicate, timeout=10.0, interval=0.1, what="a condition"):
    """Poll predicate() until it returns something truthy; return it.
    Raises AssertionError naming `what` and the last value on timeout."""
    deadline = time.time() + timeout
    v = None
    while True:
        v = predicate()
        if v:
            return v
        if time.time() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s "
                                 "(last value: %r)" % (timeout, what, v))
        time.sleep(interval)


def check(cond, msg, *args):
    """assert that survives python -O and prints a sentence."""
    if not cond:
        raise AssertionError(msg % args if args else msg)


def iso_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---- YAML config --------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_./-]+")
_SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if _PLAIN.fullmatch(s) and not s.isdigit() and s.lower() not in _SPECIAL \
            and not s.startswith("-"):
        return s
    return json.dumps(s)        # a JSON string is a YAML double-quoted one


def to_yaml(obj, indent=0):
    """Block-style YAML for dicts, lists of dicts; flow style for lists of
    scalars (as in docs/CONTRACTS.md)."""
    pad = " " * indent
    out = []
    for k, v in obj.items():
        if isinstance(v, dict):
            if not v:
                out.append("%s%s: {}" % (pad, k))
            else:
                out.append("%s%s:" % (pad, k))
                out.append(to_yaml(v, indent + 2))
        elif isinstance(v, list):
            if not v:
                out.append("%s%s: []" % (pad, k))
            elif all(not isinstance(x, (dict, list)) for x in v):
                out.append("%s%s: [%s]" % (pad, k,
                                           ", ".join(_scalar(x) for x in v)))
            else:
                out.append("%s%s:" % (pad, k))
                for x in v:
                    sub = to_yaml(x, indent + 4).split("\n")
                    sub[0] = pad + "  - " + sub[0][indent + 4:]
                    out.append("\n".join(sub))
        else:
            out.append("%s%s: %s" % (pad, k, _scalar(v)))
    return "\n".join(out)


def playbook(name, **kw):
    """A playbook for tests: enforce, owner approval, the exec executor.
    Keyword arguments override keys (executor=... replaces it whole)."""
    pb = {
        "name": name,
        "description": "Require IMDSv2 on the instance (%s)" % name,
        "mode": "enforce",
        "approval": "owner",
        "grace": "1h",
        "reminder_before": 0,
        "exceptions": ["1m", "1y"],
        "exceptions_need_approval": ["1y"],
        "max_fixes_per_hour": 0,
        # tests that want the circuit breaker turn it on
        "breaker": {"failures": 0, "undos": 0},
        "max_attempts": 2,
        "retry_backoff": "1s",
        "executor": None,       # filled by Env: exec fake_fix.py
    }
    pb.update(kw)
    return pb


# built-ins whose fix cannot be undone: fixitd refuses approval none for
# them, so their tests ask the owner and let a short deadline pass
IRREVERSIBLE = ("eip-unassociated", "ec2-quarantine-expired")


def aws_playbook(builtin, name=None, dry_run=False, params=None, **kw):
    """A playbook running built-in `builtin` with the aws executor
    (approval none unless given, so a finding is fixed at once; an
    irreversible built-in: approval owner, fixed 1 s after the owner was
    told)."""
    ex = {"type": "aws", "dry_run": dry_run, "timeout": "60s"}
    if name is not None and name != builtin:
        ex["playbook"] = builtin
    if params:
        ex["params"] = params
    if builtin in IRREVERSIBLE:
        kw.setdefault("approval", "owner")
        kw.setdefault("grace", "1s")
    kw.setdefault("approval", "none")
    kw.setdefault("description", "built-in %s" % builtin)
    kw.setdefault("retry_backoff", "1s")
    return playbook(name or builtin, executor=ex, **kw)


def default_playbooks():
    """imds-fast: deadline 3 s after the notification, reminder 2 s before;
    imds-slow: deadline in an hour (buttons decide); imds-auto: approval
    none (fixed at once)."""
    return [
        playbook("imds-fast", grace="3s", reminder_before="2s"),
        playbook("imds-slow"),
        playbook("imds-auto", approval="none"),
    ]


def item(pb, account, resource, owner=OWNER, **kw):
    """One ingest item (docs/CONTRACTS.md "A finding item")."""
    it = {
        "playbook": pb,
        "account_id": account,
        "region": "eu-west-1",
        "resource_id": resource,
        "resource_arn": "arn:aws:ec2:eu-west-1:%s:instance/%s"
                        % (account, resource),
        "title": "Instance %s allows IMDSv1" % resource,
        "details": {"HttpTokens": "optional", "test": True},
        "observed_at": iso_now(),
    }
    if owner:
        it["owner_slack_id"] = owner
    it.update(kw)
    return {k: v for k, v in it.items() if v is not None}


# ---- Slack request building ---------------------------------------------

def sign(body, ts, secret=SIGNING_SECRET):
    """Slack v0 signature of raw body bytes at timestamp ts."""
    if isinstance(body, str):
        body = body.encode()
    base = b"v0:" + str(ts).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


_trig = [0]
_trig_lock = threading.Lock()


def new_trigger_id():
    with _trig_lock:
        _trig[0] += 1
        n = _trig[0]
    return "9301234567%03d.1234567890123.%032x" % (n % 1000,
                                                    (os.getpid() << 32) + n)


def block_actions(user, action_id, value, channel="C0DEVSEC",
                  message_ts="1700000000.000001", trigger_id=None,
                  message=None, label=None):
    """A block_actions payload modelled on testdata/slack/
    block_actions_approve.json. `message` (text/blocks of the clicked
    message) is optional."""
    value = str(value)
    ts = "%.6f" % time.time()
    p = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(),
                 "team_id": "T0123ABCD"},
        "api_app_id": "A0FIXITAPP",
        "token": "XXXXXXXXXXXXXXXXXXXXXXXX",
        "container": {"type": "message", "message_ts": message_ts,
                      "channel_id": channel, "is_ephemeral": False},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": "T0123ABCD", "domain": "acme-eng"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "fixit"},
        "message": {
            "user": "U0FIXITBOT", "type": "message", "ts": message_ts,
            "bot_id": "B0FIXITBOT", "app_id": "A0FIXITAPP",
            "text": (message or {}).get("text") or "fixit finding",
            "team": "T0123ABCD",
            "blocks": (message or {}).get("blocks") or [],
        },
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0123ABCD/1/xxxx",
        "actions": [{
            "action_id": action_id,
            "block_id": "fixit_actions",
            "text": {"type": "plain_text", "text": label or action_id,
                     "emoji": True},
            "value": value,
            "type": "button",
            "action_ts": ts,
        }],
    }
    return p


def view_submission(user, finding_id, kind="1m", reason="testing",
                    private_metadata=None, view=None):
    """A view_submission of the exception modal (callback_id
    fixit_exception, private_metadata {"f":ID,"k":KIND}, input block
    reason / action reason). `view` (what fixitd sent to views.open) is
    used as the base when given."""
    base = copy.deepcopy(view) if view else {}
    md = private_metadata
    if md is None:
        md = base.get("private_metadata") or json.dumps(
            {"f": int(finding_id), "k": kind}, separators=(",", ":"))
    base.update({
        "id": base.get("id") or "V0EXCEPT01",
        "team_id": "T0123ABCD",
        "type": "modal",
        "private_metadata": md,
        "callback_id": base.get("callback_id") or "fixit_exception",
        "state": {"values": {"reason": {"reason": {
            "type": "plain_text_input", "value": reason}}}},
        "hash": "1767139320.AbCdEf12",
    })
    base.setdefault("blocks", [{
        "type": "input", "block_id": "reason",
        "label": {"type": "plain_text", "text": "Reason"},
        "element": {"type": "plain_text_input", "action_id": "reason",
                    "multiline": True}}])
    base.setdefault("title", {"type": "plain_text", "text": "Exception"})
    return {
        "type": "view_submission",
        "team": {"id": "T0123ABCD", "domain": "acme-eng"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(),
                 "team_id": "T0123ABCD"},
        "api_app_id": "A0FIXITAPP",
        "token": "XXXXXXXXXXXXXXXXXXXXXXXX",
        "trigger_id": new_trigger_id(),
        "view": base,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def payload_form(payload):
    """The form body Slack sends for interactivity: payload=<urlencoded>."""
    return ("payload=" + urllib.parse.quote(
        json.dumps(payload, separators=(",", ":")), safe="")).encode()


def command_form(user, text, channel="C0ADMINS", command="/fixit",
                 response_url="https://hooks.slack.com/commands/T0123ABCD/"
                 "1/x"):
    """A slash command form body modelled on testdata/slack/
    slash_command.json."""
    fields = [
        ("token", "xyzz0WbapA4vBCDEFasx0q6G"),
        ("team_id", "T0123ABCD"),
        ("team_domain", "acme-eng"),
        ("channel_id", channel),
        ("channel_name", "fixit-admins"),
        ("user_id", user),
        ("user_name", user.lower()),
        ("command", command),
        ("text", text),
        ("api_app_id", "A0FIXITAPP"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", new_trigger_id()),
    ]
    return urllib.parse.urlencode(fields).encode()


# ---- HTTP ------------------------------------------------------------------

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body                # bytes

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            raise AssertionError("not JSON (HTTP %d): %r"
                                 % (self.status, self.body[:300]))

    def __repr__(self):
        return "<HTTP %d %r>" % (self.status, self.body[:300])


def http_request(host, port, method, path, body=None, headers=(),
                 timeout=15.0, chunk=None):
    """One request on a fresh connection. headers is a list of (name,
    value) sent as given (a name may repeat). When the server answers
    before the whole body is sent (413), the answer is still read."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        names = {k.lower() for k, _ in headers}
        for k, v in headers:
            conn.putheader(k, v)
        if body is not None and "content-length" not in names:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            step = chunk or len(body)
            try:
                for i in range(0, len(body), step):
                    conn.send(body[i:i + step])
            except (BrokenPipeError, ConnectionResetError):
                pass
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


# ---- the fixitd process ------------------------------------------------

_live = []          # Fixitd objects to kill at exit


try:        # looked up here: a forked child must not dlopen (loader locks)
    _prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _pdeathsig():
    """In the child: die with the test process (even on SIGKILL)."""
    if _prctl is not None:
        _prctl(1, int(signal.SIGKILL))          # PR_SET_PDEATHSIG


class Fixitd:
    """One fixitd process (restartable on the same config and database)."""

    def __init__(self, tmp, config_path, env):
        self.tmp = tmp
        self.config_path = config_path
        self.env = env
        self.proc = None
        self.url = None
        self.host = None
        self.port = None
        self.stdout_lines = []
        self.stderr_path = os.path.join(tmp, "fixitd.stderr")
        self.runs = 0
        self._ready = None
        self._reader = None

    def start(self, timeout=10.0):
        self.runs += 1
        with open(self.stderr_path, "ab") as f:
            f.write(("==== fixitd run %d (%s) ====\n"
                     % (self.runs, iso_now())).encode())
        errf = open(self.stderr_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [FIXITD, "-c", self.config_path], cwd=self.tmp,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=errf, env=self.env, preexec_fn=_pdeathsig)
        finally:
            errf.close()
        _live.append(self)
        self._ready = threading.Event()
        self.url = None
        self._reader = threading.Thread(target=self._read_stdout,
                                        args=(self.proc,), daemon=True)
        self._reader.start()
        deadline = time.time() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None:
                self._reader.join(1)
                raise AssertionError(
                    "fixitd exited with %s before its ready line\n%s"
                    % (self.proc.returncode, self.stderr_tail()))
            if time.time() > deadline:
                raise AssertionError(
                    "fixitd printed no 'fixitd: ready on http://HOST:PORT' "
                    "within %.0fs\n%s" % (timeout, self.stderr_tail()))
        return self

    def _read_stdout(self, proc):
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stdout_lines.append(line)
            m = READY_RE.match(line)
            if m and not self._ready.is_set():
                self.url, self.host = m.group(1), m.group(2)
                self.port = int(m.group(3))
                self._ready.set()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after timeout. Returns (exit code,
        seconds it took, whether it had to be killed)."""
        if self.proc is None:
            return None, 0.0, False
        t0 = time.time()
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                killed = True
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self._finish()
        return rc, time.time() - t0, killed

    def kill(self):
        """SIGKILL (a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._finish()

    def _finish(self):
        if self._reader is not None:
            self._reader.join(2)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        if self in _live:
            _live.remove(self)

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stderr_tail(self, n=150):
        lines = self.stderr_text().splitlines()
        return "---- fixitd stderr (last %d of %d lines) ----\n%s\n----" % (
            min(n, len(lines)), len(lines), "\n".join(lines[-n:]))


@atexit.register
def _kill_all():
    for d in list(_live):
        try:
            d.kill()
        except Exception:
            pass


def _on_sigterm(signum, frame):
    raise SystemExit("test killed by signal %d" % signum)


signal.signal(signal.SIGTERM, _on_sigterm)


# ---- the test environment ------------------------------------------------

class Env:
    """A temp dir + FakeSlack + fixitd with a generated config."""

    def __init__(self, name, playbooks=None, config=None, slack=None,
                 users=None, start=True, executor=None, aws=False):
        """playbooks: list of playbook() dicts (default default_playbooks());
        config: top-level keys merged over the defaults; slack: keys
        merged into the slack section; executor: the executor section for
        playbooks that leave it None (default exec fake_fix.py)."""
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="fixit-%s-" % name)
        self.db_path = os.path.join(self.tmp, "fixit.db")
        self.fixlog = os.path.join(self.tmp, "fix.log")
        self.config_path = os.path.join(self.tmp, "fixit.yaml")
        self.fake = fakeslack.FakeSlack(token=BOT_TOKEN, users=users)
        self.fake.start()
        self.aws = None
        if aws:
            self.aws = fakeaws.FakeAWS(keys={BASE_KEY: BASE_SECRET},
                                       account_id=SELF_ACCOUNT,
                                       region=REGION)
            self.aws.start()
            for acct in (NONPROD, PROD):
                a = self.aws.account(acct)
                for role in ROLES:
                    a.add_role(role, external_id=EXTERNAL_ID)
        self.executor = executor or {
            "type": "exec",
            "command": [sys.executable, FAKE_FIX, self.fixlog],
            "timeout": "20s",
        }
        pbs = copy.deepcopy(playbooks if playbooks is not None
                            else default_playbooks())
        for pb in pbs:
            if pb.get("executor") is None:
                pb["executor"] = copy.deepcopy(self.executor)
        self.config = {
            "listen": "127.0.0.1:0",
            "database": self.db_path,
            "tick": "1s",
            "lease": "3s",
            # no hourly caps unless a test sets them
            "max_destructive_per_hour": 0,
            "max_destructive_per_account_hour": 0,
            "log_level": "debug",
            "http_threads": 0,
            # the shipped price table, wherever fixit is installed
            "prices_file": os.path.join(SRC, "deploy", "prices.json"),
            "admins": [ADMIN, ADMIN2],
            "admin_channel": ADMIN_CHANNEL,
            "slack": {
                "mode": "live",
                "api_base": self.fake.api_base,
                # late /fixit answers go to the fake, never to Slack
                "hooks_base": self.fake.hooks_base,
                "owner_cache_ttl": "7d",
                "outbox_max_attempts": 50,
                "outbox_max_backoff": "2s",
                # tests queue many messages to one channel at once;
                # test_slack_pace.py turns Slack's pace on
                "pace": False,
            },
            "accounts": [
                {"id": NONPROD, "name": "dev-sandbox",
                 "environment": "non-production", "channel": NONPROD_CHANNEL},
                {"id": PROD, "name": "prod-main",
                 "environment": "production", "channel": PROD_CHANNEL},
            ],
            "playbooks": pbs,
        }
        if aws:
            self.config["lease"] = "90s"    # > the aws executor timeout
            self.config["aws"] = {
                "regions": [REGION],
                "max_attempts": 4,
                "backoff_base_ms": 20,
                "backoff_max_ms": 200,
                "timeout": "10s",
                "scan": {"hour": -1, "concurrency": 2},
            }
        self.config.update(config or {})
        self.config["slack"].update(slack or {})
        self.write_config()
        self.proc_env = self.make_env()
        self.fixitd = Fixitd(self.tmp, self.config_path, self.proc_env)
        self.ids = {}           # resource_id -> finding id
        self._start = start

    # ---- setup / teardown ---------------------------------------------
    def make_env(self, **extra):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith("FIXIT_SLACK") and k != "FIXIT_INGEST_TOKENS"
             and not k.startswith("AWS_") and k != "FIXIT_AWS_EXTERNAL_ID"
             and k != "FIXIT_DNS_RESOLVER"}
        e["HOME"] = self.tmp             # no ~/.aws of whoever runs this
        e["AWS_EC2_METADATA_DISABLED"] = "true"
        if self.aws is not None:
            e.update({"AWS_ENDPOINT_URL": self.aws.endpoint,
                      "FIXIT_DNS_RESOLVER": self.aws.dns.address,
                      "AWS_ACCESS_KEY_ID": BASE_KEY,
                      "AWS_SECRET_ACCESS_KEY": BASE_SECRET,
                      "FIXIT_AWS_EXTERNAL_ID": EXTERNAL_ID})
        e.update({
            "FIXIT_SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "FIXIT_SLACK_BOT_TOKEN": BOT_TOKEN,
            "FIXIT_INGEST_TOKENS": INGEST_TOKEN + ",second-token",
        })
        e.update(extra)
        return e

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write("# generated by tests/integration/harness.py\n")
            f.write(to_yaml(self.config) + "\n")

    def __enter__(self):
        try:
            if self._start:
                self.start()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, et, ev, tb):
        problem = None
        try:
            if et is None:
                problem = self.check_shutdown()
            if et is not None or problem or os.environ.get("FIXIT_VERBOSE"):
                print(self.diagnostics(), flush=True)
        finally:
            self.close(keep=(et is not None or problem is not None) and
                       bool(os.environ.get("FIXIT_KEEP")))
        if problem:
            raise AssertionError(problem)
        return False

    def check_shutdown(self):
        """Stop fixitd with SIGTERM; a sentence when it did not exit 0
        within 5 s or its stderr has a sanitizer report, else None."""
        problem = None
        if self.fixitd.alive():
            rc, secs, killed = self.fixitd.stop(timeout=5.0)
            if killed:
                problem = "fixitd did not exit within 5s of SIGTERM"
            elif rc != 0:
                problem = "fixitd exited %s on SIGTERM" % rc
        err = self.fixitd.stderr_text()
        for mark in SANITIZER_MARKS:
            if mark in err:
                problem = (problem + "; " if problem else "") + \
                    "sanitizer report in fixitd's stderr (%s)" % mark
                break
        if self.aws is not None:
            # every AWS request allowed to its role (deploy/iam policies)
            for p in iamcheck.problems(self.aws.calls(), SRC):
                problem = (problem + "; " if problem else "") + p
        return problem

    def close(self, keep=False):
        try:
            self.fixitd.stop()
        finally:
            self.fake.stop()
            if self.aws is not None:
                self.aws.stop()
            self._kill_executors()
            if keep:
                log("kept %s" % self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def _kill_executors(self):
        for rec in self.fix_log():
            pid = rec.get("pid")
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if self.fixlog.encode() not in f.read():
                        continue
                os.kill(pid, signal.SIGKILL)
            except (OSError, TypeError):
                pass

    def start(self):
        self.fixitd.start()
        log("%s: fixitd ready on %s" % (self.name, self.fixitd.url))
        return self

    def restart(self, crash=False):
        if crash:
            self.fixitd.kill()
            rc = None
        else:
            rc, _, _ = self.fixitd.stop()
        self.fixitd.start()
        log("%s: fixitd restarted on %s" % (self.name, self.fixitd.url))
        return rc

    def diagnostics(self):
        out = ["", "======== diagnostics for %s (%s) ========"
               % (self.name, self.tmp)]
        out.append(self.fixitd.stderr_tail())
        out.append("---- fixitd stdout (last 40 lines) ----")
        out.extend(self.fixitd.stdout_lines[-40:])
        out.append(self.fake.dump(150))
        if self.aws is not None:
            out.append(self.aws.dump(150))
        recs = self.fix_log()
        out.append("---- executor log: %d invocations ----" % len(recs))
        for r in recs:
            out.append("  %.3f %s pid %s %s" % (
                r.get("t", 0), r.get("mode"), r.get("pid"),
                json.dumps(r.get("stdin"))[:200]))
        try:
            rows = self.q("SELECT * FROM audit ORDER BY rowid")
            out.append("---- audit: %d rows ----" % len(rows))
            for r in rows[-60:]:
                out.append("  " + json.dumps(r, default=str)[:300])
        except Exception as e:
            out.append("---- audit unreadable: %s ----" % e)
        return "\n".join(out)

    # ---- plain HTTP ------------------------------------------------------
    def request(self, method, path, body=None, headers=(), **kw):
        return http_request(self.fixitd.host, self.fixitd.port, method,
                            path, body, list(headers), **kw)

    def get(self, path, token=INGEST_TOKEN):
        hs = [("Authorization", "Bearer " + token)] if token else []
        return self.request("GET", path, None, hs)

    def ingest(self, items, token=INGEST_TOKEN, raw=None,
               content_type="application/json"):
        """POST /v1/findings with the JSON array of items (or raw bytes)."""
        body = raw if raw is not None else json.dumps(items).encode()
        hs = []
        if token is not None:
            hs.append(("Authorization", "Bearer " + token))
        if content_type is not None:
            hs.append(("Content-Type", content_type))
        return self.request("POST", "/v1/findings", body, hs)

    def ingest_ok(self, items):
        """Ingest, check 200 and one result per item; the ids in order."""
        r = self.ingest(items)
        check(r.status == 200, "ingest answered %r", r)
        res = r.json().get("findings")
        check(isinstance(res, list) and len(res) == len(items),
              "ingest result has no findings[] per item: %r", r.json())
        ids = []
        for i, (it, fr) in enumerate(zip(items, res)):
            check(fr.get("index") == i, "findings[%d].index is %r", i,
                  fr.get("index"))
            ids.append(int(fr["id"]))
            self.ids[it["resource_id"]] = int(fr["id"])
        return ids

    def findings(self, **flt):
        """GET /v1/findings with filters; follows next_after pages."""
        out = []
        after = flt.pop("after", None)
        while True:
            q = dict(flt)
            if after is not None:
                q["after"] = after
            r = self.get("/v1/findings?" + urllib.parse.urlencode(q))
            check(r.status == 200, "GET /v1/findings answered %r", r)
            j = r.json()
            out.extend(j["findings"])
            after = j.get("next_after")
            if after is None or not j["findings"] or "limit" in flt:
                return out

    def finding(self, fid):
        """One finding as GET /v1/findings shows it (None if absent)."""
        fid = int(fid)
        r = self.get("/v1/findings?" + urllib.parse.urlencode(
            {"after": fid - 1, "limit": 1}))
        check(r.status == 200, "GET /v1/findings answered %r", r)
        for f in r.json()["findings"]:
            if int(f.get("id", -1)) == fid:
                return f
        return None

    def state(self, fid):
        f = self.finding(fid)
        return f and f.get("state")

    def wait_state(self, fid, state, timeout=10.0):
        states = (state,) if isinstance(state, str) else tuple(state)
        wait_until(lambda: self.state(fid) in states, timeout,
                   what="finding %s in state %s (is %s)"
                   % (fid, "/".join(states), self.state(fid)))
        return self.state(fid)

    def healthz(self):
        r = self.request("GET", "/healthz")
        return r.status == 200 and r.json().get("status") == "ok"

    def metrics(self):
        """{name: [(labels dict, float)]} from GET /metrics."""
        r = self.request("GET", "/metrics")
        check(r.status == 200, "GET /metrics answered %r", r)
        return parse_metrics(r.text)

    # ---- Slack in ----------------------------------------------------------
    def slack_post(self, path, body, ts=None, secret=SIGNING_SECRET,
                   signature=None, content_type=
                   "application/x-www-form-urlencoded",
                   omit=(), extra_headers=()):
        """POST to /slack/... signed like Slack (v0). omit: header names to
        leave out; signature: override the computed one."""
        ts = int(time.time()) if ts is None else ts
        sig = signature if signature is not None else sign(body, ts, secret)
        hs = []
        if content_type and "content-type" not in omit:
            hs.append(("Content-Type", content_type))
        if "x-slack-request-timestamp" not in omit:
            hs.append(("X-Slack-Request-Timestamp", str(ts)))
        if "x-slack-signature" not in omit:
            hs.append(("X-Slack-Signature", sig))
        hs.extend(extra_headers)
        return self.request("POST", path, body, hs)

    def action(self, payload, **kw):
        return self.slack_post("/slack/actions", payload_form(payload), **kw)

    def click(self, user, action_id, value, msg=None, channel=None,
              ts=None, trigger_id=None):
        """A signed button click. msg: the fake's Call of the clicked
        message (gives channel, ts, text, blocks)."""
        message = None
        if msg is not None:
            channel = channel or msg.response["channel"]
            ts = ts or msg.response["ts"]
            message = {"text": msg.body.get("text"),
                       "blocks": msg.body.get("blocks")}
        trigger_id = trigger_id or new_trigger_id()
        self.fake.issue_trigger(trigger_id)
        p = block_actions(user, action_id, value, channel=channel or
                          NONPROD_CHANNEL, message_ts=ts or
                          "1700000000.999999", trigger_id=trigger_id,
                          message=message)
        r = self.action(p)
        r.trigger_id = trigger_id
        r.at = time.time()
        return r

    def submit_exception(self, user, fid, kind="1m", reason="testing",
                         view=None, private_metadata=None):
        return self.action(view_submission(user, fid, kind, reason,
                                           private_metadata, view))

    def deny(self, user, exc_id, msg, reason):
        """Deny exception exc_id from its admin message msg: the click
        opens the deny modal (callback fixit_deny, metadata {"e": id,
        ...}), submitted with reason. The submission's reply."""
        r = self.click(user, "fixit_exc_deny", exc_id, msg=msg)
        check(r.status == 200, "deny click answered %r", r)
        view = self.fake.wait(lambda: self.views(r.trigger_id), 5,
                              "views.open of the deny modal")[0].body["view"]
        if isinstance(view, str):
            view = json.loads(view)
        check(view.get("callback_id") == "fixit_deny", "deny modal %r",
              view.get("callback_id"))
        md = json.loads(view.get("private_metadata") or "{}")
        check(md.get("e") == exc_id, "deny modal metadata %r", md)
        return self.submit_exception(user, 0, reason=reason, view=view)

    def command(self, user, text, channel=ADMIN_CHANNEL, response_url=None):
        """/fixit TEXT; its response_url is the fake's unless given."""
        url = response_url or self.fake.response_url()
        return self.slack_post("/slack/commands", command_form(
            user, text, channel, response_url=url))

    def scan(self, timeout=30.0):
        """/fixit scan, then wait until every account x region pair has
        a new row in the scans table; those rows."""
        before = self.q1("SELECT coalesce(max(id), 0) FROM scans") or 0
        pairs = sum(len(a.get("regions") or
                        self.config.get("aws", {}).get("regions") or
                        ["us-east-1"]) for a in self.config["accounts"])
        text = self.fixit("scan")
        check("Scan started" in text, "/fixit scan answered %r", text)
        wait_until(lambda: (self.q1("SELECT count(*) FROM scans WHERE "
                                    "id > ?", before) or 0) >= pairs,
                   timeout, what="a scan of %d account x region pairs"
                   % pairs)
        return self.q("SELECT * FROM scans WHERE id > ? ORDER BY id",
                      before)

    def fixit(self, text, user=ADMIN):
        """/fixit TEXT as `user`; checks 200 + ephemeral; the text."""
        r = self.command(user, text)
        check(r.status == 200, "/fixit %s answered %r", text, r)
        j = r.json()
        check(j.get("response_type", "ephemeral") == "ephemeral",
              "/fixit %s: response_type %r", text, j.get("response_type"))
        check(isinstance(j.get("text"), str) and j["text"],
              "/fixit %s: no text in %r", text, j)
        return j["text"]

    # ---- Slack out (what fixitd sent to the fake) --------------------------
    def notify_posts(self, fid, delivered=True):
        """chat.postMessage calls that ask about finding fid: buttons with
        value fid, not a thread reply."""
        calls = self.fake.delivered("chat.postMessage") if delivered \
            else self.fake.calls("chat.postMessage")
        out = []
        for c in calls:
            if c.body.get("thread_ts"):
                continue
            for aid, val, _ in fakeslack.buttons(c.body.get("blocks")):
                if aid in NOTIFY_ACTIONS and str(val) == str(fid):
                    out.append(c)
                    break
        return out

    def wait_notify(self, fid, timeout=10.0):
        """The one delivered notify message of finding fid."""
        self.fake.wait(lambda: self.notify_posts(fid), timeout,
                       "the notify chat.postMessage of finding %s" % fid)
        # the sender records the delivery (the deadline starts: audit
        # owner_told) just after the call: wait for it, briefly
        end = time.time() + 3.0
        while time.time() < end and not self.q1(
                "SELECT count(*) FROM audit WHERE finding_id = ? AND "
                "event = 'owner_told'", int(fid)):
            time.sleep(0.02)
        return self.notify_posts(fid)[0]

    def ephemerals(self, user, since=0.0):
        return [c for c in self.fake.delivered("chat.postEphemeral")
                if c.body.get("user") == user and c.at >= since]

    def wait_ephemeral(self, user, since=0.0, timeout=10.0):
        self.fake.wait(lambda: self.ephemerals(user, since), timeout,
                       "a chat.postEphemeral to %s" % user)
        return self.ephemerals(user, since)[0]

    def updates(self, channel, ts, since=0.0):
        return [c for c in self.fake.delivered("chat.update")
                if c.body.get("channel") == channel and
                str(c.body.get("ts")) == str(ts) and c.at >= since]

    def wait_update(self, channel, ts, since=0.0, timeout=10.0,
                    contains=()):
        def found():
            for c in self.updates(channel, ts, since):
                t = fakeslack.all_text(c.body)
                if all(s in t for s in contains):
                    return c
            return None
        return self.fake.wait(found, timeout, "a chat.update of %s/%s "
                              "containing %r" % (channel, ts, contains))

    def views(self, trigger_id):
        return [c for c in self.fake.delivered("views.open")
                if c.body.get("trigger_id") == trigger_id]

    # ---- the database (read-only) ----------------------------------------
    def q(self, sql, *args):
        """Rows (dicts) of a read-only query on fixitd's database."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True,
                              timeout=10)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, args).fetchall()]
        finally:
            con.close()

    def record_fix(self, playbook, resource, at, prior, state="fixed",
                   account=NONPROD, region=REGION):
        """History a test cannot wait for (a quarantine 40 days back):
        writes into fixitd's database, as its state machine does, a
        finding of `playbook` on `resource` that went open -> fixing ->
        fixed at `at` (unix seconds) with prior state `prior`, and, for
        state "rolled_back", was undone a minute later. Needs a started
        fixitd (the schema). Returns the finding id."""
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            cur = con.execute(
                "INSERT INTO findings (playbook, account_id, region, "
                "resource_id, title, details, state, first_seen, last_seen, "
                "updated_at, prior_state) VALUES (?, ?, ?, ?, ?, '{}', ?, "
                "?, ?, ?, ?)", (playbook, account, region, resource,
                                "recorded by the test", state, int(at) - 60,
                                int(at), int(at), json.dumps(prior)))
            fid = cur.lastrowid
            # fixitd's writes keep the counts by (playbook, state,
            # account) (db/db_kept.c): this one too
            con.execute(
                "INSERT INTO finding_counts (playbook, state, account_id, "
                "n) VALUES (?, ?, ?, 1) ON CONFLICT (playbook, state, "
                "account_id) DO UPDATE SET n = n + 1",
                (playbook, state, account))
            rows = [(int(at) - 60, None, "open"), (int(at) - 30, "open",
                                                   "fixing"),
                    (int(at), "fixing", "fixed")]
            if state == "rolled_back":
                rows.append((int(at) + 60, "fixed", "rolled_back"))
            for t, frm, to in rows:
                con.execute("INSERT INTO audit (finding_id, at, actor, "
                            "from_state, to_state, event, reason) VALUES "
                            "(?, ?, 'fixit', ?, ?, 'transition', ?)",
                            (fid, t, frm, to, "recorded by the test"))
            con.commit()
            return fid
        finally:
            con.close()

    def q1(self, sql, *args):
        rows = self.q(sql, *args)
        return list(rows[0].values())[0] if rows else None

    def audit(self, fid):
        return self.q("SELECT * FROM audit WHERE finding_id = ? "
                      "ORDER BY at, rowid", int(fid))

    def transitions(self, fid):
        """[(from_state, to_state)] of the audit rows that changed state."""
        return [(r["from_state"], r["to_state"]) for r in self.audit(fid)
                if r["to_state"] and r["from_state"] != r["to_state"]]

    def path(self, fid):
        """The states a finding went through, from the audit log: the
        to_state of each transition (a leading 'open' is dropped, so a
        finding created and notified at once reads the same)."""
        p = [t for _, t in self.transitions(fid)]
        while p and p[0] == "open":
            p = p[1:]
        return p

    def snapshot(self):
        """What must not change when a request is refused: findings,
        audit and exceptions rows."""
        return (self.q("SELECT * FROM findings ORDER BY id"),
                self.q("SELECT * FROM audit ORDER BY rowid"),
                self.q("SELECT * FROM exceptions ORDER BY id"))

    def settled_snapshot(self, quiet=1.5, timeout=15.0):
        """A snapshot that stayed the same for `quiet` seconds."""
        deadline = time.time() + timeout
        snap = self.snapshot()
        while time.time() < deadline:
            time.sleep(quiet)
            again = self.snapshot()
            if again == snap:
                return snap
            snap = again
        raise AssertionError("the database kept changing for %.0fs"
                             % timeout)

    # ---- the executor log ----------------------------------------------
    def fix_log(self):
        try:
            with open(self.fixlog) as f:
                return [json.loads(l) for l in f if l.strip()]
        except FileNotFoundError:
            return []

    def runs(self, resource_id, mode=None):
        """Executor invocations for a resource (fix and/or undo)."""
        out = []
        for r in self.fix_log():
            s = r.get("stdin") or {}
            fnd = s.get("finding") if r["mode"] == "undo" else s
            if isinstance(fnd, dict) and fnd.get("resource_id") == \
                    resource_id and (mode is None or r["mode"] == mode):
                out.append(r)
        return out

    def set_fix(self, sleep=None, fail=None, fail_undo=None):
        """Control fake_fix.py: sleep seconds (0/None removes), fail."""
        for suffix, v in ((".sleep", sleep), (".fail", fail),
                          (".fail_undo", fail_undo)):
            path = self.fixlog + suffix
            if v is None:
                continue
            if v is False or v == 0:
                if os.path.exists(path):
                    os.unlink(path)
            else:
                with open(path, "w") as f:
                    f.write(str(v) if suffix == ".sleep" else "1")


# ---- metrics parsing ------------------------------------------------------

_METRIC = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)"
                     r"(?:\s+-?\d+)?$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse_metrics(text):
    """Prometheus text format -> {name: [(labels, value)]}; '#' lines go
    to out['#TYPE'] = {name: type}."""
    out = {"#TYPE": {}}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                out["#TYPE"][parts[2]] = parts[3]
            continue
        m = _METRIC.match(line)
        if not m:
            raise AssertionError("bad /metrics line: %r" % line)
        labels = dict(_LABEL.findall(m.group(2) or ""))
        v = m.group(3)
        out.setdefault(m.group(1), []).append(
            (labels, float("nan") if v == "NaN" else float(v)))
    return out


def metric(ms, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    return sum(v for lb, v in ms.get(name, [])
               if all(lb.get(k) == str(x) for k, x in labels.items()))


# ---- running a test file ------------------------------------------------

def run_tests(*fns, needs_fixitd=True):
    """Run each test function; print PASS/FAIL and a closing
    'N passed, N failed' line; exit 0 only when all passed. Arguments on
    the command line pick test functions by name."""
    if needs_fixitd and (not os.path.isfile(FIXITD) or
                         not os.access(FIXITD, os.X_OK)):
        print("FAIL: no fixitd binary at %s (set FIXITD)" % FIXITD)
        sys.exit(1)
    only = sys.argv[1:]
    passed = failed = 0
    for fn in fns:
        if only and fn.__name__ not in only:
            continue
        t0 = time.time()
        log("RUN  %s" % fn.__name__)
        try:
            fn()
        except BaseException as e:
            failed += 1
            traceback.print_exc()
            log("FAIL %s (%.1fs): %s" % (fn.__name__, time.time() - t0, e))
            if isinstance(e, KeyboardInterrupt):
                break
        else:
            passed += 1
            log("PASS %s (%.1fs)" % (fn.__name__, time.time() - t0))
    print("%d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(1 if failed or not passed else 0)
