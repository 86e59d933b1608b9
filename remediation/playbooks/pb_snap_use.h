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
 * Every read is the auditor's.
 */
#ifndef FIXIT_PB_SNAP_USE_H
#define FIXIT_PB_SNAP_USE_H

#include <stdint.h>

#include "fxerr.h"
#include "playbook.h"

struct pb_trail; /* pb_sto_util.h */

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
 * Whether snapshot id (the EBS id, the RDS identifier) of kind k is in
 * use; u->why says how. The events come from trail (one read for a
 * whole detection, pb_sto_util_trail_of) or, trail NULL, from a lookup
 * of the snapshot's own.
 */
fx_err pb_snap_used(struct pb_ctx *x, enum pb_snap_kind k, const char *id,
    struct pb_trail *trail, struct pb_snap_use *u) FX_WUR;

#endif
