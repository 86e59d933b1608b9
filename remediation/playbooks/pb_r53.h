/*
 * pb_r53.h - Route 53 helpers shared by the DNS playbooks
 * (pb_route53_ns_only.c, pb_dangling_dns.c), and the paging of REST-XML
 * listings (Route 53, CloudFront).
 *
 * Route 53 is REST-XML: answers arrive as jansson (aws_xml.h rules: all
 * values strings, lists arrays, an empty list ""), requests are XML
 * built here with every text value escaped.
 *
 * Pure helpers (no I/O; unit-tested in tests/unit/test_playbook_r53.c):
 * names and record sets <-> XML.
 *
 * AWS helpers take the pb_ctx and go through pb_call (mutating calls
 * with mutating=1, so a dry run never sends them). Ownership: json_t
 * arguments are borrowed unless said otherwise; *out values are new
 * references owned by the caller.
 */
#ifndef FIXIT_PB_R53_H
#define FIXIT_PB_R53_H

#include <stddef.h>
#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "playbook.h"

#define R53_XMLNS    "https://route53.amazonaws.com/doc/2013-04-01/"
#define R53_MAX_NAME 256 /* a DNS name with its trailing dot */
#define R53_PATH     "/2013-04-01"
#define R53_MAX_TAGS 10 /* tags per ChangeTagsForResource call */

/* ---- pure helpers --------------------------------------------------- */

/* "/hostedzone/Z123" -> "Z123" (a pointer into id; id itself otherwise) */
const char *r53_zone_id(const char *id);
/* s is 1..max letters, digits and characters of set (NULL: 0) */
int r53_word_ok(const char *s, const char *set, size_t max);
/* a zone id fit for a request path: 1..32 letters and digits */
int r53_zid_ok(const char *zid);
/* the length of DNS name s without one trailing dot */
size_t r53_name_len(const char *s);
/* DNS names equal: case-insensitive, one trailing dot ignored */
int r53_name_eq(const char *a, const char *b);
/* rrset is the NS or SOA record set at the zone's apex */
int r53_is_apex_ns_soa(const json_t *rrset, const char *zone_name);
/* append s with & < > " ' and \t \n \r escaped; FX_EINVAL on other
 * control characters (XML 1.0 cannot carry them) */
fx_err r53_xml_esc(struct buf *b, const char *s) FX_WUR;
/* one <ResourceRecordSet> element from a listed record set (schema
 * order; unknown members dropped); FX_EINVAL without Name and Type */
fx_err r53_rrset_xml(struct buf *b, const json_t *rrset) FX_WUR;
/* a whole ChangeResourceRecordSetsRequest: action ("CREATE", "DELETE",
 * "UPSERT") applied to each record set of the array rrsets */
fx_err r53_change_xml(struct buf *b, const char *action, const json_t *rrsets,
    const char *comment) FX_WUR;
/* a ChangeTagsForResourceRequest adding tags ({key: value}, at most
 * R53_MAX_TAGS, string values) */
fx_err r53_tags_xml(struct buf *b, const json_t *tags) FX_WUR;

/* same Name (r53_name_eq), Type and SetIdentifier */
int r53_rrset_same(const json_t *a, const json_t *b);
/* the first record set of the array list that is the same as rrset */
const json_t *r53_rrset_find(const json_t *list, const json_t *rrset);

/* ---- AWS calls -------------------------------------------------------- */

/* one Route 53 request (path under /2013-04-01, encoded; body XML) */
fx_err r53_rest(struct pb_ctx *x, enum pb_role role, const char *action,
    const char *method, const char *path, const char *query, const char *body,
    int mutating, struct aws_resp *out) FX_WUR;

/* one paged REST-XML listing */
struct r53_pages {
	enum aws_svc svc;
	const char *action;
	const char *path;	 /* encoded */
	const char *list;	 /* the answer's list of items */
	const char *const *next; /* answer key, query key, ...; NULL */
	int zone;		 /* in a zone: NoSuchHostedZone is
					 * FX_ENOTFOUND, and no message */
};
/*
 * GET p->path page by page, fn getting each element of each page's
 * list: the query of the next page holds the answer's next keys, while
 * the first is there and IsTruncated is not "false". FX_EINVAL when a
 * next page repeats this one, FX_ETOOBIG past FX_MAX_AWS_PAGES.
 */
fx_err r53_pages(struct pb_ctx *x, enum pb_role role, const struct r53_pages *p,
    pb_item_fn fn, void *arg) FX_WUR;
/* each zone of ListHostedZones (Marker paging), read-only */
fx_err r53_list_zones(struct pb_ctx *x, enum pb_role role, pb_item_fn fn,
    void *arg) FX_WUR;
/* each record set of zone zid (NextRecordName/Type/Identifier paging);
 * FX_ENOTFOUND (and no message) when the zone does not exist */
fx_err r53_list_rrsets(struct pb_ctx *x, enum pb_role role, const char *zid,
    pb_item_fn fn, void *arg) FX_WUR;
/* every record set of zid as one array (*out) */
fx_err r53_rrsets(struct pb_ctx *x, enum pb_role role, const char *zid,
    json_t **out) FX_WUR;
/*
 * GetHostedZone: *zone = the HostedZone object, *vpcs the VPCs array
 * (or NULL), *ns the name servers array (or NULL); FX_ENOTFOUND (and no
 * message) when the zone does not exist. Outputs may be NULL.
 */
fx_err r53_get_zone(struct pb_ctx *x, enum pb_role role, const char *zid,
    json_t **zone, json_t **vpcs, json_t **ns) FX_WUR;
