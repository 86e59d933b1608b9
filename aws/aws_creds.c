/*
 * aws_creds.c - base credentials chain and the assumed-role cache (see
 * aws_creds.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "aws_creds.h"
#include "aws_ini.h"
#include "aws_int.h"
#include "aws_xml.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "banned.h"

#define PROFILE_MAX_DEPTH 4
#define IMDS_DEFAULT	  "http://169.254.169.254"
#define ECS_HOST	  "http://169.254.170.2"
#define DEFAULT_SESSION	  "fixitd"

struct role_entry {
	char *key; /* arn \n external id \n session */
	struct aws_creds cr;
};

/* keys being assumed at once; a caller past it waits for one to land */
#define AWS_ROLE_FLIGHTS_MAX 64

struct aws_credsrc {
	pthread_mutex_t refresh; /* one thread at a time fetches base creds */
	pthread_mutex_t mu;
	/*
	 * Singleflight for AssumeRole: the keys whose STS call is running
	 * (under mu). Scan workers of one account start together; the
	 * first miss calls STS and the others wait on landed for its answer.
	 */
	pthread_cond_t landed;
	char *flying[AWS_ROLE_FLIGHTS_MAX];
	char *profile; /* explicit profile or NULL */
	char *sts_region;
	struct aws_creds base; /* cached; access_key_id NULL = none */
	struct role_entry roles[AWS_ROLE_CACHE_MAX];
	size_t nroles;
	int64_t refresh_s;
};

static void __attribute__((format(printf, 2, 3)))
why_set(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return;
	buf_reset(why);
	va_start(ap, fmt);
	buf_vaddf_cut(why, fmt, ap);
	va_end(ap);
}

fx_err
aws_credsrc_new(const char *profile, const char *sts_region, int64_t refresh_s,
    struct aws_credsrc **out)
{
	struct aws_credsrc *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return FX_ENOMEM;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return FX_ENOMEM;
	}
	if (pthread_mutex_init(&s->refresh, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return FX_ENOMEM;
	}
	if (pthread_cond_init(&s->landed, NULL) != 0) {
		pthread_mutex_destroy(&s->refresh);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return FX_ENOMEM;
	}
	s->refresh_s = refresh_s > 0 ? refresh_s : AWS_CREDS_REFRESH_S;
	s->profile = profile ? strdup(profile) : NULL;
	s->sts_region = strdup(sts_region ? sts_region : "us-east-1");
	if ((profile != NULL && s->profile == NULL) || s->sts_region == NULL) {
		aws_credsrc_free(s);
		return FX_ENOMEM;
	}
	*out = s;
	return FX_OK;
}

void
aws_credsrc_free(struct aws_credsrc *s)
{
	size_t i;

	if (s == NULL)
		return;
	aws_creds_release(&s->base);
	for (i = 0; i < s->nroles; i++) {
		free(s->roles[i].key);
		aws_creds_release(&s->roles[i].cr);
	}
	free(s->profile);
	free(s->sts_region);
	for (i = 0; i < AWS_ROLE_FLIGHTS_MAX; i++)
		free(s->flying[i]);
	pthread_cond_destroy(&s->landed);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->refresh);
	free(s);
}

static int
fresh(const struct aws_credsrc *s, const struct aws_creds *c, int64_t now)
{
	return c->access_key_id != NULL &&
	       (c->expires == 0 || now < c->expires - s->refresh_s);
}

static fx_err
creds_set(struct aws_creds *c, const char *akid, const char *secret,
    const char *token, int64_t expires)
{
	memset(c, 0, sizeof(*c));
	if (akid == NULL || secret == NULL || *akid == '\0' || *secret == '\0')
		return FX_EINVAL;
	c->access_key_id = strdup(akid);
	c->secret_key = strdup(secret);
	c->session_token =
	    token != NULL && *token != '\0' ? strdup(token) : NULL;
	c->expires = expires;
	if (c->access_key_id == NULL || c->secret_key == NULL ||
	    (token != NULL && *token != '\0' && c->session_token == NULL)) {
		aws_creds_release(c);
		return FX_ENOMEM;
	}
	return FX_OK;
}

