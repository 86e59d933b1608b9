/*
 * pb_imds_lc.c - imdsv1-everywhere (pb_imds_asg.c): a launch template
 * made from an Auto Scaling group's launch configuration, with
 * HttpTokens=required. Carried over: ImageId, InstanceType, KeyName,
 * SecurityGroups (ids as SecurityGroupId.N, names as SecurityGroup.N),
 * UserData (base64 in both), IamInstanceProfile (an ARN or a name),
 * EbsOptimized, InstanceMonitoring, BlockDeviceMappings, and the other
 * metadata options. The settings a template would need to express
 * differently (a public IP, spot, tenancy, kernel, ramdisk) make the
 * group exempt (asg_eligible), so they never reach here.
 */
#include <stdio.h>
#include <string.h>

#include "pb_imds_all.h"
#include "playbook.h"
#include "banned.h"

#define LTD		"LaunchTemplateData."
#define LC_NAME_MAX	128
#define LC_MAX_GROUPS	16
#define LC_MAX_MAPPINGS 32
#define LC_EXISTS	"InvalidLaunchTemplateName.AlreadyExistsException"

/* params[LTD key] = lc's string at path, when it has one */
static int
put(json_t *p, const char *key, const json_t *obj, const char *path)
{
	char k[128];
	const char *v = aws_j_str(obj, path);

	if (v == NULL || *v == '\0')
		return 0;
	snprintf(k, sizeof(k), LTD "%s", key);
	return json_object_set_new(p, k, json_string(v));
}

static int
put_groups(json_t *p, const json_t *lc)
{
	const json_t *g;
	char k[96];
	const char *id;
	size_t i;
	int nid = 0, nname = 0;

	json_array_foreach(aws_j_list(lc, "SecurityGroups"), i, g) {
		if ((id = json_string_value(g)) == NULL || i >= LC_MAX_GROUPS)
			continue;
		if (strncmp(id, "sg-", 3) == 0)
			snprintf(k, sizeof(k), LTD "SecurityGroupId.%d", ++nid);
		else
			snprintf(k, sizeof(k), LTD "SecurityGroup.%d", ++nname);
		if (json_object_set_new(p, k, json_string(id)) != 0)
			return -1;
	}
	return 0;
}

static int
put_mappings(json_t *p, const json_t *lc)
{
	static const char *const ebs[] = { "SnapshotId", "VolumeSize",
		"VolumeType", "DeleteOnTermination", "Iops", "Encrypted",
		"Throughput", NULL };
	const json_t *m;
	char k[128], path[64];
	size_t i, j;

	json_array_foreach(aws_j_list(lc, "BlockDeviceMappings"), i, m) {
		if (i >= LC_MAX_MAPPINGS)
			break;
		snprintf(k, sizeof(k), "BlockDeviceMapping.%zu.DeviceName",
		    i + 1);
		if (put(p, k, m, "DeviceName") != 0)
			return -1;
		snprintf(k, sizeof(k), "BlockDeviceMapping.%zu.VirtualName",
		    i + 1);
		if (put(p, k, m, "VirtualName") != 0)
			return -1;
		if (strcmp(aws_j_str(m, "NoDevice") ? aws_j_str(m, "NoDevice")
						    : "",
			"true") == 0) {
			snprintf(k, sizeof(k),
			    LTD "BlockDeviceMapping.%zu.NoDevice", i + 1);
			if (json_object_set_new(p, k, json_string("")) != 0)
				return -1;
		}
		for (j = 0; ebs[j] != NULL; j++) {
			snprintf(k, sizeof(k), "BlockDeviceMapping.%zu.Ebs.%s",
			    i + 1, ebs[j]);
			snprintf(path, sizeof(path), "Ebs/%s", ebs[j]);
			if (put(p, k, m, path) != 0)
				return -1;
		}
	}
	return 0;
}

/* the settings of lc, as CreateLaunchTemplate's LaunchTemplateData */
static int
put_data(json_t *p, const json_t *lc)
{
	const char *prof = aws_j_str(lc, "IamInstanceProfile");

	if (put(p, "ImageId", lc, "ImageId") != 0 ||
	    put(p, "InstanceType", lc, "InstanceType") != 0 ||
	    put(p, "KeyName", lc, "KeyName") != 0 ||
	    put(p, "UserData", lc, "UserData") != 0 ||
	    put(p, "EbsOptimized", lc, "EbsOptimized") != 0 ||
	    put(p, "Monitoring.Enabled", lc, "InstanceMonitoring/Enabled") !=
		0 ||
	    put(p, "MetadataOptions.HttpEndpoint", lc,
		"MetadataOptions/HttpEndpoint") != 0 ||
	    put(p, "MetadataOptions.HttpPutResponseHopLimit", lc,
		"MetadataOptions/HttpPutResponseHopLimit") != 0 ||
	    json_object_set_new(p, LTD "MetadataOptions.HttpTokens",
		json_string("required")) != 0)
		return -1;
	if (prof != NULL && *prof != '\0' &&
	    put(p,
		strncmp(prof, "arn:", 4) == 0 ? "IamInstanceProfile.Arn"
					      : "IamInstanceProfile.Name",
		lc, "IamInstanceProfile") != 0)
		return -1;
	if (put_groups(p, lc) != 0 || put_mappings(p, lc) != 0)
		return -1;
	return 0;
}

