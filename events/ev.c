/*
 * ev.c - EventBridge CloudTrail API call events (see ev.h): envelope
 * checks, the actor and whether the call was made by hand, ownership
 * from tags. Pure: no I/O, no state.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxtime.h"
#include "ev.h"
#include "ev_int.h"
#include "banned.h"

static const struct {
	const char *name, *why;
} verdicts[] = {
	[EV_MANUAL] = { "manual", "a person changed something by hand" },
	[EV_READ_ONLY] = { "read-only", "the call only reads" },
	[EV_FAILED_CALL] = { "failed-call", "the call failed" },
	[EV_AWS_SERVICE] = { "aws-service", "an AWS service made the call" },
	[EV_AUTOMATION] = { "automation",
	    "the caller is an automation role or user" },
	[EV_NOT_EMPLOYEE] = { "not-employee",
	    "the actor does not match the employee pattern" },
	[EV_NO_ACTOR] = { "no-actor", "the event names no actor" },
};

#define W_PRINT "must be a string of 1..128 printable characters"
#define W_LONG	"too long or not printable"

static unsigned
char_class(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return C_LOWER;
	if (c >= 'A' && c <= 'Z')
		return C_UPPER;
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	if (c == ' ')
		return C_SPACE;
	if (c == '-')
		return C_DASH | C_PUNCT;
	if (c > 0x20 && c < 0x7f)
		return C_PUNCT;
	return c >= 0x80 ? C_HIGH : 0;
}

int
ev_chars_ok(const char *s, size_t min, size_t max, unsigned cls,
    const char *extra)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || ((char_class((unsigned char)s[i]) & cls) == 0 &&
				    strchr(extra, s[i]) == NULL))
			return 0;
	return i >= min;
}

const char *
ev_jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

int
ev_present(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v != NULL && !json_is_null(v);
}

int
ev_streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* copy src (NULL: "") into dst[size] when it fits and is of cls */
static int
copy_ok(char *dst, size_t size, const char *src, unsigned cls)
{
	dst[0] = '\0';
	if (src != NULL && !ev_chars_ok(src, 0, size - 1, cls, ""))
		return 0;
	if (src != NULL)
		memcpy(dst, src, strlen(src) + 1);
	return 1;
}

/* the envelope key, else the detail key; *field names the one used */
static const char *
pick(const json_t *ev, const char *key, const json_t *d, const char *dkey,
    const char *dfield, const char **field)
{
	*field = key;
	if (ev_present(ev, key) || !ev_present(d, dkey))
		return ev_jstr(ev, key);
	*field = dfield;
	return ev_jstr(d, dkey);
}

/* a failed check names the field and says why; rc stays as it is */
#define NEED(cond, f, w)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			*field = (f);                                          \
			*why = (w);                                            \
			goto out;                                              \
		}                                                              \
	} while (0)

#define W_REGION "must be a region like eu-west-1"
#define W_TIME	 "must be an ISO 8601 time like 2026-01-01T00:00:00Z"

/* account, region, aws_region and time, each with its fallback */
static fx_err
parse_where(const json_t *ev, const json_t *d, struct ev_info *info,
    const char **field, const char **why)
{
	const char *f;
	fx_err rc = FX_EINVAL;

	info->account = pick(ev, "account", d, "recipientAccountId",
	    "detail.recipientAccountId", &f);
	NEED(ev_chars_ok(info->account, 12, 12, C_DIGIT, ""), f,
	    "must be 12 digits");
	info->region =
	    pick(ev, "region", d, "awsRegion", "detail.awsRegion", &f);
	NEED(ev_chars_ok(info->region, 1, EV_MAX_REGION, C_REGION, ""), f,
	    W_REGION);
	info->aws_region =
	    ev_present(d, "awsRegion") ? ev_jstr(d, "awsRegion") : info->region;
	NEED(ev_chars_ok(info->aws_region, 1, EV_MAX_REGION, C_REGION, ""),
	    "detail.awsRegion", W_REGION);
	NEED(ev_present(ev, "time") || ev_present(d, "eventTime"), "time",
	    W_TIME);
	NEED(!ev_present(ev, "time") ||
		 fx_iso8601_parse(ev_jstr(ev, "time"), &info->time) == FX_OK,
	    "time", W_TIME);
	NEED(!ev_present(d, "eventTime") ||
		 fx_iso8601_parse(ev_jstr(d, "eventTime"), &info->time) ==
		     FX_OK,
	    "detail.eventTime", W_TIME);
	rc = FX_OK;
out:
	return rc;
}

