/*
 * playbook.c - helpers every playbook uses (see playbook.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "ev.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "playbook.h"
#include "banned.h"

#define PB_AWS_PREFIX "aws:" /* tag keys AWS reserves */

const struct pb_def *
pb_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && pb_all[i] != NULL; i++)
		if (strcmp(pb_all[i]->name, name) == 0)
			return pb_all[i];
	return NULL;
}

fx_err
pb_names(struct buf *out)
{
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; rc == FX_OK && pb_all[i] != NULL; i++)
		rc = buf_addf(out, "%s%s", i > 0 ? ", " : "", pb_all[i]->name);
	return rc;
}

size_t
pb_msg_mark(const struct pb_ctx *x)
{
	return x->msg != NULL ? x->msg->len : 0;
}

void
pb_msg_rewind(struct pb_ctx *x, size_t mark)
{
	if (x->msg != NULL)
		buf_truncate(x->msg, mark);
}

void
pb_say(struct pb_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->msg == NULL)
		return;
	if (x->msg->len > 0 && buf_adds(x->msg, "; ") != FX_OK)
		return;
	va_start(ap, fmt);
	buf_vaddf_cut(x->msg, fmt, ap);
	va_end(ap);
}

int64_t
pb_wait_deadline(const struct pb_ctx *x, int64_t timeout_ms)
{
	int64_t d = fx_mono_ms() + timeout_ms;

	return x->deadline_ms > 0 && x->deadline_ms < d ? x->deadline_ms : d;
}

fx_err
pb_resource(struct pb_ctx *x, const json_t *finding, const char **id)
{
	*id = json_string_value(json_object_get(finding, "resource_id"));
	if (*id != NULL && **id != '\0')
		return FX_OK;
	*id = NULL;
	pb_say(x, "the finding names no resource");
	return FX_EINVAL;
}

int64_t
pb_param_int(const struct pb_ctx *x, const char *key, int64_t def)
{
	json_t *v = x->params ? json_object_get(x->params, key) : NULL;

	return json_is_integer(v) ? json_integer_value(v) : def;
}

const char *
pb_param_str(const struct pb_ctx *x, const char *key, const char *def)
{
	const char *s = x->params
			    ? json_string_value(json_object_get(x->params, key))
			    : NULL;

	return s != NULL ? s : def;
}

int64_t
pb_param_clamp(const struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max)
{
	int64_t v = pb_param_int(x, key, def);

	return v < min ? min : v > max ? max : v;
}

int64_t
pb_param_range(struct pb_ctx *x, const char *key, int64_t def, int64_t min,
    int64_t max)
{
	int64_t v = pb_param_int(x, key, def);

	if (v >= min && v <= max)
		return v;
	pb_say(x, "parameter %s=%lld is outside [%lld, %lld], using %lld", key,
	    (long long)v, (long long)min, (long long)max, (long long)def);
	return def;
}

const char *
pb_created(struct pb_ctx *x, const char *action, const json_t *doc,
    const char *path, const char *what, const char *placeholder)
{
	const char *id = x->dry_run ? placeholder : aws_j_str(doc, path);

	if (id != NULL && *id != '\0')
		return id;
	pb_say(x, "%s answered no %s id", action, what);
	return NULL;
}

fx_err
pb_would(const struct pb_ctx *x, json_t *prior, const char *what)
{
	if (!x->dry_run)
		return FX_OK;
	return json_object_set_new(prior, "would", json_string(what)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

static fx_err
role_creds(struct pb_ctx *x, enum pb_role role, struct aws_creds *cr)
{
	struct buf why = BUF_INIT;
	const char *arn = x->role_arn[role];
	fx_err rc;

	buf_init(&why, 1024);
	if (arn == NULL)
		rc = aws_credsrc_get(x->creds, x->client, cr, &why);
	else
		rc = aws_credsrc_assume(x->creds, x->client, arn,
		    x->external_id, x->session, cr, &why);
	if (rc != FX_OK)
		pb_say(x, "credentials for %s: %s", arn ? arn : "fixitd",
		    why.len ? buf_str(&why) : fx_strerror(rc));
	buf_release(&why);
	return rc;
}

static fx_err
plan(struct pb_ctx *x, const struct aws_req *r)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:O?}", "service", aws_svc_name(r->svc),
	    "action", r->action ? r->action : "?", "params", r->params);
	if (o == NULL)
		return FX_ENOMEM;
	if (r->path != NULL)
		json_object_set_new(o, "path", json_string(r->path));
	if (r->body != NULL)
		json_object_set_new(o, "body", json_string(r->body));
	if (x->planned == NULL && (x->planned = json_array()) == NULL) {
		json_decref(o);
		return FX_ENOMEM;
	}
	if (json_array_append_new(x->planned, o) != 0)
		return FX_ENOMEM;
	pb_say(x, "dry run: would call %s %s", aws_svc_name(r->svc),
	    r->action ? r->action : "?");
	return FX_OK;
}

