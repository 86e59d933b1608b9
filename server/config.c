/*
 * config.c - fixitd's YAML configuration (libyaml document API).
 *
 * Table-driven, after Redis config.c: each section is a table of keys
 * (name, type, where the value goes, required, default, range). Every
 * mapping first gets its table's defaults (parsed by the same code as
 * values), then its keys; a section's post function does the checks that
 * span keys; secrets come last, from a *_file key or the environment.
 * The first error stops the load: "FILE:LINE: KEY: message", KEY a path
 * like playbooks[2].grace (0-based). No message contains a secret.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <yaml.h>

#include "config.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "fxutil.h"
#include "banned.h"

#define MAX_KEY_PATH	256
#define MAX_ACCOUNTS	10000
#define MAX_PLAYBOOKS	1000
#define MAX_ADMINS	1000
#define MAX_ARGV	64
#define MAX_SLACK_ID	64
#define MAX_NAME	64
#define DAY		86400LL

enum ktype {
	K_STR, K_INT, K_DUR,	/* char *, int, int64_t */
	K_BOOL, K_ENUM,		/* int (0/1), int (index into names) */
	K_LISTEN,	/* "host:port" -> listen_host, listen_port */
	K_URL,		/* char *: http(s) base URL, '/' appended */
	K_PATH,		/* struct pathval: a secret's file */
	K_IDLIST,	/* char ** (NULL-terminated) + size_t count at off2 */
	K_ARGV,		/* char ** (NULL-terminated), argv[0] absolute */
	K_EXCSET,	/* unsigned mask of (1u << enum exc_kind) */
	K_MAP,		/* nested section, same element */
	K_SEQ		/* array of section elements + size_t count at off2 */
};

/* what a key's offset is relative to */
enum kbase { B_CFG, B_POL, B_LD, B_ELEM };

struct pathval {
	char *path;
	int line;
};

struct loader {
	const char *file;
	yaml_document_t doc;
	struct config *cfg;
	struct policy *pol;
	struct pathval sig_file, bot_file, tok_file;
	int mode_line;		/* line of slack.mode, 0 when defaulted */
	struct buf *err;
};

struct seen {
	const struct section *sec;
	uint64_t mask;
	int line[64];		/* of each key seen, by table index */
	int map_line;		/* of the mapping (or its parent) */
};

struct section;
typedef const char *(*check_fn)(const char *s);
typedef fx_err (*post_fn)(struct loader *ld, char *elem,
    const struct seen *s, const char *path);

struct ckey {
	const char *name;
	enum ktype type;
	enum kbase base;
	size_t off;
	size_t off2;		/* K_IDLIST, K_SEQ: the count (size_t) */
	int required;
	const char *def;	/* default, parsed like a value */
	int64_t min, max;	/* K_INT, K_DUR */
	const char *const *names;	/* K_ENUM */
	check_fn check;		/* K_STR, K_IDLIST items */
	const struct section *sec;	/* K_MAP, K_SEQ */
};

struct section {
	const struct ckey *keys;
	size_t nkeys;
	size_t elem_size;	/* K_SEQ element */
	size_t max_elems;
	post_fn post;		/* after the mapping was parsed */
};

static fx_err parse_map(struct loader *ld, const struct section *sec,
    char *elem, yaml_node_t *n, int parent_line, const char *path);

/* ---- errors ------------------------------------------------------- */

