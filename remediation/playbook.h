/*
 * playbook.h - the built-in AWS playbooks and what they are given.
 *
 * A playbook is one file in remediation/playbooks/ defining a
 * const struct pb_def, listed once in playbook.c's registry. Its steps:
 *
 *   detect  scan one account and region; append one record per finding
 *           to `found` (pb_found). Read-only (auditor role).
 *   check   re-read the resource right before fixing: PB_WRONG (fix it),
 *           PB_GONE, PB_RIGHT or PB_KEEP (nothing to do: the finding is
 *           resolved). PB_KEEP: a guard of the playbook's eligibility
 *           (below) applies, so detection would not have asked for a
 *           fix either; the finding may have been posted or raised by an
 *           event, never scanned.
 *   fix     change the resource (remediator role) and tag it (tagger
 *           role); *prior = what undo needs (a new JSON object). In
 *           dry-run, pb_call never sends a mutating call; the playbook
 *           still walks its steps and *prior records what it would do.
 *   verify  re-read after the fix: *ok = 0 when it did not take.
 *   undo    restore from prior (NULL when AWS cannot undo the fix).
 *
 * The finding handed to check/fix/verify/undo is the stored finding
 * (db finding_to_json: "id", "playbook", "account_id", "region",
 * "resource_id", "resource_arn", "details", ...).
 *
 * Every step returns FX_OK or an error with a sentence in x->msg (an
 * AWS error: code, message, request id). Steps run on one thread with
 * their own context; they never touch the database or Slack: what
 * fixitd's records say (provenance) comes to them as x->prov.
 */
#ifndef FIXIT_PLAYBOOK_H
#define FIXIT_PLAYBOOK_H

#include <stdint.h>
#include <jansson.h>

#include "aws.h"
#include "buf.h"
#include "fxerr.h"

enum pb_role { PB_AUDITOR = 0, PB_TAGGER, PB_REMEDIATOR, PB_ROLE__COUNT };
enum pb_verdict { PB_WRONG = 0, PB_GONE, PB_RIGHT, PB_KEEP };

#define PB_TAG_PREFIX "fixit:"

struct aws_credsrc;
struct fx_prov_set; /* common/fxprov.h */

/* what a playbook run may use; filled by remediation/aws_exec.c */
struct pb_ctx {
	struct aws_client *client;
	struct aws_credsrc *creds;
	const char *account_id;
	/* every configured account id, NULL-terminated (lookups that span
	 * accounts: a parent zone's delegation); NULL = account_id only */
	const char *const *accounts;
	const char *region;
	/* the regions scanned in this account, NULL-terminated (a global
	 * playbook's regional reads: Lambda functions); NULL = region */
	const char *const *regions;
	const char *role_arn[PB_ROLE__COUNT]; /* per-account roles */
	const char *external_id;	      /* or NULL */
	const char *session;		      /* STS session name */
	const char *playbook;		      /* configured name */
	int64_t finding_id;		      /* 0 in detect */
	int dry_run;
	int64_t now;		     /* unix seconds */
	int64_t deadline_ms;	     /* fx_mono_ms() by which a step must end
				 * (executor timeout, within the lease); 0 =
				 * none. Waits (snapshots, ...) stop there. */
	const json_t *params;	     /* playbook params object (may be NULL) */
	const char *const *iac_tags; /* events.iac_tags: NULL-terminated,
				      * may be NULL (pb_elig_tags) */
	struct buf *msg;	     /* outcome sentence(s) for the history */
	json_t *planned;	     /* dry run: array of calls not sent */
	unsigned long calls;	     /* AWS calls sent */
	/*
	 * Provenance (pb_def.provenance): what fixitd's own records say it
	 * fixed in this account and region (in check/fix: of this
	 * resource). Borrowed, read right before the step; NULL when the
	 * playbook asks for none or the store was not reachable (a step
	 * that needs it then does nothing).
	 */
	const struct fx_prov_set *prov;
	/*
	 * First sightings (pb_def.watch): {resource id: unix seconds} as
	 * fixitd recorded them before this step (in check/fix: of this
	 * resource), borrowed; NULL when the playbook watches nothing or
	 * there is no store. In detect, seen_now collects what this
	 * detection saw (pb_first_seen); the executor records it after a
	 * complete detection and forgets what was not seen.
	 */
	const json_t *seen;
	json_t *seen_now;
	/*
	 * Creators (pb_def.creators): {resource id or ARN: who created it},
	 * as the CloudTrail events fixitd received and processed name them
	 * (db_creators), of x's account and region; borrowed; NULL when the
	 * playbook asks for none or there is no store.
	 */
	const json_t *creators;
};

