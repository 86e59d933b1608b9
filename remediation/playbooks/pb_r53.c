/*
 * pb_r53.c - Route 53 helpers for the DNS playbooks (see pb_r53.h).
 *
 * Requests sent (all under /2013-04-01, signed for us-east-1):
 *   GET    /hostedzone?marker=M                  ListHostedZones
 *   GET    /hostedzone/ZID                       GetHostedZone
 *   GET    /hostedzone/ZID/rrset?name=N&type=T&identifier=I
 *                                                ListResourceRecordSets
 *   GET    /tags/hostedzone/ZID                  ListTagsForResource
 *   POST   /tags/hostedzone/ZID                  ChangeTagsForResource
 *   POST   /hostedzone/ZID/rrset                 ChangeResourceRecordSets
 * Zone ids are checked (letters and digits) before they go into a path;
 * every other value goes through sigv4_uri_encode or the XML escaper.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_sigv4.h"
#include "fxlimits.h"
#include "pb_r53.h"
#include "banned.h"

#define R53_MAX_ZID 32
#define R53_NO_ZONE "NoSuchHostedZone"

/* ---- names --------------------------------------------------------------- */

const char *
r53_zone_id(const char *id)
{
	static const char pfx[] = "/hostedzone/";

	if (id != NULL && strncmp(id, pfx, sizeof(pfx) - 1) == 0)
		return id + sizeof(pfx) - 1;
	return id;
}

int
r53_word_ok(const char *s, const char *set, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= max || (!isalnum((unsigned char)s[n]) &&
				    strchr(set, s[n]) == NULL))
			return 0;
	return n > 0;
}

int
r53_zid_ok(const char *zid)
{
	return r53_word_ok(zid, "", R53_MAX_ZID);
}

size_t
r53_name_len(const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	return n;
}

int
r53_name_eq(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL)
		return 0;
	n = r53_name_len(a);
	return n == r53_name_len(b) && strncasecmp(a, b, n) == 0;
}

int
r53_is_apex_ns_soa(const json_t *rrset, const char *zone_name)
{
	const char *t = aws_j_str(rrset, "Type");

	if (t == NULL || (strcmp(t, "NS") != 0 && strcmp(t, "SOA") != 0))
		return 0;
	return r53_name_eq(aws_j_str(rrset, "Name"), zone_name);
}

int
r53_rrset_same(const json_t *a, const json_t *b)
{
	const char *ta = aws_j_str(a, "Type"), *tb = aws_j_str(b, "Type");
	const char *sa = aws_j_str(a, "SetIdentifier");
	const char *sb = aws_j_str(b, "SetIdentifier");

	if (!r53_name_eq(aws_j_str(a, "Name"), aws_j_str(b, "Name")) ||
	    ta == NULL || tb == NULL || strcasecmp(ta, tb) != 0)
		return 0;
	if (sa == NULL || sb == NULL)
		return sa == sb;
	return strcmp(sa, sb) == 0;
}

const json_t *
r53_rrset_find(const json_t *list, const json_t *rrset)
{
	const json_t *c;
	size_t i;

	json_array_foreach(list, i, c)
		if (r53_rrset_same(rrset, c))
			return c;
	return NULL;
}

/* ---- XML ----------------------------------------------------------------- */

fx_err
r53_xml_esc(struct buf *b, const char *s)
{
	const unsigned char *p;
	const char *e;
	fx_err rc = FX_OK;

	for (p = (const unsigned char *)s; *p != '\0' && rc == FX_OK; p++) {
		switch (*p) {
		case '&':
			e = "&amp;";
			break;
		case '<':
			e = "&lt;";
			break;
		case '>':
			e = "&gt;";
			break;
		case '"':
			e = "&quot;";
			break;
		case '\'':
			e = "&apos;";
			break;
		case '\t':
			e = "&#9;";
			break;
		case '\n':
			e = "&#10;";
			break;
		case '\r':
			e = "&#13;";
			break;
		default:
			e = NULL;
			break;
		}
		if (e != NULL)
			rc = buf_adds(b, e);
		else if (*p < 0x20)
			rc = FX_EINVAL;
		else
			rc = buf_addc(b, (char)*p);
	}
	return rc;
}

