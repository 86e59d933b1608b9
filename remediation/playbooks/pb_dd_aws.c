/*
 * pb_dd_aws.c - dangling-dns targets beyond buckets and load balancers
 * (see pb_dd_aws.h): what they are reachable as, whether they are gone,
 * and the eligibility of the records pointing at them.
 *
 * Requests (auditor role; in each configured account for the "is it
 * anyone's" questions, in the target's region):
 *   ec2 DescribeAddresses Filter.1.Name=public-ip
 *   cloudtrail LookupEvents EventName=AllocateAddress | ReleaseAddress
 *        (the account's own, the target's region, 90 days)
 *   cloudfront GET /2020-05-31/distribution (Marker/NextMarker)
 *   API Gateway and Elastic Beanstalk: pb_dd_svc.c
 *   route53 ListTagsForResource (the zones' tags)
 *   DNS: NS of a CloudFront host (pb_dnsq.h)
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_sigv4.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "pb_dd_aws.h"
#include "pb_dnsq.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "banned.h"

#define DDK_MAX_REGION	   32
#define DDK_TRAIL_DAYS	   90
#define DDK_TRAIL_PAGES	   20
#define DDK_DNS_TIMEOUT_MS 2000
#define DDK_MIN_AGE_MIN	   0

/* ---- names (pure) --------------------------------------------------------- */

int
ddk_kind(const char *kind)
{
	return kind != NULL &&
	       (strcmp(kind, "eip") == 0 || strcmp(kind, "cloudfront") == 0 ||
		   strcmp(kind, "apigw") == 0 ||
		   strcmp(kind, "beanstalk") == 0);
}

/* host h (one trailing dot ignored) ends with "." suffix; *pre = the
 * length before it */
static int
ends_with(const char *h, const char *suffix, size_t *pre)
{
	size_t n = r53_name_len(h), m = strlen(suffix);

	if (n <= m + 1 || h[n - m - 1] != '.' ||
	    strncasecmp(h + n - m, suffix, m) != 0)
		return 0;
	*pre = n - m - 1;
	return 1;
}

/* the first label of h[0..n) is the only one: letters, digits, '-' */
static int
one_label(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-')
			return 0;
	return n > 0 && n <= 63;
}

/* REGION.SUFFIX at the end of h[0..n): the region into region */
static int
region_label(const char *h, size_t n, char *region, size_t rlen, size_t *pre)
{
	size_t i = n;

	while (i > 0 && h[i - 1] != '.')
		i--;
	if (i == 0 || n - i >= rlen || !one_label(h + i, n - i))
		return 0;
	memcpy(region, h + i, n - i);
	region[n - i] = '\0';
	for (i = 0; region[i] != '\0'; i++)
		region[i] = (char)tolower((unsigned char)region[i]);
	*pre = n - strlen(region) - 1;
	return strchr(region, '-') != NULL;
}

const char *
ddk_host_kind(const char *h, char *region, size_t rlen)
{
	size_t pre, p2;

	if (h == NULL)
		return NULL;
	region[0] = '\0';
	if (ends_with(h, "cloudfront.net", &pre) && one_label(h, pre))
		return "cloudfront";
	/* d-ID.execute-api.REGION.amazonaws.com */
	if (ends_with(h, "amazonaws.com", &pre) &&
	    region_label(h, pre, region, rlen, &p2) && p2 > 12 &&
	    strncasecmp(h + p2 - 12, ".execute-api", 12) == 0 &&
	    strncasecmp(h, "d-", 2) == 0 && one_label(h, p2 - 12))
		return "apigw";
	/* PREFIX.REGION.elasticbeanstalk.com */
	if (ends_with(h, "elasticbeanstalk.com", &pre) &&
	    region_label(h, pre, region, rlen, &p2) && one_label(h, p2))
		return "beanstalk";
	region[0] = '\0';
	return NULL;
}

json_t *
ddk_lower_name(const char *s)
{
	char h[R53_MAX_NAME];
	size_t n = r53_name_len(s), i;

	if (n == 0 || n >= sizeof(h))
		return NULL;
	for (i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)s[i]);
	h[n] = '\0';
	return json_string(h);
}

