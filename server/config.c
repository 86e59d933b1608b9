/*
 * config.c - fixitd's YAML configuration: the tables of keys, the checks
 * that span keys (post functions), the secrets, config_load.
 *
 * Table-driven, after Redis config.c: each section is a table of keys
 * (name, type, where the value goes, required, default, range), walked by
 * config_walk.c (types in config_int.h). Every mapping first gets its
 * table's defaults, then its keys; a section's post function does the
 * checks that span keys; secrets come last, from a *_file key, a systemd
 * credential or the environment. The first error stops the load:
 * "FILE:LINE: KEY: message", KEY a path like playbooks[2].grace (0-based).
 * No message contains a secret.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config_int.h"
#include "executor.h"
#include "fxlimits.h"
#include "playbook.h"
#include "price.h"
#include "fxlog.h"
#include "fxutil.h"
#include "banned.h"

#define MAX_ACCOUNTS  10000
#define MAX_PLAYBOOKS 1000
#define MAX_ADMINS    1000
#define MAX_ARGV      64
#define MAX_SLACK_ID  64
#define MAX_NAME      64

/* ---- value checks: NULL when fine, else what is wrong --------------- */

#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

/* 1 when s is lo..hi characters, all from set */
static int
made_of(const char *s, const char *set, size_t lo, size_t hi)
{
	size_t n = strlen(s);

	return n >= lo && n <= hi && strspn(s, set) == n;
}

static const char *
check_text(const char *s)
{
	if (strlen(s) > FX_MAX_TITLE)
		return "too long (at most 300 characters)";
	return cfg_has_ctl(s) ? "must not contain control characters" : NULL;
}

static const char *
check_name(const char *s)
{
	return strlen(s) > MAX_NAME ? "too long (at most 64 characters)"
				    : cfg_check_nonempty(s);
}

static const char *
check_account_id(const char *s)
{
	return made_of(s, DIGITS, 12, 12)
		   ? NULL
		   : "must be a 12-digit AWS "
		     "account id, quoted (\"111122223333\")";
}

static const char *
check_slack_id(const char *s)
{
	return made_of(s, UPPER DIGITS, 1, MAX_SLACK_ID)
		   ? NULL
		   : "must be a "
		     "Slack id: capital letters and digits (C0123ABCD, U0123ABCD)";
}

/* Slack's own rule for a command name, so a typo fails at startup */
static const char *
check_command(const char *s)
{
	return s[0] == '/' && made_of(s + 1, LOWER DIGITS "-_", 1, 31)
		   ? NULL
		   : "must be '/' and 1 to 31 characters of a-z, 0-9, '-' "
		     "and '_' (/fixit)";
}

static const char *
check_pb_name(const char *s)
{
	return made_of(s, LOWER DIGITS "-", 1, 63)
		   ? NULL
		   : "must be 1 to 63 "
		     "characters of a-z, 0-9 and '-'";
}

static const char *
check_region(const char *s)
{
	return made_of(s, LOWER DIGITS "-", 6, 31) && strchr(s, '-')
		   ? NULL
		   : "must be an AWS region name (eu-west-1)";
}

static const char *
check_role_name(const char *s)
{
	return made_of(s, UPPER LOWER DIGITS "+=,.@_-/", 1, 64)
		   ? NULL
		   : "must be an IAM role name (1 to 64 of A-Z a-z 0-9 +=,.@_-)";
}

static const char *
check_builtin(const char *s)
{
	return pb_find(s) != NULL ? NULL : "is not a built-in playbook";
}

static const char *
check_header(const char *s)
{
	return made_of(s, UPPER LOWER DIGITS "-_", 1, 64)
		   ? NULL
		   : "must be "
		     "an HTTP header name (letters, digits, '-')";
}

static const char *
check_glob(const char *s)
{
	return strlen(s) > 256	? "too long (at most 256 characters)"
	       : cfg_has_ctl(s) ? "must not contain control characters"
				: cfg_check_nonempty(s);
}

/* an access key id: AKIA/ASIA, then upper-case letters and digits, 16..128
 * characters in all (IAM's AccessKeyId) */
static const char *
check_key_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 16 || n > 128 ||
	    (strncmp(s, "AKIA", 4) != 0 && strncmp(s, "ASIA", 4) != 0))
		return "must be an access key id (AKIA... or ASIA..., 16..128 "
		       "characters)";
	for (i = 4; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9')))
			return "must be an access key id (upper-case letters "
			       "and digits)";
	return NULL;
}

static const char *
check_tag_key(const char *s)
{
	return strlen(s) > 128	? "too long (at most 128 characters)"
	       : cfg_has_ctl(s) ? "must not contain control characters"
				: cfg_check_nonempty(s);
}

