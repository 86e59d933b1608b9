/*
 * pb_ec2_idle.c - what ec2-stopped and ec2-underused share (see
 * pb_ec2_idle.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "pb_ec2_idle.h"
#include "pb_ec2_util.h"
#include "pb_sto_util.h"
#include "price.h"
#include "banned.h"

#define IDLE_MONTH_HOURS 730
#define IDLE_DRY_IMAGE	 "ami-(dry-run)"

/* tag keys (or key prefixes, ending in '/' or ':') of managed instances */
static const struct {
	const char *key;
	int prefix;
	const char *who;
} idle_managers[] = {
	{ "aws:autoscaling:groupName", 0, "an Auto Scaling group" },
	{ "eks:cluster-name", 0, "EKS" },
	{ "eks:nodegroup-name", 0, "EKS" },
	{ "kubernetes.io/cluster/", 1, "a Kubernetes cluster" },
	{ "karpenter.sh/", 1, "Karpenter" },
	{ "AmazonECSManaged", 0, "ECS" },
	{ "aws:ecs:", 1, "ECS" },
};

fx_err
pb_ec2_idle_reason_time(const char *reason, int64_t *t)
{
	const char *p = reason != NULL ? strchr(reason, '(') : NULL;
	char iso[24];

	*t = 0;
	/* "(YYYY-MM-DD HH:MM:SS GMT)" */
	if (p == NULL || strlen(p) < 25 || p[11] != ' ' ||
	    strncmp(p + 20, " GMT)", 5) != 0)
		return FX_EINVAL;
	snprintf(iso, sizeof(iso), "%.10sT%.8sZ", p + 1, p + 12);
	return fx_iso8601_parse(iso, t);
}

void
pb_ec2_idle_managed(const json_t *inst, const json_t *tags, struct pb_elig *e)
{
	const char *key, *life = aws_j_str(inst, "instanceLifecycle");
	const json_t *v;
	size_t i, n;

	if (life != NULL && strcmp(life, "spot") == 0)
		pb_elig_exempt(e, "a Spot instance (the Spot service manages "
				  "it)");
	json_object_foreach((json_t *)tags, key, v) {
		for (i = 0;
		     i < sizeof(idle_managers) / sizeof(idle_managers[0]);
		     i++) {
			n = strlen(idle_managers[i].key);
			if (idle_managers[i].prefix
				? strncmp(key, idle_managers[i].key, n) == 0
				: strcmp(key, idle_managers[i].key) == 0)
				pb_elig_exempt(e, "managed by %s (tag %s)",
				    idle_managers[i].who, key);
		}
	}
}

fx_err
pb_ec2_idle_protected(struct pb_ctx *x, const char *iid, struct pb_elig *e)
{
	struct aws_resp resp;
	const char *v;
	fx_err rc;

	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeInstanceAttribute",
	    json_pack("{s:s, s:s}", "InstanceId", iid, "Attribute",
		"disableApiTermination"),
	    0, &resp);
	if (rc == FX_OK) {
		v = aws_j_str(resp.doc, "disableApiTermination/value");
		if (v == NULL || strcmp(v, "false") != 0)
			pb_elig_exempt(e, "termination-protected%s",
			    v == NULL ? " (unknown: counted as protected)"
				      : "");
	}
	aws_resp_release(&resp);
	return rc;
}

