/*
 * test_slack_form.c - form decoding with Slack's slash command body and
 * malformed bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "slack_form.h"
#include "testhelp.h"
#include "banned.h"

static struct buf b; /* the output of every lookup */

static fx_err
get(const char *body, const char *key, struct buf *out)
{
	return slack_form_get(body, strlen(body), key, out);
}

static void
test_documented(const json_t *v)
{
	const char *raw, *key;
	json_t *fields, *val;
	size_t n;

	raw = json_string_value(json_object_get(v, "raw_body"));
	fields = json_object_get(v, "fields");

	TEST("every documented field of the slash command body") {
		CHECK(raw != NULL && json_object_size(fields) == 11);
		n = 0;
		json_object_foreach(fields, key, val) {
			CHECK_INT(get(raw, key, &b), FX_OK);
			CHECK_STR(buf_str(&b), json_string_value(val));
			n++;
		}
		CHECK_INT(n, 11);
		CHECK_INT(get(raw, "command", &b), FX_OK);
		CHECK_STR(buf_str(&b), "/webhook-collect");
		CHECK_INT(get(raw, "text", &b), FX_OK);
		CHECK_INT(b.len, 0);
		CHECK_INT(get(raw, "payload", &b), FX_ENOTFOUND);
		CHECK_INT(b.len, 0);
		CHECK_INT(get(raw, "user", &b), FX_ENOTFOUND);
		CHECK_INT(get(raw, "", &b), FX_ENOTFOUND);
	}
}

static void
test_decoding(void)
{
	TEST("decoding") {
		CHECK_INT(get("text=show+42%20now%2b1&x=1", "text", &b), FX_OK);
		CHECK_STR(buf_str(&b), "show 42 now+1");
		CHECK_INT(get("a%3Db=c%26d", "a=b", &b), FX_OK);
		CHECK_STR(buf_str(&b), "c&d");
		CHECK_INT(get("k=%C3%A9t%c3%a9", "k", &b), FX_OK);
		CHECK_STR(buf_str(&b), "\xc3\xa9t\xc3\xa9");
		CHECK_INT(get("&&a=1&&b=2&", "b", &b), FX_OK);
		CHECK_STR(buf_str(&b), "2");
		CHECK_INT(get("flag&a=1", "flag", &b), FX_OK);
		CHECK_STR(buf_str(&b), "");
		CHECK_INT(get("a==1", "a", &b), FX_OK);
		CHECK_STR(buf_str(&b), "=1");
		CHECK_INT(get("", "a", &b), FX_ENOTFOUND);
		CHECK_INT(slack_form_get(NULL, 0, "a", &b), FX_ENOTFOUND);
		/* len bounds the body: "a=12" read as "a=1" */
		CHECK_INT(slack_form_get("a=12", 3, "a", &b), FX_OK);
		CHECK_STR(buf_str(&b), "1");
		/* a value longer than the chunk size */
		{
			struct buf big = BUF_INIT, val2 = BUF_INIT;
			int i, ok = 1;

			buf_init(&big, 0);
			buf_init(&val2, 0);
			ok &= buf_adds(&big, "p=") == FX_OK;
			for (i = 0; i < 1000; i++)
				ok &= buf_adds(&big, "%41+") == FX_OK;
			CHECK(ok);
			CHECK_INT(get(buf_str(&big), "p", &val2), FX_OK);
			CHECK_INT(val2.len, 2000);
			CHECK(strncmp(buf_str(&val2), "A A A ", 6) == 0);
			buf_release(&big);
			buf_release(&val2);
		}
	}
}

static void
test_malformed(void)
{
	TEST("malformed bodies") {
		CHECK_INT(get("a=%4", "a", &b), FX_EINVAL);
		CHECK_INT(get("a=%", "a", &b), FX_EINVAL);
		CHECK_INT(get("a=%zz", "a", &b), FX_EINVAL);
		CHECK_INT(get("a=%00", "a", &b), FX_EINVAL);
		CHECK_INT(get("a=1&b=%0", "a", &b), FX_EINVAL);
		CHECK_INT(b.len, 0);
		CHECK_INT(get("%g1=1&a=1", "a", &b), FX_EINVAL);
		CHECK_INT(slack_form_get("a=1\0b", 5, "a", &b), FX_EINVAL);
		CHECK_INT(slack_form_get("a\0=1", 4, "a", &b), FX_EINVAL);
		CHECK_INT(get("a=1&b=2&a=3", "a", &b), FX_EINVAL);
		CHECK_INT(b.len, 0);
		CHECK_INT(get("a=1&%61=3", "a", &b), FX_EINVAL);
		CHECK_INT(get("a&a", "a", &b), FX_EINVAL);
		CHECK_INT(get("a=1&a=1", "b", &b), FX_ENOTFOUND);
		CHECK_INT(get("a=1", NULL, &b), FX_EINVAL);
		CHECK_INT(slack_form_get(NULL, 3, "a", &b), FX_EINVAL);
	}
}

static void
test_cap(void)
{
	TEST("the output cap") {
		struct buf small = BUF_INIT;

		buf_init(&small, 4);
		CHECK_INT(get("a=1234", "a", &small), FX_OK);
		CHECK_STR(buf_str(&small), "1234");
		CHECK_INT(get("a=12345", "a", &small), FX_ETOOBIG);
		CHECK_INT(small.len, 0);
		buf_release(&small);
	}
}

int
main(void)
{
	char path[1024];
	json_error_t jerr;
	json_t *v;

	th_data_path(path, sizeof(path), "slack/slash_command.json");
	if ((v = json_load_file(path, 0, &jerr)) == NULL) {
		printf("cannot load %s: %s\n", path, jerr.text);
		return 1;
	}
	buf_init(&b, 0);
	test_documented(v);
	test_decoding();
	test_malformed();
	test_cap();
	buf_release(&b);
	json_decref(v);
	return TEST_REPORT();
}
