/*
 * aws_pace.c - token buckets at AWS's documented API rates (see
 * aws_pace.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_int.h"
#include "aws_pace.h"
#include "fxlog.h"
#include "fxtime.h"
#include "banned.h"

#define PACE_SLOTS   4096 /* hash chains */
#define PACE_KEY_MAX 256

/*
 * The rates, per account and region (per account for the global
 * services). Sources, as published by AWS:
 *   EC2         "Request throttling for the Amazon EC2 API" (EC2 developer
 *               guide, ec2-api-throttling): a bucket per API; the
 *               non-mutating actions (Describe*, Get*) hold 100 tokens
 *               and refill 20 a second (the page's DescribeHosts
 *               example); mutating actions (CreateTags, CreateSnapshot,
 *               DeleteVolume, ...) are paced at the mutating row, 50
 *               and 5 a second.
 *   CloudTrail  LookupEvents API reference: "limited to two per second,
 *               per account, per Region".
 *   RDS         "Request throttling for the Amazon RDS API" (RDS user
 *               guide, rds-api-throttling): 300 in a burst, 12 a second
 *               sustained, shared by all the RDS actions.
 *   Route 53    "Quotas" (Route 53 developer guide, API requests): five
 *               requests per second per account, all actions.
 *   STS         "IAM and AWS STS quotas": AssumeRole and its kin, 600 a
 *               second per account and region; paced well below it.
 *   IAM, CloudFront, CloudWatch, ELB, ELBv2, Compute Optimizer, Auto
 *               Scaling, EKS, Redshift: no per-action table is published
 *               for the calls fixit makes; paced at a conservative 10 a
 *               second (burst 20), which no scan of one account and
 *               region comes near.
 *   API Gateway (GetDomainNames, v1 and v2): 5 a second, burst 10
 *               (below its control plane's documented 10 a second per
 *               account); Elastic Beanstalk: as ELB.
 * S3 (HeadBucket) is not paced: its limits are per prefix, thousands of
 * requests a second.
 */
struct pace_rule {
	enum aws_svc svc;
	const char *prefix; /* of the action; NULL: any */
	struct aws_rate rate;
};

static const struct pace_rule rules[] = {
	{ AWS_EC2, "Describe", { 100, 20, 1 } },
	{ AWS_EC2, "Get", { 100, 20, 1 } },
	{ AWS_EC2, NULL, { 50, 5, 1 } },
	{ AWS_CLOUDTRAIL, "LookupEvents", { 2, 2, 1 } },
	{ AWS_CLOUDTRAIL, NULL, { 10, 10, 0 } },
	{ AWS_RDS, NULL, { 300, 12, 0 } },
	{ AWS_ROUTE53, NULL, { 5, 5, 0 } },
	{ AWS_STS, NULL, { 100, 100, 0 } },
	{ AWS_IAM, NULL, { 20, 10, 0 } },
	{ AWS_CLOUDFRONT, NULL, { 20, 10, 0 } },
	{ AWS_CLOUDWATCH, NULL, { 20, 10, 0 } },
	{ AWS_ELB, NULL, { 20, 10, 0 } },
	{ AWS_ELBV2, NULL, { 20, 10, 0 } },
	{ AWS_COMPUTE_OPTIMIZER, NULL, { 20, 10, 0 } },
	{ AWS_AUTOSCALING, NULL, { 20, 10, 0 } },
	{ AWS_EKS, NULL, { 20, 10, 0 } },
	{ AWS_REDSHIFT, NULL, { 20, 10, 0 } },
	{ AWS_APIGATEWAY, NULL, { 10, 5, 0 } },
	{ AWS_APIGATEWAYV2, NULL, { 10, 5, 0 } },
	{ AWS_ELASTICBEANSTALK, NULL, { 20, 10, 0 } },
	{ AWS_LAMBDA, NULL, { 15, 10, 0 } },
};

struct bucket {
	struct bucket *next;
	const struct aws_rate *rate;
	double tokens; /* may be negative: reserved ahead */
	int64_t last_ms;
	char key[];
};

struct aws_pace {
	pthread_mutex_t mu;
	struct bucket *slot[PACE_SLOTS];
	size_t n;
	int64_t max_wait_ms;
	int full_said; /* the table was full once: said */
};

const struct aws_rate *
aws_pace_rate(enum aws_svc svc, const char *action)
{
	size_t i, n;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].svc != svc)
			continue;
		if (rules[i].prefix == NULL)
			return &rules[i].rate;
		n = strlen(rules[i].prefix);
		if (action != NULL && strncmp(action, rules[i].prefix, n) == 0)
			return &rules[i].rate;
	}
	return NULL;
}

fx_err
aws_pace_new(int64_t max_wait_ms, struct aws_pace **out)
{
	struct aws_pace *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return FX_ENOMEM;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return FX_ENOMEM;
	}
	p->max_wait_ms = max_wait_ms > 0 ? max_wait_ms : AWS_PACE_MAX_WAIT_MS;
	*out = p;
	return FX_OK;
}

