/*
 * test_ev_rules.c - the CloudTrail event rules of events/ev.c as data:
 * every case of tests/data/ev-rules/ (format: its README.md) is either an
 * event (a sample of tests/data/events/ with edits, or inline JSON) run
 * through ev_parse and ev_classify under the case's rules, or a resource's
 * tags run through ev_owner_from_tags; the expected lines are compared one by
 * one.
 *
 * In C, because they are not input -> verdict data: envelopes whose values
 * are built just past the size limits, ev_owner_from_tags at its byte
 * limits and without tags. ev_actions and the walk over every sample
 * event are in test_ev.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ev.h"
#include "fxerr.h"
#include "testcase.h"
#include "testcase_kv.h"
#include "testhelp.h"
#include "banned.h"

#define T_MAX_GLOBS 8
#define T_SAMPLE    "events/ec2-runinstances-assumedrole.json"

/* the rules section: its text cut in place, pointers into it */
struct t_rules {
	char *text;
	const char *employee_pattern, *owner_tag;
	const char *automation[T_MAX_GLOBS + 1];
	const char *iac[T_MAX_GLOBS + 1];
	size_t nauto, niac;
};

/* "key: value" lines of the rules section; 0, or -1 (a failed check) */
static int
rules_load(const struct tc *c, struct t_rules *r)
{
	char *p, *line, *key, *val;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if ((r->text = tc_dup(c, "rules")) == NULL)
		goto out;
	p = r->text;
	while ((line = tc_line(&p)) != NULL) {
		key = tc_kv(line, &val);
		if (key == NULL) {
			tc_malformed(c, "rules: not \"key: value\"", line);
			goto out;
		}
		if (strcmp(key, "employee_pattern") == 0 &&
		    r->employee_pattern == NULL) {
			r->employee_pattern = val;
		} else if (strcmp(key, "owner_tag") == 0 &&
			   r->owner_tag == NULL) {
			r->owner_tag = val;
		} else if (strcmp(key, "automation") == 0 &&
			   r->nauto < T_MAX_GLOBS) {
			r->automation[r->nauto++] = val;
		} else if (strcmp(key, "iac_tag") == 0 &&
			   r->niac < T_MAX_GLOBS) {
			r->iac[r->niac++] = val;
		} else {
			tc_malformed(c, "rules: unknown, repeated or too many",
			    key);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

static void
rules_release(struct t_rules *r)
{
	free(r->text);
	r->text = NULL;
}

/* one edit line applied to ev: "set a.b.c JSON" or "del a.b.c" */
static int
edit_one(const struct tc *c, json_t *ev, char *line)
{
	char *path, *val = NULL, *dot;
	json_t *o = ev, *v = NULL;
	int set, rc = -1;

	set = strncmp(line, "set ", 4) == 0;
	if (!set && strncmp(line, "del ", 4) != 0) {
		tc_malformed(c, "edit: neither set nor del", line);
		goto out;
	}
	path = line + 4;
	if (set) {
		val = strchr(path, ' ');
		if (val == NULL) {
			tc_malformed(c, "edit: set without a value", path);
			goto out;
		}
		*val++ = '\0';
		if ((v = tc_json(c, val, path)) == NULL)
			goto out;
	}
	while ((dot = strchr(path, '.')) != NULL) {
		*dot = '\0';
		o = json_object_get(o, path);
		if (!json_is_object(o)) {
			tc_malformed(c, "edit: no such object", path);
			goto out;
		}
		path = dot + 1;
	}
	if (set) {
		rc = json_object_set_new(o, path, v);
		v = NULL;
	} else {
		rc = json_object_del(o, path);
	}
	if (rc != 0)
		tc_malformed(c, "edit: cannot set or delete", path);
out:
	json_decref(v);
	return rc;
}

/* the case's event: event-file with its edits, or event; NULL (a failed
 * check) when the case is malformed */
static json_t *
event_load(const struct tc *c)
{
	char *edits = NULL, *p, *line;
	json_t *ev;

	if ((ev = tc_json_or_file(c, "event", "events")) == NULL)
		goto out;
	if (tc_get(c, "edit") == NULL)
		goto out;
	if (tc_get(c, "event-file") == NULL) {
		tc_malformed(c, "edit of an inline event", NULL);
		goto fail;
	}
	if ((edits = tc_dup(c, "edit")) == NULL)
		goto fail;
	p = edits;
	while ((line = tc_line(&p)) != NULL)
		if (edit_one(c, ev, line) != 0)
			goto fail;
	goto out;
fail:
	json_decref(ev);
	ev = NULL;
out:
	free(edits);
	return ev;
}

enum t_kind { K_PTR, K_ARR, K_TIME, K_VERDICT };

static const struct t_field {
	const char *key;
	enum t_kind kind;
	size_t off;
} fields[] = {
	{ "id", K_PTR, offsetof(struct ev_info, id) },
	{ "account", K_PTR, offsetof(struct ev_info, account) },
	{ "region", K_PTR, offsetof(struct ev_info, region) },
	{ "aws_region", K_PTR, offsetof(struct ev_info, aws_region) },
	{ "event_source", K_PTR, offsetof(struct ev_info, event_source) },
	{ "event_name", K_PTR, offsetof(struct ev_info, event_name) },
	{ "identity_type", K_PTR, offsetof(struct ev_info, identity_type) },
	{ "time", K_TIME, offsetof(struct ev_info, time) },
	{ "actor", K_ARR, offsetof(struct ev_info, actor) },
	{ "actor_arn", K_ARR, offsetof(struct ev_info, actor_arn) },
	{ "issuer", K_ARR, offsetof(struct ev_info, issuer) },
	{ "issuer_arn", K_ARR, offsetof(struct ev_info, issuer_arn) },
	{ "verdict", K_VERDICT, offsetof(struct ev_info, verdict) },
	{ "why", K_PTR, offsetof(struct ev_info, why) },
};

/* field key of info as text into out; -1 when there is no such field */
static int
field_text(const struct ev_info *info, const char *key, char *out, size_t n)
{
	const char *base = (const char *)info, *s;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].key, key) != 0)
			continue;
		switch (fields[i].kind) {
		case K_PTR:
			memcpy(&s, base + fields[i].off, sizeof(s));
			snprintf(out, n, "%s", s != NULL ? s : "(null)");
			break;
		case K_ARR:
			snprintf(out, n, "%s", base + fields[i].off);
			break;
		case K_TIME:
			snprintf(out, n, "%lld", (long long)info->time);
			break;
		case K_VERDICT:
			snprintf(out, n, "%s", ev_verdict_name(info->verdict));
			break;
		}
		return 0;
	}
	return -1;
}

