/*
 * main.c - fixitd: configuration, startup, signal handling, shutdown.
 *
 * Thread model (all started here, in this order, after the configuration
 * was validated completely):
 *   main     blocks every signal before starting threads (so they all
 *            inherit the mask) and waits in sigwait() for SIGTERM/SIGINT;
 *   writer   (db/dbwriter.c) owns the SQLite connections; every read
 *            and write is a job it runs in a group-committed transaction;
 *            its checkpointer thread copies the WAL back on its own;
 *   sender   (sender.c) delivers the Slack outbox, one CURL handle;
 *            it starts and stops its modal lane (sender_modal.c), a
 *            thread with its own CURL handle that opens modals at once,
 *            never behind the queue (a trigger id lives 3 s);
 *   timer    (timer.c) housekeeping, leased fixes, executors;
 *   scan     (scan.c) the daily/requested scan and its workers, when a
 *            playbook not off uses the aws executor;
 *   events   (events.c) processes stored CloudTrail, Security Hub and
 *            Custodian events, once each;
 *   cmd      (cmdq.c) the /fixit commands' workers, their deadline
 *            thread and the follow-up sender (followup.c) that posts
 *            late answers to a command's response_url;
 *   http     libmicrohttpd's pool of threads (http.h), which only verify,
 *            parse and call the writer.
 * Shutdown runs in reverse: http, cmd, events, scan, timer, sender,
 * writer.
 *
 * Ownership: main owns the loaded config (read-only once loaded) and the
 * executor context (executor.h), built from the config before the
 * threads start and freed after they all stopped; the timer runs fixes
 * with it, the scan and the events thread use the aws executor's part.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_exec.h"
#include "backup.h"
#include "cmdq.h"
#include "config.h"
#include "events.h"
#include "demo.h"
#include "dbwriter.h"
#include "executor.h"
#include "fxcurl.h"
#include "fxlog.h"
#include "fxutil.h"
#include "healthcheck.h"
#include "fxtime.h"
#include "home.h"
#include "http.h"
#include "metrics.h"
#include "scan.h"
#include "sender.h"
#include "timer.h"
#include "banned.h"

/*
 * The environment variables config.c reads secrets from: read once, then
 * gone from the environment (children, /proc/PID/environ, a core file's
 * environment block).
 */
static void
scrub_secret_env(void)
{
	static const char *const names[] = ENV_SECRETS;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		fx_secret_env_scrub(names[i]);
}

#define DEFAULT_CONFIG "/etc/fixit/fixit.yaml"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: fixitd [-n] [-c FILE] [--demo]\n"
	    "       fixitd --healthcheck [URL]\n"
	    "       fixitd backup [-f] [-c FILE | -d DATABASE] BACKUP\n"
	    "  -c FILE   configuration (default /etc/fixit/fixit.yaml)\n"
	    "  -n        check the configuration and exit (0 valid, 1 not)\n"
	    "  --demo    sample findings with 30 s deadlines\n"
	    "  --healthcheck [URL]  exit 0 when GET URL (default " HEALTHCHECK_URL
	    ") answers 200 within 5 s, else 1\n"
	    "  backup BACKUP  copy the live database to BACKUP (0600, checked)\n");
}

struct running {
	struct app app;
	struct dbw *w;
	struct metrics *m;
	struct sender *s;
	struct timer *t;
	struct scan *sc;
	struct events *ev;
	struct home *home;
	struct executors *ex;
	struct aws_exec *aws; /* in ex */
	struct cmdq *cq;
	struct http *h;
};

static void
stop_all(struct running *r)
{
	http_stop(r->h);
	cmdq_stop(r->cq);
	events_stop(r->ev);
	scan_stop(r->sc);
	timer_stop(r->t);
	sender_stop(r->s);
	home_stop(r->home);
	dbw_stop(r->w);
	metrics_free(r->m);
	executors_free(r->ex);
}

/* the executors' shared state; the aws executor's is also the scan's and
 * the events thread's way to AWS (NULL: no aws playbook, no scan) */
static int
start_executors(struct running *r, const struct config *cfg)
{
	struct exec_env env;
	fx_err rc;

	env.pol = cfg->policy;
	env.aws_client = &cfg->aws_client;
	env.w = r->w;
	rc = executors_new(&env, &r->ex);
	if (rc != FX_OK) {
		log_error("main: cannot set up the executors: %s",
		    fx_strerror(rc));
		return -1;
	}
	r->app.exec = r->ex;
	r->aws = aws_exec_shared(r->ex);
	return 0;
}

/* a damaged file is refused before any request is served */
static int
check_database(struct dbw *w, const char *path)
{
	char why[256];
	int64_t t0 = fx_mono_ms();
	fx_err rc;

	rc = dbw_check(w, why, sizeof(why));
	if (rc != FX_OK) {
		log_error("main: database %s is damaged (SQLite quick_check: "
			  "%s): not starting; restore it from a backup",
		    path, rc == FX_EDB ? why : fx_strerror(rc));
		return -1;
	}
	log_info("main: database %s checked in %lld ms", path,
	    (long long)(fx_mono_ms() - t0));
	return 0;
}

