/*
 * pb_iam_graph.c - roles, hops and the bounded search of iam-admin-paths
 * (see pb_iam_graph.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fxutil.h"
#include "pb_iam_graph.h"
#include "banned.h"

#define NAME_MAX_LEN 64 /* instance profile names kept for the chain */
#define NO_NODE	     ((size_t)-1)

enum edge_kind { E_ASSUME = 0, E_PASS_EC2, E_PASS_LAMBDA };
static const char *const edge_how[] = { "sts:AssumeRole",
	"iam:PassRole + ec2:RunInstances",
	"iam:PassRole + lambda:CreateFunction" };

/* string -> index, open addressing (FNV-1a) */
struct smap {
	const char **key; /* borrowed from the owner's records */
	size_t *val;
	size_t cap, n;
};

struct gpol {
	char *arn, *name, *version;
	int attachments, versions, aws;
	json_t *doc;
	struct pb_iam_pol sum;
};

struct ginl {
	char *name;
	json_t *doc;
	struct pb_iam_pol sum;
};

struct edge {
	size_t to;
	int kind;
};

struct grole {
	char *name, *arn, *created, *profile, *boundary;
	json_t *tags;
	struct pb_iam_trust trust;
	struct ginl *inl;
	size_t ninl;
	char **att;
	size_t natt;
	/* after solve */
	const struct pb_iam_pol **sums; /* inline, then attached */
	size_t nsums;
	const struct pb_iam_pol *bound; /* boundary, or NULL */
	int bound_unknown;		/* a boundary fixit did not read */
	unsigned launch;
	uint32_t admin;
	struct edge *out;
	size_t nout, capout;
	size_t parent;
	int pkind, dist;
};

struct pb_iam_graph {
	char account[16];
	struct grole *r;
	size_t nr, capr;
	struct gpol *p;
	size_t np, capp;
	struct smap by_name, by_arn, pol_by_arn;
	size_t nedges;
	const char *truncated;
	uint64_t checks;
};

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

static int
smap_get(const struct smap *m, const char *k, size_t *v)
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
smap_grow(struct smap *m)
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
static fx_err
smap_put(struct smap *m, const char *k, size_t v)
{
	size_t i;
	fx_err rc;

	if ((m->n + 1) * 2 > m->cap && (rc = smap_grow(m)) != FX_OK)
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

static void
smap_release(struct smap *m)
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
	smap_release(&g->by_name);
	smap_release(&g->by_arn);
	smap_release(&g->pol_by_arn);
	free(g);
}

/* grow *v (of *cap elements of size sz) to hold n + 1 */
static fx_err
grow(void **v, size_t *cap, size_t n, size_t sz)
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
	if (smap_get(&g->pol_by_arn, arn, &old))
		return FX_OK; /* a page repeated */
	rc = grow((void **)&g->p, &g->capp, g->np, sizeof(*g->p));
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
	if ((rc = smap_put(&g->pol_by_arn, p->arn, g->np)) != FX_OK)
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
	if (smap_get(&g->by_arn, arn, idx))
		return FX_ECONFLICT; /* a page repeated: the caller skips it */
	rc = grow((void **)&g->r, &g->capr, g->nr, sizeof(*g->r));
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
	rc = smap_put(&g->by_name, r->name, g->nr);
	if (rc == FX_OK)
		rc = smap_put(&g->by_arn, r->arn, g->nr);
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
	rc = grow((void **)&r->inl, &cap, r->ninl, sizeof(*r->inl));
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

	rc = grow((void **)&r->att, &cap, r->natt, sizeof(*r->att));
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

/* ---- accessors --------------------------------------------------------- */

