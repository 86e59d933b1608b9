/*
 * ev_map.h - findings of other scanners turned into fixit findings: typed
 * records (struct ev_mapped) holding what struct finding_in needs
 * (fxfinding.h), checked again by sm_check_finding before sm_ingest.
 *
 * Pure: no I/O, no clock, no global state; any thread may call it.
 * Inputs are hostile: every field may be missing, of the wrong type, huge
 * or full of control characters. Nothing crashes and nothing unchecked
 * reaches a record:
 *   - resource_id: 1..FX_MAX_FIELD bytes without control characters
 *     (C0, DEL, C1); resource_arn: the same and "arn:..."; account_id: 12
 *     digits; region: like eu-west-1 ([a-z0-9-], a letter first, a digit
 *     last, a '-' inside, at most 32 bytes);
 *   - title and details strings are cleaned rather than refused: control
 *     characters become spaces, runs of white space one space, ends
 *     trimmed, then cut to FX_MAX_TITLE (details: FX_MAX_FIELD) bytes at a
 *     UTF-8 boundary;
 *   - observed_at only from a time fx_iso8601_parse accepts;
 *   - tags keep string values whose key is 1..EVMAP_MAX_TAG_KEY and value
 *     0..EVMAP_MAX_TAG_VALUE bytes without control characters; at most
 *     EVMAP_MAX_TAGS of them.
 * A record that cannot be made valid is left out and counted in *skipped.
 * A malformed payload (its structure, not a value) fails as a whole.
 *
 * Every record may carry tags: an object {"Key": "Value", ...} of the
 * resource's tags (only when it has some). They are not a finding field:
 * ev_decide.h reads the owner and IaC marker from them.
 *
 * Ownership and errors, evmap_securityhub and
 * evmap_custodian:
 *   - the input and m are borrowed and never modified;
 *   - on FX_OK the new records (nothing in them borrows from the input or
 *     m) are appended to items, which owns them, and *skipped is set to
 *     the number of findings or resources left out in this call (skipped
 *     and err may be NULL);
 *   - on any error items is left as it was, *skipped is 0 and err is
 *     reset to one sentence naming the path, e.g.
 *     "detail.findings[2].AwsAccountId: missing or not a string".
 *     FX_EINVAL: malformed (or items NULL); FX_ETOOBIG: more than a limit
 *     below, or more than FX_MAX_INGEST_ITEMS records in items afterwards;
 *     FX_ENOMEM.
 */
#ifndef FIXIT_EV_MAP_H
#define FIXIT_EV_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxfinding.h"

#define EVMAP_MAX_FINDINGS  100	 /* ASFF findings in one event */
#define EVMAP_MAX_RESOURCES 32	 /* Resources[] used per finding */
#define EVMAP_MAX_CUSTODIAN 1000 /* resources in a Custodian post */
#define EVMAP_MAX_TAGS	    64	 /* tags kept per resource */
#define EVMAP_MAX_TAG_KEY   512	 /* bytes (AWS: 128 characters) */
#define EVMAP_MAX_TAG_VALUE 1024 /* bytes (AWS: 256 characters) */

/* a mapping from a scanner's rule id to a fixit playbook, from the config */
struct ev_map_entry {
	const char *key;
	const char *playbook;
};
struct ev_map {
	const struct ev_map_entry *e;
	size_t n;
};

/*
 * One mapped finding. Owns everything it points to: the strings (copies,
 * NUL-terminated, without control characters) are freed with free(), the
 * objects hold one reference each. Released with its list.
 */
struct ev_mapped {
	char *playbook, *account_id, *region, *resource_id;
	char *resource_arn; /* NULL when none */
	char *title;
	json_t *details;     /* an object */
	json_t *tags;	     /* {"Key": "Value", ...}; NULL when none */
	int64_t observed_at; /* unix seconds; 0 when not known */
	int resolved;	     /* else active */
};

/* records, caller-owned: init, fill with the functions below, release */
struct ev_mapped_list {
	struct ev_mapped *v;
	size_t n;
	size_t alloc; /* private */
};

void evmap_list_init(struct ev_mapped_list *l);
void evmap_list_release(struct ev_mapped_list *l); /* accepts NULL */

/*
 * r as a finding: every field of f set, its pointers borrowed from r
 * (valid while r is); owners and notify_only left unset.
 */
void evmap_finding(const struct ev_mapped *r, struct finding_in *f);

/*
 * The playbook m maps key to (exact, case-sensitive match; first entry
 * wins), or NULL. m may be NULL.
 */
const char *evmap_lookup(const struct ev_map *m, const char *key);

