/*
 * config_walk.c - the generic half of the config loader: the table walker
 * (defaults, mappings, lists of mappings, duplicate and unknown keys,
 * required keys) and the parsers of each key type. config_read.c reads
 * the file into one YAML document; config.c holds fixit's tables, checks
 * and secrets; the types they share are in config_int.h.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>
#include <jansson.h>

#include "config_int.h"
#include "executor.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "fxutil.h"
#include "banned.h"

/* ---- errors ------------------------------------------------------- */

fx_err
cfg_err(struct loader *ld, int line, const char *key, const char *fmt, ...)
{
	char msg[512], where[32] = "";
	va_list ap;
	fx_err rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof(where), ":%d", line);
	if (ld->err == NULL)
		return FX_ECONFIG;
	buf_reset(ld->err);
	if (key != NULL)
		rc = buf_addf(ld->err, "%s%s: %s: %s", ld->file, where, key,
		    msg);
	else
		rc = buf_addf(ld->err, "%s%s: %s", ld->file, where, msg);
	return rc == FX_ENOMEM ? FX_ENOMEM : FX_ECONFIG;
}

/* ---- value checks ------------------------------------------------- */

int
cfg_has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

const char *
cfg_check_nonempty(const char *s)
{
	if (*s == '\0')
		return "must not be empty";
	return cfg_has_ctl(s) ? "must not contain control characters" : NULL;
}

void
cfg_fmt_dur(int64_t v, char *out, size_t len)
{
	if (v != 0 && v % DAY == 0)
		snprintf(out, len, "%lldd", (long long)(v / DAY));
	else if (v != 0 && v % 3600 == 0)
		snprintf(out, len, "%lldh", (long long)(v / 3600));
	else if (v != 0 && v % 60 == 0)
		snprintf(out, len, "%lldm", (long long)(v / 60));
	else
		snprintf(out, len, "%llds", (long long)v);
}

/* ---- YAML node helpers --------------------------------------------- */

static int
line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static const char *
node_kind(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE    ? "a mapping"
	       : n->type == YAML_SEQUENCE_NODE ? "a list"
					       : "a value";
}

static int
is_null(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* the node as a non-null scalar string */
static fx_err
want_scalar(struct loader *ld, const yaml_node_t *n, const char *path,
    const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return cfg_err(ld, line_of(n), path,
		    "expected a single value, got %s", node_kind(n));
	if (is_null(n))
		return cfg_err(ld, line_of(n), path, "missing value");
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return cfg_err(ld, line_of(n), path, "contains a NUL byte");
	*out = (const char *)n->data.scalar.value;
	return FX_OK;
}

fx_err
cfg_want_scalar(struct loader *ld, const yaml_node_t *n, const char *path,
    const char **out)
{
	return want_scalar(ld, n, path, out);
}

int
cfg_line_of(const yaml_node_t *n)
{
	return line_of(n);
}

static fx_err
want_seq(struct loader *ld, const yaml_node_t *n, const char *path,
    const char *example)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return FX_OK;
	return cfg_err(ld, line_of(n), path, "expected a list like %s, got %s",
	    example,
	    n->type == YAML_SCALAR_NODE && is_null(n) ? "nothing"
						      : node_kind(n));
}

static yaml_node_t *
seq_item(struct loader *ld, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&ld->doc,
	    n->data.sequence.items.start[i]);
}