/* {AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration} */
static fx_err
creds_from_obj(const json_t *o, struct aws_creds *out)
{
	const char *tok = aws_j_str(o, "Token");
	const char *exp = aws_j_str(o, "Expiration");
	int64_t t = 0;

	if (tok == NULL)
		tok = aws_j_str(o, "SessionToken");
	if (exp != NULL && fx_iso8601_parse(exp, &t) != FX_OK)
		return FX_EINVAL;
	return creds_set(out, aws_j_str(o, "AccessKeyId"),
	    aws_j_str(o, "SecretAccessKey"), tok, t);
}

/* ---- sources --------------------------------------------------------- */

static fx_err
from_env(struct aws_creds *out)
{
	const char *k = getenv("AWS_ACCESS_KEY_ID");
	const char *s = getenv("AWS_SECRET_ACCESS_KEY");

	if (k == NULL || s == NULL || *k == '\0' || *s == '\0')
		return FX_ENOTFOUND;
	return creds_set(out, k, s, getenv("AWS_SESSION_TOKEN"), 0);
}

static void
sanitize_session(const char *in, char out[65])
{
	size_t i;
	char c;

	for (i = 0; in[i] != '\0' && i < 64; i++) {
		c = in[i];
		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("+=,.@-_", c))
			     ? c
			     : '-';
	}
	if (i < 2) {
		memcpy(out, DEFAULT_SESSION, sizeof(DEFAULT_SESSION));
		return;
	}
	out[i] = '\0';
}

/* STS answer {XResult: {Credentials: {...}}} -> out */
static fx_err
sts_creds(const json_t *doc, const char *result, struct aws_creds *out)
{
	return creds_from_obj(aws_j_get(aws_j_get(doc, result), "Credentials"),
	    out);
}

static fx_err
call_sts(struct aws_credsrc *s, struct aws_client *c,
    const struct aws_creds *with, const char *action, json_t *params,
    struct aws_creds *out, struct buf *why)
{
	struct aws_req r;
	struct aws_resp resp;
	struct buf msg = BUF_INIT;
	char result[64];
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_STS;
	r.region = s->sts_region;
	r.action = action;
	r.params = params;
	aws_resp_init(&resp);
	rc = aws_call(c, with, &r, &resp);
	if (rc == FX_OK) {
		snprintf(result, sizeof(result), "%sResult", action);
		if ((rc = sts_creds(resp.doc, result, out)) != FX_OK)
			why_set(why, "sts %s: answer without credentials",
			    action);
	} else {
		buf_init(&msg, 1024);
		if (aws_resp_describe(&resp, rc, &msg) != FX_OK)
			buf_reset(&msg);
		why_set(why, "sts %s: %s", action, buf_str(&msg));
		buf_release(&msg);
		rc = rc == FX_EREMOTE ? FX_EAUTH : rc;
	}
	aws_resp_release(&resp);
	return rc;
}

static fx_err
read_token_file(const char *path, char **out)
{
	return fx_secret_from_file(path, out);
}

static fx_err
web_identity(struct aws_credsrc *s, struct aws_client *c, const char *file,
    const char *role, const char *session, struct aws_creds *out,
    struct buf *why)
{
	char *tok = NULL, sess[65];
	json_t *p = NULL;
	fx_err rc;

	if ((rc = read_token_file(file, &tok)) != FX_OK) {
		why_set(why, "web identity token file %s: %s", file,
		    fx_strerror(rc));
		return rc;
	}
	sanitize_session(session ? session : DEFAULT_SESSION, sess);
	p = json_pack("{s:s, s:s, s:s}", "RoleArn", role, "RoleSessionName",
	    sess, "WebIdentityToken", tok);
	rc = p ? call_sts(s, c, NULL, "AssumeRoleWithWebIdentity", p, out, why)
	       : FX_ENOMEM;
	json_decref(p); /* holds the token: jansson frees, we wiped ours */
	fx_secret_free(tok);
	return rc;
}

