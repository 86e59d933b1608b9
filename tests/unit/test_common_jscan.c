/*
 * test_common_jscan.c - the validating JSON reader: what it keeps, what it
 * refuses, and agreement with jansson on valid/invalid over the Slack
 * payload files and many thousands of mutations of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jscan.h"
#include "testhelp.h"
#include "banned.h"

enum { K_A = 1, K_B, K_OBJ, K_OBJ_X, K_ARR, K_ARR0, K_ARR0_Y, K_N };

static const struct jscan_field obj_f[] = { { .key = "x", .slot = K_OBJ_X },
	{ .key = NULL } };
static const struct jscan_field el_f[] = { { .key = "y", .slot = K_ARR0_Y },
	{ .key = NULL } };
static const struct jscan_field root_f[] = { { .key = "a", .slot = K_A },
	{ .key = "b", .slot = K_B },
	{ .key = "obj", .slot = K_OBJ, .members = obj_f },
	{ .key = "arr",
	    .slot = K_ARR,
	    .first_slot = K_ARR0,
	    .first_members = el_f },
	{ .key = NULL } };

static struct jscan_value v[K_N - 1];

/* parse s with root_f; the result code */
static fx_err
scan(struct jscan *js, const char *s, enum jscan_type *root)
{
	return jscan_parse(js, s, strlen(s), root_f, v, K_N - 1, root);
}

/* 1 when s is valid for jscan (no members read) */
static int
valid(const char *s, size_t len)
{
	struct jscan js;
	struct jscan_value none[1];
	enum jscan_type root;
	fx_err rc = jscan_parse(&js, s, len, NULL, none, 0, &root);

	jscan_release(&js);
	return rc == FX_OK;
}

/* 1 when jansson takes s (any top-level value, duplicates allowed) */
static int
jansson_valid(const char *s, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(s, len, JSON_DECODE_ANY, &e);

	json_decref(j);
	return j != NULL;
}

static void
test_keeps(void)
{
	struct jscan js;
	enum jscan_type root;

	TEST("kept members, decoded") {
		CHECK_INT(
		    scan(&js,
			" {\"a\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\""
			"\\n\", \"zz\": {\"a\": 1}, \"b\": -12.5e+3, \"obj\": {\"x\":"
			" \"\\/\", \"a\": [1, 2]}, \"arr\": [{\"y\": null, \"z\": "
			"[{}]}, {\"y\": 2}, 3]} ",
			&root),
		    FX_OK);
		CHECK_INT(root, JS_OBJECT);
		CHECK_INT(v[K_A - 1].type, JS_STRING);
		CHECK_STR(v[K_A - 1].str,
		    "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n");
		CHECK_INT(v[K_A - 1].len, 15);
		CHECK_INT(v[K_B - 1].type, JS_NUMBER);
		CHECK_INT(v[K_OBJ - 1].type, JS_OBJECT);
		CHECK_STR(v[K_OBJ_X - 1].str, "/");
		CHECK_INT(v[K_ARR - 1].type, JS_ARRAY);
		CHECK_INT(v[K_ARR - 1].len, 3);
		CHECK_INT(v[K_ARR0 - 1].type, JS_OBJECT);
		CHECK_INT(v[K_ARR0_Y - 1].type, JS_NULL); /* not element 1's */
		jscan_release(&js);
		jscan_release(NULL);
	}

	TEST("absent, wrong types, escaped keys, members of non-objects") {
		CHECK_INT(scan(&js,
			      "{\"\\u0061\": true, \"obj\": [\"x\"], "
			      "\"arr\": {\"y\": 1}}",
			      &root),
		    FX_OK);
		CHECK_INT(v[K_A - 1].type, JS_BOOL); /* "\u0061" is "a" */
		CHECK_INT(v[K_B - 1].type, JS_ABSENT);
		CHECK_INT(v[K_OBJ - 1].type, JS_ARRAY);
		CHECK_INT(v[K_OBJ_X - 1].type, JS_ABSENT);
		CHECK_INT(v[K_ARR - 1].type, JS_OBJECT);
		CHECK_INT(v[K_ARR0_Y - 1].type, JS_ABSENT);
		jscan_release(&js);
		CHECK_INT(scan(&js, "[{\"a\": 1}]", &root), FX_OK);
		CHECK_INT(root, JS_ARRAY);
		CHECK_INT(v[K_A - 1].type, JS_ABSENT); /* root list: objects */
		jscan_release(&js);
		CHECK_INT(scan(&js, "\"s\"", &root), FX_OK);
		CHECK_INT(root, JS_STRING);
		jscan_release(&js);
		CHECK_INT(scan(&js, "{\"arr\": []}", &root), FX_OK);
		CHECK_INT(v[K_ARR - 1].len, 0);
		CHECK_INT(v[K_ARR0 - 1].type, JS_ABSENT);
		jscan_release(&js);
	}

	TEST("a key longer than any member name never matches") {
		char s[300];

		snprintf(s, sizeof(s), "{\"%0200d\": 1, \"a\": \"ok\"}", 0);
		CHECK_INT(scan(&js, s, &root), FX_OK);
		CHECK_STR(v[K_A - 1].str, "ok");
		jscan_release(&js);
	}
}