/* ListTagsForResource: *tags = {key: value} */
fx_err r53_zone_tags(struct pb_ctx *x, const char *zid, json_t **tags) FX_WUR;
/*
 * Add the fixit: tags (playbook, finding, action, time) to zone zid
 * (tagger role, mutating), and restore (may be NULL: {key: value} of
 * a zone's earlier tags, for a zone fixit itself re-created; fixit:
 * and aws: keys in it are skipped) as the remediator, in calls of their
 * own. Never removes a tag.
 */
fx_err r53_tag_zone(struct pb_ctx *x, const char *zid, const char *action,
    const json_t *restore) FX_WUR;
/* ChangeResourceRecordSets on zid (remediator role, mutating) */
fx_err r53_change(struct pb_ctx *x, const char *zid, const char *action,
    const json_t *rrsets, const char *comment) FX_WUR;

/* ---- delegations (pb_r53_deleg.c) -------------------------------------- */

/* x's context acting in another account: its roles are x's role ARNs
 * with the account field swapped (the same role names everywhere) */
#define R53_MAX_ARN 256
struct r53_actx {
	struct pb_ctx x;
	char arn[PB_ROLE__COUNT][R53_MAX_ARN];
};
fx_err r53_actx_init(struct r53_actx *a, const struct pb_ctx *x,
    const char *account) FX_WUR;
/* what the run in the other account counted and planned, back into x */
void r53_actx_done(struct pb_ctx *x, const struct r53_actx *a);

/*
 * Who delegates to a public zone named zname whose name servers are
 * servers (array of names):
 *   parents    NS record sets named zname, in public zones that are its
 *              ancestors, in any configured account (x->accounts, with
 *              the same role names), whose values name at least one of
 *              servers: [{"account", "zone_id", "zone_name", "record"}]
 *   public_ns  the NS names the public DNS answers for zname (the
 *              resolver of playbook parameter "resolver", timeout
 *              "dns_timeout_ms"): [] when not delegated
 *   unknown    the public answer could not be had; why says why
 * Reads only. FX_* errors (a listing failed, a role could not be
 * assumed) leave the answer unknown: callers must not delete then.
 */
struct r53_deleg {
	json_t *parents;
	json_t *public_ns;
	int unknown;
	char why[192];
};
fx_err r53_deleg_find(struct pb_ctx *x, const char *zname,
    const json_t *servers, struct r53_deleg *d) FX_WUR;
void r53_deleg_release(struct r53_deleg *d);
/* 1 when something delegates to the zone */
int r53_deleg_any(const struct r53_deleg *d);
/* 1 when every public NS name is among the parents' values: removing
 * those records removes the public delegation fixit can see */
int r53_deleg_removable(const struct r53_deleg *d);
/*
 * The parents as the fix records them, and removing one / restoring
 * one: DELETE of p's record in its account (tagger: fixit: tags with
 * action, remediator: the change); restore CREATEs p's record with
 * servers as its values (a re-created zone has new name servers),
 * unless a record of that name and type is there again.
 */
fx_err r53_deleg_remove(struct pb_ctx *x, const json_t *p) FX_WUR;
fx_err r53_deleg_restore(struct pb_ctx *x, const json_t *p,
    const json_t *servers) FX_WUR;
/*
 * What d allows route53-ns-only, with its "delegated" parameter
 * (notify | remove): FREE (nothing delegates), REMOVE_FIRST (the
 * parents' records explain every public NS and are to be removed
 * first), HELD (delegated: not deleted), UNKNOWN (cannot tell).
 */
enum r53_deleg_verdict {
	R53_DELEG_FREE = 0,
	R53_DELEG_REMOVE_FIRST,
	R53_DELEG_HELD,
	R53_DELEG_UNKNOWN
};
enum r53_deleg_verdict r53_deleg_decide(const struct pb_ctx *x,
    const struct r53_deleg *d);
/*
 * May public zone zname (name servers ns) be deleted now? r53_deleg_find
 * into *d (the caller releases it), then FX_OK when free or removable
 * first (d->parents); FX_ECONFLICT, with the reason said, when not.
 */
fx_err r53_deleg_gate(struct pb_ctx *x, const char *zname, const json_t *ns,
    struct r53_deleg *d) FX_WUR;
/* the facts of d for a finding's details: parents without their
 * records, public_ns (new object; NULL on ENOMEM) */
json_t *r53_deleg_facts(const struct r53_deleg *d);

/* ---- eligibility (pb_r53_age.c) ---------------------------------------- */

/*
 * The guards of route53-ns-only on zone zid, one function for detect,
 * the check and the fix (playbook.h, eligibility): tags ({key: value},
 * may be NULL): allow_tag (parameter, default "fixit:allow") -> exempt,
 * IaC tags -> notify only; then CloudTrail (us-east-1, ResourceName =
 * zid): a CreateHostedZone or ChangeResourceRecordSets within
 * min_age_days (parameter, default 7, 1..90) -> exempt; a lookup that
 * fails or is cut short -> exempt ("cannot tell"). FX_OK or FX_ENOMEM.
 */
fx_err r53_age_eligible(struct pb_ctx *x, const char *zid, const json_t *tags,
    struct pb_elig *e) FX_WUR;
/*
 * r53_age_eligible as a check's verdict: PB_WRONG (eligible) or PB_KEEP
 * with a pb_say "zone NAME (ZID): WHY". tags NULL: read them
 * (ListTagsForResource); an error reading them is returned.
 */
fx_err r53_age_check(struct pb_ctx *x, const char *zid, const char *zname,
    const json_t *tags, enum pb_verdict *v) FX_WUR;

#endif
