/*
 * pb_iam_admin.h - what iam-admin-paths' steps share (pb_iam_admin.c:
 * the analysis, detect, check, verify; pb_iam_fix.c: fix and undo).
 */
#ifndef FIXIT_PB_IAM_ADMIN_H
#define FIXIT_PB_IAM_ADMIN_H

#include <stdint.h>
#include <jansson.h>

#include "pb_iam_compute.h"
#include "pb_iam_graph.h"
#include "playbook.h"

/* one admin role as the analysis sees it now */
struct pb_iam_case {
	struct pb_iam_graph *g; /* owned */
	size_t role;
	int reached;		   /* compute reaches it within max_hops */
	int found;		   /* the role exists */
	uint32_t admin;		   /* admin actions it holds */
	uint32_t unused;	   /* of those, unused for unused_days */
	json_t *details;	   /* the finding's details (owned) */
	struct pb_elig e;	   /* the guards */
	struct pb_iam_trail trail; /* CloudTrail, read once per case */
};
void pb_iam_case_release(struct pb_iam_case *c);
/*
 * Load the account, search, and for role name (NULL: none; detect
 * walks the hits itself) fill c: chain, grants, evidence, guards.
 */
fx_err pb_iam_case_read(struct pb_ctx *x, const char *name,
    struct pb_iam_case *c) FX_WUR;

fx_err pb_iam_admin_fix(struct pb_ctx *x, const json_t *finding,
    json_t **prior) FX_WUR;
fx_err pb_iam_admin_undo(struct pb_ctx *x, const json_t *finding,
    const json_t *prior) FX_WUR;

#endif
