#!/usr/bin/env python3
"""test_savings.py - the savings recorded with every fix (issue 16),
through the real fixitd and the fake AWS, priced by the shipped table
deploy/prices.json (the harness's prices_file).

  fix_undo    eip-unassociated releases an address and ebs-unused deletes
              a 20 GiB gp3 volume (snapshot kept) in eu-west-1: each
              fixed finding's prior state holds its usage and fixit's
              saving (730 eip_hour at default's 0.005 = $3.65; 20 GiB x
              eu-west-1's gp3 0.088 - 20 GiB x default's ebs snapshot
              0.05 = $0.76: the expectations are computed here from the
              same file); the owner is told "saving an estimated ...";
              /fixit status shows the total, each playbook and the
              account; /metrics has fixit_savings_usd_month per playbook.
              /fixit undo of the volume takes its saving back, from
              status and /metrics.
  dry_run     ebs-unused in dry run: the owner is told what it would save
              ("not counted"), the finding is rehearsed and keeps no
              prior state, status says none yet, /metrics has no saving.
  exec_usage  an exec executor's prior state states usage (one entry not
              priced, one malformed) and a "saving" of its own: fixit
              prices the usage itself, lists the two it cannot price, and
              status and /metrics count the fix as one with items not
              priced.
  config      prices_file naming a missing or malformed table: fixitd -n
              fails with FILE:LINE: prices_file and the reason; the
              shipped table passes.
"""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeslack                                        # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_no_mutation, check_scan_ok     # noqa: E402

TABLE = os.path.join(h.SRC, "deploy", "prices.json")
EBS_PARAMS = {"idle_days": 45, "snapshot_poll_ms": 50,
              "snapshot_timeout_s": 20}
DAY = 86400
GIB = 20


def prices():
    with open(TABLE) as f:
        return json.load(f)


def unit(t, region, item, cls=None):
    """The table's price as fixit looks it up: the region's, else
    default's."""
    for r in (region, "default"):
        v = t["regions"].get(r, {}).get(item)
        if cls is not None and isinstance(v, dict):
            v = v.get(cls)
        if isinstance(v, (int, float)):
            return v
    raise KeyError((region, item, cls))


def cents(usd):
    return int(usd * 100 + 0.5)


def expected():
    t = prices()
    eip = cents(730 * unit(t, h.REGION, "eip_hour"))
    ebs = cents(GIB * unit(t, h.REGION, "ebs_gb", "gp3")
                - GIB * unit(t, h.REGION, "snapshot_gb", "ebs"))
    return t["as_of"], eip, ebs


def money(c):
    return "$%d.%02d" % (c // 100, c % 100)


def iso_ago(secs):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(time.time() - secs))


def add_volume(env):
    reg = env.aws.region(h.REGION, h.NONPROD)
    return reg.add_volume(size=GIB, volume_type="gp3",
                          create_time=time.time() - 90 * DAY,
                          tags={"owner": h.OWNER,
                                "fixit:last-seen": iso_ago(60 * DAY)})


def gauges(env):
    """{playbook: USD} of fixit_savings_usd_month"""
    m = env.metrics()
    return {lab.get("playbook"): v
            for lab, v in m.get("fixit_savings_usd_month", [])}


def said(env, needle):
    return [fakeslack.all_text(c.body)
            for c in env.fake.delivered("chat.postMessage")
            + env.fake.delivered("chat.update")
            if needle in fakeslack.all_text(c.body)]