static fx_err
cfg_err(struct loader *ld, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static fx_err
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

/* ---- value checks: NULL when fine, else what is wrong --------------- */

#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define DIGITS	"0123456789"

static int
has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* 1 when s is lo..hi characters, all from set */
static int
made_of(const char *s, const char *set, size_t lo, size_t hi)
{
	size_t n = strlen(s);

	return n >= lo && n <= hi && strspn(s, set) == n;
}

static const char *
check_nonempty(const char *s)
{
	if (*s == '\0')
		return "must not be empty";
	return has_ctl(s) ? "must not contain control characters" : NULL;
}

static const char *
check_text(const char *s)
{
	if (strlen(s) > FX_MAX_TITLE)
		return "too long (at most 300 characters)";
	return has_ctl(s) ? "must not contain control characters" : NULL;
}

static const char *
check_name(const char *s)
{
	return strlen(s) > MAX_NAME ? "too long (at most 64 characters)" :
	    check_nonempty(s);
}

static const char *
check_account_id(const char *s)
{
	return made_of(s, DIGITS, 12, 12) ? NULL : "must be a 12-digit AWS "
	    "account id, quoted (\"111122223333\")";
}

static const char *
check_slack_id(const char *s)
{
	return made_of(s, UPPER DIGITS, 1, MAX_SLACK_ID) ? NULL : "must be a "
	    "Slack id: capital letters and digits (C0123ABCD, U0123ABCD)";
}

static const char *
check_pb_name(const char *s)
{
	return made_of(s, LOWER DIGITS "-", 1, 63) ? NULL : "must be 1 to 63 "
	    "characters of a-z, 0-9 and '-'";
}

/* "365d", "48h", "90s": the largest unit that divides exactly */
static void
fmt_dur(int64_t v, char *out, size_t len)
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
	return n->type == YAML_MAPPING_NODE ? "a mapping" :
	    n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
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
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length)
		return cfg_err(ld, line_of(n), path, "contains a NUL byte");
	*out = (const char *)n->data.scalar.value;
	return FX_OK;
}

static fx_err
want_seq(struct loader *ld, const yaml_node_t *n, const char *path,
    const char *example)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return FX_OK;
	return cfg_err(ld, line_of(n), path, "expected a list like %s, got %s",
	    example, n->type == YAML_SCALAR_NODE && is_null(n) ?
	    "nothing" : node_kind(n));
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
	return (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
}

