/*
 * pb_route53_ns_only.c - "route53-ns-only": hosted zones that hold only
 * their apex NS and SOA records. They answer nothing, cost a monthly
 * fee, and a zone left delegated but empty invites confusion (or a
 * takeover of the delegation); the fix deletes the zone.
 *
 * detect  ListHostedZones (private zones skipped unless include_private);
 *         zones with ResourceRecordSetCount <= 2 are confirmed with
 *         ListResourceRecordSets, tags from ListTagsForResource.
 *         resource_id = zone id (no "/hostedzone/"), arn
 *         arn:aws:route53:::hostedzone/ZID, details {name, private,
 *         record_count, comment}.
 *         A public zone still delegated to (below) is reported with
 *         details "delegation" {parents: [{account, zone_id,
 *         zone_name}], public_ns: [..]}, and "notify_only": true
 *         unless the delegation is to be removed first (delegated:
 *         remove, and every public NS is one fixit can remove).
 * check   GetHostedZone: NoSuchHostedZone -> GONE; a record set other
 *         than the apex NS and SOA -> RIGHT; else WRONG, when the
 *         delegation allows it (below; FX_ECONFLICT otherwise).
 * fix     GetHostedZone, ListResourceRecordSets, ListTagsForResource
 *         (the prior state); refuses when other records appeared or
 *         the delegation forbids it (checked again);
 *         ChangeTagsForResource (fixit: tags, action "delete-zone");
 *         with delegated: remove, each parent's NS record set:
 *         ChangeTagsForResource on the parent zone ("remove-delegation")
 *         and a ChangeResourceRecordSets DELETE, in the parent's
 *         account; DeleteHostedZone.
 * verify  GetHostedZone answers NoSuchHostedZone.
 * undo    CreateHostedZone (CallerReference "fixit-undo-FINDING-NOW";
 *         a zone this finding's undo created before is reused), the
 *         other VPCs of a private zone with AssociateVPCWithHostedZone,
 *         ChangeTagsForResource (the recorded tags back, plus fixit:
 *         tags, action "undo-delete-zone"), and a CREATE of recorded
 *         records other than NS and SOA (normally none). The new zone
 *         has new name servers: a removed parent delegation is created
 *         again with them ("undo-remove-delegation"); one elsewhere (a
 *         registrar) must be updated by hand.
 * prior   {"zone_id", "name", "comment", "private", "caller_reference",
 *         "vpcs": [{VPCRegion, VPCId}], "name_servers": [..], "records":
 *         [record sets], "tags": {..}, "delegation": [{"account",
 *         "zone_id", "zone_name", "record"}] (the parents removed),
 *         "usage": [1 route53_zone] (price.h)}
 *
 * Delegation (public zones; detect, check and fix apply it): who
 * delegates to the zone (pb_r53_deleg.c): NS record sets for its name
 * naming its name servers in ancestor zones of any configured account,
 * and the NS the public DNS answers for it. Deleting a zone still
 * delegated to would leave a dangling delegation (a subdomain
 * takeover). Delegated: not deleted (notify), or with delegated: remove,
 * the parent records are removed first, if they explain every public
 * NS (else a registrar or an unconfigured account delegates: not
 * deleted). No answer from the public DNS: not deleted.
 *
 * Eligibility (r53_age_eligible, pb_r53_age.c; detect, check and fix):
 * not allow-tagged, and no CreateHostedZone or ChangeResourceRecordSets
 * of the zone in CloudTrail within min_age_days (a zone just created is
 * likely about to be filled); a lookup that fails: not deleted.
 * IaC-owned: found, notify only.
 *
 * Parameters:
 *   min_age_days     days since the zone's creation or last record
 *                    change (CloudTrail) before it is reported (7, 1-90)
 *   allow_tag        tag key exempting a zone (default "fixit:allow")
 *   include_private  0 (default): skip private hosted zones; 1: report
 *                    them too.
 *   delegated        notify (default): a delegated zone is reported,
 *                    never deleted; remove: the parent delegation is
 *                    removed first (same finding, recorded for undo).
 *   resolver         IP[:PORT] of the resolver asked for the public
 *                    delegation (default $FIXIT_DNS_RESOLVER, else the
 *                    first nameserver of /etc/resolv.conf).
 *   dns_timeout_ms   the wait for its answer (default 2000, 100-10000).
 * Route 53 is global (.global): a scan runs detect once per account, and
 * its findings carry region us-east-1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "pb_dnsq.h"
#include "pb_r53.h"
#include "playbook.h"
#include "price.h"
#include "banned.h"

#define NS_MAX_NAME 1024 /* a zone name as Route 53 returns it */

