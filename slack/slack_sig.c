/*
 * slack_sig.c - Slack v0 request signatures (see slack_sig.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fxlimits.h"
#include "slack_sig.h"
#include "banned.h"

#define SIG_PREFIX     "v0="
#define SIG_PREFIX_LEN 3
#define MAC_LEN	       32
#define TS_MAX_DIGITS  18 /* < 10^18 never overflows int64 */

#define SHA256_BLOCK 64

/*
 * SHA-256, fetched from the provider once: with OpenSSL 3, fetching the
 * HMAC and digest implementations on every request (EVP_MAC_fetch,
 * EVP_MAC_init) cost three times the hashing itself.
 */
static EVP_MD *sig_sha256;
static pthread_once_t sig_once = PTHREAD_ONCE_INIT;

static void
sig_init(void)
{
	sig_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

struct sig_part {
	const void *p;
	size_t n;
};

/* SHA-256 of pad followed by the n parts, into out */
static int
sig_digest(EVP_MD_CTX *ctx, const unsigned char pad[SHA256_BLOCK],
    const struct sig_part *part, size_t n, unsigned char out[MAC_LEN])
{
	unsigned int outl = 0;
	size_t i;

	if (!EVP_DigestInit_ex(ctx, sig_sha256, NULL))
		return 0;
	if (!EVP_DigestUpdate(ctx, pad, SHA256_BLOCK))
		return 0;
	for (i = 0; i < n; i++)
		if (part[i].n > 0 &&
		    !EVP_DigestUpdate(ctx, part[i].p, part[i].n))
			return 0;
	return EVP_DigestFinal_ex(ctx, out, &outl) && outl == MAC_LEN;
}

/* HMAC-SHA256(secret, "v0:" ts ":" body) into mac (RFC 2104) */
static fx_err
sig_mac(const char *secret, const char *ts, const void *body, size_t len,
    unsigned char mac[MAC_LEN])
{
	unsigned char key[SHA256_BLOCK], pad[SHA256_BLOCK], inner[MAC_LEN];
	const struct sig_part msg[] = { { "v0:", 3 }, { ts, strlen(ts) },
		{ ":", 1 }, { body, len } },
			      digest = { inner, MAC_LEN };
	size_t klen = strlen(secret), i;
	unsigned int outl = 0;
	EVP_MD_CTX *ctx = NULL;
	fx_err rc = FX_ENOMEM;

	if (pthread_once(&sig_once, sig_init) != 0 || sig_sha256 == NULL)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		goto out;
	memset(key, 0, sizeof(key));
	if (klen > SHA256_BLOCK) {
		if (!EVP_Digest(secret, klen, key, &outl, sig_sha256, NULL) ||
		    outl != MAC_LEN)
			goto out;
	} else
		memcpy(key, secret, klen);
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = key[i] ^ 0x36;
	if (!sig_digest(ctx, pad, msg, sizeof(msg) / sizeof(msg[0]), inner))
		goto out;
	for (i = 0; i < SHA256_BLOCK; i++)
		pad[i] = key[i] ^ 0x5c;
	if (!sig_digest(ctx, pad, &digest, 1, mac))
		goto out;
	rc = FX_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	EVP_MD_CTX_free(ctx);
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
slack_sig_sign(const char *secret, const char *ts, const void *body, size_t len,
    char out[SLACK_SIG_LEN])
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