/* path.name, or path[idx] when name is NULL; truncated when too long */
static void
sub_path(char *out, const char *path, const char *name, size_t idx)
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
		return cfg_err(ld, line, path, "expected host:port "
		    "(127.0.0.1:8080)");
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1)
		return cfg_err(ld, line, path, "host must be an IPv4 address "
		    "(127.0.0.1, 0.0.0.0)");
	if (fx_strtoll(colon + 1, 0, 65535, &port) != FX_OK)
		return cfg_err(ld, line, path, "port must be a number from 0 "
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

	skip = strncmp(s, "https://", 8) == 0 ? 8 :
	    strncmp(s, "http://", 7) == 0 ? 7 : 0;
	if (skip == 0 || n == skip || s[skip] == '/' || has_ctl(s) ||
	    strchr(s, ' ') != NULL || n > FX_MAX_FIELD)
		return cfg_err(ld, line, path, "expected an http:// or "
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

static fx_err
set_enum(struct loader *ld, const struct ckey *k, int *dst, const char *s,
    int line, const char *path)
{
	char list[256] = "";
	size_t i, used = 0;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcmp(s, k->names[i]) == 0) {
			*dst = (int)i;
			return FX_OK;
		}
	for (i = 0; k->names[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%s", i ? " | " : "", k->names[i]);
	return cfg_err(ld, line, path, "expected one of: %s", list);
}

static fx_err
set_scalar(struct loader *ld, const struct ckey *k, char *base,
    const char *s, int line, const char *path)
{
	void *p = base + k->off;
	char lo[32], hi[32];
	const char *why;
	int64_t v;
	char *dup;

	switch (k->type) {
	case K_STR:
	case K_PATH:
		why = k->type == K_PATH ? check_nonempty(s) :
		    k->check ? k->check(s) : NULL;
		if (why != NULL)
			return cfg_err(ld, line, path, "%s", why);
		if ((dup = strdup(s)) == NULL)
			return FX_ENOMEM;
		free(*(char **)p);	/* pathval starts with its path */
		*(char **)p = dup;
		if (k->type == K_PATH)
			((struct pathval *)p)->line = line;
		return FX_OK;
	case K_INT:
		if (fx_strtoll(s, k->min, k->max, &v) != FX_OK)
			return cfg_err(ld, line, path, "expected a whole "
			    "number from %lld to %lld", (long long)k->min,
			    (long long)k->max);
		*(int *)p = (int)v;
		return FX_OK;
	case K_DUR:
		if (fx_duration_parse(s, &v) != FX_OK || v < k->min ||
		    v > k->max) {
			fmt_dur(k->min, lo, sizeof(lo));
			fmt_dur(k->max, hi, sizeof(hi));
			return cfg_err(ld, line, path, "expected a duration "
			    "(90, 2s, 15m, 48h, 30d, 1w) from %s to %s", lo,
			    hi);
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
		return set_enum(ld, k, (int *)p, s, line, path);
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
	return strcmp(s, "1m") == 0 ? EXC_1M : strcmp(s, "1y") == 0 ?
	    EXC_1Y : -1;
}

/* default of a K_EXCSET: "1m,1y", "1y" or "" */
static unsigned
excset_default(const char *def)
{
	return (strstr(def, "1m") ? 1u << EXC_1M : 0) |
	    (strstr(def, "1y") ? 1u << EXC_1Y : 0);
}

static fx_err
set_excset(struct loader *ld, unsigned *dst, yaml_node_t *n,
    const char *path)
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

		sub_path(ip, path, NULL, i);
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
set_strlist(struct loader *ld, const struct ckey *k, char *base,
    yaml_node_t *n, const char *path)
{
	int argv = k->type == K_ARGV;
	char ip[MAX_KEY_PATH], **v = NULL;
	size_t i, j, cnt;
	const char *s, *why;
	fx_err rc;

	rc = want_seq(ld, n, path, argv ? "[/usr/local/bin/fix.sh, --flag]" :
	    "[U0123ABCD]");
	if (rc != FX_OK)
		return rc;
	cnt = seq_len(n);
	if (!argv && cnt == 0)
		return cfg_err(ld, line_of(n), path, "needs at least one "
		    "Slack user id");
	if (cnt > (argv ? MAX_ARGV : MAX_ADMINS))
		return cfg_err(ld, line_of(n), path, "too many items "
		    "(at most %d)", argv ? MAX_ARGV : MAX_ADMINS);
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL)
		return FX_ENOMEM;
	for (i = 0; i < cnt; i++) {
		yaml_node_t *it = seq_item(ld, n, i);

		sub_path(ip, path, NULL, i);
		if ((rc = want_scalar(ld, it, ip, &s)) != FX_OK)
			goto out;
		why = argv ? (i == 0 && s[0] != '/' ?
		    "must be an absolute path (the command runs without "
		    "a shell)" : has_ctl(s) ?
		    "must not contain control characters" : NULL) :
		    check_slack_id(s);
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

/* ---- sections --------------------------------------------------------- */

static fx_err
apply_defaults(struct loader *ld, const struct section *sec, char *elem,
    const char *path)
{
	char kp[MAX_KEY_PATH];
	const struct ckey *k;
	char *base;
	fx_err rc;

	for (k = sec->keys; k < sec->keys + sec->nkeys; k++) {
		base = key_base(ld, k, elem);
		sub_path(kp, path, k->name, 0);
		if (k->type == K_MAP) {
			if ((rc = apply_defaults(ld, k->sec, elem, kp)) !=
			    FX_OK)
				return rc;
		} else if (k->type == K_EXCSET && k->def != NULL) {
			*(unsigned *)(base + k->off) = excset_default(k->def);
		} else if (k->def != NULL) {
			if ((rc = set_scalar(ld, k, base, k->def, 0, kp)) !=
			    FX_OK)
				return rc;
		}
	}
	return FX_OK;
}

/* K_SEQ: a list of mappings, one element of k->sec each */
static fx_err
parse_seq(struct loader *ld, const struct ckey *k, char *base,
    yaml_node_t *n, const char *path)
{
	const struct section *sec = k->sec;
	char ip[MAX_KEY_PATH], **arr = (char **)(base + k->off);
	size_t *cnt = (size_t *)(base + k->off2), i, len;
	fx_err rc;

	if ((rc = want_seq(ld, n, path, "[{...}, {...}]")) != FX_OK)
		return rc;
	len = seq_len(n);
	if (len > sec->max_elems)
		return cfg_err(ld, line_of(n), path, "too many items "
		    "(at most %zu)", sec->max_elems);
	if (len == 0)
		return FX_OK;
	if ((*arr = calloc(len, sec->elem_size)) == NULL)
		return FX_ENOMEM;
	/* counted as they are filled, so that a failure frees what exists */
	for (i = 0; i < len; i++) {
		char *elem = *arr + i * sec->elem_size;
		yaml_node_t *it = seq_item(ld, n, i);

		*cnt = i + 1;
		sub_path(ip, path, NULL, i);
		if ((rc = apply_defaults(ld, sec, elem, ip)) != FX_OK ||
		    (rc = parse_map(ld, sec, elem, it, line_of(it), ip)) !=
		    FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
set_node(struct loader *ld, const struct ckey *k, char *elem,
    yaml_node_t *n, const char *path)
{
	char *base = key_base(ld, k, elem);
	const char *s;
	fx_err rc;

	switch (k->type) {
	case K_MAP:	/* "section:" with every key commented out: empty */
		if (n->type == YAML_SCALAR_NODE && is_null(n))
			return parse_map(ld, k->sec, elem, NULL, line_of(n),
			    path);
		return parse_map(ld, k->sec, elem, n, line_of(n), path);
	case K_SEQ:
		return parse_seq(ld, k, base, n, path);
	case K_IDLIST:
	case K_ARGV:
		return set_strlist(ld, k, base, n, path);
	case K_EXCSET:
		return set_excset(ld, (unsigned *)(base + k->off), n, path);
	default:
		if ((rc = want_scalar(ld, n, path, &s)) != FX_OK)
			return rc;
		return set_scalar(ld, k, base, s, line_of(n), path);
	}
}

static const char *
secret_hint(const char *key)
{
	return strcmp(key, "signing_secret") == 0 ?
	    "slack.signing_secret_file or FIXIT_SLACK_SIGNING_SECRET" :
	    strcmp(key, "bot_token") == 0 ?
	    "slack.bot_token_file or FIXIT_SLACK_BOT_TOKEN" :
	    strcmp(key, "token") == 0 || strcmp(key, "tokens") == 0 ?
	    "ingest.tokens_file or FIXIT_INGEST_TOKENS" : NULL;
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
	sub_path(kp, path, name, 0);
	for (i = 0; i < sec->nkeys; i++)
		if (strcmp(sec->keys[i].name, name) == 0)
			break;
	if (i == sec->nkeys) {
		if ((hint = secret_hint(name)) != NULL)
			return cfg_err(ld, line_of(kn), kp, "secrets do not "
			    "belong in the config file: use %s", hint);
		return cfg_err(ld, line_of(kn), kp, "unknown key");
	}
	if (seen->mask & (1ull << i))
		return cfg_err(ld, line_of(kn), kp, "duplicate key (first at "
		    "line %d)", seen->line[i]);
	seen->mask |= 1ull << i;
	seen->line[i] = line_of(kn);
	return set_node(ld, &sec->keys[i], elem, vn, kp);
}

static fx_err
parse_map(struct loader *ld, const struct section *sec, char *elem,
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
		sub_path(kp, path, k->name, 0);
		if (k->required)
			return cfg_err(ld, seen.map_line, kp,
			    "required key missing");
		/* absent sections still get their checks */
		if (k->type == K_MAP &&
		    (rc = parse_map(ld, k->sec, elem, NULL, seen.map_line,
		    kp)) != FX_OK)
			return rc;
	}
	return sec->post ? sec->post(ld, elem, &seen, path) : FX_OK;
}

/* the line of key in the mapping, else the mapping's */
static int
seen_line(const struct seen *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->sec->nkeys; i++)
		if (strcmp(s->sec->keys[i].name, key) == 0)
			return (s->mask & (1ull << i)) ? s->line[i] :
			    s->map_line;
	return s->map_line;
}

/* ---- per-section checks ------------------------------------------- */

static fx_err
slack_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	ld->mode_line = seen_line(s, "mode");
	return FX_OK;
}

static fx_err
account_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	const struct account *a = (const struct account *)elem;
	size_t i, idx = (size_t)(a - ld->pol->accounts);
	char kp[MAX_KEY_PATH];

	for (i = 0; i < idx; i++)
		if (strcmp(ld->pol->accounts[i].id, a->id) == 0) {
			sub_path(kp, path, "id", 0);
			return cfg_err(ld, seen_line(s, "id"), kp,
			    "duplicate account id %s (also accounts[%zu])",
			    a->id, i);
		}
	return FX_OK;
}

static fx_err
playbook_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	struct playbook *pb = (struct playbook *)elem;
	size_t i, idx = (size_t)(pb - ld->pol->playbooks);
	char kp[MAX_KEY_PATH], g[32];

	for (i = 0; i < idx; i++)
		if (strcmp(ld->pol->playbooks[i].name, pb->name) == 0) {
			sub_path(kp, path, "name", 0);
			return cfg_err(ld, seen_line(s, "name"),
			    kp, "duplicate playbook name %s (also "
			    "playbooks[%zu])", pb->name, i);
		}
	if (pb->reminder_before != 0 && pb->reminder_before >= pb->grace) {
		fmt_dur(pb->grace, g, sizeof(g));
		sub_path(kp, path, "reminder_before", 0);
		return cfg_err(ld, seen_line(s, "reminder_before"), kp,
		    "must be less than grace (%s); the default is 24h, "
		    "0 sends no reminder", g);
	}
	/* approval can only be needed for what is offered */
	pb->exc_need_approval &= pb->exc_offered;
	return FX_OK;
}

static fx_err
executor_post(struct loader *ld, char *elem, const struct seen *s,
    const char *path)
{
	const struct playbook *pb = (const struct playbook *)elem;
	char kp[MAX_KEY_PATH];

	if (pb->exec.type != EXEC_CMD ||
	    (pb->exec.argv != NULL && pb->exec.argv[0] != NULL))
		return FX_OK;
	sub_path(kp, path, "command", 0);
	return cfg_err(ld, seen_line(s, "type"), kp, "type exec "
	    "needs a command: [/absolute/path, args...]");
}

/* ---- the tables ------------------------------------------------------ */

#define NKEYS(t)	(sizeof(t) / sizeof((t)[0]))
/* where a field lives: W(field) -> .base, .off */
#define E(f)	.base = B_ELEM, .off = offsetof(struct playbook, f)
#define A(f)	.base = B_ELEM, .off = offsetof(struct account, f)
#define C(f)	.base = B_CFG, .off = offsetof(struct config, f)
#define P(f)	.base = B_POL, .off = offsetof(struct policy, f)
#define L(f)	.base = B_LD, .off = offsetof(struct loader, f)
#define STR(W, f, n, d, req, chk)	{ .name = n, .type = K_STR, W(f), \
	.def = d, .required = req, .check = chk }
#define INT(W, f, n, d, lo, hi)	{ .name = n, .type = K_INT, W(f), \
	.def = d, .min = lo, .max = hi }
#define DUR(W, f, n, d, lo, hi)	{ .name = n, .type = K_DUR, W(f), \
	.def = d, .min = lo, .max = hi }
#define ENUM(W, f, n, d, req, nm)	{ .name = n, .type = K_ENUM, W(f), \
	.def = d, .required = req, .names = nm }