static fx_err
from_web_env(struct aws_credsrc *s, struct aws_client *c, struct aws_creds *out,
    struct buf *why)
{
	const char *f = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = getenv("AWS_ROLE_ARN");

	if (f == NULL || role == NULL || *f == '\0' || *role == '\0')
		return FX_ENOTFOUND;
	return web_identity(s, c, f, role, getenv("AWS_ROLE_SESSION_NAME"), out,
	    why);
}

static fx_err
metadata_json(struct aws_client *c, const char *url, const char *const *hdrs,
    struct aws_creds *out, struct buf *why)
{
	struct buf b = BUF_INIT;
	json_error_t je;
	json_t *o = NULL;
	long status;
	fx_err rc;

	buf_init(&b, FX_MAX_CRED_FILE);
	if ((rc = aws_http_raw(c, "GET", url, hdrs, NULL, &status, &b)) !=
		FX_OK ||
	    status != 200) {
		why_set(why, "credentials endpoint %s: %s", url,
		    rc != FX_OK ? fx_strerror(rc) : "refused");
		rc = rc != FX_OK ? rc : FX_EAUTH;
		goto out;
	}
	o = json_loadb(b.data, b.len, 0, &je);
	rc = o != NULL ? creds_from_obj(o, out) : FX_EINVAL;
	if (rc != FX_OK) {
		why_set(why,
		    "credentials endpoint %s: answer without "
		    "credentials",
		    url);
		rc = FX_EINVAL;
	}
out:
	json_decref(o);
	buf_release_secret(&b);
	return rc;
}

/*
 * The container endpoint's URL into url and, when a token is given (its
 * file first), the "Authorization: <token>" header line into auth; *ftok
 * holds the token read from the file, for the caller to free.
 */
static fx_err
container_request(const char *rel, const char *full, struct buf *url,
    struct buf *auth, char **ftok)
{
	const char *tokf = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	fx_err rc;

	if (rel != NULL && *rel != '\0')
		rc = buf_addf(url, "%s%s", ECS_HOST, rel);
	else
		rc = buf_adds(url, full);
	if (rc != FX_OK)
		return rc;
	if (tokf != NULL && *tokf != '\0') {
		rc = read_token_file(tokf, ftok);
		if (rc != FX_OK)
			return rc;
		tok = *ftok;
	}
	if (tok == NULL || *tok == '\0')
		return FX_OK;
	return buf_addf(auth, "Authorization: %s", tok);
}

static fx_err
from_container(struct aws_client *c, struct aws_creds *out, struct buf *why)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct buf url = BUF_INIT, auth = BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	char *ftok = NULL;
	fx_err rc;

	if ((rel == NULL || *rel == '\0') && (full == NULL || *full == '\0'))
		return FX_ENOTFOUND;
	buf_init(&url, 2048);
	buf_init(&auth, FX_MAX_SECRET + 32);
	rc = container_request(rel, full, &url, &auth, &ftok);
	if (rc != FX_OK) {
		why_set(why, "container credentials: %s", fx_strerror(rc));
		goto out;
	}
	if (auth.len > 0)
		hdrs[0] = buf_str(&auth);
	rc = metadata_json(c, buf_str(&url), hdrs, out, why);
out:
	fx_secret_free(ftok);
	buf_release_secret(&auth);
	buf_release(&url);
	return rc;
}

