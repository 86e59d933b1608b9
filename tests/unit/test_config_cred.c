/*
 * test_config_cred.c - server/config.c secrets from systemd credentials
 * (LoadCredential=: $CREDENTIALS_DIRECTORY/NAME): each of the five names,
 * the order (a *_file key, then the credential, then the environment),
 * a secret file's mode checks, and the errors, none echoing a secret.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "testhelp.h"
#include "banned.h"

static char tmpdir[] = "/tmp/fixit-test-cred-XXXXXX";
static char creddir[600];

static const char *const cred_names[] = { CRED_SIGNING_SECRET, CRED_BOT_TOKEN,
	CRED_INGEST_TOKENS, CRED_EXTERNAL_ID, CRED_EVENTS_API_KEY };

/* dir/name with text, mode 0400 as systemd makes a credential */
static const char *
put(const char *dir, const char *name, const char *text, unsigned mode)
{
	static char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	chmod(path, 0600);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
clear_env(void)
{
	static const char *const names[] = ENV_SECRETS;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unsetenv(names[i]);
	unsetenv(CRED_DIR_ENV);
}

static fx_err
load(const char *yaml, struct config **c, struct buf *err)
{
	const char *p = put(tmpdir, "c.yaml", yaml, 0600);

	*c = NULL;
	return config_load(p, c, err);
}

#define HEAD "admins: [U0ADMIN1]\nadmin_channel: C0ADM\n"

static void
test_all_five(void)
{
	struct buf err = BUF_INIT;
	struct config *c;
	fx_err rc;

	clear_env();
	put(creddir, CRED_SIGNING_SECRET, "cred-signing\n", 0400);
	put(creddir, CRED_BOT_TOKEN, "xoxb-cred\n", 0400);
	put(creddir, CRED_INGEST_TOKENS, "# ingest\nct1\n\n  ct2  \n", 0400);
	put(creddir, CRED_EXTERNAL_ID, "cred-external-id", 0400);
	put(creddir, CRED_EVENTS_API_KEY, "cred-events-key\n", 0400);
	setenv(CRED_DIR_ENV, creddir, 1);
	TEST("every secret from its credential; tokens one a line") {
		rc = load(HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_STR(c->signing_secret, "cred-signing");
		CHECK_STR(c->bot_token, "xoxb-cred");
		CHECK_INT(c->ningest_tokens, 2);
		CHECK_STR(c->ingest_tokens[0], "ct1");
		CHECK_STR(c->ingest_tokens[1], "ct2");
		CHECK_STR(c->policy->aws.external_id, "cred-external-id");
		CHECK_STR(c->events_key, "cred-events-key");
		config_free(c);
	}
	TEST("a credential wins over the environment") {
		setenv(ENV_BOT_TOKEN, "xoxb-env", 1);
		setenv(ENV_INGEST_TOKENS, "e1,e2,e3", 1);
		rc = load(HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK_STR(c->bot_token, "xoxb-cred");
			CHECK_INT(c->ningest_tokens, 2);
			config_free(c);
		}
	}
	TEST("a *_file key wins over a credential") {
		char yaml[1024];

		put(tmpdir, "bot", "xoxb-file\n", 0600);
		snprintf(yaml, sizeof(yaml),
		    HEAD "slack:\n  mode: live\n  bot_token_file: %s/bot\n",
		    tmpdir);
		rc = load(yaml, &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK_STR(c->bot_token, "xoxb-file");
			CHECK_STR(c->signing_secret, "cred-signing");
			config_free(c);
		}
	}
	TEST("a credential that is not there: the environment") {
		char path[700];

		snprintf(path, sizeof(path), "%s/%s", creddir, CRED_BOT_TOKEN);
		CHECK_INT(unlink(path), 0);
		snprintf(path, sizeof(path), "%s/%s", creddir,
		    CRED_INGEST_TOKENS);
		CHECK_INT(unlink(path), 0);
		rc = load(HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK_STR(c->bot_token, "xoxb-env");
			CHECK_INT(c->ningest_tokens, 3);
			CHECK_STR(c->signing_secret, "cred-signing");
			config_free(c);
		}
		unsetenv(ENV_BOT_TOKEN);
		rc = load(HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "needs the bot token: set "
					    "slack.bot_token_file, the "
					    "credential slack-bot-token or "
					    "FIXIT_SLACK_BOT_TOKEN") != NULL);
	}
	buf_release(&err);
}

static void
test_refused(void)
{
	static const unsigned modes[] = { 0440, 0404, 0604, 0640 };
	struct buf err = BUF_INIT;
	struct config *c;
	char want[1024];
	size_t i;
	fx_err rc;

	TEST("a credential group or others may read is refused") {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			put(creddir, CRED_EVENTS_API_KEY, "key-zzz-secret\n",
			    modes[i]);
			rc = load(HEAD, &c, &err);
			CHECK_INT(rc, FX_ECONFIG);
			snprintf(want, sizeof(want),
			    ": credential events-api-key: secret file "
			    "%s/events-api-key has mode %04o",
			    creddir, modes[i]);
			CHECK(strstr(buf_str(&err), want) != NULL);
			CHECK(strstr(buf_str(&err), "zzz") == NULL);
		}
		put(creddir, CRED_EVENTS_API_KEY, "", 0400);
		rc = load(HEAD, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "credential events-api-key: cannot "
					    "use secret file") != NULL);
		put(creddir, CRED_EVENTS_API_KEY, "k\n", 0400);
	}
	TEST("a bad tokens credential names the credential, not a token") {
		put(creddir, CRED_INGEST_TOKENS, "good-one\nbad one-zzz\n",
		    0400);
		rc = load(HEAD, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err),
			  ": credential ingest-tokens: a "
			  "token contains white space") != NULL);
		CHECK(strstr(buf_str(&err), "zzz") == NULL);
		CHECK(strstr(buf_str(&err), "good-one") == NULL);
		put(creddir, CRED_INGEST_TOKENS, "t\n", 0400);
	}
	TEST("a credential that is a directory is refused") {
		char path[700];

		snprintf(path, sizeof(path), "%s/%s", creddir,
		    CRED_EXTERNAL_ID);
		CHECK_INT(unlink(path), 0);
		CHECK_INT(mkdir(path, 0700), 0);
		rc = load(HEAD, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "credential aws-external-id: "
					    "cannot use secret file") != NULL);
		CHECK(strstr(buf_str(&err), "not a regular file") != NULL);
		CHECK_INT(rmdir(path), 0);
	}
	TEST("CREDENTIALS_DIRECTORY: relative refused, empty ignored") {
		setenv(CRED_DIR_ENV, "creds", 1);
		rc = load(HEAD, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), ": CREDENTIALS_DIRECTORY: not an "
					    "absolute path: creds") != NULL);
		setenv(CRED_DIR_ENV, "", 1);
		rc = load(HEAD, &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK(c->signing_secret == NULL);
			CHECK(c->events_key == NULL);
			config_free(c);
		}
	}
	clear_env();
	buf_release(&err);
}

int
main(void)
{
	char path[700];
	size_t i;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(creddir, sizeof(creddir), "%s/credentials", tmpdir);
	if (mkdir(creddir, 0700) != 0) {
		perror(creddir);
		return 2;
	}
	test_all_five();
	test_refused();
	for (i = 0; i < sizeof(cred_names) / sizeof(cred_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", creddir, cred_names[i]);
		unlink(path);
	}
	rmdir(creddir);
	snprintf(path, sizeof(path), "%s/c.yaml", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bot", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return TEST_REPORT();
}
