/*
 * db_schema.c - the schema as a list of migrations.
 *
 * Migration i takes PRAGMA user_version from i to i + 1; db_open applies
 * each in its own transaction together with the version bump. A migration
 * once released is never edited: change the schema by appending one.
 *
 * Times are INTEGER epoch seconds, NULL when unset (0 in the C structs);
 * JSON columns are TEXT checked with json_valid().
 */
#include <stddef.h>

#include "db_int.h"
#include "banned.h"

/*
 * "col IS ONE OF list" without IN (...): SQLite builds a temporary index
 * for an IN list of more than two values at every execution of the
 * statement, which cost every click two of them (audit) plus one
 * (findings). A lookup in a comma-separated string costs nothing.
 */
#define ONE_OF(col, list)                                                      \
	"(instr(" col ", ',') = 0 AND instr('," list ",', ',' || " col         \
	" || ',') > 0)"
#define STATES                                                                 \
	"open,notified,excepted,fixing,fixed,failed,resolved,"                 \
	"rolled_back"

/* clang-format off */
static const char schema_v1[] =
"CREATE TABLE findings ("
"  id INTEGER PRIMARY KEY,"
"  playbook TEXT NOT NULL,"
"  account_id TEXT NOT NULL,"
"  region TEXT NOT NULL,"
"  resource_id TEXT NOT NULL,"
"  resource_arn TEXT,"
"  owner_email TEXT,"
"  owner_slack_id TEXT,"
"  title TEXT NOT NULL,"
"  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),"
"  state TEXT NOT NULL CHECK " ONE_OF("state", STATES) ","
"  first_seen INTEGER NOT NULL,"
"  last_seen INTEGER NOT NULL,"
"  observed_at INTEGER,"
"  notified_at INTEGER,"
"  deadline INTEGER,"
"  reminder_sent INTEGER NOT NULL DEFAULT 0"
"    CHECK (reminder_sent IN (0, 1)),"
"  excepted_until INTEGER,"
"  exc_pending INTEGER,"		/* exceptions.id */
"  lease_until INTEGER,"
"  lease_token INTEGER,"
"  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
"  next_attempt_at INTEGER,"
"  undo_requested_by TEXT,"
"  prior_state TEXT CHECK (prior_state IS NULL OR json_valid(prior_state)),"
"  last_error TEXT,"
"  slack_channel TEXT,"
"  slack_ts TEXT,"
"  updated_at INTEGER NOT NULL,"
"  UNIQUE (playbook, account_id, region, resource_id)"
");"
/*
 * The timer queries each read the findings of one state, so each has a
 * partial index holding only that state's rows: an update that moves a
 * finding between two states touches at most two of them (a full
 * (state, x) index would be rewritten on every update of the row).
 */
"CREATE INDEX findings_open ON findings (id) WHERE state = 'open';"
"CREATE INDEX findings_notified ON findings (deadline)"
"  WHERE state = 'notified';"
"CREATE INDEX findings_excepted ON findings (excepted_until)"
"  WHERE state = 'excepted';"
"CREATE INDEX findings_fixing ON findings (lease_until)"
"  WHERE state = 'fixing';"
"CREATE INDEX findings_undo ON findings (lease_until)"
"  WHERE state = 'fixed' AND undo_requested_by IS NOT NULL;"
"CREATE INDEX findings_failed ON findings (updated_at)"
"  WHERE state = 'failed';"

"CREATE TABLE audit ("
"  id INTEGER PRIMARY KEY,"
"  finding_id INTEGER REFERENCES findings (id),"	/* NULL: global */
"  at INTEGER NOT NULL,"
"  actor TEXT NOT NULL,"
"  from_state TEXT CHECK (from_state IS NULL OR "
    ONE_OF("from_state", STATES) "),"
"  to_state TEXT CHECK (to_state IS NULL OR "
    ONE_OF("to_state", STATES) "),"
"  event TEXT NOT NULL,"
"  reason TEXT,"
"  data TEXT CHECK (data IS NULL OR json_valid(data))"
");"
"CREATE INDEX audit_finding ON audit (finding_id, id);"
"CREATE INDEX audit_event ON audit (event, at);"
"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
"  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"

