/*
 * pb_iam_fix.c - iam-admin-paths' fix and undo (see pb_iam_admin.c).
 *
 * For each policy of the role that grants unused admin actions, the same
 * policy without them (pb_iam_pol_reduce):
 *   inline            PutRolePolicy with the reduced document; prior:
 *                     the old document.
 *   customer managed  attached to this role only: CreatePolicyVersion
 *                     (SetAsDefault) with the reduced document; at IAM's
 *                     5 versions, the oldest non-default one is deleted
 *                     first (ListPolicyVersions, GetPolicyVersion: its
 *                     document is recorded). prior: the old default.
 *   AWS managed, or   CreatePolicy "fixit-ROLE-NAME" = the reduced
 *   shared            document, AttachRolePolicy it, DetachRolePolicy the
 *                     old one (kept). prior: both ARNs.
 * prior {"role", "removed": [...], "changes": [...], "evidence"}.
 * Never unasked: a finding whose owner was never told (approval none)
 * is refused (FX_EPERM) before anything is read.
 * A fix that fails half-way takes back, newest first, the changes it
 * made (the executor keeps no prior state of a failed fix); a replace
 * whose attach or detach failed deletes its copy. A version deleted to
 * make room is not re-created.
 * Undo, newest change first: PutRolePolicy the old document;
 * SetDefaultPolicyVersion the old default and DeletePolicyVersion the
 * new one; AttachRolePolicy the old policy, DetachRolePolicy and
 * DeletePolicy the new one.
 *
 * Calls (remediator): iam:PutRolePolicy, iam:CreatePolicyVersion,
 * iam:DeletePolicyVersion, iam:SetDefaultPolicyVersion,
 * iam:CreatePolicy, iam:DeletePolicy, iam:AttachRolePolicy,
 * iam:DetachRolePolicy; (auditor) iam:ListPolicyVersions,
 * iam:GetPolicyVersion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pb_iam_admin.h"
#include "pb_iam_policy.h"
#include "banned.h"

#define MAX_VERSIONS 5	 /* IAM's limit of versions per policy */
#define NAME_MAX_IAM 128 /* managed policy names */

static char *
dump(const json_t *doc)
{
	return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* the end of one IAM change: r released; NoSuchEntity is fine (and
 * what pb_call said about it taken back) when gone_ok */
static fx_err
settle(struct pb_ctx *x, size_t mark, fx_err rc, struct aws_resp *r,
    int gone_ok)
{
	if (gone_ok && pb_is_error(rc, r, "NoSuchEntity")) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	}
	aws_resp_release(r);
	return rc;
}

/* at MAX_VERSIONS: delete the oldest non-default version, recorded */
static fx_err
free_version(struct pb_ctx *x, const char *arn, json_t *change)
{
	struct aws_resp r1;
	size_t mark;
	struct aws_resp resp;
	const json_t *v, *old = NULL;
	const char *when = NULL, *c, *id;
	json_t *doc = NULL;
	size_t i;
	fx_err rc;

	aws_resp_init(&resp);
	rc = pb_query(x, PB_AUDITOR, AWS_IAM, "ListPolicyVersions",
	    json_pack("{s:s}", "PolicyArn", arn), 0, &resp);
	if (rc != FX_OK)
		goto out;
	json_array_foreach(aws_j_list(resp.doc,
			       "ListPolicyVersionsResult/Versions"),
	    i, v) {
		c = aws_j_str(v, "CreateDate");
		if (aws_j_str(v, "IsDefaultVersion") != NULL &&
		    strcasecmp(aws_j_str(v, "IsDefaultVersion"), "true") == 0)
			continue;
		if (old == NULL ||
		    (c != NULL && when != NULL && strcmp(c, when) < 0)) {
			old = v;
			when = c;
		}
	}
	if (old == NULL || (id = aws_j_str(old, "VersionId")) == NULL)
		goto out; /* fewer than the limit after all */
	if (json_object_set_new(change, "deleted_version", json_string(id)))
		goto nomem;
	/* id was the answer's: it goes with it */
	id = json_string_value(json_object_get(change, "deleted_version"));
	aws_resp_release(&resp);
	rc = pb_query(x, PB_AUDITOR, AWS_IAM, "GetPolicyVersion",
	    json_pack("{s:s, s:s}", "PolicyArn", arn, "VersionId", id), 0,
	    &resp);
	if (rc != FX_OK)
		goto out;
	if (pb_iam_doc(aws_j_str(resp.doc,
			   "GetPolicyVersionResult/PolicyVersion/Document"),
		&doc) == FX_OK &&
	    json_object_set_new(change, "deleted_document", doc) != 0)
		goto nomem;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DeletePolicyVersion",
	    json_pack("{s:s, s:s}", "PolicyArn", arn, "VersionId", id), 1, &r1);
	rc = settle(x, mark, rc, &r1, 0);
	goto out;
