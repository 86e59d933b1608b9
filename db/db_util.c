/*
 * db_util.c - binding, column and JSON helpers shared by the db files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "fxtime.h"
#include "banned.h"

void
db_bind_text(sqlite3_stmt *st, int i, const char *s, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (s == NULL)
		*rc = sqlite3_bind_null(st, i);
	else
		*rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_int64(sqlite3_stmt *st, int i, int64_t v, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	*rc = sqlite3_bind_int64(st, i, v);
}

void
db_bind_time(sqlite3_stmt *st, int i, int64_t t, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (t == 0)
		*rc = sqlite3_bind_null(st, i);
	else
		*rc = sqlite3_bind_int64(st, i, t);
}

void
db_bind_json(sqlite3_stmt *st, int i, const json_t *v, int *rc)
{
	char *s;

	if (*rc != SQLITE_OK)
		return;
	if (v == NULL) {
		*rc = sqlite3_bind_null(st, i);
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL) {
		*rc = SQLITE_NOMEM;
		return;
	}
	*rc = sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	free(s);
}

int64_t
db_limit(size_t n)
{
	return n > (size_t)INT64_MAX ? INT64_MAX : (int64_t)n;
}

char *
db_col_text(sqlite3_stmt *st, int i, fx_err *err)
{
	const unsigned char *t;
	char *s;
	int n;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (t == NULL || (s = malloc((size_t)n + 1)) == NULL) {
		*err = FX_ENOMEM;
		return NULL;
	}
	memcpy(s, t, (size_t)n);
	s[n] = '\0';
	return s;
}

json_t *
db_col_json(sqlite3_stmt *st, int i)
{
	const char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	t = (const char *)sqlite3_column_text(st, i);
	if (t == NULL)
		return NULL;
	return json_loads(t, JSON_DECODE_ANY, NULL);
}

void
db_json_set(json_t *o, const char *key, json_t *v, fx_err *err)
{
	if (*err != FX_OK) {
		json_decref(v);
		return;
	}
	/* json_object_set_new steals v, also when it fails */
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		*err = FX_ENOMEM;
}

/* s as a JSON string; bytes of invalid UTF-8 (an executor's output kept
 * in last_error) become '?' rather than losing the whole object */
static json_t *
db_json_string(const char *s)
{
	json_t *v;
	char *t;
	size_t i;

	v = json_string(s);
	if (v != NULL || (t = strdup(s)) == NULL)
		return v;
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] >= 0x80)
			t[i] = '?';
	v = json_string(t);
	free(t);
	return v;
}

void
db_json_str(json_t *o, const char *key, const char *s, fx_err *err)
{
	if (*err != FX_OK)
		return;
	db_json_set(o, key, s ? db_json_string(s) : json_null(), err);
}

void
db_json_int(json_t *o, const char *key, int64_t v, fx_err *err)
{
	if (*err != FX_OK)
		return;
	db_json_set(o, key, json_integer((json_int_t)v), err);
}

void
db_json_time(json_t *o, const char *key, int64_t t, fx_err *err)
{
	char iso[21];

	if (*err != FX_OK)
		return;
	if (t == 0) {
		db_json_set(o, key, json_null(), err);
		return;
	}
	fx_iso8601_format(t, iso);
	db_json_set(o, key, json_string(iso), err);
}
