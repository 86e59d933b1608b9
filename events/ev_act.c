/*
 * ev_act.c - what a CloudTrail API call asks of fixit (see ev_act.h):
 * the instances a person launched, the bucket or load balancer deleted,
 * the IAM user created, the resources to tag with their creator.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_act.h"
#include "ev_int.h"
#include "banned.h"

/* a copy of s into *dst; NULL stays NULL */
static fx_err
dup_to(char **dst, const char *s)
{
	*dst = NULL;
	if (s == NULL)
		return FX_OK;
	*dst = strdup(s);
	return *dst != NULL ? FX_OK : FX_ENOMEM;
}

static void
action_release(struct ev_action *a)
{
	size_t i;

	for (i = 0; i < a->nids; i++)
		free(a->ids[i]);
	free(a->ids);
	free(a->name);
	free(a->region);
	free(a->arn);
	memset(a, 0, sizeof(*a));
}

/* a copy of id at the end of a->ids */
static fx_err
action_add_id(struct ev_action *a, const char *id)
{
	char **more;
	fx_err rc = FX_ENOMEM;

	more = realloc(a->ids, (a->nids + 1) * sizeof(*a->ids));
	if (more == NULL)
		goto out;
	a->ids = more;
	rc = dup_to(&a->ids[a->nids], id);
	if (rc != FX_OK)
		goto out;
	a->nids++;
out:
	return rc;
}

/* a moved to the end of l (FX_OK) or released (FX_ENOMEM) */
static fx_err
push(struct ev_action_list *l, struct ev_action *a)
{
	struct ev_action *more;

	more = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (more == NULL) {
		action_release(a);
		return FX_ENOMEM;
	}
	l->v = more;
	l->v[l->n++] = *a;
	memset(a, 0, sizeof(*a));
	return FX_OK;
}

/* a new action of kind: its strings copied, pushed onto l */
static fx_err
push_named(struct ev_action_list *l, enum ev_action_kind kind,
    enum ev_resource res, const char *name, const char *region, const char *arn)
{
	struct ev_action a = { .kind = kind, .res = res };
	fx_err rc;

	rc = dup_to(&a.name, name);
	if (rc == FX_OK)
		rc = dup_to(&a.region, region);
	if (rc == FX_OK)
		rc = dup_to(&a.arn, arn);
	if (rc != FX_OK) {
		action_release(&a);
		return rc;
	}
	return push(l, &a);
}

