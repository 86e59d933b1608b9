/*
 * pb_ec2_util.c - EC2 helpers shared by the EC2 playbooks (see
 * pb_ec2_util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxlimits.h"
#include "pb_ec2_util.h"
#include "banned.h"

int
pb_ec2_util_is_error(fx_err rc, const struct aws_resp *r, const char *code)
{
	return rc == FX_EREMOTE && r != NULL &&
	    strcmp(r->err.code, code) == 0;
}

/* the instance `id` in a DescribeInstances answer, or NULL */
static const json_t *
find_instance(const json_t *doc, const char *id)
{
	const json_t *res, *inst;
	const char *iid;
	size_t i, j;

	json_array_foreach(aws_j_list(doc, "reservationSet"), i, res) {
		json_array_foreach(aws_j_list(res, "instancesSet"), j, inst) {
			iid = aws_j_str(inst, "instanceId");
			if (iid != NULL && strcmp(iid, id) == 0)
				return inst;
		}
	}
	return NULL;
}

fx_err
pb_ec2_util_instance(struct pb_ctx *x, enum pb_role role, const char *id,
    struct aws_resp *resp, const json_t **inst)
{
	fx_err rc;

	*inst = NULL;
	rc = pb_query(x, role, AWS_EC2, "DescribeInstances",
	    json_pack("{s:s}", "InstanceId.1", id), 0, resp);
	if (pb_ec2_util_is_error(rc, resp, "InvalidInstanceID.NotFound"))
		rc = FX_OK;
	else if (rc != FX_OK)
		goto out;
	else
		*inst = find_instance(resp->doc, id);
	if (*inst == NULL)
		pb_say(x, "the instance no longer exists");
out:
	return rc;
}

int
pb_ec2_util_ended(const json_t *inst)
{
	const char *st = aws_j_str(inst, "instanceState/name");

	return st == NULL || strcmp(st, "terminated") == 0 ||
	    strcmp(st, "shutting-down") == 0;
}

json_t *
pb_ec2_util_group_ids(const json_t *inst)
{
	const json_t *g;
	const char *gid;
	json_t *a = json_array();
	size_t i;

	json_array_foreach(aws_j_list(inst, "groupSet"), i, g) {
		gid = aws_j_str(g, "groupId");
		if (a != NULL && gid != NULL && *gid != '\0' &&
		    json_array_append_new(a, json_string(gid)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *
pb_ec2_util_ids_split(const char *v, const char *prefix, size_t max)
{
	json_t *a = json_array();
	const char *p = v, *e;
	size_t n, plen = strlen(prefix);

	while (a != NULL && p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n <= plen || n > 64 || strncmp(p, prefix, plen) != 0 ||
		    json_array_size(a) >= max ||
		    json_array_append_new(a, json_stringn(p, n)) != 0) {
			json_decref(a);
			a = NULL;
		}
		p = e != NULL ? e + 1 : NULL;
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

fx_err
pb_ec2_util_ids_join(const json_t *ids, size_t cap, struct buf *out)
{
	const json_t *id;
	size_t i;
	fx_err rc = FX_OK;

	buf_init(out, cap);
	json_array_foreach((json_t *)ids, i, id) {
		if (rc == FX_OK && i > 0)
			rc = buf_addc(out, ',');
		if (rc == FX_OK)
			rc = buf_adds(out, json_string_value(id) ?
			    json_string_value(id) : "");
	}
	return rc;
}

const char *
pb_ec2_util_tag(const json_t *tag_set, const char *key)
{
	const json_t *t;
	const char *k;
	size_t i;

	json_array_foreach((json_t *)tag_set, i, t) {
		k = aws_j_str(t, "key");
		if (k != NULL && strcmp(k, key) == 0)
			return aws_j_str(t, "value");
	}
	return NULL;
}

const char *
pb_ec2_util_resource(struct pb_ctx *x, const json_t *finding)
{
	const char *id = json_string_value(json_object_get(finding,
	    "resource_id"));

	if (id == NULL || *id == '\0') {
		pb_say(x, "the finding names no resource");
		return NULL;
	}
	return id;
}

char *
pb_ec2_util_arn(const struct pb_ctx *x, const char *type, const char *id)
{
	struct buf b = BUF_INIT;

	buf_init(&b, FX_MAX_FIELD);
	if (buf_addf(&b, "arn:aws:ec2:%s:%s:%s/%s", x->region ? x->region :
	    "", x->account_id ? x->account_id : "", type, id) != FX_OK) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* the length of s cut to at most max bytes on a UTF-8 boundary */
static int
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

fx_err
pb_ec2_util_title(const json_t *inst, const char *what, struct buf *out)
{
	const char *id = aws_j_str(inst, "instanceId");
	const char *name = pb_ec2_util_tag(aws_j_list(inst, "tagSet"), "Name");
	fx_err rc;

	if (id == NULL)
		id = "?";
	buf_init(out, FX_MAX_TITLE);
	/* ids are short; a long Name is cut so the title always fits */
	if (name != NULL && *name != '\0')
		rc = buf_addf(out, "EC2 instance %.*s (%.*s) %s", utf8_cut(id,
		    40), id, utf8_cut(name, 150), name, what);
	else
		rc = buf_addf(out, "EC2 instance %.*s %s", utf8_cut(id, 40),
		    id, what);
	return rc;
}

int64_t
pb_ec2_util_param(const struct pb_ctx *x, const char *key, int64_t def,
    int64_t min, int64_t max)
{
	int64_t v = pb_param_int(x, key, def);

	return v < min ? min : v > max ? max : v;
}

void
pb_ec2_util_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}
