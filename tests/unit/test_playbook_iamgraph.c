/*
 * test_playbook_iamgraph.c - iam-admin-paths' evaluator and graph on
 * fixtures: the statement rules (array or object, wildcards, NotAction,
 * Condition, Deny beats Allow, probe resources), trust policies, the
 * URL-decoding of IAM's documents, the reduced document (the
 * remediation's policy diff), and a fixture account with a known 3-hop
 * path (instance profile -> role -> role -> admin) beside decoys that
 * are no path: a trust whose Condition blocks, a trust the other side
 * holds no sts:AssumeRole for, a Deny, a permissions boundary, and a
 * path longer than max_hops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pb_iam_graph.h"
#include "pb_iam_policy.h"
#include "testhelp.h"

#define ACCT   "111122223333"
#define ARN(n) "arn:aws:iam::" ACCT ":role/" n

static json_t *
js(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	if (j == NULL)
		fprintf(stderr, "bad fixture json: %s\n", text);
	return j;
}

static uint32_t
allow_of(const char *text)
{
	struct pb_iam_pol p;
	json_t *d = js(text);
	uint32_t a = 0;

	if (pb_iam_pol_eval(d, ACCT, &p) == FX_OK)
		a = p.allow & ~p.deny;
	pb_iam_pol_release(&p);
	json_decref(d);
	return a;
}

#define B(a) pb_iam_admin_bit(a)

static void
test_eval(void)
{
	TEST("evaluator: statement shapes and wildcards") {
		CHECK(
		    allow_of("{\"Statement\": {\"Effect\": \"Allow\", "
			     "\"Action\": \"iam:*\", \"Resource\": \"*\"}}") ==
		    PB_IAM_ALL);
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"Action\": \"*\", \"Resource\": \"*\"}]}") ==
		      PB_IAM_ALL);
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"Action\": [\"s3:GetObject\", \"IAM:put*\"], "
			       "\"Resource\": \"*\"}]}") ==
		      (B("iam:PutRolePolicy") | B("iam:PutUserPolicy") |
			  B("iam:PutGroupPolicy")));
		/* NotAction s3:* grants IAM */
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"NotAction\": \"s3:*\", \"Resource\": "
			       "\"*\"}]}") == PB_IAM_ALL);
		/* one named role is no admin power */
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"Action\": \"iam:PutRolePolicy\", "
			       "\"Resource\": \"" ARN("one") "\"}]}") == 0);
		/* every role is */
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"Action\": \"iam:PutRolePolicy\", "
			       "\"Resource\": \"arn:aws:iam::*:role/*\"}]}") ==
		      B("iam:PutRolePolicy"));
		/* a Condition restricts: no grant */
		CHECK(allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			       "\"Action\": \"iam:*\", \"Resource\": \"*\", "
			       "\"Condition\": {\"Bool\": "
			       "{\"aws:MultiFactorAuthPresent\": "
			       "\"true\"}}}]}") == 0);
		/* Deny beats Allow, with or without a condition */
		CHECK(
		    allow_of("{\"Statement\": [{\"Effect\": \"Allow\", "
			     "\"Action\": \"iam:*\", \"Resource\": \"*\"}, "
			     "{\"Effect\": \"Deny\", \"Action\": "
			     "\"iam:Create*\", \"Resource\": \"*\", "
			     "\"Condition\": {\"Bool\": {\"x\": \"y\"}}}]}") ==
		    (PB_IAM_ALL &
			~(B("iam:CreatePolicy") | B("iam:CreatePolicyVersion") |
			    B("iam:CreateUser") | B("iam:CreateAccessKey") |
			    B("iam:CreateLoginProfile"))));
		CHECK(allow_of(
			  "{\"Statement\": [{\"Effect\": \"Allow\", "
			  "\"Action\": \"s3:*\", \"Resource\": \"*\"}]}") == 0);
		CHECK(allow_of("{\"Statement\": \"nonsense\"}") == 0);
	}
	TEST("evaluator: URL-decoded documents") {
		json_t *d = NULL;

		CHECK(pb_iam_doc("%7B%22Version%22%3A%222012-10-17%22%2C%22"
				 "Statement%22%3A%5B%5D%7D",
			  &d) == FX_OK);
		CHECK_STR(json_string_value(json_object_get(d, "Version")),
		    "2012-10-17");
		json_decref(d);
		CHECK(pb_iam_doc("{\"a\": 1}", &d) == FX_OK);
		json_decref(d);
		CHECK(pb_iam_doc("%5B1%5D", &d) == FX_EINVAL);
		CHECK(d == NULL);
		CHECK(pb_iam_glob("iam:Put*", "IAM:PUTROLEPOLICY", 1));
		CHECK(!pb_iam_glob("iam:Put*", "IAM:PUTROLEPOLICY", 0));
		CHECK(pb_iam_glob("a*b?d", "axxbcd", 0));
		CHECK(!pb_iam_glob("a*b?d", "axxbd", 0));
	}
	TEST("evaluator: trust policies") {
		struct pb_iam_trust t;
		json_t *d = js(
		    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
		    "{\"AWS\": [\"" ACCT "\", \"" ARN(
			"x") "\"], \"Service\": "
			     "\"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}, "
			     "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, "
			     "\"Action\": \"sts:AssumeRole\", \"Condition\": "
			     "{\"StringEquals\": {\"sts:ExternalId\": \"e\"}}}]}");

		CHECK(pb_iam_trust_eval(d, &t) == FX_OK);
		CHECK(pb_iam_trust_aws(&t, ARN("any"), ACCT));
		CHECK(!pb_iam_trust_aws(&t, "arn:aws:iam::999988887777:role/x",
		    "999988887777"));
		CHECK(pb_iam_trust_service(&t, "ec2.amazonaws.com"));
		CHECK(!(t.flags & PB_IAM_TRUST_ANY));
		CHECK(t.conditional == 1);
		pb_iam_trust_release(&t);
		json_decref(d);
	}
}

