/*
 * cmd_report.c - the text of the /fixit replies (see cmd.h): a writer of
 * Slack mrkdwn into a bounded work buffer (the first error sticks, values
 * escaped and cut, lists that stop early with "… and N more" so that
 * the reply stays under CMD_MAX_REPLY), and the reports status, due,
 * exceptions and show, each read by one job on the reader connection
 * (dbw_read). cmd.c parses, dispatches and runs the changes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd_int.h"
#include "db.h"
#include "fxtime.h"
#include "fxutil.h"
#include "slack_blocks.h"
#include "slack_iampath.h"
#include "slack_say.h"
#include "sm.h"
#include "banned.h"

#define LIST_FETCH     1000 /* rows asked of the store per list */
#define STATUS_ITEMS   5    /* items per list in status */
#define LIST_ITEMS     30   /* items in due and exceptions */
#define HISTORY_ITEMS  20   /* the last history lines of show */
#define PLAN_CALLS_MAX 20   /* planned calls of a dry run in show */
#define IAMPATH_MAX    1500 /* bytes of an IAM path in show */
#define FIELD_MAX      80   /* bytes of one value in a list item */
#define RESERVE	       60   /* room kept for "… and N more" */
#define BULLET	       "\xe2\x80\xa2"

/* ---- building the reply --------------------------------------------- */

void
cmd_put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (o->rc != FX_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL) {
		o->rc = FX_ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->rc = buf_add(&o->b, s, (size_t)n);
	free(s);
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long
jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
cmd_put_esc(struct out *o, const char *s, size_t max)
{
	struct buf cut = BUF_INIT;
	size_t i, n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* never cut a UTF-8 sequence */
	}
	for (i = 0; i < n && o->rc == FX_OK; i++)
		o->rc = buf_addc(&cut, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	/* the one mrkdwn escaper every sentence for people goes through */
	if (o->rc == FX_OK)
		o->rc = slack_blocks_escape(buf_str(&cut), &o->b);
	buf_release(&cut);
	if (n < strlen(s))
		cmd_put(o, ELLIPSIS);
}

/* a user id as a mention when it is one, else as escaped text */
static void
put_user(struct out *o, const char *id)
{
	if (o->rc == FX_OK && fx_slack_user_id_ok(id))
		o->rc = slack_say_user(id, &o->b);
	else
		cmd_put_esc(o, id, 32);
}

/* o[key], a time in unix seconds, as ISO 8601 in iso; "-" when unset */
static const char *
jtime(const json_t *o, const char *key, char iso[21])
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return "-";
	fx_iso8601_format(json_integer_value(v), iso);
	return iso;
}

/* "2026-11-28T10:00:00Z (in 20h 0m)" from the time obj[key]; "-" when
 * unset */
static void
put_when(struct out *o, const json_t *obj, const char *key, int64_t now)
{
	int64_t t = json_integer_value(json_object_get(obj, key));
	char iso[21], d[32];

	cmd_put(o, "%s", jtime(obj, key, iso));
	if (!json_is_integer(json_object_get(obj, key)))
		return;
	fx_duration_format(t > now ? t - now : now - t, d, sizeof(d));
	if (t == now)
		cmd_put(o, " (now)");
	else
		cmd_put(o, t > now ? " (in %s)" : " (%s ago)", d);
}

/* "#12 `playbook` resource (account/region)" */
static void
put_ref(struct out *o, const json_t *f)
{
	cmd_put(o, "#%lld `", jint(f, "id"));
	cmd_put_esc(o, jstr(f, "playbook"), 63);
	cmd_put(o, "` ");
	cmd_put_esc(o, jstr(f, "resource_id"), FIELD_MAX);
	cmd_put(o, " (");
	cmd_put_esc(o, jstr(f, "account_id"), 12);
	cmd_put(o, "/");
	cmd_put_esc(o, jstr(f, "region"), 32);
	cmd_put(o, ")");
}

typedef void (*item_fn)(struct out *line, const json_t *item, int64_t now);

/*
 * One line per item of arr, at most max of them and while the reply has
 * room; then "… and N more" (N+ when the store had more than it sent).
 */
