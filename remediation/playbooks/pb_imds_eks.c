/*
 * pb_imds_eks.c - imdsv1-everywhere (pb_imds_all.c), EKS managed node
 * groups (REST-JSON, service eks) launched from a custom launch
 * template version that allows IMDSv1.
 *
 *   detect  ListClusters (GET /clusters, paged, nextToken), ListNodegroups
 *           (GET /clusters/C/node-groups, paged), DescribeNodegroup
 *           (GET /clusters/C/node-groups/N): a node group whose
 *           launchTemplate {id, version} allows IMDSv1
 *           (DescribeLaunchTemplateVersions). The templates node groups
 *           use are handed to the launch template kind, which leaves
 *           them to this one. A node group without a custom launch
 *           template runs on EKS's own: UpdateNodegroupVersion takes a
 *           custom template only, so fixit has no lever there and it
 *           is no finding (moving it onto a custom template is a
 *           migration for its owner).
 *   check   DescribeNodegroup: ResourceNotFoundException -> GONE; a guard
 *           applies -> KEEP; its template version requires tokens ->
 *           RIGHT.
 *   fix     TagResource (POST /tags/ARN) fixit: tags on the node group,
 *           CreateLaunchTemplateVersion from its version with
 *           HttpTokens=required, then UpdateNodegroupVersion (POST
 *           /clusters/C/node-groups/N/update-version) launchTemplate
 *           {id, version: the new one}: EKS replaces the nodes, rolling,
 *           as for any template change. prior {kind, cluster, nodegroup,
 *           launch_template_id, version, new_version, update_id}.
 *   verify  the node group's launchTemplate.version is the new one, or
 *           its update (DescribeUpdate) is InProgress or Successful.
 *   undo    UpdateNodegroupVersion back to the old version (another
 *           rolling replacement); TagResource fixit:action=
 *           undo-require-imdsv2. The new template version stays.
 *
 * Eligibility (ng_eligible, detect and check): the shared guards on the
 * node group's tags and createdAt; IaC ownership of its launch template
 * (a new version of a stack's template would drift); status other than
 * ACTIVE -> exempt (EKS refuses updates then, or one is running).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_sigv4.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "pb_ec2_util.h"
#include "pb_imds_all.h"
#include "playbook.h"
#include "banned.h"

#define EKS_NOTFOUND "ResourceNotFoundException"
#define EKS_NAME_MAX 100
#define EKS_PATH_MAX 512
#define EKS_VER_MAX  24
#define EKS_PAGE     "maxResults=100"

/* a cluster or node group name fit for a path as is */
static int
name_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= EKS_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_") == n;
}

/* one EKS request; body (may be NULL) stolen */
static fx_err
eks_call(struct pb_ctx *x, enum pb_role role, const char *op,
    const char *method, const char *path, const char *query, json_t *body,
    int mutating, struct aws_resp *resp)
{
	struct aws_req r;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.svc = AWS_EKS;
	r.action = op;
	r.method = method;
	r.path = path;
	r.query = query;
	r.params = body;
	rc = pb_call(x, role, &r, mutating, resp);
	json_decref(body);
	return rc;
}

typedef fx_err (*eks_name_fn)(struct pb_ctx *x, const char *name, void *arg);

/* a paged name listing at path (list key `key`): fn for each name */
static fx_err
eks_names(struct pb_ctx *x, const char *op, const char *path, const char *key,
    eks_name_fn fn, void *arg)
{
	struct aws_resp resp;
	struct buf q = BUF_INIT;
	const json_t *v;
	const char *tok;
	size_t i;
	int page;
	fx_err rc = FX_OK;

	buf_init(&q, FX_MAX_AWS_REQUEST);
	aws_resp_init(&resp);
	if ((rc = buf_adds(&q, EKS_PAGE)) != FX_OK)
		goto out;
	for (page = 0; page < FX_MAX_AWS_PAGES; page++) {
		rc = eks_call(x, PB_AUDITOR, op, "GET", path, buf_str(&q), NULL,
		    0, &resp);
		if (rc != FX_OK)
			goto out;
		json_array_foreach(aws_j_list(resp.doc, key), i, v) {
			if (json_string_value(v) != NULL &&
			    (rc = fn(x, json_string_value(v), arg)) != FX_OK)
				goto out;
		}
		buf_reset(&q);
		tok = aws_j_str(resp.doc, "nextToken");
		if (tok == NULL || *tok == '\0')
			goto out;
		rc = buf_adds(&q, EKS_PAGE "&nextToken=");
		if (rc == FX_OK)
			rc = sigv4_uri_encode(&q, tok, strlen(tok), 1);
		aws_resp_release(&resp);
		if (rc != FX_OK)
			goto out;
	}
	pb_say(x, "%s: more than %d pages, listing cut", op, FX_MAX_AWS_PAGES);
	rc = FX_ETOOBIG;
out:
	aws_resp_release(&resp);
	buf_release(&q);
	return rc;
}

