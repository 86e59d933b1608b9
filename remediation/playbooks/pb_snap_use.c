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

/* EBS: the volumes made from it, the AMIs backed by it */
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
    struct pb_trail *trail, struct pb_snap_use *u)
{
	int64_t since, ev = 0;
	char when[21];
	fx_err rc;

	u->why[0] = '\0';
	if (k == PB_SNAP_EBS && (rc = snap_used_ebs(x, id, u)) != FX_OK)
		return rc;
	if (u->why[0] != '\0')
		return FX_OK;
	if ((rc = snap_shared(x, k, id, u)) != FX_OK || u->why[0] != '\0')
		return rc;
	since = x->now -
		(u->min_age < SNAP_TRAIL_MAX ? u->min_age : SNAP_TRAIL_MAX);
	rc = pb_sto_util_trail_of(x, trail, snap_events[k], since, id, &ev);
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