nomem:
	rc = FX_ENOMEM;
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
fix_version(struct pb_ctx *x, const struct pb_iam_grant *gr, const char *doc,
    json_t *change)
{
	struct aws_resp resp;
	const char *id;
	fx_err rc;

	aws_resp_init(&resp);
	if (gr->versions >= MAX_VERSIONS &&
	    (rc = free_version(x, gr->arn, change)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "CreatePolicyVersion",
	    json_pack("{s:s, s:s, s:s}", "PolicyArn", gr->arn, "PolicyDocument",
		doc, "SetAsDefault", "true"),
	    1, &resp);
	if (rc != FX_OK)
		goto out;
	id = pb_created(x, "CreatePolicyVersion", resp.doc,
	    "CreatePolicyVersionResult/PolicyVersion/VersionId", "version",
	    "(new version)");
	if (id == NULL ||
	    json_object_set_new(change, "new_version", json_string(id)) != 0)
		rc = id == NULL ? FX_EREMOTE : FX_ENOMEM;
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err undo_replace(struct pb_ctx *x, const char *role, const char *arn,
    const char *na);

static fx_err
fix_replace(struct pb_ctx *x, const char *role, const struct pb_iam_grant *gr,
    const char *doc, json_t *change)
{
	struct aws_resp r1;
	size_t mark;
	struct aws_resp resp;
	char name[NAME_MAX_IAM + 1];
	const char *arn;
	fx_err rc;

	aws_resp_init(&resp);
	(void)snprintf(name, sizeof(name), "fixit-%s-%s", role, gr->name);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "CreatePolicy",
	    json_pack("{s:s, s:s, s:s}", "PolicyName", name, "PolicyDocument",
		doc, "Description",
		"fixit iam-admin-paths: a policy without unused IAM-admin "
		"actions"),
	    1, &resp);
	if (rc != FX_OK)
		goto out;
	arn = pb_created(x, "CreatePolicy", resp.doc,
	    "CreatePolicyResult/Policy/Arn", "policy", "(new policy)");
	if (arn == NULL) {
		rc = FX_EREMOTE;
		goto out;
	}
	if (json_object_set_new(change, "new_arn", json_string(arn)) != 0 ||
	    json_object_set_new(change, "new_name", json_string(name)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "AttachRolePolicy",
	    json_pack("{s:s, s:s}", "RoleName", role, "PolicyArn", arn), 1,
	    &r1);
	rc = settle(x, mark, rc, &r1, 0);
	if (rc == FX_OK) {
		mark = pb_msg_mark(x);
		rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DetachRolePolicy",
		    json_pack("{s:s, s:s}", "RoleName", role, "PolicyArn",
			gr->arn),
		    1, &r1);
		rc = settle(x, mark, rc, &r1, 0);
	}
	/* half done: the copy goes again (the original stays attached) */
	if (rc != FX_OK && !x->dry_run)
		(void)undo_replace(x, role, gr->arn, arn);
out:
	aws_resp_release(&resp);
	return rc;
}

static const char *
kind_word(enum pb_iam_kind k)
{
	return k == PB_IAM_INLINE ? "inline"
	       : k == PB_IAM_AWS  ? "AWS managed"
				  : "customer managed";
}

/* PutRolePolicy: the inline policy name of role is doc */
static fx_err
put_inline(struct pb_ctx *x, const char *role, const char *name,
    const char *doc)
{
	struct aws_resp r1;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	if (doc == NULL)
		return FX_EINVAL;
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "PutRolePolicy",
	    json_pack("{s:s, s:s, s:s}", "RoleName", role, "PolicyName", name,
		"PolicyDocument", doc),
	    1, &r1);
	return settle(x, mark, rc, &r1, 0);
}

