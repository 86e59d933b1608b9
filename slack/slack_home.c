/*
 * slack_home.c - a user's findings as Block Kit (see slack_home.h).
 *
 * Blocks are counted before they are added: the admin part (status and
 * approvals) is laid out first, the findings take what is left, less
 * one block kept for the "and N more" line.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fxtime.h"
#include "fxutil.h"
#include "slack_home.h"
#include "slack_say.h"
#include "banned.h"

#define LIM_TITLE	    200	 /* bytes of a title, before escaping */
#define LIM_ID		    200	 /* a resource id, an account or region name */
#define LIM_REASON	    300	 /* a justification */
#define LIM_TEXT	    2900 /* a section's text (Slack: 3000 characters) */
#define MAX_APPROVALS_SHARE 2	 /* approvals take at most 1/2 the blocks */

#define ELLIPSIS "\xe2\x80\xa6"
#define MIDDOT	 " \xc2\xb7 "

/* a text being built: the first error sticks */
struct hb {
	struct buf b;
	fx_err rc;
};

static void
hb_init(struct hb *h)
{
	buf_init(&h->b, LIM_TEXT);
	h->rc = FX_OK;
}

static void hb_addf(struct hb *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
hb_addf(struct hb *h, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;

	if (h->rc != FX_OK)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(small)) {
		h->rc = FX_ETOOBIG; /* every format here is short */
		return;
	}
	h->rc = buf_adds(&h->b, small);
}

/* s escaped for mrkdwn, at most max bytes of it (cut at a UTF-8
 * boundary, ending in an ellipsis) */
static void
hb_esc(struct hb *h, const char *s, size_t max)
{
	struct buf t = BUF_INIT;
	size_t n;

	if (h->rc != FX_OK)
		return;
	s = s ? s : "";
	n = strlen(s);
	buf_init(&t, max + sizeof(ELLIPSIS));
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	h->rc = buf_add(&t, s, n);
	if (h->rc == FX_OK && n < strlen(s))
		h->rc = buf_adds(&t, ELLIPSIS);
	if (h->rc == FX_OK)
		h->rc = slack_blocks_escape(buf_str(&t), &h->b);
	buf_release(&t);
}

static void
hb_date(struct hb *h, int64_t t)
{
	if (h->rc == FX_OK)
		h->rc = slack_say_date(t, &h->b);
}

/* ---- blocks ---------------------------------------------------------- */

static json_t *
blk_section(const struct hb *h)
{
	if (h->rc != FX_OK)
		return NULL;
	return json_pack("{s:s,s:{s:s,s:s}}", "type", "section", "text", "type",
	    "mrkdwn", "text", buf_str(&h->b));
}

static json_t *
blk_context(const struct hb *h)
{
	if (h->rc != FX_OK)
		return NULL;
	return json_pack("{s:s,s:[{s:s,s:s}]}", "type", "context", "elements",
	    "type", "mrkdwn", "text", buf_str(&h->b));
}

static json_t *
blk_header(const char *text)
{
	return json_pack("{s:s,s:{s:s,s:s}}", "type", "header", "text", "type",
	    "plain_text", "text", text);
}

/* append v (stolen) to a; -1 when v is NULL or the append failed */
static int
add(json_t *a, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_array_append_new(a, v);
}

/* ---- one finding ----------------------------------------------------- */

static void
item_status(struct hb *h, const struct slack_home_item *it)
{
	const struct slack_finding_view *v = &it->v;
	const char *st = it->state ? it->state : "";

	if (strcmp(st, "notified") == 0 && it->exc_pending) {
		hb_addf(h, "An exception request awaits a fixit admin's "
			   "decision.");
	} else if (strcmp(st, "notified") == 0 && v->notify_only) {
		hb_addf(h, "fixit only asks: it will not change this.");
	} else if (strcmp(st, "notified") == 0 && v->deadline > 0) {
		hb_addf(h, "fixit fixes it ");
		hb_date(h, v->deadline);
		hb_addf(h, " unless you act.");
	} else if (strcmp(st, "notified") == 0) {
		hb_addf(h, "Waiting for you.");
	} else if (strcmp(st, "fixing") == 0) {
		hb_addf(h, "fixit is fixing it.");
	} else if (strcmp(st, "failed") == 0) {
		hb_addf(h, "fixit's fix failed; the fixit admins were told.");
	} else if (strcmp(st, "excepted") == 0 && it->excepted_until > 0) {
		hb_addf(h, "Excepted until ");
		hb_date(h, it->excepted_until);
		hb_addf(h, ".");
	} else {
		hb_addf(h, "State: ");
		hb_esc(h, st, 32);
		hb_addf(h, ".");
	}
}

