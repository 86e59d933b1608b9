#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fxlog.h"
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

static void
vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "error", "warn", "info", "debug" };
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int saved = errno, r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s ",
	    ts.tv_nsec / 1000000, tags[lvl]);
	if (r > 0)
		n += (size_t)r;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r;
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	/* never let a newline from input split or forge a log line */
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
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
