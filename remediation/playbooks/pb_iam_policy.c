/*
 * pb_iam_policy.c - the policy-document evaluator of iam-admin-paths (see
 * pb_iam_policy.h for the rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxlimits.h"
#include "fxutil.h"
#include "pb_iam_policy.h"
#include "banned.h"

#define PAT_MAX                                                                \
	4096 /* patterns kept per list: more is no policy IAM
			* stores (6,144 characters at most) */
#define PROBE	"fixit-probe-entity"
#define DOC_MAX (1024 * 1024)

/* which entity an admin action works on: its probe ARN's kind */
static const char *const admin_kind[PB_IAM_NADMIN] = {
	"role",
	"user",
	"group",
	"role",
	"user",
	"group",
	"policy",
	"policy",
	"policy",
	"user",
	"user",
	"user",
	"user",
	"role",
	"group",
};

const char *const pb_iam_admin_action[PB_IAM_NADMIN] = {
	"iam:AttachRolePolicy",
	"iam:AttachUserPolicy",
	"iam:AttachGroupPolicy",
	"iam:PutRolePolicy",
	"iam:PutUserPolicy",
	"iam:PutGroupPolicy",
	"iam:CreatePolicyVersion",
	"iam:SetDefaultPolicyVersion",
	"iam:CreatePolicy",
	"iam:CreateUser",
	"iam:CreateAccessKey",
	"iam:CreateLoginProfile",
	"iam:UpdateLoginProfile",
	"iam:UpdateAssumeRolePolicy",
	"iam:AddUserToGroup",
};

static void
pats_release(struct pb_iam_pats *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static fx_err
pats_add(struct pb_iam_pats *p, const char *s)
{
	char **nv;
	size_t ncap;

	if (p->n >= PAT_MAX)
		return FX_ETOOBIG;
	if (p->n == p->cap) {
		ncap = p->cap ? p->cap * 2 : 2;
		if ((nv = realloc(p->v, ncap * sizeof(*nv))) == NULL)
			return FX_ENOMEM;
		p->v = nv;
		p->cap = ncap;
	}
	if ((p->v[p->n] = fx_strdup(s)) == NULL)
		return FX_ENOMEM;
	p->n++;
	return FX_OK;
}

void
pb_iam_pol_release(struct pb_iam_pol *p)
{
	if (p == NULL)
		return;
	pats_release(&p->assume);
	pats_release(&p->assume_deny);
	pats_release(&p->pass);
	pats_release(&p->pass_deny);
}

void
pb_iam_trust_release(struct pb_iam_trust *t)
{
	if (t == NULL)
		return;
	pats_release(&t->aws);
	pats_release(&t->aws_deny);
	pats_release(&t->service);
	pats_release(&t->federated);
}

fx_err
pb_iam_urldecode(const char *s, struct buf *out)
{
	int hi, lo;
	fx_err rc;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = fx_hexval(s[1])) >= 0 &&
		    (lo = fx_hexval(s[2])) >= 0) {
			rc = buf_addc(out, (char)(hi * 16 + lo));
			s += 2;
		} else
			rc = buf_addc(out, *s);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

