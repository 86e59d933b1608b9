/*
 * pb_sto_util.c - helpers shared by the storage playbooks (see
 * pb_sto_util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxtime.h"
#include "fxutil.h"
#include "pb_sto_util.h"
#include "banned.h"

#define AWS_RESERVED_PREFIX	"aws:"

int
pb_sto_util_is_error(fx_err rc, const struct aws_resp *r, const char *code)
{
	return rc == FX_EREMOTE && r != NULL &&
	    strcmp(r->err.code, code) == 0;
}

int
pb_sto_util_is_fixit(const char *key)
{
	return key != NULL &&
	    strncmp(key, PB_TAG_PREFIX, strlen(PB_TAG_PREFIX)) == 0;
}

json_t *
pb_sto_util_user_tags(const json_t *tags)
{
	json_t *o = json_object(), *v;
	const char *k;

	if (o == NULL || !json_is_object(tags))
		return o;
	json_object_foreach((json_t *)tags, k, v) {
		if (pb_sto_util_is_fixit(k) || !json_is_string(v))
			continue;
		if (json_object_set(o, k, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int64_t
pb_sto_util_int(const json_t *v, int64_t def)
{
	int64_t n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (fx_strtoll(json_string_value(v), INT32_MIN, INT32_MAX, &n) !=
	    FX_OK)
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

int64_t
pb_sto_util_param(struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max)
{
	int64_t v = pb_param_int(x, key, def);

	if (v >= min && v <= max)
		return v;
	pb_say(x, "parameter %s=%lld is outside [%lld, %lld], using %lld",
	    key, (long long)v, (long long)min, (long long)max, (long long)def);
	return def;
}

const char *
pb_sto_util_resource(struct pb_ctx *x, const json_t *finding)
{
	const char *id = json_string_value(json_object_get(finding,
	    "resource_id"));

	if (id == NULL || *id == '\0') {
		pb_say(x, "the finding has no resource_id");
		return NULL;
	}
	return id;
}

fx_err
pb_sto_util_tag(struct pb_sto_tags *t, const char *key, const char *value)
{
	char k[96];
	int len;

	if (t->n >= PB_STO_MAX_TAGS)
		return FX_ETOOBIG;
	t->n++;
	len = snprintf(k, sizeof(k), "%s%d.Value", t->prefix, t->n);
	if (len < 0 || (size_t)len >= sizeof(k))
		return FX_EINVAL;
	snprintf(k, sizeof(k), "%s%d.Key", t->prefix, t->n);
	if (json_object_set_new(t->params, k, json_string(key)) != 0)
		return FX_ENOMEM;
	snprintf(k, sizeof(k), "%s%d.Value", t->prefix, t->n);
	if (json_object_set_new(t->params, k, json_string(value ? value :
	    "")) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

fx_err
pb_sto_util_tag_fixit(const struct pb_ctx *x, struct pb_sto_tags *t,
    const char *action, int optional)
{
	char when[21], fid[24];
	fx_err rc;

	if (optional && t->n + 4 > PB_STO_MAX_TAGS)
		return FX_OK;
	fx_iso8601_format(x->now, when);
	snprintf(fid, sizeof(fid), "%lld", (long long)x->finding_id);
	if ((rc = pb_sto_util_tag(t, "fixit:playbook", x->playbook ?
	    x->playbook : "?")) == FX_OK &&
	    (rc = pb_sto_util_tag(t, "fixit:finding", fid)) == FX_OK &&
	    (rc = pb_sto_util_tag(t, "fixit:action", action)) == FX_OK)
		rc = pb_sto_util_tag(t, "fixit:time", when);
	return rc;
}

fx_err
pb_sto_util_tag_user(struct pb_sto_tags *t, const json_t *tags,
    int *skipped)
{
	const char *k;
	json_t *v;
	fx_err rc = FX_OK;

	*skipped = 0;
	if (!json_is_object(tags))
		return FX_OK;
	json_object_foreach((json_t *)tags, k, v) {
		if (pb_sto_util_is_fixit(k) || !json_is_string(v))
			continue;
		if (strncmp(k, AWS_RESERVED_PREFIX,
		    strlen(AWS_RESERVED_PREFIX)) == 0) {
			(*skipped)++;
			continue;
		}
		if ((rc = pb_sto_util_tag(t, k, json_string_value(v))) !=
		    FX_OK)
			break;
	}
	return rc;
}

void
pb_sto_util_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}

fx_err
pb_sto_util_read(struct pb_ctx *x, enum aws_svc svc, const char *action,
    json_t *params, const char *notfound, struct aws_resp *resp,
    int *missing)
{
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*missing = 0;
	rc = pb_query(x, PB_AUDITOR, svc, action, params, 0, resp);
	if (!pb_sto_util_is_error(rc, resp, notfound))
		return rc;
	/* an expected answer, not an error: take pb_call's sentence back */
	pb_msg_rewind(x, mark);
	*missing = 1;
	return FX_OK;
}

fx_err
pb_sto_util_ec2_one(struct pb_ctx *x, const char *action, const char *param,
    const char *id, const char *list, const char *key, const char *notfound,
    struct aws_resp *resp, const json_t **item)
{
	json_t *it;
	size_t i;
	int missing;
	fx_err rc;

	*item = NULL;
	rc = pb_sto_util_read(x, AWS_EC2, action, json_pack("{s:s}", param,
	    id), notfound, resp, &missing);
	if (rc != FX_OK || missing)
		return rc;
	json_array_foreach(aws_j_list(resp->doc, list), i, it) {
		if (strcmp(pb_sto_util_str(it, key), id) == 0) {
			*item = it;
			break;
		}
	}
	return FX_OK;
}

/* one CloudTrail event: keep the newest time of the wanted names */
static void
trail_event(const json_t *ev, const char *resource,
    const char *const *names, int64_t *newest)
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
	struct aws_req r;
	struct aws_resp resp;
	json_t *body = NULL, *ev;
	const char *tok;
	char *next = NULL;
	size_t i;
	int page;
	fx_err rc = FX_OK;

	*newest = 0;
	memset(&r, 0, sizeof(r));
	r.svc = AWS_CLOUDTRAIL;
	r.action = "LookupEvents";
	aws_resp_init(&resp);
	for (page = 0; page < PB_STO_TRAIL_PAGES; page++) {
		json_decref(body);
		body = json_pack("{s:[{s:s, s:s}], s:I, s:I, s:i}",
		    "LookupAttributes", "AttributeKey", "ResourceName",
		    "AttributeValue", resource, "StartTime", (json_int_t)since,
		    "EndTime", (json_int_t)x->now, "MaxResults", 50);
		if (body == NULL || (next != NULL && json_object_set_new(body,
		    "NextToken", json_string(next)) != 0)) {
			rc = FX_ENOMEM;
			goto out;
		}
		r.params = body;
		aws_resp_release(&resp);
		if ((rc = pb_call(x, PB_AUDITOR, &r, 0, &resp)) != FX_OK)
			goto out;
		json_array_foreach(json_object_get(resp.doc, "Events"), i, ev)
			trail_event(ev, resource, names, newest);
		free(next);
		next = NULL;
		tok = json_string_value(json_object_get(resp.doc,
		    "NextToken"));
		if (tok == NULL || *tok == '\0')
			goto out;
		if ((next = strdup(tok)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	pb_say(x, "CloudTrail events of %s: more than %d pages", resource,
	    PB_STO_TRAIL_PAGES);
	rc = FX_ETOOBIG;
out:
	free(next);
	json_decref(body);
	aws_resp_release(&resp);
	return rc;
}
