/*
 * test_ev_actions.c - the actions a CloudTrail event asks for
 * (events/ev_act.c) and the findings and messages they produce
 * (events/ev_decide.c), from the cases in tests/data/ev-actions/ (see
 * its README for the sections and the text form printed here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev.h"
#include "ev_act.h"
#include "ev_decide.h"
#include "fxerr.h"
#include "testcase.h"
#include "testhelp.h"
#include "banned.h"

#define MAX_GLOBS 8
#define SHOWN_IDS 5 /* ids printed of a list; "..." for more */

/* the rules and settings of a case (its "rules" and "settings") */
struct setup {
	char text[4096]; /* a copy of both sections, cut into words */
	const char *automation[MAX_GLOBS + 1];
	const char *iac[MAX_GLOBS + 1];
	size_t nauto, niac;
	struct ev_settings s;
	struct ev_account a;
};

/* the next line of *p (cut in place); NULL at the end */
static char *
next_line(char **p)
{
	char *line = *p, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl++ = '\0';
	*p = nl;
	return line;
}

/* "key value" lines of the rules and settings sections */
static int
setup_read(struct setup *su, const char *rules, const char *settings)
{
	char *p = su->text, *line, *val;

	memset(su, 0, sizeof(*su));
	snprintf(su->text, sizeof(su->text), "%s\n%s", rules ? rules : "",
	    settings ? settings : "");
	while ((line = next_line(&p)) != NULL) {
		if (*line == '\0' || *line == '#')
			continue;
		val = strchr(line, ' ');
		if (val != NULL)
			*val++ = '\0';
		if (strcmp(line, "employee_pattern") == 0 && val)
			su->s.rules.employee_pattern = val;
		else if (strcmp(line, "automation") == 0 && val &&
			 su->nauto < MAX_GLOBS)
			su->automation[su->nauto++] = val;
		else if (strcmp(line, "iac_tag") == 0 && val &&
			 su->niac < MAX_GLOBS)
			su->iac[su->niac++] = val;
		else if (strcmp(line, "quarantine_playbook") == 0 && val)
			su->s.quarantine_playbook = val;
		else if (strcmp(line, "dangling_playbook") == 0 && val)
			su->s.dangling_playbook = val;
		else if (strcmp(line, "launch_batch") == 0 && val)
			su->s.launch_batch = (int)strtol(val, NULL, 10);
		else if (strcmp(line, "launch_window") == 0 && val)
			su->s.launch_window = strtoll(val, NULL, 10);
		else if (strcmp(line, "account") == 0 && val)
			su->a.name = val;
		else if (strcmp(line, "production") == 0)
			su->a.prod = 1;
		else {
			printf("  unknown setting: %s\n", line);
			return -1;
		}
	}
	su->s.rules.automation = su->nauto ? su->automation : NULL;
	su->s.iac_tags = su->niac ? su->iac : NULL;
	return 0;
}

/* the event of the case: a file of tests/data/events or inline JSON */
static json_t *
case_event(const char *src)
{
	char rel[512], *text;
	json_error_t e;
	json_t *ev;

	if (src == NULL)
		return NULL;
	if (strncmp(src, "file ", 5) != 0) {
		ev = json_loads(src, 0, &e);
		if (ev == NULL)
			printf("  bad event JSON: %s\n", e.text);
		return ev;
	}
	snprintf(rel, sizeof(rel), "events/%.*s", (int)strcspn(src + 5, "\n"),
	    src + 5);
	text = th_read_data(rel, NULL);
	ev = text ? json_loads(text, 0, &e) : NULL;
	if (text != NULL && ev == NULL)
		printf("  bad JSON in %s: %s\n", rel, e.text);
	free(text);
	return ev;
}