fx_err
pb_iam_doc(const char *text, json_t **doc)
{
	struct buf b = BUF_INIT;
	fx_err rc = FX_EINVAL;

	*doc = NULL;
	if (text == NULL)
		return FX_EINVAL;
	buf_init(&b, DOC_MAX);
	/* IAM encodes; a '{' first means someone decoded already */
	if (*text != '{') {
		if ((rc = pb_iam_urldecode(text, &b)) != FX_OK)
			goto out;
		text = buf_str(&b);
	}
	*doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (*doc == NULL || !json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		rc = FX_EINVAL;
		goto out;
	}
	rc = FX_OK;
out:
	buf_release(&b);
	return rc;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
pb_iam_glob(const char *p, const char *s, int fold)
{
	const char *star = NULL, *ss = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p != '\0' &&
			   (*p == '?' || *p == *s ||
			       (fold && lower((unsigned char)*p) ==
					    lower((unsigned char)*s)))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star + 1;
			s = ++ss;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

int
pb_iam_pats_match(const struct pb_iam_pats *pats, const char *s)
{
	size_t i;

	for (i = 0; i < pats->n; i++)
		if (pb_iam_glob(pats->v[i], s, 0))
			return 1;
	return 0;
}

/* the strings of a string-or-array value (non-strings skipped) */
static size_t
sa_size(const json_t *v)
{
	return json_is_string(v)  ? 1
	       : json_is_array(v) ? json_array_size(v)
				  : 0;
}

static const char *
sa_get(const json_t *v, size_t i)
{
	return json_is_string(v) ? json_string_value(v)
				 : json_string_value(json_array_get(v, i));
}

/* 1 when one string of list matches s */
static int
sa_match(const json_t *list, const char *s, int fold)
{
	size_t i, n = sa_size(list);
	const char *p;

	for (i = 0; i < n; i++)
		if ((p = sa_get(list, i)) != NULL && pb_iam_glob(p, s, fold))
			return 1;
	return 0;
}

/* does statement st cover action (Action / NotAction) */
static int
st_action(const json_t *st, const char *action)
{
	const json_t *a = json_object_get(st, "Action");

	if (a != NULL)
		return sa_match(a, action, 1);
	a = json_object_get(st, "NotAction");
	return a != NULL && !sa_match(a, action, 1);
}

/* does statement st cover resource arn (Resource / NotResource) */
static int
st_resource(const json_t *st, const char *arn)
{
	const json_t *r = json_object_get(st, "Resource");

	if (r != NULL)
		return sa_match(r, arn, 0);
	r = json_object_get(st, "NotResource");
	return r != NULL && !sa_match(r, arn, 0);
}

static int
st_conditional(const json_t *st)
{
	const json_t *c = json_object_get(st, "Condition");

	return c != NULL && !(json_is_object(c) && json_object_size(c) == 0);
}

/* 0 Allow, 1 Deny, -1 neither */
static int
st_effect(const json_t *st)
{
	const char *e = json_string_value(json_object_get(st, "Effect"));

	if (e != NULL && strcmp(e, "Allow") == 0)
		return 0;
	if (e != NULL && strcmp(e, "Deny") == 0)
		return 1;
	return -1;
}

/* the statements of doc: an array, or one object as an array of one */
static size_t
doc_nstmt(const json_t *doc)
{
	const json_t *s = json_object_get(doc, "Statement");

	return json_is_array(s)	   ? json_array_size(s)
	       : json_is_object(s) ? 1
				   : 0;
}

static const json_t *
doc_stmt(const json_t *doc, size_t i)
{
	const json_t *s = json_object_get(doc, "Statement");

	return json_is_array(s) ? json_array_get(s, i) : s;
}

static void
probe_arn(char *out, size_t n, const char *account, int i)
{
	(void)snprintf(out, n, "arn:aws:iam::%s:%s/%s", account, admin_kind[i],
	    PROBE);
}

/*
 * The admin bits statement st covers (action and probe resource); with
 * action not NULL, as if its Action were that one pattern.
 */
static uint32_t
st_admin_bits1(const json_t *st, const char *account, const char *action)
{
	char probe[160];
	uint32_t bits = 0;
	int i;

	for (i = 0; i < PB_IAM_NADMIN; i++) {
		if (action != NULL
			? !pb_iam_glob(action, pb_iam_admin_action[i], 1)
			: !st_action(st, pb_iam_admin_action[i]))
			continue;
		probe_arn(probe, sizeof(probe), account, i);
		if (st_resource(st, probe))
			bits |= 1u << i;
	}
	return bits;
}

static uint32_t
st_admin_bits(const json_t *st, const char *account)
{
	return st_admin_bits1(st, account, NULL);
}

/* the resource patterns of st for one action, into allow or deny */
static fx_err
st_pats(const json_t *st, int deny, struct pb_iam_pats *allow,
    struct pb_iam_pats *denied)
{
	const json_t *r = json_object_get(st, "Resource");
	size_t i, n;
	const char *p;
	fx_err rc;

	if (r == NULL) /* NotResource */
		return deny ? pats_add(denied, "*") : FX_OK;
	n = sa_size(r);
	for (i = 0; i < n; i++) {
		if ((p = sa_get(r, i)) == NULL)
			continue;
		rc = pats_add(deny ? denied : allow, p);
		if (rc != FX_OK)
			return rc;
	}
	return FX_OK;
}

static fx_err
eval_stmt(const json_t *st, const char *account, struct pb_iam_pol *p)
{
	int eff = st_effect(st), cond = st_conditional(st);
	uint32_t bits;
	fx_err rc;

	if (eff < 0 || !json_is_object(st))
		return FX_OK;
	if (eff == 0 && cond) {
		p->conditional++;
		return FX_OK;
	}
	bits = st_admin_bits(st, account);
	if (eff == 1)
		p->deny |= bits;
	else
		p->allow |= bits;
	if (st_action(st, "sts:AssumeRole")) {
		rc = st_pats(st, eff, &p->assume, &p->assume_deny);
		if (rc != FX_OK)
			return rc;
	}
	if (st_action(st, "iam:PassRole")) {
		rc = st_pats(st, eff, &p->pass, &p->pass_deny);
		if (rc != FX_OK)
			return rc;
	}
	if (eff == 0 && st_action(st, "ec2:RunInstances") &&
	    st_resource(st, "arn:aws:ec2:*:*:instance/*"))
		p->launch |= PB_IAM_LAUNCH_EC2;
	if (eff == 0 && st_action(st, "lambda:CreateFunction") &&
	    st_resource(st, "arn:aws:lambda:*:*:function:*"))
		p->launch |= PB_IAM_LAUNCH_LAMBDA;
	return FX_OK;
}

fx_err
pb_iam_pol_eval(const json_t *doc, const char *account, struct pb_iam_pol *p)
{
	size_t i, n = doc_nstmt(doc);
	fx_err rc = FX_OK;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n && rc == FX_OK; i++)
		rc = eval_stmt(doc_stmt(doc, i), account, p);
	return rc;
}

/* an AWS principal as an ARN: a bare account id is its root */
static fx_err
trust_add_aws(struct pb_iam_pats *pats, const char *s, unsigned *flags)
{
	char root[64];
	size_t i;

	if (strcmp(s, "*") == 0) {
		*flags |= PB_IAM_TRUST_ANY;
		return FX_OK;
	}
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == 12 && s[i] == '\0') {
		(void)snprintf(root, sizeof(root), "arn:aws:iam::%s:root", s);
		return pats_add(pats, root);
	}
	return pats_add(pats, s);
}

