/*
 * ev_decide.c - the findings and messages an event produces (see
 * ev_decide.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_decide.h"
#include "ev_decide_int.h"
#include "ev_int.h"
#include "fxlimits.h"
#include "banned.h"

void
ev_fmem_free(struct ev_fmem *m)
{
	if (m == NULL)
		return;
	json_decref(m->details);
	free(m);
}

void
ev_decision_init(struct ev_decision *d)
{
	memset(d, 0, sizeof(*d));
}

void
ev_decision_release(struct ev_decision *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nmem; i++)
		ev_fmem_free(d->mem[i]);
	free(d->mem);
	free(d->in);
	for (i = 0; i < d->nmsgs; i++)
		json_decref(d->msgs[i].fact);
	free(d->msgs);
	ev_action_list_release(&d->acts);
	evmap_list_release(&d->mapped);
	memset(d, 0, sizeof(*d));
}

/* f (pointing into m) and m added to d; m is freed when that fails */
fx_err
ev_add_finding(struct ev_decision *d, struct ev_fmem *m,
    const struct finding_in *f)
{
	struct finding_in *in;
	struct ev_fmem **mem;
	fx_err rc = FX_ENOMEM;

	mem = realloc(d->mem, (d->nmem + 1) * sizeof(*d->mem));
	if (mem == NULL)
		goto out;
	d->mem = mem;
	in = realloc(d->in, (d->nin + 1) * sizeof(*d->in));
	if (in == NULL)
		goto out;
	d->in = in;
	d->mem[d->nmem++] = m;
	d->in[d->nin++] = *f;
	m = NULL;
	rc = FX_OK;
out:
	ev_fmem_free(m);
	return rc;
}

/*
 * The owner and IaC marker of tags into f: an email named there replaces
 * the one f has (the tag names the resource's owner, the actor may only
 * have made it), a Slack id goes beside it (the ingest API takes both);
 * an IaC owner goes to details.iac_owner and makes the finding
 * notify-only.
 */
static fx_err
apply_owner(struct ev_fmem *m, struct finding_in *f, const json_t *tags,
    const struct ev_settings *s, const char *owner_tag)
{
	struct ev_owner o;
	fx_err rc = FX_OK;

	/* tags that are no object tell nothing */
	if (ev_owner_from_tags(tags, owner_tag, s->iac_tags, &o) != FX_OK)
		goto out;
	if (o.email != NULL) {
		snprintf(m->owner_email, sizeof(m->owner_email), "%s", o.email);
		f->owner_email = m->owner_email;
	} else if (o.slack_id != NULL) {
		snprintf(m->owner_slack_id, sizeof(m->owner_slack_id), "%s",
		    o.slack_id);
		f->owner_slack_id = m->owner_slack_id;
	}
	if (o.iac[0] == '\0')
		goto out;
	rc = FX_ENOMEM;
	if (m->details == NULL)
		m->details = json_object();
	if (m->details == NULL)
		goto out;
	f->details = m->details;
	if (json_object_set_new(m->details, "iac_owner", json_string(o.iac)) !=
	    0)
		goto out;
	f->notify_only = 1;
	rc = FX_OK;
out:
	return rc;
}

/* ---- CloudTrail --------------------------------------------------------- */

/* a finding owned by the actor of a CloudTrail event, not yet added */
static struct ev_fmem *
actor_finding(const struct ev_info *info, const char *playbook,
    const char *region, struct finding_in *f)
{
	struct ev_fmem *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->details = json_pack("{s:s, s:s, s:s, s:s}", "source", "cloudtrail",
	    "event_id", info->id, "event_name", info->event_name, "actor",
	    info->actor);
	if (m->details == NULL) {
		free(m);
		return NULL;
	}
	memset(f, 0, sizeof(*f));
	f->playbook = playbook;
	f->account_id = info->account;
	f->region = region;
	f->resource_id = m->resource_id;
	f->title = m->title;
	f->details = m->details;
	f->observed_at = info->time;
	if (ev_is_email(info->actor)) {
		/* fits: an email is at most EV_MAX_EMAIL bytes */
		memcpy(m->owner_email, info->actor, strlen(info->actor) + 1);
		f->owner_email = m->owner_email;
	}
	return m;
}

/* RunInstances tags -> {"Key": "Value"} (IaC markers, owner) */
static json_t *
launch_tags(const json_t *event)
{
	const json_t *specs = json_object_get(
	    json_object_get(json_object_get(json_object_get(event, "detail"),
				"requestParameters"),
		"tagSpecificationSet"),
	    "items");
	const json_t *spec, *t, *key, *value;
	json_t *out = json_object();
	size_t i, k;

	json_array_foreach(specs, i, spec) {
		json_array_foreach(json_object_get(spec, "tags"), k, t) {
			key = json_object_get(t, "key");
			value = json_object_get(t, "value");
			/* best effort: a tag that does not fit is not read */
			if (json_is_string(key) && json_is_string(value))
				(void)json_object_set_new(out,
				    json_string_value(key),
				    json_stringn(json_string_value(value),
					json_string_length(value)));
		}
	}
	return out;
}

