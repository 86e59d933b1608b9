/*
 * aws_exec.c - the aws executor and detection (see aws_exec.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_exec.h"
#include "aws_pace.h"
#include "dbwriter.h"
#include "ev.h"
#include "ev_act.h"
#include "fxlog.h"
#include "fxprov.h"
#include "fxtime.h"
#include "playbook.h"
#include "banned.h"

#define MAX_ARN 256

struct aws_exec {
	const struct policy *pol;
	const struct aws_cfg *client;
	struct aws_credsrc *creds;
	struct aws_pace *pace; /* every client's calls, paced to AWS */
	struct dbw *w;	       /* provenance reads; NULL: none */
	const char **accounts; /* the policy's account ids, NULL-terminated */
};

/* a playbook's prepared aws executor */
struct aws_pb {
	const struct pb_def *def;
	int64_t timeout; /* seconds */
	int dry_run;
	json_t *params; /* a reference of its own; may be NULL */
};

static fx_err
aws_exec_new(const struct exec_env *env, struct aws_exec **out)
{
	const struct policy *pol = env->pol;
	struct aws_exec *e;
	size_t i;
	fx_err rc;

	*out = NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return FX_ENOMEM;
	e->pol = pol;
	e->client = env->aws_client;
	e->w = env->w;
	e->accounts = calloc(pol->naccounts + 1, sizeof(*e->accounts));
	if (e->accounts == NULL) {
		free(e);
		return FX_ENOMEM;
	}
	for (i = 0; i < pol->naccounts; i++)
		e->accounts[i] = pol->accounts[i].id;
	rc = aws_credsrc_new(pol->aws.profile, pol->aws.sts_region,
	    pol->aws.creds_refresh, &e->creds);
	if (rc == FX_OK)
		rc = aws_pace_new(0, &e->pace);
	if (rc != FX_OK) {
		aws_credsrc_free(e->creds);
		free(e->accounts);
		free(e);
		return rc;
	}
	*out = e;
	return FX_OK;
}

static void
aws_exec_free(struct aws_exec *e)
{
	if (e == NULL)
		return;
	aws_credsrc_free(e->creds);
	aws_pace_free(e->pace);
	free(e->accounts);
	free(e);
}

fx_err
aws_exec_client(struct aws_exec *e, struct aws_client **out)
{
	fx_err rc;

	rc = aws_client_new(e->client, out);
	if (rc == FX_OK)
		aws_client_set_pace(*out, e->pace);
	return rc;
}

struct run {
	struct pb_ctx x;
	char arn[ROLE__COUNT][MAX_ARN];
	char session[64];
	struct buf msg;
	const struct pb_def *def;
	struct fx_prov_set prov; /* x.prov when read */
	json_t *seen;		 /* x.seen when read (pb_def.watch) */
	json_t *seen_now;	 /* x.seen_now in detect */
	json_t *creators;	 /* x.creators when read (pb_def.creators) */
};

static const struct pb_def *
builtin(const struct executor_cfg *cfg, const char *playbook)
{
	return pb_find(cfg->builtin != NULL ? cfg->builtin : playbook);
}

static fx_err
run_init(struct run *r, struct aws_exec *e, struct aws_client *c,
    const char *playbook, const char *account, const char *region,
    int64_t finding_id)
{
	const struct aws_settings *a = &e->pol->aws;
	size_t nreg;
	int i;

	memset(r, 0, sizeof(*r));
	buf_init(&r->msg, 4096);
	if (account == NULL || region == NULL)
		return FX_EINVAL;
	for (i = 0; i < ROLE__COUNT; i++) {
		snprintf(r->arn[i], sizeof(r->arn[i]), "arn:%s:iam::%s:role/%s",
		    a->partition ? a->partition : "aws", account,
		    a->role_name[i] ? a->role_name[i] : "fixit");
		r->x.role_arn[i] = r->arn[i];
	}
	if (finding_id > 0)
		snprintf(r->session, sizeof(r->session), "fixit-finding-%lld",
		    (long long)finding_id);
	else
		snprintf(r->session, sizeof(r->session), "fixit-scan");
	r->x.client = c;
	r->x.creds = e->creds;
	r->x.account_id = account;
	r->x.accounts = e->accounts;
	r->x.region = region;
	if (policy_account(e->pol, account) != NULL)
		r->x.regions = policy_regions(e->pol,
		    policy_account(e->pol, account), &nreg);
	r->x.external_id = a->external_id;
	r->x.iac_tags = (const char *const *)e->pol->events.iac_tags;
	r->x.session = r->session;
	r->x.playbook = playbook;
	r->x.finding_id = finding_id;
	r->x.now = fx_now();
	r->x.msg = &r->msg;
	return FX_OK;
}

