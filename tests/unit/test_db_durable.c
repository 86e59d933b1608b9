/*
 * test_db_durable.c - durable before the answer: a job is completed
 * (done() called, dbw_call returning) only after its batch's WAL was
 * synced; the connections run synchronous=FULL; the database and its WAL
 * and shared memory file are private (0600) whatever the umask; the
 * heartbeat /healthz writes; quick_check refuses a file with garbage
 * pages mid-file.
 *
 * The syncs are counted by defining fdatasync() and fsync() here: the
 * executable's definitions take the place of libc's for libsqlite3 (the
 * dynamic linker looks in the executable first); each counts the call
 * when fd is a WAL, then makes the real system call.
 */
#define _DEFAULT_SOURCE /* syscall() */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/syscall.h>

#include "db_int.h"
#include "dbwriter.h"
#include "fxlog.h"
#include "testhelp.h"
#include "banned.h"

static char tmpdir[64];
static char dbpath[128];
static atomic_int wal_syncs;

static atomic_int fail_wal;    /* WAL syncs to fail with EIO */
static atomic_int slow_wal_ms; /* each WAL sync takes this long */

static int
is_wal(int fd)
{
	char link[64], target[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	return n > 4 && memcmp(target + n - 4, "-wal", 4) == 0;
}

static int
wal_sync(int fd, long nr)
{
	if (!is_wal(fd))
		return (int)syscall(nr, fd);
	atomic_fetch_add(&wal_syncs, 1);
	if (atomic_load(&slow_wal_ms) > 0)
		usleep((useconds_t)atomic_load(&slow_wal_ms) * 1000);
	if (atomic_load(&fail_wal) > 0) {
		atomic_fetch_sub(&fail_wal, 1);
		errno = EIO;
		return -1;
	}
	return (int)syscall(nr, fd);
}

int
fdatasync(int fd)
{
	return wal_sync(fd, SYS_fdatasync);
}

int
fsync(int fd)
{
	return wal_sync(fd, SYS_fsync);
}

struct probe {
	struct dbw_req r;	/* first */
	atomic_int at_run;	/* WAL syncs when the job ran */
	struct probe *before;	/* another job, or NULL */
	atomic_int before_done; /* ... done when this one ran: -1 unset */
	int at_done;		/* ... when done() was called */
	int64_t sync_mode;
	atomic_int done;
};

static fx_err
probe_run(struct db *db, void *arg)
{
	struct probe *p = arg;
	sqlite3_stmt *st = NULL;

	p->at_run = atomic_load(&wal_syncs);
	if (p->before != NULL)
		p->before_done = atomic_load(&p->before->done);
	if (sqlite3_prepare_v2(db->h, "PRAGMA synchronous", -1, &st, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		p->sync_mode = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return db_heartbeat_set(db, 42);
}

static void
probe_done(struct dbw_req *r)
{
	struct probe *p = (struct probe *)r;

	p->at_done = atomic_load(&wal_syncs);
	atomic_store(&p->done, 1);
}

static void
test_sync_before_done(void)
{
	struct probe p[8];
	struct dbw *w = NULL;
	int64_t back = -1;
	int i, before;

	TEST("every job is completed after its batch's WAL sync") {
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w == NULL)
			return;
		memset(p, 0, sizeof(p));
		for (i = 0; i < 8; i++) {
			p[i].r.fn = probe_run;
			p[i].r.arg = &p[i];
			p[i].r.done = probe_done;
			p[i].sync_mode = -1;
			CHECK_INT(dbw_submit(w, &p[i].r), FX_OK);
		}
		for (i = 0; i < 8; i++) {
			while (!atomic_load(&p[i].done))
				usleep(1000);
			CHECK_INT(p[i].r.rc, FX_OK);
			/* NORMAL: the writer's commit does not sync; the
			 * syncer does, before the job is done */
			CHECK_INT(p[i].sync_mode, 1);
			CHECK(p[i].at_done > p[i].at_run);
		}
		before = atomic_load(&wal_syncs);
		CHECK_INT(dbw_heartbeat(w, 1234, 2000, &back), FX_OK);
		CHECK(atomic_load(&wal_syncs) > before);
		CHECK_INT(back, 1234);
		dbw_stop(w);
	}
}

static void
probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->r.fn = probe_run;
	p->r.arg = p;
	p->r.done = probe_done;
	p->sync_mode = -1;
	p->at_run = -1;
	p->before_done = -1;
}

static void
probe_wait(struct probe *p)
{
	while (!atomic_load(&p->done))
		usleep(1000);
}

static void
test_pipelined(void)
{
	struct probe a, b;
	struct dbw *w = NULL;
	int i;

	TEST("the next batch runs while the previous one's sync is in flight") {
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w == NULL)
			return;
		atomic_store(&slow_wal_ms, 1000);
		probe_init(&a);
		probe_init(&b);
		CHECK_INT(dbw_submit(w, &a.r), FX_OK);
		/* a ran; its commit (which may sync the WAL's header when it
		 * starts the WAL over) and then its sync take 1 s each */
		for (i = 0; i < 5000 && atomic_load(&a.at_run) < 0; i++)
			usleep(1000);
		usleep(50 * 1000);
		b.before = &a;
		CHECK_INT(dbw_submit(w, &b.r), FX_OK);
		probe_wait(&a);
		probe_wait(&b);
		atomic_store(&slow_wal_ms, 0);
		CHECK_INT(a.r.rc, FX_OK);
		CHECK_INT(b.r.rc, FX_OK);
		CHECK(b.at_done > b.at_run);
		/* b's job ran while a's sync was in flight, not after it */
		CHECK_INT(atomic_load(&b.before_done), 0);
		dbw_stop(w);
	}
}