json_t *
pb_ec2_idle_volume_ids(const json_t *inst)
{
	const json_t *m;
	const char *vid;
	json_t *a = json_array();
	size_t i;

	json_array_foreach(aws_j_list(inst, "blockDeviceMapping"), i, m) {
		vid = aws_j_str(m, "ebs/volumeId");
		if (a != NULL && vid != NULL &&
		    json_array_append_new(a, json_string(vid)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* ---- the prior state ---------------------------------------------------- */

/* one volume of the prior: the mapping m, the volume vol (may be NULL) */
static json_t *
idle_volume(const json_t *m, const json_t *vol)
{
	return json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:b, s:s?, s:b}",
	    "device", pb_sto_util_str(m, "deviceName"), "volume_id",
	    aws_j_str(m, "ebs/volumeId"), "size",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "size"), 0),
	    "volume_type", pb_sto_util_str(vol, "volumeType"), "iops",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "iops"), 0),
	    "throughput",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "throughput"), 0),
	    "encrypted", pb_sto_util_true(json_object_get(vol, "encrypted")),
	    "kms_key_id", json_string_value(json_object_get(vol, "kmsKeyId")),
	    "delete_on_termination",
	    pb_sto_util_true(aws_j_get(m, "ebs/deleteOnTermination")));
}

