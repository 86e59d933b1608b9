/*
 * ev_watch.c - the events that watch people rather than resources (see
 * ev_decide_int.h): a call signed with a decoy access key, a Security Hub
 * (GuardDuty) finding naming one, a CloudShell session reading secret
 * values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_decide_int.h"
#include "ev_int.h"
#include "fxtime.h"
#include "banned.h"

/* ---- decoy keys ------------------------------------------------------------ */

/* key if it is a configured decoy, else NULL */
const char *
ev_decoy_of(const struct ev_settings *s, const char *key)
{
	size_t i;

	if (key == NULL || s->honeypot_keys == NULL ||
	    s->honeypot_playbook == NULL)
		return NULL;
	for (i = 0; s->honeypot_keys[i] != NULL; i++)
		if (strcmp(s->honeypot_keys[i], key) == 0)
			return s->honeypot_keys[i];
	return NULL;
}

/* i- and 8 or 17 lower-case hex digits: an instance's session name */
static int
is_instance_id(const char *s)
{
	size_t n = strlen(s);

	return strncmp(s, "i-", 2) == 0 && (n == 10 || n == 19) &&
	       ev_chars_ok(s + 2, n - 2, n - 2, C_DIGIT | C_LOWER, "") &&
	       strspn(s + 2, "0123456789abcdef") == n - 2;
}

/* o.key = v when v is 1..max bytes of text; best effort (bad |= ...) */
static int
set_text(json_t *o, const char *key, const char *v, size_t max)
{
	if (!ev_chars_ok(v, 1, max, C_TEXT, ""))
		return 0;
	return json_object_set_new(o, key, json_string(v)) != 0;
}

/* what a decoy key's use is known by; every string borrowed, any NULL */
struct decoy {
	const char *key, *source, *account, *region, *id, *name, *service;
	const char *ptype, *principal, *actor, *ip, *agent;
	const char *user, *role, *instance, *target;
	int64_t time;
};

/* the target of a CloudTrail caller: user, instance, role or none */
static void
decoy_target(const struct ev_info *info, struct decoy *k)
{
	k->target = "none";
	if (ev_streq(info->identity_type, "IAMUser") && info->actor[0]) {
		k->target = "user";
		k->user = info->actor;
	} else if (ev_streq(info->identity_type, "AssumedRole") &&
		   info->issuer[0]) {
		k->role = info->issuer;
		k->target = "role";
		if (is_instance_id(info->actor)) {
			k->target = "instance";
			k->instance = info->actor;
		}
	}
}

