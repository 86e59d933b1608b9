/*
 * pb_r53_age.c - the eligibility of a hosted zone for route53-ns-only
 * (see pb_r53.h): its tags, and its age from CloudTrail.
 *
 * Route 53 answers no creation time for a zone. A zone that holds only
 * NS and SOA may be one someone created a minute ago and is about to
 * fill; so the age is the time since the newest CreateHostedZone or
 * ChangeResourceRecordSets of it in CloudTrail's event history, looked
 * up by the zone id as the resource name. Route 53 is global: its
 * events are recorded in us-east-1, whatever region a finding names.
 * No such event in the window: older than the window (the event
 * history reaches 90 days back, the window's limit). A lookup that
 * fails or is cut short tells nothing: the zone is not eligible.
 *
 * Requests (auditor role): CloudTrail LookupEvents in us-east-1.
 */
#include <stdio.h>

#include "fxtime.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "banned.h"

#define AGE_DAY	   86400
#define AGE_REGION "us-east-1"

static const char *const age_events[] = { "CreateHostedZone",
	"ChangeResourceRecordSets", NULL };

fx_err
r53_age_eligible(struct pb_ctx *x, const char *zid, const json_t *tags,
    struct pb_elig *e)
{
	int64_t days = pb_param_range(x, "min_age_days", 7, 1, 90);
	int64_t last = 0;
	char ago[32];
	fx_err rc;

	pb_elig_init(e);
	pb_elig_tags(x, e, tags, pb_param_str(x, "allow_tag", "fixit:allow"));
	if (!pb_elig_found(e))
		return FX_OK;
	rc = pb_sto_util_trail_in(x, AGE_REGION, zid, age_events,
	    x->now - days * AGE_DAY, &last);
	if (rc == FX_ENOMEM)
		return rc;
	if (rc != FX_OK) {
		/* deleting what fixit cannot date is the failure to avoid */
		pb_elig_exempt(e,
		    "cannot tell its age: its CloudTrail events were not "
		    "read (%s)",
		    fx_strerror(rc));
		return FX_OK;
	}
	if (last <= 0)
		return FX_OK;
	fx_duration_format(x->now - last, ago, sizeof(ago));
	pb_elig_exempt(e,
	    "created or its records changed %s ago (CloudTrail), within "
	    "min_age_days %lld",
	    ago, (long long)days);
	return FX_OK;
}

fx_err
r53_age_check(struct pb_ctx *x, const char *zid, const char *zname,
    const json_t *tags, enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *own = NULL;
	char what[128];
	fx_err rc;

	*v = PB_KEEP;
	if (tags == NULL) {
		rc = r53_zone_tags(x, zid, &own);
		if (rc != FX_OK)
			goto out;
		tags = own;
	}
	rc = r53_age_eligible(x, zid, tags, &e);
	if (rc != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "zone %.80s (%.32s)",
	    zname != NULL ? zname : "?", zid);
	*v = pb_elig_check(x, &e, what);
out:
	json_decref(own);
	return rc;
}
