/*
 * pb_tagging.c - playbook "tagging-standard": resources whose tags
 * deviate from a configured standard (required keys, allowed values per
 * resource type; pb_tag_std.h), public ones first: EC2 instances with a
 * public IP, internet-facing load balancers, public S3 buckets
 * (pb_tag_read.h says how each is read and what counts as public).
 *
 * The owner fixes the tags or takes an exception: fixit never writes a
 * user's tag, as it cannot know the value. The one tag it may add is
 * its own fixit:creator, when its records know the creator (a person's
 * CloudTrail creation event it processed: x->creators) and the resource
 * lacks it; that makes the owner of later findings known. A finding
 * with nothing to add only notifies (details.notify_only, notify_why).
 *
 * Eligibility (tg_eligible, the same in detect, check and fix): not
 * allow-tagged; IaC-owned (aws:cloudformation:stack-name,
 * events.iac_tags): found, notify only.
 *
 *   detect  each type the standard names (its own rules or "*"), listed
 *           (paged); a resource with deviations is a finding: details
 *           {resource_type, name, public, public_why, priority (high
 *           when public), missing, not_allowed, deviations (one line),
 *           creator when fixit would add it}. With public_first the
 *           public findings come before the others (each group in
 *           listing order); their titles start with "Public".
 *   check   re-read the resource: gone -> GONE; no deviation now ->
 *           RIGHT (resolved); a guard applies -> KEEP; else WRONG.
 *   fix     re-read (refuses if it meets the standard or a guard applies
 *           now, or if there is no creator to add), then the fixit: tags
 *           with fixit:creator (EC2 CreateTags, ELBv2 AddTags, S3
 *           PutBucketTagging of the set read plus fixit's keys). prior
 *           {type, added {fixit:creator}, deviations}.
 *   verify  fixit:creator is there with the value added.
 *   undo    removes fixit:creator when it still holds the value added
 *           (EC2 DeleteTags, ELBv2 RemoveTags, S3 the set without it).
 *
 * Parameters (checked when the config is loaded: pb_tag_std_check):
 *   standard      {TYPE: {required: [key], allowed: {key: [value]}}}
 *   public_first  public resources' findings first (default true)
 *   allow_tag     tag key exempting a resource (default "fixit:allow")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "pb_tag_read.h"
#include "pb_tag_std.h"
#include "playbook.h"
#include "banned.h"

#define TG_CREATOR "fixit:creator"
#define TG_MAX_TAG 256 /* a tag value */

static const char *const tg_types[] = { PB_TAG_STD_INSTANCE, PB_TAG_STD_LB,
	PB_TAG_STD_BUCKET, NULL };

static const char *
tg_kind(const char *type)
{
	if (strcmp(type, PB_TAG_STD_INSTANCE) == 0)
		return "EC2 instance";
	if (strcmp(type, PB_TAG_STD_LB) == 0)
		return "load balancer";
	return "S3 bucket";
}

/* the guards of tagging-standard (playbook.h, eligibility) */
static void
tg_eligible(struct pb_ctx *x, const struct pb_tag_res *r, struct pb_elig *e)
{
	pb_elig_init(e);
	pb_elig_tags(x, e, r->tags,
	    pb_param_str(x, "allow_tag", "fixit:allow"));
}

/* a value AWS takes in a tag: letters, digits, spaces, + - = . _ : / @ */
static int
tg_value_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > TG_MAX_TAG)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') ||
			strchr(" +-=._:/@", s[i]) != NULL))
			return 0;
	return 1;
}

/* who fixit's records say created r, when r lacks fixit:creator: the one
 * tag fixit may add; NULL otherwise */
static const char *
tg_creator(const struct pb_ctx *x, const struct pb_tag_res *r)
{
	const char *who;

	if (json_object_get(r->tags, TG_CREATOR) != NULL)
		return NULL;
	who = json_string_value(json_object_get(x->creators, r->id));
	return tg_value_ok(who) ? who : NULL;
}

