/*
 * aws_sigv4.c - AWS Signature Version 4, header signing (see aws_sigv4.h).
 *
 * Canonical request, one item a line:
 *   METHOD, URI, QUERY, "name:value" per header, "", SIGNED-HEADERS, HASH
 * String to sign: algorithm, amz_date, scope, hex SHA-256 of the above.
 * Signing key: HMAC-SHA256 chain "AWS4" secret -> day -> region ->
 * service -> "aws4_request"; the signature is its hex HMAC of the string
 * to sign. The derived keys live on the stack and are wiped before return.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fxlimits.h"
#include "aws_sigv4.h"
#include "fxutil.h"
#include "banned.h"

#define V4_ALGO		  "AWS4-HMAC-SHA256"
#define V4_TERM		  "aws4_request"
#define V4_KEY_PREFIX	  "AWS4"
#define V4_KEY_PREFIX_LEN 4
#define V4_HASH_LEN	  32
#define V4_HEX_LEN	  (2 * V4_HASH_LEN)
#define V4_DATE_LEN	  16 /* YYYYMMDDTHHMMSSZ */
#define V4_DAY_LEN	  8  /* YYYYMMDD, the scope date */

struct v4_span {
	const char *p;
	size_t n;
};

struct v4_param {
	const char *k; /* encoded key */
	const char *v; /* encoded value */
};

struct v4_hdr {
	const char *name;
	const char *value;
	size_t idx; /* given position: repeated names keep order */
};

static int
v4_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

static char
v4_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* RFC 9110 token: method and header names */
static int
v4_token_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!v4_alnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	return 1;
}

/* header value: no control characters but tab (no CR/LF injection) */
static int
v4_value_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return 0;
	for (; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

/* region, service: non-empty, nothing that would break the scope */
static int
v4_scope_part_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!v4_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static int
v4_date_ok(const char *d)
{
	size_t i;

	if (d == NULL || strnlen(d, V4_DATE_LEN + 1) != V4_DATE_LEN)
		return 0;
	for (i = 0; i < V4_DATE_LEN; i++) {
		if (i == V4_DAY_LEN) {
			if (d[i] != 'T')
				return 0;
		} else if (i == V4_DATE_LEN - 1) {
			if (d[i] != 'Z')
				return 0;
		} else if (d[i] < '0' || d[i] > '9')
			return 0;
	}
	return 1;
}

/* access key id: printable, no space, no ',' or '/' (credential syntax) */
static int
v4_creds_ok(const struct sigv4_creds *c)
{
	const char *s;

	if (c == NULL || c->access_key_id == NULL ||
	    *c->access_key_id == '\0' || c->secret_key == NULL ||
	    *c->secret_key == '\0')
		return 0;
	for (s = c->access_key_id; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    *s == ',' || *s == '/')
			return 0;
	return 1;
}

static fx_err
v4_check_req(const struct sigv4_req *r)
{
	if (r == NULL || !v4_token_ok(r->method) ||
	    !v4_scope_part_ok(r->region) || !v4_scope_part_ok(r->service) ||
	    !v4_date_ok(r->amz_date) || (r->hdrs == NULL && r->nhdrs > 0) ||
	    (r->body == NULL && r->body_len > 0) ||
	    (r->payload_hash != NULL && !v4_token_ok(r->payload_hash)))
		return FX_EINVAL;
	return FX_OK;
}

static void
v4_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static fx_err
v4_sha256(const void *p, size_t n, unsigned char md[V4_HASH_LEN])
{
	unsigned int len = 0;

	if (p == NULL && n > 0)
		return FX_EINVAL;
	if (!EVP_Digest(p != NULL ? p : "", n, md, &len, EVP_sha256(), NULL) ||
	    len != V4_HASH_LEN)
		return FX_ENOMEM;
	return FX_OK;
}

static fx_err
v4_hmac(const void *key, size_t klen, const void *msg, size_t n,
    unsigned char mac[V4_HASH_LEN])
{
	unsigned int len = 0;

	if (klen > INT_MAX)
		return FX_EINVAL;
	if (HMAC(EVP_sha256(), key, (int)klen, msg, n, mac, &len) == NULL ||
	    len != V4_HASH_LEN)
		return FX_ENOMEM;
	return FX_OK;
}

void
sigv4_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[V4_HASH_LEN];

	if (v4_sha256(p, n, md) != FX_OK) {
		out[0] = '\0';
		return;
	}
	v4_hex(md, sizeof(md), out);
}

fx_err
sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash)
{
	if (out == NULL)
		return FX_EINVAL;
	return buf_add_uri(out, s, n, keep_slash);
}

/* S3: the path as sent, only checked for bytes that have no place in it */
static fx_err
v4_path_as_is(struct buf *out, const char *path)
{
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return FX_EINVAL;
	return buf_adds(out, path);
}