void
ev_action_list_release(struct ev_action_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		action_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
is_call(const struct ev_info *info, const char *source, const char *name)
{
	return ev_streq(info->event_source, source) &&
	       ev_streq(info->event_name, name);
}

static int
arn_ok(const char *s)
{
	return ev_chars_ok(s, 5, EV_MAX_ARN, C_GRAPH, "") &&
	       strncmp(s, "arn:", 4) == 0;
}

/* "i-0abc...": prefix then 1..64 lower-case letters and digits */
static int
ec2_id_ok(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s != NULL && strncmp(s, prefix, n) == 0 &&
	       ev_chars_ok(s + n, 1, 64, C_LOWER | C_DIGIT, "");
}

/* NAME of "...:loadbalancer/app|net/NAME/ID" into name[33] */
static int
elbv2_name(const char *arn, char name[33])
{
	const char *p = strstr(arn, ":loadbalancer/"), *e = NULL;
	size_t n;

	if (p != NULL && (strncmp(p + 14, "app/", 4) == 0 ||
			     strncmp(p + 14, "net/", 4) == 0))
		e = strchr(p += 18, '/');
	if (e == NULL || e[1] == '\0' || (n = (size_t)(e - p)) > 32)
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return ev_chars_ok(name, 1, 32, C_ALNUM, "-");
}

/* an IPv4 address in dotted form */
static int
ipv4_ok(const char *s)
{
	size_t i, dots = 0;

	if (!ev_chars_ok(s, 7, 15, C_DIGIT, "."))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		dots += s[i] == '.';
	return dots == 3;
}

/*
 * The deletes of issue 16: a released Elastic IP, a deleted CloudFront
 * distribution, API Gateway custom domain (v1 and v2 log the same name
 * under one source), Beanstalk environment. *name borrowed from d.
 */
static enum ev_resource
dangling_more(const struct ev_info *info, const json_t *d, const char **name)
{
	const json_t *rp = json_object_get(d, "requestParameters");
	const json_t *re = json_object_get(d, "responseElements");

	if (is_call(info, "ec2.amazonaws.com", "ReleaseAddress")) {
		*name = ev_jstr(rp, "publicIp");
		if (ipv4_ok(*name))
			return EV_RES_EIP;
		*name = ev_jstr(rp, "allocationId");
		return ec2_id_ok(*name, "eipalloc-") ? EV_RES_EIP : EV_RES_NONE;
	}
	if (is_call(info, "cloudfront.amazonaws.com", "DeleteDistribution")) {
		*name = ev_jstr(rp, "id");
		return ev_chars_ok(*name, 1, 32, C_ALNUM, "")
			   ? EV_RES_CLOUDFRONT
			   : EV_RES_NONE;
	}
	if (is_call(info, "apigateway.amazonaws.com", "DeleteDomainName")) {
		*name = ev_jstr(rp, "domainName");
		return ev_chars_ok(*name, 3, 253, C_ALNUM, ".-") ? EV_RES_APIGW
								 : EV_RES_NONE;
	}
	if (is_call(info, "elasticbeanstalk.amazonaws.com",
		"TerminateEnvironment")) {
		if ((*name = ev_jstr(re, "cNAME")) == NULL)
			*name = ev_jstr(re, "CNAME");
		if (ev_chars_ok(*name, 3, 253, C_ALNUM, ".-"))
			return EV_RES_BEANSTALK;
		*name = ev_jstr(rp, "environmentName");
		return ev_chars_ok(*name, 4, 40, C_ALNUM, "-")
			   ? EV_RES_BEANSTALK
			   : EV_RES_NONE;
	}
	return EV_RES_NONE;
}

static fx_err
act_dangling(const struct ev_info *info, const json_t *d,
    struct ev_action_list *out)
{
	const json_t *rp = json_object_get(d, "requestParameters");
	const char *name = NULL, *arn = NULL;
	enum ev_resource res = EV_RES_ELB;
	char elb[33];
	fx_err rc = FX_OK;

	if (is_call(info, "s3.amazonaws.com", "DeleteBucket")) {
		res = EV_RES_S3;
		name = ev_jstr(rp, "bucketName");
		if (!ev_chars_ok(name, 1, 255, C_ALNUM, ".-_"))
			goto out;
	} else if (is_call(info, "elasticloadbalancing.amazonaws.com",
		       "DeleteLoadBalancer")) {
		if ((arn = ev_jstr(rp, "loadBalancerArn")) != NULL &&
		    (!arn_ok(arn) || !elbv2_name(arn, elb)))
			goto out;
		name = arn ? elb : ev_jstr(rp, "loadBalancerName");
		if (!ev_chars_ok(name, 1, 32, C_ALNUM, "-"))
			goto out;
	} else if ((res = dangling_more(info, d, &name)) == EV_RES_NONE) {
		goto out;
	}
	rc = push_named(out, EV_ACT_DANGLING, res, name, info->aws_region, arn);
out:
	return rc;
}

static fx_err
act_launch(const struct ev_info *info, const json_t *d,
    struct ev_action_list *out)
{
	struct ev_action a = { .kind = EV_ACT_LAUNCH, .res = EV_RES_NONE };
	const json_t *items, *it;
	const char *id;
	size_t i;
	fx_err rc = FX_OK;

	if (!is_call(info, "ec2.amazonaws.com", "RunInstances"))
		goto out;
	items = json_object_get(json_object_get(json_object_get(d,
						    "responseElements"),
				    "instancesSet"),
	    "items");
	json_array_foreach(items, i, it) {
		id = ev_jstr(it, "instanceId");
		if (!ec2_id_ok(id, "i-") || a.count++ >= EV_MAX_IDS)
			continue;
		rc = action_add_id(&a, id);
		if (rc != FX_OK)
			goto out;
	}
	if (a.count > 0)
		rc = push(out, &a);
out:
	action_release(&a);
	return rc;
}

static fx_err
act_new_user(const struct ev_info *info, const json_t *d,
    struct ev_action_list *out)
{
	const json_t *u =
	    json_object_get(json_object_get(d, "responseElements"), "user");
	const char *name, *arn;
	fx_err rc = FX_OK;

	if (!is_call(info, "iam.amazonaws.com", "CreateUser"))
		goto out;
	if ((name = ev_jstr(u, "userName")) == NULL)
		name = ev_jstr(json_object_get(d, "requestParameters"),
		    "userName");
	if (!ev_chars_ok(name, 1, 64, C_ALNUM, "_+=,.@-"))
		goto out;
	arn = ev_jstr(u, "arn");
	rc = push_named(out, EV_ACT_NEW_USER, EV_RES_NONE, name, NULL,
	    arn_ok(arn) ? arn : NULL);
out:
	return rc;
}

/*
 * EC2 resources an event creates: its name is a verb below followed by
 * one of `nouns` ('|'-separated, an 's' may follow); the ids are then
 * collected under `key` with `prefix`. Keys of the resources a new one
 * is made from or placed in (a RunInstances' subnet and AMI, a
 * CreateVolume's snapshot) are thereby left out.
 */
static const char *const ec2_verbs[] = { "Create", "Run", "Allocate", "Copy",
	"Import", "Register", NULL };

static const struct ec2_kind {
	const char *key, *prefix, *nouns;
} ec2_kinds[] = {
	{ "instanceId", "i-", "Instance" },
	{ "networkInterfaceId", "eni-", "Instance|NetworkInterface" },
	{ "volumeId", "vol-", "Volume" },
	{ "snapshotId", "snap-", "Snapshot" },
	{ "imageId", "ami-", "Image" },
	{ "groupId", "sg-", "SecurityGroup" },
	{ "vpcId", "vpc-", "Vpc|DefaultVpc" },
	{ "subnetId", "subnet-", "Subnet|DefaultSubnet" },
	{ "allocationId", "eipalloc-", "Address" },
	{ "internetGatewayId", "igw-", "InternetGateway" },
	{ "natGatewayId", "nat-", "NatGateway" },
	{ "routeTableId", "rtb-", "RouteTable" },
	{ "networkAclId", "acl-", "NetworkAcl" },
	{ "keyPairId", "key-", "KeyPair" },
	{ "launchTemplateId", "lt-", "LaunchTemplate" },
	{ "vpcEndpointId", "vpce-", "VpcEndpoint" },
	{ "vpcPeeringConnectionId", "pcx-", "VpcPeeringConnection" },
	{ "transitGatewayId", "tgw-", "TransitGateway" },
};

#define NKINDS (sizeof(ec2_kinds) / sizeof(ec2_kinds[0]))
_Static_assert(NKINDS <= 32, "ec2_kinds must fit a 32-bit mask");

/* rest is one of the nouns, alone or with an 's' */
static int
noun_match(const char *nouns, const char *rest)
{
	const char *p = nouns, *e;
	size_t n, m = strlen(rest);

	for (; *p != '\0'; p += e ? n + 1 : n) {
		e = strchr(p, '|');
		n = e ? (size_t)(e - p) : strlen(p);
		if (m >= n && strncmp(rest, p, n) == 0 &&
		    (m == n || (m == n + 1 && rest[n] == 's')))
			return 1;
	}
	return 0;
}

/* bit k set when ec2_kinds[k] is created by event name `name` */
static unsigned long
ec2_created_kinds(const char *name)
{
	unsigned long mask = 0;
	size_t v, k, n;

	for (v = 0; ec2_verbs[v] != NULL; v++) {
		n = strlen(ec2_verbs[v]);
		for (k = 0; strncmp(name, ec2_verbs[v], n) == 0 && k < NKINDS;
		     k++)
			if (noun_match(ec2_kinds[k].nouns, name + n))
				mask |= 1ul << k;
	}
	return mask;
}

/* c under key is an id of a kind in mask */
static int
wanted(const char *key, const json_t *c, unsigned long mask)
{
	size_t k;

	for (k = 0; k < NKINDS; k++)
		if ((mask & (1ul << k)) != 0 &&
		    strcmp(key, ec2_kinds[k].key) == 0 &&
		    ec2_id_ok(json_string_value(c), ec2_kinds[k].prefix))
			return 1;
	return 0;
}

static fx_err
add_unique(struct ev_action *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nids; i++)
		if (ev_streq(a->ids[i], id))
			return FX_OK;
	if (a->nids >= EV_MAX_IDS)
		return FX_OK;
	return action_add_id(a, id);
}

