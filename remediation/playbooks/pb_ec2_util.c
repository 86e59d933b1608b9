/*
 * pb_ec2_util.c - EC2 helpers shared by the EC2 playbooks (see
 * pb_ec2_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxlimits.h"
#include "pb_ec2_util.h"
#include "pb_sto_util.h"
#include "banned.h"

/* the instance `id` in a DescribeInstances answer, or NULL */
static const json_t *
find_instance(const json_t *doc, const char *id)
{
	const json_t *res, *inst;
	size_t i;

	json_array_foreach(aws_j_list(doc, "reservationSet"), i, res) {
		inst = pb_item(res, "instancesSet", "instanceId", id);
		if (inst != NULL)
			return inst;
	}
	return NULL;
}

fx_err
pb_ec2_util_instance(struct pb_ctx *x, enum pb_role role, const char *id,
    struct aws_resp *resp, const json_t **inst)
{
	fx_err rc;

	*inst = NULL;
	rc = pb_query(x, role, AWS_EC2, "DescribeInstances",
	    json_pack("{s:s}", "InstanceId.1", id), 0, resp);
	if (pb_is_error(rc, resp, "InvalidInstanceID.NotFound"))
		rc = FX_OK;
	else if (rc != FX_OK)
		goto out;
	else
		*inst = find_instance(resp->doc, id);
	if (*inst == NULL)
		pb_say(x, "the instance no longer exists");
out:
	return rc;
}

struct each_instance {
	pb_item_fn fn;
	void *arg;
};

/* one reservation of a listing: each of its instances */
static fx_err
each_instance(struct pb_ctx *x, const json_t *res, void *arg)
{
	struct each_instance *e = arg;
	const json_t *inst;
	size_t i;
	fx_err rc = FX_OK;

	json_array_foreach(aws_j_list(res, "instancesSet"), i, inst) {
		if ((rc = e->fn(x, inst, e->arg)) != FX_OK)
			break;
	}
	return rc;
}

fx_err
pb_ec2_util_instances(struct pb_ctx *x, const char *name, const char *value,
    const char *const *states, pb_item_fn fn, void *arg)
{
	struct each_instance e = { fn, arg };
	json_t *p = json_object();
	char key[48];
	size_t i;
	fx_err rc = FX_ENOMEM;

	if (p == NULL)
		goto out;
	rc = pb_ec2_filter(p, 1, name, value);
	if (rc != FX_OK)
		goto out;
	rc = pb_ec2_filter(p, 2, "instance-state-name", states[0]);
	if (rc != FX_OK)
		goto out;
	for (i = 1; states[i] != NULL; i++) {
		snprintf(key, sizeof(key), "Filter.2.Value.%zu", i + 1);
		if (json_object_set_new(p, key, json_string(states[i])) != 0) {
			rc = FX_ENOMEM;
			goto out;
		}
	}
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeInstances", p,
	    "reservationSet", "nextToken", each_instance, &e);
out:
	json_decref(p);
	return rc;
}

fx_err
pb_ec2_util_finding(struct pb_ctx *x, const json_t *finding,
    struct aws_resp *resp, const char **id, const json_t **inst)
{
	fx_err rc;

	*inst = NULL;
	if ((rc = pb_resource(x, finding, id)) != FX_OK)
		return rc;
	return pb_ec2_util_instance(x, PB_AUDITOR, *id, resp, inst);
}

enum pb_verdict
pb_ec2_util_gone(struct pb_ctx *x, const json_t *inst)
{
	if (inst == NULL)
		return PB_GONE;
	if (!pb_ec2_util_ended(inst))
		return PB_WRONG;
	pb_say(x, "the instance is terminated");
	return PB_GONE;
}

int
pb_ec2_util_ended(const json_t *inst)
{
	const char *st = aws_j_str(inst, "instanceState/name");

	return st == NULL || strcmp(st, "terminated") == 0 ||
	       strcmp(st, "shutting-down") == 0;
}

