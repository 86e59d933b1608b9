/*
 * aws_int.h - internals shared by the files of aws/ only.
 */
#ifndef FIXIT_AWS_INT_H
#define FIXIT_AWS_INT_H

#include "aws.h"
#include "buf.h"

/*
 * A plain HTTP request without signing or retries (instance metadata,
 * container credentials). headers: NULL-terminated "Name: value" lines
 * or NULL. *status 0 on transport failure. out is capped at
 * FX_MAX_CRED_FILE.
 */
fx_err aws_http_raw(struct aws_client *c, const char *method, const char *url,
    const char *const *headers, const char *body, long *status,
    struct buf *out) FX_WUR;

/* ---- the services (aws_svc.c) ----------------------------------------- */

enum aws_proto { PROTO_QUERY = 0, PROTO_REST_XML, PROTO_JSON, PROTO_REST_JSON };

struct aws_service {
	const char *name;    /* config key, and the name in messages */
	const char *env;     /* AWS_ENDPOINT_URL_<env> */
	const char *host;    /* public host; "%s" = region */
	const char *version; /* Query API version */
	const char *target;  /* JSON 1.1 X-Amz-Target prefix */
	enum aws_proto proto;
	int global; /* signed for us-east-1, host without region */
	const char *const *list_tags;
	const char *sign; /* signing name when it is not name */
	int s3;		  /* S3: buckets in the host or the path, the
			   * payload hash in x-amz-content-sha256 */
};

/* the service svc (< AWS_SVC__COUNT: callers check) */
const struct aws_service *aws_service(enum aws_svc svc);
/* the signing name of s */
const char *aws_service_sign(const struct aws_service *s);

/*
 * The URL (endpoint, then the path) of an S3 request for bucket r->bucket
 * in url (which holds the endpoint), and the path that is signed in path
 * (the endpoint's own path prefix first): virtual-hosted style puts the
 * bucket in the host (BUCKET.HOST), path style before r->path
 * (/BUCKET, /BUCKET/KEY). Which one: aws_cfg.s3_addressing.
 * FX_EINVAL for a bucket name S3 would refuse, or one virtual-hosted
 * style cannot carry when asked for it.
 */
fx_err aws_s3_url(const struct aws_cfg *cfg, const struct aws_req *r,
    int overridden, struct buf *url, struct buf *path) FX_WUR;

#endif
