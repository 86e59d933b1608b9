/*
 * aws.h - the native AWS API client: request building for the protocols
 * the playbooks need, SigV4 signing, libcurl transport, retries, errors.
 *
 *   EC2 query   POST / form (Action, Version, Foo.1, Filter.1.Name ...)
 *   Query       POST / form (IAM, STS, RDS, CloudWatch, ELB, ELBv2,
 *               Redshift):
 *               same shape
 *   REST-XML    METHOD path?query, XML body (Route 53, CloudFront, S3)
 *   JSON 1.1    POST / with X-Amz-Target, JSON body (CloudTrail)
 *   JSON 1.0    the same, application/x-amz-json-1.0 (Compute Optimizer)
 *   REST-JSON   METHOD path?query, JSON body from params or body (EKS,
 *               API Gateway v1 and v2: both signed as "apigateway", on
 *               one host); errors named by the x-amzn-ErrorType header
 *
 * Answers are parsed into jansson: XML with aws_xml_to_json (the content
 * of the root element, list tags per service), JSON as is.
 *
 * Endpoints, as the AWS SDKs resolve them: the config's per-service
 * endpoint, else AWS_ENDPOINT_URL_<SERVICE> (EC2, IAM, STS, RDS,
 * CLOUDWATCH, ROUTE_53, CLOUDFRONT, CLOUDTRAIL, S3,
 * ELASTIC_LOAD_BALANCING, ELASTIC_LOAD_BALANCING_V2, COMPUTE_OPTIMIZER,
 * AUTO_SCALING, EKS, REDSHIFT, API_GATEWAY, APIGATEWAYV2,
 * ELASTIC_BEANSTALK), else the config's default endpoint, else
 * AWS_ENDPOINT_URL, else the public endpoint
 * (https://SERVICE.REGION.amazonaws.com; iam, route53 and cloudfront are
 * global and signed for us-east-1; elb and elbv2 are both
 * elasticloadbalancing.REGION, signed as "elasticloadbalancing"). A
 * path in an override URL is kept as a prefix.
 *
 * S3 requests name a bucket (aws_req.bucket): virtual-hosted style
 * (https://BUCKET.s3.REGION.amazonaws.com/KEY) or path style
 * (https://s3.REGION.amazonaws.com/BUCKET/KEY), as aws_cfg.s3_addressing
 * says; "auto" is virtual-hosted on the public endpoint for a name that
 * is one DNS label (no dots: the *.s3 certificate would not match) and
 * path style otherwise and on an override (a fake or a proxy has no
 * wildcard DNS). Every S3 request carries x-amz-content-sha256 (the
 * SHA-256 of the body, signed) as S3 requires; the path is signed as
 * sent, not normalised.
 *
 * Retries: throttling (HTTP 429, RequestLimitExceeded, Throttling,
 * ThrottlingException, ...), 5xx and transport errors are retried up to
 * max_attempts with exponential backoff and full jitter (base * 2^n,
 * capped); other AWS errors are returned at once.
 *
 * Pacing: a client given a pacer (aws_client_set_pace, aws_pace.h)
 * takes a token of the call's (account, region, service or action)
 * bucket before each attempt, and waits for it outside every lock.
 *
 * Threads: a struct aws_client is used by one thread at a time (it owns
 * a CURL handle); struct aws_cfg is read-only and shared, and so is a
 * pacer (thread-safe).
 */
#ifndef FIXIT_AWS_H
#define FIXIT_AWS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "aws_xml.h"
#include "buf.h"
#include "fxerr.h"

enum aws_svc {
	AWS_EC2 = 0,
	AWS_IAM,
	AWS_STS,
	AWS_RDS,
	AWS_CLOUDWATCH,
	AWS_ROUTE53,
	AWS_CLOUDFRONT,
	AWS_CLOUDTRAIL,
	AWS_S3,
	AWS_ELB,   /* classic load balancers (2012-06-01) */
	AWS_ELBV2, /* application, network, gateway (2015-12-01) */
	AWS_COMPUTE_OPTIMIZER,
	AWS_AUTOSCALING,      /* EC2 Auto Scaling (2011-01-01) */
	AWS_EKS,	      /* REST-JSON */
	AWS_REDSHIFT,	      /* provisioned clusters (2012-12-01) */
	AWS_APIGATEWAY,	      /* REST APIs (v1): REST-JSON */
	AWS_APIGATEWAYV2,     /* HTTP and WebSocket APIs (v2): REST-JSON */
	AWS_ELASTICBEANSTALK, /* Query 2010-12-01 */
	AWS_LAMBDA,	      /* REST-JSON (2015-03-31 paths) */
	AWS_SVC__COUNT
};

