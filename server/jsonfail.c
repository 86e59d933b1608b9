/* jsonfail.c - see jsonfail.h */
#include "jsonfail.h"

#include "jscan.h"

int
json_failed_for_memory(const char *text, size_t len, const json_error_t *je)
{
	struct jscan js;
	struct jscan_value slot[1];
	enum jscan_type root;
	fx_err rc;

	switch (json_error_code(je)) {
	case json_error_out_of_memory:
		return 1;
	case json_error_duplicate_key:
	case json_error_numeric_overflow:
		return 0;
	default:
		break;
	}
	/* jscan checks the text as strictly as jansson, allocating once;
	 * jansson (without JSON_DECODE_ANY) wants an array or an object */
	rc = jscan_parse(&js, text, len, NULL, slot, 1, &root);
	jscan_release(&js);
	return rc == FX_ENOMEM ||
	       (rc == FX_OK && (root == JS_ARRAY || root == JS_OBJECT));
}