static fx_err
parse_envelope(const json_t *ev, struct ev_info *info, const char **field,
    const char **why)
{
	const json_t *d = json_object_get(ev, "detail");
	const char *dt = ev_jstr(ev, "detail-type");
	fx_err rc = FX_EINVAL;

	info->id = ev_jstr(ev, "id");
	NEED(ev_chars_ok(info->id, 1, EV_MAX_ID, C_PRINT, ""), "id", W_PRINT);
	NEED(dt != NULL, "detail-type", "must be a string");
	rc = FX_ENOTFOUND;
	NEED(strcmp(dt, EV_DETAIL_TYPE) == 0, "detail-type",
	    "not a CloudTrail API call");
	rc = FX_EINVAL;
	NEED(ev_chars_ok(ev_jstr(ev, "source"), 1, EV_MAX_NAME, C_GRAPH, ""),
	    "source", "must be a string like aws.ec2");
	NEED(json_is_object(d), "detail", "must be an object");
	if ((rc = parse_where(ev, d, info, field, why)) != FX_OK)
		goto out;
	rc = FX_EINVAL;
	info->event_source = ev_jstr(d, "eventSource");
	NEED(ev_chars_ok(info->event_source, 1, EV_MAX_NAME, C_GRAPH, ""),
	    "detail.eventSource", W_PRINT);
	info->event_name = ev_jstr(d, "eventName");
	NEED(ev_chars_ok(info->event_name, 1, EV_MAX_NAME, C_GRAPH, ""),
	    "detail.eventName", W_PRINT);
	rc = FX_OK;
out:
	return rc;
}

/* the part after the last '/' of an ARN with marker, else after the
 * first ':' of a principal id ("ROLEID:session"); NULL when neither */
static const char *
arn_tail(const char *arn, const char *marker, const char *principal)
{
	const char *p;

	if (arn != NULL && strstr(arn, marker) != NULL &&
	    (p = strrchr(arn, '/')) != NULL && p[1] != '\0')
		return p + 1;
	if (principal != NULL && (p = strchr(principal, ':')) != NULL &&
	    p[1] != '\0')
		return p + 1;
	return NULL;
}

static const char *
actor_of(const json_t *ui, const char *type, const char *arn)
{
	const char *name = ev_jstr(ui, "userName");

	if (ev_streq(type, "AssumedRole"))
		return arn_tail(arn, ":assumed-role/",
		    ev_jstr(ui, "principalId"));
	if (ev_streq(type, "FederatedUser"))
		return arn_tail(arn, ":federated-user/",
		    ev_jstr(ui, "principalId"));
	if (ev_streq(type, "Root"))
		return "root";
	if (ev_streq(type, "IAMUser") && name == NULL)
		return arn_tail(arn, ":user/", NULL);
	if (ev_streq(type, "AWSService") || ev_streq(type, "AWSAccount"))
		return NULL;
	return name;
}

#define SI "detail.userIdentity.sessionContext.sessionIssuer."

static fx_err
parse_identity(const json_t *ui, struct ev_info *info, const char **field,
    const char **why)
{
	const json_t *is;
	const char *type = ev_jstr(ui, "type");
	fx_err rc = FX_EINVAL;

	info->identity_type = type ? type : "";
	NEED(ui == NULL || json_is_null(ui) || json_is_object(ui),
	    "detail.userIdentity", "must be an object");
	NEED(!ev_present(ui, "type") || ev_chars_ok(type, 1, 64, C_GRAPH, ""),
	    "detail.userIdentity.type",
	    "must be a string of 1..64 printable characters");
	NEED(copy_ok(info->actor_arn, sizeof(info->actor_arn),
		 ev_jstr(ui, "arn"), C_GRAPH),
	    "detail.userIdentity.arn", W_LONG);
	NEED(copy_ok(info->actor, sizeof(info->actor),
		 actor_of(ui, type, ev_jstr(ui, "arn")), C_TEXT),
	    "detail.userIdentity", "actor name " W_LONG);
	is = ev_streq(type, "AssumedRole")
		 ? json_object_get(json_object_get(ui, "sessionContext"),
		       "sessionIssuer")
		 : NULL;
	NEED(copy_ok(info->issuer, sizeof(info->issuer),
		 ev_jstr(is, "userName"), C_GRAPH),
	    SI "userName", W_LONG);
	NEED(copy_ok(info->issuer_arn, sizeof(info->issuer_arn),
		 ev_jstr(is, "arn"), C_GRAPH),
	    SI "arn", W_LONG);
	rc = FX_OK;
out:
	return rc;
}

fx_err
ev_parse(const json_t *event, struct ev_info *info, struct buf *err)
{
	const char *field = "event", *why = "must be a JSON object";
	const json_t *d;
	fx_err rc = FX_EINVAL;

	memset(info, 0, sizeof(*info));
	info->verdict = EV_NO_ACTOR;
	info->why = verdicts[EV_NO_ACTOR].why;
	info->identity_type = "";
	if (!json_is_object(event))
		goto out;
	if ((rc = parse_envelope(event, info, &field, &why)) != FX_OK)
		goto out;
	d = json_object_get(event, "detail");
	rc = parse_identity(json_object_get(d, "userIdentity"), info, &field,
	    &why);
out:
	if (rc != FX_OK && err != NULL &&
	    buf_addf(err, "%s: %s", field, why) != FX_OK)
		rc = FX_ENOMEM;
	return rc;
}