static void
run_release(struct run *r)
{
	json_decref(r->x.planned);
	buf_release(&r->msg);
	fx_prov_set_release(&r->prov);
	json_decref(r->seen);
	json_decref(r->seen_now);
	json_decref(r->creators);
}

/* ---- provenance ------------------------------------------------------- */

struct prov_job {
	const struct policy *pol;
	const char *builtin; /* the pb_def.provenance */
	const char *then;    /* the playbook about to act */
	const char *account, *region;
	const char *resource; /* NULL: any */
	int64_t now;
	struct fx_prov_set *out;
};

/* 1 when name is one of the space-separated words of list */
static int
prov_names_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * The fixes of every configured aws playbook running one of the
 * built-ins (pb_def.provenance: space-separated names), and of each
 * built-in's own name when no playbook is configured under it: a
 * quarantine stays fixitd's record after its playbook left the config.
 */
static fx_err
prov_job_run(struct db *db, void *arg)
{
	struct prov_job *j = arg;
	const struct playbook *pb;
	const struct pb_def *def;
	const char *w = j->builtin;
	char name[64];
	size_t i, n;
	fx_err rc = FX_OK;

	for (i = 0; rc == FX_OK && i < j->pol->nplaybooks; i++) {
		pb = &j->pol->playbooks[i];
		def = builtin(&pb->exec, pb->name);
		if (!aws_exec_uses(pb) || def == NULL ||
		    !prov_names_has(j->builtin, def->name))
			continue;
		rc = db_prov_fixed(db, pb->name, j->then, j->account, j->region,
		    j->resource, j->now, j->out);
	}
	while (rc == FX_OK && *w != '\0') {
		n = strcspn(w, " ");
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, w, n);
			name[n] = '\0';
			if (policy_playbook(j->pol, name) == NULL)
				rc =
				    db_prov_fixed(db, name, j->then, j->account,
					j->region, j->resource, j->now, j->out);
		}
		w += n;
		w += strspn(w, " ");
	}
	return rc;
}

/*
 * x.prov for r's playbook (resource: NULL in detect), read on the reader
 * connection. No store: x.prov stays NULL, which the playbook reads as
 * "no record" (it then does nothing). A failed read is an error: the
 * step does not run on half the facts.
 */
static fx_err
prov_load(struct run *r, struct aws_exec *e, const char *resource)
{
	struct prov_job j;
	fx_err rc;

	if (r->def == NULL || r->def->provenance == NULL || e->w == NULL)
		return FX_OK;
	memset(&j, 0, sizeof(j));
	j.pol = e->pol;
	j.builtin = r->def->provenance;
	j.then = r->x.playbook;
	j.account = r->x.account_id;
	j.region = r->x.region;
	/* looked up by what the fixes made: every record counts */
	j.resource = r->def->prov_made ? NULL : resource;
	j.now = r->x.now;
	j.out = &r->prov;
	rc = dbw_read(e->w, prov_job_run, &j);
	if (rc != FX_OK) {
		pb_say(&r->x, "fixitd's own records could not be read (%s)",
		    fx_strerror(rc));
		return rc;
	}
	r->x.prov = &r->prov;
	return FX_OK;
}

/* ---- first sightings (pb_def.watch) ------------------------------------ */

struct seen_job {
	const char *scope, *account, *region;
	const char *resource;	     /* NULL: any */
	json_t *out;		     /* read: filled */
	const json_t *seen, *before; /* write */
};

static fx_err
seen_read_run(struct db *db, void *arg)
{
	struct seen_job *j = arg;

	return db_seen_list(db, j->scope, j->account, j->region, j->resource,
	    j->out);
}

static fx_err
seen_write_run(struct db *db, void *arg)
{
	struct seen_job *j = arg;

	return db_seen_update(db, j->scope, j->account, j->region, j->seen,
	    j->before);
}

static fx_err
creators_run(struct db *db, void *arg)
{
	struct seen_job *j = arg;

	return db_creators(db, j->account, j->region, j->out);
}

