/*
 * fz_events.c - fuzz targets for the events API (events/): CloudTrail
 * events through EventBridge (ev.h, ev_act.h, ev_decide.h) and the
 * Security Hub / Custodian mappings (ev_map.h), as server/events.c runs
 * them on a body.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "ev.h"
#include "ev_act.h"
#include "ev_decide.h"
#include "ev_map.h"
#include "fuzz.h"
#include "fxlimits.h"

static const char *const automation[] = { "*-deploy", "terraform*",
	"arn:aws:iam::*:role/ci-*", NULL };
static const char *const iac_tags[] = { "terraform:workspace", "iac", NULL };
static const struct ev_map_entry sh_map[] = { { "EC2.12", "eip-unassociated" },
	{ "EC2.8", "ec2-imdsv1" }, { "RDS.2", "rds-public" },
	{ "Route53.2", "route53-query-logging" },
	{ "acme-scanner/ebs/unencrypted-volume", "ebs-unencrypted" },
	{ "ebs-unencrypted-volumes", "ebs-unencrypted" },
	{ "ec2-require-imdsv2", "ec2-imdsv1" },
	{ "test-policy", "ec2-imdsv1" } };

static void
settings(struct ev_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->rules.employee_pattern = "*@example.com";
	s->rules.automation = automation;
	s->quarantine_playbook = "ec2-quarantine";
	s->dangling_playbook = "dangling-dns";
	s->owner_tag = "owner";
	s->iac_tags = iac_tags;
	s->launch_batch = 5;
	s->launch_window = 3600;
	s->securityhub.e = sh_map;
	s->securityhub.n = sizeof(sh_map) / sizeof(sh_map[0]);
	s->custodian = s->securityhub;
}

static json_t *
load(const uint8_t *data, size_t size)
{
	return json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
}

/* every finding of a decision has its required members */
static void
check_decision(const struct ev_decision *d)
{
	size_t i;

	for (i = 0; i < d->nin; i++) {
		FZ_ASSERT(d->in[i].playbook != NULL);
		FZ_ASSERT(d->in[i].account_id != NULL);
		FZ_ASSERT(d->in[i].resource_id != NULL);
		FZ_ASSERT(d->in[i].title != NULL);
	}
}

/* 1 when s[0..n) is UTF-8 without C0, DEL or C1 control characters */
static int
clean_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	unsigned c;
	int k;

	while (p < e) {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			k = 1, c = *p & 0x1fu;
		else if (*p >= 0xe0 && *p <= 0xef)
			k = 2, c = *p & 0x0fu;
		else if (*p >= 0xf0 && *p <= 0xf4)
			k = 3, c = *p & 0x07u;
		else
			return 0;
		if (e - p <= k)
			return 0;
		for (p++; k > 0; k--, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (*p & 0x3fu);
		}
		if (c < 0xa0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return 0; /* C1, overlong forms, surrogates */
	}
	return 1;
}

/* a record as ev_map.h promises it (before sm_check_finding) */
static void
check_mapped(const struct finding_in *f)
{
	size_t i, n;

	FZ_ASSERT(strlen(f->account_id) == 12);
	for (i = 0; i < 12; i++)
		FZ_ASSERT(f->account_id[i] >= '0' && f->account_id[i] <= '9');
	n = strlen(f->region);
	FZ_ASSERT(n >= 3 && n <= 32 && strchr(f->region, '-') != NULL);
	FZ_ASSERT(f->region[0] >= 'a' && f->region[0] <= 'z');
	FZ_ASSERT(f->region[n - 1] >= '0' && f->region[n - 1] <= '9');
	for (i = 0; i < n; i++)
		FZ_ASSERT((f->region[i] >= 'a' && f->region[i] <= 'z') ||
			  (f->region[i] >= '0' && f->region[i] <= '9') ||
			  f->region[i] == '-');
	n = strlen(f->resource_id);
	FZ_ASSERT(n >= 1 && n <= FX_MAX_FIELD);
	FZ_ASSERT(clean_utf8(f->resource_id, n));
	n = strlen(f->title);
	FZ_ASSERT(n >= 1 && n <= FX_MAX_TITLE && clean_utf8(f->title, n));
	if (f->resource_arn != NULL) {
		n = strlen(f->resource_arn);
		FZ_ASSERT(n <= FX_MAX_FIELD &&
			  strncmp(f->resource_arn, "arn:", 4) == 0);
		FZ_ASSERT(clean_utf8(f->resource_arn, n));
	}
	FZ_ASSERT(f->details == NULL || json_is_object(f->details));
}

