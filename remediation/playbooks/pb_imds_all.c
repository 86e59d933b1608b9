/*
 * pb_imds_all.c - playbook "imdsv1-everywhere": what launches instances
 * that answer IMDSv1 is made to launch IMDSv2-only ones. The
 * ec2-imdsv1 playbook fixes running instances; this one fixes what
 * makes them, so the next instance is right. One playbook, four kinds
 * (pb_imds_all.h says how a resource id names its kind):
 *
 *   launch templates (here)   a new default version with
 *                             HttpTokens=required; undo: the old
 *                             default version back (the new version
 *                             stays, not default)
 *   Auto Scaling groups       pb_imds_asg.c: moved to a compliant
 *                             template version; undo: moved back
 *   AMIs                      pb_imds_ami.c: ImdsSupport=v2.0, which
 *                             AWS cannot unset: irreversible, the undo
 *                             of that kind refuses
 *   EKS managed node groups   pb_imds_eks.c: a new version of their
 *                             launch template, rolled out by EKS; undo:
 *                             the old version rolled out again
 *
 * A launch template:
 *   detect  DescribeLaunchTemplates (paged, nextToken), for each
 *           DescribeLaunchTemplateVersions $Default: a finding when its
 *           metadataOptions leave httpTokens optional (or unset) and
 *           the endpoint enabled.
 *   check   DescribeLaunchTemplates LaunchTemplateId.1: NotFound ->
 *           GONE; a guard applies -> KEEP; the default version requires
 *           tokens -> RIGHT.
 *   fix     CreateTags fixit:action=require-imdsv2 on the template,
 *           CreateLaunchTemplateVersion SourceVersion = the default,
 *           LaunchTemplateData.MetadataOptions HttpTokens=required (the
 *           other metadata options as they were), then
 *           ModifyLaunchTemplate SetDefaultVersion = the new version:
 *           the change, last. prior {kind, launch_template_id,
 *           default_version, new_version, http_tokens, http_endpoint}.
 *           Instances already running keep their settings until they
 *           are replaced (ec2-imdsv1 fixes those).
 *   verify  the default version is the new one and requires tokens.
 *   undo    ModifyLaunchTemplate SetDefaultVersion = default_version;
 *           CreateTags fixit:action=undo-require-imdsv2.
 *
 * Eligibility of a template (lt_eligible, detect and check): the
 * allow tag -> exempt; younger than min_age_days (createTime) ->
 * exempt; used by an EKS node group (its eks: tags, or named by a node
 * group's launchTemplate) -> exempt: it is fixed through the node group,
 * which rolls its nodes; IaC-owned (aws:cloudformation:stack-name,
 * events.iac_tags) -> found, notify only: a stack's template would
 * drift.
 *
 * Parameters (every kind):
 *   allow_tag           tag key exempting a resource (default
 *                       "fixit:allow")
 *   min_age_days        a resource younger than this is left alone
 *                       (default 1; 0..365)
 *   verify_polls        reads in verify (default 3; 1..60)
 *   verify_interval_ms  pause between two reads (default 1000)
 *   fix_amis            1: AMIs are fixed (irreversibly); else they are
 *                       found notify-only (default 0; pb_imds_ami.c)
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

#define LT_NOTFOUND	 "InvalidLaunchTemplateId.NotFound"
#define LT_VER_NOTFOUND	 "InvalidLaunchTemplateId.VersionNotFound"
#define LT_MALFORMED	 "InvalidLaunchTemplateId.Malformed"
#define IMDS_DAY	 86400
#define IMDS_MO		 "launchTemplateData/metadataOptions/"
#define IMDS_VERSION_MAX 24

int
imds_allows_v1(const char *tokens, const char *endpoint)
{
	return !pb_str_is(tokens, "required") &&
	       !pb_str_is(endpoint, "disabled");
}

int
imds_lt_data_allows_v1(const json_t *data)
{
	return imds_allows_v1(aws_j_str(data, "metadataOptions/httpTokens"),
	    aws_j_str(data, "metadataOptions/httpEndpoint"));
}

void
imds_elig_common(struct pb_ctx *x, struct pb_elig *e, const json_t *tags,
    const char *created)
{
	int64_t days = pb_param_range(x, "min_age_days", 1, 0, 365);

	pb_elig_tags(x, e, tags, pb_param_str(x, "allow_tag", "fixit:allow"));
	if (days > 0)
		pb_elig_age(x, e, created, days * IMDS_DAY);
}

const char *
imds_num(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	return buf;
}

const char *
imds_prior_str(const json_t *prior, const char *key)
{
	return json_string_value(json_object_get(prior, key));
}

fx_err
imds_found(struct pb_found_list *found, const char *kind, const char *id,
    const char *arn, const char *title, json_t *details, json_t *tags,
    const struct pb_elig *e)
{
	if (details == NULL ||
	    json_object_set_new(details, "kind", json_string(kind)) != 0 ||
	    (e->kind == PB_IAC_OWNED &&
		(json_object_set_new(details, "notify_only", json_true()) !=
			0 ||
		    json_object_set_new(details, "notify_why",
			json_string(e->why)) != 0))) {
		json_decref(details);
		json_decref(tags);
		return FX_ENOMEM;
	}
	return pb_found(found, id, arn, title, details, tags);
}

fx_err
imds_lt_read(struct pb_ctx *x, const char *id, struct aws_resp *resp,
    const json_t **lt)
{
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*lt = NULL;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeLaunchTemplates",
	    json_pack("{s:s}", "LaunchTemplateId.1", id), 0, resp);
	if (pb_is_error(rc, resp, LT_NOTFOUND) ||
	    pb_is_error(rc, resp, LT_MALFORMED)) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	} else if (rc != FX_OK)
		return rc;
	*lt = pb_item(resp->doc, "launchTemplates", "launchTemplateId", id);
	if (*lt == NULL)
		pb_say(x, "launch template %s no longer exists", id);
	return FX_OK;
}

fx_err
imds_lt_version(struct pb_ctx *x, const char *id, const char *version,
    struct aws_resp *resp, const json_t **item)
{
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*item = NULL;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeLaunchTemplateVersions",
	    json_pack("{s:s, s:s}", "LaunchTemplateId", id,
		"LaunchTemplateVersion.1", version),
	    0, resp);
	if (pb_is_error(rc, resp, LT_NOTFOUND) ||
	    pb_is_error(rc, resp, LT_VER_NOTFOUND) ||
	    pb_is_error(rc, resp, LT_MALFORMED)) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	} else if (rc != FX_OK)
		return rc;
	*item =
	    json_array_get(aws_j_list(resp->doc, "launchTemplateVersionSet"),
		0);
	if (*item == NULL)
		pb_say(x, "launch template %s has no version %s", id, version);
	return FX_OK;
}

/* copy metadataOptions/src of the source version to MetadataOptions.dst */
static int
copy_option(json_t *p, const json_t *source, const char *src, const char *dst)
{
	char key[96], path[96];
	const char *v;

	snprintf(path, sizeof(path), IMDS_MO "%s", src);
	if ((v = aws_j_str(source, path)) == NULL || *v == '\0')
		return 0;
	snprintf(key, sizeof(key), "LaunchTemplateData.MetadataOptions.%s",
	    dst);
	return json_object_set_new(p, key, json_string(v));
}

