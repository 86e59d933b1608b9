/*
 * db_health.c - is the store sound: the database file private to its
 * owner, SQLite's quick_check at start, and the heartbeat row /healthz
 * writes through the writer and reads back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "db_int.h"
#include "fxlog.h"
#include "banned.h"

/* an in-memory or URI name: no file of ours to open */
static int
is_plain_path(const char *path)
{
	return path[0] != '\0' && path[0] != ':' &&
	       strncmp(path, "file:", 5) != 0;
}

/*
 * Open path (creating it 0600 when create is set), and take group and
 * others' bits away from a file that has them. Failing to open is left to
 * SQLite to report; a chmod refused (not our file) is logged.
 */
static void
make_private(const char *path, int create)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 077) != 0) {
		if (fchmod(fd, st.st_mode & 0700) == 0)
			log_warnx("db: %s was readable by others (mode %03o): "
				  "now %03o",
			    path, (unsigned)(st.st_mode & 0777),
			    (unsigned)(st.st_mode & 0700));
		else
			log_warnx("db: %s: mode %03o, cannot make it private: "
				  "%s",
			    path, (unsigned)(st.st_mode & 0777),
			    strerror(errno));
	}
	(void)close(fd);
}

void
db_make_private(const char *path)
{
	static const char *const side[] = { "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;

	if (path == NULL || !is_plain_path(path))
		return;
	/* SQLite gives the WAL and the shared memory file the database's
	 * own mode: a private database keeps them private */
	make_private(path, 1);
	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++)
		if (snprintf(p, sizeof(p), "%s%s", path, side[i]) <
		    (int)sizeof(p))
			make_private(p, 0);
}

fx_err
db_quick_check(struct db *db, char *why, size_t len)
{
	sqlite3_stmt *st = NULL;
	const char *msg;
	fx_err rc = FX_OK;
	int src;

	snprintf(why, len, "ok");
	src = sqlite3_prepare_v2(db->h, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		msg = (const char *)sqlite3_column_text(st, 0);
		if (msg == NULL || strcmp(msg, "ok") != 0) {
			snprintf(why, len, "%s", msg ? msg : "no answer");
			rc = FX_EDB;
		}
	} else {
		snprintf(why, len, "%s", sqlite3_errmsg(db->h));
		rc = FX_EDB;
	}
	sqlite3_finalize(st);
	return rc;
}

fx_err
db_heartbeat_set(struct db *db, int64_t at)
{
	return db_write(db, SQL_HB_SET, DB_ARGS(DB_INT(at)), NULL, __func__);
}

fx_err
db_heartbeat_get(struct db *db, int64_t *at)
{
	fx_err rc;

	*at = -1;
	rc = db_count(db, SQL_HB_GET, DB_NOARGS, at, __func__);
	/* the row is written by the migration: missing, the file is bad */
	if (rc == FX_ENOTFOUND || (rc == FX_OK && *at < 0))
		rc = FX_EDB;
	return rc;
}