"CREATE TABLE exceptions ("
"  id INTEGER PRIMARY KEY,"
"  finding_id INTEGER NOT NULL REFERENCES findings (id),"
"  requested_by TEXT NOT NULL,"
"  reason TEXT NOT NULL,"
"  kind TEXT NOT NULL CHECK (kind IN ('1m', '1y')),"
"  requested_at INTEGER NOT NULL,"
"  until INTEGER NOT NULL,"
"  status TEXT NOT NULL DEFAULT 'pending'"
"    CHECK " ONE_OF("status", "pending,active,denied,expired") ","
"  decided_by TEXT,"
"  decided_at INTEGER"
");"
"CREATE INDEX exceptions_finding ON exceptions (finding_id, id);"
"CREATE INDEX exceptions_status ON exceptions (status, until);"

/*
 * finding_id has no foreign key on purpose: a refusal for an unknown id
 * (an ephemeral "not found") is delivered like any other message.
 */
"CREATE TABLE outbox ("
"  id INTEGER PRIMARY KEY,"
"  kind TEXT NOT NULL,"
"  finding_id INTEGER,"
"  args TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args)),"
"  state TEXT NOT NULL DEFAULT 'pending'"
"    CHECK " ONE_OF("state", "pending,sent,dead") ","
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  next_attempt_at INTEGER NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  sent_at INTEGER,"
"  last_error TEXT"
");"
"CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);"

"CREATE TABLE slack_users ("
"  email TEXT PRIMARY KEY COLLATE NOCASE,"
"  user_id TEXT NOT NULL,"
"  fetched_at INTEGER NOT NULL"
");"

"CREATE TABLE pauses ("
"  name TEXT PRIMARY KEY,"
"  paused_by TEXT NOT NULL,"
"  paused_at INTEGER NOT NULL"
");";

/*
 * v2: the sender reads pending rows in id order; an index on (state,
 * next_attempt_at, id) made it sort every pending row per batch. The
 * partial index holds only pending rows, in id order, so a batch reads
 * just the rows it returns (and stays small however many are sent).
 */
static const char schema_v2[] =
"DROP INDEX outbox_due;"
"CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';";

/*
 * v3: scheduled scans. One row per account x region scan: when, whether
 * it completed (only a complete scan resolves findings it no longer
 * sees), how many findings it reported, and why it failed.
 */
static const char schema_v3[] =
"CREATE TABLE scans ("
"  id INTEGER PRIMARY KEY,"
"  account_id TEXT NOT NULL,"
"  region TEXT NOT NULL,"
"  started_at INTEGER NOT NULL,"
"  finished_at INTEGER NOT NULL,"
"  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
"  found INTEGER NOT NULL,"
"  resolved INTEGER NOT NULL,"
"  error TEXT"
");"
"CREATE INDEX scans_pair ON scans (account_id, region, id);";

/*
 * v4: findings that are never fixed whatever their playbook says
 * (IaC-owned resources, scripted batch launches); the events received on
 * /v1/events and /v1/custodian, stored before they are acknowledged and
 * processed afterwards, once each (the id is EventBridge's, or a hash of
 * the payload).
 */
static const char schema_v4[] =
"ALTER TABLE findings ADD COLUMN notify_only INTEGER NOT NULL DEFAULT 0 "
"  CHECK (notify_only IN (0, 1));"
"CREATE TABLE events ("
"  seq INTEGER PRIMARY KEY,"
"  id TEXT NOT NULL UNIQUE,"
"  kind TEXT NOT NULL,"
"  received_at INTEGER NOT NULL,"	/* ms */
"  body TEXT NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'pending',"
"  processed_at INTEGER,"		/* ms */
"  account_id TEXT,"
"  event_name TEXT,"
"  actor TEXT,"
"  event_time INTEGER,"
"  launches INTEGER NOT NULL DEFAULT 0,"
"  result TEXT"
");"
"CREATE INDEX events_pending ON events (seq) WHERE state = 'pending';"
"CREATE INDEX events_launches ON events (actor, account_id, event_time) "
"  WHERE launches > 0;";
/* clang-format on */

