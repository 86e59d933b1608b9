/*
 * pb_honeypot_key.c - playbook "honeypot-key": a call signed with a decoy
 * access key (events.honeypot_keys) cuts its caller off at once. The
 * findings come only from fixitd's CloudTrail event handling
 * (events/ev_decide.h: resource_id = the key id, details.target says
 * what to deny); detect finds nothing. A decoy key is a near-certain
 * signal: the playbook is meant for approval none, and it keeps every
 * change undoable.
 *
 *   target "instance" (an instance profile session: its name is the
 *           instance id): ec2-quarantine of that instance in the
 *           finding's region (the event's: the isolation group and the
 *           per-instance deny of pb_quarantine_iam.h); an instance that
 *           is not there (credentials taken elsewhere) falls back to the
 *           role's dated deny.
 *   target "role":  PutRolePolicy POLICY on details.role: Deny * on *
 *           when aws:TokenIssueTime is before the fix (AWS's "revoke
 *           active sessions": every session issued so far is dead, new
 *           ones work).
 *   target "user":  PutUserPolicy POLICY on details.user: Deny * on *.
 *   target "none" (root, federated): nothing to deny: the finding is
 *           notify-only (ev_decide sets it); check says KEEP.
 *
 *   check   user: GetUser (NoSuchEntity: GONE), GetUserPolicy (there:
 *           RIGHT); role: GetRolePolicy (there: RIGHT; the role gone:
 *           GONE); instance: ec2-quarantine's check (GONE: the role's).
 *   prior   {"kind": "user"|"role"|"instance", "user" | "role",
 *           "policy", "issued_before", "quarantine": ec2-quarantine's
 *           prior}
 *   verify  the policy is there / ec2-quarantine's verify.
 *   undo    DeleteUserPolicy / DeleteRolePolicy (NoSuchEntity is fine) /
 *           ec2-quarantine's undo.
 *
 * Playbook "cloudshell-secrets" (same file, same steps): a CloudShell
 * session that read secret values (events/ev_watch.c; resource_id
 * "cloudshell:" + the session's key). Its fix is optional (the playbook's
 * mode: notify by default): the dated deny, named fixit-cloudshell-revoke,
 * on the role, and on an IAM user too (aws:TokenIssueTime exists only in
 * temporary credentials: the user's CloudShell session dies, its
 * long-term keys keep working); never an instance.
 *
 * Parameters:
 *   policy_name    the deny's name (default "fixit-honeypot-deny",
 *                  cloudshell-secrets: "fixit-cloudshell-revoke")
 *   group_name, policy_prefix   as ec2-quarantine's
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "playbook.h"
#include "banned.h"

extern const struct pb_def pb_ec2_quarantine;

enum hp_kind { HP_NONE = 0, HP_USER, HP_ROLE, HP_INSTANCE };

struct hp {
	enum hp_kind kind;
	const char *user, *role, *instance; /* borrowed from the finding */
	const char *policy;
	int cs;	      /* cloudshell-secrets: the user's sessions too */
	json_t *inst; /* ec2-quarantine's finding for the instance */
};

static const char *
hp_policy(const struct pb_ctx *x, int cs)
{
	return pb_param_str(x, "policy_name",
	    cs ? "fixit-cloudshell-revoke" : "fixit-honeypot-deny");
}

static void
hp_release(struct hp *h)
{
	json_decref(h->inst);
	h->inst = NULL;
}

