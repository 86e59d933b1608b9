/*
 * slack_say.c - facts into sentences (see slack_say.h).
 *
 * A sentence is a template: literal text, where '*' and '`' are mrkdwn
 * markup (dropped in plain text), and fields {T:key} or {T:key:prefix}
 * (the prefix is written only when the field has a value; without one
 * an absent field writes nothing). T is
 *   u  a user id (mention)      d  a date (epoch seconds)
 *   k  an exception kind        s  free text
 *   i  an integer               w  a duration (seconds)
 *   m  a saving {cents, unknown} (slack_say_saving)
 * and {f} is the finding's name. Templates are trusted text without
 * & < > (so they need no escaping).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fxtime.h"
#include "fxutil.h"
#include "slack_notice.h"
#include "slack_say.h"
#include "banned.h"

#define IAM_USER_ASK                                                           \
	"Long-lived IAM users are discouraged: the fixit admins were told; "   \
	"tell them why it is needed."

struct say_entry {
	const char *code;
	const char *sel; /* the field choosing this variant, or NULL */
	const char *val; /* NULL: sel has no value; "*": any; else equal */
	const char *tmpl;
};

/* the codes whose sentence is slack_notice's (plain text) */
static const struct {
	const char *code;
	enum slack_notice notice;
} notice_codes[] = {
	{ "modal_late", SN_MODAL_LATE },
	{ "unknown_action", SN_UNKNOWN_ACTION },
};

#define NNOTICE (sizeof(notice_codes) / sizeof(notice_codes[0]))

