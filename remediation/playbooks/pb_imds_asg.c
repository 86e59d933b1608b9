/*
 * pb_imds_asg.c - imdsv1-everywhere (pb_imds_all.c), Auto Scaling
 * groups (autoscaling Query API 2011-01-01) whose next instance would
 * answer IMDSv1:
 *
 *   - a launch configuration whose MetadataOptions leave HttpTokens
 *     optional (or unset) and the endpoint enabled;
 *   - a launch template (LaunchTemplate, or MixedInstancesPolicy's
 *     LaunchTemplateSpecification) pinned to a version number whose
 *     data allows IMDSv1. A group on $Default or $Latest launches what
 *     the template's own finding fixes (a new default, which is also
 *     the latest): it is not a finding of its own.
 *
 *   detect  DescribeAutoScalingGroups (paged, NextToken), for each its
 *           launch configuration (DescribeLaunchConfigurations
 *           LaunchConfigurationNames.member.1) or template version
 *           (DescribeLaunchTemplateVersions).
 *   check   DescribeAutoScalingGroups AutoScalingGroupNames.member.1:
 *           none -> GONE; a guard applies -> KEEP; launches a compliant
 *           configuration -> RIGHT.
 *   fix     CreateOrUpdateTags fixit: tags on the group, then
 *           template:  CreateLaunchTemplateVersion from the pinned
 *                      version with HttpTokens=required;
 *           launch configuration: CreateLaunchTemplate
 *                      "fixit-imdsv2-NAME" with the configuration's
 *                      settings and HttpTokens=required (tagged with
 *                      the fixit: tags);
 *           then UpdateAutoScalingGroup to that template and version:
 *           the change, last. prior {kind, name, source
 *           ("launch-template" | "mixed" | "launch-configuration"),
 *           launch_template_id, version, launch_configuration,
 *           new_launch_template_id, new_version}. Running instances
 *           keep their settings until the group replaces them
 *           (ec2-imdsv1 fixes those).
 *   verify  the group launches the new template and version.
 *   undo    UpdateAutoScalingGroup back to the launch configuration or
 *           template version it had; CreateOrUpdateTags
 *           fixit:action=undo-require-imdsv2. What the fix created (a
 *           template version, a template) stays, unused.
 *
 * Eligibility (asg_eligible, detect and check): the shared guards
 * (allow tag, IaC ownership, min_age_days on CreatedTime); IaC
 * ownership of the launch template it uses (a new version of a stack's
 * template would drift); a group of an EKS node group (eks: tags) is
 * fixed through the node group; a group being deleted (Status) is left
 * alone; a launch configuration with settings a launch template made
 * here would not carry (AssociatePublicIpAddress, SpotPrice,
 * PlacementTenancy other than default, KernelId, RamdiskId,
 * ClassicLinkVPCId) is exempt: fixit does not guess the network
 * interface or market options a template would need.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "fxtime.h"
#include "pb_ec2_util.h"
#include "pb_imds_all.h"
#include "playbook.h"
#include "banned.h"

#define ASG_GROUPS    "DescribeAutoScalingGroupsResult/AutoScalingGroups"
#define ASG_NAME_PART "autoScalingGroupName/"
#define ASG_VER_MAX   24

enum asg_kind { ASG_NONE = 0, ASG_LC, ASG_LT, ASG_MIXED };

/* where a group's instances get their settings */
struct asg_src {
	enum asg_kind kind;
	const char *lc; /* ASG_LC */
	const char *lt; /* ASG_LT, ASG_MIXED: template id */
	const char *version;
};

static const char *const kind_names[] = { "none", "launch-configuration",
	"launch-template", "mixed" };

static int
has(const char *s)
{
	return s != NULL && *s != '\0';
}

static void
asg_src_of(const json_t *g, struct asg_src *s)
{
	memset(s, 0, sizeof(*s));
	if (has(aws_j_str(g, "LaunchConfigurationName"))) {
		s->kind = ASG_LC;
		s->lc = aws_j_str(g, "LaunchConfigurationName");
	} else if (has(aws_j_str(g, "LaunchTemplate/LaunchTemplateId"))) {
		s->kind = ASG_LT;
		s->lt = aws_j_str(g, "LaunchTemplate/LaunchTemplateId");
		s->version = aws_j_str(g, "LaunchTemplate/Version");
	} else if (has(aws_j_str(g, "MixedInstancesPolicy/LaunchTemplate/"
				    "LaunchTemplateSpecification/"
				    "LaunchTemplateId"))) {
		s->kind = ASG_MIXED;
		s->lt = aws_j_str(g, "MixedInstancesPolicy/LaunchTemplate/"
				     "LaunchTemplateSpecification/"
				     "LaunchTemplateId");
		s->version =
		    aws_j_str(g, "MixedInstancesPolicy/LaunchTemplate/"
				 "LaunchTemplateSpecification/Version");
	}
}

