/*
 * test_db_events.c - the events table (stored once, processed once, the
 * batch-rule count), retention (db_purge), scan records (db_scan_last,
 * purged after the retention too).
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

static int64_t
count(struct db *db, const char *state)
{
	json_t *c = NULL;
	int64_t n;

	if (db_event_counts(db, &c) != FX_OK)
		return -1;
	n = json_integer_value(json_object_get(c, state));
	json_decref(c);
	return n;
}

static void
done(struct db *db, const char *id, const char *actor, int64_t t,
    int64_t launches, fx_err want)
{
	struct event_done d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.state = "done";
	d.account_id = "444455556666";
	d.event_name = "RunInstances";
	d.actor = actor;
	d.event_time = t;
	d.launches = launches;
	CHECK_INT(db_event_done(db, &d, t * 1000), want);
}

static void
test_events(struct db *db)
{
	struct event_row *rows = NULL;
	int64_t n = 0;
	size_t k = 0, i;
	int dup = -1;

	TEST("an event id is stored once, pending in arrival order") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_event_add(db, "e1", "cloudtrail", "{}", 1000,
			      &dup),
		    FX_OK);
		CHECK_INT(dup, 0);
		CHECK_INT(db_event_add(db, "e1", "cloudtrail", "{\"x\":1}",
			      2000, &dup),
		    FX_OK);
		CHECK_INT(dup, 1);
		CHECK_INT(db_event_add(db, "e2", "securityhub", "{}", 3000,
			      &dup),
		    FX_OK);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(db_event_pending(db, 10, &rows, &k), FX_OK);
		CHECK_INT(k, 2);
		if (k == 2) {
			CHECK_STR(rows[0].id, "e1");
			CHECK_STR(rows[0].body, "{}"); /* the first copy */
			CHECK_INT(rows[0].received_at, 1000);
			CHECK_STR(rows[1].kind, "securityhub");
		}
		for (i = 0; i < k; i++)
			event_row_release(&rows[i]);
		free(rows);
	}
	TEST("done once: a second mark finds it no longer pending") {
		CHECK_INT(db_begin(db), FX_OK);
		done(db, "e1", "alice@example.com", 100, 3, FX_OK);
		done(db, "e1", "alice@example.com", 100, 3, FX_ENOTFOUND);
		done(db, "nope", "alice@example.com", 100, 3, FX_ENOTFOUND);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(count(db, "done"), 1);
		CHECK_INT(count(db, "pending"), 1);
	}
	TEST("launches in the window, summed over at most max events") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_event_add(db, "e3", "cloudtrail", "{}", 4000,
			      &dup),
		    FX_OK);
		CHECK_INT(db_event_add(db, "e4", "cloudtrail", "{}", 5000,
			      &dup),
		    FX_OK);
		done(db, "e3", "alice@example.com", 200, 2, FX_OK);
		done(db, "e4", "bob@example.com", 300, 7, FX_OK);
		CHECK_INT(db_event_launches(db, "alice@example.com",
			      "444455556666", 0, 100, &n),
		    FX_OK);
		CHECK_INT(n, 5);
		CHECK_INT(db_event_launches(db, "alice@example.com",
			      "444455556666", 150, 100, &n),
		    FX_OK);
		CHECK_INT(n, 2);
		CHECK_INT(db_event_launches(db, "alice@example.com",
			      "444455556666", 0, 1, &n),
		    FX_OK);
		CHECK(n == 2 || n == 3); /* one event's worth */
		CHECK_INT(db_event_launches(db, "alice@example.com",
			      "111122223333", 0, 100, &n),
		    FX_OK);
		CHECK_INT(n, 0);
		CHECK_INT(db_commit(db), FX_OK);
	}
}

static int64_t
outbox_rows(struct db *db)
{
	int64_t n = -1;

	return db_outbox_depth(db, &n) == FX_OK ? n : -1;
}

