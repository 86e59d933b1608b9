/*
 * sm_ingest.c - findings in: upsert keyed by (playbook, account, region,
 * resource), then advance by the playbook's mode.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlog.h"
#include "sm_internal.h"
#include "banned.h"

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * The reported fields onto f (new or existing); its owner too unless a
 * person chose it (Not mine: sm_owner_chosen).
 */
static fx_err
ingest_fields(const struct finding_in *in, struct finding *f, int64_t now,
    int owner_chosen)
{
	fx_err rc = FX_OK;

	if (!in->resolved) {
		f->last_seen = now;
		f->notify_only = in->notify_only;
	}
	f->observed_at = in->observed_at > 0 ? in->observed_at : now;
	if (in->title != NULL &&
	    (rc = sm_set_str(&f->title, in->title)) != FX_OK)
		goto out;
	if (in->resource_arn != NULL &&
	    (rc = sm_set_str(&f->resource_arn, in->resource_arn)) != FX_OK)
		goto out;
	if (in->details != NULL)
		rc = sm_set_json(&f->details, in->details);
	else if (f->details == NULL)
		rc = sm_set_str(&f->details, "{}");
	if (rc != FX_OK)
		goto out;
	if (owner_chosen)
		goto out;
	/* a new owner email voids a Slack id looked up from the old one */
	if (in->owner_email != NULL &&
	    !same_str(in->owner_email, f->owner_email)) {
		if ((rc = sm_set_str(&f->owner_email, in->owner_email)) !=
		    FX_OK)
			goto out;
		if (in->owner_slack_id == NULL &&
		    (rc = sm_set_str(&f->owner_slack_id, NULL)) != FX_OK)
			goto out;
	}
	if (in->owner_slack_id != NULL)
		rc = sm_set_str(&f->owner_slack_id, in->owner_slack_id);
out:
	return rc;
}

fx_err
sm_report_write(struct db *db, struct finding *f, int64_t now)
{
	fx_err rc;

	rc = db_finding_insert(db, f);
	if (rc != FX_OK)
		return rc;
	f->unsaved = 0;
	/* the report is written: what follows are state steps */
	f->steps_only = 1;
	return db_audit_add(db, f->id, now, SM_ACTOR_INGEST, NULL,
	    fstate_name(FS_OPEN), "transition", "Finding reported", NULL);
}

/*
 * A new finding: written once, by its first step (sm_apply) or as it is
 * when none is taken (mode off, paused). Its human key is stored when
 * the reporter gave one other than the resource id; an admin's undo of
 * the same resource holds it (recorded open, then excepted, not
 * advanced).
 */
static fx_err
ingest_new(struct db *db, const struct policy *pol, const struct finding_in *in,
    struct finding *f, int64_t now)
{
	const char *key = in->human_key;
	int held = 0;
	fx_err rc;

	if (key == NULL || *key == '\0')
		key = in->resource_id;
	rc = sm_set_str(&f->playbook, in->playbook);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&f->account_id, in->account_id);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&f->region, in->region);
	if (rc != FX_OK)
		goto out;
	rc = sm_set_str(&f->resource_id, in->resource_id);
	if (rc != FX_OK)
		goto out;
	rc = ingest_fields(in, f, now, 0);
	if (rc != FX_OK)
		goto out;
	f->state = FS_OPEN;
	f->first_seen = now;
	f->updated_at = now;
	f->unsaved = 1;
	rc = sm_guard_would_hold(db, f, key, now, &held);
	if (rc == FX_OK && !held)
		rc = sm_advance(db, pol, f, SM_ACTOR_INGEST, now);
	if (rc == FX_OK && f->unsaved)
		rc = sm_report_write(db, f, now);
	if (rc == FX_OK && strcmp(key, in->resource_id) != 0)
		rc = db_finding_key_set(db, f->id, key);
	if (rc == FX_OK && held)
		rc = sm_guard_hold(db, f, key, now, &held);
out:
	return rc;
}

/*
 * reported resolved: closes open, notified, excepted and rehearsed
 * findings (a rehearsed resource that is gone or right needs no live fix)
 */
static fx_err
ingest_resolved(struct db *db, struct finding *f, int64_t now,
    struct ingest_result *res)
{
	enum fstate was = f->state;
	fx_err rc;