fx_err
imds_lt_new_version(struct pb_ctx *x, const char *id, const json_t *source,
    char *version, size_t size)
{
	struct aws_resp resp;
	const char *from, *made;
	char nb[IMDS_VERSION_MAX];
	json_t *p;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	from =
	    imds_num(json_object_get(source, "versionNumber"), nb, sizeof(nb));
	if (from == NULL) {
		pb_say(x, "launch template %s: a version without a number", id);
		return FX_EINVAL;
	}
	p = json_pack("{s:s, s:s, s:s, s:s}", "LaunchTemplateId", id,
	    "SourceVersion", from, "VersionDescription",
	    "fixit: IMDSv2 required",
	    "LaunchTemplateData.MetadataOptions."
	    "HttpTokens",
	    "required");
	if (p == NULL ||
	    copy_option(p, source, "httpEndpoint", "HttpEndpoint") != 0 ||
	    copy_option(p, source, "httpPutResponseHopLimit",
		"HttpPutResponseHopLimit") != 0 ||
	    copy_option(p, source, "httpProtocolIpv6", "HttpProtocolIpv6") !=
		0 ||
	    copy_option(p, source, "instanceMetadataTags",
		"InstanceMetadataTags") != 0) {
		json_decref(p);
		goto out;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "CreateLaunchTemplateVersion",
	    p, 1, &resp);
	if (rc != FX_OK)
		goto out;
	made = pb_created(x, "CreateLaunchTemplateVersion", resp.doc,
	    "launchTemplateVersion/versionNumber", "version", "new");
	if (made == NULL || strlen(made) >= size) {
		rc = FX_EREMOTE;
		goto out;
	}
	snprintf(version, size, "%s", made);
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- launch templates ---------------------------------------------- */

/* 1 when id is in lts (an array of strings; NULL: none) */
static int
in_list(const json_t *lts, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(lts, i, v) {
		if (pb_str_is(json_string_value(v), id))
			return 1;
	}
	return 0;
}

/*
 * The guards of a launch template (see the top): detect and check call
 * this one function. ng_lts: the templates EKS node groups use.
 */
static fx_err
lt_eligible(struct pb_ctx *x, const json_t *lt, const json_t *ng_lts,
    struct pb_elig *e)
{
	const char *id = aws_j_str(lt, "launchTemplateId");
	json_t *tags;

	pb_elig_init(e);
	if ((tags = pb_ec2_tags(aws_j_list(lt, "tagSet"))) == NULL)
		return FX_ENOMEM;
	if (json_object_get(tags, "eks:cluster-name") != NULL ||
	    json_object_get(tags, "eks:nodegroup-name") != NULL ||
	    in_list(ng_lts, id))
		pb_elig_exempt(e, "used by an EKS node group: fixed through "
				  "the node group");
	imds_elig_common(x, e, tags, aws_j_str(lt, "createTime"));
	json_decref(tags);
	return FX_OK;
}

struct lt_scan {
	struct pb_found_list *found;
	const json_t *ng_lts;
};

static fx_err
detect_lt(struct pb_ctx *x, const json_t *lt, void *arg)
{
	struct lt_scan *sc = arg;
	const char *id = aws_j_str(lt, "launchTemplateId");
	const char *name = aws_j_str(lt, "launchTemplateName");
	char title[FX_MAX_TITLE], nb[IMDS_VERSION_MAX], *arn = NULL;
	struct aws_resp resp;
	const json_t *ver = NULL, *data;
	const char *num;
	struct pb_elig e;
	fx_err rc;

	if (id == NULL || *id == '\0')
		return FX_OK;
	if ((rc = lt_eligible(x, lt, sc->ng_lts, &e)) != FX_OK ||
	    !pb_elig_found(&e))
		return rc;
	aws_resp_init(&resp);
	if ((rc = imds_lt_version(x, id, "$Default", &resp, &ver)) != FX_OK ||
	    ver == NULL)
		goto out;
	data = json_object_get(ver, "launchTemplateData");
	if (!imds_lt_data_allows_v1(data))
		goto out;
	num = imds_num(json_object_get(ver, "versionNumber"), nb, sizeof(nb));
	snprintf(title, sizeof(title),
	    "launch template %.64s (%.128s) version %s allows IMDSv1", id,
	    name ? name : "?", num ? num : "?");
	arn = pb_ec2_arn(x, "launch-template", id);
	rc = imds_found(sc->found, imds_kind_lt.name, id, arn, title,
	    json_pack("{s:s?, s:O?, s:s?, s:s?}", "name", name,
		"default_version", json_object_get(ver, "versionNumber"),
		"http_tokens", aws_j_str(data, "metadataOptions/httpTokens"),
		"http_endpoint",
		aws_j_str(data, "metadataOptions/httpEndpoint")),
	    pb_ec2_tags(aws_j_list(lt, "tagSet")), &e);
out:
	free(arn);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
imds_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct lt_scan sc;
	json_t *ng_lts = json_array(), *p = json_object();
	fx_err rc = FX_ENOMEM;

	if (ng_lts == NULL || p == NULL)
		goto out;
	/* node groups first: the templates they use are theirs to fix */
	if ((rc = imds_ng_detect(x, found, ng_lts)) != FX_OK)
		goto out;
	sc.found = found;
	sc.ng_lts = ng_lts;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeLaunchTemplates", p,
	    "launchTemplates", "nextToken", detect_lt, &sc);
	if (rc == FX_OK)
		rc = imds_asg_detect(x, found);
	if (rc == FX_OK)
		rc = imds_ami_detect(x, found);
out:
	json_decref(p);
	json_decref(ng_lts);
	return rc;
}

