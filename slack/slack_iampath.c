/*
 * slack_iampath.c - the path to IAM admin in words (see slack_iampath.h).
 */
#include <stdio.h>
#include <string.h>

#include "slack_blocks.h"
#include "slack_iampath.h"
#include "banned.h"

#define EVIDENCE_MAX 20 /* admin actions listed */
#define ARROW	     " \xe2\x86\x92 "
#define BULLET	     "\xe2\x80\xa2 "

/* a line under construction: parts appended, then kept whole or not */
struct line {
	struct buf *out;
	size_t mark;
	fx_err rc;
};

static void
put(struct line *l, const char *s)
{
	if (l->rc == FX_OK)
		l->rc = buf_adds(l->out, s);
}

static void
esc(struct line *l, const char *s)
{
	if (l->rc == FX_OK)
		l->rc = slack_blocks_escape(s != NULL ? s : "?", l->out);
}

/* start a line */
static void
begin(struct line *l)
{
	l->mark = l->out->len;
	l->rc = FX_OK;
}

/* end it: kept, or taken back when it did not fit (*full then) */
static fx_err
end(struct line *l, int *full)
{
	if (l->rc == FX_OK)
		l->rc = buf_addc(l->out, '\n');
	if (l->rc == FX_OK)
		return FX_OK;
	buf_truncate(l->out, l->mark);
	*full = 1;
	return l->rc == FX_ETOOBIG ? FX_OK : l->rc;
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static fx_err
chain_lines(const json_t *d, struct buf *out, int *full)
{
	const json_t *chain = json_object_get(d, "chain"), *h;
	struct line l = { out, 0, FX_OK };
	char num[32];
	size_t i;
	fx_err rc;

	begin(&l);
	(void)snprintf(num, sizeof(num), "%zu", json_array_size(chain));
	put(&l, "*Path to IAM admin (");
	put(&l, num);
	put(&l, " hops):*");
	if ((rc = end(&l, full)) != FX_OK || *full)
		return rc;
	json_array_foreach(chain, i, h) {
		begin(&l);
		(void)snprintf(num, sizeof(num), "%zu. ", i + 1);
		put(&l, num);
		esc(&l, str(h, "from"));
		put(&l, ARROW);
		esc(&l, str(h, "to"));
		put(&l, " _(");
		esc(&l, str(h, "how"));
		put(&l, ")_");
		if ((rc = end(&l, full)) != FX_OK || *full)
			return rc;
	}
	return FX_OK;
}

static fx_err
grant_lines(const json_t *d, struct buf *out, int *full)
{
	const json_t *grants = json_object_get(d, "grants"), *g;
	struct line l = { out, 0, FX_OK };
	size_t i;

	if (json_array_size(grants) == 0)
		return FX_OK;
	begin(&l);
	put(&l, "*Granted by:* ");
	json_array_foreach(grants, i, g) {
		put(&l, i > 0 ? "; " : "");
		esc(&l, str(g, "kind"));
		put(&l, " policy ");
		esc(&l, str(g, "name"));
	}
	return end(&l, full);
}

static fx_err
evidence_lines(const json_t *d, struct buf *out, int *full)
{
	const json_t *ev = json_object_get(d, "evidence"), *a;
	struct line l = { out, 0, FX_OK };
	const char *v, *last, *ct;
	char num[64];
	size_t i;
	fx_err rc;

	begin(&l);
	(void)snprintf(num, sizeof(num), "%lld days",
	    (long long)json_integer_value(json_object_get(ev, "unused_days")));
	put(&l, "*Evidence of use* (IAM action last accessed, ");
	put(&l, num);
	put(&l, "):");
	if ((rc = end(&l, full)) != FX_OK || *full)
		return rc;
	json_array_foreach(json_object_get(ev, "actions"), i, a) {
		if (i >= EVIDENCE_MAX)
			break;
		v = str(a, "verdict");
		last = str(a, "last_accessed");
		ct = str(a, "cloudtrail_last");
		begin(&l);
		put(&l, BULLET);
		esc(&l, str(a, "action"));
		put(&l, ": ");
		if (last != NULL) {
			put(&l, "last used ");
			esc(&l, last);
		} else
			put(&l, v != NULL && strcmp(v, "unknown") == 0
				    ? "not tracked by IAM"
				    : "never used in the tracked period");
		if (ct != NULL) {
			put(&l, "; CloudTrail: used ");
			esc(&l, ct);
		}
		put(&l, v != NULL && strcmp(v, "unused") == 0
			    ? " \xe2\x80\x94 unused: the fix removes it"
			    : " \xe2\x80\x94 kept");
		if ((rc = end(&l, full)) != FX_OK || *full)
			return rc;
	}
	return FX_OK;
}

fx_err
slack_iampath_mrkdwn(const json_t *details, struct buf *out)
{
	int full = 0;
	fx_err rc;

	if (!json_is_array(json_object_get(details, "chain")))
		return FX_OK;
	rc = chain_lines(details, out, &full);
	if (rc == FX_OK && !full)
		rc = grant_lines(details, out, &full);
	if (rc == FX_OK && !full)
		rc = evidence_lines(details, out, &full);
	return rc;
}
