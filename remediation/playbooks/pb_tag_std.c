/*
 * pb_tag_std.c - tagging-standard's standard and a resource's deviations
 * from it (see pb_tag_std.h).
 */
#include <stdarg.h>
#include <string.h>

#include "pb_tag_std.h"
#include "banned.h"

#define STD_MAX_TEXT 256 /* AWS: a tag value; keys are at most 128 */
#define STD_MAX_KEY  128

static const char *const std_types[] = { "*", PB_TAG_STD_INSTANCE,
	PB_TAG_STD_LB, PB_TAG_STD_BUCKET, NULL };
static const char *const std_params[] = { "standard", "public_first",
	"allow_tag", NULL };

static int
in_list(const char *const *l, const char *s)
{
	size_t i;

	for (i = 0; l[i] != NULL; i++)
		if (strcmp(l[i], s) == 0)
			return 1;
	return 0;
}

static fx_err bad(struct buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* FX_ECONFIG with the sentence in why (cut to what why holds) */
static fx_err
bad(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf_cut(why, fmt, ap);
	va_end(ap);
	return FX_ECONFIG;
}

/* a string of 1..max printable bytes */
static int
text_ok(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* a list of 1..PB_TAG_STD_MAX_KEYS distinct strings of 1..max bytes */
static int
list_ok(const json_t *l, size_t max)
{
	size_t i, j;

	if (!json_is_array(l) || json_array_size(l) == 0 ||
	    json_array_size(l) > PB_TAG_STD_MAX_KEYS)
		return 0;
	for (i = 0; i < json_array_size(l); i++) {
		if (!text_ok(json_array_get(l, i), max))
			return 0;
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(l, i),
				json_array_get(l, j)))
				return 0;
	}
	return 1;
}

static fx_err
check_rules(const char *type, const json_t *r, struct buf *why)
{
	const json_t *req, *allowed, *v;
	const char *k;

	if (!json_is_object(r))
		return bad(why,
		    "standard.%s: expected a mapping like {required: "
		    "[owner], allowed: {env: [prod, dev]}}",
		    type);
	json_object_foreach((json_t *)r, k, v) {
		if (strcmp(k, "required") != 0 && strcmp(k, "allowed") != 0)
			return bad(why,
			    "standard.%s.%s: unknown key (required, "
			    "allowed)",
			    type, k);
	}
	req = json_object_get(r, "required");
	allowed = json_object_get(r, "allowed");
	if (req == NULL && allowed == NULL)
		return bad(why,
		    "standard.%s: names no required key and no "
		    "allowed values",
		    type);
	if (req != NULL && !list_ok(req, STD_MAX_KEY))
		return bad(why,
		    "standard.%s.required: expected a list of 1..50 distinct "
		    "tag keys (1..128 printable characters)",
		    type);
	if (allowed == NULL)
		return FX_OK;
	if (!json_is_object(allowed) || json_object_size(allowed) == 0)
		return bad(why,
		    "standard.%s.allowed: expected a mapping like "
		    "{env: [prod, dev]}",
		    type);
	json_object_foreach((json_t *)allowed, k, v) {
		if (strlen(k) > STD_MAX_KEY || !list_ok(v, STD_MAX_TEXT))
			return bad(why,
			    "standard.%s.allowed.%s: expected a list of 1..50 "
			    "distinct values (1..256 printable "
			    "characters)",
			    type, k);
	}
	return FX_OK;
}

fx_err
pb_tag_std_check(const json_t *params, struct buf *why)
{
	const json_t *std, *v;
	const char *k;
	fx_err rc;

	std = json_object_get(params, "standard");
	if (std == NULL)
		return bad(why,
		    "standard: required: a mapping of resource type "
		    "(*, ec2:instance, "
		    "elasticloadbalancing:loadbalancer, s3:bucket) "
		    "to {required: [keys], allowed: {key: "
		    "[values]}}");
	json_object_foreach((json_t *)params, k, v) {
		if (!in_list(std_params, k))
			return bad(why,
			    "%s: unknown parameter (standard, public_first, "
			    "allow_tag)",
			    k);
	}
	v = json_object_get(params, "public_first");
	if (v != NULL && !json_is_boolean(v))
		return bad(why, "public_first: expected true or false");
	v = json_object_get(params, "allow_tag");
	if (v != NULL && !text_ok(v, STD_MAX_KEY))
		return bad(why, "allow_tag: expected a tag key");
	if (!json_is_object(std) || json_object_size(std) == 0)
		return bad(why, "standard: expected a mapping of resource type "
				"to rules, like {\"*\": {required: "
				"[owner]}}");
	json_object_foreach((json_t *)std, k, v) {
		if (!in_list(std_types, k))
			return bad(why,
			    "standard.%s: unknown resource type (*, %s, "
			    "%s, s3:bucket)",
			    k, PB_TAG_STD_INSTANCE, PB_TAG_STD_LB);
		if ((rc = check_rules(k, v, why)) != FX_OK)
			return rc;
	}
	return FX_OK;
}

