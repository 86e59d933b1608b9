/*
 * aws_client.c - the AWS API client (see aws.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aws.h"
#include "aws_int.h"
#include "aws_pace.h"
#include "aws_sigv4.h"
#include "fxcurl.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "banned.h"

#define AWS_CONNECT_TIMEOUT_MS 5000L
#define AWS_MAX_URL	       2048
#define AWS_JSON_CTYPE	       "application/x-amz-json-1.1"
#define AWS_FORM_CTYPE	       "application/x-www-form-urlencoded; charset=utf-8"

struct aws_client {
	const struct aws_cfg *cfg;
	struct aws_pace *pace; /* shared; NULL: calls are not paced */
	CURL *curl;
	struct buf body;	/* the answer, capped */
	char request_id[128];	/* x-amzn-RequestId / x-amz-request-id */
	char error_type[128];	/* REST-JSON: x-amzn-ErrorType */
	char bucket_region[32]; /* S3: x-amz-bucket-region */
	char errbuf[CURL_ERROR_SIZE];
};

void
aws_cfg_defaults(struct aws_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->max_attempts = 5;
	c->backoff_base_ms = 200;
	c->backoff_max_ms = 20000;
	c->timeout_s = 30;
}

void
aws_cfg_release(struct aws_cfg *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < AWS_SVC__COUNT; i++)
		free(c->endpoint[i]);
	free(c->endpoint_default);
	memset(c, 0, sizeof(*c));
}