/*
 * The expect section against what ev_parse returned (rc, err) and info:
 * "parse:" first; "error:" (the whole message) when it failed, else any
 * fields of struct ev_info, one check each.
 */
static void
expect_event(const struct tc *c, fx_err rc, const char *err,
    const struct ev_info *info)
{
	char *text = tc_dup(c, "expect"), *p = text, *line, *key, *val;
	char got[2048];
	int n = 0, erred = 0;

	while (text != NULL && (line = tc_line(&p)) != NULL) {
		key = tc_kv(line, &val);
		if (key == NULL || (n++ == 0) != (strcmp(key, "parse") == 0)) {
			tc_malformed(c,
			    "expect: \"parse:\" first, then "
			    "\"key: value\" lines",
			    line);
			goto out;
		}
		if (strcmp(key, "parse") == 0) {
			CHECK_STR(tc_err_name(rc), val);
			erred = strcmp(val, "ok") != 0;
		} else if (strcmp(key, "error") == 0 && erred) {
			CHECK_STR(err, val);
			erred = 2;
		} else if (erred || field_text(info, key, got, sizeof(got))) {
			tc_malformed(c, "expect: no such field here", key);
			goto out;
		} else if (rc == FX_OK) {
			if (strcmp(got, val) != 0)
				printf("  %s: %s\n", c->name, key);
			CHECK_STR(got, val);
		}
	}
	if (n == 0 || erred == 1)
		tc_malformed(c,
		    "expect: needs \"parse:\", and \"error:\" "
		    "when it fails",
		    NULL);
out:
	free(text);
}

