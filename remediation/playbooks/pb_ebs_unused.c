/*
 * pb_ebs_unused.c - the "ebs-unused" playbook: EBS volumes left
 * unattached (state available) for idle_days are snapshotted, then
 * deleted; undo re-creates the volume from the snapshot.
 *
 * How long a volume has been unattached: EC2 does not say, so fixit
 * keeps it in a tag (last_seen_tag, ISO 8601) written on first sight
 * and whenever CloudTrail shows a newer AttachVolume/DetachVolume (the
 * last day of events is read on every scan, and again in check). On
 * first sight the volume counts as unattached since now, so nothing is
 * found before idle_days of scans; a dry run cannot write the tag and
 * counts from the volume's createTime instead. detect and check judge
 * alike (ebs_unattached): a finding's own details (a posted one's
 * last_seen) never stand in for the tag.
 *
 * Eligibility (ebs_eligible, the same in detect, check and fix): the
 * volume is available, not allow-tagged, and at least idle_days old
 * (createTime; unknown counts as too young): a volume cannot have been
 * unattached longer than it exists, whatever a tag says. IaC-owned
 * (aws:cloudformation:stack-name, events.iac_tags): found, notify only.
 *
 * Parameters (x->params):
 *   idle_days           days unattached before a finding (default 45)
 *   allow_tag           a volume with this tag is never touched
 *                       (default "fixit:allow"; any value)
 *   last_seen_tag       the tag holding the last-seen time (default
 *                       "fixit:last-seen"; must start with "fixit:")
 *   snapshot_poll_ms    pause between snapshot polls (default 5000)
 *   snapshot_timeout_s  give up waiting for the snapshot after this,
 *                       without deleting (default 900)
 *
 * Steps:
 *   detect  DescribeVolumes status=available (paged); CloudTrail
 *           LookupEvents EventName=AttachVolume, then DetachVolume, over
 *           the last day (paged), once for all the volumes of the scan
 *           (pb_sto_util_trail_of), and only when a volume is eligible;
 *           CreateTags last-seen when first seen or refreshed.
 *   check   DescribeVolumes VolumeId.1 (+ LookupEvents ResourceName=VOL,
 *           the same judgement on one volume's events): gone -> GONE; a
 *           guard applies -> KEEP; seen attached recently -> RIGHT.
 *   fix     the guards again, then CreateSnapshot (tagged; an earlier completed snapshot of the
 *           same finding is reused), DescribeSnapshots until completed
 *           (bounded), CreateTags action=delete, DeleteVolume.
 *           The prior state's "usage" (price.h): the volume's GiB of its
 *           type removed, the snapshot's added (counted at the volume's
 *           size: an upper bound, a snapshot stores the used blocks).
 *   verify  the volume is gone or deleting, the snapshot exists.
 *   undo    CreateVolume from the snapshot with the user's tags plus
 *           fixit:restored-from=<old volume id>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxtime.h"
#include "playbook.h"
#include "pb_ec2_util.h"
#include "pb_sto_util.h"
#include "price.h"
#include "banned.h"

#define EBS_DAY		  86400
#define EBS_NOTFOUND	  "InvalidVolume.NotFound"
#define EBS_SNAP_NOTFOUND "InvalidSnapshot.NotFound"
#define EBS_DRY_SNAPSHOT  PB_EC2_UTIL_DRY_SNAPSHOT

static const char *const ebs_events[] = { "AttachVolume", "DetachVolume",
	NULL };

static const struct pb_one ebs_vol_one = { AWS_EC2, "DescribeVolumes",
	"VolumeId.1", "volumeSet", "volumeId", EBS_NOTFOUND };
static const struct pb_one ebs_snap_one = { AWS_EC2, "DescribeSnapshots",
	"SnapshotId.1", "snapshotSet", "snapshotId", EBS_SNAP_NOTFOUND };

struct ebs_opts {
	int64_t idle_s;
	const char *allow;
	const char *seen_tag;
};

/* how long a volume has been unattached */
struct ebs_seen {
	int64_t t;	  /* last seen attached (or first seen) */
	const char *from; /* "tag", "cloudtrail", "first-seen", ... */
	int need_tag;	  /* the tag is missing or older than t */
};

