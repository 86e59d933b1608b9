/*
 * test_slack_blocks.c - Block Kit builders against golden JSON in
 * tests/data/slack/golden/, escaping, truncation and the console rendering.
 *
 * FIXIT_GOLDEN_UPDATE=1 rewrites the golden files from the builders
 * (review the diff before committing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxlimits.h"
#include "slack_blocks.h"
#include "slack_render.h"
#include "testhelp.h"
#include "banned.h"

static const struct slack_finding_view nonprod = {
	.id = 42,
	.title = "IMDSv1 enabled on instance",
	.resource_id = "i-0abc123def4567890",
	.resource_arn = "arn:aws:ec2:eu-west-1:111122223333:instance/"
			"i-0abc123def4567890",
	.region = "eu-west-1",
	.account_id = "111122223333",
	.account_name = "dev-sandbox",
	.playbook = "ec2-imdsv1",
	.description = "Require IMDSv2 on the instance",
	.production = 0,
	.deadline = 1767225600, /* 2026-01-01T00:00:00Z */
	.fix_now = 1,
	.exc_mask = SLACK_EXC_1M,
	.irreversible = 0,
	.notify_only = 0,
	.owner_slack_id = "U0OWNER1",
};

static const struct slack_finding_view prod = {
	.id = 7,
	.title = "S3 bucket allows public read",
	.resource_id = "acme-logs",
	.resource_arn = "arn:aws:s3:::acme-logs",
	.region = "us-east-1",
	.account_id = "444455556666",
	.account_name = "payments-prod",
	.playbook = "s3-public-read",
	.description = "Block public access on the bucket",
	.production = 1,
	.deadline = 1767312000, /* 2026-01-02T00:00:00Z */
	.fix_now = 1,		/* never offered in production */
	.exc_mask = SLACK_EXC_1M | SLACK_EXC_1Y,
	.exc_approval_mask = SLACK_EXC_1Y,
	.irreversible = 1,
	.notify_only = 0,
	.owner_slack_id = NULL,
};

static void
data_path(char *out, size_t len, const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "slack/golden/%s", name);
	th_data_path(out, len, rel);
}

/* compare j (stolen) with the golden file name */
static void
golden(const char *name, json_t *j)
{
	char path[1024], *got = NULL, *want = NULL;
	json_error_t jerr;
	json_t *g = NULL;

	data_path(path, sizeof(path), name);
	CHECK(j != NULL);
	if (j == NULL)
		return;
	if (getenv("FIXIT_GOLDEN_UPDATE") != NULL)
		CHECK(json_dump_file(j, path, JSON_INDENT(2)) == 0);
	g = json_load_file(path, 0, &jerr);
	if (g == NULL)
		printf("  cannot load %s: %s\n", path, jerr.text);
	CHECK(g != NULL && json_equal(g, j));
	if (g != NULL && !json_equal(g, j)) {
		got = json_dumps(j, JSON_INDENT(2));
		want = json_dumps(g, JSON_INDENT(2));
		printf("  %s differs\n  got:\n%s\n  want:\n%s\n", name, got,
		    want);
	}
	free(got);
	free(want);
	json_decref(g);
	json_decref(j);
}

/* compare the console rendering of method/body (stolen) with a file */
static void
golden_text(const char *name, const char *method, json_t *body)
{
	char path[1024];
	struct buf out = BUF_INIT, want = BUF_INIT;
	FILE *f;
	size_t n;
	char chunk[4096];

	buf_init(&out, 0);
	buf_init(&want, 0);
	data_path(path, sizeof(path), name);
	CHECK_INT(slack_render_console(method, body, &out), FX_OK);
	if (getenv("FIXIT_GOLDEN_UPDATE") != NULL &&
	    (f = fopen(path, "w")) != NULL) {
		fputs(buf_str(&out), f);
		fclose(f);
	}
	if ((f = fopen(path, "r")) != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_add(&want, chunk, n) != FX_OK)
				break;
		fclose(f);
	}
	CHECK_STR(buf_str(&out), buf_str(&want));
	buf_release(&out);
	buf_release(&want);
	json_decref(body);
}

/* the body of chat.postMessage for msg (stolen) */
static json_t *
with_channel(json_t *msg, const char *channel)
{
	if (msg != NULL)
		json_object_set_new(msg, "channel", json_string(channel));
	return msg;
}

