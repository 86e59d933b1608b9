/*
 * db.h - the store: schema, migrations and every SQL statement of fixit.
 *
 * One struct db is one SQLite connection (WAL mode) with its prepared
 * statements; it belongs to one thread. Writes happen only on the writer
 * thread (dbwriter.h) inside the transaction it opened, so the typed write
 * functions below never BEGIN/COMMIT themselves. Reads may run on any
 * thread's own connection.
 *
 * Results come back as jansson objects (new references, caller
 * json_decref()s) or as struct finding (caller finding_release()s).
 * Times are int64 epoch seconds; 0 means "unset" (NULL in SQL). The read
 * models keep them so (JSON integers, null when unset): only
 * finding_to_json, the shape handed outside, formats them.
 */
#ifndef FIXIT_DB_H
#define FIXIT_DB_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"

struct db;

/* finding states, stored as these lower-case names */
enum fstate {
	FS_OPEN = 0,
	FS_NOTIFIED,
	FS_EXCEPTED,
	FS_FIXING,
	FS_FIXED,
	FS_FAILED,
	FS_RESOLVED,
	FS_ROLLED_BACK,
	FS_REHEARSED, /* a dry run recorded its plan; nothing changed */
	FS__COUNT
};
const char *fstate_name(enum fstate s);
int fstate_parse(const char *s); /* -1 when unknown */

struct finding {
	int64_t id;
	char *playbook, *account_id, *region, *resource_id, *resource_arn;
	char *owner_email, *owner_slack_id, *title;
	char *details; /* JSON object text */
	enum fstate state;
	int64_t first_seen, last_seen, observed_at, notified_at, deadline;
	int reminder_sent;
	int64_t excepted_until;
	int64_t exc_pending; /* exceptions.id awaiting approval, 0 none */
	int64_t lease_until, lease_token;
	int attempts;
	int64_t next_attempt_at;
	char *undo_requested_by; /* admin who asked for undo, NULL none */
	char *prior_state;	 /* JSON text recorded by the executor */
	char *last_error;
	char *slack_channel, *slack_ts; /* the message asking the owner */
	int64_t updated_at;
	int notify_only; /* never fixed whatever the playbook's mode
				 * (IaC-owned, scripted batch work) */
	/*
	 * Not a column. Set by code that loaded the finding and changes only
	 * what a state machine step changes (state, deadlines, reminder,
	 * exception, lease, attempts, undo, prior state, error, updated_at):
	 * db_finding_update then writes only those columns.
	 */
	int steps_only;
	/*
	 * Not a column. Set by sm_ingest for a new finding not inserted yet:
	 * its first step (sm_apply) inserts it in the state the step gives.
	 */
	int unsaved;
};
void finding_release(struct finding *f); /* accepts NULL */
/*
 * The finding as the JSON object executors (on stdin) and GET /v1/findings
 * hand outside: times ISO 8601 or null. New reference, NULL when out of
 * memory.
 */
json_t *finding_to_json(const struct finding *f);

/*
 * open (creating) and migrate to the latest schema (PRAGMA user_version).
 * Every connection runs synchronous=FULL: a commit returns once the WAL
 * is synced.
 */
fx_err db_open(const char *path, struct db **out) FX_WUR;
/*
 * path created 0600 if missing; group and others' bits dropped from it
 * and its -wal, -shm (logged). SQLite gives the WAL and -shm the
 * database's mode. Call it before this process opens any connection to
 * path (dbw_start does): it opens and closes the files, and a close
 * drops every POSIX lock the process holds on a file — a connection's
 * -shm lock lost so makes the next connection truncate the -shm under
 * the others' mapping (SIGBUS).
 */
void db_make_private(const char *path);
/*
 * SQLite's PRAGMA quick_check: FX_OK when the file is sound, else FX_EDB
 * with SQLite's first complaint in why (always set, "ok" when sound).
 * Reads every page: run it once, at start.
 */
