/*
 * sm_timer.c - the timer's housekeeping tick: exceptions that expired,
 * exception requests nobody decided in time, open findings to move on,
 * reminders, deadlines. Each step reads at most
 * SM_BATCH ids; what is left waits for the next tick.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "executor.h"
#include "fxlog.h"
#include "sm_internal.h"
#include "banned.h"

typedef fx_err (*hk_fn)(struct db *db, const struct policy *pol,
    struct finding *f, int64_t now);

/*
 * The exception rows of a finding in status `from` (but keep) closed as
 * expired; *kind set to EXC_1Y when one was a 1-year one.
 */
static fx_err
expire_rows(struct db *db, int64_t finding_id, const char *from, int64_t keep,
    int64_t now, int *kind)
{
	json_t *show = NULL, *excs, *x;
	const char *status;
	json_int_t id;
	size_t i;
	fx_err rc;

	rc = db_finding_show(db, finding_id, &show);
	if (rc != FX_OK)
		goto out;
	excs = json_object_get(show, "exceptions");
	json_array_foreach(excs, i, x) {
		status = json_string_value(json_object_get(x, "status"));
		id = json_integer_value(json_object_get(x, "id"));
		if (status == NULL || strcmp(status, from) != 0 || id == keep)
			continue;
		if (sm_exc_parse(json_string_value(
			json_object_get(x, "kind"))) == EXC_1Y)
			*kind = EXC_1Y;
		rc =
		    sm_exception_close(db, id, "expired", SM_ACTOR_SYSTEM, now);
		if (rc != FX_OK)
			goto out;
	}
out:
	json_decref(show);
	return rc;
}

/* excepted -> open, owner told, then asked again like a new finding */
static fx_err
hk_expired(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int kind = EXC_1M;
	char iso[21];
	fx_err rc;

	if (f->state != FS_EXCEPTED || f->excepted_until > now)
		return FX_OK;
	rc = expire_rows(db, f->id, "active", 0, now, &kind);
	if (rc != FX_OK)
		goto out;
	sm_iso(f->excepted_until, iso);
	sm_reset_cycle(f);
	rc = sm_apply(db, f, FS_OPEN, SM_ACTOR_SYSTEM, "transition",
	    "Exception expired", now, "{s:s}", "exception_until", iso);
	if (rc != FX_OK)
		goto out;
	if (pb != NULL && (pb->mode == PB_NOTIFY || pb->mode == PB_ENFORCE)) {
		rc = sm_say(db, "owner_msg", f->id, now, "exc_lapsed", "{s:s}",
		    "kind", sm_exc_code(kind));
		if (rc != FX_OK)
			goto out;
	}
	rc = sm_advance(db, pol, f, SM_ACTOR_SYSTEM, now);
out:
	return rc;
}

static fx_err
hk_open(struct db *db, const struct policy *pol, struct finding *f, int64_t now)
{
	return sm_advance(db, pol, f, SM_ACTOR_SYSTEM, now);
}

static fx_err
hk_reminder(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	char iso[21];
	fx_err rc;

	if (f->state != FS_NOTIFIED || f->reminder_sent || pb == NULL)
		return FX_OK;
	if (pb->reminder_before <= 0 ||
	    (pb->mode != PB_NOTIFY && pb->mode != PB_ENFORCE)) {
		/* no reminder will ever be due: leave the query's set */
		f->reminder_sent = 1;
		f->updated_at = now;
		return db_finding_update(db, f);
	}
	if (f->exc_pending != 0 || f->deadline - pb->reminder_before > now)
		return FX_OK;
	f->reminder_sent = 1;
	sm_iso(f->deadline, iso);
	rc = sm_apply(db, f, FS_NOTIFIED, SM_ACTOR_SYSTEM, "reminder",
	    "Reminder sent before the deadline", now, "{s:s}", "deadline", iso);
	if (rc == FX_OK)
		rc = sm_out(db, "reminder", f->id, now, "{s:I}", "deadline",
		    (json_int_t)f->deadline);
	return rc;
}

