/*
 * pb_lb_use.h - lb-unused's (pb_lb_unused.c) reading of what a load
 * balancer serves, and of the Route 53 names pointing at load balancers.
 *
 * Use (pb_lb_use_read), over the last idle_days, at daily periods:
 *   ELBv2  its target groups (DescribeTargetGroups, paged), each
 *          target's health (DescribeTargetHealth), CloudWatch
 *          HealthyHostCount Maximum per target group (AWS/ApplicationELB
 *          or AWS/NetworkELB, TargetGroup + LoadBalancer) and, for an
 *          ALB, RequestCount Sum (LoadBalancer);
 *   classic  its registered instances, AWS/ELB HealthyHostCount Maximum
 *          and RequestCount Sum (LoadBalancerName).
 * Reads stop at the first sign of use (a healthy target, an instance).
 * Read-only, as the auditor. Ownership: json_t arguments borrowed, *out
 * new references.
 */
#ifndef FIXIT_PB_LB_USE_H
#define FIXIT_PB_LB_USE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

/* one load balancer as read; strings borrowed from desc */
struct pb_lb {
	int classic;
	const json_t *desc;
	const char *name, *arn, *type, *dns, *created, *state;
	json_t *tags;  /* {key: value} */
	json_t *attrs; /* ELBv2 [{Key, Value}]; classic an object */
};

/* what it serves */
struct pb_lb_use {
	json_t *tgs; /* ELBv2: target groups, each with "Targets" */
	size_t targets, healthy, instances;
	size_t points, unknown; /* metric datapoints, unreadable ones */
	double hh_max, req_max;
};

void pb_lb_use_release(struct pb_lb_use *u); /* accepts a zeroed one */
/* what r serves (*u, released by the caller also on error) */
fx_err pb_lb_use_read(struct pb_ctx *x, int64_t idle_days,
    const struct pb_lb *r, struct pb_lb_use *u) FX_WUR;
/* unused: nothing registered or healthy now, nothing above 0 in the
 * window, no unreadable datapoint */
int pb_lb_use_none(const struct pb_lb_use *u);

/* a DNS name as compared: lower case, no trailing dot, no "dualstack." */
void pb_lb_use_dns_key(const char *s, char *out, size_t len);
/* every name the account's Route 53 record sets point at (CNAME values,
 * alias targets; all zones): *out {dns key: "record name (zone id)"} */
fx_err pb_lb_use_refs(struct pb_ctx *x, json_t **out) FX_WUR;

#endif
