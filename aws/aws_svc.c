/*
 * aws_svc.c - the services the client knows and where their requests go
 * (see aws.h): the service table, endpoint resolution, S3 addressing.
 */
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "aws_int.h"
#include "aws_sigv4.h"
#include "banned.h"

#define S3_MAX_BUCKET	 255 /* legacy us-east-1 names; 63 elsewhere */
#define S3_MAX_DNS_LABEL 63
#define S3_MAX_URL	 2048

static const char *const rds_lists[] = { "DBInstance", "DBSnapshot", "Tag",
	"VpcSecurityGroupMembership", "DBParameterGroup", "DBSubnetGroup",
	"Subnet", "OptionGroupMembership", "DBClusterSnapshot",
	"DBSnapshotAttribute", "DBClusterSnapshotAttribute", "AttributeValue",
	NULL };
static const char *const r53_lists[] = { "HostedZone", "ResourceRecordSet",
	"ResourceRecord", "Tag", "NameServer", "VPC", NULL };
static const char *const redshift_lists[] = { "Cluster", "VpcSecurityGroup",
	"ClusterParameterGroup", "ClusterIamRole", "Tag", "Snapshot",
	"ReservedNode", "ClusterSecurityGroup", NULL };
/* ListBuckets' Bucket, a TagSet's Tag, an AccessControlList's Grant */
static const char *const s3_lists[] = { "Bucket", "Tag", "Grant", NULL };
static const char *const cf_lists[] = { "DistributionSummary", "Origin",
	"CNAME", "CacheBehavior", "OriginGroup", "Method", NULL };

static const struct aws_service services[AWS_SVC__COUNT] = {
	[AWS_EC2] = { "ec2", "EC2", "ec2.%s.amazonaws.com", "2016-11-15", NULL,
	    PROTO_QUERY, 0, NULL, NULL, 0 },
	[AWS_IAM] = { "iam", "IAM", "iam.amazonaws.com", "2010-05-08", NULL,
	    PROTO_QUERY, 1, NULL, NULL, 0 },
	[AWS_STS] = { "sts", "STS", "sts.%s.amazonaws.com", "2011-06-15", NULL,
	    PROTO_QUERY, 0, NULL, NULL, 0 },
	[AWS_RDS] = { "rds", "RDS", "rds.%s.amazonaws.com", "2014-10-31", NULL,
	    PROTO_QUERY, 0, rds_lists, NULL, 0 },
	[AWS_CLOUDWATCH] = { "monitoring", "CLOUDWATCH",
	    "monitoring.%s.amazonaws.com", "2010-08-01", NULL, PROTO_QUERY, 0,
	    NULL, NULL, 0 },
	[AWS_ROUTE53] = { "route53", "ROUTE_53", "route53.amazonaws.com", NULL,
	    NULL, PROTO_REST_XML, 1, r53_lists, NULL, 0 },
	[AWS_CLOUDFRONT] = { "cloudfront", "CLOUDFRONT",
	    "cloudfront.amazonaws.com", NULL, NULL, PROTO_REST_XML, 1, cf_lists,
	    NULL, 0 },
	[AWS_CLOUDTRAIL] = { "cloudtrail", "CLOUDTRAIL",
	    "cloudtrail.%s.amazonaws.com", NULL,
	    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
	    PROTO_JSON, 0, NULL, NULL, 0 },
	[AWS_S3] = { "s3", "S3", "s3.%s.amazonaws.com", NULL, NULL,
	    PROTO_REST_XML, 0, s3_lists, NULL, 1 },
	/* classic and v2 share the host and the signing name; the API
	 * version tells them apart */
	[AWS_ELB] = { "elb", "ELASTIC_LOAD_BALANCING",
	    "elasticloadbalancing.%s.amazonaws.com", "2012-06-01", NULL,
	    PROTO_QUERY, 0, NULL, "elasticloadbalancing", 0 },
	[AWS_ELBV2] = { "elbv2", "ELASTIC_LOAD_BALANCING_V2",
	    "elasticloadbalancing.%s.amazonaws.com", "2015-12-01", NULL,
	    PROTO_QUERY, 0, NULL, "elasticloadbalancing", 0 },
	[AWS_COMPUTE_OPTIMIZER] = { "compute-optimizer", "COMPUTE_OPTIMIZER",
	    "compute-optimizer.%s.amazonaws.com", NULL,
	    "ComputeOptimizerService", PROTO_JSON, 0, NULL, NULL, 0,
	    "application/x-amz-json-1.0" },
	[AWS_AUTOSCALING] = { "autoscaling", "AUTO_SCALING",
	    "autoscaling.%s.amazonaws.com", "2011-01-01", NULL, PROTO_QUERY, 0,
	    NULL, NULL, 0 },
	[AWS_EKS] = { "eks", "EKS", "eks.%s.amazonaws.com", NULL, NULL,
	    PROTO_REST_JSON, 0, NULL, NULL, 0 },
	[AWS_REDSHIFT] = { "redshift", "REDSHIFT", "redshift.%s.amazonaws.com",
	    "2012-12-01", NULL, PROTO_QUERY, 0, redshift_lists, NULL, 0 },
	/* v1 and v2 share the host and the signing name; the path tells
	 * them apart (/domainnames, /v2/domainnames) */
	[AWS_APIGATEWAY] = { "apigateway", "API_GATEWAY",
	    "apigateway.%s.amazonaws.com", NULL, NULL, PROTO_REST_JSON, 0, NULL,
	    NULL, 0 },
	[AWS_APIGATEWAYV2] = { "apigatewayv2", "APIGATEWAYV2",
	    "apigateway.%s.amazonaws.com", NULL, NULL, PROTO_REST_JSON, 0, NULL,
	    "apigateway", 0 },
	[AWS_ELASTICBEANSTALK] = { "elasticbeanstalk", "ELASTIC_BEANSTALK",
	    "elasticbeanstalk.%s.amazonaws.com", "2010-12-01", NULL,
	    PROTO_QUERY, 0, NULL, NULL, 0 },
	[AWS_LAMBDA] = { "lambda", "LAMBDA", "lambda.%s.amazonaws.com", NULL,
	    NULL, PROTO_REST_JSON, 0, NULL, NULL, 0 },
};

