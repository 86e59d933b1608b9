/*
 * slack_hook.c - posts to a slash command's response_url (see
 * slack_hook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "fxcurl.h"
#include "slack_hook.h"
#include "banned.h"

#define HOOK_CONNECT_TIMEOUT_MS 5000L
#define HOOK_TIMEOUT_MS		15000L
#define HOOK_MAX_ANSWER		4096 /* Slack answers "ok" or an error */
#define HOOK_PREFIX		"commands/"
#define HOOK_MAX_SEGMENTS	8

struct slack_hook {
	CURL *curl;
	struct curl_slist *hdr;
	struct buf body;     /* the answer, capped (not read: drained) */
	int64_t retry_after; /* Retry-After of the last answer */
	char errbuf[CURL_ERROR_SIZE];
};

static int
seg_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int
slack_hook_url_ok(const char *base, const char *url)
{
	size_t nb, i, seg = 0, nseg = 0;
	const char *p;

	if (base == NULL || url == NULL || *base == '\0')
		return 0;
	nb = strlen(base);
	if (base[nb - 1] != '/' || strlen(url) > SLACK_HOOK_MAX_URL ||
	    strncmp(url, base, nb) != 0)
		return 0;
	p = url + nb;
	if (strncmp(p, HOOK_PREFIX, strlen(HOOK_PREFIX)) != 0)
		return 0;
	p += strlen(HOOK_PREFIX);
	for (i = 0;; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			if (seg == 0) /* empty segment, or a final '/' */
				return 0;
			nseg++;
			seg = 0;
			if (p[i] == '\0')
				break;
			continue;
		}
		if (!seg_char(p[i]))
			return 0;
		seg++;
	}
	return nseg >= 1 && nseg <= HOOK_MAX_SEGMENTS;
}

fx_err
slack_hook_new(struct slack_hook **out)
{
	struct slack_hook *h = NULL;
	struct curl_slist *n;
	fx_err rc;

	*out = NULL;
	rc = FX_EHTTP;
	if (fxcurl_load() != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		goto out;
	buf_init(&h->body, HOOK_MAX_ANSWER);
	if ((n = curl_slist_append(NULL,
		 "Content-Type: application/json; charset=utf-8")) == NULL)
		goto out;
	h->hdr = n;
	if ((n = curl_slist_append(h->hdr, "Expect:")) == NULL)
		goto out;
	h->hdr = n;
	rc = FX_EHTTP;
	if ((h->curl = curl_easy_init()) == NULL)
		goto out;
	*out = h;
	h = NULL;
	rc = FX_OK;
out:
	slack_hook_free(h);
	return rc;
}

void
slack_hook_free(struct slack_hook *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	if (h->hdr != NULL)
		curl_slist_free_all(h->hdr);
	buf_release(&h->body);
	free(h);
}

static size_t
hook_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct slack_hook *h = arg;

	if (buf_add(&h->body, p, size * n) != FX_OK)
		buf_reset(&h->body); /* only the status matters */
	return size * n;
}

/* picks Retry-After: SECONDS; a new status line resets it */
static size_t
hook_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct slack_hook *h = arg;

	h->retry_after = fxcurl_retry_after(p, size * n, h->retry_after);
	return size * n;
}

static CURLcode
hook_setup(struct slack_hook *h, const char *url, const char *payload,
    size_t len)
{
	struct fxcurl_post p = {
		.url = url,
		.payload = payload,
		.len = len,
		.hdr = h->hdr,
		.connect_ms = HOOK_CONNECT_TIMEOUT_MS,
		.timeout_ms = HOOK_TIMEOUT_MS,
		.max_answer = 0,
		.write_cb = hook_write_cb,
		.header_cb = hook_header_cb,
		.arg = h,
		.errbuf = h->errbuf,
	};

	return fxcurl_post_setup(h->curl, &p);
}

/* a sentence into err; a cut one is still a sentence */
static void
hook_fail(struct buf *err, const char *what, long status)
{
	fx_err e;

	if (err == NULL)
		return;
	buf_reset(err);
	if (status != 0)
		e = buf_addf(err, "response_url: http %ld", status);
	else
		e = buf_addf(err, "response_url: %s", what ? what : "failed");
	(void)e;
}

fx_err
slack_hook_post(struct slack_hook *h, const char *url, const json_t *body,
    int64_t *retry_after, struct buf *err)
{
	char *payload = NULL;
	long status = 0;
	CURLcode cc;
	fx_err rc;

	if (retry_after != NULL)
		*retry_after = 0;
	if (err != NULL)
		buf_reset(err);
	if (h == NULL || url == NULL || !json_is_object(body)) {
		hook_fail(err, "bad arguments", 0);
		return FX_EINVAL;
	}
	if ((payload = json_dumps(body, JSON_COMPACT)) == NULL)
		return FX_ENOMEM;
	buf_reset(&h->body);
	h->retry_after = 0;
	h->errbuf[0] = '\0';
	if ((cc = hook_setup(h, url, payload, strlen(payload))) == CURLE_OK)
		cc = curl_easy_perform(h->curl);
	if (cc != CURLE_OK) {
		/* curl's own text may quote the URL: only its code */
		hook_fail(err, curl_easy_strerror(cc), 0);
		rc = FX_ERETRY;
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status <= 299) {
		rc = FX_OK;
		goto out;
	}
	rc = status == 429 || (status >= 500 && status <= 599) ? FX_ERETRY
							       : FX_EREMOTE;
	hook_fail(err, "http", status);
	if (retry_after != NULL)
		*retry_after = h->retry_after;
out:
	free(payload);
	return rc;
}
