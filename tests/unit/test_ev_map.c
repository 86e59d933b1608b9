/*
 * test_ev_map.c - ev_map on the samples in tests/data/evmap/ (a Security
 * Hub "Findings - Imported" event, Cloud Custodian webhook payloads for
 * ec2 and ebs), on variants built here (rule key candidates, statuses,
 * ARN forms, every Custodian resource type), on malformed payloads (whole
 * payload refused, caller's array untouched) and on hostile values
 * (control characters, huge strings, wrong types, UTF-8 cut). Every item
 * made is also run through sm_validate_item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev_map.h"
#include "fxerr.h"
#include "fxlimits.h"
#include "policy.h"
#include "sm.h"
#include "testhelp.h"
#include "banned.h"

#define ACCT	"111122223333"
#define I_WEB	"i-0a1b2c3d4e5f60718"

static const struct ev_map_entry entries[] = {
	{ "EC2.8", "ec2-imdsv1" },
	{ "EC2.12", "eip-unassociated" },
	{ "RDS.2", "rds-public" },
	{ "Route53.2", "route53-query-logging" },
	{ "acme-scanner/ebs/unencrypted-volume", "ebs-unencrypted" },
	{ "ec2-require-imdsv2", "ec2-imdsv1" },
	{ "ebs-unencrypted-volumes", "ebs-unencrypted" },
	{ "test-policy", "ec2-imdsv1" },
};
static const struct ev_map map = { entries,
	sizeof(entries) / sizeof(entries[0]) };

static json_t *
load(const char *name)
{
	char path[4096], rel[256];
	json_error_t e;
	json_t *j;

	snprintf(rel, sizeof(rel), "evmap/%s", name);
	th_data_path(path, sizeof(path), rel);
	if ((j = json_load_file(path, 0, &e)) == NULL)
		printf("  cannot load %s: %s\n", path, e.text);
	return j;
}

/* JSON text written with ' for " */
static json_t *
js(const char *text)
{
	json_error_t e;
	char *t = strdup(text), *c;
	json_t *j;

	for (c = t; c != NULL && *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	if ((j = json_loads(t ? t : "", 0, &e)) == NULL)
		printf("  bad test JSON: %s\n", e.text);
	free(t);
	return j;
}

/* a Security Hub event around findings (JSON text with ' for ") */
static json_t *
sh_event(const char *findings)
{
	struct buf b = BUF_INIT;
	json_t *j = NULL;

	buf_init(&b, 0);
	if (buf_addf(&b, "{'version':'0','id':'e1','detail-type':"
	    "'Security Hub Findings - Imported','source':'aws.securityhub',"
	    "'account':'" ACCT "','time':'2026-03-02T09:15:31Z',"
	    "'region':'eu-west-1','resources':[],"
	    "'detail':{'findings':[%s]}}", findings) == FX_OK)
		j = js(buf_str(&b));
	buf_release(&b);
	return j;
}

static const char *
sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* the item of items whose resource_id is rid, or NULL */
static json_t *
by_id(const json_t *items, const char *rid)
{
	size_t i;
	const char *s;

	for (i = 0; i < json_array_size(items); i++) {
		s = sget(json_array_get(items, i), "resource_id");
		if (s != NULL && strcmp(s, rid) == 0)
			return json_array_get(items, i);
	}
	return NULL;
}

/* every item, without _tags, passes sm_validate_item */
static void
all_valid(const json_t *items)
{
	static char acct[] = ACCT, names[5][32] = { "ec2-imdsv1",
		"eip-unassociated", "rds-public", "route53-query-logging",
		"ebs-unencrypted" };
	struct account a = { .id = acct };
	struct playbook pb[5];
	struct policy pol = { .accounts = &a, .naccounts = 1,
		.playbooks = pb, .nplaybooks = 5 };
	struct finding_in f;
	struct buf err = BUF_INIT;
	json_t *copy;
	size_t i;

	memset(pb, 0, sizeof(pb));
	for (i = 0; i < 5; i++)
		pb[i].name = names[i];
	buf_init(&err, 0);
	for (i = 0; i < json_array_size(items); i++) {
		copy = json_deep_copy(json_array_get(items, i));
		json_object_del(copy, "_tags");
		CHECK_INT(sm_validate_item(&pol, copy, i, &f, &err), FX_OK);
		if (err.len > 0)
			printf("    %s\n", buf_str(&err));
		buf_reset(&err);
		json_decref(copy);
	}
	buf_release(&err);
}

static void
test_sh_sample(void)
{
	json_t *ev = load("securityhub_imported.json");
	json_t *items = json_array(), *it, *d, *t;
	struct buf err = BUF_INIT;
	size_t skipped = 99;

	buf_init(&err, 0);
	CHECK(ev != NULL);
	CHECK_INT(evmap_securityhub(ev, &map, items, &skipped, &err), FX_OK);
	CHECK_STR(buf_str(&err), "");
	CHECK_INT(json_array_size(items), 8);
	CHECK_INT(skipped, 1);		/* S3.8 is not mapped */
	/* EC2.8, consolidated control finding, FAILED */
	it = by_id(items, I_WEB);
	CHECK(it != NULL);
	CHECK_STR(sget(it, "playbook"), "ec2-imdsv1");
	CHECK_STR(sget(it, "account_id"), ACCT);
	CHECK_STR(sget(it, "region"), "eu-west-1");
	CHECK_STR(sget(it, "resource_arn"),
	    "arn:aws:ec2:eu-west-1:111122223333:instance/" I_WEB);
	CHECK_STR(sget(it, "status"), "active");
	CHECK_STR(sget(it, "observed_at"), "2026-03-02T09:15:27.412Z");
	CHECK_STR(sget(it, "title"), "EC2 instances should use Instance "
	    "Metadata Service Version 2 (IMDSv2)");
	d = json_object_get(it, "details");
	CHECK_STR(sget(d, "source"), "securityhub");
	CHECK_STR(sget(d, "rule"), "EC2.8");
	CHECK_STR(sget(d, "severity"), "HIGH");
	CHECK_STR(sget(d, "product"), "Security Hub");
	CHECK_STR(sget(d, "resource_type"), "AwsEc2Instance");
	CHECK(strstr(sget(d, "finding_id"), "security-control/EC2.8/") != NULL);
	t = json_object_get(it, "_tags");
	CHECK_INT(json_object_size(t), 3);
	CHECK_STR(sget(t, "owner"), "alice@example.com");
	CHECK_STR(sget(t, "Name"), "web-frontend-1");
	/* EC2.12, legacy standard finding: ProductFields.ControlId */
	it = by_id(items, "eipalloc-0f1e2d3c4b5a69788");
	CHECK_STR(sget(it, "playbook"), "eip-unassociated");
	CHECK_STR(sget(it, "status"), "active");
	d = json_object_get(it, "details");
	CHECK_STR(sget(d, "rule"), "EC2.12");
	CHECK_STR(sget(d, "product"),
	    "arn:aws:securityhub:eu-west-1::product/aws/securityhub");
	CHECK(json_object_get(it, "_tags") == NULL);
	/* PASSED and ARCHIVED */
	CHECK_STR(sget(by_id(items, "i-07e6d5c4b3a291807"), "status"),
	    "resolved");
	CHECK_STR(sget(by_id(items, "i-0d4c3b2a1f0e9d8c7"), "status"),
	    "resolved");
	/* third-party finding, two Resources, key = GeneratorId itself */
	it = by_id(items, "vol-0123456789abcdef0");
	CHECK_STR(sget(it, "playbook"), "ebs-unencrypted");
	CHECK_STR(sget(it, "region"), "eu-central-1");
	CHECK_STR(sget(json_object_get(it, "_tags"), "owner"),
	    "bob@example.com");
	CHECK_STR(sget(json_object_get(it, "details"), "rule"),
	    "acme-scanner/ebs/unencrypted-volume");
	it = by_id(items, "vol-0fedcba9876543210");
	CHECK_STR(sget(it, "region"), "eu-central-1");	/* the finding's */
	CHECK_STR(sget(it, "observed_at"), "2026-03-02T09:15:00Z");
	CHECK(json_object_get(it, "_tags") == NULL);
	/* RDS DB name and Route 53 zone id out of their ARNs */
	it = by_id(items, "orders-db");
	CHECK_STR(sget(it, "resource_arn"),
	    "arn:aws:rds:eu-west-1:111122223333:db:orders-db");
	CHECK_STR(sget(it, "playbook"), "rds-public");
	it = by_id(items, "Z0123456789ABCDEFGHIJ");
	CHECK_STR(sget(it, "region"), "us-east-1");
	CHECK_STR(sget(it, "playbook"), "route53-query-logging");
	all_valid(items);
	json_decref(items);
	json_decref(ev);
	buf_release(&err);
}

/* a finding with the given key fields and Resources (' for ") */
#define FIND(extra, res) "{'Id':'f-1','AwsAccountId':'" ACCT "'," extra \
	",'Resources':[" res "]}"
#define RES(id) "{'Type':'Other','Id':'" id "'}"

/* run evmap_securityhub on sh_event(findings); items and rc out */
static fx_err
sh_run(const char *findings, json_t **items, size_t *skipped,
    struct buf *err)
{
	json_t *ev = sh_event(findings);
	fx_err rc;

	*items = json_array();
	buf_reset(err);
	rc = evmap_securityhub(ev, &map, *items, skipped, err);
	json_decref(ev);
	return rc;
}

static void
test_sh_variants(void)
{
	struct buf err = BUF_INIT;
	json_t *items = NULL, *it;
	size_t skipped, i;
	char many[40 * 48];

	buf_init(&err, 0);
	TEST("securityhub: rule key candidates and statuses") {
		CHECK_INT(sh_run(FIND("'GeneratorId':'x/y/v/1.0.0/EC2.8',"
		    "'Workflow':{'Status':'SUPPRESSED'}", RES("i-1")) ","
		    FIND("'GeneratorId':'x','Compliance':{'Status':"
		    "'NOT_AVAILABLE','SecurityControlId':'RDS.2'}",
		    RES("arn:aws:rds:eu-west-1:" ACCT ":db:a")) ","
		    FIND("'GeneratorId':'EC2.12','Compliance':"
		    "{'SecurityControlId':'Nope.1'}", RES("i-3")) ","
		    FIND("'GeneratorId':'nothing/here/'", RES("i-4")),
		    &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), 3);
		CHECK_INT(skipped, 1);
		it = by_id(items, "i-1");
		CHECK_STR(sget(it, "playbook"), "ec2-imdsv1");
		CHECK_STR(sget(it, "status"), "resolved");
		CHECK_STR(sget(it, "region"), "eu-west-1");	/* event */
		CHECK(json_object_get(it, "resource_arn") == NULL);
		CHECK_STR(sget(by_id(items, "a"), "status"), "resolved");
		CHECK_STR(sget(by_id(items, "i-3"), "playbook"),
		    "eip-unassociated");
		CHECK_STR(sget(by_id(items, "i-3"), "status"), "active");
		all_valid(items);
		json_decref(items);
	}
	TEST("securityhub: ARN forms") {
		CHECK_INT(sh_run(FIND("'GeneratorId':'EC2.8'",
		    RES("arn:aws:lambda:eu-west-1:" ACCT ":function:fn-1:7") ","
		    RES("arn:aws:elasticloadbalancing:eu-west-1:" ACCT
		    ":loadbalancer/app/alb-1/50dc6c495c0c9188") ","
		    RES("arn:aws:s3:::bucket-1") ","
		    RES("arn:aws:iam::" ACCT ":role/service-role/role-1") ","
		    RES("AWS::::Account:" ACCT) ","
		    RES("arn:aws:ec2:eu-west-1:" ACCT ":instance/") ","
		    RES("arn:aws:bad")), &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), 5);
		CHECK_INT(skipped, 2);
		CHECK(by_id(items, "fn-1") != NULL);
		CHECK(by_id(items, "alb-1") != NULL);
		CHECK(by_id(items, "bucket-1") != NULL);
		CHECK(by_id(items, "role-1") != NULL);
		it = by_id(items, "AWS::::Account:" ACCT);
		CHECK(it != NULL);
		CHECK(json_object_get(it, "resource_arn") == NULL);
		all_valid(items);
		json_decref(items);
	}
	TEST("securityhub: at most 32 resources a finding") {
		snprintf(many, sizeof(many), "{'Id':'f','AwsAccountId':'"
		    ACCT "','GeneratorId':'EC2.8','Resources':[");
		for (i = 0; i < 40; i++)
			snprintf(many + strlen(many), sizeof(many) -
			    strlen(many), "%s{'Id':'i-%zu'}", i ? "," : "", i);
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "]}");
		CHECK_INT(sh_run(many, &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), EVMAP_MAX_RESOURCES);
		CHECK_INT(skipped, 40 - EVMAP_MAX_RESOURCES);
		json_decref(items);
	}
	buf_release(&err);
}

