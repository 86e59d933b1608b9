/*
 * sm_common.c - what every state machine step shares: the state change
 * with its audit row, outbox rows, message text, and the step that moves
 * an open finding on (used by ingest and by the timer).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fxlog.h"
#include "fxsay.h"
#include "fxtime.h"
#include "fxutil.h"
#include "sm_internal.h"
#include "banned.h"

fx_err
sm_apply(struct db *db, struct finding *f, enum fstate to, const char *actor,
    const char *event, const char *reason, int64_t now, const char *data_fmt,
    ...)
{
	enum fstate from = f->state;
	json_t *data = NULL;
	va_list ap;
	fx_err rc;

	if (data_fmt != NULL) {
		va_start(ap, data_fmt);
		data = json_vpack_ex(NULL, 0, data_fmt, ap);
		va_end(ap);
		if (data == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	f->state = to;
	f->updated_at = now;
	if (f->unsaved)
		rc = sm_report_write(db, f, now);
	else
		rc = db_finding_update(db, f);
	if (rc != FX_OK)
		goto out;
	rc = db_audit_add(db, f->id, now, actor, fstate_name(from),
	    fstate_name(to), event, reason, data);
out:
	if (rc != FX_OK)
		log_warnx("%s: finding %lld %s -> %s (%s): %s", __func__,
		    (long long)f->id, fstate_name(from), fstate_name(to), event,
		    fx_strerror(rc));
	json_decref(data);
	return rc;
}

static fx_err
out_args(struct db *db, const char *kind, int64_t finding_id, int64_t now,
    json_t *args)
{
	fx_err rc;

	if (args == NULL)
		return FX_ENOMEM;
	rc = db_outbox_add(db, kind, finding_id, args, now);
	json_decref(args);
	return rc;
}

fx_err
sm_out(struct db *db, const char *kind, int64_t finding_id, int64_t now,
    const char *fmt, ...)
{
	json_t *args;
	va_list ap;

	va_start(ap, fmt);
	args = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	return out_args(db, kind, finding_id, now, args);
}

/* {"say": code} + json_pack(fmt, ap) (fmt NULL: no fields) */
static json_t *
fact_v(const char *code, const char *fmt, va_list ap)
{
	json_t *f;

	f = fmt != NULL ? json_vpack_ex(NULL, 0, fmt, ap) : json_object();
	if (f == NULL)
		return NULL;
	if (json_object_set_new(f, FXSAY_KEY, json_string(code)) != 0) {
		json_decref(f);
		return NULL;
	}
	return f;
}

json_t *
sm_fact(const char *code, const char *fmt, ...)
{
	json_t *f;
	va_list ap;

	va_start(ap, fmt);
	f = fact_v(code, fmt, ap);
	va_end(ap);
	return f;
}

fx_err
sm_say(struct db *db, const char *kind, int64_t finding_id, int64_t now,
    const char *code, const char *fmt, ...)
{
	json_t *args;
	va_list ap;

	va_start(ap, fmt);
	args = fact_v(code, fmt, ap);
	va_end(ap);
	return out_args(db, kind, finding_id, now, args);
}

fx_err
sm_out_ephemeral(struct db *db, int64_t finding_id, const char *channel,
    const char *user, json_t *fact, int64_t now)
{
	if (fact == NULL)
		return FX_ENOMEM;
	if (json_object_set_new(fact, "channel",
		json_string(channel ? channel : "")) != 0 ||
	    json_object_set_new(fact, "user", json_string(user ? user : "")) !=
		0) {
		json_decref(fact);
		return FX_ENOMEM;
	}
	return out_args(db, "ephemeral", finding_id, now, fact);
}

void
sm_iso(int64_t t, char out[21])
{
	fx_iso8601_format(t, out);
}

fx_err
sm_set_str(char **dst, const char *src)
{
	char *s = NULL;

	if (src != NULL && (s = fx_strdup(src)) == NULL)
		return FX_ENOMEM;
	free(*dst);
	*dst = s;
	return FX_OK;
}

fx_err
sm_set_json(char **dst, const json_t *v)
{
	char *s = NULL;

	if (v != NULL && (s = json_dumps(v, JSON_COMPACT)) == NULL)
		return FX_ENOMEM;
	free(*dst);
	*dst = s;
	return FX_OK;
}

