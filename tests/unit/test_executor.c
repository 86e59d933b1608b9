/*
 * test_executor.c - remediation/executor.c with small /bin/sh scripts in
 * a temp dir: success with a prior state, failure, timeout, huge output,
 * stdin, undo, a clean environment, exec failure, dry-run, threads.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	    "ec2-imdsv1", "account_id", "111122223333", "region",
	    "eu-west-1", "resource_id", "i-0abc");
}

static fx_err
run(const char *path, int64_t timeout, const json_t *f, struct exec_out *o)
{
	char *argv[] = { (char *)path, (char *)"--strict", NULL };
	struct executor_cfg cfg = { .type = EXEC_CMD, .argv = argv,
	    .timeout = timeout };

	return executor_fix(&cfg, "ec2-imdsv1", f, o);
}

static void
test_ok_prior(void)
{
	json_t *f = finding();
	struct exec_out o;
	const char *s;

	exec_out_init(&o);
	s = script("ok.sh", "cat >/dev/null\necho working\n"
	    "echo 'set http_tokens=required' >&2\n"
	    "echo '{\"http_tokens\":\"optional\",\"hop\":1}'\n");
	TEST("exit 0: ok, last stdout line is the prior state") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(json_is_object(o.prior_state));
		CHECK_STR(json_string_value(json_object_get(o.prior_state,
		    "http_tokens")), "optional");
		CHECK_STR(buf_str(&o.message), "set http_tokens=required");
	}
	exec_out_release(&o);
	exec_out_init(&o);
	s = script("multi.sh", "printf '{\\n  \"a\": 1\\n}\\n'");
	TEST("whole stdout as the prior state; no stderr") {
		CHECK_INT(run(s, 10, f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK_INT(json_integer_value(json_object_get(o.prior_state,
		    "a")), 1);
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
		CHECK(strstr(buf_str(&o.message), "stdout larger than") !=
		    NULL);
	}
	TEST("exec failure") {
		CHECK_INT(run("/nonexistent/fix.sh", 10, f, &o), FX_EEXEC);
		CHECK_INT(o.ok, 0);
		CHECK_STR(buf_str(&o.message), "cannot execute "
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
	struct executor_cfg cfg = { .type = EXEC_CMD, .argv = argv,
	    .timeout = 10 };

	exec_out_init(&o);
	s = script("stdin.sh", "cat > \"$D/stdin.out\"\n"
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
	TEST("undo: --undo, the finding and the prior state") {
		CHECK_INT(executor_undo(&cfg, "ec2-imdsv1", f, prior, &o),
		    FX_OK);
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
		CHECK(strstr(got, "PATH=/usr/local/bin:/usr/bin:/bin\n") !=
		    NULL);
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
	struct executor_cfg cfg = { .type = EXEC_DRY_RUN };
	json_t *f = finding();
	struct exec_out o;

	exec_out_init(&o);
	TEST("dry-run fix") {
		CHECK_INT(executor_fix(&cfg, "ec2-imdsv1", f, &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(json_is_true(json_object_get(o.prior_state, "dry_run")));
		CHECK_STR(json_string_value(json_object_get(o.prior_state,
		    "would")), "fix ec2-imdsv1 on i-0abc in "
		    "111122223333/eu-west-1");
		CHECK_STR(buf_str(&o.message), "dry run: would fix ec2-imdsv1 "
		    "on i-0abc in 111122223333/eu-west-1");
	}
	TEST("dry-run undo") {
		CHECK_INT(executor_undo(&cfg, "ec2-imdsv1", f, o.prior_state,
		    &o), FX_OK);
		CHECK_INT(o.ok, 1);
		CHECK(o.prior_state == NULL);
		CHECK(strstr(buf_str(&o.message), "would undo") != NULL);
	}
	TEST("bad arguments") {
		CHECK_INT(executor_fix(&cfg, "p", NULL, &o), FX_EINVAL);
		CHECK_INT(o.ok, 0);
	}
	exec_out_release(&o);
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
	test_threads();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", dir);
	return TEST_REPORT();
}
