/*
 * ev_map.c - Security Hub and Cloud Custodian findings turned into fixit
 * finding items (see ev_map.h). Input values go through em_str, then are
 * refused (em_text_ok, em_region_ok, em_account_ok) or repaired (em_clean);
 * items reach the caller's array only when the whole payload is accepted.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ev_map.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "banned.h"

#define EM_MAX_REGION	32	/* bytes of a region name */
#define EM_MAX_QUOTE	64	/* bytes of input quoted in an error */
#define EM_LOWER	"abcdefghijklmnopqrstuvwxyz"
#define EM_DIGIT	"0123456789"
#define EM_MAX_EPOCH	253402300799.0	/* 9999-12-31T23:59:59Z */

/* reset err (may be NULL) to one sentence; returns rc */
static fx_err __attribute__((format(printf, 3, 4)))
em_fail(struct buf *err, fx_err rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	buf_reset(err);
	va_start(ap, fmt);
	buf_vaddf_cut(err, fmt, ap);
	va_end(ap);
	return rc;
}

/* o.key as a borrowed string and its length (n may be NULL), or NULL */
static const char *
em_str(const json_t *o, const char *key, size_t *n)
{
	const json_t *v = json_object_get(o, key);

	if (n != NULL)
		*n = json_is_string(v) ? json_string_length(v) : 0;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* o.key is the string lit, byte for byte */
static int
em_is(const json_t *o, const char *key, const char *lit)
{
	size_t n;
	const char *s = em_str(o, key, &n);

	return s != NULL && n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* length of the UTF-8 sequence at s[0..n), 0 when it is not one */
static size_t
em_seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	len = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 :
	    s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (len > 2 && n > 1 && ((s[0] == 0xe0 && s[1] < 0xa0) ||
	    (s[0] == 0xed && s[1] > 0x9f) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f)))
		return 0;	/* overlong, surrogate or past U+10FFFF */
	for (i = 1; len > 1 && i < len; i++)
		if (i >= n || (s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* the sequence s[0..len) is a control character: C0, DEL or C1 */
static int
em_is_ctl(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* s[0..n) is 1..max bytes of UTF-8 without control characters */
static int
em_text_ok(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	if (s == NULL || n == 0 || n > max)
		return 0;
	while (i < n) {
		len = em_seq(p + i, n - i);
		if (len == 0 || em_is_ctl(p + i, len))
			return 0;
		i += len;
	}
	return 1;
}

/* like eu-west-1: [a-z0-9-], a letter first, a digit last, a '-' inside */
static int
em_region_ok(const char *s, size_t n)
{
	return s != NULL && n >= 3 && n <= EM_MAX_REGION &&
	    strspn(s, EM_LOWER EM_DIGIT "-") == n && memchr(s, '-', n) &&
	    strchr(EM_LOWER, s[0]) && strchr(EM_DIGIT, s[n - 1]);
}

/* 12 ASCII digits */
static int
em_account_ok(const char *s, size_t n)
{
	return s != NULL && n == 12 && strspn(s, EM_DIGIT) == 12;
}

/*
 * s[0..n) (may be NULL) cleaned for display: control characters become
 * spaces, runs of white space one space, the ends trimmed, cut to at
 * most max bytes at a UTF-8 boundary; a broken sequence becomes '?'.
 * *out: a new JSON string, NULL when nothing is left.
 */
static fx_err
em_clean(const char *s, size_t n, size_t max, json_t **out)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0, len;
	int space = 0;
	fx_err rc = FX_OK;

	*out = NULL;
	buf_init(&b, max);
	while (s != NULL && i < n) {
		len = em_seq(p + i, n - i);
		if (len != 0 && (em_is_ctl(p + i, len) || p[i] == ' ')) {
			space = b.len > 0;
			i += len;
			continue;
		}
		if (b.len + (size_t)space + (len ? len : 1) > max)
			break;
		if (space && (rc = buf_addc(&b, ' ')) != FX_OK)
			goto out;
		space = 0;
		rc = len ? buf_add(&b, s + i, len) : buf_addc(&b, '?');
		if (rc != FX_OK)
			goto out;
		i += len ? len : 1;
	}
	if (b.len > 0 && (*out = json_stringn(b.data, b.len)) == NULL)
		rc = FX_ENOMEM;
out:
	buf_release(&b);
	return rc;
}

/* o.key = s[0..n) */
static fx_err
em_setn(json_t *o, const char *key, const char *s, size_t n)
{
	return json_object_set_new(o, key, json_stringn(s, n)) == 0 ?
	    FX_OK : FX_ENOMEM;
}

/* o.key = s[0..n) cleaned (em_clean, FX_MAX_FIELD); left out if empty */
static fx_err
em_set_clean(json_t *o, const char *key, const char *s, size_t n)
{
	json_t *v = NULL;
	fx_err rc;

	rc = em_clean(s, n, FX_MAX_FIELD, &v);
	if (rc == FX_OK && v != NULL && json_object_set_new(o, key, v) != 0)
		rc = FX_ENOMEM;
	return rc;
}

/* the entry of m for s[0..n), or NULL */
static const struct ev_map_entry *
em_find(const struct ev_map *m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; m != NULL && m->e != NULL && s != NULL && n > 0 &&
	    i < m->n; i++)
		if (m->e[i].key != NULL && m->e[i].playbook != NULL &&
		    strlen(m->e[i].key) == n && memcmp(m->e[i].key, s, n) == 0)
			return &m->e[i];
	return NULL;
}

const char *
evmap_lookup(const struct ev_map *m, const char *key)
{
	const struct ev_map_entry *e;

	e = key ? em_find(m, key, strlen(key)) : NULL;
	return e ? e->playbook : NULL;
}

/* one tag key[0..kn) = v into obj when both are acceptable */
static fx_err
em_tag(json_t *obj, const char *key, size_t kn, const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v) || !em_text_ok(key, kn, EVMAP_MAX_TAG_KEY))
		return FX_OK;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > 0 && !em_text_ok(s, n, EVMAP_MAX_TAG_VALUE))
		return FX_OK;
	return json_object_set_new(obj, key, json_stringn(s, n)) == 0 ?
	    FX_OK : FX_ENOMEM;
}

