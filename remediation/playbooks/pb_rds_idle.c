/*
 * pb_rds_idle.c - the "rds-idle" playbook: RDS DB instances that had no
 * database connection for idle_days are deleted with a final snapshot,
 * keeping their automated backups; undo restores them from the snapshot
 * with everything the prior state recorded.
 *
 * Idle means CloudWatch AWS/RDS DatabaseConnections, one Maximum per day
 * over the last idle_days, is 0 in every datapoint, and there is at least
 * one. No datapoint at all is not idle but unknown: CloudWatch has none
 * for an instance that is new, stopped, renamed, or whose metrics are
 * not published, and fixit deletes only what it saw idle.
 *
 * Eligibility (rds_eligible, the same in detect, check and fix): the
 * instance is available, not allow-tagged, not deletion-protected, not a
 * read replica or an Aurora cluster member, and at least idle_days old
 * (InstanceCreateTime; unknown counts as too young). IaC-owned
 * (aws:cloudformation:stack-name, events.iac_tags): found, notify only.
 * A finding posted for an instance that fails a guard resolves at the
 * check with the reason; nothing is deleted.
 *
 * Parameters (x->params):
 *   idle_days        days without connections (default 45; at most 1440,
 *                    CloudWatch's datapoint limit for one request)
 *   allow_tag        an instance with this tag is never touched
 *                    (default "fixit:allow"; any value)
 *   snapshot_prefix  final snapshot name prefix (default "fixit-final";
 *                    the snapshot is PREFIX-ID-FINDING)
 *   snapshot_poll_ms    undo: pause between polls while the instance is
 *                       still deleting or the snapshot still creating
 *                       (default 5000)
 *   snapshot_timeout_s  undo: give up waiting after this (default 900)
 *
 * Steps:
 *   detect  DescribeDBInstances (Marker paging); per eligible instance
 *           CloudWatch GetMetricStatistics.
 *   check   DescribeDBInstances DBInstanceIdentifier (+ the metric):
 *           gone or deleting -> GONE; a guard applies -> KEEP; connected
 *           or no datapoints -> RIGHT.
 *   fix     the guards again, then AddTagsToResource (fixit: tags only),
 *           DeleteDBInstance FinalDBSnapshotIdentifier,
 *           DeleteAutomatedBackups=false: the retained automated backups
 *           keep point-in-time recovery for their retention period.
 *           prior: the whole configuration restore can set (rds_prior).
 *   verify  the instance is gone or deleting, the final snapshot exists.
 *   undo    waits (bounded) until the old instance is gone and the final
 *           snapshot available (DescribeDBInstances, DescribeDBSnapshots),
 *           then RestoreDBInstanceFromDBSnapshot with every recorded
 *           setting (class, port, zone or Multi-AZ, subnet group,
 *           security groups, parameter and option groups, storage type,
 *           size, IOPS and throughput, public access, deletion
 *           protection, backup retention, copy-tags, minor upgrades) and
 *           the user's tags plus fixit:restored-from=<snapshot>. Restore
 *           takes all of these, so no ModifyDBInstance follows; the
 *           engine version is the snapshot's.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "pb_cw.h"
#include "playbook.h"
#include "pb_rds_prior.h"
#include "pb_sto_util.h"
#include "banned.h"

#define RDS_DAY		  86400
#define RDS_NOTFOUND	  "DBInstanceNotFound"
#define RDS_SNAP_NOTFOUND "DBSnapshotNotFound"
#define RDS_LIST	  "DescribeDBInstancesResult/DBInstances"
#define RDS_MARKER	  "DescribeDBInstancesResult/Marker"
#define RDS_MAX_PREFIX	  100

static const struct pb_one rds_inst_one = { AWS_RDS, "DescribeDBInstances",
	"DBInstanceIdentifier", RDS_LIST, "DBInstanceIdentifier",
	RDS_NOTFOUND };
static const struct pb_one rds_snap_one = { AWS_RDS, "DescribeDBSnapshots",
	"DBSnapshotIdentifier", "DescribeDBSnapshotsResult/DBSnapshots",
	"DBSnapshotIdentifier", RDS_SNAP_NOTFOUND };

struct rds_opts {
	int64_t idle_days;
	const char *allow;
	const char *prefix;
};

/* DatabaseConnections over the window */
/* RDS identifiers: a letter, then letters, digits, single hyphens */
static int
rds_ident_ok(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		if (s[i] == '-' && s[i - 1] == '-')
			return 0;
	}
	return s[i - 1] != '-';
}