/* the finding's target into h; FX_EINVAL (with a pb_say) when unusable */
static fx_err
hp_read(struct pb_ctx *x, const json_t *finding, struct hp *h, int cs)
{
	const json_t *d = json_object_get(finding, "details");
	const char *t = json_string_value(json_object_get(d, "target"));

	memset(h, 0, sizeof(*h));
	h->policy = hp_policy(x, cs);
	h->cs = cs;
	h->user = json_string_value(json_object_get(d, "user"));
	h->role = json_string_value(json_object_get(d, "role"));
	h->instance = json_string_value(json_object_get(d, "instance"));
	if (t != NULL && strcmp(t, "user") == 0 && h->user != NULL)
		h->kind = HP_USER;
	else if (t != NULL && strcmp(t, "role") == 0 && h->role != NULL)
		h->kind = HP_ROLE;
	else if (!cs && t != NULL && strcmp(t, "instance") == 0 &&
		 h->instance != NULL && h->role != NULL)
		h->kind = HP_INSTANCE;
	else if (t != NULL && strcmp(t, "none") == 0)
		return FX_OK;
	else {
		pb_say(x, "the finding names nothing to deny");
		return FX_EINVAL;
	}
	if (h->kind == HP_INSTANCE) {
		h->inst =
		    json_pack("{s:s, s:O*, s:O*}", "resource_id", h->instance,
			"account_id", json_object_get(finding, "account_id"),
			"region", json_object_get(finding, "region"));
		if (h->inst == NULL)
			return FX_ENOMEM;
	}
	return FX_OK;
}

/* Get{User,Role}Policy of h's policy: *has 1 when there */
static fx_err
hp_has(struct pb_ctx *x, const struct hp *h, int user, int *has)
{
	struct aws_resp resp;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*has = 0;
	rc = pb_query(x, PB_AUDITOR, AWS_IAM,
	    user ? "GetUserPolicy" : "GetRolePolicy",
	    json_pack("{s:s, s:s}", user ? "UserName" : "RoleName",
		user ? h->user : h->role, "PolicyName", h->policy),
	    0, &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity")) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	} else if (rc == FX_OK)
		*has = 1;
	aws_resp_release(&resp);
	return rc;
}

/* GetUser / GetRole: *gone 1 when NoSuchEntity */
static fx_err
hp_gone(struct pb_ctx *x, const struct hp *h, int user, int *gone)
{
	struct aws_resp resp;
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*gone = 0;
	rc = pb_query(x, PB_AUDITOR, AWS_IAM, user ? "GetUser" : "GetRole",
	    json_pack("{s:s}", user ? "UserName" : "RoleName",
		user ? h->user : h->role),
	    0, &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity")) {
		pb_msg_rewind(x, mark);
		pb_say(x, "%s %s no longer exists", user ? "user" : "role",
		    user ? h->user : h->role);
		*gone = 1;
		rc = FX_OK;
	}
	aws_resp_release(&resp);
	return rc;
}

/* the principal's deny there already: RIGHT; the principal gone: GONE */
static fx_err
hp_check_iam(struct pb_ctx *x, const struct hp *h, int user, enum pb_verdict *v)
{
	int gone = 0, has = 0;
	fx_err rc;

	*v = PB_WRONG;
	rc = hp_gone(x, h, user, &gone);
	if (rc != FX_OK || gone) {
		*v = gone ? PB_GONE : PB_WRONG;
		goto out;
	}
	rc = hp_has(x, h, user, &has);
	if (rc == FX_OK && has) {
		*v = PB_RIGHT;
		pb_say(x, "%s %s denied already", user ? "user" : "role",
		    user ? h->user : h->role);
	}
out:
	return rc;
}

static fx_err
hp_check_cs(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v, int cs)
{
	struct hp h;
	fx_err rc;

	*v = PB_WRONG;
	rc = hp_read(x, finding, &h, cs);
	if (rc != FX_OK)
		goto out;
	switch (h.kind) {
	case HP_NONE:
		pb_say(x, "a root or federated caller: nothing fixit can deny");
		*v = PB_KEEP;
		break;
	case HP_USER:
		rc = hp_check_iam(x, &h, 1, v);
		break;
	case HP_ROLE:
		rc = hp_check_iam(x, &h, 0, v);
		break;
	case HP_INSTANCE:
		rc = pb_ec2_quarantine.check(x, h.inst, v);
		if (rc == FX_OK && *v == PB_GONE) {
			pb_say(x,
			    "instance %s is not in %s: the role's "
			    "sessions are revoked instead",
			    h.instance, x->region);
			rc = hp_check_iam(x, &h, 0, v);
		}
		break;
	}
out:
	hp_release(&h);
	return rc;
}

/* Deny * on *; with a time, only sessions issued before it */
static char *
hp_doc(const char *before)
{
	json_t *d;
	char *doc = NULL;

	if (before == NULL)
		d = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "Version",
		    "2012-10-17", "Statement", "Sid", "FixitHoneypotDeny",
		    "Effect", "Deny", "Action", "*", "Resource", "*");
	else
		d = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:{s:{s:s}}}]}",
		    "Version", "2012-10-17", "Statement", "Sid",
		    "FixitHoneypotRevokeSessions", "Effect", "Deny", "Action",
		    "*", "Resource", "*", "Condition", "DateLessThan",
		    "aws:TokenIssueTime", before);
	if (d != NULL)
		doc = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(d);
	return doc;
}

