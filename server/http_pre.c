/*
 * http_pre.c - what is refused from a request's head alone, before any
 * body byte is read: a URI or head that is not plain HTTP/1.1 (400),
 * too many query parameters (400), and requests without a credential
 * the head can prove (401). libmicrohttpd 0.9.75's strict mode
 * (MHD_OPTION_STRICT_FOR_CLIENT 1) refuses an HTTP/1.1 request without
 * Host and a space inside a header name; it accepts the rest checked
 * here.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "config.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "fxutil.h"
#include "http.h"
#include "http_pre.h"
#include "banned.h"

const char *
http_pre_uri(char *uri, int *query)
{
	char *q = strchr(uri, '?');
	size_t nargs = 1;
	char *p;
	int hi, lo;

	for (p = uri; *p != '\0' && p != q; p++) {
		if (*p != '%')
			continue;
		hi = fx_hexval(p[1]);
		lo = hi < 0 ? -1 : fx_hexval(p[2]);
		if (lo < 0)
			return "malformed percent-encoding in the path";
		if (hi < 2 || (hi == 7 && lo == 15))
			return "control character in the path";
	}
	if (q == NULL)
		return NULL;
	for (p = q + 1; *p != '\0'; p++)
		if (*p == '&' || *p == ';')
			nargs++;
	if (nargs <= FX_MAX_QUERY_ARGS)
		return NULL;
	/*
	 * Cut the query off before libmicrohttpd parses it into its pool,
	 * which 500 parameters overflow (it then neither answers nor
	 * closes). 0.9.75 found the '?' before calling us: the query it
	 * parses is what follows it, now empty.
	 */
	q[1] = '\0';
	*query = 1;
	return "too many query parameters";
}

/* RFC 9110 tchar */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * libmicrohttpd 0.9.75 parses a header line in place: the name, its
 * ':' overwritten by the NUL, blanks, the value. It unfolds an obsolete
 * line folding by moving the name elsewhere ("X-A: a\r\n b" arrives as
 * name "X-Ab", value "a"), which this tells apart.
 */
static int
in_place(const char *key, const char *value)
{
	const char *p = key + strlen(key) + 1;

	if (value < p || value - p > 64)
		return 0;
	for (; p < value; p++)
		if (*p != ' ' && *p != '\t')
			return 0;
	return 1;
}

struct head_scan {
	int ncl, nte, nhost;
	const char *cl, *te;
	const char *bad;
};

static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct head_scan *s = cls;
	const unsigned char *p;

	(void)kind;
	if (*key == '\0')
		s->bad = "empty header name";
	if (value != NULL && !in_place(key, value))
		s->bad = "folded header line";
	for (p = (const unsigned char *)key; *p != '\0'; p++)
		if (!is_tchar(*p))
			s->bad = "malformed header name";
	for (p = (const unsigned char *)value; p != NULL && *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			s->bad = "control character in a header value";
	if (strcasecmp(key, "Content-Length") == 0) {
		s->ncl++;
		s->cl = value;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		s->nte++;
		s->te = value;
	} else if (strcasecmp(key, "Host") == 0)
		s->nhost++;
	return s->bad == NULL ? MHD_YES : MHD_NO;
}

const char *
http_pre_head(struct MHD_Connection *c, const char *version)
{
	struct head_scan s;
	const char *p;

	memset(&s, 0, sizeof(s));
	MHD_get_connection_values(c, MHD_HEADER_KIND, scan_header, &s);
	if (s.bad != NULL)
		return s.bad;
	if (s.ncl > 1)
		return "more than one Content-Length";
	if (s.nte > 1)
		return "more than one Transfer-Encoding";
	if (s.ncl != 0 && s.nte != 0)
		return "both Content-Length and Transfer-Encoding";
	if (s.nte != 0 && strcasecmp(s.te, "chunked") != 0)
		return "a Transfer-Encoding other than chunked";
	if (s.cl != NULL) {
		for (p = s.cl; *p >= '0' && *p <= '9'; p++)
			;
		if (p == s.cl || *p != '\0' || p - s.cl > 18)
			return "malformed Content-Length";
	}
	if (s.nhost > 1)
		return "more than one Host";
	if (s.nhost == 0 && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
		return "no Host header";
	return NULL;
}

int
http_pre_slack(struct app *a, struct http_request *r, struct http_reply *rp)
{
	const char *route = http_req_path(r), *ts;
	char *end;
	long long t;
	int64_t now = fx_now();

	if (a->cfg->signing_secret == NULL) {
		h_slack_reject(a, REJ_SIGNATURE, route);
		http_reply_error(rp, 401,
		    "slack signing secret not configured");
		return 0;
	}
	if (http_req_header_count(r, "X-Slack-Signature") != 1 ||
	    http_req_header_count(r, "X-Slack-Request-Timestamp") != 1) {
		h_slack_reject(a, REJ_HEADERS, route);
		http_reply_error(rp, 401, "invalid slack signature");
		return 0;
	}
	ts = http_req_header(r, "X-Slack-Request-Timestamp");
	t = strtoll(ts, &end, 10);
	if (end == ts || *end != '\0' || t > now + FX_SLACK_WINDOW_S ||
	    t < now - FX_SLACK_WINDOW_S) {
		h_slack_reject(a, REJ_TIMESTAMP, route);
		http_reply_error(rp, 401, "invalid slack signature");
		return 0;
	}
	return 1;
}

int
http_pre_slack_command(struct app *a, struct http_request *r,
    struct http_reply *rp)
{
	const char *cl = http_req_header(r, "Content-Length");

	/* Slack's ssl_check probe is not signed: a small body may come */
	if (http_req_header_count(r, "X-Slack-Signature") == 0 && cl != NULL &&
	    strtoull(cl, NULL, 10) <= FX_MAX_SSL_CHECK_BODY)
		return 1;
	return http_pre_slack(a, r, rp);
}
