/*
 * aws_ini.h - one section of an AWS shared credentials/config file.
 *
 * "key = value" lines under "[section]"; '#' and ';' start comments;
 * the first occurrence of a key wins. The file is capped at
 * FX_MAX_CRED_FILE; values may be secrets and are wiped on release.
 */
#ifndef FIXIT_AWS_INI_H
#define FIXIT_AWS_INI_H

#include <stddef.h>
#include "buf.h"
#include "fxerr.h"

#define AWS_INI_MAX_KEYS 32

struct aws_ini {
	struct {
		char *key;
		char *value;
	} kv[AWS_INI_MAX_KEYS];
	size_t n;
};

/* FX_ENOTFOUND when the file or the section does not exist */
fx_err aws_ini_load(const char *path, const char *section,
    struct aws_ini *out) FX_WUR;
const char *aws_ini_get(const struct aws_ini *p, const char *key);
void aws_ini_release(struct aws_ini *p); /* accepts NULL */

#endif
