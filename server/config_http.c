/*
 * config_http.c - the http section: what one client may cost
 * (server/http_guard.h). Its keys:
 *
 *   http:
 *     max_connections: 4096  # all clients together
 *     per_address: 64        # from one client address (0: no limit)
 *     head_timeout: 10s      # to send a request's head
 *     body_timeout: 30s      # to send its whole body
 *     idle_timeout: 15s      # without a byte either way
 *     body_memory: 64        # MiB of request bodies buffered at once
 */
#include <stddef.h>

#include "config_int.h"
#include "banned.h"

#define HTTP_KEY(t, f, n, d, lo, hi)                                           \
	{                                                                      \
		.name = n, .type = t, .base = B_CFG,                           \
		.off = offsetof(struct config, http.f), .def = d, .min = lo,   \
		.max = hi                                                      \
	}

static const struct ckey http_keys[] = {
	HTTP_KEY(K_INT, max_connections, "max_connections", "4096", 16, 60000),
	HTTP_KEY(K_INT, per_address, "per_address", "64", 0, 60000),
	HTTP_KEY(K_DUR, head_timeout, "head_timeout", "10s", 1, 3600),
	HTTP_KEY(K_DUR, body_timeout, "body_timeout", "30s", 1, 3600),
	HTTP_KEY(K_DUR, idle_timeout, "idle_timeout", "15s", 1, 3600),
	HTTP_KEY(K_INT, body_memory, "body_memory", "64", 8, 65536),
};

const struct section config_http_sec = { http_keys,
	sizeof(http_keys) / sizeof(http_keys[0]), 0, 0, NULL };
