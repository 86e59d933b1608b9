/*
 * fxfinding.h - a finding as it enters fixitd: the one typed record that
 * the ingest API (decoded from JSON at the HTTP edge), the scans and the
 * events thread build, and that the state machine takes (sm_ingest).
 *
 * Plain data, no functions. Every pointer is borrowed: whoever builds the
 * record keeps the strings (and details) alive until sm_ingest returns.
 * details is a JSON object because it is stored and shown as one (the
 * finding's details column, the Slack message); NULL when none.
 */
#ifndef FIXIT_FXFINDING_H
#define FIXIT_FXFINDING_H

#include <stdint.h>

struct json_t;

struct finding_in {
	const char *playbook, *account_id, *region, *resource_id;
	const char *resource_arn, *owner_email, *owner_slack_id, *title;
	/* what people know the resource by, when its id is not it (a
	 * zone's name); NULL = resource_id. An admin's undo holds it. */
	const char *human_key;
	const struct json_t *details; /* object or NULL */
	int64_t observed_at;	      /* unix seconds; 0 = now */
	int resolved;		      /* status "resolved" */
	int notify_only;	      /* details name an IaC owner
					 * ("iac_owner") or say notify_only */
};

#endif
