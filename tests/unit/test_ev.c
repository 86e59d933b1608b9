/*
 * test_ev.c - CloudTrail API call events (events/ev.c): every sample
 * in tests/data/events parses (the folder is read, no file
 * is listed for that); the manual-action rules on the samples and on
 * variants edited here (read-only, failed, automation by role name, role
 * ARN and user name, AWS service, root, no actor); bad envelopes refused
 * naming the field; owner and IaC from tags. The actions events ask for:
 * test_ev_actions.c.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev.h"
#include "ev_act.h"
#include "fxerr.h"
#include "testhelp.h"
#include "testjson.h"
#include "banned.h"

#define T_MIN_EVENTS	5
#define RUN_ALICE	"ec2-runinstances-assumedrole.json"
#define RUN_ASG		"ec2-runinstances-autoscaling-service.json"
#define DEL_BUCKET	"s3-deletebucket-iamuser.json"
#define DEL_ELB		"elbv2-deleteloadbalancer-iamuser.json"
#define NEW_USER	"iam-createuser-iamuser.json"
#define EMPLOYEES	"*@example.com"

static void
events_dir(char *out, size_t n)
{
	th_data_path(out, n, "events");
}

static json_t *
load(const char *name)
{
	char dir[4096], path[8192];
	json_error_t e;
	json_t *j;

	events_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((j = json_load_file(path, 0, &e)) == NULL)
		printf("  cannot load %s: %s\n", path, e.text);
	return j;
}

static json_t *
detail(const json_t *ev)
{
	return json_object_get(ev, "detail");
}

static json_t *
uid(const json_t *ev)
{
	return json_object_get(detail(ev), "userIdentity");
}

static json_t *
issuer(const json_t *ev)
{
	return json_object_get(json_object_get(uid(ev), "sessionContext"),
	    "sessionIssuer");
}

/* parse + classify; -1 when the parse fails */
static int
verdict(const json_t *ev, const char *pattern, const char *const *autom,
    struct ev_info *info)
{
	struct ev_rules r = { pattern, autom };
	struct buf err = BUF_INIT;
	fx_err rc = ev_parse(ev, info, &err);

	if (rc != FX_OK)
		printf("  parse failed: %s\n", buf_str(&err));
	buf_release(&err);
	if (rc != FX_OK)
		return -1;
	ev_classify(&r, ev, info);
	return (int)info->verdict;
}

/* the file's verdict, the event freed */
static int
file_verdict(const char *name, const char *pattern,
    const char *const *autom)
{
	struct ev_info info;
	json_t *ev = load(name);
	int v = ev ? verdict(ev, pattern, autom, &info) : -2;

	json_decref(ev);
	return v;
}

static const char *
get(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
test_all_files(void)
{
	char dir[4096], path[8192];
	struct buf err = BUF_INIT;
	struct ev_info info;
	struct dirent *de;
	json_error_t e;
	struct ev_action_list acts = EV_ACTION_LIST_INIT;
	json_t *ev;
	DIR *dp;
	int n = 0;

	events_dir(dir, sizeof(dir));
	CHECK((dp = opendir(dir)) != NULL);
	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (!has_suffix(de->d_name, ".json"))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ev = json_load_file(path, 0, &e);
		CHECK(ev != NULL);
		buf_reset(&err);
		CHECK_INT(ev_parse(ev, &info, &err), FX_OK);
		CHECK_STR(buf_str(&err), "");
		CHECK(info.time > 1700000000);
		CHECK(info.actor[0] != '\0');
		ev_classify(NULL, ev, &info);
		CHECK_INT(ev_actions(&info, ev, &acts), FX_OK);
		printf("  %s: %s/%s by %s (%s): %s, %zu action(s)\n",
		    de->d_name, info.event_source, info.event_name,
		    info.actor, info.identity_type,
		    ev_verdict_name(info.verdict), acts.n);
		ev_action_list_release(&acts);
		json_decref(ev);
	}
	closedir(dp);
	buf_release(&err);
	CHECK(n >= T_MIN_EVENTS);
}

