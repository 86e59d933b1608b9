/*
 * clickload.c - HTTP/1.1 keep-alive load generator for fixitd's click
 * benchmark: a lean replacement for wrk + clicks.lua (see README.md),
 * printing the same BENCH line. Closed loop by default; with -R, a fixed
 * offered rate.
 *
 *   clickload -c CONNS -d DURATION [-t THREADS] [-R RATE]
 *             [--timeout DURATION] http://HOST:PORT REQFILE
 *
 * REQFILE has one pre-signed click per line, "TIMESTAMP \t SIGNATURE \t
 * BODY". Every request (POST /slack/actions) is built up front into one
 * buffer with an offset table, so sending one is one send(). Thread k of
 * THREADS takes the lines whose 0-based number is k mod THREADS and sends
 * each once, in order, whichever of its connections is free; when they run
 * out it starts over and counts a wrap-around.
 *
 * Thread model: main parses the arguments, loads REQFILE, checks that the
 * server accepts a connection, blocks SIGINT/SIGTERM (the load threads
 * inherit the mask), starts THREADS load threads and waits in
 * sigtimedwait() until the duration is over or a signal asks to stop
 * early; then it joins them, merges their counters and prints. A load
 * thread owns CONNS/THREADS connections (non-blocking, TCP_NODELAY) in its
 * own epoll set, and its own counters and latency histogram: the threads
 * share only the read-only requests and the stop flag.
 *
 * Each connection has one request in flight. Closed loop (the default):
 * a connection sends the next request as soon as a response is complete,
 * and latency runs from the start of the request's write to the end of its
 * response. Fixed rate (-R RATE requests/s over all threads): request j of
 * a thread is due at start + j * THREADS / RATE, and goes out on a free
 * connection as soon as it is due and one is free (epoll_pwait2 sleeps to
 * the next due time with ns resolution); its latency runs from its due
 * time, not from its write, so that a server that falls behind is charged
 * for the time requests waited for a connection (no coordinated omission,
 * as in wrk2). Requests due by the end but never sent are reported as
 * "behind". The end of a response is found from its head, then a
 * Content-Length, chunked or close-delimited body). A server close or a
 * protocol error is a read error; a response not complete within the
 * timeout is a timeout; both close the connection and open a new one (the
 * lost request is not sent again). Failed connects are retried after
 * CL_RETRY_MS.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "fxutil.h"
#include "banned.h"

#define CL_PATH	       "/slack/actions"
#define CL_MAX_CONNS   10000
#define CL_MAX_THREADS 64
#define CL_MAX_HOST    256  /* Host header value */
#define CL_MAX_SIG     1024 /* one signature field */
#define CL_MAX_TS      19   /* digits of one timestamp */
#define CL_RBUF	       8192 /* per connection; one head line fits */
#define CL_EVENTS      256  /* epoll events per wait */
#define CL_TICK_MS     10   /* timeout checks */
#define CL_RETRY_MS    10   /* wait after a failed connect */
#define CL_MAX_CHUNK   ((uint64_t)1 << 60)

/* latency histogram: 1 us buckets below 1 s, 1 ms buckets to 60 s, over */
#define HIST_FINE   1000000u
#define HIST_COARSE 59000u
#define HIST_N	    (HIST_FINE + HIST_COARSE + 1)

#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "stop flag must be lock-free");

struct opts {
	long conns, threads;
	double rate; /* -R requests/s over all threads; 0 closed loop */
	uint64_t duration_ns, timeout_ns;
	const char *url, *file;
	char host[CL_MAX_HOST]; /* Host header: as in the URL */
	struct sockaddr_in addr;
};

struct reqtab {
	char *buf; /* every request, back to back */
	size_t len, cap;
	size_t *off;	  /* request i: buf[off[i]] to buf[off[i + 1]] */
	size_t n, offcap; /* n requests, n + 1 offsets */
};

struct stats {
	uint64_t requests, non2xx, connect_err, read_err, write_err, timeouts;
	uint64_t sent, wrapped, loaded, max_ns;
	uint64_t behind; /* fixed rate: due by the end, never sent */
	uint64_t *hist;	 /* HIST_N counts, owned */
};

/* C_IDLE: connected, no request in flight (fixed rate only) */
enum conn_state { C_CLOSED, C_CONNECTING, C_BUSY, C_IDLE };

enum resp_state {
	R_STATUS,
	R_HEADER,
	R_BODY,
	R_BODY_EOF,
	R_CHUNK_SIZE,
	R_CHUNK_DATA,
	R_CHUNK_CRLF,
	R_TRAILER
};

enum { P_MORE, P_DONE, P_ERR };

struct conn {
	int fd; /* -1 unless C_CONNECTING or C_BUSY */
	enum conn_state state;
	int want_out;	 /* EPOLLOUT is in the epoll set */
	uint64_t since;	 /* ns: connect or request start (fixed rate:
				   its due time); retry time */
	const char *req; /* the request in flight (in the reqtab) */
	size_t reqlen, written;
	enum resp_state rs; /* response parser */
	int status, close, have_len;
	int chunked;	 /* 0 no Transfer-Encoding, 1 chunked, 2 other */
	uint64_t remain; /* body or chunk bytes still to come */
	size_t rlen;	 /* bytes held in rbuf */
	char rbuf[CL_RBUF];
};