static fx_err
imds_token(struct aws_client *c, const char *base, struct buf *hdr)
{
	static const char *const put_hdrs[] = {
		"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL
	};
	struct buf url = BUF_INIT, tok = BUF_INIT;
	long status;
	fx_err rc;

	buf_init(&tok, FX_MAX_SECRET);
	rc = buf_addf(&url, "%s/latest/api/token", base);
	if (rc != FX_OK)
		goto out;
	rc = aws_http_raw(c, "PUT", buf_str(&url), put_hdrs, NULL, &status,
	    &tok);
	if (rc != FX_OK)
		goto out;
	if (status != 200 || tok.len == 0) {
		rc = FX_EAUTH;
		goto out;
	}
	rc = buf_addf(hdr, "X-aws-ec2-metadata-token: %s", buf_str(&tok));
out:
	buf_release_secret(&tok);
	buf_release(&url);
	return rc;
}

static fx_err
from_imds(struct aws_client *c, struct aws_creds *out, struct buf *why)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct buf hdr = BUF_INIT, url = BUF_INIT, role = BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	long status;
	size_t n;
	fx_err rc;

	if (dis != NULL && strcmp(dis, "true") == 0)
		return FX_ENOTFOUND;
	if (base == NULL || *base == '\0')
		base = IMDS_DEFAULT;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	buf_init(&hdr, FX_MAX_SECRET + 64);
	buf_init(&role, 256);
	if ((rc = buf_add(&url, base, n)) != FX_OK)
		goto out;
	if ((rc = imds_token(c, buf_str(&url), &hdr)) != FX_OK) {
		why_set(why, "instance metadata at %s: no IMDSv2 token (%s)",
		    buf_str(&url), fx_strerror(rc));
		rc = FX_ENOTFOUND;
		goto out;
	}
	hdrs[0] = buf_str(&hdr);
	rc = buf_adds(&url, "/latest/meta-data/iam/security-credentials/");
	if (rc != FX_OK)
		goto out;
	rc = aws_http_raw(c, "GET", buf_str(&url), hdrs, NULL, &status, &role);
	if (rc != FX_OK)
		goto out;
	while (role.len > 0 && (role.data[role.len - 1] == '\n' ||
				   role.data[role.len - 1] == '\r'))
		role.data[--role.len] = '\0';
	if (status != 200 || role.len == 0 || strchr(buf_str(&role), '/') ||
	    strchr(buf_str(&role), '\n')) {
		why_set(why, "instance metadata: no instance role");
		rc = FX_ENOTFOUND;
		goto out;
	}
	rc = buf_adds(&url, buf_str(&role));
	if (rc != FX_OK)
		goto out;
	rc = metadata_json(c, buf_str(&url), hdrs, out, why);
out:
	buf_release_secret(&hdr);
	buf_release(&url);
	buf_release(&role);
	return rc;
}

/* ---- profiles ---------------------------------------------------------- */

static const char *
home_file(const char *env, const char *rel, struct buf *b)
{
	const char *v = getenv(env), *home = getenv("HOME");

	if (v != NULL && *v != '\0')
		return v;
	if (home == NULL || buf_addf(b, "%s/%s", home, rel) != FX_OK)
		return NULL;
	return buf_str(b);
}

static fx_err from_profile(struct aws_credsrc *s, struct aws_client *c,
    const char *name, int depth, struct aws_creds *out, struct buf *why);

static fx_err
profile_source(struct aws_credsrc *s, struct aws_client *c,
    const struct aws_ini *cfg, const char *name, int depth,
    struct aws_creds *out, struct buf *why)
{
	const char *src = aws_ini_get(cfg, "source_profile");
	const char *cs = aws_ini_get(cfg, "credential_source");

	if (src != NULL && strcmp(src, name) != 0)
		return from_profile(s, c, src, depth + 1, out, why);
	if (cs != NULL && strcmp(cs, "Environment") == 0)
		return from_env(out);
	if (cs != NULL && strcmp(cs, "EcsContainer") == 0)
		return from_container(c, out, why);
	if (cs != NULL && strcmp(cs, "Ec2InstanceMetadata") == 0)
		return from_imds(c, out, why);
	if (src != NULL) /* source_profile = itself: its static keys */
		return creds_set(out, aws_ini_get(cfg, "aws_access_key_id"),
		    aws_ini_get(cfg, "aws_secret_access_key"),
		    aws_ini_get(cfg, "aws_session_token"), 0);
	why_set(why,
	    "profile %s: role_arn without source_profile or "
	    "credential_source",
	    name);
	return FX_ECONFIG;
}

