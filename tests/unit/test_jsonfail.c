/*
 * test_jsonfail.c - a body jansson refused: bad JSON (the sender's fault,
 * a 4xx) or jansson out of memory on good JSON (fixitd's, a 5xx).
 */
#include <string.h>

#include <jansson.h>

#include "jsonfail.h"
#include "testhelp.h"
#include "banned.h"

/* what json_failed_for_memory says after jansson's own parse of text */
static int
after_load(const char *text)
{
	json_error_t je;
	json_t *doc =
	    json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &je);

	if (doc != NULL) {
		json_decref(doc);
		return -1; /* not refused */
	}
	return json_failed_for_memory(text, strlen(text), &je);
}

/* jansson's error as out of memory leaves it, with code `code` */
static int
with_code(const char *text, enum json_error_code code)
{
	json_error_t je;

	memset(&je, 0, sizeof(je));
	je.text[JSON_ERROR_TEXT_LENGTH - 1] = (char)code;
	return json_failed_for_memory(text, strlen(text), &je);
}

int
main(void)
{
	TEST("bad bodies are the sender's fault") {
		CHECK_INT(after_load("null"), 0);
		CHECK_INT(after_load("1"), 0);
		CHECK_INT(after_load("\"s\""), 0);
		CHECK_INT(after_load("{"), 0);
		CHECK_INT(after_load("[1,]"), 0);
		CHECK_INT(after_load("{\"a\":1,\"a\":2}"), 0);
		CHECK_INT(after_load("[1e999999]"), 0);
		CHECK_INT(after_load("[\"\\u0000\"]"), 0);
		CHECK_INT(after_load("[\"\xc3\"]"), 0);
		CHECK_INT(after_load("{} x"), 0);
		CHECK_INT(after_load(""), 0);
	}
	TEST("good JSON jansson refused: out of memory") {
		CHECK_INT(with_code("{\"a\":[1,2]}", json_error_out_of_memory),
		    1);
		/* jansson said something else (a string it could not grow) */
		CHECK_INT(with_code("{\"a\":\"b\"}", json_error_invalid_syntax),
		    1);
		CHECK_INT(with_code("[]", json_error_premature_end_of_input),
		    1);
		/* its own refusals stay refusals */
		CHECK_INT(with_code("{\"a\":1}", json_error_duplicate_key), 0);
		CHECK_INT(with_code("[1]", json_error_numeric_overflow), 0);
		CHECK_INT(with_code("7", json_error_invalid_syntax), 0);
	}
	return TEST_REPORT();
}
