/*
 * ev_int.h - checks shared by the files of events/ (ev.c, ev_act.c,
 * ev_decide.c); not for use outside events/. Pure, like the rest: no
 * state, any thread. Strings and values are borrowed, never kept.
 */
#ifndef FIXIT_EV_INT_H
#define FIXIT_EV_INT_H

#include <stddef.h>
#include <jansson.h>

/* character classes of ev_chars_ok */
#define C_LOWER	 0x01u /* a-z */
#define C_UPPER	 0x02u /* A-Z */
#define C_DIGIT	 0x04u /* 0-9 */
#define C_PUNCT	 0x08u /* other printable ASCII but space */
#define C_SPACE	 0x10u
#define C_HIGH	 0x20u /* bytes of UTF-8 sequences */
#define C_DASH	 0x40u /* '-', also in C_PUNCT */
#define C_ALNUM	 (C_LOWER | C_UPPER | C_DIGIT)
#define C_GRAPH	 (C_ALNUM | C_PUNCT) /* printable ASCII, no space */
#define C_PRINT	 (C_GRAPH | C_SPACE)
#define C_TEXT	 (C_PRINT | C_HIGH) /* no control characters */
#define C_WORD	 (C_GRAPH | C_HIGH) /* nor spaces */
#define C_REGION (C_LOWER | C_DIGIT | C_DASH)

/* s is min..max bytes, each of a class in cls or in extra; NULL never is */
int ev_chars_ok(const char *s, size_t min, size_t max, unsigned cls,
    const char *extra);
/* the string member key of o; NULL when absent, not a string or with NUL */
const char *ev_jstr(const json_t *o, const char *key);
/* o has key with a value other than null */
int ev_present(const json_t *o, const char *key);
/* both strings there and equal */
int ev_streq(const char *a, const char *b);

#endif
