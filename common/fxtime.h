/*
 * fxtime.h - time helpers. All times are int64 seconds since the epoch, UTC.
 */
#ifndef FIXIT_FXTIME_H
#define FIXIT_FXTIME_H

#include <stddef.h>
#include <stdint.h>
#include "fxerr.h"

int64_t fx_now(void);	      /* wall clock, seconds */
int64_t fx_now_ms(void);      /* wall clock, milliseconds */
int64_t fx_mono_ms(void);     /* monotonic, milliseconds */
void fx_sleep_ms(int64_t ms); /* the whole of it, across EINTR */
/* "90", "2s", "15m", "48h", "30d", "1w": seconds; rejects junk, overflow,
 * negatives. */
fx_err fx_duration_parse(const char *s, int64_t *out) FX_WUR;
/* "2026-01-01T00:00:00Z" (also with fraction or +00:00) -> seconds */
fx_err fx_iso8601_parse(const char *s, int64_t *out) FX_WUR;
/* seconds -> "2026-01-01T00:00:00Z"; out must hold 21 bytes */
void fx_iso8601_format(int64_t t, char out[21]);
/* seconds -> "2d 4h", "15m", "30s" */
void fx_duration_format(int64_t secs, char *out, size_t len);

#endif