/* set: "a.b.c = JSON" (the parents must exist) or "delete a.b.c" */
static int
edit_one(json_t *ev, char *line)
{
	char *path, *eq, *dot, *key;
	json_t *o = ev, *v = NULL;
	json_error_t e;
	int del = strncmp(line, "delete ", 7) == 0;

	path = del ? line + 7 : line;
	if (!del) {
		if ((eq = strstr(path, " = ")) == NULL)
			return -1;
		*eq = '\0';
		v = json_loads(eq + 3, JSON_DECODE_ANY, &e);
		if (v == NULL) {
			printf("  bad JSON for %s: %s\n", path, e.text);
			return -1;
		}
	}
	for (key = path; (dot = strchr(key, '.')) != NULL; key = dot + 1) {
		*dot = '\0';
		o = json_object_get(o, key);
	}
	if (!json_is_object(o)) {
		json_decref(v);
		return -1;
	}
	if (del)
		return json_object_del(o, key) == 0 ? 0 : -1;
	return json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

static int
edit(json_t *ev, const char *set)
{
	char *copy = set ? strdup(set) : NULL, *p = copy, *line;
	int rc = 0;

	while (rc == 0 && (line = next_line(&p)) != NULL)
		if (*line != '\0' && *line != '#')
			rc = edit_one(ev, line);
	free(copy);
	return rc;
}

/* "many-instances N": the launch's items replaced with N made-up ids */
static void
many_instances(json_t *ev, const char *n_text)
{
	json_t *items = json_array();
	char id[32];
	long i, n = n_text ? strtol(n_text, NULL, 10) : 0;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "i-%017lx", (unsigned long)i);
		json_array_append_new(items,
		    json_pack("{s:s}", "instanceId", id));
	}
	json_object_set_new(json_object_get(json_object_get(json_object_get(ev,
								"detail"),
						"responseElements"),
				"instancesSet"),
	    "items", items);
}

static const char *
res_name(enum ev_resource r)
{
	switch (r) {
	case EV_RES_S3:
		return " s3";
	case EV_RES_ELB:
		return " elb";
	case EV_RES_EC2:
		return " ec2";
	case EV_RES_RDS:
		return " rds";
	case EV_RES_EIP:
		return " eip";
	case EV_RES_CLOUDFRONT:
		return " cloudfront";
	case EV_RES_APIGW:
		return " apigw";
	case EV_RES_BEANSTALK:
		return " beanstalk";
	case EV_RES_NONE:
		break;
	}
	return "";
}

static const char *const kind_names[] = {
	[EV_ACT_LAUNCH] = "launch",
	[EV_ACT_DANGLING] = "dangling",
	[EV_ACT_NEW_USER] = "new_user",
	[EV_ACT_CREATED] = "created",
};

/* one line per action, e.g. "dangling s3 name=b region=us-west-2" */
static void
print_actions(const struct ev_action_list *l, struct buf *out)
{
	const struct ev_action *a;
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		a = &l->v[i];
		buf_addf_cut(out, "%s%s", kind_names[a->kind],
		    res_name(a->res));
		if (a->kind == EV_ACT_LAUNCH)
			buf_addf_cut(out, " count=%zu", a->count);
		if (a->nids > 0)
			buf_addf_cut(out, " ids[%zu]=", a->nids);
		for (k = 0; k < a->nids && k < SHOWN_IDS; k++)
			buf_addf_cut(out, "%s%s", k ? "," : "", a->ids[k]);
		if (a->nids > SHOWN_IDS)
			buf_addf_cut(out, ",...");
		if (a->name != NULL)
			buf_addf_cut(out, " name=%s", a->name);
		if (a->region != NULL)
			buf_addf_cut(out, " region=%s", a->region);
		if (a->arn != NULL)
			buf_addf_cut(out, " arn=%s", a->arn);
		buf_addf_cut(out, "\n");
	}
	if (l->n == 0)
		buf_addf_cut(out, "(none)\n");
}