/*
 * Tags as an object {"k": "v"} (ASFF) or a list [{"Key","Value"}] (AWS
 * APIs, Custodian) into *out, a new object; NULL when none is kept.
 */
static fx_err
em_tags(const json_t *src, json_t **out)
{
	json_t *obj = NULL, *t;
	const char *k;
	size_t i, kn;
	void *it;
	fx_err rc = FX_OK;

	*out = NULL;
	if ((json_is_object(src) || json_is_array(src)) &&
	    (obj = json_object()) == NULL)
		rc = FX_ENOMEM;
	for (i = 0; obj != NULL && json_is_array(src) && rc == FX_OK &&
	    i < json_array_size(src) &&
	    json_object_size(obj) < EVMAP_MAX_TAGS; i++) {
		t = json_array_get(src, i);
		k = em_str(t, "Key", &kn);
		if (k != NULL)
			rc = em_tag(obj, k, kn, json_object_get(t, "Value"));
	}
	/* jansson's iterators take a non-const object; none is changed */
	it = obj && json_is_object(src) ? json_object_iter((json_t *)src) :
	    NULL;
	for (; it != NULL && rc == FX_OK &&
	    json_object_size(obj) < EVMAP_MAX_TAGS;
	    it = json_object_iter_next((json_t *)src, it)) {
		k = json_object_iter_key(it);
		rc = em_tag(obj, k, strlen(k), json_object_iter_value(it));
	}
	if (rc == FX_OK && json_object_size(obj) > 0) {
		*out = obj;
		obj = NULL;
	}
	json_decref(obj);
	return rc;
}

/* the parts of one item, borrowed from the input and the map */
struct em_parts {
	const char *playbook, *rule;	/* from the map */
	const char *account;		/* checked */
	const char *region, *id, *arn, *title, *obs;	/* unchecked */
	size_t region_n, id_n, arn_n, title_n, obs_n;
	int resolved;
	const json_t *tags;		/* the resource's Tags, any shape */
};

/*
 * The item of p appended to out; counted in *nskip instead when its id
 * or region is not acceptable. details (an object) is stolen either way.
 * An ARN or observed_at that is not acceptable is left out. The title is
 * p's, else "<rule>: <id>", cleaned and cut to FX_MAX_TITLE.
 */
