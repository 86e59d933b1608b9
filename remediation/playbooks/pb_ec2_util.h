/*
 * pb_ec2_util.h - EC2 helpers shared by the EC2 playbooks (ec2-imdsv1,
 * eip-unassociated, ec2-quarantine): list and read instances, report
 * what detect found, instance names and titles, security group ids.
 * Generic helpers (error codes, the finding's resource, parameters,
 * ARNs, fixit: tags, sleeps) are in playbook.h.
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

/*
 * DescribeInstances InstanceId.1=id as role. *inst (borrowed from
 * resp->doc, which the caller releases) is the instance, or NULL when
 * AWS says it does not exist (InvalidInstanceID.NotFound, or an answer
 * that does not hold it): then FX_OK with a pb_say sentence.
 */
fx_err pb_ec2_util_instance(struct pb_ctx *x, enum pb_role role, const char *id,
    struct aws_resp *resp, const json_t **inst) FX_WUR;

/*
 * The finding's instance (pb_resource, then pb_ec2_util_instance as the
 * auditor): *id borrowed from finding, *inst from resp; NULL when it no
 * longer exists.
 */
fx_err pb_ec2_util_finding(struct pb_ctx *x, const json_t *finding,
    struct aws_resp *resp, const char **id, const json_t **inst) FX_WUR;

/*
 * check's verdict on an instance read so far: PB_GONE when it no longer
 * exists (said by pb_ec2_util_instance) or is terminated or shutting
 * down (said here); else PB_WRONG.
 */
enum pb_verdict pb_ec2_util_gone(struct pb_ctx *x, const json_t *inst);

/*
 * DescribeInstances (paged, as the auditor) with Filter.1 name = value
 * and Filter.2 instance-state-name = one of states (NULL-terminated):
 * fn gets each instance of each reservation (non-FX_OK stops).
 */
fx_err pb_ec2_util_instances(struct pb_ctx *x, const char *name,
    const char *value, const char *const *states, pb_item_fn fn,
    void *arg) FX_WUR;

/* 1 when the instance is terminated or shutting down (or has no state) */
int pb_ec2_util_ended(const json_t *inst);

/* the instance's security group ids (new array; NULL on ENOMEM) */
json_t *pb_ec2_util_group_ids(const json_t *inst);

/*
 * "sg-1,sg-2" -> ["sg-1","sg-2"] (new array): every id starts with
 * prefix, is at most 64 bytes, at most max of them; NULL when v is
 * malformed, empty, or on ENOMEM.
 */
json_t *pb_ec2_util_ids_split(const char *v, const char *prefix, size_t max);
/* an array of id strings joined with ',' into out (hard cap: cap) */
fx_err pb_ec2_util_ids_join(const json_t *ids, size_t cap,
    struct buf *out) FX_WUR;

/* the value of tag `key` in an EC2 "tagSet" list, or NULL */
const char *pb_ec2_util_tag(const json_t *tag_set, const char *key);

/*
 * pb_found for an EC2 resource obj of ARN type `type` (ec2 ARN of x's
 * account and region), with obj's tagSet as its tags; details stolen
 * (NULL: FX_ENOMEM).
 */
fx_err pb_ec2_util_found(struct pb_ctx *x, struct pb_found_list *found,
    const char *type, const char *id, const char *title, json_t *details,
    const json_t *obj) FX_WUR;
/* the same for an instance, titled "EC2 instance ID (Name) WHAT" */
fx_err pb_ec2_util_found_instance(struct pb_ctx *x, struct pb_found_list *found,
    const json_t *inst, const char *what, json_t *details) FX_WUR;

/* ---- snapshots before a destructive step (ebs-unused, ec2-stopped,
 * ec2-underused) ---------------------------------------------------- */

/* the snapshot id a dry run records: nothing was made */
#define PB_EC2_UTIL_DRY_SNAPSHOT "snap-(dry-run)"

/*
 * A snapshot of volume vid for this finding into sid: one an earlier
 * attempt of the same finding and playbook made (DescribeSnapshots
 * filtered by volume-id and tag:fixit:finding, checked again here), else
 * a new one (CreateSnapshot as the remediator, described "fixit: before
 * BEFORE (finding N)", tagged with the fixit: tags of action "backup"
 * and fixit:source-volume). Not waited for (pb_ec2_util_snap_wait). In a
 * dry run sid is PB_EC2_UTIL_DRY_SNAPSHOT.
 */
fx_err pb_ec2_util_snapshot(struct pb_ctx *x, const char *vid,
    const char *before, char *sid, size_t len) FX_WUR;
/*
 * Poll snapshot sid until completed, bounded by count and time
 * (pb_sto_util_poll: snapshot_poll_ms, snapshot_timeout_s, x->deadline_ms):
 * FX_OK when completed; FX_EREMOTE when it failed, FX_ETIMEOUT when still
 * pending, each with a sentence ending in "; " kept (what was not done:
 * "volume not deleted").
 */
fx_err pb_ec2_util_snap_wait(struct pb_ctx *x, const char *sid,
    const char *kept) FX_WUR;

#endif