struct loader {
	pthread_t tid;
	const struct opts *o;
	const struct reqtab *rt;
	size_t k;		  /* thread number: lines k, k + T, ... */
	uint64_t start, deadline; /* ns, CLOCK_MONOTONIC */
	double interval; /* fixed rate: ns between this thread's requests */
	int epfd;
	struct conn *conns;
	size_t nconns, nclosed;
	struct conn **idle; /* fixed rate: the C_IDLE connections */
	size_t nidle;
	size_t next; /* next of this thread's requests */
	struct stats st;
	int failed; /* a system call failed: the run is void */
	char err[256];
};

static atomic_int stop_flag;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clickload -c CONNS -d DURATION [-t THREADS] "
	    "[-R RATE] [--timeout DURATION] URL REQFILE\n"
	    "  URL       http://HOST[:PORT] (IPv4 address or localhost); "
	    "requests go to " CL_PATH "\n"
	    "  REQFILE   one click a line: TIMESTAMP<TAB>SIGNATURE<TAB>BODY\n"
	    "  DURATION  N, Ns, Nms, Nm or Nh (seconds by default)\n"
	    "  -t        load threads, each with CONNS/THREADS connections "
	    "(1)\n"
	    "  -R        offer RATE requests/s (1 to 10000000) and time each "
	    "from its due\n"
	    "            time; without it, closed loop\n"
	    "  --timeout a request without a complete response is dropped "
	    "(5s)\n");
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	/* cannot fail: main checked that CLOCK_MONOTONIC works */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* "N", "Ns", "Nms", "Nm", "Nh" (1 ms to 24 h) to ns; -1 when malformed */
static int
parse_duration(const char *s, uint64_t *ns)
{
	char num[16];
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	uint64_t mult;
	int64_t v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (*unit == '\0' || strcmp(unit, "s") == 0)
		mult = NS_PER_S;
	else if (strcmp(unit, "ms") == 0)
		mult = NS_PER_MS;
	else if (strcmp(unit, "m") == 0)
		mult = 60 * NS_PER_S;
	else if (strcmp(unit, "h") == 0)
		mult = 3600 * NS_PER_S;
	else
		return -1;
	if (fx_strtoll(num, 1, 100000000, &v) != FX_OK)
		return -1;
	*ns = (uint64_t)v * mult;
	if (*ns < NS_PER_MS || *ns > 24 * 3600 * NS_PER_S)
		return -1;
	return 0;
}

/* http://HOST[:PORT][/ or /slack/actions]; HOST an IPv4 literal or localhost */
static int
parse_url(const char *url, struct opts *o)
{
	const char *h, *path;
	size_t hlen, plen;
	char host[64], port[8];
	int64_t p = 80;

	if (strncmp(url, "http://", strlen("http://")) != 0) {
		fprintf(stderr, "clickload: %s: only http:// URLs\n", url);
		return -1;
	}
	h = url + strlen("http://");
	hlen = strcspn(h, ":/");
	path = h + hlen;
	if (*path == ':') {
		plen = strcspn(path + 1, "/");
		if (plen == 0 || plen >= sizeof(port))
			goto badport;
		memcpy(port, path + 1, plen);
		port[plen] = '\0';
		if (fx_strtoll(port, 1, 65535, &p) != FX_OK)
			goto badport;
		path += 1 + plen;
	}
	if (*path != '\0' && strcmp(path, "/") != 0 &&
	    strcmp(path, CL_PATH) != 0) {
		fprintf(stderr,
		    "clickload: %s: the path is always " CL_PATH "\n", url);
		return -1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto badhost;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&o->addr, 0, sizeof(o->addr));
	o->addr.sin_family = AF_INET;
	o->addr.sin_port = htons((uint16_t)p);
	if (strcmp(host, "localhost") == 0)
		o->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &o->addr.sin_addr) != 1)
		goto badhost;
	/* the Host header as wrk sends it: the URL's authority */
	snprintf(o->host, sizeof(o->host), "%.*s", (int)(path - h), h);
	return 0;
badport:
	fprintf(stderr, "clickload: %s: bad port\n", url);
	return -1;
badhost:
	fprintf(stderr,
	    "clickload: %s: the host must be an IPv4 address or "
	    "localhost\n",
	    url);
	return -1;
}

