/*
 * pb_snapshot_stale.c - the "snapshot-stale" playbook: EBS snapshots and
 * manual RDS DB (and DB cluster) snapshots unused for min_age_days are
 * deleted. Irreversible: a deleted snapshot is gone.
 *
 * Provenance decides which snapshots are candidates, never a tag: by
 * default only the backup snapshots fixitd's own fixes made and left in
 * place (x->prov, pb_def.provenance = "ebs-unused rds-idle", looked up
 * by fx_prov.made: the snapshot_id of an ebs-unused fix's prior state,
 * the final_snapshot of an rds-idle one), for fixes that stand (fixed,
 * not undone nor asked to be, no dry run). all_snapshots: true widens
 * to every snapshot the account owns, with the same guards.
 *
 * Eligibility (snap_eligible, the same in detect, check and fix): the
 * snapshot is completed / available, owned by the account (not one
 * shared with it), is fixitd's (or all_snapshots),
 * is no AWS Backup recovery point (tag aws:backup:source-resource, an
 * "AWS Backup" description, RDS SnapshotType awsbackup) nor an AMI's
 * ("Created by CreateImage" description), is not allow-tagged, and was
 * made at least min_age_days ago (unknown counts as too young).
 * IaC-owned (aws:cloudformation:stack-name, events.iac_tags): found,
 * notify only.
 *
 * Unused (pb_snap_used, pb_snap_use.h; the same in detect, check and
 * fix): for EBS no volume made from it within min_age_days and no AMI
 * of the account backed by it; for both not shared now with another
 * account or the public, and no CloudTrail event copying, sharing or
 * restoring it in the 90 days CloudTrail keeps. RDS records no link from
 * an instance to the snapshot it was restored from: for RDS, "unused"
 * is the age guard, the share and those events.
 *
 * Parameters (x->params):
 *   min_age_days   snapshot age before a finding (default 365; 30..3650)
 *   all_snapshots  true: every snapshot the account owns, not only
 *                  fixitd's (default false)
 *   allow_tag      a snapshot with this tag is never touched (default
 *                  "fixit:allow"; any value)
 *
 * Steps:
 *   detect  (only when all_snapshots or fixitd has records) EC2
 *           DescribeSnapshots Owner=self, RDS DescribeDBSnapshots and
 *           DescribeDBClusterSnapshots SnapshotType=manual (all paged);
 *           for each eligible snapshot pb_snap_used (the account's
 *           volumes, AMIs and events read once for the scan). The
 *           finding's resource: the EBS snapshot id, the RDS ARN.
 *   check   the snapshot again: gone -> GONE; a guard -> KEEP; used ->
 *           RIGHT.
 *   fix     the guards and the use again, then DeleteSnapshot /
 *           DeleteDBSnapshot / DeleteDBClusterSnapshot. The prior state
 *           describes the snapshot (size, source, tags, what record made
 *           it a candidate) and its usage: snapshot_gb of its size, an
 *           upper bound (snapshots are incremental: the space freed is
 *           what no other snapshot shares).
 *   verify  the snapshot is gone (or deleting).
 *   undo    none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxprov.h"
#include "fxtime.h"
#include "fxutil.h"
#include "pb_rds_prior.h"
#include "pb_snap_use.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "price.h"
#include "banned.h"

#define SNAP_DAY	86400
#define SNAP_GIB_NOTE	"upper bound: snapshots are incremental"
#define SNAP_BACKUP_TAG "aws:backup:source-resource"

/* how one kind of snapshot is read and judged (listed and deleted:
 * snap_list, snap_delete) */
struct snap_kind_def {
	const char *name; /* details "kind" */
	const char *what; /* for people */
	const struct pb_one *one;
	const char *created, *status, *ok_status, *size, *arn, *source;
	const char *usage_class;
};

#define RDS_SNAPS     "DescribeDBSnapshotsResult/DBSnapshots"
#define CLUSTER_SNAPS "DescribeDBClusterSnapshotsResult/DBClusterSnapshots"