const struct aws_service *
aws_service(enum aws_svc svc)
{
	return &services[svc];
}

const char *
aws_service_sign(const struct aws_service *s)
{
	return s->sign != NULL ? s->sign : s->name;
}

int
aws_svc_parse(const char *name)
{
	int i;

	for (i = 0; i < AWS_SVC__COUNT; i++)
		if (strcmp(services[i].name, name) == 0)
			return i;
	if (strcmp(name, "cloudwatch") == 0)
		return AWS_CLOUDWATCH;
	return -1;
}

const char *
aws_svc_name(enum aws_svc s)
{
	return (unsigned)s < AWS_SVC__COUNT ? services[s].name : "?";
}

/* ---- endpoints ------------------------------------------------------ */

static const char *
env_endpoint(const struct aws_service *s)
{
	char name[64];
	const char *v;
	size_t n = strlen("AWS_ENDPOINT_URL_");

	if (n + strlen(s->env) + 1 > sizeof(name))
		return NULL;
	memcpy(name, "AWS_ENDPOINT_URL_", n);
	memcpy(name + n, s->env, strlen(s->env) + 1);
	v = getenv(name);
	return v != NULL && *v != '\0' ? v : NULL;
}

static int
region_ok(const char *r)
{
	size_t i;

	for (i = 0; r[i] != '\0'; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') ||
			(r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
			return 0;
	return i > 0 && i < 32;
}

/* the override URL of svc, or NULL: config per service, env per
 * service, config default, AWS_ENDPOINT_URL */
static const char *
endpoint_override(const struct aws_cfg *cfg, enum aws_svc svc)
{
	const char *o = cfg != NULL ? cfg->endpoint[svc] : NULL;
	const char *env_all;

	if (o == NULL)
		o = env_endpoint(&services[svc]);
	if (o == NULL && cfg != NULL)
		o = cfg->endpoint_default;
	if (o != NULL)
		return o;
	env_all = getenv("AWS_ENDPOINT_URL");
	return env_all != NULL && *env_all != '\0' ? env_all : NULL;
}

int
aws_endpoint_overridden(const struct aws_cfg *cfg, enum aws_svc svc)
{
	return (unsigned)svc < AWS_SVC__COUNT &&
	       endpoint_override(cfg, svc) != NULL;
}

fx_err
aws_endpoint(const struct aws_cfg *cfg, enum aws_svc svc, const char *region,
    struct buf *url, const char **sign_region)
{
	const struct aws_service *s;
	const char *o;
	size_t n;

	if ((unsigned)svc >= AWS_SVC__COUNT)
		return FX_EINVAL;
	s = &services[svc];
	if (s->global)
		region = "us-east-1";
	if (region == NULL || !region_ok(region))
		return FX_EINVAL;
	*sign_region = region;
	o = endpoint_override(cfg, svc);
	if (o != NULL) {
		if (strncmp(o, "http://", 7) != 0 &&
		    strncmp(o, "https://", 8) != 0)
			return FX_EINVAL;
		n = strlen(o);
		while (n > 0 && o[n - 1] == '/')
			n--;
		return buf_add(url, o, n);
	}
	if (strstr(s->host, "%s") == NULL)
		return buf_addf(url, "https://%s", s->host);
	n = (size_t)(strstr(s->host, "%s") - s->host);
	return buf_addf(url, "https://%.*s%s%s", (int)n, s->host, region,
	    s->host + n + 2);
}

/* ---- S3 addressing -------------------------------------------------- */

/* a name S3 accepts in a path (legacy names: capitals, '_', '.') */
static int
bucket_ok(const char *b)
{
	size_t i;

	for (i = 0; b[i] != '\0'; i++)
		if (i >= S3_MAX_BUCKET ||
		    !((b[i] >= 'a' && b[i] <= 'z') ||
			(b[i] >= 'A' && b[i] <= 'Z') ||
			(b[i] >= '0' && b[i] <= '9') || b[i] == '-' ||
			b[i] == '.' || b[i] == '_'))
			return 0;
	return i >= 3;
}

/*
 * A name that is one DNS label fit for BUCKET.s3...: lower case,
 * digits and '-', not at the ends. Dots are left to path style: with
 * them the host no longer matches the *.s3 TLS certificate.
 */
static int
bucket_is_label(const char *b)
{
	size_t i;

	for (i = 0; b[i] != '\0'; i++)
		if (i >= S3_MAX_DNS_LABEL ||
		    !((b[i] >= 'a' && b[i] <= 'z') ||
			(b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
			return 0;
	return i >= 3 && b[0] != '-' && b[i - 1] != '-';
}

fx_err
aws_s3_url(const struct aws_cfg *cfg, const struct aws_req *r, int overridden,
    struct buf *url, struct buf *path)
{
	struct buf host = BUF_INIT;
	const char *u = buf_str(url), *p;
	int style = cfg != NULL ? cfg->s3_addressing : AWS_S3_AUTO, virt;
	size_t prefix;
	fx_err rc = FX_EINVAL;

	buf_init(&host, S3_MAX_URL);
	if (r->bucket == NULL || !bucket_ok(r->bucket) || r->path == NULL ||
	    r->path[0] != '/')
		goto out;
	if (style == AWS_S3_AUTO)
		virt = !overridden && bucket_is_label(r->bucket);
	else
		virt = style == AWS_S3_VIRTUAL;
	if (virt && !bucket_is_label(r->bucket))
		goto out;
	if ((p = strstr(u, "://")) == NULL)
		goto out;
	p += 3;
	/* the endpoint's own path prefix is signed too */
	prefix = strlen(p + strcspn(p, "/"));
	rc = buf_adds(path, p + strcspn(p, "/"));
	if (rc != FX_OK)
		goto out;
	if (virt) {
		/* scheme://BUCKET.host[:port]/prefix */
		rc = buf_add(&host, u, (size_t)(p - u));
		if (rc == FX_OK)
			rc = buf_addf(&host, "%s.%s", r->bucket, p);
		if (rc != FX_OK)
			goto out;
		buf_reset(url);
		rc = buf_adds(url, buf_str(&host));
	} else {
		rc = buf_addc(path, '/');
		if (rc == FX_OK)
			rc = sigv4_uri_encode(path, r->bucket,
			    strlen(r->bucket), 0);
	}
	if (rc != FX_OK)
		goto out;
	/* path style: "/" alone addresses the bucket itself (/BUCKET) */
	if (virt || strcmp(r->path, "/") != 0)
		rc = buf_adds(path, r->path);
	if (rc == FX_OK)
		rc = buf_adds(url, buf_str(path) + prefix);
out:
	buf_release(&host);
	return rc;
}
