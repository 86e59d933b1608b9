/*
 * test_slack_payload.c - interactivity payloads (tests/data/slack)
 * and slash command forms, with malformed variants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxlimits.h"
#include "slack_payload.h"
#include "testhelp.h"
#include "banned.h"

static json_t *
load(const char *name)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;
	char rel[256];

	snprintf(rel, sizeof(rel), "slack/%s", name);
	th_data_path(path, sizeof(path), rel);
	if ((j = json_load_file(path, 0, &jerr)) == NULL)
		printf("cannot load %s: %s\n", path, jerr.text);
	return j;
}

/* parse j (serialised) into si; err gets the sentence */
static fx_err
parse(const json_t *j, struct slack_interaction *si, struct buf *err)
{
	char *s = json_dumps(j, JSON_COMPACT);
	fx_err rc;

	if (s == NULL)
		return FX_ENOMEM;
	rc = slack_interaction_parse(s, strlen(s), si, err);
	free(s);
	return rc;
}

static fx_err
parse_s(const char *s, struct slack_interaction *si, struct buf *err)
{
	return slack_interaction_parse(s, strlen(s), si, err);
}

/* a string of n copies of c (caller frees) */
static char *
filled(size_t n, const char *c)
{
	size_t k = strlen(c), i;
	char *s = malloc(n * k + 1);

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(s + i * k, c, k);
	s[n * k] = '\0';
	return s;
}

/* payload.view.state.values.reason.reason.value = v (stolen) */
static void
set_reason(json_t *vs, json_t *v)
{
	json_t *values =
	    json_object_get(json_object_get(json_object_get(vs, "view"),
				"state"),
		"values");

	json_object_set_new(values, "reason",
	    json_pack("{s:{s:s,s:o}}", "reason", "type", "plain_text_input",
		"value", v));
}

