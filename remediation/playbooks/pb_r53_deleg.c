/*
 * pb_r53_deleg.c - who still delegates to a hosted zone (see pb_r53.h):
 * NS records in ancestor zones of every configured account, and the
 * public DNS. A zone deleted while delegated leaves the delegation
 * pointing at name servers anyone can claim a zone on: the takeover
 * route53-ns-only exists to prevent.
 *
 * Requests (auditor role in each configured account; the remediator and
 * tagger only in r53_deleg_remove / _restore):
 *   GET /2013-04-01/hostedzone                     ListHostedZones
 *   GET /2013-04-01/hostedzone/ZID/rrset?name=ZONE&type=NS&maxitems=1
 *                                                  ListResourceRecordSets
 *   UDP NS ZONE to the resolver                    (pb_dnsq.c)
 * Another account is reached with the same role names, the account id
 * swapped into the role ARNs the executor made for this run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_sigv4.h"
#include "fxtime.h"
#include "pb_dnsq.h"
#include "pb_r53.h"
#include "banned.h"

#define DELEG_TIMEOUT_MS     2000
#define DELEG_MAX_TIMEOUT_MS 10000

/* ---- another account --------------------------------------------------- */

fx_err
r53_actx_init(struct r53_actx *a, const struct pb_ctx *x, const char *account)
{
	const char *arn, *f4, *f5;
	int i, n;

	a->x = *x;
	a->x.account_id = account;
	for (i = 0; i < PB_ROLE__COUNT; i++) {
		arn = x->role_arn[i];
		if (arn == NULL || strcmp(account, x->account_id) == 0)
			continue;
		/* arn:PARTITION:iam::ACCOUNT:role/NAME */
		f4 = strchr(arn, ':');
		for (n = 1; f4 != NULL && n < 4; n++)
			f4 = strchr(f4 + 1, ':');
		f5 = f4 != NULL ? strchr(f4 + 1, ':') : NULL;
		if (f5 == NULL)
			return FX_EINVAL;
		n = snprintf(a->arn[i], sizeof(a->arn[i]), "%.*s%s%s",
		    (int)(f4 + 1 - arn), arn, account, f5);
		if (n < 0 || (size_t)n >= sizeof(a->arn[i]))
			return FX_ETOOBIG;
		a->x.role_arn[i] = a->arn[i];
	}
	return FX_OK;
}

void
r53_actx_done(struct pb_ctx *x, const struct r53_actx *a)
{
	x->calls = a->x.calls;
	x->planned = a->x.planned;
}

/* ---- parents ------------------------------------------------------------- */

/* zone name anc is a proper ancestor of name (label boundary) */
static int
ancestor(const char *anc, const char *name)
{
	size_t na = r53_name_len(anc), nn = r53_name_len(name);

	return na > 0 && nn > na + 1 && name[nn - na - 1] == '.' &&
	       strncasecmp(name + nn - na, anc, na) == 0;
}

/* some value of the NS record set rr is one of servers */
static int
names_one_of(const json_t *rr, const json_t *servers)
{
	json_t *v, *s;
	size_t i, j;

	json_array_foreach(aws_j_list(rr, "ResourceRecords"), i, v)
		json_array_foreach(servers, j, s)
			if (r53_name_eq(aws_j_str(v, "Value"),
				json_string_value(s)))
				return 1;
	return 0;
}

/* the NS record set named zname in zone zid (first of a listing that
 * starts there), or NULL; *resp owns it */
static fx_err
ns_at(struct pb_ctx *x, const char *zid, const char *zname,
    struct aws_resp *resp, const json_t **rr)
{
	struct buf q = BUF_INIT;
	const json_t *first;
	char path[96];
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*rr = NULL;
	buf_init(&q, 1024);
	snprintf(path, sizeof(path), R53_PATH "/hostedzone/%s/rrset", zid);
	rc = buf_adds(&q, "name=");
	if (rc == FX_OK)
		rc = sigv4_uri_encode(&q, zname, strlen(zname), 0);
	if (rc == FX_OK)
		rc = buf_adds(&q, "&type=NS&maxitems=1");
	if (rc == FX_OK)
		rc = r53_rest(x, PB_AUDITOR, "ListResourceRecordSets", "GET",
		    path, buf_str(&q), NULL, 0, resp);
	if (pb_is_error(rc, resp, "NoSuchHostedZone")) {
		pb_msg_rewind(x, mark); /* deleted meanwhile */
		rc = FX_OK;
	}
	first = json_array_get(aws_j_list(resp->doc, "ResourceRecordSets"), 0);
	if (rc == FX_OK && first != NULL &&
	    r53_name_eq(aws_j_str(first, "Name"), zname) &&
	    aws_j_str(first, "Type") != NULL &&
	    strcmp(aws_j_str(first, "Type"), "NS") == 0)
		*rr = first;
	buf_release(&q);
	return rc;
}

