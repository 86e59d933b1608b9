/*
 * pb_dangling_dns.c - "dangling-dns": Route 53 records (and CloudFront
 * origins) that still point at an S3 bucket or a load balancer that was
 * deleted. Whoever creates a bucket or load balancer of that name gets
 * the traffic (subdomain takeover); the fix deletes the records.
 *
 * Event-driven: detect finds nothing (it returns FX_OK with no
 * findings). Findings are made by fixitd from CloudTrail DeleteBucket /
 * DeleteLoadBalancer events: resource_id "s3:BUCKET" or "elb:NAME";
 * details may hold {"kind": "s3"|"elb", "name", "region", "dns_name"}
 * (what details lack comes from resource_id and the finding's region).
 *
 * The hostnames the resource could have had (dd_target_new): for a
 * bucket B in region R, B.s3.amazonaws.com, B.s3.R.amazonaws.com,
 * B.s3-R.amazonaws.com, B.s3.dualstack.R.amazonaws.com,
 * B.s3-website-R.amazonaws.com, B.s3-website.R.amazonaws.com (and
 * B.s3-external-1.amazonaws.com in us-east-1), plus the shared S3
 * endpoints when the record's own name is B (website hosting by name);
 * for a load balancer N, [dualstack.][internal-]N-ID.R.elb.amazonaws.com
 * and [dualstack.]N-ID.elb.R.amazonaws.com (ID: letters and digits),
 * or, when dns_name is given, only it and dualstack.dns_name (the
 * patterns would also match a load balancer created again under the
 * same name); for a bucket also dns_name when given. Case-insensitive,
 * trailing dot ignored; amazonaws.com.cn in the cn- regions.
 *
 * alive   (check and fix) is the resource there again under its name,
 *         in this account? S3 HeadBucket (expected owner: the account)
 *         in the target's region; ELB then ELBv2 DescribeLoadBalancers
 *         by name. Yes -> the records point at a live resource: RIGHT
 *         (the check resolves the finding; the fix refuses), nothing
 *         changed. A bucket that exists under another owner (403) is
 *         what a takeover looks like: the records are still deleted.
 * check   ListHostedZones, ListResourceRecordSets of every zone (CNAME
 *         values and alias targets of any type), CloudFront
 *         ListDistributions (origin domain names): nothing points at
 *         the resource -> GONE, else WRONG.
 * fix     per zone: ChangeTagsForResource (fixit: tags, action
 *         "delete-dangling"), then one ChangeResourceRecordSets DELETE of
 *         each exact record set. CloudFront origins are reported only:
 *         changing a distribution is the owner's call. A zone that fails
 *         does not stop the others (verify then reports what is left).
 * verify  re-list the zones: no recorded record set points there any more.
 * undo    ChangeResourceRecordSets CREATE of each recorded record set
 *         (ones already back unchanged are skipped).
 * prior   {"target": {...}, "records": [{"zone_id", "zone_name",
 *         "record"}], "cloudfront": [{"distribution_id", "origin_id",
 *         "domain"}]}
 *
 * Parameters:
 *   cloudfront   1 (default): also list CloudFront distributions; 0 when
 *                the auditor role may not (cloudfront:ListDistributions).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pb_alive.h"
#include "pb_dd_aws.h"
#include "pb_r53.h"
#include "playbook.h"
#include "banned.h"

#define DD_MAX_PAT 512 /* one host name pattern */

static const char *const dd_cf_next[] = { "NextMarker", "Marker", NULL };
static const struct r53_pages dd_cf_list = { AWS_CLOUDFRONT,
	"ListDistributions", "/2020-05-31/distribution", "Items", dd_cf_next,
	0 };

/* ---- what a deleted resource was reachable as (pure) -------------------- */

static fx_err dd_pat(json_t *arr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* append the lower-cased formatted pattern */
static fx_err
dd_pat(json_t *arr, const char *fmt, ...)
{
	char p[DD_MAX_PAT];
	va_list ap;
	size_t i;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(p))
		return FX_ETOOBIG;
	for (i = 0; p[i] != '\0'; i++)
		p[i] = (char)tolower((unsigned char)p[i]);
	return json_array_append_new(arr, json_string(p)) == 0 ? FX_OK
							       : FX_ENOMEM;
}

