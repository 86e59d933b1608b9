/*
 * pb_ec2_util.h - EC2 helpers shared by the EC2 playbooks (ec2-imdsv1,
 * eip-unassociated, ec2-quarantine): read one instance, recognise AWS
 * error codes, instance names and titles, ARNs, polling sleeps.
 *
 * Every returned json_t is borrowed from the answer it came from unless
 * said otherwise; every accessor accepts NULL and hostile shapes.
 */
#ifndef FIXIT_PB_EC2_UTIL_H
#define FIXIT_PB_EC2_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "playbook.h"

/* 1 when rc is an AWS error whose code is `code` */
int pb_ec2_util_is_error(fx_err rc, const struct aws_resp *r,
    const char *code);

/*
 * DescribeInstances InstanceId.1=id as role. *inst (borrowed from
 * resp->doc, which the caller releases) is the instance, or NULL when
 * AWS says it does not exist (InvalidInstanceID.NotFound, or an answer
 * that does not hold it): then FX_OK with a pb_say sentence.
 */
fx_err pb_ec2_util_instance(struct pb_ctx *x, enum pb_role role,
    const char *id, struct aws_resp *resp, const json_t **inst) FX_WUR;

/* 1 when the instance is terminated or shutting down (or has no state) */
int pb_ec2_util_ended(const json_t *inst);

/* the instance's security group ids (new array; NULL on ENOMEM) */
json_t *pb_ec2_util_group_ids(const json_t *inst);

/*
 * "sg-1,sg-2" -> ["sg-1","sg-2"] (new array): every id starts with
 * prefix, is at most 64 bytes, at most max of them; NULL when v is
 * malformed, empty, or on ENOMEM.
 */
json_t *pb_ec2_util_ids_split(const char *v, const char *prefix,
    size_t max);
/* an array of id strings joined with ',' into out (hard cap: cap) */
fx_err pb_ec2_util_ids_join(const json_t *ids, size_t cap, struct buf *out)
    FX_WUR;

/* the value of tag `key` in an EC2 "tagSet" list, or NULL */
const char *pb_ec2_util_tag(const json_t *tag_set, const char *key);

/* the finding's "resource_id"; NULL (with a pb_say) when missing */
const char *pb_ec2_util_resource(struct pb_ctx *x, const json_t *finding);

/* "arn:aws:ec2:REGION:ACCOUNT:TYPE/ID" (new string; NULL on ENOMEM) */
char *pb_ec2_util_arn(const struct pb_ctx *x, const char *type,
    const char *id);

/*
 * "EC2 instance ID (Name) WHAT" (the Name tag only when set; cut to fit
 * FX_MAX_TITLE) into out.
 */
fx_err pb_ec2_util_title(const json_t *inst, const char *what,
    struct buf *out) FX_WUR;

/* a playbook parameter clamped to [min, max] */
int64_t pb_ec2_util_param(const struct pb_ctx *x, const char *key,
    int64_t def, int64_t min, int64_t max);

/* sleep ms milliseconds (restarted on EINTR); for verify polling */
void pb_ec2_util_sleep_ms(int64_t ms);

#endif