/* 0 ok, 2 usage error (message printed), 1 help printed */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, max, have_c = 0, have_d = 0;
	int64_t v;

	memset(o, 0, sizeof(*o));
	o->threads = 1;
	o->timeout_ns = 5 * NS_PER_S;
	while ((ch = getopt_long(argc, argv, "c:d:t:R:h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'R':
			if (fx_strtoll(optarg, 1, 10000000, &v) != FX_OK) {
				fprintf(stderr,
				    "clickload: -R %s: want 1 to "
				    "10000000 requests/s\n",
				    optarg);
				return 2;
			}
			o->rate = (double)v;
			break;
		case 'c':
		case 't':
			max = ch == 'c' ? CL_MAX_CONNS : CL_MAX_THREADS;
			if (fx_strtoll(optarg, 1, max, &v) != FX_OK) {
				fprintf(stderr,
				    "clickload: -%c %s: want 1 to "
				    "%d %s\n",
				    ch, optarg, max,
				    ch == 'c' ? "connections" : "threads");
				return 2;
			}
			if (ch == 'c')
				o->conns = (long)v;
			else
				o->threads = (long)v;
			have_c |= ch == 'c';
			break;
		case 'd':
		case 'T':
			if (parse_duration(optarg,
				ch == 'd' ? &o->duration_ns : &o->timeout_ns) !=
			    0) {
				fprintf(stderr,
				    "clickload: %s %s: want a "
				    "duration from 1ms to 24h (N, Ns, Nms, Nm, "
				    "Nh)\n",
				    ch == 'd' ? "-d" : "--timeout", optarg);
				return 2;
			}
			have_d |= ch == 'd';
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!have_c || !have_d || argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if (o->threads > o->conns) {
		fprintf(stderr,
		    "clickload: %ld threads need at least as many "
		    "connections (-c %ld)\n",
		    o->threads, o->conns);
		return 2;
	}
	o->url = argv[optind];
	o->file = argv[optind + 1];
	return parse_url(o->url, o) == 0 ? 0 : 2;
}

static int
reqtab_reserve(struct reqtab *rt, size_t more)
{
	size_t cap = rt->cap ? rt->cap : 1 << 20;
	char *p;

	if (more > SIZE_MAX / 2 - rt->len)
		return -1;
	while (cap < rt->len + more)
		cap *= 2;
	if (cap != rt->cap) {
		if ((p = realloc(rt->buf, cap)) == NULL)
			return -1;
		rt->buf = p;
		rt->cap = cap;
	}
	if (rt->n + 2 > rt->offcap) {
		size_t n = rt->offcap ? rt->offcap * 2 : 1024;
		size_t *q = realloc(rt->off, n * sizeof(*q));

		if (q == NULL)
			return -1;
		rt->off = q;
		rt->offcap = n;
	}
	return 0;
}

/* one request, as wrk.format builds it: same headers, same body */
static int
reqtab_add(struct reqtab *rt, const char *host, const char *ts, int tslen,
    const char *sig, int siglen, const char *body, size_t bodylen)
{
	static const char fmt[] =
	    "POST " CL_PATH " HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "X-Slack-Request-Timestamp: %.*s\r\n"
	    "X-Slack-Signature: %.*s\r\n"
	    "Content-Length: %zu\r\n\r\n";
	int head =
	    snprintf(NULL, 0, fmt, host, tslen, ts, siglen, sig, bodylen);

	if (head < 0 || reqtab_reserve(rt, (size_t)head + 1 + bodylen) != 0)
		return -1;
	if (rt->n == 0)
		rt->off[0] = 0;
	snprintf(rt->buf + rt->len, (size_t)head + 1, fmt, host, tslen, ts,
	    siglen, sig, bodylen);
	memcpy(rt->buf + rt->len + head, body, bodylen);
	rt->len += (size_t)head + bodylen;
	rt->off[++rt->n] = rt->len;
	return 0;
}

/* TIMESTAMP \t SIGNATURE \t BODY, as clicks.lua's ^(%d+)\t(%S+)\t(.*)$ */
static const char *
parse_line(const char *line, size_t len, size_t *tslen, const char **sig,
    size_t *siglen, const char **body)
{
	size_t i = strspn(line, "0123456789"), j;

	if (i == 0)
		return "no timestamp";
	if (i > CL_MAX_TS)
		return "timestamp too long";
	if (line[i] != '\t')
		return "timestamp not followed by a tab";
	*tslen = i++;
	j = i + strcspn(line + i, " \t\r\n\v\f");
	if (j == i)
		return "no signature";
	if (j - i > CL_MAX_SIG)
		return "signature too long";
	if (j >= len || line[j] != '\t')
		return "signature not followed by a tab";
	*sig = line + i;
	*siglen = j - i;
	*body = line + j + 1;
	return NULL;
}

static int
reqtab_load(struct reqtab *rt, const struct opts *o)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, tslen, siglen;
	ssize_t len;
	unsigned long lineno = 0;
	const char *sig, *body, *why;
	int rc = -1;

	if ((f = fopen(o->file, "r")) == NULL) {
		fprintf(stderr, "clickload: %s: %s\n", o->file,
		    strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (memchr(line, '\0', (size_t)len) != NULL)
			why = "NUL byte";
		else
			why = parse_line(line, (size_t)len, &tslen, &sig,
			    &siglen, &body);
		if (why != NULL) {
			fprintf(stderr,
			    "clickload: %s:%lu: malformed line "
			    "(%s; want TIMESTAMP<TAB>SIGNATURE<TAB>BODY)\n",
			    o->file, lineno, why);
			goto out;
		}
		if (reqtab_add(rt, o->host, line, (int)tslen, sig, (int)siglen,
			body, (size_t)len - (size_t)(body - line))) {
			fprintf(stderr, "clickload: %s:%lu: out of memory\n",
			    o->file, lineno);
			goto out;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "clickload: %s: read error\n", o->file);
		goto out;
	}
	if (rt->n == 0) {
		fprintf(stderr, "clickload: %s: no requests\n", o->file);
		goto out;
	}
	rc = 0;
out:
	free(line);
	if (fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "clickload: %s: %s\n", o->file,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

static void
reqtab_release(struct reqtab *rt)
{
	free(rt->buf);
	free(rt->off);
	memset(rt, 0, sizeof(*rt));
}

/* one blocking-style connect with the timeout: the server is there */
static int
probe(const struct opts *o)
{
	struct pollfd pfd;
	int fd, err = 0, r;
	socklen_t elen = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "clickload: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&o->addr, sizeof(o->addr)) !=
	    0) {
		err = errno;
		if (err == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			do
				r = poll(&pfd, 1,
				    (int)(o->timeout_ns / NS_PER_MS));
			while (r < 0 && errno == EINTR);
			if (r < 0)
				err = errno;
			else if (r == 0)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
				     &elen) != 0)
				err = errno;
		}
	}
	(void)close(fd); /* a probe: nothing was sent */
	if (err != 0) {
		fprintf(stderr, "clickload: cannot connect to %s: %s\n", o->url,
		    strerror(err));
		return -1;
	}
	return 0;
}

static void
hist_add(struct stats *st, uint64_t ns)
{
	uint64_t us = ns / 1000, ms = us / 1000;

	if (us < HIST_FINE)
		st->hist[us]++;
	else if (ms < 1000 + HIST_COARSE)
		st->hist[HIST_FINE + (ms - 1000)]++;
	else
		st->hist[HIST_N - 1]++;
	if (ns > st->max_ns)
		st->max_ns = ns;
}

/*
 * The nearest-rank percentile, in us: the smallest recorded value with at
 * least permille/1000 of all values at or below it.
 */
static uint64_t
hist_percentile(const struct stats *st, unsigned permille)
{
	uint64_t total = 0, rank, cum = 0;
	size_t i;

	for (i = 0; i < HIST_N; i++)
		total += st->hist[i];
	if (total == 0)
		return 0;
	rank = (total * permille + 999) / 1000;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_N - 1; i++) {
		cum += st->hist[i];
		if (cum >= rank)
			return i < HIST_FINE ? i
					     : (i - HIST_FINE + 1000) * 1000;
	}
	return st->max_ns / 1000; /* in the overflow bucket */
}

