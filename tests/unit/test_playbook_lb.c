/*
 * test_playbook_lb.c - the pure parts of lb-unused: a described ELB
 * structure flattened back into Query parameters, DNS names as the
 * Route 53 guard compares them, the target group ARNs an undo maps, the
 * rule conditions it sends, and when a load balancer counts as unused.
 * The .c files are included to reach their statics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_lb_prior.c"
#include "pb_lb_undo.c"
#include "pb_lb_use.c"
#include "testhelp.h"
#include "testjson.h"

/* the string parameter k of p ("" when none) */
static const char *
ps(const json_t *p, const char *k)
{
	const char *s = json_string_value(json_object_get(p, k));

	return s != NULL ? s : "";
}

static void
test_flatten(void)
{
	json_t *p, *v;
	char deep[512];
	size_t i;

	TEST("an action: objects by key, lists by member.N, empty left out") {
		p = json_object();
		v = js("[{\"Type\": \"forward\", \"Order\": \"1\", "
		       "\"TargetGroupArn\": \"tg-a\", \"ForwardConfig\": "
		       "{\"TargetGroups\": [{\"TargetGroupArn\": \"tg-a\", "
		       "\"Weight\": \"1\"}, {\"TargetGroupArn\": \"tg-b\", "
		       "\"Weight\": \"3\"}], \"TargetGroupStickinessConfig\": "
		       "\"\"}}]");
		CHECK_INT(pb_lb_prior_flatten(p, "DefaultActions", v), FX_OK);
		CHECK_STR(ps(p, "DefaultActions.member.1.Type"), "forward");
		CHECK_STR(ps(p, "DefaultActions.member.1.Order"), "1");
		CHECK_STR(ps(p, "DefaultActions.member.1.ForwardConfig."
				"TargetGroups.member.2.TargetGroupArn"),
		    "tg-b");
		CHECK_STR(ps(p, "DefaultActions.member.1.ForwardConfig."
				"TargetGroups.member.2.Weight"),
		    "3");
		CHECK(
		    json_object_get(p, "DefaultActions.member.1."
				       "ForwardConfig."
				       "TargetGroupStickinessConfig") == NULL);
		CHECK_INT(json_object_size(p), 7);
		json_decref(v);
		json_decref(p);
	}
	TEST("an object at the top has no prefix; integers kept") {
		p = json_object();
		v = js("{\"Name\": \"x\", \"Port\": 80}");
		CHECK_INT(pb_lb_prior_flatten(p, "", v), FX_OK);
		CHECK_STR(ps(p, "Name"), "x");
		CHECK(json_integer_value(json_object_get(p, "Port")) == 80);
		json_decref(v);
		json_decref(p);
	}
	TEST("too deep or a name too long: refused") {
		p = json_object();
		v = json_string("x");
		for (i = 0; i < 20; i++)
			v = json_pack("{s:o}", "k", v);
		CHECK_INT(pb_lb_prior_flatten(p, "A", v), FX_ETOOBIG);
		json_decref(v);
		memset(deep, 'a', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = '\0';
		v = json_pack("{s:s}", deep, "x");
		CHECK_INT(pb_lb_prior_flatten(p, "A", v), FX_ETOOBIG);
		json_decref(v);
		json_decref(p);
	}
}

static void
test_dns_key(void)
{
	char k[256];

	TEST("lower case, no trailing dot, no dualstack.") {
		pb_lb_use_dns_key("dualstack.My-LB-1.eu-west-1.elb."
				  "amazonaws.com.",
		    k, sizeof(k));
		CHECK_STR(k, "my-lb-1.eu-west-1.elb.amazonaws.com");
		pb_lb_use_dns_key("internal-a-1.eu-west-1.elb.amazonaws.com", k,
		    sizeof(k));
		CHECK_STR(k, "internal-a-1.eu-west-1.elb.amazonaws.com");
		pb_lb_use_dns_key("DUALSTACK.b.example", k, sizeof(k));
		CHECK_STR(k, "b.example");
	}
	TEST("cut to the buffer") {
		pb_lb_use_dns_key("abcdef", k, 4);
		CHECK_STR(k, "abc");
	}
}

static void
test_undo_parts(void)
{
	json_t *a, *map, *p, *c;

	TEST("target group ARNs mapped wherever actions name them") {
		a = js("[{\"Type\": \"forward\", \"TargetGroupArn\": \"old1\", "
		       "\"ForwardConfig\": {\"TargetGroups\": "
		       "[{\"TargetGroupArn\": \"old1\"}, "
		       "{\"TargetGroupArn\": \"kept\"}]}}]");
		map = js("{\"old1\": \"new1\"}");
		lb_map_tg(a, map);
		CHECK_STR(aws_j_str(json_array_get(a, 0), "TargetGroupArn"),
		    "new1");
		c = aws_j_list(json_array_get(a, 0), "ForwardConfig/"
						     "TargetGroups");
		CHECK_STR(aws_j_str(json_array_get(c, 0), "TargetGroupArn"),
		    "new1");
		CHECK_STR(aws_j_str(json_array_get(c, 1), "TargetGroupArn"),
		    "kept");
		json_decref(a);
		json_decref(map);
	}
	TEST("conditions: Values only where no *Config carries them") {
		p = json_object();
		c = js("[{\"Field\": \"path-pattern\", \"Values\": [\"/a\"], "
		       "\"PathPatternConfig\": {\"Values\": [\"/a\"]}}, "
		       "{\"Field\": \"host-header\", \"Values\": [\"x\"]}]");
		CHECK_INT(lb_conditions(p, c), FX_OK);
		CHECK(json_object_get(p,
			  "Conditions.member.1.Values.member.1") == NULL);
		CHECK_STR(ps(p, "Conditions.member.1.PathPatternConfig.Values."
				"member.1"),
		    "/a");
		CHECK_STR(ps(p, "Conditions.member.2.Values.member.1"), "x");
		/* the prior itself is left as it was */
		CHECK(json_object_get(json_array_get(c, 0), "Values") != NULL);
		json_decref(c);
		json_decref(p);
	}
	TEST("subnets: SubnetMappings once an address was fixed") {
		p = json_object();
		c = js("[{\"SubnetId\": \"s1\", \"LoadBalancerAddresses\": "
		       "[{\"AllocationId\": \"eipalloc-1\"}]}, "
		       "{\"SubnetId\": \"s2\"}]");
		CHECK_INT(lb_subnets(p, c), FX_OK);
		CHECK_STR(ps(p, "SubnetMappings.member.1.SubnetId"), "s1");
		CHECK_STR(ps(p, "SubnetMappings.member.1.AllocationId"),
		    "eipalloc-1");
		CHECK_STR(ps(p, "SubnetMappings.member.2.SubnetId"), "s2");
		CHECK(json_object_get(p, "Subnets.member.1") == NULL);
		json_decref(c);
		json_decref(p);
		p = json_object();
		c = js("[{\"SubnetId\": \"s1\"}, {\"SubnetId\": \"s2\"}]");
		CHECK_INT(lb_subnets(p, c), FX_OK);
		CHECK_STR(ps(p, "Subnets.member.2"), "s2");
		CHECK_INT(json_object_size(p), 2);
		json_decref(c);
		json_decref(p);
	}
}

static void
test_unused(void)
{
	struct pb_lb_use u;

	TEST("unused: nothing now, nothing in the window, all readable") {
		memset(&u, 0, sizeof(u));
		CHECK(pb_lb_use_none(&u));
		u.points = 45;
		CHECK(pb_lb_use_none(&u));
		u.healthy = 1;
		CHECK(!pb_lb_use_none(&u));
		memset(&u, 0, sizeof(u));
		u.instances = 1;
		CHECK(!pb_lb_use_none(&u));
		memset(&u, 0, sizeof(u));
		u.req_max = 1;
		CHECK(!pb_lb_use_none(&u));
		memset(&u, 0, sizeof(u));
		u.hh_max = 2;
		CHECK(!pb_lb_use_none(&u));
		memset(&u, 0, sizeof(u));
		u.unknown = 1;
		CHECK(!pb_lb_use_none(&u));
	}
}

int
main(void)
{
	test_flatten();
	test_dns_key();
	test_undo_parts();
	test_unused();
	return TEST_REPORT();
}