/* the remediation's diff */
static void
test_reduce(void)
{
	TEST("reduce: named actions dropped, wildcards denied") {
		json_t *d =
		    js("{\"Version\": \"2012-10-17\", \"Statement\": ["
		       "{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": "
		       "[\"s3:GetObject\", \"iam:PutRolePolicy\", "
		       "\"iam:AttachRolePolicy\"], \"Resource\": \"*\"},"
		       "{\"Sid\": \"B\", \"Effect\": \"Allow\", \"Action\": "
		       "\"iam:CreateUser\", \"Resource\": \"*\"},"
		       "{\"Sid\": \"C\", \"Effect\": \"Allow\", \"Action\": "
		       "\"iam:Get*\", \"Resource\": \"*\"}]}");
		uint32_t rm = B("iam:PutRolePolicy") | B("iam:CreateUser");
		json_t *r = pb_iam_pol_reduce(d, ACCT, rm), *st;
		char *txt;

		CHECK(r != NULL);
		st = json_object_get(r, "Statement");
		CHECK(json_array_size(st) == 2); /* B went */
		txt = json_dumps(json_array_get(st, 0), JSON_COMPACT);
		CHECK_STR(txt, "{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":"
			       "[\"s3:GetObject\",\"iam:AttachRolePolicy\"],"
			       "\"Resource\":\"*\"}");
		free(txt);
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(st, 1), "Sid")),
		    "C");
		json_decref(r);

		/* iam:* stays, a Deny of exactly the unused ones is added */
		json_decref(d);
		d = js("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": "
		       "\"iam:*\", \"Resource\": \"*\"}}");
		r = pb_iam_pol_reduce(d, ACCT, rm);
		st = json_object_get(r, "Statement");
		CHECK(json_array_size(st) == 2);
		txt = json_dumps(json_array_get(st, 1), JSON_COMPACT);
		CHECK_STR(txt, "{\"Sid\":\"" PB_IAM_DENY_SID
			       "\",\"Effect\":\"Deny\",\"Action\":"
			       "[\"iam:PutRolePolicy\",\"iam:CreateUser\"],"
			       "\"Resource\":\"*\"}");
		free(txt);
		txt = json_dumps(r, 0);
		CHECK(allow_of(txt) == (PB_IAM_ALL & ~rm));
		free(txt);
		/* a second reduction extends the same Deny */
		{
			json_t *r2 = pb_iam_pol_reduce(r, ACCT,
			    B("iam:CreateAccessKey"));

			CHECK(json_array_size(
				  json_object_get(r2, "Statement")) == 2);
			CHECK(
			    json_array_size(json_object_get(
				json_array_get(json_object_get(r2, "Statement"),
				    1),
				"Action")) == 3);
			json_decref(r2);
		}
		json_decref(r);
		json_decref(d);
	}
}