static void
ld_fail(struct loader *ld, const char *what, int err)
{
	if (!ld->failed)
		snprintf(ld->err, sizeof(ld->err), "%s: %s", what,
		    strerror(err));
	ld->failed = 1;
}

/* close c; the tick opens it again from retry_at on */
static void
conn_close(struct loader *ld, struct conn *c, uint64_t retry_at)
{
	size_t i;

	if (c->state == C_IDLE)
		for (i = 0; i < ld->nidle; i++)
			if (ld->idle[i] == c) {
				ld->idle[i] = ld->idle[--ld->nidle];
				break;
			}
	if (c->fd >= 0)
		(void)close(c->fd); /* its request is given up anyway */
	c->fd = -1;
	c->state = C_CLOSED;
	c->since = retry_at;
	c->want_out = 0;
	ld->nclosed++;
}

static int
conn_want_out(struct loader *ld, struct conn *c, int on)
{
	struct epoll_event ev;

	if (c->want_out == on)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(ld->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
		ld_fail(ld, "epoll_ctl", errno);
		return -1;
	}
	c->want_out = on;
	return 0;
}

static void
conn_write(struct loader *ld, struct conn *c)
{
	ssize_t n;

	while (c->written < c->reqlen) {
		n = send(c->fd, c->req + c->written, c->reqlen - c->written,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				(void)conn_want_out(ld, c, 1);
				return;
			}
			ld->st.write_err++;
			conn_close(ld, c, now_ns());
			return;
		}
		c->written += (size_t)n;
	}
	(void)conn_want_out(ld, c, 0);
}

/*
 * the thread's next request, round and round; each line once per round;
 * since: the start of its latency
 */
static void
conn_send_next(struct loader *ld, struct conn *c, uint64_t since)
{
	const struct reqtab *rt = ld->rt;
	size_t line;

	if (ld->next == ld->st.loaded) {
		ld->next = 0;
		ld->st.wrapped++;
	}
	line = ld->k + ld->next++ * (size_t)ld->o->threads;
	c->req = rt->buf + rt->off[line];
	c->reqlen = rt->off[line + 1] - rt->off[line];
	c->written = 0;
	c->rs = R_STATUS;
	c->rlen = 0;
	c->state = C_BUSY;
	ld->st.sent++;
	c->since = since;
	conn_write(ld, c);
}

/* c is connected with nothing in flight: closed loop, send; else idle */
static void
conn_ready(struct loader *ld, struct conn *c)
{
	if (ld->o->rate == 0) {
		conn_send_next(ld, c, now_ns());
		return;
	}
	c->state = C_IDLE;
	ld->idle[ld->nidle++] = c;
}

/* fixed rate: request j of this thread is due at start + j * interval */
static uint64_t
due_at(const struct loader *ld, uint64_t j)
{
	return ld->start + (uint64_t)((double)j * ld->interval);
}

/* fixed rate: send every request that is due while a connection is free */
static void
dispatch_due(struct loader *ld, uint64_t now)
{
	uint64_t due;

	while (ld->nidle > 0 && !ld->failed &&
	       (due = due_at(ld, ld->st.sent)) <= now)
		conn_send_next(ld, ld->idle[--ld->nidle], due);
}

