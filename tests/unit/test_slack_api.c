/*
 * test_slack_api.c - the Web API client against a fake Slack: a plain
 * socket server on 127.0.0.1:0 in a thread that answers canned responses
 * in sequence (one connection each) and records what it received.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "fxlimits.h"
#include "slack_api.h"
#include "testhelp.h"
#include "banned.h"

#define TOKEN	"xoxb-test-token-0123456789"
#define MAX_REQ 16

struct req {
	char line[256]; /* "POST /api/chat.postMessage HTTP/1.1" */
	char auth[256];
	char ctype[128];
	char body[8192];
};

/* status line and headers; the fake adds Content-Length and the body */
struct answer {
	const char *head;
	const char *body;
};

struct fake {
	int lfd;
	int port;
	const struct answer *answers;
	size_t n;
	struct req req[MAX_REQ];
	size_t nreq;
	pthread_t th;
};

/* value of header name in the header block h, copied to out */
static void
hdr_get(const char *h, const char *name, char *out, size_t len)
{
	const char *p = h, *e;
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			e = strstr(p, "\r\n");
			snprintf(out, len, "%.*s", (int)(e ? e - p : 0), p);
			return;
		}
	}
}

static void
fake_send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

/* stream more than FX_MAX_SLACK_RESPONSE bytes without a length */
static void
fake_send_big(int fd)
{
	static char chunk[65536];
	const char *h = "HTTP/1.1 200 OK\r\nContent-Type: application/json"
			"\r\nConnection: close\r\n\r\n";
	size_t sent = 0;

	memset(chunk, ' ', sizeof(chunk));
	fake_send_all(fd, h, strlen(h));
	while (sent <= FX_MAX_SLACK_RESPONSE + sizeof(chunk)) {
		if (send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) <= 0)
			break;
		sent += sizeof(chunk);
	}
}