/*
 * v5: a dry run is a rehearsal, not a fix: findings get the state
 * "rehearsed" (the plan is recorded, nothing was changed; due again
 * when the playbook's executor goes live). The state lists are CHECK
 * constraints, which SQLite cannot alter, so findings and audit are
 * rebuilt: copied aside, dropped, created with the longer list, copied
 * back (SELECT *: a column count that no longer matches fails the
 * migration instead of losing a column), their indexes and triggers
 * recreated. Foreign keys are checked at the commit, once exceptions
 * point at the new findings rows again. Then the fixes that were only
 * dry runs (a prior state saying dry_run) become rehearsed, each with
 * its audit row.
 */
#define STATES_V5 STATES ",rehearsed"
#define REHEARSED_WHERE                                                        \
	"state = 'fixed' AND json_extract(prior_state, '$.dry_run') = 1"

/* one SQL line a C line reads best */
/* clang-format off */
static const char schema_v5[] =
    "PRAGMA defer_foreign_keys = ON;"
    "CREATE TEMP TABLE v5_findings AS SELECT * FROM findings;"
    "CREATE TEMP TABLE v5_audit AS SELECT * FROM audit;"
    "DROP TABLE audit;"
    "DROP TABLE findings;"
    "CREATE TABLE findings ("
    "  id INTEGER PRIMARY KEY,"
    "  playbook TEXT NOT NULL,"
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  resource_id TEXT NOT NULL,"
    "  resource_arn TEXT,"
    "  owner_email TEXT,"
    "  owner_slack_id TEXT,"
    "  title TEXT NOT NULL,"
    "  details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),"
    "  state TEXT NOT NULL CHECK " ONE_OF("state", STATES_V5) ","
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  observed_at INTEGER,"
    "  notified_at INTEGER,"
    "  deadline INTEGER,"
    "  reminder_sent INTEGER NOT NULL DEFAULT 0"
    "    CHECK (reminder_sent IN (0, 1)),"
    "  excepted_until INTEGER,"
    "  exc_pending INTEGER,"
    "  lease_until INTEGER,"
    "  lease_token INTEGER,"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_attempt_at INTEGER,"
    "  undo_requested_by TEXT,"
    "  prior_state TEXT CHECK (prior_state IS NULL OR "
    "json_valid(prior_state)),"
    "  last_error TEXT,"
    "  slack_channel TEXT,"
    "  slack_ts TEXT,"
    "  updated_at INTEGER NOT NULL,"
    "  notify_only INTEGER NOT NULL DEFAULT 0 "
    "  CHECK (notify_only IN (0, 1)),"
    "  UNIQUE (playbook, account_id, region, resource_id)"
    ");"
    "INSERT INTO findings SELECT * FROM v5_findings;"
    "CREATE INDEX findings_open ON findings (id) WHERE state = 'open';"
    "CREATE INDEX findings_notified ON findings (deadline)"
    "  WHERE state = 'notified';"
    "CREATE INDEX findings_excepted ON findings (excepted_until)"
    "  WHERE state = 'excepted';"
    "CREATE INDEX findings_fixing ON findings (lease_until)"
    "  WHERE state = 'fixing';"
    "CREATE INDEX findings_undo ON findings (lease_until)"
    "  WHERE state = 'fixed' AND undo_requested_by IS NOT NULL;"
    "CREATE INDEX findings_failed ON findings (updated_at)"
    "  WHERE state = 'failed';"
    "CREATE INDEX findings_rehearsed ON findings (playbook, id)"
    "  WHERE state = 'rehearsed';"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  finding_id INTEGER REFERENCES findings (id),"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  from_state TEXT CHECK (from_state IS NULL OR " ONE_OF("from_state", STATES_V5) "),"
    "  to_state TEXT CHECK (to_state IS NULL OR " ONE_OF("to_state", STATES_V5) "),"
    "  event TEXT NOT NULL,"
    "  reason TEXT,"
    "  data TEXT CHECK (data IS NULL OR json_valid(data))"
    ");"
    "INSERT INTO audit SELECT * FROM v5_audit;"
    "CREATE INDEX audit_finding ON audit (finding_id, id);"
    "CREATE INDEX audit_event ON audit (event, at);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "DROP TABLE v5_findings;"
    "DROP TABLE v5_audit;"
    "INSERT INTO audit (finding_id, at, actor, from_state, to_state, event,"
    "  reason, data) SELECT id, CAST(strftime('%s', 'now') AS INTEGER),"
    "  'fixit', 'fixed', 'rehearsed', 'transition', 'Recorded as fixed "
    "although the executor only rehearsed it (dry run): nothing was "
    "changed', prior_state FROM findings WHERE " REHEARSED_WHERE ";"
    "UPDATE findings SET state = 'rehearsed', undo_requested_by = NULL,"
    "  lease_until = NULL, lease_token = NULL WHERE " REHEARSED_WHERE ";";
