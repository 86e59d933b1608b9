/* faultshim.c - fault injection for tests/faults: an LD_PRELOAD library
 * that makes fixitd's writes, syncs and allocations fail, the way SQLite's
 * own tests do with their fault-injecting VFS and malloc.
 *
 *   FIXIT_FAULT=SPEC[,SPEC...]   SPEC is OP:N:ERR[:COUNT]
 *     OP     write (write, pwrite, pwrite64, writev), sync (fsync,
 *            fdatasync) or malloc (malloc, calloc, realloc)
 *     N      the Nth call of OP after arming fails first (1 = the next)
 *     ERR    EIO, ENOSPC or ENOMEM (malloc: always ENOMEM)
 *     COUNT  how many calls in a row then fail (default 1; 0 = every one
 *            until disarmed)
 *   FIXIT_FAULT_DIR=DIR          write/sync faults only for files whose
 *                                path starts with DIR (the database's
 *                                directory); required for them
 *   FIXIT_FAULT_ARM=FILE         faults are armed while FILE exists
 *                                (looked at every 20 ms); each arming
 *                                starts the counts again, so a test can
 *                                inject, remove FILE (faults stop: fixitd
 *                                must recover), and inject again; FILE's
 *                                content, when it has one, is the SPEC
 *                                list of that arming (FIXIT_FAULT's
 *                                format)
 *
 * Each injected fault writes one line "faultshim: OP #K -> ERR" to stderr
 * (fixitd's stderr: the test counts them).
 *
 * Test-only code: built as a shared library by tests/faults/CMakeLists.txt,
 * never linked into fixitd. It must not allocate (it runs inside malloc):
 * no stdio, no snprintf, only system calls and fixed buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { OP_WRITE, OP_SYNC, OP_MALLOC, OP_N };
static const char *const op_name[OP_N] = { "write", "sync", "malloc" };

struct rule {
	int on;
	long first; /* Nth call after arming */
	long count; /* 0: until disarmed */
	int err;
};

static struct rule rules[OP_N];
static atomic_long calls[OP_N];
static atomic_int armed;
static atomic_long next_look_ns;
static char arm_path[PATH_MAX];
static char dir[PATH_MAX];
static size_t dir_len;
static atomic_int ready;

/* glibc's own allocator, under the names it exports for this purpose */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long
parse_long(const char *s, const char **end)
{
	long v = 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		s++;
	}
	*end = s;
	return v;
}

static int
parse_err(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "EIO", 3) == 0)
		return EIO;
	if (n == 6 && memcmp(s, "ENOSPC", 6) == 0)
		return ENOSPC;
	if (n == 6 && memcmp(s, "ENOMEM", 6) == 0)
		return ENOMEM;
	return EIO;
}

static void
parse_spec(const char *s)
{
	while (*s) {
		int op = -1;
		for (int i = 0; i < OP_N; i++) {
			size_t n = strlen(op_name[i]);
			if (strncmp(s, op_name[i], n) == 0 && s[n] == ':') {
				op = i;
				s += n + 1;
				break;
			}
		}
		if (op < 0)
			break;
		struct rule r = { .on = 1, .count = 1, .err = EIO };
		r.first = parse_long(s, &s);
		if (*s == ':') {
			const char *e = ++s;
			while (*e && *e != ':' && *e != ',')
				e++;
			r.err = parse_err(s, (size_t)(e - s));
			s = e;
		}
		if (*s == ':')
			r.count = parse_long(s + 1, &s);
		if (op == OP_MALLOC)
			r.err = ENOMEM;
		if (r.first < 1)
			r.first = 1;
		rules[op] = r;
		while (*s && *s != ',')
			s++;
		if (*s == ',')
			s++;
	}
}

static void
copy_env(char *dst, size_t cap, const char *name)
{
	const char *v = getenv(name);
	size_t n = v ? strlen(v) : 0;
	if (n >= cap)
		n = 0;
	if (n)
		memcpy(dst, v, n);
	dst[n] = '\0';
}

__attribute__((constructor)) static void
shim_init(void)
{
	const char *spec = getenv("FIXIT_FAULT");
	if (spec)
		parse_spec(spec);
	copy_env(arm_path, sizeof arm_path, "FIXIT_FAULT_ARM");
	copy_env(dir, sizeof dir, "FIXIT_FAULT_DIR");
	dir_len = strlen(dir);
	atomic_store(&ready, 1);
}

