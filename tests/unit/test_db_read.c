/*
 * test_db_read.c - the read models: finding_to_json (times ISO 8601),
 * db_counts, db_finding_show, db_due_list, db_failed_list,
 * db_exceptions_list (times unix seconds), db_findings_list (a typed page:
 * filters, paging, limits; every filter shape agrees with the unfiltered
 * listing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

static char tmpdir[64];
static char dbpath[128];

/* insert a finding; set the fields the read models sort and filter on */
static int64_t
add(struct db *db, const char *pb, const char *res, enum fstate s,
    int64_t deadline, int64_t next_at, int64_t updated)
{
	struct finding f;
	int64_t id = 0;

	memset(&f, 0, sizeof(f));
	th_setstr(&f.playbook, pb);
	th_setstr(&f.account_id, "111122223333");
	th_setstr(&f.region, "eu-west-1");
	th_setstr(&f.resource_id, res);
	th_setstr(&f.title, "Bucket is public");
	f.state = s;
	f.first_seen = f.last_seen = 1767225600; /* 2026-01-01 */
	f.deadline = deadline;
	f.next_attempt_at = next_at;
	f.updated_at = updated;
	if (db_finding_insert(db, &f) == FX_OK)
		id = f.id;
	finding_release(&f);
	return id;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long
jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
test_finding_json(void)
{
	static const char *const keys[] = { "id", "playbook", "account_id",
		"region", "resource_id", "resource_arn", "owner_email",
		"owner_slack_id", "title", "details", "state", "first_seen",
		"last_seen", "observed_at", "notified_at", "deadline",
		"excepted_until", "attempts", "last_error", "prior_state",
		"slack_channel", "slack_ts", "notify_only" };
	struct finding f;
	json_t *o;
	size_t i;

	TEST("finding_to_json keys and types") {
		memset(&f, 0, sizeof(f));
		f.id = 7;
		th_setstr(&f.playbook, "s3-public");
		th_setstr(&f.account_id, "111122223333");
		th_setstr(&f.region, "us-east-1");
		th_setstr(&f.resource_id, "bucket-1");
		th_setstr(&f.title, "t");
		th_setstr(&f.details, "{\"acl\":\"public-read\"}");
		th_setstr(&f.prior_state, "{\"acl\":\"public-read\"}");
		th_setstr(&f.last_error, "bad \xff byte");
		f.state = FS_FIXED;
		f.first_seen = 1767225600;
		f.deadline = 1767225600 + 86400;
		f.attempts = 1;
		f.lease_until = 5; /* not exposed */
		o = finding_to_json(&f);
		CHECK(o != NULL);
		CHECK_INT(json_object_size(o), sizeof(keys) / sizeof(keys[0]));
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			CHECK(json_object_get(o, keys[i]) != NULL);
		CHECK_INT(jint(o, "id"), 7);
		CHECK_STR(jstr(o, "state"), "fixed");
		CHECK_STR(jstr(o, "first_seen"), "2026-01-01T00:00:00Z");
		CHECK_STR(jstr(o, "deadline"), "2026-01-02T00:00:00Z");
		CHECK(json_is_null(json_object_get(o, "notified_at")));
		CHECK(json_is_null(json_object_get(o, "owner_email")));
		CHECK_STR(jstr(json_object_get(o, "details"), "acl"),
		    "public-read");
		CHECK_STR(jstr(json_object_get(o, "prior_state"), "acl"),
		    "public-read");
		CHECK_STR(jstr(o, "last_error"), "bad ? byte");
		CHECK_INT(jint(o, "attempts"), 1);
		json_decref(o);

		/* no details: {}; no prior state: null */
		th_setstr(&f.details, NULL);
		th_setstr(&f.prior_state, NULL);
		o = finding_to_json(&f);
		CHECK(json_is_object(json_object_get(o, "details")));
		CHECK_INT(json_object_size(json_object_get(o, "details")), 0);
		CHECK(json_is_null(json_object_get(o, "prior_state")));
		json_decref(o);
		finding_release(&f);
	}
}

static void
test_counts(struct db *db)
{
	json_t *o = NULL, *bs, *bp;

	TEST("db_counts by state and by playbook") {
		CHECK_INT(db_counts(db, &o), FX_OK);
		bs = json_object_get(o, "by_state");
		CHECK_INT(json_object_size(bs), FS__COUNT);
		CHECK_INT(jint(bs, "notified"), 3);
		CHECK_INT(jint(bs, "fixing"), 2);
		CHECK_INT(jint(bs, "failed"), 2);
		CHECK_INT(jint(bs, "excepted"), 1);
		CHECK_INT(jint(bs, "rolled_back"), 0);
		bp = json_object_get(o, "by_playbook");
		CHECK_INT(json_object_size(bp), 2);
		CHECK_INT(jint(json_object_get(bp, "pb-a"), "notified"), 2);
		CHECK_INT(jint(json_object_get(bp, "pb-b"), "notified"), 1);
		CHECK(json_object_get(json_object_get(bp, "pb-b"), "open") ==
		      NULL);
		json_decref(o);
	}
}

static void
test_show(struct db *db, int64_t id)
{
	struct exception_rec x;
	json_t *o = NULL, *h, *e, *data;

	TEST("db_finding_show: finding, history oldest first, exceptions") {
		data = json_pack("{s:i}", "n", 1);
		CHECK_INT(db_audit_add(db, id, 1767225600, "ingest", NULL,
			      "open", "created", NULL, NULL),
		    FX_OK);
		CHECK_INT(db_audit_add(db, id, 1767225660, "timer", "open",
			      "notified", "notify", "asked owner", data),
		    FX_OK);
		json_decref(data);
		memset(&x, 0, sizeof(x));
		x.finding_id = id;
		x.requested_by = strdup("U1");
		x.reason = strdup("needed");
		x.kind = strdup("1m");
		x.requested_at = 1767225700;
		x.until = 1767225700 + 30 * 86400;
		x.status = strdup("active");
		CHECK_INT(db_exception_insert(db, &x), FX_OK);
		exception_release(&x);

		CHECK_INT(db_finding_show(db, id, &o), FX_OK);
		CHECK_INT(jint(o, "id"), id);
		CHECK_STR(jstr(o, "state"), "notified");
		CHECK_INT(jint(o, "first_seen"), 1767225600);
		CHECK_INT(jint(o, "deadline"), 1700000000);
		CHECK(json_is_null(json_object_get(o, "notified_at")));
		h = json_object_get(o, "history");
		CHECK_INT(json_array_size(h), 2);
		e = json_array_get(h, 0);
		CHECK_INT(json_object_size(e), 7);
		CHECK_INT(jint(e, "at"), 1767225600);
		CHECK_STR(jstr(e, "actor"), "ingest");
		CHECK(json_is_null(json_object_get(e, "from")));
		CHECK_STR(jstr(e, "to"), "open");
		CHECK_STR(jstr(e, "event"), "created");
		CHECK(json_is_null(json_object_get(e, "reason")));
		CHECK(json_is_null(json_object_get(e, "data")));
		e = json_array_get(h, 1);
		CHECK_STR(jstr(e, "from"), "open");
		CHECK_STR(jstr(e, "reason"), "asked owner");
		CHECK_INT(jint(json_object_get(e, "data"), "n"), 1);
		e = json_object_get(o, "exceptions");
		CHECK_INT(json_array_size(e), 1);
		e = json_array_get(e, 0);
		CHECK_STR(jstr(e, "kind"), "1m");
		CHECK_STR(jstr(e, "status"), "active");
		CHECK_STR(jstr(e, "requested_by"), "U1");
		CHECK_INT(jint(e, "requested_at"), 1767225700);
		CHECK_INT(jint(e, "until"), 1767225700 + 30 * 86400);
		CHECK(json_is_null(json_object_get(e, "decided_at")));
		json_decref(o);
		o = NULL;
		CHECK_INT(db_finding_show(db, 999999, &o), FX_ENOTFOUND);
		CHECK(o == NULL);
	}
}

static void
test_lists(struct db *db, const int64_t *ids)
{
	struct exception_rec x;
	json_t *a = NULL, *e;

	TEST("db_due_list: notified before until and fixing, soonest first") {
		CHECK_INT(db_due_list(db, 1800000000, 10, &a), FX_OK);
		/* fixing now (0), notified 1.7e9, fixing retry 1.75e9,
		 * notified 1.79e9; the one due 1.9e9 is beyond until */
		CHECK_INT(json_array_size(a), 4);
		CHECK_INT(jint(json_array_get(a, 0), "id"), ids[4]);
		CHECK(json_is_null(
		    json_object_get(json_array_get(a, 0), "due_at")));
		CHECK_INT(jint(json_array_get(a, 1), "id"), ids[0]);
		CHECK_INT(jint(json_array_get(a, 1), "due_at"), 1700000000);
		CHECK_INT(jint(json_array_get(a, 1), "deadline"), 1700000000);
		CHECK_INT(jint(json_array_get(a, 2), "id"), ids[5]);
		CHECK_INT(jint(json_array_get(a, 3), "id"), ids[1]);
		json_decref(a);
		CHECK_INT(db_due_list(db, 1800000000, 2, &a), FX_OK);
		CHECK_INT(json_array_size(a), 2);
		json_decref(a);
	}
	TEST("db_failed_list: most recent first") {
		CHECK_INT(db_failed_list(db, 10, &a), FX_OK);
		CHECK_INT(json_array_size(a), 2);
		CHECK_INT(jint(json_array_get(a, 0), "id"), ids[7]);
		CHECK_INT(jint(json_array_get(a, 1), "id"), ids[6]);
		CHECK_STR(jstr(json_array_get(a, 0), "state"), "failed");
		json_decref(a);
	}
	TEST("db_exceptions_list: pending first, then active; with finding") {
		memset(&x, 0, sizeof(x));
		x.finding_id = ids[8];
		x.requested_by = strdup("U2");
		x.reason = strdup("prod db");
		x.kind = strdup("1y");
		x.requested_at = 100;
		x.until = 200;
		CHECK_INT(db_exception_insert(db, &x), FX_OK); /* pending */
		th_setstr(&x.status, "denied");
		CHECK_INT(db_exception_insert(db, &x), FX_OK);
		exception_release(&x);
		CHECK_INT(db_exceptions_list(db, 10, &a), FX_OK);
		CHECK_INT(json_array_size(a), 2);
		e = json_array_get(a, 0);
		CHECK_STR(jstr(e, "status"), "pending");
		CHECK_STR(jstr(e, "reason"), "prod db");
		CHECK_INT(jint(json_object_get(e, "finding"), "id"), ids[8]);
		CHECK_STR(jstr(json_object_get(e, "finding"), "resource_id"),
		    "r8");
		CHECK_INT(jint(e, "until"), 200);
		CHECK_INT(jint(json_object_get(e, "finding"), "last_seen"),
		    1767225600);
		CHECK_STR(jstr(json_array_get(a, 1), "status"), "active");
		json_decref(a);
	}
}

/* the listing with flt, paged by `page`, as ids into ids (at most max) */
static size_t
list_ids(struct db *db, struct finding_filter flt, size_t page, int64_t *ids,
    size_t max)
{
	struct finding_page p;
	size_t i, n = 0;

	flt.limit = page;
	flt.after_id = 0;
	do {
		if (db_findings_list(db, &flt, &p) != FX_OK) {
			CHECK(0);
			return 0;
		}
		for (i = 0; i < p.n && n < max; i++)
			ids[n++] = p.v[i].id;
		flt.after_id = p.next_after;
		finding_page_release(&p);
	} while (flt.after_id != 0);
	return n;
}

static int
match(const char *want, const char *have)
{
	return want == NULL || strcmp(want, have) == 0;
}

/*
 * Each of the eight filter shapes (db_sql.c: one statement each), paged
 * by 7, gives the rows of the unfiltered listing its filters keep.
 */
static void
test_list_shapes(struct db *db)
{
	static const char *const states[] = { NULL, "notified", "failed",
		"rehearsed" };
	static const char *const pbs[] = { NULL, "pb-a", "pb-b", "pb-none" };
	static const char *const accts[] = { NULL, "111122223333",
		"555566667777" };
	struct finding_filter flt, all;
	struct finding_page p;
	int64_t got[64], want[64];
	size_t s, b, a, i, ng, nw;
	struct finding f;
	int ok = 1;

	TEST("db_findings_list: every filter shape, in id order") {
		memset(&f, 0, sizeof(f));
		th_setstr(&f.playbook, "pb-b");
		th_setstr(&f.account_id, "555566667777");
		th_setstr(&f.region, "eu-west-1");
		th_setstr(&f.resource_id, "other-account");
		th_setstr(&f.title, "Bucket is public");
		f.state = FS_FAILED;
		f.first_seen = f.last_seen = f.updated_at = 1;
		CHECK_INT(db_finding_insert(db, &f), FX_OK);
		finding_release(&f);
		memset(&all, 0, sizeof(all));
		all.limit = 1000;
		CHECK_INT(db_findings_list(db, &all, &p), FX_OK);
		CHECK(p.n > 9 && p.n < 64 && p.next_after == 0);
		for (s = 0; s < 4; s++)
			for (b = 0; b < 4; b++)
				for (a = 0; a < 3; a++) {
					memset(&flt, 0, sizeof(flt));
					flt.state = states[s];
					flt.playbook = pbs[b];
					flt.account_id = accts[a];
					ng = list_ids(db, flt, 7, got, 64);
					for (i = nw = 0; i < p.n && nw < 64;
					     i++)
						if (match(flt.state,
							fstate_name(
							    p.v[i].state)) &&
						    match(flt.playbook,
							p.v[i].playbook) &&
						    match(flt.account_id,
							p.v[i].account_id))
							want[nw++] = p.v[i].id;
					if (ng != nw ||
					    memcmp(got, want,
						nw * sizeof(want[0])) != 0) {
						printf("  shape %zu%zu%zu: %zu "
						       "rows, want %zu\n",
						    s, b, a, ng, nw);
						ok = 0;
					}
				}
		finding_page_release(&p);
		CHECK(ok);
	}
}

static void
test_findings_list(struct db *db)
{
	struct finding_filter flt;
	struct finding_page p;
	char res[32];
	int i;

	TEST("db_findings_list: filters and paging") {
		memset(&flt, 0, sizeof(flt));
		flt.state = "notified";
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 3);
		CHECK(p.n > 0 && p.v[0].first_seen == 1767225600);
		CHECK_INT(p.next_after, 0);
		finding_page_release(&p);
		flt.playbook = "pb-a";
		flt.limit = 1;
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 1);
		CHECK(p.n == 1 && strcmp(p.v[0].playbook, "pb-a") == 0);
		CHECK(p.n == 1 && p.next_after == p.v[0].id);
		flt.after_id = p.next_after;
		finding_page_release(&p);
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 1);
		CHECK(p.n == 1 && p.v[0].id > flt.after_id);
		CHECK_INT(p.next_after, 0);
		finding_page_release(&p);
		flt.account_id = "999999999999";
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 0);
		finding_page_release(&p);
		flt.state = "bogus";
		CHECK_INT(db_findings_list(db, &flt, &p), FX_EINVAL);
		CHECK(p.v == NULL && p.n == 0 && p.next_after == 0);
		finding_page_release(NULL);
	}
	TEST("db_findings_list: default 100, at most 1000") {
		CHECK_INT(db_begin(db), FX_OK);
		for (i = 0; i < 1005; i++) {
			snprintf(res, sizeof(res), "bulk-%d", i);
			CHECK(add(db, "pb-bulk", res, FS_OPEN, 0, 0, 1) > 0);
		}
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(db_findings_list(db, NULL, &p), FX_OK);
		CHECK_INT(p.n, 100);
		CHECK(p.next_after > 0);
		finding_page_release(&p);
		memset(&flt, 0, sizeof(flt));
		flt.playbook = "pb-bulk";
		flt.limit = 5000;
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 1000);
		CHECK(p.n == 1000 && p.next_after == p.v[999].id);
		flt.after_id = p.next_after;
		finding_page_release(&p);
		CHECK_INT(db_findings_list(db, &flt, &p), FX_OK);
		CHECK_INT(p.n, 5);
		CHECK_INT(p.next_after, 0);
		finding_page_release(&p);
	}
}

