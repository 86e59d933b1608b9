/*
 * test_config.c - server/config.c: a full config, every default, every
 * kind of error with its exact line, secrets from files and from the
 * environment, the shipped example and test configs.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "executor.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

static char tmpdir[] = "/tmp/fixit-test-config-XXXXXX";
static char cfgpath[512];

static const char *
tmpfile_with(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	/* as a secret's file must be; whatever the umask */
	chmod(path, 0600);
	return path;
}

static void
clear_env(void)
{
	unsetenv("FIXIT_SLACK_SIGNING_SECRET");
	unsetenv("FIXIT_SLACK_BOT_TOKEN");
	unsetenv("FIXIT_INGEST_TOKENS");
}

/* load text as c.yaml; returns the result, *out set on success */
static fx_err
load(const char *text, struct config **out, struct buf *err)
{
	const char *p = tmpfile_with("c.yaml", text);

	snprintf(cfgpath, sizeof(cfgpath), "%s", p);
	*out = NULL;
	return config_load(cfgpath, out, err);
}

#define MIN_HEAD "admins: [U0ADMIN1]\nadmin_channel: C0ADM\n"

static const char full_yaml[] =
    "listen: 0.0.0.0:0\n"
    "database: /var/lib/fixit/fixit.db\n"
    "tick: 2s\n"
    "lease: 10m\n"
    "log_level: debug\n"
    "http_threads: 8\n"
    "admins: [U0ADMIN1, U0ADMIN2]\n"
    "admin_channel: C0ADMINS\n"
    "slack:\n"
    "  mode: live\n"
    "  api_base: http://127.0.0.1:9999/api\n"
    "  signing_secret_file: @DIR@/sig\n"
    "  bot_token_file: @DIR@/bot\n"
    "  owner_cache_ttl: 1d\n"
    "  outbox_max_attempts: 7\n"
    "  outbox_max_backoff: 90\n"
    "  command_deadline: 1\n"
    "  hooks_base: http://127.0.0.1:9999/hooks\n"
    "  pace: false\n"
    "ingest:\n"
    "  tokens_file: @DIR@/tokens\n"
    "accounts:\n"
    "  - id: \"111122223333\"\n"
    "    name: prod-main\n"
    "    environment: production\n"
    "    channel: C0PROD\n"
    "  - id: 444455556666\n"
    "    name: dev sandbox\n"
    "    environment: non-production\n"
    "    channel: C0DEV\n"
    "playbooks:\n"
    "  - name: ec2-imdsv1\n"
    "    description: Require IMDSv2\n"
    "    mode: enforce\n"
    "    approval: none\n"
    "    grace: 2d\n"
    "    reminder_before: 12h\n"
    "    exceptions: [1m]\n"
    "    exceptions_need_approval: []\n"
    "    max_fixes_per_hour: 0\n"
    "    max_attempts: 5\n"
    "    retry_backoff: 30s\n"
    "    irreversible: false\n"
    "    exception_durations: {1m: 1h, 1y: 2h}\n"
    "    executor:\n"
    "      type: exec\n"
    "      command: [/usr/local/libexec/fixit/imds.sh, --strict]\n"
    "      timeout: 1m\n"
    "  - name: ebs-unused\n";

static char *
expand_dir(const char *tpl)
{
	struct buf b = BUF_INIT;
	const char *p;

	for (p = tpl; *p; p++) {
		if (strncmp(p, "@DIR@", 5) == 0) {
			if (buf_adds(&b, tmpdir) != FX_OK)
				exit(2);
			p += 4;
		} else if (buf_addc(&b, *p) != FX_OK) {
			exit(2);
		}
	}
	return buf_detach(&b);
}

