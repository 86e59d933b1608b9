/*
 * test_aws_xml.c - AWS XML to JSON conversion, AWS error recognition and
 * the aws_j_* accessors, against every canned answer in
 * tests/data/responses/ and against hostile input.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "aws_xml.h"
#include "fxlimits.h"
#include "testhelp.h"
#include "banned.h"

#define RESP_DIR "responses"
#define MAX_FILE (1024 * 1024)

typedef void (*check_fn)(const json_t *j, const char *data, size_t len);

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = malloc(MAX_FILE + 1);

	*len = 0;
	if (f != NULL && p != NULL)
		*len = fread(p, 1, MAX_FILE + 1, f);
	if (f != NULL)
		fclose(f);
	if (p == NULL || *len == 0 || *len > MAX_FILE) {
		free(p);
		return NULL;
	}
	p[*len] = '\0';
	return p;
}

static fx_err
to_json(const char *s, const char *const *tags, json_t **out)
{
	return aws_xml_to_json(s, strlen(s), tags, out);
}

static fx_err
err_parse(const char *s, struct aws_error *e)
{
	return aws_error_parse(s, strlen(s), e);
}

/*
 * Expected values, one section per file (FILE_ rows). path is
 * "/"-separated, a number indexes a list (the walker is the test's own;
 * object steps go through aws_j_get); "!code", "!message", "!request_id"
 * are aws_error_parse's fields. want is the string, "#n" a list of n
 * (n == 0: aws_j_list finds no list), or NULL: absent.
 */
struct expect {
	const char *path;
	const char *want;
};
#define FILE_(name)                                                            \
	{                                                                      \
		NULL, name                                                     \
	}

#define EC2_OK(op, file)                                                       \
	FILE_(file), { op "Response/return", "true" },                         \
	{                                                                      \
		op "Response/requestId",                                       \
		    "59dbff89-35bd-4eac-99ed-be587EXAMPLE"                     \
	}
#define DI  "DescribeInstancesResponse/reservationSet/0/"
#define DII DI "instancesSet/0/"
#define DV  "DescribeVolumesResponse/volumeSet/0/"
#define DA  "DescribeAddressesResponse/addressesSet/"
#define MO  "ModifyInstanceMetadataOptionsResponse/"
#define PV                                                                     \
	"CreatePolicyVersionResponse/CreatePolicyVersionResult/"               \
	"PolicyVersion/"
#define LA                                                                     \
	"GetServiceLastAccessedDetailsResponse/"                               \
	"GetServiceLastAccessedDetailsResult/"
#define AR "AssumeRoleResponse/AssumeRoleResult/"
#define CI "GetCallerIdentityResponse/GetCallerIdentityResult/"
#define MS "GetMetricStatisticsResponse/GetMetricStatisticsResult/"
#define DB                                                                     \
	"DescribeDBInstancesResponse/DescribeDBInstancesResult/"               \
	"DBInstances/"
#define CS "CreateDBSnapshotResponse/CreateDBSnapshotResult/DBSnapshot/"
#define DD "DeleteDBInstanceResponse/DeleteDBInstanceResult/DBInstance/"
#define HZ "ListHostedZonesResponse/HostedZones/"
#define RR "ListResourceRecordSetsResponse/"
#define RS RR "ResourceRecordSets/"
#define DL "DistributionList/"
#define DS DL "Items/0/"

