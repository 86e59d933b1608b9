/*
 * test_executor.c - the executor table (remediation/executor.c) and the
 * exec and dry-run executors with small /bin/sh scripts in a temp dir:
 * success with a prior state, failure, timeout, huge output, stdin, undo,
 * a clean environment, exec failure, dry-run, threads; preparing from
 * the config keys and the context.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws_exec.h"
#include "executor.h"
#include "fxtime.h"
#include "testhelp.h"
#include "banned.h"

static char dir[] = "/tmp/fixit-test-exec-XXXXXX";

static const char *
path_in_dir(const char *name)
{
	static char p[4][512];
	static int next;
	char *out = p[next++ % 4];

	snprintf(out, 512, "%s/%s", dir, name);
	return out;
}

/* write an executable /bin/sh script; @DIR@ is not needed: $D is set */
static const char *
script(const char *name, const char *body)
{
	const char *p = path_in_dir(name);
	FILE *f = fopen(p, "w");

	if (f == NULL) {
		perror(p);
		exit(2);
	}
	fprintf(f, "#!/bin/sh\nD='%s'\n%s\n", dir, body);
	fclose(f);
	chmod(p, 0755);
	return p;
}

static char *
slurp(const char *name)
{
	FILE *f = fopen(path_in_dir(name), "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) != FX_OK)
			break;
	fclose(f);
	return buf_detach(&b);
}

static json_t *
finding(void)
{
	return json_pack("{s:i,s:s,s:s,s:s,s:s}", "id", 7, "playbook",
	    "ec2-imdsv1", "account_id", "111122223333", "region", "eu-west-1",
	    "resource_id", "i-0abc");
}

/* playbook ec2-imdsv1 run by executor type with argv (borrowed),
 * prepared as the config loader does */
static void
pb_init(struct playbook *pb, const char *type, char **argv, int64_t timeout)
{
	struct buf why = BUF_INIT;
	const char *key;

	memset(pb, 0, sizeof(*pb));
	pb->name = (char *)"ec2-imdsv1";
	pb->mode = PB_ENFORCE;
	pb->exec.ops = executor_find(type);
	pb->exec.argv = argv;
	pb->exec.timeout = timeout;
	if (executor_prepare(&pb->exec, pb->name, &key, &why) != FX_OK) {
		printf("cannot prepare %s: %s\n", type, buf_str(&why));
		exit(2);
	}
	buf_release(&why);
}

static void
pb_release(struct playbook *pb)
{
	pb->exec.argv = NULL; /* borrowed */
	executor_cfg_release(&pb->exec);
}

static fx_err
run(const char *path, int64_t timeout, const json_t *f, struct exec_out *o)
{
	char *argv[] = { (char *)path, (char *)"--strict", NULL };
	struct playbook pb;
	fx_err rc;

	pb_init(&pb, "exec", argv, timeout);
	rc = executor_fix(NULL, &pb, f, o);
	pb_release(&pb);
	return rc;
}

static void
test_ok_prior(void)
{
	json_t *f = finding();
	struct exec_out o;
	const char *s;

	exec_out_init(&o);
	s = script("ok.sh",
	    "cat >/dev/null\necho working\n"
	    "echo 'set http_tokens=required' >&2\n"
	    "echo '{\"http_tokens\":\"optional\",\"hop\":1}'\n");
	TEST("exit 0: ok, last stdout line is the prior state") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(json_is_object(o.prior_state));
		CHECK_STR(json_string_value(
			      json_object_get(o.prior_state, "http_tokens")),
		    "optional");
		CHECK_STR(buf_str(&o.message), "set http_tokens=required");
	}
	exec_out_release(&o);
	exec_out_init(&o);
	s = script("multi.sh", "printf '{\\n  \"a\": 1\\n}\\n'");
	TEST("whole stdout as the prior state; no stderr") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK_INT(json_integer_value(
			      json_object_get(o.prior_state, "a")),
		    1);
		CHECK_STR(buf_str(&o.message), "exit status 0");
	}
	exec_out_release(&o);
	exec_out_init(&o);
	s = script("text.sh", "echo done, nothing to record");
	TEST("no JSON: ok without a prior state") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(o.prior_state == NULL);
	}
	exec_out_release(&o);
	json_decref(f);
}

