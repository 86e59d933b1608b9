/*
 * aws_xml.c - AWS XML answers into jansson values, AWS errors into
 * struct aws_error (see aws_xml.h).
 *
 * libxml2 is loaded with dlopen on the first parse (it and ICU cost 2 MB
 * of resident memory that a fixitd without AWS playbooks never needs):
 * the xml* calls below go through the table ax_lib, filled once.
 *
 * Threads: every parse uses its own parser context; the only shared
 * step, loading and xmlInitParser(), runs once under pthread_once. libxml2 reports
 * nothing: each context gets a no-op structured error handler, and the
 * calling thread's (thread-local in libxml2 2.9) structured and generic
 * handlers are set to no-ops for the duration of the parse and restored
 * afterwards.
 *
 * Hostile input: no network (XML_PARSE_NONET), no DTD loading and no
 * entity substitution (XML_PARSE_DTDLOAD and XML_PARSE_NOENT are never
 * set), and a DOCTYPE stops the parser before its internal subset is
 * read, so entity declarations (billion laughs, external entities) never
 * get parsed at all. Undeclared entity references are fatal errors in a
 * document without a DTD. Size and depth are capped here as well.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include <jansson.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "aws_xml.h"
#include "buf.h"
#include "fxlimits.h"
#include "banned.h"

/* NOERROR/NOWARNING only silence reporting; they enable nothing */
#define AX_OPTIONS                                                             \
	(XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |            \
	    XML_PARSE_NOWARNING)

static pthread_once_t ax_once = PTHREAD_ONCE_INIT;

/* the libxml2 functions used here, from the loaded library */
static struct {
	void (*InitParser)(void);
	xmlStructuredErrorFunc *(*StructuredError)(void);
	void **(*StructuredErrorContext)(void);
	xmlGenericErrorFunc *(*GenericError)(void);
	void **(*GenericErrorContext)(void);
	void (*SetStructuredErrorFunc)(void *, xmlStructuredErrorFunc);
	void (*SetGenericErrorFunc)(void *, xmlGenericErrorFunc);
	void (*StopParser)(xmlParserCtxtPtr);
	xmlParserCtxtPtr (*NewParserCtxt)(void);
	void (*FreeParserCtxt)(xmlParserCtxtPtr);
	xmlDocPtr (*CtxtReadMemory)(xmlParserCtxtPtr, const char *, int,
	    const char *, const char *, int);
	xmlNodePtr (*DocGetRootElement)(const xmlDoc *);
	void (*FreeDoc)(xmlDocPtr);
} ax_lib;
static int ax_loaded;

#undef xmlStructuredError
#undef xmlStructuredErrorContext
#undef xmlGenericError
#undef xmlGenericErrorContext
#define xmlStructuredError		(*ax_lib.StructuredError())
#define xmlStructuredErrorContext	(*ax_lib.StructuredErrorContext())
#define xmlGenericError			(*ax_lib.GenericError())
#define xmlGenericErrorContext		(*ax_lib.GenericErrorContext())
#define xmlSetStructuredErrorFunc(c, f) ax_lib.SetStructuredErrorFunc(c, f)
#define xmlSetGenericErrorFunc(c, f)	ax_lib.SetGenericErrorFunc(c, f)
#define xmlStopParser(c)		ax_lib.StopParser(c)
#define xmlNewParserCtxt()		ax_lib.NewParserCtxt()
#define xmlFreeParserCtxt(c)		ax_lib.FreeParserCtxt(c)
#define xmlCtxtReadMemory(c, b, n, u, e, o)                                    \
	ax_lib.CtxtReadMemory(c, b, n, u, e, o)
#define xmlDocGetRootElement(d) ax_lib.DocGetRootElement(d)
#define xmlFreeDoc(d)		ax_lib.FreeDoc(d)

/* the calling thread's libxml2 error handlers, saved around a parse */
struct ax_quiet {
	xmlStructuredErrorFunc serr;
	void *sctx;
	xmlGenericErrorFunc gerr;
	void *gctx;
};

static fx_err ax_node(const xmlNode *n, const char *const *tags, int depth,
    json_t **out);

/* dlsym into a function pointer (POSIX guarantees the conversion) */
static int
ax_sym(void *lib, const char *name, void *fp)
{
	void *p = dlsym(lib, name);

	*(void **)fp = p;
	return p == NULL ? -1 : 0;
}

