/*
 * test_slack_approval.c - the cards of a decided or waiting exception
 * request and the deny modal (slack/slack_approval.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fxlimits.h"
#include "slack_approval.h"
#include "testhelp.h"
#include "banned.h"

static const struct slack_finding_view prod = {
	.id = 7,
	.title = "S3 bucket <allows> public read",
	.resource_id = "acme-logs",
	.region = "us-east-1",
	.account_id = "444455556666",
	.account_name = "payments-prod",
	.playbook = "s3-public-read",
	.description = "Block public access on the bucket",
	.production = 1,
	.deadline = 1767312000,
	.exc_mask = SLACK_EXC_1M | SLACK_EXC_1Y,
	.exc_approval_mask = SLACK_EXC_1Y,
};

/* the number of buttons with action_id prefix pre anywhere in j */
static int
buttons(const json_t *j, const char *pre)
{
	const char *k, *t, *a;
	const json_t *v;
	size_t i;
	int n = 0;

	if (json_is_object(j)) {
		t = json_string_value(json_object_get(j, "type"));
		a = json_string_value(json_object_get(j, "action_id"));
		if (t && strcmp(t, "button") == 0 && a &&
		    strncmp(a, pre, strlen(pre)) == 0)
			n++;
		json_object_foreach((json_t *)j, k, v)
			n += buttons(v, pre);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			n += buttons(v, pre);
	}
	return n;
}

/* needle in the compact JSON text of j */
static int
has(const json_t *j, const char *needle)
{
	char *s = json_dumps(j, JSON_COMPACT);
	int yes = s != NULL && strstr(s, needle) != NULL;

	free(s);
	return yes;
}

int
main(void)
{
	json_t *m, *md;
	char big[4000];

	TEST("deny modal: callback, metadata, the reason input") {
		m = slack_blocks_deny_modal(&prod, 31, "CADM", "100.1");
		CHECK(m != NULL);
		CHECK_STR(json_string_value(json_object_get(m, "callback_id")),
		    "fixit_deny");
		md = json_loads(json_string_value(
				    json_object_get(m, "private_metadata")),
		    0, NULL);
		CHECK_INT(json_integer_value(json_object_get(md, "e")), 31);
		CHECK_STR(json_string_value(json_object_get(md, "t")), "100.1");
		json_decref(md);
		CHECK(has(m, "\"block_id\":\"reason\""));
		CHECK(has(m, "\"action_id\":\"reason\""));
		CHECK(has(m, "&lt;allows&gt;"));
		json_decref(m);
		m = slack_blocks_deny_modal(&prod, 31, NULL, NULL);
		CHECK(m != NULL && !has(m, "\\\"t\\\""));
		json_decref(m);
		CHECK(slack_blocks_deny_modal(&prod, 0, NULL, NULL) == NULL);
	}
	TEST("decided request: the justification kept, no buttons") {
		m = slack_blocks_approval_decided(&prod, 31, "U0OWNER1",
		    "vendor &lt;box&gt;", 1, "denied by <@U0ADMIN1>: no");
		CHECK(m != NULL);
		CHECK_INT(buttons(m, "fixit_"), 0);
		CHECK(has(m, "denied by <@U0ADMIN1>: no"));
		CHECK(has(m, "<@U0OWNER1>"));
		CHECK(has(m, "Justification"));
		json_decref(m);
	}
	TEST("ask again: the finding's buttons and the decision") {
		m = slack_blocks_decision_ask(&prod, "denied: replace it");
		CHECK(m != NULL);
		CHECK_INT(buttons(m, "fixit_exc_1"), 2);
		CHECK(has(m, "denied: replace it"));
		json_decref(m);
	}
	TEST("nudges keep the buttons; a long text is cut") {
		m = slack_blocks_approval_nudge(&prod, 31, "U0OWNER1", "r", 1,
		    "still waits", 0);
		CHECK(m != NULL);
		CHECK_INT(buttons(m, "fixit_exc_"), 2);
		CHECK(has(m, "still waits"));
		json_decref(m);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		m = slack_blocks_approval_nudge(&prod, 31, "U0OWNER1", "r", 1,
		    big, 1);
		CHECK(m != NULL);
		CHECK_INT(buttons(m, "fixit_exc_"), 2);
		CHECK(!has(m, big));
		json_decref(m);
	}
	return TEST_REPORT();
}
