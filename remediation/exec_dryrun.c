/*
 * exec_dryrun.c - the dry-run executor (see executor.h): a rehearsal that
 * records what would be done and touches nothing. No keys of its own, no
 * state, nothing shared: safe on any thread.
 */
#include <stdio.h>

#include "executor.h"
#include "banned.h"

#define WOULD_MAX 300 /* the plan sentence, in bytes */

static const char *
jstr(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "?";
}

static fx_err
dry_run(const char *playbook, const json_t *finding, int undo,
    struct exec_out *o)
{
	char would[WOULD_MAX];

	snprintf(would, sizeof(would), "%s %s on %s in %s/%s",
	    undo ? "undo" : "fix", playbook, jstr(finding, "resource_id"),
	    jstr(finding, "account_id"), jstr(finding, "region"));
	o->ok = 1;
	o->rehearsal = 1;
	if (!undo) {
		o->prior_state =
		    json_pack("{s:b,s:s}", "dry_run", 1, "would", would);
		if (o->prior_state == NULL)
			return FX_ENOMEM;
	}
	exec_out_setf(o, "dry run: would %s", would);
	return FX_OK;
}

static fx_err
dryrun_prepare(const struct executor_cfg *cfg, const char *playbook,
    void **state, const char **key, struct buf *why)
{
	*state = NULL;
	return FX_OK;
}

static fx_err
dryrun_fix(void *shared, const void *state, const char *playbook,
    const json_t *finding, struct exec_out *o)
{
	return dry_run(playbook, finding, 0, o);
}

static fx_err
dryrun_undo(void *shared, const void *state, const char *playbook,
    const json_t *finding, const json_t *prior, struct exec_out *o)
{
	return dry_run(playbook, finding, 1, o);
}

static int
dryrun_rehearses(const void *state)
{
	return 1;
}

const struct executor_ops exec_dryrun_ops = {
	.name = "dry-run",
	.prepare = dryrun_prepare,
	.fix = dryrun_fix,
	.undo = dryrun_undo,
	.rehearses = dryrun_rehearses,
};