/* ---- small helpers ------------------------------------------------------- */

static int
ns_true(const char *s)
{
	return s != NULL && strcmp(s, "true") == 0;
}

/* a count as Route 53 writes it (digits only), or -1 */
static long long
ns_count(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	n = strtoll(s, &end, 10);
	return *end == '\0' && n >= 0 ? n : -1;
}

/* the finding's zone id: resource_id without "/hostedzone/", checked */
static const char *
ns_zid(struct pb_ctx *x, const json_t *finding)
{
	const char *zid = r53_zone_id(aws_j_str(finding, "resource_id"));

	if (r53_zid_ok(zid))
		return zid;
	pb_say(x, "resource_id is no hosted zone id");
	return NULL;
}

struct ns_count {
	const char *zname;
	long long sets;	 /* record sets */
	long long other; /* other than the apex NS and SOA */
};

static fx_err
ns_count_rr(struct pb_ctx *x, const json_t *rr, void *arg)
{
	struct ns_count *c = arg;

	(void)x;
	c->sets++;
	if (!r53_is_apex_ns_soa(rr, c->zname))
		c->other++;
	return FX_OK;
}

/* list zid's record sets; FX_ENOTFOUND when the zone is gone */
static fx_err
ns_tally(struct pb_ctx *x, const char *zid, const char *zname,
    struct ns_count *c)
{
	memset(c, 0, sizeof(*c));
	c->zname = zname;
	return r53_list_rrsets(x, PB_AUDITOR, zid, ns_count_rr, c);
}

/* ---- delegation ------------------------------------------------------- */

/* detect: the delegation of the zone just found (the last of found),
 * into its details */
static fx_err
ns_mark(struct pb_ctx *x, struct pb_found_list *found, const json_t *z,
    const char *zid)
{
	struct pb_found *f = &found->v[found->n - 1];
	struct r53_deleg d;
	json_t *ns = NULL;
	size_t mark = pb_msg_mark(x);
	enum r53_deleg_verdict v = R53_DELEG_UNKNOWN;
	fx_err rc;

	memset(&d, 0, sizeof(d));
	if (ns_true(aws_j_str(z, "Config/PrivateZone")))
		return FX_OK; /* a private zone is not delegated to */
	rc = r53_get_zone(x, PB_AUDITOR, zid, NULL, NULL, &ns);
	if (rc == FX_OK)
		rc = r53_deleg_find(x, aws_j_str(z, "Name"), ns, &d);
	if (rc == FX_OK)
		v = r53_deleg_decide(x, &d);
	/* an unknown delegation stays for the check before the fix */
	pb_msg_rewind(x, mark);
	rc = FX_OK;
	if (v == R53_DELEG_HELD || v == R53_DELEG_REMOVE_FIRST)
		rc = json_object_set_new(f->details, "delegation",
			 r53_deleg_facts(&d)) == 0
			 ? FX_OK
			 : FX_ENOMEM;
	if (rc == FX_OK && v == R53_DELEG_HELD &&
	    json_object_set_new(f->details, "notify_only", json_true()) != 0)
		rc = FX_ENOMEM;
	r53_deleg_release(&d);
	json_decref(ns);
	return rc;
}

/* ---- detect -------------------------------------------------------------- */

