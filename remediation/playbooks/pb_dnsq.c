/*
 * pb_dnsq.c - one NS question to a resolver over UDP (see pb_dnsq.h).
 *
 * Every byte of an answer is hostile: lengths are checked against the
 * packet before each read, compression pointers must point backwards
 * (so a name always ends) and are followed at most DNSQ_MAX_HOPS times,
 * labels hold printable characters other than '.' only, a name is at
 * most 255 bytes. A socket connected to the resolver gets only its
 * datagrams; the 16-bit id (RAND_bytes) and the echoed question tie the
 * answer to the question.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "fxtime.h"
#include "fxutil.h"
#include "pb_dnsq.h"
#include "banned.h"

#define DNSQ_HDR	  12
#define DNSQ_MAX_HOPS	  16
#define DNSQ_MAX_LABEL	  63
#define DNSQ_TYPE_NS	  2
#define DNSQ_TYPE_CNAME	  5
#define DNSQ_CLASS_IN	  1
#define DNSQ_RESOLV_CONF  "/etc/resolv.conf"
#define DNSQ_DEFAULT_PORT 53

/* ---- the resolver ------------------------------------------------------- */

/* a numeric address and port into s */
static fx_err
addr_of(const char *host, int port, struct dnsq_server *s)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&s->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&s->sa;

	memset(s, 0, sizeof(*s));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		s->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		s->len = sizeof(*v6);
	} else
		return FX_EINVAL;
	snprintf(s->text, sizeof(s->text), "%s%s%s:%d",
	    s->sa.ss_family == AF_INET6 ? "[" : "", host,
	    s->sa.ss_family == AF_INET6 ? "]" : "", port);
	return FX_OK;
}

/* "IPV4[:PORT]", "[IPV6]:PORT", "IPV6" */
static fx_err
parse_spec(const char *spec, struct dnsq_server *s)
{
	char host[64];
	const char *port = NULL, *end;
	int64_t p = DNSQ_DEFAULT_PORT;
	size_t n;

	if (spec[0] == '[') {
		if ((end = strchr(spec, ']')) == NULL)
			return FX_EINVAL;
		n = (size_t)(end - spec - 1);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return FX_EINVAL;
		spec++;
	} else if ((end = strchr(spec, ':')) != NULL &&
		   strchr(end + 1, ':') == NULL) {
		n = (size_t)(end - spec);
		port = end + 1;
	} else
		n = strlen(spec);
	if (n == 0 || n >= sizeof(host))
		return FX_EINVAL;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (port != NULL && fx_strtoll(port, 1, 65535, &p) != FX_OK)
		return FX_EINVAL;
	return addr_of(host, (int)p, s);
}

/* the first "nameserver ADDR" of path that parses */
static fx_err
resolv_conf(const char *path, struct dnsq_server *s)
{
	char line[512], *p, *e;
	FILE *f = fopen(path, "r");
	fx_err rc = FX_ENOTFOUND;

	if (f == NULL)
		return rc;
	while (rc != FX_OK && fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "nameserver", 10) != 0 ||
		    (p[10] != ' ' && p[10] != '\t'))
			continue;
		p += 10 + strspn(p + 10, " \t");
		e = p + strcspn(p, " \t\r\n%#;");
		*e = '\0';
		if (addr_of(p, DNSQ_DEFAULT_PORT, s) == FX_OK)
			rc = FX_OK;
	}
	fclose(f);
	return rc;
}

fx_err
dnsq_resolver(const char *spec, struct dnsq_server *s)
{
	if (spec == NULL || *spec == '\0')
		spec = getenv("FIXIT_DNS_RESOLVER");
	if (spec != NULL && *spec != '\0')
		return parse_spec(spec, s);
	if (resolv_conf(DNSQ_RESOLV_CONF, s) == FX_OK)
		return FX_OK;
	return addr_of("127.0.0.1", DNSQ_DEFAULT_PORT, s);
}

/* ---- the question --------------------------------------------------------- */