/* for the walker's "unknown key" error: where a secret goes instead */
const char *
cfg_secret_hint(const char *key)
{
	return strcmp(key, "signing_secret") == 0
		   ? "slack.signing_secret_file or " ENV_SIGNING_SECRET
	       : strcmp(key, "bot_token") == 0
		   ? "slack.bot_token_file or " ENV_BOT_TOKEN
	       : strcmp(key, "token") == 0 || strcmp(key, "tokens") == 0
		   ? "ingest.tokens_file or " ENV_INGEST_TOKENS
	       : strcmp(key, "external_id") == 0
		   ? "aws.external_id_file or " ENV_EXTERNAL_ID
	       : strcmp(key, "api_key") == 0
		   ? "events.api_key_file or " ENV_EVENTS_API_KEY
	       : strcmp(key, "aws_access_key_id") == 0 ||
		       strcmp(key, "aws_secret_access_key") == 0 ||
		       strcmp(key, "secret_access_key") == 0 ||
		       strcmp(key, "access_key_id") == 0
		   ? "the AWS credential chain (environment, profile, web identity, "
		     "container or instance role)"
		   : NULL;
}

/* ---- per-section checks ------------------------------------------- */

static fx_err
slack_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	ld->mode_line = cfg_seen_line(s, "mode");
	return FX_OK;
}

static fx_err
account_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	return cfg_check_unique(ld, s, path, ld->pol->accounts, elem, "id",
	    "account id");
}

/*
 * The playbook's executor checks its keys and builds its state, once the
 * whole playbook is read (an aws executor may be named after it). Its
 * complaint names a key of the executor section, at the line of
 * executor.type.
 */
static fx_err
prepare_executor(struct loader *ld, struct playbook *pb, const char *path)
{
	char sp[MAX_KEY_PATH], kp[MAX_KEY_PATH];
	struct buf why = BUF_INIT;
	const char *key = NULL;
	fx_err rc;

	buf_init(&why, 1024);
	rc = executor_prepare(&pb->exec, pb->name, &key, &why);
	if (rc == FX_ECONFIG) {
		cfg_sub_path(sp, path, "executor", 0);
		cfg_sub_path(kp, sp, key != NULL ? key : "type", 0);
		rc = cfg_err(ld, ld->exec_line, kp, "%s", buf_str(&why));
	}
	buf_release(&why);
	return rc;
}

/*
 * Irreversible is a property of what the playbook runs (DESIGN.md "Safety
 * rails"): the executor's own mark, to which the config can only add. A
 * config that says false of an irreversible built-in is refused, not
 * ignored: whoever wrote it believes the fix can be undone. An
 * irreversible fix is never run unasked: approval none is refused, so
 * the owner is always told first that it cannot be undone.
 */
static fx_err
check_irreversible(struct loader *ld, struct playbook *pb, const struct seen *s,
    const char *path)
{
	char kp[MAX_KEY_PATH];

	if (executor_irreversible(&pb->exec)) {
		if (cfg_seen(s, "irreversible") && !pb->irreversible) {
			cfg_sub_path(kp, path, "irreversible", 0);
			return cfg_err(ld, cfg_seen_line(s, "irreversible"), kp,
			    "playbook %s runs a fix that cannot be undone; "
			    "the config can only add irreversible, never "
			    "remove it (drop the key or set it true)",
			    pb->name);
		}
		pb->irreversible = 1;
	}
	if (pb->irreversible && pb->approval == APPROVAL_NONE) {
		cfg_sub_path(kp, path, "approval", 0);
		return cfg_err(ld, cfg_seen_line(s, "approval"), kp,
		    "playbook %s is irreversible: its fix cannot be undone, "
		    "so it needs the owner's approval (approval: owner)",
		    pb->name);
	}
	return FX_OK;
}

static fx_err
playbook_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	struct playbook *pb = (struct playbook *)elem;
	char kp[MAX_KEY_PATH], g[32];
	fx_err rc;

	rc = prepare_executor(ld, pb, path);
	if (rc != FX_OK)
		return rc;
	rc = check_irreversible(ld, pb, s, path);
	if (rc != FX_OK)
		return rc;
	rc = cfg_check_unique(ld, s, path, ld->pol->playbooks, elem, "name",
	    "playbook name");
	if (rc != FX_OK)
		return rc;
	if (pb->reminder_before != 0 && pb->reminder_before >= pb->grace) {
		cfg_fmt_dur(pb->grace, g, sizeof(g));
		cfg_sub_path(kp, path, "reminder_before", 0);
		return cfg_err(ld, cfg_seen_line(s, "reminder_before"), kp,
		    "must be less than grace (%s); the default is 24h, "
		    "0 sends no reminder",
		    g);
	}
	/* approval can only be needed for what is offered */
	pb->exc_need_approval &= pb->exc_offered;
	return FX_OK;
}

