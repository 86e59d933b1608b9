/*
 * backup.h - `fixitd backup [-f] [-c FILE | -d DATABASE] BACKUP`: a
 * consistent copy of the running daemon's database (db_backup.h).
 */
#ifndef FIXIT_BACKUP_H
#define FIXIT_BACKUP_H

/*
 * argv[0] is "backup". The database is the configuration's (-c FILE,
 * default_config) unless -d names it: a configuration whose secrets this
 * shell cannot read (live mode) fails to load, the path alone does not.
 * 0 when BACKUP was written and checked; else 1 with the reason on
 * stderr. What was copied is said on stdout.
 */
int backup_main(int argc, char **argv, const char *default_config);

#endif
