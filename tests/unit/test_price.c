/*
 * test_price.c - the price table loader (remediation/price.c) and the
 * savings arithmetic against the table shipped with fixit,
 * deploy/prices.json: every expectation below is worked out by hand from
 * that file's numbers (a change of a price there changes these lines).
 * And hostile tables: each refused with the key that is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "price.h"
#include "testhelp.h"
#include "banned.h"

static struct price_table *
shipped(void)
{
	const char *src = getenv("FIXIT_SRC");
	struct buf why = BUF_INIT;
	struct price_table *t = NULL;
	char path[1024];

	snprintf(path, sizeof(path), "%s/deploy/prices.json",
	    src && *src ? src : "../..");
	if (price_load(path, &t, &why) != FX_OK)
		printf("cannot load %s: %s\n", path, buf_str(&why));
	buf_release(&why);
	return t;
}

/* the saving of usage (JSON text) in region: its cents, -1 on failure;
 * *unknown (may be NULL) the unknown list as compact JSON, freed by the
 * caller */
static long long
saving(const struct price_table *t, const char *region, const char *usage,
    char **unknown)
{
	json_t *u = json_loads(usage, 0, NULL), *s;
	long long cents = -1;

	s = price_saving(t, region, u);
	if (s != NULL) {
		cents =
		    (long long)json_integer_value(json_object_get(s, "cents"));
		if (unknown != NULL)
			*unknown = json_dumps(json_object_get(s, "unknown"),
			    JSON_COMPACT);
	}
	json_decref(s);
	json_decref(u);
	return cents;
}

/* price_parse of text: FX_ECONFIG expected, why containing want */
static void
refused(const char *text, const char *want)
{
	struct buf why = BUF_INIT;
	struct price_table *t = NULL;
	fx_err rc;

	rc = price_parse(text, strlen(text), &t, &why);
	CHECK_INT(rc, FX_ECONFIG);
	CHECK(t == NULL);
	if (strstr(buf_str(&why), want) == NULL)
		printf("  want \"%s\" in \"%s\"\n", want, buf_str(&why));
	CHECK(strstr(buf_str(&why), want) != NULL);
	buf_release(&why);
}

#define NEAR(a, b) ((a) - (b) < 1e-12 && (b) - (a) < 1e-12)
#define HEAD	   "{\"as_of\": \"2025-01-15\", \"currency\": \"USD\", "