static const struct expect expects[] = { EC2_OK("CreateTags",
					     "ec2-create-tags.xml"),
	EC2_OK("DeleteVolume", "ec2-delete-volume.xml"),
	EC2_OK("ModifyInstanceAttribute", "ec2-modify-instance-attribute.xml"),
	EC2_OK("ReleaseAddress", "ec2-release-address.xml"),
	FILE_("ec2-describe-instances-imds.xml"),
	{ "DescribeInstancesResponse/requestId",
	    "8f7724cf-496f-496e-8fe3-example" },
	{ "DescribeInstancesResponse/reservationSet", "#1" },
	{ DI "reservationId", "r-1234567890abcdef0" }, { DI "groupSet", "" },
	{ DI "groupSet", "#0" }, { DI "instancesSet", "#1" },
	{ DII "instanceId", "i-1234567890abcdef0" },
	{ DII "instanceState/name", "running" },
	{ DII "placement/availabilityZone", "us-east-2a" },
	{ DII "metadataOptions/httpTokens", "optional" },
	{ DII "metadataOptions/httpEndpoint", "enabled" },
	{ DII "metadataOptions/httpPutResponseHopLimit", "1" },
	{ DII "iamInstanceProfile/arn",
	    "arn:aws:iam::123456789012:instance-profile/app-profile" },
	{ DII "groupSet/0/groupId", "sg-903004f8" }, { DII "tagSet", "#1" },
	{ DII "tagSet/0/key", "Name" }, { DII "tagSet/0/value", "my-instance" },
	FILE_("ec2-describe-volumes-available.xml"),
	{ "DescribeVolumesResponse/volumeSet", "#1" },
	{ DV "volumeId", "vol-049df61146c4d7901" },
	{ DV "status", "available" }, { DV "availabilityZone", "us-east-1a" },
	{ DV "size", "8" }, { DV "volumeType", "gp2" },
	{ DV "snapshotId", "snap-1234567890abcdef0" },
	{ DV "encrypted", "false" }, { DV "attachmentSet", "#0" },
	{ DV "tagSet", "#1" }, { DV "tagSet/0/key", "Name" },
	{ DV "tagSet/0/value", "old-data" },
	FILE_("ec2-describe-addresses.xml"),
	{ "DescribeAddressesResponse/addressesSet", "#2" },
	{ DA "0/allocationId", "eipalloc-12345678" },
	{ DA "0/publicIp", "203.0.113.0" },
	{ DA "0/associationId", "eipassoc-12345678" },
	{ DA "0/instanceId", "i-1234567890abcdef0" }, { DA "0/domain", "vpc" },
	{ DA "1/allocationId", "eipalloc-64d5890a" },
	{ DA "1/publicIp", "198.51.100.0" },
	{ DA "1/associationId", NULL }, /* not associated */
	FILE_("ec2-create-snapshot.xml"),
	{ "CreateSnapshotResponse/snapshotId", "snap-066877671789bd71b" },
	{ "CreateSnapshotResponse/volumeId", "vol-049df61146c4d7901" },
	{ "CreateSnapshotResponse/status", "pending" },
	{ "CreateSnapshotResponse/progress", "" },
	FILE_("ec2-create-security-group.xml"),
	{ "CreateSecurityGroupResponse/groupId", "sg-903004f8" },
	{ "CreateSecurityGroupResponse/return", "true" },
	FILE_("ec2-modify-instance-metadata-options.xml"),
	{ MO "instanceId", "i-09230890c28a6df75" },
	{ MO "instanceMetadataOptions/httpTokens", "required" },
	{ MO "instanceMetadataOptions/state", "pending" },
	{ MO "instanceMetadataOptions/httpProtocolIpv4", "enabled" },
	FILE_("error-ec2-describe-instances.xml"),
	{ "Response/Errors/Error/Code", "InvalidInstanceID.Malformed" },
	{ "!code", "InvalidInstanceID.Malformed" },
	{ "!message", "Invalid id: \"foobar\"" },
	{ "!request_id", "dfb14b43-9a55-4d8e-b676-e8034d12bbeb" },
	FILE_("error-iam-get-user.xml"), { "!code", "NoSuchEntity" },
	{ "!message", "The user with name foobar cannot be found." },
	{ "!request_id", "358299bb-b7f8-11e2-8d39-e3a125f625ee" },
	FILE_("error-route53-get-hosted-zone.xml"), { "!code", "InvalidInput" },
	{ "!message", "Invalid resource type: foo" },
	{ "!request_id", "request_id" }, FILE_("iam-attach-role-policy.xml"),
	{ "AttachRolePolicyResponse/ResponseMetadata/RequestId",
	    "37a87673-3d07-11e4-bfad-8d1c6EXAMPLE" },
	FILE_("iam-create-policy-version.xml"), { PV "VersionId", "v2" },
	{ PV "IsDefaultVersion", "true" },
	FILE_("iam-generate-service-last-accessed-details.xml"),
	{ "GenerateServiceLastAccessedDetailsResponse/"
	  "GenerateServiceLastAccessedDetailsResult/JobId",
	    "examplef-1305-c245-eba4-71fe298bcda7" },
	FILE_("iam-get-service-last-accessed-details.xml"),
	{ LA "JobStatus", "COMPLETED" }, { LA "IsTruncated", "false" },
	{ LA "ServicesLastAccessed", "#2" },
	{ LA "ServicesLastAccessed/0/ServiceNamespace", "iam" },
	{ LA "ServicesLastAccessed/0/LastAuthenticated",
	    "2018-10-24T19:11:00Z" },
	{ LA "ServicesLastAccessed/1/ServiceNamespace", "s3" },
	{ LA "ServicesLastAccessed/1/LastAuthenticated", NULL },
	FILE_("sts-assume-role.xml"),
	{ AR "Credentials/AccessKeyId", "ASIAIOSFODNN7EXAMPLE" },
	{ AR "Credentials/SecretAccessKey",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY" },
	{ AR "Credentials/Expiration", "2019-11-09T13:34:41Z" },
	{ AR "AssumedRoleUser/Arn",
	    "arn:aws:sts::123456789012:assumed-role/demo/John" },
	FILE_("sts-get-caller-identity.xml"), { CI "Account", "123456789012" },
	{ CI "Arn", "arn:aws:sts::123456789012:assumed-role/my-role-name/"
		    "my-role-session-name" },
	FILE_("cloudwatch-get-metric-statistics.xml"),
	{ MS "Label", "DatabaseConnections" }, { MS "Datapoints", "#2" },
	{ MS "Datapoints/0/Timestamp", "2024-04-30T12:00:00Z" },
	{ MS "Datapoints/0/Maximum", "0.0" },
	{ MS "Datapoints/1/Average", "0.0" },
	{ MS "Datapoints/1/Unit", "Count" },
	FILE_("rds-describe-db-instances.xml"), { DB, "#1" },
	{ DB "0/DBInstanceIdentifier", "mymysqlinstance" },
	{ DB "0/DBInstanceStatus", "available" }, { DB "0/Engine", "mysql" },
	{ DB "0/Endpoint/Address",
	    "mymysqlinstance.cdgmuqiadpid.us-east-1.rds.amazonaws.com" },
	{ DB "0/Endpoint/Port", "3306" },
	{ DB "0/PubliclyAccessible", "false" },
	{ DB "0/DeletionProtection", "false" },
	{ DB "0/DBInstanceArn",
	    "arn:aws:rds:us-east-1:123456789012:db:mymysqlinstance" },
	{ DB "0/TagList", "#1" }, { DB "0/TagList/0/Key", "owner" },
	{ DB "0/TagList/0/Value", "team-a" },
	FILE_("rds-create-db-snapshot.xml"),
	{ CS "DBSnapshotIdentifier", "mydbsnapshot" },
	{ CS "Status", "creating" }, FILE_("rds-delete-db-instance.xml"),
	{ DD "DBInstanceIdentifier", "mymysqlinstance" },
	{ DD "DBInstanceStatus", "deleting" },
	FILE_("route53-change-resource-record-sets.xml"),
	{ "ChangeResourceRecordSetsResponse/ChangeInfo/Status", "PENDING" },
	{ "ChangeResourceRecordSetsResponse/ChangeInfo/Id",
	    "/change/C2682N5HXP0BZ4" },
	FILE_("route53-list-hosted-zones.xml"), { HZ, "#2" },
	{ HZ "0/Id", "/hostedzone/Z1D633PJN98FT9" },
	{ HZ "0/Name", "example.com." }, { HZ "0/Config/PrivateZone", "false" },
	{ HZ "1/Name", "example.net." },
	{ "ListHostedZonesResponse/IsTruncated", "false" },
	FILE_("route53-list-resource-record-sets.xml"), { RS, "#4" },
	{ RS "0/Type", "NS" }, { RS "0/ResourceRecords", "#2" },
	{ RS "0/ResourceRecords/1/Value", "ns-2049.awsdns-65.net." },
	{ RS "1/Type", "SOA" }, { RS "1/ResourceRecords", "#1" },
	{ RS "2/AliasTarget/DNSName",
	    "dualstack.my-load-balancer-1234567890.us-east-1.elb."
	    "amazonaws.com." },
	{ RS "2/ResourceRecords", NULL }, { RS "3/Name", "www.example.com." },
	{ RS "3/TTL", "300" },
	{ RS "3/ResourceRecords/0/Value",
	    "www.example.com.s3-website-us-east-1.amazonaws.com" },
	{ RR "IsTruncated", "true" },
	{ RR "NextRecordName", "www2.example.com." },
	FILE_("cloudfront-list-distributions.xml"), { DL "Items", "#1" },
	{ DL "Marker", "" }, { DL "IsTruncated", "false" },
	{ DS "Id", "EDFDVBD6EXAMPLE" }, { DS "Status", "Deployed" },
	{ DS "Enabled", "true" },
	{ DS "DomainName", "d111111abcdef8.cloudfront.net" },
	{ DS "Origins/Items", "#1" },
	{ DS "Origins/Items/0/DomainName", "myawsbucket.s3.amazonaws.com" },
	{ DS "Origins/Items/0/Id", "example-Amazon S3-origin" },
	{ DS "Origins/Items/0/S3OriginConfig/OriginAccessIdentity", "" },
	{ DS "Aliases/Items/0", "www.example.com" },
	FILE_("cloudtrail-lookup-events.json"),
	{ "Events/0/EventName", "AttachVolume" },
	{ "Events/0/Resources/0/ResourceName", "vol-049df61146c4d7901" },
	{ "NextToken",
	    "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSq"
	    "g66b5YGssKutDYIyII4lrP4IDbeQdiObkp9YAlju3oXd12juy3CIZW8=" },
	FILE_(NULL) };

static const json_t *
walk(const json_t *v, const char *path)
{
	char seg[128];
	size_t n;

	while (v != NULL && *path != '\0') {
		n = strcspn(path, "/");
		if (n == 0 || n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		if (json_is_array(v) && strspn(seg, "0123456789") == n)
			v = json_array_get(v, strtoul(seg, NULL, 10));
		else
			v = aws_j_get(v, seg);
		path += n;
		if (*path == '/')
			path++;
	}
	return v;
}

static int
expect_one(const struct expect *x, const json_t *j, const struct aws_error *e)
{
	const json_t *v = walk(j, x->path);
	const char *s = aws_j_str(v, "");

	if (strcmp(x->path, "!code") == 0)
		s = e->code;
	else if (strcmp(x->path, "!message") == 0)
		s = e->message;
	else if (strcmp(x->path, "!request_id") == 0)
		s = e->request_id;
	if (x->want == NULL)
		return v == NULL;
	if (strcmp(x->want, "#0") == 0)
		return aws_j_list(v, "") == NULL &&
		       json_array_size(aws_j_list(v, "")) == 0;
	if (x->want[0] == '#')
		return aws_j_list(v, "") != NULL &&
		       json_array_size(v) == strtoul(x->want + 1, NULL, 10);
	return s != NULL && strcmp(s, x->want) == 0;
}

/* the rows of file's section; how many there were */
static int
expect_all(const char *file, const json_t *j, const char *d, size_t n)
{
	const struct expect *x;
	struct aws_error e;
	int in = 0, rows = 0, ok;

	if (aws_error_parse(d, n, &e) != FX_OK)
		memset(&e, 0, sizeof(e));
	for (x = expects; x->path != NULL || x->want != NULL; x++) {
		if (x->path == NULL) {
			in = strcmp(x->want, file) == 0;
			continue;
		}
		if (!in)
			continue;
		rows++;
		if (!(ok = expect_one(x, j, &e)))
			printf("  %s: %s: want %s\n", file, x->path,
			    x->want ? x->want : "(absent)");
		CHECK(ok);
	}
	return rows;
}

/* --- special checks ------------------------------------------------------- */

static void
ck_sts_assume(const json_t *j, const char *d, size_t n)
{
	const char *tok = aws_j_str(j, AR "Credentials/SessionToken");

	CHECK(tok != NULL &&
	      strncmp(tok, "AQoDYXdzEPT//////////wEXAMPLE", 29) == 0 &&
	      strlen(tok) == 336);
}

/* without its list tags RDS's list is no list */
static void
ck_rds_describe(const json_t *j, const char *d, size_t n)
{
	json_t *plain = NULL;

	CHECK_INT(aws_xml_to_json(d, n, NULL, &plain), FX_OK);
	CHECK(aws_j_list(plain, DB) == NULL);
	CHECK_STR(aws_j_str(plain, DB "DBInstance/Engine"), "mysql");
	json_decref(plain);
}

/* a lone struct child named like a list tag inside an operation
 * wrapper (...Result) stays a struct: one tag list serves the service */
static void
ck_rds_snapshot(const json_t *j, const char *d, size_t n)
{
	static const char *const tags[] = { "DBSnapshot", NULL };
	json_t *v = NULL;

	CHECK_INT(aws_xml_to_json(d, n, tags, &v), FX_OK);
	CHECK(aws_j_list(v,
		  "CreateDBSnapshotResponse/CreateDBSnapshotResult") == NULL);
	CHECK_STR(aws_j_str(v,
		      "CreateDBSnapshotResponse/"
		      "CreateDBSnapshotResult/DBSnapshot/DBSnapshotIdentifier"),
	    "mydbsnapshot");
	json_decref(v);
}

/* CloudTrailEvent is a JSON document inside a string */
static void
ck_cloudtrail(const json_t *j, const char *d, size_t n)
{
	const json_t *ev = walk(j, "Events/0");
	const char *ct = aws_j_str(ev, "CloudTrailEvent");
	json_t *inner = ct ? json_loads(ct, 0, NULL) : NULL;

	CHECK(json_is_number(aws_j_get(ev, "EventTime")));
	CHECK(inner != NULL);
	CHECK_STR(aws_j_str(inner, "requestParameters/volumeId"),
	    "vol-049df61146c4d7901");
	CHECK_STR(aws_j_str(inner, "userIdentity/arn"),
	    "arn:aws:iam::123456789012:user/Alice");
	json_decref(inner);
}

/* list_tags (and extra checks) per file; files not here: NULL */
static const char *const tags_rds_describe[] = { "DBInstance", "Tag", NULL };
static const char *const tags_r53_zones[] = { "HostedZone", NULL };
static const char *const tags_r53_records[] = { "ResourceRecordSet",
	"ResourceRecord", NULL };
static const char *const tags_cloudfront[] = { "DistributionSummary", "Origin",
	"CNAME", NULL };

static const struct rcase {
	const char *name;
	const char *const *tags;
	check_fn check;
} cases[] = {
	{ "cloudfront-list-distributions.xml", tags_cloudfront, NULL },
	{ "cloudtrail-lookup-events.json", NULL, ck_cloudtrail },
	{ "rds-create-db-snapshot.xml", NULL, ck_rds_snapshot },
	{ "rds-describe-db-instances.xml", tags_rds_describe, ck_rds_describe },
	{ "route53-list-hosted-zones.xml", tags_r53_zones, NULL },
	{ "route53-list-resource-record-sets.xml", tags_r53_records, NULL },
	{ "sts-assume-role.xml", NULL, ck_sts_assume },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

/*
 * one response file: parse, error recognition, truncation, its checks;
 * 1 when it had rows in expects[]
 */
static int
one_file(const char *path, const char *name, const struct rcase *c)
{
	struct aws_error e;
	json_t *j = NULL, *t = NULL;
	char *d;
	size_t n;
	int is_err = strncmp(name, "error-", 6) == 0, rows = 0;

	CHECK((d = read_all(path, &n)) != NULL && n > 0);
	if (d == NULL)
		return 0;
	if (has_suffix(name, ".json")) {
		CHECK((j = json_loadb(d, n, 0, NULL)) != NULL);
		CHECK_INT(aws_error_parse(d, n, &e), FX_EINVAL);
		CHECK_STR(e.code, "");
	} else {
		CHECK_INT(aws_xml_to_json(d, n, c ? c->tags : NULL, &j), FX_OK);
		CHECK_INT(json_object_size(j), 1);
		CHECK_INT(aws_error_parse(d, n, &e) == FX_OK, is_err);
		/* every answer cut short is rejected */
		CHECK_INT(aws_xml_to_json(d, n / 2, NULL, &t), FX_EINVAL);
		CHECK(t == NULL);
		CHECK_INT(aws_xml_to_json(d, n - 3, NULL, &t), FX_EINVAL);
		CHECK_INT(aws_error_parse(d, n / 2, &e), FX_EINVAL);
	}
	if (j != NULL && (rows = expect_all(name, j, d, n)) == 0)
		printf("  note: %s has no value checks\n", name);
	if (j != NULL && c != NULL && c->check != NULL)
		c->check(j, d, n);
	json_decref(j);
	free(d);
	return rows > 0;
}

static void
test_responses(void)
{
	char path[8192], dir[4096];
	struct dirent *de;
	DIR *dp;
	size_t i, nfiles = 0, ncases = 0, nsect = 0, nchecked = 0;
	int c;

	th_data_path(dir, sizeof(dir), RESP_DIR);
	CHECK((dp = opendir(dir)) != NULL);
	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (!has_suffix(de->d_name, ".xml") &&
		    !has_suffix(de->d_name, ".json"))
			continue;
		nfiles++;
		for (c = -1, i = 0; i < NCASES; i++)
			if (strcmp(cases[i].name, de->d_name) == 0)
				c = (int)i;
		ncases += c >= 0;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		nchecked +=
		    one_file(path, de->d_name, c >= 0 ? &cases[c] : NULL);
	}
	closedir(dp);
	printf("  %zu response files\n", nfiles);
	CHECK(nfiles >= 28);
	CHECK_INT(ncases, NCASES);
	for (i = 0; expects[i].path != NULL || expects[i].want != NULL; i++)
		nsect += expects[i].path == NULL;
	CHECK_INT(nchecked, nsect); /* no section for a missing file */
}

/* --- hostile and odd input --------------------------------------------- */

static const char laughs[] =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n<lolz><a>&lol9;</a></lolz>\n";

static const char *const bad_docs[] = { "", " \n", "<", "x", "<a><b></a>",
	"<a>", "<a></b>", "<a/><b/>", "<a>\xff\xfe</a>", "<r>&x;</r>",
	"<?xml version=\"1.0\"?>", "<!-- nothing -->", "{\"a\":1}",
	"<a>\x01</a>", laughs,
	"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
	"\"file:///etc/passwd\">]><r><a>&x;</a></r>",
	"<!DOCTYPE ErrorResponse [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	"<ErrorResponse><Error><Code>&x;</Code><Message>m</Message>"
	"</Error><RequestId>1</RequestId></ErrorResponse>",
	"<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><r/>",
	"<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><r>&x;</r>",
	"<!DOCTYPE r><r><a>1</a></r>", NULL };

/* "<a>" depth times, then "x", then the closing tags */
static char *
nest(int depth)
{
	size_t n = (size_t)depth * 7 + 2, o = 0;
	char *p = malloc(n);
	int i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < depth; i++, o += 3)
		memcpy(p + o, "<a>", 3);
	p[o++] = 'x';
	for (i = 0; i < depth; i++, o += 4)
		memcpy(p + o, "</a>", 4);
	p[o] = '\0';
	return p;
}

static void
test_bad_input(void)
{
	struct aws_error e;
	json_t *j;
	char *p;
	size_t i;

	for (i = 0; bad_docs[i] != NULL; i++) {
		j = (json_t *)1;
		CHECK_INT(to_json(bad_docs[i], NULL, &j), FX_EINVAL);
		CHECK(j == NULL);
		CHECK_INT(err_parse(bad_docs[i], &e), FX_EINVAL);
		CHECK_STR(e.code, "");
	}
	CHECK_INT(aws_xml_to_json(NULL, 0, NULL, &j), FX_EINVAL);
	CHECK_INT(aws_xml_to_json("<a>\0</a>", 8, NULL, &j), FX_EINVAL);
	CHECK_INT(aws_error_parse(NULL, 0, &e), FX_EINVAL);
	CHECK_INT(aws_error_parse("<a/>", 4, NULL), FX_EINVAL);
	p = nest(FX_MAX_XML_DEPTH);
	CHECK_INT(to_json(p, NULL, &j), FX_OK);
	json_decref(j);
	free(p);
	p = nest(FX_MAX_XML_DEPTH + 1);
	CHECK_INT(to_json(p, NULL, &j), FX_EINVAL);
	free(p);
	p = nest(100000);
	CHECK_INT(to_json(p, NULL, &j), FX_EINVAL);
	CHECK_INT(err_parse(p, &e), FX_EINVAL);
	free(p);
}

static void
test_size_cap(void)
{
	size_t n = FX_MAX_AWS_RESPONSE;
	struct aws_error e;
	json_t *j = NULL;
	char *p = malloc(n + 1);

	CHECK(p != NULL);
	if (p == NULL)
		return;
	memset(p, 'a', n + 1);
	memcpy(p, "<r>", 3);
	memcpy(p + n - 4, "</r>", 4);
	CHECK_INT(aws_xml_to_json(p, n, NULL, &j), FX_OK);
	CHECK_INT(json_string_length(aws_j_get(j, "r")), n - 7);
	json_decref(j);
	memcpy(p + n - 3, "</r>", 4);
	CHECK_INT(aws_xml_to_json(p, n + 1, NULL, &j), FX_ETOOBIG);
	CHECK(j == NULL);
	CHECK_INT(aws_error_parse(p, n + 1, &e), FX_EINVAL);
	free(p);
}

static int user_errs;

static void
user_handler(void *ctx, xmlErrorPtr err)
{
	(void)err;
	(*(int *)ctx)++;
}

/* libxml2 says nothing on stderr and leaves the thread's handler alone */
static void
test_quiet(void)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	json_t *j;

	CHECK(tmp != NULL && saved >= 0);
	if (tmp == NULL || saved < 0)
		return;
	fflush(stderr);
	dup2(fileno(tmp), 2);
	test_bad_input();
	xmlSetStructuredErrorFunc(&user_errs, user_handler);
	CHECK_INT(to_json("<a><b></a>", NULL, &j), FX_EINVAL);
	CHECK_INT(to_json(laughs, NULL, &j), FX_EINVAL);
	CHECK(xmlStructuredError == user_handler);
	CHECK(xmlStructuredErrorContext == &user_errs);
	xmlSetStructuredErrorFunc(NULL, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CHECK_INT(user_errs, 0);
	fseek(tmp, 0, SEEK_END);
	CHECK_INT(ftell(tmp), 0);
	fclose(tmp);
}

static void
test_errors(void)
{
	struct aws_error e;
	char big[1400];
	size_t i;

	CHECK_INT(
	    err_parse(
		"{\"__type\":\"com.amazonaws.cloudtrail.v20131101"
		"#InvalidLookupAttributesException\",\"message\":\"bad\\nattr"
		"\\u0007x\\u0085y\"}",
		&e),
	    FX_OK);
	CHECK_STR(e.code, "InvalidLookupAttributesException");
	CHECK_STR(e.message, "bad attr x y");
	CHECK_STR(e.request_id, "");
	CHECK_INT(err_parse(" {\"__type\":\"ThrottlingException\","
			    "\"Message\":\"Rate exceeded\"}",
		      &e),
	    FX_OK);
	CHECK_STR(e.code, "ThrottlingException");
	CHECK_STR(e.message, "Rate exceeded");
	CHECK_INT(err_parse("{\"__type\":\"aws.x#FooError:http://internal."
			    "amazon.com/coral/x/\"}",
		      &e),
	    FX_OK);
	CHECK_STR(e.code, "FooError");
	CHECK_STR(e.message, "");
	CHECK_INT(err_parse("{\"__type\":\"\"}", &e), FX_EINVAL);
	CHECK_INT(err_parse("{\"__type\":\"a.b#\"}", &e), FX_EINVAL);
	CHECK_INT(err_parse("{\"__type\":7}", &e), FX_EINVAL);
	CHECK_INT(err_parse("{\"message\":\"x\"}", &e), FX_EINVAL);
	CHECK_INT(err_parse("{\"__type\":\"X\"", &e), FX_EINVAL);
	CHECK_INT(
	    err_parse(
		"<ErrorResponse><Error><Code>Bad&#10;Code</Code>"
		"<Message>l1&#10;l2&#13;&#9;t&#x7f;d&#x85;n \xc3\xa9</Message>"
		"</Error><RequestId>r-1</RequestId></ErrorResponse>",
		&e),
	    FX_OK);
	CHECK_STR(e.code, "Bad Code");
	CHECK_STR(e.message, "l1 l2  t d n \xc3\xa9");
	CHECK_STR(e.request_id, "r-1");
	/* long text: truncated, never inside a UTF-8 sequence */
	memcpy(big, "<Response><Errors><Error><Code>", 31);
	for (i = 31; i < 31 + 600 * 2; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	snprintf(big + i, sizeof(big) - i,
	    "</Code></Error><Error><Code>2"
	    "</Code></Error></Errors></Response>");
	CHECK_INT(err_parse(big, &e), FX_OK);
	CHECK_INT(strlen(e.code), 126);
	CHECK(memcmp(e.code + 124, "\xc3\xa9", 3) == 0);
	CHECK_STR(e.message, "");
	CHECK_STR(e.request_id, "");
	CHECK_INT(
	    err_parse(
		"<InvalidChangeBatch xmlns=\"https://route53."
		"amazonaws.com/doc/2013-04-01/\"><Messages><Message>Tried to "
		"delete resource record set [name='a.example.com.', type='CNAME']"
		" but it was not found</Message></Messages><RequestId>b25f48e8"
		"</RequestId></InvalidChangeBatch>",
		&e),
	    FX_OK);
	CHECK_STR(e.code, "InvalidChangeBatch");
	CHECK(strncmp(e.message, "Tried to delete resource", 24) == 0);
	CHECK_STR(e.request_id, "b25f48e8");
	CHECK_INT(err_parse("<ErrorResponse><Error/></ErrorResponse>", &e),
	    FX_EINVAL);
	CHECK_INT(err_parse("<CreateTagsResponse><return>true</return>"
			    "</CreateTagsResponse>",
		      &e),
	    FX_EINVAL);
}

static void
test_conversion(void)
{
	static const char *const tags[] = { "L", NULL };
	const char *doc =
	    "<?xml version=\"1.0\"?>"
	    "<p:r xmlns:p=\"urn:x\" k=\"v\">"
	    "<xSet><item>a</item></xSet><ySet/><m><member><k>1</k></member>"
	    "<member><k>2</k></member></m><Ls><L>1</L></Ls>"
	    "<Ls2><L>x</L><O>y</O></Ls2><a>1</a><a>2</a>"
	    "<!-- c --><?pi x?><p:c at=\"1\"><![CDATA[x<y]]> &amp; &#65;</p:c>"
	    "<mix>text<b>1</b>tail</mix><sp>  s  </sp><n>1.50</n></p:r>";
	json_t *j = NULL, *k = NULL;

	CHECK_INT(to_json(doc, tags, &j), FX_OK);
	CHECK(json_is_array(aws_j_get(j, "r/xSet")));
	CHECK_INT(json_array_size(aws_j_list(j, "r/xSet")), 1);
	CHECK_STR(aws_j_str(walk(j, "r/xSet/0"), ""), "a");
	CHECK_STR(aws_j_str(j, "r/ySet"), ""); /* empty list wrapper */
	CHECK(aws_j_list(j, "r/ySet") == NULL);
	CHECK_INT(json_array_size(aws_j_list(j, "r/ySet")), 0);
	CHECK_INT(json_array_size(aws_j_list(j, "r/m")), 2);
	CHECK_STR(aws_j_str(walk(j, "r/m/1"), "k"), "2");
	CHECK_STR(aws_j_str(walk(j, "r/Ls/0"), ""), "1");
	CHECK_STR(aws_j_str(j, "r/Ls2/L"), "x");
	CHECK_STR(aws_j_str(j, "r/a"), "1");
	CHECK_STR(aws_j_str(j, "r/c"), "x<y & A");
	CHECK_STR(aws_j_str(j, "r/mix/b"), "1");
	CHECK_STR(aws_j_str(j, "r/sp"), "  s  ");
	CHECK_STR(aws_j_str(j, "r/n"), "1.50");
	CHECK(aws_j_get(j, "r/k") == NULL && aws_j_get(j, "r/at") == NULL);
	CHECK_INT(to_json(doc, NULL, &k), FX_OK);
	CHECK_STR(aws_j_str(k, "r/Ls/L"), "1");
	json_decref(k);
	/* accessors */
	CHECK(aws_j_get(j, "") == j);
	CHECK(aws_j_get(NULL, "r") == NULL && aws_j_get(j, NULL) == NULL);
	CHECK(aws_j_get(j, "r/a/x") == NULL);	    /* through a string */
	CHECK(aws_j_get(j, "r/xSet/item") == NULL); /* through a list */
	CHECK(aws_j_get(j, "r/") == NULL && aws_j_get(j, "/r") == NULL);
	CHECK(aws_j_get(j, "r//a") == NULL && aws_j_get(j, "r/no") == NULL);
	CHECK(aws_j_get(j, "rr") == NULL && aws_j_get(j, "R") == NULL);
	CHECK(aws_j_str(j, "r/m") == NULL && aws_j_list(j, "r/a") == NULL);
	json_decref(j);
}

/* --- threads -------------------------------------------------------------- */

static void *
th_main(void *p)
{
	static const char ok[] =
	    "<DescribeInstancesResponse><reservationSet>"
	    "<item><instancesSet><item><instanceId>i-1</instanceId></item>"
	    "</instancesSet></item></reservationSet>"
	    "</DescribeInstancesResponse>";
	static const char err[] = "<ErrorResponse><Error><Code>NoSuchEntity"
				  "</Code></Error></ErrorResponse>";
	int *bad = p;
	struct aws_error e;
	const char *s;
	json_t *j;
	int i;

	for (i = 0; i < 200; i++) {
		j = NULL;
		if (to_json(ok, NULL, &j) != FX_OK)
			(*bad)++;
		s = aws_j_str(walk(j, "DescribeInstancesResponse/"
				      "reservationSet/0/instancesSet/0"),
		    "instanceId");
		if (s == NULL || strcmp(s, "i-1") != 0)
			(*bad)++;
		json_decref(j);
		if (to_json(laughs, NULL, &j) != FX_EINVAL ||
		    to_json("<a><b></a>", NULL, &j) != FX_EINVAL)
			(*bad)++;
		if (err_parse(err, &e) != FX_OK ||
		    strcmp(e.code, "NoSuchEntity") != 0)
			(*bad)++;
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[4];
	int i, started[4], bad[4] = { 0 };

	for (i = 0; i < 4; i++)
		started[i] = pthread_create(&t[i], NULL, th_main, &bad[i]) == 0;
	for (i = 0; i < 4; i++) {
		CHECK(started[i]);
		if (started[i])
			pthread_join(t[i], NULL);
		CHECK_INT(bad[i], 0);
	}
}

int
main(void)
{
	TEST("every canned AWS answer")
		test_responses();
	TEST("conversion rules and accessors")
		test_conversion();
	TEST("error bodies")
		test_errors();
	TEST("hostile input, quietly")
		test_quiet();
	TEST("size cap")
		test_size_cap();
	TEST("threads")
		test_threads();
	return TEST_REPORT();
}