static fx_err
ebs_opts(struct pb_ctx *x, struct ebs_opts *o)
{
	o->idle_s = pb_param_range(x, "idle_days", 45, 1, 3650) * EBS_DAY;
	o->allow = pb_param_str(x, "allow_tag", "fixit:allow");
	o->seen_tag = pb_param_str(x, "last_seen_tag", "fixit:last-seen");
	if (!pb_tag_is_fixit(o->seen_tag)) {
		pb_say(x, "last_seen_tag must start with %s", PB_TAG_PREFIX);
		return FX_ECONFIG;
	}
	return FX_OK;
}

/* ---- reading ------------------------------------------------------------ */

/*
 * When vol was last seen attached: its tag, else fallback (>= 0; fb
 * names it), else first sight (now); a newer CloudTrail attach or
 * detach wins: from the detection's one read of the region's events
 * (trail), or a lookup of vid's own (trail NULL: check).
 */
static fx_err
ebs_last_seen(struct pb_ctx *x, const struct ebs_opts *o, const char *vid,
    const json_t *tags, int64_t fallback, const char *fb,
    struct pb_trail *trail, struct ebs_seen *s)
{
	const char *tag = json_string_value(json_object_get(tags, o->seen_tag));
	int64_t ev = 0;
	fx_err rc;

	s->need_tag = 0;
	s->from = "tag";
	if (tag == NULL || fx_iso8601_parse(tag, &s->t) != FX_OK) {
		s->need_tag = 1;
		s->t = fallback;
		s->from = fb;
	}
	if ((rc = pb_sto_util_trail_of(x, trail, ebs_events, x->now - EBS_DAY,
		 vid, &ev)) != FX_OK)
		return rc;
	if (ev > 0 && (s->t < 0 || ev > s->t)) {
		s->t = ev;
		s->from = "cloudtrail";
		s->need_tag = 1;
	}
	if (s->t < 0) {
		s->t = x->now;
		s->from = "first-seen";
	}
	return FX_OK;
}

/*
 * The guards of ebs-unused (playbook.h, eligibility): detect, check and
 * fix call this one function, so a posted finding meets the same guards
 * as a scanned one.
 */
static void
ebs_eligible(struct pb_ctx *x, const struct ebs_opts *o, const json_t *vol,
    const json_t *tags, struct pb_elig *e)
{
	const char *st = pb_sto_util_str(vol, "status");

	pb_elig_init(e);
	if (strcmp(st, "available") != 0)
		pb_elig_exempt(e, "%s, not available",
		    *st ? st : "of no state");
	pb_elig_tags(x, e, tags, o->allow);
	pb_elig_age(x, e, aws_j_str(vol, "createTime"), o->idle_s);
}

/*
 * Since when vol has been unattached, judged the same in detect and
 * check: its tag, else (dry run) its createTime, else now; CloudTrail's
 * events from trail (detect) or of vol alone (NULL: check).
 */
static fx_err
ebs_unattached(struct pb_ctx *x, const struct ebs_opts *o, const json_t *vol,
    const json_t *tags, struct pb_trail *trail, struct ebs_seen *s)
{
	int64_t fallback = -1;

	if (x->dry_run && fx_iso8601_parse(pb_sto_util_str(vol, "createTime"),
			      &fallback) != FX_OK)
		fallback = -1;
	return ebs_last_seen(x, o, pb_sto_util_str(vol, "volumeId"), tags,
	    fallback, "create_time", trail, s);
}

/* ebs_eligible on vol, as a check's verdict: PB_WRONG or PB_KEEP */
static fx_err
ebs_guards(struct pb_ctx *x, const struct ebs_opts *o, const json_t *vol,
    enum pb_verdict *v)
{
	struct pb_elig e;
	json_t *tags;
	char what[96];

	if ((tags = pb_ec2_tags(json_object_get(vol, "tagSet"))) == NULL)
		return FX_ENOMEM;
	ebs_eligible(x, o, vol, tags, &e);
	json_decref(tags);
	snprintf(what, sizeof(what), "volume %s",
	    pb_sto_util_str(vol, "volumeId"));
	*v = pb_elig_check(x, &e, what);
	return FX_OK;
}

