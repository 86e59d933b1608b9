/*
 * pb_ec2_stopped.c - the "ec2-stopped" playbook: EC2 instances stopped
 * for idle_days are snapshotted (every attached EBS volume, waited for
 * until complete), their launch configuration recorded, then
 * terminated; undo registers an image from the snapshots and launches
 * an instance with that configuration (a new instance id).
 *
 * Since when an instance is stopped: its StateTransitionReason ("User
 * initiated (2026-10-01 12:00:00 GMT)"), else the newest CloudTrail
 * StopInstances event of the instance in the last 90 days (what
 * CloudTrail keeps). An instance neither dates is not found: what fixit
 * cannot date it does not terminate.
 *
 * Eligibility (stp_eligible, the same in detect, check and fix): the
 * instance is stopped, EBS-backed, not allow-tagged, launched at least
 * idle_days ago, not managed by something else (an Auto Scaling group,
 * EKS or Karpenter, ECS; a Spot instance), and termination protection
 * (DescribeInstanceAttribute disableApiTermination) is off. IaC-owned
 * (aws:cloudformation:stack-name, events.iac_tags): found, notify only.
 *
 * Parameters (x->params):
 *   idle_days           days stopped before a finding (default 45)
 *   allow_tag           an instance with this tag is never touched
 *                       (default "fixit:allow"; any value)
 *   snapshot_poll_ms    pause between snapshot polls (default 5000)
 *   snapshot_timeout_s  give up waiting for the snapshots after this,
 *                       without terminating (default 900)
 *
 * Steps:
 *   detect  DescribeInstances instance-state-name=stopped (paged); per
 *           instance the stop time (LookupEvents ResourceName=ID,
 *           EventName StopInstances, only when the reason has no time),
 *           then DescribeInstanceAttribute disableApiTermination.
 *   check   DescribeInstances InstanceId.1: gone or terminated -> GONE;
 *           running again or stopped for less than idle_days -> RIGHT; a
 *           guard applies -> KEEP.
 *   fix     the guards again; DescribeVolumes of the instance's volumes;
 *           CreateSnapshot of each (tagged backup; an earlier snapshot of
 *           the same finding is reused), DescribeSnapshots until each
 *           completed (bounded), CreateTags action=terminate,
 *           TerminateInstances. prior: the launch configuration (type,
 *           subnet, zone, groups, profile, key, image, architecture, root
 *           device, tags, each volume with its snapshot) and "usage"
 *           (the EBS the termination removes, the snapshots it adds).
 *           Volumes with DeleteOnTermination false outlive the instance:
 *           they stay (ebs-unused may find them later).
 *   verify  the instance is terminated or shutting down; every snapshot
 *           exists and has not failed.
 *   undo    RegisterImage from the snapshots (name fixit-restore-ID-
 *           FINDING; a retry finds the image by that name), then
 *           RunInstances with the recorded configuration, the user's tags
 *           and fixit:restored-from=<old id>; the message names the new
 *           instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "playbook.h"
#include "pb_ec2_util.h"
#include "pb_ec2_idle.h"
#include "pb_sto_util.h"
#include "banned.h"

#define STP_DAY	  86400
#define STP_TRAIL (90 * STP_DAY) /* CloudTrail's event history */

static const char *const stp_events[] = { "StopInstances", NULL };

struct stp_opts {
	int64_t idle_s;
	const char *allow;
};

