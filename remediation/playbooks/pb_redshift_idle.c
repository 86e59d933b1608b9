/*
 * pb_redshift_idle.c - the "redshift-idle" playbook: provisioned
 * Redshift clusters with no database connection for idle_days are
 * deleted with a final snapshot; undo restores the cluster from it with
 * the recorded configuration.
 *
 * Idle: CloudWatch AWS/Redshift DatabaseConnections (dimension
 * ClusterIdentifier), the daily Maximum over idle_days, every datapoint
 * 0. No datapoint, or one that cannot be read, is "cannot tell": not
 * idle.
 *
 * Eligibility (rs_eligible, the same in detect, check and fix): the
 * cluster is available (a paused one is left alone: its nodes are not
 * billed while paused, only its storage), not allow-tagged, created at
 * least idle_days ago (unknown counts as too young), and its node type
 * has no active reserved node (DescribeReservedNodes: a reservation is
 * paid whether the cluster runs or not, so deleting it saves nothing
 * until the reservation ends). IaC-owned (aws:cloudformation:stack-name,
 * events.iac_tags): found, notify only.
 *
 * Parameters (x->params):
 *   idle_days           days without a connection (default 45; 1..455:
 *                       CloudWatch keeps daily points 455 days)
 *   allow_tag           a cluster with this tag is never touched
 *                       (default "fixit:allow"; any value)
 *   snapshot_poll_ms    undo: pause between polls while the cluster is
 *                       still deleting or the snapshot still creating
 *                       (default 5000)
 *   snapshot_timeout_s  undo: give up waiting after this (default 900)
 *
 * Steps:
 *   detect  DescribeClusters (Marker paging); for each eligible cluster
 *           GetMetricStatistics; DescribeReservedNodes (paged) once per
 *           scan, when a cluster is otherwise eligible.
 *   check   DescribeClusters ClusterIdentifier: ClusterNotFound or
 *           deleting -> GONE; a guard -> KEEP; connections seen -> RIGHT.
 *   fix     the guards and the idleness again, then DeleteCluster with
 *           FinalClusterSnapshotIdentifier fixit-CLUSTER-YYYYMMDD. The
 *           prior state records node type, node count, subnet group,
 *           parameter group, VPC security groups, IAM roles, encryption
 *           (KMS key), port, availability zone, public access and the
 *           user's tags; and usage: redshift_node_hour of the node type,
 *           nodes x 730 a month (the final snapshot's size is not known
 *           when the cluster is deleted: it is not counted).
 *   verify  the cluster is gone or deleting, the final snapshot exists.
 *   undo    wait (bounded) until the cluster is gone and the snapshot
 *           available, RestoreFromClusterSnapshot with the recorded
 *           configuration, then CreateTags: the user's tags back (the
 *           restore takes none), fixit:restored-from=<snapshot>.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "pb_cw.h"
#include "pb_sto_util.h"
#include "playbook.h"
#include "price.h"
#include "banned.h"

#define RS_DAY		 86400
#define RS_MONTH_HOURS	 730
#define RS_NOTFOUND	 "ClusterNotFound"
#define RS_SNAP_NOTFOUND "ClusterSnapshotNotFound"
#define RS_LIST		 "DescribeClustersResult/Clusters"
#define RS_MARKER	 "DescribeClustersResult/Marker"
#define RS_SNAPS	 "DescribeClusterSnapshotsResult/Snapshots"
#define RS_RESERVED	 "DescribeReservedNodesResult/ReservedNodes"
#define RS_RES_MARKER	 "DescribeReservedNodesResult/Marker"

static const struct pb_one rs_cluster_one = { AWS_REDSHIFT, "DescribeClusters",
	"ClusterIdentifier", RS_LIST, "ClusterIdentifier", RS_NOTFOUND };
static const struct pb_one rs_snap_one = { AWS_REDSHIFT,
	"DescribeClusterSnapshots", "SnapshotIdentifier", RS_SNAPS,
	"SnapshotIdentifier", RS_SNAP_NOTFOUND };

struct rs_opts {
	int64_t idle_days;
	const char *allow;
};

/* node types with an active reservation: read once per step */
struct rs_reserved {
	json_t *types; /* node type -> true; NULL until read */
};

/* DatabaseConnections over the window */
static void
rs_opts(struct pb_ctx *x, struct rs_opts *o)
{
	o->idle_days = pb_param_range(x, "idle_days", 45, 1, 455);
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
}

/* ---- reading ------------------------------------------------------------ */

