/*
 * sm_admin.c - what /fixit changes: pause switches and undo requests. The
 * caller (the slash command handler) has checked the admin list.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "sm_internal.h"
#include "banned.h"

fx_err
sm_pause(struct db *db, const struct policy *pol, const char *name, int paused,
    const char *admin, int64_t now)
{
	struct buf why = BUF_INIT;
	json_t *data = NULL;
	fx_err rc;

	if (name == NULL ||
	    (strcmp(name, "all") != 0 && policy_playbook(pol, name) == NULL)) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	rc = db_pause_set(db, name, paused, admin, now);
	if (rc != FX_OK)
		goto out;
	if (strcmp(name, "all") == 0)
		rc = buf_addf(&why, "%s %s all fixes", admin,
		    paused ? "paused" : "resumed");
	else
		rc = buf_addf(&why, "%s %s the fixes of playbook %s", admin,
		    paused ? "paused" : "resumed", name);
	if (rc != FX_OK)
		goto out;
	data = json_pack("{s:s,s:b}", "name", name, "paused", paused);
	if (data == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = db_audit_add(db, 0, now, admin, NULL, NULL,
	    paused ? "pause" : "resume", buf_str(&why), data);
out:
	json_decref(data);
	buf_release(&why);
	return rc;
}

/*
 * Why the fix of f cannot be undone, into why (FX_ECONFLICT), or FX_OK:
 * refused at once, before anything is queued, so nobody is told "queued"
 * for an undo that can only fail.
 */
static fx_err
undo_refusal(const struct policy *pol, const struct finding *f, struct buf *why)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	fx_err rc = FX_OK;

	if (f->state == FS_REHEARSED)
		rc = buf_addf(why,
		    "Finding #%lld was only rehearsed (dry run): "
		    "nothing was changed, so there is nothing to undo.",
		    (long long)f->id);
	else if (f->state != FS_FIXED)
		rc = buf_addf(why,
		    "Finding #%lld is %s: only a fixed finding "
		    "can be undone.",
		    (long long)f->id, fstate_name(f->state));
	else if (pb != NULL && pb->irreversible)
		rc = buf_addf(why,
		    "Finding #%lld cannot be undone: playbook %s is "
		    "irreversible (AWS offers no way back). Nothing was "
		    "queued.",
		    (long long)f->id, f->playbook);
	else if (f->undo_requested_by != NULL)
		rc = buf_addf(why,
		    "An undo of #%lld is already queued (asked "
		    "by %s).",
		    (long long)f->id, f->undo_requested_by);
	else
		return FX_OK;
	return rc == FX_OK ? FX_ECONFLICT : rc;
}

fx_err
sm_undo_request(struct db *db, const struct policy *pol, int64_t id,
    const char *admin, int64_t now, struct buf *msg)
{
	struct buf why = BUF_INIT, t = BUF_INIT;
	struct finding f;
	json_t *missing = NULL;
	fx_err rc;

	memset(&f, 0, sizeof(f));
	rc = sm_finding_get(db, id, &f, &missing);
	json_decref(missing);
	if (rc == FX_ENOTFOUND && buf_addf(&why, "Finding #%lld was not found.",
				      (long long)id) != FX_OK)
		rc = FX_ENOMEM;
	if (rc != FX_OK)
		goto out;
	rc = undo_refusal(pol, &f, &why);
	if (rc != FX_OK)
		goto out;
	if ((rc = sm_set_str(&f.undo_requested_by, admin)) != FX_OK)
		goto out;
	f.lease_until = 0;
	f.lease_token = 0;
	if ((rc = buf_addf(&t, "%s asked to undo the fix", admin)) != FX_OK)
		goto out;
	rc = sm_apply(db, &f, FS_FIXED, admin, "undo_requested", buf_str(&t),
	    now, "{s:s}", "by", admin);
	if (rc != FX_OK)
		goto out;
	rc = buf_addf(&why, "Undo of #%lld queued.", (long long)id);
out:
	sm_msg_set(msg, &why, __func__);
	finding_release(&f);
	buf_release(&why);
	buf_release(&t);
	return rc;
}
