/*
 * slack_form.c - x-www-form-urlencoded lookups (see slack_form.h).
 */
#include <string.h>

#include "buf.h"
#include "slack_form.h"
#include "fxutil.h"
#include "banned.h"

/*
 * Decode the byte at s[*i] (n bytes in s) into *c and advance *i.
 * -1 on a bad escape or a NUL byte.
 */
static int
form_next(const char *s, size_t n, size_t *i, char *c)
{
	int hi, lo;

	if (s[*i] == '%') {
		if (n - *i < 3 || (hi = fx_hexval(s[*i + 1])) < 0 ||
		    (lo = fx_hexval(s[*i + 2])) < 0)
			return -1;
		*c = (char)(hi << 4 | lo);
		*i += 3;
	} else {
		*c = s[*i] == '+' ? ' ' : s[*i];
		*i += 1;
	}
	return *c == '\0' ? -1 : 0;
}

/*
 * Decode s[0..n) and compare it with key: 1 equal, 0 different, -1 bad
 * encoding. Always walks the whole span so that it is validated.
 */
static int
form_key_eq(const char *s, size_t n, const char *key)
{
	size_t i = 0, k = 0;
	int eq = 1;
	char c;

	while (i < n) {
		if (form_next(s, n, &i, &c) != 0)
			return -1;
		if (eq && key[k] == c)
			k++;
		else
			eq = 0;
	}
	return eq && key[k] == '\0';
}

/* decode s[0..n) into out (NULL: validate only) */
static fx_err
form_decode(const char *s, size_t n, struct buf *out)
{
	char chunk[256];
	size_t i = 0, k = 0;
	fx_err rc;

	while (i < n) {
		if (form_next(s, n, &i, &chunk[k]) != 0)
			return FX_EINVAL;
		if (++k == sizeof(chunk) || i == n) {
			if (out != NULL &&
			    (rc = buf_add(out, chunk, k)) != FX_OK)
				return rc;
			k = 0;
		}
	}
	return FX_OK;
}

fx_err
slack_form_get(const char *body, size_t len, const char *key, struct buf *out)
{
	const char *seg, *amp, *eq, *end;
	size_t seglen, klen;
	int found = 0, m;
	fx_err rc = FX_OK;

	if (out == NULL || key == NULL)
		return FX_EINVAL;
	buf_reset(out);
	if (body == NULL)
		return len > 0 ? FX_EINVAL : FX_ENOTFOUND;
	end = body + len;
	for (seg = body; seg != NULL && seg < end; seg = amp ? amp + 1 : NULL) {
		amp = memchr(seg, '&', (size_t)(end - seg));
		seglen = (size_t)((amp ? amp : end) - seg);
		if (seglen == 0)
			continue;
		eq = memchr(seg, '=', seglen);
		klen = eq ? (size_t)(eq - seg) : seglen;
		if ((m = form_key_eq(seg, klen, key)) < 0) {
			rc = FX_EINVAL;
			goto out;
		}
		if (m == 1 && found) {
			rc = FX_EINVAL;
			goto out;
		}
		found |= m;
		if (eq == NULL)
			continue;
		rc = form_decode(eq + 1, seglen - klen - 1, m ? out : NULL);
		if (rc != FX_OK)
			goto out;
	}
	if (!found)
		rc = FX_ENOTFOUND;
out:
	if (rc != FX_OK)
		buf_reset(out);
	return rc;
}
