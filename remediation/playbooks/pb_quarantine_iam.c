/*
 * pb_quarantine_iam.c - the per-instance deny of ec2-quarantine (see
 * pb_quarantine_iam.h).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fxutil.h"
#include "pb_quarantine_iam.h"
#include "banned.h"

#define QI_NAME_MAX 128 /* IAM inline policy name */

/* IAM policy names: letters, digits and + = , . @ _ - */
static int
name_ok(const char *s)
{
	size_t i;
	char ch;

	for (i = 0; s[i] != '\0'; i++) {
		ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || strchr("+=,.@_-", ch)))
			return 0;
	}
	return i > 0 && i <= QI_NAME_MAX;
}

char *
pb_quarantine_iam_name(struct pb_ctx *x, const char *id)
{
	struct buf b = BUF_INIT;
	const char *prefix =
	    pb_param_str(x, "policy_prefix", "fixit-quarantine");

	buf_init(&b, QI_NAME_MAX + 1);
	if (buf_addf(&b, "%s-%s", prefix, id) != FX_OK ||
	    !name_ok(buf_str(&b))) {
		pb_say(x,
		    "\"%s-%s\" is no valid IAM policy name "
		    "(policy_prefix)",
		    prefix, id);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

fx_err
pb_quarantine_iam_role(struct pb_ctx *x, const char *profile_arn, char **role)
{
	struct aws_resp resp;
	const char *name = strrchr(profile_arn, '/'), *r;
	fx_err rc = FX_OK;

	*role = NULL;
	aws_resp_init(&resp);
	name = name != NULL ? name + 1 : profile_arn;
	if (*name == '\0')
		goto out;
	rc = pb_query(x, PB_AUDITOR, AWS_IAM, "GetInstanceProfile",
	    json_pack("{s:s}", "InstanceProfileName", name), 0, &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity")) {
		pb_say(x, "instance profile %s no longer exists", name);
		rc = FX_OK;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	r = aws_j_str(json_array_get(
			  aws_j_list(resp.doc,
			      "GetInstanceProfileResult/InstanceProfile/Roles"),
			  0),
	    "RoleName");
	if (r == NULL || *r == '\0')
		pb_say(x, "instance profile %s holds no role", name);
	else if ((*role = fx_strdup(r)) == NULL)
		rc = FX_ENOMEM;
out:
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_quarantine_iam_has(struct pb_ctx *x, const char *role, const char *policy,
    int *has)
{
	struct aws_resp resp;
	fx_err rc;

	*has = 0;
	rc = pb_query(x, PB_AUDITOR, AWS_IAM, "GetRolePolicy",
	    json_pack("{s:s, s:s}", "RoleName", role, "PolicyName", policy), 0,
	    &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity"))
		rc = FX_OK;
	else if (rc == FX_OK)
		*has = 1;
	aws_resp_release(&resp);
	return rc;
}

/* the policy document: compact JSON text, NULL on ENOMEM */
static char *
deny_doc(const struct pb_ctx *x, const char *id)
{
	char *arn = pb_ec2_arn(x, "instance", id), *doc = NULL;
	json_t *d;

	if (arn == NULL)
		return NULL;
	d = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:{s:{s:s}}}]}", "Version",
	    "2012-10-17", "Statement", "Sid", "FixitQuarantine", "Effect",
	    "Deny", "Action", "*", "Resource", "*", "Condition", "ArnEquals",
	    "ec2:SourceInstanceARN", arn);
	if (d != NULL)
		doc = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	free(arn);
	return doc;
}

fx_err
pb_quarantine_iam_put(struct pb_ctx *x, const char *role, const char *policy,
    const char *id)
{
	struct aws_resp resp;
	char *doc = deny_doc(x, id);
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	if (doc == NULL)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "PutRolePolicy",
	    json_pack("{s:s, s:s, s:s}", "RoleName", role, "PolicyName", policy,
		"PolicyDocument", doc),
	    1, &resp);
out:
	aws_resp_release(&resp);
	free(doc);
	return rc;
}

fx_err
pb_quarantine_iam_delete(struct pb_ctx *x, const char *role, const char *policy)
{
	struct aws_resp resp;
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DeleteRolePolicy",
	    json_pack("{s:s, s:s}", "RoleName", role, "PolicyName", policy), 1,
	    &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity"))
		rc = FX_OK;
	aws_resp_release(&resp);
	return rc;
}