json_t *
pb_ec2_util_group_ids(const json_t *inst)
{
	const json_t *g;
	const char *gid;
	json_t *a = json_array();
	size_t i;

	json_array_foreach(aws_j_list(inst, "groupSet"), i, g) {
		gid = aws_j_str(g, "groupId");
		if (a != NULL && gid != NULL && *gid != '\0' &&
		    json_array_append_new(a, json_string(gid)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *
pb_ec2_util_ids_split(const char *v, const char *prefix, size_t max)
{
	json_t *a = json_array();
	const char *p = v, *e;
	size_t n, plen = strlen(prefix);

	while (a != NULL && p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n <= plen || n > 64 || strncmp(p, prefix, plen) != 0 ||
		    json_array_size(a) >= max ||
		    json_array_append_new(a, json_stringn(p, n)) != 0) {
			json_decref(a);
			a = NULL;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

fx_err
pb_ec2_util_ids_join(const json_t *ids, size_t cap, struct buf *out)
{
	const json_t *id;
	size_t i;
	fx_err rc;

	buf_init(out, cap);
	json_array_foreach((json_t *)ids, i, id) {
		rc = buf_addf(out, "%s%s", i > 0 ? "," : "",
		    json_string_value(id) ? json_string_value(id) : "");
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

const char *
pb_ec2_util_tag(const json_t *tag_set, const char *key)
{
	const json_t *t;
	const char *k;
	size_t i;

	json_array_foreach((json_t *)tag_set, i, t) {
		k = aws_j_str(t, "key");
		if (k != NULL && strcmp(k, key) == 0)
			return aws_j_str(t, "value");
	}
	return NULL;
}

/* the length of s cut to at most max bytes on a UTF-8 boundary */
static int
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/*
 * "EC2 instance ID (Name) WHAT" (the Name tag only when set; cut to fit
 * FX_MAX_TITLE) into out.
 */
static fx_err
instance_title(const json_t *inst, const char *what, struct buf *out)
{
	const char *id = aws_j_str(inst, "instanceId");
	const char *name = pb_ec2_util_tag(aws_j_list(inst, "tagSet"), "Name");
	fx_err rc;

	if (id == NULL)
		id = "?";
	buf_init(out, FX_MAX_TITLE);
	/* ids are short; a long Name is cut so the title always fits */
	if (name != NULL && *name != '\0')
		rc = buf_addf(out, "EC2 instance %.*s (%.*s) %s",
		    utf8_cut(id, 40), id, utf8_cut(name, 150), name, what);
	else
		rc = buf_addf(out, "EC2 instance %.*s %s", utf8_cut(id, 40), id,
		    what);
	return rc;
}

fx_err
pb_ec2_util_found(struct pb_ctx *x, struct pb_found_list *found,
    const char *type, const char *id, const char *title, json_t *details,
    const json_t *obj)
{
	char *arn = pb_ec2_arn(x, type, id);
	fx_err rc = FX_ENOMEM;

	if (details == NULL || arn == NULL)
		goto out;
	rc = pb_found(found, id, arn, title, details,
	    pb_ec2_tags(aws_j_list(obj, "tagSet")));
	details = NULL; /* stolen */
out:
	json_decref(details);
	free(arn);
	return rc;
}

fx_err
pb_ec2_util_found_instance(struct pb_ctx *x, struct pb_found_list *found,
    const json_t *inst, const char *what, json_t *details)
{
	struct buf title = BUF_INIT;
	fx_err rc;

	if ((rc = instance_title(inst, what, &title)) != FX_OK) {
		json_decref(details);
		goto out;
	}
	rc = pb_ec2_util_found(x, found, "instance",
	    aws_j_str(inst, "instanceId"), buf_str(&title), details, inst);
out:
	buf_release(&title);
	return rc;
}

/* ---- snapshots ---------------------------------------------------------- */

static const struct pb_one snap_one = { AWS_EC2, "DescribeSnapshots",
	"SnapshotId.1", "snapshotSet", "snapshotId",
	"InvalidSnapshot.NotFound" };

/*
 * DescribeSnapshots parameters for the snapshots of vid made for finding
 * fid, or NULL: without the filters all one's snapshots are listed, and
 * the caller checks what it gets anyway.
 */
static json_t *
earlier_query(const char *vid, const char *fid)
{
	json_t *p = json_pack("{s:s}", "Owner.1", "self");

	if (p == NULL)
		return NULL;
	if (pb_ec2_filter(p, 1, "volume-id", vid) != FX_OK)
		goto fail;
	if (pb_ec2_filter(p, 2, "tag:fixit:finding", fid) != FX_OK)
		goto fail;
	return p;
fail:
	json_decref(p);
	return NULL;
}

/* a snapshot this finding made earlier (a retried fix), or "" */
static fx_err
snap_earlier(struct pb_ctx *x, const char *vid, char *sid, size_t len)
{
	struct aws_resp resp;
	json_t *p, *it, *tags;
	char fid[24];
	size_t i;
	int mine;
	fx_err rc;

	sid[0] = '\0';
	snprintf(fid, sizeof(fid), "%lld", (long long)x->finding_id);
	p = earlier_query(vid, fid);
	rc = pb_query(x, PB_AUDITOR, AWS_EC2, "DescribeSnapshots", p, 0, &resp);
	json_array_foreach(aws_j_list(resp.doc, "snapshotSet"), i, it) {
		if (rc != FX_OK)
			break;
		/* the filters may be ignored: check what they select */
		tags = pb_ec2_tags(json_object_get(it, "tagSet"));
		mine =
		    tags != NULL &&
		    strcmp(pb_sto_util_str(it, "volumeId"), vid) == 0 &&
		    strcmp(pb_sto_util_str(tags, "fixit:finding"), fid) == 0 &&
		    strcmp(pb_sto_util_str(tags, "fixit:playbook"),
			x->playbook ? x->playbook : "") == 0 &&
		    strcmp(pb_sto_util_str(it, "status"), "error") != 0;
		json_decref(tags);
		if (mine) {
			snprintf(sid, len, "%s",
			    pb_sto_util_str(it, "snapshotId"));
			break;
		}
	}
	aws_resp_release(&resp);
	return rc;
}

/* CreateSnapshot's parameters: the volume, a description, the tags */
static fx_err
snap_params(struct pb_ctx *x, const char *vid, const char *before, json_t **out)
{
	struct pb_tags t;
	json_t *p;
	char desc[160];
	fx_err rc;

	*out = NULL;
	snprintf(desc, sizeof(desc), "fixit: before %s (finding %lld)", before,
	    (long long)x->finding_id);
	p = json_pack("{s:s, s:s, s:s}", "VolumeId", vid, "Description", desc,
	    "TagSpecification.1.ResourceType", "snapshot");
	if (p == NULL)
		return FX_ENOMEM;
	pb_tags_init(&t, p, "TagSpecification.1.Tag.");
	rc = pb_tags_fixit(x, &t, "backup", NULL);
	if (rc != FX_OK)
		goto out;
	rc = pb_tags_add(&t, "fixit:source-volume", vid);
	if (rc != FX_OK)
		goto out;
	*out = p;
	p = NULL;
out:
	json_decref(p);
	return rc;
}

static fx_err
snap_create(struct pb_ctx *x, const char *vid, const char *before, char *sid,
    size_t len)
{
	struct aws_resp resp;
	const char *id;
	json_t *p;
	fx_err rc;

	rc = snap_params(x, vid, before, &p);
	if (rc != FX_OK)
		return rc;
	aws_resp_init(&resp);
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "CreateSnapshot", p, 1, &resp);
	if (rc != FX_OK)
		goto out;
	if ((id = pb_created(x, "CreateSnapshot", resp.doc, "snapshotId",
		 "snapshot", PB_EC2_UTIL_DRY_SNAPSHOT)) == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	snprintf(sid, len, "%s", id);
	if (!x->dry_run)
		pb_say(x, "snapshot %s of %s started", sid, vid);
out:
	aws_resp_release(&resp);
	return rc;
}

fx_err
pb_ec2_util_snapshot(struct pb_ctx *x, const char *vid, const char *before,
    char *sid, size_t len)
{
	fx_err rc;

	if ((rc = snap_earlier(x, vid, sid, len)) != FX_OK)
		return rc;
	if (sid[0] != '\0') {
		pb_say(x, "reusing snapshot %s from an earlier attempt", sid);
		return FX_OK;
	}
	return snap_create(x, vid, before, sid, len);
}

fx_err
pb_ec2_util_snap_wait(struct pb_ctx *x, const char *sid, const char *kept)
{
	struct aws_resp resp;
	struct pb_sto_poll w;
	const json_t *snap;
	const char *st = "pending";
	int64_t i;
	fx_err rc = FX_OK;

	aws_resp_init(&resp);
	pb_sto_util_poll(x, &w);
	for (i = 0; i < w.polls; i++) {
		aws_resp_release(&resp);
		if ((rc = pb_read_one(x, &snap_one, sid, &resp, &snap)) !=
		    FX_OK)
			goto out;
		/* a new snapshot may not be listed yet: still pending */
		st = snap != NULL ? pb_sto_util_str(snap, "status") : "pending";
		if (strcmp(st, "completed") == 0) {
			pb_say(x, "snapshot %s completed", sid);
			goto out;
		}
		if (strcmp(st, "error") == 0 || !pb_sto_util_pause(&w))
			break;
	}
	if (strcmp(st, "error") == 0) {
		pb_say(x, "snapshot %s failed; %s", sid, kept);
		rc = FX_EREMOTE;
	} else {
		pb_say(x, "snapshot %s still %.32s after %lld s; %s", sid, st,
		    (long long)w.timeout_s, kept);
		rc = FX_ETIMEOUT;
	}
out:
	aws_resp_release(&resp);
	return rc;
}
