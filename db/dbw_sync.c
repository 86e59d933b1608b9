/*
 * dbw_sync.c - the WAL syncer: pipelined group commit (see dbw_sync.h).
 *
 * Why a descriptor of our own: SQLite does not expose its WAL file
 * descriptor, and on Linux fdatasync() flushes the file's data whatever
 * descriptor names it. The descriptor is opened read-only once at start;
 * should the WAL be unlinked (every connection closed, which fixitd does
 * only at exit) it is opened again before the next sync, so a sync never
 * goes to a file SQLite no longer writes. SQLite writes the WAL in place
 * when it starts it over and truncates it in place: the same file.
 *
 * What may be read before it is synced: a reader connection sees a commit
 * as soon as the writer made it, a few milliseconds before its sync. Every
 * action with an effect outside (a fix, a Slack message, an answer)
 * claims or records its work through the writer first (dbw_call), and
 * that call returns only after a sync that covers it and everything
 * committed before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "dbw_sync.h"
#include "fxlog.h"
#include "fxtime.h"
#include "fxworker.h"
#include "banned.h"

#define DBW_SYNC_RETRY_MS 50 /* a failed WAL sync is tried again after */

struct dbw_sync {
	struct fx_worker wk; /* wk.mu guards the queue */
	struct dbw_req *head, *tail;
	dbw_complete_fn complete;
	void *cls;
	int fd; /* the WAL, read-only; -1 until (re)opened */
	char wal[PATH_MAX];
	int failing; /* the last round failed: say when it recovers */
};

/* the directory holding path, synced so that the WAL's name is durable */
static void
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		log_warnx("%s: sync of %s: %s", __func__, dir, strerror(errno));
	if (fd >= 0)
		(void)close(fd);
}

/* the WAL's descriptor, opened again if the file was unlinked */
static fx_err
wal_fd(struct dbw_sync *s)
{
	struct stat st;

	if (s->fd >= 0 && fstat(s->fd, &st) == 0 && st.st_nlink > 0)
		return FX_OK;
	if (s->fd >= 0) {
		log_info("%s: the WAL was unlinked: opening it again",
		    __func__);
		(void)close(s->fd);
	}
	s->fd = open(s->wal, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		log_warnx("%s: open %s: %s", __func__, s->wal, strerror(errno));
		return FX_EDB;
	}
	return FX_OK;
}

static fx_err
sync_wal(struct dbw_sync *s)
{
	fx_err rc = wal_fd(s);

	if (rc == FX_OK && fdatasync(s->fd) != 0) {
		if (!s->failing)
			log_warnx("%s: fdatasync of the WAL: %s: the answers "
				  "waiting for it wait until it succeeds",
			    __func__, strerror(errno));
		rc = FX_EDB;
	}
	if (rc == FX_OK && s->failing)
		log_info("%s: the WAL syncs again", __func__);
	s->failing = rc != FX_OK;
	return rc;
}

static void *
syncer_main(void *arg)
{
	struct dbw_sync *s = arg;
	struct dbw_req *list, *j;

	for (;;) {
		pthread_mutex_lock(&s->wk.mu);
		while (s->head == NULL && !s->wk.stopping)
			pthread_cond_wait(&s->wk.cv, &s->wk.mu);
		list = s->head;
		s->head = s->tail = NULL;
		pthread_mutex_unlock(&s->wk.mu);
		if (list == NULL)
			break; /* stopping and drained */
		/*
		 * The batches are committed (readers see them): a failed
		 * sync is tried again until one succeeds, and the answers
		 * wait, so that a refusal always means "not stored". Only
		 * at stop are the jobs still unsynced refused.
		 */
		while (sync_wal(s) != FX_OK) {
			if (fx_worker_stopping(&s->wk)) {
				for (j = list; j != NULL; j = j->next)
					if (j->rc == FX_OK)
						j->rc = FX_EDB;
				break;
			}
			fx_sleep_ms(DBW_SYNC_RETRY_MS);
		}
		s->complete(s->cls, list);
	}
	return NULL;
}

fx_err
dbw_sync_start(const char *path, dbw_complete_fn complete, void *cls,
    struct dbw_sync **out)
{
	struct dbw_sync *s;
	fx_err rc;

	if ((size_t)snprintf(NULL, 0, "%s-wal", path) >= PATH_MAX)
		return FX_EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return FX_ENOMEM;
	snprintf(s->wal, sizeof(s->wal), "%s-wal", path);
	s->complete = complete;
	s->cls = cls;
	s->fd = -1;
	rc = wal_fd(s);
	if (rc == FX_OK && fdatasync(s->fd) != 0) {
		log_warnx("%s: fdatasync of %s: %s", __func__, s->wal,
		    strerror(errno));
		rc = FX_EDB;
	}
	if (rc == FX_OK) {
		sync_dir(s->wal);
		rc = fx_worker_start_critical(&s->wk, "fixit-sync", syncer_main,
		    s);
	}
	if (rc != FX_OK) {
		if (s->fd >= 0)
			(void)close(s->fd);
		free(s);
		return rc;
	}
	*out = s;
	return FX_OK;
}

void
dbw_sync_push(struct dbw_sync *s, struct dbw_req *batch)
{
	struct dbw_req *last = batch;

	if (batch == NULL)
		return;
	while (last->next != NULL)
		last = last->next;
	pthread_mutex_lock(&s->wk.mu);
	if (s->tail != NULL)
		s->tail->next = batch;
	else
		s->head = batch;
	s->tail = last;
	pthread_cond_signal(&s->wk.cv);
	pthread_mutex_unlock(&s->wk.mu);
}

void
dbw_sync_stop(struct dbw_sync *s)
{
	if (s == NULL)
		return;
	fx_worker_stop(&s->wk); /* the syncer drains, then exits */
	if (s->fd >= 0)
		(void)close(s->fd);
	free(s);
}