static const char *const ec2_trust =
    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
    "{\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}";

static const char *role_acct = ACCT; /* the account role() adds to */

static fx_err
role(struct pb_iam_graph *g, const char *name, const char *trust,
    const char *inl, size_t *idx)
{
	char arn[128];
	json_t *t = trust ? js(trust) : NULL, *p = inl ? js(inl) : NULL;
	fx_err rc;

	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:role/%s", role_acct, name);
	rc = pb_iam_graph_role(g, name, arn, "2020-01-01T00:00:00Z", t, NULL,
	    idx);
	if (rc == FX_OK && p != NULL)
		rc = pb_iam_graph_inline(g, *idx, "p", p);
	json_decref(t);
	json_decref(p);
	return rc;
}

static char *
trust_of(const char *who, const char *cond)
{
	char *s = malloc(512);

	snprintf(s, 512,
	    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
	    "{\"AWS\": \"%s\"}, \"Action\": \"sts:AssumeRole\"%s}]}",
	    who, cond ? cond : "");
	return s;
}

static char *
assume_of(const char *target)
{
	char *s = malloc(512);

	snprintf(s, 512,
	    "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
	    "\"sts:AssumeRole\", \"Resource\": \"%s\"}]}",
	    target);
	return s;
}

static const char *const admin_pol = "{\"Statement\": [{\"Effect\": "
				     "\"Allow\", \"Action\": \"iam:*\", "
				     "\"Resource\": \"*\"}]}";