static void
test_sync_fails(void)
{
	struct probe p;
	struct dbw *w = NULL;
	int64_t back = -1;

	TEST("a failed WAL sync is tried again: the job waits, then succeeds") {
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w == NULL)
			return;
		probe_init(&p);
		atomic_store(&fail_wal, 2);
		CHECK_INT(dbw_submit(w, &p.r), FX_OK);
		probe_wait(&p);
		/* committed and visible: never refused as "not stored" */
		CHECK_INT(p.r.rc, FX_OK);
		CHECK_INT(atomic_load(&fail_wal), 0);
		CHECK(p.at_done >= p.at_run + 3); /* two failed, one good */
		CHECK_INT(dbw_heartbeat(w, 77, 2000, &back), FX_OK);
		CHECK_INT(back, 77);
		dbw_stop(w);
	}
}

static int
mode_of(const char *suffix)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", dbpath, suffix);
	if (stat(p, &st) != 0)
		return -1;
	return (int)(st.st_mode & 0777);
}

static void
test_private(void)
{
	struct dbw *w = NULL;
	int64_t back;
	mode_t old;
	int fd;

	TEST("the database, its WAL and shm are 0600 under umask 022") {
		th_remove_db(tmpdir, dbpath);
		CHECK(mkdir(tmpdir, 0700) == 0);
		old = umask(022);
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w != NULL) {
			CHECK_INT(dbw_heartbeat(w, 1, 2000, &back), FX_OK);
			CHECK_INT(mode_of(""), 0600);
			CHECK_INT(mode_of("-wal"), 0600);
			CHECK_INT(mode_of("-shm"), 0600);
			dbw_stop(w);
		}
		umask(old);
	}
	TEST("an existing 0644 database is made 0600") {
		th_remove_db(tmpdir, dbpath);
		CHECK(mkdir(tmpdir, 0700) == 0);
		fd = open(dbpath, O_CREAT | O_WRONLY, 0644);
		CHECK(fd >= 0);
		if (fd >= 0) {
			CHECK(fchmod(fd, 0644) == 0);
			close(fd);
		}
		w = NULL;
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		CHECK_INT(mode_of(""), 0600);
		dbw_stop(w);
	}
}

static fx_err
drop_heartbeat(struct db *db, void *arg)
{
	(void)arg;
	return sqlite3_exec(db->h, "DELETE FROM heartbeat", NULL, NULL, NULL) ==
		       SQLITE_OK
		   ? FX_OK
		   : FX_EDB;
}

static void
test_heartbeat_fails(void)
{
	struct dbw *w = NULL;
	int64_t back;

	TEST("a heartbeat that cannot be written is a failure") {
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w == NULL)
			return;
		CHECK_INT(dbw_call(w, drop_heartbeat, NULL), FX_OK);
		CHECK(dbw_heartbeat(w, 7, 2000, &back) != FX_OK);
		dbw_stop(w);
	}
}

static fx_err
fill(struct db *db, void *arg)
{
	(void)arg;
	return sqlite3_exec(db->h,
		   "CREATE TABLE filler (x TEXT);"
		   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		   "FROM n WHERE i < 2000) INSERT INTO filler "
		   "SELECT printf('%0500d', i) FROM n;"
		   "CREATE INDEX filler_x ON filler (x);",
		   NULL, NULL, NULL) == SQLITE_OK
		   ? FX_OK
		   : FX_EDB;
}

static void
test_quick_check(void)
{
	struct dbw *w = NULL;
	char why[256], junk[4096];
	struct stat st;
	fx_err rc;
	int fd;

	TEST("quick_check: a sound file passes, garbage mid-file is refused") {
		th_remove_db(tmpdir, dbpath);
		CHECK(mkdir(tmpdir, 0700) == 0);
		CHECK_INT(dbw_start(dbpath, &w), FX_OK);
		if (w == NULL)
			return;
		CHECK_INT(dbw_call(w, fill, NULL), FX_OK);
		CHECK_INT(dbw_check(w, why, sizeof(why)), FX_OK);
		CHECK_STR(why, "ok");
		dbw_stop(w); /* the last close copies the WAL in */
		CHECK(stat(dbpath, &st) == 0 && st.st_size > 64 * 4096);
		memset(junk, 0xa5, sizeof(junk));
		fd = open(dbpath, O_WRONLY);
		CHECK(fd >= 0);
		if (fd < 0)
			return;
		/* pages in the middle of the file: the table and the index */
		CHECK(
		    pwrite(fd, junk, sizeof(junk),
			st.st_size / 2 / 4096 * 4096) == (ssize_t)sizeof(junk));
		CHECK(
		    pwrite(fd, junk, sizeof(junk),
			st.st_size / 3 / 4096 * 4096) == (ssize_t)sizeof(junk));
		close(fd);
		w = NULL;
		rc = dbw_start(dbpath, &w);
		if (rc == FX_OK) { /* the schema's pages survived */
			CHECK_INT(dbw_check(w, why, sizeof(why)), FX_EDB);
			CHECK(strcmp(why, "ok") != 0);
			dbw_stop(w);
		}
	}
}

int
main(void)
{
	log_init(LOG_LVL_ERROR, 2);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fixit-dur.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/d.db", tmpdir);
	test_sync_before_done();
	test_pipelined();
	test_sync_fails();
	test_heartbeat_fails();
	test_private();
	test_quick_check();
	th_remove_db(tmpdir, dbpath);
	return TEST_REPORT();
}