static const struct pb_one snap_one_ebs = { AWS_EC2, "DescribeSnapshots",
	"SnapshotId.1", "snapshotSet", "snapshotId",
	"InvalidSnapshot.NotFound" };
static const struct pb_one snap_one_rds = { AWS_RDS, "DescribeDBSnapshots",
	"DBSnapshotIdentifier", RDS_SNAPS, "DBSnapshotIdentifier",
	"DBSnapshotNotFound" };
static const struct pb_one snap_one_cluster = { AWS_RDS,
	"DescribeDBClusterSnapshots", "DBClusterSnapshotIdentifier",
	CLUSTER_SNAPS, "DBClusterSnapshotIdentifier",
	"DBClusterSnapshotNotFoundFault" };

static const struct snap_kind_def snap_kinds[PB_SNAP__COUNT] = {
	[PB_SNAP_EBS] = { "ebs", "EBS snapshot", &snap_one_ebs, "startTime",
	    "status", "completed", "volumeSize", NULL, "volumeId", "ebs" },
	[PB_SNAP_RDS] = { "rds", "DB snapshot", &snap_one_rds,
	    "SnapshotCreateTime", "Status", "available", "AllocatedStorage",
	    "DBSnapshotArn", "DBInstanceIdentifier", "rds" },
	[PB_SNAP_CLUSTER] = { "rds-cluster", "DB cluster snapshot",
	    &snap_one_cluster, "SnapshotCreateTime", "Status", "available",
	    "AllocatedStorage", "DBClusterSnapshotArn", "DBClusterIdentifier",
	    "rds" },
};

struct snap_opts {
	int64_t min_age;
	const char *allow;
	int all;
};

static void
snap_opts(struct pb_ctx *x, struct snap_opts *o)
{
	o->min_age =
	    pb_param_range(x, "min_age_days", 365, 30, 3650) * SNAP_DAY;
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
	o->all = x->params != NULL &&
		 json_is_true(json_object_get(x->params, "all_snapshots"));
}

/* ---- reading ------------------------------------------------------------ */

/* the kind of a finding's resource and the name AWS takes for it: an EBS
 * snapshot id, or an RDS snapshot ARN (its last part); -1 otherwise */
static int
snap_kind_of(const char *rid, const char **name)
{
	const char *c;

	*name = rid;
	if (strncmp(rid, "snap-", 5) == 0)
		return PB_SNAP_EBS;
	if (strncmp(rid, "arn:", 4) != 0 || strstr(rid, ":rds:") == NULL ||
	    (c = strrchr(rid, ':')) == NULL || c[1] == '\0')
		return -1;
	*name = c + 1;
	if (c - rid >= 17 && strncmp(c - 17, ":cluster-snapshot", 17) == 0)
		return PB_SNAP_CLUSTER;
	if (c - rid >= 9 && strncmp(c - 9, ":snapshot", 9) == 0)
		return PB_SNAP_RDS;
	return -1;
}

/* the snapshot's tags as {key: value} (new reference; NULL on ENOMEM) */
static json_t *
snap_tags(enum pb_snap_kind k, const json_t *s)
{
	return k == PB_SNAP_EBS ? pb_ec2_tags(json_object_get(s, "tagSet"))
				: pb_rds_prior_tags(s);
}

/* the record of fixitd's fix that made snapshot id, or NULL */
static const struct fx_prov *
snap_made(const struct pb_ctx *x, const char *id)
{
	return fx_prov_find_made(x->prov, id);
}

/*
 * The guards of snapshot-stale (playbook.h, eligibility): detect, check
 * and fix call this one function.
 */
