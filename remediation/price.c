/*
 * price.c - the price table and the arithmetic of a fix's saving (see
 * price.h).
 *
 * The file is read whole into a bounded buffer, parsed by jansson with
 * duplicate keys refused, and checked completely before it is used: every
 * name bounded and made of [A-Za-z0-9._-], every price a finite number
 * from 0 below PRICE_MAX_UNIT, every count bounded. After that a lookup
 * needs no check, and a hostile file is refused at startup with the key
 * that is wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "price.h"
#include "banned.h"

#define NAME_CHARS                                                             \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
#define UNKNOWN_MAX (2 * PRICE_MAX_NAME + 2) /* "item class" */

struct price_table {
	json_t *root;	 /* the whole file */
	json_t *regions; /* borrowed from root */
	json_t *def;	 /* regions.default */
	char as_of[11];
};

static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= PRICE_MAX_NAME && strspn(s, NAME_CHARS) == n;
}

static int
price_ok(const json_t *v)
{
	double d;

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	return isfinite(d) && d >= 0 && d < PRICE_MAX_UNIT;
}

/* "YYYY-MM-DD" */
static int
date_ok(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != '-')
			return 0;
	return 1;
}

/* FX_ECONFIG, why saying so (cut at its cap) */
static fx_err __attribute__((format(printf, 2, 3)))
bad(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL) {
		buf_reset(why);
		va_start(ap, fmt);
		buf_vaddf_cut(why, fmt, ap);
		va_end(ap);
	}
	return FX_ECONFIG;
}

/* one region: {ITEM: price | {CLASS: price}} */
static fx_err
check_region(const char *rname, const json_t *r, struct buf *why)
{
	const char *item, *cls;
	json_t *v, *p;

	if (!json_is_object(r))
		return bad(why, "regions.%s: must be an object", rname);
	if (json_object_size(r) > PRICE_MAX_ITEMS)
		return bad(why, "regions.%s: too many items", rname);
	json_object_foreach((json_t *)r, item, v) {
		if (!name_ok(item))
			return bad(why,
			    "regions.%s: an item name is not 1 to 64 of "
			    "A-Z a-z 0-9 . _ -",
			    rname);
		if (json_is_object(v)) {
			if (json_object_size(v) > PRICE_MAX_CLASSES)
				return bad(why,
				    "regions.%s.%s: too many classes", rname,
				    item);
			json_object_foreach(v, cls, p) {
				if (!name_ok(cls))
					return bad(why,
					    "regions.%s.%s: a class name is "
					    "not 1 to 64 of A-Z a-z 0-9 . _ -",
					    rname, item);
				if (!price_ok(p))
					return bad(why,
					    "regions.%s.%s: a price is not a "
					    "number from 0 to 1000000",
					    rname, item);
			}
		} else if (!price_ok(v))
			return bad(why,
			    "regions.%s.%s: must be a price (a number from 0 "
			    "to 1000000) or an object of prices by class",
			    rname, item);
	}
	return FX_OK;
}

static fx_err
check_table(struct price_table *t, struct buf *why)
{
	const json_t *asof = json_object_get(t->root, "as_of");
	const json_t *cur = json_object_get(t->root, "currency");
	const char *k;
	json_t *v;
	fx_err rc;

	if (!json_is_object(t->root))
		return bad(why, "not a JSON object");
	if (!json_is_string(asof) || !date_ok(json_string_value(asof)))
		return bad(why, "as_of: must be the table's date, YYYY-MM-DD");
	memcpy(t->as_of, json_string_value(asof), sizeof(t->as_of));
	if (!json_is_string(cur) || strcmp(json_string_value(cur), "USD") != 0)
		return bad(why, "currency: must be \"USD\"");
	t->regions = json_object_get(t->root, "regions");
	if (!json_is_object(t->regions))
		return bad(why, "regions: must be an object");
	if (json_object_size(t->regions) > PRICE_MAX_REGIONS)
		return bad(why, "regions: more than 64");
	t->def = json_object_get(t->regions, "default");
	if (t->def == NULL)
		return bad(why,
		    "regions: needs \"default\", the prices of the regions "
		    "not listed");
	json_object_foreach(t->regions, k, v) {
		if (!name_ok(k))
			return bad(why, "regions: a region name is not 1 to "
					"64 of A-Z a-z 0-9 . _ -");
		if ((rc = check_region(k, v, why)) != FX_OK)
			return rc;
	}
	return FX_OK;
}

fx_err
price_parse(const char *text, size_t len, struct price_table **out,
    struct buf *why)
{
	struct price_table *t;
	json_error_t je;
	char line[24];
	fx_err rc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return FX_ENOMEM;
	t->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (t->root == NULL) {
		if (je.line > 0 && je.line < 100000000)
			(void)snprintf(line, sizeof(line), "line %d", je.line);
		else
			(void)snprintf(line, sizeof(line), "JSON");
		je.text[sizeof(je.text) - 1] = '\0';
		rc = bad(why, "%s: %s", line, je.text);
		goto out;
	}
	if ((rc = check_table(t, why)) != FX_OK)
		goto out;
	*out = t;
	t = NULL;
out:
	price_free(t);
	return rc;
}

