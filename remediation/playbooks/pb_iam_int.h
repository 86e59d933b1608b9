/*
 * pb_iam_int.h - the inside of iam-admin-paths' graph, shared by
 * pb_iam_graph.c (building, accessors) and pb_iam_solve.c (hops, search,
 * chains). Nothing else includes it.
 */
#ifndef FIXIT_PB_IAM_INT_H
#define FIXIT_PB_IAM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "pb_iam_graph.h"

#define NAME_MAX_LEN 64 /* instance profile names kept for the chain */
#define NO_NODE	     ((size_t)-1)

enum edge_kind { E_ASSUME = 0, E_PASS_EC2, E_PASS_LAMBDA };

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
	char *function;	  /* a Lambda function that runs as it, or NULL */
	char acct[16];	  /* its account */
	int foreign;	  /* of another account than the graph's own */
	int lambda_known; /* its account's functions were all listed */
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
	char account[16]; /* the account being loaded */
	char home[16];	  /* the graph's own account (the hits') */
	struct grole *r;
	size_t nr, capr;
	struct gpol *p;
	size_t np, capp;
	struct smap by_name, by_arn, pol_by_arn;
	size_t nedges;
	const char *truncated;
	uint64_t checks;
};

/* the string map (borrowed keys) */
int pb_iam_smap_get(const struct smap *m, const char *k, size_t *v);
fx_err pb_iam_smap_put(struct smap *m, const char *k, size_t v) FX_WUR;
void pb_iam_smap_release(struct smap *m);
/* grow *v (of *cap elements of size sz, new ones zeroed) to hold n + 1 */
fx_err pb_iam_grow(void **v, size_t *cap, size_t n, size_t sz) FX_WUR;
/* the managed policy arn, or NULL */
const struct gpol *pb_iam_pol_of(const struct pb_iam_graph *g, const char *arn);

#endif