/* read one request into r; 0 on success */
static int
fake_read(int fd, struct req *r)
{
	static char buf[65536];
	size_t len = 0, want;
	ssize_t n;
	char *end = NULL, cl[32];

	while (len < sizeof(buf) - 1) {
		if ((n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			*end = '\0';
			hdr_get(buf, "Content-Length", cl, sizeof(cl));
		}
		if (end != NULL) {
			want = (size_t)(end - buf) + 4 + strtoul(cl, NULL, 10);
			if (len >= want)
				break;
		}
	}
	if (end == NULL)
		return -1;
	snprintf(r->line, sizeof(r->line), "%.*s", (int)strcspn(buf, "\r\n"),
	    buf);
	hdr_get(buf, "Authorization", r->auth, sizeof(r->auth));
	hdr_get(buf, "Content-Type", r->ctype, sizeof(r->ctype));
	snprintf(r->body, sizeof(r->body), "%.*s",
	    (int)(len - (size_t)(end - buf) - 4), end + 4);
	return 0;
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	char head[512];
	size_t i;
	int fd;

	for (i = 0; i < f->n; i++) {
		if ((fd = accept(f->lfd, NULL, NULL)) < 0)
			break;
		if (fake_read(fd, &f->req[f->nreq]) == 0)
			f->nreq++;
		if (f->answers[i].body == NULL)
			fake_send_big(fd);
		else {
			snprintf(head, sizeof(head),
			    "%sConnection: close\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    f->answers[i].head, strlen(f->answers[i].body));
			fake_send_all(fd, head, strlen(head));
			fake_send_all(fd, f->answers[i].body,
			    strlen(f->answers[i].body));
		}
		close(fd);
	}
	return NULL;
}

static int
fake_start(struct fake *f, const struct answer *ans, size_t n)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(f, 0, sizeof(*f));
	f->answers = ans;
	f->n = n;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((f->lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(f->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(f->lfd, 8) != 0 ||
	    getsockname(f->lfd, (struct sockaddr *)&sin, &sl) != 0)
		return -1;
	f->port = ntohs(sin.sin_port);
	return pthread_create(&f->th, NULL, fake_main, f) == 0 ? 0 : -1;
}

static void
fake_stop(struct fake *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
}

#define JSON_200 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

static const struct answer answers[] = {
	{ JSON_200, "{\"ok\":true,\"channel\":\"D1\",\"ts\":\"1.2345\"}" },
	{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n", "" },
	{ "HTTP/1.1 500 Internal Server Error\r\n", "oops" },
	{ JSON_200, "{\"ok\":false,\"error\":\"users_not_found\"}" },
	{ "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", "<html>oops" },
	{ JSON_200 "Retry-After:  3\r\n",
	    "{\"ok\":false,\"error\":\"ratelimited\"}" },
	{ "HTTP/1.1 404 Not Found\r\n", "" },
	{ NULL, NULL }, /* streams more than FX_MAX_SLACK_RESPONSE */
	{ JSON_200, "{\"ok\":true}" },
	{ JSON_200, "{\"ok\":\"yes\"}" },
	{ JSON_200, "{\"ok\":false,\"error\":\"invalid_auth\"}" },
};

#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

static void
check_no_token(const struct buf *err)
{
	CHECK(strstr(buf_str(err), TOKEN) == NULL);
	CHECK(strstr(buf_str(err), "xoxb") == NULL);
}

static void
test_sequence(struct slack_api *a, struct fake *f, struct buf *err)
{
	json_t *body, *resp = NULL, *sent;
	int64_t ra = -1;

	body = json_pack("{s:s,s:s}", "channel", "D1", "text", "hi & <b>");
	TEST("200 ok") {
		CHECK_INT(slack_api_call(a, "chat.postMessage", body, &resp,
			      &ra, err),
		    FX_OK);
		CHECK_STR(json_string_value(json_object_get(resp, "ts")),
		    "1.2345");
		CHECK_INT(ra, 0);
		json_decref(resp);
	}
	TEST("429 with Retry-After") {
		CHECK_INT(slack_api_call(a, "chat.postMessage", body, &resp,
			      &ra, err),
		    FX_ERETRY);
		CHECK_INT(ra, 7);
		CHECK(resp == NULL);
		CHECK_STR(buf_str(err), "chat.postMessage: http 429");
	}
	TEST("500") {
		CHECK_INT(slack_api_call(a, "chat.update", body, &resp, &ra,
			      err),
		    FX_ERETRY);
		CHECK_INT(ra, 0);
		CHECK_STR(buf_str(err), "chat.update: http 500");
	}
	json_decref(body);
	TEST("ok:false users_not_found, form body") {
		body = json_pack("{s:s}", "email", "dana+ops@example.com");
		CHECK_INT(slack_api_call(a, "users.lookupByEmail", body, &resp,
			      &ra, err),
		    FX_EREMOTE);
		CHECK_STR(buf_str(err), "users_not_found");
		CHECK(
		    resp != NULL && json_is_false(json_object_get(resp, "ok")));
		json_decref(resp);
		json_decref(body);
	}
	TEST("garbage body") {
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, &resp,
			      &ra, err),
		    FX_ERETRY);
		CHECK(resp == NULL);
		check_no_token(err);
	}
	TEST("ok:false ratelimited with Retry-After") {
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, NULL, &ra,
			      err),
		    FX_ERETRY);
		CHECK_INT(ra, 3);
		CHECK_STR(buf_str(err), "ratelimited");
	}
	TEST("404, oversized answer, NULL body, non-boolean ok") {
		CHECK_INT(slack_api_call(a, "nope.method", NULL, NULL, &ra,
			      err),
		    FX_EREMOTE);
		CHECK_STR(buf_str(err), "nope.method: http 404");
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, &resp,
			      NULL, err),
		    FX_EREMOTE);
		CHECK_STR(buf_str(err), "chat.postMessage: answer too large");
		CHECK(resp == NULL);
		CHECK_INT(slack_api_call(a, "views.open", NULL, &resp, NULL,
			      NULL),
		    FX_OK);
		json_decref(resp);
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, NULL,
			      NULL, err),
		    FX_ERETRY);
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, NULL,
			      NULL, err),
		    FX_EREMOTE);
		CHECK_STR(buf_str(err), "invalid_auth");
		check_no_token(err);
	}

	TEST("what the fake received") {
		CHECK_INT(f->nreq, NANSWERS);
		CHECK_STR(f->req[0].line,
		    "POST /api/chat.postMessage HTTP/1.1");
		CHECK_STR(f->req[0].auth, "Bearer " TOKEN);
		CHECK_STR(f->req[0].ctype, "application/json; charset=utf-8");
		sent = json_loads(f->req[0].body, 0, NULL);
		CHECK_STR(json_string_value(json_object_get(sent, "text")),
		    "hi & <b>");
		json_decref(sent);
		CHECK_STR(f->req[2].line, "POST /api/chat.update HTTP/1.1");
		CHECK_STR(f->req[3].line,
		    "POST /api/users.lookupByEmail HTTP/1.1");
		CHECK_STR(f->req[3].auth, "Bearer " TOKEN);
		CHECK_STR(f->req[3].ctype, "application/x-www-form-urlencoded");
		CHECK_STR(f->req[3].body, "email=dana%2Bops%40example.com");
		CHECK_STR(f->req[4].body, "{}");
		CHECK_STR(f->req[8].line, "POST /api/views.open HTTP/1.1");
	}
}