/* Tags/Tag -> {"Key": "Value"} (new reference; NULL on ENOMEM) */
static json_t *
rs_tags(const json_t *c)
{
	return pb_sto_util_tags(aws_j_list(c, "Tags"));
}

static fx_err
rs_reserved_item(struct pb_ctx *x, const json_t *n, void *arg)
{
	struct rs_reserved *r = arg;
	const char *type = pb_sto_util_str(n, "NodeType");

	(void)x;
	if (strcmp(pb_sto_util_str(n, "State"), "active") != 0 || *type == '\0')
		return FX_OK;
	return json_object_set_new(r->types, type, json_true()) == 0
		   ? FX_OK
		   : FX_ENOMEM;
}

/* r->types, read on first use */
static fx_err
rs_reserved_read(struct pb_ctx *x, struct rs_reserved *r)
{
	json_t *p;
	fx_err rc;

	if (r->types != NULL)
		return FX_OK;
	if ((r->types = json_object()) == NULL)
		return FX_ENOMEM;
	if ((p = json_pack("{s:i}", "MaxRecords", 100)) == NULL)
		return FX_ENOMEM;
	rc = pb_list(x, PB_AUDITOR, AWS_REDSHIFT, "DescribeReservedNodes", p,
	    RS_RESERVED, RS_RES_MARKER, rs_reserved_item, r);
	json_decref(p);
	if (rc != FX_OK) {
		/* not read: the next cluster asks again */
		json_decref(r->types);
		r->types = NULL;
	}
	return rc;
}

/*
 * The guards of redshift-idle (playbook.h, eligibility): detect, check
 * and fix call this one function. The reservation guard reads AWS, and
 * only for a cluster no other guard exempts.
 */
static fx_err
rs_eligible(struct pb_ctx *x, const struct rs_opts *o, const json_t *c,
    const json_t *tags, struct rs_reserved *r, struct pb_elig *e)
{
	const char *st = pb_sto_util_str(c, "ClusterStatus");
	const char *type = pb_sto_util_str(c, "NodeType");
	fx_err rc;

	pb_elig_init(e);
	if (strcmp(st, "paused") == 0)
		pb_elig_exempt(e, "paused: its nodes are not billed while "
				  "paused");
	else if (strcmp(st, "available") != 0)
		pb_elig_exempt(e, "%s, not available",
		    *st ? st : "of no state");
	pb_elig_tags(x, e, tags, o->allow);
	pb_elig_age(x, e, aws_j_str(c, "ClusterCreateTime"),
	    o->idle_days * RS_DAY);
	if (e->kind == PB_EXEMPT)
		return FX_OK;
	if ((rc = rs_reserved_read(x, r)) != FX_OK)
		return rc;
	if (json_object_get(r->types, type) != NULL)
		pb_elig_exempt(e,
		    "node type %s has active reserved nodes: paid for "
		    "whether the cluster runs or not",
		    type);
	return FX_OK;
}

/* rs_eligible on c, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
rs_guards(struct pb_ctx *x, const struct rs_opts *o, const json_t *c,
    enum pb_verdict *v)
{
	struct rs_reserved r = { NULL };
	struct pb_elig e;
	json_t *tags;
	char what[96];
	fx_err rc;

	if ((tags = rs_tags(c)) == NULL)
		return FX_ENOMEM;
	rc = rs_eligible(x, o, c, tags, &r, &e);
	json_decref(tags);
	json_decref(r.types);
	if (rc != FX_OK)
		return rc;
	snprintf(what, sizeof(what), "Redshift cluster %s",
	    pb_sto_util_str(c, "ClusterIdentifier"));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

static fx_err
rs_conn(struct pb_ctx *x, const struct rs_opts *o, const char *id,
    struct pb_cw_days *c)
{
	const struct pb_cw_q q = { "AWS/Redshift", "DatabaseConnections",
		"Maximum", { "ClusterIdentifier", id, NULL, NULL },
		o->idle_days };

	return pb_cw_daily(x, &q, c);
}

/* ---- detect ------------------------------------------------------------- */

struct rs_scan {
	struct rs_opts o;
	struct pb_found_list *found;
	struct rs_reserved reserved;
};

