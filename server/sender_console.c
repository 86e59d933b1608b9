/*
 * sender_console.c - slack.mode console: the sender's calls printed for
 * a person instead of sent (sender_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "fxtime.h"
#include "sender_int.h"
#include "slack_render.h"
#include "banned.h"

fx_err
sender_console_call(unsigned long *seq, const char *method, const json_t *body,
    json_t **resp)
{
	struct buf out = BUF_INIT;
	const char *user;
	char ts[32];

	*resp = NULL;
	if (strcmp(method, "conversations.open") == 0) {
		user = json_string_value(json_object_get(body, "users"));
		*resp = json_pack("{s:b,s:{s:s+}}", "ok", 1, "channel", "id",
		    "D", user ? user : "");
		return *resp ? FX_OK : FX_ENOMEM;
	}
	buf_init(&out, 256 * 1024);
	/* flushed once a pass (send_pass), not once a message */
	if (slack_render_console(method, body, &out) == FX_OK)
		fwrite(buf_str(&out), 1, out.len, stdout);
	buf_release(&out);
	snprintf(ts, sizeof(ts), "%lld.%06lu", (long long)fx_now(),
	    ++*seq % 1000000);
	*resp = json_pack("{s:b,s:O?,s:s}", "ok", 1, "channel",
	    json_object_get(body, "channel"), "ts", ts);
	return *resp ? FX_OK : FX_ENOMEM;
}