/* one resource a detection found; every member owned by the record */
struct pb_found {
	char *resource_id;
	char *resource_arn; /* NULL when unknown */
	char *title;
	json_t *details; /* object: the facts the owner is shown */
	json_t *tags;	 /* the resource's tags (object) or NULL */
	/* what people know the resource by, when its id is not it (a
	 * zone's name: an undo recreates the zone with a new id); NULL =
	 * resource_id. Undo holds match on it (sm_guard.c). */
	char *human_key;
	/* filled by the aws executor from tags (aws_exec_detect); borrowed
	 * from tags; NULL when none */
	const char *owner_email, *owner_slack_id;
};
struct pb_found_list {
	struct pb_found *v;
	size_t n, cap;
};
#define PB_FOUND_LIST_INIT                                                     \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void pb_found_list_release(struct pb_found_list *l); /* accepts NULL */

struct pb_def {
	const char *name;
	const char *summary; /* what the fix does, one line */
	int irreversible;    /* undo == NULL: message says so */
	int global;	     /* the service is global (Route 53): a scan
				 * runs detect once per account, region
				 * us-east-1 */
	/*
	 * The built-in whose fixes justify this playbook's destructive step
	 * (NULL: none): the aws executor hands its fixed findings to detect,
	 * check and fix as x->prov. A tag names a candidate; only these
	 * records make it one.
	 */
	const char *provenance;
	/*
	 * The records are looked up by what the fixes made (fx_prov.made:
	 * their backup snapshots), not by the fixed resource: check and fix
	 * are lent every record of the account and region. provenance may
	 * then name several built-ins, separated by spaces.
	 */
	int prov_made;
	fx_err (*detect)(struct pb_ctx *x, struct pb_found_list *found);
	fx_err (*check)(struct pb_ctx *x, const json_t *finding,
	    enum pb_verdict *v);
	fx_err (*fix)(struct pb_ctx *x, const json_t *finding, json_t **prior);
	fx_err (*verify)(struct pb_ctx *x, const json_t *finding,
	    const json_t *prior, int *ok);
	fx_err (*undo)(struct pb_ctx *x, const json_t *finding,
	    const json_t *prior);
	/* fixitd records when it first saw each resource its detect reports
	 * seeing (pb_first_seen; x->seen) */
	int watch;
	/*
	 * Checks the playbook's params when the config is loaded (NULL: any
	 * params): FX_ECONFIG with one sentence in why ("standard.ec2:instance:
	 * ..."); params may be NULL (none configured).
	 */
	fx_err (*params_check)(const json_t *params, struct buf *why);
	/* the executor lends detect, check and fix x->creators */
	int creators;
};

/* the registry; NULL when unknown (or name is NULL) */
const struct pb_def *pb_find(const char *name);
/* appends the built-in playbooks' names, ", "-separated, registry order */
fx_err pb_names(struct buf *out) FX_WUR;
/* NULL-terminated list of every built-in playbook */
extern const struct pb_def *const pb_all[];

/* ---- helpers for playbooks (playbook.c) -------------------------------- */