typedef fx_err (*map_fn)(const json_t *, const struct ev_map *, json_t *,
    size_t *, struct buf *);

/* fn refuses in (stolen) with rc and an error naming want; items kept */
static void
refused(map_fn fn, json_t *in, fx_err rc, const char *want)
{
	json_t *items = json_array();
	struct buf err = BUF_INIT;
	size_t skipped = 99;

	buf_init(&err, 0);
	CHECK(json_array_append_new(items, json_string("sentinel")) == 0);
	CHECK_INT(fn(in, &map, items, &skipped, &err), rc);
	CHECK_INT(json_array_size(items), 1);
	CHECK_INT(skipped, 0);
	CHECK(strstr(buf_str(&err), want) != NULL);
	if (strstr(buf_str(&err), want) == NULL)
		printf("    err: %s\n", buf_str(&err));
	json_decref(items);
	json_decref(in);
	buf_release(&err);
}
#define SH_NO(ev, rc, want)	refused(evmap_securityhub, ev, rc, want)
#define CU_NO(text, rc, want) refused(evmap_custodian, js(text), rc, want)

/* sh_event(findings) with key set to v (stolen) */
static json_t *
sh_with(const char *findings, const char *key, json_t *v)
{
	json_t *ev = sh_event(findings);

	json_object_set_new(ev, key, v);
	return ev;
}

