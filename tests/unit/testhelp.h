/*
 * testhelp.h - a tiny assert kit (after Redis testhelp.h).
 *
 *   TEST("name") { ... CHECK(cond); CHECK_STR(a, b); ... }
 *   return TEST_REPORT();
 * A failed CHECK prints file:line and the expression; the test program
 * exits non-zero when any check failed.
 */
#ifndef FIXIT_TESTHELP_H
#define FIXIT_TESTHELP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int th_failed, th_checks;

#define TEST(name)                                                             \
	for (int th_once = (printf("test: %s\n", name), 1); th_once;           \
	     th_once = 0)

#define CHECK(cond)                                                            \
	do {                                                                   \
		th_checks++;                                                   \
		if (!(cond)) {                                                 \
			th_failed++;                                           \
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__,       \
			    #cond);                                            \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                             \
	do {                                                                        \
		const char *th_a = (a), *th_b = (b);                                \
		th_checks++;                                                        \
		if (th_a == NULL || th_b == NULL || strcmp(th_a, th_b) != 0) {      \
			th_failed++;                                                \
			printf(                                                     \
			    "  FAIL %s:%d: %s == %s\n    got:  %s\n    want: %s\n", \
			    __FILE__, __LINE__, #a, #b,                             \
			    th_a ? th_a : "(null)", th_b ? th_b : "(null)");        \
		}                                                                   \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long th_x = (long long)(a), th_y = (long long)(b);        \
		th_checks++;                                                   \
		if (th_x != th_y) {                                            \
			th_failed++;                                           \
			printf("  FAIL %s:%d: %s == %s (%lld != %lld)\n",      \
			    __FILE__, __LINE__, #a, #b, th_x, th_y);           \
		}                                                              \
	} while (0)

/*
 * The path of rel in the test data folder: $FIXIT_DATA (set by CTest to
 * tests/data), else ../../tests/data (the source tree, from build/tests).
 */
static inline void
th_data_path(char *out, size_t n, const char *rel)
{
	const char *data = getenv("FIXIT_DATA");

	snprintf(out, n, "%s/%s", data && *data ? data : "../../tests/data",
	    rel);
}

/*
 * th_data_path(rel) read whole and NUL-terminated; *len (may be NULL) its
 * size. NULL, said on stdout, when it cannot be read. The caller frees.
 */
static inline char *
th_read_data(const char *rel, size_t *len)
{
	char path[1024];
	char *s = NULL;
	FILE *f;
	long n;

	th_data_path(path, sizeof(path), rel);
	if ((f = fopen(path, "rb")) != NULL && fseek(f, 0, SEEK_END) == 0 &&
	    (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		n = (long)fread(s, 1, (size_t)n, f);
		s[n] = '\0';
		if (len != NULL)
			*len = (size_t)n;
	}
	if (f != NULL)
		fclose(f);
	if (s == NULL)
		printf("cannot read %s\n", path);
	return s;
}

/*
 * A fresh directory /tmp/<name>.XXXXXX into dir and a database path in
 * it, dir/<file>, into path; -1 (said on stderr) when it cannot be made.
 */
static inline int
th_temp_db(char *dir, size_t dsize, char *path, size_t psize, const char *name,
    const char *file)
{
	snprintf(dir, dsize, "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(path, psize, "%s/%s", dir, file);
	return 0;
}

/* remove an SQLite database with its -wal and -shm files, then its
 * directory (when empty) */
static inline void
th_remove_db(const char *dir, const char *dbpath)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[1024];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, suffixes[i]);
		(void)unlink(p);
	}
	(void)rmdir(dir);
}

/* *dst = a copy of s (NULL stays NULL), the old value freed */
static inline void
th_setstr(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

#define TEST_REPORT()                                                          \
	(printf("%d checks, %d failed\n", th_checks, th_failed),               \
	    th_failed ? 1 : 0)

#endif
