/*
 * test_ev_map.c - Security Hub and Cloud Custodian findings turned into
 * finding records (events/ev_map.c, ev_map_cu.c) as data: every case of
 * tests/data/ev-map/ (format: its README.md) gives a payload, the rule map
 * and the result: the records appended (printed as JSON to compare), the
 * count skipped, or the error. Every record made, as a finding, also
 * passes sm_check_finding.
 *
 * In C, because they are not input -> result data: payloads built to just
 * past a limit (resources per finding, findings per event, Custodian
 * resources, tags, field and title sizes, records in the caller's list),
 * NULL and non-array arguments, the checks of the HTTP handlers
 * (evmap_securityhub, evmap_custodian), evmap_lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev_map.h"
#include "fxerr.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "policy.h"
#include "sm.h"
#include "testcase.h"
#include "testcase_kv.h"
#include "testhelp.h"
#include "testjson.h"
#include "banned.h"

#define ACCT	   "111122223333"
#define T_MAX_MAP  32
#define T_SENTINEL "sentinel"

typedef fx_err (*map_fn)(const json_t *, const struct ev_map *,
    struct ev_mapped_list *, size_t *, struct buf *);

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
 * Records l->v[from..] as findings (evmap_finding) pass sm_check_finding
 * under a policy that knows the playbooks of m and the account ACCT.
 */
static void
all_valid(const struct ev_mapped_list *l, size_t from, const struct ev_map *m)
{
	static char acct[] = ACCT;
	char names[T_MAX_MAP][64];
	struct account a = { .id = acct };
	struct playbook pb[T_MAX_MAP];
	struct policy pol = { .accounts = &a,
		.naccounts = 1,
		.playbooks = pb,
		.nplaybooks = m->n };
	struct finding_in f;
	struct buf err = BUF_INIT;
	size_t i;

	memset(pb, 0, sizeof(pb));
	for (i = 0; i < m->n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", m->e[i].playbook);
		pb[i].name = names[i];
	}
	for (i = from; i < l->n; i++) {
		evmap_finding(&l->v[i], &f);
		CHECK_INT(sm_check_finding(&pol, &f, i - from, &err), FX_OK);
		if (err.len > 0)
			printf("    %s\n", buf_str(&err));
		buf_reset(&err);
	}
	buf_release(&err);
}

/* o.key = s (a copy), when s is not NULL */
static void
put_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

/*
 * Record r printed as a finding item (docs/CONTRACTS.md "A finding item")
 * with its tags as "_tags": the shape the items sections are written in.
 * A member that fails to print shows in the comparison.
 */
static json_t *
record_json(const struct ev_mapped *r)
{
	json_t *o = json_object();
	char t[21];

	put_str(o, "playbook", r->playbook);
	put_str(o, "account_id", r->account_id);
	put_str(o, "region", r->region);
	put_str(o, "resource_id", r->resource_id);
	put_str(o, "resource_arn", r->resource_arn);
	put_str(o, "title", r->title);
	put_str(o, "status", r->resolved ? "resolved" : "active");
	if (r->details != NULL)
		json_object_set(o, "details", r->details);
	if (r->observed_at != 0) {
		fx_iso8601_format(r->observed_at, t);
		put_str(o, "observed_at", t);
	}
	if (r->tags != NULL)
		json_object_set(o, "_tags", r->tags);
	return o;
}

/* records l->v[from..] as a JSON array of items */
static json_t *
records_json(const struct ev_mapped_list *l, size_t from)
{
	json_t *a = json_array();
	size_t i;

	for (i = from; i < l->n; i++)
		json_array_append_new(a, record_json(&l->v[i]));
	return a;
}

/*
 * A record holds observed_at as seconds: each expected "observed_at"
 * (ISO 8601, maybe with a fraction or an offset) rewritten as the
 * instant it names, formatted the way record_json prints it.
 */
static void
want_instants(json_t *want)
{
	const char *s;
	json_t *it;
	int64_t t;
	char iso[21];
	size_t i;

	json_array_foreach(want, i, it) {
		s = json_string_value(json_object_get(it, "observed_at"));
		if (s == NULL || fx_iso8601_parse(s, &t) != FX_OK)
			continue;
		fx_iso8601_format(t, iso);
		json_object_set_new(it, "observed_at", json_string(iso));
	}
}

/* a list holding one record, T_SENTINEL its resource_id: calls append */
static void
sentinel_list(struct ev_mapped_list *l)
{
	evmap_list_init(l);
	l->v = calloc(1, sizeof(*l->v));
	CHECK(l->v != NULL);
	if (l->v == NULL)
		return;
	l->v[0].resource_id = strdup(T_SENTINEL);
	l->n = l->alloc = 1;
}

