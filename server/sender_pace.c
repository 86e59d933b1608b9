/*
 * sender_pace.c - per-method and per-channel back-off, and the pace of
 * Slack's documented tiers (sender_pace.h).
 *
 * Small tables searched linearly: the sender pauses a handful of keys
 * at a time. When the back-off table is full, the entry that opens first
 * is reused; the worst that does is an early retry that Slack answers
 * with a 429. When the bucket table is full, the fullest bucket is
 * reused (a full bucket is the same as none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sender_pace.h"
#include "banned.h"

#define PACE_KEYS	     128
#define PACE_KEY_LEN	     96
#define PACE_HELD	     1024
#define PACE_MAX_RETRY_AFTER 3600 /* seconds: past this, a broken header */
#define PACE_BUCKETS	     256
#define PACE_MILLI	     1000 /* a token, in milli-tokens */

/*
 * Slack's tiers (api.slack.com/apis/rate-limits), calls per minute:
 * Tier 3 50+, Tier 4 100+. chat.postMessage has no tier but "about one
 * message per second per channel, short bursts allowed". burst: how many
 * calls may go at once after a quiet spell.
 */
static const struct pace_tier {
	const char *method;
	int per_channel; /* the bucket is the method's and the channel's */
	int64_t per_min, burst;
} pace_tiers[] = {
	{ "chat.postMessage", 1, 60, 10 },
	{ "chat.update", 0, 50, 20 },
	{ "chat.postEphemeral", 0, 100, 20 },
	{ "users.lookupByEmail", 0, 50, 20 },
	{ "conversations.open", 0, 50, 20 },
	{ "views.open", 0, 100, 20 },
	{ "views.update", 0, 100, 20 },
	{ "views.publish", 0, 100, 20 },
};

struct pace_key {
	char key[PACE_KEY_LEN];
	int64_t until; /* paused until (mono ms); 0 never */
	int failures;  /* consecutive retryable failures */
};

/* a token bucket: milli-tokens at time at (mono ms) */
struct pace_bucket {
	char key[PACE_KEY_LEN];
	const struct pace_tier *tier;
	int64_t tokens, at;
};

struct sender_pace {
	struct pace_key k[PACE_KEYS];
	struct pace_bucket b[PACE_BUCKETS];
	int tiers;		 /* pace to the tiers */
	int64_t held[PACE_HELD]; /* findings held in this sweep */
	size_t nheld;
	int held_all; /* held[] overflowed: every finding waits */
};

fx_err
sender_pace_new(struct sender_pace **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? FX_OK : FX_ENOMEM;
}

void
sender_pace_free(struct sender_pace *p)
{
	free(p);
}

void
sender_pace_tiers(struct sender_pace *p, int on)
{
	p->tiers = on;
}

static void
pace_key(char *key, const char *method, const char *channel)
{
	snprintf(key, PACE_KEY_LEN, "%s%s%s", method, channel ? " " : "",
	    channel ? channel : "");
}

static struct pace_key *
pace_find(const struct sender_pace *p, const char *key)
{
	size_t i;

	for (i = 0; i < PACE_KEYS; i++)
		if (p->k[i].key[0] != '\0' && strcmp(p->k[i].key, key) == 0)
			return (struct pace_key *)&p->k[i];
	return NULL;
}

static int64_t
pace_left(const struct sender_pace *p, const char *key, int64_t now)
{
	const struct pace_key *k = pace_find(p, key);

	return k != NULL && k->until > now ? k->until - now : 0;
}

/* ---- the tiers: one token bucket per method (or method and channel) */

static const struct pace_tier *
pace_tier(const char *method)
{
	size_t i;

	for (i = 0; i < sizeof(pace_tiers) / sizeof(pace_tiers[0]); i++)
		if (strcmp(pace_tiers[i].method, method) == 0)
			return &pace_tiers[i];
	return NULL;
}

/* the bucket's key for method and channel; NULL: the method is not paced */
static const struct pace_tier *
bucket_key(const struct sender_pace *p, const char *method, const char *channel,
    char *key)
{
	const struct pace_tier *t = p->tiers ? pace_tier(method) : NULL;

	if (t != NULL)
		pace_key(key, method, t->per_channel ? channel : NULL);
	return t;
}

/* b's milli-tokens at now (refilled at per_min, capped at burst) */
static int64_t
bucket_tokens(const struct pace_bucket *b, int64_t now)
{
	int64_t cap = b->tier->burst * PACE_MILLI, dt = now - b->at;
	int64_t t = b->tokens;

	if (dt > 0)
		t += dt > 3600000 ? cap : dt * b->tier->per_min / 60;
	return t > cap ? cap : t;
}

static const struct pace_bucket *
bucket_find(const struct sender_pace *p, const char *key)
{
	size_t i;

	for (i = 0; i < PACE_BUCKETS; i++)
		if (p->b[i].key[0] != '\0' && strcmp(p->b[i].key, key) == 0)
			return &p->b[i];
	return NULL;
}

/* milliseconds until b holds a whole token */
static int64_t
bucket_wait(const struct pace_bucket *b, int64_t now)
{
	int64_t t = bucket_tokens(b, now);

	if (t >= PACE_MILLI)
		return 0;
	/* per_min milli-tokens per 60 ms: ceil((1000 - t) * 60 / per_min) */
	return ((PACE_MILLI - t) * 60 + b->tier->per_min - 1) /
	       b->tier->per_min;
}

