/*
 * db_backup.h - a consistent copy of a database a running fixitd is
 * writing (`fixitd backup FILE`), with SQLite's online backup API.
 *
 * The copy is one snapshot: the source connection holds a read
 * transaction across every step, so it is the database as it was when
 * the backup began, whatever the writer commits meanwhile (in WAL mode a
 * reader never holds up the writer; it only keeps the checkpointer from
 * copying the frames after its snapshot until it ends). It is written to
 * FILE.tmp in steps, made a single rollback-journal file, checked with
 * PRAGMA quick_check, fsynced, and only then given its name: FILE never
 * holds a partial copy.
 */
#ifndef FIXIT_DB_BACKUP_H
#define FIXIT_DB_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "fxerr.h"

/* what the copy held */
struct db_backup_info {
	int64_t pages;	   /* database pages copied */
	int64_t page_size; /* bytes */
	int version;	   /* its schema version (PRAGMA user_version) */
	int64_t ms;	   /* how long it took */
};

/*
 * Copy the database at src to dst (mode 0600). dst must not exist unless
 * force (then it is replaced atomically); it may not name src itself or
 * its -wal, -shm or -journal. src is opened read-only and never created.
 * On failure dst is untouched, dst.tmp removed, and why says what went
 * wrong for a person: FX_ENOTFOUND (no database at src), FX_ECONFLICT
 * (dst exists, or names the database), FX_EIO (a file operation), FX_EDB
 * (SQLite, or the copy failed its quick_check).
 */
fx_err db_backup(const char *src, const char *dst, int force,
    struct db_backup_info *info, char *why, size_t len) FX_WUR;

#endif