static fx_err
ns_found(struct pb_ctx *x, struct pb_found_list *found, const json_t *z,
    const char *zid, long long sets)
{
	const char *name = aws_j_str(z, "Name");
	json_t *details = NULL, *tags = NULL;
	char arn[96], title[FX_MAX_TITLE];
	struct pb_elig e;
	fx_err rc;

	if ((rc = r53_zone_tags(x, zid, &tags)) != FX_OK)
		return rc;
	/* a zone too young, kept by tag, or of unknown age is no finding */
	rc = r53_age_eligible(x, zid, tags, &e);
	if (rc != FX_OK || !pb_elig_found(&e)) {
		json_decref(tags);
		return rc;
	}
	details = json_pack("{s:s, s:b, s:I, s:s?}", "name", name, "private",
	    ns_true(aws_j_str(z, "Config/PrivateZone")), "record_count",
	    (json_int_t)sets, "comment", aws_j_str(z, "Config/Comment"));
	if (details == NULL) {
		json_decref(tags);
		return FX_ENOMEM;
	}
	snprintf(arn, sizeof(arn), "arn:aws:route53:::hostedzone/%s", zid);
	snprintf(title, sizeof(title),
	    "Route 53 zone %s has no records "
	    "besides NS and SOA",
	    name);
	return pb_found_keyed(found, zid, arn, title, details, tags,
	    "zone %s %s", name,
	    ns_true(aws_j_str(z, "Config/PrivateZone")) ? "private" : "public");
}

static fx_err
ns_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct ns_count c;
	struct pb_found_list *found = arg;
	const char *zid = r53_zone_id(aws_j_str(z, "Id"));
	const char *name = aws_j_str(z, "Name");
	size_t n = found->n;
	fx_err rc;

	if (!r53_zid_ok(zid) || name == NULL || strlen(name) >= NS_MAX_NAME)
		return FX_OK;
	if (ns_true(aws_j_str(z, "Config/PrivateZone")) &&
	    pb_param_int(x, "include_private", 0) == 0)
		return FX_OK;
	if (ns_count(aws_j_str(z, "ResourceRecordSetCount")) > 2)
		return FX_OK;
	if ((rc = ns_tally(x, zid, name, &c)) == FX_ENOTFOUND)
		return FX_OK; /* deleted while we listed */
	if (rc != FX_OK || c.other > 0)
		return rc;
	rc = ns_found(x, found, z, zid, c.sets);
	if (rc != FX_OK || found->n == n)
		return rc;
	return ns_mark(x, found, z, zid);
}

static fx_err
ns_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	return r53_list_zones(x, PB_AUDITOR, ns_zone, found);
}

/* ---- check, fix, verify ------------------------------------------------- */

static fx_err
ns_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct ns_count c;
	struct r53_deleg d;
	const char *zid = ns_zid(x, finding);
	json_t *z = NULL, *ns = NULL;
	fx_err rc = FX_EINVAL;

	*v = PB_WRONG;
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	if (zid == NULL)
		goto out;
	rc = r53_get_zone(x, PB_AUDITOR, zid, &z, NULL, &ns);
	if (rc == FX_OK &&
	    ns_count(aws_j_str(z, "ResourceRecordSetCount")) <= 2)
		rc = ns_tally(x, zid, aws_j_str(z, "Name"), &c);
	else if (rc == FX_OK)
		c.other = 1;
	if (rc == FX_ENOTFOUND) {
		*v = PB_GONE;
		pb_say(x, "zone %s no longer exists", zid);
		rc = FX_OK;
	} else if (rc == FX_OK && c.other > 0) {
		*v = PB_RIGHT;
		pb_say(x, "zone %s holds records besides NS and SOA now", zid);
	} else if (rc == FX_OK) {
		rc = r53_age_check(x, zid, aws_j_str(z, "Name"), NULL, v);
		if (rc == FX_OK && *v == PB_WRONG &&
		    !ns_true(aws_j_str(z, "Config/PrivateZone")))
			rc = r53_deleg_gate(x, aws_j_str(z, "Name"), ns, &d);
	}