/* <name>escaped text</name> */
static fx_err
xml_elem(struct buf *b, const char *name, const char *text)
{
	fx_err rc;

	rc = buf_addf(b, "<%s>", name);
	if (rc != FX_OK)
		return rc;
	rc = r53_xml_esc(b, text);
	if (rc != FX_OK)
		return rc;
	return buf_addf(b, "</%s>", name);
}

/* the members of a record set, in the order of the Route 53 schema */
struct r53_field {
	const char *name;
	const struct r53_field *sub; /* members of a struct, or NULL */
};

static const struct r53_field f_coords[] = { { "Latitude", NULL },
	{ "Longitude", NULL }, { NULL, NULL } };
static const struct r53_field f_geo[] = { { "ContinentCode", NULL },
	{ "CountryCode", NULL }, { "SubdivisionCode", NULL }, { NULL, NULL } };
static const struct r53_field f_alias[] = { { "HostedZoneId", NULL },
	{ "DNSName", NULL }, { "EvaluateTargetHealth", NULL }, { NULL, NULL } };
static const struct r53_field f_cidr[] = { { "CollectionId", NULL },
	{ "LocationName", NULL }, { NULL, NULL } };
static const struct r53_field f_prox[] = { { "AWSRegion", NULL },
	{ "LocalZoneGroup", NULL }, { "Coordinates", f_coords },
	{ "Bias", NULL }, { NULL, NULL } };
static const struct r53_field f_rrset[] = { { "Name", NULL }, { "Type", NULL },
	{ "SetIdentifier", NULL }, { "Weight", NULL }, { "Region", NULL },
	{ "GeoLocation", f_geo }, { "Failover", NULL },
	{ "MultiValueAnswer", NULL }, { "TTL", NULL },
	{ "ResourceRecords", NULL }, { "AliasTarget", f_alias },
	{ "HealthCheckId", NULL }, { "TrafficPolicyInstanceId", NULL },
	{ "CidrRoutingConfig", f_cidr }, { "GeoProximityLocation", f_prox },
	{ NULL, NULL } };

static fx_err
xml_records(struct buf *b, const json_t *list)
{
	const char *v;
	json_t *it;
	size_t i;
	fx_err rc;

	if (json_array_size(list) == 0)
		return FX_OK; /* "" (empty) or not a list: nothing */
	rc = buf_adds(b, "<ResourceRecords>");
	if (rc != FX_OK)
		return rc;
	json_array_foreach(list, i, it) {
		v = aws_j_str(it, "Value");
		if (v == NULL)
			return FX_EINVAL;
		rc = buf_adds(b, "<ResourceRecord>");
		if (rc != FX_OK)
			return rc;
		rc = xml_elem(b, "Value", v);
		if (rc != FX_OK)
			return rc;
		rc = buf_adds(b, "</ResourceRecord>");
		if (rc != FX_OK)
			return rc;
	}
	return buf_adds(b, "</ResourceRecords>");
}

static fx_err xml_fields(struct buf *b, const json_t *obj,
    const struct r53_field *f);

/* <name>the members of obj named in f</name> */
static fx_err
xml_struct(struct buf *b, const char *name, const json_t *obj,
    const struct r53_field *f)
{
	fx_err rc;

	rc = buf_addf(b, "<%s>", name);
	if (rc != FX_OK)
		return rc;
	rc = xml_fields(b, obj, f);
	if (rc != FX_OK)
		return rc;
	return buf_addf(b, "</%s>", name);
}

