/*
 * aws_xml.h - AWS XML answers (EC2, Query, REST-XML) turned into jansson
 * values, and AWS errors (XML and JSON) into one struct.
 *
 * Conversion rules (aws_xml_to_json):
 *   - the root element becomes {"<RootName>": <content>};
 *   - an element with no child elements becomes its text (a JSON string;
 *     "" when empty); numbers and booleans stay strings;
 *   - an element whose child elements are all named "item" or "member",
 *     or named one of list_tags, becomes a JSON array of their contents
 *     (so a one-element list is still an array);
 *   - any other element becomes an object; a repeated child name keeps
 *     the first occurrence only (AWS uses list wrappers);
 *   - attributes, namespaces, comments and processing instructions are
 *     ignored; unknown elements are kept (callers ignore what they do not
 *     know).
 * Parsing is hostile-input safe: no network, no DTD loading, no entity
 * expansion, input size capped by FX_MAX_AWS_RESPONSE, depth capped by
 * FX_MAX_XML_DEPTH; malformed input is FX_EINVAL.
 *
 * Accessors (aws_j_*) walk "a/b/c" paths through objects and return
 * borrowed values or NULL; they never fail on a wrong type.
 *
 *   - named list_tags never apply inside an operation wrapper (an
 *     element whose name ends in "Result" or "Response"): there a lone
 *     <DBSnapshot> or <HostedZone> child stays a struct, so one list of
 *     tags serves a whole service (aws_client.c holds them).
 *
 * List tags per service (aws_client.c passes these):
 *   EC2 (<xxxSet><item>), IAM, STS, CloudWatch (<member>): none.
 *   RDS: DBInstance, DBSnapshot, Tag, VpcSecurityGroupMembership, ...
 *   Route 53: HostedZone, ResourceRecordSet, ResourceRecord, Tag, ...
 *   CloudFront: DistributionSummary, Origin, CNAME, ...
 *   CloudTrail is JSON 1.1: json_loadb, not this parser.
 * An empty wrapper (<tagSet/>, <Items/>) is "" and a wrapper in an
 * answer that omits it is missing: aws_j_list gives NULL for both, and
 * json_array_size(NULL) is 0, so a loop over aws_j_list() needs no
 * special case.
 */
#ifndef FIXIT_AWS_XML_H
#define FIXIT_AWS_XML_H

#include <stddef.h>
#include <jansson.h>

#include "fxerr.h"

/*
 * list_tags: NULL-terminated, or NULL; *out is a new reference.
 * FX_EINVAL: empty, malformed, DOCTYPE, too deep; FX_ETOOBIG: more than
 * FX_MAX_AWS_RESPONSE bytes; FX_ENOMEM.
 */
fx_err aws_xml_to_json(const char *data, size_t len,
    const char *const *list_tags, json_t **out) FX_WUR;

struct aws_error {
	char code[128];	   /* "InvalidInstanceID.NotFound"; "" if none */
	char message[512]; /* AWS's text, truncated; never a secret */
	char request_id[128];
};

/*
 * Recognise an AWS error body: EC2 (<Response><Errors><Error>..<RequestID>),
 * Query and REST-XML (<ErrorResponse><Error>..</Error><RequestId>), and
 * JSON 1.1 ({"__type": "...#Code", "message"|"Message": ...}; code is
 * the part after the last '#' and before any ':', request_id is "": it
 * travels in the x-amzn-RequestId header). Also Route 53's
 * <InvalidChangeBatch><Messages><Message>..<RequestId> (code
 * "InvalidChangeBatch", first message). FX_OK when one was found
 * (fields filled, truncated on a UTF-8 boundary, control characters
 * replaced by spaces), FX_ENOMEM, else FX_EINVAL: the body is no AWS
 * error (also malformed or oversized); *e is then all "".
 */
fx_err aws_error_parse(const char *data, size_t len,
    struct aws_error *e) FX_WUR;

/* borrowed; NULL when a step is missing */
json_t *aws_j_get(const json_t *v, const char *path);
/* the string at path, or NULL */
const char *aws_j_str(const json_t *v, const char *path);
/*
 * the array at path; NULL when missing or not an array (an empty list is
 * "" in the XML conversion); json_array_size(NULL) is 0
 */
json_t *aws_j_list(const json_t *v, const char *path);

#endif
