/*
 * pb_ec2_underused.c - the "ec2-underused" playbook: running EC2
 * instances whose daily average CPU stayed under cpu_percent and whose
 * network traffic stayed under network_mb_per_day every day for
 * idle_days (the low-utilisation rule of AWS Trusted Advisor, over the
 * whole window). The finding shows the numbers.
 *
 * Who may be terminated: only an instance fixitd has watched since its
 * launch, by its own records (pb_def.watch: the executor keeps when each
 * instance was first seen, x->seen; first seen within
 * first_seen_slack_hours of its launchTime). Those are snapshotted (every
 * volume, waited for) and terminated after the playbook's grace; undo
 * launches the recorded configuration again, as ec2-stopped does. An
 * instance older than fixitd's watch is only notified (details
 * notify_only; its check keeps it), with Compute Optimizer's recommended
 * type when the account has opted in; it is never terminated. A tag
 * never makes an instance "new": only fixitd's records do.
 *
 * Eligibility (und_eligible, the same in detect, check and fix): the
 * instance is running, EBS-backed, not allow-tagged, launched at least
 * idle_days ago, not managed by something else (an Auto Scaling group,
 * EKS or Karpenter, ECS; a Spot instance); termination protection
 * exempts it (read only for an instance that could be terminated).
 * IaC-owned (aws:cloudformation:stack-name, events.iac_tags) and older
 * than the watch: found, notify only.
 *
 * CloudWatch (AWS/EC2, dimension InstanceId, one datapoint a day over
 * idle_days): CPUUtilization Average, NetworkIn and NetworkOut Sum. No
 * datapoints, or fewer than idle_days - 1 days of CPU, is not idle but
 * unknown: nothing is found. Network: the highest day in plus the
 * highest day out, an upper bound of any day's total.
 *
 * Parameters (x->params):
 *   idle_days               the window, days (default 45, at most 1440)
 *   cpu_percent             daily average CPU under this (default 10)
 *   network_mb_per_day      daily traffic under this, MB of 10^6 bytes
 *                           (default 5)
 *   first_seen_slack_hours  first seen at most this long after launch
 *                           counts as watched since launch (default 48:
 *                           a daily scan sees a new instance within a
 *                           day)
 *   allow_tag               never touched with this tag (fixit:allow)
 *   snapshot_poll_ms, snapshot_timeout_s   the snapshot wait
 *
 * Steps:
 *   detect  DescribeInstances root-device-type=ebs, states pending,
 *           running, stopping, stopped (paged): every one is a sighting
 *           (pb_first_seen); a running eligible one is measured
 *           (GetMetricStatistics x3), and an underused one older than
 *           the watch asks Compute Optimizer (GetEC2InstanceRecommendations;
 *           OptInRequiredException: no recommendation).
 *   check   DescribeInstances InstanceId.1: gone or terminated -> GONE;
 *           stopped, or used again -> RIGHT; a guard applies, or older
 *           than the watch -> KEEP.
 *   fix     the guards again, then as ec2-stopped: DescribeVolumes,
 *           CreateSnapshot each, wait, CreateTags action=terminate,
 *           TerminateInstances; prior: the launch configuration and the
 *           usage (instance hours, EBS removed, snapshots added).
 *   verify  terminated, snapshots kept.   undo  RegisterImage,
 *           RunInstances (a new instance id).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "pb_cw.h"
#include "playbook.h"
#include "pb_ec2_idle.h"
#include "pb_ec2_util.h"
#include "pb_sto_util.h"
#include "banned.h"

#define UND_DAY 86400
#define UND_MB	1000000.0

struct und_opts {
	int64_t days;
	int64_t cpu;	/* percent */
	int64_t net_mb; /* a day */
	int64_t slack;	/* seconds */
	const char *allow;
};

/* the numbers over the window */
struct und_use {
	size_t days;	/* CPU datapoints */
	double cpu_max; /* highest daily average, percent */
	double net_max; /* highest day in + highest day out, bytes */
};

