/*
 * test_slack_sig.c - Slack v0 signature verification against Slack's
 * documented vector (tests/data/slack/slash_command.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "fxerr.h"
#include "fxlimits.h"
#include "slack_sig.h"
#include "testhelp.h"
#include "banned.h"

static json_t *
load_vector(void)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;

	th_data_path(path, sizeof(path), "slack/slash_command.json");
	j = json_load_file(path, 0, &jerr);
	if (j == NULL)
		printf("cannot load %s: %s\n", path, jerr.text);
	return j;
}

static const char *secret, *ts, *sig, *body;
static size_t len;
static const int64_t t0 = 1531420618;

static void
test_vector(void)
{
	char buf[SLACK_SIG_LEN], *tamp;

	TEST("documented vector") {
		CHECK_INT(len, 362);
		CHECK_STR(ts, "1531420618");
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len, t0 + 10),
		    FX_OK);
		CHECK_INT(slack_sig_sign(secret, ts, body, len, buf), FX_OK);
		CHECK_STR(buf, sig);
		CHECK_STR(buf, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d2"
			       "1a10bd27519666489c69b503");
	}

	TEST("tampered body, wrong secret, wrong length") {
		tamp = strdup(body);
		CHECK(tamp != NULL);
		if (tamp != NULL) {
			tamp[100] ^= 1;
			CHECK_INT(slack_sig_verify(secret, ts, sig, tamp, len,
				      t0),
			    FX_EAUTH);
			free(tamp);
		}
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len - 1, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify("8f742231b10e8888abcd99yyyzzz85a6",
			      ts, sig, body, len, t0),
		    FX_EAUTH);
		/* the timestamp is part of the MAC */
		CHECK_INT(slack_sig_verify(secret, "1531420619", sig, body, len,
			      t0),
		    FX_EAUTH);
	}
}

static void
test_window_and_headers(void)
{
	TEST("timestamp window, both directions") {
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len,
			      t0 + FX_SLACK_WINDOW_S),
		    FX_OK);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len,
			      t0 - FX_SLACK_WINDOW_S),
		    FX_OK);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len,
			      t0 + 301),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len,
			      t0 - 301),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len, 0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len, -1),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, sig, body, len,
			      INT64_MAX),
		    FX_EAUTH);
	}

	TEST("missing and empty headers, NULL secret") {
		CHECK_INT(slack_sig_verify(secret, NULL, sig, body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, NULL, body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "", sig, body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, "", body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(NULL, ts, sig, body, len, t0),
		    FX_EINVAL);
		CHECK_INT(slack_sig_verify("", ts, sig, body, len, t0),
		    FX_EINVAL);
		CHECK_INT(slack_sig_verify(secret, ts, sig, NULL, len, t0),
		    FX_EINVAL);
	}
}

static void
test_malformed(void)
{
	char buf[SLACK_SIG_LEN], bad[SLACK_SIG_LEN + 8];
	size_t i;

	TEST("malformed signatures") {
		snprintf(bad, sizeof(bad), "v1=%s", sig + 3);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		snprintf(bad, sizeof(bad), "V0=%s", sig + 3);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		snprintf(bad, sizeof(bad), "%s", sig + 3); /* no prefix */
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		/* uppercase hex: refused by choice (slack_sig.h) */
		snprintf(bad, sizeof(bad), "%s", sig);
		for (i = 3; bad[i] != '\0'; i++)
			if (bad[i] >= 'a' && bad[i] <= 'f')
				bad[i] = (char)(bad[i] - 'a' + 'A');
		CHECK(strcmp(bad, sig) != 0);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		/* truncated, extended, non-hex, trailing space */
		snprintf(bad, sizeof(bad), "%.66s", sig);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		snprintf(bad, sizeof(bad), "%s0", sig);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		snprintf(bad, sizeof(bad), "%s ", sig);
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		snprintf(bad, sizeof(bad), "%s", sig);
		bad[10] = 'g';
		CHECK_INT(slack_sig_verify(secret, ts, bad, body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, ts, "v0=", body, len, t0),
		    FX_EAUTH);
	}

	TEST("malformed timestamps") {
		CHECK_INT(slack_sig_verify(secret, "1531420618a", sig, body,
			      len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "abc", sig, body, len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, " 1531420618", sig, body,
			      len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "+1531420618", sig, body,
			      len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "-1531420618", sig, body,
			      len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "1531420618.5", sig, body,
			      len, t0),
		    FX_EAUTH);
		CHECK_INT(slack_sig_verify(secret, "99999999999999999999999",
			      sig, body, len, t0),
		    FX_EAUTH);
	}

	TEST("sign/verify round trip, empty body") {
		CHECK_INT(slack_sig_sign("s3cret", "1700000000", "", 0, buf),
		    FX_OK);
		CHECK_INT(slack_sig_verify("s3cret", "1700000000", buf, NULL, 0,
			      1700000000),
		    FX_OK);
		CHECK_INT(slack_sig_verify("s3cret", "1700000000", buf, "x", 1,
			      1700000000),
		    FX_EAUTH);
		CHECK_INT(slack_sig_sign(NULL, "1", "", 0, buf), FX_EINVAL);
	}
}

/* slack_sig_sign against OpenSSL's own HMAC, keys of every length class */
static void
test_key_lengths(void)
{
	static const size_t klens[] = { 1, 32, 63, 64, 65, 100, 200 };
	char key[201], want[SLACK_SIG_LEN], got[SLACK_SIG_LEN];
	unsigned char mac[32], msg[64];
	size_t i, j, n, maclen = 0;

	TEST("HMAC-SHA256 as OpenSSL computes it, short and long keys") {
		n = (size_t)snprintf((char *)msg, sizeof(msg), "v0:%s:%s",
		    "1531420618", "a=b");
		for (i = 0; i < sizeof(klens) / sizeof(klens[0]); i++) {
			for (j = 0; j < klens[i]; j++)
				key[j] = (char)('a' + (i + j) % 26);
			key[klens[i]] = '\0';
			CHECK(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
				  klens[i], msg, n, mac, sizeof(mac),
				  &maclen) != NULL);
			CHECK_INT(maclen, 32);
			memcpy(want, "v0=", 3);
			for (j = 0; j < 32; j++)
				snprintf(want + 3 + 2 * j, 3, "%02x", mac[j]);
			CHECK_INT(slack_sig_sign(key, "1531420618", "a=b", 3,
				      got),
			    FX_OK);
			CHECK_STR(got, want);
		}
	}
}

int
main(void)
{
	json_t *v = load_vector();

	if (v == NULL)
		return 1;
	secret = json_string_value(json_object_get(v, "signing_secret"));
	body = json_string_value(json_object_get(v, "raw_body"));
	ts = json_string_value(json_object_get(json_object_get(v, "headers"),
	    "X-Slack-Request-Timestamp"));
	sig = json_string_value(json_object_get(json_object_get(v, "headers"),
	    "X-Slack-Signature"));
	if (secret == NULL || body == NULL || ts == NULL || sig == NULL) {
		printf("vector file incomplete\n");
		return 1;
	}
	len = strlen(body);
	test_vector();
	test_window_and_headers();
	test_malformed();
	test_key_lengths();
	json_decref(v);
	return TEST_REPORT();
}
