#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "fxlimits.h"
#include "banned.h"

static char empty_str[1];

void
buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : FX_BUF_DEFAULT_CAP;
}

void
buf_release(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void
buf_release_secret(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->alloc);
	buf_release(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (b->data != NULL && len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : empty_str;
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

static fx_err
buf_grow(struct buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : FX_BUF_DEFAULT_CAP;
	size_t need, n;
	char *p;

	if (extra > cap || b->len > cap - extra)
		return FX_ETOOBIG;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return FX_OK;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n *= 2;
	if (n > cap + 1)
		n = cap + 1;
	p = realloc(b->data, n);
	if (p == NULL)
		return FX_ENOMEM;
	b->data = p;
	b->alloc = n;
	return FX_OK;
}

fx_err
buf_add(struct buf *b, const void *p, size_t n)
{
	fx_err rc = buf_grow(b, n);

	if (rc != FX_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return FX_OK;
}

fx_err
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

fx_err
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

fx_err
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	fx_err rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FX_EINVAL;
	rc = buf_grow(b, (size_t)n);
	if (rc != FX_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return FX_OK;
}

void
buf_vaddf_cut(struct buf *b, const char *fmt, va_list ap)
{
	size_t cap = b->cap ? b->cap : FX_BUF_DEFAULT_CAP, room, n;
	va_list aq;
	char *t;
	int len;

	va_copy(aq, ap);
	len = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (len < 0 || (t = malloc((size_t)len + 1)) == NULL)
		return;
	vsnprintf(t, (size_t)len + 1, fmt, ap);
	room = cap > b->len ? cap - b->len : 0;
	n = (size_t)len;
	if (n > room) {
		n = room > 3 ? room - 3 : 0;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--;
	}
	if (buf_add(b, t, n) != FX_OK)
		goto out;
	if (n < (size_t)len && buf_adds(b, "...") != FX_OK)
		buf_truncate(b, b->len); /* no room even for the mark */
out:
	free(t);
}

void
buf_addf_cut(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf_cut(b, fmt, ap);
	va_end(ap);
}

fx_err
buf_add_uri(struct buf *b, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char esc[3];
	size_t i;
	fx_err rc;

	if (s == NULL && n > 0)
		return FX_EINVAL;
	for (i = 0; i < n; i++) {
		if ((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		    p[i] == '.' || p[i] == '_' || p[i] == '~' ||
		    (keep_slash && p[i] == '/')) {
			rc = buf_addc(b, (char)p[i]);
		} else {
			esc[0] = '%';
			esc[1] = hex[p[i] >> 4];
			esc[2] = hex[p[i] & 0xf];
			rc = buf_add(b, esc, sizeof(esc));
		}
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}