static int
start_all(struct running *r, struct config *cfg, int demo)
{
	fx_err rc;

	memset(r, 0, sizeof(*r));
	r->app.cfg = cfg;
	rc = dbw_start(cfg->database, &r->w);
	if (rc != FX_OK) {
		log_error("main: cannot open database %s: %s", cfg->database,
		    fx_strerror(rc));
		return -1;
	}
	r->app.w = r->w;
	if (check_database(r->w, cfg->database) != 0)
		return -1;
	if (start_executors(r, cfg) != 0)
		return -1;
	r->m = metrics_new();
	if (r->m == NULL)
		return -1;
	r->app.metrics = r->m;
	/* before the sender, which asks it to refresh homes */
	if ((rc = home_start(&r->app, &r->home)) != FX_OK) {
		log_error("main: cannot start the home publisher: %s",
		    fx_strerror(rc));
		return -1;
	}
	r->app.home = r->home;
	if ((rc = sender_start(&r->app, &r->s)) != FX_OK) {
		log_error("main: cannot start the sender: %s", fx_strerror(rc));
		return -1;
	}
	r->app.sender = r->s;
	if (demo && (rc = demo_seed(r->w, cfg)) != FX_OK) {
		log_error("main: demo: %s", fx_strerror(rc));
		return -1;
	}
	if ((rc = timer_start(&r->app, &r->t)) != FX_OK) {
		log_error("main: cannot start the timer: %s", fx_strerror(rc));
		return -1;
	}
	r->app.timer = r->t;
	if ((rc = events_start(&r->app, r->aws, &r->ev)) != FX_OK) {
		log_error("main: cannot start the events thread: %s",
		    fx_strerror(rc));
		return -1;
	}
	r->app.events = r->ev;
	if (r->aws != NULL) {
		if ((rc = scan_start(&r->app, r->aws, &r->sc)) != FX_OK) {
			log_error("main: cannot start the scanner: %s",
			    fx_strerror(rc));
			return -1;
		}
		r->app.scan = r->sc;
	}
	if ((rc = cmdq_start(&r->app, &r->cq)) != FX_OK) {
		log_error("main: cannot start the command workers: %s",
		    fx_strerror(rc));
		return -1;
	}
	r->app.cmdq = r->cq;
	if ((rc = http_start(&r->app, &r->h)) != FX_OK)
		return -1;
	return 0;
}

static int
wait_for_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("main: SIGHUP ignored: restart to reload");
			continue;
		}
		return sig;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "demo", no_argument, NULL, 'D' },
		{ "healthcheck", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct config *cfg = NULL;
	struct buf err = BUF_INIT;
	struct running r;
	sigset_t all;
	int ch, check = 0, demo = 0, code = 1, sig, hc = 0;

	/* a subcommand, with its own options */
	if (argc > 1 && strcmp(argv[1], "backup") == 0)
		return backup_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	while ((ch = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'D':
			demo = 1;
			break;
		case 'H':
			hc = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	/* a container's probe: no config, no log, only the answer */
	if (hc && optind + 1 >= argc)
		return healthcheck(optind < argc ? argv[optind]
						 : HEALTHCHECK_URL,
		    5000);
	if (optind != argc || hc) {
		usage(stderr);
		return 1;
	}
	log_init(LOG_LVL_INFO, 2);
	buf_init(&err, 4096);
	if (config_load(path, &cfg, &err) != FX_OK) {
		fprintf(stderr, "fixitd: %s\n", buf_str(&err));
		buf_release(&err);
		return 1;
	}
	buf_release(&err);
	scrub_secret_env();
	if (check) {
		printf("fixitd: %s: configuration ok\n", path);
		config_free(cfg);
		return 0;
	}
	log_set_level((enum log_level)cfg->log_level);
	if (demo)
		demo_shorten(cfg);

	/* every thread inherits this mask; only main takes signals */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* libcurl (and libxml2) are loaded on the first Slack or AWS call
	 * (fxcurl.h): an idle fixitd, or one in console mode with dry-run
	 * playbooks, never maps them */
	if (start_all(&r, cfg, demo) == 0) {
		log_info("main: fixitd listening on %s:%d (slack %s, %zu "
			 "playbooks, %zu accounts)",
		    cfg->listen_host, http_port(r.h),
		    cfg->slack_mode == SLACK_LIVE ? "live" : "console",
		    cfg->policy->nplaybooks, cfg->policy->naccounts);
		printf("fixitd: ready on http://%s:%d\n", cfg->listen_host,
		    http_port(r.h));
		fflush(stdout);
		sig = wait_for_signal();
		log_info("main: signal %d: shutting down", sig);
		code = 0;
	}
	stop_all(&r);
	fxcurl_unload();
	config_free(cfg);
	if (code == 0)
		log_info("main: stopped");
	return code;
}
