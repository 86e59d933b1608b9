/*
 * app.h - what the HTTP handlers and the worker threads share. Every
 * member is set before the first thread starts and read-only afterwards
 * (the pointed-to objects do their own locking).
 */
#ifndef FIXIT_APP_H
#define FIXIT_APP_H

#include "config.h"
#include "dbwriter.h"

struct metrics;
struct sender;
struct scan;
struct executors;
struct events;
struct home;
struct cmdq;
struct timer;

struct app {
	const struct config *cfg;
	struct dbw *w;
	struct metrics *metrics;
	struct sender *sender;	/* kicked after writes that queue messages */
	struct executors *exec; /* the executors' shared state (executor.h) */
	struct scan *scan;	/* NULL when no playbook uses aws */
	struct events *events;	/* the events thread */
	struct home *home;	/* App Home publisher (home.h) */
	struct cmdq *cmdq;	/* /fixit commands' workers (cmdq.h) */
	struct timer *timer;	/* set before the events thread starts */
};

#endif
