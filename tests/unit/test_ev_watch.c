/*
 * test_ev_watch.c - events/ev_watch.c through ev_decide: a call signed
 * with a decoy key (any call: read-only and failed ones too), a Security
 * Hub (GuardDuty) finding naming one, a secret read from CloudShell; and
 * what is none of them. Samples: tests/data/honeypot, tests/data/cloudshell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev.h"
#include "ev_decide.h"
#include "testhelp.h"
#include "banned.h"

#define DECOY	"AKIAI44QH8DHBEXAMPLE"
#define DECOY_S "ASIAI44QH8DHBEXAMPLE"
#define HP_USER "honeypot/s3-listbuckets-decoykey-iamuser.json"
#define HP_INST "honeypot/sts-getcalleridentity-decoykey-instance.json"
#define HP_ASFF "honeypot/securityhub-guardduty-decoykey.json"
#define HP_GD	"honeypot/guardduty-finding-decoykey.json"
#define CS_SM	"cloudshell/secretsmanager-getsecretvalue-cloudshell.json"
#define CS_SSM	"cloudshell/ssm-getparameter-decrypt-cloudshell.json"

static const char *const decoys[] = { DECOY, DECOY_S, NULL };

static json_t *
load(const char *rel)
{
	char *text = th_read_data(rel, NULL);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return j;
}

static void
settings(struct ev_settings *s, int keys)
{
	memset(s, 0, sizeof(*s));
	s->launch_batch = 5;
	s->launch_window = 900;
	s->honeypot_keys = keys ? decoys : NULL;
	s->honeypot_playbook = "honeypot-key";
	s->cloudshell_playbook = "cloudshell-secrets";
}

/* ev through parse, classify and decide; d to be released */
static int
decide(const struct ev_settings *s, const json_t *ev, struct ev_info *info,
    struct ev_decision *d)
{
	struct ev_account a = { "prod-main", 1 };

	ev_decision_init(d);
	if (ev_parse(ev, info, NULL) != FX_OK)
		return -1;
	ev_classify(&s->rules, ev, info);
	return ev_decide_cloudtrail(s, &a, info, ev, d) == FX_OK ? 0 : -1;
}

static const char *
detail(const struct ev_decision *d, size_t i, const char *key)
{
	return json_string_value(json_object_get(d->in[i].details, key));
}

static void
t_decoy_user(void)
{
	struct ev_settings s;
	struct ev_decision d;
	struct ev_info info;
	json_t *ev = load(HP_USER);

	settings(&s, 1);
	CHECK(ev != NULL);
	if (ev == NULL)
		return;
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 1);
	CHECK_INT(d.honeypot, 1);
	if (d.nin == 1) {
		CHECK_STR(d.in[0].playbook, "honeypot-key");
		CHECK_STR(d.in[0].resource_id, DECOY);
		CHECK_STR(detail(&d, 0, "target"), "user");
		CHECK_STR(detail(&d, 0, "user"), "backup-svc");
		CHECK_STR(detail(&d, 0, "source_ip"), "203.0.113.77");
		CHECK_INT(d.in[0].notify_only, 0);
		CHECK(d.in[0].owner_email == NULL);
	}
	CHECK_INT((int)d.nmsgs, 1);
	if (d.nmsgs == 1) {
		CHECK_INT(d.msgs[0].honeypot, 1);
		CHECK_STR(json_string_value(
			      json_object_get(d.msgs[0].fact, "say")),
		    "honeypot_key_used");
		CHECK_STR(json_string_value(
			      json_object_get(d.msgs[0].fact, "event_name")),
		    "ListBuckets");
	}
	ev_decision_release(&d);
	/* a failed call signed with it counts too */
	json_object_set_new(json_object_get(ev, "detail"), "errorCode",
	    json_string("AccessDenied"));
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 1);
	ev_decision_release(&d);
	/* no decoys configured, or another key: nothing */
	settings(&s, 0);
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 0);
	CHECK_INT((int)d.nmsgs, 0);
	ev_decision_release(&d);
	settings(&s, 1);
	json_object_set_new(json_object_get(json_object_get(ev, "detail"),
				"userIdentity"),
	    "accessKeyId", json_string("AKIAIOSFODNN7EXAMPLE"));
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 0);
	ev_decision_release(&d);
	json_decref(ev);
}

static void
t_decoy_instance(void)
{
	struct ev_settings s;
	struct ev_decision d;
	struct ev_info info;
	json_t *ev = load(HP_INST);

	settings(&s, 1);
	CHECK(ev != NULL);
	if (ev == NULL)
		return;
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 1);
	if (d.nin == 1) {
		CHECK_STR(d.in[0].resource_id, DECOY_S);
		CHECK_STR(detail(&d, 0, "target"), "instance");
		CHECK_STR(detail(&d, 0, "instance"), "i-0123456789abcdef0");
		CHECK_STR(detail(&d, 0, "role"), "app-role");
	}
	ev_decision_release(&d);
	/* a session that is no instance id: the role */
	json_object_set_new(json_object_get(json_object_get(ev, "detail"),
				"userIdentity"),
	    "arn",
	    json_string("arn:aws:sts::123456789012:assumed-role/app-role/"
			"i-not-an-instance"));
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	if (d.nin == 1)
		CHECK_STR(detail(&d, 0, "target"), "role");
	ev_decision_release(&d);
	json_decref(ev);
}

