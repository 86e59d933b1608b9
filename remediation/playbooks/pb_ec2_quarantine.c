/*
 * pb_ec2_quarantine.c - playbook "ec2-quarantine": cut a suspect EC2
 * instance off the network and off AWS, keeping it (and its disks) for
 * investigation. Findings come from detect (a manual trigger) and from
 * fixitd's CloudTrail event handling (resource_id = instance id; details
 * may hold "actor").
 *
 *   detect  DescribeInstances, Filter tag:fixit:quarantine = requested
 *           and instance-state-name = running (paged).
 *   check   DescribeInstances InstanceId.1: NotFound, terminated or
 *           shutting-down -> GONE; in the isolation group alone and its
 *           role (if any) has the deny policy -> RIGHT.
 *   fix     1. the isolation group of the instance's VPC
 *              (DescribeSecurityGroups group-name + vpc-id), else
 *              CreateSecurityGroup; a new group (or a found one that still
 *              has it) loses the default allow-all egress rule
 *              (RevokeSecurityGroupEgress) and is tagged. A found group
 *              with any other rule is refused: it would not isolate.
 *           2. CreateTags on the instance: fixit:action=quarantine,
 *              fixit:quarantine=applied (the manual trigger is spent),
 *              fixit:quarantined-at=now (ISO 8601: ec2-quarantine-expired
 *              reads it; fixit:time moves with any later tagging),
 *              fixit:quarantined-groups=old groups, comma-separated
 *              (when they fit in 256 characters).
 *           3. ModifyInstanceAttribute InstanceId, GroupId.1=isolation.
 *           4. with an instance profile: IAM GetInstanceProfile ->
 *              Roles[0] -> PutRolePolicy of this instance's own deny
 *              (pb_quarantine_iam.h): named policy_prefix-INSTANCE-ID,
 *              Deny * when ec2:SourceInstanceARN is this instance. Other
 *              instances of the role are not touched.
 *           prior {"groups", "vpc_id", "instance_profile_arn",
 *           "role_name", "policy_name", "isolation_group",
 *           "created_group", "launch_time"}. launch_time (the instance's
 *           LaunchTime) is what ec2-quarantine-expired later matches so
 *           that a reused instance id is never taken for this one. A
 *           fix retried after failing half-way finds the instance
 *           isolated already: the old groups then come from the
 *           fixit:quarantined-groups tag.
 *   verify  groupSet is exactly the isolation group; GetRolePolicy finds
 *           the instance's policy on the role.
 *   undo    ModifyInstanceAttribute GroupId.N = the old groups;
 *           DeleteRolePolicy of exactly the prior's policy_name
 *           (NoSuchEntity is fine; a prior state written before the
 *           deny was per instance may say policy_existed: that shared
 *           policy is then kept); CreateTags
 *           fixit:action=release-quarantine, fixit:quarantine=released.
 *           The isolation group stays for the next quarantine.
 *
 * Parameters:
 *   group_name     isolation security group (default "fixit-quarantine")
 *   policy_prefix  prefix of the per-instance deny policy's name
 *                  (default "fixit-quarantine")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "fxutil.h"
#include "pb_ec2_util.h"
#include "pb_quarantine_iam.h"
#include "playbook.h"
#include "banned.h"

#define Q_TAG_TRIGGER "fixit:quarantine"
#define Q_TAG_GROUPS  "fixit:quarantined-groups"
#define Q_TAG_AT      "fixit:quarantined-at"
#define Q_TAG_MAX     256 /* EC2 tag value length */
#define Q_MAX_GROUPS  16  /* security groups per interface, at most */
#define Q_NEW_GROUP   "(new isolation group)" /* dry-run placeholder */

/* what fix and check learn about one instance */
struct q {
	const char *id;		 /* borrowed: the finding */
	const char *vpc;	 /* borrowed: the answer */
	const char *profile_arn; /* borrowed: the answer, or NULL */
	const char *launch;	 /* borrowed: the instance's LaunchTime */
	const char *tag_groups;	 /* borrowed: fixit:quarantined-groups */
	json_t *groups;		 /* owned: the instance's group ids */
	char *sg;		 /* owned: the isolation group id */
	int created;		 /* the isolation group is new */
	char *role;		 /* owned: the role name, or NULL */
	char *policy;		 /* owned: the instance's deny policy name */
};