static void
conn_open(struct loader *ld, struct conn *c, uint64_t now)
{
	struct epoll_event ev;
	int one = 1, fd;

	ld->nclosed--;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ld->st.connect_err++;
		conn_close(ld, c, now + CL_RETRY_MS * NS_PER_MS);
		return;
	}
	c->fd = fd;
	c->since = now;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		goto fail;
	if (connect(fd, (const struct sockaddr *)&ld->o->addr,
		sizeof(ld->o->addr)) == 0)
		c->state = C_BUSY;
	else if (errno == EINPROGRESS)
		c->state = C_CONNECTING;
	else
		goto fail;
	memset(&ev, 0, sizeof(ev));
	c->want_out = c->state == C_CONNECTING;
	ev.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(ld->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		ld_fail(ld, "epoll_ctl", errno);
		conn_close(ld, c, now);
		return;
	}
	if (c->state == C_BUSY)
		conn_ready(ld, c);
	return;
fail:
	ld->st.connect_err++;
	conn_close(ld, c, now + CL_RETRY_MS * NS_PER_MS);
}

static void
conn_connected(struct loader *ld, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		ld->st.connect_err++;
		conn_close(ld, c, now_ns() + CL_RETRY_MS * NS_PER_MS);
		return;
	}
	c->state = C_BUSY;
	if (conn_want_out(ld, c, 0) == 0)
		conn_ready(ld, c);
}

/* a complete response: record it, then the next request or a new socket */
static void
conn_done(struct loader *ld, struct conn *c, uint64_t now)
{
	hist_add(&ld->st, now - c->since);
	ld->st.requests++;
	if (c->status < 200 || c->status > 299)
		ld->st.non2xx++;
	if (c->rlen != 0) { /* more than one response */
		ld->st.read_err++;
		conn_close(ld, c, now);
	} else if (c->close || c->written < c->reqlen) {
		conn_close(ld, c, now);
	} else {
		conn_ready(ld, c);
	}
}

/* "Name" (case-insensitive) is s[0..n) */
static int
name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

/* tok is one of the comma-separated items of v[0..n); last: the last one */
static int
has_token(const char *v, size_t n, const char *tok, int last)
{
	const char *end = v + n, *comma, *b, *e;
	int found = 0;

	for (;;) {
		if ((comma = memchr(v, ',', (size_t)(end - v))) == NULL)
			comma = end;
		for (b = v; b < comma && (*b == ' ' || *b == '\t'); b++)
			;
		for (e = comma; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (name_is(b, (size_t)(e - b), tok))
			found = 1;
		else if (last)
			found = 0;
		if (comma == end)
			return found;
		v = comma + 1;
	}
}

/* "HTTP/1.x SSS[ reason]" */
static int
status_line(struct conn *c, const char *s, size_t n)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 ||
	    (s[7] != '0' && s[7] != '1') || s[8] != ' ' ||
	    strspn(s + 9, "0123456789") < 3 || (n > 12 && s[12] != ' '))
		return P_ERR;
	c->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	c->close = s[7] == '0';
	c->chunked = 0;
	c->have_len = 0;
	c->remain = 0;
	c->rs = R_HEADER;
	return P_MORE;
}

/* the header fields that frame the body or end the connection */
static int
head_field(struct conn *c, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *v, *end = s + n, *d;
	size_t name;
	uint64_t len = 0;

	if (colon == NULL || colon == s)
		return P_ERR;
	name = (size_t)(colon - s);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (name_is(s, name, "Content-Length")) {
		if (v == end)
			return P_ERR;
		for (d = v; d < end; d++) {
			if (*d < '0' || *d > '9' || len > CL_MAX_CHUNK)
				return P_ERR;
			len = len * 10 + (uint64_t)(*d - '0');
		}
		c->remain = len;
		c->have_len = 1;
	} else if (name_is(s, name, "Transfer-Encoding")) {
		/* chunked last: chunked; any other coding: until close */
		c->chunked =
		    has_token(v, (size_t)(end - v), "chunked", 1) ? 1 : 2;
	} else if (name_is(s, name, "Connection")) {
		if (has_token(v, (size_t)(end - v), "close", 0))
			c->close = 1;
		else if (has_token(v, (size_t)(end - v), "keep-alive", 0))
			c->close = 0;
	}
	return P_MORE;
}

/* the empty line: how the body is framed (RFC 9112 section 6.3) */
static int
head_done(struct conn *c)
{
	if (c->status == 101)
		return P_ERR;
	if (c->status < 200) { /* 1xx: the real one follows */
		c->rs = R_STATUS;
		return P_MORE;
	}
	if (c->status == 204 || c->status == 304)
		return P_DONE;
	if (c->chunked == 1) {
		c->rs = R_CHUNK_SIZE;
	} else if (c->chunked == 0 && c->have_len) {
		if (c->remain == 0)
			return P_DONE;
		c->rs = R_BODY;
	} else {
		c->rs = R_BODY_EOF;
		c->close = 1;
	}
	return P_MORE;
}

/* HEX[;extension] */
static int
chunk_size(struct conn *c, const char *s, size_t n)
{
	uint64_t size = 0;
	size_t i;
	int v;

	for (i = 0; i < n && (v = fx_hexval(s[i])) >= 0; i++) {
		if (size > CL_MAX_CHUNK)
			return P_ERR;
		size = size * 16 + (uint64_t)v;
	}
	if (i == 0 || (i < n && s[i] != ';' && s[i] != ' ' && s[i] != '\t'))
		return P_ERR;
	c->remain = size;
	c->rs = size == 0 ? R_TRAILER : R_CHUNK_DATA;
	return P_MORE;
}

