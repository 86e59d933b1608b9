/*
 * backup.c - `fixitd backup` (see backup.h): the command line around
 * db_backup(). It starts no thread and opens no socket; it may run
 * beside the daemon as the same user (it reads the database, and the
 * copy is that user's, mode 0600).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "backup.h"
#include "config.h"
#include "db_backup.h"
#include "fxlog.h"
#include "banned.h"

static void
backup_usage(void)
{
	fprintf(stderr,
	    "usage: fixitd backup [-f] [-c FILE | -d DATABASE] BACKUP\n"
	    "  -c FILE      configuration naming the database\n"
	    "  -d DATABASE  the database itself (no configuration read)\n"
	    "  -f           replace BACKUP if it exists\n");
}

static int
backup_run(const char *db, const char *to, int force)
{
	struct db_backup_info info;
	char why[1024];
	fx_err rc;

	rc = db_backup(db, to, force, &info, why, sizeof(why));
	if (rc != FX_OK) {
		fprintf(stderr, "fixitd: backup: %s\n", why);
		return 1;
	}
	printf("fixitd: backup: %s -> %s: %lld pages of %lld bytes, schema "
	       "version %d, quick_check ok, %lld ms\n",
	    db, to, (long long)info.pages, (long long)info.page_size,
	    info.version, (long long)info.ms);
	return 0;
}

int
backup_main(int argc, char **argv, const char *default_config)
{
	const char *path = default_config, *db = NULL;
	struct config *cfg = NULL;
	struct buf err = BUF_INIT;
	int ch, force = 0, code = 1, cflag = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:d:f")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			cflag = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'f':
			force = 1;
			break;
		default:
			backup_usage();
			return 1;
		}
	}
	if (optind + 1 != argc || (db != NULL && cflag)) {
		backup_usage();
		return 1;
	}
	log_init(LOG_LVL_WARN, 2);
	if (db != NULL)
		return backup_run(db, argv[optind], force);
	buf_init(&err, 4096);
	if (config_load(path, &cfg, &err) != FX_OK) {
		fprintf(stderr,
		    "fixitd: backup: %s\n"
		    "fixitd: backup: (-d DATABASE needs no configuration)\n",
		    buf_str(&err));
		goto out;
	}
	code = backup_run(cfg->database, argv[optind], force);
out:
	buf_release(&err);
	config_free(cfg);
	return code;
}