static fx_err
trust_stmt(const json_t *st, struct pb_iam_trust *t)
{
	const json_t *pr = json_object_get(st, "Principal"), *v;
	int eff = st_effect(st), cond = st_conditional(st), web;
	size_t i, n;
	fx_err rc = FX_OK;

	if (eff < 0 || pr == NULL)
		return FX_OK;
	web = st_action(st, "sts:AssumeRoleWithWebIdentity");
	if (!st_action(st, "sts:AssumeRole") && !web)
		return FX_OK;
	if (json_is_string(pr)) /* "Principal": "*" */
		return eff == 1 ? pats_add(&t->aws_deny, "*")
		       : cond	? (t->conditional++, FX_OK)
				: trust_add_aws(&t->aws, json_string_value(pr),
				      &t->flags);
	v = json_object_get(pr, "Federated");
	if (eff == 0 && web && v != NULL) {
		/* a service account's role: named by a condition */
		n = sa_size(v);
		for (i = 0; i < n && rc == FX_OK; i++)
			if (sa_get(v, i) != NULL)
				rc = pats_add(&t->federated, sa_get(v, i));
	}
	if (rc != FX_OK || !st_action(st, "sts:AssumeRole"))
		return rc;
	if (eff == 0 && cond) {
		t->conditional++;
		return FX_OK;
	}
	v = json_object_get(pr, "AWS");
	n = sa_size(v);
	for (i = 0; i < n && rc == FX_OK; i++)
		if (sa_get(v, i) != NULL)
			rc = eff == 1 ? pats_add(&t->aws_deny, sa_get(v, i))
				      : trust_add_aws(&t->aws, sa_get(v, i),
					    &t->flags);
	v = json_object_get(pr, "Service");
	n = eff == 0 ? sa_size(v) : 0;
	for (i = 0; i < n && rc == FX_OK; i++)
		if (sa_get(v, i) != NULL)
			rc = pats_add(&t->service, sa_get(v, i));
	return rc;
}

fx_err
pb_iam_trust_eval(const json_t *doc, struct pb_iam_trust *t)
{
	size_t i, n = doc_nstmt(doc);
	fx_err rc = FX_OK;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n && rc == FX_OK; i++)
		rc = trust_stmt(doc_stmt(doc, i), t);
	return rc;
}

int
pb_iam_trust_aws(const struct pb_iam_trust *t, const char *arn,
    const char *account)
{
	char root[64];
	size_t i;

	(void)snprintf(root, sizeof(root), "arn:aws:iam::%s:root", account);
	for (i = 0; i < t->aws_deny.n; i++)
		if (pb_iam_glob(t->aws_deny.v[i], arn, 0) ||
		    strcmp(t->aws_deny.v[i], root) == 0)
			return 0;
	if (t->flags & PB_IAM_TRUST_ANY)
		return 1;
	for (i = 0; i < t->aws.n; i++)
		if (strcmp(t->aws.v[i], arn) == 0 ||
		    strcmp(t->aws.v[i], root) == 0)
			return 1;
	return 0;
}