void
aws_creds_release(struct aws_creds *c)
{
	if (c == NULL)
		return;
	free(c->access_key_id);
	fx_secret_free(c->secret_key);
	fx_secret_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

fx_err
aws_creds_copy(const struct aws_creds *from, struct aws_creds *to)
{
	memset(to, 0, sizeof(*to));
	to->access_key_id = strdup(from->access_key_id);
	to->secret_key = strdup(from->secret_key);
	if (from->session_token != NULL)
		to->session_token = strdup(from->session_token);
	to->expires = from->expires;
	if (to->access_key_id == NULL || to->secret_key == NULL ||
	    (from->session_token != NULL && to->session_token == NULL)) {
		aws_creds_release(to);
		return FX_ENOMEM;
	}
	return FX_OK;
}

void
aws_resp_init(struct aws_resp *r)
{
	memset(r, 0, sizeof(*r));
}

void
aws_resp_release(struct aws_resp *r)
{
	if (r == NULL)
		return;
	json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

fx_err
aws_resp_describe(const struct aws_resp *r, fx_err rc, struct buf *out)
{
	if (r->err.code[0] != '\0')
		return buf_addf(out, "%s: %s (HTTP %ld, request id %s)",
		    r->err.code,
		    r->err.message[0] ? r->err.message : "no message",
		    r->status,
		    r->err.request_id[0] ? r->err.request_id : "none");
	if (r->status >= 300)
		return buf_addf(out, "HTTP %ld without an AWS error body",
		    r->status);
	return buf_addf(out, "%s", fx_strerror(rc));
}

fx_err
aws_client_new(const struct aws_cfg *cfg, struct aws_client **out)
{
	struct aws_client *c;

	*out = NULL;
	if (fxcurl_load() != FX_OK)
		return FX_EHTTP;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return FX_ENOMEM;
	c->cfg = cfg;
	buf_init(&c->body, FX_MAX_AWS_RESPONSE);
	if ((c->curl = curl_easy_init()) == NULL) {
		free(c);
		return FX_ENOMEM;
	}
	*out = c;
	return FX_OK;
}

void
aws_client_free(struct aws_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	buf_release(&c->body);
	free(c);
}

void
aws_client_set_pace(struct aws_client *c, struct aws_pace *p)
{
	c->pace = p;
}

/* ---- request building ----------------------------------------------- */

static fx_err
form_add(struct buf *b, const char *k, const char *v)
{
	fx_err rc;

	if (b->len > 0) {
		rc = buf_addc(b, '&');
		if (rc != FX_OK)
			return rc;
	}
	rc = sigv4_uri_encode(b, k, strlen(k), 0);
	if (rc != FX_OK)
		return rc;
	rc = buf_addc(b, '=');
	if (rc != FX_OK)
		return rc;
	return sigv4_uri_encode(b, v, strlen(v), 0);
}

static fx_err
form_body(const struct aws_service *s, const struct aws_req *r, struct buf *b)
{
	const char *k;
	json_t *v;
	char num[32];
	fx_err rc;

	rc = form_add(b, "Action", r->action);
	if (rc != FX_OK)
		return rc;
	rc = form_add(b, "Version", s->version);
	if (rc != FX_OK)
		return rc;
	if (r->params != NULL && !json_is_object(r->params))
		return FX_EINVAL;
	json_object_foreach((json_t *)r->params, k, v) {
		if (json_is_string(v))
			rc = form_add(b, k, json_string_value(v));
		else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			rc = form_add(b, k, num);
		} else if (json_is_boolean(v))
			rc = form_add(b, k, json_is_true(v) ? "true" : "false");
		else
			rc = FX_EINVAL;
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

/* host[:port] of url into host */
static fx_err
url_host(const char *url, struct buf *host, const char **path)
{
	const char *p = strstr(url, "://"), *e;

	if (p == NULL)
		return FX_EINVAL;
	p += 3;
	e = strchr(p, '/');
	if (e == NULL)
		e = p + strlen(p);
	*path = e;
	if (e == p)
		return FX_EINVAL;
	return buf_add(host, p, (size_t)(e - p));
}

struct prepared {
	struct buf url;
	struct buf body;
	struct buf path; /* full path, endpoint prefix included */
	struct buf host;
	struct buf target;
	struct buf authz;
	const char *sign_region;
	const char *ctype;
	const char *method;
	const char *query;
	char amz_date[17];
	char content_sha[65]; /* S3: x-amz-content-sha256 */
	char content_md5[32]; /* S3 with a body: Content-MD5 (base64) */
	const char *owner;    /* S3: x-amz-expected-bucket-owner */
};

static void
prepared_release(struct prepared *p)
{
	buf_release(&p->url);
	buf_release(&p->body);
	buf_release(&p->path);
	buf_release(&p->host);
	buf_release(&p->target);
	buf_release(&p->authz);
}

static fx_err
prepare_body(const struct aws_service *s, const struct aws_req *r,
    struct prepared *p)
{
	char *dump;
	fx_err rc;

	switch (s->proto) {
	case PROTO_QUERY:
		if (r->action == NULL)
			return FX_EINVAL;
		p->method = "POST";
		p->ctype = AWS_FORM_CTYPE;
		return form_body(s, r, &p->body);
	case PROTO_JSON:
		if (r->action == NULL ||
		    (r->params != NULL && !json_is_object(r->params)))
			return FX_EINVAL;
		p->method = "POST";
		p->ctype =
		    s->json_ctype != NULL ? s->json_ctype : AWS_JSON_CTYPE;
		if ((rc = buf_addf(&p->target, "%s.%s", s->target,
			 r->action)) != FX_OK)
			return rc;
		if (r->params == NULL)
			return buf_adds(&p->body, "{}");
		if ((dump = json_dumps(r->params, JSON_COMPACT)) == NULL)
			return FX_ENOMEM;
		rc = buf_adds(&p->body, dump);
		free(dump);
		return rc;
	case PROTO_REST_XML:
		if (r->method == NULL || r->path == NULL || r->path[0] != '/')
			return FX_EINVAL;
		p->method = r->method;
		p->query = r->query;
		if (r->body == NULL)
			return FX_OK;
		p->ctype = "application/xml";
		return buf_adds(&p->body, r->body);
	case PROTO_REST_JSON:
		/* the body: r->body as it is, else r->params as JSON */
		if (r->method == NULL || r->path == NULL || r->path[0] != '/' ||
		    (r->params != NULL && !json_is_object(r->params)) ||
		    (r->params != NULL && r->body != NULL))
			return FX_EINVAL;
		p->method = r->method;
		p->query = r->query;
		if (r->body != NULL) {
			p->ctype = "application/json";
			return buf_adds(&p->body, r->body);
		}
		if (r->params == NULL)
			return FX_OK;
		p->ctype = "application/json";
		if ((dump = json_dumps(r->params, JSON_COMPACT)) == NULL)
			return FX_ENOMEM;
		rc = buf_adds(&p->body, dump);
		free(dump);
		return rc;
	}
	return FX_EINVAL;
}

/* p->url (endpoint, path, query), p->host and p->path (signed) */
static fx_err
prepare_url(const struct aws_client *c, const struct aws_service *s,
    const struct aws_req *r, struct prepared *p)
{
	const char *prefix_path, *path;
	fx_err rc;

	rc = aws_endpoint(c->cfg, r->svc, r->region, &p->url, &p->sign_region);
	if (rc != FX_OK)
		return rc;
	/* S3 without a bucket: the service itself (ListBuckets, GET /) */
	if (s->s3 && r->bucket != NULL)
		rc = aws_s3_url(c->cfg, r,
		    aws_endpoint_overridden(c->cfg, r->svc), &p->url, &p->path);
	if (rc != FX_OK)
		return rc;
	rc = url_host(buf_str(&p->url), &p->host, &prefix_path);
	if (rc != FX_OK || (s->s3 && r->bucket != NULL))
		goto query;
	path = s->proto == PROTO_REST_XML || s->proto == PROTO_REST_JSON
		   ? r->path
		   : "/";
	rc = buf_addf(&p->path, "%s%s", prefix_path, path);
	if (rc != FX_OK)
		return rc;
	rc = buf_adds(&p->url, path);
query:
	if (rc != FX_OK)
		return rc;
	if (p->query != NULL && *p->query != '\0')
		rc = buf_addf(&p->url, "?%s", p->query);
	return rc;
}

/* p->content_md5: base64 of the body's MD5; 0 when it cannot be made */
static int
content_md5(struct prepared *p)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(p->body.data, p->body.len, md, &len, EVP_md5(), NULL) ||
	    len != 16)
		return 0;
	return EVP_EncodeBlock((unsigned char *)p->content_md5, md, 16) == 24;
}

static fx_err
prepare(const struct aws_client *c, const struct aws_creds *cr,
    const struct aws_req *r, struct prepared *p)
{
	const struct aws_service *s = aws_service(r->svc);
	struct aws_hdr h[8];
	struct sigv4_req sr;
	struct sigv4_creds sc;
	struct tm tm;
	time_t t;
	size_t nh = 0;
	fx_err rc;

	rc = prepare_body(s, r, p);
	if (rc != FX_OK)
		return rc;
	rc = prepare_url(c, s, r, p);
	if (rc != FX_OK)
		return rc;
	t = (time_t)fx_now();
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(p->amz_date, sizeof(p->amz_date), "%Y%m%dT%H%M%SZ", &tm) !=
		16)
		return FX_EINVAL;
	/* S3 wants the payload's hash in a header, and signs that value */
	if (s->s3) {
		sigv4_sha256_hex(p->body.data, p->body.len, p->content_sha);
		p->owner = r->expected_owner;
	}
	/* S3 wants it on a body (PutBucketTagging refuses one without) */
	if (s->s3 && p->body.len > 0 && !content_md5(p))
		return FX_ENOMEM;
	if (cr == NULL)
		return FX_OK;
	h[nh++] = (struct aws_hdr){ "host", buf_str(&p->host) };
	h[nh++] = (struct aws_hdr){ "x-amz-date", p->amz_date };
	if (p->ctype != NULL)
		h[nh++] = (struct aws_hdr){ "content-type", p->ctype };
	if (p->target.len > 0)
		h[nh++] =
		    (struct aws_hdr){ "x-amz-target", buf_str(&p->target) };
	if (cr->session_token != NULL)
		h[nh++] = (struct aws_hdr){ "x-amz-security-token",
			cr->session_token };
	if (s->s3)
		h[nh++] =
		    (struct aws_hdr){ "x-amz-content-sha256", p->content_sha };
	if (p->owner != NULL)
		h[nh++] =
		    (struct aws_hdr){ "x-amz-expected-bucket-owner", p->owner };
	if (p->content_md5[0] != '\0')
		h[nh++] = (struct aws_hdr){ "content-md5", p->content_md5 };
	memset(&sr, 0, sizeof(sr));
	sr.method = p->method;
	sr.path = buf_str(&p->path);
	sr.query = p->query;
	sr.hdrs = h;
	sr.nhdrs = nh;
	sr.body = p->body.data;
	sr.body_len = p->body.len;
	sr.region = p->sign_region;
	sr.service = aws_service_sign(s);
	sr.amz_date = p->amz_date;
	sr.no_normalize = s->s3;
	sr.payload_hash = s->s3 ? p->content_sha : NULL;
	sc.access_key_id = cr->access_key_id;
	sc.secret_key = cr->secret_key;
	sc.session_token = cr->session_token;
	return sigv4_authorization(&sr, &sc, &p->authz);
}

