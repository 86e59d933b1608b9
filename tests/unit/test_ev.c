/*
 * test_ev.c - CloudTrail API call events (events/ev.c): every sample
 * in tests/data/events parses (the folder is read, no file
 * is listed for that); the actions each asks for. The envelope checks,
 * the manual-action rules and the owner/IaC tags are data:
 * tests/data/ev-rules/, run by test_ev_rules.c.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev.h"
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

/* the actions of ev under the rules (a new array; NULL on failure) */
static json_t *
actions(const json_t *ev, const char *pattern, const char *const *autom)
{
	struct ev_info info;
	json_t *out = json_array();

	if (out == NULL || verdict(ev, pattern, autom, &info) < 0 ||
	    ev_actions(&info, ev, out) != FX_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* first action of kind (and "type" or "service" sub) */
static const json_t *
find(const json_t *acts, const char *kind, const char *sub)
{
	const json_t *a;
	const char *t;
	size_t i;

	json_array_foreach(acts, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "kind")),
		    kind) != 0)
			continue;
		t = json_string_value(json_object_get(a, "type"));
		if (t == NULL)
			t = json_string_value(json_object_get(a, "service"));
		if (sub == NULL || (t != NULL && strcmp(t, sub) == 0))
			return a;
	}
	return NULL;
}

static int
has_str(const json_t *arr, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
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
	json_t *ev, *acts;
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
		acts = json_array();
		CHECK_INT(ev_actions(&info, ev, acts), FX_OK);
		printf("  %s: %s/%s by %s (%s): %s, %zu action(s)\n",
		    de->d_name, info.event_source, info.event_name,
		    info.actor, info.identity_type,
		    ev_verdict_name(info.verdict), json_array_size(acts));
		json_decref(acts);
		json_decref(ev);
	}
	closedir(dp);
	buf_release(&err);
	CHECK(n >= T_MIN_EVENTS);
}

static void
test_actions_samples(void)
{
	const json_t *a, *ids;
	json_t *ev, *acts;

	ev = load(RUN_ALICE);
	acts = actions(ev, EMPLOYEES, NULL);
	CHECK(acts != NULL);
	a = find(acts, "launch", NULL);
	CHECK(a != NULL);
	ids = json_object_get(a, "instance_ids");
	CHECK_INT(json_array_size(ids), 1);
	CHECK(has_str(ids, "i-1234567890abcdef0"));
	CHECK_INT(json_integer_value(json_object_get(a, "count")), 1);
	CHECK(json_object_get(a, "truncated") == NULL);
	a = find(acts, "created", "ec2");
	CHECK(a != NULL);
	ids = json_object_get(a, "ids");
	CHECK(has_str(ids, "i-1234567890abcdef0"));
	/* where it was put and what it was made from were not created */
	CHECK(!has_str(ids, "vpc-1234567890abcdef0"));
	CHECK(!has_str(ids, "subnet-04a636d18e83cfacb"));
	CHECK(!has_str(ids, "sg-903004f8"));
	CHECK(!has_str(ids, "ami-0abcdef1234567890"));
	CHECK(find(acts, "dangling", NULL) == NULL);
	CHECK_INT(json_array_size(acts), 2);
	json_decref(acts);
	/* not manual: nothing */
	acts = actions(ev, "*@other.example", NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);

	ev = load(RUN_ASG);
	acts = actions(ev, NULL, NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);

	/* dangling whoever deleted it */
	ev = load(DEL_BUCKET);
	acts = actions(ev, EMPLOYEES, NULL);
	a = find(acts, "dangling", "s3");
	CHECK(a != NULL);
	CHECK_STR(get(a, "name"), "www.example-bucket.com");
	CHECK_STR(get(a, "region"), "us-west-2");
	CHECK(json_object_get(a, "arn") == NULL);
	CHECK_INT(json_array_size(acts), 1);
	json_decref(acts);
	json_decref(ev);

	ev = load(DEL_ELB);
	acts = actions(ev, EMPLOYEES, NULL);
	a = find(acts, "dangling", "elb");
	CHECK(a != NULL);
	CHECK_STR(get(a, "name"), "my-load-balancer");
	CHECK_STR(get(a, "region"), "us-west-2");
	CHECK_STR(get(a, "arn"), "arn:aws:elasticloadbalancing:us-west-2:"
	    "123456789012:loadbalancer/app/my-load-balancer/ffcddace1759e1d0");
	CHECK_INT(json_array_size(acts), 1);
	json_decref(acts);
	json_decref(ev);

	ev = load(NEW_USER);
	acts = actions(ev, NULL, NULL);
	a = find(acts, "new_user", NULL);
	CHECK(a != NULL);
	CHECK_STR(get(a, "user_name"), "Bob");
	CHECK_STR(get(a, "user_arn"), "arn:aws:iam::123456789012:user/Bob");
	CHECK_INT(json_array_size(acts), 1);
	json_decref(acts);
	acts = actions(ev, EMPLOYEES, NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);
}