static void
test_full(void)
{
	struct buf err = BUF_INIT;
	struct config *c;
	char *text = expand_dir(full_yaml);
	const struct playbook *pb;
	fx_err rc;

	clear_env();
	tmpfile_with("sig", "s3cr3t-signing\n");
	tmpfile_with("bot", "xoxb-bot-token\n");
	tmpfile_with("tokens", "# ingest tokens\n\ntok-one\n  tok-two  \n"
			       "# tok-commented\n");
	TEST("full config") {
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_STR(c->path, cfgpath);
		CHECK_STR(c->listen_host, "0.0.0.0");
		CHECK_INT(c->listen_port, 0);
		CHECK_STR(c->database, "/var/lib/fixit/fixit.db");
		CHECK_INT(c->tick, 2);
		CHECK_INT(c->policy->lease, 600);
		CHECK_INT(c->log_level, LOG_LVL_DEBUG);
		CHECK_INT(c->http_threads, 8);
		CHECK_INT(c->policy->nadmins, 2);
		CHECK_STR(c->policy->admins[1], "U0ADMIN2");
		CHECK_STR(c->policy->admin_channel, "C0ADMINS");
		CHECK_INT(c->slack_mode, SLACK_LIVE);
		CHECK_STR(c->slack_api_base, "http://127.0.0.1:9999/api/");
		CHECK_STR(c->signing_secret, "s3cr3t-signing");
		CHECK_STR(c->bot_token, "xoxb-bot-token");
		CHECK_INT(c->owner_cache_ttl, 86400);
		CHECK_INT(c->outbox_max_attempts, 7);
		CHECK_INT(c->outbox_max_backoff, 90);
		CHECK_INT(c->slack_command_deadline, 1);
		CHECK_STR(c->slack_hooks_base, "http://127.0.0.1:9999/hooks/");
		CHECK_INT(c->slack_pace, 0);
		CHECK_INT(c->ningest_tokens, 2);
		CHECK_STR(c->ingest_tokens[0], "tok-one");
		CHECK_STR(c->ingest_tokens[1], "tok-two");
		CHECK_INT(c->policy->naccounts, 2);
		CHECK_STR(c->policy->accounts[0].id, "111122223333");
		CHECK_INT(c->policy->accounts[0].env, ENV_PROD);
		CHECK_STR(c->policy->accounts[1].id, "444455556666");
		CHECK_STR(c->policy->accounts[1].name, "dev sandbox");
		CHECK_INT(c->policy->accounts[1].env, ENV_NONPROD);
		CHECK_STR(c->policy->accounts[1].channel, "C0DEV");
		CHECK_INT(c->policy->nplaybooks, 2);
		pb = policy_playbook(c->policy, "ec2-imdsv1");
		CHECK(pb != NULL);
		if (pb == NULL)
			break;
		CHECK_STR(pb->description, "Require IMDSv2");
		CHECK_INT(pb->mode, PB_ENFORCE);
		CHECK_INT(pb->approval, APPROVAL_NONE);
		CHECK_INT(pb->grace, 2 * 86400);
		CHECK_INT(pb->reminder_before, 12 * 3600);
		CHECK_INT(pb->exc_offered, 1u << EXC_1M);
		CHECK_INT(pb->exc_need_approval, 0);
		CHECK_INT(pb->max_fixes_per_hour, 0);
		CHECK_INT(pb->max_attempts, 5);
		CHECK_INT(pb->retry_backoff, 30);
		CHECK_INT(pb->irreversible, 0);
		CHECK_INT(pb->exc_duration[EXC_1M], 3600);
		CHECK_INT(policy_exc_secs(pb, EXC_1Y), 7200);
		CHECK(pb->exec.ops == executor_find("exec"));
		CHECK(pb->exec.state != NULL);
		CHECK_STR(pb->exec.argv[0], "/usr/local/libexec/fixit/imds.sh");
		CHECK_STR(pb->exec.argv[1], "--strict");
		CHECK(pb->exec.argv[2] == NULL);
		CHECK_INT(pb->exec.timeout, 60);
		CHECK_INT(c->policy->playbooks[1].mode, PB_SHADOW);
		config_free(c);
	}
	free(text);
	buf_release(&err);
}