static void
test_sh_malformed(void)
{
	const char *ok = FIND("'GeneratorId':'EC2.8'", RES("i-1"));
	struct buf err = BUF_INIT, many = BUF_INIT;
	json_t *items = json_object();
	size_t skipped, i;

	buf_init(&err, 0);
	buf_init(&many, 0);
	TEST("securityhub: malformed events") {
		SH_NO(js("[]"), FX_EINVAL, "event: not an object");
		SH_NO(json_string("x"), FX_EINVAL, "event: not an object");
		SH_NO(NULL, FX_EINVAL, "event: not an object");
		SH_NO(sh_with(ok, "source", json_string("aws.guardduty")),
		    FX_EINVAL, "source");
		SH_NO(sh_with(ok, "source", json_integer(1)), FX_EINVAL,
		    "source");
		SH_NO(sh_with(ok, "detail-type", json_string("Security Hub "
		    "Findings - Custom Action")), FX_EINVAL, "detail-type");
		SH_NO(sh_with(ok, "detail", json_null()), FX_EINVAL,
		    "detail.findings: missing");
		SH_NO(sh_with(ok, "detail", js("{'findings':{}}")), FX_EINVAL,
		    "detail.findings: missing or not an array");
		SH_NO(sh_event("1"), FX_EINVAL,
		    "detail.findings[0]: not an object");
		SH_NO(sh_event("{'AwsAccountId':'" ACCT "','Resources':[{}]}"),
		    FX_EINVAL, "detail.findings[0].Id: missing");
		SH_NO(sh_event(FIND("'GeneratorId':'EC2.8'", RES("i-1")) ","
		    "{'Id':5,'AwsAccountId':'" ACCT "','Resources':[{}]}"),
		    FX_EINVAL, "detail.findings[1].Id");
		SH_NO(sh_event("{'Id':'f','Resources':[{}]}"), FX_EINVAL,
		    "detail.findings[0].AwsAccountId");
		SH_NO(sh_event("{'Id':'f','AwsAccountId':'" ACCT "'}"),
		    FX_EINVAL, "detail.findings[0].Resources");
		SH_NO(sh_event("{'Id':'f','AwsAccountId':'" ACCT "',"
		    "'Resources':[]}"), FX_EINVAL, "Resources: missing, empty");
		SH_NO(sh_event("{'Id':'f','AwsAccountId':'" ACCT "',"
		    "'Resources':{'Id':'i-1'}}"), FX_EINVAL, "Resources");
		for (i = 0; i <= EVMAP_MAX_FINDINGS; i++)
			CHECK_INT(buf_addf(&many, "%s%s", i ? "," : "", ok),
			    FX_OK);
		SH_NO(sh_event(buf_str(&many)), FX_ETOOBIG, "more than 100");
	}
	TEST("securityhub: items must be an array") {
		json_t *ev = sh_event(ok);

		CHECK_INT(evmap_securityhub(ev, &map, items, &skipped, &err),
		    FX_EINVAL);
		CHECK_INT(evmap_securityhub(ev, &map, NULL, NULL, NULL),
		    FX_EINVAL);
		json_decref(ev);
	}
	json_decref(items);
	buf_release(&many);
	buf_release(&err);
}

