/*
 * db_backup.c - the online backup of a live database (see db_backup.h).
 *
 * Steps: refuse a destination that exists (unless forced) or names the
 * database; open the source read-only and begin a read transaction, so
 * every backup step reads the same snapshot (without it SQLite would
 * start the copy over each time the writer commits between two steps,
 * and under steady writes never finish); create dst.tmp 0600 with
 * O_EXCL; copy BACKUP_STEP_PAGES pages a step, pausing between steps so
 * that the copy's reads and writes leave the disk to fixitd's syncs; end
 * the read transaction; turn the copy into a single file (journal mode
 * DELETE: no -wal beside it), quick_check it; fsync it; link it to dst
 * (which fails if dst appeared meanwhile) or, when forced, rename it over
 * dst; fsync the directory.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db_backup.h"
#include "fxtime.h"
#include "banned.h"

#define BACKUP_STEP_PAGES 256	/* 1 MiB of 4 KiB pages a step */
#define BACKUP_PAUSE_MS	  1	/* between two steps */
#define BACKUP_BUSY_MS	  30000 /* give up a step locked this long */
#define BACKUP_PATH_MAX	  4096

struct bk {
	const char *src, *dst;
	char tmp[BACKUP_PATH_MAX];
	char *why;
	size_t len;
	sqlite3 *s, *d;
	int made; /* tmp is ours: removed on failure */
};

static fx_err fail(struct bk *b, fx_err rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static fx_err
fail(struct bk *b, fx_err rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, b->len, fmt, ap);
	va_end(ap);
	return rc;
}

/* dst may not be the database or one of its side files */
static fx_err
check_dst(struct bk *b, int force)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	char side[BACKUP_PATH_MAX];
	struct stat sd, ss;
	size_t i;

	if ((size_t)snprintf(b->tmp, sizeof(b->tmp), "%s.tmp", b->dst) >=
	    sizeof(b->tmp))
		return fail(b, FX_EINVAL, "%s: path too long", b->dst);
	if (stat(b->src, &ss) != 0)
		return fail(b, errno == ENOENT ? FX_ENOTFOUND : FX_EIO,
		    "no database at %s: %s", b->src, strerror(errno));
	for (i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", b->src, sides[i]);
		if (strcmp(side, b->dst) == 0 || strcmp(side, b->tmp) == 0)
			return fail(b, FX_ECONFLICT,
			    "%s is the database's own file", b->dst);
	}
	if (lstat(b->dst, &sd) != 0)
		return errno == ENOENT
			   ? FX_OK
			   : fail(b, FX_EIO, "%s: %s", b->dst, strerror(errno));
	if (sd.st_dev == ss.st_dev && sd.st_ino == ss.st_ino)
		return fail(b, FX_ECONFLICT, "%s is the database itself",
		    b->dst);
	if (!force)
		return fail(b, FX_ECONFLICT,
		    "%s exists: not overwritten (-f to replace it)", b->dst);
	if (!S_ISREG(sd.st_mode))
		return fail(b, FX_ECONFLICT, "%s is not a regular file",
		    b->dst);
	return FX_OK;
}

/* SQLite's multi-line complaints on one line of stderr */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static fx_err
sql_fail(struct bk *b, sqlite3 *h, const char *what)
{
	return fail(b, FX_EDB, "%s: %s", what,
	    h != NULL ? sqlite3_errmsg(h) : "out of memory");
}

