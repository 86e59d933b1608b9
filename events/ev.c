/*
 * ev.c - EventBridge CloudTrail API call events (see ev.h): envelope
 * checks, the actor and whether the call was made by hand, the actions
 * fixit derives from it, ownership from tags. Pure: no I/O, no state.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxtime.h"
#include "ev.h"
#include "banned.h"

static const struct {
	const char *name, *why;
} verdicts[] = {
	[EV_MANUAL] = { "manual", "a person changed something by hand" },
	[EV_READ_ONLY] = { "read-only", "the call only reads" },
	[EV_FAILED_CALL] = { "failed-call", "the call failed" },
	[EV_AWS_SERVICE] = { "aws-service", "an AWS service made the call" },
	[EV_AUTOMATION] = { "automation",
	    "the caller is an automation role or user" },
	[EV_NOT_EMPLOYEE] = { "not-employee",
	    "the actor does not match the employee pattern" },
	[EV_NO_ACTOR] = { "no-actor", "the event names no actor" },
};

/* character classes of chars_ok */
#define C_LOWER		0x01u	/* a-z */
#define C_UPPER		0x02u	/* A-Z */
#define C_DIGIT		0x04u	/* 0-9 */
#define C_PUNCT		0x08u	/* other printable ASCII but space */
#define C_SPACE		0x10u
#define C_HIGH		0x20u	/* bytes of UTF-8 sequences */
#define C_DASH		0x40u	/* '-', also in C_PUNCT */
#define C_ALNUM		(C_LOWER | C_UPPER | C_DIGIT)
#define C_GRAPH		(C_ALNUM | C_PUNCT)	/* printable ASCII, no space */
#define C_PRINT		(C_GRAPH | C_SPACE)
#define C_TEXT		(C_PRINT | C_HIGH)	/* no control characters */
#define C_WORD		(C_GRAPH | C_HIGH)	/* nor spaces */
#define C_REGION	(C_LOWER | C_DIGIT | C_DASH)

#define W_PRINT	"must be a string of 1..128 printable characters"
#define W_LONG	"too long or not printable"

static unsigned
char_class(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return C_LOWER;
	if (c >= 'A' && c <= 'Z')
		return C_UPPER;
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	if (c == ' ')
		return C_SPACE;
	if (c == '-')
		return C_DASH | C_PUNCT;
	if (c > 0x20 && c < 0x7f)
		return C_PUNCT;
	return c >= 0x80 ? C_HIGH : 0;
}

/* s is min..max bytes, each of a class in cls or in extra; NULL never is */
static int
chars_ok(const char *s, size_t min, size_t max, unsigned cls,
    const char *extra)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || ((char_class((unsigned char)s[i]) & cls) == 0 &&
		    strchr(extra, s[i]) == NULL))
			return 0;
	return i >= min;
}

/* the string member key of o; NULL when absent, not a string or with NUL */
static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

static int
present(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v != NULL && !json_is_null(v);
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* copy src (NULL: "") into dst[size] when it fits and is of cls */
static int
copy_ok(char *dst, size_t size, const char *src, unsigned cls)
{
	dst[0] = '\0';
	if (src != NULL && !chars_ok(src, 0, size - 1, cls, ""))
		return 0;
	if (src != NULL)
		memcpy(dst, src, strlen(src) + 1);
	return 1;
}

/* the envelope key, else the detail key; *field names the one used */
static const char *
pick(const json_t *ev, const char *key, const json_t *d, const char *dkey,
    const char *dfield, const char **field)
{
	*field = key;
	if (present(ev, key) || !present(d, dkey))
		return jstr(ev, key);
	*field = dfield;
	return jstr(d, dkey);
}

/* a failed check names the field and says why; rc stays as it is */
#define NEED(cond, f, w) do {						\
	if (!(cond)) {							\
		*field = (f);						\
		*why = (w);						\
		goto out;						\
	}								\
} while (0)

#define W_REGION	"must be a region like eu-west-1"
#define W_TIME		"must be an ISO 8601 time like 2026-01-01T00:00:00Z"

