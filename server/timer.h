/*
 * timer.h - the timer thread: every tick it runs the state machine's
 * housekeeping (exception expiry, notifications, reminders, deadlines),
 * claims due fixes and undos under a lease, runs their executor outside
 * any transaction, and records the outcome.
 *
 * A crash mid-fix leaves the lease in the store: after it expires the fix
 * is claimed again (executors are idempotent), and sm_finish only records
 * an outcome whose lease token still matches, so one fix is never
 * recorded twice.
 */
#ifndef FIXIT_TIMER_H
#define FIXIT_TIMER_H

#include "app.h"
#include "fxerr.h"

struct timer;

fx_err timer_start(struct app *app, struct timer **out) FX_WUR;
/* run a tick now (a decoy key's fix is due); any thread; accepts NULL */
void timer_kick(struct timer *t);
/* waits for a running executor to finish, then joins; accepts NULL */
void timer_stop(struct timer *t);

#endif
