/*
 * sm_job.c - fixes and undos under a lease: the timer claims due jobs in
 * one transaction, runs the executor outside any transaction, and records
 * the outcome in another, only if its lease token still matches (so a job
 * whose lease expired and was claimed again cannot record twice).
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "fxlog.h"
#include "fxtime.h"
#include "fxutil.h"
#include "sm_internal.h"
#include "banned.h"

void
sm_job_release(struct sm_job *j)
{
	if (j == NULL)
		return;
	free(j->playbook);
	json_decref(j->finding);
	json_decref(j->prior_state);
	memset(j, 0, sizeof(*j));
}

/* a fresh non-zero 63-bit token; a counter backs up a failing RNG */
static int64_t
lease_token(void)
{
	static uint64_t counter; /* writer thread only */
	unsigned char b[8];
	uint64_t v = 0;
	size_t i;

	if (RAND_bytes(b, sizeof(b)) == 1)
		for (i = 0; i < sizeof(b); i++)
			v = v << 8 | b[i];
	else
		v = (uint64_t)fx_mono_ms() << 16 ^ ++counter;
	v &= INT64_MAX;
	return v != 0 ? (int64_t)v : 1;
}

/* is f claimable now as a fix (undo 0) or an undo (undo 1)? */
static fx_err
claimable(struct db *db, const struct playbook *pb, const struct finding *f,
    int undo, int64_t now, int *ok)
{
	int64_t count = 0;
	int paused = 0;
	fx_err rc;

	*ok = 0;
	if (pb == NULL || (f->lease_until != 0 && f->lease_until > now))
		return FX_OK;
	if (undo && (f->state != FS_FIXED || f->undo_requested_by == NULL))
		return FX_OK;
	/* notify and shadow never fix, even what was queued before */
	if (!undo && (f->state != FS_FIXING || f->next_attempt_at > now ||
			 sm_mode(pb, f) != PB_ENFORCE))
		return FX_OK;
	rc = sm_paused(db, pb->name, &paused);
	if (rc != FX_OK || paused)
		return rc;
	if (!undo && pb->max_fixes_per_hour > 0) {
		rc = db_audit_count_playbook(db, pb->name, "fix_attempt",
		    now - 3600, &count);
		if (rc != FX_OK || count >= pb->max_fixes_per_hour)
			return rc;
	}
	*ok = 1;
	return FX_OK;
}

/* lease f, audit the attempt, fill j */
static fx_err
claim_one(struct db *db, const struct policy *pol, struct finding *f, int undo,
    int64_t now, struct sm_job *j)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	struct buf t = BUF_INIT;
	char iso[21];
	fx_err rc;

	f->lease_until = now + (pol->lease > 0 ? pol->lease : SM_DEFAULT_LEASE);
	f->lease_token = lease_token();
	sm_iso(f->lease_until, iso);
	if (undo) {
		rc = buf_addf(&t, "Undo started (asked by %s)",
		    f->undo_requested_by);
	} else {
		f->attempts++;
		rc = buf_addf(&t, "Fix attempt %d of %d started", f->attempts,
		    pb->max_attempts > 0 ? pb->max_attempts : 1);
	}
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, f, f->state, SM_ACTOR_SYSTEM,
	    undo ? "undo_attempt" : "fix_attempt", buf_str(&t), now,
	    "{s:i,s:s}", "attempt", undo ? 1 : f->attempts, "lease_until", iso);
	if (rc != FX_OK)
		goto out;
	j->finding_id = f->id;
	j->lease_token = f->lease_token;
	j->undo = undo;
	j->attempt = undo ? 1 : f->attempts;
	j->playbook = fx_strdup(f->playbook);
	j->finding = finding_to_json(f);
	if (undo && f->prior_state != NULL)
		j->prior_state = json_loads(f->prior_state, 0, NULL);
	if (undo && j->prior_state == NULL)
		j->prior_state = json_null();
	if (j->playbook == NULL || j->finding == NULL)
		rc = FX_ENOMEM;
out:
	buf_release(&t);
	return rc;
}

/* claim from one timer query into jobs[*cnt..max) */
static fx_err
claim_kind(struct db *db, const struct policy *pol, enum due_kind k,
    int64_t now, struct sm_job *jobs, size_t max, size_t *cnt)
{
	int undo = k == DUE_UNDO;
	int64_t *ids = NULL;
	size_t i, nids = 0;
	struct finding f;
	int ok;
	fx_err rc;

	rc = db_finding_ids_due(db, k, now, SM_BATCH, &ids, &nids);
	for (i = 0; rc == FX_OK && i < nids && *cnt < max; i++) {
		memset(&f, 0, sizeof(f));
		rc = db_finding_get(db, ids[i], &f);
		if (rc == FX_OK)
			rc = claimable(db, policy_playbook(pol, f.playbook), &f,
			    undo, now, &ok);
		/* undo holds and hourly caps (sm_guard.c) */
		if (rc == FX_OK && ok && !undo)
			rc = sm_guard_claim(db, pol, &f, now, &ok);
		if (rc == FX_OK && ok) {
			rc = claim_one(db, pol, &f, undo, now, &jobs[*cnt]);
			(*cnt)++; /* released by the caller on error */
		} else if (rc == FX_ENOTFOUND) {
			rc = FX_OK;
		}
		finding_release(&f);
	}
	free(ids);
	return rc;
}

fx_err
sm_claim(struct db *db, const struct policy *pol, int64_t now, size_t max,
    struct sm_job **jobs, size_t *n)
{
	struct sm_job *arr = NULL;
	size_t i, cnt = 0;
	int paused = 0;
	fx_err rc;

	*jobs = NULL;
	*n = 0;
	if (max == 0)
		return FX_OK;
	rc = sm_paused(db, NULL, &paused);
	if (rc != FX_OK || paused)
		goto out;
	if ((arr = calloc(max, sizeof(*arr))) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = claim_kind(db, pol, DUE_CLAIMABLE, now, arr, max, &cnt);
	if (rc == FX_OK && cnt < max)
		rc = claim_kind(db, pol, DUE_UNDO, now, arr, max, &cnt);
out:
	if (rc != FX_OK || cnt == 0) {
		for (i = 0; i < cnt; i++)
			sm_job_release(&arr[i]);
		free(arr);
		return rc;
	}
	*jobs = arr;
	*n = cnt;
	return FX_OK;
}