static fx_err
target_eip(json_t *t, const char *name)
{
	struct in_addr a;

	if (inet_pton(AF_INET, name, &a) == 1)
		return json_object_set_new(t, "ip", json_string(name)) == 0
			   ? FX_OK
			   : FX_ENOMEM;
	if (strncmp(name, "eipalloc-", 9) == 0 && r53_word_ok(name + 9, "", 64))
		return json_object_set_new(t, "allocation_id",
			   json_string(name)) == 0
			   ? FX_OK
			   : FX_ENOMEM;
	return FX_EINVAL;
}

static fx_err
target_cloudfront(json_t *t, json_t *hosts, const char *name)
{
	char region[DDK_MAX_REGION];
	const char *k = ddk_host_kind(name, region, sizeof(region));

	if (k != NULL && strcmp(k, "cloudfront") == 0)
		return json_array_append_new(hosts, ddk_lower_name(name)) == 0
			   ? FX_OK
			   : FX_ENOMEM;
	if (!r53_word_ok(name, "", 32))
		return FX_EINVAL;
	return json_object_set_new(t, "distribution_id", json_string(name)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

static fx_err
target_apigw(json_t *named, const char *name, const char *region)
{
	char p[R53_MAX_NAME];

	if (!r53_word_ok(name, ".-", 253) || strchr(name, '.') == NULL)
		return FX_EINVAL;
	snprintf(p, sizeof(p), "d-*.execute-api.%s.amazonaws.com", region);
	if (json_array_append_new(named, json_string(p)) != 0 ||
	    json_array_append_new(named, json_string("*.cloudfront.net")) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

static fx_err
target_beanstalk(json_t *t, json_t *hosts, const char *name, const char *region)
{
	char h[R53_MAX_NAME], r[DDK_MAX_REGION], pre[64];
	const char *k = ddk_host_kind(name, r, sizeof(r));
	size_t n;

	if (k != NULL && strcmp(k, "beanstalk") == 0) {
		/* the host's region, whatever the finding says: the
		 * lookups must ask where the environment was */
		n = strcspn(name, ".");
		snprintf(h, sizeof(h), "%s", name);
		if (json_object_set_new(t, "region", json_string(r)) != 0)
			return FX_ENOMEM;
	} else if (one_label(name, strlen(name))) {
		n = strlen(name);
		snprintf(h, sizeof(h), "%s.%s.elasticbeanstalk.com", name,
		    region);
	} else
		return FX_EINVAL;
	if (n >= sizeof(pre))
		return FX_EINVAL;
	memcpy(pre, name, n);
	pre[n] = '\0';
	if (json_object_set_new(t, "prefix", json_string(pre)) != 0 ||
	    json_array_append_new(hosts, ddk_lower_name(h)) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

fx_err
ddk_target_new(struct pb_ctx *x, const char *kind, const char *name,
    const char *region, json_t **out)
{
	json_t *t = NULL, *hosts, *named;
	fx_err rc = FX_EINVAL;

	*out = NULL;
	if (!ddk_kind(kind) || name == NULL ||
	    !r53_word_ok(region, "-", DDK_MAX_REGION - 1))
		goto out;
	rc = FX_ENOMEM;
	t = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "kind", kind, "name", name,
	    "region", region, "hosts", "named");
	if (t == NULL)
		goto out;
	hosts = json_object_get(t, "hosts");
	named = json_object_get(t, "named");
	if (strcmp(kind, "eip") == 0)
		rc = target_eip(t, name);
	else if (strcmp(kind, "cloudfront") == 0)
		rc = target_cloudfront(t, hosts, name);
	else if (strcmp(kind, "apigw") == 0)
		rc = target_apigw(named, name, region);
	else
		rc = target_beanstalk(t, hosts, name, region);
	if (rc == FX_OK) {
		*out = t;
		t = NULL;
	}
out:
	if (rc == FX_EINVAL)
		pb_say(x, "finding names no %s target this playbook knows (%s)",
		    kind != NULL ? kind : "?", name != NULL ? name : "?");
	json_decref(t);
	return rc;
}

int
ddk_points_at(const json_t *target, const json_t *rrset)
{
	const char *ip = aws_j_str(target, "ip"), *type;
	json_t *vals, *it;
	size_t i;

	type = aws_j_str(rrset, "Type");
	if (ip == NULL || type == NULL || strcmp(type, "A") != 0 ||
	    aws_j_get(rrset, "AliasTarget") != NULL)
		return 0;
	vals = aws_j_list(rrset, "ResourceRecords");
	json_array_foreach(vals, i, it) {
		if (aws_j_str(it, "Value") == NULL ||
		    strcmp(aws_j_str(it, "Value"), ip) != 0)
			return 0;
	}
	return json_array_size(vals) > 0;
}

/* ---- in every configured account ------------------------------------------ */

fx_err
ddk_each_account(struct pb_ctx *x, const char *region, ddk_acct_fn fn,
    void *arg, int *found)
{
	const char *one[] = { x->account_id, NULL };
	const char *const *ids = x->accounts;
	struct r53_actx a;
	size_t i;
	fx_err rc = FX_OK;

	*found = 0;
	if (ids == NULL || ids[0] == NULL)
		ids = one;
	for (i = 0; ids[i] != NULL && rc == FX_OK && !*found; i++) {
		if ((rc = r53_actx_init(&a, x, ids[i])) != FX_OK)
			break;
		a.x.region = region;
		rc = fn(&a.x, arg, found);
		r53_actx_done(x, &a);
		if (rc != FX_OK)
			pb_say(x, "looking in account %s failed", ids[i]);
	}
	return rc;
}

/* ---- eip -------------------------------------------------------------------- */

struct eip_trail {
	json_t *t;
	int tied;
};

/* an AllocateAddress or ReleaseAddress event naming the target */
static fx_err
eip_event(void *arg, const json_t *ev)
{
	struct eip_trail *e = arg;
	const char *s = aws_j_str(ev, "CloudTrailEvent");
	const char *ip = aws_j_str(e->t, "ip");
	const char *alloc = aws_j_str(e->t, "allocation_id");
	const char *eip, *eal;
	json_t *doc, *re, *rq;

	if (s == NULL || e->tied ||
	    (doc = json_loads(s, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return FX_OK;
	re = json_object_get(doc, "responseElements");
	rq = json_object_get(doc, "requestParameters");
	eip = aws_j_str(re, "publicIp");
	eal = aws_j_str(re, "allocationId");
	if (eip == NULL)
		eip = aws_j_str(rq, "publicIp");
	if (eal == NULL)
		eal = aws_j_str(rq, "allocationId");
	if (ip != NULL && eip != NULL && strcmp(ip, eip) == 0)
		e->tied = 1;
	else if (ip == NULL && alloc != NULL && eal != NULL && eip != NULL &&
		 strcmp(alloc, eal) == 0) {
		e->tied =
		    json_object_set_new(e->t, "ip", json_string(eip)) == 0;
	}
	json_decref(doc);
	return FX_OK;
}

/* the address was this account's Elastic IP (CloudTrail, 90 days) */
static fx_err
eip_tie(struct pb_ctx *x, json_t *t, int *tied)
{
	static const char *const names[] = { "AllocateAddress",
		"ReleaseAddress", NULL };
	struct eip_trail e = { t, 0 };
	int64_t since = x->now - (int64_t)DDK_TRAIL_DAYS * 86400;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; names[i] != NULL && !e.tied && rc == FX_OK; i++)
		rc = pb_sto_util_lookup(x, aws_j_str(t, "region"), "EventName",
		    names[i], since, DDK_TRAIL_PAGES, NULL, eip_event, &e);
	*tied = e.tied;
	return rc;
}

static fx_err
eip_held(struct pb_ctx *ax, void *arg, int *found)
{
	json_t *p = json_object();
	struct aws_resp resp;
	fx_err rc;

	aws_resp_init(&resp);
	if (p == NULL)
		return FX_ENOMEM;
	rc = pb_ec2_filter(p, 1, "public-ip", arg);
	if (rc != FX_OK) {
		json_decref(p);
		return rc;
	}
	rc =
	    pb_query(ax, PB_AUDITOR, AWS_EC2, "DescribeAddresses", p, 0, &resp);
	if (rc == FX_OK)
		*found =
		    json_array_size(aws_j_list(resp.doc, "addressesSet")) > 0;
	aws_resp_release(&resp);
	return rc;
}

static fx_err
eip_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st)
{
	int tied = 0, held = 0;
	fx_err rc;

	if ((rc = eip_tie(x, t, &tied)) != FX_OK)
		return rc;
	if (!tied) {
		*st = DDK_HELD;
		pb_say(x,
		    "%s: fixit cannot tie the address to an Elastic IP of "
		    "this account (no AllocateAddress or ReleaseAddress "
		    "naming it in CloudTrail): records are left alone",
		    aws_j_str(t, "name"));
		return FX_OK;
	}
	rc = ddk_each_account(x, aws_j_str(t, "region"), eip_held,
	    (void *)aws_j_str(t, "ip"), &held);
	if (rc == FX_OK && held)
		pb_say(x, "Elastic IP %s is held by a configured account",
		    aws_j_str(t, "ip"));
	*st = held ? DDK_ALIVE : DDK_GONE;
	return rc;
}

/* ---- cloudfront -------------------------------------------------------------- */

static const char *const ddk_cf_next[] = { "NextMarker", "Marker", NULL };
static const struct r53_pages ddk_cf_list = { AWS_CLOUDFRONT,
	"ListDistributions", "/2020-05-31/distribution", "Items", ddk_cf_next,
	0 };

struct cf_live {
	json_t *domains; /* lower-case domain -> true */
	const char *dist;
	int dist_found;
};

static fx_err
cf_item(struct pb_ctx *x, const json_t *d, void *arg)
{
	struct cf_live *l = arg;
	json_t *n = ddk_lower_name(aws_j_str(d, "DomainName"));

	(void)x;
	if (l->dist != NULL && aws_j_str(d, "Id") != NULL &&
	    strcmp(aws_j_str(d, "Id"), l->dist) == 0)
		l->dist_found = 1;
	if (n == NULL)
		return FX_OK;
	if (json_object_set_new(l->domains, json_string_value(n),
		json_true()) != 0) {
		json_decref(n);
		return FX_ENOMEM;
	}
	json_decref(n);
	return FX_OK;
}

static fx_err
cf_account(struct pb_ctx *ax, void *arg, int *found)
{
	(void)found; /* every account: the set of live domains */
	return r53_pages(ax, PB_AUDITOR, &ddk_cf_list, cf_item, arg);
}

/* the public DNS about host: DDK_GONE only for NXDOMAIN */
static fx_err
cf_dns(struct pb_ctx *x, const char *host, enum ddk_state *st)
{
	struct dnsq_server srv;
	struct dnsq_result r;
	int64_t ms;
	fx_err rc;

	*st = DDK_HELD;
	rc = dnsq_resolver(pb_param_str(x, "resolver", NULL), &srv);
	if (rc != FX_OK) {
		pb_say(x, "parameter resolver is no address");
		return rc;
	}
	ms =
	    pb_param_clamp(x, "dns_timeout_ms", DDK_DNS_TIMEOUT_MS, 100, 10000);
	rc = dnsq_ns(&srv, host, (int)ms, &r);
	if (rc != FX_OK)
		return rc;
	if (r.verdict == DNSQ_UNKNOWN)
		pb_say(x, "%s: the DNS (%s) cannot tell (%s): left alone", host,
		    srv.text, r.why);
	else if (r.verdict == DNSQ_NONE && r.nxdomain)
		*st = DDK_GONE;
	else {
		*st = DDK_ALIVE;
		pb_say(x, "%s answers in the public DNS", host);
	}
	return FX_OK;
}

/* the hosts of t that are gone: not listed, NXDOMAIN */
static fx_err
cf_gone(struct pb_ctx *x, const json_t *live, json_t *cands, json_t *hosts)
{
	enum ddk_state st;
	json_t *it;
	size_t i;
	fx_err rc;

	json_array_foreach(cands, i, it) {
		const char *h = json_string_value(it);

		if (json_object_get(live, h) != NULL)
			continue;
		if ((rc = cf_dns(x, h, &st)) != FX_OK)
			return rc;
		if (st == DDK_GONE &&
		    json_array_append_new(hosts, json_string(h)) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

struct cf_zscan {
	json_t *cands; /* CloudFront hosts named by records */
};

static fx_err
cf_rrset(struct pb_ctx *x, const json_t *rr, void *arg)
{
	struct cf_zscan *z = arg;
	char region[DDK_MAX_REGION];
	const char *k, *v;
	json_t *it, *n;
	size_t i, j;
	int dup;

	(void)x;
	for (i = 0;; i++) {
		if (i == 0)
			v = aws_j_str(rr, "AliasTarget/DNSName");
		else if ((it = json_array_get(aws_j_list(rr, "ResourceRecords"),
			      i - 1)) != NULL)
			v = aws_j_str(it, "Value");
		else
			break;
		k = ddk_host_kind(v, region, sizeof(region));
		if (k == NULL || strcmp(k, "cloudfront") != 0 ||
		    (n = ddk_lower_name(v)) == NULL)
			continue;
		dup = 0;
		json_array_foreach(z->cands, j, it)
			dup |= json_equal(it, n);
		if (dup)
			json_decref(n);
		else if (json_array_append_new(z->cands, n) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

static fx_err
cf_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	const char *zid = r53_zone_id(aws_j_str(z, "Id"));
	fx_err rc;

	if (!r53_zid_ok(zid))
		return FX_OK;
	rc = r53_list_rrsets(x, PB_AUDITOR, zid, cf_rrset, arg);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

fx_err
ddk_listed(struct pb_ctx *x, const char *kind, const char *region, json_t *set)
{
	struct cf_live l = { set, NULL, 0 };
	int unused;

	if (strcmp(kind, "cloudfront") == 0)
		return ddk_each_account(x, "us-east-1", cf_account, &l,
		    &unused);
	return ddk_svc_listed(x, kind, region, set);
}

static fx_err
cf_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st)
{
	struct cf_live l = { json_object(), aws_j_str(t, "distribution_id"),
		0 };
	struct cf_zscan z = { json_array() };
	json_t *hosts = json_object_get(t, "hosts"), *gone = json_array();
	const char *h;
	int unused;
	fx_err rc = FX_ENOMEM;

	*st = DDK_GONE;
	if (l.domains == NULL || z.cands == NULL || gone == NULL)
		goto out;
	rc = ddk_each_account(x, "us-east-1", cf_account, &l, &unused);
	if (rc != FX_OK)
		goto out;
	if (l.dist_found) {
		*st = DDK_ALIVE;
		pb_say(x, "distribution %s exists", l.dist);
		goto out;
	}
	if (l.dist == NULL) { /* one host: listed, or what the DNS says */
		h = json_string_value(json_array_get(hosts, 0));
		if (json_object_get(l.domains, h) != NULL) {
			*st = DDK_ALIVE;
			pb_say(x, "a distribution has the domain %s", h);
		} else
			rc = cf_dns(x, h, st);
		goto out;
	}
	/* every CloudFront host the records name */
	if ((rc = r53_list_zones(x, PB_AUDITOR, cf_zone, &z)) != FX_OK)
		goto out;
	if ((rc = cf_gone(x, l.domains, z.cands, gone)) != FX_OK)
		goto out;
	if (json_array_clear(hosts) != 0 || json_array_extend(hosts, gone) != 0)
		rc = FX_ENOMEM;
out:
	json_decref(l.domains);
	json_decref(z.cands);
	json_decref(gone);
	return rc;
}

fx_err
ddk_alive(struct pb_ctx *x, json_t *t, enum ddk_state *st)
{
	const char *kind = aws_j_str(t, "kind"), *saved = x->region;
	fx_err rc;

	*st = DDK_HELD;
	if (strcmp(kind, "eip") == 0)
		rc = eip_alive(x, t, st);
	else if (strcmp(kind, "cloudfront") == 0)
		rc = cf_alive(x, t, st);
	else if (strcmp(kind, "apigw") == 0)
		rc = ddk_apigw_alive(x, t, st);
	else
		rc = ddk_beanstalk_alive(x, t, st);
	x->region = saved;
	return rc;
}

/* ---- eligibility ----------------------------------------------------------------- */

/* drop the records of zone zid from records */
static void
drop_zone(json_t *records, const char *zid)
{
	size_t i = 0;

	while (i < json_array_size(records))
		if (strcmp(aws_j_str(json_array_get(records, i), "zone_id"),
			zid) == 0)
			(void)json_array_remove(records, i);
		else
			i++;
}

/* the tag guards of each zone of records */
static fx_err
elig_zones(struct pb_ctx *x, json_t *records, struct pb_elig *e, int *dropped)
{
	const char *allow = pb_param_str(x, "allow_tag", "fixit:allow");
	struct pb_elig ze;
	json_t *tags, *zones = json_object(), *it;
	const char *zid;
	size_t i;
	fx_err rc = FX_OK;

	if (zones == NULL)
		return FX_ENOMEM;
	json_array_foreach(records, i, it)
		if ((zid = aws_j_str(it, "zone_id")) != NULL)
			(void)json_object_set_new(zones, zid, json_true());
	json_object_foreach(zones, zid, it) {
		tags = NULL;
		if ((rc = r53_zone_tags(x, zid, &tags)) != FX_OK)
			break;
		pb_elig_init(&ze);
		pb_elig_tags(x, &ze, tags, allow);
		json_decref(tags);
		if (ze.kind == PB_EXEMPT) {
			pb_say(x, "zone %s: %s: its records are left alone",
			    zid, ze.why);
			drop_zone(records, zid);
			(*dropped)++;
		} else if (ze.kind == PB_IAC_OWNED && e->kind == PB_ELIGIBLE)
			*e = ze;
	}
	json_decref(zones);
	return rc;
}

/* the CloudFront host record set rr names (alias or CNAME), or NULL */
static const char *
cf_host_of(const json_t *rr)
{
	char region[DDK_MAX_REGION];
	const char *v = aws_j_str(rr, "AliasTarget/DNSName"), *k;
	json_t *it;
	size_t i;

	k = ddk_host_kind(v, region, sizeof(region));
	if (k != NULL && strcmp(k, "cloudfront") == 0)
		return v;
	json_array_foreach(aws_j_list(rr, "ResourceRecords"), i, it) {
		v = aws_j_str(it, "Value");
		k = ddk_host_kind(v, region, sizeof(region));
		if (k != NULL && strcmp(k, "cloudfront") == 0)
			return v;
	}
	return NULL;
}

/*
 * An API Gateway domain's records to a CloudFront host (an edge domain's
 * distribution, or a distribution the name moved to) are kept unless
 * that host is verified gone as well.
 */
static fx_err
elig_edge(struct pb_ctx *x, json_t *records, int *dropped)
{
	struct cf_live l = { NULL, NULL, 0 };
	enum ddk_state st;
	const char *host;
	json_t *n;
	size_t i = 0;
	int unused;
	fx_err rc = FX_OK;

	while (rc == FX_OK && i < json_array_size(records)) {
		host = cf_host_of(
		    json_object_get(json_array_get(records, i), "record"));
		if (host == NULL) {
			i++;
			continue;
		}
		if (l.domains == NULL) {
			if ((l.domains = json_object()) == NULL)
				return FX_ENOMEM;
			rc = ddk_each_account(x, "us-east-1", cf_account, &l,
			    &unused);
			if (rc != FX_OK)
				break;
		}
		if ((n = ddk_lower_name(host)) == NULL)
			st = DDK_HELD;
		else if (json_object_get(l.domains, json_string_value(n)))
			st = DDK_ALIVE;
		else
			rc = cf_dns(x, json_string_value(n), &st);
		json_decref(n);
		if (rc != FX_OK || st == DDK_GONE) {
			i++;
			continue;
		}
		pb_say(x, "%s points at %s, which is not gone: left alone",
		    aws_j_str(json_array_get(records, i), "record/Name"), host);
		(void)json_array_remove(records, i);
		(*dropped)++;
	}
	json_decref(l.domains);
	return rc;
}

fx_err
ddk_elig(struct pb_ctx *x, const json_t *finding, const json_t *target,
    json_t *records, struct pb_elig *e)
{
	int64_t min, t;
	char age[32], need[32];
	const char *seen;
	int dropped = 0;
	fx_err rc;

	pb_elig_init(e);
	if (strcmp(aws_j_str(target, "kind"), "apigw") == 0 &&
	    (rc = elig_edge(x, records, &dropped)) != FX_OK)
		return rc;
	if ((rc = elig_zones(x, records, e, &dropped)) != FX_OK)
		return rc;
	if (dropped > 0 && json_array_size(records) == 0)
		pb_elig_exempt(e,
		    "no record is left to delete (kept zones, live hosts)");
	if (finding == NULL)
		return FX_OK;
	min = pb_param_range(x, "min_age_minutes", DDK_MIN_AGE_MIN, 0, 10080) *
	      60;
	seen = aws_j_str(finding, "first_seen");
	if (seen == NULL || fx_iso8601_parse(seen, &t) != FX_OK) {
		if (min > 0)
			pb_elig_exempt(e, "when it went is unknown");
	} else if (x->now - t < min) {
		fx_duration_format(x->now - t, age, sizeof(age));
		fx_duration_format(min, need, sizeof(need));
		pb_elig_exempt(e, "seen gone %s ago, fixit waits %s", age,
		    need);
	}
	return FX_OK;
}
