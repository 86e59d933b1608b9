/*
 * pb_sto_util.c - helpers shared by the storage playbooks (see
 * pb_sto_util.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "fxutil.h"
#include "pb_sto_util.h"
#include "banned.h"

int64_t
pb_sto_util_int(const json_t *v, int64_t def)
{
	int64_t n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (fx_strtoll(json_string_value(v), INT32_MIN, INT32_MAX, &n) != FX_OK)
		return def;
	return n;
}

int
pb_sto_util_true(const json_t *v)
{
	const char *s = json_string_value(v);

	return json_is_true(v) || (s != NULL && strcmp(s, "true") == 0);
}

const char *
pb_sto_util_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

fx_err
pb_sto_util_skip(struct pb_ctx *x, fx_err rc, const char *id, const char *what)
{
	pb_say(x, "%s skipped: its %s were not read", id, what);
	return rc == FX_ENOMEM ? rc : FX_OK;
}

fx_err
pb_sto_util_tag_restore(struct pb_ctx *x, json_t *params, const char *prefix,
    const json_t *tags, const char *from)
{
	struct pb_tags t;
	const char *k;
	json_t *user, *v;
	int skipped = 0;
	fx_err rc = FX_OK;

	if ((user = pb_user_tags(tags, 1, &skipped)) == NULL)
		return FX_ENOMEM;
	pb_tags_init(&t, params, prefix);
	json_object_foreach(user, k, v) {
		rc = pb_tags_add(&t, k, json_string_value(v));
		if (rc != FX_OK)
			goto out;
	}
	rc = pb_tags_add(&t, "fixit:restored-from", from);
	if (rc != FX_OK)
		goto out;
	if (t.n + PB_FIXIT_TAGS <= PB_MAX_TAGS) {
		rc = pb_tags_fixit(x, &t, "undo", NULL);
		if (rc != FX_OK)
			goto out;
	}
	if (skipped > 0)
		pb_say(x, "left out %d aws: tag(s): AWS reserves them",
		    skipped);
out:
	json_decref(user);
	return rc;
}

void
pb_sto_util_poll(struct pb_ctx *x, struct pb_sto_poll *p)
{
	p->poll_ms = pb_param_range(x, "snapshot_poll_ms", 5000, 10, 600000);
	p->timeout_s = pb_param_range(x, "snapshot_timeout_s", 900, 1, 86400);
	p->deadline = pb_wait_deadline(x, p->timeout_s * 1000);
	p->polls = p->timeout_s * 1000 / p->poll_ms + 2;
}

int
pb_sto_util_pause(const struct pb_sto_poll *p)
{
	if (fx_mono_ms() + p->poll_ms > p->deadline)
		return 0;
	fx_sleep_ms(p->poll_ms);
	return 1;
}

/* one CloudTrail event: keep the newest time of the wanted names */
static void
trail_event(const json_t *ev, const char *resource, const char *const *names,
    int64_t *newest)
{
	const char *name = json_string_value(json_object_get(ev, "EventName"));
	json_t *t = json_object_get(ev, "EventTime"), *res, *r;
	double v;
	size_t i;
	int mine, wanted = 0;

	for (i = 0; name != NULL && names[i] != NULL; i++)
		if (strcmp(name, names[i]) == 0)
			wanted = 1;
	if (!wanted || !json_is_number(t))
		return;
	/* an event that names only other resources is not about this one */
	res = json_object_get(ev, "Resources");
	mine = json_array_size(res) == 0;
	json_array_foreach(res, i, r) {
		if (strcmp(pb_sto_util_str(r, "ResourceName"), resource) == 0)
			mine = 1;
	}
	v = json_number_value(t);
	if (mine && v > 0 && v < 1e11 && (int64_t)v > *newest)
		*newest = (int64_t)v;
}

fx_err
pb_sto_util_trail(struct pb_ctx *x, const char *resource,
    const char *const *names, int64_t since, int64_t *newest)
{
	return pb_sto_util_trail_in(x, NULL, resource, names, since, newest);
}

/*
 * One paged LookupEvents (attribute key = value, since .. now, in region
 * or the context's) with each(arg, event) for every event; pages (may be
 * NULL) counts the calls. FX_ETOOBIG past max_pages pages.
 */
