/*
 * pb_sto_util.h - helpers shared by the storage playbooks (ebs-unused,
 * rds-idle): AWS error codes, answer values, bounded parameters, tag
 * lists for create calls (EC2 TagSpecification, RDS Tags.member), the
 * user's tags, and a bounded sleep for polling.
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

#define PB_STO_MAX_TAGS	50	/* EC2 and RDS: tags per resource */

/* 1 when rc is an AWS error whose code is `code` */
int pb_sto_util_is_error(fx_err rc, const struct aws_resp *r,
    const char *code);

/* 1 when key starts with "fixit:" (PB_TAG_PREFIX) */
int pb_sto_util_is_fixit(const char *key);

/* tags (object of strings) without the fixit: keys; new reference */
json_t *pb_sto_util_user_tags(const json_t *tags);

/* the integer in an answer's string (or number), or def */
int64_t pb_sto_util_int(const json_t *v, int64_t def);

/* 1 when an answer's value is "true" (or JSON true) */
int pb_sto_util_true(const json_t *v);

/* the string at key of obj, or "" */
const char *pb_sto_util_str(const json_t *obj, const char *key);

/* a playbook parameter in [min, max]; def (with a pb_say) otherwise */
int64_t pb_sto_util_param(struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max);

/* the finding's "resource_id"; NULL (with a pb_say) when missing */
const char *pb_sto_util_resource(struct pb_ctx *x, const json_t *finding);

/*
 * A tag list being added to a request's params: entries are named
 * PREFIX N.Key / PREFIX N.Value (N from 1), with prefix e.g.
 * "TagSpecification.1.Tag." (EC2) or "Tags.member." (RDS).
 */
struct pb_sto_tags {
	json_t *params;		/* borrowed */
	const char *prefix;
	int n;			/* entries so far */
};

/* one tag; FX_ETOOBIG past PB_STO_MAX_TAGS */
fx_err pb_sto_util_tag(struct pb_sto_tags *t, const char *key,
    const char *value) FX_WUR;
/*
 * fixit:playbook, fixit:finding, fixit:action, fixit:time. With
 * optional = 1 they are left out (FX_OK) when fewer than four places
 * are left.
 */
fx_err pb_sto_util_tag_fixit(const struct pb_ctx *x, struct pb_sto_tags *t,
    const char *action, int optional) FX_WUR;
/*
 * The user's own tags recorded in a prior state, for a resource being
 * re-created: fixit: keys and AWS-reserved aws: keys are skipped (AWS
 * refuses to set aws: keys); *skipped counts the aws: ones.
 */
fx_err pb_sto_util_tag_user(struct pb_sto_tags *t, const json_t *tags,
    int *skipped) FX_WUR;

/*
 * A read (auditor role, params stolen) where the notfound error code is
 * an expected answer: then FX_OK with *missing = 1, and the error is
 * kept out of x->msg (pb_call logs it). Other errors as pb_query.
 */
fx_err pb_sto_util_read(struct pb_ctx *x, enum aws_svc svc,
    const char *action, json_t *params, const char *notfound,
    struct aws_resp *resp, int *missing) FX_WUR;

/*
 * EC2 Describe of one object (action with param=id, auditor role):
 * *item is the element of the answer's list whose key is id, borrowed
 * from resp (the caller releases resp); NULL when AWS answers the
 * notfound code or the answer does not hold it.
 */
fx_err pb_sto_util_ec2_one(struct pb_ctx *x, const char *action,
    const char *param, const char *id, const char *list, const char *key,
    const char *notfound, struct aws_resp *resp, const json_t **item)
    FX_WUR;

/*
 * CloudTrail LookupEvents ResourceName=resource from since to x->now
 * (auditor role, bounded paging): *newest = the latest EventTime of an
 * event named one of names (NULL-terminated), or 0. FX_ETOOBIG (with a
 * pb_say) past PB_STO_TRAIL_PAGES pages.
 */
#define PB_STO_TRAIL_PAGES	20
fx_err pb_sto_util_trail(struct pb_ctx *x, const char *resource,
    const char *const *names, int64_t since, int64_t *newest) FX_WUR;

/* sleep ms milliseconds (restarted on EINTR); for snapshot polling */
void pb_sto_util_sleep_ms(int64_t ms);

#endif
