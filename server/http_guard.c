/*
 * http_guard.c - connection deadlines, the per-address limit, shedding
 * and the body budget. See http_guard.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "http_guard.h"
#include "metrics.h"
#include "banned.h"

#define ADDR_BUCKETS 1024
#define SWEEP_MS     100

struct guard_conn {
	struct guard_conn *prev, *next; /* oldest phase start first */
	int fd;
	uint32_t addr; /* IPv4, host order; 0 when unknown */
	enum http_phase phase;
	int64_t since; /* monotonic ms the phase began */
	int doomed;    /* shut down already */
};

struct addr_count {
	struct addr_count *next;
	uint32_t addr;
	unsigned n;
};

struct http_guard {
	struct http_guard_limits lim;
	struct metrics *m;
	pthread_mutex_t mu;	/* guards all below but budget */
	struct guard_conn list; /* sentinel */
	unsigned nconns;
	struct addr_count *addrs[ADDR_BUCKETS];
	atomic_size_t buffered;
	struct fx_worker sweeper;
};

static void
list_unlink(struct guard_conn *gc)
{
	gc->prev->next = gc->next;
	gc->next->prev = gc->prev;
}

static void
list_append(struct http_guard *g, struct guard_conn *gc)
{
	gc->prev = g->list.prev;
	gc->next = &g->list;
	g->list.prev->next = gc;
	g->list.prev = gc;
}

/* the count of addr, created at 0 when create; NULL when out of memory */
static struct addr_count *
addr_slot(struct http_guard *g, uint32_t addr, int create)
{
	struct addr_count **pp = &g->addrs[(addr * 2654435761u) >> 22];
	struct addr_count *a;

	for (a = *pp; a != NULL; a = a->next)
		if (a->addr == addr)
			return a;
	if (!create || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->addr = addr;
	a->next = *pp;
	*pp = a;
	return a;
}

static void
addr_drop(struct http_guard *g, uint32_t addr)
{
	struct addr_count **pp = &g->addrs[(addr * 2654435761u) >> 22];
	struct addr_count *a;

	for (; (a = *pp) != NULL; pp = &a->next) {
		if (a->addr != addr)
			continue;
		if (--a->n == 0) {
			*pp = a->next;
			free(a);
		}
		return;
	}
}

/* with mu held */
static void
doom(struct http_guard *g, struct guard_conn *gc, enum metric_refusal why)
{
	gc->doomed = 1;
	(void)shutdown(gc->fd, SHUT_RDWR);
	metrics_http_refused(g->m, why);
}

static uint32_t
conn_addr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr_in *sin;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL ||
	    ci->client_addr->sa_family != AF_INET)
		return 0;
	sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
	return ntohl(sin->sin_addr.s_addr);
}

static void
conn_started(struct http_guard *g, struct MHD_Connection *c, void **ctx)
{
	const union MHD_ConnectionInfo *ci;
	struct guard_conn *gc;
	struct addr_count *a = NULL;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	gc = calloc(1, sizeof(*gc));
	if (gc == NULL || ci == NULL) {
		/* untracked: refused rather than unbounded */
		if (ci != NULL)
			(void)shutdown(ci->connect_fd, SHUT_RDWR);
		free(gc);
		*ctx = NULL;
		return;
	}
	gc->fd = ci->connect_fd;
	gc->addr = conn_addr(c);
	gc->phase = HTTP_HEAD;
	gc->since = fx_mono_ms();
	pthread_mutex_lock(&g->mu);
	list_append(g, gc);
	g->nconns++;
	if (gc->addr != 0 && (a = addr_slot(g, gc->addr, 1)) == NULL)
		gc->addr = 0; /* no memory for its count: not counted */
	if (a != NULL)
		a->n++;
	if (a != NULL && g->lim.per_addr != 0 && a->n > g->lim.per_addr)
		doom(g, gc, HREF_PER_ADDRESS);
	pthread_mutex_unlock(&g->mu);
	*ctx = gc;
}

void
http_guard_notify(void *cls, struct MHD_Connection *c, void **ctx, int toe)
{
	struct http_guard *g = cls;
	struct guard_conn *gc = *ctx;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_started(g, c, ctx);
		return;
	}
	if (gc == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	list_unlink(gc);
	g->nconns--;
	if (gc->addr != 0)
		addr_drop(g, gc->addr);
	pthread_mutex_unlock(&g->mu);
	free(gc);
	*ctx = NULL;
}

