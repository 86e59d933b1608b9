/*
 * pb_iam_graph.c - roles, hops and the bounded search of iam-admin-paths
 * (see pb_iam_graph.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fxutil.h"
#include "pb_iam_int.h"
#include "banned.h"

void
pb_iam_limits_default(struct pb_iam_limits *l)
{
	l->max_hops = 4;
	l->max_nodes = 100000;
	l->max_edges = 1000000;
	l->max_checks = 50000000;
}

/* ---- the hash map ------------------------------------------------------ */

static size_t
fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

int
pb_iam_smap_get(const struct smap *m, const char *k, size_t *v)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	for (i = fnv(k) & (m->cap - 1); m->key[i] != NULL;
	     i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], k) == 0) {
			*v = m->val[i];
			return 1;
		}
	return 0;
}

static fx_err
smap_pb_iam_grow(struct smap *m)
{
	struct smap n = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
	size_t i, j;

	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (n.key == NULL || n.val == NULL) {
		free(n.key);
		free(n.val);
		return FX_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->key[i] == NULL)
			continue;
		for (j = fnv(m->key[i]) & (n.cap - 1); n.key[j] != NULL;
		     j = (j + 1) & (n.cap - 1))
			;
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
		n.n++;
	}
	free(m->key);
	free(m->val);
	*m = n;
	return FX_OK;
}

/* k borrowed (lives as long as the map); a second k keeps the first */
fx_err
pb_iam_smap_put(struct smap *m, const char *k, size_t v)
{
	size_t i;
	fx_err rc;

	if ((m->n + 1) * 2 > m->cap && (rc = smap_pb_iam_grow(m)) != FX_OK)
		return rc;
	for (i = fnv(k) & (m->cap - 1); m->key[i] != NULL;
	     i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], k) == 0)
			return FX_OK;
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
	return FX_OK;
}