/* the members of obj named in f, in f's order; others are dropped */
static fx_err
xml_fields(struct buf *b, const json_t *obj, const struct r53_field *f)
{
	json_t *v;
	fx_err rc = FX_OK;

	for (; f->name != NULL; f++) {
		v = json_object_get(obj, f->name);
		if (v == NULL)
			continue;
		if (strcmp(f->name, "ResourceRecords") == 0)
			rc = xml_records(b, v);
		else if (f->sub != NULL && json_is_object(v))
			rc = xml_struct(b, f->name, v, f->sub);
		else if (f->sub == NULL && json_is_string(v))
			rc = xml_elem(b, f->name, json_string_value(v));
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

fx_err
r53_rrset_xml(struct buf *b, const json_t *rrset)
{
	fx_err rc;

	if (aws_j_str(rrset, "Name") == NULL ||
	    aws_j_str(rrset, "Type") == NULL)
		return FX_EINVAL;
	rc = buf_adds(b, "<ResourceRecordSet>");
	if (rc != FX_OK)
		return rc;
	rc = xml_fields(b, rrset, f_rrset);
	if (rc != FX_OK)
		return rc;
	return buf_adds(b, "</ResourceRecordSet>");
}

fx_err
r53_change_xml(struct buf *b, const char *action, const json_t *rrsets,
    const char *comment)
{
	json_t *it;
	size_t i;
	fx_err rc;

	if (strcmp(action, "CREATE") != 0 && strcmp(action, "DELETE") != 0 &&
	    strcmp(action, "UPSERT") != 0)
		return FX_EINVAL;
	if (json_array_size(rrsets) == 0)
		return FX_EINVAL;
	rc = buf_adds(b,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ChangeResourceRecordSetsRequest xmlns=\"" R53_XMLNS "\">"
	    "<ChangeBatch>");
	if (rc != FX_OK)
		return rc;
	if (comment != NULL) {
		rc = xml_elem(b, "Comment", comment);
		if (rc != FX_OK)
			return rc;
	}
	rc = buf_adds(b, "<Changes>");
	if (rc != FX_OK)
		return rc;
	json_array_foreach(rrsets, i, it) {
		/* action is one of the three names above: nothing to escape */
		rc = buf_addf(b, "<Change><Action>%s</Action>", action);
		if (rc != FX_OK)
			return rc;
		rc = r53_rrset_xml(b, it);
		if (rc != FX_OK)
			return rc;
		rc = buf_adds(b, "</Change>");
		if (rc != FX_OK)
			return rc;
	}
	return buf_adds(b, "</Changes></ChangeBatch>"
			   "</ChangeResourceRecordSetsRequest>");
}

fx_err
r53_tags_xml(struct buf *b, const json_t *tags)
{
	const char *k;
	json_t *v;
	fx_err rc;

	if (!json_is_object(tags) || json_object_size(tags) == 0 ||
	    json_object_size(tags) > R53_MAX_TAGS)
		return FX_EINVAL;
	rc =
	    buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<ChangeTagsForResourceRequest xmlns=\"" R53_XMLNS "\">"
			"<AddTags>");
	if (rc != FX_OK)
		return rc;
	json_object_foreach((json_t *)tags, k, v) {
		if (!json_is_string(v))
			return FX_EINVAL;
		rc = buf_adds(b, "<Tag>");
		if (rc != FX_OK)
			return rc;
		rc = xml_elem(b, "Key", k);
		if (rc != FX_OK)
			return rc;
		rc = xml_elem(b, "Value", json_string_value(v));
		if (rc != FX_OK)
			return rc;
		rc = buf_adds(b, "</Tag>");
		if (rc != FX_OK)
			return rc;
	}
	return buf_adds(b, "</AddTags></ChangeTagsForResourceRequest>");
}

/* ---- AWS calls ----------------------------------------------------------- */

/* rc of a call in a zone (x->msg ended at mark before it): the zone
 * does not exist is FX_ENOTFOUND, and pb_call's sentence taken back */
static fx_err
zone_rc(struct pb_ctx *x, fx_err rc, const struct aws_resp *resp, size_t mark)
{
	if (!pb_is_error(rc, resp, R53_NO_ZONE))
		return rc;
	pb_msg_rewind(x, mark);
	return FX_ENOTFOUND;
}

fx_err
r53_rest(struct pb_ctx *x, enum pb_role role, const char *action,
    const char *method, const char *path, const char *query, const char *body,
    int mutating, struct aws_resp *out)
{
	struct aws_req r;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_ROUTE53;
	r.action = action;
	r.method = method;
	r.path = path;
	r.query = query;
	r.body = body;
	return pb_call(x, role, &r, mutating, out);
}

/* append key=value (URL-encoded), '&'-separated; nothing when NULL */
static fx_err
query_add(struct buf *q, const char *key, const char *value)
{
	fx_err rc;

	if (value == NULL || *value == '\0')
		return FX_OK;
	rc = buf_addf(q, "%s%s=", q->len > 0 ? "&" : "", key);
	if (rc != FX_OK)
		return rc;
	return sigv4_uri_encode(q, value, strlen(value), 0);
}

/* the answer names a next page (IsTruncated not "false") */
static int
more(const json_t *doc, const char *next_key)
{
	const char *next = aws_j_str(doc, next_key);
	const char *trunc = aws_j_str(doc, "IsTruncated");

	return next != NULL && *next != '\0' &&
	       (trunc == NULL || strcmp(trunc, "false") != 0);
}

/*
 * The query of the next page into *q (swapped with *nq) from the keys
 * of doc; FX_EINVAL when it repeats the current one (a broken answer
 * would loop).
 */
static fx_err
next_query(struct pb_ctx *x, const struct r53_pages *p, const json_t *doc,
    struct buf *q, struct buf *nq)
{
	struct buf tmp;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; p->next[i] != NULL && p->next[i + 1] != NULL && rc == FX_OK;
	     i += 2)
		rc = query_add(nq, p->next[i + 1], aws_j_str(doc, p->next[i]));
	if (rc != FX_OK)
		return rc;
	if (strcmp(buf_str(nq), buf_str(q)) == 0) {
		pb_say(x, "%s %s: the next page repeats this one",
		    aws_svc_name(p->svc), p->action);
		return FX_EINVAL;
	}
	tmp = *q;
	*q = *nq;
	*nq = tmp;
	buf_reset(nq);
	return FX_OK;
}

