/*
 * h_savings.c - /metrics: the estimated monthly savings of the fixes in
 * place (db_savings, schema v15), by playbook.
 *
 * Labelled by playbook only: the playbooks are a configured handful,
 * while a label per account (a thousand accounts x the playbooks) would
 * make as many series in every scrape for numbers /fixit status already
 * lists by account. sum() over the playbooks is the total.
 */
#include <string.h>

#include "http.h"
#include "banned.h"

/* a playbook name as a label value: nothing to escape */
static int
label_ok(const char *s)
{
	return *s != '\0' && s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789-_.")] == '\0';
}

/* one gauge: its help, then a line per playbook of field, cents as USD */
static fx_err
gauge(const json_t *by_pb, const char *name, const char *help,
    const char *field, int usd, struct buf *out)
{
	const char *pb;
	json_int_t v;
	json_t *s;
	fx_err rc;

	rc = buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	json_object_foreach((json_t *)by_pb, pb, s) {
		v = json_integer_value(json_object_get(s, field));
		if (rc != FX_OK || !label_ok(pb))
			continue;
		if (usd)
			rc =
			    buf_addf(out, "%s{playbook=\"%s\"} %s%lld.%02lld\n",
				name, pb, v < 0 ? "-" : "",
				(long long)(v < 0 ? -(v / 100) : v / 100),
				(long long)(v < 0 ? -(v % 100) : v % 100));
		else
			rc = buf_addf(out, "%s{playbook=\"%s\"} %lld\n", name,
			    pb, (long long)v);
	}
	return rc;
}

fx_err
h_savings_metrics(const json_t *sv, struct buf *out)
{
	const json_t *by_pb = json_object_get(sv, "by_playbook");
	fx_err rc;

	rc = gauge(by_pb, "fixit_savings_usd_month",
	    "Estimated monthly saving of the fixes in place, by playbook "
	    "(USD, from the price table; undone fixes and dry runs not "
	    "counted).",
	    "cents", 1, out);
	if (rc == FX_OK)
		rc = gauge(by_pb, "fixit_savings_fixes",
		    "Fixes in place with an estimated saving, by playbook.",
		    "fixes", 0, out);
	if (rc == FX_OK)
		rc = gauge(by_pb, "fixit_savings_unpriced_fixes",
		    "Fixes in place with an item the price table does not "
		    "price (not in the saving), by playbook.",
		    "unknown", 0, out);
	return rc;
}
