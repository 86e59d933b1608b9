/*
 * ev_decide.h - which findings and messages an event produces: a
 * person's launch in a production account, a deleted bucket or load
 * balancer, a new IAM user (CloudTrail: ev.h, ev_act.h), a Security Hub
 * finding or a Cloud Custodian resource (ev_map.h). The events thread
 * (server/events.c) checks each finding (sm_check_finding), makes the
 * AWS calls the actions ask for and records the rest.
 *
 *   launch (manual, account in production, quarantine playbook set)
 *	-> a quarantine finding per instance, owned by the actor (an
 *	   email), else by the launch's fixit:creator tag; IaC-tagged
 *	   instances notify only; the batch rule (ev_decide_batch) may
 *	   make them notify-only later
 *   dangling (anyone, configured account, dangling playbook set)
 *	-> one finding "s3:BUCKET" or "elb:NAME"
 *   new user (manual) -> a message to the admins, and one to the actor
 *	when the actor is an email address
 *   secret read from CloudShell (secretsmanager GetSecretValue /
 *	BatchGetSecretValue, ssm GetParameter(s)(ByPath) withDecryption,
 *	succeeded, userAgent or sourceIPAddress naming CloudShell) -> one
 *	finding per session (resource_id "cloudshell:" + the session's
 *	access key id) and a message to the admins per read
 *   decoy key (anyone, any call, even a failed or read-only one: the
 *	signature alone is the signal) -> one finding per key, account and
 *	region (resource_id = the key id, never an owner: a near-certain
 *	signal, fixed at once) and a page to the admins
 *   Security Hub / Custodian -> the mapped records as findings, owners and
 *	IaC from the resources' tags (the owner tag, else fixit:creator)
 *
 * Pure: no I/O, no clock, no state; any thread. Ownership: the settings,
 * the account, the event (and the ev_info parsed from it) are borrowed
 * and must outlive the decision, whose findings point into them; all
 * else a decision points to is its own, freed by ev_decision_release.
 */
#ifndef FIXIT_EV_DECIDE_H
#define FIXIT_EV_DECIDE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "ev.h"
#include "ev_act.h"
#include "ev_map.h"
#include "fxerr.h"
#include "fxfinding.h"

#define EV_MAX_BATCH 160 /* bytes of the batch rule's sentence */

/* the config's events: section, resolved by the caller */
struct ev_settings {
	struct ev_rules rules; /* for ev_classify */
	/* playbooks of manual launches in production and of deleted
	 * buckets / load balancers; NULL when not configured or not a
	 * playbook of the policy */
	const char *quarantine_playbook;
	const char *dangling_playbook;
	const char *owner_tag;	     /* aws.owner_tag; NULL = none */
	const char *const *iac_tags; /* NULL-terminated; may be NULL */
	int launch_batch;	     /* see ev_decide_batch */
	int64_t launch_window;	     /* seconds */
	struct ev_map securityhub;   /* rule id -> playbook */
	struct ev_map custodian;     /* policy name -> playbook */
	/* decoy access key ids (NULL-terminated, may be NULL) and their
	 * playbook (NULL: none); see ev_decide_cloudtrail */
	const char *const *honeypot_keys;
	const char *honeypot_playbook;
	const char *cloudshell_playbook; /* NULL: none */
};

/* the event's account as the config knows it */
struct ev_account {
	const char *name; /* NULL: not a configured account */
	int prod;	  /* its environment is production */
};

enum ev_msg_kind {
	EV_MSG_ADMIN = 0, /* to the admin channel */
	EV_MSG_DM	  /* to the person with address email */
};

/*
 * What to tell: a fact (common/fxsay.h) that slack/ puts into words:
 *   iam_user_created      {iam_user, account, opt account_name, actor}
 *   iam_user_created_you  {iam_user, account, opt account_name}  (the DM)
 *   cloudshell_secret_read {actor, principal, secret, event_source,
 *			    event_name, account, opt account_name, region,
 *			    time, source_ip}
 *   honeypot_key_used     {key, account, opt account_name, principal,
 *			    target, source_ip, event_name, event_source,
 *			    region, time}
 * Owned by the decision.
 */
