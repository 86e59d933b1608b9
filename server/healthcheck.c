/*
 * healthcheck.c - `fixitd --healthcheck [URL]` (see healthcheck.h).
 *
 * One HTTP/1.1 GET with Connection: close over a plain socket, every step
 * bounded by one deadline; only the status line is read. No libcurl: the
 * probe runs every few seconds and must stay cheap and self-contained.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "healthcheck.h"
#include "banned.h"

struct hc_url {
	char host[256];
	char port[8];
	char path[512];
};

/* http://HOST[:PORT][/PATH] into u (PORT 80, PATH / by default); 0 or -1 */
static int
parse_url(const char *url, struct hc_url *u)
{
	const char *h, *end, *colon, *slash;
	size_t hlen, plen;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	h = url + 7;
	slash = strchr(h, '/');
	end = slash ? slash : h + strlen(h);
	if (*h == '[') { /* [v6]:port */
		colon = memchr(h, ']', (size_t)(end - h));
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - h - 1);
		h++;
		colon = colon + 1 < end && colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hlen = (size_t)((colon ? colon : end) - h);
	}
	plen = colon ? (size_t)(end - colon - 1) : 2;
	if (hlen == 0 || hlen >= sizeof(u->host) || plen == 0 ||
	    plen >= sizeof(u->port) ||
	    strlen(slash ? slash : "/") >= sizeof(u->path))
		return -1;
	memcpy(u->host, h, hlen);
	u->host[hlen] = '\0';
	if (colon) {
		memcpy(u->port, colon + 1, plen);
		u->port[plen] = '\0';
	} else
		memcpy(u->port, "80", 3);
	if (strspn(u->port, "0123456789") != strlen(u->port))
		return -1;
	snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "/");
	/* nothing that would split the request line */
	if (strpbrk(u->path, " \r\n") != NULL || strpbrk(u->host, " \r\n/"))
		return -1;
	return 0;
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* wait for events on fd until the deadline; 0, or -1 (errno ETIMEDOUT) */
static int
wait_fd(int fd, short events, const struct timespec *deadline)
{
	struct pollfd p = { fd, events, 0 };
	int r;

	do {
		r = poll(&p, 1, (int)ms_left(deadline));
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* a connected non-blocking socket to u (*why NULL), or -1 with *why set */
static int
dial(const struct hc_url *u, const struct timespec *deadline, const char **why)
{
	struct addrinfo hints, *res = NULL, *ai;
	socklen_t elen = sizeof(int);
	int fd = -1, e, gai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(u->host, u->port, &hints, &res)) != 0) {
		*why = gai_strerror(gai);
		return -1;
	}
	*why = "no address";
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0)
			continue;
		e = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    (errno != EINPROGRESS || wait_fd(fd, POLLOUT, deadline) ||
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0 ||
			(errno = e) != 0)) {
			*why = strerror(errno);
			close(fd);
			fd = -1;
			continue;
		}
		*why = NULL;
		break;
	}
	freeaddrinfo(res);
	return fd;
}

int
healthcheck(const char *url, int timeout_ms)
{
	struct timespec deadline;
	struct hc_url u;
	char req[1024], status[256];
	const char *why = NULL;
	size_t n = 0, sent = 0, len;
	ssize_t r;
	int fd, ok = 0;

	if (parse_url(url, &u) != 0) {
		fprintf(stderr,
		    "fixitd: healthcheck: %s: not an "
		    "http://HOST:PORT/PATH URL\n",
		    url);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	if ((fd = dial(&u, &deadline, &why)) < 0)
		goto fail;
	len = (size_t)snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
	    "User-Agent: fixitd-healthcheck\r\nConnection: close\r\n\r\n",
	    u.path, strchr(u.host, ':') ? "[" : "", u.host,
	    strchr(u.host, ':') ? "]" : "", u.port);
	while (sent < len && why == NULL) {
		r = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
		if (r > 0)
			sent += (size_t)r;
		else if (r == 0)
			why = "the request was not sent";
		else if (errno == EAGAIN &&
			 wait_fd(fd, POLLOUT, &deadline) == 0)
			continue;
		else if (errno != EINTR)
			why = strerror(errno);
	}
	/* the status line: up to its CR LF, or what fits */
	while (why == NULL && n < sizeof(status) - 1 &&
	       memchr(status, '\n', n) == NULL) {
		r = recv(fd, status + n, sizeof(status) - 1 - n, 0);
		if (r > 0)
			n += (size_t)r;
		else if (r == 0)
			why = "connection closed before a status line";
		else if (errno == EAGAIN && wait_fd(fd, POLLIN, &deadline) == 0)
			continue;
		else if (errno != EINTR)
			why = strerror(errno);
	}
	close(fd);
	if (why != NULL)
		goto fail;
	status[n] = '\0';
	status[strcspn(status, "\r\n")] = '\0';
	ok = strncmp(status, "HTTP/1.", 7) == 0 && strlen(status) >= 12 &&
	     strncmp(status + 8, " 200", 4) == 0 &&
	     (status[12] == ' ' || status[12] == '\0');
	if (ok)
		return 0;
	fprintf(stderr, "fixitd: healthcheck: %s: %.80s\n", url, status);
	return 1;
fail:
	fprintf(stderr, "fixitd: healthcheck: %s: %s\n", url, why);
	return 1;
}
