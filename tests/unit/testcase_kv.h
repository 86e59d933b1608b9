/*
 * testcase_kv.h - what the runners of tests/data/<suite>/ cases share
 * beyond testcase.h: sections read line by line, "key: value" lines,
 * JSON sections, fx_err by name, and a case refused as malformed (a
 * failed check, so that a broken case file never passes unnoticed).
 *
 *   char *copy = tc_dup(c, "rules"), *p = copy, *line, *val;
 *   while ((line = tc_line(&p)) != NULL)
 *           if (tc_kv(line, &val) != NULL) ...
 *   free(copy);
 */
#ifndef FIXIT_TESTCASE_KV_H
#define FIXIT_TESTCASE_KV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fxerr.h"
#include "testcase.h"
#include "testhelp.h"

/* a failed check that names the case and why it cannot be run */
static inline void
tc_malformed(const struct tc *c, const char *why, const char *what)
{
	th_checks++;
	th_failed++;
	printf("  FAIL %s: malformed case: %s%s%s\n", c->name, why,
	    what != NULL ? ": " : "", what != NULL ? what : "");
}

/* 0 when every section of c is one of names (NULL-terminated); else -1
 * and a failed check naming the first other one (a typo in a name) */
static inline int
tc_only(const struct tc *c, const char *const *names)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		for (k = 0; names[k] != NULL; k++)
			if (strcmp(c->key[i], names[k]) == 0)
				break;
		if (names[k] == NULL) {
			tc_malformed(c, "unknown section", c->key[i]);
			return -1;
		}
	}
	return 0;
}

/* a copy of section name to cut with tc_line (the caller frees); NULL,
 * a failed check, when the case has no such section */
static inline char *
tc_dup(const struct tc *c, const char *name)
{
	const char *s = tc_get(c, name);
	char *d;

	if (s == NULL) {
		tc_malformed(c, "missing section", name);
		return NULL;
	}
	if ((d = strdup(s)) == NULL)
		tc_malformed(c, "out of memory", name);
	return d;
}

/* the next line of *p, cut in place; NULL at the end */
static inline char *
tc_line(char **p)
{
	char *s = *p, *nl;

	if (s == NULL || *s == '\0')
		return NULL;
	nl = strchr(s, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* "key: value" (or "key:" for an empty value) cut at the first ':':
 * the key, *val the value; NULL when the line has no ':' */
static inline char *
tc_kv(char *line, char **val)
{
	char *colon = strchr(line, ':');

	if (colon == NULL)
		return NULL;
	*colon = '\0';
	*val = colon[1] == ' ' ? colon + 2 : colon + 1;
	return line;
}

/* JSON text of a section (any value; "\u0000" allowed); NULL, said, when
 * it is no JSON. what names the section in the message. */
static inline json_t *
tc_json(const struct tc *c, const char *text, const char *what)
{
	json_error_t e;
	json_t *j;

	j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (j == NULL) {
		tc_malformed(c, "not JSON", what);
		printf("    line %d: %s\n", e.line, e.text);
	}
	return j;
}

/*
 * The JSON of section name, or of the file of tests/data/<dir>/ named by
 * section "<name>-file": exactly one of the two. NULL, a failed check,
 * when neither or both are there or the JSON does not parse.
 */
static inline json_t *
tc_json_or_file(const struct tc *c, const char *name, const char *dir)
{
	char sect[64], rel[512], *s = NULL;
	const char *file, *text = tc_get(c, name);
	json_t *j = NULL;

	snprintf(sect, sizeof(sect), "%s-file", name);
	file = tc_get(c, sect);
	if ((file == NULL) == (text == NULL)) {
		tc_malformed(c, "need exactly one of these sections", sect);
		goto out;
	}
	if (file != NULL) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, file);
		if ((s = th_read_data(rel, NULL)) == NULL) {
			tc_malformed(c, "cannot read", rel);
			goto out;
		}
		text = s;
	}
	j = tc_json(c, text, name);
out:
	free(s);
	return j;
}

/* "ok", "EINVAL", ...: the enum's name without FX_ */
static inline const char *
tc_err_name(fx_err e)
{
	static const char *const names[FX_ERR__COUNT] = {
		[FX_OK] = "ok",
		[FX_ENOMEM] = "ENOMEM",
		[FX_EINVAL] = "EINVAL",
		[FX_ETOOBIG] = "ETOOBIG",
		[FX_EIO] = "EIO",
		[FX_EDB] = "EDB",
		[FX_ENOTFOUND] = "ENOTFOUND",
		[FX_EAUTH] = "EAUTH",
		[FX_EPERM] = "EPERM",
		[FX_ECONFLICT] = "ECONFLICT",
		[FX_ETIMEOUT] = "ETIMEOUT",
		[FX_EHTTP] = "EHTTP",
		[FX_ERETRY] = "ERETRY",
		[FX_EREMOTE] = "EREMOTE",
		[FX_ECONFIG] = "ECONFIG",
		[FX_ESTOPPED] = "ESTOPPED",
		[FX_EEXEC] = "EEXEC",
	};

	if ((unsigned)e >= FX_ERR__COUNT || names[e] == NULL)
		return "?";
	return names[e];
}

/* got and want equal as JSON; both printed (sorted keys) when not */
static inline void
tc_check_json(const json_t *got, const json_t *want)
{
	char *g, *w;

	th_checks++;
	if (got != NULL && want != NULL && json_equal(got, want))
		return;
	th_failed++;
	g = got ? json_dumps(got,
		      JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_INDENT(1))
		: NULL;
	w = want ? json_dumps(want,
		       JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_INDENT(1))
		 : NULL;
	printf("  FAIL JSON differs\n    got:  %s\n    want: %s\n",
	    g ? g : "(null)", w ? w : "(null)");
	free(g);
	free(w);
}

#endif