fx_err
dnsq_build(const char *name, uint16_t id, unsigned char *out, size_t cap,
    size_t *len)
{
	const char *p = name, *dot;
	size_t o = DNSQ_HDR, n;

	*len = 0;
	if (name == NULL || cap < DNSQ_HDR + DNSQ_MAX_NAME + 4 ||
	    strchr(name, '\\') != NULL)
		return FX_EINVAL;
	memset(out, 0, DNSQ_HDR);
	out[0] = (unsigned char)(id >> 8);
	out[1] = (unsigned char)id;
	out[2] = 0x01; /* RD: the resolver recurses */
	out[5] = 1;    /* one question */
	while (*p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > DNSQ_MAX_LABEL ||
		    o + 1 + n > DNSQ_HDR + DNSQ_MAX_NAME - 1)
			return FX_EINVAL;
		out[o++] = (unsigned char)n;
		memcpy(out + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	if (o == DNSQ_HDR)
		return FX_EINVAL; /* the root: no zone fixit deletes */
	out[o++] = 0;
	out[o++] = 0;
	out[o++] = DNSQ_TYPE_NS;
	out[o++] = 0;
	out[o++] = DNSQ_CLASS_IN;
	*len = o;
	return FX_OK;
}

/* ---- the answer ------------------------------------------------------------ */

static unsigned
u16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * The name at p[off] (lower case, one trailing dot) into out
 * (DNSQ_MAX_NAME); *next = the offset after it where it was read. -1
 * when malformed.
 */
static int
read_name(const unsigned char *p, size_t n, size_t off, char *out, size_t *next)
{
	size_t o = 0, pos = off, ptr, i;
	int hops = 0;
	unsigned c;

	*next = 0;
	for (;;) {
		if (pos >= n)
			return -1;
		c = p[pos];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= n || ++hops > DNSQ_MAX_HOPS)
				return -1;
			ptr = (c & 0x3f) << 8 | p[pos + 1];
			if (ptr >= pos)
				return -1; /* forwards or onto itself: a loop */
			if (*next == 0)
				*next = pos + 2;
			pos = ptr;
			continue;
		}
		if ((c & 0xc0) != 0 || pos + 1 + c > n ||
		    o + c + 2 > DNSQ_MAX_NAME)
			return -1;
		for (i = 1; i <= c; i++) {
			if (p[pos + i] <= ' ' || p[pos + i] >= 0x7f ||
			    p[pos + i] == '.')
				return -1;
			out[o++] = (char)(p[pos + i] >= 'A' && p[pos + i] <= 'Z'
					      ? p[pos + i] + ('a' - 'A')
					      : p[pos + i]);
		}
		out[o++] = '.';
		pos += 1 + c;
	}
	if (*next == 0)
		*next = pos + 1;
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