fx_err db_quick_check(struct db *db, char *why, size_t len) FX_WUR;
/* the heartbeat row (/healthz): write `at` (a job on the writer), read it */
fx_err db_heartbeat_set(struct db *db, int64_t at) FX_WUR;
fx_err db_heartbeat_get(struct db *db, int64_t *at) FX_WUR;
void db_close(struct db *db); /* accepts NULL */
int db_schema_version(struct db *db);
const char *db_errmsg(struct db *db); /* last SQLite message */
/* the connection refuses every write from now on (PRAGMA query_only):
 * the read pool's (dbw_rpool.h) */
fx_err db_query_only(struct db *db) FX_WUR;

/*
 * WAL checkpoints: the writer turns automatic ones off (pages 0) so that
 * no commit pays for one, and a checkpointer thread runs passive ones on
 * its own connection (they never block the writer); see dbwriter.c for
 * how the WAL is still started over under steady writes.
 */
fx_err db_autocheckpoint(struct db *db, int pages) FX_WUR;
/*
 * synchronous=NORMAL on this connection (db_open sets FULL): its commits
 * write the WAL without syncing it. Only for the writer, whose syncer
 * syncs the WAL before any job of the batch is answered (dbw_sync.h).
 */
fx_err db_sync_normal(struct db *db) FX_WUR;
/* with pages 0: the WAL's length in frames after this connection's last
 * commit (0 before any) */
int db_wal_frames(const struct db *db);
/* PASSIVE; FX_ERETRY when another checkpoint is running */
fx_err db_checkpoint(struct db *db, int *wal_frames, int *copied) FX_WUR;
/* FULL: waits (busy timeout) for a running checkpoint and for readers of
 * older snapshots, then copies the whole WAL; FX_ERETRY on timeout */
fx_err db_checkpoint_full(struct db *db, int *wal_frames, int *copied) FX_WUR;

/* transactions, used by the writer thread */
fx_err db_begin(struct db *db) FX_WUR;	    /* BEGIN IMMEDIATE */
fx_err db_begin_read(struct db *db) FX_WUR; /* BEGIN (a snapshot) */
fx_err db_commit(struct db *db) FX_WUR;
void db_rollback(struct db *db);
fx_err db_savepoint(struct db *db) FX_WUR; /* SAVEPOINT op */
void db_savepoint_release(struct db *db);
void db_savepoint_rollback(struct db *db); /* ROLLBACK TO + RELEASE */

/* ---- findings ---------------------------------------------------- */
fx_err db_finding_get(struct db *db, int64_t id, struct finding *out) FX_WUR;
fx_err db_finding_find(struct db *db, const char *playbook, const char *account,
    const char *region, const char *resource,
    struct finding *out) FX_WUR; /* FX_ENOTFOUND when absent */
/* insert; sets f->id. details NULL is stored as "{}" */
fx_err db_finding_insert(struct db *db, struct finding *f) FX_WUR;
/* rewrite every mutable column of f (by f->id): all but id, the unique
 * key and first_seen; FX_ENOTFOUND when no such id */
fx_err db_finding_update(struct db *db, const struct finding *f) FX_WUR;
/*
 * Open findings of `playbook` that a shadow run finished with (reminder_sent
 * set) become due again (deadline and reminder_sent cleared): used when a
 * playbook left shadow mode. At most max of them, lowest ids first, read
 * through their own partial index (a playbook that was never in shadow
 * costs a seek); *changed = rows touched, less than max once none is left.
 */
fx_err db_open_rearm(struct db *db, const char *playbook, size_t max,
    int64_t *changed) FX_WUR;
/*
 * Ids above `after` of the rehearsed findings of `playbook` (a dry run
 * recorded their plan), ascending, at most max: at startup, those of a
 * playbook whose executor went live become due.
 */
fx_err db_finding_ids_rehearsed(struct db *db, const char *playbook,
    int64_t after, size_t max, int64_t **ids,
    size_t *n) FX_WUR; /* free(*ids) */
