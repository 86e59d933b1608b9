/*
 * test_cmd.c - server/cmd.c: the /fixit command against a real writer
 * thread on a temp database, seeded through dbw_call with db_* functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "dbwriter.h"
#include "fxtime.h"
#include "testhelp.h"
#include "banned.h"

#define NOW   1795000000LL /* 2026-11-18T11:06:40Z */
#define ADMIN "U0ADMIN1"

static char dbdir[] = "/tmp/fixit-test-cmd-XXXXXX";

static struct account accounts[] = {
	{ (char *)"111122223333", (char *)"prod-main", ENV_PROD,
	    (char *)"C0PROD", NULL, 0, 0 },
	{ (char *)"444455556666", (char *)"dev-sandbox", ENV_NONPROD,
	    (char *)"C0DEV", NULL, 0, 0 },
};
static struct playbook playbooks[2];
static char *admins[] = { (char *)ADMIN };
static struct policy pol;

static void
policy_setup(void)
{
	playbooks[0].name = (char *)"ec2-imdsv1";
	playbooks[0].mode = PB_ENFORCE;
	playbooks[1].name = (char *)"ebs-unused";
	playbooks[1].mode = PB_NOTIFY;
	pol.accounts = accounts;
	pol.naccounts = 2;
	pol.playbooks = playbooks;
	pol.nplaybooks = 2;
	pol.admins = admins;
	pol.nadmins = 1;
	pol.admin_channel = (char *)"C0ADM";
	pol.lease = 300;
}

static void
finding_init(struct finding *f, const char *pb, const char *acct,
    const char *res, enum fstate st)
{
	memset(f, 0, sizeof(*f));
	f->playbook = (char *)pb;
	f->account_id = (char *)acct;
	f->region = (char *)"eu-west-1";
	f->resource_id = (char *)res;
	f->title = (char *)"a title";
	f->state = st;
	f->first_seen = f->last_seen = NOW - 7200;
	f->updated_at = NOW - 60;
}

static fx_err
seed(struct db *db, void *arg)
{
	struct finding f;
	struct exception_rec x;
	fx_err rc;

	(void)arg;
	/* 1: notified, deadline in 1 h */
	finding_init(&f, "ec2-imdsv1", "111122223333", "i-0abc", FS_NOTIFIED);
	f.notified_at = NOW - 100;
	f.deadline = NOW + 3600;
	rc = db_finding_insert(db, &f);
	if (rc != FX_OK)
		return rc;
	rc = db_audit_add(db, f.id, NOW - 200, "fixit", NULL, "open", "created",
	    "first seen", NULL);
	if (rc != FX_OK)
		return rc;
	rc = db_audit_add(db, f.id, NOW - 100, "fixit", "open", "notified",
	    "notify", "owner asked", NULL);
	if (rc != FX_OK)
		return rc;
	/* 2: notified, deadline in 3 days */
	finding_init(&f, "ec2-imdsv1", "111122223333", "i-0def", FS_NOTIFIED);
	f.deadline = NOW + 3 * 86400;
	rc = db_finding_insert(db, &f);
	if (rc != FX_OK)
		return rc;
	/* 3: failed */
	finding_init(&f, "ebs-unused", "444455556666", "vol-1", FS_FAILED);
	f.attempts = 3;
	f.last_error = (char *)"AccessDenied: <boom> & more";
	rc = db_finding_insert(db, &f);
	if (rc != FX_OK)
		return rc;
	/* 4: fixed */
	finding_init(&f, "ebs-unused", "444455556666", "vol-2", FS_FIXED);
	f.prior_state = (char *)"{\"size\":8}";
	rc = db_finding_insert(db, &f);
	if (rc != FX_OK)
		return rc;
	/* 5: excepted, with an active exception */
	finding_init(&f, "ec2-imdsv1", "111122223333", "i-0exc", FS_EXCEPTED);
	f.excepted_until = NOW + 30 * 86400;
	rc = db_finding_insert(db, &f);
	if (rc != FX_OK)
		return rc;
	memset(&x, 0, sizeof(x));
	x.finding_id = f.id;
	x.requested_by = (char *)"U0OWNER";
	x.reason = (char *)"migration in progress";
	x.kind = (char *)"1m";
	x.requested_at = NOW - 50;
	x.until = NOW + 30 * 86400;
	x.status = (char *)"active";
	rc = db_exception_insert(db, &x);
	if (rc != FX_OK)
		return rc;
	rc = db_audit_add(db, f.id, NOW - 50, "U0OWNER", "notified", "excepted",
	    "exception", "migration in progress", NULL);
	if (rc != FX_OK)
		return rc;
	/* 6: fixing, may run now */
	finding_init(&f, "ebs-unused", "444455556666", "vol-3", FS_FIXING);
	return db_finding_insert(db, &f);
}