#define OF(t, n, W, f, d)	{ .name = n, .type = t, W(f), .def = d }
#define MAP(n, s)		{ .name = n, .type = K_MAP, .sec = s }
#define SEQ(n, f, cnt, s)	{ .name = n, .type = K_SEQ, P(f), \
	.off2 = offsetof(struct policy, cnt), .sec = s }
#define SECTION(keys, elem, max, post)	{ keys, NKEYS(keys), elem, max, post }

static const char *const log_names[] = { "error", "warn", "info", "debug",
	NULL };
static const char *const slack_mode_names[] = { "live", "console", NULL };
static const char *const env_names[] = { "non-production", "production",
	NULL };
static const char *const mode_names[] = { "off", "shadow", "notify",
	"enforce", NULL };
static const char *const approval_names[] = { "owner", "none", NULL };
static const char *const exec_names[] = { "dry-run", "exec", NULL };

static const struct ckey exec_keys[] = {
	ENUM(E, exec.type, "type", "dry-run", 0, exec_names),
	OF(K_ARGV, "command", E, exec.argv, NULL),
	DUR(E, exec.timeout, "timeout", "5m", 1, DAY),
};
static const struct section exec_sec = SECTION(exec_keys, 0, 0,
    executor_post);

static const struct ckey excdur_keys[] = {
	DUR(E, exc_duration[EXC_1M], "1m", "30d", 1, 3650 * DAY),
	DUR(E, exc_duration[EXC_1Y], "1y", "365d", 1, 3650 * DAY),
};
static const struct section excdur_sec = SECTION(excdur_keys, 0, 0, NULL);