/*
 * RFC 3986 remove_dot_segments with empty segments dropped ('//' -> '/'),
 * each remaining segment encoded once more. A trailing '/' survives, and
 * a final "." or ".." leaves one, as in RFC 3986.
 */
static fx_err
v4_path_normalized(struct buf *out, const char *path)
{
	struct v4_span *seg = NULL;
	const char *p, *e;
	size_t i, n = 0, max = 1;
	int trailing = 0;
	fx_err rc = FX_ENOMEM;

	for (p = path; *p != '\0'; p++)
		max += *p == '/';
	if ((seg = calloc(max, sizeof(*seg))) == NULL)
		goto out;
	for (p = path; *p != '\0'; p = e) {
		if (*p == '/') {
			e = p + 1;
			continue;
		}
		e = p + strcspn(p, "/");
		trailing = *e == '/';
		if (e - p == 1 && p[0] == '.') {
			trailing = 1;
		} else if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
			trailing = 1;
		} else {
			seg[n].p = p;
			seg[n++].n = (size_t)(e - p);
		}
	}
	if ((rc = buf_addc(out, '/')) != FX_OK)
		goto out;
	for (i = 0; i < n; i++) {
		rc = sigv4_uri_encode(out, seg[i].p, seg[i].n, 0);
		if (rc != FX_OK)
			goto out;
		if (i + 1 < n || trailing) {
			rc = buf_addc(out, '/');
			if (rc != FX_OK)
				goto out;
		}
	}
	rc = FX_OK;
out:
	free(seg);
	return rc;
}

static fx_err
v4_canon_path(struct buf *out, const struct sigv4_req *r)
{
	if (r->path == NULL || r->path[0] == '\0')
		return buf_addc(out, '/');
	if (r->path[0] != '/')
		return FX_EINVAL;
	if (r->no_normalize)
		return v4_path_as_is(out, r->path);
	return v4_path_normalized(out, r->path);
}

/* percent-decoding ('+' stays '+'); a broken %XX is FX_EINVAL */
static fx_err
v4_decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int hi, lo;
	fx_err rc;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			rc = buf_addc(out, s[i]);
		} else {
			if (n - i < 3 || (hi = fx_hexval(s[i + 1])) < 0 ||
			    (lo = fx_hexval(s[i + 2])) < 0)
				return FX_EINVAL;
			rc = buf_addc(out, (char)(hi << 4 | lo));
			i += 2;
		}
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

/* decode s[0..n) into tmp, append it re-encoded and NUL-ended to st */
static fx_err
v4_recode(struct buf *st, struct buf *tmp, const char *s, size_t n)
{
	fx_err rc;

	buf_reset(tmp);
	rc = v4_decode(tmp, s, n);
	if (rc != FX_OK)
		return rc;
	rc = sigv4_uri_encode(st, tmp->data, tmp->len, 0);
	if (rc != FX_OK)
		return rc;
	return buf_add(st, "", 1);
}

static int
v4_param_cmp(const void *a, const void *b)
{
	const struct v4_param *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c != 0 ? c : strcmp(x->v, y->v);
}

/*
 * Splits on '&' (empty pieces skipped), key and value at the first '='
 * (none: empty value); both re-encoded into st, one NUL-ended string
 * each; the offsets of each pair are written to off, their count to *np.
 */
static fx_err
v4_query_split(const char *q, struct buf *st, size_t *off, size_t *np)
{
	struct buf tmp = BUF_INIT;
	const char *e, *eq;
	fx_err rc = FX_OK;

	*np = 0;
	for (; *q != '\0'; q = *e != '\0' ? e + 1 : e) {
		e = q + strcspn(q, "&");
		if (e == q)
			continue;
		if ((eq = memchr(q, '=', (size_t)(e - q))) == NULL)
			eq = e;
		off[2 * *np] = st->len;
		if ((rc = v4_recode(st, &tmp, q, (size_t)(eq - q))) != FX_OK)
			goto out;
		off[2 * *np + 1] = st->len;
		rc = v4_recode(st, &tmp, eq < e ? eq + 1 : e,
		    eq < e ? (size_t)(e - eq - 1) : 0);
		if (rc != FX_OK)
			goto out;
		(*np)++;
	}
out:
	buf_release(&tmp);
	return rc;
}