static void
und_opts(struct pb_ctx *x, struct und_opts *o)
{
	o->days = pb_param_range(x, "idle_days", 45, 1, 1440);
	o->cpu = pb_param_range(x, "cpu_percent", 10, 1, 100);
	o->net_mb = pb_param_range(x, "network_mb_per_day", 5, 1, 1000000);
	o->slack =
	    pb_param_range(x, "first_seen_slack_hours", 48, 1, 720) * 3600;
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
}

/* ---- reading ------------------------------------------------------------ */

/*
 * Whether fixitd has watched inst since its launch: first seen (its own
 * record) within the slack of launchTime.
 */
static int
und_watched(struct pb_ctx *x, const struct und_opts *o, const json_t *inst,
    int64_t *first)
{
	int64_t launch;

	*first = pb_first_seen(x, aws_j_str(inst, "instanceId"));
	if (*first <= 0 ||
	    fx_iso8601_parse(aws_j_str(inst, "launchTime"), &launch) != FX_OK)
		return 0;
	return *first - launch <= o->slack;
}

/*
 * The guards of ec2-underused (playbook.h, eligibility), shared by
 * detect, check and fix. Older than the watch: a finding that only
 * notifies (kind PB_IAC_OWNED: "a finding that only notifies").
 */
static fx_err
und_eligible(struct pb_ctx *x, const struct und_opts *o, const json_t *inst,
    const json_t *tags, struct pb_elig *e)
{
	const char *st = aws_j_str(inst, "instanceState/name");
	const char *rdt = aws_j_str(inst, "rootDeviceType");
	char when[21];
	int64_t first;

	pb_elig_init(e);
	if (st == NULL || strcmp(st, "running") != 0)
		pb_elig_exempt(e, "%s, not running", st ? st : "of no state");
	if (rdt != NULL && strcmp(rdt, "ebs") != 0)
		pb_elig_exempt(e, "not EBS-backed");
	pb_elig_tags(x, e, tags, o->allow);
	pb_ec2_idle_managed(inst, tags, e);
	pb_elig_age(x, e, aws_j_str(inst, "launchTime"), o->days * UND_DAY);
	if (e->kind != PB_ELIGIBLE)
		return FX_OK;
	if (!und_watched(x, o, inst, &first)) {
		e->kind = PB_IAC_OWNED;
		if (first > 0) {
			fx_iso8601_format(first, when);
			snprintf(e->why, sizeof(e->why),
			    "launched before fixit watched it (first seen "
			    "%.10s): only notified",
			    when);
		} else
			snprintf(e->why, sizeof(e->why),
			    "fixit has no record of watching it since its "
			    "launch: only notified");
		return FX_OK;
	}
	return pb_ec2_idle_protected(x, pb_sto_util_str(inst, "instanceId"), e);
}