static void
snap_eligible(struct pb_ctx *x, const struct snap_opts *o, enum pb_snap_kind k,
    const json_t *s, const json_t *tags, struct pb_elig *e)
{
	const struct snap_kind_def *d = &snap_kinds[k];
	const char *id = pb_sto_util_str(s, d->one->key);
	const char *st = pb_sto_util_str(s, d->status);
	const char *desc = pb_sto_util_str(s, "description");
	const char *type = pb_sto_util_str(s, "SnapshotType");
	const char *owner = pb_sto_util_str(s, "ownerId");

	pb_elig_init(e);
	if (strcmp(st, d->ok_status) != 0)
		pb_elig_exempt(e, "%s, not %s", *st ? st : "of no state",
		    d->ok_status);
	if (!o->all && x->prov == NULL)
		pb_elig_exempt(e, "fixitd's records were not available");
	else if (!o->all && snap_made(x, id) == NULL)
		pb_elig_exempt(e, "not made by a fix of fixitd's "
				  "(all_snapshots is off)");
	if (json_object_get(tags, SNAP_BACKUP_TAG) != NULL ||
	    strstr(desc, "AWS Backup") != NULL ||
	    strcmp(type, "awsbackup") == 0)
		pb_elig_exempt(e, "an AWS Backup recovery point");
	if (strncmp(desc, "Created by CreateImage", 22) == 0)
		pb_elig_exempt(e, "made for an AMI");
	/* a snapshot shared with this account is someone else's */
	if (k == PB_SNAP_EBS && *owner != '\0' && x->account_id != NULL &&
	    strcmp(owner, x->account_id) != 0)
		pb_elig_exempt(e, "owned by account %.32s", owner);
	if (k != PB_SNAP_EBS && strcmp(type, "manual") != 0)
		pb_elig_exempt(e, "%s, not manual",
		    *type ? type : "of no type");
	pb_elig_tags(x, e, tags, o->allow);
	pb_elig_age(x, e, aws_j_str(s, d->created), o->min_age);
}

/* snap_eligible on s, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
snap_guards(struct pb_ctx *x, const struct snap_opts *o, enum pb_snap_kind k,
    const json_t *s, enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *tags;
	char what[300];

	if ((tags = snap_tags(k, s)) == NULL)
		return FX_ENOMEM;
	snap_eligible(x, o, k, s, tags, &e);
	json_decref(tags);
	snprintf(what, sizeof(what), "%s %s", snap_kinds[k].what,
	    pb_sto_util_str(s, snap_kinds[k].one->key));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

/* ---- detect ------------------------------------------------------------- */

struct snap_scan {
	struct snap_opts o;
	enum pb_snap_kind k;
	struct pb_found_list *found;
	struct pb_snap_scan use; /* volumes, AMIs, events: read once */
};

/* an EBS snapshot's ARN: no account in it, as AWS writes it (new) */
static char *
snap_ebs_arn(const struct pb_ctx *x, const char *id)
{
	struct buf b = BUF_INIT;

	buf_init(&b, 512);
	if (buf_addf(&b, "arn:aws:ec2:%s::snapshot/%s",
		x->region ? x->region : "", id) != FX_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* the finding's resource: the EBS id, the RDS ARN (new; NULL: none) */
static char *
snap_rid(struct pb_ctx *x, enum pb_snap_kind k, const json_t *s, char **arn)
{
	const char *id = pb_sto_util_str(s, snap_kinds[k].one->key);

	if (k == PB_SNAP_EBS) {
		*arn = snap_ebs_arn(x, id);
		return *arn != NULL ? fx_strdup(id) : NULL;
	}
	*arn = *pb_sto_util_str(s, snap_kinds[k].arn) != '\0'
		   ? fx_strdup(pb_sto_util_str(s, snap_kinds[k].arn))
		   : NULL;
	return *arn != NULL ? fx_strdup(*arn) : NULL;
}

/* details: what the owner is shown */
static json_t *
snap_details(struct pb_ctx *x, enum pb_snap_kind k, const json_t *s)
{
	const struct snap_kind_def *d = &snap_kinds[k];
	const struct fx_prov *p = snap_made(x, pb_sto_util_str(s, d->one->key));
	int64_t t = 0;

	if (fx_iso8601_parse(pb_sto_util_str(s, d->created), &t) != FX_OK)
		t = x->now;
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:I}",
	    "kind", d->name, "snapshot", pb_sto_util_str(s, d->one->key),
	    "size_gib",
	    (json_int_t)pb_sto_util_int(json_object_get(s, d->size), 0),
	    "created", pb_sto_util_str(s, d->created), "source",
	    pb_sto_util_str(s, d->source), "description",
	    pb_sto_util_str(s, "description"), "snapshot_type",
	    k == PB_SNAP_EBS ? "" : pb_sto_util_str(s, "SnapshotType"),
	    "age_days", (json_int_t)((x->now - t) / SNAP_DAY),
	    "made_by_finding", (json_int_t)(p != NULL ? p->finding_id : 0));
}

