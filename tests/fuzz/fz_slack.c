/*
 * fz_slack.c - fuzz targets for what Slack posts: the signature headers
 * (slack_sig.h), form bodies (slack_form.h), interaction payloads and
 * slash commands (slack_payload.h).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "fxlimits.h"
#include "slack_form.h"
#include "slack_payload.h"
#include "slack_sig.h"

static const char secret[] = "8f742231b10e8888abcd99yyyzzz85a5";

/* the next '\n'-ended line of [*p, end) as a heap string, *p past it */
static char *
take_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *stop = nl != NULL ? nl : end;
	char *s = fz_strndup(*p, (size_t)(stop - *p));

	*p = nl != NULL ? nl + 1 : end;
	return s;
}

/* 1 when s is 1..18 ASCII digits, as slack_sig.h takes a timestamp */
static int
ts_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 18)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Input: "<timestamp>\n<signature>\n<body>". The headers as sent are
 * checked against the body (only FX_OK or FX_EAUTH); then the body signed
 * for the timestamp must verify, and the same signature must not verify
 * for another body.
 */
int
fz_slack_sig(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *ts = take_line(&p, end), *sig = take_line(&p, end);
	char good[SLACK_SIG_LEN];
	size_t blen = (size_t)(end - p);
	int64_t now = 1531420618;
	fx_err rc;

	if (ts == NULL || sig == NULL)
		goto out;
	if (ts_valid(ts))
		now = strtoll(ts, NULL, 10);
	rc = slack_sig_verify(secret, ts, sig, p, blen, now);
	FZ_ASSERT(rc == FX_OK || rc == FX_EAUTH || rc == FX_ENOMEM);
	if (slack_sig_sign(secret, ts, p, blen, good) != FX_OK)
		goto out;
	FZ_ASSERT(strlen(good) == SLACK_SIG_LEN - 1);
	if (ts_valid(ts)) {
		rc = slack_sig_verify(secret, ts, good, p, blen, now);
		FZ_ASSERT(rc == FX_OK || rc == FX_ENOMEM);
		if (blen > 0) {
			rc = slack_sig_verify(secret, ts, good, p, blen - 1,
			    now);
			FZ_ASSERT(rc == FX_EAUTH || rc == FX_ENOMEM);
		}
	} else {
		rc = slack_sig_verify(secret, ts, good, p, blen, now);
		FZ_ASSERT(rc == FX_EAUTH || rc == FX_ENOMEM);
	}
out:
	free(ts);
	free(sig);
	return 0;
}

/*
 * Input: the raw form body. Every key fixitd asks for, with a roomy and
 * a tight cap: on FX_OK the value fits the cap and has no NUL; on error
 * out is empty.
 */
int
fz_slack_form(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "payload", "text", "user_id",
		"command", "channel_id", "response_url", "", NULL };
	static const size_t caps[] = { 1 << 20, 8 };
	struct buf out;
	size_t k, c;
	fx_err rc;

	for (k = 0; keys[k] != NULL; k++)
		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			buf_init(&out, caps[c]);
			rc = slack_form_get((const char *)data, size, keys[k],
			    &out);
			if (rc == FX_OK) {
				FZ_ASSERT(out.len <= caps[c]);
				FZ_ASSERT(out.len == 0 || memchr(out.data, '\0',
							      out.len) == NULL);
			} else {
				FZ_ASSERT(rc == FX_EINVAL || rc == FX_ETOOBIG ||
					  rc == FX_ENOTFOUND ||
					  rc == FX_ENOMEM);
				FZ_ASSERT(out.len == 0);
			}
			buf_release(&out);
		}
	return 0;
}

/* s is NULL or a NUL-terminated string of at most max bytes */
static void
check_str(const char *s, size_t max)
{
	if (s != NULL)
		FZ_ASSERT(strlen(s) <= max);
}

/*
 * Input: the decoded "payload" JSON. On FX_OK user_id is set, and every
 * string is within FX_MAX_FIELD (the reason, in characters, is at most
 * 4 bytes each); on error the struct is zeroed.
 */
int
fz_slack_interaction(const uint8_t *data, size_t size)
{
	static const struct slack_interaction zero;
	struct slack_interaction si;
	struct buf err = BUF_INIT;
	fx_err rc;

	memset(&si, 0x5a, sizeof(si)); /* the parser must not trust it */
	rc = slack_interaction_parse((const char *)data, size, &si, &err);
	if (rc == FX_OK) {
		FZ_ASSERT(si.user_id != NULL && si.user_id[0] != '\0');
		check_str(si.user_id, FX_MAX_FIELD);
		check_str(si.trigger_id, FX_MAX_FIELD);
		check_str(si.channel_id, FX_MAX_FIELD);
		check_str(si.message_ts, FX_MAX_FIELD);
		check_str(si.action_id, FX_MAX_FIELD);
		check_str(si.action_value, FX_MAX_FIELD);
		check_str(si.private_metadata, FX_MAX_FIELD);
		check_str(si.reason, 4 * (size_t)FX_MAX_REASON);
		check_str(si.selected_user, FX_MAX_SLACK_USER);
		if (si.type == SI_VIEW_SUBMISSION)
			FZ_ASSERT(si.callback_id != NULL);
	} else {
		FZ_ASSERT(
		    rc == FX_EINVAL || rc == FX_ETOOBIG || rc == FX_ENOMEM);
		FZ_ASSERT(memcmp(&si, &zero, sizeof(si)) == 0);
	}
	slack_interaction_release(&si);
	FZ_ASSERT(memcmp(&si, &zero, sizeof(si)) == 0);
	buf_release(&err);
	return 0;
}

/*
 * Input: the raw form body of a slash command. On FX_OK user_id and
 * command are non-empty and text is set; on error the struct is zeroed.
 */
int
fz_slack_command(const uint8_t *data, size_t size)
{
	static const struct slack_command zero;
	struct slack_command c;
	struct buf err = BUF_INIT;
	fx_err rc;

	memset(&c, 0x5a, sizeof(c));
	rc = slack_command_parse((const char *)data, size, &c, &err);
	if (rc == FX_OK) {
		FZ_ASSERT(c.user_id != NULL && c.user_id[0] != '\0');
		FZ_ASSERT(c.command != NULL && c.command[0] != '\0');
		FZ_ASSERT(c.text != NULL);
		check_str(c.user_id, FX_MAX_FIELD);
		check_str(c.command, FX_MAX_FIELD);
		check_str(c.text, FX_MAX_FIELD);
		check_str(c.channel_id, FX_MAX_FIELD);
		check_str(c.response_url, FX_MAX_FIELD);
	} else {
		FZ_ASSERT(
		    rc == FX_EINVAL || rc == FX_ETOOBIG || rc == FX_ENOMEM);
		FZ_ASSERT(memcmp(&c, &zero, sizeof(c)) == 0);
	}
	slack_command_release(&c);
	buf_release(&err);
	return 0;
}