static fx_err
seed_many(struct db *db, void *arg)
{
	char res[32];
	struct finding f;
	fx_err rc = FX_OK;
	int i;

	(void)arg;
	for (i = 0; i < 300 && rc == FX_OK; i++) {
		snprintf(res, sizeof(res), "vol-many-%03d", i);
		finding_init(&f, "ebs-unused", "444455556666", res, FS_FAILED);
		f.attempts = 3;
		f.last_error = (char
			*)"An error message long enough to fill "
			  "the reply quickly, repeated for every single failure";
		rc = db_finding_insert(db, &f);
	}
	return rc;
}

static fx_err
read_pauses(struct db *db, void *arg)
{
	return db_pause_list(db, (json_t **)arg);
}

static char *
paused_names(struct dbw *w)
{
	json_t *a = NULL;
	char *s = NULL;

	if (dbw_call(w, read_pauses, &a) == FX_OK)
		s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* run text as user; the reply (static storage) */
static const char *
run(struct dbw *w, const char *user, const char *text)
{
	static struct buf reply = BUF_INIT;
	fx_err rc;

	rc = cmd_run(w, &pol, NULL, user, text, NOW, &reply, NULL);
	CHECK_INT(rc, FX_OK);
	CHECK(reply.len <= CMD_MAX_REPLY);
	if (getenv("TEST_VERBOSE"))
		printf("---- /fixit %s\n%s\n", text, buf_str(&reply));
	return buf_str(&reply);
}

#define HAS(hay, needle)                                                       \
	do {                                                                   \
		const char *th_h = (hay);                                      \
		th_checks++;                                                   \
		if (strstr(th_h, (needle)) == NULL) {                          \
			th_failed++;                                           \
			printf("  FAIL %s:%d: missing \"%s\" in:\n%s\n",       \
			    __FILE__, __LINE__, (needle), th_h);               \
		}                                                              \
	} while (0)

static void
test_refusal_help(struct dbw *w)
{
	const char *r;
	char *p;

	TEST("non-admins are refused and nothing runs; help is for all") {
		HAS(run(w, "U0NOBODY", "status"),
		    "Sorry, that /fixit command is for fixit admins.");
		HAS(run(w, "U0NOBODY", "pause all"),
		    "Sorry, that /fixit command is for fixit admins.");
		HAS(run(w, "U0NOBODY", "help"), "*fixit* asks the owner");
		HAS(run(w, "U0NOBODY", "  "), "are for fixit admins");
		HAS(run(w, NULL, "help"), "*fixit* asks the owner");
		p = paused_names(w);
		CHECK_STR(p, "[]");
		free(p);
	}
	TEST("help, empty text, unknown command, bad arguments") {
		r = run(w, ADMIN, "help");
		HAS(r, "*fixit admin commands*");
		HAS(r, "`/fixit undo ID`");
		HAS(run(w, ADMIN, "   "), "*fixit admin commands*");
		r = run(w, ADMIN, "frobnicate <now>");
		HAS(r, "Unknown command `frobnicate`.");
		HAS(r, "`/fixit status`");
		HAS(run(w, ADMIN, "show"), "`show` takes a finding id.");
		HAS(run(w, ADMIN, "show 1 2"), "`show` takes a finding id.");
		HAS(run(w, ADMIN, "status now"), "`status` takes no argument.");
		HAS(run(w, ADMIN, "pause"),
		    "`pause` takes a playbook name or `all`.");
		r = run(w, ADMIN, "show abc");
		HAS(r, "`abc` is not a finding id.");
		HAS(r, "*fixit admin commands*");
		HAS(run(w, ADMIN, "undo -3"), "`-3` is not a finding id.");
		HAS(run(w, ADMIN, "a b c d e"), "too long");
	}
}

static void
test_status(struct dbw *w)
{
	char exp[256], iso[21];
	const char *r;

	TEST("status") {
		r = run(w, ADMIN, "STATUS");
		HAS(r, "*fixit status*");
		HAS(r, "*By state:* open 0 \xc2\xb7 notified 2 \xc2\xb7 "
		       "excepted 1 \xc2\xb7 fixing 1 \xc2\xb7 fixed 1 \xc2\xb7 "
		       "failed 1 \xc2\xb7 resolved 0 \xc2\xb7 rolled_back 0");
		HAS(r, "`ec2-imdsv1` (enforce): notified 2 \xc2\xb7 "
		       "excepted 1\n");
		HAS(r, "`ebs-unused` (notify): fixing 1 \xc2\xb7 fixed 1 "
		       "\xc2\xb7 failed 1\n");
		HAS(r, "*Due in the next 24 h (2):*\n");
		HAS(r, "#6 `ebs-unused` vol-3 (444455556666/eu-west-1) "
		       "fixing, due now\n");
		fx_iso8601_format(NOW + 3600, iso);
		snprintf(exp, sizeof(exp),
		    "#1 `ec2-imdsv1` i-0abc "
		    "(111122223333/eu-west-1) notified, due %s (in 1h 0m)\n",
		    iso);
		HAS(r, exp);
		HAS(r, "*Recent failures (1):*\n");
		HAS(r, "#3 `ebs-unused` vol-1 (444455556666/eu-west-1) after "
		       "3 attempts: AccessDenied: &lt;boom&gt; &amp; more\n");
		HAS(r, "*Paused:* nothing");
		CHECK(strstr(r, "i-0def") == NULL); /* not due in 24 h */
	}
}

static void
test_lists(struct dbw *w)
{
	char exp[256], iso[21], iso2[21];
	const char *r;

	TEST("due") {
		r = run(w, ADMIN, "due");
		HAS(r, "*Due, soonest first (3):*\n");
		HAS(r, "#2 `ec2-imdsv1` i-0def");
		HAS(r, "(in 3d 0h)");
	}
	TEST("exceptions") {
		r = run(w, ADMIN, "exceptions");
		HAS(r, "*Exceptions, pending first (1):*\n");
		fx_iso8601_format(NOW - 50, iso2);
		fx_iso8601_format(NOW + 30 * 86400, iso);
		snprintf(exp, sizeof(exp),
		    "#1 1 month *active* for #5 "
		    "`ec2-imdsv1` i-0exc (111122223333/eu-west-1), by "
		    "<@U0OWNER>, asked %s, until %s (in 30d 0h): migration in "
		    "progress",
		    iso2, iso);
		HAS(r, exp);
	}
	TEST("show") {
		r = run(w, ADMIN, "show #1");
		HAS(r, "*Finding #1* \xe2\x80\x94 `ec2-imdsv1` \xe2\x80\x94 "
		       "*notified*\n");
		HAS(r, "*Title:* a title\n");
		HAS(r, "*Account:* 111122223333 (prod-main, production) "
		       "*Region:* eu-west-1\n");
		HAS(r, "*History (2):*\n");
		fx_iso8601_format(NOW - 200, iso);
		snprintf(exp, sizeof(exp), "%s fixit created: first seen\n",
		    iso);
		HAS(r, exp);
		fx_iso8601_format(NOW - 100, iso);
		snprintf(exp, sizeof(exp),
		    "%s fixit open -> notified: owner "
		    "asked\n",
		    iso);
		HAS(r, exp);
		r = run(w, ADMIN, "show 5");
		/* the finding's own exception, its requester a mention */
		HAS(r, "*Exceptions:*\n\xe2\x80\xa2 #1 1 month *active* for "
		       "#5, by <@U0OWNER>, asked ");
		HAS(r,
		    "<@U0OWNER> notified -> excepted: migration in progress");
		CHECK(strstr(r, "&lt;@") == NULL);
		HAS(run(w, ADMIN, "show 4"), "*Prior state:* {\"size\":8}");
		HAS(run(w, ADMIN, "show 999"), "Finding #999 was not found.");
	}
}

static fx_err
seed_scans(struct db *db, void *arg)
{
	struct scan_rec s;
	fx_err rc;

	(void)arg;
	memset(&s, 0, sizeof(s));
	s.account_id = "111122223333";
	s.region = "eu-west-1";
	s.started_at = NOW - 400;
	s.finished_at = NOW - 300;
	s.ok = 1;
	s.found = 2;
	s.resolved = 1;
	rc = db_scan_add(db, &s);
	if (rc != FX_OK)
		return rc;
	/* never finished: no time to show */
	s.account_id = "444455556666";
	s.finished_at = 0;
	s.ok = 0;
	s.found = s.resolved = 0;
	s.error = "Throttling <slow down>";
	return db_scan_add(db, &s);
}

/* every time a reply shows, formatted from the store's unix seconds */
static void
test_times(struct dbw *w)
{
	char exp[256], a[21], b[21];
	const char *r;

	TEST("times in show and in the last scans") {
		r = run(w, ADMIN, "show 1");
		fx_iso8601_format(NOW - 7200, a);
		snprintf(exp, sizeof(exp),
		    "*First seen:* %s  *Last seen:* "
		    "%s\n",
		    a, a);
		HAS(r, exp);
		fx_iso8601_format(NOW + 3600, a);
		snprintf(exp, sizeof(exp), "*Deadline:* %s (in 1h 0m)\n", a);
		HAS(r, exp);
		CHECK(strstr(r, "*Excepted until:*") == NULL);
		r = run(w, ADMIN, "show 5");
		fx_iso8601_format(NOW + 30 * 86400, a);
		snprintf(exp, sizeof(exp), "*Excepted until:* %s (in 30d 0h)\n",
		    a);
		HAS(r, exp);
		CHECK(strstr(r, "*Deadline:*") == NULL);
		fx_iso8601_format(NOW - 50, b);
		snprintf(exp, sizeof(exp), "%s <@U0OWNER> notified -> excepted",
		    b);
		HAS(r, exp);

		CHECK_INT(dbw_call(w, seed_scans, NULL), FX_OK);
		r = run(w, ADMIN, "status");
		fx_iso8601_format(NOW - 300, a);
		snprintf(exp, sizeof(exp),
		    "\n*Last scans:*\n\xe2\x80\xa2 "
		    "prod-main (111122223333) eu-west-1: complete %s (5m "
		    "ago), 2 found, 1 resolved\n",
		    a);
		HAS(r, exp);
		HAS(r,
		    "\xe2\x80\xa2 dev-sandbox (444455556666) eu-west-1: "
		    "*incomplete* -, 0 found, 0 resolved: Throttling &lt;slow "
		    "down&gt;\n");
	}
}

static void
test_changes(struct dbw *w)
{
	const char *r;
	char *p;

	TEST("pause and resume") {
		HAS(run(w, ADMIN, "pause ebs-unused"),
		    "Paused playbook `ebs-unused`");
		p = paused_names(w);
		CHECK_STR(p, "[\"ebs-unused\"]");
		free(p);
		HAS(run(w, ADMIN, "status"), "*Paused:* `ebs-unused`");
		HAS(run(w, ADMIN, "status"), "`ebs-unused` (notify, paused)");
		HAS(run(w, ADMIN, "pause all"), "Paused all fixes");
		HAS(run(w, ADMIN, "resume all"), "Resumed all fixes.");
		HAS(run(w, ADMIN, "resume ebs-unused"),
		    "Resumed playbook `ebs-unused`.");
		p = paused_names(w);
		CHECK_STR(p, "[]");
		free(p);
		r = run(w, ADMIN, "pause nosuch");
		CHECK_STR(r, "Unknown playbook `nosuch`. Valid names: `all`, "
			     "`ec2-imdsv1`, `ebs-unused`.");
	}
	TEST("undo") {
		HAS(run(w, ADMIN, "undo 4"), "Undo of #4 queued.");
		HAS(run(w, ADMIN, "undo 4"), "already queued");
		HAS(run(w, ADMIN, "undo 1"), "only a fixed finding can be "
					     "undone");
		HAS(run(w, ADMIN, "undo 999"), "#999 was not found");
		HAS(run(w, ADMIN, "show 4"), "undo_requested");
	}
}

static void
test_long(struct dbw *w)
{
	const char *r;

	TEST("long lists are cut with \"and N more\"") {
		CHECK_INT(dbw_call(w, seed_many, NULL), FX_OK);
		r = run(w, ADMIN, "status");
		HAS(r, "*Recent failures (301):*\n");
		HAS(r, "\xe2\x80\xa6 and 296 more\n");
		HAS(r, "*Paused:*");
		CHECK(strlen(r) <= CMD_MAX_REPLY);
	}
}

int
main(void)
{
	char path[600];
	struct dbw *w = NULL;
	fx_err rc;

	if (mkdtemp(dbdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/fixit.db", dbdir);
	policy_setup();
	rc = dbw_start(path, &w);
	if (rc != FX_OK) {
		printf("dbw_start: %s\n", fx_strerror(rc));
		return 1;
	}
	rc = dbw_call(w, seed, NULL);
	CHECK_INT(rc, FX_OK);
	test_refusal_help(w);
	test_status(w);
	test_lists(w);
	test_times(w);
	test_changes(w);
	test_long(w);
	dbw_stop(w);
	snprintf(path, sizeof(path), "rm -rf '%s'", dbdir);
	if (system(path) != 0)
		printf("cannot remove %s\n", dbdir);
	return TEST_REPORT();
}