/*
 * Ids of findings whose pending exception request was asked at or before
 * `before`, oldest request first, at most max: such a request lapses.
 */
fx_err db_finding_ids_pending_exc(struct db *db, int64_t before, size_t max,
    int64_t **ids, size_t *n) FX_WUR; /* free(*ids) */
/*
 * Ids of findings matching a timer query, ascending, at most max.
 *   DUE_EXPIRED_EXC: excepted and excepted_until <= now
 *   DUE_OPEN:        open, reminder_sent = 0, deadline unset or <= now
 *                    (a shadow finding waits for its would-be deadline)
 *   DUE_REMINDER:    notified, !reminder_sent, deadline > now; soonest
 *                    deadline first
 *   DUE_DEADLINE:    notified, deadline <= now, exc_pending = 0
 *   DUE_CLAIMABLE:   fixing, (lease_until unset or <= now),
 *                    next_attempt_at <= now
 *   DUE_UNDO:        fixed, undo_requested_by set, lease expired/unset
 */
enum due_kind {
	DUE_EXPIRED_EXC,
	DUE_OPEN,
	DUE_REMINDER,
	DUE_DEADLINE,
	DUE_CLAIMABLE,
	DUE_UNDO
};
fx_err db_finding_ids_due(struct db *db, enum due_kind k, int64_t now,
    size_t max, int64_t **ids, size_t *n) FX_WUR; /* free(*ids) */

/*
 * DUE_REMINDER limited to deadlines up to `until` (now + the longest
 * reminder_before): findings whose reminder cannot be due yet are not read
 * at every tick.
 */
fx_err db_finding_ids_remind(struct db *db, int64_t now, int64_t until,
    size_t max, int64_t **ids, size_t *n) FX_WUR; /* free(*ids) */

/* ---- audit (append-only: triggers refuse UPDATE and DELETE) -------- */
/* finding_id 0 for global events (pause); from/to may be NULL */
fx_err db_audit_add(struct db *db, int64_t finding_id, int64_t at,
    const char *actor, const char *from, const char *to, const char *event,
    const char *reason, const json_t *data) FX_WUR;
/* events of kind `event` for a playbook's findings since `since` */
fx_err db_audit_count_playbook(struct db *db, const char *playbook,
    const char *event, int64_t since, int64_t *count) FX_WUR;

/* ---- exceptions ---------------------------------------------------- */
struct exception_rec {
	int64_t id, finding_id;
	char *requested_by, *reason, *kind; /* kind "1m" | "1y" */
	int64_t requested_at, until;
	char *status; /* pending|active|denied|expired */
	char *decided_by;
	int64_t decided_at;
};
void exception_release(struct exception_rec *e);
fx_err db_exception_insert(struct db *db, struct exception_rec *e) FX_WUR;
fx_err db_exception_get(struct db *db, int64_t id,
    struct exception_rec *out) FX_WUR;
fx_err db_exception_update(struct db *db, const struct exception_rec *e) FX_WUR;
/*
 * False-positive reports (db_fp.c): exceptions.fp is 0 for an exception,
 * 1 for a report that the finding is wrong, 2 once an admin approved it.
 */
enum { DB_FP_NO = 0, DB_FP_REPORTED = 1, DB_FP_APPROVED = 2 };
fx_err db_exception_fp_set(struct db *db, int64_t id, int fp) FX_WUR;
/* FX_ENOTFOUND when there is no such exception */
fx_err db_exception_fp(struct db *db, int64_t id, int *fp) FX_WUR;
/* approved false positives per playbook: {"playbook": n}, only non-zero */
fx_err db_fp_counts(struct db *db, json_t **out) FX_WUR;
/* audit rows of one finding with this event */
fx_err db_audit_count_finding(struct db *db, int64_t finding_id,
    const char *event, int64_t *count) FX_WUR;

/*
 * An exception request's messages in the admin channel (db_approval.c):
 * the request (EXC_MSG_ADMIN: channel and ts), the reminder in its
 * thread and the escalation (ts; in the request's channel).
 */