static void
test_classify_samples(void)
{
	struct ev_info info;
	json_t *ev = load(RUN_ALICE);

	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_MANUAL);
	CHECK_STR(info.actor, "alice@example.com");
	CHECK_STR(info.issuer, "AdminRole");
	CHECK_STR(info.issuer_arn, "arn:aws:iam::123456789012:role/AdminRole");
	CHECK_STR(info.actor_arn, "arn:aws:sts::123456789012:assumed-role/"
	    "AdminRole/alice@example.com");
	CHECK_STR(info.id, "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
	CHECK_STR(info.account, "123456789012");
	CHECK_STR(info.region, "us-east-1");
	CHECK_STR(info.event_source, "ec2.amazonaws.com");
	CHECK_STR(info.event_name, "RunInstances");
	CHECK_INT(info.time, 1714551302);	/* 2024-05-01T08:15:02Z */
	CHECK(info.why != NULL && *info.why != '\0');
	/* another domain, and case does not matter */
	CHECK_INT(verdict(ev, "*@other.example", NULL, &info),
	    EV_NOT_EMPLOYEE);
	CHECK_INT(verdict(ev, "*@EXAMPLE.COM", NULL, &info), EV_MANUAL);
	json_decref(ev);

	CHECK_INT(file_verdict(RUN_ASG, EMPLOYEES, NULL), EV_AWS_SERVICE);
	CHECK_INT(file_verdict(RUN_ASG, NULL, NULL), EV_AWS_SERVICE);
	CHECK_INT(file_verdict(DEL_BUCKET, EMPLOYEES, NULL), EV_NOT_EMPLOYEE);
	CHECK_INT(file_verdict(DEL_BUCKET, NULL, NULL), EV_MANUAL);
	CHECK_INT(file_verdict(DEL_ELB, EMPLOYEES, NULL), EV_NOT_EMPLOYEE);
	CHECK_INT(file_verdict(DEL_ELB, NULL, NULL), EV_MANUAL);
	CHECK_INT(file_verdict(NEW_USER, EMPLOYEES, NULL), EV_NOT_EMPLOYEE);
	CHECK_INT(file_verdict(NEW_USER, NULL, NULL), EV_MANUAL);

	ev = load(DEL_BUCKET);
	CHECK_INT(verdict(ev, NULL, NULL, &info), EV_MANUAL);
	CHECK_STR(info.actor, "myUserName");
	CHECK_STR(info.issuer, "");
	CHECK_STR(info.identity_type, "IAMUser");
	CHECK_STR(info.account, "111122223333");
	CHECK_STR(info.region, "us-west-2");
	json_decref(ev);
}

static void
test_variants(void)
{
	static const char *const deploy[] = { "deploy-*", NULL };
	static const char *const ci[] = { "arn:aws:iam::*:role/ci/*", NULL };
	static const char *const users[] = { "deploy-*", "terraform-*",
	    NULL };
	struct ev_info info;
	json_t *ev;

	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "readOnly", json_true());
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_READ_ONLY);
	json_decref(ev);

	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "errorCode",
	    json_string("Client.UnauthorizedOperation"));
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_FAILED_CALL);
	json_decref(ev);

	/* the issuer role by name, then by ARN glob */
	ev = load(RUN_ALICE);
	json_object_set_new(issuer(ev), "userName",
	    json_string("deploy-pipeline"));
	json_object_set_new(issuer(ev), "arn", json_string(
	    "arn:aws:iam::123456789012:role/deploy-pipeline"));
	CHECK_INT(verdict(ev, EMPLOYEES, deploy, &info), EV_AUTOMATION);
	CHECK_INT(verdict(ev, EMPLOYEES, ci, &info), EV_MANUAL);
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_MANUAL);
	json_object_set_new(issuer(ev), "userName", json_string("builder"));
	json_object_set_new(issuer(ev), "arn", json_string(
	    "arn:aws:iam::123456789012:role/ci/builder"));
	CHECK_INT(verdict(ev, EMPLOYEES, ci, &info), EV_AUTOMATION);
	CHECK_INT(verdict(ev, EMPLOYEES, deploy, &info), EV_MANUAL);
	json_decref(ev);

	/* an IAM user by name; the actor never counts for a role */
	ev = load(DEL_BUCKET);
	json_object_set_new(uid(ev), "userName", json_string("terraform-ci"));
	CHECK_INT(verdict(ev, NULL, users, &info), EV_AUTOMATION);
	json_decref(ev);
	ev = load(RUN_ALICE);
	CHECK_INT(verdict(ev, NULL, (const char *const[]){ "alice*", NULL },
	    &info), EV_MANUAL);
	json_decref(ev);
}

