/*
 * test_ingest.c - the ingest decoder (ingest_json_item, which ends in
 * sm_check_finding) on the cases of tests/data/ingest/: each case is one
 * finding item and either the exact error text it is refused with or the
 * struct finding_in it decodes to. The format is in that folder's README.
 *
 * The policy is fixed here: accounts 111111111111 and 222222222222,
 * playbooks ec2-imdsv1 and s3-public.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "fxerr.h"
#include "ingest_json.h"
#include "policy.h"
#include "testcase.h"
#include "testhelp.h"
#include "banned.h"

#define MAX_CASE_TEXT (1024 * 1024)

static char acct1[] = "111111111111", acct2[] = "222222222222";
static char pb1[] = "ec2-imdsv1", pb2[] = "s3-public";
static struct account accounts[2];
static struct playbook playbooks[2];
static struct policy pol;

static void
policy_setup(void)
{
	accounts[0].id = acct1;
	accounts[1].id = acct2;
	playbooks[0].name = pb1;
	playbooks[1].name = pb2;
	pol.accounts = accounts;
	pol.naccounts = 2;
	pol.playbooks = playbooks;
	pol.nplaybooks = 2;
}

/*
 * in with every %repeat[N x TEXT]% replaced by N copies of TEXT (after
 * curl's test files): long values without long lines. 0, or -1 when
 * malformed or too long.
 */
static int
expand(const char *in, struct buf *out)
{
	const char *p = in, *m, *x, *end;
	long n, k;
	char *num_end;

	while ((m = strstr(p, "%repeat[")) != NULL) {
		if (buf_add(out, p, (size_t)(m - p)) != FX_OK)
			return -1;
		n = strtol(m + 8, &num_end, 10);
		x = num_end;
		end = strstr(x, "]%");
		if (n < 0 || strncmp(x, " x ", 3) != 0 || end == NULL)
			return -1;
		for (k = 0; k < n; k++)
			if (buf_add(out, x + 3, (size_t)(end - x - 3)) != FX_OK)
				return -1;
		p = end + 2;
	}
	return buf_adds(out, p) == FX_OK ? 0 : -1;
}

/* section s expanded, without its trailing newlines, into out */
static int
expected(const char *s, struct buf *out)
{
	if (expand(s, out) != 0)
		return -1;
	while (out->len > 0 && buf_str(out)[out->len - 1] == '\n')
		buf_truncate(out, out->len - 1);
	return 0;
}

static fx_err
line(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return FX_OK;
	return buf_addf(b, "%s: %s\n", name, value);
}

/* f as the "decoded" section writes it (README) */
static fx_err
render(const struct finding_in *f, struct buf *b)
{
	char *details = NULL;
	fx_err rc;

	if (f->details != NULL)
		details = json_dumps(f->details, JSON_COMPACT | JSON_SORT_KEYS);
	rc = line(b, "playbook", f->playbook);
	if (rc == FX_OK)
		rc = line(b, "account_id", f->account_id);
	if (rc == FX_OK)
		rc = line(b, "region", f->region);
	if (rc == FX_OK)
		rc = line(b, "resource_id", f->resource_id);
	if (rc == FX_OK)
		rc = line(b, "resource_arn", f->resource_arn);
	if (rc == FX_OK)
		rc = line(b, "owner_email", f->owner_email);
	if (rc == FX_OK)
		rc = line(b, "owner_slack_id", f->owner_slack_id);
	if (rc == FX_OK)
		rc = line(b, "title", f->title);
	if (rc == FX_OK)
		rc = line(b, "details", details);
	if (rc == FX_OK)
		rc = buf_addf(b,
		    "observed_at: %lld\nresolved: %d\n"
		    "notify_only: %d",
		    (long long)f->observed_at, f->resolved, f->notify_only);
	free(details);
	return rc;
}

static void
run_one(const struct tc *c)
{
	const char *input = tc_get(c, "input"), *index = tc_get(c, "index");
	const char *error = tc_get(c, "error"), *decoded = tc_get(c, "decoded");
	struct buf text = BUF_INIT, err = BUF_INIT, got = BUF_INIT;
	struct buf want = BUF_INIT;
	struct finding_in f;
	json_error_t jerr;
	json_t *item = NULL;
	size_t i = index != NULL ? (size_t)strtoul(index, NULL, 10) : 0;
	fx_err rc;

	buf_init(&text, MAX_CASE_TEXT);
	buf_init(&err, 0);
	buf_init(&got, MAX_CASE_TEXT);
	buf_init(&want, MAX_CASE_TEXT);
	CHECK(input != NULL);
	CHECK((error == NULL) != (decoded == NULL));
	if (input == NULL || (error == NULL) == (decoded == NULL))
		goto out;
	CHECK_INT(expand(input, &text), 0);
	CHECK_INT(expected(error != NULL ? error : decoded, &want), 0);
	item = json_loads(buf_str(&text),
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (item == NULL)
		printf("  %s: input: line %d: %s\n", c->name, jerr.line,
		    jerr.text);
	CHECK(item != NULL);
	if (item == NULL)
		goto out;
	rc = ingest_json_item(&pol, item, i, &f, &err);
	if (error != NULL) {
		CHECK_INT(rc, FX_EINVAL);
		CHECK_STR(buf_str(&err), buf_str(&want));
		goto out;
	}
	CHECK_INT(rc, FX_OK);
	if (rc != FX_OK)
		printf("  %s: refused: %s\n", c->name, buf_str(&err));
	CHECK_INT(render(&f, &got), FX_OK);
	CHECK_STR(buf_str(&got), buf_str(&want));
out:
	buf_release(&want);
	json_decref(item);
	buf_release(&text);
	buf_release(&err);
	buf_release(&got);
}

int
main(void)
{
	policy_setup();
	TEST("ingest cases (tests/data/ingest)")
		tc_each("ingest", run_one);
	return TEST_REPORT();
}