/* findings, then messages, a line each */
static void
print_decision(const struct ev_decision *d, struct buf *out)
{
	const struct finding_in *f;
	char *details;
	size_t i;

	for (i = 0; i < d->nin; i++) {
		f = &d->in[i];
		details = f->details ? json_dumps(f->details,
					   JSON_COMPACT | JSON_SORT_KEYS)
				     : NULL;
		buf_addf_cut(out,
		    "finding %s %s/%s %s owner=%s%s%s "
		    "at=%lld%s\n  title: %s\n  details: %s\n",
		    f->playbook, f->account_id, f->region, f->resource_id,
		    f->owner_email ? f->owner_email : "-",
		    f->owner_slack_id ? " slack=" : "",
		    f->owner_slack_id ? f->owner_slack_id : "",
		    (long long)f->observed_at,
		    f->notify_only ? " notify-only" : "", f->title,
		    details ? details : "-");
		free(details);
	}
	for (i = 0; i < d->nmsgs; i++) {
		details =
		    json_dumps(d->msgs[i].fact, JSON_COMPACT | JSON_SORT_KEYS);
		buf_addf_cut(out, "message %s%s: %s\n",
		    d->msgs[i].kind == EV_MSG_DM ? "dm " : "admins",
		    d->msgs[i].email, details ? details : "-");
		free(details);
	}
	if (d->launch)
		buf_addf_cut(out, "batch rule: %lld launched\n",
		    (long long)d->launches);
	if (d->batch[0] != '\0')
		buf_addf_cut(out, "batch: %s\n", d->batch);
	if (d->nin == 0 && d->nmsgs == 0)
		buf_addf_cut(out, "(none)\n");
}

/* s without its trailing newlines (cut in place) */
static char *
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

/* got is the text of section name (trailing newlines aside) */
static void
expect(const struct tc *c, const char *name, struct buf *got)
{
	char *want = strdup(tc_get(c, name) ? tc_get(c, name) : "");
	char *have = strdup(buf_str(got));

	CHECK(want != NULL && have != NULL);
	if (want != NULL && have != NULL)
		CHECK_STR(chomp(have), chomp(want));
	free(want);
	free(have);
}

static void
run_case(const struct tc *c)
{
	struct ev_action_list acts = EV_ACTION_LIST_INIT;
	struct buf got = BUF_INIT, err = BUF_INIT;
	struct ev_decision d;
	struct ev_info info;
	struct setup su;
	json_t *ev = case_event(tc_get(c, "event"));
	fx_err rc = FX_EINVAL;

	ev_decision_init(&d);
	buf_init(&got, 1 << 20);
	CHECK(ev != NULL);
	CHECK_INT(setup_read(&su, tc_get(c, "rules"), tc_get(c, "settings")),
	    0);
	if (ev == NULL || edit(ev, tc_get(c, "set")) != 0) {
		printf("  the event or its set section is unusable\n");
		CHECK(0);
		goto out;
	}
	if (tc_get(c, "many-instances") != NULL)
		many_instances(ev, tc_get(c, "many-instances"));
	rc = ev_parse(ev, &info, &err);
	CHECK_INT(rc, FX_OK);
	if (rc != FX_OK) {
		printf("  parse: %s\n", buf_str(&err));
		goto out;
	}
	ev_classify(&su.s.rules, ev, &info);
	CHECK_INT(ev_actions(&info, ev, &acts), FX_OK);
	print_actions(&acts, &got);
	expect(c, "actions", &got);
	if (tc_get(c, "decision") == NULL)
		goto out;
	buf_reset(&got);
	CHECK_INT(ev_decide_cloudtrail(&su.s, &su.a, &info, ev, &d), FX_OK);
	if (tc_get(c, "batch-before") != NULL)
		CHECK_INT(ev_decide_batch(&su.s,
			      strtoll(tc_get(c, "batch-before"), NULL, 10), &d),
		    FX_OK);
	print_decision(&d, &got);
	expect(c, "decision", &got);
out:
	ev_action_list_release(&acts);
	ev_decision_release(&d);
	buf_release(&got);
	buf_release(&err);
	json_decref(ev);
}

int
main(void)
{
	TEST("actions and decisions of CloudTrail events (ev-actions/)")
		tc_each("ev-actions", run_case);
	return TEST_REPORT();
}
