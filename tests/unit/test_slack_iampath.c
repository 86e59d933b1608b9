/*
 * test_slack_iampath.c - the path to IAM admin in words: the chain hop by
 * hop, the granting policies, the evidence per action; every value
 * escaped for mrkdwn; nothing for details without a chain; whole lines
 * only when the text is full.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "slack_iampath.h"
#include "testhelp.h"

static const char *const details =
    "{\"hops\": 3, \"chain\": ["
    "{\"hop\": 1, \"from\": \"instance profile app\", \"to\": \"role app\","
    " \"how\": \"instance profile\"},"
    "{\"hop\": 2, \"from\": \"role app\", \"to\": \"role <@U1>&ops\","
    " \"how\": \"sts:AssumeRole\"},"
    "{\"hop\": 3, \"from\": \"role <@U1>&ops\", \"to\": \"IAM admin\","
    " \"how\": \"iam:PutRolePolicy\"}],"
    "\"grants\": [{\"kind\": \"inline\", \"name\": \"p<1>\"}],"
    "\"evidence\": {\"unused_days\": 365, \"actions\": ["
    "{\"action\": \"iam:PutRolePolicy\", \"last_accessed\": null,"
    " \"verdict\": \"unused\"},"
    "{\"action\": \"iam:AttachRolePolicy\", \"last_accessed\":"
    " \"2026-11-27T00:00:00Z\", \"verdict\": \"used\"},"
    "{\"action\": \"iam:CreateUser\", \"last_accessed\": null,"
    " \"verdict\": \"unknown\"},"
    "{\"action\": \"iam:CreatePolicy\", \"last_accessed\": null,"
    " \"verdict\": \"used\", \"cloudtrail_last\":"
    " \"2026-12-02T00:00:00Z\"}]}}";

int
main(void)
{
	TEST("the chain, the grants and the evidence, escaped") {
		json_t *d = json_loads(details, 0, NULL);
		struct buf b = BUF_INIT;
		const char *t;

		buf_init(&b, 3000);
		CHECK(slack_iampath_mrkdwn(d, &b) == FX_OK);
		t = buf_str(&b);
		CHECK(strstr(t, "*Path to IAM admin (3 hops):*\n") == t);
		CHECK(strstr(t, "1. instance profile app \xe2\x86\x92 role app "
				"_(instance profile)_\n") != NULL);
		CHECK(strstr(t, "2. role app \xe2\x86\x92 role &lt;@U1&gt;&amp;"
				"ops _(sts:AssumeRole)_\n") != NULL);
		CHECK(strstr(t, "<@U1>") == NULL);
		CHECK(strstr(t, "*Granted by:* inline policy p&lt;1&gt;\n") !=
		      NULL);
		CHECK(strstr(t, "iam:PutRolePolicy: never used in the tracked "
				"period \xe2\x80\x94 unused: the fix removes "
				"it\n") != NULL);
		CHECK(strstr(t,
			  "iam:AttachRolePolicy: last used "
			  "2026-11-27T00:00:00Z \xe2\x80\x94 kept\n") != NULL);
		CHECK(strstr(t, "iam:CreateUser: not tracked by IAM "
				"\xe2\x80\x94 kept\n") != NULL);
		/* IAM's report saw no use, CloudTrail did: kept */
		CHECK(strstr(t, "iam:CreatePolicy: never used in the tracked "
				"period; CloudTrail: used 2026-12-02T00:00:00Z "
				"\xe2\x80\x94 kept\n") != NULL);
		buf_release(&b);

		/* a small cap: whole lines only */
		buf_init(&b, 120);
		CHECK(slack_iampath_mrkdwn(d, &b) == FX_OK);
		CHECK(b.len > 0 && buf_str(&b)[b.len - 1] == '\n');
		CHECK(strstr(buf_str(&b), "1. ") != NULL);
		CHECK(strstr(buf_str(&b), "2. ") == NULL);
		buf_release(&b);
		json_decref(d);

		/* no chain: nothing */
		d = json_loads("{\"iac_owner\": \"x\"}", 0, NULL);
		buf_init(&b, 100);
		CHECK(slack_iampath_mrkdwn(d, &b) == FX_OK && b.len == 0);
		CHECK(slack_iampath_mrkdwn(NULL, &b) == FX_OK && b.len == 0);
		buf_release(&b);
		json_decref(d);
	}
	return TEST_REPORT();
}
