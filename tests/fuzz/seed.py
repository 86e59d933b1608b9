#!/usr/bin/env python3
"""seed.py DATA OUT: build one corpus folder per fuzz target (OUT/<target>)
from the test data (tests/data, README "Fuzzing"), at run time: nothing of
tests/data is copied into the repository twice. Each seed is named by the
SHA-1 of its bytes, as libFuzzer names what it adds."""
import glob
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse


def sections(path):
    """the '--- name' sections of a .case file: name -> text"""
    out, name, lines = {}, None, []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            if line.startswith("--- "):
                if name is not None:
                    out[name] = "".join(lines)
                name, lines = line[4:].strip(), []
            elif name is not None:
                lines.append(line)
    if name is not None:
        out[name] = "".join(lines)
    return out


def edited(event, edits):
    """a CloudTrail sample with the case's 'set PATH JSON' / 'del PATH'"""
    for line in edits.splitlines():
        verb, _, rest = line.partition(" ")
        path, _, value = rest.partition(" ")
        keys = path.split(".")
        obj = event
        try:
            for k in keys[:-1]:
                obj = obj[k]
            if verb == "set":
                obj[keys[-1]] = json.loads(value)
            elif verb == "del":
                del obj[keys[-1]]
        except (KeyError, TypeError, ValueError):
            pass
    return event


class Corpus:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.counts[target] = self.counts.get(target, 0) + 1


# fz_slack.c's signing secret (Slack's documented example)
SECRET = b"8f742231b10e8888abcd99yyyzzz85a5"


def signed(body, ts="1531420618"):
    """fz_slack_sig's input for body, correctly signed"""
    mac = hmac.new(SECRET, ("v0:%s:%s" % (ts, body)).encode(), "sha256")
    return "%s\nv0=%s\n%s" % (ts, mac.hexdigest(), body)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def request(method, path, headers=(), body=b""):
    """an HTTP/1.1 request as bytes, with Content-Length for a body"""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
    lines += ["%s: %s" % h for h in headers]
    if body or method == "POST":
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def slack_request(path, body, ctype="application/x-www-form-urlencoded",
                  now=False):
    """a POST to fixitd's Slack routes: with placeholders fz_http.c
    replaces by the time and the body's signature when it sends it, or
    (now) signed now with fz_http.c's secret"""
    ts, sig = "now", "sign"
    if now:
        ts, sig, _ = signed(body, str(int(time.time()))).split("\n", 2)
    return request("POST", path, [("Content-Type", ctype),
                                  ("X-Slack-Request-Timestamp", ts),
                                  ("X-Slack-Signature", sig)], body)


def http_seeds(c, data):
    """whole requests for fz_http.c: every route, from the other seeds"""
    bearer = [("Authorization", "Bearer fuzz-ingest-token"),
              ("Content-Type", "application/json")]
    c.add("http", request("GET", "/healthz"))
    c.add("http", request("GET", "/metrics"))
    c.add("http", request("GET", "/v1/findings?state=open&limit=5", bearer))
    c.add("http", request("GET", "/nowhere"))
    chunked = request("POST", "/v1/findings", bearer + [
        ("Transfer-Encoding", "chunked")])
    c.add("http", chunked.replace(b"Content-Length: 0\r\n", b"") +
          b"2\r\n{}\r\n0\r\n\r\n")
    for p in sorted(glob.glob(os.path.join(data, "ingest", "*.case"))):
        item = sections(p).get("input")
        if item is not None:
            c.add("http", request("POST", "/v1/findings", bearer,
                                  "[%s]" % item))
    for d, path, hdrs in (("ev_cloudtrail", "/v1/events",
                           [("X-Fixit-Api-Key", "fuzz-events-key"),
                            ("Content-Type", "application/json")]),
                          ("ev_map", "/v1/custodian", bearer)):
        for p in sorted(glob.glob(os.path.join(c.out, d, "*")))[:20]:
            c.add("http", request("POST", path, hdrs, read(p)))
    for p in sorted(glob.glob(os.path.join(c.out, "slack_command", "*"))):
        c.add("http", slack_request("/slack/commands", read(p).decode()))
        c.add("http", slack_request("/slack/commands", read(p).decode(),
                                    now=True))
    for p in sorted(glob.glob(os.path.join(c.out, "slack_form", "*")))[:20]:
        c.add("http", slack_request("/slack/actions", read(p).decode()))
    for p in jpath_events(data):
        c.add("http", slack_request("/slack/events", p, "application/json"))


