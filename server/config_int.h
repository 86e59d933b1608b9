/*
 * config_int.h - what config.c (fixit's tables, checks and secrets),
 * config_walk.c (the YAML table walker and the key type parsers) and
 * config_read.c (the file into one YAML document) share. Private to
 * those files: the interface is config.h.
 *
 * Table-driven, after Redis config.c: each section is a table of keys
 * (name, type, where the value goes, required, default, range). Every
 * mapping first gets its table's defaults (parsed by the same code as
 * values), then its keys; a section's post function does the checks that
 * span keys. Errors read "FILE:LINE: KEY: message", KEY a path like
 * playbooks[2].grace (0-based).
 */
#ifndef FIXIT_CONFIG_INT_H
#define FIXIT_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <yaml.h>

#include "buf.h"
#include "config.h"
#include "fxerr.h"

#define MAX_KEY_PATH 256 /* "playbooks[2].executor.command[3]" */
#define DAY	     86400LL

enum ktype {
	K_STR,
	K_INT,
	K_DUR, /* char *, int, int64_t */
	K_BOOL,
	K_ENUM,	    /* int (0/1), int (index into names) */
	K_EXECUTOR, /* const struct executor_ops *, by name (executor.h) */
	K_LISTEN,   /* "host:port" -> listen_host, listen_port */
	K_URL,	    /* char *: http(s) base URL, '/' appended */
	K_PATH,	    /* struct pathval: a secret's file */
	K_IDLIST,   /* char ** (NULL-terminated) + size_t count at off2 */
	K_ARGV,	    /* char ** (NULL-terminated), argv[0] absolute */
	K_EXCSET,   /* unsigned mask of (1u << enum exc_kind) */
	K_PARAMS,   /* json_t * object: a mapping of scalars (ints as
			 * integers, true/false as booleans, else strings) */
	K_MAP,	    /* nested section, same element */
	K_SEQ	    /* array of section elements + size_t count at off2 */
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
	struct pathval sig_file, bot_file, tok_file, ext_file, evkey_file;
	struct pathval prices_file; /* the price table (price.h) */
	int mode_line;		    /* line of slack.mode, 0 when defaulted */
	int exec_line;		    /* line of the playbook being read's
				 * executor.type, for its prepare errors */
	struct buf *err;
};

struct seen {
	const struct section *sec;
	uint64_t mask;
	int line[64]; /* of each key seen, by table index */
	int map_line; /* of the mapping (or its parent) */
};

struct section;
typedef const char *(*check_fn)(const char *s);
typedef fx_err (*post_fn)(struct loader *ld, char *elem, const struct seen *s,
    const char *path);

struct ckey {
	const char *name;
	enum ktype type;
	enum kbase base;
	size_t off;
	size_t off2; /* K_IDLIST, K_SEQ: the count (size_t) */
	int required;
	const char *def;  /* default, parsed like a value */
	int64_t min, max; /* K_INT, K_DUR; max: K_IDLIST, K_ARGV items */
	/* K_ENUM: the names; K_IDLIST: { example, "what an item is" }
	 * (NULL: Slack user ids) */
	const char *const *names;
	check_fn check; /* K_STR, K_IDLIST items (NULL: any) */
	/* K_STR: appends the choices to a failed check's message, which
	 * then ends " (<choices>)" */
	fx_err (*choices)(struct buf *out);
	const struct section *sec; /* K_MAP, K_SEQ */
};

struct section {
	const struct ckey *keys;
	size_t nkeys;
	size_t elem_size; /* K_SEQ element */
	size_t max_elems;
	post_fn post; /* after the mapping was parsed */
};

/* ---- config_walk.c --------------------------------------------------- */

/*
 * The error of the load into ld->err: "FILE[:LINE]: [KEY: ]message"
 * (line 0 and key NULL leave theirs out). Returns FX_ECONFIG, or FX_ENOMEM
 * when even the message did not fit.
 */
fx_err cfg_err(struct loader *ld, int line, const char *key, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* value checks */
int cfg_has_ctl(const char *s);		       /* any control character? */
const char *cfg_check_nonempty(const char *s); /* a check_fn */
/* "365d", "48h", "90s": the largest unit that divides exactly */
void cfg_fmt_dur(int64_t v, char *out, size_t len);

/* path.name, or path[idx] when name is NULL; truncated when too long */
void cfg_sub_path(char *out, const char *path, const char *name, size_t idx);
/* the line of key in the mapping s describes, else the mapping's */
int cfg_seen_line(const struct seen *s, const char *key);
/* 1 when the file gave key (not its default) */
int cfg_seen(const struct seen *s, const char *key);
/*
 * For a post function of a K_SEQ element: the K_STR key (say "id") of
 * elem must differ from that of every element before it in arr, else
 * "duplicate <what> <value> (also <list>[i])".
 */
fx_err cfg_check_unique(struct loader *ld, const struct seen *s,
    const char *path, const void *arr, const void *elem, const char *key,
    const char *what) FX_WUR;

/* the table walker: the defaults of sec, then mapping n (NULL: empty) */
fx_err cfg_apply_defaults(struct loader *ld, const struct section *sec,
    char *elem, const char *path) FX_WUR;
fx_err cfg_parse_map(struct loader *ld, const struct section *sec, char *elem,
    yaml_node_t *n, int parent_line, const char *path) FX_WUR;

/* ---- config_read.c --------------------------------------------------- */

/* ld->file into text (capped at FX_MAX_CONFIG_FILE) */
#define MAX_PARAM_LEN	256 /* a params key or value */
#define MAX_PARAM_DEPTH 4   /* {standard: {type: {allowed: {k: [..]}}}} */
#define MAX_PARAM_NODES 512 /* values and keys of one params mapping */

/* the node as a non-null scalar string (an error names path) */
fx_err cfg_want_scalar(struct loader *ld, const yaml_node_t *n,
    const char *path, const char **out) FX_WUR;
int cfg_line_of(const yaml_node_t *n); /* 1-based; 0 for NULL */
/*
 * A params value that is a mapping or a list (config_params.c): *out a
 * new JSON value, scalars as strings; depth (0 at the top) and *nodes
 * (counted across one params mapping) are bounded.
 */
fx_err cfg_param_node(struct loader *ld, yaml_node_t *n, const char *path,
    int depth, size_t *nodes, json_t **out) FX_WUR;
fx_err cfg_read_file(struct loader *ld, struct buf *text) FX_WUR;
/* the secret in file pv (key names it in errors) into *out; refused when
 * group or others have any access to it */
fx_err cfg_secret_file(struct loader *ld, const struct pathval *pv,
    const char *key, char **out) FX_WUR;
/* the systemd credential NAME ($CREDENTIALS_DIRECTORY/NAME) into *out,
 * with a secret file's checks; FX_ENOTFOUND (no error) when the variable
 * is unset or empty or the directory holds no NAME */
fx_err cfg_secret_cred(struct loader *ld, const char *name, char **out) FX_WUR;
/* the one document of text into ld->doc; *loaded says to delete it */
fx_err cfg_parse_yaml(struct loader *ld, const struct buf *text,
    int *loaded) FX_WUR;

/* ---- config.c -------------------------------------------------------- */

/* where a secret-looking unknown key belongs instead, NULL when not one */
const char *cfg_secret_hint(const char *key);

/* config_http.c: the http section (what one client may cost) */
extern const struct section config_http_sec;

#endif
