/*
 * executor.h - carries out a fix; the narrow interface every executor
 * implements: finding in; status, prior state and message out; undo with
 * the prior state.
 *
 *   dry-run: records what would be done; prior state
 *            {"dry_run":true,"would":"..."}; never touches anything.
 *   exec:    runs argv (no shell) with the finding JSON on stdin. Exit 0
 *            means fixed; a JSON object on stdout is the prior state (other
 *            output is kept as the message). Undo runs the same argv plus
 *            "--undo" with {"finding":...,"prior_state":...} on stdin.
 *            Killed (SIGKILL to its process group) after the timeout;
 *            stdout capped at FX_MAX_EXEC_OUTPUT; the child gets a clean
 *            environment (PATH, HOME, LANG, FIXIT_* only) so no secret of
 *            fixitd leaks into it.
 *   aws:     the built-in playbooks, natively (aws_exec.h); sets
 *            resolved when the re-read found nothing to fix.
 *
 * Runs on the timer thread, outside any transaction; blocking.
 */
#ifndef FIXIT_EXECUTOR_H
#define FIXIT_EXECUTOR_H

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "policy.h"

struct exec_out {
	int ok;			/* 1: fixed (or undone) */
	int resolved;		/* fix: nothing to do (gone / already right) */
	json_t *prior_state;	/* owned; NULL when none */
	struct buf message;	/* human-readable outcome, never a secret */
};
void exec_out_init(struct exec_out *o);
void exec_out_release(struct exec_out *o);

/*
 * FX_OK when the executor ran (then o->ok says whether the fix worked);
 * an error when it could not run at all (o->message says why).
 */
fx_err executor_fix(const struct executor_cfg *cfg, const char *playbook,
    const json_t *finding, struct exec_out *o) FX_WUR;
fx_err executor_undo(const struct executor_cfg *cfg, const char *playbook,
    const json_t *finding, const json_t *prior_state,
    struct exec_out *o) FX_WUR;

#endif
