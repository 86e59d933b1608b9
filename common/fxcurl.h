/*
 * fxcurl.h - libcurl, loaded when first needed.
 *
 * fixitd needs libcurl only to call Slack (live mode) and AWS. Linked
 * directly, it and its dependencies (TLS, Kerberos, LDAP, SSH...) cost
 * about 2 MB of resident memory in every process, console mode
 * included; loaded with dlopen on first use they cost nothing until
 * then. Modules include this header instead of <curl/curl.h>: the curl_*
 * calls below go through the loaded library. fxcurl_load() must have
 * succeeded before any of them is made (slack_api_new and aws_client_new
 * call it); it also runs curl_global_init, once, thread-safely.
 */
#ifndef FIXIT_FXCURL_H
#define FIXIT_FXCURL_H

#define CURL_DISABLE_TYPECHECK /* the calls are macros below */
#include <curl/curl.h>

#include <stdint.h>

#include "fxerr.h"

struct fxcurl {
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_reset)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*global_cleanup)(void);
};

/* load libcurl and initialise it, once; FX_EHTTP when it cannot be */
fx_err fxcurl_load(void) FX_WUR;
/* the loaded library (fxcurl_load succeeded before) */
const struct fxcurl *fxcurl_api(void);
/* a header list whose strings hold a secret: wiped, then freed */
void fxcurl_slist_wipe(struct curl_slist *l); /* accepts NULL */
/* curl_global_cleanup when it was loaded; at exit, threads stopped */
void fxcurl_unload(void);

/*
 * A POST set up on c (reset first): payload[0..len) to url, http and
 * https only, no redirects, no signals, the given timeouts and headers;
 * the answer to write_cb and each header line to header_cb, both with
 * arg; max_answer: the largest answer curl accepts (0: no limit).
 * Returns the first option that failed (CURLE_OK when none did).
 */
struct fxcurl_post {
	const char *url, *payload;
	size_t len;
	struct curl_slist *hdr;
	long connect_ms, timeout_ms;
	curl_off_t max_answer;
	size_t (*write_cb)(char *p, size_t size, size_t n, void *arg);
	size_t (*header_cb)(char *p, size_t size, size_t n, void *arg);
	void *arg;
	char *errbuf; /* CURL_ERROR_SIZE */
};
CURLcode fxcurl_post_setup(CURL *c, const struct fxcurl_post *p);
/*
 * One header line p[0..len) for a Retry-After in seconds: 0 at a status
 * line (a new answer starts), the seconds of "Retry-After: N", else cur
 * unchanged (an absurd value too).
 */
int64_t fxcurl_retry_after(const char *p, size_t len, int64_t cur);

#undef curl_easy_setopt /* curl.h's own argument-count checks */
#undef curl_easy_getinfo
#define curl_easy_init()	   (fxcurl_api()->easy_init())
#define curl_easy_cleanup(h)	   (fxcurl_api()->easy_cleanup(h))
#define curl_easy_setopt(h, o, v)  (fxcurl_api()->easy_setopt(h, o, v))
#define curl_easy_perform(h)	   (fxcurl_api()->easy_perform(h))
#define curl_easy_getinfo(h, i, v) (fxcurl_api()->easy_getinfo(h, i, v))
#define curl_easy_reset(h)	   (fxcurl_api()->easy_reset(h))
#define curl_easy_strerror(c)	   (fxcurl_api()->easy_strerror(c))
#define curl_slist_append(l, s)	   (fxcurl_api()->slist_append(l, s))
#define curl_slist_free_all(l)	   (fxcurl_api()->slist_free_all(l))

#endif