static const struct say_entry table[] = {
	/* decisions */
	{ "fix_now", NULL, NULL, "{u:by} chose *Fix now*" },
	{ "exc_requested", NULL, NULL,
	    "{u:by} asked for a *{k:kind}* exception (awaiting admin "
	    "approval): {s:reason}" },
	{ "exc_taken", NULL, NULL,
	    "{u:by} took an exception for {k:kind} until {d:until}: "
	    "{s:reason}" },
	{ "exc_approved", NULL, NULL,
	    "Exception: {k:kind} approved by {u:by} until {d:until}" },
	{ "exc_denied", NULL, NULL,
	    "Exception: {k:kind} denied by {u:by}{s:reason:: }"
	    "{d:deadline:. fixit fixes it after }." },
	{ "exc_request_approved", NULL, NULL,
	    "Exception #{i:exception_id} ({k:kind}) for {f} approved by "
	    "{u:by} until {d:until}" },
	{ "exc_request_denied", NULL, NULL,
	    "Exception #{i:exception_id} ({k:kind}) for {f} denied by "
	    "{u:by}{s:reason:: }" },
	{ "exc_request_lapsed_admin", NULL, NULL,
	    "Exception #{i:exception_id} ({k:kind}) for {f} lapsed: no "
	    "fixit admin decided it in time." },
	{ "fixed", NULL, NULL,
	    "Fixed by fixit: {s:description}{m:saving:, saving an estimated }" },
	{ "nothing_to_fix", NULL, NULL, "Nothing left to fix: {s:message}" },
	{ "fix_gave_up", NULL, NULL,
	    "fixit could not fix this; fixit admins were alerted." },
	{ "held", NULL, NULL,
	    "Not fixed: a fixit admin undid fixit's fix of this resource; "
	    "it is excepted until {d:until}." },
	{ "resolved", NULL, NULL, "Resolved: no longer seen" },
	{ "deadline_fixing", "dry_run", "*",
	    "Deadline passed: fixit is rehearsing the fix now (dry run: "
	    "nothing will be changed)." },
	{ "deadline_fixing", NULL, NULL,
	    "Deadline passed: fixit is fixing this now." },
	/* to the admins: a request that waits */
	{ "approval_waiting", "escalated", "*",
	    "Exception request #{i:exception_id} ({k:kind}) for {f} has "
	    "waited {w:waited} for a fixit admin: please approve or deny "
	    "it." },
	{ "approval_waiting", NULL, NULL,
	    "Reminder: exception request #{i:exception_id} ({k:kind}) for "
	    "{f} still waits for a fixit admin ({w:waited})." },
	/* to the owner */
	{ "exc_denied_owner", NULL, NULL,
	    "{u:by} denied your {k:kind} exception for {f}{s:reason:: }. "
	    "Its message offers your options again." },
	{ "fixed_owner", "irreversible", "*",
	    "Fixed by fixit: {s:description} on {f}{m:saving:, saving an "
	    "estimated }. It cannot be undone." },
	{ "fixed_owner", NULL, NULL,
	    "Fixed by fixit: {s:description} on {f}{m:saving:, saving an "
	    "estimated }. A fixit admin can undo it." },
	{ "fix_failed_owner", NULL, NULL,
	    "fixit could not fix {f}; fixit admins were alerted." },
	{ "undone_owner", NULL, NULL,
	    "A fixit admin had fixit undo its fix of {f}." },
	{ "exc_lapsed", NULL, NULL,
	    "Your {k:kind} exception for {f} lapsed; you will be asked "
	    "again." },
	{ "exc_request_lapsed", NULL, NULL,
	    "Your exception request was not decided by a fixit admin in "
	    "time, so it has lapsed. fixit will fix this after the deadline "
	    "unless you ask again and an admin approves." },
	/* to the admins, to a person */
	{ "owner_unreachable", NULL, NULL,
	    "fixit could not tell the owner of {f}{s:message:: }. Nothing is "
	    "fixed before they are told: fixit asks "
	    "them again every {w:retry}, and the deadline starts once the "
	    "message is delivered." },
	{ "fix_failed_admin", NULL, NULL,
	    "Fix failed after {i:attempts} attempts: {f}: {s:message}" },
	{ "undo_result", "result", "done",
	    "Undo done: {f} (asked by {u:by}){s:message:: }" },
	{ "undo_result", "result", "rehearsed",
	    "Undo only rehearsed, nothing changed: {f} (asked by {u:by})"
	    "{s:message:: }" },
	{ "undo_result", NULL, NULL,
	    "Undo failed: {f} (asked by {u:by}){s:message:: }" },
	{ "breaker", "breaker", "failures",
	    "Circuit breaker: {i:count} failed fix attempts within "
	    "{w:window} (threshold {i:threshold}): playbook {s:playbook} "
	    "paused; the last: {f}. None of its fixes runs until `/fixit "
	    "resume {s:playbook}`." },
	{ "breaker", NULL, NULL,
	    "Circuit breaker: {i:count} undone fixes within {w:window} "
	    "(threshold {i:threshold}): playbook {s:playbook} paused; the "
	    "last: {f}. None of its fixes runs until `/fixit resume "
	    "{s:playbook}`." },
	{ "iam_user_created", "account_name", "*",
	    "IAM user *{s:iam_user}* was created in {s:account_name} "
	    "({s:account}) by {s:actor}." },
	{ "iam_user_created", NULL, NULL,
	    "IAM user *{s:iam_user}* was created in an unconfigured account "
	    "({s:account}) by {s:actor}." },
	{ "iam_user_created_you", "account_name", "*",
	    "You created IAM user *{s:iam_user}* in {s:account_name} "
	    "({s:account}). " IAM_USER_ASK },
	{ "iam_user_created_you", NULL, NULL,
	    "You created IAM user *{s:iam_user}* in an unconfigured account "
	    "({s:account}). " IAM_USER_ASK },
	{ "cloudshell_secret_read", "account_name", "*",
	    "CloudShell: {s:actor} read the secret value of *{s:secret}* "
	    "({s:event_source} {s:event_name}) in {s:account_name} "
	    "({s:account}, {s:region}) at {s:time}, as {s:principal} from "
	    "{s:source_ip}." },
	{ "cloudshell_secret_read", NULL, NULL,
	    "CloudShell: {s:actor} read the secret value of *{s:secret}* "
	    "({s:event_source} {s:event_name}) in account {s:account} "
	    "({s:region}) at {s:time}, as {s:principal} from {s:source_ip}." },
	{ "honeypot_key_used", "account_name", "*",
	    ":rotating_light: Decoy access key *{s:key}* was used in "
	    "{s:account_name} ({s:account}) at {s:time}: {s:event_source} "
	    "{s:event_name} in {s:region} by {s:principal} from "
	    "{s:source_ip}. fixit denies the caller at once (target: "
	    "{s:target})." },
	{ "honeypot_key_used", NULL, NULL,
	    ":rotating_light: Decoy access key *{s:key}* was used in account "
	    "{s:account} at {s:time}: {s:event_source} {s:event_name} in "
	    "{s:region} by {s:principal} from {s:source_ip} (target: "
	    "{s:target})." },
	/* refusals */
	{ "not_found", NULL, NULL, "Finding #{i:finding_id} was not found." },
	{ "not_configured", NULL, NULL,
	    "Finding #{i:finding_id} belongs to a playbook or account that is "
	    "no longer configured." },
	{ "not_owner", "owner", "*",
	    "Only the owner of this finding ({u:owner}) or a fixit admin can "
	    "do that." },
	{ "not_owner", NULL, NULL,
	    "Only the owner of this finding or a fixit admin can do that." },
	{ "already_handled", NULL, NULL,
	    "This finding was already handled: it is {s:state}." },
	{ "exc_pending", NULL, NULL,
	    "An exception for this finding is already awaiting admin "
	    "approval." },
	{ "fix_now_not_offered", NULL, NULL,
	    "Fix now is not offered for this finding ({s:env} account, "
	    "playbook mode {s:mode})." },
	{ "paused", NULL, NULL,
	    "Fixes of {s:playbook} are paused by a fixit admin; try again "
	    "later." },
	{ "exc_not_offered", NULL, NULL,
	    "A {k:kind} exception is not offered for this finding ({s:env} "
	    "account)." },
	{ "admin_only", NULL, NULL,
	    "Only a fixit admin can approve or deny exceptions." },
	{ "exc_not_found", NULL, NULL,
	    "Exception #{i:exception_id} was not found." },
	{ "exc_already_handled", NULL, NULL,
	    "This exception was already handled: it is {s:status}." },
	{ "self_approval", NULL, NULL,
	    "You asked for this exception: another fixit admin must approve "
	    "it." },
	{ "reason_needed", NULL, NULL,
	    "Please give a reason (at most {i:max} characters)." },
	/* the owner's own steps (remediation/sm_owner.c) */
	{ "reassigned", NULL, NULL,
	    "{u:by} passed this finding to {u:to}{s:note:: }" },
	{ "reassigned_to_you", NULL, NULL,
	    "{u:by} passed {f} to you: you are its owner now{s:note:. Note: }" },
	{ "fp_reported", NULL, NULL,
	    "{u:by} reported this as a *false positive* (awaiting a fixit "
	    "admin): {s:reason}" },
	{ "fp_approved", NULL, NULL,
	    "False positive confirmed by {u:by}: fixit leaves it alone until "
	    "{d:until}" },
	{ "fp_denied", NULL, NULL,
	    "False-positive report denied by {u:by}{s:reason:: }"
	    "{d:deadline:. fixit fixes it after }." },
	{ "fp_request_approved", NULL, NULL,
	    "False-positive report #{i:exception_id} for {f} approved by "
	    "{u:by}; excepted until {d:until}" },
	{ "fp_request_denied", NULL, NULL,
	    "False-positive report #{i:exception_id} for {f} denied by "
	    "{u:by}{s:reason:: }" },
	{ "fp_approved_owner", NULL, NULL,
	    "{u:by} confirmed that {f} is a false positive ({s:reason}): "
	    "fixit leaves it alone until {d:until}." },
	{ "fp_denied_owner", NULL, NULL,
	    "{u:by} did not confirm your false-positive report for {f}"
	    "{s:reason:: }. Its message offers your options again." },
	{ "fp_lapsed", NULL, NULL,
	    "False-positive report not decided by a fixit admin in time"
	    "{d:deadline:; fixit fixes it after }." },
	{ "fp_lapsed_owner", NULL, NULL,
	    "Your false-positive report for {f} was not decided by a fixit "
	    "admin in time, so it has lapsed: the reminder below has the "
	    "buttons again." },
	{ "reassign_bad_user", NULL, NULL,
	    "Pick the person who owns this finding." },
	{ "reassign_same", NULL, NULL,
	    "They already own this finding: pick someone else." },
	{ "reassign_limit", NULL, NULL,
	    "This finding was passed on {i:max} times already: ask a fixit "
	    "admin to settle who owns it." },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

static const char generic[] = "fixit has an update on {f}.";

/* a field has a value: not absent, null, false, 0 or "" */
static int
has_value(const json_t *j)
{
	if (j == NULL || json_is_null(j) || json_is_false(j))
		return 0;
	if (json_is_integer(j))
		return json_integer_value(j) != 0;
	if (json_is_string(j))
		return json_string_length(j) > 0;
	return 1;
}

static const char *
template_of(const json_t *fact)
{
	const char *code = json_string_value(json_object_get(fact, FXSAY_KEY));
	const struct say_entry *e;
	const json_t *s;
	size_t i;

	/* a notice is plain text without braces: a valid template */
	for (i = 0; code != NULL && i < NNOTICE; i++)
		if (strcmp(notice_codes[i].code, code) == 0)
			return slack_notice_text(notice_codes[i].notice);
	for (i = 0; code != NULL && i < NTABLE; i++) {
		e = &table[i];
		if (strcmp(e->code, code) != 0)
			continue;
		if (e->sel == NULL)
			return e->tmpl;
		s = json_object_get(fact, e->sel);
		if (e->val == NULL ? !has_value(s)
		    : strcmp(e->val, "*") == 0
			? has_value(s)
			: json_is_string(s) &&
			      strcmp(json_string_value(s), e->val) == 0)
			return e->tmpl;
	}
	return generic;
}

fx_err
slack_say_user(const char *id, struct buf *out)
{
	if (fx_slack_user_id_ok(id))
		return buf_addf(out, "<@%s>", id);
	return slack_blocks_escape(id != NULL && *id ? id : "someone", out);
}

fx_err
slack_say_date(int64_t t, struct buf *out)
{
	char iso[21];

	fx_iso8601_format(t, iso);
	return buf_addf(out,
	    "<!date^%" PRId64 "^{date_short_pretty} at {time}|%s>", t, iso);
}

static fx_err
put_text(const char *s, int plain, struct buf *out)
{
	return plain ? buf_adds(out, s) : slack_blocks_escape(s, out);
}

static fx_err
put_finding(const json_t *fact, const struct slack_finding_view *v, int plain,
    struct buf *out)
{
	const json_t *id = json_object_get(fact, "finding_id");
	const char *name;
	fx_err rc;

	if (v == NULL)
		return json_is_integer(id)
			   ? buf_addf(out, "finding #%" JSON_INTEGER_FORMAT,
				 json_integer_value(id))
			   : buf_adds(out, "this finding");
	name = v->title != NULL && *v->title ? v->title : v->resource_id;
	rc = put_text(name != NULL ? name : "", plain, out);
	if (rc == FX_OK)
		rc = buf_addf(out, " (#%" PRId64 ")", v->id);
	return rc;
}

fx_err
slack_say_money(int64_t cents, struct buf *out)
{
	uint64_t c = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
	uint64_t usd = c / 100, div = 1;
	fx_err rc;

	rc = buf_adds(out, cents < 0 ? "-$" : "$");
	while (rc == FX_OK && usd / div >= 1000)
		div *= 1000;
	/* the thousands, "1,234,567" */
	if (rc == FX_OK)
		rc = buf_addf(out, "%" PRIu64, usd / div);
	for (div /= 1000; rc == FX_OK && div > 0; div /= 1000)
		rc = buf_addf(out, ",%03" PRIu64, usd / div % 1000);
	if (rc == FX_OK)
		rc = buf_addf(out, ".%02" PRIu64, c % 100);
	return rc;
}

fx_err
slack_say_saving(const json_t *saving, struct buf *out)
{
	json_int_t cents = json_integer_value(json_object_get(saving, "cents"));
	json_int_t unk = json_integer_value(json_object_get(saving, "unknown"));
	fx_err rc = FX_OK;

	if (cents != 0 || unk == 0) {
		rc = slack_say_money(cents, out);
		if (rc == FX_OK)
			rc = buf_adds(out, " a month");
	} else
		rc = buf_adds(out, "amount fixit cannot tell");
	if (rc == FX_OK && unk > 0)
		rc = buf_addf(out,
		    " (%s%" JSON_INTEGER_FORMAT " item%s not in its price "
		    "table)",
		    cents != 0 ? "without " : "", unk, unk == 1 ? "" : "s");
	return rc;
}

/* a wait in words: "2 days 3 hours", "1 hour", "25 minutes" */
static fx_err
put_waited(int64_t secs, struct buf *out)
{
	static const struct {
		int64_t secs;
		const char *one, *many;
	} unit[] = { { 86400, "day", "days" }, { 3600, "hour", "hours" },
		{ 60, "minute", "minutes" } };
	size_t i, last = sizeof(unit) / sizeof(unit[0]) - 1;
	int64_t n, m = 0;

	if (secs < 60)
		return buf_adds(out, "less than a minute");
	for (i = 0; i < last && secs < unit[i].secs; i++)
		;
	n = secs / unit[i].secs;
	if (i < last)
		m = secs % unit[i].secs / unit[i + 1].secs;
	if (m == 0)
		return buf_addf(out, "%lld %s", (long long)n,
		    n == 1 ? unit[i].one : unit[i].many);
	return buf_addf(out, "%lld %s %lld %s", (long long)n,
	    n == 1 ? unit[i].one : unit[i].many, (long long)m,
	    m == 1 ? unit[i + 1].one : unit[i + 1].many);
}

/* the value of field j, by type t */
static fx_err
put_field(char t, const json_t *j, int plain, struct buf *out)
{
	const char *s = json_string_value(j);
	char tmp[32];

	switch (t) {
	case 'u':
		return plain ? buf_adds(out, s ? s : "someone")
			     : slack_say_user(s, out);
	case 'd':
		if (plain) {
			fx_iso8601_format(json_integer_value(j), tmp);
			return buf_adds(out, tmp);
		}
		return slack_say_date(json_integer_value(j), out);
	case 'k':
		if (s != NULL && strcmp(s, "1y") == 0)
			return buf_adds(out, "1 year");
		if (s == NULL || strcmp(s, "1m") == 0)
			return buf_adds(out, "1 month");
		return put_text(s, plain, out);
	case 'i':
		return buf_addf(out, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
	case 'w':
		return put_waited(json_integer_value(j), out);
	case 'm':
		return slack_say_saving(j, out);
	default:
		return put_text(s ? s : "", plain, out);
	}
}

/* "{T:key}" or "{T:key:prefix}" at p (after the '{'); *end past '}' */
static fx_err
put_placeholder(const char *p, const char **end, const json_t *fact,
    const struct slack_finding_view *v, int plain, struct buf *out)
{
	const char *close = strchr(p, '}'), *key, *pre = NULL;
	char name[32];
	const json_t *j;
	size_t n;
	fx_err rc = FX_OK;

	*end = p;
	if (close == NULL)
		return FX_EINVAL; /* a template error */
	*end = close + 1;
	if (p[0] == 'f' && p + 1 == close)
		return put_finding(fact, v, plain, out);
	if (p[1] != ':')
		return FX_EINVAL;
	key = p + 2;
	n = (size_t)(close - key);
	pre = memchr(key, ':', n);
	if (pre != NULL)
		n = (size_t)(pre++ - key);
	if (n >= sizeof(name))
		return FX_EINVAL;
	memcpy(name, key, n);
	name[n] = '\0';
	j = json_object_get(fact, name);
	if (pre != NULL || p[0] == 'd') {
		if (!has_value(j))
			return FX_OK;
		if (pre != NULL)
			rc = buf_add(out, pre, (size_t)(close - pre));
	}
	return rc == FX_OK ? put_field(p[0], j, plain, out) : rc;
}

static fx_err
render(const json_t *fact, const struct slack_finding_view *v, int plain,
    struct buf *out)
{
	const char *p = template_of(fact), *end;
	size_t len0 = out->len;
	fx_err rc = FX_OK;

	for (; *p != '\0' && rc == FX_OK; p++) {
		if (*p == '{') {
			rc = put_placeholder(p + 1, &end, fact, v, plain, out);
			p = end - 1;
		} else if (!(plain && (*p == '*' || *p == '`'))) {
			rc = buf_addc(out, *p);
		}
	}
	if (rc != FX_OK)
		buf_truncate(out, len0);
	return rc;
}

fx_err
slack_say(const json_t *fact, const struct slack_finding_view *v,
    struct buf *out)
{
	return render(fact, v, 0, out);
}

fx_err
slack_say_plain(const json_t *fact, const struct slack_finding_view *v,
    struct buf *out)
{
	return render(fact, v, 1, out);
}

const char *
slack_say_code(size_t i)
{
	if (i < NTABLE)
		return table[i].code;
	return i - NTABLE < NNOTICE ? notice_codes[i - NTABLE].code : NULL;
}
