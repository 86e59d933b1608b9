/*
 * pb_ec2_quarantine_expired.c - playbook "ec2-quarantine-expired": an
 * instance still quarantined (by ec2-quarantine) long after the
 * quarantine is terminated, unless its owner took an exception.
 *
 *   when    the quarantine happened at fixit:quarantined-at (ISO 8601,
 *           written by ec2-quarantine with fixit:quarantine=applied); an
 *           instance quarantined before that tag existed: fixit:time,
 *           but only while fixit:action is "quarantine" (any later
 *           fixit: tagging moves fixit:time). Neither, unreadable or in
 *           the future: the date is unknown and the instance is left
 *           alone (never guess toward terminating).
 *   detect  DescribeInstances, Filter tag:fixit:quarantine = applied and
 *           instance-state-name = running | stopped (paged); one finding
 *           per instance quarantined more than terminate_after_days ago.
 *   check   DescribeInstances InstanceId.1: NotFound, terminated or
 *           shutting-down -> GONE; no longer fixit:quarantine=applied
 *           (released), quarantined for less than terminate_after_days
 *           or since an unknown date -> RIGHT.
 *   fix     re-reads the instance and refuses (FX_ECONFLICT) unless it
 *           is still expired; CreateTags fixit:action=terminate, then
 *           TerminateInstances InstanceId.1.
 *           prior {"instance_id", "instance_type", "tags", "groups",
 *           "image_id", "launch_time", "quarantined_at"}: what the
 *           instance was, for the record; nothing can bring it back.
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

#include "fxtime.h"
#include "pb_ec2_util.h"
#include "playbook.h"
#include "banned.h"

#define QX_TAG_STATE "fixit:quarantine"
#define QX_TAG_AT    "fixit:quarantined-at"
#define QX_DAY	     86400

/* what the tags of one instance say about its quarantine */
struct qx {
	int applied;  /* fixit:quarantine = applied */
	int known;    /* at is known */
	int64_t at;   /* quarantined at (unix seconds) */
	int64_t days; /* whole days since then */
	int expired;  /* applied, known, older than the threshold */
};

static int
str_is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

static int64_t
qx_after_days(const struct pb_ctx *x)
{
	return pb_param_clamp(x, "terminate_after_days", 30, 1, 3650);
}

/* read the quarantine of inst into q (see "when" above) */
static void
qx_read(const struct pb_ctx *x, const json_t *inst, struct qx *q)
{
	const json_t *ts = aws_j_list(inst, "tagSet");
	const char *at = pb_ec2_util_tag(ts, QX_TAG_AT);

	memset(q, 0, sizeof(*q));
	q->applied = str_is(pb_ec2_util_tag(ts, QX_TAG_STATE), "applied");
	if (at == NULL &&
	    str_is(pb_ec2_util_tag(ts, "fixit:action"), "quarantine"))
		at = pb_ec2_util_tag(ts, "fixit:time");
	if (at == NULL || fx_iso8601_parse(at, &q->at) != FX_OK ||
	    q->at > x->now)
		return;
	q->known = 1;
	q->days = (x->now - q->at) / QX_DAY;
	q->expired = q->applied && x->now - q->at > qx_after_days(x) * QX_DAY;
}

/* ---- detect ----------------------------------------------------------- */

static fx_err
detect_instance(struct pb_ctx *x, const json_t *inst, void *found)
{
	struct qx q;
	char when[21], what[64];
	const char *id = aws_j_str(inst, "instanceId");

	qx_read(x, inst, &q);
	/* the filter chose already; an answer that ignored it is checked */
	if (id == NULL || *id == '\0' || pb_ec2_util_ended(inst) || !q.expired)
		return FX_OK;
	fx_iso8601_format(q.at, when);
	/* the date alone: "2024-05-01" */
	snprintf(what, sizeof(what), "has been quarantined since %.10s", when);
	return pb_ec2_util_found_instance(x, found, inst, what,
	    json_pack("{s:s, s:I, s:I, s:s?, s:s?}", "quarantined_at", when,
		"days", (json_int_t)q.days, "terminate_after_days",
		(json_int_t)qx_after_days(x), "instance_type",
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
	if (!q->applied)
		pb_say(x, "no longer quarantined (released)");
	else if (!q->known)
		pb_say(x, "quarantined since an unknown date: left alone");
	else if (!q->expired)
		pb_say(x, "quarantined for %lld days only (threshold %lld)",
		    (long long)q->days, (long long)qx_after_days(x));
	return q->expired;
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
qx_prior(const struct pb_ctx *x, const json_t *inst, const char *when)
{
	json_t *p;

	p = json_pack("{s:s?, s:s?, s:o, s:o, s:s?, s:s?, s:s}", "instance_id",
	    aws_j_str(inst, "instanceId"), "instance_type",
	    aws_j_str(inst, "instanceType"), "tags",
	    pb_ec2_tags(aws_j_list(inst, "tagSet")), "groups",
	    pb_ec2_util_group_ids(inst), "image_id", aws_j_str(inst, "imageId"),
	    "launch_time", aws_j_str(inst, "launchTime"), "quarantined_at",
	    when);
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
	fx_iso8601_format(q.at, when);
	rc = FX_ENOMEM;
	p = qx_prior(x, inst, when);
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
	if (inst == NULL || str_is(st, "shutting-down") ||
	    str_is(st, "terminated")) {
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
	.detect = qx_detect,
	.check = qx_check,
	.fix = qx_fix,
	.verify = qx_verify,
	.undo = NULL,
};