/* one EC2.8 finding with Title title around resources res */
static fx_err
sh_title_run(const char *title, const char *res, json_t **items,
    size_t *skipped, struct buf *err)
{
	struct buf b = BUF_INIT;
	fx_err rc = FX_ENOMEM;

	buf_init(&b, 0);
	if (buf_addf(&b, "{'Id':'f','AwsAccountId':'" ACCT "','GeneratorId':"
	    "'EC2.8','Title':'%s','UpdatedAt':'yesterday','Resources':[%s]}",
	    title, res) == FX_OK)
		rc = sh_run(buf_str(&b), items, skipped, err);
	buf_release(&b);
	return rc;
}

static void
test_sh_titles(void)
{
	struct buf err = BUF_INIT, t = BUF_INIT;
	json_t *items = NULL, *it;
	size_t skipped, i;
	const char *s;

	buf_init(&err, 0);
	buf_init(&t, 0);
	TEST("securityhub: title cut at a UTF-8 boundary") {
		CHECK_INT(buf_addc(&t, 'A'), FX_OK);
		for (i = 0; i < 150; i++)	/* U+00E9, 2 bytes */
			CHECK_INT(buf_adds(&t, "\xc3\xa9"), FX_OK);
		CHECK_INT(t.len, 301);
		CHECK_INT(sh_title_run(buf_str(&t), "{'Id':'i-9'}", &items,
		    &skipped, &err), FX_OK);
		s = sget(by_id(items, "i-9"), "title");
		CHECK(s != NULL && strlen(s) == 299);
		CHECK(s != NULL && strncmp(s, buf_str(&t), 299) == 0);
		CHECK(json_object_get(by_id(items, "i-9"), "observed_at") ==
		    NULL);
		all_valid(items);
		json_decref(items);
		buf_reset(&t);	/* "AB" and 149 x U+00E9: 300 bytes */
		CHECK_INT(buf_adds(&t, "AB"), FX_OK);
		for (i = 0; i < 149; i++)
			CHECK_INT(buf_adds(&t, "\xc3\xa9"), FX_OK);
		CHECK_INT(sh_title_run(buf_str(&t), "{'Id':'i-9'}", &items,
		    &skipped, &err), FX_OK);
		CHECK_STR(sget(by_id(items, "i-9"), "title"), buf_str(&t));
		json_decref(items);
	}
	TEST("securityhub: titles with control characters") {
		CHECK_INT(sh_title_run("\\u0007 a\\n\\tb\\u0085  c \\r",
		    "{'Id':'i-1'}", &items, &skipped, &err), FX_OK);
		CHECK_STR(sget(by_id(items, "i-1"), "title"), "a b c");
		json_decref(items);
		CHECK_INT(sh_title_run("\\u0001\\u0002 ", "{'Id':'i-2'}",
		    &items, &skipped, &err), FX_OK);
		CHECK_STR(sget(by_id(items, "i-2"), "title"), "EC2.8: i-2");
		all_valid(items);
		json_decref(items);
	}
	TEST("securityhub: huge title") {
		buf_reset(&t);
		for (i = 0; i < 100000; i++)
			CHECK_INT(buf_addc(&t, (char)('a' + i % 26)), FX_OK);
		CHECK_INT(sh_title_run(buf_str(&t), "{'Id':'i-3'}", &items,
		    &skipped, &err), FX_OK);
		it = by_id(items, "i-3");
		CHECK_INT(strlen(sget(it, "title")), FX_MAX_TITLE);
		json_decref(items);
	}
	buf_release(&t);
	buf_release(&err);
}