/* fnmatch on lower-cased copies; too long never matches */
static int
glob_ci(const char *pat, const char *s)
{
	char p[EV_MAX_GLOB + 1], t[EV_MAX_GLOB + 1];
	size_t i;

	if (pat == NULL || s == NULL || strlen(pat) > EV_MAX_GLOB ||
	    strlen(s) > EV_MAX_GLOB)
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		p[i] = pat[i] >= 'A' && pat[i] <= 'Z' ? pat[i] + 32 : pat[i];
	p[i] = '\0';
	for (i = 0; s[i] != '\0'; i++)
		t[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
	t[i] = '\0';
	return fnmatch(p, t, 0) == 0;
}

static int
by_automation(const struct ev_rules *r, const struct ev_info *info)
{
	const char *const *g;
	int user = ev_streq(info->identity_type, "IAMUser");

	for (g = r ? r->automation : NULL; g != NULL && *g != NULL; g++)
		if ((info->issuer[0] != '\0' && glob_ci(*g, info->issuer)) ||
		    (info->issuer_arn[0] != '\0' &&
			glob_ci(*g, info->issuer_arn)) ||
		    (user && info->actor[0] != '\0' &&
			glob_ci(*g, info->actor)))
			return 1;
	return 0;
}

void
ev_classify(const struct ev_rules *r, const json_t *event, struct ev_info *info)
{
	const json_t *d = json_object_get(event, "detail");
	const json_t *ui = json_object_get(d, "userIdentity");
	const char *pattern = r ? r->employee_pattern : NULL;
	enum ev_verdict v;

	if (ev_present(d, "errorCode"))
		v = EV_FAILED_CALL;
	else if (json_is_true(json_object_get(d, "readOnly")))
		v = EV_READ_ONLY;
	else if (ev_present(ui, "invokedBy") || ev_present(d, "invokedBy") ||
		 ev_streq(info->identity_type, "AWSService") ||
		 strstr(info->issuer_arn, ":role/aws-service-role/") != NULL)
		v = EV_AWS_SERVICE;
	else if (by_automation(r, info))
		v = EV_AUTOMATION;
	else if (info->actor[0] == '\0')
		v = EV_NO_ACTOR;
	else if (pattern != NULL && !glob_ci(pattern, info->actor))
		v = EV_NOT_EMPLOYEE;
	else
		v = EV_MANUAL;
	info->verdict = v;
	info->why = verdicts[v].why;
}

const char *
ev_verdict_name(enum ev_verdict v)
{
	return (size_t)v <= EV_NO_ACTOR ? verdicts[v].name : "?";
}

/* ----- tags ----- */

int
ev_is_email(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;

	return ev_chars_ok(s, 3, EV_MAX_EMAIL, C_WORD, "") && at != NULL &&
	       at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

static int
slack_id_ok(const char *s)
{
	return s != NULL && (s[0] == 'U' || s[0] == 'W') &&
	       ev_chars_ok(s, 2, EV_MAX_SLACK_ID, C_UPPER | C_DIGIT, "");
}

/* the owner tag's value, else fixit:creator's, when it names someone */
static void
owner_of(const json_t *tags, const char *owner_tag, struct ev_owner *o)
{
	const char *v = owner_tag ? ev_jstr(tags, owner_tag) : NULL;

	if (!ev_is_email(v) && !slack_id_ok(v))
		v = ev_jstr(tags, "fixit:creator");
	if (ev_is_email(v))
		o->email = v;
	else if (slack_id_ok(v))
		o->slack_id = v;
}

/* tags[key] is a clean value and "key=value" fits */
static int
iac_ok(const json_t *tags, const char *key)
{
	const char *v = ev_jstr(tags, key);

	return ev_chars_ok(key, 1, EV_MAX_IAC, C_TEXT, "") &&
	       ev_chars_ok(v, 1, EV_MAX_IAC, C_TEXT, "") &&
	       strlen(key) + 1 + strlen(v) <= EV_MAX_IAC;
}

/* the first IaC marker present: "key=value" into o->iac */
static void
iac_of(const json_t *tags, const char *const *iac_tags, struct ev_owner *o)
{
	const char *key = "aws:cloudformation:stack-name";
	size_t i;

	for (i = 0; key != NULL && !iac_ok(tags, key); i++)
		key = iac_tags ? iac_tags[i] : NULL;
	if (key != NULL)
		snprintf(o->iac, sizeof(o->iac), "%s=%s", key,
		    ev_jstr(tags, key));
}

fx_err
ev_owner_from_tags(const json_t *tags, const char *owner_tag,
    const char *const *iac_tags, struct ev_owner *out)
{
	fx_err rc = FX_OK;

	memset(out, 0, sizeof(*out));
	if (tags == NULL || json_is_null(tags))
		goto out;
	rc = FX_EINVAL;
	if (!json_is_object(tags))
		goto out;
	rc = FX_OK;
	owner_of(tags, owner_tag, out);
	iac_of(tags, iac_tags, out);
out:
	return rc;
}