/* "fixit-imdsv2-FINDING-GROUP", GROUP's characters a template name may
 * not hold ([A-Za-z0-9().-/_] only) made '-', cut at LC_NAME_MAX */
static void
template_name(const struct pb_ctx *x, const char *group, char *out, size_t size)
{
	size_t i, n;

	snprintf(out, size, "fixit-imdsv2-%lld-%s", (long long)x->finding_id,
	    group);
	n = strlen(out);
	for (i = 0; i < n; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') ||
			(out[i] >= 'A' && out[i] <= 'Z') ||
			(out[i] >= '0' && out[i] <= '9') ||
			strchr("().-/_", out[i]) != NULL))
			out[i] = '-';
}

/*
 * The template named name that an earlier attempt of this fix made (its
 * fixit:finding tag is this finding): *id its id. Anything else of that
 * name is not fixit's to use: FX_ECONFLICT.
 */
static fx_err
earlier_template(struct pb_ctx *x, const char *name, char *id, size_t size)
{
	struct aws_resp resp;
	const json_t *lt;
	json_t *tags = NULL;
	char fid[24];
	const char *got;
	fx_err rc;

	snprintf(fid, sizeof(fid), "%lld", (long long)x->finding_id);
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeLaunchTemplates",
	    json_pack("{s:s}", "LaunchTemplateName.1", name), 0, &resp);
	if (rc != FX_OK)
		goto out;
	lt = pb_item(resp.doc, "launchTemplates", "launchTemplateName", name);
	tags = pb_ec2_tags(aws_j_list(lt, "tagSet"));
	got = aws_j_str(lt, "launchTemplateId");
	if (got == NULL || strlen(got) >= size ||
	    json_string_value(json_object_get(tags, "fixit:finding")) == NULL ||
	    strcmp(json_string_value(json_object_get(tags, "fixit:finding")),
		fid) != 0) {
		pb_say(x,
		    "a launch template named %s exists, not made by this "
		    "fix",
		    name);
		rc = FX_ECONFLICT;
		goto out;
	}
	snprintf(id, size, "%s", got);
	pb_say(x, "launch template %s made by an earlier attempt", got);
out:
	json_decref(tags);
	aws_resp_release(&resp);
	return rc;
}

fx_err
imds_asg_lc_template(struct pb_ctx *x, const char *group, const json_t *lc,
    char *id, size_t size)
{
	struct aws_resp resp;
	struct pb_tags t;
	char name[LC_NAME_MAX + 1];
	const char *made;
	size_t mark;
	json_t *p = json_object();
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	template_name(x, group, name, sizeof(name));
	if (p == NULL ||
	    json_object_set_new(p, "LaunchTemplateName", json_string(name)) !=
		0 ||
	    json_object_set_new(p, "VersionDescription",
		json_string("fixit: IMDSv2 required, from launch "
			    "configuration")) != 0 ||
	    json_object_set_new(p, "TagSpecification.1.ResourceType",
		json_string("launch-template")) != 0 ||
	    put_data(p, lc) != 0)
		goto out;
	pb_tags_init(&t, p, "TagSpecification.1.Tag.");
	if ((rc = pb_tags_fixit(x, &t, "require-imdsv2", NULL)) != FX_OK)
		goto out;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "CreateLaunchTemplate",
	    json_incref(p), 1, &resp);
	if (pb_is_error(rc, &resp, LC_EXISTS)) {
		/* an earlier attempt of this fix made it */
		pb_msg_rewind(x, mark);
		rc = earlier_template(x, name, id, size);
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	made = pb_created(x, "CreateLaunchTemplate", resp.doc,
	    "launchTemplate/launchTemplateId", "launch template", "lt-new");
	if (made == NULL || strlen(made) >= size) {
		rc = FX_EREMOTE;
		goto out;
	}
	snprintf(id, size, "%s", made);
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}
