/*
 * fxprov.c - the provenance set (see fxprov.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "fxprov.h"
#include "fxutil.h"
#include "banned.h"

void
fx_prov_set_release(struct fx_prov_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].resource_id);
		free(s->v[i].launch_time);
		free(s->v[i].made);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* room for one more record */
static fx_err
prov_grow(struct fx_prov_set *s)
{
	struct fx_prov *v;
	size_t cap;

	if (s->n < s->cap)
		return FX_OK;
	if (s->n >= FX_MAX_PROVENANCE)
		return FX_ETOOBIG;
	cap = s->cap ? 2 * s->cap : 16;
	v = realloc(s->v, cap * sizeof(*v));
	if (v == NULL)
		return FX_ENOMEM;
	s->v = v;
	s->cap = cap;
	return FX_OK;
}

fx_err
fx_prov_set_add(struct fx_prov_set *s, const struct fx_prov *p)
{
	struct fx_prov c;
	fx_err rc;

	memset(&c, 0, sizeof(c));
	rc = prov_grow(s);
	if (rc != FX_OK)
		goto out;
	rc = FX_EINVAL;
	if (p->resource_id == NULL)
		goto out;
	rc = FX_ENOMEM;
	c = *p;
	c.resource_id = fx_strdup(p->resource_id);
	c.launch_time = fx_strdup(p->launch_time);
	c.made = fx_strdup(p->made);
	if (c.resource_id == NULL ||
	    (p->launch_time != NULL && c.launch_time == NULL) ||
	    (p->made != NULL && c.made == NULL))
		goto out;
	s->v[s->n++] = c;
	memset(&c, 0, sizeof(c));
	rc = FX_OK;
out:
	free(c.resource_id);
	free(c.launch_time);
	free(c.made);
	return rc;
}

const struct fx_prov *
fx_prov_find(const struct fx_prov_set *s, const char *resource_id)
{
	const struct fx_prov *best = NULL;
	size_t i;

	if (s == NULL || resource_id == NULL)
		return NULL;
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].resource_id, resource_id) != 0)
			continue;
		if (best == NULL || s->v[i].finding_id > best->finding_id)
			best = &s->v[i];
	}
	return best;
}

const struct fx_prov *
fx_prov_find_made(const struct fx_prov_set *s, const char *id)
{
	const struct fx_prov *best = NULL;
	size_t i;

	if (s == NULL || id == NULL)
		return NULL;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].made == NULL || strcmp(s->v[i].made, id) != 0)
			continue;
		if (best == NULL || s->v[i].finding_id > best->finding_id)
			best = &s->v[i];
	}
	return best;
}
