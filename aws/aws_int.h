/*
 * aws_int.h - internals shared by aws_client.c and aws_creds.c only.
 */
#ifndef FIXIT_AWS_INT_H
#define FIXIT_AWS_INT_H

#include "aws.h"
#include "buf.h"

/*
 * A plain HTTP request without signing or retries (instance metadata,
 * container credentials). headers: NULL-terminated "Name: value" lines
 * or NULL. *status 0 on transport failure. out is capped at
 * FX_MAX_CRED_FILE.
 */
fx_err aws_http_raw(struct aws_client *c, const char *method, const char *url,
    const char *const *headers, const char *body, long *status,
    struct buf *out) FX_WUR;

#endif
