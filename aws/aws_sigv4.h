/*
 * aws_sigv4.h - AWS Signature Version 4 (HMAC-SHA256), header signing.
 *
 * Pure functions: no clock, no I/O, no allocation beyond the output bufs.
 * The caller passes every header it will send and wants signed (host
 * included; x-amz-date and, with temporary credentials,
 * x-amz-security-token already among them), the body, the scope and the
 * time. Header names are matched case-insensitively and lower-cased;
 * values are trimmed and inner runs of spaces collapsed; repeated names are
 * joined with ',' in the order given. Paths are normalised (RFC 3986 dot
 * segments, '//' collapsed) and each segment URI-encoded once more, unless
 * no_normalize is set (S3). The query string is decoded, re-encoded
 * (RFC 3986 unreserved set) and sorted by key, then value.
 *
 * Outputs are appended to caller-owned bufs; on error the bufs may hold a
 * partial result. The secret key never appears in any output.
 */
#ifndef FIXIT_AWS_SIGV4_H
#define FIXIT_AWS_SIGV4_H

#include <stddef.h>

#include "buf.h"
#include "fxerr.h"

struct aws_hdr {
	const char *name;
	const char *value;
};

struct sigv4_req {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* as sent, percent-encoded; NULL/"" = "/" */
	const char *query;  /* as sent, without '?'; NULL = none */
	const struct aws_hdr *hdrs; /* headers to sign (host included) */
	size_t nhdrs;
	const void *body; /* NULL with body_len 0 = empty */
	size_t body_len;
	const char *region;   /* "us-east-1" */
	const char *service;  /* signing name: "ec2", "sts", ... */
	const char *amz_date; /* "YYYYMMDDTHHMMSSZ" */
	int no_normalize;     /* 1 for S3: path used as is */
	/*
	 * The last line of the canonical request: NULL = the hex SHA-256
	 * of the body; else used as is. S3 signs what its
	 * x-amz-content-sha256 header says: that hash, or
	 * "UNSIGNED-PAYLOAD" (SIGV4_UNSIGNED) for a body not hashed.
	 */
	const char *payload_hash;
};

#define SIGV4_UNSIGNED "UNSIGNED-PAYLOAD"

struct sigv4_creds {
	const char *access_key_id;
	const char *secret_key;
	const char *session_token; /* NULL for long-term keys; the
					 * caller sends and signs it */
};

/* canonical request; *signed_headers gets "host;x-amz-date" form */
fx_err sigv4_canonical_request(const struct sigv4_req *r, struct buf *creq,
    struct buf *signed_headers) FX_WUR;
/* "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256(creq)>" */
fx_err sigv4_string_to_sign(const struct sigv4_req *r, const char *creq,
    struct buf *sts) FX_WUR;
/* the whole Authorization header value */
fx_err sigv4_authorization(const struct sigv4_req *r,
    const struct sigv4_creds *c, struct buf *authz) FX_WUR;

/* lower-case hex SHA-256 of p[0..n) into out (65 bytes incl. NUL) */
void sigv4_sha256_hex(const void *p, size_t n, char out[65]);
/*
 * RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
 * (A-Z a-z 0-9 - . _ ~) kept, everything else %XX upper-case; '/' kept
 * when keep_slash. Used for form bodies and query strings too.
 */
fx_err sigv4_uri_encode(struct buf *out, const char *s, size_t n,
    int keep_slash) FX_WUR;

#endif
