/*
 * fxprov.h - provenance: what fixitd's own records say it did to a
 * resource. A destructive step is justified by these records (a finding
 * fixitd fixed, its audit row), never by a tag or a name that anyone
 * allowed to tag the resource could write.
 *
 * The aws executor reads them from the store (db_prov_fixed) right
 * before a playbook's detect or check and lends them to it
 * (playbook.h: pb_ctx.prov); the playbook only looks them up. Plain
 * data: every string is owned by the set.
 */
#ifndef FIXIT_FXPROV_H
#define FIXIT_FXPROV_H

#include <stddef.h>
#include <stdint.h>

#include "fxerr.h"

/* one resource fixitd fixed and has not undone */
struct fx_prov {
	int64_t finding_id; /* the finding whose fix this was */
	char *resource_id;
	/* what tells this resource from a later one with the same id, as
	 * the fix recorded it in its prior state (EC2: the instance's
	 * LaunchTime); NULL when the fix recorded none */
	char *launch_time;
	/* what the fix made and left in place, as its prior state names
	 * it: a backup snapshot ($.snapshot_id of ebs-unused,
	 * $.final_snapshot of rds-idle); NULL when none */
	char *made;
	int64_t fixed_at; /* unix seconds of the audit row fixing -> fixed */
	/* the follow-up finding on the same resource (the playbook that
	 * asked) has an active or pending exception, or is excepted */
	int excepted;
};

struct fx_prov_set {
	struct fx_prov *v;
	size_t n, cap;
};
#define FX_PROV_SET_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/* frees every record and empties s; accepts NULL */
void fx_prov_set_release(struct fx_prov_set *s);
/*
 * A copy of p (its strings duplicated) at the end of s; FX_ETOOBIG past
 * FX_MAX_PROVENANCE records, FX_ENOMEM.
 */
fx_err fx_prov_set_add(struct fx_prov_set *s, const struct fx_prov *p) FX_WUR;
/* the latest fix (highest finding id) of resource_id in s (may be
 * NULL), NULL when there is none; borrowed from s */
const struct fx_prov *fx_prov_find(const struct fx_prov_set *s,
    const char *resource_id);

/* the latest fix in s (may be NULL) whose made is id, NULL when there
 * is none; borrowed from s */
const struct fx_prov *fx_prov_find_made(const struct fx_prov_set *s,
    const char *id);

#endif
