/*
 * ev_map.c - Security Hub findings turned into fixit finding records, and
 * what both mappers share (see ev_map.h; Custodian: ev_map_cu.c). Input
 * values go through evmap_str, then are refused (em_text_ok,
 * evmap_region_ok, evmap_account_ok) or repaired (em_clean); records
 * reach the caller's list only when the whole payload is accepted.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ev_map.h"
#include "ev_map_int.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "banned.h"

#define EM_MAX_REGION 32 /* bytes of a region name */

fx_err
evmap_fail(struct buf *err, fx_err rc, const char *fmt, ...)
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

const char *
evmap_str(const json_t *o, const char *key, size_t *n)
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
	const char *s = evmap_str(o, key, &n);

	return s != NULL && n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* length of the UTF-8 sequence at s[0..n), 0 when it is not one */
static size_t
em_seq(const unsigned char *s, size_t n)
{
	size_t len, i;

	len = s[0] < 0x80   ? 1
	      : s[0] < 0xc2 ? 0
	      : s[0] < 0xe0 ? 2
	      : s[0] < 0xf0 ? 3
	      : s[0] < 0xf5 ? 4
			    : 0;
	if (len > 2 && n > 1 &&
	    ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
		(s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f)))
		return 0; /* overlong, surrogate or past U+10FFFF */
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

int
evmap_region_ok(const char *s, size_t n)
{
	return s != NULL && n >= 3 && n <= EM_MAX_REGION &&
	       strspn(s, EVMAP_LOWER EVMAP_DIGIT "-") == n &&
	       memchr(s, '-', n) && strchr(EVMAP_LOWER, s[0]) &&
	       strchr(EVMAP_DIGIT, s[n - 1]);
}

int
evmap_account_ok(const char *s, size_t n)
{
	return s != NULL && n == 12 && strspn(s, EVMAP_DIGIT) == 12;
}

/*
 * s[0..n) (may be NULL) cleaned for display into b (reset first): control
 * characters become spaces, runs of white space one space, the ends
 * trimmed, cut to at most max bytes at a UTF-8 boundary; a broken
 * sequence becomes '?'. b is empty when nothing is left.
 */
static fx_err
em_clean(const char *s, size_t n, size_t max, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	int space = 0;
	fx_err rc = FX_OK;

	buf_reset(b);
	while (s != NULL && i < n) {
		len = em_seq(p + i, n - i);
		if (len != 0 && (em_is_ctl(p + i, len) || p[i] == ' ')) {
			space = b->len > 0;
			i += len;
			continue;
		}
		if (b->len + (size_t)space + (len ? len : 1) > max)
			break;
		if (space && (rc = buf_addc(b, ' ')) != FX_OK)
			goto out;
		space = 0;
		rc = len ? buf_add(b, s + i, len) : buf_addc(b, '?');
		if (rc != FX_OK)
			goto out;
		i += len ? len : 1;
	}
out:
	return rc;
}

fx_err
evmap_setn(json_t *o, const char *key, const char *s, size_t n)
{
	return json_object_set_new(o, key, json_stringn(s, n)) == 0 ? FX_OK
								    : FX_ENOMEM;
}

fx_err
evmap_set_clean(json_t *o, const char *key, const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	fx_err rc;

	buf_init(&b, FX_MAX_FIELD);
	rc = em_clean(s, n, FX_MAX_FIELD, &b);
	if (rc == FX_OK && b.len > 0)
		rc = evmap_setn(o, key, b.data, b.len);
	buf_release(&b);
	return rc;
}

const struct ev_map_entry *
evmap_find(const struct ev_map *m, const char *s, size_t n)
{
	size_t i;

	for (i = 0; m != NULL && m->e != NULL && s != NULL && n > 0 && i < m->n;
	     i++)
		if (m->e[i].key != NULL && m->e[i].playbook != NULL &&
		    strlen(m->e[i].key) == n && memcmp(m->e[i].key, s, n) == 0)
			return &m->e[i];
	return NULL;
}