/* event cases: ev_parse, then ev_classify under the rules */
static void
run_event(const struct tc *c)
{
	struct t_rules r;
	struct ev_rules rules;
	struct buf err = BUF_INIT;
	struct ev_info info;
	json_t *ev = NULL;
	fx_err rc;

	memset(&info, 0, sizeof(info));
	if (rules_load(c, &r) != 0)
		goto out;
	if (r.owner_tag != NULL || r.niac > 0) {
		tc_malformed(c, "rules: owner_tag and iac_tag are for tags",
		    NULL);
		goto out;
	}
	if ((ev = event_load(c)) == NULL)
		goto out;
	rules.employee_pattern = r.employee_pattern;
	rules.automation = r.nauto > 0 ? r.automation : NULL;
	rc = ev_parse(ev, &info, &err);
	if (rc == FX_OK)
		ev_classify(&rules, ev, &info);
	expect_event(c, rc, buf_str(&err), &info);
out:
	json_decref(ev);
	buf_release(&err);
	rules_release(&r);
}

/* the owner field key of o, or NULL when key is not one */
static const char *
owner_field(const struct ev_owner *o, const char *key)
{
	if (strcmp(key, "email") == 0)
		return o->email;
	if (strcmp(key, "slack_id") == 0)
		return o->slack_id;
	if (strcmp(key, "iac") == 0)
		return o->iac[0] != '\0' ? o->iac : NULL;
	return NULL;
}

/*
 * tags cases: ev_owner_from_tags; "rc:" then, when ok, the fields found
 * ("email:", "slack_id:", "iac:") or "owner: none"; a field not listed
 * must be unset
 */
static void
run_tags(const struct tc *c)
{
	static const char *const owner_keys[] = { "email", "slack_id", "iac" };
	char *text = NULL, *p, *line, *key, *val;
	json_t *tags = NULL;
	struct ev_owner o;
	struct t_rules r;
	size_t i;
	fx_err rc;
	int n = 0, ok = 0, listed[3] = { 0, 0, 0 };

	if (rules_load(c, &r) != 0)
		goto out;
	if (r.employee_pattern != NULL || r.nauto > 0) {
		tc_malformed(c,
		    "rules: employee_pattern and automation are "
		    "for events",
		    NULL);
		goto out;
	}
	tags = tc_json(c, tc_get(c, "tags"), "tags");
	if (tags == NULL)
		goto out;
	rc = ev_owner_from_tags(tags, r.owner_tag, r.niac > 0 ? r.iac : NULL,
	    &o);
	text = tc_dup(c, "expect");
	if (text == NULL)
		goto out;
	p = text;
	while ((line = tc_line(&p)) != NULL) {
		key = tc_kv(line, &val);
		for (i = 0; key != NULL && i < 3; i++)
			if (strcmp(key, owner_keys[i]) == 0)
				break;
		if (key != NULL && n == 0 && strcmp(key, "rc") == 0) {
			CHECK_STR(tc_err_name(rc), val);
			ok = strcmp(val, "ok") == 0;
		} else if (key != NULL && ok && i < 3 && !listed[i]) {
			CHECK_STR(owner_field(&o, key), val);
			listed[i] = 1;
			ok = 2;
		} else if (key != NULL && ok == 1 && n == 1 &&
			   strcmp(key, "owner") == 0 &&
			   strcmp(val, "none") == 0) {
			ok = 2;
		} else {
			tc_malformed(c,
			    "expect: \"rc:\", then the owner's "
			    "fields or \"owner: none\" when ok",
			    line);
			goto out;
		}
		n++;
	}
	if (n == 0 || ok == 1) {
		tc_malformed(c, "expect: needs \"rc:\", and the owner when ok",
		    NULL);
		goto out;
	}
	for (i = 0; ok && i < 3; i++)
		if (!listed[i])
			CHECK(owner_field(&o, owner_keys[i]) == NULL);
out:
	json_decref(tags);
	free(text);
	rules_release(&r);
}

