/*
 * pb_imds_all.h - what the files of the playbook "imdsv1-everywhere"
 * share (pb_imds_all.c, pb_imds_ami.c, pb_imds_asg.c, pb_imds_eks.c).
 * One playbook, four kinds of resource, told apart by the finding's
 * resource id:
 *
 *   lt-...                       a launch template (pb_imds_all.c)
 *   ami-...                      an AMI the account owns (pb_imds_ami.c)
 *   arn:...:autoscaling:...      an Auto Scaling group (pb_imds_asg.c)
 *   arn:...:eks:...:nodegroup/   an EKS managed node group
 *                                (pb_imds_eks.c)
 *
 * Each kind has its own eligibility function, called by its detect and
 * its check. Every returned json_t is borrowed unless said otherwise.
 */
#ifndef FIXIT_PB_IMDS_ALL_H
#define FIXIT_PB_IMDS_ALL_H

#include <jansson.h>

#include "playbook.h"

/* one kind's steps after detection (the finding's resource is rid) */
struct imds_kind {
	const char *name; /* prior "kind": "launch-template", ... */
	fx_err (*check)(struct pb_ctx *x, const char *rid, enum pb_verdict *v);
	fx_err (*fix)(struct pb_ctx *x, const char *rid, json_t **prior);
	fx_err (*verify)(struct pb_ctx *x, const char *rid, const json_t *prior,
	    int *ok);
	fx_err (*undo)(struct pb_ctx *x, const char *rid, const json_t *prior);
};

extern const struct imds_kind imds_kind_lt, imds_kind_ami, imds_kind_asg,
    imds_kind_ng;

fx_err imds_ami_detect(struct pb_ctx *x, struct pb_found_list *found) FX_WUR;
fx_err imds_asg_detect(struct pb_ctx *x, struct pb_found_list *found) FX_WUR;
/* the node groups; with lts (may be NULL), the ids of the custom
 * launch templates they use are appended to it (strings) */
fx_err imds_ng_detect(struct pb_ctx *x, struct pb_found_list *found,
    json_t *lts) FX_WUR;

/*
 * CreateLaunchTemplate "fixit-imdsv2-FINDING-GROUP" from launch
 * configuration lc (DescribeLaunchConfigurations member) of group:
 * its settings with HttpTokens=required, tagged with the fixit: tags.
 * *id (size bytes) the new template's id; in a dry run "lt-new"
 * (pb_imds_lc.c).
 */
fx_err imds_asg_lc_template(struct pb_ctx *x, const char *group,
    const json_t *lc, char *id, size_t size) FX_WUR;

/* ---- shared (pb_imds_all.c) ------------------------------------------- */

/* 1 when launch template data (or a launch configuration's
 * MetadataOptions, keys as AWS writes them) still answers IMDSv1:
 * HttpTokens not "required" and HttpEndpoint not "disabled" */
int imds_allows_v1(const char *tokens, const char *endpoint);
/* the same for launchTemplateData */
int imds_lt_data_allows_v1(const json_t *data);

/*
 * The guards every kind shares: tags ({key: value}) against the allow
 * tag (parameter allow_tag) and IaC ownership, and the age (created,
 * ISO 8601) against min_age_days.
 */
void imds_elig_common(struct pb_ctx *x, struct pb_elig *e, const json_t *tags,
    const char *created);

/*
 * DescribeLaunchTemplateVersions of launch template id, version
 * ("$Default", "$Latest" or a number): *item the version (its
 * launchTemplateData holds the settings), NULL with a pb_say when AWS
 * has no such template or version.
 */
fx_err imds_lt_version(struct pb_ctx *x, const char *id, const char *version,
    struct aws_resp *resp, const json_t **item) FX_WUR;
/* DescribeLaunchTemplates LaunchTemplateId.1: *lt or NULL (gone) */
fx_err imds_lt_read(struct pb_ctx *x, const char *id, struct aws_resp *resp,
    const json_t **lt) FX_WUR;
/*
 * CreateLaunchTemplateVersion of id from source (a version item read by
 * imds_lt_version): its settings, HttpTokens=required (the other
 * metadata options as they were). *version (at most 24 bytes) is the
 * new version number; in a dry run "new".
 */
fx_err imds_lt_new_version(struct pb_ctx *x, const char *id,
    const json_t *source, char *version, size_t size) FX_WUR;
/* a version number as text ("3"), from a string or an integer */
const char *imds_num(const json_t *v, char *buf, size_t size);
/* the string member key of prior, or NULL */
const char *imds_prior_str(const json_t *prior, const char *key);
/*
 * pb_found with the record's kind in details ("kind"); when e says
 * IaC-owned (found, never changed), also "notify_only": true and
 * "notify_why" (e's reason): a group or node group on a stack's
 * template, which its own tags do not show, or an AMI without fix_amis.
 */
fx_err imds_found(struct pb_found_list *found, const char *kind, const char *id,
    const char *arn, const char *title, json_t *details, json_t *tags,
    const struct pb_elig *e) FX_WUR;

#endif
