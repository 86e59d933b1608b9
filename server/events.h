/*
 * events.h - the events thread: processes what POST /v1/events and
 * POST /v1/custodian stored, in arrival order, once each.
 *
 *   CloudTrail API calls (ev.h): a person's RunInstances in a production
 *   account -> a quarantine finding per instance (notify-only when the
 *   same person launched more than events.launch_batch instances within
 *   events.launch_window: scripted batch work); DeleteBucket /
 *   DeleteLoadBalancer (anyone) -> a dangling-dns finding at once;
 *   CreateUser by a person -> the admins and the actor told; anything a
 *   person creates -> tagged fixit:creator (events.tag_creator, needs an
 *   aws playbook so that AWS is set up).
 *   Security Hub findings and Cloud Custodian payloads (ev_map.h) ->
 *   findings of the playbooks the config maps their rules to.
 * Owners: the actor (an email) for CloudTrail findings; the owner tag,
 * else fixit:creator, for the others; IaC-owned resources
 * (aws:cloudformation:stack-name or events.iac_tags) notify only.
 *
 * An event's findings, messages and its "done" mark are one transaction:
 * a crash repeats an event at most up to its AWS tag calls (idempotent),
 * never its findings. A database failure leaves it pending for the next
 * round; an event that cannot be processed is marked error with why.
 */
#ifndef FIXIT_EVENTS_H
#define FIXIT_EVENTS_H

#include "app.h"
#include "ev_map.h"
#include "fxerr.h"

struct events;
struct aws_exec;

/* aws may be NULL (no aws playbook: no creator tags) */
fx_err events_start(struct app *app, struct aws_exec *aws,
    struct events **out) FX_WUR;
void events_stop(struct events *e); /* accepts NULL */
/* hand over an event just stored (after its commit) with its parsed
 * JSON (stolen: the events thread owns it from here); when the queue is
 * full the event waits in the store for the next sweep */
void events_queue(struct events *e, const char *id, const char *kind,
    json_t *doc);
/* the configured rule -> playbook maps (NULL-safe) */
const struct ev_map *events_map_securityhub(const struct events *e);
const struct ev_map *events_map_custodian(const struct events *e);

#endif