static void
q_release(struct q *q)
{
	json_decref(q->groups);
	free(q->sg);
	free(q->role);
	free(q->policy);
	memset(q, 0, sizeof(*q));
}

static const char *
q_group_name(const struct pb_ctx *x)
{
	return pb_param_str(x, "group_name", "fixit-quarantine");
}

static int
groups_are(const json_t *groups, const char *sg)
{
	const char *g = json_string_value(json_array_get(groups, 0));

	return json_array_size(groups) == 1 && g != NULL && sg != NULL &&
	       strcmp(g, sg) == 0;
}

/*
 * Read the instance of the finding into q. *inst NULL (FX_OK) when AWS
 * says it no longer exists; resp holds the answer q borrows from.
 */
static fx_err
q_read(struct pb_ctx *x, const json_t *finding, struct aws_resp *resp,
    struct q *q, const json_t **inst)
{
	fx_err rc;

	rc = pb_ec2_util_finding(x, finding, resp, &q->id, inst);
	if (rc != FX_OK || *inst == NULL)
		goto out;
	q->vpc = aws_j_str(*inst, "vpcId");
	q->profile_arn = aws_j_str(*inst, "iamInstanceProfile/arn");
	if (q->profile_arn != NULL && *q->profile_arn == '\0')
		q->profile_arn = NULL;
	q->launch = aws_j_str(*inst, "launchTime");
	q->tag_groups =
	    pb_ec2_util_tag(aws_j_list(*inst, "tagSet"), Q_TAG_GROUPS);
	q->policy = pb_quarantine_iam_name(x, q->id);
	if (q->policy == NULL)
		rc = FX_EINVAL;
	else if ((q->groups = pb_ec2_util_group_ids(*inst)) == NULL)
		rc = FX_ENOMEM;
out:
	return rc;
}

/* ---- the isolation group ------------------------------------------------ */

/* protocol -1 to 0.0.0.0/0 and nothing else: AWS's default egress rule */
static int
perm_allow_all(const json_t *perm)
{
	const json_t *r = aws_j_list(perm, "ipRanges");
	const char *proto = aws_j_str(perm, "ipProtocol");
	const char *cidr = aws_j_str(json_array_get(r, 0), "cidrIp");

	return proto != NULL && strcmp(proto, "-1") == 0 &&
	       json_array_size(r) == 1 && cidr != NULL &&
	       strcmp(cidr, "0.0.0.0/0") == 0 &&
	       json_array_size(aws_j_list(perm, "ipv6Ranges")) == 0 &&
	       json_array_size(aws_j_list(perm, "groups")) == 0 &&
	       json_array_size(aws_j_list(perm, "prefixListIds")) == 0;
}

struct sg_found {
	char *id;      /* owned, NULL when there is none */
	int allow_all; /* has the default egress rule */
	int other;     /* has any other rule */
};

/* DescribeSecurityGroups parameters for group gname in vpc, or NULL */
static json_t *
sg_find_query(const char *gname, const char *vpc)
{
	json_t *p = json_object();

	if (p == NULL)
		return NULL;
	if (pb_ec2_filter(p, 1, "group-name", gname) != FX_OK)
		goto fail;
	if (pb_ec2_filter(p, 2, "vpc-id", vpc) != FX_OK)
		goto fail;
	return p;
fail:
	json_decref(p);
	return NULL;
}