/* account, region, aws_region and time, each with its fallback */
static fx_err
parse_where(const json_t *ev, const json_t *d, struct ev_info *info,
    const char **field, const char **why)
{
	const char *f;
	fx_err rc = FX_EINVAL;

	info->account = pick(ev, "account", d, "recipientAccountId",
	    "detail.recipientAccountId", &f);
	NEED(chars_ok(info->account, 12, 12, C_DIGIT, ""), f,
	    "must be 12 digits");
	info->region = pick(ev, "region", d, "awsRegion", "detail.awsRegion",
	    &f);
	NEED(chars_ok(info->region, 1, EV_MAX_REGION, C_REGION, ""), f,
	    W_REGION);
	info->aws_region = present(d, "awsRegion") ? jstr(d, "awsRegion") :
	    info->region;
	NEED(chars_ok(info->aws_region, 1, EV_MAX_REGION, C_REGION, ""),
	    "detail.awsRegion", W_REGION);
	NEED(present(ev, "time") || present(d, "eventTime"), "time", W_TIME);
	NEED(!present(ev, "time") || fx_iso8601_parse(jstr(ev, "time"),
	    &info->time) == FX_OK, "time", W_TIME);
	NEED(!present(d, "eventTime") || fx_iso8601_parse(jstr(d,
	    "eventTime"), &info->time) == FX_OK, "detail.eventTime", W_TIME);
	rc = FX_OK;
out:
	return rc;
}

static fx_err
parse_envelope(const json_t *ev, struct ev_info *info, const char **field,
    const char **why)
{
	const json_t *d = json_object_get(ev, "detail");
	const char *dt = jstr(ev, "detail-type");
	fx_err rc = FX_EINVAL;

	info->id = jstr(ev, "id");
	NEED(chars_ok(info->id, 1, EV_MAX_ID, C_PRINT, ""), "id", W_PRINT);
	NEED(dt != NULL, "detail-type", "must be a string");
	rc = FX_ENOTFOUND;
	NEED(strcmp(dt, EV_DETAIL_TYPE) == 0, "detail-type",
	    "not a CloudTrail API call");
	rc = FX_EINVAL;
	NEED(chars_ok(jstr(ev, "source"), 1, EV_MAX_NAME, C_GRAPH, ""),
	    "source", "must be a string like aws.ec2");
	NEED(json_is_object(d), "detail", "must be an object");
	if ((rc = parse_where(ev, d, info, field, why)) != FX_OK)
		goto out;
	rc = FX_EINVAL;
	info->event_source = jstr(d, "eventSource");
	NEED(chars_ok(info->event_source, 1, EV_MAX_NAME, C_GRAPH, ""),
	    "detail.eventSource", W_PRINT);
	info->event_name = jstr(d, "eventName");
	NEED(chars_ok(info->event_name, 1, EV_MAX_NAME, C_GRAPH, ""),
	    "detail.eventName", W_PRINT);
	rc = FX_OK;
out:
	return rc;
}

/* the part after the last '/' of an ARN with marker, else after the
 * first ':' of a principal id ("ROLEID:session"); NULL when neither */
static const char *
arn_tail(const char *arn, const char *marker, const char *principal)
{
	const char *p;

	if (arn != NULL && strstr(arn, marker) != NULL &&
	    (p = strrchr(arn, '/')) != NULL && p[1] != '\0')
		return p + 1;
	if (principal != NULL && (p = strchr(principal, ':')) != NULL &&
	    p[1] != '\0')
		return p + 1;
	return NULL;
}

static const char *
actor_of(const json_t *ui, const char *type, const char *arn)
{
	const char *name = jstr(ui, "userName");

	if (streq(type, "AssumedRole"))
		return arn_tail(arn, ":assumed-role/", jstr(ui, "principalId"));
	if (streq(type, "FederatedUser"))
		return arn_tail(arn, ":federated-user/",
		    jstr(ui, "principalId"));
	if (streq(type, "Root"))
		return "root";
	if (streq(type, "IAMUser") && name == NULL)
		return arn_tail(arn, ":user/", NULL);
	if (streq(type, "AWSService") || streq(type, "AWSAccount"))
		return NULL;
	return name;
}

#define SI	"detail.userIdentity.sessionContext.sessionIssuer."