static void
test_sh_hostile(void)
{
	struct buf err = BUF_INIT, f = BUF_INIT;
	json_t *items = NULL, *it, *tags;
	size_t skipped, i;

	buf_init(&err, 0);
	buf_init(&f, 0);
	TEST("securityhub: hostile resources and tags") {
		CHECK_INT(buf_adds(&f, "{'Id':'f','AwsAccountId':'" ACCT "',"
		    "'GeneratorId':'EC2.8','Region':'eu-north-1',"
		    "'Compliance':'x','Workflow':[],'ProductFields':3,"
		    "'Severity':{'Label':5},'RecordState':null,"
		    "'UpdatedAt':'2026-03-02T09:15:27+01:00','Resources':["
		    "{'Id':'i-\\u0001x'},{'Id':'i-r1','Region':'EU WEST 1'},"
		    "{'Id':'i-r2','Region':7},{'Id':42},'junk',null,"
		    "{'Id':'i-t1','Tags':{'a':'1','b':2,'\\u0001k':'v',"
		    "'c':'x\\ny','':'e','d':''}},"
		    "{'Id':'i-t2','Tags':[{'Key':'k','Value':'v'},{'Key':1},"
		    "'x',{'Value':'v'}]},{'Id':'i-t3','Tags':'a=b'},"
		    "{'Id':'i-t4','Tags':{"), FX_OK);
		for (i = 0; i < 100; i++)
			CHECK_INT(buf_addf(&f, "%s'k%zu':'v'", i ? "," : "", i),
			    FX_OK);
		CHECK_INT(buf_adds(&f, "}},{'Id':'"), FX_OK);
		for (i = 0; i < FX_MAX_FIELD + 1; i++)
			CHECK_INT(buf_addc(&f, 'x'), FX_OK);
		CHECK_INT(buf_adds(&f, "'},{'Id':'arn:aws:ec2:eu-west-1:" ACCT
		    ":instance/"), FX_OK);
		for (i = 0; i < FX_MAX_FIELD; i++)
			CHECK_INT(buf_addc(&f, 'a'), FX_OK);
		CHECK_INT(buf_adds(&f, "/i-long'}]}"), FX_OK);
		CHECK_INT(sh_run(buf_str(&f), &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), 6);
		CHECK_INT(skipped, 6);
		it = by_id(items, "i-r2");	/* Region 7: the finding's */
		CHECK_STR(sget(it, "region"), "eu-north-1");
		CHECK_STR(sget(it, "status"), "active");
		CHECK_STR(sget(it, "observed_at"), "2026-03-02T09:15:27+01:00");
		CHECK(json_object_get(json_object_get(it, "details"),
		    "severity") == NULL);
		tags = json_object_get(by_id(items, "i-t1"), "_tags");
		CHECK_INT(json_object_size(tags), 2);
		CHECK_STR(sget(tags, "a"), "1");
		CHECK_STR(sget(tags, "d"), "");
		tags = json_object_get(by_id(items, "i-t2"), "_tags");
		CHECK_INT(json_object_size(tags), 1);
		CHECK_STR(sget(tags, "k"), "v");
		CHECK(json_object_get(by_id(items, "i-t3"), "_tags") == NULL);
		CHECK_INT(json_object_size(json_object_get(by_id(items, "i-t4"),
		    "_tags")), EVMAP_MAX_TAGS);
		it = by_id(items, "i-long");	/* ARN too long: left out */
		CHECK(it != NULL);
		CHECK(json_object_get(it, "resource_arn") == NULL);
		all_valid(items);
		json_decref(items);
	}
	TEST("securityhub: account id not 12 digits") {
		CHECK_INT(sh_run("{'Id':'f','AwsAccountId':'12345',"
		    "'GeneratorId':'EC2.8','Resources':[{'Id':'i-1'},"
		    "{'Id':'i-2'}]}", &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), 0);
		CHECK_INT(skipped, 2);
		json_decref(items);
	}
	buf_release(&f);
	buf_release(&err);
}