/* the isolation group in vpc (DescribeSecurityGroups, read-only) */
static fx_err
sg_find(struct pb_ctx *x, const char *vpc, struct sg_found *f)
{
	struct aws_resp resp;
	const json_t *g, *perm;
	const char *gname = q_group_name(x), *n, *v;
	json_t *p;
	size_t i, j;
	fx_err rc = FX_ENOMEM;

	memset(f, 0, sizeof(*f));
	aws_resp_init(&resp);
	p = sg_find_query(gname, vpc);
	if (p == NULL)
		goto out;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeSecurityGroups", p, 0,
	    &resp);
	if (rc != FX_OK)
		goto out;
	json_array_foreach(aws_j_list(resp.doc, "securityGroupInfo"), i, g) {
		n = aws_j_str(g, "groupName");
		v = aws_j_str(g, "vpcId");
		if (n == NULL || strcmp(n, gname) != 0 || v == NULL ||
		    strcmp(v, vpc) != 0 || aws_j_str(g, "groupId") == NULL)
			continue; /* an answer that ignored the filter */
		if ((f->id = fx_strdup(aws_j_str(g, "groupId"))) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
		f->other = json_array_size(aws_j_list(g, "ipPermissions")) > 0;
		json_array_foreach(aws_j_list(g, "ipPermissionsEgress"), j,
		    perm) {
			if (perm_allow_all(perm))
				f->allow_all = 1;
			else
				f->other = 1;
		}
		break;
	}
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
sg_create(struct pb_ctx *x, const char *vpc, char **id)
{
	struct aws_resp resp;
	const char *gid;
	fx_err rc;

	*id = NULL;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "CreateSecurityGroup",
	    json_pack("{s:s, s:s, s:s}", "GroupName", q_group_name(x),
		"GroupDescription", "fixit quarantine: no traffic", "VpcId",
		vpc),
	    1, &resp);
	if (rc != FX_OK)
		goto out;
	if ((gid = pb_created(x, "CreateSecurityGroup", resp.doc, "groupId",
		 "group", Q_NEW_GROUP)) == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	if ((*id = fx_strdup(gid)) == NULL)
		rc = FX_ENOMEM;
	else if (!x->dry_run)
		pb_say(x, "created isolation group %s", gid);
out:
	aws_resp_release(&resp);
	return rc;
}

/* revoke the default allow-all egress rule of sg (gone already: fine) */
static fx_err
sg_revoke(struct pb_ctx *x, const char *sg)
{
	struct aws_resp resp;
	fx_err rc;

	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "RevokeSecurityGroupEgress",
	    json_pack("{s:s, s:s, s:s}", "GroupId", sg,
		"IpPermissions.1.IpProtocol", "-1",
		"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
	    1, &resp);
	if (pb_is_error(rc, &resp, "InvalidPermission.NotFound"))
		rc = FX_OK;
	aws_resp_release(&resp);
	return rc;
}

/* find or make the isolation group of q->vpc: q->sg, q->created */
static fx_err
sg_prepare(struct pb_ctx *x, struct q *q)
{
	struct sg_found f;
	fx_err rc;

	if ((rc = sg_find(x, q->vpc, &f)) != FX_OK)
		goto out;
	if (f.id != NULL && f.other) {
		pb_say(x,
		    "%s (%s) has rules that let traffic through: not "
		    "used",
		    f.id, q_group_name(x));
		rc = FX_ECONFLICT;
		goto out;
	}
	if (f.id == NULL) {
		if ((rc = sg_create(x, q->vpc, &f.id)) != FX_OK)
			goto out;
		q->created = 1;
		f.allow_all = 1; /* AWS gives a new group that rule */
	}
	q->sg = f.id;
	f.id = NULL;
	if (!f.allow_all)
		goto out; /* isolating as it is: untouched */
	rc = sg_revoke(x, q->sg);
	if (rc != FX_OK)
		goto out;
	rc = pb_tag_ec2(x, q->sg, "quarantine-group", NULL);
	if (rc != FX_OK)
		goto out;
	pb_say(x, "%s its egress", x->dry_run ? "would revoke" : "revoked");
out:
	free(f.id);
	return rc;
}

/* ---- IAM ------------------------------------------------------------ */

/* the role of q's profile (if any) gets the instance's deny: q->role */
static fx_err
q_deny(struct pb_ctx *x, struct q *q)
{
	fx_err rc = FX_OK;

	if (q->profile_arn == NULL)
		goto out;
	rc = pb_quarantine_iam_role(x, q->profile_arn, &q->role);
	if (rc != FX_OK || q->role == NULL)
		goto out;
	rc = pb_quarantine_iam_put(x, q->role, q->policy, q->id);
	if (rc == FX_OK)
		pb_say(x, "%s %s on role %s", x->dry_run ? "would put" : "put",
		    q->policy, q->role);
out:
	return rc;
}

/* ---- the instance ----------------------------------------------------- */

/* ModifyInstanceAttribute InstanceId, GroupId.N = groups */
static fx_err
q_move(struct pb_ctx *x, const char *id, const json_t *groups)
{
	struct aws_resp resp;
	const json_t *g;
	json_t *p = json_pack("{s:s}", "InstanceId", id);
	char key[32];
	size_t i;
	fx_err rc;

	json_array_foreach((json_t *)groups, i, g) {
		snprintf(key, sizeof(key), "GroupId.%zu", i + 1);
		if (p != NULL && json_object_set(p, key, (json_t *)g) != 0) {
			json_decref(p);
			p = NULL;
		}
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "ModifyInstanceAttribute", p,
	    1, &resp);
	aws_resp_release(&resp);
	return rc;
}

/* CreateTags on the instance: action, fixit:quarantine=state (applied:
 * with fixit:quarantined-at), groups */
static fx_err
q_tag(struct pb_ctx *x, const char *id, const char *action, const char *state,
    const json_t *groups)
{
	struct buf joined = BUF_INIT;
	char when[21];
	json_t *extra = json_pack("{s:s}", Q_TAG_TRIGGER, state);
	fx_err rc = FX_ENOMEM;

	fx_iso8601_format(x->now, when);
	if (extra == NULL ||
	    (strcmp(state, "applied") == 0 &&
		json_object_set_new(extra, Q_TAG_AT, json_string(when)) != 0))
		goto out;
	if (groups != NULL &&
	    pb_ec2_util_ids_join(groups, Q_TAG_MAX, &joined) != FX_OK)
		pb_say(x, "the old groups are too many for the %s tag",
		    Q_TAG_GROUPS);
	else if (groups != NULL && json_object_set_new(extra, Q_TAG_GROUPS,
				       json_string(buf_str(&joined))) != 0)
		goto out;
	rc = pb_tag_ec2(x, id, action, extra);
out:
	json_decref(extra);
	buf_release(&joined);
	return rc;
}

/* ---- the steps ------------------------------------------------------- */

static fx_err
detect_instance(struct pb_ctx *x, const json_t *inst, void *found)
{
	const char *id = aws_j_str(inst, "instanceId");
	const char *st = aws_j_str(inst, "instanceState/name");
	const char *trig =
	    pb_ec2_util_tag(aws_j_list(inst, "tagSet"), Q_TAG_TRIGGER);

	/* the filter chose already; an answer that ignored it is checked */
	if (id == NULL || *id == '\0' || st == NULL ||
	    strcmp(st, "running") != 0 || trig == NULL ||
	    strcmp(trig, "requested") != 0)
		return FX_OK;
	return pb_ec2_util_found_instance(x, found, inst,
	    "is tagged for quarantine",
	    json_pack("{s:s, s:s, s:s?, s:s?, "
		      "s:o, s:s?}",
		"trigger", "tag " Q_TAG_TRIGGER "=requested", "state", st,
		"vpc_id", aws_j_str(inst, "vpcId"), "instance_type",
		aws_j_str(inst, "instanceType"), "groups",
		pb_ec2_util_group_ids(inst), "instance_profile_arn",
		aws_j_str(inst, "iamInstanceProfile/arn")));
}

static fx_err
q_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	static const char *const states[] = { "running", NULL };

	return pb_ec2_util_instances(x, "tag:" Q_TAG_TRIGGER, "requested",
	    states, detect_instance, found);
}