static fx_err
v4_canon_query(struct buf *out, const char *q)
{
	struct buf st = BUF_INIT;
	struct v4_param *pv = NULL;
	size_t *off = NULL, i, np = 1;
	fx_err rc = FX_ENOMEM;

	if (q == NULL || *q == '\0')
		return FX_OK;
	for (i = 0; q[i] != '\0'; i++)
		np += q[i] == '&';
	off = calloc(np, 2 * sizeof(*off));
	if (off == NULL)
		goto out;
	pv = calloc(np, sizeof(*pv));
	if (pv == NULL)
		goto out;
	rc = v4_query_split(q, &st, off, &np);
	if (rc != FX_OK)
		goto out;
	/* st no longer grows: its offsets can become pointers */
	for (i = 0; i < np; i++) {
		pv[i].k = st.data + off[2 * i];
		pv[i].v = st.data + off[2 * i + 1];
	}
	if (np > 1)
		qsort(pv, np, sizeof(*pv), v4_param_cmp);
	for (i = 0; i < np; i++)
		if ((rc = buf_addf(out, "%s%s=%s", i > 0 ? "&" : "", pv[i].k,
			 pv[i].v)) != FX_OK)
			goto out;
	rc = FX_OK;
out:
	free(pv);
	free(off);
	buf_release(&st);
	return rc;
}

static int
v4_casecmp(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)v4_lower(*a++);
		y = (unsigned char)v4_lower(*b++);
	} while (x != '\0' && x == y);
	return (int)x - (int)y;
}