static const struct ckey playbook_keys[] = {
	STR(E, name, "name", NULL, 1, check_pb_name),
	STR(E, description, "description", "", 0, check_text),
	ENUM(E, mode, "mode", "shadow", 0, mode_names),
	ENUM(E, approval, "approval", "owner", 0, approval_names),
	DUR(E, grace, "grace", "48h", 1, 365 * DAY),
	DUR(E, reminder_before, "reminder_before", "24h", 0, 365 * DAY),
	OF(K_EXCSET, "exceptions", E, exc_offered, "1m,1y"),
	OF(K_EXCSET, "exceptions_need_approval", E, exc_need_approval, "1y"),
	INT(E, max_fixes_per_hour, "max_fixes_per_hour", "10", 0, 1000000),
	INT(E, max_attempts, "max_attempts", "3", 1, 100),
	DUR(E, retry_backoff, "retry_backoff", "1m", 0, 7 * DAY),
	OF(K_BOOL, "irreversible", E, irreversible, "false"),
	MAP("exception_durations", &excdur_sec),
	MAP("executor", &exec_sec),
};
static const struct section playbook_sec = SECTION(playbook_keys,
    sizeof(struct playbook), MAX_PLAYBOOKS, playbook_post);

static const struct ckey account_keys[] = {
	STR(A, id, "id", NULL, 1, check_account_id),
	STR(A, name, "name", NULL, 1, check_name),
	ENUM(A, env, "environment", NULL, 1, env_names),
	STR(A, channel, "channel", NULL, 1, check_slack_id),
};
static const struct section account_sec = SECTION(account_keys,
    sizeof(struct account), MAX_ACCOUNTS, account_post);

