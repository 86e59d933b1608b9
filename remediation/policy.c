#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "executor.h"
#include "policy.h"
#include "price.h"
#include "banned.h"

const struct account *
policy_account(const struct policy *p, const char *id)
{
	size_t i;

	for (i = 0; id && i < p->naccounts; i++)
		if (strcmp(p->accounts[i].id, id) == 0)
			return &p->accounts[i];
	return NULL;
}

const struct playbook *
policy_playbook(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; name && i < p->nplaybooks; i++)
		if (strcmp(p->playbooks[i].name, name) == 0)
			return &p->playbooks[i];
	return NULL;
}

int
policy_is_admin(const struct policy *p, const char *user)
{
	size_t i;

	for (i = 0; user && i < p->nadmins; i++)
		if (strcmp(p->admins[i], user) == 0)
			return 1;
	return 0;
}

unsigned
policy_exc_allowed(const struct playbook *pb, enum fx_env env)
{
	unsigned allowed =
	    env == ENV_PROD ? (1u << EXC_1M) | (1u << EXC_1Y) : (1u << EXC_1M);

	return allowed & pb->exc_offered;
}

int
policy_fix_now_allowed(const struct playbook *pb, enum fx_env env)
{
	return env == ENV_NONPROD && pb->mode == PB_ENFORCE;
}

const char *
policy_env_name(enum fx_env env)
{
	return env == ENV_PROD ? "production" : "non-production";
}

const char *
policy_mode_name(enum pb_mode m)
{
	static const char *const names[] = { "off", "shadow", "notify",
		"enforce" };

	return (unsigned)m < 4 ? names[m] : "?";
}

const char *
policy_exc_name(enum exc_kind k)
{
	return k == EXC_1Y ? "1 year" : "1 month";
}

int64_t
policy_exc_secs(const struct playbook *pb, enum exc_kind k)
{
	if ((unsigned)k < EXC__COUNT && pb != NULL && pb->exc_duration[k] > 0)
		return pb->exc_duration[k];
	return k == EXC_1Y ? EXC_1Y_SECS : EXC_1M_SECS;
}

static void
free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void
aws_settings_release(struct aws_settings *a)
{
	int i;

	free(a->profile);
	free(a->sts_region);
	free(a->partition);
	for (i = 0; i < ROLE__COUNT; i++)
		free(a->role_name[i]);
	if (a->external_id != NULL) {
		OPENSSL_cleanse(a->external_id, strlen(a->external_id));
		free(a->external_id);
	}
	free_strv(a->regions);
	free(a->owner_tag);
	memset(a, 0, sizeof(*a));
}

/* the regions scanned in account a */
const char *const *
policy_regions(const struct policy *p, const struct account *a, size_t *n)
{
	if (a->regions != NULL && a->nregions > 0) {
		*n = a->nregions;
		return (const char *const *)a->regions;
	}
	*n = p->aws.nregions;
	return (const char *const *)p->aws.regions;
}

static void
events_settings_release(struct events_settings *e)
{
	free(e->employee_pattern);
	free_strv(e->automation);
	free_strv(e->iac_tags);
	free(e->quarantine_playbook);
	free(e->dangling_playbook);
	free_strv(e->honeypot_keys);
	free(e->honeypot_playbook);
	free(e->cloudshell_playbook);
	json_decref(e->securityhub);
	json_decref(e->custodian);
	memset(e, 0, sizeof(*e));
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->naccounts; i++) {
		free(p->accounts[i].id);
		free(p->accounts[i].name);
		free(p->accounts[i].channel);
		free_strv(p->accounts[i].regions);
	}
	free(p->accounts);
	for (i = 0; i < p->nplaybooks; i++) {
		free(p->playbooks[i].name);
		free(p->playbooks[i].description);
		executor_cfg_release(&p->playbooks[i].exec);
	}
	free(p->playbooks);
	for (i = 0; i < p->nadmins; i++)
		free(p->admins[i]);
	free(p->admins);
	free(p->admin_channel);
	aws_settings_release(&p->aws);
	events_settings_release(&p->events);
	price_free(p->prices);
	free(p);
}
