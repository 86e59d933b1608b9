/*
 * test_sm_savings.c - the savings in the state machine (issue 16;
 * remediation/sm_finish.c, schema v15): a fix whose prior state states
 * its usage is stored with fixit's saving (an executor's own "saving"
 * dropped), the owner is told it, and db_savings counts it by playbook
 * and account; an undo takes it back; a dry run tells what it would save
 * and counts nothing; without a price table every item is unknown.
 */
#include "sm_fixture.h"
#include "price.h"
#include "banned.h"

/* eu-west-1's eip_hour differs from default's */
static const char table[] =
    "{\"as_of\": \"2025-01-15\", \"currency\": \"USD\", \"regions\": {"
    "\"default\": {\"eip_hour\": 0.005, \"ebs_gb\": {\"gp2\": 0.1}},"
    "\"eu-west-1\": {\"eip_hour\": 0.006}}}";

/* 730 eip_hour (priced), 10 GiB of a type the table lacks, an executor's
 * own saving; dry: a dry run's plan */
static json_t *
prior(int dry)
{
	return json_pack("{s:[{s:s,s:n,s:i},{s:s,s:s,s:i}],s:{s:i},s:b}",
	    "usage", "item", "eip_hour", "class", "qty", 730, "item", "ebs_gb",
	    "class", "gp9", "qty", 10, "saving", "cents", 99999, "dry_run",
	    dry);
}

/* fix the finding id claimed at now with prior p (stolen) */
static void
fix(int64_t id, int64_t now, json_t *p)
{
	struct sm_job *jobs;
	size_t n = claim(now, &jobs);

	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(jobs[0].finding_id, id);
		CHECK_INT(finish(&jobs[0], 1, "done", p, now + 1), FX_OK);
	}
	free_jobs(jobs, n);
	json_decref(p);
}

/* the kept sums of playbook pb: "cents,fixes,unknown", "" when none */
static const char *
sums(const char *pb)
{
	static char s[64];
	json_t *sv = NULL, *x;

	s[0] = '\0';
	CHECK_INT(db_savings(db, 5, &sv), FX_OK);
	x = json_object_get(json_object_get(sv, "by_playbook"), pb);
	if (x != NULL)
		snprintf(s, sizeof(s), "%lld,%lld,%lld",
		    (long long)json_integer_value(json_object_get(x, "cents")),
		    (long long)json_integer_value(json_object_get(x, "fixes")),
		    (long long)json_integer_value(
			json_object_get(x, "unknown")));
	json_decref(sv);
	return s;
}

/* the saving in finding id's prior state, compact JSON ("null": none) */
static char *
saving_of(int64_t id)
{
	struct finding f = getf(id);
	json_t *p = json_loads(f.prior_state ? f.prior_state : "{}", 0, NULL);
	json_t *sv = json_object_get(p, "saving");
	char *s =
	    sv ? json_dumps(sv, JSON_COMPACT | JSON_SORT_KEYS) : strdup("null");

	json_decref(p);
	finding_release(&f);
	return s;
}

int
main(void)
{
	struct finding_in in = item("pb-none", DEV, "s1", "UOWNER");
	struct buf msg = BUF_INIT, why = BUF_INIT;
	struct sm_job *jobs;
	json_t *rows, *sv = NULL;
	int64_t id, dry;
	char *s;
	size_t n;

	fixture_start();
	fresh_db();
	pbk("pb-none")->max_fixes_per_hour = 0;
	CHECK_INT(price_parse(table, sizeof(table) - 1, &pol->prices, &why),
	    FX_OK);

	TEST("a fix is stored with fixit's saving and counted") {
		id = ingest1(&in, T0, NULL);
		json_decref(drain());
		fix(id, T0, prior(0));
		CHECK_INT(state_of(id), FS_FIXED);
		/* 730 x 0.006 = 4.38; the executor's 99999 is not taken */
		s = saving_of(id);
		CHECK_STR(s, "{\"as_of\":\"2025-01-15\",\"cents\":438,"
			     "\"unknown\":[\"ebs_gb gp9\"]}");
		free(s);
		CHECK_STR(sums("pb-none"), "438,1,1");
		CHECK_INT(db_savings(db, 5, &sv), FX_OK);
		CHECK_STR(json_string_value(json_object_get(
			      json_array_get(json_object_get(sv,
						 "top_accounts"),
				  0),
			      "account_id")),
		    DEV);
		json_decref(sv);
		rows = drain();
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "saving an estimated $4.38 a month (without 1 item not in "
		    "its price table)"));
		json_decref(rows);
	}

	TEST("an undo takes the saving back") {
		STEP(sm_undo_request(db, pol, id, "UADMIN", T0 + 10, &msg));
		n = claim(T0 + 20, &jobs);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_INT(finish(&jobs[0], 1, "undone", NULL, T0 + 21),
			    FX_OK);
		free_jobs(jobs, n);
		CHECK_INT(state_of(id), FS_ROLLED_BACK);
		CHECK_STR(sums("pb-none"), "");
		json_decref(drain());
	}

	TEST("a dry run says what it would save and counts nothing") {
		in = item("pb-none", DEV, "s2", "UOWNER");
		dry = ingest1(&in, T0 + 30, NULL);
		json_decref(drain());
		fix(dry, T0 + 30, prior(1));
		CHECK_INT(state_of(dry), FS_REHEARSED);
		CHECK_STR(sums("pb-none"), "");
		s = saving_of(dry);
		CHECK_STR(s, "null");
		free(s);
		rows = drain();
		s = json_dumps(json_object_get(args_of(rows, "rehearsal", 0),
				   "saving"),
		    JSON_COMPACT | JSON_SORT_KEYS);
		CHECK_STR(s, "{\"cents\":438,\"unknown\":1}");
		free(s);
		json_decref(rows);
	}

	TEST("no price table: every item unknown, the fix still counted") {
		struct price_table *keep = pol->prices;

		pol->prices = NULL;
		in = item("pb-none", PROD, "s3", "UOWNER");
		id = ingest1(&in, T0 + 40, NULL);
		json_decref(drain());
		fix(id, T0 + 40, prior(0));
		s = saving_of(id);
		CHECK_STR(s, "{\"cents\":0,\"unknown\":[\"eip_hour\",\"ebs_gb "
			     "gp9\"]}");
		free(s);
		CHECK_STR(sums("pb-none"), "0,1,1");
		rows = drain();
		CHECK(contains(text_of(rows, "owner_msg", 0),
		    "saving an estimated amount fixit cannot tell (2 items "
		    "not in its price table)"));
		json_decref(rows);
		pol->prices = keep;
	}

	TEST("a prior state without usage: no saving, nothing counted") {
		in = item("pb-none", PROD, "s4", "UOWNER");
		id = ingest1(&in, T0 + 50, NULL);
		json_decref(drain());
		fix(id, T0 + 50, json_pack("{s:s}", "HttpTokens", "optional"));
		s = saving_of(id);
		CHECK_STR(s, "null");
		free(s);
		CHECK_STR(sums("pb-none"), "0,1,1");
		rows = drain();
		CHECK(!contains(text_of(rows, "owner_msg", 0), "saving"));
		json_decref(rows);
	}

	buf_release(&msg);
	buf_release(&why);
	fixture_stop(); /* policy_free frees the table */
	return TEST_REPORT();
}
