/*
 * pb_registry.c - the built-in playbooks: one line each.
 */
#include <stddef.h>

#include "playbook.h"

extern const struct pb_def pb_ec2_imdsv1;
extern const struct pb_def pb_ebs_unused;
extern const struct pb_def pb_eip_unassociated;
extern const struct pb_def pb_rds_idle;
extern const struct pb_def pb_route53_ns_only;
extern const struct pb_def pb_dangling_dns;
extern const struct pb_def pb_ec2_quarantine;
extern const struct pb_def pb_ec2_quarantine_expired;
extern const struct pb_def pb_iam_admin_paths;

const struct pb_def *const pb_all[] = { &pb_ec2_imdsv1, &pb_ebs_unused,
	&pb_eip_unassociated, &pb_rds_idle, &pb_route53_ns_only,
	&pb_dangling_dns, &pb_ec2_quarantine, &pb_ec2_quarantine_expired,
	&pb_iam_admin_paths, NULL };
