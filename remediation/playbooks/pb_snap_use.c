/*
 * pb_snap_use.c - whether a snapshot is in use (see pb_snap_use.h).
 */
#include <stdio.h>
#include <string.h>

#include "fxtime.h"
#include "pb_snap_use.h"
#include "pb_sto_util.h"
#include "banned.h"

#define SNAP_DAY       86400
#define SNAP_TRAIL_MAX (90 * SNAP_DAY) /* what LookupEvents holds */

static const char *const snap_ebs_events[] = { "CopySnapshot",
	"ModifySnapshotAttribute", "CreateVolume", NULL };
static const char *const snap_rds_events[] = {
	"RestoreDBInstanceFromDBSnapshot", "CopyDBSnapshot",
	"ModifyDBSnapshotAttribute", NULL
};
static const char *const snap_cluster_events[] = {
	"RestoreDBClusterFromSnapshot", "CopyDBClusterSnapshot",
	"ModifyDBClusterSnapshotAttribute", NULL
};

static const char *const *const snap_events[PB_SNAP__COUNT] = {
	[PB_SNAP_EBS] = snap_ebs_events,
	[PB_SNAP_RDS] = snap_rds_events,
	[PB_SNAP_CLUSTER] = snap_cluster_events,
};

static fx_err
snap_use_volume(struct pb_ctx *x, const json_t *vol, void *arg)
{
	struct pb_snap_use *u = arg;
	int64_t t;

	if (u->why[0] != '\0' ||
	    fx_iso8601_parse(pb_sto_util_str(vol, "createTime"), &t) != FX_OK)
		return FX_OK;
	if (x->now - t < u->min_age)
		snprintf(u->why, sizeof(u->why),
		    "volume %.32s was made from it on %.10s",
		    pb_sto_util_str(vol, "volumeId"),
		    pb_sto_util_str(vol, "createTime"));
	return FX_OK;
}

static fx_err
snap_use_image(struct pb_ctx *x, const json_t *img, void *arg)
{
	struct pb_snap_use *u = arg;

	(void)x;
	if (u->why[0] == '\0')
		snprintf(u->why, sizeof(u->why), "AMI %.32s is backed by it",
		    pb_sto_util_str(img, "imageId"));
	return FX_OK;
}

/* EBS, by itself (check, fix): the volumes made from it, the AMIs
 * backed by it */
static fx_err
snap_used_ebs(struct pb_ctx *x, const char *id, struct pb_snap_use *u)
{
	json_t *p;
	fx_err rc;

	if ((p = json_pack("{s:i}", "MaxResults", 200)) == NULL)
		return FX_ENOMEM;
	rc = pb_ec2_filter(p, 1, "snapshot-id", id);
	if (rc == FX_OK)
		rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeVolumes", p,
		    "volumeSet", "nextToken", snap_use_volume, u);
	json_decref(p);
	if (rc != FX_OK || u->why[0] != '\0')
		return rc;
	if ((p = json_pack("{s:s, s:i}", "Owner.1", "self", "MaxResults",
		 200)) == NULL)
		return FX_ENOMEM;
	rc = pb_ec2_filter(p, 1, "block-device-mapping.snapshot-id", id);
	if (rc == FX_OK)
		rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeImages", p,
		    "imagesSet", "nextToken", snap_use_image, u);
	json_decref(p);
	return rc;
}

/* ---- one read for a whole detection ---------------------------------- */

void
pb_snap_scan_init(struct pb_snap_scan *s)
{
	int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < PB_SNAP__COUNT; k++)
		pb_trail_init(&s->trail[k]);
}

void
pb_snap_scan_release(struct pb_snap_scan *s)
{
	int k;

	if (s == NULL)
		return;
	json_decref(s->vol);
	json_decref(s->ami);
	for (k = 0; k < PB_SNAP__COUNT; k++)
		pb_trail_release(&s->trail[k]);
	memset(s, 0, sizeof(*s));
}