/* run evmap_custodian on JSON text (' for ") into fresh *items */
static fx_err
cu_run(const char *text, json_t **items, size_t *skipped, struct buf *err)
{
	json_t *pl = js(text);
	fx_err rc;

	*items = json_array();
	buf_reset(err);
	rc = evmap_custodian(pl, &map, *items, skipped, err);
	json_decref(pl);
	return rc;
}

static void
test_cu_samples(void)
{
	json_t *pl, *items = json_array(), *it, *d, *t;
	struct buf err = BUF_INIT;
	size_t skipped = 99;

	buf_init(&err, 0);
	TEST("custodian: ec2 sample") {
		pl = load("custodian_ec2.json");
		CHECK_INT(evmap_custodian(pl, &map, items, &skipped, &err),
		    FX_OK);
		CHECK_INT(json_array_size(items), 2);
		CHECK_INT(skipped, 0);
		it = by_id(items, I_WEB);
		CHECK_STR(sget(it, "playbook"), "ec2-imdsv1");
		CHECK_STR(sget(it, "account_id"), ACCT);
		CHECK_STR(sget(it, "region"), "eu-west-1");
		CHECK_STR(sget(it, "title"), "ec2-require-imdsv2: " I_WEB);
		CHECK_STR(sget(it, "status"), "active");
		CHECK_STR(sget(it, "observed_at"), "2026-03-02T09:15:00Z");
		CHECK(json_object_get(it, "resource_arn") == NULL);
		d = json_object_get(it, "details");
		CHECK_STR(sget(d, "source"), "custodian");
		CHECK_STR(sget(d, "policy"), "ec2-require-imdsv2");
		CHECK_STR(sget(d, "resource_type"), "aws.ec2");
		CHECK_STR(sget(d, "execution_id"),
		    "8c1f2a7e-5b3d-4e60-9a41-0d2c7e6b5f13");
		t = json_object_get(it, "_tags");
		CHECK_INT(json_object_size(t), 3);
		CHECK_STR(sget(t, "owner"), "alice@example.com");
		CHECK_STR(sget(json_object_get(by_id(items,
		    "i-0b2c3d4e5f6071829"), "_tags"), "team"), "data-platform");
		json_decref(pl);
	}
	TEST("custodian: ebs sample, appended to the same array") {
		pl = load("custodian_ebs.json");
		CHECK_INT(evmap_custodian(pl, &map, items, &skipped, &err),
		    FX_OK);
		CHECK_INT(json_array_size(items), 4);
		it = by_id(items, "vol-0123456789abcdef0");
		CHECK_STR(sget(it, "playbook"), "ebs-unencrypted");
		CHECK_STR(sget(it, "region"), "eu-central-1");
		CHECK_STR(sget(it, "title"),
		    "EBS volume is not encrypted at rest");
		CHECK_STR(sget(json_object_get(it, "details"), "account_name"),
		    "dev-sandbox");
		CHECK_STR(sget(json_object_get(it, "_tags"), "owner"),
		    "bob@example.com");
		CHECK(json_object_get(by_id(items, "vol-0fedcba9876543210"),
		    "_tags") == NULL);
		json_decref(pl);
	}
	all_valid(items);
	json_decref(items);
	buf_release(&err);
}