/* aws_cfg.s3_addressing (config aws.s3_addressing: auto, path, virtual) */
enum aws_s3_style { AWS_S3_AUTO = 0, AWS_S3_PATH, AWS_S3_VIRTUAL };

/* client settings; filled by server/config.c, read-only afterwards */
struct aws_cfg {
	char *endpoint[AWS_SVC__COUNT]; /* per-service override or NULL */
	char *endpoint_default;		/* override for all services or NULL */
	int max_attempts;		/* >= 1, default 5 */
	int backoff_base_ms;		/* default 200 */
	int backoff_max_ms;		/* default 20000 */
	int64_t timeout_s;		/* per HTTP request, default 30 */
	int s3_addressing;		/* enum aws_s3_style, default auto */
};
void aws_cfg_defaults(struct aws_cfg *c);
void aws_cfg_release(struct aws_cfg *c); /* frees the strings */
/* "ec2", "iam", ... (config keys); -1 when unknown */
int aws_svc_parse(const char *name);
const char *aws_svc_name(enum aws_svc s);

/* credentials; strings heap-owned, wiped by aws_creds_release */
struct aws_creds {
	char *access_key_id;
	char *secret_key;
	char *session_token; /* NULL for long-term keys */
	int64_t expires;     /* unix time; 0 = does not expire */
};
void aws_creds_release(struct aws_creds *c); /* accepts NULL */
fx_err aws_creds_copy(const struct aws_creds *from,
    struct aws_creds *to) FX_WUR;

struct aws_req {
	enum aws_svc svc;
	const char *region; /* ignored for global services */
	const char *action; /* Query/EC2 Action, JSON operation, REST name */
	/*
	 * Query/EC2: the form parameters (object of strings or integers;
	 * Action and Version are added). JSON and REST-JSON: the request
	 * body object (REST-JSON: NULL = no body). REST-XML: NULL.
	 */
	const json_t *params;
	const char *method; /* REST only: "GET", "POST", "DELETE" */
	const char *path;   /* REST only, encoded: "/2013-04-01/..." */
	const char *query;  /* REST only, encoded, without '?'; or NULL */
	const char *body; /* REST only: XML (REST-XML) or JSON body, or NULL */
	const char *bucket;	    /* S3 only: the bucket; path is under it
				 * ("/" = the bucket itself) */
	const char *expected_owner; /* S3: x-amz-expected-bucket-owner
				     * (an account id) or NULL */
	const char *account;	    /* the account the call is charged to (its
			      * role's), for pacing; NULL = fixitd's own */
};

struct aws_resp {
	long status;	      /* last HTTP status; 0 when none */
	json_t *doc;	      /* owned: parsed answer (root content) */
	struct aws_error err; /* AWS error of the last attempt, if any */
	int attempts;
	char bucket_region[32]; /* S3: x-amz-bucket-region, or "" */
};
void aws_resp_init(struct aws_resp *r);
void aws_resp_release(struct aws_resp *r);
/*
 * One line for a finding's history: "Code: message (request id)", or the
 * transport error. Never contains a key or signature.
 */
fx_err aws_resp_describe(const struct aws_resp *r, fx_err rc,
    struct buf *out) FX_WUR;

struct aws_client;
fx_err aws_client_new(const struct aws_cfg *cfg,
    struct aws_client **out) FX_WUR;
void aws_client_free(struct aws_client *c); /* accepts NULL */
/* pace c's calls with p (shared, thread-safe, outlives c; NULL: none) */
struct aws_pace;
void aws_client_set_pace(struct aws_client *c, struct aws_pace *p);

/*
 * Send one request signed with cr (NULL: unsigned, for
 * AssumeRoleWithWebIdentity). FX_OK on 2xx (out->doc set); FX_EREMOTE
 * for an AWS error (out->err set); FX_ERETRY when retries ran out on
 * throttling/5xx; FX_EHTTP for transport failures; FX_EINVAL for a bad
 * request or an unparsable answer.
 */
fx_err aws_call(struct aws_client *c, const struct aws_creds *cr,
    const struct aws_req *r, struct aws_resp *out) FX_WUR;

/* the endpoint URL (no trailing '/') and signing region of a request */
fx_err aws_endpoint(const struct aws_cfg *cfg, enum aws_svc svc,
    const char *region, struct buf *url, const char **sign_region) FX_WUR;
/* 1 when svc's endpoint comes from the config or the environment */
int aws_endpoint_overridden(const struct aws_cfg *cfg, enum aws_svc svc);

#endif
