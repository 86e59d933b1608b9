/*
 * test_sender_pace.c - Slack's limits as the sender keeps them: the
 * back-off after a failure and the pace of the documented tiers.
 */
#include <stdint.h>

#include "sender_pace.h"
#include "testhelp.h"

#define MS(s) ((int64_t)(s)*1000)

int
main(void)
{
	struct sender_pace *p = NULL;
	int64_t now = MS(1000);
	int i, sent;

	CHECK(sender_pace_new(&p) == FX_OK);
	if (p == NULL)
		return TEST_REPORT();

	TEST("tiers off: nothing waits before Slack says so") {
		for (i = 0; i < 500; i++)
			sender_pace_spend(p, "chat.postMessage", "C1", now);
		CHECK(sender_pace_wait(p, "chat.postMessage", "C1", now) == 0);
		CHECK(sender_pace_next(p, now) == 0);
	}

	sender_pace_tiers(p, 1);
	TEST("chat.postMessage: a burst of 10 per channel, then 1 a second") {
		sent = 0;
		while (
		    sender_pace_wait(p, "chat.postMessage", "C2", now) == 0 &&
		    sent < 100) {
			sender_pace_spend(p, "chat.postMessage", "C2", now);
			sent++;
		}
		CHECK(sent == 10);
		/* the next token in one second, and the sender wakes for it */
		CHECK(
		    sender_pace_wait(p, "chat.postMessage", "C2", now) == 1000);
		CHECK(sender_pace_next(p, now) == now + 1000);
		/* another channel is not held up */
		CHECK(sender_pace_wait(p, "chat.postMessage", "C3", now) == 0);
		/* one more a second after */
		CHECK(sender_pace_wait(p, "chat.postMessage", "C2",
			  now + 1000) == 0);
		sender_pace_spend(p, "chat.postMessage", "C2", now + 1000);
		CHECK(sender_pace_wait(p, "chat.postMessage", "C2",
			  now + 1000) > 0);
	}

	TEST("Tier 3: 50 a minute after a burst of 20, for all channels") {
		sent = 0;
		for (i = 0; i < 100; i++) {
			if (sender_pace_wait(p, "chat.update",
				i % 2 ? "A" : "B", now) != 0)
				break;
			sender_pace_spend(p, "chat.update", i % 2 ? "A" : "B",
			    now);
			sent++;
		}
		CHECK(sent == 20);
		/* 60000 ms / 50 = 1200 ms a token */
		CHECK(sender_pace_wait(p, "chat.update", "A", now) == 1200);
		/* in a minute, 50 more (capped by the burst of 20) */
		sent = 0;
		for (i = 0; i < 60; i++) {
			int64_t t = now + MS(i + 1);

			while (
			    sender_pace_wait(p, "chat.update", NULL, t) == 0) {
				sender_pace_spend(p, "chat.update", NULL, t);
				sent++;
			}
		}
		CHECK(sent >= 49 && sent <= 50);
	}

	TEST("a method Slack has no tier for is never paced") {
		for (i = 0; i < 1000; i++)
			sender_pace_spend(p, "auth.test", NULL, now);
		CHECK(sender_pace_wait(p, "auth.test", NULL, now) == 0);
	}

	TEST("Retry-After still wins over the pace") {
		CHECK(sender_pace_failed(p, "users.lookupByEmail", NULL, 1, 30,
			  300, now) == 30);
		CHECK(sender_pace_wait(p, "users.lookupByEmail", NULL, now) ==
		      MS(30));
		sender_pace_ok(p, "users.lookupByEmail", NULL);
	}

	TEST("many channels: the table reuses full buckets, never fails") {
		char ch[16];

		for (i = 0; i < 2000; i++) {
			snprintf(ch, sizeof(ch), "D%05d", i);
			sender_pace_spend(p, "chat.postMessage", ch, now);
		}
		/* a channel used once has 9 of 10 left */
		CHECK(sender_pace_wait(p, "chat.postMessage", "D01999", now) ==
		      0);
	}

	sender_pace_free(p);
	return TEST_REPORT();
}