/* the ids of the kinds in mask anywhere in v, depth-bounded */
static fx_err
collect_ids(const json_t *v, unsigned long mask, int depth,
    struct ev_action *ids)
{
	const char *key;
	const json_t *c;
	size_t i;
	fx_err rc = FX_OK;

	if (depth > EV_MAX_DEPTH)
		goto out;
	json_array_foreach(v, i, c) {
		rc = collect_ids(c, mask, depth + 1, ids);
		if (rc != FX_OK)
			goto out;
	}
	json_object_foreach((json_t *)v, key, c) {
		if (wanted(key, c, mask))
			rc = add_unique(ids, json_string_value(c));
		if (rc == FX_OK && (json_is_object(c) || json_is_array(c)))
			rc = collect_ids(c, mask, depth + 1, ids);
		if (rc != FX_OK)
			goto out;
	}
out:
	return rc;
}

static fx_err
act_created_ec2(const struct ev_info *info, const json_t *d,
    struct ev_action_list *out)
{
	struct ev_action a = { .kind = EV_ACT_CREATED, .res = EV_RES_EC2 };
	unsigned long mask;
	fx_err rc = FX_OK;

	if (!ev_streq(info->event_source, "ec2.amazonaws.com"))
		goto out;
	mask = ec2_created_kinds(info->event_name);
	if (mask == 0)
		goto out;
	rc = collect_ids(json_object_get(d, "responseElements"), mask, 0, &a);
	if (rc == FX_OK && a.nids > 0)
		rc = push(out, &a);
out:
	action_release(&a);
	return rc;
}

