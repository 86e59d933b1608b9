/*
 * ev_map_cu.c - Cloud Custodian webhook payloads turned into fixit
 * finding records (see ev_map.h); the checks and the records are
 * ev_map.c's (ev_map_int.h).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "ev_map.h"
#include "ev_map_int.h"
#include "fxlimits.h"
#include "banned.h"

#define CU_MAX_EPOCH 253402300799.0 /* 9999-12-31T23:59:59Z */

struct cu_type {
	const char *type;  /* policy.resource without "aws." */
	const char *id;	   /* the resource's id field */
	const char *alt;   /* used when id is absent, or NULL */
	const char *arn;   /* its ARN field, or NULL */
	const char *strip; /* prefix removed from the id, or NULL */
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

/* what one payload shares with its records */
struct cu_ctx {
	struct evmap_parts p; /* the template of every record */
	const struct cu_type *t;
	const char *name, *type; /* policy.name, policy.resource */
	size_t name_n, type_n;
	const json_t *res; /* resources array, or NULL */
	const json_t *one; /* the single resource, or NULL */
	size_t n;	   /* number of resources */
	json_t *details;   /* template, copied per record */
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
	c->p.account = evmap_str(pl, "account_id", &an);
	c->p.region = evmap_str(pl, "region", &c->p.region_n);
	c->name = evmap_str(pol, "name", &c->name_n);
	c->type = evmap_str(pol, "resource", &c->type_n);
	if (!json_is_object(pl))
		rc = evmap_fail(err, FX_EINVAL, "payload: not an object");
	else if (!json_is_object(pol))
		rc = evmap_fail(err, FX_EINVAL,
		    "policy: missing or not an "
		    "object");
	else if (c->name_n == 0)
		rc = evmap_fail(err, FX_EINVAL,
		    "policy.name: missing, empty "
		    "or not a string");
	else if (c->type_n == 0)
		rc = evmap_fail(err, FX_EINVAL,
		    "policy.resource: missing, "
		    "empty or not a string");
	else if (!evmap_account_ok(c->p.account, an))
		rc = evmap_fail(err, FX_EINVAL,
		    "account_id: missing or not 12 "
		    "digits");
	else if (!evmap_region_ok(c->p.region, c->p.region_n))
		rc = evmap_fail(err, FX_EINVAL,
		    "region: missing or not like "
		    "eu-west-1");
	else if (c->res == NULL && !json_is_object(c->one))
		rc = evmap_fail(err, FX_EINVAL,
		    "resources: missing or not an "
		    "array");
	else if (c->n > EVMAP_MAX_CUSTODIAN)
		rc = evmap_fail(err, FX_ETOOBIG, "resources: more than %d",
		    EVMAP_MAX_CUSTODIAN);
	return rc;
}

/* the details template of a mapped payload into c */
static fx_err
cu_details(const json_t *pl, struct cu_ctx *c)
{
	const char *x, *a;
	size_t xn, an;
	fx_err rc = FX_ENOMEM;

	x = evmap_str(pl, "execution_id", &xn);
	a = evmap_str(pl, "account", &an);
	c->details = json_object();
	if (c->details == NULL)
		goto out;
	rc = evmap_setn(c->details, "source", "custodian", 9);
	if (rc != FX_OK)
		goto out;
	rc =
	    evmap_set_clean(c->details, "policy", c->p.rule, strlen(c->p.rule));
	if (rc != FX_OK)
		goto out;
	rc = evmap_set_clean(c->details, "resource_type", c->type, c->type_n);
	if (rc != FX_OK)
		goto out;
	rc = evmap_set_clean(c->details, "execution_id", x, xn);
	if (rc != FX_OK)
		goto out;
	rc = evmap_set_clean(c->details, "account_name", a, an);
out:
	return rc;
}

/* the details template, title and observed_at of a mapped payload */
static fx_err
cu_shared(const json_t *pl, struct cu_ctx *c)
{
	const json_t *pol = json_object_get(pl, "policy");
	const json_t *start = json_object_get(pl, "execution_start");
	double t;

	c->p.title = evmap_str(pol, "description", &c->p.title_n);
	if (c->p.title == NULL)
		c->p.title = evmap_str(pol, "comment", &c->p.title_n);
	t = json_is_number(start) ? json_number_value(start) : -1.0;
	if (isfinite(t) && t >= 0.0 && t <= CU_MAX_EPOCH)
		c->p.observed_at = (int64_t)t;
	return cu_details(pl, c);
}

/* resource r of the payload into out, or counted in *nskip */
static fx_err
cu_resource(const struct cu_ctx *c, const json_t *r, struct ev_mapped_list *out,
    size_t *nskip)
{
	const struct cu_type *t = c->t;
	struct evmap_parts p = c->p;
	size_t sn = t->strip ? strlen(t->strip) : 0;
	json_t *d;

	p.id = evmap_str(r, t->id, &p.id_n);
	if (p.id == NULL && t->alt != NULL)
		p.id = evmap_str(r, t->alt, &p.id_n);
	if (p.id != NULL && sn > 0 && p.id_n > sn &&
	    memcmp(p.id, t->strip, sn) == 0) {
		p.id += sn;
		p.id_n -= sn;
	}
	if (t->arn != NULL)
		p.arn = evmap_str(r, t->arn, &p.arn_n);
	p.tags = json_object_get(r, "Tags");
	d = json_deep_copy(c->details);
	if (d == NULL)
		return FX_ENOMEM;
	return evmap_record(&p, d, out, nskip);
}

/* the payload checked into c, its entry of m into *e (NULL: unmapped) */
static fx_err
cu_mapping(const json_t *payload, const struct ev_map *m, struct cu_ctx *c,
    const struct ev_map_entry **e, struct buf *err)
{
	size_t q;
	fx_err rc;

	*e = NULL;
	rc = cu_check(payload, c, err);
	if (rc != FX_OK)
		goto out;
	*e = evmap_find(m, c->name, c->name_n);
	if (*e == NULL)
		goto out;
	c->t = cu_type_find(c->type, c->type_n);
	if (c->t != NULL)
		goto out;
	q = strspn(c->type, EVMAP_LOWER EVMAP_DIGIT ".-_"); /* harmless */
	rc = evmap_fail(err, FX_EINVAL,
	    "policy.resource: unsupported "
	    "resource type \"%.*s\"",
	    (int)(q < EVMAP_MAX_QUOTE ? q : EVMAP_MAX_QUOTE), c->type);
out:
	return rc;
}

fx_err
evmap_custodian(const json_t *payload, const struct ev_map *m,
    struct ev_mapped_list *items, size_t *skipped, struct buf *err)
{
	struct ev_mapped_list out;
	struct cu_ctx c;
	const struct ev_map_entry *e = NULL;
	size_t i, nskip = 0;
	fx_err rc;

	memset(&c, 0, sizeof(c));
	evmap_list_init(&out);
	if (skipped != NULL)
		*skipped = 0;
	if (items == NULL)
		rc = evmap_fail(err, FX_EINVAL, "items: NULL");
	else
		rc = cu_mapping(payload, m, &c, &e, err);
	if (rc != FX_OK)
		goto out;
	if (e == NULL) { /* not mapped: every resource skipped */
		if (skipped != NULL)
			*skipped = c.n;
		goto out;
	}
	c.p.playbook = e->playbook;
	c.p.rule = e->key;
	rc = cu_shared(payload, &c);
	for (i = 0; rc == FX_OK && i < c.n; i++)
		rc = cu_resource(&c, c.res ? json_array_get(c.res, i) : c.one,
		    &out, &nskip);
	if (rc != FX_OK) {
		rc = evmap_fail(err, FX_ENOMEM, "out of memory");
		goto out;
	}
	rc = evmap_commit(items, &out, err);
	if (rc == FX_OK && skipped != NULL)
		*skipped = nskip;
out:
	json_decref(c.details);
	evmap_list_release(&out);
	return rc;
}
