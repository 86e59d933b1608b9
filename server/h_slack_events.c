/*
 * h_slack_events.c - POST /slack/events, Slack's Events API.
 *
 * Signed like the other Slack routes (h_slack_verified), with a JSON
 * body. Three kinds of answer, all within Slack's 3 seconds:
 *   url_verification  200 with the challenge (Slack's handshake when the
 *                     request URL is saved)
 *   event_callback    app_home_opened on the Home tab: the user's home
 *                     is queued for publishing (home.h), answered 200 at
 *                     once; the read and the views.publish happen on
 *                     the home thread, never here
 *   anything else     200, nothing done, counted (reason "event")
 * A retry (X-Slack-Retry-Num) queues the same user again: the queue
 * coalesces it, or it is one more publish of the same home.
 */
#include <string.h>

#include <jansson.h>

#include "fxutil.h"
#include "home.h"
#include "http.h"
#include "slack_say.h"
#include "banned.h"

#define ROUTE	      "/slack/events"
#define MAX_CHALLENGE 256 /* Slack's are about 50 characters */

/* 1 when s is a non-empty printable ASCII string of at most max bytes */
static int
printable(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

static void
url_verification(struct app *a, const json_t *root, struct http_reply *rp)
{
	const char *c = json_string_value(json_object_get(root, "challenge"));

	if (!printable(c, MAX_CHALLENGE)) {
		h_slack_reject(a, REJ_PAYLOAD, ROUTE);
		http_reply_empty(rp, 200);
		return;
	}
	http_reply_json(rp, 200, json_pack("{s:s}", "challenge", c));
}

static void
event_callback(struct app *a, const json_t *root, struct http_reply *rp)
{
	const json_t *ev = json_object_get(root, "event");
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *tab = json_string_value(json_object_get(ev, "tab"));
	const char *user = json_string_value(json_object_get(ev, "user"));

	if (type == NULL || strcmp(type, "app_home_opened") != 0) {
		h_slack_reject(a, REJ_EVENT, ROUTE);
	} else if (tab != NULL && strcmp(tab, "home") != 0) {
		/* the Messages tab: nothing to publish */
	} else if (!fx_slack_user_id_ok(user)) {
		h_slack_reject(a, REJ_PAYLOAD, ROUTE);
	} else {
		home_opened(a->home, user);
	}
	http_reply_empty(rp, 200);
}

void
h_slack_events(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const char *body, *type;
	json_t *root;
	size_t len;

	if (!h_slack_verified(a, r, rp, ROUTE, "application/json"))
		return;
	body = http_req_body(r, &len);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	type = json_string_value(json_object_get(root, "type"));
	if (type == NULL) {
		/* signed by Slack, yet unreadable: 200 so it stops trying */
		h_slack_reject(a, REJ_PAYLOAD, ROUTE);
		http_reply_empty(rp, 200);
	} else if (strcmp(type, "url_verification") == 0) {
		url_verification(a, root, rp);
	} else if (strcmp(type, "event_callback") == 0) {
		event_callback(a, root, rp);
	} else {
		h_slack_reject(a, REJ_EVENT, ROUTE);
		http_reply_empty(rp, 200);
	}
	json_decref(root);
}