/* refused, with why */
static void
refuse(const char *s, const char *why, int line, int col)
{
	struct jscan js;
	enum jscan_type root;
	const char *what = NULL;
	int l = 0, c = 0;

	CHECK_INT(scan(&js, s, &root), FX_EINVAL);
	jscan_where(&js, &l, &c, &what);
	CHECK_STR(what, why);
	CHECK_INT(l, line);
	CHECK_INT(c, col);
	jscan_release(&js);
}

static void
test_refuses(void)
{
	TEST("refused with line, column and reason") {
		refuse("", "unexpected end of text", 1, 1);
		refuse("  \n ", "unexpected end of text", 2, 2);
		refuse("{\"a\": 1,}", "expected a key", 1, 9);
		refuse("{\"a\" 1}", "expected ':'", 1, 6);
		refuse("{\"a\": 1 \"b\": 2}", "expected ',' or '}'", 1, 9);
		refuse("[1 2]", "expected ',' or ']'", 1, 4);
		refuse("{}\n x", "text after the value", 2, 2);
		refuse("{\"a\": \"x", "unterminated string", 1, 7);
		refuse("{\"a\": \"x\\", "unterminated string", 1, 9);
		refuse("{\"a\": \"\t\"}", "control character in string", 1, 8);
		refuse("{\"a\": \"\\x\"}", "bad escape", 1, 8);
		refuse("{\"a\": \"\\u12G4\"}", "bad \\u escape", 1, 8);
		refuse("{\"a\": \"\\u123\"}", "bad \\u escape", 1, 8);
		refuse("{\"a\": \"\\u0000\"}", "\\u0000 is not allowed", 1, 8);
		refuse("{\"a\": \"\\udc00\"}", "lone low surrogate", 1, 8);
		refuse("{\"a\": \"\\ud800\"}", "lone high surrogate", 1, 8);
		refuse("{\"a\": \"\\ud800\\u0041\"}", "lone high surrogate", 1,
		    8);
		refuse("{\"a\": \"\xc0\xaf\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\xe0\x80\xaf\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\xed\xa0\x80\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\xf4\x90\x80\x80\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\xf5\x80\x80\x80\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\xc3\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": \"\x80\"}", "invalid UTF-8", 1, 8);
		refuse("{\"a\": 01}", "expected ',' or '}'", 1, 8);
		refuse("{\"a\": -}", "bad number", 1, 7);
		refuse("{\"a\": 1.}", "bad number", 1, 7);
		refuse("{\"a\": 1e}", "bad number", 1, 7);
		refuse("{\"a\": +1}", "unexpected character", 1, 7);
		refuse("{\"a\": tru}", "unexpected character", 1, 7);
		refuse("{\"a\": nul}", "unexpected character", 1, 7);
		refuse("{\"a\": 'x'}", "unexpected character", 1, 7);
		refuse("{\"a\": 1, \"a\": 2}", "duplicate key", 1, 10);
		refuse("{\"obj\": {\"x\": 1, \"\\u0078\": 2}}", "duplicate key",
		    1, 18);
	}

	TEST("repeated keys: refused only where members are read") {
		struct jscan js;
		enum jscan_type root;

		CHECK_INT(scan(&js,
			      "{\"c\": 1, \"c\": 2, \"zz\": {\"a\": 1, "
			      "\"a\": 2}, \"obj\": {\"q\": 1, \"q\": 2}}",
			      &root),
		    FX_OK);
		jscan_release(&js);
	}

	TEST("nesting up to JSCAN_MAX_DEPTH") {
		char s[2 * (JSCAN_MAX_DEPTH + 2) + 1];
		int d;

		for (d = JSCAN_MAX_DEPTH; d <= JSCAN_MAX_DEPTH + 1; d++) {
			memset(s, '[', (size_t)d + 1);
			memset(s + d + 1, ']', (size_t)d + 1);
			s[2 * d + 2] = '\0';
			CHECK_INT(valid(s, strlen(s)), d == JSCAN_MAX_DEPTH);
		}
	}

	TEST("valid odd corners") {
		const char *ok[] = { "0", "-0", "-0.0e-0", "1E+2", "[]", "{}",
			" [ ] ", "\"\"", "\"\\ud83d\\ude00\"",
			"\"\xf4\x8f\xbf\xbf\"", "\"\xef\xbf\xbf\"",
			"[true,false,null]", "{\"\":\"\"}" };
		size_t i;

		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			CHECK(valid(ok[i], strlen(ok[i])));
			CHECK(jansson_valid(ok[i], strlen(ok[i])));
		}
		/* a NUL byte is no JSON, even inside a string */
		CHECK(!valid("\"a\0b\"", 5));
		CHECK(!valid("{}\0", 3));
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* bytes that matter to JSON, and some that must not appear raw */
static const char alphabet[] = "{}[]\",:\\/0123456789-+.eEtrufalsn "
			       "\t\n\x01\x7f\x80\xbf\xc3\xe0\xed\xf0\xf4\xff";

/* one random edit of s[0..*len) (room for 8 more bytes) */
static void
mutate(char *s, size_t *len)
{
	size_t at = *len ? next() % *len : 0, n;
	char c = alphabet[next() % (sizeof(alphabet) - 1)];

	switch (next() % 4) {
	case 0: /* replace */
		if (*len)
			s[at] = c;
		break;
	case 1: /* insert */
		memmove(s + at + 1, s + at, *len - at);
		s[at] = c;
		++*len;
		break;
	case 2: /* delete a run */
		n = 1 + next() % 4;
		if (at + n > *len)
			n = *len - at;
		memmove(s + at, s + at + n, *len - at - n);
		*len -= n;
		break;
	default: /* truncate */
		*len = at;
		break;
	}
}

static void
test_agrees_with_jansson(void)
{
	const char *files[] = { "slack/block_actions_approve.json",
		"slack/block_actions_ephemeral_reject.json",
		"slack/view_submission_reject_reason.json",
		"slack/events_api.json" };
	size_t i, len, mlen, k;
	int disagree, valids;
	char *s, *m;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		TEST(files[i]) {
			s = th_read_data(files[i], &len);
			CHECK(s != NULL);
			if (s == NULL)
				continue;
			CHECK(valid(s, len));
			m = malloc(len + 64);
			disagree = valids = 0;
			for (k = 0; m != NULL && k < 20000; k++) {
				memcpy(m, s, len);
				mlen = len;
				mutate(m, &mlen);
				if (k % 3 == 0)
					mutate(m, &mlen);
				if (valid(m, mlen) != jansson_valid(m, mlen)) {
					if (disagree++ < 3)
						printf("  disagree on: %.*s\n",
						    (int)mlen, m);
				}
				valids += valid(m, mlen);
			}
			CHECK_INT(disagree, 0);
			/* the mutations hit both sides of the line */
			CHECK(valids > 100 && valids < 19900);
			free(m);
			free(s);
		}
	}
}

int
main(void)
{
	test_keeps();
	test_refuses();
	test_agrees_with_jansson();
	return TEST_REPORT();
}