def jpath_events(data):
    """the Slack Events API samples (slack/events_api.json), as bodies"""
    try:
        with open(os.path.join(data, "slack", "events_api.json")) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return []
    return [json.dumps(v.get("body", v)) for v in doc.values()
            if isinstance(v, dict)]


def main():
    data, out = sys.argv[1], sys.argv[2]
    c = Corpus(out)
    jpath = lambda *p: sorted(glob.glob(os.path.join(data, *p)))

    # Slack: signed requests, their forms, payloads and commands
    for p in jpath("slack", "*.json"):
        raw = read(p)
        c.add("jscan", raw)
        try:
            doc = json.loads(raw)
        except ValueError:
            continue
        samples = doc if isinstance(doc, list) else [doc]
        if isinstance(doc, dict) and "raw_body" not in doc:
            samples = [v for v in doc.values() if isinstance(v, dict)]
        for s in samples:
            if not isinstance(s, dict):
                continue
            body = s.get("raw_body")
            if not isinstance(body, str):
                payload = json.dumps(s)
                c.add("slack_interaction", payload)
                body = urllib.parse.urlencode({"payload": payload})
                c.add("slack_form", body)
                c.add("slack_sig", signed(body))
                continue
            h = s.get("headers", {})
            c.add("slack_sig", "%s\n%s\n%s" % (
                h.get("X-Slack-Request-Timestamp", ""),
                h.get("X-Slack-Signature", ""), body))
            c.add("slack_form", body)
            c.add("slack_command", body)
            for v in urllib.parse.parse_qs(body).get("payload", []):
                c.add("slack_interaction", v)
                c.add("jscan", v)
    # slash commands as fixitd is asked them (docs/CONTRACTS.md "/fixit")
    for text in ("", "status", "show 12", "due", "pause all", "resume all",
                 "undo 7", "mine", "help", "exceptions", "scan"):
        c.add("slack_command", urllib.parse.urlencode({
            "team_id": "T1DC2JH3J", "channel_id": "C0ADMINS",
            "user_id": "U0ADMIN1", "command": "/fixit", "text": text,
            "response_url": "https://hooks.slack.com/commands/T1/1/x",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0"}))
    for p in jpath("slack", "golden", "*.json"):
        c.add("jscan", read(p))

    # the ingest API: each case's item, alone and in a batch
    for p in jpath("ingest", "*.case"):
        item = sections(p).get("input")
        if item is not None:
            c.add("ingest", item)
            c.add("ingest", '{"findings": [%s]}' % item)

    # CloudTrail events: the samples, and each rule/action case's event
    samples = {os.path.basename(p): read(p) for p in jpath("events", "*.json")}
    for raw in samples.values():
        c.add("ev_cloudtrail", raw)
        c.add("jscan", raw)
    for p in jpath("ev-rules", "*.case") + jpath("ev-actions", "*.case"):
        s = sections(p)
        if "event" in s:
            c.add("ev_cloudtrail", s["event"])
        elif s.get("event-file", "").strip() in samples:
            ev = json.loads(samples[s["event-file"].strip()])
            c.add("ev_cloudtrail", json.dumps(edited(ev, s.get("edit", ""))))

    # Security Hub and Custodian
    for p in jpath("ev-map", "samples", "*.json"):
        c.add("ev_map", read(p))
        c.add("jscan", read(p))
    for p in jpath("ev-map", "*.case"):
        s = sections(p)
        if "input" in s:
            c.add("ev_map", s["input"])

    # AWS answers and errors, XML and JSON
    for p in jpath("responses", "*.xml") + jpath("responses", "*.json"):
        c.add("aws_xml", read(p))
    c.add("aws_xml", '{"__type": "com.amazon#ThrottlingException:x", '
          '"message": "Rate exceeded"}')

    # the config files
    for p in jpath("config", "*.yaml"):
        c.add("config", read(p))

    http_seeds(c, data)

    for t in sorted(c.counts):
        print("seed: %-18s %d" % (t, c.counts[t]))


if __name__ == "__main__":
    main()
