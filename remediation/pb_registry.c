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
extern const struct pb_def pb_ec2_stopped;
extern const struct pb_def pb_ec2_underused;
extern const struct pb_def pb_imdsv1_everywhere;
extern const struct pb_def pb_snapshot_stale;
extern const struct pb_def pb_redshift_idle;
extern const struct pb_def pb_lb_unused;
extern const struct pb_def pb_iam_admin_paths;
extern const struct pb_def pb_honeypot_key;
extern const struct pb_def pb_cloudshell_secrets;
extern const struct pb_def pb_tagging_standard;

const struct pb_def *const pb_all[] = { &pb_ec2_imdsv1, &pb_ebs_unused,
	&pb_eip_unassociated, &pb_rds_idle, &pb_route53_ns_only,
	&pb_dangling_dns, &pb_ec2_quarantine, &pb_ec2_quarantine_expired,
	&pb_ec2_stopped, &pb_ec2_underused, &pb_imdsv1_everywhere,
	&pb_snapshot_stale, &pb_redshift_idle, &pb_lb_unused,
	&pb_iam_admin_paths, &pb_honeypot_key, &pb_cloudshell_secrets,
	&pb_tagging_standard, NULL };
