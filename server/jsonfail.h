/*
 * jsonfail.h - why jansson refused a request body: the sender's fault (a
 * 4xx) or fixitd's (out of memory: a 5xx, which EventBridge and scanners
 * retry, where a 4xx would make them drop what they sent).
 *
 * Thread model: none (pure).
 */
#ifndef FIXIT_JSONFAIL_H
#define FIXIT_JSONFAIL_H

#include <jansson.h>
#include <stddef.h>

/*
 * 1 when json_loadb(text, len, flags without JSON_DECODE_ANY, ...)
 * failed with *je on text that is a JSON array or object (jansson ran out
 * of memory somewhere inside, which it does not always say), 0 when the
 * text is not (or has a repeated key or a number out of range: jansson's
 * own refusals).
 */
int json_failed_for_memory(const char *text, size_t len,
    const json_error_t *je);

#endif