static void
ax_init(void)
{
	const struct {
		const char *name;
		void *fp;
	} sym[] = {
		{ "xmlInitParser", &ax_lib.InitParser },
		{ "__xmlStructuredError", &ax_lib.StructuredError },
		{ "__xmlStructuredErrorContext",
		    &ax_lib.StructuredErrorContext },
		{ "__xmlGenericError", &ax_lib.GenericError },
		{ "__xmlGenericErrorContext", &ax_lib.GenericErrorContext },
		{ "xmlSetStructuredErrorFunc", &ax_lib.SetStructuredErrorFunc },
		{ "xmlSetGenericErrorFunc", &ax_lib.SetGenericErrorFunc },
		{ "xmlStopParser", &ax_lib.StopParser },
		{ "xmlNewParserCtxt", &ax_lib.NewParserCtxt },
		{ "xmlFreeParserCtxt", &ax_lib.FreeParserCtxt },
		{ "xmlCtxtReadMemory", &ax_lib.CtxtReadMemory },
		{ "xmlDocGetRootElement", &ax_lib.DocGetRootElement },
		{ "xmlFreeDoc", &ax_lib.FreeDoc },
	};
	void *lib = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (lib == NULL)
		lib = dlopen("libxml2.so", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return; /* every parse then fails with FX_EIO */
	for (i = 0; i < sizeof(sym) / sizeof(sym[0]); i++)
		if (ax_sym(lib, sym[i].name, sym[i].fp) != 0)
			return;
	ax_lib.InitParser();
	ax_loaded = 1;
}

static void
ax_no_serror(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

static void
ax_no_gerror(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
ax_quiet_push(struct ax_quiet *q)
{
	q->serr = xmlStructuredError;
	q->sctx = xmlStructuredErrorContext;
	q->gerr = xmlGenericError;
	q->gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(NULL, ax_no_serror);
	xmlSetGenericErrorFunc(NULL, ax_no_gerror);
}

static void
ax_quiet_pop(const struct ax_quiet *q)
{
	xmlSetStructuredErrorFunc(q->sctx, q->serr);
	xmlSetGenericErrorFunc(q->gctx, q->gerr);
}

/* SAX internalSubset: any DOCTYPE ends the parse as not well-formed */
static void
ax_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	ctxt->wellFormed = 0;
	xmlStopParser(ctxt);
}

/* parse data into *out (caller frees with xmlFreeDoc) */
static fx_err
ax_parse(const char *data, size_t len, xmlDoc **out)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDoc *doc = NULL;
	struct ax_quiet q;
	int quiet = 0;
	fx_err rc = FX_EINVAL;

	*out = NULL;
	if (data == NULL || len == 0)
		goto out;
	rc = FX_ETOOBIG;
	if (len > FX_MAX_AWS_RESPONSE)
		goto out;
	rc = FX_EIO;
	if (pthread_once(&ax_once, ax_init) != 0 || !ax_loaded)
		goto out;
	ax_quiet_push(&q);
	quiet = 1;
	rc = FX_ENOMEM;
	if ((ctxt = xmlNewParserCtxt()) == NULL || ctxt->sax == NULL)
		goto out;
	ctxt->sax->serror = ax_no_serror;
	ctxt->sax->internalSubset = ax_doctype;
	ctxt->sax->externalSubset = NULL;
	rc = FX_EINVAL;
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, AX_OPTIONS);
	if (doc == NULL || !ctxt->wellFormed ||
	    ctxt->errNo == XML_ERR_USER_STOP || doc->intSubset != NULL ||
	    doc->extSubset != NULL || xmlDocGetRootElement(doc) == NULL)
		goto out;
	*out = doc;
	doc = NULL;
	rc = FX_OK;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	if (quiet)
		ax_quiet_pop(&q);
	return rc;
}

static const xmlNode *
ax_elem(const xmlNode *n)
{
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static const char *
ax_name(const xmlNode *n)
{
	return (const char *)n->name;
}

static int
ax_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Is every child element of n a list item ("item", "member", tags)? An
 * operation wrapper (name ending in Result or Response) is never a list
 * of tags: CreateDBSnapshotResult holds one DBSnapshot, not a list.
 */
static int
ax_is_list(const xmlNode *n, const char *const *tags)
{
	const xmlNode *c;
	size_t i;
	int hit;

	if (ax_ends_with(ax_name(n), "Result") ||
	    ax_ends_with(ax_name(n), "Response"))
		tags = NULL;
	for (c = ax_elem(n->children); c != NULL; c = ax_elem(c->next)) {
		hit = strcmp(ax_name(c), "item") == 0 ||
		      strcmp(ax_name(c), "member") == 0;
		for (i = 0; !hit && tags != NULL && tags[i] != NULL; i++)
			hit = strcmp(ax_name(c), tags[i]) == 0;
		if (!hit)
			return 0;
	}
	return 1;
}

/* the text and CDATA of a leaf element as a JSON string */
static fx_err
ax_text(const xmlNode *n, json_t **out)
{
	struct buf b = BUF_INIT;
	const xmlNode *c;
	fx_err rc = FX_OK;

	buf_init(&b, FX_MAX_AWS_RESPONSE);
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ENTITY_REF_NODE) {
			rc = FX_EINVAL;
			goto out;
		}
		if ((c->type == XML_TEXT_NODE ||
			c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL &&
		    (rc = buf_adds(&b, (const char *)c->content)) != FX_OK)
			goto out;
	}
	rc = FX_ENOMEM;
	if ((*out = json_stringn(buf_str(&b), b.len)) == NULL)
		goto out;
	rc = FX_OK;
out:
	buf_release(&b);
	return rc;
}

