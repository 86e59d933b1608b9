/*
 * pb_rds_prior.c - the prior state of a DB instance rds-idle deletes:
 * what is recorded and how a restore gets it back (see pb_rds_prior.h).
 */
#include <stdio.h>
#include <string.h>

#include "pb_rds_prior.h"
#include "pb_sto_util.h"
#include "price.h"
#include "banned.h"

/* TagList -> {"Key": "Value"} (new reference) */
json_t *
pb_rds_prior_tags(const json_t *inst)
{
	return pb_sto_util_tags(aws_j_list(inst, "TagList"));
}

/*
 * The prior state: every setting of the instance that
 * RestoreDBInstanceFromDBSnapshot can set again (param: its parameter;
 * NULL for what is kept for the record only), read from a
 * DescribeDBInstances element at path.
 */
enum rds_kind { RDS_STR, RDS_INT, RDS_BOOL };
struct rds_field {
	const char *key;
	const char *path;
	const char *param;
	enum rds_kind kind;
	int zero_ok; /* RDS_INT: 0 is a setting (no backups), not "none" */
};
static const struct rds_field rds_fields[] = {
	{ "db_instance_identifier", "DBInstanceIdentifier", NULL, RDS_STR, 0 },
	{ "db_instance_arn", "DBInstanceArn", NULL, RDS_STR, 0 },
	{ "dbi_resource_id", "DbiResourceId", NULL, RDS_STR, 0 },
	{ "engine", "Engine", NULL, RDS_STR, 0 },
	{ "engine_version", "EngineVersion", NULL, RDS_STR, 0 },
	{ "class", "DBInstanceClass", "DBInstanceClass", RDS_STR, 0 },
	{ "port", "Endpoint/Port", "Port", RDS_INT, 0 },
	{ "db_subnet_group", "DBSubnetGroup/DBSubnetGroupName",
	    "DBSubnetGroupName", RDS_STR, 0 },
	{ "multi_az", "MultiAZ", "MultiAZ", RDS_BOOL, 0 },
	{ "availability_zone", "AvailabilityZone", NULL, RDS_STR, 0 },
	{ "storage_type", "StorageType", "StorageType", RDS_STR, 0 },
	{ "allocated_storage", "AllocatedStorage", "AllocatedStorage", RDS_INT,
	    0 },
	{ "iops", "Iops", NULL, RDS_INT, 0 },
	{ "storage_throughput", "StorageThroughput", NULL, RDS_INT, 0 },
	{ "publicly_accessible", "PubliclyAccessible", "PubliclyAccessible",
	    RDS_BOOL, 0 },
	{ "deletion_protection", "DeletionProtection", "DeletionProtection",
	    RDS_BOOL, 0 },
	{ "backup_retention_period", "BackupRetentionPeriod",
	    "BackupRetentionPeriod", RDS_INT, 1 },
	{ "copy_tags_to_snapshot", "CopyTagsToSnapshot", "CopyTagsToSnapshot",
	    RDS_BOOL, 0 },
	{ "auto_minor_version_upgrade", "AutoMinorVersionUpgrade",
	    "AutoMinorVersionUpgrade", RDS_BOOL, 0 },
};
#define RDS_NFIELDS (sizeof(rds_fields) / sizeof(rds_fields[0]))

/* the value at key of the first element of inst's list, or "" */
static const char *
rds_first(const json_t *inst, const char *list, const char *key)
{
	return pb_sto_util_str(json_array_get(aws_j_list(inst, list), 0), key);
}