static void
test_failures(void)
{
	json_t *f = finding();
	struct exec_out o;
	const char *s;
	int64_t t0;

	exec_out_init(&o);
	s = script("fail.sh", "echo '{\"x\":1}'\necho first >&2\n"
			      "echo 'AccessDenied: not allowed' >&2\nexit 3");
	TEST("non-zero exit") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 0);
		CHECK(o.prior_state == NULL);
		CHECK_STR(buf_str(&o.message),
		    "exit status 3: AccessDenied: not allowed");
	}
	s = script("sig.sh", "kill -TERM $$");
	TEST("killed by a signal") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 0);
		CHECK_STR(buf_str(&o.message), "killed by signal 15");
	}
	s = script("slow.sh", "sleep 30 &\nsleep 30\n");
	TEST("timeout kills the process group in about 1s") {
		t0 = fx_mono_ms();
		CHECK_INT(run(s, 1, f, &o), FX_OK);
		CHECK(fx_mono_ms() - t0 < 2500);
		CHECK_INT(o.ok, 0);
		CHECK_STR(buf_str(&o.message), "killed after 1s timeout");
	}
	s = script("quiet.sh", "exec >/dev/null 2>&1\nsleep 30\n");
	TEST("timeout after the output was closed") {
		t0 = fx_mono_ms();
		CHECK_INT(run(s, 1, f, &o), FX_OK);
		CHECK(fx_mono_ms() - t0 < 2500);
		CHECK_STR(buf_str(&o.message), "killed after 1s timeout");
	}
	s = script("huge.sh", "exec yes 0123456789abcdef");
	TEST("stdout over the cap: killed") {
		t0 = fx_mono_ms();
		CHECK_INT(run(s, 20, f, &o), FX_OK);
		CHECK(fx_mono_ms() - t0 < 5000);
		CHECK_INT(o.ok, 0);
		CHECK(
		    strstr(buf_str(&o.message), "stdout larger than") != NULL);
	}
	TEST("exec failure") {
		CHECK_INT(run("/nonexistent/fix.sh", 10, f, &o), FX_EEXEC);
		CHECK_INT(o.ok, 0);
		CHECK_STR(buf_str(&o.message),
		    "cannot execute "
		    "/nonexistent/fix.sh: No such file or directory");
	}
	exec_out_release(&o);
	json_decref(f);
}