static fx_err
decoy_finding(const struct ev_settings *s, const struct ev_account *a,
    const struct decoy *k, struct ev_decision *d)
{
	const char *who = k->principal != NULL && k->principal[0]
			      ? k->principal
			      : "an unknown principal";
	struct finding_in f;
	struct ev_fmem *m;
	char when[21];
	int bad;
	fx_err rc = FX_ENOMEM;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto out;
	fx_iso8601_format(k->time, when);
	m->details = json_pack("{s:s, s:s, s:s, s:s}", "source", k->source,
	    "access_key_id", k->key, "event_time", when, "target", k->target);
	if (m->details == NULL)
		goto out;
	bad = set_text(m->details, "event_id", k->id, 128);
	bad |= set_text(m->details, "event_name", k->name, 128);
	bad |= set_text(m->details, "event_source", k->service, 128);
	bad |= set_text(m->details, "principal_type", k->ptype, 64);
	bad |= set_text(m->details, "principal_arn", k->principal, 512);
	bad |= set_text(m->details, "actor", k->actor, 256);
	bad |= set_text(m->details, "source_ip", k->ip, 64);
	bad |= set_text(m->details, "user_agent", k->agent, 256);
	bad |= set_text(m->details, "user", k->user, 128);
	bad |= set_text(m->details, "role", k->role, 128);
	bad |= set_text(m->details, "instance", k->instance, 19);
	if (bad)
		goto out;
	memset(&f, 0, sizeof(f));
	f.playbook = s->honeypot_playbook;
	f.account_id = k->account;
	f.region = k->region;
	f.resource_id = m->resource_id;
	f.title = m->title;
	f.details = m->details;
	f.observed_at = k->time;
	f.notify_only = strcmp(k->target, "none") == 0;
	snprintf(m->resource_id, sizeof(m->resource_id), "%s", k->key);
	snprintf(m->title, sizeof(m->title),
	    "Decoy access key %s used by %.200s (%.60s)", k->key, who,
	    k->name != NULL ? k->name : "?");
	rc = ev_add_finding(d, m, &f);
	m = NULL; /* added, or freed by add_finding */
	if (rc != FX_OK)
		goto out;
	d->honeypot = 1;
	rc = ev_add_msg(d, EV_MSG_ADMIN, NULL,
	    json_pack("{s:s,s:s,s:s,s:s*,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "say",
		"honeypot_key_used", "key", k->key, "account", k->account,
		"account_name", a->name, "principal", who, "target", k->target,
		"source_ip",
		ev_chars_ok(k->ip, 1, 64, C_GRAPH, "") ? k->ip : "?",
		"event_name",
		ev_chars_ok(k->name, 1, 128, C_GRAPH, "") ? k->name : "?",
		"event_source",
		ev_chars_ok(k->service, 1, 128, C_GRAPH, "") ? k->service : "?",
		"region", k->region, "time", when));
	if (rc == FX_OK)
		d->msgs[d->nmsgs - 1].honeypot = 1;
out:
	ev_fmem_free(m);
	return rc;
}

/* a CloudTrail call signed with decoy key */
fx_err
ev_decoy_call(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event, const char *key,
    struct ev_decision *d)
{
	const json_t *detail = json_object_get(event, "detail");
	struct decoy k;

	memset(&k, 0, sizeof(k));
	k.key = key;
	k.source = "honeypot";
	k.account = info->account;
	k.region = info->aws_region;
	k.id = info->id;
	k.name = info->event_name;
	k.service = info->event_source;
	k.ptype = info->identity_type;
	k.principal = info->actor_arn[0] ? info->actor_arn : info->actor;
	k.actor = info->actor;
	k.ip = ev_jstr(detail, "sourceIPAddress");
	k.agent = ev_jstr(detail, "userAgent");
	k.time = info->time;
	decoy_target(info, &k);
	return decoy_finding(s, a, &k, d);
}

/* the decoy an ASFF resource names: an AwsIamAccessKey whose
 * Details.AwsIamAccessKey.AccessKeyId, or the last ':' part of its Id
 * ("AWS::IAM::AccessKey:AKIA..."), is one */
static const char *
asff_decoy(const struct ev_settings *s, const json_t *r)
{
	const char *id = ev_jstr(r, "Id"), *key;

	if (!ev_streq(ev_jstr(r, "Type"), "AwsIamAccessKey"))
		return NULL;
	key = ev_decoy_of(s,
	    ev_jstr(json_object_get(json_object_get(r, "Details"),
			"AwsIamAccessKey"),
		"AccessKeyId"));
	if (key == NULL && id != NULL)
		key = ev_decoy_of(s,
		    strrchr(id, ':') ? strrchr(id, ':') + 1 : id);
	return key;
}