/*
 * Send one AWS request as role in x's account and region (r->region NULL
 * = x->region). mutating: in dry-run the call is not sent, it is
 * appended to x->planned and FX_OK returned with out->doc NULL. Errors
 * append a sentence to x->msg ("ec2 ModifyInstanceMetadataOptions:
 * Code: message (request id)").
 */
fx_err pb_call(struct pb_ctx *x, enum pb_role role, const struct aws_req *r,
    int mutating, struct aws_resp *out) FX_WUR;
/* shorthand for a Query/EC2 call with params (stolen reference) */
fx_err pb_query(struct pb_ctx *x, enum pb_role role, enum aws_svc svc,
    const char *action, json_t *params, int mutating,
    struct aws_resp *out) FX_WUR;
/* 1 when s is want (s may be NULL) */
int pb_str_is(const char *s, const char *want);
/* 1 when rc is an AWS error whose code is `code` */
int pb_is_error(fx_err rc, const struct aws_resp *r, const char *code);
/* where x->msg ends now; rewind to it to take back what pb_call said
 * about an error the caller expected (a NotFound that means "gone") */
size_t pb_msg_mark(const struct pb_ctx *x);
void pb_msg_rewind(struct pb_ctx *x, size_t mark);
/* append a sentence to x->msg (printf-like; errors ignored) */
void pb_say(struct pb_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* the monotonic-ms deadline of a wait of timeout_ms starting now, never
 * past x->deadline_ms */
int64_t pb_wait_deadline(const struct pb_ctx *x, int64_t timeout_ms);

/*
 * When fixitd first saw resource id (pb_def.watch), unix seconds; 0 when
 * it has no record (no store, or never seen). In detect the sighting is
 * recorded: a resource seen for the first time is first seen now.
 */
int64_t pb_first_seen(struct pb_ctx *x, const char *id);

/* ---- the finding and the parameters ------------------------------------ */

/* *id = the finding's "resource_id" (borrowed); FX_EINVAL (with a
 * pb_say) when it has none */
fx_err pb_resource(struct pb_ctx *x, const json_t *finding,
    const char **id) FX_WUR;
/* the playbook parameter key as an integer/string, or def */
int64_t pb_param_int(const struct pb_ctx *x, const char *key, int64_t def);
const char *pb_param_str(const struct pb_ctx *x, const char *key,
    const char *def);
/* an integer parameter clamped to [min, max] */
int64_t pb_param_clamp(const struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max);
/* an integer parameter in [min, max]; def (with a pb_say) otherwise */
int64_t pb_param_range(struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max);
/*
 * The id of what a create call (action) made, at path of its answer doc
 * (what names it: "no group id"); in a dry run, where nothing is made,
 * placeholder. NULL (with a pb_say) when the answer holds none.
 */
const char *pb_created(struct pb_ctx *x, const char *action, const json_t *doc,
    const char *path, const char *what, const char *placeholder);
/*
 * A fix's prior state in a dry run: "would" = what (one sentence of what
 * the fix would have done; the executor adds "dry_run" and "planned").
 * Nothing outside a dry run.
 */
fx_err pb_would(const struct pb_ctx *x, json_t *prior, const char *what) FX_WUR;

/* ---- reading one resource ---------------------------------------------- */

/* the element of doc's list (aws_j_list path) whose key is id, or NULL */
const json_t *pb_item(const json_t *doc, const char *list, const char *key,
    const char *id);
/* how to describe one resource of a kind by its id */
struct pb_one {
	enum aws_svc svc;
	const char *action;   /* "DescribeVolumes" */
	const char *param;    /* the id's parameter: "VolumeId.1" */
	const char *list;     /* the answer's list: "volumeSet" */
	const char *key;      /* the id in an element: "volumeId" */
	const char *notfound; /* the error code of "no such resource" */
};
/*
 * Describe the resource id: *item is its element of the
 * answer's list, borrowed from resp (the caller releases resp); NULL
 * when AWS answers the notfound code or the answer does not hold it.
 */
fx_err pb_read_one(struct pb_ctx *x, const struct pb_one *d, const char *id,
    struct aws_resp *resp, const json_t **item) FX_WUR;
/* the same for the finding's resource (pb_resource: *id, borrowed) */
fx_err pb_read_finding(struct pb_ctx *x, const json_t *finding,
    const struct pb_one *d, struct aws_resp *resp, const char **id,
    const json_t **item) FX_WUR;

/* ---- tags ------------------------------------------------------------ */

#define PB_MAX_TAGS   50 /* EC2 and RDS: tags per resource */
#define PB_FIXIT_TAGS 4	 /* playbook, finding, action, time */

/* 1 when key starts with "fixit:" (PB_TAG_PREFIX) */
int pb_tag_is_fixit(const char *key);
/*
 * The fixit: tags of a step (new object, NULL on ENOMEM): fixit:playbook,
 * fixit:finding (not in a scan: there is no finding yet), fixit:action,
 * fixit:time, in that order.
 */
json_t *pb_fixit_tags(const struct pb_ctx *x, const char *action);
/*
 * The user's own tags of tags ({key: value}; anything else counts as
 * none): no fixit: keys, string values only. With settable, no aws: keys
 * either (AWS reserves them and refuses to set them); *skipped (may be
 * NULL) counts those. New object; NULL on ENOMEM.
 */
json_t *pb_user_tags(const json_t *tags, int settable, int *skipped);
/*
 * A tag list being added to a request's params: entries are named
 * PREFIX N.Key / PREFIX N.Value (N from 1), with prefix e.g. "Tag."
 * (EC2 CreateTags), "TagSpecification.1.Tag." (EC2 create calls) or
 * "Tags.member." (RDS).
 */
struct pb_tags {
	json_t *params; /* borrowed */
	const char *prefix;
	int n; /* entries so far */
};
void pb_tags_init(struct pb_tags *t, json_t *params, const char *prefix);
/* one tag; FX_ETOOBIG past PB_MAX_TAGS, FX_EINVAL for a prefix too long */
fx_err pb_tags_add(struct pb_tags *t, const char *key,
    const char *value) FX_WUR;
/* the fixit: tags (pb_fixit_tags), then extra (object of string values,
 * fixit: keys only, else FX_EINVAL; may be NULL) */
fx_err pb_tags_fixit(const struct pb_ctx *x, struct pb_tags *t,
    const char *action, const json_t *extra) FX_WUR;
/*
 * The fixit: tags plus extra (as pb_tags_fixit) on one resource, as the
 * tagger: EC2 CreateTags ResourceId.1 = id, RDS AddTagsToResource
 * ResourceName = arn. Never touches other tags.
 */
fx_err pb_tag_ec2(struct pb_ctx *x, const char *id, const char *action,
    const json_t *extra) FX_WUR;
fx_err pb_tag_rds(struct pb_ctx *x, const char *arn, const char *action,
    const json_t *extra) FX_WUR;

/* ---- EC2 answers and listings ------------------------------------------ */

/* EC2 "tagSet" list -> {"Key": "Value"} (new reference) */
json_t *pb_ec2_tags(const json_t *tag_set);
/* add EC2 Filter.N.Name / Filter.N.Value.1 to params */
fx_err pb_ec2_filter(json_t *params, int n, const char *name,
    const char *value) FX_WUR;
/* "arn:aws:ec2:REGION:ACCOUNT:TYPE/ID" (new string; NULL on ENOMEM) */
char *pb_ec2_arn(const struct pb_ctx *x, const char *type, const char *id);
/*
 * Page through a Query/EC2 listing: calls action with params plus
 * NextToken until none; for each page, each element of list_path is
 * passed to fn (return non-FX_OK to stop). Read-only.
 */
typedef fx_err (*pb_item_fn)(struct pb_ctx *x, const json_t *item, void *arg);
fx_err pb_list(struct pb_ctx *x, enum pb_role role, enum aws_svc svc,
    const char *action, const json_t *params, const char *list_path,
    const char *token_path, pb_item_fn fn, void *arg) FX_WUR;
/*
 * Append a found resource; arn may be NULL; details (NULL: an empty
 * object) and tags (may be NULL) are stolen, also on failure.
 * FX_ETOOBIG past FX_MAX_DETECT_FOUND records.
 */
fx_err pb_found(struct pb_found_list *found, const char *resource_id,
    const char *arn, const char *title, json_t *details, json_t *tags) FX_WUR;
/* pb_found with the record's human_key made of the format and its
 * arguments (printf-like) */
fx_err pb_found_keyed(struct pb_found_list *found, const char *resource_id,
    const char *arn, const char *title, json_t *details, json_t *tags,
    const char *key_fmt, ...) FX_WUR __attribute__((format(printf, 7, 8)));

/* ---- eligibility: the guards detect and the pre-fix check share ------ */

/*
 * Whether a playbook may act on one resource at all, apart from the
 * misconfiguration it is about: the resource's age, its allow tag, its
 * ownership by infrastructure as code, its state. A playbook states these
 * guards in one function,
 *
 *     static void NAME_eligible(struct pb_ctx *x, const struct NAME_opts *o,
 *         const json_t *resource, const json_t *tags, struct pb_elig *e);
 *
 * (returning fx_err when a guard must read AWS, as eip-unassociated's
 * CloudTrail age), built from pb_elig_init, pb_elig_tags, pb_elig_age
 * and pb_elig_exempt, and calls it from detect (pb_elig_found: report it or not) and from
 * check (pb_elig_check: fix it or not), and again in a destructive fix
 * right before the change. The check then re-applies every guard
 * detection applied, also to a finding that was posted
 * (POST /v1/findings) or raised by an event, whose details nobody
 * re-derived: nothing a scan would leave alone is changed.
 */
enum pb_elig_kind {
	PB_ELIGIBLE = 0, /* a finding; may be fixed */
	PB_IAC_OWNED,	 /* a finding that only notifies: a stack owns it,
			  * a change would be reverted or drift; never fixed */
	PB_EXEMPT	 /* no finding: too young, allow-tagged, protected,
			  * in a state the playbook leaves alone */
};
#define PB_ELIG_WHY 384
struct pb_elig {
	enum pb_elig_kind kind;
	char why[PB_ELIG_WHY]; /* the first reason of the kind; "" when
				* eligible */
};
void pb_elig_init(struct pb_elig *e);
/* exempt for why (printf-like); an exemption outranks IaC ownership, the
 * first exemption's reason stays */
void pb_elig_exempt(struct pb_elig *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The tag guards on tags ({key: value}, may be NULL): allow_tag (may be
 * NULL: the playbook has none) present with any value -> exempt;
 * aws:cloudformation:stack-name or a key of x->iac_tags present -> IaC
 * owned (as aws_exec_detect marks the finding notify-only: the same
 * ev_owner_from_tags decides).
 */
void pb_elig_tags(const struct pb_ctx *x, struct pb_elig *e, const json_t *tags,
    const char *allow_tag);
/*
 * The age guard: created (ISO 8601 as AWS writes it) at least min_age
 * seconds before x->now. A time that is missing or unreadable counts as
 * too young: what fixit cannot date it does not delete.
 */
void pb_elig_age(const struct pb_ctx *x, struct pb_elig *e, const char *created,
    int64_t min_age);
/* detect: 1 when the resource makes a finding (eligible or IaC-owned) */
int pb_elig_found(const struct pb_elig *e);
/* check (and a destructive fix): PB_WRONG when eligible; else PB_KEEP,
 * with a pb_say "WHAT: WHY" (what: e.g. "DB instance db1") */
enum pb_verdict pb_elig_check(struct pb_ctx *x, const struct pb_elig *e,
    const char *what);

#endif