static void
test_purge(struct db *db)
{
	struct outbox_row *rows = NULL;
	json_t *args = json_pack("{s:s}", "text", "hi");
	int64_t n = -1;
	size_t k = 0, i;
	int dup;

	TEST("retention deletes old delivered rows and processed events") {
		CHECK_INT(db_begin(db), FX_OK);
		/* outbox: two old (one sent, one pending), one recent sent */
		CHECK_INT(db_outbox_add(db, "admin_msg", 0, args, 10), FX_OK);
		CHECK_INT(db_outbox_add(db, "admin_msg", 0, args, 11), FX_OK);
		CHECK_INT(db_outbox_add(db, "admin_msg", 0, args, 5000), FX_OK);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(db_outbox_due(db, 6000, 0, 10, &rows, &k), FX_OK);
		CHECK_INT(db_begin(db), FX_OK);
		for (i = 0; i < k; i++)
			if (rows[i].created_at != 11)
				CHECK_INT(db_outbox_sent(db, rows[i].id, 6000),
				    FX_OK);
		CHECK_INT(db_commit(db), FX_OK);
		for (i = 0; i < k; i++)
			outbox_row_release(&rows[i]);
		free(rows);
		CHECK_INT(outbox_rows(db), 1); /* the old pending one */
		/* events: e1, e3, e4 done (received 1, 4, 5 s); e2 pending */
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_purge(db, 4, 100, &n), FX_OK);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(n, 1); /* e1 (received at 1 s); no outbox
					 * row is older than 4 s */
		CHECK_INT(count(db, "done"), 2);
	}
	TEST("pending rows survive any retention; batches are bounded") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_event_add(db, "e9", "cloudtrail", "{}", 1, &dup),
		    FX_OK);
		CHECK_INT(db_purge(db, 1000000, 1, &n), FX_OK);
		CHECK_INT(n, 2); /* one of each table at most */
		CHECK_INT(db_purge(db, 1000000, 100, &n), FX_OK);
		CHECK_INT(db_commit(db), FX_OK);
		CHECK_INT(count(db, "done"), 0);
		CHECK_INT(count(db, "pending"), 2); /* e2, e9 */
		CHECK_INT(outbox_rows(db), 1);
	}
	json_decref(args);
}

static void
scan(struct db *db, const char *acct, const char *region, int64_t at)
{
	struct scan_rec s;

	memset(&s, 0, sizeof(s));
	s.account_id = acct;
	s.region = region;
	s.started_at = at;
	s.finished_at = at + 1;
	s.ok = 1;
	s.found = at;
	CHECK_INT(db_scan_add(db, &s), FX_OK);
}

/* "acct/region@started_at,..." of db_scan_last */
static void
scans_last(struct db *db, char *out, size_t len)
{
	json_t *a = NULL, *x;
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	CHECK_INT(db_scan_last(db, &a), FX_OK);
	json_array_foreach(a, i, x) {
		n = snprintf(out + used, len - used, "%s%s/%s@%lld",
		    i ? "," : "",
		    json_string_value(json_object_get(x, "account_id")),
		    json_string_value(json_object_get(x, "region")),
		    (long long)json_integer_value(
			json_object_get(x, "started_at")));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	json_decref(a);
}

static void
test_scans(struct db *db)
{
	char s[512];
	int64_t n;

	TEST("db_scan_last: the last scan of every pair, in order") {
		scans_last(db, s, sizeof(s));
		CHECK_STR(s, "");
		CHECK_INT(db_begin(db), FX_OK);
		scan(db, "2", "us-east-1", 100);
		scan(db, "1", "eu-west-1", 100);
		scan(db, "1", "us-east-1", 100);
		scan(db, "2", "us-east-1", 200);
		scan(db, "1", "eu-west-1", 300);
		scan(db, "3", "ap-south-1", 50);
		scan(db, "1", "eu-west-1", 400);
		CHECK_INT(db_commit(db), FX_OK);
		scans_last(db, s, sizeof(s));
		CHECK_STR(s, "1/eu-west-1@400,1/us-east-1@100,2/us-east-1@200,"
			     "3/ap-south-1@50");
	}
	TEST("scan records are purged after the retention, oldest first") {
		CHECK_INT(db_begin(db), FX_OK);
		CHECK_INT(db_purge(db, 150, 1, &n), FX_OK);
		CHECK_INT(n, 1); /* the one of ap-south-1 (50) */
		CHECK_INT(db_purge(db, 150, 100, &n), FX_OK);
		CHECK_INT(n, 3); /* the three at 100 */
		CHECK_INT(db_purge(db, 150, 100, &n), FX_OK);
		CHECK_INT(n, 0);
		CHECK_INT(db_commit(db), FX_OK);
		scans_last(db, s, sizeof(s));
		CHECK_STR(s, "1/eu-west-1@400,2/us-east-1@200");
	}
}

int
main(void)
{
	struct db *db = NULL;

	log_init(LOG_LVL_ERROR, 2);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fixit-test-dbev-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/e.db", tmpdir);
	if (db_open(dbpath, &db) != FX_OK) {
		printf("cannot open %s\n", dbpath);
		th_remove_db(tmpdir, dbpath);
		return 1;
	}
	test_events(db);
	test_purge(db);
	test_scans(db);
	db_close(db);
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
