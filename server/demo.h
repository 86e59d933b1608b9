/*
 * demo.h - `fixitd --demo`: short durations and a few sample findings, so
 * that a newcomer watches notify -> reminder -> deadline -> fix in the log
 * within a minute.
 */
#ifndef FIXIT_DEMO_H
#define FIXIT_DEMO_H

#include "config.h"
#include "dbwriter.h"
#include "fxerr.h"

/* shorten every playbook's grace (30 s) and reminder (15 s); before any
 * thread starts */
void demo_shorten(struct config *cfg);
/* ingest the sample findings into the configured accounts/playbooks */
fx_err demo_seed(struct dbw *w, const struct config *cfg) FX_WUR;

#endif