/* DescribeNodegroup: *ng or NULL (gone, with a pb_say) */
static fx_err
ng_read(struct pb_ctx *x, const char *cluster, const char *name,
    struct aws_resp *resp, const json_t **ng)
{
	char path[EKS_PATH_MAX];
	size_t mark = pb_msg_mark(x);
	fx_err rc;

	*ng = NULL;
	if (!name_ok(cluster) || !name_ok(name)) {
		pb_say(x, "a cluster or node group name fixit cannot use");
		return FX_EINVAL;
	}
	snprintf(path, sizeof(path), "/clusters/%s/node-groups/%s", cluster,
	    name);
	rc = eks_call(x, PB_AUDITOR, "DescribeNodegroup", "GET", path, NULL,
	    NULL, 0, resp);
	if (pb_is_error(rc, resp, EKS_NOTFOUND)) {
		pb_msg_rewind(x, mark);
		rc = FX_OK;
	} else if (rc != FX_OK)
		return rc;
	*ng = json_object_get(resp->doc, "nodegroup");
	if (!json_is_object(*ng))
		*ng = NULL;
	if (*ng == NULL)
		pb_say(x, "node group %s/%s no longer exists", cluster, name);
	return FX_OK;
}

/* what a node group launches: its template's version and the template */
struct ng_src {
	struct aws_resp ver, lt;
	const json_t *item;	/* the version; NULL: none */
	const json_t *template; /* DescribeLaunchTemplates item or NULL */
	int allows;
};

static void
ng_src_release(struct ng_src *s)
{
	aws_resp_release(&s->ver);
	aws_resp_release(&s->lt);
	memset(s, 0, sizeof(*s));
}

static fx_err
ng_src_read(struct pb_ctx *x, const json_t *ng, struct ng_src *s)
{
	const char *id = aws_j_str(ng, "launchTemplate/id");
	const char *v = aws_j_str(ng, "launchTemplate/version");
	fx_err rc;

	memset(s, 0, sizeof(*s));
	if (id == NULL || v == NULL)
		return FX_OK;
	if ((rc = imds_lt_version(x, id, v, &s->ver, &s->item)) != FX_OK)
		return rc;
	s->allows = s->item != NULL &&
		    imds_lt_data_allows_v1(
			json_object_get(s->item, "launchTemplateData"));
	return imds_lt_read(x, id, &s->lt, &s->template);
}

static fx_err
ng_eligible(struct pb_ctx *x, const json_t *ng, const struct ng_src *s,
    struct pb_elig *e)
{
	const json_t *at = json_object_get(ng, "createdAt");
	const char *status = aws_j_str(ng, "status");
	char created[21] = "";
	json_t *lt_tags;

	pb_elig_init(e);
	if (!pb_str_is(status, "ACTIVE"))
		pb_elig_exempt(e, "status %s", status ? status : "unknown");
	if (json_is_number(at))
		fx_iso8601_format((int64_t)json_number_value(at), created);
	imds_elig_common(x, e, json_object_get(ng, "tags"),
	    created[0] ? created : aws_j_str(ng, "createdAt"));
	if (s->template != NULL) {
		lt_tags = pb_ec2_tags(aws_j_list(s->template, "tagSet"));
		if (lt_tags == NULL)
			return FX_ENOMEM;
		pb_elig_tags(x, e, lt_tags, NULL);
		json_decref(lt_tags);
	}
	return FX_OK;
}

struct ng_scan {
	struct pb_found_list *found; /* NULL: only the templates */
	json_t *lts;		     /* NULL: no templates */
	const char *cluster;
};