def test_fix_undo():
    as_of, eip_c, ebs_c = expected()
    with h.Env("savings-fix", aws=True, start=False, playbooks=[
            h.aws_playbook("eip-unassociated", grace="1s"),
            h.aws_playbook("ebs-unused", params=EBS_PARAMS)]) as env:
        reg = env.aws.region(h.REGION, h.NONPROD)
        eip = reg.add_address(tags={"owner": h.OWNER})
        vol = add_volume(env)
        env.start()
        check(gauges(env) == {}, "savings before any fix: %r", gauges(env))
        check_scan_ok(env.scan())
        [fe] = env.findings(playbook="eip-unassociated")
        [fv] = env.findings(playbook="ebs-unused")
        check(fe["resource_id"] == eip and fv["resource_id"] == vol,
              "found %r %r", fe, fv)
        env.wait_state(fe["id"], "fixed", timeout=40)
        env.wait_state(fv["id"], "fixed", timeout=40)

        pe = env.finding(fe["id"])["prior_state"]
        check(pe["usage"] == [{"item": "eip_hour", "class": None,
                               "qty": 730}], "eip usage %r", pe["usage"])
        check(pe["saving"] == {"cents": eip_c, "unknown": [],
                               "as_of": as_of}, "eip saving %r",
              pe["saving"])
        pv = env.finding(fv["id"])["prior_state"]
        check(pv["usage"] == [
            {"item": "ebs_gb", "class": "gp3", "qty": GIB},
            {"item": "snapshot_gb", "class": "ebs", "qty": -GIB}],
            "ebs usage %r", pv["usage"])
        check(pv["saving"] == {"cents": ebs_c, "unknown": [],
                               "as_of": as_of}, "ebs saving %r",
              pv["saving"])

        for c in (eip_c, ebs_c):
            want = "saving an estimated %s a month" % money(c)
            env.fake.wait(lambda: said(env, want), 10,
                          "the owner told %r" % want)

        text = env.fixit("status")
        if os.environ.get("SAVINGS_SHOW"):
            print(text)
            print(said(env, "saving an estimated"))
        want = "*Estimated savings a month:* %s from 2 fixes " \
            "(price table of %s)" % (money(eip_c + ebs_c), as_of)
        check(want in text, "status lacks %r:\n%s", want, text)
        for pb, c in (("eip-unassociated", eip_c), ("ebs-unused", ebs_c)):
            want = "`%s`: %s from 1 fix" % (pb, money(c))
            check(want in text, "status lacks %r:\n%s", want, text)
        want = "*Accounts that saved most:* dev-sandbox (%s) %s" % (
            h.NONPROD, money(eip_c + ebs_c))
        check(want in text, "status lacks %r:\n%s", want, text)
        g = gauges(env)
        check(g == {"eip-unassociated": eip_c / 100,
                    "ebs-unused": ebs_c / 100}, "gauges %r", g)
        m = env.metrics()
        check(sorted(v for _, v in m.get("fixit_savings_fixes", []))
              == [1, 1], "fixes %r", m.get("fixit_savings_fixes"))

        # the undo takes the volume's saving back
        env.fixit("undo %d" % fv["id"])
        env.wait_state(fv["id"], "rolled_back", timeout=40)
        text = env.fixit("status")
        want = "*Estimated savings a month:* %s from 1 fix " % money(eip_c)
        check(want in text and "ebs-unused`:" not in text.split(
            "*Estimated savings")[1], "after the undo:\n%s", text)
        g = gauges(env)
        check(g == {"eip-unassociated": eip_c / 100}, "gauges %r", g)


def test_dry_run():
    as_of, _, ebs_c = expected()
    with h.Env("savings-dry", aws=True, start=False, playbooks=[
            h.aws_playbook("ebs-unused", params=EBS_PARAMS,
                           dry_run=True)]) as env:
        add_volume(env)
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook="ebs-unused")
        env.wait_state(f["id"], "rehearsed", timeout=40)
        want = "It would save an estimated %s a month (not counted: " \
            "nothing was changed)." % money(ebs_c)
        env.fake.wait(lambda: said(env, want), 10, "the rehearsal message")
        check(not said(env, "Fixed by fixit"), "a dry run said Fixed")
        check(env.finding(f["id"]).get("prior_state") is None,
              "a rehearsed finding keeps a prior state")
        plan = [a for a in env.audit(f["id"]) if a.get("to") ==
                "rehearsed" or a.get("to_state") == "rehearsed"]
        check(plan, "no rehearsed audit row in %r", env.audit(f["id"]))
        text = env.fixit("status")
        check("*Estimated savings a month:* none yet" in text,
              "a dry run counted:\n%s", text)
        check(gauges(env) == {}, "gauges after a dry run %r", gauges(env))
        check_no_mutation(env, "a dry run")