static fx_err
snap_found(struct snap_scan *sc, struct pb_ctx *x, const json_t *s,
    json_t *tags)
{
	const struct snap_kind_def *d = &snap_kinds[sc->k];
	char *arn = NULL, *rid = snap_rid(x, sc->k, s, &arn), title[300];
	json_t *det = snap_details(x, sc->k, s);
	fx_err rc = FX_ENOMEM;

	if (rid == NULL || det == NULL) {
		json_decref(det);
		json_decref(tags);
		goto out;
	}
	snprintf(title, sizeof(title), "%s %s (%lld GiB) unused since %.10s",
	    d->what, pb_sto_util_str(s, d->one->key),
	    (long long)pb_sto_util_int(json_object_get(s, d->size), 0),
	    pb_sto_util_str(s, d->created));
	rc = pb_found(sc->found, rid, arn, title, det, tags);
out:
	free(rid);
	free(arn);
	return rc;
}

static fx_err
snap_item(struct pb_ctx *x, const json_t *s, void *arg)
{
	struct snap_scan *sc = arg;
	const char *id = pb_sto_util_str(s, snap_kinds[sc->k].one->key);
	json_t *tags = snap_tags(sc->k, s);
	struct pb_snap_use u;
	struct pb_elig e;
	fx_err rc = FX_OK;

	if (tags == NULL)
		return FX_ENOMEM;
	if (*id == '\0')
		goto out;
	snap_eligible(x, &sc->o, sc->k, s, tags, &e);
	if (!pb_elig_found(&e))
		goto out;
	u.min_age = sc->o.min_age;
	/* without the reads a use may be missed: skip it */
	if ((rc = pb_snap_used(x, sc->k, id, &sc->use, &u)) != FX_OK) {
		rc = pb_sto_util_skip(x, rc, id, "uses");
		goto out;
	}
	if (u.why[0] == '\0') {
		rc = snap_found(sc, x, s, tags);
		tags = NULL;
	}
out:
	json_decref(tags);
	return rc;
}

/* the account's snapshots of kind k (params p), each to snap_item */
static fx_err
snap_list(struct pb_ctx *x, enum pb_snap_kind k, const json_t *p,
    struct snap_scan *sc)
{
	switch (k) {
	case PB_SNAP_EBS:
		return pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeSnapshots", p,
		    "snapshotSet", "nextToken", snap_item, sc);
	case PB_SNAP_RDS:
		return pb_list(x, PB_AUDITOR, AWS_RDS, "DescribeDBSnapshots", p,
		    RDS_SNAPS, "DescribeDBSnapshotsResult/Marker", snap_item,
		    sc);
	default:
		return pb_list(x, PB_AUDITOR, AWS_RDS,
		    "DescribeDBClusterSnapshots", p, CLUSTER_SNAPS,
		    "DescribeDBClusterSnapshotsResult/Marker", snap_item, sc);
	}
}

/* 1 when a record of x->prov names a snapshot it made */
static int
snap_any_made(const struct pb_ctx *x)
{
	size_t i;

	for (i = 0; x->prov != NULL && i < x->prov->n; i++)
		if (x->prov->v[i].made != NULL)
			return 1;
	return 0;
}