int
pb_iam_graph_find(const struct pb_iam_graph *g, const char *name, size_t *idx)
{
	return smap_get(&g->by_name, name, idx);
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
static const struct gpol *
pol(const struct pb_iam_graph *g, const char *arn)
{
	size_t i;

	return arn != NULL && smap_get(&g->pol_by_arn, arn, &i) ? &g->p[i]
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
		p = pol(g, r->att[j]);
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

/* ---- solving ----------------------------------------------------------- */

/* the summaries of every role: what its policies grant, together */
static fx_err
role_sums(struct pb_iam_graph *g, struct grole *r)
{
	const struct gpol *p;
	uint32_t allow = 0, deny = 0;
	size_t j;

	free(r->sums);
	r->nsums = 0;
	r->sums = calloc(r->ninl + r->natt + 1, sizeof(*r->sums));
	if (r->sums == NULL)
		return FX_ENOMEM;
	for (j = 0; j < r->ninl; j++)
		r->sums[r->nsums++] = &r->inl[j].sum;
	for (j = 0; j < r->natt; j++)
		if ((p = pol(g, r->att[j])) != NULL)
			r->sums[r->nsums++] = &p->sum;
	r->launch = 0;
	for (j = 0; j < r->nsums; j++) {
		allow |= r->sums[j]->allow;
		deny |= r->sums[j]->deny;
		r->launch |= r->sums[j]->launch;
	}
	r->admin = allow & ~deny;
	r->bound = NULL;
	r->bound_unknown = 0;
	if (r->boundary != NULL) {
		p = pol(g, r->boundary);
		r->bound = p != NULL ? &p->sum : NULL;
		r->bound_unknown = p == NULL;
		/* an unknown boundary may take anything away */
		r->admin =
		    p != NULL ? r->admin & p->sum.allow & ~p->sum.deny : 0;
		r->launch = p != NULL ? r->launch & p->sum.launch : 0;
	}
	return FX_OK;
}

/* may role r act (sts:AssumeRole: pass 0; iam:PassRole: 1) on arn */
static int
role_can(const struct grole *r, const char *arn, int pass)
{
	const struct pb_iam_pats *al, *de;
	int allowed = 0;
	size_t j;

	if (r->bound_unknown)
		return 0;
	for (j = 0; j < r->nsums; j++) {
		al = pass ? &r->sums[j]->pass : &r->sums[j]->assume;
		de = pass ? &r->sums[j]->pass_deny : &r->sums[j]->assume_deny;
		if (pb_iam_pats_match(de, arn))
			return 0;
		allowed = allowed || pb_iam_pats_match(al, arn);
	}
	if (allowed && r->bound != NULL) {
		al = pass ? &r->bound->pass : &r->bound->assume;
		de = pass ? &r->bound->pass_deny : &r->bound->assume_deny;
		allowed =
		    pb_iam_pats_match(al, arn) && !pb_iam_pats_match(de, arn);
	}
	return allowed;
}

static int
role_holds(const struct grole *r, int pass)
{
	size_t j;

	for (j = 0; j < r->nsums; j++)
		if ((pass ? r->sums[j]->pass.n : r->sums[j]->assume.n) > 0)
			return 1;
	return 0;
}

static fx_err
add_edge(struct pb_iam_graph *g, const struct pb_iam_limits *lim, size_t a,
    size_t b, int kind)
{
	struct grole *r = &g->r[a];
	fx_err rc;

	if (g->nedges >= lim->max_edges) {
		g->truncated = "max_edges";
		return FX_OK;
	}
	rc = grow((void **)&r->out, &r->capout, r->nout, sizeof(*r->out));
	if (rc != FX_OK)
		return rc;
	r->out[r->nout].to = b;
	r->out[r->nout].kind = kind;
	r->nout++;
	g->nedges++;
	return FX_OK;
}

/* roles that hold any sts:AssumeRole (pass 0) or PassRole and launch */
static fx_err
holders(struct pb_iam_graph *g, int pass, size_t **out, size_t *n)
{
	size_t i;

	*n = 0;
	if ((*out = calloc(g->nr + 1, sizeof(**out))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < g->nr; i++)
		if (role_holds(&g->r[i], pass) && (!pass || g->r[i].launch))
			(*out)[(*n)++] = i;
	return FX_OK;
}

/* 1 when trust names arn exactly (its own edge was built already) */
static int
names(const struct pb_iam_trust *t, const char *arn)
{
	size_t i;

	for (i = 0; i < t->aws.n; i++)
		if (strcmp(t->aws.v[i], arn) == 0)
			return 1;
	return 0;
}

static int
budget(struct pb_iam_graph *g, const struct pb_iam_limits *lim)
{
	if (++g->checks <= lim->max_checks)
		return 1;
	g->truncated = "max_checks";
	return 0;
}

/* the sts:AssumeRole hops into role b */
static fx_err
assume_edges(struct pb_iam_graph *g, const struct pb_iam_limits *lim, size_t b,
    const size_t *as, size_t nas)
{
	const struct grole *rb = &g->r[b];
	char root[64];
	size_t i, a;
	int broad;
	fx_err rc;

	(void)snprintf(root, sizeof(root), "arn:aws:iam::%s:root", g->account);
	broad = (rb->trust.flags & PB_IAM_TRUST_ANY) != 0;
	for (i = 0; i < rb->trust.aws.n; i++) {
		if (strcmp(rb->trust.aws.v[i], root) == 0) {
			broad = 1;
			continue;
		}
		if (!smap_get(&g->by_arn, rb->trust.aws.v[i], &a) || a == b ||
		    !budget(g, lim))
			continue;
		if (pb_iam_trust_aws(&rb->trust, g->r[a].arn, g->account) &&
		    role_can(&g->r[a], rb->arn, 0) &&
		    (rc = add_edge(g, lim, a, b, E_ASSUME)) != FX_OK)
			return rc;
	}
	for (i = 0; broad && i < nas; i++) {
		a = as[i];
		if (a == b || names(&rb->trust, g->r[a].arn))
			continue;
		if (!budget(g, lim))
			break;
		if (pb_iam_trust_aws(&rb->trust, g->r[a].arn, g->account) &&
		    role_can(&g->r[a], rb->arn, 0) &&
		    (rc = add_edge(g, lim, a, b, E_ASSUME)) != FX_OK)
			return rc;
	}
	return FX_OK;
}

/* the iam:PassRole hops into role b */
static fx_err
pass_edges(struct pb_iam_graph *g, const struct pb_iam_limits *lim, size_t b,
    const size_t *ps, size_t nps)
{
	const struct grole *rb = &g->r[b];
	unsigned need = 0;
	size_t i;
	fx_err rc;

	if (rb->profile != NULL &&
	    pb_iam_trust_service(&rb->trust, "ec2.amazonaws.com"))
		need |= PB_IAM_LAUNCH_EC2;
	if (pb_iam_trust_service(&rb->trust, "lambda.amazonaws.com"))
		need |= PB_IAM_LAUNCH_LAMBDA;
	for (i = 0; need != 0 && i < nps; i++) {
		if (ps[i] == b || (g->r[ps[i]].launch & need) == 0)
			continue;
		if (!budget(g, lim))
			break;
		if (!role_can(&g->r[ps[i]], rb->arn, 1))
			continue;
		rc = add_edge(g, lim, ps[i], b,
		    (g->r[ps[i]].launch & need & PB_IAM_LAUNCH_EC2)
			? E_PASS_EC2
			: E_PASS_LAMBDA);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

/* how compute carries role r (its chain's first hop), or NULL */
static const char *
entry_how(const struct grole *r)
{
	size_t i;

	if (r->profile != NULL)
		return "instance profile";
	if (pb_iam_trust_service(&r->trust, "lambda.amazonaws.com"))
		return "lambda.amazonaws.com";
	if (pb_iam_trust_service(&r->trust, "ecs-tasks.amazonaws.com"))
		return "ecs-tasks.amazonaws.com";
	for (i = 0; i < r->trust.federated.n; i++)
		if (strstr(r->trust.federated.v[i], "oidc.eks.") != NULL)
			return "EKS service account (IRSA)";
	return NULL;
}

static fx_err
build(struct pb_iam_graph *g, const struct pb_iam_limits *lim)
{
	size_t *as = NULL, *ps = NULL, nas = 0, nps = 0, b;
	fx_err rc = FX_OK;

	g->nedges = 0;
	g->checks = 0;
	g->truncated = NULL;
	for (b = 0; b < g->nr && rc == FX_OK; b++) {
		g->r[b].nout = 0;
		rc = role_sums(g, &g->r[b]);
	}
	if (rc == FX_OK)
		rc = holders(g, 0, &as, &nas);
	if (rc == FX_OK)
		rc = holders(g, 1, &ps, &nps);
	for (b = 0; b < g->nr && rc == FX_OK; b++) {
		rc = assume_edges(g, lim, b, as, nas);
		if (rc == FX_OK)
			rc = pass_edges(g, lim, b, ps, nps);
	}
	free(as);
	free(ps);
	return rc;
}

/* multi-source breadth-first: the shortest chain to every role */
static fx_err
search(struct pb_iam_graph *g, const struct pb_iam_limits *lim)
{
	size_t *q, head = 0, tail = 0, i, a, b, seen = 0;
	struct grole *r;

	if ((q = calloc(g->nr + 1, sizeof(*q))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < g->nr; i++) {
		r = &g->r[i];
		r->parent = NO_NODE;
		r->dist = entry_how(r) != NULL ? 1 : -1;
		if (r->dist == 1)
			q[tail++] = i;
	}
	while (head < tail) {
		a = q[head++];
		if (++seen > lim->max_nodes) {
			g->truncated = "max_nodes";
			break;
		}
		/* an admin role is the end; a hop from a must leave room
		 * for the admin hop after it */
		if (g->r[a].admin != 0 || g->r[a].dist + 2 > lim->max_hops)
			continue;
		for (i = 0; i < g->r[a].nout; i++) {
			b = g->r[a].out[i].to;
			if (g->r[b].dist >= 0)
				continue;
			g->r[b].dist = g->r[a].dist + 1;
			g->r[b].parent = a;
			g->r[b].pkind = g->r[a].out[i].kind;
			q[tail++] = b;
		}
	}
	free(q);
	return FX_OK;
}

fx_err
pb_iam_graph_solve(struct pb_iam_graph *g, const struct pb_iam_limits *lim,
    struct pb_iam_hit **hits, size_t *nhits)
{
	size_t i;
	fx_err rc;

	*hits = NULL;
	*nhits = 0;
	if ((rc = build(g, lim)) != FX_OK)
		return rc;
	if ((rc = search(g, lim)) != FX_OK)
		return rc;
	if ((*hits = calloc(g->nr + 1, sizeof(**hits))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < g->nr; i++)
		if (g->r[i].dist > 0 && g->r[i].admin != 0 &&
		    g->r[i].dist + 1 <= lim->max_hops) {
			(*hits)[*nhits].role = i;
			(*hits)[(*nhits)++].hops = g->r[i].dist + 1;
		}
	return FX_OK;
}

static fx_err
hop(json_t *chain, const char *from, const char *to, const char *how)
{
	json_t *h = json_pack("{s:I, s:s, s:s, s:s}", "hop",
	    (json_int_t)json_array_size(chain) + 1, "from", from, "to", to,
	    "how", how);

	return h != NULL && json_array_append_new(chain, h) == 0 ? FX_OK
								 : FX_ENOMEM;
}

json_t *
pb_iam_graph_chain(const struct pb_iam_graph *g, size_t role)
{
	size_t path[64], n = 0, i;
	const struct grole *r;
	char from[256], to[256];
	struct buf how = BUF_INIT;
	json_t *chain = json_array();
	fx_err rc = FX_OK;

	if (chain == NULL || g->r[role].dist < 1)
		goto fail;
	for (i = role; i != NO_NODE && n < 64; i = g->r[i].parent)
		path[n++] = i;
	r = &g->r[path[n - 1]];
	if (r->profile != NULL)
		(void)snprintf(from, sizeof(from), "instance profile %s",
		    r->profile);
	else
		(void)snprintf(from, sizeof(from), "compute (%s)",
		    entry_how(r));
	(void)snprintf(to, sizeof(to), "role %s", r->name);
	rc = hop(chain, from, to, entry_how(r));
	for (i = n - 1; i > 0 && rc == FX_OK; i--) {
		(void)snprintf(from, sizeof(from), "role %s",
		    g->r[path[i]].name);
		(void)snprintf(to, sizeof(to), "role %s",
		    g->r[path[i - 1]].name);
		rc = hop(chain, from, to, edge_how[g->r[path[i - 1]].pkind]);
	}
	buf_init(&how, 2048);
	for (i = 0; i < PB_IAM_NADMIN && rc == FX_OK; i++)
		if (g->r[role].admin & (1u << i))
			rc = buf_addf(&how, "%s%s", how.len ? ", " : "",
			    pb_iam_admin_action[i]);
	(void)snprintf(from, sizeof(from), "role %s", g->r[role].name);
	if (rc == FX_OK)
		rc = hop(chain, from, "IAM admin", buf_str(&how));
	buf_release(&how);
	if (rc == FX_OK)
		return chain;
fail:
	json_decref(chain);
	return NULL;
}
