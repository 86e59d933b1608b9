/*
 * pb_eip_unassociated.c - playbook "eip-unassociated": Elastic IPs that
 * are attached to nothing cost money and are released.
 *
 * Irreversible: a released address goes back to AWS's pool and cannot be
 * asked back; the prior state keeps what it was, for the record only.
 *
 * Eligibility (eip_eligible, the same in detect, check and fix): not
 * allow-tagged, and no AllocateAddress, AssociateAddress or
 * DisassociateAddress of it in CloudTrail for min_age_days: an address
 * just allocated or just detached is likely in the middle of a deploy
 * or a failover. EC2 records no allocation time, so CloudTrail (looked
 * up by the allocation id, as it names the address) is the age; when it
 * cannot be read the address is skipped, or the fix retried. IaC-owned
 * (aws:cloudformation:stack-name, events.iac_tags): found, notify only.
 *
 *   detect  DescribeAddresses: addresses with an allocationId and with
 *           neither associationId, networkInterfaceId nor instanceId,
 *           and eligible: the region's AllocateAddress, AssociateAddress
 *           and DisassociateAddress events read once (LookupEvents
 *           EventName=..., paged; pb_sto_util_trail_of) when the first
 *           such address asks, not once per address.
 *   check   DescribeAddresses AllocationId.1: InvalidAllocationID.NotFound
 *           -> GONE; attached -> RIGHT; a guard applies -> KEEP.
 *   fix     re-read (refuses if it got attached or a guard applies
 *           since), CreateTags fixit:action=release, then ReleaseAddress
 *           AllocationId. prior {public_ip, allocation_id, domain, tags,
 *           usage: 730 eip_hour (price.h)}.
 *   verify  DescribeAddresses AllocationId.1: NotFound (or absent) ->
 *           released; still listed -> the fix did not take.
 *   undo    none.
 *
 * Parameters:
 *   allow_tag     tag key exempting an address, any value (default
 *                 "fixit:allow")
 *   min_age_days  days without an allocation, association or
 *                 disassociation before an address is released (default
 *                 7; 1..90, CloudTrail's event history)
 */
#include <stdio.h>

#include "fxlimits.h"
#include "pb_ec2_util.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "price.h"
#include "banned.h"

#define EIP_NOTFOUND "InvalidAllocationID.NotFound"

#define EIP_DAY 86400

static const char *const eip_events[] = { "AllocateAddress", "AssociateAddress",
	"DisassociateAddress", NULL };

static int
has_value(const json_t *addr, const char *key)
{
	const char *v = aws_j_str(addr, key);

	return v != NULL && *v != '\0';
}

/* the misconfiguration's opposite: the address is in use */
static int
eip_attached(const json_t *addr)
{
	/* instanceId too: an EC2-Classic association has no associationId */
	return has_value(addr, "associationId") ||
	       has_value(addr, "networkInterfaceId") ||
	       has_value(addr, "instanceId");
}

/*
 * The guards of eip-unassociated (playbook.h, eligibility): detect,
 * check and fix call this one function, so a posted finding meets the
 * same guards as a scanned one. CloudTrail is read only when the tags
 * leave the address eligible: in detect the region's events, once for
 * all addresses (trail); in check and fix the address's own (NULL).
 */
static fx_err
eip_eligible(struct pb_ctx *x, const json_t *addr, struct pb_trail *trail,
    struct pb_elig *e)
{
	const char *alloc = aws_j_str(addr, "allocationId");
	int64_t days = pb_param_range(x, "min_age_days", 7, 1, 90);
	int64_t last = 0;
	json_t *tags;
	fx_err rc;

	pb_elig_init(e);
	if ((tags = pb_ec2_tags(aws_j_list(addr, "tagSet"))) == NULL)
		return FX_ENOMEM;
	pb_elig_tags(x, e, tags, pb_param_str(x, "allow_tag", "fixit:allow"));
	json_decref(tags);
	if (!pb_elig_found(e) || alloc == NULL)
		return FX_OK;
	rc = pb_sto_util_trail_of(x, trail, eip_events, x->now - days * EIP_DAY,
	    alloc, &last);
	if (rc != FX_OK)
		return rc;
	if (last > 0)
		pb_elig_exempt(e,
		    "allocated, associated or disassociated %lld h ago, "
		    "within %lld days",
		    (long long)((x->now - last) / 3600), (long long)days);
	return FX_OK;
}

/* eip_eligible on addr, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
eip_guards(struct pb_ctx *x, const json_t *addr, enum pb_verdict *v)
{
	struct pb_elig e;
	char what[96];
	fx_err rc;

	if ((rc = eip_eligible(x, addr, NULL, &e)) != FX_OK)
		return rc;
	snprintf(what, sizeof(what), "Elastic IP %s",
	    aws_j_str(addr, "allocationId") ? aws_j_str(addr, "allocationId")
					    : "?");
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

struct eip_scan {
	struct pb_found_list *found;
	struct pb_trail trail; /* the region's address events */
};

