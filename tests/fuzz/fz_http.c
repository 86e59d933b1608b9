/*
 * fz_http.c - fuzz target for whole HTTP requests: the bytes are sent to
 * a running fixitd HTTP server (libmicrohttpd and every handler behind
 * it, on a real database) over a loopback connection, the sending side
 * shut, and the answer read. Started once per process, as server/main.c
 * starts fixitd but without the timer and the scanner (nothing is fixed
 * and no AWS is called), with Slack in console mode.
 *
 * The secrets are fixed (seed.py signs its Slack requests and sends its
 * tokens with the same): FIXIT_SLACK_SIGNING_SECRET is Slack's documented
 * example. A request that gets no answer is left after FZ_HTTP_WAIT_MS
 * (a partial request is allowed to wait for its timeout).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "cmdq.h"
#include "config.h"
#include "dbwriter.h"
#include "events.h"
#include "executor.h"
#include "fuzz.h"
#include "fxlog.h"
#include "home.h"
#include "http.h"
#include "metrics.h"
#include "sender.h"
#include "slack_sig.h"

#define FZ_HTTP_WAIT_MS 100
#define SIGNING_SECRET	"8f742231b10e8888abcd99yyyzzz85a5"

static const char config_text[] =
    "listen: 127.0.0.1:0\n"
    "database: %s/fixit.db\n"
    "log_level: error\n"
    "http_threads: 2\n"
    "admins: [U0ADMIN1]\n"
    "admin_channel: C0ADMINS\n"
    "slack:\n"
    "  mode: console\n"
    "accounts:\n"
    "  - id: \"111111111111\"\n"
    "    name: prod\n"
    "    environment: production\n"
    "    channel: C0PRODSEC\n"
    "playbooks:\n"
    "  - name: ec2-imdsv1\n"
    "    description: Require IMDSv2 on the instance\n"
    "    mode: notify\n"
    "    executor:\n"
    "      type: exec\n"
    "      command: [/bin/true]\n"
    "events:\n"
    "  employee_pattern: \"*@example.com\"\n"
    "  securityhub: {EC2.8: ec2-imdsv1}\n"
    "  custodian: {ec2-require-imdsv2: ec2-imdsv1}\n";

static struct {
	char dir[64];
	struct config *cfg;
	struct app app;
	struct dbw *w;
	struct metrics *m;
	struct sender *s;
	struct events *ev;
	struct home *home;
	struct executors *ex;
	struct cmdq *cq;
	struct http *h;
	int port;
} srv;

static void
stop(void)
{
	char path[128];
	static const char *const files[] = { "fixit.db", "fixit.db-wal",
		"fixit.db-shm", "fixit.yaml", NULL };
	size_t i;

	http_stop(srv.h);
	cmdq_stop(srv.cq);
	events_stop(srv.ev);
	sender_stop(srv.s);
	home_stop(srv.home);
	dbw_stop(srv.w);
	metrics_free(srv.m);
	executors_free(srv.ex);
	config_free(srv.cfg);
	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", srv.dir, files[i]);
		unlink(path);
	}
	rmdir(srv.dir);
}

/* the config file in a new folder, loaded; 0 or -1 */
static int
load_config(void)
{
	char path[128];
	struct buf err = BUF_INIT;
	FILE *f;
	int ok;

	snprintf(srv.dir, sizeof(srv.dir), "/tmp/fixit-fuzz-http-XXXXXX");
	if (mkdtemp(srv.dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/fixit.yaml", srv.dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	ok = fprintf(f, config_text, srv.dir) > 0;
	if (fclose(f) != 0 || !ok)
		return -1;
	setenv("FIXIT_SLACK_SIGNING_SECRET", SIGNING_SECRET, 1);
	setenv("FIXIT_INGEST_TOKENS", "fuzz-ingest-token", 1);
	setenv("FIXIT_EVENTS_API_KEY", "fuzz-events-key", 1);
	if (config_load(path, &srv.cfg, &err) != FX_OK) {
		fprintf(stderr, "fz_http: %s\n", buf_str(&err));
		buf_release(&err);
		return -1;
	}
	buf_release(&err);
	return 0;
}

/* fixitd's HTTP server and what its handlers use; 0 or -1 */
static int
start(void)
{
	struct exec_env env;
	char sig[SLACK_SIG_LEN];

	log_init(LOG_LVL_ERROR, 2);
	/* OpenSSL's one-time set-up on this thread, not on a server thread
	 * where LeakSanitizer would not find its thread-local state */
	if (slack_sig_sign("k", "1", "", 0, sig) != FX_OK)
		return -1;
	if (load_config() != 0)
		return -1;
	srv.app.cfg = srv.cfg;
	if (dbw_start(srv.cfg->database, &srv.w) != FX_OK)
		return -1;
	srv.app.w = srv.w;
	memset(&env, 0, sizeof(env));
	env.pol = srv.cfg->policy;
	env.aws_client = &srv.cfg->aws_client;
	env.w = srv.w;
	if (executors_new(&env, &srv.ex) != FX_OK)
		return -1;
	srv.app.exec = srv.ex;
	if ((srv.m = metrics_new()) == NULL)
		return -1;
	srv.app.metrics = srv.m;
	if (home_start(&srv.app, &srv.home) != FX_OK)
		return -1;
	srv.app.home = srv.home;
	if (sender_start(&srv.app, &srv.s) != FX_OK)
		return -1;
	srv.app.sender = srv.s;
	if (events_start(&srv.app, NULL, &srv.ev) != FX_OK)
		return -1;
	srv.app.events = srv.ev;
	if (cmdq_start(&srv.app, &srv.cq) != FX_OK)
		return -1;
	srv.app.cmdq = srv.cq;
	if (http_start(&srv.app, &srv.h) != FX_OK)
		return -1;
	srv.port = http_port(srv.h);
	return 0;
}

/* the first needle[0..m) in h[0..n), or NULL (memmem is not POSIX) */
static const char *
find(const char *h, size_t n, const char *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(h + i, needle, m) == 0)
			return h + i;
	return NULL;
}

/*
 * 1 when answer[0..len) holds a whole response (after any 1xx): its head
 * and a body of Content-Length bytes, or a last chunk. Without either the
 * server closes or the wait ends.
 */
static int
answered(const char *a, size_t len)
{
	const char *end, *cl, *p = a;
	size_t head;

	for (;;) {
		if ((end = find(p, len - (size_t)(p - a), "\r\n\r\n", 4)) ==
		    NULL)
			return 0;
		head = (size_t)(end - p) + 4;
		if (len - (size_t)(p - a) > 9 && p[9] == '1') { /* 1xx */
			p += head;
			continue;
		}
		break;
	}
	if ((cl = find(p, head, "\r\nContent-Length:", 17)) != NULL ||
	    (cl = find(p, head, "\r\ncontent-length:", 17)) != NULL)
		return len - (size_t)(p - a) - head >=
		       (size_t)strtoul(cl + 17, NULL, 10);
	return find(p + head, len - (size_t)(p - a) - head, "0\r\n\r\n", 5) !=
	       NULL;
}

/*
 * Bad input is answered 4xx, never 5xx (the database here is healthy;
 * 505 aside),
 * and a JSON answer is JSON (valid UTF-8 included). Only the first
 * answer of the connection is checked.
 */
static void
check_answer(const char *a, size_t len)
{
	const char *end = find(a, len, "\r\n\r\n", 4), *body, *cl;
	size_t n;
	json_t *j;

	if (getenv("FIXIT_FUZZ_HTTP_SHOW") != NULL) /* to see a run */
		fprintf(stderr, "fz_http: answer: %.*s\n", (int)len, a);
	if (len < 12 || memcmp(a, "HTTP/1.", 7) != 0 || end == NULL)
		return;
	/* 505: libmicrohttpd's answer to an HTTP version it does not
	 * speak, which is what the status means */
	if (a[9] == '5' && memcmp(a + 9, "505", 3) != 0) {
		fprintf(stderr, "fz_http: answered %.*s\n", (int)(end - a), a);
		FZ_ASSERT(a[9] != '5');
	}
	body = end + 4;
	cl = find(a, (size_t)(end - a), "\r\nContent-Length:", 17);
	if (cl == NULL)
		cl = find(a, (size_t)(end - a), "\r\ncontent-length:", 17);
	n = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
	if (cl != NULL && n <= (size_t)(a + len - body) &&
	    find(a, (size_t)(end - a), "application/json", 16) != NULL) {
		j = json_loadb(body, n, 0, NULL);
		if (j == NULL)
			fprintf(stderr, "fz_http: not JSON: %.*s\n", (int)n,
			    body);
		FZ_ASSERT(j != NULL);
		json_decref(j);
	}
}

/* the bytes to the server, then its answer until it is whole, the server
 * closes or FZ_HTTP_WAIT_MS pass without a byte */
static void
exchange(const uint8_t *data, size_t size)
{
	struct sockaddr_in sin;
	struct timeval tv = { 0, FZ_HTTP_WAIT_MS * 1000 };
	char answer[16384];
	size_t off = 0, got = 0;
	ssize_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)srv.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		goto out;
	while (off < size) {
		n = send(fd, data + off, size - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(answer) &&
	       (n = recv(fd, answer + got, sizeof(answer) - got, 0)) > 0) {
		got += (size_t)n;
		if (answered(answer, got))
			break;
	}
	check_answer(answer, got);
out:
	close(fd);
}

/* out: in[0..n) with its first ph (in the head) replaced by line */
static fx_err
subst(const char *in, size_t n, const char *ph, const char *line,
    struct buf *out)
{
	const char *head_end = find(in, n, "\r\n\r\n", 4);
	const char *at =
	    head_end != NULL
		? find(in, (size_t)(head_end - in) + 2, ph, strlen(ph))
		: NULL;
	fx_err rc;

	buf_reset(out);
	if (at == NULL)
		return buf_add(out, in, n);
	if ((rc = buf_add(out, in, (size_t)(at - in))) != FX_OK ||
	    (rc = buf_adds(out, line)) != FX_OK)
		return rc;
	at += strlen(ph);
	return buf_add(out, at, n - (size_t)(at - in));
}

/*
 * A Slack request whose head has the placeholders "X-Slack-Signature:
 * sign" (and "X-Slack-Request-Timestamp: now") gets them replaced by the
 * signature of its body for the time now: a mutated Slack request still
 * passes the check and reaches the handlers. out is the request to send.
 */
static fx_err
resign(const uint8_t *data, size_t size, struct buf *out)
{
	const char *a = (const char *)data;
	const char *end = find(a, size, "\r\n\r\n", 4);
	char now[24], mac[SLACK_SIG_LEN], line[128];
	struct buf tmp;
	fx_err rc;

	if (end == NULL || find(a, (size_t)(end - a) + 2,
			       "\r\nX-Slack-Signature: sign\r\n", 27) == NULL)
		return buf_add(out, a, size);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	if ((rc = slack_sig_sign(SIGNING_SECRET, now, end + 4,
		 size - (size_t)(end + 4 - a), mac)) != FX_OK)
		return rc;
	snprintf(line, sizeof(line), "\r\nX-Slack-Request-Timestamp: %s\r\n",
	    now);
	buf_init(&tmp, out->cap);
	rc = subst(a, size, "\r\nX-Slack-Request-Timestamp: now\r\n", line,
	    &tmp);
	snprintf(line, sizeof(line), "\r\nX-Slack-Signature: %s\r\n", mac);
	if (rc == FX_OK)
		rc = subst(tmp.data, tmp.len, "\r\nX-Slack-Signature: sign\r\n",
		    line, out);
	buf_release(&tmp);
	return rc;
}

int
fz_http(const uint8_t *data, size_t size)
{
	static int started;
	struct buf req;

	if (!started) {
		if (start() != 0) {
			fprintf(stderr, "fz_http: cannot start the server\n");
			abort();
		}
		atexit(stop);
		started = 1;
	}
	buf_init(&req, (size_t)1 << 24);
	if (resign(data, size, &req) == FX_OK)
		exchange((const uint8_t *)req.data, req.len);
	buf_release(&req);
	return 0;
}
