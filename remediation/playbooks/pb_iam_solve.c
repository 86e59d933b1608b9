/*
 * pb_iam_solve.c - the hops between roles, the bounded search and the
 * chains of iam-admin-paths (see pb_iam_graph.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_iam_int.h"
#include "banned.h"

static const char *const edge_how[] = { "sts:AssumeRole",
	"iam:PassRole + ec2:RunInstances",
	"iam:PassRole + lambda:CreateFunction" };

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
		if ((p = pb_iam_pol_of(g, r->att[j])) != NULL)
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
		p = pb_iam_pol_of(g, r->boundary);
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
	rc =
	    pb_iam_grow((void **)&r->out, &r->capout, r->nout, sizeof(*r->out));
	if (rc != FX_OK)
		return rc;
	r->out[r->nout].to = b;
	r->out[r->nout].kind = kind;
	r->nout++;
	g->nedges++;
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

/*
 * The roles whose sts:AssumeRole (or iam:PassRole) patterns could match
 * an ARN, by the patterns' literal prefixes (up to the first wildcard):
 * for a target, one hash lookup per distinct prefix length instead of a
 * test of every role. A candidate is then tested in full (role_can).
 */
#define PIDX_MAXLEN 2048 /* an ARN is no longer */
struct pidx {
	struct smap map; /* prefix -> key index */
	char **keys;	 /* the prefixes (owned) */
	size_t *head;	 /* per key: its first entry, NO_NODE = none */
	size_t nkeys, capkeys, capheads;
	size_t *role, *next; /* entries */
	size_t n, caprole, capnext;
	unsigned char haslen[PIDX_MAXLEN + 1];
};

static void
pidx_release(struct pidx *ix)
{
	size_t i;

	for (i = 0; i < ix->nkeys; i++)
		free(ix->keys[i]);
	free(ix->keys);
	free(ix->head);
	free(ix->role);
	free(ix->next);
	pb_iam_smap_release(&ix->map);
	free(ix);
}

static fx_err
pidx_add(struct pidx *ix, const char *pat, size_t role)
{
	size_t plen = strcspn(pat, "*?"), k;
	char *key;
	fx_err rc;

	if (plen > PIDX_MAXLEN)
		return FX_OK; /* matches no ARN */
	if ((key = strndup(pat, plen)) == NULL)
		return FX_ENOMEM;
	if (!pb_iam_smap_get(&ix->map, key, &k)) {
		rc = pb_iam_grow((void **)&ix->keys, &ix->capkeys, ix->nkeys,
		    sizeof(*ix->keys));
		if (rc == FX_OK)
			rc = pb_iam_grow((void **)&ix->head, &ix->capheads,
			    ix->nkeys, sizeof(*ix->head));
		if (rc == FX_OK)
			rc = pb_iam_smap_put(&ix->map, key, ix->nkeys);
		if (rc != FX_OK) {
			free(key);
			return rc;
		}
		k = ix->nkeys++;
		ix->keys[k] = key;
		ix->head[k] = NO_NODE;
		ix->haslen[plen] = 1;
	} else
		free(key);
	rc = pb_iam_grow((void **)&ix->role, &ix->caprole, ix->n,
	    sizeof(*ix->role));
	if (rc == FX_OK)
		rc = pb_iam_grow((void **)&ix->next, &ix->capnext, ix->n,
		    sizeof(*ix->next));
	if (rc != FX_OK)
		return rc;
	ix->role[ix->n] = role;
	ix->next[ix->n] = ix->head[k];
	ix->head[k] = ix->n++;
	return FX_OK;
}