/*
 * The S3 endpoints a bucket is reached through: PRE[REGION.]DOMAIN, as
 * BUCKET.ENDPOINT (hosts, in this order) and, for the path-style ones,
 * as the endpoint alone (named).
 */
static const struct dd_s3_ep {
	const char *pre;
	int region; /* REGION. follows pre */
	int named;  /* also a path-style endpoint */
} dd_s3_eps[] = {
	{ "s3.", 0, 1 },
	{ "s3.", 1, 1 },
	{ "s3-", 1, 1 },
	{ "s3.dualstack.", 1, 0 },
	{ "s3-website-", 1, 1 },
	{ "s3-website.", 1, 1 },
};

static fx_err
dd_s3_pats(json_t *hosts, json_t *named, const char *b, const char *r,
    const char *d)
{
	const struct dd_s3_ep *e;
	size_t i;
	fx_err rc;

	for (i = 0; i < sizeof(dd_s3_eps) / sizeof(dd_s3_eps[0]); i++) {
		e = &dd_s3_eps[i];
		rc = dd_pat(hosts, "%s.%s%s%s%s", b, e->pre, e->region ? r : "",
		    e->region ? "." : "", d);
		if (rc != FX_OK)
			return rc;
	}
	if (strcmp(r, "us-east-1") == 0) {
		rc = dd_pat(hosts, "%s.s3-external-1.%s", b, d);
		if (rc != FX_OK)
			return rc;
	}
	for (i = 0; i < sizeof(dd_s3_eps) / sizeof(dd_s3_eps[0]); i++) {
		e = &dd_s3_eps[i];
		if (!e->named)
			continue;
		rc = dd_pat(named, "%s%s%s%s", e->pre, e->region ? r : "",
		    e->region ? "." : "", d);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
dd_elb_pats(json_t *hosts, const char *n, const char *r, const char *d)
{
	static const char *const pre[] = { "", "internal-", "dualstack.",
		"dualstack.internal-" };
	size_t i;
	fx_err rc;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		rc = dd_pat(hosts, "%s%s-*.%s.elb.%s", pre[i], n, r, d);
		if (rc != FX_OK)
			return rc;
	}
	/* network load balancers: NAME-ID.elb.REGION.amazonaws.com */
	rc = dd_pat(hosts, "%s-*.elb.%s.%s", n, r, d);
	if (rc != FX_OK)
		return rc;
	return dd_pat(hosts, "dualstack.%s-*.elb.%s.%s", n, r, d);
}

/* the exact DNS name (and its dualstack. form) when it is a host name */
static fx_err
dd_dns_pats(json_t *t, json_t *hosts, const char *dns, int elb)
{
	char h[R53_MAX_NAME];
	size_t n;
	fx_err rc;

	if (dns == NULL || (n = r53_name_len(dns)) == 0 || n >= sizeof(h))
		return FX_OK;
	memcpy(h, dns, n);
	h[n] = '\0';
	if (!r53_word_ok(h, ".-", sizeof(h)))
		return FX_OK;
	if (json_object_set_new(t, "dns_name", json_string(h)) != 0)
		return FX_ENOMEM;
	rc = dd_pat(hosts, "%s", h);
	if (rc != FX_OK || !elb || strncasecmp(h, "dualstack.", 10) == 0)
		return rc;
	return dd_pat(hosts, "dualstack.%s", h);
}

static fx_err
dd_target_new(const char *kind, const char *name, const char *region,
    const char *dns_name, json_t **out)
{
	json_t *t = NULL, *hosts = NULL, *named = NULL;
	const char *dom;
	int s3;
	fx_err rc = FX_EINVAL;

	*out = NULL;
	if (kind == NULL ||
	    (strcmp(kind, "s3") != 0 && strcmp(kind, "elb") != 0))
		goto out;
	s3 = strcmp(kind, "s3") == 0;
	/* old us-east-1 buckets may hold capitals and '_' */
	if (!r53_word_ok(name, s3 ? ".-_" : "-", s3 ? 255 : 32) ||
	    !r53_word_ok(region, "-", 32))
		goto out;
	rc = FX_ENOMEM;
	t = json_pack("{s:s, s:s, s:s}", "kind", kind, "name", name, "region",
	    region);
	hosts = json_array();
	named = json_array();
	if (t == NULL || hosts == NULL || named == NULL)
		goto out;
	dom = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn"
					     : "amazonaws.com";
	if ((rc = dd_dns_pats(t, hosts, dns_name, !s3)) != FX_OK)
		goto out;
	/* a load balancer's exact name rules out its namesakes (one made
	 * again under the same name has another id) */
	if (s3)
		rc = dd_s3_pats(hosts, named, name, region, dom);
	else if (json_object_get(t, "dns_name") == NULL)
		rc = dd_elb_pats(hosts, name, region, dom);
	if (rc != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	if (json_object_set(t, "hosts", hosts) != 0)
		goto out;
	if (json_object_set(t, "named", named) != 0)
		goto out;
	*out = t;
	t = NULL;
	rc = FX_OK;
out:
	json_decref(hosts);
	json_decref(named);
	json_decref(t);
	return rc;
}

/* pattern p against host h[0..hn); '*' = one or more letters/digits */
static int
dd_pat_match(const char *p, const char *h, size_t hn)
{
	size_t i, k;

	for (i = 0; *p != '\0'; p++) {
		if (*p == '*') {
			for (k = i; k < hn && isalnum((unsigned char)h[k]); k++)
				if (dd_pat_match(p + 1, h + k + 1, hn - k - 1))
					return 1;
			return 0;
		}
		if (i >= hn ||
		    tolower((unsigned char)*p) != tolower((unsigned char)h[i]))
			return 0;
		i++;
	}
	return i == hn;
}

static int
dd_host_match(const char *pattern, const char *host)
{
	if (pattern == NULL || host == NULL)
		return 0;
	return dd_pat_match(pattern, host, r53_name_len(host));
}

static int
dd_any_match(const json_t *pats, const char *host)
{
	json_t *it;
	size_t i;

	json_array_foreach(pats, i, it)
		if (dd_host_match(json_string_value(it), host))
			return 1;
	return 0;
}

static int
dd_host(const json_t *target, const char *host, const char *record_name)
{
	if (host == NULL || *host == '\0')
		return 0;
	if (dd_any_match(aws_j_list(target, "hosts"), host))
		return 1;
	return record_name != NULL &&
	       r53_name_eq(record_name, aws_j_str(target, "name")) &&
	       dd_any_match(aws_j_list(target, "named"), host);
}

static int
dd_points_at(const json_t *target, const json_t *rrset)
{
	const char *name = aws_j_str(rrset, "Name");
	const char *type = aws_j_str(rrset, "Type");
	json_t *it;
	size_t i;

	if (ddk_points_at(target, rrset))
		return 1;
	if (dd_host(target, aws_j_str(rrset, "AliasTarget/DNSName"), name))
		return 1;
	if (type == NULL || strcmp(type, "CNAME") != 0)
		return 0;
	json_array_foreach(aws_j_list(rrset, "ResourceRecords"), i, it)
		if (dd_host(target, aws_j_str(it, "Value"), name))
			return 1;
	return 0;
}

/* ---- the finding's resource --------------------------------------------- */

/* the target of a finding: details first, then "s3:B" / "elb:N" */
static fx_err
dd_target(struct pb_ctx *x, const json_t *finding, json_t **t)
{
	const json_t *d = aws_j_get(finding, "details");
	const char *rid = aws_j_str(finding, "resource_id");
	const char *kind = aws_j_str(d, "kind"), *name = aws_j_str(d, "name");
	const char *region = aws_j_str(d, "region"), *colon;
	char k[16];
	fx_err rc;

	if (rid != NULL && (colon = strchr(rid, ':')) != NULL &&
	    (size_t)(colon - rid) < sizeof(k)) {
		memcpy(k, rid, (size_t)(colon - rid));
		k[colon - rid] = '\0';
		if (kind == NULL)
			kind = k;
		if (name == NULL && strcmp(kind, k) == 0)
			name = colon + 1;
	}
	if (region == NULL || *region == '\0')
		region = aws_j_str(finding, "region");
	if (region == NULL)
		region = x->region;
	if (ddk_kind(kind))
		return ddk_target_new(x, kind, name, region, t);
	rc = dd_target_new(kind, name, region, aws_j_str(d, "dns_name"), t);
	if (rc == FX_EINVAL)
		pb_say(x,
		    "finding names no S3 bucket or load balancer this "
		    "playbook knows (want resource_id s3:BUCKET or elb:NAME)");
	return rc;
}

/* ---- is it there again --------------------------------------------------- */

/* *alive = 1 when the target exists again in this account (see the top),
 * 2 when it cannot be verified gone (pb_dd_aws.h: held) */
static fx_err
dd_alive(struct pb_ctx *x, json_t *t, int *alive)
{
	const char *kind = aws_j_str(t, "kind"), *name = aws_j_str(t, "name");
	const char *region = aws_j_str(t, "region");
	enum pb_alive a = PB_ALIVE_NO;
	char dns[R53_MAX_NAME];
	int s3 = strcmp(kind, "s3") == 0;
	fx_err rc;

	*alive = 0;
	if (ddk_kind(kind)) {
		enum ddk_state st = DDK_HELD;

		rc = ddk_alive(x, t, &st);
		*alive = st == DDK_GONE ? 0 : st == DDK_ALIVE ? 1 : 2;
		return rc;
	}
	if (s3)
		rc = pb_alive_bucket(x, name, region, &a);
	else
		rc = pb_alive_lb(x, name, region, &a, dns, sizeof(dns));
	if (rc != FX_OK)
		return rc;
	if (a == PB_ALIVE_OURS) {
		*alive = 1;
		pb_say(x,
		    "%s %s exists again in this account: what points at it "
		    "is not dangling, nothing is changed",
		    s3 ? "bucket" : "load balancer", name);
	} else if (a == PB_ALIVE_OTHER)
		pb_say(x,
		    "bucket %s exists but is not this account's (or fixitd "
		    "may not read it): what points at it is treated as "
		    "dangling",
		    name);
	return FX_OK;
}

/* ---- who points at it ---------------------------------------------------- */

struct dd_scan {
	const json_t *target;
	json_t *records;    /* [{zone_id, zone_name, record}] */
	json_t *cloudfront; /* [{distribution_id, origin_id, domain}] */
	const char *zid;    /* the zone being listed */
	const char *zname;
};

static fx_err
dd_rrset(struct pb_ctx *x, const json_t *rr, void *arg)
{
	struct dd_scan *s = arg;
	json_t *o;

	(void)x;
	if (!dd_points_at(s->target, rr))
		return FX_OK;
	o = json_pack("{s:s, s:s, s:O}", "zone_id", s->zid, "zone_name",
	    s->zname, "record", (json_t *)rr);
	if (o == NULL || json_array_append_new(s->records, o) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

static fx_err
dd_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct dd_scan *s = arg;
	fx_err rc;

	s->zid = r53_zone_id(aws_j_str(z, "Id"));
	s->zname = aws_j_str(z, "Name");
	if (!r53_zid_ok(s->zid) || s->zname == NULL)
		return FX_OK;
	rc = r53_list_rrsets(x, PB_AUDITOR, s->zid, dd_rrset, s);
	return rc == FX_ENOTFOUND ? FX_OK : rc; /* deleted meanwhile */
}

static fx_err
dd_distribution(struct pb_ctx *x, const json_t *d, void *arg)
{
	struct dd_scan *s = arg;
	json_t *o, *it;
	size_t i;

	(void)x;
	json_array_foreach(aws_j_list(d, "Origins/Items"), i, it) {
		if (!dd_host(s->target, aws_j_str(it, "DomainName"), NULL))
			continue;
		o = json_pack("{s:s?, s:s?, s:s?}", "distribution_id",
		    aws_j_str(d, "Id"), "origin_id", aws_j_str(it, "Id"),
		    "domain", aws_j_str(it, "DomainName"));
		if (o == NULL || json_array_append_new(s->cloudfront, o) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

static void
dd_scan_release(struct dd_scan *s)
{
	json_decref(s->records);
	json_decref(s->cloudfront);
	memset(s, 0, sizeof(*s));
}

/* every record set and CloudFront origin pointing at target, into s */
static fx_err
dd_scan_run(struct pb_ctx *x, const json_t *target, struct dd_scan *s)
{
	fx_err rc;

	memset(s, 0, sizeof(*s));
	s->target = target;
	s->records = json_array();
	s->cloudfront = json_array();
	if (s->records == NULL || s->cloudfront == NULL)
		return FX_ENOMEM;
	if ((rc = r53_list_zones(x, PB_AUDITOR, dd_zone, s)) != FX_OK)
		return rc;
	if (pb_param_int(x, "cloudfront", 1) == 0)
		return FX_OK;
	return r53_pages(x, PB_AUDITOR, &dd_cf_list, dd_distribution, s);
}

/* prior "records" grouped: {zone id: {"zone_name", "records": [...]}} */
static json_t *
dd_by_zone(const json_t *records)
{
	json_t *zones = json_object(), *z, *it, *rr;
	const char *zid;
	size_t i;

	json_array_foreach(records, i, it) {
		zid = aws_j_str(it, "zone_id");
		rr = json_object_get(it, "record");
		if (zones == NULL || zid == NULL || !json_is_object(rr))
			continue;
		if ((z = json_object_get(zones, zid)) == NULL) {
			z = json_pack("{s:s?, s:[]}", "zone_name",
			    aws_j_str(it, "zone_name"), "records");
			if (json_object_set_new(zones, zid, z) != 0)
				goto fail;
		}
		if (json_array_append(json_object_get(z, "records"), rr) != 0)
			goto fail;
	}
	return zones;
fail:
	json_decref(zones);
	return NULL;
}

/* the new kinds' eligibility (pb_dd_aws.h) of the records found:
 * PB_WRONG when they may be deleted, PB_KEEP (said) when not */
static fx_err
dd_guard(struct pb_ctx *x, const json_t *finding, const json_t *t,
    json_t *records, enum pb_verdict *v)
{
	char what[R53_MAX_NAME + 32];
	struct pb_elig e;
	fx_err rc;

	*v = PB_WRONG;
	if (!ddk_kind(aws_j_str(t, "kind")) || json_array_size(records) == 0)
		return FX_OK;
	if ((rc = ddk_elig(x, finding, t, records, &e)) != FX_OK)
		return rc;
	snprintf(what, sizeof(what), "records pointing at %s %s",
	    aws_j_str(t, "kind"), aws_j_str(t, "name"));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

/* ---- the steps ----------------------------------------------------------- */

static fx_err
dd_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	/* buckets and load balancers: findings come from CloudTrail */
	return ddk_detect(x, found);
}

static fx_err
dd_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct dd_scan s;
	json_t *t = NULL;
	size_t nr, nc;
	int alive = 0;
	fx_err rc;

	memset(&s, 0, sizeof(s));
	*v = PB_WRONG;
	rc = dd_target(x, finding, &t);
	if (rc != FX_OK)
		goto out;
	rc = dd_alive(x, t, &alive);
	if (rc != FX_OK || alive) {
		*v = alive == 1 ? PB_RIGHT : alive ? PB_KEEP : PB_WRONG;
		goto out;
	}
	rc = dd_scan_run(x, t, &s);
	if (rc == FX_OK)
		rc = dd_guard(x, finding, t, s.records, v);
	if (rc != FX_OK || *v != PB_WRONG)
		goto out;
	nr = json_array_size(s.records);
	nc = json_array_size(s.cloudfront);
	if (nr == 0 && nc == 0) {
		*v = PB_GONE;
		pb_say(x, "nothing points at %s %s", aws_j_str(t, "kind"),
		    aws_j_str(t, "name"));
	} else
		pb_say(x,
		    "%zu record set(s) and %zu CloudFront origin(s) "
		    "point at %s %s",
		    nr, nc, aws_j_str(t, "kind"), aws_j_str(t, "name"));
out:
	dd_scan_release(&s);
	json_decref(t);
	return rc;
}

static void
dd_say_cloudfront(struct pb_ctx *x, const json_t *cf, const json_t *t)
{
	const char *d, *o;
	json_t *it;
	size_t i;

	json_array_foreach(cf, i, it) {
		d = aws_j_str(it, "distribution_id");
		o = aws_j_str(it, "origin_id");
		pb_say(x,
		    "CloudFront distribution %s origin %s still points "
		    "at %s: its owner must change it",
		    d ? d : "?", o ? o : "?", aws_j_str(t, "name"));
	}
}

/* tag one zone, then delete its record sets in one change batch */
static fx_err
dd_fix_zone(struct pb_ctx *x, const char *zid, const json_t *z, const json_t *t)
{
	const json_t *recs = json_object_get(z, "records");
	char comment[200];
	fx_err rc;

	snprintf(comment, sizeof(comment),
	    "fixit finding %lld: records "
	    "pointing at deleted %s %s",
	    (long long)x->finding_id, aws_j_str(t, "kind"),
	    aws_j_str(t, "name"));
	rc = r53_tag_zone(x, zid, "delete-dangling", NULL);
	if (rc != FX_OK)
		return rc;
	rc = r53_change(x, zid, "DELETE", recs, comment);
	if (rc != FX_OK)
		return rc;
	pb_say(x, "%s %zu record set(s) in zone %s (%s)",
	    x->dry_run ? "would delete" : "deleted", json_array_size(recs),
	    aws_j_str(z, "zone_name") ? aws_j_str(z, "zone_name") : "?", zid);
	return FX_OK;
}

static fx_err
dd_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct dd_scan s;
	json_t *t = NULL, *p = NULL, *zones = NULL, *z;
	const char *zid;
	int done = 0, failed = 0, alive = 0;
	enum pb_verdict v = PB_WRONG;
	fx_err rc, zrc = FX_OK;

	memset(&s, 0, sizeof(s));
	*prior = NULL;
	rc = dd_target(x, finding, &t);
	if (rc != FX_OK)
		goto out;
	/* again here: the last look before records are deleted */
	rc = dd_alive(x, t, &alive);
	if (rc == FX_OK && alive)
		rc = FX_ECONFLICT;
	if (rc != FX_OK)
		goto out;
	rc = dd_scan_run(x, t, &s);
	if (rc == FX_OK)
		rc = dd_guard(x, finding, t, s.records, &v);
	if (rc == FX_OK && v != PB_WRONG)
		rc = FX_ECONFLICT;
	if (rc != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	p = json_pack("{s:O, s:O, s:O}", "target", t, "records", s.records,
	    "cloudfront", s.cloudfront);
	if (p == NULL)
		goto out;
	zones = dd_by_zone(s.records);
	if (zones == NULL)
		goto out;
	dd_say_cloudfront(x, s.cloudfront, t);
	if (json_object_size(zones) == 0)
		pb_say(x, "no record set points at %s %s", aws_j_str(t, "kind"),
		    aws_j_str(t, "name"));
	json_object_foreach(zones, zid, z) {
		if ((rc = dd_fix_zone(x, zid, z, t)) == FX_OK)
			done++;
		else {
			failed++;
			zrc = rc;
		}
	}
	/* nothing changed: fail; some zones changed: keep the prior
	 * state so that verify reports the rest and undo can restore */
	rc = failed > 0 && done == 0 ? zrc : FX_OK;
	if (rc == FX_OK) {
		*prior = p;
		p = NULL;
	}
out:
	json_decref(zones);
	json_decref(p);
	json_decref(t);
	dd_scan_release(&s);
	return rc;
}

/* how many recorded record sets of zone zid still point at t */
static fx_err
dd_left(struct pb_ctx *x, const char *zid, const json_t *recs, const json_t *t,
    size_t *left)
{
	json_t *cur = NULL, *rr, *c;
	size_t i, j;
	fx_err rc;

	rc = r53_rrsets(x, PB_AUDITOR, zid, &cur);
	if (rc == FX_ENOTFOUND)
		rc = FX_OK; /* the zone is gone, its records too */
	json_array_foreach(recs, i, rr)
		json_array_foreach(cur, j, c)
			if (r53_rrset_same(rr, c) && dd_points_at(t, c)) {
				(*left)++;
				break;
			}
	json_decref(cur);
	return rc;
}

static fx_err
dd_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	json_t *t = NULL, *zones = NULL, *z;
	const char *zid;
	size_t left = 0;
	fx_err rc;

	*ok = 0;
	t = json_incref(json_object_get(prior, "target"));
	if (t == NULL || !ddk_kind(aws_j_str(t, "kind"))) {
		json_decref(t);
		t = NULL;
		if ((rc = dd_target(x, finding, &t)) != FX_OK)
			goto out;
	}
	rc = FX_ENOMEM;
	if ((zones = dd_by_zone(aws_j_list(prior, "records"))) == NULL)
		goto out;
	rc = FX_OK;
	json_object_foreach(zones, zid, z)
		if ((rc = dd_left(x, zid, json_object_get(z, "records"), t,
			 &left)) != FX_OK)
			goto out;
	*ok = left == 0;
	if (left > 0)
		pb_say(x, "%zu record set(s) still point at %s %s", left,
		    aws_j_str(t, "kind"), aws_j_str(t, "name"));
	else
		pb_say(x, "no record set points at %s %s any more",
		    aws_j_str(t, "kind"), aws_j_str(t, "name"));
out:
	json_decref(zones);
	json_decref(t);
	return rc;
}

/* the recorded record sets of zone zid that are not back unchanged */
static fx_err
dd_missing(struct pb_ctx *x, const char *zid, const json_t *recs, json_t **todo)
{
	json_t *cur = NULL, *rr;
	const json_t *same;
	size_t i;
	fx_err rc;

	if ((*todo = json_array()) == NULL)
		return FX_ENOMEM;
	rc = r53_rrsets(x, PB_AUDITOR, zid, &cur);
	if (rc == FX_ENOTFOUND)
		pb_say(x,
		    "zone %s no longer exists: its records cannot be "
		    "restored",
		    zid);
	json_array_foreach(recs, i, rr) {
		if (rc != FX_OK)
			break;
		if ((same = r53_rrset_find(cur, rr)) == NULL)
			rc = json_array_append(*todo, rr) == 0 ? FX_OK
							       : FX_ENOMEM;
		else if (!json_equal(same, rr))
			pb_say(x,
			    "%s %s in zone %s exists again with other "
			    "values: left as it is",
			    aws_j_str(rr, "Name"), aws_j_str(rr, "Type"), zid);
	}
	json_decref(cur);
	return rc;
}

static fx_err
dd_undo_zone(struct pb_ctx *x, const char *zid, const json_t *z)
{
	json_t *todo = NULL;
	fx_err rc;

	rc = dd_missing(x, zid, json_object_get(z, "records"), &todo);
	if (rc != FX_OK)
		goto out;
	if (json_array_size(todo) == 0) {
		pb_say(x, "zone %s: nothing to restore", zid);
		goto out;
	}
	rc = r53_tag_zone(x, zid, "undo-delete-dangling", NULL);
	if (rc != FX_OK)
		goto out;
	rc = r53_change(x, zid, "CREATE", todo,
	    "fixit: undo of delete-dangling");
	if (rc != FX_OK)
		goto out;
	pb_say(x, "restored %zu record set(s) in zone %s (%s)",
	    json_array_size(todo),
	    aws_j_str(z, "zone_name") ? aws_j_str(z, "zone_name") : "?", zid);
out:
	json_decref(todo);
	return rc;
}

static fx_err
dd_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	json_t *zones, *z;
	const char *zid;
	fx_err rc = FX_OK, zrc;

	(void)finding;
	if ((zones = dd_by_zone(aws_j_list(prior, "records"))) == NULL)
		return FX_ENOMEM;
	json_object_foreach(zones, zid, z)
		if ((zrc = dd_undo_zone(x, zid, z)) != FX_OK)
			rc = zrc; /* go on with the other zones */
	json_decref(zones);
	return rc;
}

const struct pb_def pb_dangling_dns = {
	.name = "dangling-dns",
	.summary = "delete Route 53 records that point at a deleted S3 bucket, "
		   "load balancer, Elastic IP, CloudFront distribution, API "
		   "Gateway domain or Beanstalk environment",
	.irreversible = 0,
	.global = 1,
	.detect = dd_detect,
	.check = dd_check,
	.fix = dd_fix,
	.verify = dd_verify,
	.undo = dd_undo,
};