static fx_err
em_item(const struct em_parts *p, json_t *details, json_t *out,
    size_t *nskip)
{
	struct buf b = BUF_INIT;
	json_t *item = NULL, *v = NULL;
	int64_t t;
	fx_err rc = FX_ENOMEM;

	if (!em_text_ok(p->id, p->id_n, FX_MAX_FIELD) ||
	    !em_region_ok(p->region, p->region_n)) {
		(*nskip)++;
		rc = FX_OK;
		goto out;
	}
	if ((item = json_object()) == NULL ||
	    em_setn(item, "playbook", p->playbook, strlen(p->playbook)) !=
	    FX_OK || em_setn(item, "account_id", p->account, 12) != FX_OK ||
	    em_setn(item, "region", p->region, p->region_n) != FX_OK ||
	    em_setn(item, "resource_id", p->id, p->id_n) != FX_OK)
		goto out;
	if (em_text_ok(p->arn, p->arn_n, FX_MAX_FIELD) && p->arn_n > 4 &&
	    memcmp(p->arn, "arn:", 4) == 0 &&
	    em_setn(item, "resource_arn", p->arn, p->arn_n) != FX_OK)
		goto out;
	if (em_clean(p->title, p->title_n, FX_MAX_TITLE, &v) != FX_OK)
		goto out;
	buf_init(&b, 0);
	if (v == NULL && (buf_addf(&b, "%s: ", p->rule) != FX_OK ||
	    buf_add(&b, p->id, p->id_n) != FX_OK ||
	    em_clean(b.data, b.len, FX_MAX_TITLE, &v) != FX_OK))
		goto out;
	if (v == NULL || json_object_set_new(item, "title", v) != 0)
		goto out;
	v = details;
	details = NULL;
	if (json_object_set_new(item, "details", v) != 0 ||
	    em_setn(item, "status", p->resolved ? "resolved" : "active",
	    p->resolved ? 8 : 6) != FX_OK)
		goto out;
	if (em_text_ok(p->obs, p->obs_n, 64) &&
	    fx_iso8601_parse(p->obs, &t) == FX_OK &&
	    em_setn(item, "observed_at", p->obs, p->obs_n) != FX_OK)
		goto out;
	if (em_tags(p->tags, &v) != FX_OK || (v != NULL &&
	    json_object_set_new(item, "_tags", v) != 0))
		goto out;
	v = item;
	item = NULL;
	if (json_array_append_new(out, v) == 0)
		rc = FX_OK;
out:
	buf_release(&b);
	json_decref(details);
	json_decref(item);
	return rc;
}

/* append out's items to items, within FX_MAX_INGEST_ITEMS */
static fx_err
em_commit(json_t *items, json_t *out, struct buf *err)
{
	if (json_array_size(items) + json_array_size(out) >
	    FX_MAX_INGEST_ITEMS)
		return em_fail(err, FX_ETOOBIG, "more than %d items",
		    FX_MAX_INGEST_ITEMS);
	if (json_array_extend(items, out) != 0)
		return em_fail(err, FX_ENOMEM, "out of memory");
	return FX_OK;
}

/* ---- Security Hub (ASFF) ------------------------------------------ */

/*
 * The natural id inside an ARN s[0..n) as s[*off .. *off + *len) (see
 * ev_map.h); 0 when s is not an ARN or its id is empty.
 */
static int
em_arn_id(const char *s, size_t n, size_t *off, size_t *len)
{
	size_t i, r, start, end = n, colons = 0;

	if (n < 4 || memcmp(s, "arn:", 4) != 0)
		return 0;
	for (i = 0; i < n && colons < 5; i++)
		if (s[i] == ':')
			colons++;
	if (colons < 5)
		return 0;
	r = i;
	if (n - r > 9 && memcmp(s + r, "function:", 9) == 0) {
		start = r + 9;
		for (end = start; end < n && s[end] != ':'; end++)
			;
	} else if (n - r > 17 && memcmp(s + r, "loadbalancer/", 13) == 0 &&
	    s[r + 16] == '/') {		/* app/, net/, gwy/ */
		start = r + 17;
		for (end = start; end < n && s[end] != '/'; end++)
			;
	} else {
		for (start = n; start > r && s[start - 1] != '/' &&
		    s[start - 1] != ':'; start--)
			;
	}
	if (end <= start)
		return 0;
	*off = start;
	*len = end - start;
	return 1;
}