static fx_err
rds_opts(struct pb_ctx *x, struct rds_opts *o)
{
	o->idle_days = pb_param_range(x, "idle_days", 45, 1, 1440);
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
	o->prefix = pb_param_str(x, "snapshot_prefix", "fixit-final");
	if (strlen(o->prefix) > RDS_MAX_PREFIX || !rds_ident_ok(o->prefix)) {
		pb_say(x, "snapshot_prefix must be a letter, then letters, "
			  "digits and single hyphens");
		return FX_ECONFIG;
	}
	return FX_OK;
}

/* ---- reading ------------------------------------------------------------ */

/* the instance is being deleted */
static int
rds_deleting(const json_t *inst)
{
	return strcmp(pb_sto_util_str(inst, "DBInstanceStatus"), "deleting") ==
	       0;
}

/*
 * The guards of rds-idle (playbook.h, eligibility): detect, check and
 * fix call this one function, so a posted finding meets the same guards
 * as a scanned one. A stopped instance publishes no metrics: its
 * idleness is unknown, and its state exempts it.
 */
static void
rds_eligible(struct pb_ctx *x, const struct rds_opts *o, const json_t *inst,
    const json_t *tags, struct pb_elig *e)
{
	const char *st = pb_sto_util_str(inst, "DBInstanceStatus");

	pb_elig_init(e);
	if (strcmp(st, "available") != 0)
		pb_elig_exempt(e, "%s, not available",
		    *st ? st : "of no state");
	pb_elig_tags(x, e, tags, o->allow);
	if (pb_sto_util_true(json_object_get(inst, "DeletionProtection")))
		pb_elig_exempt(e, "deletion-protected");
	if (*pb_sto_util_str(inst, "ReadReplicaSourceDBInstanceIdentifier"))
		pb_elig_exempt(e, "a read replica");
	if (*pb_sto_util_str(inst, "DBClusterIdentifier"))
		pb_elig_exempt(e, "a cluster member");
	pb_elig_age(x, e, aws_j_str(inst, "InstanceCreateTime"),
	    o->idle_days * RDS_DAY);
}

static fx_err
rds_conn(struct pb_ctx *x, const struct rds_opts *o, const char *id,
    struct pb_cw_days *c)
{
	const struct pb_cw_q q = { "AWS/RDS", "DatabaseConnections", "Maximum",
		{ "DBInstanceIdentifier", id, NULL, NULL }, o->idle_days };

	return pb_cw_daily(x, &q, c);
}

/* ---- detect ------------------------------------------------------------- */

struct rds_scan {
	struct rds_opts o;
	struct pb_found_list *found;
};

static fx_err
rds_found(struct rds_scan *sc, struct pb_ctx *x, const json_t *inst,
    const struct pb_cw_days *c, json_t *tags)
{
	const char *id = pb_sto_util_str(inst, "DBInstanceIdentifier");
	const char *cls = pb_sto_util_str(inst, "DBInstanceClass");
	const char *eng = pb_sto_util_str(inst, "Engine");
	const char *arn =
	    json_string_value(json_object_get(inst, "DBInstanceArn"));
	char title[300];
	json_t *d;

	snprintf(title, sizeof(title),
	    "RDS instance %s (%s, %s) had no "
	    "connections for %lld days",
	    id, cls, eng, (long long)sc->o.idle_days);
	d = json_pack("{s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I}", "class", cls,
	    "engine", eng, "engine_version",
	    pb_sto_util_str(inst, "EngineVersion"), "multi_az",
	    pb_sto_util_true(json_object_get(inst, "MultiAZ")),
	    "availability_zone", pb_sto_util_str(inst, "AvailabilityZone"),
	    "max_connections", (json_int_t)c->max, "datapoints",
	    (json_int_t)c->points, "idle_days", (json_int_t)sc->o.idle_days);
	if (d == NULL) {
		json_decref(tags);
		return FX_ENOMEM;
	}
	return pb_found(sc->found, id, arn, title, d, tags);
}