fx_err
r53_pages(struct pb_ctx *x, enum pb_role role, const struct r53_pages *p,
    pb_item_fn fn, void *arg)
{
	struct aws_req r;
	struct aws_resp resp;
	struct buf q = BUF_INIT, nq = BUF_INIT;
	json_t *it;
	size_t i, mark;
	int page;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	buf_init(&q, 4096);
	buf_init(&nq, 4096);
	memset(&r, 0, sizeof(r));
	r.svc = p->svc;
	r.action = p->action;
	r.method = "GET";
	r.path = p->path;
	for (page = 0; page < FX_MAX_AWS_PAGES; page++) {
		aws_resp_release(&resp);
		r.query = q.len > 0 ? buf_str(&q) : NULL;
		mark = pb_msg_mark(x);
		rc = pb_call(x, role, &r, 0, &resp);
		if (p->zone)
			rc = zone_rc(x, rc, &resp, mark);
		if (rc != FX_OK)
			goto out;
		json_array_foreach(aws_j_list(resp.doc, p->list), i, it) {
			rc = fn(x, it, arg);
			if (rc != FX_OK)
				goto out;
		}
		if (!more(resp.doc, p->next[0]))
			goto out; /* the last page: rc is FX_OK */
		rc = next_query(x, p, resp.doc, &q, &nq);
		if (rc != FX_OK)
			goto out;
	}
	pb_say(x, "%s %s: more than %d pages, listing cut",
	    aws_svc_name(p->svc), p->action, FX_MAX_AWS_PAGES);
	rc = FX_ETOOBIG;
out:
	aws_resp_release(&resp);
	buf_release(&q);
	buf_release(&nq);
	return rc;
}

fx_err
r53_list_zones(struct pb_ctx *x, enum pb_role role, pb_item_fn fn, void *arg)
{
	static const char *const next[] = { "NextMarker", "marker", NULL };
	static const struct r53_pages p = { AWS_ROUTE53, "ListHostedZones",
		R53_PATH "/hostedzone", "HostedZones", next, 0 };

	return r53_pages(x, role, &p, fn, arg);
}