/* the playbook of the first mapped rule key candidate; *rule its key */
static const char *
sh_rule(const json_t *f, const struct ev_map *m, const char **rule)
{
	const struct ev_map_entry *e = NULL;
	const char *c[4];
	size_t n[4], i;

	c[0] = em_str(json_object_get(f, "Compliance"), "SecurityControlId",
	    &n[0]);
	c[1] = em_str(json_object_get(f, "ProductFields"), "ControlId", &n[1]);
	c[2] = c[3] = em_str(f, "GeneratorId", &n[3]);
	n[2] = n[3];
	for (i = n[3]; c[3] != NULL && i > 0; i--)
		if (c[3][i - 1] == '/') {
			c[2] = c[3] + i;
			n[2] = n[3] - i;
			break;
		}
	for (i = 0; e == NULL && i < 4; i++)
		e = em_find(m, c[i], n[i]);
	*rule = e ? e->key : NULL;
	return e ? e->playbook : NULL;
}

/* the details object of finding f's item for resource res into *out */
static fx_err
sh_details(const json_t *f, const char *rule, const json_t *res,
    json_t **out)
{
	static const char *const keys[] = { "finding_id", "rule", "severity",
		"product", "resource_type" };
	const char *v[5];
	size_t n[5], i;
	json_t *d = NULL;
	fx_err rc = FX_ENOMEM;

	v[0] = em_str(f, "Id", &n[0]);
	v[1] = rule;
	n[1] = strlen(rule);
	v[2] = em_str(json_object_get(f, "Severity"), "Label", &n[2]);
	if ((v[3] = em_str(f, "ProductName", &n[3])) == NULL)
		v[3] = em_str(f, "ProductArn", &n[3]);
	v[4] = em_str(res, "Type", &n[4]);
	if ((d = json_object()) == NULL ||
	    em_setn(d, "source", "securityhub", 11) != FX_OK)
		goto out;
	for (i = 0; i < 5; i++)
		if (em_set_clean(d, keys[i], v[i], n[i]) != FX_OK)
			goto out;
	*out = d;
	d = NULL;
	rc = FX_OK;
out:
	json_decref(d);
	return rc;
}

/* the items of the resources of a mapped finding into out */
static fx_err
sh_resources(const json_t *event, const json_t *f, struct em_parts *p,
    json_t *out, size_t *nskip)
{
	const json_t *res = json_object_get(f, "Resources"), *r;
	const char *freg;
	size_t k, n = json_array_size(res), fn, off, len;
	json_t *d = NULL;
	fx_err rc = FX_OK;

	if ((freg = em_str(f, "Region", &fn)) == NULL)
		freg = em_str(event, "region", &fn);
	p->title = em_str(f, "Title", &p->title_n);
	p->obs = em_str(f, "UpdatedAt", &p->obs_n);
	p->resolved = em_is(json_object_get(f, "Compliance"), "Status",
	    "PASSED") || em_is(json_object_get(f, "Compliance"), "Status",
	    "NOT_AVAILABLE") || em_is(f, "RecordState", "ARCHIVED") ||
	    em_is(json_object_get(f, "Workflow"), "Status", "RESOLVED") ||
	    em_is(json_object_get(f, "Workflow"), "Status", "SUPPRESSED");
	for (k = 0; k < n && k < EVMAP_MAX_RESOURCES; k++) {
		r = json_array_get(res, k);
		p->id = p->arn = em_str(r, "Id", &p->arn_n);
		p->id_n = p->arn_n;
		if (p->arn != NULL && em_arn_id(p->arn, p->arn_n, &off, &len)) {
			p->id = p->arn + off;
			p->id_n = len;
		} else if (p->arn != NULL && strncmp(p->arn, "arn:", 4) == 0) {
			p->id = p->arn = NULL;	/* an ARN without an id */
		} else {
			p->arn = NULL;
		}
		if ((p->region = em_str(r, "Region", &p->region_n)) == NULL) {
			p->region = freg;
			p->region_n = fn;
		}
		p->tags = json_object_get(r, "Tags");
		if ((rc = sh_details(f, p->rule, r, &d)) != FX_OK ||
		    (rc = em_item(p, d, out, nskip)) != FX_OK)
			goto out;
	}
	if (n > EVMAP_MAX_RESOURCES)
		*nskip += n - EVMAP_MAX_RESOURCES;
out:
	return rc;
}

