/*
 * playbook.h - the built-in AWS playbooks and what they are given.
 *
 * A playbook is one file in remediation/playbooks/ defining a
 * const struct pb_def, listed once in playbook.c's registry. Its steps:
 *
 *   detect  scan one account and region; append one object per finding
 *           to the array `found` (keys below). Read-only (auditor role).
 *   check   re-read the resource right before fixing: PB_WRONG (fix it),
 *           PB_GONE or PB_RIGHT (nothing to do: the finding is resolved).
 *   fix     change the resource (remediator role) and tag it (tagger
 *           role); *prior = what undo needs (a new JSON object). In
 *           dry-run, pb_call never sends a mutating call; the playbook
 *           still walks its steps and *prior records what it would do.
 *   verify  re-read after the fix: *ok = 0 when it did not take.
 *   undo    restore from prior (NULL when AWS cannot undo the fix).
 *
 * A found object: {"resource_id", "resource_arn" (opt), "title",
 * "details" (object), "tags" (object of the resource's tags, opt)}.
 * The finding handed to check/fix/verify/undo is the stored finding
 * (db finding_to_json: "id", "playbook", "account_id", "region",
 * "resource_id", "resource_arn", "details", ...).
 *
 * Every step returns FX_OK or an error with a sentence in x->msg (an
 * AWS error: code, message, request id). Steps run on one thread with
 * their own context; they never touch the database or Slack.
 */
#ifndef FIXIT_PLAYBOOK_H
#define FIXIT_PLAYBOOK_H

#include <stdint.h>
#include <jansson.h>

#include "aws.h"
#include "buf.h"
#include "fxerr.h"

enum pb_role { PB_AUDITOR = 0, PB_TAGGER, PB_REMEDIATOR, PB_ROLE__COUNT };
enum pb_verdict { PB_WRONG = 0, PB_GONE, PB_RIGHT };

#define PB_TAG_PREFIX	"fixit:"

struct aws_credsrc;

/* what a playbook run may use; filled by remediation/aws_exec.c */
struct pb_ctx {
	struct aws_client *client;
	struct aws_credsrc *creds;
	const char *account_id;
	const char *region;
	const char *role_arn[PB_ROLE__COUNT];	/* per-account roles */
	const char *external_id;		/* or NULL */
	const char *session;			/* STS session name */
	const char *playbook;			/* configured name */
	int64_t finding_id;			/* 0 in detect */
	int dry_run;
	int64_t now;				/* unix seconds */
	int64_t deadline_ms;	/* fx_mono_ms() by which a step must end
				 * (executor timeout, within the lease); 0 =
				 * none. Waits (snapshots, ...) stop there. */
	const json_t *params;	/* playbook params object (may be NULL) */
	struct buf *msg;	/* outcome sentence(s) for the history */
	json_t *planned;	/* dry run: array of calls not sent */
	unsigned long calls;	/* AWS calls sent */
};

struct pb_def {
	const char *name;
	const char *summary;	/* what the fix does, one line */
	int irreversible;	/* undo == NULL: message says so */
	int global;		/* the service is global (Route 53): a scan
				 * runs detect once per account, region
				 * us-east-1 */
	fx_err (*detect)(struct pb_ctx *x, json_t *found);
	fx_err (*check)(struct pb_ctx *x, const json_t *finding,
	    enum pb_verdict *v);
	fx_err (*fix)(struct pb_ctx *x, const json_t *finding,
	    json_t **prior);
	fx_err (*verify)(struct pb_ctx *x, const json_t *finding,
	    const json_t *prior, int *ok);
	fx_err (*undo)(struct pb_ctx *x, const json_t *finding,
	    const json_t *prior);
};

/* the registry; NULL when unknown */
const struct pb_def *pb_find(const char *name);
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
/* the playbook parameter key as an integer/string, or def */
int64_t pb_param_int(const struct pb_ctx *x, const char *key, int64_t def);
const char *pb_param_str(const struct pb_ctx *x, const char *key,
    const char *def);
/*
 * EC2 CreateTags on ids (NULL-terminated) with the fixit: tags
 * (playbook, finding, action, time) plus extra (object of string
 * values, fixit: keys only; may be NULL). Tagger role. Never touches
 * other tags.
 */
fx_err pb_tag_ec2(struct pb_ctx *x, const char *const *ids,
    const char *action, const json_t *extra) FX_WUR;
/* EC2 "tagSet" list -> {"Key": "Value"} (new reference) */
json_t *pb_ec2_tags(const json_t *tag_set);
/* add EC2 Filter.N.Name / Filter.N.Value.1 to params */
fx_err pb_ec2_filter(json_t *params, int n, const char *name,
    const char *value) FX_WUR;
/*
 * Page through a Query/EC2 listing: calls action with params plus
 * NextToken until none; for each page, each element of list_path is
 * passed to fn (return non-FX_OK to stop). Read-only.
 */
typedef fx_err (*pb_item_fn)(struct pb_ctx *x, const json_t *item,
    void *arg);
fx_err pb_list(struct pb_ctx *x, enum pb_role role, enum aws_svc svc,
    const char *action, const json_t *params, const char *list_path,
    const char *token_path, pb_item_fn fn, void *arg) FX_WUR;
/* append a found object (see above); tags may be NULL (stolen refs) */
fx_err pb_found(json_t *found, const char *resource_id, const char *arn,
    const char *title, json_t *details, json_t *tags) FX_WUR;

#endif
