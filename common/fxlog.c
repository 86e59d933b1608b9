#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fxlog.h"
#include "fxutil.h"
#include "banned.h"

static atomic_int cur_level = LOG_LVL_INFO;
static int log_fd = 2;

void
log_init(enum log_level lvl, int fd)
{
	atomic_store(&cur_level, (int)lvl);
	log_fd = fd;
}

void
log_set_level(enum log_level lvl)
{
	atomic_store(&cur_level, (int)lvl);
}

static int
log_enabled(enum log_level lvl)
{
	return (int)lvl <= atomic_load(&cur_level);
}

/*
 * msg[0..len) appended to line[n..cap) as text a terminal shows as it is:
 * every control character (C0, DEL, C1) and every byte that is not valid
 * UTF-8 written as \xNN, so that nothing from input splits or forges a
 * log line or moves a terminal's cursor. Stops before a character that
 * does not fit; the new length.
 */
static size_t
log_escape(char *line, size_t n, size_t cap, const char *msg, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *m = (const unsigned char *)msg;
	size_t i = 0, k, j;
	int esc;

	while (i < len) {
		k = fx_utf8_len(msg + i, len - i);
		/* C1 controls (U+0080..U+009F) are 0xc2 0x80..0x9f */
		esc = k == 0 || m[i] < 0x20 || m[i] == 0x7f ||
		      (k == 2 && m[i] == 0xc2 && m[i + 1] < 0xa0);
		if (k == 0)
			k = 1;
		if (n + (esc ? 4 * k : k) > cap)
			break;
		for (j = 0; j < k; j++) {
			if (!esc) {
				line[n++] = msg[i + j];
				continue;
			}
			line[n++] = '\\';
			line[n++] = 'x';
			line[n++] = hex[m[i + j] >> 4];
			line[n++] = hex[m[i + j] & 0xf];
		}
		i += k;
	}
	return n;
}

static void __attribute__((format(printf, 2, 0)))
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "error", "warn", "info", "debug" };
	char msg[2048], line[4096];
	struct timespec ts;
	struct tm tm;
	size_t n, len = 0;
	int saved = errno, r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s ",
	    ts.tv_nsec / 1000000, tags[lvl]);
	if (r > 0)
		n += (size_t)r;
	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (r > 0)
		len = (size_t)r < sizeof(msg) ? (size_t)r : sizeof(msg) - 1;
	n = log_escape(line, n, sizeof(line) - 1, msg, len);
	line[n++] = '\n';
	if (write(log_fd, line, n) < 0) {
		/* nothing sensible to do */
	}
	errno = saved;
}

#define LOGFN(name, lvl)                                                       \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		if (!log_enabled(lvl))                                         \
			return;                                                \
		va_start(ap, fmt);                                             \
		vlog(lvl, fmt, ap);                                            \
		va_end(ap);                                                    \
	}

LOGFN(log_warnx, LOG_LVL_WARN)
LOGFN(log_error, LOG_LVL_ERROR)
LOGFN(log_info, LOG_LVL_INFO)
LOGFN(log_debug, LOG_LVL_DEBUG)
