/*
 * cmd.c - the /fixit slash command (see cmd.h).
 *
 * A command is parsed into words, checked against the table of
 * subcommands, then run: reports read a snapshot on the reader connection
 * (dbw_read), changes are one job on the writer thread (dbw_call), each
 * with a small argument struct. The reply is built as Slack mrkdwn in a work
 * buffer; lists stop early with "… and N more" so that the reply stays
 * under CMD_MAX_REPLY, and a last clip guarantees it. The writer and the
 * reports (status, due, exceptions, show) are in cmd_report.c.
 */
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "cmd_int.h"
#include "home.h"
#include "scan.h"
#include "fxutil.h"
#include "sm.h"
#include "banned.h"

#define MAX_WORDS 4
#define MAX_TEXT  256

static const char refusal[] =
    "Sorry, that /fixit command is for fixit admins. `/fixit help` says "
    "what fixit does and how to answer it.";
static const char unreadable[] =
    "Sorry, fixit could not read that command: its text is not valid "
    "UTF-8. `/fixit help` lists the commands.";

/* what everyone may read: help is not a secret */
static const char user_help_text[] =
    "*fixit* asks the owner of each AWS misconfiguration it finds, in "
    "Slack, with buttons: fix it now, or take an exception (a 1-year one "
    "in production needs a fixit admin's approval). Doing nothing means "
    "fixit fixes it after the deadline the message gives.\n"
    "`/fixit mine` \xe2\x80\x94 your open findings, with their buttons "
    "(fixit's Home tab in Slack shows them too)\n"
    "The other `/fixit` commands are for fixit admins.";

static const char help_text[] =
    "*fixit admin commands*\n"
    "`/fixit status` \xe2\x80\x94 counts by state and playbook, due in "
    "24 h, failures, pauses\n"
    "`/fixit due` \xe2\x80\x94 findings whose fix is coming, soonest "
    "first\n"
    "`/fixit exceptions` \xe2\x80\x94 active and pending exceptions\n"
    "`/fixit show ID` \xe2\x80\x94 one finding and its history\n"
    "`/fixit pause PLAYBOOK|all` \xe2\x80\x94 stop fixes (owners are "
    "still asked)\n"
    "`/fixit resume PLAYBOOK|all` \xe2\x80\x94 start fixes again\n"
    "`/fixit undo ID` \xe2\x80\x94 roll a fix back\n"
    "`/fixit scan` \xe2\x80\x94 scan every account and region now\n"
    "`/fixit mine` \xe2\x80\x94 your own open findings, with their "
    "buttons (for everyone)\n"
    "`/fixit help` \xe2\x80\x94 this text";

/* ---- jobs on the writer thread -------------------------------------- */

struct change_job {
	const struct policy *pol;
	const char *name; /* pause: playbook or "all" */
	int paused;
	int64_t id; /* undo */
	const char *admin;
	int64_t now;
	struct buf msg; /* undo: sm's sentence */
};

static fx_err
job_pause(struct db *db, void *arg)
{
	struct change_job *j = arg;

	return sm_pause(db, j->pol, j->name, j->paused, j->admin, j->now);
}

static fx_err
job_undo(struct db *db, void *arg)
{
	struct change_job *j = arg;

	return sm_undo_request(db, j->pol, j->id, j->admin, j->now, &j->msg);
}

/* ---- finding ids ----------------------------------------------------- */

fx_err
cmd_parse_id(const char *arg, int64_t *id)
{
	if (arg != NULL && *arg == '#')
		arg++;
	return fx_strtoll(arg, 1, INT64_MAX, id);
}

void
cmd_bad_id(struct ctx *c, const char *arg)
{
	cmd_put(c->o, "`");
	cmd_put_esc(c->o, arg, 40);
	cmd_put(c->o, "` is not a finding id.\n\n%s", help_text);
}

/* ---- pause, resume, undo --------------------------------------------- */

static void
unknown_playbook(struct ctx *c, const char *name)
{
	size_t i;

	cmd_put(c->o, "Unknown playbook `");
	cmd_put_esc(c->o, name, 63);
	cmd_put(c->o, "`. Valid names: `all`");
	for (i = 0; i < c->pol->nplaybooks; i++)
		cmd_put(c->o, ", `%s`", c->pol->playbooks[i].name);
	cmd_put(c->o, ".");
}