/* where the executor's complaints point (prepare_executor) */
static fx_err
executor_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	ld->exec_line = cfg_seen_line(s, "type");
	return FX_OK;
}

/* every mapping names a configured playbook */
static fx_err
events_map_check(struct loader *ld, const json_t *map, int line,
    const char *key)
{
	const char *rule;
	json_t *v;

	json_object_foreach((json_t *)map, rule, v) {
		if (json_is_string(v) &&
		    policy_playbook(ld->pol, json_string_value(v)) != NULL)
			continue;
		return cfg_err(ld, line, key,
		    "%s maps to %s, which is not a "
		    "configured playbook",
		    rule,
		    json_is_string(v) ? json_string_value(v) : "a non-name");
	}
	return FX_OK;
}

/* checks that need the whole file (the playbooks may come last) */
/*
 * approval_remind < approval_escalate < approval_timeout. A key the file
 * gave that breaks the order is an error naming it; a default that does
 * (a short approval_timeout) is turned off instead: that nudge is never
 * sent.
 */
static fx_err
approval_nudges_check(struct loader *ld, const struct seen *s)
{
	struct policy *p = ld->pol;

	if (p->approval_escalate >= p->approval_timeout) {
		if (cfg_seen(s, "approval_escalate"))
			return cfg_err(ld,
			    cfg_seen_line(s, "approval_escalate"),
			    "approval_escalate",
			    "must be shorter than approval_timeout");
		p->approval_escalate = 0;
	}
	if (p->approval_remind >= p->approval_timeout ||
	    (p->approval_escalate > 0 &&
		p->approval_remind >= p->approval_escalate)) {
		if (cfg_seen(s, "approval_remind"))
			return cfg_err(ld, cfg_seen_line(s, "approval_remind"),
			    "approval_remind",
			    "must be shorter than approval_escalate and "
			    "approval_timeout");
		p->approval_remind = 0;
	}
	return FX_OK;
}

static fx_err
top_post(struct loader *ld, char *elem, const struct seen *s, const char *path)
{
	int line = cfg_seen_line(s, "events");
	fx_err rc;

	if ((rc = approval_nudges_check(ld, s)) != FX_OK)
		return rc;
	if ((rc = events_map_check(ld, ld->pol->events.securityhub, line,
		 "events.securityhub")) != FX_OK)
		return rc;
	return events_map_check(ld, ld->pol->events.custodian, line,
	    "events.custodian");
}

/* aws.regions defaults to us-east-1 */
static fx_err
aws_post(struct loader *ld, char *elem, const struct seen *s, const char *path)
{
	struct aws_settings *a = &ld->pol->aws;

	if (a->regions != NULL)
		return FX_OK;
	a->regions = calloc(2, sizeof(char *));
	if (a->regions == NULL)
		return FX_ENOMEM;
	a->regions[0] = strdup("us-east-1");
	if (a->regions[0] == NULL)
		return FX_ENOMEM;
	a->nregions = 1;
	return FX_OK;
}

/* ---- the tables ------------------------------------------------------ */

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))
/* where a field lives: W(field) -> .base, .off */
#define E(f)	 .base = B_ELEM, .off = offsetof(struct playbook, f)
#define A(f)	 .base = B_ELEM, .off = offsetof(struct account, f)
#define C(f)	 .base = B_CFG, .off = offsetof(struct config, f)
#define P(f)	 .base = B_POL, .off = offsetof(struct policy, f)
#define L(f)	 .base = B_LD, .off = offsetof(struct loader, f)
#define STR(W, f, n, d, req, chk)                                              \
	{                                                                      \
		.name = n, .type = K_STR, W(f), .def = d, .required = req,     \
		.check = chk                                                   \
	}
#define INT(W, f, n, d, lo, hi)                                                \
	{                                                                      \
		.name = n, .type = K_INT, W(f), .def = d, .min = lo, .max = hi \
	}
#define DUR(W, f, n, d, lo, hi)                                                \
	{                                                                      \
		.name = n, .type = K_DUR, W(f), .def = d, .min = lo, .max = hi \
	}
#define ENUM(W, f, n, d, req, nm)                                              \
	{                                                                      \
		.name = n, .type = K_ENUM, W(f), .def = d, .required = req,    \
		.names = nm                                                    \
	}