static void
test_graph(void)
{
	TEST("graph: the 3-hop path and the decoys") {
		struct pb_iam_graph *g = NULL;
		struct pb_iam_limits lim;
		struct pb_iam_hit *hits = NULL;
		size_t nh = 0, app, mid, adm, cnd, unu, lone, far1, far2, far3,
		       den;
		char *t1, *a1, *t2, *a2, *t3, *t4, *t5;
		json_t *chain, *pd;
		struct pb_iam_grant gr;

		CHECK(pb_iam_graph_new(ACCT, &g) == FX_OK);
		a1 = assume_of("arn:aws:iam::" ACCT ":role/adm*");
		CHECK(role(g, "app", ec2_trust, a1, &app) == FX_OK);
		CHECK(pb_iam_graph_profile(g, app, "app-profile") == FX_OK);
		t1 = trust_of(ARN("app"), NULL);
		a2 = assume_of("arn:aws:iam::" ACCT ":role/adm*");
		CHECK(role(g, "mid", t1, a2, &mid) == FX_OK);
		t2 = trust_of(ACCT, NULL);
		CHECK(role(g, "admin", t2, NULL, &adm) == FX_OK);
		pd = js(admin_pol);
		CHECK(pb_iam_graph_policy(g, "arn:aws:iam::aws:policy/IAMFull",
			  "IAMFull", "v1", 3, 1, pd) == FX_OK);
		json_decref(pd);
		CHECK(pb_iam_graph_attach(g, adm,
			  "arn:aws:iam::aws:policy/IAMFull") == FX_OK);
		/* decoy 1: admin-cond trusts app only with an ExternalId */
		t3 = trust_of(ARN("app"), ", \"Condition\": {\"StringEquals\": "
					  "{\"sts:ExternalId\": \"x\"}}");
		CHECK(role(g, "admin-cond", t3, admin_pol, &cnd) == FX_OK);
		/* decoy 2: unused trust: trusts app, app cannot assume */
		t4 = trust_of(ARN("app"), NULL);
		CHECK(role(g, "ops-unused", t4, admin_pol, &unu) == FX_OK);
		/* decoy 3: an admin nobody's compute carries */
		CHECK(role(g, "admin-lone", NULL, admin_pol, &lone) == FX_OK);
		/* decoy 4: a Deny takes the admin actions away */
		CHECK(role(g, "web", ec2_trust,
			  "{\"Statement\": [{\"Effect\": \"Allow\", "
			  "\"Action\": \"iam:*\", \"Resource\": \"*\"}, "
			  "{\"Effect\": \"Deny\", \"Action\": \"iam:*\", "
			  "\"Resource\": \"*\"}]}",
			  &den) == FX_OK);
		CHECK(pb_iam_graph_profile(g, den, "web-profile") == FX_OK);
		/* decoy 5: 5 hops: far1 -> far2 -> far3 -> admin-far */
		{
			char *x1 = assume_of(ARN("far2")),
			     *x2 = assume_of(ARN("far3")),
			     *x3 = assume_of(ARN("admin-far")),
			     *y2 = trust_of(ARN("far1"), NULL),
			     *y3 = trust_of(ARN("far2"), NULL);
			size_t af;

			t5 = trust_of(ARN("far3"), NULL);
			CHECK(role(g, "far1", ec2_trust, x1, &far1) == FX_OK);
			CHECK(pb_iam_graph_profile(g, far1, "far") == FX_OK);
			CHECK(role(g, "far2", y2, x2, &far2) == FX_OK);
			CHECK(role(g, "far3", y3, x3, &far3) == FX_OK);
			CHECK(
			    role(g, "admin-far", t5, admin_pol, &af) == FX_OK);
			free(x1);
			free(x2);
			free(x3);
			free(y2);
			free(y3);
		}
		pb_iam_limits_default(&lim);
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 1);
		CHECK(nh >= 1 && hits[0].role == adm && hits[0].hops == 3);
		CHECK(pb_iam_graph_truncated(g) == NULL);
		chain = pb_iam_graph_chain(g, adm);
		CHECK(json_array_size(chain) == 3);
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 0),
				  "from")),
		    "instance profile app-profile");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 1), "to")),
		    "role admin");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 1), "how")),
		    "sts:AssumeRole");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 2), "to")),
		    "IAM admin");
		json_decref(chain);
		CHECK(pb_iam_graph_grant(g, adm, 0, &gr));
		CHECK(gr.kind == PB_IAM_AWS && gr.allow == PB_IAM_ALL &&
		      gr.attachments == 3);
		CHECK(!pb_iam_graph_grant(g, adm, 1, &gr));
		free(hits);
		hits = NULL;

		/* max_hops 5 reaches admin-far too */
		lim.max_hops = 5;
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 2);
		free(hits);
		hits = NULL;
		/* max_hops 2: nothing */
		lim.max_hops = 2;
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 0);
		free(hits);
		hits = NULL;
		/* a permissions boundary without IAM on the admin role
		 * takes its power away */
		lim.max_hops = 4;
		pd = js("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
			"\"s3:*\", \"Resource\": \"*\"}]}");
		CHECK(
		    pb_iam_graph_policy(g, "arn:aws:iam::" ACCT ":policy/bound",
			"bound", "v1", 1, 1, pd) == FX_OK);
		json_decref(pd);
		CHECK(pb_iam_graph_boundary(g, adm,
			  "arn:aws:iam::" ACCT ":policy/bound") == FX_OK);
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 0);
		free(hits);
		(void)cnd;
		(void)unu;
		(void)lone;
		(void)far2;
		(void)far3;
		free(t1);
		free(t2);
		free(t3);
		free(t4);
		free(t5);
		free(a1);
		free(a2);
		pb_iam_graph_free(g);
	}
}

static const char *const lambda_trust =
    "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": "
    "{\"Service\": \"lambda.amazonaws.com\"}, \"Action\": "
    "\"sts:AssumeRole\"}]}";

/* the first hop's "from" of role's chain (a new string) */
static char *
entry_from(const struct pb_iam_graph *g, size_t role)
{
	json_t *chain = pb_iam_graph_chain(g, role);
	const char *s = json_string_value(
	    json_object_get(json_array_get(chain, 0), "from"));
	char *out = strdup(s ? s : "");

	json_decref(chain);
	return out;
}