static fx_err
pause_resume(struct ctx *c, const char *name, int paused)
{
	struct change_job j;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	j.pol = c->pol;
	j.name = name;
	j.paused = paused;
	j.admin = c->user;
	j.now = c->now;
	if (strcmp(name, "all") != 0 && policy_playbook(c->pol, name) == NULL)
		rc = FX_ENOTFOUND; /* sm_pause would say the same */
	else
		rc = dbw_call(c->w, job_pause, &j);
	if (rc == FX_ENOTFOUND)
		unknown_playbook(c, name);
	else if (rc == FX_OK && strcmp(name, "all") == 0)
		cmd_put(c->o,
		    paused
			? "Paused all fixes: nothing is fixed "
			  "until `/fixit resume all`. Owners are still asked."
			: "Resumed all fixes.");
	else if (rc == FX_OK)
		cmd_put(c->o,
		    paused ? "Paused playbook `%s`: none of its "
			     "fixes runs until `/fixit resume %s`."
			   : "Resumed playbook `%s`.",
		    name, name);
	return rc == FX_ENOTFOUND ? FX_OK : rc;
}

static fx_err
cmd_pause(struct ctx *c, const char *arg)
{
	return pause_resume(c, arg, 1);
}

static fx_err
cmd_resume(struct ctx *c, const char *arg)
{
	return pause_resume(c, arg, 0);
}

static fx_err
cmd_undo(struct ctx *c, const char *arg)
{
	struct change_job j;
	fx_err rc;

	memset(&j, 0, sizeof(j));
	if (cmd_parse_id(arg, &j.id) != FX_OK) {
		cmd_bad_id(c, arg);
		return FX_OK;
	}
	j.pol = c->pol;
	j.admin = c->user;
	j.now = c->now;
	buf_init(&j.msg, 1024);
	rc = dbw_call(c->w, job_undo, &j);
	if (rc == FX_OK || rc == FX_ECONFLICT || rc == FX_ENOTFOUND) {
		/* refusals are answers too */
		cmd_put(c->o, "%s",
		    j.msg.len	  ? buf_str(&j.msg)
		    : rc == FX_OK ? "Undo queued."
				  : "That finding cannot be undone.");
		rc = FX_OK;
	}
	buf_release(&j.msg);
	return rc;
}

static fx_err
cmd_scan(struct ctx *c, const char *arg)
{
	switch (scan_request(c->scan)) {
	case FX_OK:
		cmd_put(c->o, "Scan started; `/fixit status` shows each "
			      "account and region when it is done.");
		break;
	case FX_ECONFLICT:
		cmd_put(c->o, "A scan is already running.");
		break;
	default:
		cmd_put(c->o, "Scanning is not set up: no playbook uses the "
			      "aws executor.");
		break;
	}
	return FX_OK;
}

/* for everyone: the caller's findings as blocks, their count as text */
static fx_err
cmd_mine(struct ctx *c, const char *arg)
{
	json_t *blocks = NULL;
	fx_err rc;

	rc = home_mine(c->w, c->pol, c->user, &blocks, &c->o->b);
	if (rc == FX_OK && c->blocks != NULL)
		*c->blocks = blocks;
	else
		json_decref(blocks);
	return rc;
}

static fx_err
cmd_help(struct ctx *c, const char *arg)
{
	cmd_put(c->o, "%s", help_text);
	return FX_OK;
}

/* ---- dispatch -------------------------------------------------------- */

static const struct subcmd {
	const char *name;
	int takes_arg; /* 1: exactly one argument */
	const char *arg_name;
	fx_err (*fn)(struct ctx *c, const char *arg);
} subcmds[] = {
	{ "status", 0, NULL, cmd_status },
	{ "show", 1, "a finding id", cmd_show },
	{ "due", 0, NULL, cmd_due },
	{ "exceptions", 0, NULL, cmd_exceptions },
	{ "pause", 1, "a playbook name or `all`", cmd_pause },
	{ "resume", 1, "a playbook name or `all`", cmd_resume },
	{ "undo", 1, "a finding id", cmd_undo },
	{ "scan", 0, NULL, cmd_scan },
	{ "mine", 0, NULL, cmd_mine },
	{ "help", 0, NULL, cmd_help },
};

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* split text into at most MAX_WORDS words (in copy); the count, or -1 */
static int
split_words(const char *text, char *copy, size_t len, char **words)
{
	size_t n = strlen(text);
	int nw = 0;
	char *p;

	if (n >= len)
		return -1;
	memcpy(copy, text, n + 1);
	for (p = copy; *p != '\0';) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (nw == MAX_WORDS)
			return -1;
		words[nw++] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	return nw;
}