fx_err
r53_list_rrsets(struct pb_ctx *x, enum pb_role role, const char *zid,
    pb_item_fn fn, void *arg)
{
	static const char *const next[] = { "NextRecordName", "name",
		"NextRecordType", "type", "NextRecordIdentifier", "identifier",
		NULL };
	struct r53_pages p = { AWS_ROUTE53, "ListResourceRecordSets", NULL,
		"ResourceRecordSets", next, 1 };
	char path[96];

	if (!r53_zid_ok(zid))
		return FX_EINVAL;
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s/rrset", zid);
	p.path = path;
	return r53_pages(x, role, &p, fn, arg);
}

static fx_err
collect(struct pb_ctx *x, const json_t *it, void *arg)
{
	(void)x;
	return json_array_append((json_t *)arg, (json_t *)it) == 0 ? FX_OK
								   : FX_ENOMEM;
}

fx_err
r53_rrsets(struct pb_ctx *x, enum pb_role role, const char *zid, json_t **out)
{
	json_t *all = json_array();
	fx_err rc = FX_ENOMEM;

	*out = NULL;
	if (all == NULL)
		goto out;
	if ((rc = r53_list_rrsets(x, role, zid, collect, all)) != FX_OK)
		goto out;
	*out = all;
	all = NULL;
out:
	json_decref(all);
	return rc;
}

/* borrowed value at path of doc as a new reference, or NULL */
static json_t *
keep(json_t *v)
{
	return json_is_array(v) || json_is_object(v) ? json_incref(v) : NULL;
}

fx_err
r53_get_zone(struct pb_ctx *x, enum pb_role role, const char *zid,
    json_t **zone, json_t **vpcs, json_t **ns)
{
	struct aws_resp resp;
	char path[80];
	json_t *z;
	size_t mark = pb_msg_mark(x);
	fx_err rc = FX_EINVAL;

	aws_resp_init(&resp);
	if (zone != NULL)
		*zone = NULL;
	if (vpcs != NULL)
		*vpcs = NULL;
	if (ns != NULL)
		*ns = NULL;
	if (!r53_zid_ok(zid))
		goto out;
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s", zid);
	rc = zone_rc(x,
	    r53_rest(x, role, "GetHostedZone", "GET", path, NULL, NULL, 0,
		&resp),
	    &resp, mark);
	if (rc != FX_OK)
		goto out;
	/* an answer whose only child is <HostedZone> converts to a list */
	z = json_is_array(resp.doc) ? json_array_get(resp.doc, 0)
				    : aws_j_get(resp.doc, "HostedZone");
	if (!json_is_object(z) || aws_j_str(z, "Name") == NULL) {
		pb_say(x, "route53 GetHostedZone %s: no zone in the answer",
		    zid);
		rc = FX_EINVAL;
		goto out;
	}
	if (zone != NULL)
		*zone = json_incref(z);
	if (vpcs != NULL)
		*vpcs = keep(aws_j_list(resp.doc, "VPCs"));
	if (ns != NULL)
		*ns = keep(aws_j_list(resp.doc, "DelegationSet/NameServers"));
out:
	aws_resp_release(&resp);
	return rc;
}

