/*
 * config_params.c - a playbook's params that are a structure (nested
 * mappings and lists, as tagging-standard's standard): YAML to JSON with
 * the loader's errors, bounded in depth and size. Scalars inside stay
 * text; the playbook checks the structure (pb_def.params_check).
 */
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "banned.h"

/* a nested mapping (keys are scalars) or list of params, as JSON */
static fx_err
param_nested(struct loader *ld, yaml_node_t *n, const char *path, int depth,
    size_t *nodes, json_t *o)
{
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	yaml_node_t *kn;
	char kp[MAX_KEY_PATH];
	const char *name;
	json_t *v;
	fx_err rc = FX_OK;

	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top && rc == FX_OK; it++) {
			cfg_sub_path(kp, path, NULL,
			    (size_t)(it - n->data.sequence.items.start));
			rc = cfg_param_node(ld,
			    yaml_document_get_node(&ld->doc, *it), kp,
			    depth + 1, nodes, &v);
			if (rc == FX_OK && json_array_append_new(o, v) != 0)
				rc = FX_ENOMEM;
		}
		return rc;
	}
	for (pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top && rc == FX_OK; pr++) {
		kn = yaml_document_get_node(&ld->doc, pr->key);
		if ((rc = cfg_want_scalar(ld, kn, path, &name)) != FX_OK)
			break;
		cfg_sub_path(kp, path, name, 0);
		if (cfg_has_ctl(name) || strlen(name) > MAX_PARAM_LEN ||
		    json_object_get(o, name) != NULL) {
			rc = cfg_err(ld, cfg_line_of(kn), kp, "%s",
			    json_object_get(o, name) ? "duplicate key"
						     : "must be printable, at "
						       "most 256 characters");
			break;
		}
		rc = cfg_param_node(ld,
		    yaml_document_get_node(&ld->doc, pr->value), kp, depth + 1,
		    nodes, &v);
		if (rc == FX_OK && json_object_set_new(o, name, v) != 0)
			rc = FX_ENOMEM;
	}
	return rc;
}

/* one parameter value: a scalar, or (below the depth limit) a nested
 * mapping or list; *out a new reference */
fx_err
cfg_param_node(struct loader *ld, yaml_node_t *n, const char *path, int depth,
    size_t *nodes, json_t **out)
{
	const char *val;
	json_t *o;
	fx_err rc;

	*out = NULL;
	if (n == NULL)
		return cfg_err(ld, 0, path, "missing value");
	if (++*nodes > MAX_PARAM_NODES)
		return cfg_err(ld, cfg_line_of(n), path,
		    "too many parameter values (at most %d)", MAX_PARAM_NODES);
	if (n->type == YAML_SCALAR_NODE) {
		if ((rc = cfg_want_scalar(ld, n, path, &val)) != FX_OK)
			return rc;
		if (cfg_has_ctl(val) || strlen(val) > MAX_PARAM_LEN)
			return cfg_err(ld, cfg_line_of(n), path,
			    "must be printable, at most 256 characters");
		/* inside a structure every value stays text (tag values) */
		*out = json_string(val);
		return *out != NULL ? FX_OK : FX_ENOMEM;
	}
	if (depth >= MAX_PARAM_DEPTH)
		return cfg_err(ld, cfg_line_of(n), path,
		    "nested too deep (at most %d levels)", MAX_PARAM_DEPTH);
	o = n->type == YAML_SEQUENCE_NODE ? json_array() : json_object();
	if (o == NULL)
		return FX_ENOMEM;
	if ((rc = param_nested(ld, n, path, depth, nodes, o)) != FX_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return FX_OK;
}