int
main(void)
{
	struct price_table *t = shipped();
	char *unk = NULL;
	double usd;

	CHECK(t != NULL);
	if (t == NULL)
		return TEST_REPORT();

	TEST("the shipped table: its date and unit prices") {
		CHECK_STR(price_as_of(t), "2025-01-15");
		CHECK(price_unit(t, "us-east-1", "ebs_gb", "gp3", &usd));
		CHECK(NEAR(usd, 0.08));
		/* a region listed: its own price */
		CHECK(price_unit(t, "eu-west-1", "ebs_gb", "gp3", &usd));
		CHECK(NEAR(usd, 0.088));
		/* listed, but not this item: default's */
		CHECK(price_unit(t, "eu-west-1", "snapshot_gb", "ebs", &usd));
		CHECK(NEAR(usd, 0.05));
		/* listed, item too, not this class: default's */
		CHECK(price_unit(t, "eu-west-1", "ec2_instance_hour",
		    "m5.2xlarge", &usd));
		CHECK(NEAR(usd, 0.384));
		/* not listed at all, or no region */
		CHECK(price_unit(t, "ap-south-1", "eip_hour", NULL, &usd));
		CHECK(NEAR(usd, 0.005));
		CHECK(price_unit(t, NULL, "route53_zone", NULL, &usd));
		CHECK(NEAR(usd, 0.50));
		/* unknown: class, item, a class where none is priced and
		 * none where one is */
		CHECK(!price_unit(t, "us-east-1", "ec2_instance_hour",
		    "x9.mega", &usd));
		CHECK(!price_unit(t, "us-east-1", "nat_hour", NULL, &usd));
		CHECK(!price_unit(t, "us-east-1", "eip_hour", "x", &usd));
		CHECK(!price_unit(t, "us-east-1", "ebs_gb", NULL, &usd));
		CHECK(!price_unit(NULL, "us-east-1", "eip_hour", NULL, &usd));
	}

	TEST("ebs-unused: the volume minus the snapshot kept") {
		/* 100 x 0.08 - 100 x 0.05 = 3.00 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"ebs_gb\",\"class\":\"gp3\",\"qty\":"
			      "100},{\"item\":\"snapshot_gb\",\"class\":"
			      "\"ebs\",\"qty\":-100}]",
			      &unk),
		    300);
		CHECK_STR(unk, "[]");
		free(unk);
		/* eu-west-1: 100 x 0.088 - 100 x 0.05 (default's) = 3.80 */
		CHECK_INT(saving(t, "eu-west-1",
			      "[{\"item\":\"ebs_gb\",\"class\":\"gp3\",\"qty\":"
			      "100},{\"item\":\"snapshot_gb\",\"class\":"
			      "\"ebs\",\"qty\":-100}]",
			      NULL),
		    380);
		/* eu-central-1: 100 x 0.119 - 100 x 0.054 = 6.50 */
		CHECK_INT(saving(t, "eu-central-1",
			      "[{\"item\":\"ebs_gb\",\"class\":\"gp2\",\"qty\":"
			      "100},{\"item\":\"snapshot_gb\",\"class\":"
			      "\"ebs\",\"qty\":-100}]",
			      NULL),
		    650);
		/* a 1 GiB io1 volume: 0.125 - 0.05 = 0.075, 7.5 cents
		 * rounded to 8 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"ebs_gb\",\"class\":\"io1\",\"qty\":"
			      "1},{\"item\":\"snapshot_gb\",\"class\":"
			      "\"ebs\",\"qty\":-1}]",
			      NULL),
		    8);
	}

	TEST("eip, route53, ec2, rds, redshift, load balancers") {
		/* 730 x 0.005 = 3.65 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"eip_hour\",\"class\":null,\"qty\":"
			      "730}]",
			      NULL),
		    365);
		/* no class key at all is no class */
		CHECK_INT(saving(t, "sa-east-1",
			      "[{\"item\":\"route53_zone\",\"qty\":2}]", NULL),
		    100);
		/* 730 x 0.107 = 78.11 (eu-west-1's m5.large) */
		CHECK_INT(saving(t, "eu-west-1",
			      "[{\"item\":\"ec2_instance_hour\",\"class\":"
			      "\"m5.large\",\"qty\":730}]",
			      NULL),
		    7811);
		/* Multi-AZ: 1460 x 0.171 = 249.66, + 2 x 20 GB x 0.115 =
		 * 4.60, - 20 x 0.095 = 1.90: 252.36 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"rds_instance_hour\",\"class\":"
			      "\"db.m5.large\",\"qty\":1460},{\"item\":"
			      "\"rds_gb\",\"class\":\"gp2\",\"qty\":40},"
			      "{\"item\":\"snapshot_gb\",\"class\":\"rds\","
			      "\"qty\":-20}]",
			      NULL),
		    25236);
		/* 2 nodes: 1460 x 0.25 = 365.00 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"redshift_node_hour\",\"class\":"
			      "\"dc2.large\",\"qty\":1460}]",
			      NULL),
		    36500);
		/* 730 x 0.0252 = 18.396 -> 18.40 */
		CHECK_INT(saving(t, "eu-west-1",
			      "[{\"item\":\"lb_hour\",\"class\":"
			      "\"application\",\"qty\":730}]",
			      NULL),
		    1840);
	}

	TEST("unknown entries are listed, never counted as 0") {
		/* 730 x 0.0104 = 7.592 -> 7.59, and the unknown class */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"ec2_instance_hour\",\"class\":"
			      "\"t3.micro\",\"qty\":730},{\"item\":"
			      "\"ec2_instance_hour\",\"class\":\"x9.mega\","
			      "\"qty\":730},{\"item\":\"nat_hour\",\"qty\":1}]",
			      &unk),
		    759);
		CHECK_STR(unk, "[\"ec2_instance_hour x9.mega\",\"nat_hour\"]");
		free(unk);
		/* malformed entries: "invalid" */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"eip_hour\",\"qty\":\"730\"},"
			      "{\"qty\":1},{\"item\":\"eip_hour\",\"qty\":"
			      "1e12},{\"item\":\"ebs_gb\",\"class\":7,\"qty\":"
			      "1},{\"item\":\"a b\",\"qty\":1},17,"
			      "{\"item\":\"eip_hour\",\"qty\":730}]",
			      &unk),
		    365);
		CHECK_STR(unk, "[\"invalid\",\"invalid\",\"invalid\","
			       "\"invalid\",\"invalid\",\"invalid\"]");
		free(unk);
		/* no table: everything unknown, 0 cents, no date */
		CHECK_INT(saving(NULL, "us-east-1",
			      "[{\"item\":\"eip_hour\",\"qty\":730}]", &unk),
		    0);
		CHECK_STR(unk, "[\"eip_hour\"]");
		free(unk);
		/* nothing stated: no saving at all */
		CHECK_INT(saving(t, "us-east-1", "[]", NULL), -1);
		CHECK_INT(saving(t, "us-east-1", "{\"item\":1}", NULL), -1);
		CHECK(price_saving(t, "us-east-1", NULL) == NULL);
	}

	TEST("negative quantities: what a fix adds") {
		/* a snapshot kept and nothing removed: -5.00 */
		CHECK_INT(saving(t, "us-east-1",
			      "[{\"item\":\"snapshot_gb\",\"class\":\"ebs\","
			      "\"qty\":-100}]",
			      NULL),
		    -500);
	}

	TEST("usage entries past the cap") {
		json_t *u = json_array(), *s;
		int i;

		for (i = 0; i < PRICE_MAX_USAGE + 5; i++)
			json_array_append_new(u, json_pack("{s:s,s:i}", "item",
						     "route53_zone", "qty", 1));
		s = price_saving(t, "us-east-1", u);
		CHECK(s != NULL);
		CHECK_INT(json_integer_value(json_object_get(s, "cents")),
		    PRICE_MAX_USAGE * 50);
		CHECK_INT(json_array_size(json_object_get(s, "unknown")), 1);
		CHECK_STR(json_string_value(json_object_get(s, "as_of")),
		    "2025-01-15");
		json_decref(s);
		json_decref(u);
	}

	TEST("price_usage_add: what playbooks write") {
		json_t *p = json_object(), *s;
		char *d;

		CHECK_INT(price_usage_add(p, "ebs_gb", "gp2", 8), FX_OK);
		CHECK_INT(price_usage_add(p, "snapshot_gb", "ebs", -8), FX_OK);
		CHECK_INT(price_usage_add(p, "eip_hour", NULL, PRICE_HOURS),
		    FX_OK);
		d = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
		CHECK_STR(d,
		    "{\"usage\":[{\"class\":\"gp2\",\"item\":\"ebs_gb\","
		    "\"qty\":8},{\"class\":\"ebs\",\"item\":\"snapshot_gb\","
		    "\"qty\":-8},{\"class\":null,\"item\":\"eip_hour\","
		    "\"qty\":730}]}");
		free(d);
		/* a fractional quantity stays a real */
		s = json_object();
		CHECK_INT(price_usage_add(s, "ebs_gb", "gp3", 0.5), FX_OK);
		d = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
		CHECK_STR(d, "{\"usage\":[{\"class\":\"gp3\",\"item\":"
			     "\"ebs_gb\",\"qty\":0.5}]}");
		free(d);
		json_decref(s);
		/* 8 x 0.10 - 8 x 0.05 + 3.65 = 4.05 */
		s = price_saving(t, "us-east-1", json_object_get(p, "usage"));
		CHECK_INT(json_integer_value(json_object_get(s, "cents")), 405);
		json_decref(s);
		json_object_set_new(p, "usage", json_string("x"));
		CHECK_INT(price_usage_add(p, "eip_hour", NULL, 1), FX_EINVAL);
		json_decref(p);
	}

	TEST("hostile or broken tables are refused, saying where") {
		refused("", "line");
		refused("[1]", "not a JSON object");
		refused("{\"currency\": \"USD\"}", "as_of");
		refused("{\"as_of\": \"15/01/2025\", \"currency\": \"USD\"}",
		    "as_of");
		refused("{\"as_of\": \"2025-01-15\", \"currency\": \"EUR\"}",
		    "currency");
		refused(HEAD "\"regions\": []}", "regions: must be an object");
		refused(HEAD "\"regions\": {}}", "default");
		refused(HEAD "\"regions\": {\"default\": 1}}",
		    "regions.default: must be an object");
		refused(HEAD "\"regions\": {\"default\": {\"eip_hour\": -1}}}",
		    "regions.default.eip_hour: must be a price");
		refused(HEAD "\"regions\": {\"default\": {\"eip_hour\": 1e7}}}",
		    "regions.default.eip_hour");
		refused(HEAD "\"regions\": {\"default\": {\"eip_hour\": "
			     "\"0.005\"}}}",
		    "regions.default.eip_hour");
		refused(HEAD "\"regions\": {\"default\": {\"ebs_gb\": "
			     "{\"gp2\": null}}}}",
		    "regions.default.ebs_gb: a price");
		refused(HEAD "\"regions\": {\"default\": {\"ebs_gb\": "
			     "{\"g p2\": 1}}}}",
		    "regions.default.ebs_gb: a class name");
		refused(HEAD "\"regions\": {\"default\": {\"a\\nb\": 1}}}",
		    "regions.default: an item name");
		refused(HEAD "\"regions\": {\"default\": {}, \"<x>\": {}}}",
		    "regions: a region name");
		refused(HEAD "\"regions\": {\"default\": {}}, \"as_of\": "
			     "\"2025-01-16\"}",
		    "duplicate");
	}

	TEST("the file: missing, too big, valid") {
		char dir[] = "/tmp/test_price.XXXXXX", path[128];
		struct buf why = BUF_INIT;
		struct price_table *u = NULL;
		FILE *f;
		int i;

		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof(path), "%s/p.json", dir);
		CHECK_INT(price_load(path, &u, &why), FX_ENOTFOUND);
		f = fopen(path, "w");
		CHECK(f != NULL);
		fputs(HEAD "\"note\": \"", f);
		for (i = 0; i < PRICE_MAX_FILE / 10 + 1; i++)
			fputs("xxxxxxxxxx", f);
		fputs("\", \"regions\": {\"default\": {}}}", f);
		fclose(f);
		CHECK_INT(price_load(path, &u, &why), FX_ECONFIG);
		CHECK(strstr(buf_str(&why), "larger than") != NULL);
		f = fopen(path, "w");
		fputs(HEAD "\"regions\": {\"default\": {\"eip_hour\": 0.01}}}",
		    f);
		fclose(f);
		CHECK_INT(price_load(path, &u, &why), FX_OK);
		CHECK(u != NULL &&
		      price_unit(u, "x-y-1", "eip_hour", NULL, &usd) &&
		      NEAR(usd, 0.01));
		price_free(u);
		unlink(path);
		rmdir(dir);
		buf_release(&why);
	}

	TEST("mutated tables: refused or sound, never a crash") {
		const char *src = getenv("FIXIT_SRC");
		char path[1024], *text;
		struct buf why = BUF_INIT;
		struct price_table *u;
		unsigned long seed = 16;
		json_t *usage, *sv;
		size_t len = 0, i;
		int k, ok = 0, bad = 0, sane = 1;
		FILE *f;

		snprintf(path, sizeof(path), "%s/deploy/prices.json",
		    src && *src ? src : "../..");
		text = NULL;
		if ((f = fopen(path, "rb")) != NULL) {
			text = malloc(PRICE_MAX_FILE);
			len = text ? fread(text, 1, PRICE_MAX_FILE, f) : 0;
			fclose(f);
		}
		CHECK(text != NULL && len > 0);
		usage = json_loads("[{\"item\":\"ebs_gb\",\"class\":\"gp3\","
				   "\"qty\":100},{\"item\":\"eip_hour\","
				   "\"qty\":730}]",
		    0, NULL);
		for (k = 0; text != NULL && k < 3000; k++) {
			char *m = malloc(len);

			memcpy(m, text, len);
			for (i = 0; i < 1 + (size_t)(k % 4); i++) {
				seed = seed * 1103515245 + 12345;
				m[(seed >> 8) % len] =
				    "0123456789-.\"{}[]:,e \\xA"[(seed >> 20) %
								 24];
			}
			u = NULL;
			if (price_parse(m, len, &u, &why) == FX_OK) {
				ok++;
				if (price_unit(u, "eu-west-1", "ebs_gb", "gp3",
					&usd))
					sane &=
					    usd >= 0 && usd < PRICE_MAX_UNIT;
				sv = price_saving(u, "eu-west-1", usage);
				sane &= sv != NULL;
				json_decref(sv);
				price_free(u);
			} else {
				bad++;
				sane &= why.len > 0 && u == NULL;
			}
			free(m);
		}
		printf("  %d mutations accepted, %d refused\n", ok, bad);
		CHECK(sane);
		CHECK(bad > 0);
		json_decref(usage);
		free(text);
		buf_release(&why);
	}

	price_free(t);
	price_free(NULL);
	return TEST_REPORT();
}