static fx_err
detect_found(struct pb_ctx *x, struct ng_scan *sc, const json_t *ng)
{
	const char *arn = aws_j_str(ng, "nodegroupArn");
	const char *name = aws_j_str(ng, "nodegroupName");
	char title[FX_MAX_TITLE];
	struct ng_src s;
	struct pb_elig e;
	fx_err rc;

	if (arn == NULL || strstr(arn, ":nodegroup/") == NULL)
		return FX_OK;
	if ((rc = ng_src_read(x, ng, &s)) != FX_OK || !s.allows)
		goto out;
	if ((rc = ng_eligible(x, ng, &s, &e)) != FX_OK || !pb_elig_found(&e))
		goto out;
	snprintf(title, sizeof(title),
	    "EKS node group %.48s/%.48s launches IMDSv1 nodes (launch "
	    "template %.24s version %.12s)",
	    sc->cluster, name ? name : "?", aws_j_str(ng, "launchTemplate/id"),
	    aws_j_str(ng, "launchTemplate/version"));
	rc = imds_found(sc->found, imds_kind_ng.name, arn, arn, title,
	    json_pack("{s:s, s:s?, s:s?, s:s?}", "cluster", sc->cluster,
		"nodegroup", name, "launch_template_id",
		aws_j_str(ng, "launchTemplate/id"), "version",
		aws_j_str(ng, "launchTemplate/version")),
	    json_deep_copy(json_object_get(ng, "tags")), &e);
out:
	ng_src_release(&s);
	return rc;
}