static fx_err
profile_role(struct aws_credsrc *s, struct aws_client *c,
    const struct aws_ini *cfg, const char *name, int depth,
    struct aws_creds *out, struct buf *why)
{
	const char *role = aws_ini_get(cfg, "role_arn");
	const char *ext = aws_ini_get(cfg, "external_id");
	const char *sess = aws_ini_get(cfg, "role_session_name");
	const char *wif = aws_ini_get(cfg, "web_identity_token_file");
	struct aws_creds src;
	char sn[65];
	json_t *p;
	fx_err rc;

	if (wif != NULL)
		return web_identity(s, c, wif, role, sess, out, why);
	memset(&src, 0, sizeof(src));
	if ((rc = profile_source(s, c, cfg, name, depth, &src, why)) != FX_OK)
		return rc;
	sanitize_session(sess ? sess : DEFAULT_SESSION, sn);
	p = json_pack("{s:s, s:s}", "RoleArn", role, "RoleSessionName", sn);
	if (p != NULL && ext != NULL &&
	    json_object_set_new(p, "ExternalId", json_string(ext)) != 0) {
		json_decref(p);
		p = NULL;
	}
	rc = p ? call_sts(s, c, &src, "AssumeRole", p, out, why) : FX_ENOMEM;
	json_decref(p);
	aws_creds_release(&src);
	return rc;
}

static fx_err
from_profile(struct aws_credsrc *s, struct aws_client *c, const char *name,
    int depth, struct aws_creds *out, struct buf *why)
{
	struct buf p1 = BUF_INIT, p2 = BUF_INIT, sect = BUF_INIT;
	struct aws_ini cred, cfg;
	const char *credf, *cfgf;
	fx_err rc, rc2;

	memset(&cred, 0, sizeof(cred));
	memset(&cfg, 0, sizeof(cfg));
	if (depth > PROFILE_MAX_DEPTH) {
		why_set(why, "profile %s: source_profile chain too long", name);
		return FX_ECONFIG;
	}
	credf =
	    home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", &p1);
	cfgf = home_file("AWS_CONFIG_FILE", ".aws/config", &p2);
	rc = credf ? aws_ini_load(credf, name, &cred) : FX_ENOTFOUND;
	if (strcmp(name, "default") == 0)
		rc2 = buf_adds(&sect, "default");
	else
		rc2 = buf_addf(&sect, "profile %s", name);
	if (rc2 == FX_OK)
		rc2 = cfgf ? aws_ini_load(cfgf, buf_str(&sect), &cfg)
			   : FX_ENOTFOUND;
	if (rc2 == FX_OK && aws_ini_get(&cfg, "role_arn") != NULL)
		rc = profile_role(s, c, &cfg, name, depth, out, why);
	else if (rc == FX_OK)
		rc = creds_set(out, aws_ini_get(&cred, "aws_access_key_id"),
		    aws_ini_get(&cred, "aws_secret_access_key"),
		    aws_ini_get(&cred, "aws_session_token"), 0);
	else if (rc2 == FX_OK)
		rc = creds_set(out, aws_ini_get(&cfg, "aws_access_key_id"),
		    aws_ini_get(&cfg, "aws_secret_access_key"),
		    aws_ini_get(&cfg, "aws_session_token"), 0);
	if (rc == FX_EINVAL)
		why_set(why, "profile %s: no usable keys", name);
	aws_ini_release(&cred);
	aws_ini_release(&cfg);
	buf_release(&p1);
	buf_release(&p2);
	buf_release(&sect);
	return rc;
}

/* ---- the chain ---------------------------------------------------------- */