/*
 * EventBridge "Security Hub Findings - Imported" (source aws.securityhub):
 * detail.findings[] in ASFF (at most EVMAP_MAX_FINDINGS), as records.
 *
 * The rule key of a finding is the first of these candidates that m maps:
 * Compliance.SecurityControlId ("EC2.8"), ProductFields.ControlId, the
 * last '/' component of GeneratorId ("aws-foundational-security-best-
 * practices/v/1.0.0/EC2.8" -> "EC2.8"), GeneratorId itself. A finding no
 * candidate maps is skipped (counted once).
 *
 * A mapped finding becomes one record per entry of Resources[] (the first
 * EVMAP_MAX_RESOURCES; the rest are counted as skipped):
 *   playbook; account_id: AwsAccountId (not 12 digits: all its resources
 *   are skipped); region: the first that is a string of Resources[].Region,
 *   Region, the event's region (not like eu-west-1: skipped);
 *   resource_id: from Resources[].Id: an ARN gives its natural id, the
 *   last component after '/' or ':' of the resource part (i-..., vol-...,
 *   eipalloc-..., the DB name of arn:aws:rds:...:db:NAME, the zone id of
 *   arn:aws:route53:::hostedzone/Z..., the bucket of arn:aws:s3:::NAME),
 *   except function:NAME[:qualifier] (Lambda) -> NAME and
 *   loadbalancer/app|net|gwy/NAME/ID -> NAME; an ARN without an id
 *   ("...:instance/", fewer than 6 fields) is skipped; any other Id
 *   ("AWS::::Account:111122223333") is used as is;
 *   resource_arn: Resources[].Id when it is an ARN;
 *   title: Title, else "<rule>: <resource_id>";
 *   details: {"source":"securityhub", "finding_id": Id, "rule": the key,
 *   "severity": Severity.Label, "product": ProductName else ProductArn,
 *   "resource_type": Resources[].Type} (absent values left out);
 *   resolved: when Compliance.Status is PASSED or NOT_AVAILABLE,
 *   RecordState is ARCHIVED or Workflow.Status is RESOLVED or SUPPRESSED;
 *   observed_at: UpdatedAt (0 when it does not parse);
 *   tags: Resources[].Tags (an object; the Key/Value list form is taken
 *   too).
 * FX_EINVAL: not an object; source is not "aws.securityhub"; detail-type
 * is not "Security Hub Findings - Imported"; detail.findings is not an
 * array; a finding that is not an object, whose Id or AwsAccountId is not
 * a string, or whose Resources is not a non-empty array.
 */
fx_err evmap_securityhub(const json_t *event, const struct ev_map *m,
    struct ev_mapped_list *items, size_t *skipped, struct buf *err) FX_WUR;

/*
 * Cloud Custodian webhook payload: the action's lookup data, posted whole
 * (body: "@", batch: true): {"policy": {"name", "resource", ...},
 * "account_id", "region", "execution_id", "execution_start",
 * "resources": [...], "event"}; optional "account" (the account's name).
 * A non-batch post ("resource": {...} instead of "resources") is one
 * resource.
 *
 * The rule key is policy.name; an unmapped policy skips every resource.
 * Each resource (at most EVMAP_MAX_CUSTODIAN) becomes a record whose id is
 * the id field of policy.resource ("aws." prefix ignored):
 *   ec2 InstanceId; ebs VolumeId; ebs-snapshot SnapshotId; network-addr
 *   and elastic-ip AllocationId, else PublicIp; rds DBInstanceIdentifier
 *   (resource_arn DBInstanceArn); hostedzone Id without "/hostedzone/";
 *   security-group GroupId; s3 Name; elb LoadBalancerName; app-elb
 *   LoadBalancerName (LoadBalancerArn); iam-user UserName (Arn); iam-role
 *   RoleName (Arn); lambda FunctionName (FunctionArn).
 *   A resource without a valid id is skipped; an invalid ARN is left out.
 *   account_id, region: the payload's; not resolved;
 *   title: policy.description, else policy.comment, else
 *   "<policy name>: <resource id>";
 *   details: {"source":"custodian", "policy": name, "resource_type",
 *   "execution_id", "account_name": account} (absent values left out);
 *   observed_at: execution_start (epoch seconds, 0 when before 1970 or
 *   past 9999);
 *   tags: the resource's "Tags" [{"Key","Value"}] as an object.
 * FX_EINVAL: not an object; policy not an object; policy.name or
 * policy.resource not a non-empty string; account_id not 12 digits;
 * region not like eu-west-1; neither a resources array nor a resource
 * object; a mapped policy whose resource type is not in the list above
 * (the message names the type).
 */
fx_err evmap_custodian(const json_t *payload, const struct ev_map *m,
    struct ev_mapped_list *items, size_t *skipped, struct buf *err) FX_WUR;

#endif
