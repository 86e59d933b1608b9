/*
 * pb_imds_ami.c - imdsv1-everywhere (pb_imds_all.c), AMIs the account
 * owns: an instance launched from an image with ImdsSupport=v2.0
 * requires IMDSv2 whatever launched it.
 *
 *   detect  DescribeImages Owner.1=self, MaxResults (paged, nextToken):
 *           an available image without imdsSupport v2.0.
 *   check   DescribeImages ImageId.1: NotFound or not available -> GONE;
 *           a guard applies -> KEEP; imdsSupport v2.0 -> RIGHT.
 *   fix     CreateTags fixit:action=require-imdsv2, then
 *           ModifyImageAttribute ImdsSupport.Value=v2.0. prior {kind,
 *           image_id, imds_support (null), irreversible: true}.
 *   verify  DescribeImages: imdsSupport is v2.0.
 *   undo    refused: AWS documents that ImdsSupport, once v2.0, cannot
 *           be unset. The fix says so; the other kinds undo as usual.
 *
 * Irreversible, in a playbook whose other kinds undo: the playbook is
 * not marked irreversible (its approval may be none), so this kind is
 * opt-in. Without the parameter fix_amis (default 0) an AMI is found
 * notify-only (details.notify_only, notify_why) and a posted AMI
 * finding is kept at the check with that reason: fixit never makes an
 * irreversible change nobody asked for. With fix_amis: 1 the AMI is
 * fixed as the playbook's approval says, the prior state says
 * "irreversible": true and the fix message says it cannot be undone.
 *
 * Eligibility (ami_eligible, detect and check): the shared guards
 * (allow tag, IaC ownership, min_age_days on creationDate), then
 * fix_amis.
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

static fx_err
ami_eligible(struct pb_ctx *x, const json_t *img, struct pb_elig *e)
{
	json_t *tags;

	pb_elig_init(e);
	if ((tags = pb_ec2_tags(aws_j_list(img, "tagSet"))) == NULL)
		return FX_ENOMEM;
	imds_elig_common(x, e, tags, aws_j_str(img, "creationDate"));
	json_decref(tags);
	/* found, never changed: as for a stack's resource (playbook.h) */
	if (e->kind == PB_ELIGIBLE && pb_param_int(x, "fix_amis", 0) != 1) {
		e->kind = PB_IAC_OWNED;
		snprintf(e->why, sizeof(e->why),
		    "ImdsSupport v2.0 cannot be unset, so fixit changes an AMI "
		    "only with the parameter fix_amis: 1");
	}
	return FX_OK;
}

static fx_err
detect_image(struct pb_ctx *x, const json_t *img, void *arg)
{
	struct pb_found_list *found = arg;
	const char *id = aws_j_str(img, "imageId");
	const char *name = aws_j_str(img, "name");
	char title[FX_MAX_TITLE], arn[FX_MAX_TITLE];
	struct pb_elig e;
	fx_err rc;

	if (id == NULL || *id == '\0' ||
	    !pb_str_is(aws_j_str(img, "imageState"), "available") ||
	    pb_str_is(aws_j_str(img, "imdsSupport"), "v2.0"))
		return FX_OK;
	if ((rc = ami_eligible(x, img, &e)) != FX_OK || !pb_elig_found(&e))
		return rc;
	snprintf(title, sizeof(title),
	    "AMI %.64s (%.128s) launches instances that allow IMDSv1", id,
	    name ? name : "?");
	/* an image's ARN names no account: AMIs may be shared */
	snprintf(arn, sizeof(arn), "arn:aws:ec2:%.32s::image/%.64s",
	    x->region ? x->region : "", id);
	return imds_found(found, imds_kind_ami.name, id, arn, title,
	    json_pack("{s:s?, s:s?}", "name", name, "creation_date",
		aws_j_str(img, "creationDate")),
	    pb_ec2_tags(aws_j_list(img, "tagSet")), &e);
}

fx_err
imds_ami_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	json_t *p =
	    json_pack("{s:s, s:i}", "Owner.1", "self", "MaxResults", 1000);
	fx_err rc;

	if (p == NULL)
		return FX_ENOMEM;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeImages", p, "imagesSet",
	    "nextToken", detect_image, found);
	json_decref(p);
	return rc;
}

