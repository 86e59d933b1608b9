/*
 * test_ev_map.c - Security Hub and Cloud Custodian findings turned into
 * finding items (events/ev_map.c) as data: every case of
 * tests/data/ev-map/ (format: its README.md) gives a payload, the rule map
 * and the result: the items appended, the count skipped, or the error.
 * Every item made also passes sm_validate_item.
 *
 * In C, because they are not input -> result data: payloads built to just
 * past a limit (resources per finding, findings per event, Custodian
 * resources, tags, field and title sizes, items in the caller's array),
 * NULL and non-array arguments, evmap_lookup.
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
#include "testcase.h"
#include "testcase_kv.h"
#include "testhelp.h"
#include "testjson.h"
#include "banned.h"

#define ACCT		"111122223333"
#define T_MAX_MAP	32
#define T_SENTINEL	"sentinel"

typedef fx_err (*map_fn)(const json_t *, const struct ev_map *, json_t *,
    size_t *, struct buf *);

/* the map section ("KEY: playbook", cut at the last ':'), text cut in place */
struct t_map {
	char *text;
	struct ev_map_entry e[T_MAX_MAP];
	struct ev_map m;
};

static int
map_load(const struct tc *c, struct t_map *t)
{
	char *p, *line, *colon;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	t->m.e = t->e;
	if ((t->text = tc_dup(c, "map")) == NULL)
		goto out;
	p = t->text;
	while ((line = tc_line(&p)) != NULL) {
		colon = strrchr(line, ':');
		if (colon == NULL || colon[1] != ' ' || colon == line ||
		    t->m.n == T_MAX_MAP) {
			tc_malformed(c, "map: not \"KEY: playbook\"", line);
			goto out;
		}
		*colon = '\0';
		t->e[t->m.n].key = line;
		t->e[t->m.n++].playbook = colon + 2;
	}
	rc = 0;
out:
	return rc;
}

/*
 * Every item, without _tags, passes sm_validate_item under a policy that
 * knows the playbooks of m and the account ACCT.
 */