static void
test_variants_identity(void)
{
	struct ev_info info;
	json_t *ev;

	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "userIdentity",
	    js("{'type': 'AWSService'}"));
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_AWS_SERVICE);
	CHECK_STR(info.actor, "");
	json_object_set_new(detail(ev), "userIdentity",
	    js("{'type': 'AWSService', 'invokedBy': 'ec2.amazonaws.com'}"));
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_AWS_SERVICE);
	json_decref(ev);

	/* a service-linked role without invokedBy; detail.invokedBy */
	ev = load(RUN_ASG);
	json_object_del(uid(ev), "invokedBy");
	CHECK_INT(verdict(ev, NULL, NULL, &info), EV_AWS_SERVICE);
	CHECK_STR(info.actor, "AutoScaling");
	CHECK_STR(info.issuer, "AWSServiceRoleForAutoScaling");
	json_decref(ev);
	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "invokedBy",
	    json_string("cloudformation.amazonaws.com"));
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_AWS_SERVICE);
	json_decref(ev);

	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "userIdentity", js("{'type': 'Root',"
	    " 'principalId': '123456789012', 'arn': "
	    "'arn:aws:iam::123456789012:root', 'accountId': '123456789012'}"));
	CHECK_INT(verdict(ev, NULL, NULL, &info), EV_MANUAL);
	CHECK_STR(info.actor, "root");
	CHECK_STR(info.issuer, "");
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_NOT_EMPLOYEE);
	json_decref(ev);

	/* no userIdentity, and an assumed role without session name */
	ev = load(RUN_ALICE);
	json_object_del(detail(ev), "userIdentity");
	CHECK_INT(verdict(ev, NULL, NULL, &info), EV_NO_ACTOR);
	json_decref(ev);
	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "userIdentity",
	    js("{'type': 'AssumedRole', 'principalId': 'AROAEXAMPLE'}"));
	CHECK_INT(verdict(ev, NULL, NULL, &info), EV_NO_ACTOR);
	json_decref(ev);

	ev = load(RUN_ALICE);
	json_object_set_new(detail(ev), "userIdentity", js("{'type': "
	    "'FederatedUser', 'principalId': '123456789012:bob@example.com',"
	    " 'arn': 'arn:aws:sts::123456789012:federated-user/"
	    "bob@example.com'}"));
	CHECK_INT(verdict(ev, EMPLOYEES, NULL, &info), EV_MANUAL);
	CHECK_STR(info.actor, "bob@example.com");
	json_decref(ev);
}

/* ev_parse(ev) fails with want and a one-line reason naming field */
static void
bad(json_t *ev, fx_err want, const char *field)
{
	struct buf err = BUF_INIT;
	struct ev_info info;

	CHECK_INT(ev_parse(ev, &info, &err), want);
	CHECK(strstr(buf_str(&err), field) == buf_str(&err));
	CHECK(strchr(buf_str(&err), '\n') == NULL);
	printf("  refused: %s\n", buf_str(&err));
	buf_release(&err);
	json_decref(ev);
}

/* RUN_ALICE with key of the envelope or detail set to v (NULL: deleted) */
static json_t *
edited(int in_detail, const char *key, json_t *v)
{
	json_t *ev = load(RUN_ALICE), *o = in_detail ? detail(ev) : ev;

	if (v == NULL)
		json_object_del(o, key);
	else
		json_object_set_new(o, key, v);
	return ev;
}

#define with(key, v)		edited(0, key, v)
#define with_detail(key, v)	edited(1, key, v)