static const char *
sentinel_of(const struct ev_mapped_list *l)
{
	return l->n > 0 ? l->v[0].resource_id : NULL;
}

/* the function section: evmap_securityhub or _custodian_records */
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
			tc_malformed(c,
			    "expect: \"rc:\", \"skipped:\", then "
			    "\"error:\" when not ok",
			    line);
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
		tc_malformed(c,
		    "expect: \"rc:\", \"skipped:\", then "
		    "\"error:\" when not ok",
		    NULL);
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
	struct ev_mapped_list items;
	json_t *in = NULL, *got = NULL, *want = NULL;
	struct t_map m;
	size_t skipped = 99;
	map_fn fn;
	fx_err rc;
	int due;

	memset(&m, 0, sizeof(m));
	sentinel_list(&items);
	if (tc_only(c, sections) != 0)
		goto out;
	if ((fn = fn_of(c)) == NULL)
		goto out;
	if (map_load(c, &m) != 0)
		goto out;
	if ((in = tc_json_or_file(c, "input", "ev-map/samples")) == NULL)
		goto out;
	/* items holds one record already: the call appends */
	rc = fn(in, &m.m, &items, &skipped, &err);
	due = expect_call(c, rc, skipped, buf_str(&err));
	if (due < 0)
		goto out;
	CHECK_STR(sentinel_of(&items), T_SENTINEL);
	if (due != (tc_get(c, "items") != NULL)) {
		tc_malformed(c, "an items section when and only when ok", NULL);
		goto out;
	}
	if (!due) {
		CHECK_INT(items.n, 1); /* left as it was */
		goto out;
	}
	CHECK_STR(buf_str(&err), "");
	if ((want = tc_json(c, tc_get(c, "items"), "items")) == NULL)
		goto out;
	want_instants(want);
	got = records_json(&items, 1);
	tc_check_json(got, want);
	all_valid(&items, 1, &m.m);
out:
	json_decref(want);
	json_decref(got);
	evmap_list_release(&items);
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

	if (buf_addf(&b,
		"{'version':'0','id':'e1','detail-type':"
		"'Security Hub Findings - Imported','source':'aws.securityhub',"
		"'account':'" ACCT "','time':'2026-03-02T09:15:31Z',"
		"'region':'eu-west-1','resources':[],"
		"'detail':{'findings':[%s]}}",
		findings) == FX_OK)
		j = js(buf_str(&b));
	buf_release(&b);
	return j;
}

/* fn(in) (in stolen) fails with rc and an error holding want; the
 * caller's records are kept and *skipped is 0 */
static void
refused(map_fn fn, json_t *in, fx_err rc, const char *want)
{
	struct ev_mapped_list items;
	struct buf err = BUF_INIT;
	size_t skipped = 99;

	sentinel_list(&items);
	CHECK_INT(fn(in, &map, &items, &skipped, &err), rc);
	CHECK_INT(items.n, 1);
	CHECK_STR(sentinel_of(&items), T_SENTINEL);
	CHECK_INT(skipped, 0);
	CHECK(strstr(buf_str(&err), want) != NULL);
	printf("  refused: %s\n", buf_str(&err));
	evmap_list_release(&items);
	json_decref(in);
	buf_release(&err);
}

