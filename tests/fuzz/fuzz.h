/*
 * fuzz.h - the libFuzzer targets of tests/fuzz (README "Fuzzing").
 *
 * Each target is a function fz_<name>(data, size) in fz_<name>.c that
 * feeds hostile bytes to one parser and checks what the parser promises
 * (abort() on a broken promise, so libFuzzer reports it as a crash). The
 * same functions are linked into the unit test test_fuzz_replay, which
 * replays tests/data/fuzz-regressions/<name>/ with the normal build: a
 * crash found once stays covered by the gcc suite.
 *
 * fz_main.c, built once per target with -DFZ_TARGET=fz_<name>
 * (tests/fuzz/CMakeLists.txt), is libFuzzer's entry point.
 */
#ifndef FIXIT_FUZZ_H
#define FIXIT_FUZZ_H
#include <stddef.h>
#include <stdint.h>

typedef int (*fz_fn)(const uint8_t *data, size_t size);

/* abort() unless cond: a parser broke a promise of its header */
#define FZ_ASSERT(cond)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			fz_fail(__FILE__, __LINE__, #cond);                    \
	} while (0)
void fz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

/* the bytes as a NUL-terminated heap copy (NULL when out of memory) */
char *fz_strndup(const uint8_t *data, size_t size);

/* the list of targets (fz_list.c): name, function; ends with {NULL} */
struct fz_target {
	const char *name;
	fz_fn fn;
};
extern const struct fz_target fz_targets[];

int fz_slack_sig(const uint8_t *data, size_t size);
int fz_slack_form(const uint8_t *data, size_t size);
int fz_slack_interaction(const uint8_t *data, size_t size);
int fz_slack_command(const uint8_t *data, size_t size);
int fz_jscan(const uint8_t *data, size_t size);
int fz_ingest(const uint8_t *data, size_t size);
int fz_ev_cloudtrail(const uint8_t *data, size_t size);
int fz_ev_map(const uint8_t *data, size_t size);
int fz_aws_xml(const uint8_t *data, size_t size);
int fz_config(const uint8_t *data, size_t size);
int fz_http(const uint8_t *data, size_t size);
#endif
