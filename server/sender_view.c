/*
 * sender_view.c - a finding as Slack messages show it (sender_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "executor.h"
#include "sender_int.h"
#include "banned.h"

/* the IaC owner named in the finding's details into owner; NULL when
 * there is none (only notify-only findings can have one) */
static const char *
managed_by(const struct finding *f, char *owner, size_t len)
{
	json_t *d;
	const char *v;

	owner[0] = '\0';
	if (!f->notify_only || f->details == NULL)
		return NULL;
	d = json_loads(f->details, 0, NULL);
	v = json_string_value(json_object_get(d, "iac_owner"));
	if (v != NULL)
		snprintf(owner, len, "%s", v);
	json_decref(d);
	return owner[0] ? owner : NULL;
}

/* the exception lengths needing an admin's approval, as SLACK_EXC_* */
static unsigned
approval_mask(const struct playbook *pb)
{
	unsigned m = 0;

	if (pb->exc_need_approval & (1u << EXC_1M))
		m |= SLACK_EXC_1M;
	if (pb->exc_need_approval & (1u << EXC_1Y))
		m |= SLACK_EXC_1Y;
	return m;
}

void
sender_view_dest(const struct config *cfg, const struct finding *f,
    const char *channel, struct slack_finding_view *v)
{
	const struct account *acct = policy_account(cfg->policy, f->account_id);
	const char *owner = f->owner_email ? f->owner_email : f->owner_slack_id;

	v->owner_not_found = NULL;
	if (cfg->slack_mode == SLACK_LIVE && owner != NULL && *owner != '\0' &&
	    channel != NULL && acct != NULL && acct->channel != NULL &&
	    strcmp(channel, acct->channel) == 0)
		v->owner_not_found = owner;
}

void
sender_view_of(const struct config *cfg, const struct finding *f, char *iac,
    size_t len, struct slack_finding_view *v)
{
	sender_view_pol(cfg->policy, f, iac, len, v);
	sender_view_dest(cfg, f, f->slack_channel, v);
}

void
sender_view_pol(const struct policy *pol, const struct finding *f, char *iac,
    size_t len, struct slack_finding_view *v)
{
	const struct account *acct = policy_account(pol, f->account_id);
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	enum fx_env env = acct ? acct->env : ENV_PROD;

	memset(v, 0, sizeof(*v));
	v->id = f->id;
	v->title = f->title;
	v->resource_id = f->resource_id;
	v->resource_arn = f->resource_arn;
	v->region = f->region;
	v->account_id = f->account_id;
	v->account_name = acct ? acct->name : f->account_id;
	v->playbook = f->playbook;
	v->description = pb ? pb->description : NULL;
	v->production = env == ENV_PROD;
	v->deadline = f->deadline;
	v->owner_slack_id = f->owner_slack_id;
	v->state = fstate_name(f->state);
	v->excepted_until = f->excepted_until;
	v->updated_at = f->updated_at;
	v->exc_pending = f->state == FS_NOTIFIED && f->exc_pending != 0;
	if (pb != NULL) {
		v->fix_now = policy_fix_now_allowed(pb, env);
		v->exc_mask = policy_exc_allowed(pb, env);
		v->exc_approval_mask = approval_mask(pb) & v->exc_mask;
		v->irreversible =
		    pb->irreversible || executor_irreversible(&pb->exec);
		v->rehearsal = executor_rehearses(&pb->exec);
		v->notify_only = pb->mode == PB_NOTIFY || f->notify_only;
		v->fix_now = v->fix_now && !f->notify_only;
	}
	v->managed_by = managed_by(f, iac, len);
	v->details = f->details;
}