/* ---- transport -------------------------------------------------------- */

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct aws_client *c = arg;

	if (buf_add(&c->body, p, size * n) != FX_OK)
		return 0; /* too big: curl aborts the transfer */
	return size * n;
}

/* the printable value of header line p[0..len) into dst, when named */
static void
header_value(const char *p, size_t len, const char *name, char *dst,
    size_t size)
{
	size_t i = strlen(name), j;

	if (len < i || strncasecmp(p, name, i) != 0)
		return;
	while (i < len && p[i] == ' ')
		i++;
	for (j = 0; i < len && j + 1 < size && p[i] > ' ' && p[i] <= '~'; i++)
		dst[j++] = p[i];
	dst[j] = '\0';
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct aws_client *c = arg;
	size_t len = size * n;

	header_value(p, len, "x-amzn-RequestId:", c->request_id,
	    sizeof(c->request_id));
	header_value(p, len, "x-amz-request-id:", c->request_id,
	    sizeof(c->request_id));
	header_value(p, len, "x-amz-bucket-region:", c->bucket_region,
	    sizeof(c->bucket_region));
	header_value(p, len, "x-amzn-ErrorType:", c->error_type,
	    sizeof(c->error_type));
	return len;
}

#define SETOPT(opt, val)                                                       \
	do {                                                                   \
		if (cc == CURLE_OK)                                            \
			cc = curl_easy_setopt(cu, opt, val);                   \
	} while (0)