static const struct {
	const char *type, *res, *id, *arn;
} cu_cases[] = {
	{ "ec2", "{'InstanceId':'i-1'}", "i-1", NULL },
	{ "aws.ebs", "{'VolumeId':'vol-1'}", "vol-1", NULL },
	{ "ebs-snapshot", "{'SnapshotId':'snap-1'}", "snap-1", NULL },
	{ "network-addr", "{'PublicIp':'198.51.100.7'}", "198.51.100.7",
	  NULL },
	{ "aws.elastic-ip", "{'AllocationId':'eipalloc-1','PublicIp':"
	  "'198.51.100.8'}", "eipalloc-1", NULL },
	{ "rds", "{'DBInstanceIdentifier':'db-1','DBInstanceArn':"
	  "'arn:aws:rds:eu-west-1:" ACCT ":db:db-1'}", "db-1",
	  "arn:aws:rds:eu-west-1:" ACCT ":db:db-1" },
	{ "hostedzone", "{'Id':'/hostedzone/Z1ABC','Name':'example.com.'}",
	  "Z1ABC", NULL },
	{ "security-group", "{'GroupId':'sg-1'}", "sg-1", NULL },
	{ "s3", "{'Name':'bucket-1'}", "bucket-1", NULL },
	{ "elb", "{'LoadBalancerName':'clb-1'}", "clb-1", NULL },
	{ "app-elb", "{'LoadBalancerName':'alb-1','LoadBalancerArn':"
	  "'not-an-arn'}", "alb-1", NULL },
	{ "iam-user", "{'UserName':'alice','Arn':'arn:aws:iam::" ACCT
	  ":user/alice'}", "alice", "arn:aws:iam::" ACCT ":user/alice" },
	{ "iam-role", "{'RoleName':'r-1','Arn':'arn:aws:iam::" ACCT
	  ":role/r-1'}", "r-1", "arn:aws:iam::" ACCT ":role/r-1" },
	{ "lambda", "{'FunctionName':'fn','FunctionArn':'arn:aws:lambda:"
	  "eu-west-1:" ACCT ":function:fn'}", "fn",
	  "arn:aws:lambda:eu-west-1:" ACCT ":function:fn" },
};

#define CU(pol, rest) "{'policy':{" pol "},'account_id':'" ACCT "'," \
	"'region':'eu-west-1'" rest "}"

static void
test_cu_types(void)
{
	struct buf err = BUF_INIT, b = BUF_INIT;
	json_t *items = NULL, *it;
	const char *arn;
	size_t skipped, i;

	buf_init(&err, 0);
	buf_init(&b, 0);
	for (i = 0; i < sizeof(cu_cases) / sizeof(cu_cases[0]); i++) {
		TEST(cu_cases[i].type) {
			buf_reset(&b);
			CHECK_INT(buf_addf(&b, CU("'name':'test-policy',"
			    "'resource':'%s'", ",'resources':[%s,7,{},"
			    "{'Tags':[]}]"), cu_cases[i].type, cu_cases[i].res),
			    FX_OK);
			CHECK_INT(cu_run(buf_str(&b), &items, &skipped, &err),
			    FX_OK);
			CHECK_INT(json_array_size(items), 1);
			CHECK_INT(skipped, 3);
			it = by_id(items, cu_cases[i].id);
			CHECK(it != NULL);
			arn = sget(it, "resource_arn");
			CHECK_STR(arn ? arn : "-", cu_cases[i].arn ?
			    cu_cases[i].arn : "-");
			all_valid(items);
			json_decref(items);
		}
	}
	TEST("custodian: one resource (batch: false)") {
		CHECK_INT(cu_run(CU("'name':'test-policy','resource':'ec2',"
		    "'comment':'IMDSv1\\nstill on'", ",'resource':"
		    "{'InstanceId':'i-5','Tags':[{'Key':'owner','Value':"
		    "'carol@example.com'}]},'execution_start':-5"), &items,
		    &skipped, &err), FX_OK);
		it = by_id(items, "i-5");
		CHECK_STR(sget(it, "title"), "IMDSv1 still on");
		CHECK(json_object_get(it, "observed_at") == NULL);
		CHECK_STR(sget(json_object_get(it, "_tags"), "owner"),
		    "carol@example.com");
		json_decref(items);
	}
	buf_release(&b);
	buf_release(&err);
}