/* 1 when any mrkdwn text object below j contains needle */
static int
mrkdwn_contains(const json_t *j, const char *needle)
{
	const char *k, *t;
	const json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (mrkdwn_contains(v, needle))
				return 1;
		return 0;
	}
	if (!json_is_object(j))
		return 0;
	t = json_string_value(json_object_get(j, "type"));
	if (t != NULL && strcmp(t, "mrkdwn") == 0 &&
	    strstr(json_string_value(json_object_get(j, "text"))
		       ? json_string_value(json_object_get(j, "text"))
		       : "",
		needle))
		return 1;
	json_object_foreach((json_t *)j, k, v)
		if (mrkdwn_contains(v, needle))
			return 1;
	return 0;
}

/* the text of blocks[i].text */
static const char *
block_text(const json_t *msg, size_t i)
{
	return json_string_value(
	    json_object_get(json_object_get(json_array_get(json_object_get(msg,
							       "blocks"),
						i),
				"text"),
		"text"));
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
test_golden(void)
{
	struct slack_finding_view notify = prod, pending = prod;

	pending.exc_pending = 1;
	notify.notify_only = 1;
	notify.resource_arn = NULL;
	TEST("golden messages") {
		golden("finding_nonprod.json", slack_blocks_finding(&nonprod));
		golden("finding_prod.json", slack_blocks_finding(&prod));
		golden("finding_notify.json", slack_blocks_finding(&notify));
		golden("reminder_nonprod.json",
		    slack_blocks_reminder(&nonprod));
		golden("decision_prod.json",
		    slack_blocks_decision(&pending,
			"<@U0OWNER1> requested a 1 year exception: waiting for "
			"approval."));
		golden("modal_prod_1y.json", slack_blocks_modal(&prod, 1));
		golden("approval_prod.json",
		    slack_blocks_approval(&prod, 3, "U0OWNER1",
			"Public website assets; CloudFront "
			"migration in Q2.",
			1));
		golden("text.json", slack_blocks_text("Fixed *i-0abc* for "
						      "<@U0OWNER1>."));
	}

	TEST("console rendering") {
		json_t *open = json_pack("{s:s,s:o}", "trigger_id", "T.1",
		    "view", slack_blocks_modal(&nonprod, 0));

		golden_text("console_finding_nonprod.txt", "chat.postMessage",
		    with_channel(slack_blocks_finding(&nonprod), "D0OWNER1"));
		golden_text("console_modal_nonprod.txt", "views.open", open);
		golden_text("console_lookup.txt", "users.lookupByEmail",
		    json_pack("{s:s}", "email", "dana@example.com"));
	}
}

static void
test_buttons(void)
{
	struct slack_finding_view v = nonprod;
	json_t *m, *acts;

	TEST("buttons follow the view") {
		m = slack_blocks_finding(&prod);
		acts =
		    json_object_get(json_array_get(json_object_get(m, "blocks"),
					4),
			"elements");
		CHECK_INT(json_array_size(acts), 4); /* + Not mine, FP */
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(acts, 0),
				  "action_id")),
		    "fixit_exc_1m");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(acts, 1),
				  "value")),
		    "7");
		json_decref(m);
		v.fix_now = 0;
		v.exc_mask = 0;
		v.exc_pending = 1; /* nothing to ask: no Not mine either */
		m = slack_blocks_finding(&v);
		CHECK_INT(json_array_size(json_object_get(m, "blocks")), 3);
		CHECK(!mrkdwn_contains(m, "fixit_actions"));
		json_decref(m);
		m = slack_blocks_decision(&nonprod, NULL);
		CHECK_INT(json_array_size(json_object_get(m, "blocks")), 4);
		json_decref(m);
		CHECK(slack_blocks_modal(&nonprod, 2) == NULL);
		CHECK(slack_blocks_modal(&nonprod, -1) == NULL);
		CHECK(slack_blocks_approval(&nonprod, 1, "U1", "r", 5) == NULL);
		CHECK(slack_blocks_finding(NULL) == NULL);
		CHECK(slack_blocks_text(NULL) == NULL);
	}

	TEST("console link without an ARN") {
		v = nonprod;
		v.resource_arn = NULL;
		m = slack_blocks_finding(&v);
		CHECK(mrkdwn_contains(m,
		    "<https://eu-west-1.console.aws."
		    "amazon.com/console/home?region=eu-west-1|"));
		json_decref(m);
		v.region = "eu-west-1.evil.com/x?";
		m = slack_blocks_finding(&v);
		CHECK(!mrkdwn_contains(m, "console.aws"));
		json_decref(m);
	}
}

