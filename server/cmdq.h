/*
 * cmdq.h - /fixit commands off the HTTP threads, with a deadline.
 *
 * Slack wants a slash command answered within 3 seconds. A command is a
 * job: h_slack_commands suspends the connection (http_defer_work) and
 * queues the job; one of CMDQ_WORKERS threads runs it (cmd_run). If it
 * is done before slack.command_deadline (2 s; 0: never wait) its answer
 * is the HTTP answer, as before. If not, the deadline thread answers the
 * HTTP request at the deadline ("Working on it: the answer follows") and
 * the answer, once ready, is handed to the follow-up sender
 * (followup.h), which POSTs it to the command's response_url. A job
 * still queued when its deadline passes is answered so too. When
 * CMDQ_QUEUE jobs are waiting already, the command is not queued and the
 * user is told at once to try again: no HTTP thread ever waits.
 *
 * Thread model: CMDQ_WORKERS "cmd" threads and one "cmdclock" thread;
 * one mutex guards the queue and the list of jobs whose HTTP answer is
 * pending (in deadline order: every job gets the same deadline, so the
 * order of arrival). Whoever takes a job's request under the mutex (its
 * worker when done in time, else the clock) resumes it, exactly once.
 * A job is shared by the request and the queue (a reference count).
 *
 * cmdq_stop runs after http_stop (no request waits any more) and before
 * the writer stops: the commands running finish, the queued ones are
 * dropped (their late answers counted as failed follow-ups).
 */
#ifndef FIXIT_CMDQ_H
#define FIXIT_CMDQ_H

#include <jansson.h>

#include "app.h"
#include "buf.h"
#include "fxerr.h"
#include "http.h"

#define CMDQ_WORKERS 2	/* commands running at once */
#define CMDQ_QUEUE   16 /* commands waiting at once; more: "busy" */

struct cmdq;
struct cmdq_job;
struct slack_command;

fx_err cmdq_start(struct app *a, struct cmdq **out) FX_WUR;
void cmdq_stop(struct cmdq *q); /* accepts NULL */

/* a job for sc, whose strings it takes (sc is left empty); NULL when
 * out of memory (sc untouched) */
struct cmdq_job *cmdq_job_new(struct slack_command *sc);
/* drops the caller's reference; accepts NULL (an http state_free) */
void cmdq_job_release(void *job);

/*
 * http_start_fn for http_defer_work (state: the job): queues it.
 * FX_ETOOBIG when the queue is full, FX_ESTOPPED when stopping. The
 * request is then resumed with the command's result (FX_OK or its
 * error: the answer is ready) or FX_ETIMEOUT (the deadline passed: the
 * answer follows).
 */
fx_err cmdq_submit(struct app *a, void *job, struct http_request *r) FX_WUR;

/* after a resume with FX_OK: the answer's text and blocks (borrowed) */
const char *cmdq_job_text(const struct cmdq_job *j);
json_t *cmdq_job_blocks(const struct cmdq_job *j);
/* 1 when the job's response_url is one a late answer may go to */
int cmdq_job_can_follow(const struct app *a, const struct cmdq_job *j);

#endif
