#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fxtime.h"
#include "fxutil.h"
#include "banned.h"

int64_t
fx_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
fx_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

fx_err
fx_duration_parse(const char *s, int64_t *out)
{
	char num[32];
	size_t i = 0, n;
	int64_t v, mult = 1;

	if (s == NULL)
		return FX_EINVAL;
	n = strlen(s);
	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= sizeof(num))
		return FX_EINVAL;
	memcpy(num, s, i);
	num[i] = '\0';
	if (fx_strtoll(num, 0, INT64_MAX, &v) != FX_OK)
		return FX_EINVAL;
	if (i < n) {
		if (i + 1 != n)
			return FX_EINVAL;
		switch (s[i]) {
		case 's':
			mult = 1;
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		case 'w':
			mult = 7 * 86400;
			break;
		default:
			return FX_EINVAL;
		}
	}
	if (v > INT64_MAX / mult / 1000) /* keep ms arithmetic safe */
		return FX_EINVAL;
	*out = v * mult;
	return FX_OK;
}

/* days since 1970-01-01 for a civil date (Howard Hinnant's algorithm) */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

fx_err
fx_iso8601_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	const char *p;
	int64_t t;

	if (s == NULL ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		&n) != 6 ||
	    n != 19)
		return FX_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0)
		return FX_EINVAL;
	p = s + n;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return FX_EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, k = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
			return FX_EINVAL;
		oh *= sign;
		om *= sign;
		p += 6;
	} else {
		return FX_EINVAL;
	}
	if (*p != '\0')
		return FX_EINVAL;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + sec;
	*out = t - (oh * 3600 + om * 60);
	return FX_OK;
}

void
fx_iso8601_format(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

void
fx_duration_format(int64_t s, char *out, size_t len)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(out, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, len, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, len, "%lldm", (long long)(s / 60));
	else
		snprintf(out, len, "%llds", (long long)s);
}

void
fx_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}