static fx_err
parse_identity(const json_t *ui, struct ev_info *info, const char **field,
    const char **why)
{
	const json_t *is;
	const char *type = jstr(ui, "type");
	fx_err rc = FX_EINVAL;

	info->identity_type = type ? type : "";
	NEED(ui == NULL || json_is_null(ui) || json_is_object(ui),
	    "detail.userIdentity", "must be an object");
	NEED(!present(ui, "type") || chars_ok(type, 1, 64, C_GRAPH, ""),
	    "detail.userIdentity.type",
	    "must be a string of 1..64 printable characters");
	NEED(copy_ok(info->actor_arn, sizeof(info->actor_arn),
	    jstr(ui, "arn"), C_GRAPH), "detail.userIdentity.arn", W_LONG);
	NEED(copy_ok(info->actor, sizeof(info->actor), actor_of(ui, type,
	    jstr(ui, "arn")), C_TEXT), "detail.userIdentity",
	    "actor name " W_LONG);
	is = streq(type, "AssumedRole") ? json_object_get(json_object_get(ui,
	    "sessionContext"), "sessionIssuer") : NULL;
	NEED(copy_ok(info->issuer, sizeof(info->issuer), jstr(is, "userName"),
	    C_GRAPH), SI "userName", W_LONG);
	NEED(copy_ok(info->issuer_arn, sizeof(info->issuer_arn), jstr(is,
	    "arn"), C_GRAPH), SI "arn", W_LONG);
	rc = FX_OK;
out:
	return rc;
}

fx_err
ev_parse(const json_t *event, struct ev_info *info, struct buf *err)
{
	const char *field = "event", *why = "must be a JSON object";
	const json_t *d;
	fx_err rc = FX_EINVAL;

	memset(info, 0, sizeof(*info));
	info->verdict = EV_NO_ACTOR;
	info->why = verdicts[EV_NO_ACTOR].why;
	info->identity_type = "";
	if (!json_is_object(event))
		goto out;
	if ((rc = parse_envelope(event, info, &field, &why)) != FX_OK)
		goto out;
	d = json_object_get(event, "detail");
	rc = parse_identity(json_object_get(d, "userIdentity"), info, &field,
	    &why);
out:
	if (rc != FX_OK && err != NULL &&
	    buf_addf(err, "%s: %s", field, why) != FX_OK)
		rc = FX_ENOMEM;
	return rc;
}