int
sm_may_act(const struct policy *pol, const struct finding *f, const char *user)
{
	if (user == NULL || *user == '\0')
		return 0;
	if (f->owner_slack_id != NULL && strcmp(f->owner_slack_id, user) == 0)
		return 1;
	return policy_is_admin(pol, user);
}

const char *
sm_exc_code(enum exc_kind k)
{
	return k == EXC_1Y ? "1y" : "1m";
}

int
sm_exc_parse(const char *code)
{
	if (code != NULL && strcmp(code, "1m") == 0)
		return EXC_1M;
	if (code != NULL && strcmp(code, "1y") == 0)
		return EXC_1Y;
	return -1;
}

fx_err
sm_paused(struct db *db, const char *playbook, int *paused)
{
	return db_paused(db, playbook != NULL ? playbook : "all", paused);
}

void
sm_reset_cycle(struct finding *f)
{
	f->notified_at = 0;
	f->deadline = 0;
	f->reminder_sent = 0;
	f->excepted_until = 0;
	f->exc_pending = 0;
	f->lease_until = 0;
	f->lease_token = 0;
	f->attempts = 0;
	f->next_attempt_at = 0;
	free(f->undo_requested_by);
	f->undo_requested_by = NULL;
	free(f->last_error);
	f->last_error = NULL;
}

fx_err
sm_exception_fields(struct exception_rec *e, int64_t finding_id, const char *by,
    const char *reason, enum exc_kind kind, const char *status, int64_t now)
{
	fx_err rc;

	e->finding_id = finding_id;
	e->requested_at = now;
	rc = sm_set_str(&e->requested_by, by);
	if (rc == FX_OK)
		rc = sm_set_str(&e->reason, reason);
	if (rc == FX_OK)
		rc = sm_set_str(&e->kind, sm_exc_code(kind));
	if (rc == FX_OK)
		rc = sm_set_str(&e->status, status);
	return rc;
}

fx_err
sm_exception_decide(struct db *db, struct exception_rec *e, const char *status,
    const char *who, int64_t now)
{
	fx_err rc;

	rc = sm_set_str(&e->status, status);
	if (rc != FX_OK)
		return rc;
	rc = sm_set_str(&e->decided_by, who);
	if (rc != FX_OK)
		return rc;
	e->decided_at = now;
	return db_exception_update(db, e);
}

fx_err
sm_exception_close(struct db *db, int64_t exc_id, const char *status,
    const char *who, int64_t now)
{
	struct exception_rec e;
	fx_err rc;

	memset(&e, 0, sizeof(e));
	rc = db_exception_get(db, exc_id, &e);
	if (rc == FX_OK)
		rc = sm_exception_decide(db, &e, status, who, now);
	exception_release(&e);
	return rc;
}

fx_err
sm_finding_get(struct db *db, int64_t id, struct finding *f, json_t **why)
{
	fx_err rc;

	rc = db_finding_get(db, id, f);
	/* its callers (Slack actions, /fixit undo) take state steps only */
	f->steps_only = rc == FX_OK;
	if (rc != FX_ENOTFOUND)
		return rc;
	memset(f, 0, sizeof(*f));
	*why = sm_fact("not_found", "{s:I}", "finding_id", (json_int_t)id);
	return *why != NULL ? FX_ENOTFOUND : FX_ENOMEM;
}

void
sm_msg_set(struct buf *msg, const struct buf *text, const char *func)
{
	if (msg == NULL || text->len == 0)
		return;
	buf_reset(msg);
	if (buf_adds(msg, buf_str(text)) != FX_OK)
		log_warnx("%s: message too long", func);
}

fx_err
sm_notify(struct db *db, const struct playbook *pb, struct finding *f,
    const char *actor, int64_t now)
{
	const char *why;
	fx_err rc;

	/* the deadline starts when the owner is told (sm_told.c) */
	f->notified_at = now;
	f->deadline = 0;
	f->reminder_sent = 0;
	if (sm_mode(pb, f) == PB_ENFORCE)
		why = "Owner being asked; once told, fixit fixes it after the "
		      "grace period unless an exception is taken";
	else
		why = "Owner being asked to fix it (notify mode: fixit will "
		      "not fix it)";
	rc = sm_apply(db, f, FS_NOTIFIED, actor, "transition", why, now,
	    "{s:I,s:s}", "grace", (json_int_t)pb->grace, "mode",
	    policy_mode_name(pb->mode));
	if (rc == FX_OK)
		rc = sm_out(db, "notify", f->id, now, "{s:s}", "mode",
		    policy_mode_name(pb->mode));
	return rc;
}

