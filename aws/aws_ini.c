/*
 * aws_ini.c - the AWS shared credentials and config files (see aws_ini.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws_ini.h"
#include "fxlimits.h"
#include "banned.h"

void
aws_ini_release(struct aws_ini *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->kv[i].key);
		if (p->kv[i].value != NULL) {
			OPENSSL_cleanse(p->kv[i].value, strlen(p->kv[i].value));
			free(p->kv[i].value);
		}
	}
	memset(p, 0, sizeof(*p));
}

const char *
aws_ini_get(const struct aws_ini *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->kv[i].key, key) == 0)
			return p->kv[i].value;
	return NULL;
}

static fx_err
read_all(const char *path, struct buf *out)
{
	char tmp[4096];
	ssize_t n;
	int fd;
	fx_err rc = FX_OK;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? FX_ENOTFOUND : FX_EIO;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				rc = FX_EIO;
			break;
		}
		if ((rc = buf_add(out, tmp, (size_t)n)) != FX_OK)
			break;
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	close(fd);
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* is this "[name]" line the section wanted? */
static int
section_match(char *line, const char *section)
{
	char *e = strrchr(line, ']');

	if (e == NULL)
		return 0;
	*e = '\0';
	return strcmp(trim(line + 1), section) == 0;
}

static fx_err
add_kv(struct aws_ini *p, const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->kv[i].key, k) == 0)
			return FX_OK; /* first wins */
	if (p->n == AWS_INI_MAX_KEYS)
		return FX_ETOOBIG;
	p->kv[p->n].key = strdup(k);
	p->kv[p->n].value = strdup(v);
	if (p->kv[p->n].key == NULL || p->kv[p->n].value == NULL) {
		free(p->kv[p->n].key);
		free(p->kv[p->n].value);
		return FX_ENOMEM;
	}
	p->n++;
	return FX_OK;
}

fx_err
aws_ini_load(const char *path, const char *section, struct aws_ini *out)
{
	struct buf b = BUF_INIT;
	char *line, *next, *eq;
	int in = 0, found = 0;
	fx_err rc;

	memset(out, 0, sizeof(*out));
	buf_init(&b, FX_MAX_CRED_FILE);
	if ((rc = read_all(path, &b)) != FX_OK)
		goto out;
	for (line = b.data; line != NULL && rc == FX_OK; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '#' || *line == ';' || *line == '\0')
			continue;
		if (*line == '[') {
			in = section_match(line, section);
			found |= in;
			continue;
		}
		if (!in || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		rc = add_kv(out, trim(line), trim(eq + 1));
	}
	if (rc == FX_OK && !found)
		rc = FX_ENOTFOUND;
out:
	buf_release_secret(&b);
	if (rc != FX_OK)
		aws_ini_release(out);
	return rc;
}
