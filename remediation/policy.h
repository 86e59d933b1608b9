/*
 * policy.h - what the configuration says about accounts, playbooks and
 * people: the inputs of every remediation decision.
 *
 * Filled by server/config.c, read-only after startup (shared by all
 * threads without locks). Strings, JSON values and each playbook's
 * prepared executor state are owned by the policy and freed by
 * policy_free().
 */
#ifndef FIXIT_POLICY_H
#define FIXIT_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum fx_env { ENV_NONPROD = 0, ENV_PROD = 1 };
enum pb_mode { PB_OFF = 0, PB_SHADOW, PB_NOTIFY, PB_ENFORCE };
enum pb_approval { APPROVAL_OWNER = 0, APPROVAL_NONE };

/* exception kinds; bit (1u << kind) in the masks below */
enum exc_kind { EXC_1M = 0, EXC_1Y = 1, EXC__COUNT };
#define EXC_1M_SECS (30 * 86400)
#define EXC_1Y_SECS (365 * 86400)

struct account {
	char *id; /* 12-digit AWS account id */
	char *name;
	enum fx_env env;
	char *channel;	/* Slack channel id for unowned findings */
	char **regions; /* scanned regions; NULL = aws.regions */
	size_t nregions;
	/* destructive fixes claimed per hour in this account; 0 unlimited,
	 * -1 the policy's max_destructive_per_account_hour */
	int max_destructive_per_hour;
};

struct executor_ops; /* executor.h */
struct price_table;  /* price.h */

/*
 * A playbook's executor: section: the keys as the file gave them (each
 * executor reads those it uses) and what executor_prepare built of them.
 * Freed by executor_cfg_release (policy_free).
 */
struct executor_cfg {
	const struct executor_ops *ops; /* executor.type */
	void *state;	 /* the executor's own (executor_prepare) */
	char **argv;	 /* exec: NULL-terminated, argv[0] a path */
	int64_t timeout; /* seconds; the fix is stopped after it */
	char *builtin;	 /* aws: built-in playbook; NULL = the
				 * playbook name */
	int dry_run;	 /* aws: never send a mutating call */
	json_t *params;	 /* aws: playbook parameters object */
};

/* the aws: section; role_name and regions have defaults (the HTTP
 * client's settings are the server's: struct config) */
enum aws_role_kind {
	ROLE_AUDITOR = 0,
	ROLE_TAGGER,
	ROLE_REMEDIATOR,
	ROLE__COUNT
};
struct aws_settings {
	char *profile; /* NULL: AWS_PROFILE / the default chain */
	char *sts_region;
	char *partition;	      /* "aws" */
	char *role_name[ROLE__COUNT]; /* assumed in each account */
	char *external_id;	      /* from external_id_file / env; or NULL */
	char **regions;		      /* NULL-terminated */
	size_t nregions;
	char *owner_tag;       /* tag key naming a resource's owner */
	int scan_hour;	       /* UTC hour of the daily scan; -1 = none */
	int scan_concurrency;  /* account x region pairs at once */
	int scan_at_start;     /* also scan once at startup */
	int64_t creds_refresh; /* renew credentials this long before expiry */
};

struct playbook {
	char *name;
	char *description; /* what the fix does, shown in messages */
	enum pb_mode mode;
	enum pb_approval approval;
	int64_t grace;		 /* seconds from notification to deadline */
	int64_t reminder_before; /* seconds before the deadline; 0 = none */
	unsigned exc_offered;	 /* mask of (1u << enum exc_kind) */
	unsigned exc_need_approval;
	int max_fixes_per_hour; /* 0 = unlimited */
	int max_attempts;	/* >= 1 */
	int64_t retry_backoff;	/* seconds, doubled per attempt */
	int irreversible;	/* message says the fix cannot be undone */
	/* exception lengths; 0 = EXC_1M_SECS / EXC_1Y_SECS (config key
	 * exception_durations, for tests and trials) */
	int64_t exc_duration[EXC__COUNT];
	struct executor_cfg exec;
	/* sm_guard.c: counted against the hourly destructive caps */
	int destructive;
	/* an undo keeps the same resource (by human key) from being fixed
	 * again this long; 0 = exc_duration[EXC_1Y] */
	int64_t undo_hold;
	/* circuit breaker: this many failed fix attempts, or undone fixes,
	 * within breaker_window pause the playbook; 0 = never */
	int breaker_failures, breaker_undos;
	int64_t breaker_window;
};

/* the events: section (CloudTrail via EventBridge, other scanners) */
struct events_settings {
	char *employee_pattern; /* fnmatch glob on the actor; NULL = all */
	char **automation;	/* role/user name or ARN globs: not manual */
	size_t nautomation;
	char **iac_tags; /* tag keys that mark IaC-owned resources */
	size_t niac_tags;
	int launch_batch;	   /* more launches than this in the window by
				 * one person: batch work, notify only */
	int64_t launch_window;	   /* seconds */
	char *quarantine_playbook; /* manual launches in production */
	char *dangling_playbook;   /* DeleteBucket / DeleteLoadBalancer */
	json_t *securityhub;	   /* {rule id: playbook} */
	json_t *custodian;	   /* {policy name: playbook} */
	int tag_creator;	   /* tag what a person creates fixit:creator */
	/* decoy access key ids (ids only: their secrets are never
	 * configured); a call signed with one -> honeypot_playbook */
	char **honeypot_keys;
	size_t nhoneypot_keys;
	char *honeypot_playbook;
	/* CloudShell secret reads -> cloudshell_playbook */
	char *cloudshell_playbook;
};

struct policy {
	struct account *accounts;
	size_t naccounts;
	struct playbook *playbooks;
	size_t nplaybooks;
	char **admins; /* Slack user ids */
	size_t nadmins;
	char *admin_channel;	  /* Slack channel id */
	int self_approval;	  /* an admin may approve their own request */
	int64_t approval_timeout; /* a pending request lapses after this */
	int64_t approval_grace;	  /* then the deadline is at least this far */
	/* a pending request is reminded in its thread after approval_remind
	 * and escalated to the admin channel after approval_escalate, once
	 * each; 0: never (remind < escalate < approval_timeout) */
	int64_t approval_remind, approval_escalate;
	int64_t lease; /* seconds a claimed fix may run */
	/* destructive fixes claimed per hour, all accounts / each account
	 * (unless it says otherwise); 0 = unlimited */
	int max_destructive_per_hour, max_destructive_per_account_hour;
	struct aws_settings aws;
	struct events_settings events;
	/* the price table (price.h) of the savings; NULL: none, every
	 * saving is unknown */
	struct price_table *prices;
};

const struct account *policy_account(const struct policy *p, const char *id);
const struct playbook *policy_playbook(const struct policy *p,
    const char *name);
int policy_is_admin(const struct policy *p, const char *slack_user);
/* the buttons an account's environment allows, masked by the playbook */
unsigned policy_exc_allowed(const struct playbook *pb, enum fx_env env);
int policy_fix_now_allowed(const struct playbook *pb, enum fx_env env);
const char *policy_env_name(enum fx_env env); /* "production", ... */
const char *policy_mode_name(enum pb_mode m);
const char *policy_exc_name(enum exc_kind k); /* "1 month", "1 year" */
int64_t policy_exc_secs(const struct playbook *pb, enum exc_kind k);
/* the regions scanned in account a (its own list, else aws.regions) */
const char *const *policy_regions(const struct policy *p,
    const struct account *a, size_t *n);
void policy_free(struct policy *p); /* accepts NULL; frees p */

#endif