/* one policy: the change made (appended to changes) */
static fx_err
fix_one(struct pb_ctx *x, const char *role, const struct pb_iam_grant *gr,
    uint32_t remove, json_t *changes)
{
	json_t *red, *ch = NULL;
	char *doc = NULL;
	const char *kind;
	fx_err rc = FX_ENOMEM;

	red = pb_iam_pol_reduce(gr->doc, x->account_id, remove);
	if (red == NULL || (doc = dump(red)) == NULL)
		goto out;
	kind = gr->kind == PB_IAM_INLINE ? "inline"
	       : gr->kind == PB_IAM_CUSTOMER && gr->attachments <= 1
		   ? "version"
		   : "replace";
	ch = json_pack("{s:s, s:s, s:s?, s:s?, s:O?, s:o, s:O}", "kind", kind,
	    "policy", gr->name, "policy_arn", gr->arn, "old_version",
	    gr->kind == PB_IAM_INLINE ? NULL : gr->version, "old_document",
	    gr->doc, "removed", pb_iam_mask_json(remove), "new_document", red);
	if (ch == NULL)
		goto out;
	if (strcmp(kind, "inline") == 0)
		rc =
		    put_inline(x, role, gr->name, gr->doc == NULL ? NULL : doc);
	else if (strcmp(kind, "version") == 0)
		rc = fix_version(x, gr, doc, ch);
	else
		rc = fix_replace(x, role, gr, doc, ch);
	if (rc == FX_OK) {
		pb_say(x, "%s %s policy %s without %d admin action(s)%s",
		    x->dry_run ? "would rewrite" : "rewrote",
		    kind_word(gr->kind), gr->name, __builtin_popcount(remove),
		    strcmp(kind, "version") == 0 ? " (a new default version)"
		    : strcmp(kind, "replace") == 0
			? " (as a copy attached in its place)"
			: "");
		if (json_array_append(changes, ch) != 0)
			rc = FX_ENOMEM;
	}
out:
	json_decref(ch);
	json_decref(red);
	free(doc);
	return rc;
}

static fx_err undo_one(struct pb_ctx *x, const char *role, const json_t *ch);

/* a failed fix: its earlier changes undone, newest first (best effort,
 * each outcome said) */
static void
rollback(struct pb_ctx *x, const char *role, const json_t *changes)
{
	size_t i;

	if (x->dry_run || json_array_size(changes) == 0)
		return;
	pb_say(x, "taking back the %zu change(s) this attempt made",
	    json_array_size(changes));
	for (i = json_array_size(changes); i > 0; i--)
		if (undo_one(x, role, json_array_get(changes, i - 1)) != FX_OK)
			pb_say(x, "could not take back the change of policy %s",
			    json_string_value(
				json_object_get(json_array_get(changes, i - 1),
				    "policy")));
}

fx_err
pb_iam_admin_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct pb_iam_case c;
	struct pb_iam_grant gr;
	const char *name;
	json_t *p = NULL, *changes;
	char what[192];
	size_t i;
	fx_err rc;

	*prior = NULL;
	memset(&c, 0, sizeof(c));
	if ((rc = pb_resource(x, finding, &name)) != FX_OK)
		return rc;
	/* never unasked: a finding nobody was told about (approval none)
	 * is not fixed */
	if (!json_is_string(json_object_get(finding, "notified_at"))) {
		pb_say(x,
		    "iam-admin-paths fixes only after the owner was "
		    "asked (approval: owner): role %s is unchanged",
		    name);
		return FX_EPERM;
	}
	if ((rc = pb_iam_case_read(x, name, &c)) != FX_OK)
		goto out;
	(void)snprintf(what, sizeof(what), "role %s", name);
	if (!c.reached || pb_elig_check(x, &c.e, what) != PB_WRONG) {
		rc = c.found ? FX_ECONFLICT : FX_ENOTFOUND;
		goto out;
	}
	p = json_pack("{s:s, s:o, s:[], s:O}", "role", name, "removed",
	    pb_iam_mask_json(c.unused), "changes", "evidence",
	    json_object_get(c.details, "evidence"));
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	changes = json_object_get(p, "changes");
	(void)snprintf(what, sizeof(what),
	    "remove %d unused IAM-admin action(s) from role %s's policies",
	    __builtin_popcount(c.unused), name);
	if ((rc = pb_would(x, p, what)) != FX_OK)
		goto out;
	for (i = 0; pb_iam_graph_grant(c.g, c.role, i, &gr); i++) {
		if ((gr.allow & c.unused) == 0 || gr.doc == NULL)
			continue;
		rc = fix_one(x, name, &gr, gr.allow & c.unused, changes);
		if (rc != FX_OK) {
			/* the executor keeps no prior state of a failed fix:
			 * what this attempt changed is taken back now */
			rollback(x, name, changes);
			goto out;
		}
	}
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	pb_iam_case_release(&c);
	return rc;
}