static void
test_escaping(void)
{
	struct slack_finding_view v = nonprod;
	struct buf b = BUF_INIT;
	char *big;
	json_t *m, *calls;

	TEST("escaping of user-supplied text") {
		v.title = "<script>&";
		v.resource_id = "i-<b>";
		v.description = "see <https://evil|here> & <!channel>";
		v.account_name = "a&b";
		v.owner_slack_id = "<!here>";
		m = slack_blocks_finding(&v);
		CHECK(m != NULL);
		CHECK_STR(json_string_value(json_object_get(m, "text")),
		    "fixit: &lt;script&gt;&amp; (i-&lt;b&gt;)");
		/* the header is plain_text: shown verbatim by Slack */
		CHECK_STR(block_text(m, 0), "<script>&");
		CHECK(mrkdwn_contains(m, "see &lt;https://evil|here&gt; &amp; "
					 "&lt;!channel&gt;"));
		CHECK(mrkdwn_contains(m, "*Resource*\ni-&lt;b&gt;"));
		CHECK(mrkdwn_contains(m, "a&amp;b (111122223333)"));
		CHECK(!mrkdwn_contains(m, "<script"));
		CHECK(!mrkdwn_contains(m, "<!channel") &&
		      !mrkdwn_contains(m, "<!here"));
		CHECK(!mrkdwn_contains(m, "Owner:"));
		json_decref(m);
		m = slack_blocks_modal(&v, 0);
		CHECK(mrkdwn_contains(m, "*&lt;script&gt;&amp;*"));
		json_decref(m);
		m = slack_blocks_approval(&v, 9, "bob <!here>", "<x>", 0);
		CHECK(mrkdwn_contains(m, "bob &lt;!here&gt; requests a "
					 "*1 month*"));
		CHECK(mrkdwn_contains(m, "*Justification*\n&lt;x&gt;"));
		json_decref(m);
	}

	TEST("caller texts keep user mentions only") {
		m = slack_blocks_text("<@U0ADMIN1> undid <@W12AB> <!channel> "
				      "<@u1> <@U1> <@U0ADMIN1 <#C1>");
		CHECK_STR(json_string_value(json_object_get(m, "text")),
		    "<@U0ADMIN1> undid <@W12AB> &lt;!channel&gt; &lt;@u1&gt; "
		    "&lt;@U1&gt; &lt;@U0ADMIN1 &lt;#C1&gt;");
		CHECK_STR(block_text(m, 0),
		    json_string_value(json_object_get(m, "text")));
		json_decref(m);
		/* a decision's text is mrkdwn already: not escaped twice */
		m = slack_blocks_decision(&nonprod, "ok <@U0OWNER1> &amp; "
						    "&lt;!here&gt;");
		CHECK(mrkdwn_contains(m, "ok <@U0OWNER1> &amp; &lt;!here&gt;"));
		json_decref(m);
		/* a dry run's texts are escaped on the card */
		v = nonprod;
		v.state = "rehearsed";
		m = slack_blocks_rehearsal(&v, "delete <b>", NULL, NULL, 1);
		CHECK(mrkdwn_contains(m, "It would delete &lt;b&gt;."));
		CHECK(!mrkdwn_contains(m, "save"));
		json_decref(m);
		/* what it would save, never counted */
		calls = json_pack("{s:i,s:i}", "cents", 365, "unknown", 0);
		m = slack_blocks_rehearsal(&v, "release it", NULL, calls, 1);
		CHECK(mrkdwn_contains(m,
		    "It would save an estimated $3.65 a month (not counted: "
		    "nothing was changed)."));
		json_decref(m);
		json_decref(calls);
	}

	TEST("slack_blocks_escape") {
		buf_init(&b, 0);
		CHECK_INT(slack_blocks_escape("a<b>&c <@U1234>", &b), FX_OK);
		CHECK_STR(buf_str(&b), "a&lt;b&gt;&amp;c &lt;@U1234&gt;");
		buf_release(&b);
		buf_init(&b, 8);
		CHECK_INT(slack_blocks_escape("ab", &b), FX_OK);
		CHECK_INT(slack_blocks_escape("<<<", &b), FX_ETOOBIG);
		CHECK_STR(buf_str(&b), "ab");
		buf_release(&b);
		CHECK_INT(slack_blocks_escape(NULL, &b), FX_EINVAL);
	}

	TEST("long strings are cut to Slack's limits") {
		big = malloc(3 * 5000 + 1);
		CHECK(big != NULL);
		if (big == NULL)
			return;
		memset(big, '&', 5000);
		big[5000] = '\0';
		v = nonprod;
		v.description = big;
		m = slack_blocks_finding(&v);
		CHECK(utf8_chars(block_text(m, 1)) <= 3000);
		CHECK(strstr(block_text(m, 1), "&amp;\xe2\x80\xa6\n") != NULL);
		json_decref(m);
		/* 5000 x U+00E9: header cut at 150 characters */
		for (size_t i = 0; i < 5000; i++)
			memcpy(big + 2 * i, "\xc3\xa9", 2);
		big[10000] = '\0';
		v.title = big;
		m = slack_blocks_finding(&v);
		CHECK(m != NULL);
		CHECK_INT(utf8_chars(block_text(m, 0)), 150);
		CHECK_INT(strlen(block_text(m, 0)), 149 * 2 + 3);
		json_decref(m);
		m = slack_blocks_text(big);
		CHECK(m != NULL && json_object_get(m, "blocks") == NULL);
		CHECK_INT(strlen(json_string_value(json_object_get(m, "text"))),
		    10000);
		json_decref(m);
		/* invalid UTF-8 is refused, not sent */
		v.title = "\xff\xfe";
		CHECK(slack_blocks_finding(&v) == NULL);
		free(big);
	}
}

