/*
 * http.c - libmicrohttpd glue: routing, bounded body collection, replies.
 * See http.h for the thread model.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include <sys/resource.h>

#include "config.h"
#include "fxlimits.h"
#include "fxlog.h"
#include "fxutil.h"
#include "fxtime.h"
#include "fxworker.h"
#include "http.h"
#include "http_guard.h"
#include "http_pre.h"
#include "metrics.h"
#include "banned.h"

typedef void (
    *handler_fn)(struct app *, struct http_request *, struct http_reply *);
/* a check of the head alone, before the body is read (http.h) */
typedef int (*pre_fn)(struct app *, struct http_request *, struct http_reply *);

struct route {
	const char *method;
	const char *path;
	enum metric_route metric;
	size_t max_body;
	handler_fn fn;
	pre_fn pre; /* NULL: nothing to check before the body */
};

static const struct route routes[] = {
	{ "POST", "/slack/actions", ROUTE_SLACK_ACTIONS, FX_MAX_SLACK_BODY,
	    h_slack_actions, http_pre_slack },
	{ "POST", "/slack/commands", ROUTE_SLACK_COMMANDS, FX_MAX_SLACK_BODY,
	    h_slack_commands, http_pre_slack_command },
	{ "POST", "/slack/events", ROUTE_SLACK_EVENTS, FX_MAX_SLACK_BODY,
	    h_slack_events, http_pre_slack },
	{ "POST", "/v1/findings", ROUTE_FINDINGS_POST, FX_MAX_INGEST_BODY,
	    h_findings_post, h_bearer_ok },
	{ "GET", "/v1/findings", ROUTE_FINDINGS_GET, 0, h_findings_get, NULL },
	{ "POST", "/v1/events", ROUTE_EVENTS, FX_MAX_EVENT_BODY, h_events_post,
	    h_events_key_ok },
	{ "POST", "/v1/custodian", ROUTE_CUSTODIAN, FX_MAX_INGEST_BODY,
	    h_custodian_post, h_bearer_ok },
	{ "GET", "/healthz", ROUTE_HEALTHZ, 0, h_healthz, NULL },
	{ "GET", "/metrics", ROUTE_METRICS, 0, h_metrics, NULL },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

struct http {
	struct MHD_Daemon *d;
	struct app *app;
	struct http_guard *guard;
	int port;
	/*
	 * inflight counts requests between the check of stopping and their
	 * answer (for deferred ones: until resumed). http_stop sets stopping,
	 * then waits for inflight to reach 0 (both sequentially consistent:
	 * a request either sees stopping or is waited for), so that MHD never
	 * stops with a connection suspended. MHD_quiesce_daemon is not used:
	 * with a thread pool and epoll it races with the workers removing the
	 * listen socket themselves, and libmicrohttpd 0.9.75 aborts the
	 * process when it loses ("Failed to remove listen FD from epoll
	 * set", seen once at SIGTERM in the suite).
	 */
	atomic_int inflight;
	atomic_int stopping;
};

/* per-request state, on MHD's *req_cls; freed in request_completed */
struct http_request {
	struct MHD_Connection *conn;
	const struct route *route;
	const char *uri_bad;   /* the raw URI refused (http_pre_uri) */
	int uri_query;	       /* for too many query parameters */
	int started;	       /* the head was seen (the first call) */
	unsigned early_status; /* 413/500/503 decided while reading the body */
	int replied;	       /* a response is queued: drop further data */
	int counted;	       /* deferred and in inflight, not answered */
	struct buf body;
	size_t taken; /* bytes of the guard's body budget held */
	/* deferred reply (http_defer) */
	struct dbw_req wreq;
	http_finish_fn finish;
	http_start_fn start; /* http_defer_work: instead of the writer */
	void *state;
	void (*state_free)(void *);
	/*
	 * The connection is suspended before the job is submitted, so the
	 * writer's resume always follows the suspend; job_done is set by the
	 * writer before it resumes (release) and read here after (acquire).
	 * No lock is shared with the writer: a lock the writer released
	 * while this thread waited for it cost a context switch per click.
	 * A deferred request keeps on_request's inflight count until
	 * finish_deferred answers it.
	 */
	atomic_int job_done;
};

const char *
http_req_header(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct count_ctx {
	const char *name;
	int n;
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct count_ctx *c = cls;

	if (strcasecmp(key, c->name) == 0)
		c->n++;
	return MHD_YES;
}

int
http_req_header_count(struct http_request *r, const char *name)
{
	struct count_ctx c = { name, 0 };

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_header, &c);
	return c.n;
}

const char *
http_req_arg(struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
http_req_path(struct http_request *r)
{
	return r->route != NULL ? r->route->path : "";
}

const char *
http_req_body(struct http_request *r, size_t *len)
{
	*len = r->body.len;
	return buf_str(&r->body);
}

int
http_req_ctype_is(struct http_request *r, const char *type)
{
	const char *ct = http_req_header(r, "Content-Type");
	size_t n = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, type, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

void
http_reply_empty(struct http_reply *rp, unsigned status)
{
	rp->status = status;
	rp->ctype = NULL;
	buf_reset(&rp->body);
}

void
http_reply_text(struct http_reply *rp, unsigned status, const char *ctype,
    const char *text)
{
	rp->status = status;
	rp->ctype = ctype;
	buf_reset(&rp->body);
	if (buf_adds(&rp->body, text) != FX_OK) {
		rp->status = 500;
		rp->ctype = NULL;
		buf_reset(&rp->body);
	}
}

void
http_reply_json(struct http_reply *rp, unsigned status, json_t *obj)
{
	char *s = NULL;

	if (obj != NULL)
		s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (s == NULL) {
		log_warnx("%s: cannot serialise reply", __func__);
		http_reply_text(rp, 500, "application/json",
		    "{\"error\":\"internal error\"}");
		return;
	}
	http_reply_text(rp, status, "application/json", s);
	free(s);
}

void
http_reply_error(struct http_reply *rp, unsigned status, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	/* cut at a character, and input quoted in it made UTF-8: a JSON
	 * string, never a 500 instead of the status meant */
	buf_init(&msg, 512);
	va_start(ap, fmt);
	buf_vaddf_cut(&msg, fmt, ap);
	va_end(ap);
	fx_utf8_scrub(msg.data, msg.len);
	http_reply_json(rp, status, json_pack("{s:s}", "error", buf_str(&msg)));
	buf_release(&msg);
}

static enum MHD_Result
queue_reply(struct MHD_Connection *c, struct http_reply *rp)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(rp->body.len,
	    (void *)buf_str(&rp->body), MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (rp->ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", rp->ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * The first call, with the head complete: refused at once (400, 404,
 * 405, 413, 401) with rp set and 0 returned, or 1 when the body (if
 * any) is to be read. Nothing of the body was read yet.
 */
static int
head_ok(struct http *h, struct http_request *r, const char *url,
    const char *method, const char *version, struct http_reply *rp)
{
	const char *why, *cl;
	size_t i;
	int path_seen = 0;

	why = r->uri_bad ? r->uri_bad : http_pre_head(r->conn, version);
	if (why != NULL) {
		metrics_http_refused(h->app->metrics,
		    r->uri_query ? HREF_QUERY : HREF_FRAMING);
		http_reply_error(rp, 400, "%s", why);
		return 0;
	}
	for (i = 0; i < NROUTES; i++) {
		if (strcmp(routes[i].path, url) != 0)
			continue;
		path_seen = 1;
		if (strcmp(routes[i].method, method) == 0) {
			r->route = &routes[i];
			break;
		}
	}
	if (r->route == NULL) {
		if (path_seen)
			http_reply_error(rp, 405,
			    "method not allowed on this route");
		else
			http_reply_error(rp, 404, "no such route");
		return 0;
	}
	buf_init(&r->body, r->route->max_body ? r->route->max_body : 1);
	/* refuse an announced oversized body before reading it */
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > r->route->max_body) {
		r->early_status = 413;
		return 0;
	}
	if (r->route->pre != NULL && !r->route->pre(h->app, r, rp)) {
		metrics_http_refused(h->app->metrics, HREF_CREDENTIALS);
		return 0;
	}
	return 1;
}

static void
early_reply(struct http *h, struct http_request *r, struct http_reply *rp)
{
	if (r->early_status == 503) {
		http_reply_error(rp, 503,
		    "too many request bodies in memory: try again");
		return;
	}
	if (r->early_status == 500) { /* out of memory is no 4xx: retried */
		http_reply_error(rp, 500, "out of memory: try again");
		return;
	}
	if (r->route != NULL && (r->route->metric == ROUTE_SLACK_ACTIONS ||
				    r->route->metric == ROUTE_SLACK_COMMANDS ||
				    r->route->metric == ROUTE_SLACK_EVENTS))
		h_slack_reject(h->app, REJ_SIZE, r->route->path);
	http_reply_error(rp, 413, "request body too large (limit %zu bytes)",
	    r->route ? r->route->max_body : (size_t)0);
}

static void
reply_init(struct http_reply *rp)
{
	buf_init(&rp->body, FX_MAX_INGEST_BODY * 4);
	rp->status = 500;
	rp->ctype = NULL;
}

void
http_defer(struct http_request *r, dbw_fn job, void *state,
    http_finish_fn finish, void (*state_free)(void *))
{
	r->wreq.fn = job;
	r->wreq.arg = state;
	r->state = state;
	r->finish = finish;
	r->state_free = state_free;
}

void
http_defer_work(struct http_request *r, http_start_fn start, void *state,
    http_finish_fn finish, void (*state_free)(void *))
{
	http_defer(r, NULL, state, finish, state_free);
	r->start = start;
}

/* writer thread: the deferred job is committed (or failed) */
static void
deferred_done(struct dbw_req *wr)
{
	struct http_request *r =
	    (struct http_request *)((char *)wr -
				    offsetof(struct http_request, wreq));

	atomic_store_explicit(&r->job_done, 1, memory_order_release);
	MHD_resume_connection(r->conn);
}

void
http_resume(struct http_request *r, fx_err rc)
{
	r->wreq.rc = rc;
	deferred_done(&r->wreq);
}

static enum MHD_Result
reply_now(struct http *h, struct http_request *r, struct http_reply *rp,
    const char *method, const char *url)
{
	enum MHD_Result ret;

	if (rp->status >= 500)
		log_warnx("%s: %s %s answered %u", __func__, method, url,
		    rp->status);
	metrics_http(h->app->metrics, r->route ? r->route->metric : ROUTE_OTHER,
	    rp->status);
	ret = queue_reply(r->conn, rp);
	r->replied = 1;
	return ret;
}

/* the job is done: build the reply on this HTTP thread */
static enum MHD_Result
finish_deferred(struct http *h, struct http_request *r, const char *method,
    const char *url)
{
	struct http_reply rp;
	enum MHD_Result ret;
	http_finish_fn fn = r->finish;

	reply_init(&rp);
	r->finish = NULL;
	fn(h->app, r->state, r->wreq.rc, &rp);
	r->counted = 0;
	atomic_fetch_sub(&h->inflight, 1); /* taken in on_request */
	ret = reply_now(h, r, &rp, method, url);
	buf_release(&rp.body);
	return ret;
}

static enum MHD_Result
start_deferred(struct http *h, struct http_request *r)
{
	fx_err rc;

	r->wreq.done = deferred_done;
	MHD_suspend_connection(r->conn);
	if (r->start != NULL)
		rc = r->start(h->app, r->state, r);
	else
		rc = dbw_submit(h->app->w, &r->wreq);
	if (rc != FX_OK) {
		/* not queued: answer from this thread once resumed */
		r->wreq.rc = rc;
		atomic_store_explicit(&r->job_done, 1, memory_order_release);
		MHD_resume_connection(r->conn);
	}
	return MHD_YES;
}

/* a body chunk: into the bounded buffer, within the guard's budget */
static void
take_body(struct http *h, struct http_request *r, const char *upload, size_t n)
{
	fx_err rc;

	if (r->early_status != 0)
		return; /* refused already: the rest is dropped */
	if (r->route->max_body == 0 || r->body.len + n > r->route->max_body) {
		r->early_status = 413;
		return;
	}
	if (!http_guard_take(h->guard, n)) {
		metrics_http_refused(h->app->metrics, HREF_BUDGET);
		r->early_status = 503;
		return;
	}
	r->taken += n;
	rc = buf_add(&r->body, upload, n);
	if (rc != FX_OK) /* out of memory is no 4xx: the sender retries */
		r->early_status = rc == FX_ENOMEM ? 500 : 413;
}

static struct http_request *
request_new(struct MHD_Connection *c)
{
	struct http_request *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->conn = c;
	atomic_init(&r->job_done, 0);
	buf_init(&r->body, 1);
	return r;
}

/*
 * MHD's URI log callback: the request line is in, the head not yet.
 * What it returns is the request's *req_cls. uri is MHD's own buffer:
 * http_pre_uri may cut its query off.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_request *r = request_new(c);

	(void)cls;
	if (r != NULL)
		r->uri_bad =
		    http_pre_uri((char *)(uintptr_t)uri, &r->uri_query);
	return r;
}

/* the head is complete: refuse now, or read the body */
static enum MHD_Result
on_head(struct http *h, struct http_request *r, const char *url,
    const char *method, const char *version)
{
	static _Thread_local int policy_set;
	struct http_reply rp;
	enum MHD_Result ret;

	/* MHD starts its threads: mark each on its first request */
	if (!policy_set) {
		policy_set = 1;
		fx_thread_batch();
	}
	r->started = 1;
	reply_init(&rp);
	if (head_ok(h, r, url, method, version, &rp)) {
		buf_release(&rp.body);
		http_guard_phase(h->guard, r->conn,
		    r->route->max_body > 0 ? HTTP_BODY : HTTP_WORK);
		return MHD_YES;
	}
	/* answer at once: the body (if any) is never read */
	if (r->early_status != 0)
		early_reply(h, r, &rp);
	http_guard_phase(h->guard, r->conn, HTTP_WORK);
	ret = reply_now(h, r, &rp, method, url);
	buf_release(&rp.body);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct http *h = cls;
	struct http_request *r = *req_cls;
	struct http_reply rp;
	enum MHD_Result ret;

	if (r == NULL) {
		if ((r = request_new(c)) == NULL)
			return MHD_NO;
		*req_cls = r;
	}
	if (!r->started)
		return on_head(h, r, url, method, version);
	if (r->replied) {
		*upload_size = 0;
		return MHD_YES;
	} else if (r->finish != NULL) {
		/* resumed: the writer ran the job (or it was not queued) */
		if (atomic_load_explicit(&r->job_done, memory_order_acquire))
			return finish_deferred(h, r, method, url);
		return MHD_YES;
	} else if (*upload_size != 0) {
		take_body(h, r, upload, *upload_size);
		*upload_size = 0; /* consumed (or dropped) */
		if (r->early_status == 0)
			return MHD_YES;
		/* refused midway: answer now, the rest is never read (MHD
		 * closes the connection after the answer) */
		reply_init(&rp);
		early_reply(h, r, &rp);
		http_guard_phase(h->guard, c, HTTP_WORK);
		ret = reply_now(h, r, &rp, method, url);
		buf_release(&rp.body);
		return ret;
	}

	http_guard_phase(h->guard, c, HTTP_WORK);
	reply_init(&rp);
	atomic_fetch_add(&h->inflight, 1);
	if (atomic_load(&h->stopping))
		http_reply_error(&rp, 503, "fixitd is shutting down");
	else if (r->early_status != 0)
		early_reply(h, r, &rp);
	else
		r->route->fn(h->app, r, &rp);
	if (r->finish != NULL) {
		r->counted = 1;
		ret = start_deferred(h, r);
	} else {
		atomic_fetch_sub(&h->inflight, 1);
		ret = reply_now(h, r, &rp, method, url);
	}
	buf_release(&rp.body);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct http_request *r = *req_cls;

	(void)toe;
	if (r == NULL)
		return;
	/*
	 * A deferred request whose client closed (or half-closed) the
	 * connection while it waited: MHD ends it after the resume without
	 * calling on_request again, so it is counted out here.
	 */
	if (r->counted)
		atomic_fetch_sub(&h->inflight, 1);
	if (r->state_free != NULL)
		r->state_free(r->state);
	http_guard_give(h->guard, r->taken);
	buf_release(&r->body);
	free(r);
	*req_cls = NULL;
	http_guard_phase(h->guard, c, HTTP_HEAD); /* the next request's */
}

/* MHD's errors, at most LOG_BURST a second ("connection limit reached"
 * would otherwise write a line per refused connection) */
#define LOG_BURST 10

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	static atomic_llong window;
	static atomic_int count;
	static atomic_ullong quiet;
	long long now = (long long)fx_mono_ms() / 1000, w;
	char msg[512];
	size_t n;

	(void)cls;
	w = atomic_load(&window);
	if (w != now && atomic_compare_exchange_strong(&window, &w, now))
		atomic_store(&count, 0);
	if (atomic_fetch_add(&count, 1) >= LOG_BURST) {
		atomic_fetch_add(&quiet, 1);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warnx("libmicrohttpd: %s (%llu lines not logged before)", msg,
	    (unsigned long long)atomic_exchange(&quiet, 0));
}

/*
 * The total, within the descriptors fixitd may open: the soft limit is
 * raised to the hard one, and 256 are kept for the database, Slack, AWS
 * and the executors.
 */
static unsigned
conn_limit(unsigned want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need || rl.rlim_cur == RLIM_INFINITY)
		return want;
	log_warnx("%s: http.max_connections %u lowered to %u: the file "
		  "descriptor limit is %llu",
	    __func__, want,
	    rl.rlim_cur > 256 + 16 ? (unsigned)(rl.rlim_cur - 256) : 16u,
	    (unsigned long long)rl.rlim_cur);
	return rl.rlim_cur > 256 + 16 ? (unsigned)(rl.rlim_cur - 256) : 16u;
}

fx_err
http_start(struct app *app, struct http **out)
{
	const struct config *cfg = app->cfg;
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			 MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads = (unsigned)cfg->http_threads;
	struct http_guard_limits lim;
	struct http *h;
	fx_err rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)cfg->listen_port);
	if (inet_pton(AF_INET, cfg->listen_host, &sin.sin_addr) != 1) {
		log_warnx("%s: listen host %s is not an IPv4 address", __func__,
		    cfg->listen_host);
		return FX_ECONFIG;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return FX_ENOMEM;
	h->app = app;
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 && n < 64 ? (unsigned)n : 2;
	}
	lim.max_conns = conn_limit((unsigned)cfg->http.max_connections);
	lim.per_addr = (unsigned)cfg->http.per_address;
	lim.head_ms = cfg->http.head_timeout * 1000;
	lim.body_ms = cfg->http.body_timeout * 1000;
	lim.body_budget = (size_t)cfg->http.body_memory * 1024 * 1024;
	rc = http_guard_new(&lim, app->metrics, &h->guard);
	if (rc != FX_OK) {
		free(h);
		return rc;
	}
	/* the logger first, so MHD reports nothing through its own */
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sin, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    h, MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, h->guard,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_CONNECTION_LIMIT,
	    lim.max_conns, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->http.idle_timeout, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    (unsigned)1024, MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		log_warnx("%s: cannot listen on %s:%d", __func__,
		    cfg->listen_host, cfg->listen_port);
		http_guard_free(h->guard);
		free(h);
		return FX_EIO;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : cfg->listen_port;
	*out = h;
	return FX_OK;
}

void
http_stop(struct http *h)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	int i;

	if (h == NULL)
		return;
	/* new requests get a 503; suspended ones get their answer (the
	 * writer still runs): MHD must not stop with any suspended */
	atomic_store(&h->stopping, 1);
	for (i = 0; i < 1000 && atomic_load(&h->inflight) > 0; i++)
		nanosleep(&ten_ms, NULL);
	if (atomic_load(&h->inflight) > 0)
		log_warnx("%s: %d requests still waiting", __func__,
		    atomic_load(&h->inflight));
	MHD_stop_daemon(h->d);
	http_guard_free(h->guard);
	free(h);
}

int
http_port(const struct http *h)
{
	return h->port;
}
