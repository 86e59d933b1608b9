"""fakeslack.py - a fake Slack Web API for fixit's integration tests.

Runs inside the test process as a thread (http.server.ThreadingHTTPServer on
127.0.0.1, any free port) and answers POST /api/METHOD the way Slack does for
the methods fixitd uses (docs/CONTRACTS.md "Slack Web API calls"):

  users.lookupByEmail   form email=  -> {"ok":true,"user":{"id":U}} from
                        the users map, else {"ok":false,"error":"users_not_found"}
  conversations.open    {"users":U} -> {"ok":true,"channel":{"id":"D"+U}}
  chat.postMessage      -> {"ok":true,"channel":C,"ts":"1700000000.0000NN"}
  chat.update           -> {"ok":true,...}  (the message must exist)
  chat.postEphemeral    -> {"ok":true,"message_ts":...}
  views.open            -> {"ok":true,"view":{...}}
  views.publish         {"user_id":U,"view":{"type":"home","blocks":[...]}}
                        -> {"ok":true,"view":{...}}; a user id that is not
                        one, a view that is not a home or has over 100
                        blocks -> invalid_arguments (Slack's checks)

Every call is recorded (method, headers, parsed body, raw body, time, HTTP
status, answer). A call is *delivered* when it was answered {"ok":true};
every other call is *failed* (bad token, injected fault, Slack-style error).

POST /hooks/commands/... is a command's response_url: recorded as a call
of method "response_url", answered 200 "ok" (400 for a body that is not
JSON); faults for method "response_url" apply to it (a 429 carries
Retry-After, any other kind is a 500).

Fault injection: fail_next(n, kind, method=None, retry_after=1) makes the
next n matching calls answer HTTP 429 with Retry-After, HTTP 500, or
{"ok":false,"error":"ratelimited"}; rules are used in the order they were
added. outage() fails everything until clear_faults().

Standard library only.
"""

import http.server
import json
import threading
import time
import urllib.parse

KINDS = ("429", "500", "ratelimited")

METHODS = ("users.lookupByEmail", "conversations.open", "chat.postMessage",
           "chat.update", "chat.postEphemeral", "views.open",
           "views.publish")

HOME_MAX_BLOCKS = 100   # Slack's limit for a home view


class Call:
    """One recorded Web API call."""

    def __init__(self, method, headers, raw, body, content_type, at):
        self.method = method
        self.headers = headers          # dict, original case of names
        self.raw = raw                  # bytes
        self.body = body                # dict (parsed JSON or form)
        self.content_type = content_type
        self.at = at                    # time.time() when received
        self.status = None              # HTTP status answered
        self.response = None            # dict answered (None for 500)
        self.ok = False                 # delivered: answered ok:true
        self.fault = None               # injected fault kind, if any
        self.error = None               # Slack error string, if any

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def summary(self):
        body = json.dumps(self.body, sort_keys=True)
        if len(body) > 300:
            body = body[:300] + "..."
        what = "ok" if self.ok else ("FAULT " + self.fault if self.fault
                                     else "ERROR " + str(self.error))
        return "%.3f %s -> %s %s %s" % (self.at, self.method, self.status,
                                        what, body)

    def __repr__(self):
        return "<Call %s>" % self.summary()


def _decode_form_value(v):
    """Slack accepts JSON-valued form fields (blocks, view): decode them."""
    s = v.strip()
    if s[:1] in ("[", "{"):
        try:
            return json.loads(s)
        except ValueError:
            return v
    return v


