/*
 * slack_sig.c - Slack v0 request signatures (see slack_sig.h).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "fxlimits.h"
#include "slack_sig.h"
#include "banned.h"

#define SIG_PREFIX	"v0="
#define SIG_PREFIX_LEN	3
#define MAC_LEN		32
#define TS_MAX_DIGITS	18	/* < 10^18 never overflows int64 */

/* HMAC-SHA256(secret, "v0:" ts ":" body) into mac */
static fx_err
sig_mac(const char *secret, const char *ts, const void *body, size_t len,
    unsigned char mac[MAC_LEN])
{
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	size_t outl = 0;
	fx_err rc = FX_ENOMEM;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(m)) == NULL)
		goto out;
	if (!EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret),
	    params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)"v0:", 3) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)":", 1) ||
	    (len > 0 && !EVP_MAC_update(ctx, body, len)) ||
	    !EVP_MAC_final(ctx, mac, &outl, MAC_LEN) || outl != MAC_LEN)
		goto out;
	rc = FX_OK;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return rc;
}

/* 1..18 ASCII digits -> *out; 0 on success, -1 otherwise */
static int
sig_parse_ts(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= TS_MAX_DIGITS || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = v;
	return 0;
}

/* lowercase hex digit value, -1 for anything else (uppercase included) */
static int
sig_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "v0=" + exactly 64 lowercase hex -> mac; 0 on success, -1 otherwise */
static int
sig_parse_hdr(const char *s, unsigned char mac[MAC_LEN])
{
	size_t i;
	int hi, lo;

	if (strncmp(s, SIG_PREFIX, SIG_PREFIX_LEN) != 0 ||
	    strlen(s) != SIG_PREFIX_LEN + 2 * MAC_LEN)
		return -1;
	s += SIG_PREFIX_LEN;
	for (i = 0; i < MAC_LEN; i++) {
		hi = sig_hexval(s[2 * i]);
		lo = sig_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

fx_err
slack_sig_verify(const char *secret, const char *ts_hdr, const char *sig_hdr,
    const void *body, size_t len, int64_t now)
{
	unsigned char want[MAC_LEN], got[MAC_LEN];
	int64_t ts;
	fx_err rc;

	if (secret == NULL || *secret == '\0' || (body == NULL && len > 0))
		return FX_EINVAL;
	if (ts_hdr == NULL || sig_hdr == NULL || now < 0 ||
	    sig_parse_ts(ts_hdr, &ts) != 0 || sig_parse_hdr(sig_hdr, got) != 0)
		return FX_EAUTH;
	if ((ts > now && ts - now > FX_SLACK_WINDOW_S) ||
	    (ts <= now && now - ts > FX_SLACK_WINDOW_S))
		return FX_EAUTH;
	rc = sig_mac(secret, ts_hdr, body, len, want);
	if (rc == FX_OK && CRYPTO_memcmp(want, got, MAC_LEN) != 0)
		rc = FX_EAUTH;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

fx_err
slack_sig_sign(const char *secret, const char *ts, const void *body,
    size_t len, char out[SLACK_SIG_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[MAC_LEN];
	size_t i;
	fx_err rc;

	if (secret == NULL || *secret == '\0' || ts == NULL ||
	    (body == NULL && len > 0))
		return FX_EINVAL;
	rc = sig_mac(secret, ts, body, len, mac);
	if (rc != FX_OK)
		return rc;
	memcpy(out, SIG_PREFIX, SIG_PREFIX_LEN);
	for (i = 0; i < MAC_LEN; i++) {
		out[SIG_PREFIX_LEN + 2 * i] = hex[mac[i] >> 4];
		out[SIG_PREFIX_LEN + 2 * i + 1] = hex[mac[i] & 0xf];
	}
	out[SLACK_SIG_LEN - 1] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return FX_OK;
}