static void
all_valid(const json_t *items, const struct ev_map *m)
{
	static char acct[] = ACCT;
	char names[T_MAX_MAP][64];
	struct account a = { .id = acct };
	struct playbook pb[T_MAX_MAP];
	struct policy pol = { .accounts = &a, .naccounts = 1,
		.playbooks = pb, .nplaybooks = m->n };
	struct finding_in f;
	struct buf err = BUF_INIT;
	json_t *copy;
	size_t i;

	memset(pb, 0, sizeof(pb));
	for (i = 0; i < m->n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", m->e[i].playbook);
		pb[i].name = names[i];
	}
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

/* the function section: evmap_securityhub or evmap_custodian */
static map_fn
fn_of(const struct tc *c)
{
	const char *f = tc_get(c, "function");

	if (f != NULL && strcmp(f, "securityhub") == 0)
		return evmap_securityhub;
	if (f != NULL && strcmp(f, "custodian") == 0)
		return evmap_custodian;
	tc_malformed(c, "function: securityhub or custodian", f);
	return NULL;
}

/*
 * The expect section against the call: "rc:", "skipped:", and "error:"
 * (the whole message) when rc is not ok; 1 when an items section is due
 * (rc ok), 0 when not, -1 when the section is malformed.
 */
static int
expect_call(const struct tc *c, fx_err rc, size_t skipped, const char *err)
{
	static const char *const keys[] = { "rc", "skipped", "error" };
	char *text = tc_dup(c, "expect"), *p = text, *line, *key, *val;
	const char *shown;
	char got[32];
	int n = 0, ok = 0, ret = -1;

	while (text != NULL && (line = tc_line(&p)) != NULL) {
		key = tc_kv(line, &val);
		if (key == NULL || n > 2 || strcmp(key, keys[n]) != 0 ||
		    (n == 2 && ok)) {
			tc_malformed(c, "expect: \"rc:\", \"skipped:\", then "
			    "\"error:\" when not ok", line);
			goto out;
		}
		if (n == 0)
			snprintf(got, sizeof(got), "%s", tc_err_name(rc));
		else if (n == 1)
			snprintf(got, sizeof(got), "%zu", skipped);
		if (n == 0)
			ok = strcmp(val, "ok") == 0;
		shown = n < 2 ? got : err;
		if (strcmp(shown, val) != 0)
			printf("  %s: %s\n", c->name, key);
		CHECK_STR(shown, val);
		n++;
	}
	if (n != (ok ? 2 : 3))
		tc_malformed(c, "expect: \"rc:\", \"skipped:\", then "
		    "\"error:\" when not ok", NULL);
	else
		ret = ok;
out:
	free(text);
	return ret;
}

static void
run_case(const struct tc *c)
{
	static const char *const sections[] = { "function", "map", "input",
		"input-file", "expect", "items", NULL };
	struct buf err = BUF_INIT;
	json_t *in = NULL, *items = NULL, *want = NULL;
	struct t_map m;
	size_t skipped = 99;
	map_fn fn;
	fx_err rc;
	int due;

	memset(&m, 0, sizeof(m));
	if (tc_only(c, sections) != 0)
		goto out;
	if ((fn = fn_of(c)) == NULL)
		goto out;
	if (map_load(c, &m) != 0)
		goto out;
	if ((in = tc_json_or_file(c, "input", "ev-map/samples")) == NULL)
		goto out;
	/* items holds one item already: the call appends */
	items = json_pack("[s]", T_SENTINEL);
	rc = fn(in, &m.m, items, &skipped, &err);
	due = expect_call(c, rc, skipped, buf_str(&err));
	if (due < 0)
		goto out;
	CHECK_STR(json_string_value(json_array_get(items, 0)), T_SENTINEL);
	if (due != (tc_get(c, "items") != NULL)) {
		tc_malformed(c, "an items section when and only when ok", NULL);
		goto out;
	}
	if (!due) {
		CHECK_INT(json_array_size(items), 1);	/* left as it was */
		goto out;
	}
	CHECK_STR(buf_str(&err), "");
	if ((want = tc_json(c, tc_get(c, "items"), "items")) == NULL)
		goto out;
	CHECK(json_array_remove(items, 0) == 0);
	tc_check_json(items, want);
	all_valid(items, &m.m);
out:
	json_decref(want);
	json_decref(items);
	json_decref(in);
	free(m.text);
	buf_release(&err);
}

/* ------------------------------------------------------------------ */
/* in C: limits and arguments */

static const struct ev_map_entry entries[] = {
	{ "EC2.8", "ec2-imdsv1" },
	{ "test-policy", "ec2-imdsv1" },
};
static const struct ev_map map = { entries,
	sizeof(entries) / sizeof(entries[0]) };

/* a Security Hub event around findings (JSON text with ' for "), a new
 * reference */
static json_t *
sh_event(const char *findings)
{
	struct buf b = BUF_INIT;
	json_t *j = NULL;

	if (buf_addf(&b, "{'version':'0','id':'e1','detail-type':"
	    "'Security Hub Findings - Imported','source':'aws.securityhub',"
	    "'account':'" ACCT "','time':'2026-03-02T09:15:31Z',"
	    "'region':'eu-west-1','resources':[],"
	    "'detail':{'findings':[%s]}}", findings) == FX_OK)
		j = js(buf_str(&b));
	buf_release(&b);
	return j;
}

/* fn(in) (in stolen) fails with rc and an error holding want; the
 * caller's items are kept and *skipped is 0 */
static void
refused(map_fn fn, json_t *in, fx_err rc, const char *want)
{
	json_t *items = json_pack("[s]", T_SENTINEL);
	struct buf err = BUF_INIT;
	size_t skipped = 99;

	CHECK_INT(fn(in, &map, items, &skipped, &err), rc);
	CHECK_INT(json_array_size(items), 1);
	CHECK_INT(skipped, 0);
	CHECK(strstr(buf_str(&err), want) != NULL);
	printf("  refused: %s\n", buf_str(&err));
	json_decref(items);
	json_decref(in);
	buf_release(&err);
}

/* fn(in) (in stolen) into a new array, returned; *skipped set */
static json_t *
mapped(map_fn fn, json_t *in, size_t *skipped)
{
	json_t *items = json_array();
	struct buf err = BUF_INIT;

	CHECK_INT(fn(in, &map, items, skipped, &err), FX_OK);
	CHECK_STR(buf_str(&err), "");
	json_decref(in);
	buf_release(&err);
	return items;
}

static const char *
sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* n copies of c appended to b */
static void
fill(struct buf *b, char c, size_t n)
{
	size_t i;
	int ok = 1;

	for (i = 0; i < n && ok; i++)
		ok = buf_addc(b, c) == FX_OK;
	CHECK(ok);
}

static void
test_lookup(void)
{
	CHECK_STR(evmap_lookup(&map, "EC2.8"), "ec2-imdsv1");
	CHECK(evmap_lookup(&map, "ec2.8") == NULL);
	CHECK(evmap_lookup(&map, "") == NULL);
	CHECK(evmap_lookup(&map, NULL) == NULL);
	CHECK(evmap_lookup(NULL, "EC2.8") == NULL);
}

static void
test_sh_limits(void)
{
	const char *ok = "{'Id':'f','AwsAccountId':'" ACCT "','GeneratorId':"
	    "'EC2.8','Resources':[{'Id':'i-1'}]}";
	struct buf b = BUF_INIT;
	json_t *items, *it;
	size_t skipped, i;
	int built = 1;

	/* at most 32 resources a finding, the rest skipped */
	built &= buf_adds(&b, "{'Id':'f','AwsAccountId':'" ACCT "',"
	    "'GeneratorId':'EC2.8','Resources':[") == FX_OK;
	for (i = 0; i < 40; i++)
		built &= buf_addf(&b, "%s{'Id':'i-%zu'}", i ? "," : "", i) ==
		    FX_OK;
	built &= buf_adds(&b, "]}") == FX_OK;
	items = mapped(evmap_securityhub, sh_event(buf_str(&b)), &skipped);
	CHECK_INT(json_array_size(items), EVMAP_MAX_RESOURCES);
	CHECK_INT(skipped, 40 - EVMAP_MAX_RESOURCES);
	json_decref(items);

	/* 101 findings: refused as a whole */
	buf_reset(&b);
	for (i = 0; i <= EVMAP_MAX_FINDINGS; i++)
		built &= buf_addf(&b, "%s%s", i ? "," : "", ok) == FX_OK;
	refused(evmap_securityhub, sh_event(buf_str(&b)), FX_ETOOBIG,
	    "more than 100");

	/* a 100,000-byte title is cut to FX_MAX_TITLE */
	buf_reset(&b);
	built &= buf_adds(&b, "{'Id':'f','AwsAccountId':'" ACCT "',"
	    "'GeneratorId':'EC2.8','Title':'") == FX_OK;
	for (i = 0; i < 100000; i++)
		built &= buf_addc(&b, (char)('a' + i % 26)) == FX_OK;
	built &= buf_adds(&b, "','Resources':[{'Id':'i-3'}]}") == FX_OK;
	items = mapped(evmap_securityhub, sh_event(buf_str(&b)), &skipped);
	it = json_array_get(items, 0);
	CHECK_INT(strlen(sget(it, "title") ? sget(it, "title") : ""),
	    FX_MAX_TITLE);
	json_decref(items);

	/*
	 * 100 tags (64 kept); an id of FX_MAX_FIELD + 1 bytes (skipped); an
	 * ARN longer than FX_MAX_FIELD (left out, its id kept)
	 */
	buf_reset(&b);
	built &= buf_adds(&b, "{'Id':'f','AwsAccountId':'" ACCT "',"
	    "'GeneratorId':'EC2.8','Resources':[{'Id':'i-t4','Tags':{") ==
	    FX_OK;
	for (i = 0; i < 100; i++)
		built &= buf_addf(&b, "%s'k%zu':'v'", i ? "," : "", i) == FX_OK;
	built &= buf_adds(&b, "}},{'Id':'") == FX_OK;
	fill(&b, 'x', FX_MAX_FIELD + 1);
	built &= buf_adds(&b, "'},{'Id':'arn:aws:ec2:eu-west-1:" ACCT
	    ":instance/") == FX_OK;
	fill(&b, 'a', FX_MAX_FIELD);
	built &= buf_adds(&b, "/i-long'}]}") == FX_OK;
	items = mapped(evmap_securityhub, sh_event(buf_str(&b)), &skipped);
	CHECK_INT(json_array_size(items), 2);
	CHECK_INT(skipped, 1);
	it = json_array_get(items, 0);
	CHECK_STR(sget(it, "resource_id"), "i-t4");
	CHECK_INT(json_object_size(json_object_get(it, "_tags")),
	    EVMAP_MAX_TAGS);
	it = json_array_get(items, 1);
	CHECK_STR(sget(it, "resource_id"), "i-long");
	CHECK(json_object_get(it, "resource_arn") == NULL);
	all_valid(items, &map);
	json_decref(items);
	CHECK(built);
	buf_release(&b);
}

static void
test_sh_args(void)
{
	json_t *ev = sh_event("{'Id':'f','AwsAccountId':'" ACCT "',"
	    "'GeneratorId':'EC2.8','Resources':[{'Id':'i-1'}]}");
	json_t *obj = json_object();
	struct buf err = BUF_INIT;
	size_t skipped;

	refused(evmap_securityhub, NULL, FX_EINVAL, "event: not an object");
	CHECK_INT(evmap_securityhub(ev, &map, obj, &skipped, &err),
	    FX_EINVAL);
	CHECK_INT(evmap_securityhub(ev, &map, NULL, NULL, NULL), FX_EINVAL);
	json_decref(obj);
	json_decref(ev);
	buf_release(&err);
}

#define CU(rest) "{'policy':{'name':'test-policy','resource':'ec2'}," \
	"'account_id':'" ACCT "','region':'eu-west-1'" rest "}"

static void
test_cu_limits(void)
{
	json_t *pl, *items;
	struct buf b = BUF_INIT;
	size_t skipped, i;
	int built = 1;

	refused(evmap_custodian, NULL, FX_EINVAL, "payload: not an object");

	/* 1001 resources: refused as a whole */
	built &= buf_adds(&b, CU(",'resources':[")) == FX_OK;
	b.len--;			/* drop the closing brace */
	for (i = 0; i <= EVMAP_MAX_CUSTODIAN; i++)
		built &= buf_addf(&b, "%s{'InstanceId':'i-%zu'}", i ? "," :
		    "", i) == FX_OK;
	built &= buf_adds(&b, "]}") == FX_OK;
	CHECK(built);
	refused(evmap_custodian, js(buf_str(&b)), FX_ETOOBIG,
	    "more than 1000");
	buf_release(&b);

	/* no more than FX_MAX_INGEST_ITEMS in the caller's array */
	pl = js(CU(",'resources':[{'InstanceId':'i-1'},{'InstanceId':'i-2'}]"));
	items = json_array();
	for (i = 0; i < FX_MAX_INGEST_ITEMS - 1; i++)
		json_array_append_new(items, json_null());
	CHECK_INT(evmap_custodian(pl, &map, items, &skipped, NULL),
	    FX_ETOOBIG);
	CHECK_INT(json_array_size(items), FX_MAX_INGEST_ITEMS - 1);
	json_decref(items);
	items = json_object();
	CHECK_INT(evmap_custodian(pl, &map, items, &skipped, NULL), FX_EINVAL);
	json_decref(items);
	json_decref(pl);
}

int
main(void)
{
	TEST("ev-map cases") CHECK(tc_each("ev-map", run_case) > 0);
	TEST("lookup") test_lookup();
	TEST("securityhub: limits") test_sh_limits();
	TEST("securityhub: NULL and non-array arguments") test_sh_args();
	TEST("custodian: limits and arguments") test_cu_limits();
	return TEST_REPORT();
}
