#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "fxlog.h"
#include "fxtime.h"
#include "sm.h"
#include "banned.h"

#define DEMO_GRACE    30
#define DEMO_REMINDER 15

void
demo_shorten(struct config *cfg)
{
	struct policy *pol = cfg->policy;
	size_t i;

	for (i = 0; i < pol->nplaybooks; i++) {
		pol->playbooks[i].grace = DEMO_GRACE;
		pol->playbooks[i].reminder_before = DEMO_REMINDER;
		pol->playbooks[i].retry_backoff = 5;
	}
	if (cfg->tick > 1)
		cfg->tick = 1;
}

struct demo_job {
	const struct policy *pol;
	struct finding_in *items;
	size_t n;
	struct ingest_result res;
};

static fx_err
demo_job_run(struct db *db, void *arg)
{
	struct demo_job *j = arg;

	return sm_ingest(db, j->pol, j->items, j->n, fx_now(), &j->res);
}

/* what a resource of this playbook is called in AWS: "vol-", "i-" ... */
static const char *
demo_prefix(const char *playbook)
{
	static const struct {
		const char *pb, *prefix;
	} m[] = { { "ebs", "vol-0demo" }, { "eip", "eipalloc-0demo" },
		{ "rds", "demo-db-" }, { "route53", "Z0DEMO" },
		{ "dangling", "Z0DEMO" }, { "snapshot", "snap-0demo" },
		{ "redshift", "demo-cluster-" }, { "lb", "demo-lb-" } };
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strncmp(playbook, m[i].pb, strlen(m[i].pb)) == 0)
			return m[i].prefix;
	return "i-0demo";
}

/* one sample per configured account, cycling through the playbooks */
fx_err
demo_seed(struct dbw *w, const struct config *cfg)
{
	static const char *const owners[] = { "U0DEMOOWNR", "U0DEMODEV1" };
	const struct policy *pol = cfg->policy;
	struct demo_job j;
	char(*ids)[32] = NULL, (*titles)[96] = NULL;
	size_t i, n;
	fx_err rc;

	n = pol->naccounts < 3 ? pol->naccounts * 2 : pol->naccounts;
	if (n == 0 || pol->nplaybooks == 0)
		return FX_OK;
	memset(&j, 0, sizeof(j));
	j.pol = pol;
	j.items = calloc(n, sizeof(*j.items));
	ids = calloc(n, sizeof(*ids));
	titles = calloc(n, sizeof(*titles));
	if (j.items == NULL || ids == NULL || titles == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct account *a = &pol->accounts[i % pol->naccounts];
		const struct playbook *pb =
		    &pol->playbooks[i % pol->nplaybooks];

		snprintf(ids[i], sizeof(ids[i]), "%s%010zu",
		    demo_prefix(pb->name), i + 1);
		snprintf(titles[i], sizeof(titles[i]), "Demo: %s on %s",
		    pb->name, ids[i]);
		j.items[i].playbook = pb->name;
		j.items[i].account_id = a->id;
		j.items[i].region = "eu-west-1";
		j.items[i].resource_id = ids[i];
		j.items[i].title = titles[i];
		j.items[i].owner_slack_id = owners[i % 2];
	}
	j.n = n;
	rc = dbw_call(w, demo_job_run, &j);
	if (rc == FX_OK)
		log_info("%s: %zu sample findings (%zu new); deadlines in %ds, "
			 "reminders %ds before",
		    __func__, n, j.res.created, DEMO_GRACE, DEMO_REMINDER);
out:
	free(j.items);
	free(ids);
	free(titles);
	return rc;
}