static fx_err
und_guards(struct pb_ctx *x, const struct und_opts *o, const json_t *inst,
    enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *tags;
	char what[96];
	fx_err rc;

	if ((tags = pb_ec2_tags(json_object_get(inst, "tagSet"))) == NULL)
		return FX_ENOMEM;
	rc = und_eligible(x, o, inst, tags, &e);
	json_decref(tags);
	if (rc != FX_OK)
		return rc;
	snprintf(what, sizeof(what), "instance %s",
	    pb_sto_util_str(inst, "instanceId"));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

/* one metric of iid, daily stat: *n datapoints, *max the highest */
static fx_err
und_metric(struct pb_ctx *x, const struct und_opts *o, const char *iid,
    const char *metric, const char *stat, size_t *n, double *max)
{
	const struct pb_cw_q q = { "AWS/EC2", metric, stat,
		{ "InstanceId", iid, NULL, NULL }, o->days };
	struct pb_cw_days d;
	fx_err rc = pb_cw_daily(x, &q, &d);

	*n = d.points;
	/* an unreadable day counts as a busy one */
	*max = d.unknown > 0 ? INFINITY : d.max;
	return rc;
}

static fx_err
und_usage(struct pb_ctx *x, const struct und_opts *o, const char *iid,
    struct und_use *u)
{
	size_t n;
	double in = 0, out = 0;
	fx_err rc;

	memset(u, 0, sizeof(*u));
	rc = und_metric(x, o, iid, "CPUUtilization", "Average", &u->days,
	    &u->cpu_max);
	if (rc == FX_OK)
		rc = und_metric(x, o, iid, "NetworkIn", "Sum", &n, &in);
	if (rc == FX_OK)
		rc = und_metric(x, o, iid, "NetworkOut", "Sum", &n, &out);
	u->net_max = in + out;
	return rc;
}

/* 0 underused; else why not (for check) */
static const char *
und_judge(const struct und_opts *o, const struct und_use *u)
{
	if (u->days == 0 || (int64_t)u->days + 1 < o->days)
		return "too few CloudWatch datapoints: not counted as idle";
	if (u->cpu_max >= (double)o->cpu)
		return "its CPU was used";
	if (u->net_max >= (double)o->net_mb * UND_MB)
		return "its network was used";
	return NULL;
}

/* Compute Optimizer's first-ranked type for arn, into out ("" none) */
static fx_err
und_recommend(struct pb_ctx *x, const char *arn, char *out, size_t len)
{
	struct aws_resp resp;
	const json_t *r, *opt;
	const char *t;
	json_int_t best = 0, rank;
	size_t mark = pb_msg_mark(x), i, j;
	fx_err rc;

	out[0] = '\0';
	rc = pb_query(x, PB_AUDITOR, AWS_COMPUTE_OPTIMIZER,
	    "GetEC2InstanceRecommendations",
	    json_pack("{s:[s]}", "instanceArns", arn), 0, &resp);
	if (rc == FX_ENOMEM)
		goto out;
	/* not opted in, not allowed, unavailable: no recommendation */
	if (rc != FX_OK) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
		goto out;
	}
	json_array_foreach(json_object_get(resp.doc, "instanceRecommendations"),
	    i, r) {
		json_array_foreach(json_object_get(r, "recommendationOptions"),
		    j, opt) {
			t = json_string_value(
			    json_object_get(opt, "instanceType"));
			rank = json_integer_value(json_object_get(opt, "rank"));
			if (t != NULL && (best == 0 || rank < best)) {
				best = rank > 0 ? rank : 1;
				snprintf(out, len, "%s", t);
			}
		}
	}
out:
	aws_resp_release(&resp);
	return rc;
}

/* v to 1/scale (v >= 0; no libm) */
static double
und_round(double v, double scale)
{
	if (!isfinite(v) || v > 1e15)
		return v;
	return (double)(int64_t)(v * scale + 0.5) / scale;
}

/* ---- detect ------------------------------------------------------------- */

struct und_scan {
	struct und_opts o;
	struct pb_found_list *found;
};

static fx_err
und_found(struct und_scan *sc, struct pb_ctx *x, const json_t *inst,
    const struct und_use *u, const struct pb_elig *e)
{
	const char *iid = pb_sto_util_str(inst, "instanceId");
	char what[160], rec[64], when[21], *arn = NULL;
	int64_t first = pb_first_seen(x, iid);
	json_t *d;
	fx_err rc = FX_OK;

	rec[0] = '\0';
	if (e->kind != PB_ELIGIBLE &&
	    (arn = pb_ec2_arn(x, "instance", iid)) != NULL)
		rc = und_recommend(x, arn, rec, sizeof(rec));
	free(arn);
	if (rc != FX_OK)
		return rc;
	fx_iso8601_format(first, when);
	snprintf(what, sizeof(what),
	    "underused: CPU under %.1f %%, network under %.1f MB a day for "
	    "%lld days",
	    u->cpu_max, u->net_max / UND_MB, (long long)sc->o.days);
	d = json_pack("{s:s, s:f, s:f, s:I, s:I, s:s?, s:b, s:s?, s:s?}",
	    "instance_type", pb_sto_util_str(inst, "instanceType"),
	    "cpu_max_percent", und_round(u->cpu_max, 10), "network_max_mb",
	    und_round(u->net_max / UND_MB, 100), "days", (json_int_t)sc->o.days,
	    "datapoints", (json_int_t)u->days, "first_seen",
	    first > 0 ? when : NULL, "watched_since_launch",
	    e->kind == PB_ELIGIBLE, "recommended_type",
	    rec[0] != '\0' ? rec : NULL, "only_notified",
	    e->kind != PB_ELIGIBLE ? e->why : NULL);
	if (d != NULL && e->kind != PB_ELIGIBLE &&
	    json_object_set_new(d, "notify_only", json_true()) != 0) {
		json_decref(d);
		d = NULL;
	}
	return pb_ec2_util_found_instance(x, sc->found, inst, what, d);
}

