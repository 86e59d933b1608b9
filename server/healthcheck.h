/*
 * healthcheck.h - `fixitd --healthcheck [URL]`: a container's health probe
 * without curl or wget in the image.
 */
#ifndef FIXIT_HEALTHCHECK_H
#define FIXIT_HEALTHCHECK_H

/* the URL probed when none is given */
#define HEALTHCHECK_URL "http://127.0.0.1:8080/healthz"

/*
 * GET url (http://HOST:PORT/PATH, plain HTTP only: the probe runs beside
 * fixitd) within timeout_ms for the connect, the request and the status
 * line together. 0 when the answer is a 200; else 1, with the reason (the
 * status line, or what failed) on stderr. The exit status Docker and
 * Podman expect of a HEALTHCHECK command.
 */
int healthcheck(const char *url, int timeout_ms);

#endif