/* a customer managed policy: the old default back, the new one gone */
static fx_err
undo_version(struct pb_ctx *x, const char *arn, const char *ov, const char *nv)
{
	struct aws_resp r1;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "SetDefaultPolicyVersion",
	    json_pack("{s:s, s:s}", "PolicyArn", arn, "VersionId", ov), 1, &r1);
	if ((rc = settle(x, mark, rc, &r1, 0)) != FX_OK)
		return rc;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DeletePolicyVersion",
	    json_pack("{s:s, s:s}", "PolicyArn", arn, "VersionId", nv), 1, &r1);
	return settle(x, mark, rc, &r1, 1);
}

/* the old policy attached again, fixit's copy detached and deleted */
static fx_err
undo_replace(struct pb_ctx *x, const char *role, const char *arn,
    const char *na)
{
	struct aws_resp r1;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "AttachRolePolicy",
	    json_pack("{s:s, s:s}", "RoleName", role, "PolicyArn", arn), 1,
	    &r1);
	if ((rc = settle(x, mark, rc, &r1, 0)) != FX_OK)
		return rc;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DetachRolePolicy",
	    json_pack("{s:s, s:s}", "RoleName", role, "PolicyArn", na), 1, &r1);
	if ((rc = settle(x, mark, rc, &r1, 1)) != FX_OK)
		return rc;
	mark = pb_msg_mark(x);
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM, "DeletePolicy",
	    json_pack("{s:s}", "PolicyArn", na), 1, &r1);
	return settle(x, mark, rc, &r1, 1);
}

static fx_err
undo_one(struct pb_ctx *x, const char *role, const json_t *ch)
{
	const char *kind = json_string_value(json_object_get(ch, "kind"));
	const char *pol = json_string_value(json_object_get(ch, "policy"));
	const char *arn = json_string_value(json_object_get(ch, "policy_arn"));
	const char *nv = json_string_value(json_object_get(ch, "new_version"));
	const char *ov = json_string_value(json_object_get(ch, "old_version"));
	const char *na = json_string_value(json_object_get(ch, "new_arn"));
	char *doc = NULL;
	fx_err rc = FX_EINVAL;

	if (kind == NULL)
		kind = "";
	if (strcmp(kind, "inline") == 0 && pol != NULL) {
		doc = dump(json_object_get(ch, "old_document"));
		rc = doc != NULL ? put_inline(x, role, pol, doc) : FX_ENOMEM;
	} else if (strcmp(kind, "version") == 0 && arn && ov && nv)
		rc = undo_version(x, arn, ov, nv);
	else if (strcmp(kind, "replace") == 0 && arn && na)
		rc = undo_replace(x, role, arn, na);
	else
		pb_say(x, "the prior state holds a change fixit cannot read");
	if (rc == FX_OK)
		pb_say(x, "restored %s policy %s", kind, pol ? pol : "?");
	free(doc);
	return rc;
}

fx_err
pb_iam_admin_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	const json_t *changes = json_object_get(prior, "changes");
	const char *role = json_string_value(json_object_get(prior, "role"));
	size_t i;
	fx_err rc = FX_OK;

	(void)finding;
	if (role == NULL || !json_is_array(changes)) {
		pb_say(x, "the prior state names no role and no changes");
		return FX_EINVAL;
	}
	for (i = json_array_size(changes); i > 0 && rc == FX_OK; i--)
		rc = undo_one(x, role, json_array_get(changes, i - 1));
	return rc;
}