/*
 * One step of the response parser on s[0..avail): *used bytes consumed;
 * P_MORE with *used 0 when it needs more bytes.
 */
static int
resp_step(struct conn *c, const char *s, size_t avail, size_t *used)
{
	const char *nl;
	size_t n;

	*used = 0;
	switch (c->rs) {
	case R_BODY:
	case R_CHUNK_DATA:
		*used = avail < c->remain ? avail : (size_t)c->remain;
		c->remain -= *used;
		if (c->remain > 0)
			return P_MORE;
		if (c->rs == R_BODY)
			return P_DONE;
		c->rs = R_CHUNK_CRLF;
		return P_MORE;
	case R_BODY_EOF:
		*used = avail;
		return P_MORE;
	case R_CHUNK_CRLF:
		if (avail < 2)
			return P_MORE;
		*used = 2;
		c->rs = R_CHUNK_SIZE;
		return s[0] == '\r' && s[1] == '\n' ? P_MORE : P_ERR;
	default:
		break;
	}
	if ((nl = memchr(s, '\n', avail)) == NULL)
		return P_MORE;
	if (nl == s || nl[-1] != '\r')
		return P_ERR;
	n = (size_t)(nl - s) - 1;
	*used = n + 2;
	switch (c->rs) {
	case R_STATUS:
		return status_line(c, s, n);
	case R_HEADER:
		return n == 0 ? head_done(c) : head_field(c, s, n);
	case R_CHUNK_SIZE:
		return chunk_size(c, s, n);
	default: /* R_TRAILER: fields, empty line */
		return n == 0 ? P_DONE : P_MORE;
	}
}

/* parse what rbuf holds; keep the unparsed rest at its start */
static int
resp_parse(struct conn *c)
{
	size_t p = 0, used;
	int r = P_MORE;

	while (r == P_MORE && p < c->rlen) {
		r = resp_step(c, c->rbuf + p, c->rlen - p, &used);
		p += used;
		if (used == 0)
			break;
	}
	memmove(c->rbuf, c->rbuf + p, c->rlen - p);
	c->rlen -= p;
	return r;
}

static void
conn_read(struct loader *ld, struct conn *c)
{
	ssize_t n;
	int r;

	if (c->rlen == sizeof(c->rbuf)) /* a head line longer than rbuf */
		goto err;
	do
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
		    0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n == 0 && c->rs == R_BODY_EOF) {
		c->close = 1;
		conn_done(ld, c, now_ns());
		return;
	}
	if (n <= 0) /* reset, or closed before the response's end */
		goto err;
	c->rlen += (size_t)n;
	r = resp_parse(c);
	if (r == P_DONE)
		conn_done(ld, c, now_ns());
	else if (r == P_ERR)
		goto err;
	return;
err:
	ld->st.read_err++;
	conn_close(ld, c, now_ns());
}

