/*
 * pb_rds_prior.h - the prior state of a DB instance that rds-idle
 * deletes, and the restore that undoes the delete.
 *
 * Recorded: every setting RestoreDBInstanceFromDBSnapshot can set again
 * (class, port, subnet group, VPC security groups, Multi-AZ or the zone,
 * DB parameter group, option group, storage type, allocated size, IOPS
 * and throughput, public access, deletion protection, backup retention,
 * copy-tags, minor version upgrades), the user's tags, and for the record
 * the identifier, ARN, resource id (DbiResourceId: the retained automated
 * backups are found by it), engine and engine version. Restore takes all
 * of it, so an undo needs no ModifyDBInstance afterwards.
 *
 * Keys of the prior state (JSON, stored with the fix): db_instance_identifier,
 * db_instance_arn, dbi_resource_id, engine, engine_version, class, port,
 * db_subnet_group, multi_az, availability_zone, storage_type,
 * allocated_storage, iops, storage_throughput, publicly_accessible,
 * deletion_protection, backup_retention_period, copy_tags_to_snapshot,
 * auto_minor_version_upgrade, db_parameter_group, option_group,
 * vpc_security_groups [ids], tags {k: v}, final_snapshot,
 * automated_backups_kept, usage (what the delete saves: price.h). A setting the answer lacked is left out, and a
 * restore leaves it to the snapshot (older prior states too).
 */
#ifndef FIXIT_PB_RDS_PRIOR_H
#define FIXIT_PB_RDS_PRIOR_H

#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

/* an RDS TagList -> {"Key": "Value"} (new reference; NULL on ENOMEM) */
json_t *pb_rds_prior_tags(const json_t *inst);

/* the prior state of inst (a DescribeDBInstances element) deleted with
 * final snapshot snap (new object; NULL on ENOMEM) */
json_t *pb_rds_prior_new(const json_t *inst, const char *snap);

/* the RestoreDBInstanceFromDBSnapshot parameters of prior added to
 * params (identifier and snapshot are the caller's), with the user's
 * tags plus fixit:restored-from (pb_sto_util_tag_restore) */
fx_err pb_rds_prior_restore(struct pb_ctx *x, const json_t *prior,
    json_t *params) FX_WUR;

#endif