static fx_err
lt_check(struct pb_ctx *x, const char *id, enum pb_verdict *v)
{
	struct aws_resp resp, vr;
	const json_t *lt = NULL, *ver = NULL;
	json_t *ng_lts = json_array();
	struct pb_elig e;
	char what[96];
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	aws_resp_init(&vr);
	if (ng_lts == NULL)
		goto out;
	if ((rc = imds_lt_read(x, id, &resp, &lt)) != FX_OK)
		goto out;
	if (lt == NULL) {
		*v = PB_GONE;
		goto out;
	}
	if ((rc = imds_ng_detect(x, NULL, ng_lts)) != FX_OK)
		goto out;
	if ((rc = lt_eligible(x, lt, ng_lts, &e)) != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "launch template %s", id);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		goto out;
	if ((rc = imds_lt_version(x, id, "$Default", &vr, &ver)) != FX_OK)
		goto out;
	if (ver == NULL) {
		*v = PB_GONE;
	} else if (!imds_lt_data_allows_v1(
		       json_object_get(ver, "launchTemplateData"))) {
		*v = PB_RIGHT;
		pb_say(x, "the default version requires IMDSv2 already");
	}
out:
	json_decref(ng_lts);
	aws_resp_release(&vr);
	aws_resp_release(&resp);
	return rc;
}