static const struct ckey slack_keys[] = {
	ENUM(C, slack_mode, "mode", "console", 0, slack_mode_names),
	OF(K_URL, "api_base", C, slack_api_base, "https://slack.com/api/"),
	OF(K_PATH, "signing_secret_file", L, sig_file, NULL),
	OF(K_PATH, "bot_token_file", L, bot_file, NULL),
	DUR(C, owner_cache_ttl, "owner_cache_ttl", "7d", 0, 365 * DAY),
	INT(C, outbox_max_attempts, "outbox_max_attempts", "50", 1, 1000),
	DUR(C, outbox_max_backoff, "outbox_max_backoff", "5m", 1, DAY),
};
static const struct section slack_sec = SECTION(slack_keys, 0, 0,
    slack_post);

static const struct ckey ingest_keys[] = {
	OF(K_PATH, "tokens_file", L, tok_file, NULL),
};
static const struct section ingest_sec = SECTION(ingest_keys, 0, 0, NULL);

static const struct ckey top_keys[] = {
	OF(K_LISTEN, "listen", C, listen_host, "127.0.0.1:8080"),
	STR(C, database, "database", "fixit.db", 0, check_nonempty),
	DUR(C, tick, "tick", "1s", 1, 3600),
	DUR(P, lease, "lease", "5m", 1, DAY),
	ENUM(C, log_level, "log_level", "info", 0, log_names),
	INT(C, http_threads, "http_threads", "0", 0, 1024),
	{ .name = "admins", .type = K_IDLIST, P(admins), .required = 1,
	  .off2 = offsetof(struct policy, nadmins) },
	STR(P, admin_channel, "admin_channel", NULL, 1, check_slack_id),
	MAP("slack", &slack_sec),
	MAP("ingest", &ingest_sec),
	SEQ("accounts", accounts, naccounts, &account_sec),
	SEQ("playbooks", playbooks, nplaybooks, &playbook_sec),
};
static const struct section top_sec = SECTION(top_keys, 0, 0, NULL);