/* fn(in) (in stolen) into items, initialised here; *skipped set */
static void
mapped(map_fn fn, json_t *in, struct ev_mapped_list *items, size_t *skipped)
{
	struct buf err = BUF_INIT;

	evmap_list_init(items);
	CHECK_INT(fn(in, &map, items, skipped, &err), FX_OK);
	CHECK_STR(buf_str(&err), "");
	json_decref(in);
	buf_release(&err);
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
	struct ev_mapped_list items;
	const struct ev_mapped *r;
	size_t skipped, i;
	int built = 1;

	/* at most 32 resources a finding, the rest skipped */
	built &= buf_adds(&b, "{'Id':'f','AwsAccountId':'" ACCT "',"
			      "'GeneratorId':'EC2.8','Resources':[") == FX_OK;
	for (i = 0; i < 40; i++)
		built &=
		    buf_addf(&b, "%s{'Id':'i-%zu'}", i ? "," : "", i) == FX_OK;
	built &= buf_adds(&b, "]}") == FX_OK;
	mapped(evmap_securityhub, sh_event(buf_str(&b)), &items, &skipped);
	CHECK_INT(items.n, EVMAP_MAX_RESOURCES);
	CHECK_INT(skipped, 40 - EVMAP_MAX_RESOURCES);
	evmap_list_release(&items);

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
	mapped(evmap_securityhub, sh_event(buf_str(&b)), &items, &skipped);
	CHECK_INT(items.n, 1);
	if (items.n == 1)
		CHECK_INT(strlen(items.v[0].title), FX_MAX_TITLE);
	evmap_list_release(&items);

	/*
	 * 100 tags (64 kept); an id of FX_MAX_FIELD + 1 bytes (skipped); an
	 * ARN longer than FX_MAX_FIELD (left out, its id kept)
	 */
	buf_reset(&b);
	built &=
	    buf_adds(&b,
		"{'Id':'f','AwsAccountId':'" ACCT "',"
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
	mapped(evmap_securityhub, sh_event(buf_str(&b)), &items, &skipped);
	CHECK_INT(items.n, 2);
	CHECK_INT(skipped, 1);
	if (items.n == 2) {
		r = &items.v[0];
		CHECK_STR(r->resource_id, "i-t4");
		CHECK_INT(json_object_size(r->tags), EVMAP_MAX_TAGS);
		r = &items.v[1];
		CHECK_STR(r->resource_id, "i-long");
		CHECK(r->resource_arn == NULL);
	}
	all_valid(&items, 0, &map);
	evmap_list_release(&items);
	CHECK(built);
	buf_release(&b);
}

static void
test_sh_args(void)
{
	json_t *ev =
	    sh_event("{'Id':'f','AwsAccountId':'" ACCT "',"
		     "'GeneratorId':'EC2.8','Resources':[{'Id':'i-1'}]}");
	struct buf err = BUF_INIT;
	size_t skipped;

	refused(evmap_securityhub, NULL, FX_EINVAL, "event: not an object");
	CHECK_INT(evmap_securityhub(ev, &map, NULL, &skipped, &err), FX_EINVAL);
	CHECK_STR(buf_str(&err), "items: NULL");
	CHECK_INT(evmap_securityhub(ev, &map, NULL, NULL, NULL), FX_EINVAL);
	json_decref(ev);
	buf_release(&err);
}

#define CU(rest)                                                               \
	"{'policy':{'name':'test-policy','resource':'ec2'},"                   \
	"'account_id':'" ACCT "','region':'eu-west-1'" rest "}"

static void
test_cu_limits(void)
{
	struct ev_mapped_list items;
	struct buf b = BUF_INIT;
	json_t *pl;
	size_t skipped, i;
	int built = 1;

	refused(evmap_custodian, NULL, FX_EINVAL, "payload: not an object");

	/* 1001 resources: refused as a whole */
	built &= buf_adds(&b, CU(",'resources':[")) == FX_OK;
	b.len--; /* drop the closing brace */
	for (i = 0; i <= EVMAP_MAX_CUSTODIAN; i++)
		built &= buf_addf(&b, "%s{'InstanceId':'i-%zu'}", i ? "," : "",
			     i) == FX_OK;
	built &= buf_adds(&b, "]}") == FX_OK;
	CHECK(built);
	refused(evmap_custodian, js(buf_str(&b)), FX_ETOOBIG, "more than 1000");
	buf_release(&b);

	/* no more than FX_MAX_INGEST_ITEMS in the caller's list */
	pl = js(CU(",'resources':[{'InstanceId':'i-1'},{'InstanceId':'i-2'}]"));
	evmap_list_init(&items);
	items.v = calloc(FX_MAX_INGEST_ITEMS - 1, sizeof(*items.v));
	CHECK(items.v != NULL);
	items.n = items.alloc = items.v ? FX_MAX_INGEST_ITEMS - 1 : 0;
	CHECK_INT(evmap_custodian(pl, &map, &items, &skipped, NULL),
	    FX_ETOOBIG);
	CHECK_INT(items.n, FX_MAX_INGEST_ITEMS - 1);
	evmap_list_release(&items);
	CHECK_INT(evmap_custodian(pl, &map, NULL, &skipped, NULL), FX_EINVAL);
	json_decref(pl);
}

int
main(void)
{
	TEST("ev-map cases")
		CHECK(tc_each("ev-map", run_case) > 0);
	TEST("lookup")
		test_lookup();
	TEST("securityhub: limits")
		test_sh_limits();
	TEST("securityhub: NULL arguments")
		test_sh_args();
	TEST("custodian: limits and arguments")
		test_cu_limits();
	return TEST_REPORT();
}
