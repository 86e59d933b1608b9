/*
 * exec_cmd.c - the exec executor (see executor.h): the playbook's command,
 * run directly (fork + execve, no shell):
 *
 *   - argv, the environment and the stdin document are built before the
 *     fork; between fork and execve the child makes only async-signal-safe
 *     calls (sigaction, sigprocmask, setpgid, dup2, execve, write, _exit),
 *     so this is safe in a multi-threaded process;
 *   - the child gets a clean environment: PATH, HOME and LANG (when set),
 *     FIXIT_PLAYBOOK and FIXIT_ACTION; nothing else of fixitd's, so no
 *     secret leaks into it;
 *   - the child leads its own process group; on timeout or when stdout
 *     passes FX_MAX_EXEC_OUTPUT the whole group gets SIGKILL;
 *   - stdin (the JSON document), stdout and stderr are pipes served by one
 *     poll() loop. SIGPIPE is blocked in the calling thread while it
 *     writes (a child that exits without reading stdin gives EPIPE) and a
 *     SIGPIPE left pending by those writes is consumed before the mask is
 *     restored;
 *   - an exec failure comes back through a close-on-exec pipe as errno.
 *
 * Pipes are created close-on-exec under one mutex, so two commands
 * running at once never leak each other's pipe ends into their children.
 * The prepared state (struct cmd) borrows argv from the playbook's
 * executor_cfg and is read-only: any number of threads may run it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"
#include "fxlimits.h"
#include "fxtime.h"
#include "banned.h"

#define ERR_TAIL	4096 /* the end of stderr that is kept */
#define MAX_ENV		8
#define EXEC_PATH	"PATH=/usr/local/bin:/usr/bin:/bin"
#define DEFAULT_TIMEOUT 300 /* seconds, when the config gave none */

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

/* what prepare made of the executor keys */
struct cmd {
	char **argv;	 /* borrowed from the executor_cfg */
	int64_t timeout; /* seconds */
};

/* one run of the command: everything built before the fork, the results */
struct run {
	char **argv;	     /* borrowed strings, own array */
	char *envp[MAX_ENV]; /* owned strings */
	char *in;	     /* the stdin document */
	size_t inlen, inoff;
	int64_t timeout; /* seconds */
	pid_t pid;
	int fd_in, fd_out, fd_err; /* parent ends, -1 when closed */
	struct buf out;		   /* stdout, capped at FX_MAX_EXEC_OUTPUT */
	char err[ERR_TAIL];	   /* the last ERR_TAIL bytes of stderr */
	size_t errlen;
	int status; /* from waitpid */
	int timed_out, too_big;
};

/* ---- building argv, environment, stdin ---------------------------- */

static fx_err
add_env(struct run *r, size_t *n, const char *name, const char *value)
{
	struct buf b = BUF_INIT;

	if (value == NULL)
		return FX_OK;
	if (*n + 1 >= MAX_ENV)
		return FX_ETOOBIG;
	if (buf_addf(&b, "%s=%s", name, value) != FX_OK) {
		buf_release(&b);
		return FX_ENOMEM;
	}
	r->envp[(*n)++] = buf_detach(&b);
	return FX_OK;
}

static fx_err
build_env(struct run *r, const char *playbook, int undo)
{
	size_t n = 0;
	fx_err rc;

	if ((r->envp[n++] = strdup(EXEC_PATH)) == NULL)
		return FX_ENOMEM;
	rc = add_env(r, &n, "HOME", getenv("HOME"));
	if (rc != FX_OK)
		return rc;
	rc = add_env(r, &n, "LANG", getenv("LANG"));
	if (rc != FX_OK)
		return rc;
	rc = add_env(r, &n, "FIXIT_PLAYBOOK", playbook);
	if (rc != FX_OK)
		return rc;
	rc = add_env(r, &n, "FIXIT_ACTION", undo ? "undo" : "fix");
	if (rc != FX_OK)
		return rc;
	r->envp[n] = NULL;
	return FX_OK;
}

static fx_err
build_argv(struct run *r, const struct cmd *cmd, int undo)
{
	static char undo_flag[] = "--undo";
	size_t n = 0;

	while (cmd != NULL && cmd->argv[n] != NULL)
		n++;
	if (n == 0)
		return FX_EINVAL;
	if ((r->argv = calloc(n + 2, sizeof(char *))) == NULL)
		return FX_ENOMEM;
	memcpy(r->argv, cmd->argv, n * sizeof(char *));
	if (undo)
		r->argv[n] = undo_flag;
	return FX_OK;
}

