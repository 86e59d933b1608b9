/*
 * test_playbook_tagstd.c - tagging-standard's standard: the params check
 * (each mistake named by its key), how "*" and a type's rules add up
 * (required keys joined, a type's allowed list replacing "*"'s), an
 * allowed key that is absent being no deviation, the one-line summary,
 * and the resource type a finding's id names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_tag_read.h"
#include "pb_tag_std.h"
#include "testhelp.h"

static json_t *
js(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	if (j == NULL) {
		fprintf(stderr, "bad fixture: %s\n", text);
		abort();
	}
	return j;
}

/* a equals the JSON text */
static int
eq(const json_t *a, const char *text)
{
	json_t *b = js(text);
	int r = json_equal(a, b);

	json_decref(b);
	return r;
}

/* pb_tag_std_check's verdict on params; why copied to out */
static fx_err
check_params(const char *text, char *out, size_t len)
{
	struct buf why = BUF_INIT;
	json_t *p = js(text);
	fx_err rc;

	buf_init(&why, 512);
	rc = pb_tag_std_check(p, &why);
	snprintf(out, len, "%s", buf_str(&why));
	buf_release(&why);
	json_decref(p);
	return rc;
}

static void
test_check(void)
{
	char why[512];

	TEST("a good standard") {
		CHECK_INT(
		    check_params("{\"standard\": {\"*\": {\"required\": "
				 "[\"owner\"]}, \"ec2:instance\": "
				 "{\"allowed\": {\"env\": [\"prod\"]}}}, "
				 "\"public_first\": false, \"allow_tag\": "
				 "\"keep\"}",
			why, sizeof(why)),
		    FX_OK);
	}
	TEST("each mistake names its key") {
		static const char *const bad[][2] = {
			{ "{}", "standard: required" },
			{ "{\"standard\": {}}",
			    "standard: expected a mapping" },
			{ "{\"standard\": {\"ec2\": {\"required\": [\"a\"]}}}",
			    "standard.ec2: unknown resource type" },
			{ "{\"standard\": {\"*\": {}}}",
			    "standard.*: names no required key" },
			{ "{\"standard\": {\"*\": {\"required\": []}}}",
			    "standard.*.required: expected a list" },
			{ "{\"standard\": {\"*\": {\"required\": [\"a\", "
			  "\"a\"]}}}",
			    "standard.*.required: expected a list" },
			{ "{\"standard\": {\"*\": {\"allowed\": {\"env\": "
			  "\"prod\"}}}}",
			    "standard.*.allowed.env: expected a list" },
			{ "{\"standard\": {\"*\": {\"require\": [\"a\"]}}}",
			    "standard.*.require: unknown key" },
			{ "{\"standard\": {\"*\": {\"required\": [\"a\"]}}, "
			  "\"public_first\": \"yes\"}",
			    "public_first: expected true or false" },
			{ "{\"standard\": {\"*\": {\"required\": [\"a\"]}}, "
			  "\"other\": 1}",
			    "other: unknown parameter" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK_INT(check_params(bad[i][0], why, sizeof(why)),
			    FX_ECONFIG);
			CHECK(strncmp(why, bad[i][1], strlen(bad[i][1])) == 0);
			if (strncmp(why, bad[i][1], strlen(bad[i][1])) != 0)
				fprintf(stderr, "  %s -> %s\n", bad[i][0], why);
		}
	}
}

static void
test_deviations(void)
{
	json_t *p = js("{\"standard\": {"
		       "\"*\": {\"required\": [\"owner\", \"cost-center\"], "
		       "\"allowed\": {\"env\": [\"prod\"], \"tier\": [\"a\"]}},"
		       "\"ec2:instance\": {\"required\": [\"env\", \"owner\"], "
		       "\"allowed\": {\"env\": [\"prod\", \"dev\"]}}}}");
	json_t *dev = NULL, *tags;
	struct buf line = BUF_INIT;
	size_t n;

	buf_init(&line, 256);
	TEST("required keys add up, each once") {
		tags = js("{\"env\": \"dev\", \"Owner\": \"x\"}");
		CHECK_INT(pb_tag_std_deviations(p, PB_TAG_STD_INSTANCE, tags,
			      &dev, &n),
		    FX_OK);
		CHECK_INT(n, 2);
		CHECK(eq(json_object_get(dev, "missing"),
		    "[\"owner\", \"cost-center\"]"));
		/* dev allowed for instances: the type's list replaces "*"'s */
		CHECK_INT(json_array_size(json_object_get(dev, "not_allowed")),
		    0);
		CHECK_INT(pb_tag_std_say(dev, &line), FX_OK);
		CHECK_STR(buf_str(&line), "missing owner, cost-center");
		json_decref(dev);
		json_decref(tags);
	}
	TEST("values not allowed; an allowed key absent is no deviation") {
		tags = js("{\"owner\": \"o\", \"cost-center\": \"c\", "
			  "\"env\": \"dev\"}");
		buf_reset(&line);
		CHECK_INT(pb_tag_std_deviations(p, PB_TAG_STD_BUCKET, tags,
			      &dev, &n),
		    FX_OK);
		CHECK_INT(n, 1);
		CHECK(eq(json_object_get(dev, "not_allowed"),
		    "[{\"key\": \"env\", \"value\": \"dev\", "
		    "\"allowed\": [\"prod\"]}]"));
		CHECK_INT(pb_tag_std_say(dev, &line), FX_OK);
		CHECK_STR(buf_str(&line), "env=dev not allowed");
		json_decref(dev);
		json_decref(tags);
	}
	TEST("no tags at all, and compliance") {
		CHECK_INT(pb_tag_std_deviations(p, PB_TAG_STD_LB, NULL, &dev,
			      &n),
		    FX_OK);
		CHECK_INT(n, 2);
		json_decref(dev);
		tags = js("{\"owner\": \"o\", \"cost-center\": \"c\", "
			  "\"env\": \"prod\"}");
		CHECK_INT(pb_tag_std_deviations(p, PB_TAG_STD_INSTANCE, tags,
			      &dev, &n),
		    FX_OK);
		CHECK_INT(n, 0);
		json_decref(dev);
		json_decref(tags);
	}
	TEST("which types the standard covers") {
		json_t *q = js("{\"standard\": {\"s3:bucket\": {\"required\": "
			       "[\"a\"]}}}");

		CHECK(pb_tag_std_covers(q, PB_TAG_STD_BUCKET));
		CHECK(!pb_tag_std_covers(q, PB_TAG_STD_INSTANCE));
		CHECK(pb_tag_std_covers(p, PB_TAG_STD_LB));
		json_decref(q);
	}
	TEST("the type a finding's id names") {
		CHECK_STR(pb_tag_read_type_of("i-0abc"), PB_TAG_STD_INSTANCE);
		CHECK_STR(pb_tag_read_type_of(
			      "arn:aws:elasticloadbalancing:"
			      "eu-west-1:1:loadbalancer/app/a/b"),
		    PB_TAG_STD_LB);
		CHECK_STR(pb_tag_read_type_of("my-bucket"), PB_TAG_STD_BUCKET);
		CHECK(pb_tag_read_type_of("arn:aws:s3:::b") == NULL);
		CHECK(pb_tag_read_type_of("") == NULL);
	}
	buf_release(&line);
	json_decref(p);
}

int
main(void)
{
	test_check();
	test_deviations();
	return TEST_REPORT();
}