/* clang-format on */

/*
 * v6: what guards a fix beyond the finding's own state (remediation/
 * sm_guard.c).
 * finding_keys: a finding's human key, the identity people know the
 *   resource by (a Route 53 zone's name and visibility), when it is not
 *   its resource id.
 * undo_holds: an admin undid a fix: the same resource, matched by human
 *   key, is not fixed again before `until`; looked up by key at ingest
 *   and at claim.
 * fix_ledger: claims of destructive fixes, failed fix attempts, undos
 *   and circuit-breaker trips; the breaker and the hourly caps count a
 *   window of one playbook, one account or all by an index range.
 */
static const char schema_v6[] =
    "CREATE TABLE finding_keys ("
    "  finding_id INTEGER PRIMARY KEY REFERENCES findings (id),"
    "  human_key TEXT NOT NULL"
    ");"
    "CREATE TABLE undo_holds ("
    "  id INTEGER PRIMARY KEY,"
    "  playbook TEXT NOT NULL,"
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  human_key TEXT NOT NULL,"
    "  finding_id INTEGER NOT NULL REFERENCES findings (id),"
    "  decided_by TEXT NOT NULL,"
    "  decided_at INTEGER NOT NULL,"
    "  until INTEGER NOT NULL"
    ");"
    "CREATE INDEX undo_holds_key ON undo_holds "
    "  (playbook, account_id, region, human_key, until);"
    "CREATE TABLE fix_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK " ONE_OF("kind",
	"destructive,failed,undone,tripped") ","
					     "  playbook TEXT NOT NULL,"
					     "  account_id TEXT NOT NULL,"
					     "  finding_id INTEGER"
					     ");"
					     "CREATE INDEX fix_ledger_pb ON fix_ledger (playbook, kind, at);"
					     "CREATE INDEX fix_ledger_account ON fix_ledger "
					     "  (account_id, kind, at);"
					     "CREATE INDEX fix_ledger_kind ON fix_ledger (kind, at);";

/* a user's findings for the App Home and /fixit mine (db_owner_open) */
static const char schema_v7[] =
    "CREATE INDEX findings_owner ON findings (owner_slack_id, state);";

/*
 * v8: the ts of the reminder posted in a finding's thread, so that a
 * decision can take that message's buttons away too (server/sender.c).
 */
static const char schema_v8[] =
    "ALTER TABLE findings ADD COLUMN slack_reminder_ts TEXT;";

/*
 * v9: owners report false positives (remediation/sm_owner.c). An
 * exception row with fp 1 is a report that the finding is wrong, not a
 * request to leave it (kind '1y' for its length: the kind list is a
 * CHECK that SQLite cannot alter); fp 2 once an admin approved it. The
 * approved ones are counted per playbook over the partial index.
 */
static const char schema_v9[] =
    "ALTER TABLE exceptions ADD COLUMN fp INTEGER NOT NULL DEFAULT 0"
    "  CHECK (fp IN (0, 1, 2));"
    "CREATE INDEX exceptions_fp ON exceptions (finding_id) WHERE fp = 2;";

/*
 * v10: an exception request's messages in the admin channel and its
 * nudges (remediation/sm_approval.c): the request message (channel, ts),
 * the reminder in its thread and the escalation, each sent once (when,
 * and its ts so that a decision takes its buttons away). The pending
 * requests are read by age through a partial index of their own.
 */
