/*
 * pb_ec2_imdsv1.c - playbook "ec2-imdsv1": EC2 instances whose metadata
 * service still answers IMDSv1 (http-tokens "optional") are switched to
 * IMDSv2 only.
 *
 *   detect  DescribeInstances, Filter metadata-options.http-tokens =
 *           optional and instance-state-name = running | stopped, paged
 *           (nextToken); one finding per instance.
 *   check   DescribeInstances InstanceId.1: NotFound, terminated or
 *           shutting-down -> GONE; a guard applies -> KEEP; httpTokens
 *           required -> RIGHT.
 *   fix     CreateTags fixit:action=require-imdsv2, then
 *           ModifyInstanceMetadataOptions HttpTokens=required,
 *           HttpEndpoint=enabled. Tagging comes first: the executor
 *           drops the prior state of a fix that fails, so a change must
 *           be the last step that can fail.
 *           prior {"http_tokens", "http_endpoint"} as they were.
 *   verify  re-read until httpTokens is required: metadata option
 *           changes apply asynchronously.
 *   undo    ModifyInstanceMetadataOptions HttpTokens and HttpEndpoint as
 *           they were; CreateTags fixit:action=undo-require-imdsv2.
 *
 * Eligibility (imds_eligible, the same in detect and check): IaC-owned
 * (aws:cloudformation:stack-name, events.iac_tags): found, notify only,
 * never changed. No age, allow tag or state guard: the change is small,
 * applies in any live state and is undone exactly (a terminated
 * instance is GONE before the guards).
 *
 * Parameters:
 *   verify_polls        reads in verify, at most (default 5; 1..60)
 *   verify_interval_ms  pause between two reads (default 1000; 0..60000)
 */
#include <stdio.h>
#include <string.h>

#include "pb_ec2_util.h"
#include "fxtime.h"
#include "playbook.h"
#include "banned.h"

#define IMDS_TOKENS   "metadataOptions/httpTokens"
#define IMDS_ENDPOINT "metadataOptions/httpEndpoint"

/*
 * The guards of ec2-imdsv1 (playbook.h, eligibility): detect and check
 * call this one function, so a posted finding meets the same guards as
 * a scanned one.
 */
static fx_err
imds_eligible(struct pb_ctx *x, const json_t *inst, struct pb_elig *e)
{
	json_t *tags;

	pb_elig_init(e);
	if ((tags = pb_ec2_tags(aws_j_list(inst, "tagSet"))) == NULL)
		return FX_ENOMEM;
	pb_elig_tags(x, e, tags, NULL);
	json_decref(tags);
	return FX_OK;
}

static fx_err
detect_instance(struct pb_ctx *x, const json_t *inst, void *found)
{
	const char *id = aws_j_str(inst, "instanceId");
	struct pb_elig e;
	fx_err rc;

	/* the filter chose already; an answer that ignored it is checked */
	if (id == NULL || *id == '\0' || pb_ec2_util_ended(inst) ||
	    pb_str_is(aws_j_str(inst, IMDS_TOKENS), "required"))
		return FX_OK;
	if ((rc = imds_eligible(x, inst, &e)) != FX_OK || !pb_elig_found(&e))
		return rc;
	return pb_ec2_util_found_instance(x, found, inst, "allows IMDSv1",
	    json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "http_tokens",
		aws_j_str(inst, IMDS_TOKENS), "http_endpoint",
		aws_j_str(inst, IMDS_ENDPOINT), "http_put_response_hop_limit",
		aws_j_str(inst, "metadataOptions/httpPutResponseHopLimit"),
		"instance_type", aws_j_str(inst, "instanceType"), "state",
		aws_j_str(inst, "instanceState/name"), "vpc_id",
		aws_j_str(inst, "vpcId")));
}

static fx_err
imds_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	static const char *const states[] = { "running", "stopped", NULL };

	return pb_ec2_util_instances(x, "metadata-options.http-tokens",
	    "optional", states, detect_instance, found);
}

static fx_err
imds_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *id;
	struct pb_elig e;
	char what[96];
	fx_err rc;

	aws_resp_init(&resp);
	*v = PB_WRONG;
	rc = pb_ec2_util_finding(x, finding, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	*v = pb_ec2_util_gone(x, inst);
	if (*v != PB_WRONG)
		goto out;
	if ((rc = imds_eligible(x, inst, &e)) != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "instance %s", id);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		goto out;
	if (pb_str_is(aws_j_str(inst, IMDS_TOKENS), "required")) {
		*v = PB_RIGHT;
		pb_say(x, "IMDSv2 is required already");
	}
out:
	aws_resp_release(&resp);
	return rc;
}

