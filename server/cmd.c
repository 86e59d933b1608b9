/*
 * cmd.c - the /fixit slash command (see cmd.h).
 *
 * A command is parsed into words, checked against the table of
 * subcommands, then run: reports read a snapshot on the reader connection
 * (dbw_read), changes are one job on the writer thread (dbw_call), each
 * with a small argument struct. The reply is built as Slack mrkdwn in a work
 * buffer; lists stop early with "… and N more" so that the reply stays
 * under CMD_MAX_REPLY, and a last clip guarantees it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cmd.h"
#include "scan.h"
#include "db.h"
#include "fxtime.h"
#include "fxutil.h"
#include "sm.h"
#include "banned.h"

#define WORK_CAP	(64 * 1024)	/* the reply before clipping */
#define LIST_FETCH	1000		/* rows asked of the store per list */
#define STATUS_ITEMS	5		/* items per list in status */
#define LIST_ITEMS	30		/* items in due and exceptions */
#define HISTORY_ITEMS	20		/* the last history lines of show */
#define FIELD_MAX	80		/* bytes of one value in a list item */
#define RESERVE		60		/* room kept for "… and N more" */
#define MAX_WORDS	4
#define MAX_TEXT	256

static const char refusal[] = "Sorry, /fixit is for fixit admins.";

static const char help_text[] =
	"*fixit admin commands*\n"
	"`/fixit status` \xe2\x80\x94 counts by state and playbook, due in "
	"24 h, failures, pauses\n"
	"`/fixit due` \xe2\x80\x94 findings whose fix is coming, soonest "
	"first\n"
	"`/fixit exceptions` \xe2\x80\x94 active and pending exceptions\n"
	"`/fixit show ID` \xe2\x80\x94 one finding and its history\n"
	"`/fixit pause PLAYBOOK|all` \xe2\x80\x94 stop fixes (owners are "
	"still asked)\n"
	"`/fixit resume PLAYBOOK|all` \xe2\x80\x94 start fixes again\n"
	"`/fixit undo ID` \xe2\x80\x94 roll a fix back\n"
	"`/fixit scan` \xe2\x80\x94 scan every account and region now\n"
	"`/fixit help` \xe2\x80\x94 this text";

#define ELLIPSIS	"\xe2\x80\xa6"
#define BULLET		"\xe2\x80\xa2"

/* ---- building the reply --------------------------------------------- */

/* text being built: the first error sticks and later puts do nothing */
struct out {
	struct buf b;
	fx_err rc;
};

struct ctx {
	struct dbw *w;
	const struct policy *pol;
	struct scan *scan;
	const char *user;
	int64_t now;
	struct out *o;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
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

/* s with &, <, > escaped for mrkdwn, at most max bytes of it */
static void
put_esc(struct out *o, const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;	/* never cut a UTF-8 sequence */
	}
	for (i = 0; i < n && o->rc == FX_OK; i++) {
		if (s[i] == '&' || s[i] == '<' || s[i] == '>')
			put(o, "%s", s[i] == '&' ? "&amp;" : s[i] == '<' ?
			    "&lt;" : "&gt;");
		else
			o->rc = buf_addc(&o->b, (unsigned char)s[i] < 0x20 ?
			    ' ' : s[i]);
	}
	if (n < strlen(s))
		put(o, ELLIPSIS);
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

	put(o, "%s", jtime(obj, key, iso));
	if (!json_is_integer(json_object_get(obj, key)))
		return;
	fx_duration_format(t > now ? t - now : now - t, d, sizeof(d));
	if (t == now)
		put(o, " (now)");
	else
		put(o, t > now ? " (in %s)" : " (%s ago)", d);
}

/* "#12 `playbook` resource (account/region)" */
static void
put_ref(struct out *o, const json_t *f)
{
	put(o, "#%lld `", jint(f, "id"));
	put_esc(o, jstr(f, "playbook"), 63);
	put(o, "` ");
	put_esc(o, jstr(f, "resource_id"), FIELD_MAX);
	put(o, " (");
	put_esc(o, jstr(f, "account_id"), 12);
	put(o, "/");
	put_esc(o, jstr(f, "region"), 32);
	put(o, ")");
}

