/*
 * ev.h - EventBridge "AWS API Call via CloudTrail" events: check the
 * envelope, tell who made the call and whether a person did it by hand;
 * who owns a resource, from its tags.
 *
 * Pure: no I/O, no threads, no database, no network, no global state;
 * every function may run on any thread. The events are jansson values
 * owned by the caller; struct ev_info borrows strings from its event
 * (the event must outlive it) except the char arrays, which are copies.
 *
 * Order of use: ev_parse, ev_classify, then ev_actions (ev_act.h) or
 * ev_decide_cloudtrail (ev_decide.h). Name matching
 * (employee pattern, automation globs) is fnmatch(3) without flags on
 * lower-cased copies: case-insensitive, like IAM names and e-mail
 * addresses; '*' also matches '/'. A pattern or subject longer than
 * EV_MAX_GLOB bytes never matches.
 */
#ifndef FIXIT_EV_H
#define FIXIT_EV_H

#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

#define EV_DETAIL_TYPE "AWS API Call via CloudTrail"

/* limits of this module (candidates for common/fxlimits.h) */
#define EV_MAX_IDS	1000 /* ids in one action of one event */
#define EV_MAX_ID	128  /* envelope id */
#define EV_MAX_NAME	128  /* source, eventSource, eventName */
#define EV_MAX_REGION	32
#define EV_MAX_ARN	2048 /* an ARN copied into an action */
#define EV_MAX_GLOB	2048 /* longer patterns or subjects never match */
#define EV_MAX_DEPTH	32   /* nesting of responseElements walked */
#define EV_MAX_EMAIL	254  /* owner_email from a tag */
#define EV_MAX_IAC	256  /* "key=value" of iac_owner */
#define EV_MAX_SLACK_ID 32

struct ev_rules { /* from the config's events: section */
	/* fnmatch(3) glob on the actor, e.g. "*@example.com"; NULL =
	 * everyone is an employee */
	const char *employee_pattern;
	/* NULL-terminated globs matched against the role name AND the role
	 * ARN of the session issuer, and the IAM user name (deploy
	 * pipelines, IaC runners); may be NULL */
	const char *const *automation;
};

enum ev_verdict {
	EV_MANUAL = 0,	 /* a person changed something by hand */
	EV_READ_ONLY,	 /* detail.readOnly is true */
	EV_FAILED_CALL,	 /* detail.errorCode present */
	EV_AWS_SERVICE,	 /* invokedBy, AWSService, service-linked role */
	EV_AUTOMATION,	 /* issuer role / IAM user matches a glob */
	EV_NOT_EMPLOYEE, /* actor does not match employee_pattern */
	EV_NO_ACTOR	 /* no actor found (or not classified yet) */
};

struct ev_info {	/* pointers borrow from the event */
	const char *id; /* envelope id */
	/* envelope account/region (detail.recipientAccountId/awsRegion as
	 * fallback) */
	const char *account, *region;
	const char *aws_region;	   /* detail.awsRegion, else region */
	const char *event_source;  /* "ec2.amazonaws.com" */
	const char *event_name;	   /* "RunInstances" */
	const char *identity_type; /* userIdentity.type; "" when none */
	int64_t time;		   /* detail.eventTime, else envelope time */
	/* session name of an assumed role, the IAM user name, "root", the
	 * federated user's name or another type's userName; "" when none */
	char actor[256];
	char actor_arn[512]; /* userIdentity.arn */
	/* assumed role: sessionIssuer.userName (the role name) and arn;
	 * "" otherwise */
	char issuer[256];
	char issuer_arn[1024];
	enum ev_verdict verdict;
	const char *why; /* static sentence: why it is (not) manual */
};

/*
 * Validate the envelope: object, "id" (1..128 printable), "detail-type"
 * == EV_DETAIL_TYPE (another string: FX_ENOTFOUND, "not a CloudTrail API
 * call"), "source", "account" (12 digits), "region", "time" (ISO 8601),
 * "detail" object with eventName/eventSource strings; the userIdentity
 * fields copied must fit their arrays and have no control characters.
 * FX_EINVAL with a one-line reason appended to err (naming the field,
 * never quoting the value; err may be NULL) for bad input; FX_ENOMEM
 * when err cannot take it. Fills info (verdict EV_NO_ACTOR until
 * classified); on error info must not be used.
 */
fx_err ev_parse(const json_t *event, struct ev_info *info,
    struct buf *err) FX_WUR;

/*
 * Manual action rules: manual when it mutates (detail.readOnly is not
 * true), succeeded (no detail.errorCode), is not invoked by an AWS
 * service (detail.userIdentity.invokedBy or detail.invokedBy present,
 * userIdentity.type "AWSService", or an issuer role under the path
 * "aws-service-role/"), its issuer role/user does not match an
 * automation glob, it has an actor and the actor matches
 * employee_pattern. Checked in that order; sets verdict and why. r may
 * be NULL (no rules). event is the one given to ev_parse.
 */
void ev_classify(const struct ev_rules *r, const json_t *event,
    struct ev_info *info);

/* "manual", "read-only", ...: static, never NULL */
const char *ev_verdict_name(enum ev_verdict v);

/* an owner email as ev_owner_from_tags accepts it (one '@', no spaces,
 * <= EV_MAX_EMAIL bytes) */
int ev_is_email(const char *s);

struct ev_owner {		  /* who owns a resource, from its tags */
	const char *email;	  /* borrowed from the tags; NULL when none */
	const char *slack_id;	  /* borrowed from the tags; NULL when none */
	char iac[EV_MAX_IAC + 1]; /* "<key>=<value>"; "" when none */
};

/*
 * Owner and IaC ownership of a resource from its tags (object key ->
 * value; NULL or null = no tags). Owner: tags[owner_tag], else
 * tags["fixit:creator"] (owner_tag NULL: only the latter); a value with
 * one '@' (no spaces, <= EV_MAX_EMAIL bytes) is the owner's email, one
 * looking like a Slack user id (U or W, then upper-case letters and
 * digits, 2..EV_MAX_SLACK_ID bytes, as the ingest API takes them) the
 * owner's slack_id (at most one of the two is set); a tag that is
 * neither falls through to the next. IaC: "aws:cloudformation:stack-name",
 * else the first key of iac_tags (NULL-terminated, may be NULL) present
 * -> iac = "<key>=<value>" (<= EV_MAX_IAC bytes): the resource is
 * managed by that stack, so its finding only notifies. Values with
 * control characters or too long are ignored. *out borrows from tags.
 * FX_EINVAL when tags is neither an object nor NULL/null (*out is then
 * empty).
 */
fx_err ev_owner_from_tags(const json_t *tags, const char *owner_tag,
    const char *const *iac_tags, struct ev_owner *out) FX_WUR;

#endif