/* ModifyLaunchTemplate SetDefaultVersion */
static fx_err
lt_set_default(struct pb_ctx *x, const char *id, const char *version)
{
	struct aws_resp resp;
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "ModifyLaunchTemplate",
	    json_pack("{s:s, s:s}", "LaunchTemplateId", id, "SetDefaultVersion",
		version),
	    1, &resp);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
lt_fix(struct pb_ctx *x, const char *id, json_t **prior)
{
	struct aws_resp resp;
	const json_t *ver = NULL, *data;
	char nb[IMDS_VERSION_MAX], made[IMDS_VERSION_MAX];
	const char *old;
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	if ((rc = imds_lt_version(x, id, "$Default", &resp, &ver)) != FX_OK)
		goto out;
	if (ver == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	data = json_object_get(ver, "launchTemplateData");
	if (!imds_lt_data_allows_v1(data)) {
		pb_say(x, "the default version requires IMDSv2 now");
		rc = FX_ECONFLICT;
		goto out;
	}
	old = imds_num(json_object_get(ver, "versionNumber"), nb, sizeof(nb));
	p = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "kind", imds_kind_lt.name,
	    "launch_template_id", id, "default_version", old, "http_tokens",
	    aws_j_str(data, "metadataOptions/httpTokens"), "http_endpoint",
	    aws_j_str(data, "metadataOptions/httpEndpoint"));
	if (p == NULL || old == NULL) {
		rc = p == NULL ? FX_ENOMEM : FX_EINVAL;
		goto out;
	}
	rc = pb_would(x, p,
	    "create a launch template version with HttpTokens=required and "
	    "make it the default");
	if (rc != FX_OK)
		goto out;
	if ((rc = pb_tag_ec2(x, id, "require-imdsv2", NULL)) != FX_OK)
		goto out;
	if ((rc = imds_lt_new_version(x, id, ver, made, sizeof(made))) != FX_OK)
		goto out;
	if (json_object_set_new(p, "new_version", json_string(made)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = lt_set_default(x, id, made)) != FX_OK)
		goto out;
	pb_say(x,
	    "%s version %s (HttpTokens=required) the default instead of %s; "
	    "running instances keep their settings until replaced",
	    x->dry_run ? "would make" : "made", made, old);
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
lt_verify(struct pb_ctx *x, const char *id, const json_t *prior, int *ok)
{
	struct aws_resp resp;
	const json_t *ver = NULL;
	const char *want = imds_prior_str(prior, "new_version"), *got = NULL;
	char nb[IMDS_VERSION_MAX];
	int64_t polls, wait_ms, i;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	polls = pb_param_clamp(x, "verify_polls", 3, 1, 60);
	wait_ms = pb_param_clamp(x, "verify_interval_ms", 1000, 0, 60000);
	for (i = 0; i < polls && !*ok; i++) {
		if (i > 0)
			fx_sleep_ms(wait_ms);
		aws_resp_release(&resp);
		rc = imds_lt_version(x, id, "$Default", &resp, &ver);
		if (rc != FX_OK || ver == NULL)
			goto out;
		got = imds_num(json_object_get(ver, "versionNumber"), nb,
		    sizeof(nb));
		*ok = pb_str_is(got, want) &&
		      !imds_lt_data_allows_v1(
			  json_object_get(ver, "launchTemplateData"));
	}
	if (*ok)
		pb_say(x, "verified: default version %s requires IMDSv2", got);
	else
		pb_say(x, "the default version is %s, not %s requiring IMDSv2",
		    got ? got : "?", want ? want : "?");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
lt_undo(struct pb_ctx *x, const char *id, const json_t *prior)
{
	const char *old = imds_prior_str(prior, "default_version");
	const char *made = imds_prior_str(prior, "new_version");
	fx_err rc;

	if (old == NULL || strspn(old, "0123456789") != strlen(old) ||
	    *old == '\0') {
		pb_say(x, "the prior state has no default_version");
		return FX_EINVAL;
	}
	if ((rc = lt_set_default(x, id, old)) != FX_OK)
		return rc;
	pb_say(x,
	    "version %s is the default again; version %s stays, not "
	    "default",
	    old, made ? made : "?");
	return pb_tag_ec2(x, id, "undo-require-imdsv2", NULL);
}

const struct imds_kind imds_kind_lt = { "launch-template", lt_check, lt_fix,
	lt_verify, lt_undo };

/* ---- the playbook: one kind per resource id ------------------------- */

static const struct imds_kind *
kind_of(struct pb_ctx *x, const json_t *finding, const char **rid)
{
	const char *id;

	if (pb_resource(x, finding, rid) != FX_OK)
		return NULL;
	id = *rid;
	if (strncmp(id, "lt-", 3) == 0)
		return &imds_kind_lt;
	if (strncmp(id, "ami-", 4) == 0)
		return &imds_kind_ami;
	if (strncmp(id, "arn:", 4) == 0 && strstr(id, ":autoscaling:") != NULL)
		return &imds_kind_asg;
	if (strncmp(id, "arn:", 4) == 0 && strstr(id, ":eks:") != NULL &&
	    strstr(id, ":nodegroup/") != NULL)
		return &imds_kind_ng;
	pb_say(x,
	    "%s is no launch template, AMI, Auto Scaling group or EKS "
	    "node group",
	    id);
	return NULL;
}

static fx_err
imds_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	const struct imds_kind *k;
	const char *rid;

	*v = PB_WRONG;
	if ((k = kind_of(x, finding, &rid)) == NULL)
		return FX_EINVAL;
	return k->check(x, rid, v);
}

static fx_err
imds_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	const struct imds_kind *k;
	const char *rid;

	*prior = NULL;
	if ((k = kind_of(x, finding, &rid)) == NULL)
		return FX_EINVAL;
	return k->fix(x, rid, prior);
}

static fx_err
imds_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	const struct imds_kind *k;
	const char *rid;

	*ok = 0;
	if ((k = kind_of(x, finding, &rid)) == NULL)
		return FX_EINVAL;
	return k->verify(x, rid, prior, ok);
}

static fx_err
imds_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	const struct imds_kind *k;
	const char *rid;

	if ((k = kind_of(x, finding, &rid)) == NULL)
		return FX_EINVAL;
	/* what a fix of another kind recorded is not this one's to undo */
	if (!pb_str_is(imds_prior_str(prior, "kind"), k->name)) {
		pb_say(x, "the prior state is not of a %s", k->name);
		return FX_EINVAL;
	}
	return k->undo(x, rid, prior);
}

const struct pb_def pb_imdsv1_everywhere = {
	.name = "imdsv1-everywhere",
	.summary = "require IMDSv2 in launch templates, Auto Scaling groups, "
		   "AMIs and EKS node groups",
	.irreversible = 0,
	.detect = imds_detect,
	.check = imds_check,
	.fix = imds_fix,
	.verify = imds_verify,
	.undo = imds_undo,
};