/* text is the one word `word`, or (word NULL) empty */
static int
is_word(const char *text, const char *word)
{
	char copy[MAX_TEXT], *words[MAX_WORDS];
	int nw;

	nw = split_words(text ? text : "", copy, sizeof(copy), words);
	if (word == NULL)
		return nw == 0;
	return nw == 1 && strcasecmp(words[0], word) == 0;
}

/* text asks for help: empty, or the one word help */
static int
is_help(const char *text)
{
	return is_word(text, NULL) || is_word(text, "help");
}

static fx_err
dispatch(struct ctx *c, const char *text)
{
	char copy[MAX_TEXT], *words[MAX_WORDS];
	const struct subcmd *sc = NULL;
	size_t i;
	int nw;

	nw = split_words(text ? text : "", copy, sizeof(copy), words);
	for (i = 0; nw > 0 && i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcasecmp(words[0], subcmds[i].name) == 0)
			sc = &subcmds[i];
	if (nw < 0) {
		cmd_put(c->o, "That command is too long.\n\n%s", help_text);
	} else if (nw == 0) {
		cmd_put(c->o, "%s", help_text);
	} else if (sc == NULL) {
		cmd_put(c->o, "Unknown command `");
		cmd_put_esc(c->o, words[0], 40);
		cmd_put(c->o, "`.\n\n%s", help_text);
	} else if (nw != 1 + sc->takes_arg) {
		cmd_put(c->o, "`%s` takes %s.\n\n%s", sc->name,
		    sc->takes_arg ? sc->arg_name : "no argument", help_text);
	} else {
		return sc->fn(c, sc->takes_arg ? words[1] : NULL);
	}
	return FX_OK;
}

/* cut the reply to CMD_MAX_REPLY bytes at a UTF-8 boundary */
static void
clip(struct buf *b)
{
	size_t n = CMD_MAX_REPLY - sizeof(ELLIPSIS);

	if (b->len <= CMD_MAX_REPLY)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	memcpy(b->data + n, ELLIPSIS, sizeof(ELLIPSIS)); /* with NUL */
	b->len = n + sizeof(ELLIPSIS) - 1;
}

fx_err
cmd_run(struct dbw *w, const struct policy *pol, struct scan *scan,
    const char *user_id, const char *text, int64_t now, struct buf *reply,
    json_t **blocks)
{
	struct out o = { BUF_INIT, FX_OK };
	struct ctx c = { w, pol, scan, user_id, now, &o, blocks };
	fx_err rc;

	buf_reset(reply);
	if (blocks != NULL)
		*blocks = NULL;
	/* Slack sends UTF-8; anything else is not a command to guess at */
	if (text != NULL && !fx_utf8_valid(text, strlen(text)))
		return buf_adds(reply, unreadable);
	if (!policy_is_admin(pol, user_id) && !is_word(text, "mine"))
		return buf_adds(reply,
		    is_help(text) ? user_help_text : refusal);
	buf_init(&o.b, WORK_CAP);
	rc = dispatch(&c, text);
	if (rc == FX_OK && o.rc != FX_ETOOBIG) /* too big: clipped below */
		rc = o.rc;
	if (rc == FX_OK) {
		clip(&o.b);
		/* whatever a reply quotes, it goes out as a JSON string */
		fx_utf8_scrub(o.b.data, o.b.len);
		rc = buf_add(reply, buf_str(&o.b), o.b.len);
	}
	if (rc != FX_OK && blocks != NULL) {
		json_decref(*blocks);
		*blocks = NULL;
	}
	if (rc != FX_OK)
		buf_reset(reply);
	buf_release(&o.b);
	return rc;
}