/* x.creators (pb_def.creators): who created what, from the events */
static fx_err
creators_load(struct run *r, struct aws_exec *e)
{
	struct seen_job j;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	if ((r->creators = json_object()) == NULL)
		return FX_ENOMEM;
	j.account = r->x.account_id;
	j.region = r->x.region;
	j.out = r->creators;
	if ((rc = dbw_read(e->w, creators_run, &j)) != FX_OK) {
		pb_say(&r->x, "fixitd's own records could not be read (%s)",
		    fx_strerror(rc));
		return rc;
	}
	r->x.creators = r->creators;
	return FX_OK;
}

/*
 * x.seen for r's playbook when it watches (resource: NULL in detect,
 * which also gets x.seen_now), and x.creators when it asks for them
 * (pb_def.creators). No store: none, which the playbook reads as "never
 * seen" and "no creator known". A failed read is an error, as for
 * provenance.
 */
static fx_err
seen_load(struct run *r, struct aws_exec *e, const char *resource)
{
	struct seen_job j;
	fx_err rc;

	if (r->def == NULL || e->w == NULL)
		return FX_OK;
	memset(&j, 0, sizeof(j));
	if (r->def->creators && (rc = creators_load(r, e)) != FX_OK)
		return rc;
	if (!r->def->watch)
		return FX_OK;
	if ((r->seen = json_object()) == NULL)
		return FX_ENOMEM;
	if (resource == NULL && (r->seen_now = json_object()) == NULL)
		return FX_ENOMEM;
	j.scope = r->def->name;
	j.account = r->x.account_id;
	j.region = r->x.region;
	j.resource = resource;
	j.out = r->seen;
	if ((rc = dbw_read(e->w, seen_read_run, &j)) != FX_OK) {
		pb_say(&r->x, "fixitd's own records could not be read (%s)",
		    fx_strerror(rc));
		return rc;
	}
	r->x.seen = r->seen;
	r->x.seen_now = r->seen_now;
	return FX_OK;
}

/* a complete detection's sightings recorded, what is gone forgotten */
static fx_err
seen_save(struct run *r, struct aws_exec *e)
{
	struct seen_job j;

	if (r->seen_now == NULL || e->w == NULL)
		return FX_OK;
	memset(&j, 0, sizeof(j));
	j.scope = r->def->name;
	j.account = r->x.account_id;
	j.region = r->x.region;
	j.seen = r->seen_now;
	j.before = r->seen;
	return dbw_call(e->w, seen_write_run, &j);
}

/*
 * o->message = the sentence, then ": detail" when there is one, cut to
 * what the message holds (at a UTF-8 boundary, "..." marking the cut):
 * the AWS error that explains a failure comes first in detail.
 */
static void __attribute__((format(printf, 3, 4)))
out_message(struct exec_out *o, const struct buf *detail, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&o->message);
	va_start(ap, fmt);
	buf_vaddf_cut(&o->message, fmt, ap);
	va_end(ap);
	if (detail != NULL && detail->len > 0 &&
	    buf_adds(&o->message, ": ") == FX_OK)
		buf_addf_cut(&o->message, "%s", buf_str(detail));
}

/* the finding's account, region and id, checked */
static fx_err
finding_target(const json_t *f, const char **acct, const char **region,
    int64_t *id)
{
	*acct = json_string_value(json_object_get(f, "account_id"));
	*region = json_string_value(json_object_get(f, "region"));
	*id = json_integer_value(json_object_get(f, "id"));
	return *acct != NULL && *region != NULL &&
		       json_string_value(json_object_get(f, "resource_id")) !=
			   NULL
		   ? FX_OK
		   : FX_EINVAL;
}