/* one ASFF finding f naming decoy key in resource r */
static fx_err
asff_finding(const struct ev_settings *s, const json_t *event, const json_t *f,
    const json_t *r, const char *key, struct ev_decision *d)
{
	static const struct ev_account nobody = { NULL, 0 };
	const json_t *ak =
	    json_object_get(json_object_get(r, "Details"), "AwsIamAccessKey");
	const json_t *pf = json_object_get(f, "ProductFields");
	const char *t;
	struct decoy k;

	memset(&k, 0, sizeof(k));
	k.key = key;
	k.source = "honeypot";
	k.account = ev_jstr(f, "AwsAccountId");
	k.region = ev_jstr(r, "Region");
	if (k.region == NULL)
		k.region = ev_jstr(f, "Region");
	if (k.region == NULL)
		k.region = ev_jstr(event, "region");
	if (!ev_chars_ok(k.account, 12, 12, C_DIGIT, "") ||
	    !ev_chars_ok(k.region, 1, EV_MAX_REGION, C_REGION, ""))
		return FX_OK; /* not a finding fixit can record */
	k.id = ev_jstr(f, "Id");
	k.name = ev_jstr(f, "Title");
	k.service = ev_jstr(f, "ProductName");
	if (k.service == NULL)
		k.service = "securityhub";
	k.ptype = ev_jstr(ak, "PrincipalType");
	k.principal = ev_jstr(ak, "PrincipalName");
	if (k.principal == NULL)
		k.principal = ev_jstr(ak, "UserName");
	k.actor = k.principal;
	k.ip = ev_jstr(pf, "aws/guardduty/service/action/awsApiCallAction/"
			   "remoteIpDetails/ipAddressV4");
	k.target = "none";
	if (ev_streq(k.ptype, "IAMUser") && k.principal != NULL) {
		k.target = "user";
		k.user = k.principal;
	}
	t = ev_jstr(f, "UpdatedAt");
	if (t == NULL || fx_iso8601_parse(t, &k.time) != FX_OK)
		k.time = 0;
	if (k.time == 0 &&
	    fx_iso8601_parse(ev_jstr(event, "time"), &k.time) != FX_OK)
		k.time = 0;
	return decoy_finding(s, &nobody, &k, d);
}

/* the first Security Hub (GuardDuty) finding that names a decoy key */
fx_err
ev_decoy_asff(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d)
{
	const json_t *fs =
	    json_object_get(json_object_get(event, "detail"), "findings");
	const json_t *f, *r;
	const char *key;
	size_t i, k;

	json_array_foreach(fs, i, f) {
		if (i >= EVMAP_MAX_FINDINGS)
			break;
		json_array_foreach(json_object_get(f, "Resources"), k, r) {
			if (k >= EVMAP_MAX_RESOURCES)
				break;
			if ((key = asff_decoy(s, r)) != NULL)
				return asff_finding(s, event, f, r, key, d);
		}
	}
	return FX_OK;
}

/* ---- CloudShell ------------------------------------------------------------ */

/* s holds "cloudshell", any case */
static int
says_cloudshell(const char *s)
{
	static const char w[] = "cloudshell";
	size_t i, k;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		for (k = 0; w[k] != '\0' && s[i + k] != '\0'; k++)
			if ((s[i + k] | 0x20) != w[k])
				break;
		if (w[k] == '\0')
			return 1;
	}
	return 0;
}

/* the names of a list, ", "-separated into out (cut when full) */
static void
join_names(const json_t *list, char *out, size_t size)
{
	const json_t *v;
	size_t i, n = 0;
	int w;

	out[0] = '\0';
	json_array_foreach(list, i, v) {
		if (!ev_chars_ok(json_string_value(v), 1, 2048, C_TEXT, ""))
			continue;
		w = snprintf(out + n, size - n, "%s%s", n ? ", " : "",
		    json_string_value(v));
		if (w < 0 || (size_t)w >= size - n) {
			out[n] = '\0';
			break;
		}
		n += (size_t)w;
	}
}

/* the secret values a call read (into out), 0 when it reads none */
static int
secret_read(const struct ev_info *info, const json_t *rp, char *out,
    size_t size)
{
	const char *one = NULL;

	out[0] = '\0';
	if (ev_streq(info->event_source, "secretsmanager.amazonaws.com")) {
		if (ev_streq(info->event_name, "GetSecretValue"))
			one = ev_jstr(rp, "secretId");
		else if (ev_streq(info->event_name, "BatchGetSecretValue"))
			join_names(json_object_get(rp, "secretIdList"), out,
			    size);
		else
			return 0;
	} else if (ev_streq(info->event_source, "ssm.amazonaws.com")) {
		if (!json_is_true(json_object_get(rp, "withDecryption")))
			return 0;
		if (ev_streq(info->event_name, "GetParameter"))
			one = ev_jstr(rp, "name");
		else if (ev_streq(info->event_name, "GetParameters"))
			join_names(json_object_get(rp, "names"), out, size);
		else if (ev_streq(info->event_name, "GetParametersByPath"))
			one = ev_jstr(rp, "path");
		else
			return 0;
	} else
		return 0;
	if (one != NULL && ev_chars_ok(one, 1, 2048, C_TEXT, ""))
		snprintf(out, size, "%s", one);
	if (out[0] == '\0')
		snprintf(out, size, "(not named in the event)");
	return 1;
}