static void
stp_opts(struct pb_ctx *x, struct stp_opts *o)
{
	o->idle_s = pb_param_range(x, "idle_days", 45, 1, 3650) * STP_DAY;
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Since when inst is stopped: *t (0: unknown) and where that came from.
 * The reason's time first; CloudTrail only when it has none.
 */
static fx_err
stp_since(struct pb_ctx *x, const json_t *inst, int64_t *t, const char **from)
{
	const char *iid = pb_sto_util_str(inst, "instanceId");

	*from = "state-transition-reason";
	if (pb_ec2_idle_reason_time(aws_j_str(inst, "reason"), t) == FX_OK)
		return FX_OK;
	*from = "cloudtrail";
	return pb_sto_util_trail(x, iid, stp_events, x->now - STP_TRAIL, t);
}

/*
 * The guards of ec2-stopped (playbook.h, eligibility): detect, check and
 * fix call this one function. Termination protection is read last, and
 * only of an instance no other guard exempts.
 */
static fx_err
stp_eligible(struct pb_ctx *x, const struct stp_opts *o, const json_t *inst,
    const json_t *tags, struct pb_elig *e)
{
	const char *st = aws_j_str(inst, "instanceState/name");

	pb_elig_init(e);
	if (st == NULL || strcmp(st, "stopped") != 0)
		pb_elig_exempt(e, "%s, not stopped", st ? st : "of no state");
	pb_elig_tags(x, e, tags, o->allow);
	pb_ec2_idle_managed(inst, tags, e);
	pb_elig_age(x, e, aws_j_str(inst, "launchTime"), o->idle_s);
	if (e->kind == PB_EXEMPT)
		return FX_OK;
	return pb_ec2_idle_protected(x, pb_sto_util_str(inst, "instanceId"), e);
}

/* stp_eligible on inst, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
stp_guards(struct pb_ctx *x, const struct stp_opts *o, const json_t *inst,
    enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *tags;
	char what[96];
	fx_err rc;

	if ((tags = pb_ec2_tags(json_object_get(inst, "tagSet"))) == NULL)
		return FX_ENOMEM;
	rc = stp_eligible(x, o, inst, tags, &e);
	json_decref(tags);
	if (rc != FX_OK)
		return rc;
	snprintf(what, sizeof(what), "instance %s",
	    pb_sto_util_str(inst, "instanceId"));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

/* ---- detect ------------------------------------------------------------- */

struct stp_scan {
	struct stp_opts o;
	struct pb_found_list *found;
};

static fx_err
stp_found(struct stp_scan *sc, struct pb_ctx *x, const json_t *inst,
    int64_t since, const char *from)
{
	char when[21], what[64];
	json_t *d;

	fx_iso8601_format(since, when);
	snprintf(what, sizeof(what), "stopped since %.10s", when);
	d = json_pack("{s:s, s:s, s:s, s:I, s:o}", "instance_type",
	    pb_sto_util_str(inst, "instanceType"), "stopped_since", when,
	    "stopped_since_from", from, "idle_days",
	    (json_int_t)((x->now - since) / STP_DAY), "volumes",
	    pb_ec2_idle_volume_ids(inst));
	return pb_ec2_util_found_instance(x, sc->found, inst, what, d);
}

static fx_err
stp_item(struct pb_ctx *x, const json_t *inst, void *arg)
{
	struct stp_scan *sc = arg;
	const char *iid = aws_j_str(inst, "instanceId"), *from;
	json_t *tags = NULL;
	struct pb_elig e;
	int64_t since = 0;
	fx_err rc;

	if (iid == NULL)
		return FX_OK;
	/* without its stop time an instance is not judged: skip it */
	if ((rc = stp_since(x, inst, &since, &from)) != FX_OK)
		return pb_sto_util_skip(x, rc, iid, "stop events");
	if (since <= 0 || x->now - since < sc->o.idle_s)
		return FX_OK;
	if ((tags = pb_ec2_tags(json_object_get(inst, "tagSet"))) == NULL)
		return FX_ENOMEM;
	rc = stp_eligible(x, &sc->o, inst, tags, &e);
	json_decref(tags);
	if (rc != FX_OK)
		return pb_sto_util_skip(x, rc, iid, "termination protection");
	if (!pb_elig_found(&e))
		return FX_OK;
	return stp_found(sc, x, inst, since, from);
}

static fx_err
stp_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	static const char *const stopped[] = { "stopped", NULL };
	struct stp_scan sc;

	sc.found = found;
	stp_opts(x, &sc.o);
	return pb_ec2_util_instances(x, "root-device-type", "ebs", stopped,
	    stp_item, &sc);
}

/* ---- check -------------------------------------------------------------- */

/* inst (read, not gone): PB_RIGHT when it runs or stopped lately */
static fx_err
stp_still(struct pb_ctx *x, const struct stp_opts *o, const json_t *inst,
    enum pb_verdict *v)
{
	const char *iid = pb_sto_util_str(inst, "instanceId");
	const char *st = aws_j_str(inst, "instanceState/name"), *from;
	int64_t since = 0;
	fx_err rc;

	if (st != NULL && strcmp(st, "stopped") != 0 &&
	    strcmp(st, "stopping") != 0) {
		pb_say(x, "instance %s is %s again", iid, st);
		*v = PB_RIGHT;
		return FX_OK;
	}
	if ((rc = stp_since(x, inst, &since, &from)) != FX_OK)
		return rc;
	if (since <= 0 || x->now - since < o->idle_s) {
		if (since <= 0)
			pb_say(x, "instance %s: when it stopped is not known",
			    iid);
		else
			pb_say(x, "instance %s stopped %lld days ago", iid,
			    (long long)((x->now - since) / STP_DAY));
		*v = PB_RIGHT;
	}
	return FX_OK;
}

static fx_err
stp_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct stp_opts o;
	const json_t *inst = NULL;
	const char *iid;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	stp_opts(x, &o);
	rc = pb_ec2_util_finding(x, finding, &resp, &iid, &inst);
	if (rc != FX_OK)
		goto out;
	if ((*v = pb_ec2_util_gone(x, inst)) != PB_WRONG)
		goto out;
	if ((rc = stp_still(x, &o, inst, v)) != FX_OK || *v != PB_WRONG)
		goto out;
	rc = stp_guards(x, &o, inst, v);
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

/* pb_ec2_idle_fix's guards: stp_guards */
static fx_err
stp_fix_guards(struct pb_ctx *x, const void *opts, const json_t *inst,
    enum pb_verdict *v)
{
	return stp_guards(x, opts, inst, v);
}

static fx_err
stp_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct stp_opts o;
	struct pb_ec2_idle_fix f = { "stopped", stp_fix_guards, &o, 0 };

	stp_opts(x, &o);
	return pb_ec2_idle_fix(x, finding, &f, prior);
}

const struct pb_def pb_ec2_stopped = {
	.name = "ec2-stopped",
	.summary = "snapshot the volumes, then terminate EC2 instances "
		   "stopped for idle_days",
	.irreversible = 0,
	.detect = stp_detect,
	.check = stp_check,
	.fix = stp_fix,
	.verify = pb_ec2_idle_verify,
	.undo = pb_ec2_idle_undo,
};