void
aws_pace_free(struct aws_pace *p)
{
	struct bucket *b, *next;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < PACE_SLOTS; i++)
		for (b = p->slot[i]; b != NULL; b = next) {
			next = b->next;
			free(b);
		}
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static uint32_t
key_hash(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

/* the bucket's tokens at now_ms (refilled, capped at its burst) */
static double
refilled(const struct bucket *b, int64_t now_ms)
{
	double t = b->tokens;

	if (now_ms > b->last_ms)
		t += (double)(now_ms - b->last_ms) * b->rate->per_s / 1000.0;
	return t > b->rate->burst ? b->rate->burst : t;
}

/* with mu held: drop the buckets that are full again (as good as new) */
static void
sweep(struct aws_pace *p, int64_t now_ms)
{
	struct bucket **bp, *b;
	size_t i;

	for (i = 0; i < PACE_SLOTS; i++) {
		bp = &p->slot[i];
		while ((b = *bp) != NULL) {
			if (refilled(b, now_ms) >= b->rate->burst) {
				*bp = b->next;
				free(b);
				p->n--;
			} else
				bp = &b->next;
		}
	}
}

/* with mu held: key's bucket, made full when new; NULL when none fits */
static struct bucket *
bucket_get(struct aws_pace *p, const char *key, const struct aws_rate *rate,
    int64_t now_ms)
{
	uint32_t h = key_hash(key) % PACE_SLOTS;
	struct bucket *b;
	size_t len = strlen(key);

	for (b = p->slot[h]; b != NULL; b = b->next)
		if (strcmp(b->key, key) == 0)
			return b;
	if (p->n >= AWS_PACE_MAX_BUCKETS)
		sweep(p, now_ms);
	if (p->n >= AWS_PACE_MAX_BUCKETS ||
	    (b = calloc(1, sizeof(*b) + len + 1)) == NULL)
		return NULL;
	memcpy(b->key, key, len + 1);
	b->rate = rate;
	b->tokens = rate->burst;
	b->last_ms = now_ms;
	b->next = p->slot[h];
	p->slot[h] = b;
	p->n++;
	return b;
}

/* "account \n region \n service [\n action]" into key; 0 when too long */
static int
make_key(char *key, size_t size, enum aws_svc svc, const char *action,
    const struct aws_rate *rate, const char *account, const char *region)
{
	const struct aws_service *s = aws_service(svc);
	int n;

	n = snprintf(key, size, "%s\n%s\n%s\n%s", account ? account : "",
	    s->global || region == NULL ? "" : region, s->name,
	    rate->per_action && action ? action : "");
	return n >= 0 && (size_t)n < size;
}

int64_t
aws_pace_take(struct aws_pace *p, enum aws_svc svc, const char *action,
    const char *account, const char *region, int64_t now_ms)
{
	const struct aws_rate *rate;
	struct bucket *b;
	char key[PACE_KEY_MAX];
	double floor, wait = 0;

	if (p == NULL || (unsigned)svc >= AWS_SVC__COUNT ||
	    (rate = aws_pace_rate(svc, action)) == NULL)
		return 0;
	if (!make_key(key, sizeof(key), svc, action, rate, account, region))
		return 0;
	/* the debt a bucket may run into: max_wait_ms worth of tokens */
	floor = -(double)p->max_wait_ms * rate->per_s / 1000.0;
	pthread_mutex_lock(&p->mu);
	if ((b = bucket_get(p, key, rate, now_ms)) == NULL) {
		if (!p->full_said)
			log_warnx("%s: %d buckets in use: calls beyond them "
				  "are not paced",
			    __func__, AWS_PACE_MAX_BUCKETS);
		p->full_said = 1;
		goto out;
	}
	b->tokens = refilled(b, now_ms) - 1.0;
	if (now_ms > b->last_ms)
		b->last_ms = now_ms;
	if (b->tokens < floor)
		b->tokens = floor;
	if (b->tokens < 0)
		wait = -b->tokens * 1000.0 / rate->per_s;
out:
	pthread_mutex_unlock(&p->mu);
	if (wait > (double)p->max_wait_ms)
		wait = (double)p->max_wait_ms;
	return (int64_t)(wait + 0.999);
}

int64_t
aws_pace_wait(struct aws_pace *p, enum aws_svc svc, const char *action,
    const char *account, const char *region)
{
	int64_t ms;

	if (p == NULL)
		return 0;
	ms = aws_pace_take(p, svc, action, account, region, fx_mono_ms());
	if (ms > 0)
		fx_sleep_ms(ms);
	return ms;
}

size_t
aws_pace_nbuckets(struct aws_pace *p)
{
	size_t n;

	pthread_mutex_lock(&p->mu);
	n = p->n;
	pthread_mutex_unlock(&p->mu);
	return n;
}