out:
	r53_deleg_release(&d);
	json_decref(z);
	json_decref(ns);
	return rc;
}

/* the prior state: the zone, its record sets and tags */
static fx_err
ns_prior(struct pb_ctx *x, const char *zid, json_t **prior)
{
	json_t *z = NULL, *vpcs = NULL, *ns = NULL, *recs = NULL, *tags = NULL;
	json_t *it;
	size_t i, other = 0;
	fx_err rc;

	*prior = NULL;
	rc = r53_get_zone(x, PB_AUDITOR, zid, &z, &vpcs, &ns);
	if (rc != FX_OK)
		goto out;
	rc = r53_rrsets(x, PB_AUDITOR, zid, &recs);
	if (rc != FX_OK)
		goto out;
	rc = r53_zone_tags(x, zid, &tags);
	if (rc != FX_OK)
		goto out;
	json_array_foreach(recs, i, it)
		if (!r53_is_apex_ns_soa(it, aws_j_str(z, "Name")))
			other++;
	if (other > 0) {
		pb_say(x,
		    "zone %s holds %zu record set(s) besides NS and SOA "
		    "now: not deleted",
		    zid, other);
		rc = FX_ECONFLICT;
		goto out;
	}
	if (vpcs == NULL)
		vpcs = json_array();
	if (ns == NULL)
		ns = json_array();
	if (vpcs == NULL || ns == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	*prior = json_pack("{s:s, s:s, s:s?, s:b, s:s?, s:O, s:O, s:O, s:O}",
	    "zone_id", zid, "name", aws_j_str(z, "Name"), "comment",
	    aws_j_str(z, "Config/Comment"), "private",
	    ns_true(aws_j_str(z, "Config/PrivateZone")), "caller_reference",
	    aws_j_str(z, "CallerReference"), "vpcs", vpcs, "name_servers", ns,
	    "records", recs, "tags", tags);
	rc = *prior != NULL ? FX_OK : FX_ENOMEM;
out:
	json_decref(z);
	json_decref(vpcs);
	json_decref(ns);
	json_decref(recs);
	json_decref(tags);
	return rc;
}

static fx_err
ns_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	struct r53_deleg d;
	const char *zid = ns_zid(x, finding);
	json_t *p = NULL, *it;
	enum pb_verdict v;
	char path[80];
	size_t i;
	fx_err rc = FX_EINVAL;

	aws_resp_init(&resp);
	memset(&d, 0, sizeof(d));
	*prior = NULL;
	if (zid == NULL)
		goto out;
	rc = ns_prior(x, zid, &p);
	if (rc != FX_OK)
		goto out;
	/* a hosted zone is billed by the month (price.h) */
	rc = price_usage_add(p, "route53_zone", NULL, 1);
	if (rc != FX_OK)
		goto out;
	rc = r53_age_check(x, zid, aws_j_str(p, "name"),
	    json_object_get(p, "tags"), &v);
	if (rc == FX_OK && v != PB_WRONG)
		rc =
		    FX_ECONFLICT; /* it changed or got tagged since the check */
	if (rc != FX_OK)
		goto out;
	/* the last look before the delete: the delegation may be new */
	if (!json_is_true(json_object_get(p, "private")))
		rc = r53_deleg_gate(x, aws_j_str(p, "name"),
		    json_object_get(p, "name_servers"), &d);
	if (rc != FX_OK)
		goto out;
	rc = r53_tag_zone(x, zid, "delete-zone", NULL);
	if (rc != FX_OK)
		goto out;
	if (json_array_size(d.parents) > 0 &&
	    json_object_set(p, "delegation", d.parents) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	json_array_foreach(d.parents, i, it) {
		rc = r53_deleg_remove(x, it);
		if (rc != FX_OK)
			goto out;
	}
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s", zid);
	rc = r53_rest(x, PB_REMEDIATOR, "DeleteHostedZone", "DELETE", path,
	    NULL, NULL, 1, &resp);
	if (rc != FX_OK)
		goto out;
	pb_say(x,
	    "%s zone %s (%s); its records and tags are kept in the "
	    "prior state",
	    x->dry_run ? "would delete" : "deleted", aws_j_str(p, "name"), zid);
	*prior = p;
	p = NULL;
out:
	aws_resp_release(&resp);
	r53_deleg_release(&d);
	json_decref(p);
	return rc;
}

static fx_err
ns_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	const char *zid = ns_zid(x, finding);
	fx_err rc = FX_EINVAL;

	(void)prior;
	*ok = 0;
	if (zid == NULL)
		return rc;
	rc = r53_get_zone(x, PB_AUDITOR, zid, NULL, NULL, NULL);
	if (rc == FX_ENOTFOUND) {
		*ok = 1;
		pb_say(x, "zone %s is deleted", zid);
		return FX_OK;
	}
	if (rc == FX_OK)
		pb_say(x, "zone %s still exists", zid);
	return rc;
}

