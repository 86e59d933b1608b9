#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "fxlimits.h"
#include "fxutil.h"
#include "banned.h"

extern char **environ;

fx_err
fx_strtoll(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t' || *s == '+')
		return FX_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return FX_EINVAL;
	*out = (int64_t)v;
	return FX_OK;
}

int
fx_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *pa = a, *pb = b;
	size_t n = alen > blen ? alen : blen, i;
	unsigned char diff = (unsigned char)(alen != blen);

	for (i = 0; i < n; i++) {
		unsigned char ca = i < alen ? pa[i] : 0;
		unsigned char cb = i < blen ? pb[i] : 0;

		diff |= (unsigned char)(ca ^ cb);
	}
	return diff == 0;
}

static fx_err
secret_trim(char *s, char **out)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
			    s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	if (n == 0) {
		fx_secret_free(s);
		return FX_EINVAL;
	}
	*out = s;
	return FX_OK;
}

fx_err
fx_secret_from_fd(int fd, char **out)
{
	char *s = NULL;
	size_t len = 0;
	ssize_t r;

	s = calloc(1, FX_MAX_SECRET + 1);
	if (s == NULL)
		return FX_ENOMEM;
	while ((r = read(fd, s + len, FX_MAX_SECRET + 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
		if (len > FX_MAX_SECRET)
			break;
	}
	if (r < 0 || len > FX_MAX_SECRET || memchr(s, '\0', len) != NULL) {
		fx_secret_free(s);
		return r < 0 ? FX_EIO : FX_EINVAL;
	}
	s[len] = '\0';
	return secret_trim(s, out);
}

fx_err
fx_secret_from_file(const char *path, char **out)
{
	fx_err rc;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FX_EIO;
	rc = fx_secret_from_fd(fd, out);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

fx_err
fx_secret_from_env(const char *name, char **out)
{
	const char *v = getenv(name);
	char *s;

	if (v == NULL || *v == '\0')
		return FX_ENOTFOUND;
	if (strlen(v) > FX_MAX_SECRET)
		return FX_ETOOBIG;
	s = strdup(v);
	if (s == NULL)
		return FX_ENOMEM;
	return secret_trim(s, out);
}

void
fx_secret_env_scrub(const char *name)
{
	size_t nlen = strlen(name), n = 0, i;
	char **e, *hit[8];

	/*
	 * unsetenv only unlinks the entries; their bytes (on the initial
	 * stack: what /proc/PID/environ shows) stay until overwritten. Every
	 * value wiped first (a name may be given twice), then the names of
	 * the first few.
	 */
	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, name, nlen) != 0 || (*e)[nlen] != '=')
			continue;
		OPENSSL_cleanse(*e + nlen + 1, strlen(*e + nlen + 1));
		if (n < sizeof(hit) / sizeof(hit[0]))
			hit[n++] = *e;
	}
	unsetenv(name);
	for (i = 0; i < n; i++)
		OPENSSL_cleanse(hit[i], nlen + 1);
}

void
fx_secret_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

char *
fx_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
fx_slack_user_id_ok(const char *s)
{
	size_t n;

	if (s == NULL || (s[0] != 'U' && s[0] != 'W'))
		return 0;
	n = strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	return s[1 + n] == '\0' && n >= 2 && n <= 24;
}

int
fx_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
fx_utf8_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int
fx_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = fx_utf8_len(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

void
fx_utf8_scrub(char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = fx_utf8_len(s + i, n - i)) == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}