/* r's deviations (*dev, new) as details; *n = 0: none */
static fx_err
tg_details(struct pb_ctx *x, const struct pb_tag_res *r, json_t **dev,
    size_t *n)
{
	struct buf line = BUF_INIT;
	const char *who;
	fx_err rc;

	buf_init(&line, FX_MAX_TITLE);
	rc = pb_tag_std_deviations(x->params, r->type, r->tags, dev, n);
	if (rc != FX_OK || *n == 0)
		goto out;
	if ((rc = pb_tag_std_say(*dev, &line)) == FX_ETOOBIG)
		rc = FX_OK; /* the lists are in the details */
	if (rc != FX_OK)
		goto out;
	who = tg_creator(x, r);
	if (json_object_set_new(*dev, "resource_type", json_string(r->type)) ||
	    json_object_set_new(*dev, "name", json_string(r->name)) ||
	    json_object_set_new(*dev, "public", json_boolean(r->public)) ||
	    json_object_set_new(*dev, "priority",
		json_string(r->public ? "high" : "normal")) ||
	    json_object_set_new(*dev, "deviations",
		json_string(buf_str(&line))) ||
	    (r->public &&
		json_object_set_new(*dev, "public_why", json_string(r->why))) ||
	    (who != NULL &&
		json_object_set_new(*dev, "creator", json_string(who))) ||
	    (who == NULL &&
		(json_object_set_new(*dev, "notify_only", json_true()) ||
		    json_object_set_new(*dev, "notify_why",
			json_string("fixit adds no tag whose value it "
				    "does not know: the owner fixes the "
				    "tags or takes an exception")))))
		rc = FX_ENOMEM;
out:
	buf_release(&line);
	return rc;
}

static fx_err
tg_found_one(struct pb_ctx *x, struct pb_tag_res *r, void *arg)
{
	struct pb_found_list *found = arg;
	char title[FX_MAX_TITLE];
	struct pb_elig e;
	json_t *dev = NULL, *tags;
	size_t n;
	fx_err rc;

	if ((rc = tg_details(x, r, &dev, &n)) != FX_OK || n == 0)
		goto out;
	tg_eligible(x, r, &e);
	if (!pb_elig_found(&e))
		goto out;
	snprintf(title, sizeof(title), "%s%s %.80s: %s",
	    r->public ? "Public " : "", tg_kind(r->type), r->name,
	    json_string_value(json_object_get(dev, "deviations")));
	if (!r->public && title[0] >= 'a' && title[0] <= 'z')
		title[0] = (char)(title[0] - 'a' + 'A');
	if ((tags = json_deep_copy(r->tags)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_found(found, r->id, r->arn, title, dev, tags);
	dev = NULL;
out:
	json_decref(dev);
	return rc;
}

/* the findings from first on: public ones first, each group in order */
static fx_err
tg_public_first(struct pb_found_list *found, size_t first)
{
	struct pb_found *tmp;
	size_t i, k = 0, n = found->n - first;
	int pass;

	if (n < 2)
		return FX_OK;
	if ((tmp = calloc(n, sizeof(*tmp))) == NULL)
		return FX_ENOMEM;
	for (pass = 1; pass >= 0; pass--)
		for (i = first; i < found->n; i++)
			if (json_is_true(json_object_get(found->v[i].details,
				"public")) == pass)
				tmp[k++] = found->v[i];
	memcpy(found->v + first, tmp, n * sizeof(*tmp));
	free(tmp);
	return FX_OK;
}

static fx_err
tg_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct buf why = BUF_INIT;
	size_t first = found->n, i;
	const json_t *pf;
	fx_err rc;

	buf_init(&why, 512);
	if ((rc = pb_tag_std_check(x->params, &why)) != FX_OK) {
		pb_say(x, "params: %s", buf_str(&why));
		goto out;
	}
	for (i = 0; rc == FX_OK && tg_types[i] != NULL; i++)
		if (pb_tag_std_covers(x->params, tg_types[i]))
			rc = pb_tag_read_list(x, tg_types[i], tg_found_one,
			    found);
	pf = json_object_get(x->params, "public_first");
	if (rc == FX_OK && !json_is_false(pf))
		rc = tg_public_first(found, first);
out:
	buf_release(&why);
	return rc;
}

/* the finding's resource, read again: *found 0 when it is gone */
static fx_err
tg_read(struct pb_ctx *x, const json_t *finding, struct pb_tag_res *r,
    int *found)
{
	const char *id, *type;
	fx_err rc;

	*found = 0;
	if ((rc = pb_resource(x, finding, &id)) != FX_OK)
		return rc;
	if ((type = pb_tag_read_type_of(id)) == NULL) {
		pb_say(x, "%s is no resource tagging-standard reads", id);
		return FX_EINVAL;
	}
	return pb_tag_read_one(x, type, id, r, found);
}

/* check's verdict on r, read again; *dev its deviations (new) */
static fx_err
tg_verdict(struct pb_ctx *x, const struct pb_tag_res *r, json_t **dev,
    enum pb_verdict *v)
{
	struct pb_elig e;
	char what[200];
	size_t n;
	fx_err rc;

	*v = PB_WRONG;
	if ((rc = tg_details(x, r, dev, &n)) != FX_OK)
		return rc;
	if (n == 0) {
		pb_say(x, "the %s meets the tagging standard now",
		    tg_kind(r->type));
		*v = PB_RIGHT;
		return FX_OK;
	}
	tg_eligible(x, r, &e);
	snprintf(what, sizeof(what), "%s %.120s", tg_kind(r->type), r->name);
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

static fx_err
tg_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct pb_tag_res r;
	json_t *dev = NULL;
	int found;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	*v = PB_WRONG;
	if ((rc = tg_read(x, finding, &r, &found)) != FX_OK)
		goto out;
	if (!found) {
		*v = PB_GONE;
		goto out;
	}
	rc = tg_verdict(x, &r, &dev, v);
	if (rc == FX_OK && *v == PB_WRONG)
		pb_say(x, "still deviates: %s",
		    json_string_value(json_object_get(dev, "deviations")));
out:
	json_decref(dev);
	pb_tag_res_release(&r);
	return rc;
}

static fx_err
tg_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct pb_tag_res r;
	enum pb_verdict v;
	const char *who;
	json_t *dev = NULL, *p = NULL, *extra = NULL;
	int found;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	*prior = NULL;
	if ((rc = tg_read(x, finding, &r, &found)) != FX_OK)
		goto out;
	rc = FX_ENOTFOUND;
	if (!found || (rc = tg_verdict(x, &r, &dev, &v)) != FX_OK)
		goto out;
	rc = FX_ECONFLICT;
	if (v != PB_WRONG)
		goto out;
	if ((who = tg_creator(x, &r)) == NULL) {
		pb_say(x, "nothing fixit may add (no creator on record, or "
			  "fixit:creator is there): the owner fixes the tags "
			  "or takes an exception");
		goto out;
	}
	rc = FX_ENOMEM;
	extra = json_pack("{s:s}", TG_CREATOR, who);
	p = json_pack("{s:s, s:O, s:O}", "type", r.type, "added", extra,
	    "deviations", dev);
	if (extra == NULL || p == NULL)
		goto out;
	if ((rc = pb_would(x, p, "tag fixit:creator")) != FX_OK)
		goto out;
	if ((rc = pb_tag_read_add(x, &r, "tag-creator", extra)) != FX_OK)
		goto out;
	pb_say(x, "%s fixit:creator=%s; the owner fixes the rest (%s)",
	    x->dry_run ? "would tag" : "tagged", who,
	    json_string_value(json_object_get(dev, "deviations")));
	*prior = p;
	p = NULL;
out:
	json_decref(extra);
	json_decref(p);
	json_decref(dev);
	pb_tag_res_release(&r);
	return rc;
}