/* RUN_ALICE turned into eventSource/eventName with responseElements re */
static json_t *
alice_call(const char *source, const char *name, const char *re)
{
	json_t *ev = load(RUN_ALICE);

	json_object_set_new(detail(ev), "eventSource", json_string(source));
	json_object_set_new(detail(ev), "eventName", json_string(name));
	json_object_set_new(detail(ev), "responseElements", js(re));
	return ev;
}

static void
test_actions_variants(void)
{
	const json_t *a, *ids;
	json_t *ev, *acts, *items;
	char id[32];
	int i;

	/* classic ELB by name; a failed deletion produces nothing */
	ev = load(DEL_ELB);
	json_object_set_new(detail(ev), "requestParameters",
	    js("{'loadBalancerName': 'my-classic-lb'}"));
	acts = actions(ev, NULL, NULL);
	a = find(acts, "dangling", "elb");
	CHECK(a != NULL);
	CHECK_STR(get(a, "name"), "my-classic-lb");
	CHECK(json_object_get(a, "arn") == NULL);
	json_decref(acts);
	json_object_set_new(detail(ev), "errorCode",
	    json_string("AccessDenied"));
	acts = actions(ev, NULL, NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);
	ev = load(DEL_ELB);		/* a gateway LB has no DNS name */
	json_object_set_new(detail(ev), "requestParameters", js("{"
	    "'loadBalancerArn': 'arn:aws:elasticloadbalancing:us-west-2:"
	    "123456789012:loadbalancer/gwy/my-gwy/ffcddace1759e1d0'}"));
	acts = actions(ev, NULL, NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);

	/* CreateVolume from a snapshot: the volume only */
	ev = alice_call("ec2.amazonaws.com", "CreateVolume", "{'volumeId': "
	    "'vol-0123456789abcdef0', 'snapshotId': 'snap-0abc1234567890def',"
	    " 'size': 8}");
	acts = actions(ev, EMPLOYEES, NULL);
	ids = json_object_get(find(acts, "created", "ec2"), "ids");
	CHECK_INT(json_array_size(ids), 1);
	CHECK(has_str(ids, "vol-0123456789abcdef0"));
	CHECK(find(acts, "launch", NULL) == NULL);
	json_decref(acts);
	json_decref(ev);

	ev = alice_call("ec2.amazonaws.com", "CopyImage",
	    "{'imageId': 'ami-0fedcba9876543210'}");
	acts = actions(ev, EMPLOYEES, NULL);
	ids = json_object_get(find(acts, "created", "ec2"), "ids");
	CHECK(has_str(ids, "ami-0fedcba9876543210"));
	json_decref(acts);
	json_decref(ev);

	/* a tag or a delete creates nothing */
	ev = alice_call("ec2.amazonaws.com", "CreateTags", "{'_return': true}");
	acts = actions(ev, EMPLOYEES, NULL);
	CHECK(acts != NULL && json_array_size(acts) == 0);
	json_decref(acts);
	json_decref(ev);

	ev = alice_call("rds.amazonaws.com", "CreateDBInstance", "{"
	    "'dBInstanceIdentifier': 'db1', 'dBInstanceArn': "
	    "'arn:aws:rds:us-east-1:123456789012:db:db1', 'dBSubnetGroup': "
	    "{'dBSubnetGroupArn': "
	    "'arn:aws:rds:us-east-1:123456789012:subgrp:default'}}");
	acts = actions(ev, EMPLOYEES, NULL);
	a = find(acts, "created", "rds");
	CHECK_STR(get(a, "arn"), "arn:aws:rds:us-east-1:123456789012:db:db1");
	CHECK_INT(json_array_size(acts), 1);
	json_decref(acts);
	json_decref(ev);

	/* bounded: 1500 instances give 1000 ids */
	ev = load(RUN_ALICE);
	items = json_object_get(json_object_get(json_object_get(detail(ev),
	    "responseElements"), "instancesSet"), "items");
	json_array_clear(items);
	for (i = 0; i < 1500; i++) {
		snprintf(id, sizeof(id), "i-%017x", i);
		json_array_append_new(items, json_pack("{s:s}", "instanceId",
		    id));
	}
	acts = actions(ev, EMPLOYEES, NULL);
	a = find(acts, "launch", NULL);
	CHECK_INT(json_array_size(json_object_get(a, "instance_ids")),
	    EV_MAX_IDS);
	CHECK_INT(json_integer_value(json_object_get(a, "count")), 1500);
	CHECK(json_is_true(json_object_get(a, "truncated")));
	CHECK_INT(json_array_size(json_object_get(find(acts, "created",
	    "ec2"), "ids")), EV_MAX_IDS);
	json_decref(acts);
	json_decref(ev);
}

int
main(void)
{
	TEST("every sample event parses") test_all_files();
	TEST("actions of the samples") test_actions_samples();
	TEST("actions of edited events") test_actions_variants();
	return TEST_REPORT();
}