fx_err
ev_cloudshell(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event, struct ev_decision *d)
{
	const json_t *detail = json_object_get(event, "detail");
	const json_t *ui = json_object_get(detail, "userIdentity");
	const char *ip = ev_jstr(detail, "sourceIPAddress");
	const char *session = ev_jstr(ui, "accessKeyId");
	const char *principal =
	    info->actor_arn[0] ? info->actor_arn : info->actor;
	const char *target = "none";
	struct finding_in f;
	struct ev_fmem *m = NULL;
	char secret[512], when[21];
	int bad;
	fx_err rc = FX_OK;

	if (s->cloudshell_playbook == NULL || ev_present(detail, "errorCode") ||
	    !(says_cloudshell(ev_jstr(detail, "userAgent")) ||
		says_cloudshell(ip)) ||
	    !secret_read(info, json_object_get(detail, "requestParameters"),
		secret, sizeof(secret)))
		goto out;
	rc = FX_ENOMEM;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto out;
	fx_iso8601_format(info->time, when);
	if (ev_streq(info->identity_type, "IAMUser") && info->actor[0])
		target = "user";
	else if (ev_streq(info->identity_type, "AssumedRole") &&
		 info->issuer[0])
		target = "role";
	m->details = json_pack("{s:s, s:[s], s:s, s:s, s:s, s:s, s:s, s:s}",
	    "source", "cloudshell", "secrets", secret, "secret", secret,
	    "event_name", info->event_name, "event_source", info->event_source,
	    "event_time", when, "target", target, "event_id", info->id);
	if (m->details == NULL)
		goto out;
	bad = 0;
	if (strcmp(target, "user") == 0)
		bad |= json_object_set_new(m->details, "user",
		    json_string(info->actor));
	if (strcmp(target, "role") == 0)
		bad |= json_object_set_new(m->details, "role",
		    json_string(info->issuer));
	if (ev_chars_ok(principal, 1, 512, C_TEXT, ""))
		bad |= json_object_set_new(m->details, "principal_arn",
		    json_string(principal));
	if (info->actor[0])
		bad |= json_object_set_new(m->details, "actor",
		    json_string(info->actor));
	if (ev_chars_ok(ip, 1, 64, C_GRAPH, ""))
		bad |= json_object_set_new(m->details, "source_ip",
		    json_string(ip));
	if (bad)
		goto out;
	memset(&f, 0, sizeof(f));
	f.playbook = s->cloudshell_playbook;
	f.account_id = info->account;
	f.region = info->aws_region;
	f.resource_id = m->resource_id;
	f.title = m->title;
	f.details = m->details;
	f.observed_at = info->time;
	/* one finding per session: its temporary key, else the principal */
	snprintf(m->resource_id, sizeof(m->resource_id), "cloudshell:%.280s",
	    ev_chars_ok(session, 16, 128, C_ALNUM, "") ? session
	    : principal[0]			       ? principal
						       : "?");
	snprintf(m->title, sizeof(m->title),
	    "CloudShell session of %.120s read secret values (%.60s)",
	    principal[0] ? principal : "?", secret);
	rc = ev_add_finding(d, m, &f);
	m = NULL; /* added, or freed by ev_add_finding */
	if (rc != FX_OK)
		goto out;
	rc = ev_add_msg(d, EV_MSG_ADMIN, NULL,
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s*,s:s,s:s,s:s}", "say",
		"cloudshell_secret_read", "actor",
		info->actor[0] ? info->actor : "?", "principal",
		principal[0] ? principal : "?", "secret", secret,
		"event_source", info->event_source, "event_name",
		info->event_name, "account", info->account, "account_name",
		a->name, "region", info->aws_region, "time", when, "source_ip",
		ev_chars_ok(ip, 1, 64, C_GRAPH, "") ? ip : "?"));