static void
put_list(struct out *o, const json_t *arr, size_t max, item_fn fn, int64_t now)
{
	struct out line = { BUF_INIT, FX_OK };
	size_t i, n = json_array_size(arr);

	buf_init(&line.b, WORK_CAP);
	if (n == 0)
		cmd_put(o, "_none_\n");
	for (i = 0; i < n && i < max && o->rc == FX_OK; i++) {
		buf_reset(&line.b);
		cmd_put(&line, BULLET " ");
		fn(&line, json_array_get(arr, i), now);
		cmd_put(&line, "\n");
		if (line.rc != FX_OK ||
		    o->b.len + line.b.len + RESERVE > CMD_MAX_REPLY)
			break;
		o->rc = buf_add(&o->b, line.b.data, line.b.len);
	}
	if (i < n)
		cmd_put(o, ELLIPSIS " and %zu%s more\n", n - i,
		    n >= LIST_FETCH ? "+" : "");
	buf_release(&line.b);
}

/* ---- jobs on the writer thread -------------------------------------- */

struct status_job {
	int64_t now;
	json_t *counts, *due, *failed, *paused, *scans;
	int64_t waiting; /* notified, the owner not told yet */
};

static fx_err
job_status(struct db *db, void *arg)
{
	struct status_job *j = arg;
	fx_err rc;

	rc = db_counts(db, &j->counts);
	if (rc != FX_OK)
		return rc;
	rc = db_due_list(db, j->now + 86400, LIST_FETCH, &j->due);
	if (rc != FX_OK)
		return rc;
	rc = db_failed_list(db, LIST_FETCH, &j->failed);
	if (rc != FX_OK)
		return rc;
	rc = db_scan_last(db, &j->scans);
	if (rc != FX_OK)
		return rc;
	rc = db_waiting_told(db, &j->waiting);
	if (rc != FX_OK)
		return rc;
	return db_pause_list(db, &j->paused);
}

struct read_job {
	enum { READ_SHOW, READ_DUE, READ_EXCEPTIONS } what;
	int64_t id;
	json_t *out;
};

static fx_err
job_read(struct db *db, void *arg)
{
	struct read_job *j = arg;

	switch (j->what) {
	case READ_SHOW:
		return db_finding_show(db, j->id, &j->out);
	case READ_DUE:
		return db_due_list(db, INT64_MAX / 2, LIST_FETCH, &j->out);
	default:
		return db_exceptions_list(db, LIST_FETCH, &j->out);
	}
}

/* ---- status ---------------------------------------------------------- */

static void
due_item(struct out *o, const json_t *f, int64_t now)
{
	put_ref(o, f);
	cmd_put(o, " %s, due ", jstr(f, "state"));
	if (json_is_integer(json_object_get(f, "due_at")))
		put_when(o, f, "due_at", now);
	else
		cmd_put(o, "now");
}

static void
failed_item(struct out *o, const json_t *f, int64_t now)
{
	put_ref(o, f);
	cmd_put(o, " after %lld attempts: ", jint(f, "attempts"));
	cmd_put_esc(o, jstr(f, "last_error"), FIELD_MAX);
}

/* "open 1 · notified 2": every state, or only the non-zero ones */
static void
put_counts(struct out *o, const json_t *counts, int all)
{
	const char *name;
	int s, first = 1;
	long long n;

	for (s = 0; s < FS__COUNT; s++) {
		name = fstate_name((enum fstate)s);
		n = jint(counts, name);
		if (n == 0 && !all)
			continue;
		cmd_put(o, "%s%s %lld", first ? "" : " \xc2\xb7 ", name, n);
		first = 0;
	}
	if (first)
		cmd_put(o, "no findings");
}

