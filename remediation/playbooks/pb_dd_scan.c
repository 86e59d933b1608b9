/*
 * pb_dd_scan.c - dangling-dns's daily scan (see pb_dd_aws.h): every
 * record set of the account's zones is read once; the CNAME values and
 * alias targets that name a CloudFront distribution, an API Gateway
 * regional domain or an Elastic Beanstalk environment, and the A
 * records whose one address was an Elastic IP of the account
 * (CloudTrail AllocateAddress / ReleaseAddress, 90 days, in each region
 * of parameter eip_regions, "R1,R2", default the run's: an address fixit
 * cannot tie to AWS is never a candidate), are
 * candidates; each candidate whose target is verified gone (ddk_alive)
 * and whose records pass the zone guards (ddk_elig, no finding yet) is
 * a finding:
 *   cloudfront:HOST  apigw:RECORD_NAME (region of the target)
 *   beanstalk:HOST   eip:IP
 * with details {"kind", "name", "region", "records": [names]}.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pb_dd_aws.h"
#include "pb_r53.h"
#include "pb_sto_util.h"
#include "banned.h"

#define SCAN_TRAIL_DAYS	 90
#define SCAN_TRAIL_PAGES 20
#define SCAN_MAX_CANDS	 500

struct scan {
	json_t *cands;	/* "kind:name" -> {kind, name, region, records} */
	json_t *listed; /* "kind/region" -> ddk_listed set */
	json_t *ips;	/* A-record addresses -> [records] */
	const char *zid, *zname;
};

