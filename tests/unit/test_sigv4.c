/*
 * test_sigv4.c - AWS SigV4 signing against the official AWS test suite
 * (tests/data/sigv4/: every case folder is found by reading the
 * directories, none is listed here), four real-service vectors
 * (tests/data/sigv4-service-vectors/), the encoder and bad input.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aws_sigv4.h"
#include "buf.h"
#include "fxerr.h"
#include "testhelp.h"
#include "banned.h"

#define T_MAX_HDRS    32
#define T_MAX_ENTRIES 128 /* folder entries per suite directory */
#define T_MAX_DEPTH   2	  /* sigv4/<group>/<case> */
#define T_MIN_CASES   30
#define T_NVECTORS    4

static const char t_akid[] = "AKIDEXAMPLE";
static const char t_secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const char t_date[] = "20150830T123600Z";
static const char t_tok_hdr[] = "X-Amz-Security-Token";
static const char t_empty_sha[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/* its .sreq carries the get-vanilla signature (suite README, quirks) */
static const char t_bad_sreq[] = "get-vanilla-with-session-token";

/* one parsed request: .req of the suite or request.txt of a vector */
struct treq {
	struct buf method, path, query, body;
	struct buf head; /* request line and header lines as read */
	struct buf name[T_MAX_HDRS], value[T_MAX_HDRS];
	struct aws_hdr hdrs[T_MAX_HDRS];
	size_t nhdrs;
	int has_query;
};

static void
treq_init(struct treq *t)
{
	memset(t, 0, sizeof(*t));
}

static void
treq_release(struct treq *t)
{
	size_t i;

	buf_release(&t->method);
	buf_release(&t->path);
	buf_release(&t->query);
	buf_release(&t->body);
	buf_release(&t->head);
	for (i = 0; i < T_MAX_HDRS; i++) {
		buf_release(&t->name[i]);
		buf_release(&t->value[i]);
	}
}

static fx_err
read_file(const char *path, struct buf *out)
{
	char chunk[4096];
	FILE *f = NULL;
	size_t n;
	fx_err rc = FX_EIO;

	if ((f = fopen(path, "rb")) == NULL)
		goto out;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = buf_add(out, chunk, n)) != FX_OK)
			goto out;
	rc = ferror(f) ? FX_EIO : FX_OK;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

/* adds a header, or a continuation line to the last one */
static fx_err
add_header_line(struct treq *t, const char *p, size_t n)
{
	const char *colon;
	fx_err rc;

	if (*p == ' ' || *p == '\t') {
		if (t->nhdrs == 0)
			return FX_EINVAL;
		if ((rc = buf_addc(&t->value[t->nhdrs - 1], ' ')) != FX_OK)
			return rc;
		return buf_add(&t->value[t->nhdrs - 1], p, n);
	}
	if (t->nhdrs == T_MAX_HDRS || (colon = memchr(p, ':', n)) == NULL ||
	    colon == p)
		return FX_EINVAL;
	rc = buf_add(&t->name[t->nhdrs], p, (size_t)(colon - p));
	if (rc != FX_OK)
		return rc;
	rc = buf_add(&t->value[t->nhdrs], colon + 1,
	    n - (size_t)(colon - p) - 1);
	if (rc != FX_OK)
		return rc;
	t->nhdrs++;
	return FX_OK;
}

static void
set_hdr_ptrs(struct treq *t)
{
	size_t i;

	for (i = 0; i < t->nhdrs; i++) {
		t->hdrs[i].name = buf_str(&t->name[i]);
		t->hdrs[i].value = buf_str(&t->value[i]);
	}
}

/* header lines up to an empty line, the rest is the body */
static fx_err
parse_headers(struct treq *t, const char *p, const char *end)
{
	const char *nl, *le;
	fx_err rc;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		if (le == p) {
			if ((rc = buf_add(&t->body, p + 1,
				 (size_t)(end - p - 1))) != FX_OK)
				return rc;
			break;
		}
		rc = buf_addf(&t->head, "\n%.*s", (int)(le - p), p);
		if (rc != FX_OK)
			return rc;
		rc = add_header_line(t, p, (size_t)(le - p));
		if (rc != FX_OK)
			return rc;
		p = nl != NULL ? nl + 1 : end;
	}
	set_hdr_ptrs(t);
	return FX_OK;
}