enum exc_msg { EXC_MSG_ADMIN = 0, EXC_MSG_REMIND, EXC_MSG_ESCALATE };
struct exc_msgs {
	char *channel;			/* the request's channel */
	char *ts[EXC_MSG_ESCALATE + 1]; /* by enum exc_msg, NULL: none */
};
void exc_msgs_release(struct exc_msgs *m);
fx_err db_exc_msgs(struct db *db, int64_t id, struct exc_msgs *out) FX_WUR;
/* record a message's ts (channel: EXC_MSG_ADMIN only) */
fx_err db_exc_msg_set(struct db *db, int64_t id, enum exc_msg which,
    const char *channel, const char *ts) FX_WUR;
/* the pending requests asked at or before `before` not yet reminded
 * (EXC_MSG_REMIND) or escalated (EXC_MSG_ESCALATE), oldest first */
fx_err db_exc_ids_waiting(struct db *db, enum exc_msg which, int64_t before,
    size_t max, int64_t **ids, size_t *n) FX_WUR;
/* request id reminded / escalated at `at`: it leaves that query's set */
fx_err db_exc_nudged(struct db *db, int64_t id, enum exc_msg which,
    int64_t at) FX_WUR;

/* ---- outbox: durable queue of Slack calls -------------------------- */
/* kinds: see sm.h "Outbox kinds"; args is a JSON object (borrowed) */
fx_err db_outbox_add(struct db *db, const char *kind, int64_t finding_id,
    const json_t *args, int64_t now) FX_WUR;
struct outbox_row {
	int64_t id, finding_id;
	char *kind;
	json_t *args; /* owned */
	int attempts;
	int64_t created_at;
};
void outbox_row_release(struct outbox_row *r);
/*
 * oldest pending rows with next_attempt_at <= now and id > after_id, at
 * most max, modal rows excepted (the sender resumes past rows it holds)
 */
fx_err db_outbox_due(struct db *db, int64_t now, int64_t after_id, size_t max,
    struct outbox_row **rows, size_t *n) FX_WUR; /* free(*rows) */
/* the oldest pending modal rows, due or not, at most max */
fx_err db_outbox_modals(struct db *db, size_t max, struct outbox_row **rows,
    size_t *n) FX_WUR; /* free(*rows) */
/* these three: FX_ENOTFOUND unless the row is pending */
fx_err db_outbox_sent(struct db *db, int64_t id, int64_t now) FX_WUR;
fx_err db_outbox_retry(struct db *db, int64_t id, int64_t next_at,
    const char *err) FX_WUR; /* attempts++ */
fx_err db_outbox_dead(struct db *db, int64_t id,
    const char *err) FX_WUR; /* attempts++ too */
fx_err db_outbox_depth(struct db *db, int64_t *pending) FX_WUR;

/* ---- the Slack message of a finding, owner lookup cache ------------ */
fx_err db_finding_set_message(struct db *db, int64_t id, const char *channel,
    const char *ts, const char *owner_slack_id)
    FX_WUR; /* owner_slack_id may be NULL: unchanged; forgets the
	     * reminder (a new message starts a new thread) */
/*
 * The reminder posted in the finding's thread (its ts in the finding's
 * slack_channel): a decision later takes its buttons away. Get: *ts NULL
 * when none (heap memory, free it); FX_ENOTFOUND when no such finding.
 */
fx_err db_finding_set_reminder(struct db *db, int64_t id,
    const char *ts) FX_WUR;
fx_err db_finding_get_reminder(struct db *db, int64_t id, char **ts) FX_WUR;
/* *user_id NULL when not cached or older than max_age seconds */
fx_err db_slack_user_get(struct db *db, const char *email, int64_t max_age,
    int64_t now, char **user_id) FX_WUR;
fx_err db_slack_user_put(struct db *db, const char *email, const char *user_id,
    int64_t now) FX_WUR;