int
pb_iam_trust_service(const struct pb_iam_trust *t, const char *service)
{
	size_t i;

	for (i = 0; i < t->service.n; i++)
		if (strcmp(t->service.v[i], service) == 0)
			return 1;
	return 0;
}

uint32_t
pb_iam_admin_bit(const char *action)
{
	int i;

	for (i = 0; i < PB_IAM_NADMIN; i++)
		if (strcasecmp(pb_iam_admin_action[i], action) == 0)
			return 1u << i;
	return 0;
}

json_t *
pb_iam_mask_json(uint32_t mask)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a != NULL && i < PB_IAM_NADMIN; i++)
		if ((mask & (1u << i)) &&
		    json_array_append_new(a,
			json_string(pb_iam_admin_action[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/*
 * One Allow statement without the actions of remove: *wild gets the
 * removed actions it still grants through a wildcard; *drop = 1 when no
 * action is left.
 */
static fx_err
reduce_stmt(json_t *st, const char *account, uint32_t remove, uint32_t *wild,
    int *drop)
{
	json_t *a = json_object_get(st, "Action"), *keep;
	uint32_t bits = st_admin_bits(st, account) & remove, b;
	size_t i, n;
	const char *s;

	*drop = 0;
	if (bits == 0)
		return FX_OK;
	if (a == NULL) { /* NotAction */
		*wild |= bits;
		return FX_OK;
	}
	if ((keep = json_array()) == NULL)
		return FX_ENOMEM;
	n = sa_size(a);
	for (i = 0; i < n; i++) {
		if ((s = sa_get(a, i)) == NULL)
			continue;
		b = pb_iam_admin_bit(s);
		if (b != 0 && (b & remove) && strpbrk(s, "*?") == NULL)
			continue;
		/* a wildcard, or an action that stays */
		*wild |= st_admin_bits1(st, account, s) & remove;
		if (json_array_append_new(keep, json_string(s)) != 0) {
			json_decref(keep);
			return FX_ENOMEM;
		}
	}
	*drop = json_array_size(keep) == 0;
	if (json_object_set_new(st, "Action", keep) != 0)
		return FX_ENOMEM;
	return FX_OK;
}

/* the Deny of wild: extends fixit's own statement when there is one */
static fx_err
add_deny(json_t *stmts, uint32_t wild)
{
	json_t *st, *acts = NULL;
	const char *sid;
	size_t i;
	uint32_t b;

	for (i = 0, st = NULL; i < json_array_size(stmts) && st == NULL; i++) {
		sid = json_string_value(
		    json_object_get(json_array_get(stmts, i), "Sid"));
		if (sid != NULL && strcmp(sid, PB_IAM_DENY_SID) == 0)
			st = json_array_get(stmts, i);
	}
	if (st != NULL) {
		acts = json_object_get(st, "Action");
		for (i = 0; i < sa_size(acts); i++)
			if ((b = pb_iam_admin_bit(sa_get(acts, i))) != 0)
				wild |= b;
	}
	if ((acts = pb_iam_mask_json(wild)) == NULL)
		return FX_ENOMEM;
	if (st != NULL)
		return json_object_set_new(st, "Action", acts) == 0 ? FX_OK
								    : FX_ENOMEM;
	st = json_pack("{s:s, s:s, s:o, s:s}", "Sid", PB_IAM_DENY_SID, "Effect",
	    "Deny", "Action", acts, "Resource", "*");
	return st != NULL && json_array_append_new(stmts, st) == 0 ? FX_OK
								   : FX_ENOMEM;
}

json_t *
pb_iam_pol_reduce(const json_t *doc, const char *account, uint32_t remove)
{
	json_t *out = json_deep_copy(doc), *stmts = NULL, *st;
	size_t i, n = doc_nstmt(doc);
	uint32_t wild = 0;
	int drop;

	if (out == NULL || (stmts = json_array()) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		st = json_deep_copy(doc_stmt(doc, i));
		if (st == NULL)
			goto fail;
		drop = 0;
		if (st_effect(st) == 0 && !st_conditional(st) &&
		    reduce_stmt(st, account, remove, &wild, &drop) != FX_OK) {
			json_decref(st);
			goto fail;
		}
		if (drop)
			json_decref(st);
		else if (json_array_append_new(stmts, st) != 0)
			goto fail;
	}
	if (wild != 0 && add_deny(stmts, wild) != FX_OK)
		goto fail;
	if (json_object_set_new(out, "Statement", stmts) != 0) {
		stmts = NULL;
		goto fail;
	}
	return out;
fail:
	json_decref(stmts);
	json_decref(out);
	return NULL;
}