/* the value prior says the fix added, or NULL */
static const char *
tg_added(const json_t *prior)
{
	return json_string_value(
	    json_object_get(json_object_get(prior, "added"), TG_CREATOR));
}

static fx_err
tg_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	struct pb_tag_res r;
	const char *want = tg_added(prior), *have;
	int found;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	*ok = 0;
	if ((rc = tg_read(x, finding, &r, &found)) != FX_OK || !found)
		goto out;
	have = json_string_value(json_object_get(r.tags, TG_CREATOR));
	*ok = want != NULL && have != NULL && strcmp(want, have) == 0;
	pb_say(x,
	    *ok ? "verified: fixit:creator=%s" : "fixit:creator is not %s",
	    want != NULL ? want : "?");
out:
	pb_tag_res_release(&r);
	return rc;
}

static fx_err
tg_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct pb_tag_res r;
	const char *want = tg_added(prior), *have;
	int found;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	if ((rc = tg_read(x, finding, &r, &found)) != FX_OK)
		goto out;
	if (!found) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	have = json_string_value(json_object_get(r.tags, TG_CREATOR));
	/* someone set it since: theirs now, not fixit's to remove */
	if (want == NULL || have == NULL || strcmp(want, have) != 0) {
		pb_say(x, "fixit:creator no longer holds the value added: "
			  "left alone");
		goto out;
	}
	if ((rc = pb_tag_read_drop(x, &r, TG_CREATOR)) == FX_OK)
		pb_say(x, "removed fixit:creator=%s", want);
out:
	pb_tag_res_release(&r);
	return rc;
}

const struct pb_def pb_tagging_standard = {
	.name = "tagging-standard",
	.summary = "report tags that deviate from the tagging standard, "
		   "public resources first; add fixit:creator when known",
	.detect = tg_detect,
	.check = tg_check,
	.fix = tg_fix,
	.verify = tg_verify,
	.undo = tg_undo,
	.params_check = pb_tag_std_check,
	.creators = 1,
};