/* ---- pause switches ("all" or a playbook name) --------------------- */
fx_err db_pause_set(struct db *db, const char *name, int paused, const char *by,
    int64_t now) FX_WUR;
/* *paused = 1 when "all" or `playbook` is paused */
fx_err db_paused(struct db *db, const char *playbook, int *paused) FX_WUR;
/* JSON array of paused names */
fx_err db_pause_list(struct db *db, json_t **out) FX_WUR;

/* ---- events (POST /v1/events, /v1/custodian) ------------------------- */
/* stored before the 2xx; *dup = 1 when the id was already there;
 * now_ms: the time of receipt in milliseconds */
fx_err db_event_add(struct db *db, const char *id, const char *kind,
    const char *body, int64_t now_ms, int *dup) FX_WUR;
struct event_row {
	int64_t seq;
	char *id, *kind, *body;
	int64_t received_at; /* ms */
};
void event_row_release(struct event_row *r);
/* the oldest pending events, at most max: free each, then free(*rows) */
fx_err db_event_pending(struct db *db, size_t max, struct event_row **rows,
    size_t *n) FX_WUR;
struct event_done {
	const char *id;
	const char *state; /* done | ignored | error */
	const char *account_id, *event_name, *actor; /* may be NULL */
	int64_t event_time;
	int64_t launches;     /* instances launched by hand (batch rule) */
	const json_t *result; /* what was done; may be NULL */
};
/* FX_ENOTFOUND when the event is no longer pending; now_ms: when */
fx_err db_event_done(struct db *db, const struct event_done *d,
    int64_t now_ms) FX_WUR;
/* instances `actor` launched by hand in `account` since `since`, summed
 * over at most max_events events (enough to decide a threshold) */
fx_err db_event_launches(struct db *db, const char *actor, const char *account,
    int64_t since, int64_t max_events, int64_t *count) FX_WUR;
/* {"pending": n, "done": n, ...} */
fx_err db_event_counts(struct db *db, json_t **out) FX_WUR;

/* ---- what guards a fix (remediation/sm_guard.c) -------------------- */
/* the human key of finding_id (the identity people know the resource
 * by), when it is not the resource id */
fx_err db_finding_key_set(struct db *db, int64_t finding_id,
    const char *human_key) FX_WUR;
/* *key (caller frees): the stored human key, else resource_id's copy */
fx_err db_finding_key_get(struct db *db, int64_t finding_id,
    const char *resource_id, char **key) FX_WUR;
/* an admin's undo: the same (playbook, account, region, human key) is
 * not fixed again before until */
struct undo_hold {
	int64_t id;
	const char *playbook, *account_id, *region, *human_key;
	int64_t finding_id; /* the finding whose fix was undone */
	char *decided_by;   /* owned when read (undo_hold_release) */
	int64_t decided_at, until;
};
void undo_hold_release(struct undo_hold *h); /* frees decided_by */
fx_err db_hold_add(struct db *db, const struct undo_hold *h) FX_WUR;
/* the hold of h's key lasting past now, longest first: fills h's id,
 * finding_id, decided_by, decided_at, until; FX_ENOTFOUND when none */
fx_err db_hold_find(struct db *db, struct undo_hold *h, int64_t now) FX_WUR;
/* the ledger the breaker and the caps count; kind destructive | failed |
 * undone | tripped; account "" for playbook-wide rows */
fx_err db_ledger_add(struct db *db, const char *kind, const char *playbook,
    const char *account, int64_t finding_id, int64_t at) FX_WUR;
/* rows of kind since `since`: of one playbook, or one account, or (both
 * NULL) all */
fx_err db_ledger_count(struct db *db, const char *kind, const char *playbook,
    const char *account, int64_t since, int64_t *count) FX_WUR;
/* the time of a playbook's last row of kind; 0 when none */
fx_err db_ledger_last(struct db *db, const char *kind, const char *playbook,
    int64_t *at) FX_WUR;