/* the source, read-only, inside a read transaction: its version read */
static fx_err
open_source(struct bk *b, int *version)
{
	sqlite3_stmt *st = NULL;
	fx_err rc = FX_OK;

	if (sqlite3_open_v2(b->src, &b->s, SQLITE_OPEN_READONLY, NULL) !=
		SQLITE_OK ||
	    sqlite3_busy_timeout(b->s, BACKUP_BUSY_MS) != SQLITE_OK ||
	    sqlite3_exec(b->s, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(b, b->s, b->src);
	/* reading starts the transaction: the snapshot is taken here */
	if (sqlite3_prepare_v2(b->s,
		"SELECT (SELECT count(*) FROM sqlite_master), "
		"(SELECT user_version FROM pragma_user_version)",
		-1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sql_fail(b, b->s, b->src);
		goto out;
	}
	*version = sqlite3_column_int(st, 1);
	if (sqlite3_column_int(st, 0) == 0)
		rc =
		    fail(b, FX_ENOTFOUND, "%s holds no fixit database", b->src);
out:
	sqlite3_finalize(st);
	return rc;
}

/* dst.tmp, created here (0600, never an existing file), opened */
static fx_err
open_dest(struct bk *b, int force)
{
	int fd, e;

	fd = open(b->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 && errno == EEXIST && force && unlink(b->tmp) == 0)
		fd = open(b->tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(b, FX_EIO,
		    errno == EEXIST ? "%s: %s (another backup running, or one "
				      "that failed left it: remove it or use "
				      "-f)"
				    : "%s: %s",
		    b->tmp, strerror(errno));
	b->made = 1;
	if (fchmod(fd, 0600) != 0) {
		e = errno;
		close(fd);
		return fail(b, FX_EIO, "%s: %s", b->tmp, strerror(e));
	}
	close(fd);
	if (sqlite3_open_v2(b->tmp, &b->d, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		return sql_fail(b, b->d, b->tmp);
	return FX_OK;
}

/* the pages, a step at a time, from the source's snapshot */
static fx_err
copy(struct bk *b, struct db_backup_info *info)
{
	sqlite3_backup *bk;
	int64_t busy_since = 0;
	int src;

	bk = sqlite3_backup_init(b->d, "main", b->s, "main");
	if (bk == NULL)
		return sql_fail(b, b->d, "backup");
	for (;;) {
		src = sqlite3_backup_step(bk, BACKUP_STEP_PAGES);
		if (src == SQLITE_DONE)
			break;
		if (src == SQLITE_BUSY || src == SQLITE_LOCKED) {
			if (busy_since == 0)
				busy_since = fx_mono_ms();
			if (fx_mono_ms() - busy_since > BACKUP_BUSY_MS)
				break;
			fx_sleep_ms(10);
			continue;
		}
		if (src != SQLITE_OK)
			break;
		busy_since = 0;
		fx_sleep_ms(BACKUP_PAUSE_MS);
	}
	info->pages = sqlite3_backup_pagecount(bk);
	(void)sqlite3_backup_finish(bk);
	if (src != SQLITE_DONE)
		return fail(b, FX_EDB, "copying %s: %s", b->src,
		    sqlite3_errstr(src));
	return FX_OK;
}

/* one file, sound, the version copied */
static fx_err
verify(struct bk *b, int version, struct db_backup_info *info)
{
	sqlite3_stmt *st = NULL;
	const char *res;
	fx_err rc = FX_OK;

	if (sqlite3_exec(b->d, "PRAGMA journal_mode = DELETE", NULL, NULL,
		NULL) != SQLITE_OK)
		return sql_fail(b, b->d, b->tmp);
	if (sqlite3_prepare_v2(b->d, "PRAGMA quick_check(1)", -1, &st, NULL) !=
		SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sql_fail(b, b->d, b->tmp);
		goto out;
	}
	res = (const char *)sqlite3_column_text(st, 0);
	if (res == NULL || strcmp(res, "ok") != 0) {
		rc = fail(b, FX_EDB, "the copy fails its quick_check: %s",
		    res ? res : "no answer");
		one_line(b->why);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(b->d,
		"SELECT (SELECT user_version FROM pragma_user_version), "
		"(SELECT page_size FROM pragma_page_size)",
		-1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = sql_fail(b, b->d, b->tmp);
		goto out;
	}
	info->version = sqlite3_column_int(st, 0);
	info->page_size = sqlite3_column_int64(st, 1);
	if (info->version != version)
		rc = fail(b, FX_EDB,
		    "the copy's schema version %d differs from "
		    "the database's %d",
		    info->version, version);
out:
	sqlite3_finalize(st);
	return rc;
}

static fx_err
fsync_path(struct bk *b, const char *path, int dir)
{
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	if (fd < 0 || fsync(fd) != 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return fail(b, FX_EIO, "fsync %s: %s", path, strerror(e));
	}
	close(fd);
	return FX_OK;
}

/* dst.tmp becomes dst: never over an existing dst unless forced */
static fx_err
publish(struct bk *b, int force)
{
	char dir[BACKUP_PATH_MAX];
	char *slash;

	if (force) {
		if (rename(b->tmp, b->dst) != 0)
			return fail(b, FX_EIO, "rename to %s: %s", b->dst,
			    strerror(errno));
	} else if (link(b->tmp, b->dst) != 0) {
		return fail(b, errno == EEXIST ? FX_ECONFLICT : FX_EIO,
		    "%s: %s", b->dst,
		    errno == EEXIST ? "appeared during the backup: not "
				      "overwritten"
				    : strerror(errno));
	} else if (unlink(b->tmp) != 0) {
		return fail(b, FX_EIO, "%s: %s", b->tmp, strerror(errno));
	}
	b->made = 0;
	snprintf(dir, sizeof(dir), "%s", b->dst);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return fsync_path(b, dir, 1);
}

fx_err
db_backup(const char *src, const char *dst, int force,
    struct db_backup_info *info, char *why, size_t len)
{
	struct bk b;
	int64_t t0 = fx_mono_ms();
	int version = 0;
	fx_err rc;

	memset(&b, 0, sizeof(b));
	memset(info, 0, sizeof(*info));
	b.src = src;
	b.dst = dst;
	b.why = why;
	b.len = len;
	snprintf(why, len, "ok");
	rc = check_dst(&b, force);
	if (rc != FX_OK)
		goto out;
	rc = open_source(&b, &version);
	if (rc != FX_OK)
		goto out;
	rc = open_dest(&b, force);
	if (rc != FX_OK)
		goto out;
	rc = copy(&b, info);
	if (rc != FX_OK)
		goto out;
	/* the snapshot is copied: let the checkpointer past it */
	(void)sqlite3_exec(b.s, "COMMIT", NULL, NULL, NULL);
	rc = verify(&b, version, info);
	if (rc != FX_OK)
		goto out;
	if (sqlite3_close(b.d) != SQLITE_OK) {
		rc = sql_fail(&b, b.d, b.tmp);
		goto out;
	}
	b.d = NULL;
	rc = fsync_path(&b, b.tmp, 0);
	if (rc != FX_OK)
		goto out;
	rc = publish(&b, force);
	info->ms = fx_mono_ms() - t0;
out:
	if (b.s != NULL)
		(void)sqlite3_close_v2(b.s);
	if (b.d != NULL)
		(void)sqlite3_close_v2(b.d);
	if (b.made && unlink(b.tmp) != 0 && errno != ENOENT)
		snprintf(why + strlen(why), len - strlen(why),
		    " (and %s is left behind)", b.tmp);
	return rc;
}
