/*
 * fxcurl.c - libcurl loaded on first use (see fxcurl.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "fxcurl.h"
#include "fxlog.h"
#include "banned.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct fxcurl api;
static void *lib;
static int loaded;

/* dlsym into a function pointer (POSIX guarantees the conversion) */
static int
sym(const char *name, void *fp)
{
	void *p = dlsym(lib, name);

	if (p == NULL) {
		log_warnx("fxcurl_load: libcurl has no %s", name);
		return -1;
	}
	*(void **)fp = p;
	return 0;
}

static void
load(void)
{
	CURLcode (*global_init)(long) = NULL;
	const struct {
		const char *name;
		void *fp;
	} syms[] = {
		{ "curl_easy_init", &api.easy_init },
		{ "curl_easy_cleanup", &api.easy_cleanup },
		{ "curl_easy_setopt", &api.easy_setopt },
		{ "curl_easy_perform", &api.easy_perform },
		{ "curl_easy_getinfo", &api.easy_getinfo },
		{ "curl_easy_reset", &api.easy_reset },
		{ "curl_easy_strerror", &api.easy_strerror },
		{ "curl_slist_append", &api.slist_append },
		{ "curl_slist_free_all", &api.slist_free_all },
		{ "curl_global_cleanup", &api.global_cleanup },
		{ "curl_global_init", &global_init },
	};
	size_t i;

	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		log_warnx("fxcurl_load: cannot load libcurl: %s", dlerror());
		return;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (sym(syms[i].name, syms[i].fp) != 0)
			return;
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("fxcurl_load: curl_global_init failed");
		return;
	}
	loaded = 1;
}

fx_err
fxcurl_load(void)
{
	if (pthread_once(&once, load) != 0 || !loaded)
		return FX_EHTTP;
	return FX_OK;
}

const struct fxcurl *
fxcurl_api(void)
{
	return &api;
}

void
fxcurl_unload(void)
{
	if (loaded)
		api.global_cleanup();
}

void
fxcurl_slist_wipe(struct curl_slist *l)
{
	struct curl_slist *p;

	if (l == NULL)
		return;
	for (p = l; p != NULL; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

#define SETOPT(opt, val)                                                       \
	do {                                                                   \
		if (cc == CURLE_OK)                                            \
			cc = curl_easy_setopt(c, opt, val);                    \
	} while (0)

CURLcode
fxcurl_post_setup(CURL *c, const struct fxcurl_post *p)
{
	CURLcode cc = CURLE_OK;

	curl_easy_reset(c);
	SETOPT(CURLOPT_URL, p->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, p->connect_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, p->timeout_ms);
	if (p->max_answer > 0)
		SETOPT(CURLOPT_MAXFILESIZE_LARGE, p->max_answer);
	SETOPT(CURLOPT_HTTPHEADER, p->hdr);
	SETOPT(CURLOPT_USERAGENT, "fixitd");
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_POSTFIELDS, p->payload);
	SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
	SETOPT(CURLOPT_WRITEFUNCTION, p->write_cb);
	SETOPT(CURLOPT_WRITEDATA, p->arg);
	SETOPT(CURLOPT_HEADERFUNCTION, p->header_cb);
	SETOPT(CURLOPT_HEADERDATA, p->arg);
	SETOPT(CURLOPT_ERRORBUFFER, p->errbuf);
	return cc;
}

#undef SETOPT

int64_t
fxcurl_retry_after(const char *p, size_t len, int64_t cur)
{
	size_t i = 12;
	int64_t v = 0;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		return 0;
	if (len < 12 || strncasecmp(p, "Retry-After:", 12) != 0)
		return cur;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (v > 100000000) /* absurd: ignore */
			return cur;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}