static fx_err
snap_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct snap_scan sc;
	json_t *p = NULL;
	int k;
	fx_err rc = FX_OK;

	memset(&sc, 0, sizeof(sc));
	sc.found = found;
	pb_snap_scan_init(&sc.use);
	snap_opts(x, &sc.o);
	/* nothing of fixitd's to look for: no listing at all */
	if (!sc.o.all && !snap_any_made(x))
		goto out;
	for (k = 0; rc == FX_OK && k < PB_SNAP__COUNT; k++) {
		sc.k = (enum pb_snap_kind)k;
		p = k == PB_SNAP_EBS ? json_pack("{s:s, s:i}", "Owner.1",
					   "self", "MaxResults", 200)
				     : json_pack("{s:s, s:i}", "SnapshotType",
					   "manual", "MaxRecords", 100);
		if (p == NULL) {
			rc = FX_ENOMEM;
			break;
		}
		rc = snap_list(x, sc.k, p, &sc);
		json_decref(p);
	}
out:
	pb_snap_scan_release(&sc.use);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

/* the finding's snapshot: *k its kind, *s borrowed from resp (NULL when
 * gone); FX_EINVAL for a resource that names no snapshot */
static fx_err
snap_read(struct pb_ctx *x, const json_t *finding, enum pb_snap_kind *k,
    struct aws_resp *resp, const char **name, const json_t **s)
{
	const char *rid;
	int kind;
	fx_err rc;

	*s = NULL;
	if ((rc = pb_resource(x, finding, &rid)) != FX_OK)
		return rc;
	if ((kind = snap_kind_of(rid, name)) < 0) {
		pb_say(x, "%s names no EBS or RDS snapshot", rid);
		return FX_EINVAL;
	}
	*k = (enum pb_snap_kind)kind;
	rc = pb_read_one(x, snap_kinds[kind].one, *name, resp, s);
	if (rc == FX_OK && *s != NULL &&
	    strcmp(pb_sto_util_str(*s, snap_kinds[kind].status), "deleting") ==
		0)
		*s = NULL;
	return rc;
}

/* the guards, then the use: PB_WRONG, PB_KEEP or PB_RIGHT */
static fx_err
snap_judge(struct pb_ctx *x, const struct snap_opts *o, enum pb_snap_kind k,
    const char *name, const json_t *s, enum pb_verdict *v)
{
	struct pb_snap_use u;
	fx_err rc;

	if ((rc = snap_guards(x, o, k, s, v)) != FX_OK || *v != PB_WRONG)
		return rc;
	u.min_age = o->min_age;
	if ((rc = pb_snap_used(x, k, name, NULL, &u)) != FX_OK)
		return rc;
	if (u.why[0] != '\0') {
		pb_say(x, "%s %s is in use: %s", snap_kinds[k].what, name,
		    u.why);
		*v = PB_RIGHT;
	}
	return FX_OK;
}

static fx_err
snap_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct snap_opts o;
	enum pb_snap_kind k = PB_SNAP_EBS;
	const json_t *s = NULL;
	const char *name;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	snap_opts(x, &o);
	if ((rc = snap_read(x, finding, &k, &resp, &name, &s)) != FX_OK)
		goto out;
	if (s == NULL) {
		pb_say(x, "%s %s no longer exists", snap_kinds[k].what, name);
		*v = PB_GONE;
		goto out;
	}
	rc = snap_judge(x, &o, k, name, s, v);
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

/* what the snapshot was, and what deleting it saves (no undo uses it) */
static json_t *
snap_prior(struct pb_ctx *x, enum pb_snap_kind k, const json_t *s)
{
	const struct snap_kind_def *d = &snap_kinds[k];
	int64_t gib = pb_sto_util_int(json_object_get(s, d->size), 0);
	json_t *p, *tags = snap_tags(k, s), *user;
	const struct fx_prov *pv;

	user = pb_user_tags(tags, 0, NULL);
	json_decref(tags);
	if ((p = snap_details(x, k, s)) == NULL || user == NULL)
		goto fail;
	pv = snap_made(x, pb_sto_util_str(s, d->one->key));
	if (json_object_set_new(p, "tags", user) != 0)
		goto fail_user;
	user = NULL;
	if (json_object_set_new(p, "encrypted",
		json_boolean(pb_sto_util_true(json_object_get(s,
		    k == PB_SNAP_EBS ? "encrypted" : "Encrypted")))) != 0 ||
	    json_object_set_new(p, "arn",
		json_string(pb_sto_util_str(s, d->arn ? d->arn : "-"))) != 0 ||
	    json_object_set_new(p, "made_by_playbook",
		pv != NULL
		    ? json_string(k == PB_SNAP_EBS ? "ebs-unused" : "rds-idle")
		    : json_null()) != 0 ||
	    price_usage_add(p, "snapshot_gb", d->usage_class, (double)gib) !=
		FX_OK ||
	    json_object_set_new(p, "usage_note", json_string(SNAP_GIB_NOTE)) !=
		0)
		goto fail;
	return p;
fail_user:
	json_decref(user);
fail:
	json_decref(p);
	return NULL;
}