static void
run_case(const struct tc *c)
{
	static const char *const event_sections[] = { "event-file", "event",
		"edit", "rules", "expect", NULL };
	static const char *const tags_sections[] = { "tags", "rules", "expect",
		NULL };

	if (tc_get(c, "tags") != NULL) {
		if (tc_only(c, tags_sections) == 0)
			run_tags(c);
	} else if (tc_only(c, event_sections) == 0) {
		run_event(c);
	}
}

/* ev_parse of the sample with path (dot-separated) set to a string of
 * prefix and then n 'a': refused with a message that starts with field */
static void
oversize(const char *path, const char *prefix, size_t n, const char *field)
{
	char *text = th_read_data(T_SAMPLE, NULL), *s = NULL, *key, *dot;
	struct buf err = BUF_INIT;
	struct ev_info info;
	json_t *ev = NULL, *o;
	size_t len = strlen(prefix);
	char p[256];

	CHECK(text != NULL);
	if (text == NULL)
		goto out;
	s = malloc(len + n + 1);
	CHECK(s != NULL);
	if (s == NULL)
		goto out;
	memcpy(s, prefix, len);
	memset(s + len, 'a', n);
	s[len + n] = '\0';
	ev = json_loads(text, 0, NULL);
	snprintf(p, sizeof(p), "%s", path);
	for (o = ev, key = p; (dot = strchr(key, '.')) != NULL; key = dot + 1) {
		*dot = '\0';
		o = json_object_get(o, key);
	}
	CHECK(json_object_set_new(o, key, json_string(s)) == 0);
	CHECK_INT(ev_parse(ev, &info, &err), FX_EINVAL);
	CHECK(strncmp(buf_str(&err), field, strlen(field)) == 0);
	CHECK(strchr(buf_str(&err), '\n') == NULL);
	printf("  refused: %s\n", buf_str(&err));
out:
	json_decref(ev);
	buf_release(&err);
	free(s);
	free(text);
}

/* tags with a value of n 'a' (then suffix) */
static json_t *
long_tag(const char *key, size_t n, const char *suffix)
{
	char *s = malloc(n + strlen(suffix) + 1);
	json_t *tags;

	if (s == NULL)
		return NULL;
	memset(s, 'a', n);
	memcpy(s + n, suffix, strlen(suffix) + 1);
	tags = json_pack("{s:s}", key, s);
	free(s);
	return tags;
}

static void
test_limits(void)
{
	struct ev_owner o;
	json_t *tags, *more;

	oversize("id", "", 299, "id");
	oversize("detail.userIdentity.arn", "arn:", 598,
	    "detail.userIdentity.arn");
	oversize("detail.userIdentity.sessionContext.sessionIssuer.userName",
	    "", 299, "detail.userIdentity.sessionContext");

	/* an owner address and a stack name too long: nothing set */
	tags = long_tag("owner", 299, "@example.com");
	more = long_tag("aws:cloudformation:stack-name", 299, "");
	CHECK(json_object_update(tags, more) == 0);
	json_decref(more);
	CHECK_INT(ev_owner_from_tags(tags, "owner", NULL, &o), FX_OK);
	CHECK(o.email == NULL && o.slack_id == NULL && o.iac[0] == '\0');
	json_decref(tags);
	/* "<key>=<value>": 29 + 1 + 227 bytes is one too many, 226 fits */
	tags = long_tag("aws:cloudformation:stack-name", 227, "");
	CHECK_INT(ev_owner_from_tags(tags, "owner", NULL, &o), FX_OK);
	CHECK(o.iac[0] == '\0');
	json_decref(tags);
	tags = long_tag("aws:cloudformation:stack-name", 226, "");
	CHECK_INT(ev_owner_from_tags(tags, "owner", NULL, &o), FX_OK);
	CHECK_INT(strlen(o.iac), EV_MAX_IAC);
	json_decref(tags);

	/* no tags at all (NULL) */
	CHECK_INT(ev_owner_from_tags(NULL, "owner", NULL, &o), FX_OK);
	CHECK(o.email == NULL && o.slack_id == NULL && o.iac[0] == '\0');
}

int
main(void)
{
	TEST("ev-rules cases")
		CHECK(tc_each("ev-rules", run_case) > 0);
	TEST("sizes past the limits, NULL arguments")
		test_limits();
	return TEST_REPORT();
}
