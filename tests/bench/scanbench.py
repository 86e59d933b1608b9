#!/usr/bin/env python3
"""scanbench.py - a scan of N fake accounts x R regions, every AWS call
answered after --delay (50 ms), at each scan concurrency asked for, with
the fake throttling like AWS past the documented rates (LookupEvents
2/s, EC2 20/s + 100, Route 53 5/s, RDS 12/s + 300, per account and
region). Then the extrapolation to 1,000 accounts x 17 regions.

Not a test (not in CTest): run it by hand on an otherwise idle machine.

    cmake -S . -B build && cmake --build build -j2
    tests/bench/scanbench.py                       # 16 accounts x 4, c 4, 64
    tests/bench/scanbench.py -n 32 -c 64 --delay 0.05

Each account x region holds instances (one IMDSv1), unattached volumes
(tagged last seen 60 days ago) and an attached one with CloudTrail
AttachVolume events, unassociated addresses, an RDS instance; the first
region of each account is also where the global playbook (route53-ns-
only) scans. Playbooks: ec2-imdsv1, ebs-unused, eip-unassociated,
rds-idle, route53-ns-only, all told to owners, none fixed (grace 1 h).

Printed per concurrency: the scan's wall time, AWS calls (and per pair),
AssumeRole and LookupEvents calls, throttled answers, the mean and the
longest pair (first to last call of the pair), and the extrapolation:
1,000 x 17 pairs at this concurrency = pairs / concurrency x mean pair
time (the workers' limit) or the measured calls/s of the whole scan
scaled to the calls of 17,000 pairs (the fake's limit on this machine),
whichever is larger; both are printed.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h                                     # noqa: E402

DAY = 86400
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2",
           "ap-southeast-1", "ap-northeast-1", "sa-east-1", "ca-central-1"]
TARGET_PAIRS = 1000 * 17


def accounts(n):
    return ["%012d" % (210000000000 + i) for i in range(n)]


def seed(env, accts, regions):
    now = time.time()
    seen = h_iso(now - 60 * DAY)
    for a in accts:
        acct = env.aws.account(a)
        for role in h.ROLES:
            acct.add_role(role, external_id=h.EXTERNAL_ID)
        for r in regions:
            reg = acct.region(r)
            reg.add_instance(http_tokens="optional")
            inst = reg.add_instance(http_tokens="required")
            for _ in range(3):
                reg.add_volume(create_time=now - 200 * DAY,
                               tags={"fixit:last-seen": seen})
            att = reg.add_volume(attached_to=inst)
            for i in range(3):
                reg.add_event("AttachVolume", resources=[att, inst],
                              event_time=now - 3600 * (i + 1))
            for _ in range(2):
                reg.add_address()
            reg.add_db_instance("db-%s" % r, create_time=now - 200 * DAY)
            reg.add_db_connections("db-%s" % r, [(now - 3 * DAY, 0)])


def h_iso(t):
    from fakeaws_state import iso
    return iso(t)


def config(env, accts, regions, conc):
    env.config["accounts"] = [
        {"id": a, "name": "acct-%s" % a[-4:], "environment": "production",
         "channel": h.PROD_CHANNEL} for a in accts]
    env.config["aws"]["regions"] = regions
    env.config["aws"]["scan"] = {"hour": -1, "concurrency": conc,
                                 "at_start": False}
    env.config["aws"]["timeout"] = "30s"
    env.config["log_level"] = "info"
    env.write_config()


def rate_limits(aws):
    aws.set_rate_limit(2, 2, action="LookupEvents")
    aws.set_rate_limit(20, 100, service="ec2")
    aws.set_rate_limit(5, 5, service="route53")
    aws.set_rate_limit(12, 300, service="rds")


def run(n, nregions, conc, delay):
    accts, regions = accounts(n), REGIONS[:nregions]
    pbs = [h.aws_playbook(b, approval="owner", grace="1h", params=p)
           for b, p in (("ec2-imdsv1", None),
                        ("ebs-unused", {"idle_days": 45}),
                        ("eip-unassociated", None),
                        ("rds-idle", {"idle_days": 45}),
                        ("route53-ns-only", None))]
    with h.Env("scanbench-c%d" % conc, aws=True, start=False,
               playbooks=pbs) as env:
        config(env, accts, regions, conc)
        seed(env, accts, regions)
        rate_limits(env.aws)
        env.start()
        env.aws.reset_calls()
        env.aws.set_delay(delay)
        t0 = time.time()
        rows = env.scan(timeout=3600)
        wall = time.time() - t0
        env.aws.set_delay(0)
        calls = [c for c in env.aws.calls() if c.service not in
                 ("imds", "ecs")]
        errs = [r for r in rows if r.get("error")]
        pairs = {}
        for c in calls:
            if c.account in accts:
                k = (c.account, c.region if c.service not in
                     ("route53", "iam", "cloudfront") else "global")
                lo, hi = pairs.get(k, (c.at, c.at))
                pairs[k] = (min(lo, c.at), max(hi, c.at))
        spans = [hi - lo + delay for lo, hi in pairs.values()]
        npairs = n * nregions
        mean = sum(spans) / len(spans) if spans else 0.0
        by_workers = TARGET_PAIRS / conc * mean
        per_pair_calls = len(calls) / npairs
        by_rate = TARGET_PAIRS * per_pair_calls / (len(calls) / wall)
        thr = [c for c in calls if c.fault == "rate" or
               (c.error or "") in ("Throttling", "ThrottlingException",
                                   "RequestLimitExceeded")]
        print("concurrency %d: %d accounts x %d regions = %d pairs, "
              "delay %d ms" % (conc, n, nregions, npairs, delay * 1000))
        print("  scan wall time   %.1f s (%d scan rows, %d with an error)"
              % (wall, len(rows), len(errs)))
        print("  AWS calls        %d (%.1f per pair, %.0f/s)"
              % (len(calls), per_pair_calls, len(calls) / wall))
        print("  AssumeRole       %d (%d accounts x roles used)"
              % (len([c for c in calls if c.operation == "AssumeRole"]),
                 len({(c.account, c.role) for c in calls if c.role})))
        print("  LookupEvents     %d" % len([c for c in calls
                                             if c.operation ==
                                             "LookupEvents"]))
        print("  throttled        %d" % len(thr))
        print("  pair time        mean %.2f s, longest %.2f s"
              % (mean, max(spans) if spans else 0))
        print("  1,000 x 17 at c=%d: %.0f s by the workers (pairs / c x "
              "mean pair), %.0f s at this run's calls/s"
              % (conc, by_workers, by_rate))
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=16, help="accounts (16)")
    ap.add_argument("-r", type=int, default=4, help="regions (4)")
    ap.add_argument("-c", default="4,64", help="concurrencies (4,64)")
    ap.add_argument("--delay", type=float, default=0.05,
                    help="seconds per AWS call (0.05)")
    a = ap.parse_args()
    for c in (int(x) for x in a.c.split(",")):
        run(a.n, a.r, c, a.delay)


if __name__ == "__main__":
    main()