/* delete snapshot name of kind k (mutating: not sent in a dry run) */
static fx_err
snap_delete(struct pb_ctx *x, enum pb_snap_kind k, const char *name,
    struct aws_resp *resp)
{
	switch (k) {
	case PB_SNAP_EBS:
		return pb_query(x, PB_REMEDIATOR, AWS_EC2, "DeleteSnapshot",
		    json_pack("{s:s}", "SnapshotId", name), 1, resp);
	case PB_SNAP_RDS:
		return pb_query(x, PB_REMEDIATOR, AWS_RDS, "DeleteDBSnapshot",
		    json_pack("{s:s}", "DBSnapshotIdentifier", name), 1, resp);
	default:
		return pb_query(x, PB_REMEDIATOR, AWS_RDS,
		    "DeleteDBClusterSnapshot",
		    json_pack("{s:s}", "DBClusterSnapshotIdentifier", name), 1,
		    resp);
	}
}

static fx_err
snap_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp, del;
	struct snap_opts o;
	enum pb_snap_kind k = PB_SNAP_EBS;
	enum pb_verdict v;
	const json_t *s = NULL;
	const char *name;
	json_t *p = NULL;
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	aws_resp_init(&del);
	snap_opts(x, &o);
	if ((rc = snap_read(x, finding, &k, &resp, &name, &s)) != FX_OK)
		goto out;
	if (s == NULL) {
		pb_say(x, "%s %s is gone: not deleted", snap_kinds[k].what,
		    name);
		rc = FX_ENOTFOUND;
		goto out;
	}
	/* never on an answer that changed since check */
	if ((rc = snap_judge(x, &o, k, name, s, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	if ((p = snap_prior(x, k, s)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = snap_delete(x, k, name, &del);
	if (rc != FX_OK)
		goto out;
	if (!x->dry_run)
		pb_say(x, "deleted %s %s (irreversible)", snap_kinds[k].what,
		    name);
	rc = pb_would(x, p, "delete the snapshot (irreversible)");
	if (rc != FX_OK)
		goto out;
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&del);
	aws_resp_release(&resp);
	return rc;
}

/* ---- verify ------------------------------------------------------------- */

static fx_err
snap_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	enum pb_snap_kind k = PB_SNAP_EBS;
	const json_t *s = NULL;
	const char *name;
	fx_err rc;

	(void)prior;
	*ok = 0;
	aws_resp_init(&resp);
	if ((rc = snap_read(x, finding, &k, &resp, &name, &s)) != FX_OK)
		goto out;
	if (s != NULL) {
		pb_say(x, "%s %s still exists (%s)", snap_kinds[k].what, name,
		    pb_sto_util_str(s, snap_kinds[k].status));
		goto out;
	}
	pb_say(x, "%s %s is gone", snap_kinds[k].what, name);
	*ok = 1;
out:
	aws_resp_release(&resp);
	return rc;
}

const struct pb_def pb_snapshot_stale = {
	.name = "snapshot-stale",
	.summary = "delete EBS and manual RDS snapshots unused for "
		   "min_age_days (by default only those fixitd's fixes made)",
	.irreversible = 1,
	.provenance = "ebs-unused rds-idle",
	.prov_made = 1,
	.detect = snap_detect,
	.check = snap_check,
	.fix = snap_fix,
	.verify = snap_verify,
	.undo = NULL,
};