/* finding i of the event: checked, then mapped into out or skipped */
static fx_err
sh_finding(const json_t *event, const json_t *f, size_t i,
    const struct ev_map *m, json_t *out, size_t *nskip, struct buf *err)
{
	struct em_parts p;
	size_t nres, an = 0;
	fx_err rc = FX_OK;

	memset(&p, 0, sizeof(p));
	nres = json_array_size(json_object_get(f, "Resources"));
	if (!json_is_object(f))
		rc = em_fail(err, FX_EINVAL, "detail.findings[%zu]: "
		    "not an object", i);
	else if (em_str(f, "Id", NULL) == NULL)
		rc = em_fail(err, FX_EINVAL, "detail.findings[%zu].Id: "
		    "missing or not a string", i);
	else if ((p.account = em_str(f, "AwsAccountId", &an)) == NULL)
		rc = em_fail(err, FX_EINVAL, "detail.findings[%zu]."
		    "AwsAccountId: missing or not a string", i);
	else if (nres == 0)
		rc = em_fail(err, FX_EINVAL, "detail.findings[%zu].Resources: "
		    "missing, empty or not an array", i);
	if (rc != FX_OK)
		goto out;
	if ((p.playbook = sh_rule(f, m, &p.rule)) == NULL)
		(*nskip)++;
	else if (!em_account_ok(p.account, an))
		*nskip += nres;
	else if (sh_resources(event, f, &p, out, nskip) != FX_OK)
		rc = em_fail(err, FX_ENOMEM, "out of memory");
out:
	return rc;
}

fx_err
evmap_securityhub(const json_t *event, const struct ev_map *m,
    json_t *items, size_t *skipped, struct buf *err)
{
	const json_t *findings;
	json_t *out = NULL;
	size_t i, nskip = 0;
	fx_err rc = FX_OK;

	if (skipped != NULL)
		*skipped = 0;
	findings = json_object_get(json_object_get(event, "detail"),
	    "findings");
	if (!json_is_array(items))
		rc = em_fail(err, FX_EINVAL, "items: not an array");
	else if (!json_is_object(event))
		rc = em_fail(err, FX_EINVAL, "event: not an object");
	else if (!em_is(event, "source", "aws.securityhub"))
		rc = em_fail(err, FX_EINVAL, "source: not aws.securityhub");
	else if (!em_is(event, "detail-type",
	    "Security Hub Findings - Imported"))
		rc = em_fail(err, FX_EINVAL, "detail-type: not "
		    "\"Security Hub Findings - Imported\"");
	else if (!json_is_array(findings))
		rc = em_fail(err, FX_EINVAL, "detail.findings: missing or "
		    "not an array");
	else if (json_array_size(findings) > EVMAP_MAX_FINDINGS)
		rc = em_fail(err, FX_ETOOBIG, "detail.findings: more than %d "
		    "findings", EVMAP_MAX_FINDINGS);
	else if ((out = json_array()) == NULL)
		rc = em_fail(err, FX_ENOMEM, "out of memory");
	for (i = 0; rc == FX_OK && i < json_array_size(findings); i++)
		rc = sh_finding(event, json_array_get(findings, i), i, m, out,
		    &nskip, err);
	if (rc == FX_OK && (rc = em_commit(items, out, err)) == FX_OK &&
	    skipped != NULL)
		*skipped = nskip;
	json_decref(out);
	return rc;
}

/* ---- Cloud Custodian --------------------------------------------- */

struct cu_type {
	const char *type;	/* policy.resource without "aws." */
	const char *id;		/* the resource's id field */
	const char *alt;	/* used when id is absent, or NULL */
	const char *arn;	/* its ARN field, or NULL */
	const char *strip;	/* prefix removed from the id, or NULL */
};