/* ModifyInstanceMetadataOptions on id (endpoint may be NULL: unchanged) */
static fx_err
imds_modify(struct pb_ctx *x, const char *id, const char *tokens,
    const char *endpoint)
{
	struct aws_resp resp;
	json_t *p;
	fx_err rc;

	p = json_pack("{s:s, s:s}", "InstanceId", id, "HttpTokens", tokens);
	if (p != NULL && endpoint != NULL &&
	    json_object_set_new(p, "HttpEndpoint", json_string(endpoint)) !=
		0) {
		json_decref(p);
		p = NULL;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2,
	    "ModifyInstanceMetadataOptions", p, 1, &resp);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
imds_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *id;
	json_t *p = NULL;
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	rc = pb_ec2_util_finding(x, finding, &resp, &id, &inst);
	if (rc != FX_OK)
		goto out;
	if (inst == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	p = json_pack("{s:s?, s:s?}", "http_tokens",
	    aws_j_str(inst, IMDS_TOKENS), "http_endpoint",
	    aws_j_str(inst, IMDS_ENDPOINT));
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_would(x, p,
	    "set HttpTokens=required and "
	    "HttpEndpoint=enabled on the instance");
	if (rc != FX_OK)
		goto out;
	rc = pb_tag_ec2(x, id, "require-imdsv2", NULL);
	if (rc != FX_OK)
		goto out;
	rc = imds_modify(x, id, "required", "enabled");
	if (rc != FX_OK)
		goto out;
	pb_say(x, "%s HttpTokens=required", x->dry_run ? "would set" : "set");
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
imds_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	const json_t *inst = NULL;
	const char *id, *tokens = NULL;
	int64_t polls, wait_ms, i;
	fx_err rc;

	*ok = 0;
	aws_resp_init(&resp);
	if ((rc = pb_resource(x, finding, &id)) != FX_OK)
		goto out;
	polls = pb_param_clamp(x, "verify_polls", 5, 1, 60);
	wait_ms = pb_param_clamp(x, "verify_interval_ms", 1000, 0, 60000);
	for (i = 0; i < polls && !*ok; i++) {
		if (i > 0)
			fx_sleep_ms(wait_ms);
		aws_resp_release(&resp);
		rc = pb_ec2_util_instance(x, PB_AUDITOR, id, &resp, &inst);
		if (rc != FX_OK || inst == NULL)
			goto out;
		tokens = aws_j_str(inst, IMDS_TOKENS);
		*ok = pb_str_is(tokens, "required");
	}
	if (!*ok)
		pb_say(x, "still HttpTokens=%s after %lld reads",
		    tokens ? tokens : "(none)", (long long)polls);
	else
		pb_say(x, "verified: IMDSv2 required");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
imds_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	const char *id, *tokens, *endpoint;
	fx_err rc;

	tokens = json_string_value(json_object_get(prior, "http_tokens"));
	endpoint = json_string_value(json_object_get(prior, "http_endpoint"));
	if ((rc = pb_resource(x, finding, &id)) != FX_OK)
		goto out;
	/* only values AWS knows, whatever the stored state says */
	if (!pb_str_is(tokens, "optional") && !pb_str_is(tokens, "required")) {
		pb_say(x, "the prior state has no valid http_tokens");
		rc = FX_EINVAL;
		goto out;
	}
	if (!pb_str_is(endpoint, "enabled") && !pb_str_is(endpoint, "disabled"))
		endpoint = NULL;
	if ((rc = imds_modify(x, id, tokens, endpoint)) != FX_OK)
		goto out;
	pb_say(x, "set HttpTokens=%s%s%s", tokens,
	    endpoint ? ", HttpEndpoint=" : "", endpoint ? endpoint : "");
	rc = pb_tag_ec2(x, id, "undo-require-imdsv2", NULL);
out:
	return rc;
}

const struct pb_def pb_ec2_imdsv1 = {
	.name = "ec2-imdsv1",
	.summary = "require IMDSv2 (HttpTokens=required) on EC2 instances",
	.irreversible = 0,
	.detect = imds_detect,
	.check = imds_check,
	.fix = imds_fix,
	.verify = imds_verify,
	.undo = imds_undo,
};
