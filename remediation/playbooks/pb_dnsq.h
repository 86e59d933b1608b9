/*
 * pb_dnsq.h - one DNS question (NS of a name) over UDP to a recursive
 * resolver, bounded in time, its answer parsed as hostile input. For
 * route53-ns-only: is a zone still delegated in the public DNS?
 *
 * Why not res_query(3): libresolv's timeouts come from resolv.conf
 * (options timeout/attempts, per server: tens of seconds), it cannot be
 * pointed at a test server without rewriting _res, and it would be a new
 * link dependency. This asks one resolver once (and once more after half
 * the time), with one deadline, and reads only what it needs.
 *
 * The resolver (dnsq_resolver): "IPV4[:PORT]", "[IPV6]:PORT" or "IPV6";
 * NULL or "" -> $FIXIT_DNS_RESOLVER (the tests' fake DNS server), else the
 * first usable "nameserver" of /etc/resolv.conf, else 127.0.0.1 (as the
 * C library does). Only numeric addresses: no lookup to find the DNS.
 *
 * Verdicts: NS (the answer holds NS records for the name: delegated),
 * NONE (NXDOMAIN, or NOERROR without NS for the name: not delegated),
 * UNKNOWN (no answer in time, SERVFAIL, REFUSED, truncated, an alias,
 * malformed: the caller must not act as if it were NONE). Packets that
 * are not an answer to this question (another id, another question) are
 * ignored. Names are compared case-insensitively, one trailing dot
 * ignored; at most DNSQ_MAX_NS servers are kept.
 *
 * Thread-safe: no state, the caller's buffers only; getenv is read.
 */
#ifndef FIXIT_PB_DNSQ_H
#define FIXIT_PB_DNSQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fxerr.h"

#define DNSQ_MAX_NS   16
#define DNSQ_MAX_NAME 256 /* a name in text, with its dot and NUL */
#define DNSQ_MAX_PKT  4096

enum dnsq_verdict { DNSQ_NONE = 0, DNSQ_NS, DNSQ_UNKNOWN };

struct dnsq_result {
	enum dnsq_verdict verdict;
	int nxdomain; /* NONE because the name does not exist (NXDOMAIN) */
	char why[96]; /* UNKNOWN: what happened ("SERVFAIL", ...) */
	size_t nns;
	char ns[DNSQ_MAX_NS][DNSQ_MAX_NAME]; /* lower case, trailing dot */
};

struct dnsq_server {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[64]; /* for messages */
};

/* the resolver of spec (see the top); FX_EINVAL when spec is no address */
fx_err dnsq_resolver(const char *spec, struct dnsq_server *s) FX_WUR;
/* pure: the query for NS of name with id into out[cap]; FX_EINVAL for a
 * name DNS cannot carry (an empty label, > 63 bytes, '\\') */
fx_err dnsq_build(const char *name, uint16_t id, unsigned char *out, size_t cap,
    size_t *len) FX_WUR;
/* pure: p[0..n) as the answer to dnsq_build(name, id): FX_OK with r
 * filled; FX_EINVAL when it is not that answer (ignore it) */
fx_err dnsq_parse(const unsigned char *p, size_t n, uint16_t id,
    const char *name, struct dnsq_result *r) FX_WUR;
/*
 * Ask s for NS of name, waiting at most timeout_ms in all: FX_OK with
 * r->verdict set (a timeout is UNKNOWN, not an error); FX_EINVAL for a
 * name that cannot be asked; FX_EIO when no socket could be made.
 */
fx_err dnsq_ns(const struct dnsq_server *s, const char *name, int timeout_ms,
    struct dnsq_result *r) FX_WUR;

#endif
