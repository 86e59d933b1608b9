/*
 * fxlimits.h - every size limit of the project, in one place.
 */
#ifndef FIXIT_FXLIMITS_H
#define FIXIT_FXLIMITS_H

#define FX_BUF_DEFAULT_CAP    (1024 * 1024) /* buf without explicit cap */
#define FX_MAX_SLACK_BODY     (64 * 1024)   /* Slack interactivity/commands */
#define FX_MAX_INGEST_BODY    (4 * 1024 * 1024) /* POST /v1/findings */
#define FX_MAX_INGEST_ITEMS   1000		/* findings per batch */
#define FX_MAX_FIELD	      1024 /* one string field of a finding */
#define FX_MAX_TITLE	      300
#define FX_MAX_DETAILS	      (32 * 1024)   /* serialised details object */
#define FX_MAX_REASON	      2000	    /* exception justification */
#define FX_MAX_EXEC_OUTPUT    (256 * 1024)  /* executor stdout */
#define FX_MAX_SLACK_RESPONSE (1024 * 1024) /* Slack Web API answer */
#define FX_MAX_CONFIG_FILE    (1024 * 1024)
#define FX_MAX_SECRET	      4096
#define FX_MAX_TOKENS	      32  /* ingest tokens */
#define FX_MAX_QUERY_ARGS     32  /* parameters in a request's query */
#define FX_MAX_SSL_CHECK_BODY 512 /* Slack's unsigned ssl_check probe */
#define FX_SLACK_WINDOW_S     300 /* signature timestamp window */
#define FX_SLACK_REJECT_LOG_S 60  /* one log line per refusal reason */
#define FX_MAX_EVENT_BODY     (256 * 1024)	/* one EventBridge event */
#define FX_MAX_AWS_RESPONSE   (8 * 1024 * 1024) /* one AWS API answer */
#define FX_MAX_AWS_REQUEST    (256 * 1024)	/* one AWS API request body */
#define FX_MAX_XML_DEPTH      64	  /* nesting of an AWS XML answer */
#define FX_MAX_AWS_PAGES      1000	  /* pages of one paginated listing */
#define FX_MAX_DETECT_FOUND   100000	  /* findings one detection reports */
#define FX_MAX_PROVENANCE     100000	  /* fix records one step reads */
#define FX_MAX_CRED_FILE      (64 * 1024) /* ~/.aws/credentials, config, token */
#define FX_MAX_SLACK_USER     32	  /* a Slack user id someone picked */

#endif
