/*
 * fxcurl.c - libcurl loaded on first use (see fxcurl.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

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
