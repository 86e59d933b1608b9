/*
 * price.h - the price table shipped with fixit (deploy/prices.json) and
 * the arithmetic of a fix's saving (issue 16).
 *
 * A playbook states WHAT its fix removed, never dollars: its prior state
 * gets "usage": [{"item": KEY, "class": STRING or null, "qty": NUMBER}],
 * monthly quantities in the finding's region, negative for what the fix
 * adds (the snapshot kept for the undo). Keys: ebs_gb (class the volume
 * type), snapshot_gb ("ebs" | "rds"), rds_gb (the storage type),
 * eip_hour, ec2_instance_hour (instance type), rds_instance_hour (DB
 * instance class; a Multi-AZ instance states twice the hours),
 * redshift_node_hour (node type; qty nodes x hours), lb_hour
 * ("application" | "network" | "classic"), route53_zone (zones).
 *
 * The table file: {"as_of": "YYYY-MM-DD", "currency": "USD", "regions":
 * {"default": {ITEM: price | {CLASS: price}}, REGION: {...}}} plus any
 * other top-level strings (its notes). A unit price is the region's for
 * (item, class) when it has one, else default's; an item or class found
 * in neither is "unknown": the saving lists it and never counts it as 0.
 *
 * A table is read-only once loaded: shared by every thread without locks
 * (jansson lookups only read). Owned by the policy (policy_free).
 */
#ifndef FIXIT_PRICE_H
#define FIXIT_PRICE_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"

#define PRICE_MAX_FILE	  (1024 * 1024) /* bytes of the table file */
#define PRICE_MAX_REGIONS 64
#define PRICE_MAX_ITEMS	  64   /* items of one region */
#define PRICE_MAX_CLASSES 4096 /* classes of one item */
#define PRICE_MAX_NAME	  64   /* an item, class or region name */
#define PRICE_MAX_UNIT	  1e6  /* USD per unit, exclusive */
#define PRICE_MAX_USAGE	  64   /* entries of one usage array */
#define PRICE_MAX_QTY	  1e9  /* |qty| of one usage entry */
#define PRICE_HOURS	  730  /* hours in a month (AWS's figure) */

struct price_table;

/*
 * The table in file path into *out (the caller frees it): FX_ENOTFOUND
 * when the file does not exist (why untouched), FX_ECONFIG with why
 * saying what is wrong ("cannot read: ...", "line 3: ...", "regions.x:
 * ...") when it cannot be read or is not a valid table.
 */
fx_err price_load(const char *path, struct price_table **out,
    struct buf *why) FX_WUR;
/* the same from text (len bytes) */
fx_err price_parse(const char *text, size_t len, struct price_table **out,
    struct buf *why) FX_WUR;
void price_free(struct price_table *t); /* accepts NULL */
/* the table's date, "YYYY-MM-DD" (owned by t) */
const char *price_as_of(const struct price_table *t);

/*
 * The unit price of item (class cls, NULL for an item priced without
 * one) in region: 1 and *usd, else 0 (unknown).
 */
int price_unit(const struct price_table *t, const char *region,
    const char *item, const char *cls, double *usd);

/*
 * The saving of usage (a "usage" array as above) in region, t NULL
 * when fixit has no table: a new object {"cents": monthly USD x 100
 * rounded, of the priced entries; "unknown": ["item class", ...] the
 * entries not priced (and "invalid" for a malformed one), at most
 * PRICE_MAX_USAGE; "as_of": the table's date, absent without one}.
 * NULL when usage is not a non-empty array, or out of memory.
 */
json_t *price_saving(const struct price_table *t, const char *region,
    const json_t *usage);

/*
 * For playbooks: append {"item", "class", "qty"} to prior's "usage"
 * array (created when absent); cls may be NULL.
 */
fx_err price_usage_add(json_t *prior, const char *item, const char *cls,
    double qty) FX_WUR;

#endif
