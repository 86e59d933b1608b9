/*
 * slack_form.h - application/x-www-form-urlencoded bodies as Slack sends
 * them (slash commands; interactivity's single "payload" field).
 *
 * The raw body is never modified. The whole body is validated on every
 * lookup, so a malformed body is refused whichever key is asked for:
 * a bad %XX escape, a NUL byte (raw or %00) or a repeated key (the one
 * asked for) is FX_EINVAL. Empty segments ("a=1&&b=2") are skipped; a
 * segment without '=' is a key with an empty value.
 */
#ifndef FIXIT_SLACK_FORM_H
#define FIXIT_SLACK_FORM_H

#include <stddef.h>

#include "buf.h"
#include "fxerr.h"

/*
 * Decode the value of key ('+' -> space, %XX) into out, which the caller
 * owns and initialises; out is reset first and its cap bounds the value
 * (FX_ETOOBIG). FX_ENOTFOUND when key is absent. On error out is empty.
 */
fx_err slack_form_get(const char *body, size_t len, const char *key,
    struct buf *out) FX_WUR;

#endif