static fx_err
hk_deadline(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int paused = 0;
	char iso[21];
	fx_err rc;

	if (f->state != FS_NOTIFIED || f->exc_pending != 0 ||
	    f->deadline == 0 || f->deadline > now || pb == NULL)
		return FX_OK;
	if (sm_mode(pb, f) != PB_ENFORCE) {
		/* nothing will happen at this deadline: see sm_internal.h */
		sm_iso(f->deadline, iso);
		f->deadline = 0;
		f->reminder_sent = 1; /* not "waiting to be told" */
		return sm_apply(db, f, FS_NOTIFIED, SM_ACTOR_SYSTEM,
		    "deadline_passed",
		    "Deadline passed; the playbook does "
		    "not enforce, so nothing was fixed",
		    now, "{s:s,s:s}", "deadline", iso, "mode",
		    policy_mode_name(pb->mode));
	}
	rc = sm_paused(db, pb->name, &paused);
	if (rc != FX_OK || paused)
		return rc;
	rc = sm_to_fixing(db, f, SM_ACTOR_SYSTEM,
	    "Deadline passed: fixit fixes it now", now);
	/* a dry run must not read as a fix, even for the minute it runs */
	if (rc == FX_OK)
		rc = sm_say(db, "decision", f->id, now, "deadline_fixing",
		    "{s:b}", "dry_run", executor_rehearses(&pb->exec));
	return rc;
}

/* the admin channel's messages of lapsed request exc lose their buttons */
static fx_err
request_lapsed(struct db *db, const struct finding *f, int64_t exc, int64_t now)
{
	struct sm_request_end d;
	struct exception_rec e;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	rc = db_exception_get(db, exc, &e);
	if (rc == FX_OK) {
		memset(&d, 0, sizeof(d));
		d.e = &e;
		d.f = f;
		d.kind =
		    sm_exc_parse(e.kind) < 0 ? EXC_1M : sm_exc_parse(e.kind);
		d.code = "exc_request_lapsed_admin";
		rc = sm_request_ended(db, &d, now);
	}
	exception_release(&e);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

/*
 * A request waiting for an admin since before approval_timeout lapses: a
 * pending request must never hold a fix off for ever. The owner is told,
 * and the deadline is put at least approval_grace ahead, so that they can
 * ask again (another admin may be around) or fix it.
 */
static fx_err
hk_pending(struct db *db, const struct policy *pol, struct finding *f,
    int64_t now)
{
	int64_t exc = f->exc_pending;
	int kind = EXC_1M;
	char iso[21];
	int fp = 0;
	fx_err rc;

	/*
	 * A pending row the finding no longer waits on (its cycle was reset
	 * meanwhile) is closed too: left pending it would come back at every
	 * tick and, SM_BATCH of them, crowd out the requests that lapse.
	 */
	if (f->state != FS_NOTIFIED || exc == 0)
		return expire_rows(db, f->id, "pending", 0, now, &kind);
	rc = expire_rows(db, f->id, "pending", exc, now, &kind);
	if (rc != FX_OK)
		return rc;
	rc = sm_exception_close(db, exc, "expired", SM_ACTOR_SYSTEM, now);
	if (rc != FX_OK && rc != FX_ENOTFOUND)
		return rc;
	f->exc_pending = 0;
	if (f->deadline < now + pol->approval_grace) {
		f->deadline = now + pol->approval_grace;
		f->reminder_sent = 0;
	}
	sm_iso(f->deadline, iso);
	rc = sm_apply(db, f, FS_NOTIFIED, SM_ACTOR_SYSTEM,
	    "exception_request_expired",
	    "Nobody decided the exception request in time: it lapsed", now,
	    "{s:I,s:s}", "exception_id", (json_int_t)exc, "deadline", iso);
	if (rc != FX_OK)
		return rc;
	rc = request_lapsed(db, f, exc, now);
	if (rc != FX_OK)
		return rc;
	rc = sm_owner_lapsed(db, pol, f, exc, now, &fp);
	if (rc != FX_OK || fp)
		return rc; /* a false-positive report: said there */
	return sm_say(db, "owner_msg", f->id, now, "exc_request_lapsed", NULL);
}

/* run fn on each of the n findings */
static fx_err
hk_run(struct db *db, const struct policy *pol, int64_t *ids, size_t n,
    hk_fn fn, int64_t now)
{
	struct finding f;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; rc == FX_OK && i < n; i++) {
		memset(&f, 0, sizeof(f));
		rc = db_finding_get(db, ids[i], &f);
		if (rc == FX_OK)
			rc = fn(db, pol, &f, now);
		else if (rc == FX_ENOTFOUND)
			rc = FX_OK;
		finding_release(&f);
	}
	return rc;
}