static void
conn_event(struct loader *ld, struct conn *c, uint32_t events)
{
	if (c->state == C_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_connected(ld, c);
		return;
	}
	if (c->state == C_IDLE) { /* the server closed it (or spoke) */
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			conn_close(ld, c, now_ns());
		return;
	}
	if (c->state != C_BUSY)
		return;
	if ((events & EPOLLOUT) && c->written < c->reqlen) {
		conn_write(ld, c);
		if (c->state != C_BUSY)
			return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		conn_read(ld, c);
}

/* open closed connections that are due; with check, drop the late ones */
static void
loader_tick(struct loader *ld, uint64_t now, int check)
{
	const uint64_t tmo = ld->o->timeout_ns;
	size_t i;

	for (i = 0; i < ld->nconns && !ld->failed; i++) {
		struct conn *c = &ld->conns[i];

		if (c->state == C_CLOSED && c->since <= now) {
			conn_open(ld, c, now);
		} else if (check && c->state == C_CONNECTING &&
			   now - c->since > tmo) {
			ld->st.connect_err++;
			conn_close(ld, c, now);
		} else if (check && c->state == C_BUSY &&
			   now - c->since > tmo) {
			ld->st.timeouts++;
			conn_close(ld, c, now);
		}
	}
}

/* fixed rate: the requests due by the deadline that were never sent */
static void
count_behind(struct loader *ld)
{
	/* j is due before the deadline when j * interval < duration */
	double n = (double)(ld->deadline - ld->start) / ld->interval;
	uint64_t due = (uint64_t)n + ((double)(uint64_t)n < n);

	ld->st.behind = due > ld->st.sent ? due - ld->st.sent : 0;
}

static void *
loader_run(void *arg)
{
	struct loader *ld = arg;
	struct epoll_event ev[CL_EVENTS];
	struct timespec ts;
	uint64_t now, next_check = 0, wait, due;
	int i, n;

	while (!atomic_load(&stop_flag) && !ld->failed) {
		now = now_ns();
		if (now >= ld->deadline)
			break;
		if (ld->nclosed > 0 || now >= next_check) {
			loader_tick(ld, now, now >= next_check);
			if (now >= next_check)
				next_check = now + CL_TICK_MS * NS_PER_MS;
		}
		if (ld->o->rate > 0)
			dispatch_due(ld, now);
		wait = (ld->nclosed > 0 ? 1 : CL_TICK_MS) * NS_PER_MS;
		if (ld->nidle > 0) { /* sleep to the next due time */
			due = due_at(ld, ld->st.sent);
			wait = due <= now	  ? 0
			       : due - now < wait ? due - now
						  : wait;
		}
		if (wait > ld->deadline - now)
			wait = ld->deadline - now;
		ts.tv_sec = (time_t)(wait / NS_PER_S);
		ts.tv_nsec = (long)(wait % NS_PER_S);
		n = epoll_pwait2(ld->epfd, ev, CL_EVENTS, &ts, NULL);
		if (n < 0 && errno != EINTR)
			ld_fail(ld, "epoll_pwait2", errno);
		for (i = 0; i < n && !ld->failed; i++)
			conn_event(ld, ev[i].data.ptr, ev[i].events);
	}
	if (ld->o->rate > 0)
		count_behind(ld);
	return NULL;
}

static int
loader_init(struct loader *ld, const struct opts *o, const struct reqtab *rt,
    size_t k)
{
	size_t i;

	ld->o = o;
	ld->rt = rt;
	ld->k = k;
	ld->epfd = -1;
	ld->nconns = (size_t)(o->conns / o->threads) +
		     (k < (size_t)(o->conns % o->threads));
	ld->nclosed = ld->nconns;
	ld->st.loaded =
	    (rt->n - k + (size_t)o->threads - 1) / (size_t)o->threads;
	ld->interval = o->rate > 0 ? (double)o->threads * 1e9 / o->rate : 0;
	ld->st.hist = calloc(HIST_N, sizeof(*ld->st.hist));
	ld->conns = calloc(ld->nconns, sizeof(*ld->conns));
	ld->idle = calloc(ld->nconns, sizeof(*ld->idle));
	if (ld->st.hist == NULL || ld->conns == NULL || ld->idle == NULL) {
		fprintf(stderr, "clickload: out of memory\n");
		return -1;
	}
	for (i = 0; i < ld->nconns; i++)
		ld->conns[i].fd = -1;
	if ((ld->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		fprintf(stderr, "clickload: epoll_create1: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
loader_release(struct loader *ld)
{
	size_t i;

	for (i = 0; ld->conns != NULL && i < ld->nconns; i++)
		if (ld->conns[i].fd >= 0)
			(void)close(ld->conns[i].fd); /* end of the run */
	if (ld->epfd >= 0)
		(void)close(ld->epfd);
	free(ld->conns);
	free(ld->idle);
	free(ld->st.hist);
	memset(ld, 0, sizeof(*ld));
	ld->epfd = -1;
}

static void
stats_merge(struct stats *to, const struct stats *from)
{
	size_t i;

	to->requests += from->requests;
	to->non2xx += from->non2xx;
	to->connect_err += from->connect_err;
	to->read_err += from->read_err;
	to->write_err += from->write_err;
	to->timeouts += from->timeouts;
	to->sent += from->sent;
	to->wrapped += from->wrapped;
	to->loaded += from->loaded;
	to->behind += from->behind;
	if (from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
	for (i = 0; i < HIST_N; i++)
		to->hist[i] += from->hist[i];
}

static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* cpu: user and system seconds of this process during the run */
static void
report(const struct stats *st, double rate, double secs, const double cpu[2])
{
	double p50 = (double)hist_percentile(st, 500) / 1000.0;
	double p90 = (double)hist_percentile(st, 900) / 1000.0;
	double p99 = (double)hist_percentile(st, 990) / 1000.0;
	double p999 = (double)hist_percentile(st, 999) / 1000.0;
	double max = (double)(st->max_ns / 1000) / 1000.0;
	double rps = secs > 0 ? (double)st->requests / secs : 0;
	double share = secs > 0 ? (cpu[0] + cpu[1]) / secs : 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	printf("  requests:  %" PRIu64 " in %.3f s, %.0f requests/s\n",
	    st->requests, secs, rps);
	if (rate > 0)
		printf("  offered:   %.0f requests/s; %" PRIu64
		       " due but never "
		       "sent (behind); latency from each request's due time\n",
		    rate, st->behind);
	printf("  latency:   p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
	       "p99.9 %.3f ms, max %.3f ms\n",
	    p50, p90, p99, p999, max);
	printf("  errors:    non-2xx %" PRIu64 ", connect %" PRIu64
	       ", read %" PRIu64 ", write %" PRIu64 ", timeouts %" PRIu64 "\n",
	    st->non2xx, st->connect_err, st->read_err, st->write_err,
	    st->timeouts);
	printf("  clicks:    %" PRIu64 " sent, %" PRIu64 " loaded, %" PRIu64
	       " wrap-arounds\n",
	    st->sent, st->loaded, st->wrapped);
	printf("  generator: %.3f s CPU (user %.3f + sys %.3f) in %.3f s: "
	       "%.1f%% of one core, %.1f%% of all %ld\n",
	    cpu[0] + cpu[1], cpu[0], cpu[1], secs, 100 * share,
	    ncpu > 0 ? 100 * share / (double)ncpu : 0, ncpu);
	printf("BENCH requests=%" PRIu64 " duration_s=%.3f rps=%.0f "
	       "non2xx=%" PRIu64 " connect_err=%" PRIu64 " read_err=%" PRIu64
	       " write_err=%" PRIu64 " timeouts=%" PRIu64 " "
	       "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	       "sent=%" PRIu64 " loaded=%" PRIu64 " wrapped=%" PRIu64 " "
	       "rate=%.0f behind=%" PRIu64 "\n",
	    st->requests, secs, rps, st->non2xx, st->connect_err, st->read_err,
	    st->write_err, st->timeouts, p50, p90, p99, max, st->sent,
	    st->loaded, st->wrapped, rate, st->behind);
}

/* until the deadline or SIGINT/SIGTERM (blocked in every thread) */
static int
wait_run(const sigset_t *sigs, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now, left;

	while ((now = now_ns()) < deadline) {
		left = deadline - now;
		ts.tv_sec = (time_t)(left / NS_PER_S);
		ts.tv_nsec = (long)(left % NS_PER_S);
		if (sigtimedwait(sigs, NULL, &ts) >= 0)
			return 1;
		if (errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "clickload: sigtimedwait: %s\n",
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
run(const struct opts *o, struct loader *ld, double *secs, double cpu[2])
{
	struct rusage ru0, ru1;
	sigset_t sigs, old;
	uint64_t t0;
	long i, started = 0;
	int rc = -1, err;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if ((err = pthread_sigmask(SIG_BLOCK, &sigs, &old)) != 0) {
		fprintf(stderr, "clickload: pthread_sigmask: %s\n",
		    strerror(err));
		return -1;
	}
	if (getrusage(RUSAGE_SELF, &ru0) != 0) {
		fprintf(stderr, "clickload: getrusage: %s\n", strerror(errno));
		goto out;
	}
	t0 = now_ns();
	for (i = 0; i < o->threads; i++) {
		ld[i].start = t0;
		ld[i].deadline = t0 + o->duration_ns;
		if ((err = pthread_create(&ld[i].tid, NULL, loader_run,
			 &ld[i])) != 0) {
			fprintf(stderr, "clickload: pthread_create: %s\n",
			    strerror(err));
			break;
		}
		started++;
	}
	if (started == o->threads && wait_run(&sigs, t0 + o->duration_ns) >= 0)
		rc = 0;
	atomic_store(&stop_flag, 1);
	for (i = 0; i < started; i++)
		if ((err = pthread_join(ld[i].tid, NULL)) != 0) {
			fprintf(stderr, "clickload: pthread_join: %s\n",
			    strerror(err));
			rc = -1;
		}
	*secs = (double)(now_ns() - t0) / 1e9;
	if (getrusage(RUSAGE_SELF, &ru1) != 0) {
		fprintf(stderr, "clickload: getrusage: %s\n", strerror(errno));
		rc = -1;
	}
	cpu[0] = tv_s(&ru1.ru_utime) - tv_s(&ru0.ru_utime);
	cpu[1] = tv_s(&ru1.ru_stime) - tv_s(&ru0.ru_stime);
out:
	if ((err = pthread_sigmask(SIG_SETMASK, &old, NULL)) != 0) {
		fprintf(stderr, "clickload: pthread_sigmask: %s\n",
		    strerror(err));
		rc = -1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct reqtab rt = { 0 };
	struct loader *ld = NULL;
	struct stats total = { 0 };
	struct timespec ts;
	double secs = 0, cpu[2] = { 0, 0 };
	long i;
	int rc = 1;

	switch (parse_args(argc, argv, &o)) {
	case 0:
		break;
	case 1:
		return 0;
	default:
		return 2;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		fprintf(stderr, "clickload: clock_gettime: %s\n",
		    strerror(errno));
		return 1;
	}
	if (reqtab_load(&rt, &o) != 0)
		goto out;
	if (rt.n < (size_t)o.threads) {
		fprintf(stderr, "clickload: %s: %zu requests for %ld threads\n",
		    o.file, rt.n, o.threads);
		goto out;
	}
	if (probe(&o) != 0)
		goto out;
	if ((ld = calloc((size_t)o.threads, sizeof(*ld))) == NULL ||
	    (total.hist = calloc(HIST_N, sizeof(*total.hist))) == NULL) {
		fprintf(stderr, "clickload: out of memory\n");
		goto out;
	}
	for (i = 0; i < o.threads; i++)
		ld[i].epfd = -1;
	for (i = 0; i < o.threads; i++)
		if (loader_init(&ld[i], &o, &rt, (size_t)i) != 0)
			goto out;
	printf("clickload: %.3f s @ http://%s" CL_PATH ", %ld thread%s, %ld "
	       "connections, %zu requests, ",
	    (double)o.duration_ns / 1e9, o.host, o.threads,
	    o.threads == 1 ? "" : "s", o.conns, rt.n);
	if (o.rate > 0)
		printf("%.0f requests/s offered\n", o.rate);
	else
		printf("closed loop\n");
	fflush(stdout);
	if (run(&o, ld, &secs, cpu) != 0)
		goto out;
	for (i = 0; i < o.threads; i++) {
		if (ld[i].failed) {
			fprintf(stderr, "clickload: thread %ld: %s\n", i,
			    ld[i].err);
			goto out;
		}
		stats_merge(&total, &ld[i].st);
	}
	report(&total, o.rate, secs, cpu);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	for (i = 0; ld != NULL && i < o.threads; i++)
		loader_release(&ld[i]);
	free(ld);
	free(total.hist);
	reqtab_release(&rt);
	return rc;
}