/* ---- retention ------------------------------------------------------- */
/*
 * Delete at most max delivered or dead outbox rows created before
 * `before`, at most max processed events received before it and at most
 * max scan records started before it (unix seconds); *n the rows
 * deleted. Pending rows are never deleted; the audit log never is.
 */
fx_err db_purge(struct db *db, int64_t before, size_t max, int64_t *n) FX_WUR;

/* ---- provenance (common/fxprov.h) ----------------------------------- */
/*
 * Append to out what fixitd's own records say it fixed with playbook
 * (a configured name) in account and region, resource (NULL: any): one
 * record per finding in state fixed with no undo asked and no dry run
 * in its prior state; fixed_at is its last fixing -> fixed audit row,
 * launch_time the prior state's "launch_time"; excepted when the
 * finding of playbook `then` (the one about to act) on the same
 * resource is excepted or has an exception pending or active at now.
 * Read-only (any connection). On failure out keeps what it had.
 */
struct fx_prov_set;
fx_err db_prov_fixed(struct db *db, const char *playbook, const char *then,
    const char *account, const char *region, const char *resource, int64_t now,
    struct fx_prov_set *out) FX_WUR;

/*
 * When the watching playbook `scope` first saw resources in account and
 * region (resource: one, NULL: all): each is set in out ({id: unix
 * seconds}). Read-only (any connection).
 */
fx_err db_seen_list(struct db *db, const char *scope, const char *account,
    const char *region, const char *resource, json_t *out) FX_WUR;
/*
 * A complete detection's sightings: every id of seen ({id: unix
 * seconds}) not yet recorded is recorded at its time; every id of before
 * (what db_seen_list gave) that seen lacks is gone and deleted. One
 * transaction (the writer's).
 */
fx_err db_seen_update(struct db *db, const char *scope, const char *account,
    const char *region, const json_t *seen, const json_t *before) FX_WUR;
/*
 * Who created resources in account and region, as the CloudTrail events
 * fixitd processed say (a person's own CreateBucket, CreateLoadBalancer,
 * RunInstances): each set in out ({bucket name, load balancer ARN or
 * instance id: actor}). Read-only (any connection).
 */
fx_err db_creators(struct db *db, const char *account, const char *region,
    json_t *out) FX_WUR;

/* ---- scans ----------------------------------------------------------- */
struct scan_rec {
	const char *account_id, *region;
	int64_t started_at, finished_at;
	int ok; /* 1: complete */
	int64_t found, resolved;
	const char *error; /* NULL when ok */
};
/* record a scan, its pair's last from now on (scan_last) */
fx_err db_scan_add(struct db *db, const struct scan_rec *s) FX_WUR;
/* the last scan of every account x region: array of {account_id, region,
 * started_at, finished_at, ok, found, resolved, error}; one row read per
 * pair, however many scans are kept */
fx_err db_scan_last(struct db *db, json_t **out) FX_WUR;
/* resource ids of a playbook's open/notified/excepted findings in one
 * account and region: array of strings */
fx_err db_finding_active_resources(struct db *db, const char *playbook,
    const char *account, const char *region, json_t **out) FX_WUR;

/*
 * ---- read models for /fixit, the API and metrics --------------------
 * In the JSON ones a finding has the keys of finding_to_json and every
 * time (there and below) is an integer, unix seconds, or null when unset.
 */
/* {"by_state":{"notified":3,...},"by_playbook":{"pb":{"notified":1}}};
 * by_state has every state (0 included), by_playbook only non-zero.
 * Read from the counters the writes of findings keep (db_schema.c v12,
 * db_kept.c): the cost follows playbooks x states x accounts, not the
 * number of findings */
fx_err db_counts(struct db *db, json_t **out) FX_WUR;
/* one finding plus "history": audit rows, oldest first, [{at, actor,
 * from, to, event, reason, data}], and "exceptions": [{id, finding_id,
 * kind, status, requested_by, requested_at, until, reason, decided_by,
 * decided_at}]; FX_ENOTFOUND when no such id */