struct ev_msg {
	enum ev_msg_kind kind;
	int honeypot; /* the page of a decoy key: only with a new finding */
	char email[EV_MAX_EMAIL + 1]; /* EV_MSG_DM */
	json_t *fact;
};

struct ev_fmem; /* what one finding points into */

struct ev_decision {
	/* the findings, contiguous as sm_ingest takes them; the caller may
	 * drop or reorder entries (their memory stays with the decision) */
	struct finding_in *in;
	size_t nin;
	struct ev_msg *msgs;
	size_t nmsgs;
	struct ev_action_list acts; /* CloudTrail: what it asked for */
	size_t skipped;		    /* mapped: findings or resources left out */
	int64_t launches;	    /* CloudTrail: instances launched */
	int launch;		    /* the findings are manual launches: the
				 * batch rule applies */
	int honeypot; /* in[0] is a decoy key's finding: fix at once */
	char batch[EV_MAX_BATCH]; /* set by ev_decide_batch */
	/* private */
	struct ev_fmem **mem;
	size_t nmem;
	struct ev_mapped_list mapped; /* mapped: findings point into it */
};

void ev_decision_init(struct ev_decision *d);
void ev_decision_release(struct ev_decision *d); /* accepts NULL */

/*
 * A parsed, classified CloudTrail event (ev_parse, ev_classify): its
 * actions (d->acts, ev_actions) and what they produce (see the top).
 * A call signed with a decoy key (detail.userIdentity.accessKeyId one of
 * s->honeypot_keys) comes first: d->in[0], d->honeypot set; its details
 * {source "honeypot", access_key_id, event_id, event_name, event_source,
 * event_time, source_ip, user_agent, principal_type, principal_arn,
 * target "user"|"instance"|"role"|"none", user, role, instance} name
 * what the playbook denies (an IAM user; the instance of an instance
 * profile session - the session name is its id - else the role's
 * sessions); target "none" (root, federated) notifies only.
 * a: info->account in the config. FX_EINVAL when the event has no
 * detail object; FX_ENOMEM. d must be freshly initialised; release it
 * on failure too.
 */
fx_err ev_decide_cloudtrail(const struct ev_settings *s,
    const struct ev_account *a, const struct ev_info *info, const json_t *event,
    struct ev_decision *d) FX_WUR;

/*
 * A Security Hub event or a Custodian payload mapped with s's maps
 * (evmap_securityhub, evmap_custodian: their errors, with
 * err set). Records without tags keep their owner unset; d->skipped
 * counts what the mapper left out.
 */
fx_err ev_decide_securityhub(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d, struct buf *err) FX_WUR;
fx_err ev_decide_custodian(const struct ev_settings *s, const json_t *payload,
    struct ev_decision *d, struct buf *err) FX_WUR;

#define EV_GUARDDUTY_TYPE "GuardDuty Finding"

/*
 * An EventBridge "GuardDuty Finding" (source aws.guardduty): its envelope
 * checked (id, detail object, detail.accountId or account: 12 digits),
 * FX_EINVAL with err set otherwise. A finding whose
 * detail.resource.accessKeyDetails.accessKeyId is one of s's decoy keys
 * is the decoy's finding and page (as ev_decide_cloudtrail's: target
 * "user" for userType IAMUser, else "none"; the call and source IP from
 * service.action.awsApiCallAction); any other finding is nothing.
 */
fx_err ev_guardduty_check(const json_t *event, struct buf *err) FX_WUR;
fx_err ev_decide_guardduty(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d, struct buf *err) FX_WUR;

/*
 * The batch rule of manual launches (d->launch set): when `before`
 * instances launched by the same person within launch_window before
 * this event, plus d->launches, exceed launch_batch, it is scripted
 * batch work: d->batch says so and every finding of d->in becomes
 * notify-only (notify_only, and details "notify_only": true, "batch":
 * d->batch). FX_OK when it does not apply; FX_ENOMEM.
 */
fx_err ev_decide_batch(const struct ev_settings *s, int64_t before,
    struct ev_decision *d) FX_WUR;

#endif