static fx_err
launch_findings(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event,
    const struct ev_action *act, struct ev_decision *d)
{
	struct finding_in f;
	struct ev_fmem *m;
	json_t *tags = NULL;
	size_t i;
	fx_err rc = FX_OK;

	d->launches += (int64_t)act->count;
	if (a->name == NULL || !a->prod || s->quarantine_playbook == NULL)
		goto out;
	d->launch = 1; /* the writer counts the person's recent launches */
	rc = FX_ENOMEM;
	tags = launch_tags(event);
	if (tags == NULL)
		goto out;
	rc = FX_OK;
	for (i = 0; i < act->nids && rc == FX_OK; i++) {
		m = actor_finding(info, s->quarantine_playbook,
		    info->aws_region, &f);
		if (m == NULL) {
			rc = FX_ENOMEM;
			break;
		}
		snprintf(m->resource_id, sizeof(m->resource_id), "%s",
		    act->ids[i]);
		snprintf(m->title, sizeof(m->title),
		    "Instance %.40s launched "
		    "by hand by %.120s in a production account",
		    act->ids[i], info->actor);
		rc = apply_owner(m, &f, tags, s, NULL);
		if (rc != FX_OK) {
			ev_fmem_free(m);
			break;
		}
		rc = ev_add_finding(d, m, &f);
	}
out:
	json_decref(tags);
	return rc;
}

static fx_err
dangling_finding(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const struct ev_action *act,
    struct ev_decision *d)
{
	static const char *const types[][2] = {
		[EV_RES_S3] = { "s3", "S3 bucket" },
		[EV_RES_ELB] = { "elb", "Load balancer" },
		[EV_RES_EIP] = { "eip", "Elastic IP" },
		[EV_RES_CLOUDFRONT] = { "cloudfront",
		    "CloudFront distribution" },
		[EV_RES_APIGW] = { "apigw", "API Gateway custom domain" },
		[EV_RES_BEANSTALK] = { "beanstalk",
		    "Elastic Beanstalk environment" },
	};
	const char *type, *what;
	struct finding_in f;
	struct ev_fmem *m;
	int bad;
	fx_err rc = FX_OK;

	if (s->dangling_playbook == NULL || a->name == NULL ||
	    act->name == NULL ||
	    (size_t)act->res >= sizeof(types) / sizeof(types[0]) ||
	    types[act->res][0] == NULL)
		goto out;
	type = types[act->res][0];
	what = types[act->res][1];
	rc = FX_ENOMEM;
	m = actor_finding(info, s->dangling_playbook,
	    act->region ? act->region : info->aws_region, &f);
	if (m == NULL)
		goto out;
	snprintf(m->resource_id, sizeof(m->resource_id), "%s:%s", type,
	    act->name);
	snprintf(m->title, sizeof(m->title),
	    "%s %.200s was deleted: DNS "
	    "records may still point at it",
	    what, act->name);
	bad = json_object_set_new(m->details, "kind", json_string(type));
	bad |= json_object_set_new(m->details, "name", json_string(act->name));
	if (act->region != NULL)
		bad |= json_object_set_new(m->details, "region",
		    json_string(act->region));
	if (act->arn != NULL)
		bad |= json_object_set_new(m->details, "arn",
		    json_string(act->arn));
	if (bad != 0) {
		ev_fmem_free(m);
		goto out;
	}
	rc = ev_add_finding(d, m, &f);
out:
	return rc;
}

