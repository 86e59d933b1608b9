/*
 * testcase.h - data-driven test cases (after curl's tests/data/testNNNN):
 * a case is one text file under tests/data/<suite>/, named NNNN-what.case,
 * made of sections; a runner reads every case of its suite, runs the code
 * under test on the input sections and compares with the expected ones.
 * Adding a case is adding a file.
 *
 * File format:
 *
 *   # lines before the first section are comments (say what the case
 *   # shows and why)
 *   --- name
 *   text of the section, up to the next "--- " line or the end; the
 *   newline before the next section marker belongs to the marker
 *   --- other
 *   ...
 *
 * Section names are the runner's (input, expect, ...); a line that starts
 * "--- " always begins a section, so a section cannot contain one.
 *
 *   struct tc c;
 *   if (tc_load(&c, path) == 0) { tc_get(&c, "input"); ...; tc_release(&c); }
 *   tc_each("ev-map", run_one);    // every *.case of tests/data/ev-map/,
 *                                  // in name order; returns the count
 */
#ifndef FIXIT_TESTCASE_H
#define FIXIT_TESTCASE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testhelp.h"

#define TC_MAX_SECTIONS 32

struct tc {
	char *text;	  /* the whole file, cut into sections */
	const char *name; /* the file's base name */
	size_t n;
	const char *key[TC_MAX_SECTIONS];
	const char *val[TC_MAX_SECTIONS];
};

/* 0 when path was read and cut into sections; -1 (said on stdout) else */
static inline int
tc_load(struct tc *c, const char *path)
{
	FILE *f;
	long len;
	char *p, *line, *nl;

	memset(c, 0, sizeof(*c));
	c->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if ((f = fopen(path, "rb")) == NULL) {
		printf("cannot open %s\n", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (c->text = malloc((size_t)len + 1)) != NULL) {
		len = (long)fread(c->text, 1, (size_t)len, f);
		c->text[len] = '\0';
	}
	fclose(f);
	if (c->text == NULL) {
		printf("cannot read %s\n", path);
		return -1;
	}
	for (line = c->text; line != NULL && *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			nl++;
		if (strncmp(line, "--- ", 4) != 0)
			continue;
		if (c->n == TC_MAX_SECTIONS) {
			printf("%s: more than %d sections\n", path,
			    TC_MAX_SECTIONS);
			return -1;
		}
		if (line > c->text && line[-1] == '\n')
			line[-1] = '\0'; /* ends the previous section */
		if (c->n > 0 && c->val[c->n - 1] == line)
			c->val[c->n - 1] = ""; /* it was empty */
		for (p = line + 4; *p != '\0' && *p != '\n'; p++)
			;
		*p = '\0';
		c->key[c->n] = line + 4;
		c->val[c->n++] = nl != NULL ? nl : p;
	}
	return 0;
}

/* the text of section name; NULL when the case has none */
static inline const char *
tc_get(const struct tc *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->key[i], name) == 0)
			return c->val[i];
	return NULL;
}

static inline void
tc_release(struct tc *c)
{
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static inline int
tc_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * run(case) on every *.case file of tests/data/<suite>/ in name order;
 * the count of cases run (a CHECK fails when there is none or one cannot
 * be read).
 */
static inline int
tc_each(const char *suite, void (*run)(const struct tc *c))
{
	char dir[1024], path[2048];
	char **names = NULL, **more;
	size_t n = 0, i, len;
	struct dirent *de;
	struct tc c;
	DIR *dp;
	int ran = 0, ok;

	th_data_path(dir, sizeof(dir), suite);
	if ((dp = opendir(dir)) == NULL) {
		printf("cannot open %s\n", dir);
		CHECK(dp != NULL);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".case") != 0)
			continue;
		if ((more = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = more;
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(dp);
	if (n > 0)
		qsort(names, n, sizeof(*names), tc_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ok = tc_load(&c, path) == 0;
		CHECK(ok);
		if (ok) {
			printf("case: %s/%s\n", suite, names[i]);
			run(&c);
			ran++;
		}
		tc_release(&c);
		free(names[i]);
	}
	free(names);
	CHECK(ran > 0);
	return ran;
}

#endif