const char *
evmap_lookup(const struct ev_map *m, const char *key)
{
	const struct ev_map_entry *e;

	e = key ? evmap_find(m, key, strlen(key)) : NULL;
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
	return json_object_set_new(obj, key, json_stringn(s, n)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
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
	for (i = 0;
	     obj != NULL && json_is_array(src) && rc == FX_OK &&
	     i < json_array_size(src) && json_object_size(obj) < EVMAP_MAX_TAGS;
	     i++) {
		t = json_array_get(src, i);
		k = evmap_str(t, "Key", &kn);
		if (k != NULL)
			rc = em_tag(obj, k, kn, json_object_get(t, "Value"));
	}
	/* jansson's iterators take a non-const object; none is changed */
	it =
	    obj && json_is_object(src) ? json_object_iter((json_t *)src) : NULL;
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

/* ---- records ------------------------------------------------------ */

static void
em_mapped_release(struct ev_mapped *r)
{
	free(r->playbook);
	free(r->account_id);
	free(r->region);
	free(r->resource_id);
	free(r->resource_arn);
	free(r->title);
	json_decref(r->details);
	json_decref(r->tags);
	memset(r, 0, sizeof(*r));
}

void
evmap_list_init(struct ev_mapped_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
evmap_list_release(struct ev_mapped_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		em_mapped_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* room for more records in l */
static fx_err
em_reserve(struct ev_mapped_list *l, size_t more)
{
	struct ev_mapped *v;
	size_t alloc = l->alloc ? l->alloc : 8;

	if (l->n + more <= l->alloc)
		return FX_OK;
	while (alloc < l->n + more)
		alloc *= 2;
	v = realloc(l->v, alloc * sizeof(*v));
	if (v == NULL)
		return FX_ENOMEM;
	l->v = v;
	l->alloc = alloc;
	return FX_OK;
}

void
evmap_finding(const struct ev_mapped *r, struct finding_in *f)
{
	memset(f, 0, sizeof(*f));
	f->playbook = r->playbook;
	f->account_id = r->account_id;
	f->region = r->region;
	f->resource_id = r->resource_id;
	f->resource_arn = r->resource_arn;
	f->title = r->title;
	f->details = r->details;
	f->observed_at = r->observed_at;
	f->resolved = r->resolved;
}

/* a new copy of s[0..n) into *out */
static fx_err
em_dup(const char *s, size_t n, char **out)
{
	*out = malloc(n + 1);
	if (*out == NULL)
		return FX_ENOMEM;
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return FX_OK;
}

/* p's title cleaned, else "<rule>: <id>" cleaned: a new string */
static fx_err
em_title(const struct evmap_parts *p, char **out)
{
	struct buf t = BUF_INIT, b = BUF_INIT;
	fx_err rc;

	*out = NULL;
	buf_init(&t, FX_MAX_TITLE);
	rc = em_clean(p->title, p->title_n, FX_MAX_TITLE, &t);
	if (rc != FX_OK || t.len > 0)
		goto out;
	rc = buf_addf(&b, "%s: ", p->rule);
	if (rc != FX_OK)
		goto out;
	rc = buf_add(&b, p->id, p->id_n);
	if (rc != FX_OK)
		goto out;
	rc = em_clean(b.data, b.len, FX_MAX_TITLE, &t);
out:
	if (rc == FX_OK && t.len == 0)
		rc = FX_ENOMEM; /* not reached: the ':' stays */
	if (rc == FX_OK)
		*out = buf_detach(&t);
	if (rc == FX_OK && *out == NULL)
		rc = FX_ENOMEM;
	buf_release(&t);
	buf_release(&b);
	return rc;
}

/* the fields of r from p, whose id and region are acceptable */
static fx_err
em_fill(const struct evmap_parts *p, struct ev_mapped *r)
{
	fx_err rc;

	rc = em_dup(p->playbook, strlen(p->playbook), &r->playbook);
	if (rc != FX_OK)
		goto out;
	rc = em_dup(p->account, 12, &r->account_id);
	if (rc != FX_OK)
		goto out;
	rc = em_dup(p->region, p->region_n, &r->region);
	if (rc != FX_OK)
		goto out;
	rc = em_dup(p->id, p->id_n, &r->resource_id);
	if (rc != FX_OK)
		goto out;
	if (em_text_ok(p->arn, p->arn_n, FX_MAX_FIELD) && p->arn_n > 4 &&
	    memcmp(p->arn, "arn:", 4) == 0)
		rc = em_dup(p->arn, p->arn_n, &r->resource_arn);
	if (rc != FX_OK)
		goto out;
	rc = em_title(p, &r->title);
	if (rc != FX_OK)
		goto out;
	rc = em_tags(p->tags, &r->tags);
	r->observed_at = p->observed_at;
	r->resolved = p->resolved;
out:
	return rc;
}

fx_err
evmap_record(const struct evmap_parts *p, json_t *details,
    struct ev_mapped_list *out, size_t *nskip)
{
	struct ev_mapped r;
	fx_err rc = FX_OK;

	memset(&r, 0, sizeof(r));
	r.details = details;
	if (!em_text_ok(p->id, p->id_n, FX_MAX_FIELD) ||
	    !evmap_region_ok(p->region, p->region_n)) {
		(*nskip)++;
		goto out;
	}
	rc = em_fill(p, &r);
	if (rc != FX_OK)
		goto out;
	rc = em_reserve(out, 1);
	if (rc != FX_OK)
		goto out;
	out->v[out->n++] = r;
	memset(&r, 0, sizeof(r));
out:
	em_mapped_release(&r);
	return rc;
}

fx_err
evmap_commit(struct ev_mapped_list *items, struct ev_mapped_list *out,
    struct buf *err)
{
	if (items->n + out->n > FX_MAX_INGEST_ITEMS)
		return evmap_fail(err, FX_ETOOBIG, "more than %d items",
		    FX_MAX_INGEST_ITEMS);
	if (em_reserve(items, out->n) != FX_OK)
		return evmap_fail(err, FX_ENOMEM, "out of memory");
	if (out->n > 0)
		memcpy(items->v + items->n, out->v, out->n * sizeof(*out->v));
	items->n += out->n;
	out->n = 0;
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
		   s[r + 16] == '/') { /* app/, net/, gwy/ */
		start = r + 17;
		for (end = start; end < n && s[end] != '/'; end++)
			;
	} else {
		for (start = n;
		     start > r && s[start - 1] != '/' && s[start - 1] != ':';
		     start--)
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

	c[0] = evmap_str(json_object_get(f, "Compliance"), "SecurityControlId",
	    &n[0]);
	c[1] =
	    evmap_str(json_object_get(f, "ProductFields"), "ControlId", &n[1]);
	c[2] = c[3] = evmap_str(f, "GeneratorId", &n[3]);
	n[2] = n[3];
	for (i = n[3]; c[3] != NULL && i > 0; i--)
		if (c[3][i - 1] == '/') {
			c[2] = c[3] + i;
			n[2] = n[3] - i;
			break;
		}
	for (i = 0; e == NULL && i < 4; i++)
		e = evmap_find(m, c[i], n[i]);
	*rule = e ? e->key : NULL;
	return e ? e->playbook : NULL;
}

/* the details object of finding f's item for resource res into *out */
static fx_err
sh_details(const json_t *f, const char *rule, const json_t *res, json_t **out)
{
	static const char *const keys[] = { "finding_id", "rule", "severity",
		"product", "resource_type" };
	const char *v[5];
	size_t n[5], i;
	json_t *d = NULL;
	fx_err rc = FX_ENOMEM;

	v[0] = evmap_str(f, "Id", &n[0]);
	v[1] = rule;
	n[1] = strlen(rule);
	v[2] = evmap_str(json_object_get(f, "Severity"), "Label", &n[2]);
	if ((v[3] = evmap_str(f, "ProductName", &n[3])) == NULL)
		v[3] = evmap_str(f, "ProductArn", &n[3]);
	v[4] = evmap_str(res, "Type", &n[4]);
	d = json_object();
	if (d == NULL)
		goto out;
	if (evmap_setn(d, "source", "securityhub", 11) != FX_OK)
		goto out;
	for (i = 0; i < 5; i++)
		if (evmap_set_clean(d, keys[i], v[i], n[i]) != FX_OK)
			goto out;
	*out = d;
	d = NULL;
	rc = FX_OK;
out:
	json_decref(d);
	return rc;
}

/* the records of the resources of a mapped finding into out */
static fx_err
sh_resources(const json_t *event, const json_t *f, struct evmap_parts *p,
    struct ev_mapped_list *out, size_t *nskip)
{
	const json_t *res = json_object_get(f, "Resources"), *r;
	const char *freg, *obs;
	size_t k, n = json_array_size(res), fn, off, len, obs_n;
	json_t *d = NULL;
	fx_err rc = FX_OK;

	if ((freg = evmap_str(f, "Region", &fn)) == NULL)
		freg = evmap_str(event, "region", &fn);
	p->title = evmap_str(f, "Title", &p->title_n);
	obs = evmap_str(f, "UpdatedAt", &obs_n);
	if (!em_text_ok(obs, obs_n, 64) ||
	    fx_iso8601_parse(obs, &p->observed_at) != FX_OK)
		p->observed_at = 0;
	p->resolved =
	    em_is(json_object_get(f, "Compliance"), "Status", "PASSED") ||
	    em_is(json_object_get(f, "Compliance"), "Status",
		"NOT_AVAILABLE") ||
	    em_is(f, "RecordState", "ARCHIVED") ||
	    em_is(json_object_get(f, "Workflow"), "Status", "RESOLVED") ||
	    em_is(json_object_get(f, "Workflow"), "Status", "SUPPRESSED");
	for (k = 0; k < n && k < EVMAP_MAX_RESOURCES; k++) {
		r = json_array_get(res, k);
		p->id = p->arn = evmap_str(r, "Id", &p->arn_n);
		p->id_n = p->arn_n;
		if (p->arn != NULL && em_arn_id(p->arn, p->arn_n, &off, &len)) {
			p->id = p->arn + off;
			p->id_n = len;
		} else if (p->arn != NULL && strncmp(p->arn, "arn:", 4) == 0) {
			p->id = p->arn = NULL; /* an ARN without an id */
		} else {
			p->arn = NULL;
		}
		p->region = evmap_str(r, "Region", &p->region_n);
		if (p->region == NULL) {
			p->region = freg;
			p->region_n = fn;
		}
		p->tags = json_object_get(r, "Tags");
		rc = sh_details(f, p->rule, r, &d);
		if (rc != FX_OK)
			goto out;
		rc = evmap_record(p, d, out, nskip);
		if (rc != FX_OK)
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
    const struct ev_map *m, struct ev_mapped_list *out, size_t *nskip,
    struct buf *err)
{
	struct evmap_parts p;
	size_t nres, an = 0;
	fx_err rc = FX_OK;

	memset(&p, 0, sizeof(p));
	nres = json_array_size(json_object_get(f, "Resources"));
	if (!json_is_object(f))
		rc = evmap_fail(err, FX_EINVAL,
		    "detail.findings[%zu]: "
		    "not an object",
		    i);
	else if (evmap_str(f, "Id", NULL) == NULL)
		rc = evmap_fail(err, FX_EINVAL,
		    "detail.findings[%zu].Id: "
		    "missing or not a string",
		    i);
	else if ((p.account = evmap_str(f, "AwsAccountId", &an)) == NULL)
		rc = evmap_fail(err, FX_EINVAL,
		    "detail.findings[%zu]."
		    "AwsAccountId: missing or not a string",
		    i);
	else if (nres == 0)
		rc = evmap_fail(err, FX_EINVAL,
		    "detail.findings[%zu]."
		    "Resources: missing, empty or not an array",
		    i);
	if (rc != FX_OK)
		goto out;
	if ((p.playbook = sh_rule(f, m, &p.rule)) == NULL)
		(*nskip)++;
	else if (!evmap_account_ok(p.account, an))
		*nskip += nres;
	else if (sh_resources(event, f, &p, out, nskip) != FX_OK)
		rc = evmap_fail(err, FX_ENOMEM, "out of memory");
out:
	return rc;
}

fx_err
evmap_securityhub(const json_t *event, const struct ev_map *m,
    struct ev_mapped_list *items, size_t *skipped, struct buf *err)
{
	struct ev_mapped_list out;
	const json_t *findings;
	size_t i, nskip = 0;
	fx_err rc = FX_OK;

	evmap_list_init(&out);
	if (skipped != NULL)
		*skipped = 0;
	findings =
	    json_object_get(json_object_get(event, "detail"), "findings");
	if (items == NULL)
		rc = evmap_fail(err, FX_EINVAL, "items: NULL");
	else if (!json_is_object(event))
		rc = evmap_fail(err, FX_EINVAL, "event: not an object");
	else if (!em_is(event, "source", "aws.securityhub"))
		rc = evmap_fail(err, FX_EINVAL, "source: not aws.securityhub");
	else if (!em_is(event, "detail-type",
		     "Security Hub Findings - Imported"))
		rc = evmap_fail(err, FX_EINVAL,
		    "detail-type: not "
		    "\"Security Hub Findings - Imported\"");
	else if (!json_is_array(findings))
		rc = evmap_fail(err, FX_EINVAL,
		    "detail.findings: missing or "
		    "not an array");
	else if (json_array_size(findings) > EVMAP_MAX_FINDINGS)
		rc = evmap_fail(err, FX_ETOOBIG,
		    "detail.findings: more "
		    "than %d findings",
		    EVMAP_MAX_FINDINGS);
	for (i = 0; rc == FX_OK && i < json_array_size(findings); i++)
		rc = sh_finding(event, json_array_get(findings, i), i, m, &out,
		    &nskip, err);
	if (rc != FX_OK)
		goto out;
	rc = evmap_commit(items, &out, err);
	if (rc == FX_OK && skipped != NULL)
		*skipped = nskip;
out:
	evmap_list_release(&out);
	return rc;
}