fx_err
price_load(const char *path, struct price_table **out, struct buf *why)
{
	struct buf text = BUF_INIT;
	char chunk[8192];
	ssize_t r;
	fx_err rc = FX_OK;
	int fd;

	*out = NULL;
	buf_init(&text, PRICE_MAX_FILE);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			return FX_ENOTFOUND;
		return bad(why, "cannot open: %s", strerror(errno));
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = bad(why, "cannot read: %s", strerror(errno));
			break;
		}
		if ((rc = buf_add(&text, chunk, (size_t)r)) != FX_OK) {
			if (rc == FX_ETOOBIG)
				rc = bad(why, "larger than 1 MiB");
			break;
		}
	}
	close(fd);
	if (rc == FX_OK)
		rc = price_parse(text.data != NULL ? text.data : "", text.len,
		    out, why);
	buf_release(&text);
	return rc;
}

void
price_free(struct price_table *t)
{
	if (t == NULL)
		return;
	json_decref(t->root);
	free(t);
}

const char *
price_as_of(const struct price_table *t)
{
	return t->as_of;
}

/* the price of (item, cls) in region object r: 1 and *usd, else 0 */
static int
lookup(const json_t *r, const char *item, const char *cls, double *usd)
{
	const json_t *v = json_object_get(r, item);

	if (v != NULL && cls != NULL && json_is_object(v))
		v = json_object_get(v, cls);
	else if (v != NULL && (cls != NULL || json_is_object(v)))
		v = NULL; /* a class where none is priced, or none given */
	if (v == NULL)
		return 0;
	*usd = json_number_value(v);
	return 1;
}

int
price_unit(const struct price_table *t, const char *region, const char *item,
    const char *cls, double *usd)
{
	const json_t *r = NULL;

	if (t == NULL || item == NULL)
		return 0;
	if (region != NULL)
		r = json_object_get(t->regions, region);
	if (r != NULL && lookup(r, item, cls, usd))
		return 1;
	return lookup(t->def, item, cls, usd);
}

/* USD to cents, rounded half away from 0 (bounded: see PRICE_MAX_*) */
static json_int_t
cents_of(double usd)
{
	double c = usd * 100;

	return (json_int_t)(c >= 0 ? c + 0.5 : c - 0.5);
}

/* "item class" (or "item", "invalid") onto the unknown list */
static fx_err
unknown_add(json_t *list, const char *item, const char *cls)
{
	char s[UNKNOWN_MAX + 1];

	if (item == NULL)
		(void)snprintf(s, sizeof(s), "invalid");
	else
		(void)snprintf(s, sizeof(s), "%.*s%s%.*s", PRICE_MAX_NAME, item,
		    cls ? " " : "", PRICE_MAX_NAME, cls ? cls : "");
	return json_array_append_new(list, json_string(s)) == 0 ? FX_OK
								: FX_ENOMEM;
}

/* an entry's fields when well formed: 1, else 0 */
static int
entry_read(const json_t *e, const char **item, const char **cls, double *qty)
{
	const json_t *c = json_object_get(e, "class");
	const json_t *q = json_object_get(e, "qty");

	*item = json_string_value(json_object_get(e, "item"));
	*cls = json_string_value(c);
	if (*item == NULL || !name_ok(*item) || !json_is_number(q) ||
	    (c != NULL && !json_is_null(c) && (*cls == NULL || !name_ok(*cls))))
		return 0;
	*qty = json_number_value(q);
	return isfinite(*qty) && *qty <= PRICE_MAX_QTY &&
	       *qty >= -PRICE_MAX_QTY;
}

json_t *
price_saving(const struct price_table *t, const char *region,
    const json_t *usage)
{
	json_t *o = NULL, *unknown = NULL;
	const char *item, *cls;
	double qty, unit, sum = 0;
	const json_t *e;
	size_t i;
	fx_err rc = FX_OK;

	if (!json_is_array(usage) || json_array_size(usage) == 0)
		return NULL;
	if ((unknown = json_array()) == NULL)
		return NULL;
	json_array_foreach(usage, i, e) {
		if (i >= PRICE_MAX_USAGE) {
			rc = unknown_add(unknown, NULL, NULL);
			break;
		}
		if (!entry_read(e, &item, &cls, &qty))
			rc = unknown_add(unknown, NULL, NULL);
		else if (price_unit(t, region, item, cls, &unit))
			sum += qty * unit;
		else
			rc = unknown_add(unknown, item, cls);
		if (rc != FX_OK)
			break;
	}
	if (rc == FX_OK)
		o = json_pack("{s:I, s:o}", "cents", cents_of(sum), "unknown",
		    unknown);
	else
		json_decref(unknown);
	if (o != NULL && t != NULL &&
	    json_object_set_new(o, "as_of", json_string(t->as_of)) != 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

fx_err
price_usage_add(json_t *prior, const char *item, const char *cls, double qty)
{
	json_t *u = json_object_get(prior, "usage"), *e;

	if (u == NULL) {
		u = json_array();
		if (json_object_set_new(prior, "usage", u) != 0)
			return FX_ENOMEM;
	}
	if (!json_is_array(u))
		return FX_EINVAL;
	/* a whole quantity stays an integer: "qty": 730, not 730.0 */
	if (qty > -1e15 && qty < 1e15 && qty == (double)(json_int_t)qty)
		e = json_pack("{s:s, s:s?, s:I}", "item", item, "class", cls,
		    "qty", (json_int_t)qty);
	else
		e = json_pack("{s:s, s:s?, s:f}", "item", item, "class", cls,
		    "qty", qty);
	if (json_array_append_new(u, e) != 0)
		return FX_ENOMEM;
	return FX_OK;
}