struct scan {
	const char *zname;
	const json_t *servers;
	json_t *parents;
	const char *account;
};

static fx_err
scan_zone(struct pb_ctx *x, const json_t *z, void *arg)
{
	struct scan *s = arg;
	struct aws_resp resp;
	const char *zid = r53_zone_id(aws_j_str(z, "Id"));
	const char *name = aws_j_str(z, "Name");
	const char *priv = aws_j_str(z, "Config/PrivateZone");
	const json_t *rr = NULL;
	json_t *o;
	fx_err rc;

	if (!r53_zid_ok(zid) || name == NULL || !ancestor(name, s->zname) ||
	    (priv != NULL && strcmp(priv, "true") == 0))
		return FX_OK;
	aws_resp_init(&resp);
	rc = ns_at(x, zid, s->zname, &resp, &rr);
	if (rc == FX_OK && rr != NULL && names_one_of(rr, s->servers)) {
		o = json_pack("{s:s, s:s, s:s, s:O}", "account", s->account,
		    "zone_id", zid, "zone_name", name, "record", (json_t *)rr);
		if (o == NULL || json_array_append_new(s->parents, o) != 0)
			rc = FX_ENOMEM;
	}
	aws_resp_release(&resp);
	return rc;
}

static fx_err
find_parents(struct pb_ctx *x, struct scan *s)
{
	static const char *const none[] = { NULL };
	const char *const *ids = x->accounts != NULL ? x->accounts : none;
	const char *one[] = { x->account_id, NULL };
	struct r53_actx a;
	size_t i;
	fx_err rc = FX_OK;

	if (ids[0] == NULL)
		ids = one;
	for (i = 0; ids[i] != NULL && rc == FX_OK; i++) {
		s->account = ids[i];
		rc = r53_actx_init(&a, x, ids[i]);
		if (rc != FX_OK)
			break;
		rc = r53_list_zones(&a.x, PB_AUDITOR, scan_zone, s);
		r53_actx_done(x, &a);
		if (rc != FX_OK)
			pb_say(x,
			    "looking for delegations in account %s failed",
			    ids[i]);
	}
	return rc;
}

/* ---- the public DNS ------------------------------------------------------ */

