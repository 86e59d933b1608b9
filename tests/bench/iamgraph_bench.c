/*
 * iamgraph_bench.c - iam-admin-paths' evaluator and graph on a synthetic
 * large account (not a test: a figure for the README's Performance
 * section).
 *
 *   iamgraph_bench [ROLES [POLICIES [SEED]]]    default 5000 20000 1
 *
 * The account: POLICIES customer managed policies of 1 to 4 statements
 * (reads of s3/ec2/dynamodb, some IAM writes, some with a Condition, some
 * Deny, sts:AssumeRole on a team's roles "team-N-*", iam:PassRole with
 * ec2:RunInstances), ROLES roles with 3 attached policies and one inline
 * policy each, trust policies of EC2 (with an instance profile), Lambda,
 * one other role, the account root or nobody. Every document goes
 * through what the playbook does with IAM's answer: URL-encoded text,
 * decoded, parsed, evaluated (pb_iam_doc, pb_iam_pol_eval), then the
 * graph is built and searched (pb_iam_graph_solve, max_hops 4). Times
 * are wall-clock (monotonic) milliseconds of each phase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxtime.h"
#include "fxutil.h"
#include "pb_iam_graph.h"
#include "pb_iam_policy.h"

#define ACCT  "123456789012"
#define TEAMS 200

static uint64_t rng = 1;
static int failed; /* a buffer append failed: the account is not whole */

static void
ok(fx_err rc)
{
	if (rc != FX_OK)
		failed = 1;
}

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng >> 33) % n);
}

static const char *const reads[] = { "s3:GetObject", "s3:ListBucket",
	"ec2:Describe*", "dynamodb:GetItem", "logs:PutLogEvents",
	"sqs:SendMessage", "kms:Decrypt", "cloudwatch:PutMetricData" };

/* one statement of a synthetic policy, appended to b */
static void
statement(struct buf *b, int first)
{
	unsigned k = rnd(100);
	if (!first)
		ok(buf_addc(b, ','));
	if (k < 60)
		ok(buf_addf(b,
		    "{\"Effect\":\"Allow\",\"Action\":[\"%s\",\"%s\"],"
		    "\"Resource\":\"arn:aws:s3:::bucket-%u/*\"}",
		    reads[rnd(8)], reads[rnd(8)], rnd(1000)));
	else if (k < 75)
		ok(buf_addf(b,
		    "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
		    "\"Resource\":\"arn:aws:iam::" ACCT ":role/team-%u-*\"}",
		    rnd(TEAMS)));
	else if (k < 82)
		ok(buf_addf(b,
		    "{\"Effect\":\"Allow\",\"Action\":[\"iam:PassRole\","
		    "\"ec2:RunInstances\"],\"Resource\":\"arn:aws:iam::" ACCT
		    ":role/team-%u-*\"}",
		    rnd(TEAMS)));
	else if (k < 88)
		ok(buf_addf(b,
		    "{\"Effect\":\"Allow\",\"Action\":\"iam:Put*\","
		    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
		    "{\"aws:RequestedRegion\":\"eu-west-%u\"}}}",
		    rnd(3)));
	else if (k < 91)
		ok(buf_adds(b, "{\"Effect\":\"Allow\",\"Action\":[\"iam:"
			       "PutRolePolicy\",\"iam:AttachRolePolicy\"],"
			       "\"Resource\":\"*\"}"));
	else if (k < 95)
		ok(buf_adds(b, "{\"Effect\":\"Deny\",\"Action\":\"iam:*\","
			       "\"Resource\":\"*\"}"));
	else
		ok(buf_addf(b,
		    "{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\","
		    "\"Resource\":\"arn:aws:dynamodb:*:*:table/t%u\"}",
		    rnd(1000)));
}

/* a policy document as IAM returns it: URL-encoded JSON */
static char *
policy_text(void)
{
	struct buf b = BUF_INIT, e = BUF_INIT;
	unsigned n = 1 + rnd(4), i;

	buf_init(&b, 1 << 20);
	buf_init(&e, 1 << 20);
	ok(buf_adds(&b, "{\"Version\":\"2012-10-17\",\"Statement\":["));
	for (i = 0; i < n; i++)
		statement(&b, i == 0);
	ok(buf_adds(&b, "]}"));
	ok(buf_add_uri(&e, buf_str(&b), b.len, 0));
	buf_release(&b);
	return buf_detach(&e);
}