/* ---- detect ------------------------------------------------------------- */

struct ebs_scan {
	struct ebs_opts o;
	struct pb_found_list *found;
	struct pb_trail trail; /* the region's attach/detach events */
};

static fx_err
ebs_tag_seen(struct pb_ctx *x, const struct ebs_opts *o, const char *vid,
    int64_t t)
{
	char when[21];
	json_t *extra;
	fx_err rc;

	fx_iso8601_format(t, when);
	if ((extra = json_pack("{s:s}", o->seen_tag, when)) == NULL)
		return FX_ENOMEM;
	rc = pb_tag_ec2(x, vid, "last-seen", extra);
	json_decref(extra);
	return rc;
}

static fx_err
ebs_found(struct ebs_scan *sc, struct pb_ctx *x, const json_t *vol,
    const struct ebs_seen *s, json_t *tags)
{
	const char *vid = pb_sto_util_str(vol, "volumeId");
	const char *type = pb_sto_util_str(vol, "volumeType");
	int64_t size = pb_sto_util_int(json_object_get(vol, "size"), 0);
	char when[21], *arn = pb_ec2_arn(x, "volume", vid), title[300];
	json_t *d;
	fx_err rc = FX_ENOMEM;

	fx_iso8601_format(s->t, when);
	snprintf(title, sizeof(title),
	    "EBS volume %s (%lld GiB, %s) "
	    "unattached since %.10s",
	    vid, (long long)size, type, when);
	d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:b}", "size",
	    (json_int_t)size, "volume_type", type, "availability_zone",
	    pb_sto_util_str(vol, "availabilityZone"), "last_seen", when,
	    "last_seen_from", s->from, "idle_days",
	    (json_int_t)((x->now - s->t) / EBS_DAY), "snapshot_id",
	    pb_sto_util_str(vol, "snapshotId"), "encrypted",
	    pb_sto_util_true(json_object_get(vol, "encrypted")));
	if (d == NULL || arn == NULL) {
		json_decref(d);
		json_decref(tags);
		goto out;
	}
	rc = pb_found(sc->found, vid, arn, title, d, tags);
out:
	free(arn);
	return rc;
}

static fx_err
ebs_item(struct pb_ctx *x, const json_t *vol, void *arg)
{
	struct ebs_scan *sc = arg;
	const char *vid = json_string_value(json_object_get(vol, "volumeId"));
	json_t *tags = pb_ec2_tags(json_object_get(vol, "tagSet"));
	struct pb_elig e;
	struct ebs_seen s;
	fx_err rc = FX_OK;

	if (tags == NULL)
		return FX_ENOMEM;
	if (vid == NULL)
		goto out;
	ebs_eligible(x, &sc->o, vol, tags, &e);
	if (!pb_elig_found(&e))
		goto out;
	/* without the events an attach may be missed: skip it */
	if ((rc = ebs_unattached(x, &sc->o, vol, tags, &sc->trail, &s)) !=
	    FX_OK) {
		rc = pb_sto_util_skip(x, rc, vid, "CloudTrail events");
		goto out;
	}
	if (s.need_tag && (rc = ebs_tag_seen(x, &sc->o, vid, s.t)) != FX_OK) {
		if (rc == FX_ENOMEM)
			goto out;
		rc = FX_OK; /* said by pb_call; counted again next scan */
	}
	if (x->now - s.t >= sc->o.idle_s) {
		rc = ebs_found(sc, x, vol, &s, tags);
		tags = NULL;
	}
out:
	json_decref(tags);
	return rc;
}

