/*
 * fz_config.c - fuzz target for the config file (server/config.h): the
 * bytes written to a temporary file and loaded as fixitd loads its
 * config, with every secret in the environment so that a valid file
 * loads all the way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"

static char path[64];

/* the input into the process's temporary file; 0 or -1 */
static int
write_file(const uint8_t *data, size_t size)
{
	FILE *f;
	int fd, ok;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/fixit-fuzz-config-XXXXXX");
		if ((fd = mkstemp(path)) < 0) {
			path[0] = '\0';
			return -1;
		}
		close(fd);
	}
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	ok = size == 0 || fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void
remove_file(void)
{
	if (path[0] != '\0')
		unlink(path);
}

int
fz_config(const uint8_t *data, size_t size)
{
	static int registered;
	struct config *c = NULL;
	struct buf err = BUF_INIT;
	fx_err rc;

	if (!registered && atexit(remove_file) == 0)
		registered = 1;
	if (write_file(data, size) != 0)
		return 0;
	/* config_load may take secrets out of the environment */
	setenv("FIXIT_SLACK_SIGNING_SECRET", "fuzz-signing-secret", 1);
	setenv("FIXIT_SLACK_BOT_TOKEN", "xoxb-fuzz", 1);
	setenv("FIXIT_INGEST_TOKENS", "fuzz-token-1,fuzz-token-2", 1);
	setenv("FIXIT_AWS_EXTERNAL_ID", "fuzz-external-id", 1);
	setenv("FIXIT_EVENTS_API_KEY", "fuzz-events-key", 1);
	rc = config_load(path, &c, &err);
	if (rc == FX_OK) {
		FZ_ASSERT(c != NULL && c->policy != NULL);
		FZ_ASSERT(c->listen_host != NULL && c->database != NULL);
		FZ_ASSERT(c->tick >= 1);
	} else {
		FZ_ASSERT(rc == FX_ECONFIG || rc == FX_ENOMEM);
		FZ_ASSERT(c == NULL);
		FZ_ASSERT(rc == FX_ENOMEM || err.len > 0);
	}
	config_free(c);
	buf_release(&err);
	return 0;
}