/* the index of every role's assume (pass 0) or PassRole patterns */
static fx_err
pidx_build(struct pb_iam_graph *g, int pass, struct pidx **out)
{
	const struct pb_iam_pats *pp;
	struct pidx *ix;
	size_t i, j, k;
	fx_err rc = FX_OK;

	if ((*out = ix = calloc(1, sizeof(*ix))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < g->nr && rc == FX_OK; i++) {
		if (pass && g->r[i].launch == 0)
			continue;
		for (j = 0; j < g->r[i].nsums && rc == FX_OK; j++) {
			pp = pass ? &g->r[i].sums[j]->pass
				  : &g->r[i].sums[j]->assume;
			for (k = 0; k < pp->n && rc == FX_OK; k++)
				rc = pidx_add(ix, pp->v[k], i);
		}
	}
	return rc;
}

/* the candidates for arn: fn(g, cand, arg) for each role once */
typedef fx_err (*pidx_fn)(struct pb_iam_graph *g, size_t cand, void *arg);
static fx_err
pidx_each(struct pb_iam_graph *g, const struct pidx *ix, const char *arn,
    size_t *stamp, size_t tick, pidx_fn fn, void *arg)
{
	char pre[PIDX_MAXLEN + 1];
	size_t len = strlen(arn), l, k, e;
	fx_err rc;

	for (l = 0; l <= len && l <= PIDX_MAXLEN; l++) {
		if (!ix->haslen[l])
			continue;
		memcpy(pre, arn, l);
		pre[l] = '\0';
		if (!pb_iam_smap_get(&ix->map, pre, &k))
			continue;
		for (e = ix->head[k]; e != NO_NODE; e = ix->next[e]) {
			if (stamp[ix->role[e]] == tick)
				continue;
			stamp[ix->role[e]] = tick;
			if ((rc = fn(g, ix->role[e], arg)) != FX_OK)
				return rc;
		}
	}
	return FX_OK;
}

/* what the hop tests share */
struct into {
	const struct pb_iam_limits *lim;
	size_t b;
	unsigned need; /* PassRole: the launches b's trust allows */
};

static fx_err
try_assume(struct pb_iam_graph *g, size_t a, void *arg)
{
	const struct into *in = arg;
	const struct grole *rb = &g->r[in->b];

	if (a == in->b || names(&rb->trust, g->r[a].arn) || !budget(g, in->lim))
		return FX_OK;
	if (pb_iam_trust_aws(&rb->trust, g->r[a].arn, g->r[a].acct) &&
	    role_can(&g->r[a], rb->arn, 0))
		return add_edge(g, in->lim, a, in->b, E_ASSUME);
	return FX_OK;
}

static fx_err
try_pass(struct pb_iam_graph *g, size_t a, void *arg)
{
	const struct into *in = arg;
	unsigned both = g->r[a].launch & in->need;

	/* a role is passed within its account only */
	if (a == in->b || both == 0 ||
	    strcmp(g->r[a].acct, g->r[in->b].acct) != 0 ||
	    !budget(g, in->lim) || !role_can(&g->r[a], g->r[in->b].arn, 1))
		return FX_OK;
	return add_edge(g, in->lim, a, in->b,
	    (both & PB_IAM_LAUNCH_EC2) ? E_PASS_EC2 : E_PASS_LAMBDA);
}

/* the sts:AssumeRole hops into role b: the roles its trust names, and
 * for a trust of the account root or "*" the indexed candidates */
static fx_err
assume_edges(struct pb_iam_graph *g, const struct pb_iam_limits *lim, size_t b,
    const struct pidx *ix, size_t *stamp)
{
	const struct grole *rb = &g->r[b];
	struct into in = { lim, b, 0 };
	const char *p;
	size_t i, a, n;
	int broad;
	fx_err rc;

	broad = (rb->trust.flags & PB_IAM_TRUST_ANY) != 0;
	for (i = 0; i < rb->trust.aws.n; i++) {
		/* an account's root (its own or another's): the roles of
		 * that account whose policies allow it */
		p = rb->trust.aws.v[i];
		n = strlen(p);
		if (n > 5 && strcmp(p + n - 5, ":root") == 0) {
			broad = 1;
			continue;
		}
		if (!pb_iam_smap_get(&g->by_arn, p, &a) || a == b ||
		    !budget(g, lim))
			continue;
		if (pb_iam_trust_aws(&rb->trust, g->r[a].arn, g->r[a].acct) &&
		    role_can(&g->r[a], rb->arn, 0) &&
		    (rc = add_edge(g, lim, a, b, E_ASSUME)) != FX_OK)
			return rc;
	}
	if (!broad)
		return FX_OK;
	return pidx_each(g, ix, rb->arn, stamp, 2 * b + 1, try_assume, &in);
}

/* the iam:PassRole hops into role b (a service b trusts launches it) */
static fx_err
pass_edges(struct pb_iam_graph *g, const struct pb_iam_limits *lim, size_t b,
    const struct pidx *ix, size_t *stamp)
{
	const struct grole *rb = &g->r[b];
	struct into in = { lim, b, 0 };

	if (rb->profile != NULL &&
	    pb_iam_trust_service(&rb->trust, "ec2.amazonaws.com"))
		in.need |= PB_IAM_LAUNCH_EC2;
	if (pb_iam_trust_service(&rb->trust, "lambda.amazonaws.com"))
		in.need |= PB_IAM_LAUNCH_LAMBDA;
	if (in.need == 0)
		return FX_OK;
	return pidx_each(g, ix, rb->arn, stamp, 2 * b + 2, try_pass, &in);
}

/* how compute carries role r (its chain's first hop), or NULL */
static const char *
entry_how(const struct grole *r)
{
	size_t i;

	if (r->profile != NULL)
		return "instance profile";
	if (pb_iam_trust_service(&r->trust, "lambda.amazonaws.com")) {
		if (!r->lambda_known)
			return "lambda.amazonaws.com trust (the functions "
			       "were not listed)";
		if (r->function != NULL)
			return "Lambda function";
		/* trusted by Lambda, run by no function: not compute */
	}
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
	struct pidx *as = NULL, *ps = NULL;
	size_t *stamp = NULL, b;
	fx_err rc = FX_OK;

	g->nedges = 0;
	g->checks = 0;
	g->truncated = NULL;
	for (b = 0; b < g->nr && rc == FX_OK; b++) {
		g->r[b].nout = 0;
		rc = role_sums(g, &g->r[b]);
	}
	if (rc == FX_OK)
		rc = pidx_build(g, 0, &as);
	if (rc == FX_OK)
		rc = pidx_build(g, 1, &ps);
	if (rc == FX_OK && (stamp = calloc(g->nr + 1, sizeof(*stamp))) == NULL)
		rc = FX_ENOMEM;
	for (b = 0; b < g->nr && rc == FX_OK; b++) {
		rc = assume_edges(g, lim, b, as, stamp);
		if (rc == FX_OK)
			rc = pass_edges(g, lim, b, ps, stamp);
	}
	if (as != NULL)
		pidx_release(as);
	if (ps != NULL)
		pidx_release(ps);
	free(stamp);
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
		    !g->r[i].foreign && g->r[i].dist + 1 <= lim->max_hops) {
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

/* what a chain calls role i: "role NAME", another account's with it */
static void
role_label(const struct pb_iam_graph *g, size_t i, char *out, size_t len)
{
	if (g->r[i].foreign)
		(void)snprintf(out, len, "role %s (account %s)", g->r[i].name,
		    g->r[i].acct);
	else
		(void)snprintf(out, len, "role %s", g->r[i].name);
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
		(void)snprintf(from, sizeof(from), "instance profile %s%s%s%s",
		    r->profile, r->foreign ? " (account " : "",
		    r->foreign ? r->acct : "", r->foreign ? ")" : "");
	else if (r->lambda_known && r->function != NULL &&
		 pb_iam_trust_service(&r->trust, "lambda.amazonaws.com"))
		(void)snprintf(from, sizeof(from), "Lambda function %s%s%s%s",
		    r->function, r->foreign ? " (account " : "",
		    r->foreign ? r->acct : "", r->foreign ? ")" : "");
	else
		(void)snprintf(from, sizeof(from), "compute (%s)",
		    entry_how(r));
	role_label(g, path[n - 1], to, sizeof(to));
	rc = hop(chain, from, to, entry_how(r));
	for (i = n - 1; i > 0 && rc == FX_OK; i--) {
		role_label(g, path[i], from, sizeof(from));
		role_label(g, path[i - 1], to, sizeof(to));
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