static fx_err
ebs_detect(struct pb_ctx *x, struct pb_found_list *found)
{
	struct ebs_scan sc;
	json_t *p = NULL;
	fx_err rc;

	sc.found = found;
	pb_trail_init(&sc.trail);
	if ((rc = ebs_opts(x, &sc.o)) != FX_OK)
		goto out;
	if ((p = json_pack("{s:i}", "MaxResults", 200)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = pb_ec2_filter(p, 1, "status", "available")) != FX_OK)
		goto out;
	rc = pb_list(x, PB_AUDITOR, AWS_EC2, "DescribeVolumes", p, "volumeSet",
	    "nextToken", ebs_item, &sc);
out:
	pb_trail_release(&sc.trail);
	json_decref(p);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

static fx_err
ebs_check(struct pb_ctx *x, const json_t *finding, enum pb_verdict *v)
{
	struct aws_resp resp;
	struct ebs_opts o;
	struct ebs_seen s;
	const json_t *vol = NULL;
	const char *vid, *st;
	json_t *tags = NULL;
	fx_err rc;

	*v = PB_WRONG;
	aws_resp_init(&resp);
	rc = ebs_opts(x, &o);
	if (rc != FX_OK)
		goto out;
	rc = pb_read_finding(x, finding, &ebs_vol_one, &resp, &vid, &vol);
	if (rc != FX_OK)
		goto out;
	st = pb_sto_util_str(vol, "status");
	if (vol == NULL || strcmp(st, "deleting") == 0 ||
	    strcmp(st, "deleted") == 0) {
		pb_say(x, "volume %s no longer exists", vid);
		*v = PB_GONE;
		goto out;
	}
	if ((rc = ebs_guards(x, &o, vol, v)) != FX_OK || *v != PB_WRONG)
		goto out;
	if ((tags = pb_ec2_tags(json_object_get(vol, "tagSet"))) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = ebs_unattached(x, &o, vol, tags, NULL, &s)) != FX_OK)
		goto out;
	if (x->now - s.t < o.idle_s) {
		if (strcmp(s.from, "first-seen") == 0)
			pb_say(x,
			    "volume %s carries no %s: fixit has not seen it "
			    "unattached for idle_days",
			    vid, o.seen_tag);
		else
			pb_say(x,
			    "volume %s was attached or seen %lld days ago", vid,
			    (long long)((x->now - s.t) / EBS_DAY));
		*v = PB_RIGHT;
	}
out:
	json_decref(tags);
	aws_resp_release(&resp);
	return rc;
}

/* ---- fix ---------------------------------------------------------------- */

/* what the fix removes and keeps, monthly (price.h) */
static fx_err
ebs_usage(json_t *p, const json_t *vol)
{
	double gib = (double)pb_sto_util_int(json_object_get(vol, "size"), 0);
	const char *type = pb_sto_util_str(vol, "volumeType");
	fx_err rc;

	/* no type: "ebs_gb" alone, which the table does not price */
	rc = price_usage_add(p, "ebs_gb", *type ? type : NULL, gib);
	if (rc == FX_OK)
		rc = price_usage_add(p, "snapshot_gb", "ebs", -gib);
	return rc;
}

/* what undo needs, from the volume (snapshot_id added later) */
static json_t *
ebs_prior(const json_t *vol)
{
	json_t *p, *tags, *user;

	tags = pb_ec2_tags(json_object_get(vol, "tagSet"));
	user = pb_user_tags(tags, 0, NULL);
	json_decref(tags);
	if (user == NULL)
		return NULL;
	p = json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:b, s:s?, s:o, "
		      "s:s}",
	    "volume_id", pb_sto_util_str(vol, "volumeId"), "availability_zone",
	    pb_sto_util_str(vol, "availabilityZone"), "size",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "size"), 0),
	    "volume_type", pb_sto_util_str(vol, "volumeType"), "iops",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "iops"), 0),
	    "throughput",
	    (json_int_t)pb_sto_util_int(json_object_get(vol, "throughput"), 0),
	    "encrypted", pb_sto_util_true(json_object_get(vol, "encrypted")),
	    "kms_key_id", json_string_value(json_object_get(vol, "kmsKeyId")),
	    "tags", user, "source_snapshot_id",
	    pb_sto_util_str(vol, "snapshotId"));
	return p;
}