/* ---- undo ---------------------------------------------------------------- */

struct ns_find {
	const char *name;
	char ref[64]; /* "fixit-undo-FINDING-" */
	char zid[40]; /* the zone found, or "" */
};

/* a zone of that name created by an earlier undo of this finding */
static fx_err
ns_find_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct ns_find *f = arg;
	const char *ref = aws_j_str(z, "CallerReference");
	const char *zid = r53_zone_id(aws_j_str(z, "Id"));

	(void)x;
	if (f->zid[0] == '\0' && ref != NULL && r53_zid_ok(zid) &&
	    strncmp(ref, f->ref, strlen(f->ref)) == 0 &&
	    r53_name_eq(aws_j_str(z, "Name"), f->name))
		snprintf(f->zid, sizeof(f->zid), "%s", zid);
	return FX_OK;
}

/* before, then text escaped, then after */
static fx_err
ns_xml_text(struct buf *b, const char *before, const char *text,
    const char *after)
{
	fx_err rc;

	rc = buf_adds(b, before);
	if (rc != FX_OK)
		return rc;
	rc = r53_xml_esc(b, text);
	if (rc != FX_OK)
		return rc;
	return buf_adds(b, after);
}

static fx_err
ns_vpc_xml(struct buf *b, const json_t *vpc)
{
	const char *r = aws_j_str(vpc, "VPCRegion"),
		   *id = aws_j_str(vpc, "VPCId");
	fx_err rc;

	if (r == NULL || id == NULL)
		return FX_EINVAL;
	rc = ns_xml_text(b, "<VPC><VPCRegion>", r, "</VPCRegion>");
	if (rc != FX_OK)
		return rc;
	return ns_xml_text(b, "<VPCId>", id, "</VPCId></VPC>");
}

static fx_err
ns_create_xml(struct buf *b, const json_t *prior, const char *ref)
{
	const json_t *vpc = json_array_get(aws_j_list(prior, "vpcs"), 0);
	const char *comment = aws_j_str(prior, "comment");
	int priv = json_is_true(json_object_get(prior, "private"));
	fx_err rc;

	rc = ns_xml_text(b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<CreateHostedZoneRequest xmlns=\"" R53_XMLNS "\"><Name>",
	    aws_j_str(prior, "name"), "</Name>");
	if (rc != FX_OK)
		return rc;
	if (priv && vpc != NULL) {
		rc = ns_vpc_xml(b, vpc);
		if (rc != FX_OK)
			return rc;
	}
	rc = ns_xml_text(b, "<CallerReference>", ref,
	    "</CallerReference><HostedZoneConfig>");
	if (rc != FX_OK)
		return rc;
	if (comment != NULL) {
		rc = ns_xml_text(b, "<Comment>", comment, "</Comment>");
		if (rc != FX_OK)
			return rc;
	}
	return buf_addf(b,
	    "<PrivateZone>%s</PrivateZone>"
	    "</HostedZoneConfig></CreateHostedZoneRequest>",
	    priv ? "true" : "false");
}

