/*
 * pb_eip_unassociated.c - playbook "eip-unassociated": Elastic IPs that
 * are attached to nothing cost money and are released.
 *
 * Irreversible: a released address goes back to AWS's pool and cannot be
 * asked back; the prior state keeps what it was, for the record only.
 *
 *   detect  DescribeAddresses: addresses with an allocationId and with
 *           neither associationId, networkInterfaceId nor instanceId,
 *           and without the allow tag.
 *   check   DescribeAddresses AllocationId.1: InvalidAllocationID.NotFound
 *           -> GONE; attached or allow-tagged -> RIGHT.
 *   fix     re-read (refuses if it got attached or allow-tagged since),
 *           CreateTags fixit:action=release, then ReleaseAddress
 *           AllocationId. prior {public_ip, allocation_id, domain, tags}.
 *   verify  DescribeAddresses AllocationId.1: NotFound (or absent) ->
 *           released; still listed -> the fix did not take.
 *   undo    none.
 *
 * Parameters:
 *   allow_tag  tag key exempting an address, any value (default
 *              "fixit:allow")
 */
#include <stdio.h>

#include "fxlimits.h"
#include "pb_ec2_util.h"
#include "playbook.h"
#include "banned.h"

#define EIP_NOTFOUND "InvalidAllocationID.NotFound"

enum eip_use { EIP_FREE = 0, EIP_ATTACHED, EIP_ALLOWED };

static int
has_value(const json_t *addr, const char *key)
{
	const char *v = aws_j_str(addr, key);

	return v != NULL && *v != '\0';
}

/* why an address is not to be released, or EIP_FREE */
static enum eip_use
eip_use(const struct pb_ctx *x, const json_t *addr)
{
	const char *allow = pb_param_str(x, "allow_tag", "fixit:allow");

	/* instanceId too: an EC2-Classic association has no associationId */
	if (has_value(addr, "associationId") ||
	    has_value(addr, "networkInterfaceId") ||
	    has_value(addr, "instanceId"))
		return EIP_ATTACHED;
	if (pb_ec2_util_tag(aws_j_list(addr, "tagSet"), allow) != NULL)
		return EIP_ALLOWED;
	return EIP_FREE;
}

static fx_err
detect_address(struct pb_ctx *x, const json_t *addr, void *found)
{
	char title[FX_MAX_TITLE];
	const char *alloc = aws_j_str(addr, "allocationId");
	const char *ip = aws_j_str(addr, "publicIp");

	if (alloc == NULL || *alloc == '\0' || eip_use(x, addr) != EIP_FREE)
		return FX_OK;
	snprintf(title, sizeof(title),
	    "Elastic IP %.64s is not attached to "
	    "anything",
	    ip != NULL ? ip : alloc);
	return pb_ec2_util_found(x, found, "elastic-ip", alloc, title,
	    json_pack("{s:s?, s:s?, s:s}", "public_ip", ip, "domain",
		aws_j_str(addr, "domain"), "allocation_id", alloc),
	    addr);
}

static fx_err
eip_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	json_t *p = json_object();
	fx_err rc = FX_ENOMEM;

	if (p == NULL)
		goto out;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeAddresses", p,
	    "addressesSet", "nextToken", detect_address, found);
out:
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
	} else if (eip_use(x, addr) == EIP_ATTACHED) {
		*v = PB_RIGHT;
		pb_say(x, "the address is attached now");
	} else if (eip_use(x, addr) == EIP_ALLOWED) {
		*v = PB_RIGHT;
		pb_say(x, "the address carries the allow tag");
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
	if (eip_use(x, addr) != EIP_FREE) {
		pb_say(x, "attached or allow-tagged now: not released");
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