# an exec executor's fix: a prior state stating usage, one entry the
# table does not price, one malformed, and a "saving" of its own
EXEC_FIX = r"""
import json, sys
sys.stdin.read()
print(json.dumps({"usage": [
    {"item": "route53_zone", "class": None, "qty": 2},
    {"item": "ec2_instance_hour", "class": "x9.mega", "qty": 730},
    {"item": "eip_hour", "qty": "730"}],
    "saving": {"cents": 99999999, "unknown": []}}))
"""


def test_exec_usage():
    """Any executor may state usage; its own "saving" is never taken:
    fixit prices the usage itself, listing what it cannot price."""
    with h.Env("savings-exec", start=False) as env:
        script = os.path.join(env.tmp, "fix.py")
        with open(script, "w") as f:
            f.write(EXEC_FIX)
        env.config["playbooks"] = [h.playbook(
            "zones", approval="none", executor={
                "type": "exec", "command": [sys.executable, script],
                "timeout": "20s"})]
        env.write_config()
        env.start()
        [fid] = env.ingest_ok([h.item("zones", h.NONPROD, "Z1")])
        env.wait_state(fid, "fixed", timeout=20)
        sv = env.finding(fid)["prior_state"]["saving"]
        t = prices()
        want = cents(2 * unit(t, "eu-west-1", "route53_zone"))
        check(sv == {"cents": want, "as_of": t["as_of"], "unknown": [
            "ec2_instance_hour x9.mega", "invalid"]}, "saving %r", sv)
        text = env.fixit("status")
        want_s = "*Estimated savings a month:* %s from 1 fix (1 with " \
            "items not priced)" % money(want)
        check(want_s in text, "status lacks %r:\n%s", want_s, text)
        m = env.metrics()
        check([v for _, v in m.get("fixit_savings_unpriced_fixes", [])]
              == [1], "unpriced %r", m.get("fixit_savings_unpriced_fixes"))
        want_s = "saving an estimated %s a month (without 2 items not in " \
            "its price table)" % money(want)
        env.fake.wait(lambda: said(env, want_s), 10, "the owner told")


def fixitd_n(env):
    p = subprocess.run([h.FIXITD, "-n", "-c", env.config_path],
                       env=env.proc_env, cwd=env.tmp,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def test_config():
    with h.Env("savings-config", start=False) as env:
        bad = os.path.join(env.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"as_of": "2025-01-15", "currency": "USD",\n'
                    ' "regions": {"default": {"eip_hour": -1}}}\n')
        broken = os.path.join(env.tmp, "broken.json")
        with open(broken, "w") as f:
            f.write('{"as_of": "2025-01-15",\n "currency": }\n')
        cases = (
            (TABLE, 0, ""),
            (os.path.join(env.tmp, "none.json"), 1, "no such file"),
            (bad, 1, "regions.default.eip_hour: must be a price"),
            (broken, 1, "line 2:"),
        )
        for path, want_rc, want in cases:
            env.config["prices_file"] = path
            env.write_config()
            rc, out = fixitd_n(env)
            check(rc == want_rc and want in out,
                  "%s: fixitd -n exited %d (want %d): %s", path, rc,
                  want_rc, out)
            if want:
                check(": prices_file: %s: " % path in out and
                      env.config_path + ":" in out,
                      "no FILE:LINE: prices_file in %r", out)


if __name__ == "__main__":
    h.run_tests(test_fix_undo, test_dry_run, test_exec_usage, test_config)