/* fix: the finding; undo: {"finding":...,"prior_state":...} */
static fx_err
build_stdin(struct run *r, const json_t *finding, const json_t *prior, int undo)
{
	const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	char *f = NULL, *p = NULL;
	struct buf b = BUF_INIT;
	fx_err rc = FX_ENOMEM;

	buf_init(&b, FX_MAX_INGEST_BODY);
	if ((f = json_dumps(finding, flags)) == NULL)
		goto out;
	if (!undo) {
		rc = buf_addf(&b, "%s\n", f);
	} else {
		if (prior != NULL && (p = json_dumps(prior, flags)) == NULL)
			goto out;
		rc = buf_addf(&b, "{\"finding\":%s,\"prior_state\":%s}\n", f,
		    p ? p : "null");
	}
	if (rc == FX_OK) {
		r->inlen = b.len;
		r->in = buf_detach(&b);
	}
out:
	free(f);
	free(p);
	buf_release(&b);
	return rc;
}

/* ---- spawning --------------------------------------------------------- */

/* a pipe whose both ends are close-on-exec and not 0, 1 or 2 */
static int
cloexec_pipe(int fds[2])
{
	int i, fd;

	if (pipe(fds) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			close(fds[0]);
			close(fds[1]);
			return -1;
		}
		close(fds[i]);
		fds[i] = fd;
	}
	return 0;
}

/* in the child: async-signal-safe calls only; never returns */
static void
child(const struct run *r, const int p_in[2], const int p_out[2],
    const int p_err[2], int errfd, const struct sigaction *dfl,
    const sigset_t *none)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP,
		SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
	size_t i;
	int e;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], dfl, NULL);
	sigprocmask(SIG_SETMASK, none, NULL);
	setpgid(0, 0);
	if (dup2(p_in[0], 0) < 0)
		goto fail;
	if (dup2(p_out[1], 1) < 0)
		goto fail;
	if (dup2(p_err[1], 2) < 0)
		goto fail;
	execve(r->argv[0], r->argv, r->envp);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* the parent then reports EIO */
	}
	_exit(127);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static fx_err
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? FX_EIO
								 : FX_OK;
}

