/*
 * ingest_json.c - a finding item decoded into struct finding_in (see
 * ingest_json.h).
 *
 * One table: each member an item may have, its JSON type and where its
 * value goes. Every member is optional here (null counts as absent);
 * which are required, and what their text may be, is sm_check_finding's,
 * shared with the scans and the events thread. Problems are named in a
 * fixed order (unknown members, then types in table order, then values),
 * so that an item with several gets the same answer every time.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fxtime.h"
#include "fxutil.h"
#include "ingest_json.h"
#include "sm.h"
#include "banned.h"

enum ij_type {
	IJ_STR,	   /* string -> const char * */
	IJ_TIME,   /* ISO 8601 string -> int64_t unix seconds */
	IJ_STATUS, /* "active" | "resolved" -> int resolved */
	IJ_OBJECT  /* object -> const json_t * (borrowed) */
};

struct ij_field {
	const char *name;
	enum ij_type type;
	size_t off; /* in struct finding_in */
};

/* one line an entry, so that the table reads as one */
/* clang-format off */
#define F(n, t, m)	{ n, t, offsetof(struct finding_in, m) }
static const struct ij_field fields[] = {
	F("playbook", IJ_STR, playbook),
	F("account_id", IJ_STR, account_id),
	F("region", IJ_STR, region),
	F("resource_id", IJ_STR, resource_id),
	F("resource_arn", IJ_STR, resource_arn),
	F("owner_email", IJ_STR, owner_email),
	F("owner_slack_id", IJ_STR, owner_slack_id),
	F("title", IJ_STR, title),
	F("status", IJ_STATUS, resolved),
	F("observed_at", IJ_TIME, observed_at),
	F("details", IJ_OBJECT, details),
};
#undef F
/* clang-format on */
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct ij_field *
field_find(const char *name)
{
	size_t k;

	for (k = 0; k < NFIELDS; k++)
		if (strcmp(fields[k].name, name) == 0)
			return &fields[k];
	return NULL;
}

/* the JSON type of v is right for fd; NULL, or why not */
static const char *
type_why(const struct ij_field *fd, const json_t *v)
{
	if (fd->type == IJ_OBJECT)
		return json_is_object(v) ? NULL : "must be an object";
	return json_is_string(v) ? NULL : "must be a string";
}

/* v (of the right type) stored into f; NULL, or why it cannot be */
static const char *
store(const struct ij_field *fd, const json_t *v, struct finding_in *f)
{
	char *at = (char *)f + fd->off;
	const char *s = json_string_value(v), *why = NULL;
	int64_t t = 0;
	int resolved;

	switch (fd->type) {
	case IJ_STR:
		memcpy(at, &s, sizeof(s));
		break;
	case IJ_TIME:
		if (fx_iso8601_parse(s, &t) != FX_OK)
			why = "must be an ISO 8601 time like "
			      "2026-01-01T00:00:00Z";
		memcpy(at, &t, sizeof(t));
		break;
	case IJ_STATUS:
		resolved = strcmp(s, "resolved") == 0;
		if (!resolved && strcmp(s, "active") != 0)
			why = "must be active or resolved";
		memcpy(at, &resolved, sizeof(resolved));
		break;
	case IJ_OBJECT:
		memcpy(at, &v, sizeof(v));
		break;
	}
	return why;
}

/*
 * item's members into f; NULL, or why not with *bad the member's name
 * (NULL: the item itself)
 */
static const char *
decode(const json_t *item, struct finding_in *f, const char **bad)
{
	const char *key, *why = NULL;
	const json_t *v;
	size_t k;

	*bad = NULL;
	if (!json_is_object(item))
		return "must be an object";
	/* jansson iterates only non-const objects; nothing is changed */
	json_object_foreach((json_t *)item, key, v) {
		if (why == NULL && field_find(key) == NULL) {
			*bad = key;
			why = "unknown field";
		}
	}
	for (k = 0; k < NFIELDS && why == NULL; k++) {
		v = json_object_get(item, fields[k].name);
		if (v != NULL && !json_is_null(v))
			why = type_why(&fields[k], v);
		*bad = fields[k].name;
	}
	for (k = 0; k < NFIELDS && why == NULL; k++) {
		v = json_object_get(item, fields[k].name);
		if (v != NULL && !json_is_null(v))
			why = store(&fields[k], v, f);
		*bad = fields[k].name;
	}
	return why;
}

/* the longest part of an unknown member's name an error quotes */
#define IJ_NAME_QUOTED 64

/* bytes of name to quote: at most IJ_NAME_QUOTED, whole characters */
static size_t
quoted_len(const char *name)
{
	size_t n = strlen(name), k, i = 0;

	while (i < n && (k = fx_utf8_len(name + i, n - i)) != 0 &&
	       i + k <= IJ_NAME_QUOTED)
		i += k;
	return i;
}

fx_err
ingest_json_item(const struct policy *pol, const json_t *item, size_t i,
    struct finding_in *f, struct buf *err)
{
	const char *bad, *why;
	size_t q;

	memset(f, 0, sizeof(*f));
	why = decode(item, f, &bad);
	if (why == NULL)
		return sm_check_finding(pol, f, i, err);
	/*
	 * bad may be the client's own name of any length: quoted in part,
	 * whole characters only, so that the error always fits and stays
	 * UTF-8 (jansson checked the name is).
	 */
	if (bad != NULL) {
		q = quoted_len(bad);
		buf_addf_cut(err, "findings[%zu].%.*s%s: %s", i, (int)q, bad,
		    bad[q] != '\0' ? "..." : "", why);
	} else
		buf_addf_cut(err, "findings[%zu]: %s", i, why);
	return err->len > 0 ? FX_EINVAL : FX_ENOMEM;
}