#define OF(t, n, W, f, d)                                                      \
	{                                                                      \
		.name = n, .type = t, W(f), .def = d                           \
	}
#define MAP(n, s)                                                              \
	{                                                                      \
		.name = n, .type = K_MAP, .sec = s                             \
	}
#define SEQ(n, f, cnt, s)                                                      \
	{                                                                      \
		.name = n, .type = K_SEQ, P(f),                                \
		.off2 = offsetof(struct policy, cnt), .sec = s                 \
	}
#define SECTION(keys, elem, max, post)                                         \
	{                                                                      \
		keys, NKEYS(keys), elem, max, post                             \
	}

static const char *const log_names[] = { "error", "warn", "info", "debug",
	NULL };
static const char *const slack_mode_names[] = { "live", "console", NULL };
static const char *const env_names[] = { "non-production", "production", NULL };
static const char *const mode_names[] = { "off", "shadow", "notify", "enforce",
	NULL };
static const char *const approval_names[] = { "owner", "none", NULL };
/* enum aws_s3_style order */
static const char *const s3_style_names[] = { "auto", "path", "virtual", NULL };
static const char *const region_list[] = { "[eu-west-1, us-east-1]", "region",
	NULL };

static const struct ckey exec_keys[] = {
	{ .name = "type", .type = K_EXECUTOR, E(exec.ops), .def = "dry-run" },
	{ .name = "command", .type = K_ARGV, E(exec.argv), .max = MAX_ARGV },
	DUR(E, exec.timeout, "timeout", "5m", 1, DAY),
	{ .name = "playbook",
	    .type = K_STR,
	    E(exec.builtin),
	    .check = check_builtin,
	    .choices = pb_names },
	OF(K_BOOL, "dry_run", E, exec.dry_run, "true"),
	{ .name = "params", .type = K_PARAMS, E(exec.params) },
};
static const struct section exec_sec = SECTION(exec_keys, 0, 0, executor_post);

static const struct ckey excdur_keys[] = {
	DUR(E, exc_duration[EXC_1M], "1m", "30d", 1, 3650 * DAY),
	DUR(E, exc_duration[EXC_1Y], "1y", "365d", 1, 3650 * DAY),
};
static const struct section excdur_sec = SECTION(excdur_keys, 0, 0, NULL);

static const struct ckey breaker_keys[] = {
	INT(E, breaker_failures, "failures", "3", 0, 1000),
	INT(E, breaker_undos, "undos", "2", 0, 1000),
	DUR(E, breaker_window, "window", "1h", 1, DAY),
};
static const struct section breaker_sec = SECTION(breaker_keys, 0, 0, NULL);

static const struct ckey playbook_keys[] = {
	STR(E, name, "name", NULL, 1, check_pb_name),
	STR(E, description, "description", "", 0, check_text),
	ENUM(E, mode, "mode", "shadow", 0, mode_names),
	ENUM(E, approval, "approval", "owner", 0, approval_names),
	DUR(E, grace, "grace", "48h", 1, 365 * DAY),
	DUR(E, reminder_before, "reminder_before", "24h", 0, 365 * DAY),
	OF(K_EXCSET, "exceptions", E, exc_offered, "1m,1y"),
	OF(K_EXCSET, "exceptions_need_approval", E, exc_need_approval, "1y"),
	INT(E, max_fixes_per_hour, "max_fixes_per_hour", "10", 0, 1000000),
	INT(E, max_attempts, "max_attempts", "3", 1, 100),
	DUR(E, retry_backoff, "retry_backoff", "1m", 0, 7 * DAY),
	OF(K_BOOL, "irreversible", E, irreversible, "false"),
	MAP("exception_durations", &excdur_sec),
	MAP("executor", &exec_sec),
	OF(K_BOOL, "destructive", E, destructive, "true"),
	DUR(E, undo_hold, "undo_hold", "0", 0, 3650 * DAY),
	MAP("breaker", &breaker_sec),
};
static const struct section playbook_sec = SECTION(playbook_keys,
    sizeof(struct playbook), MAX_PLAYBOOKS, playbook_post);

static const struct ckey account_keys[] = {
	STR(A, id, "id", NULL, 1, check_account_id),
	STR(A, name, "name", NULL, 1, check_name),
	ENUM(A, env, "environment", NULL, 1, env_names),
	STR(A, channel, "channel", NULL, 1, check_slack_id),
	{ .name = "regions",
	    .type = K_IDLIST,
	    A(regions),
	    .max = 64,
	    .off2 = offsetof(struct account, nregions),
	    .names = region_list,
	    .check = check_region },
	INT(A, max_destructive_per_hour, "max_destructive_per_hour", "-1", -1,
	    1000000),
};
static const struct section account_sec =
    SECTION(account_keys, sizeof(struct account), MAX_ACCOUNTS, account_post);