static fx_err
resolve(struct aws_credsrc *s, struct aws_client *c, struct aws_creds *out,
    struct buf *why)
{
	const char *prof = s->profile ? s->profile : getenv("AWS_PROFILE");
	fx_err rc;

	if (prof != NULL && *prof != '\0')
		return from_profile(s, c, prof, 0, out, why);
	if ((rc = from_env(out)) != FX_ENOTFOUND)
		return rc;
	if ((rc = from_web_env(s, c, out, why)) != FX_ENOTFOUND)
		return rc;
	if ((rc = from_profile(s, c, "default", 0, out, why)) != FX_ENOTFOUND)
		return rc;
	if ((rc = from_container(c, out, why)) != FX_ENOTFOUND)
		return rc;
	if ((rc = from_imds(c, out, why)) != FX_ENOTFOUND)
		return rc;
	if (why != NULL && why->len == 0)
		why_set(why,
		    "no AWS credentials found (environment, web "
		    "identity, profile, container, instance metadata)");
	return FX_EAUTH;
}

fx_err
aws_credsrc_get(struct aws_credsrc *s, struct aws_client *c,
    struct aws_creds *out, struct buf *why)
{
	struct aws_creds fresh_cr;
	int64_t now = fx_now();
	fx_err rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->mu);
	rc = fresh(s, &s->base, now) ? aws_creds_copy(&s->base, out)
				     : FX_ENOTFOUND;
	pthread_mutex_unlock(&s->mu);
	if (rc != FX_ENOTFOUND)
		return rc;
	/* one fetch for all the threads that found the cache stale */
	pthread_mutex_lock(&s->refresh);
	pthread_mutex_lock(&s->mu);
	rc = fresh(s, &s->base, fx_now()) ? aws_creds_copy(&s->base, out)
					  : FX_ENOTFOUND;
	pthread_mutex_unlock(&s->mu);
	if (rc != FX_ENOTFOUND)
		goto out;
	memset(&fresh_cr, 0, sizeof(fresh_cr));
	if ((rc = resolve(s, c, &fresh_cr, why)) != FX_OK) {
		rc = rc == FX_ENOTFOUND ? FX_EAUTH : rc;
		goto out;
	}
	pthread_mutex_lock(&s->mu);
	aws_creds_release(&s->base);
	s->base = fresh_cr;
	rc = aws_creds_copy(&s->base, out);
	pthread_mutex_unlock(&s->mu);
out:
	pthread_mutex_unlock(&s->refresh);
	return rc;
}

/* ---- assumed roles ----------------------------------------------------- */

static struct role_entry *
role_find(struct aws_credsrc *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nroles; i++)
		if (strcmp(s->roles[i].key, key) == 0)
			return &s->roles[i];
	return NULL;
}

/* the entry to (re)use for key: its own, a free one, or the stalest */
static struct role_entry *
role_slot(struct aws_credsrc *s, const char *key)
{
	struct role_entry *e = role_find(s, key);
	size_t i, old = 0;

	if (e != NULL)
		return e;
	if (s->nroles < AWS_ROLE_CACHE_MAX)
		return &s->roles[s->nroles++];
	for (i = 1; i < s->nroles; i++)
		if (s->roles[i].cr.expires < s->roles[old].cr.expires)
			old = i;
	return &s->roles[old];
}

/* with mu held */
static fx_err
role_store(struct aws_credsrc *s, const char *key, const struct aws_creds *cr)
{
	struct role_entry *e;
	char *k;
	fx_err rc;

	e = role_slot(s, key);
	if (e->key == NULL || strcmp(e->key, key) != 0) {
		if ((k = strdup(key)) == NULL)
			return FX_ENOMEM;
		free(e->key);
		e->key = k;
	}
	aws_creds_release(&e->cr);
	rc = aws_creds_copy(cr, &e->cr);
	if (rc != FX_OK) /* keep the slot usable: an expired entry */
		memset(&e->cr, 0, sizeof(e->cr));
	return rc;
}

