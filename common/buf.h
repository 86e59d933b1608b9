/*
 * buf.h - the one bounded buffer type for text built or received.
 *
 * Always NUL-terminated (buf_str never returns NULL). Every append checks
 * the hard cap and fails with FX_ETOOBIG, leaving the content unchanged.
 * The caller owns the struct; buf_release frees the storage, buf_detach
 * hands it over (caller frees with free()).
 */
#ifndef FIXIT_BUF_H
#define FIXIT_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "fxerr.h"

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap; /* hard maximum of len */
};

#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

void buf_init(struct buf *b, size_t cap); /* cap 0 -> default */
void buf_release(struct buf *b);	  /* accepts NULL */
/* the same, the whole storage wiped first (a secret was in it) */
void buf_release_secret(struct buf *b);
void buf_reset(struct buf *b);		      /* len = 0, keeps storage */
void buf_truncate(struct buf *b, size_t len); /* no-op when len >= b->len */
const char *buf_str(const struct buf *b);     /* "" when empty */
char *buf_detach(struct buf *b);	      /* never NULL on success path */
fx_err buf_add(struct buf *b, const void *p, size_t n) FX_WUR;
fx_err buf_adds(struct buf *b, const char *s) FX_WUR;
fx_err buf_addc(struct buf *b, char c) FX_WUR;
fx_err buf_addf(struct buf *b, const char *fmt, ...) FX_WUR
    __attribute__((format(printf, 2, 3)));
/*
 * For sentences (errors, a finding's history): append, and when the text
 * does not fit, as much as does (cut at a UTF-8 boundary, "..." marking
 * the cut). Never fails; out of memory appends nothing.
 */
void buf_addf_cut(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vaddf_cut(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * s[0..n) percent-encoded per RFC 3986: the unreserved characters
 * (A-Z a-z 0-9 - . _ ~) kept, every other byte %XX (upper-case hex); '/'
 * kept when keep_slash. Form bodies, query strings, SigV4.
 */
fx_err buf_add_uri(struct buf *b, const char *s, size_t n,
    int keep_slash) FX_WUR;

#endif