static void
test_args(void)
{
	struct slack_api *a = NULL;
	struct buf err = BUF_INIT;
	json_t *resp = NULL;
	int64_t ra = -1;
	int fd, port = 0;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char url[64];

	buf_init(&err, 0);
	TEST("bad arguments") {
		CHECK_INT(slack_api_new("ftp://x/", TOKEN, &a), FX_EINVAL);
		CHECK(a == NULL);
		CHECK_INT(slack_api_new("https://x/", "xoxb bad", &a),
		    FX_EINVAL);
		CHECK_INT(slack_api_new("https://x/", "xoxb\r\nX: y", &a),
		    FX_EINVAL);
		CHECK_INT(slack_api_new("https://x/", "", &a), FX_EINVAL);
		CHECK_INT(slack_api_new(NULL, TOKEN, &a), FX_EINVAL);
		CHECK_INT(slack_api_new("https://slack.com/api/", TOKEN, &a),
		    FX_OK);
		CHECK_INT(slack_api_call(a, "../admin", NULL, &resp, &ra, &err),
		    FX_EINVAL);
		CHECK_INT(slack_api_call(a, "", NULL, NULL, NULL, NULL),
		    FX_EINVAL);
		CHECK_INT(slack_api_call(NULL, "chat.update", NULL, NULL, NULL,
			      NULL),
		    FX_EINVAL);
		CHECK_INT(slack_api_call(a, "users.lookupByEmail", NULL, NULL,
			      NULL, &err),
		    FX_EINVAL);
		slack_api_free(a);
		slack_api_free(NULL);
		a = NULL;
	}

	/* a port nobody listens on: bind, read the port, close */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0 &&
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	TEST("connection refused is retried") {
		CHECK(port > 0);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/", port);
		CHECK_INT(slack_api_new(url, TOKEN, &a), FX_OK);
		CHECK_INT(slack_api_call(a, "chat.postMessage", NULL, &resp,
			      &ra, &err),
		    FX_ERETRY);
		CHECK(strncmp(buf_str(&err),
			  "chat.postMessage: transport: ", 29) == 0);
		check_no_token(&err);
		CHECK_INT(ra, 0);
		slack_api_free(a);
	}
	buf_release(&err);
}

int
main(void)
{
	struct fake f;
	struct slack_api *a = NULL;
	struct buf err = BUF_INIT;
	char url[64];

	buf_init(&err, 0);
	if (fake_start(&f, answers, NANSWERS) != 0) {
		printf("cannot start the fake server\n");
		return 1;
	}
	/* no final '/': slack_api_new adds it */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api", f.port);
	TEST("client") {
		CHECK_INT(slack_api_new(url, TOKEN, &a), FX_OK);
	}
	if (a != NULL)
		test_sequence(a, &f, &err);
	fake_stop(&f);
	slack_api_free(a);
	test_args();
	buf_release(&err);
	return TEST_REPORT();
}