static int64_t
bucket_left(const struct sender_pace *p, const char *method,
    const char *channel, int64_t now)
{
	char key[PACE_KEY_LEN];
	const struct pace_bucket *b;

	if (bucket_key(p, method, channel, key) == NULL ||
	    (b = bucket_find(p, key)) == NULL)
		return 0; /* never used: full */
	return bucket_wait(b, now);
}

void
sender_pace_spend(struct sender_pace *p, const char *method,
    const char *channel, int64_t now)
{
	char key[PACE_KEY_LEN];
	const struct pace_tier *t = bucket_key(p, method, channel, key);
	struct pace_bucket *b, *victim = &p->b[0];
	size_t i;

	if (t == NULL)
		return;
	b = (struct pace_bucket *)bucket_find(p, key);
	if (b == NULL) {
		for (i = 0; i < PACE_BUCKETS; i++) {
			if (p->b[i].key[0] == '\0') {
				victim = &p->b[i];
				break;
			}
			if (bucket_tokens(&p->b[i], now) >
			    bucket_tokens(victim, now))
				victim = &p->b[i];
		}
		b = victim;
		memset(b, 0, sizeof(*b));
		snprintf(b->key, sizeof(b->key), "%s", key);
		b->tier = t;
		b->tokens = t->burst * PACE_MILLI;
		b->at = now;
	}
	b->tokens = bucket_tokens(b, now) - PACE_MILLI;
	b->at = now;
}

int64_t
sender_pace_wait(const struct sender_pace *p, const char *method,
    const char *channel, int64_t now)
{
	char key[PACE_KEY_LEN];
	int64_t a, b = 0;

	pace_key(key, method, NULL);
	a = pace_left(p, key, now);
	if (channel != NULL) {
		pace_key(key, method, channel);
		b = pace_left(p, key, now);
	}
	if (b > a)
		a = b;
	b = bucket_left(p, method, channel, now);
	return a > b ? a : b;
}

/* key's entry, made (or the entry that opens first reused) when new */
static struct pace_key *
pace_get(struct sender_pace *p, const char *key)
{
	struct pace_key *k = pace_find(p, key), *old = &p->k[0];
	size_t i;

	if (k != NULL)
		return k;
	for (i = 0; i < PACE_KEYS; i++) {
		if (p->k[i].key[0] == '\0') {
			old = &p->k[i];
			break;
		}
		if (p->k[i].until < old->until)
			old = &p->k[i];
	}
	memset(old, 0, sizeof(*old));
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

int64_t
sender_pace_failed(struct sender_pace *p, const char *method,
    const char *channel, int ratelimited, int64_t retry_after, int64_t max_secs,
    int64_t now)
{
	char key[PACE_KEY_LEN];
	struct pace_key *k;
	int64_t d;

	pace_key(key, method, ratelimited ? channel : NULL);
	k = pace_get(p, key);
	if (retry_after > 0) /* Slack's word, not our cap */
		d = retry_after > PACE_MAX_RETRY_AFTER ? PACE_MAX_RETRY_AFTER
						       : retry_after;
	else
		d = k->failures >= 20 ? max_secs : (int64_t)1 << k->failures;
	d = d > max_secs && retry_after <= 0 ? max_secs : (d < 1 ? 1 : d);
	if (k->failures < 1000)
		k->failures++;
	k->until = now + d * 1000;
	return d;
}

void
sender_pace_ok(struct sender_pace *p, const char *method, const char *channel)
{
	char key[PACE_KEY_LEN];
	struct pace_key *k;

	pace_key(key, method, NULL);
	if ((k = pace_find(p, key)) != NULL)
		k->failures = 0;
	if (channel == NULL)
		return;
	pace_key(key, method, channel);
	if ((k = pace_find(p, key)) != NULL)
		k->failures = 0;
}

int64_t
sender_pace_next(const struct sender_pace *p, int64_t now)
{
	int64_t next = 0, w;
	size_t i;

	for (i = 0; i < PACE_KEYS; i++)
		if (p->k[i].until > now && (next == 0 || p->k[i].until < next))
			next = p->k[i].until;
	for (i = 0; i < PACE_BUCKETS; i++) {
		if (p->b[i].key[0] == '\0' ||
		    (w = bucket_wait(&p->b[i], now)) == 0)
			continue;
		if (next == 0 || now + w < next)
			next = now + w;
	}
	return next;
}

int
sender_pace_held(const struct sender_pace *p, int64_t finding_id)
{
	size_t i;

	if (finding_id <= 0)
		return 0;
	if (p->held_all)
		return 1;
	for (i = 0; i < p->nheld; i++)
		if (p->held[i] == finding_id)
			return 1;
	return 0;
}

void
sender_pace_hold(struct sender_pace *p, int64_t finding_id)
{
	if (finding_id <= 0 || sender_pace_held(p, finding_id))
		return;
	if (p->nheld < PACE_HELD)
		p->held[p->nheld++] = finding_id;
	else
		p->held_all = 1;
}

void
sender_pace_sweep_end(struct sender_pace *p)
{
	p->nheld = 0;
	p->held_all = 0;
}