static json_t *
item_section(const struct slack_home_item *it)
{
	const struct slack_finding_view *v = &it->v;
	struct hb h;
	json_t *j;

	hb_init(&h);
	hb_addf(&h, "*#%" PRId64 " ", v->id);
	hb_esc(&h, v->title, LIM_TITLE);
	hb_addf(&h, "*\n`");
	hb_esc(&h, v->resource_id, LIM_ID);
	hb_addf(&h, "`" MIDDOT);
	hb_esc(&h, v->account_name ? v->account_name : v->account_id, LIM_ID);
	hb_addf(&h, MIDDOT);
	hb_esc(&h, v->region, LIM_ID);
	hb_addf(&h, "\n");
	item_status(&h, it);
	j = blk_section(&h);
	buf_release(&h.b);
	return j;
}

/* the finding's buttons while it waits for its owner; NULL (FX_OK)
 * when it offers none */
static fx_err
item_actions(const struct slack_home_item *it, json_t **out)
{
	*out = NULL;
	if (it->state == NULL || strcmp(it->state, "notified") != 0 ||
	    it->exc_pending)
		return FX_OK;
	return slack_blocks_actions(&it->v, out);
}

/* ---- the admin part -------------------------------------------------- */

/* the approvals shown: those that fit in the admin share */
static size_t
approvals_shown(const struct slack_home *h, size_t max_blocks)
{
	size_t room = max_blocks / MAX_APPROVALS_SHARE;
	size_t n = h->napprovals;

	/* divider, header, status, header, the more line */
	room = room > 5 ? room - 5 : 0;
	if (n > room / 2)
		n = room / 2;
	return n;
}

static size_t
admin_blocks(const struct slack_home *h, size_t shown)
{
	if (!h->admin)
		return 0;
	return 4 + (shown == 0 ? 1 : 2 * shown) +
	       (h->more_approvals || shown < h->napprovals);
}

static json_t *
status_section(const struct slack_home *h)
{
	struct hb t;
	json_t *j;
	size_t i;

	hb_init(&t);
	for (i = 0; i < h->ncounts; i++) {
		hb_addf(&t, "%s", i ? MIDDOT : "");
		hb_esc(&t, h->counts[i].state, 32);
		hb_addf(&t, ": *%" PRId64 "*", h->counts[i].n);
	}
	if (h->ncounts == 0)
		hb_addf(&t, "No findings.");
	j = blk_section(&t);
	buf_release(&t.b);
	return j;
}

static json_t *
approval_section(const struct slack_home_approval *x)
{
	struct hb t;
	json_t *j;

	hb_init(&t);
	if (fx_slack_user_id_ok(x->requested_by))
		hb_addf(&t, "<@%s>", x->requested_by);
	else
		hb_esc(&t, x->requested_by ? x->requested_by : "someone",
		    LIM_ID);
	hb_addf(&t, " asks for a *%s* exception for #%" PRId64 " *",
	    x->kind && strcmp(x->kind, "1y") == 0 ? "1 year" : "1 month",
	    x->finding_id);
	hb_esc(&t, x->title, LIM_TITLE);
	hb_addf(&t, "* (`");
	hb_esc(&t, x->resource_id, LIM_ID);
	hb_addf(&t, "`)\n>");
	hb_esc(&t, x->reason && *x->reason ? x->reason : "(no reason given)",
	    LIM_REASON);
	j = blk_section(&t);
	buf_release(&t.b);
	return j;
}