static fx_err
trail_lookup(struct pb_ctx *x, const char *region, const char *key,
    const char *value, int64_t since, int max_pages, int *pages,
    fx_err (*each)(void *arg, const json_t *ev), void *arg)
{
	struct aws_req r;
	struct aws_resp resp;
	json_t *body = NULL, *ev;
	const char *tok;
	char *next = NULL;
	size_t i;
	int page;
	fx_err rc = FX_OK;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_CLOUDTRAIL;
	r.action = "LookupEvents";
	r.region = region;
	aws_resp_init(&resp);
	for (page = 0; page < max_pages; page++) {
		json_decref(body);
		body = json_pack("{s:[{s:s, s:s}], s:I, s:I, s:i}",
		    "LookupAttributes", "AttributeKey", key, "AttributeValue",
		    value, "StartTime", (json_int_t)since, "EndTime",
		    (json_int_t)x->now, "MaxResults", 50);
		if (body == NULL ||
		    (next != NULL && json_object_set_new(body, "NextToken",
					 json_string(next)) != 0)) {
			rc = FX_ENOMEM;
			goto out;
		}
		r.params = body;
		aws_resp_release(&resp);
		if (pages != NULL)
			(*pages)++;
		if ((rc = pb_call(x, PB_AUDITOR, &r, 0, &resp)) != FX_OK)
			goto out;
		json_array_foreach(json_object_get(resp.doc, "Events"), i, ev) {
			if ((rc = each(arg, ev)) != FX_OK)
				goto out;
		}
		free(next);
		next = NULL;
		tok = json_string_value(json_object_get(resp.doc, "NextToken"));
		if (tok == NULL || *tok == '\0')
			goto out;
		if ((next = strdup(tok)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	rc = FX_ETOOBIG;
out:
	free(next);
	json_decref(body);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_sto_util_trail_each(struct pb_ctx *x, const char *region, const char *key,
    const char *value, int64_t since, int max_pages, int *pages,
    fx_err (*each)(void *arg, const json_t *ev), void *arg)
{
	return trail_lookup(x, region, key, value, since, max_pages, pages,
	    each, arg);
}

struct trail_one {
	const char *resource;
	const char *const *names;
	int64_t *newest;
};

static fx_err
trail_one_event(void *arg, const json_t *ev)
{
	struct trail_one *o = arg;

	trail_event(ev, o->resource, o->names, o->newest);
	return FX_OK;
}

fx_err
pb_sto_util_trail_in(struct pb_ctx *x, const char *region, const char *resource,
    const char *const *names, int64_t since, int64_t *newest)
{
	struct trail_one o = { resource, names, newest };
	fx_err rc;

	*newest = 0;
	rc = trail_lookup(x, region, "ResourceName", resource, since,
	    PB_STO_TRAIL_PAGES, NULL, trail_one_event, &o);
	if (rc == FX_ETOOBIG)
		pb_say(x, "CloudTrail events of %s: more than %d pages",
		    resource, PB_STO_TRAIL_PAGES);
	return rc;
}

/* ---- one read of the region's events for a whole detection ---------- */

void
pb_trail_init(struct pb_trail *t)
{
	memset(t, 0, sizeof(*t));
}

void
pb_trail_release(struct pb_trail *t)
{
	if (t == NULL)
		return;
	json_decref(t->newest);
	memset(t, 0, sizeof(*t));
}

/* ev (of a wanted name) into t: its time for each resource it names */
static fx_err
trail_note(struct pb_trail *t, const json_t *ev)
{
	json_t *tv = json_object_get(ev, "EventTime"), *res, *r, *old;
	const char *name;
	int64_t v;
	size_t i;

	if (!json_is_number(tv) || json_number_value(tv) <= 0 ||
	    json_number_value(tv) >= 1e11)
		return FX_OK;
	v = (int64_t)json_number_value(tv);
	res = json_object_get(ev, "Resources");
	if (json_array_size(res) == 0 && v > t->any)
		t->any = v;
	json_array_foreach(res, i, r) {
		name = json_string_value(json_object_get(r, "ResourceName"));
		if (name == NULL || *name == '\0')
			continue;
		old = json_object_get(t->newest, name);
		if (json_is_integer(old) && json_integer_value(old) >= v)
			continue;
		if (json_object_set_new(t->newest, name, json_integer(v)) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

struct trail_named {
	struct pb_trail *t;
	const char *name;
};

static fx_err
trail_named_event(void *arg, const json_t *ev)
{
	struct trail_named *n = arg;
	const char *en = json_string_value(json_object_get(ev, "EventName"));

	/* the lookup selects by name: check what it gives */
	if (en == NULL || strcmp(en, n->name) != 0)
		return FX_OK;
	return trail_note(n->t, ev);
}

/* one paged LookupEvents EventName=name into t */
static fx_err
trail_read_name(struct pb_ctx *x, struct pb_trail *t, const char *name,
    int64_t since)
{
	struct trail_named n = { t, name };

	return trail_lookup(x, NULL, "EventName", name, since,
	    PB_STO_TRAIL_ALL_PAGES, &t->pages, trail_named_event, &n);
}

static fx_err
trail_read(struct pb_ctx *x, struct pb_trail *t, const char *const *names,
    int64_t since)
{
	size_t i;
	fx_err rc = FX_OK;

	t->read = 1;
	if ((t->newest = json_object()) == NULL)
		return FX_ENOMEM;
	for (i = 0; rc == FX_OK && names[i] != NULL; i++)
		rc = trail_read_name(x, t, names[i], since);
	if (rc == FX_ETOOBIG)
		pb_say(x,
		    "CloudTrail events of the region: more than %d pages of "
		    "%s; looked up per resource",
		    PB_STO_TRAIL_ALL_PAGES, names[i - 1]);
	return rc;
}

fx_err
pb_sto_util_trail_of(struct pb_ctx *x, struct pb_trail *t,
    const char *const *names, int64_t since, const char *resource,
    int64_t *newest)
{
	json_t *v;

	*newest = 0;
	if (t != NULL && !t->read)
		t->rc = trail_read(x, t, names, since);
	if (t == NULL || t->rc == FX_ETOOBIG)
		return pb_sto_util_trail(x, resource, names, since, newest);
	if (t->rc != FX_OK)
		return t->rc;
	v = json_object_get(t->newest, resource);
	if (json_is_integer(v))
		*newest = json_integer_value(v);
	if (t->any > *newest)
		*newest = t->any;
	return FX_OK;
}
