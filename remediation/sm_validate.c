/*
 * sm_validate.c - checks of a finding from outside (the ingest API, a
 * scan, an event) before it reaches sm_ingest (see sm.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fxlimits.h"
#include "sm.h"
#include "banned.h"

/* printable text without control characters, 1..max bytes */
static int
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
charset_ok(const char *s, const char *extra, int (*cls)(int), size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!cls((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

static int
is_lower_alnum(int c)
{
	return islower(c) || isdigit(c);
}

static int
is_upper_alnum(int c)
{
	return isupper(c) || isdigit(c);
}

fx_err
sm_check_finding(const struct policy *pol, struct finding_in *f, size_t i,
    struct buf *err)
{
	const char *bad = NULL, *why = "";
	char *dump;

	if (f->playbook == NULL || policy_playbook(pol, f->playbook) == NULL) {
		bad = "playbook";
		why = f->playbook ? "unknown playbook" : "required";
		goto fail;
	}
	if (f->account_id == NULL ||
	    policy_account(pol, f->account_id) == NULL) {
		bad = "account_id";
		why = f->account_id ? "not a configured account" : "required";
		goto fail;
	}
	if (f->region == NULL ||
	    !charset_ok(f->region, "-", is_lower_alnum, 32)) {
		bad = "region";
		why = f->region ? "must look like eu-west-1" : "required";
		goto fail;
	}
	if (f->resource_id == NULL || !text_ok(f->resource_id, FX_MAX_FIELD)) {
		bad = "resource_id";
		why = f->resource_id ? "must be 1..1024 printable bytes"
				     : "required";
		goto fail;
	}
	if (f->title == NULL || !text_ok(f->title, FX_MAX_TITLE)) {
		bad = "title";
		why = f->title ? "must be 1..300 printable bytes" : "required";
		goto fail;
	}
	if (f->resource_arn && (!text_ok(f->resource_arn, FX_MAX_FIELD) ||
				   strncmp(f->resource_arn, "arn:", 4) != 0)) {
		bad = "resource_arn";
		why = "must be an ARN (arn:...)";
		goto fail;
	}
	if (f->owner_email && (!text_ok(f->owner_email, 254) ||
				  strchr(f->owner_email, '@') == NULL ||
				  strchr(f->owner_email, ' ') != NULL)) {
		bad = "owner_email";
		why = "must be an email address";
		goto fail;
	}
	if (f->owner_slack_id &&
	    !charset_ok(f->owner_slack_id, "", is_upper_alnum, 32)) {
		bad = "owner_slack_id";
		why = "must be a Slack user id (U...)";
		goto fail;
	}
	if (f->details != NULL) {
		if (!json_is_object(f->details)) {
			bad = "details";
			why = "must be an object";
			goto fail;
		}
		dump = json_dumps(f->details, JSON_COMPACT);
		if (dump == NULL || strlen(dump) > FX_MAX_DETAILS) {
			free(dump);
			bad = "details";
			why = "too large (limit 32 KiB)";
			goto fail;
		}
		free(dump);
	}
	f->notify_only =
	    f->notify_only ||
	    (f->details != NULL &&
		(json_is_string(json_object_get(f->details, "iac_owner")) ||
		    json_is_true(json_object_get(f->details, "notify_only"))));
	return FX_OK;
fail:
	return buf_addf(err, "findings[%zu].%s: %s", i, bad, why) == FX_OK
		   ? FX_EINVAL
		   : FX_ENOMEM;
}