/* a completed snapshot of vid: an earlier one of this finding, or new */
static fx_err
ebs_backup(struct pb_ctx *x, const char *vid, char *sid, size_t len)
{
	char before[96];
	fx_err rc;

	snprintf(before, sizeof(before), "deleting %s", vid);
	if ((rc = pb_ec2_util_snapshot(x, vid, before, sid, len)) != FX_OK)
		return rc;
	if (x->dry_run)
		return FX_OK;
	return pb_ec2_util_snap_wait(x, sid, "volume not deleted");
}

static fx_err
ebs_delete(struct pb_ctx *x, const char *vid, const char *sid)
{
	struct aws_resp resp;
	json_t *extra;
	fx_err rc;

	if ((extra = json_pack("{s:s}", "fixit:backup-snapshot", sid)) == NULL)
		return FX_ENOMEM;
	rc = pb_tag_ec2(x, vid, "delete", extra);
	json_decref(extra);
	if (rc != FX_OK)
		return rc;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "DeleteVolume",
	    json_pack("{s:s}", "VolumeId", vid), 1, &resp);
	aws_resp_release(&resp);
	if (rc == FX_OK && !x->dry_run)
		pb_say(x, "deleted volume %s (backup %s)", vid, sid);
	return rc;
}

static fx_err
ebs_fix(struct pb_ctx *x, const json_t *finding, json_t **prior)
{
	struct aws_resp resp;
	const json_t *vol = NULL;
	const char *vid;
	struct ebs_opts o;
	enum pb_verdict v;
	json_t *p = NULL;
	char sid[128];
	fx_err rc;

	*prior = NULL;
	aws_resp_init(&resp);
	if ((rc = ebs_opts(x, &o)) != FX_OK)
		goto out;
	if ((rc = pb_read_finding(x, finding, &ebs_vol_one, &resp, &vid,
		 &vol)) != FX_OK)
		goto out;
	if (vol == NULL ||
	    strcmp(pb_sto_util_str(vol, "status"), "available") != 0) {
		pb_say(x, "volume %s is %s: not deleted", vid,
		    vol == NULL ? "gone" : pb_sto_util_str(vol, "status"));
		rc = vol == NULL ? FX_ENOTFOUND : FX_ECONFLICT;
		goto out;
	}
	/* never on an answer that changed since check */
	if ((rc = ebs_guards(x, &o, vol, &v)) != FX_OK)
		goto out;
	if (v != PB_WRONG) {
		rc = FX_ECONFLICT;
		goto out;
	}
	if ((p = ebs_prior(vol)) == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = ebs_backup(x, vid, sid, sizeof(sid))) != FX_OK)
		goto out;
	if (json_object_set_new(p, "snapshot_id", json_string(sid)) != 0) {
		rc = FX_ENOMEM;
		goto out;
	}
	if ((rc = ebs_usage(p, vol)) != FX_OK)
		goto out;
	rc = ebs_delete(x, vid, sid);
	if (rc != FX_OK)
		goto out;
	rc = pb_would(x, p,
	    "snapshot the volume, wait until the snapshot "
	    "completes, tag and delete the volume");
	if (rc != FX_OK)
		goto out;
	*prior = p;
	p = NULL;
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

/* ---- verify and undo ---------------------------------------------------- */

static fx_err
ebs_verify(struct pb_ctx *x, const json_t *finding, const json_t *prior,
    int *ok)
{
	struct aws_resp resp;
	const json_t *item = NULL;
	const char *vid, *sid, *st;
	fx_err rc;

	*ok = 0;
	aws_resp_init(&resp);
	vid = pb_sto_util_str(prior, "volume_id");
	sid = pb_sto_util_str(prior, "snapshot_id");
	if (*vid == '\0' || *sid == '\0') {
		pb_say(x, "the prior state names no volume or snapshot");
		rc = FX_EINVAL;
		goto out;
	}
	if ((rc = pb_read_one(x, &ebs_vol_one, vid, &resp, &item)) != FX_OK)
		goto out;
	st = pb_sto_util_str(item, "status");
	if (item != NULL && strcmp(st, "deleting") != 0 &&
	    strcmp(st, "deleted") != 0) {
		pb_say(x, "volume %s still exists (%s)", vid, st);
		goto out;
	}
	aws_resp_release(&resp);
	if ((rc = pb_read_one(x, &ebs_snap_one, sid, &resp, &item)) != FX_OK)
		goto out;
	st = pb_sto_util_str(item, "status");
	if (item == NULL || strcmp(st, "error") == 0) {
		pb_say(x, "backup snapshot %s is %s", sid,
		    item == NULL ? "missing" : st);
		goto out;
	}
	pb_say(x, "volume %s is gone, snapshot %s is %s", vid, sid, st);
	*ok = 1;
out:
	aws_resp_release(&resp);
	return rc;
}

