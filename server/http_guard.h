/*
 * http_guard.h - what a connection may cost before it has proved
 * anything: deadlines for a request's head and for its whole body, a
 * limit per client address, shedding of the oldest waiting connections
 * when the total nears its limit, and a budget for the request bodies
 * buffered at once.
 *
 * libmicrohttpd 0.9.75 has only an idle timeout, which each byte resets
 * (a slowloris keeps a connection for ever with a byte every few
 * seconds). The guard tracks every connection (MHD's connection
 * notifications) with the phase its current request is in and when that
 * phase began; a sweeper thread shuts down (shutdown(2), never close:
 * the descriptor stays MHD's) the connections past their deadline, and
 * MHD then closes them as closed by the client. A connection is tracked
 * from MHD's "started" to its "closed" notification, both under the
 * guard's lock, and MHD closes the descriptor only after "closed": the
 * sweeper never shuts down a descriptor that has been reused.
 *
 * Phases: HEAD from the connection's start or its previous request's
 * end, until the head is complete (the handler's first call); BODY
 * until the body is complete; WORK (no deadline: the handler, the
 * writer and the reply, which MHD's idle timeout bounds) until the
 * request ends, then HEAD again.
 */
#ifndef FIXIT_HTTP_GUARD_H
#define FIXIT_HTTP_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "fxerr.h"

struct metrics;
struct MHD_Connection;
struct http_guard;

enum http_phase { HTTP_HEAD = 0, HTTP_BODY, HTTP_WORK };

struct http_guard_limits {
	unsigned max_conns; /* MHD's total (the shedding starts at 7/8) */
	unsigned per_addr;  /* 0: no limit */
	int64_t head_ms;    /* 0: no deadline */
	int64_t body_ms;    /* 0: no deadline */
	size_t body_budget; /* bytes of bodies buffered at once */
};

fx_err http_guard_new(const struct http_guard_limits *lim, struct metrics *m,
    struct http_guard **out) FX_WUR;
void http_guard_free(struct http_guard *g); /* stops the sweeper; NULL ok */

/* MHD_OPTION_NOTIFY_CONNECTION's callback, with g as its closure */
void http_guard_notify(void *g, struct MHD_Connection *c, void **socket_context,
    int toe);

/* the connection's current request entered phase (its deadline restarts) */
void http_guard_phase(struct http_guard *g, struct MHD_Connection *c,
    enum http_phase phase);

/*
 * Take n bytes from the body budget: 1, or 0 when that would pass it
 * (nothing taken). Every byte taken is given back with http_guard_give.
 */
int http_guard_take(struct http_guard *g, size_t n);
void http_guard_give(struct http_guard *g, size_t n);

/* connections open now, and body bytes buffered now (the metrics) */
unsigned http_guard_conns(struct http_guard *g);
size_t http_guard_buffered(struct http_guard *g);

#endif
