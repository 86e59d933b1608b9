/*
 * aws_exec.h - the `aws` executor: the built-in playbooks run natively
 * against AWS, in the finding's account and region, through the roles
 * fixitd assumes there (aws.roles: auditor for reads, tagger for tags,
 * remediator for changes; arn:PARTITION:iam::ACCOUNT:role/NAME, with
 * aws.external_id, session "fixit-finding-ID" or "fixit-scan").
 *
 * A fix: check (re-read; gone or already right -> resolved, nothing
 * sent), fix (dry run: no mutating call, the plan is the prior state),
 * verify (not in dry run; a fix that did not take is a failure).
 * An undo: the playbook's undo with the stored prior state; a dry-run
 * "fix" has nothing to undo.
 *
 * The executor (aws_exec_ops in executor.c's table) prepares each aws
 * playbook at config load (its built-in, timeout, dry_run, params; no
 * AWS contact) and keeps one shared state, built by executors_new when a
 * playbook not off uses it: the credential source and the client
 * settings. Scans and events reach that state through aws_exec_shared.
 *
 * Thread-safe: fixes run on the timer thread, detection on the scan
 * workers, creator tags on the events thread; each call makes or is
 * given its own aws_client; the credential source is shared (it locks).
 * The shared state lives as long as the executor context.
 */
#ifndef FIXIT_AWS_EXEC_H
#define FIXIT_AWS_EXEC_H

#include <jansson.h>

#include "aws.h"
#include "executor.h"
#include "policy.h"

struct aws_exec;
struct ev_action;

/* the shared state in context x; NULL when no playbook not off uses the
 * aws executor (or x is NULL) */
struct aws_exec *aws_exec_shared(const struct executors *x);
/* 1 when pb runs with the aws executor */
int aws_exec_uses(const struct playbook *pb);

/* a client for one thread (free with aws_client_free) */
fx_err aws_exec_client(struct aws_exec *e, struct aws_client **out) FX_WUR;

/*
 * Detection of playbook pb in account a, region: appends what it found
 * (playbook.h, struct pb_found) to found, each with owner_email /
 * owner_slack_id from the owner tag (aws.owner_tag, else fixit:creator)
 * when present, and details.iac_owner when the resource is owned by
 * infrastructure as code (ev_owner_from_tags: then its finding only
 * notifies). *msg says what failed; FX_ETOOBIG past FX_MAX_DETECT_FOUND.
 */
struct pb_found_list;
fx_err aws_exec_detect(struct aws_exec *e, struct aws_client *c,
    const struct playbook *pb, const struct account *a, const char *region,
    struct pb_found_list *found, struct buf *msg) FX_WUR;

/* 1 when pb's built-in works on a global service (scanned once per
 * account, as region AWS_GLOBAL_REGION) */
#define AWS_GLOBAL_REGION "us-east-1"
int aws_exec_global(const struct playbook *pb);

/*
 * Tag what a person created with fixit:creator = actor (tagger role, in
 * account and region), for later findings' owners. created: an
 * EV_ACT_CREATED action (ev_act.h; EC2 ids or an RDS arn), borrowed.
 * Characters AWS refuses in tag values become '_'. *msg says what was
 * done or what failed.
 */
fx_err aws_exec_tag_creator(struct aws_exec *e, struct aws_client *c,
    const char *account, const char *region, const struct ev_action *created,
    const char *actor, struct buf *msg) FX_WUR;

#endif