typedef void (*item_fn)(struct out *line, const json_t *item, int64_t now);

/*
 * One line per item of arr, at most max of them and while the reply has
 * room; then "… and N more" (N+ when the store had more than it sent).
 */
static void
put_list(struct out *o, const json_t *arr, size_t max, item_fn fn,
    int64_t now)
{
	struct out line = { BUF_INIT, FX_OK };
	size_t i, n = json_array_size(arr);

	buf_init(&line.b, WORK_CAP);
	if (n == 0)
		put(o, "_none_\n");
	for (i = 0; i < n && i < max && o->rc == FX_OK; i++) {
		buf_reset(&line.b);
		put(&line, BULLET " ");
		fn(&line, json_array_get(arr, i), now);
		put(&line, "\n");
		if (line.rc != FX_OK ||
		    o->b.len + line.b.len + RESERVE > CMD_MAX_REPLY)
			break;
		o->rc = buf_add(&o->b, line.b.data, line.b.len);
	}
	if (i < n)
		put(o, ELLIPSIS " and %zu%s more\n", n - i,
		    n >= LIST_FETCH ? "+" : "");
	buf_release(&line.b);
}

/* ---- jobs on the writer thread -------------------------------------- */

struct status_job {
	int64_t now;
	json_t *counts, *due, *failed, *paused, *scans;
};

static fx_err
job_status(struct db *db, void *arg)
{
	struct status_job *j = arg;
	fx_err rc;

	if ((rc = db_counts(db, &j->counts)) != FX_OK ||
	    (rc = db_due_list(db, j->now + 86400, LIST_FETCH, &j->due)) !=
	    FX_OK ||
	    (rc = db_failed_list(db, LIST_FETCH, &j->failed)) != FX_OK ||
	    (rc = db_scan_last(db, &j->scans)) != FX_OK)
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

struct change_job {
	const struct policy *pol;
	const char *name;	/* pause: playbook or "all" */
	int paused;
	int64_t id;		/* undo */
	const char *admin;
	int64_t now;
	struct buf msg;		/* undo: sm's sentence */
};

static fx_err
job_pause(struct db *db, void *arg)
{
	struct change_job *j = arg;

	return sm_pause(db, j->pol, j->name, j->paused, j->admin, j->now);
}

static fx_err
job_undo(struct db *db, void *arg)
{
	struct change_job *j = arg;

	return sm_undo_request(db, j->pol, j->id, j->admin, j->now, &j->msg);
}

/* ---- status ---------------------------------------------------------- */

static void
due_item(struct out *o, const json_t *f, int64_t now)
{
	put_ref(o, f);
	put(o, " %s, due ", jstr(f, "state"));
	if (json_is_integer(json_object_get(f, "due_at")))
		put_when(o, f, "due_at", now);
	else
		put(o, "now");
}

static void
failed_item(struct out *o, const json_t *f, int64_t now)
{
	put_ref(o, f);
	put(o, " after %lld attempts: ", jint(f, "attempts"));
	put_esc(o, jstr(f, "last_error"), FIELD_MAX);
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
		put(o, "%s%s %lld", first ? "" : " \xc2\xb7 ", name, n);
		first = 0;
	}
	if (first)
		put(o, "no findings");
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
		put(c->o, BULLET " `%s` (%s%s): ", pb->name,
		    policy_mode_name(pb->mode), in_strings(paused, pb->name) ?
		    ", paused" : "");
		put_counts(c->o, json_object_get(by_pb, pb->name), 0);
		put(c->o, "\n");
	}
	json_object_foreach(by_pb, name, v) {
		if (policy_playbook(c->pol, name) != NULL)
			continue;
		put(c->o, BULLET " `");
		put_esc(c->o, name, 63);
		put(c->o, "` (not configured): ");
		put_counts(c->o, v, 0);
		put(c->o, "\n");
	}
}

