/*
 * ingest_json.h - a finding item of POST /v1/findings (docs/CONTRACTS.md
 * "A finding item") decoded into struct finding_in: the one place where
 * JSON becomes a finding. Scans and events build struct finding_in
 * themselves and only run sm_check_finding.
 */
#ifndef FIXIT_INGEST_JSON_H
#define FIXIT_INGEST_JSON_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxfinding.h"
#include "policy.h"

/*
 * Decode item i of a batch into *f (every pointer borrows from item,
 * which must outlive f) and check it (sm_check_finding). FX_EINVAL with
 * "findings[i].field: why" appended to err when it is not acceptable
 * (the first problem found: unknown fields, then each field's JSON type,
 * then its value, then the check; an unknown field's name quoted up to
 * 64 bytes, whole characters, "..." marking a cut; the text cut to err's
 * cap at a character boundary, never failing for length); FX_ENOMEM.
 */
fx_err ingest_json_item(const struct policy *pol, const json_t *item, size_t i,
    struct finding_in *f, struct buf *err) FX_WUR;

#endif
