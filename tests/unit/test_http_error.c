/*
 * test_http_error.c - http_reply_error: whatever it is given, the status
 * meant and {"error": text} with text valid UTF-8, at most 512 bytes, cut
 * at a character (issue 13: a message cut inside one failed to serialise
 * and the client got a 500 instead of the 400).
 */
#include <string.h>

#include <jansson.h>

#include "fxutil.h"
#include "http.h"
#include "testhelp.h"
#include "banned.h"

/* the error text of rp's body, checked to be JSON {"error": string} */
static char *
error_of(struct http_reply *rp, unsigned status)
{
	static char text[1024];
	json_error_t jerr;
	json_t *j;
	const char *s;

	CHECK_INT(rp->status, status);
	CHECK(fx_utf8_valid(buf_str(&rp->body), rp->body.len));
	j = json_loads(buf_str(&rp->body), 0, &jerr);
	s = json_string_value(json_object_get(j, "error"));
	CHECK(s != NULL);
	snprintf(text, sizeof(text), "%s", s ? s : "");
	json_decref(j);
	return text;
}

static void
reply(struct http_reply *rp)
{
	memset(rp, 0, sizeof(*rp));
	buf_init(&rp->body, 0);
	rp->status = 500;
}

int
main(void)
{
	struct http_reply rp;
	char big[2048];
	const char *e;
	size_t i, k;

	TEST("a short message is the text") {
		reply(&rp);
		http_reply_error(&rp, 400, "findings[%d].%s: unknown field", 1,
		    "colour");
		CHECK_STR(error_of(&rp, 400),
		    "findings[1].colour: unknown field");
		buf_release(&rp.body);
	}
	TEST("long two-, three- and four-byte text at every offset") {
		static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac",
			"\xf0\x9f\x98\x80" };

		for (k = 0; k < 3; k++) {
			for (i = 0; i < 4; i++) {
				memset(big, 'x', i);
				big[i] = '\0';
				while (strlen(big) + 4 < sizeof(big) - 1)
					memcpy(big + strlen(big), chars[k],
					    strlen(chars[k]) + 1);
				reply(&rp);
				http_reply_error(&rp, 400, "%s", big);
				e = error_of(&rp, 400);
				CHECK(strlen(e) <= 512 && strlen(e) > 400);
				CHECK(strcmp(e + strlen(e) - 3, "...") == 0);
				buf_release(&rp.body);
			}
		}
	}
	TEST("bytes that are not UTF-8 become ?") {
		reply(&rp);
		http_reply_error(&rp, 400, "bad: %s", "a\xff\xc3z");
		CHECK_STR(error_of(&rp, 400), "bad: a??z");
		buf_release(&rp.body);
	}
	return TEST_REPORT();
}