static void
test_stdin_undo(void)
{
	json_t *f = finding(), *big, *prior;
	struct exec_out o;
	char *got, *want;
	const char *s;
	sigset_t pend;
	char *argv[2];
	struct playbook pb;

	exec_out_init(&o);
	s = script("stdin.sh",
	    "cat > \"$D/stdin.out\"\n"
	    "echo \"$# $1 $FIXIT_ACTION\" > \"$D/args.out\"");
	TEST("the finding arrives on stdin") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		got = slurp("stdin.out");
		want = json_dumps(f, JSON_COMPACT);
		CHECK(got != NULL && want != NULL &&
		      strncmp(got, want, strlen(want)) == 0 &&
		      strcmp(got + strlen(want), "\n") == 0);
		free(got);
		free(want);
		got = slurp("args.out");
		CHECK_STR(got, "1 --strict fix\n");
		free(got);
	}
	argv[0] = (char *)s;
	argv[1] = NULL;
	prior = json_pack("{s:s}", "http_tokens", "optional");
	pb_init(&pb, "exec", argv, 10);
	TEST("undo: --undo, the finding and the prior state") {
		CHECK_INT(executor_undo(NULL, &pb, f, prior, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(o.prior_state == NULL);
		got = slurp("args.out");
		CHECK_STR(got, "1 --undo undo\n");
		free(got);
		got = slurp("stdin.out");
		{
			json_t *j = got ? json_loads(got, 0, NULL) : NULL;

			CHECK(json_equal(json_object_get(j, "finding"), f));
			CHECK(json_equal(json_object_get(j, "prior_state"),
			    prior));
			json_decref(j);
		}
		free(got);
	}
	pb_release(&pb);
	json_decref(prior);
	/* a child that never reads stdin: EPIPE, no SIGPIPE for us */
	big = finding();
	{
		char *pad = malloc(512 * 1024);

		memset(pad, 'x', 512 * 1024 - 1);
		pad[512 * 1024 - 1] = '\0';
		json_object_set_new(big, "details", json_string(pad));
		free(pad);
	}
	s = script("noread.sh", "exec 0<&-\necho '{\"ok\":true}'");
	TEST("child ignores stdin: EPIPE handled") {
		CHECK_INT(run(s, 10, big, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(json_is_object(o.prior_state));
		sigpending(&pend);
		CHECK(!sigismember(&pend, SIGPIPE));
	}
	json_decref(big);
	exec_out_release(&o);
	json_decref(f);
}

static void
test_env(void)
{
	json_t *f = finding();
	struct exec_out o;
	const char *s;
	char *got;

	exec_out_init(&o);
	setenv("FIXIT_SLACK_BOT_TOKEN", "xoxb-secret", 1);
	setenv("FIXIT_TEST_LEAK", "leaked", 1);
	setenv("LANG", "C.UTF-8", 1);
	s = script("env.sh", "env > \"$D/env.out\"");
	TEST("clean environment") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		got = slurp("env.out");
		CHECK(got != NULL);
		if (got == NULL)
			break;
		CHECK(strstr(got, "xoxb-secret") == NULL);
		CHECK(strstr(got, "FIXIT_SLACK") == NULL);
		CHECK(strstr(got, "leaked") == NULL);
		CHECK(
		    strstr(got, "PATH=/usr/local/bin:/usr/bin:/bin\n") != NULL);
		CHECK(strstr(got, "FIXIT_PLAYBOOK=ec2-imdsv1\n") != NULL);
		CHECK(strstr(got, "FIXIT_ACTION=fix\n") != NULL);
		CHECK(strstr(got, "LANG=C.UTF-8\n") != NULL);
		free(got);
	}
	unsetenv("FIXIT_SLACK_BOT_TOKEN");
	unsetenv("FIXIT_TEST_LEAK");
	exec_out_release(&o);
	json_decref(f);
}

static void
test_dry_run(void)
{
	struct playbook pb;
	json_t *f = finding();
	struct exec_out o;

	exec_out_init(&o);
	pb_init(&pb, "dry-run", NULL, 0);
	TEST("dry-run fix") {
		CHECK_INT(executor_fix(NULL, &pb, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(json_is_true(json_object_get(o.prior_state, "dry_run")));
		CHECK_STR(json_string_value(
			      json_object_get(o.prior_state, "would")),
		    "fix ec2-imdsv1 on i-0abc in "
		    "111122223333/eu-west-1");
		CHECK_STR(buf_str(&o.message),
		    "dry run: would fix ec2-imdsv1 "
		    "on i-0abc in 111122223333/eu-west-1");
	}
	TEST("dry-run undo") {
		CHECK_INT(executor_undo(NULL, &pb, f, o.prior_state, &o),
		    FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(o.prior_state == NULL);
		CHECK(strstr(buf_str(&o.message), "would undo") != NULL);
	}
	TEST("bad arguments") {
		CHECK_INT(executor_fix(NULL, &pb, NULL, &o), FX_EINVAL);
		CHECK_INT(o.ok, 0);
		CHECK_INT(executor_fix(NULL, NULL, f, &o), FX_EINVAL);
	}
	pb_release(&pb);
	exec_out_release(&o);
	json_decref(f);
}

/* executor_prepare of type for a playbook named name; *key and why */
static fx_err
prepare(struct playbook *pb, const char *type, const char *name,
    const char **key, struct buf *why)
{
	memset(pb, 0, sizeof(*pb));
	pb->name = (char *)name;
	pb->exec.ops = executor_find(type);
	buf_reset(why);
	return executor_prepare(&pb->exec, name, key, why);
}

static void
test_table(void)
{
	struct buf why = BUF_INIT;
	struct executors *x = NULL;
	struct exec_env env;
	struct policy pol;
	struct playbook pb;
	struct exec_out o;
	const char *key;
	json_t *f = finding();

	memset(&env, 0, sizeof(env));
	buf_init(&why, 4096);
	exec_out_init(&o);
	TEST("the table: names in order, lookup") {
		CHECK_STR(executor_at(0)->name, "dry-run");
		CHECK_STR(executor_at(1)->name, "exec");
		CHECK_STR(executor_at(2)->name, "aws");
		CHECK(executor_at(3) == NULL);
		CHECK(executor_find("exec") == executor_at(1));
		CHECK(executor_find("lambda") == NULL);
		CHECK(executor_find(NULL) == NULL);
	}
	TEST("exec without a command: the command key is wrong") {
		CHECK_INT(prepare(&pb, "exec", "p", &key, &why), FX_ECONFIG);
		CHECK_STR(key, "command");
		CHECK_STR(buf_str(&why), "type exec needs a command: "
					 "[/absolute/path, args...]");
		CHECK(pb.exec.state == NULL);
	}
	TEST("aws without a built-in: the registry's names") {
		CHECK_INT(prepare(&pb, "aws", "my-fix", &key, &why),
		    FX_ECONFIG);
		CHECK_STR(key, "playbook");
		CHECK_STR(buf_str(&why),
		    "type aws needs a built-in playbook: "
		    "name the playbook after one, or set executor.playbook "
		    "(ec2-imdsv1, ebs-unused, eip-unassociated, rds-idle, "
		    "route53-ns-only, dangling-dns, ec2-quarantine, "
		    "ec2-quarantine-expired, ec2-stopped, ec2-underused, "
		    "imdsv1-everywhere, snapshot-stale, redshift-idle, "
		    "lb-unused, iam-admin-paths, honeypot-key, "
		    "cloudshell-secrets, tagging-standard)");
	}
	TEST("aws named after a built-in; no context: not set up") {
		CHECK_INT(prepare(&pb, "aws", "ebs-unused", &key, &why), FX_OK);
		CHECK(pb.exec.state != NULL);
		CHECK(aws_exec_uses(&pb));
		CHECK_INT(executor_fix(NULL, &pb, f, &o), FX_ECONFIG);
		CHECK_STR(buf_str(&o.message), "ebs-unused: no such built-in "
					       "playbook or AWS not set up");
		executor_cfg_release(&pb.exec);
	}
	TEST("a context without aws playbooks shares nothing") {
		memset(&pol, 0, sizeof(pol));
		pb_init(&pb, "dry-run", NULL, 0);
		pol.playbooks = &pb;
		pol.nplaybooks = 1;
		env.pol = &pol;
		env.aws_client = NULL;
		CHECK_INT(executors_new(&env, &x), FX_OK);
		CHECK(x != NULL);
		CHECK(aws_exec_shared(x) == NULL);
		CHECK(aws_exec_shared(NULL) == NULL);
		CHECK(!aws_exec_uses(&pb));
		CHECK_INT(executor_fix(x, &pb, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		executors_free(x);
		pb_release(&pb);
	}
	exec_out_release(&o);
	buf_release(&why);
	json_decref(f);
}

struct thr {
	const char *script;
	fx_err rc;
	int ok;
};

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	json_t *f = finding();
	struct exec_out o;

	exec_out_init(&o);
	t->rc = run(t->script, 20, f, &o);
	t->ok = o.ok && json_is_object(o.prior_state);
	exec_out_release(&o);
	json_decref(f);
	return NULL;
}

static void
test_threads(void)
{
	pthread_t tid[6];
	struct thr t[6];
	const char *s;
	int64_t t0;
	int i;

	s = script("thr.sh", "cat >/dev/null\nsleep 0.5\necho '{\"t\":1}'");
	TEST("six executors at once") {
		t0 = fx_mono_ms();
		for (i = 0; i < 6; i++) {
			t[i].script = s;
			pthread_create(&tid[i], NULL, thr_main, &t[i]);
		}
		for (i = 0; i < 6; i++) {
			pthread_join(tid[i], NULL);
			CHECK_INT(t[i].rc, FX_OK);
			CHECK_INT(t[i].ok, 1);
		}
		/* a leaked pipe end would hold a run until its timeout */
		CHECK(fx_mono_ms() - t0 < 5000);
	}
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_ok_prior();
	test_failures();
	test_stdin_undo();
	test_env();
	test_dry_run();
	test_table();
	test_threads();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", dir);
	return TEST_REPORT();
}