static void
test_bad_input(void)
{
	struct ev_info info;
	char huge[300];
	json_t *ev;

	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	bad(json_string("x"), FX_EINVAL, "event");
	bad(json_array(), FX_EINVAL, "event");
	bad(with("id", NULL), FX_EINVAL, "id");
	bad(with("id", json_string("")), FX_EINVAL, "id");
	bad(with("id", json_string("abc\001def")), FX_EINVAL, "id");
	bad(with("id", json_stringn("abc\0def", 7)), FX_EINVAL, "id");
	bad(with("id", json_string(huge)), FX_EINVAL, "id");
	bad(with("id", json_integer(7)), FX_EINVAL, "id");
	bad(with("account", json_string("12345678901")), FX_EINVAL,
	    "account");
	bad(with("account", json_string("12345678901x")), FX_EINVAL,
	    "account");
	bad(with("detail", json_string("x")), FX_EINVAL, "detail");
	bad(with("detail", NULL), FX_EINVAL, "detail");
	bad(with("detail-type", json_string("EC2 Instance State-change "
	    "Notification")), FX_ENOTFOUND, "detail-type");
	bad(with("detail-type", NULL), FX_EINVAL, "detail-type");
	bad(with("source", NULL), FX_EINVAL, "source");
	bad(with("region", json_string("US East")), FX_EINVAL, "region");
	bad(with("time", json_string("yesterday")), FX_EINVAL, "time");
	bad(with_detail("eventTime", json_string("2024-13-01T00:00:00Z")),
	    FX_EINVAL, "detail.eventTime");
	bad(with_detail("eventName", NULL), FX_EINVAL, "detail.eventName");
	bad(with_detail("eventSource", json_true()), FX_EINVAL,
	    "detail.eventSource");
	bad(with_detail("awsRegion", json_string("x/y")), FX_EINVAL,
	    "detail.awsRegion");
	bad(with_detail("userIdentity", json_string("x")), FX_EINVAL,
	    "detail.userIdentity");
	ev = load(RUN_ALICE);
	json_object_set_new(uid(ev), "arn", json_pack("s++", "arn:", huge,
	    huge));
	bad(ev, FX_EINVAL, "detail.userIdentity.arn");
	ev = load(RUN_ALICE);
	json_object_set_new(issuer(ev), "userName", json_string(huge));
	bad(ev, FX_EINVAL, "detail.userIdentity.sessionContext");

	/* envelope account/region missing: from the detail */
	ev = with("account", NULL);
	json_object_del(ev, "region");
	json_object_del(ev, "time");
	CHECK_INT(ev_parse(ev, &info, NULL), FX_OK);
	CHECK_STR(info.account, "123456789012");
	CHECK_STR(info.region, "us-east-1");
	CHECK_INT(info.time, 1714551302);
	json_object_del(detail(ev), "recipientAccountId");
	bad(ev, FX_EINVAL, "account");
	ev = with("account", NULL);
	json_object_set_new(detail(ev), "recipientAccountId",
	    json_string("1234"));
	bad(ev, FX_EINVAL, "detail.recipientAccountId");
}

static json_t *
tags_of(const char *item_json, const char *tags_json, const char *owner_tag,
    const char *const *iac, fx_err want)
{
	json_t *item = js(item_json), *tags = js(tags_json);

	CHECK_INT(ev_apply_tags(item, tags, owner_tag, iac), want);
	json_decref(tags);
	return item;
}

static const char *
iac_owner(const json_t *item)
{
	return get(json_object_get(item, "details"), "iac_owner");
}

static void
test_tags_limits(void)
{
	char big[300];
	json_t *it, *tags;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	it = json_object();
	tags = json_pack("{s:s++, s:s}", "owner", big, "@example.com", "",
	    "aws:cloudformation:stack-name", big);
	CHECK_INT(ev_apply_tags(it, tags, "owner", NULL), FX_OK);
	CHECK_INT(json_object_size(it), 0);
	json_decref(tags);
	/* "<key>=<value>" over 256 bytes: key 29 + 1 + 227 */
	big[227] = '\0';
	tags = json_pack("{s:s}", "aws:cloudformation:stack-name", big);
	CHECK_INT(ev_apply_tags(it, tags, "owner", NULL), FX_OK);
	CHECK(iac_owner(it) == NULL);
	big[226] = '\0';
	json_object_set_new(tags, "aws:cloudformation:stack-name",
	    json_string(big));
	CHECK_INT(ev_apply_tags(it, tags, "owner", NULL), FX_OK);
	CHECK_INT(strlen(iac_owner(it)), EV_MAX_IAC);
	json_decref(tags);
	json_decref(it);

	/* no owner tag configured: only fixit:creator */
	it = tags_of("{}", "{'owner': 'bob@example.com'}", NULL, NULL, FX_OK);
	CHECK_INT(json_object_size(it), 0);
	json_decref(it);
	it = json_object();
	CHECK_INT(ev_apply_tags(it, NULL, "owner", NULL), FX_OK);
	CHECK_INT(ev_apply_tags(it, json_null(), "owner", NULL), FX_OK);
	CHECK_INT(json_object_size(it), 0);
	json_decref(it);
	it = tags_of("{}", "[]", "owner", NULL, FX_EINVAL);
	json_decref(it);
	it = tags_of("[]", "{}", "owner", NULL, FX_EINVAL);
	json_decref(it);
	it = tags_of("{'details': 'x'}", "{'aws:cloudformation:stack-name': "
	    "'s'}", "owner", NULL, FX_EINVAL);
	json_decref(it);
	CHECK_INT(ev_apply_tags(NULL, NULL, "owner", NULL), FX_EINVAL);
}

