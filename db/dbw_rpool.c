/*
 * dbw_rpool.c - the read-only connections of dbw_read (see dbw_rpool.h).
 *
 * A slot is free or taken; mu guards the flags and the connection
 * pointers, cv is signalled when a slot is given back. A taker prefers a
 * slot whose connection is already open, so the pool opens a second
 * connection only when two reads overlap. The connection is opened and
 * used outside the lock: only the slot's taker touches it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dbw_rpool.h"
#include "fxlog.h"
#include "banned.h"

struct rslot {
	struct db *db; /* NULL until first used */
	int taken;
};

struct dbw_rpool {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a slot was given back */
	char *path;
	int size;
	struct rslot *slot; /* [size] */
};

fx_err
dbw_rpool_new(const char *path, int size, struct dbw_rpool **out)
{
	struct dbw_rpool *p = NULL;
	fx_err rc = FX_OK;

	*out = NULL;
	if (path == NULL || size < 1)
		return FX_EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return FX_ENOMEM;
	p->size = size;
	p->path = strdup(path);
	p->slot = calloc((size_t)size, sizeof(*p->slot));
	if (p->path == NULL || p->slot == NULL) {
		rc = FX_ENOMEM;
		goto out;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
out:
	if (rc != FX_OK) {
		free(p->slot);
		free(p->path);
		free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

void
dbw_rpool_free(struct dbw_rpool *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->size; i++)
		db_close(p->slot[i].db);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->slot);
	free(p->path);
	free(p);
}

/* a free slot, an open one first; waits while every slot is taken */
static struct rslot *
take(struct dbw_rpool *p, struct db **db)
{
	struct rslot *s;
	int i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		s = NULL;
		for (i = 0; i < p->size; i++) {
			if (p->slot[i].taken)
				continue;
			if (p->slot[i].db != NULL) {
				s = &p->slot[i];
				break;
			}
			if (s == NULL)
				s = &p->slot[i];
		}
		if (s != NULL)
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	s->taken = 1;
	*db = s->db;
	pthread_mutex_unlock(&p->mu);
	return s;
}

/* db: the slot's connection now (NULL when it could not be opened) */
static void
give_back(struct dbw_rpool *p, struct rslot *s, struct db *db)
{
	pthread_mutex_lock(&p->mu);
	s->db = db;
	s->taken = 0;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static fx_err
open_reader(const char *path, struct db **out)
{
	struct db *db = NULL;
	fx_err rc;

	rc = db_open(path, &db);
	if (rc == FX_OK)
		rc = db_query_only(db);
	if (rc != FX_OK) {
		log_warnx("%s: cannot open a reader: %s", __func__,
		    fx_strerror(rc));
		db_close(db);
		db = NULL;
	}
	*out = db;
	return rc;
}

fx_err
dbw_rpool_run(struct dbw_rpool *p, dbw_fn fn, void *arg)
{
	struct rslot *s;
	struct db *db;
	fx_err rc = FX_OK;

	s = take(p, &db);
	if (db == NULL)
		rc = open_reader(p->path, &db);
	if (rc == FX_OK)
		rc = db_begin_read(db);
	if (rc == FX_OK) {
		rc = fn(db, arg);
		db_rollback(db); /* nothing to keep: end the snapshot */
	}
	give_back(p, s, db);
	return rc;
}
