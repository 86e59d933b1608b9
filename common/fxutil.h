/*
 * fxutil.h - small leaf helpers: checked number parsing, constant-time
 * comparison, secret loading and wiping, UTF-8 checks.
 */
#ifndef FIXIT_FXUTIL_H
#define FIXIT_FXUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "fxerr.h"

/* whole string must be a base-10 integer within [min, max] */
fx_err fx_strtoll(const char *s, int64_t min, int64_t max, int64_t *out) FX_WUR;
/* constant-time in the length of the longer input; 1 when equal */
int fx_ct_equal(const void *a, size_t alen, const void *b, size_t blen);
/*
 * Read a secret from a file (trailing newline stripped) or from an
 * environment variable. *out is heap memory the caller wipes with
 * fx_secret_free. Errors never include the secret.
 */
fx_err fx_secret_from_file(const char *path, char **out) FX_WUR;
/* the same from an open file (read to its end, not closed) */
fx_err fx_secret_from_fd(int fd, char **out) FX_WUR;
fx_err fx_secret_from_env(const char *name, char **out) FX_WUR;
void fx_secret_free(char *s); /* cleanse + free; accepts NULL */
/*
 * Environment variable name removed and its NAME=value bytes wiped where
 * they lie, so that neither the process (getenv, children) nor a reader of
 * /proc/PID/environ sees it any more. Call before threads start: the
 * environment is not thread-safe.
 */
void fx_secret_env_scrub(const char *name);
/* 1 when s is a Slack user id: U or W, then 2 to 24 capital letters or
 * digits (what a mention <@...> may name) */
int fx_slack_user_id_ok(const char *s);
/* the value of hex digit c (either case), -1 when it is none */
int fx_hexval(char c);
/* strdup that returns NULL for NULL */
char *fx_strdup(const char *s);
/*
 * Bytes of the UTF-8 character at s[0..n): 1 to 4, 0 when it is not valid
 * UTF-8 (a stray or cut sequence, overlong, a surrogate, past U+10FFFF) or
 * n is 0.
 */
size_t fx_utf8_len(const char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8 throughout */
int fx_utf8_valid(const char *s, size_t n);
/* every byte of s[0..n) that is not valid UTF-8 replaced with '?' */
void fx_utf8_scrub(char *s, size_t n);

#endif