static fx_err
perform(struct aws_client *c, const char *method, const char *url,
    struct curl_slist *hdrs, const struct buf *body, long *status)
{
	CURL *cu = c->curl;
	CURLcode cc = CURLE_OK;

	*status = 0;
	buf_reset(&c->body);
	c->request_id[0] = '\0';
	c->bucket_region[0] = '\0';
	c->error_type[0] = '\0';
	c->errbuf[0] = '\0';
	curl_easy_reset(cu);
	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, AWS_CONNECT_TIMEOUT_MS);
	SETOPT(CURLOPT_TIMEOUT, (long)(c->cfg ? c->cfg->timeout_s : 30));
	SETOPT(CURLOPT_USERAGENT, "fixitd");
	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(CURLOPT_WRITEDATA, c);
	SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(CURLOPT_HEADERDATA, c);
	SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
	if (strcmp(method, "GET") == 0)
		SETOPT(CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		SETOPT(CURLOPT_NOBODY, 1L);
	else {
		SETOPT(CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL && body->len > 0) {
			SETOPT(CURLOPT_POSTFIELDS, body->data);
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)body->len);
		} else if (strcmp(method, "POST") == 0 ||
			   strcmp(method, "PUT") == 0) {
			SETOPT(CURLOPT_POSTFIELDS, "");
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		}
	}
	if (cc != CURLE_OK)
		return FX_EHTTP;
	cc = curl_easy_perform(cu);
	if (cc != CURLE_OK) {
		log_debug("%s: %s %s: %s", __func__, method, url,
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
		return FX_EHTTP;
	}
	if (curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status) != CURLE_OK)
		return FX_EHTTP;
	return FX_OK;
}

#undef SETOPT

static fx_err
slist_add(struct curl_slist **l, const char *name, const char *value)
{
	struct buf line = BUF_INIT;
	struct curl_slist *n;
	fx_err rc;

	buf_init(&line, FX_MAX_SECRET * 2);
	if ((rc = buf_addf(&line, "%s: %s", name, value)) != FX_OK) {
		buf_release(&line);
		return rc;
	}
	n = curl_slist_append(*l, buf_str(&line));
	buf_release_secret(&line);
	if (n == NULL)
		return FX_ENOMEM;
	*l = n;
	return FX_OK;
}

