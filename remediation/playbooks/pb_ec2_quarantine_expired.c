/*
 * pb_ec2_quarantine_expired.c - playbook "ec2-quarantine-expired": an
 * instance still quarantined (by ec2-quarantine) long after the
 * quarantine is terminated, unless its owner took an exception.
 *
 * Provenance decides, never a tag: anyone allowed to tag an instance can
 * write fixit:quarantine=applied and a back-dated fixit:quarantined-at.
 * An instance may be terminated only when fixitd's own records
 * (x->prov, read by the aws executor before each step: pb_def.provenance
 * = "ec2-quarantine") hold an ec2-quarantine finding for it that
 *   - is fixed, not undone nor asked to be undone, and was no dry run;
 *   - recorded the instance's LaunchTime (its prior state's launch_time)
 *     equal to the instance's now: an instance id AWS gave to a later
 *     instance, or a quarantine recorded before the launch time was,
 *     does not match (stopping and starting an instance moves its
 *     LaunchTime too: such an instance is left for people to decide);
 *   - was fixed (its audit row fixing -> fixed) more than
 *     terminate_after_days ago;
 * and, for the fix, no exception covers this playbook's finding. The
 * tag fixit:quarantine=applied stays a hint: detection lists only tagged
 * instances (a quarantine released by hand ends there), and the IAM
 * guard of deploy/iam allows TerminateInstances only on it (defence in
 * depth). A tagged instance without such a record is logged as a
 * suspicious tag and never becomes a finding.
 *
 *   detect  DescribeInstances, Filter tag:fixit:quarantine = applied and
 *           instance-state-name = running | stopped (paged); one finding
 *           per instance whose record is older than the threshold (an
 *           excepted one too: the state machine keeps its exception).
 *   check   DescribeInstances InstanceId.1: NotFound, terminated or
 *           shutting-down -> GONE; no longer fixit:quarantine=applied
 *           (released), no record, another instance, quarantined for
 *           less than terminate_after_days, or excepted -> RIGHT, with
 *           the reason in the history.
 *   fix     re-reads the instance and refuses (FX_ECONFLICT) unless the
 *           same rule still holds; CreateTags fixit:action=terminate
 *           (fixit:quarantined-at = the recorded date), then
 *           TerminateInstances InstanceId.1.
 *           prior {"instance_id", "instance_type", "tags", "groups",
 *           "image_id", "launch_time", "quarantined_at",
 *           "quarantine_finding"}: what the instance was and which
 *           record justified it; nothing can bring it back.
 *   verify  DescribeInstances: shutting-down or terminated (or NotFound).
 *   undo    none: a terminated instance and its instance-store data are
 *           gone (EBS volumes follow their DeleteOnTermination flag).
 *
 * Parameters:
 *   terminate_after_days  quarantine age, in days, after which the
 *                         instance is terminated (default 30; 1..3650)
 */
#include <stdio.h>
#include <string.h>

#include "fxlog.h"
#include "fxprov.h"
#include "fxtime.h"
#include "pb_ec2_util.h"
#include "playbook.h"
#include "banned.h"

#define QX_TAG_STATE "fixit:quarantine"
#define QX_TAG_AT    "fixit:quarantined-at"
#define QX_DAY	     86400

/* what fixitd's records and the instance say about its quarantine */
enum qx_why {
	QX_EXPIRED = 0, /* may be terminated */
	QX_EXCEPTED,	/* expired, but an exception covers it */
	QX_YOUNG,	/* quarantined for less than the threshold */
	QX_RELEASED,	/* no longer tagged fixit:quarantine=applied */
	QX_NO_RECORD,	/* fixitd never quarantined it (or undid it) */
	QX_OTHER	/* the record is of another instance (launch time) */
};

struct qx {
	enum qx_why why;
	const struct fx_prov *p; /* borrowed from x->prov; NULL none */
	int64_t days;		 /* whole days since the recorded fix */
};

static int64_t
qx_after_days(const struct pb_ctx *x)
{
	return pb_param_clamp(x, "terminate_after_days", 30, 1, 3650);
}

/* 1 when the instance was launched when the quarantine recorded */
static int
same_launch(const json_t *inst, const struct fx_prov *p)
{
	int64_t now_t, rec_t;

	if (p->launch_time == NULL ||
	    fx_iso8601_parse(aws_j_str(inst, "launchTime"), &now_t) != FX_OK ||
	    fx_iso8601_parse(p->launch_time, &rec_t) != FX_OK)
		return 0;
	return now_t == rec_t;
}

/*
 * The one eligibility rule of detect, check and fix (see the header):
 * inst against x->prov.
 */