static char *
rs_arn(const struct pb_ctx *x, const char *id)
{
	struct buf b = BUF_INIT;

	buf_init(&b, 512);
	if (buf_addf(&b, "arn:aws:redshift:%s:%s:cluster:%s",
		x->region ? x->region : "", x->account_id ? x->account_id : "",
		id) != FX_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static fx_err
rs_found(struct rs_scan *sc, struct pb_ctx *x, const json_t *c,
    const struct pb_cw_days *k, json_t *tags)
{
	const char *id = pb_sto_util_str(c, "ClusterIdentifier");
	const char *type = pb_sto_util_str(c, "NodeType");
	int64_t nodes = pb_sto_util_int(json_object_get(c, "NumberOfNodes"), 0);
	char title[300], *arn = rs_arn(x, id);
	json_t *d;
	fx_err rc = FX_ENOMEM;

	snprintf(title, sizeof(title),
	    "Redshift cluster %s (%lld x %s) had no connections for %lld days",
	    id, (long long)nodes, type, (long long)sc->o.idle_days);
	d = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "node_type", type,
	    "nodes", (json_int_t)nodes, "created",
	    pb_sto_util_str(c, "ClusterCreateTime"), "max_connections",
	    (json_int_t)k->max, "datapoints", (json_int_t)k->points,
	    "idle_days", (json_int_t)sc->o.idle_days);
	if (d == NULL || arn == NULL) {
		json_decref(d);
		json_decref(tags);
		goto out;
	}
	rc = pb_found(sc->found, id, arn, title, d, tags);
out:
	free(arn);
	return rc;
}

static fx_err
rs_item(struct pb_ctx *x, const json_t *c, void *arg)
{
	struct rs_scan *sc = arg;
	const char *id = pb_sto_util_str(c, "ClusterIdentifier");
	json_t *tags = rs_tags(c);
	struct pb_cw_days k;
	struct pb_elig e;
	fx_err rc = FX_OK;

	if (tags == NULL)
		return FX_ENOMEM;
	if (*id == '\0')
		goto out;
	if ((rc = rs_eligible(x, &sc->o, c, tags, &sc->reserved, &e)) !=
	    FX_OK) {
		rc = pb_sto_util_skip(x, rc, id, "reserved nodes");
		goto out;
	}
	if (!pb_elig_found(&e))
		goto out;
	if ((rc = rs_conn(x, &sc->o, id, &k)) != FX_OK) {
		rc = pb_sto_util_skip(x, rc, id, "connection metrics");
		goto out;
	}
	if (pb_cw_all_zero(&k)) {
		rc = rs_found(sc, x, c, &k, tags);
		tags = NULL;
	}
out:
	json_decref(tags);
	return rc;
}

static fx_err
rs_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct rs_scan sc;
	json_t *p;
	fx_err rc;

	memset(&sc, 0, sizeof(sc));
	sc.found = found;
	rs_opts(x, &sc.o);
	if ((p = json_pack("{s:i}", "MaxRecords", 100)) == NULL)
		return FX_ENOMEM;
	rc = pb_list(x, PB_AUDITOR, AWS_REDSHIFT, "DescribeClusters", p,
	    RS_LIST, RS_MARKER, rs_item, &sc);
	json_decref(p);
	json_decref(sc.reserved.types);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

/* the cluster is going or gone */
static int
rs_gone(const json_t *c)
{
	return c == NULL ||
	       strcmp(pb_sto_util_str(c, "ClusterStatus"), "deleting") == 0 ||
	       strcmp(pb_sto_util_str(c, "ClusterStatus"), "final-snapshot") ==
		   0;
}

/* the guards, then the connections: PB_WRONG, PB_KEEP or PB_RIGHT */
static fx_err
rs_judge(struct pb_ctx *x, const struct rs_opts *o, const char *id,
    const json_t *c, enum pb_verdict *v)
{
	struct pb_cw_days k;
	fx_err rc;

	if ((rc = rs_guards(x, o, c, v)) != FX_OK || *v != PB_WRONG)
		return rc;
	if ((rc = rs_conn(x, o, id, &k)) != FX_OK)
		return rc;
	if (!pb_cw_all_zero(&k)) {
		if (k.points == 0 || k.unknown > 0)
			pb_say(x,
			    "Redshift cluster %s: no readable connection "
			    "data for the last %lld days",
			    id, (long long)o->idle_days);
		else
			pb_say(x,
			    "Redshift cluster %s had up to %.0f connections "
			    "in the last %lld days",
			    id, k.max, (long long)o->idle_days);
		*v = PB_RIGHT;
	}
	return FX_OK;
}

static fx_err
rs_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct rs_opts o;
	const json_t *c = NULL;
	const char *id;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	rs_opts(x, &o);
	rc = pb_read_finding(x, finding, &rs_cluster_one, &resp, &id, &c);
	if (rc != FX_OK)
		goto out;
	if (rs_gone(c)) {
		pb_say(x, "Redshift cluster %s no longer exists", id);
		*v = PB_GONE;
		goto out;
	}
	rc = rs_judge(x, &o, id, c, v);
out:
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

/* the values of list's elements at key, as a JSON array of strings */
static json_t *
rs_strings(const json_t *c, const char *list, const char *key)
{
	json_t *a = json_array(), *it;
	size_t i;

	if (a == NULL)
		return NULL;
	json_array_foreach(aws_j_list(c, list), i, it) {
		if (*pb_sto_util_str(it, key) != '\0' &&
		    json_array_append_new(a,
			json_string(pb_sto_util_str(it, key))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* the parameter group of c (the first), or "" */
static const char *
rs_param_group(const json_t *c)
{
	return pb_sto_util_str(json_array_get(aws_j_list(c,
						  "ClusterParameterGroups"),
				   0),
	    "ParameterGroupName");
}

/* what undo needs, and what deleting saves */
static json_t *
rs_prior(const json_t *c, const char *snap)
{
	const char *type = pb_sto_util_str(c, "NodeType");
	int64_t nodes = pb_sto_util_int(json_object_get(c, "NumberOfNodes"), 0);
	json_t *tags = rs_tags(c), *user = pb_user_tags(tags, 0, NULL);
	json_t *sgs = rs_strings(c, "VpcSecurityGroups", "VpcSecurityGroupId");
	json_t *roles = rs_strings(c, "IamRoles", "IamRoleArn");
	json_t *p = NULL;

	json_decref(tags);
	if (user == NULL || sgs == NULL || roles == NULL)
		goto out;
	p = json_pack("{s:s, s:s, s:I, s:s, s:s, s:O, s:O, s:b, s:s?, s:b, "
		      "s:I, s:s, s:s, s:O, s:s}",
	    "cluster_id", pb_sto_util_str(c, "ClusterIdentifier"), "node_type",
	    type, "nodes", (json_int_t)nodes, "subnet_group",
	    pb_sto_util_str(c, "ClusterSubnetGroupName"), "parameter_group",
	    rs_param_group(c), "vpc_security_groups", sgs, "iam_roles", roles,
	    "encrypted", pb_sto_util_true(json_object_get(c, "Encrypted")),
	    "kms_key_id", json_string_value(json_object_get(c, "KmsKeyId")),
	    "publicly_accessible",
	    pb_sto_util_true(json_object_get(c, "PubliclyAccessible")), "port",
	    (json_int_t)pb_sto_util_int(aws_j_get(c, "Endpoint/Port"), 5439),
	    "availability_zone", pb_sto_util_str(c, "AvailabilityZone"),
	    "created", pb_sto_util_str(c, "ClusterCreateTime"), "tags", user,
	    "final_snapshot", snap);
	if (p != NULL && price_usage_add(p, "redshift_node_hour", type,
			     (double)(nodes * RS_MONTH_HOURS)) != FX_OK) {
		json_decref(p);
		p = NULL;
	}
out:
	json_decref(user);
	json_decref(sgs);
	json_decref(roles);
	return p;
}

/* the final snapshot's name: fixit-CLUSTER-YYYYMMDD */
static void
rs_snap_name(const struct pb_ctx *x, const char *id, char *out, size_t len)
{
	char when[21];

	fx_iso8601_format(x->now, when);
	snprintf(out, len, "fixit-%s-%.4s%.2s%.2s", id, when, when + 5,
	    when + 8);
}

static fx_err
rs_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp, del;
	const json_t *c = NULL;
	const char *id;
	struct rs_opts o;
	enum pb_verdict v;
	json_t *p = NULL;
	char snap[300];
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	aws_resp_init(&del);
	rs_opts(x, &o);
	rc = pb_read_finding(x, finding, &rs_cluster_one, &resp, &id, &c);
	if (rc != FX_OK)
		goto out;
	if (rs_gone(c)) {
		pb_say(x, "Redshift cluster %s is gone: not deleted", id);
		rc = FX_ENOTFOUND;
		goto out;
	}
	/* never on an answer that changed since check */
	if ((rc = rs_judge(x, &o, id, c, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	rs_snap_name(x, id, snap, sizeof(snap));
	if ((p = rs_prior(c, snap)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	rc = pb_query(x, PB_REMEDIATOR, AWS_REDSHIFT, "DeleteCluster",
	    json_pack("{s:s, s:s, s:s}", "ClusterIdentifier", id,
		"SkipFinalClusterSnapshot", "false",
		"FinalClusterSnapshotIdentifier", snap),
	    1, &del);
	if (rc != FX_OK)
		goto out;
	if (!x->dry_run)
		pb_say(x, "deleting Redshift cluster %s with final snapshot %s",
		    id, snap);
	rc = pb_would(x, p,
	    "delete the cluster with a final snapshot (undo restores "
	    "from it)");
	if (rc != FX_OK)
		goto out;
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&del);
	aws_resp_release(&resp);
	return rc;
}

/* ---- verify and undo ---------------------------------------------------- */

/* the status of snapshot snap ("" when AWS says it does not exist) */
static fx_err
rs_snapshot(struct pb_ctx *x, const char *snap, char *st, size_t len)
{
	struct aws_resp resp;
	const json_t *s = NULL;
	fx_err rc;

	st[0] = '\0';
	rc = pb_read_one(x, &rs_snap_one, snap, &resp, &s);
	if (rc == FX_OK && s != NULL)
		snprintf(st, len, "%s", pb_sto_util_str(s, "Status"));
	aws_resp_release(&resp);
	return rc;
}

static fx_err
rs_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior, int *ok)
{
	struct aws_resp resp;
	const json_t *c = NULL;
	const char *id = pb_sto_util_str(prior, "cluster_id");
	const char *snap = pb_sto_util_str(prior, "final_snapshot");
	char sst[32];
	fx_err rc;

	(void)finding;
	*ok = 0;
	aws_resp_init(&resp);
	if (*id == '\0' || *snap == '\0') {
		pb_say(x, "the prior state names no cluster or snapshot");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = pb_read_one(x, &rs_cluster_one, id, &resp, &c)) != FX_OK)
		goto out;
	if (!rs_gone(c)) {
		pb_say(x, "Redshift cluster %s still exists (%s)", id,
		    pb_sto_util_str(c, "ClusterStatus"));
		goto out;
	}
	if ((rc = rs_snapshot(x, snap, sst, sizeof(sst))) != FX_OK)
		goto out;
	if (sst[0] == '\0' || strcmp(sst, "failed") == 0) {
		pb_say(x, "final snapshot %s is %s", snap,
		    sst[0] ? sst : "missing");
		goto out;
	}
	pb_say(x, "Redshift cluster %s is going, final snapshot %s is %s", id,
	    snap, sst);
	*ok = 1;
out:
	aws_resp_release(&resp);
	return rc;
}

/*
 * Until the old cluster is gone and the final snapshot available: the
 * restore takes the cluster's own name. FX_ETIMEOUT past the wait,
 * FX_ENOTFOUND without the snapshot.
 */
static fx_err
rs_wait(struct pb_ctx *x, const char *id, const char *snap)
{
	struct aws_resp resp;
	struct pb_sto_poll w;
	const json_t *c;
	char sst[32];
	int64_t i;
	fx_err rc = FX_OK;

	pb_sto_util_poll(x, &w);
	for (i = 0; i < w.polls; i++) {
		c = NULL;
		rc = pb_read_one(x, &rs_cluster_one, id, &resp, &c);
		aws_resp_release(&resp);
		if (rc != FX_OK)
			return rc;
		if ((rc = rs_snapshot(x, snap, sst, sizeof(sst))) != FX_OK)
			return rc;
		if (sst[0] == '\0' || strcmp(sst, "failed") == 0) {
			pb_say(x, "final snapshot %s is %s: nothing to restore",
			    snap, sst[0] ? sst : "missing");
			return FX_ENOTFOUND;
		}
		if (c == NULL && strcmp(sst, "available") == 0)
			return FX_OK;
		if (!pb_sto_util_pause(&w))
			break;
	}
	pb_say(x,
	    "Redshift cluster %s still deleting or snapshot %s not "
	    "available after %lld s",
	    id, snap, (long long)w.timeout_s);
	return FX_ETIMEOUT;
}

/* one list parameter PREFIX.N per string of arr */
static fx_err
rs_list_params(json_t *p, const char *prefix, const json_t *arr)
{
	char key[96];
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		if (json_string_value(v) == NULL)
			continue;
		snprintf(key, sizeof(key), "%s.%zu", prefix, i + 1);
		if (json_object_set_new(p, key,
			json_string(json_string_value(v))) != 0)
			return FX_ENOMEM;
	}
	return FX_OK;
}

/* RestoreFromClusterSnapshot's parameters from the prior state */
static json_t *
rs_restore_params(const json_t *prior)
{
	const char *kms = pb_sto_util_str(prior, "kms_key_id");
	json_t *p;

	p = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "ClusterIdentifier",
	    pb_sto_util_str(prior, "cluster_id"), "SnapshotIdentifier",
	    pb_sto_util_str(prior, "final_snapshot"), "NodeType",
	    pb_sto_util_str(prior, "node_type"), "NumberOfNodes",
	    (json_int_t)pb_sto_util_int(json_object_get(prior, "nodes"), 1),
	    "Port",
	    (json_int_t)pb_sto_util_int(json_object_get(prior, "port"), 5439),
	    "PubliclyAccessible",
	    pb_sto_util_true(json_object_get(prior, "publicly_accessible"))
		? "true"
		: "false");
	if (p == NULL)
		return NULL;
	if ((*pb_sto_util_str(prior, "subnet_group") != '\0' &&
		json_object_set_new(p, "ClusterSubnetGroupName",
		    json_string(pb_sto_util_str(prior, "subnet_group"))) !=
		    0) ||
	    (*pb_sto_util_str(prior, "parameter_group") != '\0' &&
		json_object_set_new(p, "ClusterParameterGroupName",
		    json_string(pb_sto_util_str(prior, "parameter_group"))) !=
		    0) ||
	    (*pb_sto_util_str(prior, "availability_zone") != '\0' &&
		json_object_set_new(p, "AvailabilityZone",
		    json_string(pb_sto_util_str(prior, "availability_zone"))) !=
		    0) ||
	    (*kms != '\0' &&
		json_object_set_new(p, "KmsKeyId", json_string(kms)) != 0) ||
	    rs_list_params(p, "VpcSecurityGroupIds.VpcSecurityGroupId",
		json_object_get(prior, "vpc_security_groups")) != FX_OK ||
	    rs_list_params(p, "IamRoles.IamRoleArn",
		json_object_get(prior, "iam_roles")) != FX_OK) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* the user's tags back on the restored cluster (the restore takes none) */
static fx_err
rs_restore_tags(struct pb_ctx *x, const json_t *prior)
{
	struct aws_resp resp;
	const char *id = pb_sto_util_str(prior, "cluster_id");
	char *arn = rs_arn(x, id);
	json_t *p = NULL;
	fx_err rc = FX_ENOMEM;

	if (arn == NULL ||
	    (p = json_pack("{s:s}", "ResourceName", arn)) == NULL)
		goto out;
	rc = pb_sto_util_tag_restore(x, p, "Tags.Tag.",
	    json_object_get(prior, "tags"),
	    pb_sto_util_str(prior, "final_snapshot"));
	if (rc != FX_OK)
		goto out;
	rc =
	    pb_query(x, PB_REMEDIATOR, AWS_REDSHIFT, "CreateTags", p, 1, &resp);
	p = NULL;
	aws_resp_release(&resp);
out:
	json_decref(p);
	free(arn);
	return rc;
}

static fx_err
rs_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct aws_resp resp;
	const char *id = pb_sto_util_str(prior, "cluster_id");
	const char *snap = pb_sto_util_str(prior, "final_snapshot");
	json_t *p;
	fx_err rc;

	(void)finding;
	aws_resp_init(&resp);
	if (*id == '\0' || *snap == '\0' ||
	    *pb_sto_util_str(prior, "node_type") == '\0') {
		pb_say(x, "the prior state lacks the cluster, snapshot or "
			  "node type");
		return FX_EINVAL;
	}
	if (!x->dry_run && (rc = rs_wait(x, id, snap)) != FX_OK)
		return rc;
	if ((p = rs_restore_params(prior)) == NULL)
		return FX_ENOMEM;
	rc = pb_query(x, PB_REMEDIATOR, AWS_REDSHIFT,
	    "RestoreFromClusterSnapshot", p, 1, &resp);
	aws_resp_release(&resp);
	if (rc != FX_OK)
		return rc;
	if ((rc = rs_restore_tags(x, prior)) != FX_OK)
		return rc;
	pb_say(x, "restoring Redshift cluster %s from snapshot %s", id, snap);
	return FX_OK;
}

const struct pb_def pb_redshift_idle = {
	.name = "redshift-idle",
	.summary = "delete Redshift clusters without connections for "
		   "idle_days, with a final snapshot",
	.irreversible = 0,
	.detect = rs_detect,
	.check = rs_check,
	.fix = rs_fix,
	.verify = rs_verify,
	.undo = rs_undo,
};
