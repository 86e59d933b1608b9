/*
 * test_sender_say.c - what an outbox row says (server/sender_say.c): a
 * fact is put into words once (date tokens and mentions intact), a row
 * queued by an older version ("text", already mrkdwn) is delivered as
 * before, a row without either says nothing.
 */
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "sender_int.h"
#include "testhelp.h"
#include "banned.h"

static const char *
text_of(const json_t *msg)
{
	return json_string_value(json_object_get(msg, "text"));
}

int
main(void)
{
	struct buf b = BUF_INIT;
	json_t *args, *msg;

	TEST("a fact: one date token, one mention, nothing escaped twice") {
		args = json_pack("{s:s,s:s,s:s,s:I}", "say", "exc_approved",
		    "by", "U0ADMIN1", "kind", "1y", "until",
		    (json_int_t)1767225600);
		CHECK(sender_say_has(args));
		msg = sender_say_message(NULL, NULL, args, 0);
		CHECK_STR(text_of(msg),
		    "Exception: 1 year approved by <@U0ADMIN1> until "
		    "<!date^1767225600^{date_short_pretty} at "
		    "{time}|2026-01-01T00:00:00Z>");
		json_decref(msg);
		CHECK_INT(sender_say_text(NULL, NULL, args, &b), FX_OK);
		CHECK(strstr(buf_str(&b), "&lt;") == NULL);
		json_decref(args);
	}
	TEST("a legacy text row is delivered as before") {
		args =
		    json_pack("{s:s}", "text", "<@U0ADMIN1> chose *Fix now*");
		CHECK(sender_say_has(args));
		msg = sender_say_message(NULL, NULL, args, 0);
		CHECK_STR(text_of(msg), "<@U0ADMIN1> chose *Fix now*");
		json_decref(msg);
		buf_reset(&b);
		CHECK_INT(sender_say_text(NULL, NULL, args, &b), FX_OK);
		CHECK_STR(buf_str(&b), "<@U0ADMIN1> chose *Fix now*");
		json_decref(args);
	}
	TEST("nothing to say") {
		args = json_pack("{s:s}", "channel", "C1");
		CHECK(!sender_say_has(args));
		CHECK(sender_say_message(NULL, NULL, args, 1) == NULL);
		json_decref(args);
	}
	buf_release(&b);
	return TEST_REPORT();
}