void
pb_iam_smap_release(struct smap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* ---- building ---------------------------------------------------------- */

fx_err
pb_iam_graph_new(const char *account, struct pb_iam_graph **out)
{
	struct pb_iam_graph *g;

	*out = NULL;
	if (account == NULL || strlen(account) >= sizeof(g->account))
		return FX_EINVAL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return FX_ENOMEM;
	memcpy(g->account, account, strlen(account) + 1);
	memcpy(g->home, account, strlen(account) + 1);
	*out = g;
	return FX_OK;
}

void
pb_iam_graph_free(struct pb_iam_graph *g)
{
	size_t i, j;
	struct grole *r;

	if (g == NULL)
		return;
	for (i = 0; i < g->nr; i++) {
		r = &g->r[i];
		free(r->name);
		free(r->arn);
		free(r->created);
		free(r->profile);
		free(r->function);
		free(r->boundary);
		json_decref(r->tags);
		pb_iam_trust_release(&r->trust);
		for (j = 0; j < r->ninl; j++) {
			free(r->inl[j].name);
			json_decref(r->inl[j].doc);
			pb_iam_pol_release(&r->inl[j].sum);
		}
		free(r->inl);
		for (j = 0; j < r->natt; j++)
			free(r->att[j]);
		free(r->att);
		free(r->out);
		free(r->sums);
	}
	for (i = 0; i < g->np; i++) {
		free(g->p[i].arn);
		free(g->p[i].name);
		free(g->p[i].version);
		json_decref(g->p[i].doc);
		pb_iam_pol_release(&g->p[i].sum);
	}
	free(g->r);
	free(g->p);
	pb_iam_smap_release(&g->by_name);
	pb_iam_smap_release(&g->by_arn);
	pb_iam_smap_release(&g->pol_by_arn);
	free(g);
}

/* grow *v (of *cap elements of size sz) to hold n + 1 */
fx_err
pb_iam_grow(void **v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return FX_OK;
	ncap = *cap ? *cap * 2 : 8;
	if ((nv = realloc(*v, ncap * sz)) == NULL)
		return FX_ENOMEM;
	memset((char *)nv + *cap * sz, 0, (ncap - *cap) * sz);
	*v = nv;
	*cap = ncap;
	return FX_OK;
}

fx_err
pb_iam_graph_policy(struct pb_iam_graph *g, const char *arn, const char *name,
    const char *default_version, int attachments, int versions,
    const json_t *doc)
{
	struct gpol *p;
	size_t old;
	fx_err rc;

	if (arn == NULL || name == NULL)
		return FX_EINVAL;
	if (pb_iam_smap_get(&g->pol_by_arn, arn, &old))
		return FX_OK; /* a page repeated */
	rc = pb_iam_grow((void **)&g->p, &g->capp, g->np, sizeof(*g->p));
	if (rc != FX_OK)
		return rc;
	p = &g->p[g->np];
	memset(p, 0, sizeof(*p));
	p->arn = fx_strdup(arn);
	p->name = fx_strdup(name);
	p->version = fx_strdup(default_version ? default_version : "");
	if (p->arn == NULL || p->name == NULL || p->version == NULL)
		goto nomem;
	p->attachments = attachments;
	p->versions = versions;
	p->aws = strncmp(arn, "arn:aws:iam::aws:policy/", 24) == 0;
	if (doc != NULL) {
		p->doc = json_incref((json_t *)doc);
		if ((rc = pb_iam_pol_eval(doc, g->account, &p->sum)) != FX_OK)
			goto fail;
	}
	if ((rc = pb_iam_smap_put(&g->pol_by_arn, p->arn, g->np)) != FX_OK)
		goto fail;
	g->np++;
	return FX_OK;
nomem:
	rc = FX_ENOMEM;
fail:
	free(p->arn);
	free(p->name);
	free(p->version);
	json_decref(p->doc);
	pb_iam_pol_release(&p->sum);
	memset(p, 0, sizeof(*p));
	return rc;
}

fx_err
pb_iam_graph_role(struct pb_iam_graph *g, const char *name, const char *arn,
    const char *created, const json_t *trust, const json_t *tags, size_t *idx)
{
	struct grole *r;
	fx_err rc;

	if (name == NULL || arn == NULL)
		return FX_EINVAL;
	if (pb_iam_smap_get(&g->by_arn, arn, idx))
		return FX_ECONFLICT; /* a page repeated: the caller skips it */
	rc = pb_iam_grow((void **)&g->r, &g->capr, g->nr, sizeof(*g->r));
	if (rc != FX_OK)
		return rc;
	r = &g->r[g->nr];
	memset(r, 0, sizeof(*r));
	r->name = fx_strdup(name);
	r->arn = fx_strdup(arn);
	r->created = fx_strdup(created ? created : "");
	r->tags = tags != NULL ? json_incref((json_t *)tags) : json_object();
	if (r->name == NULL || r->arn == NULL || r->created == NULL ||
	    r->tags == NULL) {
		rc = FX_ENOMEM;
		goto fail;
	}
	if (trust != NULL &&
	    (rc = pb_iam_trust_eval(trust, &r->trust)) != FX_OK)
		goto fail;
	memcpy(r->acct, g->account, sizeof(r->acct));
	r->foreign = strcmp(g->account, g->home) != 0;
	/* names are the own account's: another's may repeat them */
	rc = r->foreign ? FX_OK : pb_iam_smap_put(&g->by_name, r->name, g->nr);
	if (rc == FX_OK)
		rc = pb_iam_smap_put(&g->by_arn, r->arn, g->nr);
	if (rc != FX_OK)
		goto fail;
	*idx = g->nr++;
	return FX_OK;
fail:
	free(r->name);
	free(r->arn);
	free(r->created);
	json_decref(r->tags);
	pb_iam_trust_release(&r->trust);
	memset(r, 0, sizeof(*r));
	return rc;
}

fx_err
pb_iam_graph_inline(struct pb_iam_graph *g, size_t role, const char *name,
    const json_t *doc)
{
	struct grole *r = &g->r[role];
	struct ginl *in;
	size_t cap = r->ninl;
	fx_err rc;

	/* exact growth: roles hold few inline policies */
	rc = pb_iam_grow((void **)&r->inl, &cap, r->ninl, sizeof(*r->inl));
	if (rc != FX_OK)
		return rc;
	in = &r->inl[r->ninl];
	memset(in, 0, sizeof(*in));
	if ((in->name = fx_strdup(name)) == NULL)
		return FX_ENOMEM;
	in->doc = json_incref((json_t *)doc);
	r->ninl++;
	return doc != NULL ? pb_iam_pol_eval(doc, g->account, &in->sum) : FX_OK;
}

fx_err
pb_iam_graph_attach(struct pb_iam_graph *g, size_t role, const char *arn)
{
	struct grole *r = &g->r[role];
	size_t cap = r->natt;
	fx_err rc;

	rc = pb_iam_grow((void **)&r->att, &cap, r->natt, sizeof(*r->att));
	if (rc != FX_OK)
		return rc;
	if ((r->att[r->natt] = fx_strdup(arn)) == NULL)
		return FX_ENOMEM;
	r->natt++;
	return FX_OK;
}

static fx_err
set_str(char **dst, const char *s)
{
	char *n = fx_strdup(s);

	if (n == NULL)
		return FX_ENOMEM;
	free(*dst);
	*dst = n;
	return FX_OK;
}

fx_err
pb_iam_graph_boundary(struct pb_iam_graph *g, size_t role, const char *arn)
{
	return set_str(&g->r[role].boundary, arn);
}

fx_err
pb_iam_graph_profile(struct pb_iam_graph *g, size_t role, const char *name)
{
	char cut[NAME_MAX_LEN + 1];

	if (g->r[role].profile != NULL)
		return FX_OK; /* the first names the chain */
	(void)snprintf(cut, sizeof(cut), "%s", name);
	return set_str(&g->r[role].profile, cut);
}

fx_err
pb_iam_graph_account(struct pb_iam_graph *g, const char *account)
{
	if (account == NULL || strlen(account) >= sizeof(g->account))
		return FX_EINVAL;
	memcpy(g->account, account, strlen(account) + 1);
	return FX_OK;
}

const char *
pb_iam_graph_account_of(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].acct;
}