static size_t
seq_len(const yaml_node_t *n)
{
	return (
	    size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

void
cfg_sub_path(char *out, const char *path, const char *name, size_t idx)
{
	int n;

	if (name != NULL)
		n = snprintf(out, MAX_KEY_PATH, "%s%s%s", path,
		    *path ? "." : "", name);
	else
		n = snprintf(out, MAX_KEY_PATH, "%s[%zu]", path, idx);
	if (n < 0)
		out[0] = '\0';
}

static char *
key_base(struct loader *ld, const struct ckey *k, char *elem)
{
	char *bases[] = { (char *)ld->cfg, (char *)ld->pol, (char *)ld, elem };

	return bases[k->base];
}

/* ---- scalar values -------------------------------------------------- */

static fx_err
set_listen(struct loader *ld, const char *s, int line, const char *path)
{
	const char *colon = strrchr(s, ':');
	unsigned char addr[16];
	char host[64];
	int64_t port;
	size_t hlen;

	hlen = colon ? (size_t)(colon - s) : 0;
	if (hlen == 0 || hlen >= sizeof(host))
		return cfg_err(ld, line, path,
		    "expected host:port "
		    "(127.0.0.1:8080)");
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1)
		return cfg_err(ld, line, path,
		    "host must be an IPv4 address "
		    "(127.0.0.1, 0.0.0.0)");
	if (fx_strtoll(colon + 1, 0, 65535, &port) != FX_OK)
		return cfg_err(ld, line, path,
		    "port must be a number from 0 "
		    "to 65535");
	free(ld->cfg->listen_host);
	if ((ld->cfg->listen_host = strdup(host)) == NULL)
		return FX_ENOMEM;
	ld->cfg->listen_port = (int)port;
	return FX_OK;
}

static fx_err
set_url(struct loader *ld, char **dst, const char *s, int line,
    const char *path)
{
	size_t n = strlen(s), skip;
	char *u;

	skip = strncmp(s, "https://", 8) == 0  ? 8
	       : strncmp(s, "http://", 7) == 0 ? 7
					       : 0;
	if (skip == 0 || n == skip || s[skip] == '/' || cfg_has_ctl(s) ||
	    strchr(s, ' ') != NULL || n > FX_MAX_FIELD)
		return cfg_err(ld, line, path,
		    "expected an http:// or "
		    "https:// URL (https://slack.com/api/)");
	if ((u = malloc(n + 2)) == NULL)
		return FX_ENOMEM;
	memcpy(u, s, n + 1);
	if (u[n - 1] != '/') {
		u[n] = '/';
		u[n + 1] = '\0';
	}
	free(*dst);
	*dst = u;
	return FX_OK;
}

/* the i-th name a K_ENUM or K_EXECUTOR key accepts, NULL past the last */
static const char *
enum_name(const struct ckey *k, size_t i)
{
	const struct executor_ops *ops;

	if (k->type != K_EXECUTOR)
		return k->names[i];
	ops = executor_at(i);
	return ops != NULL ? ops->name : NULL;
}

static fx_err
set_enum(struct loader *ld, const struct ckey *k, void *dst, const char *s,
    int line, const char *path)
{
	char list[256] = "";
	size_t i, used = 0;
	const char *name;

	for (i = 0; (name = enum_name(k, i)) != NULL; i++) {
		if (strcmp(s, name) != 0)
			continue;
		if (k->type == K_EXECUTOR)
			*(const struct executor_ops **)dst = executor_at(i);
		else
			*(int *)dst = (int)i;
		return FX_OK;
	}
	for (i = 0; (name = enum_name(k, i)) != NULL && used < sizeof(list);
	     i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%s", i ? " | " : "", name);
	return cfg_err(ld, line, path, "expected one of: %s", list);
}

/* a K_STR value that failed its check: why, then the key's choices */
static fx_err
check_failed(struct loader *ld, const struct ckey *k, const char *why, int line,
    const char *path)
{
	struct buf list = BUF_INIT;
	fx_err rc;

	if (k->choices == NULL)
		return cfg_err(ld, line, path, "%s", why);
	buf_init(&list, 4096);
	rc = k->choices(&list);
	if (rc == FX_OK)
		rc = cfg_err(ld, line, path, "%s (%s)", why, buf_str(&list));
	buf_release(&list);
	return rc;
}

static fx_err
set_scalar(struct loader *ld, const struct ckey *k, char *base, const char *s,
    int line, const char *path)
{
	void *p = base + k->off;
	char lo[32], hi[32];
	const char *why;
	int64_t v;
	char *dup;

	switch (k->type) {
	case K_STR:
	case K_PATH:
		why = k->type == K_PATH ? cfg_check_nonempty(s)
		      : k->check	? k->check(s)
					: NULL;
		if (why != NULL)
			return check_failed(ld, k, why, line, path);
		if ((dup = strdup(s)) == NULL)
			return FX_ENOMEM;
		free(*(char **)p); /* pathval starts with its path */
		*(char **)p = dup;
		if (k->type == K_PATH)
			((struct pathval *)p)->line = line;
		return FX_OK;
	case K_INT:
		if (fx_strtoll(s, k->min, k->max, &v) != FX_OK)
			return cfg_err(ld, line, path,
			    "expected a whole "
			    "number from %lld to %lld",
			    (long long)k->min, (long long)k->max);
		*(int *)p = (int)v;
		return FX_OK;
	case K_DUR:
		if (fx_duration_parse(s, &v) != FX_OK || v < k->min ||
		    v > k->max) {
			cfg_fmt_dur(k->min, lo, sizeof(lo));
			cfg_fmt_dur(k->max, hi, sizeof(hi));
			return cfg_err(ld, line, path,
			    "expected a duration "
			    "(90, 2s, 15m, 48h, 30d, 1w) from %s to %s",
			    lo, hi);
		}
		*(int64_t *)p = v;
		return FX_OK;
	case K_BOOL:
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
			return cfg_err(ld, line, path,
			    "expected true or false");
		*(int *)p = strcmp(s, "true") == 0;
		return FX_OK;
	case K_ENUM:
	case K_EXECUTOR:
		return set_enum(ld, k, p, s, line, path);
	case K_LISTEN:
		return set_listen(ld, s, line, path);
	case K_URL:
		return set_url(ld, (char **)p, s, line, path);
	default:
		return cfg_err(ld, line, path, "internal: not a scalar key");
	}
}

/* ---- lists ------------------------------------------------------------ */

static int
exc_kind_parse(const char *s)
{
	return strcmp(s, "1m") == 0   ? EXC_1M
	       : strcmp(s, "1y") == 0 ? EXC_1Y
				      : -1;
}

/* default of a K_EXCSET: "1m,1y", "1y" or "" */
static unsigned
excset_default(const char *def)
{
	return (strstr(def, "1m") ? 1u << EXC_1M : 0) |
	       (strstr(def, "1y") ? 1u << EXC_1Y : 0);
}

static fx_err
set_excset(struct loader *ld, unsigned *dst, yaml_node_t *n, const char *path)
{
	char ip[MAX_KEY_PATH];
	unsigned mask = 0;
	const char *s;
	size_t i;
	fx_err rc;
	int kind;

	if ((rc = want_seq(ld, n, path, "[1m, 1y]")) != FX_OK)
		return rc;
	for (i = 0; i < seq_len(n); i++) {
		yaml_node_t *it = seq_item(ld, n, i);

		cfg_sub_path(ip, path, NULL, i);
		if ((rc = want_scalar(ld, it, ip, &s)) != FX_OK)
			return rc;
		if ((kind = exc_kind_parse(s)) < 0)
			return cfg_err(ld, line_of(it), ip,
			    "expected 1m or 1y");
		if (mask & (1u << kind))
			return cfg_err(ld, line_of(it), ip, "listed twice");
		mask |= 1u << kind;
	}
	*dst = mask;
	return FX_OK;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* K_IDLIST (admins) and K_ARGV (executor.command) */
static fx_err
set_strlist(struct loader *ld, const struct ckey *k, char *base, yaml_node_t *n,
    const char *path)
{
	int argv = k->type == K_ARGV;
	char ip[MAX_KEY_PATH], **v = NULL;
	size_t i, j, cnt;
	const char *s, *why;
	fx_err rc;

	rc = want_seq(ld, n, path,
	    argv       ? "[/usr/local/bin/fix.sh, --flag]"
	    : k->names ? k->names[0]
		       : "[U0123ABCD]");
	if (rc != FX_OK)
		return rc;
	cnt = seq_len(n);
	if (!argv && cnt == 0)
		return cfg_err(ld, line_of(n), path, "needs at least one %s",
		    k->names ? k->names[1] : "Slack user id");
	if (cnt > (size_t)k->max)
		return cfg_err(ld, line_of(n), path,
		    "too many items "
		    "(at most %lld)",
		    (long long)k->max);
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < cnt; i++) {
		yaml_node_t *it = seq_item(ld, n, i);

		cfg_sub_path(ip, path, NULL, i);
		if ((rc = want_scalar(ld, it, ip, &s)) != FX_OK)
			goto out;
		why =
		    argv
			? (i == 0 && s[0] != '/'
				  ? "must be an absolute path (the command runs without "
				    "a shell)"
			      : cfg_has_ctl(s)
				  ? "must not contain control characters"
				  : NULL)
		    : k->check ? k->check(s)
			       : NULL;
		for (j = 0; why == NULL && !argv && j < i; j++)
			if (strcmp(v[j], s) == 0)
				why = "listed twice";
		if (why != NULL) {
			rc = cfg_err(ld, line_of(it), ip, "%s", why);
			goto out;
		}
		if ((v[i] = strdup(s)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	strv_free(*(char ***)(base + k->off), SIZE_MAX);
	*(char ***)(base + k->off) = v;
	if (!argv)
		*(size_t *)(base + k->off2) = cnt;
	v = NULL;
out:
	strv_free(v, cnt);
	return rc;
}

/* ---- parameters ------------------------------------------------------- */

#define MAX_PARAMS 32

static json_t *
param_value(const char *s)
{
	int64_t v;

	if (fx_strtoll(s, INT64_MIN, INT64_MAX, &v) == FX_OK)
		return json_integer(v);
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return json_boolean(strcmp(s, "true") == 0);
	return json_string(s);
}

/* K_PARAMS: a mapping of scalars (or nested mappings and lists, for a
 * playbook whose parameters are a structure) into a JSON object */
static fx_err
set_params(struct loader *ld, const struct ckey *k, char *base, yaml_node_t *n,
    const char *path)
{
	json_t **dst = (json_t **)(base + k->off), *o, *v;
	yaml_node_pair_t *pr;
	size_t nodes = 0;
	yaml_node_t *kn, *vn;
	char kp[MAX_KEY_PATH];
	const char *name, *val;
	fx_err rc = FX_OK;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_err(ld, line_of(n), path,
		    "expected a mapping like "
		    "{idle_days: 45}, got %s",
		    node_kind(n));
	if ((o = json_object()) == NULL)
		return FX_ENOMEM;
	for (pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top && rc == FX_OK; pr++) {
		kn = yaml_document_get_node(&ld->doc, pr->key);
		vn = yaml_document_get_node(&ld->doc, pr->value);
		if ((rc = want_scalar(ld, kn, path, &name)) != FX_OK)
			break;
		cfg_sub_path(kp, path, name, 0);
		if (vn->type != YAML_SCALAR_NODE) {
			if (json_object_size(o) >= MAX_PARAMS ||
			    cfg_has_ctl(name) || json_object_get(o, name)) {
				rc = cfg_err(ld, line_of(kn), kp,
				    "duplicate key, too many parameters or "
				    "not printable");
				break;
			}
			rc = cfg_param_node(ld, vn, kp, 0, &nodes, &v);
			if (rc == FX_OK && json_object_set_new(o, name, v) != 0)
				rc = FX_ENOMEM;
			continue;
		}
		if ((rc = want_scalar(ld, vn, kp, &val)) != FX_OK)
			break;
		if (json_object_size(o) >= MAX_PARAMS || cfg_has_ctl(name) ||
		    cfg_has_ctl(val) || strlen(val) > MAX_PARAM_LEN ||
		    json_object_get(o, name) != NULL)
			rc = cfg_err(ld, line_of(kn), kp, "%s",
			    json_object_get(o, name) ? "duplicate key"
			    : json_object_size(o) >= MAX_PARAMS
				? "too many parameters (at most 32)"
				: "must be "
				  "printable, at most 256 characters");
		else if (json_object_set_new(o, name, param_value(val)) != 0)
			rc = FX_ENOMEM;
	}
	if (rc != FX_OK) {
		json_decref(o);
		return rc;
	}
	json_decref(*dst);
	*dst = o;
	return FX_OK;
}

/* ---- sections --------------------------------------------------------- */

/* the index of key name in sec, sec->nkeys when there is none */
static size_t
key_index(const struct section *sec, const char *name)
{
	size_t i;

	for (i = 0; i < sec->nkeys; i++)
		if (strcmp(sec->keys[i].name, name) == 0)
			break;
	return i;
}

fx_err
cfg_apply_defaults(struct loader *ld, const struct section *sec, char *elem,
    const char *path)
{
	char kp[MAX_KEY_PATH];
	const struct ckey *k;
	char *base;
	fx_err rc;

	for (k = sec->keys; k < sec->keys + sec->nkeys; k++) {
		base = key_base(ld, k, elem);
		cfg_sub_path(kp, path, k->name, 0);
		rc = FX_OK;
		if (k->type == K_MAP)
			rc = cfg_apply_defaults(ld, k->sec, elem, kp);
		else if (k->type == K_EXCSET && k->def != NULL)
			*(unsigned *)(base + k->off) = excset_default(k->def);
		else if (k->def != NULL)
			rc = set_scalar(ld, k, base, k->def, 0, kp);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

/* K_SEQ: a list of mappings, one element of k->sec each */
static fx_err
parse_seq(struct loader *ld, const struct ckey *k, char *base, yaml_node_t *n,
    const char *path)
{
	const struct section *sec = k->sec;
	char ip[MAX_KEY_PATH], **arr = (char **)(base + k->off);
	size_t *cnt = (size_t *)(base + k->off2), i, len;
	fx_err rc;

	if ((rc = want_seq(ld, n, path, "[{...}, {...}]")) != FX_OK)
		return rc;
	len = seq_len(n);
	if (len > sec->max_elems)
		return cfg_err(ld, line_of(n), path,
		    "too many items "
		    "(at most %zu)",
		    sec->max_elems);
	if (len == 0)
		return FX_OK;
	if ((*arr = calloc(len, sec->elem_size)) == NULL)
		return FX_ENOMEM;
	/* counted as they are filled, so that a failure frees what exists */
	for (i = 0; i < len; i++) {
		char *elem = *arr + i * sec->elem_size;
		yaml_node_t *it = seq_item(ld, n, i);

		*cnt = i + 1;
		cfg_sub_path(ip, path, NULL, i);
		rc = cfg_apply_defaults(ld, sec, elem, ip);
		if (rc != FX_OK)
			return rc;
		rc = cfg_parse_map(ld, sec, elem, it, line_of(it), ip);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
set_node(struct loader *ld, const struct ckey *k, char *elem, yaml_node_t *n,
    const char *path)
{
	char *base = key_base(ld, k, elem);
	const char *s;
	fx_err rc;

	switch (k->type) {
	case K_MAP: /* "section:" with every key commented out: empty */
		if (n->type == YAML_SCALAR_NODE && is_null(n))
			return cfg_parse_map(ld, k->sec, elem, NULL, line_of(n),
			    path);
		return cfg_parse_map(ld, k->sec, elem, n, line_of(n), path);
	case K_SEQ:
		return parse_seq(ld, k, base, n, path);
	case K_IDLIST:
	case K_ARGV:
		return set_strlist(ld, k, base, n, path);
	case K_EXCSET:
		return set_excset(ld, (unsigned *)(base + k->off), n, path);
	case K_PARAMS:
		return set_params(ld, k, base, n, path);
	default:
		if ((rc = want_scalar(ld, n, path, &s)) != FX_OK)
			return rc;
		return set_scalar(ld, k, base, s, line_of(n), path);
	}
}

/* one "key: value" pair of a mapping */
static fx_err
parse_pair(struct loader *ld, const struct section *sec, char *elem,
    yaml_node_pair_t *pr, struct seen *seen, const char *path)
{
	yaml_node_t *kn = yaml_document_get_node(&ld->doc, pr->key);
	yaml_node_t *vn = yaml_document_get_node(&ld->doc, pr->value);
	char kp[MAX_KEY_PATH];
	const char *name, *hint;
	size_t i;
	fx_err rc;

	if (kn->type != YAML_SCALAR_NODE)
		return cfg_err(ld, line_of(kn), *path ? path : NULL,
		    "keys must be plain names, got %s", node_kind(kn));
	if ((rc = want_scalar(ld, kn, *path ? path : "(key)", &name)) != FX_OK)
		return rc;
	cfg_sub_path(kp, path, name, 0);
	if ((i = key_index(sec, name)) == sec->nkeys) {
		if ((hint = cfg_secret_hint(name)) != NULL)
			return cfg_err(ld, line_of(kn), kp,
			    "secrets do not "
			    "belong in the config file: use %s",
			    hint);
		return cfg_err(ld, line_of(kn), kp, "unknown key");
	}
	if (seen->mask & (1ull << i))
		return cfg_err(ld, line_of(kn), kp,
		    "duplicate key (first at "
		    "line %d)",
		    seen->line[i]);
	seen->mask |= 1ull << i;
	seen->line[i] = line_of(kn);
	return set_node(ld, &sec->keys[i], elem, vn, kp);
}

fx_err
cfg_parse_map(struct loader *ld, const struct section *sec, char *elem,
    yaml_node_t *n, int parent_line, const char *path)
{
	struct seen seen;
	yaml_node_pair_t *pr;
	char kp[MAX_KEY_PATH];
	size_t i;
	fx_err rc;

	memset(&seen, 0, sizeof(seen));
	seen.sec = sec;
	seen.map_line = n ? line_of(n) : parent_line;
	if (n != NULL && n->type != YAML_MAPPING_NODE)
		return cfg_err(ld, line_of(n), *path ? path : NULL,
		    "expected a mapping of keys, got %s", node_kind(n));
	for (pr = n ? n->data.mapping.pairs.start : NULL;
	     n && pr < n->data.mapping.pairs.top; pr++)
		if ((rc = parse_pair(ld, sec, elem, pr, &seen, path)) != FX_OK)
			return rc;
	for (i = 0; i < sec->nkeys; i++) {
		const struct ckey *k = &sec->keys[i];

		if (seen.mask & (1ull << i))
			continue;
		cfg_sub_path(kp, path, k->name, 0);
		if (k->required)
			return cfg_err(ld, seen.map_line, kp,
			    "required key missing");
		/* absent sections still get their checks */
		if (k->type == K_MAP && (rc = cfg_parse_map(ld, k->sec, elem,
					     NULL, seen.map_line, kp)) != FX_OK)
			return rc;
	}
	return sec->post ? sec->post(ld, elem, &seen, path) : FX_OK;
}

int
cfg_seen(const struct seen *s, const char *key)
{
	size_t i = key_index(s->sec, key);

	return i < s->sec->nkeys && (s->mask & (1ull << i)) != 0;
}

int
cfg_seen_line(const struct seen *s, const char *key)
{
	size_t i = key_index(s->sec, key);

	if (i < s->sec->nkeys && (s->mask & (1ull << i)))
		return s->line[i];
	return s->map_line;
}

fx_err
cfg_check_unique(struct loader *ld, const struct seen *s, const char *path,
    const void *arr, const void *elem, const char *key, const char *what)
{
	const struct section *sec = s->sec;
	const char *first = arr, *at = elem, *v, *bracket;
	size_t i, idx, off, ki = key_index(sec, key);
	char kp[MAX_KEY_PATH];

	if (ki == sec->nkeys || sec->elem_size == 0)
		return cfg_err(ld, 0, path, "internal: no list key %s", key);
	off = sec->keys[ki].off;
	idx = (size_t)(at - first) / sec->elem_size;
	v = *(char *const *)(at + off);
	/* the list's path: path without its "[idx]" */
	bracket = strrchr(path, '[');
	for (i = 0; i < idx; i++) {
		if (strcmp(*(char *const *)(first + i * sec->elem_size + off),
			v) != 0)
			continue;
		cfg_sub_path(kp, path, key, 0);
		return cfg_err(ld, cfg_seen_line(s, key), kp,
		    "duplicate %s %s "
		    "(also %.*s[%zu])",
		    what, v,
		    bracket ? (int)(bracket - path) : (int)strlen(path), path,
		    i);
	}
	return FX_OK;
}
