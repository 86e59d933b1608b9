/*
 * test_playbook_dd.c - the pure parts of dangling-dns's AWS host-name
 * targets (pb_dd_aws.h): which kind a host names, the target of a
 * finding of each kind, and what an Elastic IP target matches; through
 * dd_target and dd_points_at (pb_dangling_dns.c, included to reach its
 * statics), so the finding's resource id drives them as in a check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_dangling_dns.c"
#include "testhelp.h"
#include "testjson.h"

static void
test_host_kind(void)
{
	char r[32];

	TEST("host kinds") {
		CHECK_STR(ddk_host_kind("d111abc.cloudfront.net.", r,
			      sizeof(r)),
		    "cloudfront");
		CHECK_STR(ddk_host_kind("D1.CloudFront.NET", r, sizeof(r)),
		    "cloudfront");
		CHECK(
		    ddk_host_kind("a.b.cloudfront.net", r, sizeof(r)) == NULL);
		CHECK(ddk_host_kind("cloudfront.net", r, sizeof(r)) == NULL);
		CHECK_STR(ddk_host_kind(
			      "d-abc123.execute-api.eu-west-1.amazonaws.com", r,
			      sizeof(r)),
		    "apigw");
		CHECK_STR(r, "eu-west-1");
		CHECK(ddk_host_kind("x-abc.execute-api.eu-west-1.amazonaws.com",
			  r, sizeof(r)) == NULL);
		CHECK(ddk_host_kind("abc.s3.eu-west-1.amazonaws.com", r,
			  sizeof(r)) == NULL);
		CHECK_STR(
		    ddk_host_kind("my-env.us-east-2.elasticbeanstalk.com.", r,
			sizeof(r)),
		    "beanstalk");
		CHECK_STR(r, "us-east-2");
		CHECK(ddk_host_kind("elasticbeanstalk.com", r, sizeof(r)) ==
		      NULL);
		CHECK(ddk_host_kind("a.b.eu-west-1.elasticbeanstalk.com", r,
			  sizeof(r)) == NULL);
		CHECK(ddk_host_kind("example.com", r, sizeof(r)) == NULL);
		CHECK(ddk_host_kind(NULL, r, sizeof(r)) == NULL);
	}
}

/* dd_target of resource id rid (region eu-west-1) into *t */
static fx_err
target_of(struct pb_ctx *x, const char *rid, json_t **t)
{
	json_t *f = json_pack("{s:s, s:{}, s:s}", "resource_id", rid, "details",
	    "region", "eu-west-1");
	fx_err rc = dd_target(x, f, t);

	json_decref(f);
	return rc;
}

static void
test_targets(void)
{
	struct pb_ctx x;
	struct buf msg = BUF_INIT;
	json_t *t = NULL;

	memset(&x, 0, sizeof(x));
	buf_init(&msg, 4096);
	x.msg = &msg;
	x.region = "us-east-1";
	TEST("targets of the new kinds") {
		CHECK_INT(target_of(&x, "eip:203.0.113.10", &t), FX_OK);
		CHECK_STR(aws_j_str(t, "ip"), "203.0.113.10");
		json_decref(t);
		CHECK_INT(target_of(&x, "eip:eipalloc-0abc", &t), FX_OK);
		CHECK_STR(aws_j_str(t, "allocation_id"), "eipalloc-0abc");
		CHECK(aws_j_str(t, "ip") == NULL);
		json_decref(t);
		CHECK_INT(target_of(&x, "eip:300.1.2.3", &t), FX_EINVAL);
		CHECK_INT(target_of(&x, "cloudfront:D1.cloudfront.net.", &t),
		    FX_OK);
		CHECK_STR(json_string_value(
			      json_array_get(json_object_get(t, "hosts"), 0)),
		    "d1.cloudfront.net");
		json_decref(t);
		CHECK_INT(target_of(&x, "cloudfront:EDFDVBD6EXAMPLE", &t),
		    FX_OK);
		CHECK_STR(aws_j_str(t, "distribution_id"), "EDFDVBD6EXAMPLE");
		CHECK_INT(json_array_size(json_object_get(t, "hosts")), 0);
		json_decref(t);
		CHECK_INT(target_of(&x, "apigw:api.example.com", &t), FX_OK);
		CHECK_STR(json_string_value(
			      json_array_get(json_object_get(t, "named"), 0)),
		    "d-*.execute-api.eu-west-1.amazonaws.com");
		json_decref(t);
		CHECK_INT(target_of(&x, "apigw:nodot", &t), FX_EINVAL);
		CHECK_INT(target_of(&x, "beanstalk:my-env", &t), FX_OK);
		CHECK_STR(aws_j_str(t, "prefix"), "my-env");
		CHECK_STR(json_string_value(
			      json_array_get(json_object_get(t, "hosts"), 0)),
		    "my-env.eu-west-1.elasticbeanstalk.com");
		json_decref(t);
		CHECK_INT(target_of(&x,
			      "beanstalk:Other.us-east-2.elasticbeanstalk.com",
			      &t),
		    FX_OK);
		CHECK_STR(aws_j_str(t, "prefix"), "Other");
		/* the host's region, not the finding's */
		CHECK_STR(aws_j_str(t, "region"), "us-east-2");
		json_decref(t);
		CHECK_INT(target_of(&x, "beanstalk:a/b", &t), FX_EINVAL);
		CHECK_INT(target_of(&x, "cloudfront:../x", &t), FX_EINVAL);
	}
	buf_release(&msg);
}