static char *
trust_text(unsigned role, int *profile)
{
	struct buf b = BUF_INIT, e = BUF_INIT;
	unsigned k = rnd(100);

	buf_init(&b, 4096);
	buf_init(&e, 4096);
	*profile = 0;
	ok(buf_adds(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[{"
			"\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\","
			"\"Principal\":"));
	if (k < 40) {
		ok(buf_adds(&b, "{\"Service\":\"ec2.amazonaws.com\"}"));
		*profile = 1;
	} else if (k < 60)
		ok(buf_adds(&b, "{\"Service\":\"lambda.amazonaws.com\"}"));
	else if (k < 85)
		ok(buf_addf(&b,
		    "{\"AWS\":\"arn:aws:iam::" ACCT ":role/team-%u-r%u\"}",
		    rnd(TEAMS), rnd(role + 1)));
	else if (k < 95)
		ok(buf_adds(&b, "{\"AWS\":\"arn:aws:iam::" ACCT ":root\"}"));
	else
		ok(buf_adds(&b, "{\"AWS\":\"arn:aws:iam::999988887777:root\"},"
				"\"Condition\":{\"StringEquals\":"
				"{\"sts:ExternalId\":\"x\"}}"));
	ok(buf_adds(&b, "}]}"));
	ok(buf_add_uri(&e, buf_str(&b), b.len, 0));
	buf_release(&b);
	return buf_detach(&e);
}

int
main(int argc, char **argv)
{
	int64_t nroles = 5000, npol = 20000, seed = 1, t0, t1, t2;
	struct pb_iam_graph *g = NULL;
	struct pb_iam_limits lim;
	struct pb_iam_hit *hits = NULL;
	char **ptext, **ttext, **itext, name[64], arn[128];
	int *prof;
	size_t nh = 0, idx, bytes = 0;
	json_t *d;
	int64_t i, j;

	if ((argc > 1 && fx_strtoll(argv[1], 1, 1000000, &nroles) != FX_OK) ||
	    (argc > 2 && fx_strtoll(argv[2], 1, 10000000, &npol) != FX_OK) ||
	    (argc > 3 && fx_strtoll(argv[3], 0, INT64_MAX, &seed) != FX_OK)) {
		fprintf(stderr, "usage: iamgraph_bench [ROLES [POLICIES "
				"[SEED]]]\n");
		return 2;
	}
	rng = (uint64_t)seed;
	ptext = calloc((size_t)npol, sizeof(*ptext));
	ttext = calloc((size_t)nroles, sizeof(*ttext));
	itext = calloc((size_t)nroles, sizeof(*itext));
	prof = calloc((size_t)nroles, sizeof(*prof));
	if (!ptext || !ttext || !itext || !prof)
		return 1;
	for (i = 0; i < npol; i++) {
		ptext[i] = policy_text();
		bytes += strlen(ptext[i]);
	}
	for (i = 0; i < nroles; i++) {
		ttext[i] = trust_text((unsigned)i, &prof[i]);
		itext[i] = policy_text();
		bytes += strlen(ttext[i]) + strlen(itext[i]);
	}

	if (failed) {
		fprintf(stderr, "iamgraph_bench: a document did not fit\n");
		return 1;
	}
	t0 = fx_mono_ms();
	if (pb_iam_graph_new(ACCT, &g) != FX_OK)
		return 1;
	for (i = 0; i < npol; i++) {
		if (pb_iam_doc(ptext[i], &d) != FX_OK)
			return 1;
		snprintf(name, sizeof(name), "p%lld", (long long)i);
		snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCT ":policy/%s",
		    name);
		if (pb_iam_graph_policy(g, arn, name, "v1", 1, 1, d) != FX_OK)
			return 1;
		json_decref(d);
	}
	for (i = 0; i < nroles; i++) {
		snprintf(name, sizeof(name), "team-%u-r%lld",
		    (unsigned)(i % TEAMS), (long long)i);
		snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCT ":role/%s",
		    name);
		if (pb_iam_doc(ttext[i], &d) != FX_OK ||
		    pb_iam_graph_role(g, name, arn, "2020-01-01T00:00:00Z", d,
			NULL, &idx) != FX_OK)
			return 1;
		json_decref(d);
		if (pb_iam_doc(itext[i], &d) != FX_OK ||
		    pb_iam_graph_inline(g, idx, "inline", d) != FX_OK)
			return 1;
		json_decref(d);
		for (j = 0; j < 3; j++) {
			snprintf(arn, sizeof(arn),
			    "arn:aws:iam::" ACCT ":policy/p%u",
			    rnd((unsigned)npol));
			if (pb_iam_graph_attach(g, idx, arn) != FX_OK)
				return 1;
		}
		if (prof[i] && pb_iam_graph_profile(g, idx, name) != FX_OK)
			return 1;
	}
	t1 = fx_mono_ms();
	pb_iam_limits_default(&lim);
	if (pb_iam_graph_solve(g, &lim, &hits, &nh) != FX_OK)
		return 1;
	t2 = fx_mono_ms();
	printf("roles %lld, managed policies %lld, inline policies %lld, "
	       "document bytes %zu\n",
	    (long long)nroles, (long long)npol, (long long)nroles, bytes);
	printf("decode+parse+evaluate+load: %lld ms\n", (long long)(t1 - t0));
	printf("build hops+search (max_hops %d): %lld ms\n", lim.max_hops,
	    (long long)(t2 - t1));
	printf("total: %lld ms; hops %zu, admin roles reached %zu, "
	       "truncated %s\n",
	    (long long)(t2 - t0), pb_iam_graph_nedges(g), nh,
	    pb_iam_graph_truncated(g) ? pb_iam_graph_truncated(g) : "no");
	for (i = 0; i < npol; i++)
		free(ptext[i]);
	for (i = 0; i < nroles; i++) {
		free(ttext[i]);
		free(itext[i]);
	}
	free(ptext);
	free(ttext);
	free(itext);
	free(prof);
	free(hits);
	pb_iam_graph_free(g);
	return 0;
}
