/*
 * test_slack_home.c - the App Home / /fixit mine renderer: bounds (never
 * more blocks than Slack takes, "And N more" for the rest), buttons only
 * on findings that wait for their owner, escaping of every stored string,
 * the admin part.
 */
#include <jansson.h>
#include <string.h>

#include "slack_home.h"
#include "testhelp.h"

#define NITEMS 150

static struct slack_home_item items[NITEMS];

static void
make_items(size_t n, const char *state)
{
	size_t i;

	memset(items, 0, sizeof(items));
	for (i = 0; i < n; i++) {
		items[i].v.id = (int64_t)i + 1;
		items[i].v.title = "Bucket <!channel> & <@U999> is public";
		items[i].v.resource_id = "b<x>";
		items[i].v.account_name = "dev";
		items[i].v.region = "eu-west-1";
		items[i].v.deadline = 1800000000;
		items[i].v.fix_now = 1;
		items[i].v.exc_mask = SLACK_EXC_1M | SLACK_EXC_1Y;
		items[i].state = state;
	}
}

/* the dump of blocks, and the number of buttons in it */
static char *
dump(json_t *blocks, int *nbuttons)
{
	char *s = json_dumps(blocks, JSON_COMPACT);
	const char *p = s;

	*nbuttons = 0;
	while (p != NULL && (p = strstr(p, "\"type\":\"button\"")) != NULL) {
		(*nbuttons)++;
		p++;
	}
	return s;
}

static void
test_bounds(void)
{
	struct slack_home h;
	json_t *b;
	char *s;
	int nb;

	TEST("a home never has more than 100 blocks; the rest is counted") {
		make_items(NITEMS, "notified");
		memset(&h, 0, sizeof(h));
		h.items = items;
		h.n = NITEMS;
		h.total = 400;
		h.more_hint = "use `/fixit mine`";
		b = slack_home_blocks(&h, SLACK_HOME_MAX_BLOCKS);
		CHECK(b != NULL);
		CHECK(json_array_size(b) <= SLACK_HOME_MAX_BLOCKS);
		s = dump(b, &nb);
		CHECK(strstr(s, "And 351 more: use `/fixit mine`.") != NULL);
		/* 49 findings: section + 3 buttons, Not mine, False positive */
		CHECK_INT(nb, 49 * 5);
		free(s);
		json_decref(b);
	}
	TEST("a home stays within SLACK_HOME_MAX_BYTES of JSON") {
		h.max_bytes = SLACK_HOME_MAX_BYTES;
		b = slack_home_blocks(&h, SLACK_HOME_MAX_BLOCKS);
		CHECK(b != NULL);
		s = dump(b, &nb);
		CHECK(s != NULL && strlen(s) <= SLACK_HOME_MAX_BYTES);
		CHECK(nb > 10 * 5 && nb < 49 * 5);
		CHECK(s != NULL &&
		      strstr(s, " more: use `/fixit mine`.") != NULL);
		free(s);
		json_decref(b);
		h.max_bytes = 0;
	}
	TEST("a message reply stays within 50 blocks") {
		h.total = NITEMS;
		h.more_hint = NULL;
		b = slack_home_blocks(&h, SLACK_MSG_MAX_BLOCKS);
		CHECK(b != NULL && json_array_size(b) <= SLACK_MSG_MAX_BLOCKS);
		s = dump(b, &nb);
		CHECK(strstr(s, "And 126 more.") != NULL);
		free(s);
		json_decref(b);
	}
}

static void
test_escaping_and_states(void)
{
	struct slack_home h;
	json_t *b;
	char *s;
	int nb;

	TEST("stored strings are escaped; no buttons unless notified") {
		make_items(3, "notified");
		items[1].state = "excepted";
		items[1].excepted_until = 1800000000;
		items[2].exc_pending = 1;
		memset(&h, 0, sizeof(h));
		h.items = items;
		h.n = 3;
		h.total = 3;
		b = slack_home_blocks(&h, SLACK_HOME_MAX_BLOCKS);
		s = dump(b, &nb);
		CHECK(s != NULL && strstr(s, "<!channel>") == NULL);
		CHECK(s != NULL && strstr(s, "<@U999>") == NULL);
		CHECK(s != NULL && strstr(s, "&lt;!channel&gt; &amp;") != NULL);
		CHECK(s != NULL && strstr(s, "Excepted until <!date^") != NULL);
		CHECK(s != NULL && strstr(s, "awaits a fixit admin") != NULL);
		CHECK_INT(nb, 5); /* the notified one's */
		CHECK(s != NULL && strstr(s, "more") == NULL);
		free(s);
		json_decref(b);
	}
}

static void
test_admin(void)
{
	struct slack_home_count counts[] = { { "notified", 3 },
		{ "failed", 1 } };
	struct slack_home_approval x[40];
	struct slack_home h;
	json_t *b;
	char *s;
	int nb;
	size_t i;

	TEST("an admin sees the counts and the requests, bounded") {
		memset(x, 0, sizeof(x));
		for (i = 0; i < 40; i++) {
			x[i].exception_id = 100 + (int64_t)i;
			x[i].finding_id = 7;
			x[i].title = "t";
			x[i].resource_id = "r";
			x[i].requested_by = "U0OWNER1";
			x[i].kind = "1y";
			x[i].reason = "<!here> please";
		}
		make_items(NITEMS, "notified");
		memset(&h, 0, sizeof(h));
		h.items = items;
		h.n = NITEMS;
		h.total = NITEMS;
		h.admin = 1;
		h.counts = counts;
		h.ncounts = 2;
		h.approvals = x;
		h.napprovals = 40;
		b = slack_home_blocks(&h, SLACK_HOME_MAX_BLOCKS);
		CHECK(b != NULL);
		CHECK(json_array_size(b) <= SLACK_HOME_MAX_BLOCKS);
		s = dump(b, &nb);
		CHECK(s != NULL && strstr(s, "notified: *3*") != NULL);
		CHECK(s != NULL && strstr(s, "fixit_exc_approve") != NULL);
		CHECK(s != NULL && strstr(s, "\"value\":\"100\"") != NULL);
		CHECK(s != NULL && strstr(s, "<@U0OWNER1> asks") != NULL);
		CHECK(s != NULL && strstr(s, "<!here>") == NULL);
		CHECK(s != NULL && strstr(s, "/fixit exceptions") != NULL);
		free(s);
		json_decref(b);
	}
}

int
main(void)
{
	test_bounds();
	test_escaping_and_states();
	test_admin();
	return TEST_REPORT();
}