/* ---- secrets -------------------------------------------------------- */

static fx_err
load_secret(struct loader *ld, const struct pathval *pv, const char *key,
    const char *env, char **out)
{
	fx_err rc;
	int e;

	*out = NULL;
	if (pv->path != NULL) {
		errno = 0;
		rc = fx_secret_from_file(pv->path, out);
		e = errno;
		if (rc == FX_OK || rc == FX_ENOMEM)
			return rc;
		return cfg_err(ld, pv->line, key, "cannot use secret file "
		    "%s: %s", pv->path, rc == FX_EIO ? strerror(e) :
		    "empty, binary or larger than 4096 bytes");
	}
	rc = fx_secret_from_env(env, out);
	if (rc == FX_ENOTFOUND)
		return FX_OK;
	if (rc == FX_OK || rc == FX_ENOMEM)
		return rc;
	return cfg_err(ld, 0, env, "environment variable is blank or larger "
	    "than 4096 bytes");
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* file: one token a line, blank lines and # comments skipped; env: a
 * comma-separated list */
static fx_err
load_tokens(struct loader *ld)
{
	int from_file = ld->tok_file.path != NULL;
	const char *key = from_file ? "ingest.tokens_file" :
	    "FIXIT_INGEST_TOKENS";
	struct config *c = ld->cfg;
	char *text = NULL, *p, *next, *e;
	size_t len = 0;
	fx_err rc;

	rc = load_secret(ld, &ld->tok_file, key, "FIXIT_INGEST_TOKENS", &text);
	if (rc != FX_OK || text == NULL)
		return rc;
	len = strlen(text);
	if ((c->ingest_tokens = calloc(FX_MAX_TOKENS + 1,
	    sizeof(char *))) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	for (p = text; p != NULL && *p != '\0'; p = next) {
		if ((next = strchr(p, from_file ? '\n' : ',')) != NULL)
			*next++ = '\0';
		while (is_space(*p))
			p++;
		for (e = p + strlen(p); e > p && is_space(e[-1]); e--)
			e[-1] = '\0';
		if (*p == '\0' || (from_file && *p == '#'))
			continue;
		for (e = p; *e != '\0' && !is_space(*e); e++)
			;
		if (*e != '\0' || c->ningest_tokens == FX_MAX_TOKENS) {
			rc = cfg_err(ld, ld->tok_file.line, key, *e ?
			    "a token contains white space" : "more than %d "
			    "tokens", FX_MAX_TOKENS);
			goto out;
		}
		if ((c->ingest_tokens[c->ningest_tokens] = strdup(p)) == NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
		c->ningest_tokens++;
	}
	if (c->ningest_tokens == 0)
		rc = cfg_err(ld, ld->tok_file.line, key, "no token found");
out:
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

static fx_err
load_secrets(struct loader *ld)
{
	struct config *c = ld->cfg;
	fx_err rc;

	if ((rc = load_secret(ld, &ld->sig_file, "slack.signing_secret_file",
	    "FIXIT_SLACK_SIGNING_SECRET", &c->signing_secret)) != FX_OK ||
	    (rc = load_secret(ld, &ld->bot_file, "slack.bot_token_file",
	    "FIXIT_SLACK_BOT_TOKEN", &c->bot_token)) != FX_OK ||
	    (rc = load_tokens(ld)) != FX_OK)
		return rc;
	if (c->slack_mode != SLACK_LIVE)
		return FX_OK;
	if (c->signing_secret == NULL)
		return cfg_err(ld, ld->mode_line, "slack.mode", "live mode "
		    "needs the signing secret: set slack.signing_secret_file "
		    "or FIXIT_SLACK_SIGNING_SECRET");
	if (c->bot_token == NULL)
		return cfg_err(ld, ld->mode_line, "slack.mode", "live mode "
		    "needs the bot token: set slack.bot_token_file or "
		    "FIXIT_SLACK_BOT_TOKEN");
	return FX_OK;
}

/* ---- loading ---------------------------------------------------------- */

static fx_err
read_file(struct loader *ld, struct buf *text)
{
	char chunk[8192];
	ssize_t r;
	fx_err rc = FX_OK;
	int fd;

	if ((fd = open(ld->file, O_RDONLY | O_CLOEXEC)) < 0)
		return cfg_err(ld, 0, NULL, "cannot open: %s", strerror(errno));
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cfg_err(ld, 0, NULL, "cannot read: %s",
			    strerror(errno));
			break;
		}
		if ((rc = buf_add(text, chunk, (size_t)r)) != FX_OK) {
			if (rc == FX_ETOOBIG)
				rc = cfg_err(ld, 0, NULL, "larger than %d "
				    "bytes", FX_MAX_CONFIG_FILE);
			break;
		}
	}
	close(fd);
	return rc;
}

static fx_err
yaml_fail(struct loader *ld, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return FX_ENOMEM;
	return cfg_err(ld, (int)p->problem_mark.line + 1, NULL,
	    "YAML syntax: %s%s%s", p->problem ? p->problem : "error",
	    p->context ? " " : "", p->context ? p->context : "");
}

/* the one document of the file into ld->doc; *loaded says to delete it */
static fx_err
parse_yaml(struct loader *ld, const struct buf *text, int *loaded)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	fx_err rc = FX_OK;

	if (!yaml_parser_initialize(&parser))
		return FX_ENOMEM;
	yaml_parser_set_input_string(&parser,
	    (const unsigned char *)buf_str(text), text->len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		rc = yaml_fail(ld, &parser);
		goto out;
	}
	*loaded = 1;
	if (!yaml_parser_load(&parser, &extra)) {
		rc = yaml_fail(ld, &parser);
		goto out;
	}
	root = yaml_document_get_root_node(&extra);
	if (root != NULL)
		rc = cfg_err(ld, line_of(root), NULL, "only one YAML "
		    "document is allowed");
	yaml_document_delete(&extra);
out:
	yaml_parser_delete(&parser);
	return rc;
}

fx_err
config_load(const char *path, struct config **out, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct loader ld;
	int loaded = 0;
	fx_err rc;

	memset(&ld, 0, sizeof(ld));
	ld.file = path;
	ld.err = err;
	buf_init(&text, FX_MAX_CONFIG_FILE);
	if (err != NULL)
		buf_reset(err);
	if ((rc = read_file(&ld, &text)) != FX_OK)
		goto out;
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (ld.cfg == NULL || (ld.cfg->policy = ld.pol =
	    calloc(1, sizeof(*ld.pol))) == NULL ||
	    (ld.cfg->path = strdup(path)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = parse_yaml(&ld, &text, &loaded)) != FX_OK ||
	    (rc = apply_defaults(&ld, &top_sec, NULL, "")) != FX_OK ||
	    (rc = parse_map(&ld, &top_sec, NULL,
	    yaml_document_get_root_node(&ld.doc), 1, "")) != FX_OK ||
	    (rc = load_secrets(&ld)) != FX_OK)
		goto out;
	*out = ld.cfg;
	ld.cfg = NULL;
out:
	if (rc == FX_ENOMEM && err != NULL && err->len == 0 &&
	    buf_addf(err, "%s: out of memory", path) != FX_OK)
		rc = FX_ENOMEM;
	if (loaded)
		yaml_document_delete(&ld.doc);
	free(ld.sig_file.path);
	free(ld.bot_file.path);
	free(ld.tok_file.path);
	config_free(ld.cfg);
	buf_release(&text);
	return rc;
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->listen_host);
	free(c->database);
	free(c->slack_api_base);
	fx_secret_free(c->signing_secret);
	fx_secret_free(c->bot_token);
	for (i = 0; i < c->ningest_tokens; i++)
		fx_secret_free(c->ingest_tokens[i]);
	free(c->ingest_tokens);
	policy_free(c->policy);
	free(c);
}
