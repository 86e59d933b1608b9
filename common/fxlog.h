/*
 * fxlog.h - OpenBSD-shaped logging.
 *
 * log_warnx, log_error, log_info, log_debug: printf-checked, the level
 * tested before formatting; a caller reporting a system error names it
 * itself (strerror), as that is rarely the whole story. Messages start with __func__, are lower-case and never
 * contain a secret, a signature or a token. Thread-safe: each call writes one
 * line with a single write(2). The message is written as text a terminal
 * shows as it is: control characters (C0, DEL, C1: newlines, escape
 * sequences) and bytes that are not valid UTF-8 become \xNN, so input
 * quoted in a message can neither split a line nor drive the terminal. A
 * message longer than 2047 bytes is cut.
 */
#ifndef FIXIT_FXLOG_H
#define FIXIT_FXLOG_H

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(enum log_level lvl, int fd); /* fd 2 by default */
void log_set_level(enum log_level lvl);

void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