static long
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* A new arming: the counts start again; FIXIT_FAULT_ARM's content, when
 * there is one, replaces the rules. */
static void
arm(void)
{
	static char spec[512];
	int fd = (int)syscall(SYS_openat, AT_FDCWD, arm_path, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = syscall(SYS_read, fd, spec, sizeof spec - 1);
		syscall(SYS_close, fd);
		while (n > 0 && (spec[n - 1] == '\n' || spec[n - 1] == ' '))
			n--;
		if (n > 0) {
			spec[n] = '\0';
			memset(rules, 0, sizeof rules);
			parse_spec(spec);
		}
	}
	for (int i = 0; i < OP_N; i++)
		atomic_store(&calls[i], 0);
}

/* Whether faults are armed; a new arming starts the counts again. */
static int
is_armed(void)
{
	if (!atomic_load(&ready) || !arm_path[0])
		return 0;
	long t = now_ns();
	long next = atomic_load(&next_look_ns);
	if (t >= next && atomic_compare_exchange_strong(&next_look_ns, &next,
			     t + 20000000L)) {
		int on = access(arm_path, F_OK) == 0;
		if (on && !atomic_load(&armed))
			arm();
		atomic_store(&armed, on);
	}
	return atomic_load(&armed);
}

static void
say(const char *op, long k, int err)
{
	char line[96];
	size_t n = 0;
	const char *parts[] = { "faultshim: ", op, " #" };
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(parts[i]);
		memcpy(line + n, parts[i], l);
		n += l;
	}
	char num[24];
	size_t d = 0;
	do {
		num[d++] = (char)('0' + k % 10);
		k /= 10;
	} while (k > 0 && d < sizeof num);
	while (d)
		line[n++] = num[--d];
	const char *e = err == ENOSPC	? " -> ENOSPC\n"
			: err == ENOMEM ? " -> ENOMEM\n"
					: " -> EIO\n";
	size_t l = strlen(e);
	memcpy(line + n, e, l);
	n += l;
	(void)!syscall(SYS_write, 2, line, n);
}

/* Whether this call of op fails; its errno in *err. */
static int
hit(int op, int *err)
{
	const struct rule *r = &rules[op];
	long k = atomic_fetch_add(&calls[op], 1) + 1;
	if (k < r->first || (r->count && k >= r->first + r->count))
		return 0;
	*err = r->err;
	say(op_name[op], k, r->err);
	return 1;
}

/* Whether fd is a file under FIXIT_FAULT_DIR. */
static int
fd_in_dir(int fd)
{
	if (!dir_len)
		return 0;
	char link[40] = "/proc/self/fd/";
	size_t n = strlen(link);
	char num[16];
	size_t d = 0;
	unsigned v = (unsigned)fd;
	do {
		num[d++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && d < sizeof num);
	while (d)
		link[n++] = num[--d];
	link[n] = '\0';
	char path[PATH_MAX];
	ssize_t got = readlink(link, path, sizeof path);
	return got >= (ssize_t)dir_len && memcmp(path, dir, dir_len) == 0;
}

static int
io_fault(int op, int fd)
{
	int err;
	if (!is_armed() || !rules[op].on || !fd_in_dir(fd))
		return 0;
	if (!hit(op, &err))
		return 0;
	errno = err;
	return 1;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	if (io_fault(OP_WRITE, fd))
		return -1;
	return syscall(SYS_write, fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (io_fault(OP_WRITE, fd))
		return -1;
	return syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	if (io_fault(OP_WRITE, fd))
		return -1;
	return syscall(SYS_writev, fd, iov, cnt);
}

int
fsync(int fd)
{
	if (io_fault(OP_SYNC, fd))
		return -1;
	return (int)syscall(SYS_fsync, fd);
}

int
fdatasync(int fd)
{
	if (io_fault(OP_SYNC, fd))
		return -1;
	return (int)syscall(SYS_fdatasync, fd);
}

static int
malloc_fault(void)
{
	int err;
	if (!is_armed() || !rules[OP_MALLOC].on)
		return 0;
	return hit(OP_MALLOC, &err);
}

void *
malloc(size_t n)
{
	if (malloc_fault()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t m, size_t n)
{
	if (malloc_fault()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(m, n);
}

void *
realloc(void *p, size_t n)
{
	if (n && malloc_fault()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