static void
qx_read(const struct pb_ctx *x, const json_t *inst, struct qx *q)
{
	const json_t *ts = aws_j_list(inst, "tagSet");

	memset(q, 0, sizeof(*q));
	q->p = fx_prov_find(x->prov, aws_j_str(inst, "instanceId"));
	if (!pb_str_is(pb_ec2_util_tag(ts, QX_TAG_STATE), "applied"))
		q->why = QX_RELEASED;
	else if (q->p == NULL || q->p->fixed_at <= 0 || q->p->fixed_at > x->now)
		q->why = QX_NO_RECORD;
	else if (!same_launch(inst, q->p))
		q->why = QX_OTHER;
	else if (x->now - q->p->fixed_at <= qx_after_days(x) * QX_DAY)
		q->why = QX_YOUNG;
	else if (q->p->excepted)
		q->why = QX_EXCEPTED;
	else
		q->why = QX_EXPIRED;
	if (q->p != NULL && q->p->fixed_at > 0 && q->p->fixed_at <= x->now)
		q->days = (x->now - q->p->fixed_at) / QX_DAY;
}

/* a tag that claims what fixitd's records do not: for people to look */
static void
qx_suspicious(const struct pb_ctx *x, const json_t *inst, const struct qx *q)
{
	if (q->why != QX_NO_RECORD && q->why != QX_OTHER)
		return;
	log_warnx("%s: %s in %s/%s: instance %s is tagged %s=applied but %s: "
		  "suspicious tag, left alone",
	    __func__, x->playbook, x->account_id, x->region,
	    aws_j_str(inst, "instanceId"), QX_TAG_STATE,
	    q->why == QX_OTHER
		? "fixitd's quarantine record is of another instance "
		  "(launch time differs or was not recorded)"
	    : x->prov == NULL ? "fixitd's records were not available"
			      : "fixitd has no record of quarantining it");
}

/* ---- detect ----------------------------------------------------------- */

static fx_err
detect_instance(struct pb_ctx *x, const json_t *inst, void *found)
{
	struct qx q;
	char when[21], what[64];
	const char *id = aws_j_str(inst, "instanceId");

	/* the filter chose already; an answer that ignored it is checked */
	if (id == NULL || *id == '\0' || pb_ec2_util_ended(inst))
		return FX_OK;
	qx_read(x, inst, &q);
	qx_suspicious(x, inst, &q);
	if (q.why != QX_EXPIRED && q.why != QX_EXCEPTED)
		return FX_OK;
	fx_iso8601_format(q.p->fixed_at, when);
	/* the date alone: "2024-05-01" */
	snprintf(what, sizeof(what), "has been quarantined since %.10s", when);
	return pb_ec2_util_found_instance(x, found, inst, what,
	    json_pack("{s:s, s:I, s:I, s:I, s:s?, s:s?}", "quarantined_at",
		when, "days", (json_int_t)q.days, "terminate_after_days",
		(json_int_t)qx_after_days(x), "quarantine_finding",
		(json_int_t)q.p->finding_id, "instance_type",
		aws_j_str(inst, "instanceType"), "state",
		aws_j_str(inst, "instanceState/name")));
}

static fx_err
qx_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	static const char *const states[] = { "running", "stopped", NULL };

	return pb_ec2_util_instances(x, "tag:" QX_TAG_STATE, "applied", states,
	    detect_instance, found);
}

/* ---- check ------------------------------------------------------------ */

/* 1 when inst may be terminated; else a pb_say sentence says why not */
static int
qx_still_expired(struct pb_ctx *x, const json_t *inst, struct qx *q)
{
	qx_read(x, inst, q);
	qx_suspicious(x, inst, q);
	switch (q->why) {
	case QX_EXPIRED:
		break;
	case QX_EXCEPTED:
		pb_say(x, "an exception covers it");
		break;
	case QX_YOUNG:
		pb_say(x, "quarantined for %lld days only (threshold %lld)",
		    (long long)q->days, (long long)qx_after_days(x));
		break;
	case QX_RELEASED:
		pb_say(x, "no longer quarantined (released)");
		break;
	case QX_NO_RECORD:
		pb_say(x,
		    "fixitd has no record of quarantining it: its %s tag "
		    "alone does not justify terminating it",
		    QX_TAG_STATE);
		break;
	case QX_OTHER:
		pb_say(x,
		    "fixitd's quarantine #%lld was of an instance launched "
		    "at %s, not of this one",
		    (long long)q->p->finding_id,
		    q->p->launch_time ? q->p->launch_time
				      : "an unrecorded time");
		break;
	}
	return q->why == QX_EXPIRED;
}