out:
	ev_fmem_free(m);
	return rc;
}

/* ---- GuardDuty ------------------------------------------------------------- */

/* err (may be NULL) reset to why; FX_EINVAL */
static fx_err
gd_fail(struct buf *err, const char *why)
{
	if (err != NULL) {
		buf_reset(err);
		if (buf_adds(err, why) != FX_OK)
			buf_reset(err);
	}
	return FX_EINVAL;
}

fx_err
ev_guardduty_check(const json_t *event, struct buf *err)
{
	const json_t *d = json_object_get(event, "detail");
	const char *acct = ev_jstr(d, "accountId");

	if (!json_is_object(event) || !json_is_object(d))
		return gd_fail(err, "detail: missing or not an object");
	if (!ev_streq(ev_jstr(event, "source"), "aws.guardduty"))
		return gd_fail(err, "source: not aws.guardduty");
	if (!ev_chars_ok(ev_jstr(event, "id"), 1, EV_MAX_ID, C_GRAPH, ""))
		return gd_fail(err, "id: missing or not printable");
	if (acct == NULL)
		acct = ev_jstr(event, "account");
	if (!ev_chars_ok(acct, 12, 12, C_DIGIT, ""))
		return gd_fail(err, "detail.accountId: not 12 digits");
	return FX_OK;
}

fx_err
ev_decide_guardduty(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d, struct buf *err)
{
	static const struct ev_account nobody = { NULL, 0 };
	const json_t *gd = json_object_get(event, "detail");
	const json_t *ak = json_object_get(json_object_get(gd, "resource"),
	    "accessKeyDetails");
	const json_t *call =
	    json_object_get(json_object_get(json_object_get(gd, "service"),
				"action"),
		"awsApiCallAction");
	struct decoy k;
	fx_err rc;

	if ((rc = ev_guardduty_check(event, err)) != FX_OK)
		return rc;
	memset(&k, 0, sizeof(k));
	if ((k.key = ev_decoy_of(s, ev_jstr(ak, "accessKeyId"))) == NULL)
		return FX_OK; /* a finding of no decoy: not fixit's */
	k.source = "honeypot";
	k.account = ev_jstr(gd, "accountId");
	if (k.account == NULL)
		k.account = ev_jstr(event, "account");
	k.region = ev_jstr(gd, "region");
	if (!ev_chars_ok(k.region, 1, EV_MAX_REGION, C_REGION, ""))
		k.region = ev_jstr(event, "region");
	if (!ev_chars_ok(k.region, 1, EV_MAX_REGION, C_REGION, ""))
		return gd_fail(err, "detail.region: not a region");
	k.id = ev_jstr(gd, "id");
	k.name = ev_jstr(call, "api");
	if (k.name == NULL)
		k.name = ev_jstr(gd, "type");
	k.service = ev_jstr(call, "serviceName");
	if (k.service == NULL)
		k.service = "guardduty";
	k.ptype = ev_jstr(ak, "userType");
	k.principal = ev_jstr(ak, "userName");
	k.actor = k.principal;
	k.ip = ev_jstr(json_object_get(call, "remoteIpDetails"), "ipAddressV4");
	k.target = "none";
	if (ev_streq(k.ptype, "IAMUser") && k.principal != NULL) {
		k.target = "user";
		k.user = k.principal;
	}
	if (fx_iso8601_parse(ev_jstr(gd, "updatedAt"), &k.time) != FX_OK &&
	    fx_iso8601_parse(ev_jstr(event, "time"), &k.time) != FX_OK)
		k.time = 0;
	return decoy_finding(s, &nobody, &k, d);
}
