/*
 * ev_map_int.h - what the two mappers (ev_map.c: Security Hub, the
 * checks and the records; ev_map_cu.c: Cloud Custodian) share; not for
 * use outside them. Pure, like ev_map.h: no state, any thread.
 */
#ifndef FIXIT_EV_MAP_INT_H
#define FIXIT_EV_MAP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "ev_map.h"
#include "fxerr.h"

#define EVMAP_MAX_QUOTE 64 /* bytes of input quoted in an error */
#define EVMAP_LOWER	"abcdefghijklmnopqrstuvwxyz"
#define EVMAP_DIGIT	"0123456789"

/* the parts of one record, borrowed from the input and the map */
struct evmap_parts {
	const char *playbook, *rule;	       /* from the map */
	const char *account;		       /* checked */
	const char *region, *id, *arn, *title; /* unchecked */
	size_t region_n, id_n, arn_n, title_n;
	int64_t observed_at; /* 0 when not known */
	int resolved;
	const json_t *tags; /* the resource's Tags, any shape */
};

/* reset err (may be NULL) to one sentence; returns rc */
fx_err evmap_fail(struct buf *err, fx_err rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* o.key as a borrowed string and its length (n may be NULL), or NULL */
const char *evmap_str(const json_t *o, const char *key, size_t *n);
/* like eu-west-1: [a-z0-9-], a letter first, a digit last, a '-' inside */
int evmap_region_ok(const char *s, size_t n);
/* 12 ASCII digits */
int evmap_account_ok(const char *s, size_t n);
/* o.key = s[0..n) */
fx_err evmap_setn(json_t *o, const char *key, const char *s, size_t n) FX_WUR;
/* o.key = s[0..n) cleaned for display, cut to FX_MAX_FIELD; left out if
 * nothing is left */
fx_err evmap_set_clean(json_t *o, const char *key, const char *s,
    size_t n) FX_WUR;
/* the entry of m for s[0..n), or NULL */
const struct ev_map_entry *evmap_find(const struct ev_map *m, const char *s,
    size_t n);
/*
 * The record of p appended to out; counted in *nskip instead when its id
 * or region is not acceptable. details (an object) is stolen either way.
 * An ARN that is not acceptable is left out. The title is p's, else
 * "<rule>: <id>", cleaned and cut to FX_MAX_TITLE. FX_ENOMEM.
 */
fx_err evmap_record(const struct evmap_parts *p, json_t *details,
    struct ev_mapped_list *out, size_t *nskip) FX_WUR;
/*
 * out's records moved to the end of items (out left empty), within
 * FX_MAX_INGEST_ITEMS; FX_ETOOBIG or FX_ENOMEM with err, items unchanged.
 */
fx_err evmap_commit(struct ev_mapped_list *items, struct ev_mapped_list *out,
    struct buf *err) FX_WUR;

#endif
