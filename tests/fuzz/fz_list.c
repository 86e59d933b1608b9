/*
 * fz_list.c - the table of fuzz targets and the helpers they share
 * (fuzz.h).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct fz_target fz_targets[] = {
	{ "slack_sig", fz_slack_sig },
	{ "slack_form", fz_slack_form },
	{ "slack_interaction", fz_slack_interaction },
	{ "slack_command", fz_slack_command },
	{ "jscan", fz_jscan },
	{ "ingest", fz_ingest },
	{ "ev_cloudtrail", fz_ev_cloudtrail },
	{ "ev_map", fz_ev_map },
	{ "aws_xml", fz_aws_xml },
	{ "config", fz_config },
	{ "http", fz_http },
	{ NULL, NULL },
};

void
fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
	abort();
}

char *
fz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return NULL;
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