static const struct ckey slack_keys[] = {
	ENUM(C, slack_mode, "mode", "console", 0, slack_mode_names),
	OF(K_URL, "api_base", C, slack_api_base, "https://slack.com/api/"),
	OF(K_PATH, "signing_secret_file", L, sig_file, NULL),
	OF(K_PATH, "bot_token_file", L, bot_file, NULL),
	STR(C, slack_command, "command", "/fixit", 0, check_command),
	OF(K_BOOL, "pace", C, slack_pace, "true"),
	DUR(C, owner_cache_ttl, "owner_cache_ttl", "7d", 0, 365 * DAY),
	INT(C, outbox_max_attempts, "outbox_max_attempts", "50", 1, 1000),
	DUR(C, outbox_max_backoff, "outbox_max_backoff", "5m", 1, DAY),
	/* under Slack's 3 s, with a second for the network */
	DUR(C, slack_command_deadline, "command_deadline", "2s", 0, 2),
	OF(K_URL, "hooks_base", C, slack_hooks_base,
	    "https://hooks.slack.com/"),
};
static const struct section slack_sec = SECTION(slack_keys, 0, 0, slack_post);

static const struct ckey aws_role_keys[] = {
	STR(P, aws.role_name[ROLE_AUDITOR], "auditor", "fixit-auditor", 0,
	    check_role_name),
	STR(P, aws.role_name[ROLE_TAGGER], "tagger", "fixit-tagger", 0,
	    check_role_name),
	STR(P, aws.role_name[ROLE_REMEDIATOR], "remediator", "fixit-remediator",
	    0, check_role_name),
};
static const struct section aws_role_sec = SECTION(aws_role_keys, 0, 0, NULL);

#define EP(svc, n) OF(K_URL, n, C, aws_client.endpoint[svc], NULL)
static const struct ckey aws_ep_keys[] = {
	OF(K_URL, "default", C, aws_client.endpoint_default, NULL),
	EP(AWS_EC2, "ec2"),
	EP(AWS_IAM, "iam"),
	EP(AWS_STS, "sts"),
	EP(AWS_RDS, "rds"),
	EP(AWS_CLOUDWATCH, "cloudwatch"),
	EP(AWS_ROUTE53, "route53"),
	EP(AWS_CLOUDFRONT, "cloudfront"),
	EP(AWS_CLOUDTRAIL, "cloudtrail"),
	EP(AWS_S3, "s3"),
	EP(AWS_ELB, "elb"),
	EP(AWS_ELBV2, "elbv2"),
	EP(AWS_COMPUTE_OPTIMIZER, "compute-optimizer"),
	EP(AWS_AUTOSCALING, "autoscaling"),
	EP(AWS_EKS, "eks"),
	EP(AWS_REDSHIFT, "redshift"),
	EP(AWS_APIGATEWAY, "apigateway"),
	EP(AWS_APIGATEWAYV2, "apigatewayv2"),
	EP(AWS_ELASTICBEANSTALK, "elasticbeanstalk"),
	EP(AWS_LAMBDA, "lambda"),
};
#undef EP
static const struct section aws_ep_sec = SECTION(aws_ep_keys, 0, 0, NULL);

static const struct ckey aws_scan_keys[] = {
	INT(P, aws.scan_hour, "hour", "-1", -1, 23),
	INT(P, aws.scan_concurrency, "concurrency", "4", 1, 64),
	OF(K_BOOL, "at_start", P, aws.scan_at_start, "false"),
};
static const struct section aws_scan_sec = SECTION(aws_scan_keys, 0, 0, NULL);

static const struct ckey aws_keys[] = {
	STR(P, aws.profile, "profile", NULL, 0, check_name),
	STR(P, aws.sts_region, "sts_region", "us-east-1", 0, check_region),
	STR(P, aws.partition, "partition", "aws", 0, check_name),
	{ .name = "regions",
	    .type = K_IDLIST,
	    P(aws.regions),
	    .max = 64,
	    .off2 = offsetof(struct policy, aws.nregions),
	    .names = region_list,
	    .check = check_region },
	OF(K_PATH, "external_id_file", L, ext_file, NULL),
	STR(P, aws.owner_tag, "owner_tag", "owner", 0, check_tag_key),
	INT(C, aws_client.max_attempts, "max_attempts", "5", 1, 20),
	INT(C, aws_client.backoff_base_ms, "backoff_base_ms", "200", 0, 60000),
	INT(C, aws_client.backoff_max_ms, "backoff_max_ms", "20000", 0, 600000),
	DUR(C, aws_client.timeout_s, "timeout", "30s", 1, 600),
	ENUM(C, aws_client.s3_addressing, "s3_addressing", "auto", 0,
	    s3_style_names),
	DUR(P, aws.creds_refresh, "credentials_refresh", "5m", 1, 43200),
	MAP("roles", &aws_role_sec),
	MAP("endpoints", &aws_ep_sec),
	MAP("scan", &aws_scan_sec),
};
static const struct section aws_sec = SECTION(aws_keys, 0, 0, aws_post);

