/*
 * test_slack_owner.c - the owner's own steps in Block Kit (slack_owner.c)
 * against golden JSON in tests/data/slack/golden/, and the reassign
 * form's selected user as slack_payload.c reads it.
 *
 * FIXIT_GOLDEN_UPDATE=1 rewrites the golden files from the builders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "slack_owner.h"
#include "slack_payload.h"
#include "testhelp.h"
#include "banned.h"

static const struct slack_finding_view view = {
	.id = 7,
	.title = "S3 bucket <acme> & public",
	.resource_id = "acme-logs",
	.resource_arn = "arn:aws:s3:::acme-logs",
	.region = "us-east-1",
	.account_id = "444455556666",
	.account_name = "payments-prod",
	.playbook = "s3-public-read",
	.description = "Block public access on the bucket",
	.production = 1,
	.deadline = 1767312000,
	.exc_mask = SLACK_EXC_1M | SLACK_EXC_1Y,
	.owner_slack_id = "U0OWNER1",
};

/* compare j (stolen) with the golden file name */
static void
golden(const char *name, json_t *j)
{
	char path[1024], rel[256];
	json_t *g;
	char *got;

	snprintf(rel, sizeof(rel), "slack/golden/%s", name);
	th_data_path(path, sizeof(path), rel);
	CHECK(j != NULL);
	if (j != NULL && getenv("FIXIT_GOLDEN_UPDATE") != NULL)
		CHECK(json_dump_file(j, path, JSON_INDENT(2)) == 0);
	g = json_load_file(path, 0, NULL);
	CHECK(g != NULL && json_equal(g, j));
	if (g != NULL && j != NULL && !json_equal(g, j)) {
		got = json_dumps(j, JSON_INDENT(2));
		printf("  %s differs; got:\n%s\n", name, got);
		free(got);
	}
	json_decref(g);
	json_decref(j);
}

static void
test_blocks(void)
{
	struct slack_finding_view none = view;
	json_t *els, *m;
	char *s;

	TEST("buttons only while the owner can act") {
		els = json_array();
		CHECK_INT(slack_owner_buttons(&view, els), FX_OK);
		CHECK_INT(json_array_size(els), 2);
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(els, 0),
				  "action_id")),
		    SLACK_OWNER_NOT_MINE);
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(els, 1), "value")),
		    "7");
		none.exc_pending = 1;
		CHECK_INT(slack_owner_buttons(&none, els), FX_OK);
		CHECK_INT(json_array_size(els), 2);
		json_decref(els);
	}
	TEST("golden modals and the false-positive request") {
		golden("modal_reassign.json",
		    slack_owner_modal(&view, "reassign"));
		golden("modal_false_positive.json",
		    slack_owner_modal(&view, "false_positive"));
		golden("approval_false_positive.json",
		    slack_owner_fp_request(
			slack_blocks_approval(&view, 3, "U0OWNER1",
			    "false positive: a test <bucket>", 1),
			&view, "U0OWNER1", "a test <bucket>"));
		CHECK(slack_owner_modal(&view, "1y") == NULL);
		CHECK(slack_owner_modal_kind("reassign"));
		CHECK(!slack_owner_modal_kind("1m"));
		CHECK(!slack_owner_modal_kind(NULL));
		CHECK(slack_owner_fp_request(NULL, &view, "U1", "r") == NULL);
	}
	TEST("no raw markup from the user's strings") {
		m = slack_owner_modal(&view, "false_positive");
		s = json_dumps(m, 0);
		CHECK(s != NULL && strstr(s, "<acme>") == NULL &&
		      strstr(s, "&lt;acme&gt; &amp;") != NULL);
		free(s);
		json_decref(m);
	}
}

/* a view_submission of the reassign form picking user (NULL: none) */
static fx_err
parse_pick(const char *user, struct slack_interaction *si)
{
	json_t *p;
	char *s;
	fx_err rc;

	p = json_pack("{s:s,s:{s:s},s:{s:s,s:s,s:{s:{s:{s:{s:s,s:s?}}}}}}",
	    "type", "view_submission", "user", "id", "U0OWNER1", "view",
	    "callback_id", "fixit_reassign", "private_metadata", "{\"f\":7}",
	    "state", "values", "owner", "owner", "type", "users_select",
	    "selected_user", user);
	s = json_dumps(p, JSON_COMPACT);
	rc = slack_interaction_parse(s, strlen(s), si, NULL);
	free(s);
	json_decref(p);
	return rc;
}

static void
test_payload(void)
{
	struct slack_interaction si;
	char big[64];

	TEST("the reassign form's selected user") {
		CHECK_INT(parse_pick("U0OWNER2", &si), FX_OK);
		CHECK_STR(si.selected_user, "U0OWNER2");
		CHECK_STR(si.callback_id, "fixit_reassign");
		slack_interaction_release(&si);
		CHECK_INT(parse_pick(NULL, &si), FX_OK);
		CHECK(si.selected_user == NULL);
		slack_interaction_release(&si);
		CHECK_INT(parse_pick("<@U1>", &si), FX_EINVAL);
		CHECK_INT(parse_pick("", &si), FX_EINVAL);
		memset(big, 'U', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(parse_pick(big, &si), FX_ETOOBIG);
	}
}

int
main(void)
{
	test_blocks();
	test_payload();
	return TEST_REPORT();
}