/* the card of prod in state (with the extra fields) as golden name */
static void
golden_state(const char *name, const char *state, const char *text)
{
	struct slack_finding_view v = prod;

	v.state = state;
	v.excepted_until = 1798761600; /* 2027-01-01T00:00:00Z */
	v.updated_at = 1767315600;     /* 2026-01-02T01:00:00Z */
	golden(name, slack_blocks_decision(&v, text));
}

/* the actions block of msg, NULL when it has none */
static const json_t *
actions_of(const json_t *msg)
{
	const json_t *b;
	const char *t;
	size_t i;

	json_array_foreach(json_object_get(msg, "blocks"), i, b) {
		t = json_string_value(json_object_get(b, "type"));
		if (t != NULL && strcmp(t, "actions") == 0)
			return b;
	}
	return NULL;
}

#define has_actions(m) (actions_of(m) != NULL)

/* the button of msg with action_id id, NULL when none */
static const json_t *
button(const json_t *msg, const char *id)
{
	const json_t *b;
	const char *a;
	size_t i;

	json_array_foreach(json_object_get(actions_of(msg), "elements"), i, b) {
		a = json_string_value(json_object_get(b, "action_id"));
		if (a != NULL && strcmp(a, id) == 0)
			return b;
	}
	return NULL;
}

static const char *
label(const json_t *btn)
{
	return json_string_value(
	    json_object_get(json_object_get(btn, "text"), "text"));
}