/* check + fix (+ verify) of one finding, in r; fills o */
static fx_err
do_fix(struct run *r, const json_t *finding, struct exec_out *o)
{
	enum pb_verdict v = PB_WRONG;
	json_t *prior = NULL;
	int ok = 0;
	fx_err rc;

	if ((rc = r->def->check(&r->x, finding, &v)) != FX_OK) {
		out_message(o, &r->msg, "%s: re-reading the resource failed",
		    r->def->name);
		return rc;
	}
	if (v != PB_WRONG) {
		o->resolved = 1;
		out_message(o, &r->msg, "%s",
		    v == PB_GONE   ? "the resource no longer exists"
		    : v == PB_KEEP ? "a guard of the playbook applies: "
				     "nothing was changed"
				   : "the resource is already right");
		return FX_OK;
	}
	rc = r->def->fix(&r->x, finding, &prior);
	if (rc != FX_OK) {
		json_decref(prior);
		out_message(o, &r->msg, "%s: fix failed", r->def->name);
		return rc;
	}
	if (r->x.dry_run) {
		if (prior == NULL)
			prior = json_object();
		if (prior != NULL) {
			json_object_set_new(prior, "dry_run", json_true());
			json_object_set(prior, "planned",
			    r->x.planned ? r->x.planned : json_array());
		}
		o->prior_state = prior;
		o->ok = prior != NULL;
		o->rehearsal = 1;
		out_message(o, &r->msg, "%s", "dry run: nothing was changed");
		return FX_OK;
	}
	o->prior_state = prior;
	if ((rc = r->def->verify(&r->x, finding, prior, &ok)) != FX_OK) {
		out_message(o, &r->msg, "%s: verifying the fix failed",
		    r->def->name);
		return rc;
	}
	o->ok = ok;
	out_message(o, &r->msg, "%s",
	    ok ? "fixed and verified"
	       : "the fix "
		 "did not take (verify found the resource unchanged)");
	return FX_OK;
}

static fx_err
exec_common(struct aws_exec *e, const struct aws_pb *st, const char *playbook,
    const json_t *finding, const json_t *prior, int undo, struct exec_out *o)
{
	const char *acct, *region;
	struct aws_client *c = NULL;
	struct run r;
	int64_t id;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	o->ok = 0;
	o->resolved = 0;
	o->rehearsal = st != NULL && st->dry_run;
	if (e == NULL || st == NULL) {
		out_message(o, NULL,
		    "%s: no such built-in playbook or AWS "
		    "not set up",
		    playbook);
		return FX_ECONFIG;
	}
	if (finding_target(finding, &acct, &region, &id) != FX_OK) {
		out_message(o, NULL,
		    "%s: the finding has no account, region or "
		    "resource",
		    playbook);
		return FX_EINVAL;
	}
	rc = aws_exec_client(e, &c);
	if (rc == FX_OK)
		rc = run_init(&r, e, c, playbook, acct, region, id);
	if (rc != FX_OK) {
		out_message(o, NULL, "%s: cannot set up the AWS client",
		    playbook);
		goto out;
	}
	r.def = st->def;
	r.x.deadline_ms = fx_mono_ms() + 1000 * st->timeout;
	r.x.dry_run = st->dry_run;
	r.x.params = st->params;
	if (!undo) {
		rc = prov_load(&r, e,
		    json_string_value(json_object_get(finding, "resource_id")));
		if (rc == FX_OK)
			rc = seen_load(&r, e,
			    json_string_value(
				json_object_get(finding, "resource_id")));
		if (rc == FX_OK)
			rc = do_fix(&r, finding, o);
		else
			out_message(o, &r.msg, "%s: cannot read provenance",
			    r.def->name);
	} else if (json_is_true(json_object_get(prior, "dry_run"))) {
		o->ok = 1;
		o->rehearsal = 1;
		out_message(o, NULL, "%s",
		    "the fix was a dry run: nothing to "
		    "undo");
	} else if (r.def->undo == NULL) {
		out_message(o, NULL,
		    "%s cannot be undone (AWS offers no way "
		    "back)",
		    r.def->name);
	} else if ((rc = r.def->undo(&r.x, finding, prior)) == FX_OK) {
		o->ok = 1;
		out_message(o, &r.msg, "%s", "undone");
	} else {
		out_message(o, &r.msg, "%s: undo failed", r.def->name);
	}
	log_info("%s: %s #%lld in %s/%s: %lu AWS calls%s", __func__, playbook,
	    (long long)id, acct, region, r.x.calls,
	    r.x.dry_run ? " (dry run)" : "");
out:
	run_release(&r);
	aws_client_free(c);
	return rc;
}

static fx_err
aws_fix(void *shared, const void *state, const char *playbook,
    const json_t *finding, struct exec_out *o)
{
	return exec_common(shared, state, playbook, finding, NULL, 0, o);
}

static fx_err
aws_undo(void *shared, const void *state, const char *playbook,
    const json_t *finding, const json_t *prior, struct exec_out *o)
{
	return exec_common(shared, state, playbook, finding, prior, 1, o);
}