/* a mapper's result: records as promised, or a reason */
static void
check_mapped_decision(fx_err rc, const struct ev_decision *d,
    const struct buf *err)
{
	size_t i;

	if (rc != FX_OK) {
		FZ_ASSERT(rc == FX_ENOMEM || err->len > 0);
		return;
	}
	check_decision(d);
	for (i = 0; i < d->nin; i++)
		check_mapped(&d->in[i]);
}

/* the tags of the event's resources, where CloudTrail carries them */
static void
owner_tags(const struct ev_settings *s, const json_t *ev)
{
	const json_t *detail = json_object_get(ev, "detail");
	const json_t *req = json_object_get(detail, "requestParameters");
	struct ev_owner o;
	fx_err rc;

	rc = ev_owner_from_tags(json_object_get(req, "tags"), s->owner_tag,
	    s->iac_tags, &o);
	FZ_ASSERT(rc == FX_OK || rc == FX_EINVAL);
	if (rc == FX_OK) {
		FZ_ASSERT(o.email == NULL || o.slack_id == NULL);
		FZ_ASSERT(o.email == NULL || ev_is_email(o.email));
		FZ_ASSERT(strlen(o.iac) <= EV_MAX_IAC);
	}
}

/* Input: an EventBridge CloudTrail event (the body of POST /v1/events) */
int
fz_ev_cloudtrail(const uint8_t *data, size_t size)
{
	static const struct ev_account accts[] = { { "prod", 1 }, { "dev", 0 },
		{ NULL, 0 } };
	struct ev_settings s;
	struct ev_info info;
	struct ev_action_list acts = EV_ACTION_LIST_INIT;
	struct ev_decision d;
	struct buf err = BUF_INIT;
	json_t *ev = load(data, size);
	size_t a;
	fx_err rc;

	if (ev == NULL)
		return 0;
	settings(&s);
	owner_tags(&s, ev);
	rc = ev_parse(ev, &info, &err);
	if (rc != FX_OK) {
		FZ_ASSERT(
		    rc == FX_EINVAL || rc == FX_ENOTFOUND || rc == FX_ENOMEM);
		goto out;
	}
	ev_classify(&s.rules, ev, &info);
	FZ_ASSERT(info.why != NULL);
	FZ_ASSERT(ev_verdict_name(info.verdict) != NULL);
	rc = ev_actions(&info, ev, &acts);
	FZ_ASSERT(rc == FX_OK || rc == FX_ENOMEM);
	for (a = 0; a < acts.n; a++)
		FZ_ASSERT(acts.v[a].nids <= EV_MAX_IDS);
	for (a = 0; a < sizeof(accts) / sizeof(accts[0]); a++) {
		ev_decision_init(&d);
		rc = ev_decide_cloudtrail(&s, &accts[a], &info, ev, &d);
		if (rc == FX_OK) {
			check_decision(&d);
			if (ev_decide_batch(&s, info.time, &d) == FX_OK)
				check_decision(&d);
		}
		ev_decision_release(&d);
	}
out:
	ev_action_list_release(&acts);
	buf_release(&err);
	json_decref(ev);
	return 0;
}

/*
 * Input: a Security Hub EventBridge event or a Cloud Custodian payload;
 * both mappers run on it (one refuses what is the other's).
 */
int
fz_ev_map(const uint8_t *data, size_t size)
{
	struct ev_settings s;
	struct ev_decision d;
	struct buf err = BUF_INIT;
	json_t *ev = load(data, size);
	fx_err rc;

	if (ev == NULL)
		return 0;
	settings(&s);
	ev_decision_init(&d);
	rc = ev_decide_securityhub(&s, ev, &d, &err);
	check_mapped_decision(rc, &d, &err);
	ev_decision_release(&d);
	buf_reset(&err);
	ev_decision_init(&d);
	rc = ev_decide_custodian(&s, ev, &d, &err);
	check_mapped_decision(rc, &d, &err);
	ev_decision_release(&d);
	buf_release(&err);
	json_decref(ev);
	return 0;
}