int
main(void)
{
	struct db *db = NULL;
	int64_t ids[9];

	log_init(LOG_LVL_ERROR, 2);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_db_read.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/r.db", tmpdir);
	if (db_open(dbpath, &db) != FX_OK) {
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	test_finding_json();
	ids[0] = add(db, "pb-a", "r0", FS_NOTIFIED, 1700000000, 0, 1);
	ids[1] = add(db, "pb-a", "r1", FS_NOTIFIED, 1790000000, 0, 1);
	ids[2] = add(db, "pb-b", "r2", FS_NOTIFIED, 1900000000, 0, 1);
	ids[3] = add(db, "pb-a", "r3", FS_EXCEPTED, 0, 0, 1);
	ids[4] = add(db, "pb-a", "r4", FS_FIXING, 1600000000, 0, 1);
	ids[5] = add(db, "pb-b", "r5", FS_FIXING, 1600000000, 1750000000, 1);
	ids[6] = add(db, "pb-a", "r6", FS_FAILED, 0, 0, 50);
	ids[7] = add(db, "pb-a", "r7", FS_FAILED, 0, 0, 60);
	ids[8] = add(db, "pb-b", "r8", FS_FIXED, 0, 0, 1);
	test_counts(db);
	test_show(db, ids[0]);
	test_lists(db, ids);
	test_list_shapes(db);
	test_findings_list(db);
	db_close(db);
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