/* the newest volume made from each snapshot */
static fx_err
scan_volume(struct pb_ctx *x, const json_t *vol, void *arg)
{
	struct pb_snap_scan *s = arg;
	const char *sid = pb_sto_util_str(vol, "snapshotId");
	const json_t *old;
	json_t *v;
	int64_t t;

	(void)x;
	if (*sid == '\0' ||
	    fx_iso8601_parse(pb_sto_util_str(vol, "createTime"), &t) != FX_OK)
		return FX_OK;
	old = json_object_get(s->vol, sid);
	if (old != NULL && json_integer_value(json_object_get(old, "t")) >= t)
		return FX_OK;
	v = json_pack("{s:I, s:s}", "t", (json_int_t)t, "id",
	    pb_sto_util_str(vol, "volumeId"));
	return v != NULL && json_object_set_new(s->vol, sid, v) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

/* an AMI backed by each snapshot */
static fx_err
scan_image(struct pb_ctx *x, const json_t *img, void *arg)
{
	struct pb_snap_scan *s = arg;
	const json_t *bdm;
	const char *sid;
	size_t i;

	(void)x;
	json_array_foreach(aws_j_list(img, "blockDeviceMapping"), i, bdm) {
		sid = aws_j_str(bdm, "ebs/snapshotId");
		if (sid == NULL || *sid == '\0' ||
		    json_object_get(s->ami, sid) != NULL)
			continue;
		if (json_object_set_new(s->ami, sid,
			json_string(pb_sto_util_str(img, "imageId"))) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

/* s's volumes and AMIs, read on first use (a failed read is not tried
 * again: every snapshot that asks gets its error) */
static fx_err
scan_read(struct pb_ctx *x, struct pb_snap_scan *s)
{
	json_t *p = NULL;
	fx_err rc = FX_ENOMEM;

	if (s->read)
		return s->rc;
	s->read = 1;
	if ((s->vol = json_object()) == NULL ||
	    (s->ami = json_object()) == NULL ||
	    (p = json_pack("{s:i}", "MaxResults", 500)) == NULL)
		goto out;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeVolumes", p, "volumeSet",
	    "nextToken", scan_volume, s);
	json_decref(p);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	if ((p = json_pack("{s:s, s:i}", "Owner.1", "self", "MaxResults",
		 1000)) == NULL)
		goto out;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeImages", p, "imagesSet",
	    "nextToken", scan_image, s);
out:
	json_decref(p);
	s->rc = rc;
	return rc;
}

/* EBS, from the detection's one read: the volumes and AMIs of id */
static fx_err
snap_used_ebs_scan(struct pb_ctx *x, struct pb_snap_scan *s, const char *id,
    struct pb_snap_use *u)
{
	const json_t *v;
	const char *ami;
	char when[21];
	int64_t t;
	fx_err rc;

	if ((rc = scan_read(x, s)) != FX_OK)
		return rc;
	v = json_object_get(s->vol, id);
	t = json_integer_value(json_object_get(v, "t"));
	if (v != NULL && x->now - t < u->min_age) {
		fx_iso8601_format(t, when);
		snprintf(u->why, sizeof(u->why),
		    "volume %.32s was made from it on %.10s",
		    pb_sto_util_str(v, "id"), when);
	} else if ((ami = json_string_value(json_object_get(s->ami, id))) !=
		   NULL)
		snprintf(u->why, sizeof(u->why), "AMI %.32s is backed by it",
		    ami);
	return FX_OK;
}

/* ---- shares ----------------------------------------------------------- */

/* the first account (or "all": public) of a share list, or NULL */
static const char *
snap_share_first(const json_t *list, const char *key)
{
	const json_t *it;
	size_t i;

	json_array_foreach(list, i, it) {
		if (json_is_string(it) && *json_string_value(it) != '\0')
			return json_string_value(it);
		if (key != NULL && *pb_sto_util_str(it, key) != '\0')
			return pb_sto_util_str(it, key);
		if (*pb_sto_util_str(it, "group") != '\0')
			return pb_sto_util_str(it, "group");
	}
	return NULL;
}

/* the accounts an RDS attribute list lets restore the snapshot */
static const char *
snap_share_rds(const json_t *attrs)
{
	const json_t *a;
	size_t i;

	json_array_foreach(attrs, i, a) {
		if (strcmp(pb_sto_util_str(a, "AttributeName"), "restore") == 0)
			return snap_share_first(aws_j_list(a,
						    "AttributeValues"),
			    NULL);
	}
	return NULL;
}

/*
 * Shared now with another account or the public: they may copy or
 * restore it whenever they like (u->why says with whom).
 */
static fx_err
snap_shared(struct pb_ctx *x, enum pb_snap_kind k, const char *id,
    struct pb_snap_use *u)
{
	struct aws_resp resp;
	const char *who = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	switch (k) {
	case PB_SNAP_EBS:
		rc = pb_query(x, PB_AUDITOR, AWS_EC2,
		    "DescribeSnapshotAttribute",
		    json_pack("{s:s, s:s}", "SnapshotId", id, "Attribute",
			"createVolumePermission"),
		    0, &resp);
		if (rc == FX_OK)
			who = snap_share_first(aws_j_list(resp.doc,
						   "createVolumePermission"),
			    "userId");
		break;
	case PB_SNAP_RDS:
		rc = pb_query(x, PB_AUDITOR, AWS_RDS,
		    "DescribeDBSnapshotAttributes",
		    json_pack("{s:s}", "DBSnapshotIdentifier", id), 0, &resp);
		if (rc == FX_OK)
			who = snap_share_rds(aws_j_list(resp.doc,
			    "DescribeDBSnapshotAttributesResult/"
			    "DBSnapshotAttributesResult/DBSnapshotAttributes"));
		break;
	default:
		rc = pb_query(x, PB_AUDITOR, AWS_RDS,
		    "DescribeDBClusterSnapshotAttributes",
		    json_pack("{s:s}", "DBClusterSnapshotIdentifier", id), 0,
		    &resp);
		if (rc == FX_OK)
			who = snap_share_rds(aws_j_list(resp.doc,
			    "DescribeDBClusterSnapshotAttributesResult/"
			    "DBClusterSnapshotAttributesResult/"
			    "DBClusterSnapshotAttributes"));
		break;
	}
	if (who != NULL)
		snprintf(u->why, sizeof(u->why), "it is shared with %.40s",
		    who);
	aws_resp_release(&resp);
	return rc;
}

/*
 * Whether snapshot id of kind k is in use (u->why says how): EBS's
 * volumes and AMIs, a share with another account, then CloudTrail's
 * events of it, from trail (detect: one read for the scan) or its own
 * lookup (NULL).
 */
fx_err
pb_snap_used(struct pb_ctx *x, enum pb_snap_kind k, const char *id,
    struct pb_snap_scan *scan, struct pb_snap_use *u)
{
	int64_t since, ev = 0;
	char when[21];
	fx_err rc = FX_OK;

	u->why[0] = '\0';
	if (k == PB_SNAP_EBS)
		rc = scan != NULL ? snap_used_ebs_scan(x, scan, id, u)
				  : snap_used_ebs(x, id, u);
	if (rc != FX_OK)
		return rc;
	if (u->why[0] != '\0')
		return FX_OK;
	if ((rc = snap_shared(x, k, id, u)) != FX_OK || u->why[0] != '\0')
		return rc;
	since = x->now -
		(u->min_age < SNAP_TRAIL_MAX ? u->min_age : SNAP_TRAIL_MAX);
	rc = pb_sto_util_trail_of(x, scan != NULL ? &scan->trail[k] : NULL,
	    snap_events[k], since, id, &ev);
	if (rc != FX_OK)
		return rc;
	if (ev > 0) {
		fx_iso8601_format(ev, when);
		snprintf(u->why, sizeof(u->why),
		    "CloudTrail shows it copied, shared or restored on %.10s",
		    when);
	}
	return FX_OK;
}