/* the findings whose pending request lapsed, a batch a tick */
static fx_err
hk_pending_each(struct db *db, const struct policy *pol, int64_t now)
{
	int64_t *ids = NULL;
	size_t n = 0;
	fx_err rc;

	rc = db_finding_ids_pending_exc(db, now - pol->approval_timeout,
	    SM_BATCH, &ids, &n);
	if (rc == FX_OK)
		rc = hk_run(db, pol, ids, n, hk_pending, now);
	if (rc != FX_OK)
		log_warnx("%s: %s", __func__, fx_strerror(rc));
	free(ids);
	return rc;
}

/*
 * The due deadlines the timer acts on: those of configured playbooks
 * not paused. The ones hk_deadline would skip are not read at all, so
 * SM_BATCH of them (a paused playbook's backlog) cannot fill every
 * tick's batch and hold back every other playbook's deadlines.
 */
static fx_err
deadline_ids(struct db *db, const struct policy *pol, int64_t now,
    int64_t **ids, size_t *n)
{
	json_t *names = json_array();
	size_t i;
	fx_err rc = names != NULL ? FX_OK : FX_ENOMEM;

	for (i = 0; rc == FX_OK && i < pol->nplaybooks; i++)
		if (json_array_append_new(names,
			json_string(pol->playbooks[i].name)) != 0)
			rc = FX_ENOMEM;
	if (rc == FX_OK)
		rc = db_finding_ids_deadline(db, now, names, SM_BATCH, ids, n);
	json_decref(names);
	return rc;
}

/* run fn on each finding of one timer query */
static fx_err
hk_each(struct db *db, const struct policy *pol, enum due_kind k, hk_fn fn,
    int64_t now)
{
	int64_t *ids = NULL, until = now, rb;
	size_t i, n = 0;
	fx_err rc;

	if (k == DUE_REMINDER) {
		/* only deadlines a reminder can be due for */
		for (i = 0; i < pol->nplaybooks; i++) {
			rb = pol->playbooks[i].reminder_before;
			if (rb > until - now)
				until = now + rb;
		}
		rc = db_finding_ids_remind(db, now, until, SM_BATCH, &ids, &n);
	} else if (k == DUE_DEADLINE) {
		rc = deadline_ids(db, pol, now, &ids, &n);
	} else {
		rc = db_finding_ids_due(db, k, now, SM_BATCH, &ids, &n);
	}
	if (rc == FX_OK)
		rc = hk_run(db, pol, ids, n, fn, now);
	if (rc != FX_OK)
		log_warnx("%s: query %d: %s", __func__, (int)k,
		    fx_strerror(rc));
	free(ids);
	return rc;
}

/*
 * The executor of pb (enforcing) went live: each of its rehearsed findings
 * is fixed now, the decision to fix having been taken before its dry run
 * (deadline, Fix now or approval none). The aws executor re-reads the
 * resource first: one gone or already right is resolved, not fixed.
 * One batch of ids above r->after, *nread of them; *last set when it was
 * the last one.
 */
static fx_err
rehearsed_live(struct db *db, const struct playbook *pb, int64_t now,
    struct sm_reconcile *r, size_t *nread, int *last)
{
	int64_t *ids = NULL;
	struct finding f;
	size_t i, n = 0;
	fx_err rc;

