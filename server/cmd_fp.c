/*
 * cmd_fp.c - /fixit status: the false positives admins approved, per
 * playbook (remediation/sm_owner.c), so that a playbook that is often
 * wrong shows and can be tuned.
 */
#include <jansson.h>

#include "cmd_int.h"
#include "db.h"
#include "banned.h"

#define FP_PLAYBOOKS 20 /* playbooks listed; the rest counted */

static fx_err
job_fp(struct db *db, void *arg)
{
	return db_fp_counts(db, arg);
}

fx_err
cmd_fp_status(struct ctx *c)
{
	json_t *counts = NULL;
	const char *pb;
	json_t *n;
	size_t i = 0;
	fx_err rc;

	rc = dbw_read(c->w, job_fp, &counts);
	if (rc != FX_OK)
		return rc;
	cmd_put(c->o, "\n*False positives approved:* ");
	if (json_object_size(counts) == 0)
		cmd_put(c->o, "none");
	json_object_foreach(counts, pb, n) {
		if (i == FP_PLAYBOOKS) {
			cmd_put(c->o, " " ELLIPSIS " and %zu more playbooks",
			    json_object_size(counts) - i);
			break;
		}
		cmd_put(c->o, "%s`", i++ ? ", " : "");
		cmd_put_esc(c->o, pb, 63);
		cmd_put(c->o, "` %lld", (long long)json_integer_value(n));
	}
	json_decref(counts);
	return FX_OK;
}
