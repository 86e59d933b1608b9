/*
 * test_slack_hook.c - which response_urls a late /fixit answer may be
 * posted to (slack_hook_url_ok): only plain paths under the one
 * configured base, so a signed request cannot aim fixitd elsewhere.
 */
#include <stdio.h>
#include <string.h>

#include "slack_hook.h"
#include "testhelp.h"
#include "banned.h"

#define SLACK "https://hooks.slack.com/"
#define FAKE  "http://127.0.0.1:8080/hooks/"

static void
test_admitted(void)
{
	TEST("slack's response_urls and the configured base") {
		CHECK(slack_hook_url_ok(SLACK,
		    SLACK "commands/T0123ABCD/1234567890/AbCdEf0123xyz"));
		CHECK(slack_hook_url_ok(SLACK,
		    SLACK "commands/E01/T02/123/abc_DEF-ghi"));
		CHECK(slack_hook_url_ok(FAKE, FAKE "commands/T0123ABCD/1/x"));
	}
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"https://hooks.slack.com.evil.example/commands/T/1/x",
		"https://hooks.slack.com@evil.example/commands/T/1/x",
		"http://hooks.slack.com/commands/T/1/x",
		"https://HOOKS.slack.com/commands/T/1/x",
		"https://slack.com/api/chat.postMessage",
		SLACK "actions/T/1/x",
		SLACK "commands/",
		SLACK "commands",
		SLACK "commands/T//x",
		SLACK "commands/T/1/x/",
		SLACK "commands/../api/chat.postMessage",
		SLACK "commands/T/./x",
		SLACK "commands/T/1/x?next=http://169.254.169.254/",
		SLACK "commands/T/1/x#frag",
		SLACK "commands/T/1/x%2F..",
		SLACK "commands/T/1/x y",
		SLACK "commands/T/1/x\r\nHost: evil",
		SLACK "commands/1/2/3/4/5/6/7/8/9",
		"file:///etc/passwd",
		"",
	};
	char longurl[SLACK_HOOK_MAX_URL + 64];
	size_t i;

	TEST("anything else") {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (slack_hook_url_ok(SLACK, bad[i])) {
				printf("  admitted: %s\n", bad[i]);
				CHECK(0);
			}
		}
		CHECK(!slack_hook_url_ok(SLACK, NULL));
		CHECK(!slack_hook_url_ok(NULL, SLACK "commands/T/1/x"));
		CHECK(!slack_hook_url_ok("", "commands/T/1/x"));
		/* a base without its final '/' is no base */
		CHECK(!slack_hook_url_ok("https://hooks.slack.com",
		    "https://hooks.slack.com.evil.example/commands/T/1/x"));
		/* the fake's base admits nothing of Slack's, and back */
		CHECK(!slack_hook_url_ok(FAKE, SLACK "commands/T/1/x"));
		CHECK(!slack_hook_url_ok(SLACK, FAKE "commands/T/1/x"));
		snprintf(longurl, sizeof(longurl), "%scommands/T/1/", SLACK);
		while (strlen(longurl) < SLACK_HOOK_MAX_URL)
			memcpy(longurl + strlen(longurl), "a", 2);
		CHECK(slack_hook_url_ok(SLACK, longurl));
		memcpy(longurl + strlen(longurl), "a", 2);
		CHECK(!slack_hook_url_ok(SLACK, longurl));
	}
}

int
main(void)
{
	test_admitted();
	test_refused();
	return TEST_REPORT();
}