fx_err
sm_to_fixing(struct db *db, struct finding *f, const char *actor,
    const char *reason, int64_t now)
{
	f->lease_until = 0;
	f->lease_token = 0;
	f->next_attempt_at = now;
	f->attempts = 0;
	free(f->last_error);
	f->last_error = NULL;
	return sm_apply(db, f, FS_FIXING, actor, "transition", reason, now,
	    "{s:s}", "playbook", f->playbook);
}

/* who a shadow finding would have been sent to */
static fx_err
shadow_dest(struct buf *b, const struct policy *pol, const struct finding *f)
{
	const struct account *acct = policy_account(pol, f->account_id);

	if (f->owner_slack_id != NULL && *f->owner_slack_id != '\0')
		return buf_addf(b, "Slack user %s", f->owner_slack_id);
	if (f->owner_email != NULL && *f->owner_email != '\0')
		return buf_addf(b, "owner %s", f->owner_email);
	return buf_addf(b, "channel %s",
	    acct && acct->channel ? acct->channel : "(none)");
}

/*
 * Shadow: record once what notify would have done (deadline set), then
 * once what the deadline would have done (reminder_sent set). Approval
 * none would fix at once: both in one step.
 */
static fx_err
shadow_step(struct db *db, const struct policy *pol, const struct playbook *pb,
    struct finding *f, const char *actor, int64_t now)
{
	struct buf why = BUF_INIT;
	char iso[21];
	fx_err rc = FX_OK;

	if (f->deadline == 0 && pb->approval == APPROVAL_NONE) {
		f->deadline = now;
		f->reminder_sent = 1;
		rc = sm_apply(db, f, FS_OPEN, actor, "shadow_fix",
		    "Shadow mode: would fix it at once (approval none)", now,
		    "{s:s}", "would", "fix");
		goto out;
	}
	if (f->deadline == 0) {
		f->deadline = now + pb->grace;
		sm_iso(f->deadline, iso);
		rc = buf_adds(&why, "Shadow mode: would notify ");
		if (rc != FX_OK)
			goto out;
		rc = shadow_dest(&why, pol, f);
		if (rc != FX_OK)
			goto out;
		rc = buf_addf(&why, " and fix it after %s", iso);
		if (rc != FX_OK)
			goto out;
		rc = sm_apply(db, f, FS_OPEN, actor, "shadow_notify",
		    buf_str(&why), now, "{s:s,s:s}", "would", "notify",
		    "deadline", iso);
		if (rc != FX_OK)
			goto out;
	}
	if (!f->reminder_sent && f->deadline <= now) {
		f->reminder_sent = 1;
		sm_iso(f->deadline, iso);
		rc = sm_apply(db, f, FS_OPEN, actor, "shadow_fix",
		    "Shadow mode: would fix it now (deadline passed)", now,
		    "{s:s,s:s}", "would", "fix", "deadline", iso);
	}
out:
	buf_release(&why);
	return rc;
}

enum pb_mode
sm_mode(const struct playbook *pb, const struct finding *f)
{
	return pb->mode == PB_ENFORCE && f->notify_only ? PB_NOTIFY : pb->mode;
}

fx_err
sm_advance(struct db *db, const struct policy *pol, struct finding *f,
    const char *actor, int64_t now)
{
	const struct playbook *pb = policy_playbook(pol, f->playbook);
	int paused = 0;
	fx_err rc = FX_OK;

	if (f->state != FS_OPEN || pb == NULL ||
	    policy_account(pol, f->account_id) == NULL)
		goto out;
	switch (sm_mode(pb, f)) {
	case PB_OFF:
		break;
	case PB_SHADOW:
		rc = shadow_step(db, pol, pb, f, actor, now);
		break;
	case PB_NOTIFY:
		rc = sm_notify(db, pb, f, actor, now);
		break;
	case PB_ENFORCE:
		if (pb->approval != APPROVAL_NONE) {
			rc = sm_notify(db, pb, f, actor, now);
			break;
		}
		/* paused: stays open, the timer tries again */
		rc = sm_paused(db, pb->name, &paused);
		if (rc == FX_OK && !paused)
			rc = sm_to_fixing(db, f, actor,
			    "Approval none: fixit fixes it at once", now);
		break;
	}
out:
	return rc;
}
