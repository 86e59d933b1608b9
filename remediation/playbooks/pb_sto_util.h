/*
 * pb_sto_util.h - helpers shared by the storage playbooks (ebs-unused,
 * rds-idle): answer values, the user's tags back on a re-created
 * resource, bounded snapshot polling, CloudTrail events of a resource.
 * Generic helpers (error codes, reads of one resource, parameters,
 * fixit: tags, sleeps) are in playbook.h.
 *
 * Every accessor accepts NULL and hostile shapes. Returned json_t values
 * are new references where said, else borrowed.
 */
#ifndef FIXIT_PB_STO_UTIL_H
#define FIXIT_PB_STO_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

/* the integer in an answer's string (or number), or def */
int64_t pb_sto_util_int(const json_t *v, int64_t def);

/* 1 when an answer's value is "true" (or JSON true) */
int pb_sto_util_true(const json_t *v);

/* the string at key of obj, or "" */
const char *pb_sto_util_str(const json_t *obj, const char *key);

/*
 * detect could not read what it judges resource id by (rc, the what of
 * "its WHAT were not read"): the resource is skipped with a sentence;
 * FX_OK, or FX_ENOMEM, which stops the scan.
 */
fx_err pb_sto_util_skip(struct pb_ctx *x, fx_err rc, const char *id,
    const char *what) FX_WUR;

/*
 * The tags of a resource re-created by undo, added to params as PREFIX
 * N.Key / PREFIX N.Value (pb_tags): the user's tags of a prior state
 * (pb_user_tags, settable: a pb_say counts the aws: ones left out),
 * fixit:restored-from=from, then the fixit: tags of action "undo" when
 * they still fit.
 */
fx_err pb_sto_util_tag_restore(struct pb_ctx *x, json_t *params,
    const char *prefix, const json_t *tags, const char *from) FX_WUR;

/*
 * Waiting for a snapshot, bounded by count and by time: parameters
 * snapshot_poll_ms (default 5000) and snapshot_timeout_s (default 900).
 */
struct pb_sto_poll {
	int64_t poll_ms;
	int64_t timeout_s;
	int64_t deadline; /* fx_mono_ms() */
	int64_t polls;	  /* reads at most */
};
void pb_sto_util_poll(struct pb_ctx *x, struct pb_sto_poll *p);
/* sleep until the next read: 0 (no sleep) when it would pass the
 * deadline */
int pb_sto_util_pause(const struct pb_sto_poll *p);

/*
 * CloudTrail LookupEvents ResourceName=resource from since to x->now
 * (auditor role, bounded paging): *newest = the latest EventTime of an
 * event named one of names (NULL-terminated), or 0. FX_ETOOBIG (with a
 * pb_say) past PB_STO_TRAIL_PAGES pages.
 */
#define PB_STO_TRAIL_PAGES 20
fx_err pb_sto_util_trail(struct pb_ctx *x, const char *resource,
    const char *const *names, int64_t since, int64_t *newest) FX_WUR;
/* the same in region (NULL: x->region): a global service's events are
 * in us-east-1, whatever region its finding names */
fx_err pb_sto_util_trail_in(struct pb_ctx *x, const char *region,
    const char *resource, const char *const *names, int64_t since,
    int64_t *newest) FX_WUR;

/*
 * One paged LookupEvents (auditor) of attribute key = value from since
 * to x->now in region (NULL: x->region): each(arg, event) for every
 * event; *pages (may be NULL) counts the calls. FX_ETOOBIG past
 * max_pages pages (no pb_say: the caller says what it gives up).
 */
fx_err pb_sto_util_trail_each(struct pb_ctx *x, const char *region,
    const char *key, const char *value, int64_t since, int max_pages,
    int *pages, fx_err (*each)(void *arg, const json_t *ev), void *arg) FX_WUR;

/*
 * The events of names in x->region from since to x->now, read once for
 * all the resources of one detection instead of once per resource
 * (CloudTrail allows LookupEvents twice a second per account and
 * region): one paged LookupEvents per name, EventName=NAME (a lookup
 * takes one attribute), read when the first resource asks
 * (pb_sto_util_trail_of). Then each resource's newest event comes from
 * the table. An event that names no resource may be anyone's: it counts
 * for every resource. Past PB_STO_TRAIL_ALL_PAGES pages of one name the
 * table is not used and each resource is looked up by itself, as
 * pb_sto_util_trail does; a read that failed is not repeated, and every
 * resource that asks gets its error.
 */
#define PB_STO_TRAIL_ALL_PAGES 40
struct pb_trail {
	json_t *newest; /* resource name -> newest EventTime; owned */
	int64_t any;	/* newest event that names no resource, or 0 */
	int read;	/* 1 once the read was tried */
	fx_err rc;	/* how it went; FX_ETOOBIG: per resource */
	int pages;	/* LookupEvents calls made */
};
void pb_trail_init(struct pb_trail *t);
void pb_trail_release(struct pb_trail *t); /* accepts NULL */

/*
 * *newest of resource as pb_sto_util_trail(x, resource, names, since):
 * from t (read on first use; the same names and since on every call
 * with one t), or a lookup of its own when t is NULL (a check or a fix:
 * one resource) or too big to read whole.
 */
fx_err pb_sto_util_trail_of(struct pb_ctx *x, struct pb_trail *t,
    const char *const *names, int64_t since, const char *resource,
    int64_t *newest) FX_WUR;

#endif