static const char *const rds_arn_keys[] = { "dBInstanceArn", "dBClusterArn",
	"dBSnapshotArn", "dBClusterSnapshotArn", "dBSubnetGroupArn",
	"dBParameterGroupArn", "dBClusterParameterGroupArn", "optionGroupArn",
	"eventSubscriptionArn", "globalClusterArn", NULL };

static fx_err
act_created_rds(const struct ev_info *info, const json_t *d,
    struct ev_action_list *out)
{
	const json_t *re = json_object_get(d, "responseElements");
	const char *arn = NULL;
	size_t i;
	fx_err rc = FX_OK;

	if (!ev_streq(info->event_source, "rds.amazonaws.com") ||
	    (strncmp(info->event_name, "Create", 6) != 0 &&
		strncmp(info->event_name, "Restore", 7) != 0))
		goto out;
	for (i = 0; rds_arn_keys[i] != NULL; i++)
		if (arn_ok(arn = ev_jstr(re, rds_arn_keys[i])) &&
		    strstr(arn, ":rds:") != NULL)
			break;
	if (rds_arn_keys[i] != NULL)
		rc = push_named(out, EV_ACT_CREATED, EV_RES_RDS, NULL, NULL,
		    arn);
out:
	return rc;
}

fx_err
ev_actions(const struct ev_info *info, const json_t *event,
    struct ev_action_list *out)
{
	const json_t *d = json_object_get(event, "detail");
	fx_err rc = FX_EINVAL;

	if (out == NULL || !json_is_object(d) || info->event_source == NULL ||
	    info->event_name == NULL)
		goto out;
	rc = FX_OK;
	if (ev_present(d, "errorCode"))
		goto out;
	rc = act_dangling(info, d, out);
	if (rc != FX_OK || info->verdict != EV_MANUAL)
		goto out;
	rc = act_launch(info, d, out);
	if (rc != FX_OK)
		goto out;
	rc = act_new_user(info, d, out);
	if (rc != FX_OK)
		goto out;
	rc = act_created_ec2(info, d, out);
	if (rc != FX_OK)
		goto out;
	rc = act_created_rds(info, d, out);
out:
	return rc;
}
