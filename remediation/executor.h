/*
 * executor.h - carries out a fix. Every executor implements one narrow
 * interface, struct executor_ops: finding in; status, prior state and
 * message out; undo with the prior state.
 *
 *   dry-run (exec_dryrun.c): records what would be done; prior state
 *            {"dry_run":true,"would":"..."}; never touches anything, so
 *            every outcome is a rehearsal.
 *   exec     (exec_cmd.c): runs argv (no shell) with the finding JSON on
 *            stdin. Exit 0 means fixed; a JSON object on stdout is the
 *            prior state (other output is kept as the message). Undo runs
 *            the same argv plus "--undo" with
 *            {"finding":...,"prior_state":...} on stdin. Killed (SIGKILL
 *            to its process group) after the timeout; stdout capped at
 *            FX_MAX_EXEC_OUTPUT; the child gets a clean environment
 *            (PATH, HOME, LANG, FIXIT_* only) so no secret of fixitd
 *            leaks into it.
 *   aws      (aws_exec.c): the built-in playbooks, natively; sets
 *            resolved when the re-read found nothing to fix; with
 *            dry_run, a rehearsal (the planned calls, none sent).
 *
 * A rehearsal is its own outcome, never a fix: o->rehearsal says that
 * nothing was changed, whatever o->ok says about the plan, and the state
 * machine records it as such (sm.h: rehearsed).
 *
 * A new executor is one file that defines its struct executor_ops and
 * one line in executor.c's table; its name is then a value of the
 * config's executor.type.
 *
 * Lifecycle and ownership:
 *   load   the config loader picks the ops by executor.type
 *          (executor_find), reads the executor keys into the playbook's
 *          struct executor_cfg (policy.h) and, once the playbook is
 *          read, calls executor_prepare: the executor checks its keys and
 *          builds its private state into cfg->state, owned by the policy
 *          (executor_cfg_release frees it). Nothing is contacted.
 *   start  executors_new builds the context: the shared state of each
 *          executor that a playbook not off uses (the aws executor's
 *          credential source). The caller owns it and frees it after
 *          every thread that uses it has stopped.
 *   run    executor_fix / executor_undo with the context and the
 *          playbook: blocking, outside any transaction.
 *
 * Threads: the ops, the prepared states and the context are read-only
 * after startup; fixes and undos may run on several threads at once
 * (an executor locks what it shares).
 */
#ifndef FIXIT_EXECUTOR_H
#define FIXIT_EXECUTOR_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "policy.h"

struct aws_cfg; /* aws/aws.h */
struct dbw;	/* db/dbwriter.h */

struct exec_out {
	int ok;		     /* 1: fixed (or undone); with rehearsal: the
			      * plan was made */
	int resolved;	     /* fix: nothing to do (gone / already right) */
	int rehearsal;	     /* 1: a dry run: nothing was changed; the
			      * plan is in prior_state and message */
	json_t *prior_state; /* owned; NULL when none */
	struct buf message;  /* human-readable outcome, never a secret */
};
void exec_out_init(struct exec_out *o);
void exec_out_release(struct exec_out *o);
/* replace o's message: control characters become spaces, cut to fit */
void exec_out_setf(struct exec_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* what an executor's shared state may be built from; borrowed, it
 * outlives the context */
struct exec_env {
	const struct policy *pol;
	const struct aws_cfg *aws_client; /* the AWS HTTP client's */
	/* the store, read (dbw_read) for provenance (fxprov.h); NULL: none
	 * can be read, and a step that needs it does nothing */
	struct dbw *w;
};

/*
 * prepare: check cfg's keys for playbook and build the private state
 * (*state, NULL when the executor keeps none; it may borrow from cfg,
 * which outlives it). FX_ECONFIG with *key (a key of the executor
 * section, "command") and why ("type exec needs a command: ...") when
 * the keys do not make a working executor.
 * fix / undo: shared is the executor's shared state (NULL when it has
 * none or the context was not built), state what prepare made. FX_OK
 * when the executor ran (then o->ok says whether it worked); an error
 * when it could not run at all (o->message says why).
 */
typedef fx_err (*exec_prepare_fn)(const struct executor_cfg *cfg,
    const char *playbook, void **state, const char **key, struct buf *why);
typedef void (*exec_free_fn)(void *state);
typedef fx_err (*exec_shared_new_fn)(const struct exec_env *env, void **shared);
typedef void (*exec_shared_free_fn)(void *shared);
typedef fx_err (*exec_fix_fn)(void *shared, const void *state,
    const char *playbook, const json_t *finding, struct exec_out *o);
typedef fx_err (*exec_undo_fn)(void *shared, const void *state,
    const char *playbook, const json_t *finding, const json_t *prior,
    struct exec_out *o);
/* 1 when the prepared state only ever rehearses (dry run) */
typedef int (*exec_rehearses_fn)(const void *state);
/* 1 when what the prepared state runs cannot be undone (the built-in
 * playbook says so); the config can only add to it */
typedef int (*exec_irreversible_fn)(const void *state);

struct executor_ops {
	const char *name; /* executor.type */
	exec_prepare_fn prepare;
	exec_free_fn free;	       /* NULL: no private state */
	exec_shared_new_fn shared_new; /* NULL: nothing shared */
	exec_shared_free_fn shared_free;
	exec_fix_fn fix;
	exec_undo_fn undo;
	exec_rehearses_fn rehearses;	   /* NULL: never rehearses */
	exec_irreversible_fn irreversible; /* NULL: only the config says */
};

/* the executor named name, NULL when none; the i-th of the table, NULL
 * past its end (to list them) */
const struct executor_ops *executor_find(const char *name);
const struct executor_ops *executor_at(size_t i);

/* cfg->ops->prepare into cfg->state (see exec_prepare_fn) */
fx_err executor_prepare(struct executor_cfg *cfg, const char *playbook,
    const char **key, struct buf *why) FX_WUR;
/*
 * 1 when cfg's executor (prepared) only rehearses: a fix by it changes
 * nothing. When a playbook stops rehearsing, its rehearsed findings are
 * due (sm_reconcile).
 */
int executor_rehearses(const struct executor_cfg *cfg);
/* 1 when what cfg's executor (prepared) runs is irreversible by itself */
int executor_irreversible(const struct executor_cfg *cfg);
/* frees the state and the keys of cfg; accepts NULL */
void executor_cfg_release(struct executor_cfg *cfg);

struct executors;

/* the shared state of every executor a playbook not off uses */
fx_err executors_new(const struct exec_env *env, struct executors **out) FX_WUR;
void executors_free(struct executors *x); /* accepts NULL */
/* what ops->shared_new made, NULL when nothing (x may be NULL); for
 * the executor's own header to hand out under its type */
void *executors_shared(const struct executors *x,
    const struct executor_ops *ops);

/*
 * Fix (undo) pb's finding with pb's executor. x may be NULL: executors
 * that need shared state then fail with FX_ECONFIG.
 */
fx_err executor_fix(const struct executors *x, const struct playbook *pb,
    const json_t *finding, struct exec_out *o) FX_WUR;
fx_err executor_undo(const struct executors *x, const struct playbook *pb,
    const json_t *finding, const json_t *prior_state,
    struct exec_out *o) FX_WUR;

#endif