fx_err
pb_call(struct pb_ctx *x, enum pb_role role, const struct aws_req *r,
    int mutating, struct aws_resp *out)
{
	struct aws_creds cr;
	struct aws_req rr = *r;
	struct buf what = BUF_INIT;
	fx_err rc;

	aws_resp_init(out);
	if (rr.region == NULL)
		rr.region = x->region;
	/* charged to the account whose role signs it (pacing) */
	if (rr.account == NULL && x->role_arn[role] != NULL)
		rr.account = x->account_id;
	if (mutating && x->dry_run)
		return plan(x, &rr);
	memset(&cr, 0, sizeof(cr));
	if ((rc = role_creds(x, role, &cr)) != FX_OK)
		return rc;
	x->calls++;
	rc = aws_call(x->client, &cr, &rr, out);
	aws_creds_release(&cr);
	if (rc == FX_OK)
		return FX_OK;
	buf_init(&what, 1024);
	if (aws_resp_describe(out, rc, &what) == FX_OK)
		pb_say(x, "%s %s: %s", aws_svc_name(rr.svc),
		    rr.action ? rr.action : "?", buf_str(&what));
	log_info("%s: %s %s %s in %s/%s: %s", __func__,
	    x->playbook ? x->playbook : "?", aws_svc_name(rr.svc),
	    rr.action ? rr.action : "?", x->account_id, rr.region,
	    buf_str(&what));
	buf_release(&what);
	return rc;
}

fx_err
pb_query(struct pb_ctx *x, enum pb_role role, enum aws_svc svc,
    const char *action, json_t *params, int mutating, struct aws_resp *out)
{
	struct aws_req r;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.svc = svc;
	r.action = action;
	r.params = params;
	if (params == NULL) {
		aws_resp_init(out);
		return FX_ENOMEM;
	}
	rc = pb_call(x, role, &r, mutating, out);
	json_decref(params);
	return rc;
}

int
pb_str_is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

int
pb_is_error(fx_err rc, const struct aws_resp *r, const char *code)
{
	return rc == FX_EREMOTE && r != NULL && strcmp(r->err.code, code) == 0;
}

/*
 * A read (auditor role, params stolen) where the notfound error code is
 * an expected answer: then FX_OK with *missing = 1, and the error is
 * kept out of x->msg (pb_call logs it). Other errors as pb_query.
 */
static fx_err
pb_read(struct pb_ctx *x, enum aws_svc svc, const char *action, json_t *params,
    const char *notfound, struct aws_resp *resp, int *missing)
{
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*missing = 0;
	rc = pb_query(x, PB_AUDITOR, svc, action, params, 0, resp);
	if (!pb_is_error(rc, resp, notfound))
		return rc;
	/* an expected answer, not an error: take pb_call's sentence back */
	pb_msg_rewind(x, mark);
	*missing = 1;
	return FX_OK;
}

const json_t *
pb_item(const json_t *doc, const char *list, const char *key, const char *id)
{
	const json_t *it;
	const char *v;
	size_t i;

	json_array_foreach(aws_j_list(doc, list), i, it) {
		v = aws_j_str(it, key);
		if (v != NULL && strcmp(v, id) == 0)
			return it;
	}
	return NULL;
}

fx_err
pb_read_finding(struct pb_ctx *x, const json_t *finding, const struct pb_one *d,
    struct aws_resp *resp, const char **id, const json_t **item)
{
	fx_err rc;

	*item = NULL;
	if ((rc = pb_resource(x, finding, id)) != FX_OK)
		return rc;
	return pb_read_one(x, d, *id, resp, item);
}

fx_err
pb_read_one(struct pb_ctx *x, const struct pb_one *d, const char *id,
    struct aws_resp *resp, const json_t **item)
{
	int missing;
	fx_err rc;

