/*
 * test_playbook_ec2_idle.c - the pure parts of ec2-stopped and
 * ec2-underused (pb_ec2_idle.c): the stop time in a state-transition
 * reason, the guard of an instance something else manages, the volume
 * ids of an instance, and the usage a fix reports for the savings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_ec2_idle.h"
#include "testhelp.h"
#include "testjson.h"

static void
test_reason(void)
{
	int64_t t = -1;

	TEST("the stop time of a state-transition reason") {
		CHECK_INT(pb_ec2_idle_reason_time(
			      "User initiated (2026-10-01 12:00:00 GMT)", &t),
		    FX_OK);
		CHECK(t == 1790856000);
		CHECK_INT(pb_ec2_idle_reason_time("User initiated (2026-10-01 "
						  "12:00:00 GMT) more",
			      &t),
		    FX_OK);
		CHECK(t == 1790856000);
	}
	TEST("a reason without a time: none") {
		CHECK_INT(pb_ec2_idle_reason_time("", &t), FX_EINVAL);
		CHECK(t == 0);
		CHECK_INT(pb_ec2_idle_reason_time(NULL, &t), FX_EINVAL);
		CHECK_INT(pb_ec2_idle_reason_time("User initiated", &t),
		    FX_EINVAL);
		CHECK_INT(pb_ec2_idle_reason_time("x (2026-10-01 12:00:00 UTC)",
			      &t),
		    FX_EINVAL);
		CHECK_INT(pb_ec2_idle_reason_time("x (2026-13-01 12:00:00 GMT)",
			      &t),
		    FX_EINVAL);
		CHECK_INT(pb_ec2_idle_reason_time("x (", &t), FX_EINVAL);
	}
}

/* the guard on the instance JSON and tags JSON: 1 when managed */
static int
managed(const char *inst, const char *tags)
{
	json_t *i = js(inst), *t = js(tags);
	struct pb_elig e;

	pb_elig_init(&e);
	pb_ec2_idle_managed(i, t, &e);
	json_decref(i);
	json_decref(t);
	return e.kind == PB_EXEMPT;
}

static void
test_managed(void)
{
	TEST("managed by something else: exempt") {
		CHECK(managed("{}", "{\"aws:autoscaling:groupName\": \"g\"}"));
		CHECK(managed("{}", "{\"eks:cluster-name\": \"c\"}"));
		CHECK(managed("{}",
		    "{\"kubernetes.io/cluster/prod\": \"owned\"}"));
		CHECK(managed("{}", "{\"karpenter.sh/nodepool\": \"p\"}"));
		CHECK(managed("{}", "{\"AmazonECSManaged\": \"\"}"));
		CHECK(managed("{\"instanceLifecycle\": \"spot\"}", "{}"));
	}
	TEST("an instance of its own: not exempt") {
		CHECK(!managed("{}", "{\"Name\": \"web\", \"team\": \"x\"}"));
		CHECK(!managed("{}", "{\"autoscaling\": \"no\"}"));
		CHECK(!managed("{\"instanceLifecycle\": \"scheduled\"}", "{}"));
	}
	TEST("no tags at all: not exempt") {
		struct pb_elig e;

		pb_elig_init(&e);
		pb_ec2_idle_managed(NULL, NULL, &e);
		CHECK(e.kind == PB_ELIGIBLE);
	}
}

static void
test_volumes_usage(void)
{
	json_t *inst, *ids, *prior;
	char *s;

	TEST("the volume ids of an instance") {
		inst = js("{\"blockDeviceMapping\": [{\"deviceName\": "
			  "\"/dev/xvda\", \"ebs\": {\"volumeId\": \"vol-1\"}}, "
			  "{\"deviceName\": \"/dev/sdb\"}, {\"ebs\": "
			  "{\"volumeId\": \"vol-2\"}}]}");
		ids = pb_ec2_idle_volume_ids(inst);
		s = json_dumps(ids, JSON_COMPACT);
		CHECK_STR(s, "[\"vol-1\",\"vol-2\"]");
		free(s);
		json_decref(ids);
		json_decref(inst);
	}
	TEST("usage: what the termination removes and adds") {
		prior = js("{\"instance_type\": \"m5.large\", \"volumes\": ["
			   "{\"size\": 8, \"volume_type\": \"gp3\", "
			   "\"delete_on_termination\": true}, "
			   "{\"size\": 100, \"volume_type\": \"st1\", "
			   "\"delete_on_termination\": false}]}");
		CHECK_INT(pb_ec2_idle_usage(prior, 1), FX_OK);
		s = json_dumps(json_object_get(prior, "usage"), JSON_COMPACT);
		CHECK_STR(s,
		    "[{\"item\":\"ec2_instance_hour\",\"class\":\"m5.large\","
		    "\"qty\":730},{\"item\":\"ebs_gb\",\"class\":\"gp3\","
		    "\"qty\":8},{\"item\":\"snapshot_gb\",\"class\":\"ebs\","
		    "\"qty\":-8},{\"item\":\"snapshot_gb\",\"class\":\"ebs\","
		    "\"qty\":-100}]");
		free(s);
		CHECK_INT(pb_ec2_idle_usage(prior, 0), FX_OK);
		CHECK(json_array_size(json_object_get(prior, "usage")) == 3);
		json_decref(prior);
	}
}

int
main(void)
{
	test_reason();
	test_managed();
	test_volumes_usage();
	return TEST_REPORT();
}
