/*
 * slack_api.c - Slack Web API client (see slack_api.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "fxcurl.h"
#include "fxlimits.h"
#include "slack_api.h"
#include "banned.h"

#define API_CONNECT_TIMEOUT_MS 5000L
#define API_TIMEOUT_MS	       15000L
#define API_MAX_METHOD	       64
#define API_MAX_CODE	       100 /* a Slack error code kept in err */
#define API_FORM_METHOD	       "users.lookupByEmail"

struct slack_api {
	CURL *curl;
	char *base;		     /* ends in '/' */
	struct curl_slist *hdr_json; /* hold the token: cleansed on free */
	struct curl_slist *hdr_form;
	struct buf body;     /* the answer, capped */
	int64_t retry_after; /* Retry-After of the last answer */
	int too_big;	     /* the answer hit the cap */
	int ratelimited;     /* the last call: 429 or "ratelimited" */
	char errbuf[CURL_ERROR_SIZE];
};

static void
api_fail(struct buf *err, const char *method, const char *what)
{
	fx_err e;

	if (err == NULL)
		return;
	buf_reset(err);
	e = buf_addf(err, "%s: %s", method, what);
	(void)e; /* a cut sentence is still a sentence */
}

/* printable ASCII, no spaces: safe inside a header line */
static int
api_token_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return i > 0 && i <= FX_MAX_SECRET;
}

static int
api_method_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') || s[i] == '.'))
			return 0;
	return i > 0 && i <= API_MAX_METHOD;
}

/* the three headers of one content type; NULL when out of memory */
static struct curl_slist *
api_headers(const char *auth, const char *ctype)
{
	struct curl_slist *l = NULL, *n;

	if ((n = curl_slist_append(l, auth)) == NULL)
		goto fail;
	l = n;
	if ((n = curl_slist_append(l, ctype)) == NULL)
		goto fail;
	l = n;
	if ((n = curl_slist_append(l, "Expect:")) == NULL)
		goto fail;
	return n;
fail:
	fxcurl_slist_wipe(l);
	return NULL;
}

fx_err
slack_api_new(const char *base_url, const char *bot_token,
    struct slack_api **out)
{
	struct slack_api *a = NULL;
	struct buf auth = BUF_INIT, base = BUF_INIT;
	size_t n;
	fx_err rc = FX_EINVAL;

	*out = NULL;
	buf_init(&auth, FX_MAX_SECRET + 64);
	buf_init(&base, FX_MAX_FIELD);
	if (base_url == NULL || bot_token == NULL || !api_token_ok(bot_token) ||
	    (strncmp(base_url, "https://", 8) != 0 &&
		strncmp(base_url, "http://", 7) != 0) ||
	    strpbrk(base_url, " \t\r\n") != NULL)
		goto out;
	n = strlen(base_url);
	rc = buf_addf(&base, "%s%s", base_url,
	    base_url[n - 1] != '/' ? "/" : "");
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(&auth, "Authorization: Bearer %s", bot_token);
	if (rc != FX_OK)
		goto out;
	rc = FX_EHTTP;
	if (fxcurl_load() != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		goto out;
	buf_init(&a->body, FX_MAX_SLACK_RESPONSE);
	a->base = buf_detach(&base);
	a->hdr_json = api_headers(buf_str(&auth),
	    "Content-Type: application/json; charset=utf-8");
	a->hdr_form = api_headers(buf_str(&auth),
	    "Content-Type: application/x-www-form-urlencoded");
	if (a->base == NULL || a->hdr_json == NULL || a->hdr_form == NULL)
		goto out;
	rc = FX_EHTTP;
	if ((a->curl = curl_easy_init()) == NULL)
		goto out;
	*out = a;
	a = NULL;
	rc = FX_OK;
out:
	buf_release_secret(&auth);
	buf_release(&base);
	slack_api_free(a);
	return rc;
}

void
slack_api_free(struct slack_api *a)
{
	if (a == NULL)
		return;
	if (a->curl != NULL)
		curl_easy_cleanup(a->curl);
	fxcurl_slist_wipe(a->hdr_json);
	fxcurl_slist_wipe(a->hdr_form);
	buf_release(&a->body);
	free(a->base);
	free(a);
}

static size_t
api_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct slack_api *a = arg;

	if (buf_add(&a->body, p, size * n) != FX_OK) {
		a->too_big = 1;
		return 0; /* aborts the transfer */
	}
	return size * n;
}

/* picks Retry-After: SECONDS; a new status line resets it */
static size_t
api_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct slack_api *a = arg;

	a->retry_after = fxcurl_retry_after(p, size * n, a->retry_after);
	return size * n;
}

static CURLcode
api_setup(struct slack_api *a, const char *url, const char *payload, size_t len,
    int form)
{
	struct fxcurl_post p = {
		.url = url,
		.payload = payload,
		.len = len,
		.hdr = form ? a->hdr_form : a->hdr_json,
		.connect_ms = API_CONNECT_TIMEOUT_MS,
		.timeout_ms = API_TIMEOUT_MS,
		.max_answer = (curl_off_t)FX_MAX_SLACK_RESPONSE,
		.write_cb = api_write_cb,
		.header_cb = api_header_cb,
		.arg = a,
		.errbuf = a->errbuf,
	};

	return fxcurl_post_setup(a->curl, &p);
}