static const struct cu_type cu_types[] = {
	{ "ec2", "InstanceId", NULL, NULL, NULL },
	{ "ebs", "VolumeId", NULL, NULL, NULL },
	{ "ebs-snapshot", "SnapshotId", NULL, NULL, NULL },
	{ "network-addr", "AllocationId", "PublicIp", NULL, NULL },
	{ "elastic-ip", "AllocationId", "PublicIp", NULL, NULL },
	{ "rds", "DBInstanceIdentifier", NULL, "DBInstanceArn", NULL },
	{ "hostedzone", "Id", NULL, NULL, "/hostedzone/" },
	{ "security-group", "GroupId", NULL, NULL, NULL },
	{ "s3", "Name", NULL, NULL, NULL },
	{ "elb", "LoadBalancerName", NULL, NULL, NULL },
	{ "app-elb", "LoadBalancerName", NULL, "LoadBalancerArn", NULL },
	{ "iam-user", "UserName", NULL, "Arn", NULL },
	{ "iam-role", "RoleName", NULL, "Arn", NULL },
	{ "lambda", "FunctionName", NULL, "FunctionArn", NULL },
};

static const struct cu_type *
cu_type_find(const char *s, size_t n)
{
	size_t i;

	if (n > 4 && memcmp(s, "aws.", 4) == 0) {
		s += 4;
		n -= 4;
	}
	for (i = 0; i < sizeof(cu_types) / sizeof(cu_types[0]); i++)
		if (strlen(cu_types[i].type) == n &&
		    memcmp(cu_types[i].type, s, n) == 0)
			return &cu_types[i];
	return NULL;
}

/* what one payload shares with its items */
struct cu_ctx {
	struct em_parts p;		/* the template of every item */
	const struct cu_type *t;
	const char *name, *type;	/* policy.name, policy.resource */
	size_t name_n, type_n;
	const json_t *res;		/* resources array, or NULL */
	const json_t *one;		/* the single resource, or NULL */
	size_t n;			/* number of resources */
	json_t *details;		/* template, copied per item */
	char observed[21];		/* from execution_start, or "" */
};

/* the payload's shape into c; FX_EINVAL/FX_ETOOBIG with err */
static fx_err
cu_check(const json_t *pl, struct cu_ctx *c, struct buf *err)
{
	const json_t *pol = json_object_get(pl, "policy");
	size_t an;
	fx_err rc = FX_OK;

	if (!json_is_array(c->res = json_object_get(pl, "resources"))) {
		c->res = NULL;
		c->one = json_object_get(pl, "resource");
	}
	c->n = c->res ? json_array_size(c->res) : 1;
	c->p.account = em_str(pl, "account_id", &an);
	c->p.region = em_str(pl, "region", &c->p.region_n);
	c->name = em_str(pol, "name", &c->name_n);
	c->type = em_str(pol, "resource", &c->type_n);
	if (!json_is_object(pl))
		rc = em_fail(err, FX_EINVAL, "payload: not an object");
	else if (!json_is_object(pol))
		rc = em_fail(err, FX_EINVAL, "policy: missing or not an "
		    "object");
	else if (c->name_n == 0)
		rc = em_fail(err, FX_EINVAL, "policy.name: missing, empty or "
		    "not a string");
	else if (c->type_n == 0)
		rc = em_fail(err, FX_EINVAL, "policy.resource: missing, empty "
		    "or not a string");
	else if (!em_account_ok(c->p.account, an))
		rc = em_fail(err, FX_EINVAL, "account_id: missing or not 12 "
		    "digits");
	else if (!em_region_ok(c->p.region, c->p.region_n))
		rc = em_fail(err, FX_EINVAL, "region: missing or not like "
		    "eu-west-1");
	else if (c->res == NULL && !json_is_object(c->one))
		rc = em_fail(err, FX_EINVAL, "resources: missing or not an "
		    "array");
	else if (c->n > EVMAP_MAX_CUSTODIAN)
		rc = em_fail(err, FX_ETOOBIG, "resources: more than %d",
		    EVMAP_MAX_CUSTODIAN);
	return rc;
}

