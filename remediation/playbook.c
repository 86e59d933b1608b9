/*
 * playbook.c - helpers every playbook uses (see playbook.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxtime.h"
#include "playbook.h"
#include "banned.h"

#define PB_MAX_TAGS	50	/* EC2 allows 50 tags per resource */

const struct pb_def *
pb_find(const char *name)
{
	size_t i;

	for (i = 0; pb_all[i] != NULL; i++)
		if (strcmp(pb_all[i]->name, name) == 0)
			return pb_all[i];
	return NULL;
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
	char line[1024];
	int n;

	if (x->msg == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (x->msg->len > 0 && buf_adds(x->msg, "; ") != FX_OK)
		return;
	if (buf_adds(x->msg, line) != FX_OK)
		return;
}

int64_t
pb_wait_deadline(const struct pb_ctx *x, int64_t timeout_ms)
{
	int64_t d = fx_mono_ms() + timeout_ms;

	return x->deadline_ms > 0 && x->deadline_ms < d ? x->deadline_ms : d;
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
	const char *s = x->params ?
	    json_string_value(json_object_get(x->params, key)) : NULL;

	return s != NULL ? s : def;
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
	log_info("%s: %s %s %s in %s/%s: %s", __func__, x->playbook ?
	    x->playbook : "?", aws_svc_name(rr.svc), rr.action ? rr.action :
	    "?", x->account_id, rr.region, buf_str(&what));
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
		if (k != NULL && json_object_set_new(o, k,
		    json_string(v ? v : "")) != 0)
			break;
	}
	return o;
}

static fx_err
tag_add(json_t *p, int *n, const char *k, const char *v)
{
	char key[48];

	if (*n >= PB_MAX_TAGS || strncmp(k, PB_TAG_PREFIX,
	    strlen(PB_TAG_PREFIX)) != 0)
		return FX_EINVAL;	/* only our own tags, ever */
	(*n)++;
	snprintf(key, sizeof(key), "Tag.%d.Key", *n);
	if (json_object_set_new(p, key, json_string(k)) != 0)
		return FX_ENOMEM;
	snprintf(key, sizeof(key), "Tag.%d.Value", *n);
	if (json_object_set_new(p, key, json_string(v)) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

fx_err
pb_tag_ec2(struct pb_ctx *x, const char *const *ids, const char *action,
    const json_t *extra)
{
	struct aws_resp resp;
	json_t *p = json_object(), *v;
	const char *k;
	char key[32], when[21], fid[24];
	int n = 0, i;
	fx_err rc = FX_OK;

	if (p == NULL)
		return FX_ENOMEM;
	for (i = 0; ids[i] != NULL && rc == FX_OK; i++) {
		snprintf(key, sizeof(key), "ResourceId.%d", i + 1);
		if (json_object_set_new(p, key, json_string(ids[i])) != 0)
			rc = FX_ENOMEM;
	}
	fx_iso8601_format(x->now, when);
	snprintf(fid, sizeof(fid), "%lld", (long long)x->finding_id);
	if (rc == FX_OK &&
	    (rc = tag_add(p, &n, "fixit:playbook", x->playbook)) == FX_OK &&
	    (x->finding_id == 0 ||	/* a scan: no finding yet */
	    (rc = tag_add(p, &n, "fixit:finding", fid)) == FX_OK) &&
	    (rc = tag_add(p, &n, "fixit:action", action)) == FX_OK)
		rc = tag_add(p, &n, "fixit:time", when);
	json_object_foreach((json_t *)extra, k, v) {
		if (rc != FX_OK)
			break;
		rc = json_is_string(v) ? tag_add(p, &n, k,
		    json_string_value(v)) : FX_EINVAL;
	}
	if (rc != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc = pb_query(x, PB_TAGGER, AWS_EC2, "CreateTags", p, 1, &resp);
	aws_resp_release(&resp);
	return rc;
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
		if (p != NULL && next != NULL && json_object_set_new(p,
		    req_key, json_string(next)) != 0) {
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

fx_err
pb_found(json_t *found, const char *resource_id, const char *arn,
    const char *title, json_t *details, json_t *tags)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:o}", "resource_id", resource_id,
	    "title", title, "details", details ? details : json_object());
	if (o == NULL) {
		json_decref(tags);
		return FX_ENOMEM;
	}
	if ((arn != NULL && json_object_set_new(o, "resource_arn",
	    json_string(arn)) != 0) || (tags != NULL &&
	    json_object_set_new(o, "tags", tags) != 0) ||
	    json_array_append_new(found, o) != 0)
		return FX_ENOMEM;
	return FX_OK;
}