static fx_err
rds_item(struct pb_ctx *x, const json_t *inst, void *arg)
{
	struct rds_scan *sc = arg;
	const char *id =
	    json_string_value(json_object_get(inst, "DBInstanceIdentifier"));
	json_t *tags = NULL;
	struct pb_elig e;
	struct pb_cw_days c;
	fx_err rc = FX_OK;

	if (id == NULL)
		goto out;
	if ((tags = pb_rds_prior_tags(inst)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rds_eligible(x, &sc->o, inst, tags, &e);
	if (!pb_elig_found(&e))
		goto out;
	/* without the metric nothing is known: skip it */
	if ((rc = rds_conn(x, &sc->o, id, &c)) != FX_OK) {
		rc = pb_sto_util_skip(x, rc, id, "connections");
		goto out;
	}
	if (pb_cw_all_zero(&c)) {
		rc = rds_found(sc, x, inst, &c, tags);
		tags = NULL;
	}
out:
	json_decref(tags);
	return rc;
}

static fx_err
rds_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct rds_scan sc;
	json_t *p = NULL;
	fx_err rc;

	sc.found = found;
	if ((rc = rds_opts(x, &sc.o)) != FX_OK)
		goto out;
	if ((p = json_pack("{s:i}", "MaxRecords", 100)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_list(x, PB_AUDITOR, AWS_RDS, "DescribeDBInstances", p, RDS_LIST,
	    RDS_MARKER, rds_item, &sc);
out:
	json_decref(p);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

/* rds_eligible on inst, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
rds_guards(struct pb_ctx *x, const struct rds_opts *o, const json_t *inst,
    const char *id, enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *tags;
	char what[96];

	if ((tags = pb_rds_prior_tags(inst)) == NULL)
		return FX_ENOMEM;
	rds_eligible(x, o, inst, tags, &e);
	json_decref(tags);
	snprintf(what, sizeof(what), "DB instance %s", id);
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

static fx_err
rds_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct rds_opts o;
	struct pb_cw_days c;
	const json_t *inst = NULL;
	const char *id;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	rc = rds_opts(x, &o);
	if (rc != FX_OK)
		goto out;
	rc = pb_read_finding(x, finding, &rds_inst_one, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	if (inst == NULL || rds_deleting(inst)) {
		pb_say(x, "DB instance %s is %s", id,
		    inst == NULL ? "gone" : "being deleted");
		*v = PB_GONE;
		goto out;
	}
	if ((rc = rds_guards(x, &o, inst, id, v)) != FX_OK || *v != PB_WRONG)
		goto out;
	if ((rc = rds_conn(x, &o, id, &c)) != FX_OK)
		goto out;
	if (c.points == 0) {
		pb_say(x,
		    "CloudWatch has no DatabaseConnections datapoints of DB "
		    "instance %s in the last %lld days: not counted as idle",
		    id, (long long)o.idle_days);
		*v = PB_RIGHT;
	} else if (!pb_cw_all_zero(&c)) {
		pb_say(x,
		    "DB instance %s had connections (up to %.0f) in the "
		    "last %lld days",
		    id, c.max, (long long)o.idle_days);
		*v = PB_RIGHT;
	}
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

static fx_err
rds_delete(struct pb_ctx *x, const char *id, const char *arn, const char *snap)
{
	struct aws_resp resp;
	json_t *extra;
	fx_err rc;

	if ((extra = json_pack("{s:s}", "fixit:final-snapshot", snap)) == NULL)
		return FX_ENOMEM;
	rc = pb_tag_rds(x, arn, "delete", extra);
	json_decref(extra);
	if (rc != FX_OK)
		return rc;
	/* AWS drops automated backups by default: point-in-time recovery
	 * would end with the instance */
	rc = pb_query(x, PB_REMEDIATOR, AWS_RDS, "DeleteDBInstance",
	    json_pack("{s:s, s:s, s:s, s:s}", "DBInstanceIdentifier", id,
		"FinalDBSnapshotIdentifier", snap, "SkipFinalSnapshot", "false",
		"DeleteAutomatedBackups", "false"),
	    1, &resp);
	aws_resp_release(&resp);
	if (rc == FX_OK && !x->dry_run)
		pb_say(x,
		    "deleting DB instance %s with final snapshot %s, "
		    "automated backups kept",
		    id, snap);
	return rc;
}

static fx_err
rds_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	struct rds_opts o;
	const json_t *inst = NULL;
	const char *id, *arn;
	enum pb_verdict v;
	json_t *p = NULL;
	char snap[256];
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	rc = rds_opts(x, &o);
	if (rc != FX_OK)
		goto out;
	rc = pb_read_finding(x, finding, &rds_inst_one, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	if (inst == NULL || rds_deleting(inst)) {
		pb_say(x, "DB instance %s is %s: not deleted", id,
		    inst == NULL ? "gone" : "already being deleted");
		rc = inst == NULL ? FX_ENOTFOUND : FX_ECONFLICT;
		goto out;
	}
	/* irreversible enough: never on an answer that changed since check */
	if ((rc = rds_guards(x, &o, inst, id, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	snprintf(snap, sizeof(snap), "%s-%s-%lld", o.prefix, id,
	    (long long)x->finding_id);
	/* the instance's own ARN only: a posted finding's could name
	 * another resource */
	arn = pb_sto_util_str(inst, "DBInstanceArn");
	if (*arn == '\0' || !rds_ident_ok(snap)) {
		pb_say(x, "DB instance %s: no ARN or no valid snapshot name",
		    id);
		rc = FX_EINVAL;
		goto out;
	}
	if ((p = pb_rds_prior_new(inst, snap)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = rds_delete(x, id, arn, snap);
	if (rc != FX_OK)
		goto out;
	rc = pb_would(x, p,
	    "tag the instance, delete it with a final "
	    "snapshot, keeping its automated backups");
	if (rc != FX_OK)
		goto out;
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

/* ---- verify and undo ---------------------------------------------------- */

/* the status of DB snapshot snap ("" when AWS says it does not exist) */
static fx_err
rds_snapshot(struct pb_ctx *x, const char *snap, char *st, size_t len)
{
	struct aws_resp resp;
	const json_t *s;
	fx_err rc;

	st[0] = '\0';
	rc = pb_read_one(x, &rds_snap_one, snap, &resp, &s);
	if (s != NULL)
		snprintf(st, len, "%s",
		    *pb_sto_util_str(s, "Status") != '\0'
			? pb_sto_util_str(s, "Status")
			: "unknown");
	aws_resp_release(&resp);
	return rc;
}

static fx_err
rds_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *id = pb_sto_util_str(prior, "db_instance_identifier");
	const char *snap = pb_sto_util_str(prior, "final_snapshot");
	const char *st;
	char sst[64];
	fx_err rc;

	*ok = 0;
	aws_resp_init(&resp);
	if (*id == '\0' || *snap == '\0') {
		pb_say(x, "the prior state names no instance or snapshot");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = pb_read_one(x, &rds_inst_one, id, &resp, &inst)) != FX_OK)
		goto out;
	st = pb_sto_util_str(inst, "DBInstanceStatus");
	if (inst != NULL && !rds_deleting(inst)) {
		pb_say(x, "DB instance %s is still %s", id, st);
		goto out;
	}
	if ((rc = rds_snapshot(x, snap, sst, sizeof(sst))) != FX_OK)
		goto out;
	if (sst[0] == '\0' || strcmp(sst, "failed") == 0) {
		pb_say(x, "final snapshot %s is %s", snap,
		    sst[0] ? sst : "missing");
		goto out;
	}
	pb_say(x, "DB instance %s is %s, final snapshot %s is %s", id,
	    inst == NULL ? "gone" : "being deleted", snap, sst);
	*ok = 1;
out:
	aws_resp_release(&resp);
	return rc;
}

/*
 * Until the old instance is gone and the final snapshot available:
 * bounded by count and time. FX_ECONFLICT when the identifier is in use
 * by a live instance, FX_ENOTFOUND without the snapshot.
 */
static fx_err
rds_restorable(struct pb_ctx *x, const char *id, const char *snap)
{
	struct aws_resp resp;
	struct pb_sto_poll w;
	const json_t *inst = NULL;
	int64_t i;
	const char *st = "";
	char sst[64] = "";
	int gone = 0;
	fx_err rc = FX_OK;

	pb_sto_util_poll(x, &w);
	aws_resp_init(&resp);
	for (i = 0; i < w.polls; i++) {
		aws_resp_release(&resp);
		if (!gone && (rc = pb_read_one(x, &rds_inst_one, id, &resp,
				  &inst)) != FX_OK)
			goto out;
		gone = gone || inst == NULL;
		st = pb_sto_util_str(inst, "DBInstanceStatus");
		if (!gone && !rds_deleting(inst)) {
			pb_say(x, "DB instance %s exists (%s): not restored",
			    id, st);
			rc = FX_ECONFLICT;
			goto out;
		}
		if ((rc = rds_snapshot(x, snap, sst, sizeof(sst))) != FX_OK)
			goto out;
		if (sst[0] == '\0' || strcmp(sst, "failed") == 0) {
			pb_say(x, "final snapshot %s is %s", snap,
			    sst[0] ? sst : "missing");
			rc = FX_ENOTFOUND;
			goto out;
		}
		if (gone && strcmp(sst, "available") == 0)
			goto out;
		if (!pb_sto_util_pause(&w))
			break;
	}
	pb_say(x,
	    "after %lld s DB instance %s is %s and snapshot %s is %s; "
	    "try the undo again later",
	    (long long)w.timeout_s, id, gone ? "gone" : "still deleting", snap,
	    sst);
	rc = FX_ETIMEOUT;
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
rds_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct aws_resp resp;
	const char *id = pb_sto_util_str(prior, "db_instance_identifier");
	const char *snap = pb_sto_util_str(prior, "final_snapshot");
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	if (*id == '\0' || *snap == '\0' ||
	    pb_sto_util_true(json_object_get(prior, "dry_run"))) {
		pb_say(x, "the prior state names no instance or snapshot");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = rds_restorable(x, id, snap)) != FX_OK)
		goto out;
	p = json_pack("{s:s, s:s}", "DBInstanceIdentifier", id,
	    "DBSnapshotIdentifier", snap);
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = pb_rds_prior_restore(x, prior, p)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_RDS,
	    "RestoreDBInstanceFromDBSnapshot", p, 1, &resp);
	p = NULL;
	if (rc == FX_OK)
		pb_say(x, "restoring DB instance %s from snapshot %s", id,
		    snap);
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

const struct pb_def pb_rds_idle = {
	.name = "rds-idle",
	.summary = "delete RDS instances without connections for idle_days, "
		   "keeping a final snapshot and the automated backups",
	.irreversible = 0,
	.detect = rds_detect,
	.check = rds_check,
	.fix = rds_fix,
	.verify = rds_verify,
	.undo = rds_undo,
};