static fx_err
ax_array(const xmlNode *n, const char *const *tags, int depth, json_t **out)
{
	json_t *arr = NULL, *v = NULL;
	const xmlNode *c;
	fx_err rc = FX_ENOMEM;

	if ((arr = json_array()) == NULL)
		goto out;
	for (c = ax_elem(n->children); c != NULL; c = ax_elem(c->next)) {
		if ((rc = ax_node(c, tags, depth + 1, &v)) != FX_OK)
			goto out;
		rc = FX_ENOMEM;
		if (json_array_append_new(arr, v) != 0) /* steals v */
			goto out;
	}
	*out = arr;
	arr = NULL;
	rc = FX_OK;
out:
	json_decref(arr);
	return rc;
}

static fx_err
ax_object(const xmlNode *n, const char *const *tags, int depth, json_t **out)
{
	json_t *obj = NULL, *v = NULL;
	const xmlNode *c;
	fx_err rc = FX_ENOMEM;

	if ((obj = json_object()) == NULL)
		goto out;
	for (c = ax_elem(n->children); c != NULL; c = ax_elem(c->next)) {
		if (json_object_get(obj, ax_name(c)) != NULL)
			continue; /* a repeated name keeps the first */
		if ((rc = ax_node(c, tags, depth + 1, &v)) != FX_OK)
			goto out;
		rc = FX_ENOMEM;
		if (json_object_set_new(obj, ax_name(c), v) != 0) /* steals */
			goto out;
	}
	*out = obj;
	obj = NULL;
	rc = FX_OK;
out:
	json_decref(obj);
	return rc;
}

/* the content of element n (at nesting depth, the root is 1) */
static fx_err
ax_node(const xmlNode *n, const char *const *tags, int depth, json_t **out)
{
	*out = NULL;
	if (depth > FX_MAX_XML_DEPTH)
		return FX_EINVAL;
	if (ax_elem(n->children) == NULL)
		return ax_text(n, out);
	if (ax_is_list(n, tags))
		return ax_array(n, tags, depth, out);
	return ax_object(n, tags, depth, out);
}

fx_err
aws_xml_to_json(const char *data, size_t len, const char *const *list_tags,
    json_t **out)
{
	xmlDoc *doc = NULL;
	const xmlNode *root;
	json_t *top = NULL, *v = NULL;
	fx_err rc;

	*out = NULL;
	if ((rc = ax_parse(data, len, &doc)) != FX_OK)
		goto out;
	root = xmlDocGetRootElement(doc);
	if ((rc = ax_node(root, list_tags, 1, &v)) != FX_OK)
		goto out;
	rc = FX_ENOMEM;
	top = json_object();
	if (top == NULL) {
		json_decref(v);
		goto out;
	}
	if (json_object_set_new(top, ax_name(root), v) != 0)
		goto out;
	*out = top;
	top = NULL;
	rc = FX_OK;
out:
	json_decref(top);
	if (doc != NULL)
		xmlFreeDoc(doc);
	return rc;
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), 0 when there is
 * none (bad lead byte, bad or missing continuation byte).
 */