static const char *const glob_list[] = { "[deploy-*, arn:aws:iam::*:role/ci/*]",
	"name or glob", NULL };
static const char *const tag_list[] = { "[terraform:stack]", "tag key", NULL };
static const char *const key_list[] = { "[AKIAIOSFODNN7EXAMPLE]",
	"access key id", NULL };

static const struct ckey events_keys[] = {
	STR(C, events_header, "api_key_header", "X-Fixit-Api-Key", 0,
	    check_header),
	OF(K_PATH, "api_key_file", L, evkey_file, NULL),
	STR(P, events.employee_pattern, "employee_pattern", NULL, 0,
	    check_glob),
	{ .name = "automation",
	    .type = K_IDLIST,
	    P(events.automation),
	    .off2 = offsetof(struct policy, events.nautomation),
	    .max = 256,
	    .names = glob_list,
	    .check = check_glob },
	{ .name = "iac_tags",
	    .type = K_IDLIST,
	    P(events.iac_tags),
	    .off2 = offsetof(struct policy, events.niac_tags),
	    .max = 64,
	    .names = tag_list,
	    .check = check_tag_key },
	INT(P, events.launch_batch, "launch_batch", "5", 1, 100000),
	DUR(P, events.launch_window, "launch_window", "15m", 1, DAY),
	STR(P, events.quarantine_playbook, "quarantine_playbook",
	    "ec2-quarantine", 0, check_pb_name),
	STR(P, events.dangling_playbook, "dangling_playbook", "dangling-dns", 0,
	    check_pb_name),
	OF(K_BOOL, "tag_creator", P, events.tag_creator, "true"),
	{ .name = "honeypot_keys",
	    .type = K_IDLIST,
	    P(events.honeypot_keys),
	    .off2 = offsetof(struct policy, events.nhoneypot_keys),
	    .max = 256,
	    .names = key_list,
	    .check = check_key_id },
	STR(P, events.honeypot_playbook, "honeypot_playbook", "honeypot-key", 0,
	    check_pb_name),
	STR(P, events.cloudshell_playbook, "cloudshell_playbook",
	    "cloudshell-secrets", 0, check_pb_name),
	{ .name = "securityhub", .type = K_PARAMS, P(events.securityhub) },
	{ .name = "custodian", .type = K_PARAMS, P(events.custodian) },
};
static const struct section events_sec = SECTION(events_keys, 0, 0, NULL);

static const struct ckey ingest_keys[] = {
	OF(K_PATH, "tokens_file", L, tok_file, NULL),
};
static const struct section ingest_sec = SECTION(ingest_keys, 0, 0, NULL);

static const struct ckey top_keys[] = {
	OF(K_LISTEN, "listen", C, listen_host, "127.0.0.1:8080"),
	STR(C, database, "database", "fixit.db", 0, cfg_check_nonempty),
	DUR(C, tick, "tick", "1s", 1, 3600),
	DUR(P, lease, "lease", "5m", 1, DAY),
	INT(P, max_destructive_per_hour, "max_destructive_per_hour", "50", 0,
	    1000000),
	INT(P, max_destructive_per_account_hour,
	    "max_destructive_per_account_hour", "20", 0, 1000000),
	ENUM(C, log_level, "log_level", "info", 0, log_names),
	OF(K_PATH, "prices_file", L, prices_file, NULL),
	INT(C, http_threads, "http_threads", "0", 0, 64),
	DUR(C, retention, "retention", "30d", DAY, 3650 * DAY),
	{ .name = "admins",
	    .type = K_IDLIST,
	    P(admins),
	    .required = 1,
	    .off2 = offsetof(struct policy, nadmins),
	    .max = MAX_ADMINS,
	    .check = check_slack_id },
	STR(P, admin_channel, "admin_channel", NULL, 1, check_slack_id),
	OF(K_BOOL, "self_approval", P, self_approval, "false"),
	DUR(P, approval_timeout, "approval_timeout", "3d", 1, 30 * DAY),
	DUR(P, approval_grace, "approval_grace", "1d", 1, 7 * DAY),
	DUR(P, approval_remind, "approval_remind", "4h", 1, 30 * DAY),
	DUR(P, approval_escalate, "approval_escalate", "1d", 1, 30 * DAY),
	MAP("slack", &slack_sec),
	MAP("http", &config_http_sec),
	MAP("ingest", &ingest_sec),
	MAP("aws", &aws_sec),
	MAP("events", &events_sec),
	SEQ("accounts", accounts, naccounts, &account_sec),
	SEQ("playbooks", playbooks, nplaybooks, &playbook_sec),
};
static const struct section top_sec = SECTION(top_keys, 0, 0, top_post);

