"""bench_prep.py - the Python half of bench.sh (standard library only).

  bench_prep.py config DIR [--live API_BASE] [--http-threads N]
        write DIR/fixit.yaml (console or live Slack; one enforce playbook,
        dry-run executor, non-production account, long grace)
  bench_prep.py ingest URL N IDSFILE
        ingest N non-production findings with owner_slack_id in batches of
        1000; write their ids to IDSFILE, one a line
  bench_prep.py sign IDSFILE REQFILE
        one signed block_actions "fixit_fix_now" click per id, fresh
        timestamp: "TS\\tSIG\\tBODY" lines for clicks.lua
  bench_prep.py drain URL [TIMEOUT]
        wait until fixit_outbox_pending is 0 (the notify messages sent)
  bench_prep.py verify DB
        print the number of notified -> fixing transitions in the audit log
  bench_prep.py fakeslack PORTFILE
        run the fake Slack Web API until killed; write its api_base
"""

import http.client
import json
import os
import sqlite3
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h           # noqa: E402 (signing, payloads, YAML writer)

OWNER = "U0BENCHOWN"
PLAYBOOK = "bench-imds"


def cmd_config(argv):
    d = argv[0]
    live = None
    threads = 0
    rest = argv[1:]
    while rest:
        if rest[0] == "--live":
            live, rest = rest[1], rest[2:]
        elif rest[0] == "--http-threads":
            threads, rest = int(rest[1]), rest[2:]
        else:
            raise SystemExit("config: unknown option %s" % rest[0])
    slack = {"mode": "live", "api_base": live} if live else \
        {"mode": "console"}
    cfg = {
        "listen": "127.0.0.1:0",
        "database": os.path.join(d, "fixit.db"),
        "tick": "1s",
        "lease": "5m",
        "log_level": "warn",
        "http_threads": threads,
        "admins": [h.ADMIN],
        "admin_channel": h.ADMIN_CHANNEL,
        "slack": slack,
        "accounts": [{"id": h.NONPROD, "name": "bench",
                      "environment": "non-production",
                      "channel": h.NONPROD_CHANNEL}],
        "playbooks": [{
            "name": PLAYBOOK,
            "description": "Require IMDSv2 (benchmark)",
            "mode": "enforce",
            "approval": "owner",
            "grace": "48h",
            "reminder_before": 0,
            "exceptions": ["1m"],
            "max_fixes_per_hour": 0,
            "max_attempts": 3,
            "retry_backoff": "1m",
            "executor": {"type": "dry-run"},
        }],
    }
    with open(os.path.join(d, "fixit.yaml"), "w") as f:
        f.write(h.to_yaml(cfg) + "\n")


def _conn(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=120)


def cmd_ingest(argv):
    url, n, idsfile = argv[0], int(argv[1]), argv[2]
    conn = _conn(url)
    ids = []
    t0 = time.time()
    now = h.iso_now()
    for start in range(0, n, 1000):
        items = []
        for i in range(start, min(n, start + 1000)):
            res = "i-%016x" % i
            items.append({
                "playbook": PLAYBOOK, "account_id": h.NONPROD,
                "region": "eu-west-1", "resource_id": res,
                "resource_arn": "arn:aws:ec2:eu-west-1:%s:instance/%s"
                                % (h.NONPROD, res),
                "owner_slack_id": OWNER,
                "title": "Instance %s allows IMDSv1" % res,
                "details": {"HttpTokens": "optional"},
                "observed_at": now})
        body = json.dumps(items).encode()
        conn.request("POST", "/v1/findings", body, {
            "Authorization": "Bearer " + h.INGEST_TOKEN,
            "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise SystemExit("ingest batch at %d: HTTP %d %s"
                             % (start, r.status, data[:300]))
        for fr in json.loads(data)["findings"]:
            if fr.get("state") != "notified":
                raise SystemExit("finding %s is %s, not notified"
                                 % (fr.get("id"), fr.get("state")))
            ids.append(int(fr["id"]))
    secs = time.time() - t0
    with open(idsfile, "w") as f:
        f.write("\n".join(map(str, ids)) + "\n")
    print("ingested %d findings in %.1fs (%.0f/s)" % (len(ids), secs,
                                                       len(ids) / secs))


def cmd_sign(argv):
    idsfile, reqfile = argv
    ids = [int(l) for l in open(idsfile) if l.strip()]
    t0 = time.time()
    ts = str(int(time.time()))
    with open(reqfile, "w") as f:
        for n, fid in enumerate(ids):
            p = {
                "type": "block_actions",
                "user": {"id": OWNER, "username": "bench.owner",
                         "team_id": "T0123ABCD"},
                "api_app_id": "A0FIXITAPP",
                "container": {"type": "message",
                              "message_ts": "1700000000.%06d" % (n % 10**6),
                              "channel_id": "D" + OWNER,
                              "is_ephemeral": False},
                "trigger_id": "9301234567%03d.1234567890123.%032x"
                              % (n % 1000, n),
                "team": {"id": "T0123ABCD", "domain": "acme-eng"},
                "channel": {"id": "D" + OWNER, "name": "directmessage"},
                "message": {"type": "message", "ts": "1700000000.%06d"
                            % (n % 10**6), "text": "fixit finding"},
                "actions": [{"action_id": "fixit_fix_now",
                             "block_id": "fixit_actions",
                             "text": {"type": "plain_text",
                                      "text": "Fix now"},
                             "value": str(fid), "type": "button",
                             "action_ts": "%s.%06d" % (ts, n % 10**6)}],
            }
            body = h.payload_form(p)
            f.write("%s\t%s\t%s\n" % (ts, h.sign(body, ts), body.decode()))
    print("signed %d clicks in %.1fs (timestamp %s, valid for 300s)"
          % (len(ids), time.time() - t0, ts))


def cmd_drain(argv):
    url = argv[0]
    timeout = float(argv[1]) if len(argv) > 1 else 300
    t0 = time.time()
    while True:
        conn = _conn(url)
        conn.request("GET", "/metrics")
        ms = h.parse_metrics(conn.getresponse().read().decode())
        conn.close()
        pending = h.metric(ms, "fixit_outbox_pending")
        if pending == 0:
            print("outbox drained in %.1fs" % (time.time() - t0))
            return
        if time.time() - t0 > timeout:
            print("outbox still has %d pending after %.0fs; going on"
                  % (pending, timeout))
            return
        time.sleep(1)


def cmd_verify(argv):
    con = sqlite3.connect("file:%s?mode=ro" % argv[0], uri=True, timeout=30)
    n = con.execute("SELECT count(*) FROM audit WHERE from_state = "
                    "'notified' AND to_state = 'fixing'").fetchone()[0]
    con.close()
    print(n)


def cmd_fakeslack(argv):
    import fakeslack
    import signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    fake = fakeslack.FakeSlack(keep_calls=False, token=os.environ.get(
        "FIXIT_SLACK_BOT_TOKEN", h.BOT_TOKEN), strict=False)
    fake.start()
    with open(argv[0], "w") as f:
        f.write(fake.api_base + "\n")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd = {"config": cmd_config, "ingest": cmd_ingest, "sign": cmd_sign,
           "drain": cmd_drain, "verify": cmd_verify,
           "fakeslack": cmd_fakeslack}.get(sys.argv[1])
    if cmd is None:
        raise SystemExit(__doc__)
    cmd(sys.argv[2:])


if __name__ == "__main__":
    main()
