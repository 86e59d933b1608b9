/*
 * pb_snap_use.h - whether a snapshot is in use, for snapshot-stale
 * (detect, check and fix judge alike). A snapshot is used when
 *   - EBS: a volume was made from it within min_age (DescribeVolumes,
 *     filter snapshot-id), or an AMI of the account is backed by it,
 *     whatever its age (DescribeImages Owner=self, filter
 *     block-device-mapping.snapshot-id);
 *   - it is shared now with another account or the public
 *     (DescribeSnapshotAttribute createVolumePermission,
 *     DescribeDBSnapshotAttributes / DescribeDBClusterSnapshotAttributes
 *     restore);
 *   - CloudTrail shows it copied, shared or restored within min_age, as
 *     far back as CloudTrail keeps (90 days): EBS CopySnapshot,
 *     ModifySnapshotAttribute, CreateVolume; RDS
 *     RestoreDBInstanceFromDBSnapshot, CopyDBSnapshot,
 *     ModifyDBSnapshotAttribute and their cluster twins. An event that
 *     names no resource counts for every snapshot.
 * RDS keeps no link from an instance to the snapshot it was restored
 * from: for RDS, the share and the events are all there is to read.
 * A detection reads the account's volumes and AMIs once for all its
 * snapshots (struct pb_snap_scan); a check or a fix reads one
 * snapshot's with filters. Every read is the auditor's.
 */
#ifndef FIXIT_PB_SNAP_USE_H
#define FIXIT_PB_SNAP_USE_H

#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "pb_sto_util.h"
#include "playbook.h"

enum pb_snap_kind {
	PB_SNAP_EBS = 0, /* EBS snapshot */
	PB_SNAP_RDS,	 /* RDS DB snapshot */
	PB_SNAP_CLUSTER, /* RDS DB cluster snapshot */
	PB_SNAP__COUNT
};

struct pb_snap_use {
	int64_t min_age; /* seconds: what "recently" means */
	char why[160];	 /* the first use found; "" when none */
};

/*
 * What a detection reads once for all its snapshots instead of once per
 * snapshot: the account's volumes (DescribeVolumes, paged) and AMIs
 * (DescribeImages Owner=self, paged), on the first EBS snapshot that
 * asks, and the CloudTrail events of each kind (pb_sto_util_trail_of).
 * Owned by the detection; every member owned by the struct.
 */
struct pb_snap_scan {
	json_t *vol; /* snapshot id -> {"t": newest createTime, "id": vol} */
	json_t *ami; /* snapshot id -> an AMI id backed by it */
	int read;    /* 1 once the volumes and AMIs were read (or tried) */
	fx_err rc;   /* how that went */
	struct pb_trail trail[PB_SNAP__COUNT];
};
void pb_snap_scan_init(struct pb_snap_scan *s);
void pb_snap_scan_release(struct pb_snap_scan *s); /* accepts NULL */

/*
 * Whether snapshot id (the EBS id, the RDS identifier) of kind k is in
 * use; u->why says how. scan: a detection's one read (volumes, AMIs,
 * events); NULL (check, fix): the snapshot's own filtered reads and
 * event lookup.
 */
fx_err pb_snap_used(struct pb_ctx *x, enum pb_snap_kind k, const char *id,
    struct pb_snap_scan *scan, struct pb_snap_use *u) FX_WUR;

#endif
