/*
 * pb_ec2_idle.h - what the playbooks that terminate idle EC2 instances
 * (ec2-stopped, ec2-underused) share: the guards of an instance managed
 * by something else or protected, the stop time in a state-transition
 * reason, the prior state (the launch configuration and every volume),
 * the snapshots, the termination, verify and undo.
 *
 * The prior state (pb_ec2_idle_prior), what undo needs:
 *   instance_id, launch_time, instance_type, image_id, architecture,
 *   subnet_id, availability_zone, security_groups [ids],
 *   iam_instance_profile_arn, key_name, root_device_name, ena_support,
 *   ebs_optimized, metadata_options {http_tokens, http_endpoint,
 *   hop_limit}, tags (the user's), volumes [{device, volume_id, size,
 *   volume_type, iops, throughput, encrypted, kms_key_id,
 *   delete_on_termination, snapshot_id}], and after the fix "usage"
 *   (the savings contract: what the termination removes and adds).
 */
#ifndef FIXIT_PB_EC2_IDLE_H
#define FIXIT_PB_EC2_IDLE_H

#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

#define PB_EC2_IDLE_MAX_VOLUMES 32 /* attached volumes a fix handles */

/*
 * The time in an EC2 StateTransitionReason ("User initiated (2026-10-01
 * 12:00:00 GMT)"); FX_EINVAL when it holds none (reason may be NULL).
 */
fx_err pb_ec2_idle_reason_time(const char *reason, int64_t *t) FX_WUR;

/*
 * The guard of an instance something else manages (an Auto Scaling
 * group, EKS or Karpenter, ECS, the Spot service), from its tags and its
 * instanceLifecycle: exempt in e.
 */
void pb_ec2_idle_managed(const json_t *inst, const json_t *tags,
    struct pb_elig *e);

/*
 * The guard of termination protection: DescribeInstanceAttribute
 * disableApiTermination (auditor) true -> exempt in e. An error of the
 * read is returned (the guard is then not known: the caller keeps).
 */
fx_err pb_ec2_idle_protected(struct pb_ctx *x, const char *iid,
    struct pb_elig *e) FX_WUR;

/* the ids of inst's EBS volumes (new array; NULL on ENOMEM) */
json_t *pb_ec2_idle_volume_ids(const json_t *inst);

/*
 * *prior = inst's launch configuration and volumes (DescribeVolumes,
 * auditor) as above, without snapshot ids yet (new object). FX_ETOOBIG
 * (with a pb_say) past PB_EC2_IDLE_MAX_VOLUMES volumes.
 */
fx_err pb_ec2_idle_prior(struct pb_ctx *x, const json_t *inst,
    json_t **prior) FX_WUR;

/*
 * A snapshot of every volume of prior (pb_ec2_util_snapshot: all started
 * first, then each waited for), its id put in the volume's snapshot_id.
 * kept: what a failed wait leaves undone ("instance not terminated").
 */
fx_err pb_ec2_idle_backup(struct pb_ctx *x, json_t *prior,
    const char *kept) FX_WUR;

/*
 * prior's "usage" (the savings contract): ec2_instance_hour (class the
 * type, 730) when instance_hours, ebs_gb per volume deleted with the
 * instance (class its type), snapshot_gb (class "ebs", negative) per
 * snapshot kept for the undo.
 */
fx_err pb_ec2_idle_usage(json_t *prior, int instance_hours) FX_WUR;

/* CreateTags action=terminate (tagger), TerminateInstances (remediator) */
fx_err pb_ec2_idle_terminate(struct pb_ctx *x, const char *iid) FX_WUR;

/*
 * The fix of both playbooks: the instance re-read (finding's resource)
 * must be in state `want` and pass guards(x, opts, inst, &v) again
 * (never on an answer that changed since the check); then prior,
 * backup, usage (instance_hours as pb_ec2_idle_usage), terminate.
 */
struct pb_ec2_idle_fix {
	const char *want; /* "stopped", "running" */
	fx_err (*guards)(struct pb_ctx *x, const void *opts, const json_t *inst,
	    enum pb_verdict *v);
	const void *opts;
	int instance_hours;
};
fx_err pb_ec2_idle_fix(struct pb_ctx *x, const json_t *finding,
    const struct pb_ec2_idle_fix *f, json_t **prior) FX_WUR;

/* pb_def.verify: the instance is gone, terminated or shutting down, and
 * every snapshot of prior exists and has not failed */
fx_err pb_ec2_idle_verify(struct pb_ctx *x, const json_t *finding,
    const json_t *prior, int *ok) FX_WUR;

/* pb_def.undo: RegisterImage from the snapshots, RunInstances with the
 * recorded configuration (a new instance id, said in x->msg) */
fx_err pb_ec2_idle_undo(struct pb_ctx *x, const json_t *finding,
    const json_t *prior) FX_WUR;

#endif