/* CreateHostedZone; *zid gets the new zone's id */
static fx_err
ns_create(struct pb_ctx *x, const json_t *prior, const char *ref, char *zid,
    size_t zlen)
{
	struct aws_resp resp;
	struct buf body = BUF_INIT;
	const char *id;
	fx_err rc;

	aws_resp_init(&resp);
	buf_init(&body, FX_MAX_AWS_REQUEST);
	rc = ns_create_xml(&body, prior, ref);
	if (rc != FX_OK) {
		pb_say(x, "cannot write CreateHostedZone from the prior state");
		goto out;
	}
	rc = r53_rest(x, PB_REMEDIATOR, "CreateHostedZone", "POST",
	    R53_PATH "/hostedzone", NULL, buf_str(&body), 1, &resp);
	if (rc != FX_OK)
		goto out;
	id = r53_zone_id(aws_j_str(resp.doc, "HostedZone/Id"));
	if (!r53_zid_ok(id)) {
		pb_say(x, "route53 CreateHostedZone: no zone id in the answer");
		rc = FX_EINVAL;
		goto out;
	}
	snprintf(zid, zlen, "%s", id);
out:
	aws_resp_release(&resp);
	buf_release(&body);
	return rc;
}

/* AssociateVPCWithHostedZone at path for one VPC; body is empty */
static fx_err
ns_associate(struct pb_ctx *x, const char *path, const json_t *vpc,
    struct buf *body, struct aws_resp *resp)
{
	fx_err rc;

	rc = buf_adds(body,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<AssociateVPCWithHostedZoneRequest xmlns=\"" R53_XMLNS "\">");
	if (rc != FX_OK)
		return rc;
	rc = ns_vpc_xml(body, vpc);
	if (rc != FX_OK)
		return rc;
	rc = buf_adds(body, "</AssociateVPCWithHostedZoneRequest>");
	if (rc != FX_OK)
		return rc;
	return r53_rest(x, PB_REMEDIATOR, "AssociateVPCWithHostedZone", "POST",
	    path, NULL, buf_str(body), 1, resp);
}

/* the recorded VPCs (after the first) that zid is not associated with */
static fx_err
ns_vpcs(struct pb_ctx *x, const char *zid, const json_t *want,
    const json_t *have)
{
	struct aws_resp resp;
	struct buf body = BUF_INIT;
	char path[96];
	json_t *w, *h;
	size_t i, j;
	int there;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	buf_init(&body, 4096);
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s/associatevpc",
	    zid);
	json_array_foreach(want, i, w) {
		there = 0;
		json_array_foreach(have, j, h)
			there |= aws_j_str(w, "VPCId") != NULL &&
				 aws_j_str(h, "VPCId") != NULL &&
				 strcmp(aws_j_str(w, "VPCId"),
				     aws_j_str(h, "VPCId")) == 0;
		if (there)
			continue;
		buf_reset(&body);
		aws_resp_release(&resp);
		rc = ns_associate(x, path, w, &body, &resp);
		if (rc != FX_OK)
			break;
	}
	aws_resp_release(&resp);
	buf_release(&body);
	return rc;
}

