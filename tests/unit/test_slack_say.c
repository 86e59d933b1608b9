/*
 * test_slack_say.c - every fact code renders, free strings are escaped
 * once, mentions only from valid user ids, one date token per date, and
 * the plain variant has no markup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "slack_say.h"
#include "testhelp.h"
#include "banned.h"

#define HOSTILE "<!channel> & <@U1|x> *b*"
#define T_UNTIL 1767225600 /* 2026-01-01T00:00:00Z */

static const struct slack_finding_view view = {
	.id = 7,
	.title = "Bucket <b> & public",
	.resource_id = "bucket-1",
};
static const struct slack_finding_view plainview = {
	.id = 7,
	.title = "Bucket public",
	.resource_id = "bucket-1",
};

/*
 * A fact of code with every field any code reads, strings s; variant
 * 0..2 sets the fields that choose a sentence's variant differently.
 */
static json_t *
fact(const char *code, const char *s, int variant)
{
	static const char *const results[3] = { "done", "rehearsed", "failed" };
	json_t *f;

	f = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:I,s:I,s:s,"
		      "s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:b,"
		      "s:b}",
	    "say", code, "by", "U0ADMIN1", "owner", "U0OWNER1", "kind", "1y",
	    "until", (json_int_t)T_UNTIL, "deadline", (json_int_t)T_UNTIL,
	    "reason", s, "description", s, "message", s, "exception_id",
	    (json_int_t)3, "finding_id", (json_int_t)7, "state", "notified",
	    "env", "production", "mode", "enforce", "playbook", s, "status",
	    "active", "max", 500, "attempts", 3, "count", 4, "threshold", 3,
	    "window", 3600, "result", results[variant], "breaker",
	    variant ? "undos" : "failures", "dry_run", variant == 0,
	    "irreversible", variant == 0);
	if (f != NULL && variant > 0)
		json_object_del(f, "owner");
	if (f != NULL && variant < 2) /* variant 2: no account name */
		json_object_set_new(f, "account_name", json_string(s));
	if (f != NULL)
		json_object_set_new(f, "iam_user", json_string(s));
	if (f != NULL)
		json_object_set_new(f, "actor", json_string(s));
	if (f != NULL)
		json_object_set_new(f, "account", json_string("123456789012"));
	return f;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_every_code(void)
{
	struct buf b = BUF_INIT, g = BUF_INIT;
	const char *code;
	json_t *f, *unknown;
	size_t i;
	int v;

	unknown = json_pack("{s:s}", "say", "no_such_code");
	CHECK_INT(slack_say(unknown, &view, &g), FX_OK);
	for (i = 0; (code = slack_say_code(i)) != NULL; i++) {
		TEST(code)
			for (v = 0; v < 3; v++) {
				f = fact(code, HOSTILE, v);
				buf_reset(&b);
				CHECK_INT(slack_say(f, &view, &b), FX_OK);
				if (getenv("TEST_VERBOSE"))
					printf("    %s\n", buf_str(&b));
				CHECK(b.len > 0);
				CHECK(strcmp(buf_str(&b), buf_str(&g)) != 0);
				/* no field left unfilled: braces only in dates */
				CHECK_INT(count(buf_str(&b), "{"),
				    2 * count(buf_str(&b), "<!date^"));
				/* no hostile markup gets through */
				CHECK(strstr(buf_str(&b), "<!channel") == NULL);
				CHECK(strstr(buf_str(&b), "<@U1|") == NULL);
				CHECK(strstr(buf_str(&b), "<b>") == NULL);
				CHECK(strstr(buf_str(&b), "&amp;amp;") == NULL);
				CHECK(strstr(buf_str(&b), "&lt;!date") == NULL);
				CHECK(strstr(buf_str(&b), "&lt;@") == NULL ||
				      strstr(buf_str(&b), "&lt;@U1|x&gt;") !=
					  NULL);
				/* a date is exactly one well-formed token */
				CHECK_INT(count(buf_str(&b), "<!date^"),
				    count(buf_str(&b),
					"|2026-01-01T00:00:00Z>"));
				buf_reset(&b);
				CHECK_INT(slack_say_plain(f, &view, &b), FX_OK);
				CHECK(b.len > 0);
				CHECK(strstr(buf_str(&b), "<!date") == NULL);
				CHECK(strstr(buf_str(&b), "&lt;") == NULL);
				CHECK(strstr(buf_str(&b), "<@U0") == NULL);
				json_decref(f);
				/* benign fields: the plain text has no markup at all */
				f = fact(code, "plain words", v);
				buf_reset(&b);
				CHECK_INT(slack_say_plain(f, &plainview, &b),
				    FX_OK);
				CHECK(strpbrk(buf_str(&b), "*`&>") == NULL);
				json_decref(f);
			}
	}
	json_decref(unknown);
	buf_release(&b);
	buf_release(&g);
}