/*
 * The owner and IaC ownership of f from its tags: owner_email /
 * owner_slack_id borrowed from them, details.iac_owner when a stack
 * manages the resource (its finding then only notifies).
 */
static fx_err
found_owner(const struct policy *pol, struct pb_found *f)
{
	struct ev_owner o;

	/* tags that are no object tell nothing */
	if (ev_owner_from_tags(f->tags, pol->aws.owner_tag,
		(const char *const *)pol->events.iac_tags, &o) != FX_OK)
		return FX_OK;
	f->owner_email = o.email;
	f->owner_slack_id = o.email == NULL ? o.slack_id : NULL;
	if (o.iac[0] == '\0')
		return FX_OK;
	if (json_object_set_new(f->details, "iac_owner", json_string(o.iac)) !=
	    0)
		return FX_ENOMEM;
	return FX_OK;
}

fx_err
aws_exec_detect(struct aws_exec *e, struct aws_client *c,
    const struct playbook *pb, const struct account *a, const char *region,
    struct pb_found_list *found, struct buf *msg)
{
	const struct pb_def *def = builtin(&pb->exec, pb->name);
	struct run r;
	size_t i, before = found->n;
	fx_err rc;

	if (def == NULL)
		return FX_ECONFIG;
	rc = run_init(&r, e, c, pb->name, a->id, region, 0);
	if (rc != FX_OK)
		goto out;
	r.def = def;
	r.x.dry_run = pb->exec.dry_run;
	r.x.params = pb->exec.params;
	rc = prov_load(&r, e, NULL);
	if (rc == FX_OK)
		rc = seen_load(&r, e, NULL);
	if (rc != FX_OK)
		goto out;
	rc = def->detect(&r.x, found);
	if (rc == FX_OK)
		rc = seen_save(&r, e);
	for (i = before; rc == FX_OK && i < found->n; i++)
		rc = found_owner(e->pol, &found->v[i]);
out:
	if (rc != FX_OK && msg != NULL &&
	    buf_addf(msg, "%s in %s/%s: %s", pb->name, a->id, region,
		r.msg.len ? buf_str(&r.msg) : fx_strerror(rc)) != FX_OK)
		buf_reset(msg);
	run_release(&r);
	return rc;
}

int
aws_exec_global(const struct playbook *pb)
{
	const struct pb_def *def = builtin(&pb->exec, pb->name);

	return def != NULL && def->global;
}

/* a tag value AWS accepts: letters, digits, spaces and + - = . _ : / @ */
static void
tag_value(const char *in, char *out, size_t len)
{
	size_t i;
	char ch;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++) {
		ch = in[i];
		out[i] =
		    ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(ch >= '0' && ch <= '9') || strchr(" +-=._:/@", ch))
			? ch
			: '_';
	}
	out[i] = '\0';
}

static json_t *
creator_params(const struct ev_action *created, const char *value, int *rds)
{
	json_t *p = NULL;
	char key[32];
	size_t i;

	*rds = created->res == EV_RES_RDS;
	if (*rds) {
		if (created->arn != NULL)
			p = json_pack("{s:s, s:s, s:s}", "ResourceName",
			    created->arn, "Tags.member.1.Key", "fixit:creator",
			    "Tags.member.1.Value", value);
		goto out;
	}
	if (created->res != EV_RES_EC2 || created->nids == 0)
		goto out;
	p = json_pack("{s:s, s:s}", "Tag.1.Key", "fixit:creator", "Tag.1.Value",
	    value);
	for (i = 0; p != NULL && i < created->nids; i++) {
		snprintf(key, sizeof(key), "ResourceId.%zu", i + 1);
		if (json_object_set_new(p, key, json_string(created->ids[i])) !=
		    0) {
			json_decref(p);
			p = NULL;
		}
	}
out:
	return p;
}