static const char schema_v10[] =
    "ALTER TABLE exceptions ADD COLUMN admin_channel TEXT;"
    "ALTER TABLE exceptions ADD COLUMN admin_ts TEXT;"
    "ALTER TABLE exceptions ADD COLUMN reminded_at INTEGER;"
    "ALTER TABLE exceptions ADD COLUMN remind_ts TEXT;"
    "ALTER TABLE exceptions ADD COLUMN escalated_at INTEGER;"
    "ALTER TABLE exceptions ADD COLUMN escalate_ts TEXT;"
    "CREATE INDEX exceptions_waiting ON exceptions (requested_at, id)"
    "  WHERE status = 'pending';";

/*
 * v11: the heartbeat, one row /healthz rewrites through the writer (and
 * reads back) to prove the database is writable and readable.
 */
static const char schema_v11[] =
    "CREATE TABLE heartbeat ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  at INTEGER NOT NULL"
    ");"
    "INSERT INTO heartbeat (id, at) VALUES (1, 0);";

/*
 * v12: the findings counted by (playbook, state, account), kept by
 * triggers in the transaction of every insert, change of state (or of
 * playbook or account) and delete of a finding, so that no path can miss
 * one. /fixit status, /metrics and the App Home read these rows (one per
 * pair that has findings: the cost follows playbooks x accounts, not the
 * findings) instead of walking the findings table. A row that falls to 0
 * is deleted. The rows are filled from the findings once, here.
 *
 * v17 replaced the triggers with the writes' own deltas (db_kept.c).
 */
/* clang-format off */
#define COUNT_KEY(r)							\
	"playbook = " r ".playbook AND state = " r ".state AND "	\
	"account_id = " r ".account_id"
#define COUNT_ADD(r)							\
	"INSERT INTO finding_counts (playbook, state, account_id, n) "	\
	"VALUES (" r ".playbook, " r ".state, " r ".account_id, 1) "	\
	"ON CONFLICT (playbook, state, account_id) DO UPDATE SET n = n + 1;"
#define COUNT_SUB(r)							\
	"UPDATE finding_counts SET n = n - 1 WHERE " COUNT_KEY(r) ";"	\
	"DELETE FROM finding_counts WHERE " COUNT_KEY(r) " AND n <= 0;"
static const char schema_v12[] =
"CREATE TABLE finding_counts ("
"  playbook TEXT NOT NULL,"
"  state TEXT NOT NULL,"
"  account_id TEXT NOT NULL,"
"  n INTEGER NOT NULL,"
"  PRIMARY KEY (playbook, state, account_id)"
") WITHOUT ROWID;"
"INSERT INTO finding_counts (playbook, state, account_id, n)"
"  SELECT playbook, state, account_id, count(*) FROM findings"
"  GROUP BY playbook, state, account_id;"
"CREATE TRIGGER findings_count_insert AFTER INSERT ON findings"
"  BEGIN " COUNT_ADD("NEW") " END;"
"CREATE TRIGGER findings_count_update"
"  AFTER UPDATE OF playbook, account_id, state ON findings"
"  WHEN OLD.state IS NOT NEW.state OR OLD.playbook IS NOT NEW.playbook"
"    OR OLD.account_id IS NOT NEW.account_id"
"  BEGIN " COUNT_SUB("OLD") COUNT_ADD("NEW") " END;"
"CREATE TRIGGER findings_count_delete AFTER DELETE ON findings"
"  BEGIN " COUNT_SUB("OLD") " END;";
/* clang-format on */

/*
 * v13: nothing at start-up or in a listing walks a big table (issue 14).
 * findings_shadow_done: the open findings a shadow run finished with
 *   (reminder_sent set), the rows a playbook leaving shadow mode re-arms:
 *   at start-up sm_reconcile reads only them, in batches; a playbook that
 *   never was in shadow has none.
 * findings_by_state / _pb / _account: the listing API (db_findings_list)
 *   pages in id order with any filter of state, playbook and account: a
 *   state is one range of the first; a playbook or an account with a state
 *   one range of the others, without one the merge of its nine state
 *   ranges (db_sql.c); a playbook and an account together one range of
 *   the unique key.
 * scans_started: the retention purge of scan rows reads the oldest first.
 * outbox_modal: the modal lane's rows: the lane looks for them at every
 *   click (sender_kick), and through outbox_pending that read every
 *   pending row on the writer (clicks/s fell from 16,600 to 8,600 with a
 *   backlog of card updates).
 * undo_holds_finding: the foreign-key check of a finding's insert (once
 *   the kept counts' triggers are on findings, its plan looks up the
 *   holds naming the new id) reads no table whole.
 * scan_last: the last scan of each account x region, kept by db_scan_add
 *   (/fixit status reads one row per pair, not every scan). Nothing reads
 *   scans by pair any more, so scans_pair goes: the purge deletes the
 *   oldest scans, which it held scattered over every pair's range (a batch
 *   of 5,000 dirtied as many pages: 0.5 - 1 s a batch at a year of scans,
 *   10 - 20 ms without it).
 */
