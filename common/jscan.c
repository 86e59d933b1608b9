/*
 * jscan.c - a validating JSON reader that keeps only named members (see
 * jscan.h). Recursive descent, depth-capped; every byte is checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fxutil.h"
#include "jscan.h"
#include "banned.h"

#define JSCAN_KEY_MAX 64 /* longer keys cannot match a member name */

static fx_err scan_value(struct jscan *js, const struct jscan_field *f,
    int slot, int depth, enum jscan_type *type);

static fx_err
fail(struct jscan *js, const char *at, const char *what)
{
	js->err_at = at;
	js->err_what = what;
	return FX_EINVAL;
}

static void
skip_ws(struct jscan *js)
{
	while (js->p < js->end && (*js->p == ' ' || *js->p == '\n' ||
				      *js->p == '\r' || *js->p == '\t'))
		js->p++;
}

static struct jscan_value *
slot_of(struct jscan *js, int slot)
{
	if (slot <= 0 || (size_t)slot > js->nslots)
		return NULL;
	return &js->slots[slot - 1];
}

/* four hex digits at s (bounds checked by the caller) */
static long
hex4(const char *s)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if ((d = fx_hexval(s[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* the \uXXXX escape (and its low surrogate) at js->p, past the 'u' */
static fx_err
scan_uescape(struct jscan *js, long *cp)
{
	const char *at = js->p - 2;
	long hi, lo;

	if (js->end - js->p < 4 || (hi = hex4(js->p)) < 0)
		return fail(js, at, "bad \\u escape");
	js->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(js, at, "lone low surrogate");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (js->end - js->p < 6 || js->p[0] != '\\' ||
		    js->p[1] != 'u' || (lo = hex4(js->p + 2)) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return fail(js, at, "lone high surrogate");
		js->p += 6;
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (hi == 0)
		return fail(js, at, "\\u0000 is not allowed");
	*cp = hi;
	return FX_OK;
}

static size_t
utf8_put(char *d, long cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The string at js->p (at its opening quote). With dst, the decoded
 * bytes go there (at most cap - 1 of them, NUL-terminated; *dlen gets
 * the full decoded length, which may exceed cap - 1). A decoded string
 * is never longer than its JSON text.
 */
static fx_err
scan_string(struct jscan *js, char *dst, size_t cap, size_t *dlen)
{
	const char *start = js->p;
	size_t n = 0, k;
	char tmp[4];
	long cp;

	js->p++;
	for (;;) {
		const char *run = js->p;
		unsigned char c;

		/* the plain run up to a quote, backslash, control or 8-bit */
		while (js->p < js->end && (c = (unsigned char)*js->p) >= 0x20 &&
		       c < 0x80 && c != '"' && c != '\\')
			js->p++;
		if (dst != NULL && js->p > run) {
			k = (size_t)(js->p - run);
			if (n < cap)
				memcpy(dst + n, run, n + k < cap ? k : cap - n);
			n += k;
		} else
			n += (size_t)(js->p - run);
		if (js->p >= js->end)
			return fail(js, start, "unterminated string");
		c = (unsigned char)*js->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(js, js->p, "control character in string");
		if (c >= 0x80) {
			if ((k = fx_utf8_len(js->p,
				 (size_t)(js->end - js->p))) == 0)
				return fail(js, js->p, "invalid UTF-8");
			memcpy(tmp, js->p, k);
			js->p += k;
		} else { /* backslash */
			if (js->end - js->p < 2)
				return fail(js, js->p, "unterminated string");
			js->p += 2;
			k = 1;
			switch (js->p[-1]) {
			case '"':
				tmp[0] = '"';
				break;
			case '\\':
				tmp[0] = '\\';
				break;
			case '/':
				tmp[0] = '/';
				break;
			case 'b':
				tmp[0] = '\b';
				break;
			case 'f':
				tmp[0] = '\f';
				break;
			case 'n':
				tmp[0] = '\n';
				break;
			case 'r':
				tmp[0] = '\r';
				break;
			case 't':
				tmp[0] = '\t';
				break;
			case 'u':
				if (scan_uescape(js, &cp) != FX_OK)
					return FX_EINVAL;
				k = utf8_put(tmp, cp);
				break;
			default:
				return fail(js, js->p - 2, "bad escape");
			}
		}
		if (dst != NULL && n < cap)
			memcpy(dst + n, tmp, n + k < cap ? k : cap - n);
		n += k;
	}
	js->p++; /* the closing quote */
	if (dst != NULL)
		dst[n < cap ? n : cap - 1] = '\0';
	if (dlen != NULL)
		*dlen = n;
	return FX_OK;
}

static int
is_digit(const struct jscan *js)
{
	return js->p < js->end && *js->p >= '0' && *js->p <= '9';
}

static fx_err
scan_number(struct jscan *js)
{
	const char *start = js->p;

	if (*js->p == '-')
		js->p++;
	if (!is_digit(js))
		return fail(js, start, "bad number");
	if (*js->p++ != '0')
		while (is_digit(js))
			js->p++;
	if (js->p < js->end && *js->p == '.') {
		js->p++;
		if (!is_digit(js))
			return fail(js, start, "bad number");
		while (is_digit(js))
			js->p++;
	}
	if (js->p < js->end && (*js->p == 'e' || *js->p == 'E')) {
		js->p++;
		if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
			js->p++;
		if (!is_digit(js))
			return fail(js, start, "bad number");
		while (is_digit(js))
			js->p++;
	}
	return FX_OK;
}

static fx_err
scan_literal(struct jscan *js, const char *word, enum jscan_type *t,
    enum jscan_type type)
{
	size_t n = strlen(word);

	if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n) != 0)
		return fail(js, js->p, "unexpected character");
	js->p += n;
	*t = type;
	return FX_OK;
}

/* the member of list named key (klen bytes), its index in *idx */
static const struct jscan_field *
member(const struct jscan_field *list, const char *key, size_t klen,
    size_t *idx)
{
	size_t i;

	for (i = 0; list != NULL && list[i].key != NULL; i++)
		if (strlen(list[i].key) == klen &&
		    memcmp(list[i].key, key, klen) == 0) {
			*idx = i;
			return &list[i];
		}
	return NULL;
}

/*
 * Past the opening bracket (first) or an item: 1 when an item follows
 * (its comma consumed), 0 when close ended the container, -1 on an error
 * (already recorded).
 */
static int
more_items(struct jscan *js, char close, int first)
{
	skip_ws(js);
	if (js->p < js->end && *js->p == close) {
		js->p++;
		return 0;
	}
	if (first)
		return 1;
	if (js->p < js->end && *js->p == ',') {
		js->p++;
		return 1;
	}
	(void)fail(js, js->p,
	    close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	return -1;
}

static fx_err
scan_object(struct jscan *js, const struct jscan_field *list, int depth)
{
	const struct jscan_field *f;
	uint64_t seen = 0;
	char key[JSCAN_KEY_MAX];
	enum jscan_type t;
	const char *kat;
	size_t klen, idx = 0;
	int more, first;

	js->p++; /* '{' */
	for (first = 1; (more = more_items(js, '}', first)) > 0; first = 0) {
		skip_ws(js);
		if (js->p >= js->end || *js->p != '"')
			return fail(js, js->p, "expected a key");
		kat = js->p;
		if (scan_string(js, list ? key : NULL, sizeof(key), &klen) !=
		    FX_OK)
			return FX_EINVAL;
		f = klen < sizeof(key) ? member(list, key, klen, &idx) : NULL;
		if (f != NULL && idx < JSCAN_MAX_MEMBERS) {
			if (seen & ((uint64_t)1 << idx))
				return fail(js, kat, "duplicate key");
			seen |= (uint64_t)1 << idx;
		}
		skip_ws(js);
		if (js->p >= js->end || *js->p != ':')
			return fail(js, js->p, "expected ':'");
		js->p++;
		if (scan_value(js, f, f ? f->slot : 0, depth + 1, &t) != FX_OK)
			return FX_EINVAL;
	}
	return more == 0 ? FX_OK : FX_EINVAL;
}

/* element 0 is read as if it were a member described by first */
static fx_err
scan_array(struct jscan *js, const struct jscan_field *f, size_t *count,
    int depth)
{
	struct jscan_field first;
	enum jscan_type t;
	size_t n = 0;
	int more;

	memset(&first, 0, sizeof(first));
	if (f != NULL)
		first.members = f->first_members;
	js->p++; /* '[' */
	while ((more = more_items(js, ']', n == 0)) > 0) {
		if (n == 0 && f != NULL) {
			if (scan_value(js, &first, f->first_slot, depth + 1,
				&t) != FX_OK)
				return FX_EINVAL;
		} else if (scan_value(js, NULL, 0, depth + 1, &t) != FX_OK)
			return FX_EINVAL;
		n++;
	}
	*count = n;
	return more == 0 ? FX_OK : FX_EINVAL;
}

/* a string kept in slot v: decoded into the arena */
static fx_err
keep_string(struct jscan *js, struct jscan_value *v)
{
	char *dst = js->arena + js->used;
	size_t n;

	if (scan_string(js, dst, js->cap - js->used, &n) != FX_OK)
		return FX_EINVAL;
	v->str = dst;
	v->len = n;
	js->used += n + 1;
	return FX_OK;
}

/* one value at js->p (after white space); f describes it (or NULL) */
static fx_err
scan_value(struct jscan *js, const struct jscan_field *f, int slot, int depth,
    enum jscan_type *type)
{
	struct jscan_value *v = slot_of(js, slot);
	enum jscan_type t = JS_ABSENT;
	size_t count = 0;
	fx_err rc;

	skip_ws(js);
	if (depth > JSCAN_MAX_DEPTH)
		return fail(js, js->p, "nesting too deep");
	if (js->p >= js->end)
		return fail(js, js->p, "unexpected end of text");
	switch (*js->p) {
	case '{':
		t = JS_OBJECT;
		rc = scan_object(js, f ? f->members : NULL, depth);
		break;
	case '[':
		t = JS_ARRAY;
		rc = scan_array(js, f, &count, depth);
		break;
	case '"':
		t = JS_STRING;
		rc = v != NULL ? keep_string(js, v)
			       : scan_string(js, NULL, 0, NULL);
		break;
	case 't':
		rc = scan_literal(js, "true", &t, JS_BOOL);
		break;
	case 'f':
		rc = scan_literal(js, "false", &t, JS_BOOL);
		break;
	case 'n':
		rc = scan_literal(js, "null", &t, JS_NULL);
		break;
	default:
		t = JS_NUMBER;
		if (*js->p == '-' || (*js->p >= '0' && *js->p <= '9'))
			rc = scan_number(js);
		else
			rc = fail(js, js->p, "unexpected character");
		break;
	}
	if (rc != FX_OK)
		return rc;
	*type = t;
	if (v != NULL) {
		v->type = t;
		if (t == JS_ARRAY)
			v->len = count;
	}
	return FX_OK;
}

fx_err
jscan_parse(struct jscan *js, const char *text, size_t len,
    const struct jscan_field *root_members, struct jscan_value *slots,
    size_t nslots, enum jscan_type *root)
{
	struct jscan_field top;
	enum jscan_type t;

	memset(js, 0, sizeof(*js));
	memset(slots, 0, nslots * sizeof(*slots));
	memset(&top, 0, sizeof(top));
	*root = JS_ABSENT;
	js->text = js->p = text;
	js->end = text + len;
	js->slots = slots;
	js->nslots = nslots;
	js->cap = len + 1;
	if ((js->arena = malloc(js->cap)) == NULL)
		return FX_ENOMEM;
	top.members = root_members;
	if (scan_value(js, &top, 0, 0, &t) != FX_OK)
		return FX_EINVAL;
	skip_ws(js);
	if (js->p != js->end)
		return fail(js, js->p, "text after the value");
	*root = t;
	return FX_OK;
}

void
jscan_where(const struct jscan *js, int *line, int *col, const char **what)
{
	const char *s, *at = js->err_at ? js->err_at : js->p;

	*line = 1;
	*col = 1;
	for (s = js->text; s != NULL && s < at && s < js->end; s++) {
		if (*s == '\n') {
			++*line;
			*col = 1;
		} else
			++*col;
	}
	*what = js->err_what ? js->err_what : "malformed";
}

void
jscan_release(struct jscan *js)
{
	if (js == NULL)
		return;
	free(js->arena);
	js->arena = NULL;
	js->used = js->cap = 0;
}