fx_err
aws_exec_tag_creator(struct aws_exec *e, struct aws_client *c,
    const char *account, const char *region, const struct ev_action *created,
    const char *actor, struct buf *msg)
{
	struct aws_resp resp;
	struct run r;
	char value[257];
	json_t *p;
	int rds;
	fx_err rc;

	aws_resp_init(&resp);
	tag_value(actor, value, sizeof(value));
	if ((rc = run_init(&r, e, c, "events", account, region, 0)) != FX_OK)
		goto out;
	snprintf(r.session, sizeof(r.session), "fixit-events");
	if ((p = creator_params(created, value, &rds)) == NULL) {
		rc = FX_EINVAL;
		goto out;
	}
	rc = pb_query(&r.x, PB_TAGGER, rds ? AWS_RDS : AWS_EC2,
	    rds ? "AddTagsToResource" : "CreateTags", p, 1, &resp);
out:
	if (msg != NULL && buf_addf(msg, "%s fixit:creator=%s%s%s",
			       rc == FX_OK ? "tagged" : "could not tag", value,
			       r.msg.len ? ": " : "", buf_str(&r.msg)) != FX_OK)
		buf_reset(msg);
	aws_resp_release(&resp);
	run_release(&r);
	return rc;
}

/* ---- the executor ----------------------------------------------------- */

#define DEFAULT_TIMEOUT 300 /* seconds, when the config gave none */

/* why type aws cannot run playbook: no built-in of that name */
static fx_err
no_builtin(struct buf *why)
{
	fx_err rc;

	rc = buf_adds(why, "type aws needs a built-in playbook: name the "
			   "playbook after one, or set executor.playbook (");
	if (rc == FX_OK)
		rc = pb_names(why);
	if (rc == FX_OK)
		rc = buf_adds(why, ")");
	return rc == FX_OK ? FX_ECONFIG : rc;
}

static fx_err
aws_prepare(const struct executor_cfg *cfg, const char *playbook, void **state,
    const char **key, struct buf *why)
{
	const struct pb_def *def = builtin(cfg, playbook);
	struct aws_pb *st;
	fx_err rc;

	*state = NULL;
	if (def == NULL) {
		*key = "playbook";
		return no_builtin(why);
	}
	if (def->params_check != NULL) {
		*key = "params";
		if ((rc = def->params_check(cfg->params, why)) != FX_OK)
			return rc;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return FX_ENOMEM;
	st->def = def;
	st->timeout = cfg->timeout > 0 ? cfg->timeout : DEFAULT_TIMEOUT;
	st->dry_run = cfg->dry_run;
	st->params = json_incref(cfg->params);
	*state = st;
	return FX_OK;
}

static void
aws_free(void *state)
{
	struct aws_pb *st = state;

	if (st == NULL)
		return;
	json_decref(st->params);
	free(st);
}

/* a fix that outlives its lease may be claimed again while it runs */
static void
warn_lease(const struct policy *pol)
{
	const struct playbook *pb;
	size_t i;

	for (i = 0; i < pol->nplaybooks; i++) {
		pb = &pol->playbooks[i];
		if (aws_exec_uses(pb) && pb->exec.timeout > pol->lease)
			log_warnx(
			    "%s: playbook %s: executor timeout %llds is "
			    "longer than the lease (%llds): a slow fix may be "
			    "claimed again while it runs",
			    __func__, pb->name, (long long)pb->exec.timeout,
			    (long long)pol->lease);
	}
}

static fx_err
aws_shared_new(const struct exec_env *env, void **shared)
{
	struct aws_exec *e = NULL;
	fx_err rc;

	*shared = NULL;
	rc = aws_exec_new(env, &e);
	if (rc != FX_OK) {
		log_warnx("%s: aws: %s", __func__, fx_strerror(rc));
		return rc;
	}
	warn_lease(env->pol);
	*shared = e;
	return FX_OK;
}

static void
aws_shared_free(void *shared)
{
	aws_exec_free(shared);
}

static int
aws_rehearses(const void *state)
{
	const struct aws_pb *st = state;

	return st != NULL && st->dry_run;
}

/* the built-in marks itself, and one without an undo cannot be undone */
static int
aws_irreversible(const void *state)
{
	const struct aws_pb *st = state;

	return st != NULL && (st->def->irreversible || st->def->undo == NULL);
}

const struct executor_ops aws_exec_ops = {
	.name = "aws",
	.prepare = aws_prepare,
	.free = aws_free,
	.shared_new = aws_shared_new,
	.shared_free = aws_shared_free,
	.fix = aws_fix,
	.undo = aws_undo,
	.rehearses = aws_rehearses,
	.irreversible = aws_irreversible,
};

int
aws_exec_uses(const struct playbook *pb)
{
	return pb->exec.ops == &aws_exec_ops;
}

struct aws_exec *
aws_exec_shared(const struct executors *x)
{
	return executors_shared(x, &aws_exec_ops);
}