static void
test_tags(void)
{
	static const char *const iac[] = { "terraform:workspace", NULL };
	json_t *it, *tags;

	it = tags_of("{'details': {}}", "{'owner': 'bob@example.com', "
	    "'fixit:creator': 'carol@example.com'}", "owner", NULL, FX_OK);
	CHECK_STR(get(it, "owner_email"), "bob@example.com");
	CHECK(json_object_get(it, "owner_slack_id") == NULL);
	CHECK(iac_owner(it) == NULL);
	json_decref(it);
	it = tags_of("{}", "{'fixit:creator': 'carol@example.com'}", "owner",
	    NULL, FX_OK);
	CHECK_STR(get(it, "owner_email"), "carol@example.com");
	CHECK(json_object_get(it, "details") == NULL);	/* not needed */
	json_decref(it);
	it = tags_of("{}", "{'team': 'U024BE7LH', 'owner': 'dave@x.org'}",
	    "team", NULL, FX_OK);
	CHECK_STR(get(it, "owner_slack_id"), "U024BE7LH");
	CHECK(json_object_get(it, "owner_email") == NULL);
	json_decref(it);
	/* neither an address nor an id: the creator tag */
	it = tags_of("{}", "{'owner': 'team-web', 'fixit:creator': "
	    "'W0123ABCDEF'}", "owner", NULL, FX_OK);
	CHECK_STR(get(it, "owner_slack_id"), "W0123ABCDEF");
	json_decref(it);
	it = tags_of("{}", "{'owner': 'u024be7lh'}", "owner", NULL, FX_OK);
	CHECK_INT(json_object_size(it), 0);
	json_decref(it);

	it = tags_of("{'title': 't'}", "{'aws:cloudformation:stack-name': "
	    "'web-prod', 'terraform:workspace': 'prod'}", "owner", iac, FX_OK);
	CHECK_STR(iac_owner(it), "aws:cloudformation:stack-name=web-prod");
	json_decref(it);
	it = tags_of("{'details': {'k': 1}}", "{'terraform:workspace': "
	    "'prod'}", "owner", iac, FX_OK);
	CHECK_STR(iac_owner(it), "terraform:workspace=prod");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(it,
	    "details"), "k")), 1);
	json_decref(it);
	it = tags_of("{}", "{'terraform:workspace': 'prod'}", "owner", NULL,
	    FX_OK);
	CHECK(iac_owner(it) == NULL);
	json_decref(it);

	/* control characters and oversize values are ignored */
	it = tags_of("{}", "{'owner': 'bob\\n@example.com', 'fixit:creator':"
	    " 'eve\\u0001@example.com', 'aws:cloudformation:stack-name': "
	    "'web\\tprod', 'terraform:workspace': 'a\\u007fb'}", "owner", iac,
	    FX_OK);
	CHECK_INT(json_object_size(it), 0);
	json_decref(it);
	it = js("{}");
	tags = json_object();
	json_object_set_new(tags, "aws:cloudformation:stack-name",
	    json_pack("s++", "x", "", ""));
	json_object_set_new(tags, "owner", json_pack("s+", "bob@",
	    "example.com"));
	CHECK_INT(ev_apply_tags(it, tags, "owner", NULL), FX_OK);
	CHECK_STR(get(it, "owner_email"), "bob@example.com");
	CHECK_STR(iac_owner(it), "aws:cloudformation:stack-name=x");
	json_decref(it);
	json_decref(tags);
	test_tags_limits();
}

int
main(void)
{
	TEST("every sample event parses") test_all_files();
	TEST("manual action rules on the samples") test_classify_samples();
	TEST("edited events: read-only, failed, automation") test_variants();
	TEST("edited identities: AWS service, root, none, federated")
		test_variants_identity();
	TEST("bad envelopes name the field") test_bad_input();
	TEST("owner and IaC ownership from tags") test_tags();
	return TEST_REPORT();
}
