/*
 * fz_aws.c - fuzz target for AWS answers (aws/aws_xml.h): XML into
 * jansson with each service's list tags, AWS errors in XML and JSON 1.1,
 * and the path accessors on what came out.
 */
#include <jansson.h>
#include <string.h>

#include "aws_xml.h"
#include "fuzz.h"

/* the list tags aws_svc.c passes (EC2/IAM/STS: none) */
static const char *const rds_lists[] = { "DBInstance", "DBSnapshot", "Tag",
	"VpcSecurityGroupMembership", "DBParameterGroup", "DBSubnetGroup",
	"Subnet", "OptionGroupMembership", NULL };
static const char *const r53_lists[] = { "HostedZone", "ResourceRecordSet",
	"ResourceRecord", "Tag", "NameServer", "VPC", NULL };

/* NUL-terminated inside its array, without control characters */
static void
check_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i;

	FZ_ASSERT(n < cap);
	for (i = 0; i < n; i++)
		FZ_ASSERT(
		    (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] != 0x7f);
}

/* the accessors on the first members under the root, two levels down */
static void
walk(const json_t *j)
{
	const char *root, *k;
	json_t *v, *under;
	char path[512];
	int n;

	json_object_foreach((json_t *)j, root, under) {
		FZ_ASSERT(aws_j_get(j, root) == under);
		if (!json_is_object(under))
			continue;
		json_object_foreach(under, k, v) {
			n = snprintf(path, sizeof(path), "%s/%s", root, k);
			if (n < 0 || (size_t)n >= sizeof(path))
				continue;
			FZ_ASSERT(
			    aws_j_get(j, path) == v || strchr(k, '/') != NULL);
			(void)aws_j_str(j, path);
			(void)aws_j_list(j, path);
		}
	}
	(void)aws_j_str(j, "");
	(void)aws_j_list(j, "/");
}

int
fz_aws_xml(const uint8_t *data, size_t size)
{
	const char *const *lists[] = { NULL, rds_lists, r53_lists };
	struct aws_error e;
	json_t *j;
	size_t i;
	fx_err rc;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		j = NULL;
		rc = aws_xml_to_json((const char *)data, size, lists[i], &j);
		if (rc == FX_OK) {
			FZ_ASSERT(
			    json_is_object(j) && json_object_size(j) == 1);
			walk(j);
			json_decref(j);
		} else {
			FZ_ASSERT(rc == FX_EINVAL || rc == FX_ETOOBIG ||
				  rc == FX_ENOMEM);
		}
	}
	rc = aws_error_parse((const char *)data, size, &e);
	FZ_ASSERT(rc == FX_OK || rc == FX_EINVAL || rc == FX_ENOMEM);
	check_field(e.code, sizeof(e.code));
	check_field(e.message, sizeof(e.message));
	check_field(e.request_id, sizeof(e.request_id));
	if (rc != FX_OK)
		FZ_ASSERT(e.code[0] == '\0' && e.message[0] == '\0' &&
			  e.request_id[0] == '\0');
	return 0;
}