static void
t_decoy_asff(void)
{
	struct ev_settings s;
	struct ev_decision d;
	json_t *ev = load(HP_ASFF);

	settings(&s, 1);
	CHECK(ev != NULL);
	if (ev == NULL)
		return;
	ev_decision_init(&d);
	CHECK_INT(ev_decide_securityhub(&s, ev, &d, NULL), FX_OK);
	CHECK_INT((int)d.nin, 1); /* unmapped otherwise: only the decoy */
	if (d.nin == 1) {
		CHECK_STR(d.in[0].resource_id, DECOY);
		CHECK_STR(d.in[0].account_id, "123456789012");
		CHECK_STR(detail(&d, 0, "target"), "user");
		CHECK_STR(detail(&d, 0, "source_ip"), "203.0.113.77");
	}
	ev_decision_release(&d);
	settings(&s, 0);
	ev_decision_init(&d);
	CHECK_INT(ev_decide_securityhub(&s, ev, &d, NULL), FX_OK);
	CHECK_INT((int)d.nin, 0);
	ev_decision_release(&d);
	json_decref(ev);
}

static void
t_guardduty(void)
{
	struct ev_settings s;
	struct ev_decision d;
	json_t *ev = load(HP_GD);

	settings(&s, 1);
	CHECK(ev != NULL);
	if (ev == NULL)
		return;
	ev_decision_init(&d);
	CHECK_INT(ev_decide_guardduty(&s, ev, &d, NULL), FX_OK);
	CHECK_INT((int)d.nin, 1);
	if (d.nin == 1) {
		CHECK_STR(d.in[0].resource_id, DECOY);
		CHECK_STR(detail(&d, 0, "user"), "backup-svc");
		CHECK_STR(detail(&d, 0, "event_name"), "ListBuckets");
		CHECK_STR(detail(&d, 0, "source_ip"), "203.0.113.77");
	}
	ev_decision_release(&d);
	json_object_set_new(ev, "detail", json_string("x"));
	ev_decision_init(&d);
	CHECK_INT(ev_decide_guardduty(&s, ev, &d, NULL), FX_EINVAL);
	CHECK_INT(ev_guardduty_check(ev, NULL), FX_EINVAL);
	ev_decision_release(&d);
	json_decref(ev);
}

static void
t_cloudshell(void)
{
	struct ev_settings s;
	struct ev_decision d;
	struct ev_info info;
	json_t *ev = load(CS_SM), *ssm = load(CS_SSM);

	settings(&s, 1);
	CHECK(ev != NULL && ssm != NULL);
	if (ev == NULL || ssm == NULL)
		goto out;
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 1);
	CHECK_INT(d.honeypot, 0);
	if (d.nin == 1) {
		CHECK_STR(d.in[0].playbook, "cloudshell-secrets");
		CHECK_STR(d.in[0].resource_id,
		    "cloudshell:ASIAIOSFODNN7EXAMPLE");
		CHECK_STR(detail(&d, 0, "secret"), "prod/db/master");
		CHECK_STR(detail(&d, 0, "target"), "role");
		CHECK_STR(detail(&d, 0, "role"), "AdminRole");
	}
	CHECK_INT((int)d.nmsgs, 1);
	if (d.nmsgs == 1)
		CHECK_STR(json_string_value(
			      json_object_get(d.msgs[0].fact, "actor")),
		    "alice@example.com");
	ev_decision_release(&d);
	CHECK_INT(decide(&s, ssm, &info, &d), 0);
	CHECK_INT((int)d.nin, 1);
	if (d.nin == 1)
		CHECK_STR(detail(&d, 0, "secret"), "/prod/api/token");
	ev_decision_release(&d);
	/* without decryption, from a laptop, failed: nothing */
	json_object_set_new(json_object_get(json_object_get(ssm, "detail"),
				"requestParameters"),
	    "withDecryption", json_false());
	CHECK_INT(decide(&s, ssm, &info, &d), 0);
	CHECK_INT((int)d.nin, 0);
	ev_decision_release(&d);
	json_object_set_new(json_object_get(ev, "detail"), "userAgent",
	    json_string("aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0"));
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin + (int)d.nmsgs, 0);
	ev_decision_release(&d);
	json_object_set_new(json_object_get(ev, "detail"), "userAgent",
	    json_string("AWS-CloudShell/1.0"));
	json_object_set_new(json_object_get(ev, "detail"), "errorCode",
	    json_string("AccessDeniedException"));
	CHECK_INT(decide(&s, ev, &info, &d), 0);
	CHECK_INT((int)d.nin, 0);
	ev_decision_release(&d);
out:
	json_decref(ev);
	json_decref(ssm);
}

int
main(void)
{
	TEST("a decoy IAM user key: one finding, one page, any call")
		t_decoy_user();
	TEST("an instance profile session with a decoy key: the instance")
		t_decoy_instance();
	TEST("a GuardDuty finding through Security Hub naming a decoy")
		t_decoy_asff();
	TEST("a GuardDuty Finding event naming a decoy")
		t_guardduty();
	TEST("secrets read from CloudShell, and what is not")
		t_cloudshell();
	return TEST_REPORT();
}
