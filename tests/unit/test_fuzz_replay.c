/*
 * test_fuzz_replay.c - every input a fuzz target once crashed on
 * (tests/data/fuzz-regressions/<target>/<file>) replayed through the same
 * target (tests/fuzz/fuzz.h) in the normal build, so the gcc suite keeps
 * each fix. A target breaks a promise by abort(): the test then fails.
 * A folder named after no target fails too (a typo would hide inputs).
 */
#include <dirent.h>

#include "fuzz.h"
#include "testhelp.h"

static const struct fz_target *
target(const char *name)
{
	const struct fz_target *t;

	for (t = fz_targets; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* each file of fuzz-regressions/<t->name>/ through t; how many */
static int
replay(const struct fz_target *t)
{
	char rel[512], file[1024], name[800]; /* rel + / + d_name */
	struct dirent *de;
	size_t len;
	char *data;
	DIR *d;
	int n = 0;

	snprintf(rel, sizeof(rel), "fuzz-regressions/%s", t->name);
	th_data_path(file, sizeof(file), rel);
	if ((d = opendir(file)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/%s", rel, de->d_name);
		data = th_read_data(name, &len);
		CHECK(data != NULL);
		if (data == NULL)
			continue;
		printf("  %s\n", name);
		fflush(stdout);
		CHECK(t->fn((const uint8_t *)data, len) == 0);
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

int
main(void)
{
	const struct fz_target *t;
	char path[1024];
	struct dirent *de;
	DIR *d;
	int n = 0;

	TEST("every folder is a target") {
		th_data_path(path, sizeof(path), "fuzz-regressions");
		CHECK((d = opendir(path)) != NULL);
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' ||
			    strcmp(de->d_name, "README.md") == 0)
				continue;
			if (target(de->d_name) == NULL)
				printf("  no target %s\n", de->d_name);
			CHECK(target(de->d_name) != NULL);
		}
		if (d != NULL)
			closedir(d);
	}
	TEST("regressions replayed") {
		for (t = fz_targets; t->name != NULL; t++)
			n += replay(t);
		printf("  %d inputs\n", n);
	}
	/* the empty input through every target: none may crash on it */
	TEST("empty input") {
		for (t = fz_targets; t->name != NULL; t++)
			CHECK(t->fn((const uint8_t *)"", 0) == 0);
	}
	return TEST_REPORT();
}
