/*
 * jscan.h - a validating JSON reader that keeps only the members its
 * caller names.
 *
 * For small payloads on a hot path (every Slack click) where building a
 * jansson tree costs more than the rest of the request: one pass, one
 * allocation, nothing built for the members nobody reads.
 *
 * The whole text is checked as RFC 8259 JSON, as strictly as jansson
 * checks it: UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF), escapes, surrogate pairs, no \u0000, no raw control
 * characters in strings, the number grammar, nesting up to
 * JSCAN_MAX_DEPTH, nothing but white space after the value. Two
 * differences: numbers are checked for their grammar, not their
 * magnitude; and a repeated key is an error only in an object whose
 * members the caller reads (a key the caller reads, repeated), since
 * only there could it change what the caller sees.
 *
 * The caller describes what to keep as a tree of member lists: the root
 * list applies to the top-level value when it is an object; a member's
 * own list applies when that member's value is an object, and its
 * first-element list to element 0 when its value is an array. A kept
 * value is recorded in the caller's slot array by type; strings decoded
 * (NUL-terminated, in memory owned by the struct jscan).
 *
 * Thread model: none; a struct jscan belongs to one thread.
 */
#ifndef FIXIT_JSCAN_H
#define FIXIT_JSCAN_H

#include <stddef.h>

#include "fxerr.h"

#define JSCAN_MAX_DEPTH	  64 /* nested arrays and objects */
#define JSCAN_MAX_MEMBERS 64 /* entries of one member list */

enum jscan_type {
	JS_ABSENT = 0, /* not in the text */
	JS_NULL,
	JS_BOOL,
	JS_NUMBER,
	JS_STRING,
	JS_ARRAY,
	JS_OBJECT
};

struct jscan_field {
	const char *key; /* member name; NULL ends a list */
	int slot;	 /* 1-based slot for the value; 0: not kept */
	/* the value is an object: the members to read in it */
	const struct jscan_field *members;
	/* the value is an array: element 0 into this slot (0: not kept),
	 * and the members to read in it when it is an object */
	int first_slot;
	const struct jscan_field *first_members;
};

struct jscan_value {
	enum jscan_type type;
	const char *str; /* JS_STRING: decoded, NUL-terminated */
	size_t len;	 /* JS_STRING: bytes; JS_ARRAY: elements */
};

struct jscan {
	/* private */
	const char *text, *end, *p;
	char *arena; /* decoded strings */
	size_t used, cap;
	struct jscan_value *slots;
	size_t nslots;
	const char *err_at, *err_what;
};

/*
 * Read text[0..len). slots[0..nslots) are zeroed and filled (slot k of a
 * field is slots[k - 1]; slots beyond nslots are not kept); *root gets the
 * type of the top-level value. FX_OK; FX_EINVAL when the text is not
 * JSON (jscan_where tells where and why); FX_ENOMEM. Strings stay valid
 * until jscan_release, which the caller calls after any result.
 */
fx_err jscan_parse(struct jscan *js, const char *text, size_t len,
    const struct jscan_field *root_members, struct jscan_value *slots,
    size_t nslots, enum jscan_type *root) FX_WUR;
/* after FX_EINVAL: 1-based line and column (in bytes), and a reason */
void jscan_where(const struct jscan *js, int *line, int *col,
    const char **what);
void jscan_release(struct jscan *js); /* accepts NULL */

#endif