/* DescribeImages ImageId.1: *img, or NULL when AWS has it no more */
static fx_err
ami_read(struct pb_ctx *x, const char *id, struct aws_resp *resp,
    const json_t **img)
{
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*img = NULL;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeImages",
	    json_pack("{s:s}", "ImageId.1", id), 0, resp);
	if (pb_is_error(rc, resp, "InvalidAMIID.NotFound") ||
	    pb_is_error(rc, resp, "InvalidAMIID.Unavailable") ||
	    pb_is_error(rc, resp, "InvalidAMIID.Malformed")) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	} else if (rc != FX_OK)
		return rc;
	*img = pb_item(resp->doc, "imagesSet", "imageId", id);
	if (*img != NULL &&
	    !pb_str_is(aws_j_str(*img, "imageState"), "available"))
		*img = NULL;
	if (*img == NULL)
		pb_say(x, "AMI %s is no longer available", id);
	return FX_OK;
}

static fx_err
ami_check(struct pb_ctx *x, const char *id, enum pb_verdict *v)
{
	struct aws_resp resp;
	const json_t *img = NULL;
	struct pb_elig e;
	char what[96];
	fx_err rc;

	aws_resp_init(&resp);
	if ((rc = ami_read(x, id, &resp, &img)) != FX_OK)
		goto out;
	if (img == NULL) {
		*v = PB_GONE;
		goto out;
	}
	if ((rc = ami_eligible(x, img, &e)) != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "AMI %s", id);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		goto out;
	if (pb_str_is(aws_j_str(img, "imdsSupport"), "v2.0")) {
		*v = PB_RIGHT;
		pb_say(x, "the AMI has ImdsSupport v2.0 already");
	}
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ami_fix(struct pb_ctx *x, const char *id, json_t **prior)
{
	struct aws_resp resp, mod;
	const json_t *img = NULL;
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	aws_resp_init(&mod);
	if ((rc = ami_read(x, id, &resp, &img)) != FX_OK)
		goto out;
	if (img == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	p = json_pack("{s:s, s:s, s:s?, s:b}", "kind", imds_kind_ami.name,
	    "image_id", id, "imds_support", aws_j_str(img, "imdsSupport"),
	    "irreversible", 1);
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_would(x, p, "set ImdsSupport=v2.0 on the AMI (irreversible)");
	if (rc != FX_OK)
		goto out;
	if ((rc = pb_tag_ec2(x, id, "require-imdsv2", NULL)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "ModifyImageAttribute",
	    json_pack("{s:s, s:s}", "ImageId", id, "ImdsSupport.Value", "v2.0"),
	    1, &mod);
	if (rc != FX_OK)
		goto out;
	pb_say(x,
	    "%s ImdsSupport=v2.0 on the AMI: irreversible, AWS cannot unset "
	    "it; instances launched from it before keep their settings",
	    x->dry_run ? "would set" : "set");
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&mod);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ami_verify(struct pb_ctx *x, const char *id, const json_t *prior, int *ok)
{
	struct aws_resp resp;
	const json_t *img = NULL;
	int64_t polls, wait_ms, i;
	fx_err rc = FX_OK;

	(void)prior;
	aws_resp_init(&resp);
	polls = pb_param_clamp(x, "verify_polls", 3, 1, 60);
	wait_ms = pb_param_clamp(x, "verify_interval_ms", 1000, 0, 60000);
	for (i = 0; i < polls && !*ok; i++) {
		if (i > 0)
			fx_sleep_ms(wait_ms);
		aws_resp_release(&resp);
		if ((rc = ami_read(x, id, &resp, &img)) != FX_OK || img == NULL)
			goto out;
		*ok = pb_str_is(aws_j_str(img, "imdsSupport"), "v2.0");
	}
	pb_say(x, *ok ? "verified: ImdsSupport v2.0"
		      : "the AMI still has no ImdsSupport v2.0");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ami_undo(struct pb_ctx *x, const char *id, const json_t *prior)
{
	(void)prior;
	pb_say(x,
	    "AMI %s: ImdsSupport v2.0 cannot be unset (AWS offers no way "
	    "back); the image keeps it",
	    id);
	return FX_ECONFLICT;
}

const struct imds_kind imds_kind_ami = { "ami", ami_check, ami_fix, ami_verify,
	ami_undo };