/* the instance's VPC security group ids (new array; NULL on ENOMEM) */
static json_t *
rds_group_ids(const json_t *inst)
{
	json_t *a = json_array(), *g;
	const char *sg;
	size_t i;

	json_array_foreach(aws_j_list(inst, "VpcSecurityGroups"), i, g) {
		sg = pb_sto_util_str(g, "VpcSecurityGroupId");
		if (a != NULL && *sg != '\0' &&
		    json_array_append_new(a, json_string(sg)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/*
 * What deleting the instance of prior p removes and keeps, monthly
 * (price.h): its hours of its class and its storage (twice each when
 * Multi-AZ: a standby runs too), less the final snapshot (counted at the
 * allocated size: an upper bound). The automated backups kept are not
 * counted (free up to the storage's size while retained).
 */
static fx_err
rds_usage(json_t *p)
{
	const char *cls = json_string_value(json_object_get(p, "class"));
	const char *st = json_string_value(json_object_get(p, "storage_type"));
	double copies = json_is_true(json_object_get(p, "multi_az")) ? 2 : 1;
	double gb =
	    (double)json_integer_value(json_object_get(p, "allocated_storage"));
	fx_err rc;

	rc = price_usage_add(p, "rds_instance_hour", cls, copies * PRICE_HOURS);
	if (rc == FX_OK && gb > 0)
		rc = price_usage_add(p, "rds_gb", st, copies * gb);
	if (rc == FX_OK && gb > 0)
		rc = price_usage_add(p, "snapshot_gb", "rds", -gb);
	return rc;
}

json_t *
pb_rds_prior_new(const json_t *inst, const char *snap)
{
	json_t *p, *all, *user, *sgs;
	const json_t *v;
	const struct rds_field *f;
	size_t i;
	int bad;

	all = pb_rds_prior_tags(inst);
	user = pb_user_tags(all, 0, NULL);
	json_decref(all);
	sgs = rds_group_ids(inst);
	p = json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:b}", "db_parameter_group",
	    rds_first(inst, "DBParameterGroups", "DBParameterGroupName"),
	    "option_group",
	    rds_first(inst, "OptionGroupMemberships", "OptionGroupName"),
	    "final_snapshot", snap, "vpc_security_groups", sgs, "tags", user,
	    "automated_backups_kept", 1);
	bad = p == NULL || sgs == NULL || user == NULL;
	for (i = 0; !bad && i < RDS_NFIELDS; i++) {
		f = &rds_fields[i];
		/* answers hold strings: anything else is left out */
		if ((v = aws_j_get(inst, f->path)) == NULL ||
		    !json_is_string(v))
			continue;
		if (f->kind == RDS_STR)
			bad = json_object_set_new(p, f->key,
				  json_string(json_string_value(v))) != 0;
		else if (f->kind == RDS_INT)
			bad = json_object_set_new(p, f->key,
				  json_integer(pb_sto_util_int(v, 0))) != 0;
		else
			bad = json_object_set_new(p, f->key,
				  json_boolean(pb_sto_util_true(v))) != 0;
	}
	json_decref(sgs);
	json_decref(user);
	if (!bad)
		bad = rds_usage(p) != FX_OK;
	if (bad) {
		json_decref(p);
		p = NULL;
	}
	return p;
}

/* one recorded setting as its restore parameter (f->param); what the
 * prior state lacks is left to the snapshot */
static int
rds_param(json_t *p, const json_t *prior, const struct rds_field *f)
{
	const json_t *v = json_object_get(prior, f->key);
	json_int_t n;

	if (f->param == NULL || v == NULL)
		return 0;
	if (f->kind == RDS_BOOL)
		return json_object_set_new(p, f->param,
		    json_string(json_is_true(v) ? "true" : "false"));
	if (f->kind == RDS_STR)
		return json_is_string(v) && *json_string_value(v) != '\0'
			   ? json_object_set_new(p, f->param,
				 json_string(json_string_value(v)))
			   : 0;
	n = json_integer_value(v);
	if (!json_is_integer(v) || n < 0 || (n == 0 && !f->zero_ok))
		return 0;
	return json_object_set_new(p, f->param, json_integer(n));
}

/*
 * Provisioned IOPS and throughput: io1/io2 always; gp3 only from 400 GiB,
 * below which RDS gives a fixed baseline it refuses to be asked for.
 */
static int
rds_param_iops(json_t *p, const json_t *prior)
{
	const char *type = pb_sto_util_str(prior, "storage_type");
	json_int_t size =
	    json_integer_value(json_object_get(prior, "allocated_storage"));
	json_int_t iops = json_integer_value(json_object_get(prior, "iops"));
	json_int_t tput =
	    json_integer_value(json_object_get(prior, "storage_throughput"));
	int io = strcmp(type, "io1") == 0 || strcmp(type, "io2") == 0;
	int gp3 = strcmp(type, "gp3") == 0 && size >= 400;

	if (iops > 0 && (io || gp3) &&
	    json_object_set_new(p, "Iops", json_integer(iops)) != 0)
		return -1;
	if (tput > 0 && gp3 &&
	    json_object_set_new(p, "StorageThroughput", json_integer(tput)) !=
		0)
		return -1;
	return 0;
}

fx_err
pb_rds_prior_restore(struct pb_ctx *x, const json_t *prior, json_t *p)
{
	const char *az = pb_sto_util_str(prior, "availability_zone");
	const char *pg = pb_sto_util_str(prior, "db_parameter_group");
	const char *og = pb_sto_util_str(prior, "option_group");
	int multi = pb_sto_util_true(json_object_get(prior, "multi_az"));
	json_t *g;
	char k[48];
	size_t i;

	for (i = 0; i < RDS_NFIELDS; i++)
		if (rds_param(p, prior, &rds_fields[i]) != 0)
			return FX_ENOMEM;
	/* AWS refuses a zone for a Multi-AZ instance: it picks both */
	if (!multi && *az != '\0' &&
	    json_object_set_new(p, "AvailabilityZone", json_string(az)) != 0)
		return FX_ENOMEM;
	if (*pg != '\0' && json_object_set_new(p, "DBParameterGroupName",
			       json_string(pg)) != 0)
		return FX_ENOMEM;
	if (*og != '\0' &&
	    json_object_set_new(p, "OptionGroupName", json_string(og)) != 0)
		return FX_ENOMEM;
	if (rds_param_iops(p, prior) != 0)
		return FX_ENOMEM;
	json_array_foreach(json_object_get(prior, "vpc_security_groups"), i,
	    g) {
		if (!json_is_string(g) || i >= 50)
			continue;
		snprintf(k, sizeof(k), "VpcSecurityGroupIds.member.%zu", i + 1);
		if (json_object_set(p, k, g) != 0)
			return FX_ENOMEM;
	}
	return pb_sto_util_tag_restore(x, p, "Tags.member.",
	    json_object_get(prior, "tags"),
	    pb_sto_util_str(prior, "final_snapshot"));
}