/* recorded records other than the apex NS/SOA missing from zid */
static fx_err
ns_records(struct pb_ctx *x, const char *zid, const json_t *prior)
{
	const char *name = aws_j_str(prior, "name");
	json_t *cur = NULL, *todo = json_array(), *rr;
	size_t i;
	fx_err rc = FX_ENOMEM;

	if (todo == NULL)
		goto out;
	json_array_foreach(aws_j_list(prior, "records"), i, rr) {
		if (r53_is_apex_ns_soa(rr, name))
			continue;
		if (cur == NULL) {
			rc = r53_rrsets(x, PB_AUDITOR, zid, &cur);
			if (rc != FX_OK)
				goto out;
		}
		if (r53_rrset_find(cur, rr) == NULL &&
		    json_array_append(todo, rr) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	rc = FX_OK;
	if (json_array_size(todo) == 0)
		goto out;
	rc = r53_change(x, zid, "CREATE", todo, "fixit: undo of delete-zone");
	if (rc != FX_OK)
		goto out;
	pb_say(x, "re-created %zu record set(s)", json_array_size(todo));
out:
	json_decref(cur);
	json_decref(todo);
	return rc;
}

/* "re-created zone N as Z: new name servers a, b: update the delegation" */
static void
ns_say_servers(struct pb_ctx *x, const char *name, const char *zid,
    const json_t *ns)
{
	struct buf list = BUF_INIT;
	json_t *it;
	size_t i;

	buf_init(&list, 512);
	json_array_foreach(ns, i, it) {
		if (!json_is_string(it))
			continue;
		if (buf_addf(&list, "%s%s", list.len > 0 ? ", " : "",
			json_string_value(it)) != FX_OK)
			break;
	}
	pb_say(x,
	    "re-created zone %s as %s: it has new name servers (%s); "
	    "the delegation at the registrar or parent zone must be updated",
	    name, zid, list.len > 0 ? buf_str(&list) : "see the console");
	buf_release(&list);
}

static fx_err
ns_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct ns_find f;
	json_t *vpcs = NULL, *ns = NULL, *it;
	char ref[96];
	size_t i;
	fx_err rc = FX_EINVAL;

	(void)finding;
	memset(&f, 0, sizeof(f));
	f.name = aws_j_str(prior, "name");
	if (f.name == NULL || *f.name == '\0' ||
	    strlen(f.name) >= NS_MAX_NAME) {
		pb_say(x, "the prior state names no zone");
		goto out;
	}
	snprintf(f.ref, sizeof(f.ref), "fixit-undo-%lld-",
	    (long long)x->finding_id);
	rc = r53_list_zones(x, PB_AUDITOR, ns_find_zone, &f);
	if (rc != FX_OK)
		goto out;
	if (f.zid[0] != '\0')
		pb_say(x, "zone %s was re-created before as %s", f.name, f.zid);
	snprintf(ref, sizeof(ref), "%s%lld", f.ref, (long long)x->now);
	if (f.zid[0] == '\0') {
		rc = ns_create(x, prior, ref, f.zid, sizeof(f.zid));
		if (rc != FX_OK)
			goto out;
	}
	rc = r53_get_zone(x, PB_AUDITOR, f.zid, NULL, &vpcs, &ns);
	if (rc != FX_OK)
		goto out;
	if (json_is_true(json_object_get(prior, "private"))) {
		rc = ns_vpcs(x, f.zid, aws_j_list(prior, "vpcs"), vpcs);
		if (rc != FX_OK)
			goto out;
	}
	rc = r53_tag_zone(x, f.zid, "undo-delete-zone",
	    json_object_get(prior, "tags"));
	if (rc != FX_OK)
		goto out;
	rc = ns_records(x, f.zid, prior);
	if (rc != FX_OK)
		goto out;
	json_array_foreach(aws_j_list(prior, "delegation"), i, it) {
		rc = r53_deleg_restore(x, it, ns);
		if (rc != FX_OK)
			goto out;
	}
	ns_say_servers(x, f.name, f.zid, ns);
out:
	json_decref(vpcs);
	json_decref(ns);
	return rc;
}

const struct pb_def pb_route53_ns_only = {
	.name = "route53-ns-only",
	.summary = "delete Route 53 hosted zones that hold only their NS and "
		   "SOA records",
	.irreversible = 0,
	.global = 1,
	.detect = ns_detect,
	.check = ns_check,
	.fix = ns_fix,
	.verify = ns_verify,
	.undo = ns_undo,
};