/* fnmatch on lower-cased copies; too long never matches */
static int
glob_ci(const char *pat, const char *s)
{
	char p[EV_MAX_GLOB + 1], t[EV_MAX_GLOB + 1];
	size_t i;

	if (pat == NULL || s == NULL || strlen(pat) > EV_MAX_GLOB ||
	    strlen(s) > EV_MAX_GLOB)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		p[i] = pat[i] >= 'A' && pat[i] <= 'Z' ? pat[i] + 32 : pat[i];
	p[i] = '\0';
	for (i = 0; s[i] != '\0'; i++)
		t[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
	t[i] = '\0';
	return fnmatch(p, t, 0) == 0;
}

static int
by_automation(const struct ev_rules *r, const struct ev_info *info)
{
	const char *const *g;
	int user = streq(info->identity_type, "IAMUser");

	for (g = r ? r->automation : NULL; g != NULL && *g != NULL; g++)
		if ((info->issuer[0] != '\0' && glob_ci(*g, info->issuer)) ||
		    (info->issuer_arn[0] != '\0' &&
		    glob_ci(*g, info->issuer_arn)) ||
		    (user && info->actor[0] != '\0' &&
		    glob_ci(*g, info->actor)))
			return 1;
	return 0;
}

void
ev_classify(const struct ev_rules *r, const json_t *event,
    struct ev_info *info)
{
	const json_t *d = json_object_get(event, "detail");
	const json_t *ui = json_object_get(d, "userIdentity");
	const char *pattern = r ? r->employee_pattern : NULL;
	enum ev_verdict v;

	if (present(d, "errorCode"))
		v = EV_FAILED_CALL;
	else if (json_is_true(json_object_get(d, "readOnly")))
		v = EV_READ_ONLY;
	else if (present(ui, "invokedBy") || present(d, "invokedBy") ||
	    streq(info->identity_type, "AWSService") ||
	    strstr(info->issuer_arn, ":role/aws-service-role/") != NULL)
		v = EV_AWS_SERVICE;
	else if (by_automation(r, info))
		v = EV_AUTOMATION;
	else if (info->actor[0] == '\0')
		v = EV_NO_ACTOR;
	else if (pattern != NULL && !glob_ci(pattern, info->actor))
		v = EV_NOT_EMPLOYEE;
	else
		v = EV_MANUAL;
	info->verdict = v;
	info->why = verdicts[v].why;
}

const char *
ev_verdict_name(enum ev_verdict v)
{
	return (size_t)v <= EV_NO_ACTOR ? verdicts[v].name : "?";
}

/* ----- actions ----- */

/* append obj (stolen; NULL is an allocation failure) to out */
static fx_err
append(json_t *out, json_t *obj)
{
	if (obj == NULL)
		return FX_ENOMEM;
	return json_array_append_new(out, obj) == 0 ? FX_OK : FX_ENOMEM;
}

static int
is_call(const struct ev_info *info, const char *source, const char *name)
{
	return streq(info->event_source, source) &&
	    streq(info->event_name, name);
}

static int
arn_ok(const char *s)
{
	return chars_ok(s, 5, EV_MAX_ARN, C_GRAPH, "") &&
	    strncmp(s, "arn:", 4) == 0;
}

/* "i-0abc...": prefix then 1..64 lower-case letters and digits */
static int
ec2_id_ok(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s != NULL && strncmp(s, prefix, n) == 0 &&
	    chars_ok(s + n, 1, 64, C_LOWER | C_DIGIT, "");
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
	return chars_ok(name, 1, 32, C_ALNUM, "-");
}

static fx_err
act_dangling(const struct ev_info *info, const json_t *d, json_t *out)
{
	const json_t *rp = json_object_get(d, "requestParameters");
	const char *type = "elb", *name = NULL, *arn = NULL;
	char elb[33];
	fx_err rc = FX_OK;

	if (is_call(info, "s3.amazonaws.com", "DeleteBucket")) {
		type = "s3";
		name = jstr(rp, "bucketName");
		if (!chars_ok(name, 1, 255, C_ALNUM, ".-_"))
			goto out;
	} else if (is_call(info, "elasticloadbalancing.amazonaws.com",
	    "DeleteLoadBalancer")) {
		if ((arn = jstr(rp, "loadBalancerArn")) != NULL &&
		    (!arn_ok(arn) || !elbv2_name(arn, elb)))
			goto out;
		name = arn ? elb : jstr(rp, "loadBalancerName");
		if (!chars_ok(name, 1, 32, C_ALNUM, "-"))
			goto out;
	} else {
		goto out;
	}
	rc = append(out, json_pack("{s:s, s:s, s:s, s:s, s:s*}",
	    "kind", "dangling", "type", type, "name", name,
	    "region", info->aws_region, "arn", arn));
out:
	return rc;
}

static fx_err
act_launch(const struct ev_info *info, const json_t *d, json_t *out)
{
	const json_t *items, *it;
	json_t *ids = NULL;
	const char *id;
	size_t i, count = 0;
	fx_err rc = FX_OK;

	if (!is_call(info, "ec2.amazonaws.com", "RunInstances"))
		goto out;
	items = json_object_get(json_object_get(json_object_get(d,
	    "responseElements"), "instancesSet"), "items");
	rc = FX_ENOMEM;
	if ((ids = json_array()) == NULL)
		goto out;
	json_array_foreach(items, i, it) {
		id = jstr(it, "instanceId");
		if (ec2_id_ok(id, "i-") && count++ < EV_MAX_IDS &&
		    json_array_append_new(ids, json_string(id)) != 0)
			goto out;
	}
	rc = FX_OK;
	if (count > 0)
		rc = append(out, json_pack("{s:s, s:O, s:I, s:O*}", "kind",
		    "launch", "instance_ids", ids, "count", (json_int_t)count,
		    "truncated", count > EV_MAX_IDS ? json_true() : NULL));
out:
	json_decref(ids);
	return rc;
}

static fx_err
act_new_user(const struct ev_info *info, const json_t *d, json_t *out)
{
	const json_t *u = json_object_get(json_object_get(d,
	    "responseElements"), "user");
	const char *name, *arn;
	fx_err rc = FX_OK;

	if (!is_call(info, "iam.amazonaws.com", "CreateUser"))
		goto out;
	if ((name = jstr(u, "userName")) == NULL)
		name = jstr(json_object_get(d, "requestParameters"),
		    "userName");
	if (!chars_ok(name, 1, 64, C_ALNUM, "_+=,.@-"))
		goto out;
	arn = jstr(u, "arn");
	rc = append(out, json_pack("{s:s, s:s, s:s*}", "kind", "new_user",
	    "user_name", name, "user_arn", arn_ok(arn) ? arn : NULL));
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
static const char *const ec2_verbs[] = { "Create", "Run", "Allocate",
	"Copy", "Import", "Register", NULL };

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

#define NKINDS	(sizeof(ec2_kinds) / sizeof(ec2_kinds[0]))
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
add_unique(json_t *ids, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (streq(json_string_value(v), id))
			return FX_OK;
	if (json_array_size(ids) >= EV_MAX_IDS)
		return FX_OK;
	return json_array_append_new(ids, json_string(id)) == 0 ? FX_OK :
	    FX_ENOMEM;
}

/* the ids of the kinds in mask anywhere in v, depth-bounded */
static fx_err
collect_ids(const json_t *v, unsigned long mask, int depth, json_t *ids)
{
	const char *key;
	const json_t *c;
	size_t i;
	fx_err rc = FX_OK;

	if (depth > EV_MAX_DEPTH)
		goto out;
	json_array_foreach(v, i, c)
		if ((rc = collect_ids(c, mask, depth + 1, ids)) != FX_OK)
			goto out;
	json_object_foreach((json_t *)v, key, c) {
		if (wanted(key, c, mask) &&
		    (rc = add_unique(ids, json_string_value(c))) != FX_OK)
			goto out;
		if ((json_is_object(c) || json_is_array(c)) &&
		    (rc = collect_ids(c, mask, depth + 1, ids)) != FX_OK)
			goto out;
	}
out:
	return rc;
}

static fx_err
act_created_ec2(const struct ev_info *info, const json_t *d, json_t *out)
{
	unsigned long mask;
	json_t *ids = NULL;
	fx_err rc = FX_OK;

	if (!streq(info->event_source, "ec2.amazonaws.com") ||
	    (mask = ec2_created_kinds(info->event_name)) == 0)
		goto out;
	rc = FX_ENOMEM;
	if ((ids = json_array()) == NULL)
		goto out;
	rc = collect_ids(json_object_get(d, "responseElements"), mask, 0, ids);
	if (rc == FX_OK && json_array_size(ids) > 0)
		rc = append(out, json_pack("{s:s, s:s, s:O}", "kind",
		    "created", "service", "ec2", "ids", ids));
out:
	json_decref(ids);
	return rc;
}

static const char *const rds_arn_keys[] = { "dBInstanceArn", "dBClusterArn",
	"dBSnapshotArn", "dBClusterSnapshotArn", "dBSubnetGroupArn",
	"dBParameterGroupArn", "dBClusterParameterGroupArn", "optionGroupArn",
	"eventSubscriptionArn", "globalClusterArn", NULL };

static fx_err
act_created_rds(const struct ev_info *info, const json_t *d, json_t *out)
{
	const json_t *re = json_object_get(d, "responseElements");
	const char *arn = NULL;
	size_t i;
	fx_err rc = FX_OK;

	if (!streq(info->event_source, "rds.amazonaws.com") ||
	    (strncmp(info->event_name, "Create", 6) != 0 &&
	    strncmp(info->event_name, "Restore", 7) != 0))
		goto out;
	for (i = 0; rds_arn_keys[i] != NULL; i++)
		if (arn_ok(arn = jstr(re, rds_arn_keys[i])) &&
		    strstr(arn, ":rds:") != NULL)
			break;
	if (rds_arn_keys[i] != NULL)
		rc = append(out, json_pack("{s:s, s:s, s:s}", "kind",
		    "created", "service", "rds", "arn", arn));
out:
	return rc;
}

fx_err
ev_actions(const struct ev_info *info, const json_t *event, json_t *out)
{
	const json_t *d = json_object_get(event, "detail");
	fx_err rc = FX_EINVAL;

	if (!json_is_array(out) || !json_is_object(d) ||
	    info->event_source == NULL || info->event_name == NULL)
		goto out;
	rc = FX_OK;
	if (present(d, "errorCode"))
		goto out;
	if ((rc = act_dangling(info, d, out)) != FX_OK ||
	    info->verdict != EV_MANUAL)
		goto out;
	if ((rc = act_launch(info, d, out)) == FX_OK &&
	    (rc = act_new_user(info, d, out)) == FX_OK &&
	    (rc = act_created_ec2(info, d, out)) == FX_OK)
		rc = act_created_rds(info, d, out);
out:
	return rc;
}

/* ----- tags ----- */

int
ev_is_email(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;

	return chars_ok(s, 3, EV_MAX_EMAIL, C_WORD, "") && at != NULL &&
	    at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

static int
slack_id_ok(const char *s)
{
	return s != NULL && (s[0] == 'U' || s[0] == 'W') &&
	    chars_ok(s, 2, EV_MAX_SLACK_ID, C_UPPER | C_DIGIT, "");
}

static fx_err
set_owner(json_t *item, const json_t *tags, const char *owner_tag)
{
	const char *v = owner_tag ? jstr(tags, owner_tag) : NULL;
	fx_err rc = FX_OK;

	if (!ev_is_email(v) && !slack_id_ok(v))
		v = jstr(tags, "fixit:creator");
	if (!ev_is_email(v) && !slack_id_ok(v))
		goto out;
	if (json_object_set_new(item, ev_is_email(v) ? "owner_email" :
	    "owner_slack_id", json_string(v)) != 0)
		rc = FX_ENOMEM;
out:
	return rc;
}

/* tags[key] is a clean value and "key=value" fits */
static int
iac_ok(const json_t *tags, const char *key)
{
	const char *v = jstr(tags, key);

	return chars_ok(key, 1, EV_MAX_IAC, C_TEXT, "") &&
	    chars_ok(v, 1, EV_MAX_IAC, C_TEXT, "") &&
	    strlen(key) + 1 + strlen(v) <= EV_MAX_IAC;
}

static fx_err
set_iac(json_t *item, const json_t *tags, const char *const *iac_tags)
{
	const char *key = "aws:cloudformation:stack-name";
	struct buf b;
	json_t *details;
	size_t i;
	fx_err rc = FX_OK;

	buf_init(&b, EV_MAX_IAC);
	for (i = 0; key != NULL && !iac_ok(tags, key); i++)
		key = iac_tags ? iac_tags[i] : NULL;
	if (key == NULL)
		goto out;
	if ((rc = buf_addf(&b, "%s=%s", key, jstr(tags, key))) != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	details = json_object_get(item, "details");
	if ((details == NULL || json_is_null(details)) &&
	    ((details = json_object()) == NULL ||
	    json_object_set_new(item, "details", details) != 0))
		goto out;
	rc = FX_EINVAL;
	if (!json_is_object(details))
		goto out;
	rc = json_object_set_new(details, "iac_owner",
	    json_string(buf_str(&b))) == 0 ? FX_OK : FX_ENOMEM;
out:
	buf_release(&b);
	return rc;
}

fx_err
ev_apply_tags(json_t *item, const json_t *tags, const char *owner_tag,
    const char *const *iac_tags)
{
	fx_err rc = FX_EINVAL;

	if (!json_is_object(item) ||
	    (tags != NULL && !json_is_null(tags) && !json_is_object(tags)))
		goto out;
	rc = FX_OK;
	if (!json_is_object(tags))
		goto out;
	if ((rc = set_owner(item, tags, owner_tag)) != FX_OK)
		goto out;
	rc = set_iac(item, tags, iac_tags);
out:
	return rc;
}