int
pb_tag_std_covers(const json_t *params, const char *type)
{
	const json_t *std = json_object_get(params, "standard");

	return json_object_get(std, "*") != NULL ||
	       json_object_get(std, type) != NULL;
}

/* the allowed values of key for type: the type's, else "*"'s, or NULL */
static const json_t *
allowed_of(const json_t *std, const char *type, const char *key)
{
	const json_t *a;

	a = json_object_get(json_object_get(json_object_get(std, type),
				"allowed"),
	    key);
	if (a == NULL)
		a = json_object_get(json_object_get(json_object_get(std, "*"),
					"allowed"),
		    key);
	return a;
}

static int
list_has(const json_t *l, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(l); i++)
		if (json_is_string(json_array_get(l, i)) &&
		    strcmp(json_string_value(json_array_get(l, i)), s) == 0)
			return 1;
	return 0;
}

/* the missing keys of one rule set's required list, added to missing */
static fx_err
add_missing(const json_t *req, const json_t *tags, json_t *missing)
{
	const char *k;
	size_t i;

	for (i = 0; i < json_array_size(req); i++) {
		k = json_string_value(json_array_get(req, i));
		if (k == NULL || json_is_string(json_object_get(tags, k)) ||
		    list_has(missing, k))
			continue;
		if (json_array_append_new(missing, json_string(k)) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

fx_err
pb_tag_std_deviations(const json_t *params, const char *type,
    const json_t *tags, json_t **out, size_t *n)
{
	const json_t *std = json_object_get(params, "standard"), *v, *a;
	json_t *missing = json_array(), *bad_v = json_array();
	const char *k;
	fx_err rc = FX_ENOMEM;

	*out = NULL;
	*n = 0;
	if (missing == NULL || bad_v == NULL)
		goto out;
	rc = add_missing(json_object_get(json_object_get(std, "*"), "required"),
	    tags, missing);
	if (rc == FX_OK)
		rc = add_missing(json_object_get(json_object_get(std, type),
				     "required"),
		    tags, missing);
	if (rc != FX_OK)
		goto out;
	json_object_foreach((json_t *)tags, k, v) {
		a = allowed_of(std, type, k);
		if (a == NULL || !json_is_string(v) ||
		    list_has(a, json_string_value(v)))
			continue;
		if (json_array_append_new(bad_v,
			json_pack("{s:s, s:O, s:O}", "key", k, "value", v,
			    "allowed", a)) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	*n = json_array_size(missing) + json_array_size(bad_v);
	*out =
	    json_pack("{s:O, s:O}", "missing", missing, "not_allowed", bad_v);
	rc = *out != NULL ? FX_OK : FX_ENOMEM;
out:
	json_decref(missing);
	json_decref(bad_v);
	return rc;
}

fx_err
pb_tag_std_say(const json_t *dev, struct buf *out)
{
	const json_t *m = json_object_get(dev, "missing");
	const json_t *b = json_object_get(dev, "not_allowed"), *e;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; rc == FX_OK && i < json_array_size(m); i++)
		rc = buf_addf(out, "%s%s", i == 0 ? "missing " : ", ",
		    json_string_value(json_array_get(m, i)));
	for (i = 0; rc == FX_OK && i < json_array_size(b); i++) {
		e = json_array_get(b, i);
		rc = buf_addf(out, "%s%s=%s not allowed",
		    i == 0 && json_array_size(m) > 0 ? "; "
		    : i == 0			     ? ""
						     : ", ",
		    json_string_value(json_object_get(e, "key")),
		    json_string_value(json_object_get(e, "value")));
	}
	return rc;
}