fx_err
aws_http_raw(struct aws_client *c, const char *method, const char *url,
    const char *const *headers, const char *body, long *status, struct buf *out)
{
	struct curl_slist *l = NULL, *n;
	struct buf b = BUF_INIT;
	fx_err rc = FX_OK;

	for (; headers != NULL && *headers != NULL; headers++) {
		if ((n = curl_slist_append(l, *headers)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
		l = n;
	}
	if ((n = curl_slist_append(l, "Expect:")) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	l = n;
	if (body != NULL && (rc = buf_adds(&b, body)) != FX_OK)
		goto out;
	if ((rc = perform(c, method, url, l, &b, status)) != FX_OK)
		goto out;
	if (c->body.len > FX_MAX_CRED_FILE) {
		rc = FX_ETOOBIG;
		goto out;
	}
	rc = buf_add(out, c->body.data, c->body.len);
out:
	fxcurl_slist_wipe(l);
	buf_release(&b);
	return rc;
}

/* ---- answers and retries ------------------------------------------- */

static int
retryable(long status, const char *code)
{
	static const char *const codes[] = { "Throttling",
		"ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"RequestLimitExceeded", "RequestThrottled", "SlowDown",
		"PriorRequestNotComplete", "EC2ThrottledException",
		"BandwidthLimitExceeded", "InternalError", "InternalFailure",
		"ServiceUnavailable", "RequestTimeout",
		"RequestTimeoutException", "IDPCommunicationError" };
	size_t i;

	if (status == 429 || status >= 500 || status == 0)
		return 1;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static fx_err
parse_answer(const struct aws_service *s, const struct buf *body, json_t **doc)
{
	json_error_t je;
	json_t *root, *inner;
	fx_err rc;

	*doc = NULL;
	if (s->proto == PROTO_JSON || s->proto == PROTO_REST_JSON) {
		root = body->len ? json_loadb(body->data, body->len,
				       JSON_REJECT_DUPLICATES, &je)
				 : json_object();
		if (root == NULL || !json_is_object(root)) {
			json_decref(root);
			return FX_EINVAL;
		}
		*doc = root;
		return FX_OK;
	}
	if (body->len == 0) {
		*doc = json_object();
		return *doc != NULL ? FX_OK : FX_ENOMEM;
	}
	if ((rc = aws_xml_to_json(body->data, body->len, s->list_tags,
		 &root)) != FX_OK)
		return rc;
	inner = json_object_iter_value(json_object_iter(root));
	*doc = json_incref(inner != NULL ? inner : root);
	json_decref(root);
	return FX_OK;
}

static void
backoff(const struct aws_client *c, int attempt)
{
	int64_t cap = c->cfg ? c->cfg->backoff_base_ms : 200, max;
	uint32_t rnd = 0;
	int i;

	max = c->cfg ? c->cfg->backoff_max_ms : 20000;
	for (i = 1; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	if (RAND_bytes((unsigned char *)&rnd, sizeof(rnd)) != 1)
		rnd = (uint32_t)fx_mono_ms();
	fx_sleep_ms(cap > 0 ? (int64_t)(rnd % (uint32_t)(cap + 1)) : 0);
}

static fx_err
build_headers(const struct prepared *p, const struct aws_creds *cr,
    struct curl_slist **l)
{
	struct curl_slist *n;
	fx_err rc;

	if ((rc = slist_add(l, "X-Amz-Date", p->amz_date)) != FX_OK)
		return rc;
	if (p->ctype != NULL &&
	    (rc = slist_add(l, "Content-Type", p->ctype)) != FX_OK)
		return rc;
	if (p->target.len > 0 &&
	    (rc = slist_add(l, "X-Amz-Target", buf_str(&p->target))) != FX_OK)
		return rc;
	if (p->content_sha[0] != '\0' &&
	    (rc = slist_add(l, "X-Amz-Content-SHA256", p->content_sha)) !=
		FX_OK)
		return rc;
	if (p->owner != NULL &&
	    (rc = slist_add(l, "X-Amz-Expected-Bucket-Owner", p->owner)) !=
		FX_OK)
		return rc;
	if (p->content_md5[0] != '\0' &&
	    (rc = slist_add(l, "Content-MD5", p->content_md5)) != FX_OK)
		return rc;
	if (cr != NULL && cr->session_token != NULL &&
	    (rc = slist_add(l, "X-Amz-Security-Token", cr->session_token)) !=
		FX_OK)
		return rc;
	if (p->authz.len > 0 &&
	    (rc = slist_add(l, "Authorization", buf_str(&p->authz))) != FX_OK)
		return rc;
	if ((n = curl_slist_append(*l, "Expect:")) == NULL)
		return FX_ENOMEM;
	*l = n;
	return FX_OK;
}

/*
 * A REST-JSON error (EKS, API Gateway): the code is the x-amzn-ErrorType header (up
 * to any ':'), the message the body's "message" (or "Message").
 */
static void
rest_json_error(const struct aws_client *c, struct aws_error *e)
{
	json_error_t je;
	json_t *j = NULL;
	const char *msg;
	size_t n = strcspn(c->error_type, ":");

	if (n == 0 || n >= sizeof(e->code))
		return;
	memcpy(e->code, c->error_type, n);
	e->code[n] = '\0';
	if (c->body.len > 0)
		j = json_loadb(c->body.data, c->body.len, 0, &je);
	if ((msg = aws_j_str(j, "message")) == NULL)
		msg = aws_j_str(j, "Message");
	if (msg != NULL)
		snprintf(e->message, sizeof(e->message), "%s", msg);
	for (n = 0; e->message[n] != '\0'; n++)
		if ((unsigned char)e->message[n] < ' ')
			e->message[n] = ' ';
	json_decref(j);
}

/* one attempt: FX_OK (2xx), FX_EREMOTE, FX_ERETRY or a local error */
static fx_err
attempt(struct aws_client *c, const struct aws_creds *cr,
    const struct aws_req *r, struct aws_resp *out)
{
	const struct aws_service *s = aws_service(r->svc);
	struct prepared p;
	struct curl_slist *l = NULL;
	fx_err rc;

	memset(&p, 0, sizeof(p));
	buf_init(&p.body, FX_MAX_AWS_REQUEST);
	buf_init(&p.url, AWS_MAX_URL);
	rc = prepare(c, cr, r, &p);
	if (rc != FX_OK)
		goto out;
	rc = build_headers(&p, cr, &l);
	if (rc != FX_OK)
		goto out;
	rc = perform(c, p.method, buf_str(&p.url), l, &p.body, &out->status);
	if (rc != FX_OK) {
		rc = FX_ERETRY; /* transport: worth another try */
		goto out;
	}
	memset(&out->err, 0, sizeof(out->err));
	snprintf(out->bucket_region, sizeof(out->bucket_region), "%s",
	    c->bucket_region);
	if (out->status >= 200 && out->status < 300) {
		json_decref(out->doc);
		rc = parse_answer(s, &c->body, &out->doc);
		goto out;
	}
	if (aws_error_parse(c->body.data ? c->body.data : "", c->body.len,
		&out->err) != FX_OK)
		memset(&out->err, 0, sizeof(out->err));
	/* REST-JSON (EKS, API Gateway): the code in x-amzn-ErrorType
	 * ("NotFoundException:http://..."), the body's "message" */
	if (s->proto == PROTO_REST_JSON && out->err.code[0] == '\0')
		rest_json_error(c, &out->err);
	if (out->err.request_id[0] == '\0')
		memcpy(out->err.request_id, c->request_id,
		    sizeof(out->err.request_id));
	rc = retryable(out->status, out->err.code) ? FX_ERETRY : FX_EREMOTE;
out:
	fxcurl_slist_wipe(l);
	prepared_release(&p);
	return rc;
}

fx_err
aws_call(struct aws_client *c, const struct aws_creds *cr,
    const struct aws_req *r, struct aws_resp *out)
{
	int max = c->cfg != NULL && c->cfg->max_attempts > 0
		      ? c->cfg->max_attempts
		      : 1;
	fx_err rc;

	if ((unsigned)r->svc >= AWS_SVC__COUNT)
		return FX_EINVAL;
	for (out->attempts = 1;; out->attempts++) {
		(void)aws_pace_wait(c->pace, r->svc, r->action, r->account,
		    r->region);
		rc = attempt(c, cr, r, out);
		if (rc != FX_ERETRY || out->attempts >= max)
			break;
		/* a 5xx without an AWS body (a proxy's HTML page) is still
		 * an answer: say its status, not "transport error" */
		if (out->err.code[0] != '\0' || out->status == 0)
			log_debug("%s: %s %s: %s, retrying (attempt %d of %d)",
			    __func__, aws_service(r->svc)->name,
			    r->action ? r->action : "?",
			    out->err.code[0] ? out->err.code
					     : "transport error",
			    out->attempts, max);
		else
			log_debug("%s: %s %s: HTTP %ld without an AWS error "
				  "body, retrying (attempt %d of %d)",
			    __func__, aws_service(r->svc)->name,
			    r->action ? r->action : "?", out->status,
			    out->attempts, max);
		backoff(c, out->attempts);
	}
	if (rc == FX_ERETRY && out->status == 0)
		rc = FX_EHTTP;
	return rc;
}
