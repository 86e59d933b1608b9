/*
 * pb_lb_undo.h - lb-unused's undo (pb_lb_undo.c), from the prior state
 * its fix recorded (pb_lb_unused.c).
 */
#ifndef FIXIT_PB_LB_UNDO_H
#define FIXIT_PB_LB_UNDO_H

#include <jansson.h>

#include "fxerr.h"
#include "playbook.h"

/*
 * Undo from a prior state made by lb-unused's fix: re-create the load
 * balancer under its name with its subnets, groups, scheme, attributes
 * and the user's tags (plus fixit:restored-from), then (ELBv2) its
 * target groups that are gone, its listeners and their rules; classic:
 * its listeners, health check and attributes. FX_ECONFLICT when a load
 * balancer of that name exists. The new DNS name goes into x->msg.
 */
fx_err pb_lb_undo_run(struct pb_ctx *x, const json_t *prior) FX_WUR;

#endif
