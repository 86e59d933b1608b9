/*
 * db_sql.c - the text of every statement fixit runs (the schema itself is
 * in db_schema.c). Values are always bound, never formatted into the text.
 *
 * Parameter numbers of the finding and exception writes follow the column
 * position in DB_FINDING_COLS / DB_EXC_COLS (column i is ?i+1), so insert
 * and update share one binding function.
 */
#include <stddef.h>

#include "db_int.h"
#include "banned.h"

#define FCOLS                                                                  \
	"f.id, f.playbook, f.account_id, f.region, f.resource_id, "            \
	"f.resource_arn, f.owner_email, f.owner_slack_id, f.title, "           \
	"f.details, f.state, f.first_seen, f.last_seen, f.observed_at, "       \
	"f.notified_at, f.deadline, f.reminder_sent, f.excepted_until, "       \
	"f.exc_pending, f.lease_until, f.lease_token, f.attempts, "            \
	"f.next_attempt_at, f.undo_requested_by, f.prior_state, "              \
	"f.last_error, f.slack_channel, f.slack_ts, f.updated_at, "            \
	"f.notify_only"

/* the states a user's home shows: the owner can still act or wait */
#define OWNER_STATES "f.state IN ('notified', 'fixing', 'failed', 'excepted')"

#define ECOLS                                                                  \
	"e.id, e.finding_id, e.requested_by, e.reason, e.kind, "               \
	"e.requested_at, e.until, e.status, e.decided_by, e.decided_at"

/*
 * A timer query reads its state's partial index (db_schema.c) in the
 * index's own order, so LIMIT stops the scan early (no sort of every row
 * in that state); INDEXED BY
 * because without statistics the planner would rather scan the table in
 * id order than sort the few due rows.
 */
#define DUE_BY(index, cond, order)                                             \
	"SELECT id FROM findings INDEXED BY " index " WHERE " cond             \
	" ORDER BY " order " LIMIT ?2"
#define DUE(index, cond) DUE_BY(index, cond, "id")

/*
 * The listing (db_findings_list) in id order, with ?1 the id after
 * which the page starts, ?2 the state, ?3 the playbook, ?4 the account
 * and ?5 the limit (each statement reads the parameters of its shape).
 * Each shape reads one index range, so that a filter matching nothing
 * costs a seek; a playbook or an account without a state is the merge
 * of its nine state ranges (each in id order), which SQLite runs as
 * co-routines that stop at the limit.
 */
/* clang-format off */
#define LIST_FROM(index)                                                       \
	"SELECT " FCOLS " FROM findings f INDEXED BY " index " WHERE "
#define LIST_RANGE(index, eq, state)                                           \
	LIST_FROM(index) eq " AND f.state = '" state "' AND f.id > ?1"
/* every state of enum fstate (db.h), in any order */
#define LIST_MERGE(index, eq)                                                  \
	LIST_RANGE(index, eq, "open")                                          \
	" UNION ALL " LIST_RANGE(index, eq, "notified")                        \
	" UNION ALL " LIST_RANGE(index, eq, "excepted")                        \
	" UNION ALL " LIST_RANGE(index, eq, "fixing")                          \
	" UNION ALL " LIST_RANGE(index, eq, "fixed")                           \
	" UNION ALL " LIST_RANGE(index, eq, "failed")                          \
	" UNION ALL " LIST_RANGE(index, eq, "resolved")                        \
	" UNION ALL " LIST_RANGE(index, eq, "rolled_back")                     \
	" UNION ALL " LIST_RANGE(index, eq, "rehearsed")                       \
	" ORDER BY id LIMIT ?5"
/* clang-format on */
_Static_assert(FS__COUNT == 9, "a new state: add its range to LIST_MERGE");
/* the unique key (playbook, account_id, ...): the pair's rows, sorted */
#define LIST_UNIQUE "sqlite_autoindex_findings_1"

