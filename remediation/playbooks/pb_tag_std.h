/*
 * pb_tag_std.h - tagging-standard's standard: which tag keys a resource
 * type requires and which values a key allows, from the playbook's
 * params, and a resource's deviations from it.
 *
 * params: {standard: {TYPE: {required: [key, ...], allowed: {key:
 * [value, ...]}}}, public_first: bool, allow_tag: key}; TYPE is "*"
 * (every type) or one of PB_TAG_STD_TYPES. A resource meets the "*"
 * rules and its type's: required keys add up, and a key's allowed values
 * are its type's when the type names the key, else "*"'s. An allowed key
 * that is absent is not a deviation (required says what must be there).
 * Keys and values compare exactly (AWS tags are case-sensitive).
 *
 * Pure: no I/O; params are borrowed.
 */
#ifndef FIXIT_PB_TAG_STD_H
#define FIXIT_PB_TAG_STD_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

#define PB_TAG_STD_INSTANCE "ec2:instance"
#define PB_TAG_STD_LB	    "elasticloadbalancing:loadbalancer"
#define PB_TAG_STD_BUCKET   "s3:bucket"
#define PB_TAG_STD_MAX_KEYS                                                    \
	50 /* required keys, allowed values: AWS's 50
				* tags per resource */

/*
 * Check params as the config loader does (pb_def.params_check): FX_OK,
 * or FX_ECONFIG with one sentence naming the offending key in why
 * ("standard.ec2:instance.allowed.env: ...").
 */
fx_err pb_tag_std_check(const json_t *params, struct buf *why) FX_WUR;

/* 1 when the standard has rules for type (its own or "*") */
int pb_tag_std_covers(const json_t *params, const char *type);

/*
 * The deviations of tags ({key: value}, may be NULL) from the standard
 * for type: *out a new object {"missing": [key, ...], "not_allowed":
 * [{"key", "value", "allowed": [...]}, ...]} (both arrays, maybe empty),
 * *n how many deviations. FX_ENOMEM.
 */
fx_err pb_tag_std_deviations(const json_t *params, const char *type,
    const json_t *tags, json_t **out, size_t *n) FX_WUR;

/*
 * One line of deviations as people read them ("missing owner,
 * cost-center; env=test not allowed"), appended to out.
 */
fx_err pb_tag_std_say(const json_t *dev, struct buf *out) FX_WUR;

#endif