/* ---- secrets -------------------------------------------------------- */

/*
 * A secret, first found wins: the *_file key pv, the systemd credential
 * cred, the environment variable env. *lines (may be NULL) says it came
 * from a file or credential (a tokens list is then one a line).
 */
static fx_err
load_secret(struct loader *ld, const struct pathval *pv, const char *key,
    const char *cred, const char *env, char **out, int *lines)
{
	fx_err rc;

	*out = NULL;
	if (lines != NULL)
		*lines = 1;
	if (pv->path != NULL)
		return cfg_secret_file(ld, pv, key, out);
	rc = cfg_secret_cred(ld, cred, out);
	if (rc != FX_ENOTFOUND)
		return rc;
	if (lines != NULL)
		*lines = 0;
	rc = fx_secret_from_env(env, out);
	if (rc == FX_ENOTFOUND)
		return FX_OK;
	if (rc == FX_OK || rc == FX_ENOMEM)
		return rc;
	return cfg_err(ld, 0, env,
	    "environment variable is blank or larger "
	    "than 4096 bytes");
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* file or credential: one token a line, blank lines and # comments
 * skipped; env: a comma-separated list */
static fx_err
load_tokens(struct loader *ld)
{
	const char *key = ld->tok_file.path != NULL
			      ? "ingest.tokens_file"
			      : "credential " CRED_INGEST_TOKENS;
	struct config *c = ld->cfg;
	char *text = NULL, *p, *next, *e;
	size_t len = 0;
	int from_file;
	fx_err rc;

	rc = load_secret(ld, &ld->tok_file, key, CRED_INGEST_TOKENS,
	    ENV_INGEST_TOKENS, &text, &from_file);
	if (rc != FX_OK || text == NULL)
		return rc;
	if (!from_file)
		key = ENV_INGEST_TOKENS;
	len = strlen(text);
	if ((c->ingest_tokens = calloc(FX_MAX_TOKENS + 1, sizeof(char *))) ==
	    NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	for (p = text; p != NULL && *p != '\0'; p = next) {
		if ((next = strchr(p, from_file ? '\n' : ',')) != NULL)
			*next++ = '\0';
		while (is_space(*p))
			p++;
		for (e = p + strlen(p); e > p && is_space(e[-1]); e--)
			e[-1] = '\0';
		if (*p == '\0' || (from_file && *p == '#'))
			continue;
		for (e = p; *e != '\0' && !is_space(*e); e++)
			;
		if (*e != '\0' || c->ningest_tokens == FX_MAX_TOKENS) {
			rc = cfg_err(ld, ld->tok_file.line, key,
			    *e ? "a token contains white space"
			       : "more than %d "
				 "tokens",
			    FX_MAX_TOKENS);
			goto out;
		}
		if ((c->ingest_tokens[c->ningest_tokens] = strdup(p)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
		c->ningest_tokens++;
	}
	if (c->ningest_tokens == 0)
		rc = cfg_err(ld, ld->tok_file.line, key, "no token found");
out:
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

static fx_err
load_secrets(struct loader *ld)
{
	struct config *c = ld->cfg;
	fx_err rc;

	rc = load_secret(ld, &ld->sig_file, "slack.signing_secret_file",
	    CRED_SIGNING_SECRET, ENV_SIGNING_SECRET, &c->signing_secret, NULL);
	if (rc != FX_OK)
		return rc;
	rc = load_secret(ld, &ld->bot_file, "slack.bot_token_file",
	    CRED_BOT_TOKEN, ENV_BOT_TOKEN, &c->bot_token, NULL);
	if (rc != FX_OK)
		return rc;
	rc = load_tokens(ld);
	if (rc != FX_OK)
		return rc;
	rc = load_secret(ld, &ld->ext_file, "aws.external_id_file",
	    CRED_EXTERNAL_ID, ENV_EXTERNAL_ID, &ld->pol->aws.external_id, NULL);
	if (rc != FX_OK)
		return rc;
	rc = load_secret(ld, &ld->evkey_file, "events.api_key_file",
	    CRED_EVENTS_API_KEY, ENV_EVENTS_API_KEY, &c->events_key, NULL);
	if (rc != FX_OK)
		return rc;
	if (c->slack_mode != SLACK_LIVE)
		return FX_OK;
	if (c->signing_secret == NULL)
		return cfg_err(ld, ld->mode_line, "slack.mode",
		    "live mode "
		    "needs the signing secret: set slack.signing_secret_file, "
		    "the credential " CRED_SIGNING_SECRET
		    " or " ENV_SIGNING_SECRET);
	if (c->bot_token == NULL)
		return cfg_err(ld, ld->mode_line, "slack.mode",
		    "live mode "
		    "needs the bot token: set slack.bot_token_file, the "
		    "credential " CRED_BOT_TOKEN " or " ENV_BOT_TOKEN);
	return FX_OK;
}

/*
 * The price table of the savings (remediation/price.h): prices_file, which
 * must then be a valid table, else the one installed with fixit, whose
 * absence only makes every saving unknown.
 */
static fx_err
load_prices(struct loader *ld)
{
	const char *path = ld->prices_file.path != NULL ? ld->prices_file.path
							: FIXIT_PRICES_FILE;
	struct buf why = BUF_INIT;
	fx_err rc;

	buf_init(&why, 512);
	rc = price_load(path, &ld->pol->prices, &why);
	if (rc == FX_ENOTFOUND && ld->prices_file.path == NULL) {
		log_info("%s: no price table at %s: savings are unknown",
		    __func__, path);
		rc = FX_OK;
	} else if (rc == FX_ENOTFOUND)
		rc = cfg_err(ld, ld->prices_file.line, "prices_file",
		    "%s: no such file", path);
	else if (rc == FX_ECONFIG)
		rc = cfg_err(ld, ld->prices_file.line, "prices_file", "%s: %s",
		    path, buf_str(&why));
	buf_release(&why);
	return rc;
}

fx_err
config_load(const char *path, struct config **out, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct loader ld;
	int loaded = 0;
	fx_err rc;

	memset(&ld, 0, sizeof(ld));
	ld.file = path;
	ld.err = err;
	buf_init(&text, FX_MAX_CONFIG_FILE);
	if (err != NULL)
		buf_reset(err);
	rc = cfg_read_file(&ld, &text);
	if (rc != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (ld.cfg == NULL)
		goto out;
	ld.pol = calloc(1, sizeof(*ld.pol));
	ld.cfg->policy = ld.pol;
	if (ld.pol == NULL)
		goto out;
	ld.cfg->path = strdup(path);
	if (ld.cfg->path == NULL)
		goto out;
	rc = cfg_parse_yaml(&ld, &text, &loaded);
	if (rc != FX_OK)
		goto out;
	rc = cfg_apply_defaults(&ld, &top_sec, NULL, "");
	if (rc != FX_OK)
		goto out;
	rc = cfg_parse_map(&ld, &top_sec, NULL,
	    yaml_document_get_root_node(&ld.doc), 1, "");
	if (rc != FX_OK)
		goto out;
	rc = load_secrets(&ld);
	if (rc != FX_OK)
		goto out;
	rc = load_prices(&ld);
	if (rc != FX_OK)
		goto out;
	*out = ld.cfg;
	ld.cfg = NULL;
out:
	if (rc == FX_ENOMEM && err != NULL && err->len == 0 &&
	    buf_addf(err, "%s: out of memory", path) != FX_OK)
		rc = FX_ENOMEM;
	if (loaded)
		yaml_document_delete(&ld.doc);
	free(ld.sig_file.path);
	free(ld.bot_file.path);
	free(ld.tok_file.path);
	free(ld.ext_file.path);
	free(ld.evkey_file.path);
	free(ld.prices_file.path);
	config_free(ld.cfg);
	buf_release(&text);
	return rc;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->listen_host);
	free(c->database);
	free(c->slack_api_base);
	free(c->slack_hooks_base);
	free(c->slack_command);
	fx_secret_free(c->signing_secret);
	fx_secret_free(c->bot_token);
	fx_secret_free(c->events_key);
	free(c->events_header);
	for (i = 0; i < c->ningest_tokens; i++)
		fx_secret_free(c->ingest_tokens[i]);
	free(c->ingest_tokens);
	aws_cfg_release(&c->aws_client);
	policy_free(c->policy);
	free(c);
}