static int
add_admin(json_t *a, const struct slack_home *h, size_t shown)
{
	struct hb t;
	size_t i;
	int bad = 0;

	bad |= add(a, json_pack("{s:s}", "type", "divider"));
	bad |= add(a, blk_header("fixit status"));
	bad |= add(a, status_section(h));
	bad |= add(a, blk_header("Exception requests to decide"));
	hb_init(&t);
	if (shown == 0)
		hb_addf(&t, "No exception request is waiting.");
	for (i = 0; i < shown; i++) {
		bad |= add(a, approval_section(&h->approvals[i]));
		bad |= add(a, slack_blocks_approval_actions(
				  h->approvals[i].exception_id));
	}
	if (shown > 0 && (h->more_approvals || shown < h->napprovals))
		hb_addf(&t, "More are waiting: `/fixit exceptions` lists "
			    "them all.");
	if (t.b.len > 0)
		bad |= add(a, shown == 0 ? blk_section(&t) : blk_context(&t));
	buf_release(&t.b);
	return bad;
}

/* ---- the whole ------------------------------------------------------- */

/* the bytes of j's compact JSON (0 for NULL) */
static size_t
jsize(const json_t *j)
{
	return j == NULL ? 0 : json_dumpb(j, NULL, 0, JSON_COMPACT);
}

/*
 * The findings into a, in at most room blocks and about bytes bytes of
 * JSON; the number shown.
 */
static size_t
add_items(json_t *a, const struct slack_home *h, size_t room, size_t bytes,
    int *bad)
{
	json_t *sec = NULL, *act = NULL;
	size_t i, used = 0, size = 0, n, nb;

	for (i = 0; i < h->n && !*bad; i++) {
		sec = item_section(&h->items[i]);
		if (sec == NULL || item_actions(&h->items[i], &act) != FX_OK) {
			*bad = 1;
			break;
		}
		n = jsize(sec) + jsize(act);
		nb = 1 + (act != NULL);
		if (used + nb > room || size + n > bytes)
			break;
		*bad |= add(a, sec);
		if (act != NULL)
			*bad |= add(a, act);
		sec = act = NULL;
		used += nb;
		size += n;
	}
	json_decref(sec);
	json_decref(act);
	return i;
}

json_t *
slack_home_blocks(const struct slack_home *h, size_t max_blocks)
{
	json_t *a, *adm;
	struct hb t;
	size_t shown_x, room, shown, bytes = SIZE_MAX;
	int64_t total, more;
	int bad = 0;

	if (h == NULL || max_blocks < 4)
		return NULL;
	a = json_array();
	adm = json_array();
	if (a == NULL || adm == NULL) {
		json_decref(a);
		json_decref(adm);
		return NULL;
	}
	hb_init(&t);
	shown_x = h->admin ? approvals_shown(h, max_blocks) : 0;
	if (h->admin)
		bad |= add_admin(adm, h, shown_x);
	/* the header, the admin part, the more line */
	room = max_blocks - 2 - admin_blocks(h, shown_x);
	if (h->max_bytes > 0)
		bytes = h->max_bytes > jsize(adm) + LIM_TEXT
			    ? h->max_bytes - jsize(adm) - LIM_TEXT
			    : 0;
	bad |= add(a, blk_header("Your open findings"));
	if (h->n == 0) {
		hb_addf(&t, "Nothing of yours is waiting: no open finding "
			    "names you as its owner.");
		bad |= add(a, blk_section(&t));
	}
	shown = add_items(a, h, room, bytes, &bad);
	total = h->total > (int64_t)h->n ? h->total : (int64_t)h->n;
	more = total - (int64_t)shown;
	if (more > 0) {
		buf_reset(&t.b);
		hb_addf(&t, "And %" PRId64 " more", more);
		if (h->more_hint != NULL)
			hb_addf(&t, ": %s", h->more_hint);
		hb_addf(&t, ".");
		bad |= add(a, blk_context(&t));
	}
	if (!bad && json_array_extend(a, adm) != 0)
		bad = 1;
	json_decref(adm);
	buf_release(&t.b);
	if (bad || json_array_size(a) > max_blocks) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *
slack_home_view(const struct slack_home *h)
{
	json_t *blocks = slack_home_blocks(h, SLACK_HOME_MAX_BLOCKS);

	if (blocks == NULL)
		return NULL;
	return json_pack("{s:s,s:o}", "type", "home", "blocks", blocks);
}
