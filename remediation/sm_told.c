/*
 * sm_told.c - a finding's deadline starts when its owner was told: what
 * became of its notify row (sm.h "told first"). Runs in the sender's
 * outcome job, on the writer thread.
 */
#include <string.h>
#include <jansson.h>

#include "fxlog.h"
#include "sm_internal.h"
#include "banned.h"

/*
 * f loaded and still waiting on the notify row asked at asked_at: in
 * notified, of this cycle (not older than notified_at), its playbook
 * configured. *pb set. FX_ENOTFOUND when it is not (nothing to do).
 */
static fx_err
told_load(struct db *db, const struct policy *pol, int64_t id, int64_t asked_at,
    struct finding *f, const struct playbook **pb)
{
	fx_err rc;

	memset(f, 0, sizeof(*f));
	rc = db_finding_get(db, id, f);
	if (rc != FX_OK)
		return rc;
	*pb = policy_playbook(pol, f->playbook);
	if (f->state != FS_NOTIFIED || asked_at < f->notified_at || *pb == NULL)
		return FX_ENOTFOUND;
	return FX_OK;
}

/* the message posted (channel NULL: none to record) */
struct posted {
	const char *channel, *ts, *uid;
};

static fx_err
delivered(struct db *db, const struct policy *pol, int64_t finding_id,
    int64_t asked_at, int64_t told_at, const struct posted *m)
{
	const struct playbook *pb = NULL;
	struct finding f;
	char iso[21];
	fx_err rc;

	rc = told_load(db, pol, finding_id, asked_at, &f, &pb);
	if (rc == FX_OK && f.deadline >= told_at + pb->grace)
		rc = FX_ENOTFOUND; /* told already: the deadline stands */
	if (rc == FX_ENOTFOUND && m->channel != NULL) {
		/* not waiting: the message recorded alone */
		rc = db_finding_set_message(db, finding_id, m->channel, m->ts,
		    m->uid);
		goto out;
	}
	if (rc != FX_OK)
		goto out;
	if (m->channel != NULL) {
		rc = sm_set_str(&f.slack_channel, m->channel);
		if (rc == FX_OK)
			rc = sm_set_str(&f.slack_ts, m->ts);
		if (rc == FX_OK && m->uid != NULL)
			rc = sm_set_str(&f.owner_slack_id, m->uid);
		if (rc != FX_OK)
			goto out;
	}
	f.deadline = told_at + pb->grace;
	f.reminder_sent = 0;
	sm_iso(f.deadline, iso);
	rc = sm_apply(db, &f, FS_NOTIFIED, SM_ACTOR_SYSTEM, "owner_told",
	    sm_mode(pb, &f) == PB_ENFORCE
		? "The owner was told; the deadline counts from then"
		: "The owner was told (notify mode: fixit will not fix it)",
	    told_at, "{s:s,s:s}", "deadline", iso, "mode",
	    policy_mode_name(pb->mode));
out:
	finding_release(&f);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

fx_err
sm_notified_delivered(struct db *db, const struct policy *pol,
    int64_t finding_id, int64_t asked_at, int64_t told_at)
{
	const struct posted none = { NULL, NULL, NULL };

	return delivered(db, pol, finding_id, asked_at, told_at, &none);
}

fx_err
sm_notified_posted(struct db *db, const struct policy *pol, int64_t finding_id,
    int64_t asked_at, int64_t told_at, const char *channel, const char *ts,
    const char *uid)
{
	const struct posted m = { channel, ts, uid };

	if (channel == NULL || ts == NULL)
		return FX_EINVAL;
	return delivered(db, pol, finding_id, asked_at, told_at, &m);
}

fx_err
sm_notify_failed(struct db *db, const struct policy *pol, int64_t finding_id,
    int64_t asked_at, const char *why, int64_t now)
{
	const struct playbook *pb = NULL;
	struct finding f;
	int64_t told_before = 0, retry;
	json_t *args = NULL;
	fx_err rc;

	rc = told_load(db, pol, finding_id, asked_at, &f, &pb);
	if (rc != FX_OK || f.deadline != 0 || f.reminder_sent)
		goto out; /* told by another row, or not waiting */
	retry =
	    pb->grace > 0 && pb->grace < SM_RETELL_S ? pb->grace : SM_RETELL_S;
	/* the admins told once: again only when that message was dropped
	 * too (Slack down for them as well) */
	rc = db_outbox_said(db, f.id, "admin_msg", "owner_unreachable",
	    f.notified_at, &told_before);
	if (rc != FX_OK)
		goto out;
	rc = sm_apply(db, &f, FS_NOTIFIED, SM_ACTOR_SYSTEM, "owner_unreachable",
	    "The owner could not be told: nothing is fixed until they are; "
	    "fixit asks again",
	    now, "{s:s,s:I}", "error", why != NULL ? why : "", "retry_in",
	    (json_int_t)retry);
	if (rc == FX_OK && told_before == 0)
		rc = sm_say(db, "admin_msg", f.id, now, "owner_unreachable",
		    "{s:s,s:I}", "message", why != NULL ? why : "", "retry",
		    (json_int_t)retry);
	if (rc != FX_OK)
		goto out;
	args = json_pack("{s:s,s:b}", "mode", policy_mode_name(pb->mode),
	    "again", 1);
	rc = args != NULL
		 ? db_outbox_add_at(db, "notify", f.id, args, now + retry, now)
		 : FX_ENOMEM;
	if (rc == FX_OK)
		log_info("%s: finding #%lld: owner not told (%s); asked again "
			 "in %llds",
		    __func__, (long long)f.id, why != NULL ? why : "",
		    (long long)retry);
out:
	json_decref(args);
	finding_release(&f);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}
