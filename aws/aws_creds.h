/*
 * aws_creds.h - where fixitd's own AWS credentials come from, and the
 * per-account roles it assumes with them.
 *
 * Base credentials, first source that has them wins (as the AWS SDKs):
 *   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      unless a profile was named (config aws.profile or AWS_PROFILE);
 *   2. a web identity token: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (+ AWS_ROLE_SESSION_NAME) -> STS AssumeRoleWithWebIdentity (EKS);
 *   3. the shared files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE,
 *      default ~/.aws/credentials and ~/.aws/config), profile
 *      AWS_PROFILE / config / "default": static keys, or role_arn with
 *      source_profile (chained, depth <= 4), credential_source or
 *      web_identity_token_file, external_id, role_session_name;
 *   4. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
 *   5. EC2 instance metadata, IMDSv2 only (token PUT first), unless
 *      AWS_EC2_METADATA_DISABLED=true; endpoint
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254).
 * Temporary credentials are refreshed AWS_CREDS_REFRESH_S before they
 * expire. Assumed roles (sts:AssumeRole, with ExternalId) are cached per
 * (role ARN, external id, session name) until AWS_CREDS_REFRESH_S before
 * their expiry; the cache is bounded.
 *
 * Thread-safe: one mutex guards the cached values; calls to STS and the
 * metadata services are made with the caller's client, outside the lock.
 * One AssumeRole per key at a time: callers that miss the cache while
 * the key's call runs wait for its answer instead of each calling STS.
 * Errors go to *why as one sentence without any key material.
 */
#ifndef FIXIT_AWS_CREDS_H
#define FIXIT_AWS_CREDS_H

#include "aws.h"
#include "buf.h"
#include "fxerr.h"

#define AWS_CREDS_REFRESH_S 300 /* renew this long before expiry */
#define AWS_ROLE_CACHE_MAX  256
#define AWS_ROLE_DURATION_S 3600

struct aws_credsrc;

/* profile: NULL = AWS_PROFILE or "default"; region for STS calls;
 * refresh_s: renew temporary credentials this long before they expire
 * (0 = AWS_CREDS_REFRESH_S) */
fx_err aws_credsrc_new(const char *profile, const char *sts_region,
    int64_t refresh_s, struct aws_credsrc **out) FX_WUR;
void aws_credsrc_free(struct aws_credsrc *s); /* accepts NULL */

/* fixitd's own credentials (a copy the caller releases) */
fx_err aws_credsrc_get(struct aws_credsrc *s, struct aws_client *c,
    struct aws_creds *out, struct buf *why) FX_WUR;

/*
 * Credentials of role_arn assumed with the base credentials, session
 * name session (2-64 of [A-Za-z0-9+=,.@-]; others are replaced by '-').
 * external_id may be NULL.
 */
fx_err aws_credsrc_assume(struct aws_credsrc *s, struct aws_client *c,
    const char *role_arn, const char *external_id, const char *session,
    struct aws_creds *out, struct buf *why) FX_WUR;

#endif