/* DNS names equal, case-insensitive, one trailing dot ignored */
static int
name_eq(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

static void
unknown(struct dnsq_result *r, const char *why)
{
	r->verdict = DNSQ_UNKNOWN;
	r->nns = 0;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* the answer records from off: NS for name into r; *alias when a CNAME */
static int
read_answers(const unsigned char *p, size_t n, size_t off, unsigned count,
    const char *name, struct dnsq_result *r, int *alias)
{
	char owner[DNSQ_MAX_NAME], target[DNSQ_MAX_NAME];
	unsigned type, class, rdlen, i;
	size_t next, end;

	for (i = 0; i < count; i++) {
		if (read_name(p, n, off, owner, &next) != 0 || next + 10 > n)
			return -1;
		type = u16(p + next);
		class = u16(p + next + 2);
		rdlen = u16(p + next + 8);
		off = next + 10;
		if (off + rdlen > n)
			return -1;
		end = off + rdlen;
		if (class == DNSQ_CLASS_IN && name_eq(owner, name) &&
		    type == DNSQ_TYPE_CNAME)
			*alias = 1;
		if (class == DNSQ_CLASS_IN && name_eq(owner, name) &&
		    type == DNSQ_TYPE_NS) {
			if (read_name(p, n, off, target, &next) != 0 ||
			    next > end)
				return -1;
			if (r->nns < DNSQ_MAX_NS)
				memcpy(r->ns[r->nns++], target, sizeof(target));
		}
		off = end;
	}
	return 0;
}

fx_err
dnsq_parse(const unsigned char *p, size_t n, uint16_t id, const char *name,
    struct dnsq_result *r)
{
	static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };
	char q[DNSQ_MAX_NAME], why[48];
	unsigned rcode;
	size_t off;
	int alias = 0;

	memset(r, 0, sizeof(*r));
	/* not an answer to this question: ignored, as a resolver would */
	if (n < DNSQ_HDR || u16(p) != id || (p[2] & 0x80) == 0 ||
	    u16(p + 4) != 1 || read_name(p, n, DNSQ_HDR, q, &off) != 0 ||
	    off + 4 > n || !name_eq(q, name) || u16(p + off) != DNSQ_TYPE_NS ||
	    u16(p + off + 2) != DNSQ_CLASS_IN)
		return FX_EINVAL;
	rcode = p[3] & 0x0f;
	if ((p[2] & 0x78) != 0) {
		unknown(r, "an answer to another kind of query");
		return FX_OK;
	}
	if (rcode == 3) {
		r->verdict = DNSQ_NONE; /* NXDOMAIN */
		r->nxdomain = 1;
		return FX_OK;
	}
	if (rcode != 0) {
		snprintf(why, sizeof(why), "%s",
		    rcode < sizeof(rcodes) / sizeof(rcodes[0]) ? rcodes[rcode]
							       : "an error");
		unknown(r, why);
		return FX_OK;
	}
	if (read_answers(p, n, off + 4, u16(p + 6), name, r, &alias) != 0)
		unknown(r, "a malformed answer");
	else if (r->nns > 0)
		r->verdict = DNSQ_NS;
	else if ((p[2] & 0x02) != 0)
		unknown(r, "a truncated answer");
	else if (alias)
		unknown(r, "an alias (CNAME)");
	else
		r->verdict = DNSQ_NONE;
	return FX_OK;
}

/* ---- asking ---------------------------------------------------------------- */

/* wait for the answer until the monotonic ms deadline; 1 when r is set */
static int
await(int fd, int64_t deadline, uint16_t id, const char *name,
    struct dnsq_result *r)
{
	unsigned char buf[DNSQ_MAX_PKT];
	struct pollfd pfd;
	int64_t left;
	ssize_t got;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = deadline - fx_mono_ms()) > 0) {
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue; /* EINTR, or the time is up */
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < 0 && errno == ECONNREFUSED) {
			unknown(r, "the resolver refused (port unreachable)");
			return 1;
		}
		if (got > 0 &&
		    dnsq_parse(buf, (size_t)got, id, name, r) == FX_OK)
			return 1;
	}
	return 0;
}

fx_err
dnsq_ns(const struct dnsq_server *s, const char *name, int timeout_ms,
    struct dnsq_result *r)
{
	unsigned char q[DNSQ_HDR + DNSQ_MAX_NAME + 4];
	int64_t start = fx_mono_ms();
	uint16_t id = 0;
	size_t qlen;
	int fd = -1, try;
	fx_err rc;

	memset(r, 0, sizeof(*r));
	if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
		id = (uint16_t)start;
	rc = dnsq_build(name, id, q, sizeof(q), &qlen);
	if (rc != FX_OK)
		goto out;
	fd = socket(s->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    connect(fd, (const struct sockaddr *)&s->sa, s->len) != 0) {
		rc = FX_EIO;
		goto out;
	}
	/* one retransmission of the same question at half the time */
	for (try = 1; try <= 2; try++) {
		if (send(fd, q, qlen, 0) < 0 && errno != ECONNREFUSED)
			continue;
		if (await(fd, start + (int64_t)timeout_ms * try / 2, id, name,
			r))
			goto out;
	}
	snprintf(r->why, sizeof(r->why), "no answer within %d ms", timeout_ms);
	r->verdict = DNSQ_UNKNOWN;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