/* DescribeVolumes of inst's volumes, into vols (array) */
static fx_err
idle_volumes(struct pb_ctx *x, const json_t *inst, json_t *vols)
{
	struct aws_resp resp;
	const json_t *m, *maps = aws_j_list(inst, "blockDeviceMapping");
	json_t *p, *v;
	char key[32];
	size_t i, n = 0;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	if ((p = json_object()) == NULL)
		goto out;
	json_array_foreach(maps, i, m) {
		if (aws_j_str(m, "ebs/volumeId") == NULL)
			continue;
		if (++n > PB_EC2_IDLE_MAX_VOLUMES) {
			pb_say(x, "more than %d volumes: not handled",
			    PB_EC2_IDLE_MAX_VOLUMES);
			rc = FX_ETOOBIG;
			goto out;
		}
		snprintf(key, sizeof(key), "VolumeId.%zu", n);
		if (json_object_set_new(p, key,
			json_string(aws_j_str(m, "ebs/volumeId"))) != 0)
			goto out;
	}
	rc = FX_OK;
	if (n == 0)
		goto out;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeVolumes", p, 0, &resp);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	json_array_foreach(maps, i, m) {
		if (aws_j_str(m, "ebs/volumeId") == NULL)
			continue;
		v = idle_volume(m, pb_item(resp.doc, "volumeSet", "volumeId",
				       aws_j_str(m, "ebs/volumeId")));
		if (json_array_append_new(vols, v) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_ec2_idle_prior(struct pb_ctx *x, const json_t *inst, json_t **prior)
{
	json_t *p = NULL, *tags, *user, *vols;
	fx_err rc = FX_ENOMEM;

	*prior = NULL;
	tags = pb_ec2_tags(json_object_get(inst, "tagSet"));
	user = pb_user_tags(tags, 0, NULL);
	json_decref(tags);
	vols = json_array();
	if (user == NULL || vols == NULL)
		goto fail;
	p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:s?, s:s?, "
		      "s:s, s:b, s:b, s:O, s:O}",
	    "instance_id", pb_sto_util_str(inst, "instanceId"), "launch_time",
	    pb_sto_util_str(inst, "launchTime"), "instance_type",
	    pb_sto_util_str(inst, "instanceType"), "image_id",
	    pb_sto_util_str(inst, "imageId"), "architecture",
	    pb_sto_util_str(inst, "architecture"), "subnet_id",
	    pb_sto_util_str(inst, "subnetId"), "availability_zone",
	    aws_j_str(inst, "placement/availabilityZone"), "security_groups",
	    pb_ec2_util_group_ids(inst), "iam_instance_profile_arn",
	    aws_j_str(inst, "iamInstanceProfile/arn"), "key_name",
	    aws_j_str(inst, "keyName"), "root_device_name",
	    pb_sto_util_str(inst, "rootDeviceName"), "ena_support",
	    pb_sto_util_true(aws_j_get(inst, "enaSupport")), "ebs_optimized",
	    pb_sto_util_true(aws_j_get(inst, "ebsOptimized")), "tags", user,
	    "volumes", vols);
	if (p != NULL &&
	    json_object_set_new(p, "metadata_options",
		json_pack("{s:s?, s:s?, s:s?}", "http_tokens",
		    aws_j_str(inst, "metadataOptions/httpTokens"),
		    "http_endpoint",
		    aws_j_str(inst, "metadataOptions/httpEndpoint"),
		    "hop_limit",
		    aws_j_str(inst,
			"metadataOptions/httpPutResponseHopLimit"))) != 0) {
		json_decref(p);
		p = NULL;
	}
	if (p == NULL)
		goto fail;
	if ((rc = idle_volumes(x, inst, vols)) != FX_OK)
		goto fail;
	*prior = p;
	p = NULL;
fail:
	json_decref(p);
	json_decref(user);
	json_decref(vols);
	return rc;
}

/* ---- the fix ------------------------------------------------------------ */

fx_err
pb_ec2_idle_backup(struct pb_ctx *x, json_t *prior, const char *kept)
{
	json_t *vols = json_object_get(prior, "volumes"), *v;
	const char *iid = pb_sto_util_str(prior, "instance_id");
	char before[96], sid[128];
	size_t i;
	fx_err rc;

	snprintf(before, sizeof(before), "terminating %s", iid);
	json_array_foreach(vols, i, v) {
		rc = pb_ec2_util_snapshot(x, pb_sto_util_str(v, "volume_id"),
		    before, sid, sizeof(sid));
		if (rc != FX_OK)
			return rc;
		if (json_object_set_new(v, "snapshot_id", json_string(sid)) !=
		    0)
			return FX_ENOMEM;
	}
	if (x->dry_run)
		return FX_OK;
	/* all started: one wait each, the later ones mostly done by then */
	json_array_foreach(vols, i, v) {
		rc = pb_ec2_util_snap_wait(x, pb_sto_util_str(v, "snapshot_id"),
		    kept);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

fx_err
pb_ec2_idle_usage(json_t *prior, int instance_hours)
{
	json_t *v;
	int64_t gib;
	size_t i;
	fx_err rc = FX_OK;

	json_object_del(prior, "usage"); /* stated afresh */
	if (instance_hours)
		rc = price_usage_add(prior, "ec2_instance_hour",
		    pb_sto_util_str(prior, "instance_type"), IDLE_MONTH_HOURS);
	json_array_foreach(json_object_get(prior, "volumes"), i, v) {
		if (rc != FX_OK)
			break;
		gib = pb_sto_util_int(json_object_get(v, "size"), 0);
		/* a volume kept at termination still costs */
		if (pb_sto_util_true(
			json_object_get(v, "delete_on_termination")))
			rc = price_usage_add(prior, "ebs_gb",
			    pb_sto_util_str(v, "volume_type"), (double)gib);
		if (rc == FX_OK)
			rc = price_usage_add(prior, "snapshot_gb", "ebs",
			    -(double)gib);
	}
	return rc;
}

fx_err
pb_ec2_idle_terminate(struct pb_ctx *x, const char *iid)
{
	struct aws_resp resp;
	fx_err rc;

	if ((rc = pb_tag_ec2(x, iid, "terminate", NULL)) != FX_OK)
		return rc;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "TerminateInstances",
	    json_pack("{s:s}", "InstanceId.1", iid), 1, &resp);
	aws_resp_release(&resp);
	if (rc == FX_OK && !x->dry_run)
		pb_say(x, "terminated instance %s (its volumes snapshotted)",
		    iid);
	return rc;
}

/* ---- verify ------------------------------------------------------------- */

static const struct pb_one idle_snap_one = { AWS_EC2, "DescribeSnapshots",
	"SnapshotId.1", "snapshotSet", "snapshotId",
	"InvalidSnapshot.NotFound" };

fx_err
pb_ec2_idle_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	const json_t *item = NULL, *v;
	const char *iid = pb_sto_util_str(prior, "instance_id"), *sid, *st;
	size_t i;
	fx_err rc;

	(void)finding;
	*ok = 0;
	aws_resp_init(&resp);
	if (*iid == '\0') {
		pb_say(x, "the prior state names no instance");
		rc = FX_EINVAL;
		goto out;
	}
	rc = pb_ec2_util_instance(x, PB_AUDITOR, iid, &resp, &item);
	if (rc != FX_OK)
		goto out;
	if (item != NULL && !pb_ec2_util_ended(item)) {
		pb_say(x, "instance %s is still %s", iid,
		    pb_sto_util_str(aws_j_get(item, "instanceState"), "name"));
		goto out;
	}
	json_array_foreach(json_object_get(prior, "volumes"), i, v) {
		sid = pb_sto_util_str(v, "snapshot_id");
		aws_resp_release(&resp);
		if ((rc = pb_read_one(x, &idle_snap_one, sid, &resp, &item)) !=
		    FX_OK)
			goto out;
		st = pb_sto_util_str(item, "status");
		if (item == NULL || strcmp(st, "error") == 0) {
			pb_say(x, "backup snapshot %s is %s", sid,
			    item == NULL ? "missing" : st);
			goto out;
		}
	}
	pb_say(x, "instance %s is terminated, its snapshots kept", iid);
	*ok = 1;
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- undo --------------------------------------------------------------- */

/* one BlockDeviceMapping.N of RegisterImage from volume v */
static fx_err
idle_map(json_t *p, size_t n, const json_t *v)
{
	const char *type = pb_sto_util_str(v, "volume_type");
	int64_t iops = pb_sto_util_int(json_object_get(v, "iops"), 0);
	int64_t tput = pb_sto_util_int(json_object_get(v, "throughput"), 0);
	int64_t size = pb_sto_util_int(json_object_get(v, "size"), 0);
	char k[64];

#define MAP(field, val)                                                        \
	do {                                                                   \
		snprintf(k, sizeof(k), "BlockDeviceMapping.%zu.%s", n, field); \
		if (json_object_set_new(p, k, val) != 0)                       \
			return FX_ENOMEM;                                      \
	} while (0)
	MAP("DeviceName", json_string(pb_sto_util_str(v, "device")));
	MAP("Ebs.SnapshotId", json_string(pb_sto_util_str(v, "snapshot_id")));
	MAP("Ebs.DeleteOnTermination",
	    json_string(
		pb_sto_util_true(json_object_get(v, "delete_on_termination"))
		    ? "true"
		    : "false"));
	if (*type != '\0')
		MAP("Ebs.VolumeType", json_string(type));
	if (size > 0)
		MAP("Ebs.VolumeSize", json_integer(size));
	/* AWS takes Iops only for provisioned types, Throughput for gp3 */
	if (iops > 0 && (strcmp(type, "io1") == 0 || strcmp(type, "io2") == 0 ||
			    strcmp(type, "gp3") == 0))
		MAP("Ebs.Iops", json_integer(iops));
	if (tput > 0 && strcmp(type, "gp3") == 0)
		MAP("Ebs.Throughput", json_integer(tput));
#undef MAP
	return FX_OK;
}

static fx_err
idle_image_params(struct pb_ctx *x, const json_t *prior, const char *name,
    json_t **out)
{
	const char *arch = pb_sto_util_str(prior, "architecture");
	const json_t *v;
	json_t *p;
	char desc[160];
	size_t i;
	fx_err rc;

	*out = NULL;
	snprintf(desc, sizeof(desc), "fixit: %s restored (finding %lld)",
	    pb_sto_util_str(prior, "instance_id"), (long long)x->finding_id);
	p = json_pack("{s:s, s:s, s:s, s:s}", "Name", name, "Description", desc,
	    "RootDeviceName", pb_sto_util_str(prior, "root_device_name"),
	    "VirtualizationType", "hvm");
	if (p == NULL)
		return FX_ENOMEM;
	rc = FX_ENOMEM;
	if (*arch != '\0' &&
	    json_object_set_new(p, "Architecture", json_string(arch)) != 0)
		goto out;
	if (pb_sto_util_true(json_object_get(prior, "ena_support")) &&
	    json_object_set_new(p, "EnaSupport", json_string("true")) != 0)
		goto out;
	json_array_foreach(json_object_get(prior, "volumes"), i, v) {
		if ((rc = idle_map(p, i + 1, v)) != FX_OK)
			goto out;
	}
	*out = p;
	p = NULL;
	rc = FX_OK;
out:
	json_decref(p);
	return rc;
}

/* an image of ours by name (a retried undo registered it already) */
static fx_err
idle_image_named(struct pb_ctx *x, const char *name, char *ami, size_t len)
{
	struct aws_resp resp;
	json_t *p = json_pack("{s:s}", "Owner.1", "self");
	const char *id;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	if (p == NULL || pb_ec2_filter(p, 1, "name", name) != FX_OK)
		goto out;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeImages", p, 0, &resp);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	id = aws_j_str(pb_item(resp.doc, "imagesSet", "name", name), "imageId");
	if (id == NULL) {
		pb_say(x, "image %s: named as taken, not found", name);
		rc = FX_ENOTFOUND;
		goto out;
	}
	snprintf(ami, len, "%s", id);
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
idle_register(struct pb_ctx *x, const json_t *prior, char *ami, size_t len)
{
	struct aws_resp resp;
	const char *id;
	json_t *p = NULL;
	char name[128];
	size_t mark;
	fx_err rc;

	aws_resp_init(&resp);
	snprintf(name, sizeof(name), "fixit-restore-%s-%lld",
	    pb_sto_util_str(prior, "instance_id"), (long long)x->finding_id);
	if ((rc = idle_image_params(x, prior, name, &p)) != FX_OK)
		goto out;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "RegisterImage", p, 1, &resp);
	p = NULL;
	if (pb_is_error(rc, &resp, "InvalidAMIName.Duplicate")) {
		pb_msg_rewind(x, mark);
		rc = idle_image_named(x, name, ami, len);
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	if ((id = pb_created(x, "RegisterImage", resp.doc, "imageId", "image",
		 IDLE_DRY_IMAGE)) == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	snprintf(ami, len, "%s", id);
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

/* the instance metadata options recorded (IMDSv2 stays required) */
static fx_err
idle_run_metadata(const json_t *prior, json_t *p)
{
	static const char *const keys[][2] = {
		{ "http_tokens", "MetadataOptions.HttpTokens" },
		{ "http_endpoint", "MetadataOptions.HttpEndpoint" },
		{ "hop_limit", "MetadataOptions.HttpPutResponseHopLimit" },
	};
	const json_t *m = json_object_get(prior, "metadata_options");
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_string_value(json_object_get(m, keys[i][0]));
		if (v != NULL && *v != '\0' &&
		    json_object_set_new(p, keys[i][1], json_string(v)) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

static fx_err
idle_run_params(struct pb_ctx *x, const json_t *prior, const char *ami,
    json_t *p)
{
	const char *s;
	const json_t *g;
	char k[48];
	size_t i;
	fx_err rc;

	s = json_string_value(
	    json_object_get(prior, "iam_instance_profile_arn"));
	if (s != NULL && *s != '\0' &&
	    json_object_set_new(p, "IamInstanceProfile.Arn", json_string(s)) !=
		0)
		return FX_ENOMEM;
	s = json_string_value(json_object_get(prior, "key_name"));
	if (s != NULL && *s != '\0' &&
	    json_object_set_new(p, "KeyName", json_string(s)) != 0)
		return FX_ENOMEM;
	s = pb_sto_util_str(prior, "subnet_id");
	if (*s != '\0' && json_object_set_new(p, "SubnetId", json_string(s)))
		return FX_ENOMEM;
	if (pb_sto_util_true(json_object_get(prior, "ebs_optimized")) &&
	    json_object_set_new(p, "EbsOptimized", json_string("true")) != 0)
		return FX_ENOMEM;
	if ((rc = idle_run_metadata(prior, p)) != FX_OK)
		return rc;
	json_array_foreach(json_object_get(prior, "security_groups"), i, g) {
		snprintf(k, sizeof(k), "SecurityGroupId.%zu", i + 1);
		if (json_is_string(g) &&
		    json_object_set_new(p, k, json_copy((json_t *)g)) != 0)
			return FX_ENOMEM;
	}
	(void)ami;
	return pb_sto_util_tag_restore(x, p, "TagSpecification.1.Tag.",
	    json_object_get(prior, "tags"),
	    pb_sto_util_str(prior, "instance_id"));
}

fx_err
pb_ec2_idle_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct aws_resp resp;
	const char *iid = pb_sto_util_str(prior, "instance_id");
	const char *type = pb_sto_util_str(prior, "instance_type");
	const json_t *v;
	const char *id;
	json_t *p = NULL;
	char ami[128], token[64];
	size_t i;
	fx_err rc = FX_EINVAL;

	(void)finding;
	aws_resp_init(&resp);
	if (*iid == '\0' || *type == '\0' ||
	    json_array_size(json_object_get(prior, "volumes")) == 0) {
		pb_say(x, "the prior state lacks the instance, its type or its "
			  "volumes");
		goto out;
	}
	json_array_foreach(json_object_get(prior, "volumes"), i, v) {
		id = pb_sto_util_str(v, "snapshot_id");
		if (*id == '\0' || strcmp(id, PB_EC2_UTIL_DRY_SNAPSHOT) == 0) {
			pb_say(x, "the prior state lacks a volume's snapshot");
			goto out;
		}
	}
	if ((rc = idle_register(x, prior, ami, sizeof(ami))) != FX_OK)
		goto out;
	/* the same token makes a retried undo return the same instance */
	snprintf(token, sizeof(token), "fixit-%lld-%s",
	    (long long)x->finding_id, iid);
	p = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "ImageId", ami,
	    "InstanceType", type, "MinCount", 1, "MaxCount", 1, "ClientToken",
	    token, "TagSpecification.1.ResourceType", "instance");
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = idle_run_params(x, prior, ami, p)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "RunInstances", p, 1, &resp);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	id = pb_created(x, "RunInstances",
	    json_array_get(aws_j_list(resp.doc, "instancesSet"), 0),
	    "instanceId", "instance", "(dry run)");
	if (id == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	pb_say(x,
	    "restored %s as a new instance %s from its snapshots (image %s)",
	    iid, id, ami);
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_ec2_idle_fix(struct pb_ctx *x, const json_t *finding,
    const struct pb_ec2_idle_fix *f, json_t **prior)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *iid, *st;
	enum pb_verdict v;
	json_t *p = NULL;
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	if ((rc = pb_ec2_util_finding(x, finding, &resp, &iid, &inst)) != FX_OK)
		goto out;
	st = aws_j_str(inst, "instanceState/name");
	if (inst == NULL || st == NULL || strcmp(st, f->want) != 0) {
		pb_say(x, "instance %s is %s: not terminated", iid,
		    inst == NULL ? "gone"
		    : st	 ? st
				 : "of no state");
		rc = inst == NULL ? FX_ENOTFOUND : FX_ECONFLICT;
		goto out;
	}
	/* never on an answer that changed since check */
	if ((rc = f->guards(x, f->opts, inst, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	if ((rc = pb_ec2_idle_prior(x, inst, &p)) != FX_OK ||
	    (rc = pb_ec2_idle_backup(x, p, "instance not terminated")) !=
		FX_OK ||
	    (rc = pb_ec2_idle_usage(p, f->instance_hours)) != FX_OK ||
	    (rc = pb_ec2_idle_terminate(x, iid)) != FX_OK)
		goto out;
	rc = pb_would(x, p,
	    "snapshot every volume of the instance, wait until the "
	    "snapshots complete, tag and terminate the instance");
	if (rc != FX_OK)
		goto out;
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}