static size_t
ae_seq(const unsigned char *s, size_t n)
{
	size_t want, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		want = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4;
	else
		return 0;
	if (want > n)
		return 0;
	for (i = 1; i < want; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return want;
}

/*
 * Copy at most n bytes of src (stops at a NUL) into dst[size], always
 * NUL-terminated, never splitting a UTF-8 sequence. C0 and C1 control
 * characters and DEL become spaces, broken UTF-8 becomes '?'.
 */
static void
ae_copy(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;

	while (src != NULL && i < n && s[i] != '\0') {
		k = ae_seq(s + i, n - i);
		if (k <= 1 || (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			if (o + 1 >= size)
				break;
			if (k == 0)
				dst[o++] = '?';
			else if (k == 2 || s[i] < 0x20 || s[i] == 0x7f)
				dst[o++] = ' ';
			else
				dst[o++] = (char)s[i];
			i += k ? k : 1;
			continue;
		}
		if (o + k >= size)
			break;
		memcpy(dst + o, s + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
}

static void
ae_copys(char *dst, size_t size, const char *src)
{
	ae_copy(dst, size, src, src != NULL ? strlen(src) : 0);
}

/* EC2, Query/REST-XML and Route 53 InvalidChangeBatch error bodies */
static fx_err
ae_xml(const char *data, size_t len, struct aws_error *e)
{
	json_t *j = NULL, *err;
	const char *rid, *msg;
	fx_err rc;

	if ((rc = aws_xml_to_json(data, len, NULL, &j)) != FX_OK)
		goto out;
	rc = FX_EINVAL;
	if ((err = aws_j_get(j, "Response/Errors/Error")) != NULL) {
		rid = aws_j_str(j, "Response/RequestID");
		if (rid == NULL)
			rid = aws_j_str(j, "Response/RequestId");
	} else if ((err = aws_j_get(j, "ErrorResponse/Error")) != NULL) {
		rid = aws_j_str(j, "ErrorResponse/RequestId");
	} else if ((err = aws_j_get(j, "InvalidChangeBatch")) != NULL) {
		rid = aws_j_str(err, "RequestId");
		if ((msg = aws_j_str(err, "Messages/Message")) == NULL)
			msg = aws_j_str(err, "Message");
		ae_copys(e->code, sizeof(e->code), "InvalidChangeBatch");
		ae_copys(e->message, sizeof(e->message), msg);
		ae_copys(e->request_id, sizeof(e->request_id), rid);
		rc = FX_OK;
		goto out;
	} else
		goto out;
	if (!json_is_object(err))
		goto out;
	ae_copys(e->code, sizeof(e->code), aws_j_str(err, "Code"));
	ae_copys(e->message, sizeof(e->message), aws_j_str(err, "Message"));
	ae_copys(e->request_id, sizeof(e->request_id), rid);
	rc = FX_OK;
out:
	json_decref(j);
	return rc;
}

/* JSON 1.0/1.1: {"__type": "prefix#Code[:suffix]", "message": ...} */
static fx_err
ae_json(const char *data, size_t len, struct aws_error *e)
{
	json_t *j = NULL;
	json_error_t jerr;
	const char *type, *msg;
	size_t end, start, i;
	fx_err rc = FX_EINVAL;

	if (len > FX_MAX_AWS_RESPONSE)
		goto out;
	if ((j = json_loadb(data, len, 0, &jerr)) == NULL)
		goto out;
	type = aws_j_str(j, "__type");
	if (type == NULL || *type == '\0')
		goto out;
	end = strcspn(type, ":");
	for (i = start = 0; i < end; i++)
		if (type[i] == '#')
			start = i + 1;
	if (start == end)
		goto out;
	ae_copy(e->code, sizeof(e->code), type + start, end - start);
	if ((msg = aws_j_str(j, "message")) == NULL)
		msg = aws_j_str(j, "Message");
	ae_copys(e->message, sizeof(e->message), msg);
	rc = FX_OK;
out:
	json_decref(j);
	return rc;
}

fx_err
aws_error_parse(const char *data, size_t len, struct aws_error *e)
{
	size_t i;
	fx_err rc = FX_EINVAL;

	if (e == NULL)
		goto out;
	memset(e, 0, sizeof(*e));
	if (data == NULL)
		goto out;
	for (i = 0; i < len && (data[i] == ' ' || data[i] == '\t' ||
				   data[i] == '\r' || data[i] == '\n');
	     i++)
		;
	if (i < len && data[i] == '{')
		rc = ae_json(data, len, e);
	else
		rc = ae_xml(data, len, e);
	if (rc != FX_OK && rc != FX_ENOMEM)
		rc = FX_EINVAL;
	if (rc != FX_OK)
		memset(e, 0, sizeof(*e));
out:
	return rc;
}

json_t *
aws_j_get(const json_t *v, const char *path)
{
	json_t *cur = (json_t *)v, *next = NULL;
	const char *key;
	size_t n;

	if (path == NULL)
		return NULL;
	while (cur != NULL && *path != '\0') {
		n = strcspn(path, "/");
		if (n == 0 || !json_is_object(cur))
			return NULL;
		json_object_foreach(cur, key, next) {
			if (strlen(key) == n && memcmp(key, path, n) == 0)
				break;
		}
		cur = key != NULL ? next : NULL; /* NULL: not found */
		path += n;
		if (*path == '/' && *++path == '\0')
			return NULL; /* trailing slash */
	}
	return cur;
}

const char *
aws_j_str(const json_t *v, const char *path)
{
	return json_string_value(aws_j_get(v, path));
}

json_t *
aws_j_list(const json_t *v, const char *path)
{
	json_t *a = aws_j_get(v, path);

	return json_is_array(a) ? a : NULL;
}