	if (was != FS_OPEN && was != FS_NOTIFIED && was != FS_EXCEPTED &&
	    was != FS_REHEARSED) {
		f->updated_at = now;
		rc = db_finding_update(db, f);
		if (rc == FX_OK)
			res->updated++;
		goto out;
	}
	if (f->exc_pending != 0) {
		rc = sm_exception_close(db, f->exc_pending, "expired",
		    SM_ACTOR_INGEST, now);
		if (rc != FX_OK && rc != FX_ENOTFOUND)
			goto out;
	}
	sm_reset_cycle(f);
	rc = sm_apply(db, f, FS_RESOLVED, SM_ACTOR_INGEST, "transition",
	    "No longer seen: resolved", now, "{s:s}", "prior_state",
	    fstate_name(was));
	if (rc != FX_OK)
		goto out;
	if (was == FS_NOTIFIED)
		rc = sm_say(db, "decision", f->id, now, "resolved", NULL);
	if (rc == FX_OK)
		res->resolved++;
out:
	return rc;
}

/* reported active on an existing finding */
static fx_err
ingest_active(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now, struct ingest_result *res)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	enum fstate was = f->state;
	fx_err rc;

	/* an admin undid the fix: a decision that a re-scan must not undo */
	if (was == FS_ROLLED_BACK)
		goto update;
	if (was == FS_RESOLVED || was == FS_FIXED) {
		if (was == FS_FIXED && f->lease_until != 0)
			goto update; /* an undo is running: leave it */
		sm_reset_cycle(f);
		rc = sm_apply(db, f, FS_OPEN, SM_ACTOR_INGEST, "transition",
		    "Seen again: re-opened", now, "{s:s}", "prior_state",
		    fstate_name(was));
		if (rc == FX_OK)
			rc = sm_advance(db, pol, f, SM_ACTOR_INGEST, now);
		goto out;
	}
	/* notify mode let its deadline lapse (reminder_sent: not one still
	 * waiting to be told); the playbook enforces now */
	if (was == FS_NOTIFIED && f->deadline == 0 && f->reminder_sent &&
	    f->exc_pending == 0 && pb != NULL && sm_mode(pb, f) == PB_ENFORCE) {
		rc = sm_notify(db, pb, f, SM_ACTOR_INGEST, now);
		goto out;
	}
update:
	f->updated_at = now;
	rc = db_finding_update(db, f);
	/* still open: the playbook's mode may have changed */
	if (rc == FX_OK && was == FS_OPEN)
		rc = sm_advance(db, pol, f, SM_ACTOR_INGEST, now);
out:
	if (rc == FX_OK)
		res->updated++;
	return rc;
}

static fx_err
ingest_one(struct db *db, const struct policy *pol, const struct finding_in *in,
    int64_t now, struct ingest_result *res, struct ingest_out *o)
{
	const struct playbook *pb = policy_playbook(pol, in->playbook);
	struct finding f;
	int chosen = 0;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	if (pb == NULL || policy_account(pol, in->account_id) == NULL ||
	    in->region == NULL || in->resource_id == NULL ||
	    in->title == NULL) {
		log_warnx("%s: invalid finding (playbook %s, account %s)",
		    __func__, in->playbook ? in->playbook : "(null)",
		    in->account_id ? in->account_id : "(null)");
		rc = FX_EINVAL;
		goto out;
	}
	if (pb->mode == PB_OFF) {
		res->ignored++;
		rc = FX_OK;
		goto out;
	}
	rc = db_finding_find(db, in->playbook, in->account_id, in->region,
	    in->resource_id, &f);
	if (rc == FX_ENOTFOUND) {
		memset(&f, 0, sizeof(f));
		if (in->resolved) { /* never seen active: nothing to do */
			res->ignored++;
			rc = FX_OK;
			goto out;
		}
		rc = ingest_new(db, pol, in, &f, now);
		if (rc == FX_OK)
			res->created++;
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	rc = sm_owner_chosen(db, &f, in, &chosen);
	if (rc != FX_OK)
		goto out;
	rc = ingest_fields(in, &f, now, chosen);
	if (rc != FX_OK)
		goto out;
	if (in->resolved)
		rc = ingest_resolved(db, &f, now, res);
	else
		rc = ingest_active(db, pol, &f, now, res);
out:
	if (o != NULL) {
		o->id = f.id;
		o->state = f.state;
	}
	finding_release(&f);
	return rc;
}

fx_err
sm_ingest_out(struct db *db, const struct policy *pol,
    const struct finding_in *items, size_t n, int64_t now,
    struct ingest_result *res, struct ingest_out *out)
{
	size_t i;
	fx_err rc = FX_OK;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < n && rc == FX_OK; i++)
		rc = ingest_one(db, pol, &items[i], now, res,
		    out != NULL ? &out[i] : NULL);
	return rc;
}

fx_err
sm_ingest(struct db *db, const struct policy *pol,
    const struct finding_in *items, size_t n, int64_t now,
    struct ingest_result *res)
{
	return sm_ingest_out(db, pol, items, n, now, res, NULL);
}