/* "email=" + the percent-encoded address of body.email */
static fx_err
api_form_body(const json_t *body, struct buf *out)
{
	const char *s = json_string_value(json_object_get(body, "email"));
	fx_err rc;

	if (s == NULL || *s == '\0')
		return FX_EINVAL;
	if ((rc = buf_adds(out, "email=")) != FX_OK)
		return rc;
	return buf_add_uri(out, s, strlen(s), 0);
}

static int
api_retryable(const char *code)
{
	static const char *const codes[] = { "ratelimited", "internal_error",
		"fatal_error", "service_unavailable", "request_timeout" };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* err = the Slack error code, printable ASCII only, bounded */
static void
api_code(struct buf *err, const char *code)
{
	size_t i;
	fx_err e = FX_OK;

	if (err == NULL)
		return;
	buf_reset(err);
	for (i = 0; code[i] != '\0' && i < API_MAX_CODE && e == FX_OK; i++)
		e = buf_addc(err,
		    code[i] > ' ' && code[i] <= '~' ? code[i] : '?');
}

/* an HTTP 200 answer: {"ok": true|false, ...} */
static fx_err
api_answer(struct slack_api *a, const char *method, json_t **resp,
    struct buf *err)
{
	json_t *j, *ok;
	const char *code;
	fx_err rc;

	j = json_loadb(buf_str(&a->body), a->body.len, 0, NULL);
	ok = json_object_get(j, "ok");
	if (!json_is_object(j) || !json_is_boolean(ok)) {
		api_fail(err, method, "answer is not a Slack JSON object");
		json_decref(j);
		return FX_ERETRY;
	}
	if (json_is_true(ok))
		rc = FX_OK;
	else {
		code = json_string_value(json_object_get(j, "error"));
		if (code == NULL)
			code = "unknown_error";
		rc = api_retryable(code) ? FX_ERETRY : FX_EREMOTE;
		a->ratelimited = strcmp(code, "ratelimited") == 0;
		api_code(err, code);
	}
	if (resp != NULL)
		*resp = j;
	else
		json_decref(j);
	return rc;
}

/* the request body into out; *form set for users.lookupByEmail */
static fx_err
api_payload(const char *method, const json_t *body, struct buf *out, int *form)
{
	char *s;
	fx_err rc;

	*form = strcmp(method, API_FORM_METHOD) == 0;
	if (*form)
		return api_form_body(body, out);
	if (body != NULL && !json_is_object(body))
		return FX_EINVAL;
	s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body != NULL && s == NULL)
		return FX_ENOMEM;
	rc = buf_adds(out, s ? s : "{}");
	free(s);
	return rc;
}

/* the URL of a call to method and its body */
static fx_err
api_request(const char *base, const char *method, const json_t *body,
    struct buf *url, struct buf *payload, int *form)
{
	fx_err rc;

	rc = buf_addf(url, "%s%s", base, method);
	if (rc != FX_OK)
		return rc;
	return api_payload(method, body, payload, form);
}

fx_err
slack_api_call(struct slack_api *a, const char *method, const json_t *body,
    json_t **resp, int64_t *retry_after, struct buf *err)
{
	struct buf url = BUF_INIT, payload = BUF_INIT;
	char what[CURL_ERROR_SIZE + 32];
	long status = 0;
	CURLcode cc;
	int form;
	fx_err rc;

	if (resp != NULL)
		*resp = NULL;
	if (retry_after != NULL)
		*retry_after = 0;
	if (err != NULL)
		buf_reset(err);
	buf_init(&url, FX_MAX_FIELD + API_MAX_METHOD);
	buf_init(&payload, 0);
	if (a == NULL || method == NULL || !api_method_ok(method)) {
		rc = FX_EINVAL;
		api_fail(err, "slack_api_call", "bad handle or method name");
		goto out;
	}
	rc = api_request(a->base, method, body, &url, &payload, &form);
	if (rc != FX_OK) {
		api_fail(err, method, "cannot build the request");
		goto out;
	}
	buf_reset(&a->body);
	a->retry_after = 0;
	a->too_big = 0;
	a->ratelimited = 0;
	a->errbuf[0] = '\0';
	if ((cc = api_setup(a, buf_str(&url), buf_str(&payload), payload.len,
		 form)) == CURLE_OK)
		cc = curl_easy_perform(a->curl);
	if (cc != CURLE_OK) {
		if (a->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
			rc = FX_EREMOTE;
			api_fail(err, method, "answer too large");
		} else {
			rc = FX_ERETRY;
			snprintf(what, sizeof(what), "transport: %s",
			    a->errbuf[0] ? a->errbuf : curl_easy_strerror(cc));
			api_fail(err, method, what);
		}
		goto out;
	}
	curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		rc = api_answer(a, method, resp, err);
		goto out;
	}
	a->ratelimited = status == 429;
	rc = status == 429 || (status >= 500 && status <= 599) ? FX_ERETRY
							       : FX_EREMOTE;
	snprintf(what, sizeof(what), "http %ld", status);
	api_fail(err, method, what);
out:
	if (retry_after != NULL && (rc == FX_ERETRY || rc == FX_EREMOTE))
		*retry_after = a ? a->retry_after : 0;
	buf_release(&url);
	buf_release(&payload);
	return rc;
}

int
slack_api_ratelimited(const struct slack_api *a)
{
	return a != NULL && a->ratelimited;
}
