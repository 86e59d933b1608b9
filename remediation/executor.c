/*
 * executor.c - the table of executors, the executor context and the calls
 * that dispatch through them (see executor.h). Each executor is its own
 * file: exec_dryrun.c, exec_cmd.c, aws_exec.c.
 *
 * The table is constant; the context is built once before the threads
 * start and only read afterwards, so none of this locks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "banned.h"

#define EXEC_MSG_MAX 300 /* the outcome message, in bytes */

extern const struct executor_ops exec_dryrun_ops;
extern const struct executor_ops exec_cmd_ops;
extern const struct executor_ops aws_exec_ops;

/* the executors, in the order the config's error message lists them; the
 * first is the default of executor.type */
static const struct executor_ops *const table[] = {
	&exec_dryrun_ops,
	&exec_cmd_ops,
	&aws_exec_ops,
};
#define NEXEC (sizeof(table) / sizeof(table[0]))

struct executors {
	void *shared[NEXEC]; /* by table index; NULL: none */
};

/* ---- the outcome ------------------------------------------------------ */

void
exec_out_init(struct exec_out *o)
{
	o->ok = 0;
	o->resolved = 0;
	o->rehearsal = 0;
	o->prior_state = NULL;
	buf_init(&o->message, EXEC_MSG_MAX + 64);
}

void
exec_out_release(struct exec_out *o)
{
	if (o == NULL)
		return;
	json_decref(o->prior_state);
	o->prior_state = NULL;
	buf_release(&o->message);
}

void
exec_out_setf(struct exec_out *o, const char *fmt, ...)
{
	char msg[EXEC_MSG_MAX + 1];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = ' ';
	buf_reset(&o->message);
	if (buf_adds(&o->message, msg) != FX_OK)
		buf_reset(&o->message);
}

/* ---- the table -------------------------------------------------------- */

const struct executor_ops *
executor_at(size_t i)
{
	return i < NEXEC ? table[i] : NULL;
}

const struct executor_ops *
executor_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NEXEC; i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

static size_t
table_index(const struct executor_ops *ops)
{
	size_t i;

	for (i = 0; i < NEXEC; i++)
		if (table[i] == ops)
			break;
	return i;
}

/* ---- a playbook's executor -------------------------------------------- */

fx_err
executor_prepare(struct executor_cfg *cfg, const char *playbook,
    const char **key, struct buf *why)
{
	void *state = NULL;
	fx_err rc;

	*key = NULL;
	if (cfg->ops == NULL || cfg->state != NULL)
		return FX_EINVAL;
	rc = cfg->ops->prepare(cfg, playbook, &state, key, why);
	if (rc == FX_OK)
		cfg->state = state;
	return rc;
}

int
executor_rehearses(const struct executor_cfg *cfg)
{
	if (cfg == NULL || cfg->ops == NULL || cfg->ops->rehearses == NULL)
		return 0;
	return cfg->ops->rehearses(cfg->state);
}

int
executor_irreversible(const struct executor_cfg *cfg)
{
	if (cfg == NULL || cfg->ops == NULL || cfg->ops->irreversible == NULL)
		return 0;
	return cfg->ops->irreversible(cfg->state);
}

void
executor_cfg_release(struct executor_cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	if (cfg->state != NULL && cfg->ops != NULL && cfg->ops->free != NULL)
		cfg->ops->free(cfg->state);
	for (i = 0; cfg->argv != NULL && cfg->argv[i] != NULL; i++)
		free(cfg->argv[i]);
	free(cfg->argv);
	free(cfg->builtin);
	json_decref(cfg->params);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- the context ------------------------------------------------------ */

/* 1 when a playbook that is not off runs with ops */
static int
in_use(const struct policy *pol, const struct executor_ops *ops)
{
	size_t i;

	for (i = 0; i < pol->nplaybooks; i++)
		if (pol->playbooks[i].exec.ops == ops &&
		    pol->playbooks[i].mode != PB_OFF)
			return 1;
	return 0;
}

fx_err
executors_new(const struct exec_env *env, struct executors **out)
{
	struct executors *x;
	size_t i;
	fx_err rc = FX_OK;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < NEXEC; i++) {
		if (table[i]->shared_new == NULL || !in_use(env->pol, table[i]))
			continue;
		rc = table[i]->shared_new(env, &x->shared[i]);
		if (rc != FX_OK)
			goto out;
	}
	*out = x;
	x = NULL;
out:
	executors_free(x);
	return rc;
}

void
executors_free(struct executors *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < NEXEC; i++)
		if (x->shared[i] != NULL && table[i]->shared_free != NULL)
			table[i]->shared_free(x->shared[i]);
	free(x);
}

void *
executors_shared(const struct executors *x, const struct executor_ops *ops)
{
	size_t i = table_index(ops);

	return x != NULL && i < NEXEC ? x->shared[i] : NULL;
}

/* ---- running ---------------------------------------------------------- */

static fx_err
execute(const struct executors *x, const struct playbook *pb,
    const json_t *finding, const json_t *prior, int undo, struct exec_out *o)
{
	const struct executor_ops *ops;
	void *shared;

	o->ok = 0;
	o->resolved = 0;
	o->rehearsal = 0;
	json_decref(o->prior_state);
	o->prior_state = NULL;
	if (pb == NULL || pb->name == NULL || !json_is_object(finding)) {
		exec_out_setf(o, "executor called without a finding");
		return FX_EINVAL;
	}
	ops = pb->exec.ops;
	if (ops == NULL) {
		exec_out_setf(o, "playbook %s has no executor", pb->name);
		return FX_EINVAL;
	}
	shared = executors_shared(x, ops);
	if (undo)
		return ops->undo(shared, pb->exec.state, pb->name, finding,
		    prior, o);
	return ops->fix(shared, pb->exec.state, pb->name, finding, o);
}

fx_err
executor_fix(const struct executors *x, const struct playbook *pb,
    const json_t *finding, struct exec_out *o)
{
	return execute(x, pb, finding, NULL, 0, o);
}

fx_err
executor_undo(const struct executors *x, const struct playbook *pb,
    const json_t *finding, const json_t *prior_state, struct exec_out *o)
{
	return execute(x, pb, finding, prior_state, 1, o);
}