static void
test_lambda(void)
{
	TEST("graph: a Lambda role is compute when a function runs as it") {
		struct pb_iam_graph *g = NULL;
		struct pb_iam_limits lim;
		struct pb_iam_hit *hits = NULL;
		size_t nh = 0, used, idle, i;
		int seen_used = 0, seen_idle = 0;
		char *from;

		CHECK(pb_iam_graph_new(ACCT, &g) == FX_OK);
		CHECK(role(g, "fn-used", lambda_trust, admin_pol, &used) ==
		      FX_OK);
		CHECK(role(g, "fn-idle", lambda_trust, admin_pol, &idle) ==
		      FX_OK);
		pb_iam_limits_default(&lim);
		/* functions unknown: both are entries, by their trust */
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 2);
		from = entry_from(g, idle);
		CHECK(strstr(from, "not listed") != NULL);
		free(from);
		free(hits);
		hits = NULL;
		/* listed: only the role a function runs as */
		pb_iam_graph_lambda(g, 1);
		CHECK(pb_iam_graph_function(g, ARN("fn-used"), "billing") ==
		      FX_OK);
		/* another account's role, and none: ignored */
		CHECK(pb_iam_graph_function(g,
			  "arn:aws:iam::999988887777:role/fn-idle",
			  "other") == FX_OK);
		CHECK(pb_iam_graph_function(g, NULL, "x") == FX_OK);
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		for (i = 0; i < nh; i++) {
			seen_used |= hits[i].role == used;
			seen_idle |= hits[i].role == idle;
		}
		CHECK(nh == 1 && seen_used && !seen_idle);
		from = entry_from(g, used);
		CHECK_STR(from, "Lambda function billing");
		free(from);
		free(hits);
		pb_iam_graph_free(g);
	}
}

#define OTHER	"444455556666"
#define OARN(n) "arn:aws:iam::" OTHER ":role/" n

static void
test_cross(void)
{
	TEST("graph: compute in account B reaches admin in account A") {
		struct pb_iam_graph *g = NULL;
		struct pb_iam_limits lim;
		struct pb_iam_hit *hits = NULL;
		size_t nh = 0, ax, ay, web, bx, bad, i;
		char *tb, *aw, *tw;
		json_t *chain;

		CHECK(pb_iam_graph_new(ACCT, &g) == FX_OK);
		tb = trust_of(OTHER, NULL); /* account B's root */
		CHECK(role(g, "admin-x", tb, admin_pol, &ax) == FX_OK);
		CHECK(role(g, "admin-y", tb, admin_pol, &ay) == FX_OK);
		/* account B: web may assume admin-x (not admin-y); b-admin
		 * is B's own admin, and its name repeats one of A's */
		CHECK(pb_iam_graph_account(g, OTHER) == FX_OK);
		role_acct = OTHER;
		aw = assume_of(ARN("admin-x"));
		CHECK(role(g, "web", ec2_trust, aw, &web) == FX_OK);
		CHECK(pb_iam_graph_profile(g, web, "web-profile") == FX_OK);
		tw = trust_of(OARN("web"), NULL);
		CHECK(role(g, "admin-x", tw, admin_pol, &bx) == FX_OK);
		CHECK(role(g, "b-admin", tw, admin_pol, &bad) == FX_OK);
		CHECK(pb_iam_graph_account(g, ACCT) == FX_OK);
		role_acct = ACCT;
		/* the own account's names only */
		CHECK(pb_iam_graph_find(g, "admin-x", &i) && i == ax);
		CHECK(!pb_iam_graph_find(g, "web", &i));
		CHECK_STR(pb_iam_graph_account_of(g, web), OTHER);
		pb_iam_limits_default(&lim);
		CHECK(pb_iam_graph_solve(g, &lim, &hits, &nh) == FX_OK);
		CHECK(nh == 1 && hits[0].role == ax && hits[0].hops == 3);
		chain = pb_iam_graph_chain(g, ax);
		CHECK(json_array_size(chain) == 3);
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 0),
				  "from")),
		    "instance profile web-profile (account " OTHER ")");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 1),
				  "from")),
		    "role web (account " OTHER ")");
		CHECK_STR(json_string_value(
			      json_object_get(json_array_get(chain, 1), "to")),
		    "role admin-x");
		json_decref(chain);
		free(hits);
		(void)ay;
		free(tb);
		free(aw);
		free(tw);
		pb_iam_graph_free(g);
	}
}

int
main(void)
{
	test_eval();
	test_reduce();
	test_graph();
	test_lambda();
	test_cross();
	return TEST_REPORT();
}