static void
test_defaults(void)
{
	struct buf err = BUF_INIT;
	struct config *c;
	const struct playbook *pb;
	fx_err rc;

	clear_env();
	TEST("every default") {
		rc = load(MIN_HEAD "playbooks:\n  - name: p1\n", &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_STR(c->listen_host, "127.0.0.1");
		CHECK_INT(c->listen_port, 8080);
		CHECK_STR(c->database, "fixit.db");
		CHECK_INT(c->tick, 1);
		CHECK_INT(c->policy->lease, 300);
		CHECK_INT(c->log_level, LOG_LVL_INFO);
		CHECK_INT(c->http_threads, 0);
		CHECK_INT(c->slack_mode, SLACK_CONSOLE);
		CHECK_STR(c->slack_api_base, "https://slack.com/api/");
		CHECK_STR(c->slack_command, "/fixit");
		CHECK(c->signing_secret == NULL);
		CHECK(c->bot_token == NULL);
		CHECK_INT(c->owner_cache_ttl, 7 * 86400);
		CHECK_INT(c->outbox_max_attempts, 50);
		CHECK_INT(c->outbox_max_backoff, 300);
		CHECK_INT(c->slack_command_deadline, 2);
		CHECK_STR(c->slack_hooks_base, "https://hooks.slack.com/");
		CHECK_INT(c->slack_pace, 1);
		CHECK_INT(c->ningest_tokens, 0);
		CHECK_INT(c->policy->naccounts, 0);
		pb = &c->policy->playbooks[0];
		CHECK_STR(pb->name, "p1");
		CHECK_STR(pb->description, "");
		CHECK_INT(pb->mode, PB_SHADOW);
		CHECK_INT(pb->approval, APPROVAL_OWNER);
		CHECK_INT(pb->grace, 48 * 3600);
		CHECK_INT(pb->reminder_before, 24 * 3600);
		CHECK_INT(pb->exc_offered, (1u << EXC_1M) | (1u << EXC_1Y));
		CHECK_INT(pb->exc_need_approval, 1u << EXC_1Y);
		CHECK_INT(pb->max_fixes_per_hour, 10);
		CHECK_INT(pb->max_attempts, 3);
		CHECK_INT(pb->retry_backoff, 60);
		CHECK_INT(pb->irreversible, 0);
		CHECK_INT(pb->exc_duration[EXC_1M], 30 * 86400);
		CHECK_INT(pb->exc_duration[EXC_1Y], 365 * 86400);
		CHECK(pb->exec.ops == executor_find("dry-run"));
		CHECK(pb->exec.argv == NULL);
		CHECK_INT(pb->exec.timeout, 300);
		config_free(c);
	}
	TEST("an aws executor before the name it is named after") {
		rc = load(MIN_HEAD "playbooks:\n  - executor: {type: aws}\n"
				   "    name: ebs-unused\n",
		    &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		pb = &c->policy->playbooks[0];
		CHECK(pb->exec.ops == executor_find("aws"));
		CHECK(pb->exec.state != NULL);
		CHECK_INT(pb->exec.dry_run, 1);
		config_free(c);
	}
	TEST("nested params: text inside, checked by the playbook") {
		json_t *want;

		rc = load(MIN_HEAD
		    "playbooks:\n  - name: tagging-standard\n"
		    "    executor:\n      type: aws\n"
		    "      params:\n        standard:\n"
		    "          \"*\": {required: [owner]}\n"
		    "          ec2:instance: {allowed: {tier: [1, "
		    "two]}}\n        public_first: false\n",
		    &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		want = json_loads("{\"standard\": {\"*\": {\"required\": "
				  "[\"owner\"]}, \"ec2:instance\": "
				  "{\"allowed\": {\"tier\": [\"1\", "
				  "\"two\"]}}}, \"public_first\": false}",
		    0, NULL);
		CHECK(json_equal(c->policy->playbooks[0].exec.params, want));
		json_decref(want);
		config_free(c);
		c = NULL;
		/* the playbook's own check, with the params' line */
		buf_reset(&err);
		rc = load(MIN_HEAD "playbooks:\n  - name: tagging-standard\n"
				   "    executor:\n      type: aws\n"
				   "      params: {standard: {s3: {required: "
				   "[a]}}}\n",
		    &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err),
			  "executor.params: standard.s3: unknown resource "
			  "type") != NULL);
		/* nested too deep */
		buf_reset(&err);
		rc = load(MIN_HEAD
		    "playbooks:\n  - name: tagging-standard\n"
		    "    executor:\n      type: aws\n"
		    "      params: {a: {b: {c: {d: {e: [f]}}}}}\n",
		    &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "nested too deep") != NULL);
	}
	TEST("irreversible: the built-in's mark, config can only add") {
		rc = load(MIN_HEAD
		    "playbooks:\n  - name: eip-unassociated\n"
		    "    executor: {type: aws, dry_run: false}\n"
		    "  - name: imds\n    irreversible: true\n"
		    "    executor: {type: aws, playbook: ec2-imdsv1}\n"
		    "  - name: ec2-imdsv1\n"
		    "    executor: {type: aws}\n",
		    &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_INT(c->policy->playbooks[0].irreversible, 1);
		CHECK_INT(c->policy->playbooks[1].irreversible, 1);
		CHECK_INT(c->policy->playbooks[2].irreversible, 0);
		CHECK_INT(executor_rehearses(&c->policy->playbooks[0].exec), 0);
		CHECK_INT(executor_rehearses(&c->policy->playbooks[2].exec), 1);
		config_free(c);
	}
	TEST("empty sections take their defaults") {
		rc = load(MIN_HEAD "slack:\ningest:\n# tokens_file: x\n"
				   "playbooks:\n  - name: p1\n    executor:\n",
		    &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_INT(c->slack_mode, SLACK_CONSOLE);
		CHECK(c->policy->playbooks[0].exec.ops ==
		      executor_find("dry-run"));
		config_free(c);
	}
	TEST("no accounts, no playbooks") {
		rc = load(MIN_HEAD, &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK_INT(c->policy->nplaybooks, 0);
			config_free(c);
		}
	}
	buf_release(&err);
}

struct err_case {
	const char *yaml;
	const char *want; /* after "FILE" */
};

#define ACC1                                                                   \
	"accounts:\n  - id: \"111122223333\"\n    name: a\n"                   \
	"    environment: production\n    channel: C0A\n"
#define PB1 "playbooks:\n  - name: p1\n"
/* the registry's names, as the executor errors list them: the first
 * ones (a playbook added at the end of the registry keeps this true) */
#define BUILTINS                                                               \
	"ec2-imdsv1, ebs-unused, eip-unassociated, rds-idle, "                 \
	"route53-ns-only, dangling-dns, ec2-quarantine, "                      \
	"ec2-quarantine-expired, ec2-stopped, ec2-underused, "                 \
	"imdsv1-everywhere, snapshot-stale, redshift-idle"

static const struct err_case err_cases[] = {
	/* YAML itself */
	{ MIN_HEAD "tick: [1s\n", ":4: YAML syntax" },
	{ MIN_HEAD "---\ntick: 1s\n", ":4: only one YAML document" },
	{ "- a\n- b\n", ":1: expected a mapping of keys, got a list" },
	/* unknown and duplicate keys */
	{ MIN_HEAD "colour: blue\n", ":3: colour: unknown key" },
	{ MIN_HEAD "slack:\n  mode: console\n  moed: live\n",
	    ":5: slack.moed: unknown key" },
	{ MIN_HEAD PB1 "    executor:\n      type: exec\n      cmd: [/x]\n",
	    ":7: playbooks[0].executor.cmd: unknown key" },
	{ MIN_HEAD "tick: 1s\nlease: 1m\ntick: 2s\n",
	    ":5: tick: duplicate key (first at line 3)" },
	{ "admins: [U1]\nadmins: [U2]\nadmin_channel: C1\n",
	    ":2: admins: duplicate key (first at line 1)" },
	/* required keys */
	{ "admin_channel: C1\n", ":1: admins: required key missing" },
	{ "admins: [U1]\n", ":1: admin_channel: required key missing" },
	{ MIN_HEAD "accounts:\n  - id: \"111122223333\"\n    name: a\n"
		   "    environment: production\n",
	    ":4: accounts[0].channel: required key missing" },
	{ MIN_HEAD "playbooks:\n  - mode: enforce\n",
	    ":4: playbooks[0].name: required key missing" },
	/* wrong types */
	{ "admins: U1\nadmin_channel: C1\n",
	    ":1: admins: expected a list like [U0123ABCD], got a value" },
	{ MIN_HEAD "tick: {a: 1}\n",
	    ":3: tick: expected a single value, got a mapping" },
	{ MIN_HEAD "tick:\n", ":3: tick: missing value" },
	{ MIN_HEAD "slack: console\n",
	    ":3: slack: expected a mapping of keys, got a value" },
	{ MIN_HEAD "accounts:\n  id: 1\n",
	    ":4: accounts: expected a list like [{...}, {...}], got a mapping" },
	{ MIN_HEAD PB1 "    irreversible: yes\n",
	    ":5: playbooks[0].irreversible: expected true or false" },
	/* irreversible: the playbook's own mark; config only adds to it */
	{ MIN_HEAD "playbooks:\n  - name: eip-unassociated\n"
		   "    irreversible: false\n    executor: {type: aws}\n",
	    ":5: playbooks[0].irreversible: playbook eip-unassociated runs a "
	    "fix that cannot be undone; the config can only add" },
	{ MIN_HEAD "playbooks:\n  - name: ec2-quarantine-expired\n"
		   "    approval: none\n    executor: {type: aws}\n",
	    ":5: playbooks[0].approval: playbook ec2-quarantine-expired is "
	    "irreversible" },
	{ MIN_HEAD PB1 "    irreversible: true\n    approval: none\n",
	    ":6: playbooks[0].approval: playbook p1 is irreversible" },
	/* numbers and durations */
	{ MIN_HEAD "http_threads: -1\n",
	    ":3: http_threads: expected a whole number from 0 to 64" },
	{ MIN_HEAD "http_threads: 8x\n", ":3: http_threads: expected a whole" },
	{ MIN_HEAD "slack:\n  command: fixit\n",
	    ":4: slack.command: must be '/' and 1 to 31 characters of a-z, "
	    "0-9, '-' and '_' (/fixit)" },
	{ MIN_HEAD "slack:\n  command: /\n", ":4: slack.command: must be" },
	{ MIN_HEAD "slack:\n  command: /Fixit\n",
	    ":4: slack.command: must be" },
	{ MIN_HEAD "slack:\n  command: /a234567890123456789012345678901x\n",
	    ":4: slack.command: must be" },
	{ MIN_HEAD "slack:\n  outbox_max_attempts: 0\n",
	    ":4: slack.outbox_max_attempts: expected a whole number from 1" },
	{ MIN_HEAD "tick: 5x\n", ":3: tick: expected a duration" },
	{ MIN_HEAD "tick: 0\n", ":3: tick: expected a duration "
				"(90, 2s, 15m, 48h, 30d, 1w) from 1s to 1h" },
	{ MIN_HEAD "lease: -5m\n", ":3: lease: expected a duration" },
	{ MIN_HEAD PB1 "    grace: 1h\n    reminder_before: 1h\n",
	    ":6: playbooks[0].reminder_before: must be less than grace (1h)" },
	{ MIN_HEAD PB1 "    grace: 12h\n",
	    ":4: playbooks[0].reminder_before: must be less than grace (12h)" },
	{ MIN_HEAD PB1 "    exception_durations: {2m: 1d}\n",
	    ":5: playbooks[0].exception_durations.2m: unknown key" },
	{ MIN_HEAD PB1 "    exception_durations: {1y: forever}\n",
	    ":5: playbooks[0].exception_durations.1y: expected a duration" },
	/* enums */
	{ MIN_HEAD "log_level: verbose\n",
	    ":3: log_level: expected one of: error | warn | info | debug" },
	{ MIN_HEAD "slack:\n  mode: offline\n",
	    ":4: slack.mode: expected one of: live | console" },
	{ MIN_HEAD "accounts:\n  - id: \"111122223333\"\n    name: a\n"
		   "    environment: prod\n    channel: C0A\n",
	    ":6: accounts[0].environment: expected one of: non-production | "
	    "production" },
	{ MIN_HEAD PB1 "    mode: fix\n",
	    ":5: playbooks[0].mode: expected one of: off | shadow | notify | "
	    "enforce" },
	{ MIN_HEAD PB1 "    approval: admin\n",
	    ":5: playbooks[0].approval: expected one of: owner | none" },
	{ MIN_HEAD PB1 "    executor: {type: lambda}\n",
	    ":5: playbooks[0].executor.type: expected one of: dry-run | exec" },
	{ MIN_HEAD PB1 "    exceptions: [1m, 2w]\n",
	    ":5: playbooks[0].exceptions[1]: expected 1m or 1y" },
	{ MIN_HEAD PB1 "    exceptions: [1y, 1y]\n",
	    ":5: playbooks[0].exceptions[1]: listed twice" },
	/* identifiers */
	{ MIN_HEAD "accounts:\n  - id: \"11112222333\"\n    name: a\n"
		   "    environment: production\n    channel: C0A\n",
	    ":4: accounts[0].id: must be a 12-digit AWS account id" },
	{ MIN_HEAD ACC1 "  - id: \"111122223333\"\n    name: b\n"
			"    environment: production\n    channel: C0B\n",
	    ":8: accounts[1].id: duplicate account id 111122223333 "
	    "(also accounts[0])" },
	{ MIN_HEAD "accounts:\n  - id: \"111122223333\"\n    name: a\n"
		   "    environment: production\n    channel: c0a\n",
	    ":7: accounts[0].channel: must be a Slack id" },
	{ "admins: [U1, u2]\nadmin_channel: C1\n",
	    ":1: admins[1]: must be a Slack id" },
	{ "admins: []\nadmin_channel: C1\n",
	    ":1: admins: needs at least one Slack user id" },
	{ "admins:\n  - U1\n  - U1\nadmin_channel: C1\n",
	    ":3: admins[1]: listed twice" },
	{ "admins: [U1]\nadmin_channel: '#general'\n",
	    ":2: admin_channel: must be a Slack id" },
	{ MIN_HEAD "playbooks:\n  - name: EC2_imds\n",
	    ":4: playbooks[0].name: must be 1 to 63 characters" },
	{ MIN_HEAD PB1 "  - name: p2\n  - name: p1\n",
	    ":6: playbooks[2].name: duplicate playbook name p1 "
	    "(also playbooks[0])" },
	/* executor */
	{ MIN_HEAD PB1 "    executor:\n      type: exec\n",
	    ":6: playbooks[0].executor.command: type exec needs a command" },
	{ MIN_HEAD PB1 "    executor:\n      type: exec\n      command: []\n",
	    ":6: playbooks[0].executor.command: type exec needs a command" },
	{ MIN_HEAD PB1 "    executor:\n      type: exec\n"
		       "      command: [fix.sh]\n",
	    ":7: playbooks[0].executor.command[0]: must be an absolute path" },
	{ MIN_HEAD PB1 "    executor:\n      type: exec\n"
		       "      command: /bin/fix.sh --all\n",
	    ":7: playbooks[0].executor.command: expected a list" },
	{ MIN_HEAD PB1 "    executor:\n      timeout: 0\n",
	    ":6: playbooks[0].executor.timeout: expected a duration" },
	{ MIN_HEAD "playbooks:\n  - executor: {type: exec}\n    name: p1\n",
	    ":4: playbooks[0].executor.command: type exec needs a command" },
	{ MIN_HEAD PB1 "    executor:\n      type: aws\n",
	    ":6: playbooks[0].executor.playbook: type aws needs a built-in "
	    "playbook: name the playbook after one, or set executor.playbook "
	    "(" BUILTINS },
	{ MIN_HEAD PB1 "    executor:\n      type: aws\n"
		       "      playbook: ec2-imds\n",
	    ":7: playbooks[0].executor.playbook: is not a built-in playbook "
	    "(" BUILTINS },
	/* listen, api_base */
	{ MIN_HEAD "listen: localhost:8080\n",
	    ":3: listen: host must be an IPv4 address" },
	{ MIN_HEAD "listen: 127.0.0.1:65536\n",
	    ":3: listen: port must be a number from 0 to 65535" },
	{ MIN_HEAD "listen: 127.0.0.1\n", ":3: listen: expected host:port" },
	{ MIN_HEAD "slack:\n  api_base: ftp://slack.com/api/\n",
	    ":4: slack.api_base: expected an http:// or https:// URL" },
	{ MIN_HEAD "slack:\n  api_base: https://\n",
	    ":4: slack.api_base: expected an http:// or https:// URL" },
	{ MIN_HEAD "slack:\n  command_deadline: 3s\n",
	    ":4: slack.command_deadline: expected a duration" },
	{ MIN_HEAD "slack:\n  hooks_base: hooks.slack.com\n",
	    ":4: slack.hooks_base: expected an http:// or https:// URL" },
	/* secrets in the file */
	{ MIN_HEAD "slack:\n  signing_secret: abc123\n",
	    ":4: slack.signing_secret: secrets do not belong in the config "
	    "file: use slack.signing_secret_file or FIXIT_SLACK_SIGNING_SECRET" },
	{ MIN_HEAD "slack:\n  bot_token: xoxb-1\n",
	    ":4: slack.bot_token: secrets do not belong in the config file: "
	    "use slack.bot_token_file or FIXIT_SLACK_BOT_TOKEN" },
	{ MIN_HEAD "ingest:\n  tokens: [t1]\n",
	    ":4: ingest.tokens: secrets do not belong in the config file: "
	    "use ingest.tokens_file or FIXIT_INGEST_TOKENS" },
	{ MIN_HEAD "token: abc\n", ":3: token: secrets do not belong" },
	/* secrets missing */
	{ MIN_HEAD "slack:\n  mode: live\n",
	    ":4: slack.mode: live mode needs the signing secret" },
	{ MIN_HEAD "slack:\n  signing_secret_file: /nonexistent/sig\n",
	    ":4: slack.signing_secret_file: cannot use secret file "
	    "/nonexistent/sig: No such file or directory" },
};

static void
test_errors(void)
{
	struct buf err = BUF_INIT;
	struct config *c;
	size_t i;
	fx_err rc;
	char want[512];

	clear_env();
	TEST("errors name FILE:LINE: KEY") {
		for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
			const struct err_case *e = &err_cases[i];

			rc = load(e->yaml, &c, &err);
			snprintf(want, sizeof(want), "%s%s", cfgpath, e->want);
			CHECK_INT(rc, FX_ECONFIG);
			CHECK(c == NULL);
			if (getenv("TEST_VERBOSE") != NULL)
				printf("  %s\n", buf_str(&err));
			if (strncmp(buf_str(&err), want, strlen(want)) != 0) {
				th_failed++;
				printf("  FAIL case %zu\n    got:  %s\n"
				       "    want: %s...\n",
				    i, buf_str(&err), want);
			}
			/* no secret value is ever echoed */
			CHECK(strstr(buf_str(&err), "abc123") == NULL);
			CHECK(strstr(buf_str(&err), "xoxb-1") == NULL);
			if (rc == FX_OK)
				config_free(c);
		}
	}
	TEST("missing file") {
		rc = config_load("/nonexistent/fixit.yaml", &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK_STR(buf_str(&err), "/nonexistent/fixit.yaml: cannot "
					 "open: No such file or directory");
	}
	buf_release(&err);
}

static void
test_secrets(void)
{
	struct buf err = BUF_INIT;
	struct config *c;
	char *text;
	fx_err rc;

	clear_env();
	TEST("secrets from the environment") {
		setenv("FIXIT_SLACK_SIGNING_SECRET", "env-signing", 1);
		setenv("FIXIT_SLACK_BOT_TOKEN", "xoxb-env\n", 1);
		setenv("FIXIT_INGEST_TOKENS", " t1, t2 ,,t3", 1);
		rc = load(MIN_HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK) {
			printf("  %s\n", buf_str(&err));
			break;
		}
		CHECK_STR(c->signing_secret, "env-signing");
		CHECK_STR(c->bot_token, "xoxb-env");
		CHECK_INT(c->ningest_tokens, 3);
		CHECK_STR(c->ingest_tokens[0], "t1");
		CHECK_STR(c->ingest_tokens[1], "t2");
		CHECK_STR(c->ingest_tokens[2], "t3");
		config_free(c);
	}
	TEST("a *_file key wins over the environment") {
		tmpfile_with("bot2", "xoxb-from-file\n");
		text = expand_dir(MIN_HEAD "slack:\n"
					   "  bot_token_file: @DIR@/bot2\n");
		rc = load(text, &c, &err);
		free(text);
		CHECK_INT(rc, FX_OK);
		if (rc == FX_OK) {
			CHECK_STR(c->bot_token, "xoxb-from-file");
			config_free(c);
		}
	}
	TEST("live mode needs the bot token") {
		unsetenv("FIXIT_SLACK_BOT_TOKEN");
		rc = load(MIN_HEAD "slack:\n  mode: live\n", &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), ":4: slack.mode: live mode needs "
					    "the bot token") != NULL);
	}
	clear_env();
	TEST("bad tokens files; values never echoed") {
		tmpfile_with("tk", "good-token\nbad token-zzz\n");
		text = expand_dir(MIN_HEAD "ingest:\n"
					   "  tokens_file: @DIR@/tk\n");
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), ":4: ingest.tokens_file: a token "
					    "contains white space") != NULL);
		CHECK(strstr(buf_str(&err), "zzz") == NULL);
		CHECK(strstr(buf_str(&err), "good-token") == NULL);
		tmpfile_with("tk", "# only a comment\n\n");
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "no token found") != NULL);
		{
			struct buf many = BUF_INIT;
			int i;

			for (i = 0; i < 33 && rc != FX_ENOMEM; i++)
				rc = buf_addf(&many, "tok%d\n", i);
			tmpfile_with("tk", buf_str(&many));
			buf_release(&many);
		}
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "more than 32 tokens") != NULL);
		tmpfile_with("tk", "");
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), ":4: ingest.tokens_file: cannot "
					    "use secret file") != NULL);
		free(text);
	}
	TEST("a secret file group or others may use is refused") {
		static const unsigned modes[] = { 0644, 0640, 0604, 0620, 0602,
			0610, 0400 };
		char want[256];
		size_t i;

		tmpfile_with("sig", "sig-zzz-secret\n");
		text =
		    expand_dir(MIN_HEAD "slack:\n"
					"  signing_secret_file: @DIR@/sig\n");
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			CHECK_INT(chmod(tmpfile_with("sig", "sig-zzz-secret\n"),
				      modes[i]),
			    0);
			rc = load(text, &c, &err);
			if (modes[i] == 0400) {
				CHECK_INT(rc, FX_OK);
				if (rc == FX_OK) {
					CHECK_STR(c->signing_secret,
					    "sig-zzz-secret");
					config_free(c);
				}
				continue;
			}
			CHECK_INT(rc, FX_ECONFIG);
			snprintf(want, sizeof(want),
			    ":4: slack.signing_secret_file: secret file "
			    "%s/sig has mode %04o: group and others must have "
			    "no access (chmod 600 %s/sig)",
			    tmpdir, modes[i], tmpdir);
			CHECK(strstr(buf_str(&err), want) != NULL);
			CHECK(strstr(buf_str(&err), "zzz") == NULL);
		}
		free(text);
		text = expand_dir(MIN_HEAD "slack:\n"
					   "  signing_secret_file: @DIR@\n");
		rc = load(text, &c, &err);
		CHECK_INT(rc, FX_ECONFIG);
		CHECK(strstr(buf_str(&err), "not a regular file") != NULL);
		free(text);
	}
	buf_release(&err);
}