fx_err db_finding_show(struct db *db, int64_t id, json_t **out) FX_WUR;
/* notified with deadline < until and fixing rows, soonest first: an
 * array of findings plus "due_at" (the deadline, or a fixing row's retry
 * time; null when it may run now) */
fx_err db_due_list(struct db *db, int64_t until, size_t max,
    json_t **out) FX_WUR;
/* failed findings, most recent (updated_at) first: array of findings */
fx_err db_failed_list(struct db *db, size_t max, json_t **out) FX_WUR;
/* active and pending exceptions with their finding, pending first then
 * soonest to expire: array of exceptions (as in db_finding_show) each
 * with "finding" */
fx_err db_exceptions_list(struct db *db, size_t max, json_t **out) FX_WUR;
/* filtered listing for GET /v1/findings; NULL filter = any; after_id for
 * paging; limit 0 = 100, at most 1000 */
struct finding_filter {
	const char *state, *playbook, *account_id;
	int64_t after_id;
	size_t limit;
};
/* one page of it: the caller finding_page_release()s */
struct finding_page {
	struct finding *v; /* n findings, by id */
	size_t n;
	int64_t next_after; /* the after_id of the next page; 0: no more */
};
void finding_page_release(struct finding_page *p); /* accepts NULL */
/* FX_EINVAL for an unknown state; *out empty on failure */
fx_err db_findings_list(struct db *db, const struct finding_filter *flt,
    struct finding_page *out) FX_WUR;
/*
 * A user's own findings (App Home, /fixit mine): those whose
 * owner_slack_id is slack_id in state notified, fixing, failed or
 * excepted, soonest deadline first (none last), at most max, in out
 * (next_after 0); *total how many there are in all. Index
 * findings_owner; *out empty on failure.
 */
fx_err db_owner_open(struct db *db, const char *slack_id, size_t max,
    struct finding_page *out, int64_t *total) FX_WUR;
/* pending exception requests, oldest first, at most max: an array of
 * exceptions each with "finding", as db_exceptions_list */
fx_err db_exc_pending(struct db *db, size_t max, json_t **out) FX_WUR;

/* ---- the owner told first, the outbox's health (db_told.c) --------- */
/*
 * DUE_DEADLINE limited to the playbooks named in playbooks (a JSON array
 * of strings: the configured ones) that are not paused (nor "all"):
 * what the timer would skip is never read. Soonest deadline first.
 */
fx_err db_finding_ids_deadline(struct db *db, int64_t now,
    const json_t *playbooks, size_t max, int64_t **ids,
    size_t *n) FX_WUR; /* free(*ids) */
/*
 * how many outbox rows of finding_id of kind, created at or after since,
 * say fact code `say` and are pending or sent (not dropped)
 */
fx_err db_outbox_said(struct db *db, int64_t finding_id, const char *kind,
    const char *say, int64_t since, int64_t *count) FX_WUR;
/* db_outbox_add, the row first due at due (not before) */
fx_err db_outbox_add_at(struct db *db, const char *kind, int64_t finding_id,
    const json_t *args, int64_t due, int64_t now) FX_WUR;
/* how many findings wait for their owner to be told (notified, no
 * deadline yet: remediation/sm.h "told first") */
fx_err db_waiting_told(struct db *db, int64_t *count) FX_WUR;
/* created_at of the oldest pending row, 0 when none is pending */
fx_err db_outbox_oldest(struct db *db, int64_t *created_at) FX_WUR;

/*
 * The savings of the fixed findings (schema v15): {"by_playbook":
 * {playbook: {"cents", "fixes", "unknown"}}, "top_accounts": [{"account_id",
 * "cents", "fixes", "unknown"}, ...] the max_accounts that saved most
 * (0: none, not read)}.
 * cents: monthly USD x 100 of the priced items; fixes: fixed findings
 * with a saving; unknown: those with an item not priced. *out a new
 * reference (NULL on failure).
 */
fx_err db_savings(struct db *db, size_t max_accounts, json_t **out) FX_WUR;

#endif
