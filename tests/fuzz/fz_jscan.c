/*
 * fz_jscan.c - fuzz target for common/jscan.h: agreement with jansson on
 * valid/invalid, and the kept values as the header describes them.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "jscan.h"

/* a tree like slack_payload.c's: nested objects and a first element */
static const struct jscan_field id_f[] = { { .key = "id", .slot = 2 },
	{ .key = "name", .slot = 3 }, { .key = NULL } };
static const struct jscan_field elem_f[] = { { .key = "action_id", .slot = 5 },
	{ .key = "value", .slot = 6 }, { .key = NULL } };
static const struct jscan_field root_f[] = { { .key = "type", .slot = 1 },
	{ .key = "user", .slot = 7, .members = id_f },
	{ .key = "actions",
	    .slot = 8,
	    .first_slot = 4,
	    .first_members = elem_f },
	{ .key = "", .slot = 9 }, { .key = NULL } };
#define NSLOTS 9

/* the nesting of arrays and objects in j (1 for a scalar inside one) */
static int
depth(const json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	int d, max = 0;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if ((d = depth(v)) > max)
				max = d;
		return max + 1;
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if ((d = depth(v)) > max)
				max = d;
		return max + 1;
	}
	return 0;
}

int
fz_jscan(const uint8_t *data, size_t size)
{
	struct jscan js;
	struct jscan_value slots[NSLOTS], none[1];
	enum jscan_type root;
	json_error_t je;
	json_t *j;
	fx_err plain, rc;
	size_t i;
	int line, col;
	const char *what;

	/* nothing read: valid exactly when jansson takes it, but for
	 * numbers too big for jansson, nesting deeper than jscan's, and a
	 * NUL byte jansson takes after a scalar ("1\0", "true\0") */
	memset(&js, 0, sizeof(js));
	plain =
	    jscan_parse(&js, (const char *)data, size, NULL, none, 0, &root);
	if (plain == FX_EINVAL) {
		jscan_where(&js, &line, &col, &what);
		FZ_ASSERT(line >= 1 && col >= 1 && what != NULL);
	}
	jscan_release(&js);
	if (plain == FX_ENOMEM)
		return 0;
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
	if (plain == FX_OK)
		FZ_ASSERT(j != NULL ||
			  json_error_code(&je) == json_error_numeric_overflow);
	else
		FZ_ASSERT(j == NULL || depth(j) > JSCAN_MAX_DEPTH ||
			  memchr(data, '\0', size) != NULL);
	json_decref(j);

	/* with members read: kept strings are NUL-terminated at len */
	memset(&js, 0, sizeof(js));
	rc = jscan_parse(&js, (const char *)data, size, root_f, slots, NSLOTS,
	    &root);
	if (rc == FX_OK) {
		FZ_ASSERT(plain == FX_OK);
		for (i = 0; i < NSLOTS; i++) {
			FZ_ASSERT(slots[i].type <= JS_OBJECT);
			if (slots[i].type == JS_STRING)
				FZ_ASSERT(strlen(slots[i].str) == slots[i].len);
		}
	} else {
		/* only a repeated key that is read can add a refusal */
		FZ_ASSERT(rc == FX_EINVAL || rc == FX_ENOMEM);
	}
	jscan_release(&js);
	return 0;
}