static int
in_strings(const json_t *arr, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++)
		if (json_string_value(json_array_get(arr, i)) != NULL &&
		    strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

/* configured playbooks with mode and counts, then unknown names */
static void
put_by_playbook(struct ctx *c, json_t *by_pb, const json_t *paused)
{
	const struct playbook *pb;
	const char *name;
	json_t *v;
	size_t i;

	for (i = 0; i < c->pol->nplaybooks; i++) {
		pb = &c->pol->playbooks[i];
		cmd_put(c->o, BULLET " `%s` (%s%s): ", pb->name,
		    policy_mode_name(pb->mode),
		    in_strings(paused, pb->name) ? ", paused" : "");
		put_counts(c->o, json_object_get(by_pb, pb->name), 0);
		cmd_put(c->o, "\n");
	}
	json_object_foreach(by_pb, name, v) {
		if (policy_playbook(c->pol, name) != NULL)
			continue;
		cmd_put(c->o, BULLET " `");
		cmd_put_esc(c->o, name, 63);
		cmd_put(c->o, "` (not configured): ");
		put_counts(c->o, v, 0);
		cmd_put(c->o, "\n");
	}
}

/* the last scan of each account x region */
static void
put_scans(struct ctx *c, const json_t *scans)
{
	const struct account *a;
	const json_t *x;
	size_t i;

	cmd_put(c->o, "\n*Last scans:*%s",
	    json_array_size(scans) ? "\n" : " none yet");
	json_array_foreach(scans, i, x) {
		a = policy_account(c->pol, jstr(x, "account_id"));
		cmd_put(c->o, BULLET " ");
		cmd_put_esc(c->o, a ? a->name : jstr(x, "account_id"), 64);
		cmd_put(c->o, " (");
		cmd_put_esc(c->o, jstr(x, "account_id"), 12);
		cmd_put(c->o, ") ");
		cmd_put_esc(c->o, jstr(x, "region"), 32);
		cmd_put(c->o, ": %s ",
		    json_is_true(json_object_get(x, "ok")) ? "complete"
							   : "*incomplete*");
		put_when(c->o, x, "finished_at", c->now);
		cmd_put(c->o, ", %lld found, %lld resolved", jint(x, "found"),
		    jint(x, "resolved"));
		if (json_is_string(json_object_get(x, "error"))) {
			cmd_put(c->o, ": ");
			cmd_put_esc(c->o, jstr(x, "error"), FIELD_MAX);
		}
		cmd_put(c->o, "\n");
	}
}

fx_err
cmd_status(struct ctx *c, const char *arg)
{
	struct status_job j = { c->now, NULL, NULL, NULL, NULL, NULL, 0 };
	size_t i, n;
	fx_err rc;

	if ((rc = dbw_read(c->w, job_status, &j)) != FX_OK)
		goto out;
	cmd_put(c->o, "*fixit status*\n*By state:* ");
	put_counts(c->o, json_object_get(j.counts, "by_state"), 1);
	cmd_put(c->o, "\n*By playbook:*\n");
	put_by_playbook(c, json_object_get(j.counts, "by_playbook"), j.paused);
	n = json_array_size(j.due);
	cmd_put(c->o, "*Due in the next 24 h (%zu%s):*\n", n,
	    n >= LIST_FETCH ? "+" : "");
	put_list(c->o, j.due, STATUS_ITEMS, due_item, c->now);
	if (j.waiting > 0)
		cmd_put(c->o,
		    "*Waiting for the owner to be told:* %lld (no deadline "
		    "until Slack takes the message; `/fixit show ID`)\n",
		    (long long)j.waiting);
	n = json_array_size(j.failed);
	cmd_put(c->o, "*Recent failures (%zu%s):*\n", n,
	    n >= LIST_FETCH ? "+" : "");
	put_list(c->o, j.failed, STATUS_ITEMS, failed_item, c->now);
	cmd_put(c->o, "*Paused:* ");
	for (i = 0; i < json_array_size(j.paused); i++) {
		cmd_put(c->o, "%s`", i ? ", " : "");
		cmd_put_esc(c->o,
		    json_string_value(json_array_get(j.paused, i))
			? json_string_value(json_array_get(j.paused, i))
			: "?",
		    63);
		cmd_put(c->o, "`");
	}
	if (json_array_size(j.paused) == 0)
		cmd_put(c->o, "nothing");
	if ((rc = cmd_fp_status(c)) != FX_OK)
		goto out;
	if ((rc = cmd_savings_status(c)) != FX_OK)
		goto out;
	if (c->scan != NULL || json_array_size(j.scans) > 0)
		put_scans(c, j.scans);
out:
	json_decref(j.scans);
	json_decref(j.counts);
	json_decref(j.due);
	json_decref(j.failed);
	json_decref(j.paused);
	return rc;
}

/* ---- due, exceptions ------------------------------------------------- */

/*
 * "#3 1 year *active* for #12 `playbook` resource (account/region), by
 * <@U1>, asked 2026-…Z, until 2026-…Z (in 364d 23h), decided by <@U2>:
 * reason" (a listing names the finding; show, about one, its id only)
 */
static void
exception_item(struct out *o, const json_t *x, int64_t now)
{
	const json_t *f = json_object_get(x, "finding");
	char iso[21];

	cmd_put(o, "#%lld %s *", jint(x, "id"),
	    strcmp(jstr(x, "kind"), "1y") == 0 ? "1 year" : "1 month");
	cmd_put_esc(o, jstr(x, "status"), 16);
	cmd_put(o, "* for ");
	if (f != NULL)
		put_ref(o, f);
	else
		cmd_put(o, "#%lld", jint(x, "finding_id"));
	cmd_put(o, ", by ");
	put_user(o, jstr(x, "requested_by"));
	cmd_put(o, ", asked %s", jtime(x, "requested_at", iso));
	if (json_is_integer(json_object_get(x, "until"))) {
		cmd_put(o, ", until ");
		put_when(o, x, "until", now);
	}
	if (json_is_string(json_object_get(x, "decided_by"))) {
		cmd_put(o, ", decided by ");
		put_user(o, jstr(x, "decided_by"));
	}
	cmd_put(o, ": ");
	cmd_put_esc(o, jstr(x, "reason"), FIELD_MAX);
}

static fx_err
cmd_list(struct ctx *c, int what)
{
	struct read_job j = { what, 0, NULL };
	size_t n;
	fx_err rc;

	if ((rc = dbw_read(c->w, job_read, &j)) == FX_OK) {
		n = json_array_size(j.out);
		cmd_put(c->o, "*%s (%zu%s):*\n",
		    what == READ_DUE ? "Due, soonest first"
				     : "Exceptions, pending first",
		    n, n >= LIST_FETCH ? "+" : "");
		put_list(c->o, j.out, LIST_ITEMS,
		    what == READ_DUE ? due_item : exception_item, c->now);
	}
	json_decref(j.out);
	return rc;
}

fx_err
cmd_due(struct ctx *c, const char *arg)
{
	return cmd_list(c, READ_DUE);
}

fx_err
cmd_exceptions(struct ctx *c, const char *arg)
{
	return cmd_list(c, READ_EXCEPTIONS);
}

/* ---- show ------------------------------------------------------------ */

/* "2026-11-27T10:00:00Z <@U123> notified -> excepted: reason" */
static void
history_item(struct out *o, const json_t *h)
{
	const char *from = jstr(h, "from"), *to = jstr(h, "to");
	char iso[21];

	cmd_put(o, "%s ", jtime(h, "at", iso));
	put_user(o, json_is_string(json_object_get(h, "actor"))
			? jstr(h, "actor")
			: "fixit");
	if (json_is_string(json_object_get(h, "from")) &&
	    json_is_string(json_object_get(h, "to")) && strcmp(from, to) != 0)
		cmd_put(o, " %s -> %s", from, to);
	else
		cmd_put(o, " %s", jstr(h, "event"));
	if (json_string_length(json_object_get(h, "reason")) > 0) {
		cmd_put(o, ": ");
		cmd_put_esc(o, jstr(h, "reason"), FIELD_MAX);
	}
	cmd_put(o, "\n");
}

/* "*Label:* value\n" when the finding has the key */
static void
put_field(struct out *o, const char *label, const json_t *f, const char *key,
    size_t max)
{
	if (!json_is_string(json_object_get(f, key)) ||
	    json_string_length(json_object_get(f, key)) == 0)
		return;
	cmd_put(o, "*%s:* ", label);
	cmd_put_esc(o, jstr(f, key), max);
	cmd_put(o, "\n");
}

static void
put_time_field(struct out *o, const char *label, const json_t *f,
    const char *key, int64_t now)
{
	if (!json_is_integer(json_object_get(f, key)))
		return;
	cmd_put(o, "*%s:* ", label);
	put_when(o, f, key, now);
	cmd_put(o, "\n");
}

/*
 * A rehearsed finding: what its dry run planned (the last transition to
 * rehearsed in the history) and that nothing was changed.
 */
static void
show_rehearsal(struct out *o, const json_t *hist)
{
	const json_t *h, *plan = NULL, *calls, *call;
	size_t i;

	json_array_foreach(hist, i, h)
		if (strcmp(jstr(h, "to"), "rehearsed") == 0)
			plan =
			    json_object_get(json_object_get(h, "data"), "plan");
	cmd_put(o, "*Dry run only:* nothing was changed; the fix runs when "
		   "the playbook's executor goes live.\n");
	if (json_is_string(json_object_get(plan, "would"))) {
		cmd_put(o, "*It would:* ");
		cmd_put_esc(o, jstr(plan, "would"), 300);
		cmd_put(o, "\n");
	}
	calls = json_object_get(plan, "planned");
	if (json_array_size(calls) > 0)
		cmd_put(o, "*AWS calls it would make:*");
	json_array_foreach(calls, i, call) {
		if (i >= PLAN_CALLS_MAX)
			break;
		cmd_put(o, i == 0 ? " " : ", ");
		cmd_put_esc(o, jstr(call, "service"), 32);
		cmd_put(o, " ");
		cmd_put_esc(o, jstr(call, "action"), 64);
	}
	if (json_array_size(calls) > 0)
		cmd_put(o, "\n");
}

/* an IAM path in the details, hop by hop (slack_iampath.h) */
static void
put_iampath(struct out *o, const json_t *details)
{
	struct buf b = BUF_INIT;

	buf_init(&b, IAMPATH_MAX);
	if (o->rc == FX_OK && slack_iampath_mrkdwn(details, &b) != FX_OK)
		o->rc = FX_ENOMEM;
	else if (b.len > 0)
		cmd_put(o, "%s", buf_str(&b));
	buf_release(&b);
}

static void
show_finding(struct ctx *c, const json_t *f)
{
	const struct account *acc =
	    policy_account(c->pol, jstr(f, "account_id"));
	char *prior = json_dumps(json_object_get(f, "prior_state"),
	    JSON_COMPACT | JSON_ENCODE_ANY);
	char first[21], last[21];

	cmd_put(c->o, "*Finding #%lld* \xe2\x80\x94 `", jint(f, "id"));
	cmd_put_esc(c->o, jstr(f, "playbook"), 63);
	cmd_put(c->o, "` \xe2\x80\x94 *%s*\n", jstr(f, "state"));
	put_field(c->o, "Title", f, "title", 300);
	put_field(c->o, "Resource", f, "resource_id", 200);
	put_field(c->o, "ARN", f, "resource_arn", 300);
	cmd_put(c->o, "*Account:* %s (%s, %s) *Region:* ",
	    jstr(f, "account_id"), acc ? acc->name : "not configured",
	    acc ? policy_env_name(acc->env) : "-");
	cmd_put_esc(c->o, jstr(f, "region"), 32);
	cmd_put(c->o, "\n");
	put_field(c->o, "Owner", f, "owner_slack_id", 32);
	put_field(c->o, "Owner email", f, "owner_email", 100);
	cmd_put(c->o, "*First seen:* %s  *Last seen:* %s\n",
	    jtime(f, "first_seen", first), jtime(f, "last_seen", last));
	put_time_field(c->o, "Deadline", f, "deadline", c->now);
	put_time_field(c->o, "Excepted until", f, "excepted_until", c->now);
	if (jint(f, "attempts") > 0)
		cmd_put(c->o, "*Attempts:* %lld\n", jint(f, "attempts"));
	put_field(c->o, "Last error", f, "last_error", 300);
	put_iampath(c->o, json_object_get(f, "details"));
	if (prior != NULL && strcmp(prior, "null") != 0) {
		cmd_put(c->o, "*Prior state:* ");
		cmd_put_esc(c->o, prior, 300);
		cmd_put(c->o, "\n");
	}
	free(prior);
}

fx_err
cmd_show(struct ctx *c, const char *arg)
{
	struct read_job j = { READ_SHOW, 0, NULL };
	const json_t *hist;
	size_t n, i;
	fx_err rc;

	if (cmd_parse_id(arg, &j.id) != FX_OK) {
		cmd_bad_id(c, arg);
		return FX_OK;
	}
	rc = dbw_read(c->w, job_read, &j);
	if (rc == FX_ENOTFOUND) {
		cmd_put(c->o, "Finding #%lld was not found.", (long long)j.id);
		rc = FX_OK;
	} else if (rc == FX_OK) {
		show_finding(c, j.out);
		if (strcmp(jstr(j.out, "state"), "rehearsed") == 0)
			show_rehearsal(c->o, json_object_get(j.out, "history"));
		cmd_put(c->o, "*Exceptions:*\n");
		put_list(c->o, json_object_get(j.out, "exceptions"),
		    STATUS_ITEMS, exception_item, c->now);
		hist = json_object_get(j.out, "history");
		n = json_array_size(hist);
		i = n > HISTORY_ITEMS ? n - HISTORY_ITEMS : 0;
		cmd_put(c->o, "*History (%zu):*\n", n);
		if (i > 0)
			cmd_put(c->o, ELLIPSIS " %zu earlier entries\n", i);
		for (; i < n; i++)
			history_item(c->o, json_array_get(hist, i));
	}
	json_decref(j.out);
	return rc;
}