/* Put{User,Role}Policy; *prior the record of it */
static fx_err
hp_put(struct pb_ctx *x, const struct hp *h, int user, json_t **prior)
{
	struct aws_resp resp;
	char before[21], *doc;
	fx_err rc = FX_ENOMEM;

	aws_resp_init(&resp);
	fx_iso8601_format(x->now, before);
	doc = hp_doc(user && !h->cs ? NULL : before);
	if (doc == NULL)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM,
	    user ? "PutUserPolicy" : "PutRolePolicy",
	    json_pack("{s:s, s:s, s:s}", user ? "UserName" : "RoleName",
		user ? h->user : h->role, "PolicyName", h->policy,
		"PolicyDocument", doc),
	    1, &resp);
	if (rc != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	*prior =
	    json_pack("{s:s, s:s, s:s, s:s*}", "kind", user ? "user" : "role",
		user ? "user" : "role", user ? h->user : h->role, "policy",
		h->policy, "issued_before", user && !h->cs ? NULL : before);
	if (*prior == NULL)
		goto out;
	rc = FX_OK;
	if (user && !h->cs)
		pb_say(x, "user %s denied everything (inline policy %s)",
		    h->user, h->policy);
	else
		pb_say(x,
		    "%s %s: every session issued before %s denied "
		    "(inline policy %s)",
		    user ? "user" : "role", user ? h->user : h->role, before,
		    h->policy);
out:
	aws_resp_release(&resp);
	free(doc);
	return rc;
}

static fx_err
hp_fix_cs(struct pb_ctx *x, const json_t *finding, json_t **prior, int cs)
{
	enum pb_verdict v = PB_WRONG;
	json_t *q = NULL;
	struct hp h;
	fx_err rc;

	*prior = NULL;
	rc = hp_read(x, finding, &h, cs);
	if (rc != FX_OK)
		goto out;
	switch (h.kind) {
	case HP_NONE:
		rc = FX_EINVAL;
		pb_say(x, "nothing to deny");
		break;
	case HP_USER:
		rc = hp_put(x, &h, 1, prior);
		break;
	case HP_ROLE:
		rc = hp_put(x, &h, 0, prior);
		break;
	case HP_INSTANCE:
		rc = pb_ec2_quarantine.check(x, h.inst, &v);
		if (rc == FX_OK && v == PB_GONE) {
			rc = hp_put(x, &h, 0, prior);
			break;
		}
		if (rc == FX_OK)
			rc = pb_ec2_quarantine.fix(x, h.inst, &q);
		if (rc == FX_OK) {
			*prior = json_pack("{s:s, s:s, s:s, s:o}", "kind",
			    "instance", "instance", h.instance, "role", h.role,
			    "quarantine", q);
			q = NULL; /* stolen */
			rc = *prior != NULL ? FX_OK : FX_ENOMEM;
		}
		break;
	}
out:
	json_decref(q);
	hp_release(&h);
	return rc;
}