/* in the isolation group alone, and the role (if any) denied */
static fx_err
q_is_isolated(struct pb_ctx *x, struct q *q, int *yes)
{
	struct sg_found f;
	int has = 0;
	fx_err rc = FX_OK;

	memset(&f, 0, sizeof(f));
	*yes = 0;
	if (json_array_size(q->groups) != 1 || q->vpc == NULL)
		goto out;
	rc = sg_find(x, q->vpc, &f);
	if (rc != FX_OK || !groups_are(q->groups, f.id))
		goto out;
	if (q->profile_arn == NULL) {
		*yes = 1;
		goto out;
	}
	rc = pb_quarantine_iam_role(x, q->profile_arn, &q->role);
	if (rc != FX_OK)
		goto out;
	if (q->role != NULL) {
		rc = pb_quarantine_iam_has(x, q->role, q->policy, &has);
		if (rc != FX_OK)
			goto out;
	}
	*yes = q->role == NULL || has;
out:
	free(f.id);
	return rc;
}

static fx_err
q_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct q q;
	const json_t *inst = NULL;
	int yes = 0;
	fx_err rc;

	memset(&q, 0, sizeof(q));
	aws_resp_init(&resp);
	*v = PB_WRONG;
	rc = q_read(x, finding, &resp, &q, &inst);
	if (rc != FX_OK)
		goto out;
	*v = pb_ec2_util_gone(x, inst);
	if (*v != PB_WRONG)
		goto out;
	rc = q_is_isolated(x, &q, &yes);
	if (rc != FX_OK)
		goto out;
	if (yes) {
		*v = PB_RIGHT;
		pb_say(x, "quarantined already");
	}