static void
check_say(const json_t *f, const struct slack_finding_view *v, int plain,
    const char *want)
{
	struct buf b = BUF_INIT;

	CHECK_INT(plain ? slack_say_plain(f, v, &b) : slack_say(f, v, &b),
	    FX_OK);
	CHECK_STR(buf_str(&b), want);
	buf_release(&b);
}

static void
test_sentences(void)
{
	json_t *f;

	TEST("approved: a mention and one date token") {
		f = json_pack("{s:s,s:s,s:s,s:I}", "say", "exc_approved", "by",
		    "U0ADMIN1", "kind", "1y", "until", (json_int_t)T_UNTIL);
		check_say(f, &view, 0,
		    "Exception: 1 year approved by <@U0ADMIN1> until "
		    "<!date^1767225600^{date_short_pretty} at "
		    "{time}|2026-01-01T00:00:00Z>");
		check_say(f, &view, 1,
		    "Exception: 1 year approved by U0ADMIN1 until "
		    "2026-01-01T00:00:00Z");
		json_decref(f);
	}
	TEST("a hostile reason is escaped once") {
		f = json_pack("{s:s,s:s,s:s,s:s}", "say", "exc_requested", "by",
		    "U0OWNER1", "kind", "1m", "reason", HOSTILE);
		check_say(f, &view, 0,
		    "<@U0OWNER1> asked for a *1 month* exception (awaiting "
		    "admin approval): &lt;!channel&gt; &amp; &lt;@U1|x&gt; "
		    "*b*");
		json_decref(f);
	}
	TEST("an invalid user id is text, not a mention") {
		f = json_pack("{s:s,s:s}", "say", "fix_now", "by", "<!here>");
		check_say(f, NULL, 0, "&lt;!here&gt; chose *Fix now*");
		json_decref(f);
		f = json_pack("{s:s}", "say", "fix_now");
		check_say(f, NULL, 0, "someone chose *Fix now*");
		json_decref(f);
	}
	TEST("the finding's name from the view, escaped") {
		f = json_pack("{s:s,s:s}", "say", "exc_lapsed", "kind", "1m");
		check_say(f, &view, 0,
		    "Your 1 month exception for Bucket &lt;b&gt; &amp; public "
		    "(#7) lapsed; you will be asked again.");
		check_say(f, NULL, 1,
		    "Your 1 month exception for this finding lapsed; you will "
		    "be asked again.");
		json_decref(f);
	}
	TEST("optional fields") {
		f = json_pack("{s:s,s:s,s:s,s:I}", "say", "exc_denied", "by",
		    "U0ADMIN1", "kind", "1m", "deadline", (json_int_t)0);
		check_say(f, &view, 0,
		    "Exception: 1 month denied by <@U0ADMIN1>.");
		json_decref(f);
		f = json_pack("{s:s}", "say", "not_owner");
		check_say(f, &view, 0,
		    "Only the owner of this finding or a fixit admin can do "
		    "that.");
		json_decref(f);
		f = json_pack("{s:s,s:s}", "say", "not_owner", "owner",
		    "U0OWNER1");
		check_say(f, &view, 1,
		    "Only the owner of this finding (U0OWNER1) or a fixit admin "
		    "can do that.");
		json_decref(f);
	}
	TEST("a wait in words") {
		static const struct {
			json_int_t secs;
			const char *words;
		} w[] = { { 59, "less than a minute" }, { 60, "1 minute" },
			{ 25 * 60 + 30, "25 minutes" }, { 3600, "1 hour" },
			{ 4 * 3600 + 60, "4 hours 1 minute" },
			{ 86400 + 1800, "1 day" },
			{ 2 * 86400 + 3 * 3600, "2 days 3 hours" } };
		struct buf want = BUF_INIT;
		size_t i;

		for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
			f = json_pack("{s:s,s:I,s:s,s:I,s:b}", "say",
			    "approval_waiting", "exception_id", (json_int_t)3,
			    "kind", "1y", "waited", w[i].secs, "escalated", 1);
			buf_reset(&want);
			CHECK_INT(buf_addf(&want,
				      "Exception request #3 (1 year) for "
				      "Bucket public (#7) has waited %s "
				      "for a fixit admin: please approve or "
				      "deny it.",
				      w[i].words),
			    FX_OK);
			check_say(f, &plainview, 1, buf_str(&want));
			json_decref(f);
		}
		buf_release(&want);
	}
	TEST("a fix's saving in words") {
		static const struct {
			json_int_t cents, unknown;
			const char *words;
		} m[] = { { 365, 0, "$3.65 a month" },
			{ 5, 0, "$0.05 a month" },
			{ 123456789, 0, "$1,234,567.89 a month" },
			{ 100000000, 0, "$1,000,000.00 a month" },
			{ -500, 0, "-$5.00 a month" },
			{ 0, 0, "$0.00 a month" },
			{ 759, 1,
			    "$7.59 a month (without 1 item not in its price "
			    "table)" },
			{ 0, 2,
			    "amount fixit cannot tell (2 items not in its "
			    "price table)" } };
		struct buf want = BUF_INIT;
		size_t i;

		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			f = json_pack("{s:s,s:s,s:b,s:{s:I,s:I}}", "say",
			    "fixed_owner", "description", "delete the volume",
			    "irreversible", 0, "saving", "cents", m[i].cents,
			    "unknown", m[i].unknown);
			buf_reset(&want);
			CHECK_INT(buf_addf(&want,
				      "Fixed by fixit: delete the volume on "
				      "Bucket public (#7), saving an "
				      "estimated %s. A fixit admin can undo "
				      "it.",
				      m[i].words),
			    FX_OK);
			check_say(f, &plainview, 1, buf_str(&want));
			json_decref(f);
		}
		buf_release(&want);
		/* no saving: the sentence as before */
		f = json_pack("{s:s,s:s}", "say", "fixed", "description",
		    "delete <the> volume");
		check_say(f, &view, 0,
		    "Fixed by fixit: delete &lt;the&gt; volume");
		json_decref(f);
		f = json_pack("{s:s,s:s,s:{s:i,s:i}}", "say", "fixed",
		    "description", "release the address", "saving", "cents",
		    365, "unknown", 0);
		check_say(f, &view, 0,
		    "Fixed by fixit: release the address, saving an estimated "
		    "$3.65 a month");
		json_decref(f);
	}
	TEST("unknown or missing code: a generic sentence") {
		f = json_pack("{s:s}", "say", "<b>new");
		check_say(f, &view, 0,
		    "fixit has an update on Bucket &lt;b&gt; &amp; public "
		    "(#7).");
		json_decref(f);
		f = json_pack("{}");
		check_say(f, NULL, 1, "fixit has an update on this finding.");
		json_decref(f);
	}
}

int
main(void)
{
	test_every_code();
	test_sentences();
	return TEST_REPORT();
}
