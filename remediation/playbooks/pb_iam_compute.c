/*
 * pb_iam_compute.c - iam-admin-paths' reads besides IAM: Lambda
 * functions and CloudTrail events (see pb_iam_compute.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_sigv4.h"
#include "buf.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "pb_iam_compute.h"
#include "pb_iam_load.h"
#include "pb_iam_policy.h"
#include "pb_sto_util.h"
#include "banned.h"

#define LAMBDA_PATH "/2015-03-31/functions/"
#define LAMBDA_PAGE "MaxItems=50"
#define TRAIL_DAYS  90		/* CloudTrail's event history */
#define TRAIL_EVENT (64 * 1024) /* a CloudTrail event document read */

/* one region's functions into g: FX_OK when every page was read */
static fx_err
lambda_region(struct pb_ctx *x, struct pb_iam_graph *g, const char *region)
{
	struct aws_req r;
	struct aws_resp resp;
	struct buf q = BUF_INIT;
	const json_t *f;
	const char *tok;
	size_t i;
	int page;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_LAMBDA;
	r.action = "ListFunctions";
	r.method = "GET";
	r.path = LAMBDA_PATH;
	r.region = region;
	buf_init(&q, FX_MAX_AWS_REQUEST);
	aws_resp_init(&resp);
	rc = buf_adds(&q, LAMBDA_PAGE);
	for (page = 0; rc == FX_OK && page < FX_MAX_AWS_PAGES; page++) {
		r.query = buf_str(&q);
		aws_resp_release(&resp);
		if ((rc = pb_call(x, PB_AUDITOR, &r, 0, &resp)) != FX_OK)
			goto out;
		json_array_foreach(aws_j_list(resp.doc, "Functions"), i, f) {
			rc = pb_iam_graph_function(g, aws_j_str(f, "Role"),
			    aws_j_str(f, "FunctionName"));
			if (rc != FX_OK)
				goto out;
		}
		tok = aws_j_str(resp.doc, "NextMarker");
		if (tok == NULL || *tok == '\0')
			goto out;
		buf_reset(&q);
		rc = buf_adds(&q, LAMBDA_PAGE "&Marker=");
		if (rc == FX_OK)
			rc = sigv4_uri_encode(&q, tok, strlen(tok), 1);
	}
	if (rc == FX_OK)
		rc = FX_ETOOBIG;
out:
	aws_resp_release(&resp);
	buf_release(&q);
	return rc;
}

fx_err
pb_iam_lambda(struct pb_ctx *x, struct pb_iam_graph *g)
{
	const char *one[2] = { x->region, NULL };
	const char *const *regions =
	    x->regions != NULL && x->regions[0] != NULL ? x->regions : one;
	size_t i;
	fx_err rc;

	pb_iam_graph_lambda(g, 0);
	for (i = 0; regions[i] != NULL; i++) {
		rc = lambda_region(x, g, regions[i]);
		if (rc == FX_ENOMEM)
			return rc;
		if (rc != FX_OK) {
			pb_say(x,
			    "Lambda functions in %s not listed (%s): every "
			    "role Lambda may assume counts as compute",
			    regions[i], fx_strerror(rc));
			return FX_OK;
		}
	}
	pb_iam_graph_lambda(g, 1);
	return FX_OK;
}

/* ---- the other configured accounts ------------------------------------ */

#define ARN_MAX 256

/* role arn of x's account as the same role of account (out) */
static int
arn_in(const char *arn, const char *account, char *out, size_t len)
{
	const char *p = arn;
	int i;

	/* arn:PARTITION:iam::ACCOUNT:role/NAME */
	for (i = 0; i < 4 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL || strchr(p, ':') == NULL)
		return 0;
	return snprintf(out, len, "%.*s%s%s", (int)(p - arn), arn, account,
		   strchr(p, ':')) < (int)len;
}

/* account's roles, policies and functions into g, read as fixit's
 * roles there */
static fx_err
load_other(struct pb_ctx *x, struct pb_iam_graph *g, const char *account)
{
	struct pb_ctx y = *x;
	char arn[PB_ROLE__COUNT][ARN_MAX];
	int i;
	fx_err rc;

	y.account_id = account;
	for (i = 0; i < PB_ROLE__COUNT; i++) {
		y.role_arn[i] = NULL;
		if (x->role_arn[i] != NULL &&
		    arn_in(x->role_arn[i], account, arn[i], sizeof(arn[i])))
			y.role_arn[i] = arn[i];
	}
	if (y.role_arn[PB_AUDITOR] == NULL)
		return FX_EINVAL;
	rc = pb_iam_graph_account(g, account);
	if (rc == FX_OK)
		rc = pb_iam_load_into(&y, g);
	if (rc == FX_OK)
		rc = pb_iam_lambda(&y, g);
	x->calls += y.calls;
	return rc;
}