static fx_err
ask_public(struct pb_ctx *x, const char *zname, struct r53_deleg *d)
{
	struct dnsq_server srv;
	struct dnsq_result *r = NULL;
	int64_t ms = pb_param_clamp(x, "dns_timeout_ms", DELEG_TIMEOUT_MS, 100,
	    DELEG_MAX_TIMEOUT_MS);
	size_t i;
	fx_err rc;

	if (x->deadline_ms > 0 && x->deadline_ms - fx_mono_ms() < ms)
		ms = x->deadline_ms - fx_mono_ms();
	rc = dnsq_resolver(pb_param_str(x, "resolver", NULL), &srv);
	if (rc != FX_OK) {
		pb_say(x, "parameter resolver is no IP address[:port]");
		return rc;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return FX_ENOMEM;
	rc = ms > 0 ? dnsq_ns(&srv, zname, (int)ms, r) : FX_OK;
	if (rc != FX_OK || ms <= 0 || r->verdict == DNSQ_UNKNOWN) {
		d->unknown = 1;
		snprintf(d->why, sizeof(d->why), "resolver %s: %s", srv.text,
		    rc != FX_OK ? fx_strerror(rc)
		    : ms <= 0	? "no time left"
				: r->why);
		rc = FX_OK;
	}
	for (i = 0; i < r->nns && r->verdict == DNSQ_NS; i++)
		if (json_array_append_new(d->public_ns,
			json_string(r->ns[i])) != 0)
			rc = FX_ENOMEM;
	free(r);
	return rc;
}

/* ---- the interface --------------------------------------------------------- */

fx_err
r53_deleg_find(struct pb_ctx *x, const char *zname, const json_t *servers,
    struct r53_deleg *d)
{
	struct scan s;
	fx_err rc;

	memset(d, 0, sizeof(*d));
	d->unknown = 1;
	d->parents = json_array();
	d->public_ns = json_array();
	if (d->parents == NULL || d->public_ns == NULL)
		return FX_ENOMEM;
	memset(&s, 0, sizeof(s));
	s.zname = zname;
	s.servers = servers;
	s.parents = d->parents;
	rc = find_parents(x, &s);
	if (rc != FX_OK)
		return rc;
	d->unknown = 0;
	return ask_public(x, zname, d);
}

void
r53_deleg_release(struct r53_deleg *d)
{
	if (d == NULL)
		return;
	json_decref(d->parents);
	json_decref(d->public_ns);
	memset(d, 0, sizeof(*d));
}

int
r53_deleg_any(const struct r53_deleg *d)
{
	return json_array_size(d->parents) > 0 ||
	       json_array_size(d->public_ns) > 0;
}

int
r53_deleg_removable(const struct r53_deleg *d)
{
	json_t *ns, *p, *v;
	size_t i, j, k;
	int seen;

	json_array_foreach(d->public_ns, i, ns) {
		seen = 0;
		json_array_foreach(d->parents, j, p)
			json_array_foreach(aws_j_list(p,
					       "record/ResourceRecords"),
			    k, v)
				seen |= r53_name_eq(aws_j_str(v, "Value"),
				    json_string_value(ns));
		if (!seen)
			return 0;
	}
	return !d->unknown;
}

fx_err
r53_deleg_remove(struct pb_ctx *x, const json_t *p)
{
	const char *acct = aws_j_str(p, "account");
	const char *zid = aws_j_str(p, "zone_id");
	json_t *recs = json_pack("[O]", json_object_get(p, "record"));
	char comment[128];
	struct r53_actx a;
	fx_err rc = FX_ENOMEM;

	if (recs == NULL)
		goto out;
	rc = FX_EINVAL;
	if (acct == NULL || !r53_zid_ok(zid))
		goto out;
	rc = r53_actx_init(&a, x, acct);
	if (rc != FX_OK)
		goto out;
	snprintf(comment, sizeof(comment),
	    "fixit finding %lld: remove the delegation of an empty zone",
	    (long long)x->finding_id);
	rc = r53_tag_zone(&a.x, zid, "remove-delegation", NULL);
	if (rc == FX_OK)
		rc = r53_change(&a.x, zid, "DELETE", recs, comment);
	r53_actx_done(x, &a);
	if (rc == FX_OK)
		pb_say(x,
		    "%s the delegation (NS %s) in zone %s (%s), account %s",
		    x->dry_run ? "would remove" : "removed",
		    aws_j_str(p, "record/Name"), aws_j_str(p, "zone_name"), zid,
		    acct);
out:
	json_decref(recs);
	return rc;
}

/* p's record with servers as its values */
static json_t *
restored(const json_t *p, const json_t *servers)
{
	json_t *rr = json_deep_copy(json_object_get(p, "record"));
	json_t *vals = json_array(), *s;
	size_t i;

	json_array_foreach(servers, i, s)
		if (json_array_append_new(vals,
			json_pack("{s:O}", "Value", s)) != 0)
			break;
	if (rr == NULL || vals == NULL ||
	    json_array_size(vals) != json_array_size(servers) ||
	    json_array_size(vals) == 0 ||
	    json_object_set(rr, "ResourceRecords", vals) != 0) {
		json_decref(rr);
		rr = NULL;
	}
	json_decref(vals);
	return rr;
}

fx_err
r53_deleg_restore(struct pb_ctx *x, const json_t *p, const json_t *servers)
{
	const char *acct = aws_j_str(p, "account");
	const char *zid = aws_j_str(p, "zone_id");
	const char *name = aws_j_str(p, "record/Name");
	struct aws_resp resp;
	const json_t *cur = NULL;
	json_t *recs = NULL;
	struct r53_actx a;
	fx_err rc = FX_EINVAL;

	aws_resp_init(&resp);
	if (acct == NULL || name == NULL || !r53_zid_ok(zid))
		goto out;
	rc = r53_actx_init(&a, x, acct);
	if (rc != FX_OK)
		goto out;
	rc = ns_at(&a.x, zid, name, &resp, &cur);
	if (rc == FX_OK && cur != NULL)
		pb_say(x, "zone %s (%s) delegates %s again: left as it is",
		    aws_j_str(p, "zone_name"), zid, name);
	if (rc != FX_OK || cur != NULL)
		goto done;
	rc = FX_ENOMEM;
	recs = json_pack("[o]", restored(p, servers));
	if (recs == NULL)
		goto done;
	rc = r53_tag_zone(&a.x, zid, "undo-remove-delegation", NULL);
	if (rc == FX_OK)
		rc = r53_change(&a.x, zid, "CREATE", recs,
		    "fixit: undo of remove-delegation");
	if (rc == FX_OK)
		pb_say(x,
		    "delegated %s again from zone %s (%s), account %s, to the "
		    "re-created zone's name servers",
		    name, aws_j_str(p, "zone_name"), zid, acct);
done:
	r53_actx_done(x, &a);
out:
	aws_resp_release(&resp);
	json_decref(recs);
	return rc;
}

/* ---- what a delegation allows route53-ns-only ------------------------- */

/* what d allows, with the playbook's delegated parameter */
enum r53_deleg_verdict
r53_deleg_decide(const struct pb_ctx *x, const struct r53_deleg *d)
{
	int remove =
	    strcmp(pb_param_str(x, "delegated", "notify"), "remove") == 0;

	if (d->unknown)
		return R53_DELEG_UNKNOWN;
	if (!r53_deleg_any(d))
		return R53_DELEG_FREE;
	return remove && r53_deleg_removable(d) ? R53_DELEG_REMOVE_FIRST
						: R53_DELEG_HELD;
}

/*
 * May public zone zname (name servers ns) be deleted now? FX_OK when
 * nothing delegates to it or (*d's parents) the delegation is to be
 * removed first; FX_ECONFLICT, with the reason said, when not.
 */
fx_err
r53_deleg_gate(struct pb_ctx *x, const char *zname, const json_t *ns,
    struct r53_deleg *d)
{
	json_t *p;
	size_t i;
	fx_err rc;

	rc = r53_deleg_find(x, zname, ns, d);
	if (rc != FX_OK)
		return rc;
	switch (r53_deleg_decide(x, d)) {
	case R53_DELEG_FREE:
	case R53_DELEG_REMOVE_FIRST:
		return FX_OK;
	case R53_DELEG_UNKNOWN:
		pb_say(x,
		    "cannot tell whether zone %s is still delegated (%s): "
		    "not deleted",
		    zname, d->why);
		return FX_ECONFLICT;
	case R53_DELEG_HELD:
		break;
	}
	json_array_foreach(d->parents, i, p)
		pb_say(x, "zone %s (%s) in account %s delegates to zone %s",
		    aws_j_str(p, "zone_name"), aws_j_str(p, "zone_id"),
		    aws_j_str(p, "account"), zname);
	if (json_array_size(d->public_ns) > 0)
		pb_say(x, "the public DNS delegates %s to %zu name server(s)",
		    zname, json_array_size(d->public_ns));
	pb_say(x,
	    "zone %s is still delegated: not deleted (deleting it would "
	    "leave a dangling delegation)",
	    zname);
	return FX_ECONFLICT;
}

/* the facts of d for a finding's details: parents without records */
json_t *
r53_deleg_facts(const struct r53_deleg *d)
{
	json_t *o =
	    json_pack("{s:[], s:O}", "parents", "public_ns", d->public_ns);
	json_t *p;
	size_t i;

	json_array_foreach(d->parents, i, p)
		if (o != NULL &&
		    json_array_append_new(json_object_get(o, "parents"),
			json_pack("{s:s?, s:s?, s:s?}", "account",
			    aws_j_str(p, "account"), "zone_id",
			    aws_j_str(p, "zone_id"), "zone_name",
			    aws_j_str(p, "zone_name"))) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}