/* the fact (stolen; NULL: FX_ENOMEM) to tell kind/email */
fx_err
ev_add_msg(struct ev_decision *d, enum ev_msg_kind kind, const char *email,
    json_t *fact)
{
	struct ev_msg *more, *m;

	if (fact == NULL)
		return FX_ENOMEM;
	more = realloc(d->msgs, (d->nmsgs + 1) * sizeof(*d->msgs));
	if (more == NULL) {
		json_decref(fact);
		return FX_ENOMEM;
	}
	d->msgs = more;
	m = &d->msgs[d->nmsgs++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	snprintf(m->email, sizeof(m->email), "%s", email ? email : "");
	m->fact = fact;
	return FX_OK;
}

static fx_err
new_user_msgs(const struct ev_account *a, const struct ev_info *info,
    const struct ev_action *act, struct ev_decision *d)
{
	const char *user = act->name ? act->name : "?";
	fx_err rc;

	rc = ev_add_msg(d, EV_MSG_ADMIN, NULL,
	    json_pack("{s:s,s:s,s:s,s:s*,s:s}", "say", "iam_user_created",
		"iam_user", user, "account", info->account, "account_name",
		a->name, "actor", info->actor));
	if (rc != FX_OK || !ev_is_email(info->actor))
		return rc;
	return ev_add_msg(d, EV_MSG_DM, info->actor,
	    json_pack("{s:s,s:s,s:s,s:s*}", "say", "iam_user_created_you",
		"iam_user", user, "account", info->account, "account_name",
		a->name));
}

fx_err
ev_decide_cloudtrail(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event, struct ev_decision *d)
{
	const struct ev_action *act;
	size_t i;
	const char *key;
	fx_err rc = FX_OK;

	key = ev_decoy_of(s,
	    ev_jstr(json_object_get(json_object_get(event, "detail"),
			"userIdentity"),
		"accessKeyId"));
	if (key != NULL)
		rc = ev_decoy_call(s, a, info, event, key, d);
	if (rc == FX_OK)
		rc = ev_cloudshell(s, a, info, event, d);
	if (rc == FX_OK)
		rc = ev_actions(info, event, &d->acts);
	for (i = 0; rc == FX_OK && i < d->acts.n; i++) {
		act = &d->acts.v[i];
		switch (act->kind) {
		case EV_ACT_LAUNCH:
			rc = launch_findings(s, a, info, event, act, d);
			break;
		case EV_ACT_DANGLING:
			rc = dangling_finding(s, a, info, act, d);
			break;
		case EV_ACT_NEW_USER:
			rc = new_user_msgs(a, info, act, d);
			break;
		case EV_ACT_CREATED: /* an AWS call: the thread's */
			break;
		}
	}
	return rc;
}

/* ---- Security Hub, Custodian -------------------------------------------- */

/* record r of the mapper (ev_map.h) as a finding; borrows from r */
static fx_err
mapped_finding(const struct ev_settings *s, const struct ev_mapped *r,
    struct ev_decision *d)
{
	struct finding_in f;
	struct ev_fmem *m;
	fx_err rc = FX_ENOMEM;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto out;
	evmap_finding(r, &f);
	/* the decision's own reference: apply_owner and the batch rule
	 * write into it */
	m->details = json_incref(r->details);
	f.details = m->details;
	rc = apply_owner(m, &f, r->tags, s, s->owner_tag);
	if (rc != FX_OK)
		goto out;
	rc = ev_add_finding(d, m, &f);
	m = NULL; /* added, or freed by add_finding */
out:
	ev_fmem_free(m);
	return rc;
}

static fx_err
decide_mapped(const struct ev_settings *s, const json_t *doc, int custodian,
    struct ev_decision *d, struct buf *err)
{
	size_t i;
	fx_err rc = FX_OK;

	if (!custodian)
		rc = ev_decoy_asff(s, doc, d);
	if (rc != FX_OK)
		return rc;
	if (custodian)
		rc = evmap_custodian(doc, &s->custodian, &d->mapped,
		    &d->skipped, err);
	else
		rc = evmap_securityhub(doc, &s->securityhub, &d->mapped,
		    &d->skipped, err);
	for (i = 0; rc == FX_OK && i < d->mapped.n; i++)
		rc = mapped_finding(s, &d->mapped.v[i], d);
	return rc;
}

fx_err
ev_decide_securityhub(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d, struct buf *err)
{
	return decide_mapped(s, event, 0, d, err);
}

fx_err
ev_decide_custodian(const struct ev_settings *s, const json_t *payload,
    struct ev_decision *d, struct buf *err)
{
	return decide_mapped(s, payload, 1, d, err);
}

/* ---- the batch rule ------------------------------------------------------- */

fx_err
ev_decide_batch(const struct ev_settings *s, int64_t before,
    struct ev_decision *d)
{
	int64_t total = before + d->launches;
	json_t *details;
	size_t i;
	int bad;
	fx_err rc = FX_OK;

	if (!d->launch || total <= s->launch_batch)
		goto out;
	snprintf(d->batch, sizeof(d->batch),
	    "%lld instances launched by the "
	    "same person within %llds: scripted batch work, notify only",
	    (long long)total, (long long)s->launch_window);
	for (i = 0; i < d->nin; i++) {
		d->in[i].notify_only = 1;
		/* the decision's own object (fmem), shared with in[i] */
		details = (json_t *)d->in[i].details;
		if (details == NULL)
			continue;
		bad = json_object_set_new(details, "notify_only", json_true());
		bad |= json_object_set_new(details, "batch",
		    json_string(d->batch));
		if (bad != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
out:
	return rc;
}
