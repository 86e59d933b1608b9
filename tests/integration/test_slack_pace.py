"""test_slack_pace.py - fixitd keeps to Slack's documented pace before
Slack has to say so (issue 12, deliverable 4; slack.pace, on by default).

chat.postMessage: about one message a second per channel, short bursts
allowed. 14 messages queued for the admin channel at once: the first 10
(the burst) go at once, the rest at one a second at most (a token
bucket: after a stall two may go together, never more than the bucket
holds); a message to
another channel queued behind them is not held up by that pace.
"""


import harness as h
from harness import check

QUEUED = 14
BURST = 10


def admin_posts(env):
    return [c for c in env.fake.calls("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and c.ok]


def test_one_message_a_second_per_channel():
    with h.Env("pace", slack={"pace": True}) as env:
        h.queue_admin_messages(env, QUEUED)
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                      "i-0pace0other")])
        post = env.wait_notify(fid)
        env.fake.wait(lambda: len(admin_posts(env)) >= QUEUED, 30,
                      "%d admin messages" % QUEUED)
        at = [c.at for c in admin_posts(env)]
        t0 = at[0]
        h.log("admin channel arrivals: %s" %
              ", ".join("%.2f" % (t - t0) for t in at))
        check(at[BURST - 1] - t0 < 1.0, "the burst took %.2fs",
              at[BURST - 1] - t0)
        # a token bucket (sender_pace.h): past the burst, at most one
        # message a second on average. A sender that was held up (a
        # busy machine, a sanitizer build) may send two whose tokens
        # had refilled meanwhile, as the bucket allows: the bound is on
        # how many went by each arrival, not on the gap between two.
        for i in range(BURST, QUEUED):
            allowed = BURST + (at[i] - t0) / 1.0 + 0.2
            check(i + 1 <= allowed, "message %d came %.2fs after the "
                  "first: %d sent by then, the pace allows %.1f",
                  i, at[i] - t0, i + 1, allowed)
        check(at[-1] - t0 >= (QUEUED - BURST) * 0.9,
              "%d messages in %.2fs", QUEUED, at[-1] - t0)
        # the owner's message (another channel) did not wait for the pace
        check(post.at < at[-1], "the owner's message waited for the "
              "admin channel's pace")
        check(not env.fake.failed("chat.postMessage"),
              "fixitd was rate-limited: it did not keep the pace")


if __name__ == "__main__":
    h.run_tests(test_one_message_a_second_per_channel)