/* CreateVolume parameters from the prior state */
static fx_err
ebs_undo_params(struct pb_ctx *x, const json_t *prior, json_t *p)
{
	const char *type = pb_sto_util_str(prior, "volume_type");
	int64_t iops = pb_sto_util_int(json_object_get(prior, "iops"), 0);
	int64_t tput = pb_sto_util_int(json_object_get(prior, "throughput"), 0);

	/* AWS takes Iops only for provisioned types, Throughput for gp3 */
	if (iops > 0 &&
	    (strcmp(type, "io1") == 0 || strcmp(type, "io2") == 0 ||
		strcmp(type, "gp3") == 0) &&
	    json_object_set_new(p, "Iops", json_integer(iops)) != 0)
		return FX_ENOMEM;
	if (tput > 0 && strcmp(type, "gp3") == 0 &&
	    json_object_set_new(p, "Throughput", json_integer(tput)) != 0)
		return FX_ENOMEM;
	return pb_sto_util_tag_restore(x, p, "TagSpecification.1.Tag.",
	    json_object_get(prior, "tags"),
	    pb_sto_util_str(prior, "volume_id"));
}

static fx_err
ebs_undo(struct pb_ctx *x, const json_t *finding, const json_t *prior)
{
	struct aws_resp resp;
	const char *vid = pb_sto_util_str(prior, "volume_id");
	const char *sid = pb_sto_util_str(prior, "snapshot_id");
	const char *az = pb_sto_util_str(prior, "availability_zone");
	const char *type = pb_sto_util_str(prior, "volume_type");
	int64_t size = pb_sto_util_int(json_object_get(prior, "size"), 0);
	json_t *p = NULL;
	char token[96];
	fx_err rc;

	aws_resp_init(&resp);
	if (*vid == '\0' || *sid == '\0' || *az == '\0' ||
	    strcmp(sid, EBS_DRY_SNAPSHOT) == 0) {
		pb_say(x, "the prior state lacks the volume, snapshot or zone");
		rc = FX_EINVAL;
		goto out;
	}
	/* the same token makes a retried undo return the same volume */
	snprintf(token, sizeof(token), "fixit-%lld-%s",
	    (long long)x->finding_id, vid);
	p = json_pack("{s:s, s:s, s:s, s:s}", "SnapshotId", sid,
	    "AvailabilityZone", az, "TagSpecification.1.ResourceType", "volume",
	    "ClientToken", token);
	rc = FX_ENOMEM;
	if (p == NULL)
		goto out;
	if (*type != '\0' &&
	    json_object_set_new(p, "VolumeType", json_string(type)) != 0)
		goto out;
	if (size > 0 && json_object_set_new(p, "Size", json_integer(size)) != 0)
		goto out;
	rc = ebs_undo_params(x, prior, p);
	if (rc != FX_OK)
		goto out;
	rc = pb_query(x, PB_REMEDIATOR, AWS_EC2, "CreateVolume", p, 1, &resp);
	p = NULL;
	if (rc != FX_OK)
		goto out;
	pb_say(x, "restored %s from snapshot %s as volume %s", vid, sid,
	    x->dry_run ? "(dry run)" : pb_sto_util_str(resp.doc, "volumeId"));
out:
	json_decref(p);
	aws_resp_release(&resp);
	return rc;
}

const struct pb_def pb_ebs_unused = {
	.name = "ebs-unused",
	.summary = "snapshot, then delete EBS volumes unattached for "
		   "idle_days",
	.irreversible = 0,
	.detect = ebs_detect,
	.check = ebs_check,
	.fix = ebs_fix,
	.verify = ebs_verify,
	.undo = ebs_undo,
};