void
http_guard_phase(struct http_guard *g, struct MHD_Connection *c,
    enum http_phase phase)
{
	const union MHD_ConnectionInfo *ci;
	struct guard_conn *gc;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (gc = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	gc->phase = phase;
	gc->since = fx_mono_ms();
	list_unlink(gc);
	list_append(g, gc);
	pthread_mutex_unlock(&g->mu);
}

int
http_guard_take(struct http_guard *g, size_t n)
{
	size_t cur = atomic_load(&g->buffered);

	do {
		if (n > g->lim.body_budget || cur > g->lim.body_budget - n)
			return 0;
	} while (!atomic_compare_exchange_weak(&g->buffered, &cur, cur + n));
	return 1;
}

void
http_guard_give(struct http_guard *g, size_t n)
{
	if (n != 0)
		atomic_fetch_sub(&g->buffered, n);
}

unsigned
http_guard_conns(struct http_guard *g)
{
	unsigned n;

	pthread_mutex_lock(&g->mu);
	n = g->nconns;
	pthread_mutex_unlock(&g->mu);
	return n;
}

size_t
http_guard_buffered(struct http_guard *g)
{
	return atomic_load(&g->buffered);
}

/*
 * One pass, with mu held: the deadlines, then, past 7/8 of the total,
 * the oldest connections still waiting for a head are shut down until
 * 3/4 is left, so that Slack and EventBridge always find room.
 */
static void
sweep(struct http_guard *g, int64_t now)
{
	struct guard_conn *gc;
	unsigned live = g->nconns, high = g->lim.max_conns / 8 * 7,
		 low = g->lim.max_conns / 4 * 3;
	int64_t age;

	for (gc = g->list.next; gc != &g->list; gc = gc->next)
		if (gc->doomed)
			live--;
	for (gc = g->list.next; gc != &g->list; gc = gc->next) {
		if (gc->doomed)
			continue;
		age = now - gc->since;
		if (gc->phase == HTTP_HEAD && g->lim.head_ms > 0 &&
		    age > g->lim.head_ms)
			doom(g, gc, HREF_HEAD_TIMEOUT);
		else if (gc->phase == HTTP_BODY && g->lim.body_ms > 0 &&
			 age > g->lim.body_ms)
			doom(g, gc, HREF_BODY_TIMEOUT);
		else if (gc->phase == HTTP_HEAD && live > high && live > low)
			doom(g, gc, HREF_SHED);
		if (gc->doomed)
			live--;
		if (live <= low)
			high = low; /* shed down to low once started */
	}
}

static void *
sweeper_main(void *arg)
{
	struct http_guard *g = arg;

	while (!fx_worker_wait(&g->sweeper, SWEEP_MS)) {
		pthread_mutex_lock(&g->mu);
		sweep(g, fx_mono_ms());
		metrics_http_gauges(g->m, g->nconns,
		    (unsigned long long)atomic_load(&g->buffered));
		pthread_mutex_unlock(&g->mu);
	}
	return NULL;
}

fx_err
http_guard_new(const struct http_guard_limits *lim, struct metrics *m,
    struct http_guard **out)
{
	struct http_guard *g = calloc(1, sizeof(*g));
	fx_err rc;

	if (g == NULL)
		return FX_ENOMEM;
	g->lim = *lim;
	g->m = m;
	g->list.next = g->list.prev = &g->list;
	atomic_init(&g->buffered, 0);
	if (pthread_mutex_init(&g->mu, NULL) != 0) {
		free(g);
		return FX_ENOMEM;
	}
	rc = fx_worker_start(&g->sweeper, "fixit-httpguard", sweeper_main, g);
	if (rc != FX_OK) {
		pthread_mutex_destroy(&g->mu);
		free(g);
		return rc;
	}
	*out = g;
	return FX_OK;
}

void
http_guard_free(struct http_guard *g)
{
	size_t i;
	struct addr_count *a;

	if (g == NULL)
		return;
	fx_worker_stop(&g->sweeper);
	/* MHD is stopped: every connection was notified closed */
	for (i = 0; i < ADDR_BUCKETS; i++)
		while ((a = g->addrs[i]) != NULL) {
			g->addrs[i] = a->next;
			free(a);
		}
	pthread_mutex_destroy(&g->mu);
	free(g);
}