/* one candidate record: cands[kind:name].records gets {zone, record} */
static fx_err
cand_add(struct scan *s, const char *kind, const char *name, const char *region,
    const json_t *rr)
{
	char key[R53_MAX_NAME + 16];
	json_t *c, *o;

	snprintf(key, sizeof(key), "%s:%s", kind, name);
	if ((c = json_object_get(s->cands, key)) == NULL) {
		if (json_object_size(s->cands) >= SCAN_MAX_CANDS)
			return FX_OK;
		c = json_pack("{s:s, s:s, s:s, s:[]}", "kind", kind, "name",
		    name, "region", region, "records");
		if (c == NULL || json_object_set_new(s->cands, key, c) != 0)
			return FX_ENOMEM;
	}
	o = json_pack("{s:s, s:s, s:O}", "zone_id", s->zid, "zone_name",
	    s->zname, "record", (json_t *)rr);
	if (o == NULL ||
	    json_array_append_new(json_object_get(c, "records"), o) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

/* host (a CNAME value or an alias target) of record set rr */
static fx_err
scan_host(struct scan *s, const json_t *rr, const char *host)
{
	char region[32], name[R53_MAX_NAME], h[R53_MAX_NAME];
	const char *kind = ddk_host_kind(host, region, sizeof(region));
	size_t n;

	if (kind == NULL)
		return FX_OK;
	n = r53_name_len(host);
	if (n >= sizeof(h))
		return FX_OK;
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcmp(kind, "apigw") == 0) {
		/* the custom domain is the record's own name */
		n = r53_name_len(aws_j_str(rr, "Name"));
		if (n == 0 || n >= sizeof(name))
			return FX_OK;
		memcpy(name, aws_j_str(rr, "Name"), n);
		name[n] = '\0';
		return cand_add(s, kind, name, region, rr);
	}
	return cand_add(s, kind, h, region[0] ? region : "us-east-1", rr);
}

static fx_err
scan_rrset(struct pb_ctx *x, const json_t *rr, void *arg)
{
	struct scan *s = arg;
	const char *type = aws_j_str(rr, "Type"), *v;
	json_t *vals, *it, *o;
	struct in_addr a;
	size_t i;
	fx_err rc;

	(void)x;
	if ((v = aws_j_str(rr, "AliasTarget/DNSName")) != NULL)
		return scan_host(s, rr, v);
	vals = aws_j_list(rr, "ResourceRecords");
	if (type != NULL && strcmp(type, "CNAME") == 0) {
		json_array_foreach(vals, i, it)
			if ((rc = scan_host(s, rr, aws_j_str(it, "Value"))) !=
			    FX_OK)
				return rc;
		return FX_OK;
	}
	/* an A record set of one address (repeated values count once) */
	if (type == NULL || strcmp(type, "A") != 0 ||
	    json_array_size(vals) == 0)
		return FX_OK;
	v = aws_j_str(json_array_get(vals, 0), "Value");
	if (v == NULL || inet_pton(AF_INET, v, &a) != 1)
		return FX_OK;
	json_array_foreach(vals, i, it)
		if (aws_j_str(it, "Value") == NULL ||
		    strcmp(aws_j_str(it, "Value"), v) != 0)
			return FX_OK;
	if ((o = json_object_get(s->ips, v)) == NULL) {
		if (json_object_set_new(s->ips, v, json_array()) != 0)
			return FX_ENOMEM;
		o = json_object_get(s->ips, v);
	}
	it = json_pack("{s:s, s:s, s:O}", "zone_id", s->zid, "zone_name",
	    s->zname, "record", (json_t *)rr);
	return it != NULL && json_array_append_new(o, it) == 0 ? FX_OK
							       : FX_ENOMEM;
}

static fx_err
scan_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct scan *s = arg;
	fx_err rc;

	s->zid = r53_zone_id(aws_j_str(z, "Id"));
	s->zname = aws_j_str(z, "Name");
	if (!r53_zid_ok(s->zid) || s->zname == NULL)
		return FX_OK;
	rc = r53_list_rrsets(x, PB_AUDITOR, s->zid, scan_rrset, s);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

/* an AllocateAddress / ReleaseAddress event: its address is tied */
static fx_err
tie_event(void *arg, const json_t *ev)
{
	struct scan *s = arg;
	const char *str = aws_j_str(ev, "CloudTrailEvent"), *ip, *k;
	json_t *doc, *recs;
	char key[64];

	if (str == NULL ||
	    (doc = json_loads(str, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return FX_OK;
	ip = aws_j_str(json_object_get(doc, "responseElements"), "publicIp");
	if (ip == NULL)
		ip = aws_j_str(json_object_get(doc, "requestParameters"),
		    "publicIp");
	recs = ip != NULL ? json_object_get(s->ips, ip) : NULL;
	k = aws_j_str(doc, "awsRegion");
	if (recs != NULL && json_is_array(recs)) {
		snprintf(key, sizeof(key), "eip:%s", ip);
		if (json_object_get(s->cands, key) == NULL &&
		    json_object_set_new(s->cands, key,
			json_pack("{s:s, s:s, s:s?, s:O}", "kind", "eip",
			    "name", ip, "region", k, "records", recs)) != 0) {
			json_decref(doc);
			return FX_ENOMEM;
		}
	}
	json_decref(doc);
	return FX_OK;
}

/* the A-record addresses that were the account's Elastic IPs, in each
 * region of parameter eip_regions ("R1,R2", default the run's) */
static fx_err
scan_tie(struct pb_ctx *x, struct scan *s)
{
	static const char *const names[] = { "AllocateAddress",
		"ReleaseAddress", NULL };
	const char *list = pb_param_str(x, "eip_regions", x->region), *p;
	int64_t since = x->now - (int64_t)SCAN_TRAIL_DAYS * 86400;
	char region[32];
	size_t i, n;
	fx_err rc = FX_OK;

	if (json_object_size(s->ips) == 0)
		return FX_OK;
	for (p = list; *p != '\0' && rc == FX_OK; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(region))
			continue;
		memcpy(region, p, n);
		region[n] = '\0';
		if (!r53_word_ok(region, "-", sizeof(region) - 1)) {
			pb_say(x, "eip_regions: %s is no region", region);
			continue;
		}
		for (i = 0; names[i] != NULL && rc == FX_OK; i++)
			rc =
			    pb_sto_util_lookup(x, region, "EventName", names[i],
				since, SCAN_TRAIL_PAGES, NULL, tie_event, s);
	}
	return rc;
}

/*
 * *live = 1 when a listing of every configured account holds the
 * candidate's name (read once per kind and region for the whole scan);
 * only the others are looked up one by one (ddk_alive). Addresses are
 * not listed: CloudTrail has already narrowed them down.
 */
static fx_err
scan_listed(struct pb_ctx *x, struct scan *s, const char *kind,
    const char *region, const char *name, int *live)
{
	char key[64];
	json_t *set, *n;
	fx_err rc;

	*live = 0;
	if (strcmp(kind, "eip") == 0)
		return FX_OK;
	snprintf(key, sizeof(key), "%s/%s", kind, region);
	if ((set = json_object_get(s->listed, key)) == NULL) {
		if ((set = json_object()) == NULL ||
		    json_object_set_new(s->listed, key, set) != 0)
			return FX_ENOMEM;
		if ((rc = ddk_listed(x, kind, region, set)) != FX_OK)
			return rc;
	}
	if ((n = ddk_lower_name(name)) == NULL)
		return FX_OK;
	*live = json_object_get(set, json_string_value(n)) != NULL;
	json_decref(n);
	return FX_OK;
}

/* one candidate: a finding when its target is gone and it is eligible */
static fx_err
scan_cand(struct pb_ctx *x, struct scan *s, json_t *c,
    struct pb_found_list *found)
{
	const char *kind = aws_j_str(c, "kind"), *name = aws_j_str(c, "name");
	const char *region = aws_j_str(c, "region");
	json_t *t = NULL, *recs = json_object_get(c, "records"), *names, *it;
	char rid[R53_MAX_NAME + 16], title[R53_MAX_NAME + 96];
	enum ddk_state st;
	struct pb_elig e;
	size_t i;
	int live = 0;
	fx_err rc;

	if (region == NULL)
		region = x->region;
	if ((rc = scan_listed(x, s, kind, region, name, &live)) != FX_OK ||
	    live)
		return rc;
	if ((rc = ddk_target_new(x, kind, name, region, &t)) != FX_OK)
		return rc == FX_EINVAL ? FX_OK : rc;
	if ((rc = ddk_alive(x, t, &st)) != FX_OK || st != DDK_GONE)
		goto out;
	if ((rc = ddk_elig(x, NULL, t, recs, &e)) != FX_OK ||
	    !pb_elig_found(&e))
		goto out;
	rc = FX_ENOMEM;
	if ((names = json_array()) == NULL)
		goto out;
	json_array_foreach(recs, i, it)
		(void)json_array_append(names, aws_j_get(it, "record/Name"));
	snprintf(rid, sizeof(rid), "%s:%s", kind, name);
	snprintf(title, sizeof(title),
	    "DNS records point at %s %s, which is gone (subdomain takeover)",
	    kind, name);
	rc = pb_found(found, rid, NULL, title,
	    json_pack("{s:s, s:s, s:s, s:o, s:s?}", "kind", kind, "name", name,
		"region", region, "records", names, "iac",
		e.kind == PB_IAC_OWNED ? e.why : NULL),
	    NULL);
out:
	json_decref(t);
	return rc;
}

fx_err
ddk_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct scan s;
	const char *key;
	json_t *c;
	fx_err rc = FX_ENOMEM;

	memset(&s, 0, sizeof(s));
	s.cands = json_object();
	s.ips = json_object();
	s.listed = json_object();
	if (s.cands == NULL || s.ips == NULL || s.listed == NULL)
		goto out;
	if ((rc = r53_list_zones(x, PB_AUDITOR, scan_zone, &s)) != FX_OK)
		goto out;
	if ((rc = scan_tie(x, &s)) != FX_OK)
		goto out;
	json_object_foreach(s.cands, key, c)
		if ((rc = scan_cand(x, &s, c, found)) != FX_OK)
			goto out;
out:
	json_decref(s.cands);
	json_decref(s.ips);
	json_decref(s.listed);
	return rc;
}