static void
test_card_states(void)
{
	static const char *const states[] = { "excepted", "fixing", "fixed",
		"failed", "resolved", "rolled_back", "rehearsed", "open" };
	struct slack_finding_view v = prod;
	char name[64];
	json_t *m, *calls;
	size_t i;

	TEST("golden cards of every state") {
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			snprintf(name, sizeof(name), "card_%s.json", states[i]);
			golden_state(name, states[i],
			    "Decided by <@U0ADMIN1>.");
		}
		v.state = "rehearsed";
		calls = json_pack("[s,s]", "s3 DeleteBucketPolicy",
		    "s3 PutPublicAccessBlock");
		golden("card_rehearsal.json",
		    slack_blocks_rehearsal(&v, "delete the bucket policy",
			calls, NULL, 1));
		json_decref(calls);
		v = prod;
		v.exc_pending = 1;
		golden("reminder_pending.json", slack_blocks_reminder(&v));
		v = prod;
		v.state = "fixed";
		v.updated_at = 1767315600;
		golden("reminder_decided.json",
		    slack_blocks_reminder_decided(&v));
		v = nonprod;
		v.owner_slack_id = NULL;
		v.owner_not_found = "dana@example.com";
		golden("finding_owner_not_found.json",
		    slack_blocks_finding(&v));
	}

	TEST("no stale deadline, no buttons once decided") {
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
			v = nonprod;
			v.state = states[i];
			m = slack_blocks_finding(&v);
			CHECK(!mrkdwn_contains(m, "unless an exception"));
			CHECK(!has_actions(m));
			json_decref(m);
			m = slack_blocks_reminder(&v);
			CHECK(!mrkdwn_contains(m, "will be fixed"));
			CHECK(!has_actions(m));
			json_decref(m);
		}
		v = nonprod;
		v.exc_pending = 1;
		m = slack_blocks_finding(&v);
		CHECK(mrkdwn_contains(m, "awaits an admin's approval"));
		CHECK(!mrkdwn_contains(m, "unless an exception"));
		CHECK(!has_actions(m));
		json_decref(m);
		/* denied: still notified, but the card has no buttons left */
		v = nonprod;
		m = slack_blocks_decision(&v, "Denied.");
		CHECK(mrkdwn_contains(m, "fixit will fix this <!date^"));
		CHECK(!mrkdwn_contains(m, "unless an exception"));
		json_decref(m);
		v = nonprod;
		m = slack_blocks_reminder_decided(&v);
		CHECK(mrkdwn_contains(m, "*Decided:* see above."));
		CHECK(!has_actions(m));
		json_decref(m);
	}

	TEST("choices needing approval say so") {
		m = slack_blocks_finding(&prod);
		CHECK_STR(label(button(m, "fixit_exc_1y")),
		    "Exception: 1 year (needs approval)");
		CHECK_STR(label(button(m, "fixit_exc_1m")),
		    "Exception: 1 month");
		json_decref(m);
		m = slack_blocks_reminder(&prod);
		CHECK_STR(label(button(m, "fixit_exc_1y")),
		    "Exception: 1 year (needs approval)");
		json_decref(m);
		m = slack_blocks_modal(&prod, 1);
		CHECK(mrkdwn_contains(m, "An admin must approve"));
		json_decref(m);
		m = slack_blocks_modal(&prod, 0);
		CHECK(!mrkdwn_contains(m, "An admin must approve"));
		json_decref(m);
	}
}

/* every Fix now of an irreversible fix asks Slack to confirm */
static void
test_fix_now_confirm(void)
{
	struct slack_finding_view v = nonprod;
	const json_t *b;
	json_t *m[2];
	size_t i;

	TEST("Fix now of an irreversible fix is confirmed") {
		v.irreversible = 1;
		m[0] = slack_blocks_finding(&v);
		m[1] = slack_blocks_reminder(&v);
		for (i = 0; i < 2; i++) {
			b = button(m[i], "fixit_fix_now");
			CHECK(b != NULL);
			CHECK(json_object_get(b, "confirm") != NULL);
			CHECK_STR(json_string_value(json_object_get(
				      json_object_get(json_object_get(b,
							  "confirm"),
					  "title"),
				      "text")),
			    "This cannot be undone");
			json_decref(m[i]);
		}
		v.irreversible = 0;
		m[0] = slack_blocks_finding(&v);
		b = button(m[0], "fixit_fix_now");
		CHECK(b != NULL && json_object_get(b, "confirm") == NULL);
		json_decref(m[0]);
	}
}

static void
test_console(void)
{
	struct buf out = BUF_INIT;
	json_t *m;

	TEST("console framing and limits") {
		buf_init(&out, 0);
		m = json_pack("{s:s,s:s,s:s}", "channel", "C1", "ts", "1.2",
		    "text", "a &amp; b");
		CHECK_INT(slack_render_console("chat.update", m, &out), FX_OK);
		CHECK_STR(buf_str(&out), "--- slack chat.update\nchannel: C1\n"
					 "ts: 1.2\na & b\n---\n");
		buf_release(&out);
		buf_init(&out, 40);
		CHECK_INT(buf_adds(&out, "x"), FX_OK);
		CHECK_INT(slack_render_console("chat.update", m, &out),
		    FX_ETOOBIG);
		CHECK_STR(buf_str(&out), "x");
		CHECK_INT(slack_render_console(NULL, m, &out), FX_EINVAL);
		buf_release(&out);
		json_decref(m);
	}
}

int
main(void)
{
	test_golden();
	test_buttons();
	test_escaping();
	test_card_states();
	test_fix_now_confirm();
	test_console();
	return TEST_REPORT();
}