/* a version number, not $Default / $Latest / none */
static int
pinned(const char *v)
{
	return has(v) && strspn(v, "0123456789") == strlen(v);
}

/* the group's Tags list as {key: value} (new; NULL on ENOMEM) */
static json_t *
asg_tags(const json_t *g)
{
	json_t *o = json_object();
	const json_t *t;
	const char *k, *v;
	size_t i;

	json_array_foreach(aws_j_list(g, "Tags"), i, t) {
		k = aws_j_str(t, "Key");
		v = aws_j_str(t, "Value");
		if (o != NULL && k != NULL &&
		    json_object_set_new(o, k, json_string(v ? v : "")) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* what the group launches, read: the launch configuration or template
 * version (*item, borrowed from resp) and whether it allows IMDSv1 */
struct asg_read {
	struct aws_resp src, lt;
	const json_t *item;	/* LC or template version; NULL: gone */
	const json_t *template; /* DescribeLaunchTemplates item or NULL */
	int allows;
};

static void
asg_read_release(struct asg_read *r)
{
	aws_resp_release(&r->src);
	aws_resp_release(&r->lt);
	memset(r, 0, sizeof(*r));
}

static fx_err
asg_read_src(struct pb_ctx *x, const struct asg_src *s, struct asg_read *r)
{
	fx_err rc;

	memset(r, 0, sizeof(*r));
	if (s->kind == ASG_LC) {
		rc = pb_query(x, PB_AUDITOR, AWS_AUTOSCALING,
		    "DescribeLaunchConfigurations",
		    json_pack("{s:s}", "LaunchConfigurationNames.member.1",
			s->lc),
		    0, &r->src);
		if (rc != FX_OK)
			return rc;
		r->item =
		    json_array_get(aws_j_list(r->src.doc,
				       "DescribeLaunchConfigurationsResult/"
				       "LaunchConfigurations"),
			0);
		r->allows =
		    r->item != NULL &&
		    imds_allows_v1(aws_j_str(r->item,
				       "MetadataOptions/HttpTokens"),
			aws_j_str(r->item, "MetadataOptions/HttpEndpoint"));
		return FX_OK;
	}
	if (s->kind == ASG_NONE || !pinned(s->version))
		return FX_OK;
	if ((rc = imds_lt_version(x, s->lt, s->version, &r->src, &r->item)) !=
	    FX_OK)
		return rc;
	r->allows = r->item != NULL &&
		    imds_lt_data_allows_v1(
			json_object_get(r->item, "launchTemplateData"));
	if (!r->allows)
		return FX_OK;
	return imds_lt_read(x, s->lt, &r->lt, &r->template);
}

/* a launch configuration setting this playbook does not carry over */
static const char *
lc_uncarried(const json_t *lc)
{
	static const char *const keys[] = { "AssociatePublicIpAddress",
		"SpotPrice", "KernelId", "RamdiskId", "ClassicLinkVPCId",
		NULL };
	const char *t;
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (has(aws_j_str(lc, keys[i])))
			return keys[i];
	t = aws_j_str(lc, "PlacementTenancy");
	return has(t) && !pb_str_is(t, "default") ? "PlacementTenancy" : NULL;
}

/*
 * The guards of a group (see the top): detect and check call this one
 * function with what asg_read_src read.
 */
static fx_err
asg_eligible(struct pb_ctx *x, const json_t *g, const struct asg_src *s,
    const struct asg_read *r, struct pb_elig *e)
{
	json_t *tags, *lt_tags;
	const char *why;

	pb_elig_init(e);
	if ((tags = asg_tags(g)) == NULL)
		return FX_ENOMEM;
	if (json_object_get(tags, "eks:nodegroup-name") != NULL ||
	    json_object_get(tags, "eks:cluster-name") != NULL)
		pb_elig_exempt(e, "the group of an EKS node group: fixed "
				  "through the node group");
	if (has(aws_j_str(g, "Status")))
		pb_elig_exempt(e, "status %s", aws_j_str(g, "Status"));
	if (s->kind == ASG_LC && r->item != NULL &&
	    (why = lc_uncarried(r->item)) != NULL)
		pb_elig_exempt(e,
		    "its launch configuration sets %s, which fixit does not "
		    "carry into a launch template",
		    why);
	imds_elig_common(x, e, tags, aws_j_str(g, "CreatedTime"));
	json_decref(tags);
	if (r->template != NULL) {
		lt_tags = pb_ec2_tags(aws_j_list(r->template, "tagSet"));
		if (lt_tags == NULL)
			return FX_ENOMEM;
		pb_elig_tags(x, e, lt_tags, NULL);
		json_decref(lt_tags);
	}
	return FX_OK;
}

static fx_err
detect_group(struct pb_ctx *x, const json_t *g, void *arg)
{
	struct pb_found_list *found = arg;
	const char *name = aws_j_str(g, "AutoScalingGroupName");
	const char *arn = aws_j_str(g, "AutoScalingGroupARN");
	char title[FX_MAX_TITLE];
	struct asg_src s;
	struct asg_read r;
	struct pb_elig e;
	fx_err rc;

	asg_src_of(g, &s);
	if (!has(name) || !has(arn) || strstr(arn, ":autoscaling:") == NULL ||
	    s.kind == ASG_NONE || (s.kind != ASG_LC && !pinned(s.version)))
		return FX_OK;
	if ((rc = asg_read_src(x, &s, &r)) != FX_OK || !r.allows)
		goto out;
	if ((rc = asg_eligible(x, g, &s, &r, &e)) != FX_OK ||
	    !pb_elig_found(&e))
		goto out;
	if (s.kind == ASG_LC)
		snprintf(title, sizeof(title),
		    "Auto Scaling group %.96s launches IMDSv1 instances "
		    "(launch configuration %.64s)",
		    name, s.lc);
	else
		snprintf(title, sizeof(title),
		    "Auto Scaling group %.96s launches IMDSv1 instances "
		    "(launch template %.24s version %.12s)",
		    name, s.lt, s.version);
	rc = imds_found(found, imds_kind_asg.name, arn, arn, title,
	    json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "name", name, "source",
		kind_names[s.kind], "launch_configuration", s.lc,
		"launch_template_id", s.lt, "version", s.version),
	    asg_tags(g), &e);
out:
	asg_read_release(&r);
	return rc;
}

fx_err
imds_asg_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	json_t *p = json_pack("{s:i}", "MaxRecords", 100);
	fx_err rc;

	if (p == NULL)
		return FX_ENOMEM;
	rc = pb_list(x, PB_AUDITOR, AWS_AUTOSCALING,
	    "DescribeAutoScalingGroups", p, ASG_GROUPS,
	    "DescribeAutoScalingGroupsResult/NextToken", detect_group, found);
	json_decref(p);
	return rc;
}

/* the group named in the ARN rid: *g, or NULL (with a pb_say) */
static fx_err
asg_read(struct pb_ctx *x, const char *rid, struct aws_resp *resp,
    const char **name, const json_t **g)
{
	const char *n = strstr(rid, ASG_NAME_PART);
	fx_err rc;

	*g = NULL;
	if (n == NULL || n[strlen(ASG_NAME_PART)] == '\0') {
		pb_say(x, "%s names no Auto Scaling group", rid);
		return FX_EINVAL;
	}
	*name = n + strlen(ASG_NAME_PART);
	rc = pb_query(x, PB_AUDITOR, AWS_AUTOSCALING,
	    "DescribeAutoScalingGroups",
	    json_pack("{s:s}", "AutoScalingGroupNames.member.1", *name), 0,
	    resp);
	if (rc != FX_OK)
		return rc;
	*g = pb_item(resp->doc, ASG_GROUPS, "AutoScalingGroupName", *name);
	if (*g == NULL)
		pb_say(x, "Auto Scaling group %s no longer exists", *name);
	return FX_OK;
}

static fx_err
asg_check(struct pb_ctx *x, const char *rid, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct asg_read r;
	struct asg_src s;
	const json_t *g = NULL;
	const char *name;
	struct pb_elig e;
	char what[200];
	fx_err rc;

	aws_resp_init(&resp);
	memset(&r, 0, sizeof(r));
	if ((rc = asg_read(x, rid, &resp, &name, &g)) != FX_OK)
		goto out;
	if (g == NULL) {
		*v = PB_GONE;
		goto out;
	}
	asg_src_of(g, &s);
	if ((rc = asg_read_src(x, &s, &r)) != FX_OK)
		goto out;
	if ((rc = asg_eligible(x, g, &s, &r, &e)) != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "Auto Scaling group %.128s", name);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		goto out;
	if (!r.allows) {
		*v = PB_RIGHT;
		pb_say(x, "the group launches IMDSv2-only instances now "
			  "(or a template's default version)");
	}
out:
	asg_read_release(&r);
	aws_resp_release(&resp);
	return rc;
}

/* ---- the fix ------------------------------------------------------- */

/* CreateOrUpdateTags: the fixit: tags on the group, as the tagger */
static fx_err
asg_tag(struct pb_ctx *x, const char *name, const char *action)
{
	struct aws_resp resp;
	json_t *tags = pb_fixit_tags(x, action), *p = json_object(), *v;
	const char *k;
	char key[64];
	int n = 0;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	if (tags == NULL || p == NULL)
		goto out;
	json_object_foreach(tags, k, v) {
		n++;
#define TAG_SET(field, val)                                                    \
	do {                                                                   \
		snprintf(key, sizeof(key), "Tags.member.%d." field, n);        \
		if (json_object_set_new(p, key, json_string(val)) != 0)        \
			goto out;                                              \
	} while (0)
		TAG_SET("ResourceId", name);
		TAG_SET("ResourceType", "auto-scaling-group");
		TAG_SET("Key", k);
		TAG_SET("Value", json_string_value(v));
		TAG_SET("PropagateAtLaunch", "false");
#undef TAG_SET
	}
	rc = pb_query(x, PB_TAGGER, AWS_AUTOSCALING, "CreateOrUpdateTags",
	    json_incref(p), 1, &resp);
out:
	aws_resp_release(&resp);
	json_decref(p);
	json_decref(tags);
	return rc;
}

/* UpdateAutoScalingGroup onto a template version (kind LT or MIXED) or a
 * launch configuration (ASG_LC: lt is the configuration's name) */
static fx_err
asg_point(struct pb_ctx *x, const char *name, enum asg_kind kind,
    const char *lt, const char *version)
{
	static const char mixed[] = "MixedInstancesPolicy.LaunchTemplate."
				    "LaunchTemplateSpecification.";
	struct aws_resp resp;
	char k1[96], k2[96];
	json_t *p;
	fx_err rc;

	if (kind == ASG_LC) {
		p = json_pack("{s:s, s:s}", "AutoScalingGroupName", name,
		    "LaunchConfigurationName", lt);
	} else {
		snprintf(k1, sizeof(k1), "%sLaunchTemplateId",
		    kind == ASG_MIXED ? mixed : "LaunchTemplate.");
		snprintf(k2, sizeof(k2), "%sVersion",
		    kind == ASG_MIXED ? mixed : "LaunchTemplate.");
		p = json_pack("{s:s, s:s, s:s}", "AutoScalingGroupName", name,
		    k1, lt, k2, version);
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_AUTOSCALING,
	    "UpdateAutoScalingGroup", p, 1, &resp);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
asg_fix(struct pb_ctx *x, const char *rid, json_t **prior)
{
	struct aws_resp resp;
	struct asg_read r;
	struct asg_src s;
	const json_t *g = NULL;
	const char *name;
	char made[ASG_VER_MAX], lt[64];
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	memset(&r, 0, sizeof(r));
	if ((rc = asg_read(x, rid, &resp, &name, &g)) != FX_OK)
		goto out;
	if (g == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	asg_src_of(g, &s);
	if ((rc = asg_read_src(x, &s, &r)) != FX_OK)
		goto out;
	if (!r.allows || r.item == NULL) {
		pb_say(x, "the group no longer launches IMDSv1 instances");
		rc = FX_ECONFLICT;
		goto out;
	}
	p = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?}", "kind",
	    imds_kind_asg.name, "name", name, "source", kind_names[s.kind],
	    "launch_template_id", s.lt, "version", s.version,
	    "launch_configuration", s.lc);
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_would(x, p,
	    "point the group at a launch template version with "
	    "HttpTokens=required");
	if (rc != FX_OK)
		goto out;
	if ((rc = asg_tag(x, name, "require-imdsv2")) != FX_OK)
		goto out;
	if (s.kind == ASG_LC) {
		rc = imds_asg_lc_template(x, name, r.item, lt, sizeof(lt));
		snprintf(made, sizeof(made), "1");
	} else {
		snprintf(lt, sizeof(lt), "%s", s.lt);
		rc = imds_lt_new_version(x, s.lt, r.item, made, sizeof(made));
	}
	if (rc != FX_OK)
		goto out;
	if (json_object_set_new(p, "new_launch_template_id", json_string(lt)) !=
		0 ||
	    json_object_set_new(p, "new_version", json_string(made)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = asg_point(x, name, s.kind == ASG_MIXED ? ASG_MIXED : ASG_LT, lt,
	    made);
	if (rc != FX_OK)
		goto out;
	pb_say(x,
	    "%s the group at launch template %s version %s "
	    "(HttpTokens=required); running instances keep their settings "
	    "until the group replaces them",
	    x->dry_run ? "would point" : "pointed", lt, made);
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	asg_read_release(&r);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
asg_verify(struct pb_ctx *x, const char *rid, const json_t *prior, int *ok)
{
	const char *lt = imds_prior_str(prior, "new_launch_template_id");
	const char *ver = imds_prior_str(prior, "new_version");
	struct aws_resp resp;
	const json_t *g = NULL;
	const char *name;
	struct asg_src s;
	int64_t polls, wait_ms, i;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	polls = pb_param_clamp(x, "verify_polls", 3, 1, 60);
	wait_ms = pb_param_clamp(x, "verify_interval_ms", 1000, 0, 60000);
	for (i = 0; i < polls && !*ok; i++) {
		if (i > 0)
			fx_sleep_ms(wait_ms);
		aws_resp_release(&resp);
		if ((rc = asg_read(x, rid, &resp, &name, &g)) != FX_OK ||
		    g == NULL)
			goto out;
		asg_src_of(g, &s);
		*ok = s.kind != ASG_LC && pb_str_is(s.lt, lt) &&
		      pb_str_is(s.version, ver);
	}
	if (*ok)
		pb_say(x, "verified: the group launches %s version %s", lt,
		    ver);
	else
		pb_say(x, "the group does not launch %s version %s",
		    lt ? lt : "?", ver ? ver : "?");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
asg_undo(struct pb_ctx *x, const char *rid, const json_t *prior)
{
	const char *src = imds_prior_str(prior, "source");
	const char *name = imds_prior_str(prior, "name");
	const char *lt = imds_prior_str(prior, "launch_template_id");
	const char *ver = imds_prior_str(prior, "version");
	const char *lc = imds_prior_str(prior, "launch_configuration");
	const char *n = strstr(rid, ASG_NAME_PART);
	fx_err rc;

	/* the group the prior names is the finding's */
	if (!has(name) || n == NULL ||
	    strcmp(n + strlen(ASG_NAME_PART), name) != 0) {
		pb_say(x, "the prior state names another group");
		return FX_EINVAL;
	}
	if (pb_str_is(src, kind_names[ASG_LC]) && has(lc))
		rc = asg_point(x, name, ASG_LC, lc, NULL);
	else if ((pb_str_is(src, kind_names[ASG_LT]) ||
		     pb_str_is(src, kind_names[ASG_MIXED])) &&
		 has(lt) && pinned(ver))
		rc = asg_point(x, name,
		    pb_str_is(src, kind_names[ASG_MIXED]) ? ASG_MIXED : ASG_LT,
		    lt, ver);
	else {
		pb_say(x, "the prior state has no launch configuration or "
			  "template version");
		return FX_EINVAL;
	}
	if (rc != FX_OK)
		return rc;
	pb_say(x, "the group launches %s%s%s again; %s stays, unused",
	    has(lc) ? lc : lt, has(lc) ? "" : " version ", has(lc) ? "" : ver,
	    imds_prior_str(prior, "new_launch_template_id")
		? "what the fix created"
		: "nothing");
	return asg_tag(x, name, "undo-require-imdsv2");
}

const struct imds_kind imds_kind_asg = { "auto-scaling-group", asg_check,
	asg_fix, asg_verify, asg_undo };
