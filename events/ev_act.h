/*
 * ev_act.h - what a CloudTrail API call asks of fixit: typed actions
 * read from a parsed, classified event (ev.h).
 *
 * Pure: no I/O, no state; any thread. The event and info are borrowed;
 * every string of an action is a copy owned by its list, which the
 * caller owns and releases with ev_action_list_release (on success and
 * on failure alike).
 */
#ifndef FIXIT_EV_ACT_H
#define FIXIT_EV_ACT_H

#include <stddef.h>
#include <jansson.h>

#include "ev.h"
#include "fxerr.h"

enum ev_action_kind {
	/* ec2 RunInstances: ids from responseElements.instancesSet.items[] */
	EV_ACT_LAUNCH = 0,
	/* s3 DeleteBucket (requestParameters.bucketName), or
	 * elasticloadbalancing DeleteLoadBalancer: ELBv2 loadBalancerArn
	 * ".../loadbalancer/app|net/NAME/ID" (arn set), classic
	 * loadBalancerName (arn NULL); ec2 ReleaseAddress (publicIp or
	 * allocationId), cloudfront DeleteDistribution (id), apigateway
	 * DeleteDomainName (domainName; v1 and v2 alike), elasticbeanstalk
	 * TerminateEnvironment (responseElements.cNAME, else
	 * requestParameters.environmentName); region is info->aws_region */
	EV_ACT_DANGLING,
	/* iam CreateUser: name, and arn when the response has one */
	EV_ACT_NEW_USER,
	/* something a person made, to tag with its creator: EC2 ids (see
	 * ev_actions) or an RDS arn */
	EV_ACT_CREATED
};

enum ev_resource {
	EV_RES_NONE = 0,   /* launch, new user */
	EV_RES_S3,	   /* dangling: a bucket */
	EV_RES_ELB,	   /* dangling: a load balancer */
	EV_RES_EC2,	   /* created: EC2 resources (ids) */
	EV_RES_RDS,	   /* created: an RDS resource (arn) */
	EV_RES_EIP,	   /* dangling: a released Elastic IP (publicIp, else
			  * allocationId) */
	EV_RES_CLOUDFRONT, /* dangling: a deleted distribution (its id) */
	EV_RES_APIGW,	   /* dangling: an API Gateway custom domain name */
	EV_RES_BEANSTALK   /* dangling: a terminated environment's CNAME
			    * (else its name) */
};

struct ev_action {
	enum ev_action_kind kind;
	enum ev_resource res;
	/* launch: instance ids; created EC2: resource ids; unique, at most
	 * EV_MAX_IDS */
	char **ids;
	size_t nids;
	/* launch: every valid id, those past EV_MAX_IDS included (more
	 * than nids: the list was cut) */
	size_t count;
	char *name;   /* dangling: bucket or LB name; new user: user name */
	char *region; /* dangling */
	char *arn;    /* dangling ELBv2, new user (or NULL), created RDS */
};

struct ev_action_list {
	struct ev_action *v;
	size_t n;
};
#define EV_ACTION_LIST_INIT                                                    \
	{                                                                      \
		NULL, 0                                                        \
	}

/*
 * What the event asks for, appended to out in this order: dangling,
 * launch, new user, created EC2, created RDS.
 *  - created EC2: ec2 events named Create/Run/Allocate/Copy/Import/
 *    Register + noun: the ids anywhere in responseElements under the id
 *    keys of that noun only (RunInstances: instanceId,
 *    networkInterfaceId; CreateVolume: volumeId; CreateImage/CopyImage/
 *    RegisterImage: imageId; ...), so the VPC, subnet, AMI or snapshot a
 *    resource was made from is never reported as created;
 *  - created RDS: rds Create* / Restore*: the first of
 *    responseElements.dBInstanceArn, dBClusterArn, dBSnapshotArn, ...
 *    (top level only).
 * Only for events whose verdict is EV_MANUAL, except dangling, made for
 * every successful delete above whoever did it (a
 * deleted name can be taken over regardless). Failed calls (errorCode)
 * produce nothing; malformed names and ids are skipped. FX_EINVAL when
 * out is NULL or event has no detail object; FX_ENOMEM (out then holds
 * what was read before).
 */
fx_err ev_actions(const struct ev_info *info, const json_t *event,
    struct ev_action_list *out) FX_WUR;

/* frees every action and empties l; accepts NULL */
void ev_action_list_release(struct ev_action_list *l);

#endif
