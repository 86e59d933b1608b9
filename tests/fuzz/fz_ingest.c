/*
 * fz_ingest.c - fuzz target for the ingest decoder (server/ingest_json.h):
 * a POST /v1/findings body, parsed as h_api.c parses it, every item
 * decoded against a fixed policy.
 */
#include <jansson.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "ingest_json.h"
#include "policy.h"

static char acct1[] = "111111111111", acct2[] = "222222222222";
static char pb1[] = "ec2-imdsv1", pb2[] = "s3-public";

/* one item: FX_OK with the required members set, else a reason */
static void
item(const struct policy *pol, const json_t *it, size_t i)
{
	struct finding_in f;
	struct buf err = BUF_INIT;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	rc = ingest_json_item(pol, it, i, &f, &err);
	if (rc == FX_OK) {
		FZ_ASSERT(f.playbook != NULL && f.account_id != NULL);
		FZ_ASSERT(f.region != NULL && f.resource_id != NULL);
		FZ_ASSERT(f.title != NULL);
		FZ_ASSERT(f.details == NULL || json_is_object(f.details));
	} else {
		FZ_ASSERT(rc == FX_EINVAL || rc == FX_ENOMEM);
		FZ_ASSERT(rc == FX_ENOMEM || err.len > 0);
	}
	buf_release(&err);
}

/*
 * Input: a request body. {"findings": [...]} decodes each item; any other
 * object is taken as one item, an array as the items.
 */
int
fz_ingest(const uint8_t *data, size_t size)
{
	struct account accounts[2];
	struct playbook playbooks[2];
	struct policy pol;
	json_t *doc, *list, *v;
	size_t i;

	memset(accounts, 0, sizeof(accounts));
	memset(playbooks, 0, sizeof(playbooks));
	memset(&pol, 0, sizeof(pol));
	accounts[0].id = acct1;
	accounts[1].id = acct2;
	playbooks[0].name = pb1;
	playbooks[1].name = pb2;
	pol.accounts = accounts;
	pol.naccounts = 2;
	pol.playbooks = playbooks;
	pol.nplaybooks = 2;

	doc =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (doc == NULL)
		return 0;
	list = json_is_object(doc) ? json_object_get(doc, "findings") : doc;
	if (json_is_array(list)) {
		json_array_foreach(list, i, v)
			item(&pol, v, i);
	} else {
		item(&pol, doc, 0);
	}
	json_decref(doc);
	return 0;
}