static fx_err
detect_address(struct pb_ctx *x, const json_t *addr, void *arg)
{
	struct eip_scan *sc = arg;
	char title[FX_MAX_TITLE];
	const char *alloc = aws_j_str(addr, "allocationId");
	const char *ip = aws_j_str(addr, "publicIp");
	struct pb_elig e;
	fx_err rc;

	if (alloc == NULL || *alloc == '\0' || eip_attached(addr))
		return FX_OK;
	/* without the events a fresh allocation may be missed: skip it */
	if ((rc = eip_eligible(x, addr, &sc->trail, &e)) != FX_OK)
		return pb_sto_util_skip(x, rc, alloc, "CloudTrail events");
	if (!pb_elig_found(&e))
		return FX_OK;
	snprintf(title, sizeof(title),
	    "Elastic IP %.64s is not attached to "
	    "anything",
	    ip != NULL ? ip : alloc);
	return pb_ec2_util_found(x, sc->found, "elastic-ip", alloc, title,
	    json_pack("{s:s?, s:s?, s:s}", "public_ip", ip, "domain",
		aws_j_str(addr, "domain"), "allocation_id", alloc),
	    addr);
}

static fx_err
eip_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct eip_scan sc;
	json_t *p = json_object();
	fx_err rc = FX_ENOMEM;

	sc.found = found;
	pb_trail_init(&sc.trail);
	if (p == NULL)
		goto out;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeAddresses", p,
	    "addressesSet", "nextToken", detect_address, &sc);
out:
	pb_trail_release(&sc.trail);
	json_decref(p);
	return rc;
}

/*
 * DescribeAddresses AllocationId.1 = the finding's resource (*alloc);
 * *addr (borrowed from resp) is NULL when AWS says it does not exist.
 */
static fx_err
eip_read(struct pb_ctx *x, const json_t *finding, struct aws_resp *resp,
    const char **alloc, const json_t **addr)
{
	fx_err rc;

	*addr = NULL;
	if ((rc = pb_resource(x, finding, alloc)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeAddresses",
	    json_pack("{s:s}", "AllocationId.1", *alloc), 0, resp);
	if (pb_is_error(rc, resp, EIP_NOTFOUND))
		rc = FX_OK;
	else if (rc != FX_OK)
		goto out;
	if ((*addr = pb_item(resp->doc, "addressesSet", "allocationId",
		 *alloc)) == NULL)
		pb_say(x, "the address no longer exists");
out:
	return rc;
}

static fx_err
eip_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	const json_t *addr = NULL;
	const char *alloc;
	fx_err rc;

	aws_resp_init(&resp);
	*v = PB_WRONG;
	if ((rc = eip_read(x, finding, &resp, &alloc, &addr)) != FX_OK)
		goto out;
	if (addr == NULL) {
		*v = PB_GONE;
	} else if (eip_attached(addr)) {
		*v = PB_RIGHT;
		pb_say(x, "the address is attached now");
	} else {
		rc = eip_guards(x, addr, v);
	}
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
eip_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp, rel;
	const json_t *addr = NULL;
	const char *alloc;
	enum pb_verdict v;
	json_t *p = NULL;
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	aws_resp_init(&rel);
	if ((rc = eip_read(x, finding, &resp, &alloc, &addr)) != FX_OK)
		goto out;
	if (addr == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	/* irreversible: never on a changed answer */
	if (eip_attached(addr)) {
		pb_say(x, "attached now: not released");
		rc = FX_ECONFLICT;
		goto out;
	}
	if ((rc = eip_guards(x, addr, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	p = json_pack("{s:s?, s:s, s:s?, s:o}", "public_ip",
	    aws_j_str(addr, "publicIp"), "allocation_id", alloc, "domain",
	    aws_j_str(addr, "domain"), "tags",
	    pb_ec2_tags(aws_j_list(addr, "tagSet")));
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	/* an idle public IPv4 address is billed by the hour */
	if ((rc = price_usage_add(p, "eip_hour", NULL, PRICE_HOURS)) != FX_OK)
		goto out;
	if ((rc = pb_tag_ec2(x, alloc, "release", NULL)) != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "ReleaseAddress",
	    json_pack("{s:s}", "AllocationId", alloc), 1, &rel);
	if (rc != FX_OK)
		goto out;
	pb_say(x, "%s %s", x->dry_run ? "would release" : "released",
	    aws_j_str(addr, "publicIp") ? aws_j_str(addr, "publicIp") : alloc);
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&rel);
	aws_resp_release(&resp);
	return rc;
}

static fx_err
eip_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	const json_t *addr = NULL;
	const char *alloc;
	fx_err rc;

	*ok = 0;
	aws_resp_init(&resp);
	if ((rc = eip_read(x, finding, &resp, &alloc, &addr)) != FX_OK)
		goto out;
	*ok = addr == NULL;
	if (!*ok)
		pb_say(x, "the address is still allocated");
	else
		pb_say(x, "verified: released");
out:
	aws_resp_release(&resp);
	return rc;
}

const struct pb_def pb_eip_unassociated = {
	.name = "eip-unassociated",
	.summary = "release Elastic IPs attached to nothing",
	.irreversible = 1,
	.detect = eip_detect,
	.check = eip_check,
	.fix = eip_fix,
	.verify = eip_verify,
	.undo = NULL,
};