static void
test_files(json_t *ba, json_t *eph, json_t *vs, struct buf *err)
{
	struct slack_interaction si;

	TEST("block_actions on a channel message") {
		CHECK_INT(parse(ba, &si, err), FX_OK);
		CHECK_INT(si.type, SI_BLOCK_ACTIONS);
		CHECK_STR(si.user_id, "U0APPROVR1");
		CHECK_STR(si.trigger_id, "9301234567890.1234567890123."
					 "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
		CHECK_STR(si.channel_id, "C0APPROVLS");
		CHECK_STR(si.message_ts, "1767139200.000100");
		CHECK_STR(si.action_id, "approval_approve");
		CHECK_STR(si.action_value, "REQ-1042");
		CHECK(si.callback_id == NULL && si.reason == NULL);
		CHECK_INT(err->len, 0);
		slack_interaction_release(&si);
		CHECK(si.user_id == NULL);
		slack_interaction_release(NULL);
	}

	TEST("block_actions on an ephemeral message (no message field)") {
		CHECK(json_object_get(eph, "message") == NULL);
		CHECK_INT(parse(eph, &si, err), FX_OK);
		CHECK_STR(si.channel_id, "C0APPROVLS");
		CHECK_STR(si.message_ts, "1767139300.000200");
		CHECK_STR(si.action_id, "approval_reject");
		CHECK_STR(si.action_value, "REQ-1043");
		slack_interaction_release(&si);
	}

	TEST("block_actions without an action: parsed, no action id") {
		json_t *c = json_deep_copy(ba);

		json_object_del(c, "actions");
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK_INT(si.type, SI_BLOCK_ACTIONS);
		CHECK(si.action_id == NULL && si.action_value == NULL);
		CHECK_STR(si.user_id, "U0APPROVR1");
		CHECK(si.channel_id != NULL);
		slack_interaction_release(&si);
		json_object_set_new(c, "actions", json_array());
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK(si.action_id == NULL && si.channel_id != NULL);
		slack_interaction_release(&si);
		json_decref(c);
	}

	TEST("block_actions: channel.id and message.ts as fallbacks") {
		json_t *c = json_deep_copy(ba);

		json_object_del(c, "container");
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK_STR(si.channel_id, "C0APPROVLS");
		CHECK_STR(si.message_ts, "1767139200.000100");
		slack_interaction_release(&si);
		json_object_del(c, "channel");
		json_object_del(c, "message");
		json_object_del(c, "trigger_id");
		json_object_del(json_array_get(json_object_get(c, "actions"),
				    0),
		    "value");
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK(si.channel_id == NULL && si.message_ts == NULL);
		CHECK(si.trigger_id == NULL && si.action_value == NULL);
		CHECK_STR(si.action_id, "approval_approve");
		CHECK(!si.from_home);
		slack_interaction_release(&si);
		json_decref(c);
	}

	TEST("block_actions in the App Home: from_home, no channel") {
		json_t *c = json_deep_copy(ba);

		json_object_del(c, "channel");
		json_object_del(c, "message");
		json_object_set_new(c, "container",
		    json_pack("{s:s,s:s}", "type", "view", "view_id", "V1"));
		json_object_set_new(c, "view",
		    json_pack("{s:s,s:s,s:[]}", "id", "V1", "type", "home",
			"blocks"));
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK(si.from_home && si.channel_id == NULL);
		CHECK(si.message_ts == NULL);
		slack_interaction_release(&si);
		json_object_set_new(c, "view",
		    json_pack("{s:s,s:s}", "id", "V1", "type", "modal"));
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK(!si.from_home);
		slack_interaction_release(&si);
		json_decref(c);
	}

	TEST("view_submission (foreign block ids: no reason)") {
		CHECK_INT(parse(vs, &si, err), FX_OK);
		CHECK_INT(si.type, SI_VIEW_SUBMISSION);
		CHECK_STR(si.user_id, "U0APPROVR1");
		CHECK_STR(si.callback_id, "approval_reject_reason");
		CHECK_STR(si.private_metadata,
		    "{\"request_id\":\"REQ-1042\","
		    "\"channel\":\"C0APPROVLS\",\"message_ts\":"
		    "\"1767139200.000100\"}");
		CHECK(si.reason == NULL && si.action_id == NULL);
		slack_interaction_release(&si);
	}

	TEST("view_submission with fixit's reason input") {
		json_t *c = json_deep_copy(vs);

		set_reason(c, json_string("Change freeze until Jan 5 & <b>"));
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK_STR(si.reason, "Change freeze until Jan 5 & <b>");
		slack_interaction_release(&si);
		set_reason(c, json_null());
		CHECK_INT(parse(c, &si, err), FX_OK);
		CHECK(si.reason == NULL);
		slack_interaction_release(&si);
		json_decref(c);
	}
}

/* mutate a copy of base with stmt, parse, expect rc and err sentence */
#define EXPECT(base, stmt, want_rc, want_err)                                  \
	do {                                                                   \
		json_t *c = json_deep_copy(base);                              \
		struct slack_interaction ex_si;                                \
		stmt;                                                          \
		CHECK_INT(parse(c, &ex_si, err), want_rc);                     \
		CHECK_STR(buf_str(err), want_err);                             \
		if ((want_rc) != FX_OK)                                        \
			CHECK(                                                 \
			    ex_si.user_id == NULL && ex_si.action_id == NULL); \
		slack_interaction_release(&ex_si);                             \
		json_decref(c);                                                \
	} while (0)

static void
test_malformed(json_t *ba, json_t *vs, struct buf *err)
{
	struct slack_interaction si;

	TEST("not JSON, not an object") {
		CHECK_INT(parse_s("payload=xyz", &si, err), FX_EINVAL);
		CHECK(strncmp(buf_str(err), "payload: invalid JSON", 21) == 0);
		CHECK_INT(parse_s("", &si, err), FX_EINVAL);
		CHECK_INT(parse_s("[{\"type\":\"block_actions\"}]", &si, err),
		    FX_EINVAL);
		CHECK_STR(buf_str(err), "payload: not a JSON object");
		CHECK_INT(parse_s("\"block_actions\"", &si, err), FX_EINVAL);
		CHECK_INT(parse_s("{\"type\":\"x\",\"type\":\"y\"}", &si, err),
		    FX_EINVAL);
		CHECK_INT(slack_interaction_parse(NULL, 0, &si, err),
		    FX_EINVAL);
		CHECK_INT(slack_interaction_parse("{}", 2, &si, NULL),
		    FX_EINVAL);
	}

	TEST("missing and mistyped fields") {
		EXPECT(ba, json_object_del(c, "user"), FX_EINVAL,
		    "payload.user: missing");
		EXPECT(ba, json_object_del(json_object_get(c, "user"), "id"),
		    FX_EINVAL, "payload.user.id: missing");
		EXPECT(ba, json_object_set_new(c, "user", json_string("U1")),
		    FX_EINVAL, "payload.user: not an object");
		EXPECT(ba,
		    json_object_set_new(json_object_get(c, "user"), "id",
			json_integer(7)),
		    FX_EINVAL, "payload.user.id: not a string");
		EXPECT(ba,
		    json_object_set_new(json_object_get(c, "user"), "id",
			json_string("")),
		    FX_EINVAL, "payload.user.id: empty");
		EXPECT(ba, json_object_set_new(c, "type", json_true()),
		    FX_EINVAL, "payload.type: missing or not a string");
		EXPECT(ba, json_object_set_new(c, "actions", json_object()),
		    FX_EINVAL, "payload.actions: not an array");
		EXPECT(ba,
		    json_array_set_new(json_object_get(c, "actions"), 0,
			json_string("x")),
		    FX_EINVAL, "payload.actions[0]: not an object");
		EXPECT(ba,
		    json_object_del(json_array_get(json_object_get(c,
						       "actions"),
					0),
			"action_id"),
		    FX_EINVAL, "payload.actions[0].action_id: missing");
		EXPECT(ba,
		    json_object_set_new(json_array_get(json_object_get(c,
							   "actions"),
					    0),
			"value", json_integer(42)),
		    FX_EINVAL, "payload.actions[0].value: not a string");
		EXPECT(ba, json_object_set_new(c, "container", json_array()),
		    FX_EINVAL, "payload.container: not an object");
		EXPECT(ba,
		    json_object_set_new(json_object_get(c, "container"),
			"channel_id", json_false()),
		    FX_EINVAL, "payload.container.channel_id: not a string");
		EXPECT(ba, json_object_set_new(c, "trigger_id", json_real(1)),
		    FX_EINVAL, "payload.trigger_id: not a string");
		EXPECT(vs, json_object_del(c, "view"), FX_EINVAL,
		    "payload.view: missing");
		EXPECT(vs,
		    json_object_del(json_object_get(c, "view"), "callback_id"),
		    FX_EINVAL, "payload.view.callback_id: missing");
		EXPECT(vs, set_reason(c, json_integer(1)), FX_EINVAL,
		    "payload.view.state.values.reason.reason.value: "
		    "not a string");
		EXPECT(vs,
		    json_object_set_new(
			json_object_get(json_object_get(json_object_get(c,
							    "view"),
					    "state"),
			    "values"),
			"reason", json_string("x")),
		    FX_EINVAL,
		    "payload.view.state.values.reason: not an object");
	}

	TEST("other interaction types") {
		CHECK_INT(parse_s("{\"type\":\"view_closed\",\"user\":"
				  "{\"id\":\"U1\"}}",
			      &si, err),
		    FX_OK);
		CHECK_INT(si.type, SI_OTHER);
		CHECK_STR(si.user_id, "U1");
		slack_interaction_release(&si);
	}
}

static void
test_huge(json_t *ba, json_t *vs, struct buf *err)
{
	struct slack_interaction si;
	char *big;

	TEST("huge strings") {
		big = filled(FX_MAX_FIELD + 1, "U");
		EXPECT(ba,
		    json_object_set_new(json_object_get(c, "user"), "id",
			json_string(big)),
		    FX_ETOOBIG, "payload.user.id: too long");
		EXPECT(ba,
		    json_object_set_new(json_array_get(json_object_get(c,
							   "actions"),
					    0),
			"value", json_string(big)),
		    FX_ETOOBIG, "payload.actions[0].value: too long");
		EXPECT(vs,
		    json_object_set_new(json_object_get(c, "view"),
			"private_metadata", json_string(big)),
		    FX_ETOOBIG, "payload.view.private_metadata: too long");
		big[FX_MAX_FIELD] = '\0';
		EXPECT(ba,
		    json_object_set_new(json_array_get(json_object_get(c,
							   "actions"),
					    0),
			"value", json_string(big)),
		    FX_OK, "");
		free(big);
		big = filled(FX_MAX_REASON + 1, "r");
		EXPECT(vs, set_reason(c, json_string(big)), FX_ETOOBIG,
		    "payload.view.state.values.reason.reason.value: too long");
		free(big);
		/* the reason limit counts characters: 2000 x 2-byte chars */
		big = filled(FX_MAX_REASON, "\xc3\xa9");
		{
			json_t *c = json_deep_copy(vs);

			set_reason(c, json_string(big));
			CHECK_INT(parse(c, &si, err), FX_OK);
			CHECK_INT(si.reason ? strlen(si.reason) : 0,
			    2 * FX_MAX_REASON);
			slack_interaction_release(&si);
			json_decref(c);
		}
		free(big);
	}
}

static void
test_command(void)
{
	struct slack_command c;
	struct buf err = BUF_INIT;
	const char *body =
	    "token=x&team_id=T1&channel_id=C0ADMINS&"
	    "user_id=U0ADMIN1&command=%2Ffixit&text=show+42&"
	    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1";

	buf_init(&err, 0);
	TEST("slash command form") {
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_OK);
		CHECK_STR(c.user_id, "U0ADMIN1");
		CHECK_STR(c.command, "/fixit");
		CHECK_STR(c.text, "show 42");
		CHECK_STR(c.channel_id, "C0ADMINS");
		CHECK_STR(c.response_url, "https://hooks.slack.com/commands/1");
		slack_command_release(&c);
		slack_command_release(NULL);
		body = "user_id=U1&command=%2Ffixit";
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_OK);
		CHECK_STR(c.text, "");
		CHECK(c.channel_id == NULL && c.response_url == NULL);
		slack_command_release(&c);
	}

	TEST("malformed slash command forms") {
		body = "command=%2Ffixit&text=x";
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_EINVAL);
		CHECK_STR(buf_str(&err), "command.user_id: missing or empty");
		CHECK(c.command == NULL);
		body = "user_id=&command=%2Ffixit";
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_EINVAL);
		body = "user_id=U1&command=%2Ffixit&text=%zz";
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_EINVAL);
		CHECK_STR(buf_str(&err), "command.user_id: "
					 "malformed form encoding");
		body = "user_id=U1&command=%2Ffixit&text=a&text=b";
		CHECK_INT(slack_command_parse(body, strlen(body), &c, &err),
		    FX_EINVAL);
		CHECK_STR(buf_str(&err), "command.text: "
					 "malformed form encoding");
	}

	TEST("slash command with a huge text") {
		struct buf big = BUF_INIT;
		int i, ok = 1;

		buf_init(&big, 0);
		ok &= buf_adds(&big, "user_id=U1&command=%2Ffixit&text=") ==
		      FX_OK;
		for (i = 0; i <= FX_MAX_FIELD; i++)
			ok &= buf_addc(&big, 'x') == FX_OK;
		CHECK(ok);
		CHECK_INT(slack_command_parse(buf_str(&big), big.len, &c, &err),
		    FX_ETOOBIG);
		CHECK_STR(buf_str(&err), "command.text: too long");
		buf_release(&big);
	}
	buf_release(&err);
}

int
main(void)
{
	json_t *ba = load("block_actions_approve.json");
	json_t *eph = load("block_actions_ephemeral_reject.json");
	json_t *vs = load("view_submission_reject_reason.json");
	struct buf err = BUF_INIT;

	if (ba == NULL || eph == NULL || vs == NULL)
		return 1;
	buf_init(&err, 0);
	test_files(ba, eph, vs, &err);
	test_malformed(ba, vs, &err);
	test_huge(ba, vs, &err);
	test_command();
	buf_release(&err);
	json_decref(ba);
	json_decref(eph);
	json_decref(vs);
	return TEST_REPORT();
}