void
pb_iam_graph_lambda(struct pb_iam_graph *g, int known)
{
	size_t i;

	for (i = 0; i < g->nr; i++)
		if (strcmp(g->r[i].acct, g->account) == 0)
			g->r[i].lambda_known = known;
}

fx_err
pb_iam_graph_function(struct pb_iam_graph *g, const char *role_arn,
    const char *function)
{
	char cut[NAME_MAX_LEN + 1];
	size_t i;

	if (role_arn == NULL || function == NULL ||
	    !pb_iam_smap_get(&g->by_arn, role_arn, &i))
		return FX_OK; /* a role of another account, or none */
	if (g->r[i].function != NULL)
		return FX_OK; /* the first names the chain */
	(void)snprintf(cut, sizeof(cut), "%s", function);
	return set_str(&g->r[i].function, cut);
}

/* ---- accessors --------------------------------------------------------- */

int
pb_iam_graph_find(const struct pb_iam_graph *g, const char *name, size_t *idx)
{
	return pb_iam_smap_get(&g->by_name, name, idx);
}

const char *
pb_iam_graph_name(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].name;
}

const char *
pb_iam_graph_arn(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].arn;
}

const char *
pb_iam_graph_created(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].created;
}

const json_t *
pb_iam_graph_tags(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].tags;
}

uint32_t
pb_iam_graph_admin(const struct pb_iam_graph *g, size_t role)
{
	return g->r[role].admin;
}

size_t
pb_iam_graph_nroles(const struct pb_iam_graph *g)
{
	return g->nr;
}

size_t
pb_iam_graph_nedges(const struct pb_iam_graph *g)
{
	return g->nedges;
}

const char *
pb_iam_graph_truncated(const struct pb_iam_graph *g)
{
	return g->truncated;
}

/* the managed policy arn, or NULL */
const struct gpol *
pb_iam_pol_of(const struct pb_iam_graph *g, const char *arn)
{
	size_t i;

	return arn != NULL && pb_iam_smap_get(&g->pol_by_arn, arn, &i)
		   ? &g->p[i]
		   : NULL;
}

int
pb_iam_graph_grant(const struct pb_iam_graph *g, size_t role, size_t i,
    struct pb_iam_grant *out)
{
	const struct grole *r = &g->r[role];
	const struct gpol *p;
	size_t j;

	memset(out, 0, sizeof(*out));
	for (j = 0; j < r->ninl; j++) {
		if ((r->inl[j].sum.allow & r->admin) == 0 || i-- > 0)
			continue;
		out->kind = PB_IAM_INLINE;
		out->name = r->inl[j].name;
		out->doc = r->inl[j].doc;
		out->allow = r->inl[j].sum.allow & r->admin;
		return 1;
	}
	for (j = 0; j < r->natt; j++) {
		p = pb_iam_pol_of(g, r->att[j]);
		if (p == NULL || (p->sum.allow & r->admin) == 0 || i-- > 0)
			continue;
		out->kind = p->aws ? PB_IAM_AWS : PB_IAM_CUSTOMER;
		out->name = p->name;
		out->arn = p->arn;
		out->version = p->version;
		out->attachments = p->attachments;
		out->versions = p->versions;
		out->doc = p->doc;
		out->allow = p->sum.allow & r->admin;
		return 1;
	}
	return 0;
}