const char *const db_sql_text[SQL__COUNT] = {
	[SQL_BEGIN] = "BEGIN IMMEDIATE",
	[SQL_BEGIN_READ] = "BEGIN",
	[SQL_COMMIT] = "COMMIT",
	[SQL_ROLLBACK] = "ROLLBACK",
	[SQL_SAVEPOINT] = "SAVEPOINT op",
	[SQL_RELEASE] = "RELEASE op",
	[SQL_ROLLBACK_TO] = "ROLLBACK TO op",
	[SQL_USER_VERSION] = "PRAGMA user_version",

	[SQL_F_GET] = "SELECT " FCOLS " FROM findings f WHERE f.id = ?1",
	[SQL_F_FIND] =
	    "SELECT " FCOLS " FROM findings f WHERE "
	    "f.playbook = ?1 AND f.account_id = ?2 AND f.region = ?3 AND "
	    "f.resource_id = ?4",
	[SQL_F_INSERT] =
	    "INSERT INTO findings (playbook, account_id, "
	    "region, resource_id, resource_arn, owner_email, owner_slack_id, "
	    "title, details, state, first_seen, last_seen, observed_at, "
	    "notified_at, deadline, reminder_sent, excepted_until, "
	    "exc_pending, lease_until, lease_token, attempts, "
	    "next_attempt_at, undo_requested_by, prior_state, last_error, "
	    "slack_channel, slack_ts, updated_at, notify_only) VALUES (?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
	    "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
	    "?30)",
	/* no indexed column: the owner apart (SQL_F_SET_OWNER) */
	[SQL_F_SET_MESSAGE] =
	    "UPDATE findings SET slack_channel = ?2, "
	    "slack_ts = ?3, slack_reminder_ts = NULL WHERE id = ?1",

	/* at most ?2 rows of findings_shadow_done: each leaves the index */
	[SQL_F_OPEN_REARM] =
	    "UPDATE findings SET deadline = NULL, "
	    "reminder_sent = 0 WHERE id IN (SELECT id FROM findings INDEXED BY "
	    "findings_shadow_done WHERE state = 'open' AND reminder_sent = 1 "
	    "AND playbook = ?1 ORDER BY id LIMIT ?2)",

	[SQL_F_REHEARSED] = "SELECT id FROM findings INDEXED BY "
			    "findings_rehearsed WHERE state = 'rehearsed' AND "
			    "playbook = ?1 AND id > ?3 ORDER BY playbook, id "
			    "LIMIT ?2",

	[SQL_DUE_EXPIRED_EXC] = DUE_BY("findings_excepted",
	    "state = 'excepted' AND excepted_until <= ?1",
	    "excepted_until, id"),
	/* open rows with work left: shadow ones wait for their deadline and
	 * are done once reminder_sent is set (sm_common.c), so they never
	 * crowd newer findings out of the batch */
	[SQL_DUE_OPEN] = DUE("findings_open",
	    "state = 'open' AND "
	    "reminder_sent = 0 AND coalesce(deadline, 0) <= ?1"),
	[SQL_DUE_REMINDER] = DUE_BY("findings_notified",
	    "state = 'notified' AND reminder_sent = 0 AND deadline > ?1",
	    "deadline, id"),
	[SQL_DUE_DEADLINE] = DUE_BY("findings_notified",
	    "state = 'notified' AND deadline <= ?1 AND "
	    "coalesce(exc_pending, 0) = 0",
	    "deadline, id"),
	[SQL_DUE_CLAIMABLE] = DUE_BY("findings_fixing",
	    "state = 'fixing' AND coalesce(lease_until, 0) <= ?1 AND "
	    "coalesce(next_attempt_at, 0) <= ?1",
	    "lease_until, id"),
	[SQL_DUE_UNDO] = DUE_BY("findings_undo",
	    "state = 'fixed' AND undo_requested_by IS NOT NULL AND "
	    "coalesce(lease_until, 0) <= ?1",
	    "lease_until, id"),

	[SQL_DUE_REMIND_UNTIL] =
	    "SELECT id FROM findings INDEXED BY "
	    "findings_notified WHERE state = 'notified' AND reminder_sent = 0 "
	    "AND deadline > ?1 AND deadline <= ?3 ORDER BY deadline, id "
	    "LIMIT ?2",

	[SQL_AUDIT_ADD] =
	    "INSERT INTO audit (finding_id, at, actor, "
	    "from_state, to_state, event, reason, data) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8)",
	[SQL_AUDIT_COUNT_PB] =
	    "SELECT count(*) FROM audit a JOIN findings f "
	    "ON f.id = a.finding_id WHERE a.event = ?1 AND a.at >= ?2 AND "
	    "f.playbook = ?3",

	[SQL_EXC_INSERT] =
	    "INSERT INTO exceptions (finding_id, requested_by, "
	    "reason, kind, requested_at, until, status, decided_by, "
	    "decided_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQL_EXC_GET] = "SELECT " ECOLS " FROM exceptions e WHERE e.id = ?1",
	[SQL_EXC_UPDATE] =
	    "UPDATE exceptions SET reason = ?4, until = ?7, "
	    "status = ?8, decided_by = ?9, decided_at = ?10 WHERE id = ?1",

	[SQL_OUTBOX_ADD] =
	    "INSERT INTO outbox (kind, finding_id, args, "
	    "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?4)",
	[SQL_OUTBOX_DUE] =
	    "SELECT id, finding_id, kind, args, attempts, "
	    "created_at FROM outbox INDEXED BY outbox_pending WHERE "
	    "state = 'pending' AND next_attempt_at <= ?1 AND id > ?3 AND "
	    "kind != 'modal' ORDER BY id LIMIT ?2",
	[SQL_OUTBOX_SENT] = "UPDATE outbox SET state = 'sent', sent_at = ?2 "
			    "WHERE id = ?1 AND state = 'pending'",
	[SQL_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1, "
			     "next_attempt_at = ?2, last_error = ?3 "
			     "WHERE id = ?1 AND state = 'pending'",
	[SQL_OUTBOX_DEAD] = "UPDATE outbox SET state = 'dead', "
			    "attempts = attempts + 1, last_error = ?2 "
			    "WHERE id = ?1 AND state = 'pending'",
	[SQL_OUTBOX_DEPTH] = "SELECT count(*) FROM outbox INDEXED BY "
			     "outbox_pending WHERE state = 'pending'",

	[SQL_SLACK_USER_GET] = "SELECT user_id, fetched_at FROM slack_users "
			       "WHERE email = ?1",
	[SQL_SLACK_USER_PUT] =
	    "INSERT INTO slack_users (email, user_id, "
	    "fetched_at) VALUES (?1, ?2, ?3) ON CONFLICT (email) DO UPDATE "
	    "SET user_id = excluded.user_id, fetched_at = excluded.fetched_at",

	/* a second pause keeps who paused first */
	[SQL_PAUSE_SET] = "INSERT INTO pauses (name, paused_by, paused_at) "
			  "VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
	[SQL_PAUSE_CLEAR] = "DELETE FROM pauses WHERE name = ?1",
	/* two primary-key lookups: an OR would build a temporary index */
	[SQL_PAUSED] = "SELECT (SELECT count(*) FROM pauses WHERE name = "
		       "'all') + (SELECT count(*) FROM pauses WHERE name = ?1)",
	[SQL_PAUSE_LIST] = "SELECT name FROM pauses ORDER BY name",

	/* the kept counters (schema v12), summed over the accounts: the
	 * primary key's order, no sort */
	[SQL_COUNTS] = "SELECT playbook, state, sum(n) FROM finding_counts "
		       "GROUP BY playbook, state ORDER BY playbook, state",
	[SQL_SHOW_HISTORY] =
	    "SELECT at, actor, from_state, to_state, event, "
	    "reason, data FROM audit WHERE finding_id = ?1 ORDER BY id",
	[SQL_SHOW_EXCEPTIONS] =
	    "SELECT " ECOLS " FROM exceptions e "
	    "WHERE e.finding_id = ?1 ORDER BY e.id LIMIT ?2",
	/* due: the deadline, or for fixing rows the retry time (0: now) */
	[SQL_DUE_LIST] =
	    "SELECT " FCOLS ", f.deadline AS due "
	    "FROM findings f INDEXED BY findings_notified "
	    "WHERE f.state = 'notified' AND f.deadline < ?1 "
	    "UNION ALL SELECT " FCOLS ", coalesce(f.next_attempt_at, 0) "
	    "FROM findings f INDEXED BY findings_fixing "
	    "WHERE f.state = 'fixing' ORDER BY due, id LIMIT ?2",
	[SQL_FAILED_LIST] =
	    "SELECT " FCOLS " FROM findings f "
	    "INDEXED BY findings_failed WHERE f.state = 'failed' "
	    "ORDER BY f.updated_at DESC, f.id DESC LIMIT ?1",
	[SQL_EXC_LIST] =
	    "SELECT " ECOLS ", " FCOLS " FROM exceptions e "
	    "JOIN findings f ON f.id = e.finding_id "
	    "WHERE e.status IN ('pending', 'active') "
	    "ORDER BY e.status <> 'pending', e.until, e.id LIMIT ?1",
	/* no filter; the other shapes are at the end (LIST_*) */
	[SQL_FINDINGS_LIST] = "SELECT " FCOLS " FROM findings f "
			      "WHERE f.id > ?1 ORDER BY f.id LIMIT ?5",

	[SQL_SCAN_ADD] =
	    "INSERT INTO scans (account_id, region, started_at, "
	    "finished_at, ok, found, resolved, error) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8)",
	/* the last scan of each pair: scan_last, in its key's order */
	[SQL_SCAN_LAST] =
	    "SELECT s.account_id, s.region, s.started_at, s.finished_at, s.ok, "
	    "s.found, s.resolved, s.error FROM scan_last l JOIN scans s ON "
	    "s.id = l.scan_id ORDER BY l.account_id, l.region",
	/* what a complete scan may resolve: the states ingest closes */
	[SQL_F_ACTIVE_RES] =
	    "SELECT resource_id FROM findings WHERE "
	    "playbook = ?1 AND account_id = ?2 AND region = ?3 AND "
	    "state IN ('open', 'notified', 'excepted', 'rehearsed')",
	[SQL_EV_ADD] = "INSERT INTO events (id, kind, received_at, body) "
		       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
	[SQL_EV_PENDING] =
	    "SELECT seq, id, kind, body, received_at FROM events "
	    "INDEXED BY events_pending WHERE state = 'pending' ORDER BY seq "
	    "LIMIT ?1",
	[SQL_EV_DONE] =
	    "UPDATE events SET state = ?2, processed_at = ?3, "
	    "account_id = ?4, event_name = ?5, actor = ?6, event_time = ?7, "
	    "launches = ?8, result = ?9 WHERE id = ?1 AND state = 'pending'",
	/* at most ?4 rows: each holds a launch, so ?4 = the threshold + 1
	 * decides the rule without summing a busy person's whole window */
	[SQL_EV_LAUNCHES] =
	    "SELECT coalesce(sum(launches), 0) FROM (SELECT "
	    "launches FROM events INDEXED BY events_launches WHERE actor = ?1 "
	    "AND account_id = ?2 AND event_time >= ?3 AND launches > 0 "
	    "LIMIT ?4)",
	[SQL_EV_COUNTS] = "SELECT state, count(*) FROM events GROUP BY state",
	/* retention: oldest first (ids grow with time), a bounded batch */
	[SQL_OUTBOX_PURGE] =
	    "DELETE FROM outbox WHERE id IN (SELECT id FROM "
	    "outbox WHERE state != 'pending' AND created_at < ?1 ORDER BY id "
	    "LIMIT ?2)",
	[SQL_EV_PURGE] =
	    "DELETE FROM events WHERE seq IN (SELECT seq FROM "
	    "events WHERE state != 'pending' AND received_at < ?1 ORDER BY seq "
	    "LIMIT ?2)",
	/*
	 * Provenance (db_prov_fixed): ?1's findings fixitd fixed and nobody
	 * undid or asked to undo, in account ?2 and region ?3 (resource ?4,
	 * NULL any): the unique key (playbook, account_id, region,
	 * resource_id) serves the lookup; the fix time is the last
	 * fixing -> fixed audit row (audit_finding: finding_id, id), not an
	 * undo request's fixed -> fixed; a dry run's "fix" changed nothing.
	 * excepted: ?5's finding on the same resource (the unique key again)
	 * is excepted or has an exception pending or active past ?6
	 * (exceptions_finding). Then the backup snapshot the fix made, as
	 * its prior state names it (fx_prov.made).
	 */
	[SQL_PROV_FIXED] =
	    "SELECT f.id, f.resource_id, "
	    "json_extract(f.prior_state, '$.launch_time'), "
	    "(SELECT a.at FROM audit a WHERE a.finding_id = f.id AND "
	    "a.from_state = 'fixing' AND a.to_state = 'fixed' "
	    "ORDER BY a.id DESC LIMIT 1), "
	    "(SELECT count(*) FROM findings x WHERE x.playbook = ?5 AND "
	    "x.account_id = f.account_id AND x.region = f.region AND "
	    "x.resource_id = f.resource_id AND (x.state = 'excepted' OR "
	    "EXISTS (SELECT 1 FROM exceptions e INDEXED BY exceptions_finding "
	    "WHERE e.finding_id = x.id "
	    "AND e.status IN ('pending', 'active') AND e.until > ?6))), "
	    "coalesce(json_extract(f.prior_state, '$.snapshot_id'), "
	    "json_extract(f.prior_state, '$.final_snapshot')) "
	    "FROM findings f INDEXED BY " LIST_UNIQUE " WHERE f.playbook = ?1 "
	    "AND f.account_id = ?2 AND "
	    "f.region = ?3 AND (?4 IS NULL OR f.resource_id = ?4) AND "
	    "f.state = 'fixed' AND f.undo_requested_by IS NULL AND "
	    "coalesce(json_extract(f.prior_state, '$.dry_run'), 0) = 0 "
	    "ORDER BY f.id",

	[SQL_KEY_SET] = "INSERT INTO finding_keys (finding_id, human_key) "
			"VALUES (?1, ?2) ON CONFLICT (finding_id) DO UPDATE "
			"SET human_key = excluded.human_key",
	/* ?2: the resource id, the key of a finding without a row */
	[SQL_KEY_GET] = "SELECT coalesce((SELECT human_key FROM finding_keys "
			"WHERE finding_id = ?1), ?2)",
	[SQL_HOLD_ADD] =
	    "INSERT INTO undo_holds (playbook, account_id, "
	    "region, human_key, finding_id, decided_by, decided_at, until) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* the hold that lasts longest; one range of undo_holds_key */
	[SQL_HOLD_FIND] =
	    "SELECT id, finding_id, decided_by, decided_at, "
	    "until FROM undo_holds INDEXED BY undo_holds_key WHERE "
	    "playbook = ?1 AND account_id = ?2 AND region = ?3 AND "
	    "human_key = ?4 AND until > ?5 ORDER BY until DESC LIMIT 1",
	[SQL_LEDGER_ADD] =
	    "INSERT INTO fix_ledger (at, kind, playbook, "
	    "account_id, finding_id) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* each count reads one range of its covering index */
	[SQL_LEDGER_COUNT_PB] =
	    "SELECT count(*) FROM fix_ledger INDEXED BY "
	    "fix_ledger_pb WHERE playbook = ?1 AND kind = ?2 AND at >= ?3",
	[SQL_LEDGER_COUNT_ACCOUNT] =
	    "SELECT count(*) FROM fix_ledger INDEXED BY "
	    "fix_ledger_account WHERE account_id = ?1 AND kind = ?2 AND "
	    "at >= ?3",
	[SQL_LEDGER_COUNT_ALL] = "SELECT count(*) FROM fix_ledger INDEXED BY "
				 "fix_ledger_kind WHERE kind = ?1 AND at >= ?2",
	[SQL_LEDGER_LAST_PB] =
	    "SELECT coalesce(max(at), 0) FROM fix_ledger "
	    "INDEXED BY fix_ledger_pb WHERE playbook = ?1 AND kind = ?2",
	/* pending requests asked before ?1: exceptions_status's pending range */
	[SQL_EXC_PENDING_BEFORE] =
	    "SELECT finding_id FROM exceptions INDEXED BY exceptions_status "
	    "WHERE status = 'pending' AND requested_at <= ?1 ORDER BY id "
	    "LIMIT ?2",
	/* the modal lane (server/sender_modal.c): its rows wait for nothing */
	[SQL_OUTBOX_MODALS] =
	    "SELECT id, finding_id, kind, args, attempts, "
	    "created_at FROM outbox INDEXED BY outbox_modal WHERE "
	    "state = 'pending' AND kind = 'modal' ORDER BY id LIMIT ?1",
	/* a user's App Home and /fixit mine (server/home.c): findings_owner */
	[SQL_OWNER_OPEN] = "SELECT " FCOLS " FROM findings f "
			   "INDEXED BY findings_owner WHERE "
			   "f.owner_slack_id = ?1 AND " OWNER_STATES " "
			   "ORDER BY f.deadline IS NULL, f.deadline, f.id "
			   "LIMIT ?2",
	[SQL_OWNER_OPEN_COUNT] = "SELECT count(*) FROM findings f "
				 "INDEXED BY findings_owner WHERE "
				 "f.owner_slack_id = ?1 AND " OWNER_STATES,
	/* the pending requests an admin decides: exceptions_status */
	[SQL_EXC_PENDING_LIST] =
	    "SELECT " ECOLS ", " FCOLS " FROM exceptions e "
	    "INDEXED BY exceptions_status "
	    "JOIN findings f ON f.id = e.finding_id "
	    "WHERE e.status = 'pending' ORDER BY e.id LIMIT ?1",
	[SQL_F_SET_REMINDER] =
	    "UPDATE findings SET slack_reminder_ts = ?2 WHERE id = ?1",
	[SQL_F_GET_REMINDER] =
	    "SELECT slack_reminder_ts FROM findings WHERE id = ?1",
	/* false-positive reports (db_fp.c) */
	[SQL_EXC_FP_SET] = "UPDATE exceptions SET fp = ?2 WHERE id = ?1",
	[SQL_EXC_FP_GET] = "SELECT fp FROM exceptions WHERE id = ?1",
	/* the approved ones: exceptions_fp's rows, each finding by its key */
	[SQL_FP_COUNTS] =
	    "SELECT f.playbook, count(*) FROM exceptions e INDEXED BY "
	    "exceptions_fp JOIN findings f ON f.id = e.finding_id WHERE "
	    "e.fp = 2 GROUP BY f.playbook ORDER BY f.playbook",
	/* one finding's events of a kind: audit_finding's range */
	[SQL_AUDIT_COUNT_F] = "SELECT count(*) FROM audit WHERE finding_id = "
			      "?1 AND event = ?2",
	/* the nudges of waiting requests: exceptions_waiting, oldest first */
	[SQL_EXC_TO_REMIND] =
	    "SELECT id FROM exceptions INDEXED BY exceptions_waiting "
	    "WHERE status = 'pending' AND requested_at <= ?1 AND "
	    "reminded_at IS NULL ORDER BY requested_at, id LIMIT ?2",
	[SQL_EXC_TO_ESCALATE] =
	    "SELECT id FROM exceptions INDEXED BY exceptions_waiting "
	    "WHERE status = 'pending' AND requested_at <= ?1 AND "
	    "escalated_at IS NULL ORDER BY requested_at, id LIMIT ?2",
	[SQL_EXC_SET_ADMIN_MSG] = "UPDATE exceptions SET admin_channel = ?2, "
				  "admin_ts = ?3 WHERE id = ?1",
	[SQL_EXC_SET_REMIND_MSG] =
	    "UPDATE exceptions SET remind_ts = ?2 WHERE id = ?1",
	[SQL_EXC_SET_ESCALATE_MSG] =
	    "UPDATE exceptions SET escalate_ts = ?2 WHERE id = ?1",
	[SQL_EXC_SET_REMINDED] =
	    "UPDATE exceptions SET reminded_at = ?2 WHERE id = ?1",
	[SQL_EXC_SET_ESCALATED] =
	    "UPDATE exceptions SET escalated_at = ?2 WHERE id = ?1",
	[SQL_EXC_MSGS] = "SELECT admin_channel, admin_ts, remind_ts, "
			 "escalate_ts FROM exceptions WHERE id = ?1",
	/*
	 * db_told.c. The due deadlines of the playbooks configured (?3: a
	 * JSON array of names) and not paused: the rows the timer would skip
	 * are not read, so they can never fill its batch (sm_timer.c).
	 */
	[SQL_DUE_DEADLINE_LIVE] =
	    "SELECT id FROM findings INDEXED BY findings_notified WHERE "
	    "state = 'notified' AND deadline <= ?1 AND "
	    "coalesce(exc_pending, 0) = 0 AND "
	    "playbook IN (SELECT value FROM json_each(?3)) AND "
	    "playbook NOT IN (SELECT name FROM pauses) AND "
	    "NOT EXISTS (SELECT 1 FROM pauses WHERE name = 'all') "
	    "ORDER BY deadline, id LIMIT ?2",
	/* a finding's rows of a kind saying a fact since a time, not dropped
	 * (rare: a scan of the outbox, which is purged) */
	[SQL_OUTBOX_SAID] =
	    "SELECT count(*) FROM outbox WHERE finding_id = ?1 AND kind = ?2 "
	    "AND created_at >= ?4 AND state IN ('pending', 'sent') AND "
	    "json_extract(args, '$.say') = ?3",
	/* a row first due at ?4 (created ?5) */
	[SQL_OUTBOX_ADD_AT] =
	    "INSERT INTO outbox (kind, finding_id, args, "
	    "next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* the oldest pending row's creation: the lowest id (outbox_pending) */
	/* notified, not told yet (remediation/sm.h): findings_notified's
	 * NULL range */
	[SQL_F_WAITING_TOLD] =
	    "SELECT count(*) FROM findings INDEXED BY findings_notified WHERE "
	    "state = 'notified' AND deadline IS NULL AND reminder_sent = 0",
	[SQL_OUTBOX_OLDEST] =
	    "SELECT coalesce((SELECT created_at FROM outbox INDEXED BY "
	    "outbox_pending WHERE state = 'pending' ORDER BY id LIMIT 1), 0)",
	[SQL_HB_SET] = "UPDATE heartbeat SET at = ?1 WHERE id = 1",
	[SQL_HB_GET] = "SELECT at FROM heartbeat WHERE id = 1",

	/* retention of scan rows: the oldest first, a bounded batch */
	[SQL_SCAN_PURGE] =
	    "DELETE FROM scans WHERE id IN (SELECT id FROM scans INDEXED BY "
	    "scans_started WHERE started_at < ?1 ORDER BY started_at "
	    "LIMIT ?2)",
	/* db_scan_add: the pair's last scan is this one */
	[SQL_SCAN_LAST_SET] =
	    "INSERT INTO scan_last (account_id, region, scan_id) VALUES (?1, "
	    "?2, ?3) ON CONFLICT (account_id, region) DO UPDATE SET "
	    "scan_id = excluded.scan_id",
	/* the pairs whose last scan was purged (no longer scanned): one row
	 * per account x region ever scanned, read whole once an hour */
	[SQL_SCAN_LAST_PURGE] =
	    "DELETE FROM scan_last WHERE scan_id < (SELECT coalesce(min(id), "
	    "9223372036854775807) FROM scans)",
	/* the listing's filter shapes (see LIST_FROM) */
	/* clang-format off */
	[SQL_FINDINGS_LIST_S] =
	    LIST_FROM("findings_by_state") "f.state = ?2 AND f.id > ?1 "
	    "ORDER BY f.id LIMIT ?5",
	[SQL_FINDINGS_LIST_P] =
	    LIST_MERGE("findings_by_pb", "f.playbook = ?3"),
	[SQL_FINDINGS_LIST_A] =
	    LIST_MERGE("findings_by_account", "f.account_id = ?4"),
	[SQL_FINDINGS_LIST_SP] =
	    LIST_FROM("findings_by_pb") "f.playbook = ?3 AND f.state = ?2 AND "
	    "f.id > ?1 ORDER BY f.id LIMIT ?5",
	[SQL_FINDINGS_LIST_SA] =
	    LIST_FROM("findings_by_account") "f.account_id = ?4 AND "
	    "f.state = ?2 AND f.id > ?1 ORDER BY f.id LIMIT ?5",
	[SQL_FINDINGS_LIST_PA] =
	    LIST_MERGE("findings_by_pa", "f.playbook = ?3 AND f.account_id = ?4"),
	[SQL_FINDINGS_LIST_SPA] =
	    LIST_FROM("findings_by_pa") "f.playbook = ?3 AND f.account_id = ?4 "
	    "AND f.state = ?2 AND f.id > ?1 ORDER BY f.id LIMIT ?5",
	/* clang-format on */
	/* db_seen_*: ?1 scope, ?2 account, ?3 region, ?4 resource (NULL:
	 * all of the pair), ?5 the time */
	[SQL_SEEN_LIST] =
	    "SELECT resource_id, at FROM first_seen WHERE scope = ?1 AND "
	    "account_id = ?2 AND region = ?3 AND (?4 IS NULL OR "
	    "resource_id = ?4)",
	[SQL_SEEN_ADD] =
	    "INSERT INTO first_seen (scope, account_id, region, resource_id, "
	    "at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
	[SQL_SEEN_DEL] = "DELETE FROM first_seen WHERE scope = ?1 AND "
			 "account_id = ?2 AND region = ?3 AND resource_id = ?4",
	/* the kept savings (schema v15), one row per playbook x account:
	 * summed by playbook in the primary key's order; the accounts that
	 * saved most, sorted (the rows follow playbooks x accounts, not the
	 * findings) */
	[SQL_SAVINGS_PB] =
	    "SELECT playbook, sum(cents), sum(fixes), sum(unknown) FROM "
	    "finding_savings GROUP BY playbook ORDER BY playbook",
	[SQL_SAVINGS_ACCOUNTS] =
	    "SELECT account_id, sum(cents), sum(fixes), sum(unknown) FROM "
	    "finding_savings GROUP BY account_id ORDER BY 2 DESC, account_id "
	    "LIMIT ?1",
	/* db_creators: who created what in account ?1, region ?2, as the
	 * processed CloudTrail events of a person's own hand say (bucket
	 * name, load balancer ARN, instance ids); the events' retention
	 * bounds the scan */
	[SQL_CREATORS] =
	    "SELECT coalesce(json_extract(body, "
	    "'$.detail.requestParameters.bucketName'), json_extract(body, "
	    "'$.detail.responseElements.loadBalancers[0].loadBalancerArn')), "
	    "actor FROM events WHERE state = 'done' AND account_id = ?1 AND "
	    "actor IS NOT NULL AND json_valid(body) AND "
	    "json_extract(result, '$.verdict') = 'manual' AND "
	    "json_extract(body, '$.region') = ?2 AND event_name IN "
	    "('CreateBucket', 'CreateLoadBalancer') "
	    "UNION ALL SELECT json_extract(i.value, '$.instanceId'), e.actor "
	    "FROM events e, json_each(CASE WHEN json_valid(e.body) THEN "
	    "e.body ELSE '{}' END, "
	    "'$.detail.responseElements.instancesSet.items') i WHERE "
	    "e.state = 'done' AND e.account_id = ?1 AND e.actor IS NOT NULL "
	    "AND json_valid(e.body) AND "
	    "json_extract(e.result, '$.verdict') = 'manual' AND "
	    "json_extract(e.body, '$.region') = ?2 AND "
	    "e.event_name = 'RunInstances'",

	/*
	 * The kept counts (v12) and savings (v15), kept by db_kept.c in the
	 * statement sequence of each insert and update of a finding (schema
	 * v17 dropped the triggers). SQL_F_KEPT: a finding's place in them;
	 * the saving columns (only a fixed finding has one) read its prior
	 * state's JSON only when it is fixed.
	 */
	[SQL_F_KEPT] =
	    "SELECT state, CASE WHEN state = 'fixed' "
	    "AND json_type(prior_state, '$.saving.cents') = 'integer' THEN 1 "
	    "ELSE 0 END, CASE WHEN state = 'fixed' THEN json_extract("
	    "prior_state, '$.saving.cents') END, CASE WHEN state = 'fixed' "
	    "THEN coalesce(json_array_length(prior_state, "
	    "'$.saving.unknown'), 0) > 0 ELSE 0 END FROM findings WHERE "
	    "id = ?1",
	/* ?4: +1 or -1 */
	[SQL_KEPT_COUNT] =
	    "INSERT INTO finding_counts (playbook, state, account_id, n) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (playbook, state, "
	    "account_id) DO UPDATE SET n = n + excluded.n",
	[SQL_KEPT_COUNT_PRUNE] =
	    "DELETE FROM finding_counts WHERE playbook = ?1 AND state = ?2 "
	    "AND account_id = ?3 AND n <= 0",
	/* ?3 cents, ?4 fixes (+1 or -1), ?5 unknown */
	[SQL_KEPT_SAVING] =
	    "INSERT INTO finding_savings (playbook, account_id, cents, "
	    "fixes, unknown) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT "
	    "(playbook, account_id) DO UPDATE SET cents = cents + "
	    "excluded.cents, fixes = fixes + excluded.fixes, unknown = "
	    "unknown + excluded.unknown",
	/* findings_owner is rewritten only when the owner changes (an
	 * assigned column is a changed one to SQLite) */
	[SQL_F_SET_OWNER] =
	    "UPDATE findings SET owner_slack_id = ?2 WHERE id = ?1 AND "
	    "owner_slack_id IS NOT ?2",
	[SQL_KEPT_SAVING_PRUNE] =
	    "DELETE FROM finding_savings WHERE playbook = ?1 AND "
	    "account_id = ?2 AND fixes <= 0",
};