/* the details template, title and observed_at of a mapped payload */
static fx_err
cu_shared(const json_t *pl, struct cu_ctx *c)
{
	const json_t *pol = json_object_get(pl, "policy");
	const json_t *start = json_object_get(pl, "execution_start");
	const char *x, *a;
	size_t xn, an;
	double t;
	fx_err rc = FX_ENOMEM;

	if ((c->p.title = em_str(pol, "description", &c->p.title_n)) == NULL)
		c->p.title = em_str(pol, "comment", &c->p.title_n);
	x = em_str(pl, "execution_id", &xn);
	a = em_str(pl, "account", &an);
	if ((c->details = json_object()) == NULL ||
	    em_setn(c->details, "source", "custodian", 9) != FX_OK ||
	    em_set_clean(c->details, "policy", c->p.rule,
	    strlen(c->p.rule)) != FX_OK ||
	    em_set_clean(c->details, "resource_type", c->type, c->type_n) !=
	    FX_OK || em_set_clean(c->details, "execution_id", x, xn) !=
	    FX_OK || em_set_clean(c->details, "account_name", a, an) != FX_OK)
		goto out;
	t = json_is_number(start) ? json_number_value(start) : -1.0;
	if (isfinite(t) && t >= 0.0 && t <= EM_MAX_EPOCH) {
		fx_iso8601_format((int64_t)t, c->observed);
		c->p.obs = c->observed;
		c->p.obs_n = strlen(c->observed);
	}
	rc = FX_OK;
out:
	return rc;
}

/* resource r of the payload into out, or counted in *nskip */
static fx_err
cu_resource(const struct cu_ctx *c, const json_t *r, json_t *out,
    size_t *nskip)
{
	const struct cu_type *t = c->t;
	struct em_parts p = c->p;
	size_t sn = t->strip ? strlen(t->strip) : 0;
	json_t *d;

	if ((p.id = em_str(r, t->id, &p.id_n)) == NULL && t->alt != NULL)
		p.id = em_str(r, t->alt, &p.id_n);
	if (p.id != NULL && sn > 0 && p.id_n > sn &&
	    memcmp(p.id, t->strip, sn) == 0) {
		p.id += sn;
		p.id_n -= sn;
	}
	if (t->arn != NULL)
		p.arn = em_str(r, t->arn, &p.arn_n);
	p.tags = json_object_get(r, "Tags");
	if ((d = json_deep_copy(c->details)) == NULL)
		return FX_ENOMEM;
	return em_item(&p, d, out, nskip);
}

fx_err
evmap_custodian(const json_t *payload, const struct ev_map *m,
    json_t *items, size_t *skipped, struct buf *err)
{
	struct cu_ctx c;
	const struct ev_map_entry *e = NULL;
	json_t *out = NULL;
	size_t i, q, nskip = 0;
	fx_err rc;

	memset(&c, 0, sizeof(c));
	if (skipped != NULL)
		*skipped = 0;
	if (!json_is_array(items))
		rc = em_fail(err, FX_EINVAL, "items: not an array");
	else if ((rc = cu_check(payload, &c, err)) == FX_OK &&
	    (e = em_find(m, c.name, c.name_n)) != NULL &&
	    (c.t = cu_type_find(c.type, c.type_n)) == NULL) {
		q = strspn(c.type, EM_LOWER EM_DIGIT ".-_"); /* harmless */
		rc = em_fail(err, FX_EINVAL, "policy.resource: unsupported "
		    "resource type \"%.*s\"", (int)(q < EM_MAX_QUOTE ? q :
		    EM_MAX_QUOTE), c.type);
	}
	if (rc != FX_OK)
		goto out;
	if (e == NULL) {	/* not mapped: every resource skipped */
		if (skipped != NULL)
			*skipped = c.n;
		goto out;
	}
	c.p.playbook = e->playbook;
	c.p.rule = e->key;
	if ((out = json_array()) == NULL || cu_shared(payload, &c) != FX_OK)
		rc = FX_ENOMEM;
	for (i = 0; rc == FX_OK && i < c.n; i++)
		rc = cu_resource(&c, c.res ? json_array_get(c.res, i) : c.one,
		    out, &nskip);
	if (rc != FX_OK)
		rc = em_fail(err, rc, "out of memory");
	else if ((rc = em_commit(items, out, err)) == FX_OK && skipped != NULL)
		*skipped = nskip;
out:
	json_decref(c.details);
	json_decref(out);
	return rc;
}