out:
	q_release(&q);
	aws_resp_release(&resp);
	return rc;
}

/* the groups to restore on undo: the instance's, or the tag's */
static void
q_old_groups(struct pb_ctx *x, struct q *q)
{
	json_t *g = NULL;

	if (!groups_are(q->groups, q->sg))
		goto out;
	/* a fix that stopped half-way left the instance isolated already */
	if (q->tag_groups == NULL || (g = pb_ec2_util_ids_split(q->tag_groups,
					  "sg-", Q_MAX_GROUPS)) == NULL) {
		pb_say(x, "in %s alone already, earlier groups unknown", q->sg);
		goto out;
	}
	json_decref(q->groups);
	q->groups = g;
	pb_say(x, "earlier groups from the %s tag", Q_TAG_GROUPS);
out:
	return;
}

static json_t *
q_prior(struct pb_ctx *x, const struct q *q)
{
	json_t *p;

	p = json_pack("{s:O, s:s, s:s?, s:s?, s:s, s:s, s:b, s:s?}", "groups",
	    q->groups, "vpc_id", q->vpc, "instance_profile_arn", q->profile_arn,
	    "role_name", q->role, "policy_name", q->policy, "isolation_group",
	    q->sg, "created_group", q->created, "launch_time", q->launch);
	if (p != NULL &&
	    pb_would(x, p,
		"move the instance into the isolation group alone and put a "
		"deny of this instance's credentials on its role") != FX_OK) {
		json_decref(p);
		p = NULL;
	}
	return p;
}

static fx_err
q_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	struct q q;
	const json_t *inst = NULL;
	json_t *iso = NULL;
	fx_err rc;

	memset(&q, 0, sizeof(q));
	aws_resp_init(&resp);
	*prior = NULL;
	rc = q_read(x, finding, &resp, &q, &inst);
	if (rc == FX_OK && inst == NULL)
		rc = FX_ENOTFOUND;
	if (rc != FX_OK)
		goto out;
	if (q.vpc == NULL || *q.vpc == '\0') {
		pb_say(x, "the instance is in no VPC");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = sg_prepare(x, &q)) != FX_OK)
		goto out;
	q_old_groups(x, &q);
	if ((rc = q_tag(x, q.id, "quarantine", "applied", q.groups)) != FX_OK)
		goto out;
	if ((iso = json_pack("[s]", q.sg)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = q_move(x, q.id, iso)) != FX_OK)
		goto out;
	pb_say(x, "%s into %s alone", x->dry_run ? "would move" : "moved",
	    q.sg);
	if ((rc = q_deny(x, &q)) != FX_OK)
		goto out;
	if ((*prior = q_prior(x, &q)) == NULL)
		rc = FX_ENOMEM;
