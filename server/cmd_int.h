/*
 * cmd_int.h - what cmd.c (parsing, dispatch, the changes) and
 * cmd_report.c (the reply writer and the reports) share. Private to those
 * two files: the interface is cmd.h.
 */
#ifndef FIXIT_CMD_INT_H
#define FIXIT_CMD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "cmd.h"
#include "dbwriter.h"
#include "fxerr.h"
#include "policy.h"

#define WORK_CAP (64 * 1024) /* the reply before clipping */
#define ELLIPSIS "\xe2\x80\xa6"

/* text being built: the first error sticks and later puts do nothing */
struct out {
	struct buf b;
	fx_err rc;
};

struct ctx {
	struct dbw *w;
	const struct policy *pol;
	struct scan *scan;
	const char *user;
	int64_t now;
	struct out *o;
	json_t **blocks; /* mine: its Block Kit blocks (NULL: text only) */
};

/* ---- cmd_report.c ---------------------------------------------------- */

/* printf-formatted text into o (nothing once o->rc is an error) */
void cmd_put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s with &, <, > escaped for mrkdwn, at most max bytes of it */
void cmd_put_esc(struct out *o, const char *s, size_t max);

/* the reports, arg as the subcommand table passes it */
fx_err cmd_status(struct ctx *c, const char *arg) FX_WUR;
fx_err cmd_due(struct ctx *c, const char *arg) FX_WUR;
fx_err cmd_exceptions(struct ctx *c, const char *arg) FX_WUR;
fx_err cmd_show(struct ctx *c, const char *arg) FX_WUR;
/* cmd_fp.c: status's line of approved false positives per playbook */
fx_err cmd_fp_status(struct ctx *c) FX_WUR;
/* cmd_savings.c: status's estimated savings, by playbook and the
 * accounts that saved most */
fx_err cmd_savings_status(struct ctx *c) FX_WUR;

/* ---- cmd.c ----------------------------------------------------------- */

/* a finding id, "12" or "#12" */
fx_err cmd_parse_id(const char *arg, int64_t *id) FX_WUR;
/* the reply to an argument that is not a finding id */
void cmd_bad_id(struct ctx *c, const char *arg);

#endif
