/*
 * testjson.h - JSON written in C string literals with ' for ", for the
 * unit tests that build many small documents.
 */
#ifndef FIXIT_TESTJSON_H
#define FIXIT_TESTJSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* a new reference, or NULL (said on stdout) when text is no JSON */
static inline json_t *
js(const char *text)
{
	json_error_t e;
	json_t *j;
	char *t = strdup(text), *c;

	for (c = t; c != NULL && *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	j = t != NULL ? json_loads(t, 0, &e) : NULL;
	if (j == NULL)
		printf("  bad test JSON: %s\n", t ? e.text : "no memory");
	free(t);
	return j;
}

#endif