static void
test_cu_malformed(void)
{
	struct buf err = BUF_INIT, b = BUF_INIT;
	json_t *items = NULL;
	size_t skipped, i;

	buf_init(&err, 0);
	buf_init(&b, 0);
	TEST("custodian: malformed payloads") {
		refused(evmap_custodian, NULL, FX_EINVAL, "payload: not an "
		    "object");
		CU_NO("[1]", FX_EINVAL, "payload: not an object");
		CU_NO("{'account_id':'" ACCT "','region':'eu-west-1',"
		    "'resources':[]}", FX_EINVAL, "policy: missing");
		CU_NO(CU("'resource':'ec2'", ",'resources':[]"), FX_EINVAL,
		    "policy.name");
		CU_NO(CU("'name':'','resource':'ec2'", ",'resources':[]"),
		    FX_EINVAL, "policy.name");
		CU_NO(CU("'name':'test-policy','resource':5",
		    ",'resources':[]"),
		    FX_EINVAL, "policy.resource");
		CU_NO("{'policy':{'name':'p','resource':'ec2'},'account_id':"
		    "'1234','region':'eu-west-1','resources':[]}", FX_EINVAL,
		    "account_id");
		CU_NO("{'policy':{'name':'p','resource':'ec2'},'account_id':'"
		    ACCT "','region':'EU','resources':[]}", FX_EINVAL,
		    "region");
		CU_NO(CU("'name':'test-policy','resource':'ec2'", ""),
		    FX_EINVAL,
		    "resources: missing");
		CU_NO(CU("'name':'test-policy','resource':'ec2'",
		    ",'resources':{}"), FX_EINVAL, "resources: missing");
		CU_NO(CU("'name':'test-policy','resource':'aws.kms-key'",
		    ",'resources':[]"), FX_EINVAL,
		    "unsupported resource type \"aws.kms-key\"");
		CU_NO(CU("'name':'test-policy','resource':'aws.x\\\"\\u0001y'",
		    ",'resources':[]"), FX_EINVAL, "resource type \"aws.x\"");
	}
	TEST("custodian: an unmapped policy skips everything") {
		CHECK_INT(cu_run(CU("'name':'other','resource':'aws.kms-key'",
		    ",'resources':[{},{},{}]"), &items, &skipped, &err), FX_OK);
		CHECK_INT(json_array_size(items), 0);
		CHECK_INT(skipped, 3);
		json_decref(items);
	}
	CHECK_INT(buf_adds(&b, CU("'name':'test-policy','resource':'ec2'",
	    ",'resources':[")), FX_OK);
	b.len--;			/* drop the closing brace */
	for (i = 0; i <= EVMAP_MAX_CUSTODIAN; i++)
		CHECK_INT(buf_addf(&b, "%s{'InstanceId':'i-%zu'}", i ? "," :
		    "", i), FX_OK);
	CHECK_INT(buf_adds(&b, "]}"), FX_OK);
	CU_NO(buf_str(&b), FX_ETOOBIG, "more than 1000");
	TEST("custodian: at most FX_MAX_INGEST_ITEMS in items") {
		json_t *pl = js(CU("'name':'test-policy','resource':'ec2'",
		    ",'resources':[{'InstanceId':'i-1'},"
		    "{'InstanceId':'i-2'}]"));

		items = json_array();
		for (i = 0; i < FX_MAX_INGEST_ITEMS - 1; i++)
			json_array_append_new(items, json_null());
		CHECK_INT(evmap_custodian(pl, &map, items, &skipped, &err),
		    FX_ETOOBIG);
		CHECK_INT(json_array_size(items), FX_MAX_INGEST_ITEMS - 1);
		json_decref(items);
		items = json_object();
		CHECK_INT(evmap_custodian(pl, &map, items, &skipped, &err),
		    FX_EINVAL);
		json_decref(items);
		json_decref(pl);
	}
	buf_release(&b);
	buf_release(&err);
}

int
main(void)
{
	TEST("lookup") {
		CHECK_STR(evmap_lookup(&map, "EC2.8"), "ec2-imdsv1");
		CHECK(evmap_lookup(&map, "ec2.8") == NULL);
		CHECK(evmap_lookup(&map, "") == NULL);
		CHECK(evmap_lookup(&map, NULL) == NULL);
		CHECK(evmap_lookup(NULL, "EC2.8") == NULL);
	}
	TEST("securityhub: sample event")
		test_sh_sample();
	test_sh_variants();
	test_sh_malformed();
	test_sh_titles();
	test_sh_hostile();
	test_cu_samples();
	test_cu_types();
	test_cu_malformed();
	return TEST_REPORT();
}