fx_err
r53_zone_tags(struct pb_ctx *x, const char *zid, json_t **tags)
{
	struct aws_resp resp;
	char path[80];
	const char *k, *v;
	json_t *t = json_object(), *it;
	size_t i;
	fx_err rc = FX_EINVAL;

	aws_resp_init(&resp);
	*tags = NULL;
	if (t == NULL || !r53_zid_ok(zid)) {
		rc = t == NULL ? FX_ENOMEM : FX_EINVAL;
		goto out;
	}
	snprintf(path, sizeof(path), R53_PATH "/tags/hostedzone/%s", zid);
	if ((rc = r53_rest(x, PB_AUDITOR, "ListTagsForResource", "GET", path,
		 NULL, NULL, 0, &resp)) != FX_OK)
		goto out;
	json_array_foreach(aws_j_list(resp.doc, "ResourceTagSet/Tags"), i, it) {
		k = aws_j_str(it, "Key");
		v = aws_j_str(it, "Value");
		if (k != NULL &&
		    json_object_set_new(t, k, json_string(v ? v : "")) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	*tags = t;
	t = NULL;
out:
	json_decref(t);
	aws_resp_release(&resp);
	return rc;
}

/* one ChangeTagsForResource call with tags (<= R53_MAX_TAGS) as role */
static fx_err
tag_call(struct pb_ctx *x, enum pb_role role, const char *path,
    const json_t *tags)
{
	struct aws_resp resp;
	struct buf body = BUF_INIT;
	fx_err rc;

	aws_resp_init(&resp);
	buf_init(&body, FX_MAX_AWS_REQUEST);
	if ((rc = r53_tags_xml(&body, tags)) == FX_OK)
		rc = r53_rest(x, role, "ChangeTagsForResource", "POST", path,
		    NULL, buf_str(&body), 1, &resp);
	aws_resp_release(&resp);
	buf_release(&body);
	return rc;
}

/* all of tags as role, R53_MAX_TAGS a call */
static fx_err
tag_all(struct pb_ctx *x, enum pb_role role, const char *path,
    const json_t *all)
{
	json_t *chunk = json_object(), *v;
	const char *k;
	fx_err rc = FX_OK;

	if (chunk == NULL)
		return FX_ENOMEM;
	json_object_foreach((json_t *)all, k, v) {
		if (json_object_set(chunk, k, v) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
		if (json_object_size(chunk) == R53_MAX_TAGS) {
			if ((rc = tag_call(x, role, path, chunk)) != FX_OK)
				goto out;
			json_object_clear(chunk);
		}
	}
	if (json_object_size(chunk) > 0)
		rc = tag_call(x, role, path, chunk);
out:
	json_decref(chunk);
	return rc;
}

/*
 * The fixit: tags as the tagger, whose policy allows fixit: keys only;
 * the zone's own earlier tags (never fixit:, aws:) as the remediator:
 * putting back what a zone fixit re-created had is part of the undo, as
 * the tags an EBS or RDS undo sets at creation.
 */
fx_err
r53_tag_zone(struct pb_ctx *x, const char *zid, const char *action,
    const json_t *restore)
{
	char path[80];
	json_t *fixit = NULL, *user = NULL;
	fx_err rc = FX_EINVAL;

	if (!r53_zid_ok(zid))
		goto out;
	snprintf(path, sizeof(path), R53_PATH "/tags/hostedzone/%s", zid);
	rc = FX_ENOMEM;
	if ((fixit = pb_fixit_tags(x, action)) == NULL ||
	    (user = pb_user_tags(restore, 1, NULL)) == NULL)
		goto out;
	if ((rc = tag_all(x, PB_TAGGER, path, fixit)) != FX_OK)
		goto out;
	rc = tag_all(x, PB_REMEDIATOR, path, user);
out:
	json_decref(fixit);
	json_decref(user);
	return rc;
}

fx_err
r53_change(struct pb_ctx *x, const char *zid, const char *action,
    const json_t *rrsets, const char *comment)
{
	struct aws_resp resp;
	struct buf body = BUF_INIT;
	char path[96];
	fx_err rc = FX_EINVAL;

	aws_resp_init(&resp);
	buf_init(&body, FX_MAX_AWS_REQUEST);
	if (!r53_zid_ok(zid))
		goto out;
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s/rrset", zid);
	if ((rc = r53_change_xml(&body, action, rrsets, comment)) != FX_OK) {
		pb_say(x, "cannot write the change batch for zone %s: %s", zid,
		    fx_strerror(rc));
		goto out;
	}
	rc = r53_rest(x, PB_REMEDIATOR, "ChangeResourceRecordSets", "POST",
	    path, NULL, buf_str(&body), 1, &resp);
out:
	aws_resp_release(&resp);
	buf_release(&body);
	return rc;
}