static void
test_matches(void)
{
	struct pb_ctx x;
	struct buf msg = BUF_INIT;
	json_t *t = NULL, *rr;

	memset(&x, 0, sizeof(x));
	buf_init(&msg, 4096);
	x.msg = &msg;
	TEST("what the new targets match") {
		CHECK_INT(target_of(&x, "eip:203.0.113.10", &t), FX_OK);
		rr = js("{'Name':'a.example.com.','Type':'A','ResourceRecords':"
			"[{'Value':'203.0.113.10'}]}");
		CHECK(dd_points_at(t, rr));
		json_decref(rr);
		/* a second address: not only the released one */
		rr = js("{'Name':'a.example.com.','Type':'A','ResourceRecords':"
			"[{'Value':'203.0.113.10'},{'Value':'192.0.2.1'}]}");
		CHECK(!dd_points_at(t, rr));
		json_decref(rr);
		rr = js("{'Name':'a.example.com.','Type':'TXT',"
			"'ResourceRecords':[{'Value':'203.0.113.10'}]}");
		CHECK(!dd_points_at(t, rr));
		json_decref(rr);
		json_decref(t);
		CHECK_INT(target_of(&x, "apigw:api.example.com", &t), FX_OK);
		rr = js("{'Name':'api.example.com.','Type':'CNAME',"
			"'ResourceRecords':[{'Value':"
			"'d-abc1.execute-api.eu-west-1.amazonaws.com'}]}");
		CHECK(dd_points_at(t, rr));
		json_decref(rr);
		/* another name, the same kind of host */
		rr = js("{'Name':'x.example.com.','Type':'CNAME',"
			"'ResourceRecords':[{'Value':"
			"'d-abc1.execute-api.eu-west-1.amazonaws.com'}]}");
		CHECK(!dd_points_at(t, rr));
		json_decref(rr);
		/* an edge domain's distribution, as an alias */
		rr = js("{'Name':'API.example.com','Type':'A','AliasTarget':"
			"{'DNSName':'d123.cloudfront.net.'}}");
		CHECK(dd_points_at(t, rr));
		json_decref(rr);
		/* another region */
		rr = js("{'Name':'api.example.com.','Type':'CNAME',"
			"'ResourceRecords':[{'Value':"
			"'d-abc1.execute-api.us-east-1.amazonaws.com'}]}");
		CHECK(!dd_points_at(t, rr));
		json_decref(rr);
		json_decref(t);
		CHECK_INT(target_of(&x, "beanstalk:my-env", &t), FX_OK);
		rr = js("{'Name':'app.example.com.','Type':'CNAME',"
			"'ResourceRecords':[{'Value':"
			"'MY-ENV.eu-west-1.elasticbeanstalk.com.'}]}");
		CHECK(dd_points_at(t, rr));
		json_decref(rr);
		rr = js("{'Name':'app.example.com.','Type':'CNAME',"
			"'ResourceRecords':[{'Value':"
			"'my-env2.eu-west-1.elasticbeanstalk.com'}]}");
		CHECK(!dd_points_at(t, rr));
		json_decref(rr);
		json_decref(t);
	}
	buf_release(&msg);
}

int
main(void)
{
	test_host_kind();
	test_targets();
	test_matches();
	return TEST_REPORT();
}