static int
v4_hdr_cmp(const void *a, const void *b)
{
	const struct v4_hdr *x = a, *y = b;
	int c = v4_casecmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static fx_err
v4_add_lower(struct buf *out, const char *s)
{
	fx_err rc = FX_OK;

	for (; *s != '\0' && rc == FX_OK; s++)
		rc = buf_addc(out, v4_lower(*s));
	return rc;
}

/* value trimmed of spaces and tabs, inner runs of spaces made one */
static fx_err
v4_add_value(struct buf *out, const char *v)
{
	size_t i = 0, n = strlen(v);
	fx_err rc = FX_OK;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	/* v[i] is no space at the first i, so v[i - 1] is never v[-1] */
	for (; i < n && rc == FX_OK; i++)
		if (v[i] != ' ' || v[i - 1] != ' ')
			rc = buf_addc(out, v[i]);
	return rc;
}

/* "name:" into creq, "name" into sh, after a ';' unless it is the first */
static fx_err
v4_add_header_name(struct buf *creq, struct buf *sh, const char *name, int sep)
{
	fx_err rc;

	if (sep) {
		rc = buf_addc(sh, ';');
		if (rc != FX_OK)
			return rc;
	}
	rc = v4_add_lower(sh, name);
	if (rc != FX_OK)
		return rc;
	rc = v4_add_lower(creq, name);
	if (rc != FX_OK)
		return rc;
	return buf_addc(creq, ':');
}

/* "name:v1,v2\n" per distinct name into creq, "a;b" into sh */
static fx_err
v4_canon_headers(struct buf *creq, struct buf *sh, const struct sigv4_req *r)
{
	struct v4_hdr *h = NULL;
	size_t i, j;
	int host = 0;
	fx_err rc = FX_EINVAL;

	if (r->nhdrs == 0)
		goto out;
	if ((h = calloc(r->nhdrs, sizeof(*h))) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	for (i = 0; i < r->nhdrs; i++) {
		if (!v4_token_ok(r->hdrs[i].name) ||
		    !v4_value_ok(r->hdrs[i].value))
			goto out;
		host |= v4_casecmp(r->hdrs[i].name, "host") == 0;
		h[i].name = r->hdrs[i].name;
		h[i].value = r->hdrs[i].value;
		h[i].idx = i;
	}
	if (!host)
		goto out;
	qsort(h, r->nhdrs, sizeof(*h), v4_hdr_cmp);
	for (i = 0; i < r->nhdrs; i = j) {
		rc = v4_add_header_name(creq, sh, h[i].name, i > 0);
		if (rc != FX_OK)
			goto out;
		for (j = i;
		     j < r->nhdrs && v4_casecmp(h[j].name, h[i].name) == 0;
		     j++) {
			if (j > i) {
				rc = buf_addc(creq, ',');
				if (rc != FX_OK)
					goto out;
			}
			rc = v4_add_value(creq, h[j].value);
			if (rc != FX_OK)
				goto out;
		}
		rc = buf_addc(creq, '\n');
		if (rc != FX_OK)
			goto out;
	}
	rc = FX_OK;
out:
	free(h);
	return rc;
}

fx_err
sigv4_canonical_request(const struct sigv4_req *r, struct buf *creq,
    struct buf *signed_headers)
{
	struct buf path = BUF_INIT, query = BUF_INIT;
	char hash[V4_HEX_LEN + 1];
	unsigned char md[V4_HASH_LEN];
	size_t sh0;
	fx_err rc;

	if (creq == NULL || signed_headers == NULL)
		return FX_EINVAL;
	rc = v4_check_req(r);
	if (rc != FX_OK)
		return rc;
	sh0 = signed_headers->len;
	rc = v4_sha256(r->body, r->body_len, md);
	if (rc != FX_OK)
		return rc;
	v4_hex(md, sizeof(md), hash);
	rc = v4_canon_path(&path, r);
	if (rc != FX_OK)
		goto out;
	rc = v4_canon_query(&query, r->query);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(creq, "%s\n%s\n%s\n", r->method, buf_str(&path),
	    buf_str(&query));
	if (rc != FX_OK)
		goto out;
	rc = v4_canon_headers(creq, signed_headers, r);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(creq, "\n%s\n%s", buf_str(signed_headers) + sh0,
	    r->payload_hash != NULL ? r->payload_hash : hash);
out:
	buf_release(&query);
	buf_release(&path);
	return rc;
}

/* "<day>/<region>/<service>/aws4_request" */
static fx_err
v4_scope(struct buf *out, const struct sigv4_req *r)
{
	return buf_addf(out, "%.*s/%s/%s/" V4_TERM, V4_DAY_LEN, r->amz_date,
	    r->region, r->service);
}

fx_err
sigv4_string_to_sign(const struct sigv4_req *r, const char *creq,
    struct buf *sts)
{
	char hash[V4_HEX_LEN + 1];
	unsigned char md[V4_HASH_LEN];
	fx_err rc;

	if (creq == NULL || sts == NULL)
		return FX_EINVAL;
	rc = v4_check_req(r);
	if (rc != FX_OK)
		return rc;
	rc = v4_sha256(creq, strlen(creq), md);
	if (rc != FX_OK)
		return rc;
	v4_hex(md, sizeof(md), hash);
	rc = buf_addf(sts, V4_ALGO "\n%s\n", r->amz_date);
	if (rc != FX_OK)
		return rc;
	rc = v4_scope(sts, r);
	if (rc != FX_OK)
		return rc;
	return buf_addf(sts, "\n%s", hash);
}

/* the HMAC chain from "AWS4" secret down to the signing key */
static fx_err
v4_signing_key(const struct sigv4_req *r, const char *secret,
    unsigned char key[V4_HASH_LEN])
{
	unsigned char k0[V4_KEY_PREFIX_LEN + FX_MAX_SECRET];
	unsigned char k1[V4_HASH_LEN], k2[V4_HASH_LEN];
	size_t n = strnlen(secret, FX_MAX_SECRET + 1);
	fx_err rc = FX_EINVAL;

	if (n == 0 || n > FX_MAX_SECRET)
		goto out;
	memcpy(k0, V4_KEY_PREFIX, V4_KEY_PREFIX_LEN);
	memcpy(k0 + V4_KEY_PREFIX_LEN, secret, n);
	rc = v4_hmac(k0, V4_KEY_PREFIX_LEN + n, r->amz_date, V4_DAY_LEN, k1);
	if (rc != FX_OK)
		goto out;
	rc = v4_hmac(k1, sizeof(k1), r->region, strlen(r->region), k2);
	if (rc != FX_OK)
		goto out;
	rc = v4_hmac(k2, sizeof(k2), r->service, strlen(r->service), k1);
	if (rc != FX_OK)
		goto out;
	rc = v4_hmac(k1, sizeof(k1), V4_TERM, strlen(V4_TERM), key);
out:
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	return rc;
}

fx_err
sigv4_authorization(const struct sigv4_req *r, const struct sigv4_creds *c,
    struct buf *authz)
{
	struct buf creq = BUF_INIT, sh = BUF_INIT, sts = BUF_INIT;
	unsigned char key[V4_HASH_LEN], mac[V4_HASH_LEN];
	char sig[V4_HEX_LEN + 1];
	fx_err rc = FX_EINVAL;

	if (authz == NULL || !v4_creds_ok(c))
		goto out;
	rc = sigv4_canonical_request(r, &creq, &sh);
	if (rc != FX_OK)
		goto out;
	rc = sigv4_string_to_sign(r, buf_str(&creq), &sts);
	if (rc != FX_OK)
		goto out;
	rc = v4_signing_key(r, c->secret_key, key);
	if (rc != FX_OK)
		goto out;
	rc = v4_hmac(key, sizeof(key), sts.data, sts.len, mac);
	if (rc != FX_OK)
		goto out;
	v4_hex(mac, sizeof(mac), sig);
	rc = buf_addf(authz, V4_ALGO " Credential=%s/", c->access_key_id);
	if (rc != FX_OK)
		goto out;
	rc = v4_scope(authz, r);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(authz, ", SignedHeaders=%s, Signature=%s", buf_str(&sh),
	    sig);
out:
	OPENSSL_cleanse(key, sizeof(key));
	buf_release(&sts);
	buf_release(&sh);
	buf_release(&creq);
	return rc;
}
