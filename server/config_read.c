/*
 * config_read.c - the first steps of the config loader: the file read into
 * a bounded buffer (at most FX_MAX_CONFIG_FILE) and parsed into the one
 * YAML document that config_walk.c walks; and a secret's file or systemd
 * credential, read only when no one but its owner may read or change it. Errors go through
 * cfg_err as "FILE[:LINE]: message".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config_int.h"
#include "fxlimits.h"
#include "fxutil.h"
#include "banned.h"

fx_err
cfg_read_file(struct loader *ld, struct buf *text)
{
	char chunk[8192];
	ssize_t r;
	fx_err rc = FX_OK;
	int fd;

	if ((fd = open(ld->file, O_RDONLY | O_CLOEXEC)) < 0)
		return cfg_err(ld, 0, NULL, "cannot open: %s", strerror(errno));
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cfg_err(ld, 0, NULL, "cannot read: %s",
			    strerror(errno));
			break;
		}
		if ((rc = buf_add(text, chunk, (size_t)r)) != FX_OK) {
			if (rc == FX_ETOOBIG)
				rc = cfg_err(ld, 0, NULL,
				    "larger than %d "
				    "bytes",
				    FX_MAX_CONFIG_FILE);
			break;
		}
	}
	close(fd);
	return rc;
}

/*
 * The secret in path into *out (the caller wipes it with fx_secret_free).
 * Refused, naming the file and its mode, when the file is not a regular
 * file or group or others may read, write or run it: a secret anyone else
 * can read is no longer a secret (chmod 600 it). With missing_ok, a file
 * that does not exist is FX_ENOTFOUND and no error.
 */
static fx_err
secret_read(struct loader *ld, const char *path, int line, const char *key,
    int missing_ok, char **out)
{
	struct stat st;
	fx_err rc;
	int fd, e;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 ||
	    fstat(fd, &st) != 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		if (missing_ok && e == ENOENT)
			return FX_ENOTFOUND;
		return cfg_err(ld, line, key, "cannot use secret file %s: %s",
		    path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cfg_err(ld, line, key,
		    "cannot use secret file %s: not a regular file", path);
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		return cfg_err(ld, line, key,
		    "secret file %s has mode %04o: group and others must "
		    "have no access (chmod 600 %s)",
		    path, (unsigned)(st.st_mode & 07777), path);
	}
	errno = 0;
	rc = fx_secret_from_fd(fd, out);
	e = errno;
	close(fd);
	if (rc == FX_OK || rc == FX_ENOMEM)
		return rc;
	return cfg_err(ld, line, key, "cannot use secret file %s: %s", path,
	    rc == FX_EIO ? strerror(e)
			 : "empty, binary or larger than 4096 bytes");
}

fx_err
cfg_secret_file(struct loader *ld, const struct pathval *pv, const char *key,
    char **out)
{
	return secret_read(ld, pv->path, pv->line, key, 0, out);
}

/*
 * systemd puts each LoadCredential= file in a directory of its own (on a
 * ramfs, owned by the service's user, mode 0400) and names it in
 * $CREDENTIALS_DIRECTORY, for ExecStartPre= (fixitd -n) as for
 * ExecStart=. A relative directory is refused: it would depend on the
 * working directory.
 */
fx_err
cfg_secret_cred(struct loader *ld, const char *name, char **out)
{
	const char *dir = getenv(CRED_DIR_ENV);
	char path[PATH_MAX], key[64];
	int n;

	*out = NULL;
	if (dir == NULL || *dir == '\0')
		return FX_ENOTFOUND;
	snprintf(key, sizeof(key), "credential %s", name);
	if (*dir != '/')
		return cfg_err(ld, 0, CRED_DIR_ENV, "not an absolute path: %s",
		    dir);
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return cfg_err(ld, 0, CRED_DIR_ENV, "path too long");
	return secret_read(ld, path, 0, key, 1, out);
}

static fx_err
yaml_fail(struct loader *ld, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return FX_ENOMEM;
	return cfg_err(ld, (int)p->problem_mark.line + 1, NULL,
	    "YAML syntax: %s%s%s", p->problem ? p->problem : "error",
	    p->context ? " " : "", p->context ? p->context : "");
}

/* the one document of the file into ld->doc; *loaded says to delete it */
fx_err
cfg_parse_yaml(struct loader *ld, const struct buf *text, int *loaded)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	fx_err rc = FX_OK;

	if (!yaml_parser_initialize(&parser))
		return FX_ENOMEM;
	yaml_parser_set_input_string(&parser,
	    (const unsigned char *)buf_str(text), text->len);
	if (!yaml_parser_load(&parser, &ld->doc)) {
		rc = yaml_fail(ld, &parser);
		goto out;
	}
	*loaded = 1;
	if (!yaml_parser_load(&parser, &extra)) {
		rc = yaml_fail(ld, &parser);
		goto out;
	}
	root = yaml_document_get_root_node(&extra);
	if (root != NULL)
		rc = cfg_err(ld, (int)root->start_mark.line + 1, NULL,
		    "only one YAML "
		    "document is allowed");
	yaml_document_delete(&extra);
out:
	yaml_parser_delete(&parser);
	return rc;
}