static fx_err
detect_nodegroup(struct pb_ctx *x, const char *name, void *arg)
{
	struct ng_scan *sc = arg;
	struct aws_resp resp;
	const json_t *ng = NULL;
	const char *lt;
	fx_err rc;

	aws_resp_init(&resp);
	if ((rc = ng_read(x, sc->cluster, name, &resp, &ng)) != FX_OK ||
	    ng == NULL)
		goto out;
	/* EKS's own template: no lever (see the top) */
	if ((lt = aws_j_str(ng, "launchTemplate/id")) == NULL)
		goto out;
	if (sc->lts != NULL &&
	    json_array_append_new(sc->lts, json_string(lt)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	if (sc->found != NULL)
		rc = detect_found(x, sc, ng);
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
detect_cluster(struct pb_ctx *x, const char *name, void *arg)
{
	struct ng_scan *sc = arg;
	char path[EKS_PATH_MAX];

	if (!name_ok(name))
		return FX_OK;
	sc->cluster = name;
	snprintf(path, sizeof(path), "/clusters/%s/node-groups", name);
	return eks_names(x, "ListNodegroups", path, "nodegroups",
	    detect_nodegroup, sc);
}

fx_err
imds_ng_detect(struct pb_ctx *x, struct pb_found_list *found, json_t *lts)
{
	struct ng_scan sc = { found, lts, NULL };

	return eks_names(x, "ListClusters", "/clusters", "clusters",
	    detect_cluster, &sc);
}

/* cluster and node group of the ARN rid (.../nodegroup/C/N/UUID) */
static fx_err
ng_names(struct pb_ctx *x, const char *rid, char *cluster, char *name)
{
	const char *p = strstr(rid, ":nodegroup/"), *e;
	size_t n;

	if (p == NULL)
		goto bad;
	p += strlen(":nodegroup/");
	if ((e = strchr(p, '/')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n > EKS_NAME_MAX)
		goto bad;
	memcpy(cluster, p, n);
	cluster[n] = '\0';
	p = e + 1;
	if ((e = strchr(p, '/')) == NULL)
		e = p + strlen(p);
	if ((n = (size_t)(e - p)) == 0 || n > EKS_NAME_MAX)
		goto bad;
	memcpy(name, p, n);
	name[n] = '\0';
	if (name_ok(cluster) && name_ok(name))
		return FX_OK;
bad:
	pb_say(x, "%s names no EKS node group", rid);
	return FX_EINVAL;
}

static fx_err
ng_check(struct pb_ctx *x, const char *rid, enum pb_verdict *v)
{
	char cluster[EKS_NAME_MAX + 1], name[EKS_NAME_MAX + 1], what[240];
	struct aws_resp resp;
	const json_t *ng = NULL;
	struct ng_src s;
	struct pb_elig e;
	fx_err rc;

	aws_resp_init(&resp);
	memset(&s, 0, sizeof(s));
	if ((rc = ng_names(x, rid, cluster, name)) != FX_OK)
		goto out;
	if ((rc = ng_read(x, cluster, name, &resp, &ng)) != FX_OK)
		goto out;
	if (ng == NULL) {
		*v = PB_GONE;
		goto out;
	}
	if ((rc = ng_src_read(x, ng, &s)) != FX_OK)
		goto out;
	if ((rc = ng_eligible(x, ng, &s, &e)) != FX_OK)
		goto out;
	snprintf(what, sizeof(what), "EKS node group %s/%s", cluster, name);
	if ((*v = pb_elig_check(x, &e, what)) != PB_WRONG)
		goto out;
	if (!s.allows) {
		*v = PB_RIGHT;
		pb_say(x, "the node group launches IMDSv2-only nodes now");
	}
out:
	ng_src_release(&s);
	aws_resp_release(&resp);
	return rc;
}

/* TagResource: the fixit: tags on the node group, as the tagger */
static fx_err
ng_tag(struct pb_ctx *x, const char *arn, const char *action)
{
	struct aws_resp resp;
	struct buf path = BUF_INIT;
	json_t *tags = pb_fixit_tags(x, action);
	fx_err rc = FX_ENOMEM;

	buf_init(&path, EKS_PATH_MAX * 2);
	if (tags == NULL)
		goto out;
	rc = buf_adds(&path, "/tags/");
	if (rc == FX_OK)
		rc = sigv4_uri_encode(&path, arn, strlen(arn), 1);
	if (rc != FX_OK)
		goto out;
	rc = eks_call(x, PB_TAGGER, "TagResource", "POST", buf_str(&path), NULL,
	    json_pack("{s:O}", "tags", tags), 1, &resp);
	aws_resp_release(&resp);
out:
	json_decref(tags);
	buf_release(&path);
	return rc;
}

/* UpdateNodegroupVersion onto lt version; *update (may be NULL) the id */
static fx_err
ng_update(struct pb_ctx *x, const char *cluster, const char *name,
    const char *lt, const char *version, json_t *prior)
{
	char path[EKS_PATH_MAX];
	struct aws_resp resp;
	const char *uid;
	fx_err rc;

	snprintf(path, sizeof(path),
	    "/clusters/%s/node-groups/%s/update-version", cluster, name);
	rc = eks_call(x, PB_REMEDIATOR, "UpdateNodegroupVersion", "POST", path,
	    NULL,
	    json_pack("{s:{s:s, s:s}}", "launchTemplate", "id", lt, "version",
		version),
	    1, &resp);
	if (rc == FX_OK && prior != NULL &&
	    (uid = aws_j_str(resp.doc, "update/id")) != NULL &&
	    json_object_set_new(prior, "update_id", json_string(uid)) != 0)
		rc = FX_ENOMEM;
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ng_fix(struct pb_ctx *x, const char *rid, json_t **prior)
{
	char cluster[EKS_NAME_MAX + 1], name[EKS_NAME_MAX + 1];
	char made[EKS_VER_MAX];
	struct aws_resp resp;
	const json_t *ng = NULL;
	const char *lt, *ver;
	struct ng_src s;
	json_t *p = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	memset(&s, 0, sizeof(s));
	if ((rc = ng_names(x, rid, cluster, name)) != FX_OK)
		goto out;
	if ((rc = ng_read(x, cluster, name, &resp, &ng)) != FX_OK)
		goto out;
	if (ng == NULL) {
		rc = FX_ENOTFOUND;
		goto out;
	}
	if ((rc = ng_src_read(x, ng, &s)) != FX_OK)
		goto out;
	lt = aws_j_str(ng, "launchTemplate/id");
	ver = aws_j_str(ng, "launchTemplate/version");
	if (!s.allows || s.item == NULL) {
		pb_say(x, "the node group no longer launches IMDSv1 nodes");
		rc = FX_ECONFLICT;
		goto out;
	}
	p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", imds_kind_ng.name,
	    "cluster", cluster, "nodegroup", name, "launch_template_id", lt,
	    "version", ver);
	if (p == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_would(x, p,
	    "roll the node group onto a launch template version with "
	    "HttpTokens=required");
	if (rc != FX_OK)
		goto out;
	if ((rc = ng_tag(x, rid, "require-imdsv2")) != FX_OK)
		goto out;
	if ((rc = imds_lt_new_version(x, lt, s.item, made, sizeof(made))) !=
	    FX_OK)
		goto out;
	if (json_object_set_new(p, "new_version", json_string(made)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = ng_update(x, cluster, name, lt, made, p)) != FX_OK)
		goto out;
	pb_say(x,
	    "%s node group %s/%s onto launch template %s version %s "
	    "(HttpTokens=required): EKS replaces its nodes, rolling",
	    x->dry_run ? "would roll" : "rolling", cluster, name, lt, made);
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	ng_src_release(&s);
	aws_resp_release(&resp);
	return rc;
}

/* the update the fix started is on its way (InProgress, Successful) */
static fx_err
ng_update_ok(struct pb_ctx *x, const char *cluster, const char *name,
    const char *uid, int *ok)
{
	char path[EKS_PATH_MAX], query[EKS_PATH_MAX];
	struct aws_resp resp;
	const char *st;
	fx_err rc;

	if (uid == NULL || !name_ok(uid))
		return FX_OK;
	snprintf(path, sizeof(path), "/clusters/%s/updates/%s", cluster, uid);
	snprintf(query, sizeof(query), "nodegroupName=%s", name);
	rc = eks_call(x, PB_AUDITOR, "DescribeUpdate", "GET", path, query, NULL,
	    0, &resp);
	if (rc == FX_OK) {
		st = aws_j_str(resp.doc, "update/status");
		*ok =
		    pb_str_is(st, "InProgress") || pb_str_is(st, "Successful");
		if (*ok)
			pb_say(x, "update %s: %s", uid, st);
	}
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ng_verify(struct pb_ctx *x, const char *rid, const json_t *prior, int *ok)
{
	char cluster[EKS_NAME_MAX + 1], name[EKS_NAME_MAX + 1];
	const char *want = imds_prior_str(prior, "new_version");
	struct aws_resp resp;
	const json_t *ng = NULL;
	const char *got = NULL;
	fx_err rc;

	aws_resp_init(&resp);
	if ((rc = ng_names(x, rid, cluster, name)) != FX_OK)
		goto out;
	if ((rc = ng_read(x, cluster, name, &resp, &ng)) != FX_OK || ng == NULL)
		goto out;
	got = aws_j_str(ng, "launchTemplate/version");
	*ok = pb_str_is(got, want);
	if (!*ok)
		rc = ng_update_ok(x, cluster, name,
		    imds_prior_str(prior, "update_id"), ok);
	if (rc != FX_OK)
		goto out;
	if (*ok)
		pb_say(x, "verified: version %s rolling out or in use",
		    want ? want : "?");
	else
		pb_say(x, "the node group runs version %s, not %s",
		    got ? got : "?", want ? want : "?");
out:
	aws_resp_release(&resp);
	return rc;
}

static fx_err
ng_undo(struct pb_ctx *x, const char *rid, const json_t *prior)
{
	char cluster[EKS_NAME_MAX + 1], name[EKS_NAME_MAX + 1];
	const char *lt = imds_prior_str(prior, "launch_template_id");
	const char *ver = imds_prior_str(prior, "version");
	fx_err rc;

	if ((rc = ng_names(x, rid, cluster, name)) != FX_OK)
		return rc;
	if (lt == NULL || strncmp(lt, "lt-", 3) != 0 || ver == NULL ||
	    *ver == '\0' || strspn(ver, "0123456789") != strlen(ver)) {
		pb_say(x, "the prior state has no launch template version");
		return FX_EINVAL;
	}
	if ((rc = ng_update(x, cluster, name, lt, ver, NULL)) != FX_OK)
		return rc;
	pb_say(x,
	    "node group %s/%s rolling back onto %s version %s; version %s "
	    "stays",
	    cluster, name, lt, ver,
	    imds_prior_str(prior, "new_version")
		? imds_prior_str(prior, "new_version")
		: "?");
	return ng_tag(x, rid, "undo-require-imdsv2");
}

const struct imds_kind imds_kind_ng = { "eks-nodegroup", ng_check, ng_fix,
	ng_verify, ng_undo };
