/*
 * fxlog.h - OpenBSD-shaped logging.
 *
 * log_warn appends strerror(errno); log_warnx does not. The level is tested
 * before formatting. Messages start with __func__, are lower-case and never
 * contain a secret, a signature or a token. Thread-safe: each call writes one
 * line with a single write(2).
 */
#ifndef FIXIT_FXLOG_H
#define FIXIT_FXLOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(enum log_level lvl, int fd);	/* fd 2 by default */
void log_set_level(enum log_level lvl);
int log_enabled(enum log_level lvl);
/* parse "error|warn|info|debug"; returns -1 when unknown */
int log_level_parse(const char *s);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
