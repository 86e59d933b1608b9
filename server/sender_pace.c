/*
 * sender_pace.c - per-method and per-channel back-off (sender_pace.h).
 *
 * A small table searched linearly: the sender pauses a handful of keys
 * at a time. When it is full, the entry that opens first is reused; the
 * worst that does is an early retry that Slack answers with a 429.
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

struct pace_key {
	char key[PACE_KEY_LEN];
	int64_t until; /* paused until (mono ms); 0 never */
	int failures;  /* consecutive retryable failures */
};

struct sender_pace {
	struct pace_key k[PACE_KEYS];
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
	int64_t next = 0;
	size_t i;

	for (i = 0; i < PACE_KEYS; i++)
		if (p->k[i].until > now && (next == 0 || p->k[i].until < next))
			next = p->k[i].until;
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