	*item = NULL;
	rc = pb_read(x, d->svc, d->action, json_pack("{s:s}", d->param, id),
	    d->notfound, resp, &missing);
	if (rc == FX_OK && !missing)
		*item = pb_item(resp->doc, d->list, d->key, id);
	return rc;
}

fx_err
pb_ec2_filter(json_t *params, int n, const char *name, const char *value)
{
	char k[64];

	snprintf(k, sizeof(k), "Filter.%d.Name", n);
	if (json_object_set_new(params, k, json_string(name)) != 0)
		return FX_ENOMEM;
	snprintf(k, sizeof(k), "Filter.%d.Value.1", n);
	if (json_object_set_new(params, k, json_string(value)) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

json_t *
pb_ec2_tags(const json_t *tag_set)
{
	json_t *o = json_object(), *it;
	const char *k, *v;
	size_t i;

	if (o == NULL || !json_is_array(tag_set))
		return o;
	json_array_foreach(tag_set, i, it) {
		k = aws_j_str(it, "key");
		v = aws_j_str(it, "value");
		if (k != NULL &&
		    json_object_set_new(o, k, json_string(v ? v : "")) != 0)
			break;
	}
	return o;
}

char *
pb_ec2_arn(const struct pb_ctx *x, const char *type, const char *id)
{
	struct buf b = BUF_INIT;

	buf_init(&b, FX_MAX_FIELD);
	if (buf_addf(&b, "arn:aws:ec2:%s:%s:%s/%s", x->region ? x->region : "",
		x->account_id ? x->account_id : "", type, id) != FX_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int
pb_tag_is_fixit(const char *key)
{
	return key != NULL &&
	       strncmp(key, PB_TAG_PREFIX, strlen(PB_TAG_PREFIX)) == 0;
}

json_t *
pb_fixit_tags(const struct pb_ctx *x, const char *action)
{
	json_t *t;
	char when[21], fid[24];

	fx_iso8601_format(x->now, when);
	snprintf(fid, sizeof(fid), "%lld", (long long)x->finding_id);
	t = json_pack("{s:s}", "fixit:playbook",
	    x->playbook ? x->playbook : "?");
	if (t != NULL &&
	    ((x->finding_id != 0 && json_object_set_new(t, "fixit:finding",
					json_string(fid)) != 0) ||
		json_object_set_new(t, "fixit:action", json_string(action)) !=
		    0 ||
		json_object_set_new(t, "fixit:time", json_string(when)) != 0)) {
		json_decref(t);
		t = NULL;
	}
	return t;
}

json_t *
pb_user_tags(const json_t *tags, int settable, int *skipped)
{
	json_t *o = json_object(), *v;
	const char *k;

	if (skipped != NULL)
		*skipped = 0;
	if (o == NULL || !json_is_object(tags))
		return o;
	json_object_foreach((json_t *)tags, k, v) {
		if (pb_tag_is_fixit(k) || !json_is_string(v))
			continue;
		if (settable &&
		    strncmp(k, PB_AWS_PREFIX, strlen(PB_AWS_PREFIX)) == 0) {
			if (skipped != NULL)
				(*skipped)++;
			continue;
		}
		if (json_object_set(o, k, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

void
pb_tags_init(struct pb_tags *t, json_t *params, const char *prefix)
{
	t->params = params;
	t->prefix = prefix;
	t->n = 0;
}

fx_err
pb_tags_add(struct pb_tags *t, const char *key, const char *value)
{
	char k[96];
	int len;

	if (t->n >= PB_MAX_TAGS)
		return FX_ETOOBIG;
	t->n++;
	len = snprintf(k, sizeof(k), "%s%d.Value", t->prefix, t->n);
	if (len < 0 || (size_t)len >= sizeof(k))
		return FX_EINVAL;
	snprintf(k, sizeof(k), "%s%d.Key", t->prefix, t->n);
	if (json_object_set_new(t->params, k, json_string(key)) != 0)
		return FX_ENOMEM;
	snprintf(k, sizeof(k), "%s%d.Value", t->prefix, t->n);
	if (json_object_set_new(t->params, k,
		json_string(value ? value : "")) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

fx_err
pb_tags_fixit(const struct pb_ctx *x, struct pb_tags *t, const char *action,
    const json_t *extra)
{
	json_t *fixit = pb_fixit_tags(x, action), *v;
	const char *k;
	fx_err rc = FX_OK;

	if (fixit == NULL)
		return FX_ENOMEM;
	json_object_foreach(fixit, k, v) {
		if ((rc = pb_tags_add(t, k, json_string_value(v))) != FX_OK)
			break;
	}
	json_object_foreach((json_t *)extra, k, v) {
		if (rc != FX_OK)
			break;
		/* only our own tags, ever */
		rc = pb_tag_is_fixit(k) && json_is_string(v)
			 ? pb_tags_add(t, k, json_string_value(v))
			 : FX_EINVAL;
	}
	json_decref(fixit);
	return rc;
}

/* the fixit: tags plus extra on one resource: action with param = id,
 * the tags named prefix N.Key / prefix N.Value */
static fx_err
tag_one(struct pb_ctx *x, enum aws_svc svc, const char *tag_action,
    const char *param, const char *id, const char *prefix, const char *action,
    const json_t *extra)
{
	struct aws_resp resp;
	struct pb_tags t;
	json_t *p;
	fx_err rc;

	if ((p = json_pack("{s:s}", param, id)) == NULL)
		return FX_ENOMEM;
	pb_tags_init(&t, p, prefix);
	if ((rc = pb_tags_fixit(x, &t, action, extra)) != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc = pb_query(x, PB_TAGGER, svc, tag_action, p, 1, &resp);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_tag_ec2(struct pb_ctx *x, const char *id, const char *action,
    const json_t *extra)
{
	return tag_one(x, AWS_EC2, "CreateTags", "ResourceId.1", id, "Tag.",
	    action, extra);
}

fx_err
pb_tag_rds(struct pb_ctx *x, const char *arn, const char *action,
    const json_t *extra)
{
	return tag_one(x, AWS_RDS, "AddTagsToResource", "ResourceName", arn,
	    "Tags.member.", action, extra);
}

fx_err
pb_list(struct pb_ctx *x, enum pb_role role, enum aws_svc svc,
    const char *action, const json_t *params, const char *list_path,
    const char *token_path, pb_item_fn fn, void *arg)
{
	struct aws_resp resp;
	json_t *p = NULL, *it;
	const char *tok, *leaf = strrchr(token_path, '/');
	char *next = NULL, req_key[32];
	size_t i;
	int page;
	fx_err rc = FX_OK;

	/* the request names the token as the answer does, capitalised
	 * (EC2 answers nextToken, takes NextToken; RDS Marker both) */
	leaf = leaf != NULL ? leaf + 1 : token_path;
	snprintf(req_key, sizeof(req_key), "%s", leaf);
	if (req_key[0] >= 'a' && req_key[0] <= 'z')
		req_key[0] = (char)(req_key[0] - 'a' + 'A');
	for (page = 0; page < FX_MAX_AWS_PAGES; page++) {
		p = params ? json_deep_copy(params) : json_object();
		if (p != NULL && next != NULL &&
		    json_object_set_new(p, req_key, json_string(next)) != 0) {
			json_decref(p);
			p = NULL;
		}
		rc = pb_query(x, role, svc, action, p, 0, &resp);
		free(next);
		next = NULL;
		if (rc != FX_OK) {
			aws_resp_release(&resp);
			return rc;
		}
		json_array_foreach(aws_j_list(resp.doc, list_path), i, it) {
			if ((rc = fn(x, it, arg)) != FX_OK)
				break;
		}
		tok = aws_j_str(resp.doc, token_path);
		if (rc == FX_OK && tok != NULL && *tok != '\0' &&
		    (next = strdup(tok)) == NULL)
			rc = FX_ENOMEM;
		aws_resp_release(&resp);
		if (rc != FX_OK || next == NULL)
			return rc;
	}
	free(next);
	pb_say(x, "%s: more than %d pages, listing cut", action,
	    FX_MAX_AWS_PAGES);
	return FX_ETOOBIG;
}

static void
found_release(struct pb_found *f)
{
	free(f->resource_id);
	free(f->resource_arn);
	free(f->title);
	free(f->human_key);
	json_decref(f->details);
	json_decref(f->tags);
	memset(f, 0, sizeof(*f));
}

void
pb_found_list_release(struct pb_found_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		found_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

fx_err
pb_found(struct pb_found_list *found, const char *resource_id, const char *arn,
    const char *title, json_t *details, json_t *tags)
{
	struct pb_found f = { NULL, NULL, NULL, details, tags, NULL, NULL,
		NULL };
	struct pb_found *v;
	size_t cap;
	fx_err rc = FX_ETOOBIG;

	if (found->n == FX_MAX_DETECT_FOUND)
		goto out;
	rc = FX_ENOMEM;
	if (f.details == NULL)
		f.details = json_object();
	f.resource_id = strdup(resource_id);
	f.title = strdup(title);
	if (arn != NULL)
		f.resource_arn = strdup(arn);
	if (f.details == NULL || f.resource_id == NULL || f.title == NULL ||
	    (arn != NULL && f.resource_arn == NULL))
		goto out;
	if (found->n == found->cap) {
		cap = found->cap ? found->cap * 2 : 16;
		v = realloc(found->v, cap * sizeof(*v));
		if (v == NULL)
			goto out;
		found->v = v;
		found->cap = cap;
	}
	found->v[found->n++] = f;
	return FX_OK;
out:
	found_release(&f);
	return rc;
}

/* ---- eligibility ----------------------------------------------------- */

void
pb_elig_init(struct pb_elig *e)
{
	e->kind = PB_ELIGIBLE;
	e->why[0] = '\0';
}

void
pb_elig_exempt(struct pb_elig *e, const char *fmt, ...)
{
	va_list ap;

	if (e->kind == PB_EXEMPT)
		return;
	e->kind = PB_EXEMPT;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
}

void
pb_elig_tags(const struct pb_ctx *x, struct pb_elig *e, const json_t *tags,
    const char *allow_tag)
{
	struct ev_owner o;

	if (allow_tag != NULL && *allow_tag != '\0' &&
	    json_object_get(tags, allow_tag) != NULL)
		pb_elig_exempt(e, "tagged to be kept (%s)", allow_tag);
	/* tags that are no object name no stack */
	if (ev_owner_from_tags(tags, NULL, x->iac_tags, &o) != FX_OK ||
	    o.iac[0] == '\0' || e->kind != PB_ELIGIBLE)
		return;
	e->kind = PB_IAC_OWNED;
	snprintf(e->why, sizeof(e->why),
	    "managed by infrastructure as code (%s): fix it there", o.iac);
}

void
pb_elig_age(const struct pb_ctx *x, struct pb_elig *e, const char *created,
    int64_t min_age)
{
	char age[32], need[32];
	int64_t t;

	if (created == NULL || fx_iso8601_parse(created, &t) != FX_OK) {
		pb_elig_exempt(e, "its creation time is unknown");
		return;
	}
	if (x->now - t >= min_age)
		return;
	fx_duration_format(x->now - t, age, sizeof(age));
	fx_duration_format(min_age, need, sizeof(need));
	pb_elig_exempt(e, "created %s ago, younger than %s", age, need);
}

int
pb_elig_found(const struct pb_elig *e)
{
	return e->kind != PB_EXEMPT;
}

enum pb_verdict
pb_elig_check(struct pb_ctx *x, const struct pb_elig *e, const char *what)
{
	if (e->kind == PB_ELIGIBLE)
		return PB_WRONG;
	pb_say(x, "%s: %s", what, e->why);
	return PB_KEEP;
}

fx_err
pb_found_keyed(struct pb_found_list *found, const char *resource_id,
    const char *arn, const char *title, json_t *details, json_t *tags,
    const char *key_fmt, ...)
{
	char key[FX_MAX_TITLE];
	va_list ap;
	int n;
	fx_err rc;

	va_start(ap, key_fmt);
	n = vsnprintf(key, sizeof(key), key_fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(key)) {
		json_decref(details);
		json_decref(tags);
		rc = FX_ETOOBIG;
		goto out;
	}
	rc = pb_found(found, resource_id, arn, title, details, tags);
	if (rc != FX_OK)
		goto out;
	found->v[found->n - 1].human_key = strdup(key);
	if (found->v[found->n - 1].human_key == NULL)
		rc = FX_ENOMEM;
out:
	return rc;
}

int64_t
pb_first_seen(struct pb_ctx *x, const char *id)
{
	json_t *v = json_object_get(x->seen, id != NULL ? id : "");
	int64_t t = json_is_integer(v) ? json_integer_value(v) : 0;

	if (x->seen_now == NULL || id == NULL)
		return t;
	if (t <= 0)
		t = x->now;
	/* out of memory: not recorded, seen for the first time again */
	if (json_object_set_new(x->seen_now, id, json_integer(t)) != 0)
		return x->now;
	return t;
}