def parse_body(raw, content_type, query=""):
    """Parse a Slack Web API request body into a dict.

    Returns (body, kind) where kind is "json", "form" or "none"."""
    ct = (content_type or "").split(";")[0].strip().lower()
    body = {}
    kind = "none"
    if ct == "application/json" and raw:
        try:
            v = json.loads(raw.decode("utf-8"))
            body = v if isinstance(v, dict) else {"_json": v}
            kind = "json"
        except (ValueError, UnicodeDecodeError):
            body = {"_unparsable": raw[:200].decode("latin-1")}
            kind = "bad-json"
    elif raw:
        for k, v in urllib.parse.parse_qsl(raw.decode("utf-8", "replace"),
                                           keep_blank_values=True):
            body[k] = _decode_form_value(v)
        kind = "form"
    if query:
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            body.setdefault(k, _decode_form_value(v))
    return body, kind


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive, as libcurl expects
    # headers and body are two writes: without TCP_NODELAY, Nagle plus the
    # client's delayed ACK stall every answer on a kept-alive connection
    # by 40 ms
    disable_nagle_algorithm = True
    server_version = "FakeSlack/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, obj, extra_headers=()):
        data = b"" if obj is None else json.dumps(obj).encode()
        if obj is None:
            data = b"<html>Internal Server Error</html>"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8"
                         if obj is not None else "text/html")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.do_POST()

    def do_POST(self):
        fake = self.server.fake
        raw = self._read_body()
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/hooks/"):
            self._hook(fake, raw, url)
            return
        if not url.path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "not_found"})
            return
        method = url.path[len("/api/"):]
        ct = self.headers.get("Content-Type")
        body, kind = parse_body(raw, ct, url.query)
        call = Call(method, dict(self.headers.items()), raw, body, ct,
                    time.time())
        call.body_kind = kind
        status, obj, extra = fake._answer(call)
        call.status = status
        call.response = obj
        fake._record(call)
        self._send(status, obj, extra)


    def _hook(self, fake, raw, url):
        """A POST to a response_url (/hooks/commands/...): recorded as
        method "response_url"; answered "ok" like Slack, or a fault."""
        ct = self.headers.get("Content-Type")
        body, kind = parse_body(raw, ct)
        call = Call("response_url", dict(self.headers.items()), raw, body,
                    ct, time.time())
        call.body_kind = kind
        call.path = url.path
        with fake._lock:
            kind_f, retry_after = fake._take_fault("response_url")
        extra = ()
        if kind_f == "429":
            call.fault, status = "429", 429
            extra = (("Retry-After", str(retry_after)),)
        elif kind_f is not None:
            call.fault, status = kind_f, 500
        elif kind != "json":
            call.error, status = "invalid_payload", 400
        else:
            call.ok, status = True, 200
        call.status = status
        data = b"ok" if call.ok else (call.error or call.fault).encode()
        fake._record(call)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class FakeSlack:
    """The fake Slack Web API. Use as a context manager or start()/stop()."""

    def __init__(self, token="xoxb-test-token", users=None, strict=True,
                 trigger_ttl=3.0, keep_calls=True):
        """keep_calls False: count calls instead of keeping them (long
        benchmarks); messages are then not kept either."""
        self.token = token
        self.keep_calls = keep_calls
        self.counts = {}                    # method -> [delivered, failed]
        self.users = dict(users or {})      # email -> Slack user id
        self.strict = strict                # Slack-like argument checks
        self.trigger_ttl = trigger_ttl      # Slack trigger ids live 3 s
        self._lock = threading.Condition()
        self._calls = []
        self._faults = []                   # [kind, remaining, method, ra]
        self._ts = 0
        self._views = 0
        self._messages = {}                 # (channel, ts) -> message dict
        self._triggers = {}                 # trigger_id -> issue time
        self._delay = 0.0
        self._server = None
        self._thread = None

    # ---- lifecycle -------------------------------------------------
    def start(self):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                       _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="fakeslack", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def api_base(self):
        """What fixitd's slack.api_base must be (ends in '/')."""
        return "http://127.0.0.1:%d/api/" % self.port

    @property
    def hooks_base(self):
        """What fixitd's slack.hooks_base must be: response_urls are
        hooks_base + "commands/T.../N/SECRET"."""
        return "http://127.0.0.1:%d/hooks/" % self.port

    def response_url(self, n=1):
        """A response_url under hooks_base, as Slack gives a command."""
        return self.hooks_base + "commands/T0123ABCD/%d/s3cr3tXYZ" % n

    # ---- control API -------------------------------------------------
    def add_user(self, email, user_id):
        with self._lock:
            self.users[email] = user_id

    def fail_next(self, n, kind, method=None, retry_after=1,
                  except_channel=None):
        """The next n calls (of `method`, or any) fail with `kind`:
        "429" (HTTP 429 + Retry-After), "500" (HTTP 500) or "ratelimited"
        (HTTP 200 {"ok":false,"error":"ratelimited"}). except_channel:
        calls to that channel are not failed (Slack down for one
        destination only)."""
        if kind not in KINDS:
            raise ValueError("fault kind must be one of %r" % (KINDS,))
        with self._lock:
            self._faults.append([kind, int(n), method, retry_after,
                                 except_channel])

    def outage(self, kind="500", method=None, except_channel=None):
        """Fail every call (of `method`) until clear_faults()."""
        self.fail_next(10 ** 9, kind, method, except_channel=except_channel)

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def faults_pending(self):
        with self._lock:
            return sum(f[1] for f in self._faults)

    def set_delay(self, seconds):
        """Answer every call only after `seconds` (a slow Slack)."""
        self._delay = float(seconds)

    def issue_trigger(self, trigger_id, at=None):
        """Record that a test handed `trigger_id` to fixitd in a click;
        views.open with it later than trigger_ttl fails like Slack's
        expired_trigger_id."""
        with self._lock:
            self._triggers[trigger_id] = time.time() if at is None else at

    def reset(self):
        """Forget the recorded calls (not the messages, users, faults)."""
        with self._lock:
            self._calls = []

    # ---- queries -------------------------------------------------------
    def calls(self, method=None):
        with self._lock:
            return [c for c in self._calls
                    if method is None or c.method == method]

    def delivered(self, method=None):
        return [c for c in self.calls(method) if c.ok]

    def failed(self, method=None):
        return [c for c in self.calls(method) if not c.ok]

    def message(self, channel, ts):
        """The current text/blocks of a posted message, or None."""
        with self._lock:
            m = self._messages.get((channel, ts))
            return dict(m) if m else None

    def wait(self, predicate, timeout=10.0, what="a condition"):
        """Wait until predicate() is truthy (re-checked on every call and
        every 0.1 s); returns its value or raises AssertionError."""
        deadline = time.time() + timeout
        with self._lock:
            while True:
                self._lock.release()
                try:
                    v = predicate()
                finally:
                    self._lock.acquire()
                if v:
                    return v
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(
                        "fake slack: timed out after %.1fs waiting for %s"
                        % (timeout, what))
                self._lock.wait(min(left, 0.1))

    def dump(self, limit=200):
        """Printable log of the last `limit` calls."""
        calls = self.calls()
        lines = ["fake slack: %d calls (%d delivered, %d failed)"
                 % (len(calls), sum(c.ok for c in calls),
                    sum(not c.ok for c in calls))]
        for c in calls[-limit:]:
            lines.append("  " + c.summary())
        return "\n".join(lines)

    # ---- the server side ----------------------------------------------
    def _record(self, call):
        with self._lock:
            n = self.counts.setdefault(call.method, [0, 0])
            n[0 if call.ok else 1] += 1
            if self.keep_calls:
                self._calls.append(call)
            self._lock.notify_all()

    def _next_ts(self):
        self._ts += 1
        return "1700000000.%06d" % self._ts

    def _take_fault(self, method, channel=None):
        for f in self._faults:
            if f[4] is not None and f[4] == channel:
                continue
            if f[1] > 0 and (f[2] is None or f[2] == method):
                f[1] -= 1
                return f[0], f[3]
        self._faults = [f for f in self._faults if f[1] > 0]
        return None, None

    def _answer(self, call):
        """(status, json or None, extra headers) for one call."""
        if self._delay:
            time.sleep(self._delay)
        with self._lock:
            auth = call.header("Authorization") or ""
            if auth != "Bearer " + self.token:
                call.error = "invalid_auth" if auth else "not_authed"
                return 200, {"ok": False, "error": call.error}, ()
            kind, retry_after = self._take_fault(
                call.method, call.body.get("channel")
                if isinstance(call.body, dict) else None)
            if kind == "429":
                call.fault = "429"
                return 429, {"ok": False, "error": "ratelimited"}, \
                    (("Retry-After", str(retry_after)),)
            if kind == "500":
                call.fault = "500"
                return 500, None, ()
            if kind == "ratelimited":
                call.fault = "ratelimited"
                call.error = "ratelimited"
                return 200, {"ok": False, "error": "ratelimited"}, ()
            handler = getattr(self, "_m_" + call.method.replace(".", "_"),
                              None)
            if handler is None:
                call.error = "unknown_method"
                return 404, {"ok": False, "error": "unknown_method"}, ()
            if call.body_kind == "bad-json":
                call.error = "invalid_json"
                return 200, {"ok": False, "error": "invalid_json"}, ()
            resp = handler(call)
            call.ok = bool(resp.get("ok"))
            if not call.ok:
                call.error = resp.get("error")
            return 200, resp, ()

    @staticmethod
    def _err(e):
        return {"ok": False, "error": e}

    def _m_users_lookupByEmail(self, call):
        if self.strict and call.body_kind == "json":
            # Slack reads this method's arguments from form or query only
            return self._err("invalid_arguments")
        email = call.body.get("email")
        if not email:
            return self._err("invalid_arguments")
        uid = self.users.get(email)
        if uid is None:
            return self._err("users_not_found")
        return {"ok": True, "user": {"id": uid, "name": email.split("@")[0],
                                     "profile": {"email": email}}}

    def _m_conversations_open(self, call):
        users = call.body.get("users")
        if not isinstance(users, str) or not users:
            return self._err("users_list_not_supplied")
        first = users.split(",")[0]
        return {"ok": True, "channel": {"id": "D" + first}}

    def _check_text(self, call):
        b = call.body
        if not b.get("channel"):
            return "channel_not_found"
        if self.strict and not (b.get("text") or b.get("blocks")
                                or b.get("attachments")):
            return "no_text"
        if "blocks" in b and not isinstance(b["blocks"], list):
            return "invalid_blocks"
        return None

    def _m_chat_postMessage(self, call):
        e = self._check_text(call)
        if e:
            return self._err(e)
        ch = call.body["channel"]
        ts = self._next_ts()
        if self.keep_calls:
            self._messages[(ch, ts)] = {
                "text": call.body.get("text"),
                "blocks": call.body.get("blocks"),
                "thread_ts": call.body.get("thread_ts")}
        return {"ok": True, "channel": ch, "ts": ts,
                "message": {"text": call.body.get("text"), "ts": ts}}

    def _m_chat_update(self, call):
        e = self._check_text(call)
        if e:
            return self._err(e)
        ch, ts = call.body["channel"], call.body.get("ts")
        if not ts:
            return self._err("invalid_arguments")
        key = (ch, str(ts))
        if self.strict and self.keep_calls and key not in self._messages:
            return self._err("message_not_found")
        if self.keep_calls:
            m = self._messages.setdefault(key, {})
            m["text"] = call.body.get("text")
            m["blocks"] = call.body.get("blocks")
        return {"ok": True, "channel": ch, "ts": ts,
                "text": call.body.get("text")}

    def _m_chat_postEphemeral(self, call):
        e = self._check_text(call)
        if e:
            return self._err(e)
        if not call.body.get("user"):
            return self._err("user_not_in_channel")
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_views_open(self, call):
        tid = call.body.get("trigger_id")
        view = call.body.get("view")
        if not tid:
            return self._err("invalid_arguments")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                view = None
        if not isinstance(view, dict):
            return self._err("invalid_arguments")
        issued = self._triggers.get(tid)
        if issued is not None and call.at - issued > self.trigger_ttl:
            return self._err("expired_trigger_id")
        self._views += 1
        out = dict(view)
        out["id"] = "V%08d" % self._views
        return {"ok": True, "view": out}

    def _m_views_publish(self, call):
        uid = call.body.get("user_id")
        view = call.body.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                view = None
        if not isinstance(uid, str) or not uid[:1] in ("U", "W") or \
                not uid.isalnum():
            return self._err("invalid_arguments")
        if not isinstance(view, dict) or view.get("type") != "home":
            return self._err("invalid_arguments")
        blocks = view.get("blocks")
        if not isinstance(blocks, list) or len(blocks) > HOME_MAX_BLOCKS:
            return self._err("invalid_arguments")
        self._views += 1
        out = dict(view)
        out["id"] = "V%08d" % self._views
        return {"ok": True, "view": out}


# ---- helpers over recorded calls (used by the tests) ----------------------

def walk(obj):
    """Every dict inside obj (Block Kit trees), depth first."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def buttons(blocks):
    """[(action_id, value, label)] of every button in a Block Kit tree."""
    out = []
    for d in walk(blocks or []):
        if d.get("type") == "button" and "action_id" in d:
            label = d.get("text", {})
            label = label.get("text") if isinstance(label, dict) else label
            out.append((d["action_id"], d.get("value"), label or ""))
    return out


def all_text(body):
    """The text of a message body: its text plus every text in blocks."""
    parts = [str(body.get("text") or "")]
    for d in walk(body.get("blocks") or []):
        t = d.get("text")
        if isinstance(t, str):
            parts.append(t)
    return "\n".join(parts)