static fx_err
hp_verify_cs(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok, int cs)
{
	const char *kind = json_string_value(json_object_get(prior, "kind"));
	struct hp h;
	fx_err rc;

	*ok = 0;
	rc = hp_read(x, finding, &h, cs);
	if (rc != FX_OK || kind == NULL)
		goto out;
	if (strcmp(kind, "instance") == 0)
		rc = pb_ec2_quarantine.verify(x, h.inst,
		    json_object_get(prior, "quarantine"), ok);
	else
		rc = hp_has(x, &h, strcmp(kind, "user") == 0, ok);
out:
	hp_release(&h);
	return rc;
}

static fx_err
hp_undo_cs(struct pb_ctx *x, const json_t *finding, const json_t *prior, int cs)
{
	const char *kind = json_string_value(json_object_get(prior, "kind"));
	const char *policy =
	    json_string_value(json_object_get(prior, "policy"));
	const char *who;
	struct aws_resp resp;
	struct hp h;
	int user;
	fx_err rc;

	aws_resp_init(&resp);
	rc = hp_read(x, finding, &h, cs);
	if (rc != FX_OK)
		goto out;
	rc = FX_EINVAL;
	if (kind == NULL) {
		pb_say(x, "the prior state names no change");
		goto out;
	}
	if (strcmp(kind, "instance") == 0) {
		rc = pb_ec2_quarantine.undo(x, h.inst,
		    json_object_get(prior, "quarantine"));
		goto out;
	}
	user = strcmp(kind, "user") == 0;
	who = json_string_value(json_object_get(prior, user ? "user" : "role"));
	if (who == NULL || policy == NULL) {
		pb_say(x, "the prior state names no policy");
		goto out;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_IAM,
	    user ? "DeleteUserPolicy" : "DeleteRolePolicy",
	    json_pack("{s:s, s:s}", user ? "UserName" : "RoleName", who,
		"PolicyName", policy),
	    1, &resp);
	if (pb_is_error(rc, &resp, "NoSuchEntity"))
		rc = FX_OK;
	if (rc == FX_OK)
		pb_say(x, "%s %s: inline policy %s deleted",
		    user ? "user" : "role", who, policy);
out:
	aws_resp_release(&resp);
	hp_release(&h);
	return rc;
}

static fx_err
hp_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	return hp_check_cs(x, finding, v, 0);
}

static fx_err
hp_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	return hp_fix_cs(x, finding, prior, 0);
}

static fx_err
hp_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	return hp_verify_cs(x, finding, prior, ok, 0);
}

static fx_err
hp_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	return hp_undo_cs(x, finding, prior, 0);
}

static fx_err
cs_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	return hp_check_cs(x, finding, v, 1);
}

static fx_err
cs_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	return hp_fix_cs(x, finding, prior, 1);
}

static fx_err
cs_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	return hp_verify_cs(x, finding, prior, ok, 1);
}

static fx_err
cs_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	return hp_undo_cs(x, finding, prior, 1);
}

/* event-driven only: a scan finds nothing */
static fx_err
hp_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	(void)x;
	(void)found;
	return FX_OK;
}

const struct pb_def pb_honeypot_key = {
	.name = "honeypot-key",
	.summary = "cut off the caller of a decoy access key: quarantine its "
		   "instance, else deny its IAM user or revoke its role's "
		   "sessions",
	.irreversible = 0,
	.detect = hp_detect,
	.check = hp_check,
	.fix = hp_fix,
	.verify = hp_verify,
	.undo = hp_undo,
};

const struct pb_def pb_cloudshell_secrets = {
	.name = "cloudshell-secrets",
	.summary = "revoke the sessions of whoever read secret values from "
		   "CloudShell (a dated deny on the role or user)",
	.irreversible = 0,
	.detect = hp_detect,
	.check = cs_check,
	.fix = cs_fix,
	.verify = cs_verify,
	.undo = cs_undo,
};
