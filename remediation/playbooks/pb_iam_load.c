/*
 * pb_iam_load.c - iam-admin-paths' reads: the account into a graph and
 * the evidence of use (see pb_iam_load.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxlimits.h"
#include "fxtime.h"
#include "fxutil.h"
#include "pb_iam_load.h"
#include "banned.h"

#define GAAD	  "GetAccountAuthorizationDetailsResult/"
#define SLAD	  "GetServiceLastAccessedDetailsResult/"
#define TRUE_S(s) ((s) != NULL && strcasecmp((s), "true") == 0)

/* IAM's [{Key, Value}] as {Key: Value} (new; NULL on ENOMEM) */
static json_t *
tag_object(const json_t *list)
{
	json_t *o = json_object(), *t;
	const char *k, *v;
	size_t i;

	json_array_foreach(list, i, t) {
		k = aws_j_str(t, "Key");
		v = aws_j_str(t, "Value");
		if (o != NULL && k != NULL &&
		    json_object_set_new(o, k, json_string(v ? v : "")) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* a document as IAM returns it; NULL (no grant) when unreadable */
static json_t *
doc_of(struct pb_ctx *x, const char *text, const char *what)
{
	json_t *d = NULL;

	if (text == NULL)
		return NULL;
	if (pb_iam_doc(text, &d) != FX_OK)
		pb_say(x,
		    "%s: the policy document is unreadable, read as "
		    "granting nothing",
		    what);
	return d;
}

static fx_err
load_role(struct pb_ctx *x, struct pb_iam_graph *g, const json_t *rd)
{
	const char *name = aws_j_str(rd, "RoleName"), *s;
	json_t *trust, *tags, *doc, *it;
	size_t idx, i;
	fx_err rc;

	trust = doc_of(x, aws_j_str(rd, "AssumeRolePolicyDocument"), name);
	tags = tag_object(aws_j_list(rd, "Tags"));
	rc = tags == NULL ? FX_ENOMEM
			  : pb_iam_graph_role(g, name, aws_j_str(rd, "Arn"),
				aws_j_str(rd, "CreateDate"), trust, tags, &idx);
	json_decref(trust);
	json_decref(tags);
	if (rc == FX_ECONFLICT || rc == FX_EINVAL)
		return FX_OK; /* seen on an earlier page; or nameless */
	if (rc != FX_OK)
		return rc;
	json_array_foreach(aws_j_list(rd, "RolePolicyList"), i, it) {
		if ((s = aws_j_str(it, "PolicyName")) == NULL)
			continue;
		doc = doc_of(x, aws_j_str(it, "PolicyDocument"), s);
		rc = pb_iam_graph_inline(g, idx, s, doc);
		json_decref(doc);
		if (rc != FX_OK)
			return rc;
	}
	json_array_foreach(aws_j_list(rd, "AttachedManagedPolicies"), i, it)
		if ((s = aws_j_str(it, "PolicyArn")) != NULL &&
		    (rc = pb_iam_graph_attach(g, idx, s)) != FX_OK)
			return rc;
	json_array_foreach(aws_j_list(rd, "InstanceProfileList"), i, it)
		if ((s = aws_j_str(it, "InstanceProfileName")) != NULL &&
		    (rc = pb_iam_graph_profile(g, idx, s)) != FX_OK)
			return rc;
	s = aws_j_str(rd, "PermissionsBoundary/PermissionsBoundaryArn");
	if (s != NULL && *s != '\0')
		return pb_iam_graph_boundary(g, idx, s);
	return FX_OK;
}

static fx_err
load_policy(struct pb_ctx *x, struct pb_iam_graph *g, const json_t *pd)
{
	const char *def = aws_j_str(pd, "DefaultVersionId"), *name;
	const json_t *versions = aws_j_list(pd, "PolicyVersionList"), *v;
	json_t *doc = NULL;
	int64_t att = 0;
	size_t i;
	fx_err rc;

	name = aws_j_str(pd, "PolicyName");
	json_array_foreach(versions, i, v)
		if (TRUE_S(aws_j_str(v, "IsDefaultVersion")) ||
		    (def != NULL && aws_j_str(v, "VersionId") != NULL &&
			strcmp(def, aws_j_str(v, "VersionId")) == 0)) {
			doc = doc_of(x, aws_j_str(v, "Document"),
			    name ? name : "?");
			break;
		}
	if (aws_j_str(pd, "AttachmentCount") != NULL &&
	    fx_strtoll(aws_j_str(pd, "AttachmentCount"), 0, INT32_MAX, &att) !=
		FX_OK)
		att = 0;
	rc = pb_iam_graph_policy(g, aws_j_str(pd, "Arn"), name, def, (int)att,
	    (int)json_array_size(versions), doc);
	json_decref(doc);
	return rc == FX_EINVAL ? FX_OK : rc;
}

fx_err
pb_iam_load(struct pb_ctx *x, struct pb_iam_graph **out)
{
	struct pb_iam_graph *g = NULL;
	fx_err rc;

	*out = NULL;
	if ((rc = pb_iam_graph_new(x->account_id, &g)) != FX_OK)
		return rc;
	if ((rc = pb_iam_load_into(x, g)) != FX_OK) {
		pb_iam_graph_free(g);
		return rc;
	}
	*out = g;
	return FX_OK;
}

fx_err
pb_iam_load_into(struct pb_ctx *x, struct pb_iam_graph *g)
{
	struct aws_resp resp;
	const json_t *it;
	char *marker = NULL;
	int64_t size, pages, n = 0;
	json_t *p;
	size_t i;
	fx_err rc;

	aws_resp_init(&resp);
	size = pb_param_clamp(x, "page_size", 100, 1, 1000);
	pages = pb_param_clamp(x, "max_pages", FX_MAX_AWS_PAGES, 1, 100000);
	do {
		p = json_pack("{s:s, s:s, s:s, s:I}", "Filter.member.1", "Role",
		    "Filter.member.2", "LocalManagedPolicy", "Filter.member.3",
		    "AWSManagedPolicy", "MaxItems", (json_int_t)size);
		if (p != NULL && marker != NULL &&
		    json_object_set_new(p, "Marker", json_string(marker)) !=
			0) {
			json_decref(p);
			p = NULL;
		}
		aws_resp_release(&resp);
		rc = pb_query(x, PB_AUDITOR, AWS_IAM,
		    "GetAccountAuthorizationDetails", p, 0, &resp);
		if (rc != FX_OK)
			goto out;
		json_array_foreach(aws_j_list(resp.doc, GAAD "RoleDetailList"),
		    i, it)
			if ((rc = load_role(x, g, it)) != FX_OK)
				goto out;
		json_array_foreach(aws_j_list(resp.doc, GAAD "Policies"), i, it)
			if ((rc = load_policy(x, g, it)) != FX_OK)
				goto out;
		free(marker);
		marker = NULL;
		if (TRUE_S(aws_j_str(resp.doc, GAAD "IsTruncated")) &&
		    aws_j_str(resp.doc, GAAD "Marker") != NULL &&
		    (marker = strdup(aws_j_str(resp.doc, GAAD "Marker"))) ==
			NULL) {
			rc = FX_ENOMEM;
			goto out;
		}
	} while (marker != NULL && ++n < pages);
	if (marker != NULL) {
		pb_say(x,
		    "GetAccountAuthorizationDetails: more than %lld "
		    "pages (max_pages)",
		    (long long)pages);
		rc = FX_ETOOBIG;
		goto out;
	}
out:
	free(marker);
	aws_resp_release(&resp);
	return rc;
}

/* ---- evidence ---------------------------------------------------------- */

/* GenerateServiceLastAccessedDetails: *job a new string */
static fx_err
ev_start(struct pb_ctx *x, const char *arn, char **job)
{
	struct aws_resp resp;
	const char *id;
	fx_err rc;

	*job = NULL;
	rc = pb_query(x, PB_AUDITOR, AWS_IAM,
	    "GenerateServiceLastAccessedDetails",
	    json_pack("{s:s, s:s}", "Arn", arn, "Granularity", "ACTION_LEVEL"),
	    0, &resp);
	if (rc == FX_OK) {
		id = aws_j_str(resp.doc,
		    "GenerateServiceLastAccessedDetailsResult/JobId");
		if (id == NULL || (*job = strdup(id)) == NULL)
			rc = id == NULL ? FX_EINVAL : FX_ENOMEM;
	}
	aws_resp_release(&resp);
	return rc;
}

/* the last access of action (iam:Name) in the iam entry of the report;
 * *tracked 1 when IAM tracks it */
static const char *
ev_last(const json_t *svc, const char *action, int *tracked)
{
	const json_t *t;
	const char *n, *bare = strchr(action, ':') + 1;
	size_t i;

	json_array_foreach(aws_j_list(svc, "TrackedActionsLastAccessed"), i,
	    t) {
		n = aws_j_str(t, "ActionName");
		if (n != NULL &&
		    (strcasecmp(n, action) == 0 || strcasecmp(n, bare) == 0)) {
			*tracked = 1;
			return aws_j_str(t, "LastAccessedTime");
		}
	}
	*tracked = 0;
	return NULL;
}

/* one page of the finished report: the iam entry, verdicts into acts */
static fx_err
ev_page(struct pb_ctx *x, const json_t *doc, uint32_t mask, int64_t unused_days,
    json_t *acts, uint32_t *unused)
{
	const json_t *svc;
	const char *last, *verdict;
	int64_t t;
	int tracked, i;
	size_t k;

	json_array_foreach(aws_j_list(doc, SLAD "ServicesLastAccessed"), k,
	    svc) {
		if (aws_j_str(svc, "ServiceNamespace") == NULL ||
		    strcmp(aws_j_str(svc, "ServiceNamespace"), "iam") != 0)
			continue;
		for (i = 0; i < PB_IAM_NADMIN; i++) {
			if (!(mask & (1u << i)))
				continue;
			last = ev_last(svc, pb_iam_admin_action[i], &tracked);
			if (!tracked)
				continue;
			verdict = "unused";
			if (last != NULL && *last != '\0' &&
			    (fx_iso8601_parse(last, &t) != FX_OK ||
				t > x->now - unused_days * 86400))
				verdict = "used";
			if (strcmp(verdict, "unused") == 0)
				*unused |= 1u << i;
			if (json_array_append_new(acts,
				json_pack("{s:s, s:s?, s:s}", "action",
				    pb_iam_admin_action[i], "last_accessed",
				    last && *last ? last : NULL, "verdict",
				    verdict)) != 0)
				return FX_ENOMEM;
		}
	}
	return FX_OK;
}

/* wait for job and read its pages */
static fx_err
ev_read(struct pb_ctx *x, const char *job, uint32_t mask, int64_t days,
    json_t *acts, uint32_t *unused, const char **status)
{
	struct aws_resp resp;
	int64_t polls, wait_ms, i;
	char *marker = NULL;
	json_t *p;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	polls = pb_param_clamp(x, "evidence_polls", 30, 1, 600);
	wait_ms = pb_param_clamp(x, "evidence_interval_ms", 1000, 0, 60000);
	for (i = 0; i < polls; i++) {
		if (i > 0 && marker == NULL)
			fx_sleep_ms(wait_ms);
		p = json_pack("{s:s, s:I}", "JobId", job, "MaxItems",
		    (json_int_t)100);
		if (p != NULL && marker != NULL)
			(void)json_object_set_new(p, "Marker",
			    json_string(marker));
		aws_resp_release(&resp);
		rc = pb_query(x, PB_AUDITOR, AWS_IAM,
		    "GetServiceLastAccessedDetails", p, 0, &resp);
		if (rc != FX_OK)
			goto out;
		*status = aws_j_str(resp.doc, SLAD "JobStatus");
		if (*status == NULL || strcmp(*status, "IN_PROGRESS") == 0)
			continue;
		if (strcmp(*status, "COMPLETED") != 0)
			break;
		rc = ev_page(x, resp.doc, mask, days, acts, unused);
		free(marker);
		marker = NULL;
		if (rc != FX_OK ||
		    !TRUE_S(aws_j_str(resp.doc, SLAD "IsTruncated")))
			break;
		if ((marker = strdup(aws_j_str(resp.doc, SLAD "Marker")
					 ? aws_j_str(resp.doc, SLAD "Marker")
					 : "")) == NULL) {
			rc = FX_ENOMEM;
			break;
		}
	}
	*status = *status != NULL && strcmp(*status, "COMPLETED") == 0
		      ? "COMPLETED"
		      : "INCOMPLETE";
out:
	free(marker);
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_iam_evidence_start(struct pb_ctx *x, const char *arn, char **job)
{
	return ev_start(x, arn, job);
}

fx_err
pb_iam_evidence(struct pb_ctx *x, const char *arn, uint32_t mask,
    int64_t unused_days, json_t **ev, uint32_t *unused)
{
	char *job = NULL;
	fx_err rc;

	*ev = NULL;
	*unused = 0;
	if ((rc = ev_start(x, arn, &job)) != FX_OK)
		return rc;
	rc = pb_iam_evidence_read(x, job, mask, unused_days, ev, unused);
	free(job);
	return rc;
}

fx_err
pb_iam_evidence_read(struct pb_ctx *x, const char *job, uint32_t mask,
    int64_t unused_days, json_t **ev, uint32_t *unused)
{
	json_t *acts = json_array(), *known;
	const char *status = NULL;
	uint32_t seen = 0;
	size_t i;
	int b;
	fx_err rc = FX_ENOMEM;

	*ev = NULL;
	*unused = 0;
	if (acts == NULL)
		goto out;
	rc = ev_read(x, job, mask, unused_days, acts, unused, &status);
	if (rc != FX_OK)
		goto out;
	if (strcmp(status, "COMPLETED") != 0)
		*unused = 0; /* an unfinished report proves nothing */
	json_array_foreach(acts, i, known)
		seen |= pb_iam_admin_bit(
		    json_string_value(json_object_get(known, "action")));
	for (b = 0; b < PB_IAM_NADMIN; b++)
		if ((mask & (1u << b)) && !(seen & (1u << b)) &&
		    json_array_append_new(acts,
			json_pack("{s:s, s:n, s:s}", "action",
			    pb_iam_admin_action[b], "last_accessed", "verdict",
			    "unknown")) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	*ev = json_pack("{s:s, s:I, s:s, s:O}", "source",
	    "IAM action last accessed (GetServiceLastAccessedDetails, "
	    "ACTION_LEVEL)",
	    "unused_days", (json_int_t)unused_days, "job", status, "actions",
	    acts);
	rc = *ev != NULL ? FX_OK : FX_ENOMEM;
out:
	json_decref(acts);
	return rc;
}