static void
test_durations(void)
{
	static const struct {
		const char *in;
		long long secs;
	} d[] = {
		{ "90", 90 },
		{ "2s", 2 },
		{ "15m", 900 },
		{ "48h", 172800 },
		{ "30d", 2592000 },
		{ "1w", 604800 },
	};
	struct buf err = BUF_INIT, y = BUF_INIT;
	struct config *c;
	size_t i;
	fx_err rc;

	clear_env();
	TEST("durations") {
		for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
			buf_reset(&y);
			rc = buf_addf(&y,
			    MIN_HEAD PB1 "    grace: %s\n"
					 "    reminder_before: 0\n",
			    d[i].in);
			CHECK_INT(rc, FX_OK);
			rc = load(buf_str(&y), &c, &err);
			CHECK_INT(rc, FX_OK);
			if (rc != FX_OK) {
				printf("  %s\n", buf_str(&err));
				continue;
			}
			CHECK_INT(c->policy->playbooks[0].grace, d[i].secs);
			config_free(c);
		}
	}
	buf_release(&y);
	buf_release(&err);
}

static void
test_shipped(void)
{
	static const char *const files[] = { "deploy/fixit.example.yaml",
		"tests/data/config/full.yaml",
		"tests/data/config/minimal.yaml" };
	const char *src = getenv("FIXIT_SRC");
	struct buf err = BUF_INIT;
	struct config *c;
	char path[1024];
	size_t i;
	fx_err rc;

	clear_env();
	TEST("shipped configs load with no environment") {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", src ? src : "..",
			    files[i]);
			rc = config_load(path, &c, &err);
			CHECK_INT(rc, FX_OK);
			if (rc != FX_OK) {
				printf("  %s\n", buf_str(&err));
				continue;
			}
			CHECK_INT(c->slack_mode, SLACK_CONSOLE);
			config_free(c);
		}
	}
	TEST("the example config: dry-run everywhere, enforce") {
		snprintf(path, sizeof(path), "%s/deploy/fixit.example.yaml",
		    src ? src : "..");
		rc = config_load(path, &c, &err);
		CHECK_INT(rc, FX_OK);
		if (rc != FX_OK)
			break;
		CHECK_INT(c->policy->nplaybooks, 18);
		for (i = 0; i < c->policy->nplaybooks; i++) {
			const char *name = c->policy->playbooks[i].name;

			CHECK(c->policy->playbooks[i].exec.ops ==
			      executor_find("dry-run"));
			/* lb-unused asks only: its undo cannot keep the
			 * DNS name (README); iam-admin-paths only asks
			 * until it is trusted; cloudshell-secrets tells;
			 * tagging-standard asks the owner to fix the tags */
			CHECK_INT(c->policy->playbooks[i].mode,
			    strcmp(name, "lb-unused") == 0 ||
				    strcmp(name, "iam-admin-paths") == 0 ||
				    strcmp(name, "cloudshell-secrets") == 0 ||
				    strcmp(name, "tagging-standard") == 0
				? PB_NOTIFY
				: PB_ENFORCE);
		}
		CHECK(policy_account(c->policy, "111122223333") != NULL);
		CHECK(policy_is_admin(c->policy, "U0ADMIN01"));
		config_free(c);
	}
	buf_release(&err);
}

int
main(void)
{
	char path[600];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_full();
	test_defaults();
	test_errors();
	test_secrets();
	test_durations();
	test_shipped();
	/* clean up the files this test wrote */
	{
		static const char *const names[] = { "c.yaml", "sig", "bot",
			"tokens", "bot2", "tk" };
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
			unlink(path);
		}
		rmdir(tmpdir);
	}
	return TEST_REPORT();
}
