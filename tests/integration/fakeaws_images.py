"""fakeaws_images.py - the fake's EC2 AMIs, one model for every playbook
that reads them: snapshot-stale (the AMIs a snapshot backs), imdsv1-
everywhere (ImdsSupport), ec2-stopped / ec2-underused (the image an undo
registers from its snapshots, found again by name on a retry).

State: Region.images {id: {id, name, state, creation_date, tags,
imds_support, snapshots [ids], root, architecture, mappings [{device,
snapshot_id, size, volume_type, iops, delete_on_termination}],
description}}; seeded by "images" (Region.add_image). RegisterImage
(fakeaws_ec2idle.py) makes its records with image_record().

DescribeImages as EC2 answers it: ImageId (an unknown id is
InvalidAMIID.NotFound), Owner (self or the account's id: another owner's
images are none of these), Filter (image-id, name, state,
block-device-mapping.snapshot-id, tags), MaxResults (5 - 1000, not with
ImageId) / NextToken. Standard library only.
"""

import re

import fakeaws_ec2
import fakeaws_state
from fakeaws_proto import (AWSError, action, ec2_filters, ec2_tags, el,
                           items, match_filters, opt)
from fakeaws_state import DEFAULT_TIME, iso, locked, parse_time, tag_dict


def image_record(iid, name, state="available", creation_date=None,
                 tags=None, imds_support=None, snapshots=(), root=None,
                 architecture="x86_64", mappings=(), description=""):
    """One image as Region.images holds it."""
    snaps = list(snapshots) or [m["snapshot_id"] for m in mappings
                                if m.get("snapshot_id")]
    return {"id": iid, "name": name, "state": state,
            "creation_date": DEFAULT_TIME if creation_date is None
            else parse_time(creation_date),
            "tags": tag_dict(tags), "imds_support": imds_support,
            "snapshots": snaps, "root": root, "architecture": architecture,
            "mappings": list(mappings), "description": description}


@locked
def add_image(self, image_id=None, name=None, snapshots=(), state="available",
              tags=None, creation_date=None, created=None,
              imds_support=None):
    """An AMI of the account (backed by EBS snapshots `snapshots`).
    Returns its id."""
    iid = image_id or self._id("ami-")
    self.images[iid] = image_record(
        iid, name or "image-" + iid[4:10], state,
        creation_date if creation_date is not None else created, tags,
        imds_support, snapshots)
    return iid


fakeaws_state.Region.add_image = add_image

IMAGE_FILTERS = {
    "image-id": lambda i: [i["id"]],
    "name": lambda i: [i["name"]],
    "state": lambda i: [i["state"]],
    "block-device-mapping.snapshot-id": lambda i: i["snapshots"],
}


def find_image(ctx, iid):
    """The image, or the error EC2 gives for that id."""
    if not re.match(r"^ami-[0-9a-f]", str(iid)):
        raise AWSError("InvalidAMIID.Malformed", 'Invalid id: "%s"' % iid)
    img = ctx.reg.images.get(iid)
    if img is None:
        raise AWSError("InvalidAMIID.NotFound", "The image id '[%s]' does "
                       "not exist" % iid)
    return img


def _x_mappings(i):
    if i["mappings"]:
        return [[el("deviceName", m["device"]),
                 el("ebs", el("snapshotId", m["snapshot_id"]),
                    el("volumeSize", m["size"]),
                    el("volumeType", m["volume_type"]),
                    el("deleteOnTermination",
                       "true" if m["delete_on_termination"] else "false"))]
                for m in i["mappings"]]
    return [[el("deviceName", "/dev/sd%s" % chr(ord("a") + n)),
             el("ebs", el("snapshotId", s))]
            for n, s in enumerate(i["snapshots"])]


def _x_image(ctx, i):
    return [el("imageId", i["id"]), el("name", i["name"]),
            el("imageState", i["state"]), el("imageOwnerId", ctx.acct.id),
            el("creationDate", iso(i["creation_date"])),
            el("architecture", i["architecture"]),
            el("rootDeviceType", "ebs"), opt("rootDeviceName", i["root"]),
            items("blockDeviceMapping", _x_mappings(i)),
            opt("imdsSupport", i["imds_support"]), ec2_tags(i["tags"])]


@action("ec2", "DescribeImages", ("ImageId", "Owner", "ExecutableBy",
                                  "Filter", "IncludeDeprecated",
                                  "IncludeDisabled", "MaxResults",
                                  "NextToken"))
def describe_images(ctx):
    ids = [str(v) for v in ctx.lst("ImageId")]
    if ids and ctx.get("MaxResults") is not None:
        raise AWSError("InvalidParameterCombination", "The parameter "
                       "imageIdsSet cannot be used with the parameter "
                       "maxResults")
    owners = [str(v) for v in ctx.lst("Owner")]
    objs = [find_image(ctx, i) for i in ids] if ids else \
        list(ctx.reg.images.values())
    if owners and not ({"self", ctx.acct.id} & set(owners)):
        objs = []
    filters = ec2_filters(ctx)
    objs = [i for i in objs if match_filters(i, filters, IMAGE_FILTERS)]
    page, token = fakeaws_ec2._page(ctx, objs, 5, 1000)
    return [items("imagesSet", [_x_image(ctx, i) for i in page]),
            fakeaws_ec2._next(token)]