fx_err
pb_iam_others(struct pb_ctx *x, struct pb_iam_graph *g)
{
	int64_t max = pb_param_clamp(x, "max_accounts", 20, 0, 1000), n = 0;
	size_t i;
	fx_err rc = FX_OK;

	for (i = 0; x->accounts != NULL && x->accounts[i] != NULL; i++) {
		if (strcmp(x->accounts[i], x->account_id) == 0)
			continue;
		if (n++ >= max) {
			pb_say(x,
			    "more than %lld other accounts (max_accounts): "
			    "the rest are not followed",
			    (long long)max);
			break;
		}
		rc = load_other(x, g, x->accounts[i]);
		if (rc == FX_ENOMEM)
			break;
		if (rc != FX_OK)
			pb_say(x,
			    "account %s not read (%s): chains from it are "
			    "not followed",
			    x->accounts[i], fx_strerror(rc));
		rc = FX_OK;
	}
	if (rc == FX_OK)
		rc = pb_iam_graph_account(g, x->account_id);
	return rc;
}

/* ---- CloudTrail --------------------------------------------------------- */

void
pb_iam_trail_release(struct pb_iam_trail *t)
{
	if (t == NULL)
		return;
	json_decref(t->seen);
	t->seen = NULL;
}

/* whose event: the role an assumed-role session was issued by, or the
 * caller's own ARN */
static fx_err
trail_event(void *arg, const json_t *ev)
{
	json_t *by = arg, *doc, *old;
	const char *text = aws_j_str(ev, "CloudTrailEvent"), *who;
	json_t *tv = json_object_get(ev, "EventTime");
	int64_t t;
	fx_err rc = FX_OK;

	if (text == NULL || strlen(text) > TRAIL_EVENT || !json_is_number(tv))
		return FX_OK;
	t = (int64_t)json_number_value(tv);
	if ((doc = json_loads(text, 0, NULL)) == NULL)
		return FX_OK;
	who = aws_j_str(doc, "userIdentity/sessionContext/sessionIssuer/arn");
	if (who == NULL)
		who = aws_j_str(doc, "userIdentity/arn");
	old = who != NULL ? json_object_get(by, who) : NULL;
	if (who != NULL && (old == NULL || json_integer_value(old) < t) &&
	    json_object_set_new(by, who, json_integer(t)) != 0)
		rc = FX_ENOMEM;
	json_decref(doc);
	return rc;
}

/* the events of action (iam:Name) by role: from the cache or read now;
 * NULL when they could not be read */
static const json_t *
trail_of(struct pb_ctx *x, struct pb_iam_trail *t, const char *action,
    int64_t since, fx_err *rc)
{
	const char *bare = strchr(action, ':') + 1;
	json_t *by, *have;
	int pages;

	*rc = FX_OK;
	if (t->seen == NULL && (t->seen = json_object()) == NULL) {
		*rc = FX_ENOMEM;
		return NULL;
	}
	if ((have = json_object_get(t->seen, action)) != NULL)
		return json_is_object(have) ? have : NULL;
	if ((by = json_object()) == NULL) {
		*rc = FX_ENOMEM;
		return NULL;
	}
	pages = (int)pb_param_clamp(x, "max_trail_pages", 20, 1, 40);
	*rc = pb_sto_util_lookup(x, NULL, "EventName", bare, since, pages, NULL,
	    trail_event, by);
	if (*rc != FX_OK && *rc != FX_ENOMEM) {
		pb_say(x, "CloudTrail events %s not read (%s)", bare,
		    fx_strerror(*rc));
		json_decref(by);
		by = json_null();
		*rc = FX_OK;
	}
	if (*rc != FX_OK || json_object_set_new(t->seen, action, by) != 0) {
		*rc = FX_ENOMEM;
		return NULL;
	}
	return json_is_object(by) ? by : NULL;
}

fx_err
pb_iam_trail_apply(struct pb_ctx *x, struct pb_iam_trail *t, const char *arn,
    int64_t unused_days, json_t *ev, uint32_t *unused)
{
	const json_t *by;
	json_t *a, *when;
	const char *action, *verdict;
	char iso[21];
	int64_t days = unused_days < TRAIL_DAYS ? unused_days : TRAIL_DAYS;
	int64_t since = x->now - days * 86400;
	int unread = 0, asked = 0;
	size_t i;
	fx_err rc;

	json_array_foreach(json_object_get(ev, "actions"), i, a) {
		action = json_string_value(json_object_get(a, "action"));
		verdict = json_string_value(json_object_get(a, "verdict"));
		if (action == NULL || strchr(action, ':') == NULL ||
		    verdict == NULL || strcmp(verdict, "unused") != 0)
			continue;
		asked = 1;
		if ((by = trail_of(x, t, action, since, &rc)) == NULL) {
			if (rc != FX_OK)
				return rc;
			unread = 1;
			continue;
		}
		when = json_object_get(by, arn);
		if (!json_is_integer(when) || json_integer_value(when) < since)
			continue;
		fx_iso8601_format(json_integer_value(when), iso);
		if (json_object_set_new(a, "verdict", json_string("used")) !=
			0 ||
		    json_object_set_new(a, "cloudtrail_last",
			json_string(iso)) != 0)
			return FX_ENOMEM;
		*unused &= ~pb_iam_admin_bit(action);
	}
	return json_object_set_new(ev, "cloudtrail",
		   json_pack("{s:s, s:I}", "read",
		       !asked	? "not needed (no unused action)"
		       : unread ? "not available: IAM's report alone"
				: "LookupEvents by event name",
		       "days", (json_int_t)days)) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}