static const char schema_v13[] =
    "CREATE INDEX findings_shadow_done ON findings (playbook, id)"
    "  WHERE state = 'open' AND reminder_sent = 1;"
    "CREATE INDEX findings_by_state ON findings (state, id);"
    "CREATE INDEX findings_by_pb ON findings (playbook, state, id);"
    "CREATE INDEX findings_by_account ON findings (account_id, state, id);"
    "CREATE INDEX scans_started ON scans (started_at);"
    "CREATE INDEX undo_holds_finding ON undo_holds (finding_id);"
    "CREATE INDEX outbox_modal ON outbox (id)"
    "  WHERE state = 'pending' AND kind = 'modal';"
    "CREATE TABLE scan_last ("
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  scan_id INTEGER NOT NULL,"
    "  PRIMARY KEY (account_id, region)"
    ") WITHOUT ROWID;"
    "INSERT INTO scan_last (account_id, region, scan_id)"
    "  SELECT account_id, region, max(id) FROM scans"
    "  GROUP BY account_id, region;"
    "DROP INDEX scans_pair;";

/*
 * v14: when a watching playbook (pb_def.watch: ec2-underused) first saw
 * each resource, by (scope = its built-in, account, region, resource):
 * fixit's own record that it has watched an instance since (about) its
 * launch. Bounded: a complete detection adds what it sees and deletes
 * what is gone (db_seen_update).
 */
static const char schema_v14[] =
    "CREATE TABLE first_seen ("
    "  scope TEXT NOT NULL,"
    "  account_id TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  resource_id TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (scope, account_id, region, resource_id)"
    ") WITHOUT ROWID;";

/*
 * v15: the savings of the fixes (issue 16), summed by (playbook, account)
 * and kept by triggers like finding_counts, so that /fixit status and
 * /metrics read one row per pair. A fixed finding's saving is the
 * "saving" object sm_finish puts into its prior state ({"cents",
 * "unknown": [...], "as_of"}; remediation/price.h): counted while the
 * finding is fixed, taken back when it leaves fixed (an undo rolls it
 * back) or is deleted. cents: the monthly USD x 100 of the priced items;
 * fixes: fixed findings with a saving; unknown: those of them with an
 * item the price table does not price. A row that falls to no fix is
 * deleted. No finding fixed before v15 has a saving: nothing to fill.
 *
 * v17 replaced the triggers with the writes' own deltas (db_kept.c).
 */
/* clang-format off */
#define SAVE_KEY(r)							\
	"playbook = " r ".playbook AND account_id = " r ".account_id"
#define SAVE_CENTS(r)							\
	"json_extract(" r ".prior_state, '$.saving.cents')"
#define SAVE_HAS(r)							\
	"(" r ".state = 'fixed' AND "	\
	"json_type(" r ".prior_state, '$.saving.cents') = 'integer')"
#define SAVE_UNK(r)							\
	"(coalesce(json_array_length(" r ".prior_state, "		\
	"'$.saving.unknown'), 0) > 0)"
#define SAVE_ADD(r)							\
	"INSERT INTO finding_savings (playbook, account_id, cents, fixes, "\
	"unknown) SELECT " r ".playbook, " r ".account_id, "		\
	SAVE_CENTS(r) ", 1, " SAVE_UNK(r) " WHERE " SAVE_HAS(r) " "	\
	"ON CONFLICT (playbook, account_id) DO UPDATE SET "		\
	"cents = cents + excluded.cents, fixes = fixes + 1, "		\
	"unknown = unknown + excluded.unknown;"