/* the last scan of each account x region */
static void
put_scans(struct ctx *c, const json_t *scans)
{
	const struct account *a;
	const json_t *x;
	size_t i;

	put(c->o, "\n*Last scans:*%s", json_array_size(scans) ? "\n" :
	    " none yet");
	json_array_foreach(scans, i, x) {
		a = policy_account(c->pol, jstr(x, "account_id"));
		put(c->o, BULLET " ");
		put_esc(c->o, a ? a->name : jstr(x, "account_id"), 64);
		put(c->o, " (");
		put_esc(c->o, jstr(x, "account_id"), 12);
		put(c->o, ") ");
		put_esc(c->o, jstr(x, "region"), 32);
		put(c->o, ": %s ", json_is_true(json_object_get(x, "ok")) ?
		    "complete" : "*incomplete*");
		put_when(c->o, x, "finished_at", c->now);
		put(c->o, ", %lld found, %lld resolved", jint(x, "found"),
		    jint(x, "resolved"));
		if (json_is_string(json_object_get(x, "error"))) {
			put(c->o, ": ");
			put_esc(c->o, jstr(x, "error"), FIELD_MAX);
		}
		put(c->o, "\n");
	}
}

static fx_err
cmd_status(struct ctx *c, const char *arg)
{
	struct status_job j = { c->now, NULL, NULL, NULL, NULL, NULL };
	size_t i, n;
	fx_err rc;

	if ((rc = dbw_read(c->w, job_status, &j)) != FX_OK)
		goto out;
	put(c->o, "*fixit status*\n*By state:* ");
	put_counts(c->o, json_object_get(j.counts, "by_state"), 1);
	put(c->o, "\n*By playbook:*\n");
	put_by_playbook(c, json_object_get(j.counts, "by_playbook"),
	    j.paused);
	n = json_array_size(j.due);
	put(c->o, "*Due in the next 24 h (%zu%s):*\n", n,
	    n >= LIST_FETCH ? "+" : "");
	put_list(c->o, j.due, STATUS_ITEMS, due_item, c->now);
	n = json_array_size(j.failed);
	put(c->o, "*Recent failures (%zu%s):*\n", n,
	    n >= LIST_FETCH ? "+" : "");
	put_list(c->o, j.failed, STATUS_ITEMS, failed_item, c->now);
	put(c->o, "*Paused:* ");
	for (i = 0; i < json_array_size(j.paused); i++) {
		put(c->o, "%s`", i ? ", " : "");
		put_esc(c->o, json_string_value(json_array_get(j.paused, i)) ?
		    json_string_value(json_array_get(j.paused, i)) : "?", 63);
		put(c->o, "`");
	}
	if (json_array_size(j.paused) == 0)
		put(c->o, "nothing");
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

static void
exception_item(struct out *o, const json_t *x, int64_t now)
{
	put(o, "#%lld %s *", jint(x, "id"), strcmp(jstr(x, "kind"), "1y") ==
	    0 ? "1 year" : "1 month");
	put_esc(o, jstr(x, "status"), 16);
	put(o, "* for ");
	put_ref(o, json_object_get(x, "finding"));
	put(o, ", by ");
	put_esc(o, jstr(x, "requested_by"), 32);
	put(o, ", until ");
	put_when(o, x, "until", now);
	put(o, ": ");
	put_esc(o, jstr(x, "reason"), FIELD_MAX);
}

static fx_err
cmd_list(struct ctx *c, int what)
{
	struct read_job j = { what, 0, NULL };
	size_t n;
	fx_err rc;

	if ((rc = dbw_read(c->w, job_read, &j)) == FX_OK) {
		n = json_array_size(j.out);
		put(c->o, "*%s (%zu%s):*\n", what == READ_DUE ?
		    "Due, soonest first" : "Exceptions, pending first", n,
		    n >= LIST_FETCH ? "+" : "");
		put_list(c->o, j.out, LIST_ITEMS, what == READ_DUE ? due_item :
		    exception_item, c->now);
	}
	json_decref(j.out);
	return rc;
}

static fx_err
cmd_due(struct ctx *c, const char *arg)
{
	return cmd_list(c, READ_DUE);
}

static fx_err
cmd_exceptions(struct ctx *c, const char *arg)
{
	return cmd_list(c, READ_EXCEPTIONS);
}

/* ---- show ------------------------------------------------------------ */

/* "2026-11-27T10:00:00Z U123 notified -> excepted: reason" */
static void
history_item(struct out *o, const json_t *h)
{
	const char *from = jstr(h, "from"), *to = jstr(h, "to");
	char iso[21];

	put(o, "%s ", jtime(h, "at", iso));
	put_esc(o, json_is_string(json_object_get(h, "actor")) ?
	    jstr(h, "actor") : "fixit", 32);
	if (json_is_string(json_object_get(h, "from")) &&
	    json_is_string(json_object_get(h, "to")) && strcmp(from, to) != 0)
		put(o, " %s -> %s", from, to);
	else
		put(o, " %s", jstr(h, "event"));
	if (json_string_length(json_object_get(h, "reason")) > 0) {
		put(o, ": ");
		put_esc(o, jstr(h, "reason"), FIELD_MAX);
	}
	put(o, "\n");
}

/* "*Label:* value\n" when the finding has the key */
static void
put_field(struct out *o, const char *label, const json_t *f,
    const char *key, size_t max)
{
	if (!json_is_string(json_object_get(f, key)) ||
	    json_string_length(json_object_get(f, key)) == 0)
		return;
	put(o, "*%s:* ", label);
	put_esc(o, jstr(f, key), max);
	put(o, "\n");
}

static void
put_time_field(struct out *o, const char *label, const json_t *f,
    const char *key, int64_t now)
{
	if (!json_is_integer(json_object_get(f, key)))
		return;
	put(o, "*%s:* ", label);
	put_when(o, f, key, now);
	put(o, "\n");
}

static void
show_finding(struct ctx *c, const json_t *f)
{
	const struct account *acc = policy_account(c->pol,
	    jstr(f, "account_id"));
	char *prior = json_dumps(json_object_get(f, "prior_state"),
	    JSON_COMPACT | JSON_ENCODE_ANY);
	char first[21], last[21];

	put(c->o, "*Finding #%lld* \xe2\x80\x94 `", jint(f, "id"));
	put_esc(c->o, jstr(f, "playbook"), 63);
	put(c->o, "` \xe2\x80\x94 *%s*\n", jstr(f, "state"));
	put_field(c->o, "Title", f, "title", 300);
	put_field(c->o, "Resource", f, "resource_id", 200);
	put_field(c->o, "ARN", f, "resource_arn", 300);
	put(c->o, "*Account:* %s (%s, %s) *Region:* ", jstr(f, "account_id"),
	    acc ? acc->name : "not configured",
	    acc ? policy_env_name(acc->env) : "-");
	put_esc(c->o, jstr(f, "region"), 32);
	put(c->o, "\n");
	put_field(c->o, "Owner", f, "owner_slack_id", 32);
	put_field(c->o, "Owner email", f, "owner_email", 100);
	put(c->o, "*First seen:* %s  *Last seen:* %s\n",
	    jtime(f, "first_seen", first), jtime(f, "last_seen", last));
	put_time_field(c->o, "Deadline", f, "deadline", c->now);
	put_time_field(c->o, "Excepted until", f, "excepted_until", c->now);
	if (jint(f, "attempts") > 0)
		put(c->o, "*Attempts:* %lld\n", jint(f, "attempts"));
	put_field(c->o, "Last error", f, "last_error", 300);
	if (prior != NULL && strcmp(prior, "null") != 0) {
		put(c->o, "*Prior state:* ");
		put_esc(c->o, prior, 300);
		put(c->o, "\n");
	}
	free(prior);
}

static fx_err
parse_id(const char *arg, int64_t *id)
{
	if (arg != NULL && *arg == '#')
		arg++;
	return fx_strtoll(arg, 1, INT64_MAX, id);
}

static void
bad_id(struct ctx *c, const char *arg)
{
	put(c->o, "`");
	put_esc(c->o, arg, 40);
	put(c->o, "` is not a finding id.\n\n%s", help_text);
}

static fx_err
cmd_show(struct ctx *c, const char *arg)
{
	struct read_job j = { READ_SHOW, 0, NULL };
	const json_t *hist;
	size_t n, i;
	fx_err rc;

	if (parse_id(arg, &j.id) != FX_OK) {
		bad_id(c, arg);
		return FX_OK;
	}
	rc = dbw_read(c->w, job_read, &j);
	if (rc == FX_ENOTFOUND) {
		put(c->o, "Finding #%lld was not found.", (long long)j.id);
		rc = FX_OK;
	} else if (rc == FX_OK) {
		show_finding(c, j.out);
		put(c->o, "*Exceptions:*\n");
		put_list(c->o, json_object_get(j.out, "exceptions"),
		    STATUS_ITEMS, exception_item, c->now);
		hist = json_object_get(j.out, "history");
		n = json_array_size(hist);
		i = n > HISTORY_ITEMS ? n - HISTORY_ITEMS : 0;
		put(c->o, "*History (%zu):*\n", n);
		if (i > 0)
			put(c->o, ELLIPSIS " %zu earlier entries\n", i);
		for (; i < n; i++)
			history_item(c->o, json_array_get(hist, i));
	}
	json_decref(j.out);
	return rc;
}

/* ---- pause, resume, undo --------------------------------------------- */

static void
unknown_playbook(struct ctx *c, const char *name)
{
	size_t i;

	put(c->o, "Unknown playbook `");
	put_esc(c->o, name, 63);
	put(c->o, "`. Valid names: `all`");
	for (i = 0; i < c->pol->nplaybooks; i++)
		put(c->o, ", `%s`", c->pol->playbooks[i].name);
	put(c->o, ".");
}

static fx_err
pause_resume(struct ctx *c, const char *name, int paused)
{
	struct change_job j;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	j.pol = c->pol;
	j.name = name;
	j.paused = paused;
	j.admin = c->user;
	j.now = c->now;
	if (strcmp(name, "all") != 0 && policy_playbook(c->pol, name) == NULL)
		rc = FX_ENOTFOUND;	/* sm_pause would say the same */
	else
		rc = dbw_call(c->w, job_pause, &j);
	if (rc == FX_ENOTFOUND)
		unknown_playbook(c, name);
	else if (rc == FX_OK && strcmp(name, "all") == 0)
		put(c->o, paused ? "Paused all fixes: nothing is fixed until "
		    "`/fixit resume all`. Owners are still asked." :
		    "Resumed all fixes.");
	else if (rc == FX_OK)
		put(c->o, paused ? "Paused playbook `%s`: none of its fixes "
		    "runs until `/fixit resume %s`." :
		    "Resumed playbook `%s`.", name, name);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

static fx_err
cmd_pause(struct ctx *c, const char *arg)
{
	return pause_resume(c, arg, 1);
}

static fx_err
cmd_resume(struct ctx *c, const char *arg)
{
	return pause_resume(c, arg, 0);
}

static fx_err
cmd_undo(struct ctx *c, const char *arg)
{
	struct change_job j;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	if (parse_id(arg, &j.id) != FX_OK) {
		bad_id(c, arg);
		return FX_OK;
	}
	j.pol = c->pol;
	j.admin = c->user;
	j.now = c->now;
	buf_init(&j.msg, 1024);
	rc = dbw_call(c->w, job_undo, &j);
	if (rc == FX_OK || rc == FX_ECONFLICT || rc == FX_ENOTFOUND) {
		/* refusals are answers too */
		put(c->o, "%s", j.msg.len ? buf_str(&j.msg) : rc == FX_OK ?
		    "Undo queued." : "That finding cannot be undone.");
		rc = FX_OK;
	}
	buf_release(&j.msg);
	return rc;
}

static fx_err
cmd_scan(struct ctx *c, const char *arg)
{
	switch (scan_request(c->scan)) {
	case FX_OK:
		put(c->o, "Scan started; `/fixit status` shows each account "
		    "and region when it is done.");
		break;
	case FX_ECONFLICT:
		put(c->o, "A scan is already running.");
		break;
	default:
		put(c->o, "Scanning is not set up: no playbook uses the aws "
		    "executor.");
		break;
	}
	return FX_OK;
}

static fx_err
cmd_help(struct ctx *c, const char *arg)
{
	put(c->o, "%s", help_text);
	return FX_OK;
}

/* ---- dispatch -------------------------------------------------------- */

static const struct subcmd {
	const char *name;
	int takes_arg;		/* 1: exactly one argument */
	const char *arg_name;
	fx_err (*fn)(struct ctx *c, const char *arg);
} subcmds[] = {
	{ "status", 0, NULL, cmd_status },
	{ "show", 1, "a finding id", cmd_show },
	{ "due", 0, NULL, cmd_due },
	{ "exceptions", 0, NULL, cmd_exceptions },
	{ "pause", 1, "a playbook name or `all`", cmd_pause },
	{ "resume", 1, "a playbook name or `all`", cmd_resume },
	{ "undo", 1, "a finding id", cmd_undo },
	{ "scan", 0, NULL, cmd_scan },
	{ "help", 0, NULL, cmd_help },
};

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* split text into at most MAX_WORDS words (in copy); the count, or -1 */
static int
split_words(const char *text, char *copy, size_t len, char **words)
{
	size_t n = strlen(text);
	int nw = 0;
	char *p;

	if (n >= len)
		return -1;
	memcpy(copy, text, n + 1);
	for (p = copy; *p != '\0';) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (nw == MAX_WORDS)
			return -1;
		words[nw++] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	return nw;
}

static fx_err
dispatch(struct ctx *c, const char *text)
{
	char copy[MAX_TEXT], *words[MAX_WORDS];
	const struct subcmd *sc = NULL;
	size_t i;
	int nw;

	nw = split_words(text ? text : "", copy, sizeof(copy), words);
	for (i = 0; nw > 0 && i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcasecmp(words[0], subcmds[i].name) == 0)
			sc = &subcmds[i];
	if (nw < 0) {
		put(c->o, "That command is too long.\n\n%s", help_text);
	} else if (nw == 0) {
		put(c->o, "%s", help_text);
	} else if (sc == NULL) {
		put(c->o, "Unknown command `");
		put_esc(c->o, words[0], 40);
		put(c->o, "`.\n\n%s", help_text);
	} else if (nw != 1 + sc->takes_arg) {
		put(c->o, "`%s` takes %s.\n\n%s", sc->name, sc->takes_arg ?
		    sc->arg_name : "no argument", help_text);
	} else {
		return sc->fn(c, sc->takes_arg ? words[1] : NULL);
	}
	return FX_OK;
}

/* cut the reply to CMD_MAX_REPLY bytes at a UTF-8 boundary */
static void
clip(struct buf *b)
{
	size_t n = CMD_MAX_REPLY - sizeof(ELLIPSIS);

	if (b->len <= CMD_MAX_REPLY)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	memcpy(b->data + n, ELLIPSIS, sizeof(ELLIPSIS));	/* with NUL */
	b->len = n + sizeof(ELLIPSIS) - 1;
}

fx_err
cmd_run(struct dbw *w, const struct policy *pol, struct scan *scan,
    const char *user_id, const char *text, int64_t now, struct buf *reply)
{
	struct out o = { BUF_INIT, FX_OK };
	struct ctx c = { w, pol, scan, user_id, now, &o };
	fx_err rc;

	buf_reset(reply);
	if (!policy_is_admin(pol, user_id))
		return buf_adds(reply, refusal);
	buf_init(&o.b, WORK_CAP);
	rc = dispatch(&c, text);
	if (rc == FX_OK && o.rc != FX_ETOOBIG)	/* too big: clipped below */
		rc = o.rc;
	if (rc == FX_OK) {
		clip(&o.b);
		rc = buf_add(reply, buf_str(&o.b), o.b.len);
	}
	if (rc != FX_OK)
		buf_reset(reply);
	buf_release(&o.b);
	return rc;
}