out:
	json_decref(iso);
	q_release(&q);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
q_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	struct aws_resp resp;
	struct q q;
	const json_t *inst = NULL;
	const char *sg, *role, *policy;
	int has = 0;
	fx_err rc;

	memset(&q, 0, sizeof(q));
	aws_resp_init(&resp);
	*ok = 0;
	sg = json_string_value(json_object_get(prior, "isolation_group"));
	role = json_string_value(json_object_get(prior, "role_name"));
	policy = json_string_value(json_object_get(prior, "policy_name"));
	rc = q_read(x, finding, &resp, &q, &inst);
	if (rc != FX_OK || inst == NULL)
		goto out;
	if (!groups_are(q.groups, sg)) {
		pb_say(x, "not in %s alone", sg ? sg : "the isolation group");
		goto out;
	}
	if (role != NULL) {
		rc = pb_quarantine_iam_has(x, role,
		    policy != NULL ? policy : q.policy, &has);
		if (rc != FX_OK)
			goto out;
	}
	if (role != NULL && !has) {
		pb_say(x, "role %s has no deny policy", role);
		goto out;
	}
	*ok = 1;
	pb_say(x, "verified: quarantined");
out:
	q_release(&q);
	aws_resp_release(&resp);
	return rc;
}

/* the prior groups, checked: strings "sg-..." and not too many */
static int
prior_groups_ok(const json_t *groups)
{
	const json_t *g;
	const char *s;
	size_t i;

	if (json_array_size(groups) == 0 ||
	    json_array_size(groups) > Q_MAX_GROUPS)
		return 0;
	json_array_foreach((json_t *)groups, i, g) {
		s = json_string_value(g);
		if (s == NULL || strncmp(s, "sg-", 3) != 0)
			return 0;
	}
	return 1;
}

/* 1 when policy is instance id's own (PREFIX-ID), not the deny-all one
 * policy that quarantines shared before the deny was per instance */
static int
own_policy(const char *policy, const char *id)
{
	size_t pl = strlen(policy), il = strlen(id);

	return pl > il + 1 && policy[pl - il - 1] == '-' &&
	       strcmp(policy + pl - il, id) == 0;
}

static fx_err
q_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	const json_t *groups = json_object_get(prior, "groups");
	const char *id, *role, *policy;
	int shared = 0;
	fx_err rc;

	role = json_string_value(json_object_get(prior, "role_name"));
	policy = json_string_value(json_object_get(prior, "policy_name"));
	if ((rc = pb_resource(x, finding, &id)) != FX_OK)
		goto out;
	if (!prior_groups_ok(groups)) {
		pb_say(x, "the prior state has no security groups to restore");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = q_move(x, id, groups)) != FX_OK)
		goto out;
	pb_say(x, "restored the security groups");
	shared = role != NULL && policy != NULL && !own_policy(policy, id);
	if (role != NULL && policy != NULL && !shared) {
		/* exactly this quarantine's own policy */
		rc = pb_quarantine_iam_delete(x, role, policy);
		if (rc != FX_OK)
			goto out;
		pb_say(x, "deleted %s of role %s", policy, role);
	}
	rc = q_tag(x, id, "release-quarantine", "released", NULL);
	if (rc != FX_OK || !shared)
		goto out;
	/* it may still hold other instances: people decide */
	pb_say(x,
	    "kept %s of role %s: a deny-all that every quarantined "
	    "instance of the role shared; delete it by hand once none is",
	    policy, role);
	rc = FX_ECONFLICT;
out:
	return rc;
}

const struct pb_def pb_ec2_quarantine = {
	.name = "ec2-quarantine",
	.summary = "isolate an EC2 instance: no-traffic security group, "
		   "a deny of its own role credentials",
	.irreversible = 0,
	.detect = q_detect,
	.check = q_check,
	.fix = q_fix,
	.verify = q_verify,
	.undo = q_undo,
};
