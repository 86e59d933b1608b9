/*
 * config.h - fixitd's configuration: YAML (libyaml), table-driven,
 * validated completely before any thread starts.
 *
 * Secrets never come from the YAML file: each comes from a *_file key (a
 * path), else from the systemd credential of its name in
 * $CREDENTIALS_DIRECTORY (LoadCredential=), else from its environment
 * variable. A secret-looking key in the
 * file (signing_secret, bot_token, tokens) is an error that says where to
 * put it instead.
 */
#ifndef FIXIT_CONFIG_H
#define FIXIT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "aws.h"
#include "buf.h"
#include "fxerr.h"
#include "policy.h"

/* the environment variables secrets may come from (config.c reads them,
 * main.c wipes them once read) */
#define ENV_SIGNING_SECRET "FIXIT_SLACK_SIGNING_SECRET"
#define ENV_BOT_TOKEN	   "FIXIT_SLACK_BOT_TOKEN"
#define ENV_INGEST_TOKENS  "FIXIT_INGEST_TOKENS"
#define ENV_EXTERNAL_ID	   "FIXIT_AWS_EXTERNAL_ID"
#define ENV_EVENTS_API_KEY "FIXIT_EVENTS_API_KEY"
#define ENV_SECRETS                                                            \
	{                                                                      \
		ENV_SIGNING_SECRET, ENV_BOT_TOKEN, ENV_INGEST_TOKENS,          \
		    ENV_EXTERNAL_ID, ENV_EVENTS_API_KEY                        \
	}

/* the systemd credentials (LoadCredential=NAME:PATH) secrets may come
 * from, read from $CREDENTIALS_DIRECTORY/NAME with a secret file's checks */
#define CRED_DIR_ENV	    "CREDENTIALS_DIRECTORY"
#define CRED_SIGNING_SECRET "slack-signing-secret"
#define CRED_BOT_TOKEN	    "slack-bot-token"
#define CRED_INGEST_TOKENS  "ingest-tokens"
#define CRED_EXTERNAL_ID    "aws-external-id"
#define CRED_EVENTS_API_KEY "events-api-key"

enum slack_mode { SLACK_LIVE = 0, SLACK_CONSOLE };

/* http: what one client may cost (http_guard.h) */
struct http_limits {
	int max_connections;  /* all clients together */
	int per_address;      /* from one client address; 0: no limit */
	int64_t head_timeout; /* seconds to send a request's head */
	int64_t body_timeout; /* seconds to send its whole body */
	int64_t idle_timeout; /* seconds without a byte either way */
	int body_memory;      /* MiB of request bodies buffered at once */
};

struct config {
	char *path;
	char *listen_host; /* "127.0.0.1" */
	int listen_port;   /* 0: any free port (the ready line says it) */
	char *database;	   /* SQLite file path */
	int64_t tick;	   /* timer tick, seconds (>= 1) */
	int log_level;	   /* enum log_level */
	int http_threads;  /* HTTP threads; 0: one per CPU core */
	int64_t retention; /* seconds delivered messages, processed
				 * events and scan records are kept */

	enum slack_mode slack_mode;
	char *slack_api_base;	    /* "https://slack.com/api/" (ends in '/') */
	char *signing_secret;	    /* NULL when unset (console mode only) */
	char *bot_token;	    /* NULL when unset (console mode only) */
	char *slack_command;	    /* the slash command answered: "/fixit" */
	int slack_pace;		    /* keep to Slack's tiers (sender_pace.h) */
	int64_t owner_cache_ttl;    /* seconds an email->user id is kept */
	int outbox_max_attempts;    /* then the row is dead-lettered */
	int64_t outbox_max_backoff; /* seconds */
	/* seconds a /fixit command may take before its answer goes to the
	 * response_url instead (cmdq.h); 0: always */
	int64_t slack_command_deadline;
	char *slack_hooks_base; /* the only response_url base posted to:
				 * "https://hooks.slack.com/" */

	char **ingest_tokens; /* bearer tokens for the /v1 API; may be empty */
	size_t ningest_tokens;

	char *events_header; /* header carrying the events API key */
	char *events_key;    /* POST /v1/events; NULL: the route is off */

	struct aws_cfg aws_client; /* aws: endpoints and retries */

	struct http_limits http; /* the http section */

	struct policy *policy;
};

/*
 * Parse and validate. On error returns FX_ECONFIG (or FX_ENOMEM) and puts
 * "FILE:LINE: KEY: what is wrong" into err; *out is untouched.
 */
fx_err config_load(const char *path, struct config **out,
    struct buf *err) FX_WUR;
void config_free(struct config *c); /* wipes secrets; accepts NULL */

#endif
