#!/usr/bin/env python3
"""test_aws_pacing.py - scans paced to AWS's limits (issue 14, item 5).

  trail once    ebs-unused and eip-unassociated over a region with many
                candidates read CloudTrail once for the region (one paged
                LookupEvents per event name), not once per volume or
                address; the events still decide (an attached or detached
                volume, a fresh allocation is no finding).
  no throttle   the fake throttles like AWS past the documented rates
                (LookupEvents 2/s per account and region, EC2 Describe*
                100 + 20/s): a scan of two accounts x three regions with
                many LookupEvents pages gets no throttling answer at all.
  one assume    two accounts x four regions scanned by eight workers at
                once: exactly one AssumeRole per account and role.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from fakeaws_state import iso                           # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok                        # noqa: E402

DAY = 86400
EBS = {"idle_days": 45, "snapshot_poll_ms": 50, "snapshot_timeout_s": 20}
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"]


def env_with(name, regions=None, concurrency=4):
    """ebs-unused and eip-unassociated, told to the owner and never fixed
    within the test (grace 1 h): only the scan calls AWS."""
    env = h.Env(name, aws=True, start=False, playbooks=[
        h.aws_playbook("ebs-unused", params=EBS, approval="owner",
                       grace="1h"),
        h.aws_playbook("eip-unassociated", approval="owner", grace="1h")])
    env.config["aws"]["scan"] = {"hour": -1, "concurrency": concurrency,
                                 "at_start": False}
    if regions:
        env.config["aws"]["regions"] = regions
    env.write_config()
    return env


def lookups(env, **kw):
    """The LookupEvents calls: [(attribute key, value)]."""
    out = []
    for c in env.aws.calls(action="LookupEvents", **kw):
        [a] = c.params.get("LookupAttributes") or [{}]
        out.append((a.get("AttributeKey"), a.get("AttributeValue")))
    return out


def test_cloudtrail_read_once_per_region():
    with env_with("pacing-trail") as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        now = time.time()
        seen = iso(now - 60 * DAY)
        vols = [reg.add_volume(create_time=now - 200 * DAY,
                               tags={"fixit:last-seen": seen})
                for _ in range(120)]
        addrs = [reg.add_address() for _ in range(30)]
        inst = reg.add_instance(http_tokens="required")
        reg.add_event("AttachVolume", resources=[vols[0], inst],
                      event_time=now - 2 * 3600)
        reg.add_event("DetachVolume", resources=[vols[1], inst],
                      event_time=now - 3 * 3600)
        for _ in range(11):     # other volumes' events: pages to read
            other = reg.add_volume(attached_to=inst)
            reg.add_event("AttachVolume", resources=[other, inst],
                          event_time=now - 4 * 3600)
        reg.add_event("AllocateAddress", resources=[addrs[0]],
                      event_time=now - 2 * 3600)
        env.aws.set_page_size(4, "LookupEvents")
        env.start()
        check_scan_ok(env.scan(timeout=60))
        got = lookups(env)
        check(all(k == "EventName" for k, _ in got),
              "LookupEvents by something else than the event name: %r",
              [g for g in got if g[0] != "EventName"])
        per = {}
        for _, v in got:
            per[v] = per.get(v, 0) + 1
        # 12 AttachVolume events in pages of 4: 3 pages (a 4th if the
        # fake answers an empty last page); one for every other name
        check(per.get("AttachVolume", 0) in (3, 4) and
              per.get("DetachVolume") == 1 and
              per.get("AllocateAddress") == 1 and
              per.get("AssociateAddress") == 1 and
              per.get("DisassociateAddress") == 1,
              "LookupEvents per event name: %r", per)
        check(len(got) <= 8, "%d LookupEvents for 120 volumes and 30 "
              "addresses", len(got))
        found = {f["resource_id"]: f for f in env.findings()}
        check(vols[0] not in found and vols[1] not in found,
              "a volume attached or detached today is a finding")
        missing = [v for v in vols[2:] if v not in found]
        check(not missing, "%d idle volumes not found: %r", len(missing),
              missing[:5])
        check(all(found[v]["details"].get("last_seen_from") == "tag"
                  for v in vols[2:] if v in found),
              "idle volumes judged by something else than their tag")
        check(addrs[0] not in found, "a fresh allocation is a finding")
        missing = [a for a in addrs[1:] if a not in found]
        check(not missing, "%d unattached addresses not found",
              len(missing))
        check(reg.volumes[vols[0]]["tags"].get("fixit:last-seen", "")
              > seen, "the attached volume's last-seen tag not refreshed")


def test_no_throttling_at_documented_rates():
    regions = REGIONS[:3]
    with env_with("pacing-rates", regions=regions, concurrency=6) as env:
        now = time.time()
        for acct in (h.NONPROD, h.PROD):
            for r in regions:
                reg = env.aws.account(acct).region(r)
                inst = reg.add_instance(http_tokens="required")
                for i in range(3):
                    reg.add_volume(create_time=now - 200 * DAY)
                for i in range(7):
                    other = reg.add_volume(attached_to=inst)
                    reg.add_event("AttachVolume", resources=[other, inst],
                                  event_time=now - 3600 - i)
        env.aws.set_page_size(1, "LookupEvents")
        env.aws.set_rate_limit(2, 2, action="LookupEvents")
        env.aws.set_rate_limit(20, 100, service="ec2")
        env.start()
        check_scan_ok(env.scan(timeout=120))
        rated = [c for c in env.aws.calls() if c.fault == "rate"]
        check(not rated, "throttled at the documented rates: %r",
              [(c.operation, c.account, c.region) for c in rated][:10])
        n = len(env.aws.calls(action="LookupEvents"))
        # 7 AttachVolume pages (+ one empty), one DetachVolume page per
        # region: the rate was actually pressed on
        check(n >= 6 * 8, "only %d LookupEvents", n)
        check(not env.aws.calls(ok=False, service="cloudtrail"),
              "a CloudTrail call failed")


def test_one_assume_role_per_account_and_role():
    with env_with("pacing-assume", regions=REGIONS, concurrency=8) as env:
        for acct in (h.NONPROD, h.PROD):
            for r in REGIONS:
                env.aws.account(acct).region(r).add_volume()
        env.aws.set_delay(0.1)
        env.start()
        check_scan_ok(env.scan(timeout=60))
        per = {}
        for c in env.aws.calls(action="AssumeRole"):
            per[c.params["RoleArn"]] = per.get(c.params["RoleArn"], 0) + 1
        check(all(n == 1 for n in per.values()) and
              {a.split(":")[4] for a in per} == {h.NONPROD, h.PROD} and
              all("arn:aws:iam::%s:role/fixit-auditor" % a in per
                  for a in (h.NONPROD, h.PROD)),
              "one AssumeRole per account and role: %r", per)


if __name__ == "__main__":
    h.run_tests(test_cloudtrail_read_once_per_region,
                test_no_throttling_at_documented_rates,
                test_one_assume_role_per_account_and_role)
