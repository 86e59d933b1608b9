/*
 * test_ev.c - every CloudTrail sample in tests/data/events parses,
 * classifies and yields its actions (the folder is read, no file is
 * listed for that). The rules themselves are data: tests/data/ev-rules/
 * (test_ev_rules.c) and tests/data/ev-actions/ (test_ev_actions.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev.h"
#include "ev_act.h"
#include "fxerr.h"
#include "testhelp.h"
#include "banned.h"

#define T_MIN_EVENTS 5

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static void
test_all_files(void)
{
	char dir[4096], path[8192];
	struct buf err = BUF_INIT;
	struct ev_info info;
	struct dirent *de;
	json_error_t e;
	struct ev_action_list acts = EV_ACTION_LIST_INIT;
	json_t *ev;
	DIR *dp;
	int n = 0;

	th_data_path(dir, sizeof(dir), "events");
	CHECK((dp = opendir(dir)) != NULL);
	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (!has_suffix(de->d_name, ".json"))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ev = json_load_file(path, 0, &e);
		CHECK(ev != NULL);
		buf_reset(&err);
		CHECK_INT(ev_parse(ev, &info, &err), FX_OK);
		CHECK_STR(buf_str(&err), "");
		CHECK(info.time > 1700000000);
		CHECK(info.actor[0] != '\0');
		ev_classify(NULL, ev, &info);
		CHECK_INT(ev_actions(&info, ev, &acts), FX_OK);
		printf("  %s: %s/%s by %s (%s): %s, %zu action(s)\n",
		    de->d_name, info.event_source, info.event_name, info.actor,
		    info.identity_type, ev_verdict_name(info.verdict), acts.n);
		ev_action_list_release(&acts);
		json_decref(ev);
	}
	closedir(dp);
	buf_release(&err);
	CHECK(n >= T_MIN_EVENTS);
}

int
main(void)
{
	TEST("every sample event parses")
		test_all_files();
	return TEST_REPORT();
}
