/*
 * cmd_savings.c - /fixit status: what the fixes save, estimated from the
 * price table (remediation/price.h), by playbook and for the accounts
 * that saved most. The sums are schema v15's kept rows (db_savings): one
 * per playbook x account, never the findings. A fix counts while it
 * stays fixed; an undo takes it back; a dry run never counts.
 */
#include <jansson.h>

#include "cmd_int.h"
#include "db.h"
#include "price.h"
#include "slack_say.h"
#include "banned.h"

#define BULLET		  "\xe2\x80\xa2"
#define SAVINGS_PLAYBOOKS 20 /* playbooks listed; the rest counted */
#define SAVINGS_ACCOUNTS  5  /* the accounts that saved most */

static fx_err
job_savings(struct db *db, void *arg)
{
	return db_savings(db, SAVINGS_ACCOUNTS, arg);
}

static void
put_money(struct out *o, json_int_t cents)
{
	struct buf m = BUF_INIT;

	buf_init(&m, 64);
	if (o->rc == FX_OK && (o->rc = slack_say_money(cents, &m)) == FX_OK)
		cmd_put(o, "%s", buf_str(&m));
	buf_release(&m);
}

static json_int_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "$3.65 from 2 fixes (1 with items not priced)" */
static void
put_sums(struct out *o, json_int_t cents, json_int_t fixes, json_int_t unk)
{
	put_money(o, cents);
	cmd_put(o, " from %lld fix%s", (long long)fixes,
	    fixes == 1 ? "" : "es");
	if (unk > 0)
		cmd_put(o, " (%lld with items not priced)", (long long)unk);
}

fx_err
cmd_savings_status(struct ctx *c)
{
	json_t *sv = NULL, *by_pb, *top, *s;
	const struct account *a;
	const char *id;
	json_int_t total = 0, fixes = 0, unk = 0;
	const char *pb;
	size_t i = 0;
	fx_err rc;

	rc = dbw_read(c->w, job_savings, &sv);
	if (rc != FX_OK)
		return rc;
	by_pb = json_object_get(sv, "by_playbook");
	top = json_object_get(sv, "top_accounts");
	cmd_put(c->o, "\n*Estimated savings a month:* ");
	json_object_foreach(by_pb, pb, s) {
		total += jint(s, "cents");
		fixes += jint(s, "fixes");
		unk += jint(s, "unknown");
	}
	if (json_object_size(by_pb) == 0)
		cmd_put(c->o, "none yet");
	else
		put_sums(c->o, total, fixes, unk);
	if (c->pol->prices != NULL)
		cmd_put(c->o, " (price table of %s)",
		    price_as_of(c->pol->prices));
	else
		cmd_put(c->o, " (no price table: new fixes are not priced)");
	json_object_foreach(by_pb, pb, s) {
		if (i == SAVINGS_PLAYBOOKS) {
			cmd_put(c->o, "\n" ELLIPSIS " and %zu more playbooks",
			    json_object_size(by_pb) - i);
			break;
		}
		cmd_put(c->o, "\n" BULLET " `");
		cmd_put_esc(c->o, pb, 63);
		cmd_put(c->o, "`: ");
		put_sums(c->o, jint(s, "cents"), jint(s, "fixes"),
		    jint(s, "unknown"));
		i++;
	}
	json_array_foreach(top, i, s) {
		id = json_string_value(json_object_get(s, "account_id"));
		a = id != NULL ? policy_account(c->pol, id) : NULL;
		cmd_put(c->o, "%s",
		    i ? ", " : "\n*Accounts that saved most:* ");
		if (a != NULL) {
			cmd_put_esc(c->o, a->name, 64);
			cmd_put(c->o, " (");
		}
		cmd_put_esc(c->o, id != NULL ? id : "?", 12);
		cmd_put(c->o, "%s ", a != NULL ? ")" : "");
		put_money(c->o, jint(s, "cents"));
	}
	json_decref(sv);
	return FX_OK;
}
