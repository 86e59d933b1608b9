/*
 * ev_decide_int.h - what ev_decide.c and ev_watch.c share; not for use
 * outside events/. Pure, like ev_decide.h.
 */
#ifndef FIXIT_EV_DECIDE_INT_H
#define FIXIT_EV_DECIDE_INT_H

#include <jansson.h>

#include "ev_decide.h"
#include "fxlimits.h"

#define RID_SIZE 300 /* "s3:" + a bucket name, an instance id */

/* what one finding of a decision points into */
struct ev_fmem {
	json_t *details; /* a reference */
	char resource_id[RID_SIZE];
	char title[FX_MAX_TITLE + 1];
	char owner_email[EV_MAX_EMAIL + 1];
	char owner_slack_id[EV_MAX_SLACK_ID + 1];
};

void ev_fmem_free(struct ev_fmem *m); /* accepts NULL */
/* f (pointing into m) and m added to d; m is freed when that fails */
fx_err ev_add_finding(struct ev_decision *d, struct ev_fmem *m,
    const struct finding_in *f) FX_WUR;
/* the fact (stolen; NULL: FX_ENOMEM) to tell kind/email */
fx_err ev_add_msg(struct ev_decision *d, enum ev_msg_kind kind,
    const char *email, json_t *fact) FX_WUR;

/* ---- ev_watch.c ---------------------------------------------------------- */

/* key if it is one of s's decoy keys (and s has a honeypot playbook) */
const char *ev_decoy_of(const struct ev_settings *s, const char *key);
/* the finding and page of a CloudTrail call signed with decoy key */
fx_err ev_decoy_call(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event, const char *key,
    struct ev_decision *d) FX_WUR;
/* the same for the first finding of a Security Hub event whose resource
 * is an AwsIamAccessKey with a decoy id */
fx_err ev_decoy_asff(const struct ev_settings *s, const json_t *event,
    struct ev_decision *d) FX_WUR;
/* a secret read from CloudShell: its finding and the admins' message */
fx_err ev_cloudshell(const struct ev_settings *s, const struct ev_account *a,
    const struct ev_info *info, const json_t *event,
    struct ev_decision *d) FX_WUR;

#endif