static pid_t
wait_child(pid_t pid, int *status)
{
	pid_t w;

	while ((w = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return w;
}

/*
 * Fork and exec. FX_OK with r->pid and the parent's pipe ends set;
 * FX_EEXEC when execve failed, FX_EIO when a system call did; *err is
 * then the errno.
 */
static fx_err
spawn(struct run *r, int *err)
{
	int p_in[2] = { -1, -1 }, p_out[2] = { -1, -1 }, p_err[2] = { -1, -1 };
	int p_exec[2] = { -1, -1 }, e = 0, status, locked;
	int *pipes[] = { p_in, p_out, p_err, p_exec };
	int ours[3];
	size_t i;
	struct sigaction dfl;
	sigset_t none;
	ssize_t n;
	fx_err rc = FX_EIO;

	/* everything the child needs, made before the fork */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigemptyset(&none);
	locked = pthread_mutex_lock(&spawn_lock) == 0;
	for (i = 0; i < 4; i++) {
		if (cloexec_pipe(pipes[i]) != 0) {
			*err = errno;
			goto out;
		}
	}
	r->pid = fork();
	if (r->pid == 0)
		child(r, p_in, p_out, p_err, p_exec[1], &dfl, &none);
	if (r->pid < 0) {
		*err = errno;
		goto out;
	}
	setpgid(r->pid, r->pid); /* also in the child: no race */
	close_fd(&p_exec[1]);
	while ((n = read(p_exec[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n > 0) {
		*err = n == (ssize_t)sizeof(e) ? e : EIO;
		wait_child(r->pid, &status);
		r->pid = -1;
		rc = FX_EEXEC;
		goto out;
	}
	r->fd_in = p_in[1];
	r->fd_out = p_out[0];
	r->fd_err = p_err[0];
	p_in[1] = p_out[0] = p_err[0] = -1;
	ours[0] = r->fd_in;
	ours[1] = r->fd_out;
	ours[2] = r->fd_err;
	for (i = 0; i < 3; i++)
		if (set_nonblock(ours[i]) != FX_OK)
			break;
	if (i < 3) {
		*err = errno;
		kill(-r->pid, SIGKILL);
		kill(r->pid, SIGKILL);
		wait_child(r->pid, &status);
		r->pid = -1;
		goto out;
	}
	rc = FX_OK;
out:
	if (locked)
		pthread_mutex_unlock(&spawn_lock);
	close_fd(&p_in[0]);
	close_fd(&p_in[1]);
	close_fd(&p_out[0]);
	close_fd(&p_out[1]);
	close_fd(&p_err[0]);
	close_fd(&p_err[1]);
	close_fd(&p_exec[0]);
	close_fd(&p_exec[1]);
	return rc;
}

/* ---- serving the pipes ------------------------------------------------ */

static void
kill_group(struct run *r)
{
	kill(-r->pid, SIGKILL);
	kill(r->pid, SIGKILL); /* in case setpgid lost a race */
}

static void
keep_err_tail(struct run *r, const char *p, size_t n)
{
	if (n >= ERR_TAIL) {
		memcpy(r->err, p + n - ERR_TAIL, ERR_TAIL);
		r->errlen = ERR_TAIL;
		return;
	}
	if (r->errlen + n > ERR_TAIL) {
		size_t drop = r->errlen + n - ERR_TAIL;

		memmove(r->err, r->err + drop, r->errlen - drop);
		r->errlen -= drop;
	}
	memcpy(r->err + r->errlen, p, n);
	r->errlen += n;
}

static void
write_stdin(struct run *r)
{
	ssize_t n = write(r->fd_in, r->in + r->inoff, r->inlen - r->inoff);

	if (n > 0)
		r->inoff += (size_t)n;
	else if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || r->inoff == r->inlen) /* EPIPE: it stopped reading */
		close_fd(&r->fd_in);
}

/* 0 when the fd is still open, 1 when closed, -1 when stdout overflowed */
static int
read_pipe(struct run *r, int *fd, int is_out)
{
	char chunk[16384];
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 1;
	}
	if (!is_out) {
		keep_err_tail(r, chunk, (size_t)n);
		return 0;
	}
	return buf_add(&r->out, chunk, (size_t)n) == FX_OK ? 0 : -1;
}

/* until stdout and stderr are closed, the output is too big or time is up */
static void
pump(struct run *r, int64_t deadline)
{
	struct pollfd pfd[3];
	int64_t left;
	int np;

	if (r->inlen == 0)
		close_fd(&r->fd_in);
	while (r->fd_out >= 0 || r->fd_err >= 0) {
		if ((left = deadline - fx_mono_ms()) <= 0) {
			r->timed_out = 1;
			break;
		}
		pfd[0].fd = r->fd_out;
		pfd[1].fd = r->fd_err;
		pfd[2].fd = r->fd_in;
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[2].events = POLLOUT;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		np = poll(pfd, 3, left > 1000 ? 1000 : (int)left);
		if (np < 0 && errno != EINTR)
			break;
		if (np <= 0)
			continue;
		if (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP))
			write_stdin(r);
		if ((pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    r->fd_err >= 0)
			read_pipe(r, &r->fd_err, 0);
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    read_pipe(r, &r->fd_out, 1) < 0) {
			r->too_big = 1;
			break;
		}
	}
	close_fd(&r->fd_in);
	close_fd(&r->fd_out);
	close_fd(&r->fd_err);
}

/* the child closed its output: give it until the deadline to exit */
static void
reap(struct run *r, int64_t deadline)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pid_t w;

	if (r->timed_out || r->too_big)
		kill_group(r);
	while (!r->timed_out && !r->too_big) {
		w = waitpid(r->pid, &r->status, WNOHANG);
		if (w == r->pid || (w < 0 && errno != EINTR))
			return;
		if (fx_mono_ms() >= deadline) {
			r->timed_out = 1;
			kill_group(r);
			break;
		}
		nanosleep(&ts, NULL);
	}
	wait_child(r->pid, &r->status);
}

/* run the command with SIGPIPE held back in this thread */
static void
run_child(struct run *r)
{
	int64_t deadline = fx_mono_ms() + r->timeout * 1000;
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	pump(r, deadline);
	if (!was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	reap(r, deadline);
}

/* ---- the outcome ------------------------------------------------------ */

/* the last non-empty line of p[0..n), trimmed; *len its length */
static const char *
last_line(const char *p, size_t n, size_t *len)
{
	size_t end = n, start;

	while (end > 0 && (p[end - 1] == '\n' || p[end - 1] == '\r' ||
			      p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	start = end;
	while (start > 0 && p[start - 1] != '\n')
		start--;
	*len = end - start;
	return p + start;
}

static json_t *
parse_prior(const struct buf *out)
{
	const char *line;
	json_t *j;
	size_t len;

	line = last_line(buf_str(out), out->len, &len);
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_loadb(buf_str(out), out->len, JSON_REJECT_DUPLICATES,
		    NULL);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void
outcome(struct run *r, int undo, struct exec_out *o)
{
	size_t elen;
	const char *eline = last_line(r->err, r->errlen, &elen);
	int code = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
	char what[64];

	o->ok = !r->timed_out && !r->too_big && code == 0;
	if (r->timed_out)
		snprintf(what, sizeof(what), "killed after %llds timeout",
		    (long long)r->timeout);
	else if (r->too_big)
		snprintf(what, sizeof(what),
		    "killed: stdout larger than %d "
		    "bytes",
		    FX_MAX_EXEC_OUTPUT);
	else if (WIFSIGNALED(r->status))
		snprintf(what, sizeof(what), "killed by signal %d",
		    WTERMSIG(r->status));
	else
		snprintf(what, sizeof(what), "exit status %d", code);
	if (o->ok && elen > 0)
		exec_out_setf(o, "%.*s", (int)elen, eline);
	else if (elen > 0)
		exec_out_setf(o, "%s: %.*s", what, (int)elen, eline);
	else
		exec_out_setf(o, "%s", what);
	if (o->ok && !undo)
		o->prior_state = parse_prior(&r->out);
}

static void
run_release(struct run *r)
{
	size_t i;

	free(r->argv);
	for (i = 0; i < MAX_ENV; i++)
		free(r->envp[i]);
	free(r->in);
	buf_release(&r->out);
}

static fx_err
run_cmd(const struct cmd *cmd, const char *playbook, const json_t *finding,
    const json_t *prior, int undo, struct exec_out *o)
{
	struct run r;
	int err = 0;
	fx_err rc;

	memset(&r, 0, sizeof(r));
	r.fd_in = r.fd_out = r.fd_err = r.pid = -1;
	r.timeout = cmd != NULL ? cmd->timeout : DEFAULT_TIMEOUT;
	buf_init(&r.out, FX_MAX_EXEC_OUTPUT);
	rc = build_argv(&r, cmd, undo);
	if (rc != FX_OK) {
		exec_out_setf(o, "no command configured");
		goto out;
	}
	rc = build_env(&r, playbook, undo);
	if (rc == FX_OK)
		rc = build_stdin(&r, finding, prior, undo);
	if (rc != FX_OK) {
		exec_out_setf(o, "cannot prepare the command: %s",
		    fx_strerror(rc));
		goto out;
	}
	rc = spawn(&r, &err);
	if (rc != FX_OK) {
		exec_out_setf(o, "cannot %s %s: %s",
		    rc == FX_EEXEC ? "execute" : "start", r.argv[0],
		    strerror(err));
		goto out;
	}
	run_child(&r);
	outcome(&r, undo, o);
out:
	run_release(&r);
	return rc;
}

/* ---- the executor ----------------------------------------------------- */

static fx_err
cmd_prepare(const struct executor_cfg *cfg, const char *playbook, void **state,
    const char **key, struct buf *why)
{
	struct cmd *cmd;

	*state = NULL;
	if (cfg->argv == NULL || cfg->argv[0] == NULL) {
		*key = "command";
		if (buf_adds(why, "type exec needs a command: "
				  "[/absolute/path, args...]") != FX_OK)
			return FX_ENOMEM;
		return FX_ECONFIG;
	}
	if ((cmd = calloc(1, sizeof(*cmd))) == NULL)
		return FX_ENOMEM;
	cmd->argv = cfg->argv;
	cmd->timeout = cfg->timeout > 0 ? cfg->timeout : DEFAULT_TIMEOUT;
	*state = cmd;
	return FX_OK;
}

static void
cmd_free(void *state)
{
	free(state);
}

static fx_err
cmd_fix(void *shared, const void *state, const char *playbook,
    const json_t *finding, struct exec_out *o)
{
	return run_cmd(state, playbook, finding, NULL, 0, o);
}

static fx_err
cmd_undo(void *shared, const void *state, const char *playbook,
    const json_t *finding, const json_t *prior, struct exec_out *o)
{
	return run_cmd(state, playbook, finding, prior, 1, o);
}

const struct executor_ops exec_cmd_ops = {
	.name = "exec",
	.prepare = cmd_prepare,
	.free = cmd_free,
	.fix = cmd_fix,
	.undo = cmd_undo,
};