static fx_err
und_item(struct pb_ctx *x, const json_t *inst, void *arg)
{
	struct und_scan *sc = arg;
	const char *iid = aws_j_str(inst, "instanceId");
	struct und_use u;
	struct pb_elig e;
	json_t *tags;
	fx_err rc;

	if (iid == NULL)
		return FX_OK;
	(void)pb_first_seen(x, iid); /* every instance: a sighting */
	if ((tags = pb_ec2_tags(json_object_get(inst, "tagSet"))) == NULL)
		return FX_ENOMEM;
	rc = und_eligible(x, &sc->o, inst, tags, &e);
	json_decref(tags);
	if (rc != FX_OK)
		return pb_sto_util_skip(x, rc, iid, "termination protection");
	if (!pb_elig_found(&e))
		return FX_OK;
	if ((rc = und_usage(x, &sc->o, iid, &u)) != FX_OK)
		return pb_sto_util_skip(x, rc, iid, "metrics");
	if (und_judge(&sc->o, &u) != NULL)
		return FX_OK;
	return und_found(sc, x, inst, &u, &e);
}

static fx_err
und_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	static const char *const states[] = { "pending", "running", "stopping",
		"stopped", NULL };
	struct und_scan sc;

	sc.found = found;
	und_opts(x, &sc.o);
	return pb_ec2_util_instances(x, "root-device-type", "ebs", states,
	    und_item, &sc);
}

/* ---- check and fix ------------------------------------------------------ */

static fx_err
und_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct und_opts o;
	struct und_use u;
	const json_t *inst = NULL;
	const char *iid, *st, *why;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	und_opts(x, &o);
	rc = pb_ec2_util_finding(x, finding, &resp, &iid, &inst);
	if (rc != FX_OK || (*v = pb_ec2_util_gone(x, inst)) != PB_WRONG)
		goto out;
	st = aws_j_str(inst, "instanceState/name");
	if (st != NULL && strcmp(st, "running") != 0) {
		pb_say(x, "instance %s is %s: it costs no instance hours", iid,
		    st);
		*v = PB_RIGHT;
		goto out;
	}
	if ((rc = und_guards(x, &o, inst, v)) != FX_OK || *v != PB_WRONG)
		goto out;
	if ((rc = und_usage(x, &o, iid, &u)) != FX_OK)
		goto out;
	if ((why = und_judge(&o, &u)) != NULL) {
		pb_say(x,
		    "instance %s: %s (CPU up to %.1f %%, network up to %.1f "
		    "MB a day)",
		    iid, why, u.cpu_max, u.net_max / UND_MB);
		*v = PB_RIGHT;
	}
out:
	aws_resp_release(&resp);
	return rc;
}

/* pb_ec2_idle_fix's guards: und_guards */
static fx_err
und_fix_guards(struct pb_ctx *x, const void *opts, const json_t *inst,
    enum pb_verdict *v)
{
	return und_guards(x, opts, inst, v);
}

static fx_err
und_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct und_opts o;
	struct pb_ec2_idle_fix f = { "running", und_fix_guards, &o, 1 };

	und_opts(x, &o);
	return pb_ec2_idle_fix(x, finding, &f, prior);
}

const struct pb_def pb_ec2_underused = {
	.name = "ec2-underused",
	.summary = "snapshot, then terminate EC2 instances fixit watched "
		   "since launch that stayed idle for idle_days; notify "
		   "about older ones",
	.irreversible = 0,
	.detect = und_detect,
	.check = und_check,
	.fix = und_fix,
	.verify = pb_ec2_idle_verify,
	.undo = pb_ec2_idle_undo,
	.watch = 1,
};
