/*
 * http_pre.h - checks of a request's head, before its body is read
 * (http_pre.c). Each returns why the request is refused (a static
 * string), or NULL when it passes.
 */
#ifndef FIXIT_HTTP_PRE_H
#define FIXIT_HTTP_PRE_H

struct MHD_Connection;

/*
 * The raw request target, as the client sent it (MHD's URI log
 * callback): a percent-encoded control character in the path, or more
 * than FX_MAX_QUERY_ARGS query parameters. On the latter *query is set
 * to 1 and the query is cut off in place, so that libmicrohttpd does not
 * parse it.
 */
const char *http_pre_uri(char *uri, int *query);
/* framing: Content-Length and Transfer-Encoding, Host, header syntax */
const char *http_pre_head(struct MHD_Connection *c, const char *version);

#endif