static fx_err
qx_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct qx q;
	const json_t *inst = NULL;
	const char *id;
	fx_err rc;

	aws_resp_init(&resp);
	*v = PB_WRONG;
	rc = pb_ec2_util_finding(x, finding, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	*v = pb_ec2_util_gone(x, inst);
	if (*v != PB_WRONG)
		goto out;
	if (!qx_still_expired(x, inst, &q))
		*v = PB_RIGHT;
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix -------------------------------------------------------------- */

/* what the instance was: the prior state (new object; NULL on ENOMEM) */
static json_t *
qx_prior(const struct pb_ctx *x, const json_t *inst, const char *when,
    int64_t quarantine)
{
	json_t *p;

	p = json_pack("{s:s?, s:s?, s:o, s:o, s:s?, s:s?, s:s, s:I}",
	    "instance_id", aws_j_str(inst, "instanceId"), "instance_type",
	    aws_j_str(inst, "instanceType"), "tags",
	    pb_ec2_tags(aws_j_list(inst, "tagSet")), "groups",
	    pb_ec2_util_group_ids(inst), "image_id", aws_j_str(inst, "imageId"),
	    "launch_time", aws_j_str(inst, "launchTime"), "quarantined_at",
	    when, "quarantine_finding", (json_int_t)quarantine);
	if (p != NULL && pb_would(x, p, "terminate the instance") != FX_OK) {
		json_decref(p);
		p = NULL;
	}
	return p;
}

/* TerminateInstances InstanceId.1 = id; says the state AWS answered */
static fx_err
qx_terminate(struct pb_ctx *x, const char *id)
{
	struct aws_resp resp;
	const char *st;
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "TerminateInstances",
	    json_pack("{s:s}", "InstanceId.1", id), 1, &resp);
	if (rc != FX_OK || x->dry_run)
		goto out;
	st = aws_j_str(json_array_get(aws_j_list(resp.doc, "instancesSet"), 0),
	    "currentState/name");
	pb_say(x, "terminated %s (%s)", id,
	    st != NULL ? st
		       : "state not "
			 "given");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
qx_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	struct qx q;
	const json_t *inst = NULL;
	const char *id;
	char when[21];
	json_t *p = NULL, *extra = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	*prior = NULL;
	rc = pb_ec2_util_finding(x, finding, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	if (inst == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	/* irreversible: what check saw must still hold */
	if (pb_ec2_util_ended(inst) || !qx_still_expired(x, inst, &q)) {
		pb_say(x, "not terminated");
		rc = FX_ECONFLICT;
		goto out;
	}
	fx_iso8601_format(q.p->fixed_at, when);
	rc = FX_ENOMEM;
	p = qx_prior(x, inst, when, q.p->finding_id);
	if (p == NULL)
		goto out;
	extra = json_pack("{s:s}", QX_TAG_AT, when);
	if (extra == NULL)
		goto out;
	/* the date stays readable for a retry (fixit:action changes) */
	rc = pb_tag_ec2(x, id, "terminate", extra);
	if (rc != FX_OK)
		goto out;
	rc = qx_terminate(x, id);
	if (rc != FX_OK)
		goto out;
	if (x->dry_run)
		pb_say(x, "would terminate %s, quarantined %lld days", id,
		    (long long)q.days);
	*prior = p;
	p = NULL;
out:
	json_decref(extra);
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

/* ---- verify ----------------------------------------------------------- */

static fx_err
qx_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *id, *st;
	fx_err rc;

	(void)prior;
	aws_resp_init(&resp);
	*ok = 0;
	rc = pb_ec2_util_finding(x, finding, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	st = aws_j_str(inst, "instanceState/name");
	if (inst == NULL || pb_str_is(st, "shutting-down") ||
	    pb_str_is(st, "terminated")) {
		*ok = 1;
		pb_say(x, "verified: %s", inst != NULL ? st : "gone");
	} else {
		pb_say(x, "the instance is still %s",
		    st != NULL ? st : "in no known state");
	}
out:
	aws_resp_release(&resp);
	return rc;
}

const struct pb_def pb_ec2_quarantine_expired = {
	.name = "ec2-quarantine-expired",
	.summary = "terminate an EC2 instance still quarantined after "
		   "terminate_after_days (default 30)",
	.irreversible = 1,
	.provenance = "ec2-quarantine",
	.detect = qx_detect,
	.check = qx_check,
	.fix = qx_fix,
	.verify = qx_verify,
	.undo = NULL,
};
