/*
 * pb_lb_prior.h - what lb-unused (pb_lb_unused.c) shares with its prior
 * state and undo (pb_lb_undo.c): the ELB listings (Marker / NextMarker
 * paging), the Query flattening of a described structure back into
 * request parameters, the prior of an ELBv2 load balancer's listeners,
 * rules and target groups.
 *
 * ELB answers arrive as jansson by the aws_xml.h rules: every value a
 * string, every <member> list an array, an empty list "". A described
 * structure is sent back by flattening it the way the Query protocol
 * names members: an object's keys as PREFIX.Key, an array's elements as
 * PREFIX.member.N (N from 1); empty strings are left out.
 *
 * Ownership: json_t arguments are borrowed; *out values are new
 * references owned by the caller.
 */
#ifndef FIXIT_PB_LB_PRIOR_H
#define FIXIT_PB_LB_PRIOR_H

#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

#define LB_NOTFOUND    "LoadBalancerNotFound"
#define LB_TG_NOTFOUND "TargetGroupNotFound"

/*
 * Page through an ELB or ELBv2 listing: action with params plus Marker
 * (the answer's NextMarker) until there is none; fn gets each element of
 * ACTIONResult/list. Read-only (auditor). FX_ETOOBIG past
 * FX_MAX_AWS_PAGES.
 */
fx_err pb_lb_prior_pages(struct pb_ctx *x, enum aws_svc svc, const char *action,
    const json_t *params, const char *list, pb_item_fn fn, void *arg) FX_WUR;
/* every element of the listing as one array (*out) */
fx_err pb_lb_prior_all(struct pb_ctx *x, enum aws_svc svc, const char *action,
    const json_t *params, const char *list, json_t **out) FX_WUR;

/* v (a described string, object or array) as Query parameters under
 * prefix; FX_ETOOBIG past a name of 256 bytes or too deep */
fx_err pb_lb_prior_flatten(json_t *params, const char *prefix,
    const json_t *v) FX_WUR;

/*
 * The listeners of ELBv2 load balancer arn (DescribeListeners), each
 * with "Rules": its rules but the default one (DescribeRules), and a
 * TLS one with "ExtraCertificates": those besides its default
 * (DescribeListenerCertificates): *out an array.
 */
fx_err pb_lb_prior_listeners(struct pb_ctx *x, const char *arn,
    json_t **out) FX_WUR;

/*
 * To each target group of the array tgs (ELBv2 descriptions): its
 * "Attributes" (DescribeTargetGroupAttributes) and "Tags" ({key:
 * value}, DescribeTags), for an undo that must make it again.
 */
fx_err pb_lb_prior_tgs(struct pb_ctx *x, json_t *tgs) FX_WUR;

#endif