#define SAVE_SUB(r)							\
	"UPDATE finding_savings SET cents = cents - " SAVE_CENTS(r) ", "\
	"fixes = fixes - 1, unknown = unknown - " SAVE_UNK(r) " "	\
	"WHERE " SAVE_KEY(r) " AND " SAVE_HAS(r) ";"			\
	"DELETE FROM finding_savings WHERE " SAVE_KEY(r) " AND fixes <= 0;"
static const char schema_v15[] =
"CREATE TABLE finding_savings ("
"  playbook TEXT NOT NULL,"
"  account_id TEXT NOT NULL,"
"  cents INTEGER NOT NULL,"
"  fixes INTEGER NOT NULL,"
"  unknown INTEGER NOT NULL,"
"  PRIMARY KEY (playbook, account_id)"
") WITHOUT ROWID;"
"CREATE TRIGGER findings_saving_insert AFTER INSERT ON findings"
"  WHEN NEW.state = 'fixed'"
"  BEGIN " SAVE_ADD("NEW") " END;"
"CREATE TRIGGER findings_saving_update"
"  AFTER UPDATE OF playbook, account_id, state, prior_state ON findings"
"  WHEN (OLD.state = 'fixed' OR NEW.state = 'fixed') AND"
"    (OLD.state IS NOT NEW.state OR OLD.playbook IS NOT NEW.playbook"
"    OR OLD.account_id IS NOT NEW.account_id"
"    OR OLD.prior_state IS NOT NEW.prior_state)"
"  BEGIN " SAVE_SUB("OLD") SAVE_ADD("NEW") " END;"
"CREATE TRIGGER findings_saving_delete AFTER DELETE ON findings"
"  WHEN OLD.state = 'fixed'"
"  BEGIN " SAVE_SUB("OLD") " END;";
/* clang-format on */

/*
 * v16: who created what (db_creators, tagging-standard): the processed
 * events of a person, by account and event name, so that the lookup
 * reads the creations, not every event kept.
 */
static const char schema_v16[] =
    "CREATE INDEX events_created ON events (account_id, event_name) "
    "WHERE state = 'done' AND actor IS NOT NULL;";

/*
 * v17: the kept counts (v12) and savings (v15) are kept by the writes of
 * a finding (db_kept.c), not by triggers: a trigger made every insert and
 * update of a finding a two-table statement that SQLite journals page by
 * page to undo it alone, 78 KB of temporary file written per ingested
 * finding (issue 14). The rows stay as the triggers left them.
 */
static const char schema_v17[] = "DROP TRIGGER findings_count_insert;"
				 "DROP TRIGGER findings_count_update;"
				 "DROP TRIGGER findings_count_delete;"
				 "DROP TRIGGER findings_saving_insert;"
				 "DROP TRIGGER findings_saving_update;"
				 "DROP TRIGGER findings_saving_delete;";

/*
 * v18: the listing with a playbook, an account and a state reads one
 * range (it read the pair's whole range of the unique key and kept the
 * state's rows: 126 ms p99 at a million findings in one pair); with a
 * playbook and an account only, the merge of the pair's nine state
 * ranges, in id order without a sort (issue 14).
 */
static const char schema_v18[] = "CREATE INDEX findings_by_pa ON findings "
				 "(playbook, account_id, state, id);";

const char *const db_migrations[] = {
	schema_v1,  /* 0 -> 1 */
	schema_v2,  /* 1 -> 2 */
	schema_v3,  /* 2 -> 3 */
	schema_v4,  /* 3 -> 4 */
	schema_v5,  /* 4 -> 5 */
	schema_v6,  /* 5 -> 6 */
	schema_v7,  /* 6 -> 7 */
	schema_v8,  /* 7 -> 8 */
	schema_v9,  /* 8 -> 9 */
	schema_v10, /* 9 -> 10 */
	schema_v11, /* 10 -> 11 */
	schema_v12, /* 11 -> 12 */
	schema_v13, /* 12 -> 13 */
	schema_v14, /* 13 -> 14 */
	schema_v15, /* 14 -> 15 */
	schema_v16, /* 15 -> 16 */
	schema_v17, /* 16 -> 17 */
	schema_v18, /* 17 -> 18 */
};
const int db_nmigrations =
    (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