/* "/path?query" -> path, query */
static fx_err
split_target(struct treq *t, const char *p, size_t n)
{
	const char *q = memchr(p, '?', n);
	fx_err rc;

	if (q == NULL)
		return buf_add(&t->path, p, n);
	t->has_query = 1;
	if ((rc = buf_add(&t->path, p, (size_t)(q - p))) != FX_OK)
		return rc;
	return buf_add(&t->query, q + 1, n - (size_t)(q - p) - 1);
}

/* suite .req: "METHOD <raw target, may hold spaces> HTTP/1.1" */
static fx_err
parse_suite_req(struct treq *t, const struct buf *raw)
{
	const char *p = buf_str(raw), *end = p + raw->len;
	const char *nl, *sp1, *sp2;
	fx_err rc;

	if ((nl = memchr(p, '\n', raw->len)) == NULL)
		nl = end;
	if ((sp1 = memchr(p, ' ', (size_t)(nl - p))) == NULL)
		return FX_EINVAL;
	for (sp2 = nl - 1; sp2 > sp1 && *sp2 != ' '; sp2--)
		;
	if (sp2 == sp1 || strncmp(sp2 + 1, "HTTP/", 5) != 0)
		return FX_EINVAL;
	rc = buf_add(&t->method, p, (size_t)(sp1 - p));
	if (rc != FX_OK)
		return rc;
	rc = split_target(t, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (rc != FX_OK)
		return rc;
	rc = buf_add(&t->head, p, (size_t)(nl - p));
	if (rc != FX_OK)
		return rc;
	return parse_headers(t, nl < end ? nl + 1 : end, end);
}

/* the token as one more (signed) header */
static fx_err
add_token(struct treq *t, const char *tok)
{
	struct buf line = BUF_INIT;
	fx_err rc;

	rc = buf_addf(&line, "%s:%s", t_tok_hdr, tok);
	if (rc != FX_OK)
		goto out;
	rc = add_header_line(t, line.data, line.len);
out:
	buf_release(&line);
	set_hdr_ptrs(t);
	return rc;
}

/* vector request.txt: "METHOD https://host/path?query", Host first */
static fx_err
parse_vector_req(struct treq *t, const struct buf *raw)
{
	const char *p = buf_str(raw), *end = p + raw->len;
	const char *nl, *sp, *host, *he;
	fx_err rc;

	if ((nl = memchr(p, '\n', raw->len)) == NULL ||
	    (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
	    (host = strstr(sp, "://")) == NULL || host > nl)
		return FX_EINVAL;
	host += 3;
	he = host + strcspn(host, "/?\n");
	rc = buf_add(&t->method, p, (size_t)(sp - p));
	if (rc != FX_OK)
		return rc;
	rc = buf_adds(&t->name[0], "Host");
	if (rc != FX_OK)
		return rc;
	rc = buf_add(&t->value[0], host, (size_t)(he - host));
	if (rc != FX_OK)
		return rc;
	t->nhdrs = 1;
	if ((rc = split_target(t, he, (size_t)(nl - he))) != FX_OK)
		return rc;
	return parse_headers(t, nl + 1, end);
}

static void
fill_req(struct sigv4_req *r, const struct treq *t, const char *region,
    const char *service)
{
	memset(r, 0, sizeof(*r));
	r->method = buf_str(&t->method);
	r->path = buf_str(&t->path);
	r->query = t->has_query ? buf_str(&t->query) : NULL;
	r->hdrs = t->hdrs;
	r->nhdrs = t->nhdrs;
	r->body = t->body.len > 0 ? t->body.data : NULL;
	r->body_len = t->body.len;
	r->region = region;
	r->service = service;
	r->amz_date = t_date;
}

/* signs r and compares the three steps with the expected texts */
static void
check_signing(const struct sigv4_req *r, const struct sigv4_creds *c,
    const char *creq_want, const char *sts_want, const char *authz_want,
    struct buf *authz)
{
	struct buf creq = BUF_INIT, sh = BUF_INIT, sts = BUF_INIT;

	CHECK_INT(sigv4_canonical_request(r, &creq, &sh), FX_OK);
	CHECK_STR(buf_str(&creq), creq_want);
	CHECK_INT(sigv4_string_to_sign(r, buf_str(&creq), &sts), FX_OK);
	CHECK_STR(buf_str(&sts), sts_want);
	CHECK_INT(sigv4_authorization(r, c, authz), FX_OK);
	CHECK_STR(buf_str(authz), authz_want);
	CHECK(strstr(buf_str(authz), t_secret) == NULL);
	buf_release(&sts);
	buf_release(&sh);
	buf_release(&creq);
}

/* the value of the first line "<name>:..." of text, or "" */
static fx_err
find_line(const char *text, const char *name, struct buf *out)
{
	const char *p = text;
	size_t n = strlen(name);

	while (p != NULL) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			return buf_add(out, p, strcspn(p, "\n"));
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return FX_OK;
}

static int
has_header(const struct treq *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nhdrs; i++)
		if (strcasecmp(buf_str(&t->name[i]), name) == 0)
			return 1;
	return 0;
}

static fx_err
load_case(const char *dir, const char *name, struct buf f[5])
{
	static const char *const ext[5] = { "req", "creq", "sts", "authz",
		"sreq" };
	struct buf path = BUF_INIT;
	fx_err rc = FX_OK;
	size_t i;

	for (i = 0; i < 5; i++) {
		buf_reset(&path);
		rc = buf_addf(&path, "%s/%s.%s", dir, name, ext[i]);
		if (rc != FX_OK)
			break;
		rc = read_file(buf_str(&path), &f[i]);
		if (rc != FX_OK) {
			printf("  cannot read %s\n", buf_str(&path));
			break;
		}
	}
	buf_release(&path);
	return rc;
}

/*
 * The signed request as the suite writes it: request line and headers
 * as read, a token line added by the test, Authorization, then the body.
 */
static fx_err
build_sreq(const struct treq *t, const char *tok, const char *authz,
    struct buf *out)
{
	fx_err rc;

	rc = buf_addf(out, "%s\n", buf_str(&t->head));
	if (rc != FX_OK)
		return rc;
	if (*tok != '\0') {
		rc = buf_addf(out, "%s:%s\n", t_tok_hdr, tok);
		if (rc != FX_OK)
			return rc;
	}
	rc = buf_addf(out, "Authorization: %s", authz);
	if (rc != FX_OK || t->body.len == 0)
		return rc;
	rc = buf_adds(out, "\n\n");
	if (rc != FX_OK)
		return rc;
	return buf_add(out, t->body.data, t->body.len);
}

/*
 * One suite case. Session token: from the .creq when the case signs it
 * and the .req lacks it; from the .sreq when it is added after signing.
 */
static void
run_case(const char *dir, const char *name)
{
	struct buf f[5] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf tok = BUF_INIT, authz = BUF_INIT, sreq = BUF_INIT;
	struct sigv4_creds c = { t_akid, t_secret, NULL };
	struct sigv4_req r;
	struct treq t;
	size_t i;
	int after = 0;

	treq_init(&t);
	if (load_case(dir, name, f) != FX_OK ||
	    parse_suite_req(&t, &f[0]) != FX_OK) {
		CHECK(!"case loads and parses");
		goto out;
	}
	CHECK_INT(find_line(buf_str(&f[1]), "x-amz-security-token", &tok),
	    FX_OK);
	if (tok.len == 0) {
		CHECK_INT(find_line(buf_str(&f[4]), t_tok_hdr, &tok), FX_OK);
		after = tok.len > 0;
	}
	if (has_header(&t, t_tok_hdr))
		buf_reset(&tok); /* in the .req already: none added */
	if (tok.len > 0 && !after)
		CHECK_INT(add_token(&t, buf_str(&tok)), FX_OK);
	c.session_token = tok.len > 0 ? buf_str(&tok) : NULL;
	fill_req(&r, &t, "us-east-1", "service");
	check_signing(&r, &c, buf_str(&f[1]), buf_str(&f[2]), buf_str(&f[3]),
	    &authz);
	if (after)
		CHECK(strstr(buf_str(&authz), "x-amz-security-token") == NULL);
	CHECK_INT(build_sreq(&t, buf_str(&tok), buf_str(&authz), &sreq), FX_OK);
	if (strcmp(name, t_bad_sreq) == 0)
		printf("  (.sreq not compared: known wrong signature)\n");
	else
		CHECK_STR(buf_str(&sreq), buf_str(&f[4]));
out:
	for (i = 0; i < 5; i++)
		buf_release(&f[i]);
	buf_release(&sreq);
	buf_release(&authz);
	buf_release(&tok);
	treq_release(&t);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted names of the sub-folders of dir into names[], count returned */
static size_t
list_dirs(const char *dir, char *names[T_MAX_ENTRIES])
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d;
	size_t n = 0;

	if ((d = opendir(dir)) == NULL) {
		printf("  cannot open %s\n", dir);
		CHECK(!"suite folder opens");
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		if (buf_addf(&path, "%s/%s", dir, de->d_name) != FX_OK ||
		    !is_dir(buf_str(&path)))
			continue;
		CHECK(n < T_MAX_ENTRIES);
		if (n < T_MAX_ENTRIES &&
		    (names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	buf_release(&path);
	qsort(names, n, sizeof(*names), name_cmp);
	return n;
}

/*
 * A folder holding <name>.req is a case; any other folder is a group of
 * cases (normalize-path/, post-sts-token/) and must hold at least one.
 */
static size_t
walk_suite(const char *dir, size_t root_len, int depth)
{
	char *names[T_MAX_ENTRIES];
	struct buf sub = BUF_INIT, req = BUF_INIT;
	size_t i, n, found = 0, got;

	n = list_dirs(dir, names);
	for (i = 0; i < n; i++) {
		buf_reset(&sub);
		buf_reset(&req);
		if (buf_addf(&sub, "%s/%s", dir, names[i]) != FX_OK ||
		    buf_addf(&req, "%s/%s.req", buf_str(&sub), names[i]) !=
			FX_OK) {
			CHECK(!"path fits");
			continue;
		}
		if (access(buf_str(&req), R_OK) == 0) {
			TEST(buf_str(&sub) + root_len + 1)
				run_case(buf_str(&sub), names[i]);
			found++;
			continue;
		}
		got = depth < T_MAX_DEPTH
			  ? walk_suite(buf_str(&sub), root_len, depth + 1)
			  : 0;
		if (got == 0)
			printf("  FAIL no case in %s\n", buf_str(&sub));
		CHECK(got > 0);
		found += got;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	buf_release(&req);
	buf_release(&sub);
	return found;
}

static void
test_suite(const char *shared)
{
	struct buf dir = BUF_INIT;
	size_t n = 0;

	if (buf_addf(&dir, "%s/sigv4", shared) == FX_OK)
		n = walk_suite(buf_str(&dir), dir.len, 1);
	TEST("suite case count") {
		printf("  %zu suite cases\n", n);
		CHECK(n >= T_MIN_CASES);
	}
	buf_release(&dir);
}

static const struct vector {
	const char *dir;
	const char *region;
	const char *service;
} vectors[T_NVECTORS] = {
	{ "cloudtrail-lookup-events-json", "eu-west-1", "cloudtrail" },
	{ "ec2-describe-volumes-post", "us-east-1", "ec2" },
	{ "route53-list-resource-record-sets-get", "us-east-1", "route53" },
	{ "sts-assume-role-post", "us-east-1", "sts" },
};

static void
run_vector(const char *top, const struct vector *v)
{
	static const char *const file[4] = { "request.txt",
		"canonical-request.txt", "string-to-sign.txt",
		"authorization.txt" };
	struct buf f[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf path = BUF_INIT, authz = BUF_INIT, tok = BUF_INIT;
	struct sigv4_creds c = { t_akid, t_secret, NULL };
	struct sigv4_req r;
	struct treq t;
	size_t i;
	fx_err rc = FX_OK;

	treq_init(&t);
	for (i = 0; i < 4; i++) {
		buf_reset(&path);
		rc = buf_addf(&path, "%s/%s/%s", top, v->dir, file[i]);
		if (rc != FX_OK)
			break;
		rc = read_file(buf_str(&path), &f[i]);
		if (rc != FX_OK) {
			printf("  cannot read %s\n", buf_str(&path));
			break;
		}
	}
	if (rc != FX_OK || parse_vector_req(&t, &f[0]) != FX_OK) {
		CHECK(!"vector loads and parses");
		goto out;
	}
	CHECK_INT(find_line(buf_str(&f[0]), t_tok_hdr, &tok), FX_OK);
	CHECK(tok.len > 0);
	c.session_token = buf_str(&tok);
	fill_req(&r, &t, v->region, v->service);
	check_signing(&r, &c, buf_str(&f[1]), buf_str(&f[2]), buf_str(&f[3]),
	    &authz);
out:
	for (i = 0; i < 4; i++)
		buf_release(&f[i]);
	buf_release(&tok);
	buf_release(&authz);
	buf_release(&path);
	treq_release(&t);
}

static void
test_vectors(const char *shared)
{
	char *names[T_MAX_ENTRIES];
	struct buf top = BUF_INIT;
	size_t i, n;

	if (buf_addf(&top, "%s/sigv4-service-vectors", shared) != FX_OK)
		return;
	n = list_dirs(buf_str(&top), names);
	TEST("service vector folders: all known") {
		CHECK_INT(n, T_NVECTORS);
		for (i = 0; i < n && i < T_NVECTORS; i++)
			CHECK_STR(names[i], vectors[i].dir);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	for (i = 0; i < T_NVECTORS; i++)
		TEST(vectors[i].dir)
			run_vector(buf_str(&top), &vectors[i]);
	buf_release(&top);
}

/* sigv4_uri_encode of s[0..n) appended to prefix */
static void
check_enc(const char *s, size_t n, int keep_slash, const char *want)
{
	struct buf b = BUF_INIT;

	CHECK_INT(buf_adds(&b, "<"), FX_OK);
	CHECK_INT(sigv4_uri_encode(&b, s, n, keep_slash), FX_OK);
	CHECK_STR(buf_str(&b) + 1, want);
	CHECK(b.len > 0 && b.data[0] == '<');
	buf_release(&b);
}

static void
test_encode_hash(void)
{
	static const char unres[] = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	struct buf b = BUF_INIT;
	char hex[65];

	TEST("sigv4_uri_encode") {
		check_enc(unres, strlen(unres), 0, unres);
		check_enc("a b", 3, 0, "a%20b");
		check_enc("/a/b c/", 7, 1, "/a/b%20c/");
		check_enc("/a/b", 4, 0, "%2Fa%2Fb");
		check_enc("\xe1\x88\xb4", 3, 0, "%E1%88%B4");
		check_enc("+=&%?#*", 7, 1, "%2B%3D%26%25%3F%23%2A");
		check_enc("a\0b", 3, 0, "a%00b");
		check_enc("\xff", 1, 0, "%FF");
		check_enc(NULL, 0, 0, "");
		CHECK_INT(sigv4_uri_encode(NULL, "a", 1, 0), FX_EINVAL);
		CHECK_INT(sigv4_uri_encode(&b, NULL, 1, 0), FX_EINVAL);
		buf_init(&b, 4);
		CHECK_INT(sigv4_uri_encode(&b, "a b", 3, 0), FX_ETOOBIG);
		buf_release(&b);
	}
	TEST("sigv4_sha256_hex") {
		sigv4_sha256_hex("", 0, hex);
		CHECK_STR(hex, t_empty_sha);
		sigv4_sha256_hex(NULL, 0, hex);
		CHECK_STR(hex, t_empty_sha);
		sigv4_sha256_hex("abc", 3, hex);
		CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
			       "b00361a396177a9cb410ff61f20015ad");
	}
}

static const struct aws_hdr t_host[] = {
	{ "Host", "example.amazonaws.com" },
	{ "X-Amz-Date", "20150830T123600Z" },
};

static void
base_req(struct sigv4_req *r)
{
	memset(r, 0, sizeof(*r));
	r->method = "GET";
	r->path = "/";
	r->hdrs = t_host;
	r->nhdrs = 2;
	r->region = "us-east-1";
	r->service = "service";
	r->amz_date = t_date;
}

/* the first three lines of the canonical request for path and query */
static void
check_uri(const char *path, const char *query, int no_norm, const char *want)
{
	struct buf creq = BUF_INIT, sh = BUF_INIT;
	struct sigv4_req r;
	size_t n = strlen(want);

	base_req(&r);
	r.path = path;
	r.query = query;
	r.no_normalize = no_norm;
	CHECK_INT(sigv4_canonical_request(&r, &creq, &sh), FX_OK);
	if (strncmp(buf_str(&creq), want, n) != 0 || creq.data[n] != 'h')
		CHECK_STR(buf_str(&creq), want);
	CHECK_STR(buf_str(&sh), "host;x-amz-date");
	buf_release(&sh);
	buf_release(&creq);
}

static void
test_canonical(void)
{
	TEST("path: normalised, encoded once more; S3 as is") {
		check_uri(NULL, NULL, 0, "GET\n/\n\n");
		check_uri("", "", 0, "GET\n/\n\n");
		check_uri("/a/b/../c/./d", NULL, 0, "GET\n/a/c/d\n\n");
		check_uri("/a/b/..", NULL, 0, "GET\n/a/\n\n");
		check_uri("/../..", NULL, 0, "GET\n/\n\n");
		check_uri("/a%20b", NULL, 0, "GET\n/a%2520b\n\n");
		check_uri("/my-object//example//photo.user", NULL, 1,
		    "GET\n/my-object//example//photo.user\n\n");
		check_uri("/a%20b/./", NULL, 1, "GET\n/a%20b/./\n\n");
	}
	TEST("query: decoded, re-encoded, sorted by key then value") {
		check_uri("/", "b=2&a=1&a=0", 0, "GET\n/\na=0&a=1&b=2\n");
		check_uri("/", "k&&=v&", 0, "GET\n/\n=v&k=\n");
		check_uri("/", "a=b+c&x=%7e%2f%41", 0,
		    "GET\n/\na=b%2Bc&x=~%2FA\n");
		check_uri("/", "p=a b&q=%00", 0, "GET\n/\np=a%20b&q=%00\n");
		check_uri("/", "Param=2&Param-3=3", 0,
		    "GET\n/\nParam=2&Param-3=3\n");
	}
}

/*
 * S3: the path signed as sent, x-amz-content-sha256 signed and its value
 * the last line of the canonical request. The first two are the
 * examples of the S3 API reference ("Signature calculations for the
 * Authorization header: transferring payload in a single chunk": GET
 * Object, GET Bucket (List Objects)); the third, UNSIGNED-PAYLOAD, was
 * computed by tests/integration/fakeaws_sigv4.py.
 */
static void
s3_case(const char *method, const char *path, const char *query,
    const struct aws_hdr *h, size_t nh, const char *payload,
    const char *want_sig)
{
	struct sigv4_creds c = { "AKIAIOSFODNN7EXAMPLE",
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL };
	struct buf a = BUF_INIT;
	struct sigv4_req r;
	const char *sig;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	r.query = query;
	r.hdrs = h;
	r.nhdrs = nh;
	r.region = "us-east-1";
	r.service = "s3";
	r.amz_date = "20130524T000000Z";
	r.no_normalize = 1;
	r.payload_hash = payload;
	CHECK_INT(sigv4_authorization(&r, &c, &a), FX_OK);
	sig = strstr(buf_str(&a), "Signature=");
	CHECK_STR(sig != NULL ? sig + 10 : "(none)", want_sig);
	buf_release(&a);
}

#define EMPTY_SHA                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void
test_s3(void)
{
	static const struct aws_hdr get[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", EMPTY_SHA },
		{ "x-amz-date", "20130524T000000Z" },
	};
	static const struct aws_hdr list[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-content-sha256", EMPTY_SHA },
		{ "x-amz-date", "20130524T000000Z" },
	};
	static const struct aws_hdr head[] = {
		{ "Host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-content-sha256", SIGV4_UNSIGNED },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct buf creq = BUF_INIT, sh = BUF_INIT;
	struct sigv4_req r;
	const char *end;

	TEST("S3, hashed payload: the AWS examples") {
		s3_case("GET", "/test.txt", NULL, get, 4, EMPTY_SHA,
		    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6"
		    "036bdb41");
		/* the same with the hash left to the signer */
		s3_case("GET", "/test.txt", NULL, get, 4, NULL,
		    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6"
		    "036bdb41");
		s3_case("GET", "/", "max-keys=2&prefix=J", list, 3, EMPTY_SHA,
		    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711e"
		    "f69dc6f7");
	}
	TEST("S3, UNSIGNED-PAYLOAD: the header's value is signed, not the "
	     "body's hash") {
		s3_case("HEAD", "/", NULL, head, 3, SIGV4_UNSIGNED,
		    "d29fd4965f1962c353134caed0c80b91c71d6bf1b3331d46f97aaa9d"
		    "137910ef");
		memset(&r, 0, sizeof(r));
		r.method = "HEAD";
		r.path = "/";
		r.hdrs = head;
		r.nhdrs = 3;
		r.region = "us-east-1";
		r.service = "s3";
		r.amz_date = "20130524T000000Z";
		r.no_normalize = 1;
		r.payload_hash = SIGV4_UNSIGNED;
		CHECK_INT(sigv4_canonical_request(&r, &creq, &sh), FX_OK);
		end = strrchr(buf_str(&creq), '\n');
		CHECK_STR(end != NULL ? end + 1 : "", "UNSIGNED-PAYLOAD");
		CHECK_STR(buf_str(&sh), "host;x-amz-content-sha256;x-amz-date");
		r.payload_hash = "UNSIGNED PAYLOAD\nx";
		buf_reset(&creq);
		buf_reset(&sh);
		CHECK_INT(sigv4_canonical_request(&r, &creq, &sh), FX_EINVAL);
	}
	buf_release(&creq);
	buf_release(&sh);
}

static void
test_bad_input(void)
{
	struct sigv4_creds c = { t_akid, t_secret, NULL };
	struct aws_hdr h[2] = { { "Host", "h" }, { "X-A", "v" } };
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sigv4_req r;

#define T_BAD(stmt)                                                            \
	do {                                                                   \
		base_req(&r);                                                  \
		stmt;                                                          \
		buf_reset(&a);                                                 \
		buf_reset(&b);                                                 \
		CHECK_INT(sigv4_canonical_request(&r, &a, &b), FX_EINVAL);     \
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_EINVAL);         \
	} while (0)
	TEST("bad request: FX_EINVAL") {
		CHECK_INT(sigv4_canonical_request(NULL, &a, &b), FX_EINVAL);
		CHECK_INT(sigv4_authorization(NULL, &c, &a), FX_EINVAL);
		T_BAD(r.method = NULL);
		T_BAD(r.method = "");
		T_BAD(r.method = "G T");
		T_BAD(r.region = NULL);
		T_BAD(r.region = "");
		T_BAD(r.region = "us/east");
		T_BAD(r.service = NULL);
		T_BAD(r.amz_date = NULL);
		T_BAD(r.amz_date = "20150830");
		T_BAD(r.amz_date = "20150830T123600");
		T_BAD(r.amz_date = "2015083OT123600Z");
		T_BAD(r.hdrs = NULL);
		T_BAD(r.nhdrs = 0);
		T_BAD((r.hdrs = h, h[0].name = NULL));
		T_BAD((r.hdrs = h, h[0].name = "Ho st"));
		T_BAD((r.hdrs = h, h[0].name = "Host", h[1].name = "X:A"));
		T_BAD((r.hdrs = h, h[1].name = "X-A", h[1].value = NULL));
		T_BAD((r.hdrs = h, h[1].value = "v\r\nX-Evil: 1"));
		T_BAD((r.hdrs = h, h[0].name = "Hostx", h[1].value = "v"));
		T_BAD((r.body = NULL, r.body_len = 3));
		T_BAD(r.path = "relative");
		T_BAD((r.path = "/a b", r.no_normalize = 1));
		T_BAD(r.query = "a=%zz");
		T_BAD(r.query = "a=%4");
	}
	TEST("bad credentials and outputs: FX_EINVAL") {
		base_req(&r);
		CHECK_INT(sigv4_canonical_request(&r, NULL, &b), FX_EINVAL);
		CHECK_INT(sigv4_canonical_request(&r, &a, NULL), FX_EINVAL);
		CHECK_INT(sigv4_string_to_sign(&r, NULL, &a), FX_EINVAL);
		CHECK_INT(sigv4_string_to_sign(&r, "x", NULL), FX_EINVAL);
		CHECK_INT(sigv4_string_to_sign(NULL, "x", &a), FX_EINVAL);
		CHECK_INT(sigv4_authorization(&r, NULL, &a), FX_EINVAL);
		CHECK_INT(sigv4_authorization(&r, &c, NULL), FX_EINVAL);
		c.secret_key = NULL;
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_EINVAL);
		c.secret_key = "";
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_EINVAL);
		c.secret_key = t_secret;
		c.access_key_id = NULL;
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_EINVAL);
		c.access_key_id = "AKID/X";
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_EINVAL);
		c.access_key_id = t_akid;
		buf_reset(&a);
		CHECK_INT(sigv4_authorization(&r, &c, &a), FX_OK);
		buf_release(&a);
		buf_init(&a, 16);
		CHECK_INT(sigv4_canonical_request(&r, &a, &b), FX_ETOOBIG);
	}
#undef T_BAD
	buf_release(&b);
	buf_release(&a);
}

int
main(void)
{
	const char *shared = getenv("FIXIT_DATA");

	if (shared == NULL || *shared == '\0')
		shared = "../../tests/data";
	test_encode_hash();
	test_canonical();
	test_s3();
	test_bad_input();
	test_suite(shared);
	test_vectors(shared);
	return TEST_REPORT();
}