/* with mu held: the flight slot of key, or NULL */
static char **
flight_find(struct aws_credsrc *s, const char *key)
{
	size_t i;

	for (i = 0; i < AWS_ROLE_FLIGHTS_MAX; i++)
		if (s->flying[i] != NULL && strcmp(s->flying[i], key) == 0)
			return &s->flying[i];
	return NULL;
}

/* with mu held: a free flight slot, or NULL */
static char **
flight_find_free(struct aws_credsrc *s)
{
	size_t i;

	for (i = 0; i < AWS_ROLE_FLIGHTS_MAX; i++)
		if (s->flying[i] == NULL)
			return &s->flying[i];
	return NULL;
}

/*
 * The cached credentials of key (FX_OK), or FX_ENOTFOUND with key now in
 * flight: the caller calls STS and lands it. A key already in flight, or
 * no free slot, waits for a landing and looks again.
 */
static fx_err
role_take(struct aws_credsrc *s, const char *key, struct aws_creds *out)
{
	struct role_entry *e;
	char **slot;
	fx_err rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		e = role_find(s, key);
		if (e != NULL && fresh(s, &e->cr, fx_now())) {
			rc = aws_creds_copy(&e->cr, out);
			break;
		}
		if (flight_find(s, key) == NULL &&
		    (slot = flight_find_free(s)) != NULL) {
			*slot = strdup(key);
			rc = *slot != NULL ? FX_ENOTFOUND : FX_ENOMEM;
			break;
		}
		pthread_cond_wait(&s->landed, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* key's call is over: store what it got (cr NULL: failed), wake waiters */
static fx_err
role_land(struct aws_credsrc *s, const char *key, const struct aws_creds *cr)
{
	char **slot;
	fx_err rc = FX_OK;

	pthread_mutex_lock(&s->mu);
	if (cr != NULL)
		rc = role_store(s, key, cr);
	if ((slot = flight_find(s, key)) != NULL) {
		free(*slot);
		*slot = NULL;
	}
	pthread_cond_broadcast(&s->landed);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

fx_err
aws_credsrc_assume(struct aws_credsrc *s, struct aws_client *c,
    const char *role_arn, const char *external_id, const char *session,
    struct aws_creds *out, struct buf *why)
{
	struct buf key = BUF_INIT;
	struct aws_creds base;
	char sn[65];
	json_t *p = NULL;
	int flying = 0;
	fx_err rc;

	memset(out, 0, sizeof(*out));
	memset(&base, 0, sizeof(base));
	sanitize_session(session ? session : DEFAULT_SESSION, sn);
	if ((rc = buf_addf(&key, "%s\n%s\n%s", role_arn,
		 external_id ? external_id : "", sn)) != FX_OK)
		goto out;
	rc = role_take(s, buf_str(&key), out);
	if (rc != FX_ENOTFOUND)
		goto out;
	flying = 1;
	if ((rc = aws_credsrc_get(s, c, &base, why)) != FX_OK)
		goto out;
	p = json_pack("{s:s, s:s, s:i}", "RoleArn", role_arn, "RoleSessionName",
	    sn, "DurationSeconds", AWS_ROLE_DURATION_S);
	if (p == NULL ||
	    (external_id != NULL && json_object_set_new(p, "ExternalId",
					json_string(external_id)) != 0)) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = call_sts(s, c, &base, "AssumeRole", p, out, why)) != FX_OK)
		goto out;
	log_info("%s: assumed %s as %s", __func__, role_arn, sn);
	flying = 0;
	if ((rc = role_land(s, buf_str(&key), out)) != FX_OK)
		aws_creds_release(out);
out:
	if (flying) /* failed: the next waiter tries for itself */
		(void)role_land(s, buf_str(&key), NULL);
	json_decref(p);
	aws_creds_release(&base);
	buf_release(&key);
	return rc;
}
