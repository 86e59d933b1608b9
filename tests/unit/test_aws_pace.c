/*
 * test_aws_pace.c - the token buckets of AWS's documented rates, on a
 * clock the test drives (no sleeping, nothing timed).
 */
#include <stdint.h>

#include "aws_pace.h"
#include "testhelp.h"

#define T0 ((int64_t)1000000)

/* calls at now that go out at once (wait 0), up to max */
static int
burst(struct aws_pace *p, enum aws_svc svc, const char *action,
    const char *acct, const char *region, int64_t now, int max)
{
	int n = 0;

	while (n < max && aws_pace_take(p, svc, action, acct, region, now) == 0)
		n++;
	return n;
}

int
main(void)
{
	struct aws_pace *p = NULL;
	const struct aws_rate *r;
	int64_t w, now = T0;
	int i;

	TEST("the table: documented rates") {
		r = aws_pace_rate(AWS_CLOUDTRAIL, "LookupEvents");
		CHECK(r != NULL && r->burst == 2 && r->per_s == 2);
		r = aws_pace_rate(AWS_EC2, "DescribeVolumes");
		CHECK(r != NULL && r->burst == 100 && r->per_s == 20 &&
		      r->per_action);
		r = aws_pace_rate(AWS_EC2, "CreateTags");
		CHECK(r != NULL && r->burst == 50 && r->per_s == 5);
		r = aws_pace_rate(AWS_ROUTE53, "GET /2013-04-01/hostedzone");
		CHECK(r != NULL && r->per_s == 5 && !r->per_action);
		r = aws_pace_rate(AWS_RDS, "DescribeDBInstances");
		CHECK(r != NULL && r->burst == 300 && r->per_s == 12);
		CHECK(aws_pace_rate(AWS_S3, "HeadBucket") == NULL);
	}

	CHECK(aws_pace_new(10000, &p) == FX_OK);
	if (p == NULL)
		return TEST_REPORT();

	TEST("LookupEvents: a burst of 2, then one every 500 ms") {
		CHECK_INT(burst(p, AWS_CLOUDTRAIL, "LookupEvents", "111",
			      "eu-west-1", now, 50),
		    2);
		/* the third call was reserved: it waits for its token */
		CHECK_INT(aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents",
			      "111", "eu-west-1", now),
		    1000);
		/* queued callers are served in order, 500 ms apart */
		CHECK_INT(aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents",
			      "111", "eu-west-1", now),
		    1500);
		/* 10 s later the bucket is full again, not fuller */
		now += 10000;
		CHECK_INT(burst(p, AWS_CLOUDTRAIL, "LookupEvents", "111",
			      "eu-west-1", now, 50),
		    2);
	}

	TEST("a steady caller at the rate never waits") {
		now += 10000;
		for (i = 0, w = 0; i < 200; i++, now += 500)
			w += aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents",
			    "222", "eu-west-1", now);
		CHECK_INT(w, 0);
	}

	TEST("buckets per account, per region, per EC2 action") {
		now += 60000;
		CHECK_INT(burst(p, AWS_EC2, "DescribeVolumes", "333",
			      "eu-west-1", now, 500),
		    100);
		CHECK_INT(burst(p, AWS_EC2, "DescribeVolumes", "333",
			      "us-east-1", now, 500),
		    100);
		CHECK_INT(burst(p, AWS_EC2, "DescribeVolumes", "444",
			      "eu-west-1", now, 500),
		    100);
		CHECK_INT(burst(p, AWS_EC2, "DescribeAddresses", "333",
			      "eu-west-1", now, 500),
		    100);
		/* 20 a second refill */
		CHECK_INT(burst(p, AWS_EC2, "DescribeVolumes", "333",
			      "eu-west-1", now + 1000, 500),
		    19); /* one was reserved by the probe above */
	}

	TEST("global services: one bucket per account, whatever region") {
		now += 60000;
		CHECK_INT(burst(p, AWS_ROUTE53, "GET /a", "555", "eu-west-1",
			      now, 50),
		    5);
		CHECK(aws_pace_take(p, AWS_ROUTE53, "GET /b", "555",
			  "us-east-1", now) > 0);
		CHECK_INT(burst(p, AWS_ROUTE53, "GET /a", "666", "eu-west-1",
			      now, 50),
		    5);
	}

	TEST("waits are bounded by max_wait_ms") {
		now += 60000;
		for (i = 0, w = 0; i < 200; i++)
			w = aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents",
			    "777", "eu-west-1", now);
		CHECK_INT(w, 10000);
		/* the debt stopped at the bound: 10 s later it is paid */
		CHECK(aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents", "777",
			  "eu-west-1", now + 10000) <= 500);
	}

	TEST("not paced: S3, no pacer") {
		CHECK_INT(burst(p, AWS_S3, "HeadBucket", "888", "eu-west-1",
			      now, 1000),
		    1000);
		CHECK_INT(aws_pace_take(NULL, AWS_CLOUDTRAIL, "LookupEvents",
			      "888", "eu-west-1", now),
		    0);
	}

	TEST("idle buckets are dropped when the table fills") {
		now += 3600000;
		for (i = 0; i < AWS_PACE_MAX_BUCKETS + 100; i++) {
			char acct[16];

			snprintf(acct, sizeof(acct), "%012d", i);
			(void)aws_pace_take(p, AWS_CLOUDTRAIL, "LookupEvents",
			    acct, "eu-west-1", now + i * 1000);
		}
		CHECK(aws_pace_nbuckets(p) <= AWS_PACE_MAX_BUCKETS);
		CHECK(aws_pace_nbuckets(p) > 0);
	}

	aws_pace_free(p);
	return TEST_REPORT();
}