	rc = db_finding_ids_rehearsed(db, pb->name, r->after,
	    SM_RECONCILE_BATCH, &ids, &n);
	for (i = 0; rc == FX_OK && i < n; i++) {
		r->after = ids[i];
		memset(&f, 0, sizeof(f));
		rc = db_finding_get(db, ids[i], &f);
		/* a notify-only one is never fixed: it stays */
		if (rc == FX_OK && f.state == FS_REHEARSED &&
		    sm_mode(pb, &f) == PB_ENFORCE) {
			rc = sm_to_fixing(db, &f, SM_ACTOR_SYSTEM,
			    "The executor is live now: the rehearsed "
			    "fix runs for real",
			    now);
			if (rc == FX_OK)
				r->moved++;
		}
		finding_release(&f);
	}
	*nread = n;
	*last = n < SM_RECONCILE_BATCH;
	free(ids);
	return rc;
}

/* the playbook r is at is done: say what changed, go to the next one */
static void
reconcile_next(const struct playbook *pb, struct sm_reconcile *r)
{
	if (r->rearmed > 0)
		log_info("%s: %s left shadow mode: %lld open findings "
			 "will be asked",
		    __func__, pb->name, (long long)r->rearmed);
	if (r->moved > 0)
		log_info("%s: %s no longer rehearses: %zu rehearsed "
			 "findings are due",
		    __func__, pb->name, r->moved);
	r->pb++;
	r->phase = 0;
	r->after = 0;
	r->rearmed = 0;
	r->moved = 0;
}

/* one query of the playbook r is at; *touched: the rows it read */
static fx_err
reconcile_unit(struct db *db, const struct policy *pol, int64_t now,
    struct sm_reconcile *r, int64_t *touched)
{
	const struct playbook *pb = &pol->playbooks[r->pb];
	size_t nread = 0;
	int64_t n;
	int last = 1;
	fx_err rc;

	*touched = 0;
	if (r->phase == 0) {
		rc = db_open_rearm(db, pb->name, SM_RECONCILE_BATCH, &n);
		if (rc != FX_OK)
			return rc;
		r->rearmed += n;
		*touched = n;
		if (n == SM_RECONCILE_BATCH)
			return FX_OK;
		r->phase = 1;
		if (pb->mode != PB_ENFORCE || executor_rehearses(&pb->exec)) {
			reconcile_next(pb, r);
			return FX_OK;
		}
	}
	rc = rehearsed_live(db, pb, now, r, &nread, &last);
	*touched += (int64_t)nread;
	if (rc == FX_OK && last)
		reconcile_next(pb, r);
	return rc;
}

/*
 * Queries until one read rows (at most SM_RECONCILE_BATCH each, two for
 * one playbook at most): the playbooks with nothing to do cost a seek
 * each, not a job each.
 */
fx_err
sm_reconcile_step(struct db *db, const struct policy *pol, int64_t now,
    struct sm_reconcile *r)
{
	int64_t touched = 0;
	fx_err rc = FX_OK;

	while (rc == FX_OK && touched == 0) {
		while (r->pb < pol->nplaybooks &&
		       pol->playbooks[r->pb].mode != PB_NOTIFY &&
		       pol->playbooks[r->pb].mode != PB_ENFORCE)
			r->pb++;
		if (r->pb >= pol->nplaybooks) {
			r->done = 1;
			break;
		}
		rc = reconcile_unit(db, pol, now, r, &touched);
	}
	return rc;
}

fx_err
sm_reconcile(struct db *db, const struct policy *pol, int64_t now)
{
	struct sm_reconcile r;
	fx_err rc = FX_OK;

	memset(&r, 0, sizeof(r));
	while (rc == FX_OK && !r.done)
		rc = sm_reconcile_step(db, pol, now, &r);
	return rc;
}

fx_err
sm_housekeeping(struct db *db, const struct policy *pol, int64_t now)
{
	fx_err rc;

	rc = hk_each(db, pol, DUE_EXPIRED_EXC, hk_expired, now);
	if (rc == FX_OK && pol->approval_timeout > 0)
		rc = hk_pending_each(db, pol, now);
	if (rc == FX_OK)
		rc = sm_approval_nudges(db, pol, now);
	if (rc == FX_OK)
		rc = hk_each(db, pol, DUE_OPEN, hk_open, now);
	if (rc == FX_OK)
		rc = hk_each(db, pol, DUE_REMINDER, hk_reminder, now);
	if (rc == FX_OK)
		rc = hk_each(db, pol, DUE_DEADLINE, hk_deadline, now);
	return rc;
}
